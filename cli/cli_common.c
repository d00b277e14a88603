/* cli_common.c: the helpers of cli.h: error and usage messages, option value checks, opening
 * and seeding the list database, loading the matcher, and small output helpers. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Edit distance between a and b (optimal string alignment: a swap of two neighbours counts
 * one), for suggesting the option meant; capped at 9. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[33][33];
    if (la > 32 || lb > 32) return 9;
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb] < 9 ? d[la][lb] : 9;
}

/* The long option closest to `name` (without dashes or "=value"), NULL when none is close:
 * at most one edit for short names, two from seven letters on. */
static const char *closest_option(const char *name, const struct option *longopts)
{
    const char *best = NULL;
    size_t best_distance = strlen(name) >= 7 ? 3 : 2;
    for (const struct option *o = longopts; o->name; o++) {
        size_t dist = edit_distance(name, o->name);
        if (dist < best_distance) best = o->name, best_distance = dist;
    }
    return best;
}

/* The long option word starting at argv[i] spelled with one dash (-output), or NULL: its
 * letters after the dash are a long option's name or the start of one (-out). */
static const char *single_dash_long(const char *word, const struct option *longopts)
{
    size_t n;
    if (word[0] != '-' || word[1] == '-' || !word[1] || !word[2]) return NULL;
    n = strcspn(word + 1, "=");
    if (n < 2) return NULL;
    for (const struct option *o = longopts; o->name; o++)
        if (strncmp(o->name, word + 1, n) == 0) return o->name;
    return NULL;
}

/* Looks through the option words before getopt_long reads them (it would take -output for
 * -o utput): values of options are stepped over, and "--" ends the options. */
static int refuse_single_dash(int argc, char **argv, const struct option *longopts,
                              const char *shortopts, const char *command)
{
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i], *meant;
        if (strcmp(w, "--") == 0) break;
        if (w[0] == '-' && w[1] == '-') { /* --name VALUE: step over the value */
            size_t n = strcspn(w + 2, "=");
            for (const struct option *o = longopts; o->name && !w[2 + n]; o++)
                if (strlen(o->name) == n && strncmp(o->name, w + 2, n) == 0 &&
                    o->has_arg == required_argument)
                    i++;
            continue;
        }
        if ((meant = single_dash_long(w, longopts)))
            return cli_usage_error(command, "%s: did you mean --%s? (long options take two "
                                   "dashes; a short option's value goes in the next word, "
                                   "as in -o FILE)", w, meant);
        if (w[0] == '-' && w[1] && !w[2]) { /* -o VALUE */
            const char *spec = strchr(shortopts, w[1]);
            if (spec && w[1] != ':' && spec[1] == ':') i++;
        }
    }
    return 0;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *command)
{
    int c;
    if (optind == 0 && refuse_single_dash(argc, argv, longopts, shortopts, command)) return '!';
    c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c == ':' || c == '?') {
        /* getopt_long has already advanced optind past the offending long option word */
        const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
        char name[64];
        const char *meant;
        size_t candidates = 0;
        rf_buf list = {0};

        if (c == ':') return cli_usage_error(command, "option %s needs a value", word), '!';
        if (optopt) return cli_usage_error(command, "unknown option -%c", optopt), '!';
        snprintf(name, sizeof name, "%.*s", (int)strcspn(word + 2, "="), word + 2);
        for (const struct option *o = longopts; o->name; o++)
            if (name[0] && strncmp(o->name, name, strlen(name)) == 0) {
                candidates++;
                rf_buf_printf(&list, "%s--%s", list.len ? ", " : "", o->name);
            }
        if (candidates > 1)
            cli_usage_error(command, "option --%s is ambiguous: %s", name, list.data);
        else if ((meant = closest_option(name, longopts)))
            cli_usage_error(command, "unknown option --%s: did you mean --%s?", name, meant);
        else
            cli_usage_error(command, "unknown option %s", word);
        rf_buf_free(&list);
        return '!';
    }
    return c;
}

int cli_report_format(rf_report_format *out, const char *command, const char *format_name,
                      const char *output)
{
    const char *slash = output ? strrchr(output, '/') : NULL;
    const char *dot = output ? strrchr(slash ? slash + 1 : output, '.') : NULL;

    *out = RF_REPORT_JSONL;
    if (format_name) {
        if (rf_report_format_parse(out, format_name) == 0) return 0;
        return cli_usage_error(command, "--format is html, jsonl, csv or xlsx, not '%s'",
                               format_name);
    }
    if (!dot || dot[1] == '\0') return 0; /* "-o report": JSON lines, as on standard output */
    if (rf_report_format_parse(out, dot + 1) == 0) return 0;
    if (strcasecmp(dot, ".htm") == 0) return *out = RF_REPORT_HTML, 0;
    return cli_usage_error(command, "%s: no report type is written as %s (.html, .jsonl, .csv "
                           "or .xlsx); name the file so, or say --format", output, dot);
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
    cli_store_index(st);
    return 0;
}

void cli_store_index(rf_store *st)
{
    const char *rules_path = getenv("REDFLAG_OWNERSHIP_RULES");
    rf_ownership_rules *rules = NULL;
    rf_session_options opts = {0};
    rf_session_lists *lists = NULL;
    rf_error err;

    rf_error_clear(&err);
    if (rf_ownership_rules_load(&rules, rules_path && rules_path[0] ? rules_path : NULL, &err) == 0) {
        opts.ownership = rules;
        rf_session_lists_load(&lists, st, &opts, &err);
    }
    rf_session_lists_free(lists);
    rf_ownership_rules_free(rules);
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
        rf_matcher_open(&out->matcher, out->snap, out->store, &err) < 0) {
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
