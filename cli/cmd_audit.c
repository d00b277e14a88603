/* cmd_audit.c: the audit trail for an auditor. `redflag audit export` writes the runs and
 * decisions of a period as CSV or JSON, with the head of the evidence chain; `redflag audit
 * verify` recomputes the chain and names what does not fit. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char audit_help[] =
    "usage: redflag audit export [--db PATH] [--from DATE] [--to DATE] [--format csv|json]\n"
    "                            [-o FILE]\n"
    "       redflag audit verify [--db PATH] [--head HASH]\n"
    "\n"
    "Writes the audit trail of a period (from --from to --to, YYYY-MM-DD, both included; no\n"
    "bound when left out), oldest first, for an auditor:\n"
    "  every screening run: time, user, command line, status, threshold, the list versions\n"
    "  (feed, publication date, file, sha256), each input file with its sha256, the totals,\n"
    "  and every hit with the counterparty, the listed entity and its review state;\n"
    "  every review decision: time, reviewer, decision, reason, counterparty, listed entity.\n"
    "csv (default): one row per record (run, input, hit, decision), in time order.\n"
    "json: one object {\"from\", \"to\", \"chain_head\", \"runs\": [...], \"decisions\": [...]}.\n"
    "Both carry the head of the evidence chain (its hash and number of records): keep it\n"
    "outside the database.\n"
    "\n"
    "verify: list versions, finished runs and review decisions are sealed into a hash chain\n"
    "as they are recorded. verify recomputes it from the records and prints each that does\n"
    "not fit (table, id, what differs), records never sealed, and missing or altered guard\n"
    "triggers; exit 0 when everything fits, 1 when something does not.\n"
    "  --head HASH   the chain head of an earlier export: also checks that the chain still\n"
    "                begins with what it sealed (nothing recorded before it changed)\n"
    "Someone able to write the database can recompute the whole chain: only a head kept\n"
    "elsewhere proves the evidence before it.\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: export: 0 written, 2 bad usage or a database error. verify: 0 everything\n"
    "fits, 1 a record, the chain or a guard does not, 2 bad usage or a database error.\n";

/* ---- audit export ------------------------------------------------------------------------ */

typedef struct exporter {
    rf_store *st;
    int json;
    FILE *out;
    rf_buf b;
    const rf_run_record *run; /* the run whose inputs or hits are being written */
    int first;                /* no element written yet in the current JSON array */
    int rc;                   /* first formatting error */
    rf_error err;
} exporter;

static void put(exporter *x, const char *s)
{
    if (!x->rc) x->rc = rf_buf_puts(&x->b, s);
}

static void putf(exporter *x, const char *fmt, long long v)
{
    if (!x->rc) x->rc = rf_buf_printf(&x->b, fmt, v);
}

/* JSON: `,"key":"value"` (the comma left out for the first member). */
static void jstr(exporter *x, const char *key, const char *value, int first)
{
    if (x->rc) return;
    if (!first) put(x, ",");
    put(x, "\"");
    put(x, key);
    put(x, "\":");
    if (!x->rc) x->rc = rf_json_string(&x->b, value);
}

/* CSV: one row of the columns below; NULL cells empty. */
enum { C_RECORD, C_RUN, C_TIME, C_USER, C_COMMAND, C_STATUS, C_FILE, C_SHA256, C_LISTS,
       C_PARTY, C_FINGERPRINT, C_LIST, C_SOURCE_ID, C_LISTED, C_SCORE, C_STATE, C_DECISION,
       C_REVIEWER, C_REASON, C_DETAIL, N_CSV };

static const char csv_header[] =
    "record,run,time,user,command,status,file,sha256,lists,party,fingerprint,list,source_id,"
    "listed_name,score,state,decision,reviewer,reason,detail\r\n";

static void csv_row(exporter *x, const char *const cells[N_CSV])
{
    for (int c = 0; c < N_CSV && !x->rc; c++) {
        if (c) put(x, ",");
        if (!x->rc) x->rc = rf_csv_cell(&x->b, cells[c]);
    }
    put(x, "\r\n");
}

static int flush(exporter *x)
{
    if (x->rc) return rf_error_set(&x->err, x->rc, NULL, 0, "cannot format the export");
    if (x->b.len && fwrite(x->b.data, 1, x->b.len, x->out) != x->b.len)
        return rf_error_set(&x->err, RF_EIO, NULL, 0, "cannot write the export");
    rf_buf_reset(&x->b);
    return 0;
}

static int export_input(const rf_run_input *in, void *ctx)
{
    exporter *x = ctx;
    char id[24], parties[48];
    snprintf(id, sizeof id, "%lld", x->run->id);
    if (x->json) {
        put(x, x->first ? "{" : ",{");
        x->first = 0;
        jstr(x, "path", in->path, 1);
        jstr(x, "sha256", in->sha256, 0);
        putf(x, ",\"parties\":%lld", in->parties);
        jstr(x, "error", in->error, 0);
        if (in->error) putf(x, ",\"error_line\":%lld", in->error_line);
        put(x, "}");
    } else {
        const char *cells[N_CSV] = {0};
        snprintf(parties, sizeof parties, "parties=%ld", in->parties);
        cells[C_RECORD] = "input", cells[C_RUN] = id, cells[C_TIME] = x->run->started_at;
        cells[C_USER] = x->run->user, cells[C_FILE] = in->path, cells[C_SHA256] = in->sha256;
        cells[C_DETAIL] = in->error ? in->error : parties;
        csv_row(x, cells);
    }
    return x->rc;
}

static int export_hits(const rf_run_result *r, void *ctx)
{
    exporter *x = ctx;
    char id[24], score[16];
    snprintf(id, sizeof id, "%lld", x->run->id);
    for (size_t i = 0; i < r->n_hits && !x->rc; i++) {
        const rf_run_hit *h = &r->hits[i];
        const rf_entity *e = h->entity;
        rf_hit_note note = {h->decision, h->record_changed, h->changes, h->rescreen};
        const char *state = rf_hit_state_name(rf_hit_note_state(&note));
        const char *listed = e->n_names ? e->names[0].text : NULL;
        snprintf(score, sizeof score, "%.3f", h->score);
        if (x->json) {
            put(x, x->first ? "{" : ",{");
            x->first = 0;
            putf(x, "\"party_seq\":%lld", r->seq);
            jstr(x, "party", r->party->name, 0);
            jstr(x, "country", r->party->country, 0);
            jstr(x, "document", r->party->document, 0);
            putf(x, ",\"line\":%lld", r->party->line);
            jstr(x, "fingerprint", r->fingerprint, 0);
            jstr(x, "list", e->list_code, 0);
            jstr(x, "source_id", e->source_id, 0);
            jstr(x, "listed_name", listed, 0);
            put(x, ",\"score\":");
            put(x, score);
            jstr(x, "state", state, 0);
            if (h->decision) putf(x, ",\"decision_id\":%lld", h->decision->id);
            jstr(x, "rescreen", h->rescreen, 0);
            jstr(x, "changes", h->changes, 0);
            put(x, "}");
        } else {
            const char *cells[N_CSV] = {0};
            cells[C_RECORD] = "hit", cells[C_RUN] = id, cells[C_TIME] = x->run->started_at;
            cells[C_USER] = x->run->user, cells[C_FILE] = r->party->document;
            cells[C_PARTY] = r->party->name, cells[C_FINGERPRINT] = r->fingerprint;
            cells[C_LIST] = e->list_code, cells[C_SOURCE_ID] = e->source_id;
            cells[C_LISTED] = listed, cells[C_SCORE] = score, cells[C_STATE] = state;
            if (h->decision) {
                cells[C_DECISION] = rf_decision_kind_name(h->decision->kind);
                cells[C_REVIEWER] = h->decision->reviewer;
                cells[C_REASON] = h->decision->reason;
            }
            cells[C_DETAIL] = h->changes ? h->changes : h->rescreen;
            csv_row(x, cells);
        }
    }
    return x->rc;
}

/* "feed published sha256 (file)" per version, "; " between. */
static int versions_text(rf_buf *b, const rf_version_list *v)
{
    int rc = RF_OK;
    for (size_t i = 0; i < v->count && rc == RF_OK; i++)
        rc = rf_buf_printf(b, "%s%s %s %s (%s)", i ? "; " : "", v->items[i].feed,
                           v->items[i].published ? v->items[i].published : "undated",
                           v->items[i].sha256, v->items[i].source_file);
    return rc;
}

static int export_run(exporter *x, const rf_run_record *r)
{
    rf_version_list versions = {0};
    rf_snapshot *entities = NULL;
    int rc;

    x->run = r;
    if ((rc = rf_store_run_versions(&versions, x->st, r->id, &x->err)) < 0 ||
        (rc = rf_snapshot_load_run(&entities, x->st, r->id, &x->err)) < 0)
        goto done;
    if (x->json) {
        putf(x, "{\"run\":%lld", r->id);
        jstr(x, "command", r->command, 0);
        jstr(x, "user", r->user, 0);
        jstr(x, "started_at", r->started_at, 0);
        jstr(x, "finished_at", r->finished_at, 0);
        jstr(x, "report_time", r->report_time, 0);
        jstr(x, "status", r->status, 0);
        jstr(x, "settings", r->settings, 0);
        jstr(x, "as_of", r->as_of, 0);
        if (!x->rc) x->rc = rf_buf_printf(&x->b, ",\"threshold\":%.3f,\"max_hits\":%d",
                                          r->threshold, r->max_hits);
        jstr(x, "tool_version", r->tool_version, 0);
        putf(x, ",\"parties\":%lld", r->totals.parties);
        putf(x, ",\"flagged\":%lld", r->totals.flagged);
        putf(x, ",\"new_alarms\":%lld", r->totals.new_alarms);
        putf(x, ",\"known_alarms\":%lld", r->totals.known_alarms);
        putf(x, ",\"cleared\":%lld", r->totals.cleared);
        if (r->totals.exit_status >= 0) putf(x, ",\"exit_status\":%lld", r->totals.exit_status);
        put(x, ",\"lists\":[");
        for (size_t i = 0; i < versions.count; i++) {
            const rf_version *v = &versions.items[i];
            put(x, i ? ",{" : "{");
            jstr(x, "feed", v->feed, 1);
            jstr(x, "format", v->format, 0);
            jstr(x, "published", v->published, 0);
            jstr(x, "source_file", v->source_file, 0);
            jstr(x, "sha256", v->sha256, 0);
            jstr(x, "imported_at", v->imported_at, 0);
            putf(x, ",\"entities\":%lld}", v->entities);
        }
        put(x, "],\"inputs\":[");
        x->first = 1;
    } else {
        const char *cells[N_CSV] = {0};
        char id[24], detail[512];
        rf_buf lists = {0};
        snprintf(id, sizeof id, "%lld", r->id);
        snprintf(detail, sizeof detail,
                 "parties=%lld flagged=%lld new_alarms=%lld known_alarms=%lld cleared=%lld "
                 "exit_status=%d threshold=%.3f",
                 r->totals.parties, r->totals.flagged, r->totals.new_alarms,
                 r->totals.known_alarms, r->totals.cleared, r->totals.exit_status, r->threshold);
        if (!x->rc) x->rc = versions_text(&lists, &versions);
        cells[C_RECORD] = "run", cells[C_RUN] = id, cells[C_TIME] = r->started_at;
        cells[C_USER] = r->user, cells[C_COMMAND] = r->settings, cells[C_STATUS] = r->status;
        cells[C_LISTS] = lists.data, cells[C_DETAIL] = detail;
        csv_row(x, cells);
        rf_buf_free(&lists);
    }
    if ((rc = flush(x)) < 0 ||
        (rc = rf_store_run_inputs(x->st, r->id, export_input, x, &x->err)) < 0)
        goto done;
    if (x->json) {
        put(x, "],\"hits\":[");
        x->first = 1;
    }
    if ((rc = flush(x)) < 0 ||
        (rc = rf_store_run_results(x->st, r->id, entities, export_hits, x, &x->err)) < 0)
        goto done;
    if (x->json) put(x, "]}");
    rc = flush(x);

done:
    if (x->rc && !rc) rc = rf_error_set(&x->err, x->rc, NULL, 0, "cannot format the export");
    rf_snapshot_free(entities);
    rf_version_list_free(&versions);
    return rc;
}

static int export_decision(exporter *x, const rf_decision *d)
{
    char id[24], run[24];
    snprintf(id, sizeof id, "%lld", d->id);
    snprintf(run, sizeof run, "%lld", d->run_id);
    if (x->json) {
        putf(x, "{\"decision_id\":%lld", d->id);
        jstr(x, "decided_at", d->decided_at, 0);
        jstr(x, "decision", rf_decision_kind_name(d->kind), 0);
        jstr(x, "reviewer", d->reviewer, 0);
        jstr(x, "reason", d->reason, 0);
        jstr(x, "fingerprint", d->fingerprint, 0);
        jstr(x, "party", d->party_name, 0);
        jstr(x, "list", d->list_code, 0);
        jstr(x, "source_id", d->source_id, 0);
        jstr(x, "listed_name", d->listed_name, 0);
        jstr(x, "content_hash", d->content_hash, 0);
        if (d->run_id) putf(x, ",\"run\":%lld", d->run_id);
        put(x, "}");
    } else {
        const char *cells[N_CSV] = {0};
        cells[C_RECORD] = "decision", cells[C_RUN] = d->run_id ? run : NULL;
        cells[C_TIME] = d->decided_at, cells[C_USER] = d->reviewer;
        cells[C_PARTY] = d->party_name, cells[C_FINGERPRINT] = d->fingerprint;
        cells[C_LIST] = d->list_code, cells[C_SOURCE_ID] = d->source_id;
        cells[C_LISTED] = d->listed_name, cells[C_DECISION] = rf_decision_kind_name(d->kind);
        cells[C_REVIEWER] = d->reviewer, cells[C_REASON] = d->reason;
        cells[C_DETAIL] = id;
        csv_row(x, cells);
    }
    return flush(x);
}

static int audit_export(rf_store *st, const char *from, const char *to, int json, FILE *out)
{
    rf_run_list runs = {0};
    rf_decision_list decisions = {0};
    rf_chain_head head;
    exporter x;
    size_t r = 0, d = 0;
    int rc;

    memset(&x, 0, sizeof x);
    x.st = st;
    x.json = json;
    x.out = out;
    if ((rc = rf_store_chain_head(&head, st, &x.err)) < 0 ||
        (rc = rf_store_runs(&runs, st, 0, from, to, &x.err)) < 0 ||
        (rc = rf_store_decisions_all(&decisions, st, NULL, from, to, &x.err)) < 0)
        goto done;
    if (json) {
        put(&x, "{");
        jstr(&x, "from", from, 1);
        jstr(&x, "to", to, 0);
        put(&x, ",\"chain_head\":{");
        jstr(&x, "hash", head.hash, 1);
        putf(&x, ",\"records\":%lld}", head.count);
        put(&x, ",\"runs\":[");
    } else {
        char count[32];
        const char *cells[N_CSV] = {0};
        snprintf(count, sizeof count, "%lld records", head.count);
        cells[C_RECORD] = "chain_head";
        cells[C_SHA256] = head.hash;
        cells[C_DETAIL] = count;
        put(&x, csv_header);
        csv_row(&x, cells);
    }
    if ((rc = flush(&x)) < 0) goto done;
    /* CSV: one time line, runs and decisions merged by time. JSON: runs, then decisions. */
    while (r < runs.count || (!json && d < decisions.count)) {
        if (r < runs.count &&
            (json || d == decisions.count ||
             strcmp(runs.items[r].started_at, decisions.items[d].decided_at) <= 0)) {
            if (json && r) put(&x, ",");
            if ((rc = export_run(&x, &runs.items[r++])) < 0) goto done;
        } else if ((rc = export_decision(&x, &decisions.items[d++])) < 0) {
            goto done;
        }
    }
    if (json) {
        put(&x, "],\"decisions\":[");
        for (d = 0; d < decisions.count; d++) {
            if (d) put(&x, ",");
            if ((rc = export_decision(&x, &decisions.items[d])) < 0) goto done;
        }
        put(&x, "]}\n");
    }
    rc = flush(&x);

done:
    if (rc < 0) cli_report_error(&x.err);
    rf_buf_free(&x.b);
    rf_run_list_free(&runs);
    rf_decision_list_free(&decisions);
    return rc < 0 ? CLI_EXIT_ERROR : 0;
}

/* ---- audit verify ------------------------------------------------------------------------ */

static int print_problem(const rf_chain_problem *p, void *ctx)
{
    long long *shown = ctx;
    if ((*shown)++ == 0) printf("evidence does not fit:\n");
    if (strcmp(p->record, "trigger") == 0)
        printf("  trigger %s %s\n", p->name, p->what);
    else if (p->id)
        printf("  %s %lld %s\n", p->record, p->id, p->what);
    else
        printf("  %s: %s\n", p->record, p->what);
    return 0;
}

static int audit_verify(rf_store *st, const char *earlier)
{
    rf_chain_head head;
    long long problems = 0, shown = 0, at = 0;
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_chain_verify(&head, &problems, st, earlier, &at, print_problem, &shown, &err) <
        0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    if (problems == 0)
        printf("evidence chain intact: %lld records, head %s\n", head.count, head.hash);
    else
        printf("%lld problem%s; the chain holds %lld records, head %s\n", problems,
               problems == 1 ? "" : "s", head.count, head.hash);
    if (earlier && at)
        printf("the earlier head is record %lld of the chain: nothing sealed up to it changed\n",
               at);
    return problems ? CLI_EXIT_HIT : 0;
}

int cli_audit(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},     {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"format", required_argument, NULL, 'F'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {"head", required_argument, NULL, 'H'},   {NULL, 0, NULL, 0}};
    const char *db = NULL, *from = NULL, *to = NULL, *output = NULL, *head = NULL;
    rf_store *st = NULL;
    cli_output out;
    int c, json = 0, status;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":ho:", longopts, "audit")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
        case 't':
            if (!rf_date_valid(optarg))
                return cli_usage_error("audit", "--%s wants a date YYYY-MM-DD, not '%s'",
                                       c == 'f' ? "from" : "to", optarg);
            *(c == 'f' ? &from : &to) = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "csv") != 0)
                return cli_usage_error("audit", "--format is csv or json, not '%s'", optarg);
            json = strcmp(optarg, "json") == 0;
            break;
        case 'o': output = optarg; break;
        case 'H':
            if (strlen(optarg) != 64 || strspn(optarg, "0123456789abcdef") != 64)
                return cli_usage_error("audit", "--head wants the 64 hex digits of a chain "
                                       "head, not '%s'", optarg);
            head = optarg;
            break;
        case 'h': fputs(audit_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (argc - optind != 1 ||
        (strcmp(argv[optind], "export") != 0 && strcmp(argv[optind], "verify") != 0))
        return cli_usage_error("audit", "the subcommand is export or verify");
    if (strcmp(argv[optind], "verify") == 0) {
        if (from || to || output || json)
            return cli_usage_error("audit", "verify takes --db and --head only");
        /* a read-only copy (an archive) verifies too */
        if (cli_open_store(&st, db, CLI_DB_READ)) return CLI_EXIT_ERROR;
        status = audit_verify(st, head);
        rf_store_close(st);
        return status;
    }
    if (head) return cli_usage_error("audit", "--head is for audit verify");
    if (cli_output_open(&out, output, db, NULL, 0)) return CLI_EXIT_ERROR;
    if (cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ)) {
        cli_output_close(&out, 0);
        return CLI_EXIT_ERROR;
    }
    status = audit_export(st, from, to, json, out.stream);
    if (cli_output_close(&out, status == 0)) status = CLI_EXIT_ERROR;
    rf_store_close(st);
    return status;
}
