/* strmap.h: a string -> uint32 hash map with open addressing. Keys are copied into the map's
 * own arena; the map only grows (the engine builds it once and then reads it). A map can also
 * be saved as one block of bytes and read in place from a mapped file (a view). */
#ifndef RF_STRMAP_H
#define RF_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/rf_base.h"

typedef struct rf_strmap rf_strmap;

#define RF_STRMAP_MISSING UINT32_MAX

int rf_strmap__new(rf_strmap **out, size_t expected);
void rf_strmap__free(rf_strmap *m); /* NULL is a no-op */
/* The value stored under key[0..len), or RF_STRMAP_MISSING. */
uint32_t rf_strmap__get(const rf_strmap *m, const char *key, size_t len);
/* Stores `value` under the key unless the key is present; *existing (if not NULL) receives the
 * value now stored (the old one when present). Returns 0 or RF_ENOMEM. */
int rf_strmap__put(rf_strmap *m, const char *key, size_t len, uint32_t value, uint32_t *existing);
/* Replaces the value of a key that is present; no-op otherwise. */
void rf_strmap__set(rf_strmap *m, const char *key, size_t len, uint32_t value);
size_t rf_strmap__count(const rf_strmap *m);
/* Calls fn with each key and its value, in no particular order, until it returns non-zero,
 * which is returned. */
int rf_strmap__each(const rf_strmap *m, int (*fn)(const char *key, size_t len, uint32_t value, void *ctx),
                    void *ctx);
/* Bytes held by the map (table and keys), for memory figures. */
size_t rf_strmap__memory(const rf_strmap *m);

/* Appends the map to `out` as one block (its offset in `out` a multiple of 8), its table sized
 * for the keys it holds rather than for growing. Returns 0, RF_ENOMEM or RF_ELIMIT. */
int rf_strmap__save(const rf_strmap *m, rf_buf *out);
/* A read-only map over a block rf_strmap__save wrote, `data` (8-aligned, `len` bytes, owned by
 * the caller and outliving the view), not copied. The block's sizes are checked here; the
 * slots, which may be damaged, only as they are read: a key outside the block never matches, a
 * value `value_limit` or more reads as missing, and a look-up probes at most the whole table.
 * Only rf_strmap__get, __count and __free may be called on a view. RF_EFORMAT when the block
 * cannot be one. */
int rf_strmap__view(rf_strmap **out, const void *data, size_t len, uint32_t value_limit);

/* 64-bit hash of a byte string (also used for other tables of the engine). */
uint64_t rf_hash__bytes(const void *data, size_t len);

#endif
