/* csv.c: the CSV report: a header, then one row per hit (a clear party gets one row with the
 * hit columns empty), streamed as parties arrive; the Excel report (xlsx.c) takes its rows. Cells are quoted per RFC 4180 and cells
 * that a spreadsheet would run as a formula are neutralised, since party names come from
 * outside. */
#include "reports/report_internal.h"

#include <string.h>

static const char header[] =
    "ref,document,line,role,name,country,status,list,source_id,listed_name,matched,score,"
    "entity_type,federal_register,license_requirement,license_policy,programs,explanation,"
    "fingerprint,state,decided_by,decided_at,reason,changes,as_of,versions,delisted,"
    RF_REPORT_ORDER_CSV_COLUMNS ",list_age_days,list_date,list_date_from,list_feed,lists_stale"
    "\r\n";

int rf_report_csv_header(rf_buf *out)
{
    return rf_buf_puts(out, header);
}

int rf_report_csv_open(rf_report *rep, rf_error *err)
{
    rf_buf b = {0};
    int rc = rf_report_csv_header(&b);
    if (rc == RF_OK) rc = rf_report_write(rep, &b, err);
    else rf_error_set(err, rc, NULL, 0, "out of memory");
    rf_buf_free(&b);
    return rc;
}

/* The party's columns, up to and including status. */
static int party_cells(rf_buf *b, const char *ref, const rf_party *party, const char *status)
{
    int rc;
    if ((rc = rf_csv_cell(b, ref)) || (rc = rf_buf_putc(b, ',')) ||
        (rc = rf_csv_cell(b, party->document)) || (rc = rf_buf_printf(b, ",%ld,", party->line)) ||
        (rc = rf_csv_cell(b, party->role)) || (rc = rf_buf_putc(b, ',')) ||
        (rc = rf_csv_cell(b, party->name)) || (rc = rf_buf_putc(b, ',')) ||
        (rc = rf_csv_cell(b, party->country)))
        return rc;
    return rf_buf_printf(b, ",%s", status);
}

/* The counterparty and the hit's review state (empty for a party without hits). */
static int review_cells(rf_buf *b, const rf_report *rep, size_t i, int has_hit)
{
    const rf_hit_note *note = has_hit && rep->notes ? &rep->notes[i] : NULL;
    const rf_decision *d = note ? note->decision : NULL;
    const char *cells[] = {rep->fingerprint,
                           has_hit ? rf_hit_state_name(rf_report_hit_state(rep, i)) : NULL,
                           d ? d->reviewer : NULL, d ? d->decided_at : NULL,
                           d ? d->reason : NULL, note ? note->changes : NULL};
    int rc = RF_OK;
    for (size_t c = 0; c < sizeof cells / sizeof cells[0] && rc == RF_OK; c++)
        if ((rc = rf_buf_putc(b, ',')) == RF_OK) rc = rf_csv_cell(b, cells[c]);
    return rc;
}

/* The date and version ids the party was screened against, and its delistings ("; "
 * between them, each with the listed name it matched and its Federal Register notice). */
static int screening_cells(rf_buf *b, const rf_report *rep)
{
    const rf_screening *scr = rep->screening;
    rf_buf cell = {0};
    int rc;

    if ((rc = rf_buf_putc(b, ',')) || (rc = rf_csv_cell(b, rf_report_party_as_of(rep))) ||
        (rc = rf_buf_putc(b, ',')) || (rc = rf_report_party_versions(b, rep, " ")) ||
        (rc = rf_buf_putc(b, ',')))
        return rc;
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
    if (rc == RF_OK && cell.len) rc = rf_csv_cell(b, cell.data);
    rf_buf_free(&cell);
    return rc;
}

/* How old the lists the party was screened against are (the columns of the JSON fields of
 * the same names, see jsonl.c); empty when the report names no version. */
static int list_age_cells(rf_buf *b, const rf_report *rep)
{
    rf_version_age age;
    char on[11];
    int stale, rc = rf_report_party_list_age(&age, &stale, on, rep, NULL);

    if (rc) return rc;
    if (!age.version) return rf_buf_puts(b, ",,,,,false");
    if ((rc = rf_buf_printf(b, ",%ld,%.10s,%s,", age.days, age.date,
                            age.from_import ? "imported" : "published")) ||
        (rc = rf_csv_cell(b, age.version->feed)))
        return rc;
    return rf_buf_printf(b, ",%s", stale ? "true" : "false");
}

static int hit_cells(rf_buf *b, const rf_hit *hit)
{
    const rf_entity *e = hit->entity;
    const char *cells[] = {
        e->list_code,
        e->source_id,
        e->n_names ? e->names[0].text : NULL,
        hit->name_index < e->n_names ? e->names[hit->name_index].text : NULL,
        NULL, /* the score, written below */
        rf_entity_type_name(e->type),
        e->federal_register,
        e->license_requirement,
        e->license_policy,
        e->programs,
        hit->explanation,
    };
    char score[8];
    int rc = RF_OK;

    rf_report_score(score, hit->score);
    for (size_t i = 0; i < sizeof cells / sizeof cells[0] && rc == RF_OK; i++) {
        if ((rc = rf_buf_putc(b, ','))) break;
        rc = i == 4 ? rf_buf_puts(b, score) : rf_csv_cell(b, cells[i]);
    }
    return rc;
}

int rf_report_csv_format(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                         size_t n_hits, rf_error *err)
{
    rf_buf *b = &rep->line;
    rf_buf ref = {0};
    rf_destination dest;
    int embargo = rf_destination_check(&dest, party) == 1, rc;
    const rf_destination *d = embargo ? &dest : NULL;

    rf_buf_reset(b);
    if ((rc = rf_report_party_ref(&ref, party))) goto cleanup;
    if (n_hits == 0) {
        if ((rc = party_cells(b, ref.data, party, embargo ? "embargo" : "clear")) ||
            (rc = rf_buf_puts(b, ",,,,,,,,,,,")) || (rc = review_cells(b, rep, 0, 0)) ||
            (rc = screening_cells(b, rep)) || (rc = rf_report_order_csv(b, party, d, embargo)) ||
            (rc = list_age_cells(b, rep)) || (rc = rf_buf_puts(b, "\r\n")))
            goto cleanup;
    }
    for (size_t i = 0; i < n_hits; i++)
        if ((rc = party_cells(b, ref.data, party, rf_report_party_status(rep, n_hits))) ||
            (rc = hit_cells(b, hits[i])) || (rc = review_cells(b, rep, i, 1)) ||
            (rc = screening_cells(b, rep)) || (rc = rf_report_order_csv(b, party, d, 1)) ||
            (rc = list_age_cells(b, rep)) || (rc = rf_buf_puts(b, "\r\n")))
            goto cleanup;

cleanup:
    rf_buf_free(&ref);
    if (rc)
        return rf_error_set(err, rc, party->document, party->line,
                            "cannot format the report: %s", rf_strerror(rc));
    return RF_OK;
}

int rf_report_csv_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                      size_t n_hits, rf_error *err)
{
    int rc = rf_report_csv_format(rep, party, hits, n_hits, err);
    return rc ? rc : rf_report_write(rep, &rep->line, err);
}

int rf_report_csv_format_warning(rf_report *rep, const char *file, long line,
                                 const char *message, rf_error *err)
{
    rf_buf *b = &rep->line;
    size_t columns = 1, explanation = 0, at = 0;
    int rc;

    /* The message goes in the explanation column, wherever the header puts it. */
    for (const char *p = header; *p != '\r'; p++) {
        if (*p != ',') continue;
        columns++;
        if (strncmp(p + 1, "explanation,", 12) == 0) explanation = columns - 1;
    }
    rf_buf_reset(b);
    if ((rc = rf_buf_putc(b, ',')) || (rc = rf_csv_cell(b, file)) ||
        (rc = rf_buf_printf(b, ",%ld,,,,warning", line)))
        goto fail;
    for (at = 7; at < columns && rc == RF_OK; at++)
        if ((rc = rf_buf_putc(b, ',')) == RF_OK && at == explanation) rc = rf_csv_cell(b, message);
    if (rc || (rc = rf_buf_puts(b, "\r\n"))) goto fail;
    return RF_OK;
fail:
    return rf_error_set(err, rc, file, line, "cannot format the report: %s", rf_strerror(rc));
}

int rf_report_csv_warning(rf_report *rep, const char *file, long line, const char *message,
                          rf_error *err)
{
    int rc = rf_report_csv_format_warning(rep, file, line, message, err);
    return rc ? rc : rf_report_write(rep, &rep->line, err);
}
