/* rf_lists.h: the list store. An embedded sqlite database that keeps every imported version of
 * every list (immutable once committed), the sink importers write entities into (one
 * transaction per file), and snapshots: the entities of the versions in force, loaded into
 * memory for the engine. Nothing outside lists/ sees sqlite.
 *
 * Threads: an rf_store is one sqlite connection, used by one thread at a time; threads open
 * one each over the same file (sqlite serialises their writes; a writer waits up to 10 s for
 * another). A snapshot is immutable once loaded and may be read by any number of threads; it
 * does not refer back to the store it was loaded from. Ownership: what a function returns
 * through `out` belongs to the caller and is freed with the matching _free or _close. */
#ifndef RF_LISTS_H
#define RF_LISTS_H

#include "../base/rf_base.h"

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
    /* Set only on the entities the ownership rules add to a snapshot (rf_ownership.h):
     * "owned" or "related", and the chain that makes it so; NULL otherwise. */
    const char *ownership_kind;
    const char *ownership_chain;
    /* 1: a finding to review that raises no alarm by itself (a related finding without
     * `screen --related-alarm`): reported and reviewed like a hit, its party "review", but
     * not counted as an alarm in the exit status. */
    int review_only;
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
/* The path the store was opened with (owned by the store): files kept beside the database,
 * such as the stored index (rf_matcher_open), are named after it. */
const char *rf_store_path(const rf_store *st);
void rf_store_close(rf_store *st); /* NULL is a no-op */

/* Files kept beside the database (stored.c), in the directory "<path>.index": copies made from
 * it that can always be made again (the stored index, the stored lists). */
/* Writes data[0..len) as the file `name` there (the directory made when missing, never
 * through a symlink; a path there that is not a regular file is left alone), whole or not at
 * all, then removes the oldest files whose names end in `suffix` beyond `keep` (at most 8).
 * RF_ELIMIT when `st` is no file database. */
int rf_store_file_put(const rf_store *st, const char *name, const char *suffix, size_t keep,
                      const void *data, size_t len);
/* A stored file as it was mapped: what tells its content apart without reading it, and
 * whether a reader has found its checksum right since it last changed (stored.c). */
typedef struct rf_store_file_id {
    const rf_store *st;  /* whose directory holds it */
    char note[80];       /* the name of the note of that check there: "NAME.checked" */
    char identity[160];  /* device, inode, size, modification and change times */
    long long changed;   /* its change time, in seconds */
    int checked;         /* 1: the note says it was checked as it is */
} rf_store_file_id;
/* Maps the file `name` there read-only into *map (munmap it with *len), and says which file
 * it is into *id: RF_ENOTFOUND when there is none, RF_EFORMAT when it is no regular file of
 * at least `min_len` bytes. */
int rf_store_file_map(void **map, size_t *len, rf_store_file_id *id, const rf_store *st, const char *name,
                      size_t min_len);
/* The checksum of data[0..len) that a stored file carries (XXH3-128 of each megabyte, then of
 * their digests), into sum[16]. */
void rf_store_checksum(uint8_t sum[16], const void *data, size_t len);
/* The same started on a second thread while the caller checks the rest of a mapped file
 * (data stays mapped until the result is taken): rf_store_sum_start, then
 * rf_store_sum_matches, which hashes the megabytes the thread has not reached, waits for it,
 * says whether the sum is `expected` (1) or not (0), and frees the job. A NULL job (out of
 * memory) matches nothing. A file `id` says was checked as it is now is not summed again
 * (it matches); one found right is noted as checked, unless the store is read-only. */
typedef struct rf_store_sum rf_store_sum;
rf_store_sum *rf_store_sum_start(const void *data, size_t len, const rf_store_file_id *id);
int rf_store_sum_matches(rf_store_sum *job, const uint8_t expected[16]);

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

/* ---- ownership links ------------------------------------------------------------------ */

/* What a link between two companies says: a share of the capital (owner holds share_min..
 * share_max percent of owned), an accounting consolidation without a share (GLEIF level 2:
 * owned IS_DIRECTLY/ULTIMATELY_CONSOLIDATED_BY owner), or a relation a list names itself
 * without a share (OFAC's "Linked To: X" in an entry's remarks, the Entity List's
 * "Affiliated Entity" of a parent): owned is the listed entry, owner the party it names. */
typedef enum rf_link_kind {
    RF_LINK_OWNERSHIP = 0,
    RF_LINK_CONSOLIDATION,
    RF_LINK_LINKED
} rf_link_kind;

const char *rf_link_kind_name(rf_link_kind k); /* "ownership", "consolidation", "linked" */

/* One link of an ownership file. Importers fill one in and hand it to rf_import_add_link
 * (pointers borrowed for the call); rf_store_links_load hands them out (owned by the list).
 * Identifiers are "; "-separated "SCHEME VALUE" ("LEI 5493001KJTIIGC8Y1R12; REG HRB 1234"). */
typedef struct rf_link {
    long long id;              /* database row id (0 when emitted) */
    long long version_id;      /* the ownership version it belongs to (0 when emitted) */
    /* The owned company's entity in the same version: when emitted, its 1-based position
     * among the entities added to the import so far (0: none); when loaded, its database
     * id (0: none). */
    long long owned_entity;
    const char *owned_name, *owned_ids;
    const char *owner_name, *owner_ids;
    double share_min, share_max; /* percent; both < 0 when the link gives no share */
    rf_link_kind kind;
    int direct;                /* 1 direct, 0 indirect (through others), -1 not said */
    const char *relation;      /* as the file words it ("IS_DIRECTLY_CONSOLIDATED_BY"); may be NULL */
    const char *source;        /* where the file says the link comes from; may be NULL */
    const char *as_of;         /* YYYY-MM-DD the link was known to hold; may be NULL */
    const char *start_date, *end_date; /* YYYY-MM-DD the link holds from / until; NULL: open */
    long source_line;
} rf_link;

/* Adds one link to an import (copied). A link without an owner or an owned company, with a
 * share outside 0..100 or min > max, or with text past the caps is refused (RF_EUSAGE,
 * RF_ELIMIT, RF_EFORMAT) and the import goes on. A version may hold links and no entity. */
int rf_import_add_link(rf_import *imp, const rf_link *link, rf_error *err);

typedef struct rf_link_list {
    rf_link *items;
    size_t count;
    char *strings; /* the texts the links point at */
} rf_link_list;

/* The links of `versions`: those of ownership files (rf_version_is_ownership), and the
 * relations list versions name themselves (RF_LINK_LINKED); ordered by version, then file
 * order. */
int rf_store_links_load(rf_link_list *out, rf_store *st, const rf_version_list *versions,
                        rf_error *err);
void rf_link_list_free(rf_link_list *list);

/* What one version's links are, for `lists status`. */
typedef struct rf_link_summary {
    long long links;      /* links stored with the version */
    long long with_share; /* of which give a share (the others: consolidation, linked to) */
    char first_as_of[11], last_as_of[11]; /* the as-of dates they give; "" when none */
    char sources[256];    /* the first few distinct sources, ", "-separated; "" when none */
} rf_link_summary;

int rf_store_link_summary(rf_link_summary *out, rf_store *st, long long version_id,
                          rf_error *err);

/* 1 when `v` is an ownership file (format "ownership-csv", "ownership-ftm", "gleif-lei",
 * "gleif-rr"): its entities are the companies it describes, not listed parties, so
 * rf_snapshot_load leaves them out; the ownership rules bring in those found owned by listed
 * parties. */
int rf_version_is_ownership(const rf_version *v);

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
/* For a snapshot of rf_snapshot_load: a digest of every field of its entities as loaded
 * (XXH3-128; equal digests, equal entities in the same order) into digest[16], and how many
 * entities it covers into *count (those rf_snapshot_append adds later are not); 1. 0 (and
 * *count 0) for another snapshot. */
int rf_snapshot_digest(uint8_t digest[16], size_t *count, const rf_snapshot *snap);

/* Loads the entities of the ownership versions among `versions` (the companies ownership
 * files describe), ordered by id; the snapshot has no versions. */
int rf_snapshot_load_ownership(rf_snapshot **out, rf_store *st, const rf_version_list *versions,
                               rf_error *err);
/* Adds a copy of `e` (its names, addresses and texts copied) at the end of `snap`, before a
 * matcher is built on it: an entity the ownership rules found owned by listed parties.
 * Pointers to the snapshot's entities taken before the call are invalid after it. */
int rf_snapshot_append(rf_snapshot *snap, const rf_entity *e, rf_error *err);

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

#endif
