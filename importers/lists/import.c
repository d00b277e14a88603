/* import.c: importing one list file as one list version. Reads the file (gzip transparent),
 * detects its format from the content, skips a file already imported (same feed, same
 * sha256), and runs the format's parser inside one store transaction: any error rolls the
 * whole file back, so the version in force stays the previous one. Also the small services
 * every format uses: warnings, errors with file and line, dates, the string pool. */
#include "list_import.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Every format, in the order detection tries them. */
static const rf_list_format_def *const formats[] = {
    &rf_list_csl_format,
    &rf_list_dpl_format,
};

#define N_FORMATS (sizeof formats / sizeof *formats)

static const rf_list_format_def *format_def(rf_list_format f)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (formats[i]->format == f) return formats[i];
    return NULL;
}

const char *rf_list_format_name(rf_list_format f)
{
    const rf_list_format_def *def = format_def(f);
    return def ? def->name : "unknown";
}

rf_list_format rf_list_format_detect(const char *data, size_t len)
{
    if (!data) return RF_LIST_UNKNOWN;
    for (size_t i = 0; i < N_FORMATS; i++)
        if (formats[i]->detect(data, len)) return formats[i]->format;
    return RF_LIST_UNKNOWN;
}

/* ---- the string pool -------------------------------------------------------------------- */

char *rf_strpool_add(rf_strpool *pool, const char *s, size_t len)
{
    char *copy;
    if (pool->count == pool->cap) {
        size_t cap = pool->cap ? pool->cap * 2 : 64;
        char **items = realloc(pool->items, cap * sizeof *items);
        if (!items) return NULL;
        pool->items = items;
        pool->cap = cap;
    }
    if (!(copy = rf_strndup(s, len))) return NULL;
    pool->items[pool->count++] = copy;
    return copy;
}

void rf_strpool_reset(rf_strpool *pool)
{
    for (size_t i = 0; i < pool->count; i++) free(pool->items[i]);
    pool->count = 0;
}

void rf_strpool_free(rf_strpool *pool)
{
    rf_strpool_reset(pool);
    free(pool->items);
    memset(pool, 0, sizeof *pool);
}

/* ---- context services ------------------------------------------------------------------- */

int rf_list_fail(rf_list_ctx *cx, int code, long line, const char *fmt, ...)
{
    char msg[sizeof cx->err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rf_error_set(cx->err, code, cx->name, line, "%s", msg);
}

int rf_list_warn(rf_list_ctx *cx, long line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    int rc;

    if (!cx->imp) return 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if ((rc = rf_import_warn(cx->imp, line, msg, cx->err)) != 0) return rc;
    cx->sum->warnings++;
    if (cx->opts && cx->opts->on_warning) cx->opts->on_warning(cx->name, line, msg, cx->opts->ctx);
    return 0;
}

int rf_list_emit(rf_list_ctx *cx, const rf_entity *e)
{
    int rc = rf_import_add(cx->imp, e, cx->err);
    if (rc) {
        /* The store does not know where the entity came from; the reader must. */
        if (cx->err && cx->err->line == 0) cx->err->line = e->source_line;
        if (cx->err && !cx->err->file[0])
            snprintf(cx->err->file, sizeof cx->err->file, "%s", cx->name);
        return rc;
    }
    cx->sum->entities++;
    cx->sum->names += (long)e->n_names;
    return 0;
}

/* ---- dates ------------------------------------------------------------------------------ */

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* Parses YYYY-MM-DD or M/D/YYYY into y, m, d; 1 on success (month and day in range). */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    size_t len = strlen(s);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (len == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4) && digits(s + 5, 2) &&
        digits(s + 8, 2)) {
        *y = atoi(s);
        *m = atoi(s + 5);
        *d = atoi(s + 8);
    } else {
        const char *p = s, *slash1 = strchr(s, '/'), *slash2;
        if (!slash1 || !(slash2 = strchr(slash1 + 1, '/'))) return 0;
        if (slash1 - p < 1 || slash1 - p > 2 || slash2 - slash1 < 2 || slash2 - slash1 > 3 ||
            strlen(slash2 + 1) != 4 || !digits(p, (size_t)(slash1 - p)) ||
            !digits(slash1 + 1, (size_t)(slash2 - slash1 - 1)) || !digits(slash2 + 1, 4))
            return 0;
        *m = atoi(p);
        *d = atoi(slash1 + 1);
        *y = atoi(slash2 + 1);
    }
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= mdays[*m - 1];
}

int rf_list_date_plausible(const char *s)
{
    int y, m, d;
    return s && strlen(s) == 10 && s[4] == '-' && parse_date(s, &y, &m, &d) && y >= 1900 &&
           y <= 2100;
}

const char *rf_list_date(rf_list_ctx *cx, long line, const char *column, const char *in,
                         const char *latest, char out[11], int *rc)
{
    int y, m, d;

    *rc = 0;
    if (!in || !*in) return NULL;
    if (!parse_date(in, &y, &m, &d) || y < 0 || y > 9999) {
        *rc = rf_list_warn(cx, line, "%s \"%s\" is not a date; left out", column, in);
        return NULL;
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    /* Real lists carry typos such as 3033-09-30: the row stays, the date is kept as the
     * list wrote it, and the reviewer is told. */
    if (y < 1900 || y > 2100 || (latest && strcmp(out, latest) > 0))
        *rc = rf_list_warn(cx, line, "%s %s is implausible (a typo in the list?); kept as written",
                           column, out);
    return *rc ? NULL : out;
}

/* ---- importing -------------------------------------------------------------------------- */

/* 1 when s is YYYY-MM-DD. */
static int is_iso_date(const char *s)
{
    int y, m, d;
    return strlen(s) == 10 && s[4] == '-' && parse_date(s, &y, &m, &d);
}

static int import_content(rf_import_summary *out, rf_store *st, const char *name,
                          const char *sha256, const char *data, size_t len,
                          const rf_import_options *opts, rf_error *err)
{
    rf_list_format f = rf_list_format_detect(data, len);
    const rf_list_format_def *def = format_def(f);
    rf_list_ctx cx;
    rf_version_info info;
    char published[11] = "";
    int rc;

    if (!def) {
        char first[81];
        size_t n = 0;
        while (n < len && n + 1 < sizeof first && data[n] != '\n' && data[n] != '\r') {
            unsigned char c = (unsigned char)data[n];
            first[n++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
        }
        first[n] = '\0';
        return rf_error_set(err, RF_EFORMAT, name, 0,
                            "not a list file redflag can read: expected the Consolidated "
                            "Screening List CSV (header \"_id,source,...\") or the Denied "
                            "Persons List tab-separated file (header \"Name, Street_Address, "
                            "...\"); the file starts with \"%s\"",
                            first);
    }
    out->format = f;
    if (rf_store_has_version(st, def->feed, sha256) == 1) {
        out->already_imported = 1;
        return 0;
    }

    memset(&cx, 0, sizeof cx);
    cx.name = name;
    cx.opts = opts;
    cx.sum = out;
    cx.err = err;
    if (opts && opts->effective) {
        if (!is_iso_date(opts->effective))
            return rf_error_set(err, RF_EUSAGE, name, 0,
                                "effective date \"%s\" is not YYYY-MM-DD", opts->effective);
        snprintf(published, sizeof published, "%s", opts->effective);
    } else if (def->published && (rc = def->published(published, data, len, &cx)) != 0) {
        goto cleanup;
    }

    info.feed = def->feed;
    info.format = def->name;
    info.source_file = name;
    info.sha256 = sha256;
    info.published = published[0] ? published : NULL;
    if ((rc = rf_import_begin(&cx.imp, st, &info, err)) != 0) goto cleanup;
    if ((rc = def->parse(&cx, data, len)) != 0) {
        rf_import_abort(cx.imp);
        out->entities = out->names = out->warnings = 0;
        goto cleanup;
    }
    rc = rf_import_commit(cx.imp, &out->version_id, err);
    if (rc == 0) snprintf(out->published, sizeof out->published, "%s", published);

cleanup:
    rf_strpool_free(&cx.pool);
    return rc;
}

int rf_import_list_data(rf_import_summary *out, rf_store *st, const char *name,
                        const void *data, size_t len, const rf_import_options *opts,
                        rf_error *err)
{
    rf_import_summary scratch;
    rf_buf plain = {0};
    char sha256[65];
    int rc;

    if (!out) out = &scratch;
    memset(out, 0, sizeof *out);
    if (!st || !name || (!data && len))
        return rf_error_set(err, RF_EUSAGE, name, 0, "no store, name or data to import");
    rf_sha256_hex(sha256, data, len);
    if ((rc = rf_gunzip(&plain, data, len, 0, name, err)) == 0)
        rc = import_content(out, st, name, sha256, plain.data ? plain.data : "", plain.len,
                            opts, err);
    rf_buf_free(&plain);
    return rc;
}

int rf_import_list_file(rf_import_summary *out, rf_store *st, const char *path,
                        const rf_import_options *opts, rf_error *err)
{
    rf_import_summary scratch;
    rf_buf plain = {0};
    char sha256[65];
    int rc;

    if (!out) out = &scratch;
    memset(out, 0, sizeof *out);
    if (!st || !path) return rf_error_set(err, RF_EUSAGE, path, 0, "no store or path");
    if ((rc = rf_file_read(&plain, sha256, path, 0, err)) == 0)
        rc = import_content(out, st, path, sha256, plain.data ? plain.data : "", plain.len, opts,
                            err);
    rf_buf_free(&plain);
    return rc;
}
