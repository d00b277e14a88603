/* test_orders_csv.c: rf_orders_read on CSV orders and BOMs: the 4,797-party evaluation file,
 * the two real HackRF bills of materials, and variants made from those real rows (semicolon,
 * tab, BOM, role columns, multi-line cells, broken quotes, Latin-1 bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importers/rf_importers.h"
#include "rf_test.h"

/* Every party delivered, copied, so a test can look at any of them afterwards. */
typedef struct got_party {
    char *document, *ref, *role, *name, *address, *city, *country, *date, *item;
    long line;
} got_party;

typedef struct got {
    got_party *p;
    size_t n, cap;
    size_t stop_after; /* 0: never stop */
} got;

static int collect(const rf_party *party, void *ctx)
{
    got *g = ctx;
    got_party *q;
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->p = realloc(g->p, g->cap * sizeof *g->p);
        assert_non_null(g->p);
    }
    q = &g->p[g->n++];
    q->document = rf_strdup(party->document);
    q->ref = rf_strdup(party->ref);
    q->role = rf_strdup(party->role);
    q->name = rf_strdup(party->name);
    q->address = rf_strdup(party->address);
    q->city = rf_strdup(party->city);
    q->country = rf_strdup(party->country);
    q->date = rf_strdup(party->date);
    q->item = rf_strdup(party->item);
    q->line = party->line;
    return g->stop_after && g->n >= g->stop_after;
}

static void got_free(got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        got_party *q = &g->p[i];
        free(q->document), free(q->ref), free(q->role), free(q->name), free(q->address);
        free(q->city), free(q->country), free(q->date), free(q->item);
    }
    free(g->p);
    memset(g, 0, sizeof *g);
}

/* The warnings of one read, each "file:line: message". */
typedef struct warnings {
    char text[8][1400];
    size_t n;
} warnings;

static void on_warning(const char *file, long line, const char *message, void *ctx)
{
    warnings *w = ctx;
    if (w->n < sizeof w->text / sizeof w->text[0])
        snprintf(w->text[w->n], sizeof w->text[0], "%s:%ld: %s", file, line, message);
    w->n++;
}

static int read_orders_warned(got *g, warnings *w, rf_error *err, const char *path,
                              const rf_column_map *maps, size_t n_maps)
{
    rf_order_options opts = {.maps = maps, .n_maps = n_maps, .on_warning = on_warning,
                             .warning_ctx = w};
    memset(w, 0, sizeof *w);
    rf_error_clear(err);
    return rf_orders_read(path, &opts, collect, g, err);
}

static int read_orders(got *g, rf_error *err, const char *path, const rf_column_map *maps,
                       size_t n_maps)
{
    warnings w;
    int rc = read_orders_warned(g, &w, err, path, maps, n_maps);
    /* none of the files read this way holds a column of names that is not read */
    if (w.n) fprintf(stderr, "%s\n", w.text[0]);
    assert_int_equal(w.n, 0);
    return rc;
}

/* The real evaluation file, split into its lines (CRLF kept off), for building variants. */
typedef struct lines {
    char *text;
    char **line;
    size_t n;
} lines;

static void lines_load(lines *l, const char *path)
{
    size_t len, cap = 0;
    char *s;
    l->text = rf_test_read_file(path, &len);
    assert_non_null(l->text);
    l->line = NULL;
    l->n = 0;
    for (s = l->text; *s;) {
        char *nl = strchr(s, '\n');
        if (l->n == cap) {
            cap = cap ? cap * 2 : 1024;
            l->line = realloc(l->line, cap * sizeof *l->line);
            assert_non_null(l->line);
        }
        l->line[l->n++] = s;
        if (!nl) break;
        *nl = '\0';
        if (nl > s && nl[-1] == '\r') nl[-1] = '\0';
        s = nl + 1;
    }
}

static void lines_free(lines *l)
{
    free(l->text);
    free(l->line);
}

static void write_text(const char *path, const rf_buf *b)
{
    assert_int_equal(rf_test_write_file(path, b->data, b->len), 0);
}

static const got_party *find_name(const got *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->p[i].name, name) == 0) return &g->p[i];
    return NULL;
}

static const got_party *find_ref(const got *g, const char *ref)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->p[i].ref && strcmp(g->p[i].ref, ref) == 0) return &g->p[i];
    return NULL;
}

/* ---- the evaluation parties file ----------------------------------------------------- */

static void test_orders_csv__reads_every_party_of_the_eval_file(void **state)
{
    char path[1024];
    got g = {0};
    rf_error err;
    const got_party *p;
    (void)state;

    snprintf(path, sizeof path, "%s", rf_test_data("eval/parties.csv"));
    assert_int_equal(read_orders(&g, &err, path, NULL, 0), 0);
    assert_int_equal(g.n, 4797);

    p = &g.p[0];
    assert_string_equal(p->name, "Chen Choo");
    assert_string_equal(p->ref, "P00430");
    assert_string_equal(p->country, "CN");
    assert_string_equal(p->role, "party");
    assert_string_equal(p->document, path);
    assert_int_equal(p->line, 2);
    assert_null(p->item);

    /* doubled quotes inside a quoted cell, no country */
    p = &g.p[957];
    assert_string_equal(p->name, "Private limited company \"Teltonika\"");
    assert_string_equal(p->ref, "N01749");
    assert_int_equal(p->line, 959);
    assert_null(p->country);

    /* UTF-8 passes through untouched */
    p = find_name(&g, "Lackmann Zähler Gesellschaft mbH & Co. KG");
    assert_non_null(p);
    assert_int_equal(p->line, 298);
    assert_non_null(find_name(&g, "AiFamous（shenzhen）Technology Co.,Ltd"));

    p = &g.p[4796];
    assert_string_equal(p->name, "NATIONAL LUTTERY OOD");
    assert_string_equal(p->ref, "P00025");
    assert_int_equal(p->line, 4798);
    got_free(&g);
}

/* The same real rows re-written with another separator, a byte order mark, LF or lone-CR
 * line ends must give the same parties on the same lines. */
static void check_variant(const char *name, char sep, int bom, const char *eol)
{
    rf_buf b = {0};
    got orig = {0}, g = {0};
    rf_error err;
    char orig_path[1024];

    snprintf(orig_path, sizeof orig_path, "%s", rf_test_data("eval/parties.csv"));
    assert_int_equal(read_orders(&orig, &err, orig_path, NULL, 0), 0);
    if (bom) rf_buf_puts(&b, "\xEF\xBB\xBF");
    rf_buf_printf(&b, "Ref%cName%cCountry%s", sep, sep, eol);
    for (size_t i = 0; i < orig.n; i++) {
        const got_party *p = &orig.p[i];
        int quote = strchr(p->name, sep) || strchr(p->name, '"');
        rf_buf_printf(&b, "%s%c", p->ref, sep);
        if (quote) {
            rf_buf_putc(&b, '"');
            for (const char *c = p->name; *c; c++) {
                if (*c == '"') rf_buf_putc(&b, '"');
                rf_buf_putc(&b, *c);
            }
            rf_buf_putc(&b, '"');
        } else {
            rf_buf_puts(&b, p->name);
        }
        rf_buf_printf(&b, "%c%s%s", sep, p->country ? p->country : "", eol);
    }
    write_text(rf_test_tmpfile(name), &b);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile(name), NULL, 0), 0);
    assert_int_equal(g.n, orig.n);
    for (size_t i = 0; i < g.n; i++) {
        assert_string_equal(g.p[i].name, orig.p[i].name);
        assert_string_equal(g.p[i].ref, orig.p[i].ref);
        assert_int_equal(g.p[i].line, orig.p[i].line);
        if (orig.p[i].country) assert_string_equal(g.p[i].country, orig.p[i].country);
        else assert_null(g.p[i].country);
    }
    rf_buf_free(&b);
    got_free(&orig);
    got_free(&g);
}

static void test_orders_csv__semicolon_separated(void **state)
{
    (void)state;
    check_variant("semicolon.csv", ';', 0, "\n");
}

static void test_orders_csv__tab_separated_with_bom(void **state)
{
    (void)state;
    check_variant("tab-bom.tsv", '\t', 1, "\n");
}

static void test_orders_csv__comma_separated_with_bom(void **state)
{
    (void)state;
    check_variant("comma-bom.csv", ',', 1, "\n");
}

static void test_orders_csv__old_macintosh_line_ends(void **state)
{
    (void)state;
    check_variant("mac.csv", ',', 0, "\r");
}

/* A purchase-order export: several role columns per row, headers in the spellings ERPs use,
 * a multi-line address; every party keeps its role and the line its row starts on. */
static void test_orders_csv__role_columns_of_an_order_export(void **state)
{
    lines l;
    rf_buf b = {0};
    got g = {0};
    rf_error err;
    long line = 2;
    (void)state;

    lines_load(&l, rf_test_data("eval/parties.csv"));
    /* real rows 2..4 of parties.csv are "Chen Choo", "ELITNIE DOMA OOO", "OnTarget..." */
    rf_buf_puts(&b, "PO Number,Order Date,Buyer,End User,Ship-To,Address,City,Country Code,"
                    "MPN,Quantity\r\n");
    for (int i = 0; i < 30; i++, line++) {
        char name[3][300];
        for (int k = 0; k < 3; k++) {
            char *comma = strchr(l.line[1 + 3 * i + k], ',');
            const char *s = comma + 1;
            char *out = name[k];
            size_t n = 0;
            /* the name cell as written (quoted or not), up to the country */
            int quoted = *s == '"';
            if (quoted) {
                out[n++] = *s++;
                while (*s && !(s[0] == '"' && s[1] != '"')) {
                    if (s[0] == '"') out[n++] = *s++;
                    out[n++] = *s++;
                }
                out[n++] = '"';
            } else {
                while (*s && *s != ',') out[n++] = *s++;
            }
            out[n] = '\0';
        }
        if (i == 7) {
            /* an address on two physical lines: the next row starts two lines further on */
            rf_buf_printf(&b, "PO-%04d,2024-03-%02d,%s,%s,%s,\"Room 1201, Building 5\nNo. 3 "
                              "Xinxi Road\",Beijing,cn,XC2C64A-7VQG100C,2\r\n",
                          4100 + i, 1 + i % 28, name[0], name[1], name[2]);
            line++;
        } else {
            rf_buf_printf(&b, "PO-%04d,2024-03-%02d,%s,%s,%s,,,,GRM1555C1H330JA01D,100\r\n",
                          4100 + i, 1 + i % 28, name[0], name[1], name[2]);
        }
    }
    write_text(rf_test_tmpfile("orders.csv"), &b);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("orders.csv"), NULL, 0), 0);
    assert_int_equal(g.n, 90);

    assert_string_equal(g.p[0].role, "buyer");
    assert_string_equal(g.p[0].name, "Chen Choo");
    assert_string_equal(g.p[1].role, "end_user");
    assert_string_equal(g.p[1].name, "ELITNIE DOMA OOO");
    assert_string_equal(g.p[2].role, "ship_to");
    assert_string_equal(g.p[2].name, "OnTarget Technologies, Inc");
    for (int k = 0; k < 3; k++) {
        assert_string_equal(g.p[k].ref, "PO-4100");
        assert_string_equal(g.p[k].date, "2024-03-01");
        assert_string_equal(g.p[k].item, "GRM1555C1H330JA01D");
        assert_int_equal(g.p[k].line, 2);
    }
    /* the multi-line row: its address, the country code upper-cased */
    assert_int_equal(g.p[21].line, 9);
    assert_string_equal(g.p[21].address, "Room 1201, Building 5\nNo. 3 Xinxi Road");
    assert_string_equal(g.p[21].city, "Beijing");
    assert_string_equal(g.p[21].country, "CN");
    assert_string_equal(g.p[21].item, "XC2C64A-7VQG100C");
    /* the row after it starts one line later than its row number says */
    assert_int_equal(g.p[24].line, 11);
    assert_string_equal(g.p[24].ref, "PO-4108");
    assert_null(g.p[24].address);
    assert_int_equal(g.p[89].line, line - 1);
    rf_buf_free(&b);
    lines_free(&l);
    got_free(&g);
}

/* ---- the HackRF bills of materials ----------------------------------------------------- */

static void test_orders_csv__kicad_bom_manufacturers(void **state)
{
    char path[1024], ref[1100];
    got g = {0};
    rf_error err;
    size_t murata = 0;
    (void)state;

    snprintf(path, sizeof path, "%s",
             rf_test_data("orders/bom-csv/hackrf-one-bom_kicad-grouped.csv"));
    assert_int_equal(read_orders(&g, &err, path, NULL, 0), 0);
    assert_int_equal(g.n, 65);
    for (size_t i = 0; i < g.n; i++) {
        assert_string_equal(g.p[i].role, "manufacturer");
        assert_int_equal(g.p[i].line, (long)i + 2);
        murata += strcmp(g.p[i].name, "Murata") == 0;
    }
    assert_int_equal(murata, 16);
    /* the part number, not the running "Item" number, is the item */
    assert_string_equal(g.p[0].name, "Murata");
    assert_string_equal(g.p[0].item, "GRM1555C1H330JA01D");
    snprintf(ref, sizeof ref, "%s:2", path);
    assert_string_equal(g.p[0].ref, ref);
    assert_string_equal(g.p[64].name, "Abracon");
    assert_string_equal(g.p[64].item, "AB26TRQ-32.768KHZ-T");
    assert_string_equal(find_name(&g, "Silicon Laboratories Inc")->role, "manufacturer");
    got_free(&g);
}

static void check_semicolon_bom(const got *g)
{
    size_t dnp = 0;
    const got_party *p;

    /* 414 parts, 96 of them DNP (do not place): not a maker, and no party */
    assert_int_equal(g->n, 318);
    assert_string_equal(g->p[0].ref, "C1");
    assert_string_equal(g->p[0].name, "Murata");
    assert_string_equal(g->p[0].role, "manufacturer");
    assert_int_equal(g->p[0].line, 2);
    for (size_t i = 0; i < g->n; i++) dnp += strcmp(g->p[i].name, "DNP") == 0;
    assert_int_equal(dnp, 0);
    /* line 215 holds an inch mark in an unquoted cell: kept as text, the row still read */
    p = find_ref(g, "P9");
    assert_non_null(p);
    assert_int_equal(p->line, 215);
    assert_string_equal(p->name, "Sullins");
    assert_string_equal(g->p[317].name, "Abracon");
    assert_int_equal(g->p[317].line, 415);
}

/* ref;value;Field1..Field8: no header names the makers, Field1's content does. */
static void test_orders_csv__manufacturer_column_found_by_its_content(void **state)
{
    char path[1024];
    got g = {0};
    rf_error err;
    (void)state;

    snprintf(path, sizeof path, "%s",
             rf_test_data("orders/bom-csv/hackrf-one-bom_semicolon-per-ref.csv"));
    assert_int_equal(read_orders(&g, &err, path, NULL, 0), 0);
    check_semicolon_bom(&g);
    /* more rows than are held back to decide: the rows after them come in order too */
    assert_true(g.n > 200);
    for (size_t i = 1; i < g.n; i++) assert_true(g.p[i].line > g.p[i - 1].line);
    got_free(&g);
}

static void test_orders_csv__map_names_the_column_the_headers_do_not(void **state)
{
    char path[1024];
    got g = {0};
    rf_error err;
    rf_column_map map = {"manufacturer", "field1"};
    rf_column_map bad = {"manufacturer", "Maker"};
    (void)state;

    snprintf(path, sizeof path, "%s",
             rf_test_data("orders/bom-csv/hackrf-one-bom_semicolon-per-ref.csv"));
    assert_int_equal(read_orders(&g, &err, path, &bad, 1), RF_EUSAGE);
    assert_non_null(strstr(err.message, "Maker"));
    assert_int_equal(read_orders(&g, &err, path, &map, 1), 0);
    check_semicolon_bom(&g);
    got_free(&g);
}

/* The same real BOM without its maker column: part numbers, descriptions and DNP marks are
 * not manufacturers, and the file is refused with its headers and the way out. */
static void test_orders_csv__no_column_reads_as_manufacturers(void **state)
{
    lines l;
    rf_buf b = {0};
    got g = {0};
    rf_error err;
    (void)state;

    lines_load(&l, rf_test_data("orders/bom-csv/hackrf-one-bom_semicolon-per-ref.csv"));
    for (size_t i = 0; i < l.n; i++) {
        /* drop the third cell (Field1) */
        char *c1 = strchr(l.line[i], ';'), *c2 = c1 ? strchr(c1 + 1, ';') : NULL,
             *c3 = c2 ? strchr(c2 + 1, ';') : NULL;
        if (!c3) continue;
        rf_buf_printf(&b, "%.*s%s\n", (int)(c2 - l.line[i]), l.line[i], c3);
    }
    write_text(rf_test_tmpfile("no-makers.csv"), &b);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("no-makers.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_int_equal(g.n, 0);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "no party column"));
    assert_non_null(strstr(err.message, "Field2"));
    assert_non_null(strstr(err.message, "--map"));
    rf_buf_free(&b);
    lines_free(&l);
}

/* ---- headers as people write them, columns left unread ---------------------------------- */

/* Real names of the evaluation file (its name column), from line `from` on, for filling
 * party columns; static storage of the caller's lines. */
static const char *eval_name(const lines *l, size_t i)
{
    static char name[8][300];
    const char *s = strchr(l->line[i], ',') + 1;
    char *out = name[i % 8];
    size_t n = 0;
    if (*s == '"') {
        for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
            if (s[0] == '"') s++;
            if (n + 1 < sizeof name[0]) out[n++] = *s;
        }
    } else {
        while (*s && *s != ',' && n + 1 < sizeof name[0]) out[n++] = *s++;
    }
    out[n] = '\0';
    return out;
}

static void test_orders_csv__headers_in_every_spelling_name_one_role(void **state)
{
    static const struct {
        const char *header, *role;
    } cols[] = {
        {"SHIP-TO  PARTY", "ship_to"},  {"Ship\xC2\xA0To Name", "ship_to"},
        {"ship_to", "ship_to"},         {" Ship To: ", "ship_to"},
        {"EMPFÄNGER", "consignee"},     {"Empfanger", "consignee"},
        {"\xEF\xBC\xB6\xEF\xBC\xA5\xEF\xBC\xAE\xEF\xBC\xA4\xEF\xBC\xAF\xEF\xBC\xB2", "vendor"}, /* fullwidth VENDOR */
        {"供应商", "supplier"},          {"Vendor_Name", "vendor"},
        {"Ultimate\tConsignee", "ultimate_consignee"},
        {"mfr.", "manufacturer"},       {"Destinatário", "consignee"},
    };
    enum { N = sizeof cols / sizeof cols[0] };
    lines l;
    rf_buf b = {0};
    got g = {0};
    rf_error err;
    (void)state;

    lines_load(&l, rf_test_data("eval/parties.csv"));
    rf_buf_puts(&b, "Order Number;Quantity");
    for (int c = 0; c < N; c++) rf_buf_printf(&b, ";%s", cols[c].header);
    rf_buf_puts(&b, "\r\n");
    for (int r = 0; r < 3; r++) {
        rf_buf_printf(&b, "SO-%d;%d", 100 + r, r + 1);
        for (int c = 0; c < N; c++) rf_buf_printf(&b, ";%s", eval_name(&l, (size_t)(1 + r * N + c)));
        rf_buf_puts(&b, "\r\n");
    }
    write_text(rf_test_tmpfile("spellings.csv"), &b);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("spellings.csv"), NULL, 0), 0);
    /* every column is a party column, in its role, and the order number is the ref */
    assert_int_equal(g.n, 3 * N);
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < N; c++) {
            const got_party *p = &g.p[r * N + c];
            assert_string_equal(p->role, cols[c].role);
            assert_string_equal(p->name, eval_name(&l, (size_t)(1 + r * N + c)));
            assert_int_equal(p->line, r + 2);
        }
    assert_string_equal(g.p[0].ref, "SO-100");
    rf_buf_free(&b);
    lines_free(&l);
    got_free(&g);
}

/* The real semicolon BOM (headers Field1..Field8, makers found by their content) with a
 * ninth column of real company names: a warning that names it and the --map that reads it;
 * with that --map, its names are parties and the makers still are. */
static void test_orders_csv__unread_names_column_warns_and_map_adds(void **state)
{
    lines bom, names;
    rf_buf b = {0};
    got g = {0};
    warnings w;
    rf_error err;
    rf_column_map map = {"supplier", "Field9"};
    size_t makers = 0, suppliers = 0;
    (void)state;

    lines_load(&bom, rf_test_data("orders/bom-csv/hackrf-one-bom_semicolon-per-ref.csv"));
    lines_load(&names, rf_test_data("eval/parties.csv"));
    for (size_t i = 0; i < bom.n; i++) {
        if (!bom.line[i][0]) continue;
        rf_buf_printf(&b, "%s;%s\n", bom.line[i], i == 0 ? "Field9" : eval_name(&names, i));
    }
    write_text(rf_test_tmpfile("bom-suppliers.csv"), &b);

    assert_int_equal(read_orders_warned(&g, &w, &err, rf_test_tmpfile("bom-suppliers.csv"),
                                        NULL, 0), 0);
    check_semicolon_bom(&g);
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.text[0], "bom-suppliers.csv:1: column \"Field9\" (column 11) is "
                                      "not read"));
    assert_non_null(strstr(w.text[0], "--map party=Field9"));
    got_free(&g);

    assert_int_equal(read_orders_warned(&g, &w, &err, rf_test_tmpfile("bom-suppliers.csv"),
                                        &map, 1), 0);
    assert_int_equal(w.n, 0);
    for (size_t i = 0; i < g.n; i++) {
        makers += strcmp(g.p[i].role, "manufacturer") == 0;
        suppliers += strcmp(g.p[i].role, "supplier") == 0;
    }
    assert_int_equal(makers, 318);
    assert_int_equal(suppliers, bom.n - 1); /* one a data row */
    assert_string_equal(g.p[0].role, "manufacturer");
    assert_string_equal(g.p[0].name, "Murata");
    assert_string_equal(g.p[1].role, "supplier");
    assert_string_equal(g.p[1].name, eval_name(&names, 1));
    rf_buf_free(&b);
    lines_free(&bom);
    lines_free(&names);
    got_free(&g);
}

/* A header and nothing under it, or rows whose party cells are all empty: no party, which
 * is an error unless the caller allows it. */
static void test_orders_csv__no_party_is_an_error_unless_allowed(void **state)
{
    static const char header_only[] = "PO Number,Order Date,Buyer,Ship To Name,Country\r\n";
    static const char blank[] = "ref,supplier,country\nV-1,,CN\nV-2, ,DE\n";
    rf_order_options allow = {.allow_empty = 1};
    got g = {0};
    rf_error err;
    (void)state;

    assert_int_equal(rf_test_write_file(rf_test_tmpfile("header-only.csv"), header_only,
                                        sizeof header_only - 1), 0);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("header-only.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_non_null(strstr(err.file, "header-only.csv"));
    assert_non_null(strstr(err.message, "no party in the document"));
    assert_int_equal(rf_orders_read(rf_test_tmpfile("header-only.csv"), &allow, collect, &g,
                                    &err), 0);
    assert_int_equal(rf_test_write_file(rf_test_tmpfile("blank.csv"), blank, sizeof blank - 1),
                     0);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("blank.csv"), NULL, 0), RF_EFORMAT);
    assert_int_equal(rf_orders_read(rf_test_tmpfile("blank.csv"), &allow, collect, &g, &err), 0);
    assert_int_equal(g.n, 0);
}

/* ---- broken input ---------------------------------------------------------------------- */

/* The first `n` lines of the evaluation file, then `insert` as line n+1, then the rest from
 * line `resume` (1-based; 0 for none). */
static void write_spliced(const char *path, size_t n, const char *insert, size_t resume)
{
    lines l;
    rf_buf b = {0};
    lines_load(&l, rf_test_data("eval/parties.csv"));
    for (size_t i = 0; i < n; i++) rf_buf_printf(&b, "%s\r\n", l.line[i]);
    rf_buf_puts(&b, insert);
    for (size_t i = resume ? resume - 1 : l.n; i < l.n; i++)
        rf_buf_printf(&b, "%s\r\n", l.line[i]);
    write_text(path, &b);
    rf_buf_free(&b);
    lines_free(&l);
}

static void test_orders_csv__unterminated_quote_at_end_names_its_line(void **state)
{
    got g = {0};
    rf_error err;
    (void)state;

    write_spliced(rf_test_tmpfile("eof-quote.csv"), 50,
                  "P09999,\"Beijing Huawei Digital Technologies Co., Ltd.,CN\r\n"
                  "P09998,Chen Choo,CN\r\n", 0);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("eof-quote.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_int_equal(err.line, 51);
    assert_string_equal(err.file, rf_test_tmpfile("eof-quote.csv"));
    assert_non_null(strstr(err.message, "quote"));
    /* the 49 parties before the broken row were delivered */
    assert_int_equal(g.n, 49);
    got_free(&g);
}

static void test_orders_csv__runaway_quote_mid_file_names_its_line(void **state)
{
    got g = {0};
    rf_error err;
    (void)state;

    /* the quote runs on into the real rows after it until it meets the next quoted name;
     * merging those rows into one name would hide their parties from screening */
    write_spliced(rf_test_tmpfile("runaway.csv"), 100, "P09999,\"Huawei Technologies,CN\r\n",
                  101);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("runaway.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_int_equal(err.line, 101);
    assert_non_null(strstr(err.message, "unbalanced quote"));
    assert_int_equal(g.n, 99);
    got_free(&g);
}

static void test_orders_csv__caps_on_fields_are_limits(void **state)
{
    rf_buf row = {0};
    got g = {0};
    rf_error err;
    (void)state;

    /* a header of 1,100 columns */
    rf_buf_puts(&row, "ref,name");
    for (int i = 0; i < 1100; i++) rf_buf_printf(&row, ",country%d", i);
    rf_buf_puts(&row, "\r\nP00430,Chen Choo,CN\r\n");
    write_text(rf_test_tmpfile("wide.csv"), &row);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("wide.csv"), NULL, 0), RF_ELIMIT);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "1024"));
    assert_int_equal(g.n, 0);

    /* one name longer than RF_MAX_FIELD, on line 21 */
    rf_buf_reset(&row);
    rf_buf_puts(&row, "P09999,");
    for (int i = 0; i < 3000; i++) rf_buf_puts(&row, "Huawei Technologies Co. Ltd. ");
    rf_buf_puts(&row, ",CN\r\n");
    write_spliced(rf_test_tmpfile("long.csv"), 20, row.data, 21);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("long.csv"), NULL, 0), RF_ELIMIT);
    assert_int_equal(err.line, 21);
    assert_int_equal(g.n, 19);
    rf_buf_free(&row);
    got_free(&g);
}

/* Line 4 of the real file is N01410,"OnTarget Technologies, Inc", ; exported without its
 * quotes, the name would be cut to "OnTarget Technologies" and "Inc" taken for the country. */
static void test_orders_csv__unquoted_separator_in_a_name_is_an_error(void **state)
{
    got g = {0};
    rf_error err;
    (void)state;

    write_spliced(rf_test_tmpfile("unquoted.csv"), 3, "N01410,OnTarget Technologies, Inc,\r\n",
                  5);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("unquoted.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "unquoted comma"));
    assert_int_equal(g.n, 2);
    got_free(&g);

    /* more cells than columns in a semicolon file */
    assert_int_equal(rf_test_write_file(rf_test_tmpfile("extra.csv"),
                                        "ref;supplier\nV-1003;HMN Technologies; Co., Ltd.\n", 48),
                     0);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("extra.csv"), NULL, 0), RF_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "semicolon"));
    got_free(&g);
}

static void test_orders_csv__latin1_bytes_are_an_error_with_their_line(void **state)
{
    got g = {0};
    rf_error err;
    (void)state;

    /* line 298 of the real file, "Lackmann Zähler ...", as a Windows-1252 export writes it */
    write_spliced(rf_test_tmpfile("latin1.csv"), 297,
                  "N02389,Lackmann Z\xE4hler Gesellschaft mbH & Co. KG,\r\n", 299);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("latin1.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_int_equal(err.line, 298);
    assert_non_null(strstr(err.message, "UTF-8"));
    assert_int_equal(g.n, 296);

    /* in a cell spanning lines, the line of the bad byte itself */
    write_spliced(rf_test_tmpfile("latin1-ml.csv"), 297,
                  "N02389,\"Lackmann\nZ\xE4hler Gesellschaft mbH & Co. KG\",\r\n", 299);
    got_free(&g);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("latin1-ml.csv"), NULL, 0),
                     RF_EFORMAT);
    assert_int_equal(err.line, 299);
    got_free(&g);
}

static void test_orders_csv__utf16_and_empty_files_are_refused(void **state)
{
    got g = {0};
    rf_error err;
    static const char utf16[] = "\xFF\xFEn\0a\0m\0e\0\n\0";
    (void)state;

    assert_int_equal(rf_test_write_file(rf_test_tmpfile("utf16.csv"), utf16, sizeof utf16 - 1),
                     0);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("utf16.csv"), NULL, 0), RF_EFORMAT);
    assert_non_null(strstr(err.message, "UTF-16"));

    assert_int_equal(rf_test_write_file(rf_test_tmpfile("empty.csv"), "", 0), 0);
    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("empty.csv"), NULL, 0), RF_EFORMAT);
    assert_non_null(strstr(err.message, "empty"));

    assert_int_equal(read_orders(&g, &err, rf_test_tmpfile("missing.csv"), NULL, 0), RF_EIO);
    assert_int_equal(g.n, 0);
}

static void test_orders_csv__callback_can_stop_the_reader(void **state)
{
    got g = {0};
    rf_error err;
    (void)state;

    g.stop_after = 10;
    assert_int_equal(rf_orders_read(rf_test_data("eval/parties.csv"), NULL, collect, &g, &err),
                     RF_ECANCEL);
    assert_int_equal(g.n, 10);
    assert_int_equal(err.line, 11);
    got_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders_csv__reads_every_party_of_the_eval_file),
        cmocka_unit_test(test_orders_csv__semicolon_separated),
        cmocka_unit_test(test_orders_csv__tab_separated_with_bom),
        cmocka_unit_test(test_orders_csv__comma_separated_with_bom),
        cmocka_unit_test(test_orders_csv__old_macintosh_line_ends),
        cmocka_unit_test(test_orders_csv__role_columns_of_an_order_export),
        cmocka_unit_test(test_orders_csv__kicad_bom_manufacturers),
        cmocka_unit_test(test_orders_csv__manufacturer_column_found_by_its_content),
        cmocka_unit_test(test_orders_csv__map_names_the_column_the_headers_do_not),
        cmocka_unit_test(test_orders_csv__no_column_reads_as_manufacturers),
        cmocka_unit_test(test_orders_csv__headers_in_every_spelling_name_one_role),
        cmocka_unit_test(test_orders_csv__unread_names_column_warns_and_map_adds),
        cmocka_unit_test(test_orders_csv__no_party_is_an_error_unless_allowed),
        cmocka_unit_test(test_orders_csv__unterminated_quote_at_end_names_its_line),
        cmocka_unit_test(test_orders_csv__runaway_quote_mid_file_names_its_line),
        cmocka_unit_test(test_orders_csv__caps_on_fields_are_limits),
        cmocka_unit_test(test_orders_csv__unquoted_separator_in_a_name_is_an_error),
        cmocka_unit_test(test_orders_csv__latin1_bytes_are_an_error_with_their_line),
        cmocka_unit_test(test_orders_csv__utf16_and_empty_files_are_refused),
        cmocka_unit_test(test_orders_csv__callback_can_stop_the_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
