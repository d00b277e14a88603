/* test_files.c: what redflag does with the files around it, run as a user would run it on the
 * real lists and demo orders: an -o that would overwrite the database, its journal, an input
 * or a directory is refused and nothing changes; a report killed while it is written leaves
 * the previous one; a mistyped --db creates nothing; another application's SQLite file is
 * refused untouched; a read-only database is read; the index stored beside the database is
 * written by `lists init`, used by a read-only screen with the same results as one built
 * without it, and never written by one, and what a killed writer of it left is removed an
 * hour later; a symlink out of a screened directory is not
 * followed and its content appears nowhere; hostile names render inert. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e_run.h"
#include "base/rf_base.h"
#include "rf_test.h"

/* sha256 of a file; "" when it cannot be read. */
static void file_sha(char out[65], const char *path)
{
    rf_buf b = {0};
    rf_error err;
    out[0] = '\0';
    if (rf_file_read(&b, out, path, (size_t)1 << 30, &err) < 0) out[0] = '\0';
    rf_buf_free(&b);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static void copy(const char *from_relative, const char *to)
{
    char src[1024], cmd[3072];
    e2e_src(src, sizeof src, from_relative);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src, to);
    assert_int_equal(system(cmd), 0);
}

/* A scratch database holding the bundled list and one screening run of the demo orders. */
static const char *screened_db(const char *name, const char *orders)
{
    char env[1200];
    e2e_out r;
    copy("examples/open-orders.csv", orders);
    snprintf(env, sizeof env, "%s", e2e_db_env(name));
    r = e2e_redflag_env(env, "screen --format jsonl '%s'", orders);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    return e2e_tmp(name);
}

static void test_files__output_over_the_database_or_an_input_is_refused(void **state)
{
    const char *orders = e2e_tmp("orders.csv");
    const char *db = screened_db("evidence.db", orders);
    const char *sym = e2e_tmp("link-to-orders.csv"), *hard = e2e_tmp("hard-link.csv");
    char db_sha[65], orders_sha[65], after[65], wal[1100], env[1200];
    /* each: the output path, and the command around it (%s is the path) */
    const char *targets[] = {db, wal, orders, sym, hard, rf_test_tmpdir()};
    (void)state;

    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(env, sizeof env, "%s", e2e_db_env("evidence.db"));
    assert_int_equal(symlink(orders, sym), 0);
    assert_int_equal(link(orders, hard), 0);
    file_sha(db_sha, db);
    file_sha(orders_sha, orders);
    assert_true(db_sha[0] && orders_sha[0]);

    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++) {
        const char *commands[] = {"screen -o '%s' '%s'", "rescreen -o '%s'",
                                  "history show 1 -o '%s'", "audit export -o '%s'"};
        for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
            char args[4096];
            e2e_out r;
            /* the input file is an input of screen only */
            if ((targets[i] == orders || targets[i] == sym || targets[i] == hard) && c > 0)
                continue;
            snprintf(args, sizeof args, commands[c], targets[i], orders);
            r = e2e_redflag_env(env, "%s", args);
            assert_int_equal(r.status, 2);
            assert_non_null(strstr(r.err, targets[i])); /* the message names the path */
            assert_null(strstr(r.err, "recorded as run"));
            e2e_out_free(&r);
        }
    }
    file_sha(after, db);
    assert_string_equal(after, db_sha);
    file_sha(after, orders);
    assert_string_equal(after, orders_sha);
    assert_false(exists(wal)); /* no journal left behind: nothing opened the database */

    /* the same report to a new file works, and replaces an old one whole */
    {
        e2e_out r = e2e_redflag_env(env, "screen -o '%s' '%s'", e2e_tmp("report.csv"), orders);
        char *text;
        assert_int_equal(r.status, 1);
        text = rf_test_read_file(e2e_tmp("report.csv"), NULL);
        assert_non_null(text);
        assert_non_null(strstr(text, "Huawei"));
        free(text);
        e2e_out_free(&r);
    }
}

/* Spawns `$RF_BIN args` (shell words) with REDFLAG_DB=db, output to /dev/null. */
static pid_t spawn(const char *db, const char *args)
{
    char cmd[4096];
    pid_t pid;
    snprintf(cmd, sizeof cmd, "exec env REDFLAG_DB='%s' '%s' %s >/dev/null 2>&1 </dev/null", db,
             getenv("RF_BIN"), args);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The size of the hidden temporary file beside `target` (".NAME.XXXXXX"), -1 when none. */
static long temp_size(const char *dir, const char *name)
{
    char cmd[2048], *out = NULL;
    long size = -1;
    snprintf(cmd, sizeof cmd, "stat -c %%s '%s'/.'%s'.?????? 2>/dev/null | head -n 1", dir, name);
    if (rf_test_run(&out, cmd) == 0 && out && out[0]) size = atol(out);
    free(out);
    return size;
}

/* Writes an empty file at dir/name, its modification time `age` seconds ago. */
static void touch_aged(const char *dir, const char *name, time_t age)
{
    char path[1200];
    struct timespec when[2];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "w"));
    fputs("half an index", f);
    fclose(f);
    when[0].tv_sec = when[1].tv_sec = time(NULL) - age;
    when[0].tv_nsec = when[1].tv_nsec = 0;
    assert_int_equal(utimensat(AT_FDCWD, path, when, 0), 0);
}

/* Removes the files of `dir` whose names end in `suffix` (not hidden ones). */
static void remove_stored(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name), slen = strlen(suffix);
        char path[1200];
        if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix) != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        assert_int_equal(unlink(path), 0);
    }
    closedir(d);
}

/* A writer of the stored index or lists killed before it renamed its file leaves a hidden
 * temporary file of tens of megabytes; the next writer of that kind removes those an hour
 * old, and leaves younger ones, which may be another process's file being written. */
static void test_files__a_killed_writers_stored_file_is_removed_later(void **state)
{
    const char *db = e2e_tmp("stale.db");
    char index_dir[1100], path[1200], order[1024];
    e2e_out r;
    (void)state;

    snprintf(index_dir, sizeof index_dir, "%s.index", db);
    e2e_src(order, sizeof order, "examples/order-ubl.xml");
    r = e2e_redflag("stale.db", "lists init");
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    touch_aged(index_dir, ".0a1b2c.rfindex.Xy12Zq", 2 * 3600);
    touch_aged(index_dir, ".0a1b2c.rflists.Pq34Rs", 2 * 3600);
    touch_aged(index_dir, ".3d4e5f.rfindex.Ab56Cd", 60);
    remove_stored(index_dir, ".rfindex");
    remove_stored(index_dir, ".rflists");
    r = e2e_redflag("stale.db", "screen --format jsonl -o /dev/null '%s'", order);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    snprintf(path, sizeof path, "%s/.0a1b2c.rfindex.Xy12Zq", index_dir);
    assert_false(exists(path));
    snprintf(path, sizeof path, "%s/.0a1b2c.rflists.Pq34Rs", index_dir);
    assert_false(exists(path));
    snprintf(path, sizeof path, "%s/.3d4e5f.rfindex.Ab56Cd", index_dir);
    assert_true(exists(path));
}

static void test_files__a_report_killed_while_written_leaves_the_previous_one(void **state)
{
    const char *orders = e2e_tmp("orders-k.csv");
    const char *db = screened_db("killed.db", orders);
    const char *report = e2e_tmp("report.jsonl");
    char before[65], after[65], parties[1024], args[3072];
    struct timespec pause = {0, 5 * 1000 * 1000};
    long size = -1;
    int status;
    pid_t pid;
    e2e_out r;
    (void)state;

    r = e2e_redflag_env(e2e_db_env("killed.db"), "screen -o '%s' '%s'", report, orders);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    file_sha(before, report);
    assert_true(before[0]);

    /* 4,797 parties: the report is being written for seconds; kill it once it has begun */
    snprintf(parties, sizeof parties, "%s", rf_test_data("eval/parties.csv"));
    snprintf(args, sizeof args, "screen -o '%s' '%s'", report, parties);
    pid = spawn(db, args);
    assert_true(pid > 0);
    for (int i = 0; i < 12000 && (size = temp_size(rf_test_tmpdir(), "report.jsonl")) <= 4096;
         i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) fail_msg("the screen ended before it was killed");
        nanosleep(&pause, NULL);
    }
    assert_true(size > 4096);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    file_sha(after, report);
    assert_string_equal(after, before); /* the previous report, whole */
}

static void test_files__a_mistyped_db_is_an_error_and_creates_nothing(void **state)
{
    const char *dir = e2e_tmp("no-such-dir"), *typo = e2e_tmp("no-such-dir/redflg.db");
    const char *near = e2e_tmp("redflg.db");
    char env[1200], dpl[1024], demo[1024];
    e2e_out r;
    (void)state;

    /* --db */
    e2e_src(demo, sizeof demo, "examples/open-orders.csv");
    r = e2e_redflag_env("", "screen --db '%s' --format jsonl '%s'", typo, demo);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, typo));
    assert_non_null(strstr(r.err, "lists init"));
    assert_string_equal(r.out, "");
    e2e_out_free(&r);
    assert_false(exists(dir));
    /* REDFLAG_DB, every reading and writing command but lists import/init */
    snprintf(env, sizeof env, "REDFLAG_DB='%s'", near);
    {
        const char *commands[] = {"search Huawei Technologies", "lists status", "lists history",
                                  "history", "audit export", "review list", "rescreen"};
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
            r = e2e_redflag_env(env, "%s", commands[i]);
            assert_int_equal(r.status, 2);
            assert_non_null(strstr(r.err, near));
            e2e_out_free(&r);
            assert_false(exists(near));
        }
    }
    /* lists import creates it: that is what it was asked */
    snprintf(dpl, sizeof dpl, "%s", rf_test_data("lists/dpl_2023-11.txt"));
    r = e2e_redflag_env(env, "lists import --no-bundled '%s'", dpl);
    assert_int_equal(r.status, 0);
    assert_true(exists(near));
    e2e_out_free(&r);
}

/* The application_id in an SQLite file's header (big-endian at offset 68). */
static uint32_t application_id(const char *path)
{
    unsigned char h[72];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f) fclose(f);
    if (n < sizeof h) return 0;
    return (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
}

static void test_files__another_applications_sqlite_file_is_refused_untouched(void **state)
{
    const char *other = e2e_tmp("firefox-places.sqlite"), *orders = e2e_tmp("not-a-db.csv");
    char cmd[2048], before[65], after[65], env[1200], wal[1100];
    const char *commands[] = {"lists import --no-bundled '%s'", "search Huawei", "screen '%s'",
                              "review list", "lists init"};
    (void)state;

    snprintf(cmd, sizeof cmd,
             "python3 -c \"import sqlite3; c = sqlite3.connect('%s'); "
             "c.execute('create table moz_places (url text)'); "
             "c.execute(\\\"insert into moz_places values ('https://example.org')\\\"); "
             "c.commit()\"",
             other);
    assert_int_equal(system(cmd), 0);
    copy("examples/open-orders.csv", orders);
    for (int f = 0; f < 2; f++) {
        const char *target = f ? orders : other;
        snprintf(env, sizeof env, "REDFLAG_DB='%s'", target);
        snprintf(wal, sizeof wal, "%s-wal", target);
        file_sha(before, target);
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
            char args[2048];
            e2e_out r;
            snprintf(args, sizeof args, commands[i], f ? rf_test_data("lists/dpl_2023-11.txt")
                                                       : orders);
            r = e2e_redflag_env(env, "%s", args);
            assert_int_equal(r.status, 2);
            assert_non_null(strstr(r.err, target));
            assert_non_null(strstr(r.err, f ? "not a database" : "another application"));
            e2e_out_free(&r);
        }
        file_sha(after, target);
        assert_string_equal(after, before);
        assert_false(exists(wal));
    }

    /* a database redflag creates carries its application_id */
    {
        e2e_out r = e2e_redflag("stamped.db", "lists status");
        assert_int_equal(r.status, 0);
        e2e_out_free(&r);
        assert_int_equal(application_id(e2e_tmp("stamped.db")), 0x52466c67);
    }
}

/* The command prefix that runs redflag as a user who cannot write `dir` and `db` in it:
 * as root (permission bits do not stop root) the test runs redflag as nobody; otherwise the
 * bits are enough. NULL when neither is possible. */
static const char *read_only_runner(const char *dir, const char *db)
{
    static char prefix[256];
    chmod(db, 0444);
    chmod(dir, 0555);
    if (geteuid() != 0) return "";
    if (system("command -v setpriv >/dev/null 2>&1") != 0) return NULL;
    /* nobody must reach the scratch directory and the binary */
    chmod(rf_test_tmpdir(), 0711);
    snprintf(prefix, sizeof prefix, "setpriv --reuid=65534 --regid=65534 --clear-groups");
    {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "%s '%s' --version >/dev/null 2>&1", prefix, getenv("RF_BIN"));
        if (system(cmd) != 0) return NULL;
    }
    return prefix;
}

static void test_files__a_read_only_database_is_read(void **state)
{
    const char *orders = e2e_tmp("orders-ro.csv");
    const char *db = screened_db("archive.db", orders), *dir = e2e_tmp("archive"),
               *copy_db = e2e_tmp("archive/archive.db"), *out_dir = e2e_tmp("out");
    const char *runner;
    char cmd[3072], before[65], after[65], env[2048], wal[1100];
    e2e_out r;
    (void)state;

    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(out_dir, 0777), 0);
    chmod(out_dir, 0777);
    chmod(orders, 0644);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", db, copy_db);
    assert_int_equal(system(cmd), 0);
    file_sha(before, copy_db);
    runner = read_only_runner(dir, copy_db);
    if (!runner) {
        print_message("skipped: running as root without setpriv to become nobody\n");
        chmod(dir, 0755);
        skip();
    }
    snprintf(env, sizeof env, "REDFLAG_DB='%s' %s", copy_db, runner);

    r = e2e_redflag_env(env, "search Huawei Technologies Co Ltd");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "Huawei"));
    assert_non_null(strstr(r.err, "read-only"));
    e2e_out_free(&r);
    r = e2e_redflag_env(env, "lists status");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "consolidated_2022-05.csv.gz"));
    e2e_out_free(&r);
    r = e2e_redflag_env(env, "history");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "screen"));
    e2e_out_free(&r);
    r = e2e_redflag_env(env, "history show 1 -o '%s/run1.html'", out_dir);
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    {
        char path[1100], *page;
        snprintf(path, sizeof path, "%s/run1.html", out_dir);
        page = rf_test_read_file(path, NULL);
        assert_non_null(page);
        assert_non_null(strstr(page, "Huawei"));
        free(page);
    }
    r = e2e_redflag_env(env, "audit export --format json");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "orders-ro.csv"));
    e2e_out_free(&r);
    r = e2e_redflag_env(env, "review list");
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    /* screening works and says the run is not recorded */
    r = e2e_redflag_env(env, "screen --format jsonl '%s'", orders);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "Huawei"));
    assert_non_null(strstr(r.err, "not recorded"));
    e2e_out_free(&r);
    /* rescreen records what it reports: refused */
    r = e2e_redflag_env(env, "rescreen");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "read-only"));
    e2e_out_free(&r);

    chmod(dir, 0755);
    file_sha(after, copy_db);
    assert_string_equal(after, before);
    snprintf(wal, sizeof wal, "%s-wal", copy_db);
    assert_false(exists(wal));
    snprintf(wal, sizeof wal, "%s.index", copy_db); /* no index stored either: built in memory */
    assert_false(exists(wal));
}

/* Screens `input` read-only into JSON lines (malloc'd). */
static char *screen_read_only(const char *db, const char *input)
{
    e2e_out r = e2e_redflag(db, "screen --read-only --format jsonl '%s'", input);
    char *out;
    assert_true(r.status == 0 || r.status == 1);
    out = r.out;
    r.out = NULL;
    e2e_out_free(&r);
    return out;
}

/* A process that maps the stored index (and takes the lexicon stored with it) screens the
 * evaluation parties, in every script they are written in, and a UBL order exactly as one
 * that builds the index; a read-only screen writes none, the next writable one does. */
static void test_files__the_stored_index_screens_as_the_built_one(void **state)
{
    const char *db = e2e_tmp("stored.db");
    char index_dir[1100], aside[1100], inputs[2][1024];
    e2e_out r;
    (void)state;

    snprintf(index_dir, sizeof index_dir, "%s.index", db);
    snprintf(aside, sizeof aside, "%s.aside", db);
    e2e_src(inputs[0], sizeof inputs[0], "tests/data/eval/parties.csv");
    e2e_src(inputs[1], sizeof inputs[1], "examples/order-ubl.xml");
    r = e2e_redflag("stored.db", "lists init");
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    assert_true(exists(index_dir));
    for (size_t i = 0; i < 2; i++) {
        char *stored, *built;
        stored = screen_read_only("stored.db", inputs[i]);
        assert_int_equal(rename(index_dir, aside), 0);
        built = screen_read_only("stored.db", inputs[i]);
        assert_false(exists(index_dir));
        assert_int_equal(rename(aside, index_dir), 0);
        assert_true(strlen(built) > 1000);
        assert_string_equal(stored, built);
        free(stored);
        free(built);
    }
    assert_int_equal(rename(index_dir, aside), 0);
    r = e2e_redflag("stored.db", "screen --format jsonl '%s'", inputs[1]);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    assert_true(exists(index_dir));
}

static void test_files__a_symlink_out_of_a_screened_directory_is_not_followed(void **state)
{
    const char *dir = e2e_tmp("incoming"), *secret = e2e_tmp("shadow");
    const char *link = e2e_tmp("incoming/shadow.csv"), *report = e2e_tmp("incoming-report.html");
    static const char secret_text[] =
        "root:$6$Zq1RkSECRETHASHx9$hQ0e3:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n";
    char orders[1100], db_path[1024];
    char *page, *db_bytes, *export;
    size_t db_len;
    e2e_out r;
    (void)state;

    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(orders, sizeof orders, "%s/open-orders.csv", dir);
    copy("examples/open-orders.csv", orders);
    assert_int_equal(rf_test_write_file(secret, secret_text, strlen(secret_text)), 0);
    assert_int_equal(symlink(secret, link), 0);

    r = e2e_redflag("links.db", "screen -o '%s' '%s'", report, dir);
    assert_int_equal(r.status, 2); /* a file of the directory was not read */
    assert_non_null(strstr(r.err, link));
    assert_non_null(strstr(r.err, "not followed"));
    assert_null(strstr(r.err, "SECRETHASH"));
    assert_non_null(strstr(r.err, "33 parties screened")); /* the orders still are */
    e2e_out_free(&r);
    page = rf_test_read_file(report, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "shadow.csv"));
    assert_null(strstr(page, "SECRETHASH"));
    free(page);

    /* given by name, the file is read but refused without repeating its content */
    r = e2e_redflag("links.db", "screen --format jsonl '%s'", secret);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "not an order"));
    assert_null(strstr(r.err, "SECRETHASH"));
    assert_null(strstr(r.err, "root:"));
    e2e_out_free(&r);

    /* nor is it in the audit trail */
    r = e2e_redflag("links.db", "audit export --format json");
    assert_int_equal(r.status, 0);
    export = r.out;
    assert_null(strstr(export, "SECRETHASH"));
    e2e_out_free(&r);
    snprintf(db_path, sizeof db_path, "%s", e2e_tmp("links.db"));
    r = e2e_redflag("links.db", "lists status"); /* checkpoints nothing new; closes the db */
    e2e_out_free(&r);
    db_bytes = rf_test_read_file(db_path, &db_len);
    assert_non_null(db_bytes);
    assert_null(memmem(db_bytes, db_len, "SECRETHASH", 10));
    free(db_bytes);
}

/* base64 of the sha256 of the page's inline <style> or <script> (`tag`), by python3's hashlib:
 * computed apart from redflag. */
static void python_sha256_b64(char out[64], const char *path, const char *tag)
{
    char cmd[2048], *res = NULL;
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import base64, hashlib, re, sys; "
             "page = open(sys.argv[1], encoding='utf-8').read(); "
             "text = re.search('<%s>(.*?)</%s>', page, re.S).group(1); "
             "print(base64.b64encode(hashlib.sha256(text.encode()).digest()).decode())\" '%s'",
             tag, tag, path);
    assert_int_equal(rf_test_run(&res, cmd), 0);
    assert_non_null(res);
    snprintf(out, 64, "%.*s", (int)strcspn(res, "\n"), res);
    free(res);
}

static void test_files__hostile_names_render_inert(void **state)
{
    const char *orders = e2e_tmp("hostile.csv"), *report = e2e_tmp("hostile.html");
    /* a right-to-left override at either end of a listed name; isolates around a word; a
     * script tag; an ESC sequence that would recolour a terminal */
    static const char csv[] =
        "name,country\n"
        "\"Huawei Technologies Co., Ltd.\xE2\x80\xAE\",CN\n"
        "\"\xE2\x80\xAEHuawei Technologies Co., Ltd.\",CN\n"
        "\"\xE2\x81\xA7Huawei\xE2\x81\xA9 Technologies Co., Ltd. <script>alert(1)</script>\",CN\n"
        "\"ACME \x1B[31mRed\x1B[0m Trading\",US\n";
    const char *bidi[] = {"\xE2\x80\xAE", "\xE2\x81\xA7", "\xE2\x81\xA9", "\xE2\x80\x8F",
                          "\x1B["};
    char *page, csp[256], hash[64];
    e2e_out r;
    (void)state;

    assert_int_equal(rf_test_write_file(orders, csv, strlen(csv)), 0);
    r = e2e_redflag("hostile.db", "screen -o '%s' '%s'", report, orders);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    page = rf_test_read_file(report, NULL);
    assert_non_null(page);
    /* nothing of the input runs: the tag is text; no control reaches the page. The page's
     * one script is its own (the worklist's sorting), after everything else */
    assert_non_null(strstr(page, "<script>"));
    assert_null(strstr(strstr(page, "<script>") + 1, "<script"));
    assert_true(strstr(page, "<script>") > strstr(page, "</footer>"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    for (size_t i = 0; i < sizeof bidi / sizeof *bidi; i++) assert_null(strstr(page, bidi[i]));
    /* the names are isolated */
    assert_non_null(strstr(page, "<bdi><mark>Huawei</mark> <mark>Technologies</mark>"));
    /* the policy: nothing loads, only the page's own style and script by their hashes */
    assert_non_null(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" content=\""
                                 "default-src 'none'; style-src 'sha256-"));
    python_sha256_b64(hash, report, "style");
    snprintf(csp, sizeof csp, "style-src 'sha256-%s'; ", hash);
    assert_non_null(strstr(page, csp));
    python_sha256_b64(hash, report, "script");
    snprintf(csp, sizeof csp, "script-src 'sha256-%s'; ", hash);
    assert_non_null(strstr(page, csp));
    assert_null(strstr(page, "unsafe-inline"));
    free(page);

    /* the terminal: search prints listed names and the explanation of the typed one */
    r = e2e_redflag("hostile.db", "search '%s'", "Huawei\xE2\x80\xAE Technologies\x1B[31m");
    for (size_t i = 0; i < sizeof bidi / sizeof *bidi; i++) {
        assert_null(strstr(r.out + (strchr(r.out, '\n') ? strchr(r.out, '\n') - r.out : 0),
                           bidi[i]));
        assert_null(strstr(r.err, bidi[i]));
    }
    e2e_out_free(&r);
    /* an error message quoting a file name with an ESC sequence */
    {
        char evil[1100];
        snprintf(evil, sizeof evil, "%s/\x1B]0;pwned\x07.csv", rf_test_tmpdir());
        r = e2e_redflag("hostile.db", "screen '%s'", evil);
        assert_int_equal(r.status, 2);
        assert_null(strstr(r.err, "\x1B"));
        assert_null(strstr(r.err, "\x07"));
        assert_non_null(strstr(r.err, "pwned"));
        e2e_out_free(&r);
    }
}

/* Names from a list file reach the terminal through lists diff and lists history with their
 * control characters left out: the August 2018 DPL excerpt with one name carrying an ESC
 * sequence and a right-to-left override, imported over the May one. */
static void test_files__list_names_reach_the_terminal_inert(void **state)
{
    size_t len;
    char *text = rf_test_read_file(rf_test_data("lists/dpl_2018-08-01_excerpt.txt"), &len), *at;
    const char *hostile = e2e_tmp("dpl-hostile.txt");
    rf_buf b = {0};
    e2e_out r;
    (void)state;

    assert_non_null(text);
    assert_non_null(at = strstr(text, "\"ALEX CHENG\""));
    assert_int_equal(rf_buf_append(&b, text, (size_t)(at - text)), 0);
    assert_int_equal(rf_buf_puts(&b, "\"ALEX \x1B[31mCHENG\xE2\x80\xAE\""), 0);
    assert_int_equal(rf_buf_puts(&b, at + strlen("\"ALEX CHENG\"")), 0);
    assert_int_equal(rf_test_write_file(hostile, b.data, b.len), 0);
    rf_buf_free(&b);
    free(text);

    r = e2e_redflag("terminal.db", "lists import --no-bundled --effective 2018-05-01 '%s'",
                    rf_test_data("lists/dpl_2018-05-01_excerpt.txt"));
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    r = e2e_redflag("terminal.db", "lists import --allow-shrink --effective 2018-08-01 '%s'",
                    hostile);
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    r = e2e_redflag("terminal.db", "lists diff 1 2");
    assert_non_null(strstr(r.out, "ALEX CHENG")); /* the name, without what was around it */
    assert_null(strstr(r.out, "\x1B"));
    assert_null(strstr(r.out, "\xE2\x80\xAE"));
    e2e_out_free(&r);
    r = e2e_redflag("terminal.db", "lists history");
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "\x1B"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files__output_over_the_database_or_an_input_is_refused),
        cmocka_unit_test(test_files__a_report_killed_while_written_leaves_the_previous_one),
        cmocka_unit_test(test_files__a_mistyped_db_is_an_error_and_creates_nothing),
        cmocka_unit_test(test_files__another_applications_sqlite_file_is_refused_untouched),
        cmocka_unit_test(test_files__a_read_only_database_is_read),
        cmocka_unit_test(test_files__the_stored_index_screens_as_the_built_one),
        cmocka_unit_test(test_files__a_killed_writers_stored_file_is_removed_later),
        cmocka_unit_test(test_files__a_symlink_out_of_a_screened_directory_is_not_followed),
        cmocka_unit_test(test_files__hostile_names_render_inert),
        cmocka_unit_test(test_files__list_names_reach_the_terminal_inert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
