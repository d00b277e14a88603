/* session.c: a screening session (rf_session.h): opened over a store with its options resolved
 * once, parties screened one by one with their delistings, review state and destination
 * finding computed once for the report, the caller and the run record; inputs recorded as
 * they end; closed with the run's totals and verdict. The rescreen's own work is in
 * rescreen.c, the lists per date in asof.c, the review state and the record in
 * review_state.c. */
#include "session_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *rf_verdict_name(rf_verdict v)
{
    switch (v) {
    case RF_VERDICT_CLEAR: return "clear";
    case RF_VERDICT_REVIEW: return "review";
    case RF_VERDICT_EMBARGO: return "embargo";
    case RF_VERDICT_ERROR: return "error";
    }
    return "error";
}

int rf_verdict_exit_status(rf_verdict v)
{
    return v == RF_VERDICT_ERROR ? 2 : v == RF_VERDICT_CLEAR ? 0 : 1;
}

rf_verdict rf_session__verdict(const rf_run_totals *run, long failed_inputs, long embargoed)
{
    return failed_inputs                           ? RF_VERDICT_ERROR
           : embargoed                             ? RF_VERDICT_EMBARGO
           : run->new_alarms || run->known_alarms ? RF_VERDICT_REVIEW
                                                   : RF_VERDICT_CLEAR;
}

void rf_session__notice(const rf_session_options *options, const char *fmt, ...)
{
    char message[4096];
    va_list ap;
    if (!options->on_notice) return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    options->on_notice(message, options->ctx);
}

/* Says which of `versions` are older than the session's max_list_age on `on` (YYYY-MM-DD):
 * a clear result against them misses the parties listed since. Each version once per run. */
static void warn_stale(rf_session *s, const rf_version_list *versions, const char *on)
{
    for (size_t i = 0; versions && i < versions->count; i++) {
        const rf_version *v = &versions->items[i];
        rf_version_age age;
        size_t k = 0;
        if (rf_version_age_on(&age, v, on, NULL) < 0 || age.days <= s->opts.max_list_age)
            continue;
        while (k < s->n_warned && s->warned[k] != v->id) k++;
        if (k < s->n_warned) continue;
        if (s->n_warned < sizeof s->warned / sizeof *s->warned) s->warned[s->n_warned++] = v->id;
        rf_session__notice(&s->opts,
                           "warning: the %s list is %ld days old on %.10s: version %lld, %s "
                           "%.10s%s, older than %d days (--max-list-age); parties listed since "
                           "are not screened: run 'redflag lists update'",
                           v->feed, age.days, on, v->id, age.from_import ? "imported" : "published",
                           age.date, age.from_import ? " (the file gives no publication date)" : "",
                           s->opts.max_list_age);
    }
}

/* A rescreen's lists: the versions in force now, as they are (no ownership step, no removed
 * sets: a rescreen compares hits, it does not look for delistings). */
static int open_rescreen(rf_session *s, rf_error *err)
{
    int rc;
    if ((rc = rf_snapshot_load(&s->snap, s->st, NULL, err)) < 0 ||
        (rc = rf_matcher_open(&s->matcher, s->snap, s->st, err)) < 0)
        return rc;
    if (rf_store_readonly(s->st))
        return rf_error_set(err, RF_EDB, NULL, 0,
                            "rescreen records what it reports, and the database is read-only");
    if ((rc = rf_session__rescreen_open(s, err)) < 0) return rc;
    if (rf_result_new(&s->result) < 0) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    /* Recorded from the start, so that a run stopped while screening is in the history. */
    return rf_session__record_begin(&s->record, s->st, "rescreen", rf_snapshot_versions(s->snap),
                                    NULL, &s->opts.match, s->report_time, s->opts.user,
                                    s->opts.argc, s->opts.argv, NULL, err);
}

static int open_screen(rf_session *s, rf_error *err)
{
    /* per document: the run's versions are recorded as orders meet them */
    static const rf_version_list no_versions = {NULL, 0};
    const rf_version_list *versions;
    int rc;

    if ((rc = rf_session__asof_new(&s->asof, s->st, &s->opts, err)) < 0) return rc;
    s->result = rf_session__asof_result(s->asof);
    versions = rf_session__asof_versions(s->asof);
    if ((rc = rf_session__record_begin(&s->record, s->st, "screen",
                                       versions ? versions : &no_versions, s->opts.as_of,
                                       &s->opts.match, s->report_time, s->opts.user, s->opts.argc,
                                       s->opts.argv, &s->opts, err)) < 0)
        return rc;
    /* Only a screening against today's lists says what a counterparty matches now. */
    s->record.counterparties = s->opts.as_of == NULL && !s->opts.per_document;
    warn_stale(s, versions, s->opts.as_of ? s->opts.as_of : s->report_time);
    if (s->opts.threads > 1 && rf_session__asof_fixed_matcher(s->asof))
        return rf_session__ahead_new(&s->ahead, rf_session__asof_fixed_matcher(s->asof), s->result,
                                     &s->opts.match, s->opts.threads, err);
    return RF_OK;
}

int rf_session_open(rf_session **out, rf_store *store, const rf_session_options *options,
                    rf_error *err)
{
    rf_session *s = calloc(1, sizeof *s);
    int rc;

    *out = NULL;
    if (!s) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    if (options) s->opts = *options;
    s->st = store;
    if (s->opts.lists && !s->opts.rescreen) { /* what the lists were loaded for */
        s->opts.per_document = 0;
        s->opts.as_of = rf_session__lists_dated(s->opts.lists)
                            ? rf_session_lists_date(s->opts.lists)
                            : NULL;
    }
    if (s->opts.per_document) s->opts.as_of = NULL;
    if (s->opts.max_list_age <= 0) s->opts.max_list_age = RF_DEFAULT_MAX_LIST_AGE;
    if (!s->opts.user) s->opts.user = rf_session_user();
    if (s->opts.report_time)
        snprintf(s->report_time, sizeof s->report_time, "%s", s->opts.report_time);
    else
        rf_time_utc(s->report_time);
    if (s->opts.as_of && !rf_date_valid(s->opts.as_of))
        rc = rf_error_set(err, RF_EUSAGE, NULL, 0, "as of \"%s\": not a date YYYY-MM-DD",
                          s->opts.as_of);
    else if (s->opts.threads < 0 || s->opts.threads > RF_SESSION_MAX_THREADS)
        rc = rf_error_set(err, RF_EUSAGE, NULL, 0, "threads: from 1 to %d", RF_SESSION_MAX_THREADS);
    else
        rc = s->opts.rescreen ? open_rescreen(s, err) : open_screen(s, err);
    if (rc < 0) {
        rf_session_free(s);
        return rc;
    }
    *out = s;
    return RF_OK;
}

void rf_session_report_context(const rf_session *s, rf_report_context *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->versions = s->snap ? rf_snapshot_versions(s->snap) : rf_session__asof_versions(s->asof);
    ctx->threshold = s->opts.match.threshold > 0 ? s->opts.match.threshold : RF_DEFAULT_THRESHOLD;
    ctx->as_of = s->opts.rescreen ? NULL : s->opts.as_of;
    ctx->generated_at = s->report_time;
    ctx->tool_version = RF_VERSION;
    ctx->run_id = s->record.run_id;
    ctx->user = s->opts.user;
    ctx->command = s->record.command_line;
    if (s->rescreen) ctx->rescreened = (long)rf_session__rescreen_count(s->rescreen);
}

void rf_session_set_report(rf_session *s, rf_report *report)
{
    s->report = report;
}

/* The rest of screening `party` once `res` holds its hits (and `scr` its screening): the
 * destination checked, the report written, the run recorded, the caller told. */
static int record_party(rf_session *s, const rf_party *party, rf_result *res, rf_screening *scr,
                        const char *fingerprint, rf_error *err)
{
    rf_session_result out;
    rf_destination dest;
    int rc;

    out.embargo = rf_destination_check(&dest, party) == 1;
    scr->destination_checked = 1;
    scr->destination = out.embargo ? &dest : NULL;
    if ((s->report && (rc = rf_report_set_screening(s->report, scr, err)) < 0) ||
        (rc = rf_session__record_screened(&s->record, s->report, s->input, party, res, fingerprint,
                                          &out, err)) < 0)
        return rc;
    s->input_parties++;
    out.screening = scr;
    s->totals.embargoed += out.embargo;
    if (s->opts.on_result && s->opts.on_result(&out, s->opts.ctx) != 0)
        return rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
    return RF_OK;
}

static int cancelled(const rf_session *s, rf_error *err)
{
    if (s->opts.cancelled && s->opts.cancelled(s->opts.ctx))
        return rf_error_set(err, RF_ECANCEL, NULL, 0, "interrupted");
    return RF_OK;
}

/* Records the `n` parties of the batch screened ahead, in order; the batch is emptied even
 * when one fails (the parties after it are not recorded: the run stops with that error). */
static int record_ahead(rf_session *s, size_t n, rf_error *err)
{
    int rc = RF_OK;
    for (size_t i = 0; i < n && rc == RF_OK; i++) {
        const rf_party *party;
        rf_result *hits;
        const char *fingerprint;
        rf_screening scr;
        if ((rc = cancelled(s, err)) == RF_OK &&
            (rc = rf_session__ahead_get(s->ahead, i, &party, &hits, &fingerprint, err)) == RF_OK &&
            (rc = rf_session__asof_screened(s->asof, hits, &scr, party, &s->opts.match, err)) == RF_OK)
            rc = record_party(s, party, hits, &scr, fingerprint, err);
    }
    rf_session__ahead_clear(s->ahead);
    return rc;
}

/* With the batch being filled full (or `drain`: at an input's end, at close), takes the batch
 * the threads were screening, starts them on this one and records that one meanwhile; with
 * `drain`, then waits for this one too and records it. */
static int screen_ahead(rf_session *s, int drain, rf_error *err)
{
    size_t done;
    int rc;
    if (!s->ahead) return RF_OK;
    done = rf_session__ahead_finish(s->ahead);
    rf_session__ahead_launch(s->ahead);
    if ((rc = record_ahead(s, done, err)) < 0 || !drain) return rc;
    return record_ahead(s, rf_session__ahead_finish(s->ahead), err);
}

int rf_session_screen_party(rf_session *s, const rf_party *party, rf_error *err)
{
    unsigned long loads;
    rf_screening scr;
    int rc;

    if (!s->asof) return rf_error_set(err, RF_EUSAGE, NULL, 0, "a rescreen session screens no party");
    if ((rc = cancelled(s, err)) < 0) return rc;
    if (s->ahead && party->n_lines == 0) { /* copied into the batch; screened when it is full */
        if ((rc = rf_session__ahead_add(s->ahead, party)) < 0)
            return rf_error_set(err, rc, party->document, party->line, "out of memory");
        return rc == 1 ? screen_ahead(s, 0, err) : RF_OK;
    }
    if ((rc = screen_ahead(s, 1, err)) < 0) return rc; /* the parties before it first */
    loads = rf_session__asof_loads(s->asof);
    if ((rc = rf_session__asof_screen(s->asof, s->result, &scr, party, &s->opts.match, err)) < 0)
        return rc;
    /* per document: the run's record names every version some order used */
    if (scr.versions && s->record.run && rf_session__asof_loads(s->asof) != loads) {
        warn_stale(s, scr.versions, scr.as_of);
        if ((rc = rf_store_run_add_versions(s->record.run, scr.versions, err)) < 0) return rc;
    }
    return record_party(s, party, s->result, &scr, NULL, err);
}

int rf_session_screen(const rf_party *party, void *session)
{
    rf_session *s = session;
    rf_error err;
    rf_error_clear(&err);
    /* only a failure is kept: a step that recovered (an order date with no list in force,
     * screened as of today) may have filled `err` on the way */
    if (rf_session_screen_party(s, party, &err) == RF_OK) return 0;
    s->fatal = err;
    return RF_ECANCEL;
}

/* Ends input `path`, whose sha256 is `sha256` (NULL: the file's). */
static int input_done(rf_session *s, const char *path, const char *sha256,
                      const rf_error *failure, rf_error *err)
{
    int rc;
    if (s->fatal.code) { /* the reader was stopped: that is the error, nothing more is kept */
        rc = s->fatal.code;
        if (err) *err = s->fatal;
        rf_error_clear(&s->fatal);
        return rc;
    }
    if ((rc = screen_ahead(s, 1, err)) < 0) return rc; /* the input's last parties */
    rc = rf_session__record_input(&s->record, s->input, path, sha256, s->input_parties, failure,
                                  err);
    s->totals.inputs++;
    if (failure && failure->code) s->totals.failed_inputs++;
    s->input++;
    s->input_parties = 0;
    return rc;
}

int rf_session_input_done(rf_session *s, const char *path, const rf_error *failure,
                          rf_error *err)
{
    return input_done(s, path, NULL, failure, err);
}

int rf_session_input_done_memory(rf_session *s, const char *name, const void *data, size_t len,
                                 const rf_error *failure, rf_error *err)
{
    char sha[65];
    return input_done(s, name, rf_sha256_hex(sha, data ? data : "", len) == RF_OK ? sha : NULL,
                      failure, err);
}

void rf_session_input_failed(rf_session *s)
{
    s->totals.failed_inputs++;
}

void rf_session_totals_get(const rf_session *s, rf_session_totals *out)
{
    *out = s->totals;
    out->run = s->record.totals;
    if (s->rescreen) out->run.parties = out->rescreened;
    out->run_id = s->record.run_id;
    out->verdict = rf_session__verdict(&out->run, out->failed_inputs, out->embargoed);
    out->run.exit_status = rf_verdict_exit_status(out->verdict);
}

int rf_session_close(rf_session *s, rf_session_totals *totals, rf_error *err)
{
    rf_session_totals t;
    int rc;
    if (!s) return RF_OK;
    if ((rc = screen_ahead(s, 1, err)) < 0) { /* parties read since the last input ended */
        rf_session_free(s);
        return rc;
    }
    rf_session_totals_get(s, &t);
    s->record.totals = t.run;
    rc = rf_session__record_finish(&s->record, &s->record.totals, err);
    t.run_id = s->record.run_id; /* a run recorded at close has its id only now */
    if (totals) *totals = t;
    rf_session_free(s);
    return rc;
}

int rf_session_interrupt(rf_session *s, int exit_status, long long *run_id, rf_error *err)
{
    rf_run *run = s->record.run;
    int rc = RF_OK;
    if (run_id) *run_id = rf_run_id(run);
    s->record.run = NULL;
    if (run) rc = rf_store_run_interrupt(run, exit_status, err);
    rf_session_free(s);
    return rc;
}

void rf_session_free(rf_session *s)
{
    if (!s) return;
    rf_session__ahead_free(s->ahead);
    rf_session__record_free(&s->record);
    rf_session__rescreen_free(s->rescreen);
    if (!s->asof) rf_result_free(s->result); /* a rescreen's; else the cache's */
    rf_session__asof_free(s->asof);
    rf_matcher_free(s->matcher);
    rf_snapshot_free(s->snap);
    free(s);
}
