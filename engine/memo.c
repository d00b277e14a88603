/* memo.c: a memory of answers worked out while screening, each kept under the bytes of its
 * question for the matcher it was asked of. Two memos use it: a thread's typo look-ups of
 * words (index.c: of the 265,100 words of the bundled 73,402 company names, 49,262 are
 * distinct), and the parties screened with a matcher and their hits (screen.c: a nightly
 * batch names the same counterparties on many orders), shared by the matcher's threads under
 * a mutex held for a look-up and a copy (a read-write lock that prefers readers could keep a
 * thread with a party to add waiting while the others read). When a memo's limits fill, it
 * starts again empty. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"

/* The table's first size, in slots; it holds twice as many slots as entries. */
#define MEMO_FIRST_SLOTS 1024

typedef struct memo_entry {
    uint64_t hash;
    uint32_t off;       /* of the key in `bytes`; its value follows it */
    uint32_t key_len;
    uint32_t value_len;
} memo_entry;

struct rf_memo {
    uint64_t serial;    /* the matcher whose answers these are */
    int shared;         /* by threads, under `lock`; its serial is then the one it was made for */
    pthread_mutex_t lock;
    size_t max_entries, max_bytes;
    uint32_t *slot;     /* entry index + 1, 0 for empty; n_slots a power of two */
    size_t n_slots;
    memo_entry *entries;
    size_t n_entries, cap_entries;
    char *bytes;        /* keys and values, back to back */
    size_t n_bytes, cap_bytes;
};

rf_memo *rf_memo__new(uint64_t serial, size_t max_entries, size_t max_bytes, int shared)
{
    rf_memo *memo = calloc(1, sizeof *memo);
    if (!memo) return NULL;
    if (shared && pthread_mutex_init(&memo->lock, NULL) != 0) {
        free(memo);
        return NULL;
    }
    memo->serial = serial;
    memo->shared = shared;
    memo->max_entries = max_entries;
    memo->max_bytes = max_bytes < UINT32_MAX ? max_bytes : UINT32_MAX;
    return memo;
}

void rf_memo__free(rf_memo *memo)
{
    if (!memo) return;
    if (memo->shared) pthread_mutex_destroy(&memo->lock);
    free(memo->slot);
    free(memo->entries);
    free(memo->bytes);
    free(memo);
}

/* Forgets every answer. */
static void forget(rf_memo *memo, uint64_t serial)
{
    memo->serial = serial;
    if (memo->n_slots) memset(memo->slot, 0, memo->n_slots * sizeof *memo->slot);
    memo->n_entries = memo->n_bytes = 0;
}

/* Doubles the table, placing every entry again. 0 when out of memory. */
static int grow_table(rf_memo *memo)
{
    size_t n = memo->n_slots ? 2 * memo->n_slots : MEMO_FIRST_SLOTS;
    uint32_t *slot = calloc(n, sizeof *slot);
    if (!slot) return 0;
    for (size_t e = 0; e < memo->n_entries; e++) {
        size_t i = memo->entries[e].hash & (n - 1);
        while (slot[i]) i = (i + 1) & (n - 1);
        slot[i] = (uint32_t)e + 1;
    }
    free(memo->slot);
    memo->slot = slot;
    memo->n_slots = n;
    return 1;
}

int rf_memo__get(rf_memo *memo, uint64_t serial, uint64_t hash, const void *key, size_t key_len, rf_buf *value)
{
    int found = 0;
    if (memo->serial != serial) {
        if (memo->shared) return 0;
        forget(memo, serial);
    }
    if (memo->shared) pthread_mutex_lock(&memo->lock);
    for (size_t i = memo->n_slots ? hash & (memo->n_slots - 1) : 0; memo->n_slots && memo->slot[i];
         i = (i + 1) & (memo->n_slots - 1)) {
        const memo_entry *e = &memo->entries[memo->slot[i] - 1];
        if (e->hash != hash || e->key_len != key_len || memcmp(memo->bytes + e->off, key, key_len) != 0)
            continue;
        rf_buf_reset(value);
        found = rf_buf_append(value, memo->bytes + e->off + key_len, e->value_len) == RF_OK;
        break;
    }
    if (memo->shared) pthread_mutex_unlock(&memo->lock);
    return found;
}

/* rf_memo__keep with the memo to itself. */
static void keep(rf_memo *memo, uint64_t hash, const void *key, size_t key_len, const void *value,
                 size_t value_len)
{
    size_t need = key_len + value_len;
    memo_entry *e;
    size_t i;
    if (need > memo->max_bytes) return;
    if (memo->n_entries == memo->max_entries || memo->n_bytes + need > memo->max_bytes)
        forget(memo, memo->serial);
    if (2 * (memo->n_entries + 1) > memo->n_slots && !grow_table(memo)) return;
    if (rf_engine__reserve((void **)&memo->entries, &memo->cap_entries, memo->n_entries + 1, sizeof *memo->entries) ||
        rf_engine__reserve((void **)&memo->bytes, &memo->cap_bytes, memo->n_bytes + need, 1))
        return;
    e = &memo->entries[memo->n_entries];
    *e = (memo_entry){.hash = hash, .off = (uint32_t)memo->n_bytes, .key_len = (uint32_t)key_len,
                      .value_len = (uint32_t)value_len};
    if (key_len) memcpy(memo->bytes + memo->n_bytes, key, key_len);
    if (value_len) memcpy(memo->bytes + memo->n_bytes + key_len, value, value_len);
    memo->n_bytes += need;
    for (i = hash & (memo->n_slots - 1); memo->slot[i]; i = (i + 1) & (memo->n_slots - 1)) {}
    memo->slot[i] = (uint32_t)++memo->n_entries;
}

void rf_memo__keep(rf_memo *memo, uint64_t hash, const void *key, size_t key_len, const void *value,
                   size_t value_len)
{
    if (memo->shared) pthread_mutex_lock(&memo->lock);
    keep(memo, hash, key, key_len, value, value_len);
    if (memo->shared) pthread_mutex_unlock(&memo->lock);
}

uint64_t rf_matcher__next_serial(void)
{
    static atomic_uint_fast64_t serial;
    return (uint64_t)atomic_fetch_add(&serial, 1) + 1;
}
