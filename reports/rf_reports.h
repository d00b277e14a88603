/* rf_reports.h: writing screening results. One report object per output; parties are added
 * in input order with their hits, and closing the report finishes the file. JSON lines and
 * CSV stream as parties arrive; HTML keeps the flagged parties in memory until close, since
 * its summary comes first. Reports read results, never the index.
 *
 * Threads: a report is written by one thread at a time (parties arrive in input order); any
 * number of reports may be written at once. A party and its result may be reused once added;
 * the snapshot its hits point into must outlive the report. */
#ifndef RF_REPORTS_H
#define RF_REPORTS_H

#include <stdio.h>

#include "../audit/rf_audit.h"
#include "../engine/rf_engine.h"

typedef enum rf_report_format {
    RF_REPORT_JSONL = 0,
    RF_REPORT_CSV,
    RF_REPORT_HTML,
    RF_REPORT_XLSX /* the CSV report's rows in an Excel workbook, ready for review import */
} rf_report_format;

/* Parses "jsonl", "csv", "html" or "xlsx"; RF_EUSAGE otherwise. */
int rf_report_format_parse(rf_report_format *out, const char *name);

/* What the whole run was screened against, for the summary and for reproducibility. */
typedef struct rf_report_context {
    const rf_version_list *versions; /* list versions used */
    double threshold;
    const char *as_of;        /* date screened as of, NULL for now */
    const char *generated_at; /* UTC ISO 8601 time of the run */
    const char *tool_version;
    /* Who ran what, for the HTML report's header; each may be 0 / NULL. */
    long long run_id;         /* the run as recorded in the audit trail */
    const char *user;         /* who ran it */
    const char *command;      /* the command line, as typed */
    /* A rescreen: the counterparties rescreened, of which the report holds those that
     * changed; 0 for a screening, which holds every party screened. */
    long rescreened;
} rf_report_context;

typedef struct rf_report rf_report;

/* Starts a report written to `out` (not closed by the report). The context is copied. */
int rf_report_open(rf_report **out_report, rf_report_format format, FILE *out,
                   const rf_report_context *ctx, rf_error *err);
/* Lists older than `days` on the date a party is screened as of are stale (default
 * RF_DEFAULT_MAX_LIST_AGE): every party's JSON object and CSV rows carry the age of the
 * oldest version it was screened against ("list_age_days", "list_date", "list_date_from",
 * "list_feed", "lists_stale"), and the HTML verdict of a run on stale lists is amber at best,
 * naming each stale list, its date, and `redflag lists update`. RF_EUSAGE when days < 0. */
int rf_report_set_max_list_age(rf_report *rep, int days, rf_error *err);
/* Adds one screened party and its hits (copied as needed; `res` may be reused afterwards). */
int rf_report_add(rf_report *rep, const rf_party *party, const rf_result *res, rf_error *err);

/* ---- screening as of a date ------------------------------------------------------------ */

/* A party that is clear on the date it was screened as of, but matches a party that the
 * previous version of a feed listed and the version in force removed: it was delisted. The
 * party's status stays "clear"; the legal team still wants to know (an order dated just
 * after the delisting, a party that may be listed again). */
typedef struct rf_delisting {
    const rf_hit *hit;            /* the match against the entity as it was listed */
    const rf_version *listed_in;  /* the last version that listed it */
    const rf_version *removed_in; /* the version in force, which no longer does */
} rf_delisting;

/* What one party was screened against when that is not the same for the whole run (screen
 * --as-of document screens each order as of its own date), and its delistings. */
typedef struct rf_screening {
    const char *as_of;               /* YYYY-MM-DD screened as of; NULL: the run's */
    const rf_version_list *versions; /* versions used; NULL: the run's */
    const rf_delisting *delisted;
    size_t n_delisted;
    /* Its destination finding, when the screener made it (the session does, once per party):
     * destination_checked 1, and destination the finding or NULL for none. With
     * destination_checked 0 the report makes it itself (rf_destination_check). */
    int destination_checked;
    const rf_destination *destination;
} rf_screening;

/* Applies `scr` (NULL: none) to the next party added (rf_report_add or
 * rf_report_add_reviewed), which is then shown with its date, its versions and its
 * delistings; `scr` and what it points to must stay valid until that call. Every version a
 * party used is added to the versions the report names. */
int rf_report_set_screening(rf_report *rep, const rf_screening *scr, rf_error *err);

/* "delisted: was on DPL until version 2 published 2018-05-01, removed in version 3 published
 * 2018-08-01", appended to `out`. */
int rf_delisting_text(rf_buf *out, const rf_delisting *d);

/* ---- review state ----------------------------------------------------------------------- */

/* What earlier reviews say about one hit (and, in a rescreen, why it is reported). */
typedef struct rf_hit_note {
    const rf_decision *decision; /* the decision in force on this party and entity; NULL: none */
    int record_changed;          /* the listed record changed since that decision */
    const char *changes;         /* what changed, for people; may be NULL */
    const char *rescreen;        /* rescreen: "new", "changed", "delisted", "dropped"; else NULL */
} rf_hit_note;

/* A hit's state, most urgent first. New, changed, confirmed and escalated hits are alarms: a
 * party with one must not ship until someone decides (an escalated hit is undecided). */
typedef enum rf_hit_state {
    RF_HIT_CONFIRMED = 0, /* confirmed to be the listed party */
    RF_HIT_CHANGED,       /* cleared, but the listed record changed since */
    RF_HIT_NEW,           /* never reviewed */
    RF_HIT_ESCALATED,     /* handed to someone who decides */
    RF_HIT_CLEARED,       /* cleared, and the listed record is the one cleared: known, quiet */
    RF_HIT_DELISTED,      /* rescreen: no longer in the lists in force */
    RF_HIT_DROPPED        /* rescreen: still listed, no longer matched */
} rf_hit_state;

rf_hit_state rf_hit_note_state(const rf_hit_note *note); /* NULL: RF_HIT_NEW */
/* "confirmed", "changed", "new", "escalated", "cleared", "delisted", "dropped" */
const char *rf_hit_state_name(rf_hit_state s);
int rf_hit_state_alarms(rf_hit_state s); /* 1 for confirmed, changed, new, escalated */
/* 1 when `hit` in state `s` is an alarm: rf_hit_state_alarms, except that a finding to review
 * only (a related finding without --related-alarm, rf_ownership_alarms) that is new or
 * changed is not one; confirmed or escalated, it is. */
int rf_hit_alarms(const rf_hit *hit, rf_hit_state s);

/* rf_report_add for hits already gathered (from a result, or replayed from the audit trail),
 * with the counterparty's fingerprint and one note per hit (`notes` may be NULL: every hit
 * new), so the report shows each hit's review state and counts new alarms apart from known
 * ones. Nothing is kept from the arguments after the call. */
int rf_report_add_reviewed(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                           size_t n_hits, const char *fingerprint, const rf_hit_note *notes,
                           rf_error *err);

/* For callers writing their own JSON or CSV (the audit export). Each appends to `out`; NULL
 * text counts as empty; bytes that are not UTF-8 become U+FFFD. */
/* A JSON string literal with its quotes, or null for NULL. */
int rf_json_string(rf_buf *out, const char *s);
/* `,"key":` and the string, or null (the key is written as it is: a name, not text). */
int rf_json_field(rf_buf *out, const char *key, const char *value);
/* One CSV cell: quoted when it holds a separator, quote or line break; a cell that starts
 * with = + - @ TAB or CR is prefixed with ' so spreadsheets do not run it as a formula. */
int rf_csv_cell(rf_buf *out, const char *s);
/* HTML text or attribute content with & < > " ' escaped, controls and bidirectional
 * formatting characters left out (NULL counts as empty). The server's pages use it too. */
int rf_html_text(rf_buf *out, const char *s, size_t len);
/* A name (from an order or a list) inside <bdi>, isolated from the text around it, with the
 * byte ranges `spans` (the words a hit matched, rf_hit) wrapped in <mark>: how the HTML report
 * and the server's case page show why two names matched. */
int rf_html_name(rf_buf *out, const char *s, const rf_span *spans, size_t n_spans);
/* Records a warning about an input document (`file`, `line` 0 when none): a column of names
 * that was not read. Every format carries it: an object {"warning", "document", "line"} among
 * the JSON lines, a row with status "warning" and the message as its explanation in CSV, a
 * table under the HTML verdict (which is then no longer green). */
int rf_report_add_warning(rf_report *rep, const char *file, long line, const char *message,
                          rf_error *err);
/* Records a document that could not be read (shown in the HTML summary). */
int rf_report_add_failure(rf_report *rep, const rf_error *failure, rf_error *err);
/* Finishes the output (HTML is written here) and frees the report. */
int rf_report_close(rf_report *rep, rf_error *err);
/* Frees without writing anything more; NULL is a no-op. */
void rf_report_free(rf_report *rep);

/* ---- JSON lines read back ------------------------------------------------------------ */

/* A hit of a JSON line: the listed record by its id in the database that screened it, what
 * the line says it is (list, source_id, matched name) to check that id against, and the
 * matched words. Strings are borrowed from the parsed line. */
typedef struct rf_jsonl_hit {
    long long entity_id;
    const char *source_id, *list_code, *matched, *explanation;
    double score;
    size_t *spans; /* owned: the listed spans, then the party's, as start/len pairs */
    size_t n_listed_spans, n_party_spans;
} rf_jsonl_hit;

/* One line of `redflag screen --format jsonl` (rf_jsonl_party_parse; rf_jsonl_party_free).
 * `party` is what the report shows of the party: `ref` is the written one (the document
 * and line when the input had none). A warning line has `warning` set and nothing else. */
typedef struct rf_jsonl_party {
    rf_party party;
    const char *fingerprint; /* NULL: a party without a name to carry decisions */
    const char *as_of;       /* NULL: screened on the day of its run */
    long long *version_ids;  /* the versions it was screened against, with their sha256 */
    const char **version_sha256;
    size_t n_versions;
    rf_jsonl_hit *hits;
    size_t n_hits;
    int warning;
    rf_order_line *lines; /* private: what party.lines points at */
    void *json;           /* private: the parsed line, which owns the strings */
} rf_jsonl_party;

/* Parses one JSON line (`len` bytes, no newline needed); RF_EFORMAT naming FILE:LINE and
 * the field when it is not a line screen writes. `out` is freed on error. */
int rf_jsonl_party_parse(rf_jsonl_party *out, const char *line, size_t len, const char *file,
                         long line_number, rf_error *err);
void rf_jsonl_party_free(rf_jsonl_party *p); /* NULL is a no-op */

#endif
