/* runs.c: the audit trail of rf_lists.h: recording a screening run (what it was asked, the
 * versions and inputs it read, every party and hit it found, the decisions those hits were
 * under) and reading it back, so that `redflag history show` rebuilds the run's report from
 * the record. Results are committed in batches so that a long run does not hold the write
 * lock throughout; the run's own row is completed last.
 *
 * What a run finds out about counterparties (the state the next rescreen compares with) is
 * kept aside in TEMP tables and written in the transaction that completes the run as done:
 * a run that is interrupted or fails has not delivered its report, so the next rescreen must
 * report everything again. A run also records the process running it, so that a run a crash
 * left 'running' can be told from one still going, and marked 'interrupted'.
 *
 * A run recorded at its finish (rf_run_info.at_finish, the server's) keeps everything in
 * TEMP tables shaped as the run's own (staged_run_*) until then, and writes it all, run row
 * included, in the one transaction that completes it: the write lock is held once, briefly,
 * per run, and a run that never finishes leaves nothing behind. */
#include "review_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A schema step of its own (store.c numbers it). IF NOT EXISTS throughout, as in
 * review_schema.c, so a database whose version was set back upgrades again. */
const char rf_store_schema_run_process[] =
    "CREATE TABLE IF NOT EXISTS run_process ("
    " run_id INTEGER PRIMARY KEY REFERENCES run(id),"
    " host TEXT NOT NULL,"
    " pid INTEGER NOT NULL,"
    " started TEXT NOT NULL);"; /* boot id and start time of the process: pids are reused */
/* (its guards, with every other one, are chain.c's GUARDS, made by the next step) */

/* The counterparty state a run has found, until it is done (per connection). */
static const char PENDING_SQL[] =
    "CREATE TEMP TABLE IF NOT EXISTS pending_cp (fingerprint TEXT PRIMARY KEY, name, address,"
    " city, country) WITHOUT ROWID;"
    "CREATE TEMP TABLE IF NOT EXISTS pending_cp_hit (fingerprint, list_code, source_id,"
    " listed_name, entity_id, content_hash, score,"
    " PRIMARY KEY (fingerprint, list_code, source_id, content_hash)) WITHOUT ROWID;";
/* The counterparty state a run found, into the TEMP tables. */
static const char *const PENDING_INSERTS[] = {
    "INSERT OR REPLACE INTO pending_cp (fingerprint, name, address, city, country)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
    "DELETE FROM pending_cp_hit WHERE fingerprint = ?1",
    "INSERT OR REPLACE INTO pending_cp_hit (fingerprint, list_code, source_id,"
    " listed_name, entity_id, content_hash, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};

/* A run recorded at its finish: its parts until then (per connection), in tables of the
 * same columns as those they are copied into but the first, run_id, which they get from the
 * copy once the run has its id (temp_tables makes them). */
static const char *const STAGED_TABLES[] = {"run_version", "run_input", "run_party",
                                            "run_party_line", "run_hit"};
/* Each staged table copied in the run's transaction, ?1 its id. */
#define STAGED_COPY(table) "INSERT INTO main." table " SELECT ?1, * FROM staged_" table
static const char *const STAGED_COPIES[] = {STAGED_COPY("run_version"), STAGED_COPY("run_input"),
                                            STAGED_COPY("run_party"), STAGED_COPY("run_party_line"),
                                            STAGED_COPY("run_hit")};
/* What a run leaves in the TEMP tables, emptied when it is freed. */
static const char *const TEMP_CLEAR[] = {
    "DELETE FROM pending_cp", "DELETE FROM pending_cp_hit", "DELETE FROM staged_run_version",
    "DELETE FROM staged_run_input", "DELETE FROM staged_run_party",
    "DELETE FROM staged_run_party_line", "DELETE FROM staged_run_hit"};

/* The inserts of a run's parts into `table`, the run's own (WITH_RUN_ID: ?1) or its staged
 * copy (WITHOUT_RUN_ID: ?1, bound all the same, is not used). */
#define WITH_RUN_ID "run_id, ", "?1, ", "run_id = ?1 AND "
#define WITHOUT_RUN_ID "", "", ""
#define INSERT_PARTY(table, run_id, id, is)                                                   \
    "INSERT INTO " table " (" run_id "seq, input, document, line, ref, role, name, address,"    \
    " city, country, date, item, format, doc_type, party_id, region, postal_code,"             \
    " order_line, part_number, description, quantity, eccn, hs_code, origin, fingerprint,"     \
    " hits) VALUES (" id "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"  \
    " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
#define INSERT_LINE(table, run_id, id, is)                                                    \
    "INSERT INTO " table " (" run_id "seq, position, line, number, part_number,"               \
    " description, quantity, eccn, hs_code, origin) VALUES (" id "?2, ?3, ?4, ?5, ?6, ?7,"    \
    " ?8, ?9, ?10, ?11)"
#define INSERT_HIT(table, run_id, id, is)                                                     \
    "INSERT INTO " table " (" run_id "seq, rank, entity_id, name_index, score, explanation,"   \
    " listed_spans, party_spans, decision_id, record_changed, changes, rescreen)"             \
    " VALUES (" id "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
#define INSERT_INPUT(table, run_id, id, is)                                                   \
    "INSERT INTO " table " (" run_id "position, path, sha256, parties, error_line, error)"     \
    " VALUES (" id "?2, ?3, ?4, ?5, ?6, ?7)"
#define INSERT_VERSION(table, run_id, id, is)                                                 \
    "INSERT INTO " table " (" run_id "position, version_id) VALUES (" id "?2, ?3)"
/* A version met later (screen --as-of document), unless the run names it already. */
#define ADD_VERSION(table, run_id, id, is)                                                    \
    "INSERT INTO " table " (" run_id "position, version_id) SELECT " id "(SELECT count(*) FROM " \
    table " WHERE " is "1), ?2 WHERE NOT EXISTS (SELECT 1 FROM " table " WHERE " is            \
    "version_id = ?2)"
#define EXPAND(macro, ...) macro(__VA_ARGS__)
/* [0] recorded from the start, [1] at the finish */
static const char *const RUN_INSERTS[2][6] = {
    {EXPAND(INSERT_PARTY, "run_party", WITH_RUN_ID),
     EXPAND(INSERT_LINE, "run_party_line", WITH_RUN_ID),
     EXPAND(INSERT_HIT, "run_hit", WITH_RUN_ID),
     EXPAND(INSERT_INPUT, "run_input", WITH_RUN_ID),
     EXPAND(INSERT_VERSION, "run_version", WITH_RUN_ID),
     EXPAND(ADD_VERSION, "run_version", WITH_RUN_ID)},
    {EXPAND(INSERT_PARTY, "staged_run_party", WITHOUT_RUN_ID),
     EXPAND(INSERT_LINE, "staged_run_party_line", WITHOUT_RUN_ID),
     EXPAND(INSERT_HIT, "staged_run_hit", WITHOUT_RUN_ID),
     EXPAND(INSERT_INPUT, "staged_run_input", WITHOUT_RUN_ID),
     EXPAND(INSERT_VERSION, "staged_run_version", WITHOUT_RUN_ID),
     EXPAND(ADD_VERSION, "staged_run_version", WITHOUT_RUN_ID)}};

/* Results per transaction: big enough that commits cost little, small enough that an import
 * in another process waits well under the store's 10 s busy timeout. A slow machine (a
 * loaded one, a sanitizer build) takes longer over them: the batch also ends after
 * RUN_BATCH_SECONDS. */
#define RUN_BATCH 4096
#define RUN_BATCH_SECONDS 2.0

struct rf_run {
    rf_store *st;
    long long id;     /* 0 until recorded (at the finish, for a run recorded then) */
    long long seq;    /* results recorded */
    int at_finish;    /* recorded in one transaction at its finish (rf_run_info.at_finish) */
    int in_batch;     /* a transaction is open */
    long batch;       /* results in it */
    struct timespec batch_started;
    sqlite3_stmt *ins_party, *ins_line, *ins_hit, *ins_input, *ins_version, *add_version,
        *upsert_cp, *del_cp_hits, *ins_cp_hit;
    /* The run's row, as rf_store_run_begin was told (copies), and its start */
    char *command, *user, *report_time, *as_of, *settings, *tool_version;
    double threshold;
    int max_hits;
    char started_at[32];
    int (*on_commit)(rf_store *st, long long run_id, rf_error *err, void *ctx);
    void *ctx;
};

long long rf_run_id(const rf_run *run)
{
    return run ? run->id : 0;
}

/* Steps `sql`, a literal without rows kept prepared (a server parsed BEGIN and COMMIT anew
 * for every run); sqlite's result. */
static int step_cached(rf_store *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int rc = rf_store__prepare_cached(&stmt, st, sql, NULL) == RF_OK ? sqlite3_step(stmt)
                                                                     : SQLITE_ERROR;
    rf_store__release(st, stmt);
    return rc;
}

static void run_free(rf_run *run)
{
    /* Whatever was not delivered is found again by the next rescreen; what a run recorded at
     * its finish staged and did not record is forgotten. */
    for (size_t i = 0; i < sizeof TEMP_CLEAR / sizeof *TEMP_CLEAR &&
                       sqlite3_get_autocommit(run->st->db);
         i++)
        step_cached(run->st, TEMP_CLEAR[i]);
    rf_store__release(run->st, run->ins_party);
    rf_store__release(run->st, run->ins_line);
    rf_store__release(run->st, run->ins_hit);
    rf_store__release(run->st, run->ins_input);
    rf_store__release(run->st, run->ins_version);
    rf_store__release(run->st, run->add_version);
    rf_store__release(run->st, run->upsert_cp);
    rf_store__release(run->st, run->del_cp_hits);
    rf_store__release(run->st, run->ins_cp_hit);
    free(run->command);
    free(run->user);
    free(run->report_time);
    free(run->as_of);
    free(run->settings);
    free(run->tool_version);
    free(run);
}

/* Opens the batch transaction if none is open (the run's parts are added in batches; a run
 * recorded at its finish stages them outside any, see staging). */
static int batch_begin(rf_run *run, rf_error *err)
{
    if (run->in_batch) return RF_OK;
    if (step_cached(run->st, "BEGIN IMMEDIATE") != SQLITE_DONE)
        return rf_store__db_error(err, run->st, "recording the screening run");
    run->in_batch = 1;
    run->batch = 0;
    clock_gettime(CLOCK_MONOTONIC, &run->batch_started);
    return RF_OK;
}

static int batch_commit(rf_run *run, rf_error *err)
{
    if (!run->in_batch) return RF_OK;
    run->in_batch = 0;
    if (step_cached(run->st, "COMMIT") != SQLITE_DONE) {
        int rc = rf_store__db_error(err, run->st, "recording the screening run");
        sqlite3_exec(run->st->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return RF_OK;
}

/* Before a part of the run is added: a batch is open, unless the run is staged until its
 * finish (its TEMP tables are written without the database's write lock). */
static int staging(rf_run *run, rf_error *err)
{
    return run->at_finish ? RF_OK : batch_begin(run, err);
}

/* How long the open batch has held the write lock. */
static double batch_seconds(const rf_run *run)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - run->batch_started.tv_sec) +
           (double)(now.tv_nsec - run->batch_started.tv_nsec) / 1e9;
}

/* Steps an insert and makes it ready for the next row. */
static int step_done(rf_run *run, sqlite3_stmt *stmt, const char *what, rf_error *err)
{
    int step = sqlite3_step(stmt);
    int rc = step == SQLITE_DONE ? RF_OK : rf_store__db_error(err, run->st, what);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
}

/* ---- which process runs a run ---------------------------------------------------------- */

/* "BOOT_ID:STARTTIME" of process `pid` (Linux /proc: the kernel's boot id and the process's
 * start time in clock ticks since boot, which together name one process for good). 0 when
 * read; -1 when the process does not exist; -2 when /proc cannot tell (not Linux). */
static int process_started(char *out, size_t size, long pid)
{
    char path[64], line[1024], boot[64] = "";
    unsigned long long start = 0;
    const char *p;
    size_t n;
    FILE *f;

    if (!(f = fopen("/proc/sys/kernel/random/boot_id", "r"))) return -2;
    if (!fgets(boot, sizeof boot, f)) boot[0] = '\0';
    fclose(f);
    boot[strcspn(boot, "\n")] = '\0';
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "r"))) return errno == ENOENT ? -1 : -2;
    n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* Field 2 is the command in parentheses and may hold spaces: count from the last ')'.
     * starttime is field 22, the 20th after it. */
    if (!(p = strrchr(line, ')'))) return -2;
    for (int field = 2; field < 22 && p; field++) p = strchr(p + 1, ' ');
    if (!p || sscanf(p, " %llu", &start) != 1) return -2;
    snprintf(out, size, "%s:%llu", boot, start);
    return 0;
}

/* 1 unless the process that recorded a run is certainly gone. */
static int process_alive(long pid, const char *started)
{
    char now[128];
    int rc = process_started(now, sizeof now, pid);
    if (rc == -1) return 0;
    if (rc == 0 && started[0]) return strcmp(now, started) == 0;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static void host_name(char *out, size_t size)
{
    if (gethostname(out, size) != 0) out[0] = '\0';
    out[size - 1] = '\0';
}

int rf_store_runs_reap(rf_store *st, long long *count, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    long long dead[64];
    size_t n = 0;
    char host[256];
    int rc, step;

    *count = 0;
    host_name(host, sizeof host);
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT r.id, p.pid, p.started FROM run r JOIN run_process p"
                               " ON p.run_id = r.id WHERE r.status = 'running' AND p.host = ?1"
                               " ORDER BY r.id",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, host);
    /* At most 64 per call: crashes do not come by the thousand, and the next call takes the
     * rest. */
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW && n < sizeof dead / sizeof *dead) {
        const char *started = (const char *)sqlite3_column_text(stmt, 2);
        if (!process_alive((long)sqlite3_column_int64(stmt, 1), started ? started : ""))
            dead[n++] = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        return rf_store__db_error(err, st, "looking for interrupted runs");
    if (n == 0 || rf_store__writable(st, NULL) != 0) return RF_OK;
    if ((rc = rf_store__exec(st, "BEGIN IMMEDIATE", err)) != 0) return rc;
    if ((rc = rf_store__prepare(&stmt, st,
                               "UPDATE run SET status = 'interrupted', finished_at ="
                               " strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1"
                               " AND status = 'running'",
                               err)) == 0) {
        for (size_t i = 0; i < n && rc == RF_OK; i++) {
            sqlite3_bind_int64(stmt, 1, dead[i]);
            if (sqlite3_step(stmt) != SQLITE_DONE)
                rc = rf_store__db_error(err, st, "marking a run interrupted");
            else if (sqlite3_changes(st->db) > 0) {
                (*count)++;
                /* ended: sealed in the evidence chain like any run that stops */
                rc = rf_chain__seal(st, "run", dead[i], err);
            }
            sqlite3_reset(stmt);
        }
        sqlite3_finalize(stmt);
    }
    if (rc == RF_OK) return rf_store__exec(st, "COMMIT", err);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    *count = 0;
    return rc;
}

/* Records the process running `run` (in the transaction that records its row); who it is
 * is read once per process and connection (a server records runs by the thousand). */
static int record_process(rf_run *run, rf_error *err)
{
    rf_store *st = run->st;
    sqlite3_stmt *stmt = NULL;
    long pid = (long)getpid();
    int rc;

    if (st->run_pid != pid) {
        host_name(st->run_host, sizeof st->run_host);
        if (process_started(st->run_started, sizeof st->run_started, pid) != 0)
            st->run_started[0] = '\0';
        st->run_pid = pid;
    }
    if ((rc = rf_store__prepare_cached(&stmt, run->st,
                               "INSERT INTO run_process (run_id, host, pid, started)"
                               " VALUES (?1, ?2, ?3, ?4)",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, run->id);
    rf_store__bind_text(stmt, 2, st->run_host);
    sqlite3_bind_int64(stmt, 3, pid);
    rf_store__bind_text(stmt, 4, st->run_started);
    rc = step_done(run, stmt, "recording the screening run", err);
    rf_store__release(run->st, stmt);
    return rc;
}

/* The run's row and its process: at its start, or for a run recorded at its finish in the
 * transaction that completes it. Sets run->id. */
static int insert_run(rf_run *run, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if ((rc = rf_store__prepare_cached(&stmt, run->st,
                               "INSERT INTO run (command, user, started_at, report_time, as_of,"
                               " threshold, max_hits, settings, tool_version) VALUES (?1, ?2,"
                               " ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, run->command);
    rf_store__bind_text(stmt, 2, run->user);
    rf_store__bind_text(stmt, 3, run->started_at);
    rf_store__bind_text(stmt, 4, run->report_time);
    rf_store__bind_text(stmt, 5, run->as_of);
    sqlite3_bind_double(stmt, 6, run->threshold);
    sqlite3_bind_int(stmt, 7, run->max_hits);
    rf_store__bind_text(stmt, 8, run->settings);
    rf_store__bind_text(stmt, 9, run->tool_version);
    rc = step_done(run, stmt, "recording the screening run", err);
    rf_store__release(run->st, stmt);
    if (rc) return rc;
    run->id = sqlite3_last_insert_rowid(run->st->db);
    return record_process(run, err);
}

/* Keeps what `info` says of the run for its row (strings copied), and when it started. */
static int keep_info(rf_run *run, const rf_run_info *info)
{
    const char *from[] = {info->command, info->user, info->report_time, info->as_of,
                          info->settings, info->tool_version};
    char **to[] = {&run->command, &run->user, &run->report_time, &run->as_of, &run->settings,
                   &run->tool_version};
    time_t now = time(NULL);
    struct tm tm;

    for (size_t i = 0; i < sizeof from / sizeof *from; i++)
        if (from[i] && !(*to[i] = rf_strdup(from[i]))) return RF_ENOMEM;
    run->threshold = info->threshold;
    run->max_hits = info->max_hits;
    run->at_finish = info->at_finish;
    run->on_commit = info->on_commit;
    run->ctx = info->ctx;
    gmtime_r(&now, &tm); /* the wall clock, as sqlite's 'now' */
    strftime(run->started_at, sizeof run->started_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return RF_OK;
}

/* Makes TEMP table staged_`table` unless it exists: the columns of main.`table` after its
 * first, run_id. */
static int staged_table(rf_store *st, const char *table, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    rf_buf sql = {0};
    int rc;

    if ((rc = rf_store__prepare(&stmt, st,
                                "SELECT (SELECT count(*) FROM temp.sqlite_master WHERE name ="
                                " 'staged_' || ?1), (SELECT group_concat('\"' || name || '\"', ', ') FROM"
                                " pragma_table_info(?1, 'main') WHERE cid > 0)",
                                err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, table);
    if (sqlite3_step(stmt) != SQLITE_ROW)
        rc = rf_store__db_error(err, st, "preparing to record screening runs");
    else if (sqlite3_column_int(stmt, 0) == 0 &&
             rf_buf_printf(&sql, "CREATE TEMP TABLE staged_%s AS SELECT %s FROM main.%s WHERE 0",
                           table, (const char *)sqlite3_column_text(stmt, 1), table) != RF_OK)
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    sqlite3_finalize(stmt);
    if (rc == RF_OK && sql.data) rc = rf_store__exec(st, sql.data, err);
    rf_buf_free(&sql);
    return rc;
}

/* The connection's TEMP tables for runs, made once: the pending counterparty state and the
 * staged parts. */
static int temp_tables(rf_store *st, rf_error *err)
{
    int rc;
    if (st->run_tables) return RF_OK;
    /* A run adds a row per party to indexes that outgrow sqlite's default 2 MB page cache
     * within a few hundred thousand parties, and then every insert reads pages back through
     * the kernel: 64 MB keeps a million-party run in memory. The TEMP tables are kept in
     * memory too (a temp file costs a pwrite per page spilled); temp_store is set before
     * they exist, since changing it drops them. */
    if ((rc = rf_store__exec(st, "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY",
                            err)) != 0 ||
        (rc = rf_store__exec(st, PENDING_SQL, err)) != 0)
        return rc;
    for (size_t i = 0; i < sizeof STAGED_TABLES / sizeof *STAGED_TABLES && rc == RF_OK; i++)
        rc = staged_table(st, STAGED_TABLES[i], err);
    /* kept unless a rollback may undo them */
    if (rc == RF_OK) st->run_tables = sqlite3_get_autocommit(st->db);
    return rc;
}

int rf_store_run_begin(rf_run **out, rf_store *st, const rf_run_info *info, rf_error *err)
{
    rf_run *run;
    sqlite3_stmt **stmts[9];
    int rc;

    *out = NULL;
    if (!info || !info->command || !info->user || !info->versions)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "a run needs a command, a user and versions");
    if (st->active)
        return rf_error_set(err, RF_EUSAGE, st->path, 0, "an import is in progress");
    if ((rc = rf_store__writable(st, err)) != 0 || (rc = temp_tables(st, err)) != 0) return rc;
    if (!(run = calloc(1, sizeof *run)))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    run->st = st;
    if (keep_info(run, info) != RF_OK) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    stmts[0] = &run->ins_party, stmts[1] = &run->ins_line, stmts[2] = &run->ins_hit;
    stmts[3] = &run->ins_input, stmts[4] = &run->ins_version, stmts[5] = &run->add_version;
    for (size_t i = 0; i < 6; i++)
        if ((rc = rf_store__prepare_cached(stmts[i], st, RUN_INSERTS[run->at_finish][i], err)) !=
            0)
            goto fail;
    stmts[6] = &run->upsert_cp, stmts[7] = &run->del_cp_hits, stmts[8] = &run->ins_cp_hit;
    for (size_t i = 0; i < 3; i++)
        if ((rc = rf_store__prepare_cached(stmts[6 + i], st, PENDING_INSERTS[i], err)) != 0)
            goto fail;

    /* The run is in the history from its start, whatever happens to it later; or, recorded at
     * its finish, not at all until then. */
    if ((rc = staging(run, err)) != 0 || (!run->at_finish && (rc = insert_run(run, err)) != 0))
        goto fail;
    for (size_t i = 0; i < info->versions->count; i++) {
        sqlite3_bind_int64(run->ins_version, 1, run->id);
        sqlite3_bind_int64(run->ins_version, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(run->ins_version, 3, info->versions->items[i].id);
        if ((rc = step_done(run, run->ins_version, "recording the run's list versions", err)) !=
            0)
            goto fail;
    }
    if ((rc = batch_commit(run, err)) != 0) goto fail;
    *out = run;
    return RF_OK;

fail:
    if (run->in_batch) sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    run_free(run);
    return rc;
}

int rf_store_run_add_versions(rf_run *run, const rf_version_list *versions, rf_error *err)
{
    int rc;

    if (!run || !versions) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run or versions");
    if ((rc = staging(run, err)) != 0) return rc;
    for (size_t i = 0; i < versions->count && rc == RF_OK; i++) {
        sqlite3_bind_int64(run->add_version, 1, run->id);
        sqlite3_bind_int64(run->add_version, 2, versions->items[i].id);
        rc = step_done(run, run->add_version, "recording the run's list versions", err);
    }
    return rc;
}

int rf_store_run_add_input(rf_run *run, const rf_run_input *in, rf_error *err)
{
    sqlite3_stmt *s;
    int rc;
    if (!run || !in || !in->path) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run or input");
    if ((rc = staging(run, err)) != 0) return rc;
    s = run->ins_input;
    sqlite3_bind_int64(s, 1, run->id);
    sqlite3_bind_int(s, 2, in->position);
    rf_store__bind_text(s, 3, in->path);
    rf_store__bind_text(s, 4, in->sha256);
    sqlite3_bind_int64(s, 5, in->parties);
    if (in->error) {
        sqlite3_bind_int64(s, 6, in->error_line);
        rf_store__bind_text(s, 7, in->error);
    }
    return step_done(run, s, "recording the run's input", err);
}

/* "start:len start:len ..." */
static int spans_text(rf_buf *b, const size_t *spans, size_t n)
{
    int rc = RF_OK;
    rf_buf_reset(b);
    for (size_t i = 0; i < n && rc == RF_OK; i++)
        rc = rf_buf_printf(b, i ? " %zu:%zu" : "%zu:%zu", spans[2 * i], spans[2 * i + 1]);
    return rc == RF_OK ? rf_buf_append(b, "", 0) : rc;
}

static int add_lines(rf_run *run, const rf_party *p, rf_error *err)
{
    sqlite3_stmt *s = run->ins_line;
    int rc = RF_OK;
    for (size_t i = 0; i < p->n_lines && rc == RF_OK; i++) {
        const rf_order_line *l = &p->lines[i];
        sqlite3_bind_int64(s, 1, run->id);
        sqlite3_bind_int64(s, 2, run->seq);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
        sqlite3_bind_int64(s, 4, l->line);
        rf_store__bind_text(s, 5, l->number);
        rf_store__bind_text(s, 6, l->part_number);
        rf_store__bind_text(s, 7, l->description);
        rf_store__bind_text(s, 8, l->quantity);
        rf_store__bind_text(s, 9, l->eccn);
        rf_store__bind_text(s, 10, l->hs_code);
        rf_store__bind_text(s, 11, l->origin);
        rc = step_done(run, s, "recording an order line", err);
    }
    return rc;
}

int rf_store_run_add_result(rf_run *run, int input, const rf_party *p, const char *fingerprint,
                            const rf_run_hit *hits, size_t n_hits, rf_error *err)
{
    const char *texts[] = {p ? p->document : NULL, NULL, p ? p->ref : NULL,
                           p ? p->role : NULL, p ? p->name : NULL, p ? p->address : NULL,
                           p ? p->city : NULL, p ? p->country : NULL, p ? p->date : NULL,
                           p ? p->item : NULL, p ? p->format : NULL, p ? p->doc_type : NULL,
                           p ? p->party_id : NULL, p ? p->region : NULL,
                           p ? p->postal_code : NULL, p ? p->order_line : NULL,
                           p ? p->part_number : NULL, p ? p->description : NULL,
                           p ? p->quantity : NULL, p ? p->eccn : NULL, p ? p->hs_code : NULL,
                           p ? p->origin : NULL, fingerprint};
    sqlite3_stmt *s;
    rf_buf listed = {0}, party = {0};
    int rc;

    if (!run || !p || !fingerprint || (n_hits && !hits))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run, party, fingerprint or hits");
    if ((rc = staging(run, err)) != 0) return rc;
    run->seq++;
    s = run->ins_party;
    sqlite3_bind_int64(s, 1, run->id);
    sqlite3_bind_int64(s, 2, run->seq);
    sqlite3_bind_int(s, 3, input);
    for (int i = 0; i < (int)(sizeof texts / sizeof *texts); i++)
        if (i != 1) rf_store__bind_text(s, 4 + i, texts[i]);
    sqlite3_bind_int64(s, 5, p->line);
    sqlite3_bind_int64(s, 27, (sqlite3_int64)n_hits);
    if ((rc = step_done(run, s, "recording a screened party", err)) != 0 ||
        (rc = add_lines(run, p, err)) != 0)
        return rc;

    s = run->ins_hit;
    for (size_t i = 0; i < n_hits; i++) {
        const rf_run_hit *h = &hits[i];
        if (!h->entity || h->entity->id <= 0) {
            rc = rf_error_set(err, RF_EUSAGE, NULL, 0, "a recorded hit needs a stored entity");
            break;
        }
        if ((rc = spans_text(&listed, h->listed_spans, h->n_listed_spans)) != 0 ||
            (rc = spans_text(&party, h->party_spans, h->n_party_spans)) != 0) {
            rc = rf_error_set(err, rc, NULL, 0, "out of memory");
            break;
        }
        sqlite3_bind_int64(s, 1, run->id);
        sqlite3_bind_int64(s, 2, run->seq);
        sqlite3_bind_int64(s, 3, (sqlite3_int64)i);
        sqlite3_bind_int64(s, 4, h->entity->id);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)h->name_index);
        sqlite3_bind_double(s, 6, h->score);
        rf_store__bind_text(s, 7, h->explanation);
        rf_store__bind_text(s, 8, listed.data ? listed.data : "");
        rf_store__bind_text(s, 9, party.data ? party.data : "");
        if (h->decision && h->decision->id) sqlite3_bind_int64(s, 10, h->decision->id);
        sqlite3_bind_int(s, 11, h->record_changed != 0);
        rf_store__bind_text(s, 12, h->changes);
        rf_store__bind_text(s, 13, h->rescreen);
        if ((rc = step_done(run, s, "recording a hit", err)) != 0) break;
    }
    rf_buf_free(&listed);
    rf_buf_free(&party);
    if (rc == RF_OK && (++run->batch >= RUN_BATCH || batch_seconds(run) >= RUN_BATCH_SECONDS))
        rc = batch_commit(run, err);
    return rc;
}

int rf_store_run_counterparty(rf_run *run, const rf_party *p, const char *fingerprint,
                              const rf_known_hit *hits, size_t n_hits, rf_error *err)
{
    sqlite3_stmt *s;
    int rc;

    if (!run || !p || !p->name || !fingerprint || (n_hits && !hits))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run, party, fingerprint or hits");
    if ((rc = staging(run, err)) != 0) return rc;
    s = run->upsert_cp;
    rf_store__bind_text(s, 1, fingerprint);
    rf_store__bind_text(s, 2, p->name);
    rf_store__bind_text(s, 3, p->address);
    rf_store__bind_text(s, 4, p->city);
    rf_store__bind_text(s, 5, p->country);
    if ((rc = step_done(run, s, "recording a counterparty", err)) != 0) return rc;
    s = run->del_cp_hits;
    rf_store__bind_text(s, 1, fingerprint);
    if ((rc = step_done(run, s, "recording a counterparty", err)) != 0) return rc;
    s = run->ins_cp_hit;
    for (size_t i = 0; i < n_hits && rc == RF_OK; i++) {
        const rf_known_hit *h = &hits[i];
        if (!h->list_code || !h->source_id || !h->content_hash)
            return rf_error_set(err, RF_EUSAGE, NULL, 0, "a known hit needs its listed entity");
        rf_store__bind_text(s, 1, fingerprint);
        rf_store__bind_text(s, 2, h->list_code);
        rf_store__bind_text(s, 3, h->source_id);
        rf_store__bind_text(s, 4, h->listed_name);
        sqlite3_bind_int64(s, 5, h->entity_id);
        rf_store__bind_text(s, 6, h->content_hash);
        sqlite3_bind_double(s, 7, h->score);
        rc = step_done(run, s, "recording a counterparty's hit", err);
    }
    return rc;
}

/* Writes the counterparty state the run found: only a run done has delivered its report. */
static int deliver_counterparties(rf_run *run, rf_error *err)
{
    static const char *const sql[] = {
        "INSERT INTO counterparty (fingerprint, name, address, city, country, first_run,"
        " last_run) SELECT fingerprint, name, address, city, country, ?1, ?1 FROM pending_cp"
        " WHERE true ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name,"
        " address = excluded.address, city = excluded.city, country = excluded.country,"
        " last_run = excluded.last_run",
        "DELETE FROM counterparty_hit WHERE fingerprint IN (SELECT fingerprint FROM pending_cp)",
        "INSERT OR REPLACE INTO counterparty_hit (fingerprint, list_code, source_id,"
        " listed_name, entity_id, content_hash, score) SELECT fingerprint, list_code,"
        " source_id, listed_name, entity_id, content_hash, score FROM pending_cp_hit"};
    int rc = RF_OK;

    for (size_t i = 0; i < sizeof sql / sizeof *sql && rc == RF_OK; i++) {
        sqlite3_stmt *stmt = NULL;
        if ((rc = rf_store__prepare_cached(&stmt, run->st, sql[i], err)) != 0) break;
        if (i == 0) sqlite3_bind_int64(stmt, 1, run->id);
        rc = step_done(run, stmt, "recording the counterparties", err);
        rf_store__release(run->st, stmt);
    }
    return rc;
}

/* A run recorded at its finish: its row, and its parts from the TEMP tables, given its id. */
static int record_staged(rf_run *run, rf_error *err)
{
    int rc = insert_run(run, err);
    for (size_t i = 0; i < sizeof STAGED_COPIES / sizeof *STAGED_COPIES && rc == RF_OK; i++) {
        sqlite3_stmt *stmt = NULL;
        if ((rc = rf_store__prepare_cached(&stmt, run->st, STAGED_COPIES[i], err)) != 0) break;
        sqlite3_bind_int64(stmt, 1, run->id);
        rc = step_done(run, stmt, "recording the screening run", err);
        rf_store__release(run->st, stmt);
    }
    return rc;
}

/* Completes the run's row as `status` ("done": with the counterparty state it found, in the
 * same transaction), seals it and lets the caller add its own (on_commit) before the commit. */
static int close_run(rf_run *run, const char *status, const rf_run_totals *t, rf_error *err)
{
    static const rf_run_totals none = {0, 0, 0, 0, 0, -1, 0};
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!t) t = &none;
    if ((rc = batch_begin(run, err)) != 0) return rc;
    if (run->at_finish && (rc = record_staged(run, err)) != 0) goto fail;
    if (strcmp(status, "done") == 0 && (rc = deliver_counterparties(run, err)) != 0) goto fail;
    if ((rc = rf_store__prepare_cached(&stmt, run->st,
                               "UPDATE run SET status = ?2, finished_at ="
                               " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), parties = ?3,"
                               " flagged = ?4, new_alarms = ?5, known_alarms = ?6, cleared = ?7,"
                               " exit_status = ?8 WHERE id = ?1",
                               err)) == 0) {
        sqlite3_bind_int64(stmt, 1, run->id);
        rf_store__bind_text(stmt, 2, status);
        sqlite3_bind_int64(stmt, 3, t->parties);
        sqlite3_bind_int64(stmt, 4, t->flagged);
        sqlite3_bind_int64(stmt, 5, t->new_alarms);
        sqlite3_bind_int64(stmt, 6, t->known_alarms);
        sqlite3_bind_int64(stmt, 7, t->cleared);
        if (t->exit_status >= 0) sqlite3_bind_int(stmt, 8, t->exit_status);
        rc = step_done(run, stmt, "completing the screening run", err);
        rf_store__release(run->st, stmt);
    }
    /* Sealed as it ends: from now on nothing of it can change unnoticed. */
    if (rc == RF_OK) rc = rf_chain__seal(run->st, "run", run->id, err);
    if (rc == RF_OK && run->on_commit) rc = run->on_commit(run->st, run->id, err, run->ctx);
    if (rc == RF_OK) return batch_commit(run, err);
fail:
    sqlite3_exec(run->st->db, "ROLLBACK", NULL, NULL, NULL);
    run->in_batch = 0;
    if (run->at_finish) run->id = 0; /* not recorded after all */
    return rc;
}

int rf_store_run_finish(rf_run *run, const rf_run_totals *totals, rf_error *err)
{
    int rc;
    if (!run) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run");
    rc = close_run(run, "done", totals, err);
    run_free(run);
    return rc;
}

int rf_store_run_interrupt(rf_run *run, int exit_status, rf_error *err)
{
    rf_run_totals t = {0, 0, 0, 0, 0, exit_status, 0};
    int rc = RF_OK;
    if (!run) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run");
    /* Keep what was written, as for a failed run; one recorded at its finish has none. */
    if (!run->at_finish && (rc = batch_commit(run, err)) == RF_OK)
        rc = close_run(run, "interrupted", &t, err);
    run_free(run);
    return rc;
}

void rf_store_run_fail(rf_run *run)
{
    if (!run) return;
    /* Keep what was written: the history should show how far the run got (a run recorded
     * at its finish has written nothing). */
    if (!run->at_finish && batch_commit(run, NULL) == RF_OK) close_run(run, "failed", NULL, NULL);
    run_free(run);
}

/* ---- reading back ----------------------------------------------------------------------- */

#define RUN_COLUMNS                                                                         \
    "id, command, user, started_at, report_time, finished_at, status, as_of, settings,"      \
    " tool_version, threshold, max_hits, parties, flagged, new_alarms, known_alarms, cleared," \
    " coalesce(exit_status, -1), (SELECT count(*) FROM run_input i WHERE i.run_id = run.id)"

void rf_run_list_free(rf_run_list *list)
{
    if (!list) return;
    free(list->items);
    free(list->strings);
    memset(list, 0, sizeof *list);
}

int rf_store_runs(rf_run_list *out, rf_store *st, long long run_id, const char *from,
                  const char *to, rf_error *err)
{
    static const char sql[] =
        "SELECT " RUN_COLUMNS " FROM run WHERE (?1 = 0 OR id = ?1)"
        " AND (?2 IS NULL OR started_at >= ?2) AND (?3 IS NULL OR started_at < date(?3, '+1 day'))"
        " ORDER BY id";
    enum { N_TEXT = 9 };
    sqlite3_stmt *stmt = NULL;
    rf_strings strings = {0};
    size_t cap = 0;
    int rc, step;

    memset(out, 0, sizeof *out);
    if ((from && !rf_store__valid_date(from)) || (to && !rf_store__valid_date(to)))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "dates are YYYY-MM-DD");
    if ((rc = rf_store__prepare(&stmt, st, sql, err)) != 0) return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    rf_store__bind_text(stmt, 2, from);
    rf_store__bind_text(stmt, 3, to);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_run_record *r;
        if (out->count == cap) {
            rf_run_record *grown;
            cap = cap ? cap * 2 : 16;
            if (!(grown = realloc(out->items, cap * sizeof *grown))) goto oom;
            out->items = grown;
        }
        r = &out->items[out->count++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(stmt, 0);
        for (int c = 1; c <= N_TEXT; c++)
            if (rf_strings__add(&strings, stmt, c) < 0) goto oom;
        r->threshold = sqlite3_column_double(stmt, 10);
        r->max_hits = sqlite3_column_int(stmt, 11);
        r->totals.parties = sqlite3_column_int64(stmt, 12);
        r->totals.flagged = sqlite3_column_int64(stmt, 13);
        r->totals.new_alarms = sqlite3_column_int64(stmt, 14);
        r->totals.known_alarms = sqlite3_column_int64(stmt, 15);
        r->totals.cleared = sqlite3_column_int64(stmt, 16);
        r->totals.exit_status = sqlite3_column_int(stmt, 17);
        r->inputs = sqlite3_column_int(stmt, 18);
    }
    sqlite3_finalize(stmt);
    if (step != SQLITE_DONE) {
        rf_strings__free(&strings);
        rf_run_list_free(out);
        return rf_store__db_error(err, st, "reading the screening history");
    }
    for (size_t i = 0; i < out->count; i++) {
        rf_run_record *r = &out->items[i];
        const char **fields[N_TEXT] = {&r->command,  &r->user,   &r->started_at,
                                       &r->report_time, &r->finished_at, &r->status,
                                       &r->as_of,    &r->settings, &r->tool_version};
        for (int f = 0; f < N_TEXT; f++)
            *fields[f] = rf_strings__get(&strings, (long)(i * N_TEXT) + f);
    }
    out->strings = rf_strings__detach(&strings);
    if (run_id > 0 && out->count == 0)
        return rf_error_set(err, RF_ENOTFOUND, st->path, 0, "no screening run %lld", run_id);
    return RF_OK;

oom:
    sqlite3_finalize(stmt);
    rf_strings__free(&strings);
    rf_run_list_free(out);
    return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory reading the history");
}

int rf_store_run_versions(rf_version_list *out, rf_store *st, long long run_id, rf_error *err)
{
    return rf_store__versions_query(out, st,
                                   "SELECT " RF_STORE_VERSION_COLUMNS " FROM run_version r"
                                   " JOIN list_version v ON v.id = r.version_id"
                                   " WHERE r.run_id = ?1 ORDER BY r.position",
                                   run_id, err);
}

int rf_store_run_inputs(rf_store *st, long long run_id,
                        int (*fn)(const rf_run_input *input, void *ctx), void *ctx,
                        rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT position, path, sha256, parties, error_line, error"
                               " FROM run_input WHERE run_id = ?1 ORDER BY position",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_run_input in;
        in.position = sqlite3_column_int(stmt, 0);
        in.path = (const char *)sqlite3_column_text(stmt, 1);
        in.sha256 = (const char *)sqlite3_column_text(stmt, 2);
        in.parties = (long)sqlite3_column_int64(stmt, 3);
        in.error_line = (long)sqlite3_column_int64(stmt, 4);
        in.error = (const char *)sqlite3_column_text(stmt, 5);
        if (fn(&in, ctx)) {
            rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
            break;
        }
    }
    if (rc == RF_OK && step != SQLITE_DONE) rc = rf_store__db_error(err, st, "reading run inputs");
    sqlite3_finalize(stmt);
    return rc;
}

int rf_snapshot_load_run(rf_snapshot **out, rf_store *st, long long run_id, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    long long *ids = NULL;
    size_t n = 0, cap = 0;
    int rc, step;

    *out = NULL;
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT DISTINCT entity_id FROM run_hit WHERE run_id = ?1"
                               " UNION SELECT d.entity_id FROM run_hit h JOIN review_decision d"
                               " ON d.id = h.decision_id WHERE h.run_id = ?1"
                               " AND d.entity_id IS NOT NULL ORDER BY 1",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, run_id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            long long *grown;
            cap = cap ? cap * 2 : 256;
            if (!(grown = realloc(ids, cap * sizeof *grown))) {
                rc = rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
                goto cleanup;
            }
            ids = grown;
        }
        ids[n++] = sqlite3_column_int64(stmt, 0);
    }
    if (step != SQLITE_DONE) {
        rc = rf_store__db_error(err, st, "reading the run's hits");
        goto cleanup;
    }
    rc = rf_snapshot_load_ids(out, st, ids, n, err);

cleanup:
    sqlite3_finalize(stmt);
    free(ids);
    return rc;
}

/* Parses "start:len start:len ..." into `spans` (pairs); returns the pairs read. */
static size_t parse_spans(size_t *spans, size_t max_pairs, const char *s)
{
    size_t n = 0;
    while (s && *s && n < max_pairs) {
        char *end;
        unsigned long long start = strtoull(s, &end, 10), len;
        if (*end != ':') break;
        len = strtoull(end + 1, &end, 10);
        spans[2 * n] = (size_t)start;
        spans[2 * n + 1] = (size_t)len;
        n++;
        s = end;
        while (*s == ' ') s++;
    }
    return n;
}

/* The text columns of a hit row (explanation, changes, rescreen, then the decision's), copied
 * before the statement steps on: sqlite's pointers last only until then. */
static const int HIT_TEXT_COLS[] = {3, 7, 8, 11, 12, 13, 14, 15, 17, 18, 19, 20};
#define HIT_TEXTS ((int)(sizeof HIT_TEXT_COLS / sizeof *HIT_TEXT_COLS))

/* A recorded hit, with room for the things it points at. */
typedef struct replay_hit {
    rf_run_hit hit;
    rf_decision decision;
    size_t spans[2 * 64], party_spans[2 * 64];
    long slots[HIT_TEXTS]; /* its texts in the party's rf_strings, by HIT_TEXT_COLS */
} replay_hit;

#define PARTY_TEXTS 21
#define LINE_TEXTS 7

/* A run's results being read back: the statements, and buffers reused from party to party
 * (everything the current party points at lives in `texts` until the next one). */
typedef struct replay {
    rf_store *st;
    long long run_id;
    const rf_snapshot *entities;
    sqlite3_stmt *parties, *lines, *hits_q;
    replay_hit *hits;
    rf_run_hit *flat;
    size_t hits_cap;
    rf_order_line *order_lines;
    long *line_slots; /* LINE_TEXTS text slots per order line */
    size_t lines_cap;
    rf_strings texts;
} replay;

static int replay_oom(replay *rp, rf_error *err)
{
    return rf_error_set(err, RF_ENOMEM, rp->st->path, 0, "out of memory reading the run's results");
}

/* The party of the current row of rp->parties into *p (its texts borrowed from the row). */
static void party_of_row(rf_party *p, sqlite3_stmt *row)
{
    const char *t[PARTY_TEXTS];
    for (int i = 0; i < PARTY_TEXTS; i++) t[i] = (const char *)sqlite3_column_text(row, 5 + i);
    memset(p, 0, sizeof *p);
    p->document = t[0], p->ref = t[1], p->role = t[2], p->name = t[3], p->address = t[4];
    p->city = t[5], p->country = t[6], p->date = t[7], p->item = t[8], p->format = t[9];
    p->doc_type = t[10], p->party_id = t[11], p->region = t[12], p->postal_code = t[13];
    p->order_line = t[14], p->part_number = t[15], p->description = t[16];
    p->quantity = t[17], p->eccn = t[18], p->hs_code = t[19], p->origin = t[20];
    p->line = (long)sqlite3_column_int64(row, 2);
}

/* The order lines of party `seq` into rp->order_lines, their texts copied into rp->texts
 * (pointed at by read_texts); *n receives how many. */
static int read_lines(replay *rp, long long seq, size_t *n, rf_error *err)
{
    int step;
    *n = 0;
    sqlite3_reset(rp->lines);
    sqlite3_bind_int64(rp->lines, 1, rp->run_id);
    sqlite3_bind_int64(rp->lines, 2, seq);
    while ((step = sqlite3_step(rp->lines)) == SQLITE_ROW) {
        if (*n == rp->lines_cap) {
            size_t cap = rp->lines_cap ? rp->lines_cap * 2 : 16;
            rf_order_line *grown = realloc(rp->order_lines, cap * sizeof *grown);
            long *grown_slots;
            if (!grown) return replay_oom(rp, err);
            rp->order_lines = grown;
            if (!(grown_slots = realloc(rp->line_slots, cap * LINE_TEXTS * sizeof *grown_slots)))
                return replay_oom(rp, err);
            rp->line_slots = grown_slots;
            rp->lines_cap = cap;
        }
        rp->order_lines[*n].line = (long)sqlite3_column_int64(rp->lines, 0);
        for (int c = 0; c < LINE_TEXTS; c++)
            if ((rp->line_slots[*n * LINE_TEXTS + (size_t)c] =
                     rf_strings__add(&rp->texts, rp->lines, 1 + c)) < 0)
                return replay_oom(rp, err);
        (*n)++;
    }
    return step == SQLITE_DONE ? RF_OK
                               : rf_store__db_error(err, rp->st, "reading the run's results");
}

/* The hits of party `seq` (at most `want`) into rp->hits, each with its listed record from
 * rp->entities and the decision in force when it was screened; *n receives how many. */
static int read_hits(replay *rp, long long seq, size_t want, size_t *n, rf_error *err)
{
    int step;
    *n = 0;
    if (want > rp->hits_cap) {
        replay_hit *grown = realloc(rp->hits, want * sizeof *grown);
        rf_run_hit *grown_flat;
        if (!grown) return replay_oom(rp, err);
        rp->hits = grown;
        if (!(grown_flat = realloc(rp->flat, want * sizeof *grown_flat)))
            return replay_oom(rp, err);
        rp->flat = grown_flat;
        rp->hits_cap = want;
    }
    sqlite3_reset(rp->hits_q);
    sqlite3_bind_int64(rp->hits_q, 1, rp->run_id);
    sqlite3_bind_int64(rp->hits_q, 2, seq);
    while ((step = sqlite3_step(rp->hits_q)) == SQLITE_ROW && *n < want) {
        sqlite3_stmt *q = rp->hits_q;
        replay_hit *h = &rp->hits[*n];
        long long entity_id = sqlite3_column_int64(q, 0);
        memset(&h->hit, 0, sizeof h->hit);
        if (!(h->hit.entity = rf_snapshot_find(rp->entities, entity_id)))
            return rf_error_set(err, RF_ENOTFOUND, rp->st->path, 0,
                                "run %lld: listed record %lld is not loaded", rp->run_id,
                                entity_id);
        for (int c = 0; c < HIT_TEXTS; c++)
            if ((h->slots[c] = rf_strings__add(&rp->texts, q, HIT_TEXT_COLS[c])) < 0)
                return replay_oom(rp, err);
        h->hit.name_index = (size_t)sqlite3_column_int64(q, 1);
        h->hit.score = sqlite3_column_double(q, 2);
        h->hit.n_listed_spans = parse_spans(h->spans, 64, (const char *)sqlite3_column_text(q, 4));
        h->hit.listed_spans = h->spans;
        h->hit.n_party_spans =
            parse_spans(h->party_spans, 64, (const char *)sqlite3_column_text(q, 5));
        h->hit.party_spans = h->party_spans;
        h->hit.record_changed = sqlite3_column_int(q, 6);
        h->hit.decision = NULL;
        if (sqlite3_column_type(q, 9) != SQLITE_NULL) {
            rf_decision *d = &h->decision;
            memset(d, 0, sizeof *d);
            d->id = sqlite3_column_int64(q, 9);
            rf_decision_kind_parse(&d->kind, (const char *)sqlite3_column_text(q, 10));
            d->entity_id = sqlite3_column_int64(q, 16);
            d->run_id = sqlite3_column_int64(q, 21);
            h->hit.decision = d;
        }
        (*n)++;
    }
    return step == SQLITE_DONE || step == SQLITE_ROW
               ? RF_OK
               : rf_store__db_error(err, rp->st, "reading the run's results");
}

/* Once every text of the party is copied into rp->texts, its lines and hits point at them. */
static void point_texts(replay *rp, size_t n_lines, size_t n_hits)
{
    const rf_strings *t = &rp->texts;
    for (size_t i = 0; i < n_lines; i++) {
        rf_order_line *l = &rp->order_lines[i];
        const long *slot = &rp->line_slots[i * LINE_TEXTS];
        l->number = rf_strings__get(t, slot[0]);
        l->part_number = rf_strings__get(t, slot[1]);
        l->description = rf_strings__get(t, slot[2]);
        l->quantity = rf_strings__get(t, slot[3]);
        l->eccn = rf_strings__get(t, slot[4]);
        l->hs_code = rf_strings__get(t, slot[5]);
        l->origin = rf_strings__get(t, slot[6]);
    }
    for (size_t i = 0; i < n_hits; i++) {
        replay_hit *h = &rp->hits[i];
        rf_decision *d = &h->decision;
        h->hit.explanation = rf_strings__get(t, h->slots[0]);
        h->hit.changes = rf_strings__get(t, h->slots[1]);
        h->hit.rescreen = rf_strings__get(t, h->slots[2]);
        d->fingerprint = rf_strings__get(t, h->slots[3]);
        d->party_name = rf_strings__get(t, h->slots[4]);
        d->list_code = rf_strings__get(t, h->slots[5]);
        d->source_id = rf_strings__get(t, h->slots[6]);
        d->listed_name = rf_strings__get(t, h->slots[7]);
        d->content_hash = rf_strings__get(t, h->slots[8]);
        d->reviewer = rf_strings__get(t, h->slots[9]);
        d->reason = rf_strings__get(t, h->slots[10]);
        d->decided_at = rf_strings__get(t, h->slots[11]);
        rp->flat[i] = h->hit;
    }
}

int rf_store_run_results(rf_store *st, long long run_id, const rf_snapshot *entities,
                         int (*fn)(const rf_run_result *result, void *ctx), void *ctx,
                         rf_error *err)
{
    static const char party_sql[] =
        "SELECT seq, input, line, fingerprint, hits, document, ref, role, name, address, city,"
        " country, date, item, format, doc_type, party_id, region, postal_code, order_line,"
        " part_number, description, quantity, eccn, hs_code, origin"
        " FROM run_party WHERE run_id = ?1 ORDER BY seq";
    static const char line_sql[] =
        "SELECT line, number, part_number, description, quantity, eccn, hs_code, origin"
        " FROM run_party_line WHERE run_id = ?1 AND seq = ?2 ORDER BY position";
    static const char hit_sql[] =
        "SELECT h.entity_id, h.name_index, h.score, h.explanation, h.listed_spans,"
        " h.party_spans, h.record_changed, h.changes, h.rescreen, d.id, d.decision,"
        " d.fingerprint, d.party_name, d.list_code, d.source_id, d.listed_name, d.entity_id,"
        " d.content_hash, d.reviewer, d.reason, d.decided_at, d.run_id"
        " FROM run_hit h LEFT JOIN review_decision d ON d.id = h.decision_id"
        " WHERE h.run_id = ?1 AND h.seq = ?2 ORDER BY h.rank";
    replay rp;
    int rc, step;

    memset(&rp, 0, sizeof rp);
    rp.st = st;
    rp.run_id = run_id;
    rp.entities = entities;
    if ((rc = rf_store__prepare(&rp.parties, st, party_sql, err)) != 0 ||
        (rc = rf_store__prepare(&rp.lines, st, line_sql, err)) != 0 ||
        (rc = rf_store__prepare(&rp.hits_q, st, hit_sql, err)) != 0)
        goto cleanup;
    sqlite3_bind_int64(rp.parties, 1, run_id);
    while ((step = sqlite3_step(rp.parties)) == SQLITE_ROW) {
        rf_party p;
        rf_run_result r;
        size_t n_lines, n_hits;

        party_of_row(&p, rp.parties);
        memset(&r, 0, sizeof r);
        r.seq = sqlite3_column_int64(rp.parties, 0);
        r.input = sqlite3_column_int(rp.parties, 1);
        r.fingerprint = (const char *)sqlite3_column_text(rp.parties, 3);
        r.party = &p;
        rf_strings__free(&rp.texts); /* the previous party's */
        if ((rc = read_lines(&rp, r.seq, &n_lines, err)) != 0 ||
            (rc = read_hits(&rp, r.seq, (size_t)sqlite3_column_int64(rp.parties, 4), &n_hits,
                            err)) != 0)
            goto cleanup;
        point_texts(&rp, n_lines, n_hits);
        p.lines = n_lines ? rp.order_lines : NULL;
        p.n_lines = n_lines;
        r.hits = n_hits ? rp.flat : NULL;
        r.n_hits = n_hits;
        if (fn(&r, ctx)) {
            rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
            goto cleanup;
        }
    }
    rc = step == SQLITE_DONE ? RF_OK : rf_store__db_error(err, st, "reading the run's results");

cleanup:
    sqlite3_finalize(rp.parties);
    sqlite3_finalize(rp.lines);
    sqlite3_finalize(rp.hits_q);
    free(rp.hits);
    free(rp.flat);
    free(rp.order_lines);
    free(rp.line_slots);
    rf_strings__free(&rp.texts);
    return rc;
}
