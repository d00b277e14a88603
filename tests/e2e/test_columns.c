/* test_columns.c: end-to-end tests of `redflag screen` on CSV files whose party columns are
 * headed the way ERP systems and people head them (issue 11, section 5: no party silently
 * left unread). The files are built from real data: the parts, makers and descriptions of
 * the HackRF bill of materials, real company names (tests/data/companies) as the ordinary
 * counterparties, and listed names as the bundled list writes them. Each test checks what a
 * user sees: the exit status, which party is flagged in which role, the warning on stderr
 * and in every report format. Every test has its own database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "base/rf_base.h"
#include "rf_test.h"

#define BOM_ROWS 8

/* One row of the real HackRF BOM: maker, part number, description. */
typedef struct bom_row {
    char maker[64], mpn[64], description[128];
} bom_row;

/* The first row of each of the first `n` makers of the semicolon HackRF BOM, in file order:
 * a BOM's lines, each with its own maker. */
static void load_bom(bom_row *rows, size_t n)
{
    char *text = rf_test_read_file(rf_test_data("orders/bom-csv/hackrf-one-bom_semicolon-per-ref.csv"),
                                   NULL);
    char *line, *save = NULL;
    size_t got = 0;
    assert_non_null(text);
    line = strtok_r(text, "\r\n", &save); /* the header */
    while (got < n && (line = strtok_r(NULL, "\r\n", &save))) {
        char *cell[5] = {0}, *p = line;
        for (int i = 0; i < 5 && p; i++) {
            cell[i] = p;
            p = strchr(p, ';');
            if (p) *p++ = '\0';
        }
        int seen = 0;
        if (!cell[4] || !cell[2][0] || !cell[3][0] || !cell[4][0]) continue;
        for (size_t k = 0; k < got; k++) seen |= strcmp(rows[k].maker, cell[2]) == 0;
        if (seen) continue;
        snprintf(rows[got].maker, sizeof rows[got].maker, "%s", cell[2]);
        snprintf(rows[got].mpn, sizeof rows[got].mpn, "%s", cell[3]);
        snprintf(rows[got].description, sizeof rows[got].description, "%s", cell[4]);
        got++;
    }
    assert_int_equal(got, n);
    free(text);
}

/* `n` real company names of the S&P 500 from tests/data/companies, in file order, each
 * malloc'd; written as the ordinary counterparties of an order. */
static char **load_companies(size_t n)
{
    char **names = calloc(n, sizeof *names);
    rf_reader *r = NULL;
    rf_buf all = {0};
    char chunk[65536], *line, *save = NULL;
    long got;
    size_t k = 0;
    rf_error err;

    assert_non_null(names);
    assert_int_equal(rf_reader_open(&r, rf_test_data("companies/names.tsv.gz"), &err), 0);
    while ((got = rf_reader_read(r, chunk, sizeof chunk, &err)) > 0)
        rf_buf_append(&all, chunk, (size_t)got);
    rf_reader_close(r);
    assert_non_null(all.data);
    for (line = strtok_r(all.data, "\n", &save); line && k < n; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        if (!tab || strcmp(tab + 1, "sp500_datasets") != 0) continue;
        *tab = '\0';
        /* a name with the file's separators would need quoting; the orders here need none */
        if (strpbrk(line, ",;\"")) continue;
        names[k++] = rf_strdup(line);
    }
    assert_int_equal(k, n);
    rf_buf_free(&all);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* Listed names as the bundled list (trade.gov CSL, May 2022) writes them. */
static const char *const listed[] = {
    "Huawei Technologies Deutschland GmbH",
    "Hangzhou Hikvision Digital Technology Co., Ltd.",
    "Dahua Technology",
    "Megvii Technology",
    "Semiconductor Manufacturing International Corporation",
    "INSPUR GROUP CO., LTD.",
    "CLOUDWALK TECHNOLOGY CO., LTD.",
    "Beijing Sensetime Technology Development Co., Ltd.",
    "Yitu Technologies",
};
#define N_LISTED ((int)(sizeof listed / sizeof listed[0]))

/* The status of the party `name` in role `role` in a JSON lines report, NULL when the report
 * has no such party. Static buffer. */
static const char *status_of(const char *jsonl, const char *role, const char *name)
{
    static char status[32];
    char key[512];
    const char *at, *s;
    size_t n = 0;
    snprintf(key, sizeof key, "\"role\":\"%s\",\"name\":\"%s\",", role, name);
    if (!(at = strstr(jsonl, key)) || !(s = strstr(at, "\"status\":\""))) return NULL;
    s += 10;
    while (s[n] && s[n] != '"' && n + 1 < sizeof status) n++;
    memcpy(status, s, n);
    status[n] = '\0';
    return status;
}

static int count_lines(const char *s, const char *with)
{
    int n = 0;
    for (const char *line = s; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = rf_strndup(line, len);
        n += strstr(copy, with) != NULL;
        free(copy);
    }
    return n;
}

static void write_file(const char *path, const rf_buf *b)
{
    assert_int_equal(rf_test_write_file(path, b->data, b->len), 0);
}

/* A semicolon BOM with headers `h` (position, quantity, description, maker, part number,
 * then one or two party columns), BOM_ROWS real rows; party column `c` holds company
 * names[c][row]. */
static void write_bom(rf_buf *b, const char *const h[7], const bom_row *rows, char **names[2],
                      int n_party_cols)
{
    rf_buf_reset(b);
    rf_buf_printf(b, "%s;%s;%s;%s;%s;%s", h[0], h[1], h[2], h[3], h[4], h[5]);
    if (n_party_cols == 2) rf_buf_printf(b, ";%s", h[6]);
    rf_buf_puts(b, "\r\n");
    for (int i = 0; i < BOM_ROWS; i++) {
        rf_buf_printf(b, "%d;%d;%s;%s;%s;%s", i + 1, 10 * (i + 1), rows[i].description,
                      rows[i].maker, rows[i].mpn, names[0][i]);
        if (n_party_cols == 2) rf_buf_printf(b, ";%s", names[1][i]);
        rf_buf_puts(b, "\r\n");
    }
}

/* ---- the German BOM of the issue -------------------------------------------------------- */

static void test_e2e_columns__german_bom_screens_its_lieferant(void **state)
{
    static const char *const h[7] = {"Pos", "Menge", "Bezeichnung", "Hersteller",
                                     "Herstellerteilenummer", "Lieferant", NULL};
    bom_row rows[BOM_ROWS];
    char **companies = load_companies(BOM_ROWS), *suppliers[BOM_ROWS], **cols[2];
    char path[1024];
    rf_buf b = {0};
    e2e_out r;
    (void)state;

    load_bom(rows, BOM_ROWS);
    for (int i = 0; i < BOM_ROWS; i++) suppliers[i] = companies[i];
    suppliers[3] = (char *)listed[0];
    cols[0] = suppliers;
    write_bom(&b, h, rows, cols, 1);
    snprintf(path, sizeof path, "%s", rf_test_tmpfile("stueckliste.csv"));
    write_file(path, &b);

    r = e2e_redflag("german.db", "screen --format jsonl '%s'", path);
    /* every maker and every supplier is a party, and the listed supplier is flagged */
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "16 parties screened in 1 file"));
    assert_string_equal(status_of(r.out, "supplier", listed[0]), "review");
    for (int i = 0; i < BOM_ROWS; i++) {
        assert_non_null(status_of(r.out, "manufacturer", rows[i].maker));
        assert_non_null(status_of(r.out, "supplier", suppliers[i]));
    }
    assert_null(strstr(r.err, "warning: column"));
    e2e_out_free(&r);
    rf_buf_free(&b);
    free_names(companies, BOM_ROWS);
}

/* ---- a language the table does not know: the warning, and --map that adds ---------------- */

/* The same BOM headed in Turkish: the maker column is found from its content, and the
 * supplier column, unread, is a warning in every format until --map screens it too. */
static void test_e2e_columns__unread_names_column_is_a_warning_until_mapped(void **state)
{
    static const char *const h[7] = {"Sıra", "Miktar", "Açıklama", "Üretici", "Parça No",
                                     "Tedarikçi", NULL};
    bom_row rows[BOM_ROWS];
    char **companies = load_companies(BOM_ROWS), *suppliers[BOM_ROWS], **cols[2];
    char path[1024], report[1024];
    char *text;
    rf_buf b = {0};
    e2e_out r;
    (void)state;

    load_bom(rows, BOM_ROWS);
    for (int i = 0; i < BOM_ROWS; i++) suppliers[i] = companies[i];
    suppliers[5] = (char *)listed[0];
    cols[0] = suppliers;
    write_bom(&b, h, rows, cols, 1);
    snprintf(path, sizeof path, "%s", rf_test_tmpfile("malzeme.csv"));
    write_file(path, &b);

    /* JSON lines: the makers are screened, the listed supplier is not, and the run says so
     * (the exit status is the makers' alone: whether one of them resembles a listed name is
     * the matcher's business, not this test's) */
    r = e2e_redflag("turkish.db", "screen --format jsonl '%s'", path);
    assert_true(r.status == 0 || r.status == 1);
    assert_non_null(strstr(r.err, "8 parties screened in 1 file, "));
    assert_non_null(strstr(r.err, ", 1 warning about the input"));
    assert_non_null(strstr(r.err, "malzeme.csv:1: warning: column \"Tedarikçi\""));
    assert_non_null(strstr(r.err, "--map party=Tedarikçi"));
    assert_non_null(status_of(r.out, "manufacturer", rows[0].maker));
    snprintf(report, sizeof report, "\"name\":\"%s\"", listed[0]);
    assert_null(strstr(r.out, report)); /* no party of that name */
    assert_non_null(strstr(r.out, listed[0])); /* the warning quotes it */
    assert_int_equal(count_lines(r.out, "\"warning\":\"column \\\"Tedarikçi\\\""), 1);
    assert_int_equal(count_lines(r.out, "\"document\":"), BOM_ROWS + 1);
    e2e_out_free(&r);

    /* CSV: a row with status warning */
    r = e2e_redflag("turkish.db", "screen --format csv '%s'", path);
    assert_true(r.status == 0 || r.status == 1);
    assert_int_equal(count_lines(r.out, ",warning,"), 1);
    assert_int_equal(count_lines(r.out, "--map party=Tedarikçi"), 1);
    e2e_out_free(&r);

    /* HTML: a Warnings table, and a verdict that is not green */
    snprintf(report, sizeof report, "%s", rf_test_tmpfile("malzeme.html"));
    r = e2e_redflag("turkish.db", "screen -o '%s' '%s'", report, path);
    assert_true(r.status == 0 || r.status == 1);
    text = rf_test_read_file(report, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "<h2>Warnings</h2>"));
    assert_non_null(strstr(text, "Tedarikçi"));
    assert_non_null(strstr(text, "warning about the input (names that were not screened)"));
    assert_null(strstr(text, "verdict green"));
    free(text);
    e2e_out_free(&r);

    /* --map adds the supplier column to the maker column found from the content */
    r = e2e_redflag("turkish.db", "screen --format jsonl --map supplier=Tedarikçi '%s'", path);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "16 parties screened in 1 file"));
    assert_string_equal(status_of(r.out, "supplier", listed[0]), "review");
    for (int i = 0; i < BOM_ROWS; i++)
        assert_non_null(status_of(r.out, "manufacturer", rows[i].maker));
    assert_null(strstr(r.err, "warning: column"));
    e2e_out_free(&r);

    rf_buf_free(&b);
    free_names(companies, BOM_ROWS);
}

/* ---- one BOM per language family of the header table ------------------------------------- */

static void test_e2e_columns__every_language_names_its_party_columns(void **state)
{
    static const struct {
        const char *h[7];
        const char *role[2]; /* of the two party columns */
    } langs[] = {
        {{"Pos.", "Quantité", "Désignation", "Fabricant", "Référence fabricant", "Fournisseur",
          "Destinataire"}, {"supplier", "consignee"}},
        {{"Pos", "Cantidad", "Descripción", "Fabricante", "Número de pieza", "Proveedor",
          "Cliente"}, {"supplier", "customer"}},
        {{"Item", "Quantidade", "Descrição", "FABRICANTE", "Código", "Fornecedor",
          "Destinatário"}, {"supplier", "consignee"}},
        {{"Pos", "Quantità", "Descrizione", "Produttore", "Codice", "Fornitore",
          "Utente finale"}, {"supplier", "end_user"}},
        {{"Pos", "Aantal", "Omschrijving", "Fabrikant", "Artikelnummer", "Leverancier",
          "Klant"}, {"supplier", "customer"}},
        {{"Lp", "Ilość", "Opis", "Producent", "Numer części", "Dostawca", "Odbiorca"},
         {"supplier", "consignee"}},
        {{"序号", "数量", "描述", "制造商", "型号", "供应商", "收货人"},
         {"supplier", "consignee"}},
        {{"番号", "数量", "品名", "メーカー", "型番", "仕入先", "納入先"},
         {"supplier", "ship_to"}},
    };
    bom_row rows[BOM_ROWS];
    char **companies = load_companies(2 * BOM_ROWS), *parties[2][BOM_ROWS], **cols[2];
    rf_buf b = {0};
    (void)state;

    load_bom(rows, BOM_ROWS);
    for (size_t l = 0; l < sizeof langs / sizeof langs[0]; l++) {
        const char *name = listed[1 + l % (size_t)(N_LISTED - 1)];
        int col = (int)(l % 2), row = (int)(l % BOM_ROWS);
        char path[1024], file[64];
        e2e_out r;

        for (int c = 0; c < 2; c++)
            for (int i = 0; i < BOM_ROWS; i++) parties[c][i] = companies[c * BOM_ROWS + i];
        parties[col][row] = (char *)name;
        cols[0] = parties[0];
        cols[1] = parties[1];
        write_bom(&b, langs[l].h, rows, cols, 2);
        snprintf(file, sizeof file, "bom-%zu.csv", l);
        snprintf(path, sizeof path, "%s", rf_test_tmpfile(file));
        write_file(path, &b);

        r = e2e_redflag("languages.db", "screen --format jsonl '%s'", path);
        if (r.status != 1 || !status_of(r.out, langs[l].role[col], name))
            fprintf(stderr, "headers %s / %s: %s", langs[l].h[5], langs[l].h[6], r.err);
        assert_int_equal(r.status, 1);
        /* makers and both party columns: three parties a row, none left unread */
        assert_non_null(strstr(r.err, "24 parties screened in 1 file"));
        assert_null(strstr(r.err, "warning: column"));
        assert_string_equal(status_of(r.out, langs[l].role[col], name), "review");
        assert_non_null(status_of(r.out, "manufacturer", rows[0].maker));
        assert_non_null(status_of(r.out, langs[l].role[1 - col], parties[1 - col][0]));
        e2e_out_free(&r);
    }
    rf_buf_free(&b);
    free_names(companies, 2 * BOM_ROWS);
}

/* ---- the headers English ERP exports write ------------------------------------------------ */

static void test_e2e_columns__english_erp_headers_are_roles(void **state)
{
    /* as exports write them: a no-break space, a tab, repeated spaces, underscores, case and
     * punctuation inside a header are read as one separator */
    static const struct {
        const char *header, *role;
    } cols[] = {
        {"Ultimate Consignee", "ultimate_consignee"},
        {"Intermediate  Consignee", "intermediate_consignee"},
        {"Ship\xC2\xA0To Name", "ship_to"},
        {"Ship-to party", "ship_to"},
        {"Sold-to party", "sold_to"},
        {"BILL_TO", "bill_to"},
        {"End Customer", "end_user"},
        {"Customer Name:", "customer"},
        {"Vendor\tName", "vendor"},
        {"Supplier Name", "supplier"},
        {"Manufacturer Name", "manufacturer"},
        {"Mfr.", "manufacturer"},
        {"Consignee Name", "consignee"},
        {"Notify Party", "notify_party"},
        {"Forwarder", "freight_forwarder"},
    };
    enum { N = sizeof cols / sizeof cols[0] };
    char **companies = load_companies(N * N);
    char path[1024];
    rf_buf b = {0};
    e2e_out r;
    (void)state;

    rf_buf_puts(&b, "PO Number,Order Date");
    for (int c = 0; c < N; c++) rf_buf_printf(&b, ",%s", cols[c].header);
    rf_buf_puts(&b, ",Quantity\r\n");
    /* row k holds a listed party in column k, real unlisted companies elsewhere */
    for (int k = 0; k < N; k++) {
        rf_buf_printf(&b, "PO-%d,2024-03-%02d", 4500 + k, k + 1);
        for (int c = 0; c < N; c++)
            rf_buf_printf(&b, c == k ? ",\"%s\"" : ",%s",
                          c == k ? listed[k % N_LISTED] : companies[k * N + c]);
        rf_buf_printf(&b, ",%d\r\n", k + 1);
    }
    snprintf(path, sizeof path, "%s", rf_test_tmpfile("erp-export.csv"));
    write_file(path, &b);

    r = e2e_redflag("erp.db", "screen --format jsonl '%s'", path);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "225 parties screened in 1 file"));
    assert_null(strstr(r.err, "warning: column"));
    for (int k = 0; k < N; k++) {
        const char *s = status_of(r.out, cols[k].role, listed[k % N_LISTED]);
        if (!s) fprintf(stderr, "column %s: no %s party %s\n", cols[k].header, cols[k].role,
                        listed[k % N_LISTED]);
        assert_non_null(s);
        assert_string_equal(s, "review");
    }
    e2e_out_free(&r);
    rf_buf_free(&b);
    free_names(companies, N * N);
}

/* ---- a header and no party ------------------------------------------------------------------ */

static void test_e2e_columns__header_without_parties_is_not_a_clean_run(void **state)
{
    char empty[1024], blank[1024], clear[1024];
    rf_buf b = {0};
    e2e_out r;
    (void)state;

    /* a truncated ERP export: the header line and nothing under it */
    rf_buf_puts(&b, "PO Number,Order Date,Sold-to party,Ship-to party,Country\r\n");
    snprintf(empty, sizeof empty, "%s", rf_test_tmpfile("truncated.csv"));
    write_file(empty, &b);
    /* rows whose party cells are all empty */
    rf_buf_puts(&b, "PO-1,2024-03-01,,,CN\r\nPO-2,2024-03-02,,,DE\r\n");
    snprintf(blank, sizeof blank, "%s", rf_test_tmpfile("blank-parties.csv"));
    write_file(blank, &b);
    e2e_src(clear, sizeof clear, "tests/e2e/data/clear-orders.csv");

    r = e2e_redflag("empty.db", "screen --format jsonl '%s'", empty);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "truncated.csv: no party in the document"));
    assert_non_null(strstr(r.err, "--allow-empty"));
    assert_non_null(strstr(r.err, "1 file not read"));
    e2e_out_free(&r);

    r = e2e_redflag("empty.db", "screen --format jsonl '%s'", blank);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "blank-parties.csv: no party in the document"));
    e2e_out_free(&r);

    /* beside a file with parties, the empty one still makes the run incomplete */
    r = e2e_redflag("empty.db", "screen --format jsonl '%s' '%s'", clear, empty);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "12 parties screened in 2 files"));
    e2e_out_free(&r);

    /* the job that means it */
    r = e2e_redflag("empty.db", "screen --format jsonl --allow-empty '%s' '%s'", empty, blank);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "0 parties screened in 2 files, 0 flagged"));
    assert_null(strstr(r.err, "not read"));
    e2e_out_free(&r);
    r = e2e_redflag("empty.db", "screen --format jsonl --allow-empty '%s'", clear);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "12 parties screened in 1 file, 0 flagged"));
    e2e_out_free(&r);
    rf_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e_columns__german_bom_screens_its_lieferant),
        cmocka_unit_test(test_e2e_columns__unread_names_column_is_a_warning_until_mapped),
        cmocka_unit_test(test_e2e_columns__every_language_names_its_party_columns),
        cmocka_unit_test(test_e2e_columns__english_erp_headers_are_roles),
        cmocka_unit_test(test_e2e_columns__header_without_parties_is_not_a_clean_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
