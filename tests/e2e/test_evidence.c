/* test_evidence.c: the database as the auditor's evidence, end to end through the redflag
 * command on the bundled May 2022 CSL and the demo orders: someone with the sqlite3 library
 * (as with the sqlite3 shell) edits each evidence table and `redflag audit verify` names the
 * record; an intact database verifies; an earlier export's head proves a consistent rewrite;
 * a corrupted index page that sqlite's quick_check lets pass stops screening; a list imported
 * while the clock was ahead is in force all the same. Every test has its own database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_run.h"
#include "audit/rf_audit.h"
#include "rf_test.h"

#define DEMO "examples/open-orders.csv"

static void expect_in(const char *text, const char *needle)
{
    if (!strstr(text, needle)) fprintf(stderr, "wanted \"%s\" in:\n%s\n", needle, text);
    assert_non_null(strstr(text, needle));
}

/* Screens the demo orders into database `db` (created with the bundled list): the run that
 * flags its 10 parties. */
static void screen_demo(const char *db)
{
    char demo[1024];
    e2e_out r;
    e2e_src(demo, sizeof demo, DEMO);
    r = e2e_redflag(db, "screen '%s' -o '%s'", demo, e2e_tmp("report.jsonl"));
    e2e_expect(&r, 1);
    expect_in(r.err, "10 flagged");
    e2e_out_free(&r);
}

/* Runs `sql` on the database file as the sqlite3 shell would; the sqlite result code, with
 * sqlite's message in `msg`. */
static int shell(const char *db, const char *sql, char msg[512])
{
    sqlite3 *h = NULL;
    char *err = NULL;
    int rc;

    msg[0] = '\0';
    assert_int_equal(sqlite3_open(rf_test_tmpfile(db), &h), SQLITE_OK);
    rc = sqlite3_exec(h, sql, NULL, NULL, &err);
    if (err) snprintf(msg, 512, "%s", err);
    sqlite3_free(err);
    sqlite3_close(h);
    return rc;
}

static void shell_ok(const char *db, const char *sql)
{
    char msg[512];
    int rc = shell(db, sql, msg);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", sql, msg);
    assert_int_equal(rc, SQLITE_OK);
}

/* `audit verify` on `db`: its output (free it) after checking its exit status. */
static e2e_out verify(const char *db, int status)
{
    e2e_out r = e2e_redflag(db, "audit verify");
    e2e_expect(&r, status);
    return r;
}

/* The 64 hex digits after "head " in `text`, into out[65]. */
static void head_of(char out[65], const char *text)
{
    const char *p = strstr(text, "head ");
    assert_non_null(p);
    memcpy(out, p + 5, 64);
    out[64] = '\0';
    assert_int_equal(strspn(out, "0123456789abcdef"), 64);
}

static void test_evidence__an_intact_database_verifies_and_exports_its_head(void **state)
{
    char head[65], exported[200];
    e2e_out r;
    (void)state;

    screen_demo("intact.db");
    r = verify("intact.db", 0);
    expect_in(r.out, "evidence chain intact: 2 records"); /* the list version, the run */
    head_of(head, r.out);
    e2e_out_free(&r);
    /* The export carries the same head, for the auditor to keep. */
    r = e2e_redflag("intact.db", "audit export --format json");
    e2e_expect(&r, 0);
    snprintf(exported, sizeof exported, "\"chain_head\":{\"hash\":\"%s\",\"records\":2}", head);
    expect_in(r.out, exported);
    e2e_out_free(&r);
    r = e2e_redflag("intact.db", "audit export");
    e2e_expect(&r, 0);
    snprintf(exported, sizeof exported, "chain_head,,,,,,,%s,", head);
    expect_in(r.out, exported);
    e2e_out_free(&r);
}

static void test_evidence__an_edited_list_version_is_named(void **state)
{
    char msg[512];
    e2e_out r;
    (void)state;

    screen_demo("version.db");
    /* The guard refuses the edit outright ... */
    assert_int_not_equal(shell("version.db", "UPDATE list_version SET published = '2030-01-01'",
                               msg),
                         SQLITE_OK);
    expect_in(msg, "immutable");
    /* ... and once it is dropped, the edit shows. */
    shell_ok("version.db", "DROP TRIGGER list_version_sealed;"
                           " UPDATE list_version SET published = '2030-01-01' WHERE id = 1");
    r = verify("version.db", 1);
    expect_in(r.out, "list_version 1 differs from what was sealed in link 1: its list_version row");
    expect_in(r.out, "trigger list_version_sealed is missing");
    e2e_out_free(&r);
}

static void test_evidence__a_back_dated_decision_is_named(void **state)
{
    e2e_out r;
    (void)state;

    screen_demo("decision.db");
    shell_ok("decision.db",
             "INSERT INTO review_decision (fingerprint, list_code, source_id, decision, reviewer,"
             " reason, decided_at) VALUES ('0123456789abcdef', 'EL', 'x', 'cleared', 'mallory',"
             " 'not them', '2021-01-04T09:00:00Z')");
    r = verify("decision.db", 1);
    expect_in(r.out,
              "review_decision 1 was added outside redflag (decided_at 2021-01-04T09:00:00Z)");
    e2e_out_free(&r);
}

static void test_evidence__parties_added_to_a_finished_run_are_named(void **state)
{
    static const char add[] =
        "INSERT INTO run_party (run_id, seq, input, name, fingerprint, hits)"
        " VALUES (1, 34, 0, 'Acme Innocent Ltd', '0123456789abcdef', 0)";
    char msg[512];
    e2e_out r;
    (void)state;

    screen_demo("parties.db");
    assert_int_not_equal(shell("parties.db", add, msg), SQLITE_OK);
    expect_in(msg, "a finished screening run cannot be changed");
    shell_ok("parties.db", "DROP TRIGGER run_party_finished");
    shell_ok("parties.db", add);
    r = verify("parties.db", 1);
    expect_in(r.out, "run 1 differs from what was sealed in link 2: its run_party rows");
    e2e_out_free(&r);
}

/* A run killed with kill -9 stays "running": its row is written when it starts, completed
 * when it ends. Turned into "done, exit 0" behind redflag's back, it was never sealed. */
static void test_evidence__a_killed_run_turned_into_done_is_named(void **state)
{
    rf_store *st;
    rf_version_list versions;
    rf_run *run;
    rf_run_info info = {"screen", "alice", "2026-01-05T10:00:00Z", NULL, 0.8, 5, NULL, "test",
                        NULL, 0, NULL, NULL};
    rf_error err;
    e2e_out r;
    pid_t pid;
    int status;
    (void)state;

    screen_demo("killed.db");
    /* A process that begins a run and dies there, as kill -9 leaves it. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int ok = rf_store_open(&st, rf_test_tmpfile("killed.db"), &err) == RF_OK &&
                 rf_store_versions_in_force(&versions, st, NULL, &err) == RF_OK;
        info.versions = &versions;
        _exit(ok && rf_store_run_begin(&run, st, &info, &err) == RF_OK && rf_run_id(run) == 2
                  ? 0
                  : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Opening the database finds the run's process gone: it is marked interrupted and
     * sealed so, and stays intact. */
    r = verify("killed.db", 0);
    e2e_out_free(&r);
    r = e2e_redflag("killed.db", "history");
    e2e_expect(&r, 0);
    expect_in(r.out, "interrupted");
    e2e_out_free(&r);

    /* Made "done, exit 0" with the sqlite3 library, the guard dropped and put back as it
     * was: the run no longer fits its seal. */
    shell_ok("killed.db",
             "DROP TRIGGER run_finished;"
             " UPDATE run SET status = 'done', exit_status = 0,"
             " finished_at = '2026-01-05T10:02:00Z' WHERE id = 2;"
             " CREATE TRIGGER run_finished BEFORE UPDATE ON run WHEN OLD.status <> 'running'"
             " BEGIN SELECT RAISE(ABORT, 'a finished screening run cannot be changed'); END");
    r = verify("killed.db", 1);
    expect_in(r.out, "run 2 differs from what was sealed");
    e2e_out_free(&r);
}

static void test_evidence__dropped_triggers_stop_writing_not_reading(void **state)
{
    char demo[1024];
    e2e_out r;
    (void)state;

    screen_demo("triggers.db");
    shell_ok("triggers.db", "DROP TRIGGER review_decision_no_delete; DROP TRIGGER run_no_delete");
    r = verify("triggers.db", 1);
    expect_in(r.out, "trigger review_decision_no_delete is missing");
    expect_in(r.out, "trigger run_no_delete is missing");
    e2e_out_free(&r);
    /* Reading works, and says why nothing will be written. */
    r = e2e_redflag("triggers.db", "lists status");
    e2e_expect(&r, 0);
    expect_in(r.err, "review_decision_no_delete is missing");
    e2e_out_free(&r);
    e2e_src(demo, sizeof demo, DEMO);
    r = e2e_redflag("triggers.db", "screen '%s' -o '%s'", demo, e2e_tmp("t.jsonl"));
    e2e_expect(&r, 2);
    expect_in(r.err, "redflag does not write into this database");
    e2e_out_free(&r);
}

static void test_evidence__a_deleted_run_is_named(void **state)
{
    e2e_out r;
    (void)state;

    screen_demo("deleted.db");
    shell_ok("deleted.db", "DROP TRIGGER run_no_delete; DROP TRIGGER run_party_no_delete;"
                           " DROP TRIGGER run_hit_no_delete; DELETE FROM run_hit WHERE run_id = 1;"
                           " DELETE FROM run_party WHERE run_id = 1; DELETE FROM run WHERE id = 1");
    r = verify("deleted.db", 1);
    expect_in(r.out, "run 1 was sealed in link 2 but is no longer in the database");
    e2e_out_free(&r);
}

/* Someone with the file can rebuild a consistent chain (here with redflag's own upgrade, which
 * seals whatever it finds): verify alone passes, the head of an earlier export does not. */
static void test_evidence__an_earlier_head_proves_a_rewritten_chain(void **state)
{
    char head[65];
    e2e_out r;
    (void)state;

    screen_demo("rewrite.db");
    r = e2e_redflag("rewrite.db", "audit export --format json");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "\"chain_head\":{\"hash\":\""));
    memcpy(head, strstr(r.out, "\"chain_head\":{\"hash\":\"") + 22, 64);
    head[64] = '\0';
    e2e_out_free(&r);
    screen_demo("rewrite.db"); /* more evidence after the export */
    r = e2e_redflag("rewrite.db", "audit verify --head %s", head);
    e2e_expect(&r, 0);
    expect_in(r.out, "the earlier head is record 2 of the chain");
    e2e_out_free(&r);

    shell_ok("rewrite.db", "DROP TRIGGER evidence_chain_no_delete; DROP TRIGGER run_finished;"
                           " UPDATE run SET exit_status = 0 WHERE id = 1;"
                           " DELETE FROM evidence_chain; PRAGMA user_version = 4");
    r = verify("rewrite.db", 0);
    e2e_out_free(&r);
    r = e2e_redflag("rewrite.db", "audit verify --head %s", head);
    e2e_expect(&r, 1);
    expect_in(r.out, "the head given (from an earlier export) is not in the chain");
    e2e_out_free(&r);
}

/* A database of schema 4 (before the chain) is upgraded by sealing what it holds in the
 * order it was recorded: the same chain as if it had been sealed all along. */
static void test_evidence__an_older_database_is_sealed_on_upgrade(void **state)
{
    char head[65], again[65];
    e2e_out r;
    (void)state;

    screen_demo("old.db");
    screen_demo("old.db");
    r = verify("old.db", 0);
    expect_in(r.out, "3 records");
    head_of(head, r.out);
    e2e_out_free(&r);
    /* Back to schema 4: no chain, no names digest, none of the guards schema 5 added. */
    shell_ok("old.db",
             "DROP TRIGGER evidence_chain_no_update; DROP TRIGGER evidence_chain_no_delete;"
             " DROP TRIGGER list_version_sealed; DROP TRIGGER list_version_kept;"
             " DROP TRIGGER entity_sealed; DROP TRIGGER entity_name_sealed;"
             " DROP TRIGGER entity_address_sealed; DROP TRIGGER import_warning_immutable;"
             " DROP TRIGGER import_warning_kept; DROP TRIGGER import_warning_sealed;"
             " DROP TRIGGER run_starts_running; DROP TRIGGER run_version_finished;"
             " DROP TRIGGER run_input_finished; DROP TRIGGER run_party_finished;"
             " DROP TRIGGER run_party_line_finished; DROP TRIGGER run_hit_finished;"
             " DROP TABLE evidence_chain; ALTER TABLE list_version DROP COLUMN names_digest;"
             " PRAGMA user_version = 4");
    r = verify("old.db", 0);
    expect_in(r.out, "evidence chain intact: 3 records");
    head_of(again, r.out);
    assert_string_equal(again, head);
    e2e_out_free(&r);
    screen_demo("old.db"); /* and the names digest computed on upgrade passes the load check */
}

/* One leaf page of the names table copied over every other one: quick_check says ok, and
 * without the check screening flagged 6 of the demo's 10 parties and went on. The lists
 * stored beside the database when they were last read whole (checked) still screen all 10;
 * once that copy is gone, reading them from the database finds the damage and stops. */
static void test_evidence__a_corrupted_index_page_stops_screening(void **state)
{
    const char *db = e2e_tmp("corrupt.db");
    char path[1024], demo[1024], msg[512];
    sqlite3 *h;
    sqlite3_stmt *stmt;
    long long pages[4096], page_size = 0;
    size_t n = 0;
    char *page;
    FILE *f;
    e2e_out r;
    (void)state;

    screen_demo("corrupt.db");
    snprintf(path, sizeof path, "%s", db);
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    page_size = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT pageno FROM dbstat WHERE name = 'entity_name'"
                                        " AND pagetype = 'leaf' ORDER BY pageno",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW && n < sizeof pages / sizeof *pages)
        pages[n++] = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(h);
    assert_true(n > 100);

    page = malloc((size_t)page_size);
    assert_non_null(page);
    assert_non_null(f = fopen(path, "r+b"));
    assert_int_equal(fseek(f, (long)((pages[0] - 1) * page_size), SEEK_SET), 0);
    assert_int_equal(fread(page, 1, (size_t)page_size, f), (size_t)page_size);
    for (size_t i = 1; i < n; i += 2) {
        assert_int_equal(fseek(f, (long)((pages[i] - 1) * page_size), SEEK_SET), 0);
        assert_int_equal(fwrite(page, 1, (size_t)page_size, f), (size_t)page_size);
    }
    assert_int_equal(fclose(f), 0);
    free(page);

    assert_int_equal(shell("corrupt.db", "PRAGMA quick_check", msg), SQLITE_OK);
    screen_demo("corrupt.db");
    e2e_src(demo, sizeof demo, DEMO);
    {
        char rm[1200], *out = NULL;
        snprintf(rm, sizeof rm, "rm -f '%s.index'/*.rflists", db);
        assert_int_equal(rf_test_run(&out, rm), 0);
        free(out);
    }
    r = e2e_redflag("corrupt.db", "screen '%s' -o '%s'", demo, e2e_tmp("c.jsonl"));
    e2e_expect(&r, 2);
    /* Found short by the names digest, or with rows out of order as they are read. */
    expect_in(r.err, "list version 1 (csl, consolidated_2022-05.csv.gz) ");
    expect_in(r.err, " damaged");
    e2e_out_free(&r);
}

/* faketime (Debian's faketime, scripts/deps.sh) sets the clock of the import ahead; back at
 * the real time, the version imported then is the one in force, with a warning. */
static void test_evidence__a_list_imported_with_the_clock_ahead_is_in_force(void **state)
{
    char env[2048], *out = NULL;
    e2e_out r;
    (void)state;

    if (rf_test_run(&out, "command -v faketime") != 0) {
        free(out);
        skip(); /* scripts/deps.sh installs it */
    }
    free(out);
    screen_demo("clock.db");
    /* faketime preloads its library ahead of ASan's runtime, which ASan checks for: not here. */
    snprintf(env, sizeof env,
             "%s ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:verify_asan_link_order=0\""
             " faketime '2099-01-01 00:00:00'",
             e2e_db_env("clock.db"));
    r = e2e_redflag_env(env, "lists import --allow-shrink '%s'", rf_test_csl_2023());
    e2e_expect(&r, 0);
    expect_in(r.out, "version 2");
    e2e_out_free(&r);
    r = e2e_redflag("clock.db", "lists status");
    e2e_expect(&r, 0);
    expect_in(r.out, "csl, version 2");
    expect_in(r.err, "list version 2 (csl) was imported at 2099-01-01T");
    expect_in(r.err, "the clock was ahead then or is behind now");
    e2e_out_free(&r);
    r = verify("clock.db", 0);
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evidence__an_intact_database_verifies_and_exports_its_head),
        cmocka_unit_test(test_evidence__an_edited_list_version_is_named),
        cmocka_unit_test(test_evidence__a_back_dated_decision_is_named),
        cmocka_unit_test(test_evidence__parties_added_to_a_finished_run_are_named),
        cmocka_unit_test(test_evidence__a_killed_run_turned_into_done_is_named),
        cmocka_unit_test(test_evidence__dropped_triggers_stop_writing_not_reading),
        cmocka_unit_test(test_evidence__a_deleted_run_is_named),
        cmocka_unit_test(test_evidence__an_earlier_head_proves_a_rewritten_chain),
        cmocka_unit_test(test_evidence__an_older_database_is_sealed_on_upgrade),
        cmocka_unit_test(test_evidence__a_corrupted_index_page_stops_screening),
        cmocka_unit_test(test_evidence__a_list_imported_with_the_clock_ahead_is_in_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
