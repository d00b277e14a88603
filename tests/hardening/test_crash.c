/* test_crash.c: the list database survives the redflag command dying at any moment (a power
 * cut, the OOM killer, an operator's kill -9): SIGKILL at random points of `lists import` and
 * `review import`, many times, then the database opens, sqlite's integrity check passes, the
 * list versions and review decisions recorded before are all there unchanged, and the killed
 * command's own work is there whole or not at all. And a screening run that overlaps an
 * import sees the lists before it or after it, never a mix, and names the versions it used. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/rf_audit.h"
#include "importers/rf_importers.h"
#include "proc.h"
#include "rf_test.h"

#define ITERATIONS 30

/* ---- helpers ----------------------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *data = rf_test_read_file(from, &len);
    assert_non_null(data);
    assert_int_equal(rf_test_write_file(to, data, len), 0);
    free(data);
}

/* Copies a database that no process has open (sqlite removed its journal when the last one
 * closed it) and removes any journal left beside the copy. */
static void copy_db(const char *from, const char *to)
{
    char path[1100];
    copy_file(from, to);
    snprintf(path, sizeof path, "%s-wal", to);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", to);
    unlink(path);
}

static void run_ok(const char *tag, const char *db, const char *const *args)
{
    hz_run r;
    hz_redflag(&r, tag, db, args);
    if (r.status != 0 && r.status != 1) fprintf(stderr, "%s: status %d\n%s", tag, r.status, r.err);
    assert_true(r.status == 0 || r.status == 1);
    hz_run_free(&r);
}

/* sqlite's own verdict on the file, through its API. */
static void assert_integrity(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *stmt = NULL;
    const unsigned char *verdict;

    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    verdict = sqlite3_column_text(stmt, 0);
    if (strcmp((const char *)verdict, "ok") != 0) fprintf(stderr, "%s: %s\n", db, verdict);
    assert_string_equal((const char *)verdict, "ok");
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* What a database holds that a crash must not lose: every version, with the entities and
 * names its records hold (counted in the tables, not taken from the version's own totals),
 * and every decision. */
typedef struct db_state {
    size_t versions;
    long long version_id[16];
    char sha256[16][65];
    long long entities[16];
    long long names[16];
    rf_decision_list decisions;
} db_state;

static void state_read(db_state *s, const char *db)
{
    static const char sql[] =
        "SELECT v.id, v.sha256, v.entities, v.names,"
        " (SELECT COUNT(*) FROM entity e WHERE e.version_id = v.id),"
        " (SELECT COUNT(*) FROM entity_name n JOIN entity e ON n.entity_id = e.id"
        "  WHERE e.version_id = v.id)"
        " FROM list_version v ORDER BY v.id";
    rf_store *st = NULL;
    rf_error err = {0};
    sqlite3 *h = NULL;
    sqlite3_stmt *stmt = NULL;

    memset(s, 0, sizeof *s);
    /* The store opens it as redflag does (and would upgrade or repair nothing silently). */
    assert_int_equal(rf_store_open(&st, db, &err), 0);
    assert_int_equal(rf_store_decisions_all(&s->decisions, st, NULL, NULL, NULL, &err), 0);
    rf_store_close(st);
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &stmt, NULL), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        size_t i = s->versions++;
        assert_true(i < 16);
        s->version_id[i] = sqlite3_column_int64(stmt, 0);
        snprintf(s->sha256[i], sizeof s->sha256[i], "%s", sqlite3_column_text(stmt, 1));
        s->entities[i] = sqlite3_column_int64(stmt, 4);
        s->names[i] = sqlite3_column_int64(stmt, 5);
        /* A version is whole: its records are all the entities and names it counted. */
        assert_int_equal(s->entities[i], sqlite3_column_int64(stmt, 2));
        assert_int_equal(s->names[i], sqlite3_column_int64(stmt, 3));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(h);
}

static void state_free(db_state *s)
{
    rf_decision_list_free(&s->decisions);
}

/* Entities of every version in force, as screening loads them. */
static size_t entities_in_force(const char *db)
{
    rf_store *st = NULL;
    rf_snapshot *snap = NULL;
    rf_error err = {0};
    size_t n;
    assert_int_equal(rf_store_open(&st, db, &err), 0);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), 0);
    n = rf_snapshot_count(snap);
    rf_snapshot_free(snap);
    rf_store_close(st);
    return n;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* `after` holds everything `before` held, unchanged (and maybe more). */
static void assert_kept(const db_state *before, const db_state *after)
{
    assert_true(after->versions >= before->versions);
    for (size_t i = 0; i < before->versions; i++) {
        assert_int_equal(after->version_id[i], before->version_id[i]);
        assert_string_equal(after->sha256[i], before->sha256[i]);
        assert_int_equal(after->entities[i], before->entities[i]);
        assert_int_equal(after->names[i], before->names[i]);
    }
    assert_true(after->decisions.count >= before->decisions.count);
    for (size_t i = 0; i < before->decisions.count; i++) {
        const rf_decision *a = &before->decisions.items[i], *b = &after->decisions.items[i];
        assert_int_equal(b->id, a->id);
        assert_int_equal(b->kind, a->kind);
        assert_true(same_text(b->fingerprint, a->fingerprint));
        assert_true(same_text(b->source_id, a->source_id));
        assert_true(same_text(b->reason, a->reason));
        assert_true(same_text(b->decided_at, a->decided_at));
    }
}

static unsigned seed;

/* Sleeps a random time in [0, usec]. */
static void random_sleep(long usec)
{
    long d = (long)((double)rand_r(&seed) / RAND_MAX * (double)usec);
    struct timespec ts = {d / 1000000, (d % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static long elapsed_usec(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* Runs `args` on a copy of `base` once to the end: how long it takes (microseconds). */
static long time_command(const char *base, const char *scratch, const char *const *args)
{
    struct timespec t0;
    copy_db(base, scratch);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_ok("timed", scratch, args);
    return elapsed_usec(&t0);
}

/* Kills `args` run on a copy of `base` at a random point within `window` microseconds and
 * checks the copy; `check` then looks at what the killed command left. Returns 1 when the
 * command was killed before it finished. */
static int kill_and_check(const char *base, const char *db, const char *const *args, long window,
                          const db_state *before, void (*check)(const db_state *after, void *ctx),
                          void *ctx)
{
    db_state after;
    hz_run r;
    pid_t pid;
    int killed;

    copy_db(base, db);
    pid = hz_spawn("killed", db, args);
    assert_true(pid > 0);
    random_sleep(window);
    kill(pid, SIGKILL);
    hz_wait(&r, pid, "killed");
    assert_integrity(db);
    state_read(&after, db);
    assert_kept(before, &after);
    check(&after, ctx);
    state_free(&after);
    killed = r.status == 128 + SIGKILL;
    hz_run_free(&r);
    return killed;
}

/* ---- the fixture: a database with lists and decisions ------------------------------------ */

static char base_db[1024];
static db_state base;

/* The bundled CSL and the DPL of Nov 2023 in force, and a few decisions on DPL parties. */
static void make_base(void)
{
    const char *import[] = {"lists", "import", hz_data("lists/dpl_2023-11.txt"), NULL};
    /* --force: these counterparties were never screened; the test is about crash safety */
    const char *review[] = {"review", "import", "--force", "--reviewer", "crash-test", NULL, NULL};
    rf_store *st = NULL;
    rf_snapshot *snap = NULL;
    rf_error err = {0};
    rf_buf csv = {0};
    int n = 0;

    if (base_db[0]) return;
    snprintf(base_db, sizeof base_db, "%s", hz_tmp("base.db"));
    run_ok("base-import", base_db, import);
    assert_int_equal(rf_store_open(&st, base_db, &err), 0);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), 0);
    rf_buf_puts(&csv, "decision,reason,list,source_id,name,country\n");
    for (size_t i = 0; i < rf_snapshot_count(snap) && n < 5; i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (strcmp(e->list_code, "DPL") != 0 || !e->source_id) continue;
        rf_buf_printf(&csv, "%s,base decision %d,DPL,%s,\"Base Customer %d\",US\n",
                      n % 2 ? "confirm" : "clear", n, e->source_id, n);
        n++;
    }
    rf_snapshot_free(snap);
    rf_store_close(st);
    review[5] = hz_tmp("base-decisions.csv");
    assert_int_equal(rf_test_write_file(review[5], csv.data, csv.len), 0);
    run_ok("base-review", base_db, review);
    rf_buf_free(&csv);
    state_read(&base, base_db);
    assert_int_equal(base.versions, 2);
    assert_int_equal(base.decisions.count, 5);
}

/* ---- kill -9 during an import ------------------------------------------------------------ */

typedef struct import_check {
    long long entities; /* of the file when imported to its end */
    int committed, absent;
} import_check;

static void check_import(const db_state *after, void *ctx)
{
    import_check *c = ctx;
    /* The killed import is a whole version or nothing. */
    assert_true(after->versions == base.versions || after->versions == base.versions + 1);
    if (after->versions == base.versions + 1) {
        assert_int_equal(after->entities[base.versions], c->entities);
        c->committed++;
    } else {
        c->absent++;
    }
    assert_int_equal(after->decisions.count, base.decisions.count);
}

static void test_crash__kill_during_list_import(void **state)
{
    const char *file = hz_data("lists/uk/sanctionsconlist_2018-04-13.csv.gz");
    const char *args[] = {"lists", "import", file, NULL};
    const char *db = hz_tmp("import.db");
    import_check c = {0, 0, 0};
    db_state full;
    long window;
    int killed = 0;
    (void)state;

    make_base();
    window = time_command(base_db, db, args);
    state_read(&full, db);
    assert_int_equal(full.versions, base.versions + 1);
    c.entities = full.entities[base.versions];
    assert_true(c.entities > 1000);
    state_free(&full);
    /* Kills from the start to a little past the end: the import's every step, its commit
     * and (now and then) a finished import. */
    for (int i = 0; i < ITERATIONS; i++)
        killed += kill_and_check(base_db, db, args, window * 6 / 5, &base, check_import, &c);
    fprintf(stderr, "lists import killed %d times of %d (window %ld ms): %d committed, %d absent\n",
            killed, ITERATIONS, window / 1000, c.committed, c.absent);
    /* The in-force lists load whole after every kill (checked last, on the last copy). */
    assert_true(entities_in_force(db) > 0);
}

/* ---- kill -9 during review -------------------------------------------------------------- */

typedef struct review_check {
    size_t rows;
    int committed, absent;
} review_check;

static void check_review(const db_state *after, void *ctx)
{
    review_check *c = ctx;
    assert_int_equal(after->versions, base.versions);
    /* The killed review import is all its decisions or none. */
    assert_true(after->decisions.count == base.decisions.count ||
                after->decisions.count == base.decisions.count + c->rows);
    if (after->decisions.count == base.decisions.count) c->absent++;
    else c->committed++;
}

static void test_crash__kill_during_review(void **state)
{
    const char *csv_path = hz_tmp("review.csv");
    const char *args[] = {"review", "import", "--force", "--reviewer", "crash-test", csv_path,
                          NULL};
    const char *db = hz_tmp("review.db");
    review_check c = {0, 0, 0};
    rf_store *st = NULL;
    rf_snapshot *snap = NULL;
    rf_error err = {0};
    rf_buf csv = {0};
    long window;
    int killed = 0;
    (void)state;

    make_base();
    /* A reviewer's batch: a decision on each of 150 DPL parties. */
    assert_int_equal(rf_store_open(&st, base_db, &err), 0);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), 0);
    rf_buf_puts(&csv, "decision,reason,list,source_id,name,country\n");
    for (size_t i = 0; i < rf_snapshot_count(snap) && c.rows < 150; i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (strcmp(e->list_code, "DPL") != 0 || !e->source_id) continue;
        rf_buf_printf(&csv, "clear,not our customer %zu,DPL,%s,\"Customer %zu\",DE\n", i,
                      e->source_id, i);
        c.rows++;
    }
    rf_snapshot_free(snap);
    rf_store_close(st);
    assert_int_equal(c.rows, 150);
    assert_int_equal(rf_test_write_file(csv_path, csv.data, csv.len), 0);
    rf_buf_free(&csv);

    window = time_command(base_db, db, args);
    for (int i = 0; i < ITERATIONS; i++)
        killed += kill_and_check(base_db, db, args, window * 6 / 5, &base, check_review, &c);
    fprintf(stderr, "review import killed %d times of %d (window %ld ms): %d committed, %d absent\n",
            killed, ITERATIONS, window / 1000, c.committed, c.absent);
}

/* ---- screening while an import runs ------------------------------------------------------ */

/* The primary names of the first and last entities of a list file, in import order. */
static void first_and_last_names(char **first, char **last, const char *file, size_t k)
{
    rf_store *st = NULL;
    rf_snapshot *snap = NULL;
    rf_error err = {0};
    size_t n;
    rf_buf a = {0}, b = {0};

    assert_int_equal(rf_store_open(&st, ":memory:", &err), 0);
    assert_int_equal(rf_import_list_file(NULL, st, file, NULL, &err), 0);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), 0);
    n = rf_snapshot_count(snap);
    assert_true(n > 2 * k);
    for (size_t i = 0; i < k; i++) {
        rf_buf_printf(&a, "%s\n", rf_snapshot_entity(snap, i)->names[0].text);
        rf_buf_printf(&b, "%s\n", rf_snapshot_entity(snap, n - k + i)->names[0].text);
    }
    rf_snapshot_free(snap);
    rf_store_close(st);
    *first = rf_buf_detach(&a);
    *last = rf_buf_detach(&b);
}

/* Writes a party file of one buyer per name (lines of `names`) to `path`. */
static void write_parties(const char *path, const char *names)
{
    rf_buf csv = {0};
    int row = 0;
    rf_buf_puts(&csv, "ref,buyer\n");
    for (const char *p = names; *p;) {
        size_t n = strcspn(p, "\n");
        rf_buf_printf(&csv, "%d,\"", ++row);
        for (size_t i = 0; i < n; i++)
            if (p[i] != '"') rf_buf_putc(&csv, p[i]);
        rf_buf_puts(&csv, "\"\n");
        p += n + (p[n] == '\n');
    }
    assert_int_equal(rf_test_write_file(path, csv.data, csv.len), 0);
    rf_buf_free(&csv);
}

/* The value of `"key":` in a JSON line, up to the next ',' or '}' outside brackets. */
static void json_field(char *out, size_t size, const char *line, const char *key)
{
    char pat[64];
    const char *p;
    size_t n = 0;
    int depth = 0;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(line, pat);
    assert_non_null(p);
    for (p += strlen(pat); *p && n + 1 < size; p++) {
        if (*p == '[' || *p == '{') depth++;
        if (*p == ']' || *p == '}') {
            if (depth == 0) break;
            depth--;
        }
        if (*p == ',' && depth == 0) break;
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* The JSON line of `out` for the party of row `ref`, or NULL. */
static const char *party_line(const char *out, int ref)
{
    char pat[32];
    snprintf(pat, sizeof pat, "{\"ref\":\"%d\"", ref);
    return strstr(out, pat);
}

static void test_crash__screen_during_import_sees_one_version(void **state)
{
    const char *file = hz_data("lists/uk/sanctionsconlist_2018-04-13.csv.gz");
    const char *db = hz_tmp("concurrent.db"), *parties = hz_tmp("uk.csv");
    const char *probe = hz_tmp("probe.csv");
    const char *import[] = {"lists", "import", file, NULL};
    const char *screen_all[] = {"screen", "--format", "jsonl", parties, NULL};
    const char *screen[] = {"screen", "--format", "jsonl", probe, NULL};
    char *first, *last, old_versions[256] = "", new_versions[256] = "", versions[256], hits[64];
    int first_ref = 0, last_ref = 0, saw_old = 0, saw_new = 0;
    long window;
    hz_run r;
    (void)state;

    make_base();
    /* Two UK parties listed nowhere else: one the import writes first, one it writes last. */
    first_and_last_names(&first, &last, file, 40);
    {
        rf_buf both = {0};
        rf_buf_puts(&both, first);
        rf_buf_puts(&both, last);
        write_parties(parties, both.data);
        rf_buf_free(&both);
    }
    copy_db(base_db, db);
    hz_redflag(&r, "screen-base", db, screen_all);
    for (int ref = 1; ref <= 80; ref++) {
        const char *line = party_line(r.out, ref);
        assert_non_null(line);
        json_field(hits, sizeof hits, line, "hits");
        if (strcmp(hits, "[]") != 0) continue;
        if (ref <= 40 && !first_ref) first_ref = ref;
        if (ref > 40) last_ref = ref;
    }
    assert_true(first_ref && last_ref);
    json_field(old_versions, sizeof old_versions, party_line(r.out, first_ref), "versions");
    hz_run_free(&r);
    {
        /* The probe: those two parties, as rows 1 and 2. */
        rf_buf names = {0};
        const char *p = first;
        for (int i = 1; i < first_ref; i++) p = strchr(p, '\n') + 1;
        rf_buf_append(&names, p, strcspn(p, "\n") + 1);
        p = last;
        for (int i = 41; i < last_ref; i++) p = strchr(p, '\n') + 1;
        rf_buf_append(&names, p, strcspn(p, "\n") + 1);
        write_parties(probe, names.data);
        rf_buf_free(&names);
    }
    window = time_command(base_db, db, import);
    hz_redflag(&r, "screen-new", db, screen);
    json_field(new_versions, sizeof new_versions, party_line(r.out, 1), "versions");
    hz_run_free(&r);
    assert_string_not_equal(old_versions, new_versions);

    for (int i = 0; i < ITERATIONS; i++) {
        pid_t pid;
        hz_run imp;
        char hits_first[64], hits_last[64];
        copy_db(base_db, db);
        pid = hz_spawn("concurrent-import", db, import);
        random_sleep(window);
        hz_redflag(&r, "concurrent-screen", db, screen);
        hz_wait(&imp, pid, "concurrent-import");
        assert_int_equal(imp.status, 0);
        hz_run_free(&imp);
        assert_true(r.status == 0 || r.status == 1);
        json_field(versions, sizeof versions, party_line(r.out, 1), "versions");
        json_field(hits_first, sizeof hits_first, party_line(r.out, 1), "hits");
        json_field(hits_last, sizeof hits_last, party_line(r.out, 2), "hits");
        if (strcmp(versions, old_versions) == 0) {
            /* The lists before the import: neither UK party is listed. */
            assert_string_equal(hits_first, "[]");
            assert_string_equal(hits_last, "[]");
            saw_old++;
        } else {
            /* After it: both are, the first written and the last. */
            assert_string_equal(versions, new_versions);
            assert_string_not_equal(hits_first, "[]");
            assert_string_not_equal(hits_last, "[]");
            saw_new++;
        }
        hz_run_free(&r);
    }
    fprintf(stderr, "screens during an import: %d saw the lists before it (%s), %d after (%s)\n",
            saw_old, old_versions, saw_new, new_versions);
    free(first);
    free(last);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash__kill_during_list_import),
        cmocka_unit_test(test_crash__kill_during_review),
        cmocka_unit_test(test_crash__screen_during_import_sees_one_version),
    };
    seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    fprintf(stderr, "random seed %u\n", seed);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
