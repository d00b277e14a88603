/* store.c: the sqlite list store of rf_lists.h: opening and migrating the database, the
 * import sink (one transaction per list version), and version selection by date.
 * Snapshots (loading the versions in force into memory) live in snapshot.c. */
#include "rf_lists.h"
#include "store_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bumped whenever the schema changes (UPGRADES gains a step); rf_store_open refuses
 * databases from a newer redflag. */
#define SCHEMA_VERSION 5

/* Versions are immutable once committed: the triggers make an accidental UPDATE of listed
 * content fail loudly instead of silently changing what an old report was screened against. */
static const char SCHEMA_SQL[] =
    "CREATE TABLE list_version ("
    " id INTEGER PRIMARY KEY,"
    " feed TEXT NOT NULL,"
    " format TEXT NOT NULL,"
    " source_file TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " published TEXT,"
    " imported_at TEXT NOT NULL,"
    " entities INTEGER NOT NULL DEFAULT 0,"
    " names INTEGER NOT NULL DEFAULT 0,"
    " warnings INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX list_version_feed ON list_version(feed, sha256);"
    "CREATE TABLE entity ("
    " id INTEGER PRIMARY KEY,"
    " version_id INTEGER NOT NULL REFERENCES list_version(id),"
    " list_code TEXT, list_name TEXT, source_id TEXT,"
    " type TEXT NOT NULL,"
    " programs TEXT, federal_register TEXT, start_date TEXT, end_date TEXT,"
    " license_requirement TEXT, license_policy TEXT, remarks TEXT, title TEXT,"
    " source_url TEXT, nationalities TEXT, dates_of_birth TEXT, ids TEXT, parent_name TEXT,"
    " source_line INTEGER,"
    " content_hash TEXT NOT NULL);"
    "CREATE INDEX entity_version ON entity(version_id);"
    "CREATE INDEX entity_source ON entity(list_code, source_id);"
    "CREATE TABLE entity_name ("
    " entity_id INTEGER NOT NULL REFERENCES entity(id),"
    " position INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " PRIMARY KEY (entity_id, position)) WITHOUT ROWID;"
    "CREATE TABLE entity_address ("
    " entity_id INTEGER NOT NULL REFERENCES entity(id),"
    " position INTEGER NOT NULL,"
    " text TEXT, city TEXT, country TEXT,"
    " PRIMARY KEY (entity_id, position)) WITHOUT ROWID;"
    "CREATE TABLE import_warning ("
    " version_id INTEGER NOT NULL REFERENCES list_version(id),"
    " line INTEGER NOT NULL,"
    " message TEXT NOT NULL);"
    "CREATE INDEX import_warning_version ON import_warning(version_id);"
    "CREATE TRIGGER entity_immutable BEFORE UPDATE ON entity"
    " BEGIN SELECT RAISE(ABORT, 'list versions are immutable'); END;"
    "CREATE TRIGGER entity_name_immutable BEFORE UPDATE ON entity_name"
    " BEGIN SELECT RAISE(ABORT, 'list versions are immutable'); END;"
    "CREATE TRIGGER entity_address_immutable BEFORE UPDATE ON entity_address"
    " BEGIN SELECT RAISE(ABORT, 'list versions are immutable'); END;";

/* Schema 2: what the server said about each list file `lists update` downloads, so the next
 * request can be conditional. */
static const char DOWNLOAD_SQL[] =
    "CREATE TABLE download ("
    " url TEXT PRIMARY KEY,"
    " etag TEXT, last_modified TEXT, sha256 TEXT,"
    " version_id INTEGER REFERENCES list_version(id),"
    " checked_at TEXT NOT NULL);";

/* UPGRADES[i] takes a database from schema i to i + 1. */
static const char *const UPGRADES[SCHEMA_VERSION] = {
    SCHEMA_SQL, DOWNLOAD_SQL, rf_store_schema_review, rf_store_schema_review_guards,
    rf_store_schema_chain};
/* The step after which rf_chain_upgrade seals the evidence already there. */
#define CHAIN_STEP 4

/* The date a version takes effect: its publication date, else the day it was imported. A
 * version imported while the clock was ahead must not wait for that day, nor outrank a
 * version of its feed imported after it: the import day counts no later than today, nor than
 * the import day of any later import of the feed (import order beats the wall clock). */
#define EFFECTIVE_DATE_OF(t)                                                                  \
    "coalesce(" t ".published, min(substr(" t ".imported_at, 1, 10), date('now'),"           \
    " coalesce((SELECT min(substr(later.imported_at, 1, 10)) FROM list_version later"         \
    " WHERE later.feed = " t ".feed AND later.id > " t ".id), '9999-12-31')))"
#define EFFECTIVE_DATE EFFECTIVE_DATE_OF("list_version")
struct rf_import {
    rf_store *st;
    char source[512]; /* the list file, named in messages about its entities */
    long long version_id;
    long long entities, names, warnings;
    rf_sha256 names_digest; /* rf_store_names_digest_add over the names as stored */
    int broken; /* a statement failed: the transaction can only be rolled back */
    sqlite3_stmt *ins_entity, *ins_name, *ins_address, *ins_warning;
};

int rf_store_db_error(rf_error *err, rf_store *st, const char *what)
{
    return rf_error_set(err, RF_EDB, st->path, 0, "%s: %s", what, sqlite3_errmsg(st->db));
}

int rf_store_exec(rf_store *st, const char *sql, rf_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return rf_store_db_error(err, st, sql);
    return RF_OK;
}

int rf_store_read_begin(rf_store *st, int *began, rf_error *err)
{
    *began = 0;
    if (!sqlite3_get_autocommit(st->db)) return RF_OK;
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return rf_store_db_error(err, st, "starting to read");
    *began = 1;
    return RF_OK;
}

void rf_store_read_end(rf_store *st, int began)
{
    if (began) sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int rf_store_prepare(sqlite3_stmt **out, rf_store *st, const char *sql, rf_error *err)
{
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return rf_store_db_error(err, st, "preparing a statement");
    }
    return RF_OK;
}

int rf_store_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
    return s ? sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC) : sqlite3_bind_null(stmt, col);
}

/* ---- names of enum values --------------------------------------------------------------- */

static const char *const TYPE_NAMES[] = {"unknown", "person", "organization", "vessel",
                                         "aircraft"};
static const char *const KIND_NAMES[] = {"primary", "alias", "weak_alias", "former",
                                         "original"};

const char *rf_entity_type_name(rf_entity_type t)
{
    return (unsigned)t < sizeof TYPE_NAMES / sizeof *TYPE_NAMES ? TYPE_NAMES[t] : "unknown";
}

const char *rf_name_kind_name(rf_name_kind k)
{
    return (unsigned)k < sizeof KIND_NAMES / sizeof *KIND_NAMES ? KIND_NAMES[k] : "alias";
}

rf_entity_type rf_store_parse_type(const char *s)
{
    for (size_t i = 0; s && i < sizeof TYPE_NAMES / sizeof *TYPE_NAMES; i++)
        if (strcmp(s, TYPE_NAMES[i]) == 0) return (rf_entity_type)i;
    return RF_ENTITY_UNKNOWN;
}

rf_name_kind rf_store_parse_kind(const char *s)
{
    for (size_t i = 0; s && i < sizeof KIND_NAMES / sizeof *KIND_NAMES; i++)
        if (strcmp(s, KIND_NAMES[i]) == 0) return (rf_name_kind)i;
    return RF_NAME_ALIAS;
}

/* ---- opening ---------------------------------------------------------------------------- */

int rf_store_default_path(char *out, size_t out_size, rf_error *err)
{
    const char *env = getenv("REDFLAG_DB");
    int n;

    if (env && env[0]) {
        n = snprintf(out, out_size, "%s", env);
    } else if ((env = getenv("XDG_DATA_HOME")) && env[0] == '/') {
        /* The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored. */
        n = snprintf(out, out_size, "%s/redflag/redflag.db", env);
    } else if ((env = getenv("HOME")) && env[0]) {
        n = snprintf(out, out_size, "%s/.local/share/redflag/redflag.db", env);
    } else {
        return rf_error_set(err, RF_ENOTFOUND, NULL, 0,
                            "no database path: set REDFLAG_DB or HOME");
    }
    if (n < 0 || (size_t)n >= out_size)
        return rf_error_set(err, RF_ELIMIT, NULL, 0, "database path too long");
    return RF_OK;
}

/* mkdir -p of the directory holding `path`, so a first run needs no set-up. */
static int make_parents(const char *path, rf_error *err)
{
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s", path);
    char *slash;

    if (n < 0 || (size_t)n >= sizeof dir)
        return rf_error_set(err, RF_ELIMIT, path, 0, "database path too long");
    slash = strrchr(dir, '/');
    if (!slash || slash == dir) return RF_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return rf_error_set(err, RF_EIO, dir, 0, "cannot create directory: %s",
                                strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return rf_error_set(err, RF_EIO, dir, 0, "cannot create directory: %s", strerror(errno));
    return RF_OK;
}

static int schema_version(int *out, rf_store *st, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = rf_store_prepare(&stmt, st, "PRAGMA user_version", err);
    if (rc) return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int(stmt, 0);
    else
        rc = rf_store_db_error(err, st, "reading the schema version");
    sqlite3_finalize(stmt);
    return rc;
}

/* Creates the schema in a new database, upgrades an older one, or checks that an existing one
 * is one we know. The write lock is taken only to change the schema, so opening a current
 * database never waits on an import running in another process. */
static int migrate(rf_store *st, rf_error *err)
{
    int version = 0, rc;

    if ((rc = schema_version(&version, st, err)) != 0) return rc;
    if (version >= 0 && version < SCHEMA_VERSION) {
        char sql[64];
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return rf_store_db_error(err, st, "cannot create or upgrade the database");
        /* Another process may have done it while we waited for the lock. */
        if ((rc = schema_version(&version, st, err)) != 0) goto cleanup;
        for (; version >= 0 && version < SCHEMA_VERSION; version++)
            if ((rc = rf_store_exec(st, UPGRADES[version], err)) != 0 ||
                (version == CHAIN_STEP && (rc = rf_chain_upgrade(st, err)) != 0))
                goto cleanup;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
        if ((rc = rf_store_exec(st, sql, err)) != 0 ||
            (rc = rf_store_exec(st, "COMMIT", err)) != 0)
            goto cleanup;
    }
    if (version > SCHEMA_VERSION || version < 0)
        return rf_error_set(err, RF_EDB, st->path, 0,
                            "database schema %d is newer than this redflag understands (%d)",
                            version, SCHEMA_VERSION);
    return RF_OK;

cleanup:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int rf_store_open(rf_store **out, const char *path, rf_error *err)
{
    rf_store *st;
    int rc;

    *out = NULL;
    if (!path || !path[0]) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no database path");
    if (strcmp(path, ":memory:") != 0 && (rc = make_parents(path, err)) != 0) return rc;
    st = calloc(1, sizeof *st);
    if (!st) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    snprintf(st->path, sizeof st->path, "%s", path);
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = rf_error_set(err, RF_EDB, path, 0, "cannot open database: %s",
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    /* Another redflag may be importing: wait for its lock rather than fail at once. */
    sqlite3_busy_timeout(st->db, 10000);
    /* WAL lets screening runs read while an import writes; NORMAL is durable enough under
     * WAL (a power cut can lose the last import, never corrupt an earlier one). */
    if ((rc = rf_store_exec(st, "PRAGMA journal_mode = WAL", err)) != 0 ||
        (rc = rf_store_exec(st, "PRAGMA synchronous = NORMAL", err)) != 0 ||
        (rc = rf_store_exec(st, "PRAGMA foreign_keys = ON", err)) != 0 ||
        (rc = migrate(st, err)) != 0 || (rc = rf_chain_check_guards(st, err)) != 0)
        goto fail;
    *out = st;
    return RF_OK;

fail:
    sqlite3_close(st->db);
    free(st);
    return rc;
}

void rf_store_close(rf_store *st)
{
    if (!st) return;
    rf_import_abort(st->active);
    sqlite3_close(st->db);
    free(st);
}

int rf_store_is_empty(rf_store *st)
{
    sqlite3_stmt *stmt = NULL;
    int empty = 0;
    if (rf_store_prepare(&stmt, st, "SELECT NOT EXISTS (SELECT 1 FROM list_version)", NULL) == 0 &&
        sqlite3_step(stmt) == SQLITE_ROW)
        empty = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return empty;
}

int rf_store_has_version(rf_store *st, const char *feed, const char *sha256)
{
    sqlite3_stmt *stmt = NULL;
    int found = 0;
    if (!feed || !sha256) return 0;
    if (rf_store_prepare(&stmt, st, "SELECT 1 FROM list_version WHERE feed = ?1 AND sha256 = ?2",
                         NULL) == 0) {
        rf_store_bind_text(stmt, 1, feed);
        rf_store_bind_text(stmt, 2, sha256);
        found = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return found;
}

/* ---- versions --------------------------------------------------------------------------- */

/* YYYY-MM-DD with digits where digits belong: dates are compared as text in SQL. */
int rf_store_valid_date(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    if (!s || strlen(s) != sizeof shape - 1) return 0;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return 0;
    }
    return 1;
}

void rf_version_list_free(rf_version_list *list)
{
    if (!list) return;
    for (size_t i = 0; i < list->count; i++) {
        rf_version *v = &list->items[i];
        free(v->feed);
        free(v->format);
        free(v->source_file);
        free(v->sha256);
        free(v->published);
        free(v->imported_at);
        free(v->names_digest);
    }
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static char *column_strdup(sqlite3_stmt *stmt, int col, int *oom)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    char *copy;
    if (!s) return NULL;
    copy = rf_strndup((const char *)s, (size_t)sqlite3_column_bytes(stmt, col));
    if (!copy) *oom = 1;
    return copy;
}

int rf_store_collect_versions(rf_version_list *out, rf_store *st, sqlite3_stmt *stmt,
                              rf_error *err)
{
    size_t cap = 0;
    int step, oom = 0;

    out->items = NULL;
    out->count = 0;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_version *v;
        if (out->count == cap) {
            rf_version *grown;
            cap = cap ? cap * 2 : 8;
            grown = realloc(out->items, cap * sizeof *grown);
            if (!grown) goto oom;
            out->items = grown;
        }
        v = &out->items[out->count++];
        v->id = sqlite3_column_int64(stmt, 0);
        v->feed = column_strdup(stmt, 1, &oom);
        v->format = column_strdup(stmt, 2, &oom);
        v->source_file = column_strdup(stmt, 3, &oom);
        v->sha256 = column_strdup(stmt, 4, &oom);
        v->published = column_strdup(stmt, 5, &oom);
        v->imported_at = column_strdup(stmt, 6, &oom);
        v->entities = sqlite3_column_int64(stmt, 7);
        v->names = sqlite3_column_int64(stmt, 8);
        v->warnings = sqlite3_column_int64(stmt, 9);
        v->names_digest = column_strdup(stmt, 10, &oom);
        if (oom) goto oom;
    }
    if (step != SQLITE_DONE) {
        int rc = rf_store_db_error(err, st, "reading list versions");
        rf_version_list_free(out);
        return rc;
    }
    return RF_OK;

oom:
    rf_version_list_free(out);
    return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory reading list versions");
}

int rf_store_versions_in_force(rf_version_list *out, rf_store *st, const char *as_of,
                               rf_error *err)
{
    /* Per feed, the version with the latest effective date not after as_of; of two with the
     * same date, the one imported last (a corrected re-issue). */
    static const char sql[] =
        "SELECT " RF_STORE_VERSION_COLUMNS " FROM ("
        " SELECT *, row_number() OVER (PARTITION BY feed ORDER BY " EFFECTIVE_DATE " DESC, id DESC)"
        "   AS newest"
        " FROM list_version WHERE " EFFECTIVE_DATE " <= ?1)"
        " WHERE newest = 1 ORDER BY feed";
    sqlite3_stmt *stmt = NULL;
    char today[11];
    int rc;

    out->items = NULL;
    out->count = 0;
    if (as_of && !rf_store_valid_date(as_of))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "date \"%s\" is not YYYY-MM-DD", as_of);
    if ((rc = rf_store_prepare(&stmt, st, sql, err)) != 0) return rc;
    if (!as_of) {
        /* "Now" as the database sees it, so the comparison uses the same UTC clock as
         * imported_at. */
        sqlite3_stmt *now = NULL;
        if ((rc = rf_store_prepare(&now, st, "SELECT date('now')", err)) != 0) goto cleanup;
        if (sqlite3_step(now) != SQLITE_ROW) {
            rc = rf_store_db_error(err, st, "reading the date");
            sqlite3_finalize(now);
            goto cleanup;
        }
        snprintf(today, sizeof today, "%s", (const char *)sqlite3_column_text(now, 0));
        sqlite3_finalize(now);
        as_of = today;
    }
    rf_store_bind_text(stmt, 1, as_of);
    rc = rf_store_collect_versions(out, st, stmt, err);

cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_versions_all(rf_version_list *out, rf_store *st, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    out->items = NULL;
    out->count = 0;
    if ((rc = rf_store_prepare(&stmt, st,
                               "SELECT " RF_STORE_VERSION_COLUMNS
                               " FROM list_version ORDER BY id",
                               err)) != 0)
        return rc;
    rc = rf_store_collect_versions(out, st, stmt, err);
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_versions_ahead(rf_version_list *out, rf_store *st, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    out->items = NULL;
    out->count = 0;
    if ((rc = rf_store_prepare(&stmt, st,
                               "SELECT " RF_STORE_VERSION_COLUMNS " FROM list_version"
                               " WHERE imported_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                               " ORDER BY id",
                               err)) != 0)
        return rc;
    rc = rf_store_collect_versions(out, st, stmt, err);
    sqlite3_finalize(stmt);
    return rc;
}

/* Runs a query over list_version that binds ?1 to `id` and collects its rows. */
static int versions_by_id(rf_version_list *out, rf_store *st, const char *sql, long long id,
                          rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    out->items = NULL;
    out->count = 0;
    if ((rc = rf_store_prepare(&stmt, st, sql, err)) != 0) return rc;
    sqlite3_bind_int64(stmt, 1, id);
    rc = rf_store_collect_versions(out, st, stmt, err);
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_version_get(rf_version_list *out, rf_store *st, long long version_id,
                         rf_error *err)
{
    int rc = versions_by_id(out, st,
                            "SELECT " RF_STORE_VERSION_COLUMNS " FROM list_version WHERE id = ?1",
                            version_id, err);
    if (rc == 0 && out->count == 0)
        return rf_error_set(err, RF_ENOTFOUND, st->path, 0, "no list version %lld", version_id);
    return rc;
}

int rf_store_version_previous(rf_version_list *out, rf_store *st, long long version_id,
                              rf_error *err)
{
    /* The order rf_store_versions_in_force picks by: effective date, then import order. */
    static const char sql[] =
        "SELECT " RF_STORE_VERSION_COLUMNS " FROM (SELECT p.* FROM list_version p JOIN list_version v"
        " ON v.id = ?1 AND p.feed = v.feed WHERE (" EFFECTIVE_DATE_OF("p") ", p.id) < ("
        EFFECTIVE_DATE_OF("v") ", v.id) ORDER BY " EFFECTIVE_DATE_OF("p") " DESC, p.id DESC"
        " LIMIT 1)";
    return versions_by_id(out, st, sql, version_id, err);
}

int rf_store_version_counts(rf_store *st, long long version_id,
                            int (*fn)(const char *list_code, long long count, void *ctx),
                            void *ctx, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    if ((rc = rf_store_prepare(&stmt, st,
                               "SELECT coalesce(list_code, ''), count(*) FROM entity"
                               " WHERE version_id = ?1 GROUP BY 1 ORDER BY 1",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, version_id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (fn((const char *)sqlite3_column_text(stmt, 0), sqlite3_column_int64(stmt, 1), ctx)) {
            rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
            goto cleanup;
        }
    }
    if (step != SQLITE_DONE) rc = rf_store_db_error(err, st, "counting entities");

cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

/* ---- importing -------------------------------------------------------------------------- */

static void import_free(rf_import *imp)
{
    sqlite3_finalize(imp->ins_entity);
    sqlite3_finalize(imp->ins_name);
    sqlite3_finalize(imp->ins_address);
    sqlite3_finalize(imp->ins_warning);
    if (imp->st->active == imp) imp->st->active = NULL;
    free(imp);
}

int rf_import_begin(rf_import **out, rf_store *st, const rf_version_info *info, rf_error *err)
{
    rf_import *imp;
    sqlite3_stmt *stmt = NULL;
    int rc;

    *out = NULL;
    if (!info || !info->feed || !info->feed[0] || !info->format || !info->format[0] ||
        !info->sha256 || !info->sha256[0])
        return rf_error_set(err, RF_EUSAGE, NULL, 0,
                            "a list version needs a feed, a format and a sha256");
    if (info->published && !rf_store_valid_date(info->published))
        return rf_error_set(err, RF_EUSAGE, info->source_file, 0,
                            "publication date \"%s\" is not YYYY-MM-DD", info->published);
    if (st->active)
        return rf_error_set(err, RF_EUSAGE, st->path, 0, "another import is in progress");
    if ((rc = rf_store_writable(st, err)) != 0) return rc;
    imp = calloc(1, sizeof *imp);
    if (!imp) return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
    imp->st = st;
    rf_sha256_init(&imp->names_digest);
    snprintf(imp->source, sizeof imp->source, "%s", info->source_file ? info->source_file : "");
    st->active = imp;
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = rf_store_db_error(err, st, "cannot start the import");
        import_free(imp);
        return rc;
    }
    if ((rc = rf_store_prepare(&stmt, st,
                               "INSERT INTO list_version (feed, format, source_file, sha256,"
                               " published, imported_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               err)) != 0)
        goto fail;
    rf_store_bind_text(stmt, 1, info->feed);
    rf_store_bind_text(stmt, 2, info->format);
    rf_store_bind_text(stmt, 3, info->source_file ? info->source_file : "");
    rf_store_bind_text(stmt, 4, info->sha256);
    rf_store_bind_text(stmt, 5, info->published);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = rf_store_db_error(err, st, "recording the list version");
        goto fail;
    }
    imp->version_id = sqlite3_last_insert_rowid(st->db);
    if ((rc = rf_store_prepare(&imp->ins_entity, st,
                               "INSERT INTO entity (version_id, list_code, list_name, source_id,"
                               " type, programs, federal_register, start_date, end_date,"
                               " license_requirement, license_policy, remarks, title, source_url,"
                               " nationalities, dates_of_birth, ids, parent_name, source_line,"
                               " content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                               " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                               err)) != 0 ||
        (rc = rf_store_prepare(&imp->ins_name, st,
                               "INSERT INTO entity_name (entity_id, position, name, kind)"
                               " VALUES (?1, ?2, ?3, ?4)",
                               err)) != 0 ||
        (rc = rf_store_prepare(&imp->ins_address, st,
                               "INSERT INTO entity_address (entity_id, position, text, city,"
                               " country) VALUES (?1, ?2, ?3, ?4, ?5)",
                               err)) != 0 ||
        (rc = rf_store_prepare(&imp->ins_warning, st,
                               "INSERT INTO import_warning (version_id, line, message)"
                               " VALUES (?1, ?2, ?3)",
                               err)) != 0)
        goto fail;
    sqlite3_finalize(stmt);
    *out = imp;
    return RF_OK;

fail:
    sqlite3_finalize(stmt);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    import_free(imp);
    return rc;
}

/* The fields of an entity in a fixed order; content_hash and validation walk the same list. */
#define ENTITY_TEXT_FIELDS(e)                                                               \
    {(e)->list_code,     (e)->list_name,           (e)->source_id,      (e)->programs,      \
     (e)->federal_register, (e)->start_date,       (e)->end_date,                           \
     (e)->license_requirement, (e)->license_policy, (e)->remarks,       (e)->title,         \
     (e)->source_url,    (e)->nationalities,       (e)->dates_of_birth, (e)->ids,           \
     (e)->parent_name}

void rf_store_hash_field(rf_sha256 *h, const char *s)
{
    char len[24];
    if (!s) {
        rf_sha256_update(h, "-", 1);
        return;
    }
    snprintf(len, sizeof len, "%zu:", strlen(s));
    rf_sha256_update(h, len, strlen(len));
    rf_sha256_update(h, s, strlen(s));
}

/* sha256 of everything the list says about the entity (not where it sat in the file), so a
 * later version can tell an unchanged listing from an amended one. */
static void content_hash(char out[65], const rf_entity *e)
{
    const char *fields[] = ENTITY_TEXT_FIELDS(e);
    rf_sha256 h;

    rf_sha256_init(&h);
    rf_store_hash_field(&h, rf_entity_type_name(e->type));
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        rf_store_hash_field(&h, fields[i]);
    for (size_t i = 0; i < e->n_names; i++) {
        rf_store_hash_field(&h, rf_name_kind_name(e->names[i].kind));
        rf_store_hash_field(&h, e->names[i].text);
    }
    rf_store_hash_field(&h, "addresses");
    for (size_t i = 0; i < e->n_addresses; i++) {
        rf_store_hash_field(&h, e->addresses[i].text);
        rf_store_hash_field(&h, e->addresses[i].city);
        rf_store_hash_field(&h, e->addresses[i].country);
    }
    rf_sha256_final_hex(&h, out);
}

void rf_store_names_digest_add(rf_sha256 *h, long long entity_id, const char *kind,
                               const char *name)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", entity_id);
    rf_store_hash_field(h, id);
    rf_store_hash_field(h, kind);
    rf_store_hash_field(h, name);
}

/* Caps and UTF-8: whatever reaches the store is later printed into reports. */
static int check_text(const char *s, const char *what, const rf_entity *e, rf_import *imp,
                      rf_error *err)
{
    size_t len, bad;
    if (!s) return RF_OK;
    len = strlen(s);
    if (len > RF_MAX_FIELD)
        return rf_error_set(err, RF_ELIMIT, imp->source, e->source_line,
                            "%s longer than %d bytes", what, RF_MAX_FIELD);
    if (!rf_utf8_valid(s, len, &bad))
        return rf_error_set(err, RF_EFORMAT, imp->source, e->source_line,
                            "%s is not valid UTF-8 (byte %zu)", what, bad);
    return RF_OK;
}

static int check_entity(const rf_entity *e, rf_import *imp, rf_error *err)
{
    const char *fields[] = ENTITY_TEXT_FIELDS(e);
    int rc;

    if (e->n_names == 0 || !e->names || !e->names[0].text || !e->names[0].text[0])
        return rf_error_set(err, RF_EUSAGE, imp->source, e->source_line, "entity has no name");
    if (e->n_names > RF_MAX_NAMES)
        return rf_error_set(err, RF_ELIMIT, imp->source, e->source_line,
                            "entity has %zu names, more than %d", e->n_names, RF_MAX_NAMES);
    if (e->n_addresses > RF_MAX_ADDRESSES || (e->n_addresses && !e->addresses))
        return rf_error_set(err, RF_ELIMIT, imp->source, e->source_line,
                            "entity has %zu addresses, more than %d", e->n_addresses,
                            RF_MAX_ADDRESSES);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if ((rc = check_text(fields[i], "field", e, imp, err)) != 0) return rc;
    for (size_t i = 0; i < e->n_names; i++) {
        if (!e->names[i].text || !e->names[i].text[0])
            return rf_error_set(err, RF_EUSAGE, imp->source, e->source_line,
                                "name %zu is empty", i + 1);
        if ((rc = check_text(e->names[i].text, "name", e, imp, err)) != 0) return rc;
    }
    for (size_t i = 0; i < e->n_addresses; i++) {
        const rf_address *a = &e->addresses[i];
        if ((rc = check_text(a->text, "address", e, imp, err)) != 0 ||
            (rc = check_text(a->city, "city", e, imp, err)) != 0 ||
            (rc = check_text(a->country, "country", e, imp, err)) != 0)
            return rc;
    }
    return RF_OK;
}

/* Steps an insert and resets it for the next row; a failure poisons the import. */
static int step_insert(rf_import *imp, sqlite3_stmt *stmt, long line, rf_error *err)
{
    int step = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (step != SQLITE_DONE) {
        imp->broken = 1;
        return rf_error_set(err, RF_EDB, imp->source, line, "storing the list in %s: %s",
                            imp->st->path,
                            sqlite3_errmsg(imp->st->db));
    }
    return RF_OK;
}

int rf_import_add(rf_import *imp, const rf_entity *e, rf_error *err)
{
    const char *fields[] = ENTITY_TEXT_FIELDS(e);
    sqlite3_stmt *s;
    char hash[65];
    long long entity_id;
    int rc, col = 1;

    if (!imp || !e) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no import or no entity");
    if (imp->broken)
        return rf_error_set(err, RF_EDB, imp->st->path, 0, "the import already failed");
    if ((rc = check_entity(e, imp, err)) != 0) return rc;
    content_hash(hash, e);

    s = imp->ins_entity;
    sqlite3_bind_int64(s, col++, imp->version_id);
    for (size_t i = 0; i < 3; i++) /* code, name, source id */
        rf_store_bind_text(s, col++, fields[i]);
    rf_store_bind_text(s, col++, rf_entity_type_name(e->type));
    for (size_t i = 3; i < sizeof fields / sizeof *fields; i++)
        rf_store_bind_text(s, col++, fields[i]);
    sqlite3_bind_int64(s, col++, e->source_line);
    rf_store_bind_text(s, col, hash);
    if ((rc = step_insert(imp, s, e->source_line, err)) != 0) return rc;
    entity_id = sqlite3_last_insert_rowid(imp->st->db);

    s = imp->ins_name;
    for (size_t i = 0; i < e->n_names; i++) {
        sqlite3_bind_int64(s, 1, entity_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        rf_store_bind_text(s, 3, e->names[i].text);
        rf_store_bind_text(s, 4, rf_name_kind_name(e->names[i].kind));
        if ((rc = step_insert(imp, s, e->source_line, err)) != 0) return rc;
        rf_store_names_digest_add(&imp->names_digest, entity_id,
                                  rf_name_kind_name(e->names[i].kind), e->names[i].text);
    }
    s = imp->ins_address;
    for (size_t i = 0; i < e->n_addresses; i++) {
        sqlite3_bind_int64(s, 1, entity_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        rf_store_bind_text(s, 3, e->addresses[i].text);
        rf_store_bind_text(s, 4, e->addresses[i].city);
        rf_store_bind_text(s, 5, e->addresses[i].country);
        if ((rc = step_insert(imp, s, e->source_line, err)) != 0) return rc;
    }
    imp->entities++;
    imp->names += (long long)e->n_names;
    return RF_OK;
}

int rf_import_warn(rf_import *imp, long line, const char *message, rf_error *err)
{
    int rc;
    if (!imp || !message) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no import or message");
    if (imp->broken)
        return rf_error_set(err, RF_EDB, imp->st->path, 0, "the import already failed");
    sqlite3_bind_int64(imp->ins_warning, 1, imp->version_id);
    sqlite3_bind_int64(imp->ins_warning, 2, line);
    rf_store_bind_text(imp->ins_warning, 3, message);
    if ((rc = step_insert(imp, imp->ins_warning, line, err)) != 0) return rc;
    imp->warnings++;
    return RF_OK;
}

int rf_import_commit(rf_import *imp, long long *version_id, rf_error *err)
{
    rf_store *st;
    sqlite3_stmt *stmt = NULL;
    char digest[65];
    int rc;

    if (!imp) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no import");
    st = imp->st;
    if (imp->broken) {
        rc = rf_error_set(err, RF_EDB, st->path, 0, "the import failed; nothing was stored");
        goto fail;
    }
    /* A file that yields no entity is broken or not the list it claims to be; replacing a
     * list by nothing would silently clear every screening hit against that feed. */
    if (imp->entities == 0) {
        rc = rf_error_set(err, RF_EFORMAT, NULL, 0,
                          "no listed party found; the previous version stays in force");
        goto fail;
    }
    if ((rc = rf_store_prepare(&stmt, st,
                               "UPDATE list_version SET entities = ?1, names = ?2, warnings = ?3,"
                               " names_digest = ?5 WHERE id = ?4",
                               err)) != 0)
        goto fail;
    sqlite3_bind_int64(stmt, 1, imp->entities);
    sqlite3_bind_int64(stmt, 2, imp->names);
    sqlite3_bind_int64(stmt, 3, imp->warnings);
    sqlite3_bind_int64(stmt, 4, imp->version_id);
    rf_sha256_final_hex(&imp->names_digest, digest);
    rf_store_bind_text(stmt, 5, digest);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = rf_store_db_error(err, st, "recording the version's counts");
        goto fail;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    /* Sealed with the commit: from here on the version cannot gain or change a row. */
    if ((rc = rf_chain_seal(st, "list_version", imp->version_id, err)) != 0 ||
        (rc = rf_store_exec(st, "COMMIT", err)) != 0)
        goto fail;
    if (version_id) *version_id = imp->version_id;
    import_free(imp);
    return RF_OK;

fail:
    sqlite3_finalize(stmt);
    rf_import_abort(imp);
    return rc;
}

void rf_import_abort(rf_import *imp)
{
    if (!imp) return;
    /* Statements must be reset before the rollback can release the write lock. */
    sqlite3_reset(imp->ins_entity);
    sqlite3_reset(imp->ins_name);
    sqlite3_reset(imp->ins_address);
    sqlite3_reset(imp->ins_warning);
    sqlite3_exec(imp->st->db, "ROLLBACK", NULL, NULL, NULL);
    import_free(imp);
}

/* ---- downloads -------------------------------------------------------------------------- */

/* Copies a text column into a fixed field, "" for NULL; a value too long to be real is cut,
 * which at worst costs one unconditional download. */
static void column_copy(char *out, size_t size, sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    snprintf(out, size, "%s", s ? (const char *)s : "");
}

int rf_store_download_get(rf_download *out, rf_store *st, const char *url, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    memset(out, 0, sizeof *out);
    if (!url) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no URL");
    if ((rc = rf_store_prepare(&stmt, st,
                               "SELECT etag, last_modified, sha256, version_id, checked_at"
                               " FROM download WHERE url = ?1",
                               err)) != 0)
        return rc;
    rf_store_bind_text(stmt, 1, url);
    step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        column_copy(out->etag, sizeof out->etag, stmt, 0);
        column_copy(out->last_modified, sizeof out->last_modified, stmt, 1);
        column_copy(out->sha256, sizeof out->sha256, stmt, 2);
        out->version_id = sqlite3_column_int64(stmt, 3);
        column_copy(out->checked_at, sizeof out->checked_at, stmt, 4);
    } else if (step == SQLITE_DONE) {
        rc = rf_error_set(err, RF_ENOTFOUND, url, 0, "never downloaded");
    } else {
        rc = rf_store_db_error(err, st, "reading the download record");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_download_put(rf_store *st, const char *url, const rf_download *d, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!url || !d) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no URL or download record");
    if (st->active)
        return rf_error_set(err, RF_EUSAGE, st->path, 0, "an import is in progress");
    if ((rc = rf_store_writable(st, err)) != 0) return rc;
    if ((rc = rf_store_prepare(&stmt, st,
                               "INSERT OR REPLACE INTO download (url, etag, last_modified, sha256,"
                               " version_id, checked_at) VALUES (?1, nullif(?2, ''),"
                               " nullif(?3, ''), nullif(?4, ''), nullif(?5, 0),"
                               " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               err)) != 0)
        return rc;
    rf_store_bind_text(stmt, 1, url);
    rf_store_bind_text(stmt, 2, d->etag);
    rf_store_bind_text(stmt, 3, d->last_modified);
    rf_store_bind_text(stmt, 4, d->sha256);
    sqlite3_bind_int64(stmt, 5, d->version_id);
    if (sqlite3_step(stmt) != SQLITE_DONE) rc = rf_store_db_error(err, st, "recording the download");
    sqlite3_finalize(stmt);
    return rc;
}
