/* test_runs.c: runs that do not end well, end to end with real lists and real company names.
 * 20,000 parties are screened against the bundled May 2022 CSL, then the November 2023 CSL is
 * imported: a rescreen has a few hundred changed parties to report. Stopped at a random point
 * by SIGINT, SIGTERM or SIGKILL, the next rescreen still reports every one of them (the set an
 * uninterrupted rescreen reports); a stopped run is in the history as interrupted. A screen
 * stopped by SIGTERM adds no counterparty. Two screens running while an import of the full
 * CSL commits both finish. The random delays are printed with their seed. A screen with
 * --read-only (the workers of a distributed run) leaves the database as it was and writes the
 * JSON lines a recorded screen writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e_run.h"
#include "rf_test.h"

#define PARTIES 20000

/* Runs a shell command line; fails the test unless it exits 0. */
static void shell(const char *fmt, ...)
{
    char cmd[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    free(out);
}

/* Copies the seeded database (closed, so the file is all of it) to `db`. */
static void fresh_copy(const char *db)
{
    shell("rm -f '%s'*; cp '%s' '%s'", e2e_tmp(db), e2e_tmp("seeded.db"),
          e2e_tmp(db));
}

/* Starts `redflag ARGS` on database `db` in the background; stderr goes to `err_name`. */
static pid_t spawn(const char *db, const char *err_name, const char *args)
{
    const char *bin = getenv("RF_BIN");
    char cmd[4096];
    pid_t pid;
    snprintf(cmd, sizeof cmd, "exec env %s REDFLAG_USER=tester '%s' %s >/dev/null 2>'%s'",
             e2e_db_env(db), bin ? bin : "redflag", args, e2e_tmp(err_name));
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void sleep_seconds(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The parties a rescreen report (jsonl) names, as one sorted, newline-separated text. */
static char *reported_set(const char *report)
{
    char *out = NULL;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "grep -o '^{\"ref\":\"[0-9a-f]*\"' '%s' | sort", report);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    return out;
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* The statuses of the runs in the history, oldest first, one per line. */
static char *run_statuses(const char *db)
{
    e2e_out r = e2e_redflag(db, "history");
    char *out = calloc(1, strlen(r.out) + 1);
    size_t n = 0;
    assert_int_equal(r.status, 0);
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        const char *last = strrchr(line, ' ');
        if (strncmp(line, "run ", 4) == 0 || !last) continue;
        n += (size_t)sprintf(out + n, "%s\n", last + 1);
    }
    e2e_out_free(&r);
    return out;
}

static double rescreen_seconds; /* an uninterrupted rescreen, measured by the first test */
static char *expected;          /* the parties it reports */

/* seeded.db: PARTIES real company names screened against the bundled list, then the Nov 2023
 * CSL imported. */
static int seed(void **state)
{
    e2e_out r;
    (void)state;
    shell("zcat '%s' | tail -n +2 | cut -f1 | head -n %d | awk 'BEGIN { print \"name,country\" }"
          " { s = $0; gsub(/\"/, \"\\\"\\\"\", s); print \"\\\"\" s \"\\\",CN\" }' > '%s'",
          rf_test_data("companies/names.tsv.gz"), PARTIES, e2e_tmp("parties.csv"));
    /* The same names in Germany: other counterparties. */
    shell("sed 's/,CN$/,DE/' '%s' > '%s'", e2e_tmp("parties.csv"),
          e2e_tmp("parties_de.csv"));
    /* The November 2023 CSL up to the row it is cut in (tests/data/MANIFEST.md). */
    shell("zcat '%s' | head -n 4232 > '%s'", rf_test_data("lists/consolidated_2023-11_partial.csv.gz"),
          e2e_tmp("csl_2023-11.csv"));
    shell("rm -f '%s'*", e2e_tmp("seeded.db"));
    r = e2e_redflag("seeded.db", "screen --format jsonl -o /dev/null '%s'",
                    e2e_tmp("parties.csv"));
    if (r.status != 1) fprintf(stderr, "%s", r.err);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    r = e2e_redflag("seeded.db", "lists import --allow-shrink --effective 2023-11-01 '%s'",
                    e2e_tmp("csl_2023-11.csv"));
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    return 0;
}

static int unseed(void **state)
{
    (void)state;
    free(expected);
    return 0;
}

static void test_runs__uninterrupted_rescreen(void **state)
{
    double t0 = now_seconds();
    e2e_out r;
    (void)state;
    fresh_copy("whole.db");
    r = e2e_redflag("whole.db", "rescreen -o '%s'", e2e_tmp("whole.jsonl"));
    rescreen_seconds = now_seconds() - t0;
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    expected = reported_set(e2e_tmp("whole.jsonl"));
    printf("uninterrupted rescreen: %d changed parties in %.1f s\n", lines(expected),
           rescreen_seconds);
    assert_true(lines(expected) > 100);
}

/* Stops a rescreen with `sig` at a random point, then checks what the next one reports. A run
 * that ends before the signal reaches it (a second run is often faster than the first, the page
 * cache warm) stops nothing: it is started again with a delay drawn from its own duration. */
static void stop_rescreen(int sig, unsigned seed_value)
{
    char db[32], report[64];
    double span = rescreen_seconds;
    pid_t pid;
    int status = 0;
    e2e_out r;
    char *got, *statuses;

    assert_non_null(expected);
    snprintf(db, sizeof db, "stopped%d.db", sig);
    snprintf(report, sizeof report, "stopped%d.jsonl", sig);
    srand(seed_value);
    for (int attempt = 0; attempt < 5; attempt++) {
        /* Anywhere from loading the lists to writing the report. */
        double delay = span * (0.1 + 0.8 * (double)rand() / RAND_MAX);
        double t0;
        fresh_copy(db);
        printf("signal %d after %.2f s (seed %u)\n", sig, delay, seed_value);
        t0 = now_seconds();
        pid = spawn(db, "stopped.err", "rescreen -o /dev/null");
        sleep_seconds(delay);
        assert_int_equal(kill(pid, sig), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 1)) {
            /* Killed after it had recorded its run as done (freeing its memory on the way
             * out), it stopped nothing either. */
            int finished = 0;
            if (sig == SIGKILL) {
                char *st = run_statuses(db);
                finished = strcmp(st, "done\ndone\n") == 0;
                free(st);
            }
            if (!finished) break;
        }
        /* It ended within `delay`: draw the next one from that. */
        span = delay;
        printf("the run had ended before the signal (%.2f s); again\n", now_seconds() - t0);
    }
    if (sig == SIGKILL) {
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    } else {
        /* A clean stop, documented: 128 + the signal. */
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 128 + sig);
    }
    /* The stopped run is interrupted (a killed one: marked when `history` opened the store);
     * stopped while it loaded the lists, it had not begun and is not in the history. */
    statuses = run_statuses(db);
    if (strcmp(statuses, "done\n") != 0) assert_string_equal(statuses, "done\ninterrupted\n");

    r = e2e_redflag(db, "rescreen -o '%s'", e2e_tmp(report));
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    got = reported_set(e2e_tmp(report));
    /* Nothing the stopped run was to report is lost. */
    assert_string_equal(got, expected);
    free(got);
    /* The interrupted run stays so; the next one is done. */
    {
        char *after = run_statuses(db);
        char want[64];
        snprintf(want, sizeof want, "%sdone\n", statuses);
        assert_string_equal(after, want);
        free(after);
    }
    free(statuses);
}

/* Waits until `redflag COMMAND` has recorded its run in `db` (the history shows it). */
static void wait_for_run(const char *db, const char *command)
{
    for (int i = 0; i < 600; i++) {
        e2e_out r = e2e_redflag(db, "history");
        int recorded = strstr(r.out, command) != NULL;
        e2e_out_free(&r);
        if (recorded) return;
        sleep_seconds(0.05);
    }
    fail_msg("the %s run was never recorded", command);
}

static unsigned seed_of_today(void)
{
    const char *s = getenv("RF_TEST_SEED");
    return s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);
}

static void test_runs__rescreen_stopped_by_sigint_reports_everything_next_time(void **state)
{
    (void)state;
    stop_rescreen(SIGINT, seed_of_today());
}

static void test_runs__rescreen_stopped_by_sigterm_reports_everything_next_time(void **state)
{
    (void)state;
    stop_rescreen(SIGTERM, seed_of_today() + 1);
}

static void test_runs__rescreen_killed_reports_everything_next_time(void **state)
{
    (void)state;
    stop_rescreen(SIGKILL, seed_of_today() + 2);
}

/* A killed run that had started recording is shown as interrupted from the next start of
 * redflag on, even by a command that only reads. */
static void test_runs__killed_run_is_shown_interrupted(void **state)
{
    pid_t pid;
    char *statuses;
    int status;
    e2e_out r;
    (void)state;

    fresh_copy("killed.db");
    pid = spawn("killed.db", "killed.err", "rescreen -o /dev/null");
    wait_for_run("killed.db", "rescreen");
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    statuses = run_statuses("killed.db");
    assert_string_equal(statuses, "done\ninterrupted\n");
    free(statuses);
    /* Read-only from now on. */
    r = e2e_redflag("killed.db", "history show 2");
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
}

static void test_runs__screen_stopped_by_sigterm_adds_no_counterparty(void **state)
{
    char *statuses, wanted[64];
    const char *known;
    pid_t pid;
    int status;
    e2e_out r;
    (void)state;

    fresh_copy("screen.db");
    {
        char args[1200];
        snprintf(args, sizeof args, "screen --format jsonl -o /dev/null '%s'",
                 e2e_tmp("parties_de.csv"));
        pid = spawn("screen.db", "screen.err", args);
    }
    /* Once it screens (it takes seconds more; the parties are all new counterparties). */
    wait_for_run("screen.db", "screen        0");
    assert_int_equal(kill(pid, SIGTERM), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 143);
    statuses = run_statuses("screen.db");
    assert_string_equal(statuses, "done\ninterrupted\n");
    free(statuses);
    /* Only the parties of the first, finished screen are known counterparties: as many as
     * a copy that never saw the stopped one rescreens. */
    fresh_copy("reference.db");
    r = e2e_redflag("reference.db", "rescreen -o /dev/null");
    known = strstr(r.err, " counterparties rescreened");
    assert_non_null(known);
    while (known > r.err && known[-1] >= '0' && known[-1] <= '9') known--;
    snprintf(wanted, sizeof wanted, "%ld counterparties rescreened", strtol(known, NULL, 10));
    assert_true(strtol(known, NULL, 10) > 10000); /* the first screen's parties, all of them */
    e2e_out_free(&r);
    r = e2e_redflag("screen.db", "rescreen -o /dev/null");
    if (!strstr(r.err, wanted)) fprintf(stderr, "wanted \"%s\" in:\n%s", wanted, r.err);
    assert_non_null(strstr(r.err, wanted));
    e2e_out_free(&r);
}

static void test_runs__read_only_screen_writes_nothing(void **state)
{
    char *statuses;
    e2e_out r;
    (void)state;

    fresh_copy("readonly.db");
    shell("sha256sum < '%s' > '%s'", e2e_tmp("readonly.db"), e2e_tmp("readonly.sum"));
    /* (the tests may run as root, whom file permissions do not stop) */
    r = e2e_redflag("readonly.db", "screen --read-only --format jsonl -o '%s' '%s'",
                    e2e_tmp("readonly.jsonl"), e2e_tmp("parties_de.csv"));
    e2e_expect(&r, 1);
    assert_null(strstr(r.err, "recorded as run"));
    e2e_out_free(&r);
    shell("sha256sum < '%s' | cmp -s - '%s'", e2e_tmp("readonly.db"), e2e_tmp("readonly.sum"));
    statuses = run_statuses("readonly.db");
    assert_string_equal(statuses, "done\n");
    free(statuses);
    r = e2e_redflag("readonly.db", "screen --format jsonl -o '%s' '%s'",
                    e2e_tmp("recorded.jsonl"), e2e_tmp("parties_de.csv"));
    e2e_expect(&r, 1);
    assert_non_null(strstr(r.err, "recorded as run 2"));
    e2e_out_free(&r);
    shell("cmp '%s' '%s'", e2e_tmp("readonly.jsonl"), e2e_tmp("recorded.jsonl"));
}

/* Two screens while the full May 2022 CSL (14,160 entities) is imported into the same
 * database: the import commits in one short transaction, and both screens finish. */
static void test_runs__screens_finish_while_a_list_is_imported(void **state)
{
    char bundled[1024], args[2048];
    pid_t screens[2], import;
    int status;
    e2e_out r;
    (void)state;

    e2e_src(bundled, sizeof bundled, "lists/data/consolidated_2022-05.csv.gz");
    shell("rm -f '%s'*", e2e_tmp("busy.db"));
    r = e2e_redflag("busy.db", "lists import --allow-shrink --effective 2023-11-01 '%s'",
                    e2e_tmp("csl_2023-11.csv"));
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    for (int i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "screen --format jsonl -o /dev/null '%s'",
                 e2e_tmp(i ? "parties_de.csv" : "parties.csv"));
        screens[i] = spawn("busy.db", i ? "busy2.err" : "busy1.err", args);
    }
    sleep_seconds(0.5);
    snprintf(args, sizeof args, "lists import --effective 2022-05-01 '%s'", bundled);
    import = spawn("busy.db", "import.err", args);
    assert_int_equal(waitpid(import, &status, 0), import);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < 2; i++) {
        char *err;
        assert_int_equal(waitpid(screens[i], &status, 0), screens[i]);
        err = rf_test_read_file(e2e_tmp(i ? "busy2.err" : "busy1.err"), NULL);
        assert_non_null(err);
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) fprintf(stderr, "%s", err);
        assert_null(strstr(err, "locked"));
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        assert_non_null(strstr(err, "20000 parties screened"));
        free(err);
    }
    {
        char *statuses = run_statuses("busy.db");
        assert_string_equal(statuses, "done\ndone\n");
        free(statuses);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs__uninterrupted_rescreen),
        cmocka_unit_test(test_runs__rescreen_stopped_by_sigint_reports_everything_next_time),
        cmocka_unit_test(test_runs__rescreen_stopped_by_sigterm_reports_everything_next_time),
        cmocka_unit_test(test_runs__rescreen_killed_reports_everything_next_time),
        cmocka_unit_test(test_runs__killed_run_is_shown_interrupted),
        cmocka_unit_test(test_runs__screen_stopped_by_sigterm_adds_no_counterparty),
        cmocka_unit_test(test_runs__screens_finish_while_a_list_is_imported),
        cmocka_unit_test(test_runs__read_only_screen_writes_nothing),
    };
    return cmocka_run_group_tests(tests, seed, unseed);
}
