/* uk.c: the UK sanctions lists as CSV, one row per name of a listed party, the rows of one
 * party joined by its id wherever they stand in the file (the OFSI file sorts rows by name,
 * so a party's aliases are scattered). Feed "uk", list code "UK". Two layouts:
 *  - HM Treasury (OFSI) Consolidated List, the layout of 2018 and before: line 1
 *    "Last Updated,DD/MM/YYYY" (the publication date), line 2 the header (Name 6 = surname,
 *    Name 1..5, ..., Group Type, Alias Type "Prime Alias"/"AKA"/"FKA", Regime, Listed On,
 *    Group ID); written in Windows-1252 until 2022, in UTF-8 since, with "Name Non-Latin
 *    Script" (the name in the party's own script) among its columns;
 *  - the FCDO UK Sanctions List: line 1 "Report Date: DD-Mon-YYYY", line 2 the header
 *    (Unique ID, Name 6, Name 1..5, Name type "Primary Name"/"Alias"/"Primary Name
 *    Variation", Alias strength, Name non-latin script, Regime Name, Designation Type,
 *    Date Designated, address lines, D.O.B, Nationality(/ies), ...).
 * A person is named "SURNAME, Forenames" (Name 6, then Names 1 to 5); an entity or ship by its
 * names joined. The first primary row gives the primary name; a second one, "AKA" and
 * "Primary Name Variation" rows give aliases, "FKA" former names, a "Low quality" alias a
 * weak alias, the non-latin script name a name of kind "original". Dates are DD/MM/YYYY. */
#include "list_import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    U_ID, U_NAME6, U_NAME1, U_NAME2, U_NAME3, U_NAME4, U_NAME5, U_TITLE, U_DOB, U_NATIONALITY,
    U_PASSPORT, U_NATIONAL_ID, U_POSITION, U_ADDR1, U_ADDR2, U_ADDR3, U_ADDR4, U_ADDR5, U_ADDR6,
    U_POSTCODE, U_COUNTRY, U_OTHER, U_TYPE, U_NAME_TYPE, U_STRENGTH, U_REGIME, U_LISTED,
    U_NON_LATIN, U_UN_REF, U_COUNT
};

typedef struct uk_layout {
    const char *first_line;          /* what line 1 starts with */
    const char *header[U_COUNT];     /* the column of each field; NULL when the layout has none */
    const char *list_name;
} uk_layout;

static const uk_layout ofsi = {
    "Last Updated",
    {"Group ID", "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "DOB",
     "Nationality", "Passport Details", "NI Number", "Position", "Address 1", "Address 2",
     "Address 3", "Address 4", "Address 5", "Address 6", "Post/Zip Code", "Country",
     "Other Information", "Group Type", "Alias Type", NULL, "Regime", "Listed On",
     "Name Non-Latin Script", NULL},
    "UK Consolidated List of Financial Sanctions Targets (HM Treasury OFSI)",
};

static const uk_layout fcdo = {
    "Report Date",
    {"Unique ID", "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "D.O.B",
     "Nationality(/ies)", "Passport number", "National Identifier number", "Position",
     "Address Line 1", "Address Line 2", "Address Line 3", "Address Line 4", "Address Line 5",
     "Address Line 6", "Address Postal Code", "Address Country", "Other Information",
     "Designation Type", "Name type", "Alias strength", "Regime Name", "Date Designated",
     "Name non-latin script", "UN Reference Number"},
    "UK Sanctions List (Foreign, Commonwealth & Development Office)",
};

/* The fields of every party's rows are kept until the end of the file (see above). */
typedef struct uk_row {
    const char *id;
    long line;
    size_t off; /* its fields, U_COUNT NUL-terminated strings, in rows_buf */
} uk_row;

typedef struct uk_reader {
    rf_list_ctx *cx;
    const uk_layout *layout;
    size_t col[U_COUNT];
    int have_header;
    long line1;
    rf_buf fields;
    uk_row *rows;
    size_t n, cap;
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
} uk_reader;

/* "13/04/2018" -> "2018-04-13"; "00/00/1980" and other partial dates stay as written. */
static const char *dmy(char out[11], const char *s)
{
    if (!s || strlen(s) != 10 || s[2] != '/' || s[5] != '/' || strncmp(s, "00", 2) == 0 ||
        strncmp(s + 3, "00", 2) == 0)
        return s;
    snprintf(out, 11, "%.4s-%.2s-%.2s", s + 6, s + 3, s);
    return out;
}

static int on_row(rf_row *row, void *ctx)
{
    uk_reader *r = ctx;
    uk_row *u;

    if (r->line1 == 0) {
        r->line1 = row->line; /* "Last Updated" / "Report Date": read by published() */
        return 0;
    }
    if (!r->have_header) {
        r->have_header = 1;
        for (size_t c = 0; c < U_COUNT; c++) {
            r->col[c] = rf_rows__find_column(row, r->layout->header[c]);
            if (r->col[c] == SIZE_MAX && c <= U_NAME6)
                return rf_list__fail(r->cx, RF_EFORMAT, row->line,
                                     "the header has no \"%s\" column", r->layout->header[c]);
        }
        if (r->col[U_TYPE] == SIZE_MAX || r->col[U_NAME_TYPE] == SIZE_MAX)
            return rf_list__fail(r->cx, RF_EFORMAT, row->line, "the header has no \"%s\" or \"%s\" "
                                "column", r->layout->header[U_TYPE], r->layout->header[U_NAME_TYPE]);
        return 0;
    }
    r->cx->sum->rows++;
    if (!rf_row__get(row, r->col[U_ID]))
        return rf_list__fail(r->cx, RF_EFORMAT, row->line, "row has no %s",
                             r->layout->header[U_ID]);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        uk_row *rows = realloc(r->rows, cap * sizeof *rows);
        if (!rows) return rf_list__fail(r->cx, RF_ENOMEM, row->line, "out of memory");
        r->rows = rows;
        r->cap = cap;
    }
    u = &r->rows[r->n++];
    u->line = row->line;
    u->off = r->fields.len;
    for (size_t c = 0; c < U_COUNT; c++) {
        const char *f = r->col[c] < row->n ? rf_row__get(row, r->col[c]) : NULL;
        if (rf_buf_puts(&r->fields, f ? f : "") || rf_buf_putc(&r->fields, '\0'))
            return rf_list__fail(r->cx, RF_ELIMIT, row->line, "file too large");
    }
    return 0;
}

/* Field c of a kept row, NULL when empty. */
static const char *field(const uk_reader *r, const uk_row *u, size_t c)
{
    const char *p = r->fields.data + u->off;
    for (size_t i = 0; i < c; i++) p += strlen(p) + 1;
    return *p ? p : NULL;
}

static int by_id(const void *a, const void *b)
{
    const uk_row *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c) return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* The row's name into the pool: "SURNAME, Forenames" for people, the parts joined by spaces
 * otherwise; NULL when the row has none (or, with *rc set, when out of memory). */
static const char *row_name(uk_reader *r, const uk_row *u, int person, int *rc)
{
    const char *surname = field(r, u, U_NAME6), *name = NULL;
    rf_buf fore = {0}, all = {0};
    int bad = 0;

    for (size_t c = U_NAME1; c <= U_NAME5; c++) {
        const char *f = field(r, u, c);
        if (f) bad |= (fore.len && rf_buf_putc(&fore, ' ')) || rf_buf_puts(&fore, f);
    }
    if (person && surname && fore.len) bad |= rf_buf_printf(&all, "%s, %s", surname, fore.data);
    else if (surname && fore.len) bad |= rf_buf_printf(&all, "%s %s", fore.data, surname);
    else if (surname || fore.len) bad |= rf_buf_puts(&all, surname ? surname : fore.data);
    *rc = 0;
    if (!bad && all.len && !(name = rf_strpool__add(&r->cx->pool, all.data, all.len))) bad = 1;
    if (bad) *rc = rf_list__fail(r->cx, RF_ENOMEM, u->line, "out of memory");
    rf_buf_free(&fore);
    rf_buf_free(&all);
    return name;
}

static rf_name_kind name_kind(const char *type, const char *strength, int *primary)
{
    *primary = 0;
    if (type && (strcasecmp(type, "Prime Alias") == 0 || strcasecmp(type, "Primary Name") == 0)) {
        *primary = 1;
        return RF_NAME_ALIAS;
    }
    if (type && strcasecmp(type, "FKA") == 0) return RF_NAME_FORMER;
    if (strength && strncasecmp(strength, "Low", 3) == 0) return RF_NAME_WEAK_ALIAS;
    return RF_NAME_ALIAS;
}

/* One party from its rows rows[0..n). */
static int emit_party(uk_reader *r, uk_row *rows, size_t n)
{
    rf_list_ctx *cx = r->cx;
    rf_entity e;
    char listed[11], date[11];
    const char *type;
    size_t primary = n;
    int rc = 0;

    rf_list__entity_begin(cx, &e, rows[0].line, "UK", r->layout->list_name);
    e.source_id = rows[0].id;
    for (size_t i = 0; i < n && primary == n; i++) {
        int is_primary;
        name_kind(field(r, &rows[i], U_NAME_TYPE), NULL, &is_primary);
        if (is_primary) primary = i;
    }
    if (primary == n) {
        if ((rc = rf_list__warn(cx, rows[0].line, "%s %s has no primary name row; its first row "
                               "is taken", r->layout->header[U_ID], e.source_id)) != 0)
            return rc;
        primary = 0;
    }
    e.source_line = rows[primary].line;
    type = field(r, &rows[primary], U_TYPE);
    e.type = rf_list__entity_type(type);
    if (e.type == RF_ENTITY_UNKNOWN &&
        (rc = rf_list__warn(cx, e.source_line, "type \"%s\" unknown", type ? type : "")) != 0)
        return rc;
    r->names.n = 0;
    r->names.parent = NULL;
    e.addresses = r->addresses;
    /* The primary row first, then the others in file order. */
    for (size_t k = 0; k <= n && rc == 0; k++) {
        size_t i = k == 0 ? primary : k - 1;
        const uk_row *u = &rows[i];
        int is_primary;
        rf_name_kind kind;
        const char *name, *f;
        if (k > 0 && i == primary) continue;
        kind = name_kind(field(r, u, U_NAME_TYPE), field(r, u, U_STRENGTH), &is_primary);
        if (!(name = row_name(r, u, e.type == RF_ENTITY_PERSON, &rc))) {
            if (rc) return rc;
            if (k == 0) return rf_list__fail(cx, RF_EFORMAT, u->line, "row has no name");
            continue;
        }
        if ((rc = rf_names__add(&r->names, name, strlen(name), k == 0 ? RF_NAME_PRIMARY : kind, cx,
                               u->line)) != 0)
            return rc;
        if ((f = field(r, u, U_NON_LATIN)) &&
            (rc = rf_names__add(&r->names, f, strlen(f), RF_NAME_ORIGINAL, cx, u->line)) != 0)
            return rc;
        {
            const char *parts[] = {field(r, u, U_ADDR1), field(r, u, U_ADDR2), field(r, u, U_ADDR3),
                                   field(r, u, U_ADDR4), field(r, u, U_ADDR5), field(r, u, U_ADDR6),
                                   field(r, u, U_POSTCODE)};
            const char *text = rf_list__concat(cx, parts, sizeof parts / sizeof *parts, &rc);
            if (rc || (rc = rf_list__address(cx, r->addresses, &e.n_addresses, text, NULL,
                                            field(r, u, U_COUNTRY), u->line)))
                return rc;
        }
        /* The party's facts, gathered from every row (each repeats or adds to them). */
        if ((f = field(r, u, U_DOB)))
            rc = rf_list__join(cx, &e.dates_of_birth, dmy(date, f), strlen(dmy(date, f)), u->line);
        if (!rc && (f = field(r, u, U_NATIONALITY)))
            rc = rf_list__nationality(cx, &e.nationalities, f, strlen(f), u->line);
        if (!rc && (f = field(r, u, U_PASSPORT)))
            rc = rf_list__join(cx, &e.ids, f, strlen(f), u->line);
        if (!rc && (f = field(r, u, U_NATIONAL_ID)))
            rc = rf_list__join(cx, &e.ids, f, strlen(f), u->line);
        if (!rc && (f = field(r, u, U_TITLE)))
            rc = rf_list__join(cx, &e.title, f, strlen(f), u->line);
        if (!rc && (f = field(r, u, U_POSITION)))
            rc = rf_list__join(cx, &e.title, f, strlen(f), u->line);
        if (!rc && (f = field(r, u, U_REGIME)))
            rc = rf_list__join(cx, &e.programs, f, strlen(f), u->line);
        if (!rc && (f = field(r, u, U_OTHER)))
            rc = rf_list__join(cx, &e.remarks, f, strlen(f), u->line);
    }
    if (rc) return rc;
    e.start_date = rf_list__date(cx, e.source_line, r->layout->header[U_LISTED],
                                dmy(date, field(r, &rows[primary], U_LISTED)), NULL, listed, &rc);
    if (rc) return rc;
    e.names = r->names.names;
    e.n_names = r->names.n;
    return rf_list__emit(cx, &e);
}

/* Every row is kept (its fields, not the file's bytes) until the end of the file: a party's
 * rows are scattered, so memory grows with the file, about as much as the file itself. */
static int read_rows(uk_reader *r, rf_list_ctx *cx)
{
    int rc;

    r->cx = cx;
    r->fields.max = RF_FILE_MAX;
    rc = rf_rows__read_input(cx, cx->input, RF_TEXT_CP1252, ',', on_row, r);
    if (rc == 0 && !r->have_header) rc = rf_list__fail(cx, RF_EFORMAT, 0, "the file has no header");
    return rc;
}

static int parse(rf_list_ctx *cx, const uk_layout *layout)
{
    uk_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->layout = layout;
    if ((rc = read_rows(r, cx)) == 0) {
        /* Ids are pointed at only now: the buffer no longer moves. */
        for (size_t i = 0; i < r->n; i++) r->rows[i].id = field(r, &r->rows[i], U_ID);
        if (r->n) qsort(r->rows, r->n, sizeof *r->rows, by_id);
        for (size_t i = 0, j; i < r->n && rc == 0; i = j) {
            for (j = i + 1; j < r->n && strcmp(r->rows[j].id, r->rows[i].id) == 0; j++) {}
            rc = emit_party(r, r->rows + i, j - i);
        }
    }
    rf_buf_free(&r->fields);
    free(r->rows);
    free(r);
    return rc;
}

/* ---- the publication date and detection ------------------------------------------------- */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Line 1: "Last Updated,13/04/2018,,," or "Report Date: 27-Feb-2024" (ASCII in either
 * encoding, read from the sample). */
static int published(char out[11], rf_list_ctx *cx)
{
    const char *data = cx->sample->head, *nl = memchr(data, '\n', cx->sample->head_len), *p = data;
    size_t n = nl ? (size_t)(nl - data) : cx->sample->head_len;
    char line[128], iso[11];
    int rc = 0, d, y;
    char mon[4];

    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3, n -= 3;
    snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
    out[0] = '\0';
    if (strncmp(line, "Last Updated,", 13) == 0) {
        char date[11];
        snprintf(date, sizeof date, "%.10s", line + 13);
        if (rf_list__date(cx, 1, "Last Updated", dmy(iso, date), NULL, out, &rc)) return 0;
    } else if (sscanf(line, "Report Date: %d-%3s-%d", &d, mon, &y) == 3) {
        for (int m = 0; m < 12; m++)
            if (strcasecmp(mon, months[m]) == 0) {
                snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m + 1, d);
                if (rf_list__date(cx, 1, "Report Date", iso, NULL, out, &rc)) return 0;
            }
    }
    out[0] = '\0';
    return rc;
}

/* Line 1 starts as the layout says and line 2 is a header with its key columns. */
static int detect(const rf_list_sample *s, const uk_layout *layout)
{
    const char *data = s->head, *nl;
    size_t len = s->head_len;
    const char *const signature[] = {layout->header[U_ID], layout->header[U_NAME6],
                                     layout->header[U_NAME_TYPE], NULL};
    size_t n = strlen(layout->first_line);

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, len -= 3;
    if (len < n || strncmp(data, layout->first_line, n) != 0) return 0;
    if (!(nl = memchr(data, '\n', len))) return 0;
    return rf_rows__header_has(nl + 1, len - (size_t)(nl + 1 - data), ',', signature);
}

static int detect_ofsi(const rf_list_sample *s)
{
    return detect(s, &ofsi);
}

static int detect_fcdo(const rf_list_sample *s)
{
    return detect(s, &fcdo);
}

static int parse_ofsi(rf_list_ctx *cx)
{
    return parse(cx, &ofsi);
}

static int parse_fcdo(rf_list_ctx *cx)
{
    return parse(cx, &fcdo);
}

const rf_list_format_def rf_list_uk_ofsi_format = {
    RF_LIST_UK_OFSI_CSV, "uk-ofsi-csv", "uk", detect_ofsi, published, parse_ofsi, NULL,
};

const rf_list_format_def rf_list_uk_fcdo_format = {
    RF_LIST_UK_FCDO_CSV, "uk-fcdo-csv", "uk", detect_fcdo, published, parse_fcdo, NULL,
};
