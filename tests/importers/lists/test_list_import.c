/* tests/importers/lists/test_list_import.c: the list importers on the real files, through a
 * real store: the May 2022 CSL (every list's count, the Huawei affiliates, a.k.a./f.k.a.
 * splitting, trailing locations, inferred types, addresses), the November 2023 partial CSL
 * (repeated header, a real truncated last row), the current all-quoted CSL sample, the BIS
 * Denied Persons List of November 2023 (its typo dates) and its 2018 excerpts; detection
 * from content, bad files failing with the right line and leaving the store as it was, and
 * re-imports being no-ops. */
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

/* The bundled May 2022 CSL: the tree's own copy, as the program embeds it. */
static const char *csl_2022(void)
{
    static char path[1024];
    const char *root = getenv("RF_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/lists/data/consolidated_2022-05.csv.gz", root ? root : ".");
    return path;
}

/* ---- the 2022 CSL, imported once for the tests that read it ----------------------------- */

typedef struct csl_fixture {
    rf_store *st;
    rf_snapshot *snap;
    rf_import_summary sum;
    warnings warn;
} csl_fixture;

static int csl_setup(void **state)
{
    csl_fixture *f = calloc(1, sizeof *f);
    rf_error err;
    struct timespec t0, t1;

    f->st = rf_test_store("csl2022.db");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(import_ok(&f->sum, f->st, csl_2022(), NULL, &f->warn), RF_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* A figure for people, not an assertion: timings depend on the machine. */
    printf("full CSL import (14,160 rows into a new store): %.3f s\n",
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    assert_int_equal(rf_snapshot_load(&f->snap, f->st, NULL, &err), RF_OK);
    *state = f;
    return 0;
}

static int csl_teardown(void **state)
{
    csl_fixture *f = *state;
    rf_snapshot_free(f->snap);
    rf_store_close(f->st);
    free(f);
    return 0;
}

static void test_csl__every_row_of_every_list(void **state)
{
    csl_fixture *f = *state;
    list_count counts[] = {{"EL", 2001, -1},  {"DPL", 462, -1},    {"MEU", 71, -1},
                           {"UVL", 201, -1},  {"SDN", 10026, -1},  {"DTC", 727, -1},
                           {"ISN", 163, -1},  {"SSI", 290, -1},    {"CMIC", 68, -1},
                           {"CAP", 53, -1},   {"PLC", 78, -1},     {"NS-MBS", 17, -1},
                           {"FSE", 3, -1},    {NULL, 0, 0}};
    rf_error err;

    assert_int_equal(f->sum.format, RF_LIST_CSL_CSV);
    assert_string_equal(rf_list_format_name(f->sum.format), "csl-csv");
    assert_int_equal(f->sum.rows, 14160);
    assert_int_equal(f->sum.entities, 14160);
    assert_true(f->sum.version_id > 0);
    assert_int_equal(rf_snapshot_count(f->snap), 14160);
    assert_int_equal(rf_store_version_counts(f->st, f->sum.version_id, collect_count, counts,
                                             &err),
                     RF_OK);
    for (list_count *c = counts; c->code; c++) {
        if (c->seen != c->expected)
            fprintf(stderr, "%s: %lld entities, expected %lld\n", c->code, c->seen, c->expected);
        assert_int_equal(c->seen, c->expected);
    }
    /* The version is the "csl" feed, and the file's three typo dates (0097-06-30 twice,
     * 0017-05-26) are kept and reported. */
    assert_string_equal(rf_snapshot_versions(f->snap)->items[0].feed, "csl");
    assert_int_equal(f->sum.warnings, 3);
    assert_int_equal(f->warn.count, 3);
    assert_non_null(strstr(f->warn.text[0], "0097-06-30"));
    assert_int_equal(f->warn.line[2], 9906);
}

static void test_csl__huawei_affiliates_keep_their_own_name_and_parent(void **state)
{
    csl_fixture *f = *state;
    const rf_entity *e;
    size_t mention = 0, affiliates = 0, denial = 0;

    for (size_t i = 0; i < rf_snapshot_count(f->snap); i++) {
        const rf_entity *x = rf_snapshot_entity(f->snap, i);
        int hit = 0;
        if (strcmp(x->list_code, "EL") != 0) continue;
        hit = x->parent_name && strstr(x->parent_name, "Huawei") != NULL;
        for (size_t k = 0; k < x->n_names; k++) hit |= strstr(x->names[k].text, "Huawei") != NULL;
        for (size_t k = 0; k < x->n_addresses; k++)
            hit |= x->addresses[k].text && strstr(x->addresses[k].text, "Huawei") != NULL;
        if (x->parent_name) {
            assert_string_equal(x->parent_name, "Huawei Technologies Co., Ltd.");
            /* The parent and its short form are not part of the affiliate's names. */
            for (size_t k = 0; k < x->n_names; k++) {
                assert_null(strstr(x->names[k].text, "Affiliated"));
                assert_null(strstr(x->names[k].text, "(Huawei)"));
            }
            affiliates++;
        }
        if (hit) {
            mention++;
            if (x->license_policy && strncmp(x->license_policy, "Presumption of denial", 21) == 0)
                denial++;
        }
    }
    /* 136 Entity List rows name Huawei (one only as the parent of its affiliate), two more
     * only in their address ("Huawei Base"). */
    assert_int_equal(mention, 138);
    assert_int_equal(affiliates, 23);
    assert_int_equal(denial, 137); /* all but one case-by-case row */

    e = find(f->snap, "EL", "Hangzhou Huawei Enterprises");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    assert_string_equal(e->parent_name, "Huawei Technologies Co., Ltd.");
    assert_string_equal(e->license_policy, "Presumption of denial");
    assert_non_null(strstr(e->federal_register, "84 FR 22961"));
    assert_int_equal(e->n_addresses, 1);
    assert_string_equal(e->addresses[0].country, "CN");

    e = find(f->snap, "EL", "Huawei Technologies Co., Ltd. (Huawei)");
    assert_non_null(e);
    assert_null(e->parent_name);
    assert_true(has_name(e, "Shenzhen Huawei Technologies", RF_NAME_ALIAS));
    assert_string_equal(e->list_name, "Entity List (EL) - Bureau of Industry and Security");
}

static void test_csl__aka_and_fka_become_names_of_their_own(void **state)
{
    csl_fixture *f = *state;
    const rf_entity *e;

    e = find(f->snap, "EL", "Gazprom Telekom, OOO");
    assert_non_null(e);
    assert_true(has_name(e, "Zakrytoe Aktsionernoe Obshchestvo Gaztelekom", RF_NAME_FORMER));
    /* "(f.k.a., X)" with its stray comma. */
    e = find(f->snap, "EL", "Gazprom Sotsinvest, OOO");
    assert_non_null(e);
    assert_true(has_name(e, "Gazprominvestarena OOO", RF_NAME_FORMER));
    /* "[aka X, Y]". */
    e = find(f->snap, "ISN", "Astronautics Research Institute");
    assert_non_null(e);
    assert_true(has_name(e, "Astronautics Systems Research Center", RF_NAME_ALIAS));
    assert_true(has_name(e, "Aerospace Research Institute", RF_NAME_ALIAS));
    /* "(a.k.a. X; Y)" with commas inside the names, and "(a.k.a. FETCO, Inc.)" kept whole. */
    e = find(f->snap, "DTC", "Precision Image Corporation");
    assert_non_null(e);
    assert_true(has_name(e, "Precision Industries, Inc.", RF_NAME_ALIAS));
    assert_true(has_name(e, "CK Enterprises, Inc.", RF_NAME_ALIAS));
    e = find(f->snap, "DTC", "Far East Trading Company, Inc.");
    assert_non_null(e);
    assert_true(has_name(e, "FETCO, Inc.", RF_NAME_ALIAS));
    /* An alias in the middle of a person's name. */
    e = find(f->snap, "DPL", "PEARL LI");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_true(has_name(e, "NEI-CHIEN CHU", RF_NAME_ALIAS));
    /* ", a.k.a. X" inline. */
    e = find(f->snap, "EL", "Chitron Electronics Company Ltd.");
    assert_non_null(e);
    assert_true(has_name(e, "Chi-Chung Electronics Company Ltd. (Chitron-Shenzhen)", RF_NAME_ALIAS));
    /* alt_names entries that carry their own keyword: "f.k.a. X" and "X (f.k.a., Y)". */
    e = find(f->snap, "EL", "Gazprom Neft");
    assert_non_null(e);
    assert_true(has_name(e, "Sibirskaya Neftyanaya Kompaniya OAO", RF_NAME_FORMER));
    e = find(f->snap, "EL", "Institut Stroiproekt, AO");
    assert_non_null(e);
    assert_true(has_name(e, "AO Institute Stroyproekt", RF_NAME_ALIAS));
    assert_true(has_name(e, "Institut Stroiproekt Zakrytoe Aktsionernoe Obshchestvo",
                         RF_NAME_FORMER));
    /* A name with "aka" inside a word is left alone. */
    e = find(f->snap, "SDN", "YK-AKA");
    assert_non_null(e);
    /* No stored name still carries an alias keyword of its own. */
    for (size_t i = 0; i < rf_snapshot_count(f->snap); i++) {
        const rf_entity *x = rf_snapshot_entity(f->snap, i);
        for (size_t k = 0; k < x->n_names; k++) {
            if (strstr(x->names[k].text, "a.k.a.") || strstr(x->names[k].text, "f.k.a.") ||
                strstr(x->names[k].text, "A.K.A.") || strstr(x->names[k].text, "[aka"))
                fprintf(stderr, "left in: %s\n", x->names[k].text);
            assert_null(strstr(x->names[k].text, "a.k.a."));
            assert_null(strstr(x->names[k].text, "f.k.a."));
            assert_null(strstr(x->names[k].text, "A.K.A."));
        }
    }
}

static void test_csl__trailing_location_and_qualifiers_give_short_aliases(void **state)
{
    csl_fixture *f = *state;
    const rf_entity *e;

    e = find(f->snap, "EL", "Chengdu Huawei Technologies Co., Ltd., Chengdu, Sichuan");
    assert_non_null(e);
    assert_true(has_name(e, "Chengdu Huawei Technologies Co., Ltd.", RF_NAME_ALIAS));
    e = find(f->snap, "EL", "Huawei Technologies Switzerland AG, Liebefeld");
    assert_non_null(e);
    assert_true(has_name(e, "Huawei Technologies Switzerland AG", RF_NAME_ALIAS));
    e = find(f->snap, "EL", "HiSilicon Technologies Co., Ltd (HiSilicon), Bantian Longgang District");
    assert_non_null(e);
    assert_true(has_name(e, "HiSilicon Technologies Co., Ltd (HiSilicon)", RF_NAME_ALIAS));
    /* A unit after the legal form is not a place: no shortened name. */
    e = find(f->snap, "EL", "Huawei Technologies Co., Ltd., Beijing Research Institute");
    assert_non_null(e);
    assert_false(has_name(e, "Huawei Technologies Co., Ltd.", RF_NAME_ALIAS));
    /* Nor is a company name in capitals. */
    e = find(f->snap, "EL", "Tactical Missile Corporation, RKB Globus");
    assert_non_null(e);
    assert_false(has_name(e, "Tactical Missile Corporation", RF_NAME_ALIAS));
    /* "X and any successor, sub-unit, or subsidiary thereof". */
    e = find(f->snap, "ISN", "Kata'ib Hezbollah and any successor, sub-unit, or subsidiary thereof");
    assert_non_null(e);
    assert_true(has_name(e, "Kata'ib Hezbollah", RF_NAME_ALIAS));
}

static void test_csl__types_from_the_column_or_the_name(void **state)
{
    csl_fixture *f = *state;
    size_t dpl[5] = {0}, dtc[5] = {0}, sdn[5] = {0};
    const rf_entity *e;

    for (size_t i = 0; i < rf_snapshot_count(f->snap); i++) {
        const rf_entity *x = rf_snapshot_entity(f->snap, i);
        if (strcmp(x->list_code, "DPL") == 0) dpl[x->type]++;
        if (strcmp(x->list_code, "DTC") == 0) dtc[x->type]++;
        if (strcmp(x->list_code, "SDN") == 0) sdn[x->type]++;
    }
    /* OFAC's own types. */
    assert_int_equal(sdn[RF_ENTITY_PERSON], 5206);
    assert_int_equal(sdn[RF_ENTITY_ORGANIZATION], 4104);
    assert_int_equal(sdn[RF_ENTITY_VESSEL], 433);
    assert_int_equal(sdn[RF_ENTITY_AIRCRAFT], 283);
    /* Inferred: both kinds on the DPL and the ITAR debarred list, none left unknown. */
    assert_int_equal(dpl[RF_ENTITY_UNKNOWN], 0);
    assert_true(dpl[RF_ENTITY_PERSON] > 300 && dpl[RF_ENTITY_ORGANIZATION] > 80);
    assert_true(dtc[RF_ENTITY_PERSON] > 600 && dtc[RF_ENTITY_ORGANIZATION] > 30);

    e = find(f->snap, "DPL", "DAVID ZHOU");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    e = find(f->snap, "DPL", "ABEL HERNANDEZ, JR.");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    e = find(f->snap, "DPL", "DRAYWORTH ELECTRONICS LTD.");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    e = find(f->snap, "DTC", "Michael Barry Shor");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    e = find(f->snap, "DTC", "Hercaire International");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    e = find(f->snap, "EL", "Majid Kakavand");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    e = find(f->snap, "EL", "APEX Kazakhstan");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    e = find(f->snap, "ISN", "Ri Sung Chol (DPRK individual)");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    assert_true(has_name(e, "Ri Su'ng-ch'o'l", RF_NAME_ALIAS));
}

static void test_csl__fields_and_addresses(void **state)
{
    csl_fixture *f = *state;
    const rf_entity *e;

    e = find(f->snap, "SDN", "TABAJA, Hassan");
    assert_non_null(e);
    assert_string_equal(e->source_id, "26749");
    assert_string_equal(e->programs, "SDGT");
    assert_string_equal(e->dates_of_birth, "1971-10-08");
    assert_non_null(strstr(e->ids, "RL 0913767, Passport"));
    assert_true(has_name(e, "TABAJA, Hasan Husayn", RF_NAME_ALIAS));
    /* An address that is only a country. */
    assert_int_equal(e->n_addresses, 1);
    assert_null(e->addresses[0].text);
    assert_string_equal(e->addresses[0].country, "LB");

    /* Four "; "-separated addresses, each ending in its country code. */
    e = find(f->snap, "UVL", "Sea Prince Logistics LLC");
    assert_non_null(e);
    assert_int_equal(e->n_addresses, 4);
    for (size_t i = 0; i < 4; i++) assert_string_equal(e->addresses[i].country, "AE");
    assert_string_equal(e->addresses[0].text, "Plot # MO0706, Street N200, JAFZA North, Dubai, UAE");

    e = find(f->snap, "DPL", "DAVID ZHOU");
    assert_non_null(e);
    assert_string_equal(e->start_date, "2006-11-09");
    assert_string_equal(e->end_date, "2026-11-09");
    assert_string_equal(e->federal_register, "71 F.R. 65775 11/9/06");
    assert_string_equal(e->remarks, "20 YEAR DENIAL");
    assert_string_equal(e->source_url, "http://bit.ly/1Qi5heF");

    e = find(f->snap, "SDN", "CHENG, Teresa");
    assert_non_null(e);
    assert_string_equal(e->title, "Secretary for Justice");
    assert_string_equal(e->nationalities, "HK");
    assert_int_equal(e->addresses[0].country[0], 'H');
}

/* ---- the 2023 partial CSL and the current layout ----------------------------------------- */

/* The real November 2023 file is cut in the middle of its last row: the import fails on the
 * line that row starts on and writes nothing. Without that row it imports, telling of the
 * header it repeats on line 2. */
static void test_csl__partial_2023_truncated_row_and_repeated_header(void **state)
{
    rf_store *st = rf_test_store("partial.db");
    rf_import_summary sum;
    rf_error err;
    rf_buf data = {0};
    warnings w = {0};
    rf_import_options opts = {NULL, on_warning, &w, 0};
    const char *cut;
    char *end;
    (void)state;

    assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("lists/consolidated_2023-11_partial.csv.gz"),
                                         &opts, &err),
                     RF_EFORMAT);
    assert_int_equal(err.line, 4233);
    assert_non_null(strstr(err.file, "consolidated_2023-11_partial.csv.gz"));
    assert_non_null(strstr(err.message, "unterminated"));
    assert_int_equal(sum.version_id, 0);
    assert_int_equal(count_versions(st), 0);
    assert_true(rf_store_is_empty(st));

    assert_int_equal(rf_file_read(&data, NULL, rf_test_data("lists/consolidated_2023-11_partial.csv.gz"),
                                  0, &err),
                     RF_OK);
    end = data.data + data.len;
    cut = data.data;
    for (char *p = strstr(data.data, "\n\"11476\""); p && p < end; p = strstr(p + 1, "\n\"11476\""))
        cut = p + 1;
    memset(&w, 0, sizeof w);
    assert_int_equal(rf_import_list_data(&sum, st, "partial-cut.csv", data.data,
                                         (size_t)(cut - data.data), &opts, &err),
                     RF_OK);
    assert_int_equal(sum.entities, 4226);
    assert_int_equal(w.count, 1);
    assert_int_equal(w.line[0], 2);
    assert_non_null(strstr(w.text[0], "header"));
    rf_buf_free(&data);
    rf_store_close(st);
}

static void test_csl__current_all_quoted_layout(void **state)
{
    rf_store *st = rf_test_store("current.db");
    rf_import_summary sum;
    rf_snapshot *snap;
    rf_error err;
    const rf_entity *e;
    warnings w = {0};
    (void)state;

    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/consolidated_current_sample.csv"),
                               "2024-01-15", &w),
                     RF_OK);
    assert_int_equal(sum.entities, 13);
    assert_string_equal(sum.published, "2024-01-15");
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    e = find(snap, "ISN", "Sinobright Import and Export Company; and any successor, sub-unit, or "
                          "subsidiary thereof");
    assert_non_null(e);
    assert_true(has_name(e, "Sinobright Import and Export Company", RF_NAME_ALIAS));
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    e = find(snap, "EL", "China Electronics Technology Group Corporation 13th Research Institute "
                         "(CETC 13)");
    assert_non_null(e);
    /* "A; and B; and C" addresses, without country codes. */
    assert_int_equal(e->n_addresses, 3);
    assert_null(e->addresses[0].country);
    assert_non_null(strstr(e->addresses[1].text, "21 Changsheng Street"));
    e = find(snap, "SDN", "RIM, Ryong Nam");
    assert_non_null(e);
    assert_int_equal(e->n_addresses, 2);
    assert_string_equal(e->addresses[1].text, "Pyongyang");
    assert_string_equal(e->addresses[1].country, "KP");
    rf_snapshot_free(snap);
    rf_store_close(st);
}

/* ---- the Denied Persons List ------------------------------------------------------------- */

static void test_dpl__real_file_with_its_typo_dates(void **state)
{
    rf_store *st = rf_test_store("dpl.db");
    rf_import_summary sum;
    rf_snapshot *snap;
    rf_error err;
    const rf_entity *e;
    warnings w = {0};
    size_t persons = 0, orgs = 0, typo = 0;
    (void)state;

    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/dpl_2023-11.txt"), NULL, &w), RF_OK);
    assert_int_equal(sum.format, RF_LIST_DPL_TSV);
    assert_int_equal(sum.rows, 665);
    assert_int_equal(sum.entities, 665);
    /* Without --effective, the latest Last_Update that can be true. */
    assert_string_equal(sum.published, "2023-11-28");
    /* 3033-09-30 and two 1023-11-01: kept, warned, not fatal. */
    assert_int_equal(sum.warnings, 3);
    for (int i = 0; i < w.count; i++)
        if (strstr(w.text[i], "3033-09-30")) {
            typo++;
            assert_int_equal(w.line[i], 316);
        }
    assert_int_equal(typo, 1);

    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 665);
    assert_string_equal(rf_snapshot_versions(snap)->items[0].feed, "bis-dpl");
    assert_string_equal(rf_snapshot_versions(snap)->items[0].format, "dpl-tsv");
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *x = rf_snapshot_entity(snap, i);
        assert_string_equal(x->list_code, "DPL");
        assert_string_equal(x->list_name, "Denied Persons List (DPL) - Bureau of Industry and Security");
        if (x->type == RF_ENTITY_PERSON) persons++;
        if (x->type == RF_ENTITY_ORGANIZATION) orgs++;
        /* Stable ids, unique even for the two rows the file repeats word for word. */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(x->source_id, rf_snapshot_entity(snap, j)->source_id);
    }
    assert_int_equal(persons + orgs, 665);
    assert_true(persons > 450 && orgs > 100);

    /* The row with the typo is there, its dates converted. */
    e = find(snap, "DPL", "JOSE ERNESTO GARCIA");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    e = find(snap, "DPL", "AARON ABRAHAM VILLA");
    assert_non_null(e);
    assert_string_equal(e->start_date, "2022-08-24");
    assert_string_equal(e->end_date, "2026-01-14");
    assert_string_equal(e->federal_register, "87 F.R. 52741 8/29/2022");
    assert_int_equal(e->n_addresses, 1);
    assert_string_equal(e->addresses[0].text, "3415 RIVERA AVENUE, EL PASO, TX, 79905");
    assert_string_equal(e->addresses[0].city, "EL PASO");
    assert_null(e->addresses[0].country);
    e = find(snap, "DPL", "FUYI SUN");
    assert_non_null(e);
    assert_true(has_name(e, "FRANK SUN", RF_NAME_ALIAS));
    e = find(snap, "DPL", "SIBERIAN AIRLINES");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    assert_true(has_name(e, "S7 AIRLINES", RF_NAME_ALIAS));
    e = find(snap, "DPL", "CAPTAIN ELYAZGI");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_PERSON);
    rf_snapshot_free(snap);
    rf_store_close(st);
}

/* The 2018 excerpts, dated with --effective: ZTE is denied on 2018-06-01, not on
 * 2018-09-01, and a row both files share keeps its id from one version to the next. */
static void test_dpl__history_excerpts_by_effective_date(void **state)
{
    rf_store *st = rf_test_store("dpl-history.db");
    rf_import_summary sum;
    rf_snapshot *may, *aug;
    rf_error err;
    const rf_entity *zte, *same;
    warnings w = {0};
    (void)state;

    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/dpl_2018-05-01_excerpt.txt"),
                               "2018-05-01", &w),
                     RF_OK);
    assert_string_equal(sum.published, "2018-05-01");
    assert_int_equal(sum.entities, 10);
    /* The August excerpt lists 8 of May's 10 parties: a fifth gone, which is refused with
     * both counts unless allowed (the excerpts are parts of the list, not the whole list). */
    {
        rf_import_options opts = {"2018-08-01", NULL, NULL, 0};
        assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("lists/dpl_2018-08-01_excerpt.txt"),
                                             &opts, &err),
                         RF_EFORMAT);
        assert_true(sum.shrunk);
        assert_int_equal(sum.replaced_entities, 10);
        assert_non_null(strstr(err.message, "the file holds 8 entities where the bis-dpl version "
                                            "it would replace"));
        assert_non_null(strstr(err.message, "holds 10: it would remove 2 of them (20 %"));
        opts.allow_shrink = 1;
        assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("lists/dpl_2018-08-01_excerpt.txt"),
                                             &opts, &err),
                         RF_OK);
    }
    assert_int_equal(sum.entities, 8);
    assert_false(sum.shrunk);
    assert_int_equal(rf_snapshot_load(&may, st, "2018-06-01", &err), RF_OK);
    assert_int_equal(rf_snapshot_load(&aug, st, "2018-09-01", &err), RF_OK);
    zte = find(may, "DPL", "ZHONGXING TELECOMMUNICATIONS EQUIPMENT CORPORATION");
    assert_non_null(zte);
    assert_int_equal(zte->type, RF_ENTITY_ORGANIZATION);
    assert_non_null(find(may, "DPL", "ZTE KANGXUN TELECOMMUNICATIONS LTD."));
    assert_null(find(aug, "DPL", "ZHONGXING TELECOMMUNICATIONS EQUIPMENT CORPORATION"));
    same = find(aug, "DPL", "ALEX CHENG");
    assert_non_null(same);
    assert_string_equal(same->source_id, find(may, "DPL", "ALEX CHENG")->source_id);
    rf_snapshot_free(may);
    rf_snapshot_free(aug);
    rf_store_close(st);
}

/* ---- detection, bad input, re-imports ---------------------------------------------------- */

static void test_detect__from_content_never_the_name(void **state)
{
    rf_store *st = rf_test_store("detect.db");
    rf_import_summary sum;
    rf_error err;
    size_t len;
    char *csv = rf_test_read_file(rf_test_data("lists/consolidated_current_sample.csv"), &len);
    char *dpl, *bom;
    const char *as_txt = rf_test_tmpfile("consolidated.txt");
    char order[1024];
    warnings w = {0};
    (void)state;

    /* rf_test_data's buffer is reused by the next call: keep a copy. */
    snprintf(order, sizeof order, "%s", rf_test_data("orders/bom-csv/hackrf-one-bom_kicad-grouped.csv"));

    assert_non_null(csv);
    assert_int_equal(rf_list_format_detect(csv, len), RF_LIST_CSL_CSV);
    /* A CSL file named .txt is still the CSL. */
    assert_int_equal(rf_test_write_file(as_txt, csv, len), 0);
    assert_int_equal(import_ok(&sum, st, as_txt, NULL, &w), RF_OK);
    assert_int_equal(sum.format, RF_LIST_CSL_CSV);
    assert_int_equal(sum.entities, 13);

    dpl = rf_test_read_file(rf_test_data("lists/dpl_2023-11.txt"), &len);
    assert_int_equal(rf_list_format_detect(dpl, len), RF_LIST_DPL_TSV);
    assert_string_equal(rf_list_format_name(RF_LIST_DPL_TSV), "dpl-tsv");

    /* An order BOM is not a list: refused with a message saying what was expected. */
    bom = rf_test_read_file(order, &len);
    assert_int_equal(rf_list_format_detect(bom, len), RF_LIST_UNKNOWN);
    assert_int_equal(rf_import_list_file(&sum, st, order, NULL, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "not a list file"));
    assert_non_null(strstr(err.message, "Consolidated Screening List"));
    assert_string_equal(err.file, order);
    assert_int_equal(count_versions(st), 1);
    assert_int_equal(rf_list_format_detect("", 0), RF_LIST_UNKNOWN);
    free(csv);
    free(dpl);
    free(bom);
    rf_store_close(st);
}

/* The first `lines` lines of the real 2022 CSL, decompressed. */
static char *csl_head(size_t lines, size_t *len)
{
    rf_buf data = {0};
    rf_error err;
    char *p;
    assert_int_equal(rf_file_read(&data, NULL, csl_2022(), 0, &err), RF_OK);
    p = data.data;
    for (size_t i = 0; i < lines && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    assert_non_null(p);
    *len = (size_t)(p - data.data);
    return rf_buf_detach(&data);
}

/* Finds the start of physical line `line` (1-based). */
static char *line_start(char *s, long line)
{
    for (long i = 1; i < line && s; i++) {
        s = strchr(s, '\n');
        if (s) s++;
    }
    assert_non_null(s);
    return s;
}

/* A good version first, then broken copies of the real file: each fails on the line that
 * is broken and the good version stays the one in force, its counts unchanged. */
static void test_errors__bad_rows_name_their_line_and_change_nothing(void **state)
{
    rf_store *st = rf_test_store("errors.db");
    rf_import_summary sum;
    rf_snapshot *snap;
    rf_error err;
    size_t len;
    char *head = csl_head(400, &len), *copy, *p;
    const char *path = rf_test_tmpfile("broken.csv");
    warnings w = {0};
    long long good;
    (void)state;

    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/dpl_2023-11.txt"), NULL, &w), RF_OK);
    good = sum.version_id;
    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/consolidated_current_sample.csv"),
                               NULL, &w),
                     RF_OK);

    /* Line 300 gets a 30th field. */
    copy = malloc(len + 16);
    p = line_start(head, 300);
    memcpy(copy, head, (size_t)(p - head));
    {
        char *nl = strchr(p, '\n');
        size_t before = (size_t)(p - head), row = (size_t)(nl - p);
        memcpy(copy + before, p, row);
        memcpy(copy + before + row, ",extra", 6);
        memcpy(copy + before + row + 6, nl, len - before - row);
        assert_int_equal(rf_test_write_file(path, copy, len + 6), 0);
    }
    assert_int_equal(rf_import_list_file(&sum, st, path, NULL, &err), RF_EFORMAT);
    assert_int_equal(err.line, 300);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "30 fields"));
    assert_int_equal(sum.version_id, 0);
    assert_int_equal(sum.entities, 0);

    /* Line 200 opens a quote that never closes properly: the row that starts there is named,
     * even though the parser only notices later. */
    p = line_start(head, 200);
    memcpy(copy, head, len);
    copy[p - head] = '"';
    memcpy(copy + (p - head) + 1, p, len - (size_t)(p - head));
    assert_int_equal(rf_test_write_file(path, copy, len + 1), 0);
    assert_int_equal(rf_import_list_file(&sum, st, path, NULL, &err), RF_EFORMAT);
    assert_int_equal(err.line, 200);
    assert_non_null(strstr(err.message, "quot"));

    /* A byte that is not UTF-8 in the list name on line 120. */
    memcpy(copy, head, len);
    p = strchr(line_start(copy, 120), ',');
    p[1] = (char)0xFF;
    assert_int_equal(rf_test_write_file(path, copy, len), 0);
    assert_int_equal(rf_import_list_file(&sum, st, path, NULL, &err), RF_EFORMAT);
    assert_int_equal(err.line, 120);
    assert_non_null(strstr(err.message, "UTF-8"));

    /* A 70,000-byte name on line 2 is past the field cap. */
    {
        rf_buf big = {0};
        size_t header = (size_t)(strchr(head, '\n') - head) + 1;
        assert_int_equal(rf_buf_append(&big, head, header), RF_OK);
        assert_int_equal(rf_buf_puts(&big, "1,Entity List (EL) - Bureau of Industry and Security,,,,\""), RF_OK);
        for (int i = 0; i < 70000; i++) assert_int_equal(rf_buf_putc(&big, 'A'), RF_OK);
        assert_int_equal(rf_buf_puts(&big, "\",,,,,,,,,,,,,,,,,,,,,,,\n"), RF_OK);
        assert_int_equal(rf_test_write_file(path, big.data, big.len), 0);
        assert_int_equal(rf_import_list_file(&sum, st, path, NULL, &err), RF_ELIMIT);
        assert_int_equal(err.line, 2);
        rf_buf_free(&big);
    }

    /* The store is as it was: the DPL and the sample are the versions in force. */
    assert_int_equal(count_versions(st), 2);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 665 + 13);
    assert_int_equal(rf_snapshot_versions(snap)->items[0].id, good);
    rf_snapshot_free(snap);

    /* The unbroken head imports. */
    assert_int_equal(rf_test_write_file(path, head, len), 0);
    assert_int_equal(import_ok(&sum, st, path, NULL, &w), RF_OK);
    assert_int_equal(sum.entities, sum.rows);
    assert_int_equal(sum.rows, 399);
    free(copy);
    free(head);
    rf_store_close(st);
}

static void test_reimport__same_file_is_already_imported(void **state)
{
    rf_store *st = rf_test_store("reimport.db");
    rf_import_summary sum;
    rf_error err;
    size_t len;
    char *data = rf_test_read_file(rf_test_data("lists/dpl_2023-11.txt"), &len);
    warnings w = {0};
    (void)state;

    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/dpl_2023-11.txt"), NULL, &w), RF_OK);
    assert_true(sum.version_id > 0);
    assert_int_equal(sum.already_imported, 0);
    /* Again from the file, and from memory under another name: same bytes, same feed. */
    assert_int_equal(import_ok(&sum, st, rf_test_data("lists/dpl_2023-11.txt"), NULL, &w), RF_OK);
    assert_int_equal(sum.already_imported, 1);
    assert_int_equal(sum.version_id, 0);
    assert_int_equal(sum.entities, 0);
    assert_int_equal(sum.format, RF_LIST_DPL_TSV);
    assert_int_equal(rf_import_list_data(&sum, st, "dpl-copy.txt", data, len, NULL, &err), RF_OK);
    assert_int_equal(sum.already_imported, 1);
    assert_int_equal(count_versions(st), 1);
    /* A bad --effective date is refused before anything is written. */
    {
        rf_import_options opts = {"2023-13-01", NULL, NULL, 0};
        assert_int_equal(rf_import_list_file(&sum, st, rf_test_data("lists/consolidated_current_sample.csv"),
                                             &opts, &err),
                         RF_EUSAGE);
        assert_int_equal(count_versions(st), 1);
    }
    free(data);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest csl[] = {
        cmocka_unit_test(test_csl__every_row_of_every_list),
        cmocka_unit_test(test_csl__huawei_affiliates_keep_their_own_name_and_parent),
        cmocka_unit_test(test_csl__aka_and_fka_become_names_of_their_own),
        cmocka_unit_test(test_csl__trailing_location_and_qualifiers_give_short_aliases),
        cmocka_unit_test(test_csl__types_from_the_column_or_the_name),
        cmocka_unit_test(test_csl__fields_and_addresses),
    };
    const struct CMUnitTest others[] = {
        cmocka_unit_test(test_csl__partial_2023_truncated_row_and_repeated_header),
        cmocka_unit_test(test_csl__current_all_quoted_layout),
        cmocka_unit_test(test_dpl__real_file_with_its_typo_dates),
        cmocka_unit_test(test_dpl__history_excerpts_by_effective_date),
        cmocka_unit_test(test_detect__from_content_never_the_name),
        cmocka_unit_test(test_errors__bad_rows_name_their_line_and_change_nothing),
        cmocka_unit_test(test_reimport__same_file_is_already_imported),
    };
    int failed = cmocka_run_group_tests_name("importers_lists_csl_2022", csl, csl_setup,
                                             csl_teardown);
    return failed + cmocka_run_group_tests_name("importers_lists", others, NULL, NULL);
}
