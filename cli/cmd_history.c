/* cmd_history.c: `redflag history`, the screening runs on the command line: the runs of a
 * period; `history show RUN`, a run's report rebuilt from its record alone (the parties, hits
 * and decisions it recorded, and the listed records those hits point at, which are never
 * deleted), whatever list versions were imported since; `history import`, the JSON lines of a
 * distributed `screen --read-only` run recorded as one run (rf_session_import). */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char history_help[] =
    "usage: redflag history [--db PATH] [--from DATE] [--to DATE]\n"
    "       redflag history show RUN [--db PATH] [--format html|jsonl|csv] [-o FILE]\n"
    "       redflag history import [--db PATH] RESULTS.jsonl...\n"
    "\n"
    "Every `redflag screen` and `redflag rescreen` is recorded: when, by whom, the command\n"
    "line, each input file with its sha256, the list versions screened against, and every\n"
    "party with its hits and their review state.\n"
    "history: lists the runs started from --from to --to (YYYY-MM-DD, both included):\n"
    "run number, start time, user, command, files, parties, flagged parties, new alarms,\n"
    "known alarms (confirmed, escalated), cleared earlier, exit status.\n"
    "history show RUN: writes the report of run RUN again, from the record alone, as it was\n"
    "written then (same time stamp, same list versions, same decisions), even after the lists\n"
    "were updated. --format as for `redflag screen` (default: from the -o file's extension,\n"
    "else jsonl).\n"
    "history import: records the JSON lines of `redflag screen --read-only --format jsonl`\n"
    "runs on other machines (docs/distributed.md) as one run, after checking every line:\n"
    "its list versions are in this database with the same sha256, its fingerprint is its\n"
    "party's, each hit names a listed record of those versions by its id, list and name; on\n"
    "a mismatch nothing is recorded and the message names FILE:LINE. Review states are\n"
    "this database's; counterparties are not updated (rescreen reads local runs).\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 done (import: nothing flagged), 1 import: an alarm among the parties,\n"
    "2 bad usage, a line that does not check out, or a database error.\n";

/* Parses a run number; 0 on success. */
static int parse_run(long long *out, const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v <= 0) return -1;
    *out = v;
    return 0;
}

/* ---- history ------------------------------------------------------------------------------ */

static int history_list(rf_store *st, const char *from, const char *to)
{
    rf_run_list runs = {0};
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_runs(&runs, st, 0, from, to, &err) < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    printf("%-5s %-20s %-12s %-9s %5s %9s %8s %6s %6s %8s %5s %s\n", "run", "started", "user",
           "command", "files", "parties", "flagged", "new", "known", "cleared", "exit",
           "status");
    for (size_t i = 0; i < runs.count; i++) {
        const rf_run_record *r = &runs.items[i];
        printf("%-5lld %-20s ", r->id, r->started_at);
        cli_print_cell(stdout, r->user, 12, 1);
        printf(" %-9s %5d %9lld %8lld %6lld %6lld %8lld ", r->command, r->inputs,
               r->totals.parties, r->totals.flagged, r->totals.new_alarms,
               r->totals.known_alarms, r->totals.cleared);
        if (r->totals.exit_status >= 0) printf("%5d", r->totals.exit_status);
        else printf("%5s", "-");
        printf(" %s\n", r->status);
    }
    if (runs.count == 0) printf("(no run)\n");
    rf_run_list_free(&runs);
    return 0;
}

/* Replaying a run into a report. */
typedef struct replay {
    rf_report *report;
    rf_error failures[64]; /* the inputs that were not read to their end, in order */
    int failure_input[64];
    size_t n_failures, next_failure;
    const rf_hit **hits;
    rf_hit *hit_store;
    rf_span *spans;
    rf_hit_note *notes;
    size_t cap, spans_cap;
    rf_error err;
} replay;

static int collect_failure(const rf_run_input *in, void *ctx)
{
    replay *rp = ctx;
    rf_error *f;
    if (!in->error) return 0;
    if (rp->n_failures == sizeof rp->failures / sizeof rp->failures[0]) return 0;
    f = &rp->failures[rp->n_failures];
    rf_error_set(f, RF_EFORMAT, in->path, in->error_line, "%s", in->error);
    rp->failure_input[rp->n_failures++] = in->position;
    return 0;
}

/* Writes the failures of the inputs before `input` (all when input < 0), where the run wrote
 * them: after the parties of their file. */
static int flush_failures(replay *rp, int input)
{
    while (rp->next_failure < rp->n_failures &&
           (input < 0 || rp->failure_input[rp->next_failure] < input))
        if (rf_report_add_failure(rp->report, &rp->failures[rp->next_failure++], &rp->err) < 0)
            return -1;
    return 0;
}

static int replay_result(const rf_run_result *r, void *ctx)
{
    replay *rp = ctx;
    size_t n_spans = 0, used = 0;

    if (flush_failures(rp, r->input) < 0) return 1;
    for (size_t i = 0; i < r->n_hits; i++)
        n_spans += r->hits[i].n_listed_spans + r->hits[i].n_party_spans;
    if (r->n_hits > rp->cap) {
        const rf_hit **a = realloc(rp->hits, r->n_hits * sizeof *a);
        rf_hit *b = a ? realloc(rp->hit_store, r->n_hits * sizeof *b) : NULL;
        rf_hit_note *c = b ? realloc(rp->notes, r->n_hits * sizeof *c) : NULL;
        if (a) rp->hits = a;
        if (b) rp->hit_store = b;
        if (!c) goto oom;
        rp->notes = c;
        rp->cap = r->n_hits;
    }
    if (n_spans > rp->spans_cap) {
        rf_span *s = realloc(rp->spans, n_spans * sizeof *s);
        if (!s) goto oom;
        rp->spans = s;
        rp->spans_cap = n_spans;
    }
    for (size_t i = 0; i < r->n_hits; i++) {
        const rf_run_hit *h = &r->hits[i];
        rf_hit *out = &rp->hit_store[i];
        memset(out, 0, sizeof *out);
        out->entity = h->entity;
        out->name_index = h->name_index;
        out->score = h->score;
        out->explanation = h->explanation;
        out->listed_spans = rp->spans + used;
        for (size_t k = 0; k < h->n_listed_spans; k++, used++)
            rp->spans[used] = (rf_span){h->listed_spans[2 * k], h->listed_spans[2 * k + 1]};
        out->n_listed_spans = h->n_listed_spans;
        out->party_spans = rp->spans + used;
        for (size_t k = 0; k < h->n_party_spans; k++, used++)
            rp->spans[used] = (rf_span){h->party_spans[2 * k], h->party_spans[2 * k + 1]};
        out->n_party_spans = h->n_party_spans;
        rp->hits[i] = out;
        rp->notes[i] = (rf_hit_note){h->decision, h->record_changed, h->changes, h->rescreen};
    }
    return rf_report_add_reviewed(rp->report, r->party, rp->hits, r->n_hits,
                                  r->fingerprint && r->fingerprint[0] ? r->fingerprint : NULL,
                                  rp->notes, &rp->err) < 0;
oom:
    rf_error_set(&rp->err, RF_ENOMEM, NULL, 0, "out of memory");
    return 1;
}

static int history_show(rf_store *st, long long run_id, const char *format_name,
                        cli_output *output)
{
    rf_run_list runs = {0};
    rf_version_list versions = {0};
    rf_snapshot *entities = NULL;
    rf_report_context ctx;
    rf_report_format format = RF_REPORT_JSONL;
    const rf_run_record *r;
    rf_buf command = {0};
    replay rp;
    int status = CLI_EXIT_ERROR;

    memset(&rp, 0, sizeof rp);
    if (cli_report_format(&format, "history", format_name, output->path))
        return CLI_EXIT_ERROR;
    if (rf_store_runs(&runs, st, run_id, NULL, NULL, &rp.err) < 0 ||
        rf_store_run_versions(&versions, st, run_id, &rp.err) < 0 ||
        rf_snapshot_load_run(&entities, st, run_id, &rp.err) < 0 ||
        rf_store_run_inputs(st, run_id, collect_failure, &rp, &rp.err) < 0)
        goto done;
    r = &runs.items[0];
    memset(&ctx, 0, sizeof ctx);
    ctx.versions = &versions;
    ctx.threshold = r->threshold;
    ctx.as_of = r->as_of;
    ctx.generated_at = r->report_time;
    ctx.tool_version = r->tool_version;
    ctx.run_id = run_id;
    ctx.user = r->user;
    if (r->settings && rf_buf_printf(&command, "redflag %s", r->settings) == RF_OK)
        ctx.command = command.data;
    if (rf_report_open(&rp.report, format, output->stream, &ctx, &rp.err) < 0 ||
        rf_store_run_results(st, run_id, entities, replay_result, &rp, &rp.err) < 0 ||
        flush_failures(&rp, -1) < 0)
        goto done;
    {
        rf_report *rep = rp.report;
        rp.report = NULL;
        if (rf_report_close(rep, &rp.err) < 0) goto done;
    }
    if (strcmp(r->status, "done") != 0)
        fprintf(stderr, "redflag: run %lld is %s: its report holds the parties it recorded\n",
                run_id, r->status);
    status = 0;

done:
    if (status) cli_report_error(&rp.err);
    rf_report_free(rp.report);
    if (cli_output_close(output, status == 0)) status = CLI_EXIT_ERROR;
    free(rp.hits);
    free(rp.hit_store);
    free(rp.spans);
    free(rp.notes);
    rf_snapshot_free(entities);
    rf_version_list_free(&versions);
    rf_run_list_free(&runs);
    rf_buf_free(&command);
    return status;
}

/* `history import FILE...`: the files recorded as one run (the command line as its settings);
 * the exit status. */
static int history_import(rf_store *st, char **files, int n_files, int argc, char **argv)
{
    rf_session_options options = {0};
    rf_session_totals t;
    rf_error err;
    rf_error_clear(&err);
    options.argc = argc;
    options.argv = argv;
    if (rf_session_import(st, (const char *const *)files, n_files, &options, &t, &err) < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    fprintf(stderr, "redflag: %lld part%s imported from %d file%s, %lld flagged: recorded as run "
                    "%lld ('redflag history show %lld')\n",
            t.run.parties, t.run.parties == 1 ? "y" : "ies", n_files, n_files == 1 ? "" : "s",
            t.run.flagged, t.run_id, t.run_id);
    return t.run.exit_status;
}

int cli_history(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *from = NULL, *to = NULL, *format = NULL, *output = NULL;
    rf_store *st = NULL;
    cli_output out;
    long long run_id = 0;
    int c, status;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":ho:", longopts, "history")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
        case 't':
            if (!rf_date_valid(optarg))
                return cli_usage_error("history", "--%s wants a date YYYY-MM-DD, not '%s'",
                                       c == 'f' ? "from" : "to", optarg);
            *(c == 'f' ? &from : &to) = optarg;
            break;
        case 'F': format = optarg; break;
        case 'o': output = optarg; break;
        case 'h': fputs(history_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind < argc && strcmp(argv[optind], "import") == 0) {
        if (argc - optind < 2) return cli_usage_error("history", "import wants JSON lines files");
        if (output || format || from || to)
            return cli_usage_error("history", "import takes only --db and files");
        if (cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ)) return CLI_EXIT_ERROR;
        status = history_import(st, argv + optind + 1, argc - optind - 1, argc, argv);
        rf_store_close(st);
        return status;
    }
    if (optind < argc && strcmp(argv[optind], "show") == 0) {
        if (argc - optind != 2 || parse_run(&run_id, argv[optind + 1]) < 0)
            return cli_usage_error("history", "show wants one run number");
    } else if (optind < argc) {
        return cli_usage_error("history", "unexpected argument '%s'", argv[optind]);
    }
    if (!run_id && output)
        return cli_usage_error("history", "-o writes the report of 'history show RUN'");
    if (cli_output_open(&out, output, db, NULL, 0)) return CLI_EXIT_ERROR;
    if (cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ)) {
        cli_output_close(&out, 0);
        return CLI_EXIT_ERROR;
    }
    status = run_id ? history_show(st, run_id, format, &out) : history_list(st, from, to);
    cli_output_close(&out, 0); /* history_show refused its --format: nothing was written */
    rf_store_close(st);
    return status;
}
