/* test_ownership.c: the OFAC 50 percent rule and the BIS Affiliates rule end to end, on the
 * real lists (OFAC's SDN list of 2024-05-03, a BIS Entity List sample) and ownership files:
 * tests/data/ownership/links_test.csv (links invented between real listed parties and real
 * company names, see tests/data/MANIFEST.md) and GLEIF's real LEI and RR excerpts with one
 * invented consolidation link to VTB Bank's real LEI. Screening a party that matches an owned
 * company flags it with a hit of kind "owned" and its chain; the cases of the issue: 50 % by
 * one SDN, 49 % + 49 % (one unlisted) not, 25 % + 25 % by two SDNs, through a blocked
 * intermediary, not through an unlisted one, cycles, the Affiliates rule before, during and
 * after its suspension, and a GLEIF consolidation parent as a related finding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "rf_test.h"

#define DB "ownership.db"
#define PARTIES "ownership/parties_test.csv"

/* One database for the group: the lists and the ownership files, each with its date. */
static int import_all(void **state)
{
    static const char *const imports[] = {
        "--effective 2024-05-03 '%s'", "lists/ofac/sdn_2024-05-03/sdn.csv.gz",
        "--effective 2019-06-01 '%s'", "lists/bis/entity_list_sample_2019.csv",
        "--effective 2025-01-01 '%s'", "ownership/links_test.csv",
        "'%s'", "ownership/lei2_2023-11-06_group-excerpt.xml",
        "'%s'", "ownership/rr_2023-11-06_group-excerpt_test-link.xml",
        /* the relations the lists name: OFAC's non-SDN "Linked To:", EL affiliates */
        "--effective 2025-12-01 '%s'", "lists/ofac/non_sdn_2025-12/cons_prim.csv",
        "'%s'", "lists/csl_2022-05_huawei-el-excerpt.csv",
    };
    (void)state;
    e2e_import_lists(DB, imports, sizeof imports / sizeof *imports);
    return 0;
}

/* Screens the parties as of `date` with `options`; returns the JSON lines (malloc'd). */
static char *screen(const char *date, const char *options)
{
    e2e_out r = e2e_redflag(DB, "screen --format jsonl --as-of %s %s '%s'", date, options,
                            rf_test_data(PARTIES));
    char *out;
    /* 1: something was flagged */
    e2e_expect(&r, 1);
    out = strdup(r.out);
    e2e_out_free(&r);
    return out;
}

static void expect_owned(const char *out, const char *name, const char *const *in_chain)
{
    char *line = e2e_party_line(out, name);
    if (!strstr(line, "\"kind\":\"owned\"")) fail_msg("%s not owned: %s", name, line);
    for (size_t i = 0; in_chain[i]; i++)
        if (!strstr(line, in_chain[i])) fail_msg("%s: no '%s' in %s", name, in_chain[i], line);
    free(line);
}

static void expect_clear(const char *out, const char *name)
{
    char *line = e2e_party_line(out, name);
    if (!strstr(line, "\"status\":\"clear\"")) fail_msg("%s not clear: %s", name, line);
    free(line);
}

static void test_ownership__ofac_50_percent_cases(void **state)
{
    char *out = screen("2025-10-15", "");
    const char *const fifty[] = {"50 % held by OOO VOLGA GROUP (listed on SDN as \\\"OOO VOLGA "
                                 "GROUP\\\", name match 1.00)",
                                 "as of 2024-01-01, line 2]", "OFAC 50 Percent Rule",
                                 "\"list\":\"OWNED\"", NULL};
    const char *const two[] = {"25 % held by OOO TRANSOIL",
                               "25 % held by JOINT STOCK COMPANY AEROSPACE DEFENSE CONCERN "
                               "ALMAZ-ANTEY",
                               "owned 50 % by listed or blocked parties", NULL};
    const char *const indirect[] = {"60 % held by Smartchip Integrated Inc. (owned 50 % by "
                                    "listed or blocked parties: 50 % held by OOO VOLGA GROUP",
                                    NULL};
    const char *const cycle[] = {"60 % held by Valenco GmbH (owned 50 %", NULL};
    (void)state;
    expect_owned(out, "Smartchip Integrated Inc.", fifty);
    /* 49 % by SMP BANK (SDN) and 49 % by an unlisted company */
    expect_clear(out, "INDUSNET Communication Technology Co.,LTD");
    expect_owned(out, "MOBIWIRE MOBILES (NINGBO) CO.,LTD", two);
    expect_owned(out, "Shenzhen Smart Intelligent Technology Co.Ltd", indirect);
    /* 40 % by SMP BANK through Q-Lab (unlisted, 100 %), and a 40 % "indirect" row */
    expect_clear(out, "Vocollect Inc");
    /* Valenco and BitRecords own each other; an unlisted pair too: the run ends */
    expect_owned(out, "BitRecords GmbH", cycle);
    expect_clear(out, "JOYNED GmbH");
    free(out);
}

static void test_ownership__affiliates_rule_follows_its_suspension(void **state)
{
    const char *const el[] = {"51 % held by Fazel Khalil Construction Company (listed on EL",
                              "BIS Affiliates rule", "90 FR 47201", NULL};
    const char *const after[] = {"90 FR 50857", NULL};
    char *before = screen("2025-10-15", ""), *during = screen("2026-01-15", ""),
         *later = screen("2026-12-01", "");
    (void)state;
    expect_owned(before, "RENEX CORPORATION", el);
    expect_clear(during, "RENEX CORPORATION");
    expect_owned(later, "RENEX CORPORATION", el);
    expect_owned(later, "RENEX CORPORATION", after);
    /* the OFAC rule is not suspended */
    expect_owned(during, "Smartchip Integrated Inc.", (const char *const[]){"OOO VOLGA", NULL});
    free(before);
    free(during);
    free(later);
}

static void test_ownership__gleif_consolidation_parent_is_related(void **state)
{
    const char *path = e2e_tmp("gleif-parties.csv");
    char *line;
    e2e_out r;
    (void)state;

    const char *parties = "name,country\nMONEYTECH GROUP LIMITED,AU\nMONOOVA FX PTY LTD,AU\n";
    assert_int_equal(rf_test_write_file(path, parties, strlen(parties)), 0);
    /* not an alarm by itself, but a hit to review: status review, exit status 0 */
    r = e2e_redflag(DB, "screen --format jsonl '%s'", path);
    e2e_expect(&r, 0);
    line = e2e_party_line(r.out, "MONEYTECH GROUP LIMITED");
    if (!strstr(line, "\"status\":\"review\"") || !strstr(line, "\"kind\":\"related\"") ||
        !strstr(line, "\"alarm\":false"))
        fail_msg("not a related finding to review: %s", line);
    free(line);
    if (!strstr(r.err, "1 to review")) fail_msg("%s", r.err);
    e2e_out_free(&r);

    r = e2e_redflag(DB, "screen --related-alarm --format jsonl '%s'", path);
    e2e_expect(&r, 1);
    line = e2e_party_line(r.out, "MONEYTECH GROUP LIMITED");
    if (!strstr(line, "\"kind\":\"related\"") ||
        !strstr(line, "consolidated by VTB BANK PUBLIC JOINT STOCK COMPANY "
                      "(IS_DIRECTLY_CONSOLIDATED_BY") ||
        !strstr(line, "same identifier") || !strstr(line, "not a share"))
        fail_msg("not related to VTB: %s", line);
    free(line);
    /* its subsidiary is consolidated by MONEYTECH, which is not listed */
    line = e2e_party_line(r.out, "MONOOVA FX PTY LTD");
    assert_non_null(strstr(line, "\"status\":\"clear\""));
    free(line);
    e2e_out_free(&r);
}

/* The relations the lists carry are links of their versions: a non-SDN entry OFAC writes as
 * "Linked To:" an SDN party is a related finding under the 50 percent rule; an Entity List
 * affiliate is listed itself, so its parent shows with its hit and no second finding is
 * made; lists status counts the links with their source. */
static void test_ownership__list_relations_are_links(void **state)
{
    const char *path = e2e_tmp("linked-parties.csv");
    const char *parties = "name,country\nBANK VTB 24 PUBLIC JOINT STOCK COMPANY,RU\n"
                          "Hangzhou Huawei Enterprises,CN\n";
    char *line;
    e2e_out r;
    (void)state;

    assert_int_equal(rf_test_write_file(path, parties, strlen(parties)), 0);
    r = e2e_redflag(DB, "screen --format jsonl '%s'", path);
    e2e_expect(&r, 1);
    line = e2e_party_line(r.out, "BANK VTB 24 PUBLIC JOINT STOCK COMPANY");
    if (!strstr(line, "\"kind\":\"related\"") ||
        !strstr(line, "is linked to VTB BANK PUBLIC JOINT STOCK COMPANY (Linked To [source SSI "
                      "remarks") ||
        !strstr(line, "listed on SDN as \\\"VTB BANK PUBLIC JOINT STOCK COMPANY\\\"") ||
        !strstr(line, "OFAC 50 Percent Rule"))
        fail_msg("no related finding from the Linked To: %s", line);
    free(line);
    line = e2e_party_line(r.out, "Hangzhou Huawei Enterprises");
    if (!strstr(line, "\"list\":\"EL\"") || strstr(line, "\"kind\":\"related\"") ||
        !strstr(line, "Huawei Technologies Co., Ltd."))
        fail_msg("the affiliate is not an EL hit naming its parent: %s", line);
    free(line);
    e2e_out_free(&r);

    r = e2e_redflag(DB, "lists status");
    e2e_expect(&r, 0);
    if (!strstr(r.out, "SSI remarks") || !strstr(r.out, "links      283 (0 with a share") || !strstr(r.out, "sources    EL entry naming its parent") ||
        !strstr(r.out, "links      12 (0 with a share") ||
        !strstr(r.out, "links      15 (15 with a share") || !strstr(r.out, "as of      2024-01-01"))
        fail_msg("%s", r.out);
    e2e_out_free(&r);
}

/* GLEIF's golden copy as JSON: the real level 1 file of 2024-05-05 (577 records) and the
 * level 2 excerpt converted to JSON with its invented link to VTB Bank's LEI. */
static void test_ownership__gleif_json_golden_copy(void **state)
{
    const char *db = "gleif-json.db", *path = e2e_tmp("json-parties.csv");
    const char *parties = "name,country\nMONEYTECH GROUP LIMITED,AU\n";
    char *line;
    e2e_out r;
    (void)state;

    /* its own database: a later version of the gleif-lei feed than the XML excerpt below */
    r = e2e_redflag("gleif-json-lei.db", "lists import --no-bundled '%s'",
                    rf_test_data("ownership/20240505-0000-gleif-goldencopy-lei2-intra-day.json.gz"));
    e2e_expect(&r, 0);
    if (!strstr(r.out, "gleif-lei, 577 rows, 577 entities") || !strstr(r.out, "published 2024-05-05"))
        fail_msg("%s", r.out);
    e2e_out_free(&r);
    r = e2e_redflag(db, "lists import --no-bundled --effective 2024-05-03 '%s'",
                    rf_test_data("lists/ofac/sdn_2024-05-03/sdn.csv.gz"));
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = e2e_redflag(db, "lists import --no-bundled '%s'",
                    rf_test_data("ownership/lei2_2023-11-06_group-excerpt.xml"));
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = e2e_redflag(db, "lists import --no-bundled '%s'",
                    rf_test_data("ownership/20231106-0000-gleif-goldencopy-rr-golden-copy_test-link.json"));
    e2e_expect(&r, 0);
    if (!strstr(r.out, "gleif-rr, 12 rows") || !strstr(r.out, "published 2023-11-06"))
        fail_msg("%s", r.out);
    if (!strstr(r.err, "4 relationship records not about consolidation")) fail_msg("%s", r.err);
    e2e_out_free(&r);
    assert_int_equal(rf_test_write_file(path, parties, strlen(parties)), 0);
    r = e2e_redflag(db, "screen --related-alarm --format jsonl '%s'", path);
    e2e_expect(&r, 1);
    line = e2e_party_line(r.out, "MONEYTECH GROUP LIMITED");
    if (!strstr(line, "consolidated by VTB BANK PUBLIC JOINT STOCK COMPANY "
                      "(IS_DIRECTLY_CONSOLIDATED_BY [source REDFLAG_TEST_INVENTED_LINK"))
        fail_msg("not related to VTB from the JSON: %s", line);
    free(line);
    e2e_out_free(&r);
}

/* A related finding without --related-alarm is reviewed like any hit: amber in the HTML
 * worklist, "to review" in CSV, decided with review clear, listed by review list, and then
 * cleared on the next screening. */
static void test_ownership__related_finding_is_a_review_item(void **state)
{
    const char *path = e2e_tmp("related-parties.csv"), *html = e2e_tmp("related.html");
    const char *parties = "name,country\nMONEYTECH GROUP LIMITED,AU\n";
    char *page, *line;
    e2e_out r;
    (void)state;

    assert_int_equal(rf_test_write_file(path, parties, strlen(parties)), 0);
    r = e2e_redflag(DB, "screen -o '%s' '%s'", html, path);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    page = rf_test_read_file(html, NULL);
    assert_non_null(page);
    if (!strstr(page, "verdict amber") || !strstr(page, "must be reviewed") ||
        !strstr(page, "MONEYTECH GROUP LIMITED") || !strstr(page, "consolidated by VTB BANK"))
        fail_msg("no related finding to review in the HTML report");
    free(page);
    r = e2e_redflag(DB, "screen --format csv '%s'", path);
    e2e_expect(&r, 0);
    if (!strstr(r.out, ",review,") || !strstr(r.out, "related: MONEYTECH GROUP LIMITED is consolidated by"))
        fail_msg("%s", r.out);
    e2e_out_free(&r);

    r = e2e_redflag(DB, "review clear --name 'MONEYTECH GROUP LIMITED' --country AU "
                        "--entity 984500501A1B1045PB30 --list GLEIF "
                        "--reason 'consolidation ended, checked with the registry' "
                        "--reviewer tester");
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = e2e_redflag(DB, "review list");
    e2e_expect(&r, 0);
    if (!strstr(r.out, "MONEYTECH GROUP LIMITED") || !strstr(r.out, "GLEIF 984500501A1"))
        fail_msg("%s", r.out);
    e2e_out_free(&r);
    r = e2e_redflag(DB, "screen --related-alarm --format jsonl '%s'", path);
    e2e_expect(&r, 0);
    line = e2e_party_line(r.out, "MONEYTECH GROUP LIMITED");
    if (!strstr(line, "\"status\":\"cleared\"")) fail_msg("not cleared: %s", line);
    free(line);
    e2e_out_free(&r);
}

static void test_ownership__csv_and_html_carry_the_chain(void **state)
{
    const char *html = e2e_tmp("owned.html");
    char *page;
    e2e_out r = e2e_redflag(DB, "screen --format csv --as-of 2025-10-15 '%s'",
                            rf_test_data(PARTIES));
    (void)state;
    e2e_expect(&r, 1);
    assert_non_null(strstr(r.out, ",OWNED,"));
    assert_non_null(strstr(r.out, "owned: Smartchip Integrated Inc. (owned 50 %"));
    e2e_out_free(&r);
    r = e2e_redflag(DB, "screen -o '%s' --as-of 2025-10-15 '%s'", html, rf_test_data(PARTIES));
    e2e_expect(&r, 1);
    e2e_out_free(&r);
    page = rf_test_read_file(html, NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "Ownership chain"));
    assert_non_null(strstr(page, "50 % held by OOO VOLGA GROUP"));
    free(page);
}

static void test_ownership__rules_table_can_be_replaced(void **state)
{
    const char *rules = e2e_tmp("rules.tsv"), *bad = e2e_tmp("bad-rules.tsv");
    const char *sixty = "ofac-60\tstricter test rule\tSDN\t60\t2000-01-01\t\ttest\n";
    char *line;
    e2e_out r;
    (void)state;
    assert_int_equal(rf_test_write_file(rules, sixty, strlen(sixty)), 0);
    r = e2e_redflag(DB, "screen --format jsonl --as-of 2025-10-15 --ownership-rules '%s' '%s'",
                    rules, rf_test_data(PARTIES));
    /* 60 %: the 60 % holdings of a blocked company still are, the 50 % ones are not */
    line = e2e_party_line(r.out, "Smartchip Integrated Inc.");
    assert_non_null(strstr(line, "\"status\":\"clear\""));
    free(line);
    line = e2e_party_line(r.out, "RENEX CORPORATION"); /* no EL rule in this table */
    assert_non_null(strstr(line, "\"status\":\"clear\""));
    free(line);
    e2e_out_free(&r);

    const char *fifty = "ofac\tx\tSDN\tfifty\t2000-01-01\t\tt\n";
    assert_int_equal(rf_test_write_file(bad, fifty, strlen(fifty)), 0);
    r = e2e_redflag(DB, "screen --ownership-rules '%s' '%s'", bad, rf_test_data(PARTIES));
    e2e_expect(&r, 2);
    if (!strstr(r.err, ":1:") || !strstr(r.err, "threshold")) fail_msg("%s", r.err);
    e2e_out_free(&r);
}

/* Runs last: it records a decision in the group's database. */
static void test_ownership__owned_hit_is_reviewed_like_any(void **state)
{
    char *out = screen("2025-10-15", ""), *line;
    /* the hit comes from a screen as of 2025-10-15, which keeps no counterparty state: review
     * checks the decision against the latest run that screened the party */
    e2e_out r;
    free(out);
    r = e2e_redflag(DB, "review clear --name 'RENEX CORPORATION' --country US "
                                "--entity 'renex corporation|US' --list OWNED "
                                "--reason 'another Renex' --reviewer tester");
    (void)state;
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    out = screen("2025-10-15", "");
    line = e2e_party_line(out, "RENEX CORPORATION");
    if (!strstr(line, "\"state\":\"cleared\"") || !strstr(line, "\"decided_by\":\"tester\""))
        fail_msg("not cleared: %s", line);
    free(line);
    free(out);
}

static void test_ownership__bad_share_is_refused_with_its_line(void **state)
{
    const char *csv = e2e_tmp("bad-links.csv");
    const char *text = "owner,owned,share\nOOO VOLGA GROUP,Valenco GmbH,50\n"
                       "SMP BANK,BitRecords GmbH,half\n";
    e2e_out r;
    (void)state;
    assert_int_equal(rf_test_write_file(csv, text, strlen(text)), 0);
    r = e2e_redflag("bad-links.db", "lists import --no-bundled '%s'", csv);
    e2e_expect(&r, 2);
    if (!strstr(r.err, "bad-links.csv:3:") || !strstr(r.err, "\"half\""))
        fail_msg("%s", r.err);
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ownership__ofac_50_percent_cases),
        cmocka_unit_test(test_ownership__affiliates_rule_follows_its_suspension),
        cmocka_unit_test(test_ownership__gleif_consolidation_parent_is_related),
        cmocka_unit_test(test_ownership__csv_and_html_carry_the_chain),
        cmocka_unit_test(test_ownership__rules_table_can_be_replaced),
        cmocka_unit_test(test_ownership__bad_share_is_refused_with_its_line),
        cmocka_unit_test(test_ownership__list_relations_are_links),
        cmocka_unit_test(test_ownership__gleif_json_golden_copy),
        cmocka_unit_test(test_ownership__related_finding_is_a_review_item),
        cmocka_unit_test(test_ownership__owned_hit_is_reviewed_like_any),
    };
    return cmocka_run_group_tests(tests, import_all, NULL);
}
