/* rescreen.c: a rescreen session (rf_session_rescreen): every counterparty any run has seen,
 * screened against the list versions in force now on several threads sharing one matcher,
 * and compared with what it matched when last screened: new hits, hits whose listed record
 * changed, and hits gone (the entity delisted, or still listed but no longer matched). The
 * changed parties go into the report and the run, and their counterparty state is brought
 * up to date when the run closes; the others are left as they are. */
#include "session_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* ---- the counterparties, in memory ------------------------------------------------------ */

/* Offsets into `arena` (NONE: no text). */
#define NONE ((size_t)-1)

typedef struct known {
    size_t fingerprint, name, address, city, country;
    size_t first_prev, n_prev; /* its hits when last screened, in `prev` */
} known;

typedef struct prev_hit {
    size_t list_code, source_id, listed_name, content_hash;
    long long entity_id;
    double score;
} prev_hit;

typedef struct population {
    rf_buf arena;
    known *parties;
    size_t count, cap;
    prev_hit *prev;
    size_t n_prev, prev_cap;
} population;

static size_t put_text(rf_buf *arena, const char *s, int *failed)
{
    size_t off = arena->len;
    if (!s) return NONE;
    if (rf_buf_puts(arena, s) < 0 || rf_buf_putc(arena, '\0') < 0) *failed = 1;
    return off;
}

static const char *text(const population *pop, size_t off)
{
    return off == NONE ? NULL : pop->arena.data + off;
}

static int collect(const rf_counterparty *cp, const rf_known_hit *hits, size_t n, void *ctx)
{
    population *pop = ctx;
    known *k;
    int failed = 0;

    if (pop->count == pop->cap) {
        size_t cap = pop->cap ? pop->cap * 2 : 65536;
        known *grown = realloc(pop->parties, cap * sizeof *grown);
        if (!grown) return 1;
        pop->parties = grown;
        pop->cap = cap;
    }
    if (pop->n_prev + n > pop->prev_cap) {
        size_t cap = pop->prev_cap ? pop->prev_cap * 2 : 1024;
        prev_hit *grown;
        while (cap < pop->n_prev + n) cap *= 2;
        if (!(grown = realloc(pop->prev, cap * sizeof *grown))) return 1;
        pop->prev = grown;
        pop->prev_cap = cap;
    }
    k = &pop->parties[pop->count++];
    k->fingerprint = put_text(&pop->arena, cp->fingerprint, &failed);
    k->name = put_text(&pop->arena, cp->name, &failed);
    k->address = put_text(&pop->arena, cp->address, &failed);
    k->city = put_text(&pop->arena, cp->city, &failed);
    k->country = put_text(&pop->arena, cp->country, &failed);
    k->first_prev = pop->n_prev;
    k->n_prev = n;
    for (size_t i = 0; i < n; i++) {
        prev_hit *p = &pop->prev[pop->n_prev++];
        p->list_code = put_text(&pop->arena, hits[i].list_code, &failed);
        p->source_id = put_text(&pop->arena, hits[i].source_id, &failed);
        p->listed_name = put_text(&pop->arena, hits[i].listed_name, &failed);
        p->content_hash = put_text(&pop->arena, hits[i].content_hash, &failed);
        p->entity_id = hits[i].entity_id;
        p->score = hits[i].score;
    }
    return failed;
}

static void party_of(rf_party *p, const population *pop, size_t i)
{
    const known *k = &pop->parties[i];
    memset(p, 0, sizeof *p);
    p->document = "counterparties";
    p->ref = text(pop, k->fingerprint);
    p->role = "counterparty";
    p->name = text(pop, k->name);
    p->address = text(pop, k->address);
    p->city = text(pop, k->city);
    p->country = text(pop, k->country);
}

/* ---- screening on threads --------------------------------------------------------------- */

/* A current hit, as much as the comparison needs. */
typedef struct cur_hit {
    size_t party;
    const rf_entity *entity;
} cur_hit;

typedef struct worker {
    pthread_t thread;
    const rf_session_options *opts; /* polled for cancellation */
    const rf_matcher *matcher;
    const rf_match_options *match;
    const population *pop;
    size_t from, to;
    cur_hit *hits;
    size_t n_hits, cap;
    int rc;
    rf_error err;
} worker;

static int cancelled(const rf_session_options *opts)
{
    return opts->cancelled && opts->cancelled(opts->ctx);
}

static void *screen_range(void *arg)
{
    worker *w = arg;
    rf_result *res = NULL;
    if ((w->rc = rf_result_new(&res)) < 0) {
        rf_error_set(&w->err, w->rc, NULL, 0, "out of memory");
        return NULL;
    }
    for (size_t i = w->from; i < w->to; i++) {
        rf_party p;
        size_t n;
        if (cancelled(w->opts)) {
            w->rc = rf_error_set(&w->err, RF_ECANCEL, NULL, 0, "interrupted");
            break;
        }
        party_of(&p, w->pop, i);
        if ((w->rc = rf_matcher_screen(res, w->matcher, &p, w->match, &w->err)) < 0) break;
        n = rf_result_count(res);
        if (w->n_hits + n > w->cap) {
            size_t cap = w->cap ? w->cap * 2 : 4096;
            cur_hit *grown;
            while (cap < w->n_hits + n) cap *= 2;
            if (!(grown = realloc(w->hits, cap * sizeof *grown))) {
                w->rc = rf_error_set(&w->err, RF_ENOMEM, NULL, 0, "out of memory");
                break;
            }
            w->hits = grown;
            w->cap = cap;
        }
        for (size_t k = 0; k < n; k++)
            w->hits[w->n_hits++] = (cur_hit){i, rf_result_hit(res, k)->entity};
    }
    rf_result_free(res);
    return NULL;
}

/* Screens every party on `threads` threads; the workers' hits, in party order, go to *out. */
static int screen_all(cur_hit **out, size_t *n_out, const rf_session *s, const population *pop,
                      int threads, rf_error *err)
{
    worker w[RF_SESSION_MAX_THREADS];
    size_t total = 0;
    int rc = 0;

    *out = NULL;
    *n_out = 0;
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].opts = &s->opts;
        w[i].matcher = s->matcher;
        w[i].match = &s->opts.match;
        w[i].pop = pop;
        w[i].from = pop->count * (size_t)i / (size_t)threads;
        w[i].to = pop->count * (size_t)(i + 1) / (size_t)threads;
        if (threads == 1) screen_range(&w[i]);
        else if (pthread_create(&w[i].thread, NULL, screen_range, &w[i]) != 0) {
            w[i].rc = rf_error_set(&w[i].err, RF_ENOMEM, NULL, 0, "cannot start a thread");
            w[i].from = w[i].to; /* joined below only if started */
        }
    }
    for (int i = 0; i < threads; i++) {
        if (threads > 1 && w[i].from < w[i].to) pthread_join(w[i].thread, NULL);
        total += w[i].n_hits;
    }
    for (int i = 0; i < threads && !rc; i++)
        if (w[i].rc < 0) rc = w[i].rc, *err = w[i].err;
    if (!rc && total && !(*out = malloc(total * sizeof **out)))
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (int i = 0; i < threads; i++) {
        if (!rc && w[i].n_hits) memcpy(*out + *n_out, w[i].hits, w[i].n_hits * sizeof **out);
        if (!rc) *n_out += w[i].n_hits;
        free(w[i].hits);
    }
    return rc;
}

/* ---- what is in force now --------------------------------------------------------------- */

/* The entities of the snapshot sorted by (list, source id) and by (list, primary name), to
 * tell a delisted entity from one that only stopped matching. */
typedef struct in_force {
    const rf_entity **by_id, **by_name;
    size_t count;
} in_force;

static const char *primary(const rf_entity *e)
{
    return e->n_names ? e->names[0].text : "";
}

static int cmp_list(const char *a, const char *b)
{
    return strcasecmp(a ? a : "", b ? b : "");
}

static int by_id_cmp(const void *a, const void *b)
{
    const rf_entity *x = *(const rf_entity *const *)a, *y = *(const rf_entity *const *)b;
    int d = cmp_list(x->list_code, y->list_code);
    return d ? d : strcmp(x->source_id ? x->source_id : "", y->source_id ? y->source_id : "");
}

static int by_name_cmp(const void *a, const void *b)
{
    const rf_entity *x = *(const rf_entity *const *)a, *y = *(const rf_entity *const *)b;
    int d = cmp_list(x->list_code, y->list_code);
    return d ? d : strcasecmp(primary(x), primary(y));
}

static int in_force_build(in_force *f, const rf_snapshot *snap)
{
    f->count = rf_snapshot_count(snap);
    f->by_id = malloc((f->count ? f->count : 1) * sizeof *f->by_id);
    f->by_name = malloc((f->count ? f->count : 1) * sizeof *f->by_name);
    if (!f->by_id || !f->by_name) return RF_ENOMEM;
    for (size_t i = 0; i < f->count; i++) f->by_id[i] = f->by_name[i] = rf_snapshot_entity(snap, i);
    qsort(f->by_id, f->count, sizeof *f->by_id, by_id_cmp);
    qsort(f->by_name, f->count, sizeof *f->by_name, by_name_cmp);
    return RF_OK;
}

static int in_force_has(const in_force *f, const char *list, const char *source_id,
                        const char *name)
{
    rf_entity key;
    rf_name key_name = {name ? name : "", RF_NAME_PRIMARY};
    const rf_entity *kp = &key;
    memset(&key, 0, sizeof key);
    key.list_code = list;
    key.source_id = source_id;
    key.names = &key_name;
    key.n_names = 1;
    return bsearch(&kp, f->by_id, f->count, sizeof *f->by_id, by_id_cmp) ||
           (name && bsearch(&kp, f->by_name, f->count, sizeof *f->by_name, by_name_cmp));
}

/* ---- comparing and reporting -------------------------------------------------------------- */

/* 1 when a current hit on `e` is the earlier hit `p` (same list entry, or, for lists whose
 * ids change with every amendment, same list and primary name). */
static int same_entity(const population *pop, const prev_hit *p, const rf_entity *e, int by_name)
{
    if (cmp_list(text(pop, p->list_code), e->list_code) != 0) return 0;
    if (!by_name) return e->source_id && strcmp(text(pop, p->source_id), e->source_id) == 0;
    return text(pop, p->listed_name) && strcasecmp(text(pop, p->listed_name), primary(e)) == 0;
}

/* One change the comparison found: a current hit that is new or changed, or an earlier hit
 * that is gone. Changes come in party order. */
typedef struct change {
    size_t party;
    const rf_entity *entity; /* the current hit's entity; NULL for a gone hit */
    const char *kind;        /* "new", "changed", "delisted", "dropped" */
    long long before;        /* the record as last screened (changed and gone hits), else 0 */
    double score;            /* gone: its score when last screened */
} change;

struct rf_session__rescreen {
    rf_session *s;
    population pop;
    in_force force;
    change *changes;
    size_t n_changes, changes_cap;
    rf_snapshot *earlier; /* the records as last screened, of changed and gone hits */
    /* per reported party */
    const rf_hit **hits;
    rf_hit *extra;        /* hits made up for gone entities */
    rf_hit_note *notes;
    rf_buf *change_text;
    size_t cap;
    rf_error err;
};
typedef struct rf_session__rescreen rescreen_run;

static int add_change(rescreen_run *rr, size_t party, const rf_entity *e, const char *kind,
                      long long before, double score)
{
    if (rr->n_changes == rr->changes_cap) {
        size_t cap = rr->changes_cap ? rr->changes_cap * 2 : 1024;
        change *grown = realloc(rr->changes, cap * sizeof *grown);
        if (!grown) return rf_error_set(&rr->err, RF_ENOMEM, NULL, 0, "out of memory");
        rr->changes = grown;
        rr->changes_cap = cap;
    }
    rr->changes[rr->n_changes++] = (change){party, e, kind, before, score};
    return RF_OK;
}

/* The earlier hit of party `k` that current hit `e` continues: the same record first (a list
 * may give two records one id), then the same entry, then, for lists whose ids change with
 * every amendment, the same name; NULL when it is new. */
static const prev_hit *earlier_hit(const population *pop, const known *k, const rf_entity *e)
{
    for (size_t p = 0; p < k->n_prev; p++) {
        const prev_hit *ph = &pop->prev[k->first_prev + p];
        if (same_entity(pop, ph, e, 0) && e->content_hash &&
            strcmp(text(pop, ph->content_hash), e->content_hash) == 0)
            return ph;
    }
    for (int by_name = 0; by_name < 2; by_name++)
        for (size_t p = 0; p < k->n_prev; p++)
            if (same_entity(pop, &pop->prev[k->first_prev + p], e, by_name))
                return &pop->prev[k->first_prev + p];
    return NULL;
}

/* Compares each party's hits now with its hits when last screened: rr->changes. */
static int compare_all(rescreen_run *rr, const cur_hit *cur, size_t n_cur)
{
    const population *pop = &rr->pop;
    size_t c = 0;
    int rc = RF_OK;

    for (size_t i = 0; i < pop->count && rc == RF_OK; i++) {
        const known *k = &pop->parties[i];
        size_t first = c, n;
        while (c < n_cur && cur[c].party == i) c++;
        n = c - first;
        for (size_t h = 0; h < n && rc == RF_OK; h++) {
            const rf_entity *e = cur[first + h].entity;
            const prev_hit *ph = earlier_hit(pop, k, e);
            if (!ph) rc = add_change(rr, i, e, "new", 0, 0);
            else if (!e->content_hash || strcmp(text(pop, ph->content_hash), e->content_hash))
                rc = add_change(rr, i, e, "changed", ph->entity_id, 0);
        }
        for (size_t p = 0; p < k->n_prev && rc == RF_OK; p++) {
            const prev_hit *ph = &pop->prev[k->first_prev + p];
            int still = 0;
            for (int by_name = 0; by_name < 2 && !still; by_name++)
                for (size_t h = 0; h < n && !still; h++)
                    still = same_entity(pop, ph, cur[first + h].entity, by_name);
            if (still) continue;
            rc = add_change(rr, i, NULL,
                            in_force_has(&rr->force, text(pop, ph->list_code),
                                         text(pop, ph->source_id), text(pop, ph->listed_name))
                                ? "dropped"
                                : "delisted",
                            ph->entity_id, ph->score);
        }
    }
    return rc;
}

/* Loads the records as last screened of every changed and gone hit, in one go. */
static int load_earlier(rescreen_run *rr)
{
    long long *ids = malloc((rr->n_changes ? rr->n_changes : 1) * sizeof *ids);
    size_t n = 0;
    int rc;
    if (!ids) return rf_error_set(&rr->err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < rr->n_changes; i++)
        if (rr->changes[i].before) ids[n++] = rr->changes[i].before;
    rc = rf_snapshot_load_ids(&rr->earlier, rr->s->st, ids, n, &rr->err);
    free(ids);
    return rc;
}

static int grow_reported(rescreen_run *rr, size_t n)
{
    const rf_hit **a;
    rf_hit *b;
    rf_hit_note *c;
    rf_buf *d;
    if (n <= rr->cap) return RF_OK;
    a = realloc(rr->hits, n * sizeof *a);
    if (a) rr->hits = a;
    b = a ? realloc(rr->extra, n * sizeof *b) : NULL;
    if (b) rr->extra = b;
    c = b ? realloc(rr->notes, n * sizeof *c) : NULL;
    if (c) rr->notes = c;
    d = c ? realloc(rr->change_text, n * sizeof *d) : NULL;
    if (!d) return RF_ENOMEM;
    memset(d + rr->cap, 0, (n - rr->cap) * sizeof *d);
    rr->change_text = d;
    rr->cap = n;
    return RF_OK;
}

/* Screens party `i` again for its full hits (explanations, marked words), then reports and
 * records its changes ch[0..n_ch): the new and changed hits as screened now, then the gone
 * ones as they were listed when last matched. */
static int report_party(rescreen_run *rr, size_t i, const change *ch, size_t n_ch)
{
    const population *pop = &rr->pop;
    const char *fp = text(pop, pop->parties[i].fingerprint);
    const rf_hit **current;
    size_t n_cur, n = 0;
    rf_party p;
    int rc;

    party_of(&p, pop, i);
    if ((rc = rf_matcher_screen(rr->s->result, rr->s->matcher, &p, &rr->s->opts.match, &rr->err)) < 0)
        return rc;
    n_cur = rf_result_count(rr->s->result);
    if (grow_reported(rr, 2 * (n_cur + n_ch)) != 0)
        return rf_error_set(&rr->err, RF_ENOMEM, NULL, 0, "out of memory");
    current = rr->hits + n_cur + n_ch; /* the second half: every current hit */
    for (size_t h = 0; h < n_cur; h++) current[h] = rf_result_hit(rr->s->result, h);
    for (size_t h = 0; h < n_cur; h++)
        for (size_t c = 0; c < n_ch; c++)
            if (ch[c].entity == current[h]->entity) {
                rr->hits[n] = current[h];
                rr->notes[n] = (rf_hit_note){NULL, 0, NULL, ch[c].kind};
                rr->extra[n].entity = NULL;
                rr->extra[n].name_index = c; /* which change, for below */
                n++;
            }
    for (size_t c = 0; c < n_ch; c++) {
        const rf_entity *e = ch[c].entity ? NULL : rf_snapshot_find(rr->earlier, ch[c].before);
        rf_hit *x = &rr->extra[n];
        if (!e) continue; /* a current hit, or (store edited by hand) a record gone */
        memset(x, 0, sizeof *x);
        x->entity = e;
        x->score = ch[c].score;
        x->explanation = strcmp(ch[c].kind, "delisted") == 0
                             ? "matched when last screened; no longer in the lists in force"
                             : "matched when last screened; still listed, no longer matches";
        rr->hits[n] = x;
        rr->notes[n] = (rf_hit_note){NULL, 0, NULL, ch[c].kind};
        n++;
    }
    if (n == 0) return RF_OK;
    if ((rc = rf_session__notes_for(&rr->s->record.notes, rr->s->st, fp, rr->hits, n, &rr->err)) < 0)
        return rc;
    for (size_t h = 0; h < n; h++) {
        const rf_hit_note *dn = &rr->s->record.notes.notes[h];
        const char *kind = rr->notes[h].rescreen;
        rr->notes[h] = *dn;
        rr->notes[h].rescreen = kind;
        (*(strcmp(kind, "new") == 0       ? &rr->s->totals.new_hits
           : strcmp(kind, "changed") == 0 ? &rr->s->totals.changed_hits
           : strcmp(kind, "delisted") == 0 ? &rr->s->totals.delisted_hits
                                           : &rr->s->totals.dropped_hits))++;
        /* A changed listing says what changed since it was last screened, unless the
         * decision on it already says what changed since it was cleared. */
        if (strcmp(kind, "changed") == 0 && !rr->notes[h].changes) {
            const change *c = &ch[rr->extra[h].name_index];
            const rf_entity *before = rf_snapshot_find(rr->earlier, c->before);
            if (before && rf_entity_changes(&rr->change_text[h], before, rr->hits[h]->entity) == 0)
                rr->notes[h].changes = rr->change_text[h].data;
        }
    }
    if ((rr->s->report &&
         (rc = rf_report_add_reviewed(rr->s->report, &p, rr->hits, n, fp, rr->notes, &rr->err)) <
             0) ||
        (rc = rf_session__record_result(&rr->s->record, 0, &p, fp, rr->hits, n, rr->notes, &rr->err)) < 0 ||
        (rc = rf_session__record_counterparty(&rr->s->record, &p, fp, current, n_cur, &rr->err)) < 0)
        return rc;
    rr->s->totals.reported++;
    rf_session__tally(&rr->s->record.totals, rr->hits, rr->notes, n);
    return RF_OK;
}

static int report_all(rescreen_run *rr)
{
    int rc = RF_OK;
    for (size_t c = 0; c < rr->n_changes && rc == RF_OK;) {
        size_t first = c;
        if (cancelled(&rr->s->opts)) return rf_error_set(&rr->err, RF_ECANCEL, NULL, 0, "interrupted");
        while (c < rr->n_changes && rr->changes[c].party == rr->changes[first].party) c++;
        rc = report_party(rr, rr->changes[first].party, rr->changes + first, c - first);
    }
    return rc;
}


int rf_session__rescreen_open(rf_session *s, rf_error *err)
{
    rescreen_run *rr = calloc(1, sizeof *rr);
    if (!rr) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    s->rescreen = rr;
    rr->s = s;
    rf_error_clear(&rr->err);
    if (rf_store_counterparties_each(s->st, NULL, collect, &rr->pop, err) < 0) {
        if (!err || !err->code) rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        return err && err->code ? err->code : RF_ENOMEM;
    }
    if (in_force_build(&rr->force, s->snap) != 0)
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    s->totals.rescreened = (long)rr->pop.count;
    return RF_OK;
}

size_t rf_session__rescreen_count(const rf_session__rescreen *r)
{
    return r->pop.count;
}

void rf_session__rescreen_free(rf_session__rescreen *rr)
{
    if (!rr) return;
    for (size_t i = 0; i < rr->cap; i++) rf_buf_free(&rr->change_text[i]);
    free(rr->change_text);
    free(rr->changes);
    rf_snapshot_free(rr->earlier);
    free(rr->hits);
    free(rr->extra);
    free(rr->notes);
    free(rr->force.by_id);
    free(rr->force.by_name);
    free(rr->pop.parties);
    free(rr->pop.prev);
    rf_buf_free(&rr->pop.arena);
    free(rr);
}

int rf_session_rescreen(rf_session *s, int threads, rf_error *err)
{
    rescreen_run *rr = s->rescreen;
    cur_hit *cur = NULL;
    size_t n_cur = 0;
    int rc;

    if (!rr) return rf_error_set(err, RF_EUSAGE, NULL, 0, "not a rescreen session");
    if (threads < 1 || threads > RF_SESSION_MAX_THREADS)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "threads: from 1 to %d", RF_SESSION_MAX_THREADS);
    rf_error_clear(&rr->err);
    if ((rc = screen_all(&cur, &n_cur, s, &rr->pop, threads, &rr->err)) == RF_OK &&
        (rc = compare_all(rr, cur, n_cur)) == RF_OK && (rc = load_earlier(rr)) == RF_OK)
        rc = report_all(rr);
    free(cur);
    if (rc < 0 && err) *err = rr->err;
    return rc;
}
