/* rf_test.c: the helpers of rf_test.h. */
#include "rf_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static void remove_tmpdir(void)
{
    char cmd[320];
    if (!tmpdir[0]) return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

const char *rf_test_data(const char *relative)
{
    static char path[1024];
    const char *root = getenv("RF_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", root ? root : "tests/data", relative);
    return path;
}

const char *rf_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/redflag-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

const char *rf_test_scratch_db(const char *path)
{
    const char *bin = getenv("RF_BIN");
    char cmd[3072];
    if (access(path, F_OK) == 0) return path;
    snprintf(cmd, sizeof cmd, "'%s' lists init --db '%s' --no-bundled >/dev/null 2>&1",
             bin ? bin : "redflag", path);
    if (system(cmd) != 0) fprintf(stderr, "could not create the scratch database %s\n", path);
    return path;
}

const char *rf_test_tmpfile(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", rf_test_tmpdir(), name);
    return path;
}

int rf_test_run(char **out, const char *command)
{
    FILE *p = popen(command, "r");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char chunk[65536];
    size_t n;
    int status;

    if (!p) return -1;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        if (len + n + 1 > cap) {
            char *grown;
            cap = (len + n + 1) * 2;
            grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                pclose(p);
                return -1;
            }
            buf = grown;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    status = pclose(p);
    if (out) {
        if (!buf) buf = calloc(1, 1);
        else buf[len] = '\0';
        *out = buf;
    } else {
        free(buf);
    }
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

int rf_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f) return -1;
    ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

char *rf_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf && fread(buf, 1, (size_t)size, f) == (size_t)size) {
            buf[size] = '\0';
            if (len) *len = (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

rf_store *rf_test_store(const char *name)
{
    rf_store *st = NULL;
    rf_error err;
    int rc = rf_store_open(&st, rf_test_tmpfile(name), &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rc, RF_OK);
    return st;
}

int rf_test_bundled(rf_store **store, rf_snapshot **snap, rf_matcher **matcher, const char *db)
{
    const unsigned char *data;
    size_t len;
    const char *name, *published;
    rf_import_options opts = {0};
    rf_import_summary sum;
    rf_error err = {0};

    rf_bundled_list(&data, &len, &name, &published);
    opts.effective = published;
    if (rf_store_open(store, rf_test_tmpfile(db), &err) != RF_OK ||
        rf_import_list_data(&sum, *store, name, data, len, &opts, &err) != RF_OK ||
        rf_snapshot_load(snap, *store, NULL, &err) != RF_OK ||
        rf_matcher_new(matcher, *snap, &err) != RF_OK) {
        fprintf(stderr, "%s: %s\n", db, err.message);
        return -1;
    }
    return 0;
}

const char *rf_test_csl_2023(void)
{
    static char path[4096];
    rf_buf data = {0};
    rf_error err;
    const char *cut = NULL;
    char *end;

    if (path[0]) return path;
    snprintf(path, sizeof path, "%s", rf_test_tmpfile("consolidated_2023-11.csv"));
    assert_int_equal(rf_file_read(&data, NULL,
                                  rf_test_data("lists/consolidated_2023-11_partial.csv.gz"), 0,
                                  &err),
                     RF_OK);
    end = data.data + data.len;
    for (char *p = strstr(data.data, "\n\"11476\""); p && p < end; p = strstr(p + 1, "\n\"11476\""))
        cut = p + 1;
    assert_non_null(cut);
    assert_int_equal(rf_test_write_file(path, data.data, (size_t)(cut - data.data)), 0);
    rf_buf_free(&data);
    return path;
}
