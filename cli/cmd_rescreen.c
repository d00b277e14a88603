/* cmd_rescreen.c: `redflag rescreen`: screens every counterparty any run has seen against the
 * list versions in force now and reports only what changed since each was last screened (a
 * rescreen session, session/rescreen.c, does the work). This is what an ERP runs after
 * `lists update`. The command reads the options, opens the database and the report, and
 * says what changed. */
#include "cli.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>


static const char rescreen_help[] =
    "usage: redflag rescreen [--db PATH] [--format html|jsonl|csv] [-o FILE] [--threads N]\n"
    "                        [--threshold X] [--max-hits N]\n"
    "\n"
    "Screens every counterparty seen by an earlier `redflag screen` (against today's lists)\n"
    "against the list versions in force now, and reports only what is new since each was last\n"
    "screened, one party per entry with the hits that changed:\n"
    "  new        a hit it did not have\n"
    "  changed    a hit whose listed record changed (what changed is said)\n"
    "  delisted   a hit whose listed entity is no longer in the lists in force\n"
    "  dropped    a hit whose entity is still listed but no longer matches\n"
    "Each hit also shows its review state: a party cleared against an entity alarms again when\n"
    "that entity's record changed. The run is recorded in the audit trail ('redflag history').\n"
    "  --db PATH        list database (default: see Environment)\n"
    "  --format FMT     html, jsonl or csv, as for `redflag screen` (default: from the -o file's\n"
    "                   extension, else jsonl)\n"
    "  -o, --output FILE  write the report to FILE instead of standard output\n"
    "  --threads N      screening threads (default: the processors online)\n"
    "  --threshold X    lowest score that counts as a hit (default 0.80)\n"
    "  --max-hits N     at most N hits per party (default 10)\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 nothing new alarms, 1 a reported hit alarms (new, or changed since it was\n"
    "cleared, or on a confirmed or escalated party), 2 bad usage or a database error,\n"
    "130 or 143 stopped by SIGINT or SIGTERM: recorded as interrupted, and the counterparties\n"
    "are left as they were, so the next rescreen reports everything again.\n";

/* Reads the options: -1 to go on, else the exit status (help printed, usage error). */
static int parse_args(rf_session_options *so, int *threads, const char **db, const char **output,
                      rf_report_format *format, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},    {"threads", required_argument, NULL, 'T'},
        {"threshold", required_argument, NULL, 't'}, {"max-hits", required_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
    const char *format_name = NULL;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":ho:", longopts, "rescreen")) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'f': format_name = optarg; break;
        case 'o': *output = optarg; break;
        case 'T':
            if (cli_parse_count(threads, optarg, RF_SESSION_MAX_THREADS))
                return cli_usage_error("rescreen", "--threads wants a number from 1 to %d",
                                       RF_SESSION_MAX_THREADS);
            break;
        case 't':
            if (cli_parse_threshold(&so->match.threshold, optarg))
                return cli_usage_error("rescreen", "--threshold wants a number in (0, 1], not '%s'",
                                       optarg);
            break;
        case 'x':
            if (cli_parse_count(&so->match.max_hits, optarg, 1000))
                return cli_usage_error("rescreen", "--max-hits wants a number from 1 to 1000");
            break;
        case 'h': fputs(rescreen_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind < argc) return cli_usage_error("rescreen", "unexpected argument '%s'", argv[optind]);
    if (cli_report_format(format, "rescreen", format_name, *output)) return CLI_EXIT_ERROR;
    so->rescreen = 1;
    so->argc = argc;
    so->argv = argv;
    so->cancelled = cli_session_cancelled;
    return -1;
}

/* What changed, on stderr. */
static void print_summary(const rf_session_totals *t, const char *output)
{
    fprintf(stderr,
            "redflag: %ld counterpart%s rescreened, %ld changed: %ld new hit%s, %ld changed "
            "listing%s, %ld delisted, %ld no longer matched; %lld new alarm%s\n",
            t->rescreened, t->rescreened == 1 ? "y" : "ies", t->reported, t->new_hits,
            t->new_hits == 1 ? "" : "s", t->changed_hits, t->changed_hits == 1 ? "" : "s",
            t->delisted_hits, t->dropped_hits, t->run.new_alarms,
            t->run.new_alarms == 1 ? "" : "s");
    if (output) fprintf(stderr, "redflag: report written to %s\n", output);
    fprintf(stderr, "redflag: recorded as run %lld ('redflag history show %lld')\n", t->run_id,
            t->run_id);
}

int cli_rescreen(int argc, char **argv)
{
    const char *db = NULL, *output = NULL;
    rf_report_format format = RF_REPORT_JSONL;
    rf_session_options so;
    rf_report_context ctx;
    rf_session_totals t;
    rf_store *store = NULL;
    rf_session *session = NULL;
    rf_report *report = NULL;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = online > 0 && online < RF_SESSION_MAX_THREADS ? (int)online : 2;
    int status;
    cli_output out = {0};
    rf_error err;

    memset(&so, 0, sizeof so);
    rf_error_clear(&err);
    if ((status = parse_args(&so, &threads, &db, &output, &format, argc, argv)) >= 0)
        return status;
    status = CLI_EXIT_ERROR;
    if (cli_output_open(&out, output, db, NULL, 0)) return CLI_EXIT_ERROR;
    /* From here a signal stops the run cleanly (loading the lists checks no flag: the run
     * stops as soon as it starts). */
    cli_catch_signals();
    if (cli_open_store(&store, db, CLI_DB_SEED | CLI_DB_READ)) goto done;
    if (rf_session_open(&session, store, &so, &err) < 0) goto done;
    rf_session_report_context(session, &ctx);
    if (rf_report_open(&report, format, out.stream, &ctx, &err) < 0) goto done;
    rf_session_set_report(session, report);
    if (rf_session_rescreen(session, threads, &err) < 0) goto done;
    rf_session_set_report(session, NULL);
    {
        rf_report *rep = report;
        report = NULL;
        if (rf_report_close(rep, &err) < 0) goto done;
    }
    /* The counterparties are marked screened (rf_session_close) only once the report that
     * tells about them is complete: synced and renamed over its target. */
    if (cli_output_close(&out, 1)) goto done;
    {
        rf_session *s = session;
        session = NULL;
        if (rf_session_close(s, &t, &err) < 0) goto done;
    }
    status = t.run.exit_status;
    print_summary(&t, output);

done:
    if (cli_interrupted() && status == CLI_EXIT_ERROR) {
        rf_session *s = session;
        session = NULL;
        status = cli_session_interrupted(s);
    } else if (status == CLI_EXIT_ERROR && err.code) {
        cli_report_error(&err);
    }
    rf_report_free(report);
    cli_output_close(&out, 0);
    rf_session_free(session);
    rf_store_close(store);
    return status;
}
