/* ubl.c: UBL documents (OASIS UBL 2.0 to 2.3: Order, OrderChange, PEPPOL BIS 3 Order, and
 * any other UBL document with parties, such as an export customs declaration) -> parties.
 *
 * UBL names every party by the element that holds it, so the reader needs no list of
 * document types: an element whose name ends in "Party" is a party, and its name gives the
 * role (BuyerCustomerParty -> buyer, FreightForwarderParty -> freight_forwarder). The
 * customer and supplier wrappers (BuyerCustomerParty, AccountingSupplierParty, ...) hold
 * the party itself in a cac:Party child. A party's names are its cac:PartyName/cbc:Name and
 * the registration names of its legal entity and tax scheme, each screened; its address is
 * cac:PostalAddress. A cac:Delivery makes a ship-to of its cac:DeliveryParty and of the
 * address it delivers to (DeliveryLocation/Address or DeliveryAddress), with no party name
 * when it has none, so that the destination is still checked. Order lines are LineItem
 * (GoodsItem, InvoiceLine, ...) elements: their ID, quantity, item name, part numbers,
 * origin country and commodity classification (HS, ECCN), and their own parties
 * (ManufacturerParty, OriginatorParty, a line's Delivery). */
#include "importers/orders/xml.h"

#include <string.h>

#define MAX_OPEN 16 /* parties or deliveries open inside one another */
#define MAX_STASH 64

typedef struct party_ctx {
    int depth;
    size_t party;
} party_ctx;

typedef struct delivery_ctx {
    int depth;
    long line;
    size_t order_line;
    int has_party;
    size_t party;
    ord_addr addr;
} delivery_ctx;

typedef struct ubl_in {
    ox_reader *x;
    ord_doc *d;
    rf_error *err;
    party_ctx parties[MAX_OPEN];
    int n_parties;
    delivery_ctx deliveries[MAX_OPEN];
    int n_deliveries;
    int line_depth;    /* depth of the open order line, -1 when none */
    size_t line;       /* its 1-based index */
    int desc_is_name;  /* the line's description came from Item/Name */
    /* attributes of the element being read, kept from its start to its end */
    char scheme[MAX_STASH];
    char unit[MAX_STASH];
    char prop_name[MAX_STASH];
} ubl_in;

/* Elements that are one line of a document. */
static const char *const line_elements[] = {"LineItem",     "GoodsItem",    "InvoiceLine",
                                            "CreditNoteLine", "DespatchLine", "ReceiptLine"};

/* Roles whose UBL name says more than redflag needs; the rest are the element's name in
 * snake case without "Party" (FreightForwarderParty -> freight_forwarder). */
static const struct {
    const char *element;
    const char *role;
} roles[] = {
    {"BuyerCustomerParty", "buyer"},         {"SellerSupplierParty", "seller"},
    {"OriginatorCustomerParty", "originator"}, {"DeliveryParty", "ship_to"},
    {"DeliveryCustomerParty", "ship_to"},    {"BuyerParty", "buyer"},
    {"SellerParty", "seller"},
};

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static void role_of(char *out, size_t out_size, const char *element)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(element, roles[i].element) == 0) {
            snprintf(out, out_size, "%s", roles[i].role);
            return;
        }
    rf_orders__snake_case(out, out_size, element, strlen(element) - strlen("Party"));
    if (!out[0]) snprintf(out, out_size, "party");
}

static int oom(ubl_in *in)
{
    return rf_error_set(in->err, RF_ENOMEM, in->d->path, rf_orders__xml_line(in->x),
                        "out of memory");
}

static void stash(char *slot, const char *value)
{
    snprintf(slot, MAX_STASH, "%s", value ? value : "");
}

static int on_start(ubl_in *in)
{
    ox_reader *x = in->x;
    int depth = rf_orders__xml_depth(x);
    const char *name = rf_orders__xml_name(x, depth);
    char role[MAX_STASH];
    int rc;

    if (depth == 0)
        return rf_orders__put(&in->d->doc_type, in->d, name, strlen(name)) ? oom(in) : RF_OK;
    if (strcmp(name, "Delivery") == 0 && in->n_deliveries < MAX_OPEN) {
        delivery_ctx *c = &in->deliveries[in->n_deliveries++];
        memset(c, 0, sizeof *c);
        c->depth = depth;
        c->line = rf_orders__xml_line(x);
        c->order_line = in->line_depth >= 0 ? in->line : 0;
        return RF_OK;
    }
    for (size_t i = 0; in->line_depth < 0 && i < sizeof line_elements / sizeof *line_elements; i++)
        if (strcmp(name, line_elements[i]) == 0) {
            if ((rc = rf_orders__line_add(&in->line, in->d, rf_orders__xml_line(x), in->err)))
                return rc;
            in->line_depth = depth;
            in->desc_is_name = 0;
            return RF_OK;
        }
    if (ends_with(name, "Party") && in->n_parties < MAX_OPEN) {
        const char *holder = name;
        party_ctx *c;
        if (strcmp(name, "Party") == 0) {
            holder = rf_orders__xml_name(x, depth - 1);
            if (!ends_with(holder, "Party")) holder = "Party";
        } else if (ends_with(name, "CustomerParty") || ends_with(name, "SupplierParty")) {
            return RF_OK; /* a wrapper: the party is its cac:Party */
        }
        role_of(role, sizeof role, holder);
        c = &in->parties[in->n_parties];
        if ((rc = rf_orders__party_add(&c->party, in->d, role, rf_orders__xml_line(x),
                                in->line_depth >= 0 ? in->line : 0, in->err)))
            return rc;
        c->depth = depth;
        in->n_parties++;
        /* The delivery this party is the receiver of gets its address filled in from it. */
        if (in->n_deliveries) {
            delivery_ctx *dc = &in->deliveries[in->n_deliveries - 1];
            if (!dc->has_party && (dc->depth == depth - 1 || dc->depth == depth - 2) &&
                strcmp(role, "ship_to") == 0) {
                dc->has_party = 1;
                dc->party = c->party;
            }
        }
        return RF_OK;
    }
    if (strcmp(name, "ItemClassificationCode") == 0 || strcmp(name, "CommodityCode") == 0) {
        const char *s = rf_orders__xml_attr(x, "listID");
        stash(in->scheme, s ? s : rf_orders__xml_attr(x, "listName"));
    } else if (strcmp(name, "ID") == 0) {
        stash(in->scheme, rf_orders__xml_attr(x, "schemeID"));
    } else if (strcmp(name, "Quantity") == 0) {
        stash(in->unit, rf_orders__xml_attr(x, "unitCode"));
    }
    return RF_OK;
}

/* An address part of `a`, the address element being open at `base`. */
static int address_part(ubl_in *in, ord_addr *a, int base, const char *s, size_t len)
{
    static const char *const extra[] = {"AdditionalStreetName", "BuildingName", "AddressLine/Line",
                                        "BlockName", "District", "CitySubdivisionName"};
    ox_reader *x = in->x;
    ord_doc *d = in->d;
    int rc = RF_OK;

    if (rf_orders__xml_under(x, base, "StreetName"))
        rc = rf_orders__put_first(&a->street, d, s, len);
    else if (rf_orders__xml_under(x, base, "BuildingNumber"))
        rc = rf_orders__put_first(&a->number, d, s, len);
    else if (rf_orders__xml_under(x, base, "CityName"))
        rc = rf_orders__put_first(&a->city, d, s, len);
    else if (rf_orders__xml_under(x, base, "PostalZone"))
        rc = rf_orders__put_first(&a->postal, d, s, len);
    else if (rf_orders__xml_under(x, base, "CountrySubentity") ||
             rf_orders__xml_under(x, base, "CountrySubentityCode") ||
             rf_orders__xml_under(x, base, "Region"))
        rc = rf_orders__put_first(&a->region, d, s, len);
    else if (rf_orders__xml_under(x, base, "Country/IdentificationCode"))
        rc = rf_orders__put(&a->country, d, s, len);
    else if (rf_orders__xml_under(x, base, "Country/Name"))
        rc = rf_orders__put_first(&a->country, d, s, len);
    else
        for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
            if (rf_orders__xml_under(x, base, extra[i]))
                rc = rf_orders__append(&a->extra, d, ", ", s, len);
    return rc ? oom(in) : RF_OK;
}

static int party_text(ubl_in *in, const party_ctx *c, const char *s, size_t len)
{
    ox_reader *x = in->x;
    ord_doc *d = in->d;
    ord_party *p = &d->parties[c->party];
    int depth = rf_orders__xml_depth(x);

    if (rf_orders__xml_under(x, c->depth, "PartyName/Name") ||
        rf_orders__xml_under(x, c->depth, "PartyLegalEntity/RegistrationName") ||
        rf_orders__xml_under(x, c->depth, "PartyTaxScheme/RegistrationName"))
        return rf_orders__party_name(d, c->party, s, len) ? oom(in) : RF_OK;
    if (rf_orders__xml_under(x, c->depth, "PartyIdentification/ID") && !p->id) {
        rf_buf id = {0};
        int rc = in->scheme[0] ? rf_buf_printf(&id, "%s:", in->scheme) : RF_OK;
        if (!rc) rc = rf_buf_append(&id, s, len);
        if (!rc) rc = rf_orders__put(&d->parties[c->party].id, d, id.data, id.len);
        rf_buf_free(&id);
        return rc ? oom(in) : RF_OK;
    }
    if (depth >= c->depth + 2 && strcmp(rf_orders__xml_name(x, c->depth + 1), "PostalAddress") == 0)
        return address_part(in, &d->parties[c->party].addr, c->depth + 1, s, len);
    return RF_OK;
}

static int delivery_text(ubl_in *in, delivery_ctx *c, const char *s, size_t len)
{
    ox_reader *x = in->x;
    int depth = rf_orders__xml_depth(x);
    if (depth >= c->depth + 3 &&
        strcmp(rf_orders__xml_name(x, c->depth + 1), "DeliveryLocation") == 0 &&
        strcmp(rf_orders__xml_name(x, c->depth + 2), "Address") == 0)
        return address_part(in, &c->addr, c->depth + 2, s, len);
    if (depth >= c->depth + 2 &&
        strcmp(rf_orders__xml_name(x, c->depth + 1), "DeliveryAddress") == 0)
        return address_part(in, &c->addr, c->depth + 1, s, len);
    return RF_OK;
}

/* The item's facts may sit in cac:Item (order lines) or straight in the line (GoodsItem). */
static int item_under(const ubl_in *in, const char *path)
{
    const ox_reader *x = in->x;
    int d = in->line_depth;
    return (rf_orders__xml_depth(x) > d && strcmp(rf_orders__xml_name(x, d + 1), "Item") == 0 &&
            rf_orders__xml_under(x, d + 1, path)) ||
           rf_orders__xml_under(x, d, path);
}

static int line_text(ubl_in *in, const char *s, size_t len)
{
    static const struct {
        const char *path;
        int kind;
    } parts[] = {
        {"ManufacturersItemIdentification/ID", ORD_PART_MANUFACTURER},
        {"SellersItemIdentification/ID", ORD_PART_SELLER},
        {"BuyersItemIdentification/ID", ORD_PART_BUYER},
        {"StandardItemIdentification/ID", ORD_PART_OTHER},
    };
    ox_reader *x = in->x;
    ord_doc *d = in->d;
    ord_line *l = &d->lines[in->line - 1];
    int rc = RF_OK;

    if (rf_orders__xml_under(x, in->line_depth, "ID")) {
        rc = rf_orders__put_first(&l->number, d, s, len);
    } else if (rf_orders__xml_under(x, in->line_depth, "Quantity")) {
        if (!l->quantity && !(rc = rf_orders__put(&l->quantity, d, s, len)) && l->quantity &&
            in->unit[0])
            rc = rf_orders__append(&l->quantity, d, " ", in->unit, strlen(in->unit));
    } else if (item_under(in, "Name") && !in->desc_is_name) {
        rc = rf_orders__put(&l->description, d, s, len);
        in->desc_is_name = l->description != 0;
    } else if (item_under(in, "Description")) {
        rc = rf_orders__put_first(&l->description, d, s, len);
    } else if (item_under(in, "OriginCountry/IdentificationCode")) {
        rc = rf_orders__put_first(&l->origin, d, s, len);
    } else if (item_under(in, "CommodityClassification/ItemClassificationCode")) {
        rc = rf_orders__classify(d, in->line, in->scheme, s, len);
    } else if (item_under(in, "CommodityClassification/CommodityCode")) {
        rc = rf_orders__classify(d, in->line, in->scheme[0] ? in->scheme : "HS", s, len);
    } else if (item_under(in, "AdditionalItemProperty/Name")) {
        snprintf(in->prop_name, sizeof in->prop_name, "%.*s", (int)(len < 63 ? len : 63), s);
    } else if (item_under(in, "AdditionalItemProperty/Value") && in->prop_name[0]) {
        char lower[MAX_STASH];
        size_t n = 0;
        for (const char *p = in->prop_name; *p && n + 1 < sizeof lower; p++)
            lower[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        lower[n] = '\0';
        if (strstr(lower, "origin")) rc = rf_orders__put_first(&l->origin, d, s, len);
        else rc = rf_orders__classify(d, in->line, in->prop_name, s, len);
        in->prop_name[0] = '\0';
    } else {
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            if (item_under(in, parts[i].path))
                rc = rf_orders__put_first(&l->parts[parts[i].kind], d, s, len);
    }
    return rc ? oom(in) : RF_OK;
}

/* A delivery ends: its receiver gets the delivery address when it has none of its own; a
 * delivery to an address without a named receiver is a ship-to without a name. */
static int close_delivery(ubl_in *in, const delivery_ctx *c)
{
    const ord_addr *a = &c->addr;
    size_t i;
    int rc;

    if (!a->street && !a->extra && !a->city && !a->region && !a->country && !a->postal)
        return RF_OK;
    if (!c->has_party) {
        if ((rc = rf_orders__party_add(&i, in->d, "ship_to", c->line, c->order_line, in->err)))
            return rc;
        in->d->parties[i].addr = *a;
        return RF_OK;
    }
    {
        ord_addr *pa = &in->d->parties[c->party].addr;
        if (!pa->street && !pa->extra && !pa->city && !pa->country) *pa = *a;
    }
    return RF_OK;
}

static int on_end(ubl_in *in)
{
    ox_reader *x = in->x;
    int depth = rf_orders__xml_depth(x), inner = -1, kind = 0;
    size_t len;
    const char *s = rf_orders__xml_text(x, &len);

    if (in->n_parties && in->parties[in->n_parties - 1].depth == depth) {
        in->n_parties--;
        return RF_OK;
    }
    if (in->n_deliveries && in->deliveries[in->n_deliveries - 1].depth == depth)
        return close_delivery(in, &in->deliveries[--in->n_deliveries]);
    if (in->line_depth == depth) {
        in->line_depth = -1;
        return RF_OK;
    }
    if (depth == 1) {
        const char *name = rf_orders__xml_name(x, 1);
        if (strcmp(name, "ID") == 0)
            return rf_orders__put_first(&in->d->number, in->d, s, len) ? oom(in) : 0;
        if (strcmp(name, "IssueDate") == 0)
            return rf_orders__put_first(&in->d->date, in->d, s, len) ? oom(in) : 0;
    }
    /* The text belongs to the innermost open party, delivery or line. */
    if (in->n_parties) inner = in->parties[in->n_parties - 1].depth, kind = 1;
    if (in->n_deliveries && in->deliveries[in->n_deliveries - 1].depth > inner)
        inner = in->deliveries[in->n_deliveries - 1].depth, kind = 2;
    if (in->line_depth > inner) kind = 3;
    switch (kind) {
    case 1: return party_text(in, &in->parties[in->n_parties - 1], s, len);
    case 2: return delivery_text(in, &in->deliveries[in->n_deliveries - 1], s, len);
    case 3: return line_text(in, s, len);
    default: return RF_OK;
    }
}

int rf_orders__ubl_run(ox_reader *x, ord_doc *doc, rf_party_fn fn, void *ctx, rf_error *err)
{
    ubl_in in;
    ox_event ev = OX_START;
    rf_error ignored;
    int rc;

    memset(&in, 0, sizeof in);
    in.x = x;
    in.d = doc;
    in.err = err;
    in.line_depth = -1;
    for (rc = on_start(&in); rc == RF_OK;) {
        if ((rc = rf_orders__xml_next(x, &ev, err)) || ev == OX_EOF) break;
        rc = ev == OX_START ? on_start(&in) : on_end(&in);
    }
    /* Parties read before a malformed part still go out; the error is the document's. */
    if (rc == RF_OK) return rf_orders__doc_emit(doc, fn, ctx, err);
    if (rc != RF_ECANCEL) rf_orders__doc_emit(doc, fn, ctx, &ignored);
    return rc;
}
