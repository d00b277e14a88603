/* test_scripts.c: names dressed to slip past screening, and names in other scripts, screened
 * with the built redflag command against the real lists. "Huawei Technologies Co Ltd" written
 * with invisible characters, look-alike Cyrillic and Greek letters, styled letters, terminal
 * escape codes, HTML tags, a word split by a space or hyphen ("Hua wei", "Hua-wei") or a
 * department after it is flagged as Huawei, and its explanation says it was written to look
 * unlike itself exactly when it was dressed so; Russian and Chinese names of listed companies,
 * as orders quote them, hit those companies, and North Korean names in hanja their people; every original-script name of the UN list and
 * of the UK lists (OFSI's and the FCDO's layouts) hits its own entity; every native name of
 * engine/data/native_names.tsv hits the entity its row names. The orders are written by
 * tests/e2e/scripts.py, which also reads the JSON lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "rf_test.h"

/* Screens `order` with the scratch database `db` into `jsonl`; returns the exit status. */
static int screen(const char *db, const char *order, const char *jsonl)
{
    e2e_out r = e2e_redflag(db, "screen --format jsonl '%s' >'%s'", order, jsonl);
    int status = r.status;
    if (status != 1) printf("exit %d: %s\n", status, r.err);
    e2e_out_free(&r);
    return status;
}

static void test_scripts__dressed_huawei_is_flagged_and_says_so(void **state)
{
    char order[1024], jsonl[1024];
    char *missed, *unexplained;
    (void)state;
    snprintf(order, sizeof order, "%s", rf_test_tmpfile("dressed.csv"));
    snprintf(jsonl, sizeof jsonl, "%s", rf_test_tmpfile("dressed.jsonl"));
    free(e2e_python("tests/e2e/scripts.py", "dressed '%s'", order));
    assert_int_equal(screen("dressed.db", order, jsonl), 1);
    missed = e2e_python("tests/e2e/scripts.py", "missed '%s' huawei", jsonl);
    unexplained = e2e_python("tests/e2e/scripts.py", "unexplained '%s'", jsonl);
    printf("dressed spellings not flagged as Huawei:\n%s", missed);
    printf("flagged without (or, plain, with) saying the name was disguised:\n%s", unexplained);
    assert_string_equal(missed, "");
    assert_string_equal(unexplained, "");
    free(missed);
    free(unexplained);
}

static void test_scripts__russian_and_chinese_names_find_the_listed_company(void **state)
{
    char order[1024], jsonl[1024];
    char *wrong;
    (void)state;
    snprintf(order, sizeof order, "%s", rf_test_tmpfile("other_scripts.csv"));
    snprintf(jsonl, sizeof jsonl, "%s", rf_test_tmpfile("other_scripts.jsonl"));
    free(e2e_python("tests/e2e/scripts.py", "other_scripts '%s'", order));
    assert_int_equal(screen("other_scripts.db", order, jsonl), 1);
    wrong = e2e_python("tests/e2e/scripts.py", "wrong_name '%s'", jsonl);
    printf("names in other scripts not hitting their company first:\n%s", wrong);
    assert_string_equal(wrong, "");
    free(wrong);
}

static void test_scripts__native_table_names_hit_their_entities(void **state)
{
    char table[1024], csl[1024], order[1024], jsonl[1024];
    char *rows;
    (void)state;
    e2e_src(table, sizeof table, "engine/data/native_names.tsv");
    e2e_src(csl, sizeof csl, "lists/data/consolidated_2022-05.csv.gz");
    snprintf(order, sizeof order, "%s", rf_test_tmpfile("natives.csv"));
    snprintf(jsonl, sizeof jsonl, "%s", rf_test_tmpfile("natives.jsonl"));
    free(e2e_python("tests/e2e/scripts.py", "natives '%s' '%s'", table, order));
    assert_int_equal(screen("natives.db", order, jsonl), 1);
    rows = e2e_python("tests/e2e/scripts.py", "native_rows '%s' '%s' '%s'", table, csl, jsonl);
    printf("table rows naming no entity of the bundled list:\n%s", rows);
    /* ZTE is in no list of May 2022 (tests/data/MANIFEST.md): its row must add nothing. */
    assert_non_null(strstr(rows, "ZTE Corporation"));
    assert_int_equal(strchr(rows, '\n') - rows + 1, (long)strlen(rows));
    free(rows);
}

/* Imports `list` (under tests/data) alone into the scratch database `db`, screens every
 * original-script name that `command` of scripts.py finds in it, and returns the names that do
 * not hit their own entity (owned by the caller). */
static char *originals_missing_their_entity(const char *db, const char *list, const char *command)
{
    char order[1024], jsonl[1024];
    e2e_out r;
    snprintf(order, sizeof order, "%s", rf_test_tmpfile("originals.csv"));
    snprintf(jsonl, sizeof jsonl, "%s", rf_test_tmpfile("originals.jsonl"));
    r = e2e_redflag(db, "lists import --no-bundled '%s'", rf_test_data(list));
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    free(e2e_python("tests/e2e/scripts.py", "%s '%s' '%s'", command, rf_test_data(list), order));
    r = e2e_redflag(db, "screen --format jsonl --map party=party '%s' >'%s'", order, jsonl);
    assert_int_equal(r.status, 1);
    e2e_out_free(&r);
    return e2e_python("tests/e2e/scripts.py", "wrong_entity '%s'", jsonl);
}

static void test_scripts__un_original_script_names_hit_their_entity(void **state)
{
    char *wrong = originals_missing_their_entity("un.db", "lists/un/UN_consolidated_2026-02-27.xml.gz", "originals");
    (void)state;
    printf("UN original-script names not hitting their own entity:\n%s", wrong);
    assert_string_equal(wrong, "");
    free(wrong);
}

/* OFSI's Consolidated List (its entities with a name in another script, 492 names: Cyrillic,
 * Chinese, Arabic ...) and the FCDO's UK Sanctions List each write it in a column of its own. */
static void test_scripts__uk_non_latin_names_hit_their_entity(void **state)
{
    char *ofsi = originals_missing_their_entity("ofsi.db", "lists/uk/ofsi_ConList_2025-04-10_entities-non-latin.csv.gz",
                                                "uk_originals");
    char *fcdo = originals_missing_their_entity("fcdo.db", "lists/uk/uk_sanctions_list_sample.csv", "uk_originals");
    (void)state;
    printf("UK non-Latin names not hitting their own entity:\n%s%s", ofsi, fcdo);
    assert_string_equal(ofsi, "");
    assert_string_equal(fcdo, "");
    free(ofsi);
    free(fcdo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts__dressed_huawei_is_flagged_and_says_so),
        cmocka_unit_test(test_scripts__russian_and_chinese_names_find_the_listed_company),
        cmocka_unit_test(test_scripts__native_table_names_hit_their_entities),
        cmocka_unit_test(test_scripts__un_original_script_names_hit_their_entity),
        cmocka_unit_test(test_scripts__uk_non_latin_names_hit_their_entity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
