/* test_hostile.c: files made to hurt, as they can arrive in a list download, a customer's order
 * or from an EDI gateway. For each, what a user must see: a clear error naming the file and
 * the line, nothing of a refused list file in the database (the version in force stays), no
 * crash, and memory bounded by the caps rather than by the file. Each hostile file is built
 * here from the real files under tests/data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "importers/rf_importers.h"
#include "proc.h"
#include "rf_test.h"

#define MB ((size_t)1 << 20)
/* A marker that must never come out of a local file into a party, a list or a message. */
#define SECRET "REDFLAG-SECRET-7f3a9c"

/* ---- helpers ----------------------------------------------------------------------------- */

/* Standard error of a redflag run holds `words` (shown when it does not). */
static void assert_err_has(const hz_run *r, const char *words)
{
    if (!strstr(r->err, words)) fprintf(stderr, "status %d, stderr:\n%s", r->status, r->err);
    assert_non_null(strstr(r->err, words));
}

/* A real data file, read whole (gzip decoded). */
static char *real_file(const char *relative, size_t *len)
{
    rf_buf b = {0};
    rf_error err = {0};
    int rc = rf_file_read(&b, NULL, hz_data(relative), 0, &err);
    if (rc) fprintf(stderr, "%s: %s\n", relative, err.message);
    assert_int_equal(rc, 0);
    if (len) *len = b.len;
    return rf_buf_detach(&b);
}

static const char *write_tmp(const char *name, const void *data, size_t len)
{
    const char *path = hz_tmp(name);
    assert_int_equal(rf_test_write_file(path, data, len), 0);
    return path;
}

/* `s` with the first `what` after `after` replaced by `with` (malloc'd). */
static char *replace_after(const char *s, const char *after, const char *what, const char *with)
{
    const char *a = strstr(s, after), *w;
    rf_buf b = {0};
    assert_non_null(a);
    w = strstr(a, what);
    assert_non_null(w);
    assert_int_equal(rf_buf_append(&b, s, (size_t)(w - s)), 0);
    assert_int_equal(rf_buf_puts(&b, with), 0);
    assert_int_equal(rf_buf_puts(&b, w + strlen(what)), 0);
    return rf_buf_detach(&b);
}

/* `s` with `insert` put right after the first `after`. */
static char *insert_after(const char *s, const char *after, const char *insert)
{
    const char *a = strstr(s, after);
    rf_buf b = {0};
    assert_non_null(a);
    a += strlen(after);
    assert_int_equal(rf_buf_append(&b, s, (size_t)(a - s)), 0);
    assert_int_equal(rf_buf_puts(&b, insert), 0);
    assert_int_equal(rf_buf_puts(&b, a), 0);
    return rf_buf_detach(&b);
}

/* A store in the scratch directory with one real list version in force, the one a refused
 * file must leave alone. */
static rf_store *store_with_baseline(const char *name)
{
    rf_store *st = NULL;
    rf_error err = {0};
    rf_import_summary sum;
    assert_int_equal(rf_store_open(&st, hz_tmp(name), &err), 0);
    assert_int_equal(rf_import_list_file(&sum, st, hz_data("lists/dpl_2018-05-01_excerpt.txt"),
                                         NULL, &err),
                     0);
    assert_int_equal(sum.entities, 10);
    return st;
}

/* Imports `path` into `st` and checks the refusal a user needs: an error of `code` naming
 * the file (and a line when `line` > 0; any line when it is -1), containing `words`, no
 * secret leaked, and the store still holding exactly the baseline. */
static void expect_list_refused(rf_store *st, const char *path, int code, long line,
                                const char *words)
{
    rf_import_summary sum;
    rf_version_list all = {0};
    rf_error err = {0};
    char msg[2048];
    int rc = rf_import_list_file(&sum, st, path, NULL, &err);

    rf_error_format(&err, msg, sizeof msg);
    if (rc != code || (words && !strstr(err.message, words))) fprintf(stderr, "got: %s\n", msg);
    assert_int_equal(rc, code);
    assert_string_equal(err.file, path);
    if (line > 0) assert_int_equal(err.line, line);
    if (line == -1) assert_true(err.line > 0);
    if (words) assert_non_null(strstr(err.message, words));
    assert_null(strstr(msg, SECRET));
    assert_int_equal(rf_store_versions_all(&all, st, &err), 0);
    assert_int_equal(all.count, 1);
    assert_int_equal(all.items[0].entities, 10);
    rf_version_list_free(&all);
}

/* The parties an order reader delivered, and whether any carried the secret. */
typedef struct parties {
    long n;
    int leaked;
    char names[4096];
} parties;

static int collect(const rf_party *p, void *ctx)
{
    parties *c = ctx;
    const char *fields[] = {p->name, p->address, p->city, p->ref, p->description, p->party_id};
    c->n++;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (fields[i] && strstr(fields[i], SECRET)) c->leaked = 1;
    if (p->name && strlen(c->names) + strlen(p->name) + 2 < sizeof c->names) {
        strcat(c->names, p->name);
        strcat(c->names, "|");
    }
    return 0;
}

/* Reads an order document that must be refused with `code`, naming it and a line (> 0, or
 * exactly `line`) and containing `words`; returns how many parties went out before. */
static long expect_order_refused(const char *path, int code, long line, const char *words)
{
    parties c = {0};
    rf_error err = {0};
    char msg[2048];
    int rc = rf_orders_read(path, NULL, collect, &c, &err);

    rf_error_format(&err, msg, sizeof msg);
    if (rc != code || (words && !strstr(err.message, words))) fprintf(stderr, "got: %s\n", msg);
    assert_int_equal(rc, code);
    assert_string_equal(err.file, path);
    if (line > 0) assert_int_equal(err.line, line);
    else assert_true(err.line > 0);
    if (words) assert_non_null(strstr(err.message, words));
    assert_false(c.leaked);
    assert_null(strstr(msg, SECRET));
    return c.n;
}

/* ---- XML entities ------------------------------------------------------------------------ */

static const char *secret_file(void)
{
    return write_tmp("secret.txt", SECRET "\n", strlen(SECRET) + 1);
}

/* A DOCTYPE whose external entity points at a local file, used in `element`'s first text. */
static char *with_external_entity(const char *xml, const char *root, const char *element)
{
    char decl[1024], open_tag[128], *a, *b;
    snprintf(decl, sizeof decl, "\n<!DOCTYPE %s [<!ENTITY xxe SYSTEM \"file://%s\">]>", root,
             secret_file());
    snprintf(open_tag, sizeof open_tag, "<%s>", element);
    a = insert_after(xml, "?>", decl);
    b = insert_after(a, open_tag, "&xxe;");
    free(a);
    return b;
}

/* Ten levels of ten references each: a billion "lol"s once expanded. */
static char *with_billion_laughs(const char *xml, const char *root, const char *element)
{
    rf_buf decl = {0};
    char open_tag[128], *a, *b;
    rf_buf_printf(&decl, "\n<!DOCTYPE %s [\n<!ENTITY lol0 \"lol\">\n", root);
    for (int k = 1; k <= 9; k++) {
        rf_buf_printf(&decl, "<!ENTITY lol%d \"", k);
        for (int j = 0; j < 10; j++) rf_buf_printf(&decl, "&lol%d;", k - 1);
        rf_buf_puts(&decl, "\">\n");
    }
    rf_buf_puts(&decl, "]>");
    snprintf(open_tag, sizeof open_tag, "<%s>", element);
    a = insert_after(xml, "?>", decl.data);
    b = insert_after(a, open_tag, "&lol9;");
    rf_buf_free(&decl);
    free(a);
    return b;
}

static void test_hostile__list_xml_with_an_external_entity_is_refused(void **state)
{
    rf_store *st = store_with_baseline("xxe-list.db");
    char *sdn = real_file("lists/ofac/sdn_xml_sample_2019.xml", NULL);
    char *un = real_file("lists/un/UN_consolidated_2026-02-27.xml.gz", NULL);
    char *a = with_external_entity(sdn, "sdnList", "lastName");
    char *b = with_external_entity(un, "CONSOLIDATED_LIST", "FIRST_NAME");
    (void)state;

    expect_list_refused(st, write_tmp("xxe-sdn.xml", a, strlen(a)), RF_EFORMAT, -1, "DTD");
    expect_list_refused(st, write_tmp("xxe-un.xml", b, strlen(b)), RF_EFORMAT, -1, "DTD");
    free(a);
    free(b);
    free(sdn);
    free(un);
    rf_store_close(st);
}

static void test_hostile__list_xml_billion_laughs_is_refused(void **state)
{
    rf_store *st = store_with_baseline("laughs-list.db");
    char *sdn = real_file("lists/ofac/sdn_xml_sample_2019.xml", NULL);
    char *a = with_billion_laughs(sdn, "sdnList", "lastName");
    (void)state;

    expect_list_refused(st, write_tmp("laughs-sdn.xml", a, strlen(a)), RF_EFORMAT, -1, "DTD");
    free(a);
    free(sdn);
    rf_store_close(st);
}

static void test_hostile__order_xml_with_an_external_entity_is_refused(void **state)
{
    char *ubl = real_file("orders/ubl/UBL-Order-2.1-Example.xml", NULL);
    char *cxml = real_file("orders/cxml/OrderRequest.xml", NULL);
    char subset[1024], *a, *b, *c;
    (void)state;

    a = with_external_entity(ubl, "Order", "cbc:Name");
    /* cXML documents carry a DOCTYPE of their own: the entity goes into its subset. */
    snprintf(subset, sizeof subset, " [<!ENTITY xxe SYSTEM \"file://%s\">]>", secret_file());
    b = replace_after(cxml, "<!DOCTYPE", ">", subset);
    c = insert_after(b, "<Name xml:lang=\"en\">", "&xxe;");
    expect_order_refused(write_tmp("xxe-ubl.xml", a, strlen(a)), RF_EFORMAT, 0, "entit");
    expect_order_refused(write_tmp("xxe-cxml.xml", c, strlen(c)), RF_EFORMAT, 0, "entit");
    free(a);
    free(b);
    free(c);
    free(ubl);
    free(cxml);
}

static void test_hostile__order_xml_billion_laughs_is_refused(void **state)
{
    char *ubl = real_file("orders/ubl/UBL-Order-2.1-Example.xml", NULL);
    char *a = with_billion_laughs(ubl, "Order", "cbc:Name");
    (void)state;

    expect_order_refused(write_tmp("laughs-ubl.xml", a, strlen(a)), RF_EFORMAT, 0, NULL);
    free(a);
    free(ubl);
}

/* ---- gzip bombs -------------------------------------------------------------------------- */

/* One gzip member holding `prefix` then `n` bytes of `fill`. */
static void gzip_member(rf_buf *out, const char *prefix, char fill, size_t n)
{
    z_stream z;
    unsigned char in[65536], buf[65536];
    size_t left = n;
    int flush;

    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
    memset(in, fill, sizeof in);
    z.next_in = (unsigned char *)prefix;
    z.avail_in = (uInt)strlen(prefix);
    do {
        if (z.avail_in == 0 && left) {
            size_t k = left < sizeof in ? left : sizeof in;
            z.next_in = in;
            z.avail_in = (uInt)k;
            left -= k;
        }
        flush = left || z.avail_in ? Z_NO_FLUSH : Z_FINISH;
        do {
            z.next_out = buf;
            z.avail_out = sizeof buf;
            assert_true(deflate(&z, flush) != Z_STREAM_ERROR);
            assert_int_equal(rf_buf_append(out, buf, sizeof buf - z.avail_out), 0);
        } while (z.avail_out == 0);
    } while (flush != Z_FINISH);
    deflateEnd(&z);
}

/* A FIFO that a child keeps filling with `head` then `member` over and over: a compressed
 * file that expands without end. Returns the writer's pid; kill it when done. */
static pid_t endless_gzip(const char *fifo, const rf_buf *head, const rf_buf *member)
{
    pid_t pid;
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    if ((pid = fork()) == 0) {
        int fd;
        signal(SIGPIPE, SIG_IGN);
        if ((fd = open(fifo, O_WRONLY)) < 0) _exit(1);
        if (write(fd, head->data, head->len) < 0) _exit(0);
        for (;;)
            if (write(fd, member->data, member->len) < 0) _exit(0);
    }
    assert_true(pid > 0);
    return pid;
}

static void stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Peak memory allowed for reading a file whose content is capped at `cap` bytes. Under
 * AddressSanitizer peak memory says little (freed blocks wait in its quarantine, 256 MB):
 * the release build holds the bound, the sanitizer build only reports. */
static long rss_bound_kb(size_t cap)
{
    return hz_sanitized() ? LONG_MAX : (long)(cap / 1024) + 256 * 1024;
}

static void test_hostile__gzip_bomb_list_stops_at_the_cap(void **state)
{
    const char *db = hz_tmp("bomb.db");
    const char *fifo = hz_tmp("bomb-list.csv.gz");
    char *csl = real_file("lists/consolidated_current_sample.csv", NULL);
    rf_buf head = {0}, member = {0};
    char header[4096];
    const char *import[] = {"lists", "import", fifo, NULL};
    const char *baseline[] = {"lists", "import", hz_data("lists/dpl_2018-05-01_excerpt.txt"),
                              NULL};
    const char *status[] = {"lists", "status", NULL};
    hz_run r;
    pid_t writer;
    (void)state;

    hz_redflag(&r, "bomb-baseline", db, baseline);
    assert_int_equal(r.status, 0);
    hz_run_free(&r);
    /* The CSL's own header, then a name that never ends. */
    snprintf(header, sizeof header, "%.*s\n\"", (int)strcspn(csl, "\n"), csl);
    gzip_member(&head, header, 'A', MB);
    gzip_member(&member, "", 'A', 16 * MB);
    writer = endless_gzip(fifo, &head, &member);
    hz_redflag(&r, "bomb-import", db, import);
    stop(writer);
    assert_err_has(&r, fifo);
    assert_int_equal(r.status, 2);
    assert_err_has(&r, fifo);
    assert_err_has(&r, "decompressed");
    fprintf(stderr, "gzip bomb: refused with %ld KB peak memory\n", r.maxrss_kb);
    assert_true(r.maxrss_kb < rss_bound_kb(RF_FILE_MAX));
    hz_run_free(&r);
    /* The lists in force are the ones before: the bundled CSL and the DPL excerpt. */
    hz_redflag(&r, "bomb-status", db, status);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "2 list versions in force"));
    hz_run_free(&r);
    rf_buf_free(&head);
    rf_buf_free(&member);
    free(csl);
}

static void test_hostile__gzip_bomb_order_stops_at_the_cap(void **state)
{
    const char *db = hz_tmp("bomb-order.db");
    const char *csv = hz_tmp("bomb-order.csv.gz");
    const char *ubl = hz_tmp("bomb-order.xml.gz");
    char *doc = real_file("orders/ubl/UBL-Order-2.1-Example.xml", NULL);
    rf_buf head = {0}, member = {0};
    const char *screen_csv[] = {"screen", "--format", "jsonl", csv, NULL};
    const char *screen_ubl[] = {"screen", "--format", "jsonl", ubl, NULL};
    hz_run r;
    pid_t writer;
    (void)state;

    /* An order whose buyer's name never ends. */
    gzip_member(&head, "ref,buyer,country\n1,ACME Corp,US\n2,\"", 'B', MB);
    gzip_member(&member, "", 'B', 16 * MB);
    writer = endless_gzip(csv, &head, &member);
    hz_redflag(&r, "bomb-order-csv", db, screen_csv);
    stop(writer);
    assert_int_equal(r.status, 2);
    assert_err_has(&r, csv);
    fprintf(stderr, "order gzip bomb (CSV): %ld KB peak memory\n", r.maxrss_kb);
    assert_true(r.maxrss_kb < rss_bound_kb(64 * MB));
    hz_run_free(&r);
    /* A UBL order whose note never ends: the whole document is read, up to its cap. */
    rf_buf_reset(&head);
    {
        char *note = strstr(doc, "<cbc:Note>");
        assert_non_null(note);
        note[10] = '\0';
        gzip_member(&head, doc, 'C', MB);
    }
    writer = endless_gzip(ubl, &head, &member);
    hz_redflag(&r, "bomb-order-ubl", db, screen_ubl);
    stop(writer);
    assert_int_equal(r.status, 2);
    assert_err_has(&r, ubl);
    fprintf(stderr, "order gzip bomb (UBL): %ld KB peak memory\n", r.maxrss_kb);
    assert_true(r.maxrss_kb < rss_bound_kb(64 * MB));
    hz_run_free(&r);
    rf_buf_free(&head);
    rf_buf_free(&member);
    free(doc);
}

/* ---- CSV --------------------------------------------------------------------------------- */

/* The CSL sample's header and first rows, with `field` spliced in as the second field of
 * its third line (a name); written to `name`. */
static const char *csl_with_field(const char *name, const char *field, size_t field_len)
{
    char *csl = real_file("lists/consolidated_current_sample.csv", NULL);
    const char *line3 = strchr(strchr(csl, '\n') + 1, '\n') + 1, *second = strstr(line3, ",\"");
    FILE *f;
    const char *path = hz_tmp(name);

    assert_non_null(second);
    second += 2;
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(csl, 1, (size_t)(second - csl), f), (size_t)(second - csl));
    assert_int_equal(fwrite(field, 1, field_len, f), field_len);
    fputs(second, f);
    assert_int_equal(fclose(f), 0);
    free(csl);
    return path;
}

static void test_hostile__csv_field_of_100_mb(void **state)
{
    const char *db = hz_tmp("bigfield.db");
    char *big = malloc(100 * MB);
    const char *list, *order;
    const char *import[] = {"lists", "import", NULL, NULL};
    const char *screen[] = {"screen", "--format", "jsonl", NULL, NULL};
    rf_store *st = store_with_baseline("bigfield-lib.db");
    hz_run r;
    FILE *f;
    (void)state;

    assert_non_null(big);
    memset(big, 'A', 100 * MB);
    list = csl_with_field("bigfield-list.csv", big, 100 * MB);
    expect_list_refused(st, list, RF_ELIMIT, 3, NULL);
    rf_store_close(st);
    import[2] = list;
    hz_redflag(&r, "bigfield-list", db, import);
    assert_int_equal(r.status, 2);
    assert_err_has(&r, "bigfield-list.csv:3:");
    fprintf(stderr, "100 MB list field: %ld KB peak memory\n", r.maxrss_kb);
    assert_true(r.maxrss_kb < rss_bound_kb(RF_FILE_MAX));
    hz_run_free(&r);

    order = hz_tmp("bigfield-order.csv");
    f = fopen(order, "wb");
    assert_non_null(f);
    fputs("ref,buyer,country\n1,ACME Corp,US\n2,", f);
    assert_int_equal(fwrite(big, 1, 100 * MB, f), 100 * MB);
    fputs(",CN\n3,Huawei Technologies Co. Ltd.,CN\n", f);
    assert_int_equal(fclose(f), 0);
    free(big);
    /* The party before the long field has gone out; the error names the row. */
    assert_int_equal(expect_order_refused(order, RF_ELIMIT, 3, NULL), 1);
    screen[3] = order;
    hz_redflag(&r, "bigfield-order", db, screen);
    assert_int_equal(r.status, 2);
    assert_err_has(&r, "bigfield-order.csv:3:");
    fprintf(stderr, "100 MB order field: %ld KB peak memory\n", r.maxrss_kb);
    assert_true(r.maxrss_kb < rss_bound_kb(64 * MB));
    hz_run_free(&r);
}

static void test_hostile__csv_row_with_a_million_columns(void **state)
{
    rf_store *st = store_with_baseline("wide.db");
    char *commas = malloc(MB + 1);
    const char *list, *order;
    rf_buf b = {0};
    (void)state;

    assert_non_null(commas);
    memset(commas, ',', MB);
    commas[MB] = '\0';
    {
        /* The CSL's third row with a million empty fields more. */
        char *csl = real_file("lists/consolidated_current_sample.csv", NULL);
        char *end3 = strchr(strchr(strchr(csl, '\n') + 1, '\n') + 1, '\n');
        rf_buf_append(&b, csl, (size_t)(end3 - csl));
        rf_buf_append(&b, commas, MB);
        rf_buf_puts(&b, end3);
        list = write_tmp("wide-list.csv", b.data, b.len);
        rf_buf_reset(&b);
        free(csl);
    }
    expect_list_refused(st, list, RF_ELIMIT, 3, "fields");
    rf_store_close(st);

    rf_buf_puts(&b, "ref,buyer,country\n1,ACME Corp,US\n2,Huawei Technologies Co. Ltd.,CN");
    rf_buf_append(&b, commas, MB);
    rf_buf_puts(&b, "\n");
    order = write_tmp("wide-order.csv", b.data, b.len);
    assert_int_equal(expect_order_refused(order, RF_EFORMAT, 3, NULL), 1);
    rf_buf_reset(&b);
    rf_buf_puts(&b, "ref,buyer");
    rf_buf_append(&b, commas, MB);
    rf_buf_puts(&b, "\n1,ACME Corp\n");
    order = write_tmp("wide-header.csv", b.data, b.len);
    expect_order_refused(order, RF_ELIMIT, 1, NULL);
    rf_buf_free(&b);
    free(commas);
}

/* ---- encodings --------------------------------------------------------------------------- */

static void test_hostile__nul_bytes(void **state)
{
    rf_store *st = store_with_baseline("nul.db");
    static const char order[] = "ref,buyer,country\n1,ACME Corp,US\n2,Huawei\0 Technologies,CN\n";
    (void)state;

    /* A NUL inside a listed name would cut it short without a word: refused, with its line. */
    expect_list_refused(st, csl_with_field("nul-list.csv", "HUAWEI\0TECHNOLOGIES", 19),
                        RF_EFORMAT, 3, "NUL");
    expect_order_refused(write_tmp("nul-order.csv", order, sizeof order - 1), RF_EFORMAT, 3,
                         "NUL");
    rf_store_close(st);
}

static void test_hostile__invalid_utf8(void **state)
{
    rf_store *st = store_with_baseline("badutf8.db");
    static const char order[] = "ref,buyer,country\n1,ACME Corp,US\n2,Hua\xff\xfewei,CN\n";
    (void)state;

    expect_list_refused(st, csl_with_field("badutf8-list.csv", "HUA\xff\xfeWEI", 8), RF_EFORMAT,
                        3, "UTF-8");
    expect_order_refused(write_tmp("badutf8-order.csv", order, sizeof order - 1), RF_EFORMAT, 3,
                         "UTF-8");
    rf_store_close(st);
}

static void test_hostile__latin1_where_utf8_is_declared(void **state)
{
    rf_store *st = store_with_baseline("latin1.db");
    char *sdn = real_file("lists/ofac/sdn_xml_sample_2019.xml", NULL);
    char *ubl = real_file("orders/ubl/UBL-Order-2.1-Example.xml", NULL);
    /* "Müller" in Latin-1 inside documents that declare UTF-8 (XML's default). */
    char *a = insert_after(sdn, "<lastName>", "M\xfcller ");
    char *b = insert_after(ubl, "<cbc:Name>", "M\xfcller ");
    (void)state;

    expect_list_refused(st, write_tmp("latin1-sdn.xml", a, strlen(a)), RF_EFORMAT, -1, "UTF-8");
    assert_int_equal(expect_order_refused(write_tmp("latin1-ubl.xml", b, strlen(b)), RF_EFORMAT,
                                          0, "UTF-8"),
                     0);
    free(a);
    free(b);
    free(sdn);
    free(ubl);
    rf_store_close(st);
}

/* `s` as UTF-16LE with a byte-order mark (ASCII and Latin-1 only, as the samples are). */
static char *utf16(const char *s, size_t *len)
{
    rf_buf b = {0};
    rf_buf_append(&b, "\xFF\xFE", 2);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned cp = *p++;
        if (cp >= 0xC0 && (*p & 0xC0) == 0x80) cp = ((cp & 0x1F) << 6) | (*p++ & 0x3F);
        rf_buf_putc(&b, (char)(cp & 0xFF));
        rf_buf_putc(&b, (char)(cp >> 8));
    }
    *len = b.len;
    return rf_buf_detach(&b);
}

static void test_hostile__utf16_file(void **state)
{
    rf_store *st = store_with_baseline("utf16.db");
    char *dpl = real_file("lists/dpl_2018-08-01_excerpt.txt", NULL);
    size_t len;
    char *a = utf16(dpl, &len), *b;
    parties p8 = {0}, p16 = {0};
    rf_error err = {0};
    char *ubl = real_file("orders/ubl/UBL-Order-2.1-Example.xml", NULL), *x;
    (void)state;

    /* A list exported as UTF-16 is named as such, not as an unknown format. */
    expect_list_refused(st, write_tmp("utf16-list.txt", a, len), RF_EFORMAT, 0, "UTF-16");
    free(a);
    a = utf16("ref,buyer,country\n1,ACME Corp,US\n", &len);
    expect_order_refused(write_tmp("utf16-order.csv", a, len), RF_EFORMAT, 1, "UTF-16");
    free(a);
    /* XML says its encoding itself: a UTF-16 UBL order reads as its UTF-8 original. */
    x = replace_after(ubl, "<?xml", "UTF-8", "UTF-16");
    b = utf16(x, &len);
    assert_int_equal(rf_orders_read(hz_data("orders/ubl/UBL-Order-2.1-Example.xml"), NULL,
                                    collect, &p8, &err),
                     0);
    assert_int_equal(rf_orders_read(write_tmp("utf16-ubl.xml", b, len), NULL, collect, &p16,
                                    &err),
                     0);
    assert_true(p8.n > 0);
    assert_int_equal(p16.n, p8.n);
    assert_string_equal(p16.names, p8.names);
    free(b);
    free(x);
    free(ubl);
    free(dpl);
    rf_store_close(st);
}

/* ---- structure --------------------------------------------------------------------------- */

static char *nested(const char *xml, const char *after, int depth)
{
    rf_buf b = {0};
    char *out;
    for (int i = 0; i < depth; i++) rf_buf_puts(&b, "<x>");
    for (int i = 0; i < depth; i++) rf_buf_puts(&b, "</x>");
    out = insert_after(xml, after, b.data);
    rf_buf_free(&b);
    return out;
}

static void test_hostile__xml_nested_100000_deep(void **state)
{
    rf_store *st = store_with_baseline("deep.db");
    char *sdn = real_file("lists/ofac/sdn_xml_sample_2019.xml", NULL);
    char *ubl = real_file("orders/ubl/UBL-Order-2.1-Example.xml", NULL);
    char *a = nested(sdn, "<sdnEntry>", 100000), *b = nested(ubl, "</cbc:Note>", 100000);
    (void)state;

    expect_list_refused(st, write_tmp("deep-sdn.xml", a, strlen(a)), RF_ELIMIT, -1, "deep");
    expect_order_refused(write_tmp("deep-ubl.xml", b, strlen(b)), RF_ELIMIT, 0, "deeper");
    free(a);
    free(b);
    free(sdn);
    free(ubl);
    rf_store_close(st);
}

static void test_hostile__x12_isa_lies_about_its_separators(void **state)
{
    char *x12 = real_file("orders/x12-850/Example1_PGWGlass.txt", NULL);
    char *isa = strstr(x12, "ISA"), *end = strchr(isa, '|');
    (void)state;

    /* The ISA declares '^' as the element separator; the segments go on using '*'. */
    for (char *p = isa; p < end; p++)
        if (*p == '*') *p = '^';
    expect_order_refused(write_tmp("lying-isa.x12", x12, strlen(x12)), RF_EFORMAT, 2,
                         "separators");
    free(x12);
}

static void test_hostile__edifact_dangling_release_character(void **state)
{
    char *edi = real_file("orders/edifact/ORDERS_D01B_EAN010_example_order_ok.edi", NULL);
    char *nad = strstr(edi, "NAD+BY"), *end = strchr(nad, '\'');
    long line = 1;
    (void)state;

    for (const char *p = edi; p < nad; p++) line += *p == '\n';
    /* The file stops right after a release character: it escapes nothing. */
    end[0] = '?';
    end[1] = '\0';
    expect_order_refused(write_tmp("dangling.edi", edi, strlen(edi)), RF_EFORMAT, line,
                         "release");
    free(edi);
}

/* ---- a 1 GB order ----------------------------------------------------------------------- */

/* Writes an order CSV of about `bytes` from real company names: a buyer per row and a
 * kilobyte of description, so that the file is large for its number of parties. */
static void write_big_order(const char *path, size_t bytes)
{
    char *names = real_file("companies/names.tsv.gz", NULL), *p, **list = NULL;
    size_t n = 0, cap = 0, written = 0, row = 0;
    rf_buf line = {0};
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    for (p = strchr(names, '\n') + 1; *p;) { /* after the header */
        char *nl = strchr(p, '\n'), *tab = strchr(p, '\t');
        if (!nl) break;
        if (tab && tab < nl && !memchr(p, '"', (size_t)(tab - p))) {
            *tab = '\0';
            if (n == cap) list = realloc(list, (cap = cap ? cap * 2 : 4096) * sizeof *list);
            list[n++] = p;
        }
        p = nl + 1;
    }
    assert_true(n > 1000);
    fputs("ref,buyer,country,description\n", f);
    while (written < bytes) {
        rf_buf_reset(&line);
        rf_buf_printf(&line, "%zu,\"%s\",US,\"", row, list[row % n]);
        for (size_t k = 1; line.len < 1000; k++)
            rf_buf_printf(&line, "%s; ", list[(row * 7 + k * 131) % n]);
        rf_buf_puts(&line, "\"\n");
        assert_int_equal(fwrite(line.data, 1, line.len, f), line.len);
        written += line.len;
        row++;
    }
    assert_int_equal(fclose(f), 0);
    rf_buf_free(&line);
    free(list);
    free(names);
}

static void test_hostile__order_of_1_gb_in_constant_memory(void **state)
{
    const char *db = hz_tmp("big.db"), *order = hz_tmp("big-order.csv");
    const char *screen[] = {"screen", "--format", "jsonl", "-o", "/dev/null", order, NULL};
    hz_run r;
    long first_kb;
    (void)state;

    if (hz_sanitized()) {
        fprintf(stderr, "skipped under the sanitizers: screening 1 GB takes too long there; "
                        "the release build runs it\n");
        skip();
    }
    /* An eighth of the file first: the index and the reading buffers are all taken by then;
     * only the cache of the run's database goes on filling, up to its cap. */
    write_big_order(order, 128 * MB);
    hz_redflag(&r, "big-128mb", db, screen);
    if (r.status > 1) fprintf(stderr, "status %d: %s", r.status, r.err);
    assert_true(r.status == 0 || r.status == 1);
    first_kb = r.maxrss_kb;
    hz_run_free(&r);
    write_big_order(order, 1024 * MB);
    hz_redflag(&r, "big-1gb", db, screen);
    unlink(order);
    if (r.status > 1) fprintf(stderr, "status %d: %s", r.status, r.err);
    assert_true(r.status == 0 || r.status == 1);
    fprintf(stderr, "128 MB order: %ld KB peak; 1 GB order: %ld KB peak\n", first_kb,
            r.maxrss_kb);
    /* Memory does not grow with the file: eight times the parties (a million), and no more
     * memory than the database cache a recorded run may fill (64 MB) can add. */
    assert_true(r.maxrss_kb < first_kb + 80 * 1024);
    hz_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile__list_xml_with_an_external_entity_is_refused),
        cmocka_unit_test(test_hostile__list_xml_billion_laughs_is_refused),
        cmocka_unit_test(test_hostile__order_xml_with_an_external_entity_is_refused),
        cmocka_unit_test(test_hostile__order_xml_billion_laughs_is_refused),
        cmocka_unit_test(test_hostile__gzip_bomb_list_stops_at_the_cap),
        cmocka_unit_test(test_hostile__gzip_bomb_order_stops_at_the_cap),
        cmocka_unit_test(test_hostile__csv_field_of_100_mb),
        cmocka_unit_test(test_hostile__csv_row_with_a_million_columns),
        cmocka_unit_test(test_hostile__nul_bytes),
        cmocka_unit_test(test_hostile__invalid_utf8),
        cmocka_unit_test(test_hostile__latin1_where_utf8_is_declared),
        cmocka_unit_test(test_hostile__utf16_file),
        cmocka_unit_test(test_hostile__xml_nested_100000_deep),
        cmocka_unit_test(test_hostile__x12_isa_lies_about_its_separators),
        cmocka_unit_test(test_hostile__edifact_dangling_release_character),
        cmocka_unit_test(test_hostile__order_of_1_gb_in_constant_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
