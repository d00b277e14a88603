/* test_list_age.c: old lists and short lists, end to end with the real files. Screening
 * against the bundled May 2022 list today says on stderr that it is stale, the HTML verdict
 * of a clear run is amber and names the date and `redflag lists update`, and every JSON line
 * and CSV row carries the age; a fresh enough list (--as-of near its publication date, a
 * large --max-list-age or REDFLAG_MAX_LIST_AGE) says nothing. An import that would remove
 * more than 10 % of a feed's entities (the CSL, OFAC's SDN list) is refused with both
 * counts unless --allow-shrink; `lists update` refuses a 1-row CSL and one cut cleanly after
 * 4,000 rows (served by list_server.py), and names the versions that stay in force. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2e_run.h"
#include "base/rf_base.h"
#include "rf_test.h"

/* A real order whose eight parties are all clear against the bundled list. */
#define CLEAR_ORDER "orders/ubl/UBL-Order-2.1-Example.xml"

/* How many times `needle` occurs in `s`. */
static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* The list versions in the database. */
static int versions(const char *db)
{
    e2e_out r = e2e_redflag(db, "lists history --format jsonl");
    int n;
    assert_int_equal(r.status, 0);
    n = count(r.out, "\n");
    e2e_out_free(&r);
    return n;
}

/* Writes the bundled CSL's header and its first `rows` rows to `to`: the real file cut
 * cleanly at a row boundary, as a truncated download or a partial export is. */
static void write_cut_csl(const char *to, int rows)
{
    char bundled[1024];
    rf_buf data = {0};
    rf_error err;
    size_t len = 0;

    e2e_src(bundled, sizeof bundled, "lists/data/consolidated_2022-05.csv.gz");
    assert_int_equal(rf_file_read(&data, NULL, bundled, 0, &err), RF_OK);
    for (int line = 0; line <= rows; line++) {
        const char *nl = memchr(data.data + len, '\n', data.len - len);
        assert_non_null(nl);
        len = (size_t)(nl - data.data) + 1;
    }
    assert_int_equal(rf_test_write_file(to, data.data, len), 0);
    rf_buf_free(&data);
}

/* ---- old lists ---------------------------------------------------------------------------- */

static void test_list_age__bundled_list_today_is_stale_everywhere(void **state)
{
    const char *html = NULL;
    char html_path[1024], *page, *visible, cmd[2300], *days_at;
    long days;
    e2e_out r;
    (void)state;

    snprintf(html_path, sizeof html_path, "%s", rf_test_tmpfile("stale.html"));
    r = e2e_redflag("stale.db", "screen -o '%s' '%s'", html_path, rf_test_data(CLEAR_ORDER));
    /* Old lists do not change the exit status: the parties are clear against them. */
    assert_int_equal(r.status, 0);
    days_at = strstr(r.err, "redflag: warning: the csl list is ");
    assert_non_null(days_at);
    days = strtol(days_at + strlen("redflag: warning: the csl list is "), NULL, 10);
    /* at least the days from 2022-05-01 to the day this test was written, 2026-12-06 */
    assert_true(days >= 1680);
    assert_non_null(strstr(r.err, "version 1, published 2022-05-01, older than 30 days "
                                  "(--max-list-age); parties listed since are not screened: "
                                  "run 'redflag lists update'"));
    assert_int_equal(count(r.err, "warning: the csl list"), 1);
    e2e_out_free(&r);

    page = rf_test_read_file(html_path, NULL);
    assert_non_null(page);
    html = strstr(page, "<p class=\"verdict ");
    assert_non_null(html);
    {
        const char *want = "<p class=\"verdict amber\">No match: none of the 8 parties";
        assert_true(strncmp(html, want, strlen(want)) == 0);
    }
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/reports/check_report.py' html '%s'",
             getenv("RF_SOURCE_DIR"), html_path);
    assert_int_equal(rf_test_run(&visible, cmd), 0);
    {
        char want[256];
        snprintf(want, sizeof want, "The lists are out of date: csl version 1, published "
                                    "2022-05-01, was %ld days old on ", days);
        assert_non_null(strstr(visible, want));
    }
    assert_non_null(strstr(visible, "more than 30 days. Parties listed since are not on them, "
                                     "so a clear result may be wrong: update the lists with "
                                     "redflag lists update and screen again."));
    free(visible);
    free(page);

    /* JSON lines: every party carries the age, the date, where the date comes from. */
    r = e2e_redflag("stale.db", "screen --format jsonl '%s'", rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 0);
    {
        char want[256];
        snprintf(want, sizeof want, "\"list_age_days\":%ld,\"list_date\":\"2022-05-01\","
                                    "\"list_date_from\":\"published\",\"list_feed\":\"csl\","
                                    "\"lists_stale\":true,", days);
        assert_int_equal(count(r.out, want), 8);
        assert_int_equal(count(r.out, "\n"), 8);
    }
    e2e_out_free(&r);

    /* CSV: the same as the last columns of every row. */
    r = e2e_redflag("stale.db", "screen --format csv '%s'", rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, ",embargo_reason,list_age_days,list_date,list_date_from,"
                                  "list_feed,lists_stale\r\n"));
    {
        char want[128];
        snprintf(want, sizeof want, ",%ld,2022-05-01,published,csl,true\r\n", days);
        assert_int_equal(count(r.out, want), 8);
    }
    e2e_out_free(&r);
}

static void test_list_age__fresh_enough_says_nothing(void **state)
{
    char html_path[1024], *page;
    e2e_out r;
    (void)state;

    /* As of a date just after the list's publication: 19 days, fresh. */
    snprintf(html_path, sizeof html_path, "%s", rf_test_tmpfile("fresh.html"));
    r = e2e_redflag("fresh.db", "screen --as-of 2022-05-20 -o '%s' '%s'", html_path,
                    rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "warning: the csl list"));
    e2e_out_free(&r);
    page = rf_test_read_file(html_path, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "<p class=\"verdict green\">No match"));
    assert_null(strstr(page, "out of date"));
    free(page);
    r = e2e_redflag("fresh.db", "screen --as-of 2022-05-20 --format jsonl '%s'",
                    rf_test_data(CLEAR_ORDER));
    assert_int_equal(count(r.out, "\"list_age_days\":19,\"list_date\":\"2022-05-01\","
                                  "\"list_date_from\":\"published\",\"list_feed\":\"csl\","
                                  "\"lists_stale\":false,"),
                     8);
    e2e_out_free(&r);

    /* The same date with a stricter limit: stale again. */
    r = e2e_redflag("fresh.db", "screen --as-of 2022-05-20 --max-list-age 7 --format csv '%s'",
                    rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "warning: the csl list is 19 days old on 2022-05-20: version "
                                  "1, published 2022-05-01, older than 7 days"));
    assert_int_equal(count(r.out, ",19,2022-05-01,published,csl,true\r\n"), 8);
    e2e_out_free(&r);

    /* Today, with a limit larger than the list's age, by option or environment. */
    r = e2e_redflag("fresh.db", "screen --max-list-age 100000 --format jsonl '%s'",
                    rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "warning: the csl list"));
    assert_int_equal(count(r.out, "\"lists_stale\":false"), 8);
    e2e_out_free(&r);
    {
        char env[1400];
        snprintf(env, sizeof env, "%s REDFLAG_MAX_LIST_AGE=100000", e2e_db_env("fresh.db"));
        r = e2e_redflag_env(env, "screen --format jsonl '%s'", rf_test_data(CLEAR_ORDER));
        assert_int_equal(r.status, 0);
        assert_null(strstr(r.err, "warning: the csl list"));
        assert_int_equal(count(r.out, "\"lists_stale\":false"), 8);
        e2e_out_free(&r);
        /* the option wins over the environment */
        r = e2e_redflag_env(env, "screen --max-list-age 30 --format jsonl '%s'",
                            rf_test_data(CLEAR_ORDER));
        assert_non_null(strstr(r.err, "warning: the csl list"));
        e2e_out_free(&r);
        snprintf(env, sizeof env, "%s REDFLAG_MAX_LIST_AGE=soon", e2e_db_env("fresh.db"));
        r = e2e_redflag_env(env, "screen '%s'", rf_test_data(CLEAR_ORDER));
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "REDFLAG_MAX_LIST_AGE wants days"));
        e2e_out_free(&r);
    }
    r = e2e_redflag("fresh.db", "screen --max-list-age -3 '%s'", rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--max-list-age wants days"));
    e2e_out_free(&r);
}

/* A list without a publication date counts from its import, and says so. */
static void test_list_age__undated_list_counts_from_its_import(void **state)
{
    e2e_out r;
    (void)state;

    r = e2e_redflag("undated.db", "lists import --no-bundled '%s'",
                    rf_test_data("lists/consolidated_current_sample.csv"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "published unknown"));
    e2e_out_free(&r);
    r = e2e_redflag("undated.db", "screen --format jsonl '%s'", rf_test_data(CLEAR_ORDER));
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "warning: the csl list"));
    assert_int_equal(count(r.out, "\"list_age_days\":0,"), 8);
    assert_int_equal(count(r.out, "\"list_date_from\":\"imported\",\"list_feed\":\"csl\","
                                  "\"lists_stale\":false"),
                     8);
    e2e_out_free(&r);
    /* Screened as of a later day, the same list is stale, and the warning says why. */
    r = e2e_redflag("undated.db", "screen --as-of 2099-01-01 --format jsonl '%s'",
                    rf_test_data(CLEAR_ORDER));
    assert_non_null(strstr(r.err, "(the file gives no publication date)"));
    assert_int_equal(count(r.out, "\"lists_stale\":true"), 8);
    e2e_out_free(&r);
}

/* ---- short lists -------------------------------------------------------------------------- */

static void test_list_age__shrunken_csl_is_refused_with_both_counts(void **state)
{
    char cut[1024];
    e2e_out r;
    (void)state;

    /* The 13-entity current sample over the 14,160-entity bundled list. */
    r = e2e_redflag("shrink.db", "lists import '%s'",
                    rf_test_data("lists/consolidated_current_sample.csv"));
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "consolidated_current_sample.csv: the file holds 13 entities "
                                  "where the csl version it would replace (version 1, published "
                                  "2022-05-01) holds 14160: it would remove 14147 of them (99 %, "
                                  "more than 10 %)"));
    assert_non_null(strstr(r.err, "Nothing was imported; version 1 stays in force"));
    assert_non_null(strstr(r.err, "import it with --allow-shrink"));
    assert_non_null(strstr(r.out, "consolidated_current_sample.csv: not imported"));
    e2e_out_free(&r);
    assert_int_equal(versions("shrink.db"), 1);

    /* The real CSL cut after 4,000 rows: refused; let in on purpose with --allow-shrink. */
    snprintf(cut, sizeof cut, "%s", rf_test_tmpfile("consolidated_cut.csv"));
    write_cut_csl(cut, 4000);
    r = e2e_redflag("shrink.db", "lists import '%s'", cut);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "the file holds 4000 entities where the csl version it would "
                                  "replace (version 1, published 2022-05-01) holds 14160: it "
                                  "would remove 10160 of them (71 %"));
    e2e_out_free(&r);
    assert_int_equal(versions("shrink.db"), 1);
    r = e2e_redflag("shrink.db", "screen --format jsonl '%s'", rf_test_data(CLEAR_ORDER));
    assert_int_equal(count(r.out, "\"versions\":[1]"), 8);
    e2e_out_free(&r);

    r = e2e_redflag("shrink.db", "lists import --allow-shrink '%s'", cut);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "4000 entities"));
    assert_non_null(strstr(r.out, "version 2"));
    e2e_out_free(&r);
    r = e2e_redflag("shrink.db", "lists status");
    assert_non_null(strstr(r.out, "csl, version 2"));
    assert_non_null(strstr(r.out, "entities   4000"));
    e2e_out_free(&r);

    /* A list that lost less than a tenth is a normal update: 4,000 rows then 3,700. */
    write_cut_csl(cut, 3700);
    r = e2e_redflag("shrink.db", "lists import '%s'", cut);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "3700 entities"));
    e2e_out_free(&r);
}

/* The rule is per feed: OFAC's SDN list is compared with OFAC's SDN list only. */
static void test_list_age__shrunken_ofac_sdn_is_refused(void **state)
{
    char dir[1024], cut[1100];
    rf_buf data = {0};
    rf_error err;
    size_t len = 0;
    e2e_out r;
    (void)state;

    r = e2e_redflag("ofac.db", "lists import '%s'",
                    rf_test_data("lists/ofac/sdn_2024-05-03/sdn.csv.gz"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "14965 entities"));
    e2e_out_free(&r);

    /* The same sdn.csv cut after 5,000 rows, alone in its directory as OFAC's CSV sets are. */
    snprintf(dir, sizeof dir, "%s", rf_test_tmpfile("ofac_cut"));
    mkdir(dir, 0700);
    snprintf(cut, sizeof cut, "%s/sdn.csv", dir);
    assert_int_equal(rf_file_read(&data, NULL, rf_test_data("lists/ofac/sdn_2024-05-03/sdn.csv.gz"),
                                  0, &err),
                     RF_OK);
    for (int line = 0; line < 5000; line++)
        len = (size_t)((const char *)memchr(data.data + len, '\n', data.len - len) - data.data) + 1;
    assert_int_equal(rf_test_write_file(cut, data.data, len), 0);
    rf_buf_free(&data);
    r = e2e_redflag("ofac.db", "lists import '%s'", cut);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "sdn.csv: the file holds 5000 entities where the ofac-sdn "
                                  "version it would replace (version 2, imported "));
    assert_non_null(strstr(r.err, ") holds 14965: it would remove 9965 of them (66 %"));
    e2e_out_free(&r);
    assert_int_equal(versions("ofac.db"), 2);

    /* A much smaller list of another feed replaces nothing of these. */
    r = e2e_redflag("ofac.db", "lists import '%s'", rf_test_data("lists/dpl_2023-11.txt"));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "665 entities"));
    e2e_out_free(&r);
}

/* ---- lists update ------------------------------------------------------------------------- */

typedef struct fixture {
    e2e_server server;
    char root[1024];
    char base[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char path[1200];

    if (!f) return -1;
    snprintf(f->root, sizeof f->root, "%s", rf_test_tmpfile("served"));
    mkdir(f->root, 0700);
    snprintf(path, sizeof path, "%s/one-row.csv", f->root);
    write_cut_csl(path, 1);
    snprintf(path, sizeof path, "%s/cut-4000.csv", f->root);
    write_cut_csl(path, 4000);
    if (e2e_server_start(&f->server, f->root) != 0) {
        free(f);
        return -1;
    }
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->server.port);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    e2e_server_stop(&f->server);
    free(f);
    return 0;
}

static void test_list_age__update_refuses_a_shrunken_csl(void **state)
{
    fixture *f = *state;
    e2e_out r;

    r = e2e_redflag("update.db", "lists update --url %s/one-row.csv", f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "/one-row.csv: the file holds 1 entities where the csl version "
                                  "it would replace (version 1, published 2022-05-01) holds "
                                  "14160: it would remove 14159 of them"));
    assert_non_null(strstr(r.err, "import it with 'redflag lists import --allow-shrink FILE'"));
    assert_non_null(strstr(r.out, "/one-row.csv: failed; the database was not changed for it"));
    /* What stays in force: the bundled list, said to be that. */
    assert_non_null(strstr(r.err, "1 of 1 source failed; the lists in force now:\n"
                                  "  csl version 1, published 2022-05-01 ("));
    assert_non_null(strstr(r.err, " days old): the list bundled with redflag (no newer one was "
                                  "ever imported)\n"));
    e2e_out_free(&r);
    assert_int_equal(versions("update.db"), 1);

    /* Cut cleanly after 4,000 rows: it parses, and is still refused. */
    r = e2e_redflag("update.db", "lists update --url %s/cut-4000.csv", f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "/cut-4000.csv: the file holds 4000 entities where the csl "
                                  "version it would replace (version 1, published 2022-05-01) "
                                  "holds 14160"));
    e2e_out_free(&r);
    assert_int_equal(versions("update.db"), 1);
    r = e2e_redflag("update.db", "lists status");
    assert_non_null(strstr(r.out, "entities   14160"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_age__bundled_list_today_is_stale_everywhere),
        cmocka_unit_test(test_list_age__fresh_enough_says_nothing),
        cmocka_unit_test(test_list_age__undated_list_counts_from_its_import),
        cmocka_unit_test(test_list_age__shrunken_csl_is_refused_with_both_counts),
        cmocka_unit_test(test_list_age__shrunken_ofac_sdn_is_refused),
        cmocka_unit_test_setup_teardown(test_list_age__update_refuses_a_shrunken_csl, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
