/* rows.c: rows of quoted delimited text (the CSL's CSV, the DPL's tab-separated file) read
 * with libcsv, with the physical line each row starts on, fields checked for size and UTF-8;
 * and the header helpers the formats use to detect themselves and find their columns. */
#include "list_import.h"

#include <csv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct row_reader {
    struct csv_parser p;
    rf_row row;
    rf_buf fields;                  /* the row's fields, each NUL-terminated */
    size_t offset[RF_ROW_MAX_FIELDS];
    long line;      /* physical line being fed to libcsv */
    long row_start; /* line the unfinished row started on, 0 when no row is open */
    const char *name;
    rf_row_fn fn;
    void *ctx;
    rf_error *err;
    int rc;
} row_reader;

/* The longest physical line a stream may hand over: a row's worth of fields, every byte a
 * doubled quote. */
#define MAX_LINE ((size_t)2 * RF_ROW_MAX_FIELDS * (RF_MAX_FIELD + 3))

static void on_field(void *data, size_t len, void *ctx)
{
    row_reader *rr = ctx;
    const char *nul;
    size_t bad;

    if (rr->rc) return;
    if (rr->row_start == 0) rr->row_start = rr->line;
    if (rr->row.n == RF_ROW_MAX_FIELDS) {
        rr->rc = rf_error_set(rr->err, RF_ELIMIT, rr->name, rr->row_start,
                              "row has more than %d fields", RF_ROW_MAX_FIELDS);
        return;
    }
    if (len > RF_MAX_FIELD) {
        rr->rc = rf_error_set(rr->err, RF_ELIMIT, rr->name, rr->row_start,
                              "field %zu is %zu bytes long, more than the %d allowed",
                              rr->row.n + 1, len, RF_MAX_FIELD);
        return;
    }
    /* Lists are published as UTF-8; a field that is not is a damaged or mislabelled file,
     * and guessing its encoding could garble the very names we screen against. */
    if (!rf_utf8_valid(data, len, &bad)) {
        rr->rc = rf_error_set(rr->err, RF_EFORMAT, rr->name, rr->row_start,
                              "field %zu is not valid UTF-8 (bad byte 0x%02x at offset %zu)",
                              rr->row.n + 1, ((const unsigned char *)data)[bad], bad);
        return;
    }
    /* Fields are C strings from here on: a NUL byte would cut a listed name short unseen. */
    if (len && (nul = memchr(data, '\0', len)) != NULL) {
        rr->rc = rf_error_set(rr->err, RF_EFORMAT, rr->name, rr->row_start,
                              "field %zu holds a NUL byte (at offset %zu): not a text file",
                              rr->row.n + 1, (size_t)(nul - (const char *)data));
        return;
    }
    rr->offset[rr->row.n] = rr->fields.len;
    rr->row.len[rr->row.n] = len;
    rr->row.n++;
    if ((rr->rc = rf_buf_append(&rr->fields, data ? data : "", len)) != 0 ||
        (rr->rc = rf_buf_putc(&rr->fields, '\0')) != 0)
        rf_error_set(rr->err, rr->rc, rr->name, rr->row_start, "row too large");
}

static void on_row(int terminator, void *ctx)
{
    row_reader *rr = ctx;
    (void)terminator;

    if (rr->rc == 0) {
        /* Pointers are taken only now: the buffer may have moved while the row grew. */
        for (size_t i = 0; i < rr->row.n; i++) rr->row.field[i] = rr->fields.data + rr->offset[i];
        rr->row.line = rr->row_start ? rr->row_start : rr->line;
        rr->rc = rr->fn(&rr->row, rr->ctx);
    }
    rr->row.n = 0;
    rf_buf_reset(&rr->fields);
    rr->row_start = 0;
}

/* Only the space character pads fields: a tab is data (or the delimiter). */
static int is_pad(unsigned char c)
{
    return c == ' ';
}

static int is_blank_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\r' && s[i] != '\n') return 0;
    return 1;
}

static int rows_begin(row_reader *rr, unsigned char delim, const char *name, rf_row_fn fn,
                      void *ctx, rf_error *err)
{
    memset(rr, 0, sizeof *rr);
    rr->name = name;
    rr->fn = fn;
    rr->ctx = ctx;
    rr->err = err;
    rr->fields.max = (size_t)RF_ROW_MAX_FIELDS * (RF_MAX_FIELD + 1);
    if (csv_init(&rr->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return rf_error_set(err, RF_ENOMEM, name, 0, "cannot start the CSV parser");
    csv_set_delim(&rr->p, delim);
    csv_set_space_func(&rr->p, is_pad);
    return 0;
}

/* Feeds one physical line (rf_line_fn): fed a line at a time, libcsv tells which lines a row
 * spans when it reports it; fields may hold newlines, and messages must name real lines. */
static int rows_line(const char *data, size_t n, long number, void *ctx)
{
    row_reader *rr = ctx;

    if (number == 1 && n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, n -= 3;
    rr->line = number;
    if (rr->row_start == 0 && !is_blank_line(data, n)) rr->row_start = rr->line;
    if (csv_parse(&rr->p, data, n, on_field, on_row, rr) != n && rr->rc == 0) {
        if (rr->row_start && rr->row_start != rr->line)
            rr->rc = rf_error_set(rr->err, RF_EFORMAT, rr->name, rr->row_start,
                                  "malformed quoting in the row that starts here "
                                  "(a quote is not closed; parsing failed at line %ld)",
                                  rr->line);
        else
            rr->rc = rf_error_set(rr->err, RF_EFORMAT, rr->name, rr->line,
                                  "malformed quoting (%s)", csv_strerror(csv_error(&rr->p)));
    }
    /* libcsv holds the field being read until it ends: stop a runaway quoted field (a
     * stray quote swallowing the rest of the file) here, not at the end of the file. */
    if (rr->rc == 0 && csv_get_buffer_size(&rr->p) > (size_t)RF_MAX_FIELD + 1024)
        rr->rc = rf_error_set(rr->err, RF_ELIMIT, rr->name,
                              rr->row_start ? rr->row_start : rr->line,
                              "a field of the row that starts here is longer than %d bytes "
                              "(by line %ld): is a quote not closed?",
                              RF_MAX_FIELD, rr->line);
    return rr->rc;
}

/* Ends the rows after `rc` (the reading's result): the last row, if all went well. */
static int rows_end(row_reader *rr, int rc)
{
    if (rc == 0 && csv_fini(&rr->p, on_field, on_row, rr) != 0 && rr->rc == 0)
        rr->rc = rf_error_set(rr->err, RF_EFORMAT, rr->name, rr->row_start ? rr->row_start : rr->line,
                              "unterminated quoted field: the row that starts here runs to "
                              "the end of the file (line %ld)", rr->line);
    if (rc == 0) rc = rr->rc;
    csv_free(&rr->p);
    rf_buf_free(&rr->fields);
    return rc;
}

int rf_rows__read(const char *data, size_t len, unsigned char delim, const char *name,
                 rf_row_fn fn, void *ctx, rf_error *err)
{
    row_reader rr;
    size_t pos = 0;
    long line = 0;
    int rc;

    if ((rc = rows_begin(&rr, delim, name, fn, ctx, err)) != 0) return rc;
    while (pos < len && rc == 0) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
        rc = rows_line(data + pos, n, ++line, &rr);
        pos += n;
    }
    return rows_end(&rr, rc);
}

int rf_rows__read_input(rf_list_ctx *cx, const rf_list_input *in, rf_list_text text,
                       unsigned char delim, rf_row_fn fn, void *ctx)
{
    rf_list_stream *s;
    row_reader rr;
    int rc;

    if ((rc = rf_list__stream_open(&s, cx, in, text)) != 0) return rc;
    if ((rc = rows_begin(&rr, delim, in->name, fn, ctx, cx->err)) == 0)
        rc = rows_end(&rr, rf_list__stream_lines(s, MAX_LINE, rows_line, &rr));
    rf_list__stream_close(s);
    return rc;
}

size_t rf_text__collapse(char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
            if (n && s[n - 1] != ' ') s[n++] = ' ';
        } else {
            s[n++] = c;
        }
    }
    if (n && s[n - 1] == ' ') n--;
    s[n] = '\0';
    return n;
}

const char *rf_row__get(rf_row *row, size_t i)
{
    if (i >= row->n) return NULL;
    row->len[i] = rf_trim(row->field[i], row->len[i]);
    return row->len[i] ? row->field[i] : NULL;
}

/* ---- headers ---------------------------------------------------------------------------- */

/* The next header field of line[0..len) from *pos: quotes and padding stripped. */
static size_t next_header_field(const char *line, size_t len, size_t *pos, char delim,
                                const char **start)
{
    size_t i = *pos, end;

    while (i < len && line[i] == ' ') i++;
    if (i < len && line[i] == '"') i++;
    *start = line + i;
    while (i < len && line[i] != delim) i++;
    end = i;
    while (end > (size_t)(*start - line) && (line[end - 1] == ' ' || line[end - 1] == '"' ||
                                             line[end - 1] == '\r'))
        end--;
    *pos = i < len ? i + 1 : len;
    return end - (size_t)(*start - line);
}

int rf_rows__header_has(const char *data, size_t len, char delim, const char *const *columns)
{
    const char *nl;
    size_t line_len, pos;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    nl = memchr(data, '\n', len);
    line_len = nl ? (size_t)(nl - data) : len;
    if (line_len > 4096) return 0; /* a header row is short; this is something else */
    for (const char *const *c = columns; *c; c++) {
        int found = 0;
        for (pos = 0; pos < line_len && !found;) {
            const char *f;
            size_t n = next_header_field(data, line_len, &pos, delim, &f);
            found = n == strlen(*c) && strncasecmp(f, *c, n) == 0;
        }
        if (!found) return 0;
    }
    return 1;
}

size_t rf_rows__find_column(const rf_row *header, const char *column)
{
    for (size_t i = 0; column && i < header->n; i++) {
        /* The header's fields are not trimmed by the caller: compare without padding. */
        const char *f = header->field[i];
        size_t n = header->len[i];
        while (n && (*f == ' ')) f++, n--;
        while (n && (f[n - 1] == ' ' || f[n - 1] == '\r')) n--;
        if (n == strlen(column) && strncasecmp(f, column, n) == 0) return i;
    }
    return SIZE_MAX;
}

int rf_rows__map_header(size_t *idx, const rf_row *header, const char *const *columns,
                       rf_list_ctx *cx)
{
    for (size_t c = 0; columns[c]; c++) {
        if ((idx[c] = rf_rows__find_column(header, columns[c])) == SIZE_MAX)
            return rf_list__fail(cx, RF_EFORMAT, header->line,
                                "the header has no \"%s\" column", columns[c]);
    }
    return 0;
}
