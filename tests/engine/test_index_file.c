/* test_index_file.c: the index stored beside the database (rf_matcher_open): a process that
 * finds it maps it and screens exactly as one that builds it, on the bundled list and real
 * party names; a stored index that is truncated, has a byte flipped in its header or payload,
 * is of another format or of other names is not used but rebuilt and stored again; bytes
 * sprayed over a payload whose checksum is then made to agree are refused or read safely
 * (the sanitizer build runs this too); a read-only store uses a stored index and builds in
 * memory without one, writing nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "engine/rf_engine.h"
#include "rf_test.h"

/* The header of an index file as index_file.c writes it: the format at 8, the checksum
 * (XXH3-128, canonical bytes) at 40 over everything from 56 on, the table of sections at 72,
 * the first section's offset first (where the header ends). */
#define FORMAT_AT 8
#define SUM_AT 40
#define SUMMED_FROM 56
#define SECTIONS_AT 72

typedef struct fixture {
    rf_store *store;
    rf_snapshot *snap;
    rf_matcher *built; /* rf_matcher_new: what every stored index must screen like */
    char db[4096];
    char **names;      /* real party names from tests/data/eval/parties.csv */
    size_t n_names;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char *csv, *line, *save = NULL;
    size_t len;

    if (!f || rf_test_bundled(&f->store, &f->snap, &f->built, "index_file.db") != 0) return -1;
    snprintf(f->db, sizeof f->db, "%s", rf_test_tmpfile("index_file.db"));
    if (!(csv = rf_test_read_file(rf_test_data("eval/parties.csv"), &len))) return -1;
    f->names = calloc(len / 8 + 1, sizeof *f->names);
    /* ref,name,country: the name is the second field (none of them quoted with a comma) */
    for (line = strtok_r(csv, "\n", &save); line && f->names; line = strtok_r(NULL, "\n", &save)) {
        char *a = strchr(line, ','), *b = a ? strrchr(line, ',') : NULL;
        if (!a || b == a || strncmp(line, "ref,", 4) == 0) continue;
        f->names[f->n_names++] = rf_strndup(a + 1, (size_t)(b - a - 1));
    }
    free(csv);
    *state = f;
    return f->names && f->n_names > 1000 ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < f->n_names; i++) free(f->names[i]);
    free(f->names);
    rf_matcher_free(f->built);
    rf_snapshot_free(f->snap);
    rf_store_close(f->store);
    free(f);
    return 0;
}

/* Every hit of the first `n` names screened with `m`, in full: entity, name, score to the
 * last bit, explanation and highlights. */
static char *screen_all(const fixture *f, const rf_matcher *m, size_t n)
{
    rf_result *res;
    rf_buf out = {0};
    rf_error err;

    assert_int_equal(rf_result_new(&res), RF_OK);
    for (size_t i = 0; i < n && i < f->n_names; i++) {
        rf_party p = {0};
        p.document = "test";
        p.line = (long)i;
        p.name = f->names[i];
        assert_int_equal(rf_matcher_screen(res, m, &p, NULL, &err), RF_OK);
        for (size_t k = 0; k < rf_result_count(res); k++) {
            const rf_hit *h = rf_result_hit(res, k);
            assert_int_equal(rf_buf_printf(&out, "%zu %lld %zu %a %s |", i, h->entity->id, h->name_index, h->score,
                                           h->explanation),
                             RF_OK);
            for (size_t s = 0; s < h->n_listed_spans; s++)
                assert_int_equal(rf_buf_printf(&out, " %zu+%zu", h->listed_spans[s].start, h->listed_spans[s].len), RF_OK);
            assert_int_equal(rf_buf_putc(&out, '\n'), RF_OK);
        }
    }
    rf_result_free(res);
    assert_non_null(out.data);
    return rf_buf_detach(&out);
}

/* The one index file stored for the fixture's database (asserting there is one; the note of
 * its last check beside it aside). */
static const char *index_path(const fixture *f)
{
    static char path[8192];
    char dir[4200];
    struct dirent *de;
    DIR *d;
    int found = 0;

    snprintf(dir, sizeof dir, "%s.index", f->db);
    assert_non_null(d = opendir(dir));
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || (len > 8 && strcmp(de->d_name + len - 8, ".checked") == 0)) continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        found++;
    }
    closedir(d);
    assert_int_equal(found, 1);
    return path;
}

/* Opens the matcher through the store; asserts it was read from the stored index, or built. */
static rf_matcher *open_matcher(const fixture *f, rf_store *st, int stored)
{
    rf_matcher *m = NULL;
    rf_error err;
    assert_int_equal(rf_matcher_open(&m, f->snap, st, &err), RF_OK);
    assert_int_equal(rf_matcher_stored(m), stored);
    return m;
}

/* Removes the stored indexes of the fixture's database. */
static void remove_index(const fixture *f)
{
    char command[8300];
    snprintf(command, sizeof command, "rm -rf '%s.index'", f->db);
    assert_int_equal(rf_test_run(NULL, command), 0);
}

static void test_index_file__stored_screens_as_built(void **state)
{
    fixture *f = *state;
    rf_matcher *first, *mapped;
    char *want, *got;

    remove_index(f);
    first = open_matcher(f, f->store, 0); /* none yet: built, and stored */
    mapped = open_matcher(f, f->store, 1);
    assert_int_equal(rf_matcher_name_count(mapped), rf_matcher_name_count(f->built));
    want = screen_all(f, f->built, f->n_names);
    got = screen_all(f, mapped, f->n_names);
    assert_true(strlen(want) > 10000); /* the set has its listed parties */
    assert_string_equal(got, want);
    free(got);
    got = screen_all(f, first, f->n_names);
    assert_string_equal(got, want);
    free(got);
    free(want);
    rf_matcher_free(first);
    rf_matcher_free(mapped);
}

/* Damages the stored index (the whole one the test before left, or a new one) with `damage`,
 * then: not used, the same results from the index built instead, and the file stored again,
 * whole. */
static void check_damage(fixture *f, void (*damage)(const char *path, char *data, size_t len))
{
    rf_matcher *m;
    char *want, *got, *data;
    size_t len;
    const char *path;
    rf_error err;

    assert_int_equal(rf_matcher_open(&m, f->snap, f->store, &err), RF_OK);
    rf_matcher_free(m);
    path = index_path(f);
    assert_non_null(data = rf_test_read_file(path, &len));
    damage(path, data, len);
    free(data);
    m = open_matcher(f, f->store, 0);
    want = screen_all(f, f->built, 300);
    got = screen_all(f, m, 300);
    assert_string_equal(got, want);
    free(got);
    rf_matcher_free(m);
    m = open_matcher(f, f->store, 1); /* rewritten */
    got = screen_all(f, m, 300);
    assert_string_equal(got, want);
    free(got);
    free(want);
    rf_matcher_free(m);
}

static void truncate_half(const char *path, char *data, size_t len)
{
    assert_int_equal(rf_test_write_file(path, data, len / 2), 0);
}

static void truncate_to_header(const char *path, char *data, size_t len)
{
    (void)len;
    assert_int_equal(rf_test_write_file(path, data, 30), 0);
}

static void empty_file(const char *path, char *data, size_t len)
{
    (void)data;
    (void)len;
    assert_int_equal(rf_test_write_file(path, "", 0), 0);
}

static void flip_header_byte(const char *path, char *data, size_t len)
{
    data[SUMMED_FROM + 24] ^= 0x10; /* in the table of sections */
    assert_int_equal(rf_test_write_file(path, data, len), 0);
}

static void flip_payload_byte(const char *path, char *data, size_t len)
{
    data[len / 3] ^= 0x01;
    assert_int_equal(rf_test_write_file(path, data, len), 0);
}

static void flip_last_byte(const char *path, char *data, size_t len)
{
    data[len - 1] = (char)(data[len - 1] ^ 0x40);
    assert_int_equal(rf_test_write_file(path, data, len), 0);
}

static void other_format(const char *path, char *data, size_t len)
{
    data[FORMAT_AT] = (char)(data[FORMAT_AT] + 1);
    assert_int_equal(rf_test_write_file(path, data, len), 0);
}

static void test_index_file__truncated(void **state)
{
    check_damage(*state, truncate_half);
    check_damage(*state, truncate_to_header);
    check_damage(*state, empty_file);
}

static void test_index_file__byte_flipped_in_header(void **state)
{
    check_damage(*state, flip_header_byte);
}

static void test_index_file__byte_flipped_in_payload(void **state)
{
    check_damage(*state, flip_payload_byte);
    check_damage(*state, flip_last_byte);
}

/* A reader that finds the stored index's checksum right notes which file it checked beside
 * it (once the file is a few seconds old, and not through a read-only store), and later
 * readers take the file as noted without reading it whole; a byte flipped in place after that changes the file, and is found as
 * before: not used, rebuilt, stored again. */
static void test_index_file__noted_once_checked(void **state)
{
    fixture *f = *state;
    rf_store *ro;
    rf_error err;
    char note[8300], *text, size[32];
    struct stat sb;
    size_t len;
    rf_matcher *m;
    char *want, *got;

    remove_index(f);
    rf_matcher_free(open_matcher(f, f->store, 0));
    rf_matcher_free(open_matcher(f, f->store, 1));
    snprintf(note, sizeof note, "%s.checked", index_path(f));
    assert_int_not_equal(stat(note, &sb), 0); /* just written: not noted */
    sleep(3);
    /* a read-only store writes nothing, not even the note */
    assert_int_equal(rf_store_open_mode(&ro, f->db, RF_STORE_READONLY, &err), RF_OK);
    rf_matcher_free(open_matcher(f, ro, 1));
    rf_store_close(ro);
    assert_int_not_equal(stat(note, &sb), 0);
    rf_matcher_free(open_matcher(f, f->store, 1));
    assert_non_null(text = rf_test_read_file(note, &len));
    assert_int_equal(stat(index_path(f), &sb), 0);
    snprintf(size, sizeof size, " %lld ", (long long)sb.st_size);
    assert_non_null(strstr(text, size));
    free(text);
    m = open_matcher(f, f->store, 1); /* as noted */
    want = screen_all(f, f->built, 300);
    got = screen_all(f, m, 300);
    assert_string_equal(got, want);
    free(got);
    free(want);
    rf_matcher_free(m);
    check_damage(f, flip_payload_byte);
}

static void test_index_file__other_format(void **state)
{
    check_damage(*state, other_format);
}

/* Makes the stored checksum agree with the bytes, as a crafted file would. */
static void reseal(char *data, size_t len)
{
    XXH128_canonical_t sum;
    XXH128_canonicalFromHash(&sum, XXH3_128bits(data + SUMMED_FROM, len - SUMMED_FROM));
    memcpy(data + SUM_AT, sum.digest, sizeof sum.digest);
}

/* Bytes sprayed over the arrays and maps of a file resealed each time: either refused (the
 * index built instead, the same results) or read without leaving the mapping; the sanitizer
 * build catches a read that would. The results of an accepted one are whatever it says. */
static void test_index_file__crafted_payload_reads_safely(void **state)
{
    fixture *f = *state;
    char *data;
    size_t len;
    const char *path;
    char saved[8192];
    unsigned seed = 14;
    uint64_t header_size;

    remove_index(f);
    rf_matcher_free(open_matcher(f, f->store, 0));
    path = index_path(f);
    snprintf(saved, sizeof saved, "%s", path);
    assert_non_null(data = rf_test_read_file(saved, &len));
    memcpy(&header_size, data + SECTIONS_AT, sizeof header_size);
    assert_true(header_size > SECTIONS_AT && header_size < 4096);
    for (int round = 0; round < 9; round++) {
        char *copy = malloc(len);
        rf_matcher *m = NULL;
        rf_error err;
        char *got;
        assert_non_null(copy);
        memcpy(copy, data, len);
        for (int k = 0; k < 64; k++) {
            size_t at;
            seed = seed * 1103515245u + 12345u;
            /* past the header; on a third of the rounds, in the first 4 MB (the arrays) */
            at = (size_t)header_size + (size_t)seed % (round % 3 ? len - (size_t)header_size : 4u << 20);
            copy[at] = (char)(seed >> 16);
        }
        reseal(copy, len);
        assert_int_equal(rf_test_write_file(saved, copy, len), 0);
        free(copy);
        /* A read-only store: the sprayed file stays for the next round to be read again. */
        {
            rf_store *ro;
            assert_int_equal(rf_store_open_mode(&ro, f->db, RF_STORE_READONLY, &err), RF_OK);
            assert_int_equal(rf_matcher_open(&m, f->snap, ro, &err), RF_OK);
            got = screen_all(f, m, 100);
            free(got);
            rf_matcher_free(m);
            rf_store_close(ro);
        }
    }
    free(data);
}

static void test_index_file__read_only_store(void **state)
{
    fixture *f = *state;
    rf_store *ro;
    rf_matcher *m;
    rf_error err;
    struct stat sb;
    char dir[4200], *want, *got;

    remove_index(f);
    snprintf(dir, sizeof dir, "%s.index", f->db);
    assert_int_equal(rf_store_open_mode(&ro, f->db, RF_STORE_READONLY, &err), RF_OK);
    m = open_matcher(f, ro, 0); /* built in memory */
    assert_int_not_equal(stat(dir, &sb), 0); /* and nothing written */
    want = screen_all(f, f->built, 300);
    got = screen_all(f, m, 300);
    assert_string_equal(got, want);
    free(got);
    rf_matcher_free(m);
    rf_matcher_free(open_matcher(f, f->store, 0)); /* stored by a writer */
    m = open_matcher(f, ro, 1);                    /* and used by the reader */
    got = screen_all(f, m, 300);
    assert_string_equal(got, want);
    free(got);
    free(want);
    rf_matcher_free(m);
    rf_store_close(ro);
}

/* A snapshot with one more listed party is other names: its own index, never the other's. */
static void test_index_file__other_names_other_index(void **state)
{
    fixture *f = *state;
    rf_snapshot *more;
    rf_matcher *m;
    rf_error err;
    rf_entity e = {0};
    rf_name name = {0};
    rf_result *res;
    rf_party p = {0};

    remove_index(f);
    rf_matcher_free(open_matcher(f, f->store, 0));
    assert_int_equal(rf_snapshot_load(&more, f->store, NULL, &err), RF_OK);
    name.text = "Zyxwvut Quorblaxian Instruments";
    e.id = 999999999;
    e.list_code = "EL";
    e.type = RF_ENTITY_ORGANIZATION;
    e.names = &name;
    e.n_names = 1;
    assert_int_equal(rf_snapshot_append(more, &e, &err), RF_OK);
    assert_int_equal(rf_matcher_open(&m, more, f->store, &err), RF_OK);
    assert_int_equal(rf_matcher_stored(m), 0);
    assert_int_equal(rf_result_new(&res), RF_OK);
    p.name = "Zyxwvut Quorblaxian Instruments";
    assert_int_equal(rf_matcher_screen(res, m, &p, NULL, &err), RF_OK);
    assert_int_equal(rf_result_count(res), 1);
    rf_result_free(res);
    rf_matcher_free(m);
    assert_int_equal(rf_matcher_open(&m, more, f->store, &err), RF_OK);
    assert_int_equal(rf_matcher_stored(m), 1);
    rf_matcher_free(m);
    rf_snapshot_free(more);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_file__stored_screens_as_built),
        cmocka_unit_test(test_index_file__truncated),
        cmocka_unit_test(test_index_file__byte_flipped_in_header),
        cmocka_unit_test(test_index_file__byte_flipped_in_payload),
        cmocka_unit_test(test_index_file__other_format),
        cmocka_unit_test(test_index_file__noted_once_checked),
        cmocka_unit_test(test_index_file__crafted_payload_reads_safely),
        cmocka_unit_test(test_index_file__read_only_store),
        cmocka_unit_test(test_index_file__other_names_other_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
