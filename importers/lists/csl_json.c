/* csl_json.c: the trade.gov Consolidated Screening List as JSON, as its API and its JSON
 * download give it: an object whose "results" array holds one object per listed party (id,
 * source, type, programs[], name, title, addresses[] of {address, city, state, postal_code,
 * country}, federal_register_notice, start_date, end_date, license_requirement,
 * license_policy, remarks, source_list_url, alt_names[], citizenships[], dates_of_birth[],
 * nationalities[], source_information_url, ids[] of {type, number, country, ...}); a bare
 * array of such objects is read too. Streamed through json.c; other members are skipped.
 * Names and list codes follow the CSV (csl.c, names.c). Feed "csl", like the CSV: the two are
 * versions of one publication. */
#include "list_import.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct csl_json_reader {
    rf_list_ctx *cx;
    rf_namer *namer;
    rf_json j;
    rf_entity e;
    const char *name, *type;
    const char *alt[RF_MAX_NAMES];
    size_t n_alt;
    char start[11], end[11];
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
} csl_json_reader;

/* The current token's text, copied into the pool (the tokenizer reuses its buffer). */
static const char *keep(csl_json_reader *r, int *rc)
{
    const char *s;
    if (!r->j.text.len) return NULL;
    if (!(s = rf_strpool__add(&r->cx->pool, r->j.text.data, r->j.text.len)))
        *rc = rf_list__fail(r->cx, RF_ENOMEM, r->j.line, "out of memory");
    return s;
}

/* A scalar member: its string (or number) text in the pool, NULL for null or empty. Any
 * other value is skipped. */
static int scalar(csl_json_reader *r, rf_json_token tok, const char **out)
{
    int rc = 0;
    *out = NULL;
    if (tok == RF_JSON_STRING || tok == RF_JSON_NUMBER) *out = keep(r, &rc);
    else rc = rf_json__skip(&r->j, tok);
    return rc;
}

/* A member holding an object: fn(key, value token) for each member. */
static int members(csl_json_reader *r, rf_json_token tok,
                   int (*fn)(csl_json_reader *r, const char *key, rf_json_token tok, void *ctx),
                   void *ctx)
{
    char key[64];
    int rc;

    if (tok != RF_JSON_OBJECT) return rf_json__skip(&r->j, tok);
    for (;;) {
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (tok == RF_JSON_OBJECT_END) return 0;
        snprintf(key, sizeof key, "%s", r->j.text.data);
        if ((rc = rf_json__next(&r->j, &tok)) != 0 || (rc = fn(r, key, tok, ctx)) != 0) return rc;
    }
}

/* A member holding an array: fn(element token) for each element. */
static int elements(csl_json_reader *r, rf_json_token tok,
                    int (*fn)(csl_json_reader *r, rf_json_token tok, void *ctx), void *ctx)
{
    int rc;
    if (tok != RF_JSON_ARRAY) return rf_json__skip(&r->j, tok);
    for (;;) {
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (tok == RF_JSON_ARRAY_END) return 0;
        if ((rc = fn(r, tok, ctx)) != 0) return rc;
    }
}

/* ---- the parts of one party -------------------------------------------------------------- */

static int join_element(csl_json_reader *r, rf_json_token tok, void *ctx)
{
    const char **field = ctx;
    if (tok != RF_JSON_STRING) return rf_json__skip(&r->j, tok);
    return rf_list__join(r->cx, field, r->j.text.data, r->j.text.len, r->j.line);
}

static int alt_element(csl_json_reader *r, rf_json_token tok, void *ctx)
{
    int rc = 0;
    (void)ctx;
    if (tok != RF_JSON_STRING) return rf_json__skip(&r->j, tok);
    if (r->n_alt == RF_MAX_NAMES)
        return rf_list__fail(r->cx, RF_ELIMIT, r->j.line, "more than %d names for one entity",
                            RF_MAX_NAMES);
    if ((r->alt[r->n_alt] = keep(r, &rc)) != NULL) r->n_alt++;
    return rc;
}

typedef struct parts {
    const char *v[5];
} parts;

static const char *const address_keys[] = {"address", "city", "state", "postal_code", "country"};
static const char *const id_keys[] = {"type", "number", "country", "issue_date", "expiration_date"};

/* The members named by `keys` (5 of them) into p->v, in that order. */
static int part_member(csl_json_reader *r, const char *key, rf_json_token tok,
                       const char *const *keys, parts *p)
{
    for (size_t i = 0; i < 5; i++)
        if (strcmp(key, keys[i]) == 0) return scalar(r, tok, &p->v[i]);
    return rf_json__skip(&r->j, tok);
}

static int address_member(csl_json_reader *r, const char *key, rf_json_token tok, void *ctx)
{
    return part_member(r, key, tok, address_keys, ctx);
}

static int address_element(csl_json_reader *r, rf_json_token tok, void *ctx)
{
    parts p = {{NULL}};
    const char *text;
    int rc;
    (void)ctx;
    if ((rc = members(r, tok, address_member, &p)) != 0) return rc;
    text = rf_list__concat(r->cx, p.v, 4, &rc); /* street, city, state, postal code */
    if (rc) return rc;
    return rf_list__address(r->cx, r->addresses, &r->e.n_addresses, text, p.v[1], p.v[4],
                            r->j.line);
}

static int id_member(csl_json_reader *r, const char *key, rf_json_token tok, void *ctx)
{
    return part_member(r, key, tok, id_keys, ctx);
}

/* ids: "type number (country)", as the CSV's ids column reads. */
static int id_element(csl_json_reader *r, rf_json_token tok, void *ctx)
{
    parts p = {{NULL}};
    int rc;
    (void)ctx;
    if ((rc = members(r, tok, id_member, &p)) != 0) return rc;
    return rf_list__add_id(r->cx, &r->e.ids, p.v[0], p.v[1], p.v[2], r->j.line);
}

static int party_member(csl_json_reader *r, const char *key, rf_json_token tok, void *ctx)
{
    static const struct {
        const char *key;
        size_t offset;
    } scalars[] = {
        {"id", offsetof(rf_entity, source_id)},
        {"source", offsetof(rf_entity, list_name)},
        {"title", offsetof(rf_entity, title)},
        {"federal_register_notice", offsetof(rf_entity, federal_register)},
        {"license_requirement", offsetof(rf_entity, license_requirement)},
        {"license_policy", offsetof(rf_entity, license_policy)},
        {"remarks", offsetof(rf_entity, remarks)},
        {"source_list_url", offsetof(rf_entity, source_url)},
    };
    static const struct {
        const char *key;
        size_t offset;
    } lists[] = {
        {"programs", offsetof(rf_entity, programs)},
        {"nationalities", offsetof(rf_entity, nationalities)},
        {"citizenships", offsetof(rf_entity, nationalities)},
        {"dates_of_birth", offsetof(rf_entity, dates_of_birth)},
    };
    char *base = (char *)&r->e;
    const char *date;
    int rc;
    (void)ctx;

    for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++)
        if (strcmp(key, scalars[i].key) == 0)
            return scalar(r, tok, (const char **)(void *)(base + scalars[i].offset));
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if (strcmp(key, lists[i].key) == 0)
            return elements(r, tok, join_element, base + lists[i].offset);
    if (strcmp(key, "name") == 0) return scalar(r, tok, &r->name);
    if (strcmp(key, "type") == 0) return scalar(r, tok, &r->type);
    if (strcmp(key, "alt_names") == 0) return elements(r, tok, alt_element, NULL);
    if (strcmp(key, "addresses") == 0) return elements(r, tok, address_element, NULL);
    if (strcmp(key, "ids") == 0) return elements(r, tok, id_element, NULL);
    if (strcmp(key, "start_date") == 0 || strcmp(key, "end_date") == 0) {
        int start = key[0] == 's';
        if ((rc = scalar(r, tok, &date)) != 0) return rc;
        date = rf_list__date(r->cx, r->j.line, key, date, NULL, start ? r->start : r->end, &rc);
        if (start) r->e.start_date = date;
        else r->e.end_date = date;
        return rc;
    }
    return rf_json__skip(&r->j, tok);
}

static int party(csl_json_reader *r, rf_json_token tok, void *ctx)
{
    rf_list_ctx *cx = r->cx;
    long line = r->j.line;
    int rc;
    (void)ctx;

    if (tok != RF_JSON_OBJECT)
        return rf_list__fail(cx, RF_EFORMAT, line, "results[] holds a non-object");
    cx->sum->rows++;
    rf_list__entity_begin(cx, &r->e, line, NULL, NULL);
    r->e.addresses = r->addresses;
    r->name = r->type = NULL;
    r->n_alt = 0;
    if ((rc = members(r, tok, party_member, NULL)) != 0) return rc;
    if (!r->e.source_id) return rf_list__fail(cx, RF_EFORMAT, line, "result has no id");
    if (!r->name)
        return rf_list__fail(cx, RF_EFORMAT, line, "result %s has no name", r->e.source_id);
    if (!r->e.list_name)
        return rf_list__fail(cx, RF_EFORMAT, line, "result %s has no source", r->e.source_id);
    if (!(r->e.list_code = rf_csl__list_code(cx, r->e.list_name))) {
        if ((rc = rf_list__warn(cx, line, "source \"%s\" names no list code in parentheses; the "
                               "whole source is used", r->e.list_name)) != 0)
            return rc;
        r->e.list_code = r->e.list_name;
    }
    if ((rc = rf_names__split(&r->names, r->namer, r->name, cx, line)) != 0) return rc;
    for (size_t i = 0; i < r->n_alt; i++)
        if ((rc =
                 rf_names__add_listed(&r->names, r->namer, r->alt[i], strlen(r->alt[i]), cx, line)))
            return rc;
    r->e.names = r->names.names;
    r->e.n_names = r->names.n;
    r->e.parent_name = r->names.parent;
    r->e.type = rf_list__entity_type(r->type);
    if (r->e.type == RF_ENTITY_UNKNOWN)
        r->e.type = rf_names__guess_type(r->namer, r->e.names[0].text);
    return rf_list__emit(cx, &r->e);
}

static int top_member(csl_json_reader *r, const char *key, rf_json_token tok, void *ctx)
{
    if (strcmp(key, "results") == 0) return elements(r, tok, party, ctx);
    return rf_json__skip(&r->j, tok);
}

static int parse(rf_list_ctx *cx)
{
    csl_json_reader *r = calloc(1, sizeof *r);
    rf_json_token tok;
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    if ((rc = rf_json__open(&r->j, cx)) == 0 && (rc = rf_namer__new(&r->namer, cx->err)) == 0 &&
        (rc = rf_json__next(&r->j, &tok)) == 0) {
        rc = tok == RF_JSON_ARRAY ? elements(r, tok, party, NULL) : members(r, tok, top_member, NULL);
        if (rc == 0 && (rc = rf_json__next(&r->j, &tok)) == 0 && tok != RF_JSON_END)
            rc = rf_list__fail(cx, RF_EFORMAT, r->j.line, "data after the end of the document");
    }
    if (rc == 0 && cx->sum->rows == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no results in the file");
    rf_namer__free(r->namer);
    rf_json__free(&r->j);
    free(r);
    return rc;
}

/* An object with a "results" array among its first members, or an array of objects with a
 * "source" member: a cheap look at the first 64 KB. */
static int detect(const rf_list_sample *s)
{
    const char *data = s->head, *end = data + (s->head_len < 65536 ? s->head_len : 65536), *p;
    const char *key;

    if (end - data >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3;
    while (data < end && (*data == ' ' || *data == '\t' || *data == '\r' || *data == '\n')) data++;
    if (data >= end || (*data != '{' && *data != '[')) return 0;
    key = *data == '{' ? "\"results\"" : "\"source\"";
    for (p = data; (p = rf_list__find(p, end, key)) != NULL; p++) {
        const char *q = p + strlen(key);
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')) q++;
        if (q < end && *q == ':') return 1;
    }
    return 0;
}

const rf_list_format_def rf_list_csl_json_format = {
    RF_LIST_CSL_JSON, "csl-json", "csl", detect, NULL, parse, NULL,
};
