/* test_review.c: review decisions, the audit trail and rescreening, end to end through the
 * redflag command on the real lists: the bundled May 2022 CSL and the November 2023 CSL as
 * its next version (Los Zetas, SDN 11438, changed programs between them; Myanma Oil and Gas
 * Enterprise, NS-MBS 46072, was added), and the 2018 DPL excerpts (the ZTE denial order was
 * terminated between May and August). Every test has its own database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_run.h"
#include "base/rf_base.h"
#include "rf_test.h"

#define LOS_ZETAS "11438" /* SDN; programs amended between the two CSL versions */
#define HUAWEI "d05d55fa214aff19c1eb3270d54905e4e362d445" /* EL, Huawei Technologies */
#define ZETAS_CHANGE "programs: SDNTK; TCO; ILLICIT-DRUGS-EO -> SDNTK; TCO; ILLICIT-DRUGS-EO14059"

/* ---- helpers ------------------------------------------------------------------------------ */

/* Runs redflag on database `db` as user `user`. */
#define rf(db, user, ...) e2e_redflag_env(env_for(db, user), __VA_ARGS__)

static const char *env_for(const char *db, const char *user)
{
    static char env[1400];
    snprintf(env, sizeof env, "%s REDFLAG_USER='%s'", e2e_db_env(db), user);
    return env;
}

/* Writes `text` to a scratch file and returns its path. */
static const char *scratch(const char *name, const char *text)
{
    const char *path = e2e_tmp(name);
    assert_int_equal(rf_test_write_file(path, text, strlen(text)), 0);
    return path;
}

/* The hits of a JSON lines report, one line each (see review.py). */
static char *hits_of(const char *jsonl_text)
{
    const char *path = scratch("report.jsonl", jsonl_text);
    return e2e_python("tests/e2e/review.py", "hits '%s'", path);
}

/* The fingerprint of the first hit line of `party` in review.py's output, into out[17]. */
static void fingerprint_of(char out[17], const char *hits, const char *party)
{
    char key[256];
    const char *p;
    snprintf(key, sizeof key, "%s\t", party);
    p = strstr(hits, key);
    assert_non_null(p);
    p += strlen(key);
    assert_true(strlen(p) > 16 && p[16] == '\t');
    memcpy(out, p, 16);
    out[16] = '\0';
}

/* The files imported here are parts of lists (the DPL excerpts, the partial November 2023
 * CSL), each shorter than the version it replaces: --allow-shrink lets them in. */
static void import_list(const char *db, const char *path, const char *effective)
{
    e2e_out r = rf(db, "alice", "lists import --allow-shrink --effective %s '%s'", effective,
                   path);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
}

/* ---- decisions ----------------------------------------------------------------------------- */

static void test_review__cleared_hit_is_quiet_until_its_listed_record_changes(void **state)
{
    const char *orders = scratch("zetas.csv", "ref,name,country\nPO-1,Los Zetas,MX\n");
    /* The same customer on a later order, written another way: one counterparty. */
    const char *later = scratch("zetas-later.csv", "ref,customer,country\nPO-2,\"LOS ZETAS.\",mx\n");
    char fp[17];
    char *hits;
    e2e_out r;
    (void)state;

    r = rf("cleared.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1); /* a new alarm */
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "Los Zetas\t"));
    assert_non_null(strstr(hits, "\treview\tTrue\tSDN\t" LOS_ZETAS "\tnew\tNone"));
    fingerprint_of(fp, hits, "Los Zetas");
    free(hits);
    e2e_out_free(&r);

    r = rf("cleared.db", "alice", "review clear --party %s --entity %s --reason 'our customer is "
           "a caterer in Monterrey, not the cartel'", fp, LOS_ZETAS);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "cleared: "));
    assert_non_null(strstr(r.out, "LOS ZETAS"));
    e2e_out_free(&r);

    /* Cleared and the listed record unchanged: reported as known, no alarm, exit 0. */
    r = rf("cleared.db", "bob", "screen --format jsonl '%s'", later);
    e2e_expect(&r, 0);
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, fp)); /* same fingerprint */
    assert_non_null(strstr(hits, "\tcleared\tFalse\tSDN\t" LOS_ZETAS "\tcleared\talice\tNone\tNone"));
    assert_non_null(strstr(r.err, "0 new alarms, 0 known (confirmed or escalated), 1 cleared earlier"));
    free(hits);
    e2e_out_free(&r);

    /* The list amends the record: the alarm returns and says what changed. */
    import_list("cleared.db", rf_test_csl_2023(), "2023-11-01");
    r = rf("cleared.db", "bob", "screen --format jsonl '%s'", later);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "\treview\tTrue\tSDN\t" LOS_ZETAS "\tchanged\talice\tNone\t"));
    assert_non_null(strstr(hits, ZETAS_CHANGE));
    free(hits);
    e2e_out_free(&r);

    /* The HTML report says it in words. */
    r = rf("cleared.db", "bob", "screen --format html '%s'", later);
    e2e_expect(&r, 1);
    assert_non_null(strstr(r.out, "Cleared earlier, but the listed record changed since"));
    assert_non_null(strstr(r.out, "ILLICIT-DRUGS-EO14059"));
    assert_non_null(strstr(r.out, "Listing changed"));
    /* what changed, one change a line, not run on into the review line */
    assert_non_null(strstr(r.out, "<ul class=\"changes\">\n<li><b>programs</b>: SDNTK; TCO; "
                                  "ILLICIT-DRUGS-EO -&gt; SDNTK; TCO; ILLICIT-DRUGS-EO14059</li>\n"
                                  "<li><b>source_url</b>: "));
    e2e_out_free(&r);

    /* Rescreened right after that screening, nothing changed: the report says how many
     * counterparties were rescreened, not "none of the 0 parties screened". */
    r = rf("cleared.db", "bob", "rescreen --format html");
    assert_non_null(strstr(r.out, "No change: none of the "));
    assert_non_null(strstr(r.out, " rescreened has a new, changed or removed hit since its last "
                                  "screening."));
    assert_null(strstr(r.out, "none of the 0 "));
    assert_null(strstr(r.out, "parties screened"));
    e2e_out_free(&r);
}

static void test_review__confirmed_always_alarms_and_escalated_until_decided(void **state)
{
    const char *orders = scratch("huawei.csv", "ref,buyer,country\nSO-1,Huawei Technologies Co Ltd,CN\n");
    char fp[17];
    char *hits;
    e2e_out r;
    (void)state;

    r = rf("confirmed.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    fingerprint_of(fp, hits, "Huawei Technologies Co Ltd");
    free(hits);
    e2e_out_free(&r);

    r = rf("confirmed.db", "alice", "review escalate --party %s --entity %s --reason 'legal to "
           "decide'", fp, HUAWEI);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = rf("confirmed.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1); /* escalated: undecided, still an alarm */
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "\tEL\t" HUAWEI "\tescalated\talice\t"));
    free(hits);
    e2e_out_free(&r);

    r = rf("confirmed.db", "carol", "review confirm --party %s --entity %s --reason 'the listed "
           "Shenzhen entity'", fp, HUAWEI);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = rf("confirmed.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "\tconfirmed\tTrue\tEL\t" HUAWEI "\tconfirmed\tcarol\t"));
    free(hits);
    e2e_out_free(&r);

    /* Decisions are appended, never replaced: both are in the record, the latest in force. */
    r = rf("confirmed.db", "alice", "review list --all");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "escalated"));
    assert_non_null(strstr(r.out, "confirmed"));
    e2e_out_free(&r);
    r = rf("confirmed.db", "alice", "review list");
    e2e_expect(&r, 0);
    assert_null(strstr(r.out, "escalated"));
    assert_non_null(strstr(r.out, "confirmed"));
    e2e_out_free(&r);

    /* A decision about nobody is refused. */
    r = rf("confirmed.db", "alice", "review clear --party 0123456789abcdef --entity %s "
           "--reason x", HUAWEI);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "no counterparty 0123456789abcdef"));
    e2e_out_free(&r);
    r = rf("confirmed.db", "alice", "review clear --party %s --entity no-such-entry --reason x", fp);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "never matched list entry no-such-entry"));
    e2e_out_free(&r);
    r = rf("confirmed.db", "alice", "review clear --force --party %s --entity no-such-entry "
           "--reason x", fp);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "no list entry no-such-entry"));
    e2e_out_free(&r);
}

/* Issue 15: a reviewer at the command line. A listed entity the counterparty never matched
 * is refused (a typo would record a decision about a hit nobody saw) unless --force; "it is
 * this entity, and none of the others" is one command recording one decision per hit;
 * fingerprints and ids are accepted shortened and in any case; review list shows the ids. */
static void test_review__decisions_from_the_command_line(void **state)
{
    const char *orders = scratch("cmdline.csv", "ref,buyer,country\nSO-1,Huawei Technologies Co Ltd,CN\n");
    char fp[17], short_fp[9], short_id[11], *hits;
    size_t n_hits = 0, n_cleared = 0;
    e2e_out r;
    (void)state;

    r = rf("cmdline.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    fingerprint_of(fp, hits, "Huawei Technologies Co Ltd");
    for (const char *p = hits; (p = strstr(p, "Huawei Technologies Co Ltd\t")); p++) n_hits++;
    free(hits);
    e2e_out_free(&r);
    assert_true(n_hits > 1);

    /* Los Zetas is listed, but this counterparty never matched it */
    r = rf("cmdline.db", "alice", "review clear --party %s --entity %s --reason 'not them'", fp,
           LOS_ZETAS);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "never matched list entry " LOS_ZETAS));
    assert_non_null(strstr(r.err, "EL " HUAWEI));
    assert_non_null(strstr(r.err, "--force"));
    e2e_out_free(&r);
    r = rf("cmdline.db", "alice", "review list");
    assert_non_null(strstr(r.out, "(no decision)"));
    e2e_out_free(&r);
    r = rf("cmdline.db", "alice", "review clear --force --party %s --entity %s --reason 'not "
           "them'", fp, LOS_ZETAS);
    e2e_expect(&r, 0);
    e2e_out_free(&r);

    /* confirm one, clear the rest: shortened, upper-case fingerprint and id */
    for (int i = 0; i < 8; i++) short_fp[i] = (char)toupper((unsigned char)fp[i]);
    short_fp[8] = '\0';
    for (int i = 0; i < 10; i++) short_id[i] = (char)toupper((unsigned char)HUAWEI[i]);
    short_id[10] = '\0';
    r = rf("cmdline.db", "alice", "review confirm --party %s --entity %s --clear-others "
           "--reason 'the Shenzhen headquarters'", short_fp, short_id);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "confirmed: "));
    assert_non_null(strstr(r.out, "EL " HUAWEI " "));
    for (const char *p = r.out; (p = strstr(p, "cleared: ")); p++) n_cleared++;
    assert_int_equal(n_cleared, n_hits - 1);
    assert_non_null(strstr(r.out, "the counterparty is EL " HUAWEI " (confirmed): the Shenzhen"));
    e2e_out_free(&r);

    /* the list shows the entity ids (cut to a prefix the commands accept) */
    r = rf("cmdline.db", "alice", "review list --party %s", fp);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, " entity "));
    assert_non_null(strstr(r.out, "d05d55fa214"));
    assert_non_null(strstr(r.out, LOS_ZETAS));
    e2e_out_free(&r);

    /* one confirmed hit alarms; the others are cleared */
    r = rf("cmdline.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "\tEL\t" HUAWEI "\tconfirmed\talice\t"));
    assert_non_null(strstr(hits, "\tcleared\talice\t"));
    free(hits);
    e2e_out_free(&r);

    /* a prefix shorter than 4, or of nobody, is refused */
    r = rf("cmdline.db", "alice", "review clear --party %.3s --entity %s --reason x", fp, HUAWEI);
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "at least 4"));
    e2e_out_free(&r);
}

static void test_review__bulk_decisions_from_the_csv_report(void **state)
{
    const char *orders = scratch("bulk.csv", "ref,buyer,country\nSO-1,Los Zetas,MX\n"
                                             "SO-2,Huawei Technologies Co Ltd,CN\n");
    const char *report = e2e_tmp("report.csv");
    const char *decided = e2e_tmp("decided.csv");
    char *text, bad[2048];
    e2e_out r;
    (void)state;

    r = rf("bulk.db", "alice", "screen -o '%s' '%s'", report, orders);
    e2e_expect(&r, 1);
    e2e_out_free(&r);
    /* A reviewer adds decision and reason columns to the report and fills in one hit. */
    text = e2e_python("tests/e2e/review.py", "decide '%s' '%s' %s clear 'not the cartel'", report, decided, LOS_ZETAS);
    free(text);
    r = rf("bulk.db", "bob", "review import '%s'", decided);
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.err, "1 decision recorded"));
    assert_non_null(strstr(r.out, "cleared: "));
    assert_non_null(strstr(r.out, "by bob: not the cartel"));
    e2e_out_free(&r);

    /* All or nothing: a row naming an unknown entry stops the file and records nothing. */
    snprintf(bad, sizeof bad,
             "decision,name,country,source_id,reason\n"
             "confirm,Huawei Technologies Co Ltd,CN,%s,the listed one\n"
             "clear,Los Zetas,MX,no-such-entry,typo\n",
             HUAWEI);
    r = rf("bulk.db", "bob", "review import '%s'", scratch("bad.csv", bad));
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "bad.csv:3:"));
    e2e_out_free(&r);
    r = rf("bulk.db", "bob", "review list --all");
    e2e_expect(&r, 0);
    assert_null(strstr(r.out, "confirmed"));
    assert_non_null(strstr(r.out, "not the cartel"));
    e2e_out_free(&r);

    /* The screen after: Los Zetas known and quiet, Huawei still a new alarm. */
    r = rf("bulk.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    assert_non_null(strstr(r.err, "2 flagged: 1 new alarm, 0 known (confirmed or escalated), "
                                  "1 cleared earlier"));
    e2e_out_free(&r);
}

/* ---- the audit trail ------------------------------------------------------------------------ */

static void test_review__history_show_rebuilds_the_report_after_a_list_update(void **state)
{
    const char *orders = scratch("hist.csv", "ref,buyer,country\nSO-1,Los Zetas,MX\n"
                                             "SO-2,Huawei Technologies Co Ltd,CN\n"
                                             "SO-3,Kimball Electronics Inc,US\n");
    const char *first = e2e_tmp("first.html");
    const char *again = e2e_tmp("again.html");
    char fp[17];
    char *a, *b, *hits;
    size_t alen, blen;
    e2e_out r;
    (void)state;

    r = rf("hist.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    fingerprint_of(fp, hits, "Los Zetas");
    free(hits);
    e2e_out_free(&r);
    r = rf("hist.db", "alice", "review clear --party %s --entity %s --reason 'caterer'", fp,
           LOS_ZETAS);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = rf("hist.db", "bob", "screen -o '%s' '%s'", first, orders);
    e2e_expect(&r, 1);
    assert_non_null(strstr(r.err, "recorded as run 2"));
    e2e_out_free(&r);

    /* New list versions and a new decision later: run 2's report is rebuilt as it was. */
    import_list("hist.db", rf_test_csl_2023(), "2023-11-01");
    r = rf("hist.db", "alice", "review confirm --party %s --entity %s --reason 'changed my mind'",
           fp, LOS_ZETAS);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    r = rf("hist.db", "carol", "history show 2 -o '%s'", again);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    a = rf_test_read_file(first, &alen);
    b = rf_test_read_file(again, &blen);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    assert_non_null(strstr(a, "Cleared earlier</b> by <b>alice</b>"));
    assert_non_null(strstr(a, "consolidated_2022-05.csv.gz"));
    assert_null(strstr(a, "consolidated_2023-11.csv"));
    free(a);
    free(b);

    r = rf("hist.db", "carol", "history");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "run   started"));
    assert_non_null(strstr(r.out, "alice"));
    assert_non_null(strstr(r.out, "bob"));
    assert_non_null(strstr(r.out, " done"));
    e2e_out_free(&r);
    r = rf("hist.db", "carol", "history show 99");
    e2e_expect(&r, 2);
    assert_non_null(strstr(r.err, "no screening run 99"));
    e2e_out_free(&r);
}

static void test_review__audit_export_for_an_auditor(void **state)
{
    const char *orders = scratch("audit.csv", "ref,buyer,country\nSO-1,Los Zetas,MX\n");
    const char *json = e2e_tmp("audit.json");
    char sha[65], fp[17], line[256];
    char *text, *hits;
    rf_buf data = {0};
    rf_error err;
    e2e_out r;
    (void)state;

    assert_int_equal(rf_file_read(&data, sha, orders, 0, &err), RF_OK);
    rf_buf_free(&data);
    r = rf("audit.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    fingerprint_of(fp, hits, "Los Zetas");
    free(hits);
    e2e_out_free(&r);
    r = rf("audit.db", "bob", "review clear --party %s --entity %s --reason 'caterer' --run 1", fp,
           LOS_ZETAS);
    e2e_expect(&r, 0);
    e2e_out_free(&r);

    r = rf("audit.db", "carol", "audit export --format csv");
    e2e_expect(&r, 0);
    assert_true(strncmp(r.out, "record,run,time,user,command,status,file,sha256,lists,", 54) == 0);
    assert_non_null(strstr(r.out, "\r\nrun,1,"));
    assert_non_null(strstr(r.out, ",alice,screen --format jsonl "));
    assert_non_null(strstr(r.out, sha)); /* the input file's sha256 */
    assert_non_null(strstr(r.out, "csl 2022-05-01 f55c580c0eadaeef6f291d5cd3653b147650c2019f227c92a93814aa5dc4364c"));
    snprintf(line, sizeof line, "\r\nhit,1,");
    assert_non_null(strstr(r.out, line));
    assert_non_null(strstr(r.out, ",Los Zetas," ));
    snprintf(line, sizeof line, "\r\ndecision,1,");
    assert_non_null(strstr(r.out, line));
    assert_non_null(strstr(r.out, ",cleared,bob,caterer,"));
    e2e_out_free(&r);

    r = rf("audit.db", "carol", "audit export --format json -o '%s'", json);
    e2e_expect(&r, 0);
    e2e_out_free(&r);
    text = e2e_python("tests/e2e/review.py", "json '%s'", json);
    assert_non_null(strstr(text, "runs 1 decisions 1\n"));
    snprintf(line, sizeof line, "run 1 screen inputs %s hits 1\n", sha);
    assert_non_null(strstr(text, line));
    assert_non_null(strstr(text, "decision cleared bob " LOS_ZETAS " caterer\n"));
    free(text);

    /* A period with nothing in it: the header, and the chain head (3 records: the list
     * version, the run, the decision) to keep. */
    r = rf("audit.db", "carol", "audit export --from 2999-01-01 --to 2999-12-31");
    e2e_expect(&r, 0);
    assert_true(strncmp(r.out, "record,run,time,user,command,status,file,sha256,lists,party,"
                               "fingerprint,list,source_id,listed_name,score,state,decision,"
                               "reviewer,reason,detail\r\nchain_head,,,,,,,", 161) == 0);
    assert_string_equal(strstr(r.out, ",3 records\r\n"), ",3 records\r\n"); /* the last row */
    e2e_out_free(&r);
}

/* ---- rescreening ---------------------------------------------------------------------------- */

static void test_review__rescreen_reports_what_is_new_since_last_screened(void **state)
{
    const char *orders = scratch("known.csv", "ref,buyer,country\n"
                                              "SO-1,Los Zetas,MX\n"
                                              "SO-2,Myanma Oil and Gas Enterprise,MM\n"
                                              "SO-3,Zhongxing Telecommunications Equipment Corp,CN\n"
                                              "SO-4,Kimball Electronics Inc,US\n");
    char fp[17], *hits;
    e2e_out r;
    (void)state;

    /* May 2018: ZTE is denied; May 2022 CSL: Los Zetas listed, MOGE not yet. */
    import_list("rescreen.db", rf_test_data("lists/dpl_2018-05-01_excerpt.txt"), "2018-05-01");
    r = rf("rescreen.db", "alice", "screen --format jsonl '%s'", orders);
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "\tDPL\t"));
    assert_non_null(strstr(hits, "party\tMyanma Oil and Gas Enterprise\tclear"));
    fingerprint_of(fp, hits, "Los Zetas");
    free(hits);
    e2e_out_free(&r);
    r = rf("rescreen.db", "alice", "review clear --party %s --entity %s --reason caterer", fp,
           LOS_ZETAS);
    e2e_expect(&r, 0);
    e2e_out_free(&r);

    /* Nothing changed yet: nothing to report. */
    r = rf("rescreen.db", "alice", "rescreen");
    e2e_expect(&r, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "4 counterparties rescreened, 0 changed"));
    e2e_out_free(&r);

    /* The lists move on: the DPL of August 2018, the CSL of November 2023. */
    import_list("rescreen.db", rf_test_data("lists/dpl_2018-08-01_excerpt.txt"), "2018-08-01");
    import_list("rescreen.db", rf_test_csl_2023(), "2023-11-01");
    r = rf("rescreen.db", "alice", "rescreen --threads 2");
    e2e_expect(&r, 1);
    hits = hits_of(r.out);
    assert_non_null(strstr(hits, "Myanma Oil and Gas Enterprise\t"));
    assert_non_null(strstr(hits, "\tNS-MBS\t46072\tnew\tNone\tnew\t"));
    assert_non_null(strstr(hits, "Los Zetas\t"));
    assert_non_null(strstr(hits, "\tSDN\t" LOS_ZETAS "\tchanged\talice\tchanged\t" ZETAS_CHANGE));
    assert_non_null(strstr(hits, "Zhongxing Telecommunications Equipment Corp\t"));
    assert_non_null(strstr(hits, "\tdelisted\tFalse\tDPL\t"));
    assert_null(strstr(hits, "Kimball"));
    assert_non_null(strstr(r.err, "4 counterparties rescreened, 3 changed: 1 new hit, 1 changed "
                                  "listing, 1 delisted, 0 no longer matched; 2 new alarms"));
    free(hits);
    e2e_out_free(&r);

    /* Reported once: the next rescreen against the same lists finds nothing new. */
    r = rf("rescreen.db", "alice", "rescreen");
    e2e_expect(&r, 0);
    assert_string_equal(r.out, "");
    e2e_out_free(&r);
    r = rf("rescreen.db", "alice", "history");
    e2e_expect(&r, 0);
    assert_non_null(strstr(r.out, "rescreen"));
    e2e_out_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review__cleared_hit_is_quiet_until_its_listed_record_changes),
        cmocka_unit_test(test_review__confirmed_always_alarms_and_escalated_until_decided),
        cmocka_unit_test(test_review__decisions_from_the_command_line),
        cmocka_unit_test(test_review__bulk_decisions_from_the_csv_report),
        cmocka_unit_test(test_review__history_show_rebuilds_the_report_after_a_list_update),
        cmocka_unit_test(test_review__audit_export_for_an_auditor),
        cmocka_unit_test(test_review__rescreen_reports_what_is_new_since_last_screened),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
