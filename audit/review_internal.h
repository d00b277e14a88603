/* review_internal.h: what decisions.c, runs.c and counterparties.c share: reading rows whose
 * strings end up in one block owned by the list that hands them out. Private to lists/. */
#ifndef RF_REVIEW_INTERNAL_H
#define RF_REVIEW_INTERNAL_H

#include "lists/store_internal.h"
#include "rf_audit.h"

/* Collects the text columns of rows into one buffer by offset (the buffer moves while it
 * grows), to be turned into pointers once the last row is read. */
typedef struct rf_strings {
    rf_buf buf;
    size_t *offsets; /* per string slot, RF_STRINGS_NULL for SQL NULL */
    size_t count, cap;
} rf_strings;

#define RF_STRINGS_NULL ((size_t)-1)

/* Copies column `col` of the current row in; returns its slot number, or -1 out of memory. */
long rf_strings__add(rf_strings *s, sqlite3_stmt *stmt, int col);
/* The string of a slot once collection is over (NULL for SQL NULL). */
const char *rf_strings__get(const rf_strings *s, long slot);
/* Hands the buffer to the caller (free() it); offsets are released. */
char *rf_strings__detach(rf_strings *s);
void rf_strings__free(rf_strings *s);

/* RF_EUSAGE naming `what` unless `s` is non-empty, valid UTF-8 and at most RF_MAX_FIELD bytes. */
int rf_store__check_text(const char *s, const char *what, int required, rf_error *err);

#endif
