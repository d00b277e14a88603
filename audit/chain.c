/* chain.c: schema 6 of the store, the evidence chain. List versions, finished screening runs
 * and review decisions are sealed, in the order they are committed, into one hash chain (the
 * evidence_chain table): each link holds the sha256 of every part of its record (the row, and
 * for a version its entities, names, addresses and warnings, for a run its versions, inputs,
 * parties, order lines and hits) and the sha256 of those digests chained to the link before,
 * as git chains commits. rf_store_chain_verify recomputes it all and names the first record
 * that does not fit; the last link's hash (the head) goes into `audit export`, so an auditor
 * who kept it can later prove that nothing before it changed. Someone who can write the file
 * can still recompute the whole chain: only a head kept elsewhere shows that.
 *
 * The triggers that refuse UPDATE and DELETE of evidence are listed here once (GUARDS): the
 * schema creates them from that list and rf_store_open compares sqlite_master with it, so a
 * dropped or altered guard is noticed at open. */
#include "lists/store_internal.h"
#include "rf_audit.h"

#include <stdlib.h>
#include <string.h>

/* ---- the guards -------------------------------------------------------------------------- */

#define IMMUTABLE "BEGIN SELECT RAISE(ABORT, 'list versions are immutable'); END"
#define KEPT "BEGIN SELECT RAISE(ABORT, 'list versions are kept for the audit trail'); END"
#define APPEND_ONLY                                                                            \
    "BEGIN SELECT RAISE(ABORT, 'review decisions are append-only: record a new decision'); END"
#define RUN_KEPT "BEGIN SELECT RAISE(ABORT, 'screening runs are kept for the audit trail'); END"
#define RUN_DONE "BEGIN SELECT RAISE(ABORT, 'a finished screening run cannot be changed'); END"
#define CHAIN_KEPT "BEGIN SELECT RAISE(ABORT, 'the evidence chain is append-only'); END"
/* A version is sealed when its import committed; nothing may be added to it after. */
#define SEALED(id)                                                                             \
    "EXISTS (SELECT 1 FROM evidence_chain WHERE record = 'list_version' AND record_id = " id ")"
#define ENTITY_SEALED                                                                          \
    "EXISTS (SELECT 1 FROM entity e JOIN evidence_chain c ON c.record = 'list_version' AND"    \
    " c.record_id = e.version_id WHERE e.id = NEW.entity_id)"
/* A run's parts may be added only while it runs. */
#define RUN_OVER "(SELECT status FROM run WHERE id = NEW.run_id) IS NOT 'running'"

/* X(name, what follows the name in CREATE TRIGGER). The first twenty were created by schemas 1
 * and 4 with these very words (sqlite_master keeps them as written). */
#define GUARDS(X)                                                                              \
    X(entity_immutable, "BEFORE UPDATE ON entity " IMMUTABLE)                                  \
    X(entity_name_immutable, "BEFORE UPDATE ON entity_name " IMMUTABLE)                        \
    X(entity_address_immutable, "BEFORE UPDATE ON entity_address " IMMUTABLE)                  \
    X(review_decision_no_update, "BEFORE UPDATE ON review_decision " APPEND_ONLY)              \
    X(review_decision_no_delete, "BEFORE DELETE ON review_decision " APPEND_ONLY)              \
    X(run_no_delete, "BEFORE DELETE ON run " RUN_KEPT)                                         \
    X(run_finished, "BEFORE UPDATE ON run WHEN OLD.status <> 'running' " RUN_DONE)             \
    X(run_version_no_update, "BEFORE UPDATE ON run_version " RUN_KEPT)                         \
    X(run_version_no_delete, "BEFORE DELETE ON run_version " RUN_KEPT)                         \
    X(run_input_no_update, "BEFORE UPDATE ON run_input " RUN_KEPT)                             \
    X(run_input_no_delete, "BEFORE DELETE ON run_input " RUN_KEPT)                             \
    X(run_party_no_update, "BEFORE UPDATE ON run_party " RUN_KEPT)                             \
    X(run_party_no_delete, "BEFORE DELETE ON run_party " RUN_KEPT)                             \
    X(run_party_line_no_update, "BEFORE UPDATE ON run_party_line " RUN_KEPT)                   \
    X(run_party_line_no_delete, "BEFORE DELETE ON run_party_line " RUN_KEPT)                   \
    X(run_hit_no_update, "BEFORE UPDATE ON run_hit " RUN_KEPT)                                 \
    X(run_hit_no_delete, "BEFORE DELETE ON run_hit " RUN_KEPT)                                 \
    X(entity_kept, "BEFORE DELETE ON entity " KEPT)                                            \
    X(entity_name_kept, "BEFORE DELETE ON entity_name " KEPT)                                  \
    X(entity_address_kept, "BEFORE DELETE ON entity_address " KEPT)                            \
    X(list_version_kept, "BEFORE DELETE ON list_version " KEPT)                                \
    X(list_version_sealed, "BEFORE UPDATE ON list_version WHEN " SEALED("OLD.id") " " IMMUTABLE) \
    X(entity_sealed, "BEFORE INSERT ON entity WHEN " SEALED("NEW.version_id") " " IMMUTABLE)   \
    X(entity_name_sealed, "BEFORE INSERT ON entity_name WHEN " ENTITY_SEALED " " IMMUTABLE)    \
    X(entity_address_sealed, "BEFORE INSERT ON entity_address WHEN " ENTITY_SEALED " " IMMUTABLE) \
    X(import_warning_immutable, "BEFORE UPDATE ON import_warning " IMMUTABLE)                  \
    X(import_warning_kept, "BEFORE DELETE ON import_warning " KEPT)                            \
    X(import_warning_sealed,                                                                   \
      "BEFORE INSERT ON import_warning WHEN " SEALED("NEW.version_id") " " IMMUTABLE)          \
    X(run_starts_running, "BEFORE INSERT ON run WHEN NEW.status <> 'running' " RUN_DONE)       \
    X(run_version_finished, "BEFORE INSERT ON run_version WHEN " RUN_OVER " " RUN_DONE)        \
    X(run_input_finished, "BEFORE INSERT ON run_input WHEN " RUN_OVER " " RUN_DONE)            \
    X(run_party_finished, "BEFORE INSERT ON run_party WHEN " RUN_OVER " " RUN_DONE)            \
    X(run_party_line_finished, "BEFORE INSERT ON run_party_line WHEN " RUN_OVER " " RUN_DONE)  \
    X(run_hit_finished, "BEFORE INSERT ON run_hit WHEN " RUN_OVER " " RUN_DONE)                \
    X(evidence_chain_no_update, "BEFORE UPDATE ON evidence_chain " CHAIN_KEPT)                 \
    X(evidence_chain_no_delete, "BEFORE DELETE ON evidence_chain " CHAIN_KEPT)                 \
    X(run_process_no_update, "BEFORE UPDATE ON run_process " RUN_KEPT)                         \
    X(run_process_no_delete, "BEFORE DELETE ON run_process " RUN_KEPT)                         \
    X(run_process_finished, "BEFORE INSERT ON run_process WHEN " RUN_OVER " " RUN_DONE)

#define GUARD_ENTRY(name, body)                                                                \
    {#name, "CREATE TRIGGER IF NOT EXISTS " #name " " body, "CREATE TRIGGER " #name " " body},

static const struct guard {
    const char *name;
    const char *create; /* kept if it exists: schemas 1 and 4 made the first ones */
    const char *sql;    /* as sqlite_master keeps it */
} GUARD_LIST[] = {GUARDS(GUARD_ENTRY)};

/* Schema 6; rf_chain__upgrade adds list_version.names_digest and the guards (one string cannot
 * hold them all), each only when missing, so that a database whose version number was set
 * back upgrades again. The counts of each version were stored at import already;
 * names_digest is the digest of its names (rf_store__names_digest_add) that snapshots check
 * what they load against.
 * Links: parts is "name=sha256 ..." per part of the record; hash chains it to the link before.
 * Counterparties are working state (what each party matched when last seen, rewritten by each
 * screening): the runs that saw them are the evidence, and those are chained. */
const char rf_store_schema_chain[] =
    "CREATE TABLE IF NOT EXISTS evidence_chain ("
    " seq INTEGER PRIMARY KEY,"
    " record TEXT NOT NULL,"
    " record_id INTEGER NOT NULL,"
    " parts TEXT NOT NULL,"
    " hash TEXT NOT NULL,"
    " UNIQUE (record, record_id));";

/* ---- the records ------------------------------------------------------------------------- */

/* One part of a record: a query binding ?1 to the record's id, whose rows are hashed. */
typedef struct part {
    const char *name;
    const char *sql;
} part;

static const part VERSION_PARTS[] = {
    {"list_version", "SELECT id, feed, format, source_file, sha256, published, imported_at,"
                     " entities, names, warnings, names_digest FROM list_version WHERE id = ?1"},
    {"entity", "SELECT id, list_code, list_name, source_id, type, programs, federal_register,"
               " start_date, end_date, license_requirement, license_policy, remarks, title,"
               " source_url, nationalities, dates_of_birth, ids, parent_name, source_line,"
               " content_hash FROM entity WHERE version_id = ?1 ORDER BY id"},
    {"entity_name", "SELECT n.entity_id, n.position, n.name, n.kind FROM entity e JOIN"
                    " entity_name n ON n.entity_id = e.id WHERE e.version_id = ?1"
                    " ORDER BY n.entity_id, n.position"},
    {"entity_address", "SELECT a.entity_id, a.position, a.text, a.city, a.country FROM entity e"
                       " JOIN entity_address a ON a.entity_id = e.id WHERE e.version_id = ?1"
                       " ORDER BY a.entity_id, a.position"},
    {"import_warning", "SELECT line, message FROM import_warning WHERE version_id = ?1"
                       " ORDER BY rowid"},
};

static const part RUN_PARTS[] = {
    {"run", "SELECT id, command, user, started_at, report_time, finished_at, status, as_of,"
            " threshold, max_hits, settings, tool_version, parties, flagged, new_alarms,"
            " known_alarms, cleared, exit_status FROM run WHERE id = ?1"},
    {"run_version", "SELECT position, version_id FROM run_version WHERE run_id = ?1"
                    " ORDER BY position"},
    {"run_input", "SELECT position, path, sha256, parties, error_line, error FROM run_input"
                  " WHERE run_id = ?1 ORDER BY position"},
    {"run_party", "SELECT seq, input, document, line, ref, role, name, address, city, country,"
                  " date, item, format, doc_type, party_id, region, postal_code, order_line,"
                  " part_number, description, quantity, eccn, hs_code, origin, fingerprint, hits"
                  " FROM run_party WHERE run_id = ?1 ORDER BY seq"},
    {"run_party_line", "SELECT seq, position, line, number, part_number, description, quantity,"
                       " eccn, hs_code, origin FROM run_party_line WHERE run_id = ?1"
                       " ORDER BY seq, position"},
    {"run_hit", "SELECT seq, rank, entity_id, name_index, score, explanation, listed_spans,"
                " party_spans, decision_id, record_changed, changes, rescreen FROM run_hit"
                " WHERE run_id = ?1 ORDER BY seq, rank"},
};

static const part DECISION_PARTS[] = {
    {"review_decision", "SELECT id, fingerprint, party_name, list_code, source_id, listed_name,"
                        " entity_id, content_hash, decision, reviewer, reason, decided_at, run_id"
                        " FROM review_decision WHERE id = ?1"},
};

typedef struct record_kind {
    const char *name; /* the record's table, as links name it */
    const part *parts;
    size_t n_parts;
    const char *unsealed; /* its records that should be sealed and are not, by id */
} record_kind;

static const record_kind KINDS[] = {
    {"list_version", VERSION_PARTS, sizeof VERSION_PARTS / sizeof *VERSION_PARTS,
     "SELECT id, 'was added outside redflag: it is not in the evidence chain' FROM list_version"
     " WHERE id NOT IN (SELECT record_id FROM evidence_chain WHERE record = 'list_version')"
     " ORDER BY id"},
    /* A run is sealed when it stops running; one that says it ended but was never sealed was
     * ended behind redflag's back (a killed run turned into "done"). */
    {"run", RUN_PARTS, sizeof RUN_PARTS / sizeof *RUN_PARTS,
     "SELECT id, 'says it ended (' || status || ', exit ' || coalesce(exit_status, '-') ||"
     " ') but was never sealed: it was ended or added outside redflag' FROM run"
     " WHERE status <> 'running' AND id NOT IN (SELECT record_id FROM evidence_chain"
     " WHERE record = 'run') ORDER BY id"},
    {"review_decision", DECISION_PARTS, sizeof DECISION_PARTS / sizeof *DECISION_PARTS,
     "SELECT id, 'was added outside redflag (decided_at ' || decided_at || '): it is not in"
     " the evidence chain' FROM review_decision WHERE id NOT IN (SELECT record_id FROM"
     " evidence_chain WHERE record = 'review_decision') ORDER BY id"},
};

static const record_kind *kind_named(const char *name)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++)
        if (strcmp(KINDS[i].name, name) == 0) return &KINDS[i];
    return NULL;
}

/* Writes `kind`, `v` in decimal and `end` into `out` (room for 24); returns the length: what
 * snprintf "%c%lld%c" writes, in a tenth of its time (a server seals hundreds of runs a second,
 * each of hundreds of columns). */
static size_t number_tag(char *out, char kind, long long v, char end)
{
    char digits[20];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    size_t n = 0, len = 0;

    do digits[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    out[len++] = kind;
    if (v < 0) out[len++] = '-';
    while (n) out[len++] = digits[--n];
    out[len++] = end;
    return len;
}

/* Feeds the rows of a stepped-from-the-start statement into `h`, every column tagged with its
 * type so that NULL, '', 0 and '0' differ; *rows counts them. */
static int hash_rows(rf_sha256 *h, long long *rows, sqlite3_stmt *stmt)
{
    int step, n = sqlite3_column_count(stmt);
    char tag[48];

    *rows = 0;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_sha256_update(h, "(", 1);
        for (int c = 0; c < n; c++) {
            int type = sqlite3_column_type(stmt, c), len;
            const void *bytes = NULL;
            if (type == SQLITE_NULL) {
                rf_sha256_update(h, "n", 1);
            } else if (type == SQLITE_INTEGER) {
                rf_sha256_update(h, tag, number_tag(tag, 'i', sqlite3_column_int64(stmt, c), ';'));
            } else if (type == SQLITE_FLOAT) {
                snprintf(tag, sizeof tag, "f%.17g;", sqlite3_column_double(stmt, c));
                rf_sha256_update(h, tag, strlen(tag));
            } else {
                bytes = type == SQLITE_TEXT ? (const void *)sqlite3_column_text(stmt, c)
                                            : sqlite3_column_blob(stmt, c);
                len = sqlite3_column_bytes(stmt, c);
                rf_sha256_update(h, tag,
                                 number_tag(tag, type == SQLITE_TEXT ? 't' : 'b', len, ':'));
                if (len > 0) rf_sha256_update(h, bytes, (size_t)len);
            }
        }
        (*rows)++;
    }
    return step == SQLITE_DONE ? RF_OK : RF_EDB;
}

/* Writes "name=sha256 name=sha256 ..." for record `id` into `out` (reset first); *exists is 0
 * when its first part (its own row) is gone. */
static int record_parts(rf_buf *out, int *exists, rf_store *st, const record_kind *k,
                        long long id, rf_error *err)
{
    rf_buf_reset(out);
    *exists = 0;
    for (size_t i = 0; i < k->n_parts; i++) {
        sqlite3_stmt *stmt = NULL;
        rf_sha256 h;
        char hex[65];
        long long rows;
        int rc;

        if ((rc = rf_store__prepare_cached(&stmt, st, k->parts[i].sql, err)) != 0) return rc;
        sqlite3_bind_int64(stmt, 1, id);
        if (rf_sha256_init(&h) != RF_OK) {
            rf_store__release(st, stmt);
            return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
        }
        rc = hash_rows(&h, &rows, stmt);
        rf_store__release(st, stmt);
        if (rc) {
            rf_sha256_free(&h);
            return rf_store__db_error(err, st, "reading the evidence to hash it");
        }
        if (i == 0) *exists = rows > 0;
        rf_sha256_final_hex(&h, hex);
        if (rf_buf_printf(out, "%s%s=%s", i ? " " : "", k->parts[i].name, hex) < 0)
            return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
    }
    return RF_OK;
}

/* The hash of link `seq`: sha256 of the link before's hash, then seq, record, id and parts. */
static void link_hash(char out[65], const char *prev, long long seq, const char *record,
                      long long id, const char *parts)
{
    rf_sha256 h;
    char num[64];

    rf_sha256_init(&h);
    rf_sha256_update(&h, prev, strlen(prev));
    snprintf(num, sizeof num, "\n%lld\n", seq);
    rf_sha256_update(&h, num, strlen(num));
    rf_sha256_update(&h, record, strlen(record));
    snprintf(num, sizeof num, "\n%lld\n", id);
    rf_sha256_update(&h, num, strlen(num));
    rf_sha256_update(&h, parts, strlen(parts));
    rf_sha256_final_hex(&h, out);
}

/* The hash before the first link. */
static const char GENESIS[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

int rf_store_chain_head(rf_chain_head *out, rf_store *st, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    out->count = 0;
    snprintf(out->hash, sizeof out->hash, "%s", GENESIS);
    if ((rc = rf_store__prepare_cached(&stmt, st,
                               "SELECT seq, hash FROM evidence_chain ORDER BY seq DESC LIMIT 1",
                               err)) != 0)
        return rc;
    step = sqlite3_step(stmt);
    if (step == SQLITE_ROW) {
        out->count = sqlite3_column_int64(stmt, 0);
        snprintf(out->hash, sizeof out->hash, "%s", (const char *)sqlite3_column_text(stmt, 1));
    } else if (step != SQLITE_DONE) {
        rc = rf_store__db_error(err, st, "reading the evidence chain");
    }
    rf_store__release(st, stmt);
    return rc;
}

int rf_chain__seal(rf_store *st, const char *record, long long id, rf_error *err)
{
    const record_kind *k = kind_named(record);
    rf_chain_head head;
    rf_buf parts = {0};
    sqlite3_stmt *stmt = NULL;
    char hash[65];
    int rc, exists;

    if (!k) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no evidence record '%s'", record);
    if ((rc = rf_store_chain_head(&head, st, err)) != 0 ||
        (rc = record_parts(&parts, &exists, st, k, id, err)) != 0)
        goto cleanup;
    if (!exists) {
        rc = rf_error_set(err, RF_ENOTFOUND, st->path, 0, "no %s %lld to seal", record, id);
        goto cleanup;
    }
    link_hash(hash, head.hash, head.count + 1, record, id, parts.data);
    if ((rc = rf_store__prepare_cached(&stmt, st,
                               "INSERT INTO evidence_chain (seq, record, record_id, parts, hash)"
                               " VALUES (?1, ?2, ?3, ?4, ?5)",
                               err)) != 0)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, head.count + 1);
    rf_store__bind_text(stmt, 2, record);
    sqlite3_bind_int64(stmt, 3, id);
    rf_store__bind_text(stmt, 4, parts.data);
    rf_store__bind_text(stmt, 5, hash);
    if (sqlite3_step(stmt) != SQLITE_DONE) rc = rf_store__db_error(err, st, "sealing the evidence");

cleanup:
    rf_store__release(st, stmt);
    rf_buf_free(&parts);
    return rc;
}

/* ---- upgrading a schema 4 database ------------------------------------------------------- */

/* Stores the names digest of every version that has none (all of them, once). */
static int digest_versions(rf_store *st, rf_error *err)
{
    sqlite3_stmt *versions = NULL, *names = NULL, *update = NULL;
    int rc, step;

    if ((rc = rf_store__prepare(&versions, st,
                               "SELECT id FROM list_version WHERE names_digest IS NULL", err)) ||
        (rc = rf_store__prepare(&names, st,
                               "SELECT n.entity_id, n.kind, n.name FROM entity e JOIN"
                               " entity_name n ON n.entity_id = e.id WHERE e.version_id = ?1"
                               " ORDER BY n.entity_id, n.position",
                               err)) ||
        (rc = rf_store__prepare(&update, st,
                               "UPDATE list_version SET names_digest = ?2 WHERE id = ?1", err)))
        goto cleanup;
    while ((step = sqlite3_step(versions)) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(versions, 0);
        rf_store__names_digest h;
        char hex[65];

        if (rf_store__names_digest_init(&h) != RF_OK) break;
        sqlite3_bind_int64(names, 1, id);
        while ((step = sqlite3_step(names)) == SQLITE_ROW)
            rf_store__names_digest_add(&h, sqlite3_column_int64(names, 0),
                                      (const char *)sqlite3_column_text(names, 1),
                                      (const char *)sqlite3_column_text(names, 2));
        sqlite3_reset(names);
        rf_store__names_digest_final(&h, hex);
        if (step != SQLITE_DONE) break;
        sqlite3_bind_int64(update, 1, id);
        rf_store__bind_text(update, 2, hex);
        step = sqlite3_step(update);
        sqlite3_reset(update);
        if (step != SQLITE_DONE) break;
    }
    if (step != SQLITE_DONE) rc = rf_store__db_error(err, st, "digesting the names of a version");

cleanup:
    sqlite3_finalize(versions);
    sqlite3_finalize(names);
    sqlite3_finalize(update);
    return rc;
}

int rf_chain__upgrade(rf_store *st, rf_error *err)
{
    /* Existing evidence is sealed in the order it was recorded, by its own time stamps. */
    static const char existing[] =
        "SELECT r.record, r.id, r.at FROM ("
        " SELECT 'list_version' AS record, id, imported_at AS at FROM list_version"
        " UNION ALL SELECT 'run', id, coalesce(finished_at, started_at) FROM run"
        "  WHERE status <> 'running'"
        " UNION ALL SELECT 'review_decision', id, decided_at FROM review_decision) r"
        " WHERE NOT EXISTS (SELECT 1 FROM evidence_chain c WHERE c.record = r.record"
        "  AND c.record_id = r.id)"
        " ORDER BY r.at, r.record, r.id";
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT 1 FROM pragma_table_info('list_version')"
                               " WHERE name = 'names_digest'",
                               err)) != 0)
        return rc;
    step = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (step == SQLITE_DONE &&
        (rc = rf_store__exec(st, "ALTER TABLE list_version ADD COLUMN names_digest TEXT", err)))
        return rc;
    for (size_t i = 0; i < sizeof GUARD_LIST / sizeof *GUARD_LIST; i++)
        if ((rc = rf_store__exec(st, GUARD_LIST[i].create, err)) != 0) return rc;
    if ((rc = digest_versions(st, err)) != 0 ||
        (rc = rf_store__prepare(&stmt, st, existing, err)) != 0)
        goto cleanup;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        char record[32];
        snprintf(record, sizeof record, "%s", (const char *)sqlite3_column_text(stmt, 0));
        if ((rc = rf_chain__seal(st, record, sqlite3_column_int64(stmt, 1), err)) != 0)
            goto cleanup;
    }
    if (step != SQLITE_DONE) rc = rf_store__db_error(err, st, "sealing the existing evidence");

cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

/* ---- checking ---------------------------------------------------------------------------- */

typedef int (*problem_fn)(const rf_chain_problem *p, void *ctx);

/* Calls fn for each guard missing from sqlite_master or different from GUARD_LIST. */
static int check_guards(rf_store *st, problem_fn fn, void *ctx, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                               " AND name = ?1",
                               err)) != 0)
        return rc;
    for (size_t i = 0; i < sizeof GUARD_LIST / sizeof *GUARD_LIST && rc == RF_OK; i++) {
        rf_chain_problem p = {"trigger", 0, NULL, GUARD_LIST[i].name};
        int step;
        sqlite3_bind_text(stmt, 1, GUARD_LIST[i].name, -1, SQLITE_STATIC);
        step = sqlite3_step(stmt);
        if (step == SQLITE_DONE)
            p.what = "is missing: it was dropped outside redflag";
        else if (step != SQLITE_ROW)
            rc = rf_store__db_error(err, st, "reading the triggers");
        else if (!sqlite3_column_text(stmt, 0) ||
                 strcmp((const char *)sqlite3_column_text(stmt, 0), GUARD_LIST[i].sql) != 0)
            p.what = "was altered outside redflag";
        sqlite3_reset(stmt);
        if (p.what && fn(&p, ctx)) rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped");
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Keeps the first problem as text, for rf_store_open. */
static int note_first(const rf_chain_problem *p, void *ctx)
{
    rf_store *st = ctx;
    if (!st->guard_problem[0])
        snprintf(st->guard_problem, sizeof st->guard_problem, "the trigger %s %s", p->name,
                 p->what);
    return 0;
}

int rf_chain__check_guards(rf_store *st, rf_error *err)
{
    st->guard_problem[0] = '\0';
    return check_guards(st, note_first, st, err);
}

const char *rf_store_guard_problem(const rf_store *st)
{
    return st && st->guard_problem[0] ? st->guard_problem : NULL;
}

int rf_store__writable(rf_store *st, rf_error *err)
{
    if (!st->guard_problem[0]) return RF_OK;
    return rf_error_set(err, RF_EDB, st->path, 0,
                        "%s; redflag does not write into this database until the evidence is "
                        "checked ('redflag audit verify') and the database restored from a copy",
                        st->guard_problem);
}

/* 1 when the i-th space-separated "name=sha256" of two parts strings is the same. */
static int same_token(const char *a, const char *b, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        a = strchr(a, ' ');
        b = strchr(b, ' ');
        if (!a || !b) return 0;
        a++, b++;
    }
    size_t la = strcspn(a, " "), lb = strcspn(b, " ");
    return la == lb && memcmp(a, b, la) == 0;
}

/* Walks the links in order: each must follow from the one before, and its record must still
 * hash to what was sealed. */
static int check_links(rf_store *st, rf_chain_head *head, const char *earlier,
                       long long *earlier_at, long long *problems, problem_fn fn, void *ctx,
                       rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    rf_buf now = {0};
    char prev[65], hash[65], what[1024];
    long long expect = 1;
    int rc, step, broken = 0; /* a problem seen: an earlier head after it proves nothing */

    snprintf(prev, sizeof prev, "%s", GENESIS);
    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT seq, record, record_id, parts, hash FROM evidence_chain"
                               " ORDER BY seq",
                               err)) != 0)
        return rc;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(stmt, 0), id = sqlite3_column_int64(stmt, 2);
        const char *record = (const char *)sqlite3_column_text(stmt, 1);
        const char *parts = (const char *)sqlite3_column_text(stmt, 3);
        const char *stored = (const char *)sqlite3_column_text(stmt, 4);
        const record_kind *k = record ? kind_named(record) : NULL;
        rf_chain_problem p = {record ? record : "evidence_chain", id, NULL, NULL};
        int exists = 0;

        what[0] = '\0';
        if (!k || !parts || !stored) {
            snprintf(what, sizeof what, "link %lld of the evidence chain was altered", seq);
        } else {
            link_hash(hash, prev, seq, record, id, parts);
            if (seq != expect)
                snprintf(what, sizeof what, "link%s %lld to %lld of the evidence chain %s "
                         "removed", seq - expect > 1 ? "s" : "", expect, seq - 1,
                         seq - expect > 1 ? "were" : "was");
            else if (strcmp(hash, stored) != 0)
                snprintf(what, sizeof what, "link %lld of the evidence chain does not follow "
                         "from the link before it: that link or this one was rewritten", seq);
            else if ((rc = record_parts(&now, &exists, st, k, id, err)) != 0)
                goto cleanup;
            else if (!exists)
                snprintf(what, sizeof what, "was sealed in link %lld but is no longer in the "
                         "database: it was deleted", seq);
            else if (strcmp(now.data, parts) != 0) {
                /* Name the parts that differ: "its run_party rows". */
                size_t n = (size_t)snprintf(what, sizeof what,
                                            "differs from what was sealed in link %lld:", seq);
                for (size_t i = 0; i < k->n_parts && n < sizeof what; i++)
                    if (!same_token(now.data, parts, i))
                        n += (size_t)snprintf(what + n, sizeof what - n, " its %s %s",
                                              k->parts[i].name, i == 0 ? "row" : "rows");
            }
        }
        if (what[0]) {
            broken = 1;
            (*problems)++;
            p.what = what;
            if (fn(&p, ctx)) break;
        }
        if (earlier && !*earlier_at && !broken && strcmp(stored ? stored : "", earlier) == 0)
            *earlier_at = seq;
        snprintf(prev, sizeof prev, "%s", stored ? stored : "");
        expect = seq + 1;
        head->count = seq;
    }
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = rf_store__db_error(err, st, "reading the evidence chain");
    snprintf(head->hash, sizeof head->hash, "%s", prev);

cleanup:
    sqlite3_finalize(stmt);
    rf_buf_free(&now);
    return rc;
}

/* Records that should be in the chain and are not. */
static int check_unsealed(rf_store *st, long long *problems, problem_fn fn, void *ctx,
                          rf_error *err)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof *KINDS; i++) {
        sqlite3_stmt *stmt = NULL;
        int rc, step, stop = 0;
        if ((rc = rf_store__prepare(&stmt, st, KINDS[i].unsealed, err)) != 0) return rc;
        while (!stop && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
            rf_chain_problem p = {KINDS[i].name, sqlite3_column_int64(stmt, 0),
                                  (const char *)sqlite3_column_text(stmt, 1), NULL};
            (*problems)++;
            stop = fn(&p, ctx);
        }
        if (!stop && step != SQLITE_DONE) rc = rf_store__db_error(err, st, "reading evidence");
        sqlite3_finalize(stmt);
        if (rc || stop) return rc;
    }
    return RF_OK;
}

typedef struct counting {
    long long *problems;
    problem_fn fn;
    void *ctx;
} counting;

static int count_guard(const rf_chain_problem *p, void *ctx)
{
    counting *c = ctx;
    (*c->problems)++;
    return c->fn(p, c->ctx);
}

int rf_store_chain_verify(rf_chain_head *head, long long *problems, rf_store *st,
                          const char *earlier_head, long long *earlier_at,
                          int (*fn)(const rf_chain_problem *p, void *ctx), void *ctx,
                          rf_error *err)
{
    counting c = {problems, fn, ctx};
    long long at = 0;
    int rc, began;

    *problems = 0;
    head->count = 0;
    snprintf(head->hash, sizeof head->hash, "%s", GENESIS);
    if (earlier_at) *earlier_at = 0;
    if ((rc = rf_store__read_begin(st, &began, err)) != 0) return rc;
    if ((rc = check_links(st, head, earlier_head, &at, problems, fn, ctx, err)) == 0 &&
        (rc = check_unsealed(st, problems, fn, ctx, err)) == 0 &&
        (rc = check_guards(st, count_guard, &c, err)) == 0 && earlier_head && !at) {
        rf_chain_problem p = {"evidence_chain", 0,
                              "the head given (from an earlier export) is not in the chain: "
                              "evidence recorded before it was changed or removed",
                              NULL};
        (*problems)++;
        fn(&p, ctx);
    }
    rf_store__read_end(st, began);
    if (earlier_at) *earlier_at = at;
    return rc;
}
