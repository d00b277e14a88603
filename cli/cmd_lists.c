/* cmd_lists.c: `redflag lists import` (list files into new list versions) and `redflag lists
 * status` (which versions are in force, from which file, with how many entities per list);
 * `lists history`, `lists diff` (cmd_lists_history.c) and `lists update` (cmd_update.c) are
 * dispatched from here. */
#define _DEFAULT_SOURCE /* realpath */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char lists_help[] =
    "usage: redflag lists init [--db PATH] [--no-bundled]\n"
    "       redflag lists import [--db PATH] [--effective DATE] [--no-bundled]\n"
    "                            [--allow-shrink] FILE...\n"
    "       redflag lists status [--db PATH] [--as-of DATE] [--all]\n"
    "       redflag lists history [--db PATH] [--feed FEED] [--format text|jsonl]\n"
    "       redflag lists diff [--db PATH] [--format text|jsonl] [LIST] OLD NEW\n"
    "       redflag lists update [options] [SOURCE...]\n"
    "\n"
    "The list database: each list file imported is a list version, kept for ever.\n"
    "  init      create the database, with the bundled list\n"
    "  import    import list files as new versions\n"
    "  status    the versions in force, with their files and entity counts\n"
    "  history   every version imported, and what replaced it\n"
    "  diff      what changed between two versions\n"
    "  update    download the current lists from their publishers and import them\n"
    "'redflag lists SUBCOMMAND --help' shows a subcommand's options.\n"
    "\n" CLI_HELP_ENV CLI_HELP_EXIT_DONE;

static const char init_help[] =
    "usage: redflag lists init [--db PATH] [--no-bundled]\n"
    "\n"
    "Creates the database (--db, REDFLAG_DB, or the default) and imports the bundled list\n"
    "into it, or with --no-bundled leaves it empty (the bundled list then comes with the\n"
    "first screening, as for any empty database). A redflag database already there is left\n"
    "as it is. A --db or REDFLAG_DB path that does not exist is created only by init and\n"
    "import; every other command refuses it, so that a mistyped path is not screened\n"
    "against a new database.\n"
    "  --db PATH          list database (default: see Environment)\n"
    "  --no-bundled       leave the new database empty\n"
    "\n" CLI_HELP_ENV CLI_HELP_EXIT_DONE;

static const char import_help[] =
    "usage: redflag lists import [--db PATH] [--effective DATE] [--no-bundled]\n"
    "                            [--allow-shrink] FILE...\n"
    "\n"
    "Reads each list file (plain or gzip), detects its format from its content (trade.gov\n"
    "Consolidated Screening List CSV or JSON; BIS Denied Persons, Entity and Unverified\n"
    "Lists; State's ISN and ITAR debarred lists; OFAC's SDN and non-SDN lists as sdn.xml,\n"
    "consolidated.xml, SDN_ADVANCED.xml or the legacy CSV; the UN, UK and EU lists) and\n"
    "stores it as a new list version, in one transaction: a file that fails leaves the\n"
    "database as it was. OFAC's legacy CSV is a set: name sdn.csv (or cons_prim.csv), and\n"
    "its add.csv, alt.csv and sdn_comments.csv are read from the same directory, or name\n"
    "the directory, or name all four files (the set is imported once); a missing companion\n"
    "is a warning. Importing the same file (or set) again does nothing (\"already\n"
    "imported\"). For each file it prints the format, rows read, entities and names stored,\n"
    "warnings and the new version id; warnings go to stderr as FILE:LINE: warning: ....\n"
    "  --db PATH          list database (default: see Environment); created when missing\n"
    "  --effective DATE   publication date (YYYY-MM-DD) for files that carry none; a version\n"
    "                     is in force from its publication date until a newer version of the\n"
    "                     same feed replaces it\n"
    "  --no-bundled       do not import the bundled list into a new, empty database first\n"
    "  --allow-shrink     import a file even when it holds over 10 % fewer entities than\n"
    "                     the version of its feed it replaces; without it such a file (a\n"
    "                     truncated download, a partial file) is refused with both counts\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 every file imported (or already imported), 2 a file not imported (the\n"
    "others still are), bad usage or a database error.\n";

static const char status_help[] =
    "usage: redflag lists status [--db PATH] [--as-of DATE] [--all]\n"
    "\n"
    "Prints the database path and, per list version in force, its feed, format,\n"
    "publication date, source file, sha256, import time, and entity counts per list code.\n"
    "  --db PATH          list database (default: see Environment)\n"
    "  --as-of DATE       the versions in force on DATE instead of today\n"
    "  --all              every version ever imported, oldest first\n"
    "\n" CLI_HELP_ENV CLI_HELP_EXIT_DONE;

/* The directory of `path`, real (".": the working one), into out; 0, or -1 when unreadable. */
static int real_dir(char *out, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return realpath(dir, out) ? 0 : -1;
}

/* For a companion file of a list set (OFAC's add.csv, ...), the argument among files[0..n)
 * that names its set's main file in the same directory, and so reads it; NULL when none does.
 * `*main_name` is the main file's usual name, NULL when `path` is no companion. */
static const char *set_main_named(const char **main_name, const char *path, char *const *files,
                                  int n)
{
    char dir[PATH_MAX], other[PATH_MAX];
    size_t len;
    if (!(*main_name = rf_list_set_main(path)) || real_dir(dir, path) < 0) return NULL;
    len = strlen(*main_name);
    for (int i = 0; i < n; i++) {
        const char *base = strrchr(files[i], '/');
        base = base ? base + 1 : files[i];
        if (files[i] != path && strncasecmp(base, *main_name, len) == 0 &&
            (!base[len] || strcasecmp(base + len, ".gz") == 0) && real_dir(other, files[i]) == 0 &&
            strcmp(dir, other) == 0)
            return files[i];
    }
    return NULL;
}

static int lists_import(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"effective", required_argument, NULL, 'e'},
        {"no-bundled", no_argument, NULL, 'n'},
        {"allow-shrink", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL;
    rf_import_options opts = {0};
    int seed = 1, c, status = CLI_EXIT_CLEAR, imported = 0;
    rf_store *st = NULL;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "lists import")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'e':
            if (!rf_date_valid(optarg))
                return cli_usage_error("lists import", "--effective wants a date YYYY-MM-DD, not '%s'",
                                       optarg);
            opts.effective = optarg;
            break;
        case 'n': seed = 0; break;
        case 's': opts.allow_shrink = 1; break;
        case 'h': fputs(import_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind >= argc) return cli_usage_error("lists import", "no list file given");
    /* importing into a new database is what was asked: it is created */
    if (cli_open_store(&st, db, (seed ? CLI_DB_SEED : 0) | CLI_DB_CREATE)) return CLI_EXIT_ERROR;
    opts.on_warning = cli_print_import_warning;

    for (int i = optind; i < argc; i++) {
        rf_import_summary sum;
        rf_error err;
        const char *set_main, *main_name;
        rf_error_clear(&err);
        /* a whole set named file by file (sdn.csv add.csv alt.csv sdn_comments.csv) is one
         * list: its main file's import reads the companions */
        if ((set_main = set_main_named(&main_name, argv[i], argv + optind, argc - optind))) {
            printf("%s: read with %s, as part of its set\n", argv[i], set_main);
            continue;
        }
        if (main_name) {
            fprintf(stderr, "redflag: %s: not a list by itself but a companion of OFAC's %s, "
                    "which reads it from the same directory: import %s (or the directory)\n",
                    argv[i], main_name, main_name);
            printf("%s: not imported\n", argv[i]);
            status = CLI_EXIT_ERROR;
            continue;
        }
        memset(&sum, 0, sizeof sum);
        if (rf_import_list_file(&sum, st, argv[i], &opts, &err) < 0) {
            cli_report_error(&err);
            if (sum.shrunk)
                fprintf(stderr, "redflag: %s: if the list really is that much shorter, import "
                                "it with --allow-shrink\n", argv[i]);
            printf("%s: not imported\n", argv[i]);
            status = CLI_EXIT_ERROR;
            continue;
        }
        if (sum.already_imported) {
            printf("%s: %s, already imported\n", argv[i], rf_list_format_name(sum.format));
            continue;
        }
        printf("%s: %s, %ld rows, %ld entities, %ld names, %ld warnings, published %s, "
               "version %lld\n",
               argv[i], rf_list_format_name(sum.format), sum.rows, sum.entities, sum.names,
               sum.warnings, sum.published[0] ? sum.published : "unknown", sum.version_id);
        imported = 1;
    }
    if (imported) cli_store_index(st);
    rf_store_close(st);
    return status;
}

static int lists_init(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"no-bundled", no_argument, NULL, 'n'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL;
    char path[1024];
    struct stat sb;
    int seed = 1, c, existed;
    rf_store *st = NULL;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "lists init")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n': seed = 0; break;
        case 'h': fputs(init_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind < argc) return cli_usage_error("lists init", "unexpected argument '%s'", argv[optind]);
    if (cli_db_path(path, sizeof path, db)) return CLI_EXIT_ERROR;
    existed = stat(path, &sb) == 0 && sb.st_size > 0;
    if (cli_open_store(&st, db, (seed ? CLI_DB_SEED : 0) | CLI_DB_CREATE)) return CLI_EXIT_ERROR;
    printf("database %s: %s\n", path,
           existed ? "a redflag database already, left as it was" : "created");
    rf_store_close(st);
    return 0;
}

/* Collects "EL 2001, DPL 462, ..." for one version. */
static int add_count(const char *list_code, long long count, void *ctx)
{
    rf_buf *line = ctx;
    return rf_buf_printf(line, "%s%s %lld", line->len ? ", " : "", list_code, count);
}

/* The ownership data a version carries (an ownership file's links, or the relations a
 * list names itself): how many links, how many with a share, their sources and dates. */
static int print_links(rf_store *st, const rf_version *v)
{
    rf_link_summary s;
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_link_summary(&s, st, v->id, &err) < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    if (!s.links) {
        if (rf_version_is_ownership(v)) printf("  links      none\n");
        return 0;
    }
    printf("  links      %lld (%lld with a share, %lld without: consolidation or linked to)\n",
           s.links, s.with_share, s.links - s.with_share);
    if (s.sources[0]) printf("  sources    %s\n", s.sources);
    if (s.first_as_of[0])
        printf("  as of      %s%s%s\n", s.first_as_of,
               strcmp(s.first_as_of, s.last_as_of) ? " to " : "",
               strcmp(s.first_as_of, s.last_as_of) ? s.last_as_of : "");
    return 0;
}

static int print_version(rf_store *st, const rf_version *v)
{
    rf_buf counts = {0};
    rf_error err;
    int rc;

    rf_error_clear(&err);
    rc = rf_store_version_counts(st, v->id, add_count, &counts, &err);
    if (rc < 0) {
        rf_buf_free(&counts);
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    printf("\n%s, version %lld (%s)\n", v->feed, v->id, v->format);
    printf("  published  %s\n", v->published ? v->published : "none given (in force from its import)");
    printf("  file       %s\n", v->source_file);
    printf("  sha256     %s\n", v->sha256);
    printf("  imported   %s\n", v->imported_at);
    printf("  entities   %lld (%lld names, %lld warnings)\n", v->entities, v->names, v->warnings);
    printf("  lists      %s\n", counts.len ? counts.data : "none");
    rf_buf_free(&counts);
    return print_links(st, v);
}

static int lists_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"as-of", required_argument, NULL, 'a'},
        {"all", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *as_of = NULL;
    int all = 0, c, status = 0;
    char path[1024];
    rf_store *st = NULL;
    rf_version_list versions = {0};
    rf_error err;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "lists status")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'a':
            if (!rf_date_valid(optarg))
                return cli_usage_error("lists status", "--as-of wants a date YYYY-MM-DD, not '%s'",
                                       optarg);
            as_of = optarg;
            break;
        case 'A': all = 1; break;
        case 'h': fputs(status_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind < argc) return cli_usage_error("lists status", "unexpected argument '%s'", argv[optind]);
    if (all && as_of) return cli_usage_error("lists status", "--all and --as-of exclude each other");
    if (cli_db_path(path, sizeof path, db) || cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ))
        return CLI_EXIT_ERROR;

    rf_error_clear(&err);
    if ((all ? rf_store_versions_all(&versions, st, &err)
             : rf_store_versions_in_force(&versions, st, as_of, &err)) < 0) {
        cli_report_error(&err);
        rf_store_close(st);
        return CLI_EXIT_ERROR;
    }
    printf("database %s\n", path);
    if (all) printf("%zu list versions imported\n", versions.count);
    else printf("%zu list versions in force %s%s\n", versions.count, as_of ? "on " : "today",
                as_of ? as_of : "");
    for (size_t i = 0; i < versions.count && status == 0; i++)
        status = print_version(st, &versions.items[i]);
    rf_version_list_free(&versions);
    rf_store_close(st);
    return status;
}

int cli_lists(int argc, char **argv)
{
    if (argc < 2) {
        fputs(lists_help, stderr);
        return CLI_EXIT_ERROR;
    }
    if (strcmp(argv[1], "init") == 0) return lists_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "import") == 0) return lists_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "status") == 0) return lists_status(argc - 1, argv + 1);
    if (strcmp(argv[1], "history") == 0) return cli_lists_history(argc - 1, argv + 1);
    if (strcmp(argv[1], "diff") == 0) return cli_lists_diff(argc - 1, argv + 1);
    if (strcmp(argv[1], "update") == 0) return cli_lists_update(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(lists_help, stdout);
        return 0;
    }
    return cli_usage_error("lists", "no subcommand '%s' (init, import, status, history, diff "
                                    "or update)", argv[1]);
}
