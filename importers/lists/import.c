/* import.c: importing one list file as one list version. A first pass over the file (gzip
 * transparent; input.c) takes its sha256 and its first and last bytes, from which the format
 * is detected; a file already imported (same feed, same sha256) is skipped; then the format's
 * parser streams the file inside one store transaction: any error rolls the whole file back,
 * so the version in force stays the previous one. Also the small services every format uses:
 * warnings, errors with file and line, dates, the string pool. */
#include "list_import.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

/* Every format, in the order detection tries them: the ones with the most specific
 * signatures first (the CSL's and the DPL's headers), the header-less OFAC CSV last. */
static const rf_list_format_def *const formats[] = {
    &rf_list_csl_format,
    &rf_list_dpl_format,
    &rf_list_csl_json_format,
    &rf_list_ofac_sdn_xml_format,
    &rf_list_ofac_cons_xml_format,
    &rf_list_sdn_advanced_format,
    &rf_list_cons_advanced_format,
    &rf_list_un_format,
    &rf_list_uk_ofsi_format,
    &rf_list_uk_fcdo_format,
    &rf_list_eu_csv_format,
    &rf_list_eu_xml_format,
    &rf_list_bis_el_format,
    &rf_list_ownership_csv_format,
    &rf_list_gleif_lei_format,
    &rf_list_gleif_rr_format,
    &rf_list_ftm_format,
    &rf_list_bis_uvl_format,
    &rf_list_state_isn_format,
    &rf_list_state_debarred_format,
    &rf_list_ofac_sdn_csv_format,
    &rf_list_ofac_cons_csv_format,
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

static rf_list_format detect(const rf_list_sample *s)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (formats[i]->detect(s)) return formats[i]->format;
    return RF_LIST_UNKNOWN;
}

rf_list_format rf_list_format_detect(const char *data, size_t len)
{
    rf_list_sample s;

    if (!data) return RF_LIST_UNKNOWN;
    /* The sample an import would take of this content, so that both agree. */
    memset(&s, 0, sizeof s);
    s.head = data;
    s.head_len = len < RF_LIST_SAMPLE ? len : RF_LIST_SAMPLE;
    s.tail_len = s.head_len;
    s.tail = data + len - s.tail_len;
    s.whole = len <= RF_LIST_SAMPLE;
    return detect(&s);
}

/* ---- the string pool -------------------------------------------------------------------- */

char *rf_strpool__alloc(rf_strpool *pool, size_t len)
{
    char *copy;
    if (pool->count == pool->cap) {
        size_t cap = pool->cap ? pool->cap * 2 : 64;
        char **items = realloc(pool->items, cap * sizeof *items);
        if (!items) return NULL;
        pool->items = items;
        pool->cap = cap;
    }
    if (!(copy = calloc(1, len + 1))) return NULL;
    pool->items[pool->count++] = copy;
    return copy;
}

char *rf_strpool__add(rf_strpool *pool, const char *s, size_t len)
{
    char *copy = rf_strpool__alloc(pool, len);
    if (copy) memcpy(copy, s, len);
    return copy;
}

void rf_strpool__reset(rf_strpool *pool)
{
    for (size_t i = 0; i < pool->count; i++) free(pool->items[i]);
    pool->count = 0;
}

void rf_strpool__free(rf_strpool *pool)
{
    rf_strpool__reset(pool);
    free(pool->items);
    memset(pool, 0, sizeof *pool);
}

/* ---- context services ------------------------------------------------------------------- */

int rf_list__fail(rf_list_ctx *cx, int code, long line, const char *fmt, ...)
{
    char msg[sizeof cx->err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return rf_error_set(cx->err, code, cx->name, line, "%s", msg);
}

int rf_list__warn(rf_list_ctx *cx, long line, const char *fmt, ...)
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

int rf_list__emit(rf_list_ctx *cx, const rf_entity *listed)
{
    rf_entity with;
    rf_name names[RF_MAX_NAMES];
    const rf_entity *e = rf_list__native_names(&with, names, listed);
    int rc = rf_import_add(cx->imp, e, cx->err);
    if (rc) {
        /* The store does not know where the entity came from; the reader must. */
        if (cx->err && cx->err->line == 0) cx->err->line = e->source_line;
        if (cx->err && !cx->err->file[0])
            snprintf(cx->err->file, sizeof cx->err->file, "%s", cx->name);
        return rc;
    }
    cx->sum->entities++;
    cx->sum->names += (long)listed->n_names; /* what the file says: native names are ours */
    return rf_list__relations(cx, listed);
}

/* ---- building entities ------------------------------------------------------------------ */

void rf_list__entity_begin(rf_list_ctx *cx, rf_entity *e, long line, const char *list_code,
                          const char *list_name)
{
    rf_strpool__reset(&cx->pool);
    memset(e, 0, sizeof *e);
    e->source_line = line;
    e->list_code = list_code;
    e->list_name = list_name;
}

int rf_list__add_id(rf_list_ctx *cx, const char **ids, const char *type, const char *number,
                   const char *country, long line)
{
    rf_buf id = {0};
    int rc;

    if (!number || !*number) return 0;
    if (type && !*type) type = NULL;
    if (country && !*country) country = NULL;
    if (rf_buf_printf(&id, "%s%s%s%s%s%s", type ? type : "", type ? " " : "", number,
                      country ? " (" : "", country ? country : "", country ? ")" : "")) {
        rf_buf_free(&id);
        return rf_list__fail(cx, RF_ENOMEM, line, "out of memory");
    }
    rc = rf_list__join(cx, ids, id.data, id.len, line);
    rf_buf_free(&id);
    return rc;
}

int rf_list__join(rf_list_ctx *cx, const char **field, const char *s, size_t len, long line)
{
    const char *old = *field;
    size_t old_len = old ? strlen(old) : 0;
    char *joined;

    while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                   s[len - 1] == '\r'))
        len--;
    if (!len) return 0;
    /* Already listed: compared as whole items, so "CU" does not hide in "CUBA"; an item may
     * hold "; " itself (a UK remark repeated on each of a party's rows). */
    for (const char *p = old; p && *p;) {
        const char *sep;
        if ((size_t)(old + old_len - p) >= len && strncasecmp(p, s, len) == 0 &&
            (p[len] == '\0' || (p[len] == ';' && p[len + 1] == ' ')))
            return 0;
        sep = strstr(p, "; ");
        p = sep ? sep + 2 : NULL;
    }
    if (!(joined = rf_strpool__alloc(&cx->pool, old_len + len + 2)))
        return rf_list__fail(cx, RF_ENOMEM, line, "out of memory");
    if (old_len) memcpy(joined, old, old_len), memcpy(joined + old_len, "; ", 2);
    memcpy(joined + old_len + (old_len ? 2 : 0), s, len);
    joined[old_len + (old_len ? 2 : 0) + len] = '\0';
    *field = joined;
    return 0;
}

const char *rf_list__concat(rf_list_ctx *cx, const char *const *parts, size_t n, int *rc)
{
    size_t len = 0;
    char *out, *p;

    *rc = 0;
    for (size_t i = 0; i < n; i++)
        if (parts[i] && *parts[i]) len += strlen(parts[i]) + 2;
    if (!len) return NULL;
    if (!(out = rf_strpool__alloc(&cx->pool, len))) {
        *rc = rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
        return NULL;
    }
    p = out;
    for (size_t i = 0; i < n; i++) {
        if (!parts[i] || !*parts[i]) continue;
        if (p != out) *p++ = ',', *p++ = ' ';
        memcpy(p, parts[i], strlen(parts[i]));
        p += strlen(parts[i]);
    }
    *p = '\0';
    return out;
}

/* 1 when both are empty or both hold the same text. */
static int same(const char *a, const char *b)
{
    if (!a || !*a) return !b || !*b;
    return b && strcmp(a, b) == 0;
}

int rf_list__address(rf_list_ctx *cx, rf_address *addrs, size_t *n, const char *text,
                    const char *city, const char *country, long line)
{
    if (!(text && *text) && !(city && *city) && !(country && *country)) return 0;
    if (country && strlen(country) != 2 && rf_country__code(country))
        country = rf_country__code(country);
    /* Lists that repeat the address on every alias row (UK, EU) give it once. */
    for (size_t i = 0; i < *n; i++)
        if (same(addrs[i].text, text) && same(addrs[i].city, city) &&
            same(addrs[i].country, country))
            return 0;
    if (*n == RF_MAX_ADDRESSES)
        return rf_list__fail(cx, RF_ELIMIT, line, "more than %d addresses for one entity",
                            RF_MAX_ADDRESSES);
    addrs[*n].text = text && *text ? text : NULL;
    addrs[*n].city = city && *city ? city : NULL;
    addrs[*n].country = country && *country ? country : NULL;
    (*n)++;
    return 0;
}

int rf_list__nationality(rf_list_ctx *cx, const char **field, const char *s, size_t len,
                        long line)
{
    char name[256];
    const char *code;

    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), s);
    if (len < sizeof name && (code = rf_country__code(name)) != NULL)
        return rf_list__join(cx, field, code, 2, line);
    return rf_list__join(cx, field, s, len, line);
}

rf_entity_type rf_list__entity_type(const char *word)
{
    static const struct {
        const char *word;
        rf_entity_type type;
    } words[] = {{"individual", RF_ENTITY_PERSON},       {"person", RF_ENTITY_PERSON},
                 {"entity", RF_ENTITY_ORGANIZATION},     {"organisation", RF_ENTITY_ORGANIZATION},
                 {"organization", RF_ENTITY_ORGANIZATION}, {"enterprise", RF_ENTITY_ORGANIZATION},
                 {"vessel", RF_ENTITY_VESSEL},           {"ship", RF_ENTITY_VESSEL},
                 {"aircraft", RF_ENTITY_AIRCRAFT}};
    if (!word) return RF_ENTITY_UNKNOWN;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcasecmp(word, words[i].word) == 0) return words[i].type;
    return RF_ENTITY_UNKNOWN;
}

int rf_list__cp1252_to_utf8(rf_buf *out, const char *s, size_t len)
{
    /* 0x80..0x9F as Windows-1252 has them; 0 where it has no character (kept as U+FFFD). */
    static const unsigned short c1[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
    int rc = 0;

    rf_buf_reset(out);
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned cp = c >= 0x80 && c < 0xA0 ? (c1[c - 0x80] ? c1[c - 0x80] : 0xFFFD) : c;
        char u[3];
        if (cp < 0x80) {
            rc = rf_buf_putc(out, (char)cp);
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
            rc = rf_buf_append(out, u, 2);
        } else {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
            rc = rf_buf_append(out, u, 3);
        }
    }
    if (rc == 0 && !out->data) rc = rf_buf_puts(out, "");
    return rc;
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

    /* XML writes dates as xs:date or xs:dateTime: "2015-04-07-04:00", "2018-07-04T10:00Z". */
    if (len > 10 && strchr("TZ+-", s[10])) len = 10;
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

int rf_list__date_plausible(const char *s)
{
    int y, m, d;
    return s && strlen(s) == 10 && s[4] == '-' && parse_date(s, &y, &m, &d) && y >= 1900 &&
           y <= 2100;
}

const char *rf_list__date(rf_list_ctx *cx, long line, const char *column, const char *in,
                         const char *latest, char out[11], int *rc)
{
    int y, m, d;

    *rc = 0;
    if (!in || !*in) return NULL;
    if (!parse_date(in, &y, &m, &d) || y < 0 || y > 9999) {
        *rc = rf_list__warn(cx, line, "%s \"%s\" is not a date; left out", column, in);
        return NULL;
    }
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    /* Real lists carry typos such as 3033-09-30: the row stays, the date is kept as the
     * list wrote it, and the reviewer is told. */
    if (y < 1900 || y > 2100 || (latest && strcmp(out, latest) > 0))
        *rc = rf_list__warn(cx, line, "%s %s is implausible (a typo in the list?); kept as written",
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

#define SET_MAX 8 /* files in a set, the main one included */

/* The companions of a set, found in the main file's directory. */
typedef struct set_data {
    char path[SET_MAX][1024];
    rf_list_input parts[SET_MAX];
    size_t n;
} set_data;

/* The directory part of `path` ("." when it has none) into dir. */
static void dir_of(char *dir, size_t size, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, size, ".");
    else if (slash == path) snprintf(dir, size, "/");
    else snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* Finds `name` in `dir` ignoring case (OFAC publishes SDN.CSV, mirrors write sdn.csv), or
 * else `name`.gz; 1 with its path in `out`, 0 when absent. */
static int find_in_dir(char *out, size_t size, const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = strlen(name);
    int found = 0;

    if (!d) return 0;
    while (found < 2 && (de = readdir(d)) != NULL) {
        int exact = strcasecmp(de->d_name, name) == 0;
        int gz = !exact && strncasecmp(de->d_name, name, n) == 0 &&
                 strcasecmp(de->d_name + n, ".gz") == 0;
        if (!exact && !(gz && !found)) continue;
        snprintf(out, size, "%s/%s", dir, de->d_name);
        found = exact ? 2 : 1;
    }
    closedir(d);
    return found != 0;
}

/* Points `in` at the file `path` (`name` in messages), with a spool (see rf_list_input) when
 * it cannot be read twice: standard input ("-"), or anything but a regular file (a pipe, a
 * FIFO, a process substitution's /dev/fd/N). */
static int input_open(rf_list_input *in, const char *name, const char *path, rf_error *err)
{
    struct stat sb;

    memset(in, 0, sizeof *in);
    in->name = name;
    in->path = path;
    if ((strcmp(path, "-") == 0 || (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))) &&
        !(in->spool = tmpfile()))
        return rf_error_set(err, RF_EIO, name, 0, "cannot make a temporary copy of a pipe: %s",
                            strerror(errno));
    return 0;
}

static void input_close(rf_list_input *in)
{
    if (in->spool) fclose(in->spool);
    in->spool = NULL;
}

/* Finds and surveys the companions of the set whose main file is `path` (NULL for data in
 * memory, which has none), and replaces `sha256` with the digest over the set when any
 * companion is there: sha256 of the lines "NAME HEX\n", NAME the file's usual name in the set
 * (def->set_files), HEX its own sha256, for each file present, in set order. A missing
 * companion is only noted (parts[i].name NULL): the main file alone is still a list. */
static int find_set(set_data *set, char sha256[65], const rf_list_format_def *def,
                    const char *path, rf_error *err)
{
    char dir[1024] = "";
    rf_sha256 h;
    int any = 0, rc;

    memset(set->parts, 0, sizeof set->parts);
    set->n = 0;
    if (path) dir_of(dir, sizeof dir, path);
    if (rf_sha256_init(&h) != RF_OK) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    rf_sha256_update(&h, def->set_files[0], strlen(def->set_files[0]));
    rf_sha256_update(&h, " ", 1);
    rf_sha256_update(&h, sha256, 64);
    rf_sha256_update(&h, "\n", 1);
    for (size_t i = 1; def->set_files[i] && set->n < SET_MAX; i++, set->n++) {
        rf_list_input *part = &set->parts[set->n];
        if (!path || !find_in_dir(set->path[set->n], sizeof set->path[0], dir, def->set_files[i]))
            continue;
        if ((rc = input_open(part, set->path[set->n], set->path[set->n], err)) != 0 ||
            (rc = rf_list__survey(part, NULL, err)) != 0) {
            rf_sha256_free(&h);
            return rc;
        }
        rf_sha256_update(&h, def->set_files[i], strlen(def->set_files[i]));
        rf_sha256_update(&h, " ", 1);
        rf_sha256_update(&h, part->sha256, 64);
        rf_sha256_update(&h, "\n", 1);
        any = 1;
    }
    if (any) rf_sha256_final_hex(&h, sha256);
    else rf_sha256_free(&h);
    return 0;
}

/* Tomorrow's date (UTC) into `out` as YYYY-MM-DD: the latest date a list can be published
 * today somewhere on earth. Returns `out`. */
static const char *tomorrow(char out[11])
{
    time_t t = time(NULL) + 24 * 60 * 60;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "9999-12-31");
    return out;
}

/* Refuses the version `imp` is writing when it would remove more than RF_MAX_SHRINK_PERCENT
 * of the entities of the version of its feed it replaces (see rf_import_list_file), and
 * records which version that is in `out`. Entity counts, not ids, are compared: a publisher
 * may renumber its entries (the CSL's ids change from file to file), but a whole list is
 * never shorter by a tenth from one issue to the next unless it was cut. */
static int check_shrink(rf_import_summary *out, const rf_import *imp,
                        const char *name, const rf_import_options *opts, rf_error *err)
{
    rf_version_list prev = {0};
    const rf_version *p;
    long long lost;
    int rc = rf_import_replaces(&prev, imp, err);

    if (rc || !prev.count) return rc;
    p = &prev.items[0];
    out->replaces = p->id;
    out->replaced_entities = p->entities;
    lost = p->entities - out->entities;
    if (lost * 100 > p->entities * RF_MAX_SHRINK_PERCENT && !(opts && opts->allow_shrink)) {
        out->shrunk = 1;
        rc = rf_error_set(err, RF_EFORMAT, name, 0,
                          "the file holds %ld entities where the %s version it would replace "
                          "(version %lld, %s %.10s) holds %lld: it would remove %lld of them "
                          "(%lld %%, more than %d %%). A truncated download or a partial "
                          "file? Nothing was imported; version %lld stays in force",
                          out->entities, p->feed, p->id, p->published ? "published" : "imported",
                          p->published ? p->published : p->imported_at, p->entities, lost,
                          lost * 100 / p->entities, RF_MAX_SHRINK_PERCENT, p->id);
    }
    rf_version_list_free(&prev);
    return rc;
}

/* Imports `in`: a first pass (rf_list__survey) takes its sha256 and its sample, so that the
 * format is known and a file already imported is skipped before anything is written; then
 * the format reads the file again, as a stream, inside the version's transaction. Reading a
 * file twice costs less than holding it: memory stays small whatever its size. `dir_of_path`
 * is the file on disk whose directory holds a set's companions (NULL for data in memory). */
static int import_input(rf_import_summary *out, rf_store *st, rf_list_input *in,
                        const char *dir_of_path, const rf_import_options *opts, rf_error *err)
{
    const rf_list_format_def *def;
    rf_list_sample sample;
    rf_list_ctx cx;
    rf_version_info info;
    set_data *set = NULL;
    char published[11] = "", future[11] = "", latest[11], sha256[65];
    int rc;

    memset(&cx, 0, sizeof cx);
    if ((rc = rf_list__survey(in, &sample, err)) != 0) return rc;
    if (!(def = format_def(detect(&sample)))) {
        char first[81];
        size_t n = 0;
        while (n < sample.head_len && n + 1 < sizeof first && sample.head[n] != '\n' &&
               sample.head[n] != '\r') {
            unsigned char c = (unsigned char)sample.head[n];
            first[n++] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
        }
        first[n] = '\0';
        if (sample.head_len >= 2 && (memcmp(sample.head, "\xFF\xFE", 2) == 0 ||
                                     memcmp(sample.head, "\xFE\xFF", 2) == 0)) {
            /* Spreadsheets save "Unicode text" as UTF-16: say so rather than show its bytes. */
            rc = rf_error_set(err, RF_EFORMAT, in->name, 1,
                              "the file is UTF-16 (it starts with a UTF-16 byte-order mark): "
                              "list files are read as UTF-8; convert it first, e.g. "
                              "iconv -f UTF-16 -t UTF-8");
            goto cleanup;
        }
        rc = rf_error_set(err, RF_EFORMAT, in->name, 0,
                          "not a list file redflag can read: expected the Consolidated "
                          "Screening List (CSV or JSON), the Denied Persons List, the BIS "
                          "Entity or Unverified List or a State Department list (CSV), "
                          "OFAC's SDN or non-SDN list (sdn.csv or cons_prim.csv with their "
                          "companions, sdn.xml, consolidated.xml, SDN_ADVANCED.xml), or the "
                          "UN, UK or EU list; the file starts with \"%s\"",
                          first);
        goto cleanup;
    }
    out->format = def->format;
    memcpy(sha256, in->sha256, sizeof sha256);
    if (def->set_files) {
        if (!(set = calloc(1, sizeof *set))) {
            rc = rf_error_set(err, RF_ENOMEM, in->name, 0, "out of memory");
            goto cleanup;
        }
        if ((rc = find_set(set, sha256, def, dir_of_path, err)) != 0) goto cleanup;
        cx.parts = set->parts;
        cx.n_parts = set->n;
    }
    if (rf_store_has_version(st, def->feed, sha256) == 1) {
        out->already_imported = 1;
        goto cleanup;
    }

    cx.name = in->name;
    cx.opts = opts;
    cx.sum = out;
    cx.err = err;
    cx.input = in;
    cx.sample = &sample;
    if (opts && opts->effective) {
        if (!is_iso_date(opts->effective)) {
            rc = rf_error_set(err, RF_EUSAGE, in->name, 0, "effective date \"%s\" is not YYYY-MM-DD",
                              opts->effective);
            goto cleanup;
        }
        snprintf(published, sizeof published, "%s", opts->effective);
    } else if (def->published && (rc = def->published(published, &cx)) != 0) {
        goto cleanup;
    } else if (published[0] && strcmp(published, tomorrow(latest)) > 0) {
        /* A date in the future is a typo in the file (2824 for 2024): kept, the version would
         * not be in force until then, and screening would go on without it unseen. */
        snprintf(future, sizeof future, "%s", published);
        published[0] = '\0';
    }

    info.feed = def->feed;
    info.format = def->name;
    info.source_file = in->name;
    info.sha256 = sha256;
    info.published = published[0] ? published : NULL;
    if ((rc = rf_import_begin(&cx.imp, st, &info, err)) != 0) goto cleanup;
    if (future[0])
        rc = rf_list__warn(&cx, 0, "publication date %s is in the future (a typo in the file?): "
                          "left out, so the version is in force from its import", future);
    for (size_t i = 0; rc == 0 && i < cx.n_parts; i++)
        if (!cx.parts[i].name)
            rc = rf_list__warn(&cx, 0, "no %s beside this file: what it holds is missing from "
                              "this version", def->set_files[i + 1]);
    if (rc != 0 || (rc = def->parse(&cx)) != 0 ||
        (rc = check_shrink(out, cx.imp, in->name, opts, err)) != 0) {
        rf_import_abort(cx.imp);
        out->entities = out->names = out->warnings = 0;
        goto cleanup;
    }
    rc = rf_import_commit(cx.imp, &out->version_id, err);
    if (rc == 0) snprintf(out->published, sizeof out->published, "%s", published);
    /* The store does not know the file: its refusal (a file without an entity) names it. */
    else if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", in->name);

cleanup:
    for (size_t i = 0; set && i < SET_MAX; i++) input_close(&set->parts[i]);
    free(set);
    rf_list__sample_free(&sample);
    rf_strpool__free(&cx.pool);
    return rc;
}

int rf_import_list_data(rf_import_summary *out, rf_store *st, const char *name,
                        const void *data, size_t len, const rf_import_options *opts,
                        rf_error *err)
{
    rf_import_summary scratch;
    rf_list_input in;

    if (!out) out = &scratch;
    memset(out, 0, sizeof *out);
    if (!st || !name || (!data && len))
        return rf_error_set(err, RF_EUSAGE, name, 0, "no store, name or data to import");
    memset(&in, 0, sizeof in);
    in.name = name;
    in.data = data ? data : "";
    in.len = len;
    return import_input(out, st, &in, NULL, opts, err);
}

const char *rf_list_set_main(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    size_t n;
    base = base ? base + 1 : path;
    if (!base) return NULL;
    n = strlen(base);
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0) n -= 3;
    for (size_t i = 0; i < N_FORMATS; i++)
        for (size_t k = 1; formats[i]->set_files && formats[i]->set_files[k]; k++)
            if (strlen(formats[i]->set_files[k]) == n &&
                strncasecmp(base, formats[i]->set_files[k], n) == 0)
                return formats[i]->set_files[0];
    return NULL;
}

/* For a directory: the main file of the one set it holds, into `out`. */
static int set_in_dir(char *out, size_t size, const char *dir, rf_error *err)
{
    char found[1024], names[256] = "";
    int n = 0;

    for (size_t i = 0; i < N_FORMATS; i++) {
        if (!formats[i]->set_files) continue;
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", names[0] ? " or " : "",
                 formats[i]->set_files[0]);
        if (find_in_dir(found, sizeof found, dir, formats[i]->set_files[0])) {
            if (n++) return rf_error_set(err, RF_EUSAGE, dir, 0, "the directory holds more than one "
                                         "list set (%s and %s): name the file to import",
                                         out, found);
            snprintf(out, size, "%s", found);
        }
    }
    if (!n) return rf_error_set(err, RF_ENOTFOUND, dir, 0, "a directory is read as an OFAC CSV "
                                "set, but this one has no %s", names);
    return 0;
}

int rf_import_list_file(rf_import_summary *out, rf_store *st, const char *path,
                        const rf_import_options *opts, rf_error *err)
{
    rf_import_summary scratch;
    rf_list_input in;
    char main_file[1024];
    struct stat sb;
    int rc, stdin_ = path && strcmp(path, "-") == 0;

    if (!out) out = &scratch;
    memset(out, 0, sizeof *out);
    if (!st || !path) return rf_error_set(err, RF_EUSAGE, path, 0, "no store or path");
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        if ((rc = set_in_dir(main_file, sizeof main_file, path, err)) != 0) return rc;
        path = main_file;
    }
    /* Standard input has no directory for a set's companions. */
    if ((rc = input_open(&in, stdin_ ? "<stdin>" : path, path, err)) == 0)
        rc = import_input(out, st, &in, stdin_ ? NULL : path, opts, err);
    input_close(&in);
    return rc;
}

int rf_import_list_download(rf_import_summary *out, rf_store *st, const char *path,
                            const char *name, const rf_import_options *opts, rf_error *err)
{
    rf_import_summary scratch;
    rf_list_input in;
    int rc;

    if (!out) out = &scratch;
    memset(out, 0, sizeof *out);
    if (!st || !path || !name) return rf_error_set(err, RF_EUSAGE, name, 0, "no store, path or name");
    /* A download has no directory of companions: a set is never fetched by URL. */
    if ((rc = input_open(&in, name, path, err)) == 0) rc = import_input(out, st, &in, NULL, opts, err);
    input_close(&in);
    return rc;
}
