/* test_browser.c: the demo report (README's `./setup.sh`: the six example orders screened
 * against the bundled list) as a person sees it in Chromium (tests/e2e/browser.py drives
 * headless Chromium): a worklist row per flagged counterparty in each order, sortable and
 * filterable once the script runs and all there without it; one card per counterparty
 * (buyer and ship-to the same company: one card), each row linking to its card; the printed
 * report in well under half of the 49 pages it took before the worklist. The report, the PDF
 * and screenshots at 420 and 1280 px stay in the build directory (tests/browser/) to look at.
 * Skipped, saying so, when Chromium is not installed. */
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

/* The value of line "name VALUE" of the script's output; fails when there is none. */
static long fact(const char *out, const char *name)
{
    char key[64];
    const char *at;
    snprintf(key, sizeof key, "\n%s ", name);
    at = strncmp(out, key + 1, strlen(key + 1)) == 0 ? out + strlen(key + 1)
         : strstr(out, key)                            ? strstr(out, key) + strlen(key)
                                                       : NULL;
    if (!at) fail_msg("browser.py said nothing of %s:\n%s", name, out);
    return strtol(at, NULL, 10);
}

static void test_browser__demo_report_as_seen_and_printed(void **state)
{
    static const char *const demo[] = {"open-orders.csv", "bom-camera.csv", "suppliers.csv",
                                       "order-ubl.xml", "order-cxml.xml", "order-x12.txt"};
    char dir[1024], html[1100], jsonl[1100], inputs[8192] = "", path[1024];
    char *out;
    e2e_out r;
    (void)state;

    snprintf(dir, sizeof dir, "%s/tests/browser", getenv("RF_BUILD_DIR"));
    mkdir(dir, 0755);
    snprintf(html, sizeof html, "%s/demo.html", dir);
    snprintf(jsonl, sizeof jsonl, "%s/demo.jsonl", dir);
    for (size_t i = 0; i < sizeof demo / sizeof *demo; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "examples/%s", demo[i]);
        e2e_src(path, sizeof path, rel);
        snprintf(inputs + strlen(inputs), sizeof inputs - strlen(inputs), " '%s'", path);
    }
    r = e2e_redflag("demo.db", "screen -o '%s'%s", html, inputs);
    e2e_expect(&r, 1);
    e2e_out_free(&r);
    r = e2e_redflag("demo.db", "screen -o '%s'%s", jsonl, inputs);
    e2e_expect(&r, 1);
    e2e_out_free(&r);

    out = e2e_python("tests/e2e/browser.py", "'%s' '%s' '%s'", html, jsonl, dir);
    if (strncmp(out, "skip ", 5) == 0) {
        fprintf(stderr, "test_browser: %s", out + 5);
        free(out);
        skip();
    }
    printf("%s", out);
    /* one worklist row and one card per flagged counterparty in each order, as the JSON
     * lines count them; the demo has buyer-and-ship-to pairs, so that is fewer than the
     * flagged parties */
    assert_true(fact(out, "expected") >= 10);
    assert_int_equal(fact(out, "rows"), fact(out, "expected"));
    assert_int_equal(fact(out, "cards"), fact(out, "expected"));
    assert_int_equal(fact(out, "duplicate_cards"), 0);
    assert_int_equal(fact(out, "links_to_cards"), 1);
    /* the script ran (the filter bar shows and counts) and is not needed for the table */
    assert_int_equal(fact(out, "filters_shown"), 1);
    assert_int_equal(fact(out, "filters_shown_without_script"), 0);
    assert_int_equal(fact(out, "rows_without_script"), fact(out, "rows"));
    {
        char shown[64];
        snprintf(shown, sizeof shown, "shown %ld of %ld shown", fact(out, "rows"),
                 fact(out, "rows"));
        assert_non_null(strstr(out, shown));
    }
    /* printed: well under half of the 49 pages of the report before */
    assert_true(fact(out, "pages") > 1);
    assert_true(fact(out, "pages") <= 22);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_browser__demo_report_as_seen_and_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
