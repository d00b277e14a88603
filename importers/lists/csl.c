/* csl.c: the trade.gov Consolidated Screening List as CSV (29 columns, "_id" first; the 2022
 * layout quotes only where needed, the current one quotes every field). One row is one
 * listed party of one of the thirteen lists the CSL merges; the list is named in `source`
 * ("Entity List (EL) - Bureau of Industry and Security") and its code is what stands in
 * the parentheses. Feed "csl", format "csl-csv". The CSV gives no publication date: the
 * version's date is --effective or, without it, the import date. */
#include "list_import.h"

#include <string.h>
#include <strings.h>

enum {
    C_ID, C_SOURCE, C_TYPE, C_PROGRAMS, C_NAME, C_TITLE, C_ADDRESSES, C_FRN, C_START, C_END,
    C_LIC_REQ, C_LIC_POLICY, C_REMARKS, C_LIST_URL, C_ALT_NAMES, C_CITIZENSHIPS, C_DOB,
    C_NATIONALITIES, C_INFO_URL, C_IDS, C_COUNT
};

static const char *const columns[] = {
    "_id", "source", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "license_requirement",
    "license_policy", "remarks", "source_list_url", "alt_names", "citizenships",
    "dates_of_birth", "nationalities", "source_information_url", "ids", NULL};

/* What detection looks for: the columns no other list file has together. */
static const char *const signature[] = {"_id", "source", "entity_number", "name",
                                        "alt_names", NULL};

typedef struct csl_reader {
    rf_list_ctx *cx;
    rf_namer *namer;
    size_t col[C_COUNT];
    size_t n_columns; /* fields in the header, which every row must have */
    int have_header;
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
} csl_reader;

static int detect(const rf_list_sample *s)
{
    return rf_rows__header_has(s->head, s->head_len, ',', signature);
}

const char *rf_csl__list_code(rf_list_ctx *cx, const char *source)
{
    const char *open = strchr(source, '('), *close;
    size_t n;

    if (!open || !(close = strchr(open, ')')) || close == open + 1) return NULL;
    n = (size_t)(close - open - 1);
    if (n > 5 && strncasecmp(close - 5, " List", 5) == 0) n -= 5;
    return rf_strpool__add(&cx->pool, open + 1, n);
}

/* 1 when s is an ISO 3166 alpha-2 code as the CSL writes it ("CN"). */
static int is_country_code(const char *s)
{
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0';
}

/* The addresses column: "; "-separated addresses (the current layout also writes "; and "),
 * each "street, city, state, postal code, COUNTRY" with empty parts left out, so only the
 * country (an ISO code, last) can be told apart; the rest stays the address's text, white
 * space collapsed. Cut in place. */
static int split_addresses(csl_reader *r, char *s, size_t *n_out, long line)
{
    size_t n = 0;
    char *next;

    for (; s; s = next) {
        char *text = s, *country = NULL, *comma, *last;

        if ((next = strchr(s, ';')) != NULL) *next++ = '\0';
        rf_text__collapse(text, strlen(text));
        if (strncasecmp(text, "and ", 4) == 0) text += 4;
        comma = strrchr(text, ',');
        last = comma ? comma + 1 : text;
        while (*last == ' ') last++;
        if (is_country_code(last)) {
            country = last;
            if (comma) *comma = '\0';
            else text = NULL;
        }
        if (text) {
            size_t tl = strlen(text);
            while (tl && (text[tl - 1] == ',' || text[tl - 1] == ' ')) text[--tl] = '\0';
            if (tl == 0) text = NULL;
        }
        if (!text && !country) continue;
        if (n == RF_MAX_ADDRESSES)
            return rf_list__fail(r->cx, RF_ELIMIT, line, "more than %d addresses for one entity",
                                RF_MAX_ADDRESSES);
        r->addresses[n].text = text;
        r->addresses[n].city = NULL; /* not told apart from the state in this layout */
        r->addresses[n].country = country;
        n++;
    }
    *n_out = n;
    return 0;
}

/* 1 when the row repeats the header (the 2023 file has its header twice). */
static int is_header(const csl_reader *r, const rf_row *row)
{
    const char *id = row->field[r->col[C_ID]], *source = row->field[r->col[C_SOURCE]];
    return strcmp(id, "_id") == 0 && strcmp(source, "source") == 0;
}

static int on_row(rf_row *row, void *ctx)
{
    csl_reader *r = ctx;
    rf_list_ctx *cx = r->cx;
    rf_entity e;
    char start[11], end[11];
    const char *type, *alt, *f;
    char *addresses;
    int rc;

    if (!r->have_header) {
        r->have_header = 1;
        r->n_columns = row->n;
        return rf_rows__map_header(r->col, row, columns, cx);
    }
    if (row->n != r->n_columns)
        return rf_list__fail(cx, RF_EFORMAT, row->line, "row has %zu fields, the header has %zu",
                            row->n, r->n_columns);
    if (is_header(r, row))
        return rf_list__warn(cx, row->line, "the header row is repeated here; skipped");
    cx->sum->rows++;
    rf_list__entity_begin(cx, &e, row->line, NULL, NULL);
    if (!(e.source_id = rf_row__get(row, r->col[C_ID])))
        return rf_list__fail(cx, RF_EFORMAT, row->line, "row has no _id");
    if (!(e.list_name = rf_row__get(row, r->col[C_SOURCE])))
        return rf_list__fail(cx, RF_EFORMAT, row->line, "row has no source list");
    if (!(e.list_code = rf_csl__list_code(cx, e.list_name))) {
        if ((rc = rf_list__warn(cx, row->line, "source \"%s\" names no list code in "
                               "parentheses; the whole source is used", e.list_name)) != 0)
            return rc;
        e.list_code = e.list_name;
    }
    if (!(f = rf_row__get(row, r->col[C_NAME])))
        return rf_list__fail(cx, RF_EFORMAT, row->line, "row has no name");
    if ((rc = rf_names__split(&r->names, r->namer, f, cx, row->line)) != 0) return rc;
    if ((alt = rf_row__get(row, r->col[C_ALT_NAMES])) != NULL) {
        /* alt_names is "; "-separated, sometimes ending "; and X". */
        const char *p = alt;
        for (const char *sc; p; p = sc ? sc + 1 : NULL) {
            sc = strchr(p, ';');
            if ((rc = rf_names__add_listed(&r->names, r->namer, p,
                                          sc ? (size_t)(sc - p) : strlen(p), cx, row->line)) != 0)
                return rc;
        }
    }
    e.names = r->names.names;
    e.n_names = r->names.n;
    e.parent_name = r->names.parent;

    type = rf_row__get(row, r->col[C_TYPE]);
    e.type = rf_list__entity_type(type);
    if (e.type == RF_ENTITY_UNKNOWN) {
        if (type && (rc = rf_list__warn(cx, row->line, "unknown type \"%s\"; guessed from the "
                                       "name", type)) != 0)
            return rc;
        e.type = rf_names__guess_type(r->namer, e.names[0].text);
    }

    e.programs = rf_row__get(row, r->col[C_PROGRAMS]);
    e.federal_register = rf_row__get(row, r->col[C_FRN]);
    e.start_date = rf_list__date(cx, row->line, "start_date", rf_row__get(row, r->col[C_START]),
                                NULL, start, &rc);
    if (rc) return rc;
    e.end_date = rf_list__date(cx, row->line, "end_date", rf_row__get(row, r->col[C_END]), NULL,
                              end, &rc);
    if (rc) return rc;
    e.license_requirement = rf_row__get(row, r->col[C_LIC_REQ]);
    e.license_policy = rf_row__get(row, r->col[C_LIC_POLICY]);
    e.remarks = rf_row__get(row, r->col[C_REMARKS]);
    e.title = rf_row__get(row, r->col[C_TITLE]);
    /* The list's own page first; the page about the list when that is all there is. */
    if (!(e.source_url = rf_row__get(row, r->col[C_LIST_URL])))
        e.source_url = rf_row__get(row, r->col[C_INFO_URL]);
    if (!(e.nationalities = rf_row__get(row, r->col[C_NATIONALITIES])))
        e.nationalities = rf_row__get(row, r->col[C_CITIZENSHIPS]);
    e.dates_of_birth = rf_row__get(row, r->col[C_DOB]);
    e.ids = rf_row__get(row, r->col[C_IDS]);

    if ((addresses = (char *)rf_row__get(row, r->col[C_ADDRESSES])) != NULL &&
        (rc = split_addresses(r, addresses, &e.n_addresses, row->line)) != 0)
        return rc;
    e.addresses = r->addresses;
    return rf_list__emit(cx, &e);
}

static int parse(rf_list_ctx *cx)
{
    csl_reader r;
    int rc;

    memset(&r, 0, sizeof r);
    r.cx = cx;
    if ((rc = rf_namer__new(&r.namer, cx->err)) != 0) return rc;
    rc = rf_rows__read_input(cx, cx->input, RF_TEXT_AS_IS, ',', on_row, &r);
    if (rc == 0 && !r.have_header) rc = rf_list__fail(cx, RF_EFORMAT, 0, "the file is empty");
    rf_namer__free(r.namer);
    return rc;
}

const rf_list_format_def rf_list_csl_format = {
    RF_LIST_CSL_CSV, "csl-csv", "csl", detect, NULL, parse, NULL,
};
