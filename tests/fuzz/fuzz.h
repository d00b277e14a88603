/* fuzz.h: what the libFuzzer harnesses (fuzz_*.c) share. Each harness defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (scripts/fuzz.sh, clang) or with
 * replay.c, which runs the corpus under tests/fuzz/<harness>/ as an ordinary ctest test.
 *
 * Beyond "no crash, no leak", the helpers check what a user relies on and abort() when it
 * does not hold, so the fuzzer reports it like a crash: a failed list import names the file
 * and leaves the store without a version; every party an order reader hands out has its
 * document, a line and UTF-8 text. */
#ifndef RF_FUZZ_H
#define RF_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "importers/rf_importers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Imports data[0..size) into a fresh in-memory store when its content is one of the
 * `n` formats (anything else is left alone, so each harness stays on its own parser). */
void fuzz_list_import(const uint8_t *data, size_t size, const rf_list_format *formats, size_t n);

/* Imports the list file paths[0] from disk, with the companions beside it (paths[1..n): the
 * only names an error may give). */
void fuzz_list_import_set(const char *const *paths, size_t n);

/* What an order harness accepts: 1 when data[0..size) is worth handing to the reader. */
typedef int (*fuzz_accept_fn)(const char *data, size_t size);

/* Writes data[0..size) to an in-memory file and reads it with rf_orders_read, checking each
 * party, when `accept` (may be NULL) accepts it. */
void fuzz_orders(const uint8_t *data, size_t size, fuzz_accept_fn accept);

/* 1 when `needle` occurs in data[0..size). */
int fuzz_contains(const char *data, size_t size, const char *needle);
/* data[0..size) without a UTF-8 byte-order mark and leading white space. */
const char *fuzz_skip_space(const char *data, size_t *size);

/* Stops the process with a message when `cond` is false: a broken invariant is a finding. */
#define FUZZ_CHECK(cond, ...) ((cond) ? (void)0 : fuzz_fail(#cond, __VA_ARGS__))
void fuzz_fail(const char *cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((noreturn, format(printf, 2, 3)))
#endif
    ;

#endif
