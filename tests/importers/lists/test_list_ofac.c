/* tests/importers/lists/test_list_ofac.c: OFAC's files through a real store: the legacy CSV
 * set of July 2021 (sdn.csv joined with add.csv, alt.csv and sdn_comments.csv on ent_num,
 * imported as a directory and as its main file), the SDN CSV of May 2024 alone (its missing
 * companions are warnings), the non-SDN set of December 2025 (each entry on the list its
 * programs name), the sdn.xml and consolidated.xml excerpts of 2014, and an SDN_ADVANCED.xml
 * sample written from the schema; the version's sha256 over a set; a companion alone is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "importers/rf_importers.h"
#include "list_test_util.h"
#include "rf_test.h"

/* rf_test_data's buffer is reused by the next call: a copy per path. */
static const char *data_path(char *buf, size_t size, const char *relative)
{
    snprintf(buf, size, "%s", rf_test_data(relative));
    return buf;
}

/* The sha256 of a file's bytes as the store records it. */
static void file_sha(char out[65], const char *path)
{
    size_t len;
    char *data = rf_test_read_file(path, &len);
    assert_non_null(data);
    rf_sha256_hex(out, data, len);
    free(data);
}

static const rf_version *version(const rf_snapshot *snap, const char *feed)
{
    const rf_version_list *v = rf_snapshot_versions(snap);
    for (size_t i = 0; i < v->count; i++)
        if (strcmp(v->items[i].feed, feed) == 0) return &v->items[i];
    return NULL;
}

/* ---- the legacy CSV --------------------------------------------------------------------- */

static void test_ofac_csv__2021_set_joined_on_ent_num(void **state)
{
    rf_store *st = rf_test_store("sdn2021.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    const rf_entity *e;
    list_count counts[] = {{"SDN", 8976, -1}, {NULL, 0, 0}};
    size_t persons = 0, vessels = 0, aircraft = 0, formers = 0, weak = 0, addresses = 0;
    size_t countries = 0, coded = 0;
    char dir[1024], path[1024], sha[65], hex[65];
    rf_sha256 h;
    struct timespec t0, t1;
    (void)state;

    /* A directory is read as the set it holds (its sdn.csv is gzipped here). */
    data_path(dir, sizeof dir, "lists/ofac/sdn_2021-07");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(import_ok(&sum, st, dir, NULL, &w), RF_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("OFAC SDN CSV set of 2021 (8,976 entries, 4 files): %.3f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    assert_int_equal(sum.format, RF_LIST_OFAC_SDN_CSV);
    assert_string_equal(rf_list_format_name(sum.format), "ofac-sdn-csv");
    assert_int_equal(sum.rows, 8976);
    assert_int_equal(sum.entities, 8976);
    assert_int_equal(sum.names, 23321);
    assert_int_equal(w.count, 0);
    assert_string_equal(sum.published, ""); /* the CSV states no date */
    assert_counts(st, sum.version_id, counts);

    snap = load_snapshot(st);
    assert_string_equal(version(snap, "ofac-sdn")->format, "ofac-sdn-csv");
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *x = rf_snapshot_entity(snap, i);
        persons += x->type == RF_ENTITY_PERSON;
        vessels += x->type == RF_ENTITY_VESSEL;
        aircraft += x->type == RF_ENTITY_AIRCRAFT;
        addresses += x->n_addresses;
        for (size_t k = 0; k < x->n_addresses; k++) {
            countries += x->addresses[k].country != NULL;
            coded += x->addresses[k].country && strlen(x->addresses[k].country) == 2;
        }
        for (size_t k = 0; k < x->n_names; k++) {
            formers += x->names[k].kind == RF_NAME_FORMER;
            weak += x->names[k].kind == RF_NAME_WEAK_ALIAS;
        }
    }
    assert_int_equal(persons, 4620);
    assert_int_equal(vessels, 406);
    assert_int_equal(aircraft, 277);
    assert_int_equal(formers, 369);   /* alt.csv's "fka" rows */
    assert_int_equal(weak, 2441);     /* the quoted a.k.a.s of the remarks */
    assert_int_equal(addresses, 11440); /* add.csv's rows that say something, once each */
    /* Countries written out become ISO codes, as the CSL has them: all but 21 ("undetermined",
     * "Region: Gaza", ...). */
    assert_int_equal(countries, 11399);
    assert_int_equal(coded, 11378);

    /* alt.csv's a.k.a., the remarks' weak a.k.a. and add.csv's four addresses. */
    e = find_id(snap, "SDN", "306");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "BANCO NACIONAL DE CUBA");
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    assert_string_equal(e->programs, "CUBA");
    assert_true(has_name(e, "NATIONAL BANK OF CUBA", RF_NAME_ALIAS));
    assert_true(has_name(e, "BNC", RF_NAME_WEAK_ALIAS));
    assert_int_equal(e->n_addresses, 4);
    assert_string_equal(e->addresses[0].text, "Zweierstrasse 35, Zurich CH-8022");
    assert_string_equal(e->addresses[0].country, "CH"); /* "Switzerland" as a code */
    assert_string_equal(e->list_name, "Specially Designated Nationals (SDN) - Treasury Department");

    /* A remark cut at 1,000 characters goes on in sdn_comments.csv, mid-word: the weak
     * alias that spans the cut is whole, and the programs are split. */
    e = find_id(snap, "SDN", "28263");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "TIAN, Yinyin");
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_string_equal(e->programs, "DPRK3; CYBER2");
    assert_int_equal(strlen(e->remarks), 1030);
    assert_non_null(strstr(e->remarks, "a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP."));
    assert_true(has_name(e, "snowsjohn", RF_NAME_WEAK_ALIAS));
    assert_true(has_name(e, "tianyinyin0404", RF_NAME_WEAK_ALIAS));
    assert_string_equal(e->dates_of_birth, "12 Jul 1986");
    assert_string_equal(e->nationalities, "CN");
    assert_string_equal(e->ids, "Identification Number 321284198607120616 (China)");

    /* The version's sha256 is over the set: "NAME HEX\n" per file, in set order. */
    rf_sha256_init(&h);
    {
        static const char *const files[][2] = {{"sdn.csv", "sdn.csv.gz"}, {"add.csv", "add.csv"},
                                               {"alt.csv", "alt.csv"},
                                               {"sdn_comments.csv", "sdn_comments.csv"}};
        for (size_t i = 0; i < 4; i++) {
            char rel[256], line[128];
            snprintf(rel, sizeof rel, "lists/ofac/sdn_2021-07/%s", files[i][1]);
            file_sha(hex, data_path(path, sizeof path, rel));
            snprintf(line, sizeof line, "%s %s\n", files[i][0], hex);
            rf_sha256_update(&h, line, strlen(line));
        }
    }
    rf_sha256_final_hex(&h, sha);
    assert_string_equal(version(snap, "ofac-sdn")->sha256, sha);
    rf_snapshot_free(snap);

    /* Naming the main file finds the same companions: the same set, already imported. */
    assert_int_equal(import_ok(&sum, st, data_path(path, sizeof path,
                                                   "lists/ofac/sdn_2021-07/sdn.csv.gz"),
                               NULL, &w),
                     RF_OK);
    assert_int_equal(sum.already_imported, 1);
    assert_int_equal(count_versions(st), 1);
    rf_store_close(st);
}

static void test_ofac_csv__2024_sdn_alone_warns_of_its_missing_companions(void **state)
{
    rf_store *st = rf_test_store("sdn2024.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    const rf_entity *e;
    list_count counts[] = {{"SDN", 14965, -1}, {NULL, 0, 0}};
    char path[1024], sha[65];
    (void)state;

    data_path(path, sizeof path, "lists/ofac/sdn_2024-05-03/sdn.csv.gz");
    assert_int_equal(import_ok(&sum, st, path, "2024-05-03", &w), RF_OK);
    assert_int_equal(sum.format, RF_LIST_OFAC_SDN_CSV);
    assert_int_equal(sum.rows, 14965);
    assert_int_equal(sum.entities, 14965);
    assert_int_equal(w.count, 3);
    assert_non_null(strstr(w.text[0], "no add.csv beside this file"));
    assert_non_null(strstr(w.text[1], "no alt.csv"));
    assert_non_null(strstr(w.text[2], "no sdn_comments.csv"));
    assert_counts(st, sum.version_id, counts);

    snap = load_snapshot(st);
    /* Alone, the file's own sha256 stands for the version. */
    file_sha(sha, path);
    assert_string_equal(version(snap, "ofac-sdn")->sha256, sha);
    assert_string_equal(version(snap, "ofac-sdn")->published, "2024-05-03");
    e = find_id(snap, "SDN", "306");
    assert_non_null(e);
    assert_true(has_name(e, "BNC", RF_NAME_WEAK_ALIAS)); /* from the remarks alone */
    assert_int_equal(e->n_addresses, 0);
    e = find_id(snap, "SDN", "2676");
    assert_non_null(e);
    assert_string_equal(e->dates_of_birth, "19 Jun 1951");
    assert_string_equal(e->ids, "Passport 1084010 (Egypt); Passport 19820215");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_ofac_csv__non_sdn_set_puts_each_entry_on_its_list(void **state)
{
    rf_store *st = rf_test_store("cons.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    const rf_entity *e;
    list_count counts[] = {{"SSI", 286, -1}, {"PLC", 78, -1},  {"CMIC", 68, -1},
                           {"NS-MBS", 9, -1}, {"CAP", 1, -1},  {NULL, 0, 0}};
    char dir[1024];
    (void)state;

    assert_int_equal(import_ok(&sum, st, data_path(dir, sizeof dir, "lists/ofac/non_sdn_2025-12"),
                               NULL, &w),
                     RF_OK);
    assert_int_equal(sum.format, RF_LIST_OFAC_CONS_CSV);
    assert_int_equal(sum.entities, 442);
    assert_int_equal(w.count, 0);
    assert_counts(st, sum.version_id, counts);

    snap = load_snapshot(st);
    assert_non_null(version(snap, "ofac-cons"));
    assert_null(version(snap, "ofac-sdn"));
    e = find(snap, "NS-MBS", "MYANMA OIL AND GAS ENTERPRISE");
    assert_non_null(e);
    assert_string_equal(e->programs, "BURMA-EO14014");
    assert_true(has_name(e, "MOGE", RF_NAME_WEAK_ALIAS));
    assert_true(has_name(e, "M.O.G.E.", RF_NAME_WEAK_ALIAS));
    e = find(snap, "NS-MBS", "MARTELLY, Michel Joseph");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_string_equal(e->dates_of_birth, "12 Feb 1961");
    assert_true(has_name(e, "Sweet Micky", RF_NAME_WEAK_ALIAS));
    e = find(snap, "PLC", "HANIYA, Ismail Abdul Salah");
    assert_non_null(e);
    assert_true(has_name(e, "HANIYYA, Ismaeel", RF_NAME_ALIAS));
    assert_string_equal(e->list_name, "Palestinian Legislative Council List (PLC) - Treasury Department");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_ofac_csv__a_companion_alone_is_not_a_list(void **state)
{
    rf_store *st = rf_test_store("companion.db");
    rf_import_summary sum;
    rf_error err;
    char path[1024];
    (void)state;

    data_path(path, sizeof path, "lists/ofac/sdn_2021-07/add.csv");
    assert_int_equal(rf_import_list_file(&sum, st, path, NULL, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "not a list file"));
    assert_non_null(strstr(err.message, "sdn.csv or cons_prim.csv with their companions"));
    /* A directory without a set says what it looked for. */
    assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("lists/un"), NULL, &err),
                     RF_ENOTFOUND);
    assert_non_null(strstr(err.message, "sdn.csv or cons_prim.csv"));
    assert_int_equal(count_versions(st), 0);
    rf_store_close(st);
}

/* ---- the XML ---------------------------------------------------------------------------- */

static void test_ofac_xml__sdn_and_consolidated_excerpts(void **state)
{
    rf_store *st = rf_test_store("ofacxml.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    const rf_entity *e;
    list_count sdn[] = {{"SDN", 4, -1}, {NULL, 0, 0}};
    list_count cons[] = {{"SSI", 4, -1}, {"PLC", 6, -1}, {"FSE", 3, -1}, {"NS-MBS", 2, -1},
                         {"CAP", 1, -1}, {NULL, 0, 0}};
    char path[1024];
    (void)state;

    assert_int_equal(import_ok(&sum, st, data_path(path, sizeof path, "lists/ofac/sdn_xml_sample_2019.xml"),
                               NULL, &w),
                     RF_OK);
    assert_int_equal(sum.format, RF_LIST_OFAC_SDN_XML);
    assert_string_equal(sum.published, "2014-07-16"); /* Publish_Date 07/16/2014 */
    assert_counts(st, sum.version_id, sdn);
    assert_int_equal(import_ok(&sum, st,
                               data_path(path, sizeof path, "lists/ofac/consolidated_xml_sample_2019.xml"),
                               NULL, &w),
                     RF_OK);
    assert_int_equal(sum.format, RF_LIST_OFAC_CONS_XML);
    assert_string_equal(sum.published, "2014-12-17");
    assert_int_equal(sum.entities, 16);
    assert_counts(st, sum.version_id, cons);
    assert_int_equal(w.count, 0);

    snap = load_snapshot(st);
    assert_non_null(version(snap, "ofac-sdn"));
    assert_non_null(version(snap, "ofac-cons"));
    e = find_id(snap, "SDN", "306");
    assert_non_null(e);
    assert_true(has_name(e, "BNC", RF_NAME_WEAK_ALIAS)); /* category weak */
    assert_true(has_name(e, "NATIONAL BANK OF CUBA", RF_NAME_ALIAS));
    assert_int_equal(e->n_addresses, 4);
    assert_string_equal(e->addresses[3].text, "Federico Boyd Avenue & 51 Street, Panama City");
    e = find_id(snap, "SDN", "6982");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "JIM'ALE, Ahmed Nur Ali");
    assert_true(has_name(e, "JUMALI, Ahmed Ali", RF_NAME_ALIAS));
    assert_string_equal(e->ids, "Passport A0181988 (Somalia)");
    assert_string_equal(e->dates_of_birth, "20 May 1954; circa 1954");
    e = find_id(snap, "SDN", "11043");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_VESSEL);
    assert_true(has_name(e, "IRAN BRIGHTNESS", RF_NAME_FORMER));
    e = find_id(snap, "SSI", "17013");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "VTB BANK OAO");
    assert_true(has_name(e, "VNESHTORGBANK", RF_NAME_FORMER));
    e = find_id(snap, "PLC", "9639");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON); /* nspType, the older consolidated file */
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_sdn_advanced__sample_resolves_its_references(void **state)
{
    rf_store *st = rf_test_store("advanced.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    const rf_entity *e;
    list_count counts[] = {{"SDN", 3, -1}, {NULL, 0, 0}};
    char path[1024];
    (void)state;

    assert_int_equal(import_ok(&sum, st, data_path(path, sizeof path, "lists/sdn_advanced_sample.xml"),
                               NULL, &w),
                     RF_OK);
    assert_int_equal(sum.format, RF_LIST_SDN_ADVANCED);
    assert_string_equal(sum.published, "2024-05-03");
    assert_int_equal(w.count, 0);
    assert_counts(st, sum.version_id, counts);

    snap = load_snapshot(st);
    assert_non_null(version(snap, "ofac-sdn"));
    e = find_id(snap, "SDN", "6982");
    assert_non_null(e);
    /* Name parts typed by their groups: "LAST, First" whatever their order. */
    assert_string_equal(e->names[0].text, "JIM'ALE, Ahmed Nur Ali");
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_true(has_name(e, "JUMALI, Ahmed Ali", RF_NAME_ALIAS));
    assert_true(has_name(e, "JIMALE, Sheikh Ahmed", RF_NAME_ALIAS));
    assert_string_equal(e->programs, "SDGT");
    assert_string_equal(e->start_date, "2001-11-07");
    assert_string_equal(e->dates_of_birth, "1954-05-20");
    assert_string_equal(e->nationalities, "SO");
    assert_string_equal(e->ids, "A0181988 (Somalia)");
    assert_int_equal(e->n_addresses, 2);
    assert_string_equal(e->addresses[0].text, "P.O. Box 3312, Dubai");
    assert_string_equal(e->addresses[0].city, "Dubai");
    assert_string_equal(e->addresses[0].country, "AE");
    e = find_id(snap, "SDN", "306");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "BANCO NACIONAL DE CUBA");
    assert_true(has_name(e, "BNC", RF_NAME_WEAK_ALIAS)); /* LowQuality */
    assert_int_equal(e->n_addresses, 4);
    assert_string_equal(e->addresses[1].country, "ES");
    e = find_id(snap, "SDN", "36");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "AEROCARIBBEAN AIRLINES");
    assert_true(has_name(e, "AERO-CARIBBEAN", RF_NAME_ALIAS));
    assert_string_equal(e->addresses[0].city, "Havana");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ofac_csv__2021_set_joined_on_ent_num),
        cmocka_unit_test(test_ofac_csv__2024_sdn_alone_warns_of_its_missing_companions),
        cmocka_unit_test(test_ofac_csv__non_sdn_set_puts_each_entry_on_its_list),
        cmocka_unit_test(test_ofac_csv__a_companion_alone_is_not_a_list),
        cmocka_unit_test(test_ofac_xml__sdn_and_consolidated_excerpts),
        cmocka_unit_test(test_sdn_advanced__sample_resolves_its_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
