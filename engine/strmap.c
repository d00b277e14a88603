/* strmap.c: the string -> uint32 hash map of strmap.h. Linear probing over a power-of-two
 * table of (key offset, key length, value) slots; keys live in one growing arena, so a
 * map of a million keys is three allocations. A parallel array holds one byte of each slot's
 * hash (0: empty), so that a look-up that misses, the common case when typos are searched,
 * reads a few bytes of a small array instead of the large slots. A saved map (rf_strmap__save)
 * is the same table, slots, tags and keys one after the other, so that a view reads it where
 * it is mapped. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/rf_base.h"

/* No hash in the slot: the tag settles all but one probe in 128 before the key is compared,
 * and a hash is computed again only when the table grows or is saved. Half the size, which
 * matters most in a stored index (the deletion map is most of it). */
typedef struct slot {
    uint32_t key_off;
    uint32_t key_len;
    uint32_t value;
} slot;

struct rf_strmap {
    slot *slots;
    uint8_t *tags; /* per slot: 0 empty, else tag_of(hash) */
    size_t mask;
    size_t count;
    char *keys;
    size_t keys_len;
    size_t keys_cap;
    uint32_t value_limit; /* values at or above it read as missing (a view's damage) */
    int view;             /* the tables are a saved block's, not the map's own */
};

/* A saved block's header, before the slots, tags and keys. */
typedef struct saved_header {
    uint64_t size; /* slots, a power of two */
    uint64_t count;
    uint64_t keys_len;
} saved_header;

uint64_t rf_hash__bytes(const void *data, size_t len)
{
    /* FNV-1a with a final avalanche (splitmix64): short keys, good spread, no dependency. */
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

static uint8_t tag_of(uint64_t h)
{
    return (uint8_t)((h >> 56) | 1);
}

int rf_strmap__new(rf_strmap **out, size_t expected)
{
    rf_strmap *m;
    size_t size = 64;

    *out = NULL;
    while (size < expected * 2) size <<= 1;
    m = calloc(1, sizeof *m);
    if (!m) return RF_ENOMEM;
    m->slots = calloc(size, sizeof *m->slots);
    m->tags = calloc(size, 1);
    if (!m->slots || !m->tags) {
        free(m->slots);
        free(m->tags);
        free(m);
        return RF_ENOMEM;
    }
    m->mask = size - 1;
    m->value_limit = RF_STRMAP_MISSING;
    *out = m;
    return RF_OK;
}

void rf_strmap__free(rf_strmap *m)
{
    if (!m) return;
    if (m->view) {
        free(m);
        return;
    }
    free(m->slots);
    free(m->tags);
    free(m->keys);
    free(m);
}

/* The slot of the key, or the empty slot where it would go; NULL when a view's table, damaged,
 * has no empty slot. A key that would lie outside the keys never matches. */
static slot *find(const rf_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t i = (size_t)h & m->mask;
    uint8_t tag = tag_of(h);
    for (size_t probes = 0; probes <= m->mask; probes++) {
        uint8_t t = m->tags[i];
        if (t == 0) return &m->slots[i];
        if (t == tag) {
            slot *s = &m->slots[i];
            if (s->key_len == len && s->key_off <= m->keys_len &&
                len <= m->keys_len - s->key_off && memcmp(m->keys + s->key_off, key, len) == 0)
                return s;
        }
        i = (i + 1) & m->mask;
    }
    return NULL;
}

uint32_t rf_strmap__get(const rf_strmap *m, const char *key, size_t len)
{
    const slot *s = find(m, key, len, rf_hash__bytes(key, len));
    return s && m->tags[s - m->slots] && s->value < m->value_limit ? s->value : RF_STRMAP_MISSING;
}

static int grow(rf_strmap *m)
{
    size_t size = (m->mask + 1) * 2;
    slot *old = m->slots;
    uint8_t *old_tags = m->tags;
    size_t old_size = m->mask + 1;

    m->slots = calloc(size, sizeof *m->slots);
    m->tags = calloc(size, 1);
    if (!m->slots || !m->tags) {
        free(m->slots);
        free(m->tags);
        m->slots = old;
        m->tags = old_tags;
        return RF_ENOMEM;
    }
    m->mask = size - 1;
    for (size_t i = 0; i < old_size; i++) {
        if (old_tags[i]) {
            size_t j = (size_t)rf_hash__bytes(m->keys + old[i].key_off, old[i].key_len) & m->mask;
            while (m->tags[j]) j = (j + 1) & m->mask;
            m->slots[j] = old[i];
            m->tags[j] = old_tags[i];
        }
    }
    free(old);
    free(old_tags);
    return RF_OK;
}

int rf_strmap__put(rf_strmap *m, const char *key, size_t len, uint32_t value, uint32_t *existing)
{
    uint64_t h = rf_hash__bytes(key, len);
    slot *s = find(m, key, len, h); /* never NULL: a map that grows keeps half its slots empty */

    if (m->tags[s - m->slots]) {
        if (existing) *existing = s->value;
        return RF_OK;
    }
    if (len > UINT32_MAX || m->keys_len + len > UINT32_MAX) return RF_ELIMIT;
    if (m->keys_len + len > m->keys_cap) {
        size_t cap = m->keys_cap ? m->keys_cap * 2 : 4096;
        char *grown;
        while (cap < m->keys_len + len) cap *= 2;
        grown = realloc(m->keys, cap);
        if (!grown) return RF_ENOMEM;
        m->keys = grown;
        m->keys_cap = cap;
    }
    if (len) memcpy(m->keys + m->keys_len, key, len);
    m->tags[s - m->slots] = tag_of(h);
    s->key_off = (uint32_t)m->keys_len;
    s->key_len = (uint32_t)len;
    s->value = value;
    m->keys_len += len;
    m->count++;
    if (existing) *existing = value;
    if (m->count * 2 > m->mask + 1) return grow(m);
    return RF_OK;
}

void rf_strmap__set(rf_strmap *m, const char *key, size_t len, uint32_t value)
{
    slot *s = find(m, key, len, rf_hash__bytes(key, len));
    if (s && m->tags[s - m->slots]) s->value = value;
}

int rf_strmap__each(const rf_strmap *m, int (*fn)(const char *key, size_t len, uint32_t value, void *ctx),
                    void *ctx)
{
    int rc = 0;
    for (size_t i = 0; i <= m->mask && rc == 0; i++) {
        const slot *s = &m->slots[i];
        /* a view's slot out of its keys or values is damage: skipped, as a look-up skips it */
        if (!m->tags[i] || s->key_off > m->keys_len || s->key_len > m->keys_len - s->key_off ||
            s->value >= m->value_limit)
            continue;
        rc = fn(m->keys + s->key_off, s->key_len, s->value, ctx);
    }
    return rc;
}

size_t rf_strmap__count(const rf_strmap *m)
{
    return m->count;
}

size_t rf_strmap__memory(const rf_strmap *m)
{
    return (m->mask + 1) * (sizeof(slot) + 1) + m->keys_cap;
}

int rf_strmap__save(const rf_strmap *m, rf_buf *out)
{
    saved_header h = {64, m->count, m->keys_len};
    size_t at, slots_at, tags_at;
    slot *slots;
    uint8_t *tags;
    int rc;

    /* Two thirds full at most: a saved map never grows, and its table is most of the file. */
    while (h.size < m->count + m->count / 2 + 1) h.size <<= 1;
    while (out->len % 8) if ((rc = rf_buf_putc(out, '\0')) != RF_OK) return rc;
    at = out->len;
    slots_at = at + sizeof h;
    tags_at = slots_at + h.size * sizeof(slot);
    if ((rc = rf_buf_append(out, &h, sizeof h)) != RF_OK) return rc;
    /* The new table, zeroed (padding too: the file's bytes are the same on every build). */
    for (size_t i = 0; i < h.size * (sizeof(slot) + 1) && rc == RF_OK; i += 4096) {
        static const char zeros[4096];
        size_t n = h.size * (sizeof(slot) + 1) - i;
        rc = rf_buf_append(out, zeros, n < sizeof zeros ? n : sizeof zeros);
    }
    if (rc == RF_OK && m->keys_len) rc = rf_buf_append(out, m->keys, m->keys_len);
    if (rc != RF_OK) return rc;
    slots = (slot *)(void *)(out->data + slots_at);
    tags = (uint8_t *)out->data + tags_at;
    for (size_t i = 0; i <= m->mask; i++) {
        size_t j;
        /* (a view's slot outside its keys, which no look-up finds, is left out) */
        if (!m->tags[i] || m->slots[i].key_off > m->keys_len ||
            m->slots[i].key_len > m->keys_len - m->slots[i].key_off)
            continue;
        j = (size_t)rf_hash__bytes(m->keys + m->slots[i].key_off, m->slots[i].key_len) & (h.size - 1);
        while (tags[j]) j = (j + 1) & (h.size - 1);
        slots[j] = m->slots[i];
        tags[j] = m->tags[i];
    }
    return RF_OK;
}

int rf_strmap__view(rf_strmap **out, const void *data, size_t len, uint32_t value_limit)
{
    saved_header h;
    rf_strmap *m;

    *out = NULL;
    if (len < sizeof h || (uintptr_t)data % 8) return RF_EFORMAT;
    memcpy(&h, data, sizeof h);
    if (h.size < 64 || (h.size & (h.size - 1)) || h.count >= h.size ||
        h.size > (len - sizeof h) / (sizeof(slot) + 1) ||
        h.keys_len != len - sizeof h - h.size * (sizeof(slot) + 1))
        return RF_EFORMAT;
    if (!(m = calloc(1, sizeof *m))) return RF_ENOMEM;
    /* Read only: the block is mapped without write permission, and a view is never written. */
    m->slots = (slot *)(uintptr_t)((const char *)data + sizeof h);
    m->tags = (uint8_t *)(uintptr_t)((const char *)data + sizeof h + h.size * sizeof(slot));
    m->keys = (char *)(uintptr_t)((const char *)data + sizeof h + h.size * (sizeof(slot) + 1));
    m->mask = (size_t)h.size - 1;
    m->count = (size_t)h.count;
    m->keys_len = (size_t)h.keys_len;
    m->value_limit = value_limit;
    m->view = 1;
    *out = m;
    return RF_OK;
}
