/* rf_test.h: small helpers shared by the cmocka tests: where the real data files are, and a
 * scratch directory per test program. */
#ifndef RF_TEST_H
#define RF_TEST_H

#include <stddef.h>

#include "importers/rf_importers.h"
#include "engine/rf_engine.h"

/* Path of a file under tests/data ($RF_TEST_DATA), e.g. rf_test_data("lists/dpl_2023-11.txt").
 * Returns a static buffer, overwritten by the next call. */
const char *rf_test_data(const char *relative);
/* A fresh empty directory for this test program (removed at exit). Same on every call. */
const char *rf_test_tmpdir(void);
/* Path of `name` inside rf_test_tmpdir(); static buffer, overwritten by the next call. */
const char *rf_test_tmpfile(const char *name);
/* The store at rf_test_tmpfile(name), opened (created when new), asserting that it opens. */
rf_store *rf_test_store(const char *name);
/* The bundled list imported into a new store rf_test_tmpfile(db) (effective on its
 * publication date), loaded and indexed: what the engine tests screen against. 0, or -1 with
 * the reason on stderr. */
int rf_test_bundled(rf_store **store, rf_snapshot **snap, rf_matcher **matcher, const char *db);
/* The November 2023 CSL as a file redflag imports, written once into rf_test_tmpdir(): the
 * file as published is cut in the middle of its last row, so it is taken up to that row.
 * Returns its path (consolidated_2023-11.csv), the same on every call. */
const char *rf_test_csl_2023(void);
/* Runs a shell command, capturing stdout into *out (malloc'd, NUL-terminated; may be NULL);
 * returns the command's exit status, or -1 if it could not be run. */
int rf_test_run(char **out, const char *command);
/* Writes `len` bytes to `path`; 0 on success. */
int rf_test_write_file(const char *path, const void *data, size_t len);
/* Reads a whole file (malloc'd, NUL-terminated); NULL on failure. */
char *rf_test_read_file(const char *path, size_t *len);
/* Creates the scratch database `path` with `$RF_BIN lists init --no-bundled` when it does not
 * exist yet, and returns `path`. redflag refuses a --db or REDFLAG_DB that does not exist
 * (only `lists init` and `lists import` create one); a test's scratch database stands for one
 * its user created, still empty, so the bundled list arrives on first use as before. */
const char *rf_test_scratch_db(const char *path);

#endif
