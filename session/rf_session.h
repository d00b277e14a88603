/* rf_session.h: one screening run, end to end, as `redflag screen`, `redflag rescreen` and the
 * server do it. A session is opened over a store with its options resolved once: the lists in
 * force (on one date, or on each order's own date), the ownership findings, the matcher, and
 * the run record begun in the audit trail. Parties are then screened one by one
 * (rf_session_screen is an rf_party_fn, so it can be handed to rf_orders_read as is): each
 * gets its delistings, its counterparty fingerprint, the review state of its hits and the
 * destination finding, computed once, written to the report attached (if any), handed to the
 * result callback (if any) and recorded. Closing the session finishes the run with its
 * totals and verdict. A rescreen is a session too: every known counterparty against the
 * lists in force now, reporting only what changed.
 *
 * Errors: every function returning int returns 0 (RF_OK) or a negative RF_E... code, with
 * the details in the rf_error passed (NULL allowed). The library never prints: what the
 * command says on stderr reaches the caller through rf_session_options.on_notice.
 *
 * Threads: a session is used by one thread at a time. Several sessions may run at once over
 * separate rf_store connections to one database (sqlite serialises their writes), and share
 * one set of loaded lists (rf_session_lists), which a server loads once rather than per
 * request. */
#ifndef RF_SESSION_H
#define RF_SESSION_H

#include "../ownership/rf_ownership.h"
#include "../reports/rf_reports.h"

typedef struct rf_session rf_session;
/* The lists a session screens against, loaded: the versions in force on a date with the
 * ownership findings applied, their matcher, and for each feed the parties its previous
 * version listed and the one in force removed (for delistings). Read-only once loaded: any
 * number of sessions, on any threads, may screen against one at once; the working memory a
 * session screens with (results, a transliterator) is kept with the lists when it closes, for
 * the next session to reuse. */
typedef struct rf_session_lists rf_session_lists;

/* How a run ended, from the worst of its parties and inputs. */
typedef enum rf_verdict {
    RF_VERDICT_CLEAR = 0,  /* nothing to review (or every hit cleared, on its record) */
    RF_VERDICT_REVIEW,     /* an alarm: a hit new, changed since cleared, confirmed or
                            * escalated */
    RF_VERDICT_EMBARGO,    /* a party in an embargoed destination (whatever its hits) */
    RF_VERDICT_ERROR       /* an input could not be read */
} rf_verdict;

/* "clear", "review", "embargo", "error" */
const char *rf_verdict_name(rf_verdict v);
/* The exit status a command gives for `v`: 0 clear, 1 review or embargo, 2 error. */
int rf_verdict_exit_status(rf_verdict v);

/* What the caller learns of one screened party, in screening order. Everything is borrowed
 * and valid during the callback only. */
typedef struct rf_session_result {
    const rf_party *party;
    int input;                    /* the input being read (rf_session_input_done counts them) */
    const char *fingerprint;      /* the counterparty; NULL for a party without a name */
    const rf_hit *const *hits;
    size_t n_hits;
    const rf_hit_note *notes;     /* one per hit (its review state); NULL: every hit new */
    const rf_screening *screening; /* its date, versions (NULL: the run's) and delistings */
    int alarm;                    /* a hit alarms (rf_hit_state_alarms) */
    int embargo;                  /* a destination under embargo (rf_destination_check) */
} rf_session_result;

/* The options of a session; a zeroed struct screens as `redflag screen` does by default.
 * Strings and the rules are borrowed for the session's life. */
/* The most screening threads a session or a rescreen takes. */
#define RF_SESSION_MAX_THREADS 64

typedef struct rf_session_options {
    int rescreen;          /* 1: a rescreen session (rf_session_rescreen); the fields as_of,
                            * per_document, ownership and related_alarm are ignored */
    const char *as_of;     /* YYYY-MM-DD screened as of; NULL: today */
    int per_document;      /* 1: each party as of its order's date (rf_party.date) */
    rf_match_options match;
    const rf_ownership_rules *ownership; /* NULL: no ownership findings */
    int related_alarm;     /* companies consolidated by a listed party are hits (related) */
    /* Lists already loaded (rf_session_lists_load), borrowed for the session's life: every
     * party is screened against them, as of the date they were loaded for, and nothing is
     * loaded at open; as_of, per_document, ownership and related_alarm are then those the
     * lists were loaded with. NULL: the session loads its own. Ignored by a rescreen. */
    const rf_session_lists *lists;
    int max_list_age;      /* days past which a list is stale (notice); 0: the default */
    const char *user;      /* recorded as; NULL: rf_session_user() */
    const char *report_time; /* UTC ISO 8601 the report shows; NULL: now (rf_time_utc) */
    /* The command line recorded with the run, argv[0] the command ("screen", "rescreen");
     * argc 0: just the command. */
    int argc;
    char *const *argv;
    /* Called with each thing the command says on stderr (a stale list, an order date not
     * used, ownership totals), without the "redflag: " it prints first. May be NULL. */
    void (*on_notice)(const char *message, void *ctx);
    /* Called with each party screened (non-zero stops the session with RF_ECANCEL). */
    int (*on_result)(const rf_session_result *result, void *ctx);
    /* Polled before each party, from the rescreen's threads too: non-zero stops the run
     * (RF_ECANCEL), which the caller then records with rf_session_interrupt. */
    int (*cancelled)(void *ctx);
    /* 1: the run is recorded by rf_session_close alone, in one transaction (rf_run_info's
     * at_finish), not from the start: it holds the database's write lock once, briefly, and
     * a session freed or interrupted before its close leaves no run (a server's request that
     * fails is retried by its client). Its id is 0 until then, in the report's context too.
     * Ignored by a rescreen. */
    int record_at_close;
    /* Screening threads of a screen against one set of lists (not per document): the parties
     * without order lines (CSV, Excel) are screened in batches by this many threads at once,
     * and recorded in their order as ever. 0 or 1: one by one on the calling thread. At most
     * RF_SESSION_MAX_THREADS. Ignored by a rescreen (rf_session_rescreen takes its own). */
    int threads;
    /* With record_at_close, called (may be NULL) in the transaction that records the run,
     * once it is sealed and before it commits: what it writes on `store` (the session's) is
     * committed with the run or not at all, such as the answer a server keeps for a retry.
     * Non-zero: the run is not recorded, and rf_session_close fails with that code. */
    int (*on_record)(rf_store *store, long long run_id, rf_error *err, void *ctx);
    void *ctx;
} rf_session_options;

/* What a session did, so far or in all. */
typedef struct rf_session_totals {
    rf_run_totals run;     /* parties, flagged, alarms, the exit status (at close) */
    long long run_id;      /* the run in the audit trail; 0: not recorded (read-only store) */
    long inputs;           /* inputs done (rf_session_input_done) */
    long failed_inputs;    /* of which, or counted by rf_session_input_failed, not read */
    long embargoed;        /* parties in an embargoed destination */
    rf_verdict verdict;
    /* a rescreen: counterparties rescreened, of which reported (they changed), and the hits
     * reported by kind */
    long rescreened, reported;
    long new_hits, changed_hits, delisted_hits, dropped_hits;
} rf_session_totals;

/* Opens a session over `store` (borrowed: it must outlive the session): loads the lists in
 * force (RF_ENOTFOUND when no version is in force on as_of), applies the ownership rules and
 * builds the matcher (or takes options->lists, loaded already), and begins the run record
 * (on a read-only store nothing is recorded, run_id stays 0; a rescreen refuses one with
 * RF_EDB). A rescreen also reads every known
 * counterparty. `options` is copied (NULL: defaults). *out is NULL on failure. */
int rf_session_open(rf_session **out, rf_store *store, const rf_session_options *options,
                    rf_error *err);

/* Loads the lists a session with `options` (NULL: defaults) screens against when it screens
 * every party as of one date: the versions in force on options->as_of (NULL: today, as the
 * store counts it, UTC), options->ownership applied with options->related_alarm. What would
 * be said of them (the ownership totals) goes to options->on_notice. RF_ENOTFOUND when no
 * version is in force on that date. *out is NULL on failure. */
int rf_session_lists_load(rf_session_lists **out, rf_store *store,
                          const rf_session_options *options, rf_error *err);
/* The versions loaded, their snapshot (with the ownership findings) and matcher: owned by
 * the lists, for screening a single name as a session would (rf_matcher_screen). */
const rf_version_list *rf_session_lists_versions(const rf_session_lists *lists);
const rf_snapshot *rf_session_lists_snapshot(const rf_session_lists *lists);
const rf_matcher *rf_session_lists_matcher(const rf_session_lists *lists);
/* The date they are in force on, YYYY-MM-DD: a holder of lists loaded for today loads them
 * again when the date changes. */
const char *rf_session_lists_date(const rf_session_lists *lists);
/* Frees the lists, which no session may still use; NULL is a no-op. */
void rf_session_lists_free(rf_session_lists *lists);

/* Fills `ctx` with what the report of this run says about it (versions, threshold, date,
 * time, run id, user, command line, counterparties rescreened). Its strings belong to the
 * session. */
void rf_session_report_context(const rf_session *s, rf_report_context *ctx);

/* Every party screened from now on is added to `report` (borrowed; NULL: none), with its
 * date and versions, delistings, fingerprint and review state. */
void rf_session_set_report(rf_session *s, rf_report *report);

/* Screens one party: against the lists in force on its date, its delistings when clear, its
 * review state; adds it to the report, calls on_result, records it. rf_party_fn: `session`
 * is the rf_session; returns 0, or RF_ECANCEL with the reason kept for
 * rf_session_input_done (cancelled, or an error of the store, report or callback). With
 * options.threads above one, a party without order lines is copied and screened with the
 * batch it joins: when the batch is full, before the next party with lines, or when
 * rf_session_input_done or rf_session_close comes; so its on_result, and an error of its
 * own, come then. */
int rf_session_screen(const rf_party *party, void *session);
/* The same, for a caller holding its own parties: the error in `err`. */
int rf_session_screen_party(rf_session *s, const rf_party *party, rf_error *err);

/* Ends input `path` (NULL or "-": standard input; hashed here when a regular file), read to
 * its end (`failure` NULL) or not (why): recorded with the parties screened from it, and
 * counted. When rf_session_screen stopped the reader, returns that error instead (and
 * records nothing). */
int rf_session_input_done(rf_session *s, const char *path, const rf_error *failure,
                          rf_error *err);
/* The same for an input read from memory (rf_orders_read_memory), recorded under `name`
 * with the sha256 of data[0..len). */
int rf_session_input_done_memory(rf_session *s, const char *name, const void *data, size_t len,
                                 const rf_error *failure, rf_error *err);
/* Counts an input that failed before it could be read (a directory that cannot be listed). */
void rf_session_input_failed(rf_session *s);

/* A rescreen session: screens every counterparty on `threads` threads (1 to 64) sharing one
 * matcher, compares with what each matched when last screened, and reports and records the
 * parties whose hits changed (new, changed record, delisted, dropped). */
int rf_session_rescreen(rf_session *s, int threads, rf_error *err);

/* The totals so far (the verdict as it would be at close). */
void rf_session_totals_get(const rf_session *s, rf_session_totals *out);

/* Finishes the run as done with its totals (the report must be complete: a rescreen's
 * counterparty state is only brought up to date here) and frees the session, whatever the
 * result; `totals` (may be NULL) receives the totals. NULL is a no-op. */
int rf_session_close(rf_session *s, rf_session_totals *totals, rf_error *err);
/* Records the run as interrupted with `exit_status` (128 + the signal), and frees the
 * session. *run_id (may be NULL) is the run, 0 when not recorded. */
int rf_session_interrupt(rf_session *s, int exit_status, long long *run_id, rf_error *err);
/* Frees the session; a run not closed is recorded as failed. NULL is a no-op. */
void rf_session_free(rf_session *s);

/* Records the JSON lines of distributed `screen --read-only` runs (docs/distributed.md),
 * files[0..n_files), as one run of the audit trail of `store`, as if it had screened them,
 * with this database's review state of each hit (counterparties are not updated). Nothing is
 * recorded unless every line checks out: its list versions are held here with the same
 * sha256, all lines were screened as of one date, its fingerprint is its party's, each hit
 * names a listed record of those versions by id, list, source id and name; else RF_EFORMAT
 * or RF_ENOTFOUND with the file and line in `err`, RF_EUSAGE for a read-only store. Of
 * `options` (NULL: defaults) only user, report_time and the command line are used; `totals`
 * (may be NULL) gets the run's. */
int rf_session_import(rf_store *store, const char *const *files, int n_files,
                      const rf_session_options *options, rf_session_totals *totals,
                      rf_error *err);

/* Who runs and decisions are recorded as by default: $REDFLAG_USER, else the login name.
 * The first call is not thread-safe (it fills a static buffer). */
const char *rf_session_user(void);

#endif
