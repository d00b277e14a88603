/* input.c: a list file's content as a stream. A file is read more than once: a first pass (the
 * survey) takes its sha256, its first and last bytes for detection and whether it is UTF-8
 * throughout, without keeping it; then each format reads it again from the start as often as
 * it needs (a date scan, the rows, a second pass over XML), a chunk at a time, so memory does
 * not grow with the file. Every pass over a file on disk that reads to the end checks the
 * bytes against the survey's sha256, so a file changed during the import cannot be recorded
 * under the old one's digest. Files on disk and data in memory (the bundled list, a download)
 * take the same way, through rf_reader; gzip is decoded as it is read. A pipe, which can be
 * read only once, is copied as the survey reads it (compressed as it came) into a temporary
 * file read after. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK ((size_t)65536)

/* ---- the survey ------------------------------------------------------------------------- */

void rf_list__sample_free(rf_list_sample *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

static int open_reader(rf_reader **out, const rf_list_input *in, rf_error *err)
{
    /* A pipe is read once, by the survey; after it, its copy in the spool. */
    if (in->spool && in->sha256[0]) {
        if (fseek(in->spool, 0, SEEK_SET) != 0)
            return rf_error_set(err, RF_EIO, in->name, 0, "cannot read the temporary copy");
        return rf_reader_open_stream(out, in->spool, in->name, err);
    }
    if (in->path) return rf_reader_open(out, in->path, err);
    return rf_reader_open_memory(out, in->data, in->len, in->name, err);
}

/* Checks data[0..len) as the next part of a UTF-8 text, `carry` holding the bytes of a
 * character the previous part cut (*n_carry of them, at most 3). 0 once a bad byte is seen. */
static int utf8_part(char carry[4], size_t *n_carry, const char *data, size_t len)
{
    size_t start = 0, end = len, back;

    /* The character the previous part cut, completed from this one. */
    while (*n_carry && start < len) {
        unsigned char lead = (unsigned char)carry[0];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        while (*n_carry < need && start < len) carry[(*n_carry)++] = data[start++];
        if (*n_carry < need) return 1; /* still cut */
        if (!rf_utf8_valid(carry, need, NULL)) return 0;
        *n_carry = 0;
    }
    /* The last character may go on in the next part: kept back when its lead byte says so. */
    for (back = 1; back <= 3 && back <= end - start; back++) {
        unsigned char c = (unsigned char)data[end - back];
        if ((c & 0xC0) == 0x80) continue; /* a continuation byte: look further back */
        if (c >= 0xC0 && back < (c >= 0xF0 ? 4u : c >= 0xE0 ? 3u : 2u)) end -= back;
        break;
    }
    if (!rf_utf8_valid(data + start, end - start, NULL)) return 0;
    memcpy(carry, data + end, len - end);
    *n_carry = len - end;
    return 1;
}

static void reverse(char *s, size_t n)
{
    for (size_t i = 0; n && i < n - 1 - i; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

int rf_list__survey(rf_list_input *in, rf_list_sample *sample, rf_error *err)
{
    rf_reader *r = NULL;
    char *chunk = malloc(CHUNK), carry[4];
    size_t total = 0, n_carry = 0, ring = 0; /* ring: where the tail's next byte goes */
    int utf8 = 1, rc;
    long n;

    if (sample) {
        memset(sample, 0, sizeof *sample);
        sample->buf = malloc(2 * RF_LIST_SAMPLE + 2);
    }
    if (!chunk || (sample && !sample->buf)) {
        rc = rf_error_set(err, RF_ENOMEM, in->name, 0, "out of memory");
        goto cleanup;
    }
    if ((rc = open_reader(&r, in, err)) != 0) goto cleanup;
    rf_reader_hash(r);
    if (in->spool && !in->sha256[0]) rf_reader_copy_to(r, in->spool);
    while ((n = rf_reader_read(r, chunk, CHUNK, err)) > 0) {
        size_t len = (size_t)n;
        if (total + len > RF_FILE_MAX) {
            rc = rf_error_set(err, RF_ELIMIT, in->name, 0, "more than %zu bytes (once "
                              "decompressed): not a list file redflag reads", (size_t)RF_FILE_MAX);
            goto cleanup;
        }
        total += len;
        if (utf8) utf8 = utf8_part(carry, &n_carry, chunk, len);
        if (!sample) continue;
        if (sample->head_len < RF_LIST_SAMPLE) {
            size_t take = RF_LIST_SAMPLE - sample->head_len < len ? RF_LIST_SAMPLE - sample->head_len
                                                                    : len;
            memcpy(sample->buf + sample->head_len, chunk, take);
            sample->head_len += take;
        }
        /* The tail, a ring over the last RF_LIST_SAMPLE bytes, put in order at the end. */
        for (size_t pos = 0; pos < len;) {
            char *tail = sample->buf + RF_LIST_SAMPLE + 1;
            size_t take = RF_LIST_SAMPLE - ring < len - pos ? RF_LIST_SAMPLE - ring : len - pos;
            memcpy(tail + ring, chunk + pos, take);
            ring = (ring + take) % RF_LIST_SAMPLE;
            pos += take;
        }
    }
    if (n < 0) {
        rc = (int)n;
        goto cleanup;
    }
    if (in->spool && fflush(in->spool) != 0) {
        rc = rf_error_set(err, RF_EIO, in->name, 0, "cannot keep a temporary copy of the input");
        goto cleanup;
    }
    in->utf8 = utf8 && n_carry == 0;
    rf_reader_sha256(r, in->sha256);
    if (sample) {
        char *tail = sample->buf + RF_LIST_SAMPLE + 1;
        sample->head = sample->buf;
        sample->buf[sample->head_len] = '\0';
        sample->whole = total == sample->head_len;
        sample->tail_len = total < RF_LIST_SAMPLE ? total : RF_LIST_SAMPLE;
        if (total > RF_LIST_SAMPLE && ring) {
            /* The ring's oldest byte is at `ring`: rotated to the front by three reversals. */
            reverse(tail, ring);
            reverse(tail + ring, RF_LIST_SAMPLE - ring);
            reverse(tail, RF_LIST_SAMPLE);
        }
        sample->tail = tail;
        tail[sample->tail_len] = '\0';
    }

cleanup:
    rf_reader_close(r);
    free(chunk);
    if (rc && sample) rf_list__sample_free(sample);
    return rc;
}

/* ---- streams ---------------------------------------------------------------------------- */

struct rf_list_stream {
    rf_reader *r;
    const rf_list_input *in;
    rf_error *err;
    rf_list_text text; /* how the bytes are handed out: transcoded or as they are */
    char *raw;         /* a chunk read, for transcoding */
    rf_buf out;        /* transcoded bytes, handed out from out_pos */
    size_t out_pos;
    int done;
};

int rf_list__stream_open(rf_list_stream **out, rf_list_ctx *cx, const rf_list_input *in,
                        rf_list_text text)
{
    rf_list_stream *s = calloc(1, sizeof *s);
    int rc;

    *out = NULL;
    if (!s) return rf_error_set(cx->err, RF_ENOMEM, in->name, 0, "out of memory");
    s->in = in;
    s->err = cx->err;
    /* The choice is made on the whole file by the survey: a file that is UTF-8 throughout is
     * taken as it is, whatever its format's legacy encoding. */
    s->text = in->utf8 ? RF_TEXT_AS_IS : text;
    if (s->text != RF_TEXT_AS_IS && !(s->raw = malloc(CHUNK))) {
        free(s);
        return rf_error_set(cx->err, RF_ENOMEM, in->name, 0, "out of memory");
    }
    if ((rc = open_reader(&s->r, in, cx->err)) != 0) {
        free(s->raw);
        free(s);
        return rc;
    }
    /* A file on disk may change between readings; memory and our own copy of a pipe do not,
     * and need not be hashed again. */
    if (in->path && !in->spool && in->sha256[0]) rf_reader_hash(s->r);
    *out = s;
    return 0;
}

/* At the end of the content: is it the file the survey hashed? */
static int check_end(rf_list_stream *s)
{
    char hex[65];

    s->done = 1;
    rf_reader_sha256(s->r, hex);
    if (!hex[0]) return 0; /* not to be checked */
    if (strcmp(hex, s->in->sha256) != 0)
        return rf_error_set(s->err, RF_EIO, s->in->name, 0, "the file changed while it was being "
                            "imported (its sha256 is no longer the one first read); import it "
                            "again");
    return 0;
}

long rf_list__stream_read(rf_list_stream *s, char *buf, size_t size)
{
    long n;
    int rc;

    if (s->done) return 0;
    if (s->text == RF_TEXT_AS_IS) {
        if ((n = rf_reader_read(s->r, buf, size, s->err)) == 0 && (rc = check_end(s)) != 0)
            return rc;
        return n;
    }
    while (s->out_pos == s->out.len) {
        if ((n = rf_reader_read(s->r, s->raw, CHUNK, s->err)) <= 0)
            return n < 0 ? n : (rc = check_end(s)) != 0 ? rc : 0;
        s->out_pos = 0;
        rc = s->text == RF_TEXT_CP1252 ? rf_list__cp1252_to_utf8(&s->out, s->raw, (size_t)n)
                                       : rf_latin1_to_utf8(&s->out, s->raw, (size_t)n);
        if (rc)
            return rf_error_set(s->err, rc, s->in->name, 0, "cannot transcode the file from %s",
                                s->text == RF_TEXT_CP1252 ? "Windows-1252" : "Latin-1");
    }
    n = (long)(s->out.len - s->out_pos < size ? s->out.len - s->out_pos : size);
    memcpy(buf, s->out.data + s->out_pos, (size_t)n);
    s->out_pos += (size_t)n;
    return n;
}

void rf_list__stream_close(rf_list_stream *s)
{
    if (!s) return;
    rf_reader_close(s->r);
    free(s->raw);
    rf_buf_free(&s->out);
    free(s);
}

int rf_list__stream_lines(rf_list_stream *s, size_t max, rf_line_fn fn, void *ctx)
{
    char *chunk = malloc(CHUNK);
    rf_buf carry = {0}; /* a line the chunk's end cut */
    long n, line = 0;
    int rc = 0;

    if (!chunk) return rf_error_set(s->err, RF_ENOMEM, s->in->name, 0, "out of memory");
    carry.max = max;
    while (rc == 0 && (n = rf_list__stream_read(s, chunk, CHUNK)) > 0) {
        const char *p = chunk, *end = chunk + n;
        while (rc == 0 && p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            if (!nl || carry.len) {
                /* Whole lines are handed out from the chunk; only a cut one is copied. */
                if (rf_buf_append(&carry, p, len))
                    rc = rf_error_set(s->err, RF_ELIMIT, s->in->name, line + 1,
                                      "a line longer than %zu bytes: not a list file", max);
                else if (nl && (rc = fn(carry.data, carry.len, ++line, ctx)) == 0)
                    rf_buf_reset(&carry);
            } else if (len > max) {
                rc = rf_error_set(s->err, RF_ELIMIT, s->in->name, line + 1,
                                  "a line longer than %zu bytes: not a list file", max);
            } else {
                rc = fn(p, len, ++line, ctx);
            }
            p += len;
        }
    }
    if (rc == 0 && n < 0) rc = (int)n;
    if (rc == 0 && carry.len) rc = fn(carry.data, carry.len, ++line, ctx); /* no final newline */
    rf_buf_free(&carry);
    free(chunk);
    return rc;
}
