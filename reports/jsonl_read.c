/* jsonl_read.c: the JSON lines report read back, one line at a time, for `redflag history
 * import`: the results of a `screen --read-only` run on other machines become a run of the
 * audit trail. Only what jsonl.c writes is read (jansson parses), and every field the record
 * needs must be there: a line of an older redflag, without the versions' sha256 or the hits'
 * entity ids, is refused rather than recorded half. */
#include "reports/report_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A JSON line holds at most this many hits, versions and spans per hit: far above what
 * screen writes (--max-hits is at most 1000), a cap against a hostile file. */
#define MAX_ITEMS 4096

void rf_jsonl_party_free(rf_jsonl_party *p)
{
    if (!p) return;
    for (size_t i = 0; p->hits && i < p->n_hits; i++) free(p->hits[i].spans);
    free(p->hits);
    free(p->version_ids);
    free(p->version_sha256);
    free(p->lines);
    json_decref(p->json);
    memset(p, 0, sizeof *p);
}

/* The string member `key` of `o`: NULL when missing or null; -1 (and *bad set) when of
 * another type. */
static const char *text(json_t *o, const char *key, const char **bad)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) return NULL;
    if (!json_is_string(v)) {
        *bad = key;
        return NULL;
    }
    return json_string_value(v);
}

/* Reads "[[start,len],...]" into `out` (2 * n values); the count, or -1. */
static long spans(size_t *out, json_t *a)
{
    size_t i;
    json_t *pair;
    if (!json_is_array(a) || json_array_size(a) > MAX_ITEMS) return -1;
    json_array_foreach(a, i, pair) {
        json_t *s = json_array_get(pair, 0), *l = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(s) ||
            !json_is_integer(l) || json_integer_value(s) < 0 || json_integer_value(l) < 0)
            return -1;
        if (out) {
            out[2 * i] = (size_t)json_integer_value(s);
            out[2 * i + 1] = (size_t)json_integer_value(l);
        }
    }
    return (long)json_array_size(a);
}

static int parse_hit(rf_jsonl_hit *h, json_t *o, const char **bad)
{
    json_t *id = json_object_get(o, "entity_id"), *score = json_object_get(o, "score");
    json_t *listed = json_object_get(o, "listed_spans"), *party = json_object_get(o, "party_spans");
    long n_listed = spans(NULL, listed), n_party = spans(NULL, party);

    memset(h, 0, sizeof *h);
    if (!json_is_object(o)) return *bad = "hits", -1;
    if (!json_is_integer(id) || json_integer_value(id) <= 0) return *bad = "entity_id", -1;
    if (!json_is_number(score)) return *bad = "score", -1;
    if (n_listed < 0) return *bad = "listed_spans", -1;
    if (n_party < 0) return *bad = "party_spans", -1;
    h->entity_id = json_integer_value(id);
    h->score = json_number_value(score);
    h->source_id = text(o, "source_id", bad);
    h->list_code = text(o, "list", bad);
    h->matched = text(o, "matched", bad);
    h->explanation = text(o, "explanation", bad);
    if (*bad) return -1;
    if (!h->source_id || !h->list_code || !h->matched)
        return *bad = !h->source_id ? "source_id" : !h->list_code ? "list" : "matched", -1;
    if (n_listed + n_party > 0 &&
        !(h->spans = malloc(2 * (size_t)(n_listed + n_party) * sizeof *h->spans)))
        return *bad = NULL, -2;
    spans(h->spans, listed);
    spans(h->spans ? h->spans + 2 * n_listed : NULL, party);
    h->n_listed_spans = (size_t)n_listed;
    h->n_party_spans = (size_t)n_party;
    return 0;
}

static int parse_lines(rf_jsonl_party *p, json_t *a, const char **bad)
{
    size_t i;
    json_t *o;
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a) || json_array_size(a) > MAX_ITEMS) return *bad = "lines", -1;
    if (json_array_size(a) && !(p->lines = calloc(json_array_size(a), sizeof *p->lines)))
        return -2;
    json_array_foreach(a, i, o) {
        rf_order_line *l = &p->lines[i];
        json_t *line = json_object_get(o, "line");
        if (!json_is_object(o) || !json_is_integer(line)) return *bad = "lines", -1;
        l->line = (long)json_integer_value(line);
        l->number = text(o, "number", bad);
        l->part_number = text(o, "part_number", bad);
        l->description = text(o, "description", bad);
        l->quantity = text(o, "quantity", bad);
        l->eccn = text(o, "eccn", bad);
        l->hs_code = text(o, "hs_code", bad);
        l->origin = text(o, "origin", bad);
        if (*bad) return -1;
    }
    p->party.lines = p->lines;
    p->party.n_lines = json_array_size(a);
    return 0;
}

int rf_jsonl_party_parse(rf_jsonl_party *out, const char *line, size_t len, const char *file,
                         long line_number, rf_error *err)
{
    json_error_t jerr;
    json_t *o, *versions, *digests, *hits, *v, *number;
    const char *bad = NULL;
    rf_party *p = &out->party;
    size_t i;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (!(o = out->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr)))
        return rf_error_set(err, RF_EFORMAT, file, line_number, "not JSON: %s", jerr.text);
    if (!json_is_object(o))
        return rf_error_set(err, RF_EFORMAT, file, line_number, "not a JSON object");
    if (json_object_get(o, "warning")) { /* a warning about the input, not a party */
        out->warning = 1;
        return RF_OK;
    }
    number = json_object_get(o, "line");
    versions = json_object_get(o, "versions");
    digests = json_object_get(o, "version_sha256");
    hits = json_object_get(o, "hits");
    if (!json_is_integer(number)) bad = "line";
    else if (!json_is_array(versions) || json_array_size(versions) > MAX_ITEMS) bad = "versions";
    else if (!json_is_array(digests) || json_array_size(digests) != json_array_size(versions))
        bad = "version_sha256";
    else if (!json_is_array(hits) || json_array_size(hits) > MAX_ITEMS) bad = "hits";
    if (bad) goto bad;
    p->line = (long)json_integer_value(number);
    p->document = text(o, "document", &bad);
    p->ref = text(o, "ref", &bad);
    p->role = text(o, "role", &bad);
    p->name = text(o, "name", &bad);
    p->country = text(o, "country", &bad);
    p->format = text(o, "format", &bad);
    p->doc_type = text(o, "doc_type", &bad);
    p->date = text(o, "date", &bad);
    p->address = text(o, "address", &bad);
    p->city = text(o, "city", &bad);
    p->region = text(o, "region", &bad);
    p->party_id = text(o, "party_id", &bad);
    p->order_line = text(o, "order_line", &bad);
    p->part_number = text(o, "part_number", &bad);
    p->eccn = text(o, "eccn", &bad);
    p->hs_code = text(o, "hs_code", &bad);
    p->origin = text(o, "origin", &bad);
    out->fingerprint = text(o, "fingerprint", &bad);
    out->as_of = text(o, "as_of", &bad);
    if (bad) goto bad;
    if (!p->name || !p->document) {
        bad = !p->name ? "name" : "document";
        goto bad;
    }
    if ((rc = parse_lines(out, json_object_get(o, "lines"), &bad)) != 0) goto fail;

    out->n_versions = json_array_size(versions);
    if (out->n_versions &&
        (!(out->version_ids = calloc(out->n_versions, sizeof *out->version_ids)) ||
         !(out->version_sha256 = calloc(out->n_versions, sizeof *out->version_sha256)))) {
        rc = -2;
        goto fail;
    }
    json_array_foreach(versions, i, v) {
        json_t *d = json_array_get(digests, i);
        if (!json_is_integer(v) || !json_is_string(d)) {
            bad = json_is_integer(v) ? "version_sha256" : "versions";
            goto bad;
        }
        out->version_ids[i] = json_integer_value(v);
        out->version_sha256[i] = json_string_value(d);
    }
    if (json_array_size(hits) &&
        !(out->hits = calloc(json_array_size(hits), sizeof *out->hits))) {
        rc = -2;
        goto fail;
    }
    json_array_foreach(hits, i, v) {
        out->n_hits = i + 1; /* freed with the others if it fails half-way */
        if ((rc = parse_hit(&out->hits[i], v, &bad)) != 0) goto fail;
    }
    return RF_OK;

fail:
    if (rc == -2) {
        rf_jsonl_party_free(out);
        return rf_error_set(err, RF_ENOMEM, file, line_number, "out of memory");
    }
bad:
    rf_jsonl_party_free(out);
    return rf_error_set(err, RF_EFORMAT, file, line_number,
                        "'%s' is missing or not what `redflag screen --format jsonl` writes "
                        "(an older redflag wrote no version_sha256 and entity_id: screen it "
                        "again)",
                        bad ? bad : "?");
}
