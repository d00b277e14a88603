/* snapshot.c: loads the entities of the list versions in force into memory for the engine
 * (and, for diff.c, any picked set of entities, such as those a newer version removed).
 * Three queries per version (entities, names, addresses, each ordered by entity id) are
 * merged in one pass; every string lives in an arena of large blocks owned by the snapshot,
 * which is never written after loading and so can be read from any number of threads.
 *
 * The versions in force are also kept as a file beside the database (stored.c), written after
 * each load from the database that passed the names-digest check: reading 14,160 entities'
 * 21 columns and their names and addresses row by row is most of what screening one order
 * costs (issue 14), mapping the file a few milliseconds. Its key (XXH3-128) covers the file
 * format and every field of the versions' rows (id, feed, file and its sha256, dates, counts,
 * names digest): a version is immutable once imported, and its entities' ids and names are
 * in its names digest, so other lists, or the same file imported into another database at
 * another moment, have another key. The file is checked whole at load (size, checksum of
 * everything after the header, every count and offset against what it indexes, every string
 * ending inside the text): anything else, and it is unused, the lists read from the
 * database, and the file written again. A snapshot read from it points its strings into the
 * mapping, which it keeps until freed. */
#include "rf_lists.h"
#include "store_internal.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

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
    void *map; /* the stored file the strings point into, or NULL */
    size_t map_len;
    /* The checksum of the stored lists of the first `digested` entities (0: none), which
     * rf_snapshot_load sets: a digest of every field of them. */
    uint8_t digest[16];
    size_t digested;
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
    if (snap->map) munmap(snap->map, snap->map_len);
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
    int stored; /* the snapshot was read from the stored lists, not loaded */
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
        for (size_t i = 0; i < snap->count && !ld->stored; i++) {
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

/* ---- the stored lists ---------------------------------------------------------------------- */

/* Raise it with any change to the file. */
#define LISTS_FORMAT 2
#define LISTS_MAGIC "RFLISTS\n"
#define LISTS_SUFFIX ".rflists"
/* Stored lists kept beside the database: those in force and a few other dates'. */
#define KEEP_LISTS 4
#define NO_TEXT UINT32_MAX

typedef struct lists_header {
    char magic[8];
    uint32_t format, zero;
    uint64_t file_size;
    uint8_t key[16];
    uint8_t sum[16]; /* XXH3-128 of the file from the next field on */
    uint64_t entities, names, addresses, text_len;
} lists_header;

#define SUMMED_FROM (offsetof(lists_header, sum) + sizeof(((lists_header *)0)->sum))

/* The text fields of an entity, in the order a stored entity holds them. */
static const size_t TEXT_FIELDS[] = {
    offsetof(rf_entity, list_code),        offsetof(rf_entity, list_name),
    offsetof(rf_entity, source_id),        offsetof(rf_entity, programs),
    offsetof(rf_entity, federal_register), offsetof(rf_entity, start_date),
    offsetof(rf_entity, end_date),         offsetof(rf_entity, license_requirement),
    offsetof(rf_entity, license_policy),   offsetof(rf_entity, remarks),
    offsetof(rf_entity, title),            offsetof(rf_entity, source_url),
    offsetof(rf_entity, nationalities),    offsetof(rf_entity, dates_of_birth),
    offsetof(rf_entity, ids),              offsetof(rf_entity, parent_name),
    offsetof(rf_entity, content_hash)};
#define N_TEXT_FIELDS (sizeof TEXT_FIELDS / sizeof *TEXT_FIELDS)

/* The field at `off` of entity `e`. */
#define FIELD(e, off) (*(const char **)(void *)((char *)(e) + (off)))

typedef struct stored_entity {
    int64_t id, version_id, source_line;
    uint32_t type, n_names, n_addresses;
    uint32_t text[N_TEXT_FIELDS]; /* offsets into the text, NO_TEXT for NULL */
} stored_entity;

typedef struct stored_name {
    uint32_t text, kind;
} stored_name;

typedef struct stored_address {
    uint32_t text, city, country;
} stored_address;

/* The key of the stored lists of `versions` into key[16]. */
static int lists_key(uint8_t key[16], const rf_version_list *versions)
{
    const uint64_t layout[] = {LISTS_FORMAT, 0x0102030405060708ULL, sizeof(lists_header),
                               sizeof(stored_entity), sizeof(stored_name), sizeof(stored_address)};
    rf_buf b = {0};
    XXH128_canonical_t out;
    int rc = rf_buf_append(&b, layout, sizeof layout);

    for (size_t i = 0; rc == RF_OK && i < versions->count; i++) {
        const rf_version *v = &versions->items[i];
        const long long counts[] = {v->id, v->entities, v->names, v->warnings};
        const char *texts[] = {v->feed,      v->format,      v->source_file, v->sha256,
                               v->published, v->imported_at, v->names_digest};
        rc = rf_buf_append(&b, counts, sizeof counts);
        /* NULL and "" apart: a marker byte no UTF-8 text has. */
        for (size_t t = 0; rc == RF_OK && t < sizeof texts / sizeof *texts; t++)
            rc = texts[t] ? rf_buf_append(&b, texts[t], strlen(texts[t]) + 1) : rf_buf_putc(&b, '\xff');
    }
    if (rc == RF_OK) {
        XXH128_canonicalFromHash(&out, XXH3_128bits(b.data, b.len));
        memcpy(key, out.digest, 16);
    }
    rf_buf_free(&b);
    return rc;
}

/* The name of the stored lists of `key`, into name. */
static void lists_name(char name[64], const uint8_t key[16])
{
    for (int i = 0; i < 16; i++) snprintf(name + 2 * i, 3, "%02x", key[i]);
    snprintf(name + 32, 64 - 32, "%s", LISTS_SUFFIX);
}

/* The offset of `s` (NULL: NO_TEXT) once appended to `text`; NO_TEXT and *full set when the
 * text would outgrow the offsets. */
static uint32_t put_text(rf_buf *text, const char *s, int *full)
{
    size_t at = text->len, len = s ? strlen(s) + 1 : 0;
    if (!s) return NO_TEXT;
    if (len >= NO_TEXT - at || rf_buf_append(text, s, len) != RF_OK) {
        *full = 1;
        return NO_TEXT;
    }
    return (uint32_t)at;
}

/* The entities of `snap` as the stored lists of `key`, into `out`; sets snap->digest. */
static int lists_serialize(rf_buf *out, rf_snapshot *snap, const uint8_t key[16])
{
    lists_header h;
    rf_buf text = {0};
    int full = 0, rc;

    memset(&h, 0, sizeof h);
    memcpy(h.magic, LISTS_MAGIC, sizeof h.magic);
    h.format = LISTS_FORMAT;
    memcpy(h.key, key, 16);
    h.entities = snap->count;
    h.names = snap->n_names;
    h.addresses = snap->n_addresses;
    rc = rf_buf_append(out, &h, sizeof h);
    for (size_t i = 0; rc == RF_OK && i < snap->count; i++) {
        const rf_entity *e = &snap->entities[i];
        stored_entity se;
        memset(&se, 0, sizeof se);
        se.id = e->id;
        se.version_id = e->version_id;
        se.source_line = e->source_line;
        se.type = (uint32_t)e->type;
        se.n_names = (uint32_t)e->n_names;
        se.n_addresses = (uint32_t)e->n_addresses;
        for (size_t f = 0; f < N_TEXT_FIELDS; f++) se.text[f] = put_text(&text, FIELD(e, TEXT_FIELDS[f]), &full);
        rc = rf_buf_append(out, &se, sizeof se);
    }
    for (size_t i = 0; rc == RF_OK && i < snap->n_names; i++) {
        stored_name sn = {put_text(&text, snap->names[i].text, &full), (uint32_t)snap->names[i].kind};
        rc = rf_buf_append(out, &sn, sizeof sn);
    }
    for (size_t i = 0; rc == RF_OK && i < snap->n_addresses; i++) {
        const rf_address *a = &snap->addresses[i];
        stored_address sa = {put_text(&text, a->text, &full), put_text(&text, a->city, &full),
                             put_text(&text, a->country, &full)};
        rc = rf_buf_append(out, &sa, sizeof sa);
    }
    if (rc == RF_OK && !full) rc = rf_buf_putc(&text, '\0'); /* the text ends with a NUL */
    if (rc == RF_OK && !full) rc = rf_buf_append(out, text.data, text.len);
    if (rc == RF_OK && !full) {
        lists_header *oh = (lists_header *)(void *)out->data;
        oh->text_len = text.len;
        oh->file_size = out->len;
        rf_store_checksum(oh->sum, out->data + SUMMED_FROM, out->len - SUMMED_FROM);
        memcpy(snap->digest, oh->sum, 16);
        snap->digested = snap->count;
    }
    rf_buf_free(&text);
    return full ? RF_ELIMIT : rc;
}

/* The string at offset `off` of the stored text[0..len) (ending with a NUL), NULL for
 * NO_TEXT; *bad set when it lies outside. */
static const char *text_at(const char *text, uint64_t len, uint32_t off, int *bad)
{
    if (off == NO_TEXT) return NULL;
    if (off >= len) {
        *bad = 1;
        return NULL;
    }
    return text + off;
}

/* Points the empty snapshot `snap` (versions set) into the mapped file `map` of `size` bytes
 * with key `key`. RF_EFORMAT when it is not whole, its checksum aside (lists_load); the
 * snapshot's arrays may then hold part. */
static int lists_attach(rf_snapshot *snap, const void *map, size_t size, const uint8_t key[16])
{
    const lists_header *h = map;
    const stored_entity *se;
    const stored_name *sn;
    const stored_address *sa;
    const char *text;
    uint64_t names = 0, addresses = 0, at = sizeof *h;
    int bad = 0;

    if (size < sizeof *h || memcmp(h->magic, LISTS_MAGIC, sizeof h->magic) != 0 ||
        h->format != LISTS_FORMAT || h->file_size != size || memcmp(h->key, key, 16) != 0)
        return RF_EFORMAT;
    /* The arrays one after the other, then the text: each count bounded by the file's size. */
    if (h->entities > size / sizeof *se || h->names > size / sizeof *sn || h->addresses > size / sizeof *sa)
        return RF_EFORMAT;
    se = (const stored_entity *)(const void *)((const char *)map + at);
    at += h->entities * sizeof *se;
    sn = (const stored_name *)(const void *)((const char *)map + at);
    at += h->names * sizeof *sn;
    sa = (const stored_address *)(const void *)((const char *)map + at);
    at += h->addresses * sizeof *sa;
    if (at > size || h->text_len != size - at || h->text_len == 0) return RF_EFORMAT;
    text = (const char *)map + at;
    if (text[h->text_len - 1] != '\0') return RF_EFORMAT;

    snap->entities = calloc(h->entities ? (size_t)h->entities : 1, sizeof *snap->entities);
    snap->names = calloc(h->names ? (size_t)h->names : 1, sizeof *snap->names);
    snap->addresses = calloc(h->addresses ? (size_t)h->addresses : 1, sizeof *snap->addresses);
    if (!snap->entities || !snap->names || !snap->addresses) return RF_ENOMEM;
    snap->cap = (size_t)h->entities;
    snap->names_cap = (size_t)h->names;
    snap->addresses_cap = (size_t)h->addresses;
    for (size_t i = 0; i < h->names; i++) {
        snap->names[i].text = text_at(text, h->text_len, sn[i].text, &bad);
        snap->names[i].kind = (rf_name_kind)sn[i].kind;
        if (!snap->names[i].text || sn[i].kind > RF_NAME_NATIVE) bad = 1;
    }
    for (size_t i = 0; i < h->addresses; i++) {
        snap->addresses[i].text = text_at(text, h->text_len, sa[i].text, &bad);
        snap->addresses[i].city = text_at(text, h->text_len, sa[i].city, &bad);
        snap->addresses[i].country = text_at(text, h->text_len, sa[i].country, &bad);
    }
    for (size_t i = 0; i < h->entities && !bad; i++) {
        rf_entity *e = &snap->entities[i];
        e->id = se[i].id;
        e->version_id = se[i].version_id;
        e->source_line = (long)se[i].source_line;
        e->type = (rf_entity_type)se[i].type;
        e->n_names = se[i].n_names;
        e->n_addresses = se[i].n_addresses;
        if (se[i].type > RF_ENTITY_AIRCRAFT || e->n_names > h->names - names ||
            e->n_addresses > h->addresses - addresses)
            bad = 1;
        else {
            e->names = e->n_names ? snap->names + names : NULL;
            e->addresses = e->n_addresses ? snap->addresses + addresses : NULL;
            names += e->n_names;
            addresses += e->n_addresses;
        }
        for (size_t f = 0; f < N_TEXT_FIELDS; f++)
            FIELD(e, TEXT_FIELDS[f]) = text_at(text, h->text_len, se[i].text[f], &bad);
    }
    if (bad || names != h->names || addresses != h->addresses) return RF_EFORMAT;
    snap->count = (size_t)h->entities;
    snap->n_names = (size_t)h->names;
    snap->n_addresses = (size_t)h->addresses;
    memcpy(snap->digest, h->sum, 16);
    snap->digested = snap->count;
    return RF_OK;
}

/* The stored lists of `key` beside the database of `st` into the empty snapshot `snap`;
 * RF_ENOTFOUND when there are none, RF_EFORMAT when they are not whole (`snap` left empty
 * either way). */
static int lists_load(rf_snapshot *snap, const rf_store *st, const uint8_t key[16])
{
    char name[64];
    rf_store_sum *sum;
    rf_store_file_id id;
    int rc;

    lists_name(name, key);
    if ((rc = rf_store_file_map(&snap->map, &snap->map_len, &id, st, name, sizeof(lists_header))) != RF_OK)
        return rc;
    /* Checksummed on a second thread while the arrays are checked and pointed into (not again
     * once a reader found it right: stored.c). */
    sum = rf_store_sum_start((const char *)snap->map + SUMMED_FROM, snap->map_len - SUMMED_FROM, &id);
    rc = lists_attach(snap, snap->map, snap->map_len, key);
    if (!rf_store_sum_matches(sum, ((const lists_header *)snap->map)->sum) && rc == RF_OK) rc = RF_EFORMAT;
    if (rc == RF_OK) return RF_OK;
    free(snap->entities);
    free(snap->names);
    free(snap->addresses);
    munmap(snap->map, snap->map_len);
    snap->entities = NULL;
    snap->names = NULL;
    snap->addresses = NULL;
    snap->map = NULL;
    snap->count = snap->cap = snap->n_names = snap->names_cap = snap->n_addresses = snap->addresses_cap = 0;
    return rc;
}

int rf_snapshot_load(rf_snapshot **out, rf_store *st, const char *as_of, rf_error *err)
{
    const rf_version_list *versions;
    loader ld;
    uint8_t key[16];
    int rc, in_txn = 0, keyed = 0;

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
    keyed = lists_key(key, versions) == RF_OK;
    if (keyed && lists_load(ld.snap, st, key) == RF_OK) {
        ld.stored = 1;
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
    if ((rc = loader_end(out, &ld, rc)) == 0 && keyed && !ld.stored) {
        /* Serialized for its digest even when it cannot be written; failing, it has none. */
        rf_buf bytes = {0};
        char name[64];
        lists_name(name, key);
        if (lists_serialize(&bytes, *out, key) == RF_OK && !rf_store_readonly(st))
            rf_store_file_put(st, name, LISTS_SUFFIX, KEEP_LISTS, bytes.data, bytes.len);
        rf_buf_free(&bytes);
    }
    return rc;
}

int rf_snapshot_digest(uint8_t digest[16], size_t *count, const rf_snapshot *snap)
{
    *count = snap ? snap->digested : 0;
    if (!*count) return 0;
    memcpy(digest, snap->digest, 16);
    return 1;
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
