/* orders.h: what the order readers of importers/orders share (private to the folder): each
 * format's entry point, called by rf_orders_read once the content has named the format, and
 * the in-memory order document that the structured readers (UBL, cXML, X12, EDIFACT) fill
 * and then hand out party by party.
 *
 * A structured document is read whole before its first party goes out, because its document
 * parties (buyer, ship-to) come before the lines they concern, and each party carries those
 * lines. Documents are small; the caps below bound what a hostile one can make us hold. */
#ifndef RF_ORDERS_H
#define RF_ORDERS_H

#include "importers/rf_importers.h"

#define ORD_DOC_MAX ((size_t)64 << 20) /* largest UBL / cXML / X12 / EDIFACT file, bytes */
#define ORD_MAX_PARTIES 100000        /* parties per document */
#define ORD_MAX_LINES 1000000         /* lines per document */
#define ORD_MAX_VALUE 4096            /* bytes kept of one value (a name, an address part) */
#define ORD_MAX_NAMES 4               /* names one party goes by on one document */

/* ---- format readers ------------------------------------------------------------------- */

/* CSV: streams from `r` (already open on `path`) after the `head_len` bytes of `head` that
 * format detection read first. Takes over nothing: the caller closes `r`. */
int rf_orders__csv_read(const char *path, rf_reader *r, const char *head, size_t head_len,
                 const rf_order_options *opts, rf_party_fn fn, void *ctx, rf_error *err);

/* What a CSV column holds, by its header (headers.c). */
typedef enum ord_col_kind {
    ORD_COL_IGNORE = 0,
    ORD_COL_PARTY,
    ORD_COL_ADDRESS,
    ORD_COL_CITY,
    ORD_COL_COUNTRY,
    ORD_COL_REF,
    ORD_COL_DATE,
    ORD_COL_ITEM,
    ORD_COL_KINDS
} ord_col_kind;

/* The header `header` (len bytes) as headers are compared, into out: case folded, accents
 * and compatibility forms (no-break space, fullwidth letters) plain, and every run of
 * spaces, tabs, underscores, hyphens or punctuation one '_', none at the ends ("Ship-to
 * party" and "SHIP_TO  PARTY" are both ship_to_party). Cut at out_size. */
void rf_orders__header_key(char *out, size_t out_size, const char *header, size_t len);
/* The one table of header words in every language (headers.c), its entries normalised with
 * rf_orders__header_key once per file read rather than once per column. */
typedef struct ord_header_table ord_header_table;
int rf_orders__header_table_new(ord_header_table **out); /* RF_ENOMEM */
void rf_orders__header_table_free(ord_header_table *t);  /* NULL is a no-op */
/* What the column headed `header` holds: ORD_COL_PARTY with the role of its parties in *role
 * (static), a qualifier kind, or ORD_COL_IGNORE. *rank orders columns of the same kind: lower
 * is the better name for it ("Part Number" before "Item"). */
ord_col_kind rf_orders__header_kind(const ord_header_table *t, const char **role, int *rank,
                             const char *header, size_t len);

/* What a cell reads as, for judging a column by its content (bom.c). */
enum {
    ORD_CELL_NAME = 1,       /* words, not a part number, a value or a reference designator */
    ORD_CELL_MAKER = 2,      /* a manufacturer known in electronics */
    ORD_CELL_COMPANY = 4,    /* a legal form or a word companies name themselves with */
    ORD_CELL_LEGAL = 8,      /* a legal form (GmbH, Co., Ltd., S.p.A., 有限公司, ...) */
    ORD_CELL_COMPONENT = 16  /* names a component type (Capacitor, Resistor, ...) */
};
int rf_orders__cell_traits(const char *cell);

/* Counts of the traits of a column's non-empty cells in the rows looked at. */
typedef struct ord_col_traits {
    size_t cells, names, legal, components;
} ord_col_traits;
void rf_orders__col_traits_add(ord_col_traits *t, int traits);
/* 1 when a column that nothing reads holds company names by these counts (the rule is in
 * bom.c): the reader then says so, since a listed party in it would go unscreened. */
int rf_orders__col_holds_names(const ord_col_traits *t);

/* Sampled CSV rows for rf_orders__guess_manufacturer_column: the trimmed text of column `col` in
 * row `row`, NULL when empty. */
typedef const char *(*ord_cell_fn)(size_t row, size_t col, void *ctx);
/* Which of `n_cols` columns holds manufacturer names, judging by their content in `n_rows`
 * sampled rows (the heuristic is described in bom.c); columns with skip[col] set already have
 * a meaning. -1 when no column reads as manufacturers. */
int rf_orders__guess_manufacturer_column(size_t n_rows, size_t n_cols, const unsigned char *skip,
                                  ord_cell_fn cell, void *ctx);

/* The structured formats read a whole file held in memory. An XML file is UBL or cXML by
 * its root element. */
int rf_orders__xml_read(const char *path, const char *data, size_t len, rf_party_fn fn, void *ctx,
                 rf_error *err);
int rf_orders__x12_read(const char *path, const char *data, size_t len, rf_party_fn fn, void *ctx,
                 rf_error *err);
int rf_orders__edifact_read(const char *path, const char *data, size_t len, rf_party_fn fn,
                     void *ctx, rf_error *err);
/* An .xlsx workbook held in memory: its sheet, as CSV, through rf_orders__csv_read. */
int rf_orders__xlsx_read(const char *path, const char *data, size_t len,
                         const rf_order_options *opts, rf_party_fn fn, void *ctx, rf_error *err);
/* The sheet `sheet` (NULL: the first visible) of an .xlsx workbook as the CSV text Excel would
 * export, comma separated, a row per line, into `csv` (replaced); the names of the sheets not
 * read appended to `others` ("\"Notes\", \"Old\" (hidden)"; may be NULL). */
int rf_orders__xlsx_csv(rf_buf *csv, rf_buf *others, const char *path, const char *data, size_t len,
                 const char *sheet, rf_error *err);
/* Says through `on_warning` (may be NULL) that the sheets `others` (NULL or "": none) of the
 * workbook `path` were not read. */
void rf_orders__warn_other_sheets(const char *path, const char *others,
                           void (*on_warning)(const char *, long, const char *, void *), void *ctx);

/* The separator of a CSV file: whichever of comma, semicolon and tab its first line (of the
 * `len` bytes of `s`) uses most outside quotes; comma when none (a one-column file). */
unsigned char rf_orders__csv_separator(const char *s, size_t len);

/* ---- the order document --------------------------------------------------------------- */

/* A string kept in the document's arena, by offset (the arena moves as it grows); 0 is
 * "none". */
typedef size_t ord_str;

/* An address as the formats split it; composed into one line when the party goes out. */
typedef struct ord_addr {
    ord_str street, number, extra, city, region, postal, country;
} ord_addr;

typedef struct ord_party {
    ord_str role;
    ord_str names[ORD_MAX_NAMES]; /* distinct names (trade name, registered name, ...) */
    ord_str id;                   /* "scheme:id" */
    ord_addr addr;
    long line;                    /* line of the file where the party starts */
    size_t order_line;            /* 1-based index into the document's lines; 0: document party */
} ord_party;

/* Part numbers by who assigned them; the best one known names the line's item. */
enum { ORD_PART_MANUFACTURER, ORD_PART_SELLER, ORD_PART_BUYER, ORD_PART_OTHER, ORD_PARTS };

typedef struct ord_line {
    long line;
    ord_str number, description, quantity, eccn, hs, origin;
    ord_str parts[ORD_PARTS];
} ord_line;

typedef struct ord_doc {
    const char *path;
    const char *format;  /* static: "ubl", "cxml", "x12", "edifact" */
    rf_buf arena;
    ord_str doc_type, number, date;
    ord_party *parties;
    size_t n_parties, parties_cap;
    ord_line *lines;
    size_t n_lines, lines_cap;
} ord_doc;

void rf_orders__doc_init(ord_doc *d, const char *path, const char *format);
/* Empties the document for the next one in the same file (X12 and EDIFACT files hold
 * several). */
void rf_orders__doc_reset(ord_doc *d);
void rf_orders__doc_free(ord_doc *d);

/* The string at `s`, NULL for 0. Valid until the arena grows. */
const char *rf_orders__get(const ord_doc *d, ord_str s);

/* Stores a value: white-space runs become one space, the ends are trimmed, and past
 * ORD_MAX_VALUE bytes it is cut at a character boundary. *out is 0 for an empty value. */
int rf_orders__put(ord_str *out, ord_doc *d, const char *s, size_t len);
/* rf_orders__put unless *out already holds a value: the first occurrence wins. */
int rf_orders__put_first(ord_str *out, ord_doc *d, const char *s, size_t len);
/* Appends a value to *out after `sep` (or stores it when *out is empty). */
int rf_orders__append(ord_str *out, ord_doc *d, const char *sep, const char *s, size_t len);

/* Adds a party (role copied) starting at file line `line`, on order line `order_line`
 * (1-based index into lines, 0 for the document). *index receives its index. */
int rf_orders__party_add(size_t *index, ord_doc *d, const char *role, long line, size_t order_line,
                  rf_error *err);
/* Adds a name to party `i` unless it already has it (compared ignoring ASCII case). */
int rf_orders__party_name(ord_doc *d, size_t i, const char *s, size_t len);
/* Adds a line starting at file line `line`; *index receives its 1-based index. */
int rf_orders__line_add(size_t *index, ord_doc *d, long line, rf_error *err);

/* Files a classification code of line `line_index` (1-based) under ECCN or HS by its scheme
 * ("ECCN", "HS", "HTS", "Schedule B", ...), or by its look when the scheme says nothing
 * (5A002, EAR99 are ECCNs). Returns 0 whether or not it was recognised. */
int rf_orders__classify(ord_doc *d, size_t line_index, const char *scheme, const char *code,
                 size_t code_len);

/* Converts a role as formats spell it ("soldTo", "FreightForwarder", "LW") to redflag's
 * ("sold_to", "freight_forwarder", "l_w") into out: ASCII letters, digits and '_' only. */
void rf_orders__snake_case(char *out, size_t out_size, const char *s, size_t len);

/* Room for any role a reader writes from its own table of codes ("freight_forwarder" is the
 * longest, 17 bytes) or makes with rf_orders__code_role; longer codes are cut. */
#define ORD_ROLE_MAX 32

/* The role of a party whose code the reader does not know: `prefix` and the code's first
 * letters and digits, lower case ("n1_" and "LW" give "n1_lw"). */
void rf_orders__code_role(char *out, size_t out_size, const char *prefix, const char *code,
                          size_t len);

/* Moves *pos forward by up to `n` bytes of data[0, len), adding to *line the line ends it
 * passes (LF, CR, or CR LF counted once), so the segment readers (X12, EDIFACT) can name the
 * physical line of what they report whatever the file's line ends. */
void rf_orders__advance(size_t *pos, long *line, const char *data, size_t len, size_t n);

/* Hands every party of the document to `fn` in document order, one call per name; a party
 * without a name still goes out when it has an address, a country or an identifier, since
 * the destination check needs no name. */
int rf_orders__doc_emit(ord_doc *d, rf_party_fn fn, void *ctx, rf_error *err);

#endif
