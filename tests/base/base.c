/* tests/base/base.c: the shared helpers of rf_base.h: sha256 against published vectors,
 * gzip-transparent reading of the real list files, the gzip-bomb cap, strict UTF-8 checks,
 * Latin-1 transcoding, buffers and error formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/rf_base.h"
#include "rf_test.h"

/* Size and digest of the bundled CSL, as `zcat | wc -c` and `sha256sum` report them. */
#define CSL_PLAIN_SIZE 5829294
#define CSL_GZ_SHA256 "f55c580c0eadaeef6f291d5cd3653b147650c2019f227c92a93814aa5dc4364c"

static const char *csl_path(void)
{
    static char path[1024];
    const char *src = getenv("RF_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/lists/data/consolidated_2022-05.csv.gz", src ? src : ".");
    return path;
}

/* Compresses `len` bytes into a gzip member (or, with zeros, `len` zero bytes). */
static unsigned char *gzip_bytes(size_t *out_len, const void *data, size_t len, int zeros)
{
    static unsigned char zero_chunk[1 << 16];
    z_stream zs;
    size_t cap = 1 << 20, used = 0, left = len;
    unsigned char *out = malloc(cap);

    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    for (;;) {
        size_t take = zeros ? (left < sizeof zero_chunk ? left : sizeof zero_chunk) : left;
        int flush = take == left ? Z_FINISH : Z_NO_FLUSH, zrc;
        zs.next_in = zeros ? zero_chunk : (unsigned char *)(uintptr_t)data + (len - left);
        zs.avail_in = (uInt)take;
        left -= take;
        do {
            if (cap - used < 65536) {
                cap *= 2;
                out = realloc(out, cap);
                assert_non_null(out);
            }
            zs.next_out = out + used;
            zs.avail_out = (uInt)(cap - used);
            zrc = deflate(&zs, flush);
            used = cap - zs.avail_out;
        } while (zs.avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
        if (flush == Z_FINISH) break;
    }
    deflateEnd(&zs);
    *out_len = used;
    return out;
}

/* ---- sha256 ---------------------------------------------------------------------------- */

static void test_base__sha256_vectors(void **state)
{
    /* FIPS 180-4 examples and NIST's one-million-'a' vector. */
    static const struct {
        const char *msg;
        const char *hex;
    } vectors[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    char hex[65];
    rf_sha256 h;
    (void)state;

    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        rf_sha256_hex(hex, vectors[i].msg, strlen(vectors[i].msg));
        assert_string_equal(hex, vectors[i].hex);
    }
    /* Streaming in odd-sized pieces must give the same digest as one call. */
    rf_sha256_init(&h);
    for (size_t done = 0, step = 1; done < 1000000; done += step, step = step % 97 + 1) {
        static char as[128];
        size_t n = done + step > 1000000 ? 1000000 - done : step;
        memset(as, 'a', sizeof as);
        rf_sha256_update(&h, as, n);
    }
    rf_sha256_final_hex(&h, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- files ----------------------------------------------------------------------------- */

static void test_base__file_read_real_gzip_csl(void **state)
{
    rf_buf b = {0};
    rf_error err;
    char hex[65];
    size_t bad;
    (void)state;

    assert_int_equal(rf_file_read(&b, hex, csl_path(), 0, &err), RF_OK);
    assert_string_equal(hex, CSL_GZ_SHA256); /* digest of the bytes on disk, not the CSV */
    assert_int_equal(b.len, CSL_PLAIN_SIZE);
    assert_memory_equal(b.data, "_id,source,entity_number,type,programs,name,", 44);
    assert_non_null(strstr(b.data, "Huawei Technologies Co., Ltd."));
    assert_int_equal(rf_utf8_valid(b.data, b.len, &bad), 1);
    rf_buf_free(&b);
}

static void test_base__file_read_plain_matches_disk(void **state)
{
    const char *path = rf_test_data("lists/dpl_2023-11.txt");
    size_t len;
    char *raw = rf_test_read_file(path, &len);
    rf_buf b = {0};
    rf_error err;
    char hex[65], expect[65];
    (void)state;

    assert_non_null(raw);
    assert_int_equal(rf_file_read(&b, hex, path, 0, &err), RF_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, raw, len);
    rf_sha256_hex(expect, raw, len);
    assert_string_equal(hex, expect);
    free(raw);
    rf_buf_free(&b);
}

static void test_base__file_read_missing_names_the_file(void **state)
{
    rf_buf b = {0};
    rf_error err;
    char text[2048];
    (void)state;

    assert_int_equal(rf_file_read(&b, NULL, "/nonexistent/list.csv", 0, &err), RF_EIO);
    rf_error_format(&err, text, sizeof text);
    assert_non_null(strstr(text, "/nonexistent/list.csv"));
    assert_non_null(strstr(text, "No such file"));
}

static void test_base__gzip_bomb_stops_at_the_cap(void **state)
{
    size_t gz_len;
    unsigned char *gz = gzip_bytes(&gz_len, NULL, (size_t)200 << 20, 1);
    const char *path = rf_test_tmpfile("bomb.csv.gz");
    rf_buf b = {0};
    rf_error err;
    (void)state;

    assert_true(gz_len < ((size_t)1 << 20)); /* 200 MB of zeros fit in a few hundred KB */
    assert_int_equal(rf_test_write_file(path, gz, gz_len), 0);
    assert_int_equal(rf_file_read(&b, NULL, path, (size_t)1 << 20, &err), RF_ELIMIT);
    assert_int_equal(err.code, RF_ELIMIT);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "1048576"));
    /* It stopped early: the buffer never grew far past the cap. */
    assert_true(b.cap <= ((size_t)4 << 20));
    assert_int_equal(b.len, 0);
    assert_int_equal(rf_gunzip(&b, gz, gz_len, (size_t)1 << 20, "bomb", &err), RF_ELIMIT);
    free(gz);
    rf_buf_free(&b);
}

static void test_base__truncated_gzip_is_an_error(void **state)
{
    size_t len;
    char *gz = rf_test_read_file(csl_path(), &len);
    const char *path = rf_test_tmpfile("truncated.csv.gz");
    rf_buf b = {0};
    rf_reader *r;
    rf_error err;
    char chunk[65536];
    long n;
    (void)state;

    assert_non_null(gz);
    assert_int_equal(rf_test_write_file(path, gz, len / 2), 0);
    assert_int_equal(rf_file_read(&b, NULL, path, 0, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "truncated"));
    /* The streaming reader reports it too instead of ending quietly. */
    assert_int_equal(rf_reader_open(&r, path, &err), RF_OK);
    while ((n = rf_reader_read(r, chunk, sizeof chunk, &err)) > 0) continue;
    assert_true(n < 0);
    rf_reader_close(r);
    free(gz);
    rf_buf_free(&b);
}

static void test_base__gunzip_concatenated_members_and_plain(void **state)
{
    size_t a_len, b_len;
    unsigned char *a = gzip_bytes(&a_len, "Huawei ", 7, 0);
    unsigned char *c = gzip_bytes(&b_len, "Technologies", 12, 0);
    unsigned char *both = malloc(a_len + b_len);
    rf_buf out = {0};
    rf_error err;
    (void)state;

    memcpy(both, a, a_len);
    memcpy(both + a_len, c, b_len);
    assert_int_equal(rf_gunzip(&out, both, a_len + b_len, 0, "two", &err), RF_OK);
    assert_string_equal(out.data, "Huawei Technologies");
    free(a);
    /* Output that ends exactly on the decoder's 64 KiB chunk border is still complete. */
    {
        char *page = malloc(65536);
        memset(page, 'a', 65536);
        a = gzip_bytes(&a_len, page, 65536, 0);
        assert_int_equal(rf_gunzip(&out, a, a_len, 0, "page", &err), RF_OK);
        assert_int_equal(out.len, 65536);
        free(page);
    }
    assert_int_equal(rf_gunzip(&out, "not gzip", 8, 0, "plain", &err), RF_OK);
    assert_string_equal(out.data, "not gzip");
    assert_int_equal(rf_gunzip(&out, "", 0, 0, "empty", &err), RF_OK);
    assert_int_equal(out.len, 0);
    assert_string_equal(out.data, "");
    free(a);
    free(c);
    free(both);
    rf_buf_free(&out);
}

static void test_base__reader_streams_same_bytes(void **state)
{
    rf_buf whole = {0}, streamed = {0};
    rf_reader *r;
    rf_error err;
    char chunk[4093]; /* odd size: chunk borders fall anywhere */
    long n;
    (void)state;

    assert_int_equal(rf_file_read(&whole, NULL, csl_path(), 0, &err), RF_OK);
    assert_int_equal(rf_reader_open(&r, csl_path(), &err), RF_OK);
    while ((n = rf_reader_read(r, chunk, sizeof chunk, &err)) > 0)
        assert_int_equal(rf_buf_append(&streamed, chunk, (size_t)n), RF_OK);
    assert_int_equal(n, 0);
    rf_reader_close(r);
    assert_int_equal(streamed.len, whole.len);
    assert_memory_equal(streamed.data, whole.data, whole.len);
    assert_int_equal(rf_reader_open(&r, "/nonexistent/orders.csv", &err), RF_EIO);
    assert_null(r);
    rf_reader_close(NULL);
    rf_buf_free(&whole);
    rf_buf_free(&streamed);
}

/* Reads the whole of `r` into `out` in odd-sized chunks; the last rf_reader_read result. */
static long read_all(rf_reader *r, rf_buf *out, rf_error *err)
{
    char chunk[1021];
    long n;
    while ((n = rf_reader_read(r, chunk, sizeof chunk, err)) > 0)
        assert_int_equal(rf_buf_append(out, chunk, (size_t)n), RF_OK);
    return n;
}

/* Reads the whole of `r`, asked to hash (and to copy what it takes to `copy`, if not NULL),
 * into `out`, puts its sha256 in `sha` and closes it. */
static void read_hashed(rf_reader *r, FILE *copy, rf_buf *out, char sha[65])
{
    rf_error err;
    rf_reader_hash(r);
    if (copy) rf_reader_copy_to(r, copy);
    assert_int_equal(read_all(r, out, &err), 0);
    rf_reader_sha256(r, sha);
    rf_reader_close(r);
}

/* The memory reader gives what the file reader gives, and both hash the bytes as stored when
 * asked: a list version's sha256 is that of the .gz file, not of its content. */
static void test_base__reader_memory_and_sha256_of_the_stored_bytes(void **state)
{
    size_t gz_len, a_len;
    char *gz = rf_test_read_file(csl_path(), &gz_len);
    unsigned char *a = gzip_bytes(&a_len, "Huawei ", 7, 0);
    unsigned char *junk = malloc(a_len + 4);
    rf_buf whole = {0}, streamed = {0};
    char want[65], got[65];
    rf_reader *r;
    rf_error err;
    (void)state;

    assert_non_null(gz);
    assert_int_equal(rf_file_read(&whole, want, csl_path(), 0, &err), RF_OK);
    assert_int_equal(rf_reader_open_memory(&r, gz, gz_len, "mem.csv.gz", &err), RF_OK);
    read_hashed(r, NULL, &streamed, got);
    assert_string_equal(got, want);
    assert_int_equal(streamed.len, whole.len);
    assert_memory_equal(streamed.data, whole.data, whole.len);

    rf_buf_reset(&streamed);
    assert_int_equal(rf_reader_open(&r, csl_path(), &err), RF_OK);
    read_hashed(r, NULL, &streamed, got);
    assert_string_equal(got, want);

    /* Plain memory comes out as it is; junk after a gzip stream is refused, as rf_file_read
     * refuses it. */
    rf_buf_reset(&streamed);
    assert_int_equal(rf_reader_open_memory(&r, "plain", 5, "plain", &err), RF_OK);
    read_hashed(r, NULL, &streamed, got);
    rf_sha256_hex(want, "plain", 5);
    assert_string_equal(got, want);
    assert_int_equal(streamed.len, 5);
    memcpy(junk, a, a_len);
    memcpy(junk + a_len, "junk", 4);
    assert_int_equal(rf_reader_open_memory(&r, junk, a_len + 4, "junk.gz", &err), RF_OK);
    rf_buf_reset(&streamed);
    assert_int_equal(read_all(r, &streamed, &err), RF_EFORMAT);
    assert_non_null(strstr(err.message, "after the end of the gzip data"));
    rf_reader_close(r);
    free(gz);
    free(a);
    free(junk);
    rf_buf_free(&whole);
    rf_buf_free(&streamed);
}

/* A pipe is read once: the copy the reader keeps of what it took reads again the same, with
 * the same sha256, through a reader over the open copy. */
static void test_base__reader_copy_reads_again(void **state)
{
    rf_buf first = {0}, again = {0};
    char sha_first[65], sha_again[65];
    FILE *copy = tmpfile();
    rf_reader *r;
    rf_error err;
    (void)state;

    assert_non_null(copy);
    assert_int_equal(rf_reader_open(&r, csl_path(), &err), RF_OK);
    read_hashed(r, copy, &first, sha_first);
    rewind(copy);
    assert_int_equal(rf_reader_open_stream(&r, copy, "copy", &err), RF_OK);
    read_hashed(r, NULL, &again, sha_again);
    assert_string_equal(sha_again, sha_first);
    assert_int_equal(again.len, first.len);
    assert_memory_equal(again.data, first.data, first.len);
    assert_int_equal(fgetc(copy), EOF); /* the caller's file, still open */
    /* Not asked, a reader does not hash (order files are streamed for speed). */
    rewind(copy);
    assert_int_equal(rf_reader_open_stream(&r, copy, "copy", &err), RF_OK);
    assert_int_equal(read_all(r, &again, &err), 0);
    rf_reader_sha256(r, sha_again);
    rf_reader_close(r);
    assert_string_equal(sha_again, "");
    fclose(copy);
    rf_buf_free(&first);
    rf_buf_free(&again);
}

/* ---- text ------------------------------------------------------------------------------ */

static void test_base__utf8_accepts_well_formed(void **state)
{
    static const char *good[] = {
        "ZTE Kangxun", "Müller GmbH",     /* 2 bytes */
        "华为技术有限公司",                /* 3 bytes */
        "\xF0\x9D\x84\x9E",               /* U+1D11E, 4 bytes */
        "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", /* U+FFFF, U+10FFFF */
        "\xED\x9F\xBF", "\xEE\x80\x80",   /* just below and above the surrogates */
    };
    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(rf_utf8_valid(good[i], strlen(good[i]), NULL), 1);
    assert_int_equal(rf_utf8_valid("a\0b", 3, NULL), 1); /* NUL is a character, len rules */
}

static void test_base__utf8_rejects_malformed_with_offset(void **state)
{
    static const struct {
        const char *s;
        size_t offset;
    } bad[] = {
        {"AB\xC0\xAF", 2},          /* overlong '/' */
        {"\xE0\x80\xAF", 0},        /* overlong, 3 bytes */
        {"x\xF0\x80\x80\xAF", 1},   /* overlong, 4 bytes */
        {"ab\xED\xA0\x80", 2},      /* surrogate U+D800 */
        {"\xED\xBF\xBF", 0},        /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 0},    /* above U+10FFFF */
        {"\xF5\x80\x80\x80", 0},    /* lead byte never valid */
        {"abc\x80", 3},             /* lone continuation */
        {"M\xFCller", 1},           /* Latin-1 passed off as UTF-8 */
        {"\xE2\x82", 0},            /* truncated at the end */
        {"\xE2\x82" "A", 0},        /* truncated before ASCII */
        {"\xFE", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t off = 999;
        assert_int_equal(rf_utf8_valid(bad[i].s, strlen(bad[i].s), &off), 0);
        assert_int_equal(off, bad[i].offset);
    }
}

static void test_base__latin1_transcodes(void **state)
{
    rf_buf out = {0};
    (void)state;
    /* As the EU file writes it in Latin-1: "Société Générale Müller ß" */
    assert_int_equal(rf_latin1_to_utf8(&out, "Soci\xE9t\xE9 G\xE9n\xE9rale M\xFCller \xDF", 25), RF_OK);
    assert_string_equal(out.data, "Société Générale Müller ß");
    assert_int_equal(rf_utf8_valid(out.data, out.len, NULL), 1);
    /* Every byte value maps to a valid code point. */
    {
        char all[256];
        for (int i = 0; i < 256; i++) all[i] = (char)i;
        assert_int_equal(rf_latin1_to_utf8(&out, all, 256), RF_OK);
        assert_int_equal(out.len, 128 + 2 * 128);
        assert_int_equal(rf_utf8_valid(out.data, out.len, NULL), 1);
    }
    rf_buf_free(&out);
}

static void test_base__trim(void **state)
{
    char s1[] = "  \tHUAWEI TECHNOLOGIES \r\n";
    char s2[] = " \t ";
    char s3[] = "\xC2\xA0x"; /* a no-break space is not ASCII white space: kept */
    (void)state;
    assert_int_equal(rf_trim(s1, strlen(s1)), 19);
    assert_string_equal(s1, "HUAWEI TECHNOLOGIES");
    assert_int_equal(rf_trim(s2, strlen(s2)), 0);
    assert_string_equal(s2, "");
    assert_int_equal(rf_trim(s3, strlen(s3)), 3);
}

/* ---- buffers and errors ---------------------------------------------------------------- */

static void test_base__buf_cap_and_printf(void **state)
{
    rf_buf b = {0};
    char *s;
    (void)state;

    b.max = 16;
    assert_int_equal(rf_buf_puts(&b, "0123456789"), RF_OK);
    assert_int_equal(rf_buf_printf(&b, "%s-%d", "ab", 42), RF_OK);
    assert_string_equal(b.data, "0123456789ab-42");
    assert_int_equal(rf_buf_putc(&b, 'x'), RF_OK); /* exactly 16 */
    assert_int_equal(rf_buf_putc(&b, 'y'), RF_ELIMIT);
    assert_int_equal(rf_buf_printf(&b, "%d", 7), RF_ELIMIT);
    assert_int_equal(b.len, 16); /* a failed append changes nothing */
    rf_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(rf_buf_puts(&b, "kept"), RF_OK);
    s = rf_buf_detach(&b);
    assert_string_equal(s, "kept");
    assert_null(b.data);
    assert_int_equal(b.max, 16);
    free(s);
    s = rf_buf_detach(&b); /* nothing added: still a valid empty string */
    assert_string_equal(s, "");
    free(s);
    rf_buf_free(&b);
    assert_null(rf_strdup(NULL));
    s = rf_strndup("Huawei Cloud", 6);
    assert_string_equal(s, "Huawei");
    free(s);
}

static void test_base__error_format(void **state)
{
    rf_error err;
    char text[2048];
    (void)state;

    assert_int_equal(rf_error_set(&err, RF_EFORMAT, "orders.csv", 17, "bad quote in %s", "name"),
                     RF_EFORMAT);
    assert_string_equal(rf_error_format(&err, text, sizeof text), "orders.csv:17: bad quote in name");
    rf_error_set(&err, RF_EIO, "orders.csv", 0, "cannot open");
    assert_string_equal(rf_error_format(&err, text, sizeof text), "orders.csv: cannot open");
    rf_error_set(&err, RF_EDB, NULL, 0, "locked");
    assert_string_equal(rf_error_format(&err, text, sizeof text), "locked");
    rf_error_clear(&err);
    assert_int_equal(err.code, RF_OK);
    assert_int_equal(rf_error_set(NULL, RF_ELIMIT, NULL, 0, "x"), RF_ELIMIT);
    assert_string_equal(rf_strerror(RF_ENOMEM), "out of memory");
    assert_string_equal(rf_strerror(12345), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base__sha256_vectors),
        cmocka_unit_test(test_base__file_read_real_gzip_csl),
        cmocka_unit_test(test_base__file_read_plain_matches_disk),
        cmocka_unit_test(test_base__file_read_missing_names_the_file),
        cmocka_unit_test(test_base__gzip_bomb_stops_at_the_cap),
        cmocka_unit_test(test_base__truncated_gzip_is_an_error),
        cmocka_unit_test(test_base__gunzip_concatenated_members_and_plain),
        cmocka_unit_test(test_base__reader_streams_same_bytes),
        cmocka_unit_test(test_base__reader_memory_and_sha256_of_the_stored_bytes),
        cmocka_unit_test(test_base__reader_copy_reads_again),
        cmocka_unit_test(test_base__utf8_accepts_well_formed),
        cmocka_unit_test(test_base__utf8_rejects_malformed_with_offset),
        cmocka_unit_test(test_base__latin1_transcodes),
        cmocka_unit_test(test_base__trim),
        cmocka_unit_test(test_base__buf_cap_and_printf),
        cmocka_unit_test(test_base__error_format),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
