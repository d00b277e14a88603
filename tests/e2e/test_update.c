/* test_update.c: `redflag lists update` against a local stand-in for the publishers
 * (list_server.py on 127.0.0.1, started and stopped by each test; nothing touches the
 * internet). The first update imports the real CSL sample and Denied Persons List; the
 * second gets 304 and imports nothing; a changed file becomes a new version; garbage, server
 * errors, a stalled server and no server at all leave the database as it was and exit 2 with
 * a message that says what happened; a failure that passes is retried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "e2e_run.h"
#include "importers/rf_importers.h"
#include "rf_test.h"

#define DPL "lists/dpl_2023-11.txt"
#define SDN_XML "lists/ofac/sdn_xml_sample_2019.xml"

typedef struct fixture {
    e2e_server server;
    char root[1024];    /* what the server serves */
    char sources[1100]; /* the sources file naming its two lists */
    char base[64];      /* http://127.0.0.1:PORT */
} fixture;

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = rf_test_read_file(from, &len);
    assert_non_null(data);
    assert_int_equal(rf_test_write_file(to, data, len), 0);
    free(data);
}

/* A newer CSL for the server to publish: the bundled May 2022 list without its last row.
 * It must be a whole list: a file much shorter than the version in force (the bundled list,
 * in a new database) is refused as cut short. */
static void write_current_csl(const char *to)
{
    char bundled[1024];
    rf_buf data = {0};
    rf_error err;
    size_t len;

    e2e_src(bundled, sizeof bundled, "lists/data/consolidated_2022-05.csv.gz");
    assert_int_equal(rf_file_read(&data, NULL, bundled, 0, &err), RF_OK);
    len = data.len;
    while (len && data.data[len - 1] == '\n') len--;
    while (len && data.data[len - 1] != '\n') len--;
    assert_int_equal(rf_test_write_file(to, data.data, len), 0);
    rf_buf_free(&data);
}

/* The server's tree: csl/consolidated.csv (the bundled CSL but one row), dpl/dpl.txt and
 * ofac/sdn.xml, copies of the real files. */
static int setup(void **state)
{
    static int n;
    fixture *f = calloc(1, sizeof *f);
    char path[1200], text[512];
    int len;

    if (!f) return -1;
    snprintf(path, sizeof path, "root%d", ++n);
    snprintf(f->root, sizeof f->root, "%s", rf_test_tmpfile(path));
    mkdir(f->root, 0700);
    snprintf(path, sizeof path, "%s/csl", f->root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/dpl", f->root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/csl/consolidated.csv", f->root);
    write_current_csl(path);
    snprintf(path, sizeof path, "%s/dpl/dpl.txt", f->root);
    copy_file(rf_test_data(DPL), path);
    snprintf(path, sizeof path, "%s/ofac", f->root);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/ofac/sdn.xml", f->root);
    copy_file(rf_test_data(SDN_XML), path);
    if (e2e_server_start(&f->server, f->root) != 0) {
        free(f);
        return -1;
    }
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d", f->server.port);
    snprintf(f->sources, sizeof f->sources, "%s/sources", f->root);
    len = snprintf(text, sizeof text,
                   "# the publishers, as served by list_server.py\n"
                   "csl      %s/csl/consolidated.csv\n"
                   "bis-dpl  %s/dpl/dpl.txt   # the Denied Persons List\n",
                   f->base, f->base);
    assert_int_equal(rf_test_write_file(f->sources, text, (size_t)len), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    e2e_server_stop(&f->server);
    free(f);
    return 0;
}

/* How many requests the server logged with `status` for paths containing `path`. */
static int requests(const fixture *f, const char *path, int status)
{
    char *log = rf_test_read_file(f->server.log, NULL);
    char want[64];
    int n = 0;
    if (!log) return 0;
    snprintf(want, sizeof want, " %d if-none-match=", status);
    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, path) && strstr(line, want)) n++;
    free(log);
    return n;
}

/* The versions in the database, as `lists history --format jsonl` lines. */
static int versions(const char *db)
{
    e2e_out r = e2e_redflag(db, "lists history --format jsonl");
    int n = 0;
    assert_int_equal(r.status, 0);
    for (const char *p = r.out; (p = strchr(p, '\n')) != NULL; p++) n++;
    e2e_out_free(&r);
    return n;
}

static void test_e2e_update__first_imports_second_is_not_modified(void **state)
{
    fixture *f = *state;
    char path[1200];
    e2e_out r;

    r = e2e_redflag("update.db", "lists update --sources '%s'", f->sources);
    if (r.status != 0) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "csl: http://127.0.0.1:"));
    assert_non_null(strstr(r.out, "/csl/consolidated.csv: imported as version 2: csl-csv, 14159 "
                                  "entities"));
    assert_non_null(strstr(r.out, "/dpl/dpl.txt: imported as version 3: dpl-tsv, 665 entities"));
    e2e_out_free(&r);
    assert_int_equal(versions("update.db"), 3); /* the bundled CSL, and the two */
    /* The version records the address it came from. */
    r = e2e_redflag("update.db", "lists history --feed bis-dpl");
    assert_non_null(strstr(r.out, "/dpl/dpl.txt (dpl-tsv)"));
    assert_non_null(strstr(r.out, f->base));
    e2e_out_free(&r);

    /* Again: the server says nothing changed, nothing is downloaded or imported. */
    r = e2e_redflag("update.db", "lists update --sources '%s'", f->sources);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "/csl/consolidated.csv: not modified since the last update "
                                  "(HTTP 304)"));
    assert_non_null(strstr(r.out, "/dpl/dpl.txt: not modified"));
    e2e_out_free(&r);
    assert_int_equal(versions("update.db"), 3);
    assert_int_equal(requests(f, "/csl/consolidated.csv", 304), 1);
    assert_int_equal(requests(f, "/dpl/dpl.txt", 200), 1);

    /* One source by name, unconditionally: downloaded again, same sha256, not imported. */
    r = e2e_redflag("update.db", "lists update --sources '%s' --force bis-dpl", f->sources);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "bis-dpl: "));
    assert_non_null(strstr(r.out, "unchanged (sha256 "));
    assert_null(strstr(r.out, "csl: "));
    e2e_out_free(&r);
    assert_int_equal(requests(f, "/dpl/dpl.txt", 200), 2);
    assert_int_equal(versions("update.db"), 3);

    /* The publisher drops the last row: a new version, and the diff shows the party gone. */
    snprintf(path, sizeof path, "%s/csl/consolidated.csv", f->root);
    {
        size_t len;
        char *data = rf_test_read_file(path, &len);
        assert_non_null(data);
        while (len && data[len - 1] == '\n') len--;
        while (len && data[len - 1] != '\n') len--; /* the start of the last row */
        assert_true(len > 0);
        assert_int_equal(rf_test_write_file(path, data, len), 0);
        free(data);
    }
    r = e2e_redflag("update.db", "lists update --sources '%s'", f->sources);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "/csl/consolidated.csv: imported as version 4: csl-csv, 14158 "
                                  "entities"));
    assert_non_null(strstr(r.out, "/dpl/dpl.txt: not modified"));
    e2e_out_free(&r);
    r = e2e_redflag("update.db", "lists diff 2 4");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "0 added, 1 removed, 0 changed, 14158 unchanged"));
    e2e_out_free(&r);

    /* OFAC's sdn.xml, the default OFAC source: published on the date the file states. */
    r = e2e_redflag("update.db", "lists update --url %s/ofac/sdn.xml", f->base);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "/ofac/sdn.xml: imported as version 5: ofac-sdn-xml, 4 "
                                  "entities"));
    assert_non_null(strstr(r.out, "published 2014-07-16"));
    e2e_out_free(&r);
}

static void test_e2e_update__garbage_leaves_the_database_as_it_was(void **state)
{
    fixture *f = *state;
    e2e_out r;

    r = e2e_redflag("garbage.db", "lists update --sources '%s'", f->sources);
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);
    assert_int_equal(versions("garbage.db"), 3);

    /* A mirror that answers 200 with something else: refused, nothing written. */
    r = e2e_redflag("garbage.db", "lists update --url %s/garbage/consolidated.csv", f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "/garbage/consolidated.csv"));
    assert_non_null(strstr(r.err, "not a list file redflag can read"));
    assert_non_null(strstr(r.out, "failed; the database was not changed for it"));
    assert_non_null(strstr(r.err, "1 of 1 source failed"));
    e2e_out_free(&r);
    assert_int_equal(versions("garbage.db"), 3);
    /* Its validators were not kept: the next request is unconditional, so a good file at
     * that address would be imported. */
    r = e2e_redflag("garbage.db", "lists update --url %s/garbage/consolidated.csv", f->base);
    assert_int_equal(r.status, 2);
    e2e_out_free(&r);
    assert_int_equal(requests(f, "/garbage/", 200), 2);
    assert_int_equal(requests(f, "/garbage/", 304), 0);

    /* A server error is retried, then reported with its status; a 404 is not retried. */
    r = e2e_redflag("garbage.db", "lists update --retries 1 --retry-delay 0.05 --url "
                                  "%s/status/500/consolidated.csv",
                    f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "attempt 1 failed"));
    assert_non_null(strstr(r.err, "the server answered HTTP 500"));
    e2e_out_free(&r);
    assert_int_equal(requests(f, "/status/500/", 500), 2);
    r = e2e_redflag("garbage.db", "lists update --retries 3 --url %s/csl/no-such-file.csv",
                    f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "HTTP 404"));
    e2e_out_free(&r);
    assert_int_equal(requests(f, "/csl/no-such-file.csv", 404), 1);
    assert_int_equal(versions("garbage.db"), 3);

    /* A failure that passes: the second attempt gets the file, already imported. */
    r = e2e_redflag("garbage.db", "lists update --retries 2 --retry-delay 0.05 --url "
                                  "%s/fail-once/dpl/dpl.txt",
                    f->base);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "attempt 1 failed"));
    assert_non_null(strstr(r.out, "unchanged (sha256 "));
    e2e_out_free(&r);
    assert_int_equal(versions("garbage.db"), 3);
}

static void test_e2e_update__offline_and_stalled_servers_say_so(void **state)
{
    fixture *f = *state;
    rf_update_options opts;
    rf_update_result res;
    rf_store *st;
    rf_error err;
    char url[256];
    e2e_out r;

    r = e2e_redflag("offline.db", "lists update --sources '%s'", f->sources);
    assert_int_equal(r.status, 0);
    e2e_out_free(&r);

    /* A server that does not answer in time. */
    r = e2e_redflag("offline.db", "lists update --retries 0 --timeout 1 --url "
                                  "%s/slow/3/dpl/dpl.txt",
                    f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "did not answer in time"));
    e2e_out_free(&r);

    /* A file larger than the cap is refused (the library's cap, in bytes). */
    snprintf(url, sizeof url, "%s/dpl/dpl.txt", f->base);
    assert_int_equal(rf_store_open(&st, rf_test_tmpfile("offline.db"), &err), 0);
    memset(&opts, 0, sizeof opts);
    opts.max_bytes = 4096;
    opts.force = 1;
    assert_int_equal(rf_list_update(&res, st, url, &opts, &err), RF_ELIMIT);
    assert_non_null(strstr(err.message, "larger than 4096 bytes"));
    rf_store_close(st);

    /* No server at all: offline. */
    e2e_server_stop(&f->server);
    r = e2e_redflag("offline.db", "lists update --retries 0 --sources '%s'", f->sources);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot reach 127.0.0.1"));
    assert_non_null(strstr(r.err, "offline"));
    assert_non_null(strstr(r.err, "2 of 2 sources failed; the lists in force now:"));
    /* They are the ones the first update imported, named with their dates and origin. */
    assert_non_null(strstr(r.err, "  bis-dpl version 3, published "));
    assert_non_null(strstr(r.err, "/dpl/dpl.txt\n"));
    assert_non_null(strstr(r.err, "  csl version 2, no publication date, imported "));
    assert_null(strstr(r.err, "bundled"));
    e2e_out_free(&r);
    assert_int_equal(versions("offline.db"), 3);
    r = e2e_redflag("offline.db", "lists status");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "DPL 665"));
    e2e_out_free(&r);

    /* Offline, the default retries are not spent on a host that cannot be reached or
     * resolved: one attempt each, the answer at once (a retry would first wait 30 s here). */
    r = e2e_redflag("offline.db", "lists update --retry-delay 30 --sources '%s'", f->sources);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot reach 127.0.0.1"));
    assert_null(strstr(r.err, "trying again"));
    e2e_out_free(&r);
    r = e2e_redflag("offline.db", "lists update --retry-delay 30 --url "
                                  "https://lists.redflag.invalid/consolidated.csv");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot reach lists.redflag.invalid"));
    assert_null(strstr(r.err, "trying again"));
    e2e_out_free(&r);
}

/* A source that moved to another host: the version names the address the file came from. */
static void test_e2e_update__a_redirect_records_the_final_address(void **state)
{
    fixture *f = *state;
    char final[256];
    e2e_out r;

    snprintf(final, sizeof final, "http://localhost:%d/csl/consolidated.csv", f->server.port);
    r = e2e_redflag("moved.db", "lists update --url '%s/redirect?to=%s'", f->base, final);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "redirected to "));
    assert_non_null(strstr(r.out, final));
    assert_non_null(strstr(r.out, "imported as version"));
    /* The source said http: fetched, with a warning. */
    assert_non_null(strstr(r.err, "warning: plain http"));
    e2e_out_free(&r);
    r = e2e_redflag("moved.db", "lists history --format jsonl");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, final));
    e2e_out_free(&r);
}

/* An https source (served with a certificate made for the test) imports; redirected to plain
 * http it is refused, and the http server never sees the request. */
static void test_e2e_update__an_https_source_is_not_followed_to_http(void **state)
{
    fixture *f = *state;
    e2e_server tls;
    char cert[1200], key[1200], pem[1200], cmd[8192];
    char *out = NULL;
    e2e_out ok, refused;
    int before;

    snprintf(cert, sizeof cert, "%s/cert.pem", f->root);
    snprintf(key, sizeof key, "%s/key.pem", f->root);
    snprintf(pem, sizeof pem, "%s/server.pem", f->root);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
             " -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' 2>/dev/null &&"
             " cat '%s' '%s' > '%s'",
             key, cert, cert, key, pem);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    free(out);
    before = requests(f, "consolidated.csv", 200);
    assert_int_equal(e2e_server_start_tls(&tls, f->root, pem), 0);
    /* Both runs before any assertion: a failed one must not leave the server running. */
    ok = e2e_redflag("tls.db", "lists update --cacert '%s' --url https://127.0.0.1:%d/dpl/dpl.txt",
                     cert, tls.port);
    refused = e2e_redflag("tls.db", "lists update --retries 0 --cacert '%s' --url "
                                    "'https://127.0.0.1:%d/redirect?to=%s/csl/consolidated.csv'",
                          cert, tls.port, f->base);
    e2e_server_stop(&tls);

    assert_int_equal(ok.status, 0);
    assert_non_null(strstr(ok.out, "imported as version"));
    assert_null(strstr(ok.err, "plain http"));
    assert_int_equal(refused.status, 2);
    assert_non_null(strstr(refused.err, "refused"));
    assert_non_null(strstr(refused.err, "only followed to https"));
    assert_int_equal(requests(f, "consolidated.csv", 200), before); /* never asked */
    e2e_out_free(&ok);
    e2e_out_free(&refused);
    assert_int_equal(versions("tls.db"), 2); /* the bundled list and the DPL */
}

/* A sender trickling fast enough not to look stalled is given up at the deadline. */
static void test_e2e_update__a_trickling_source_meets_its_deadline(void **state)
{
    fixture *f = *state;
    e2e_out r;

    r = e2e_redflag("trickle.db", "lists update --retries 3 --retry-delay 0.1 --deadline 3"
                                  " --url %s/trickle/600/dpl/dpl.txt",
                    f->base);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "within its deadline of 3 s"));
    e2e_out_free(&r);
    assert_int_equal(versions("trickle.db"), 1); /* the bundled list only */
}

static void test_e2e_update__bad_usage_and_bad_sources_files(void **state)
{
    fixture *f = *state;
    char bad[1200];
    e2e_out r;

    r = e2e_redflag("usage.db", "lists update --sources '%s' no-such-source", f->sources);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no source named 'no-such-source'"));
    e2e_out_free(&r);
    snprintf(bad, sizeof bad, "%s/bad-sources", f->root);
    assert_int_equal(rf_test_write_file(bad, "csl\n", 4), 0);
    r = e2e_redflag("usage.db", "lists update --sources '%s'", bad);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "bad-sources:1: expected NAME URL"));
    e2e_out_free(&r);
    r = e2e_redflag("usage.db", "lists update --url ftp://example.org/sdn.csv");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "not an http:// or https:// address"));
    e2e_out_free(&r);
    r = e2e_redflag("usage.db", "lists update --retries many");
    assert_int_equal(r.status, 2);
    e2e_out_free(&r);
    /* The built-in sources are the official addresses, documented in --help. */
    r = e2e_redflag("usage.db", "lists update --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "https://data.trade.gov/downloadable_consolidated_screening_list/v1/"));
    assert_non_null(strstr(r.out, "https://www.treasury.gov/ofac/downloads/sdn.xml"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_e2e_update__first_imports_second_is_not_modified,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e_update__garbage_leaves_the_database_as_it_was,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e_update__offline_and_stalled_servers_say_so,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e_update__a_redirect_records_the_final_address,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e_update__an_https_source_is_not_followed_to_http,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e_update__a_trickling_source_meets_its_deadline,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_e2e_update__bad_usage_and_bad_sources_files, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
