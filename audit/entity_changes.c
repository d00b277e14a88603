/* entity_changes.c: what changed between two records of one listed entity, in words a
 * reviewer reads ("alias added: ...; address removed: ...; license policy: A -> B"), so an
 * alarm that returns after a hit was cleared says why it returned. */
#include "rf_audit.h"

#include <string.h>

/* The change list is for people: past this many bytes it ends with "...". */
#define CHANGES_MAX 4000

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int part(rf_buf *out, const char *what, const char *text)
{
    int rc;
    if (out->len >= CHANGES_MAX) return RF_OK;
    if ((out->len && (rc = rf_buf_puts(out, "; ")) != 0) ||
        (rc = rf_buf_printf(out, "%s: %s", what, text)) != 0)
        return rc;
    if (out->len >= CHANGES_MAX) return rf_buf_puts(out, " ...");
    return RF_OK;
}

static int field(rf_buf *out, const char *what, const char *before, const char *after)
{
    rf_buf b = {0};
    int rc;
    if (same(before, after)) return RF_OK;
    rc = rf_buf_printf(&b, "%s -> %s", before && before[0] ? before : "(none)",
                       after && after[0] ? after : "(none)");
    if (rc == RF_OK) rc = part(out, what, b.data);
    rf_buf_free(&b);
    return rc;
}

static int has_name(const rf_entity *e, const rf_name *n)
{
    for (size_t i = 0; i < e->n_names; i++)
        if (strcmp(e->names[i].text, n->text) == 0) return 1;
    return 0;
}

static int has_address(const rf_entity *e, const rf_address *a)
{
    for (size_t i = 0; i < e->n_addresses; i++)
        if (same(e->addresses[i].text, a->text) && same(e->addresses[i].city, a->city) &&
            same(e->addresses[i].country, a->country))
            return 1;
    return 0;
}

/* "text, city, country", the parts that are there. */
static int address_text(rf_buf *b, const rf_address *a)
{
    const char *parts[] = {a->text, a->city, a->country};
    int rc = RF_OK;
    rf_buf_reset(b);
    for (size_t i = 0; i < 3 && rc == RF_OK; i++) {
        if (!parts[i] || !parts[i][0]) continue;
        if (b->len) rc = rf_buf_puts(b, ", ");
        if (rc == RF_OK) rc = rf_buf_puts(b, parts[i]);
    }
    return rc == RF_OK ? rf_buf_append(b, "", 0) : rc;
}

/* Names or addresses in `a` and not in `b`, each as "<what>: text". A changed primary name
 * is said once, as "name: before -> after". */
static int names_missing(rf_buf *out, const rf_entity *a, const rf_entity *b, const char *what)
{
    int primary_changed = a->n_names && b->n_names && strcmp(a->names[0].text, b->names[0].text);
    int rc = RF_OK;
    for (size_t i = primary_changed ? 1 : 0; i < a->n_names && rc == RF_OK; i++)
        if (!has_name(b, &a->names[i])) rc = part(out, what, a->names[i].text);
    return rc;
}

static int addresses_missing(rf_buf *out, const rf_entity *a, const rf_entity *b,
                             const char *what)
{
    rf_buf text = {0};
    int rc = RF_OK;
    for (size_t i = 0; i < a->n_addresses && rc == RF_OK; i++) {
        if (has_address(b, &a->addresses[i])) continue;
        if ((rc = address_text(&text, &a->addresses[i])) == RF_OK)
            rc = part(out, what, text.len ? text.data : "(empty)");
    }
    rf_buf_free(&text);
    return rc;
}

int rf_entity_changes(rf_buf *out, const rf_entity *before, const rf_entity *after)
{
    int rc = RF_OK;

    rf_buf_reset(out);
    if (!before || !after) return RF_EUSAGE;
    for (size_t i = 0; i < sizeof rf_entity_fields / sizeof *rf_entity_fields && rc == RF_OK;
         i++) {
        rf_entity_field f = rf_entity_fields[i];
        if (f == RF_FIELD_NAMES) {
            if ((rc = field(out, "name", before->n_names ? before->names[0].text : NULL,
                            after->n_names ? after->names[0].text : NULL)) == RF_OK &&
                (rc = names_missing(out, after, before, "name added")) == RF_OK)
                rc = names_missing(out, before, after, "name removed");
        } else if (f == RF_FIELD_ADDRESSES) {
            if ((rc = addresses_missing(out, after, before, "address added")) == RF_OK)
                rc = addresses_missing(out, before, after, "address removed");
        } else {
            rc = field(out, rf_entity_field_name(f), rf_entity_field_text(before, f),
                       rf_entity_field_text(after, f));
        }
    }
    if (rc) return rc;
    /* Only the kind of a name changed (alias -> former name), or a field nobody reads: still
     * a change, since the content hash says so. */
    if (out->len == 0 && (rc = rf_buf_puts(out, "the listed record was amended")) != 0) return rc;
    return rf_buf_append(out, "", 0);
}
