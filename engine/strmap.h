/* strmap.h: a string -> uint32 hash map with open addressing. Keys are copied into the map's
 * own arena; the map only grows (the engine builds it once and then reads it). */
#ifndef RF_STRMAP_H
#define RF_STRMAP_H

#include <stddef.h>
#include <stdint.h>

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

/* 64-bit hash of a byte string (also used for other tables of the engine). */
uint64_t rf_hash__bytes(const void *data, size_t len);

#endif
