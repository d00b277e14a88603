/* report.c: the report object of rf_reports.h: the table of writers (one per format), copying
 * the run's context, gathering a result's hits for the writers, and writing to the stream. */
#include "reports/report_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The writers, one per format: what each does when the report opens, for each party, for a
 * warning about an input, for a file that could not be read, and when it closes (NULL:
 * nothing). */
static const struct writer {
    const char *name;
    int (*open)(rf_report *rep, rf_error *err);
    int (*add)(rf_report *rep, const rf_party *party, const rf_hit *const *hits, size_t n_hits,
               rf_error *err);
    int (*warning)(rf_report *rep, const char *file, long line, const char *message,
                   rf_error *err);
    int (*failure)(rf_report *rep, const rf_error *failure, rf_error *err);
    int (*close)(rf_report *rep, rf_error *err);
} writers[] = {
    [RF_REPORT_JSONL] = {"jsonl", NULL, rf_report__jsonl_add, rf_report__jsonl_warning, NULL,
                         NULL},
    [RF_REPORT_CSV] = {"csv", rf_report__csv_open, rf_report__csv_add, rf_report__csv_warning,
                       NULL, NULL},
    [RF_REPORT_HTML] = {"html", rf_report__html_open, rf_report__html_add, rf_report__html_warning,
                        rf_report__html_failure, rf_report__html_close},
    [RF_REPORT_XLSX] = {"xlsx", rf_report__xlsx_open, rf_report__xlsx_add, rf_report__xlsx_warning,
                        NULL, rf_report__xlsx_close},
};
#define N_WRITERS (sizeof writers / sizeof writers[0])

int rf_report_format_parse(rf_report_format *out, const char *name)
{
    for (size_t i = 0; name && i < N_WRITERS; i++)
        if (strcasecmp(name, writers[i].name) == 0) {
            *out = (rf_report_format)i;
            return RF_OK;
        }
    return RF_EUSAGE;
}

static void free_versions(rf_report *rep)
{
    for (size_t i = 0; i < rep->n_versions; i++) {
        rf_version *v = &rep->versions[i];
        free(v->feed), free(v->format), free(v->source_file), free(v->sha256);
        free(v->published), free(v->imported_at);
    }
    free(rep->versions);
    rep->versions = NULL;
    rep->n_versions = 0;
}

/* By feed, then oldest first: how the report lists them. */
static int version_cmp(const void *a, const void *b)
{
    const rf_version *x = a, *y = b;
    int d = strcmp(x->feed ? x->feed : "", y->feed ? y->feed : "");
    return d ? d : x->id < y->id ? -1 : x->id > y->id;
}

/* Adds the versions of `vl` that the report does not name yet, deep-copied: the snapshot that
 * owns them may go first. */
static int add_versions(rf_report *rep, const rf_version_list *vl)
{
    size_t before = rep->n_versions;
    for (size_t i = 0; vl && i < vl->count; i++) {
        const rf_version *s = &vl->items[i];
        rf_version *d, *grown;
        size_t k = 0;
        while (k < rep->n_versions && rep->versions[k].id != s->id) k++;
        if (k < rep->n_versions) continue;
        grown = realloc(rep->versions, (rep->n_versions + 1) * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        rep->versions = grown;
        d = &rep->versions[rep->n_versions++]; /* counted now, so that it is freed */
        *d = *s;
        d->feed = rf_strdup(s->feed);
        d->format = rf_strdup(s->format);
        d->source_file = rf_strdup(s->source_file);
        d->sha256 = rf_strdup(s->sha256);
        d->published = rf_strdup(s->published);
        d->imported_at = rf_strdup(s->imported_at);
        if ((s->feed && !d->feed) || (s->format && !d->format) ||
            (s->source_file && !d->source_file) || (s->sha256 && !d->sha256) ||
            (s->published && !d->published) || (s->imported_at && !d->imported_at))
            return RF_ENOMEM;
    }
    if (rep->n_versions != before)
        qsort(rep->versions, rep->n_versions, sizeof *rep->versions, version_cmp);
    return RF_OK;
}

static int copy_context(rf_report *rep, const rf_report_context *ctx)
{
    rep->threshold = ctx->threshold > 0 ? ctx->threshold : RF_DEFAULT_THRESHOLD;
    rep->run_id = ctx->run_id;
    rep->rescreened = ctx->rescreened;
    if ((ctx->as_of && !(rep->as_of = rf_strdup(ctx->as_of))) ||
        (ctx->generated_at && !(rep->generated_at = rf_strdup(ctx->generated_at))) ||
        (ctx->tool_version && !(rep->tool_version = rf_strdup(ctx->tool_version))) ||
        (ctx->user && !(rep->user = rf_strdup(ctx->user))) ||
        (ctx->command && !(rep->command = rf_strdup(ctx->command))))
        return RF_ENOMEM;
    return add_versions(rep, ctx->versions);
}

int rf_report_open(rf_report **out_report, rf_report_format format, FILE *out,
                   const rf_report_context *ctx, rf_error *err)
{
    static const rf_report_context none = {0};
    rf_report *rep;
    int rc;

    *out_report = NULL;
    if (!out) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no output stream for the report");
    if ((size_t)format >= N_WRITERS)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "unknown report format %d", (int)format);
    rep = calloc(1, sizeof *rep);
    if (!rep) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    rep->format = format;
    rep->out = out;
    rep->max_list_age = RF_DEFAULT_MAX_LIST_AGE;
    if (copy_context(rep, ctx ? ctx : &none)) {
        rf_report_free(rep);
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    rc = writers[format].open ? writers[format].open(rep, err) : RF_OK;
    if (rc) {
        rf_report_free(rep);
        return rc;
    }
    *out_report = rep;
    return RF_OK;
}

int rf_report__add_hits(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err)
{
    int rc;
    if (!rep || !party || (n_hits && !hits))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report, party or hits");
    if (rep->screening && rep->screening->destination_checked)
        rep->destination = rep->screening->destination;
    else
        rep->destination = rf_destination_check(&rep->own_destination, party) == 1
                               ? &rep->own_destination
                               : NULL;
    rc = writers[rep->format].add(rep, party, hits, n_hits, err);
    rep->screening = NULL; /* both were for this party only */
    rep->destination = NULL;
    return rc;
}

/* ---- screening as of a date ------------------------------------------------------------- */

int rf_report_set_screening(rf_report *rep, const rf_screening *scr, rf_error *err)
{
    if (!rep) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report");
    rep->screening = scr;
    if (scr && add_versions(rep, scr->versions) != RF_OK)
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    return RF_OK;
}

const char *rf_report__party_as_of(const rf_report *rep)
{
    return rep->screening && rep->screening->as_of ? rep->screening->as_of : rep->as_of;
}

int rf_report__party_versions(rf_buf *out, const rf_report *rep, const char *sep)
{
    const rf_version_list *vl = rep->screening ? rep->screening->versions : NULL;
    size_t n = vl ? vl->count : rep->n_versions;
    int rc = RF_OK;
    for (size_t i = 0; i < n && rc == RF_OK; i++)
        rc = rf_buf_printf(out, "%s%lld", i ? sep : "", vl ? vl->items[i].id : rep->versions[i].id);
    return rc;
}

int rf_report_set_max_list_age(rf_report *rep, int days, rf_error *err)
{
    if (!rep || days < 0)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report, or a negative list age");
    rep->max_list_age = days;
    return RF_OK;
}

int rf_report__party_list_age(rf_version_age *out, int *stale, char on[11],
                             const rf_report *rep, rf_error *err)
{
    const rf_version_list *own = rep->screening ? rep->screening->versions : NULL;
    const rf_version_list run = {rep->versions, rep->n_versions};
    const char *as_of = rf_report__party_as_of(rep);
    int rc;

    if (!as_of) as_of = rep->generated_at;
    if (as_of) {
        snprintf(on, 11, "%.10s", as_of);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(on, 11, "%Y-%m-%d", &tm);
    }
    rc = rf_versions_oldest(out, own ? own : &run, on, err);
    *stale = rc == RF_OK && out->version && out->days > rep->max_list_age;
    return rc;
}

int rf_delisting_text(rf_buf *out, const rf_delisting *d)
{
    const rf_entity *e = d->hit->entity;
    return rf_buf_printf(out, "delisted: was on %s until version %lld published %s, removed in "
                              "version %lld published %s",
                         e->list_code ? e->list_code : "?", d->listed_in->id,
                         d->listed_in->published ? d->listed_in->published : "(not stated)",
                         d->removed_in->id,
                         d->removed_in->published ? d->removed_in->published : "(not stated)");
}

/* ---- review state ----------------------------------------------------------------------- */

rf_hit_state rf_hit_note_state(const rf_hit_note *note)
{
    if (note && note->rescreen && strcmp(note->rescreen, "delisted") == 0) return RF_HIT_DELISTED;
    if (note && note->rescreen && strcmp(note->rescreen, "dropped") == 0) return RF_HIT_DROPPED;
    if (!note || !note->decision) return RF_HIT_NEW;
    switch (note->decision->kind) {
    case RF_DECISION_CLEARED: return note->record_changed ? RF_HIT_CHANGED : RF_HIT_CLEARED;
    case RF_DECISION_CONFIRMED: return RF_HIT_CONFIRMED;
    case RF_DECISION_ESCALATED: return RF_HIT_ESCALATED;
    case RF_DECISION_NONE: break;
    }
    return RF_HIT_NEW;
}

const char *rf_hit_state_name(rf_hit_state s)
{
    static const char *const names[] = {"confirmed", "changed", "new", "escalated",
                                        "cleared", "delisted", "dropped"};
    return (unsigned)s < sizeof names / sizeof *names ? names[s] : "new";
}

int rf_hit_state_alarms(rf_hit_state s)
{
    return s == RF_HIT_CONFIRMED || s == RF_HIT_CHANGED || s == RF_HIT_NEW ||
           s == RF_HIT_ESCALATED;
}

int rf_hit_alarms(const rf_hit *hit, rf_hit_state s)
{
    /* a finding to review only stays quiet until someone confirms or escalates it */
    if ((s == RF_HIT_NEW || s == RF_HIT_CHANGED) && hit && !rf_ownership_alarms(hit->entity))
        return 0;
    return rf_hit_state_alarms(s);
}

int rf_report__party_alarms(const rf_report *rep, const rf_hit *const *hits, size_t n_hits)
{
    for (size_t i = 0; i < n_hits; i++)
        if (rf_hit_alarms(hits[i], rf_report__hit_state(rep, i))) return 1;
    return 0;
}

rf_hit_state rf_report__hit_state(const rf_report *rep, size_t i)
{
    return rf_hit_note_state(rep->notes ? &rep->notes[i] : NULL);
}

rf_hit_state rf_report__party_state(const rf_report *rep, size_t n_hits)
{
    rf_hit_state worst = n_hits ? RF_HIT_DROPPED : RF_HIT_NEW;
    for (size_t i = 0; i < n_hits; i++) {
        rf_hit_state s = rf_report__hit_state(rep, i);
        if (s < worst) worst = s;
    }
    return worst;
}

const char *rf_report__party_status(const rf_report *rep, size_t n_hits)
{
    rf_hit_state s = rf_report__party_state(rep, n_hits);
    if (n_hits == 0) return "clear";
    /* "review" as before decisions existed: someone has to look at it. */
    return s == RF_HIT_NEW || s == RF_HIT_CHANGED ? "review" : rf_hit_state_name(s);
}

int rf_report_add_reviewed(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                           size_t n_hits, const char *fingerprint, const rf_hit_note *notes,
                           rf_error *err)
{
    int rc;
    if (!rep) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report");
    rep->fingerprint = fingerprint;
    rep->notes = notes;
    rc = rf_report__add_hits(rep, party, hits, n_hits, err);
    rep->fingerprint = NULL;
    rep->notes = NULL;
    return rc;
}

int rf_report_add(rf_report *rep, const rf_party *party, const rf_result *res, rf_error *err)
{
    size_t n = res ? rf_result_count(res) : 0;
    if (!rep) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report");
    if (n > rep->hits_cap) {
        const rf_hit **grown = realloc(rep->hits, n * sizeof *grown);
        if (!grown) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        rep->hits = grown;
        rep->hits_cap = n;
    }
    for (size_t i = 0; i < n; i++) rep->hits[i] = rf_result_hit(res, i);
    return rf_report__add_hits(rep, party, rep->hits, n, err);
}

int rf_report_add_warning(rf_report *rep, const char *file, long line, const char *message,
                          rf_error *err)
{
    if (!rep || !message) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report or warning");
    return writers[rep->format].warning(rep, file, line, message, err);
}

int rf_report_add_failure(rf_report *rep, const rf_error *failure, rf_error *err)
{
    if (!rep || !failure) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report or failure");
    /* JSON lines, CSV and Excel hold parties only; the caller reports failures on stderr. */
    if (!writers[rep->format].failure) return RF_OK;
    return writers[rep->format].failure(rep, failure, err);
}

int rf_report__write(rf_report *rep, const rf_buf *b, rf_error *err)
{
    if (b->len == 0) return RF_OK;
    errno = 0;
    if (fwrite(b->data, 1, b->len, rep->out) != b->len || ferror(rep->out))
        return rf_error_set(err, RF_EIO, NULL, 0, "cannot write the report: %s",
                            errno ? strerror(errno) : "write error");
    return RF_OK;
}

int rf_report_close(rf_report *rep, rf_error *err)
{
    int rc = RF_OK;
    if (!rep) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no report");
    if (writers[rep->format].close) rc = writers[rep->format].close(rep, err);
    errno = 0;
    if (rc == RF_OK && fflush(rep->out) != 0)
        rc = rf_error_set(err, RF_EIO, NULL, 0, "cannot write the report: %s", strerror(errno));
    rf_report_free(rep);
    return rc;
}

void rf_report_free(rf_report *rep)
{
    if (!rep) return;
    free_versions(rep);
    free(rep->as_of);
    free(rep->generated_at);
    free(rep->tool_version);
    free(rep->user);
    free(rep->command);
    rf_buf_free(&rep->line);
    rf_buf_free(&rep->row.text);
    free(rep->hits);
    rf_report__html_free(rep->html);
    rf_report__xlsx_free(rep->xlsx);
    free(rep);
}
