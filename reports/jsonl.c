/* jsonl.c: the JSON lines report: one object per screened party, in input order, with its
 * hits; written as each party arrives, so memory does not grow with the run. A warning about
 * an input document is an object of its own, told apart by its "warning" key. */
#include "reports/report_internal.h"

/* The hit's review state: "state", and the decision in force with who took it, when, why,
 * and what changed in the listed record since (null when there is none). */
static int review_fields(rf_buf *b, const rf_report *rep, size_t i)
{
    const rf_hit_note *note = rep->notes ? &rep->notes[i] : NULL;
    const rf_decision *d = note ? note->decision : NULL;
    int rc;

    if ((rc = rf_json_field(b, "state", rf_hit_state_name(rf_report__hit_state(rep, i)))) ||
        (rc = rf_json_field(b, "decision", d ? rf_decision_kind_name(d->kind) : NULL)) ||
        (rc = rf_json_field(b, "decided_by", d ? d->reviewer : NULL)) ||
        (rc = rf_json_field(b, "decided_at", d ? d->decided_at : NULL)) ||
        (rc = rf_json_field(b, "reason", d ? d->reason : NULL)) ||
        (rc = rf_json_field(b, "changes", note ? note->changes : NULL)))
        return rc;
    if (note && note->rescreen) return rf_json_field(b, "rescreen", note->rescreen);
    return RF_OK;
}

/* `,"key":[[start,len],...]`: the matched words, for the report rebuilt from these lines. */
static int spans_field(rf_buf *b, const char *key, const rf_span *spans, size_t n)
{
    int rc = rf_buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; i < n && rc == RF_OK; i++)
        rc = rf_buf_printf(b, "%s[%zu,%zu]", i ? "," : "", spans[i].start, spans[i].len);
    return rc ? rc : rf_buf_putc(b, ']');
}

static int hit_object(rf_buf *b, const rf_report *rep, const rf_hit *hit, size_t rank)
{
    const rf_entity *e = hit->entity;
    const char *matched = hit->name_index < e->n_names ? e->names[hit->name_index].text : NULL;
    rf_buf address = {0};
    char score[8];
    int rc;

    rf_report__score(score, hit->score);
    if ((rc = rf_buf_puts(b, "{\"source_id\":")) || (rc = rf_json_string(b, e->source_id)) ||
        (rc = rf_json_field(b, "list", e->list_code)) || (rc = rf_json_field(b, "list_name", e->list_name)) ||
        (rc = rf_json_field(b, "entity_type", rf_entity_type_name(e->type))) ||
        (rc = rf_json_field(b, "name", e->n_names ? e->names[0].text : NULL)) ||
        (rc = rf_json_field(b, "matched", matched)) ||
        (rc = rf_buf_printf(b, ",\"score\":%s", score)) ||
        (rc = rf_json_field(b, "programs", e->programs)) ||
        (rc = rf_json_field(b, "federal_register", e->federal_register)) ||
        (rc = rf_json_field(b, "start_date", e->start_date)) ||
        (rc = rf_json_field(b, "license_requirement", e->license_requirement)) ||
        (rc = rf_json_field(b, "license_policy", e->license_policy)) ||
        (rc = rf_buf_puts(b, ",\"addresses\":[")))
        return rc;
    for (size_t i = 0; i < e->n_addresses; i++) {
        rf_buf_reset(&address);
        if ((i && (rc = rf_buf_putc(b, ','))) ||
            (rc = rf_report__address(&address, &e->addresses[i])) ||
            (rc = rf_json_string(b, address.data)))
            break;
    }
    rf_buf_free(&address);
    if (rc || (rc = rf_buf_putc(b, ']')) || (rc = rf_json_field(b, "explanation", hit->explanation)) ||
        (rc = rf_json_field(b, "kind", rf_ownership_kind(e))) ||
        /* owned and related hits: who owns what share of whom, the rule and the list */
        (rc = rf_json_field(b, "chain", e->ownership_chain)) ||
        /* the parent its list names (an Entity List affiliate's), or the listed owners */
        (rc = rf_json_field(b, "affiliate_of", e->parent_name)) ||
        (rc = review_fields(b, rep, rank)) ||
        /* what `redflag history import` needs to record the hit: the listed record as this
         * database stores it, and the words that matched */
        (rc = rf_buf_printf(b, ",\"entity_id\":%lld", e->id)) ||
        (rc = spans_field(b, "listed_spans", hit->listed_spans, hit->n_listed_spans)) ||
        (rc = spans_field(b, "party_spans", hit->party_spans, hit->n_party_spans)))
        return rc;
    return rf_buf_putc(b, '}');
}

/* A delisting: the listing the party matched, when it ended, and the note for people. */
static int delisting_object(rf_buf *b, const rf_delisting *d)
{
    const rf_entity *e = d->hit->entity;
    const char *matched = d->hit->name_index < e->n_names ? e->names[d->hit->name_index].text
                                                          : NULL;
    rf_buf note = {0};
    char score[8];
    int rc;

    rf_report__score(score, d->hit->score);
    if ((rc = rf_buf_puts(b, "{\"list\":")) || (rc = rf_json_string(b, e->list_code)) ||
        (rc = rf_json_field(b, "source_id", e->source_id)) || (rc = rf_json_field(b, "name", e->names[0].text)) ||
        (rc = rf_json_field(b, "matched", matched)) || (rc = rf_buf_printf(b, ",\"score\":%s", score)) ||
        (rc = rf_json_field(b, "federal_register", e->federal_register)) ||
        (rc = rf_json_field(b, "start_date", e->start_date)) ||
        (rc = rf_json_field(b, "feed", d->listed_in->feed)) ||
        (rc = rf_buf_printf(b, ",\"listed_until_version\":%lld", d->listed_in->id)) ||
        (rc = rf_json_field(b, "listed_until_published", d->listed_in->published)) ||
        (rc = rf_buf_printf(b, ",\"removed_in_version\":%lld", d->removed_in->id)) ||
        (rc = rf_json_field(b, "removed_in_published", d->removed_in->published)) ||
        (rc = rf_delisting_text(&note, d)) || (rc = rf_json_field(b, "note", note.data)))
        goto cleanup;
    rc = rf_buf_putc(b, '}');

cleanup:
    rf_buf_free(&note);
    return rc;
}

/* The sha256 of each list version the party was screened against, in the order of
 * "versions": ids alone name rows of one database, the digests the files themselves. */
static int version_digests(rf_buf *b, const rf_report *rep)
{
    const rf_version_list *vl = rep->screening ? rep->screening->versions : NULL;
    size_t n = vl ? vl->count : rep->n_versions;
    int rc = RF_OK;
    for (size_t i = 0; i < n && rc == RF_OK; i++)
        if (!(rc = i ? rf_buf_putc(b, ',') : RF_OK))
            rc = rf_json_string(b, vl ? vl->items[i].sha256 : rep->versions[i].sha256);
    return rc;
}

/* The date and list versions the party was screened against, and what it matched before
 * it was delisted: "as_of", "versions" (ids), "version_sha256" and "delisted" ([] when
 * none). */
static int screening_fields(rf_buf *b, const rf_report *rep)
{
    const rf_screening *scr = rep->screening;
    size_t n = scr ? scr->n_delisted : 0;
    int rc;

    if ((rc = rf_json_field(b, "as_of", rf_report__party_as_of(rep))) ||
        (rc = rf_buf_puts(b, ",\"versions\":[")) ||
        (rc = rf_report__party_versions(b, rep, ",")) ||
        (rc = rf_buf_puts(b, "],\"version_sha256\":[")) || (rc = version_digests(b, rep)) ||
        (rc = rf_buf_puts(b, "],\"delisted\":[")))
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((i && (rc = rf_buf_putc(b, ','))) || (rc = delisting_object(b, &scr->delisted[i])))
            return rc;
    return rf_buf_putc(b, ']');
}

/* How old the lists the party was screened against are: "list_age_days", "list_date",
 * "list_date_from" ("published", or "imported" for a version that gives no publication
 * date), "list_feed" of the oldest version, and "lists_stale" (older than the report's
 * max_list_age); null (false) when the report names no version. */
static int list_age_fields(rf_buf *b, const rf_report *rep)
{
    rf_version_age age;
    char on[11];
    int stale, rc = rf_report__party_list_age(&age, &stale, on, rep, NULL);

    if (rc) return rc;
    if (!age.version)
        return rf_buf_puts(b, ",\"list_age_days\":null,\"list_date\":null,"
                              "\"list_date_from\":null,\"list_feed\":null,"
                              "\"lists_stale\":false");
    if ((rc = rf_buf_printf(b, ",\"list_age_days\":%ld,\"list_date\":\"%.10s\"", age.days,
                            age.date)) ||
        (rc = rf_json_field(b, "list_date_from", age.from_import ? "imported" : "published")) ||
        (rc = rf_json_field(b, "list_feed", age.version->feed)))
        return rc;
    return rf_buf_printf(b, ",\"lists_stale\":%s", stale ? "true" : "false");
}

int rf_report__jsonl_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                        size_t n_hits, rf_error *err)
{
    rf_buf *b = &rep->line;
    rf_buf ref = {0};
    const rf_destination *dest = rep->destination;
    int embargo = dest != NULL, rc;

    rf_buf_reset(b);
    if ((rc = rf_report__party_ref(&ref, party)) || (rc = rf_buf_puts(b, "{\"ref\":")) ||
        (rc = rf_json_string(b, ref.data)) || (rc = rf_json_field(b, "document", party->document)) ||
        (rc = rf_buf_printf(b, ",\"line\":%ld", party->line)) ||
        (rc = rf_json_field(b, "role", party->role)) || (rc = rf_json_field(b, "name", party->name)) ||
        (rc = rf_json_field(b, "country", party->country)) ||
        (rc = rf_json_field(b, "status", embargo && !n_hits ? "embargo"
                                                    : rf_report__party_status(rep, n_hits))) ||
        (rc = rf_buf_puts(b, ",\"hits\":[")))
        goto cleanup;
    for (size_t i = 0; i < n_hits; i++)
        if ((i && (rc = rf_buf_putc(b, ','))) || (rc = hit_object(b, rep, hits[i], i)))
            goto cleanup;
    if ((rc = rf_buf_putc(b, ']')) || (rc = rf_json_field(b, "fingerprint", rep->fingerprint)) ||
        (rc = rf_buf_printf(b, ",\"alarm\":%s",
                            embargo || rf_report__party_alarms(rep, hits, n_hits)
                                ? "true"
                                : "false")) ||
        (rc = screening_fields(b, rep)) || (rc = list_age_fields(b, rep)) ||
        (rc = rf_report__order_json(b, party, dest, embargo || n_hits)) ||
        (rc = rf_buf_puts(b, "}\n")))
        goto cleanup;

cleanup:
    rf_buf_free(&ref);
    if (rc)
        return rf_error_set(err, rc, party->document, party->line,
                            "cannot format the report: %s", rf_strerror(rc));
    return rf_report__write(rep, b, err);
}

int rf_report__jsonl_warning(rf_report *rep, const char *file, long line, const char *message,
                            rf_error *err)
{
    rf_buf *b = &rep->line;
    int rc;

    rf_buf_reset(b);
    if ((rc = rf_buf_puts(b, "{\"warning\":")) || (rc = rf_json_string(b, message)) ||
        (rc = rf_json_field(b, "document", file)) || (rc = rf_buf_printf(b, ",\"line\":%ld}\n", line)))
        return rf_error_set(err, rc, file, line, "cannot format the report: %s", rf_strerror(rc));
    return rf_report__write(rep, b, err);
}
