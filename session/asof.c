/* asof.c: the list versions a screening session uses, per date (session_internal.h), and the
 * loaded lists sessions may share (rf_session_lists, rf_session.h). Dates map to the set of
 * versions in force on them, and each distinct set is loaded once (snapshot with ownership
 * applied, and matcher) and kept while it is used: orders of one batch fall on few dates and
 * fewer versions. Each loaded set carries, per feed that has a previous version, a small
 * matcher over the entities the previous version listed and the one in force removed (the
 * diff's removed set): screening a clear party against it is how a delisting is found,
 * cheaply. A loaded set is read-only once built, so a server's requests share one; what a
 * session writes while screening (the results) is the session's own. */
#include "session_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sets of versions kept in memory at once; a full list set costs tens of megabytes. */
#define MAX_LOADED 4
/* Dates remembered; past this the map starts over (a lookup is then one query again). */
#define MAX_DATES 1024

/* The parties one version removed from its feed, ready to screen against. */
typedef struct removed_set {
    rf_snapshot *snap;           /* entities of listed_in that removed_in lacks */
    rf_matcher *matcher;
    const rf_version *listed_in; /* owned by snap */
    const rf_version *removed_in; /* owned by the loaded set's snapshot */
} removed_set;

/* What a session writes while screening against a set of lists: the result of a party and
 * one per removed set, each with its working memory (a transliterator, arrays sized to the
 * index), which costs more to build than a small order costs to screen. Sessions over
 * shared lists take theirs from the lists' pool and give it back at close. */
typedef struct work {
    rf_result *result;
    rf_result **removed; /* one per removed set of the set screened against */
    size_t n_removed;
    struct work *next; /* in the pool */
} work;

typedef struct work_pool {
    pthread_mutex_t lock;
    work *idle;
} work_pool;

static void work_free(work *w)
{
    if (!w) return;
    rf_result_free(w->result);
    for (size_t i = 0; i < w->n_removed; i++) rf_result_free(w->removed[i]);
    free(w->removed);
    free(w);
}

struct rf_session_lists {
    work_pool *pool; /* loaded by rf_session_lists_load for sessions to share; else NULL */
    char *key; /* the version ids, "3,7,9" */
    char date[11]; /* the date they are in force on */
    int dated;     /* loaded for an as_of date given, not for today */
    rf_snapshot *snap;
    rf_matcher *matcher;
    removed_set *removed;
    size_t n_removed;
};

/* A loaded set kept by a session loading per document date, with when it was last used, for
 * eviction. */
typedef struct loaded {
    rf_session_lists *lists;
    unsigned long used;
} loaded;

typedef struct date_entry {
    char date[11];
    loaded *lists;
} date_entry;

struct rf_session__asof {
    rf_store *st;
    const rf_session_options *opts;  /* the session's: ownership rules, where notices go */
    int per_document;
    char today[11];
    const rf_session_lists *fixed; /* the one set when not per document */
    rf_session_lists *fixed_owned; /* the same, when the session loaded it (not borrowed) */
    loaded *sets[MAX_LOADED];
    unsigned long clock;
    unsigned long loads; /* sets loaded so far */
    date_entry *dates;
    size_t n_dates;
    rf_delisting *delisted;
    size_t delisted_cap;
    work *work;         /* the session's results */
    work_pool *pool;    /* where `work` goes back at the end; NULL: freed */
    char warned_document[1024]; /* the last document and date a warning was given for */
    char warned_date[64];
};

void rf_session_lists_free(rf_session_lists *l)
{
    if (!l) return;
    if (l->pool) {
        while (l->pool->idle) {
            work *w = l->pool->idle;
            l->pool->idle = w->next;
            work_free(w);
        }
        pthread_mutex_destroy(&l->pool->lock);
        free(l->pool);
    }
    for (size_t i = 0; i < l->n_removed; i++) {
        rf_matcher_free(l->removed[i].matcher);
        rf_snapshot_free(l->removed[i].snap);
    }
    free(l->removed);
    rf_matcher_free(l->matcher);
    rf_snapshot_free(l->snap);
    free(l->key);
    free(l);
}

static void loaded_free(loaded *l)
{
    if (!l) return;
    rf_session_lists_free(l->lists);
    free(l);
}

const rf_version_list *rf_session_lists_versions(const rf_session_lists *l)
{
    return rf_snapshot_versions(l->snap);
}

const rf_snapshot *rf_session_lists_snapshot(const rf_session_lists *l)
{
    return l->snap;
}

const rf_matcher *rf_session_lists_matcher(const rf_session_lists *l)
{
    return l->matcher;
}

const char *rf_session_lists_date(const rf_session_lists *l)
{
    return l->date;
}

/* "3,7,9": the ids of a version list, which identify what a date is screened against. */
/* The key of a set: its version ids, and the date when an ownership file is among them
 * (the rules and links in force change with the date, not only with the versions). */
static char *versions_key(const rf_version_list *v, const char *date)
{
    rf_buf b = {0};
    for (size_t i = 0; i < v->count; i++)
        if (rf_buf_printf(&b, "%s%lld", i ? "," : "", v->items[i].id) != 0 ||
            (rf_version_is_ownership(&v->items[i]) && rf_buf_printf(&b, "@%s", date) != 0)) {
            rf_buf_free(&b);
            return NULL;
        }
    if (rf_buf_append(&b, "", 0) != 0) return NULL;
    return rf_buf_detach(&b);
}

/* Makes `r` the parties `version` removed from its feed; r->snap stays NULL when it removed
 * none or is the first of its feed. */
static int load_removed_set(removed_set *r, rf_store *st, const rf_version *version,
                            rf_error *err)
{
    rf_version_list prev = {0};
    int rc = rf_store_version_previous(&prev, st, version->id, err);

    if (rc == 0 && prev.count)
        rc = rf_snapshot_load_removed(&r->snap, st, prev.items[0].id, version->id, err);
    rf_version_list_free(&prev);
    if (rc || !r->snap) return rc;
    if (rf_snapshot_count(r->snap) == 0) {
        rf_snapshot_free(r->snap);
        r->snap = NULL;
        return 0;
    }
    if ((rc = rf_matcher_open(&r->matcher, r->snap, st, err)) != 0) return rc;
    r->listed_in = &rf_snapshot_versions(r->snap)->items[0];
    r->removed_in = version;
    return 0;
}

/* For each version in force that replaced another, the parties it removed. */
static int load_removed(rf_session_lists *l, rf_store *st, rf_error *err)
{
    const rf_version_list *v = rf_snapshot_versions(l->snap);

    if (!(l->removed = calloc(v->count ? v->count : 1, sizeof *l->removed)))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < v->count; i++) {
        /* Counted before it is complete, so that a failure frees what was built. */
        removed_set *r = &l->removed[l->n_removed++];
        int rc = load_removed_set(r, st, &v->items[i], err);
        if (rc) return rc;
        if (!r->snap) l->n_removed--;
    }
    return 0;
}

/* Loads the versions in force on `date` with the ownership findings `opts` asks for, their
 * matcher and removed sets. */
static int lists_load_on(rf_session_lists **out, rf_store *st, const char *date,
                         const rf_session_options *opts, rf_error *err)
{
    rf_session_lists *l = calloc(1, sizeof *l);
    rf_ownership_summary own;
    int rc;

    *out = NULL;
    if (!l) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    snprintf(l->date, sizeof l->date, "%s", date);
    if ((rc = rf_snapshot_load(&l->snap, st, date, err)) != 0 ||
        (rc = rf_ownership_apply(&own, l->snap, st, opts->ownership, date, opts->related_alarm,
                                 err)) != 0 ||
        (rc = rf_matcher_open(&l->matcher, l->snap, st, err)) != 0 ||
        (rc = load_removed(l, st, err)) != 0)
        goto fail;
    if (!(l->key = versions_key(rf_snapshot_versions(l->snap), date))) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    if (own.links)
        rf_session__notice(opts, "ownership on %s: %zu links in force, %zu entities owned by "
                                 "listed parties, %zu related%s%s",
                           date, own.links, own.owned, own.related,
                           own.unnamed ? "; found without a name to screen against: " : "",
                           own.unnamed ? "import the companies' LEI records" : "");
    *out = l;
    return 0;

fail:
    rf_session_lists_free(l);
    return rc;
}

static void today_utc(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    /* Today as the store counts it (UTC), written out so that every party names its date. */
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int rf_session_lists_load(rf_session_lists **out, rf_store *store,
                          const rf_session_options *options, rf_error *err)
{
    static const rf_session_options defaults;
    char today[11];
    int rc;

    *out = NULL;
    if (!options) options = &defaults;
    if (options->as_of && !rf_date_valid(options->as_of))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "as of \"%s\": not a date YYYY-MM-DD",
                            options->as_of);
    today_utc(today);
    if ((rc = lists_load_on(out, store, options->as_of ? options->as_of : today, options, err)))
        return rc;
    (*out)->dated = options->as_of != NULL;
    if (!((*out)->pool = calloc(1, sizeof *(*out)->pool))) {
        rf_session_lists_free(*out);
        *out = NULL;
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    pthread_mutex_init(&(*out)->pool->lock, NULL);
    return 0;
}

int rf_session__lists_dated(const rf_session_lists *l)
{
    return l->dated;
}

/* Loads the versions in force on `date` for the session's cache. */
static int load_date(loaded **out, rf_session__asof *c, const char *date, rf_error *err)
{
    loaded *l = calloc(1, sizeof *l);
    int rc;

    *out = NULL;
    if (!l) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    if ((rc = lists_load_on(&l->lists, c->st, date, c->opts, err)) != 0) {
        free(l);
        return rc;
    }
    *out = l;
    c->loads++;
    return 0;
}

int rf_session__asof_new(rf_session__asof **out, rf_store *st, const rf_session_options *opts,
                         rf_error *err)
{
    rf_session__asof *c = calloc(1, sizeof *c);
    int rc;

    *out = NULL;
    if (!c) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    c->st = st;
    c->opts = opts;
    c->per_document = opts->per_document;
    today_utc(c->today);
    if (opts->lists && opts->lists->pool) {
        c->pool = opts->lists->pool;
        pthread_mutex_lock(&c->pool->lock);
        if ((c->work = c->pool->idle)) c->pool->idle = c->work->next;
        pthread_mutex_unlock(&c->pool->lock);
    }
    if ((!c->work && !(c->work = calloc(1, sizeof *c->work))) ||
        (!c->work->result && rf_result_new(&c->work->result) != RF_OK)) {
        rf_session__asof_free(c);
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    if (opts->lists) {
        c->fixed = opts->lists;
        c->loads++;
    } else if (!c->per_document) {
        if ((rc = lists_load_on(&c->fixed_owned, st, opts->as_of ? opts->as_of : c->today, opts,
                                err)) != 0) {
            rf_session__asof_free(c);
            return rc;
        }
        c->fixed = c->fixed_owned;
        c->loads++;
    }
    *out = c;
    return 0;
}

void rf_session__asof_free(rf_session__asof *c)
{
    if (!c) return;
    rf_session_lists_free(c->fixed_owned);
    for (size_t i = 0; i < MAX_LOADED; i++) loaded_free(c->sets[i]);
    if (c->pool && c->work) {
        pthread_mutex_lock(&c->pool->lock);
        c->work->next = c->pool->idle;
        c->pool->idle = c->work;
        pthread_mutex_unlock(&c->pool->lock);
    } else {
        work_free(c->work);
    }
    free(c->dates);
    free(c->delisted);
    free(c);
}

const rf_version_list *rf_session__asof_versions(const rf_session__asof *c)
{
    return c->fixed ? rf_snapshot_versions(c->fixed->snap) : NULL;
}

rf_result *rf_session__asof_result(const rf_session__asof *c)
{
    return c->work->result;
}

unsigned long rf_session__asof_loads(const rf_session__asof *c)
{
    return c->loads;
}

/* Forgets the dates that map to `l`, about to be freed. */
static void forget_dates(rf_session__asof *c, const loaded *l)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n_dates; i++)
        if (c->dates[i].lists != l) c->dates[kept++] = c->dates[i];
    c->n_dates = kept;
}

/* The loaded set for the versions in force on `date`: from the date map, else from the
 * loaded sets by their versions, else loaded now (evicting the least recently used). */
static int lists_on(loaded **out, rf_session__asof *c, const char *date, rf_error *err)
{
    rf_version_list v = {0};
    char *key = NULL;
    size_t slot = 0;
    int rc;

    for (size_t i = c->n_dates; i-- > 0;)
        if (strcmp(c->dates[i].date, date) == 0) {
            *out = c->dates[i].lists;
            (*out)->used = ++c->clock;
            return 0;
        }
    if ((rc = rf_store_versions_in_force(&v, c->st, date, err)) != 0) return rc;
    if (v.count == 0) {
        rf_version_list_free(&v);
        return rf_error_set(err, RF_ENOTFOUND, NULL, 0, "no list version in force on %s", date);
    }
    key = versions_key(&v, date);
    rf_version_list_free(&v);
    if (!key) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    *out = NULL;
    for (size_t i = 0; i < MAX_LOADED; i++) {
        if (c->sets[i] && strcmp(c->sets[i]->lists->key, key) == 0) {
            *out = c->sets[i];
            break;
        }
        if (!c->sets[i] || (c->sets[slot] && c->sets[i]->used < c->sets[slot]->used)) slot = i;
    }
    free(key);
    if (!*out) {
        if ((rc = load_date(out, c, date, err)) != 0) return rc;
        if (c->sets[slot]) {
            forget_dates(c, c->sets[slot]);
            loaded_free(c->sets[slot]);
        }
        c->sets[slot] = *out;
    }
    (*out)->used = ++c->clock;
    if (c->n_dates == MAX_DATES) c->n_dates = 0;
    if (!c->dates && !(c->dates = malloc(MAX_DATES * sizeof *c->dates))) return 0;
    snprintf(c->dates[c->n_dates].date, sizeof c->dates[0].date, "%s", date);
    c->dates[c->n_dates++].lists = *out;
    return 0;
}

/* Says that a document's date could not be used, and why: once per document and date, not
 * for every party of the order. */
static void warn_date(rf_session__asof *c, const rf_party *party, const char *why)
{
    const char *doc = party->document ? party->document : "";
    const char *date = party->date ? party->date : "";
    if (strcmp(c->warned_document, doc) == 0 && strcmp(c->warned_date, date) == 0) return;
    snprintf(c->warned_document, sizeof c->warned_document, "%s", doc);
    snprintf(c->warned_date, sizeof c->warned_date, "%s", date);
    rf_session__notice(c->opts, "%s:%ld: warning: %s; screened against the lists in force today "
                                "(%s)",
            doc, party->line, why, c->today);
}

/* The session's result for removed set `i`: the hits of every set stay valid together. */
static rf_result *removed_result(rf_session__asof *c, size_t i)
{
    work *w = c->work;
    if (i >= w->n_removed) {
        rf_result **grown = realloc(w->removed, (i + 1) * sizeof *grown);
        if (!grown) return NULL;
        w->removed = grown;
        for (; w->n_removed <= i; w->n_removed++)
            if (rf_result_new(&w->removed[w->n_removed]) != 0) return NULL;
    }
    return w->removed[i];
}

/* The parties the versions in force removed that the party, screened into `res`, matches
 * when it is clear: into scr->delisted. */
static int find_delisted(rf_session__asof *c, rf_screening *scr, const rf_session_lists *l, const rf_result *res,
                         const rf_party *party, const rf_match_options *opts, rf_error *err)
{
    size_t n = 0;
    if (rf_result_count(res) != 0 || l->n_removed == 0) return 0;
    for (size_t i = 0; i < l->n_removed; i++) {
        const removed_set *r = &l->removed[i];
        rf_result *found = removed_result(c, i);
        int rc;
        if (!found) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        if ((rc = rf_matcher_screen(found, r->matcher, party, opts, err))) return rc;
        for (size_t k = 0; k < rf_result_count(found); k++) {
            if (n == c->delisted_cap) {
                size_t cap = c->delisted_cap ? c->delisted_cap * 2 : 8;
                rf_delisting *grown = realloc(c->delisted, cap * sizeof *grown);
                if (!grown) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
                c->delisted = grown;
                c->delisted_cap = cap;
            }
            c->delisted[n++] = (rf_delisting){rf_result_hit(found, k), r->listed_in,
                                              r->removed_in};
        }
    }
    scr->delisted = c->delisted;
    scr->n_delisted = n;
    return 0;
}

int rf_session__asof_screen(rf_session__asof *c, rf_result *res, rf_screening *scr, const rf_party *party,
                    const rf_match_options *opts, rf_error *err)
{
    const rf_session_lists *l = c->fixed;
    const char *date = l ? l->date : NULL;
    int rc;

    memset(scr, 0, sizeof *scr);
    if (!l) {
        loaded *set = NULL;
        date = party->date && party->date[0] ? party->date : c->today;
        if (!rf_date_valid(date)) {
            warn_date(c, party, "the document's date is not YYYY-MM-DD");
            date = c->today;
        }
        rc = lists_on(&set, c, date, err);
        if (rc == RF_ENOTFOUND) {
            char why[64];
            snprintf(why, sizeof why, "no list version was in force on %s", date);
            warn_date(c, party, why);
            date = c->today;
            rc = lists_on(&set, c, date, err);
        }
        if (rc) return rc;
        l = set->lists;
    }
    if (!c->fixed) { /* else the run's date and versions, which the report already has */
        scr->as_of = date;
        scr->versions = rf_snapshot_versions(l->snap);
    }
    if ((rc = rf_matcher_screen(res, l->matcher, party, opts, err)) != 0) return rc;
    return find_delisted(c, scr, l, res, party, opts, err);
}

const rf_matcher *rf_session__asof_fixed_matcher(const rf_session__asof *c)
{
    return c->fixed ? c->fixed->matcher : NULL;
}

int rf_session__asof_screened(rf_session__asof *c, const rf_result *res, rf_screening *scr,
                              const rf_party *party, const rf_match_options *opts, rf_error *err)
{
    memset(scr, 0, sizeof *scr);
    return find_delisted(c, scr, c->fixed, res, party, opts, err);
}
