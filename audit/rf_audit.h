/* rf_audit.h: the audit trail, kept in the same database as the lists: review decisions
 * (append-only), screening runs with every party and hit they screened, the counterparties
 * seen and what they matched, and the hash chain that seals list versions, runs and
 * decisions so that a change made behind redflag's back is found (rf_store_chain_verify).
 *
 * Threads: every function works through the rf_store it is given and is used as that store
 * is, by one thread at a time. A run being recorded (rf_run) belongs to the thread that began
 * it. Lists filled here (decisions, runs) belong to the caller, freed with their _free. */
#ifndef RF_AUDIT_H
#define RF_AUDIT_H

#include "../lists/rf_lists.h"

/* ---- review decisions ----------------------------------------------------------------- */

/* What a reviewer decided about a hit: one counterparty (by the fingerprint the caller
 * computes from its name, country and address) against one listed entity (by list code and
 * the list's own entry id). Decisions are append-only: changing one records a new one, and
 * the latest for a pair is the one in force. */
typedef enum rf_decision_kind {
    RF_DECISION_NONE = 0,  /* never reviewed */
    RF_DECISION_CLEARED,   /* not the listed party: quiet while the listed record is unchanged */
    RF_DECISION_CONFIRMED, /* it is the listed party: always alarms */
    RF_DECISION_ESCALATED  /* handed to someone who decides: alarms until then */
} rf_decision_kind;

const char *rf_decision_kind_name(rf_decision_kind k); /* "none", "cleared", ... */
/* Reads "cleared", "confirmed", "escalated" or the verbs "clear", "confirm", "escalate"
 * (any case); RF_EUSAGE otherwise. */
int rf_decision_kind_parse(rf_decision_kind *out, const char *s);

/* One decision. Recording one, strings are borrowed; the store sets decided_at when it is
 * NULL and takes content_hash from the record entity_id when that is NULL. Read back, the
 * strings belong to the rf_decision_list. */
typedef struct rf_decision {
    long long id;
    rf_decision_kind kind;
    const char *fingerprint;  /* the counterparty */
    const char *party_name;   /* its name as screened, for people; may be NULL */
    const char *list_code;    /* "EL", "SDN", ... */
    const char *source_id;    /* the list's own id of the entity */
    const char *listed_name;  /* the entity's primary name, for people */
    long long entity_id;      /* the listed record as the reviewer saw it; 0 if unknown */
    const char *content_hash; /* that record's content hash (rf_entity.content_hash) */
    const char *reviewer;
    const char *reason;
    const char *decided_at;   /* UTC ISO 8601 */
    long long run_id;         /* the screening run whose report showed the hit; 0 if none */
} rf_decision;

typedef struct rf_decision_list {
    rf_decision *items;
    size_t count;
    char *strings; /* owns the items' strings */
} rf_decision_list;

void rf_decision_list_free(rf_decision_list *list); /* NULL is a no-op */

/* Appends a decision; *id (if not NULL) is its id. Every field but party_name, listed_name,
 * entity_id, content_hash, decided_at and run_id is required (RF_EUSAGE). */
int rf_store_decision_add(long long *id, rf_store *st, const rf_decision *d, rf_error *err);
/* Appends n decisions in one transaction: all of them, or (on any error) none. */
int rf_store_decisions_add(rf_store *st, const rf_decision *ds, size_t n, rf_error *err);
/* The decisions in force for one counterparty (or, fingerprint NULL, for all): the latest per
 * counterparty and listed entity, oldest first. */
int rf_store_decisions_for(rf_decision_list *out, rf_store *st, const char *fingerprint,
                           rf_error *err);
/* Every decision recorded from `from` to `to` (YYYY-MM-DD, both included, NULL: no bound),
 * for one counterparty or (fingerprint NULL) all, superseded ones included, oldest first. */
int rf_store_decisions_all(rf_decision_list *out, rf_store *st, const char *fingerprint,
                           const char *from, const char *to, rf_error *err);
/* The record of list entry `source_id` (on list `list_code`, or any list when NULL) in the
 * versions in force today. RF_ENOTFOUND when there is none; RF_EUSAGE when several lists
 * have an entry of that id and no list was named. */
int rf_store_entity_find(long long *entity_id, rf_store *st, const char *list_code,
                         const char *source_id, rf_error *err);
/* Writes into `out` (reset first) what changed from `before` to `after`, two records of one
 * listed entity whose content hashes differ: "name added: X; address removed: Y; license
 * policy: A -> B". */
int rf_entity_changes(rf_buf *out, const rf_entity *before, const rf_entity *after);

/* ---- screening runs: the audit trail --------------------------------------------------- */

/* What a run was asked to do; strings borrowed, copied into the record. */
typedef struct rf_run_info {
    const char *command;      /* "screen", "rescreen" */
    const char *user;
    const char *report_time;  /* the time its report shows, UTC ISO 8601 */
    const char *as_of;        /* NULL: the versions in force when it ran */
    double threshold;
    int max_hits;
    const char *settings;     /* the other options, as the caller wants them kept; may be NULL */
    const char *tool_version;
    const rf_version_list *versions; /* the list versions screened against */
    /* 1: the run is written in one transaction when it finishes (rf_store_run_finish), not
     * from its start: until then nothing of it is in the database (rf_run_id is 0), the
     * database's write lock is taken once per run, and a run that fails or is interrupted
     * leaves nothing (what a server does for a request: its client retries). 0: recorded as
     * it goes, 'running' from its start, as the commands do. */
    int at_finish;
    /* Called (may be NULL) in the transaction that completes the run, once it is sealed and
     * before it commits, with the run's id: what it writes on `st` is committed with the run
     * or not at all (a server's answer to the request that ran it). Non-zero: nothing of that
     * transaction is kept, and rf_store_run_finish fails with that code. */
    int (*on_commit)(rf_store *st, long long run_id, rf_error *err, void *ctx);
    void *ctx;
} rf_run_info;

/* One input document of a run. */
typedef struct rf_run_input {
    int position;        /* 0-based, in the order read */
    const char *path;
    const char *sha256;  /* of the bytes read; NULL when it could not be hashed */
    long parties;
    long error_line;
    const char *error;   /* why it was not read to its end; NULL when it was */
} rf_run_input;

/* One hit as a run records it (and hands it back when replayed). */
typedef struct rf_run_hit {
    const rf_entity *entity;     /* a stored record: its id is kept, not a copy */
    size_t name_index;
    double score;
    const char *explanation;
    const size_t *listed_spans;  /* start, length pairs of matched words in the listed name */
    size_t n_listed_spans;       /* pairs */
    const size_t *party_spans;   /* the same in the party's name */
    size_t n_party_spans;
    const rf_decision *decision; /* the decision in force on the pair, NULL if none */
    int record_changed;          /* that decision was taken on an earlier record */
    const char *changes;         /* what changed since, for people; may be NULL */
    const char *rescreen;        /* rescreen runs: "new", "changed", "delisted", "dropped" */
} rf_run_hit;

/* The party's hits as its counterparty state keeps them, for the next rescreen. */
typedef struct rf_known_hit {
    const char *list_code;
    const char *source_id;
    const char *listed_name;
    const char *content_hash;
    long long entity_id;
    double score;
} rf_known_hit;

/* How the run ended, for the history. Parties count once, by their most urgent hit. */
typedef struct rf_run_totals {
    long long parties;
    long long flagged;      /* with any hit */
    long long new_alarms;   /* with a hit never reviewed, or cleared on an earlier record */
    long long known_alarms; /* otherwise with a confirmed or escalated hit */
    long long cleared;      /* every hit cleared, on the record still listed */
    int exit_status;
    long long to_review;    /* otherwise with a finding to review that is no alarm (a related
                               finding without --related-alarm); not stored in the run */
} rf_run_totals;

/* A run being recorded. Results are written in batches (or all at its finish: at_finish);
 * the counterparty state it finds is written only when it finishes "done" (with its report
 * delivered). A run that never finishes stays "running" with the results written so far
 * until the next run starts and finds its process gone: then it is "interrupted"
 * (rf_store_runs_reap). A run that ended is read-only (triggers). */
typedef struct rf_run rf_run;

int rf_store_run_begin(rf_run **out, rf_store *st, const rf_run_info *info, rf_error *err);
long long rf_run_id(const rf_run *run);
int rf_store_run_add_input(rf_run *run, const rf_run_input *input, rf_error *err);
/* Adds the versions of `versions` that the run does not name yet: screen --as-of document
 * meets the versions of each order's date as it goes. */
int rf_store_run_add_versions(rf_run *run, const rf_version_list *versions, rf_error *err);
/* Records one screened party (from input `input`) and its hits, in screening order. */
int rf_store_run_add_result(rf_run *run, int input, const rf_party *party,
                            const char *fingerprint, const rf_run_hit *hits, size_t n_hits,
                            rf_error *err);
/* Records that the run saw this counterparty now, and what it matches now (replacing what it
 * matched when last screened): the state `rescreen` compares against. */
int rf_store_run_counterparty(rf_run *run, const rf_party *party, const char *fingerprint,
                              const rf_known_hit *hits, size_t n_hits, rf_error *err);
/* Completes the run ("done") and frees it. */
int rf_store_run_finish(rf_run *run, const rf_run_totals *totals, rf_error *err);
/* Runs recorded at their finish by the connections of one process (a server's workers),
 * written together: a run that finishes while another thread writes is written with the
 * others that finish meanwhile, in the next transaction on `writer`, each in a savepoint of
 * its own (one that fails is rolled back alone). The write lock, the commit and the pages the
 * runs share (the ends of the audit tables) are paid once per batch, not once per run.
 * `writer` is lent, and used by no one else while the group lives. */
typedef struct rf_run_group rf_run_group;
int rf_run_group_new(rf_run_group **out, rf_store *writer, rf_error *err);
void rf_run_group_free(rf_run_group *group); /* NULL is a no-op */
/* Runs at their finish begun on `st` are written through `group` (NULL: on `st` itself). */
void rf_store_set_run_group(rf_store *st, rf_run_group *group);
/* Marks the run "failed" (what was written stays) and frees it; NULL is a no-op. */
void rf_store_run_fail(rf_run *run);
/* Marks the run "interrupted" (stopped by a signal) with `exit_status`, keeping what was
 * written, and frees it. */
int rf_store_run_interrupt(rf_run *run, int exit_status, rf_error *err);
/* Marks "interrupted" the runs left "running" by a process of this host that is gone (killed,
 * crashed; told by its pid and start time), at most 64 per call; *count says how many. Runs
 * recorded on another host, or by a redflag before schema 5, are left alone: whether they
 * still run cannot be told. rf_store_open calls it. */
int rf_store_runs_reap(rf_store *st, long long *count, rf_error *err);

/* A recorded run, as the history shows it. Strings belong to the list. */
typedef struct rf_run_record {
    long long id;
    const char *command, *user, *started_at, *report_time, *finished_at, *status, *as_of,
        *settings, *tool_version;
    double threshold;
    int max_hits;
    int inputs;
    rf_run_totals totals; /* exit_status -1 while not finished */
} rf_run_record;

typedef struct rf_run_list {
    rf_run_record *items;
    size_t count;
    char *strings;
} rf_run_list;

void rf_run_list_free(rf_run_list *list); /* NULL is a no-op */
/* The runs started from `from` to `to` (YYYY-MM-DD, both included; NULL: no bound), oldest
 * first; or (run_id > 0) that one run, RF_ENOTFOUND when there is none. */
int rf_store_runs(rf_run_list *out, rf_store *st, long long run_id, const char *from,
                  const char *to, rf_error *err);
/* The list versions a run screened against, as they were recorded. */
int rf_store_run_versions(rf_version_list *out, rf_store *st, long long run_id, rf_error *err);
/* Calls fn with each input of the run, in order. */
int rf_store_run_inputs(rf_store *st, long long run_id,
                        int (*fn)(const rf_run_input *input, void *ctx), void *ctx,
                        rf_error *err);

/* One recorded party with its hits, as replayed. */
typedef struct rf_run_result {
    long long seq;          /* 1-based, screening order */
    int input;
    const rf_party *party;
    const char *fingerprint;
    const rf_run_hit *hits;
    size_t n_hits;
} rf_run_result;

/* Loads every listed record a run's hits point at (see rf_snapshot_find). */
int rf_snapshot_load_run(rf_snapshot **out, rf_store *st, long long run_id, rf_error *err);
/* Calls fn with each party of the run in screening order; hits point into `entities`, from
 * rf_snapshot_load_run. Everything passed is valid during the call only. */
int rf_store_run_results(rf_store *st, long long run_id, const rf_snapshot *entities,
                         int (*fn)(const rf_run_result *result, void *ctx), void *ctx,
                         rf_error *err);

/* ---- counterparties ----------------------------------------------------------------- */

/* A party seen by some screening run, as it was last seen. */
typedef struct rf_counterparty {
    const char *fingerprint;
    const char *name, *address, *city, *country;
    long long first_run, last_run; /* the runs that saw it first and last */
} rf_counterparty;

int rf_store_counterparty_count(long long *out, rf_store *st, rf_error *err);
/* Calls fn with each counterparty (ordered by fingerprint; or only `fingerprint` when not
 * NULL, RF_ENOTFOUND if unknown) and the hits it had when last screened. Everything passed
 * is valid during the call only. */
int rf_store_counterparties_each(rf_store *st, const char *fingerprint,
                                 int (*fn)(const rf_counterparty *cp, const rf_known_hit *hits,
                                           size_t n_hits, void *ctx),
                                 void *ctx, rf_error *err);
/* Like rf_store_counterparties_each, but from the record of the runs: each party (or only
 * `fingerprint`) as the latest run that screened it saw it, with that run's hits (list code,
 * source id, entity id and score; at most 64), whatever date the run screened as of. A run
 * as of another date than today keeps no counterparty state, so a decision about its hits
 * is checked against this. first_run and last_run are that run. */
int rf_store_last_run_hits(rf_store *st, const char *fingerprint,
                           int (*fn)(const rf_counterparty *cp, const rf_known_hit *hits,
                                     size_t n_hits, void *ctx),
                           void *ctx, rf_error *err);

/* ---- the evidence chain -------------------------------------------------------------- */

/* List versions, finished runs and review decisions are sealed into one hash chain as they
 * are committed (chain.c). The head is the hash of its last link: kept outside the database
 * (audit export prints it), it proves later that nothing sealed before it changed. */
typedef struct rf_chain_head {
    long long count; /* links */
    char hash[65];   /* 64 zeros for an empty chain */
} rf_chain_head;

int rf_store_chain_head(rf_chain_head *out, rf_store *st, rf_error *err);

/* One thing that does not fit. */
typedef struct rf_chain_problem {
    const char *record; /* "list_version", "run", "review_decision", "evidence_chain", "trigger" */
    long long id;       /* the record's id; 0 for the chain as a whole and for a trigger */
    const char *what;   /* what differs, for people */
    const char *name;   /* the trigger's name, for "trigger" */
} rf_chain_problem;

/* Recomputes the chain from the records: calls fn (non-zero stops) for each record that does
 * not fit, in chain order (a changed or deleted record, a rewritten or removed link), then for
 * evidence never sealed (added or finished behind redflag's back), then for each missing or
 * altered guard trigger; when `earlier_head` is not NULL (the hash of an earlier export's
 * head), also when no intact prefix of the chain ends in it. *problems counts them; *head is
 * the chain's head; *earlier_at (may be NULL) the link that earlier head is, 0 if none. */
int rf_store_chain_verify(rf_chain_head *head, long long *problems, rf_store *st,
                          const char *earlier_head, long long *earlier_at,
                          int (*fn)(const rf_chain_problem *p, void *ctx), void *ctx,
                          rf_error *err);

#endif
