/* ftm.c: OpenSanctions FollowTheMoney (FtM) entities, JSON lines (one entity a line:
 * {"id", "schema", "caption", "properties": {...}, "datasets": [...]}), read for their
 * Ownership entities, which become ownership links (feed and format "ownership-ftm",
 * docs/ownership.md). The file is read twice through json.c: the first pass keeps, for each
 * entity that has a name (Company, Person, Organization, LegalEntity...), its id, caption,
 * names, identifiers and country, sorted by id; the second turns each Ownership entity into a
 * link from its owner to its asset, both named by those, and emits each asset once, with all
 * its names, as an entity of list code OWNED (a company described, not listed, as the
 * generic CSV's owned companies are). Memory grows with the named entities of the file, not
 * with the links. Other schemata (Sanction, Address, Directorship, Family...) are skipped. */
#include "list_import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The properties read; the others are skipped. */
enum {
    P_NAME, P_ALIAS, P_PREVIOUS_NAME, P_INN, P_OGRN, P_LEI, P_REGISTRATION, P_TAX, P_COUNTRY,
    P_OWNER, P_ASSET, P_PERCENTAGE, P_START, P_END, P_ROLE, P_COUNT
};

static const char *const property_names[P_COUNT] = {
    "name", "alias", "previousName", "innCode", "ogrnCode", "leiCode", "registrationNumber",
    "taxNumber", "country", "owner", "asset", "percentage", "startDate", "endDate", "role"};

/* How an identifier property is written into a link's or entity's identifiers. */
static const struct {
    int property;
    const char *type;
} id_types[] = {{P_INN, "INN"},          {P_OGRN, "OGRN"},       {P_LEI, "LEI"},
                {P_REGISTRATION, "Registration"}, {P_TAX, "Tax ID"}};

#define FTM_MAX_VALUES 4096 /* values of the properties read, per entity */

typedef struct ftm_value {
    int property;
    const char *text;
} ftm_value;

/* One entity as read: the strings live in `pool` until the next. */
typedef struct ftm_record {
    const char *id, *schema, *caption, *datasets;
    ftm_value values[FTM_MAX_VALUES];
    size_t n;
    long line;
    rf_strpool pool;
} ftm_record;

/* A named entity kept from the first pass. */
typedef struct ftm_party {
    char *id;
    char *names;        /* NUL-separated, the caption first; n_names of them */
    size_t n_names;
    char *ids;          /* "INN 1841015504; OGRN ..."; NULL when none */
    char *country;      /* the first one given; NULL when none */
    int person;
    long line;
    long long position; /* 1-based among the entities emitted; 0: not yet */
} ftm_party;

typedef struct ftm_reader {
    rf_list_ctx *cx;
    rf_json j;
    ftm_record rec;
    ftm_party *parties;
    size_t n_parties, cap_parties;
    long long emitted;
    long links, ownerships;
} ftm_reader;

/* ---- detection --------------------------------------------------------------------------- */

/* JSON lines whose first object has "schema" and "properties". */
static int detect(const rf_list_sample *s)
{
    const char *p = s->head, *end = s->head + s->head_len, *eol;
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    while (p < end && isspace((unsigned char)*p)) p++;
    if (p == end || *p != '{') return 0;
    eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    return rf_list__find(p, eol, "\"schema\"") && rf_list__find(p, eol, "\"properties\"");
}

/* ---- one entity ------------------------------------------------------------------------- */

static int property_of(const char *key)
{
    for (int p = 0; p < P_COUNT; p++)
        if (strcmp(key, property_names[p]) == 0) return p;
    return P_COUNT;
}

static const char *keep(ftm_reader *r, const char *s)
{
    return rf_strpool__add(&r->rec.pool, s, strlen(s));
}

static int add_value(ftm_reader *r, int property, const char *text)
{
    ftm_record *rec = &r->rec;
    if (rec->n == FTM_MAX_VALUES)
        return rf_list__fail(r->cx, RF_ELIMIT, rec->line, "an entity with more than %d values",
                            FTM_MAX_VALUES);
    if (!(rec->values[rec->n].text = keep(r, text)))
        return rf_list__fail(r->cx, RF_ENOMEM, rec->line, "out of memory");
    rec->values[rec->n++].property = property;
    return 0;
}

/* The members of "properties": arrays of strings. */
static int read_properties(ftm_reader *r)
{
    rf_json_token tok;
    int rc;
    for (;;) {
        int property;
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (tok == RF_JSON_OBJECT_END) return 0;
        property = property_of(r->j.text.data);
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (property == P_COUNT || tok != RF_JSON_ARRAY) {
            if ((rc = rf_json__skip(&r->j, tok)) != 0) return rc;
            continue;
        }
        while ((rc = rf_json__next(&r->j, &tok)) == 0 && tok != RF_JSON_ARRAY_END) {
            if (tok == RF_JSON_STRING || tok == RF_JSON_NUMBER) {
                if (r->j.text.data[0] && (rc = add_value(r, property, r->j.text.data)) != 0)
                    return rc;
            } else if ((rc = rf_json__skip(&r->j, tok)) != 0) {
                return rc;
            }
        }
        if (rc) return rc;
    }
}

/* "OpenSanctions ds1; ds2" from the "datasets" array. */
static int read_datasets(ftm_reader *r)
{
    rf_json_token tok;
    rf_buf b = {0};
    int rc;
    while ((rc = rf_json__next(&r->j, &tok)) == 0 && tok != RF_JSON_ARRAY_END) {
        if (tok != RF_JSON_STRING) {
            if ((rc = rf_json__skip(&r->j, tok)) != 0) break;
            continue;
        }
        if (rf_buf_printf(&b, "%s%s", b.len ? "; " : "OpenSanctions ", r->j.text.data)) {
            rc = rf_list__fail(r->cx, RF_ENOMEM, r->rec.line, "out of memory");
            break;
        }
    }
    if (rc == 0 && b.len && !(r->rec.datasets = keep(r, b.data)))
        rc = rf_list__fail(r->cx, RF_ENOMEM, r->rec.line, "out of memory");
    rf_buf_free(&b);
    return rc;
}

/* Reads the next entity into r->rec; *more is 0 at the file's end. */
static int read_entity(ftm_reader *r, int *more)
{
    ftm_record *rec = &r->rec;
    rf_json_token tok;
    int rc;

    rf_strpool__reset(&rec->pool);
    rec->id = rec->schema = rec->caption = rec->datasets = NULL;
    rec->n = 0;
    if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
    *more = tok != RF_JSON_END;
    if (!*more) return 0;
    rec->line = r->j.line;
    if (tok != RF_JSON_OBJECT)
        return rf_list__fail(r->cx, RF_EFORMAT, rec->line, "a line that is not a JSON object");
    for (;;) {
        char key[32];
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (tok == RF_JSON_OBJECT_END) break;
        snprintf(key, sizeof key, "%s", r->j.text.data);
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (tok == RF_JSON_STRING &&
            (!strcmp(key, "id") || !strcmp(key, "schema") || !strcmp(key, "caption"))) {
            const char *v = keep(r, r->j.text.data);
            if (!v) return rf_list__fail(r->cx, RF_ENOMEM, rec->line, "out of memory");
            *(key[0] == 'i' ? &rec->id : key[0] == 's' ? &rec->schema : &rec->caption) = v;
        } else if (tok == RF_JSON_OBJECT && !strcmp(key, "properties")) {
            if ((rc = read_properties(r)) != 0) return rc;
        } else if (tok == RF_JSON_ARRAY && !strcmp(key, "datasets")) {
            if ((rc = read_datasets(r)) != 0) return rc;
        } else if ((rc = rf_json__skip(&r->j, tok)) != 0) {
            return rc;
        }
    }
    if (!rec->id || !rec->schema || !rec->id[0])
        return rf_list__fail(r->cx, RF_EFORMAT, rec->line, "an entity without id or schema");
    return 0;
}

/* The first value of `property`, or NULL. */
static const char *first(const ftm_record *rec, int property)
{
    for (size_t i = 0; i < rec->n; i++)
        if (rec->values[i].property == property) return rec->values[i].text;
    return NULL;
}

/* ---- first pass: the named entities ---------------------------------------------------- */

static int party_cmp(const void *a, const void *b)
{
    return strcmp(((const ftm_party *)a)->id, ((const ftm_party *)b)->id);
}

/* Keeps the entity in r->rec when it has a name. */
static int keep_party(ftm_reader *r)
{
    const ftm_record *rec = &r->rec;
    const char *ids = NULL, *name = rec->caption ? rec->caption : first(rec, P_NAME);
    rf_buf names = {0};
    ftm_party *p;
    size_t n = 0;
    int rc = 0;

    if (!first(rec, P_NAME)) return 0;
    if (r->n_parties == r->cap_parties) {
        size_t cap = r->cap_parties ? r->cap_parties * 2 : 64;
        ftm_party *grown = realloc(r->parties, cap * sizeof *grown);
        if (!grown) return rf_list__fail(r->cx, RF_ENOMEM, rec->line, "out of memory");
        r->parties = grown;
        r->cap_parties = cap;
    }
    /* the caption first, then every name, alias and previous name not already there */
    for (size_t i = 0; !rc && (i == 0 || i <= rec->n); i++) {
        const char *v = i == 0 ? name : rec->values[i - 1].text;
        int dup = 0;
        if (i > 0 && rec->values[i - 1].property != P_NAME &&
            rec->values[i - 1].property != P_ALIAS &&
            rec->values[i - 1].property != P_PREVIOUS_NAME)
            continue;
        for (const char *q = names.data; q && q < names.data + names.len; q += strlen(q) + 1)
            dup |= strcmp(q, v) == 0;
        if (dup || n == RF_MAX_NAMES) continue;
        rc = rf_buf_append(&names, v, strlen(v) + 1);
        n++;
    }
    rf_strpool__reset(&r->cx->pool);
    for (size_t k = 0; !rc && k < sizeof id_types / sizeof *id_types; k++)
        for (size_t i = 0; !rc && i < rec->n; i++)
            if (rec->values[i].property == id_types[k].property)
                rc = rf_list__add_id(r->cx, &ids, id_types[k].type, rec->values[i].text, NULL,
                                    rec->line);
    p = &r->parties[r->n_parties];
    memset(p, 0, sizeof *p);
    if (rc || !(p->id = rf_strdup(rec->id)) || !(p->names = rf_buf_detach(&names)) ||
        (ids && !(p->ids = rf_strdup(ids))) ||
        (first(rec, P_COUNTRY) && !(p->country = rf_strdup(first(rec, P_COUNTRY))))) {
        rf_buf_free(&names);
        free(p->id);
        free(p->names);
        free(p->ids);
        return rc ? rc : rf_list__fail(r->cx, RF_ENOMEM, rec->line, "out of memory");
    }
    p->n_names = n;
    p->person = strcmp(rec->schema, "Person") == 0;
    p->line = rec->line;
    r->n_parties++;
    return 0;
}

/* ---- second pass: the links ------------------------------------------------------------ */

static ftm_party *party_of(ftm_reader *r, const char *id)
{
    ftm_party probe;
    if (!id) return NULL;
    probe.id = (char *)id;
    return bsearch(&probe, r->parties, r->n_parties, sizeof probe, party_cmp);
}

/* Emits the asset `p` as an entity of list OWNED with all its names, once. */
static int emit_asset(ftm_reader *r, ftm_party *p)
{
    rf_list_ctx *cx = r->cx;
    rf_name names[RF_MAX_NAMES];
    rf_address addr = {NULL, NULL, p->country};
    rf_entity e;
    const char *q = p->names;
    int rc;

    if (p->position) return 0;
    rf_list__entity_begin(cx, &e, p->line, "OWNED", "Company in an ownership file (not listed)");
    for (size_t i = 0; i < p->n_names; i++, q += strlen(q) + 1)
        names[i] = (rf_name){q, i ? RF_NAME_ALIAS : RF_NAME_PRIMARY};
    e.source_id = p->id;
    e.type = p->person ? RF_ENTITY_PERSON : RF_ENTITY_ORGANIZATION;
    e.ids = p->ids;
    e.names = names;
    e.n_names = p->n_names;
    e.addresses = p->country ? &addr : NULL;
    e.n_addresses = p->country ? 1 : 0;
    if ((rc = rf_list__emit(cx, &e)) != 0) return rc;
    p->position = ++r->emitted;
    return 0;
}

static int emit_link(ftm_reader *r)
{
    rf_list_ctx *cx = r->cx;
    const ftm_record *rec = &r->rec;
    const char *share = first(rec, P_PERCENTAGE);
    ftm_party *owner = party_of(r, first(rec, P_OWNER)), *asset = party_of(r, first(rec, P_ASSET));
    char start[11], end[11];
    rf_link l;
    int rc = 0;

    r->ownerships++;
    if (!first(rec, P_OWNER) || !first(rec, P_ASSET))
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "an Ownership without owner or asset");
    if (!owner || !asset)
        return rf_list__warn(cx, rec->line, "the %s of Ownership %s (%s) is not in the file: "
                            "the link is not read", owner ? "asset" : "owner", rec->id,
                            first(rec, owner ? P_ASSET : P_OWNER));
    if ((rc = emit_asset(r, asset)) != 0) return rc;
    memset(&l, 0, sizeof l);
    l.owned_entity = asset->position;
    l.owned_name = asset->names;
    l.owned_ids = asset->ids;
    l.owner_name = owner->names;
    l.owner_ids = owner->ids;
    l.share_min = l.share_max = -1;
    if (share && rf_list__share(&l.share_min, &l.share_max, share) != 0)
        return rf_list__fail(cx, RF_EFORMAT, rec->line,
                            "percentage \"%s\" of Ownership %s is not a percentage", share,
                            rec->id);
    if (!share &&
        (rc = rf_list__warn(cx, rec->line, "Ownership %s gives no percentage: the link counts "
                                           "for nothing", rec->id)) != 0)
        return rc;
    l.kind = RF_LINK_OWNERSHIP;
    l.direct = -1;
    l.relation = first(rec, P_ROLE);
    l.source = rec->datasets;
    l.start_date = rf_list__date(cx, rec->line, "startDate", first(rec, P_START), NULL, start, &rc);
    if (!rc) l.end_date = rf_list__date(cx, rec->line, "endDate", first(rec, P_END), NULL, end, &rc);
    if (rc) return rc;
    l.source_line = rec->line;
    if ((rc = rf_import_add_link(cx->imp, &l, cx->err)) != 0) {
        if (cx->err && !cx->err->file[0])
            snprintf(cx->err->file, sizeof cx->err->file, "%s", cx->name);
        return rc;
    }
    cx->sum->rows++;
    r->links++;
    return 0;
}

/* ---- the file -------------------------------------------------------------------------- */

/* Reads every entity of the file, calling `on_entity` on each. */
static int read_pass(ftm_reader *r, int (*on_entity)(ftm_reader *r))
{
    int rc, more = 1;
    if ((rc = rf_json__open(&r->j, r->cx)) == 0) {
        r->j.sequence = 1;
        do
            rc = read_entity(r, &more);
        while (rc == 0 && more && (rc = on_entity(r)) == 0);
    }
    rf_json__free(&r->j);
    return rc;
}

static int link_of(ftm_reader *r)
{
    return strcmp(r->rec.schema, "Ownership") == 0 ? emit_link(r) : 0;
}

static int parse(rf_list_ctx *cx)
{
    ftm_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    if ((rc = read_pass(r, keep_party)) == 0) {
        qsort(r->parties, r->n_parties, sizeof *r->parties, party_cmp);
        for (size_t i = 1; i < r->n_parties && rc == 0; i++)
            if (strcmp(r->parties[i - 1].id, r->parties[i].id) == 0)
                rc = rf_list__fail(cx, RF_EFORMAT, r->parties[i].line,
                                  "entity %s is in the file twice (line %ld)", r->parties[i].id,
                                  r->parties[i - 1].line);
    }
    if (rc == 0) rc = read_pass(r, link_of);
    if (rc == 0 && r->links == 0)
        rc = r->ownerships ? rf_list__fail(cx, RF_EFORMAT, 0,
                                          "none of the %ld Ownership entities could be read",
                                          r->ownerships)
                           : rf_list__fail(cx, RF_EFORMAT, 0, "no Ownership entity in the file");
    for (size_t i = 0; i < r->n_parties; i++) {
        free(r->parties[i].id);
        free(r->parties[i].names);
        free(r->parties[i].ids);
        free(r->parties[i].country);
    }
    free(r->parties);
    rf_strpool__free(&r->rec.pool);
    free(r);
    return rc;
}

const rf_list_format_def rf_list_ftm_format = {
    RF_LIST_FTM, "ownership-ftm", "ownership-ftm", detect, NULL, parse, NULL};
