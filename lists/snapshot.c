/* snapshot.c: loads the entities of the list versions in force into memory for the engine
 * (and, for diff.c, any picked set of entities, such as those a newer version removed).
 * Three queries per version (entities, names, addresses, each ordered by entity id) are
 * merged in one pass; every string lives in an arena of large blocks owned by the snapshot,
 * which is never written after loading and so can be read from any number of threads. */
#include "rf_lists.h"
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK ((size_t)1 << 20)

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
} arena_block;

struct rf_snapshot {
    rf_entity *entities;
    size_t count, cap;
    rf_name *names;
    size_t n_names, names_cap;
    rf_address *addresses;
    size_t n_addresses, addresses_cap;
    rf_version_list versions;
    arena_block *arena;
};

/* A NUL-terminated copy of s[0..len) in the arena; NULL in, NULL out; *oom set on failure. */
static const char *arena_copy(rf_snapshot *snap, const unsigned char *s, int len, int *oom)
{
    size_t n = len > 0 ? (size_t)len : 0;
    arena_block *b = snap->arena;
    char *copy;

    if (!s) return NULL;
    if (!b || b->cap - b->used < n + 1) {
        size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b) {
            *oom = 1;
            return NULL;
        }
        b->next = snap->arena;
        b->used = 0;
        b->cap = cap;
        snap->arena = b;
    }
    copy = b->data + b->used;
    memcpy(copy, s, n);
    copy[n] = '\0';
    b->used += n + 1;
    return copy;
}

static const char *column(rf_snapshot *snap, sqlite3_stmt *stmt, int col, int *oom)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    return arena_copy(snap, s, s ? sqlite3_column_bytes(stmt, col) : 0, oom);
}

/* Makes room for one more item in a growing array. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    void *grown;
    size_t want;
    if (count < *cap) return RF_OK;
    want = *cap ? *cap * 2 : 1024;
    grown = realloc(*items, want * size);
    if (!grown) return RF_ENOMEM;
    *items = grown;
    *cap = want;
    return RF_OK;
}

void rf_snapshot_free(rf_snapshot *snap)
{
    if (!snap) return;
    while (snap->arena) {
        arena_block *next = snap->arena->next;
        free(snap->arena);
        snap->arena = next;
    }
    free(snap->entities);
    free(snap->names);
    free(snap->addresses);
    rf_version_list_free(&snap->versions);
    free(snap);
}

size_t rf_snapshot_count(const rf_snapshot *snap)
{
    return snap ? snap->count : 0;
}

const rf_entity *rf_snapshot_entity(const rf_snapshot *snap, size_t i)
{
    return snap && i < snap->count ? &snap->entities[i] : NULL;
}

const rf_version_list *rf_snapshot_versions(const rf_snapshot *snap)
{
    return snap ? &snap->versions : NULL;
}

/* While loading, an entity's names and addresses pointers are not yet known (the arrays
 * still grow); these hold each entity's first index into them until the final fix-up. */
typedef struct pending {
    size_t *first_name;
    size_t *first_address;
    size_t cap;
} pending;

/* Steps a bound entities query (columns as ENTITIES_SQL) to its end. */
static int load_entities(rf_snapshot *snap, pending *pend, sqlite3_stmt *stmt, int *oom)
{
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        rf_entity *e;
        int c = 0;
        if (grow((void **)&snap->entities, &snap->cap, snap->count, sizeof *e)) goto oom;
        if (snap->cap > pend->cap) {
            size_t *a = realloc(pend->first_name, snap->cap * sizeof *a);
            if (a) pend->first_name = a;
            size_t *b = realloc(pend->first_address, snap->cap * sizeof *b);
            if (b) pend->first_address = b;
            if (!a || !b) goto oom;
            pend->cap = snap->cap;
        }
        e = &snap->entities[snap->count];
        memset(e, 0, sizeof *e);
        pend->first_name[snap->count] = 0;
        pend->first_address[snap->count] = 0;
        e->id = sqlite3_column_int64(stmt, c++);
        e->version_id = sqlite3_column_int64(stmt, c++);
        e->list_code = column(snap, stmt, c++, oom);
        e->list_name = column(snap, stmt, c++, oom);
        e->source_id = column(snap, stmt, c++, oom);
        e->type = rf_store__parse_type((const char *)sqlite3_column_text(stmt, c++));
        e->programs = column(snap, stmt, c++, oom);
        e->federal_register = column(snap, stmt, c++, oom);
        e->start_date = column(snap, stmt, c++, oom);
        e->end_date = column(snap, stmt, c++, oom);
        e->license_requirement = column(snap, stmt, c++, oom);
        e->license_policy = column(snap, stmt, c++, oom);
        e->remarks = column(snap, stmt, c++, oom);
        e->title = column(snap, stmt, c++, oom);
        e->source_url = column(snap, stmt, c++, oom);
        e->nationalities = column(snap, stmt, c++, oom);
        e->dates_of_birth = column(snap, stmt, c++, oom);
        e->ids = column(snap, stmt, c++, oom);
        e->parent_name = column(snap, stmt, c++, oom);
        e->source_line = (long)sqlite3_column_int64(stmt, c++);
        e->content_hash = column(snap, stmt, c, oom);
        if (*oom) goto oom;
        snap->count++;
    }
    return step == SQLITE_DONE ? RF_OK : RF_EDB;
oom:
    *oom = 1;
    return RF_ENOMEM;
}

/* Walks the rows of a bound names or addresses query (entity id first), which come in the
 * same order as the entities from `first` on, and attaches each row to its entity.
 * RF_EFORMAT for a row of no entity read, or out of order: a damaged page of the database. */
static int load_parts(rf_snapshot *snap, pending *pend, sqlite3_stmt *stmt, size_t first,
                      int addresses, int *oom)
{
    size_t j = first;
    int step;

    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        long long entity_id = sqlite3_column_int64(stmt, 0);
        rf_entity *e;
        while (j < snap->count && snap->entities[j].id < entity_id) j++;
        if (j == snap->count || snap->entities[j].id != entity_id) return RF_EFORMAT;
        e = &snap->entities[j];
        if (addresses) {
            rf_address *a;
            if (grow((void **)&snap->addresses, &snap->addresses_cap, snap->n_addresses,
                     sizeof *a))
                goto oom;
            if (e->n_addresses == 0) pend->first_address[j] = snap->n_addresses;
            a = &snap->addresses[snap->n_addresses++];
            a->text = column(snap, stmt, 1, oom);
            a->city = column(snap, stmt, 2, oom);
            a->country = column(snap, stmt, 3, oom);
            e->n_addresses++;
        } else {
            rf_name *n;
            if (grow((void **)&snap->names, &snap->names_cap, snap->n_names, sizeof *n))
                goto oom;
            if (e->n_names == 0) pend->first_name[j] = snap->n_names;
            n = &snap->names[snap->n_names++];
            n->text = column(snap, stmt, 1, oom);
            n->kind = rf_store__parse_kind((const char *)sqlite3_column_text(stmt, 2));
            e->n_names++;
        }
        if (*oom) goto oom;
    }
    return step == SQLITE_DONE ? RF_OK : RF_EDB;
oom:
    *oom = 1;
    return RF_ENOMEM;
}

/* The three queries that fill a snapshot, over the entities `e` that the FROM clause `src`
 * and the WHERE clause `where` select. Each is ordered by entity id, so they merge in one
 * pass. */
#define ENTITIES_SQL(src, where)                                                            \
    "SELECT e.id, e.version_id, e.list_code, e.list_name, e.source_id, e.type, e.programs,"  \
    " e.federal_register, e.start_date, e.end_date, e.license_requirement,"                 \
    " e.license_policy, e.remarks, e.title, e.source_url, e.nationalities,"                 \
    " e.dates_of_birth, e.ids, e.parent_name, e.source_line, e.content_hash"                \
    " FROM " src " " where                                                                  \
    " ORDER BY e.id"
/* Ordered by e.id, which the join makes the same as the part's entity_id: SQLite then reads
 * the parts in order through their primary key instead of sorting them all in a temporary
 * B-tree (a fifth of a snapshot's load). */
#define NAMES_SQL(src, where)                                                               \
    "SELECT n.entity_id, n.name, n.kind FROM " src " JOIN entity_name n ON n.entity_id = e.id " \
    where " ORDER BY e.id, n.position"
#define ADDRESSES_SQL(src, where)                                                           \
    "SELECT a.entity_id, a.text, a.city, a.country FROM " src                              \
    " JOIN entity_address a ON a.entity_id = e.id " where " ORDER BY e.id, a.position"

/* The statements of one load and the bookkeeping they share. */
typedef struct loader {
    rf_snapshot *snap;
    rf_store *st;
    sqlite3_stmt *ents, *names, *addrs;
    pending pend;
    int oom;
} loader;

/* Starts a load into a new snapshot that takes over `versions` (emptied), inside a read
 * transaction: an import committing meanwhile must not tear the snapshot. */
static int loader_begin(loader *ld, rf_store *st, rf_version_list *versions, rf_error *err)
{
    memset(ld, 0, sizeof *ld);
    ld->st = st;
    if (st->active)
        return rf_error_set(err, RF_EUSAGE, st->path, 0,
                            "cannot load lists while an import is in progress");
    if (!(ld->snap = calloc(1, sizeof *ld->snap)))
        return rf_error_set(err, RF_ENOMEM, st->path, 0, "out of memory");
    if (versions) {
        ld->snap->versions = *versions;
        versions->items = NULL;
        versions->count = 0;
    }
    return RF_OK;
}

static int loader_prepare(loader *ld, const char *ents, const char *names, const char *addrs,
                          rf_error *err)
{
    int rc;
    if ((rc = rf_store__prepare(&ld->ents, ld->st, ents, err)) != 0 ||
        (rc = rf_store__prepare(&ld->names, ld->st, names, err)) != 0 ||
        (rc = rf_store__prepare(&ld->addrs, ld->st, addrs, err)) != 0)
        return rc;
    return RF_OK;
}

/* Runs the three statements, bound to ?1 = `param` when they take one. */
static int loader_run(loader *ld, long long param, rf_error *err)
{
    sqlite3_stmt *stmts[] = {ld->ents, ld->names, ld->addrs};
    size_t first = ld->snap->count;
    int rc;

    for (size_t i = 0; i < sizeof stmts / sizeof *stmts; i++) {
        sqlite3_reset(stmts[i]); /* run before, for the previous version */
        if (sqlite3_bind_parameter_count(stmts[i]) > 0) sqlite3_bind_int64(stmts[i], 1, param);
    }
    rc = load_entities(ld->snap, &ld->pend, ld->ents, &ld->oom);
    if (rc == RF_OK) rc = load_parts(ld->snap, &ld->pend, ld->names, first, 0, &ld->oom);
    if (rc == RF_OK) rc = load_parts(ld->snap, &ld->pend, ld->addrs, first, 1, &ld->oom);
    if (rc == RF_OK) return RF_OK;
    if (ld->oom) return rf_error_set(err, RF_ENOMEM, ld->st->path, 0, "out of memory loading lists");
    if (rc == RF_EFORMAT)
        return rf_error_set(err, RF_EDB, ld->st->path, 0,
                            "loading lists: a name or address row of no entity read, or out of "
                            "order (a damaged page)");
    return rf_store__db_error(err, ld->st, "loading lists");
}

/* Points each entity at its names and addresses (when `rc` is 0) and hands out the
 * snapshot, or frees it. */
static int loader_end(rf_snapshot **out, loader *ld, int rc)
{
    rf_snapshot *snap = ld->snap;
    sqlite3_finalize(ld->ents);
    sqlite3_finalize(ld->names);
    sqlite3_finalize(ld->addrs);
    if (rc == 0) {
        for (size_t i = 0; i < snap->count; i++) {
            rf_entity *e = &snap->entities[i];
            e->names = e->n_names ? snap->names + ld->pend.first_name[i] : NULL;
            e->addresses = e->n_addresses ? snap->addresses + ld->pend.first_address[i] : NULL;
        }
        *out = snap;
    } else {
        rf_snapshot_free(snap);
    }
    free(ld->pend.first_name);
    free(ld->pend.first_address);
    return rc;
}

/* Compares what loader_run just read for version `v` (the entities from `first` on) with the
 * counts and names digest stored at import: a damaged page can hide rows from a query while
 * sqlite's quick_check still passes, and screening must not go on against a shorter list. */
static int check_loaded(const loader *ld, const rf_version *v, size_t first, rf_error *err)
{
    const rf_snapshot *snap = ld->snap;
    long long names = 0, entities = (long long)(snap->count - first);
    rf_store__names_digest h;
    char hex[65];

    rf_store__names_digest_init(&h);
    for (size_t i = first; i < snap->count; i++) {
        const rf_entity *e = &snap->entities[i];
        const rf_name *n = snap->names + ld->pend.first_name[i];
        for (size_t k = 0; k < e->n_names; k++)
            rf_store__names_digest_add(&h, e->id, rf_name_kind_name(n[k].kind), n[k].text);
        names += (long long)e->n_names;
    }
    rf_store__names_digest_final(&h, hex);
    if (entities == v->entities && names == v->names && v->names_digest &&
        strcmp(hex, v->names_digest) == 0)
        return RF_OK;
    return rf_error_set(err, RF_EDB, ld->st->path, 0,
                        "list version %lld (%s, %s) is damaged: %lld entities and %lld names "
                        "read, %lld and %lld stored at import%s; screening against it would "
                        "miss listed parties: restore the database from a backup or import "
                        "the list into a new one",
                        v->id, v->feed, v->source_file, entities, names, v->entities, v->names,
                        entities == v->entities && names == v->names
                            ? ", and the names differ from those imported"
                            : "");
}

int rf_snapshot_load(rf_snapshot **out, rf_store *st, const char *as_of, rf_error *err)
{
    const rf_version_list *versions;
    loader ld;
    int rc, in_txn = 0;

    *out = NULL;
    if ((rc = loader_begin(&ld, st, NULL, err)) != 0) return loader_end(out, &ld, rc);
    versions = &ld.snap->versions;
    if ((rc = rf_store__read_begin(st, &in_txn, err)) != 0) goto cleanup;
    if ((rc = rf_store_versions_in_force(&ld.snap->versions, st, as_of, err)) != 0) goto cleanup;
    if (versions->count == 0) {
        rc = rf_error_set(err, RF_ENOTFOUND, st->path, 0, "no list version in force on %s",
                          as_of ? as_of : "today");
        goto cleanup;
    }
#define SRC "entity e"
#define WHERE "WHERE e.version_id = ?1"
    if ((rc = loader_prepare(&ld, ENTITIES_SQL(SRC, WHERE), NAMES_SQL(SRC, WHERE),
                             ADDRESSES_SQL(SRC, WHERE), err)) != 0)
        goto cleanup;
    for (size_t v = 0; v < versions->count && rc == 0; v++) {
        size_t first = ld.snap->count;
        const rf_version *ver = &versions->items[v];
        rf_error why;
        if (rf_version_is_ownership(ver)) continue; /* companies described, not listed */
        if ((rc = loader_run(&ld, ver->id, &why)) == RF_EDB)
            rc = rf_error_set(err, RF_EDB, st->path, 0,
                              "list version %lld (%s, %s) cannot be read, the database is "
                              "damaged: %s",
                              ver->id, ver->feed, ver->source_file, why.message);
        else if (rc != 0 && err)
            *err = why;
        else if (rc == 0)
            rc = check_loaded(&ld, ver, first, err);
    }

cleanup:
    rf_store__read_end(st, in_txn);
    return loader_end(out, &ld, rc);
}

int rf_snapshot_load_ownership(rf_snapshot **out, rf_store *st, const rf_version_list *versions,
                               rf_error *err)
{
    loader ld;
    int rc, in_txn = 0;

    *out = NULL;
    if ((rc = loader_begin(&ld, st, NULL, err)) != 0) return loader_end(out, &ld, rc);
    if ((rc = rf_store__read_begin(st, &in_txn, err)) != 0 ||
        (rc = loader_prepare(&ld, ENTITIES_SQL(SRC, WHERE), NAMES_SQL(SRC, WHERE),
                             ADDRESSES_SQL(SRC, WHERE), err)) != 0)
        goto cleanup;
    for (size_t v = 0; versions && v < versions->count && rc == 0; v++)
        if (rf_version_is_ownership(&versions->items[v]))
            rc = loader_run(&ld, versions->items[v].id, err);
cleanup:
    rf_store__read_end(st, in_txn);
    return loader_end(out, &ld, rc);
}

/* arena_copy of a C string. */
static const char *arena_dup(rf_snapshot *snap, const char *s, int *oom)
{
    return arena_copy(snap, (const unsigned char *)s, s ? (int)strlen(s) : 0, oom);
}

int rf_snapshot_append(rf_snapshot *snap, const rf_entity *e, rf_error *err)
{
    rf_name *names0 = snap->names;
    rf_address *addrs0 = snap->addresses;
    size_t first_name = snap->n_names, first_address = snap->n_addresses;
    rf_entity *c;
    int oom = 0;

    /* The arrays may move: entities point into them by offset from the old base. */
    while (snap->names_cap < snap->n_names + e->n_names)
        if (grow((void **)&snap->names, &snap->names_cap, snap->names_cap, sizeof *snap->names))
            goto oom;
    while (snap->addresses_cap < snap->n_addresses + e->n_addresses)
        if (grow((void **)&snap->addresses, &snap->addresses_cap, snap->addresses_cap,
                 sizeof *snap->addresses))
            goto oom;
    if (grow((void **)&snap->entities, &snap->cap, snap->count, sizeof *c)) goto oom;
    for (size_t i = 0; i < snap->count; i++) {
        rf_entity *x = &snap->entities[i];
        if (x->names) x->names = snap->names + (x->names - names0);
        if (x->addresses) x->addresses = snap->addresses + (x->addresses - addrs0);
    }
    c = &snap->entities[snap->count];
    *c = *e;
    c->list_code = arena_dup(snap, e->list_code, &oom);
    c->list_name = arena_dup(snap, e->list_name, &oom);
    c->source_id = arena_dup(snap, e->source_id, &oom);
    c->programs = arena_dup(snap, e->programs, &oom);
    c->federal_register = arena_dup(snap, e->federal_register, &oom);
    c->start_date = arena_dup(snap, e->start_date, &oom);
    c->end_date = arena_dup(snap, e->end_date, &oom);
    c->license_requirement = arena_dup(snap, e->license_requirement, &oom);
    c->license_policy = arena_dup(snap, e->license_policy, &oom);
    c->remarks = arena_dup(snap, e->remarks, &oom);
    c->title = arena_dup(snap, e->title, &oom);
    c->source_url = arena_dup(snap, e->source_url, &oom);
    c->nationalities = arena_dup(snap, e->nationalities, &oom);
    c->dates_of_birth = arena_dup(snap, e->dates_of_birth, &oom);
    c->ids = arena_dup(snap, e->ids, &oom);
    c->parent_name = arena_dup(snap, e->parent_name, &oom);
    c->content_hash = arena_dup(snap, e->content_hash, &oom);
    c->ownership_kind = arena_dup(snap, e->ownership_kind, &oom);
    c->ownership_chain = arena_dup(snap, e->ownership_chain, &oom);
    for (size_t i = 0; i < e->n_names; i++) {
        rf_name *n = &snap->names[snap->n_names++];
        n->kind = e->names[i].kind;
        n->text = arena_dup(snap, e->names[i].text, &oom);
    }
    for (size_t i = 0; i < e->n_addresses; i++) {
        rf_address *a = &snap->addresses[snap->n_addresses++];
        a->text = arena_dup(snap, e->addresses[i].text, &oom);
        a->city = arena_dup(snap, e->addresses[i].city, &oom);
        a->country = arena_dup(snap, e->addresses[i].country, &oom);
    }
    c->names = e->n_names ? snap->names + first_name : NULL;
    c->addresses = e->n_addresses ? snap->addresses + first_address : NULL;
    if (oom) goto oom;
    snap->count++;
    return RF_OK;
oom:
    return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory adding an owned entity");
}

#define PICKED "temp.rf_pick p JOIN entity e ON e.id = p.id"

int rf_snapshot__load_id_set(rf_snapshot **out, rf_store *st, const long long *ids, size_t n,
                            rf_version_list *versions, rf_error *err)
{
    sqlite3_stmt *ins = NULL;
    loader ld;
    int rc, in_txn = 0;

    *out = NULL;
    if (n && !ids) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no entity ids");
    /* Inside a caller's transaction (a run being recorded) that one is read through. */
    if ((rc = rf_store__read_begin(st, &in_txn, err)) != 0) return rc;
    if ((rc = rf_store__exec(st,
                            "CREATE TEMP TABLE IF NOT EXISTS rf_pick (id INTEGER PRIMARY KEY);"
                            "DELETE FROM temp.rf_pick",
                            err)) != 0 ||
        (rc = rf_store__prepare(&ins, st, "INSERT OR IGNORE INTO temp.rf_pick (id) VALUES (?1)",
                               err)) != 0)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(ins, 1, ids[i]);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            rc = rf_store__db_error(err, st, "picking entities");
            goto cleanup;
        }
        sqlite3_reset(ins);
    }
    if ((rc = loader_begin(&ld, st, versions, err)) == 0 &&
        (rc = loader_prepare(&ld, ENTITIES_SQL(PICKED, ""), NAMES_SQL(PICKED, ""),
                             ADDRESSES_SQL(PICKED, ""), err)) == 0)
        rc = loader_run(&ld, 0, err);
    rc = loader_end(out, &ld, rc);

cleanup:
    sqlite3_finalize(ins);
    sqlite3_exec(st->db, "DELETE FROM temp.rf_pick", NULL, NULL, NULL);
    rf_store__read_end(st, in_txn);
    return rc;
}

int rf_snapshot_load_ids(rf_snapshot **out, rf_store *st, const long long *ids, size_t n,
                         rf_error *err)
{
    return rf_snapshot__load_id_set(out, st, ids, n, NULL, err);
}

const rf_entity *rf_snapshot_find(const rf_snapshot *snap, long long entity_id)
{
    size_t lo = 0, hi = snap ? snap->count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rf_entity *e = &snap->entities[mid];
        if (e->id == entity_id) return e;
        if (e->id < entity_id) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}
