/* tests/audit/review.c: the store's review decisions, audit trail and counterparties on the
 * real lists (the bundled May 2022 CSL, the 2018 DPL excerpts): decisions are append-only and
 * the latest is in force, nothing of the evidence can be updated or deleted (not even with
 * plain SQL), a run is read back as recorded, what changed in a listed record is said in
 * words, and a version-1 database is upgraded in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "importers/rf_importers.h"
#include "audit/rf_audit.h"
#include "rf_test.h"

#define DPL_MAY "lists/dpl_2018-05-01_excerpt.txt"
#define DPL_AUG "lists/dpl_2018-08-01_excerpt.txt"
#define FP "0123456789abcdef"

static long long import(rf_store *st, const char *path, const char *effective)
{
    /* The DPL excerpts are parts of the list: August's lists a fifth fewer than May's. */
    rf_import_options opts = {.effective = effective, .allow_shrink = 1};
    rf_import_summary sum;
    rf_error err;
    int rc = rf_import_list_file(&sum, st, path, &opts, &err);
    if (rc) fprintf(stderr, "%s: %s\n", path, err.message);
    assert_int_equal(rc, RF_OK);
    return sum.version_id;
}

/* The entity of the snapshot whose primary name is `name`. */
static const rf_entity *named(const rf_snapshot *snap, const char *name)
{
    for (size_t i = 0; i < rf_snapshot_count(snap); i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (strcmp(e->names[0].text, name) == 0) return e;
    }
    fail_msg("no entity %s", name);
    return NULL;
}

/* Runs `sql` on the database file directly; returns sqlite's result and its message. */
static int raw_sql(const char *db_name, const char *sql, char msg[256])
{
    sqlite3 *db;
    char *m = NULL;
    int rc;
    assert_int_equal(sqlite3_open(rf_test_tmpfile(db_name), &db), SQLITE_OK);
    rc = sqlite3_exec(db, sql, NULL, NULL, &m);
    snprintf(msg, 256, "%s", m ? m : "");
    sqlite3_free(m);
    sqlite3_close(db);
    return rc;
}

static rf_decision decision(rf_decision_kind kind, const rf_entity *e, const char *reviewer,
                            const char *reason)
{
    rf_decision d;
    memset(&d, 0, sizeof d);
    d.kind = kind;
    d.fingerprint = FP;
    d.party_name = "Alexey Krutilin";
    d.list_code = e->list_code;
    d.source_id = e->source_id;
    d.listed_name = e->names[0].text;
    d.entity_id = e->id;
    d.reviewer = reviewer;
    d.reason = reason;
    return d;
}

static void test_review__decisions_are_appended_and_the_latest_is_in_force(void **state)
{
    rf_store *st = rf_test_store("decisions.db");
    rf_snapshot *snap;
    rf_decision_list list;
    rf_decision d;
    rf_error err;
    long long id1, id2;
    const rf_entity *e;
    char msg[256];
    (void)state;

    import(st, rf_test_data(DPL_MAY), "2018-05-01");
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    e = named(snap, "ALEXEY KRUTILIN");
    assert_non_null(e->content_hash);
    assert_int_equal(strlen(e->content_hash), 64);

    d = decision(RF_DECISION_CLEARED, e, "alice", "born 1961, ours 1990");
    assert_int_equal(rf_store_decision_add(&id1, st, &d, &err), RF_OK);
    d = decision(RF_DECISION_CONFIRMED, e, "bob", "same passport");
    assert_int_equal(rf_store_decision_add(&id2, st, &d, &err), RF_OK);
    assert_true(id2 > id1);

    assert_int_equal(rf_store_decisions_for(&list, st, FP, &err), RF_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(list.items[0].kind, RF_DECISION_CONFIRMED);
    assert_string_equal(list.items[0].reviewer, "bob");
    /* The record decided on is kept with the decision: its content hash. */
    assert_string_equal(list.items[0].content_hash, e->content_hash);
    assert_int_equal(strlen(list.items[0].decided_at), 20);
    rf_decision_list_free(&list);
    assert_int_equal(rf_store_decisions_all(&list, st, FP, NULL, NULL, &err), RF_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.items[0].reason, "born 1961, ours 1990");
    rf_decision_list_free(&list);
    assert_int_equal(rf_store_decisions_all(&list, st, NULL, "2999-01-01", NULL, &err), RF_OK);
    assert_int_equal(list.count, 0);
    rf_decision_list_free(&list);

    /* A decision needs a reviewer and a reason. */
    d = decision(RF_DECISION_CLEARED, e, "alice", "");
    assert_int_equal(rf_store_decision_add(NULL, st, &d, &err), RF_EUSAGE);
    assert_non_null(strstr(err.message, "reason"));
    d = decision(RF_DECISION_NONE, e, "alice", "x");
    assert_int_equal(rf_store_decision_add(NULL, st, &d, &err), RF_EUSAGE);
    /* A batch is all or nothing. */
    {
        rf_decision two[2];
        two[0] = decision(RF_DECISION_ESCALATED, e, "carol", "ask legal");
        two[1] = decision(RF_DECISION_CLEARED, e, NULL, "no reviewer");
        assert_int_equal(rf_store_decisions_add(st, two, 2, &err), RF_EUSAGE);
        assert_int_equal(rf_store_decisions_all(&list, st, FP, NULL, NULL, &err), RF_OK);
        assert_int_equal(list.count, 2);
        rf_decision_list_free(&list);
    }
    rf_snapshot_free(snap);
    rf_store_close(st);

    /* Not even SQL can rewrite or remove a decision. */
    assert_int_not_equal(raw_sql("decisions.db", "UPDATE review_decision SET decision = 'cleared'",
                                 msg),
                         SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    assert_int_not_equal(raw_sql("decisions.db", "DELETE FROM review_decision", msg), SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    assert_int_not_equal(raw_sql("decisions.db", "DELETE FROM entity_name", msg), SQLITE_OK);
    assert_non_null(strstr(msg, "kept for the audit trail"));
}

/* What a replay of a run saw. */
typedef struct replayed {
    int parties;
    char names[512];
    size_t hits;
    char hit_name[256];
    double score;
    char explanation[256];
    size_t spans[4];
    rf_decision_kind decided;
    char reviewer[32];
    char order_line_part[64];
} replayed;

static int on_result(const rf_run_result *r, void *ctx)
{
    replayed *s = ctx;
    s->parties++;
    strcat(s->names, r->party->name);
    strcat(s->names, "|");
    if (r->party->n_lines)
        snprintf(s->order_line_part, sizeof s->order_line_part, "%s",
                 r->party->lines[0].part_number);
    if (r->n_hits) {
        const rf_run_hit *h = &r->hits[0];
        s->hits += r->n_hits;
        snprintf(s->hit_name, sizeof s->hit_name, "%s", h->entity->names[0].text);
        s->score = h->score;
        snprintf(s->explanation, sizeof s->explanation, "%s", h->explanation);
        assert_int_equal(h->n_listed_spans, 2);
        memcpy(s->spans, h->listed_spans, sizeof s->spans);
        if (h->decision) {
            s->decided = h->decision->kind;
            snprintf(s->reviewer, sizeof s->reviewer, "%s", h->decision->reviewer);
        }
    }
    return 0;
}

static int on_input(const rf_run_input *in, void *ctx)
{
    char *seen = ctx;
    strcat(seen, in->path);
    strcat(seen, in->error ? ":failed|" : ":read|");
    return 0;
}

static int on_counterparty(const rf_counterparty *cp, const rf_known_hit *hits, size_t n,
                           void *ctx)
{
    char *seen = ctx;
    char line[256];
    snprintf(line, sizeof line, "%s %s %zu%s%s|", cp->fingerprint, cp->name, n,
             n ? " " : "", n ? hits[0].list_code : "");
    strcat(seen, line);
    return 0;
}

static void test_review__a_run_is_read_back_as_recorded_and_kept(void **state)
{
    rf_store *st = rf_test_store("runs.db");
    rf_snapshot *snap, *kept;
    rf_run *run;
    rf_run_info info;
    rf_run_hit hit;
    rf_known_hit known;
    rf_run_totals totals = {2, 1, 0, 0, 1, 0, 0};
    rf_run_list runs;
    rf_version_list versions;
    rf_decision d;
    rf_decision_list in_force;
    rf_order_line line = {12, "10", "XC7K325T-2FFG900I", "FPGA", "120 EA", "3A001.a.7", NULL, "US"};
    rf_party zte = {0}, kimball = {0};
    size_t spans[4] = {0, 4, 5, 11};
    replayed seen;
    char inputs[512] = "", parties[512] = "";
    long long count;
    rf_error err;
    char msg[256];
    const rf_entity *e;
    (void)state;

    import(st, rf_test_data(DPL_MAY), "2018-05-01");
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    e = named(snap, "ZTE KANGXUN TELECOMMUNICATIONS LTD.");
    memset(&info, 0, sizeof info);
    info.command = "screen";
    info.user = "alice";
    info.report_time = "2018-06-01T09:00:00Z";
    info.threshold = 0.8;
    info.max_hits = 10;
    info.settings = "screen orders.csv";
    info.versions = rf_snapshot_versions(snap);
    assert_int_equal(rf_store_run_begin(&run, st, &info, &err), RF_OK);
    assert_true(rf_run_id(run) > 0);

    d = decision(RF_DECISION_CLEARED, e, "alice", "a distributor, not the ZTE affiliate");
    d.fingerprint = "fedcba9876543210";
    assert_int_equal(rf_store_decision_add(NULL, st, &d, &err), RF_OK);
    assert_int_equal(rf_store_decisions_for(&in_force, st, "fedcba9876543210", &err), RF_OK);

    zte.document = "orders.csv", zte.line = 2, zte.role = "buyer";
    zte.name = "ZTE Kangxun Telecommunications", zte.country = "CN";
    zte.lines = &line, zte.n_lines = 1;
    memset(&hit, 0, sizeof hit);
    hit.entity = e;
    hit.score = 0.953;
    hit.explanation = "\"ZTE\" = \"ZTE\"";
    hit.listed_spans = spans;
    hit.n_listed_spans = 2;
    hit.decision = &in_force.items[0];
    assert_int_equal(rf_store_run_add_result(run, 0, &zte, "fedcba9876543210", &hit, 1, &err),
                     RF_OK);
    known = (rf_known_hit){e->list_code, e->source_id, e->names[0].text, e->content_hash, e->id,
                           0.953};
    assert_int_equal(rf_store_run_counterparty(run, &zte, "fedcba9876543210", &known, 1, &err),
                     RF_OK);
    kimball.document = "orders.csv", kimball.line = 3, kimball.name = "Kimball Electronics";
    assert_int_equal(rf_store_run_add_result(run, 0, &kimball, "1111111111111111", NULL, 0, &err),
                     RF_OK);
    assert_int_equal(rf_store_run_counterparty(run, &kimball, "1111111111111111", NULL, 0, &err),
                     RF_OK);
    {
        rf_run_input in = {0, "orders.csv", NULL, 2, 0, NULL};
        assert_int_equal(rf_store_run_add_input(run, &in, &err), RF_OK);
    }
    assert_int_equal(rf_store_run_finish(run, &totals, &err), RF_OK);
    rf_decision_list_free(&in_force);
    rf_snapshot_free(snap);

    /* The lists move on; the run still reads back as it was. */
    import(st, rf_test_data(DPL_AUG), "2018-08-01");
    assert_int_equal(rf_store_runs(&runs, st, 1, NULL, NULL, &err), RF_OK);
    assert_int_equal(runs.count, 1);
    assert_string_equal(runs.items[0].status, "done");
    assert_string_equal(runs.items[0].user, "alice");
    assert_string_equal(runs.items[0].report_time, "2018-06-01T09:00:00Z");
    assert_int_equal(runs.items[0].totals.cleared, 1);
    assert_int_equal(runs.items[0].inputs, 1);
    rf_run_list_free(&runs);
    assert_int_equal(rf_store_run_versions(&versions, st, 1, &err), RF_OK);
    assert_int_equal(versions.count, 1);
    assert_string_equal(versions.items[0].published, "2018-05-01");
    rf_version_list_free(&versions);
    assert_int_equal(rf_store_run_inputs(st, 1, on_input, inputs, &err), RF_OK);
    assert_string_equal(inputs, "orders.csv:read|");

    assert_int_equal(rf_snapshot_load_run(&kept, st, 1, &err), RF_OK);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(rf_store_run_results(st, 1, kept, on_result, &seen, &err), RF_OK);
    assert_int_equal(seen.parties, 2);
    assert_string_equal(seen.names, "ZTE Kangxun Telecommunications|Kimball Electronics|");
    assert_int_equal(seen.hits, 1);
    /* ZTE Kangxun is not in the August list: the record is still there for the run. */
    assert_string_equal(seen.hit_name, "ZTE KANGXUN TELECOMMUNICATIONS LTD.");
    assert_true(seen.score > 0.9529 && seen.score < 0.9531);
    assert_string_equal(seen.explanation, "\"ZTE\" = \"ZTE\"");
    assert_memory_equal(seen.spans, spans, sizeof spans);
    assert_int_equal(seen.decided, RF_DECISION_CLEARED);
    assert_string_equal(seen.reviewer, "alice");
    assert_string_equal(seen.order_line_part, "XC7K325T-2FFG900I");
    rf_snapshot_free(kept);
    assert_int_equal(rf_store_runs(&runs, st, 7, NULL, NULL, &err), RF_ENOTFOUND);
    rf_run_list_free(&runs);

    /* The counterparties and what they matched, for the next rescreen. */
    assert_int_equal(rf_store_counterparty_count(&count, st, &err), RF_OK);
    assert_int_equal(count, 2);
    assert_int_equal(rf_store_counterparties_each(st, NULL, on_counterparty, parties, &err),
                     RF_OK);
    assert_string_equal(parties, "1111111111111111 Kimball Electronics 0|"
                                 "fedcba9876543210 ZTE Kangxun Telecommunications 1 DPL|");
    assert_int_equal(rf_store_counterparties_each(st, "2222222222222222", on_counterparty,
                                                  parties, &err),
                     RF_ENOTFOUND);
    rf_store_close(st);

    /* The evidence stays as recorded. */
    assert_int_not_equal(raw_sql("runs.db", "UPDATE run SET user = 'mallory'", msg), SQLITE_OK);
    assert_non_null(strstr(msg, "finished"));
    assert_int_not_equal(raw_sql("runs.db", "DELETE FROM run_hit", msg), SQLITE_OK);
    assert_int_not_equal(raw_sql("runs.db", "UPDATE run_party SET name = 'x'", msg), SQLITE_OK);
    assert_int_not_equal(raw_sql("runs.db", "DELETE FROM run", msg), SQLITE_OK);
    assert_non_null(strstr(msg, "audit trail"));
    assert_int_not_equal(raw_sql("runs.db", "DELETE FROM entity", msg), SQLITE_OK);
}

static void test_review__what_changed_in_a_listed_record(void **state)
{
    rf_store *st = rf_test_store("changes.db");
    const unsigned char *bundled;
    size_t len;
    const char *name, *published;
    rf_import_summary sum;
    rf_import_options opts = {0};
    rf_snapshot *snap;
    rf_buf out = {0};
    rf_entity after;
    rf_name names[40];
    rf_address addresses[8];
    rf_error err;
    const rf_entity *before;
    (void)state;

    rf_bundled_list(&bundled, &len, &name, &published);
    opts.effective = published;
    assert_int_equal(rf_import_list_data(&sum, st, name, bundled, len, &opts, &err), RF_OK);
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    /* TEKHNODINAMIKA as the November 2023 CSL amends it: renamed, aliases and the address
     * replaced, a program added. */
    before = named(snap, "AKTSIONERNOE OBSHCHESTVO TEKHNODINAMIKA");
    assert_true(before->n_names < 40 && before->n_addresses == 1);
    after = *before;
    memcpy(names, before->names, before->n_names * sizeof *names);
    names[0].text = "JOINT STOCK COMPANY TEKHNODINAMIKA";
    names[before->n_names] = (rf_name){"AO TEKHNODINAMIKA", RF_NAME_ALIAS};
    after.names = names;
    after.n_names = before->n_names + 1;
    addresses[0] = (rf_address){"Ul. Bolshaya Tatarskaya D. 35, Str. 5", "Moscow", "RU"};
    after.addresses = addresses;
    after.programs = "UKRAINE-EO13662; RUSSIA-EO14024";
    assert_int_equal(rf_entity_changes(&out, before, &after), RF_OK);
    assert_non_null(strstr(out.data, "name: AKTSIONERNOE OBSHCHESTVO TEKHNODINAMIKA -> JOINT "
                                     "STOCK COMPANY TEKHNODINAMIKA"));
    assert_non_null(strstr(out.data, "name added: AO TEKHNODINAMIKA"));
    assert_non_null(strstr(out.data, "address added: Ul. Bolshaya Tatarskaya D. 35, Str. 5, "
                                     "Moscow, RU"));
    assert_non_null(strstr(out.data, "address removed: d. 29 ul. Ibragimova"));
    assert_non_null(strstr(out.data, "programs: UKRAINE-EO13662 -> UKRAINE-EO13662; "
                                     "RUSSIA-EO14024"));
    /* The old primary name is not also "removed": it is said once. */
    assert_null(strstr(out.data, "name removed: AKTSIONERNOE"));
    rf_buf_free(&out);
    rf_snapshot_free(snap);
    rf_store_close(st);
}

static void test_review__a_version_1_database_is_upgraded_in_place(void **state)
{
    rf_store *st = rf_test_store("v1.db");
    rf_decision_list list;
    rf_decision d;
    rf_snapshot *snap;
    rf_error err;
    char msg[256];
    (void)state;

    import(st, rf_test_data(DPL_MAY), "2018-05-01");
    rf_store_close(st);
    /* Take it back to what the first redflag wrote: schema 1, its tables only. */
    assert_int_equal(raw_sql("v1.db",
                             "DROP TABLE download; DROP TABLE run; DROP TABLE run_version;"
                             " DROP TABLE run_input; DROP TABLE run_party; DROP TABLE run_party_line;"
                             " DROP TABLE run_hit; DROP TABLE review_decision;"
                             " DROP TABLE counterparty; DROP TABLE counterparty_hit;"
                             " DROP TRIGGER entity_kept; DROP TRIGGER entity_name_kept;"
                             " DROP TRIGGER entity_address_kept; PRAGMA user_version = 1",
                             msg),
                     SQLITE_OK);
    assert_int_not_equal(raw_sql("v1.db", "SELECT count(*) FROM review_decision", msg), SQLITE_OK);

    st = rf_test_store("v1.db");
    assert_int_equal(rf_snapshot_load(&snap, st, NULL, &err), RF_OK);
    assert_int_equal(rf_snapshot_count(snap), 10); /* the version it held */
    d = decision(RF_DECISION_ESCALATED, named(snap, "ALEXEY KRUTILIN"), "alice", "ask legal");
    assert_int_equal(rf_store_decision_add(NULL, st, &d, &err), RF_OK);
    assert_int_equal(rf_store_decisions_for(&list, st, FP, &err), RF_OK);
    assert_int_equal(list.count, 1);
    rf_decision_list_free(&list);
    rf_snapshot_free(snap);
    rf_store_close(st);
    assert_int_not_equal(raw_sql("v1.db", "DELETE FROM review_decision", msg), SQLITE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review__decisions_are_appended_and_the_latest_is_in_force),
        cmocka_unit_test(test_review__a_run_is_read_back_as_recorded_and_kept),
        cmocka_unit_test(test_review__what_changed_in_a_listed_record),
        cmocka_unit_test(test_review__a_version_1_database_is_upgraded_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
