/* cmd_screen.c: `redflag screen`: reads order documents (CSV, UBL, cXML, X12, EDIFACT; a
 * directory stands for the files in it), screens every party against the lists in force with
 * one matcher built for the whole run, checks where the goods go, and writes the report. A
 * file that cannot be read is reported and recorded, and the other files are still
 * screened. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_MAPS 32

static const char screen_help[] =
    "usage: redflag screen [--db PATH] [--format html|jsonl|csv|xlsx] [-o FILE] [--threshold X]\n"
    "                      [--map ROLE=HEADER]... [--as-of DATE|document] [--max-hits N]\n"
    "                      [--max-list-age DAYS] [--sheet NAME] [--allow-empty] [--excel]\n"
    "                      [--read-only] [--exhaustive] [--threads N] FILE...\n"
    "\n"
    "Screens every party of every order, party list or bill of materials FILE (CSV with a\n"
    "header row; comma, semicolon or tab separated; UTF-8; gzip accepted; - is standard\n"
    "input) against the list versions in force, and writes one report for all files.\n";

/* The help in parts: one string would pass the 4,095 bytes C compilers must support. */
static const char screen_help_columns[] =
    "Headers ignore case and accents; spaces, tabs, no-break spaces, underscores, hyphens\n"
    "and punctuation count as one _ (\"Ship-to party\" is ship_to_party). Each non-empty\n"
    "cell of a party column is one party. Party columns: name, party, company (role party),\n"
    "customer, supplier, vendor, buyer, seller, consignee, ultimate/intermediate consignee,\n"
    "end_user (end customer), ship_to, sold_to, bill_to, notify_party, forwarder,\n"
    "manufacturer (mfr), each also with Name, Party or Company after it (\"Vendor Name\",\n"
    "\"Sold-to party\"), and the same roles in German, French, Spanish, Italian, Dutch,\n"
    "Portuguese, Polish, Chinese and Japanese (Hersteller, Lieferant, Kunde, Empfänger,\n"
    "Fournisseur, Proveedor, Fornitore, Leverancier, Dostawca, 供应商,\n"
    "仕入先, ...; README lists them).\n"
    "Other columns qualify the parties of their row: address, city, country (or\n"
    "country_code; ISO code or name), ref (reference, order_number, po_number), date\n"
    "(order_date), item (mpn, part_number, part, line). A BOM whose headers name no party\n"
    "column has its manufacturer column found from its content. A column read by none of\n"
    "these whose cells read as company names (a legal form: GmbH, Co., Ltd., ...) is a\n"
    "warning on stderr and in the report, naming the column and the --map that screens it.\n"
    "A file with no party at all (a header and no rows: a truncated export) is an error\n"
    "(exit status 2) unless --allow-empty.\n";

static const char screen_help_more[] =
    "FILE may also be an order in UBL 2.x (Order, OrderChange, PEPPOL BIS 3), cXML\n"
    "(OrderRequest), ANSI X12 850 or UN/EDIFACT ORDERS, told apart by content: every party\n"
    "in its role, line parties (manufacturer, ship-to of a line) with their order line. An\n"
    "Excel workbook (.xlsx) is read like its CSV export: its first visible sheet, or the one\n"
    "--sheet names; a party's line is its row. A directory stands for every file in it and\n"
    "its subdirectories but those plainly not orders (a README, an Office lock file ~$...,\n"
    "a PDF, an image), which are skipped with a warning. A PDF or image named on the command\n"
    "line is refused: export the order as CSV, XML or Excel.\n"
    "A ship-to, end user or consignee in Cuba, Iran, North Korea, Syria or the Crimea,\n"
    "Donetsk or Luhansk regions of Ukraine is flagged whatever its name (status embargo).\n"
    "\n";

static const char screen_help_options[] =
    "Options:\n"
    "  --db PATH           list database (default: see Environment)\n"
    "  --format FMT        html (a report for people: summary, then every flagged party\n"
    "                      with its hits and the reasons), jsonl (one JSON object per party),\n"
    "                      csv (one row per hit, or per party without hits), or xlsx (the\n"
    "                      CSV rows in an Excel workbook with decision and reason columns for\n"
    "                      'redflag review import'). Default: from the -o file's extension\n"
    "                      (.html, .jsonl, .csv, .xlsx), else jsonl\n"
    "  -o, --output FILE   write the report to FILE instead of standard output\n"
    "  --threshold X       lowest score (0 < X <= 1) that counts as a hit (default 0.80)\n"
    "  --map ROLE=HEADER   the column headed HEADER holds parties of role ROLE, e.g.\n"
    "                      --map manufacturer=Field1 (repeatable); adds to the columns\n"
    "                      the headers name or the content shows, replaces none\n"
    "  --sheet NAME        in .xlsx workbooks, read the sheet NAME (default: the first)\n"
    "  --excel             start the CSV report with a UTF-8 byte order mark, so that Excel\n"
    "                      opening it shows Chinese and accented names as they are\n"
    "  --allow-empty       a file without a single party is screened as empty, not an\n"
    "                      error (for a job where an empty export is normal)\n"
    "  --read-only         open the database read-only and record nothing: a copy shared\n"
    "                      by the workers of a distributed run (docs/distributed.md)\n"
    "  --as-of DATE        screen against the versions in force on DATE (YYYY-MM-DD)\n"
    "  --as-of document    screen each order against the versions in force on its own date\n"
    "                      (the date column; an order without one: today's)\n"
    "  --max-hits N        at most N hits per party (default 10)\n"
    "  --max-list-age DAYS warn of lists older than DAYS (default 30)\n"
    "  --ownership-rules F the ownership rules table F instead of the one built in\n"
    "                      (also $REDFLAG_OWNERSHIP_RULES; docs/ownership.md)\n"
    "  --related-alarm     a related finding (a company consolidated by or linked to a\n"
    "                      listed party, no share) is an alarm; without it, it is a hit\n"
    "                      to review (status review) that leaves the exit status at 0\n"
    "  --exhaustive        score every listed name instead of the index's candidates: the\n"
    "                      same hits, thousands of times slower (the index's check)\n"
    "  --threads N         screening threads (default: the processors online); the report\n"
    "                      and the record keep the files' order whatever N\n"
    "\n";

static const char screen_help_after[] =
    "Every party names the date and list versions it was screened against. A party that\n"
    "is clear but matches one the previous version of a list named (and the version in\n"
    "force removed) stays clear, and the report says it was delisted, from which version.\n"
    "\n"
    "A file that cannot be read, or a malformed row, is reported on stderr as FILE:LINE:\n"
    "message and recorded in the report; the other files are still screened, and the exit\n"
    "status is 2. Progress is shown on stderr when it is a terminal.\n"
    "\n"
    "Each hit shows its review state ('redflag review'): new, cleared, changed since it was\n"
    "cleared, confirmed or escalated; each party its counterparty fingerprint. Every run is\n"
    "recorded ('redflag history').\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 nothing flagged (or every hit cleared earlier by a reviewer, its listed\n"
    "record unchanged since), 1 at least one alarm: a hit never reviewed, cleared but its\n"
    "listed record changed since, confirmed, or escalated (not decided yet), or a party in an\n"
    "embargoed destination; 2 bad usage, a file not read or a database error (the message\n"
    "names the file and line); 130 or 143 stopped by SIGINT or SIGTERM (recorded as\n"
    "interrupted).\n";

/* What the command keeps of a run beside the session: the report, and what stderr says. */
typedef struct screen_run {
    rf_report *report;
    long parties;
    long flagged;
    long warnings;  /* about the input: columns of names not read */
    rf_error warning_failed; /* a warning could not be added to the report */
    int show_progress;
    struct timespec started;
    double next_progress; /* seconds since start when progress is next printed */
    int progress_shown;
} screen_run;

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* rf_session_options.on_result: counts the party, and shows progress on a terminal. */
static int progress(const rf_session_result *res, void *ctx)
{
    screen_run *run = ctx;
    double t;
    run->parties++;
    if (res->n_hits > 0) run->flagged++;
    if (!run->show_progress || (run->parties & 1023) != 0) return 0;
    t = seconds_since(&run->started);
    if (t < run->next_progress) return 0;
    /* \r and erase-line keep it on one line of the terminal. */
    fprintf(stderr, "\r\033[Kredflag: %ld parties screened, %ld flagged, %.0f/s (%s)",
            run->parties, run->flagged, (double)run->parties / t,
            res->party->document ? res->party->document : "");
    run->progress_shown = 1;
    run->next_progress = t + 0.5;
    return 0;
}

/* --max-list-age, else $REDFLAG_MAX_LIST_AGE, else RF_DEFAULT_MAX_LIST_AGE, into *out; 0, or
 * the exit status of a usage error. */
static int max_list_age(int *out, const char *option)
{
    const char *env = getenv("REDFLAG_MAX_LIST_AGE");
    *out = RF_DEFAULT_MAX_LIST_AGE;
    if (option && cli_parse_count(out, option, 365000))
        return cli_usage_error("screen", "--max-list-age wants days from 1 to 365000, not '%s'",
                               option);
    if (!option && env && env[0] && cli_parse_count(out, env, 365000))
        return cli_usage_error("screen", "REDFLAG_MAX_LIST_AGE wants days from 1 to 365000, "
                                         "not '%s'", env);
    return 0;
}

/* A warning of the order reader: on stderr, and in the report. */
static void input_warning(const char *file, long line, const char *message, void *ctx)
{
    screen_run *run = ctx;
    if (run->progress_shown) fputs("\r\033[K", stderr);
    cli_print_import_warning(file, line, message, NULL);
    run->warnings++;
    if (!run->warning_failed.code)
        rf_report_add_warning(run->report, file, line, message, &run->warning_failed);
}

/* The documents to read: the arguments in order, a directory standing for every file in it
 * and its subdirectories (sorted). A directory that cannot be listed, and a symbolic link in
 * one that leads out of it (not followed, so nothing of what it points at is read or
 * echoed), are reported and recorded like a file that cannot be read. NULL-terminated
 * (rf_orders_paths_free); NULL when memory ran out or the report failed (`fatal` says). */
static char **expand_inputs(char **args, int n, rf_report *report, rf_session *session,
                            rf_error *fatal)
{
    char **all = calloc(1, sizeof *all);
    size_t count = 0;
    int oom = !all;

    for (int i = 0; !oom && i < n; i++) {
        struct stat st;
        char **found = NULL, **grown, **outside = NULL;
        size_t n_found = 1;
        rf_error err;

        rf_error_clear(&err);
        if (strcmp(args[i], "-") != 0 && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode) &&
            rf_orders_list_dir(&found, &n_found, &outside, args[i], &err) < 0) {
            cli_report_error(&err);
            rf_session_input_failed(session);
            if (rf_report_add_failure(report, &err, fatal) < 0) goto fail;
            continue;
        }
        for (char **link = outside; link && *link; link++) {
            rf_error_set(&err, RF_EIO, *link, 0,
                         "a symbolic link that leads out of %s: not followed, not read", args[i]);
            cli_report_error(&err);
            rf_session_input_failed(session);
            if (rf_report_add_failure(report, &err, fatal) < 0) {
                rf_orders_paths_free(outside);
                rf_orders_paths_free(found);
                goto fail;
            }
        }
        rf_orders_paths_free(outside);
        /* a README, a lock file, a scan beside the exports: said, and skipped */
        for (size_t k = 0; found && k < n_found;) {
            const char *why = rf_orders_skip_reason(found[k]);
            char message[160];
            if (!why) {
                k++;
                continue;
            }
            snprintf(message, sizeof message, "skipped: %s", why);
            cli_print_import_warning(found[k], 0, message, NULL);
            if (rf_report_add_warning(report, found[k], 0, message, fatal) < 0) {
                rf_orders_paths_free(found);
                goto fail;
            }
            free(found[k]);
            memmove(found + k, found + k + 1, (n_found - k) * sizeof *found); /* and NULL */
            n_found--;
        }
        if (!(grown = realloc(all, (count + n_found + 1) * sizeof *all))) {
            rf_orders_paths_free(found);
            oom = 1;
            break;
        }
        all = grown;
        if (found) {
            memcpy(all + count, found, n_found * sizeof *found);
            free(found);
            count += n_found;
        } else if (!(all[count++] = rf_strdup(args[i]))) {
            oom = 1; /* the list ends at the copy that failed */
            break;
        }
        all[count] = NULL;
    }
    if (!oom) return all;
    rf_error_set(fatal, RF_ENOMEM, NULL, 0, "out of memory");
fail:
    rf_orders_paths_free(all);
    return NULL;
}

static int parse_map(rf_column_map *map, char *arg)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) return -1;
    *eq = '\0';
    map->role = arg;
    map->header = eq + 1;
    return 0;
}

/* What the command line asks for. */
typedef struct screen_args {
    const char *db, *output, *format_name, *max_age, *rules_path;
    rf_report_format format;
    int excel;
    int db_flags;
    rf_column_map maps[MAX_MAPS];
    rf_order_options order;
    rf_session_options session;
    int first_file; /* argv index of the first FILE */
} screen_args;

/* Reads the options into `a`; -1 to go on, else the exit status (help printed, usage error). */
static int parse_args(screen_args *a, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"threshold", required_argument, NULL, 't'},
        {"map", required_argument, NULL, 'm'},
        {"as-of", required_argument, NULL, 'a'},
        {"max-hits", required_argument, NULL, 'x'},
        {"sheet", required_argument, NULL, 's'},
        {"max-list-age", required_argument, NULL, 'A'},
        {"allow-empty", no_argument, NULL, 'e'},
        {"excel", no_argument, NULL, 'E'},
        {"read-only", no_argument, NULL, 'R'},
        {"ownership-rules", required_argument, NULL, 'O'},
        {"related-alarm", no_argument, NULL, 'L'},
        {"exhaustive", no_argument, NULL, 'X'},
        {"threads", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    rf_session_options *so = &a->session;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int c;

    so->threads = online > 0 && online < RF_SESSION_MAX_THREADS ? (int)online : 2;
    a->rules_path = getenv("REDFLAG_OWNERSHIP_RULES");
    a->db_flags = CLI_DB_SEED | CLI_DB_READ;
    a->order.maps = a->maps;
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":ho:", longopts, "screen")) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 'f': a->format_name = optarg; break;
        case 'o': a->output = optarg; break;
        case 't':
            if (cli_parse_threshold(&so->match.threshold, optarg))
                return cli_usage_error("screen", "--threshold wants a number in (0, 1], not '%s'",
                                       optarg);
            break;
        case 's': a->order.sheet = optarg; break;
        case 'm':
            if (a->order.n_maps == MAX_MAPS)
                return cli_usage_error("screen", "at most %d --map options", MAX_MAPS);
            if (parse_map(&a->maps[a->order.n_maps], optarg))
                return cli_usage_error("screen", "--map wants ROLE=HEADER, not '%s'", optarg);
            a->order.n_maps++;
            break;
        case 'a':
            so->per_document = strcmp(optarg, "document") == 0;
            if (!so->per_document && !rf_date_valid(optarg))
                return cli_usage_error("screen", "--as-of wants a date YYYY-MM-DD or 'document', "
                                                 "not '%s'",
                                       optarg);
            so->as_of = so->per_document ? NULL : optarg;
            break;
        case 'x':
            if (cli_parse_count(&so->match.max_hits, optarg, 1000))
                return cli_usage_error("screen", "--max-hits wants a number from 1 to 1000");
            break;
        case 'A': a->max_age = optarg; break;
        case 'e': a->order.allow_empty = 1; break;
        case 'E': a->excel = 1; break;
        case 'R': a->db_flags = CLI_DB_SEED | CLI_DB_READ_ONLY; break; /* empty: an error */
        case 'O': a->rules_path = optarg; break;
        case 'L': so->related_alarm = 1; break;
        case 'X': so->match.exhaustive = 1; break;
        case 'T':
            if (cli_parse_count(&so->threads, optarg, RF_SESSION_MAX_THREADS))
                return cli_usage_error("screen", "--threads wants a number from 1 to %d",
                                       RF_SESSION_MAX_THREADS);
            break;
        case 'h':
            fputs(screen_help, stdout);
            fputs(screen_help_columns, stdout);
            fputs(screen_help_more, stdout);
            fputs(screen_help_options, stdout);
            fputs(screen_help_after, stdout);
            return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (cli_report_format(&a->format, "screen", a->format_name, a->output)) return CLI_EXIT_ERROR;
    if (a->excel && a->format != RF_REPORT_CSV)
        return cli_usage_error("screen", "--excel is for the CSV report (an .xlsx report needs "
                                         "nothing)");
    if (optind >= argc) return cli_usage_error("screen", "no file to screen");
    if (max_list_age(&so->max_list_age, a->max_age)) return CLI_EXIT_ERROR;
    a->first_file = optind;
    so->argc = argc;
    so->argv = argv;
    so->on_notice = cli_session_notice;
    so->cancelled = cli_session_cancelled;
    so->on_result = progress;
    return -1;
}

/* Starts the report on `stream` for the session's run. Prints any error; 0 or -1. */
static int open_report(screen_run *run, rf_session *session, const screen_args *a, FILE *stream)
{
    rf_report_context ctx;
    rf_error err;
    rf_error_clear(&err);
    rf_session_report_context(session, &ctx);
    /* Excel reads a CSV file as the Windows code page unless it starts with a UTF-8 byte
     * order mark: without it Chinese and accented names come out as mojibake. */
    if (a->excel) fputs("\xEF\xBB\xBF", stream);
    if (rf_report_open(&run->report, a->format, stream, &ctx, &err) < 0 ||
        rf_report_set_max_list_age(run->report, a->session.max_list_age, &err) < 0) {
        cli_report_error(&err);
        return -1;
    }
    rf_session_set_report(session, run->report);
    return 0;
}

/* Reads and screens every input in turn; a file that cannot be read is said, recorded and
 * reported, and the others are still read. 0 when all were read or reported; else the exit
 * status (interrupted, or an error that stops the run, said here). */
static int read_inputs(screen_run *run, rf_session **session, char **inputs,
                       const rf_order_options *order)
{
    rf_error err, fatal;
    for (int i = 0; inputs[i]; i++) {
        int read;
        rf_error_clear(&err);
        rf_error_clear(&fatal);
        read = rf_orders_read(inputs[i], order, rf_session_screen, *session, &err) >= 0;
        if (cli_interrupted()) {
            if (run->progress_shown) fputs("\r\033[K", stderr);
            rf_session *s = *session;
            *session = NULL;
            return cli_session_interrupted(s);
        }
        /* screening or writing failed: no point going on */
        if (rf_session_input_done(*session, inputs[i], read ? NULL : &err, &fatal) < 0) {
            cli_report_error(&fatal);
            return CLI_EXIT_ERROR;
        }
        if (run->warning_failed.code) { /* the report cannot be written: no point going on */
            cli_report_error(&run->warning_failed);
            return CLI_EXIT_ERROR;
        }
        if (read) continue;
        if (run->progress_shown) fputs("\r\033[K", stderr);
        cli_report_error(&err);
        if (rf_report_add_failure(run->report, &err, &fatal) < 0) {
            cli_report_error(&fatal);
            return CLI_EXIT_ERROR;
        }
    }
    if (run->progress_shown) fputs("\r\033[K", stderr);
    return 0;
}

/* The run's summary on stderr. */
static void print_summary(const screen_run *run, const rf_session_totals *t, const char *output)
{
    fprintf(stderr, "redflag: %ld part%s screened in %ld file%s, %ld flagged", run->parties,
            run->parties == 1 ? "y" : "ies", t->inputs, t->inputs == 1 ? "" : "s", run->flagged);
    if (t->embargoed) fprintf(stderr, ", %ld in an embargoed destination", t->embargoed);
    if (run->flagged)
        fprintf(stderr, ": %lld new alarm%s, %lld known (confirmed or escalated), %lld cleared "
                "earlier", t->run.new_alarms, t->run.new_alarms == 1 ? "" : "s",
                t->run.known_alarms, t->run.cleared);
    if (t->run.to_review)
        fprintf(stderr, ", %lld to review (related to listed parties, no alarm)", t->run.to_review);
    if (t->failed_inputs)
        fprintf(stderr, ", %ld file%s not read", t->failed_inputs,
                t->failed_inputs == 1 ? "" : "s");
    if (run->warnings)
        fprintf(stderr, ", %ld warning%s about the input", run->warnings,
                run->warnings == 1 ? "" : "s");
    fputc('\n', stderr);
    if (output) fprintf(stderr, "redflag: report written to %s\n", output);
}

/* Completes the report and the output, says what was found, and finishes the run: its
 * exit status. */
static int finish(screen_run *run, rf_session **session, cli_output *out, const char *output)
{
    rf_session_totals t;
    rf_report *rep = run->report;
    rf_error err;

    rf_error_clear(&err);
    run->report = NULL;
    if (rf_report_close(rep, &err) < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    if (cli_output_close(out, 1)) return CLI_EXIT_ERROR;
    rf_session_totals_get(*session, &t);
    print_summary(run, &t, output);
    {
        rf_session *s = *session;
        *session = NULL;
        if (rf_session_close(s, &t, &err) < 0) {
            cli_report_error(&err);
            return CLI_EXIT_ERROR;
        }
    }
    if (t.run_id)
        fprintf(stderr, "redflag: recorded as run %lld ('redflag history show %lld')\n", t.run_id,
                t.run_id);
    else
        fprintf(stderr, "redflag: the database is read-only: this run is not recorded\n");
    return t.run.exit_status;
}

int cli_screen(int argc, char **argv)
{
    screen_args a;
    screen_run run;
    rf_store *store = NULL;
    rf_ownership_rules *rules = NULL;
    rf_session *session = NULL;
    cli_output out = {0};
    char **inputs = NULL; /* the files to read, directories expanded */
    int status;
    rf_error err;

    memset(&a, 0, sizeof a);
    memset(&run, 0, sizeof run);
    if ((status = parse_args(&a, argc, argv)) >= 0) return status;
    status = CLI_EXIT_ERROR;
    a.order.on_warning = input_warning;
    a.order.warning_ctx = &run;
    a.session.ctx = &run;

    if (cli_output_open(&out, a.output, a.db, (const char *const *)argv + a.first_file,
                        (size_t)(argc - a.first_file)))
        return CLI_EXIT_ERROR;
    cli_catch_signals(); /* a signal from here on stops the run at its next party */
    if (cli_open_store(&store, a.db, a.db_flags)) goto done;
    rf_error_clear(&err);
    if (rf_ownership_rules_load(&rules, a.rules_path && a.rules_path[0] ? a.rules_path : NULL,
                                &err) < 0 ||
        (a.session.ownership = rules, rf_session_open(&session, store, &a.session, &err)) < 0) {
        cli_report_error(&err);
        goto done;
    }
    if (open_report(&run, session, &a, out.stream)) goto done;
    run.show_progress = isatty(STDERR_FILENO);
    run.next_progress = 1.0; /* short runs print nothing */
    clock_gettime(CLOCK_MONOTONIC, &run.started);
    rf_error_clear(&err);
    if (!(inputs = expand_inputs(argv + a.first_file, argc - a.first_file, run.report, session,
                                 &err))) {
        cli_report_error(&err);
        goto done;
    }
    if ((status = read_inputs(&run, &session, inputs, &a.order)) != 0) goto done;
    status = finish(&run, &session, &out, a.output);

done:
    rf_orders_paths_free(inputs);
    rf_report_free(run.report);
    rf_session_free(session);
    cli_output_close(&out, 0);
    rf_ownership_rules_free(rules);
    rf_store_close(store);
    return status;
}
