/* counterparties.c: the counterparties every screening run has seen, with the hits each had
 * when last screened (rf_lists.h), streamed for `redflag rescreen`. Few parties have hits,
 * so their hits are read into memory first (in fingerprint order) and merged with one pass
 * over the counterparty table in the same order. */
#include "review_internal.h"

#include <stdlib.h>
#include <string.h>

int rf_store_counterparty_count(long long *out, rf_store *st, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    *out = 0;
    if ((rc = rf_store__prepare(&stmt, st, "SELECT count(*) FROM counterparty", err)) != 0)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
    else rc = rf_store__db_error(err, st, "counting counterparties");
    sqlite3_finalize(stmt);
    return rc;
}

enum { H_FINGERPRINT, H_LIST, H_SOURCE, H_LISTED, H_HASH, H_STRINGS };

/* Every known hit (of one counterparty, or all), in fingerprint order. */
typedef struct known_hits {
    rf_known_hit *items;
    const char **fingerprints; /* the counterparty of each item */
    size_t count;
    rf_strings strings;
} known_hits;

static void known_free(known_hits *k)
{
    free(k->items);
    free(k->fingerprints);
    rf_strings__free(&k->strings);
}

static int load_known(known_hits *k, rf_store *st, const char *fingerprint, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    double *scores = NULL;
    long long *ids = NULL;
    size_t cap = 0;
    int rc, step;

    memset(k, 0, sizeof *k);
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT fingerprint, list_code, source_id, listed_name,"
                               " content_hash, entity_id, score FROM counterparty_hit"
                               " WHERE ?1 IS NULL OR fingerprint = ?1"
                               " ORDER BY fingerprint, list_code, source_id",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, fingerprint);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (k->count == cap) {
            size_t grown = cap ? cap * 2 : 64;
            double *s = realloc(scores, grown * sizeof *s);
            long long *i = s ? realloc(ids, grown * sizeof *i) : NULL;
            if (s) scores = s;
            if (!i) goto oom;
            ids = i;
            cap = grown;
        }
        for (int c = 0; c < H_STRINGS; c++)
            if (rf_strings__add(&k->strings, stmt, c) < 0) goto oom;
        ids[k->count] = sqlite3_column_int64(stmt, 5);
        scores[k->count] = sqlite3_column_double(stmt, 6);
        k->count++;
    }
    if (step != SQLITE_DONE) {
        rc = rf_store__db_error(err, st, "reading the counterparties' hits");
        goto cleanup;
    }
    if (k->count &&
        (!(k->items = calloc(k->count, sizeof *k->items)) ||
         !(k->fingerprints = calloc(k->count, sizeof *k->fingerprints))))
        goto oom;
    for (size_t i = 0; i < k->count; i++) {
        long base = (long)(i * H_STRINGS);
        k->fingerprints[i] = rf_strings__get(&k->strings, base + H_FINGERPRINT);
        k->items[i].list_code = rf_strings__get(&k->strings, base + H_LIST);
        k->items[i].source_id = rf_strings__get(&k->strings, base + H_SOURCE);
        k->items[i].listed_name = rf_strings__get(&k->strings, base + H_LISTED);
        k->items[i].content_hash = rf_strings__get(&k->strings, base + H_HASH);
        k->items[i].entity_id = ids[i];
        k->items[i].score = scores[i];
    }
    goto cleanup;

oom:
    rc = rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory reading counterparties");
cleanup:
    sqlite3_finalize(stmt);
    free(scores);
    free(ids);
    if (rc) known_free(k);
    return rc;
}

int rf_store_counterparties_each(rf_store *st, const char *fingerprint,
                                 int (*fn)(const rf_counterparty *cp, const rf_known_hit *hits,
                                           size_t n_hits, void *ctx),
                                 void *ctx, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    known_hits known;
    size_t next = 0;
    long long seen = 0;
    int rc, step, in_txn = 0;

    if (!fn) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no callback");
    /* One read transaction, so the hits and the parties are of the same moment. */
    if (sqlite3_get_autocommit(st->db)) {
        if ((rc = rf_store__exec(st, "BEGIN", err)) != 0) return rc;
        in_txn = 1;
    }
    if ((rc = load_known(&known, st, fingerprint, err)) != 0) goto done;
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT fingerprint, name, address, city, country, first_run,"
                               " last_run FROM counterparty WHERE ?1 IS NULL OR fingerprint = ?1"
                               " ORDER BY fingerprint",
                               err)) != 0)
        goto cleanup;
    rf_store__bind_text(stmt, 1, fingerprint);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_counterparty cp;
        size_t first;
        cp.fingerprint = (const char *)sqlite3_column_text(stmt, 0);
        cp.name = (const char *)sqlite3_column_text(stmt, 1);
        cp.address = (const char *)sqlite3_column_text(stmt, 2);
        cp.city = (const char *)sqlite3_column_text(stmt, 3);
        cp.country = (const char *)sqlite3_column_text(stmt, 4);
        cp.first_run = sqlite3_column_int64(stmt, 5);
        cp.last_run = sqlite3_column_int64(stmt, 6);
        /* Both sides are in fingerprint order (sqlite's BINARY collation is strcmp). */
        while (next < known.count && strcmp(known.fingerprints[next], cp.fingerprint) < 0) next++;
        first = next;
        while (next < known.count && strcmp(known.fingerprints[next], cp.fingerprint) == 0) next++;
        seen++;
        if (fn(&cp, next > first ? known.items + first : NULL, next - first, ctx)) {
            rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
            goto cleanup;
        }
    }
    if (step != SQLITE_DONE) rc = rf_store__db_error(err, st, "reading counterparties");
    else if (fingerprint && seen == 0)
        rc = rf_error_set(err, RF_ENOTFOUND, NULL, 0, "no counterparty %s has been screened",
                          fingerprint);

cleanup:
    sqlite3_finalize(stmt);
    known_free(&known);
done:
    if (in_txn) sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

int rf_store_last_run_hits(rf_store *st, const char *fingerprint,
                           int (*fn)(const rf_counterparty *cp, const rf_known_hit *hits,
                                     size_t n_hits, void *ctx),
                           void *ctx, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    rf_known_hit hits[64];
    rf_strings strings = {0};
    rf_counterparty cp;
    long long run = 0;
    size_t n = 0;
    int rc, step, have = 0;

    if (!fn) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no callback");
    /* The runs are evidence and never change: no transaction needed for one statement. A run
     * as of another date keeps no counterparty state, so its record is the only place its
     * hits are. run_party has no index on fingerprint: this reads the parties of every run,
     * which a review (one decision at a time, when the counterparty state lacks the hit)
     * can afford. */
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT p.fingerprint, p.name, p.address, p.city, p.country,"
                               " p.run_id, e.list_code, e.source_id, h.entity_id, h.score"
                               " FROM run_party p"
                               " LEFT JOIN run_hit h ON h.run_id = p.run_id AND h.seq = p.seq"
                               " LEFT JOIN entity e ON e.id = h.entity_id"
                               " WHERE (?1 IS NULL OR p.fingerprint = ?1) AND p.run_id ="
                               "  (SELECT max(q.run_id) FROM run_party q"
                               "   WHERE q.fingerprint = p.fingerprint)"
                               " ORDER BY p.fingerprint, p.seq, h.rank",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, fingerprint);
    for (;;) {
        const char *fp;
        step = sqlite3_step(stmt);
        fp = step == SQLITE_ROW ? (const char *)sqlite3_column_text(stmt, 0) : NULL;
        /* a party ends where the next fingerprint starts: hand it over */
        if (have && (!fp || strcmp(fp, rf_strings__get(&strings, 0)) != 0)) {
            cp.fingerprint = rf_strings__get(&strings, 0);
            cp.name = rf_strings__get(&strings, 1);
            cp.address = rf_strings__get(&strings, 2);
            cp.city = rf_strings__get(&strings, 3);
            cp.country = rf_strings__get(&strings, 4);
            cp.first_run = cp.last_run = run;
            for (size_t i = 0; i < n; i++) {
                hits[i].list_code = rf_strings__get(&strings, (long)(5 + 2 * i));
                hits[i].source_id = rf_strings__get(&strings, (long)(6 + 2 * i));
            }
            if (fn(&cp, n ? hits : NULL, n, ctx)) {
                rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
                break;
            }
            rf_strings__free(&strings);
            memset(&strings, 0, sizeof strings);
            have = 0, n = 0;
        }
        if (step != SQLITE_ROW) break;
        if (!have) {
            for (int c = 0; c < 5; c++)
                if (rf_strings__add(&strings, stmt, c) < 0) goto oom;
            run = sqlite3_column_int64(stmt, 5);
            have = 1;
        }
        /* the same party twice in a run (two orders) has the same hits: keep the first */
        if (sqlite3_column_type(stmt, 8) != SQLITE_NULL && n < sizeof hits / sizeof hits[0]) {
            long long id = sqlite3_column_int64(stmt, 8);
            size_t k = 0;
            while (k < n && hits[k].entity_id != id) k++;
            if (k == n) {
                if (rf_strings__add(&strings, stmt, 6) < 0 ||
                    rf_strings__add(&strings, stmt, 7) < 0)
                    goto oom;
                memset(&hits[n], 0, sizeof hits[n]);
                hits[n].entity_id = id;
                hits[n++].score = sqlite3_column_double(stmt, 9);
            }
        }
    }
    if (!rc && step != SQLITE_DONE) rc = rf_store__db_error(err, st, "reading the runs' parties");
    goto cleanup;
oom:
    rc = rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory reading the runs' parties");
cleanup:
    sqlite3_finalize(stmt);
    rf_strings__free(&strings);
    return rc;
}
