/* rf_reports.h: writing screening results. One report object per output; parties are added
 * in input order with their hits, and closing the report finishes the file. JSON lines and
 * CSV stream as parties arrive; HTML keeps the flagged parties in memory until close, since
 * its summary comes first. Reports read results, never the index. */
#ifndef RF_REPORTS_H
#define RF_REPORTS_H

#include <stdio.h>

#include "../engine/rf_engine.h"

typedef enum rf_report_format {
    RF_REPORT_JSONL = 0,
    RF_REPORT_CSV,
    RF_REPORT_HTML
} rf_report_format;

/* Parses "jsonl", "csv" or "html"; RF_EUSAGE otherwise. */
int rf_report_format_parse(rf_report_format *out, const char *name);

/* What the whole run was screened against, for the summary and for reproducibility. */
typedef struct rf_report_context {
    const rf_version_list *versions; /* list versions used */
    double threshold;
    const char *as_of;        /* date screened as of, NULL for now */
    const char *generated_at; /* UTC ISO 8601 time of the run */
    const char *tool_version;
} rf_report_context;

typedef struct rf_report rf_report;

/* Starts a report written to `out` (not closed by the report). The context is copied. */
int rf_report_open(rf_report **out_report, rf_report_format format, FILE *out,
                   const rf_report_context *ctx, rf_error *err);
/* Adds one screened party and its hits (copied as needed; `res` may be reused afterwards). */
int rf_report_add(rf_report *rep, const rf_party *party, const rf_result *res, rf_error *err);
/* Records a document that could not be read (shown in the HTML summary). */
int rf_report_add_failure(rf_report *rep, const rf_error *failure, rf_error *err);
/* Finishes the output (HTML is written here) and frees the report. */
int rf_report_close(rf_report *rep, rf_error *err);
/* Frees without writing anything more; NULL is a no-op. */
void rf_report_free(rf_report *rep);

#endif
