/* csv.c: order documents and bills of materials in CSV (rf_orders__csv_read, called by
 * rf_orders_read): a header row names the columns; every column headed with a party role
 * (headers.c) or named by --map yields one party per non-empty cell, qualified by the row's
 * address, city, country, ref, date and item columns. When no header names a party column, the first rows
 * are held back and the column whose content reads as manufacturer names is taken (bom.c), as
 * for a BOM exported with headers Field1..Field8; the held rows then go out in order. The
 * columns read by none of these are judged on the same first rows, and one whose cells read
 * as company names is a warning: a listed party in it would otherwise go unscreened.
 *
 * The file is streamed through libcsv a physical line at a time, so that each party carries
 * the line its row starts on and memory stays bounded by the caps below, whatever the file's
 * size. Text must be UTF-8: a Latin-1 or UTF-16 export fails with the line of the first bad
 * byte instead of having its names silently mangled. */
#include "importers/orders/orders.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK 65536
#define MAX_FIELDS 1024 /* fields per row */
#define SAMPLE_ROWS 200 /* rows read before guessing which column holds manufacturers */
/* libcsv grows its field buffer without limit; past this a field is already too long. */
#define FIELD_BUFFER_MAX (RF_MAX_FIELD + CHUNK)

typedef struct column {
    ord_col_kind kind;
    const char *role; /* ORD_COL_PARTY: static table entry or the caller's map */
    size_t off, len;  /* this row's cell in `cells`; len 0 when empty or absent */
} column;

typedef struct csv_in {
    const char *path;
    const rf_order_options *opts;
    rf_party_fn fn;
    void *ctx;
    rf_error *err;
    int rc; /* first failure; callbacks from libcsv do nothing once it is set */

    struct csv_parser parser;
    unsigned char delim;
    long line;     /* physical line being fed, 1-based */
    long row_line; /* line the current row starts on */
    int row_open;  /* bytes of the current row have been fed */
    int after_cr;  /* the last line ended with CR: an LF next completes it */
    size_t field;  /* index of the next field in the row */

    int have_header;
    long header_line;
    rf_buf header;        /* header cells, NUL-separated, until the columns are known */
    size_t header_off[MAX_FIELDS];
    column *cols;
    size_t n_cols;
    int qual[ORD_COL_KINDS];  /* column index of each qualifier kind, -1 if none */
    rf_buf cells;         /* the current row's cells of interest, NUL-terminated */

    /* The columns nothing reads, judged on the first SAMPLE_ROWS rows: what their cells
     * read as, and the first cell with a legal form, quoted in the warning. */
    ord_col_traits *unread;
    char (*unread_example)[96];
    rf_buf scratch;
    size_t n_rows;        /* data rows so far */
    int judged;           /* the unread columns were judged */

    /* No header names a party column: rows held until the content names one. */
    int sampling;
    rf_buf sample;        /* every cell of the held rows, NUL-terminated */
    size_t *sample_off;   /* [row * n_cols + col]: offset in `sample` + 1, 0 when empty */
    long sample_line[SAMPLE_ROWS];
    size_t n_sample;
} csv_in;

static int fail(csv_in *in, int code, long line, const char *what)
{
    if (!in->rc) in->rc = rf_error_set(in->err, code, in->path, line, "%s", what);
    return in->rc;
}

/* 1 when libcsv will start a row on these bytes: it skips blank lines and leading blanks. */
static int starts_row(const csv_in *in, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\r' || c == '\n' || c == ' ') continue;
        if (c == '\t' && in->delim != '\t') continue;
        return 1;
    }
    return 0;
}

/* A line ends at LF, CRLF or a lone CR (old Macintosh exports), as libcsv ends rows. */
static long count_line_ends(const char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n' || (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'));
    return n;
}

/* Checks one complete field: no NUL (it would cut a name short), well-formed UTF-8. The field
 * ends on the line being fed, so the bad byte's line is that line less the newlines after it. */
static int check_field(csv_in *in, const char *s, size_t len)
{
    size_t bad = 0;
    const char *nul = memchr(s, '\0', len);
    int ok = rf_utf8_valid(s, len, &bad);
    long line = in->line;
    char msg[256];

    if (nul && (ok || (size_t)(nul - s) < bad)) {
        bad = (size_t)(nul - s);
        ok = 0;
        snprintf(msg, sizeof msg, "NUL byte in field %zu: this is not a text file", in->field + 1);
    } else if (!ok) {
        snprintf(msg, sizeof msg,
                 "invalid UTF-8 (byte 0x%02X) in field %zu: the file must be UTF-8; convert a "
                 "legacy export first, e.g. iconv -f WINDOWS-1252 -t UTF-8",
                 (unsigned)(unsigned char)s[bad], in->field + 1);
    }
    if (ok) return RF_OK;
    return fail(in, RF_EFORMAT, line - count_line_ends(s + bad, len - bad), msg);
}

/* Adds a cell of a column nothing reads (yet) to what the column is judged on. */
static int observe_unread(csv_in *in, const char *s, size_t len)
{
    size_t n;
    int traits;
    rf_buf_reset(&in->scratch);
    if (rf_buf_append(&in->scratch, s, len) || rf_buf_putc(&in->scratch, '\0'))
        return fail(in, RF_ENOMEM, in->row_line, "out of memory");
    if (!(n = rf_trim(in->scratch.data, len))) return RF_OK;
    traits = rf_orders__cell_traits(in->scratch.data);
    rf_orders__col_traits_add(&in->unread[in->field], traits);
    if ((traits & ORD_CELL_LEGAL) && !in->unread_example[in->field][0]) {
        char *ex = in->unread_example[in->field];
        size_t keep = n < sizeof *in->unread_example - 1 ? n : sizeof *in->unread_example - 1;
        /* cut at a character boundary */
        while (keep > 0 && keep < n && ((unsigned char)in->scratch.data[keep] & 0xC0) == 0x80)
            keep--;
        memcpy(ex, in->scratch.data, keep);
        ex[keep] = '\0';
    }
    return RF_OK;
}

static void on_field(void *data, size_t len, void *vin)
{
    csv_in *in = vin;
    const char *s = data ? data : "";
    char msg[128];

    if (in->rc) return;
    if (in->field >= MAX_FIELDS) {
        snprintf(msg, sizeof msg, "more than %d fields in one row", MAX_FIELDS);
        fail(in, RF_ELIMIT, in->row_line, msg);
        return;
    }
    if (len > RF_MAX_FIELD) {
        snprintf(msg, sizeof msg, "field %zu is longer than %d bytes", in->field + 1,
                 RF_MAX_FIELD);
        fail(in, RF_ELIMIT, in->row_line, msg);
        return;
    }
    if (check_field(in, s, len)) return;

    if (in->have_header && in->field >= in->n_cols) {
        /* Most often a separator inside an unquoted name: the name is cut short and its tail
         * lands in the next column, so the row cannot be trusted. */
        snprintf(msg, sizeof msg,
                 "more cells than the header has columns (%zu): an unquoted %s inside a cell?",
                 in->n_cols, in->delim == ';' ? "semicolon" : in->delim == '\t' ? "tab" : "comma");
        fail(in, RF_EFORMAT, in->row_line, msg);
        return;
    }
    if (!in->have_header) {
        in->header_off[in->field] = in->header.len;
        if (rf_buf_append(&in->header, s, len) || rf_buf_putc(&in->header, '\0'))
            fail(in, RF_ENOMEM, in->row_line, "out of memory");
    } else if (in->cols[in->field].kind == ORD_COL_IGNORE && !in->judged &&
               observe_unread(in, s, len)) {
        return;
    }
    if (in->have_header && (in->sampling || in->cols[in->field].kind != ORD_COL_IGNORE)) {
        column *c = &in->cols[in->field];
        c->off = in->cells.len;
        if (rf_buf_append(&in->cells, s, len) || rf_buf_putc(&in->cells, '\0')) {
            fail(in, RF_ENOMEM, in->row_line, "out of memory");
            return;
        }
        c->len = rf_trim(in->cells.data + c->off, len);
    }
    in->field++;
}

static const char *header_cell(const csv_in *in, size_t i)
{
    return in->header.data + in->header_off[i];
}

/* The error for a header without a party column: it lists what the file has and what would
 * have been accepted, since the fix is either renaming a column or a --map. A first line with
 * no separator is no table at all (a key, a password file reached by mistake): what it holds
 * is not repeated into the error, the report or the audit trail. */
static int no_party_column(csv_in *in)
{
    rf_buf msg = {0};
    if (in->n_cols < 2) {
        fail(in, RF_EFORMAT, in->header_line,
             "not an order, party list or BOM: its first line has no comma, semicolon or tab "
             "(its content is not repeated here)");
        return in->rc;
    }
    rf_buf_puts(&msg, "no party column in the header, and no column whose content reads as "
                      "manufacturer names (");
    for (size_t i = 0; i < in->n_cols; i++)
        rf_buf_printf(&msg, "%s%s", i ? ", " : "", header_cell(in, i));
    rf_buf_puts(&msg, "); a party column is headed with a role (customer, supplier, vendor, "
                      "buyer, seller, consignee, end_user, ship_to, manufacturer, name, company, "
                      "or the same in German, French, Spanish, Italian, Dutch, Portuguese, "
                      "Polish, Chinese, Japanese: see README, Input); name the column that holds "
                      "parties with --map ROLE=HEADER (ROLE: buyer, end_user, manufacturer, ...)");
    fail(in, RF_EFORMAT, in->header_line, msg.data ? msg.data : "no party column in the header");
    rf_buf_free(&msg);
    return in->rc;
}

/* Classifies the header's columns: party columns (the table of headers.c, then --map on top),
 * and one column per qualifier kind. */
static int read_header(csv_in *in)
{
    size_t n_maps = in->opts ? in->opts->n_maps : 0;
    int rank[ORD_COL_KINDS], parties = 0, mapped_maker = 0;
    char want[256], key[256];
    ord_header_table *table = NULL;

    in->header_line = in->row_line;
    in->n_cols = in->field;
    in->cols = calloc(in->n_cols ? in->n_cols : 1, sizeof *in->cols);
    in->unread = calloc(in->n_cols ? in->n_cols : 1, sizeof *in->unread);
    in->unread_example = calloc(in->n_cols ? in->n_cols : 1, sizeof *in->unread_example);
    if (!in->cols || !in->unread || !in->unread_example || rf_orders__header_table_new(&table))
        return fail(in, RF_ENOMEM, in->header_line, "out of memory");
    for (int k = 0; k < ORD_COL_KINDS; k++) in->qual[k] = rank[k] = -1;

    for (size_t i = 0; i < in->n_cols; i++) {
        column *c = &in->cols[i];
        const char *h = header_cell(in, i);
        int r;
        ord_col_kind kind = rf_orders__header_kind(table, &c->role, &r, h, strlen(h));
        if (kind == ORD_COL_PARTY) {
            c->kind = kind;
            parties++;
        } else if (kind != ORD_COL_IGNORE && (rank[kind] < 0 || r < rank[kind])) {
            /* the first column of a kind wins, unless a later one is named better */
            if (in->qual[kind] >= 0) in->cols[in->qual[kind]].kind = ORD_COL_IGNORE;
            c->kind = kind;
            in->qual[kind] = (int)i;
            rank[kind] = r;
        }
    }
    rf_orders__header_table_free(table);
    for (size_t m = 0; m < n_maps; m++) {
        const rf_column_map *map = &in->opts->maps[m];
        int found = 0;
        if (!map->role || !map->role[0] || !map->header || !map->header[0])
            return fail(in, RF_EUSAGE, 0, "--map needs ROLE=HEADER, both non-empty");
        rf_orders__header_key(want, sizeof want, map->header, strlen(map->header));
        mapped_maker |= strcmp(map->role, "manufacturer") == 0;
        for (size_t i = 0; i < in->n_cols; i++) {
            column *c = &in->cols[i];
            rf_orders__header_key(key, sizeof key, header_cell(in, i), strlen(header_cell(in, i)));
            if (strcmp(key, want) != 0) continue;
            found = 1;
            if (c->kind != ORD_COL_IGNORE && c->kind != ORD_COL_PARTY)
                for (int k = 0; k < ORD_COL_KINDS; k++)
                    if (in->qual[k] == (int)i) in->qual[k] = -1;
            c->kind = ORD_COL_PARTY;
            c->role = map->role;
        }
        if (!found) {
            char msg[600];
            snprintf(msg, sizeof msg, "--map %s=%s: the header has no column named \"%s\"",
                     map->role, map->header, map->header);
            return fail(in, RF_EUSAGE, in->header_line, msg);
        }
    }
    in->have_header = 1;
    /* --map adds to what the header says: a BOM whose headers name no party column still has
     * its manufacturer column found, unless a map names the manufacturer itself */
    if (!parties && !mapped_maker) {
        in->sampling = 1;
        in->sample_off =
            calloc((in->n_cols ? in->n_cols : 1) * SAMPLE_ROWS, sizeof *in->sample_off);
        return in->sample_off ? RF_OK : fail(in, RF_ENOMEM, in->header_line, "out of memory");
    }
    return RF_OK;
}

/* `header` as the argument of --map in a shell: quoted unless it is one plain word. */
static void map_argument(rf_buf *out, const char *header)
{
    int plain = 1;
    for (const char *p = header; *p && plain; p++)
        plain = (unsigned char)*p >= 0x80 || strchr("_.-+:/@%", *p) ||
                (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
    if (plain) {
        rf_buf_printf(out, "party=%s", header);
        return;
    }
    rf_buf_puts(out, "'party=");
    for (const char *p = header; *p; p++)
        if (*p == '\'') rf_buf_puts(out, "'\\''");
        else rf_buf_putc(out, *p);
    rf_buf_putc(out, '\'');
}

/* Judges the columns nothing reads on the rows seen so far (the first SAMPLE_ROWS, or all of
 * a shorter file): each that holds company names is a warning naming it, a cell of it, and
 * the --map that screens it. */
static int judge_unread(csv_in *in)
{
    const rf_order_options *o = in->opts;
    rf_buf msg = {0};

    in->judged = 1;
    for (size_t i = 0; i < in->n_cols && o && o->on_warning; i++) {
        if (in->cols[i].kind != ORD_COL_IGNORE || !rf_orders__col_holds_names(&in->unread[i]))
            continue;
        rf_buf_reset(&msg);
        rf_buf_printf(&msg, "column \"%s\" (column %zu) is not read, but its cells read as "
                            "company names (\"%s\"): its parties are not screened; screen them "
                            "with --map ", header_cell(in, i), i + 1, in->unread_example[i]);
        map_argument(&msg, header_cell(in, i));
        if (!msg.data) return fail(in, RF_ENOMEM, in->header_line, "out of memory");
        o->on_warning(in->path, in->header_line, msg.data, o->warning_ctx);
    }
    rf_buf_free(&msg);
    rf_buf_free(&in->header);
    rf_buf_free(&in->scratch);
    return RF_OK;
}

static const char *cell(const csv_in *in, int col)
{
    if (col < 0 || (size_t)col >= in->n_cols || in->cols[col].len == 0) return NULL;
    return in->cells.data + in->cols[col].off;
}

/* A BOM's maker cell that says the part is not fitted, not who makes it: "DNP" (do not
 * place) would otherwise be screened, and matches an SDN alias of a Nicaraguan company. */
static int bom_placeholder(const char *s)
{
    static const char *const marks[] = {"dnp", "dnf", "dni", "dns", "nc", "n/c", "nf", "na",
                                        "n/a", "none", "tbd", "-", "--", "?"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strcasecmp(s, marks[i]) == 0) return 1;
    return 0;
}

/* Hands the row's parties to the caller, one per non-empty party cell, in column order; a
 * manufacturer cell that is a BOM placeholder (DNP, N/A, ...) is not a party. */
static int emit_row(csv_in *in)
{
    char ref[600];
    const char *country = cell(in, in->qual[ORD_COL_COUNTRY]);
    rf_party p = {0};

    p.document = in->path;
    p.format = "csv";
    p.line = in->row_line;
    p.ref = cell(in, in->qual[ORD_COL_REF]);
    if (!p.ref) {
        snprintf(ref, sizeof ref, "%s:%ld", in->path, in->row_line);
        p.ref = ref;
    }
    p.address = cell(in, in->qual[ORD_COL_ADDRESS]);
    p.city = cell(in, in->qual[ORD_COL_CITY]);
    /* "cn" is CN: country codes are compared upper case downstream. */
    if (country && strlen(country) == 2) {
        char *c = in->cells.data + in->cols[in->qual[ORD_COL_COUNTRY]].off;
        for (int i = 0; i < 2; i++)
            if (c[i] >= 'a' && c[i] <= 'z') c[i] = (char)(c[i] - 'a' + 'A');
    }
    p.country = country;
    p.date = cell(in, in->qual[ORD_COL_DATE]);
    p.item = cell(in, in->qual[ORD_COL_ITEM]);
    for (size_t i = 0; i < in->n_cols; i++) {
        if (in->cols[i].kind != ORD_COL_PARTY || !(p.name = cell(in, (int)i))) continue;
        p.role = in->cols[i].role;
        if (strcmp(p.role, "manufacturer") == 0 && bom_placeholder(p.name)) continue;
        if (in->fn(&p, in->ctx) != 0)
            return fail(in, RF_ECANCEL, in->row_line, "stopped by the caller");
    }
    return RF_OK;
}

static const char *sample_cell(size_t row, size_t col, void *vin)
{
    const csv_in *in = vin;
    size_t off = in->sample_off[row * in->n_cols + col];
    return off ? in->sample.data + off - 1 : NULL;
}

/* Keeps the current row (every cell) until the manufacturer column is known. */
static int hold_row(csv_in *in)
{
    size_t *off = in->sample_off + in->n_sample * in->n_cols;
    for (size_t i = 0; i < in->n_cols; i++) {
        off[i] = 0;
        if (!in->cols[i].len) continue;
        off[i] = in->sample.len + 1;
        if (rf_buf_append(&in->sample, in->cells.data + in->cols[i].off, in->cols[i].len) ||
            rf_buf_putc(&in->sample, '\0'))
            return fail(in, RF_ENOMEM, in->row_line, "out of memory");
    }
    in->sample_line[in->n_sample++] = in->row_line;
    return RF_OK;
}

/* Names the manufacturer column from the held rows' content, then hands those rows out. */
static int decide_and_replay(csv_in *in)
{
    unsigned char skip[MAX_FIELDS];
    int col;

    for (size_t i = 0; i < in->n_cols; i++) skip[i] = in->cols[i].kind != ORD_COL_IGNORE;
    col = rf_orders__guess_manufacturer_column(in->n_sample, in->n_cols, skip, sample_cell, in);
    for (size_t i = 0; col < 0 && i < in->n_cols; i++)
        if (in->cols[i].kind == ORD_COL_PARTY) col = -2; /* a map names parties: enough */
    if (col == -1) return no_party_column(in);
    if (col >= 0) {
        in->cols[col].kind = ORD_COL_PARTY;
        in->cols[col].role = "manufacturer";
    }
    in->sampling = 0;
    for (size_t r = 0; r < in->n_sample && !in->rc; r++) {
        rf_buf_reset(&in->cells);
        for (size_t i = 0; i < in->n_cols; i++) {
            const char *v = in->cols[i].kind == ORD_COL_IGNORE ? NULL : sample_cell(r, i, in);
            in->cols[i].len = 0;
            if (!v) continue;
            in->cols[i].off = in->cells.len;
            in->cols[i].len = strlen(v);
            if (rf_buf_append(&in->cells, v, in->cols[i].len + 1))
                return fail(in, RF_ENOMEM, in->sample_line[r], "out of memory");
        }
        in->row_line = in->sample_line[r];
        emit_row(in);
    }
    rf_buf_free(&in->sample);
    free(in->sample_off);
    in->sample_off = NULL;
    return in->rc;
}

static void on_row(int term, void *vin)
{
    csv_in *in = vin;
    long line = in->row_line;
    (void)term;
    if (in->rc) return;
    if (!in->have_header) {
        read_header(in);
    } else {
        in->n_rows++;
        if (!in->sampling) emit_row(in);
        else if (hold_row(in) == RF_OK && in->n_sample == SAMPLE_ROWS) decide_and_replay(in);
        if (!in->rc && !in->judged && in->n_rows == SAMPLE_ROWS) judge_unread(in);
    }
    in->row_line = line;
    for (size_t i = 0; i < in->n_cols; i++) in->cols[i].len = 0;
    rf_buf_reset(&in->cells);
    in->field = 0;
    in->row_open = 0;
}

/* Parses one line's bytes. libcsv runs strict, so that a quoted field closed and then followed
 * by text (`"Huawei" Tech`, or an unbalanced quote that swallowed the next rows until it met
 * another quote) is an error rather than rows silently merged into one name. The one strict
 * error that real files commit harmlessly, a quote inside an unquoted field (a BOM's
 * `CONN HEADER .1" DL`), is passed through as text. */
static int parse_line(csv_in *in, const char *data, size_t n)
{
    unsigned char strict = CSV_STRICT | CSV_STRICT_FINI;
    size_t done = 0;

    while (done < n && !in->rc) {
        size_t got = csv_parse(&in->parser, data + done, n - done, on_field, on_row, in);
        char msg[200];

        if (in->rc || got == n - done) break;
        if (csv_error(&in->parser) != CSV_EPARSE)
            return fail(in, RF_ENOMEM, in->line, csv_strerror(csv_error(&in->parser)));
        done += got;
        if (data[done] == '"' && !in->parser.quoted) {
            csv_set_opts(&in->parser, CSV_STRICT_FINI);
            csv_parse(&in->parser, data + done, 1, on_field, on_row, in);
            csv_set_opts(&in->parser, strict);
            done++;
            continue;
        }
        if (in->line == in->row_line)
            snprintf(msg, sizeof msg, "text after the closing quote of field %zu",
                     in->field + 1);
        else
            snprintf(msg, sizeof msg,
                     "field %zu opens a quote here that closes on line %ld and is followed "
                     "by text (an unbalanced quote?)", in->field + 1, in->line);
        return fail(in, RF_EFORMAT, in->row_line, msg);
    }
    return in->rc;
}

/* Feeds bytes to libcsv one physical line at a time, so that the line count is known at
 * every row start and every field end. A line ends at LF, CRLF or a lone CR; the LF of a CRLF
 * split across two reads is not counted twice. */
static int feed(csv_in *in, const char *data, size_t len)
{
    while (len > 0 && !in->rc) {
        size_t n = 0;
        char end;

        while (n < len && data[n] != '\n' && data[n] != '\r') n++;
        end = n < len ? data[n++] : '\0';
        if (!in->row_open && starts_row(in, data, n)) {
            in->row_open = 1;
            in->row_line = in->line;
        }
        if (parse_line(in, data, n)) break;
        if (csv_get_buffer_size(&in->parser) > FIELD_BUFFER_MAX) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "a field of the row starting here is longer than %d bytes "
                     "(an unbalanced quote?)", RF_MAX_FIELD);
            return fail(in, RF_ELIMIT, in->row_line, msg);
        }
        if (end == '\r' || (end == '\n' && !in->after_cr)) in->line++;
        if (end) in->after_cr = end == '\r';
        data += n;
        len -= n;
    }
    return in->rc;
}

/* Looks at the start of the file: strips a UTF-8 byte order mark, refuses UTF-16 with a
 * clear message, and picks the separator. Returns the number of bytes to skip. */
static size_t open_file(csv_in *in, const char *data, size_t len)
{
    size_t skip = 0;
    if (len >= 2 && (((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) ||
                     ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF))) {
        fail(in, RF_EFORMAT, 1, "the file is UTF-16; save it as UTF-8 (\"CSV UTF-8\")");
        return 0;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) skip = 3;
    in->delim = rf_orders__csv_separator(data + skip, len - skip);
    csv_set_delim(&in->parser, in->delim);
    return skip;
}

int rf_orders__csv_read(const char *path, rf_reader *r, const char *head, size_t head_len,
                 const rf_order_options *opts, rf_party_fn fn, void *ctx, rf_error *err)
{
    char chunk[CHUNK];
    csv_in in;
    size_t skip;
    long n = 0;

    memset(&in, 0, sizeof in);
    in.path = path;
    in.opts = opts;
    in.fn = fn;
    in.ctx = ctx;
    in.err = err;
    in.line = 1;
    if (csv_init(&in.parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");

    /* the bytes format detection read first, then the rest of the stream */
    skip = open_file(&in, head, head_len);
    if (in.rc || feed(&in, head + skip, head_len - skip)) goto cleanup;
    while ((n = rf_reader_read(r, chunk, sizeof chunk, err)) > 0)
        if (feed(&in, chunk, (size_t)n)) goto cleanup;
    if (n < 0) {
        in.rc = (int)n;
        goto cleanup;
    }
    if (csv_fini(&in.parser, on_field, on_row, &in) != 0 && !in.rc) {
        fail(&in, RF_EFORMAT, in.row_line,
             "unterminated quoted field: the row starting here never closes its quote");
        goto cleanup;
    }
    if (!in.rc && in.sampling) decide_and_replay(&in);
    if (!in.rc && !in.have_header)
        fail(&in, RF_EFORMAT, 0, "empty file: no header row");
    if (!in.rc && !in.judged) judge_unread(&in);

cleanup:
    csv_free(&in.parser);
    rf_buf_free(&in.header);
    rf_buf_free(&in.scratch);
    free(in.unread);
    free(in.unread_example);
    rf_buf_free(&in.cells);
    rf_buf_free(&in.sample);
    free(in.sample_off);
    free(in.cols);
    return in.rc;
}
