/* fuzz_common.c: the helpers of fuzz.h: a list import into a fresh in-memory store, an order
 * document read from an in-memory file, and the invariants both must keep. */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>


void fuzz_fail(const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz: invariant broken (%s): ", cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

int fuzz_contains(const char *data, size_t size, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= size; i++)
        if (memcmp(data + i, needle, n) == 0) return 1;
    return 0;
}

const char *fuzz_skip_space(const char *data, size_t *size)
{
    if (*size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) data += 3, *size -= 3;
    while (*size && (*data == ' ' || *data == '\t' || *data == '\r' || *data == '\n'))
        data++, (*size)--;
    return data;
}

/* ---- list files ----------------------------------------------------------------------- */

#define LIST_NAME "fuzz-list-file"
/* Opening a store costs ten times an import: one is reused until it holds this many
 * versions, then replaced so that memory stays flat. */
#define STORE_VERSIONS_MAX 64

static rf_store *store;
static long store_versions;

static long count_versions(void)
{
    rf_version_list all = {0};
    rf_error err = {0};
    long n;
    FUZZ_CHECK(rf_store_versions_all(&all, store, &err) == 0, "versions: %s", err.message);
    n = (long)all.count;
    rf_version_list_free(&all);
    return n;
}

/* A successful import must be a version that loads back whole. */
static void check_imported(const rf_import_summary *sum)
{
    rf_snapshot *snap = NULL;
    rf_version_list one = {0};
    rf_error err = {0};
    int rc;

    FUZZ_CHECK(sum->version_id > 0 && sum->entities > 0, "version %lld with %ld entities",
               sum->version_id, sum->entities);
    rc = rf_store_version_get(&one, store, sum->version_id, &err);
    FUZZ_CHECK(rc == 0 && one.count == 1 && one.items[0].entities == sum->entities,
               "version %lld does not hold the %ld entities written", sum->version_id,
               sum->entities);
    rf_version_list_free(&one);
    /* The versions in force now (this one, unless it says it was published before one
     * already there) load back whole. */
    rc = rf_snapshot_load(&snap, store, NULL, &err);
    FUZZ_CHECK(rc == 0, "snapshot: %s", err.message);
    {
        const rf_version_list *in_force = rf_snapshot_versions(snap);
        long long listed = 0;
        for (size_t i = 0; i < in_force->count; i++) listed += in_force->items[i].entities;
        FUZZ_CHECK((long long)rf_snapshot_count(snap) == listed, "%zu entities loaded of %lld",
                   rf_snapshot_count(snap), listed);
    }
    rf_snapshot_free(snap);
    store_versions++;
    FUZZ_CHECK(count_versions() == store_versions, "not one version more");
}

/* The store the next import goes into: fresh once the last one is full. */
static void ready_store(void)
{
    rf_error err = {0};
    if (store && store_versions >= STORE_VERSIONS_MAX) {
        rf_store_close(store);
        store = NULL;
    }
    if (!store) {
        FUZZ_CHECK(rf_store_open(&store, ":memory:", &err) == 0, "store: %s", err.message);
        store_versions = 0;
    }
}

/* What an import must leave: a whole version, or an error naming one of the `n` files in
 * `names` and no version. */
static void check_import(int rc, const rf_import_summary *sum, const rf_error *err,
                         const char *const *names, size_t n)
{
    size_t i;
    if (rc == 0) {
        if (!sum->already_imported) check_imported(sum);
        return;
    }
    /* A user is told which file and given a reason; nothing of it is kept. */
    FUZZ_CHECK(rc < 0 && err->code == rc, "result %d, error code %d", rc, err->code);
    for (i = 0; i < n && strcmp(err->file, names[i]) != 0; i++) continue;
    FUZZ_CHECK(i < n, "error names \"%s\": %s", err->file, err->message);
    FUZZ_CHECK(err->message[0] != '\0', "empty error message");
    FUZZ_CHECK(count_versions() == store_versions, "a failed import left a version: %s",
               err->message);
}

void fuzz_list_import(const uint8_t *data, size_t size, const rf_list_format *formats, size_t n)
{
    static const char *const names[] = {LIST_NAME};
    rf_list_format f = rf_list_format_detect((const char *)data, size);
    rf_import_summary sum;
    rf_error err = {0};
    size_t i;
    int rc;

    for (i = 0; i < n && formats[i] != f; i++) continue;
    if (i == n) return;
    ready_store();
    rc = rf_import_list_data(&sum, store, LIST_NAME, data, size, NULL, &err);
    check_import(rc, &sum, &err, names, 1);
}

void fuzz_list_import_set(const char *const *paths, size_t n)
{
    rf_import_summary sum;
    rf_error err = {0};
    int rc;

    ready_store();
    rc = rf_import_list_file(&sum, store, paths[0], NULL, &err);
    check_import(rc, &sum, &err, paths, n);
}

/* ---- order documents ------------------------------------------------------------------ */

typedef struct order_check {
    const char *path;
    long parties;
} order_check;

static void check_text(const char *field, const char *s)
{
    size_t bad = 0;
    if (s) FUZZ_CHECK(rf_utf8_valid(s, strlen(s), &bad), "party %s is not UTF-8 at byte %zu", field, bad);
}

static int on_party(const rf_party *p, void *ctx)
{
    order_check *c = ctx;
    FUZZ_CHECK(p->document && strcmp(p->document, c->path) == 0, "party names document \"%s\"",
               p->document ? p->document : "(null)");
    FUZZ_CHECK(p->line >= 1, "party on line %ld", p->line);
    FUZZ_CHECK(!p->n_lines || p->lines, "%zu order lines without an array", p->n_lines);
    check_text("name", p->name);
    check_text("address", p->address);
    check_text("city", p->city);
    check_text("country", p->country);
    check_text("role", p->role);
    check_text("ref", p->ref);
    check_text("item", p->item);
    check_text("party_id", p->party_id);
    check_text("description", p->description);
    for (size_t i = 0; i < p->n_lines; i++) {
        FUZZ_CHECK(p->lines[i].line >= 1, "order line on line %ld", p->lines[i].line);
        check_text("line number", p->lines[i].number);
        check_text("line part number", p->lines[i].part_number);
        check_text("line description", p->lines[i].description);
    }
    c->parties++;
    return 0;
}

void fuzz_orders(const uint8_t *data, size_t size, fuzz_accept_fn accept)
{
    static int fd = -1;
    static char path[64];
    order_check c = {0};
    rf_error err = {0};
    int rc;

    if (accept && !accept((const char *)data, size)) return;
    if (fd < 0) {
        fd = memfd_create("fuzz-order", 0);
        FUZZ_CHECK(fd >= 0, "memfd_create failed");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0, "ftruncate failed");
    FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size, "pwrite failed");
    c.path = path;
    rc = rf_orders_read(path, NULL, on_party, &c, &err);
    if (rc != 0) {
        FUZZ_CHECK(rc < 0 && err.code == rc, "result %d, error code %d", rc, err.code);
        FUZZ_CHECK(strcmp(err.file, path) == 0, "error names \"%s\"", err.file);
        FUZZ_CHECK(err.message[0] != '\0', "empty error message");
    }
}
