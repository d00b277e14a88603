/* tests/importers/lists/test_list_stream.c: list files are streamed, not read whole. A 120 MB
 * sdn.xml (the real 2019 sample's entries repeated) and a 100 MB CSL CSV (the current sample's
 * rows repeated with unique _id values) are imported in a child process whose peak memory must
 * stay far below the file's size; the encoding of a legacy file is decided on the whole file
 * (a byte past the first megabyte, a character cut by a read), a JSON file larger than the
 * tokenizer's window reads whole, a file that changes while it is read is refused, and a
 * FIFO or standard input, which can be read only once, still imports. */
#define _DEFAULT_SOURCE /* wait4 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "importers/lists/list_import.h"
#include "importers/rf_importers.h"
#include "list_test_util.h"
#include "rf_test.h"

/* AddressSanitizer's shadow memory and quarantine make peak RSS meaningless. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* What streaming must keep an import of a 100 MB file under, above the same import of a
 * small file: reading the file whole cost its own size (some 120 MB) over that. */
#define RSS_BOUND_KB (32L * 1024)

/* ---- importing in a child process ------------------------------------------------------ */

typedef struct child_import {
    long entities; /* -1 when the import failed */
    long max_rss_kb;
} child_import;

/* Imports `path` into a new store `db` in a forked child, so that its peak RSS is its own. */
static child_import import_in_child(const char *path, const char *db)
{
    child_import out = {-1, 0};
    struct rusage ru;
    int fds[2], status;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rf_store *st = NULL;
        rf_import_summary sum;
        rf_error err;
        long n = -1;
        close(fds[0]);
        if (rf_store_open(&st, db, &err) == 0 && rf_import_list_file(&sum, st, path, NULL, &err) == 0)
            n = sum.entities;
        else
            fprintf(stderr, "%s:%ld: %s\n", err.file, err.line, err.message);
        rf_store_close(st);
        _exit(write(fds[1], &n, sizeof n) == (ssize_t)sizeof n ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &out.entities, sizeof out.entities), (ssize_t)sizeof out.entities);
    close(fds[0]);
    assert_int_equal(wait4(pid, &status, 0, &ru), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    out.max_rss_kb = ru.ru_maxrss;
    return out;
}

/* ---- making large files from the real samples ------------------------------------------ */

/* Writes the sample sdn.xml with its entries repeated until the file passes `size` bytes,
 * each copy's entries given new uids; returns the number of entries written. */
static long write_big_sdn_xml(const char *path, size_t size)
{
    size_t len;
    char *sample = rf_test_read_file(rf_test_data("lists/ofac/sdn_xml_sample_2019.xml"), &len);
    const char *body, *end, *last;
    FILE *f = fopen(path, "wb");
    long entries = 0, written;

    assert_non_null(sample);
    assert_non_null(f);
    body = strstr(sample, "<sdnEntry>");
    for (last = body; (end = strstr(last + 1, "</sdnEntry>")) != NULL; last = end) {}
    assert_non_null(body);
    end = last + strlen("</sdnEntry>");
    fwrite(sample, 1, (size_t)(body - sample), f);
    for (long copy = 0; ftell(f) < (long)size; copy++) {
        const char *p = body, *entry;
        while ((entry = strstr(p, "<sdnEntry>")) != NULL && entry < end) {
            const char *uid = strstr(entry, "<uid>") + 5, *uid_end = strchr(uid, '<');
            fwrite(p, 1, (size_t)(uid_end - p), f);
            fprintf(f, "%07ld", copy);
            p = uid_end;
            entries++;
        }
        fwrite(p, 1, (size_t)(end - p), f);
    }
    fputs(end, f);
    written = ftell(f);
    assert_int_equal(fclose(f), 0);
    assert_true(written >= (long)size);
    free(sample);
    return entries;
}

typedef struct csv_rows {
    rf_buf rows[64]; /* each data row, its fields quoted, "%s" in place of the _id's suffix */
    size_t n;
    rf_buf header;
} csv_rows;

/* Keeps each row of the CSL sample written back as CSV, every field quoted. */
static int keep_row(rf_row *row, void *ctx)
{
    csv_rows *c = ctx;
    rf_buf *b;

    assert_true(c->n < 64);
    b = c->header.len ? &c->rows[c->n++] : &c->header;
    for (size_t i = 0; i < row->n; i++) {
        assert_int_equal(rf_buf_puts(b, i ? ",\"" : "\""), 0);
        for (size_t k = 0; k < row->len[i]; k++) {
            if (row->field[i][k] == '"') assert_int_equal(rf_buf_putc(b, '"'), 0);
            if (row->field[i][k] == '%') assert_int_equal(rf_buf_putc(b, '%'), 0);
            assert_int_equal(rf_buf_putc(b, row->field[i][k]), 0);
        }
        /* The _id (first column) made unique per copy. */
        assert_int_equal(rf_buf_puts(b, i == 0 && b != &c->header ? "-%ld\"" : "\""), 0);
    }
    assert_int_equal(rf_buf_putc(b, '\n'), 0);
    return 0;
}

/* Writes the CSL sample's rows again and again, with unique _id values, until the file
 * passes `size` bytes; returns the number of rows. */
static long write_big_csl_csv(const char *path, size_t size)
{
    size_t len;
    char *sample = rf_test_read_file(rf_test_data("lists/consolidated_current_sample.csv"), &len);
    csv_rows *c = calloc(1, sizeof *c);
    rf_error err;
    FILE *f = fopen(path, "wb");
    long rows = 0;

    assert_non_null(sample);
    assert_non_null(c);
    assert_non_null(f);
    assert_int_equal(rf_rows__read(sample, len, ',', "sample", keep_row, c, &err), 0);
    assert_true(c->n > 0);
    fputs(c->header.data, f);
    for (long copy = 0; ftell(f) < (long)size; copy++)
        for (size_t i = 0; i < c->n; i++, rows++) fprintf(f, c->rows[i].data, copy);
    assert_int_equal(fclose(f), 0);
    for (size_t i = 0; i < c->n; i++) rf_buf_free(&c->rows[i]);
    rf_buf_free(&c->header);
    free(c);
    free(sample);
    return rows;
}

static void test_stream__a_120_mb_xml_and_a_100_mb_csv_in_little_memory(void **state)
{
    const char *dir = rf_test_tmpdir();
    char xml[1024], csv[1024], db[1024];
    child_import small, big;
    long entries, rows;
    (void)state;

#ifdef UNDER_ASAN
    (void)dir, (void)xml, (void)csv, (void)db, (void)small, (void)big, (void)entries, (void)rows;
    (void)import_in_child, (void)write_big_sdn_xml, (void)write_big_csl_csv; /* -Werror */
    fprintf(stderr, "skipped: peak memory is not measurable under AddressSanitizer\n");
    skip();
#else
    /* The baseline: the same import of a small file, in the same kind of child. */
    snprintf(db, sizeof db, "%s/small.db", dir);
    small = import_in_child(rf_test_data("lists/ofac/sdn_xml_sample_2019.xml"), db);
    assert_true(small.entities > 0);

    snprintf(xml, sizeof xml, "%s/sdn.xml", dir);
    entries = write_big_sdn_xml(xml, (size_t)120 << 20);
    snprintf(db, sizeof db, "%s/xml.db", dir);
    big = import_in_child(xml, db);
    fprintf(stderr, "sdn.xml: %ld entries, peak RSS %ld KB (small file: %ld KB)\n", big.entities,
            big.max_rss_kb, small.max_rss_kb);
    assert_int_equal(big.entities, entries);
    assert_true(big.max_rss_kb - small.max_rss_kb < RSS_BOUND_KB);
    remove(xml);
    remove(db);

    snprintf(csv, sizeof csv, "%s/consolidated.csv", dir);
    rows = write_big_csl_csv(csv, (size_t)100 << 20);
    snprintf(db, sizeof db, "%s/csv.db", dir);
    big = import_in_child(csv, db);
    fprintf(stderr, "CSL CSV: %ld entities, peak RSS %ld KB\n", big.entities, big.max_rss_kb);
    assert_int_equal(big.entities, rows);
    assert_true(big.max_rss_kb - small.max_rss_kb < RSS_BOUND_KB);
    remove(csv);
    remove(db);
#endif
}

/* ---- encodings decided on the whole file ------------------------------------------------ */

/* Appends Unverified List rows ("Germany,Filler N,Street N", N counting on in *n) until the
 * next row, which starts with `prefix`, puts its next byte at offset `at` of the file. */
static void pad_to(rf_buf *b, long *n, size_t at, const char *prefix)
{
    while (at - b->len > 300) {
        assert_int_equal(rf_buf_printf(b, "Germany,Filler %ld,Street %ld\n", *n, *n), 0);
        ++*n;
    }
    /* The last filler's address takes up what is left. */
    assert_int_equal(rf_buf_printf(b, "Germany,Filler %ld,", (*n)++), 0);
    while (b->len < at - strlen(prefix) - 1) assert_int_equal(rf_buf_putc(b, 'x'), 0);
    assert_int_equal(rf_buf_printf(b, "\n%s", prefix), 0);
    assert_int_equal(b->len, at);
}

static void test_stream__legacy_encoding_decided_on_the_whole_file(void **state)
{
    rf_store *st = rf_test_store("encoding.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_snapshot *snap;
    rf_buf b = {0};
    const char *path = rf_test_tmpfile("uvl.csv");
    long n = 0;
    (void)state;

    /* UTF-8 throughout, a character cut by the survey's 64 KiB reads and another by the
     * sample's end: kept as it is, not taken for Windows-1252. */
    assert_int_equal(rf_buf_puts(&b, "COUNTRY,NAME,ADDRESS\n"), 0);
    pad_to(&b, &n, 65535, "France,Soci");
    assert_int_equal(rf_buf_puts(&b, "\xC3\xA9t\xC3\xA9 Alpha,1 rue de Paris\n"), 0);
    pad_to(&b, &n, RF_LIST_SAMPLE - 1, "France,Soci");
    assert_int_equal(rf_buf_puts(&b, "\xC3\xA9t\xC3\xA9 Beta,2 rue de Paris\n"), 0);
    pad_to(&b, &n, RF_LIST_SAMPLE + 70000, "France,Soci");
    assert_int_equal(rf_buf_puts(&b, "\xC3\xA9t\xC3\xA9 Gamma,3 rue de Paris\n"), 0);
    assert_int_equal(rf_test_write_file(path, b.data, b.len), 0);
    assert_int_equal(import_ok(&sum, st, path, "2019-01-01", &w), RF_OK);
    assert_int_equal(sum.format, RF_LIST_BIS_UVL_CSV);
    snap = load_snapshot(st);
    assert_non_null(find(snap, "UVL", "Soci\xC3\xA9t\xC3\xA9 Alpha"));
    assert_non_null(find(snap, "UVL", "Soci\xC3\xA9t\xC3\xA9 Beta"));
    assert_non_null(find(snap, "UVL", "Soci\xC3\xA9t\xC3\xA9 Gamma"));
    rf_snapshot_free(snap);

    /* Windows-1252 only past the first megabyte, which detection sees: the whole file is
     * still transcoded (read as it is, the row would not be UTF-8 and the import would fail). */
    rf_buf_reset(&b);
    assert_int_equal(rf_buf_puts(&b, "COUNTRY,NAME,ADDRESS\n"), 0);
    pad_to(&b, &n, RF_LIST_SAMPLE + 5000, "France,Soci");
    assert_int_equal(rf_buf_puts(&b, "\xE9t\xE9 G\xE9n\xE9rale,29 boulevard Haussmann\n"), 0);
    assert_int_equal(rf_test_write_file(path, b.data, b.len), 0);
    assert_int_equal(import_ok(&sum, st, path, "2019-02-01", &w), RF_OK);
    snap = load_snapshot(st);
    assert_non_null(find(snap, "UVL", "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale"));
    rf_snapshot_free(snap);
    rf_buf_free(&b);
    rf_store_close(st);
}

/* ---- JSON larger than the tokenizer's window -------------------------------------------- */

static void test_stream__json_larger_than_the_window(void **state)
{
    rf_store *st = rf_test_store("json.db");
    rf_import_summary sum;
    warnings w = {0};
    rf_error err;
    rf_snapshot *snap;
    const rf_entity *e;
    rf_buf b = {0};
    const char *path = rf_test_tmpfile("big.json");
    long parties = 0;
    (void)state;

    assert_int_equal(rf_buf_puts(&b, "{\"results\": [\n"), 0);
    while (b.len < RF_JSON_WINDOW + 200000) {
        assert_int_equal(rf_buf_printf(&b, "{\"id\": \"%ld\", \"source\": \"Entity List (EL) - "
                                           "Bureau of Industry and Security\", \"name\": \"Party "
                                           "%ld Co\", \"type\": \"Entity\"},\n", parties, parties),
                         0);
        parties++;
    }
    /* A remark at the string cap, every byte of it escaped, where the window has slid; and a
     * run of white space longer than the window. */
    assert_int_equal(rf_buf_puts(&b, "{\"id\": \"long\", \"source\": \"Entity List (EL) - Bureau of "
                                     "Industry and Security\", \"name\": \"Long Remark Co\", "
                                     "\"remarks\": \""), 0);
    for (int i = 0; i < RF_MAX_FIELD / 2; i++) assert_int_equal(rf_buf_puts(&b, "\\u00e9"), 0);
    assert_int_equal(rf_buf_puts(&b, "\"}"), 0);
    for (size_t i = 0; i < RF_JSON_WINDOW + 10; i++) assert_int_equal(rf_buf_putc(&b, ' '), 0);
    assert_int_equal(rf_buf_puts(&b, "]}\n"), 0);
    assert_int_equal(rf_test_write_file(path, b.data, b.len), 0);
    assert_int_equal(import_ok(&sum, st, path, "2022-05-04", &w), RF_OK);
    assert_int_equal(sum.format, RF_LIST_CSL_JSON);
    assert_int_equal(sum.entities, parties + 1);
    snap = load_snapshot(st);
    assert_non_null(e = find(snap, "EL", "Long Remark Co"));
    assert_int_equal(strlen(e->remarks), RF_MAX_FIELD);
    rf_snapshot_free(snap);

    /* One escape more is over the cap, reported on its line. */
    {
        char *q = strstr(b.data, "\"remarks\": \"") + 12;
        size_t at = (size_t)(q - b.data);
        long line = 2 + parties;
        rf_buf longer = {0};
        assert_int_equal(rf_buf_append(&longer, b.data, at), 0);
        assert_int_equal(rf_buf_puts(&longer, "\\u00e9"), 0);
        assert_int_equal(rf_buf_append(&longer, b.data + at, b.len - at), 0);
        assert_int_equal(rf_import_list_data(&sum, st, "longer.json", longer.data, longer.len,
                                             NULL, &err),
                         RF_ELIMIT);
        assert_int_equal(err.line, line);
        assert_non_null(strstr(err.message, "longer than"));
        rf_buf_free(&longer);
    }
    assert_int_equal(count_versions(st), 1);
    rf_buf_free(&b);
    rf_store_close(st);
}

/* ---- a file that changes while it is read ----------------------------------------------- */

static int count_rows(rf_row *row, void *ctx)
{
    (void)row;
    ++*(long *)ctx;
    return 0;
}

static int count_records(const rf_xml_record *rec, void *ctx)
{
    (void)rec;
    ++*(long *)ctx;
    return 0;
}

/* Writes `data` to the file `name` and surveys it, then spoils the digest the survey took, as
 * if the file had been rewritten between the survey and the reading. */
static void survey_then_change(rf_list_input *in, rf_list_ctx *cx, rf_error *err,
                               rf_import_summary *sum, const char *name, const char *data)
{
    memset(in, 0, sizeof *in);
    memset(cx, 0, sizeof *cx);
    memset(sum, 0, sizeof *sum);
    in->name = cx->name = in->path = rf_strdup(rf_test_tmpfile(name));
    assert_int_equal(rf_test_write_file(in->path, data, strlen(data)), 0);
    cx->input = in;
    cx->err = err;
    cx->sum = sum;
    assert_int_equal(rf_list__survey(in, NULL, err), RF_OK);
    in->sha256[0] = in->sha256[0] == '0' ? '1' : '0';
}

static void test_stream__content_other_than_surveyed_is_refused(void **state)
{
    static const char csv[] = "a,b\n1,2\n3,4\n";
    static const char xml[] = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME>"
                              "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>\n";
    static const char *const records[] = {"CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL", NULL};
    rf_list_input in;
    rf_list_ctx cx;
    rf_import_summary sum;
    rf_error err;
    rf_json j;
    rf_json_token tok;
    long rows = 0;
    int rc;
    (void)state;

    survey_then_change(&in, &cx, &err, &sum, "changing.csv", csv);
    assert_int_equal(rf_rows__read_input(&cx, &in, RF_TEXT_AS_IS, ',', count_rows, &rows), RF_EIO);
    assert_int_equal(rows, 3); /* the rows were read; the end shows they were not the file's */
    assert_string_equal(err.file, in.name);
    assert_non_null(strstr(err.message, "changed while it was being imported"));
    /* Surveyed again, the file reads as it should. */
    assert_int_equal(rf_list__survey(&in, NULL, &err), RF_OK);
    rows = 0;
    assert_int_equal(rf_rows__read_input(&cx, &in, RF_TEXT_AS_IS, ',', count_rows, &rows), RF_OK);
    assert_int_equal(rows, 3);
    free((char *)in.path);

    survey_then_change(&in, &cx, &err, &sum, "changing.xml", xml);
    rows = 0;
    assert_int_equal(rf_xml__read(&cx, records, count_records, &rows), RF_EIO);
    assert_non_null(strstr(err.message, "changed while it was being imported"));
    free((char *)in.path);

    survey_then_change(&in, &cx, &err, &sum, "changing.json", "{\"results\": []}\n");
    rc = rf_json__open(&j, &cx);
    while (rc == 0 && (rc = rf_json__next(&j, &tok)) == 0 && tok != RF_JSON_END) continue;
    rf_json__free(&j);
    assert_int_equal(rc, RF_EIO);
    free((char *)in.path);
}

/* ---- pipes and standard input ----------------------------------------------------------- */

/* A child that writes the file `path` to `fd`, or to the FIFO `fifo` when fd < 0. */
static pid_t feed(int fd, const char *fifo, const char *path)
{
    size_t len;
    char *data = rf_test_read_file(path, &len);
    pid_t pid;

    assert_non_null(data);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        if (fd < 0) fd = open(fifo, O_WRONLY);
        _exit(fd >= 0 && write(fd, data, len) == (ssize_t)len ? 0 : 1);
    }
    assert_true(pid > 0);
    free(data);
    return pid;
}

static void reap(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A pipe cannot be read twice: it is copied as it is read, compressed as it came, and read
 * again from the copy; the version's sha256 is the file's own. */
static void test_stream__a_fifo_and_standard_input_are_read_once(void **state)
{
    const char *un = rf_test_data("lists/un/UN_consolidated_2026-02-27.xml.gz");
    char un_path[1024], uk_path[1024], fifo[1024];
    rf_store *st = rf_test_store("pipes.db");
    rf_import_summary sum;
    warnings w = {0};
    int fds[2], saved;
    pid_t writer;
    (void)state;

    snprintf(un_path, sizeof un_path, "%s", un);
    snprintf(uk_path, sizeof uk_path, "%s", rf_test_data("lists/uk/sanctionsconlist_2018-04-13.csv.gz"));
    snprintf(fifo, sizeof fifo, "%s", rf_test_tmpfile("un.xml.gz"));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    writer = feed(-1, fifo, un_path);
    assert_int_equal(import_ok(&sum, st, fifo, NULL, &w), RF_OK);
    reap(writer);
    assert_int_equal(sum.format, RF_LIST_UN_XML);
    assert_int_equal(sum.entities, 730 + 273);
    assert_string_equal(sum.published, "2026-02-27");

    /* The UK list, in Windows-1252, on standard input. */
    assert_int_equal(pipe(fds), 0);
    saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    writer = feed(fds[1], NULL, uk_path);
    close(fds[1]);
    assert_int_equal(import_ok(&sum, st, "-", NULL, &w), RF_OK);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    reap(writer);
    assert_int_equal(sum.format, RF_LIST_UK_OFSI_CSV);
    assert_int_equal(sum.entities, 2106);

    /* The files themselves are the same versions: same sha256. */
    assert_int_equal(import_ok(&sum, st, un_path, NULL, &w), RF_OK);
    assert_int_equal(sum.already_imported, 1);
    assert_int_equal(import_ok(&sum, st, uk_path, NULL, &w), RF_OK);
    assert_int_equal(sum.already_imported, 1);
    assert_int_equal(count_versions(st), 2);
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream__a_120_mb_xml_and_a_100_mb_csv_in_little_memory),
        cmocka_unit_test(test_stream__legacy_encoding_decided_on_the_whole_file),
        cmocka_unit_test(test_stream__json_larger_than_the_window),
        cmocka_unit_test(test_stream__content_other_than_surveyed_is_refused),
        cmocka_unit_test(test_stream__a_fifo_and_standard_input_are_read_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
