/* tests/session/session.c: the screening session through the library alone, as an ERP
 * integration links it: real orders (the demo UBL order naming a Huawei affiliate, and the
 * published UBL, X12 and EDIFACT samples under tests/data) screened against the bundled CSL,
 * with the verdict, each party's review state, the run record in the audit trail, a decision
 * that quiets a hit, a read-only store that records nothing, a run cancelled part way, a
 * rescreen after the November 2023 CSL replaced the bundled one, and sessions sharing lists
 * loaded once (as the server's requests do) screening an order read from memory exactly as a
 * session of its own screens the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session/rf_session.h"
#include "rf_test.h"

#define HUAWEI_ORDER "examples/order-ubl.xml" /* under $RF_SOURCE_DIR */

static const char *clear_orders[] = {
    "orders/ubl/UBL-Order-2.1-Example.xml",
    "orders/x12-850/Example1_PGWGlass.txt",
    "orders/edifact/ORDERS_D01B_EAN010_example_order_ok.edi",
};

static const char *source_file(const char *relative)
{
    static char path[4096];
    const char *dir = getenv("RF_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", relative);
    return path;
}

#define MAX_HITS 16

/* What the session handed back, party by party. */
typedef struct seen {
    int parties, alarms, embargoes;
    char huawei_fingerprint[RF_FINGERPRINT_LEN + 1];
    char huawei_list[MAX_HITS][16], huawei_source_id[MAX_HITS][128];
    long long huawei_entity[MAX_HITS];
    size_t huawei_hits;
    int huawei_state; /* the most urgent rf_hit_state of its hits */
    int notices;
    int cancel_after; /* > 0: cancel once this many parties were screened */
    uint64_t trail;   /* every party's name, fingerprint and hits, in order, hashed */
} seen;

/* Hashes `text` into *h (FNV-1a). */
static void trail_add(uint64_t *h, const char *text)
{
    for (const char *p = text ? text : "(null)"; *p; p++) *h = (*h ^ (unsigned char)*p) * 1099511628211u;
    *h = (*h ^ 0xffu) * 1099511628211u;
}

static int on_result(const rf_session_result *r, void *ctx)
{
    seen *s = ctx;
    s->parties++;
    s->alarms += r->alarm;
    s->embargoes += r->embargo;
    trail_add(&s->trail, r->party->name);
    trail_add(&s->trail, r->fingerprint);
    for (size_t i = 0; i < r->n_hits; i++) {
        char hit[160];
        snprintf(hit, sizeof hit, "%s %.6f %s", r->hits[i]->entity->source_id, r->hits[i]->score,
                 r->hits[i]->explanation);
        trail_add(&s->trail, hit);
    }
    if (r->party->name && strstr(r->party->name, "Huawei") && r->n_hits) {
        assert_non_null(r->fingerprint);
        assert_true(r->n_hits <= MAX_HITS);
        snprintf(s->huawei_fingerprint, sizeof s->huawei_fingerprint, "%s", r->fingerprint);
        s->huawei_hits = r->n_hits;
        s->huawei_state = RF_HIT_DROPPED;
        for (size_t i = 0; i < r->n_hits; i++) {
            const rf_entity *e = r->hits[i]->entity;
            int st = (int)rf_hit_note_state(r->notes ? &r->notes[i] : NULL);
            snprintf(s->huawei_list[i], sizeof s->huawei_list[i], "%s", e->list_code);
            snprintf(s->huawei_source_id[i], sizeof s->huawei_source_id[i], "%s", e->source_id);
            s->huawei_entity[i] = e->id;
            if (st < s->huawei_state) s->huawei_state = st;
        }
    }
    return 0;
}

static void on_notice(const char *message, void *ctx)
{
    (void)message;
    ((seen *)ctx)->notices++;
}

static int cancelled(void *ctx)
{
    seen *s = ctx;
    return s->cancel_after > 0 && s->parties >= s->cancel_after;
}

static rf_session_options options(seen *s)
{
    rf_session_options o;
    memset(&o, 0, sizeof o);
    o.on_result = on_result;
    o.on_notice = on_notice;
    o.cancelled = cancelled;
    o.ctx = s;
    return o;
}

/* Screens `paths` (NULL-terminated) in one session over `st` on `threads` threads: the
 * totals. */
static rf_session_totals screen_on(rf_store *st, const char *const *paths, seen *s, int threads)
{
    rf_session_options o = options(s);
    rf_session *session;
    rf_session_totals t;
    rf_error err = {0};

    o.threads = threads;
    assert_int_equal(rf_session_open(&session, st, &o, &err), RF_OK);
    for (size_t i = 0; paths[i]; i++) {
        rf_error read_err = {0};
        int rc = rf_orders_read(paths[i], NULL, rf_session_screen, session, &read_err);
        assert_int_equal(rf_session_input_done(session, paths[i], rc < 0 ? &read_err : NULL,
                                               &err),
                         RF_OK);
    }
    assert_int_equal(rf_session_close(session, &t, &err), RF_OK);
    return t;
}

static rf_session_totals screen(rf_store *st, const char *const *paths, seen *s)
{
    return screen_on(st, paths, s, 1);
}

static rf_store *bundled_store(const char *name)
{
    rf_store *st;
    rf_snapshot *snap;
    rf_matcher *m;
    assert_int_equal(rf_test_bundled(&st, &snap, &m, name), 0);
    rf_matcher_free(m);
    rf_snapshot_free(snap);
    return st;
}

static rf_run_record run_of(rf_store *st, long long id, rf_run_list *list)
{
    rf_error err = {0};
    assert_int_equal(rf_store_runs(list, st, id, NULL, NULL, &err), RF_OK);
    assert_int_equal(list->count, 1);
    return list->items[0];
}

static int count_input(const rf_run_input *in, void *ctx)
{
    assert_non_null(in->sha256); /* a regular file is hashed */
    (*(int *)ctx)++;
    return 0;
}

/* The demo order flags its Huawei affiliate: verdict review, exit status 1, a run recorded
 * with the party, its input and its counterparty state; a clear decision quiets it. */
static void test_session__huawei_order_review_then_cleared(void **state)
{
    rf_store *st = bundled_store("huawei.db");
    const char *paths[] = {source_file(HUAWEI_ORDER), NULL};
    seen s = {0};
    rf_session_totals t;
    rf_run_list runs;
    rf_run_record r;
    rf_decision d;
    rf_error err = {0};
    long long counterparties = 0;
    int inputs = 0;
    (void)state;

    t = screen(st, paths, &s);
    /* its ship-to in the Crimea is a finding whatever the names */
    assert_int_equal(t.verdict, RF_VERDICT_EMBARGO);
    assert_string_equal(rf_verdict_name(t.verdict), "embargo");
    assert_int_equal(t.embargoed, 1);
    assert_int_equal(s.embargoes, 1);
    assert_int_equal(t.run.exit_status, 1);
    assert_true(t.run_id > 0);
    assert_int_equal(t.inputs, 1);
    assert_int_equal(t.failed_inputs, 0);
    assert_int_equal(t.run.parties, s.parties);
    assert_true(s.parties >= 5);
    assert_int_equal(t.run.new_alarms, 1); /* Huawei Device Co., Ltd. alone */
    assert_int_equal(s.alarms, 1);
    assert_true(s.huawei_fingerprint[0]);
    assert_int_equal(s.huawei_state, RF_HIT_NEW);

    r = run_of(st, t.run_id, &runs);
    assert_string_equal(r.command, "screen");
    assert_string_equal(r.status, "done");
    assert_int_equal(r.totals.exit_status, 1);
    assert_int_equal(r.totals.parties, t.run.parties);
    assert_int_equal(r.totals.new_alarms, 1);
    rf_run_list_free(&runs);
    assert_int_equal(rf_store_run_inputs(st, t.run_id, count_input, &inputs, &err), RF_OK);
    assert_int_equal(inputs, 1);
    assert_int_equal(rf_store_counterparty_count(&counterparties, st, &err), RF_OK);
    assert_true(counterparties >= 5);

    /* A reviewer clears its hits: the next session finds them cleared; the destination still
     * holds the order. */
    for (size_t i = 0; i < s.huawei_hits; i++) {
        memset(&d, 0, sizeof d);
        d.kind = RF_DECISION_CLEARED;
        d.fingerprint = s.huawei_fingerprint;
        d.list_code = s.huawei_list[i];
        d.source_id = s.huawei_source_id[i];
        d.entity_id = s.huawei_entity[i];
        d.reviewer = "test";
        d.reason = "the test's decision";
        assert_int_equal(rf_store_decision_add(NULL, st, &d, &err), RF_OK);
    }
    memset(&s, 0, sizeof s);
    t = screen(st, paths, &s);
    assert_int_equal(t.verdict, RF_VERDICT_EMBARGO);
    assert_int_equal(s.alarms, 0);
    assert_int_equal(t.run.cleared, 1);
    assert_int_equal(t.run.new_alarms, 0);
    assert_int_equal(s.huawei_state, RF_HIT_CLEARED);
    rf_store_close(st);
}

/* The sha256 an input was recorded with. */
static int input_sha256(const rf_run_input *in, void *ctx)
{
    snprintf(ctx, 65, "%s", in->sha256 ? in->sha256 : "");
    return 0;
}

/* Sessions over lists loaded once (rf_session_lists) screen as a session that loads its own:
 * the same verdict, parties, alarms and embargo, as of today, with the order read from
 * memory recorded under its name and the sha256 of the bytes; two sessions open at once over
 * the same lists (each on its connection, as a server's workers) keep their results apart,
 * and the sessions after them reuse their memory. */
static void test_session__shared_lists_screen_as_own(void **state)
{
    rf_store *st = bundled_store("shared.db"), *st_b = NULL;
    const char *path = source_file(HUAWEI_ORDER);
    const char *paths[] = {path, NULL};
    rf_session_lists *lists = NULL;
    rf_session *a = NULL, *b = NULL;
    rf_session_totals own, ta, tb;
    rf_run_list runs;
    rf_buf order = {0};
    char file_sha[65], recorded[65], today[11];
    seen s_own = {0}, s_a = {0}, s_b = {0};
    rf_session_options oa, ob;
    rf_error err = {0};
    time_t now = time(NULL);
    struct tm tm;
    (void)state;

    own = screen(st, paths, &s_own);
    assert_int_equal(rf_store_open(&st_b, rf_test_tmpfile("shared.db"), &err), RF_OK);
    assert_int_equal(rf_file_read(&order, file_sha, path, 0, &err), RF_OK);
    assert_int_equal(rf_session_lists_load(&lists, st, NULL, &err), RF_OK);
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    assert_string_equal(rf_session_lists_date(lists), today);
    assert_int_equal(rf_session_lists_versions(lists)->count, 1);
    assert_ptr_equal(rf_snapshot_versions(rf_session_lists_snapshot(lists)),
                     rf_session_lists_versions(lists));

    for (int round = 0; round < 2; round++) { /* the second reuses the first's results */
        memset(&s_a, 0, sizeof s_a);
        memset(&s_b, 0, sizeof s_b);
        oa = options(&s_a);
        ob = options(&s_b);
        oa.lists = ob.lists = lists;
        assert_int_equal(rf_session_open(&a, st, &oa, &err), RF_OK);
        assert_int_equal(rf_session_open(&b, st_b, &ob, &err), RF_OK);
        /* both hold their results from the pool; a run's writes are one transaction at a
         * time, so one session screens and closes while the other waits, as the server's
         * workers take turns */
        assert_int_equal(rf_orders_read_memory("order-ubl.xml", order.data, order.len, NULL,
                                               rf_session_screen, a, &err),
                         RF_OK);
        assert_int_equal(rf_session_input_done_memory(a, "order-ubl.xml", order.data, order.len,
                                                      NULL, &err),
                         RF_OK);
        assert_int_equal(rf_session_close(a, &ta, &err), RF_OK);
        assert_int_equal(rf_orders_read_memory("order-ubl.xml", order.data, order.len, NULL,
                                               rf_session_screen, b, &err),
                         RF_OK);
        assert_int_equal(rf_session_input_done_memory(b, "order-ubl.xml", order.data, order.len,
                                                      NULL, &err),
                         RF_OK);
        assert_int_equal(rf_session_close(b, &tb, &err), RF_OK);
        for (int k = 0; k < 2; k++) {
            const rf_session_totals *t = k ? &tb : &ta;
            const seen *sk = k ? &s_b : &s_a;
            assert_int_equal(t->verdict, own.verdict);
            assert_int_equal(t->run.parties, own.run.parties);
            assert_int_equal(t->run.new_alarms, own.run.new_alarms);
            assert_int_equal(t->embargoed, own.embargoed);
            assert_int_equal(sk->alarms, s_own.alarms);
            assert_string_equal(sk->huawei_fingerprint, s_own.huawei_fingerprint);
            assert_int_equal(sk->huawei_hits, s_own.huawei_hits);
            assert_null(run_of(st, t->run_id, &runs).as_of); /* today's lists, as the command */
            rf_run_list_free(&runs);
            assert_int_equal(rf_store_run_inputs(st, t->run_id, input_sha256, recorded, &err),
                             RF_OK);
            assert_string_equal(recorded, file_sha);
        }
    }
    rf_session_lists_free(lists);
    rf_buf_free(&order);
    rf_store_close(st_b);
    rf_store_close(st);
}

/* Published orders of other companies are clear; each input is recorded. */
static void test_session__sample_orders_clear(void **state)
{
    rf_store *st = bundled_store("clear.db");
    const char *paths[4];
    seen s = {0};
    rf_session_totals t;
    rf_error err = {0};
    int inputs = 0;
    (void)state;

    for (size_t i = 0; i < 3; i++) paths[i] = strdup(rf_test_data(clear_orders[i]));
    paths[3] = NULL;
    t = screen(st, paths, &s);
    assert_int_equal(t.verdict, RF_VERDICT_CLEAR);
    assert_int_equal(t.inputs, 3);
    assert_true(t.run.parties >= 6);
    assert_int_equal(t.run.new_alarms + t.run.known_alarms, 0);
    assert_int_equal(rf_store_run_inputs(st, t.run_id, count_input, &inputs, &err), RF_OK);
    assert_int_equal(inputs, 3);
    for (size_t i = 0; i < 3; i++) free((char *)paths[i]);
    rf_store_close(st);
}

/* A read-only store is screened against and nothing is written. */
static void test_session__read_only_records_nothing(void **state)
{
    rf_store *st = bundled_store("readonly.db");
    const char *paths[] = {source_file(HUAWEI_ORDER), NULL};
    seen s = {0};
    rf_session_totals t;
    rf_run_list runs;
    rf_error err = {0};
    (void)state;

    rf_store_close(st);
    assert_int_equal(rf_store_open_mode(&st, rf_test_tmpfile("readonly.db"), RF_STORE_READONLY,
                                        &err),
                     RF_OK);
    t = screen(st, paths, &s);
    assert_int_equal(t.verdict, RF_VERDICT_EMBARGO);
    assert_int_equal(t.run.new_alarms, 1);
    assert_int_equal(t.run_id, 0);
    assert_int_equal(rf_store_runs(&runs, st, 0, NULL, NULL, &err), RF_OK);
    assert_int_equal(runs.count, 0);
    rf_run_list_free(&runs);
    rf_store_close(st);
}

/* A run cancelled part way stops the reader and is recorded as interrupted. */
static void test_session__cancelled_run_is_interrupted(void **state)
{
    rf_store *st = bundled_store("cancel.db");
    seen s = {0};
    rf_session_options o = options(&s);
    rf_session *session;
    rf_run_list runs;
    rf_error err = {0}, read_err = {0};
    long long id = 0;
    (void)state;

    s.cancel_after = 2;
    assert_int_equal(rf_session_open(&session, st, &o, &err), RF_OK);
    assert_true(rf_orders_read(source_file(HUAWEI_ORDER), NULL, rf_session_screen, session,
                               &read_err) < 0);
    assert_int_equal(s.parties, 2);
    assert_int_equal(rf_session_input_done(session, HUAWEI_ORDER, &read_err, &err), RF_ECANCEL);
    assert_int_equal(rf_session_interrupt(session, 130, &id, &err), RF_OK);
    assert_true(id > 0);
    assert_string_equal(run_of(st, id, &runs).status, "interrupted");
    assert_int_equal(runs.items[0].totals.exit_status, 130);
    rf_run_list_free(&runs);
    rf_store_close(st);
}

/* A screen on several threads is the screen on one: the same parties in the same order with
 * the same hits, explanations and fingerprints, and the same totals, over the 4,797 parties of
 * the evaluation set's CSV, the demo UBL order between (parties with order lines, screened one
 * by one after the batch before them) and the CSV again; a run cancelled part way stops at
 * the party it is told to, as on one thread. */
static void test_session__threads_screen_as_one(void **state)
{
    rf_store *one = bundled_store("one_thread.db"), *three = bundled_store("three_threads.db");
    char csv[4096];
    const char *paths[4];
    seen a = {0}, b = {0}, c = {0};
    rf_session_totals ta, tb;
    rf_session_options o = options(&c);
    rf_session *session;
    rf_error err = {0}, read_err = {0};
    long long id = 0;
    (void)state;

    snprintf(csv, sizeof csv, "%s", rf_test_data("eval/parties.csv"));
    paths[0] = csv;
    paths[1] = source_file(HUAWEI_ORDER);
    paths[2] = csv;
    paths[3] = NULL;
    ta = screen_on(one, paths, &a, 1);
    tb = screen_on(three, paths, &b, 3);
    assert_true(a.parties > 2 * 4797);
    assert_int_equal(b.parties, a.parties);
    assert_true(a.alarms > 100);
    assert_int_equal(b.alarms, a.alarms);
    assert_int_equal(b.embargoes, a.embargoes);
    assert_true(a.trail == b.trail);
    assert_int_equal(tb.run.parties, ta.run.parties);
    assert_int_equal(tb.run.flagged, ta.run.flagged);
    assert_int_equal(tb.run.new_alarms, ta.run.new_alarms);
    assert_int_equal(tb.inputs, 3);
    assert_int_equal(tb.verdict, ta.verdict);

    c.cancel_after = 100;
    o.threads = 3;
    assert_int_equal(rf_session_open(&session, three, &o, &err), RF_OK);
    assert_true(rf_orders_read(csv, NULL, rf_session_screen, session, &read_err) < 0);
    assert_int_equal(c.parties, 100);
    assert_int_equal(rf_session_input_done(session, csv, &read_err, &err), RF_ECANCEL);
    assert_int_equal(rf_session_interrupt(session, 130, &id, &err), RF_OK);
    assert_true(id > 0);
    rf_store_close(one);
    rf_store_close(three);
}

/* After the November 2023 CSL (which no longer names Huawei Device) replaced the bundled one,
 * a rescreen reports the counterparty's hit delisted, once: a second rescreen finds nothing
 * new. */
static void test_session__rescreen_reports_delisting_once(void **state)
{
    rf_store *st = bundled_store("rescreen.db");
    const char *paths[] = {source_file(HUAWEI_ORDER), NULL};
    seen s = {0};
    rf_session_options o;
    rf_session *session;
    rf_session_totals t;
    long long counterparties = 0;
    rf_import_options io = {0};
    rf_import_summary sum;
    rf_run_list runs;
    rf_error err = {0};
    size_t hits;
    (void)state;

    assert_int_equal(screen(st, paths, &s).run.new_alarms, 1);
    hits = s.huawei_hits;
    assert_true(hits > 0);
    assert_int_equal(rf_store_counterparty_count(&counterparties, st, &err), RF_OK);
    assert_true(counterparties >= 5);
    io.allow_shrink = 1; /* a partial file: it removes most of the feed */
    assert_int_equal(rf_import_list_file(&sum, st, rf_test_csl_2023(), &io, &err), RF_OK);
    for (int round = 0; round < 2; round++) {
        memset(&s, 0, sizeof s);
        o = options(&s);
        o.rescreen = 1;
        assert_int_equal(rf_session_open(&session, st, &o, &err), RF_OK);
        assert_int_equal(rf_session_rescreen(session, 2, &err), RF_OK);
        assert_int_equal(rf_session_close(session, &t, &err), RF_OK);
        assert_int_equal(t.rescreened, counterparties);
        assert_int_equal(t.run.parties, t.rescreened);
        assert_string_equal(run_of(st, t.run_id, &runs).command, "rescreen");
        rf_run_list_free(&runs);
        if (round == 0) {
            /* every hit of the one flagged party, and nothing else */
            assert_int_equal(t.delisted_hits, (long)hits);
            assert_int_equal(t.new_hits + t.changed_hits + t.dropped_hits, 0);
            assert_int_equal(t.reported, 1);
        } else {
            assert_int_equal(t.delisted_hits + t.new_hits + t.changed_hits + t.dropped_hits, 0);
            assert_int_equal(t.reported, 0);
            assert_int_equal(t.verdict, RF_VERDICT_CLEAR);
        }
    }
    rf_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session__huawei_order_review_then_cleared),
        cmocka_unit_test(test_session__sample_orders_clear),
        cmocka_unit_test(test_session__shared_lists_screen_as_own),
        cmocka_unit_test(test_session__read_only_records_nothing),
        cmocka_unit_test(test_session__cancelled_run_is_interrupted),
        cmocka_unit_test(test_session__threads_screen_as_one),
        cmocka_unit_test(test_session__rescreen_reports_delisting_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
