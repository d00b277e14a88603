/* list_test_util.h: what the list importer tests share (a store per test is rf_test_store):
 * imports that print their error, warnings collected, and lookups of entities and their names. */
#ifndef LIST_TEST_UTIL_H
#define LIST_TEST_UTIL_H

#include <stddef.h>

#include "importers/rf_importers.h"

/* The warnings an import reports. */
typedef struct warnings {
    int count;
    char text[64][512];
    long line[64];
} warnings;

void on_warning(const char *file, long line, const char *message, void *ctx);

/* Imports `path` with `effective` (may be NULL), collecting warnings into `w`; prints the
 * error, if any, and returns the result code. */
int import_ok(rf_import_summary *sum, rf_store *st, const char *path, const char *effective,
              warnings *w);

/* 1 when `e` has the name `text` of `kind`. */
int has_name(const rf_entity *e, const char *text, rf_name_kind kind);

/* The entity of list `list` whose primary name is `primary`; NULL when none. */
const rf_entity *find(const rf_snapshot *snap, const char *list, const char *primary);

/* The entity of list `list` with the source id `id`; NULL when none. */
const rf_entity *find_id(const rf_snapshot *snap, const char *list, const char *id);

/* Entity counts per list code of one version: fill `code` and `expected`, end with a NULL
 * code; collect_count (for rf_store_version_counts) sets `seen`. */
typedef struct list_count {
    const char *code;
    long long expected;
    long long seen;
} list_count;

int collect_count(const char *code, long long n, void *ctx);

/* Asserts that version `version_id` holds exactly the expected count of each list code in
 * `counts` (NULL-code terminated) and no other list code. */
void assert_counts(rf_store *st, long long version_id, list_count *counts);

/* How many versions the store holds. */
size_t count_versions(rf_store *st);

/* A snapshot of the store as of now (asserts that it loads). */
rf_snapshot *load_snapshot(rf_store *st);

#endif
