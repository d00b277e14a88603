/* xlsx.c: the report as an Excel workbook (libxlsxwriter), for the reviewer who works in Excel:
 * the rows and columns of the CSV report (csv.c makes them, cell by cell, typed), then
 * empty "decision" and "reason" columns, a drop-down of the three decisions, so that the
 * workbook goes back to `redflag review import` as it is. Fingerprints, list ids and codes are
 * text (Excel would turn "0034" into 34 and a 16-hex fingerprint into a number); line, score
 * and list age are numbers. Names are written as strings, never formulas, so a party named "=HYPERLINK(...)"
 * stays a name.
 *
 * libxlsxwriter writes to a file name, so the workbook is assembled in a temporary file (in
 * $TMPDIR) and copied to the report's stream when the report closes. */
#include "reports/report_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct xlsx_state {
    char path[4096]; /* the temporary workbook */
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *bold;
    lxw_row_t row;    /* the next row to write */
    size_t n_columns; /* the report's, from its header */
};

/* Writes one row of the report (csv.c) into the sheet: numbers as numbers, text as strings
 * (never as formulas, whatever it starts with), empty cells left out; the header bold. */
static int put_xlsx(rf_report *rep, const rf_report_row *row, rf_error *err)
{
    xlsx_state *x = rep->xlsx;
    lxw_error e = LXW_NO_ERROR;

    if (x->row >= LXW_ROW_MAX - 1)
        return rf_error_set(err, RF_ELIMIT, NULL, 0,
                            "more rows than an Excel sheet holds (%d): write CSV or JSON lines",
                            LXW_ROW_MAX);
    for (size_t i = 0; i < row->n && !e; i++) {
        const char *s = rf_report__row_cell(row, i);
        lxw_col_t col = (lxw_col_t)i;
        if (!s[0]) continue;
        e = row->number[i] ? worksheet_write_number(x->sheet, x->row, col, strtod(s, NULL), NULL)
                           : worksheet_write_string(x->sheet, x->row, col, s,
                                                    x->row ? NULL : x->bold);
    }
    if (e)
        return rf_error_set(err, RF_EIO, NULL, 0, "cannot write the workbook: %s",
                            lxw_strerror(e));
    if (x->row == 0) x->n_columns = row->n;
    x->row++;
    return RF_OK;
}

int rf_report__xlsx_open(rf_report *rep, rf_error *err)
{
    xlsx_state *x;
    const char *tmp = getenv("TMPDIR");
    lxw_workbook_options options = {0};
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
    /* the CSV report's header, then the reviewer's two columns */
    if ((rc = rf_report__rows_header(rep, put_xlsx, err))) return rc;
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

int rf_report__xlsx_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err)
{
    return rf_report__rows_party(rep, party, hits, n_hits, put_xlsx, err);
}

int rf_report__xlsx_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_error *err)
{
    return rf_report__rows_warning(rep, file, line, message, put_xlsx, err);
}

int rf_report__xlsx_close(rf_report *rep, rf_error *err)
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

void rf_report__xlsx_free(xlsx_state *x)
{
    if (!x) return;
    if (x->book) lxw_workbook_free(x->book); /* a report that failed: nothing is written */
    if (x->path[0]) unlink(x->path);
    free(x);
}
