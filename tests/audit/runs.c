/* tests/audit/runs.c: how a recorded run ends, in the store, on the real 2018 DPL excerpt. A
 * run's counterparty state reaches the counterparty table only when the run is done, even
 * past the batch that commits its results (an interrupted or failed run is found again by
 * the next rescreen); a run that ended is read-only; a run left 'running' by a process that
 * died is marked interrupted when the store is next opened, one of a live process is not; a
 * counterparty named again in a run is delivered as the run last saw it. */
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

#include "importers/rf_importers.h"
#include "audit/rf_audit.h"
#include "rf_test.h"

#define DPL_MAY "lists/dpl_2018-05-01_excerpt.txt"
/* More parties than a run commits per batch (RUN_BATCH in runs.c). */
#define PARTIES 5000

/* The value of a one-number query on the database file, from another connection. */
static long long count(const char *db_name, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *stmt;
    long long n;
    assert_int_equal(sqlite3_open(rf_test_tmpfile(db_name), &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

static const char *status_of(rf_store *st, long long id, char out[32])
{
    rf_run_list runs;
    rf_error err;
    assert_int_equal(rf_store_runs(&runs, st, id, NULL, NULL, &err), RF_OK);
    snprintf(out, 32, "%s", runs.items[0].status);
    rf_run_list_free(&runs);
    return out;
}

/* Starts a run on the versions in force and records PARTIES parties with their state. */
static rf_run *record(rf_store *st)
{
    rf_snapshot *snap;
    rf_run_info info;
    rf_run *run;
    rf_error err;
    char name[64], fp[17];

    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    memset(&info, 0, sizeof info);
    info.command = "rescreen";
    info.user = "cron";
    info.threshold = 0.8;
    info.max_hits = 10;
    info.versions = rf_snapshot_versions(snap);
    assert_int_equal(rf_store_run_begin(&run, st, &info, &err), RF_OK);
    for (int i = 0; i < PARTIES; i++) {
        rf_party p = {0};
        snprintf(name, sizeof name, "Counterparty %d", i);
        snprintf(fp, sizeof fp, "%016x", i);
        p.document = "counterparties";
        p.name = name;
        assert_int_equal(rf_store_run_add_result(run, 0, &p, fp, NULL, 0, &err), RF_OK);
        assert_int_equal(rf_store_run_counterparty(run, &p, fp, NULL, 0, &err), RF_OK);
    }
    rf_snapshot_free(snap);
    return run;
}

static void test_runs__counterparties_are_marked_only_when_the_run_is_done(void **state)
{
    rf_store *st = rf_test_store("deliver.db");
    rf_import_options opts = {.effective = "2018-05-01"};
    rf_run_totals totals = {PARTIES, 0, 0, 0, 0, 0, 0};
    rf_run *run;
    rf_error err;
    char status[32];
    long long id;
    (void)state;

    assert_int_equal(rf_import_list_file(NULL, st, rf_test_data(DPL_MAY), &opts, &err), RF_OK);
    run = record(st);
    id = rf_run_id(run);
    /* The first batch of results is committed, the counterparties are not. */
    assert_true(count("deliver.db", "SELECT count(*) FROM run_party") >= 4096);
    assert_int_equal(count("deliver.db", "SELECT count(*) FROM counterparty"), 0);
    assert_int_equal(rf_store_run_interrupt(run, 143, &err), RF_OK);
    assert_string_equal(status_of(st, id, status), "interrupted");
    assert_int_equal(count("deliver.db", "SELECT exit_status FROM run WHERE id = 1"), 143);
    assert_int_equal(count("deliver.db", "SELECT count(*) FROM run_party"), PARTIES);
    assert_int_equal(count("deliver.db", "SELECT count(*) FROM counterparty"), 0);

    /* Ended: nothing is added to it, not even by hand. */
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(rf_test_tmpfile("deliver.db"), &db), SQLITE_OK);
        assert_int_not_equal(sqlite3_exec(db,
                                          "INSERT INTO run_party (run_id, seq, input, name,"
                                          " fingerprint, hits) VALUES (1, 9999, 0, 'x', 'y', 0)",
                                          NULL, NULL, NULL),
                             SQLITE_OK);
        assert_int_not_equal(sqlite3_exec(db, "UPDATE run SET status = 'done' WHERE id = 1",
                                          NULL, NULL, NULL),
                             SQLITE_OK);
        sqlite3_close(db);
    }

    rf_store_run_fail(record(st));
    assert_int_equal(count("deliver.db", "SELECT count(*) FROM counterparty"), 0);

    run = record(st);
    assert_int_equal(rf_store_run_finish(run, &totals, &err), RF_OK);
    assert_int_equal(count("deliver.db", "SELECT count(*) FROM counterparty"), PARTIES);
    assert_int_equal(count("deliver.db", "SELECT min(first_run) FROM counterparty"), 3);
    rf_store_close(st);
}

/* A counterparty named again in one run (a batch names it on many orders) is delivered as the
 * run last saw it: its name as last written, and the hits it then had. */
static void test_runs__a_counterparty_named_again_is_delivered_as_last_seen(void **state)
{
    rf_store *st = rf_test_store("again.db");
    rf_import_options opts = {.effective = "2018-05-01"};
    rf_run_totals totals = {6, 2, 0, 0, 0, 0, 0};
    rf_known_hit hit = {.list_code = "DPL", .source_id = "7", .listed_name = "ACME TRADING",
                        .content_hash = "c0ffee", .entity_id = 1, .score = 0.93};
    rf_party as_written = {.document = "orders.csv", .name = "Acme Trading Co., Ltd."};
    rf_party in_capitals = {.document = "orders.csv", .name = "ACME TRADING COMPANY LIMITED"};
    const char *fp = "00000000acme0001", *fp2 = "00000000acme0002";
    rf_snapshot *snap;
    rf_run_info info = {.command = "screen", .user = "cron", .threshold = 0.8, .max_hits = 10};
    rf_run *run;
    rf_error err;
    sqlite3 *db;
    sqlite3_stmt *stmt;
    (void)state;

    assert_int_equal(rf_import_list_file(NULL, st, rf_test_data(DPL_MAY), &opts, &err), RF_OK);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    info.versions = rf_snapshot_versions(snap);
    assert_int_equal(rf_store_run_begin(&run, st, &info, &err), RF_OK);
    /* the same twice, then in capitals with a hit: delivered in capitals, with the hit */
    assert_int_equal(rf_store_run_counterparty(run, &as_written, fp, NULL, 0, &err), RF_OK);
    assert_int_equal(rf_store_run_counterparty(run, &as_written, fp, NULL, 0, &err), RF_OK);
    assert_int_equal(rf_store_run_counterparty(run, &in_capitals, fp, &hit, 1, &err), RF_OK);
    /* in capitals with the hit between two as written: as written, without */
    assert_int_equal(rf_store_run_counterparty(run, &as_written, fp2, NULL, 0, &err), RF_OK);
    assert_int_equal(rf_store_run_counterparty(run, &in_capitals, fp2, &hit, 1, &err), RF_OK);
    assert_int_equal(rf_store_run_counterparty(run, &as_written, fp2, NULL, 0, &err), RF_OK);
    assert_int_equal(rf_store_run_finish(run, &totals, &err), RF_OK);
    rf_snapshot_free(snap);
    rf_store_close(st);

    assert_int_equal(count("again.db", "SELECT count(*) FROM counterparty"), 2);
    assert_int_equal(count("again.db", "SELECT count(*) FROM counterparty_hit WHERE fingerprint = '00000000acme0001'"), 1);
    assert_int_equal(count("again.db", "SELECT count(*) FROM counterparty_hit WHERE fingerprint = '00000000acme0002'"), 0);
    assert_int_equal(sqlite3_open(rf_test_tmpfile("again.db"), &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM counterparty ORDER BY fingerprint", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), in_capitals.name);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), as_written.name);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void test_runs__a_run_of_a_dead_process_is_marked_interrupted(void **state)
{
    rf_store *st = rf_test_store("crash.db"), *again;
    rf_import_options opts = {.effective = "2018-05-01"};
    rf_run *mine;
    rf_error err;
    char status[32];
    pid_t pid;
    int child;
    (void)state;

    assert_int_equal(rf_import_list_file(NULL, st, rf_test_data(DPL_MAY), &opts, &err), RF_OK);
    rf_store_close(st);
    /* A process that records a run and dies without ending it (as kill -9 would). */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rf_store *s = NULL;
        if (rf_store_open(&s, rf_test_tmpfile("crash.db"), &err) != 0) _exit(1);
        (void)record(s);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &child, 0), pid);
    assert_int_equal(WEXITSTATUS(child), 0);
    assert_int_equal(count("crash.db", "SELECT count(*) FROM run WHERE status = 'running'"), 1);

    /* A run of this process, still going, is left alone by the next open. */
    st = rf_test_store("crash.db");
    assert_string_equal(status_of(st, 1, status), "interrupted");
    mine = record(st);
    again = rf_test_store("crash.db");
    assert_string_equal(status_of(again, rf_run_id(mine), status), "running");
    rf_store_close(again);
    rf_store_run_fail(mine);
    assert_string_equal(status_of(st, 2, status), "failed");
    assert_int_equal(count("crash.db", "SELECT count(*) FROM counterparty"), 0);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs__counterparties_are_marked_only_when_the_run_is_done),
        cmocka_unit_test(test_runs__a_counterparty_named_again_is_delivered_as_last_seen),
        cmocka_unit_test(test_runs__a_run_of_a_dead_process_is_marked_interrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
