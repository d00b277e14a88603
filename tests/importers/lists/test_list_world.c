/* tests/importers/lists/test_list_world.c: the UN, UK and EU lists through a real store: the
 * UN Security Council Consolidated List of 27 February 2026 (730 individuals, 273 entities,
 * aliases by quality, names in their own script), the UK OFSI Consolidated List of 13 April
 * 2018 (9,487 rows, one per alias, joined into 2,106 parties), a sample of the current FCDO
 * UK Sanctions List layout, the EU Financial Sanctions File CSV of 4 July 2018 (Latin-1, the
 * first 1,000 lines: 93 entities; and the same cut mid-line) and an EU XML sample. */
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

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Imports one file of tests/data into a new store and loads it; *sum is filled. */
static rf_snapshot *import_one(rf_store **st, rf_import_summary *sum, warnings *w,
                               const char *db, const char *relative, const char *label)
{
    char path[1024];
    struct timespec t0;

    snprintf(path, sizeof path, "%s", rf_test_data(relative));
    *st = rf_test_store(db);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(import_ok(sum, *st, path, NULL, w), RF_OK);
    /* A figure for people, not an assertion. */
    printf("%s: %.3f s\n", label, seconds_since(&t0));
    return load_snapshot(*st);
}

static size_t count_type(const rf_snapshot *snap, rf_entity_type type)
{
    size_t n = 0;
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) n += rf_snapshot_entity(snap, i)->type == type;
    return n;
}

static size_t count_kind(const rf_snapshot *snap, rf_name_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        for (size_t k = 0; k < e->n_names; k++) n += e->names[k].kind == kind;
    }
    return n;
}

/* ---- UN --------------------------------------------------------------------------------- */

static void test_un__consolidated_list_of_2026(void **state)
{
    rf_store *st;
    rf_import_summary sum;
    warnings w = {0};
    list_count counts[] = {{"UN", 1003, -1}, {NULL, 0, 0}};
    rf_snapshot *snap = import_one(&st, &sum, &w, "un.db", "lists/un/UN_consolidated_2026-02-27.xml.gz",
                                   "UN consolidated XML (1,003 parties, 2 MB)");
    const rf_entity *e;
    (void)state;

    assert_int_equal(sum.format, RF_LIST_UN_XML);
    assert_string_equal(rf_list_format_name(sum.format), "un-xml");
    assert_string_equal(sum.published, "2026-02-27"); /* dateGenerated */
    /* Dates written as xs:date with a zone ("2015-04-07-04:00") are dates too. */
    assert_int_equal(w.count, 0);
    assert_counts(st, sum.version_id, counts);
    assert_int_equal(count_type(snap, RF_ENTITY_PERSON), 730);
    assert_int_equal(count_type(snap, RF_ENTITY_ORGANIZATION), 273);
    assert_int_equal(count_kind(snap, RF_NAME_WEAK_ALIAS), 615); /* QUALITY Low */
    assert_int_equal(count_kind(snap, RF_NAME_FORMER), 18);      /* QUALITY f.k.a. */
    assert_int_equal(count_kind(snap, RF_NAME_ORIGINAL), 377);
    /* Every country the UN writes out is known by its ISO code. */
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *x = rf_snapshot_entity(snap, i);
        for (size_t k = 0; k < x->n_addresses; k++)
            assert_true(!x->addresses[k].country || strlen(x->addresses[k].country) == 2);
    }

    /* FIRST_NAME SECOND_NAME THIRD_NAME FOURTH_NAME, and the name in Arabic script. */
    e = find_id(snap, "UN", "QDi.380");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "ABD AL-LATIF BIN ABDALLAH SALIH MUHAMMAD AL-KAWARI");
    assert_true(has_name(e, "عبداللطیف بن عبدلله صالح محمد الكواري", RF_NAME_ORIGINAL));
    assert_true(has_name(e, "Abu Ali al-Kawari", RF_NAME_ALIAS));
    assert_string_equal(e->programs, "Al-Qaida");
    assert_string_equal(e->start_date, "2015-09-21");
    assert_string_equal(e->nationalities, "QA");
    assert_string_equal(e->dates_of_birth, "1973-09-28");
    assert_non_null(strstr(e->ids, "Passport 00754833 (Qatar)"));
    assert_string_equal(e->list_name, "United Nations Security Council Consolidated List");

    e = find_id(snap, "UN", "CDi.002");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "FRANK KAKOLELE BWAMBALE");
    assert_true(has_name(e, "AIGLE BLANC", RF_NAME_ALIAS));
    assert_string_equal(e->title, "FARDC General");
    assert_int_equal(e->n_addresses, 1);
    assert_string_equal(e->addresses[0].city, "Kinshasa");

    e = find_id(snap, "UN", "KPe.018");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    assert_string_equal(e->names[0].text, "SECOND ACADEMY OF NATURAL SCIENCES");
    assert_true(has_name(e, "SANSRI", RF_NAME_ALIAS)); /* QUALITY a.k.a. */
    assert_string_equal(e->addresses[0].country, "KP"); /* "Democratic People's Republic of Korea" */
    rf_snapshot_free(snap);
    rf_store_close(st);
}

/* ---- UK --------------------------------------------------------------------------------- */

static void test_uk__ofsi_rows_joined_by_group_id(void **state)
{
    rf_store *st;
    rf_import_summary sum;
    warnings w = {0};
    list_count counts[] = {{"UK", 2106, -1}, {NULL, 0, 0}};
    rf_snapshot *snap = import_one(&st, &sum, &w, "ofsi.db", "lists/uk/sanctionsconlist_2018-04-13.csv.gz",
                                   "UK OFSI CSV (9,487 rows, 3.6 MB)");
    const rf_entity *e;
    (void)state;

    assert_int_equal(sum.format, RF_LIST_UK_OFSI_CSV);
    assert_int_equal(sum.rows, 9487);
    assert_int_equal(sum.entities, 2106);
    assert_string_equal(sum.published, "2018-04-13");
    assert_int_equal(w.count, 0);
    assert_counts(st, sum.version_id, counts);
    assert_int_equal(count_type(snap, RF_ENTITY_PERSON), 1426);
    assert_int_equal(count_type(snap, RF_ENTITY_ORGANIZATION), 680);
    assert_int_equal(count_kind(snap, RF_NAME_FORMER), 9);

    /* Group 13349: eight rows scattered through the file, "Prime Alias" first. */
    e = find_id(snap, "UK", "13349");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "AL-HABABI, Nayef Salam Muhammad Ujaym");
    assert_int_equal(e->n_names, 8);
    assert_true(has_name(e, "AL-QAHTANI, Sheikh Farooq", RF_NAME_ALIAS));
    assert_string_equal(e->dates_of_birth, "00/00/1980; 00/00/1981"); /* partial dates as written */
    assert_string_equal(e->programs, "The ISIL (Da'esh) and Al-Qaida organisations");
    assert_string_equal(e->start_date, "2016-04-01");

    /* Windows-1252 read as such: the curly apostrophe of "Da’esh" elsewhere, and here. */
    e = find_id(snap, "UK", "13562");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "IL, Kim Kyong");
    assert_string_equal(e->dates_of_birth, "1979-08-01");
    assert_string_equal(e->ids, "Passport No. 836210029");
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *x = rf_snapshot_entity(snap, i);
        assert_true(!x->remarks || !strstr(x->remarks, "\xC2\x92")); /* no C1 controls */
    }
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_uk__fcdo_sanctions_list_sample(void **state)
{
    rf_store *st;
    rf_import_summary sum;
    warnings w = {0};
    /* The sample is written from the published column layout of the FCDO UK Sanctions List
     * CSV (line 1 "Report Date", one row per name); its parties and facts are real (UN
     * KPi.067, QDi.380, KPe.018), its Unique IDs illustrative. */
    rf_snapshot *snap = import_one(&st, &sum, &w, "fcdo.db", "lists/uk/uk_sanctions_list_sample.csv",
                                   "UK FCDO CSV sample");
    const rf_entity *e;
    (void)state;

    assert_int_equal(sum.format, RF_LIST_UK_FCDO_CSV);
    assert_int_equal(sum.rows, 11);
    assert_int_equal(sum.entities, 3);
    assert_string_equal(sum.published, "2024-02-27");
    e = find_id(snap, "UK", "AQD0237");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "AL-KAWARI, ABD AL-LATIF BIN ABDALLAH SALIH MUHAMMAD");
    assert_true(has_name(e, "عبداللطیف بن عبدلله صالح محمد الكواري", RF_NAME_ORIGINAL));
    assert_true(has_name(e, "AL-KAWARI, Abu Ali", RF_NAME_WEAK_ALIAS));       /* Low quality */
    assert_true(has_name(e, "AL-KAWWARI, Abd-al-Latif Abdallah", RF_NAME_ALIAS)); /* variation */
    assert_string_equal(e->start_date, "2015-09-21");
    assert_string_equal(e->ids, "00754833");
    e = find_id(snap, "UK", "DPR0103");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    assert_true(has_name(e, "CHAYON KWAHAK-WON", RF_NAME_ALIAS));
    assert_string_equal(e->addresses[0].country, "KP");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

/* ---- EU --------------------------------------------------------------------------------- */

static void test_eu__csv_latin1_excerpt(void **state)
{
    rf_store *st;
    rf_import_summary sum;
    warnings w = {0};
    list_count counts[] = {{"EU", 93, -1}, {NULL, 0, 0}};
    rf_snapshot *snap = import_one(&st, &sum, &w, "eucsv.db", "lists/eu/EUSanctionsShort_2018-07-04_partial.csv",
                                   "EU CSV (first 1,000 lines)");
    const rf_entity *e;
    (void)state;

    assert_int_equal(sum.format, RF_LIST_EU_CSV);
    assert_int_equal(sum.entities, 93);
    assert_string_equal(sum.published, "2018-07-04");
    assert_int_equal(w.count, 0);
    assert_counts(st, sum.version_id, counts);
    assert_int_equal(count_type(snap, RF_ENTITY_PERSON), 61);
    assert_int_equal(count_type(snap, RF_ENTITY_ORGANIZATION), 32);

    e = find_id(snap, "EU", "EU.36.64");
    assert_non_null(e);
    assert_string_equal(e->names[0].text, "Robert Gabriel Mugabe");
    assert_string_equal(e->dates_of_birth, "1924-02-21");
    assert_string_equal(e->programs, "ZWE");
    assert_string_equal(e->start_date, "2002-09-13"); /* the earliest regulation */
    /* A function quoted with a ';' inside, and Latin-1 accents made UTF-8. */
    e = find_id(snap, "EU", "EU.85.7");
    assert_non_null(e);
    assert_true(has_name(e, "Aziz Salih al-Nouman", RF_NAME_ALIAS));
    assert_non_null(strstr(e->title, "Former Governor of Karbala and An Najaf;"));
    assert_non_null(strstr(e->title, "Président du commandement régional du parti Baas"));
    e = find_id(snap, "EU", "EU.459.37");
    assert_non_null(e);
    assert_true(has_name(e, "Organização da Al-Qaida no Magrebe Islâmico", RF_NAME_ALIAS));
    assert_int_equal(e->n_addresses, 4); /* DZA, MLI, MRT, MAR */
    assert_string_equal(e->addresses[3].country, "MA"); /* ISO alpha-3 "MAR" */
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_eu__csv_cut_mid_line_keeps_what_is_whole(void **state)
{
    rf_store *st = rf_test_store("eucut.db");
    rf_import_summary sum;
    warnings w = {0};
    size_t len;
    char *data = rf_test_read_file(rf_test_data("lists/eu/EUSanctionsShort_2018-07-04_partial.csv"), &len);
    const char *cut = rf_test_tmpfile("eu_cut.csv");
    (void)state;

    /* Cut 200 bytes into the last line, as a partial download would. */
    assert_non_null(data);
    len -= 2; /* the final "\"\n"... */
    while (len && data[len - 1] != '\n') len--;
    len += 200;
    assert_int_equal(rf_test_write_file(cut, data, len), 0);
    assert_int_equal(import_ok(&sum, st, cut, NULL, &w), RF_OK);
    assert_int_equal(sum.entities, 93);
    assert_int_equal(w.count, 1);
    assert_int_equal(w.line[0], 1000);
    assert_non_null(strstr(w.text[0], "ends in the middle of this line"));
    free(data);
    rf_store_close(st);
}

static void test_eu__xml_sample(void **state)
{
    rf_store *st;
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap = import_one(&st, &sum, &w, "euxml.db", "lists/eu_fsf_sample.xml", "EU XML sample");
    const rf_entity *e;
    (void)state;

    assert_int_equal(sum.format, RF_LIST_EU_XML);
    assert_int_equal(sum.entities, 3);
    assert_string_equal(sum.published, "2018-07-04");
    assert_int_equal(w.count, 0);
    e = find_id(snap, "EU", "EU.36.64");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_string_equal(e->ids, "AD001095");
    assert_string_equal(e->dates_of_birth, "1924-02-21");
    e = find_id(snap, "EU", "EU.85.7");
    assert_non_null(e);
    assert_string_equal(e->nationalities, "IQ");
    e = find_id(snap, "EU", "EU.459.37");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION); /* subjectType enterprise */
    assert_string_equal(e->names[0].text, "The Organization of Al-Qaida in the Islamic Maghreb");
    assert_true(has_name(e, "GSPC", RF_NAME_WEAK_ALIAS)); /* strong="false" */
    assert_true(has_name(e, "Salafist Group for Call and Combat", RF_NAME_ALIAS));
    assert_string_equal(e->start_date, "2002-05-29");
    assert_string_equal(e->addresses[1].country, "ML");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_un__consolidated_list_of_2026),
        cmocka_unit_test(test_uk__ofsi_rows_joined_by_group_id),
        cmocka_unit_test(test_uk__fcdo_sanctions_list_sample),
        cmocka_unit_test(test_eu__csv_latin1_excerpt),
        cmocka_unit_test(test_eu__csv_cut_mid_line_keeps_what_is_whole),
        cmocka_unit_test(test_eu__xml_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
