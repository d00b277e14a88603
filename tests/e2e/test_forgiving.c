/* test_forgiving.c: a command line that forgives small mistakes and says what it did (issue
 * 15), run as a user would on the real lists and demo orders: each command's help ends with
 * its own exit statuses; a mistyped option names the one meant; -output and -o report.pdf
 * are refused before anything is written; a whole OFAC CSV set named file by file imports
 * once; a directory of orders skips what is plainly no order; the CSV report for Excel
 * starts with a byte order mark. */
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
#include "rf_test.h"

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* The last paragraph of a help text (after its last blank line). */
static const char *last_paragraph(const char *text)
{
    const char *p = text, *next;
    while ((next = strstr(p, "\n\n")) && next[2]) p = next + 2;
    return p;
}

static void test_forgiving__each_help_ends_with_its_own_exit_statuses(void **state)
{
    static const char *const commands[] = {
        "screen", "search", "match", "lists", "lists init", "lists import", "lists status",
        "lists history", "lists diff", "lists update", "review", "history", "audit",
        "rescreen"};
    char *screen_exit = NULL, *pages[3] = {NULL, NULL, NULL};
    (void)state;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        e2e_out r = e2e_redflag("help.db", "%s --help", commands[i]);
        char usage[64];
        const char *last;
        e2e_expect(&r, 0);
        snprintf(usage, sizeof usage, "usage: redflag %s", commands[i]);
        assert_non_null(strstr(r.out, usage));
        last = last_paragraph(r.out);
        assert_int_equal(strncmp(last, "Exit status", 11), 0);
        if (i == 0) screen_exit = strdup(last);
        else if (strcmp(commands[i], "lists") != 0) assert_string_not_equal(last, screen_exit);
        if (strcmp(commands[i], "lists") == 0) pages[0] = strdup(r.out);
        if (strcmp(commands[i], "lists import") == 0) pages[1] = strdup(r.out);
        if (strcmp(commands[i], "lists status") == 0) pages[2] = strdup(r.out);
        e2e_out_free(&r);
    }
    /* screen's statuses name the alarm; import and status each have a page of their own */
    assert_non_null(strstr(screen_exit, "1 at least one alarm"));
    assert_string_not_equal(pages[0], pages[1]);
    assert_string_not_equal(pages[1], pages[2]);
    assert_non_null(strstr(pages[1], "--allow-shrink"));
    assert_null(strstr(pages[2], "--allow-shrink"));
    assert_non_null(strstr(pages[2], "--as-of DATE"));
    free(screen_exit);
    for (int i = 0; i < 3; i++) free(pages[i]);
}

static void test_forgiving__the_overview_names_every_input_format(void **state)
{
    static const char *const formats[] = {"CSV", ".xlsx", "UBL", "cXML", "X12 850",
                                          "EDIFACT", "CSL", "Denied Persons", "OFAC SDN",
                                          "UN, UK and EU"};
    e2e_out r = e2e_redflag("help.db", "--help");
    (void)state;
    e2e_expect(&r, 0);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        assert_non_null(strstr(r.out, formats[i]));
    e2e_out_free(&r);
}

static void test_forgiving__a_mistyped_option_names_the_one_meant(void **state)
{
    const char *orders = e2e_tmp("orders.csv"), *utput = e2e_tmp("utput");
    char cmd[2048];
    e2e_out r;
    (void)state;
    snprintf(cmd, sizeof cmd, "cp \"$RF_SOURCE_DIR/examples/open-orders.csv\" '%s'", orders);
    assert_int_equal(system(cmd), 0);

    r = e2e_redflag("typo.db", "screen --treshold 0.9 '%s'", orders);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "unknown option --treshold: did you mean --threshold?"));
    e2e_out_free(&r);
    r = e2e_redflag("typo.db", "search --contry CN Huawei");
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "did you mean --country?"));
    e2e_out_free(&r);
    r = e2e_redflag("typo.db", "screen --max 3 '%s'", orders);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "--max is ambiguous: --max-hits, --max-list-age"));
    e2e_out_free(&r);

    /* -output is not -o "utput": refused, and no file named utput appears */
    r = e2e_redflag("typo.db", "screen -output '%s' '%s'", e2e_tmp("r.html"), orders);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "-output: did you mean --output?"));
    assert_false(exists("utput"));
    assert_false(exists(utput));
    e2e_out_free(&r);
    r = e2e_redflag("typo.db", "rescreen -threshold 0.9");
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "did you mean --threshold?"));
    e2e_out_free(&r);
    /* a value that starts with a dash is still a value */
    r = e2e_redflag("typo.db", "search --country CN -- -huawei");
    assert_true(r.status == 0 || r.status == 1);
    e2e_out_free(&r);

    /* -o report.pdf: no report type is PDF; nothing written */
    r = e2e_redflag("typo.db", "screen -o '%s' '%s'", e2e_tmp("report.pdf"), orders);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "no report type is written as .pdf"));
    assert_false(exists(e2e_tmp("report.pdf")));
    e2e_out_free(&r);
    /* the extensions that name one still choose it */
    r = e2e_redflag("typo.db", "screen -o '%s' '%s'", e2e_tmp("report.HTM"), orders);
    e2e_expect(&r, 1);
    e2e_out_free(&r);
}

static void test_forgiving__an_ofac_set_named_file_by_file_imports_once(void **state)
{
    const char *set = "\"$RF_SOURCE_DIR/tests/data/lists/ofac/sdn_2021-07\"";
    e2e_out r;
    (void)state;
    r = e2e_redflag("set.db", "lists import --no-bundled %s/sdn.csv.gz %s/add.csv %s/alt.csv "
                              "%s/sdn_comments.csv", set, set, set, set);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "sdn.csv.gz: ofac-sdn-csv, 8976 rows, 8976 entities"));
    assert_non_null(strstr(r.out, "add.csv: read with "));
    assert_non_null(strstr(r.out, "sdn_comments.csv: read with "));
    e2e_out_free(&r);
    r = e2e_redflag("set.db", "lists history");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "\n1 list version\n"));
    e2e_out_free(&r);
    /* a companion alone says which file to name */
    r = e2e_redflag("set.db", "lists import %s/alt.csv", set);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "a companion of OFAC's sdn.csv"));
    e2e_out_free(&r);
}

static void test_forgiving__a_directory_skips_what_is_plainly_no_order(void **state)
{
    const char *dir = e2e_tmp("export"), *report = e2e_tmp("dir.jsonl");
    char cmd[2048], pdf[1100];
    char *made;
    e2e_out r;
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s' && cp \"$RF_SOURCE_DIR\"/examples/*.csv '%s'",
             dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    made = e2e_python("tests/e2e/not_orders.py", "'%s'", dir);
    free(made);

    r = e2e_redflag("dir.db", "screen -o '%s' '%s'", report, dir);
    e2e_expect(&r, 1); /* the demo's Huawei affiliates; no file failed */
    assert_non_null(strstr(r.err, "README.txt: warning: skipped: a README, not an order"));
    assert_non_null(strstr(r.err, "~$open-orders.xlsx: warning: skipped: an Office lock file"));
    assert_non_null(strstr(r.err, "scanned-order.pdf: warning: skipped: a PDF is not read; "
                                  "export the order as CSV, XML or Excel"));
    assert_non_null(strstr(r.err, "photo.png: warning: skipped: an image (PNG)"));
    assert_non_null(strstr(r.err, "in 3 files"));
    assert_null(strstr(r.err, "not read,"));
    e2e_out_free(&r);

    /* named on its own, a PDF is refused with the same advice, not the iconv one */
    snprintf(pdf, sizeof pdf, "%s/scanned-order.pdf", dir);
    r = e2e_redflag("dir.db", "screen '%s'", pdf);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "a PDF is not read; export the order as CSV, XML or Excel"));
    assert_null(strstr(r.err, "iconv"));
    e2e_out_free(&r);
}

static void test_forgiving__the_csv_report_for_excel_starts_with_a_byte_order_mark(void **state)
{
    const char *report = e2e_tmp("excel.csv");
    char first[8] = "";
    FILE *f;
    e2e_out r;
    (void)state;
    r = e2e_redflag("excel.db", "screen --excel -o '%s' \"$RF_SOURCE_DIR/examples/open-orders.csv\"",
                    report);
    e2e_expect(&r, 1);
    e2e_out_free(&r);
    assert_non_null(f = fopen(report, "rb"));
    assert_int_equal(fread(first, 1, 7, f), 7);
    fclose(f);
    assert_memory_equal(first, "\xEF\xBB\xBFref,", 7);
    /* and review import reads it back, the mark taken for no part of the first header */
    r = e2e_redflag("excel.db", "review import '%s'", report);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "the header needs decision, reason"));
    e2e_out_free(&r);
    r = e2e_redflag("excel.db", "screen --excel --format jsonl \"$RF_SOURCE_DIR/examples/open-orders.csv\"");
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "--excel is for the CSV report"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forgiving__each_help_ends_with_its_own_exit_statuses),
        cmocka_unit_test(test_forgiving__the_overview_names_every_input_format),
        cmocka_unit_test(test_forgiving__a_mistyped_option_names_the_one_meant),
        cmocka_unit_test(test_forgiving__an_ofac_set_named_file_by_file_imports_once),
        cmocka_unit_test(test_forgiving__a_directory_skips_what_is_plainly_no_order),
        cmocka_unit_test(test_forgiving__the_csv_report_for_excel_starts_with_a_byte_order_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
