/* test_import.c: `redflag history import`, the results of a distributed run put into the
 * audit trail (issue 14). The 4,797 real names of tests/data/eval are screened in two pieces
 * with `screen --read-only`, as two workers of docs/distributed.md would, and the JSON lines
 * imported: one run, whose `history show` is the two outputs byte for byte and which the
 * evidence chain seals. Lines screened against another database, naming a listed record it
 * does not hold, or written before the lines carried what the record needs, are refused with
 * their file and line, and nothing is recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "rf_test.h"

/* Writes `len` bytes to a scratch file `name`; returns its path (see e2e_tmp). */
static const char *scratch(const char *name, const char *text, size_t len)
{
    const char *path = e2e_tmp(name);
    assert_int_equal(rf_test_write_file(path, text, len), 0);
    return path;
}

/* The eval parties in two CSV pieces, each with the header, as a distributed engine cuts
 * them; their paths in piece[0] and piece[1]. */
static void split_parties(const char *piece[2])
{
    size_t len;
    char *all = rf_test_read_file(rf_test_data("eval/parties.csv"), &len), *body, *half;
    char *text;
    size_t head, first;
    assert_non_null(all);
    body = strchr(all, '\n') + 1;
    head = (size_t)(body - all);
    half = strchr(body + (len - head) / 2, '\n') + 1;
    first = (size_t)(half - body);
    text = malloc(len + head);
    assert_non_null(text);
    memcpy(text, all, head);
    memcpy(text + head, body, first);
    piece[0] = scratch("piece-a.csv", text, head + first);
    memcpy(text + head, half, len - head - first);
    piece[1] = scratch("piece-b.csv", text, len - first);
    free(text);
    free(all);
}

/* Screens both pieces read-only against `db`, made first; their JSON lines in out[0], out[1] (malloc'd) and in the
 * files path[0], path[1]. */
static void screen_pieces(const char *db, char *out[2], const char *path[2])
{
    const char *piece[2];
    static const char *names[2] = {"piece-a.jsonl", "piece-b.jsonl"};
    e2e_out r = e2e_redflag(db, "lists init");
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    split_parties(piece);
    for (int i = 0; i < 2; i++) {
        r = e2e_redflag(db, "screen --read-only --format jsonl '%s'", piece[i]);
        e2e_expect(&r, 1); /* the eval set holds listed parties */
        assert_non_null(strstr(r.err, "not recorded"));
        out[i] = r.out;
        r.out = NULL;
        path[i] = scratch(names[i], out[i], strlen(out[i]));
        e2e_out_free(&r);
    }
}

static void test_e2e_import__a_distributed_run_becomes_one_run_shown_byte_for_byte(void **state)
{
    char *out[2], *joined;
    const char *path[2];
    e2e_out r;
    (void)state;

    screen_pieces("import.db", out, path);
    /* every line names the versions with their sha256, and each hit its listed record */
    assert_non_null(strstr(out[0], "\"version_sha256\":[\""));
    assert_non_null(strstr(out[0], "\"entity_id\":"));
    assert_non_null(strstr(out[0], "\"party_spans\":[["));

    r = e2e_redflag("import.db", "history import '%s' '%s'", path[0], path[1]);
    e2e_expect(&r, 1); /* new alarms, as the pieces' own exit statuses said */
    assert_non_null(strstr(r.err, "4797 parties imported from 2 files"));
    assert_non_null(strstr(r.err, "recorded as run 1"));
    e2e_out_free(&r);

    /* the report rebuilt from the record is what the workers wrote, byte for byte */
    r = e2e_redflag("import.db", "history show 1 --format jsonl");
    e2e_expect(&r, 0);
    joined = malloc(strlen(out[0]) + strlen(out[1]) + 1);
    assert_non_null(joined);
    strcpy(joined, out[0]);
    strcat(joined, out[1]);
    assert_string_equal(r.out, joined);
    free(joined);
    e2e_out_free(&r);

    r = e2e_redflag("import.db", "history");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "import"));
    assert_non_null(strstr(r.out, "4797"));
    e2e_out_free(&r);
    r = e2e_redflag("import.db", "audit verify");
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    free(out[0]);
    free(out[1]);
}

/* `text` with its first `from` replaced by `to`, written to scratch file `name`. */
static const char *altered(const char *name, const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t len = strlen(text), n = strlen(from), m = strlen(to);
    char *copy = malloc(len - n + m + 1);
    const char *path;
    assert_non_null(at);
    memcpy(copy, text, (size_t)(at - text));
    memcpy(copy + (at - text), to, m);
    strcpy(copy + (at - text) + m, at + n);
    path = scratch(name, copy, strlen(copy));
    free(copy);
    return path;
}

/* The line number (from 1) of the first `needle` in `text`. */
static long line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    long n = 1;
    assert_non_null(at);
    for (const char *p = text; p < at; p++) n += *p == '\n';
    return n;
}

static void refused(const char *path, long line, const char *why)
{
    char where[1100];
    e2e_out r = e2e_redflag("refused.db", "history import '%s'", path);
    e2e_expect(&r, 2);
    snprintf(where, sizeof where, "%s:%ld:", path, line);
    assert_non_null(strstr(r.err, where));
    assert_non_null(strstr(r.err, why));
    e2e_out_free(&r);
}

static void test_e2e_import__lines_that_do_not_fit_the_database_are_refused(void **state)
{
    char *out[2], digest[96];
    const char *path[2], *at;
    e2e_out r;
    (void)state;

    screen_pieces("refused.db", out, path);
    /* screened against another copy of the lists: same version id, other sha256 */
    at = strstr(out[1], "\"version_sha256\":[\"");
    assert_non_null(at);
    snprintf(digest, sizeof digest, "%.83s", at);
    refused(altered("other-db.jsonl", out[1], digest,
                    "\"version_sha256\":[\"00000000000000000000000000000000000000000000000000"
                    "00000000000000"),
            1, "another database");
    /* a version this database never imported */
    refused(altered("no-version.jsonl", out[1], "\"versions\":[1]", "\"versions\":[9]"), 1,
            "does not hold");
    /* a hit naming a listed record this database does not hold */
    refused(altered("no-entity.jsonl", out[1], "\"entity_id\":", "\"entity_id\":99999999"),
            line_of(out[1], "\"entity_id\":"), "listed record");
    /* a line of a redflag that wrote no sha256 */
    refused(altered("old.jsonl", out[1], "\"version_sha256\"", "\"version_sha\""), 1,
            "version_sha256");
    /* a party whose fingerprint is not its own */
    refused(altered("fingerprint.jsonl", out[1], "\"fingerprint\":\"", "\"fingerprint\":\"0"),
            1, "fingerprint");

    /* nothing was recorded */
    r = e2e_redflag("refused.db", "history");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "(no run)"));
    e2e_out_free(&r);
    free(out[0]);
    free(out[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e_import__a_distributed_run_becomes_one_run_shown_byte_for_byte),
        cmocka_unit_test(test_e2e_import__lines_that_do_not_fit_the_database_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
