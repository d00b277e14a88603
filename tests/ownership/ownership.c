/* ownership.c: the ownership module as a library (rf_ownership.h): the rules table compiled
 * in and its periods in force, and the computation over links held in memory against the
 * bundled list (its SDN entries, VTB Bank's LEI among their identifiers): owners resolved by
 * identifier and by name, shares of several listed owners added, one owner counted once
 * however many sources give the link, links outside their dates left out, cycles ended. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "importers/rf_importers.h"
#include "ownership/rf_ownership.h"
#include "rf_test.h"

static void test_ownership__built_in_rules_and_their_periods(void **state)
{
    rf_ownership_rules *rules = NULL;
    rf_error err;
    const rf_ownership_rule *ofac = NULL;
    int affiliates_on[4] = {0};
    const char *dates[4] = {"2025-09-28", "2025-10-15", "2026-01-15", "2026-12-01"};
    (void)state;
    assert_int_equal(rf_ownership_rules_load(&rules, NULL, &err), RF_OK);
    for (size_t i = 0; i < rf_ownership_rules_count(rules); i++) {
        const rf_ownership_rule *r = rf_ownership_rules_get(rules, i);
        if (strcmp(r->code, "ofac-50") == 0) ofac = r;
        if (strcmp(r->code, "bis-affiliates") != 0) continue;
        assert_string_equal(r->lists, "EL,MEU");
        for (int d = 0; d < 4; d++) affiliates_on[d] |= rf_ownership_rule_in_force(r, dates[d]);
    }
    assert_non_null(ofac);
    assert_true(ofac->threshold == 50);
    assert_true(rf_ownership_rule_in_force(ofac, "2026-01-15"));
    /* before it took effect, in force, suspended by 90 FR 50857, in force again */
    assert_int_equal(affiliates_on[0], 0);
    assert_int_equal(affiliates_on[1], 1);
    assert_int_equal(affiliates_on[2], 0);
    assert_int_equal(affiliates_on[3], 1);
    rf_ownership_rules_free(rules);
}

static rf_link link_of(const char *owner, const char *owner_ids, const char *owned, double share,
                       const char *start, long line)
{
    rf_link l;
    memset(&l, 0, sizeof l);
    l.owner_name = owner;
    l.owner_ids = owner_ids;
    l.owned_name = owned;
    l.share_min = l.share_max = share;
    l.kind = RF_LINK_OWNERSHIP;
    l.direct = 1;
    l.start_date = start;
    l.source_line = line;
    return l;
}

static const rf_owned *find(const rf_owned_list *found, const char *name)
{
    for (size_t i = 0; i < found->count; i++)
        if (found->items[i].name && strcmp(found->items[i].name, name) == 0)
            return &found->items[i];
    return NULL;
}

static void test_ownership__compute_aggregates_and_terminates(void **state)
{
    rf_store *st = NULL;
    rf_snapshot *snap = NULL;
    rf_matcher *m = NULL;
    rf_ownership_rules *rules = NULL;
    rf_owned_list found;
    rf_error err;
    const rf_owned *valenco;
    const rf_link links[] = {
        /* VTB Bank by its LEI alone, OOO VOLGA GROUP by its name: 25 + 25 */
        link_of(NULL, "LEI 253400V1H6ART1UQ0N98", "Valenco GmbH", 25, NULL, 2),
        link_of("OOO VOLGA GROUP", NULL, "Valenco GmbH", 25, NULL, 3),
        /* from 2030 on only */
        link_of("Valenco GmbH", NULL, "BitRecords GmbH", 50, "2030-01-01", 4),
        link_of("BitRecords GmbH", NULL, "Valenco GmbH", 100, NULL, 5),
        /* one owner, two sources: 30 %, not 60 */
        link_of("OOO VOLGA GROUP", NULL, "JOYNED GmbH", 30, NULL, 6),
        link_of("OOO VOLGA GROUP", NULL, "JOYNED GmbH", 30, NULL, 7),
    };
    (void)state;
    assert_int_equal(rf_test_bundled(&st, &snap, &m, "ownership_compute.db"), 0);
    assert_int_equal(rf_ownership_rules_load(&rules, NULL, &err), RF_OK);

    assert_int_equal(rf_ownership_compute(&found, links, 6, NULL, snap, m, rules, "2025-10-15",
                                          &err), RF_OK);
    assert_int_equal(found.count, 1);
    valenco = find(&found, "Valenco GmbH");
    assert_non_null(valenco);
    assert_true(valenco->share == 50);
    assert_string_equal(valenco->rule->code, "ofac-50");
    assert_non_null(strstr(valenco->chain, "same identifier"));
    assert_non_null(strstr(valenco->chain, "25 % held by OOO VOLGA GROUP"));
    assert_non_null(strstr(valenco->owners, "VTB"));
    rf_owned_list_free(&found);

    /* in 2031 the link to BitRecords holds: blocked through Valenco, and the cycle ends */
    assert_int_equal(rf_ownership_compute(&found, links, 6, NULL, snap, m, rules, "2031-01-01",
                                          &err), RF_OK);
    assert_int_equal(found.count, 2);
    assert_non_null(find(&found, "BitRecords GmbH"));
    assert_null(find(&found, "JOYNED GmbH"));
    rf_owned_list_free(&found);

    rf_ownership_rules_free(rules);
    rf_matcher_free(m);
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_ownership__gleif_files_import_streamed(void **state)
{
    rf_store *st = rf_test_store("ownership_gleif.db");
    rf_import_summary sum;
    rf_version_list versions = {0};
    rf_link_list links = {0};
    rf_snapshot *lei = NULL;
    rf_error err;
    (void)state;
    assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("ownership/lei2_2023-06-05_excerpt.xml"),
                                         NULL, &err), RF_OK);
    assert_int_equal(sum.format, RF_LIST_GLEIF_LEI);
    assert_int_equal(sum.entities, 13);
    assert_string_equal(sum.published, "2023-06-05");
    assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("ownership/rr_2023-06-05_excerpt.xml"),
                                         NULL, &err), RF_OK);
    assert_int_equal(sum.format, RF_LIST_GLEIF_RR);
    /* 8 fund-management and sub-fund records are said in one warning, not read */
    assert_int_equal(sum.warnings, 1);

    assert_int_equal(rf_store_versions_in_force(&versions, st, "2023-07-01", &err), RF_OK);
    assert_int_equal(rf_store_links_load(&links, st, &versions, &err), RF_OK);
    assert_int_equal(links.count, 2);
    assert_string_equal(links.items[0].relation, "IS_DIRECTLY_CONSOLIDATED_BY");
    assert_int_equal(links.items[0].direct, 1);
    assert_int_equal(links.items[0].kind, RF_LINK_CONSOLIDATION);
    assert_true(links.items[0].share_min < 0);
    /* the relationship's own period, not the accounting period before it */
    assert_string_equal(links.items[0].start_date, "2018-02-06");
    assert_null(links.items[0].end_date);
    assert_string_equal(links.items[1].relation, "IS_ULTIMATELY_CONSOLIDATED_BY");
    assert_int_equal(links.items[1].direct, 0);
    assert_non_null(strstr(links.items[1].owned_ids, "LEI "));

    /* the LEI records are companies described, not listed parties: not screened as such */
    assert_int_equal(rf_snapshot_load_ownership(&lei, st, &versions, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(lei), 13);
    assert_string_equal(rf_snapshot_entity(lei, 0)->list_code, "GLEIF");
    rf_snapshot_free(lei);
    rf_link_list_free(&links);
    rf_version_list_free(&versions);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ownership__built_in_rules_and_their_periods),
        cmocka_unit_test(test_ownership__compute_aggregates_and_terminates),
        cmocka_unit_test(test_ownership__gleif_files_import_streamed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
