/* tests/lists/store.c: the sqlite list store: entities survive import and reload with every
 * field, a failed import leaves the previous version in force, versions are chosen by date
 * (the real 2018 Denied Persons List excerpts, with and without the ZTE denial), the
 * database file keeps everything across reopen (and the copy of the lists in force kept beside
 * it reads the same, or is written again when damaged), and the bundled May 2022 CSL imports
 * whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <csv.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lists/rf_lists.h"
#include "rf_test.h"

#define CSL_GZ_SHA256 "f55c580c0eadaeef6f291d5cd3653b147650c2019f227c92a93814aa5dc4364c"

static const rf_entity *find_entity(const rf_snapshot *snap, const char *primary)
{
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (strcmp(e->names[0].text, primary) == 0) return e;
    }
    return NULL;
}

/* ---- the 2018 DPL excerpts, read just enough to feed the sink ---------------------------- */

/* Strips the quotes the DPL file puts around every field. */
static char *unquote(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        return s + 1;
    }
    return s;
}

/* Imports a DPL excerpt (tab-separated, quoted, no tab inside fields) as one version of the
 * "bis-dpl" feed; returns the version id. */
static long long import_dpl(rf_store *st, const char *file, const char *published)
{
    const char *path = rf_test_data(file);
    rf_buf data = {0};
    rf_error err;
    char sha[65];
    rf_version_info info = {"bis-dpl", "dpl-tsv", path, sha, published};
    rf_import *imp;
    long long vid = 0;
    long line = 0;
    char *save = NULL;

    assert_int_equal(rf_file_read(&data, sha, path, 0, &err), RF_OK);
    assert_int_equal(rf_import_begin(&imp, st, &info, &err), RF_OK);
    for (char *row = strtok_r(data.data, "\n", &save); row; row = strtok_r(NULL, "\n", &save)) {
        char *f[12], *fsave = NULL, start[11];
        int n = 0;
        rf_name name;
        rf_address addr;
        rf_entity e;
        if (++line == 1) continue; /* header */
        for (char *t = strtok_r(row, "\t", &fsave); t && n < 12; t = strtok_r(NULL, "\t", &fsave))
            f[n++] = unquote(t);
        assert_int_equal(n, 12);
        /* Effective_Date is MM/DD/YYYY */
        snprintf(start, sizeof start, "%.4s-%.2s-%.2s", f[6] + 6, f[6], f[6] + 3);
        name = (rf_name){f[0], RF_NAME_PRIMARY};
        addr = (rf_address){f[1], f[2], f[4][0] ? f[4] : NULL};
        memset(&e, 0, sizeof e);
        e.list_code = "DPL";
        e.list_name = "Denied Persons List (DPL) - Bureau of Industry and Security";
        e.source_id = f[0];
        e.start_date = start;
        e.federal_register = f[11];
        e.names = &name;
        e.n_names = 1;
        e.addresses = &addr;
        e.n_addresses = 1;
        e.source_line = line;
        assert_int_equal(rf_import_add(imp, &e, &err), RF_OK);
    }
    assert_int_equal(rf_import_commit(imp, &vid, &err), RF_OK);
    assert_true(vid > 0);
    rf_buf_free(&data);
    return vid;
}

/* ---- tests ------------------------------------------------------------------------------- */

static int count_codes(const char *code, long long count, void *ctx)
{
    rf_buf *out = ctx;
    return rf_buf_printf(out, "%s=%lld;", code, count);
}

static void test_store__import_then_snapshot_keeps_every_field(void **state)
{
    /* Two real listings: Huawei's Hong Kong affiliate from the Entity List (May 2022 CSL,
     * line 5817) and an SDN vessel, with their aliases and addresses. */
    static const rf_name huawei_names[] = {
        {"Huawei Technologies Co. Ltd., Tsim Sha Tsui", RF_NAME_PRIMARY},
        {"Huawei Tech", RF_NAME_ALIAS},
        {"华为技术有限公司", RF_NAME_ORIGINAL},
    };
    static const rf_address huawei_addr[] = {{"Tsim Sha Tsui", "Kowloon", "HK"},
                                             {"Bantian, Longgang District", "Shenzhen", "CN"}};
    static const rf_name vessel_names[] = {{"ADRIAN DARYA 1", RF_NAME_PRIMARY},
                                           {"GRACE 1", RF_NAME_FORMER},
                                           {"ADRIAN", RF_NAME_WEAK_ALIAS}};
    rf_entity huawei = {0}, vessel = {0};
    rf_version_info info = {"csl", "csl-csv", "consolidated.csv", "00aa", "2022-05-01"};
    rf_store *st = rf_test_store("fields.db");
    rf_import *imp;
    rf_snapshot *snap;
    rf_version_list all;
    rf_buf codes = {0};
    rf_error err;
    long long vid;
    const rf_entity *e;
    (void)state;

    huawei.list_code = "EL";
    huawei.list_name = "Entity List (EL) - Bureau of Industry and Security";
    huawei.source_id = "538255496b64581b136e72428292a76428d9a026";
    huawei.type = RF_ENTITY_ORGANIZATION;
    huawei.federal_register = "84 FR 22961, 85 FR 29852, 85 FR 36720, 85 FR 51603";
    huawei.start_date = "2019-05-21";
    huawei.license_requirement = "For all items subject to the EAR, see §§ 736.2(b)(3)(vi)";
    huawei.license_policy = "Presumption of denial";
    huawei.source_url = "http://bit.ly/1L47xrV";
    huawei.parent_name = "Huawei Technologies Co., Ltd.";
    huawei.names = huawei_names;
    huawei.n_names = 3;
    huawei.addresses = huawei_addr;
    huawei.n_addresses = 2;
    huawei.source_line = 5817;

    vessel.list_code = "SDN";
    vessel.source_id = "27089";
    vessel.type = RF_ENTITY_VESSEL;
    vessel.programs = "IRGC; SDGT";
    vessel.remarks = "Vessel Registration Identification IMO 9116412";
    vessel.ids = "IMO 9116412";
    vessel.names = vessel_names;
    vessel.n_names = 3;
    vessel.source_line = 9001;

    assert_int_equal(rf_store_is_empty(st), 1);
    assert_int_equal(rf_import_begin(&imp, st, &info, &err), RF_OK);
    assert_int_equal(rf_import_add(imp, &huawei, &err), RF_OK);
    assert_int_equal(rf_import_add(imp, &vessel, &err), RF_OK);
    assert_int_equal(rf_import_warn(imp, 12, "row 12: unknown list code XYZ", &err), RF_OK);
    assert_int_equal(rf_import_commit(imp, &vid, &err), RF_OK);
    assert_int_equal(rf_store_is_empty(st), 0);
    assert_int_equal(rf_store_has_version(st, "csl", "00aa"), 1);
    assert_int_equal(rf_store_has_version(st, "bis-dpl", "00aa"), 0);

    assert_int_equal(rf_store_versions_all(&all, st, &err), RF_OK);
    assert_int_equal(all.count, 1);
    assert_int_equal(all.items[0].id, vid);
    assert_string_equal(all.items[0].feed, "csl");
    assert_string_equal(all.items[0].format, "csl-csv");
    assert_string_equal(all.items[0].source_file, "consolidated.csv");
    assert_string_equal(all.items[0].published, "2022-05-01");
    assert_int_equal(strlen(all.items[0].imported_at), 20); /* 2024-01-02T03:04:05Z */
    assert_int_equal(all.items[0].entities, 2);
    assert_int_equal(all.items[0].names, 6);
    assert_int_equal(all.items[0].warnings, 1);
    rf_version_list_free(&all);
    assert_int_equal(rf_store_version_counts(st, vid, count_codes, &codes, &err), RF_OK);
    assert_string_equal(codes.data, "EL=1;SDN=1;");
    rf_buf_free(&codes);

    assert_int_equal(rf_snapshot_load(&snap, st, "2022-06-01", &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 2);
    assert_null(rf_snapshot_entity(snap, 2));
    assert_int_equal(rf_snapshot_versions(snap)->count, 1);
    e = find_entity(snap, "Huawei Technologies Co. Ltd., Tsim Sha Tsui");
    assert_non_null(e);
    assert_true(e->id > 0);
    assert_int_equal(e->version_id, vid);
    assert_string_equal(e->list_code, "EL");
    assert_string_equal(e->list_name, huawei.list_name);
    assert_string_equal(e->source_id, huawei.source_id);
    assert_int_equal(e->type, RF_ENTITY_ORGANIZATION);
    assert_null(e->programs);
    assert_string_equal(e->federal_register, huawei.federal_register);
    assert_string_equal(e->start_date, "2019-05-21");
    assert_null(e->end_date);
    assert_string_equal(e->license_requirement, huawei.license_requirement);
    assert_string_equal(e->license_policy, "Presumption of denial");
    assert_string_equal(e->source_url, huawei.source_url);
    assert_string_equal(e->parent_name, "Huawei Technologies Co., Ltd.");
    assert_int_equal(e->source_line, 5817);
    assert_int_equal(e->n_names, 3);
    assert_string_equal(e->names[1].text, "Huawei Tech");
    assert_int_equal(e->names[1].kind, RF_NAME_ALIAS);
    assert_string_equal(e->names[2].text, "华为技术有限公司");
    assert_int_equal(e->names[2].kind, RF_NAME_ORIGINAL);
    assert_int_equal(e->n_addresses, 2);
    assert_string_equal(e->addresses[0].text, "Tsim Sha Tsui");
    assert_string_equal(e->addresses[0].city, "Kowloon");
    assert_string_equal(e->addresses[0].country, "HK");
    assert_string_equal(e->addresses[1].country, "CN");

    e = find_entity(snap, "ADRIAN DARYA 1");
    assert_non_null(e);
    assert_int_equal(e->type, RF_ENTITY_VESSEL);
    assert_null(e->list_name);
    assert_string_equal(e->programs, "IRGC; SDGT");
    assert_string_equal(e->ids, "IMO 9116412");
    assert_int_equal(e->names[1].kind, RF_NAME_FORMER);
    assert_int_equal(e->names[2].kind, RF_NAME_WEAK_ALIAS);
    assert_int_equal(e->n_addresses, 0);
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_store__rejects_bad_entities_without_losing_the_import(void **state)
{
    rf_version_info info = {"csl", "csl-csv", "x.csv", "11bb", NULL};
    rf_store *st = rf_test_store("reject.db");
    rf_name ok_name = {"ZTE KANGXUN TELECOMMUNICATIONS LTD.", RF_NAME_PRIMARY};
    rf_name bad_name = {"ZTE \xFF", RF_NAME_PRIMARY};
    rf_entity e = {0};
    rf_import *imp, *second;
    rf_snapshot *snap;
    rf_error err;
    (void)state;

    assert_int_equal(rf_import_begin(&imp, st, &info, &err), RF_OK);
    assert_int_equal(rf_import_begin(&second, st, &info, &err), RF_EUSAGE);
    e.source_line = 7;
    assert_int_equal(rf_import_add(imp, &e, &err), RF_EUSAGE); /* no name at all */
    e.names = &bad_name;
    e.n_names = 1;
    assert_int_equal(rf_import_add(imp, &e, &err), RF_EFORMAT);
    assert_string_equal(err.file, "x.csv"); /* the list file and line, for the user to fix */
    assert_int_equal(err.line, 7);
    e.n_names = RF_MAX_NAMES + 1;
    assert_int_equal(rf_import_add(imp, &e, &err), RF_ELIMIT);
    e.names = &ok_name;
    e.n_names = 1;
    assert_int_equal(rf_import_add(imp, &e, &err), RF_OK);
    assert_int_equal(rf_import_commit(imp, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 1);
    rf_snapshot_free(snap);

    info.published = "5/1/2022";
    assert_int_equal(rf_import_begin(&imp, st, &info, &err), RF_EUSAGE);
    rf_store_close(st);
}

static void test_store__failed_import_keeps_previous_version(void **state)
{
    const char *path = rf_test_tmpfile("abort.db");
    rf_version_info info = {"bis-dpl", "dpl-tsv", "dpl.txt", "22cc", "2018-08-01"};
    rf_name zte = {"ZHONGXING TELECOMMUNICATIONS EQUIPMENT CORPORATION", RF_NAME_PRIMARY};
    rf_entity e = {0};
    rf_store *st = rf_test_store("abort.db");
    rf_import *imp;
    rf_snapshot *snap;
    rf_version_list in_force, all;
    rf_error err;
    long long first;
    (void)state;

    first = import_dpl(st, "lists/dpl_2018-05-01_excerpt.txt", "2018-05-01");
    e.names = &zte;
    e.n_names = 1;

    /* Aborted on purpose, half-way through. */
    assert_int_equal(rf_import_begin(&imp, st, &info, &err), RF_OK);
    for (int i = 0; i < 50; i++) assert_int_equal(rf_import_add(imp, &e, &err), RF_OK);
    rf_import_abort(imp);
    rf_import_abort(NULL);

    /* A file that yields nobody is refused rather than emptying the feed. */
    assert_int_equal(rf_import_begin(&imp, st, &info, &err), RF_OK);
    assert_int_equal(rf_import_commit(imp, NULL, &err), RF_EFORMAT);

    /* An importing process dies with its transaction open. */
    rf_store_close(st);
    {
        pid_t pid = fork();
        int status;
        assert_true(pid >= 0);
        if (pid == 0) {
            rf_store *child;
            if (rf_store_open(&child, path, &err) || rf_import_begin(&imp, child, &info, &err))
                _exit(2);
            for (int i = 0; i < 50; i++)
                if (rf_import_add(imp, &e, &err)) _exit(3);
            _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(rf_store_open(&st, path, &err), RF_OK);

    assert_int_equal(rf_store_versions_all(&all, st, &err), RF_OK);
    assert_int_equal(all.count, 1);
    assert_int_equal(all.items[0].id, first);
    assert_int_equal(all.items[0].entities, 10);
    rf_version_list_free(&all);
    assert_int_equal(rf_store_versions_in_force(&in_force, st, "2018-09-01", &err), RF_OK);
    assert_int_equal(in_force.count, 1);
    assert_int_equal(in_force.items[0].id, first);
    rf_version_list_free(&in_force);
    assert_int_equal(rf_store_has_version(st, "bis-dpl", "22cc"), 0);
    assert_int_equal(rf_snapshot_load(&snap, st, "2018-09-01", &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 10);
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_store__versions_in_force_follow_the_date(void **state)
{
    rf_store *st = rf_test_store("asof.db");
    rf_version_list v;
    rf_snapshot *snap;
    rf_error err;
    long long may, aug;
    rf_name csl_name = {"Huawei Technologies Co., Ltd.", RF_NAME_PRIMARY};
    rf_entity csl = {0};
    rf_version_info undated = {"csl", "csl-csv", "c.csv", "33dd", NULL};
    rf_import *imp;
    (void)state;

    /* Imported newest first: publication dates decide, not import order. */
    aug = import_dpl(st, "lists/dpl_2018-08-01_excerpt.txt", "2018-08-01");
    may = import_dpl(st, "lists/dpl_2018-05-01_excerpt.txt", "2018-05-01");
    /* A version without a publication date takes effect the day it is imported (today). */
    csl.names = &csl_name;
    csl.n_names = 1;
    csl.list_code = "EL";
    assert_int_equal(rf_import_begin(&imp, st, &undated, &err), RF_OK);
    assert_int_equal(rf_import_add(imp, &csl, &err), RF_OK);
    assert_int_equal(rf_import_commit(imp, NULL, &err), RF_OK);

    /* June 2018: the ZTE denial order is in force. */
    assert_int_equal(rf_store_versions_in_force(&v, st, "2018-06-15", &err), RF_OK);
    assert_int_equal(v.count, 1);
    assert_int_equal(v.items[0].id, may);
    rf_version_list_free(&v);
    assert_int_equal(rf_snapshot_load(&snap, st, "2018-06-15", &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 10);
    assert_non_null(find_entity(snap, "ZHONGXING TELECOMMUNICATIONS EQUIPMENT CORPORATION"));
    assert_non_null(find_entity(snap, "ZTE KANGXUN TELECOMMUNICATIONS LTD."));
    rf_snapshot_free(snap);

    /* The day the August file was published, ZTE is gone; the other eight remain. */
    assert_int_equal(rf_store_versions_in_force(&v, st, "2018-08-01", &err), RF_OK);
    assert_int_equal(v.count, 1);
    assert_int_equal(v.items[0].id, aug);
    rf_version_list_free(&v);
    assert_int_equal(rf_snapshot_load(&snap, st, "2018-08-15", &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 8);
    assert_null(find_entity(snap, "ZHONGXING TELECOMMUNICATIONS EQUIPMENT CORPORATION"));
    assert_non_null(find_entity(snap, "ALI AGAR MANZARPOUR"));
    rf_snapshot_free(snap);

    /* Before any version: nothing in force, and a snapshot says so instead of being empty. */
    assert_int_equal(rf_store_versions_in_force(&v, st, "2018-04-30", &err), RF_OK);
    assert_int_equal(v.count, 0);
    rf_version_list_free(&v);
    assert_int_equal(rf_snapshot_load(&snap, st, "2018-04-30", &err), RF_ENOTFOUND);
    assert_null(snap);

    /* Today: the newest of each feed, ordered by feed. */
    assert_int_equal(rf_store_versions_in_force(&v, st, NULL, &err), RF_OK);
    assert_int_equal(v.count, 2);
    assert_string_equal(v.items[0].feed, "bis-dpl");
    assert_int_equal(v.items[0].id, aug);
    assert_string_equal(v.items[1].feed, "csl");
    assert_null(v.items[1].published);
    rf_version_list_free(&v);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 9);
    assert_int_equal(rf_snapshot_versions(snap)->count, 2);
    rf_snapshot_free(snap);

    /* Oldest first means first imported. */
    assert_int_equal(rf_store_versions_all(&v, st, &err), RF_OK);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.items[0].id, aug);
    assert_int_equal(v.items[1].id, may);
    rf_version_list_free(&v);

    assert_int_equal(rf_store_versions_in_force(&v, st, "2018-13-45x", &err), RF_EUSAGE);
    rf_store_close(st);
}

static void test_store__reopen_keeps_everything(void **state)
{
    const char *path = rf_test_tmpfile("reopen.db");
    rf_store *st = rf_test_store("reopen.db");
    rf_snapshot *before, *after;
    rf_version_list v;
    rf_error err;
    (void)state;

    import_dpl(st, "lists/dpl_2018-05-01_excerpt.txt", "2018-05-01");
    assert_int_equal(rf_snapshot_load(&before, st, NULL, &err), RF_OK);
    rf_store_close(st);

    assert_int_equal(rf_store_open(&st, path, &err), RF_OK);
    assert_int_equal(rf_store_is_empty(st), 0);
    assert_int_equal(rf_store_versions_all(&v, st, &err), RF_OK);
    assert_int_equal(v.count, 1);
    assert_int_equal(v.items[0].entities, 10);
    assert_int_equal(strlen(v.items[0].sha256), 64);
    assert_int_equal(rf_store_has_version(st, "bis-dpl", v.items[0].sha256), 1);
    rf_version_list_free(&v);
    assert_int_equal(rf_snapshot_load(&after, st, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(after), rf_snapshot_count(before));
    for (size_t i = 0; i < rf_snapshot_count(after); i++) {
        const rf_entity *a = rf_snapshot_entity(before, i), *b = rf_snapshot_entity(after, i);
        assert_int_equal(a->id, b->id);
        assert_string_equal(a->names[0].text, b->names[0].text);
        assert_string_equal(a->addresses[0].text, b->addresses[0].text);
        assert_string_equal(a->federal_register, b->federal_register);
    }
    rf_snapshot_free(before);
    rf_snapshot_free(after);
    rf_store_close(st);
    rf_store_close(NULL);
    rf_snapshot_free(NULL);
}

/* Two strings equal, or both NULL. */
static void assert_same_text(const char *a, const char *b)
{
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

/* Snapshots `a` and `b` hold the same entities, field by field. */
static void assert_same_snapshot(const rf_snapshot *a, const rf_snapshot *b)
{
    assert_int_equal(rf_snapshot_count(a), rf_snapshot_count(b));
    for (size_t i = 0; i < rf_snapshot_count(a); i++) {
        const rf_entity *x = rf_snapshot_entity(a, i), *y = rf_snapshot_entity(b, i);
        const char *const fx[] = {x->list_code, x->list_name, x->source_id, x->programs, x->federal_register,
                                  x->start_date, x->end_date, x->license_requirement, x->license_policy,
                                  x->remarks, x->title, x->source_url, x->nationalities, x->dates_of_birth,
                                  x->ids, x->parent_name, x->content_hash};
        const char *const fy[] = {y->list_code, y->list_name, y->source_id, y->programs, y->federal_register,
                                  y->start_date, y->end_date, y->license_requirement, y->license_policy,
                                  y->remarks, y->title, y->source_url, y->nationalities, y->dates_of_birth,
                                  y->ids, y->parent_name, y->content_hash};
        assert_int_equal(x->id, y->id);
        assert_int_equal(x->version_id, y->version_id);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->source_line, y->source_line);
        for (size_t f = 0; f < sizeof fx / sizeof *fx; f++) assert_same_text(fx[f], fy[f]);
        assert_int_equal(x->n_names, y->n_names);
        for (size_t k = 0; k < x->n_names; k++) {
            assert_string_equal(x->names[k].text, y->names[k].text);
            assert_int_equal(x->names[k].kind, y->names[k].kind);
        }
        assert_int_equal(x->n_addresses, y->n_addresses);
        for (size_t k = 0; k < x->n_addresses; k++) {
            assert_same_text(x->addresses[k].text, y->addresses[k].text);
            assert_same_text(x->addresses[k].city, y->addresses[k].city);
            assert_same_text(x->addresses[k].country, y->addresses[k].country);
        }
    }
}

/* The path of the one stored lists file of database `db` into path; its inode. */
static ino_t stored_lists(char path[1200], const char *db)
{
    char cmd[1200], *out = NULL;
    struct stat sb;
    snprintf(cmd, sizeof cmd, "ls '%s.index'/*.rflists", db);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    assert_non_null(out);
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1); /* exactly one */
    out[strlen(out) - 1] = '\0';
    snprintf(path, 1200, "%s", out);
    free(out);
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_ino;
}

/* The lists in force are kept beside the database after a load from it, and read from there
 * with every field as loaded and the same digest; a damaged or truncated copy is not used but
 * written again, and a read-only store reads the database and writes none. */
static void test_store__stored_lists_read_as_loaded(void **state)
{
    const char *db = rf_test_tmpfile("stored.db");
    rf_store *st = rf_test_store("stored.db");
    rf_snapshot *loaded, *again;
    char path[1200], *bytes, *now;
    uint8_t digest[16], digest2[16];
    size_t len, now_len, count;
    ino_t ino;
    rf_error err;
    FILE *f;
    (void)state;

    import_dpl(st, "lists/dpl_2018-05-01_excerpt.txt", "2018-05-01");
    assert_int_equal(rf_snapshot_load(&loaded, st, NULL, &err), RF_OK);
    ino = stored_lists(path, db);
    assert_non_null(bytes = rf_test_read_file(path, &len));

    /* Read from the copy: the file is left as it is (a load from the database replaces it),
     * and the digest of the entities (what the stored index is keyed by) is the same. */
    assert_int_equal(rf_snapshot_load(&again, st, NULL, &err), RF_OK);
    assert_same_snapshot(loaded, again);
    assert_int_equal(stored_lists(path, db), ino);
    assert_int_equal(rf_snapshot_digest(digest, &count, loaded), 1);
    assert_int_equal(count, rf_snapshot_count(loaded));
    assert_int_equal(rf_snapshot_digest(digest2, &count, again), 1);
    assert_memory_equal(digest, digest2, sizeof digest);
    rf_snapshot_free(again);
    /* A snapshot loaded by ids has none. */
    {
        long long id = rf_snapshot_entity(loaded, 0)->id;
        assert_int_equal(rf_snapshot_load_ids(&again, st, &id, 1, &err), RF_OK);
        assert_int_equal(rf_snapshot_digest(digest2, &count, again), 0);
        assert_int_equal(count, 0);
        rf_snapshot_free(again);
    }

    /* A byte flipped in the middle, then the file cut in half: the same entities, the file
     * written again as it was. */
    for (int damage = 0; damage < 2; damage++) {
        assert_non_null(f = fopen(path, "r+b"));
        if (damage == 0) {
            assert_int_equal(fseek(f, (long)(len / 2), SEEK_SET), 0);
            assert_int_equal(fputc(bytes[len / 2] ^ 0x20, f), bytes[len / 2] ^ 0x20);
        } else {
            assert_int_equal(ftruncate(fileno(f), (off_t)(len / 2)), 0);
        }
        assert_int_equal(fclose(f), 0);
        assert_int_equal(rf_snapshot_load(&again, st, NULL, &err), RF_OK);
        assert_same_snapshot(loaded, again);
        rf_snapshot_free(again);
        assert_true(stored_lists(path, db) != ino);
        ino = stored_lists(path, db);
        assert_non_null(now = rf_test_read_file(path, &now_len));
        assert_int_equal(now_len, len);
        assert_memory_equal(now, bytes, len);
        free(now);
    }
    rf_store_close(st);

    /* Read-only: the database read, nothing written, the same digest. */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rf_store_open_mode(&st, db, RF_STORE_READONLY, &err), RF_OK);
    assert_int_equal(rf_snapshot_load(&again, st, NULL, &err), RF_OK);
    assert_same_snapshot(loaded, again);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(rf_snapshot_digest(digest2, &count, again), 1);
    assert_memory_equal(digest, digest2, sizeof digest);
    rf_snapshot_free(again);
    rf_snapshot_free(loaded);
    rf_store_close(st);
    free(bytes);
}

/* What "immutable" and content_hash promise, checked on the database file itself. */
static void test_store__content_hash_and_immutability(void **state)
{
    const char *path = rf_test_tmpfile("hash.db");
    rf_store *st = rf_test_store("hash.db");
    sqlite3 *db;
    sqlite3_stmt *stmt;
    char *msg = NULL;
    (void)state;

    import_dpl(st, "lists/dpl_2018-05-01_excerpt.txt", "2018-05-01");
    import_dpl(st, "lists/dpl_2018-08-01_excerpt.txt", "2018-08-01");
    rf_store_close(st);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* The eight rows listed unchanged in both files hash alike; ALI AGAR MANZARPOUR has two
     * rows (two addresses) that must not collide. */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(DISTINCT content_hash), count(*) FROM entity",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(stmt, 0), 10);
    assert_int_equal(sqlite3_column_int(stmt, 1), 18);
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(stmt, 0), 9); /* downloads, review, trail, processes, chain,
                                                         * accounts, ownership, idempotency */
    sqlite3_finalize(stmt);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE entity SET list_code = 'EL'", NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "immutable"));
    sqlite3_free(msg);
    /* A committed version cannot be edited nor gain an entity (it is sealed in the chain). */
    assert_int_not_equal(sqlite3_exec(db, "UPDATE list_version SET published = '2030-01-01'",
                                      NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "immutable"));
    sqlite3_free(msg);
    assert_int_not_equal(sqlite3_exec(db, "INSERT INTO entity (version_id, type, content_hash)"
                                          " VALUES (1, 'person', 'x')",
                                      NULL, NULL, &msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "immutable"));
    sqlite3_free(msg);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM list_version WHERE id = 2", NULL, NULL,
                                      &msg),
                         SQLITE_OK);
    sqlite3_free(msg);
    /* A database written by a newer redflag is refused, not misread. */
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    {
        rf_error err;
        assert_int_equal(rf_store_open(&st, path, &err), RF_EDB);
        assert_non_null(strstr(err.message, "newer"));
    }
}

static void test_store__default_path_and_parent_directories(void **state)
{
    char path[4096], expect[4096];
    rf_store *st;
    rf_error err;
    struct stat sb;
    (void)state;

    setenv("REDFLAG_DB", "/srv/screening/redflag.db", 1);
    assert_int_equal(rf_store_default_path(path, sizeof path, &err), RF_OK);
    assert_string_equal(path, "/srv/screening/redflag.db");
    unsetenv("REDFLAG_DB");
    setenv("XDG_DATA_HOME", "/home/desk/.data", 1);
    assert_int_equal(rf_store_default_path(path, sizeof path, &err), RF_OK);
    assert_string_equal(path, "/home/desk/.data/redflag/redflag.db");
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    setenv("HOME", "/home/desk", 1);
    assert_int_equal(rf_store_default_path(path, sizeof path, &err), RF_OK);
    assert_string_equal(path, "/home/desk/.local/share/redflag/redflag.db");
    assert_int_equal(rf_store_default_path(path, 10, &err), RF_ELIMIT);

    /* A first run creates the directories the database lives in. */
    setenv("HOME", rf_test_tmpfile("newhome"), 1);
    unsetenv("XDG_DATA_HOME");
    assert_int_equal(rf_store_default_path(path, sizeof path, &err), RF_OK);
    assert_int_equal(rf_store_open(&st, path, &err), RF_OK);
    assert_int_equal(rf_store_is_empty(st), 1);
    rf_store_close(st);
    snprintf(expect, sizeof expect, "%s/.local/share/redflag/redflag.db", rf_test_tmpfile("newhome"));
    assert_string_equal(path, expect);
    assert_int_equal(stat(path, &sb), 0);

    /* A file that is not a database is refused with sqlite's reason. */
    assert_int_equal(rf_test_write_file(rf_test_tmpfile("orders.csv"), "ref,name\n1,ZTE\n", 15), 0);
    assert_int_equal(rf_store_open(&st, rf_test_tmpfile("orders.csv"), &err), RF_EDB);
    assert_null(st);
    assert_non_null(strstr(err.message, "not a database"));
}

/* ---- the bundled CSL, through a minimal CSV reading -------------------------------------- */

#define CSL_COLUMNS 29
enum { C_ID = 0, C_SOURCE = 1, C_TYPE = 3, C_PROGRAMS = 4, C_NAME = 5, C_ADDRESSES = 7,
       C_FR = 8, C_START = 9, C_LIC_REQ = 12, C_LIC_POL = 13, C_ALT = 22 };

typedef struct csl_reader {
    rf_import *imp;
    rf_buf fields[CSL_COLUMNS];
    int n_fields;
    long row;
    rf_name names[RF_MAX_NAMES];
    rf_address addrs[RF_MAX_ADDRESSES];
    char code[32];
} csl_reader;

static void csl_field(void *data, size_t len, void *ctx)
{
    csl_reader *r = ctx;
    if (r->n_fields < CSL_COLUMNS) {
        rf_buf_reset(&r->fields[r->n_fields]);
        assert_int_equal(rf_buf_append(&r->fields[r->n_fields], data, len), RF_OK);
    }
    r->n_fields++;
}

/* Splits "a; b; c" in place into up to `max` non-empty pieces. */
static size_t split_list(char *s, const char **out, size_t max)
{
    size_t n = 0;
    while (s && *s && n < max) {
        char *sep = strstr(s, "; ");
        if (sep) *sep = '\0';
        if (*s) out[n++] = s;
        s = sep ? sep + 2 : NULL;
    }
    return n;
}

static const char *opt(rf_buf *b)
{
    return b->len ? b->data : NULL;
}

static void csl_row(int c, void *ctx)
{
    csl_reader *r = ctx;
    rf_entity e = {0};
    const char *alt[RF_MAX_NAMES], *addr[RF_MAX_ADDRESSES];
    const char *open, *close;
    size_t n_alt, n_addr;
    rf_error err;
    (void)c;

    r->row++;
    assert_int_equal(r->n_fields, CSL_COLUMNS);
    r->n_fields = 0;
    if (r->row == 1) return; /* header */
    open = strrchr(r->fields[C_SOURCE].data, '(');
    close = open ? strchr(open, ')') : NULL;
    assert_non_null(close);
    snprintf(r->code, sizeof r->code, "%.*s", (int)(close - open - 1), open + 1);
    r->names[0] = (rf_name){r->fields[C_NAME].data, RF_NAME_PRIMARY};
    n_alt = split_list(r->fields[C_ALT].data, alt, RF_MAX_NAMES - 1);
    for (size_t i = 0; i < n_alt; i++) r->names[i + 1] = (rf_name){alt[i], RF_NAME_ALIAS};
    n_addr = split_list(r->fields[C_ADDRESSES].data, addr, RF_MAX_ADDRESSES);
    for (size_t i = 0; i < n_addr; i++) r->addrs[i] = (rf_address){addr[i], NULL, NULL};
    e.list_code = r->code;
    e.list_name = r->fields[C_SOURCE].data;
    e.source_id = r->fields[C_ID].data;
    e.type = strcmp(r->fields[C_TYPE].data, "Individual") == 0 ? RF_ENTITY_PERSON
             : strcmp(r->fields[C_TYPE].data, "Vessel") == 0   ? RF_ENTITY_VESSEL
             : strcmp(r->fields[C_TYPE].data, "Entity") == 0   ? RF_ENTITY_ORGANIZATION
                                                               : RF_ENTITY_UNKNOWN;
    e.programs = opt(&r->fields[C_PROGRAMS]);
    e.federal_register = opt(&r->fields[C_FR]);
    e.start_date = opt(&r->fields[C_START]);
    e.license_requirement = opt(&r->fields[C_LIC_REQ]);
    e.license_policy = opt(&r->fields[C_LIC_POL]);
    e.names = r->names;
    e.n_names = 1 + n_alt;
    e.addresses = r->addrs;
    e.n_addresses = n_addr;
    e.source_line = r->row;
    assert_int_equal(rf_import_add(r->imp, &e, &err), RF_OK);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_store__bundled_csl_imports_whole(void **state)
{
    const unsigned char *gz;
    size_t gz_len;
    const char *name, *published;
    char sha[65];
    rf_buf csv = {0}, codes = {0};
    rf_store *st = rf_test_store("bundled.db");
    rf_version_info info;
    struct csv_parser parser;
    csl_reader *r = calloc(1, sizeof *r);
    rf_snapshot *snap;
    rf_error err;
    long long vid;
    long long total_names = 0;
    const rf_entity *e;
    struct timespec t0;
    double t_import, t_load;
    (void)state;

    rf_bundled_list(&gz, &gz_len, &name, &published);
    assert_string_equal(name, "consolidated_2022-05.csv.gz");
    assert_string_equal(published, "2022-05-01");
    rf_sha256_hex(sha, gz, gz_len);
    assert_string_equal(sha, CSL_GZ_SHA256); /* the embedded bytes are the file, exactly */
    assert_int_equal(rf_gunzip(&csv, gz, gz_len, 0, name, &err), RF_OK);

    info = (rf_version_info){"csl", "csl-csv", name, sha, published};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rf_import_begin(&r->imp, st, &info, &err), RF_OK);
    assert_int_equal(csv_init(&parser, CSV_APPEND_NULL), 0);
    assert_int_equal(csv_parse(&parser, csv.data, csv.len, csl_field, csl_row, r), csv.len);
    assert_int_equal(csv_fini(&parser, csl_field, csl_row, r), 0);
    csv_free(&parser);
    assert_int_equal(rf_import_commit(r->imp, &vid, &err), RF_OK);
    t_import = seconds_since(&t0);

    assert_int_equal(rf_store_version_counts(st, vid, count_codes, &codes, &err), RF_OK);
    assert_string_equal(codes.data, "CAP=53;CMIC=68;DPL=462;DTC=727;EL=2001;FSE=3;ISN=163;"
                                    "MEU=71;NS-MBS List=17;PLC=78;SDN=10026;SSI=290;UVL=201;");

    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rf_snapshot_load(&snap, st, "2022-05-01", &err), RF_OK);
    t_load = seconds_since(&t0);
    assert_int_equal(rf_snapshot_count(snap), 14160);
    for (size_t i = 0; i < rf_snapshot_count(snap); i++)
        total_names += (long long)rf_snapshot_entity(snap, i)->n_names;
    assert_int_equal(total_names, 34169);
    e = find_entity(snap, "Huawei Technologies Co. Ltd., Tsim Sha Tsui");
    assert_non_null(e);
    assert_string_equal(e->list_code, "EL");
    assert_string_equal(e->start_date, "2019-05-21");
    assert_string_equal(e->license_policy, "Presumption of denial");
    assert_int_equal(e->n_addresses, 1);
    assert_string_equal(e->addresses[0].text, "Kowloon, HK");
    assert_int_equal(e->source_line, 5817);
    rf_snapshot_free(snap);
    /* The day before its publication date the bundled list is not in force yet. */
    assert_int_equal(rf_snapshot_load(&snap, st, "2022-04-30", &err), RF_ENOTFOUND);
    fprintf(stderr, "bundled CSL: import %.3f s, snapshot load %.3f s\n", t_import, t_load);

    for (int i = 0; i < CSL_COLUMNS; i++) rf_buf_free(&r->fields[i]);
    free(r);
    rf_buf_free(&csv);
    rf_buf_free(&codes);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store__import_then_snapshot_keeps_every_field),
        cmocka_unit_test(test_store__rejects_bad_entities_without_losing_the_import),
        cmocka_unit_test(test_store__failed_import_keeps_previous_version),
        cmocka_unit_test(test_store__versions_in_force_follow_the_date),
        cmocka_unit_test(test_store__reopen_keeps_everything),
        cmocka_unit_test(test_store__stored_lists_read_as_loaded),
        cmocka_unit_test(test_store__content_hash_and_immutability),
        cmocka_unit_test(test_store__default_path_and_parent_directories),
        cmocka_unit_test(test_store__bundled_csl_imports_whole),
    };
    return cmocka_run_group_tests_name("lists_store", tests, NULL, NULL);
}
