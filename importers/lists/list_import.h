/* list_import.h: what the list importers share, private to importers/lists/. import.c
 * dispatches a file to one format (csl.c, dpl.c, ...) through an rf_list_format_def; each
 * format streams the file (input.c) through rows.c, xml.c or json.c, splits names and
 * guesses entity types with names.c, and hands entities, warnings and dates to the import
 * context below. */
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

/* Copies s[0..len) into the pool; the copy lives until rf_strpool__reset. NULL on ENOMEM. */
char *rf_strpool__add(rf_strpool *pool, const char *s, size_t len);
/* A zeroed string of `len` bytes (plus the NUL) in the pool, for the caller to fill. */
char *rf_strpool__alloc(rf_strpool *pool, size_t len);
void rf_strpool__reset(rf_strpool *pool); /* frees every string, keeps the array */
void rf_strpool__free(rf_strpool *pool);

typedef struct rf_list_ctx rf_list_ctx;

/* ---- the file's content (input.c) ------------------------------------------------------ */

/* A file to import: on disk (`path`) or in memory (`data`, `len`, plain or gzip). The survey
 * fills in the rest. */
typedef struct rf_list_input {
    const char *name;  /* for messages and the version record; NULL: a companion not found */
    const char *path;  /* NULL when in memory */
    const void *data;
    size_t len;
    /* For a path that cannot be read twice (a pipe, "-" for standard input): an open
     * temporary file, into which the survey copies the bytes as it reads them and from which
     * every later reading reads; NULL otherwise. The caller's. */
    FILE *spool;
    char sha256[65];   /* of the bytes as stored; "" until surveyed */
    int utf8;          /* the content (decompressed) is valid UTF-8 throughout */
} rf_list_input;

/* Bytes kept from each end of a file for detection. */
#define RF_LIST_SAMPLE ((size_t)1 << 20)

/* The first and last bytes of a file's content (decompressed), what formats are detected
 * from. Both are NUL-terminated. */
typedef struct rf_list_sample {
    const char *head;  /* the first RF_LIST_SAMPLE bytes, or all of them */
    size_t head_len;
    const char *tail;  /* the last RF_LIST_SAMPLE bytes, or all of them */
    size_t tail_len;
    int whole;         /* head holds the whole content */
    char *buf;
} rf_list_sample;

/* The first pass over a file: reads it to the end (gzip decoded, capped at RF_FILE_MAX bytes)
 * and fills in in->sha256 and in->utf8, and `sample` (may be NULL; free it with
 * rf_list__sample_free). Memory stays small whatever the file's size. A pipe (in->spool) is
 * read here, and only here. */
int rf_list__survey(rf_list_input *in, rf_list_sample *sample, rf_error *err);
void rf_list__sample_free(rf_list_sample *s);

/* How a stream hands out a file that is not UTF-8 throughout: as it is, or transcoded from
 * the legacy encoding its publisher uses. */
typedef enum rf_list_text { RF_TEXT_AS_IS = 0, RF_TEXT_CP1252, RF_TEXT_LATIN1 } rf_list_text;

/* A file's content read from its start, a chunk at a time. */
typedef struct rf_list_stream rf_list_stream;

/* Opens `in` (cx->input, or one of cx->parts) from its start; errors go to cx->err naming
 * in->name. A file the survey found to be UTF-8 throughout is handed out as it is; otherwise
 * it is transcoded as `text` says: the choice is made once, on the whole file. */
int rf_list__stream_open(rf_list_stream **out, rf_list_ctx *cx, const rf_list_input *in,
                        rf_list_text text);
/* Up to `size` bytes; 0 at the end, or a negative code. Reaching the end of a file on disk
 * checks the bytes read against the survey's sha256: a file changed since fails with RF_EIO. */
long rf_list__stream_read(rf_list_stream *s, char *buf, size_t size);
void rf_list__stream_close(rf_list_stream *s); /* NULL is a no-op */

/* Called with one physical line, its '\n' included (the last line may have none), and its
 * 1-based number. Returns 0 to go on, else a code that stops the reading. */
typedef int (*rf_line_fn)(const char *line, size_t len, long number, void *ctx);

/* Reads the stream to its end a line at a time; a line longer than `max` fails (RF_ELIMIT). */
int rf_list__stream_lines(rf_list_stream *s, size_t max, rf_line_fn fn, void *ctx);

/* One file being imported. `imp` is NULL while a format only scans the file (for its
 * publication date) before the version is opened. */
struct rf_list_ctx {
    rf_import *imp;
    const char *name; /* the file, for messages */
    const rf_import_options *opts;
    rf_import_summary *sum;
    rf_error *err;
    rf_strpool pool;
    const rf_list_input *input;   /* the file, read through rf_list__stream_open */
    const rf_list_sample *sample; /* its first and last bytes */
    /* The companions of a set, in the order of the format's set_files after the main file
     * (parts[i].name NULL when it was not found); n_parts is 0 for formats that are one
     * file. */
    const rf_list_input *parts;
    size_t n_parts;
};

/* Records a warning about `line`: kept with the version, passed to opts->on_warning and
 * counted. Does nothing during a scan. Returns 0 or the store's error code. */
int rf_list__warn(rf_list_ctx *cx, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes one entity (rf_import_add), counting it and its names; a store error is returned
 * with the file and `e->source_line` filled in. */
int rf_list__emit(rf_list_ctx *cx, const rf_entity *e);

/* `e` with the names of native_names.tsv its names call for (kind RF_NAME_NATIVE) added after
 * its own: `with`, its names in `names` (the table's strings live as long as the process), or
 * `e` itself when there are none. */
const rf_entity *rf_list__native_names(rf_entity *with, rf_name names[RF_MAX_NAMES],
                                       const rf_entity *e);

/* Keeps the relations entity `e` (just emitted) names itself, OFAC's "Linked To:" and the
 * Entity List's affiliate parents, as links of the import (relations.c). */
int rf_list__relations(rf_list_ctx *cx, const rf_entity *e);

/* Fails with RF_EFORMAT, naming the file and `line`. Returns the code. */
int rf_list__fail(rf_list_ctx *cx, int code, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Starts the next entity of a file: the previous one's pool strings are freed, *e cleared
 * and given its line and list (either may be NULL, for the format to fill in). */
void rf_list__entity_begin(rf_list_ctx *cx, rf_entity *e, long line, const char *list_code,
                          const char *list_name);

/* Adds an identity document to the "; "-separated *ids as "Type NUMBER (Country)" (type and
 * country left out when NULL or empty; nothing without a number). */
int rf_list__add_id(rf_list_ctx *cx, const char **ids, const char *type, const char *number,
                   const char *country, long line);

/* Appends s[0..len) (trimmed; nothing when empty) to the "; "-separated list *field, a pool
 * string or NULL, unless the list already holds it (compared ignoring ASCII case); *field
 * then points at a new pool string. Fails only when out of memory, naming `line`. */
int rf_list__join(rf_list_ctx *cx, const char **field, const char *s, size_t len, long line);

/* The non-empty strings among parts[0..n) joined by ", " into a pool string; NULL when all
 * are empty or NULL (or when out of memory: *rc is then set). */
const char *rf_list__concat(rf_list_ctx *cx, const char *const *parts, size_t n, int *rc);

/* Adds an address to addrs[0..*n) (pointers kept as given, but a country written out is
 * replaced by its alpha-2 code when rf_country__code knows it; all three may be NULL, in
 * which case nothing is added). An address already there is not added again. Fails past
 * RF_MAX_ADDRESSES, naming `line`. */
int rf_list__address(rf_list_ctx *cx, rf_address *addrs, size_t *n, const char *text,
                    const char *city, const char *country, long line);

/* The ISO 3166 alpha-2 code of a country as lists write it ("Switzerland", "Korea, North",
 * "IRQ", "Iraq (previous)"); NULL when it is not a country redflag knows (countries.c). */
const char *rf_country__code(const char *name);

/* Appends a nationality or citizenship to the "; "-separated *field: the country's alpha-2
 * code when rf_country__code knows it (so that screening can compare it with a party's
 * country), else as written. */
int rf_list__nationality(rf_list_ctx *cx, const char **field, const char *s, size_t len,
                        long line);

/* The entity type a list writes as a word: "Individual", "person", "Entity",
 * "organisation", "enterprise", "Vessel", "ship", "Aircraft" (any case); UNKNOWN otherwise. */
rf_entity_type rf_list__entity_type(const char *word);

/* Copies s[0..len) into `out` (reset first) as UTF-8, reading it as Windows-1252 (Latin-1
 * with typographic punctuation in 0x80..0x9F, as US government CSV files are written). */
int rf_list__cp1252_to_utf8(rf_buf *out, const char *s, size_t len);


/* Reads an ownership share in percent into [*lo, *hi]: "50", "50 %", "50,5", "25-50",
 * "25 – 50 %", ">50", ">= 50", "50+", "<25" (ownership.c). -1 when it does not read or falls
 * outside 0..100. */
int rf_list__share(double *lo, double *hi, const char *s);

/* ---- dates ----------------------------------------------------------------------------- */

/* Converts a list date (YYYY-MM-DD, or MM/DD/YYYY as BIS writes it) to YYYY-MM-DD in `out`
 * and returns `out`; "" gives NULL. A well-formed date whose year is outside 1900..2100, or
 * that is later than `latest` (YYYY-MM-DD, may be NULL), is a typo in the list: it is kept
 * and reported as a warning naming `column`. A date that does not parse is reported and
 * dropped (NULL). Returns NULL with *rc set when recording the warning failed. */
const char *rf_list__date(rf_list_ctx *cx, long line, const char *column, const char *in,
                         const char *latest, char out[11], int *rc);

/* 1 when `s` is a well-formed YYYY-MM-DD date with a year in 1900..2100. */
int rf_list__date_plausible(const char *s);

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
int rf_rows__read(const char *data, size_t len, unsigned char delim, const char *name,
                 rf_row_fn fn, void *ctx, rf_error *err);

/* The same over a whole file, streamed: opens `in` (transcoded as `text` says), reads its
 * rows and closes it. Errors name in->name. */
int rf_rows__read_input(rf_list_ctx *cx, const rf_list_input *in, rf_list_text text,
                       unsigned char delim, rf_row_fn fn, void *ctx);

/* 1 when the first line of `data` is a header row (fields separated by `delim`, optionally
 * quoted) that holds every column in the NULL-terminated `columns` (case-insensitive). */
int rf_rows__header_has(const char *data, size_t len, char delim, const char *const *columns);

/* Finds each of the NULL-terminated `columns` in the header row: idx[i] is its position.
 * Fails naming the first missing column. */
int rf_rows__map_header(size_t *idx, const rf_row *header, const char *const *columns,
                       rf_list_ctx *cx);

/* The position of `column` in the header row (case-insensitive, padding ignored), or
 * SIZE_MAX when the header has none (or `column` is NULL). */
size_t rf_rows__find_column(const rf_row *header, const char *column);

/* Collapses every run of white space (newlines included) in s[0..len) to one space and
 * trims both ends, in place; returns the new length. */
size_t rf_text__collapse(char *s, size_t len);

/* Trims the field in place and returns it, or NULL when it is empty. */
const char *rf_row__get(rf_row *row, size_t i);

/* ---- names and types (names.c) --------------------------------------------------------- */

/* Compiled name-splitting rules, made once per import. */
typedef struct rf_namer rf_namer;

int rf_namer__new(rf_namer **out, rf_error *err);
void rf_namer__free(rf_namer *nm); /* NULL is a no-op */

/* The names of one entity as they are collected: names[0] is the primary. */
typedef struct rf_name_set {
    rf_name names[RF_MAX_NAMES];
    size_t n;
    const char *parent; /* the listed parent, for affiliates; NULL otherwise */
} rf_name_set;

/* Splits a name as the list writes it into the entity's names (see names.c for the rules)
 * and appends them to `set` (which must be empty); strings go to cx->pool. Fails (naming
 * `line`) when the name is empty or the set would pass RF_MAX_NAMES. */
int rf_names__split(rf_name_set *set, rf_namer *nm, const char *raw, rf_list_ctx *cx,
                   long line);

/* Adds one name of `kind` as it is (white space collapsed, trailing commas dropped) unless
 * the set already has it (ignoring ASCII case); an empty name is ignored. Fails past
 * RF_MAX_NAMES. For lists that give their names apart and typed (UN, OFAC XML, EU, UK). */
int rf_names__add(rf_name_set *set, const char *text, size_t len, rf_name_kind kind,
                 rf_list_ctx *cx, long line);

/* Adds one entry of a list's own alias column as an alias, with the aliases and former names
 * it encloses ("X (f.k.a. Y)", "f.k.a. Y", "X a.k.a. Y"); white space is collapsed, a
 * leading "and " dropped, and a name the set already has is not added again. Fails past
 * RF_MAX_NAMES. */
int rf_names__add_listed(rf_name_set *set, rf_namer *nm, const char *text, size_t len,
                        rf_list_ctx *cx, long line);

/* Guesses whether a list that gives no type lists a person or an organization, from the
 * primary name alone (see names.c). */
rf_entity_type rf_names__guess_type(rf_namer *nm, const char *name);

/* ---- XML (xml.c) ------------------------------------------------------------------------ */

/* Caps on XML input: element depth, and the nodes and text bytes of one record. */
#define RF_XML_MAX_DEPTH 48
#define RF_XML_MAX_NODES 65536
#define RF_XML_MAX_RECORD ((size_t)16 << 20)

/* One node of a record, in document order: an element's start (value NULL), one of its
 * attributes ("aka@uid": path, '@', local name), or its text at its end (value trimmed, not
 * empty). Paths are local names (namespaces dropped) from the record element down,
 * '/'-joined, the record element itself being "". */
typedef struct rf_xml_node {
    const char *path;
    const char *value;
    long line;
} rf_xml_node;

typedef struct rf_xml_record {
    size_t spec;         /* index of the matching path in the `records` list */
    const rf_xml_node *nodes;
    size_t n;
    long line;           /* line of the record's start tag */
    long index;          /* 1-based count of records of this path so far */
} rf_xml_record;

typedef int (*rf_xml_record_fn)(const rf_xml_record *rec, void *ctx);

/* Streams the file (cx->input) through libxml2's xmlTextReader (no entity expansion, no
 * DTD, no network: a document that declares a DTD or refers to an entity is refused) and
 * calls `fn` for each element whose path from the root ("sdnList/sdnEntry", local names) is
 * one of the NULL-terminated `records`, with its whole subtree; memory holds one record at a
 * time. A path ending in "@" ("CONSOLIDATED_LIST@") delivers only that element's attributes
 * and reading goes on inside it. Errors name the file, the line and the element path. */
int rf_xml__read(rf_list_ctx *cx, const char *const *records, rf_xml_record_fn fn, void *ctx);

/* The value of the first node of `rec` at `path` from node `from` on, stopping at the next
 * start of `stop` (a sibling group's path; NULL: the record's end); NULL when none. */
const char *rf_xml__get(const rf_xml_record *rec, size_t from, const char *path,
                       const char *stop);

/* The publication date an attribute of the root element gives ("CONSOLIDATED_LIST",
 * "dateGenerated"): its first ten characters when they are a date, else "". */
int rf_xml__root_date(char out[11], rf_list_ctx *cx, const char *root, const char *attr);

/* 1 when the document's root element has the local name `root` and, when `ns` is not NULL,
 * that namespace (the default one or its prefix's); looks only at the prolog and the root's
 * start tag, past a DOCTYPE. With root NULL: -1 when the prolog declares a DTD, else 0. */
int rf_xml__root_is(const char *data, size_t len, const char *root, const char *ns);

/* The first `needle` in p[0..end), or NULL; p[] need not end in NUL. For detection, which
 * looks at a bounded part of a file. */
const char *rf_list__find(const char *p, const char *end, const char *needle);

/* ---- JSON (json.c) ---------------------------------------------------------------------- */

#define RF_JSON_MAX_DEPTH 32

typedef enum rf_json_token {
    RF_JSON_END = 0,     /* the document is over */
    RF_JSON_OBJECT,      /* { */
    RF_JSON_OBJECT_END,  /* } */
    RF_JSON_ARRAY,       /* [ */
    RF_JSON_ARRAY_END,   /* ] */
    RF_JSON_KEY,         /* a member's name (text in the token) */
    RF_JSON_STRING,
    RF_JSON_NUMBER,      /* text as written */
    RF_JSON_TRUE,
    RF_JSON_FALSE,
    RF_JSON_NULL
} rf_json_token;

/* A strict pull tokenizer over a JSON file, streamed (RFC 8259: one value, no comments, no
 * trailing commas; strings checked as UTF-8, escapes decoded, surrogate pairs joined; depth
 * capped at RF_JSON_MAX_DEPTH, strings at RF_MAX_FIELD bytes). It holds a window of the file
 * (RF_JSON_WINDOW bytes) that always reaches past the longest token the caps allow. */
#define RF_JSON_WINDOW ((size_t)1 << 20)

typedef struct rf_json {
    rf_list_stream *in;
    char *data;        /* the window: data[pos..len) not yet read */
    size_t len, pos;
    int eof;           /* the window holds the file's end */
    long line;
    int depth;
    unsigned char stack[RF_JSON_MAX_DEPTH]; /* '{' or '[' per open level */
    int state;                              /* what may come next (json.c) */
    rf_buf text;                            /* the last key, string or number */
    rf_list_ctx *cx;
    /* 1: the file is a sequence of values (JSON lines, one value a line), read one after
     * the other; RF_JSON_END comes at the file's end. 0: one value. Set after opening. */
    int sequence;
} rf_json;

/* Opens cx->input for tokenizing; rf_json__free it afterwards, even when this failed. */
int rf_json__open(rf_json *j, rf_list_ctx *cx);
void rf_json__free(rf_json *j);
/* Reads the next token into *tok (text in j->text.data for keys, strings and numbers).
 * A syntax error fails with RF_EFORMAT naming the line. */
int rf_json__next(rf_json *j, rf_json_token *tok);
/* Skips the value whose first token `tok` was just read (all of it for an object/array). */
int rf_json__skip(rf_json *j, rf_json_token tok);

/* ---- the CSL (csl.c) -------------------------------------------------------------------- */

/* The list code in a CSL source: "Entity List (EL) - Bureau ..." -> "EL", "... (NS-MBS
 * List) - ..." -> "NS-MBS"; a pool string, NULL when the source names none. */
const char *rf_csl__list_code(rf_list_ctx *cx, const char *source);

/* ---- OFAC (ofac_csv.c) ------------------------------------------------------------------ */

/* 1 when `program` (program[0..len)) belongs to one of OFAC's non-SDN lists. */
int rf_ofac__program_non_sdn(const char *program, size_t len);

/* The list code of an OFAC entry with these "; "-separated programs: "SDN" for the SDN
 * files, else the non-SDN list its programs name (see ofac_csv.c); *list_name gets the list's
 * name as the CSL writes it. */
const char *rf_ofac__list(const char *programs, int non_sdn, const char **list_name);

/* ---- formats --------------------------------------------------------------------------- */

typedef struct rf_list_format_def {
    rf_list_format format;
    const char *name; /* "csl-csv": rf_version_info.format */
    const char *feed; /* "csl": rf_version_info.feed */
    /* 1 when a file with these first and last bytes (decompressed) is of this format. */
    int (*detect)(const rf_list_sample *s);
    /* Optional: the publication date the file's content gives, "" if none. Called before
     * the version is opened, with cx->imp NULL. */
    int (*published)(char out[11], rf_list_ctx *cx);
    /* Reads the file (cx->input, through streams) and emits its entities into cx. */
    int (*parse)(rf_list_ctx *cx);
    /* For lists published as a set of files (OFAC's legacy CSV): the usual names of the
     * main file (found in a directory given instead of a file) then of its companions, which
     * import.c looks up beside the main file (ignoring case) and hands over in cx->parts.
     * NULL-terminated; NULL for one-file formats. */
    const char *const *set_files;
} rf_list_format_def;

extern const rf_list_format_def rf_list_csl_format;
extern const rf_list_format_def rf_list_dpl_format;
extern const rf_list_format_def rf_list_ofac_sdn_csv_format;
extern const rf_list_format_def rf_list_ofac_cons_csv_format;
extern const rf_list_format_def rf_list_ofac_sdn_xml_format;
extern const rf_list_format_def rf_list_ofac_cons_xml_format;
extern const rf_list_format_def rf_list_sdn_advanced_format;
extern const rf_list_format_def rf_list_cons_advanced_format;
extern const rf_list_format_def rf_list_un_format;
extern const rf_list_format_def rf_list_uk_ofsi_format;
extern const rf_list_format_def rf_list_uk_fcdo_format;
extern const rf_list_format_def rf_list_eu_csv_format;
extern const rf_list_format_def rf_list_eu_xml_format;
extern const rf_list_format_def rf_list_csl_json_format;
extern const rf_list_format_def rf_list_bis_el_format;
extern const rf_list_format_def rf_list_ownership_csv_format;
extern const rf_list_format_def rf_list_gleif_lei_format;
extern const rf_list_format_def rf_list_gleif_rr_format;
extern const rf_list_format_def rf_list_ftm_format;
extern const rf_list_format_def rf_list_bis_uvl_format;
extern const rf_list_format_def rf_list_state_isn_format;
extern const rf_list_format_def rf_list_state_debarred_format;

#endif
