/* base.c: the shared vocabulary of rf_base.h: error records, capped byte buffers, whole-file
 * and streaming input with transparent gzip, and the UTF-8 / Latin-1 text helpers.
 * sha256 lives in sha256.c. */
#include "rf_base.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* ---- errors --------------------------------------------------------------------------- */

int rf_error_set(rf_error *err, int code, const char *file, long line, const char *fmt, ...)
{
    va_list ap;
    if (!err) return code;
    err->code = code;
    err->line = line;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void rf_error_clear(rf_error *err)
{
    if (err) memset(err, 0, sizeof *err);
}

const char *rf_error_format(const rf_error *err, char *out, size_t out_size)
{
    if (!out || out_size == 0) return out;
    if (!err) {
        out[0] = '\0';
    } else if (err->file[0] && err->line > 0) {
        snprintf(out, out_size, "%s:%ld: %s", err->file, err->line, err->message);
    } else if (err->file[0]) {
        snprintf(out, out_size, "%s: %s", err->file, err->message);
    } else if (err->message[0]) {
        snprintf(out, out_size, "%s", err->message);
    } else {
        snprintf(out, out_size, "%s", rf_strerror(err->code));
    }
    return out;
}

const char *rf_strerror(int code)
{
    switch (code) {
    case RF_OK: return "success";
    case RF_ENOMEM: return "out of memory";
    case RF_EIO: return "input/output error";
    case RF_EFORMAT: return "bad input format";
    case RF_ELIMIT: return "size limit exceeded";
    case RF_EDB: return "list database error";
    case RF_EUSAGE: return "invalid usage";
    case RF_ENOTFOUND: return "not found";
    case RF_ECANCEL: return "cancelled";
    default: return "unknown error";
    }
}

/* ---- byte buffers --------------------------------------------------------------------- */

static size_t buf_max(const rf_buf *b)
{
    return b->max ? b->max : RF_BUF_DEFAULT_MAX;
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int buf_reserve(rf_buf *b, size_t extra)
{
    size_t need, cap;
    char *grown;

    if (extra > buf_max(b) || b->len > buf_max(b) - extra) return RF_ELIMIT;
    need = b->len + extra + 1;
    if (need <= b->cap) return RF_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    grown = realloc(b->data, cap);
    if (!grown) return RF_ENOMEM;
    b->data = grown;
    b->cap = cap;
    return RF_OK;
}

int rf_buf_append(rf_buf *b, const void *data, size_t len)
{
    int rc = buf_reserve(b, len);
    if (rc) return rc;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return RF_OK;
}

int rf_buf_puts(rf_buf *b, const char *s)
{
    return rf_buf_append(b, s, strlen(s));
}

int rf_buf_putc(rf_buf *b, char c)
{
    return rf_buf_append(b, &c, 1);
}

int rf_buf_printf(rf_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return RF_EUSAGE;
    if ((rc = buf_reserve(b, (size_t)n)) != 0) return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RF_OK;
}

void rf_buf_reset(rf_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void rf_buf_free(rf_buf *b)
{
    size_t max = b->max;
    free(b->data);
    memset(b, 0, sizeof *b);
    b->max = max;
}

char *rf_buf_detach(rf_buf *b)
{
    char *data = b->data;
    size_t max = b->max;
    if (!data) data = calloc(1, 1);
    memset(b, 0, sizeof *b);
    b->max = max;
    return data;
}

char *rf_strndup(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *rf_strdup(const char *s)
{
    return s ? rf_strndup(s, strlen(s)) : NULL;
}

/* ---- gzip ----------------------------------------------------------------------------- */

/* An inflater fed in chunks: decides from the first bytes whether the data is gzip, appends
 * what it decodes to `out`, and stops with RF_ELIMIT the moment `out` would pass `max`, so a
 * small bomb never gets to allocate its payload. Concatenated gzip members are accepted, as
 * gzip(1) does. rf_file_read and rf_gunzip share it. */
typedef struct inflater {
    z_stream zs;
    int decided;  /* first bytes seen */
    int gzip;     /* the data is gzip */
    int open;     /* inflateInit2 done */
    int ended;    /* the current member is complete */
    size_t max;
    const char *name;
} inflater;

static void inflater_init(inflater *in, size_t max, const char *name)
{
    memset(in, 0, sizeof *in);
    in->max = max ? max : RF_FILE_MAX;
    in->name = name ? name : "";
}

static void inflater_end(inflater *in)
{
    if (in->open) inflateEnd(&in->zs);
    in->open = 0;
}

static int too_big(const inflater *in, rf_error *err)
{
    return rf_error_set(err, RF_ELIMIT, in->name, 0, "more than %zu bytes%s", in->max,
                        in->gzip ? " once decompressed" : "");
}

/* Decides from the first bytes (len >= 2, or all there is) whether the data is gzip. */
static int inflater_decide(inflater *in, const unsigned char *data, size_t len, rf_error *err)
{
    in->decided = 1;
    in->gzip = len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (in->gzip) {
        if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK)
            return rf_error_set(err, RF_ENOMEM, in->name, 0, "cannot start gzip decoder");
        in->open = 1;
    }
    return RF_OK;
}

/* One inflate() from zs.next_in into out[0..size), starting the next member first when one
 * ended: the bytes made (0 when it needs more input, or when the data is complete: `ended`
 * with no input left), or a negative code. */
static long inflater_step(inflater *in, unsigned char *out, size_t size, rf_error *err)
{
    uInt avail = size > UINT_MAX ? UINT_MAX : (uInt)size;
    int zrc;

    if (in->ended) {
        if (in->zs.avail_in == 0) return 0;
        /* Another member follows; anything else after a complete stream is junk. */
        if (in->zs.next_in[0] != 0x1f)
            return rf_error_set(err, RF_EFORMAT, in->name, 0,
                                "unexpected bytes after the end of the gzip data");
        inflateReset(&in->zs);
        in->ended = 0;
    }
    in->zs.next_out = out;
    in->zs.avail_out = avail;
    zrc = inflate(&in->zs, Z_NO_FLUSH);
    if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
        return rf_error_set(err, zrc == Z_MEM_ERROR ? RF_ENOMEM : RF_EFORMAT, in->name, 0,
                            "corrupt gzip data: %s", in->zs.msg ? in->zs.msg : "inflate failed");
    if (zrc == Z_STREAM_END) in->ended = 1;
    return (long)(avail - in->zs.avail_out);
}

static int inflater_feed(inflater *in, rf_buf *out, const unsigned char *data, size_t len,
                         rf_error *err)
{
    unsigned char chunk[65536];
    int rc;

    if (!in->decided && len > 0 && (rc = inflater_decide(in, data, len, err)) != 0) return rc;
    if (!in->gzip) {
        if (len > in->max || out->len > in->max - len) return too_big(in, err);
        if (rf_buf_append(out, data, len))
            return rf_error_set(err, RF_ENOMEM, in->name, 0, "out of memory reading file");
        return RF_OK;
    }
    while (len > 0) {
        uInt step = len > UINT_MAX ? UINT_MAX : (uInt)len;
        long got;
        in->zs.next_in = (unsigned char *)(uintptr_t)data; /* zlib's API is not const */
        in->zs.avail_in = step;
        do {
            uInt before = in->zs.avail_in;
            if ((got = inflater_step(in, chunk, sizeof chunk, err)) < 0) return (int)got;
            if ((size_t)got > in->max || out->len > in->max - (size_t)got) return too_big(in, err);
            if (rf_buf_append(out, chunk, (size_t)got))
                return rf_error_set(err, RF_ENOMEM, in->name, 0, "out of memory reading file");
            /* Output that exactly filled `chunk` at the end of a member comes back here with
             * nothing left to read: the data is complete, not truncated. */
            if (got == 0 && in->zs.avail_in == before) break;
        } while (in->zs.avail_in > 0 || (size_t)got == sizeof chunk);
        data += step;
        len -= step;
    }
    return RF_OK;
}

/* Called after the last chunk: a gzip stream cut short is an error, not a short file. */
static int inflater_finish(inflater *in, rf_buf *out, rf_error *err)
{
    if (in->gzip && !in->ended)
        return rf_error_set(err, RF_EFORMAT, in->name, 0, "truncated gzip data");
    /* An empty input still leaves `out` a valid empty string. */
    if (rf_buf_append(out, "", 0))
        return rf_error_set(err, RF_ENOMEM, in->name, 0, "out of memory reading file");
    return RF_OK;
}

int rf_gunzip(rf_buf *out, const void *data, size_t len, size_t max, const char *name,
              rf_error *err)
{
    inflater in;
    int rc;

    rf_buf_reset(out);
    inflater_init(&in, max, name);
    rc = inflater_feed(&in, out, data, len, err);
    if (rc == RF_OK) rc = inflater_finish(&in, out, err);
    inflater_end(&in);
    return rc;
}

/* ---- files ---------------------------------------------------------------------------- */

int rf_file_read(rf_buf *out, char sha256_hex[65], const char *path, size_t max, rf_error *err)
{
    unsigned char chunk[65536];
    rf_sha256 hash;
    inflater in;
    FILE *f;
    size_t n;
    int rc = RF_OK;

    rf_buf_reset(out);
    f = fopen(path, "rb");
    if (!f) return rf_error_set(err, RF_EIO, path, 0, "cannot open: %s", strerror(errno));
    if (rf_sha256_init(&hash) != RF_OK) {
        fclose(f);
        return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    }
    inflater_init(&in, max, path);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rf_sha256_update(&hash, chunk, n);
        if ((rc = inflater_feed(&in, out, chunk, n, err)) != 0) goto cleanup;
    }
    if (ferror(f)) {
        rc = rf_error_set(err, RF_EIO, path, 0, "read error: %s", strerror(errno));
        goto cleanup;
    }
    if ((rc = inflater_finish(&in, out, err)) != 0) goto cleanup;
    if (sha256_hex) rf_sha256_final_hex(&hash, sha256_hex);

cleanup:
    rf_sha256_free(&hash); /* unfinished when something failed, or its digest not wanted */
    inflater_end(&in);
    fclose(f);
    if (rc) rf_buf_reset(out);
    return rc;
}

/* The streaming reader takes its input (a file, or memory) in chunks, hashes them as they come
 * when asked to, and decodes them with the same inflater as rf_file_read, so that the two
 * agree on what is truncated, concatenated or junk. */
struct rf_reader {
    FILE *file;                /* NULL when reading memory */
    int borrowed;              /* `file` is the caller's: not closed */
    FILE *copy;                /* where the input taken is copied, or NULL */
    const unsigned char *mem;  /* memory not yet taken */
    size_t mem_len;
    const unsigned char *in;   /* input taken but not yet decoded */
    size_t in_len;
    int eof;                   /* nothing more to take */
    inflater inf;
    int hashing;               /* rf_reader_hash was called */
    rf_sha256 hash;
    unsigned char raw[65536];
    char name[512];
};

/* A reader with nothing to read yet; NULL when out of memory. */
static rf_reader *reader_new(const char *name)
{
    rf_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    snprintf(r->name, sizeof r->name, "%s", name);
    /* No cap: a stream is read as it goes, memory does not grow with it. */
    inflater_init(&r->inf, SIZE_MAX, r->name);
    return r;
}

int rf_reader_open(rf_reader **out, const char *path, rf_error *err)
{
    rf_reader *r;
    int stdin_ = path && strcmp(path, "-") == 0;

    *out = NULL;
    if (!path) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no input path");
    if (!(r = reader_new(stdin_ ? "<stdin>" : path)))
        return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    if (stdin_) {
        /* A duplicate, so that closing the reader leaves the process's stdin open. */
        int fd = dup(STDIN_FILENO);
        if (fd < 0 || !(r->file = fdopen(fd, "rb"))) {
            if (fd >= 0) close(fd);
            free(r);
            return rf_error_set(err, RF_EIO, "<stdin>", 0, "cannot read standard input");
        }
    } else if (!(r->file = fopen(path, "rb"))) {
        int saved = errno;
        free(r);
        return rf_error_set(err, RF_EIO, path, 0, "cannot open: %s", strerror(saved));
    }
    *out = r;
    return RF_OK;
}

int rf_reader_open_stream(rf_reader **out, FILE *f, const char *name, rf_error *err)
{
    rf_reader *r;

    *out = NULL;
    if (!f) return rf_error_set(err, RF_EUSAGE, name, 0, "no input file");
    if (!(r = reader_new(name ? name : ""))) return rf_error_set(err, RF_ENOMEM, name, 0, "out of memory");
    r->file = f;
    r->borrowed = 1;
    *out = r;
    return RF_OK;
}

int rf_reader_open_memory(rf_reader **out, const void *data, size_t len, const char *name,
                          rf_error *err)
{
    rf_reader *r;

    *out = NULL;
    if (!data && len) return rf_error_set(err, RF_EUSAGE, name, 0, "no input data");
    if (!(r = reader_new(name ? name : ""))) return rf_error_set(err, RF_ENOMEM, name, 0, "out of memory");
    r->mem = data;
    r->mem_len = len;
    *out = r;
    return RF_OK;
}

/* Takes the next chunk of input into r->in (hashed, copied); sets r->eof at the end. */
static int reader_take(rf_reader *r, rf_error *err)
{
    size_t n;

    if (r->file) {
        /* fread fills the chunk unless the input ends: the first one decides gzip. */
        n = fread(r->raw, 1, sizeof r->raw, r->file);
        if (n == 0 && ferror(r->file))
            return rf_error_set(err, RF_EIO, r->name, 0, "read failed: %s", strerror(errno));
        r->in = r->raw;
    } else {
        n = r->mem_len < sizeof r->raw ? r->mem_len : sizeof r->raw;
        r->in = r->mem;
        r->mem += n;
        r->mem_len -= n;
    }
    r->in_len = n;
    if (n == 0) {
        r->eof = 1;
    } else {
        if (r->hashing) rf_sha256_update(&r->hash, r->in, n);
        if (r->copy && fwrite(r->in, 1, n, r->copy) != n)
            return rf_error_set(err, RF_EIO, r->name, 0, "cannot keep a copy of the input: %s",
                                strerror(errno));
    }
    return RF_OK;
}

long rf_reader_read(rf_reader *r, void *buf, size_t size, rf_error *err)
{
    size_t want = size > INT_MAX ? INT_MAX : size;
    int rc;

    if (!r) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no reader");
    for (;;) {
        size_t before;
        long got;

        if (r->in_len == 0 && !r->eof && (rc = reader_take(r, err)) != 0) return rc;
        if (!r->inf.decided && (rc = inflater_decide(&r->inf, r->in, r->in_len, err)) != 0)
            return rc;
        if (!r->inf.gzip) {
            size_t n = r->in_len < want ? r->in_len : want;
            memcpy(buf, r->in, n);
            r->in += n;
            r->in_len -= n;
            return (long)n; /* 0 only at the end */
        }
        before = r->in_len;
        r->inf.zs.next_in = (unsigned char *)(uintptr_t)r->in; /* zlib's API is not const */
        r->inf.zs.avail_in = (uInt)r->in_len;
        got = inflater_step(&r->inf, buf, want, err);
        r->in = r->inf.zs.next_in;
        r->in_len = r->inf.zs.avail_in;
        if (got != 0) return got;
        if (r->in_len == before) {
            /* No progress: inflate wants input there is no more of, or the data is over. */
            if (r->in_len > 0)
                return rf_error_set(err, RF_EFORMAT, r->name, 0, "corrupt gzip data");
            if (r->eof)
                return r->inf.ended ? 0
                                    : rf_error_set(err, RF_EFORMAT, r->name, 0, "truncated gzip data");
        }
    }
}

void rf_reader_copy_to(rf_reader *r, FILE *copy)
{
    r->copy = copy;
}

void rf_reader_hash(rf_reader *r)
{
    /* Opt-in: order files are streamed for speed and need no digest. */
    if (!r->hashing) r->hashing = rf_sha256_init(&r->hash) == RF_OK;
}

void rf_reader_sha256(const rf_reader *r, char out[65])
{
    rf_sha256 h; /* a copy: the reader may go on */
    if (!r->hashing || rf_sha256_copy(&h, &r->hash) != RF_OK) {
        out[0] = '\0';
        return;
    }
    rf_sha256_final_hex(&h, out);
}

void rf_reader_close(rf_reader *r)
{
    if (!r) return;
    rf_sha256_free(&r->hash);
    inflater_end(&r->inf);
    if (r->file && !r->borrowed) fclose(r->file);
    free(r);
}

/* ---- text ----------------------------------------------------------------------------- */

int rf_char_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
           cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

uint32_t rf_utf8_decode(const char *s, size_t len, size_t *n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t need = u[0] < 0x80 ? 1 : u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
    uint32_t cp;
    size_t ok;
    *n = 1;
    if (need == 1) return u[0];
    if (need > len || !rf_utf8_valid(s, need, &ok)) return 0xFFFD;
    cp = need == 2 ? u[0] & 0x1Fu : need == 3 ? u[0] & 0x0Fu : u[0] & 0x07u;
    for (size_t i = 1; i < need; i++) cp = cp << 6 | (u[i] & 0x3Fu);
    *n = need;
    return cp;
}

int rf_utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        unsigned c = p[i];
        size_t need;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte (RFC 3629) */

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) lo = 0xA0; /* overlong */
            if (c == 0xED) hi = 0x9F; /* surrogates U+D800..U+DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) lo = 0x90; /* overlong */
            if (c == 0xF4) hi = 0x8F; /* past U+10FFFF */
        } else {
            goto bad; /* continuation byte, C0/C1 overlong lead, or F5..FF */
        }
        if (len - i <= need) goto bad;
        if (p[i + 1] < lo || p[i + 1] > hi) goto bad;
        for (size_t k = 2; k <= need; k++)
            if ((p[i + k] & 0xC0) != 0x80) goto bad;
        i += need + 1;
    }
    return 1;
bad:
    if (bad_offset) *bad_offset = i;
    return 0;
}

int rf_latin1_to_utf8(rf_buf *out, const char *s, size_t len)
{
    rf_buf_reset(out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char two[2];
        int rc;
        if (c < 0x80) {
            rc = rf_buf_putc(out, (char)c);
        } else {
            two[0] = (char)(0xC0 | (c >> 6));
            two[1] = (char)(0x80 | (c & 0x3F));
            rc = rf_buf_append(out, two, 2);
        }
        if (rc) return rc;
    }
    return rf_buf_append(out, "", 0);
}

/* ASCII white space only: the locale must not decide what a list field looks like. */
static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

size_t rf_trim(char *s, size_t len)
{
    size_t start = 0, end = len;
    while (start < end && is_ascii_space(s[start])) start++;
    while (end > start && is_ascii_space(s[end - 1])) end--;
    if (start > 0) memmove(s, s + start, end - start);
    if (end - start < len) s[end - start] = '\0';
    return end - start;
}

/* ---- dates ---------------------------------------------------------------------------- */

int rf_date_valid(const char *s)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month, day;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    if (s[10] != '\0') return 0;
    month = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1];
}

void rf_time_utc(char out[32])
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    time_t now = time(NULL);
    struct tm tm;
    if (epoch && *epoch) {
        char *end;
        long long v = strtoll(epoch, &end, 10);
        if (!*end && v >= 0) now = (time_t)v;
    }
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
