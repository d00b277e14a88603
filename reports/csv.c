/* csv.c: the rows of the CSV and Excel reports, and the CSV writer. A header, then one row
 * per hit (a clear party gets one row with the hit columns empty), streamed as parties
 * arrive. A row is made once, cell by cell, text or number (rf_report_row); the CSV writer
 * quotes text per RFC 4180 and neutralises text a spreadsheet would run as a formula, since
 * party names come from outside; the Excel writer (xlsx.c) types each cell instead. */
#include "reports/report_internal.h"

#include <stdio.h>
#include <string.h>

static const char header[] =
    "ref,document,line,role,name,country,status,list,source_id,listed_name,matched,score,"
    "entity_type,federal_register,license_requirement,license_policy,programs,explanation,"
    "fingerprint,state,decided_by,decided_at,reason,changes,as_of,versions,delisted,"
    RF_REPORT_ORDER_CSV_COLUMNS ",list_age_days,list_date,list_date_from,list_feed,lists_stale"
    "\r\n";

/* ---- rows --------------------------------------------------------------------------------- */

static int row_cell(rf_report_row *row, const char *s, int number)
{
    int rc;
    if (row->n == RF_REPORT_MAX_COLUMNS) return RF_ELIMIT;
    row->off[row->n] = row->text.len;
    row->number[row->n] = (unsigned char)number;
    if ((rc = rf_buf_puts(&row->text, s ? s : "")) || (rc = rf_buf_putc(&row->text, '\0')))
        return rc;
    row->n++;
    return RF_OK;
}

int rf_report__row_text(rf_report_row *row, const char *s)
{
    return row_cell(row, s, 0);
}

int rf_report__row_number(rf_report_row *row, const char *digits)
{
    return row_cell(row, digits, 1);
}

const char *rf_report__row_cell(const rf_report_row *row, size_t i)
{
    return i < row->n ? row->text.data + row->off[i] : "";
}

static void row_reset(rf_report_row *row)
{
    rf_buf_reset(&row->text);
    row->n = 0;
}

static int row_long(rf_report_row *row, long v)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%ld", v);
    return rf_report__row_number(row, digits);
}

/* `n` empty cells. */
static int row_empty(rf_report_row *row, size_t n)
{
    int rc = RF_OK;
    for (size_t i = 0; i < n && rc == RF_OK; i++) rc = rf_report__row_text(row, NULL);
    return rc;
}

/* The column of the header named `name` (the header's names hold no comma). */
static size_t column_of(const char *name)
{
    size_t column = 0, len = strlen(name);
    for (const char *p = header; *p != '\r'; p++) {
        if ((p == header || p[-1] == ',') && strncmp(p, name, len) == 0 &&
            (p[len] == ',' || p[len] == '\r'))
            return column;
        column += *p == ',';
    }
    return (size_t)-1;
}

/* The party's columns, up to and including status. */
static int party_cells(rf_report_row *row, const char *ref, const rf_party *party,
                       const char *status)
{
    int rc;
    if ((rc = rf_report__row_text(row, ref)) || (rc = rf_report__row_text(row, party->document)) ||
        (rc = row_long(row, party->line)) || (rc = rf_report__row_text(row, party->role)) ||
        (rc = rf_report__row_text(row, party->name)) ||
        (rc = rf_report__row_text(row, party->country)))
        return rc;
    return rf_report__row_text(row, status);
}

/* The counterparty and the hit's review state (empty for a party without hits). */
static int review_cells(rf_report_row *row, const rf_report *rep, size_t i, int has_hit)
{
    const rf_hit_note *note = has_hit && rep->notes ? &rep->notes[i] : NULL;
    const rf_decision *d = note ? note->decision : NULL;
    const char *cells[] = {rep->fingerprint,
                           has_hit ? rf_hit_state_name(rf_report__hit_state(rep, i)) : NULL,
                           d ? d->reviewer : NULL, d ? d->decided_at : NULL,
                           d ? d->reason : NULL, note ? note->changes : NULL};
    int rc = RF_OK;
    for (size_t c = 0; c < sizeof cells / sizeof cells[0] && rc == RF_OK; c++)
        rc = rf_report__row_text(row, cells[c]);
    return rc;
}

/* The date and version ids the party was screened against, and its delistings ("; "
 * between them, each with the listed name it matched and its Federal Register notice). */
static int screening_cells(rf_report_row *row, const rf_report *rep)
{
    const rf_screening *scr = rep->screening;
    rf_buf cell = {0};
    int rc;

    if ((rc = rf_report__row_text(row, rf_report__party_as_of(rep))) ||
        (rc = rf_report__party_versions(&cell, rep, " ")) ||
        (rc = rf_report__row_text(row, cell.data)))
        goto done;
    rf_buf_reset(&cell);
    for (size_t i = 0; scr && i < scr->n_delisted && rc == RF_OK; i++) {
        const rf_entity *e = scr->delisted[i].hit->entity;
        if ((i && (rc = rf_buf_puts(&cell, "; "))) ||
            (rc = rf_buf_printf(&cell, "%s (%s%s%s): ", e->names[0].text,
                                e->list_code ? e->list_code : "?",
                                e->federal_register ? ", " : "",
                                e->federal_register ? e->federal_register : "")))
            break;
        rc = rf_delisting_text(&cell, &scr->delisted[i]);
    }
    if (rc == RF_OK) rc = rf_report__row_text(row, cell.len ? cell.data : NULL);
done:
    rf_buf_free(&cell);
    return rc;
}

/* How old the lists the party was screened against are (the columns of the JSON fields of
 * the same names, see jsonl.c); empty when the report names no version. */
static int list_age_cells(rf_report_row *row, const rf_report *rep)
{
    rf_version_age age;
    char on[11], date[11];
    int stale, rc = rf_report__party_list_age(&age, &stale, on, rep, NULL);

    if (rc) return rc;
    if (!age.version) {
        if ((rc = row_empty(row, 4))) return rc;
        return rf_report__row_text(row, "false");
    }
    snprintf(date, sizeof date, "%.10s", age.date);
    if ((rc = row_long(row, age.days)) || (rc = rf_report__row_text(row, date)) ||
        (rc = rf_report__row_text(row, age.from_import ? "imported" : "published")) ||
        (rc = rf_report__row_text(row, age.version->feed)))
        return rc;
    return rf_report__row_text(row, stale ? "true" : "false");
}

static int hit_cells(rf_report_row *row, const rf_hit *hit)
{
    const rf_entity *e = hit->entity;
    const char *cells[] = {
        e->list_code,
        e->source_id,
        e->n_names ? e->names[0].text : NULL,
        hit->name_index < e->n_names ? e->names[hit->name_index].text : NULL,
        NULL, /* the score, a number */
        rf_entity_type_name(e->type),
        e->federal_register,
        e->license_requirement,
        e->license_policy,
        e->programs,
        hit->explanation,
    };
    rf_buf why = {0};
    char score[8];
    int rc = RF_OK;

    /* an owned or related hit: the chain first, then how the name matched */
    if (strcmp(rf_ownership_kind(e), "listed") != 0) {
        if ((rc = rf_buf_printf(&why, "%s: %s. Name: %s", rf_ownership_kind(e),
                                e->ownership_chain ? e->ownership_chain : "",
                                hit->explanation ? hit->explanation : "")) != 0)
            return rc;
        cells[10] = why.data;
    }
    rf_report__score(score, hit->score);
    for (size_t i = 0; i < sizeof cells / sizeof cells[0] && rc == RF_OK; i++)
        rc = i == 4 ? rf_report__row_number(row, score) : rf_report__row_text(row, cells[i]);
    rf_buf_free(&why);
    return rc;
}

int rf_report__rows_header(rf_report *rep, rf_report_row_fn put, rf_error *err)
{
    rf_report_row *row = &rep->row;
    int rc = RF_OK;

    row_reset(row);
    for (const char *p = header; *p != '\r' && rc == RF_OK;) {
        size_t len = strcspn(p, ",\r");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        rc = rf_report__row_text(row, name);
        p += len + (p[len] == ',');
    }
    if (rc) return rf_error_set(err, rc, NULL, 0, "cannot format the report: %s", rf_strerror(rc));
    return put(rep, row, err);
}

int rf_report__rows_party(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                         size_t n_hits, rf_report_row_fn put, rf_error *err)
{
    rf_report_row *row = &rep->row;
    rf_buf ref = {0};
    const rf_destination *d = rep->destination;
    int embargo = d != NULL, rc, in_writer = 0;

    if ((rc = rf_report__party_ref(&ref, party))) goto cleanup;
    /* a party without hits: one row, the hit columns empty */
    for (size_t i = 0; i < (n_hits ? n_hits : 1) && rc == RF_OK; i++) {
        row_reset(row);
        if (n_hits == 0) {
            rc = party_cells(row, ref.data, party, embargo ? "embargo" : "clear");
            if (!rc) rc = row_empty(row, 11);
        } else {
            rc = party_cells(row, ref.data, party, rf_report__party_status(rep, n_hits));
            if (!rc) rc = hit_cells(row, hits[i]);
        }
        if (rc || (rc = review_cells(row, rep, i, n_hits > 0)) ||
            (rc = screening_cells(row, rep)) ||
            (rc = rf_report__order_cells(row, party, d, n_hits > 0 || embargo)) ||
            (rc = list_age_cells(row, rep)))
            break;
        in_writer = 1; /* a failure from here on is the writer's, which says so itself */
        if ((rc = put(rep, row, err))) break;
        in_writer = 0;
    }

cleanup:
    rf_buf_free(&ref);
    if (rc && !in_writer)
        return rf_error_set(err, rc, party->document, party->line,
                            "cannot format the report: %s", rf_strerror(rc));
    return rc;
}

int rf_report__rows_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_report_row_fn put, rf_error *err)
{
    rf_report_row *row = &rep->row;
    size_t status = column_of("status"), explanation = column_of("explanation");
    size_t columns = column_of("lists_stale") + 1;
    int rc = RF_OK;

    /* document, line, status "warning" and the message as the explanation; the rest empty */
    row_reset(row);
    for (size_t c = 0; c < columns && rc == RF_OK; c++)
        rc = c == 1             ? rf_report__row_text(row, file)
             : c == 2           ? row_long(row, line)
             : c == status      ? rf_report__row_text(row, "warning")
             : c == explanation ? rf_report__row_text(row, message)
                                : rf_report__row_text(row, NULL);
    if (rc) return rf_error_set(err, rc, file, line, "cannot format the report: %s", rf_strerror(rc));
    return put(rep, row, err);
}

/* ---- the CSV writer ------------------------------------------------------------------------ */

/* A row as a CSV line: text quoted and guarded (rf_csv_cell), numbers as they are. */
static int put_csv(rf_report *rep, const rf_report_row *row, rf_error *err)
{
    rf_buf *b = &rep->line;
    int rc = RF_OK;

    rf_buf_reset(b);
    for (size_t i = 0; i < row->n && rc == RF_OK; i++) {
        const char *s = rf_report__row_cell(row, i);
        if (i && (rc = rf_buf_putc(b, ','))) break;
        rc = row->number[i] ? rf_buf_puts(b, s) : rf_csv_cell(b, s);
    }
    if (rc == RF_OK) rc = rf_buf_puts(b, "\r\n");
    if (rc) return rf_error_set(err, rc, NULL, 0, "cannot format the report: %s", rf_strerror(rc));
    return rf_report__write(rep, b, err);
}

int rf_report__csv_open(rf_report *rep, rf_error *err)
{
    return rf_report__rows_header(rep, put_csv, err);
}

int rf_report__csv_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                      size_t n_hits, rf_error *err)
{
    return rf_report__rows_party(rep, party, hits, n_hits, put_csv, err);
}

int rf_report__csv_warning(rf_report *rep, const char *file, long line, const char *message,
                          rf_error *err)
{
    return rf_report__rows_warning(rep, file, line, message, put_csv, err);
}
