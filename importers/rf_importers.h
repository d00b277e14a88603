/* rf_importers.h: reading files from outside. List files (CSL, DPL, ...) are parsed and
 * written into the list store as one new version each; order documents and BOMs (CSV, UBL,
 * cXML, X12, EDIFACT) are parsed into parties handed to a callback. The format is detected
 * from the content, never from the file name.
 *
 * Threads: the readers keep no state between calls (the tables they share are built once,
 * under pthread_once): any number may read different files at once, each calling back on its
 * own thread. A list import writes through the rf_store it is given, one thread at a time. */
#ifndef RF_IMPORTERS_H
#define RF_IMPORTERS_H

#include "../lists/rf_lists.h"

/* ---- list files ----------------------------------------------------------------------- */

typedef enum rf_list_format {
    RF_LIST_UNKNOWN = 0,
    RF_LIST_CSL_CSV,       /* trade.gov Consolidated Screening List, CSV (gzip accepted) */
    RF_LIST_DPL_TSV,       /* BIS Denied Persons List, tab-separated, quoted */
    RF_LIST_OFAC_SDN_CSV,  /* OFAC SDN legacy CSV set: sdn.csv + add.csv, alt.csv, sdn_comments.csv */
    RF_LIST_OFAC_CONS_CSV, /* OFAC non-SDN legacy CSV set: cons_prim.csv + cons_add/alt/comments */
    RF_LIST_OFAC_SDN_XML,  /* OFAC sdn.xml (namespace http://tempuri.org/sdnList.xsd) */
    RF_LIST_OFAC_CONS_XML, /* OFAC consolidated.xml (non-SDN lists), same schema */
    RF_LIST_SDN_ADVANCED,  /* OFAC SDN_ADVANCED.xml */
    RF_LIST_UN_XML,        /* UN Security Council Consolidated List, XML */
    RF_LIST_UK_OFSI_CSV,   /* UK HM Treasury (OFSI) Consolidated List, CSV, 2018 layout */
    RF_LIST_UK_FCDO_CSV,   /* UK Sanctions List (FCDO), CSV */
    RF_LIST_EU_CSV,        /* EU Financial Sanctions File, semicolon CSV (Latin-1) */
    RF_LIST_EU_XML,        /* EU Financial Sanctions File, XML (schema 1.1) */
    RF_LIST_CSL_JSON,      /* trade.gov Consolidated Screening List, JSON (results[]) */
    RF_LIST_BIS_EL_CSV,    /* BIS Entity List, pre-CSL CSV */
    RF_LIST_BIS_UVL_CSV,   /* BIS Unverified List, pre-CSL CSV */
    RF_LIST_STATE_ISN_CSV, /* State Department nonproliferation sanctions (ISN), CSV */
    RF_LIST_STATE_DTC_CSV, /* State Department ITAR debarred parties (DDTC), CSV */
    RF_LIST_CONS_ADVANCED, /* OFAC CONS_ADVANCED.xml (non-SDN lists), same schema as SDN_ADVANCED */
    RF_LIST_OWNERSHIP_CSV, /* ownership links: owner, owned, share (docs/ownership.md) */
    RF_LIST_GLEIF_LEI,     /* GLEIF LEI-CDF level 1 records, XML */
    RF_LIST_GLEIF_RR,      /* GLEIF RR-CDF level 2 relationship records, XML or JSON */
    RF_LIST_FTM            /* OpenSanctions FollowTheMoney entities, JSON lines: Ownership links */
} rf_list_format;

const char *rf_list_format_name(rf_list_format f); /* "csl-csv", "dpl-tsv", ... */

/* Detects the list format from a file's (decompressed) content: its first megabyte, and for
 * OFAC's advanced XML its last (an import looks at no more than that). */
rf_list_format rf_list_format_detect(const char *data, size_t len);

typedef struct rf_import_options {
    const char *effective;  /* YYYY-MM-DD publication date when the file does not say; or NULL */
    /* Called with each warning (bad date, odd row) as it is recorded; may be NULL. */
    void (*on_warning)(const char *file, long line, const char *message, void *ctx);
    void *ctx;
    /* 1: import even a file that would remove more than RF_MAX_SHRINK_PERCENT of its feed's
     * entities (see rf_import_list_file); rf_list_update never does. */
    int allow_shrink;
} rf_import_options;

/* A new version with fewer entities than this share (in percent) less than the version of
 * its feed it replaces is refused: a truncated download or a partial file would otherwise
 * delist, silently, every party it lacks. */
#define RF_MAX_SHRINK_PERCENT 10

typedef struct rf_import_summary {
    rf_list_format format;
    long long version_id;   /* 0 when the file was already imported */
    int already_imported;   /* 1: same feed and sha256 as an existing version, nothing done */
    long rows;              /* data rows read */
    long entities;          /* entities written */
    long names;             /* names written (primary + aliases) */
    long warnings;
    char published[11];     /* publication date recorded, "" if none */
    /* The version of the same feed it replaces (0: none) and that version's entities; when
     * shrunk is 1 the import was refused for removing too many of them (RF_EFORMAT). */
    long long replaces;
    long long replaced_entities;
    int shrunk;
} rf_import_summary;

/* Imports one list file as a new version: reads it (gzip transparent), detects its format,
 * parses every row and commits in one transaction. On any error nothing is written and `err`
 * names the file and line. `opts` may be NULL. A file that holds fewer than
 * (100 - RF_MAX_SHRINK_PERCENT) % of the entities of the version it would replace (the
 * version of its feed in force just before its publication date) is refused with both counts
 * (RF_EFORMAT, out->shrunk set) unless opts->allow_shrink. The file is streamed, read once
 * for its sha256 and format and again to parse it, so memory does not grow with its size; a
 * file that changes while it is read fails with RF_EIO. A pipe or standard input ("-"),
 * which can be read only once, is copied as it is read into a temporary file (compressed as
 * it came).
 *
 * OFAC's legacy CSV comes as a set: given sdn.csv (or cons_prim.csv), its companions add.csv,
 * alt.csv and sdn_comments.csv (cons_add.csv, cons_alt.csv, cons_comments.csv) are read from
 * the same directory (names compared ignoring case); a missing companion is a warning. `path`
 * may also be a directory holding one such set. The version's sha256 is then computed over
 * the set (see ofac_csv.c); for a main file alone it is the file's own. */
int rf_import_list_file(rf_import_summary *out, rf_store *st, const char *path,
                        const rf_import_options *opts, rf_error *err);

/* When the file `path` is a companion in a list set (add.csv, alt.csv, sdn_comments.csv of
 * OFAC's sdn.csv; cons_add.csv, cons_alt.csv, cons_comments.csv of cons_prim.csv), the usual
 * name of the set's main file ("sdn.csv"), whose import reads it; else NULL. Only the name is
 * looked at (its case and a .gz ending ignored). */
const char *rf_list_set_main(const char *path);

/* The same for a file already in memory (gzip or plain), read the same way (streamed from
 * memory, not copied); `name` stands for its path in the version record and in messages. */
int rf_import_list_data(rf_import_summary *out, rf_store *st, const char *name,
                        const void *data, size_t len, const rf_import_options *opts,
                        rf_error *err);

/* The file at `path` (a download kept in a temporary file), recorded and named in messages
 * as `name` (the address it came from). */
int rf_import_list_download(rf_import_summary *out, rf_store *st, const char *path,
                            const char *name, const rf_import_options *opts, rf_error *err);

/* ---- updates: new versions from the publishers --------------------------------------- */

/* A list file published at a fixed address. */
typedef struct rf_list_source {
    const char *name; /* "csl", "ofac-sdn", ... */
    const char *url;
} rf_list_source;

/* The official addresses `redflag lists update` fetches when not told otherwise: the trade.gov
 * Consolidated Screening List CSV, OFAC's sdn.xml and its consolidated (non-SDN) XML. */
extern const rf_list_source rf_list_default_sources[];
extern const size_t rf_list_default_sources_count;

typedef struct rf_update_options {
    long connect_timeout; /* seconds to connect; 0: 30 */
    long timeout;         /* seconds for the whole download; 0: 900 */
    long deadline;        /* seconds for the source, every attempt and wait included; 0: 1800 */
    int retries;          /* further attempts after a failure that may pass (no connection,
                             timeout, HTTP 408, 429 or 5xx); 0: none */
    double backoff;       /* seconds before the first retry, doubled for each next; 0: 2 */
    size_t max_bytes;     /* largest file accepted; 0: RF_FILE_MAX */
    int force;            /* 1: ask for the file unconditionally */
    const char *ca_file;  /* certificates to trust instead of the system's (a TLS-inspecting
                             proxy's); NULL: the system's */
    rf_import_options import; /* for the import: --effective date, warnings */
    /* Called before each retry with the attempt that failed, the delay and why; may be NULL. */
    void (*on_retry)(const char *url, int attempt, double delay, const char *why, void *ctx);
    void *ctx;
} rf_update_options;

typedef enum rf_update_outcome {
    RF_UPDATE_IMPORTED = 0, /* a new version was imported */
    RF_UPDATE_NOT_MODIFIED, /* the server said the file has not changed (HTTP 304) */
    RF_UPDATE_UNCHANGED     /* downloaded, but its sha256 is that of a version already there */
} rf_update_outcome;

const char *rf_update_outcome_name(rf_update_outcome o); /* "imported", "not modified", ... */

typedef struct rf_update_result {
    rf_update_outcome outcome;
    long http_status;         /* of the last response */
    int attempts;
    size_t bytes;             /* downloaded (0 for 304) */
    char final_url[2048];     /* where the file came from, after redirects ("" for 304) */
    char sha256[65];          /* of the file ("" when never downloaded whole) */
    rf_import_summary import; /* RF_UPDATE_IMPORTED: what was imported */
} rf_update_result;

/* Downloads the list file at `url` (http or https, redirects followed, capped at max_bytes)
 * into a temporary file and imports it as a new version, named by the address it finally
 * came from, when it changed. An https source accepts no redirect to plain http. The request is
 * conditional (If-None-Match, If-Modified-Since) on the last download from that URL that
 * imported; that record is written only once the file is imported or known, so a download
 * that fails, is cut, or does not parse leaves the database as it was and the next update
 * asks again. Errors: RF_EIO (no connection, timeout, HTTP error; the message says which and
 * whether it looks offline), RF_ELIMIT (too large), or the import's. `opts` may be NULL. */
int rf_list_update(rf_update_result *out, rf_store *st, const char *url,
                   const rf_update_options *opts, rf_error *err);

/* ---- order documents ------------------------------------------------------------------ */

/* An extra column mapping from --map ROLE=HEADER: the column whose header is `header`
 * (case-insensitive) holds parties of role `role`. */
typedef struct rf_column_map {
    const char *role;
    const char *header;
} rf_column_map;

typedef struct rf_order_options {
    const rf_column_map *maps;
    size_t n_maps;
    const char *sheet; /* .xlsx: the sheet to read, by name (any case); NULL: the first visible */
    /* 1: a document with no party at all (a header and no rows, every party cell empty) is
     * read as such; 0: it fails with RF_EFORMAT, since a truncated export must not pass for
     * a clean one. */
    int allow_empty;
    /* Called with each warning about the document (a column not read whose cells read as
     * company names), with the line it concerns; may be NULL. */
    void (*on_warning)(const char *file, long line, const char *message, void *ctx);
    void *warning_ctx;
} rf_order_options;

/* The order formats rf_orders_read tells apart by content. XML is UBL or cXML, told apart by
 * its root element. */
typedef enum rf_order_format {
    RF_ORDER_UNKNOWN = 0,
    RF_ORDER_CSV,    /* orders, party lists and BOMs in CSV */
    RF_ORDER_XML,    /* UBL 2.x documents (Order, OrderChange, PEPPOL BIS 3, ...), cXML OrderRequest */
    RF_ORDER_X12,    /* ANSI X12 interchange (850 purchase orders) */
    RF_ORDER_EDIFACT, /* UN/EDIFACT interchange (ORDERS) */
    RF_ORDER_XLSX     /* an Excel workbook (.xlsx): one sheet read as CSV */
} rf_order_format;

const char *rf_order_format_name(rf_order_format f); /* "csv", "xml", "x12", "edifact", "xlsx" */
/* Names the format from a document's first bytes (decompressed); anything that is not XML,
 * X12 or EDIFACT is taken for CSV. */
rf_order_format rf_order_format_detect(const char *data, size_t len);

/* Reads one order document or BOM in any supported format, detected from its content (gzip
 * accepted, "-" is standard input), and calls `fn` once per party in document order.
 *
 * CSV (a header row, comma / semicolon / tab separated, UTF-8 with or without BOM): a party
 * column is one whose header names a role (customer, supplier, vendor, buyer, consignee,
 * end_user, ship_to, manufacturer, "Ultimate Consignee", "Sold-to party", Lieferant,
 * Fournisseur, 供应商, 仕入先, ...: the table in importers/orders/headers.c, compared
 * ignoring case, accents, spacing and punctuation), plus those named by `opts->maps`;
 * address, city, country and ref columns qualify the parties of the row. When no header
 * names a party column (maps aside) and no map names a manufacturer, the column whose content
 * reads as manufacturer names is taken too (role manufacturer); a file with neither is
 * refused. A column read by none of these whose cells read as company names is a warning
 * (opts->on_warning) naming it and the --map that reads it. Streams: memory does not grow
 * with the file.
 *
 * Excel workbooks (.xlsx, up to 64 MiB): the sheet `opts->sheet` names, else the first
 * visible one, read as the CSV it would export, a spreadsheet row per line (see xlsx.c).
 *
 * UBL, cXML, X12 850 and EDIFACT ORDERS (read whole, up to 64 MiB): every party in its role,
 * the document's number (`ref`), date and type, and for a party of one order line (its
 * manufacturer, its ship-to) that line's number, part number, ECCN, HS code and origin;
 * every party also carries the lines it concerns (rf_party.lines). A party named several ways
 * on the document (trade name, registered name) comes once per name; a ship-to with an
 * address but no name still comes, for the destination check. X12 and EDIFACT files may hold
 * several documents, handed out one after the other.
 *
 * A malformed row or document fails with the file and line (and column or segment in the
 * message) in `err`, after the parties read before it were delivered. A document without a
 * single party fails with RF_EFORMAT unless opts->allow_empty. `opts` may be NULL (no maps,
 * no warnings, empty documents refused). */
int rf_orders_read(const char *path, const rf_order_options *opts, rf_party_fn fn, void *ctx,
                   rf_error *err);
/* The same for a document in memory, data[0..len) (plain or gzip; borrowed for the call),
 * named `name` in the parties' `document` and in messages: a document received over the
 * network is read without a temporary file. */
int rf_orders_read_memory(const char *name, const void *data, size_t len,
                          const rf_order_options *opts, rf_party_fn fn, void *ctx, rf_error *err);

/* ---- tables: reviewers' files ------------------------------------------------------------ */

/* Receives one row of a table: its `n` cells (cells[i] NUL-terminated, lens[i] its length,
 * borrowed for the call) and the line (CSV) or row (.xlsx) it starts on, the header row
 * included. Returns 0 to go on; non-zero stops the reader, which then returns err->code when
 * the callback set one through `err`, else RF_ECANCEL. */
typedef int (*rf_table_row_fn)(long line, const char *const *cells, const size_t *lens, size_t n,
                         void *ctx);

/* Reads a table file row by row: CSV as Excel and LibreOffice save it in any locale (comma,
 * semicolon or tab, whichever the first line uses most; UTF-8, with or without byte-order
 * mark; gzip accepted), or an .xlsx workbook's sheet `sheet` (NULL: the first visible) read
 * as its CSV export; the workbook's other sheets are named through `on_warning` (may be
 * NULL), which receives `ctx` too. A CSV that is not UTF-8 is refused (RF_EFORMAT) with the
 * iconv command that converts it. Errors name the file and line in `err`. Thread-safe; no
 * global state. */
int rf_table_read(const char *path, const char *sheet, rf_table_row_fn fn,
                  void (*on_warning)(const char *file, long line, const char *message, void *ctx),
                  void *ctx, rf_error *err);

/* The documents in directory `dir`, to screen them all: regular files in it and in its
 * subdirectories (links to directories not followed, names starting with '.' left out),
 * sorted by path so that runs are reproducible. *out is a NULL-terminated array (free it with
 * rf_orders_paths_free), *count its length. Symbolic links that lead out of `dir` are not
 * followed: they are handed to `*outside` (NULL-terminated, NULL when none; free it with
 * rf_orders_paths_free) for the caller to name, or dropped when `outside` is NULL. */
int rf_orders_list_dir(char ***out, size_t *count, char ***outside, const char *dir,
                       rf_error *err);
/* Why the file `path` is plainly not an order document, for a directory of orders to skip it
 * with a warning: an Office lock file (~$...), a README, a PDF or an image (told by its
 * first bytes); NULL when it may be an order. A static string. */
const char *rf_orders_skip_reason(const char *path);
void rf_orders_paths_free(char **paths); /* NULL is a no-op */

#endif
