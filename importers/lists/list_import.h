/* list_import.h: what the list importers share, private to importers/lists/. import.c
 * dispatches a file to one format (csl.c, dpl.c, ...) through an rf_list_format_def; each
 * format reads its rows with rows.c, splits names and guesses entity types with names.c, and
 * hands entities, warnings and dates to the import context below. */
#ifndef RF_LIST_IMPORT_H
#define RF_LIST_IMPORT_H

#include "../rf_importers.h"

/* ---- the import context ---------------------------------------------------------------- */

/* Strings made while building one entity (split names, cut addresses); freed all at once. */
typedef struct rf_strpool {
    char **items;
    size_t count;
    size_t cap;
} rf_strpool;

/* Copies s[0..len) into the pool; the copy lives until rf_strpool_reset. NULL on ENOMEM. */
char *rf_strpool_add(rf_strpool *pool, const char *s, size_t len);
void rf_strpool_reset(rf_strpool *pool); /* frees every string, keeps the array */
void rf_strpool_free(rf_strpool *pool);

/* One file being imported. `imp` is NULL while a format only scans the file (for its
 * publication date) before the version is opened. */
typedef struct rf_list_ctx {
    rf_import *imp;
    const char *name; /* the file, for messages */
    const rf_import_options *opts;
    rf_import_summary *sum;
    rf_error *err;
    rf_strpool pool;
} rf_list_ctx;

/* Records a warning about `line`: kept with the version, passed to opts->on_warning and
 * counted. Does nothing during a scan. Returns 0 or the store's error code. */
int rf_list_warn(rf_list_ctx *cx, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes one entity (rf_import_add), counting it and its names; a store error is returned
 * with the file and `e->source_line` filled in. */
int rf_list_emit(rf_list_ctx *cx, const rf_entity *e);

/* Fails with RF_EFORMAT, naming the file and `line`. Returns the code. */
int rf_list_fail(rf_list_ctx *cx, int code, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* ---- dates ----------------------------------------------------------------------------- */

/* Converts a list date (YYYY-MM-DD, or MM/DD/YYYY as BIS writes it) to YYYY-MM-DD in `out`
 * and returns `out`; "" gives NULL. A well-formed date whose year is outside 1900..2100, or
 * that is later than `latest` (YYYY-MM-DD, may be NULL), is a typo in the list: it is kept
 * and reported as a warning naming `column`. A date that does not parse is reported and
 * dropped (NULL). Returns NULL with *rc set when recording the warning failed. */
const char *rf_list_date(rf_list_ctx *cx, long line, const char *column, const char *in,
                         const char *latest, char out[11], int *rc);

/* 1 when `s` is a well-formed YYYY-MM-DD date with a year in 1900..2100. */
int rf_list_date_plausible(const char *s);

/* ---- rows of delimited text (rows.c) --------------------------------------------------- */

#define RF_ROW_MAX_FIELDS 64

/* One row of a delimited file. Fields are NUL-terminated, valid UTF-8, writable (a format
 * may cut them in place) and valid during the callback only. `line` is the physical line
 * the row starts on (fields may hold newlines). */
typedef struct rf_row {
    char *field[RF_ROW_MAX_FIELDS];
    size_t len[RF_ROW_MAX_FIELDS];
    size_t n;
    long line;
} rf_row;

/* Returns 0 to go on, or a negative code (with the error filled in) to stop. */
typedef int (*rf_row_fn)(rf_row *row, void *ctx);

/* Reads data[0..len) as quoted delimited text (libcsv, strict quoting), skipping a UTF-8
 * byte-order mark and blank lines, and calls `fn` once per row, the header included.
 * Fails with RF_EFORMAT on bad quoting or bad UTF-8 and RF_ELIMIT past RF_MAX_FIELD bytes
 * in a field or RF_ROW_MAX_FIELDS fields in a row, naming `name` and the line. */
int rf_rows_read(const char *data, size_t len, unsigned char delim, const char *name,
                 rf_row_fn fn, void *ctx, rf_error *err);

/* 1 when the first line of `data` is a header row (fields separated by `delim`, optionally
 * quoted) that holds every column in the NULL-terminated `columns` (case-insensitive). */
int rf_rows_header_has(const char *data, size_t len, char delim, const char *const *columns);

/* Finds each of the NULL-terminated `columns` in the header row: idx[i] is its position.
 * Fails naming the first missing column. */
int rf_rows_map_header(size_t *idx, const rf_row *header, const char *const *columns,
                       rf_list_ctx *cx);

/* Collapses every run of white space (newlines included) in s[0..len) to one space and
 * trims both ends, in place; returns the new length. */
size_t rf_text_collapse(char *s, size_t len);

/* Trims the field in place and returns it, or NULL when it is empty. */
const char *rf_row_get(rf_row *row, size_t i);

/* ---- names and types (names.c) --------------------------------------------------------- */

/* Compiled name-splitting rules, made once per import. */
typedef struct rf_namer rf_namer;

int rf_namer_new(rf_namer **out, rf_error *err);
void rf_namer_free(rf_namer *nm); /* NULL is a no-op */

/* The names of one entity as they are collected: names[0] is the primary. */
typedef struct rf_name_set {
    rf_name names[RF_MAX_NAMES];
    size_t n;
    const char *parent; /* the listed parent, for affiliates; NULL otherwise */
} rf_name_set;

/* Splits a name as the list writes it into the entity's names (see names.c for the rules)
 * and appends them to `set` (which must be empty); strings go to cx->pool. Fails (naming
 * `line`) when the name is empty or the set would pass RF_MAX_NAMES. */
int rf_names_split(rf_name_set *set, rf_namer *nm, const char *raw, rf_list_ctx *cx,
                   long line);

/* Adds one entry of a list's own alias column as an alias, with the aliases and former names
 * it encloses ("X (f.k.a. Y)", "f.k.a. Y", "X a.k.a. Y"); white space is collapsed, a
 * leading "and " dropped, and a name the set already has is not added again. Fails past
 * RF_MAX_NAMES. */
int rf_names_add_listed(rf_name_set *set, rf_namer *nm, const char *text, size_t len,
                        rf_list_ctx *cx, long line);

/* Guesses whether a list that gives no type lists a person or an organization, from the
 * primary name alone (see names.c). */
rf_entity_type rf_names_guess_type(rf_namer *nm, const char *name);

/* ---- formats --------------------------------------------------------------------------- */

typedef struct rf_list_format_def {
    rf_list_format format;
    const char *name; /* "csl-csv": rf_version_info.format */
    const char *feed; /* "csl": rf_version_info.feed */
    /* 1 when data[0..len) (decompressed) is a file of this format. */
    int (*detect)(const char *data, size_t len);
    /* Optional: the publication date the file's content gives, "" if none. Called before
     * the version is opened, with cx->imp NULL. */
    int (*published)(char out[11], const char *data, size_t len, rf_list_ctx *cx);
    /* Parses every row and emits its entities into cx. */
    int (*parse)(rf_list_ctx *cx, const char *data, size_t len);
} rf_list_format_def;

extern const rf_list_format_def rf_list_csl_format;
extern const rf_list_format_def rf_list_dpl_format;

#endif
