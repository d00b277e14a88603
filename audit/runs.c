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
 * A run recorded at its finish (rf_run_info.at_finish, the server's) keeps the rows of its
 * inserts in memory until then, and writes them all, run row included, in the transaction
 * that completes it: the write lock is held once, briefly, per run, and a run that never
 * finishes leaves nothing behind. Runs of a group (rf_run_group, a server's workers) that
 * finish meanwhile are written together, each in a savepoint of one transaction. */
#include "review_internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

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
/* What a run leaves in the TEMP tables, emptied when it is freed. */
static const char *const PENDING_CLEAR[] = {"DELETE FROM pending_cp",
                                            "DELETE FROM pending_cp_hit"};

/* The inserts a run is recorded with: its parts (?1 its id), then the counterparty state it
 * found, into the TEMP tables. */
enum run_insert {
    INS_PARTY, INS_LINE, INS_HIT, INS_INPUT, INS_VERSION, ADD_VERSION, /* the run's parts */
    INS_CP, DEL_CP_HITS, INS_CP_HIT,                                   /* pending */
    N_INSERTS
};
static const char *const INSERTS[N_INSERTS] = {
    "INSERT INTO run_party (run_id, seq, input, document, line, ref, role, name, address,"
    " city, country, date, item, format, doc_type, party_id, region, postal_code, order_line,"
    " part_number, description, quantity, eccn, hs_code, origin, fingerprint, hits) VALUES"
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
    " ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    "INSERT INTO run_party_line (run_id, seq, position, line, number, part_number,"
    " description, quantity, eccn, hs_code, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?9, ?10, ?11)",
    "INSERT INTO run_hit (run_id, seq, rank, entity_id, name_index, score, explanation,"
    " listed_spans, party_spans, decision_id, record_changed, changes, rescreen) VALUES (?1,"
    " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    "INSERT INTO run_input (run_id, position, path, sha256, parties, error_line, error)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "INSERT INTO run_version (run_id, position, version_id) VALUES (?1, ?2, ?3)",
    /* a version met later (screen --as-of document), unless the run names it already */
    "INSERT INTO run_version (run_id, position, version_id) SELECT ?1, (SELECT count(*) FROM"
    " run_version WHERE run_id = ?1), ?2 WHERE NOT EXISTS (SELECT 1 FROM run_version WHERE"
    " run_id = ?1 AND version_id = ?2)",
    "INSERT OR REPLACE INTO pending_cp (fingerprint, name, address, city, country)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
    "DELETE FROM pending_cp_hit WHERE fingerprint = ?1",
    "INSERT OR REPLACE INTO pending_cp_hit (fingerprint, list_code, source_id,"
    " listed_name, entity_id, content_hash, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
/* What each is doing, for its error message. */
static const char *const INSERT_WHAT[N_INSERTS] = {
    "recording a screened party", "recording an order line", "recording a hit",
    "recording the run's input", "recording the run's list versions",
    "recording the run's list versions", "recording a counterparty",
    "recording a counterparty", "recording a counterparty's hit"};

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
    /* INSERTS prepared on `st`: from the start, or, at its finish, on the store recording it */
    sqlite3_stmt *inserts[N_INSERTS];
    rf_run_group *group; /* written through it at its finish (counted open in it) */
    /* A run recorded at its finish: the values of its inserts until then (kept_value each,
     * its text after it), in the order they came; kept_failed: out of memory on the way. */
    rf_buf kept;
    int kept_failed;
    /* The run's row, as rf_store_run_begin was told (copies), and its start */
    char *command, *user, *report_time, *as_of, *settings, *tool_version;
    double threshold;
    int max_hits;
    char started_at[32];
    int (*on_commit)(rf_store *st, long long run_id, rf_error *err, void *ctx);
    void *ctx;
    /* The counterparties written so far (rf_store_run_counterparty), grown at half full */
    struct cp_written *cp;
    size_t cp_slots, cp_count;
};

/* A counterparty the run has written: the XXH3 of its fingerprint (0: an empty slot) and of
 * what was written. A batch names one counterparty on many orders; writing it again
 * unchanged would cost three statements for the same rows. Its last write is what the run
 * delivers, so one written differently in between is written again. */
typedef struct cp_written {
    uint64_t key, digest;
} cp_written;

/* Runs recorded at their finish, one batch at a time through `writer`. */
struct rf_run_group {
    rf_store *writer;
    pthread_mutex_t lock;
    pthread_cond_t changed;           /* a batch is written, a run came or ended */
    int writing;                      /* a thread is writing one */
    struct finishing *waiting, **tail; /* the runs of the next batch, in the order they came */
    int n_waiting;
    int open;                         /* runs begun and not freed (the waiting among them) */
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

/* Empties the TEMP tables of the counterparty state found; 0, or sqlite's error. */
static int pending_clear(rf_store *st)
{
    for (size_t i = 0; i < sizeof PENDING_CLEAR / sizeof *PENDING_CLEAR; i++)
        if (step_cached(st, PENDING_CLEAR[i]) != SQLITE_DONE) return -1;
    return 0;
}

static void inserts_release(rf_run *run)
{
    for (size_t i = 0; i < N_INSERTS; i++) {
        rf_store__release(run->st, run->inserts[i]);
        run->inserts[i] = NULL;
    }
}

static void run_free(rf_run *run)
{
    /* Whatever was not delivered is found again by the next rescreen; what a run recorded at
     * its finish kept and did not record is forgotten. */
    if (!run->at_finish && sqlite3_get_autocommit(run->st->db)) pending_clear(run->st);
    inserts_release(run);
    if (run->group) {
        pthread_mutex_lock(&run->group->lock);
        run->group->open--;
        pthread_cond_broadcast(&run->group->changed);
        pthread_mutex_unlock(&run->group->lock);
    }
    rf_buf_free(&run->kept);
    free(run->cp);
    free(run->command);
    free(run->user);
    free(run->report_time);
    free(run->as_of);
    free(run->settings);
    free(run->tool_version);
    free(run);
}

/* Opens the batch transaction if none is open (the run's parts are added in batches; a run
 * recorded at its finish keeps them in memory until then). */
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

/* Before a part of the run is added: a batch is open, unless the run is kept until its
 * finish (in memory, without the database's write lock). */
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

/* ---- the values of the run's inserts ------------------------------------------------------ */

/* One value of a row of insert `insert` kept for a run recorded at its finish; column 0 ends
 * the row. A text's bytes follow it, padded to keep the next one aligned. */
typedef struct kept_value {
    int insert, column, type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
    sqlite3_int64 i;
    double d;
    size_t len;
} kept_value;

#define KEPT_ALIGN sizeof(kept_value)

static void keep(rf_run *run, const kept_value *v, const char *text)
{
    static const char zeros[KEPT_ALIGN];
    size_t pad = v->len % KEPT_ALIGN ? KEPT_ALIGN - v->len % KEPT_ALIGN : 0;
    if (rf_buf_append(&run->kept, v, sizeof *v) != RF_OK ||
        (text && (rf_buf_append(&run->kept, text, v->len) != RF_OK ||
                  rf_buf_append(&run->kept, zeros, pad) != RF_OK)))
        run->kept_failed = 1;
}

/* Value `col` of the row of insert `insert` being made: bound to its statement, or kept for
 * a run recorded at its finish. Text is borrowed until put_row (SQLITE_STATIC); NULL is SQL
 * NULL. */
static void put_int(rf_run *run, int insert, int col, sqlite3_int64 i)
{
    kept_value v = {insert, col, SQLITE_INTEGER, i, 0, 0};
    if (run->at_finish) keep(run, &v, NULL);
    else sqlite3_bind_int64(run->inserts[insert], col, i);
}

static void put_double(rf_run *run, int insert, int col, double d)
{
    kept_value v = {insert, col, SQLITE_FLOAT, 0, d, 0};
    if (run->at_finish) keep(run, &v, NULL);
    else sqlite3_bind_double(run->inserts[insert], col, d);
}

static void put_text(rf_run *run, int insert, int col, const char *s)
{
    kept_value v = {insert, col, SQLITE_TEXT, 0, 0, s ? strlen(s) : 0};
    if (!run->at_finish) rf_store__bind_text(run->inserts[insert], col, s);
    else if (s) keep(run, &v, s); /* a value not kept is NULL */
}

/* Ends the row: inserted now, or kept with the others until the run's finish. */
static int put_row(rf_run *run, int insert, rf_error *err)
{
    kept_value end = {insert, 0, 0, 0, 0, 0};
    if (!run->at_finish) return step_done(run, run->inserts[insert], INSERT_WHAT[insert], err);
    keep(run, &end, NULL);
    return run->kept_failed ? rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory") : RF_OK;
}

/* Inserts the rows kept by a run recorded at its finish, on the store recording it (run->st),
 * its parts with its id: in the transaction that completes it. */
static int insert_kept(rf_run *run, rf_error *err)
{
    const char *p = run->kept.data, *end = p + run->kept.len;
    int rc = RF_OK;

    while (p < end && rc == RF_OK) {
        kept_value v;
        sqlite3_stmt **s;
        memcpy(&v, p, sizeof v);
        p += sizeof v;
        s = &run->inserts[v.insert];
        if (!*s && (rc = rf_store__prepare_cached(s, run->st, INSERTS[v.insert], err)) != 0) break;
        if (v.column == 0) {
            if (v.insert < INS_CP) sqlite3_bind_int64(*s, 1, run->id);
            rc = step_done(run, *s, INSERT_WHAT[v.insert], err);
        } else if (v.type == SQLITE_INTEGER) {
            sqlite3_bind_int64(*s, v.column, v.i);
        } else if (v.type == SQLITE_FLOAT) {
            sqlite3_bind_double(*s, v.column, v.d);
        } else {
            sqlite3_bind_text(*s, v.column, p, (int)v.len, SQLITE_STATIC);
            p += v.len + (v.len % KEPT_ALIGN ? KEPT_ALIGN - v.len % KEPT_ALIGN : 0);
        }
    }
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


/* The connection's TEMP tables for runs, made once: the pending counterparty state. */
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
    /* kept unless a rollback may undo them */
    st->run_tables = sqlite3_get_autocommit(st->db);
    return RF_OK;
}

int rf_store_run_begin(rf_run **out, rf_store *st, const rf_run_info *info, rf_error *err)
{
    rf_run *run;
    int rc;

    *out = NULL;
    if (!info || !info->command || !info->user || !info->versions)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "a run needs a command, a user and versions");
    if (st->active)
        return rf_error_set(err, RF_EUSAGE, st->path, 0, "an import is in progress");
    if ((rc = rf_store__writable(st, err)) != 0) return rc;
    if (!(run = calloc(1, sizeof *run)))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    run->st = st;
    if (keep_info(run, info) != RF_OK) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    /* The run is in the history from its start, whatever happens to it later; or, recorded at
     * its finish, not at all until then (its inserts are prepared then, where it is). */
    if (run->at_finish && st->run_group) {
        run->group = st->run_group;
        pthread_mutex_lock(&run->group->lock);
        run->group->open++;
        pthread_mutex_unlock(&run->group->lock);
    }
    if (!run->at_finish) {
        if ((rc = temp_tables(st, err)) != 0) goto fail;
        for (size_t i = 0; i < N_INSERTS; i++)
            if ((rc = rf_store__prepare_cached(&run->inserts[i], st, INSERTS[i], err)) != 0)
                goto fail;
        if ((rc = batch_begin(run, err)) != 0 || (rc = insert_run(run, err)) != 0) goto fail;
    }
    for (size_t i = 0; i < info->versions->count; i++) {
        put_int(run, INS_VERSION, 1, run->id);
        put_int(run, INS_VERSION, 2, (sqlite3_int64)i);
        put_int(run, INS_VERSION, 3, info->versions->items[i].id);
        if ((rc = put_row(run, INS_VERSION, err)) != 0) goto fail;
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
        put_int(run, ADD_VERSION, 1, run->id);
        put_int(run, ADD_VERSION, 2, versions->items[i].id);
        rc = put_row(run, ADD_VERSION, err);
    }
    return rc;
}

int rf_store_run_add_input(rf_run *run, const rf_run_input *in, rf_error *err)
{
    int rc;
    if (!run || !in || !in->path) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run or input");
    if ((rc = staging(run, err)) != 0) return rc;
    put_int(run, INS_INPUT, 1, run->id);
    put_int(run, INS_INPUT, 2, in->position);
    put_text(run, INS_INPUT, 3, in->path);
    put_text(run, INS_INPUT, 4, in->sha256);
    put_int(run, INS_INPUT, 5, in->parties);
    if (in->error) {
        put_int(run, INS_INPUT, 6, in->error_line);
        put_text(run, INS_INPUT, 7, in->error);
    }
    return put_row(run, INS_INPUT, err);
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
    int rc = RF_OK;
    for (size_t i = 0; i < p->n_lines && rc == RF_OK; i++) {
        const rf_order_line *l = &p->lines[i];
        put_int(run, INS_LINE, 1, run->id);
        put_int(run, INS_LINE, 2, run->seq);
        put_int(run, INS_LINE, 3, (sqlite3_int64)i);
        put_int(run, INS_LINE, 4, l->line);
        put_text(run, INS_LINE, 5, l->number);
        put_text(run, INS_LINE, 6, l->part_number);
        put_text(run, INS_LINE, 7, l->description);
        put_text(run, INS_LINE, 8, l->quantity);
        put_text(run, INS_LINE, 9, l->eccn);
        put_text(run, INS_LINE, 10, l->hs_code);
        put_text(run, INS_LINE, 11, l->origin);
        rc = put_row(run, INS_LINE, err);
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
    rf_buf listed = {0}, party = {0};
    int rc;

    if (!run || !p || !fingerprint || (n_hits && !hits))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run, party, fingerprint or hits");
    if ((rc = staging(run, err)) != 0) return rc;
    run->seq++;
    put_int(run, INS_PARTY, 1, run->id);
    put_int(run, INS_PARTY, 2, run->seq);
    put_int(run, INS_PARTY, 3, input);
    for (int i = 0; i < (int)(sizeof texts / sizeof *texts); i++)
        if (i != 1) put_text(run, INS_PARTY, 4 + i, texts[i]);
    put_int(run, INS_PARTY, 5, p->line);
    put_int(run, INS_PARTY, 27, (sqlite3_int64)n_hits);
    if ((rc = put_row(run, INS_PARTY, err)) != 0 || (rc = add_lines(run, p, err)) != 0)
        return rc;

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
        put_int(run, INS_HIT, 1, run->id);
        put_int(run, INS_HIT, 2, run->seq);
        put_int(run, INS_HIT, 3, (sqlite3_int64)i);
        put_int(run, INS_HIT, 4, h->entity->id);
        put_int(run, INS_HIT, 5, (sqlite3_int64)h->name_index);
        put_double(run, INS_HIT, 6, h->score);
        put_text(run, INS_HIT, 7, h->explanation);
        put_text(run, INS_HIT, 8, listed.data ? listed.data : "");
        put_text(run, INS_HIT, 9, party.data ? party.data : "");
        if (h->decision && h->decision->id) put_int(run, INS_HIT, 10, h->decision->id);
        put_int(run, INS_HIT, 11, h->record_changed != 0);
        put_text(run, INS_HIT, 12, h->changes);
        put_text(run, INS_HIT, 13, h->rescreen);
        if ((rc = put_row(run, INS_HIT, err)) != 0) break;
    }
    rf_buf_free(&listed);
    rf_buf_free(&party);
    if (rc == RF_OK && !run->at_finish &&
        (++run->batch >= RUN_BATCH || batch_seconds(run) >= RUN_BATCH_SECONDS))
        rc = batch_commit(run, err);
    return rc;
}

/* Feeds a string (a 1, its bytes and its NUL), or a 0 for none, into the digest: no two
 * rows feed the same bytes. */
static void digest_text(XXH3_state_t *st, const char *s)
{
    XXH3_64bits_update(st, s ? "\1" : "", 1);
    if (s) XXH3_64bits_update(st, s, strlen(s) + 1);
}

/* The XXH3 of the counterparty row and hits rf_store_run_counterparty writes; 0 when it
 * cannot be computed (never a match). */
static uint64_t cp_digest(const rf_party *p, const char *fingerprint, const rf_known_hit *hits, size_t n_hits)
{
    XXH3_state_t *st = XXH3_createState();
    uint64_t digest;
    if (!st || XXH3_64bits_reset(st) != XXH_OK) {
        XXH3_freeState(st);
        return 0;
    }
    digest_text(st, fingerprint);
    digest_text(st, p->name);
    digest_text(st, p->address);
    digest_text(st, p->city);
    digest_text(st, p->country);
    for (size_t i = 0; i < n_hits; i++) {
        digest_text(st, hits[i].list_code);
        digest_text(st, hits[i].source_id);
        digest_text(st, hits[i].listed_name);
        digest_text(st, hits[i].content_hash);
        XXH3_64bits_update(st, &hits[i].entity_id, sizeof hits[i].entity_id);
        XXH3_64bits_update(st, &hits[i].score, sizeof hits[i].score);
    }
    digest = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return digest;
}

/* The slot of counterparty `key` in run->cp, or the empty one it would take; NULL when the
 * table cannot grow (the counterparty is then written, whatever it was before). */
static cp_written *cp_slot(rf_run *run, uint64_t key)
{
    size_t i;
    if (2 * (run->cp_count + 1) > run->cp_slots) {
        size_t n = run->cp_slots ? 2 * run->cp_slots : 1024;
        cp_written *grown = calloc(n, sizeof *grown);
        if (!grown) return NULL;
        for (size_t k = 0; k < run->cp_slots; k++) {
            if (!run->cp[k].key) continue;
            for (i = run->cp[k].key & (n - 1); grown[i].key; i = (i + 1) & (n - 1)) {}
            grown[i] = run->cp[k];
        }
        free(run->cp);
        run->cp = grown;
        run->cp_slots = n;
    }
    for (i = key & (run->cp_slots - 1); run->cp[i].key && run->cp[i].key != key;
         i = (i + 1) & (run->cp_slots - 1)) {}
    return &run->cp[i];
}

int rf_store_run_counterparty(rf_run *run, const rf_party *p, const char *fingerprint,
                              const rf_known_hit *hits, size_t n_hits, rf_error *err)
{
    uint64_t key, digest;
    cp_written *written;
    int rc;

    if (!run || !p || !p->name || !fingerprint || (n_hits && !hits))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run, party, fingerprint or hits");
    key = XXH3_64bits(fingerprint, strlen(fingerprint));
    key += !key;
    digest = cp_digest(p, fingerprint, hits, n_hits);
    written = cp_slot(run, key);
    if (written && written->key == key && written->digest == digest && digest) return RF_OK;
    if ((rc = staging(run, err)) != 0) return rc;
    put_text(run, INS_CP, 1, fingerprint);
    put_text(run, INS_CP, 2, p->name);
    put_text(run, INS_CP, 3, p->address);
    put_text(run, INS_CP, 4, p->city);
    put_text(run, INS_CP, 5, p->country);
    if ((rc = put_row(run, INS_CP, err)) != 0) return rc;
    put_text(run, DEL_CP_HITS, 1, fingerprint);
    if ((rc = put_row(run, DEL_CP_HITS, err)) != 0) return rc;
    for (size_t i = 0; i < n_hits && rc == RF_OK; i++) {
        const rf_known_hit *h = &hits[i];
        if (!h->list_code || !h->source_id || !h->content_hash)
            return rf_error_set(err, RF_EUSAGE, NULL, 0, "a known hit needs its listed entity");
        put_text(run, INS_CP_HIT, 1, fingerprint);
        put_text(run, INS_CP_HIT, 2, h->list_code);
        put_text(run, INS_CP_HIT, 3, h->source_id);
        put_text(run, INS_CP_HIT, 4, h->listed_name);
        put_int(run, INS_CP_HIT, 5, h->entity_id);
        put_text(run, INS_CP_HIT, 6, h->content_hash);
        put_double(run, INS_CP_HIT, 7, h->score);
        rc = put_row(run, INS_CP_HIT, err);
    }
    if (rc == RF_OK && written) {
        run->cp_count += !written->key;
        *written = (cp_written){.key = key, .digest = digest};
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

/* Completes the run's row as `status` ("done": with the counterparty state it found), seals
 * it and lets the caller add its own (on_commit), in the open transaction. */
static int complete_run(rf_run *run, const char *status, const rf_run_totals *t, rf_error *err)
{
    static const rf_run_totals none = {0, 0, 0, 0, 0, -1, 0};
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!t) t = &none;
    if (strcmp(status, "done") == 0 && (rc = deliver_counterparties(run, err)) != 0) return rc;
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
    return rc;
}

/* A run recorded as it goes: completed in a transaction of its own. */
static int close_run(rf_run *run, const char *status, const rf_run_totals *t, rf_error *err)
{
    int rc;
    if ((rc = batch_begin(run, err)) != 0) return rc;
    if ((rc = complete_run(run, status, t, err)) == RF_OK) return batch_commit(run, err);
    sqlite3_exec(run->st->db, "ROLLBACK", NULL, NULL, NULL);
    run->in_batch = 0;
    return rc;
}

/* ---- runs recorded at their finish ------------------------------------------------------ */

/* A run recorded at its finish, waiting to be written with the others of its batch. */
typedef struct finishing {
    rf_run *run;
    const rf_run_totals *totals;
    rf_error *err;
    int rc;
    int written; /* its batch is over, committed or not */
    struct finishing *next;
} finishing;

/* Writes one run of the batch on `writer`, in the batch's transaction: its row, the rows it
 * kept (its counterparty state through the writer's TEMP tables, emptied of the previous
 * run's first), completed "done". Its inserts are released on the writer before it is given
 * back to the thread that finishes it. */
static int write_kept(rf_store *writer, finishing *f)
{
    rf_run *run = f->run;
    rf_store *own = run->st;
    int rc;

    run->st = writer;
    if (pending_clear(writer) != 0)
        rc = rf_store__db_error(f->err, writer, "recording the screening run");
    else if ((rc = insert_run(run, f->err)) == RF_OK && (rc = insert_kept(run, f->err)) == RF_OK)
        rc = complete_run(run, "done", f->totals, f->err);
    inserts_release(run);
    run->st = own;
    return rc;
}

/* Writes the runs of `batch` in one transaction on `writer`, each in a savepoint of its own:
 * one that fails is rolled back alone, and is not recorded (rf_run_id 0); a transaction that
 * fails (a commit, an error that rolled it all back) records none. */
static void write_batch(rf_store *writer, finishing *batch)
{
    int rc;
    rf_error err;

    rf_error_clear(&err);
    if ((rc = temp_tables(writer, &err)) == RF_OK &&
        step_cached(writer, "BEGIN IMMEDIATE") != SQLITE_DONE)
        rc = rf_store__db_error(&err, writer, "recording the screening run");
    for (finishing *f = batch; f && rc == RF_OK; f = f->next) {
        if (step_cached(writer, "SAVEPOINT run") != SQLITE_DONE) {
            f->rc = rf_store__db_error(f->err, writer, "recording the screening run");
        } else if ((f->rc = write_kept(writer, f)) != RF_OK) {
            step_cached(writer, "ROLLBACK TO run");
            step_cached(writer, "RELEASE run");
        } else {
            step_cached(writer, "RELEASE run");
        }
        if (sqlite3_get_autocommit(writer->db)) /* an error rolled back the transaction */
            rc = rf_error_set(&err, RF_EDB, writer->path, 0,
                              "recording the screening run: the transaction was rolled back");
    }
    if (rc == RF_OK && step_cached(writer, "COMMIT") != SQLITE_DONE) {
        rc = rf_store__db_error(&err, writer, "recording the screening run");
        sqlite3_exec(writer->db, "ROLLBACK", NULL, NULL, NULL);
    }
    for (finishing *f = batch; f; f = f->next) {
        if (rc != RF_OK && f->rc == RF_OK) {
            f->rc = rc;
            if (f->err) *f->err = err;
        }
        if (f->rc != RF_OK) f->run->id = 0;
    }
    /* emptied outside the transaction too: a rollback brings back what was emptied in one */
    if (sqlite3_get_autocommit(writer->db)) pending_clear(writer);
}

/* How long the first run waiting for a batch waits for the others open to finish too: a
 * commit, and the pages the runs share, paid for a handful rather than for each. */
#define GROUP_WAIT_NS 2000000L

/* Writes `f` through `group`: a thread that finds no batch being written writes every run
 * waiting, its own among them, once the runs open have all come or GROUP_WAIT_NS passed;
 * the others wait for theirs to be written. */
static int write_in_group(rf_run_group *g, finishing *f)
{
    struct timespec until;
    int waited = 0;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += GROUP_WAIT_NS;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g->lock);
    *g->tail = f;
    g->tail = &f->next;
    g->n_waiting++;
    pthread_cond_broadcast(&g->changed);
    while (!f->written) {
        finishing *batch;
        if (g->writing) {
            pthread_cond_wait(&g->changed, &g->lock);
            continue;
        }
        if (g->n_waiting < g->open && !waited) {
            waited = pthread_cond_timedwait(&g->changed, &g->lock, &until) == ETIMEDOUT;
            continue;
        }
        batch = g->waiting;
        g->waiting = NULL;
        g->tail = &g->waiting;
        g->n_waiting = 0;
        g->writing = 1;
        pthread_mutex_unlock(&g->lock);
        write_batch(g->writer, batch);
        pthread_mutex_lock(&g->lock);
        for (finishing *w = batch; w; w = w->next) w->written = 1;
        g->writing = 0;
        pthread_cond_broadcast(&g->changed);
    }
    pthread_mutex_unlock(&g->lock);
    return f->rc;
}

int rf_run_group_new(rf_run_group **out, rf_store *writer, rf_error *err)
{
    rf_run_group *g;
    *out = NULL;
    if (!writer) return rf_error_set(err, RF_EUSAGE, NULL, 0, "a run group needs a store");
    if (!(g = calloc(1, sizeof *g))) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    g->writer = writer;
    g->tail = &g->waiting;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->changed, NULL);
    *out = g;
    return RF_OK;
}

void rf_run_group_free(rf_run_group *g)
{
    if (!g) return;
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->changed);
    free(g);
}

void rf_store_set_run_group(rf_store *st, rf_run_group *group)
{
    st->run_group = group;
}

int rf_store_run_finish(rf_run *run, const rf_run_totals *totals, rf_error *err)
{
    finishing f;
    int rc;

    if (!run) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no run");
    if (!run->at_finish) {
        rc = close_run(run, "done", totals, err);
    } else {
        memset(&f, 0, sizeof f);
        f.run = run;
        f.totals = totals;
        f.err = err;
        if (run->kept_failed) {
            rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        } else if (run->group) {
            rc = write_in_group(run->group, &f);
        } else {
            write_batch(run->st, &f);
            rc = f.rc;
        }
    }
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
