/* table.c: rf_table_read, a table file row by row for readers that are not orders: review
 * decisions filled in by a reviewer in Excel or a spreadsheet. The file is CSV as Excel and
 * LibreOffice save it in any locale (comma, semicolon or tab; UTF-8 with or without byte-order
 * mark; gzip accepted), or an .xlsx workbook, one sheet of which is read as its CSV export
 * (xlsx.c). A file that is not UTF-8 (Excel's "CSV" in Windows-1252) is refused with the iconv
 * command that converts it, never read with its accented names mangled.
 *
 * Also the CSV separator guess the order reader shares (rf_orders__csv_separator). */
#include "importers/orders/orders.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_SIZE 65536
#define MAX_CELLS 1024 /* cells per row */

unsigned char rf_orders__csv_separator(const char *s, size_t len)
{
    size_t comma = 0, semi = 0, tab = 0, i = 0;
    int quoted = 0;
    while (i < len && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ')) i++;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"') quoted = !quoted;
        else if (quoted) continue;
        else if (c == '\n' || c == '\r') break;
        else if (c == ',') comma++;
        else if (c == ';') semi++;
        else if (c == '\t') tab++;
    }
    if (semi > comma && semi >= tab) return ';';
    if (tab > comma && tab > semi) return '\t';
    return ',';
}

typedef struct table_in {
    const char *path;
    rf_table_row_fn fn;
    void *ctx;
    rf_error *err;
    int rc;
    long line, row_line; /* the line being parsed; the line the row started on */
    rf_buf cells;        /* the row's cells, each NUL-terminated */
    size_t off[MAX_CELLS], len[MAX_CELLS];
    const char *ptr[MAX_CELLS];
    size_t n;
} table_in;

static void on_cell(void *data, size_t len, void *vin)
{
    table_in *in = vin;
    const char *s = data ? data : "";
    size_t bad;

    if (in->rc) return;
    if (in->n == 0) in->row_line = in->line;
    if (in->n == MAX_CELLS) {
        in->rc = rf_error_set(in->err, RF_ELIMIT, in->path, in->row_line,
                              "more than %d cells in one row", MAX_CELLS);
        return;
    }
    if (len > RF_MAX_FIELD) {
        in->rc = rf_error_set(in->err, RF_ELIMIT, in->path, in->row_line,
                              "cell %zu is longer than %d bytes", in->n + 1, RF_MAX_FIELD);
        return;
    }
    if (!rf_utf8_valid(s, len, &bad) || memchr(s, '\0', len)) {
        in->rc = rf_error_set(in->err, RF_EFORMAT, in->path, in->line,
                              "not UTF-8 (byte 0x%02X in cell %zu): a CSV that Excel saved in "
                              "Windows-1252 converts with: iconv -f WINDOWS-1252 -t UTF-8 '%s' "
                              "> '%s.utf8.csv' (or save it as \"CSV UTF-8\" or .xlsx)",
                              (unsigned)(unsigned char)s[bad], in->n + 1, in->path, in->path);
        return;
    }
    in->off[in->n] = in->cells.len;
    in->len[in->n] = len;
    if (rf_buf_append(&in->cells, s, len) || rf_buf_putc(&in->cells, '\0')) {
        in->rc = rf_error_set(in->err, RF_ENOMEM, in->path, in->row_line, "out of memory");
        return;
    }
    in->n++;
}

static void on_row(int terminator, void *vin)
{
    table_in *in = vin;
    (void)terminator;
    if (!in->rc) {
        for (size_t i = 0; i < in->n; i++) in->ptr[i] = in->cells.data + in->off[i];
        if (in->fn(in->row_line, in->ptr, in->len, in->n, in->ctx))
            in->rc = in->err && in->err->code ? in->err->code
                                              : rf_error_set(in->err, RF_ECANCEL, in->path,
                                                             in->row_line, "stopped");
    }
    in->n = 0;
    rf_buf_reset(&in->cells);
}

/* Feeds data[0..len) to libcsv a line at a time, so that rows know their line. */
static int feed(table_in *in, struct csv_parser *p, const char *data, size_t len)
{
    const char *s = data, *end = data + len;
    while (s < end && !in->rc) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl + 1 : end) - s);
        if (csv_parse(p, s, n, on_cell, on_row, in) != n && !in->rc)
            in->rc = rf_error_set(in->err, RF_EFORMAT, in->path, in->line, "malformed CSV: %s",
                                  csv_strerror(csv_error(p)));
        if (nl) in->line++;
        s += n;
    }
    return in->rc;
}

int rf_table_read(const char *path, const char *sheet, rf_table_row_fn fn,
                  void (*on_warning)(const char *file, long line, const char *message, void *ctx),
                  void *ctx, rf_error *err)
{
    rf_buf others = {0};
    table_in in;
    struct csv_parser parser;
    rf_reader *r = NULL;
    rf_buf whole = {0}, csv = {0};
    char *chunk = NULL;
    size_t skip = 0;
    long n = 1;
    int parser_ready = 0;

    memset(&in, 0, sizeof in);
    in.path = path;
    in.fn = fn;
    in.ctx = ctx;
    in.err = err;
    in.line = 1;
    if (!path || !fn) return rf_error_set(err, RF_EUSAGE, path, 0, "no path or no callback");
    if (!(chunk = malloc(HEAD_SIZE))) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    if ((in.rc = rf_reader_open(&r, path, err))) goto cleanup;
    whole.max = ORD_DOC_MAX;
    /* the head: enough to tell a workbook, a byte-order mark and the separator */
    while (whole.len < HEAD_SIZE && (n = rf_reader_read(r, chunk, HEAD_SIZE - whole.len, err)) > 0)
        if ((in.rc = rf_buf_append(&whole, chunk, (size_t)n))) goto too_big;
    if (n < 0) {
        in.rc = (int)n;
        goto cleanup;
    }
    if (whole.len >= 4 && memcmp(whole.data, "PK\x03\x04", 4) == 0) {
        while ((n = rf_reader_read(r, chunk, HEAD_SIZE, err)) > 0)
            if ((in.rc = rf_buf_append(&whole, chunk, (size_t)n))) goto too_big;
        if (n < 0 || (in.rc = rf_orders__xlsx_csv(&csv, &others, path, whole.data, whole.len, sheet,
                                           err))) {
            if (n < 0) in.rc = (int)n;
            goto cleanup;
        }
        rf_orders__warn_other_sheets(path, others.data, on_warning, ctx);
        rf_buf_free(&whole);
        whole = csv;
        memset(&csv, 0, sizeof csv);
        n = 0; /* nothing more to read */
    }
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        in.rc = rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
        goto cleanup;
    }
    parser_ready = 1;
    if (whole.len >= 3 && memcmp(whole.data, "\xEF\xBB\xBF", 3) == 0) skip = 3;
    csv_set_delim(&parser, rf_orders__csv_separator(whole.data + skip, whole.len - skip));
    if (feed(&in, &parser, whole.data + skip, whole.len - skip)) goto cleanup;
    while (n > 0 && (n = rf_reader_read(r, chunk, HEAD_SIZE, err)) > 0)
        if (feed(&in, &parser, chunk, (size_t)n)) goto cleanup;
    if (n < 0) {
        in.rc = (int)n;
        goto cleanup;
    }
    if (csv_fini(&parser, on_cell, on_row, &in) != 0 && !in.rc)
        in.rc = rf_error_set(err, RF_EFORMAT, path, in.row_line,
                             "unterminated quoted cell: the row starting here never closes its "
                             "quote");
    goto cleanup;

too_big:
    if (in.rc == RF_ELIMIT)
        rf_error_set(err, in.rc, path, 0, "workbook larger than %zu MiB", ORD_DOC_MAX >> 20);
    else
        rf_error_set(err, in.rc, path, 0, "out of memory");
cleanup:
    if (parser_ready) csv_free(&parser);
    rf_reader_close(r);
    rf_buf_free(&whole);
    rf_buf_free(&csv);
    rf_buf_free(&others);
    rf_buf_free(&in.cells);
    free(chunk);
    return in.rc;
}
