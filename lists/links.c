/* links.c: the links of ownership files and the relations lists name (rf_lists.h,
 * "ownership links") read back from the store for the versions in force, and counted for
 * `lists status`; they are written by rf_import_add_link in store.c. */
#include "rf_lists.h"
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

int rf_version_is_ownership(const rf_version *v)
{
    return v && v->format &&
           (strncmp(v->format, "ownership-", 10) == 0 || strncmp(v->format, "gleif-", 6) == 0);
}

void rf_link_list_free(rf_link_list *list)
{
    if (!list) return;
    free(list->items);
    free(list->strings);
    memset(list, 0, sizeof *list);
}

/* The text columns of a link, in the order the query gives them. */
#define LINK_TEXTS 10

/* The byte size of one row's texts with their NULs, and a copy of them at `at` when `to`
 * is not NULL (texts[i] then points into it). */
static size_t link_texts(sqlite3_stmt *stmt, char *to, const char **texts)
{
    size_t total = 0;
    for (int i = 0; i < LINK_TEXTS; i++) {
        const unsigned char *t = sqlite3_column_text(stmt, 6 + i);
        size_t n = t ? (size_t)sqlite3_column_bytes(stmt, 6 + i) + 1 : 0;
        if (to) {
            texts[i] = t ? memcpy(to + total, t, n) : NULL;
        }
        total += n;
    }
    return total;
}

int rf_store_links_load(rf_link_list *out, rf_store *st, const rf_version_list *versions,
                        rf_error *err)
{
    static const char sql[] =
        "SELECT id, version_id, coalesce(owned_entity_id, 0), coalesce(share_min, -1),"
        " coalesce(share_max, -1), direct, owned_name, owned_ids, owner_name, owner_ids, kind,"
        " relation, source, as_of, start_date, end_date, source_line"
        " FROM ownership_link WHERE version_id = ?1 ORDER BY id";
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0, bytes = 0, used = 0;
    int rc = RF_OK, step, in_txn = 0;

    memset(out, 0, sizeof *out);
    if ((rc = rf_store__read_begin(st, &in_txn, err)) != 0) return rc;
    if ((rc = rf_store__prepare(&stmt, st, sql, err)) != 0) goto cleanup;
    /* Two passes: the first sizes the string block, so that link pointers never move. */
    for (int pass = 0; pass < 2 && rc == RF_OK; pass++) {
        if (pass == 1 && !(out->strings = malloc(bytes ? bytes : 1))) goto oom;
        for (size_t v = 0; versions && v < versions->count; v++) {
            sqlite3_reset(stmt);
            sqlite3_bind_int64(stmt, 1, versions->items[v].id);
            while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
                const char *t[LINK_TEXTS];
                rf_link *l;
                if (pass == 0) {
                    bytes += link_texts(stmt, NULL, NULL);
                    continue;
                }
                if (out->count == cap) {
                    rf_link *grown;
                    cap = cap ? cap * 2 : 64;
                    if (!(grown = realloc(out->items, cap * sizeof *grown))) goto oom;
                    out->items = grown;
                }
                used += link_texts(stmt, out->strings + used, t);
                l = &out->items[out->count++];
                memset(l, 0, sizeof *l);
                l->id = sqlite3_column_int64(stmt, 0);
                l->version_id = sqlite3_column_int64(stmt, 1);
                l->owned_entity = sqlite3_column_int64(stmt, 2);
                l->share_min = sqlite3_column_double(stmt, 3);
                l->share_max = sqlite3_column_double(stmt, 4);
                l->direct = sqlite3_column_int(stmt, 5);
                l->owned_name = t[0];
                l->owned_ids = t[1];
                l->owner_name = t[2];
                l->owner_ids = t[3];
                l->kind = !t[4] || strcmp(t[4], "ownership") == 0 ? RF_LINK_OWNERSHIP
                          : strcmp(t[4], "linked") == 0             ? RF_LINK_LINKED
                                                                    : RF_LINK_CONSOLIDATION;
                l->relation = t[5];
                l->source = t[6];
                l->as_of = t[7];
                l->start_date = t[8];
                l->end_date = t[9];
                l->source_line = (long)sqlite3_column_int64(stmt, 16);
            }
            if (step != SQLITE_DONE) {
                rc = rf_store__db_error(err, st, "reading ownership links");
                break;
            }
        }
    }
    goto cleanup;
oom:
    rc = rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory reading ownership links");
cleanup:
    sqlite3_finalize(stmt);
    rf_store__read_end(st, in_txn);
    if (rc) rf_link_list_free(out);
    return rc;
}

int rf_store_link_summary(rf_link_summary *out, rf_store *st, long long version_id,
                          rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    /* the sources: the few distinct ones a file names (GLEIF's validation sources, a
     * vendor's name), cut to what a status line can show */
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT count(*), count(share_min), min(as_of), max(as_of),"
                               " (SELECT group_concat(source, ', ') FROM (SELECT DISTINCT source"
                               "  FROM ownership_link WHERE version_id = ?1 AND source IS NOT NULL"
                               "  ORDER BY source LIMIT 6))"
                               " FROM ownership_link WHERE version_id = ?1",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, version_id);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *t;
        out->links = sqlite3_column_int64(stmt, 0);
        out->with_share = sqlite3_column_int64(stmt, 1);
        if ((t = sqlite3_column_text(stmt, 2))) snprintf(out->first_as_of, sizeof out->first_as_of, "%s", t);
        if ((t = sqlite3_column_text(stmt, 3))) snprintf(out->last_as_of, sizeof out->last_as_of, "%s", t);
        if ((t = sqlite3_column_text(stmt, 4))) snprintf(out->sources, sizeof out->sources, "%s", t);
    } else {
        rc = rf_store__db_error(err, st, "counting ownership links");
    }
    sqlite3_finalize(stmt);
    return rc;
}
