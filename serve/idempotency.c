/* idempotency.c: the Idempotency-Key of POST requests. The first answer to a key of a token
 * is kept in the database (table api_idempotency_key, schema 9) with the sha256 of the
 * request it answered, for RF_IDEMPOTENCY_HOURS, so that a retry after a lost answer (or a
 * restart) gets that answer again instead of a second screening run. Requests of one server
 * carrying the same key of the same token are taken one after the other: the second waits
 * for the first to be answered and stored, then finds its answer. */
#include "serve_internal.h"

#include <stdlib.h>
#include <string.h>

/* A key being answered, in the server's list of them (under srv->lock). */
struct rf_idempotency_hold {
    long long token_id;
    char key[RF_IDEMPOTENCY_KEY_MAX + 1];
    struct rf_idempotency_hold *next;
};

int rf_idempotency_key_valid(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > RF_IDEMPOTENCY_KEY_MAX) return 0;
    for (const char *p = key; *p; p++)
        if (*p < 0x21 || *p > 0x7e) return 0; /* visible ASCII, as a header value can carry */
    return 1;
}

static struct rf_idempotency_hold **held(rf_server *srv, long long token_id, const char *key)
{
    struct rf_idempotency_hold **h = &srv->holds;
    while (*h && ((*h)->token_id != token_id || strcmp((*h)->key, key) != 0)) h = &(*h)->next;
    return h;
}

int rf_idempotency_hold(rf_server *srv, long long token_id, const char *key)
{
    struct rf_idempotency_hold *h = calloc(1, sizeof *h);
    if (!h) return RF_ENOMEM;
    h->token_id = token_id;
    snprintf(h->key, sizeof h->key, "%s", key);
    pthread_mutex_lock(&srv->lock);
    while (*held(srv, token_id, key)) pthread_cond_wait(&srv->hold_released, &srv->lock);
    h->next = srv->holds;
    srv->holds = h;
    pthread_mutex_unlock(&srv->lock);
    return RF_OK;
}

void rf_idempotency_release(rf_server *srv, long long token_id, const char *key)
{
    struct rf_idempotency_hold **h, *gone;
    pthread_mutex_lock(&srv->lock);
    h = held(srv, token_id, key);
    gone = *h;
    if (gone) *h = gone->next;
    pthread_cond_broadcast(&srv->hold_released);
    pthread_mutex_unlock(&srv->lock);
    free(gone);
}

/* The cut-off before which answers are forgotten, as sqlite computes it. */
#define KEPT_SINCE "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-" RF_IDEMPOTENCY_HOURS_TEXT " hours')"

int rf_idempotency_find(rf_idempotent_answer *out, rf_store *st, long long token_id,
                        const char *key, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    out->body.max = 64u << 20;
    if ((rc = rf_store__prepare_cached(&stmt, st,
                               "SELECT request_sha256, status, body FROM api_idempotency_key"
                               " WHERE token_id = ?1 AND key = ?2 AND created_at >= " KEPT_SINCE,
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, token_id);
    rf_store__bind_text(stmt, 2, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        snprintf(out->request_sha256, sizeof out->request_sha256, "%s",
                 (const char *)sqlite3_column_text(stmt, 0));
        out->status = (unsigned)sqlite3_column_int(stmt, 1);
        rc = rf_buf_append(&out->body, sqlite3_column_text(stmt, 2),
                           (size_t)sqlite3_column_bytes(stmt, 2));
        if (rc) rc = rf_error_set(err, rc, NULL, 0, "out of memory");
    } else {
        rc = rc == SQLITE_DONE ? RF_ENOTFOUND
                               : rf_store__db_error(err, st, "cannot read the idempotency keys");
    }
    rf_store__release(st, stmt);
    return rc;
}

int rf_idempotency_store(rf_store *st, long long token_id, const char *key,
                         const char *request_sha256, unsigned status, const rf_buf *body,
                         long long run_id, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    /* REPLACE: a row past its hours that the hourly purge has not removed yet */
    if ((rc = rf_store__prepare_cached(&stmt, st,
                               "INSERT OR REPLACE INTO api_idempotency_key (token_id, key,"
                               " request_sha256, status, body, run_id, created_at) VALUES"
                               " (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, token_id);
    rf_store__bind_text(stmt, 2, key);
    rf_store__bind_text(stmt, 3, request_sha256);
    sqlite3_bind_int(stmt, 4, (int)status);
    sqlite3_bind_text(stmt, 5, body->data ? body->data : "", (int)body->len, SQLITE_STATIC);
    if (run_id) sqlite3_bind_int64(stmt, 6, run_id);
    else sqlite3_bind_null(stmt, 6);
    rc = sqlite3_step(stmt) == SQLITE_DONE
             ? RF_OK
             : rf_store__db_error(err, st, "cannot record the idempotency key");
    rf_store__release(st, stmt);
    return rc;
}

int rf_idempotency_purge(rf_store *st, rf_error *err)
{
    return rf_store__exec(st, "DELETE FROM api_idempotency_key WHERE created_at < " KEPT_SINCE,
                         err);
}
