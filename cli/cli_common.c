/* cli_common.c: the helpers of cli.h: error and usage messages, option value checks, opening
 * and seeding the list database, loading the matcher, and small output helpers. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <csv.h>
#include <utf8proc.h>

void cli_report_error(const rf_error *err)
{
    char msg[2048];
    fputs("redflag: ", stderr);
    cli_print_text(stderr, rf_error_format(err, msg, sizeof msg));
    fputc('\n', stderr);
}

void cli_print_text(FILE *out, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp = rf_utf8_decode(s + i, len - i, &n);
        if (cp == '\t' || cp == '\n' || cp == '\r') fputc(' ', out);
        else if (cp == 0xFFFD && n == 1) fputc('?', out);
        else if (!rf_char_is_control(cp)) fwrite(s + i, 1, n, out);
    }
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "redflag %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'redflag %s --help'.\n", command);
    return CLI_EXIT_ERROR;
}

int cli_bad_option(const char *command, char **argv, int optopt_value, int missing_arg)
{
    /* getopt_long has already advanced optind past the offending word. */
    const char *word = optind > 0 ? argv[optind - 1] : "?";
    if (missing_arg) return cli_usage_error(command, "option %s needs a value", word);
    if (optopt_value) return cli_usage_error(command, "unknown option -%c", optopt_value);
    return cli_usage_error(command, "unknown option %s", word);
}

int cli_valid_date(const char *s)
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

int cli_parse_threshold(double *out, const char *s)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0.0 && v <= 1.0)) return -1;
    *out = v;
    return 0;
}

int cli_parse_count(int *out, const char *s, int max)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*end || end == s || n < 1 || n > max) return -1;
    *out = (int)n;
    return 0;
}

void cli_print_import_warning(const char *file, long line, const char *message, void *ctx)
{
    (void)ctx;
    /* the message quotes the file (a column's header, a sheet's name): printed inert */
    fputs("redflag: ", stderr);
    cli_print_text(stderr, file);
    if (line > 0) fprintf(stderr, ":%ld", line);
    fputs(": warning: ", stderr);
    cli_print_text(stderr, message);
    fputc('\n', stderr);
}

/* Imports the list compiled into the program into the empty store `st`. */
static int seed_store(rf_store *st, const char *path, rf_error *err)
{
    const unsigned char *data;
    size_t len;
    const char *name, *published;
    rf_import_summary sum;
    rf_import_options opts = {0};
    int rc;

    rf_bundled_list(&data, &len, &name, &published);
    fprintf(stderr,
            "redflag: %s holds no list yet: importing the bundled list %s (published %s)\n",
            path, name, published);
    /* Its few warnings (typo dates in the list) are kept with the version, not repeated on
     * every first run. */
    opts.effective = published;
    rc = rf_import_list_data(&sum, st, name, data, len, &opts, err);
    if (rc < 0) return rc;
    fprintf(stderr, "redflag: imported %ld entities (%ld names, %ld warnings) from %s as "
            "version %lld\n", sum.entities, sum.names, sum.warnings, name, sum.version_id);
    return 0;
}

int cli_db_path(char *out, size_t out_size, const char *db_path)
{
    rf_error err;
    rf_error_clear(&err);
    if (!db_path) {
        if (rf_store_default_path(out, out_size, &err) == 0) return 0;
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    if (strlen(db_path) >= out_size) {
        fprintf(stderr, "redflag: database path too long: %s\n", db_path);
        return CLI_EXIT_ERROR;
    }
    strcpy(out, db_path);
    return 0;
}

/* Says on stderr what is wrong with the record itself: a guard trigger gone (nothing will be
 * written), versions imported while the clock was ahead. */
static void warn_about_store(rf_store *st, const char *path)
{
    rf_version_list ahead = {0};
    const char *guard = rf_store_guard_problem(st);

    if (guard)
        fprintf(stderr, "redflag: %s: warning: %s; the database is read but not written: run "
                "'redflag audit verify'\n", path, guard);
    if (rf_store_versions_ahead(&ahead, st, NULL) < 0) return;
    for (size_t i = 0; i < ahead.count; i++)
        fprintf(stderr, "redflag: %s: warning: list version %lld (%s) was imported at %s, later "
                "than the clock says it is now: the clock was ahead then or is behind now; the "
                "version is in force by its publication date and import order\n",
                path, ahead.items[i].id, ahead.items[i].feed, ahead.items[i].imported_at);
    rf_version_list_free(&ahead);
}

int cli_open_store(rf_store **out, const char *db_path, int flags)
{
    char path[1024];
    rf_error err;
    rf_store *st = NULL;
    const char *env = getenv("REDFLAG_DB");
    /* Only the default database is created unasked: a mistyped --db or REDFLAG_DB would
     * otherwise screen against a new database holding only the bundled 2022 list. */
    int explicit_path = db_path || (env && env[0]);
    int mode = (flags & CLI_DB_READ ? RF_STORE_FALLBACK_READONLY : 0) |
               (flags & CLI_DB_READ_ONLY ? RF_STORE_READONLY : 0) |
               (!explicit_path || (flags & CLI_DB_CREATE) ? RF_STORE_CREATE : 0);

    rf_error_clear(&err);
    *out = NULL;
    if (cli_db_path(path, sizeof path, db_path)) return CLI_EXIT_ERROR;
    if (rf_store_open_mode(&st, path, mode, &err) < 0) {
        cli_report_error(&err);
        if (err.code == RF_ENOTFOUND)
            fprintf(stderr, "redflag: nothing was created; create the database with 'redflag "
                            "lists init --db %s' (or 'redflag lists import --db %s FILE...')\n",
                    path, path);
        return CLI_EXIT_ERROR;
    }
    if (rf_store_readonly(st) && !(flags & CLI_DB_READ_ONLY))
        fprintf(stderr, "redflag: %s cannot be written: read-only, nothing will be recorded\n",
                path);
    warn_about_store(st, path);
    if ((flags & CLI_DB_SEED) && rf_store_is_empty(st) == 1) {
        if (rf_store_readonly(st))
            rf_error_set(&err, RF_EDB, path, 0, "holds no list yet and cannot be written");
        if (rf_store_readonly(st) || seed_store(st, path, &err) < 0) {
            cli_report_error(&err);
            rf_store_close(st);
            return CLI_EXIT_ERROR;
        }
    }
    *out = st;
    return 0;
}

int cli_load(cli_lists_loaded *out, const char *db_path, const char *as_of)
{
    rf_error err;
    int rc;

    memset(out, 0, sizeof *out);
    rf_error_clear(&err);
    rc = cli_open_store(&out->store, db_path, CLI_DB_SEED | CLI_DB_READ);
    if (rc) return rc;
    if (rf_snapshot_load(&out->snap, out->store, as_of, &err) < 0 ||
        rf_matcher_new(&out->matcher, out->snap, &err) < 0) {
        cli_report_error(&err);
        cli_unload(out);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

void cli_unload(cli_lists_loaded *l)
{
    rf_matcher_free(l->matcher);
    rf_snapshot_free(l->snap);
    rf_store_close(l->store);
    memset(l, 0, sizeof *l);
}

void cli_now_utc(char out[32])
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

void cli_csv_field(FILE *out, const char *s)
{
    if (!s) return;
    if (strpbrk(s, ",\"\r\n")) csv_fwrite(out, s, strlen(s)); /* quotes and doubles quotes */
    else fputs(s, out);
}

void cli_print_cell(FILE *out, const char *s, int width, int pad)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(s ? s : "");
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen((const char *)p);
    int used = 0, total = 0;
    const utf8proc_uint8_t *q = p;
    utf8proc_ssize_t qleft = left;

    /* Measure first: a value that fits is printed whole; one that does not leaves room for
     * "...". Invalid bytes count one cell each. */
    while (qleft > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(q, qleft, &cp);
        if (n <= 0) n = 1, cp = '?';
        total += cp < 0x20 ? 1 : rf_char_is_control((uint32_t)cp) ? 0 : utf8proc_charwidth(cp);
        q += n;
        qleft -= n;
    }
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        int w, bad = n <= 0;
        if (bad) n = 1, cp = '?';
        w = cp < 0x20 ? 1 : rf_char_is_control((uint32_t)cp) ? 0 : utf8proc_charwidth(cp);
        if (total > width && used + w > width - 3) {
            fputs("...", out);
            used += 3;
            break;
        }
        if (bad) fputc('?', out);
        else if (cp < 0x20) fputc(' ', out); /* a tab or newline would break the table */
        else if (rf_char_is_control((uint32_t)cp)) (void)0; /* see cli_print_text */
        else fwrite(p, 1, (size_t)n, out);
        used += w;
        p += n;
        left -= n;
    }
    for (; pad && used < width; used++) fputc(' ', out);
}
