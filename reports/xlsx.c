/* xlsx.c: the report as an Excel workbook (libxlsxwriter), for the reviewer who works in Excel:
 * the rows and columns of the CSV report (csv.c formats them; this writer types them), then
 * empty "decision" and "reason" columns, a drop-down of the three decisions, so that the
 * workbook goes back to `redflag review import` as it is. Fingerprints, list ids and codes are
 * text (Excel would turn "0034" into 34 and a 16-hex fingerprint into a number); line and score
 * are numbers. Names are written as strings, never formulas, so a party named "=HYPERLINK(...)"
 * stays a name.
 *
 * libxlsxwriter writes to a file name, so the workbook is assembled in a temporary file (in
 * $TMPDIR) and copied to the report's stream when the report closes. */
#include "reports/report_internal.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define MAX_COLUMNS 64 /* the CSV report has 37; room for more */

struct xlsx_state {
    char path[4096]; /* the temporary workbook */
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *bold, *wrap;
    struct csv_parser parser;
    int parser_ready;
    lxw_row_t row;     /* the row being written */
    lxw_col_t col;     /* the cell being written */
    int numeric[MAX_COLUMNS]; /* 1 for the columns written as numbers */
    size_t n_columns;
    lxw_error failed; /* the first libxlsxwriter error */
};

/* Writes one cell of the current row, as CSV gave it. */
static void on_cell(void *data, size_t len, void *ctx)
{
    rf_report *rep = ctx;
    xlsx_state *x = rep->xlsx;
    char *s = data ? data : "";
    lxw_error e = LXW_NO_ERROR;

    (void)len;
    if (x->failed || x->col >= MAX_COLUMNS) return;
    /* csv.c guards formulas with a leading apostrophe, for spreadsheets that open CSV; a
     * string cell never runs as a formula, so the guard goes */
    if (s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1])) s++;
    if (x->row == 0) {
        e = worksheet_write_string(x->sheet, 0, x->col, s, x->bold);
        x->numeric[x->col] = strcmp(s, "line") == 0 || strcmp(s, "score") == 0;
        x->n_columns = (size_t)x->col + 1;
    } else if (s[0] && x->numeric[x->col]) {
        e = worksheet_write_number(x->sheet, x->row, x->col, strtod(s, NULL), NULL);
    } else if (s[0]) {
        e = worksheet_write_string(x->sheet, x->row, x->col, s, NULL);
    }
    if (e) x->failed = e;
    x->col++;
}

static void on_row(int terminator, void *ctx)
{
    rf_report *rep = ctx;
    (void)terminator;
    rep->xlsx->row++;
    rep->xlsx->col = 0;
}

/* Writes the CSV text in `b` (whole rows) into the sheet. */
static int put_rows(rf_report *rep, const rf_buf *b, rf_error *err)
{
    xlsx_state *x = rep->xlsx;
    if (x->row >= LXW_ROW_MAX - 1)
        return rf_error_set(err, RF_ELIMIT, NULL, 0,
                            "more rows than an Excel sheet holds (%d): write CSV or JSON lines",
                            LXW_ROW_MAX);
    if (csv_parse(&x->parser, b->data ? b->data : "", b->len, on_cell, on_row, rep) != b->len)
        return rf_error_set(err, RF_EFORMAT, NULL, 0, "cannot write the workbook: %s",
                            csv_strerror(csv_error(&x->parser)));
    if (x->failed)
        return rf_error_set(err, RF_EIO, NULL, 0, "cannot write the workbook: %s",
                            lxw_strerror(x->failed));
    return RF_OK;
}

int rf_report_xlsx_open(rf_report *rep, rf_error *err)
{
    xlsx_state *x;
    const char *tmp = getenv("TMPDIR");
    lxw_workbook_options options = {0};
    rf_buf header = {0};
    int fd, rc;

    if (!(x = rep->xlsx = calloc(1, sizeof *x)))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    snprintf(x->path, sizeof x->path, "%s/redflag-report-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if ((fd = mkstemp(x->path)) < 0) {
        rc = rf_error_set(err, RF_EIO, x->path, 0, "cannot make the workbook's temporary file: %s",
                          strerror(errno));
        x->path[0] = '\0';
        return rc;
    }
    close(fd);
    options.constant_memory = 1; /* rows go to disk as they are written */
    options.tmpdir = tmp && tmp[0] ? (char *)tmp : NULL;
    if (!(x->book = workbook_new_opt(x->path, &options)) ||
        !(x->sheet = workbook_add_worksheet(x->book, "Report")))
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "cannot start the workbook");
    x->bold = workbook_add_format(x->book);
    format_set_bold(x->bold);
    if (csv_init(&x->parser, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    x->parser_ready = 1;
    /* the CSV report's header, then the reviewer's two columns */
    if ((rc = rf_report_csv_header(&header)) || (rc = put_rows(rep, &header, err))) {
        rf_buf_free(&header);
        return rc == RF_ENOMEM ? rf_error_set(err, rc, NULL, 0, "out of memory") : rc;
    }
    rf_buf_free(&header);
    if (x->n_columns + 2 > MAX_COLUMNS)
        return rf_error_set(err, RF_ELIMIT, NULL, 0, "the report has too many columns");
    {
        lxw_col_t decision = (lxw_col_t)x->n_columns;
        static const char *choices[] = {"clear", "confirm", "escalate", NULL};
        lxw_data_validation v = {0};
        worksheet_write_string(x->sheet, 0, decision, "decision", x->bold);
        worksheet_write_string(x->sheet, 0, decision + 1, "reason", x->bold);
        v.validate = LXW_VALIDATION_TYPE_LIST;
        v.value_list = (char **)choices;
        v.input_title = "Decision";
        v.input_message = "clear, confirm or escalate; then a reason, and redflag review import";
        worksheet_data_validation_range(x->sheet, 1, decision, LXW_ROW_MAX - 1, decision, &v);
        worksheet_set_column(x->sheet, decision + 1, decision + 1, 40, NULL);
    }
    worksheet_freeze_panes(x->sheet, 1, 0);
    worksheet_set_column(x->sheet, 4, 4, 36, NULL);  /* name */
    worksheet_set_column(x->sheet, 9, 9, 36, NULL);  /* listed_name */
    worksheet_set_column(x->sheet, 17, 17, 60, NULL); /* explanation */
    return RF_OK;
}

int rf_report_xlsx_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err)
{
    int rc = rf_report_csv_format(rep, party, hits, n_hits, err);
    return rc ? rc : put_rows(rep, &rep->line, err);
}

int rf_report_xlsx_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_error *err)
{
    int rc = rf_report_csv_format_warning(rep, file, line, message, err);
    return rc ? rc : put_rows(rep, &rep->line, err);
}

int rf_report_xlsx_close(rf_report *rep, rf_error *err)
{
    xlsx_state *x = rep->xlsx;
    lxw_error e;
    FILE *f;
    char chunk[65536];
    size_t n;
    int rc = RF_OK;

    worksheet_autofilter(x->sheet, 0, 0, x->row ? x->row - 1 : 0, (lxw_col_t)(x->n_columns + 1));
    e = workbook_close(x->book);
    x->book = NULL;
    if (e)
        return rf_error_set(err, RF_EIO, x->path, 0, "cannot write the workbook: %s",
                            lxw_strerror(e));
    if (!(f = fopen(x->path, "rb")))
        return rf_error_set(err, RF_EIO, x->path, 0, "cannot read the workbook back: %s",
                            strerror(errno));
    while (rc == RF_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (fwrite(chunk, 1, n, rep->out) != n)
            rc = rf_error_set(err, RF_EIO, NULL, 0, "cannot write the report: %s",
                              strerror(errno));
    if (rc == RF_OK && ferror(f))
        rc = rf_error_set(err, RF_EIO, x->path, 0, "cannot read the workbook back");
    fclose(f);
    return rc;
}

void rf_report_xlsx_free(xlsx_state *x)
{
    if (!x) return;
    if (x->book) lxw_workbook_free(x->book); /* a report that failed: nothing is written */
    if (x->parser_ready) csv_free(&x->parser);
    if (x->path[0]) unlink(x->path);
    free(x);
}
