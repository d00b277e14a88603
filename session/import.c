/* import.c: rf_session_import, behind `redflag history import RESULTS.jsonl...`: the JSON
 * lines of a distributed `screen --read-only` run (docs/distributed.md) recorded as one run of
 * the audit trail, as if this database had screened them. Nothing is recorded unless every line checks out, so
 * the files are read three times: the list versions of each line (same id and sha256 here),
 * its fingerprint (recomputed from its name, country, address and city); then each hit's
 * listed record (same list, id and matched name, in one of the line's versions); then the
 * recording. The review state of each hit is this database's, as for a local run. */
#include "session_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef enum { PASS_VERSIONS, PASS_ENTITIES, PASS_RECORD } pass;

typedef struct importer {
    rf_store *st;
    rf_version_list all;     /* every version in the database */
    rf_version_list used;    /* those the lines name, in first use (items borrowed from all) */
    long long *entity_ids;   /* the hits' listed records */
    size_t n_entities, entities_cap;
    rf_snapshot *entities;
    rf_result *work;         /* lent to rf_party_fingerprint */
    char *as_of;             /* the lines' as_of, which must be one */
    int as_of_seen;
    rf_session__record record;
    rf_hit *hits;
    const rf_hit **hit_ptrs;
    rf_span *spans;
    size_t hits_cap, spans_cap;
    rf_error err;
} importer;

static const rf_version *find_version(const rf_version_list *l, long long id)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].id == id) return &l->items[i];
    return NULL;
}

/* Pass 1: the line's versions are this database's, its as_of the run's, its fingerprint
 * its own. */
static int check_line(importer *im, const rf_jsonl_party *p, const char *file, long n)
{
    char fingerprint[RF_FINGERPRINT_LEN + 1];
    for (size_t i = 0; i < p->n_versions; i++) {
        const rf_version *v = find_version(&im->all, p->version_ids[i]);
        if (!v)
            return rf_error_set(&im->err, RF_ENOTFOUND, file, n,
                                "screened against list version %lld, which this database "
                                "does not hold",
                                p->version_ids[i]);
        if (!v->sha256 || strcmp(v->sha256, p->version_sha256[i]) != 0)
            return rf_error_set(&im->err, RF_EFORMAT, file, n,
                                "list version %lld has sha256 %s here, the line was screened "
                                "against %s: another database",
                                v->id, v->sha256 ? v->sha256 : "(none)", p->version_sha256[i]);
        if (!find_version(&im->used, v->id)) im->used.items[im->used.count++] = *v;
    }
    if (!im->as_of_seen) {
        im->as_of_seen = 1;
        if (p->as_of && !(im->as_of = rf_strdup(p->as_of)))
            return rf_error_set(&im->err, RF_ENOMEM, file, n, "out of memory");
    } else if ((p->as_of == NULL) != (im->as_of == NULL) ||
               (p->as_of && strcmp(p->as_of, im->as_of) != 0)) {
        return rf_error_set(&im->err, RF_EFORMAT, file, n,
                            "screened as of %s, the lines before as of %s: one run is one "
                            "date (import them separately)",
                            p->as_of ? p->as_of : "the day of its run",
                            im->as_of ? im->as_of : "the day of their run");
    }
    if (rf_party_fingerprint(fingerprint, im->work, &p->party) < 0) fingerprint[0] = '\0';
    if (strcmp(fingerprint, p->fingerprint ? p->fingerprint : "") != 0)
        return rf_error_set(&im->err, RF_EFORMAT, file, n,
                            "fingerprint %s is not that of the party's name, country, address "
                            "and city (%s)",
                            p->fingerprint ? p->fingerprint : "null",
                            fingerprint[0] ? fingerprint : "none");
    for (size_t i = 0; i < p->n_hits; i++) {
        if (im->n_entities == im->entities_cap) {
            size_t cap = im->entities_cap ? 2 * im->entities_cap : 256;
            long long *grown = realloc(im->entity_ids, cap * sizeof *grown);
            if (!grown) return rf_error_set(&im->err, RF_ENOMEM, file, n, "out of memory");
            im->entity_ids = grown;
            im->entities_cap = cap;
        }
        im->entity_ids[im->n_entities++] = p->hits[i].entity_id;
    }
    return RF_OK;
}

/* Passes 2 and 3: the hits as rf_hit, each checked against the listed record it names. */
static int line_hits(importer *im, const rf_jsonl_party *p, const char *file, long n)
{
    size_t n_spans = 0, used = 0;
    for (size_t i = 0; i < p->n_hits; i++)
        n_spans += p->hits[i].n_listed_spans + p->hits[i].n_party_spans;
    if (p->n_hits > im->hits_cap) {
        rf_hit *a = realloc(im->hits, p->n_hits * sizeof *a);
        const rf_hit **b = a ? realloc(im->hit_ptrs, p->n_hits * sizeof *b) : NULL;
        if (a) im->hits = a;
        if (!b) return rf_error_set(&im->err, RF_ENOMEM, file, n, "out of memory");
        im->hit_ptrs = b;
        im->hits_cap = p->n_hits;
    }
    if (n_spans > im->spans_cap) {
        rf_span *s = realloc(im->spans, n_spans * sizeof *s);
        if (!s) return rf_error_set(&im->err, RF_ENOMEM, file, n, "out of memory");
        im->spans = s;
        im->spans_cap = n_spans;
    }
    for (size_t i = 0; i < p->n_hits; i++) {
        const rf_jsonl_hit *h = &p->hits[i];
        const rf_entity *e = rf_snapshot_find(im->entities, h->entity_id);
        rf_hit *out = &im->hits[i];
        size_t k = 0, in_version = 0;
        for (size_t v = 0; e && v < p->n_versions; v++) in_version |= e->version_id == p->version_ids[v];
        if (!e || !in_version || !e->list_code || strcmp(e->list_code, h->list_code) != 0 ||
            !e->source_id || strcmp(e->source_id, h->source_id) != 0)
            return rf_error_set(&im->err, RF_EFORMAT, file, n,
                                "hit %zu: listed record %lld of this database is not %s %s of "
                                "the line's list versions",
                                i + 1, h->entity_id, h->list_code, h->source_id);
        while (k < e->n_names && strcmp(e->names[k].text, h->matched) != 0) k++;
        if (k == e->n_names)
            return rf_error_set(&im->err, RF_EFORMAT, file, n,
                                "hit %zu: listed record %lld has no name \"%s\"", i + 1,
                                h->entity_id, h->matched);
        memset(out, 0, sizeof *out);
        out->entity = e;
        out->name_index = k;
        out->score = h->score;
        out->explanation = h->explanation;
        out->listed_spans = im->spans + used;
        for (size_t s = 0; s < h->n_listed_spans; s++, used++)
            im->spans[used] = (rf_span){h->spans[2 * s], h->spans[2 * s + 1]};
        out->n_listed_spans = h->n_listed_spans;
        out->party_spans = im->spans + used;
        for (size_t s = 0; s < h->n_party_spans; s++, used++)
            im->spans[used] = (rf_span){h->spans[2 * (h->n_listed_spans + s)],
                                        h->spans[2 * (h->n_listed_spans + s) + 1]};
        out->n_party_spans = h->n_party_spans;
        im->hit_ptrs[i] = out;
    }
    return RF_OK;
}

/* Pass 3: one party into the run, with this database's review state of its hits. */
static int record_line(importer *im, int input, const rf_jsonl_party *p, const char *file,
                       long n)
{
    const rf_hit_note *notes = NULL;
    const char *fingerprint = p->fingerprint ? p->fingerprint : "";
    int rc;
    if ((rc = line_hits(im, p, file, n)) != 0) return rc;
    if (p->n_hits && fingerprint[0]) {
        if ((rc = rf_session__notes_for(&im->record.notes, im->st, fingerprint, im->hit_ptrs,
                                         p->n_hits, &im->err)) != 0)
            return rc;
        notes = im->record.notes.notes;
    }
    if ((rc = rf_session__record_result(&im->record, input, &p->party, fingerprint,
                                         im->hit_ptrs, p->n_hits, notes, &im->err)) != 0)
        return rc;
    rf_session__tally(&im->record.totals, im->hit_ptrs, notes, p->n_hits);
    return RF_OK;
}

/* Reads every line of `path` in one pass; the parties read into *parties. */
static int read_file(importer *im, pass what, int input, const char *path, long *parties)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long n = 0;
    int rc = RF_OK;

    *parties = 0;
    if (!f) return rf_error_set(&im->err, RF_EIO, path, 0, "cannot open: %s", strerror(errno));
    while (rc == RF_OK && (len = getline(&line, &cap, f)) >= 0) {
        rf_jsonl_party p;
        n++;
        if (len <= 1 && (len == 0 || line[0] == '\n')) continue;
        if ((rc = rf_jsonl_party_parse(&p, line, (size_t)len, path, n, &im->err)) != 0) break;
        if (!p.warning) {
            (*parties)++;
            rc = what == PASS_VERSIONS ? check_line(im, &p, path, n)
                 : what == PASS_ENTITIES ? line_hits(im, &p, path, n)
                                         : record_line(im, input, &p, path, n);
        }
        rf_jsonl_party_free(&p);
    }
    if (rc == RF_OK && ferror(f)) rc = rf_error_set(&im->err, RF_EIO, path, n, "read error");
    free(line);
    fclose(f);
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int rf_session_import(rf_store *store, const char *const *files, int n_files,
                      const rf_session_options *options, rf_session_totals *totals,
                      rf_error *err)
{
    importer im;
    rf_session_options defaults = {0};
    rf_verdict verdict;
    char now[32];
    long parties;
    int rc = RF_OK;

    if (!options) options = &defaults;
    memset(&im, 0, sizeof im);
    if (totals) memset(totals, 0, sizeof *totals);
    im.st = store;
    rf_error_clear(&im.err);
    if ((rc = rf_store_versions_all(&im.all, store, &im.err)) < 0) goto done;
    if (rf_result_new(&im.work) < 0 ||
        (im.all.count && !(im.used.items = calloc(im.all.count, sizeof *im.used.items)))) {
        rc = rf_error_set(&im.err, RF_ENOMEM, NULL, 0, "out of memory");
        goto done;
    }
    for (int i = 0; i < n_files && rc == RF_OK; i++)
        rc = read_file(&im, PASS_VERSIONS, i, files[i], &parties);
    if (rc) goto done;
    if (im.n_entities) { /* sorted and each once, as rf_snapshot_load_ids wants */
        size_t kept = 1;
        qsort(im.entity_ids, im.n_entities, sizeof *im.entity_ids, cmp_id);
        for (size_t i = 1; i < im.n_entities; i++)
            if (im.entity_ids[i] != im.entity_ids[kept - 1]) im.entity_ids[kept++] = im.entity_ids[i];
        im.n_entities = kept;
    }
    if ((rc = rf_snapshot_load_ids(&im.entities, store, im.entity_ids, im.n_entities,
                                   &im.err)) < 0)
        goto done;
    for (int i = 0; i < n_files && rc == RF_OK; i++)
        rc = read_file(&im, PASS_ENTITIES, i, files[i], &parties);
    if (rc) goto done;

    if (options->report_time) snprintf(now, sizeof now, "%s", options->report_time);
    else rf_time_utc(now);
    if ((rc = rf_session__record_begin(&im.record, store, "import", &im.used, im.as_of,
                                       &options->match, now,
                                       options->user ? options->user : rf_session_user(),
                                       options->argc, options->argv, NULL, &im.err)) < 0)
        goto done;
    if (!im.record.run) {
        rc = rf_error_set(&im.err, RF_EUSAGE, NULL, 0,
                          "the database is read-only: nothing can be imported into it");
        goto done;
    }
    for (int i = 0; i < n_files; i++)
        if ((rc = read_file(&im, PASS_RECORD, i, files[i], &parties)) < 0 ||
            (rc = rf_session__record_input(&im.record, i, files[i], NULL, parties, NULL,
                                           &im.err)) < 0)
            goto done;
    verdict = rf_session__verdict(&im.record.totals, 0, 0);
    im.record.totals.exit_status = rf_verdict_exit_status(verdict);
    if (totals) {
        totals->inputs = n_files;
        totals->run_id = rf_run_id(im.record.run);
        totals->verdict = verdict;
        totals->run = im.record.totals;
    }
    rc = rf_session__record_finish(&im.record, &im.record.totals, &im.err);

done:
    if (rc < 0 && err) *err = im.err;
    rf_session__record_free(&im.record); /* a run begun and not finished is recorded as failed */
    rf_snapshot_free(im.entities);
    rf_result_free(im.work);
    free(im.entity_ids);
    free(im.as_of);
    free(im.used.items);
    free(im.hits);
    free(im.hit_ptrs);
    free(im.spans);
    rf_version_list_free(&im.all);
    return rc < 0 ? rc : RF_OK;
}
