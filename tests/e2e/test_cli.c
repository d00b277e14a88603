/* test_cli.c: end-to-end tests of the redflag command ($RF_BIN) as a user and an ERP batch
 * job run it: exit codes, messages that name the file and line, the report formats, list
 * import and status, and the bundled list imported into a new database. Every test has its
 * own database in a scratch directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/rf_base.h"
#include "rf_test.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* A path in the source tree. */
static void src(char *out, size_t size, const char *relative)
{
    const char *root = getenv("RF_SOURCE_DIR");
    snprintf(out, size, "%s/%s", root ? root : ".", relative);
}

static void tmp(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s", rf_test_tmpfile(name));
}

typedef struct run_out {
    int status;
    char *out; /* standard output */
    char *err; /* standard error */
} run_out;

static void run_free(run_out *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

/* Runs `env <env> $RF_BIN <args>` (args are shell words), stdin from /dev/null. */
static run_out redflag_env(const char *env, const char *fmt, ...)
{
    const char *bin = getenv("RF_BIN");
    char args[4096], errfile[1024], cmd[8192];
    run_out r;
    va_list ap;

    assert_non_null(bin);
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    tmp(errfile, sizeof errfile, "stderr.txt");
    snprintf(cmd, sizeof cmd, "env %s '%s' %s 2>'%s' </dev/null", env, bin, args, errfile);
    r.status = rf_test_run(&r.out, cmd);
    r.err = rf_test_read_file(errfile, NULL);
    assert_non_null(r.out);
    assert_non_null(r.err);
    return r;
}

/* Runs redflag with REDFLAG_DB set to the scratch database `db` (a file name). */
#define redflag(db, ...) redflag_env(db_env(db), __VA_ARGS__)

static const char *db_env(const char *db)
{
    static char env[1200];
    snprintf(env, sizeof env, "REDFLAG_DB='%s'", rf_test_scratch_db(rf_test_tmpfile(db)));
    return env;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Runs tests/e2e/jsonl.py MODE on `jsonl` text; returns its stdout (caller frees). */
static char *jsonl_check(const char *mode, const char *jsonl)
{
    char file[1024], script[1024], cmd[4096];
    char *out = NULL;
    tmp(file, sizeof file, "check.jsonl");
    assert_int_equal(rf_test_write_file(file, jsonl, strlen(jsonl)), 0);
    src(script, sizeof script, "tests/e2e/jsonl.py");
    snprintf(cmd, sizeof cmd, "python3 '%s' %s '%s'", script, mode, file);
    rf_test_run(&out, cmd);
    assert_non_null(out);
    return out;
}

/* ---- exit codes --------------------------------------------------------------------------- */

static void test_e2e__exit_0_when_no_party_is_listed(void **state)
{
    char file[1024];
    run_out r;
    char *shape;
    (void)state;

    src(file, sizeof file, "tests/e2e/data/clear-orders.csv");
    r = redflag("clear.db", "screen --format jsonl '%s'", file);
    if (r.status != 0) fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
    assert_int_equal(r.status, 0);
    /* 6 rows, buyer and ship-to each: 12 parties, none flagged. */
    assert_int_equal(count_lines(r.out), 12);
    shape = jsonl_check("shape", r.out);
    assert_string_equal(shape, "ok 12\n");
    free(shape);
    shape = jsonl_check("flagged", r.out);
    assert_string_equal(shape, "");
    free(shape);
    run_free(&r);
}

static void test_e2e__exit_1_when_a_huawei_affiliate_is_on_the_order(void **state)
{
    char file[1024];
    run_out r;
    char *flagged;
    (void)state;

    src(file, sizeof file, "tests/e2e/data/listed-order.csv");
    r = redflag("listed.db", "screen --format jsonl '%s'", file);
    assert_int_equal(r.status, 1);
    flagged = jsonl_check("flagged", r.out);
    assert_string_equal(flagged, "Huawei Technologies Co., Ltd.\n");
    free(flagged);
    run_free(&r);
}

static void test_e2e__exit_2_on_bad_usage(void **state)
{
    static const char *const bad[] = {
        "",                                  /* no command */
        "frobnicate",                        /* no such command */
        "screen",                            /* no file */
        "screen --format pdf x.csv",         /* no such format */
        "screen --threshold 1.5 x.csv",      /* out of range */
        "screen --no-such-option x.csv",
        "screen --map manufacturer x.csv",   /* no =HEADER */
        "screen --as-of 2024-13-01 x.csv",   /* no such date */
        "search",                            /* no name */
        "match onlyone",
        "lists",
        "lists frobnicate",
        "lists import",                      /* no file */
        "lists import --effective yesterday x.txt",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        run_out r = redflag("usage.db", "%s", bad[i]);
        if (r.status != 2) fprintf(stderr, "redflag %s: exit %d\n", bad[i], r.status);
        assert_int_equal(r.status, 2);
        assert_true(strlen(r.err) > 0); /* says what is wrong */
        run_free(&r);
    }
}

static void test_e2e__exit_2_on_an_unreadable_file_but_screens_the_others(void **state)
{
    char good[1024], missing[1024];
    run_out r;
    (void)state;

    src(good, sizeof good, "tests/e2e/data/clear-orders.csv");
    tmp(missing, sizeof missing, "no-such-orders.csv");
    r = redflag("unreadable.db", "screen --format jsonl '%s' '%s'", missing, good);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no-such-orders.csv"));
    assert_int_equal(count_lines(r.out), 12); /* the readable file was still screened */
    run_free(&r);
}

static void test_e2e__exit_2_on_a_malformed_row_naming_file_and_line(void **state)
{
    /* Line 4 holds a Latin-1 byte, as an old export would: the file must be UTF-8. */
    static const char latin1[] = "ref,buyer,country\n"
                                 "A-1,\"Kimball Electronics, Inc.\",US\n"
                                 "A-2,PLEXUS CORP,US\n"
                                 "A-3,Soci\xe9t\xe9 G\xe9n\xe9rale,FR\n"
                                 "A-4,CELESTICA INC,CA\n";
    /* Line 3 opens a quote that never closes. */
    static const char unterminated[] = "ref,buyer,country\n"
                                       "B-1,PLEXUS CORP,US\n"
                                       "B-2,\"CELESTICA INC,CA\n"
                                       "B-3,AVNET INC,US\n";
    char bad1[1024], bad2[1024];
    run_out r;
    (void)state;

    tmp(bad1, sizeof bad1, "latin1-orders.csv");
    tmp(bad2, sizeof bad2, "unterminated-orders.csv");
    assert_int_equal(rf_test_write_file(bad1, latin1, sizeof latin1 - 1), 0);
    assert_int_equal(rf_test_write_file(bad2, unterminated, sizeof unterminated - 1), 0);

    r = redflag("malformed.db", "screen --format jsonl '%s'", bad1);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "latin1-orders.csv:4:"));
    assert_int_equal(count_lines(r.out), 2); /* the rows before it were screened */
    run_free(&r);

    r = redflag("malformed.db", "screen --format jsonl '%s'", bad2);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unterminated-orders.csv:3:"));
    run_free(&r);
}

/* ---- output formats ----------------------------------------------------------------------- */

static void test_e2e__html_escapes_markup_in_party_fields(void **state)
{
    static const char orders[] = "ref,buyer,address,country\n"
                                 "\"<script>alert(1)</script>\",\"Huawei Technologies Co., Ltd.\","
                                 "\"<script>alert(1)</script>\",CN\n"
                                 "X-2,<script>alert(1)</script>,,US\n";
    char file[1024];
    run_out r;
    (void)state;

    tmp(file, sizeof file, "script-orders.csv");
    assert_int_equal(rf_test_write_file(file, orders, sizeof orders - 1), 0);
    r = redflag("html.db", "screen --format html '%s'", file);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "<html"));
    assert_null(strstr(r.out, "<script>alert(1)"));
    assert_non_null(strstr(r.out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    run_free(&r);
}

static void test_e2e__jsonl_has_one_object_per_party_with_its_hits(void **state)
{
    char file[1024];
    run_out r;
    char *shape;
    (void)state;

    src(file, sizeof file, "tests/e2e/data/listed-order.csv");
    r = redflag("jsonl.db", "screen --format jsonl '%s'", file);
    assert_int_equal(r.status, 1);
    shape = jsonl_check("shape", r.out);
    assert_string_equal(shape, "ok 6\n");
    free(shape);
    /* The Huawei rows carry the Entity List's Federal Register notice of 2019. */
    assert_non_null(strstr(r.out, "84 FR 22961"));
    run_free(&r);
}

static void test_e2e__output_file_format_follows_its_extension(void **state)
{
    char file[1024], html[1024], csv[1024];
    run_out r;
    char *text;
    (void)state;

    src(file, sizeof file, "tests/e2e/data/listed-order.csv");
    tmp(html, sizeof html, "report.html");
    tmp(csv, sizeof csv, "report.csv");
    r = redflag("output.db", "screen -o '%s' '%s'", html, file);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, ""); /* the report went to the file */
    assert_non_null(strstr(r.err, html));
    text = rf_test_read_file(html, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "Huawei"));
    assert_non_null(strstr(text, "<html"));
    free(text);
    run_free(&r);

    r = redflag("output.db", "screen --output '%s' '%s'", csv, file);
    assert_int_equal(r.status, 1);
    text = rf_test_read_file(csv, NULL);
    assert_non_null(text);
    assert_null(strstr(text, "<html"));
    assert_non_null(strstr(text, "Huawei Technologies Co., Ltd."));
    free(text);
    run_free(&r);
}

/* ---- the demo ----------------------------------------------------------------------------- */

static void test_e2e__demo_flags_the_huawei_affiliates_and_nothing_else(void **state)
{
    char orders[1024], bom[1024], suppliers[1024];
    run_out r;
    char *flagged;
    (void)state;

    src(orders, sizeof orders, "examples/open-orders.csv");
    src(bom, sizeof bom, "examples/bom-camera.csv");
    src(suppliers, sizeof suppliers, "examples/suppliers.csv");
    r = redflag("demo.db", "screen --format jsonl '%s' '%s' '%s'", orders, bom, suppliers);
    assert_int_equal(r.status, 1);
    flagged = jsonl_check("flagged", r.out);
    if (strcmp(flagged, "Beijing Huawei Digital Tech Co., Ltd.\n"
                        "HMN Technologies Co., Ltd.\n"
                        "Hangzhou Huawei Enterprises\n"
                        "HiSilicon (Shanghai) Technologies Co., Ltd.\n"
                        "HiSilicon Technologies\n"
                        "Huawei Device Dongguan Co., Ltd\n"
                        "Huawei Technologies Co Ltd\n"
                        "Huawei Technologies Deutschland GmbH\n") != 0)
        fprintf(stderr, "flagged:\n%s", flagged);
    assert_string_equal(flagged, "Beijing Huawei Digital Tech Co., Ltd.\n"
                                 "HMN Technologies Co., Ltd.\n"
                                 "Hangzhou Huawei Enterprises\n"
                                 "HiSilicon (Shanghai) Technologies Co., Ltd.\n"
                                 "HiSilicon Technologies\n"
                                 "Huawei Device Dongguan Co., Ltd\n"
                                 "Huawei Technologies Co Ltd\n"
                                 "Huawei Technologies Deutschland GmbH\n");
    free(flagged);
    run_free(&r);
}

/* ---- the list database -------------------------------------------------------------------- */

static void test_e2e__first_run_imports_the_bundled_list_and_says_so(void **state)
{
    char db[1024], xdg[1024], env[2048], xdg_db[1100];
    struct stat sb;
    run_out r;
    (void)state;

    tmp(db, sizeof db, "first-run.db");
    assert_int_not_equal(stat(db, &sb), 0);
    r = redflag("first-run.db", "search Huawei Technologies Co Ltd");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "bundled list"));
    assert_non_null(strstr(r.err, "consolidated_2022-05.csv.gz"));
    assert_non_null(strstr(r.out, "Huawei"));
    assert_int_equal(stat(db, &sb), 0);
    run_free(&r);

    r = redflag("first-run.db", "search Huawei Technologies Co Ltd");
    assert_int_equal(r.status, 1);
    assert_null(strstr(r.err, "bundled list")); /* only the first time */
    run_free(&r);

    /* Without REDFLAG_DB the database lives under $XDG_DATA_HOME. */
    tmp(xdg, sizeof xdg, "xdg");
    snprintf(env, sizeof env, "-u REDFLAG_DB XDG_DATA_HOME='%s'", xdg);
    r = redflag_env(env, "lists status");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "bundled list"));
    snprintf(xdg_db, sizeof xdg_db, "%s/redflag/redflag.db", xdg);
    assert_int_equal(stat(xdg_db, &sb), 0);
    assert_non_null(strstr(r.out, xdg_db));
    run_free(&r);
}

static void test_e2e__lists_import_then_status_shows_the_version(void **state)
{
    char dpl[1024], sha[65];
    rf_buf data = {0};
    rf_error err;
    run_out r;
    (void)state;

    src(dpl, sizeof dpl, "tests/data/lists/dpl_2023-11.txt");
    assert_int_equal(rf_file_read(&data, sha, dpl, 0, &err), 0);
    rf_buf_free(&data);

    r = redflag("import.db", "lists import --effective 2023-11-01 '%s'", dpl);
    if (r.status != 0) fprintf(stderr, "stdout:\n%s\nstderr:\n%s\n", r.out, r.err);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "dpl-tsv"));
    assert_non_null(strstr(r.out, "version"));
    assert_non_null(strstr(r.err, "bundled list")); /* a new database got the CSL first */
    run_free(&r);

    r = redflag("import.db", "lists import '%s'", dpl);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "already imported"));
    run_free(&r);

    r = redflag("import.db", "lists status");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, sha));              /* the DPL file, by its digest */
    assert_non_null(strstr(r.out, "2023-11-01"));     /* published as told */
    assert_non_null(strstr(r.out, "dpl_2023-11.txt"));
    assert_non_null(strstr(r.out, "DPL "));           /* entity counts per list code */
    assert_non_null(strstr(r.out, "EL "));            /* the bundled CSL is in force too */
    run_free(&r);

    /* A file that is not a list is refused, naming the file; nothing is imported. */
    src(dpl, sizeof dpl, "tests/e2e/data/clear-orders.csv");
    r = redflag("import.db", "lists import '%s'", dpl);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "clear-orders.csv"));
    run_free(&r);
}

/* ---- search, match, help ------------------------------------------------------------------ */

static void test_e2e__search_explains_hits_and_match_scores_pairs(void **state)
{
    static const char pairs[] = "# comment line before the header\n"
                                "id,name1,name2\n"
                                "1,\"Huawei Technologies Co., Ltd.\",HUAWEI TECHNOLOGIES CO LTD\n"
                                "2,Murata Manufacturing,Kimball Electronics\n"
                                "3,\"HiSilicon Technologies Co., Ltd\",HiSilicon Technologies\n";
    char file[1024];
    run_out r;
    char *shape;
    double score = -1;
    (void)state;

    r = redflag("search.db", "search 'Huawei Technologies Co Ltd'");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "SCORE"));
    assert_non_null(strstr(r.out, "LICENSE POLICY"));
    assert_non_null(strstr(r.out, "why: "));
    run_free(&r);

    r = redflag("search.db", "search --format jsonl Huawei Technologies Co Ltd");
    assert_int_equal(r.status, 1);
    shape = jsonl_check("shape", r.out);
    assert_string_equal(shape, "ok 1\n");
    free(shape);
    run_free(&r);

    r = redflag("search.db", "search Kimball Electronics, Inc.");
    assert_int_equal(r.status, 0);
    run_free(&r);

    r = redflag("search.db", "match 'Huawei Technologies Co., Ltd.' 'HUAWEI TECHNOLOGIES CO LTD'");
    assert_int_equal(r.status, 0);
    assert_int_equal(sscanf(r.out, "score: %lf", &score), 1);
    assert_true(score >= 0.9);
    run_free(&r);

    tmp(file, sizeof file, "pairs.csv");
    assert_int_equal(rf_test_write_file(file, pairs, sizeof pairs - 1), 0);
    r = redflag("search.db", "match --pairs '%s'", file);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 4);
    assert_int_equal(strncmp(r.out, "name1,name2,score\n", 18), 0);
    assert_non_null(strstr(r.out, "\"Huawei Technologies Co., Ltd.\",HUAWEI TECHNOLOGIES CO LTD,"));
    run_free(&r);

    src(file, sizeof file, "tests/data/eval/external/cases.csv");
    r = redflag("search.db", "match --no-db --pairs '%s'", file);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 827); /* header and 826 pairs */
    run_free(&r);
}

static void test_e2e__every_command_answers_help(void **state)
{
    static const char *const commands[] = {"", "screen", "search", "match", "lists",
                                           "lists import", "lists status"};
    (void)state;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        run_out r = redflag("help.db", "%s --help", commands[i]);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: redflag"));
        assert_non_null(strstr(r.out, "Exit status"));
        assert_non_null(strstr(r.out, "REDFLAG_DB"));
        run_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e__exit_0_when_no_party_is_listed),
        cmocka_unit_test(test_e2e__exit_1_when_a_huawei_affiliate_is_on_the_order),
        cmocka_unit_test(test_e2e__exit_2_on_bad_usage),
        cmocka_unit_test(test_e2e__exit_2_on_an_unreadable_file_but_screens_the_others),
        cmocka_unit_test(test_e2e__exit_2_on_a_malformed_row_naming_file_and_line),
        cmocka_unit_test(test_e2e__html_escapes_markup_in_party_fields),
        cmocka_unit_test(test_e2e__jsonl_has_one_object_per_party_with_its_hits),
        cmocka_unit_test(test_e2e__output_file_format_follows_its_extension),
        cmocka_unit_test(test_e2e__demo_flags_the_huawei_affiliates_and_nothing_else),
        cmocka_unit_test(test_e2e__first_run_imports_the_bundled_list_and_says_so),
        cmocka_unit_test(test_e2e__lists_import_then_status_shows_the_version),
        cmocka_unit_test(test_e2e__search_explains_hits_and_match_scores_pairs),
        cmocka_unit_test(test_e2e__every_command_answers_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
