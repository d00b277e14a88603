/* headers.c: what a CSV header says a column holds. One table, below, of the headers that ERP
 * systems, spreadsheets and people write, in English and in the languages order exports come
 * in, with the role of the parties in a party column or the kind of a qualifying column; and
 * the normalisation that makes "Ship-to party", "SHIP_TO  PARTY" and "Ship\u00A0To Party" one
 * header. A new header word is one line of the table, nowhere else. */
#include "importers/orders/orders.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Headers as people write them; they are normalised (rf_orders__header_key) before comparing, so
 * case, accents, spacing and punctuation do not matter here. Within one qualifier kind,
 * earlier entries win: in a BOM, "Part Number" says more about the item than the running
 * "Item" number. */
static const struct {
    const char *header;
    ord_col_kind kind;
    const char *role; /* ORD_COL_PARTY: the role its parties get */
} headers[] = {
    /* ---- English: the generic names, then the roles ERP exports use ---- */
    {"Name", ORD_COL_PARTY, "party"},
    {"Party", ORD_COL_PARTY, "party"},
    {"Party Name", ORD_COL_PARTY, "party"},
    {"Company", ORD_COL_PARTY, "party"},
    {"Business Partner", ORD_COL_PARTY, "party"},
    {"Counterparty", ORD_COL_PARTY, "party"},
    {"Customer", ORD_COL_PARTY, "customer"},
    {"Client", ORD_COL_PARTY, "customer"},
    {"Account Name", ORD_COL_PARTY, "customer"},
    {"Supplier", ORD_COL_PARTY, "supplier"},
    {"Vendor", ORD_COL_PARTY, "vendor"},
    {"Distributor", ORD_COL_PARTY, "distributor"},
    {"Reseller", ORD_COL_PARTY, "reseller"},
    {"Buyer", ORD_COL_PARTY, "buyer"},
    {"Purchaser", ORD_COL_PARTY, "buyer"},
    {"Seller", ORD_COL_PARTY, "seller"},
    {"Consignee", ORD_COL_PARTY, "consignee"},
    {"Ultimate Consignee", ORD_COL_PARTY, "ultimate_consignee"},
    {"Intermediate Consignee", ORD_COL_PARTY, "intermediate_consignee"},
    {"End User", ORD_COL_PARTY, "end_user"},
    {"End Customer", ORD_COL_PARTY, "end_user"},
    {"Ultimate End User", ORD_COL_PARTY, "end_user"},
    {"Ship To", ORD_COL_PARTY, "ship_to"},
    {"Ship To Customer", ORD_COL_PARTY, "ship_to"},
    {"Deliver To", ORD_COL_PARTY, "ship_to"},
    {"Delivery Party", ORD_COL_PARTY, "ship_to"},
    {"Recipient", ORD_COL_PARTY, "ship_to"},
    {"Sold To", ORD_COL_PARTY, "sold_to"},
    {"Bill To", ORD_COL_PARTY, "bill_to"},
    {"Payer", ORD_COL_PARTY, "payer"},
    {"Notify Party", ORD_COL_PARTY, "notify_party"},
    {"Forwarder", ORD_COL_PARTY, "freight_forwarder"},
    {"Freight Forwarder", ORD_COL_PARTY, "freight_forwarder"},
    {"Carrier", ORD_COL_PARTY, "carrier"},
    {"Shipper", ORD_COL_PARTY, "shipper"},
    {"Exporter", ORD_COL_PARTY, "exporter"},
    {"Importer", ORD_COL_PARTY, "importer"},
    {"Manufacturer", ORD_COL_PARTY, "manufacturer"},
    {"Mfr", ORD_COL_PARTY, "manufacturer"},
    {"Mfg", ORD_COL_PARTY, "manufacturer"},
    {"Maker", ORD_COL_PARTY, "manufacturer"},
    /* ---- German ---- */
    {"Firma", ORD_COL_PARTY, "party"},
    {"Firmenname", ORD_COL_PARTY, "party"},
    {"Geschäftspartner", ORD_COL_PARTY, "party"},
    {"Kunde", ORD_COL_PARTY, "customer"},
    {"Kundenname", ORD_COL_PARTY, "customer"},
    {"Auftraggeber", ORD_COL_PARTY, "sold_to"},
    {"Lieferant", ORD_COL_PARTY, "supplier"},
    {"Lieferantenname", ORD_COL_PARTY, "supplier"},
    {"Händler", ORD_COL_PARTY, "distributor"},
    {"Käufer", ORD_COL_PARTY, "buyer"},
    {"Verkäufer", ORD_COL_PARTY, "seller"},
    {"Empfänger", ORD_COL_PARTY, "consignee"},
    {"Warenempfänger", ORD_COL_PARTY, "ship_to"},
    {"Rechnungsempfänger", ORD_COL_PARTY, "bill_to"},
    {"Endkunde", ORD_COL_PARTY, "end_user"},
    {"Endverwender", ORD_COL_PARTY, "end_user"},
    {"Endempfänger", ORD_COL_PARTY, "ultimate_consignee"},
    {"Spediteur", ORD_COL_PARTY, "freight_forwarder"},
    {"Hersteller", ORD_COL_PARTY, "manufacturer"},
    /* ---- French ---- */
    {"Société", ORD_COL_PARTY, "party"},
    {"Raison sociale", ORD_COL_PARTY, "party"},
    {"Entreprise", ORD_COL_PARTY, "party"},
    {"Nom du client", ORD_COL_PARTY, "customer"},
    {"Fournisseur", ORD_COL_PARTY, "supplier"},
    {"Nom du fournisseur", ORD_COL_PARTY, "supplier"},
    {"Acheteur", ORD_COL_PARTY, "buyer"},
    {"Vendeur", ORD_COL_PARTY, "seller"},
    {"Destinataire", ORD_COL_PARTY, "consignee"},
    {"Destinataire final", ORD_COL_PARTY, "ultimate_consignee"},
    {"Utilisateur final", ORD_COL_PARTY, "end_user"},
    {"Client final", ORD_COL_PARTY, "end_user"},
    {"Donneur d'ordre", ORD_COL_PARTY, "sold_to"},
    {"Transitaire", ORD_COL_PARTY, "freight_forwarder"},
    {"Fabricant", ORD_COL_PARTY, "manufacturer"},
    /* ---- Spanish and Portuguese (Cliente, Fabricante, Comprador, Vendedor are both) ---- */
    {"Empresa", ORD_COL_PARTY, "party"},
    {"Razón social", ORD_COL_PARTY, "party"},
    {"Cliente", ORD_COL_PARTY, "customer"},
    {"Nombre del cliente", ORD_COL_PARTY, "customer"},
    {"Proveedor", ORD_COL_PARTY, "supplier"},
    {"Fornecedor", ORD_COL_PARTY, "supplier"},
    {"Comprador", ORD_COL_PARTY, "buyer"},
    {"Vendedor", ORD_COL_PARTY, "seller"},
    {"Destinatario", ORD_COL_PARTY, "consignee"},
    {"Destinatário", ORD_COL_PARTY, "consignee"},
    {"Consignatario", ORD_COL_PARTY, "consignee"},
    {"Usuario final", ORD_COL_PARTY, "end_user"},
    {"Utilizador final", ORD_COL_PARTY, "end_user"},
    {"Usuário final", ORD_COL_PARTY, "end_user"},
    {"Cliente final", ORD_COL_PARTY, "end_user"},
    {"Transitario", ORD_COL_PARTY, "freight_forwarder"},
    {"Fabricante", ORD_COL_PARTY, "manufacturer"},
    /* ---- Italian ---- */
    {"Azienda", ORD_COL_PARTY, "party"},
    {"Ragione sociale", ORD_COL_PARTY, "party"},
    {"Fornitore", ORD_COL_PARTY, "supplier"},
    {"Acquirente", ORD_COL_PARTY, "buyer"},
    {"Venditore", ORD_COL_PARTY, "seller"},
    {"Utente finale", ORD_COL_PARTY, "end_user"},
    {"Spedizioniere", ORD_COL_PARTY, "freight_forwarder"},
    {"Produttore", ORD_COL_PARTY, "manufacturer"},
    {"Fabbricante", ORD_COL_PARTY, "manufacturer"},
    /* ---- Dutch ---- */
    {"Bedrijf", ORD_COL_PARTY, "party"},
    {"Bedrijfsnaam", ORD_COL_PARTY, "party"},
    {"Klant", ORD_COL_PARTY, "customer"},
    {"Klantnaam", ORD_COL_PARTY, "customer"},
    {"Leverancier", ORD_COL_PARTY, "supplier"},
    {"Koper", ORD_COL_PARTY, "buyer"},
    {"Verkoper", ORD_COL_PARTY, "seller"},
    {"Ontvanger", ORD_COL_PARTY, "consignee"},
    {"Eindgebruiker", ORD_COL_PARTY, "end_user"},
    {"Expediteur", ORD_COL_PARTY, "freight_forwarder"},
    {"Fabrikant", ORD_COL_PARTY, "manufacturer"},
    /* ---- Polish (Producent is Dutch too) ---- */
    {"Nazwa firmy", ORD_COL_PARTY, "party"},
    {"Kontrahent", ORD_COL_PARTY, "party"},
    {"Klient", ORD_COL_PARTY, "customer"},
    {"Dostawca", ORD_COL_PARTY, "supplier"},
    {"Nabywca", ORD_COL_PARTY, "buyer"},
    {"Kupujący", ORD_COL_PARTY, "buyer"},
    {"Sprzedawca", ORD_COL_PARTY, "seller"},
    {"Odbiorca", ORD_COL_PARTY, "consignee"},
    {"Odbiorca końcowy", ORD_COL_PARTY, "end_user"},
    {"Użytkownik końcowy", ORD_COL_PARTY, "end_user"},
    {"Spedytor", ORD_COL_PARTY, "freight_forwarder"},
    {"Producent", ORD_COL_PARTY, "manufacturer"},
    /* ---- Chinese (simplified and traditional) ---- */
    {"公司", ORD_COL_PARTY, "party"},
    {"公司名称", ORD_COL_PARTY, "party"},
    {"单位名称", ORD_COL_PARTY, "party"},
    {"客户", ORD_COL_PARTY, "customer"},
    {"客户名称", ORD_COL_PARTY, "customer"},
    {"客戶", ORD_COL_PARTY, "customer"},
    {"供应商", ORD_COL_PARTY, "supplier"},
    {"供应商名称", ORD_COL_PARTY, "supplier"},
    {"供應商", ORD_COL_PARTY, "supplier"},
    {"买方", ORD_COL_PARTY, "buyer"},
    {"卖方", ORD_COL_PARTY, "seller"},
    {"收货人", ORD_COL_PARTY, "consignee"},
    {"收貨人", ORD_COL_PARTY, "consignee"},
    {"收货单位", ORD_COL_PARTY, "consignee"},
    {"最终用户", ORD_COL_PARTY, "end_user"},
    {"最終用戶", ORD_COL_PARTY, "end_user"},
    {"货代", ORD_COL_PARTY, "freight_forwarder"},
    {"制造商", ORD_COL_PARTY, "manufacturer"},
    {"製造商", ORD_COL_PARTY, "manufacturer"},
    {"生产厂家", ORD_COL_PARTY, "manufacturer"},
    {"厂商", ORD_COL_PARTY, "manufacturer"},
    {"品牌", ORD_COL_PARTY, "manufacturer"},
    /* ---- Japanese ---- */
    {"会社名", ORD_COL_PARTY, "party"},
    {"取引先", ORD_COL_PARTY, "party"},
    {"顧客", ORD_COL_PARTY, "customer"},
    {"得意先", ORD_COL_PARTY, "customer"},
    {"仕入先", ORD_COL_PARTY, "supplier"},
    {"サプライヤー", ORD_COL_PARTY, "supplier"},
    {"購入者", ORD_COL_PARTY, "buyer"},
    {"販売者", ORD_COL_PARTY, "seller"},
    {"納入先", ORD_COL_PARTY, "ship_to"},
    {"出荷先", ORD_COL_PARTY, "ship_to"},
    {"荷受人", ORD_COL_PARTY, "consignee"},
    {"エンドユーザー", ORD_COL_PARTY, "end_user"},
    {"最終需要者", ORD_COL_PARTY, "end_user"},
    {"メーカー", ORD_COL_PARTY, "manufacturer"},
    {"製造元", ORD_COL_PARTY, "manufacturer"},

    /* ---- columns that qualify the parties of their row ---- */
    {"Address", ORD_COL_ADDRESS, NULL},
    {"Adresse", ORD_COL_ADDRESS, NULL},
    {"Anschrift", ORD_COL_ADDRESS, NULL},
    {"Dirección", ORD_COL_ADDRESS, NULL},
    {"Indirizzo", ORD_COL_ADDRESS, NULL},
    {"Adres", ORD_COL_ADDRESS, NULL},
    {"地址", ORD_COL_ADDRESS, NULL},
    {"住所", ORD_COL_ADDRESS, NULL},
    {"City", ORD_COL_CITY, NULL},
    {"Ort", ORD_COL_CITY, NULL},
    {"Stadt", ORD_COL_CITY, NULL},
    {"Ville", ORD_COL_CITY, NULL},
    {"Ciudad", ORD_COL_CITY, NULL},
    {"Città", ORD_COL_CITY, NULL},
    {"城市", ORD_COL_CITY, NULL},
    {"Country", ORD_COL_COUNTRY, NULL},
    {"Country Code", ORD_COL_COUNTRY, NULL},
    {"Land", ORD_COL_COUNTRY, NULL},
    {"Pays", ORD_COL_COUNTRY, NULL},
    {"País", ORD_COL_COUNTRY, NULL},
    {"Paese", ORD_COL_COUNTRY, NULL},
    {"Kraj", ORD_COL_COUNTRY, NULL},
    {"国家", ORD_COL_COUNTRY, NULL},
    {"国", ORD_COL_COUNTRY, NULL},
    {"Ref", ORD_COL_REF, NULL},
    {"Reference", ORD_COL_REF, NULL},
    {"Order Number", ORD_COL_REF, NULL},
    {"PO Number", ORD_COL_REF, NULL},
    {"Order Date", ORD_COL_DATE, NULL},
    {"Date", ORD_COL_DATE, NULL},
    {"Datum", ORD_COL_DATE, NULL},
    {"MPN", ORD_COL_ITEM, NULL},
    {"Part Number", ORD_COL_ITEM, NULL},
    {"Herstellerteilenummer", ORD_COL_ITEM, NULL},
    {"Part", ORD_COL_ITEM, NULL},
    {"Item", ORD_COL_ITEM, NULL},
    {"Line", ORD_COL_ITEM, NULL},
};

#define N_HEADERS (sizeof headers / sizeof headers[0])

/* English headers say the same with "Name", "Party" or "Company" after the role: "Supplier
 * Name", "Ship-to party", "Vendor Company". */
static const char *const role_suffixes[] = {"_name", "_party", "_company"};

static int ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Appends the `len` bytes at `s` to out, or for a separator one '_' (a run of separators is
 * one, none at the start), within out_size. */
static void key_put(char *out, size_t out_size, size_t *n, const char *s, size_t len, int sep)
{
    if (sep) {
        if (*n > 0 && out[*n - 1] != '_' && *n + 1 < out_size) out[(*n)++] = '_';
        return;
    }
    if (*n + len >= out_size) return;
    memcpy(out + *n, s, len);
    *n += len;
}

void rf_orders__header_key(char *out, size_t out_size, const char *s, size_t len)
{
    size_t n = 0, i;
    utf8proc_uint8_t *folded = NULL;

    if (out_size == 0) return;
    for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++) {}
    if (i < len) {
        /* compatibility forms (no-break space, fullwidth letters) to their plain ones, case
         * folded, accents dropped: "EMPFÄNGER" and "Empfanger" are Empfänger */
        utf8proc_ssize_t got = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                            &folded,
                                            UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                                UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                                                UTF8PROC_IGNORE);
        if (got >= 0) {
            s = (const char *)folded;
            len = (size_t)got;
        } else {
            free(folded);
            folded = NULL;
        }
    }
    for (i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            char low = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            key_put(out, out_size, &n, &low, 1, !ascii_alnum(c));
            i++;
            continue;
        }
        {
            utf8proc_int32_t cp;
            utf8proc_ssize_t w = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            utf8proc_category_t cat;
            if (w <= 0) w = 1, cp = -1;
            cat = cp < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(cp);
            /* letters, marks and digits are the header's words; the rest separates them */
            key_put(out, out_size, &n, s + i, (size_t)w,
                    !(cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO));
            i += (size_t)w;
        }
    }
    while (n > 0 && out[n - 1] == '_') n--;
    out[n] = '\0';
    free(folded);
}

struct ord_header_table {
    rf_buf keys;              /* each entry's key, NUL-terminated */
    size_t off[N_HEADERS];
};

int rf_orders__header_table_new(ord_header_table **out)
{
    ord_header_table *t = calloc(1, sizeof *t);
    char key[128];
    *out = NULL;
    if (!t) return RF_ENOMEM;
    for (size_t i = 0; i < N_HEADERS; i++) {
        rf_orders__header_key(key, sizeof key, headers[i].header, strlen(headers[i].header));
        t->off[i] = t->keys.len;
        if (rf_buf_append(&t->keys, key, strlen(key) + 1)) {
            rf_orders__header_table_free(t);
            return RF_ENOMEM;
        }
    }
    *out = t;
    return RF_OK;
}

void rf_orders__header_table_free(ord_header_table *t)
{
    if (!t) return;
    rf_buf_free(&t->keys);
    free(t);
}

/* The table entry whose key is `key`, or -1. */
static int find(const ord_header_table *t, const char *key)
{
    for (size_t i = 0; i < N_HEADERS; i++)
        if (strcmp(t->keys.data + t->off[i], key) == 0) return (int)i;
    return -1;
}

ord_col_kind rf_orders__header_kind(const ord_header_table *t, const char **role, int *rank,
                             const char *header, size_t len)
{
    char key[256];
    int i;

    *role = NULL;
    *rank = -1;
    rf_orders__header_key(key, sizeof key, header, len);
    if (!key[0]) return ORD_COL_IGNORE;
    i = find(t, key);
    for (size_t k = 0; i < 0 && k < sizeof role_suffixes / sizeof role_suffixes[0]; k++) {
        size_t n = strlen(key), sn = strlen(role_suffixes[k]);
        if (n <= sn || strcmp(key + n - sn, role_suffixes[k]) != 0) continue;
        key[n - sn] = '\0';
        i = find(t, key);
        if (i >= 0 && headers[i].kind != ORD_COL_PARTY) i = -1;
        key[n - sn] = role_suffixes[k][0];
    }
    if (i < 0) return ORD_COL_IGNORE;
    *role = headers[i].role;
    *rank = i;
    return headers[i].kind;
}
