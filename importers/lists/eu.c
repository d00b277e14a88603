/* eu.c: the EU Financial Sanctions File (consolidated list of persons, groups and entities
 * subject to EU financial sanctions). Feed "eu", list code "EU". Two formats, one entity
 * builder:
 *  - the semicolon CSV of the 1.0 layout, in Latin-1: one row per fact of an entity (a name
 *    alias, an address, a birth, an identification, a citizenship, each with the regulation
 *    that published it), rows of one entity together, Entity_logical_id joining them and
 *    EU_ref_num naming it; the export wraps every line in one pair of quotes (inner quotes
 *    doubled) and pads it with tabs. A file cut in the middle of a line (partial downloads,
 *    the excerpt in the tests) loses that line with a warning, not the file.
 *  - the XML of schema 1.1 (export/sanctionEntity with regulation, subjectType, nameAlias,
 *    citizenship, birthdate, address, identification as attributes), read as a stream.
 * The first name alias is the primary name, the others aliases ("strong" false: weak).
 * The entity's start date is the earliest publication of its regulations, its programs
 * their programme codes; the file's date (Date_file, generationDate) is the version's. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIST_NAME "EU Financial Sanctions File (consolidated list of persons, groups and " \
                  "entities subject to EU financial sanctions)"

typedef struct eu_reader {
    rf_list_ctx *cx;
    rf_entity e;
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
    char start[11];
    char id[64]; /* the entity being gathered (CSV) */
    long line;   /* physical line (CSV) */
    int cut;     /* the last line was cut short (CSV) */
    rf_buf inner;
} eu_reader;

/* ---- the entity builder ------------------------------------------------------------------ */

static void eu_begin(eu_reader *r, const char *logical_id, long line)
{
    rf_list__entity_begin(r->cx, &r->e, line, "EU", LIST_NAME);
    r->e.addresses = r->addresses;
    r->names.n = 0;
    r->names.parent = NULL;
    r->start[0] = '\0';
    snprintf(r->id, sizeof r->id, "%s", logical_id ? logical_id : "");
}

/* Copies s into the pool (the CSV's fields live only during their row). */
static const char *keep(eu_reader *r, const char *s, int *rc)
{
    const char *copy;
    if (!s || !*s) return NULL;
    if (!(copy = rf_strpool__add(&r->cx->pool, s, strlen(s))))
        *rc = rf_list__fail(r->cx, RF_ENOMEM, r->line, "out of memory");
    return copy;
}

static int eu_regulation(eu_reader *r, const char *programme, const char *published, long line)
{
    char date[11];
    int rc = 0;
    if (programme &&
        (rc = rf_list__join(r->cx, &r->e.programs, programme, strlen(programme), line)))
        return rc;
    if (published && rf_list__date(r->cx, line, "publication date", published, NULL, date, &rc) &&
        (!r->start[0] || strcmp(date, r->start) < 0))
        memcpy(r->start, date, sizeof date);
    return rc;
}

static int eu_name(eu_reader *r, const char *whole, const char *first, const char *middle,
                   const char *last, int weak, const char *function, long line)
{
    const char *parts[] = {first, middle, last};
    rf_buf name = {0};
    int rc = 0;

    if (!whole) {
        /* Only the parts are given: joined by spaces, as wholeName writes them. */
        for (size_t i = 0; i < 3 && rc == 0; i++)
            if (parts[i] && *parts[i])
                rc = (name.len && rf_buf_putc(&name, ' ')) || rf_buf_puts(&name, parts[i]);
        if (rc) {
            rf_buf_free(&name);
            return rf_list__fail(r->cx, RF_ENOMEM, line, "out of memory");
        }
        whole = name.data;
    }
    if (whole && *whole)
        rc = rf_names__add(&r->names, whole, strlen(whole),
                          r->names.n == 0 ? RF_NAME_PRIMARY : weak ? RF_NAME_WEAK_ALIAS : RF_NAME_ALIAS,
                          r->cx, line);
    rf_buf_free(&name);
    if (rc == 0 && function && *function)
        rc = rf_list__join(r->cx, &r->e.title, function, strlen(function), line);
    return rc;
}

static int eu_address(eu_reader *r, const char *const *parts, size_t n, const char *city,
                      const char *country, long line)
{
    int rc = 0;
    const char *text = rf_list__concat(r->cx, parts, n, &rc);
    const char *c = rc ? NULL : keep(r, city, &rc);
    const char *k = rc ? NULL : keep(r, country, &rc);
    if (rc) return rc;
    return rf_list__address(r->cx, r->addresses, &r->e.n_addresses, text, c, k, line);
}

/* "N/A" is how the CSV says a birth date is not known. */
static int eu_fact(eu_reader *r, const char **field, const char *value, long line)
{
    if (!value || !*value || strcmp(value, "N/A") == 0) return 0;
    return rf_list__join(r->cx, field, value, strlen(value), line);
}

static int eu_citizenship(eu_reader *r, const char *country, long line)
{
    return country && *country
               ? rf_list__nationality(r->cx, &r->e.nationalities, country, strlen(country), line)
               : 0;
}

static int eu_emit(eu_reader *r)
{
    if (!r->names.n)
        return rf_list__warn(r->cx, r->e.source_line, "entity %s has no name; left out",
                            r->e.source_id ? r->e.source_id : r->id);
    r->e.names = r->names.names;
    r->e.n_names = r->names.n;
    r->e.start_date = r->start[0] ? r->start : NULL;
    if (!r->e.source_id) r->e.source_id = r->id;
    r->cx->sum->rows++;
    return rf_list__emit(r->cx, &r->e);
}

/* ---- the CSV ---------------------------------------------------------------------------- */

enum {
    C_DATE_FILE = 0, C_ENTITY = 1, C_SUBJECT = 2, C_PUBLISHED = 4, C_PROGRAMME = 6, C_REMARK = 7,
    C_NAAL_ID = 8, C_LASTNAME = 14, C_FIRSTNAME = 15, C_MIDDLENAME = 16, C_WHOLENAME = 17,
    C_TITLE = 19, C_FUNCTION = 20, C_ADDR_ID = 22, C_NUMBER = 28, C_STREET = 29, C_ZIP = 30,
    C_CITY = 31, C_COUNTRY = 32, C_OTHER = 33, C_BIRTH_ID = 34, C_BIRTH_DATE = 40,
    C_BIRTH_PLACE = 41, C_BIRTH_COUNTRY = 42, C_IDEN_ID = 43, C_IDEN_NUMBER = 49,
    C_IDEN_COUNTRY = 50, C_CITI_ID = 51, C_CITI_COUNTRY = 57, C_EU_REF = 58, C_COUNT = 59
};

static int on_csv_row(rf_row *row, void *ctx)
{
    eu_reader *r = ctx;
    rf_list_ctx *cx = r->cx;
    const char *id, *f;
    long line = r->line;
    int rc = 0;

    if (row->n != C_COUNT)
        return rf_list__fail(cx, RF_EFORMAT, line, "row has %zu fields; the EU file has %d",
                            row->n, C_COUNT);
    if (!(id = rf_row__get(row, C_ENTITY)))
        return rf_list__fail(cx, RF_EFORMAT, line, "row has no Entity_logical_id");
    if (strcmp(id, r->id) != 0) {
        if (r->id[0] && (rc = eu_emit(r)) != 0) return rc;
        eu_begin(r, id, line);
        r->e.type = (f = rf_row__get(row, C_SUBJECT)) && strcmp(f, "P") == 0 ? RF_ENTITY_PERSON
                                                                           : RF_ENTITY_ORGANIZATION;
    }
    if (!r->e.source_id) r->e.source_id = keep(r, rf_row__get(row, C_EU_REF), &rc);
    if (!r->e.remarks) r->e.remarks = keep(r, rf_row__get(row, C_REMARK), &rc);
    if (rc ||
        (rc = eu_regulation(r, rf_row__get(row, C_PROGRAMME), rf_row__get(row, C_PUBLISHED), line)))
        return rc;
    if (rf_row__get(row, C_NAAL_ID))
        rc = eu_name(r, rf_row__get(row, C_WHOLENAME), rf_row__get(row, C_FIRSTNAME),
                     rf_row__get(row, C_MIDDLENAME), rf_row__get(row, C_LASTNAME), 0,
                     rf_row__get(row, C_FUNCTION), line);
    if (rc == 0 && rf_row__get(row, C_ADDR_ID)) {
        const char *parts[] = {rf_row__get(row, C_NUMBER), rf_row__get(row, C_STREET),
                               rf_row__get(row, C_ZIP), rf_row__get(row, C_CITY),
                               rf_row__get(row, C_OTHER)};
        rc = eu_address(r, parts, sizeof parts / sizeof *parts, rf_row__get(row, C_CITY),
                        rf_row__get(row, C_COUNTRY), line);
    }
    if (rc == 0 && rf_row__get(row, C_BIRTH_ID))
        rc = eu_fact(r, &r->e.dates_of_birth, rf_row__get(row, C_BIRTH_DATE), line);
    if (rc == 0 && rf_row__get(row, C_IDEN_ID))
        rc = eu_fact(r, &r->e.ids, rf_row__get(row, C_IDEN_NUMBER), line);
    if (rc == 0 && rf_row__get(row, C_CITI_ID))
        rc = eu_citizenship(r, rf_row__get(row, C_CITI_COUNTRY), line);
    return rc;
}

/* One physical line (rf_line_fn): the outer quotes and tab padding off, inner quotes
 * undoubled, then read as a semicolon row. A last line that the end of the file cut short
 * (no newline, no closing quote) sets r->cut. Line 1 is the header. */
static int csv_line(const char *s, size_t n, long number, void *ctx)
{
    eu_reader *r = ctx;
    rf_list_ctx *cx = r->cx;
    int rc, last = n == 0 || s[n - 1] != '\n';

    r->line = number;
    if (number == 1) return 0;
    while (n && (s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
    if (n && s[0] == '"') {
        s++, n--;
        if (!n || s[n - 1] != '"') {
            if (last) {
                r->cut = 1;
                return 0;
            }
            return rf_list__fail(cx, RF_EFORMAT, r->line, "the line's closing quote is missing");
        }
        n--;
    }
    while (n && s[n - 1] == '\t') n--;
    rf_buf_reset(&r->inner);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') i++;
        if (rf_buf_putc(&r->inner, s[i]))
            return rf_list__fail(cx, RF_ELIMIT, r->line, "line too long");
    }
    if (!r->inner.len) return 0;
    rc = rf_rows__read(r->inner.data, r->inner.len, ';', cx->name, on_csv_row, r, cx->err);
    if (rc && cx->err && cx->err->line == 1) cx->err->line = r->line; /* the line in the file */
    return rc;
}

static int parse_csv(rf_list_ctx *cx)
{
    eu_reader *r = calloc(1, sizeof *r);
    rf_list_stream *s = NULL;
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    r->inner.max = RF_ROW_MAX_FIELDS * (size_t)RF_MAX_FIELD;
    /* A line twice the unquoted row at most (every quote doubled). */
    if ((rc = rf_list__stream_open(&s, cx, cx->input, RF_TEXT_LATIN1)) == 0)
        rc = rf_list__stream_lines(s, 2 * r->inner.max + 8, csv_line, r);
    rf_list__stream_close(s);
    if (rc == 0 && r->cut)
        rc = rf_list__warn(cx, r->line, "the file ends in the middle of this line (a partial "
                          "download?): the line is left out, and the entity before it may lack "
                          "facts that followed");
    if (rc == 0 && r->id[0]) rc = eu_emit(r);
    if (rc == 0 && cx->sum->entities == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no entity in the file");
    rf_buf_free(&r->inner);
    free(r);
    return rc;
}

/* "04/07/2018;1;P;..." on line 2: Date_file, DD/MM/YYYY, read from the sample. */
static int published_csv(char out[11], rf_list_ctx *cx)
{
    const char *data = cx->sample->head, *nl, *p;
    size_t len = cx->sample->head_len;
    int rc = 0;
    char iso[11];

    out[0] = '\0';
    if (!(nl = memchr(data, '\n', len)) || (size_t)(nl + 1 - data) + 12 > len) return 0;
    p = nl + 1 + (nl[1] == '"');
    if (p[2] != '/' || p[5] != '/') return 0;
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", p + 6, p + 3, p);
    if (!rf_list__date(cx, 2, "Date_file", iso, NULL, out, &rc)) out[0] = '\0';
    return rc;
}

static int detect_csv(const rf_list_sample *s)
{
    static const char head[] = "Date_file", columns[] = "Entity_logical_id;Subject_type";
    const char *data = s->head;
    size_t len = s->head_len;
    if (len && data[0] == '"') data++, len--;
    if (len <= 64 || strncasecmp(data, head, sizeof head - 1) != 0) return 0;
    /* data[0..len) need not end in NUL: no strstr. */
    for (size_t i = 0; i < 256 && i + sizeof columns - 1 <= len; i++)
        if (memcmp(data + i, columns, sizeof columns - 1) == 0) return 1;
    return 0;
}

/* ---- the XML ---------------------------------------------------------------------------- */

#define EU_NS "http://eu.europa.ec/fpi/fsd/export"

static const char *const records[] = {"export/sanctionEntity", NULL};

static int on_entity(eu_reader *r, const rf_xml_record *rec)
{
    rf_list_ctx *cx = r->cx;
    const char *type;
    int rc = 0;

    eu_begin(r, rf_xml__get(rec, 0, "@logicalId", NULL), rec->line);
    if (!r->id[0])
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "sanctionEntity %ld has no logicalId",
                            rec->index);
    r->e.source_id = rf_xml__get(rec, 0, "@euReferenceNumber", NULL);
    type = rf_xml__get(rec, 0, "subjectType@code", NULL);
    r->e.type = rf_list__entity_type(type);
    if (r->e.type == RF_ENTITY_UNKNOWN)
        r->e.type = (type = rf_xml__get(rec, 0, "subjectType@classificationCode", NULL)) &&
                            strcmp(type, "P") == 0 ? RF_ENTITY_PERSON : RF_ENTITY_ORGANIZATION;
    r->e.remarks = rf_xml__get(rec, 0, "remark", NULL);
    for (size_t i = 1; i < rec->n && rc == 0; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        size_t at = i + 1;
        if (n->value) continue;
        if (strcmp(n->path, "regulation") == 0) {
            rc = eu_regulation(r, rf_xml__get(rec, at, "regulation@programme", "regulation"),
                               rf_xml__get(rec, at, "regulation@publicationDate", "regulation"),
                               n->line);
        } else if (strcmp(n->path, "nameAlias") == 0) {
            const char *strong = rf_xml__get(rec, at, "nameAlias@strong", "nameAlias");
            rc = eu_name(r, rf_xml__get(rec, at, "nameAlias@wholeName", "nameAlias"),
                         rf_xml__get(rec, at, "nameAlias@firstName", "nameAlias"),
                         rf_xml__get(rec, at, "nameAlias@middleName", "nameAlias"),
                         rf_xml__get(rec, at, "nameAlias@lastName", "nameAlias"),
                         strong && strcmp(strong, "false") == 0,
                         rf_xml__get(rec, at, "nameAlias@function", "nameAlias"), n->line);
        } else if (strcmp(n->path, "address") == 0) {
            const char *parts[] = {rf_xml__get(rec, at, "address@street", "address"),
                                   rf_xml__get(rec, at, "address@poBox", "address"),
                                   rf_xml__get(rec, at, "address@zipCode", "address"),
                                   rf_xml__get(rec, at, "address@city", "address"),
                                   rf_xml__get(rec, at, "address@region", "address"),
                                   rf_xml__get(rec, at, "address@place", "address")};
            const char *country = rf_xml__get(rec, at, "address@countryIso2Code", "address");
            if (country && strcmp(country, "00") == 0) country = NULL; /* "unknown" */
            rc = eu_address(r, parts, sizeof parts / sizeof *parts, parts[3], country, n->line);
        } else if (strcmp(n->path, "birthdate") == 0) {
            const char *date = rf_xml__get(rec, at, "birthdate@birthdate", "birthdate");
            if (!date) date = rf_xml__get(rec, at, "birthdate@year", "birthdate");
            rc = eu_fact(r, &r->e.dates_of_birth, date, n->line);
        } else if (strcmp(n->path, "identification") == 0) {
            rc = eu_fact(r, &r->e.ids,
                         rf_xml__get(rec, at, "identification@number", "identification"), n->line);
        } else if (strcmp(n->path, "citizenship") == 0) {
            const char *c = rf_xml__get(rec, at, "citizenship@countryIso2Code", "citizenship");
            if (!c || strcmp(c, "00") == 0)
                c = rf_xml__get(rec, at, "citizenship@countryDescription", "citizenship");
            rc = eu_citizenship(r, c, n->line);
        }
    }
    return rc ? rc : eu_emit(r);
}

static int on_record(const rf_xml_record *rec, void *ctx)
{
    return on_entity(ctx, rec);
}

static int parse_xml(rf_list_ctx *cx)
{
    eu_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    rc = rf_xml__read(cx, records, on_record, r);
    if (rc == 0 && cx->sum->entities == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no sanctionEntity in the file");
    free(r);
    return rc;
}

static int published_xml(char out[11], rf_list_ctx *cx)
{
    return rf_xml__root_date(out, cx, "export", "generationDate");
}

static int detect_xml(const rf_list_sample *s)
{
    return rf_xml__root_is(s->head, s->head_len, "export", EU_NS) == 1;
}

const rf_list_format_def rf_list_eu_csv_format = {
    RF_LIST_EU_CSV, "eu-csv", "eu", detect_csv, published_csv, parse_csv, NULL,
};

const rf_list_format_def rf_list_eu_xml_format = {
    RF_LIST_EU_XML, "eu-xml", "eu", detect_xml, published_xml, parse_xml, NULL,
};
