/* store.c: the sqlite list store of rf_lists.h: opening and migrating the database, the
 * import sink (one transaction per list version), and version selection by date.
 * Snapshots (loading the versions in force into memory) live in snapshot.c. */
#include "rf_lists.h"
#include "store_internal.h"
#include "audit/rf_audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bumped whenever the schema changes (UPGRADES gains a step); rf_store_open refuses
 * databases from a newer redflag. */
#define SCHEMA_VERSION 9

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

/* Schema 7: the accounts of `redflag serve` (serve/accounts.c): users with their role and
 * argon2id password hash, API tokens and web sessions kept only as hashes of the secret (and
 * a first table of Idempotency-Keys, which schema 9 replaces). IF NOT EXISTS: the upgrade
 * tests make an older database by dropping the tables of the later steps, and the accounts
 * are no evidence to rebuild. */
static const char ACCOUNTS_SQL[] =
    "CREATE TABLE IF NOT EXISTS app_user ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN ('reviewer', 'approver', 'admin')),"
    " password_hash TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS api_token ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES app_user(id),"
    " token_hash TEXT NOT NULL UNIQUE,"
    " scopes TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " revoked_at TEXT);"
    "CREATE TABLE IF NOT EXISTS web_session ("
    " token_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES app_user(id),"
    " csrf TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " expires_at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS api_idempotency ("
    " token_id INTEGER NOT NULL REFERENCES api_token(id),"
    " key TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " body TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " PRIMARY KEY (token_id, key));";

/* Schema 9: the first answer to each Idempotency-Key of a token (serve/idempotency.c), with
 * the sha256 of the request it answered, so that a retried POST is answered again instead of
 * screened twice, and the same key on another request is refused. The table of schema 7,
 * which nothing wrote, lacked the request's digest. */
static const char IDEMPOTENCY_SQL[] =
    "DROP TABLE IF EXISTS api_idempotency;"
    "CREATE TABLE IF NOT EXISTS api_idempotency_key ("
    " token_id INTEGER NOT NULL REFERENCES api_token(id),"
    " key TEXT NOT NULL,"
    " request_sha256 TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " body TEXT NOT NULL,"
    " run_id INTEGER,"
    " created_at TEXT NOT NULL,"
    " PRIMARY KEY (token_id, key));"
    "CREATE INDEX IF NOT EXISTS api_idempotency_key_created ON api_idempotency_key(created_at);";

/* Schema 8: the links of ownership files (who owns what share of whom, or consolidates
 * whom), kept with the version of the file they came from. */
static const char OWNERSHIP_SQL[] =
    "CREATE TABLE IF NOT EXISTS ownership_link ("
    " id INTEGER PRIMARY KEY,"
    " version_id INTEGER NOT NULL REFERENCES list_version(id),"
    " owned_entity_id INTEGER REFERENCES entity(id),"
    " owned_name TEXT, owned_ids TEXT, owner_name TEXT, owner_ids TEXT,"
    " share_min REAL, share_max REAL,"
    " kind TEXT NOT NULL, relation TEXT, direct INTEGER NOT NULL,"
    " source TEXT, as_of TEXT, start_date TEXT, end_date TEXT, source_line INTEGER);"
    "CREATE INDEX IF NOT EXISTS ownership_link_version ON ownership_link(version_id);";

/* UPGRADES[i] takes a database from schema i to i + 1. */
static const char *const UPGRADES[SCHEMA_VERSION] = {
    SCHEMA_SQL, DOWNLOAD_SQL, rf_store_schema_review, rf_store_schema_review_guards,
    rf_store_schema_run_process, rf_store_schema_chain, ACCOUNTS_SQL, OWNERSHIP_SQL,
    IDEMPOTENCY_SQL};
/* The step after which rf_chain__upgrade seals the evidence already there, and creates every
 * guard trigger (run_process's too, made by the step before). */
#define CHAIN_STEP 5

/* The date a version takes effect: its publication date, else the day it was imported. A
 * version imported while the clock was ahead must not wait for that day, nor outrank a
 * version of its feed imported after it: the import day counts no later than today, nor than
 * the import day of any later import of the feed (import order beats the wall clock). */
#define EFFECTIVE_DATE_OF(t)                                                                  \
    "coalesce(" t ".published, min(substr(" t ".imported_at, 1, 10), date('now'),"           \
    " coalesce((SELECT min(substr(later.imported_at, 1, 10)) FROM list_version later"         \
    " WHERE later.feed = " t ".feed AND later.id > " t ".id), '9999-12-31')))"
#define EFFECTIVE_DATE EFFECTIVE_DATE_OF("list_version")
/* An import stages the version in TEMP tables of its own connection while the file is parsed,
 * which takes no lock on the database; rf_import_commit copies them in one short write
 * transaction, so screening runs recording their results wait on an import for that copy
 * only, never for the parse. */
struct rf_import {
    rf_store *st;
    char source[512]; /* the list file, named in messages about its entities */
    rf_version_info info;
    char *strings;    /* the texts `info` points at, copied */
    long long entities, names, warnings, links;
    int broken; /* a statement failed: the transaction can only be rolled back */
    sqlite3_stmt *ins_entity, *ins_name, *ins_address, *ins_warning, *ins_link;
};

/* The staging tables: the columns of entity (its id local to the import), entity_name,
 * entity_address and import_warning, without the version. */
static const char STAGE_SQL[] =
    "CREATE TEMP TABLE IF NOT EXISTS stage_entity (id INTEGER PRIMARY KEY, list_code,"
    " list_name, source_id, type, programs, federal_register, start_date, end_date,"
    " license_requirement, license_policy, remarks, title, source_url, nationalities,"
    " dates_of_birth, ids, parent_name, source_line, content_hash);"
    "CREATE TEMP TABLE IF NOT EXISTS stage_name (entity_id, position, name, kind);"
    "CREATE TEMP TABLE IF NOT EXISTS stage_address (entity_id, position, text, city, country);"
    "CREATE TEMP TABLE IF NOT EXISTS stage_warning (line, message);"
    "CREATE TEMP TABLE IF NOT EXISTS stage_link (owned_entity_id, owned_name, owned_ids,"
    " owner_name, owner_ids, share_min, share_max, kind, relation, direct, source, as_of,"
    " start_date, end_date, source_line);";

int rf_store__db_error(rf_error *err, rf_store *st, const char *what)
{
    return rf_error_set(err, RF_EDB, st->path, 0, "%s: %s", what, sqlite3_errmsg(st->db));
}

int rf_store__exec(rf_store *st, const char *sql, rf_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return rf_store__db_error(err, st, sql);
    return RF_OK;
}

int rf_store__read_begin(rf_store *st, int *began, rf_error *err)
{
    *began = 0;
    if (!sqlite3_get_autocommit(st->db)) return RF_OK;
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return rf_store__db_error(err, st, "starting to read");
    *began = 1;
    return RF_OK;
}

void rf_store__read_end(rf_store *st, int began)
{
    if (began) sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int rf_store__prepare(sqlite3_stmt **out, rf_store *st, const char *sql, rf_error *err)
{
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return rf_store__db_error(err, st, "preparing a statement");
    }
    return RF_OK;
}

int rf_store__prepare_cached(sqlite3_stmt **out, rf_store *st, const char *sql, rf_error *err)
{
    int rc;
    for (size_t i = 0; i < st->n_cached; i++)
        if (st->cached[i].sql == sql && !st->cached[i].in_use) {
            st->cached[i].in_use = 1;
            *out = st->cached[i].stmt;
            return RF_OK;
        }
    if ((rc = rf_store__prepare(out, st, sql, err)) != RF_OK) return rc;
    if (st->n_cached < RF_STORE_CACHED)
        st->cached[st->n_cached++] = (rf_store_cached){sql, *out, 1};
    return RF_OK;
}

void rf_store__release(rf_store *st, sqlite3_stmt *stmt)
{
    if (!stmt) return;
    for (size_t i = 0; i < st->n_cached; i++)
        if (st->cached[i].stmt == stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
            st->cached[i].in_use = 0;
            return;
        }
    sqlite3_finalize(stmt);
}

int rf_store__bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
    return s ? sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC) : sqlite3_bind_null(stmt, col);
}

/* ---- names of enum values --------------------------------------------------------------- */

static const char *const TYPE_NAMES[] = {"unknown", "person", "organization", "vessel",
                                         "aircraft"};
static const char *const KIND_NAMES[] = {"primary", "alias", "weak_alias", "former",
                                         "original", "native"};

const char *rf_entity_type_name(rf_entity_type t)
{
    return (unsigned)t < sizeof TYPE_NAMES / sizeof *TYPE_NAMES ? TYPE_NAMES[t] : "unknown";
}

const char *rf_name_kind_name(rf_name_kind k)
{
    return (unsigned)k < sizeof KIND_NAMES / sizeof *KIND_NAMES ? KIND_NAMES[k] : "alias";
}

rf_entity_type rf_store__parse_type(const char *s)
{
    for (size_t i = 0; s && i < sizeof TYPE_NAMES / sizeof *TYPE_NAMES; i++)
        if (strcmp(s, TYPE_NAMES[i]) == 0) return (rf_entity_type)i;
    return RF_ENTITY_UNKNOWN;
}

rf_name_kind rf_store__parse_kind(const char *s)
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

/* One integer a PRAGMA or query returns. */
static int query_int(int *out, rf_store *st, const char *sql, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = rf_store__prepare(&stmt, st, sql, err);
    if (rc) return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int(stmt, 0);
    else
        rc = rf_store__db_error(err, st, "reading the database");
    sqlite3_finalize(stmt);
    return rc;
}

/* Whether the file is redflag's to write into, before anything is written: one stamped with
 * redflag's application_id, a database with no table yet (new), or one an older redflag made
 * before the stamp (its schema version and list_version table). Another application's
 * database, or a file that is no database, is refused. *app_id is what the file says. */
static int check_owner(int *app_id, rf_store *st, rf_error *err)
{
    int tables = 0, version = 0, lists = 0;

    if (query_int(app_id, st, "PRAGMA application_id", err) != 0)
        return (sqlite3_errcode(st->db) & 0xff) == SQLITE_NOTADB
                   ? rf_error_set(err, RF_EDB, st->path, 0,
                                  "not a database at all: refusing to use it")
                   : rf_error_set(err, RF_EDB, st->path, 0, "cannot read the database: %s",
                                  sqlite3_errmsg(st->db));
    if (*app_id == RF_STORE_APPLICATION_ID) return RF_OK;
    if (query_int(&tables, st, "SELECT count(*) FROM sqlite_master", err) != 0 ||
        query_int(&version, st, "PRAGMA user_version", err) != 0 ||
        query_int(&lists, st,
                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                  "'list_version'",
                  err) != 0)
        return RF_EDB;
    if (*app_id == 0 && (tables == 0 || (version >= 1 && lists == 1))) return RF_OK;
    return rf_error_set(err, RF_EDB, st->path, 0,
                        "another application's SQLite database (application_id %d, %d "
                        "tables), not a redflag one: refusing to use it",
                        *app_id, tables);
}

/* Creates the schema in a new database, upgrades an older one, or checks that an existing one
 * is one we know, stamping redflag's application_id on it. The write lock is taken only to
 * change the schema, so opening a current database never waits on an import running in
 * another process. A read-only store upgrades nothing. */
static int migrate(rf_store *st, int app_id, rf_error *err)
{
    int version = 0, rc;

    if ((rc = query_int(&version, st, "PRAGMA user_version", err)) != 0) return rc;
    if (st->readonly && version >= 0 && version < SCHEMA_VERSION)
        return rf_error_set(err, RF_EDB, st->path, 0,
                            "database schema %d is older than this redflag's (%d) and the "
                            "database is read-only: open it once writable to upgrade it",
                            version, SCHEMA_VERSION);
    if (!st->readonly && version >= 0 &&
        (version < SCHEMA_VERSION || app_id != RF_STORE_APPLICATION_ID)) {
        char sql[64];
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return rf_store__db_error(err, st, "cannot create or upgrade the database");
        /* Another process may have done it while we waited for the lock. */
        if ((rc = query_int(&version, st, "PRAGMA user_version", err)) != 0) goto cleanup;
        for (; version >= 0 && version < SCHEMA_VERSION; version++)
            if ((rc = rf_store__exec(st, UPGRADES[version], err)) != 0 ||
                (version == CHAIN_STEP && (rc = rf_chain__upgrade(st, err)) != 0))
                goto cleanup;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
                 version, RF_STORE_APPLICATION_ID);
        if ((rc = rf_store__exec(st, sql, err)) != 0 ||
            (rc = rf_store__exec(st, "COMMIT", err)) != 0)
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

/* 0 when `path` + `suffix` can be accessed as `mode` says (access()). */
static int can(const char *path, const char *suffix, int mode)
{
    char name[4200];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return access(name, mode);
}

/* 0 when this process can write in the directory of `path`, where SQLite keeps the -wal and
 * -shm files. */
static int dir_writable(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
    return access(dir, W_OK);
}

/* 0 when this process can write the database at `path`: the file, and its directory unless
 * the -wal and -shm files exist writable already. access() answers for a read-only mount
 * too; root passes the permission bits, and is caught by the fallback in rf_store_open_mode
 * when SQLite then finds it cannot write. */
static int writable(const char *path)
{
    if (can(path, "", W_OK) != 0) return -1;
    if (dir_writable(path) == 0) return 0;
    return can(path, "-wal", W_OK) == 0 && can(path, "-shm", W_OK) == 0 ? 0 : -1;
}

/* Opens `path` read-only or read-write (creating it when `create`), checks whose it is and
 * brings its schema up to date. */
static int open_as(rf_store **out, const char *path, int readonly, int create, rf_error *err)
{
    rf_store *st;
    int rc, app_id = 0, flags;
    char uri[4200];

    *out = NULL;
    st = calloc(1, sizeof *st);
    if (!st) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    snprintf(st->path, sizeof st->path, "%s", path);
    st->readonly = readonly;
    flags = readonly ? SQLITE_OPEN_READONLY
                     : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    /* A store is used by one thread at a time (rf_lists.h): sqlite need not lock the
     * connection around every call (a server makes hundreds of thousands a second). */
    flags |= SQLITE_OPEN_NOMUTEX;
    /* A read-only database is opened as an URI, so that its name is taken as written. */
    if (readonly) {
        sqlite3_str *s = sqlite3_str_new(NULL);
        char *u;
        sqlite3_str_appendall(s, "file:");
        for (const char *p = path; *p; p++) {
            if (*p == '?' || *p == '#' || *p == '%') sqlite3_str_appendf(s, "%%%02X", *p);
            else sqlite3_str_appendchar(s, 1, *p);
        }
        sqlite3_str_appendall(s, "?mode=ro");
        /* A WAL database needs its -shm file, which cannot be created in a read-only
         * directory: nothing can write the database there, so it is read as immutable. */
        if (dir_writable(path) != 0 && can(path, "-shm", F_OK) != 0)
            sqlite3_str_appendall(s, "&immutable=1");
        u = sqlite3_str_finish(s);
        snprintf(uri, sizeof uri, "%s", u ? u : "");
        sqlite3_free(u);
        flags |= SQLITE_OPEN_URI;
    }
    if (sqlite3_open_v2(readonly ? uri : path, &st->db, flags, NULL) != SQLITE_OK) {
        rc = rf_error_set(err, RF_EDB, path, 0, "cannot open database: %s",
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    /* Another redflag may be importing: wait for its lock rather than fail at once. Its
     * write is short (the copy of what it parsed), but on a loaded machine, or under the
     * sanitizers, a screen waited more than 10 s for it and failed ("database is locked")
     * after screening everything: a minute. */
    sqlite3_busy_timeout(st->db, 60000);
    if ((rc = check_owner(&app_id, st, err)) != 0) goto fail;
    /* WAL lets screening runs read while an import writes; NORMAL is durable enough under
     * WAL (a power cut can lose the last import, never corrupt an earlier one). */
    if ((!readonly && (rc = rf_store__exec(st, "PRAGMA journal_mode = WAL", err)) != 0) ||
        (rc = rf_store__exec(st, "PRAGMA synchronous = NORMAL", err)) != 0 ||
        (rc = rf_store__exec(st, "PRAGMA foreign_keys = ON", err)) != 0 ||
        (rc = migrate(st, app_id, err)) != 0 || (rc = rf_chain__check_guards(st, err)) != 0)
        goto fail;
    {
        /* Runs a crash left 'running' are marked interrupted at the next start of redflag.
         * A database that cannot be written keeps showing them running: not an error. */
        long long reaped;
        rf_store_runs_reap(st, &reaped, NULL);
    }
    *out = st;
    return RF_OK;

fail:
    sqlite3_close(st->db);
    free(st);
    return rc;
}

int rf_store_open_mode(rf_store **out, const char *path, int flags, rf_error *err)
{
    struct stat sb;
    int memory, rc, ext;

    *out = NULL;
    if (!path || !path[0]) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no database path");
    memory = strcmp(path, ":memory:") == 0;
    if (!memory && stat(path, &sb) != 0) {
        if (errno != ENOENT || !(flags & RF_STORE_CREATE))
            return rf_error_set(err, RF_ENOTFOUND, path, 0, "no such database: %s",
                                strerror(errno));
        if (flags & RF_STORE_READONLY)
            return rf_error_set(err, RF_EUSAGE, path, 0, "cannot create a read-only database");
        if ((rc = make_parents(path, err)) != 0) return rc;
        return open_as(out, path, 0, 1, err);
    }
    if (!memory && S_ISDIR(sb.st_mode))
        return rf_error_set(err, RF_EUSAGE, path, 0, "is a directory, not a database");
    /* An empty file is what a truncated database or a mistyped path to a new file looks
     * like: it becomes a database only when asked to be created. */
    if (!memory && sb.st_size == 0 && !(flags & RF_STORE_CREATE))
        return rf_error_set(err, RF_ENOTFOUND, path, 0,
                            "is an empty file, not a redflag database");
    if (flags & RF_STORE_READONLY) return open_as(out, path, 1, 0, err);
    if (!memory && (flags & RF_STORE_FALLBACK_READONLY) && writable(path) != 0)
        return open_as(out, path, 1, 0, err);
    rc = open_as(out, path, 0, 0, err);
    if (rc == RF_OK || memory || !(flags & RF_STORE_FALLBACK_READONLY)) return rc;
    /* Root passes access(); SQLite then learns the file cannot be written. */
    ext = 0;
    {
        sqlite3 *probe = NULL;
        if (sqlite3_open_v2(path, &probe, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
            sqlite3_exec(probe, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
            ext = sqlite3_errcode(probe) & 0xff;
        sqlite3_close(probe);
    }
    if (ext != SQLITE_READONLY && ext != SQLITE_CANTOPEN && ext != SQLITE_PERM) return rc;
    return open_as(out, path, 1, 0, err);
}

int rf_store_open(rf_store **out, const char *path, rf_error *err)
{
    return rf_store_open_mode(out, path, RF_STORE_CREATE, err);
}

int rf_store_readonly(const rf_store *st)
{
    return st ? st->readonly : 0;
}

const char *rf_store_path(const rf_store *st)
{
    return st->path;
}

void rf_store_close(rf_store *st)
{
    if (!st) return;
    rf_import_abort(st->active);
    for (size_t i = 0; i < st->n_cached; i++) sqlite3_finalize(st->cached[i].stmt);
    sqlite3_close(st->db);
    free(st);
}

int rf_store_is_empty(rf_store *st)
{
    sqlite3_stmt *stmt = NULL;
    int empty = 0;
    if (rf_store__prepare(&stmt, st, "SELECT NOT EXISTS (SELECT 1 FROM list_version)", NULL) == 0 &&
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
    if (rf_store__prepare(&stmt, st, "SELECT 1 FROM list_version WHERE feed = ?1 AND sha256 = ?2",
                         NULL) == 0) {
        rf_store__bind_text(stmt, 1, feed);
        rf_store__bind_text(stmt, 2, sha256);
        found = sqlite3_step(stmt) == SQLITE_ROW;
    }
    sqlite3_finalize(stmt);
    return found;
}

/* ---- versions --------------------------------------------------------------------------- */

/* YYYY-MM-DD with digits where digits belong: dates are compared as text in SQL. */
int rf_store__valid_date(const char *s)
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

int rf_store__collect_versions(rf_version_list *out, rf_store *st, sqlite3_stmt *stmt,
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
        int rc = rf_store__db_error(err, st, "reading list versions");
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
    if (as_of && !rf_store__valid_date(as_of))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "date \"%s\" is not YYYY-MM-DD", as_of);
    if ((rc = rf_store__prepare(&stmt, st, sql, err)) != 0) return rc;
    if (!as_of) {
        /* "Now" as the database sees it, so the comparison uses the same UTC clock as
         * imported_at. */
        sqlite3_stmt *now = NULL;
        if ((rc = rf_store__prepare(&now, st, "SELECT date('now')", err)) != 0) goto cleanup;
        if (sqlite3_step(now) != SQLITE_ROW) {
            rc = rf_store__db_error(err, st, "reading the date");
            sqlite3_finalize(now);
            goto cleanup;
        }
        snprintf(today, sizeof today, "%s", (const char *)sqlite3_column_text(now, 0));
        sqlite3_finalize(now);
        as_of = today;
    }
    rf_store__bind_text(stmt, 1, as_of);
    rc = rf_store__collect_versions(out, st, stmt, err);

cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_versions_all(rf_version_list *out, rf_store *st, rf_error *err)
{
    return rf_store__versions_query(
        out, st, "SELECT " RF_STORE_VERSION_COLUMNS " FROM list_version ORDER BY id", 0, err);
}

int rf_store_versions_ahead(rf_version_list *out, rf_store *st, rf_error *err)
{
    return rf_store__versions_query(out, st,
                                   "SELECT " RF_STORE_VERSION_COLUMNS " FROM list_version"
                                   " WHERE imported_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                                   " ORDER BY id",
                                   0, err);
}

/* Runs a query over list_version that binds ?1 to `id` and collects its rows. */
int rf_store__versions_query(rf_version_list *out, rf_store *st, const char *sql, long long id,
                            rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    out->items = NULL;
    out->count = 0;
    if ((rc = rf_store__prepare(&stmt, st, sql, err)) != 0) return rc;
    if (sqlite3_bind_parameter_count(stmt) > 0) sqlite3_bind_int64(stmt, 1, id);
    rc = rf_store__collect_versions(out, st, stmt, err);
    sqlite3_finalize(stmt);
    return rc;
}

int rf_store_version_get(rf_version_list *out, rf_store *st, long long version_id,
                         rf_error *err)
{
    int rc = rf_store__versions_query(out, st,
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
    return rf_store__versions_query(out, st, sql, version_id, err);
}

int rf_store_version_counts(rf_store *st, long long version_id,
                            int (*fn)(const char *list_code, long long count, void *ctx),
                            void *ctx, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    if ((rc = rf_store__prepare(&stmt, st,
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
    if (step != SQLITE_DONE) rc = rf_store__db_error(err, st, "counting entities");

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
    sqlite3_finalize(imp->ins_link);
    /* The staged rows (committed to the temp database once the parse ended) go with it. */
    if (sqlite3_get_autocommit(imp->st->db))
        sqlite3_exec(imp->st->db, "DELETE FROM stage_entity; DELETE FROM stage_name;"
                     " DELETE FROM stage_address; DELETE FROM stage_warning;"
                     " DELETE FROM stage_link;", NULL, NULL, NULL);
    if (imp->st->active == imp) imp->st->active = NULL;
    free(imp->strings);
    free(imp);
}

/* Keeps copies of the version's texts: the caller's may be gone by the commit. */
static int copy_info(rf_import *imp, const rf_version_info *info)
{
    const char *in[] = {info->feed, info->format, info->source_file ? info->source_file : "",
                        info->sha256, info->published};
    const char **out[] = {&imp->info.feed, &imp->info.format, &imp->info.source_file,
                          &imp->info.sha256, &imp->info.published};
    size_t total = 0, at = 0;
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) total += in[i] ? strlen(in[i]) + 1 : 0;
    if (!(imp->strings = malloc(total ? total : 1))) return RF_ENOMEM;
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        *out[i] = NULL;
        if (!in[i]) continue;
        memcpy(imp->strings + at, in[i], strlen(in[i]) + 1);
        *out[i] = imp->strings + at;
        at += strlen(in[i]) + 1;
    }
    return RF_OK;
}

int rf_import_begin(rf_import **out, rf_store *st, const rf_version_info *info, rf_error *err)
{
    rf_import *imp;
    int rc;

    *out = NULL;
    if (!info || !info->feed || !info->feed[0] || !info->format || !info->format[0] ||
        !info->sha256 || !info->sha256[0])
        return rf_error_set(err, RF_EUSAGE, NULL, 0,
                            "a list version needs a feed, a format and a sha256");
    if (info->published && !rf_store__valid_date(info->published))
        return rf_error_set(err, RF_EUSAGE, info->source_file, 0,
                            "publication date \"%s\" is not YYYY-MM-DD", info->published);
    if (st->active)
        return rf_error_set(err, RF_EUSAGE, st->path, 0, "another import is in progress");
    if ((rc = rf_store__writable(st, err)) != 0) return rc;
    imp = calloc(1, sizeof *imp);
    if (!imp) return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
    imp->st = st;
    snprintf(imp->source, sizeof imp->source, "%s", info->source_file ? info->source_file : "");
    st->active = imp;
    if (copy_info(imp, info) != 0) {
        import_free(imp);
        return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
    }
    /* A transaction that writes only TEMP tables holds no lock on the database file. */
    if ((rc = rf_store__exec(st, "BEGIN", err)) != 0) {
        import_free(imp);
        return rc;
    }
    if ((rc = rf_store__exec(st, STAGE_SQL, err)) != 0 ||
        (rc = rf_store__prepare(&imp->ins_entity, st,
                               "INSERT INTO stage_entity (list_code, list_name, source_id,"
                               " type, programs, federal_register, start_date, end_date,"
                               " license_requirement, license_policy, remarks, title, source_url,"
                               " nationalities, dates_of_birth, ids, parent_name, source_line,"
                               " content_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                               " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                               err)) != 0 ||
        (rc = rf_store__prepare(&imp->ins_name, st,
                               "INSERT INTO stage_name (entity_id, position, name, kind)"
                               " VALUES (?1, ?2, ?3, ?4)",
                               err)) != 0 ||
        (rc = rf_store__prepare(&imp->ins_address, st,
                               "INSERT INTO stage_address (entity_id, position, text, city,"
                               " country) VALUES (?1, ?2, ?3, ?4, ?5)",
                               err)) != 0 ||
        (rc = rf_store__prepare(&imp->ins_warning, st,
                               "INSERT INTO stage_warning (line, message) VALUES (?1, ?2)",
                               err)) != 0 ||
        (rc = rf_store__prepare(&imp->ins_link, st,
                               "INSERT INTO stage_link (owned_entity_id, owned_name, owned_ids,"
                               " owner_name, owner_ids, share_min, share_max, kind, relation,"
                               " direct, source, as_of, start_date, end_date, source_line)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               " ?14, ?15)",
                               err)) != 0) {
        rf_import_abort(imp);
        return rc;
    }
    *out = imp;
    return RF_OK;
}

/* The fields of an entity in a fixed order; content_hash and validation walk the same list. */
#define ENTITY_TEXT_FIELDS(e)                                                               \
    {(e)->list_code,     (e)->list_name,           (e)->source_id,      (e)->programs,      \
     (e)->federal_register, (e)->start_date,       (e)->end_date,                           \
     (e)->license_requirement, (e)->license_policy, (e)->remarks,       (e)->title,         \
     (e)->source_url,    (e)->nationalities,       (e)->dates_of_birth, (e)->ids,           \
     (e)->parent_name}

void rf_store__hash_field(rf_sha256 *h, const char *s)
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
    rf_store__hash_field(&h, rf_entity_type_name(e->type));
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        rf_store__hash_field(&h, fields[i]);
    for (size_t i = 0; i < e->n_names; i++) {
        rf_store__hash_field(&h, rf_name_kind_name(e->names[i].kind));
        rf_store__hash_field(&h, e->names[i].text);
    }
    rf_store__hash_field(&h, "addresses");
    for (size_t i = 0; i < e->n_addresses; i++) {
        rf_store__hash_field(&h, e->addresses[i].text);
        rf_store__hash_field(&h, e->addresses[i].city);
        rf_store__hash_field(&h, e->addresses[i].country);
    }
    rf_sha256_final_hex(&h, out);
}

/* Digest input gathered before it is hashed. */
#define DIGEST_PIECE 65536

int rf_store__names_digest_init(rf_store__names_digest *d)
{
    memset(d, 0, sizeof *d);
    return rf_sha256_init(&d->h);
}

/* Appends the decimal digits of n to `out`; returns how many. */
static size_t put_decimal(char *out, unsigned long long n)
{
    char digits[24];
    size_t k = 0, len;
    do digits[k++] = (char)('0' + n % 10); while ((n /= 10) != 0);
    for (len = k; k > 0; k--) out[len - k] = digits[k - 1];
    return len;
}

/* rf_store__hash_field of s into the digest, gathered. */
static void digest_field(rf_store__names_digest *d, const char *s, size_t len)
{
    char prefix[24];
    size_t n = 0;
    if (s) {
        n = put_decimal(prefix, len);
        prefix[n++] = ':';
    }
    if (d->pending.len + n + len > DIGEST_PIECE) {
        rf_sha256_update(&d->h, d->pending.data, d->pending.len);
        rf_buf_reset(&d->pending);
    }
    /* Out of memory for the buffer: the field straight into the hash, as the same bytes. */
    if (!s ? rf_buf_putc(&d->pending, '-') != RF_OK
           : rf_buf_append(&d->pending, prefix, n) != RF_OK || rf_buf_append(&d->pending, s, len) != RF_OK) {
        rf_sha256_update(&d->h, d->pending.data, d->pending.len);
        rf_buf_reset(&d->pending);
        if (!s) {
            rf_sha256_update(&d->h, "-", 1);
        } else {
            rf_sha256_update(&d->h, prefix, n);
            rf_sha256_update(&d->h, s, len);
        }
    }
}

void rf_store__names_digest_add(rf_store__names_digest *d, long long entity_id, const char *kind,
                               const char *name)
{
    char id[24];
    size_t n = 0;
    if (entity_id < 0) id[n++] = '-';
    n += put_decimal(id + n, entity_id < 0 ? 0ULL - (unsigned long long)entity_id : (unsigned long long)entity_id);
    digest_field(d, id, n);
    digest_field(d, kind, kind ? strlen(kind) : 0);
    digest_field(d, name, name ? strlen(name) : 0);
}

void rf_store__names_digest_final(rf_store__names_digest *d, char out[65])
{
    if (d->pending.len) rf_sha256_update(&d->h, d->pending.data, d->pending.len);
    rf_buf_free(&d->pending);
    rf_sha256_final_hex(&d->h, out);
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
    for (size_t i = 0; i < 3; i++) /* code, name, source id */
        rf_store__bind_text(s, col++, fields[i]);
    rf_store__bind_text(s, col++, rf_entity_type_name(e->type));
    for (size_t i = 3; i < sizeof fields / sizeof *fields; i++)
        rf_store__bind_text(s, col++, fields[i]);
    sqlite3_bind_int64(s, col++, e->source_line);
    rf_store__bind_text(s, col, hash);
    if ((rc = step_insert(imp, s, e->source_line, err)) != 0) return rc;
    entity_id = sqlite3_last_insert_rowid(imp->st->db);

    s = imp->ins_name;
    for (size_t i = 0; i < e->n_names; i++) {
        sqlite3_bind_int64(s, 1, entity_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        rf_store__bind_text(s, 3, e->names[i].text);
        rf_store__bind_text(s, 4, rf_name_kind_name(e->names[i].kind));
        if ((rc = step_insert(imp, s, e->source_line, err)) != 0) return rc;
    }
    s = imp->ins_address;
    for (size_t i = 0; i < e->n_addresses; i++) {
        sqlite3_bind_int64(s, 1, entity_id);
        sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
        rf_store__bind_text(s, 3, e->addresses[i].text);
        rf_store__bind_text(s, 4, e->addresses[i].city);
        rf_store__bind_text(s, 5, e->addresses[i].country);
        if ((rc = step_insert(imp, s, e->source_line, err)) != 0) return rc;
    }
    imp->entities++;
    imp->names += (long long)e->n_names;
    return RF_OK;
}

const char *rf_link_kind_name(rf_link_kind k)
{
    return k == RF_LINK_CONSOLIDATION ? "consolidation" : k == RF_LINK_LINKED ? "linked"
                                                                              : "ownership";
}

int rf_import_add_link(rf_import *imp, const rf_link *link, rf_error *err)
{
    const char *texts[] = {link ? link->owned_name : NULL, link ? link->owned_ids : NULL,
                           link ? link->owner_name : NULL, link ? link->owner_ids : NULL,
                           link ? link->relation : NULL,   link ? link->source : NULL};
    const char *dates[] = {link ? link->as_of : NULL, link ? link->start_date : NULL,
                           link ? link->end_date : NULL};
    sqlite3_stmt *s;
    size_t bad;
    int col = 1;

    if (!imp || !link) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no import or no link");
    if (imp->broken)
        return rf_error_set(err, RF_EDB, imp->st->path, 0, "the import already failed");
    if (!(link->owned_name || link->owned_ids || link->owned_entity) ||
        !(link->owner_name || link->owner_ids))
        return rf_error_set(err, RF_EUSAGE, imp->source, link->source_line,
                            "a link needs an owner and an owned company");
    if (link->owned_entity < 0 || link->owned_entity > imp->entities)
        return rf_error_set(err, RF_EUSAGE, imp->source, link->source_line,
                            "link to entity %lld of an import of %lld", link->owned_entity,
                            imp->entities);
    if ((link->share_min >= 0 || link->share_max >= 0) &&
        (link->share_min < 0 || link->share_max > 100 || link->share_min > link->share_max))
        return rf_error_set(err, RF_EUSAGE, imp->source, link->source_line,
                            "share %g..%g is not within 0..100 percent", link->share_min,
                            link->share_max);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        if (!texts[i]) continue;
        if (strlen(texts[i]) > RF_MAX_FIELD)
            return rf_error_set(err, RF_ELIMIT, imp->source, link->source_line,
                                "field longer than %d bytes", RF_MAX_FIELD);
        if (!rf_utf8_valid(texts[i], strlen(texts[i]), &bad))
            return rf_error_set(err, RF_EFORMAT, imp->source, link->source_line,
                                "field is not valid UTF-8 (byte %zu)", bad);
    }
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++)
        if (dates[i] && !rf_store__valid_date(dates[i]))
            return rf_error_set(err, RF_EFORMAT, imp->source, link->source_line,
                                "date \"%s\" is not YYYY-MM-DD", dates[i]);
    s = imp->ins_link;
    if (link->owned_entity) sqlite3_bind_int64(s, col, link->owned_entity);
    col++;
    for (size_t i = 0; i < 4; i++) rf_store__bind_text(s, col++, texts[i]);
    if (link->share_min >= 0) {
        sqlite3_bind_double(s, col, link->share_min);
        sqlite3_bind_double(s, col + 1, link->share_max);
    }
    col += 2;
    rf_store__bind_text(s, col++, rf_link_kind_name(link->kind));
    rf_store__bind_text(s, col++, texts[4]);
    sqlite3_bind_int(s, col++, link->direct);
    rf_store__bind_text(s, col++, texts[5]);
    for (size_t i = 0; i < 3; i++) rf_store__bind_text(s, col++, dates[i]);
    sqlite3_bind_int64(s, col, link->source_line);
    if (step_insert(imp, s, link->source_line, err) != 0) return RF_EDB;
    imp->links++;
    return RF_OK;
}

int rf_import_warn(rf_import *imp, long line, const char *message, rf_error *err)
{
    int rc;
    if (!imp || !message) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no import or message");
    if (imp->broken)
        return rf_error_set(err, RF_EDB, imp->st->path, 0, "the import already failed");
    sqlite3_bind_int64(imp->ins_warning, 1, line);
    rf_store__bind_text(imp->ins_warning, 2, message);
    if ((rc = step_insert(imp, imp->ins_warning, line, err)) != 0) return rc;
    imp->warnings++;
    return RF_OK;
}

/* Copies the staged version into the database: the write transaction of the import, short
 * because the file was parsed already. Entity ids continue after the largest stored one. */
/* The digest of the staged names as they will be stored (entity ids moved by `offset`),
 * which every load of the version checks (rf_store__names_digest_add). */
static int staged_names_digest(char out[65], rf_import *imp, long long offset, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    rf_store__names_digest h;
    int rc, step;

    if ((rc = rf_store__prepare(&stmt, imp->st,
                               "SELECT entity_id + ?1, kind, name FROM stage_name"
                               " ORDER BY entity_id, position",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, offset);
    rf_store__names_digest_init(&h);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
        rf_store__names_digest_add(&h, sqlite3_column_int64(stmt, 0),
                                  (const char *)sqlite3_column_text(stmt, 1),
                                  (const char *)sqlite3_column_text(stmt, 2));
    if (step != SQLITE_DONE) rc = rf_store__db_error(err, imp->st, "reading the staged names");
    sqlite3_finalize(stmt);
    rf_store__names_digest_final(&h, out);
    return rc;
}

static int copy_staged(rf_import *imp, long long *version_id, rf_error *err)
{
    static const char *const copies[] = {
        "INSERT INTO entity (id, version_id, list_code, list_name, source_id, type, programs,"
        " federal_register, start_date, end_date, license_requirement, license_policy, remarks,"
        " title, source_url, nationalities, dates_of_birth, ids, parent_name, source_line,"
        " content_hash) SELECT id + ?1, ?2, list_code, list_name, source_id, type, programs,"
        " federal_register, start_date, end_date, license_requirement, license_policy, remarks,"
        " title, source_url, nationalities, dates_of_birth, ids, parent_name, source_line,"
        " content_hash FROM stage_entity ORDER BY id",
        "INSERT INTO entity_name (entity_id, position, name, kind) SELECT entity_id + ?1,"
        " position, name, kind FROM stage_name ORDER BY entity_id, position",
        "INSERT INTO entity_address (entity_id, position, text, city, country) SELECT"
        " entity_id + ?1, position, text, city, country FROM stage_address ORDER BY entity_id,"
        " position",
        "INSERT INTO import_warning (version_id, line, message) SELECT ?2, line, message"
        " FROM stage_warning ORDER BY rowid",
        "INSERT INTO ownership_link (version_id, owned_entity_id, owned_name, owned_ids,"
        " owner_name, owner_ids, share_min, share_max, kind, relation, direct, source, as_of,"
        " start_date, end_date, source_line) SELECT ?2, owned_entity_id + ?1, owned_name,"
        " owned_ids, owner_name, owner_ids, share_min, share_max, kind, relation, direct,"
        " source, as_of, start_date, end_date, source_line FROM stage_link ORDER BY rowid",
    };
    rf_store *st = imp->st;
    sqlite3_stmt *stmt = NULL;
    long long offset = 0, id;
    char digest[65];
    int rc;

    if ((rc = rf_store__prepare(&stmt, st, "SELECT coalesce(max(id), 0) FROM entity", err)) != 0)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW) offset = sqlite3_column_int64(stmt, 0);
    else rc = rf_store__db_error(err, st, "storing the list");
    sqlite3_finalize(stmt);
    if (rc) return rc;
    if ((rc = staged_names_digest(digest, imp, offset, err)) != 0) return rc;
    if ((rc = rf_store__prepare(&stmt, st,
                               "INSERT INTO list_version (feed, format, source_file, sha256,"
                               " published, imported_at, entities, names, warnings, names_digest)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
                               " ?6, ?7, ?8, ?9)",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 9, digest);
    rf_store__bind_text(stmt, 1, imp->info.feed);
    rf_store__bind_text(stmt, 2, imp->info.format);
    rf_store__bind_text(stmt, 3, imp->info.source_file);
    rf_store__bind_text(stmt, 4, imp->info.sha256);
    rf_store__bind_text(stmt, 5, imp->info.published);
    sqlite3_bind_int64(stmt, 6, imp->entities);
    sqlite3_bind_int64(stmt, 7, imp->names);
    sqlite3_bind_int64(stmt, 8, imp->warnings);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = rf_store__db_error(err, st, "recording the list version");
    sqlite3_finalize(stmt);
    if (rc) return rc;
    id = sqlite3_last_insert_rowid(st->db);
    for (size_t i = 0; i < sizeof copies / sizeof *copies && rc == RF_OK; i++) {
        if ((rc = rf_store__prepare(&stmt, st, copies[i], err)) != 0) break;
        /* Each copy uses ?1, ?2 or both; binding one it lacks is a harmless SQLITE_RANGE. */
        sqlite3_bind_int64(stmt, 1, offset);
        sqlite3_bind_int64(stmt, 2, id);
        if (sqlite3_step(stmt) != SQLITE_DONE) rc = rf_store__db_error(err, st, "storing the list");
        sqlite3_finalize(stmt);
    }
    if (rc == RF_OK) *version_id = id;
    return rc;
}

int rf_import_commit(rf_import *imp, long long *version_id, rf_error *err)
{
    rf_store *st;
    long long id = 0;
    int rc;

    if (!imp) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no import");
    st = imp->st;
    if (imp->broken) {
        rc = rf_error_set(err, RF_EDB, st->path, 0, "the import failed; nothing was stored");
        goto fail;
    }
    /* A file that yields no entity is broken or not the list it claims to be; replacing a
     * list by nothing would silently clear every screening hit against that feed. */
    if (imp->entities == 0 && imp->links == 0) {
        rc = rf_error_set(err, RF_EFORMAT, NULL, 0,
                          "no listed party found; the previous version stays in force");
        goto fail;
    }
    sqlite3_reset(imp->ins_entity);
    sqlite3_reset(imp->ins_name);
    sqlite3_reset(imp->ins_address);
    sqlite3_reset(imp->ins_warning);
    sqlite3_reset(imp->ins_link);
    /* The staged rows are committed to the connection's temp database; the copy is a
     * transaction of its own that takes the write lock at once (IMMEDIATE), so it never
     * fails half-way on a lock another process took meanwhile. The version is sealed with
     * that commit: from then on it cannot gain or change a row. */
    if ((rc = rf_store__exec(st, "COMMIT", err)) != 0) goto fail;
    if ((rc = rf_store__writable(st, err)) != 0) goto fail;
    if ((rc = rf_store__exec(st, "BEGIN IMMEDIATE", err)) != 0) goto fail;
    if ((rc = copy_staged(imp, &id, err)) != 0 ||
        (rc = rf_chain__seal(st, "list_version", id, err)) != 0 ||
        (rc = rf_store__exec(st, "COMMIT", err)) != 0)
        goto fail;
    if (version_id) *version_id = id;
    import_free(imp);
    return RF_OK;

fail:
    rf_import_abort(imp);
    return rc;
}

int rf_import_replaces(rf_version_list *out, const rf_import *imp, rf_error *err)
{
    /* the new version takes the next id, so of equal effective dates every stored version
     * comes first; without a publication date it is in force from today (UTC) */
    static const char sql[] =
        "SELECT " RF_STORE_VERSION_COLUMNS " FROM list_version p WHERE p.feed = ?1 AND "
        EFFECTIVE_DATE_OF("p") " <= coalesce(?2, date('now')) ORDER BY " EFFECTIVE_DATE_OF("p")
        " DESC, p.id DESC LIMIT 1";
    sqlite3_stmt *stmt = NULL;
    int rc;

    out->items = NULL;
    out->count = 0;
    if ((rc = rf_store__prepare(&stmt, imp->st, sql, err)) != 0) return rc;
    sqlite3_bind_text(stmt, 1, imp->info.feed, -1, SQLITE_STATIC);
    if (imp->info.published) sqlite3_bind_text(stmt, 2, imp->info.published, -1, SQLITE_STATIC);
    rc = rf_store__collect_versions(out, imp->st, stmt, err);
    sqlite3_finalize(stmt);
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
    sqlite3_reset(imp->ins_link);
    if (!sqlite3_get_autocommit(imp->st->db)) sqlite3_exec(imp->st->db, "ROLLBACK", NULL, NULL, NULL);
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
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT etag, last_modified, sha256, version_id, checked_at"
                               " FROM download WHERE url = ?1",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, url);
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
        rc = rf_store__db_error(err, st, "reading the download record");
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
    if ((rc = rf_store__writable(st, err)) != 0) return rc;
    if ((rc = rf_store__prepare(&stmt, st,
                               "INSERT OR REPLACE INTO download (url, etag, last_modified, sha256,"
                               " version_id, checked_at) VALUES (?1, nullif(?2, ''),"
                               " nullif(?3, ''), nullif(?4, ''), nullif(?5, 0),"
                               " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, url);
    rf_store__bind_text(stmt, 2, d->etag);
    rf_store__bind_text(stmt, 3, d->last_modified);
    rf_store__bind_text(stmt, 4, d->sha256);
    sqlite3_bind_int64(stmt, 5, d->version_id);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = rf_store__db_error(err, st, "recording the download");
    sqlite3_finalize(stmt);
    return rc;
}
