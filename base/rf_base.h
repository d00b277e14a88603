/* rf_base.h: the vocabulary every redflag module shares: result codes and the error record,
 * capped byte buffers, whole-file and streaming input (gzip transparent), UTF-8 checks, sha256,
 * and the party record that order importers produce and the engine screens. It is the bottom
 * of the dependency chain (cli -> session -> reports -> engine, importers -> lists -> base);
 * nothing here touches sqlite.
 *
 * Threads: nothing here keeps global state; a buffer, error record, reader or hash belongs to
 * one thread at a time. Errors: functions return RF_OK (0) or a negative RF_E* code and, where
 * they take one, fill the caller's rf_error with the file, line and reason. */
#ifndef RF_BASE_H
#define RF_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- result codes --------------------------------------------------------------------- */

enum {
    RF_OK = 0,
    RF_ENOMEM = -1,    /* allocation failed */
    RF_EIO = -2,       /* file could not be opened, read or written */
    RF_EFORMAT = -3,   /* input is not what it claims to be (bad row, bad XML, bad UTF-8) */
    RF_ELIMIT = -4,    /* a fixed cap was exceeded (field length, fields per row, file size) */
    RF_EDB = -5,       /* the list database reported an error */
    RF_EUSAGE = -6,    /* the caller passed something meaningless */
    RF_ENOTFOUND = -7, /* the thing asked for does not exist */
    RF_ECANCEL = -8    /* a callback asked to stop */
};

/* An error record: code, where it happened in the input (file and 1-based line, 0 if none),
 * and a message for people. Owned by whoever declared it; functions only fill it in. */
typedef struct rf_error {
    int code;
    long line;
    char file[512];
    char message[1024];
} rf_error;

/* Sets every field of `err` (which may be NULL) and returns `code`, so a failure reads
 * `return rf_error_set(err, RF_EFORMAT, path, line, "...", ...);`. `file` may be NULL. */
int rf_error_set(rf_error *err, int code, const char *file, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
void rf_error_clear(rf_error *err);
/* Formats "file:line: message" (or just the message) into `out`; returns `out`. */
const char *rf_error_format(const rf_error *err, char *out, size_t out_size);
/* A short English name for a result code ("out of memory", "bad input format", ...). */
const char *rf_strerror(int code);

/* ---- byte buffers --------------------------------------------------------------------- */

/* A growing byte buffer, always NUL-terminated after `len` bytes once anything was added.
 * `max` caps its length (0 means RF_BUF_DEFAULT_MAX); appending past it fails with RF_ELIMIT. */
typedef struct rf_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
} rf_buf;

#define RF_BUF_DEFAULT_MAX ((size_t)1 << 30)

int rf_buf_append(rf_buf *b, const void *data, size_t len);
int rf_buf_puts(rf_buf *b, const char *s);
int rf_buf_putc(rf_buf *b, char c);
int rf_buf_printf(rf_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rf_buf_reset(rf_buf *b); /* len = 0, memory kept */
void rf_buf_free(rf_buf *b);  /* memory released, struct zeroed but `max` kept */
/* Hands the buffer's memory to the caller (free() it); the buffer is left empty. */
char *rf_buf_detach(rf_buf *b);

/* Copies `len` bytes into a fresh NUL-terminated string; NULL on allocation failure. */
char *rf_strndup(const char *s, size_t len);
char *rf_strdup(const char *s); /* NULL in, NULL out */

/* ---- files ---------------------------------------------------------------------------- */

/* Largest file (after gzip decompression) that redflag reads whole: list files. */
#define RF_FILE_MAX ((size_t)512 << 20)

/* Reads the whole file into `out` (reset first), decompressing gzip transparently, failing
 * with RF_ELIMIT past `max` decompressed bytes (0: RF_FILE_MAX), so a gzip bomb stops early.
 * `sha256_hex`, when not NULL, receives the 64-hex-digit digest of the bytes on disk. */
int rf_file_read(rf_buf *out, char sha256_hex[65], const char *path, size_t max, rf_error *err);

/* Decompresses gzip data in memory into `out` (reset first), capped at `max` bytes (0:
 * RF_FILE_MAX); data that is not gzip is copied as it is. `name` labels errors. */
int rf_gunzip(rf_buf *out, const void *data, size_t len, size_t max, const char *name,
              rf_error *err);

/* A streaming reader over a plain or gzip file ("-" is standard input). Gzip is decoded as
 * rf_file_read does (concatenated members accepted; a truncated stream or junk after it is
 * RF_EFORMAT), without a size cap: memory does not grow with the input. */
typedef struct rf_reader rf_reader;
int rf_reader_open(rf_reader **out, const char *path, rf_error *err);
/* The same over data[0..len) in memory (plain or gzip), which is not copied and must outlive
 * the reader; `name` labels errors. */
int rf_reader_open_memory(rf_reader **out, const void *data, size_t len, const char *name,
                          rf_error *err);
/* The same over the open file `f` from where it stands; `f` stays the caller's (not closed). */
int rf_reader_open_stream(rf_reader **out, FILE *f, const char *name, rf_error *err);
/* Reads up to `size` bytes; returns bytes read (0 at end) or a negative code. */
long rf_reader_read(rf_reader *r, void *buf, size_t size, rf_error *err);
/* From now on, also writes every byte the reader takes from its input, as stored (before
 * decompression), to `copy` (the caller's), so that a pipe read once can be read again. A
 * write that fails fails the read with RF_EIO. */
void rf_reader_copy_to(rf_reader *r, FILE *copy);
/* From now on (call it before the first read), also computes the sha256 of the input the
 * reader takes, as stored (before decompression). */
void rf_reader_hash(rf_reader *r);
/* That sha256 (64 hex digits; "" without rf_reader_hash, or when out of memory) of the input
 * taken so far: the whole file's once rf_reader_read has returned 0. */
void rf_reader_sha256(const rf_reader *r, char out[65]);
void rf_reader_close(rf_reader *r); /* NULL is a no-op */

/* Output files (outfile.c). A command's output is written to a temporary file beside its
 * target and renamed over it only when complete and synced, so that an interrupted or failed
 * write never leaves a truncated target. */
typedef struct rf_outfile rf_outfile;
/* RF_EUSAGE, naming `path`, when the output must not go there: a directory, or one of the
 * `n_protect` paths of `protect` (the database and its -wal/-shm/-journal, the command's
 * inputs; NULL and "-" entries are skipped). Existing files are compared by device and inode,
 * so a symlink or hard link to a protected file is caught; a protected file that does not
 * exist yet by its resolved name; a protected directory stands for every file under it.
 * Opens nothing. */
int rf_outfile_check(const char *path, const char *const *protect, size_t n_protect,
                     rf_error *err);
/* Creates the temporary file beside `path` (a symlink is written through to its target); a
 * path that is a device or a pipe (/dev/stdout) is written in place. */
int rf_outfile_open(rf_outfile **out, const char *path, rf_error *err);
FILE *rf_outfile_stream(const rf_outfile *o); /* owned by `o` */
/* Flushes, syncs and renames the temporary file over the target; frees `o` either way. */
int rf_outfile_commit(rf_outfile *o, rf_error *err);
/* Removes the temporary file, leaving the target as it was; NULL is a no-op. */
void rf_outfile_free(rf_outfile *o);

/* ---- text ----------------------------------------------------------------------------- */

/* 1 when s[0..len) is well-formed UTF-8, else 0 and *bad_offset (if not NULL) is the offset
 * of the first bad byte. */
int rf_utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Copies s[0..len) into `out` (reset first) as UTF-8, treating it as Latin-1 (ISO 8859-1). */
int rf_latin1_to_utf8(rf_buf *out, const char *s, size_t len);
/* Trims ASCII white space at both ends in place; returns the new length. */
size_t rf_trim(char *s, size_t len);
/* 1 for a code point that changes how the text around it is shown instead of being shown:
 * C0 and C1 controls (ESC starts terminal sequences), DEL, and the bidirectional formatting
 * characters U+061C, U+200E, U+200F, U+202A-U+202E and U+2066-U+2069 (a right-to-left
 * override reorders what a reviewer reads). Names reach a page or a terminal without them. */
int rf_char_is_control(uint32_t cp);
/* The code point of the well-formed UTF-8 character at s[0..len), and its length in *n
 * (1, and U+FFFD, for a byte that starts no well-formed character). */
uint32_t rf_utf8_decode(const char *s, size_t len, size_t *n);

/* sha256, computed by OpenSSL's libcrypto (sha256.c says why not our own code). */

/* sha256 of a byte range as 64 lowercase hex digits plus NUL; RF_ENOMEM (out[0] = '\0') when
 * libcrypto cannot allocate. */
int rf_sha256_hex(char out[65], const void *data, size_t len);

/* A hash being computed over pieces. rf_sha256_init allocates it (RF_ENOMEM when it cannot);
 * rf_sha256_final_hex writes the digest and frees it; rf_sha256_free abandons one unfinished
 * (a no-op on one finished or never started). Not shared between threads. */
typedef struct rf_sha256 {
    void *ctx; /* libcrypto's EVP_MD_CTX; NULL when not started or finished */
} rf_sha256;
int rf_sha256_init(rf_sha256 *h);
void rf_sha256_update(rf_sha256 *h, const void *data, size_t len);
void rf_sha256_final_hex(rf_sha256 *h, char out[65]);
void rf_sha256_free(rf_sha256 *h);
/* Starts `to` as a copy of `from` (which goes on): the digest of the input so far. */
int rf_sha256_copy(rf_sha256 *to, const rf_sha256 *from);

/* ---- dates ---------------------------------------------------------------------------- */

/* 1 when `s` is a calendar date written YYYY-MM-DD (29 February in any year). */
int rf_date_valid(const char *s);
/* The current time as UTC ISO 8601, "2024-05-01T12:00:00Z" ($SOURCE_DATE_EPOCH when set, for
 * reproducible reports). */
void rf_time_utc(char out[32]);

/* ---- parties -------------------------------------------------------------------------- */

/* One party found on an order or BOM, as order importers emit it. Every pointer is borrowed:
 * valid during the callback that receives the party only. NULL or "" means unknown. A session
 * screening on several threads copies a party's strings (session/ahead.c, party_strings): a
 * string field added here must be added there too. */
typedef struct rf_party {
    const char *document; /* file the party came from */
    long line;            /* 1-based line (or segment) in that file */
    const char *ref;      /* the document's own reference (order number, `ref` column) */
    const char *role;     /* buyer, seller, ship_to, end_user, manufacturer, ... */
    const char *name;
    const char *address;
    const char *city;
    const char *country; /* ISO 3166 alpha-2 when known, else as written */
    const char *date;    /* the document's date, YYYY-MM-DD, when it has one */
    const char *item;    /* order line / part the party is attached to */

    /* Added with the structured order formats (UBL, cXML, X12 850, EDIFACT ORDERS); a reader
     * that does not know a field leaves it NULL / 0, so `rf_party p = {0}` stays valid. */
    const char *format;       /* reader that produced it: csv, ubl, cxml, x12, edifact */
    const char *doc_type;     /* the document's type: Order, OrderChange, 850, ORDERS, ... */
    const char *party_id;     /* the party's identifier on the document, "scheme:id" (GLN, ...) */
    const char *region;       /* state, province or country subdivision */
    const char *postal_code;
    /* For a party of one order line (a line's manufacturer or ship-to): that line's number
     * as the document writes it, and the line's item; NULL for the document's own parties. */
    const char *order_line;
    const char *part_number;  /* manufacturer's part number, else seller's, else buyer's */
    const char *description;
    const char *quantity;     /* as written, with its unit when given: "120 LTR" */
    const char *eccn;         /* Export Control Classification Number, when the line gives one */
    const char *hs_code;      /* HS / tariff / Schedule B code, when given */
    const char *origin;       /* the item's country of origin */
    /* The document's lines the party concerns: all of them for a document party (buyer,
     * ship-to, ...), the party's own line for a line party; NULL / 0 when the format has no
     * lines (CSV). Borrowed like the rest. */
    const struct rf_order_line *lines;
    size_t n_lines;
} rf_party;

/* One line of an order document, as rf_party.lines lists them. Every pointer may be NULL. */
typedef struct rf_order_line {
    long line;                /* 1-based line in the file where the order line starts */
    const char *number;       /* the line's number on the order */
    const char *part_number;
    const char *description;
    const char *quantity;
    const char *eccn;
    const char *hs_code;
    const char *origin;
} rf_order_line;

/* Receives each party; returns 0 to go on, non-zero to stop the reader (RF_ECANCEL). */
typedef int (*rf_party_fn)(const rf_party *party, void *ctx);

#endif
