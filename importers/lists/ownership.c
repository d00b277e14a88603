/* ownership.c: the generic ownership CSV, what exports from company registers and due-
 * diligence databases (Orbis, Dun & Bradstreet, Sayari, a company's own KYC) reduce to: one
 * row per link, "owner holds share of owned". Comma, semicolon or tab separated, a header
 * row naming the columns in the usual spellings (case, spaces, underscores, hyphens and
 * punctuation ignored):
 *   owner      owner, owner name, parent, parent name, shareholder, shareholder name
 *   owned      owned, owned name, company, company name, subsidiary, subsidiary name, entity
 *   share      share, share %, percent, percentage, ownership, ownership %, stake, % owned:
 *              "50", "50 %", "50,5", a range "25-50", ">50", ">=50", "50+", "<25"
 *   direct     direct, direct/indirect, type, link type: direct or indirect (D, I)
 *   source, as of (as of date, date), start date (from), end date (until, to)
 *   owner lei, owned lei (company lei, subsidiary lei), owner registration (owner reg no),
 *   owned registration (company registration), owner country, owned country (country)
 * owner, owned and share are required. The file is read twice: the first pass gathers each
 * owned company once (key: its LEI, else its registration number, else its name and
 * country), emitted as an entity of list code OWNED; the second emits every row as a
 * link to it. A row without owner or owned, or with a share that does not read, fails the
 * import naming its line. Feed "ownership", format "ownership-csv". */
#include "list_import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_OWNER, C_OWNED, C_SHARE, C_DIRECT, C_SOURCE, C_AS_OF, C_START, C_END, C_OWNER_LEI,
    C_OWNED_LEI, C_OWNER_REG, C_OWNED_REG, C_OWNER_COUNTRY, C_OWNED_COUNTRY, C_COUNT
};

/* The header spellings of each column, compared after folding (fold_header). */
static const char *const spellings[C_COUNT][10] = {
    [C_OWNER] = {"owner", "ownername", "parent", "parentname", "shareholder", "shareholdername",
                 "parentcompany", NULL},
    [C_OWNED] = {"owned", "ownedname", "company", "companyname", "subsidiary",
                 "subsidiaryname", "entity", "entityname", "ownedcompany", NULL},
    [C_SHARE] = {"share", "percent", "percentage", "ownership", "stake", "sharepercent", "ownershippercent", "ownershippercentage", NULL},
    [C_DIRECT] = {"direct", "directindirect", "type", "linktype", "ownershiptype", NULL},
    [C_SOURCE] = {"source", "datasource", NULL},
    [C_AS_OF] = {"asof", "asofdate", "date", "reportdate", NULL},
    [C_START] = {"startdate", "from", "validfrom", "start", NULL},
    [C_END] = {"enddate", "until", "to", "validto", "end", NULL},
    [C_OWNER_LEI] = {"ownerlei", "parentlei", "shareholderlei", NULL},
    [C_OWNED_LEI] = {"ownedlei", "companylei", "subsidiarylei", "entitylei", "lei", NULL},
    [C_OWNER_REG] = {"ownerregistration", "ownerregistrationnumber", "ownerregno",
                     "parentregistrationnumber", NULL},
    [C_OWNED_REG] = {"ownedregistration", "ownedregistrationnumber", "ownedregno",
                     "companyregistrationnumber", "registrationnumber", NULL},
    [C_OWNER_COUNTRY] = {"ownercountry", "parentcountry", "shareholdercountry", NULL},
    [C_OWNED_COUNTRY] = {"ownedcountry", "companycountry", "subsidiarycountry", "country",
                         NULL},
};

/* A header as compared: ASCII letters lowercased, everything else but letters dropped, "%"
 * read as "percent" ("Share %" is sharepercent, "% owned" percentowned). */
static void fold_header(char *out, size_t size, const char *in, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < size; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            const char *w = "percent";
            while (*w && n + 1 < size) out[n++] = *w++;
        } else if (isalpha(c)) {
            out[n++] = (char)tolower(c);
        }
    }
    out[n] = '\0';
    if (strcmp(out, "percentowned") == 0 || strcmp(out, "ownedpercent") == 0)
        snprintf(out, size, "share");
}

/* The column a folded header is, C_COUNT when none. "owned" alone is the owned company. */
static int column_of(const char *folded)
{
    for (int c = 0; c < C_COUNT; c++)
        for (size_t k = 0; spellings[c][k]; k++)
            if (strcmp(folded, spellings[c][k]) == 0) return c;
    return C_COUNT;
}

/* Maps each column to its position in a header of n fields; 1 when owner, owned and share
 * are all there. */
static int map_header(size_t idx[C_COUNT], const char *const *field, const size_t *len,
                      size_t n)
{
    for (int c = 0; c < C_COUNT; c++) idx[c] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        char folded[64];
        int c;
        fold_header(folded, sizeof folded, field[i], len[i]);
        c = column_of(folded);
        /* "Owner, Owned Name, Owned": the second "owned" is the share */
        if (c == C_OWNED && idx[C_OWNED] != SIZE_MAX && strcmp(folded, "owned") == 0)
            c = C_SHARE;
        if (c < C_COUNT && idx[c] == SIZE_MAX) idx[c] = i;
    }
    return idx[C_OWNER] != SIZE_MAX && idx[C_OWNED] != SIZE_MAX && idx[C_SHARE] != SIZE_MAX;
}

/* The separator of a header line: the one of , ; TAB it holds most of. */
static char separator(const char *line, size_t len)
{
    size_t counts[3] = {0, 0, 0};
    const char seps[3] = {',', ';', '\t'};
    int best = 0;
    for (size_t i = 0; i < len && line[i] != '\n'; i++)
        for (int k = 0; k < 3; k++) counts[k] += line[i] == seps[k];
    for (int k = 1; k < 3; k++)
        if (counts[k] > counts[best]) best = k;
    return seps[best];
}

static int detect(const rf_list_sample *s)
{
    const char *fields[RF_ROW_MAX_FIELDS];
    size_t lens[RF_ROW_MAX_FIELDS], n = 0, at = 0, end = 0, idx[C_COUNT];
    char sep;

    if (s->head_len >= 3 && memcmp(s->head, "\xEF\xBB\xBF", 3) == 0) at = 3;
    while (at + end < s->head_len && s->head[at + end] != '\n') end++;
    sep = separator(s->head + at, end);
    for (size_t i = at, start = at; i <= at + end && n < RF_ROW_MAX_FIELDS; i++) {
        if (i == at + end || s->head[i] == sep) {
            size_t b = start, e = i;
            while (b < e && (s->head[b] == '"' || s->head[b] == ' ')) b++;
            while (e > b && (s->head[e - 1] == '"' || s->head[e - 1] == ' ' ||
                             s->head[e - 1] == '\r'))
                e--;
            fields[n] = s->head + b;
            lens[n++] = e - b;
            start = i + 1;
        }
    }
    return map_header(idx, fields, lens, n);
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct owned_key {
    char *key;      /* LEI, else registration, else folded name and country */
    long line;      /* first row naming it */
    long long position; /* 1-based among the entities emitted */
} owned_key;

typedef struct own_reader {
    rf_list_ctx *cx;
    size_t col[C_COUNT];
    int pass;       /* 0: gathering owned companies, 1: emitting links */
    int have_header;
    owned_key *keys;
    size_t n_keys, cap_keys;
} own_reader;

static const char *get(own_reader *r, rf_row *row, int c)
{
    return r->col[c] < row->n ? rf_row__get(row, r->col[c]) : NULL;
}

/* The key of the row's owned company, malloc'd; NULL when out of memory. */
static char *owned_key_of(own_reader *r, rf_row *row)
{
    const char *lei = get(r, row, C_OWNED_LEI), *reg = get(r, row, C_OWNED_REG);
    const char *name = get(r, row, C_OWNED), *country = get(r, row, C_OWNED_COUNTRY);
    rf_buf b = {0};
    int rc;
    if (lei) rc = rf_buf_printf(&b, "lei:%s", lei);
    else if (reg) rc = rf_buf_printf(&b, "reg:%s|%s", reg, country ? country : "");
    else {
        rc = 0;
        for (const char *p = name ? name : ""; *p && rc == 0; p++)
            rc = rf_buf_putc(&b, (char)tolower((unsigned char)*p));
        if (rc == 0) rc = rf_buf_printf(&b, "|%s", country ? country : "");
    }
    if (rc) {
        rf_buf_free(&b);
        return NULL;
    }
    return rf_buf_detach(&b);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const owned_key *)a)->key, ((const owned_key *)b)->key);
}

int rf_list__share(double *lo, double *hi, const char *s)
{
    char buf[64], *p = buf, *end;
    size_t n = 0;
    int above = 0, below = 0;
    for (const char *q = s; *q && n + 1 < sizeof buf; q++) {
        if (*q == ' ' || *q == '%') continue;
        if ((unsigned char)q[0] == 0xE2 && (unsigned char)q[1] == 0x80 &&
            ((unsigned char)q[2] == 0x93 || (unsigned char)q[2] == 0x94)) { /* en/em dash */
            buf[n++] = '-';
            q += 2;
            continue;
        }
        buf[n++] = *q == ',' ? '.' : *q;
    }
    buf[n] = '\0';
    if (*p == '>') above = 1, p += 1 + (p[1] == '=');
    else if (*p == '<') below = 1, p += 1 + (p[1] == '=');
    *lo = strtod(p, &end);
    if (end == p) return -1;
    *hi = *lo;
    if (*end == '+') above = 1, end++;
    else if (*end == '-' && end[1]) {
        p = end + 1;
        *hi = strtod(p, &end);
        if (end == p) return -1;
    }
    if (*end) return -1;
    if (above) *hi = 100;
    if (below) *hi = *lo, *lo = 0;
    return *lo >= 0 && *hi <= 100 && *lo <= *hi ? 0 : -1;
}

static int gather(own_reader *r, rf_row *row)
{
    owned_key *k;
    if (r->n_keys == r->cap_keys) {
        size_t cap = r->cap_keys ? r->cap_keys * 2 : 64;
        owned_key *grown = realloc(r->keys, cap * sizeof *grown);
        if (!grown) return rf_list__fail(r->cx, RF_ENOMEM, row->line, "out of memory");
        r->keys = grown;
        r->cap_keys = cap;
    }
    k = &r->keys[r->n_keys];
    if (!(k->key = owned_key_of(r, row)))
        return rf_list__fail(r->cx, RF_ENOMEM, row->line, "out of memory");
    k->line = row->line;
    k->position = 0;
    r->n_keys++;
    return 0;
}

/* Emits the owned company of the row that first named it (pass 1 meets it again). */
static int emit_owned(own_reader *r, rf_row *row, owned_key *k, long long *emitted)
{
    rf_list_ctx *cx = r->cx;
    const char *lei = get(r, row, C_OWNED_LEI), *reg = get(r, row, C_OWNED_REG);
    const char *country = get(r, row, C_OWNED_COUNTRY), *ids = NULL;
    rf_name name = {get(r, row, C_OWNED), RF_NAME_PRIMARY};
    rf_address addr = {NULL, NULL, country};
    rf_entity e;
    int rc;

    rf_list__entity_begin(cx, &e, row->line, "OWNED",
                         "Company in an ownership file (not listed)");
    if ((rc = rf_list__add_id(cx, &ids, "LEI", lei, NULL, row->line)) != 0 ||
        (rc = rf_list__add_id(cx, &ids, "Registration", reg, country, row->line)) != 0)
        return rc;
    e.source_id = k->key;
    e.type = RF_ENTITY_ORGANIZATION;
    e.ids = ids;
    e.names = &name;
    e.n_names = 1;
    e.addresses = country ? &addr : NULL;
    e.n_addresses = country ? 1 : 0;
    if ((rc = rf_list__emit(cx, &e)) != 0) return rc;
    k->position = ++*emitted;
    return 0;
}

/* The "; "-separated identifiers of one side of a link, in the pool. */
static const char *side_ids(own_reader *r, rf_row *row, int lei_col, int reg_col,
                            int country_col, int *rc)
{
    const char *ids = NULL;
    if ((*rc = rf_list__add_id(r->cx, &ids, "LEI", get(r, row, lei_col), NULL, row->line)) ||
        (*rc = rf_list__add_id(r->cx, &ids, "Registration", get(r, row, reg_col),
                              get(r, row, country_col), row->line)))
        return NULL;
    return ids;
}

static int date_of(own_reader *r, rf_row *row, int c, const char *what, char out[11],
                   const char **field)
{
    int rc = 0;
    *field = rf_list__date(r->cx, row->line, what, get(r, row, c), NULL, out, &rc);
    return rc;
}

static int emit_link(own_reader *r, rf_row *row, long long *emitted)
{
    rf_list_ctx *cx = r->cx;
    const char *share = get(r, row, C_SHARE), *direct = get(r, row, C_DIRECT);
    char as_of[11], start[11], end[11];
    owned_key probe, *k;
    rf_link l;
    int rc = 0;

    memset(&l, 0, sizeof l);
    rf_strpool__reset(&cx->pool); /* the previous link's identifiers */
    if (!(probe.key = owned_key_of(r, row)))
        return rf_list__fail(cx, RF_ENOMEM, row->line, "out of memory");
    k = bsearch(&probe, r->keys, r->n_keys, sizeof *k, key_cmp);
    free(probe.key);
    if (!k) return rf_list__fail(cx, RF_EFORMAT, row->line, "the file changed while read");
    if (!k->position && (rc = emit_owned(r, row, k, emitted)) != 0) return rc;
    l.owned_entity = k->position;
    l.owned_name = get(r, row, C_OWNED);
    l.owner_name = get(r, row, C_OWNER);
    l.owned_ids = side_ids(r, row, C_OWNED_LEI, C_OWNED_REG, C_OWNED_COUNTRY, &rc);
    if (!rc) l.owner_ids = side_ids(r, row, C_OWNER_LEI, C_OWNER_REG, C_OWNER_COUNTRY, &rc);
    if (rc) return rc;
    l.share_min = l.share_max = -1;
    if (share && rf_list__share(&l.share_min, &l.share_max, share) != 0)
        return rf_list__fail(cx, RF_EFORMAT, row->line,
                            "share \"%s\" is not a percentage (50, 50 %%, 25-50, >50)", share);
    if (!share) rc = rf_list__warn(cx, row->line, "no share given: the link counts for nothing");
    l.kind = RF_LINK_OWNERSHIP;
    l.direct = -1;
    if (direct && (direct[0] == 'd' || direct[0] == 'D')) l.direct = 1;
    else if (direct && (direct[0] == 'i' || direct[0] == 'I')) l.direct = 0;
    else if (direct)
        return rf_list__fail(cx, RF_EFORMAT, row->line,
                            "direct/indirect column says \"%s\": expected direct or indirect",
                            direct);
    l.relation = direct;
    l.source = get(r, row, C_SOURCE);
    if (rc || (rc = date_of(r, row, C_AS_OF, "as of", as_of, &l.as_of)) != 0 ||
        (rc = date_of(r, row, C_START, "start date", start, &l.start_date)) != 0 ||
        (rc = date_of(r, row, C_END, "end date", end, &l.end_date)) != 0)
        return rc;
    l.source_line = row->line;
    if ((rc = rf_import_add_link(cx->imp, &l, cx->err)) != 0 && cx->err &&
        !cx->err->file[0])
        snprintf(cx->err->file, sizeof cx->err->file, "%s", cx->name);
    if (rc == 0) cx->sum->rows++;
    return rc;
}

typedef struct pass_ctx {
    own_reader *r;
    long long emitted;
} pass_ctx;

static int on_row(rf_row *row, void *ctx)
{
    pass_ctx *p = ctx;
    own_reader *r = p->r;
    if (!r->have_header) {
        r->have_header = 1;
        if (!map_header(r->col, (const char *const *)row->field, row->len, row->n))
            return rf_list__fail(r->cx, RF_EFORMAT, row->line,
                                "the header names no owner, owned or share column");
        return 0;
    }
    if (!get(r, row, C_OWNER) || !get(r, row, C_OWNED))
        return rf_list__fail(r->cx, RF_EFORMAT, row->line,
                            "a link needs an owner and an owned company");
    return r->pass == 0 ? gather(r, row) : emit_link(r, row, &p->emitted);
}

static int parse(rf_list_ctx *cx)
{
    own_reader r;
    pass_ctx p = {&r, 0};
    char sep = separator(cx->sample->head, cx->sample->head_len);
    size_t kept = 0;
    int rc;

    memset(&r, 0, sizeof r);
    r.cx = cx;
    rc = rf_rows__read_input(cx, cx->input, RF_TEXT_CP1252, (unsigned char)sep, on_row, &p);
    if (rc == 0) {
        qsort(r.keys, r.n_keys, sizeof *r.keys, key_cmp);
        for (size_t i = 0; i < r.n_keys; i++) { /* one per company */
            if (kept && strcmp(r.keys[kept - 1].key, r.keys[i].key) == 0) {
                free(r.keys[i].key);
                continue;
            }
            r.keys[kept++] = r.keys[i];
        }
        r.n_keys = kept;
        r.pass = 1;
        r.have_header = 0;
        rc = rf_rows__read_input(cx, cx->input, RF_TEXT_CP1252, (unsigned char)sep, on_row, &p);
    }
    for (size_t i = 0; i < r.n_keys; i++) free(r.keys[i].key);
    free(r.keys);
    return rc;
}

const rf_list_format_def rf_list_ownership_csv_format = {
    RF_LIST_OWNERSHIP_CSV, "ownership-csv", "ownership", detect, NULL, parse, NULL};
