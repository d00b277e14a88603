/* session_internal.h: what the files of session/ share (private to session/): the lists in
 * force per date (asof.c), the review state of hits and the run record (review_state.c), the
 * session itself (session.c), the rescreen (rescreen.c) and the import of results screened
 * elsewhere (import.c). */
#ifndef RF_SESSION_INTERNAL_H
#define RF_SESSION_INTERNAL_H

#include "rf_session.h"

/* The verdict of a run from its parties' totals and its inputs. */
rf_verdict rf_session__verdict(const rf_run_totals *run, long failed_inputs, long embargoed);

/* Passes the message to options->on_notice, when there is one. */
void rf_session__notice(const rf_session_options *options, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- the lists in force per date (asof.c) ------------------------------------------------ */

/* 1 when `l` was loaded for an as_of date given, 0 for today. */
int rf_session__lists_dated(const rf_session_lists *l);

/* What a session screens each party against: the list versions in force on one date for the
 * whole run, or on each order's own date (per_document), loaded once per distinct set of
 * versions and cached; and, for a party that is clear, the parties the previous version of
 * each feed listed and the one in force removed, so the report can say that the party was
 * delisted and since when. */
typedef struct rf_session__asof rf_session__asof;

/* Opens the lists for a run over `st` (borrowed; it must outlive the cache) as `opts` says
 * (borrowed too): the lists `opts->lists` when given, else with per_document each party is
 * screened as of its own date, else every party as of as_of (NULL: today), loaded here so
 * that a date with no list in force fails before anything is screened. With ownership rules,
 * every set loaded gets the entities the rules restrict on its date (rf_ownership_apply),
 * and consolidation findings too with related_alarm. */
int rf_session__asof_new(rf_session__asof **out, rf_store *st, const rf_session_options *opts,
                         rf_error *err);
void rf_session__asof_free(rf_session__asof *c); /* NULL is a no-op */
/* The versions every party is screened against; NULL per document. */
const rf_version_list *rf_session__asof_versions(const rf_session__asof *c);
/* The result each party is screened into (the cache's, reused from party to party). */
rf_result *rf_session__asof_result(const rf_session__asof *c);
/* How many sets of versions were loaded so far: when it grows during rf_session__asof_screen,
 * the party's versions are ones the run had not met yet. */
unsigned long rf_session__asof_loads(const rf_session__asof *c);
/* Screens `party` into `res` against the versions in force on its date, and fills `scr` with
 * that date and those versions (per document; else NULL: the run's) and, when the party is
 * clear, what it matched among the parties the previous version of a feed listed and the
 * version in force removed. Everything `scr` points to stays valid until the next call. A
 * document date that is not a date, or one before any list version, is screened against
 * today's lists and said as a notice, once per document and date. */
int rf_session__asof_screen(rf_session__asof *c, rf_result *res, rf_screening *scr,
                            const rf_party *party, const rf_match_options *opts, rf_error *err);
/* The matcher of the one set every party is screened against; NULL per document. */
const rf_matcher *rf_session__asof_fixed_matcher(const rf_session__asof *c);
/* For a party screened into `res` with that matcher elsewhere (ahead.c): fills `scr` as
 * rf_session__asof_screen would have. */
int rf_session__asof_screened(rf_session__asof *c, const rf_result *res, rf_screening *scr,
                              const rf_party *party, const rf_match_options *opts, rf_error *err);

/* ---- review state and the run record (review_state.c) ------------------------------------ */

/* The review state of one party's hits: the decisions in force for the counterparty, one note
 * per hit, and what changed in each listed record cleared on an earlier record. Reused from
 * party to party; the notes are valid until the next rf_session__notes_for. */
typedef struct rf_session__notes {
    rf_decision_list decisions;
    rf_hit_note *notes;
    size_t cap;
    rf_buf *changes;
    size_t changes_cap;
} rf_session__notes;

int rf_session__notes_for(rf_session__notes *n, rf_store *st, const char *fingerprint,
                          const rf_hit *const *hits, size_t n_hits, rf_error *err);
void rf_session__notes_free(rf_session__notes *n);
/* Counts one party into the run's totals by its most urgent hit; a related finding that is
 * not an alarm counts it to review. */
void rf_session__tally(rf_run_totals *t, const rf_hit *const *hits, const rf_hit_note *notes,
                       size_t n_hits);

/* A run being recorded in the audit trail, with buffers reused from party to party. */
typedef struct rf_session__record {
    rf_store *st;
    rf_run *run;
    rf_run_hit *hits;
    rf_known_hit *known;
    size_t cap;
    size_t *spans;
    size_t spans_cap;
    /* For rf_session__record_screened: */
    rf_session__notes notes;
    const rf_hit **gathered;
    size_t gathered_cap;
    char fingerprint[RF_FINGERPRINT_LEN + 1];
    rf_run_totals totals;
    long long run_id;   /* the run in the audit trail; 0 while not recorded (at close) */
    int at_close;       /* recorded by rf_session__record_finish, in one transaction */
    int (*on_record)(rf_store *store, long long run_id, rf_error *err, void *ctx);
    void *ctx;          /* on_record's */
    int counterparties; /* screened against today's lists: keep the counterparty state */
    char *command_line; /* "redflag screen -o r.html ...", for the report's header */
} rf_session__record;

/* Starts recording `command` (argv as the settings; argc 0: the command alone) against
 * `versions`; when `at_close` is not NULL and says record_at_close, the run is written only
 * by rf_session__record_finish, in one transaction with what at_close->on_record writes. On
 * a read-only store nothing is recorded: r->run stays NULL and the other rf_session__record_
 * functions do nothing. */
int rf_session__record_begin(rf_session__record *r, rf_store *st, const char *command,
                             const rf_version_list *versions, const char *as_of,
                             const rf_match_options *match, const char *report_time,
                             const char *user, int argc, char *const *argv,
                             const rf_session_options *at_close, rf_error *err);
int rf_session__record_result(rf_session__record *r, int input, const rf_party *party,
                              const char *fingerprint, const rf_hit *const *hits, size_t n_hits,
                              const rf_hit_note *notes, rf_error *err);
/* The party as seen now and the hits it has now: what the next rescreen compares with. */
int rf_session__record_counterparty(rf_session__record *r, const rf_party *party,
                                    const char *fingerprint, const rf_hit *const *hits,
                                    size_t n_hits, rf_error *err);
/* Records input file `position` with its `sha256` (NULL: computed here from the file) and
 * why it failed, if it did. */
int rf_session__record_input(rf_session__record *r, int position, const char *path,
                             const char *sha256, long parties, const rf_error *failure,
                             rf_error *err);
/* Finishes the run as done; r->run_id is then the run recorded (0 when a run recorded at
 * close could not be). */
int rf_session__record_finish(rf_session__record *r, const rf_run_totals *totals,
                              rf_error *err);
/* Frees; a run not finished is recorded as failed. */
void rf_session__record_free(rf_session__record *r);
/* One party screened into `res`: its fingerprint (made here when `fingerprint` is NULL; ""
 * for none) and the review state of its hits, written to `rep` (NULL: none) and recorded
 * (with the counterparty state when r->counterparties), counted into r->totals, and
 * described in `out` (all but its screening and embargo). */
int rf_session__record_screened(rf_session__record *r, rf_report *rep, int input,
                                const rf_party *party, rf_result *res, const char *fingerprint,
                                rf_session_result *out, rf_error *err);

/* ---- screening ahead on several threads (ahead.c) ----------------------------------------- */

/* Parties (without order lines) screened against one matcher by several threads while the
 * calling thread records the ones before them: two batches that take turns. */
typedef struct rf_session__ahead rf_session__ahead;

/* Starts threads - 1 threads screening with `m` and `opts` (both borrowed); the calling
 * thread screens its share in `own` (borrowed too). */
int rf_session__ahead_new(rf_session__ahead **out, const rf_matcher *m, rf_result *own,
                          const rf_match_options *opts, int threads, rf_error *err);
void rf_session__ahead_free(rf_session__ahead *a); /* NULL is a no-op; the batches are dropped */
/* Copies `party` into the batch being filled: 1 when it is now full, 0 when not yet, RF_ENOMEM. */
int rf_session__ahead_add(rf_session__ahead *a, const rf_party *party);
/* Waits for the batch being screened, screening its parties no thread has taken yet, and
 * returns how many it holds (0: none was being screened): they are done, to be taken with
 * rf_session__ahead_get, then rf_session__ahead_clear. */
size_t rf_session__ahead_finish(rf_session__ahead *a);
/* Starts the threads screening the batch filled so far, when no other is being screened and
 * it holds any party; rf_session__ahead_add then fills the other, once the batch done is
 * cleared. */
void rf_session__ahead_launch(rf_session__ahead *a);
/* Party i of the batch done: its copy, its hits and fingerprint ("" for none), or why it could
 * not be screened (the error code, and `err`). Valid until rf_session__ahead_clear. */
int rf_session__ahead_get(const rf_session__ahead *a, size_t i, const rf_party **party,
                          rf_result **hits, const char **fingerprint, rf_error *err);
void rf_session__ahead_clear(rf_session__ahead *a); /* empties the batch done */

/* ---- the session (session.c) and the rescreen (rescreen.c) -------------------------------- */

typedef struct rf_session__rescreen rf_session__rescreen;

struct rf_session {
    rf_session_options opts;
    rf_store *st;
    rf_session__asof *asof;       /* screen: the lists in force on each party's date */
    rf_session__ahead *ahead;     /* screen of one set, options.threads > 1: parties screened
                                   * ahead in batches; NULL: one by one */
    rf_snapshot *snap;            /* rescreen: the lists in force now, and their matcher */
    rf_matcher *matcher;
    rf_session__rescreen *rescreen;
    rf_result *result;            /* a rescreen's own; a screen's is its cache's (asof.c) */
    rf_report *report;            /* borrowed */
    rf_session__record record;    /* the audit trail, and the review state of each hit */
    char report_time[32];
    int input;                    /* the input being read, from 0 */
    long input_parties;           /* parties screened from it */
    rf_session_totals totals;
    rf_error fatal;               /* why rf_session_screen stopped the reader */
    long long warned[64];         /* the stale versions already noticed */
    size_t n_warned;
};

/* Opens the rescreen of session `s`: reads every counterparty and sorts what is in force. */
int rf_session__rescreen_open(rf_session *s, rf_error *err);
void rf_session__rescreen_free(rf_session__rescreen *r); /* NULL is a no-op */
/* Counterparties to rescreen. */
size_t rf_session__rescreen_count(const rf_session__rescreen *r);

#endif
