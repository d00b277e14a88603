/* list_test_util.c: the helpers of list_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "list_test_util.h"
#include "rf_test.h"

void on_warning(const char *file, long line, const char *message, void *ctx)
{
    warnings *w = ctx;
    (void)file;
    if (w->count < 64) {
        snprintf(w->text[w->count], sizeof w->text[0], "%s", message);
        w->line[w->count] = line;
    }
    w->count++;
}

int import_ok(rf_import_summary *sum, rf_store *st, const char *path, const char *effective,
              warnings *w)
{
    rf_import_options opts = {effective, on_warning, w, 0};
    rf_error err;
    int rc = rf_import_list_file(sum, st, path, &opts, &err);
    if (rc) {
        char msg[2048];
        fprintf(stderr, "%s\n", rf_error_format(&err, msg, sizeof msg));
    }
    return rc;
}

int has_name(const rf_entity *e, const char *text, rf_name_kind kind)
{
    for (size_t i = 0; i < e->n_names; i++)
        if (strcmp(e->names[i].text, text) == 0 && e->names[i].kind == kind) return 1;
    return 0;
}

const rf_entity *find(const rf_snapshot *snap, const char *list, const char *primary)
{
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (strcmp(e->list_code, list) == 0 && strcmp(e->names[0].text, primary) == 0) return e;
    }
    return NULL;
}

const rf_entity *find_id(const rf_snapshot *snap, const char *list, const char *id)
{
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (strcmp(e->list_code, list) == 0 && e->source_id && strcmp(e->source_id, id) == 0)
            return e;
    }
    return NULL;
}

int collect_count(const char *code, long long n, void *ctx)
{
    list_count *c = ctx;
    for (; c->code; c++)
        if (strcmp(c->code, code) == 0) c->seen = n;
    return 0;
}

typedef struct count_check {
    list_count *counts;
    long long total;
} count_check;

static int add_count(const char *code, long long n, void *ctx)
{
    count_check *c = ctx;
    c->total += n;
    return collect_count(code, n, c->counts);
}

void assert_counts(rf_store *st, long long version_id, list_count *counts)
{
    count_check check = {counts, 0};
    long long expected = 0;
    rf_error err;

    for (list_count *c = counts; c->code; c++) c->seen = -1;
    assert_int_equal(rf_store_version_counts(st, version_id, add_count, &check, &err), RF_OK);
    for (list_count *c = counts; c->code; c++) {
        if (c->seen != c->expected)
            fprintf(stderr, "%s: %lld entities, expected %lld\n", c->code, c->seen, c->expected);
        assert_int_equal(c->seen, c->expected);
        expected += c->expected;
    }
    assert_int_equal(check.total, expected); /* no list beyond those expected */
}

size_t count_versions(rf_store *st)
{
    rf_version_list all;
    rf_error err;
    size_t n;
    assert_int_equal(rf_store_versions_all(&all, st, &err), RF_OK);
    n = all.count;
    rf_version_list_free(&all);
    return n;
}

rf_snapshot *load_snapshot(rf_store *st)
{
    rf_snapshot *snap = NULL;
    rf_error err;
    int rc = rf_snapshot_load(&snap, st, NULL, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rc, RF_OK);
    return snap;
}
