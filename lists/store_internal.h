/* store_internal.h: what store.c and snapshot.c share about the sqlite store; private to
 * lists/. */
#ifndef RF_STORE_INTERNAL_H
#define RF_STORE_INTERNAL_H

#include "rf_lists.h"

#include <sqlite3.h>

/* The statements a store keeps prepared (rf_store__prepare_cached): those run for every
 * screening run and every request of the server. */
#define RF_STORE_CACHED 96
typedef struct rf_store_cached {
    const char *sql; /* a literal: the key is its address */
    sqlite3_stmt *stmt;
    int in_use;
} rf_store_cached;

struct rf_store {
    sqlite3 *db;
    rf_store_cached cached[RF_STORE_CACHED];
    size_t n_cached;
    char path[4096];
    struct rf_import *active; /* the import holding the write transaction, if any */
    int readonly;             /* opened read-only: nothing is written */
    int run_tables;           /* the TEMP tables of screening runs exist (audit/runs.c) */
    /* Runs recorded at their finish on this connection are written through it (runs.c);
     * NULL: on this connection. */
    struct rf_run_group *run_group;
    /* The process recording runs on this connection, as run_process keeps it (runs.c), read
     * again when the pid changes (a fork). */
    long run_pid;
    char run_host[256], run_started[128];
    /* Set at open when a guard trigger is missing or altered (chain.c): nothing is written. */
    char guard_problem[512];
};

/* Fills `err` with RF_EDB, the store's path and sqlite's message after "what: ". */
int rf_store__db_error(rf_error *err, rf_store *st, const char *what);
int rf_store__exec(rf_store *st, const char *sql, rf_error *err);
/* Opens a read transaction so that several queries see one state of the database, unless
 * one is open already (a screening run being recorded holds one): *began says which, for
 * rf_store__read_end. */
int rf_store__read_begin(rf_store *st, int *began, rf_error *err);
void rf_store__read_end(rf_store *st, int began);
/* Prepares `sql` on the store's connection; *out is NULL on failure. */
int rf_store__prepare(sqlite3_stmt **out, rf_store *st, const char *sql, rf_error *err);
/* The same for `sql`, a string literal (its address is the key), run again and again: the
 * store keeps the statement prepared (compiling the guard triggers of the audit tables costs
 * more than a small insert), and hands it out reset. Give it back with rf_store__release,
 * never sqlite3_finalize. A statement already handed out and not given back yet is prepared
 * anew. */
int rf_store__prepare_cached(sqlite3_stmt **out, rf_store *st, const char *sql, rf_error *err);
/* Resets a statement of rf_store__prepare_cached for its next use (finalizes one the cache
 * did not keep); NULL is a no-op. */
void rf_store__release(rf_store *st, sqlite3_stmt *stmt);
/* Binds a borrowed string; the statement is stepped before the caller's pointer goes away,
 * so SQLITE_STATIC saves a copy per field. NULL binds SQL NULL. */
int rf_store__bind_text(sqlite3_stmt *stmt, int col, const char *s);
/* 1 when `s` is YYYY-MM-DD. */
int rf_store__valid_date(const char *s);
/* The columns of list_version that rf_store__collect_versions reads, in its order. */
#define RF_STORE_VERSION_COLUMNS                                                            \
    "id, feed, format, source_file, sha256, published, imported_at, entities, names, warnings," \
    " names_digest"
/* Runs `sql`, whose columns are RF_STORE_VERSION_COLUMNS, with `id` bound to ?1 when it has
 * a parameter, and collects its rows into `out`. */
int rf_store__versions_query(rf_version_list *out, rf_store *st, const char *sql, long long id,
                            rf_error *err);
/* Steps a query whose columns are RF_STORE_VERSION_COLUMNS and collects its rows into `out`. */
int rf_store__collect_versions(rf_version_list *out, rf_store *st, sqlite3_stmt *stmt,
                              rf_error *err);
/* Schemas 3 and 4: review decisions, screening runs and counterparties, and the triggers
 * that keep decisions and runs append-only (review_schema.c). */
extern const char rf_store_schema_review[];
extern const char rf_store_schema_review_guards[];
/* The step that records which process runs each screening run (to tell a run still going
 * from one a crash left 'running') and keeps a run's records closed once it ended
 * (runs.c). */
extern const char rf_store_schema_run_process[];
/* Schema 6, the evidence chain and the guards (chain.c); rf_chain__upgrade completes it on a
 * database that had evidence before: names digests of its versions, and every record sealed. */
extern const char rf_store_schema_chain[];
int rf_chain__upgrade(rf_store *st, rf_error *err);
/* Appends record `id` of table `record` ("list_version", "run", "review_decision") to the
 * evidence chain, inside the caller's write transaction: done once, when it is final (a
 * version's import commits, a run stops running, a decision is recorded). */
int rf_chain__seal(rf_store *st, const char *record, long long id, rf_error *err);
/* Compares the guard triggers with what the schema made; notes the first difference in
 * st->guard_problem. */
int rf_chain__check_guards(rf_store *st, rf_error *err);
/* RF_EDB saying why when the store must not be written (a guard is missing), else 0. */
int rf_store__writable(rf_store *st, rf_error *err);
/* Feeds one optional string into a hash so that NULL, "" and field boundaries all differ. */
void rf_store__hash_field(rf_sha256 *h, const char *s);
/* A version's names digest being computed: the fields as rf_store__hash_field feeds them,
 * gathered and hashed in large pieces (a hash call and two snprintf a field cost four times
 * the hashing: 20 ms of every screen's load of the bundled list's 34,148 names). */
typedef struct rf_store__names_digest {
    rf_sha256 h;
    rf_buf pending;
} rf_store__names_digest;
int rf_store__names_digest_init(rf_store__names_digest *d); /* RF_ENOMEM when libcrypto cannot */
/* Adds one name of a version to its names digest; names go in (entity id, position) order. */
void rf_store__names_digest_add(rf_store__names_digest *d, long long entity_id, const char *kind,
                               const char *name);
/* The digest as 64 hex digits; `d` is finished (freed). */
void rf_store__names_digest_final(rf_store__names_digest *d, char out[65]);
/* Loads the entities with the `n` given ids, ordered by id, into a snapshot that takes over
 * `versions` (left empty; may be NULL). */
int rf_snapshot__load_id_set(rf_snapshot **out, rf_store *st, const long long *ids, size_t n,
                            rf_version_list *versions, rf_error *err);
/* The enum values stored as text; unknown text maps to RF_ENTITY_UNKNOWN / RF_NAME_ALIAS. */
rf_entity_type rf_store__parse_type(const char *s);
rf_name_kind rf_store__parse_kind(const char *s);

#endif
