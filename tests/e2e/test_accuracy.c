/* test_accuracy.c: the accuracy floor, measured the way a user would: a new database (the
 * bundled May 2022 CSL), `redflag screen --format jsonl` over the 4,797 parties of
 * tests/data/eval/parties.csv, scored by tests/data/eval/score.py, must meet the targets of the
 * accuracy issue: recall >= 0.99, top-1 >= 0.98, false alarms <= 0.5 % on real unlisted
 * companies and <= 5 % on hard negatives (a listed name with its telling word swapped). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_test.h"

/* The number after "key": in score.py's one-line JSON; -1 when absent or null. */
static double json_number(const char *json, const char *key)
{
    char pattern[64];
    const char *at;
    char *end;
    double v;
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    at = strstr(json, pattern);
    if (!at) return -1;
    v = strtod(at + strlen(pattern), &end);
    return end == at + strlen(pattern) ? -1 : v;
}

static void test_accuracy__targets_on_the_dev_set(void **state)
{
    const char *bin = getenv("RF_BIN");
    char parties[1024], expected[1024], score_py[1024], db[1024], out[1024], cmd[8192];
    char *json = NULL;
    double recall, top1, fpr_real, fpr_hard;
    int status;
    (void)state;

    assert_non_null(bin);
    snprintf(parties, sizeof parties, "%s", rf_test_data("eval/parties.csv"));
    snprintf(expected, sizeof expected, "%s", rf_test_data("eval/expected.json"));
    snprintf(score_py, sizeof score_py, "%s", rf_test_data("eval/score.py"));
    snprintf(db, sizeof db, "%s", rf_test_scratch_db(rf_test_tmpfile("accuracy.db")));
    snprintf(out, sizeof out, "%s", rf_test_tmpfile("out.jsonl"));

    snprintf(cmd, sizeof cmd, "REDFLAG_DB='%s' '%s' screen --format jsonl '%s' >'%s' </dev/null",
             db, bin, parties, out);
    status = rf_test_run(NULL, cmd);
    assert_int_equal(status, 1); /* listed parties are in the set: at least one hit */

    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s' --json", score_py, expected, out);
    status = rf_test_run(&json, cmd);
    assert_int_equal(status, 0);
    assert_non_null(json);
    printf("accuracy on tests/data/eval/parties.csv: %s", json);

    recall = json_number(json, "recall");
    top1 = json_number(json, "top1");
    fpr_real = json_number(json, "fpr_real");
    fpr_hard = json_number(json, "fpr_hard");
    assert_int_equal((int)json_number(json, "missing_refs"), 0); /* every party was reported */
    assert_true(recall >= 0.99);
    assert_true(top1 >= 0.98);
    assert_true(fpr_real >= 0 && fpr_real <= 0.005);
    assert_true(fpr_hard >= 0 && fpr_hard <= 0.05);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accuracy__targets_on_the_dev_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
