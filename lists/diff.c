/* diff.c: what changed between two list versions: entities added, removed and changed
 * (rf_store_diff), and the removed ones as a snapshot (rf_snapshot_load_removed) so that
 * screening can tell a reviewer that a clear party was listed until recently.
 *
 * Entities are paired by (list code, source id), merging the two versions' keys as SQL
 * sorts them, and the stored content hashes say which pairs changed; only the entities that
 * differ are then loaded (by id, through the snapshot loader) and compared field by field in
 * memory to say what changed. */
#include "rf_lists.h"
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- fields ----------------------------------------------------------------------------- */

const rf_entity_field rf_entity_fields[17] = {
    RF_FIELD_NAMES,        RF_FIELD_ADDRESSES,          RF_FIELD_TYPE,
    RF_FIELD_LIST_NAME,    RF_FIELD_PROGRAMS,           RF_FIELD_FEDERAL_REGISTER,
    RF_FIELD_START_DATE,   RF_FIELD_END_DATE,           RF_FIELD_LICENSE_REQUIREMENT,
    RF_FIELD_LICENSE_POLICY, RF_FIELD_REMARKS,          RF_FIELD_TITLE,
    RF_FIELD_SOURCE_URL,   RF_FIELD_NATIONALITIES,      RF_FIELD_DATES_OF_BIRTH,
    RF_FIELD_IDS,          RF_FIELD_PARENT_NAME};

#define N_FIELDS (sizeof rf_entity_fields / sizeof *rf_entity_fields)

const char *rf_entity_field_name(rf_entity_field f)
{
    switch (f) {
    case RF_FIELD_NAMES: return "names";
    case RF_FIELD_ADDRESSES: return "addresses";
    case RF_FIELD_TYPE: return "entity_type";
    case RF_FIELD_LIST_NAME: return "list_name";
    case RF_FIELD_PROGRAMS: return "programs";
    case RF_FIELD_FEDERAL_REGISTER: return "federal_register";
    case RF_FIELD_START_DATE: return "start_date";
    case RF_FIELD_END_DATE: return "end_date";
    case RF_FIELD_LICENSE_REQUIREMENT: return "license_requirement";
    case RF_FIELD_LICENSE_POLICY: return "license_policy";
    case RF_FIELD_REMARKS: return "remarks";
    case RF_FIELD_TITLE: return "title";
    case RF_FIELD_SOURCE_URL: return "source_url";
    case RF_FIELD_NATIONALITIES: return "nationalities";
    case RF_FIELD_DATES_OF_BIRTH: return "dates_of_birth";
    case RF_FIELD_IDS: return "ids";
    case RF_FIELD_PARENT_NAME: return "parent_name";
    }
    return "unknown";
}

const char *rf_entity_field_text(const rf_entity *e, rf_entity_field f)
{
    switch (f) {
    case RF_FIELD_NAMES:
    case RF_FIELD_ADDRESSES: return NULL;
    case RF_FIELD_TYPE: return rf_entity_type_name(e->type);
    case RF_FIELD_LIST_NAME: return e->list_name;
    case RF_FIELD_PROGRAMS: return e->programs;
    case RF_FIELD_FEDERAL_REGISTER: return e->federal_register;
    case RF_FIELD_START_DATE: return e->start_date;
    case RF_FIELD_END_DATE: return e->end_date;
    case RF_FIELD_LICENSE_REQUIREMENT: return e->license_requirement;
    case RF_FIELD_LICENSE_POLICY: return e->license_policy;
    case RF_FIELD_REMARKS: return e->remarks;
    case RF_FIELD_TITLE: return e->title;
    case RF_FIELD_SOURCE_URL: return e->source_url;
    case RF_FIELD_NATIONALITIES: return e->nationalities;
    case RF_FIELD_DATES_OF_BIRTH: return e->dates_of_birth;
    case RF_FIELD_IDS: return e->ids;
    case RF_FIELD_PARENT_NAME: return e->parent_name;
    }
    return NULL;
}

const char *rf_change_kind_name(rf_change_kind k)
{
    return k == RF_CHANGE_ADDED ? "added" : k == RF_CHANGE_REMOVED ? "removed" : "changed";
}

/* NULL and "" differ, as they do in the content hash. */
static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_names(const rf_entity *a, const rf_entity *b)
{
    if (a->n_names != b->n_names) return 0;
    for (size_t i = 0; i < a->n_names; i++)
        if (a->names[i].kind != b->names[i].kind || !same_text(a->names[i].text, b->names[i].text))
            return 0;
    return 1;
}

static int same_addresses(const rf_entity *a, const rf_entity *b)
{
    if (a->n_addresses != b->n_addresses) return 0;
    for (size_t i = 0; i < a->n_addresses; i++) {
        const rf_address *x = &a->addresses[i], *y = &b->addresses[i];
        if (!same_text(x->text, y->text) || !same_text(x->city, y->city) ||
            !same_text(x->country, y->country))
            return 0;
    }
    return 1;
}

/* The RF_FIELD_* bits on which two listings of one entity differ. */
static unsigned changed_fields(const rf_entity *a, const rf_entity *b)
{
    unsigned bits = 0;
    for (size_t i = 0; i < N_FIELDS; i++) {
        rf_entity_field f = rf_entity_fields[i];
        int same = f == RF_FIELD_NAMES       ? same_names(a, b)
                   : f == RF_FIELD_ADDRESSES ? same_addresses(a, b)
                                             : same_text(rf_entity_field_text(a, f),
                                                         rf_entity_field_text(b, f));
        if (!same) bits |= (unsigned)f;
    }
    return bits;
}

/* ---- pairing ---------------------------------------------------------------------------- */

/* One entity of the old version without its equal in the new one, or the other way round:
 * old_id 0 means added, new_id 0 removed, both set changed. */
typedef struct pair {
    long long old_id, new_id;
} pair;

typedef struct pairs {
    pair *items;
    size_t count, cap;
    long long old_total; /* entities of the old version, in the list asked for */
} pairs;

/* One side of the pairing: keyed by (list code, source id), or the content hash for an
 * entity without a source id; the n-th of several entities with one key (a list that repeats
 * an id) pairs with the n-th. Sorted by key, so the two sides merge in one pass. */
static const char SIDE_SQL[] =
    "SELECT id, list_code AS c, coalesce(source_id, '#' || content_hash) AS k,"
    " row_number() OVER (PARTITION BY list_code, coalesce(source_id, '#' || content_hash)"
    " ORDER BY id) AS n, content_hash FROM entity"
    " WHERE version_id = ?1 AND (?2 IS NULL OR list_code = ?2 COLLATE NOCASE)"
    " ORDER BY c, k, n";

static int pairs_add(pairs *p, long long old_id, long long new_id)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        pair *grown = realloc(p->items, cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        p->items = grown;
        p->cap = cap;
    }
    p->items[p->count++] = (pair){old_id, new_id};
    return RF_OK;
}

/* Orders two rows of SIDE_SQL by key as SQLite sorted them (NULL first, then bytes). */
static int key_cmp(sqlite3_stmt *a, sqlite3_stmt *b)
{
    const char *ac = (const char *)sqlite3_column_text(a, 1);
    const char *bc = (const char *)sqlite3_column_text(b, 1);
    long long an, bn;
    int d;

    if (!ac || !bc) {
        if (ac || bc) return ac ? 1 : -1;
    } else if ((d = strcmp(ac, bc)) != 0) {
        return d;
    }
    if ((d = strcmp((const char *)sqlite3_column_text(a, 2),
                    (const char *)sqlite3_column_text(b, 2))) != 0)
        return d;
    an = sqlite3_column_int64(a, 3);
    bn = sqlite3_column_int64(b, 3);
    return an < bn ? -1 : an > bn;
}

/* Collects the pairs that differ between the two versions by merging their sorted keys.
 * The caller holds the read transaction. */
static int pair_up(pairs *out, rf_store *st, long long old_version, long long new_version,
                   const char *list_code, rf_error *err)
{
    sqlite3_stmt *o = NULL, *w = NULL;
    int rc, so, sw;

    memset(out, 0, sizeof *out);
    if ((rc = rf_store__prepare(&o, st, SIDE_SQL, err)) != 0 ||
        (rc = rf_store__prepare(&w, st, SIDE_SQL, err)) != 0)
        goto cleanup;
    sqlite3_bind_int64(o, 1, old_version);
    sqlite3_bind_int64(w, 1, new_version);
    if (list_code) {
        sqlite3_bind_text(o, 2, list_code, -1, SQLITE_STATIC);
        sqlite3_bind_text(w, 2, list_code, -1, SQLITE_STATIC);
    }
    so = sqlite3_step(o);
    sw = sqlite3_step(w);
    while (so == SQLITE_ROW || sw == SQLITE_ROW) {
        int d = so != SQLITE_ROW ? 1 : sw != SQLITE_ROW ? -1 : key_cmp(o, w);
        long long old_id = d <= 0 ? sqlite3_column_int64(o, 0) : 0;
        long long new_id = d >= 0 ? sqlite3_column_int64(w, 0) : 0;
        if (d <= 0) out->old_total++;
        if ((d != 0 || strcmp((const char *)sqlite3_column_text(o, 4),
                              (const char *)sqlite3_column_text(w, 4)) != 0) &&
            pairs_add(out, old_id, new_id)) {
            rc = rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory comparing versions");
            goto cleanup;
        }
        if (d <= 0) so = sqlite3_step(o);
        if (d >= 0) sw = sqlite3_step(w);
    }
    if (so != SQLITE_DONE || sw != SQLITE_DONE)
        rc = rf_store__db_error(err, st, "comparing list versions");

cleanup:
    sqlite3_finalize(o);
    sqlite3_finalize(w);
    if (rc) {
        free(out->items);
        out->items = NULL;
    }
    return rc;
}

/* Loads the old (`old_side`) or new entities of the pairs into a snapshot of `version`. */
static int load_side(rf_snapshot **out, rf_store *st, const pairs *p, int old_side,
                     long long version, rf_error *err)
{
    rf_version_list versions = {0};
    long long *ids = malloc((p->count ? p->count : 1) * sizeof *ids);
    size_t n = 0;
    int rc;

    *out = NULL;
    if (!ids) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < p->count; i++) {
        long long id = old_side ? p->items[i].old_id : p->items[i].new_id;
        if (id) ids[n++] = id;
    }
    if ((rc = rf_store_version_get(&versions, st, version, err)) == 0)
        rc = rf_snapshot__load_id_set(out, st, ids, n, &versions, err);
    rf_version_list_free(&versions);
    free(ids);
    return rc;
}

/* RF_ENOTFOUND, naming it, when either version does not exist. */
static int check_versions(rf_store *st, long long old_version, long long new_version,
                          rf_error *err)
{
    rf_version_list v = {0};
    int rc = rf_store_version_get(&v, st, old_version, err);
    rf_version_list_free(&v);
    if (rc == 0) rc = rf_store_version_get(&v, st, new_version, err);
    rf_version_list_free(&v);
    return rc;
}

/* ---- the diff --------------------------------------------------------------------------- */

static const rf_entity *change_entity(const rf_change *c)
{
    return c->after ? c->after : c->before;
}

/* By list code, then primary name, then kind: the order a reader scans a diff in. */
static int change_cmp(const void *a, const void *b)
{
    const rf_entity *x = change_entity(a), *y = change_entity(b);
    const char *xc = x->list_code ? x->list_code : "", *yc = y->list_code ? y->list_code : "";
    int d = strcmp(xc, yc);
    if (!d) d = strcmp(x->names[0].text, y->names[0].text);
    if (!d) d = (int)((const rf_change *)a)->kind - (int)((const rf_change *)b)->kind;
    if (!d) d = x->id < y->id ? -1 : x->id > y->id;
    return d;
}

int rf_store_diff(rf_diff_counts *counts, rf_store *st, long long old_version,
                  long long new_version, const char *list_code,
                  int (*fn)(const rf_change *change, void *ctx), void *ctx, rf_error *err)
{
    rf_snapshot *before = NULL, *after = NULL;
    rf_change *changes = NULL;
    rf_diff_counts n = {0, 0, 0, 0};
    pairs p = {0};
    int rc, in_txn;

    if (counts) *counts = n;
    if (!st || !fn) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no store or no callback");
    /* One read transaction: an import committing meanwhile must not mix two states. */
    if ((rc = rf_store__read_begin(st, &in_txn, err)) != 0) return rc;
    if ((rc = check_versions(st, old_version, new_version, err)) != 0 ||
        (rc = pair_up(&p, st, old_version, new_version, list_code, err)) != 0 ||
        (rc = load_side(&before, st, &p, 1, old_version, err)) != 0 ||
        (rc = load_side(&after, st, &p, 0, new_version, err)) != 0)
        goto cleanup;
    rf_store__read_end(st, in_txn);
    in_txn = 0;

    if (p.count && !(changes = calloc(p.count, sizeof *changes))) {
        rc = rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory comparing versions");
        goto cleanup;
    }
    for (size_t i = 0; i < p.count; i++) {
        rf_change *c = &changes[i];
        c->before = p.items[i].old_id ? rf_snapshot_find(before, p.items[i].old_id) : NULL;
        c->after = p.items[i].new_id ? rf_snapshot_find(after, p.items[i].new_id) : NULL;
        if ((p.items[i].old_id && !c->before) || (p.items[i].new_id && !c->after)) {
            rc = rf_error_set(err, RF_EDB, st->path, 0, "an entity vanished while comparing");
            goto cleanup;
        }
        c->kind = !c->before ? RF_CHANGE_ADDED : !c->after ? RF_CHANGE_REMOVED : RF_CHANGE_CHANGED;
        if (c->kind == RF_CHANGE_CHANGED) c->fields = changed_fields(c->before, c->after);
        n.added += c->kind == RF_CHANGE_ADDED;
        n.removed += c->kind == RF_CHANGE_REMOVED;
        n.changed += c->kind == RF_CHANGE_CHANGED;
    }
    n.unchanged = (long)p.old_total - n.removed - n.changed;
    if (p.count) qsort(changes, p.count, sizeof *changes, change_cmp);
    if (counts) *counts = n;
    for (size_t i = 0; i < p.count; i++)
        if (fn(&changes[i], ctx)) {
            rc = rf_error_set(err, RF_ECANCEL, NULL, 0, "stopped by the caller");
            break;
        }

cleanup:
    rf_store__read_end(st, in_txn);
    free(changes);
    free(p.items);
    rf_snapshot_free(before);
    rf_snapshot_free(after);
    return rc;
}

int rf_snapshot_load_removed(rf_snapshot **out, rf_store *st, long long old_version,
                             long long new_version, rf_error *err)
{
    pairs p = {0};
    size_t kept = 0;
    int rc, in_txn;

    *out = NULL;
    if (!st) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no store");
    if ((rc = rf_store__read_begin(st, &in_txn, err)) != 0) return rc;
    if ((rc = check_versions(st, old_version, new_version, err)) == 0 &&
        (rc = pair_up(&p, st, old_version, new_version, NULL, err)) == 0) {
        /* Removed only: a changed entity is still listed, an added one was not before. */
        for (size_t i = 0; i < p.count; i++)
            if (!p.items[i].new_id) p.items[kept++] = p.items[i];
        p.count = kept;
        rc = load_side(out, st, &p, 1, old_version, err);
    }
    rf_store__read_end(st, in_txn);
    free(p.items);
    return rc;
}
