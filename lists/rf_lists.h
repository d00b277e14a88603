/* rf_lists.h: the list store. An embedded sqlite database that keeps every imported version of
 * every list (immutable once committed), the sink importers write entities into (one
 * transaction per file), and snapshots: the entities of the versions in force, loaded into
 * memory for the engine. Nothing outside lists/ sees sqlite. */
#ifndef RF_LISTS_H
#define RF_LISTS_H

#include "rf_base.h"

/* ---- entities ------------------------------------------------------------------------- */

typedef enum rf_entity_type {
    RF_ENTITY_UNKNOWN = 0,
    RF_ENTITY_PERSON,
    RF_ENTITY_ORGANIZATION,
    RF_ENTITY_VESSEL,
    RF_ENTITY_AIRCRAFT
} rf_entity_type;

const char *rf_entity_type_name(rf_entity_type t); /* "person", "organization", ... */

typedef enum rf_name_kind {
    RF_NAME_PRIMARY = 0,  /* the name the list gives first */
    RF_NAME_ALIAS,        /* a.k.a. */
    RF_NAME_WEAK_ALIAS,   /* OFAC "weak" a.k.a., UN "low quality" alias */
    RF_NAME_FORMER,       /* f.k.a. */
    RF_NAME_ORIGINAL,     /* the name in its own script (UN NAME_ORIGINAL_SCRIPT) */
    RF_NAME_NATIVE        /* the name in its own script from redflag's table, not the list
                           * (engine/data/native_names.tsv) */
} rf_name_kind;

const char *rf_name_kind_name(rf_name_kind k); /* "primary", "alias", ... */

typedef struct rf_name {
    const char *text;
    rf_name_kind kind;
} rf_name;

typedef struct rf_address {
    const char *text;    /* the address as the list writes it, without the country */
    const char *city;    /* may be NULL */
    const char *country; /* ISO 3166 alpha-2 when the list gives one, else as written */
} rf_address;

/* Caps that every importer enforces (STYLE rule 7). */
#define RF_MAX_NAMES 256     /* names (primary + aliases) per entity */
#define RF_MAX_ADDRESSES 128 /* addresses per entity */
#define RF_MAX_FIELD 65536   /* bytes in one field */

/* One listed party. Importers fill one in and hand it to rf_import_add (pointers borrowed for
 * that call); snapshots hand them out (pointers owned by the snapshot). Text fields are UTF-8,
 * NULL when the list does not say. names[0] is the primary name. */
typedef struct rf_entity {
    long long id;              /* database row id (0 when emitted by an importer) */
    long long version_id;      /* list version it belongs to (0 when emitted) */
    const char *list_code;     /* "EL", "DPL", "SDN", ... */
    const char *list_name;     /* "Entity List (EL) - Bureau of Industry and Security" */
    const char *source_id;     /* the list's own id (CSL _id, OFAC ent_num, ...) */
    rf_entity_type type;
    const char *programs;      /* "; "-separated */
    const char *federal_register;
    const char *start_date;    /* YYYY-MM-DD */
    const char *end_date;
    const char *license_requirement;
    const char *license_policy;
    const char *remarks;
    const char *title;
    const char *source_url;
    const char *nationalities; /* "; "-separated ISO codes or names */
    const char *dates_of_birth;
    const char *ids;           /* identity documents as the list writes them */
    const char *parent_name;   /* set for affiliates: the listed parent entity's name */
    const rf_name *names;
    size_t n_names;
    const rf_address *addresses;
    size_t n_addresses;
    long source_line;          /* line in the imported file, for messages */
    /* sha256 of everything the list says about the entity, set by snapshots (importers leave
     * it NULL: the store computes it): two records of one entity differ when it differs. */
    const char *content_hash;
} rf_entity;

/* ---- the store ------------------------------------------------------------------------ */

typedef struct rf_store rf_store;

/* Opens (creating if needed) the database at `path`, creating its schema. The store owns its
 * sqlite handle; close it with rf_store_close. rf_store_open_mode with RF_STORE_CREATE. */
int rf_store_open(rf_store **out, const char *path, rf_error *err);

/* Stamped on every redflag database (PRAGMA application_id, set on creation and on upgrade),
 * so that another application's SQLite file is never taken for one: "RFlg". */
#define RF_STORE_APPLICATION_ID 0x52466c67

/* How rf_store_open_mode opens the database. */
enum {
    RF_STORE_CREATE = 1,           /* create it (and its directory) when it does not exist */
    RF_STORE_READONLY = 2,         /* open it read-only: nothing is written, not even WAL mode */
    RF_STORE_FALLBACK_READONLY = 4 /* read-only when this process cannot write it */
};

/* Opens the database at `path` as `flags` say. Without RF_STORE_CREATE, a path that does not
 * exist or an empty file is RF_ENOTFOUND, and nothing is created. A file that is not an
 * SQLite database, or is another application's (an application_id other than redflag's, or
 * tables but no redflag schema), is refused with RF_EDB and left unchanged. A read-only store
 * reads as usual; every write fails (rf_store_readonly says which it is). */
int rf_store_open_mode(rf_store **out, const char *path, int flags, rf_error *err);
/* 1 when the store was opened read-only. */
int rf_store_readonly(const rf_store *st);
void rf_store_close(rf_store *st); /* NULL is a no-op */

/* The default database path: $REDFLAG_DB, else $XDG_DATA_HOME/redflag/redflag.db, else
 * $HOME/.local/share/redflag/redflag.db. Written into `out`. */
int rf_store_default_path(char *out, size_t out_size, rf_error *err);

/* 1 when the store holds no list version yet. */
int rf_store_is_empty(rf_store *st);

/* Why the store refuses to write (a trigger guarding the evidence was dropped or altered
 * behind redflag's back), or NULL when it writes. Reading works either way. */
const char *rf_store_guard_problem(const rf_store *st);

/* ---- versions ------------------------------------------------------------------------- */

/* What an importer knows about the file it is importing. `feed` names the publication the
 * file is a version of ("csl", "bis-dpl", "ofac-sdn", ...): versions of the same feed replace
 * each other in time. */
typedef struct rf_version_info {
    const char *feed;
    const char *format;       /* "csl-csv", "dpl-tsv", ... */
    const char *source_file;  /* path or URL it came from */
    const char *sha256;       /* hex digest of the file's bytes */
    const char *published;    /* YYYY-MM-DD from the file or --effective, NULL if unknown */
    /* feed, format and sha256 are required; source_file may be NULL. */
} rf_version_info;

/* One committed list version, as status and reports show it. Strings owned by the array. */
typedef struct rf_version {
    long long id;
    char *feed;
    char *format;
    char *source_file;
    char *sha256;
    char *published;   /* may be NULL */
    char *imported_at; /* UTC, ISO 8601 */
    long long entities;
    long long names;
    long long warnings;
    char *names_digest; /* sha256 of its names as imported, checked when loaded */
} rf_version;

typedef struct rf_version_list {
    rf_version *items;
    size_t count;
} rf_version_list;

/* The versions in force on `as_of` (YYYY-MM-DD; NULL: now): per feed, the newest version
 * published on or before that date (a version without a publication date counts as
 * published when imported), ordered by feed. */
int rf_store_versions_in_force(rf_version_list *out, rf_store *st, const char *as_of,
                               rf_error *err);
/* Every version ever imported, oldest first. */
int rf_store_versions_all(rf_version_list *out, rf_store *st, rf_error *err);
/* The versions whose import time is later than the clock now: the clock was ahead when they
 * were imported, or is behind now. They are in force all the same (versions are ordered by
 * publication date and import order), but the times in the record are wrong: say so. */
int rf_store_versions_ahead(rf_version_list *out, rf_store *st, rf_error *err);
void rf_version_list_free(rf_version_list *list);

/* ---- the age of the lists --------------------------------------------------------------- */

/* Lists older than this many days on the date screened as of are stale: parties listed since
 * are missed, so screening says so (`screen --max-list-age` changes it). */
#define RF_DEFAULT_MAX_LIST_AGE 30

/* How old a version is on a date. */
typedef struct rf_version_age {
    const rf_version *version; /* the version measured (borrowed); NULL when there was none */
    const char *date;          /* the date it counts from: its publication date, else the
                                  time it was imported (points into `version`) */
    int from_import;           /* 1: the version gives no publication date */
    long days;                 /* days from `date` to the date measured on; negative when
                                  the version is dated after it */
} rf_version_age;

/* The age of `v` on `as_of` (YYYY-MM-DD; a longer timestamp is read by its date).
 * RF_EUSAGE when as_of is not a date. */
int rf_version_age_on(rf_version_age *out, const rf_version *v, const char *as_of,
                      rf_error *err);
/* Of `versions` (one per feed, as rf_store_versions_in_force gives them), the one dated
 * furthest before `as_of`, with its age: how stale the lists screened against are.
 * out->version is NULL when the list is empty. */
int rf_versions_oldest(rf_version_age *out, const rf_version_list *versions, const char *as_of,
                       rf_error *err);

/* Entity counts per list code in one version: calls fn(list_code, count, ctx) per code. */
int rf_store_version_counts(rf_store *st, long long version_id,
                            int (*fn)(const char *list_code, long long count, void *ctx),
                            void *ctx, rf_error *err);

/* One version by id, as a list of one; RF_ENOTFOUND when there is none. */
int rf_store_version_get(rf_version_list *out, rf_store *st, long long version_id,
                         rf_error *err);
/* The version of the same feed that `version_id` replaced: the one in force just before it
 * took effect (same order as rf_store_versions_in_force). Empty when it is the first. */
int rf_store_version_previous(rf_version_list *out, rf_store *st, long long version_id,
                              rf_error *err);

/* ---- differences between versions ----------------------------------------------------- */

/* The parts of an entity a diff tells apart: bits of rf_change.fields. */
typedef enum rf_entity_field {
    RF_FIELD_NAMES = 1 << 0,
    RF_FIELD_ADDRESSES = 1 << 1,
    RF_FIELD_TYPE = 1 << 2,
    RF_FIELD_LIST_NAME = 1 << 3,
    RF_FIELD_PROGRAMS = 1 << 4,
    RF_FIELD_FEDERAL_REGISTER = 1 << 5,
    RF_FIELD_START_DATE = 1 << 6,
    RF_FIELD_END_DATE = 1 << 7,
    RF_FIELD_LICENSE_REQUIREMENT = 1 << 8,
    RF_FIELD_LICENSE_POLICY = 1 << 9,
    RF_FIELD_REMARKS = 1 << 10,
    RF_FIELD_TITLE = 1 << 11,
    RF_FIELD_SOURCE_URL = 1 << 12,
    RF_FIELD_NATIONALITIES = 1 << 13,
    RF_FIELD_DATES_OF_BIRTH = 1 << 14,
    RF_FIELD_IDS = 1 << 15,
    RF_FIELD_PARENT_NAME = 1 << 16
} rf_entity_field;

/* Every field, in the order diffs report them. */
extern const rf_entity_field rf_entity_fields[17];
/* "names", "addresses", "license_policy", "federal_register", ... */
const char *rf_entity_field_name(rf_entity_field f);
/* The value of a one-value field of `e` (the type's name for RF_FIELD_TYPE); NULL for names
 * and addresses, or when the list does not say. */
const char *rf_entity_field_text(const rf_entity *e, rf_entity_field f);

typedef enum rf_change_kind {
    RF_CHANGE_ADDED = 1,
    RF_CHANGE_REMOVED = 2,
    RF_CHANGE_CHANGED = 4
} rf_change_kind;

const char *rf_change_kind_name(rf_change_kind k); /* "added", "removed", "changed" */

/* One entity that differs between two versions. The entities are valid during the callback
 * only. */
typedef struct rf_change {
    rf_change_kind kind;
    const rf_entity *before; /* as the old version lists it; NULL when added */
    const rf_entity *after;  /* as the new version lists it; NULL when removed */
    unsigned fields;         /* for a change, the RF_FIELD_* bits that differ */
} rf_change;

typedef struct rf_diff_counts {
    long added, removed, changed, unchanged;
} rf_diff_counts;

/* Compares two versions (usually of one feed, old first). Entities are matched by list code
 * and source id (an entity without a source id matches only an identical one); a matched
 * pair whose stored content hash differs is a change. Calls fn once per entity added,
 * removed or changed, ordered by list code, then primary name; fn returning non-zero stops
 * the diff (RF_ECANCEL). `list_code` (NULL: every list) limits it to one list, ignoring case.
 * `counts` (may be NULL) receives the totals. RF_ENOTFOUND when a version does not exist. */
int rf_store_diff(rf_diff_counts *counts, rf_store *st, long long old_version,
                  long long new_version, const char *list_code,
                  int (*fn)(const rf_change *change, void *ctx), void *ctx, rf_error *err);

/* ---- importing ------------------------------------------------------------------------ */

/* An import in progress: one version, written in one transaction. */
typedef struct rf_import rf_import;

int rf_import_begin(rf_import **out, rf_store *st, const rf_version_info *info, rf_error *err);
/* Adds one entity (copied; the caller keeps ownership of `e`). An entity without a name
 * (RF_EUSAGE), past a cap (RF_ELIMIT) or with invalid UTF-8 (RF_EFORMAT) is refused and the
 * import goes on; after a database failure (RF_EDB) the import can only be aborted. */
int rf_import_add(rf_import *imp, const rf_entity *e, rf_error *err);
/* Records a warning about the file (kept with the version, shown by `lists status`). */
int rf_import_warn(rf_import *imp, long line, const char *message, rf_error *err);
/* Commits the version; on success *version_id (if not NULL) is its id. Frees `imp` either way.
 * A version with no entity is refused (RF_EFORMAT): it would silently empty its feed. */
int rf_import_commit(rf_import *imp, long long *version_id, rf_error *err);
/* Rolls back: the store is as it was before rf_import_begin. Frees `imp`; NULL is a no-op. */
void rf_import_abort(rf_import *imp);
/* The version of the import's feed that the version being imported will replace (the one
 * just before it in force order: effective date, then import order) into `out`, empty when
 * it is the feed's first. Read before the commit: an import committed in between is not seen
 * (imports of one feed are not run concurrently). */
int rf_import_replaces(rf_version_list *out, const rf_import *imp, rf_error *err);
/* 1 when a version with this sha256 and feed was already imported (re-import is a no-op). */
int rf_store_has_version(rf_store *st, const char *feed, const char *sha256);

/* ---- snapshots ------------------------------------------------------------------------ */

/* The entities of a set of versions, in memory, immutable, shareable between threads. */
typedef struct rf_snapshot rf_snapshot;

/* Loads every entity of the versions in force on `as_of` (NULL: now), ordered by version
 * (by feed) then by import order. RF_ENOTFOUND when no version is in force on that date;
 * RF_EDB naming the version when what it loads does not match the counts and names digest
 * stored at import (a damaged database must not screen as if the list were shorter). */
int rf_snapshot_load(rf_snapshot **out, rf_store *st, const char *as_of, rf_error *err);
void rf_snapshot_free(rf_snapshot *snap); /* NULL is a no-op */

size_t rf_snapshot_count(const rf_snapshot *snap);
const rf_entity *rf_snapshot_entity(const rf_snapshot *snap, size_t i);
/* The versions the snapshot was loaded from (owned by the snapshot). */
const rf_version_list *rf_snapshot_versions(const rf_snapshot *snap);

/* Loads the stored records with these ids, whatever version they belong to (records are
 * never deleted), ordered by id; ids not stored are left out. The snapshot has no versions. */
int rf_snapshot_load_ids(rf_snapshot **out, rf_store *st, const long long *ids, size_t n,
                         rf_error *err);
/* The entity with database id `entity_id` in a snapshot ordered by id (rf_snapshot_load_ids,
 * rf_snapshot_load_run), or NULL. */
const rf_entity *rf_snapshot_find(const rf_snapshot *snap, long long entity_id);

/* Loads the entities that `old_version` lists and `new_version` no longer does (what
 * rf_store_diff reports as removed): the parties delisted between two versions of a feed,
 * for telling a reviewer that a clear party was listed before. The snapshot's versions are
 * {old_version}; it may hold no entity. */
int rf_snapshot_load_removed(rf_snapshot **out, rf_store *st, long long old_version,
                             long long new_version, rf_error *err);

/* ---- downloads ------------------------------------------------------------------------ */

/* What the server said about the last copy of a list file downloaded from a URL that was
 * imported (or found already imported), so that the next request can be conditional
 * (If-None-Match, If-Modified-Since). Strings are "" when unknown. */
typedef struct rf_download {
    char etag[512];
    char last_modified[128];
    char sha256[65];
    long long version_id; /* the list version that copy is; 0 if unknown */
    char checked_at[32];  /* when it was recorded, UTC ISO 8601 (set by the store) */
} rf_download;

/* The record for `url`; RF_ENOTFOUND when it was never downloaded. */
int rf_store_download_get(rf_download *out, rf_store *st, const char *url, rf_error *err);
/* Records (replaces) the record for `url`, stamping checked_at with the current time. */
int rf_store_download_put(rf_store *st, const char *url, const rf_download *d, rf_error *err);

/* ---- the bundled snapshot ------------------------------------------------------------ */

/* The list file compiled into redflag (lists/data/: the trade.gov Consolidated Screening List
 * of May 2022), imported into a new empty database so that screening works with no set-up.
 * `*data` is gzip, owned by the program; `*name` is its file name; `*published` the
 * publication date recorded for it. */
void rf_bundled_list(const unsigned char **data, size_t *len, const char **name,
                     const char **published);

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
} rf_run_totals;

/* A run being recorded. Results are written in batches; the counterparty state it finds is
 * written only when it finishes "done" (with its report delivered). A run that never
 * finishes stays "running" with the results written so far until the next run starts and
 * finds its process gone: then it is "interrupted" (rf_store_runs_reap). A run that ended is
 * read-only (triggers). */
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
