/* test_orders_xlsx.c: Excel workbooks (.xlsx) read as orders and BOMs: the three real BOMs of
 * tests/data/xlsx-bom (Excel, LibreOffice and EasyEDA writers), copies of them altered
 * with libzip (a listed manufacturer, a date column, a hostile part), and the redflag command
 * screening them. The expected parties were read from the sheets independently (Python's
 * zipfile and ElementTree), not from redflag's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "importers/rf_importers.h"
#include "rf_test.h"

#define MARBLE "xlsx-bom/marble-mini_BOM.xlsx"
#define GEIGER "xlsx-bom/diyruz-geiger_BOM.xlsx"
#define JLCPCB "xlsx-bom/iorodeo-i2c_led_BOM_JLCPCB.xlsx"

typedef struct party {
    char role[64], name[256], date[16];
    long line;
} party;

typedef struct got {
    party p[256];
    size_t n;
} got;

static int collect(const rf_party *in, void *ctx)
{
    got *g = ctx;
    party *p;
    if (g->n == sizeof g->p / sizeof g->p[0]) return 0;
    p = &g->p[g->n++];
    snprintf(p->role, sizeof p->role, "%s", in->role ? in->role : "");
    snprintf(p->name, sizeof p->name, "%s", in->name ? in->name : "");
    snprintf(p->date, sizeof p->date, "%s", in->date ? in->date : "");
    p->line = in->line;
    return 0;
}

static int read_sheet(got *g, rf_error *err, const char *path, const char *sheet)
{
    rf_order_options opts = {.sheet = sheet};
    memset(g, 0, sizeof *g);
    memset(err, 0, sizeof *err);
    return rf_orders_read(path, &opts, collect, g, err);
}

/* A copy of the workbook at `source` in the scratch directory, named `name`, whose part `part`
 * has `from` replaced by `to` (each pair in turn; NULL ends the list). `source` may be what
 * the last call returned. */
static const char *altered(const char *name, const char *source, const char *part, ...)
{
    static char path[1024];
    size_t len;
    char *data = rf_test_read_file(source, &len), *text;
    zip_t *z;
    zip_int64_t index;
    zip_stat_t st;
    zip_file_t *f;
    zip_source_t *src;
    va_list ap;
    const char *from;
    int zerr;

    snprintf(path, sizeof path, "%s", rf_test_tmpfile(name));
    assert_non_null(data);
    assert_int_equal(rf_test_write_file(path, data, len), 0);
    free(data);
    assert_non_null(z = zip_open(path, 0, &zerr));
    assert_true((index = zip_name_locate(z, part, 0)) >= 0);
    assert_int_equal(zip_stat_index(z, (zip_uint64_t)index, 0, &st), 0);
    assert_non_null(text = calloc(1, (size_t)st.size + 1));
    assert_non_null(f = zip_fopen_index(z, (zip_uint64_t)index, 0));
    assert_true(zip_fread(f, text, st.size) == (zip_int64_t)st.size);
    zip_fclose(f);
    va_start(ap, part);
    while ((from = va_arg(ap, const char *))) {
        const char *to = va_arg(ap, const char *);
        char *at = strstr(text, from), *next;
        size_t n = strlen(text), fl = strlen(from), tl = strlen(to);
        assert_non_null(at);
        assert_non_null(next = malloc(n - fl + tl + 1));
        memcpy(next, text, (size_t)(at - text));
        memcpy(next + (at - text), to, tl);
        strcpy(next + (at - text) + tl, at + fl);
        free(text);
        text = next;
    }
    va_end(ap);
    assert_non_null(src = zip_source_buffer(z, text, strlen(text), 1)); /* libzip frees it */
    assert_int_equal(zip_file_replace(z, (zip_uint64_t)index, src, 0), 0);
    assert_int_equal(zip_close(z), 0);
    return path;
}

/* An Excel-saved KiCad BOM: the 99 cells of its Manufacturer column and the 2 of its
 * Manufacturer_Name column on rows where Manufacturer is empty, each on its row. */
static void test_orders_xlsx__excel_bom_manufacturers(void **state)
{
    got g;
    rf_error err;
    (void)state;

    assert_int_equal(read_sheet(&g, &err, rf_test_data(MARBLE), NULL), 0);
    assert_int_equal(g.n, 101);
    assert_string_equal(g.p[1].role, "manufacturer");
    assert_string_equal(g.p[1].name, "PANASONIC");
    assert_int_equal(g.p[1].line, 7); /* its spreadsheet row */
    assert_string_equal(g.p[100].name, "TXC CORPORATION");
    assert_int_equal(g.p[100].line, 132);
}

/* EasyEDA's export: one sheet with a long name, notes in rows and columns beside the table
 * (cells past the header's last column are kept, as in Excel's CSV export, not an error). */
static void test_orders_xlsx__named_sheet_with_notes(void **state)
{
    got g;
    rf_error err;
    (void)state;

    assert_int_equal(read_sheet(&g, &err, rf_test_data(GEIGER), NULL), 0);
    assert_int_equal(g.n, 26);
    assert_string_equal(g.p[0].name, "SBM20");
    assert_int_equal(g.p[0].line, 2);
    assert_string_equal(g.p[25].name, "точнее они есть, но стоят не дешево.");
    assert_int_equal(g.p[25].line, 28);

    /* by name, in any case */
    assert_int_equal(read_sheet(&g, &err, rf_test_data(GEIGER), "bom_radiation_2020-06-04_15-29-"), 0);
    assert_int_equal(g.n, 26);
    assert_int_equal(read_sheet(&g, &err, rf_test_data(GEIGER), "Sheet1"), RF_ENOTFOUND);
    assert_int_equal(g.n, 0);
    assert_non_null(strstr(err.message, "no sheet named \"Sheet1\""));
    assert_non_null(strstr(err.message, "\"BOM_Radiation_2020-06-04_15-29-\""));
}

static void keep_warning(const char *file, long line, const char *message, void *ctx)
{
    (void)file, (void)line;
    snprintf(ctx, 1024, "%s", message);
}

/* rf_table_read's rows, not looked at here (the callback shares the warning's context). */
static int ignore_row(long line, const char *const *cells, const size_t *lens, size_t n,
                      void *ctx)
{
    (void)line, (void)cells, (void)lens, (void)n, (void)ctx;
    return 0;
}

/* A workbook's other sheets are named in a warning, from the order reader and from the
 * table reader alike: nothing in a workbook goes unread without a word. */
static void test_orders_xlsx__other_sheets_are_named(void **state)
{
    char said[1024] = "", table_said[1024] = "";
    rf_order_options opts = {.on_warning = keep_warning, .warning_ctx = said};
    const char *path;
    got g = {0};
    rf_error err;
    (void)state;

    path = altered("sheets.xlsx", rf_test_data(GEIGER), "xl/workbook.xml", "</sheets>",
                   "<sheet name=\"Suppliers\" sheetId=\"2\" r:id=\"rId1\"/>"
                   "<sheet name=\"Old\" sheetId=\"3\" state=\"hidden\" r:id=\"rId1\"/></sheets>",
                   NULL);
    assert_int_equal(rf_orders_read(path, &opts, collect, &g, &err), 0);
    assert_int_equal(g.n, 26);
    assert_non_null(strstr(said, "other sheets are not read: \"Suppliers\", \"Old\" (hidden)"));
    assert_non_null(strstr(said, "--sheet NAME"));
    /* the one sheet of the real workbook: nothing to say */
    said[0] = '\0';
    assert_int_equal(rf_orders_read(rf_test_data(GEIGER), &opts, collect, &g, &err), 0);
    assert_string_equal(said, "");

    assert_int_equal(rf_table_read(path, NULL, ignore_row, keep_warning, table_said, &err), 0);
    assert_non_null(strstr(table_said, "\"Suppliers\""));
}

/* A LibreOffice BOM without a party column is refused like its CSV would be, naming its
 * headers, the full-width bracket of "LCSC Part #（optional）" intact. */
static void test_orders_xlsx__no_party_column(void **state)
{
    got g;
    rf_error err;
    (void)state;

    assert_int_equal(read_sheet(&g, &err, rf_test_data(JLCPCB), NULL), RF_EFORMAT);
    assert_int_equal(g.n, 0);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "LCSC Part #（optional）"));
    assert_non_null(strstr(err.message, "--map"));
}

/* A listed manufacturer typed into the Excel BOM, and an order date column: the date cell
 * holds Excel's serial number in a date format, and reaches the party as a date. */
static void test_orders_xlsx__listed_party_and_date(void **state)
{
    got g;
    rf_error err;
    const char *path;
    (void)state;

    path = altered("huawei.xlsx", rf_test_data(MARBLE), "xl/sharedStrings.xml",
                   "<t>PANASONIC</t>", "<t>Huawei Technologies Co., Ltd.</t>", NULL);
    assert_int_equal(read_sheet(&g, &err, path, NULL), 0);
    assert_int_equal(g.n, 101);
    assert_string_equal(g.p[1].name, "Huawei Technologies Co., Ltd.");

    /* GEIGER's header row is ID, Name, Designator, Footprint, Quantity. Quantity becomes an
     * inline-string "Order Date" header; E2 the serial 45265 in a fourth cell format, the
     * built-in date format 14 (E3 stays 1 in the general format, and is no date). */
    path = altered("dated-styles.xlsx", rf_test_data(GEIGER), "xl/styles.xml",
                   "<cellXfs count=\"3\">", "<cellXfs count=\"4\">", "</cellXfs>",
                   "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
                   "applyNumberFormat=\"1\"/></cellXfs>",
                   NULL);
    path = altered("dated.xlsx", path, "xl/worksheets/sheet1.xml",
                   "<c r=\"E1\" t=\"s\"><v>4</v></c>",
                   "<c r=\"E1\" t=\"inlineStr\"><is><t>Order Date</t></is></c>",
                   "<c r=\"E2\"><v>2</v></c>", "<c r=\"E2\" s=\"3\"><v>45265</v></c>", NULL);
    assert_int_equal(read_sheet(&g, &err, path, NULL), 0);
    assert_string_equal(g.p[0].date, "2023-12-05");
    assert_string_equal(g.p[1].date, "1"); /* as Excel shows it */
}

/* The redflag command screens the workbook: the listed manufacturer is flagged (exit 1). */
static void test_orders_xlsx__screened_by_the_command(void **state)
{
    char *out = NULL, cmd[4096];
    const char *path, *bin = getenv("RF_BIN");
    (void)state;

    assert_non_null(bin);
    path = altered("listed.xlsx", rf_test_data(MARBLE), "xl/sharedStrings.xml",
                   "<t>PANASONIC</t>", "<t>Huawei Technologies Co., Ltd.</t>", NULL);
    snprintf(cmd, sizeof cmd, "'%s' screen --db '%s' --format csv '%s' 2>/dev/null", bin,
             rf_test_scratch_db(rf_test_tmpfile("screen.db")), path);
    assert_int_equal(rf_test_run(&out, cmd), 1);
    assert_non_null(strstr(out, "listed.xlsx,7,manufacturer,\"Huawei Technologies Co., Ltd.\""));
    free(out);
}

/* Hostile workbooks fail with the file named and nothing handed out. */
static void test_orders_xlsx__hostile(void **state)
{
    got g;
    rf_error err;
    const char *path;
    size_t len;
    char *data;
    (void)state;

    /* a shared string that does not exist */
    path = altered("bad-index.xlsx", rf_test_data(GEIGER), "xl/worksheets/sheet1.xml",
                   "<c r=\"B2\" t=\"s\"><v>5</v></c>", "<c r=\"B2\" t=\"s\"><v>99999</v></c>",
                   NULL);
    assert_int_equal(read_sheet(&g, &err, path, NULL), RF_EFORMAT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "cell B2"));
    assert_int_equal(g.n, 0);

    /* cut in half: the zip's directory is gone */
    data = rf_test_read_file(rf_test_data(MARBLE), &len);
    assert_int_equal(rf_test_write_file(rf_test_tmpfile("cut.xlsx"), data, len / 2), 0);
    free(data);
    assert_int_equal(read_sheet(&g, &err, rf_test_tmpfile("cut.xlsx"), NULL), RF_EFORMAT);
    assert_non_null(strstr(err.message, "not a readable .xlsx workbook"));

    /* an entity in the shared strings: never expanded */
    path = altered("entity.xlsx", rf_test_data(GEIGER), "xl/sharedStrings.xml", "<sst ",
                   "<!DOCTYPE sst [<!ENTITY x \"Huawei\">]><sst ", "<t>SBM20</t>", "<t>&x;</t>",
                   NULL);
    assert_int_equal(read_sheet(&g, &err, path, NULL), RF_EFORMAT);
    assert_non_null(strstr(err.message, "in xl/sharedStrings.xml: entity reference &x;"));
    assert_string_equal(err.file, path);
    assert_int_equal(g.n, 0);

    /* a zip bomb: a sheet of 300 MiB inflated from a few hundred KiB stops at the cap */
    {
        size_t big = (size_t)300 << 20;
        char *zeros = calloc(1, big);
        zip_t *z;
        zip_source_t *src;
        zip_int64_t index;
        int zerr;
        path = altered("bomb.xlsx", rf_test_data(GEIGER), "xl/worksheets/sheet1.xml", "<row ",
                       "<row ", NULL);
        assert_non_null(zeros);
        assert_non_null(z = zip_open(path, 0, &zerr));
        assert_true((index = zip_name_locate(z, "xl/worksheets/sheet1.xml", 0)) >= 0);
        assert_non_null(src = zip_source_buffer(z, zeros, big, 1));
        assert_int_equal(zip_file_replace(z, (zip_uint64_t)index, src, 0), 0);
        assert_int_equal(zip_set_file_compression(z, (zip_uint64_t)index, ZIP_CM_DEFLATE, 1), 0);
        assert_int_equal(zip_close(z), 0);
        assert_int_equal(read_sheet(&g, &err, path, NULL), RF_ELIMIT);
        assert_non_null(strstr(err.message, "inflates past 256 MiB"));
        assert_int_equal(g.n, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders_xlsx__excel_bom_manufacturers),
        cmocka_unit_test(test_orders_xlsx__named_sheet_with_notes),
        cmocka_unit_test(test_orders_xlsx__no_party_column),
        cmocka_unit_test(test_orders_xlsx__other_sheets_are_named),
        cmocka_unit_test(test_orders_xlsx__listed_party_and_date),
        cmocka_unit_test(test_orders_xlsx__screened_by_the_command),
        cmocka_unit_test(test_orders_xlsx__hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
