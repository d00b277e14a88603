/* tests/lists/versions.c: list versions over time. The diff between two versions (the real
 * 2018 Denied Persons List excerpts, where the ZTE denial order was terminated, and the real
 * May 2022 and November 2023 Consolidated Screening Lists), the version a newer one replaced,
 * the delisted parties as a snapshot, download records, and the upgrade of a schema-1
 * database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "importers/rf_importers.h"
#include "lists/rf_lists.h"
#include "rf_test.h"

#define DPL_MAY "lists/dpl_2018-05-01_excerpt.txt"
#define DPL_AUG "lists/dpl_2018-08-01_excerpt.txt"

/* Imports a real list file through its importer; returns the new version's id. */
static long long import(rf_store *st, const char *path, const char *effective)
{
    /* The DPL excerpts are parts of the list: August's lists a fifth fewer than May's. */
    rf_import_options opts = {.effective = effective, .allow_shrink = 1};
    rf_import_summary sum;
    rf_error err;
    int rc = rf_import_list_file(&sum, st, path, &opts, &err);
    if (rc) fprintf(stderr, "%s: %s\n", path, err.message);
    assert_int_equal(rc, RF_OK);
    assert_true(sum.version_id > 0);
    return sum.version_id;
}

/* What a diff callback saw. */
typedef struct seen {
    long added, removed, changed;
    char removed_names[1024];
    const char *watch;   /* a primary name whose change to record */
    unsigned watch_fields;
    int watch_kind;
    char last_code[64];
    char last_name[512];
    int out_of_order;
} seen;

static int on_change(const rf_change *c, void *ctx)
{
    seen *s = ctx;
    const rf_entity *e = c->after ? c->after : c->before;
    char code[64];

    /* Every change carries the entity as each version lists it. */
    assert_true(c->kind == RF_CHANGE_ADDED ? !c->before && c->after
                : c->kind == RF_CHANGE_REMOVED ? c->before && !c->after
                                               : c->before && c->after && c->fields);
    if (c->kind == RF_CHANGE_CHANGED) {
        assert_string_equal(c->before->source_id, c->after->source_id);
        assert_true(c->before->version_id != c->after->version_id);
    }
    s->added += c->kind == RF_CHANGE_ADDED;
    s->removed += c->kind == RF_CHANGE_REMOVED;
    s->changed += c->kind == RF_CHANGE_CHANGED;
    if (c->kind == RF_CHANGE_REMOVED && strlen(s->removed_names) + strlen(e->names[0].text) + 2 <
                                            sizeof s->removed_names) {
        strcat(s->removed_names, e->names[0].text);
        strcat(s->removed_names, "|");
    }
    if (s->watch && strcmp(e->names[0].text, s->watch) == 0) {
        s->watch_fields = c->fields;
        s->watch_kind = (int)c->kind;
    }
    /* Ordered by list code, then name. */
    snprintf(code, sizeof code, "%s", e->list_code ? e->list_code : "");
    if (strcmp(code, s->last_code) < 0 ||
        (strcmp(code, s->last_code) == 0 && strcmp(e->names[0].text, s->last_name) < 0))
        s->out_of_order = 1;
    snprintf(s->last_code, sizeof s->last_code, "%s", code);
    snprintf(s->last_name, sizeof s->last_name, "%s", e->names[0].text);
    return 0;
}

static void test_versions__dpl_diff_shows_the_zte_denial_lifted(void **state)
{
    rf_store *st = rf_test_store("dpl.db");
    rf_diff_counts n;
    seen s;
    rf_error err;
    long long may, aug;
    (void)state;

    may = import(st, rf_test_data(DPL_MAY), "2018-05-01");
    aug = import(st, rf_test_data(DPL_AUG), "2018-08-01");

    memset(&s, 0, sizeof s);
    assert_int_equal(rf_store_diff(&n, st, may, aug, NULL, on_change, &s, &err), RF_OK);
    assert_int_equal(n.removed, 2);
    assert_int_equal(n.added, 0);
    assert_int_equal(n.changed, 0);
    assert_int_equal(n.unchanged, 8);
    assert_int_equal(s.removed, 2);
    assert_string_equal(s.removed_names, "ZHONGXING TELECOMMUNICATIONS EQUIPMENT CORPORATION|"
                                         "ZTE KANGXUN TELECOMMUNICATIONS LTD.|");

    /* The other way round, the same parties are added; a list filter ignores case. */
    memset(&s, 0, sizeof s);
    assert_int_equal(rf_store_diff(&n, st, aug, may, "dpl", on_change, &s, &err), RF_OK);
    assert_int_equal(n.added, 2);
    assert_int_equal(n.removed, 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(rf_store_diff(&n, st, may, aug, "EL", on_change, &s, &err), RF_OK);
    assert_int_equal(n.removed + n.added + n.changed + n.unchanged, 0);

    /* A version against itself: nothing. */
    memset(&s, 0, sizeof s);
    assert_int_equal(rf_store_diff(&n, st, aug, aug, NULL, on_change, &s, &err), RF_OK);
    assert_int_equal(n.removed + n.added + n.changed, 0);
    assert_int_equal(n.unchanged, 8);

    assert_int_equal(rf_store_diff(&n, st, may, 999, NULL, on_change, &s, &err), RF_ENOTFOUND);
    assert_non_null(strstr(err.message, "999"));
    rf_store_close(st);
}

static void test_versions__csl_diff_matches_entities_by_list_and_id(void **state)
{
    rf_store *st = rf_test_store("csl.db");
    rf_buf data = {0};
    /* The November 2023 file is a part of the CSL (4,226 of its entities). */
    rf_import_options opts = {.effective = "2023-11-01", .allow_shrink = 1};
    rf_import_summary sum;
    rf_diff_counts n;
    seen s;
    rf_error err;
    const unsigned char *bundled;
    size_t len;
    const char *name, *published;
    char *cut = NULL, *end;
    long long v2022, v2023;
    (void)state;

    rf_bundled_list(&bundled, &len, &name, &published);
    assert_int_equal(rf_import_list_data(&sum, st, name, bundled, len, &opts, &err), RF_OK);
    v2022 = sum.version_id;
    /* The November 2023 file as published ends in the middle of a row: import it up to
     * that row, as tests/importers does. */
    assert_int_equal(rf_file_read(&data, NULL, rf_test_data("lists/consolidated_2023-11_partial.csv.gz"),
                                  0, &err),
                     RF_OK);
    end = data.data + data.len;
    for (char *p = strstr(data.data, "\n\"11476\""); p && p < end; p = strstr(p + 1, "\n\"11476\""))
        cut = p + 1;
    assert_non_null(cut);
    assert_int_equal(rf_import_list_data(&sum, st, "consolidated_2023-11.csv", data.data,
                                         (size_t)(cut - data.data), &opts, &err),
                     RF_OK);
    v2023 = sum.version_id;
    rf_buf_free(&data);

    /* Figures from pairing the two files' rows by (source, _id) outside redflag: 2,185
     * listings are in both, and every one of them changed (OFAC replaced its bit.ly links
     * and reordered its identity documents). */
    memset(&s, 0, sizeof s);
    s.watch = "KONTSERN AVIAPRIBOROSTROENIE OAO";
    assert_int_equal(rf_store_diff(&n, st, v2022, v2023, NULL, on_change, &s, &err), RF_OK);
    assert_int_equal(n.removed, 11975);
    assert_int_equal(n.added, 2041);
    assert_int_equal(n.changed, 2185);
    assert_int_equal(n.unchanged, 0);
    assert_int_equal(s.removed + s.added + s.changed, 11975 + 2041 + 2185);
    assert_false(s.out_of_order);
    assert_int_equal(s.watch_kind, RF_CHANGE_CHANGED);
    assert_int_equal(s.watch_fields, RF_FIELD_REMARKS | RF_FIELD_SOURCE_URL | RF_FIELD_IDS);
    assert_string_equal(rf_entity_field_name(RF_FIELD_LICENSE_POLICY), "license_policy");

    /* The Denied Persons List's CSL ids all changed between the two files. */
    memset(&s, 0, sizeof s);
    assert_int_equal(rf_store_diff(&n, st, v2022, v2023, "DPL", on_change, &s, &err), RF_OK);
    assert_int_equal(n.removed, 462);
    assert_int_equal(n.added, 577);
    assert_int_equal(n.changed + n.unchanged, 0);
    rf_store_close(st);
}

/* A listing amended in place: same id, new license policy, one alias more. */
static void test_versions__a_changed_listing_names_its_fields(void **state)
{
    rf_name before_names[] = {{"Huawei Technologies Co., Ltd.", RF_NAME_PRIMARY}};
    rf_name after_names[] = {{"Huawei Technologies Co., Ltd.", RF_NAME_PRIMARY},
                             {"Huawei", RF_NAME_ALIAS}};
    rf_entity e = {0};
    rf_version_info v1 = {.feed = "csl", .format = "csl-csv", .source_file = "a.csv",
                          .sha256 = "aa", .published = "2019-05-16"};
    rf_version_info v2 = {.feed = "csl", .format = "csl-csv", .source_file = "b.csv",
                          .sha256 = "bb", .published = "2020-08-20"};
    rf_store *st = rf_test_store("changed.db");
    rf_import *imp;
    rf_diff_counts n;
    seen s;
    rf_error err;
    long long a, b;
    (void)state;

    e.list_code = "EL";
    e.source_id = "el-huawei";
    e.federal_register = "84 FR 22961";
    e.license_policy = "Presumption of denial.";
    e.names = before_names;
    e.n_names = 1;
    assert_int_equal(rf_import_begin(&imp, st, &v1, &err), RF_OK);
    assert_int_equal(rf_import_add(imp, &e, &err), RF_OK);
    assert_int_equal(rf_import_commit(imp, &a, &err), RF_OK);
    e.license_policy = "Case-by-case review for ... ; presumption of denial otherwise.";
    e.names = after_names;
    e.n_names = 2;
    assert_int_equal(rf_import_begin(&imp, st, &v2, &err), RF_OK);
    assert_int_equal(rf_import_add(imp, &e, &err), RF_OK);
    assert_int_equal(rf_import_commit(imp, &b, &err), RF_OK);

    memset(&s, 0, sizeof s);
    s.watch = "Huawei Technologies Co., Ltd.";
    assert_int_equal(rf_store_diff(&n, st, a, b, NULL, on_change, &s, &err), RF_OK);
    assert_int_equal(n.changed, 1);
    assert_int_equal(s.watch_fields, RF_FIELD_NAMES | RF_FIELD_LICENSE_POLICY);
    rf_store_close(st);
}

static void test_versions__previous_version_and_removed_snapshot(void **state)
{
    rf_store *st = rf_test_store("previous.db");
    rf_version_list v;
    rf_snapshot *gone;
    rf_error err;
    long long may, aug, csl;
    (void)state;

    /* Imported newest first: the order of publication decides what replaced what. */
    aug = import(st, rf_test_data(DPL_AUG), "2018-08-01");
    may = import(st, rf_test_data(DPL_MAY), "2018-05-01");
    csl = import(st, rf_test_data("lists/consolidated_current_sample.csv"), "2018-06-01");

    assert_int_equal(rf_store_version_previous(&v, st, aug, &err), RF_OK);
    assert_int_equal(v.count, 1);
    assert_int_equal(v.items[0].id, may);
    assert_string_equal(v.items[0].published, "2018-05-01");
    rf_version_list_free(&v);
    assert_int_equal(rf_store_version_previous(&v, st, may, &err), RF_OK);
    assert_int_equal(v.count, 0); /* the first of its feed */
    rf_version_list_free(&v);
    assert_int_equal(rf_store_version_previous(&v, st, csl, &err), RF_OK);
    assert_int_equal(v.count, 0); /* another feed's versions do not count */
    rf_version_list_free(&v);

    assert_int_equal(rf_store_version_get(&v, st, aug, &err), RF_OK);
    assert_int_equal(v.count, 1);
    assert_string_equal(v.items[0].feed, "bis-dpl");
    rf_version_list_free(&v);
    assert_int_equal(rf_store_version_get(&v, st, 4242, &err), RF_ENOTFOUND);

    /* The parties delisted in August, with everything the May file said about them. */
    assert_int_equal(rf_snapshot_load_removed(&gone, st, may, aug, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(gone), 2);
    for (size_t i = 0; i < 2; i++) {
        const rf_entity *e = rf_snapshot_entity(gone, i);
        assert_string_equal(e->list_code, "DPL");
        assert_non_null(strstr(e->federal_register, "83 F.R. 17644"));
        assert_string_equal(e->start_date, "2018-04-15");
        assert_int_equal(e->version_id, may);
        assert_int_equal(e->n_addresses, 1);
        assert_string_equal(e->addresses[0].city, "SHENZHEN");
    }
    assert_int_equal(rf_snapshot_versions(gone)->count, 1);
    assert_int_equal(rf_snapshot_versions(gone)->items[0].id, may);
    rf_snapshot_free(gone);
    /* Nothing was delisted the other way. */
    assert_int_equal(rf_snapshot_load_removed(&gone, st, aug, may, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(gone), 0);
    rf_snapshot_free(gone);
    rf_store_close(st);
}

static void test_versions__download_records_and_schema_upgrade(void **state)
{
    const char *path = rf_test_tmpfile("old-schema.db");
    const char *url = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/"
                      "consolidated.csv";
    rf_download d, got;
    rf_store *st;
    sqlite3 *db;
    rf_error err;
    long long vid;
    (void)state;

    /* A database written by the first redflag (schema 1, no download table) is upgraded in
     * place when opened, its versions kept. */
    st = rf_test_store("old-schema.db");
    vid = import(st, rf_test_data(DPL_MAY), "2018-05-01");
    rf_store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TABLE download; PRAGMA user_version = 1", NULL, NULL,
                                  NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    st = rf_test_store("old-schema.db");
    assert_int_equal(rf_store_download_get(&got, st, url, &err), RF_ENOTFOUND);
    memset(&d, 0, sizeof d);
    snprintf(d.etag, sizeof d.etag, "%s", "\"5f3a-61b2c\"");
    snprintf(d.last_modified, sizeof d.last_modified, "%s", "Wed, 01 Aug 2018 12:00:00 GMT");
    snprintf(d.sha256, sizeof d.sha256, "%064d", 7);
    d.version_id = vid;
    assert_int_equal(rf_store_download_put(st, url, &d, &err), RF_OK);
    rf_store_close(st);

    st = rf_test_store("old-schema.db");
    assert_int_equal(rf_store_download_get(&got, st, url, &err), RF_OK);
    assert_string_equal(got.etag, d.etag);
    assert_string_equal(got.last_modified, d.last_modified);
    assert_string_equal(got.sha256, d.sha256);
    assert_int_equal(got.version_id, vid);
    assert_int_equal(strlen(got.checked_at), 20); /* 2024-01-01T00:00:00Z */
    /* Replaced, not added to; a server without validators leaves them empty. */
    memset(&d, 0, sizeof d);
    assert_int_equal(rf_store_download_put(st, url, &d, &err), RF_OK);
    assert_int_equal(rf_store_download_get(&got, st, url, &err), RF_OK);
    assert_string_equal(got.etag, "");
    assert_int_equal(got.version_id, 0);
    assert_false(rf_store_is_empty(st));
    rf_store_close(st);
}

/* The age of the versions in force, as screening reports it: from the publication date,
 * or from the import for a file that gives none; the oldest of a set decides. */
static void test_versions__age_from_publication_or_import(void **state)
{
    rf_store *st = rf_test_store("age.db");
    rf_version_list in_force = {0};
    rf_version_age age;
    rf_error err;
    long long may;
    (void)state;

    may = import(st, rf_test_data(DPL_MAY), "2018-05-01");
    import(st, rf_test_data("lists/consolidated_current_sample.csv"), NULL);
    assert_int_equal(rf_store_versions_in_force(&in_force, st, NULL, &err), RF_OK);
    assert_int_equal(in_force.count, 2);
    /* The DPL excerpt across a leap day: 2018-05-01 to 2020-03-01 is 670 days. */
    assert_int_equal(rf_versions_oldest(&age, &in_force, "2020-03-01", &err), RF_OK);
    assert_int_equal(age.version->id, may);
    assert_string_equal(age.version->feed, "bis-dpl");
    assert_string_equal(age.date, "2018-05-01");
    assert_false(age.from_import);
    assert_int_equal(age.days, 670);
    /* The CSL sample gives no date: it counts from its import, today, in a timestamp. */
    for (size_t i = 0; i < in_force.count; i++) {
        if (strcmp(in_force.items[i].feed, "csl") != 0) continue;
        assert_int_equal(rf_version_age_on(&age, &in_force.items[i],
                                           in_force.items[i].imported_at, &err),
                         RF_OK);
        assert_true(age.from_import);
        assert_int_equal(age.days, 0);
        assert_int_equal(strncmp(age.date, in_force.items[i].imported_at, 10), 0);
        /* A date before the version is a negative age, not an error. */
        assert_int_equal(rf_version_age_on(&age, &in_force.items[i], "2018-05-01", &err),
                         RF_OK);
        assert_true(age.days < 0);
    }
    assert_int_equal(rf_version_age_on(&age, &in_force.items[0], "May 2020", &err), RF_EUSAGE);
    assert_int_equal(rf_versions_oldest(&age, NULL, "2020-03-01", &err), RF_OK);
    assert_null(age.version);
    rf_version_list_free(&in_force);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions__dpl_diff_shows_the_zte_denial_lifted),
        cmocka_unit_test(test_versions__csl_diff_matches_entities_by_list_and_id),
        cmocka_unit_test(test_versions__a_changed_listing_names_its_fields),
        cmocka_unit_test(test_versions__previous_version_and_removed_snapshot),
        cmocka_unit_test(test_versions__download_records_and_schema_upgrade),
        cmocka_unit_test(test_versions__age_from_publication_or_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
