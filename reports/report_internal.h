/* report_internal.h: what the report writers (jsonl.c, csv.c, html.c, xlsx.c) share with report.c:
 * the report object, the per-hit entry point, and the text helpers that make a string safe
 * for JSON, CSV and HTML. Private to reports/ and its tests. */
#ifndef RF_REPORT_INTERNAL_H
#define RF_REPORT_INTERNAL_H

#include "reports/rf_reports.h"
#include "ownership/rf_ownership.h"

typedef struct html_state html_state;
typedef struct xlsx_state xlsx_state;

/* One row of the CSV and Excel reports (csv.c), cell by cell in the CSV header's order: each
 * cell's text, NUL-terminated in `text` ("" when empty), and whether it is a number (line,
 * score, age in days), so that the CSV writer quotes and guards text as CSV needs while the
 * Excel writer types each cell. */
#define RF_REPORT_MAX_COLUMNS 64
typedef struct rf_report_row {
    rf_buf text;
    size_t off[RF_REPORT_MAX_COLUMNS];
    unsigned char number[RF_REPORT_MAX_COLUMNS];
    size_t n;
} rf_report_row;

struct rf_report {
    rf_report_format format;
    FILE *out;
    /* The context, deep-copied: the snapshot that owns the versions may go first. */
    double threshold;
    int max_list_age; /* days (rf_report_set_max_list_age) */
    char *as_of;
    char *generated_at;
    char *tool_version;
    long long run_id; /* the run recorded, 0: none */
    long rescreened;  /* rescreen: the counterparties rescreened */
    char *user, *command;
    rf_version *versions;
    size_t n_versions;
    rf_buf line;          /* the output of one party, written in one go */
    rf_report_row row;    /* the CSV / Excel row being made */
    const rf_hit **hits;  /* the result's hits, gathered for the writers */
    size_t hits_cap;
    html_state *html;     /* RF_REPORT_HTML only */
    xlsx_state *xlsx;     /* RF_REPORT_XLSX only */
    /* The review state of the party being added (rf_report_add_reviewed), NULL otherwise. */
    const char *fingerprint;
    const rf_hit_note *notes;
    /* What the party being added was screened against (rf_report_set_screening), or NULL. */
    const rf_screening *screening;
    /* The destination finding of the party being added, NULL for none: the screener's
     * (rf_screening.destination), else made once by report.c into `own_destination`. The
     * writers read it here and never check the party themselves. */
    const rf_destination *destination;
    rf_destination own_destination;
};

/* The date the party being added was screened as of (its own, else the run's; NULL: the
 * day of the run), and the ids of its versions ("2 3", or "2,3" in JSON), appended. */
const char *rf_report__party_as_of(const rf_report *rep);
int rf_report__party_versions(rf_buf *out, const rf_report *rep, const char *sep);
/* The oldest of the versions the party being added was screened against, with its age on
 * the party's date (its own as-of date, else the run's, else the day the report was made),
 * which is written into `on`; out->version is NULL when the report names no version. *stale
 * is 1 when that age is over the report's max_list_age. */
int rf_report__party_list_age(rf_version_age *out, int *stale, char on[11],
                             const rf_report *rep, rf_error *err);

/* The state of hit `i` of the party being added (RF_HIT_NEW without notes). */
rf_hit_state rf_report__hit_state(const rf_report *rep, size_t i);
/* The party's most urgent hit state among its n_hits (RF_HIT_NEW when it has none). */
rf_hit_state rf_report__party_state(const rf_report *rep, size_t n_hits);
/* 1 when one of the party's hits is an alarm (rf_hit_alarms): a party whose open hits are
 * findings to review only is "review" but no alarm, amber, never "likely". */
int rf_report__party_alarms(const rf_report *rep, const rf_hit *const *hits, size_t n_hits);
/* The party's status word in JSON lines and CSV: "clear" without hits, else "review" (a new
 * or changed hit), "confirmed", "escalated", "cleared", "delisted" or "dropped". */
const char *rf_report__party_status(const rf_report *rep, size_t n_hits);

/* Adds one party and its hits (best first). rf_report_add gathers them from an rf_result;
 * tests hand them in directly. Nothing is kept from `party` or `hits` after the call. */
int rf_report__add_hits(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err);

/* Writes `b` to the report's stream; RF_EIO (with the reason) when the stream fails. */
int rf_report__write(rf_report *rep, const rf_buf *b, rf_error *err);

/* The party's reference, or "document:line" when it has none, into `out` (reset first). */
int rf_report__party_ref(rf_buf *out, const rf_party *party);

/* The address as one line, "text, city, country", skipping parts that are empty. */
int rf_report__address(rf_buf *out, const rf_address *a);

/* `score` rounded to 3 decimals, "0.953", whatever the process's locale. */
void rf_report__score(char out[8], double score);

/* ---- text ----------------------------------------------------------------------------- */

/* Each appends to `out`. NULL text counts as empty. Bytes that are not UTF-8 become U+FFFD, so
 * the output stays well-formed whatever got past the importers. */

/* rf_json_string, rf_csv_cell, rf_html_text and rf_html_name are public: see rf_reports.h. */
/* rf_html_text with the byte ranges `spans` (any order, may overlap, clamped to the text and
 * widened to whole characters) wrapped in <mark>; rf_html_name is this inside <bdi>. */
int rf_html__marked(rf_buf *out, const char *s, const rf_span *spans, size_t n_spans);

/* HTML appended with a sticky error, so rendering reads as a sequence of writes checked
 * once at the end: each call does nothing once rc is set. html.c and orders.c both write
 * this way. NULL text appends nothing. */
typedef struct rf_hb {
    rf_buf *b;
    int rc;
} rf_hb;
void rf_hb__raw(rf_hb *h, const char *s);  /* as it is */
void rf_hb__text(rf_hb *h, const char *s); /* escaped (rf_html_text) */
void rf_hb__name(rf_hb *h, const char *s); /* a name, isolated (rf_html_name) */
void rf_hb__num(rf_hb *h, long n);
/* open, escaped s, close: <tag>text</tag> */
void rf_hb__elem(rf_hb *h, const char *open, const char *s, const char *close);

/* ---- order documents (orders.c) ------------------------------------------------------- */

/* JSON: appends the party's document and order-line fields ("format", "doc_type", "date",
 * "address", "city", "region", "party_id", "order_line", "part_number", "eccn", "hs_code",
 * "origin"), its destination finding ("embargo": object or null) and, when `flagged`, the
 * order lines the finding concerns ("lines", else []). `dest` is NULL without a finding. */
int rf_report__order_json(rf_buf *b, const rf_party *party, const rf_destination *dest,
                         int flagged);
/* CSV and Excel: the cells of the columns RF_REPORT_ORDER_CSV_COLUMNS names, added to `row`. */
#define RF_REPORT_ORDER_CSV_COLUMNS \
    "format,doc_type,date,order_line,part_number,eccn,hs_code,lines,embargo,embargo_reason"
int rf_report__order_cells(rf_report_row *row, const rf_party *party,
                          const rf_destination *dest, int flagged);
/* HTML: the red block of a destination finding, appended. */
int rf_html__embargo(rf_buf *out, const rf_destination *d);
/* HTML: findings grouped by order (a structured document, an order of an X12 or EDIFACT
 * file, a CSV row by its ref). Each party is added with its status word and whether it is
 * flagged, and *group is set to its order's index; rf_html__docs_article appends a flagged
 * counterparty's card to that order. Render writes every order that has a finding: its
 * number, date, parties and the order lines concerned, then the cards. *docs is created on
 * first use. */
typedef struct rf_html_docs rf_html_docs;
int rf_html__docs_add(rf_html_docs **docs, size_t *group, const rf_party *party,
                     const char *status, int flagged);
int rf_html__docs_article(rf_html_docs *docs, size_t group, const rf_buf *article);
int rf_html__docs_render(rf_buf *out, const rf_html_docs *docs);
void rf_html__docs_free(rf_html_docs *docs); /* NULL is a no-op */

/* ---- writers -------------------------------------------------------------------------- */

int rf_report__jsonl_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                        size_t n_hits, rf_error *err);
/* The rows of the CSV and Excel reports: a cell added to `row` (NULL: empty), as text or as
 * a number (RF_ELIMIT past RF_REPORT_MAX_COLUMNS); the text of cell `i`. */
int rf_report__row_text(rf_report_row *row, const char *s);
int rf_report__row_number(rf_report_row *row, const char *digits);
const char *rf_report__row_cell(const rf_report_row *row, size_t i);
/* Makes the header row, each row of a party, or the row of a warning about an input, in
 * rep->row, and hands each to `put`, the writer's. */
typedef int (*rf_report_row_fn)(rf_report *rep, const rf_report_row *row, rf_error *err);
int rf_report__rows_header(rf_report *rep, rf_report_row_fn put, rf_error *err);
int rf_report__rows_party(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                         size_t n_hits, rf_report_row_fn put, rf_error *err);
int rf_report__rows_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_report_row_fn put, rf_error *err);
int rf_report__csv_open(rf_report *rep, rf_error *err);
int rf_report__csv_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                      size_t n_hits, rf_error *err);
int rf_report__xlsx_open(rf_report *rep, rf_error *err);
int rf_report__xlsx_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err);
int rf_report__xlsx_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_error *err);
int rf_report__xlsx_close(rf_report *rep, rf_error *err);
void rf_report__xlsx_free(xlsx_state *x);
int rf_report__html_open(rf_report *rep, rf_error *err);
int rf_report__html_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err);
int rf_report__html_failure(rf_report *rep, const rf_error *failure, rf_error *err);
int rf_report__jsonl_warning(rf_report *rep, const char *file, long line, const char *message,
                            rf_error *err);
int rf_report__csv_warning(rf_report *rep, const char *file, long line, const char *message,
                          rf_error *err);
int rf_report__html_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_error *err);
int rf_report__html_close(rf_report *rep, rf_error *err);
void rf_report__html_free(html_state *h);

#endif
