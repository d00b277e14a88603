/* typo_memo.c: a screening thread's memory of the typo look-ups it has made. The listed words
 * a party's word is a typo away from (rf_index__typos: some hundred hash look-ups of its
 * deletions) depend only on the word and the index, and the words of real orders repeat
 * ("Shenzhen", "Elektronik", a family name): of the 265,100 words of the bundled 73,402
 * company names, 49,262 are distinct. So each answer is kept, per scratch (one thread), for
 * the matcher it was asked of, until the memory fills; then it starts again empty. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"

/* At most this many words remembered (the table holds twice as many slots), and the bytes of
 * their text and ids: about 5 MB a thread at the most, grown as needed (powers of two, so that
 * rf_engine__reserve's doubling stops at each limit). */
#define MEMO_MAX_WORDS 65536
#define MEMO_MAX_TEXT (1u << 20)
#define MEMO_MAX_IDS (1u << 19)
#define MEMO_FIRST_SLOTS 1024

typedef struct memo_entry {
    uint64_t hash;
    uint32_t text_off;
    uint32_t ids_off;
    uint16_t len;
    uint16_t n_ids;
} memo_entry;

struct rf_typo_memo {
    uint64_t serial;   /* the matcher whose answers these are */
    uint32_t *slot;    /* entry index + 1, 0 for empty; n_slots a power of two */
    size_t n_slots;
    memo_entry *entries;
    size_t n_entries, cap_entries;
    char *text;
    size_t n_text, cap_text;
    uint32_t *ids;
    size_t n_ids, cap_ids;
};

uint64_t rf_matcher__next_serial(void)
{
    static atomic_uint_fast64_t serial;
    return (uint64_t)atomic_fetch_add(&serial, 1) + 1;
}

void rf_typo_memo__free(rf_typo_memo *memo)
{
    if (!memo) return;
    free(memo->slot);
    free(memo->entries);
    free(memo->text);
    free(memo->ids);
    free(memo);
}

/* Forgets every answer. */
static void forget(rf_typo_memo *memo, uint64_t serial)
{
    memo->serial = serial;
    if (memo->n_slots) memset(memo->slot, 0, memo->n_slots * sizeof *memo->slot);
    memo->n_entries = memo->n_text = memo->n_ids = 0;
}

/* Doubles the table, placing every entry again. 0 when out of memory. */
static int grow_table(rf_typo_memo *memo)
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

/* Keeps the answer out[0 .. n) for word, whose hash is h. Forgets everything first when the
 * memory is full; keeps nothing when out of memory (the answer is still right, only not kept). */
static void remember(rf_typo_memo *memo, uint64_t h, const char *word, size_t len, const uint32_t *out, size_t n)
{
    memo_entry *e;
    size_t i;
    if (memo->n_entries == MEMO_MAX_WORDS || memo->n_text + len > MEMO_MAX_TEXT || memo->n_ids + n > MEMO_MAX_IDS)
        forget(memo, memo->serial);
    if (2 * (memo->n_entries + 1) > memo->n_slots && !grow_table(memo)) return;
    if (rf_engine__reserve((void **)&memo->entries, &memo->cap_entries, memo->n_entries + 1, sizeof *memo->entries) ||
        rf_engine__reserve((void **)&memo->text, &memo->cap_text, memo->n_text + len, 1) ||
        rf_engine__reserve((void **)&memo->ids, &memo->cap_ids, memo->n_ids + n, sizeof *memo->ids))
        return;
    e = &memo->entries[memo->n_entries];
    *e = (memo_entry){.hash = h, .text_off = (uint32_t)memo->n_text, .ids_off = (uint32_t)memo->n_ids,
                      .len = (uint16_t)len, .n_ids = (uint16_t)n};
    if (len) memcpy(memo->text + memo->n_text, word, len);
    if (n) memcpy(memo->ids + memo->n_ids, out, n * sizeof *out);
    memo->n_text += len;
    memo->n_ids += n;
    for (i = h & (memo->n_slots - 1); memo->slot[i]; i = (i + 1) & (memo->n_slots - 1)) {}
    memo->slot[i] = (uint32_t)++memo->n_entries;
}

size_t rf_typo_memo__typos(rf_typo_memo **memop, const rf_matcher *m, const char *word, size_t len,
                           uint32_t out[RF_MAX_TYPO_MATCHES])
{
    const size_t max = RF_MAX_TYPO_MATCHES;
    rf_typo_memo *memo = *memop;
    uint64_t h;
    size_t n;
    if (len > RF_MAX_TOKEN_LEN) return 0;
    if (!memo && (memo = *memop = calloc(1, sizeof *memo)) == NULL) return rf_index__typos(m, word, len, out, max);
    if (memo->serial != m->serial) forget(memo, m->serial);
    h = rf_hash__bytes(word, len);
    for (size_t i = memo->n_slots ? h & (memo->n_slots - 1) : 0; memo->n_slots && memo->slot[i];
         i = (i + 1) & (memo->n_slots - 1)) {
        const memo_entry *e = &memo->entries[memo->slot[i] - 1];
        if (e->hash != h || e->len != len || memcmp(memo->text + e->text_off, word, len) != 0) continue;
        if (e->n_ids) memcpy(out, memo->ids + e->ids_off, e->n_ids * sizeof *out);
        return e->n_ids;
    }
    n = rf_index__typos(m, word, len, out, max);
    remember(memo, h, word, len, out, n);
    return n;
}
