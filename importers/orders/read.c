/* read.c: rf_orders_read (and rf_orders_read_memory), which names an order document's format
 * from its first bytes (never from its file name), hands it to that format's reader, and
 * refuses a document that yields no party; and the listing of a directory's documents for
 * screening them all. */
#define _DEFAULT_SOURCE /* realpath */
#include "importers/orders/orders.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define HEAD_SIZE 65536  /* bytes read before the format is decided */
#define DIR_MAX_DEPTH 16 /* nested directories followed */

const char *rf_order_format_name(rf_order_format f)
{
    switch (f) {
    case RF_ORDER_CSV: return "csv";
    case RF_ORDER_XML: return "xml";
    case RF_ORDER_X12: return "x12";
    case RF_ORDER_EDIFACT: return "edifact";
    case RF_ORDER_XLSX: return "xlsx";
    case RF_ORDER_UNKNOWN: break;
    }
    return "unknown";
}

static int alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

rf_order_format rf_order_format_detect(const char *data, size_t len)
{
    size_t i = 0;
    if (!data || len == 0) return RF_ORDER_UNKNOWN;
    /* a zip archive: an .xlsx workbook is one (told from other archives when read) */
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) return RF_ORDER_XLSX;
    /* XML in UTF-16, byte order mark first */
    if (len >= 4 && ((memcmp(data, "\xFF\xFE<\0", 4) == 0) || memcmp(data, "\xFE\xFF\0<", 4) == 0))
        return RF_ORDER_XML;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && data[i] == '<') return RF_ORDER_XML;
    /* An X12 interchange opens with ISA and its element separator; EDIFACT with UNA (the
     * service string advice), UNB (the interchange header) or a bare UNH. */
    if (len - i >= 4 && memcmp(data + i, "ISA", 3) == 0 && !alnum(data[i + 3]) &&
        data[i + 3] != ',' && data[i + 3] != ';' && data[i + 3] != '\t' && data[i + 3] != ' ')
        return RF_ORDER_X12;
    if (len - i >= 4 && (memcmp(data + i, "UNA", 3) == 0 || memcmp(data + i, "UNB", 3) == 0 ||
                         memcmp(data + i, "UNH", 3) == 0) &&
        !alnum(data[i + 3]) && data[i + 3] != ',' && data[i + 3] != ';')
        return RF_ORDER_EDIFACT;
    return RF_ORDER_CSV;
}

/* Files plainly not orders, by their first bytes, and what to do instead. `in_dir`: one met
 * in a directory of orders is skipped with a warning (a scan or a picture beside the
 * exports); the others may well be orders, in a form to convert first, and fail. */
static const struct {
    const char *magic;
    size_t len;
    int in_dir;
    const char *what;
} not_orders[] = {
    {"%PDF-", 5, 1, "a PDF is not read; export the order as CSV, XML or Excel"},
    {"\x89PNG\r\n\x1a\n", 8, 1, "an image (PNG) is not read; export the order as CSV, XML or Excel"},
    {"\xFF\xD8\xFF", 3, 1, "an image (JPEG) is not read; export the order as CSV, XML or Excel"},
    {"GIF8", 4, 1, "an image (GIF) is not read; export the order as CSV, XML or Excel"},
    {"II*\0", 4, 1, "an image (TIFF) is not read; export the order as CSV, XML or Excel"},
    {"MM\0*", 4, 1, "an image (TIFF) is not read; export the order as CSV, XML or Excel"},
    {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, 0,
     "an Excel 97-2003 workbook (.xls) or other legacy Office file is not read; save it as "
     ".xlsx or CSV UTF-8"},
    {"{\\rtf", 5, 0, "an RTF document is not read; export the order as CSV, XML or Excel"},
};

/* What a file plainly not an order is, by its first bytes, and what to do instead; NULL
 * when it may be one. Checked before the CSV reader, whose advice on bytes that are not
 * UTF-8 (convert with iconv) would send the user the wrong way. `in_dir`: only the kinds a
 * directory skips. */
static const char *not_an_order(const char *data, size_t len, int in_dir)
{
    for (size_t i = 0; i < sizeof not_orders / sizeof not_orders[0]; i++)
        if ((!in_dir || not_orders[i].in_dir) && len >= not_orders[i].len &&
            memcmp(data, not_orders[i].magic, not_orders[i].len) == 0)
            return not_orders[i].what;
    return NULL;
}

const char *rf_orders_skip_reason(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    char head[16];
    size_t n = 0;
    FILE *f;

    base = base ? base + 1 : path;
    if (!base) return NULL;
    /* Word and Excel keep "~$name" beside a document while it is open */
    if (strncmp(base, "~$", 2) == 0) return "an Office lock file (~$...), not an order";
    if (strncasecmp(base, "readme", 6) == 0 &&
        (!base[6] || base[6] == '.' || base[6] == '_' || base[6] == '-'))
        return "a README, not an order";
    if ((f = fopen(path, "rb"))) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    return not_an_order(head, n, 1);
}

/* Counts the parties on their way to the caller's callback. */
typedef struct counting {
    rf_party_fn fn;
    void *ctx;
    long parties;
} counting;

static int count_party(const rf_party *party, void *vc)
{
    counting *c = vc;
    c->parties++;
    return c->fn(party, c->ctx);
}

static int read_format(rf_reader *r, const char *path, const rf_order_options *opts,
                       rf_party_fn fn, void *ctx, rf_error *err);

/* Reads the document `r` is open on (named `path` in messages) and refuses one without a
 * party; closes `r`. */
static int read_document(rf_reader *r, const char *path, const rf_order_options *opts,
                         rf_party_fn fn, void *ctx, rf_error *err)
{
    counting c = {fn, ctx, 0};
    int rc = read_format(r, path, opts, count_party, &c, err);

    rf_reader_close(r);
    /* A header and nothing under it is what a truncated ERP export looks like: not clear. */
    if (rc == RF_OK && c.parties == 0 && !(opts && opts->allow_empty))
        rc = rf_error_set(err, RF_EFORMAT, path, 0,
                          "no party in the document (a header or envelope and no party under "
                          "it: a truncated export?); nothing was screened. --allow-empty "
                          "accepts a document that is empty on purpose");
    return rc;
}

int rf_orders_read(const char *path, const rf_order_options *opts, rf_party_fn fn, void *ctx,
                   rf_error *err)
{
    rf_reader *r = NULL;
    int rc;

    if (!path || !fn) return rf_error_set(err, RF_EUSAGE, path, 0, "no path or no callback");
    if ((rc = rf_reader_open(&r, path, err))) return rc;
    return read_document(r, path, opts, fn, ctx, err);
}

int rf_orders_read_memory(const char *name, const void *data, size_t len,
                          const rf_order_options *opts, rf_party_fn fn, void *ctx, rf_error *err)
{
    rf_reader *r = NULL;
    int rc;

    if (!name || !fn || (!data && len))
        return rf_error_set(err, RF_EUSAGE, name, 0, "no name, data or callback");
    if ((rc = rf_reader_open_memory(&r, data ? data : "", len, name, err))) return rc;
    return read_document(r, name, opts, fn, ctx, err);
}

static int read_format(rf_reader *r, const char *path, const rf_order_options *opts,
                       rf_party_fn fn, void *ctx, rf_error *err)
{
    rf_buf doc = {0};
    char *head = NULL;
    const char *refusal;
    size_t head_len = 0;
    rf_order_format format;
    long n = 1;
    int rc;

    if (opts && opts->n_maps && !opts->maps)
        return rf_error_set(err, RF_EUSAGE, path, 0, "n_maps set without maps");
    if (!(head = malloc(HEAD_SIZE))) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    /* gzip hands out what it has: read on until the head is full or the file ends */
    while (head_len < HEAD_SIZE &&
           (n = rf_reader_read(r, head + head_len, HEAD_SIZE - head_len, err)) > 0)
        head_len += (size_t)n;
    if (n < 0) {
        rc = (int)n;
        goto cleanup;
    }
    if ((refusal = not_an_order(head, head_len, 0))) {
        rc = rf_error_set(err, RF_EFORMAT, path, 0, "%s", refusal);
        goto cleanup;
    }
    format = rf_order_format_detect(head, head_len);
    if (format == RF_ORDER_CSV || format == RF_ORDER_UNKNOWN) {
        rc = rf_orders__csv_read(path, r, head, head_len, opts, fn, ctx, err);
        goto cleanup;
    }
    /* the structured formats and workbooks are read whole (see orders.h) */
    doc.max = ORD_DOC_MAX;
    if (rf_buf_append(&doc, head, head_len)) {
        rc = rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
        goto cleanup;
    }
    while (n > 0 && (n = rf_reader_read(r, head, HEAD_SIZE, err)) > 0)
        if ((rc = rf_buf_append(&doc, head, (size_t)n))) {
            rc = rf_error_set(err, rc, path, 0,
                              rc == RF_ELIMIT ? "%s document larger than %zu MiB"
                                              : "out of memory reading a %s document",
                              rf_order_format_name(format), ORD_DOC_MAX >> 20);
            goto cleanup;
        }
    if (n < 0) {
        rc = (int)n;
        goto cleanup;
    }
    switch (format) {
    case RF_ORDER_XML: rc = rf_orders__xml_read(path, doc.data, doc.len, fn, ctx, err); break;
    case RF_ORDER_X12: rc = rf_orders__x12_read(path, doc.data, doc.len, fn, ctx, err); break;
    case RF_ORDER_XLSX:
        rc = rf_orders__xlsx_read(path, doc.data, doc.len, opts, fn, ctx, err);
        break;
    default: rc = rf_orders__edifact_read(path, doc.data, doc.len, fn, ctx, err); break;
    }

cleanup:
    rf_buf_free(&doc);
    free(head);
    return rc;
}

/* ---- directories ---------------------------------------------------------------------- */

typedef struct path_list {
    char **paths;
    size_t n, cap;
} path_list;

static int add_path(path_list *l, const char *path)
{
    if (l->n + 1 >= l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **grown = realloc(l->paths, cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        l->paths = grown;
        l->cap = cap;
    }
    if (!(l->paths[l->n] = rf_strdup(path))) return RF_ENOMEM;
    l->paths[++l->n] = NULL;
    return RF_OK;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when symlink `path` resolves to a place under the directory whose real path is `root`. */
static int inside(const char *path, const char *root)
{
    char real[PATH_MAX];
    size_t n = strlen(root);
    if (!realpath(path, real)) return 0;
    return strncmp(real, root, n) == 0 && (real[n] == '/' || (n == 1 && root[0] == '/'));
}

/* `root` is the real path of the directory being listed; links that leave it go to
 * `outside` unread. */
static int walk(path_list *l, path_list *outside, const char *root, const char *dir, int depth,
                rf_error *err)
{
    DIR *d;
    struct dirent *e;
    path_list here = {0};
    int rc = RF_OK;

    if (depth > DIR_MAX_DEPTH)
        return rf_error_set(err, RF_ELIMIT, dir, 0, "directories nested deeper than %d",
                            DIR_MAX_DEPTH);
    if (!(d = opendir(dir)))
        return rf_error_set(err, RF_EIO, dir, 0, "cannot read the directory: %s", strerror(errno));
    while ((e = readdir(d))) {
        char path[4096];
        if (e->d_name[0] == '.') continue; /* ., .., and hidden files */
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/') n--; /* "examples/" lists examples/a.csv */
        if ((size_t)snprintf(path, sizeof path, "%.*s/%s", (int)n, dir, e->d_name) >= sizeof path) {
            rc = rf_error_set(err, RF_ELIMIT, dir, 0, "a path in it is too long");
            break;
        }
        if ((rc = add_path(&here, path))) {
            rf_error_set(err, rc, dir, 0, "out of memory");
            break;
        }
    }
    closedir(d);
    if (here.n) qsort(here.paths, here.n, sizeof *here.paths, cmp_path);
    for (size_t i = 0; rc == RF_OK && i < here.n; i++) {
        struct stat st, lst;
        if (stat(here.paths[i], &st) != 0 || lstat(here.paths[i], &lst) != 0) continue;
        /* A link out of the directory is not followed (a link to /etc/shadow is no order); the
         * caller names it. */
        if (S_ISLNK(lst.st_mode) && !inside(here.paths[i], root)) {
            if ((rc = add_path(outside, here.paths[i])))
                rf_error_set(err, rc, dir, 0, "out of memory");
            continue;
        }
        /* a link to a directory is not followed: it could lead back up */
        if (S_ISDIR(st.st_mode) && !S_ISLNK(lst.st_mode))
            rc = walk(l, outside, root, here.paths[i], depth + 1, err);
        else if (S_ISREG(st.st_mode) && (rc = add_path(l, here.paths[i])))
            rf_error_set(err, rc, dir, 0, "out of memory");
    }
    for (size_t i = 0; i < here.n; i++) free(here.paths[i]);
    free(here.paths);
    return rc;
}

int rf_orders_list_dir(char ***out, size_t *count, char ***outside, const char *dir,
                       rf_error *err)
{
    path_list l = {0}, away = {0};
    char root[PATH_MAX];
    int rc;

    *out = NULL;
    *count = 0;
    if (outside) *outside = NULL;
    if (!dir) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no directory");
    if (!realpath(dir, root))
        return rf_error_set(err, RF_EIO, dir, 0, "cannot read the directory: %s", strerror(errno));
    if ((rc = walk(&l, &away, root, dir, 0, err))) {
        rf_orders_paths_free(l.paths);
        rf_orders_paths_free(away.paths);
        return rc;
    }
    if (outside) *outside = away.paths;
    else rf_orders_paths_free(away.paths);
    if (!l.paths && add_path(&l, "") == RF_OK) {
        /* an empty directory: an empty, NULL-terminated list */
        free(l.paths[0]);
        l.paths[0] = NULL;
        l.n = 0;
    }
    if (!l.paths) return rf_error_set(err, RF_ENOMEM, dir, 0, "out of memory");
    *out = l.paths;
    *count = l.n;
    return RF_OK;
}

void rf_orders_paths_free(char **paths)
{
    if (!paths) return;
    for (char **p = paths; *p; p++) free(*p);
    free(paths);
}
