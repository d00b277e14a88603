/* ahead.c: screening ahead on several threads (session_internal.h). A screen of one set of
 * lists spends most of its time in the matcher, which reads the index and writes only a
 * thread's own result; what follows (review state, the report, the audit trail) reads and
 * writes the database and must keep the parties' order. So the parties are copied into a
 * batch as the reader gives them; a full batch is screened by the other threads (each party's
 * hits handed over to the batch, its fingerprint made beside them) while the calling thread
 * records the batch before it, one party after another in order, and reads on into a second
 * batch; then it helps screen what is left of the first, and so on. */
#include "session_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parties a batch holds per thread: enough that waking the threads costs little beside
 * screening them (about 70 microseconds a party). */
#define PARTIES_PER_THREAD 32

/* One party of a batch: its copy and what screening it gave. */
typedef struct slot {
    rf_party party;   /* its strings in `text` */
    rf_buf text;
    rf_result *hits;  /* handed over from the thread's working result (rf_result_swap_hits) */
    char fingerprint[RF_FINGERPRINT_LEN + 1];
    int rc;
    rf_error err;
} slot;

/* A thread screening: its working result (the matcher's scratch), and itself. */
typedef struct screener {
    rf_session__ahead *ahead;
    rf_result *work;
    pthread_t thread;
    int started;
} screener;

/* The two batches take turns: one filled (then recorded) by the calling thread, the other
 * screened meanwhile. */
struct rf_session__ahead {
    const rf_matcher *matcher;
    const rf_match_options *opts;
    slot *batch[2];
    size_t n[2];          /* parties in each */
    size_t cap;           /* of each */
    int filling;          /* the batch rf_session__ahead_add fills; the other is screened, or
                           * done and being recorded */
    int flying;           /* 1 while the other batch is being screened */
    screener *screeners;  /* [0] is the calling thread's, working in the session's result */
    int threads;
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    /* Under `lock`: */
    unsigned long launched; /* counts the batches given to the threads */
    slot *open;           /* the batch being screened, open[0 .. todo) */
    size_t todo;          /* 0 between batches: a thread woken late finds nothing open */
    size_t next;          /* the next slot to screen */
    size_t finished;      /* slots screened of the batch */
    int stop;
};

/* The string fields of party `p`, as the places that point to them. */
#define PARTY_STRINGS 21
static void party_strings(const char **out[PARTY_STRINGS], rf_party *p)
{
    const char **fields[PARTY_STRINGS] = {
        &p->document, &p->ref,      &p->role,        &p->name,        &p->address,     &p->city,
        &p->country,  &p->date,     &p->item,        &p->format,      &p->doc_type,    &p->party_id,
        &p->region,   &p->postal_code, &p->order_line, &p->part_number, &p->description,
        &p->quantity, &p->eccn,     &p->hs_code,     &p->origin};
    memcpy(out, fields, sizeof fields);
}

/* Copies `p` into slot `s`, its strings into the slot's text (no order lines: the session
 * screens ahead only parties without them). */
static int copy_party(slot *s, const rf_party *p)
{
    const char **field[PARTY_STRINGS];
    size_t at[PARTY_STRINGS]; /* a string's offset in the text, + 1; 0 for NULL */
    rf_buf_reset(&s->text);
    s->party = *p;
    s->party.lines = NULL;
    s->party.n_lines = 0;
    party_strings(field, &s->party);
    for (size_t k = 0; k < PARTY_STRINGS; k++) {
        at[k] = *field[k] ? s->text.len + 1 : 0;
        if (*field[k] && rf_buf_append(&s->text, *field[k], strlen(*field[k]) + 1) != RF_OK) return RF_ENOMEM;
    }
    for (size_t k = 0; k < PARTY_STRINGS; k++) *field[k] = at[k] ? s->text.data + at[k] - 1 : NULL;
    return RF_OK;
}

/* Screens slot `s` with the working result `work`, the hits handed over to the slot. */
static void screen_slot(const rf_session__ahead *a, rf_result *work, slot *s)
{
    rf_error_clear(&s->err);
    s->rc = rf_matcher_screen(work, a->matcher, &s->party, a->opts, &s->err);
    if (s->rc == RF_OK) rf_result_swap_hits(s->hits, work);
    /* the party's identity, normalized with this thread's transliterator */
    if (rf_party_fingerprint(s->fingerprint, work, &s->party) < 0) s->fingerprint[0] = '\0';
}

/* Takes slots of the batch open until none is left. */
static void take_slots(rf_session__ahead *a, rf_result *work)
{
    for (;;) {
        slot *s = NULL;
        pthread_mutex_lock(&a->lock);
        if (a->next < a->todo) s = &a->open[a->next++];
        pthread_mutex_unlock(&a->lock);
        if (!s) return;
        screen_slot(a, work, s);
        pthread_mutex_lock(&a->lock);
        if (++a->finished == a->todo) pthread_cond_signal(&a->done);
        pthread_mutex_unlock(&a->lock);
    }
}

static void *screener_main(void *arg)
{
    screener *me = arg;
    rf_session__ahead *a = me->ahead;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&a->lock);
        while (!a->stop && a->launched == seen) pthread_cond_wait(&a->go, &a->lock);
        seen = a->launched;
        pthread_mutex_unlock(&a->lock);
        if (a->stop) return NULL;
        take_slots(a, me->work);
    }
}

int rf_session__ahead_new(rf_session__ahead **out, const rf_matcher *m, rf_result *own,
                          const rf_match_options *opts, int threads, rf_error *err)
{
    rf_session__ahead *a = calloc(1, sizeof *a);
    size_t cap = (size_t)threads * PARTIES_PER_THREAD;
    *out = NULL;
    if (!a || !(a->screeners = calloc((size_t)threads, sizeof *a->screeners)) ||
        !(a->batch[0] = calloc(cap, sizeof *a->batch[0])) || !(a->batch[1] = calloc(cap, sizeof *a->batch[1]))) {
        if (a) {
            free(a->screeners);
            free(a->batch[0]);
        }
        free(a);
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    a->matcher = m;
    a->opts = opts;
    a->cap = cap;
    a->threads = threads;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->go, NULL);
    pthread_cond_init(&a->done, NULL);
    a->screeners[0] = (screener){.ahead = a, .work = own};
    for (int b = 0; b < 2; b++)
        for (size_t i = 0; i < cap; i++)
            if (rf_result_new(&a->batch[b][i].hits) != RF_OK) goto no_memory;
    for (int t = 1; t < threads; t++) {
        screener *s = &a->screeners[t];
        s->ahead = a;
        if (rf_result_new(&s->work) != RF_OK) goto no_memory;
        if (pthread_create(&s->thread, NULL, screener_main, s) != 0) {
            rf_session__ahead_free(a);
            return rf_error_set(err, RF_EIO, NULL, 0, "cannot start a screening thread");
        }
        s->started = 1;
    }
    *out = a;
    return RF_OK;
no_memory:
    rf_session__ahead_free(a);
    return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
}

void rf_session__ahead_free(rf_session__ahead *a)
{
    if (!a) return;
    pthread_mutex_lock(&a->lock);
    a->stop = 1; /* a batch being screened is finished first: its slots are freed below */
    pthread_cond_broadcast(&a->go);
    pthread_mutex_unlock(&a->lock);
    for (int t = 1; t < a->threads; t++) {
        if (a->screeners[t].started) pthread_join(a->screeners[t].thread, NULL);
        rf_result_free(a->screeners[t].work);
    }
    for (int b = 0; b < 2; b++) {
        for (size_t i = 0; a->batch[b] && i < a->cap; i++) {
            rf_result_free(a->batch[b][i].hits);
            rf_buf_free(&a->batch[b][i].text);
        }
        free(a->batch[b]);
    }
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->go);
    pthread_cond_destroy(&a->done);
    free(a->screeners);
    free(a);
}

int rf_session__ahead_add(rf_session__ahead *a, const rf_party *party)
{
    int f = a->filling;
    int rc = copy_party(&a->batch[f][a->n[f]], party);
    if (rc != RF_OK) return rc;
    return ++a->n[f] == a->cap;
}

size_t rf_session__ahead_finish(rf_session__ahead *a)
{
    if (!a->flying) return 0;
    take_slots(a, a->screeners[0].work); /* what the other threads have not taken yet */
    pthread_mutex_lock(&a->lock);
    while (a->finished < a->todo) pthread_cond_wait(&a->done, &a->lock);
    a->todo = 0;
    pthread_mutex_unlock(&a->lock);
    a->flying = 0;
    return a->n[!a->filling];
}

void rf_session__ahead_launch(rf_session__ahead *a)
{
    int f = a->filling;
    if (a->flying || a->n[f] == 0) return;
    pthread_mutex_lock(&a->lock);
    a->open = a->batch[f];
    a->todo = a->n[f];
    a->next = a->finished = 0;
    a->launched++;
    pthread_cond_broadcast(&a->go);
    pthread_mutex_unlock(&a->lock);
    a->flying = 1;
    a->filling = !f; /* the batch done before, once recorded (rf_session__ahead_clear) */
}

int rf_session__ahead_get(const rf_session__ahead *a, size_t i, const rf_party **party, rf_result **hits,
                          const char **fingerprint, rf_error *err)
{
    const slot *s = &a->batch[a->flying ? a->filling : !a->filling][i];
    if (s->rc != RF_OK) {
        *err = s->err;
        return s->rc;
    }
    *party = &s->party;
    *hits = s->hits;
    *fingerprint = s->fingerprint;
    return RF_OK;
}

void rf_session__ahead_clear(rf_session__ahead *a)
{
    a->n[a->flying ? a->filling : !a->filling] = 0;
}
