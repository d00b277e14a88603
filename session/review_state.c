/* review_state.c: what screening and rescreening sessions share about review decisions and
 * the audit trail (session_internal.h): the user a run or decision is recorded under, the
 * sha256 of an input file, the review state of a party's hits (the decision in force on each,
 * and what changed in a listed record since it was cleared), and recording a run: its
 * parties, hits and the counterparty state the next rescreen compares against. */
#include "session_internal.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *rf_session_user(void)
{
    static char name[256];
    const char *env = getenv("REDFLAG_USER");
    struct passwd *pw;

    if (env && env[0]) return env;
    if (name[0]) return name;
    pw = getpwuid(getuid());
    if (pw && pw->pw_name && pw->pw_name[0]) snprintf(name, sizeof name, "%s", pw->pw_name);
    else if ((env = getenv("USER")) && env[0]) snprintf(name, sizeof name, "%s", env);
    else snprintf(name, sizeof name, "uid %ld", (long)getuid());
    return name;
}

/* sha256 of a file's bytes; -1 (out empty) for standard input or an unreadable file. */
static int file_sha256(char out[65], const char *path)
{
    unsigned char chunk[65536];
    struct stat sb;
    rf_sha256 h;
    FILE *f;
    size_t n;

    out[0] = '\0';
    /* Only a regular file can be read again for its digest: a FIFO or a device would hand
     * out other bytes than the ones screened, or never end. */
    if (!path || strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        !(f = fopen(path, "rb")))
        return -1;
    if (rf_sha256_init(&h) != RF_OK) {
        fclose(f);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) rf_sha256_update(&h, chunk, n);
    if (ferror(f)) {
        rf_sha256_free(&h);
        fclose(f);
        return -1;
    }
    fclose(f);
    rf_sha256_final_hex(&h, out);
    return 0;
}

/* ---- the review state of a party's hits ------------------------------------------------ */

static int same_text(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

/* The decision in force on (the party, this listed entity): by list entry id, or, for lists
 * whose ids change with every amendment (the CSL gives BIS entries content-derived ids), by
 * the entity's primary name on the same list, when the entry decided on is no longer in
 * force (a list may also give one entity several entries of one name, one per address:
 * those are not amendments of each other). */
static const rf_decision *decision_for(rf_store *st, const rf_decision_list *list,
                                       const rf_entity *e)
{
    const char *primary = e->n_names ? e->names[0].text : NULL;
    for (size_t i = list->count; i-- > 0;) {
        const rf_decision *d = &list->items[i];
        if (same_text(d->list_code, e->list_code) && d->source_id && e->source_id &&
            strcmp(d->source_id, e->source_id) == 0)
            return d;
    }
    for (size_t i = list->count; i-- > 0;) {
        const rf_decision *d = &list->items[i];
        long long id;
        if (same_text(d->list_code, e->list_code) && same_text(d->listed_name, primary) &&
            rf_store_entity_find(&id, st, d->list_code, d->source_id, NULL) == RF_ENOTFOUND)
            return d;
    }
    return NULL;
}

/* 1 when the record cleared is among the hits as it was: a hit on the same entry whose content
 * hash is the one decided on (a list may give two records one id, CAP 15268 in the CSL: the
 * other record is no amendment of the one cleared). */
static int record_still_listed(const rf_decision *d, const rf_hit *const *hits, size_t n_hits)
{
    for (size_t j = 0; j < n_hits && d->content_hash; j++) {
        const rf_entity *e = hits[j]->entity;
        if (e->content_hash && strcmp(e->content_hash, d->content_hash) == 0 &&
            same_text(e->list_code, d->list_code))
            return 1;
    }
    return 0;
}

void rf_session__notes_free(rf_session__notes *n)
{
    rf_decision_list_free(&n->decisions);
    for (size_t i = 0; i < n->changes_cap; i++) rf_buf_free(&n->changes[i]);
    free(n->changes);
    free(n->notes);
    memset(n, 0, sizeof *n);
}

int rf_session__notes_for(rf_session__notes *n, rf_store *st, const char *fingerprint, const rf_hit *const *hits,
                  size_t n_hits, rf_error *err)
{
    rf_snapshot *earlier = NULL;
    long long *ids = NULL;
    size_t n_ids = 0;
    int rc;

    rf_decision_list_free(&n->decisions);
    if (n_hits > n->cap) {
        rf_hit_note *grown = realloc(n->notes, n_hits * sizeof *grown);
        if (!grown) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        n->notes = grown;
        n->cap = n_hits;
    }
    if (n_hits > n->changes_cap) {
        rf_buf *grown = realloc(n->changes, n_hits * sizeof *grown);
        if (!grown) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        memset(grown + n->changes_cap, 0, (n_hits - n->changes_cap) * sizeof *grown);
        n->changes = grown;
        n->changes_cap = n_hits;
    }
    memset(n->notes, 0, n_hits * sizeof *n->notes);
    if (n_hits == 0) return RF_OK;
    if ((rc = rf_store_decisions_for(&n->decisions, st, fingerprint, err)) != 0) return rc;
    if (n->decisions.count == 0) return RF_OK;

    if (!(ids = calloc(n_hits, sizeof *ids)))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n_hits; i++) {
        const rf_entity *e = hits[i]->entity;
        const rf_decision *d = decision_for(st, &n->decisions, e);
        rf_hit_note *note = &n->notes[i];
        if (!d) continue;
        note->decision = d;
        /* Only a clearance depends on the record: confirmed and escalated alarm anyway. */
        if (d->kind == RF_DECISION_CLEARED && !record_still_listed(d, hits, n_hits)) {
            note->record_changed = 1;
            if (d->entity_id) ids[n_ids++] = d->entity_id;
        }
    }
    /* Say what changed: the record as cleared is still stored (records are never deleted). */
    if (n_ids && (rc = rf_snapshot_load_ids(&earlier, st, ids, n_ids, err)) != 0) goto cleanup;
    for (size_t i = 0; i < n_hits && earlier; i++) {
        rf_hit_note *note = &n->notes[i];
        const rf_entity *before;
        if (!note->record_changed) continue;
        before = rf_snapshot_find(earlier, note->decision->entity_id);
        if (!before) continue;
        if ((rc = rf_entity_changes(&n->changes[i], before, hits[i]->entity)) != 0) {
            rc = rf_error_set(err, rc, NULL, 0, "out of memory");
            goto cleanup;
        }
        note->changes = n->changes[i].data;
    }
    rc = RF_OK;

cleanup:
    rf_snapshot_free(earlier);
    free(ids);
    return rc;
}

void rf_session__tally(rf_run_totals *t, const rf_hit *const *hits,
                       const rf_hit_note *notes, size_t n_hits)
{
    rf_hit_state worst = RF_HIT_DROPPED;
    int review = 0;
    t->parties++;
    if (n_hits == 0) return;
    for (size_t i = 0; i < n_hits; i++) {
        rf_hit_state s = rf_hit_note_state(notes ? &notes[i] : NULL);
        if (rf_hit_state_alarms(s) && !rf_hit_alarms(hits[i], s)) review = 1;
        else if (s < worst) worst = s;
    }
    t->flagged++;
    if (worst == RF_HIT_NEW || worst == RF_HIT_CHANGED) t->new_alarms++;
    else if (worst == RF_HIT_CONFIRMED || worst == RF_HIT_ESCALATED) t->known_alarms++;
    else if (review) t->to_review++;
    else if (worst == RF_HIT_CLEARED) t->cleared++;
}

/* ---- recording a run ------------------------------------------------------------------- */

/* rf_run_info.on_commit of a run recorded at close: the run has its id. */
static int recording(rf_store *st, long long run_id, rf_error *err, void *ctx)
{
    rf_session__record *r = ctx;
    r->run_id = run_id;
    return r->on_record ? r->on_record(st, run_id, err, r->ctx) : RF_OK;
}

int rf_session__record_begin(rf_session__record *r, rf_store *st, const char *command,
                             const rf_version_list *versions, const char *as_of,
                             const rf_match_options *match, const char *report_time,
                             const char *user, int argc, char *const *argv,
                             const rf_session_options *at_close, rf_error *err)
{
    rf_run_info info;
    rf_buf settings = {0};
    int rc = RF_OK;

    memset(r, 0, sizeof *r);
    r->st = st;
    /* The command line as given: every option that shaped the report, in the user's words. */
    rc = rf_buf_puts(&settings, "redflag");
    if (argc == 0 && rc == RF_OK) rc = rf_buf_printf(&settings, " %s", command);
    for (int i = 0; i < argc && rc == RF_OK; i++) rc = rf_buf_printf(&settings, " %s", argv[i]);
    if (rc || !(r->command_line = rf_strdup(settings.data))) {
        rf_buf_free(&settings);
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    /* A read-only database (an archived copy) is screened against, not recorded into. */
    if (rf_store_readonly(st)) {
        rf_buf_free(&settings);
        return RF_OK;
    }
    memset(&info, 0, sizeof info);
    info.command = command;
    info.user = user;
    info.report_time = report_time;
    info.as_of = as_of;
    info.threshold = match->threshold > 0 ? match->threshold : RF_DEFAULT_THRESHOLD;
    info.max_hits = match->max_hits > 0 ? match->max_hits : RF_DEFAULT_MAX_HITS;
    info.settings = settings.data + strlen("redflag "); /* as recorded before */
    info.tool_version = RF_VERSION;
    info.versions = versions;
    if (at_close && at_close->record_at_close) {
        info.at_finish = 1;
        info.on_commit = recording;
        info.ctx = r;
        r->at_close = 1;
        r->on_record = at_close->on_record;
        r->ctx = at_close->ctx;
    }
    rc = rf_store_run_begin(&r->run, st, &info, err);
    r->run_id = rf_run_id(r->run);
    rf_buf_free(&settings);
    return rc;
}

/* Makes room for n hits in the recording buffers. */
static int record_room(rf_session__record *r, size_t n, size_t n_spans)
{
    if (n > r->cap) {
        rf_run_hit *a = realloc(r->hits, n * sizeof *a);
        rf_known_hit *b = a ? realloc(r->known, n * sizeof *b) : NULL;
        if (a) r->hits = a;
        if (!b) return RF_ENOMEM;
        r->known = b;
        r->cap = n;
    }
    if (n_spans > r->spans_cap) {
        size_t *s = realloc(r->spans, n_spans * sizeof *s);
        if (!s) return RF_ENOMEM;
        r->spans = s;
        r->spans_cap = n_spans;
    }
    return RF_OK;
}

int rf_session__record_result(rf_session__record *r, int input, const rf_party *party, const char *fingerprint,
                      const rf_hit *const *hits, size_t n_hits, const rf_hit_note *notes,
                      rf_error *err)
{
    size_t n_spans = 0, used = 0;

    for (size_t i = 0; i < n_hits; i++)
        n_spans += 2 * (hits[i]->n_listed_spans + hits[i]->n_party_spans);
    if (record_room(r, n_hits, n_spans))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n_hits; i++) {
        const rf_hit *h = hits[i];
        rf_run_hit *rh = &r->hits[i];
        memset(rh, 0, sizeof *rh);
        rh->entity = h->entity;
        rh->name_index = h->name_index;
        rh->score = h->score;
        rh->explanation = h->explanation;
        rh->listed_spans = r->spans + used;
        for (size_t k = 0; k < h->n_listed_spans; k++) {
            r->spans[used++] = h->listed_spans[k].start;
            r->spans[used++] = h->listed_spans[k].len;
        }
        rh->n_listed_spans = h->n_listed_spans;
        rh->party_spans = r->spans + used;
        for (size_t k = 0; k < h->n_party_spans; k++) {
            r->spans[used++] = h->party_spans[k].start;
            r->spans[used++] = h->party_spans[k].len;
        }
        rh->n_party_spans = h->n_party_spans;
        if (notes) {
            rh->decision = notes[i].decision;
            rh->record_changed = notes[i].record_changed;
            rh->changes = notes[i].changes;
            rh->rescreen = notes[i].rescreen;
        }
    }
    return r->run ? rf_store_run_add_result(r->run, input, party, fingerprint, r->hits, n_hits,
                                            err)
                  : RF_OK;
}

int rf_session__record_counterparty(rf_session__record *r, const rf_party *party, const char *fingerprint,
                            const rf_hit *const *hits, size_t n_hits, rf_error *err)
{
    if (record_room(r, n_hits, 0)) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n_hits; i++) {
        const rf_entity *e = hits[i]->entity;
        rf_known_hit *k = &r->known[i];
        k->list_code = e->list_code ? e->list_code : "";
        k->source_id = e->source_id ? e->source_id : "";
        k->listed_name = e->n_names ? e->names[0].text : NULL;
        k->content_hash = e->content_hash ? e->content_hash : "";
        k->entity_id = e->id;
        k->score = hits[i]->score;
    }
    return r->run ? rf_store_run_counterparty(r->run, party, fingerprint, r->known, n_hits, err)
                  : RF_OK;
}

int rf_session__record_input(rf_session__record *r, int position, const char *path,
                             const char *sha256, long parties, const rf_error *failure,
                             rf_error *err)
{
    rf_run_input in;
    char sha[65];
    if (!r->run) return RF_OK; /* not recorded */
    memset(&in, 0, sizeof in);
    in.position = position;
    in.path = path;
    in.sha256 = sha256 ? sha256 : file_sha256(sha, path) == 0 ? sha : NULL;
    in.parties = parties;
    if (failure && failure->code) {
        in.error_line = failure->line;
        in.error = failure->message[0] ? failure->message : rf_strerror(failure->code);
    }
    return rf_store_run_add_input(r->run, &in, err);
}

int rf_session__record_finish(rf_session__record *r, const rf_run_totals *totals, rf_error *err)
{
    rf_run *run = r->run;
    int rc;
    r->run = NULL;
    if (!run) return RF_OK;
    rc = rf_store_run_finish(run, totals, err);
    if (rc && r->at_close) r->run_id = 0; /* rolled back: not recorded after all */
    return rc;
}

void rf_session__record_free(rf_session__record *r)
{
    rf_store_run_fail(r->run); /* a run not finished failed, whatever it had recorded */
    rf_session__notes_free(&r->notes);
    free(r->hits);
    free(r->known);
    free(r->spans);
    free(r->gathered);
    free(r->command_line);
    memset(r, 0, sizeof *r);
}

int rf_session__record_screened(rf_session__record *r, rf_report *rep, int input,
                                const rf_party *party, rf_result *res, const char *made,
                                rf_session_result *out, rf_error *err)
{
    char *fingerprint = r->fingerprint;
    size_t n = rf_result_count(res);
    const rf_hit_note *notes = NULL;
    int rc;

    if (n > r->gathered_cap) {
        const rf_hit **grown = realloc(r->gathered, n * sizeof *grown);
        if (!grown) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        r->gathered = grown;
        r->gathered_cap = n;
    }
    for (size_t i = 0; i < n; i++) r->gathered[i] = rf_result_hit(res, i);
    /* A party without a name has no identity to carry decisions: it is reported, not kept. */
    if (made) snprintf(fingerprint, sizeof r->fingerprint, "%s", made);
    else if (rf_party_fingerprint(fingerprint, res, party) < 0) fingerprint[0] = '\0';
    if (n && fingerprint[0]) {
        if ((rc = rf_session__notes_for(&r->notes, r->st, fingerprint, r->gathered, n, err)) != 0)
            return rc;
        notes = r->notes.notes;
    }
    if ((rep && (rc = rf_report_add_reviewed(rep, party, r->gathered, n,
                                             fingerprint[0] ? fingerprint : NULL, notes,
                                             err)) != 0) ||
        (rc = rf_session__record_result(r, input, party, fingerprint, r->gathered, n, notes,
                                        err)) != 0 ||
        (r->counterparties && fingerprint[0] &&
         (rc = rf_session__record_counterparty(r, party, fingerprint, r->gathered, n, err)) != 0))
        return rc;
    rf_session__tally(&r->totals, r->gathered, notes, n);
    out->party = party;
    out->input = input;
    out->fingerprint = fingerprint[0] ? fingerprint : NULL;
    out->hits = r->gathered;
    out->n_hits = n;
    out->notes = notes;
    out->alarm = 0;
    for (size_t i = 0; i < n && !out->alarm; i++)
        out->alarm = rf_hit_alarms(r->gathered[i], rf_hit_note_state(notes ? &notes[i] : NULL));
    return RF_OK;
}
