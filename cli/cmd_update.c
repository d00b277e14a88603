/* cmd_update.c: `redflag lists update`: fetches the current list files from their publishers
 * (the official addresses built in, a sources file, or --url) with rf_list_update and says
 * per source what happened. A source that fails leaves the database as it was; the others
 * are still updated, and the exit status is 2. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SOURCES 64
#define MAX_LINE 4096

static const char update_help[] =
    "usage: redflag lists update [--db PATH] [--sources FILE | --url URL...] [--force]\n"
    "                            [--timeout SECONDS] [--connect-timeout SECONDS]\n"
    "                            [--deadline SECONDS] [--cacert FILE]\n"
    "                            [--retries N] [--retry-delay SECONDS] [--max-size MB]\n"
    "                            [SOURCE...]\n"
    "\n"
    "Downloads the current list files from their publishers and imports each one that\n"
    "changed as a new list version (recorded under its URL). Requests are conditional on\n"
    "what the server said the last time (ETag, Last-Modified): a file that has not changed\n"
    "is not downloaded again, and one downloaded with the sha256 of a version already there\n"
    "is not imported again. A download that fails, is cut short or does not parse leaves\n"
    "the database as it was, and the next update tries again. Files are streamed to a\n"
    "temporary file ($TMPDIR, else /tmp). The version is recorded under the address the\n"
    "file finally came from (after redirects). An https source is never followed to plain\n"
    "http; a source that says http:// is fetched with a warning (nothing proves who sent it).\n"
    "\n"
    "Sources, by name (SOURCE... updates only those):\n"
    "  csl                https://data.trade.gov/downloadable_consolidated_screening_list/v1/\n"
    "                     consolidated.csv (trade.gov Consolidated Screening List)\n"
    "  ofac-sdn           https://www.treasury.gov/ofac/downloads/sdn.xml\n"
    "  ofac-consolidated  https://www.treasury.gov/ofac/downloads/consolidated/consolidated.xml\n"
    "A sources file replaces these: one source per line, NAME URL, # starts a comment. It is\n"
    "--sources FILE, else $REDFLAG_SOURCES, else $XDG_CONFIG_HOME/redflag/sources (default\n"
    "~/.config/redflag/sources) when that file exists.\n"
    "\n"
    "Options:\n"
    "  --db PATH            list database (default: see Environment)\n"
    "  --sources FILE       the sources file to use\n"
    "  --url URL            update from URL instead of the sources (repeatable)\n"
    "  --force              ask for every file unconditionally\n"
    "  --timeout S          give up a download after S seconds (default 900)\n"
    "  --connect-timeout S  give up connecting after S seconds (default 30)\n"
    "  --deadline S         give up a source after S seconds, every attempt and wait\n"
    "                       included (default 1800)\n"
    "  --cacert FILE        trust the certificates in FILE (PEM) instead of the system's,\n"
    "                       e.g. those of a proxy that inspects TLS\n"
    "  --retries N          retry a failure that may pass (a timeout, a connection cut,\n"
    "                       HTTP 408, 429, 5xx) N times (default 3); a host that cannot be\n"
    "                       resolved or reached at all (offline) is not retried\n"
    "  --retry-delay S      wait S seconds before the first retry, twice as long before each\n"
    "                       next (default 2)\n"
    "  --max-size MB        refuse files larger than MB megabytes (default 512)\n"
    "\n"
    "For each source it prints what happened: imported (with the new version), not modified,\n"
    "or unchanged.\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 every source was checked (imported, not modified or unchanged), 2 one\n"
    "failed (offline, a server error, a file that is not a list: the message says which) or\n"
    "bad usage.\n";

typedef struct source {
    char *name;
    char *url;
} source;

typedef struct sources {
    source items[MAX_SOURCES];
    size_t count;
} sources;

static void sources_free(sources *s)
{
    for (size_t i = 0; i < s->count; i++) free(s->items[i].name), free(s->items[i].url);
    s->count = 0;
}

static int sources_add(sources *s, const char *name, size_t name_len, const char *url,
                       size_t url_len, const char *file, long line)
{
    if (s->count == MAX_SOURCES) {
        fprintf(stderr, "redflag: %s:%ld: more than %d sources\n", file, line, MAX_SOURCES);
        return CLI_EXIT_ERROR;
    }
    s->items[s->count].name = rf_strndup(name, name_len);
    s->items[s->count].url = rf_strndup(url, url_len);
    if (!s->items[s->count++].name || !s->items[s->count - 1].url) {
        fprintf(stderr, "redflag: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* The sources file to read: --sources, $REDFLAG_SOURCES, or the one in the user's config
 * directory when it exists. 0 with out[0] == '\0' when there is none. */
static int sources_path(char *out, size_t size, const char *given)
{
    const char *env = getenv("REDFLAG_SOURCES"), *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    FILE *f;
    out[0] = '\0';
    if (given || (env && env[0])) {
        snprintf(out, size, "%s", given ? given : env);
        return 0;
    }
    if (xdg && xdg[0] == '/') snprintf(out, size, "%s/redflag/sources", xdg);
    else if (home && home[0]) snprintf(out, size, "%s/.config/redflag/sources", home);
    if (out[0] && (f = fopen(out, "r")) != NULL) fclose(f);
    else out[0] = '\0';
    return 0;
}

/* Reads NAME URL lines. */
static int sources_read(sources *s, const char *path)
{
    char line[MAX_LINE + 2];
    long number = 0;
    FILE *f = fopen(path, "r");
    int status = 0;

    if (!f) {
        fprintf(stderr, "redflag: %s: cannot read the sources file: %s\n", path, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    while (status == 0 && fgets(line, sizeof line, f)) {
        char *p = line, *name, *url;
        size_t name_len, url_len;
        number++;
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "redflag: %s:%ld: line longer than %d bytes\n", path, number,
                    MAX_LINE);
            status = CLI_EXIT_ERROR;
            break;
        }
        if (strchr(p, '#')) *strchr(p, '#') = '\0';
        p += strspn(p, " \t\r\n");
        if (!*p) continue;
        name = p;
        name_len = strcspn(name, " \t\r\n");
        url = name + name_len + strspn(name + name_len, " \t\r\n");
        url_len = strcspn(url, " \t\r\n");
        if (!url_len || url[url_len + strspn(url + url_len, " \t\r\n")] != '\0') {
            fprintf(stderr, "redflag: %s:%ld: expected NAME URL\n", path, number);
            status = CLI_EXIT_ERROR;
            break;
        }
        status = sources_add(s, name, name_len, url, url_len, path, number);
    }
    if (status == 0 && ferror(f)) {
        fprintf(stderr, "redflag: %s: cannot read the sources file\n", path);
        status = CLI_EXIT_ERROR;
    }
    fclose(f);
    if (status == 0 && s->count == 0) {
        fprintf(stderr, "redflag: %s: no source in the sources file\n", path);
        status = CLI_EXIT_ERROR;
    }
    return status;
}

static void on_retry(const char *url, int attempt, double delay, const char *why, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "redflag: %s: attempt %d failed (%s); trying again in %g s\n", url, attempt,
            why, delay);
}

/* Parses a positive number of seconds (fractions allowed). */
static int parse_seconds(double *out, const char *s)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0) || v > 86400) return -1;
    *out = v;
    return 0;
}

static int parse_count(long *out, const char *s, long max)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max) return -1;
    *out = v;
    return 0;
}

/* Updates one source; prints what happened. 0 or CLI_EXIT_ERROR. */
static int update_one(rf_store *st, const source *src, const rf_update_options *opts)
{
    rf_update_result res;
    rf_error err;

    rf_error_clear(&err);
    if (strncasecmp(src->url, "http://", 7) == 0)
        fprintf(stderr, "redflag: %s: warning: plain http: nothing proves who sent the file; "
                        "use the https address if the publisher has one\n",
                src->url);
    if (rf_list_update(&res, st, src->url, opts, &err) < 0) {
        cli_report_error(&err);
        if (res.import.shrunk)
            fprintf(stderr, "redflag: %s: if the publisher really shortened the list, download "
                            "the file, check it, and import it with 'redflag lists import "
                            "--allow-shrink FILE'\n", src->url);
        printf("%s: %s: failed; the database was not changed for it\n", src->name, src->url);
        return CLI_EXIT_ERROR;
    }
    printf("%s: %s: ", src->name, src->url);
    if (res.final_url[0] && strcmp(res.final_url, src->url) != 0)
        printf("redirected to %s: ", res.final_url);
    switch (res.outcome) {
    case RF_UPDATE_IMPORTED:
        printf("imported as version %lld: %s, %ld entities, %ld names, %ld warnings, "
               "published %s, sha256 %s\n",
               res.import.version_id, rf_list_format_name(res.import.format), res.import.entities,
               res.import.names, res.import.warnings,
               res.import.published[0] ? res.import.published : "(not stated: from today)",
               res.sha256);
        break;
    case RF_UPDATE_NOT_MODIFIED:
        printf("not modified since the last update (HTTP 304)\n");
        break;
    case RF_UPDATE_UNCHANGED:
        printf("unchanged (sha256 %s, already imported)\n", res.sha256);
        break;
    }
    return 0;
}

/* After a failed update: the versions in force now, each with its date, age and origin
 * (the list bundled with redflag, a download, a file imported by hand), so nobody takes
 * them for fresher than they are. */
static void print_in_force(rf_store *st)
{
    const unsigned char *bundled;
    size_t len;
    char bundled_sha[65], today[32];
    rf_version_list in_force = {0};
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_versions_in_force(&in_force, st, NULL, &err) < 0) {
        cli_report_error(&err);
        return;
    }
    rf_bundled_list(&bundled, &len, NULL, NULL);
    rf_sha256_hex(bundled_sha, bundled, len);
    rf_time_utc(today);
    for (size_t i = 0; i < in_force.count; i++) {
        const rf_version *v = &in_force.items[i];
        rf_version_age age;
        int from_url = strncmp(v->source_file, "http://", 7) == 0 ||
                       strncmp(v->source_file, "https://", 8) == 0;
        fprintf(stderr, "  %s version %lld, %s %.10s", v->feed, v->id,
                v->published ? "published" : "no publication date, imported",
                v->published ? v->published : v->imported_at);
        if (rf_version_age_on(&age, v, today, &err) == 0)
            fprintf(stderr, " (%ld day%s old)", age.days, age.days == 1 ? "" : "s");
        if (strcmp(v->sha256, bundled_sha) == 0)
            fprintf(stderr, ": the list bundled with redflag (no newer one was ever imported)\n");
        else
            fprintf(stderr, ": %s %s\n", from_url ? "downloaded from" : "imported from",
                    v->source_file);
    }
    if (!in_force.count) fprintf(stderr, "  none\n");
    rf_version_list_free(&in_force);
}

/* What the command line asked for. */
typedef struct update_args {
    const char *db, *sources_file;
    rf_update_options opts;
    sources urls; /* --url, in order */
} update_args;

/* Reads the options: -1 to go on, else the exit status (help printed, usage error). */
static int parse_args(update_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"sources", required_argument, NULL, 's'},
        {"url", required_argument, NULL, 'u'},
        {"force", no_argument, NULL, 'F'},
        {"timeout", required_argument, NULL, 't'},
        {"connect-timeout", required_argument, NULL, 'c'},
        {"deadline", required_argument, NULL, 'D'},
        {"cacert", required_argument, NULL, 'C'},
        {"retries", required_argument, NULL, 'r'},
        {"retry-delay", required_argument, NULL, 'w'},
        {"max-size", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    double seconds;
    long n;
    int c;

    a->opts.retries = 3;
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "lists update")) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 's': a->sources_file = optarg; break;
        case 'u':
            if (sources_add(&a->urls, "url", 3, optarg, strlen(optarg), "--url", 0))
                return CLI_EXIT_ERROR;
            break;
        case 'F': a->opts.force = 1; break;
        case 't':
        case 'c':
            if (parse_seconds(&seconds, optarg) || seconds < 1)
                return cli_usage_error("lists update", "--%s wants whole seconds, not '%s'",
                                       c == 't' ? "timeout" : "connect-timeout", optarg);
            *(c == 't' ? &a->opts.timeout : &a->opts.connect_timeout) = (long)seconds;
            break;
        case 'C': a->opts.ca_file = optarg; break;
        case 'D':
            if (parse_seconds(&seconds, optarg) || seconds < 1)
                return cli_usage_error("lists update", "--deadline wants whole seconds, not '%s'",
                                       optarg);
            a->opts.deadline = (long)seconds;
            break;
        case 'r':
            if (parse_count(&n, optarg, 10))
                return cli_usage_error("lists update", "--retries wants 0 to 10, not '%s'",
                                       optarg);
            a->opts.retries = (int)n;
            break;
        case 'w':
            if (parse_seconds(&a->opts.backoff, optarg))
                return cli_usage_error("lists update", "--retry-delay wants seconds, not '%s'",
                                       optarg);
            break;
        case 'm':
            if (parse_count(&n, optarg, (long)(RF_FILE_MAX >> 20)) || n < 1)
                return cli_usage_error("lists update",
                                       "--max-size wants megabytes from 1 to %zu, not '%s'",
                                       RF_FILE_MAX >> 20, optarg);
            a->opts.max_bytes = (size_t)n << 20;
            break;
        case 'h': fputs(update_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (a->urls.count && (a->sources_file || optind < argc))
        return cli_usage_error("lists update",
                               "--url replaces the sources: give no --sources or names");
    return -1;
}

/* The sources to update into `all`: the --url ones, else those of the sources file (named in
 * `path`), else the defaults; each name among argv[optind..] must be one of them. 0, or an
 * exit status. */
static int pick_sources(sources *all, update_args *a, char path[1024], int argc, char **argv)
{
    if (a->urls.count) {
        *all = a->urls;
        a->urls.count = 0;
    } else {
        if (sources_path(path, 1024, a->sources_file)) return CLI_EXIT_ERROR;
        if (path[0]) {
            if (sources_read(all, path)) return CLI_EXIT_ERROR;
        } else {
            for (size_t i = 0; i < rf_list_default_sources_count; i++) {
                const rf_list_source *d = &rf_list_default_sources[i];
                if (sources_add(all, d->name, strlen(d->name), d->url, strlen(d->url),
                                "defaults", 0))
                    return CLI_EXIT_ERROR;
            }
        }
    }
    for (int i = optind; i < argc; i++) {
        size_t k = 0;
        while (k < all->count && strcmp(all->items[k].name, argv[i]) != 0) k++;
        if (k == all->count)
            return cli_usage_error("lists update", "no source named '%s'%s%s", argv[i],
                                   path[0] ? " in " : "", path[0] ? path : "");
    }
    return 0;
}

int cli_lists_update(int argc, char **argv)
{
    update_args a;
    sources all = {.count = 0};
    char path[1024];
    rf_store *st = NULL;
    int status, failed = 0, done = 0;

    memset(&a, 0, sizeof a);
    path[0] = '\0';
    if ((status = parse_args(&a, argc, argv)) >= 0 ||
        (status = pick_sources(&all, &a, path, argc, argv)) != 0 ||
        (status = cli_open_store(&st, a.db, CLI_DB_SEED) ? CLI_EXIT_ERROR : 0) != 0)
        goto done;

    a.opts.on_retry = on_retry;
    for (size_t i = 0; i < all.count; i++) {
        int wanted = optind == argc;
        for (int k = optind; k < argc && !wanted; k++) wanted = strcmp(all.items[i].name, argv[k]) == 0;
        if (!wanted) continue;
        done++;
        if (update_one(st, &all.items[i], &a.opts)) failed++;
        fflush(stdout);
    }
    if (failed < done) cli_store_index(st);
    if (failed) {
        fprintf(stderr, "redflag: %d of %d source%s failed; the lists in force now:\n", failed,
                done, done == 1 ? "" : "s");
        print_in_force(st);
    }
    status = failed ? CLI_EXIT_ERROR : 0;

done:
    rf_store_close(st);
    sources_free(&a.urls);
    sources_free(&all);
    return status;
}
