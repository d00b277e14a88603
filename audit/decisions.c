/* decisions.c: review decisions of rf_lists.h: recording one (append-only: the table's
 * triggers refuse UPDATE and DELETE), the decisions in force for a counterparty (the latest
 * per listed entity), every decision of a period for the audit trail, and finding the
 * listed record a reviewer names by its list entry id. */
#include "review_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const KIND_NAMES[] = {"none", "cleared", "confirmed", "escalated"};

const char *rf_decision_kind_name(rf_decision_kind k)
{
    return (unsigned)k < sizeof KIND_NAMES / sizeof *KIND_NAMES ? KIND_NAMES[k] : "none";
}

int rf_decision_kind_parse(rf_decision_kind *out, const char *s)
{
    static const struct {
        const char *name;
        rf_decision_kind kind;
    } names[] = {{"clear", RF_DECISION_CLEARED},       {"cleared", RF_DECISION_CLEARED},
                 {"confirm", RF_DECISION_CONFIRMED},   {"confirmed", RF_DECISION_CONFIRMED},
                 {"escalate", RF_DECISION_ESCALATED},  {"escalated", RF_DECISION_ESCALATED}};
    for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].kind;
            return RF_OK;
        }
    return RF_EUSAGE;
}

#define DECISION_COLUMNS                                                                    \
    "id, decision, fingerprint, party_name, list_code, source_id, listed_name, entity_id,"   \
    " content_hash, reviewer, reason, decided_at, run_id"

void rf_decision_list_free(rf_decision_list *list)
{
    if (!list) return;
    free(list->items);
    free(list->strings);
    memset(list, 0, sizeof *list);
}

/* The string slots of one decision row, in DECISION_COLUMNS order from fingerprint on. */
enum { D_FINGERPRINT, D_PARTY, D_LIST, D_SOURCE, D_LISTED, D_HASH, D_REVIEWER, D_REASON,
       D_AT, D_STRINGS };

/* Steps a query whose columns are DECISION_COLUMNS and collects its rows into `out`. */
static int collect_decisions(rf_decision_list *out, rf_store *st, sqlite3_stmt *stmt,
                             rf_error *err)
{
    static const int cols[D_STRINGS] = {2, 3, 4, 5, 6, 8, 9, 10, 11};
    rf_strings strings = {0};
    size_t cap = 0;
    int step;

    memset(out, 0, sizeof *out);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_decision *d;
        if (out->count == cap) {
            rf_decision *grown;
            cap = cap ? cap * 2 : 16;
            if (!(grown = realloc(out->items, cap * sizeof *grown))) goto oom;
            out->items = grown;
        }
        d = &out->items[out->count++];
        memset(d, 0, sizeof *d);
        d->id = sqlite3_column_int64(stmt, 0);
        rf_decision_kind_parse(&d->kind, (const char *)sqlite3_column_text(stmt, 1));
        d->entity_id = sqlite3_column_int64(stmt, 7);
        d->run_id = sqlite3_column_int64(stmt, 12);
        for (int i = 0; i < D_STRINGS; i++)
            if (rf_strings__add(&strings, stmt, cols[i]) < 0) goto oom;
    }
    if (step != SQLITE_DONE) {
        rf_strings__free(&strings);
        rf_decision_list_free(out);
        return rf_store__db_error(err, st, "reading review decisions");
    }
    for (size_t i = 0; i < out->count; i++) {
        rf_decision *d = &out->items[i];
        long base = (long)(i * D_STRINGS);
        d->fingerprint = rf_strings__get(&strings, base + D_FINGERPRINT);
        d->party_name = rf_strings__get(&strings, base + D_PARTY);
        d->list_code = rf_strings__get(&strings, base + D_LIST);
        d->source_id = rf_strings__get(&strings, base + D_SOURCE);
        d->listed_name = rf_strings__get(&strings, base + D_LISTED);
        d->content_hash = rf_strings__get(&strings, base + D_HASH);
        d->reviewer = rf_strings__get(&strings, base + D_REVIEWER);
        d->reason = rf_strings__get(&strings, base + D_REASON);
        d->decided_at = rf_strings__get(&strings, base + D_AT);
    }
    out->strings = rf_strings__detach(&strings);
    return RF_OK;

oom:
    rf_strings__free(&strings);
    rf_decision_list_free(out);
    return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory reading review decisions");
}

int rf_store_decision_add(long long *id, rf_store *st, const rf_decision *d, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char hash[65] = "";
    const char *content_hash;
    long long row = 0;
    int rc, own;

    if (id) *id = 0;
    if ((rc = rf_store__writable(st, err)) != 0) return rc;
    if (!d || d->kind == RF_DECISION_NONE ||
        (unsigned)d->kind >= sizeof KIND_NAMES / sizeof *KIND_NAMES)
        return rf_error_set(err, RF_EUSAGE, NULL, 0,
                            "a decision is cleared, confirmed or escalated");
    if ((rc = rf_store__check_text(d->fingerprint, "the counterparty's fingerprint", 1, err)) ||
        (rc = rf_store__check_text(d->list_code, "the list code", 1, err)) ||
        (rc = rf_store__check_text(d->source_id, "the list entry id", 1, err)) ||
        (rc = rf_store__check_text(d->reviewer, "the reviewer", 1, err)) ||
        (rc = rf_store__check_text(d->reason, "the reason", 1, err)) ||
        (rc = rf_store__check_text(d->party_name, "the party's name", 0, err)) ||
        (rc = rf_store__check_text(d->listed_name, "the listed name", 0, err)) ||
        (rc = rf_store__check_text(d->decided_at, "the decision time", 0, err)))
        return rc;
    content_hash = d->content_hash;
    if (!content_hash && d->entity_id) {
        /* The record as the reviewer saw it: a later change to it brings the alarm back. */
        if ((rc = rf_store__prepare(&stmt, st, "SELECT content_hash FROM entity WHERE id = ?1",
                                   err)) != 0)
            return rc;
        sqlite3_bind_int64(stmt, 1, d->entity_id);
        if (sqlite3_step(stmt) != SQLITE_ROW) {
            sqlite3_finalize(stmt);
            return rf_error_set(err, RF_ENOTFOUND, st->path, 0, "no listed record %lld",
                                d->entity_id);
        }
        snprintf(hash, sizeof hash, "%s", (const char *)sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        stmt = NULL;
        content_hash = hash;
    }
    if ((rc = rf_store__prepare(&stmt, st,
                               "INSERT INTO review_decision (decision, fingerprint, party_name,"
                               " list_code, source_id, listed_name, entity_id, content_hash,"
                               " reviewer, reason, decided_at, run_id) VALUES (?1, ?2, ?3, ?4,"
                               " ?5, ?6, ?7, ?8, ?9, ?10,"
                               " coalesce(?11, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), ?12)",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, rf_decision_kind_name(d->kind));
    rf_store__bind_text(stmt, 2, d->fingerprint);
    rf_store__bind_text(stmt, 3, d->party_name);
    rf_store__bind_text(stmt, 4, d->list_code);
    rf_store__bind_text(stmt, 5, d->source_id);
    rf_store__bind_text(stmt, 6, d->listed_name);
    if (d->entity_id) sqlite3_bind_int64(stmt, 7, d->entity_id);
    rf_store__bind_text(stmt, 8, content_hash);
    rf_store__bind_text(stmt, 9, d->reviewer);
    rf_store__bind_text(stmt, 10, d->reason);
    rf_store__bind_text(stmt, 11, d->decided_at);
    if (d->run_id) sqlite3_bind_int64(stmt, 12, d->run_id);
    /* The row and its seal go in together: alone, or in the caller's transaction. */
    own = sqlite3_get_autocommit(st->db);
    if (own && sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return rf_store__db_error(err, st, "recording the decision");
    }
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = rf_store__db_error(err, st, "recording the decision");
    } else {
        row = sqlite3_last_insert_rowid(st->db);
        rc = rf_chain__seal(st, "review_decision", row, err);
    }
    sqlite3_finalize(stmt);
    if (own && rc == RF_OK) rc = rf_store__exec(st, "COMMIT", err);
    if (own && rc != RF_OK) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    if (rc == RF_OK && id) *id = row;
    return rc;
}

int rf_store_decisions_add(rf_store *st, const rf_decision *ds, size_t n, rf_error *err)
{
    int rc;
    if (n && !ds) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no decisions");
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return rf_store__db_error(err, st, "recording decisions");
    for (size_t i = 0; i < n; i++)
        if ((rc = rf_store_decision_add(NULL, st, &ds[i], err)) != 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    return rf_store__exec(st, "COMMIT", err);
}

int rf_store_decisions_for(rf_decision_list *out, rf_store *st, const char *fingerprint,
                           rf_error *err)
{
    /* The newest decision per listed entity; rows are only ever added, so the largest id is
     * the latest. */
    static const char sql[] =
        "SELECT " DECISION_COLUMNS " FROM review_decision d WHERE (?1 IS NULL OR fingerprint = ?1)"
        " AND id = (SELECT max(id) FROM review_decision x WHERE x.fingerprint = d.fingerprint"
        " AND x.list_code = d.list_code AND x.source_id = d.source_id) ORDER BY id";
    sqlite3_stmt *stmt = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((rc = rf_store__prepare_cached(&stmt, st, sql, err)) != 0) return rc;
    rf_store__bind_text(stmt, 1, fingerprint);
    rc = collect_decisions(out, st, stmt, err);
    rf_store__release(st, stmt);
    return rc;
}

int rf_store_decisions_all(rf_decision_list *out, rf_store *st, const char *fingerprint,
                           const char *from, const char *to, rf_error *err)
{
    static const char sql[] =
        "SELECT " DECISION_COLUMNS " FROM review_decision"
        " WHERE (?1 IS NULL OR fingerprint = ?1) AND (?2 IS NULL OR decided_at >= ?2)"
        " AND (?3 IS NULL OR decided_at < date(?3, '+1 day')) ORDER BY id";
    sqlite3_stmt *stmt = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if ((from && !rf_store__valid_date(from)) || (to && !rf_store__valid_date(to)))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "dates are YYYY-MM-DD");
    if ((rc = rf_store__prepare(&stmt, st, sql, err)) != 0) return rc;
    rf_store__bind_text(stmt, 1, fingerprint);
    rf_store__bind_text(stmt, 2, from);
    rf_store__bind_text(stmt, 3, to);
    rc = collect_decisions(out, st, stmt, err);
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_entity_find(long long *entity_id, rf_store *st, const char *list_code,
                         const char *source_id, rf_error *err)
{
    static const char sql[] =
        "SELECT id, list_code FROM entity WHERE version_id = ?1 AND source_id = ?2"
        " AND (?3 IS NULL OR list_code = ?3 COLLATE NOCASE) ORDER BY id";
    rf_version_list versions = {0};
    sqlite3_stmt *stmt = NULL;
    char first_list[64] = "";
    long long found = 0;
    int rc, matches = 0, lists = 0;

    *entity_id = 0;
    if (!source_id || !source_id[0])
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no list entry id");
    if ((rc = rf_store_versions_in_force(&versions, st, NULL, err)) != 0) return rc;
    if ((rc = rf_store__prepare(&stmt, st, sql, err)) != 0) goto cleanup;
    for (size_t v = 0; v < versions.count; v++) {
        int step;
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, versions.items[v].id);
        rf_store__bind_text(stmt, 2, source_id);
        rf_store__bind_text(stmt, 3, list_code);
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(stmt, 1);
            /* A list may give one id to two records: the first stands for the entry. */
            if (matches++ == 0) {
                found = sqlite3_column_int64(stmt, 0);
                snprintf(first_list, sizeof first_list, "%s", code ? code : "");
                lists = 1;
            } else if (strcmp(first_list, code ? code : "") != 0) {
                lists++;
            }
        }
        if (step != SQLITE_DONE) {
            rc = rf_store__db_error(err, st, "finding the listed record");
            goto cleanup;
        }
    }
    if (matches == 0)
        rc = rf_error_set(err, RF_ENOTFOUND, NULL, 0, "no list entry %s%s%s in the lists in force",
                          source_id, list_code ? " on " : "", list_code ? list_code : "");
    else if (lists > 1)
        rc = rf_error_set(err, RF_EUSAGE, NULL, 0,
                          "list entry %s is on more than one list: name the list", source_id);
    else
        *entity_id = found;

cleanup:
    sqlite3_finalize(stmt);
    rf_version_list_free(&versions);
    return rc;
}
