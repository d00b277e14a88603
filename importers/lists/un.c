/* un.c: the UN Security Council Consolidated List as XML (CONSOLIDATED_LIST with INDIVIDUALS
 * and ENTITIES), read as a stream (xml.c). Feed "un", list code "UN".
 *
 * A person's name is FIRST_NAME SECOND_NAME THIRD_NAME FOURTH_NAME joined (an entity's is its
 * FIRST_NAME); NAME_ORIGINAL_SCRIPT is kept as a name of kind "original". Aliases carry a
 * QUALITY: "Good" (and "a.k.a.") make aliases, "Low" weak aliases, "f.k.a." former names.
 * REFERENCE_NUMBER ("QDi.004") is the source id, LISTED_ON the start date, UN_LIST_TYPE the
 * program (the sanctions regime: Al-Qaida, DPRK, ...); NATIONALITY, dates of birth,
 * documents and addresses are kept. The root's dateGenerated is the publication date. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIST_NAME "United Nations Security Council Consolidated List"

static const char *const records[] = {"CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL",
                                      "CONSOLIDATED_LIST/ENTITIES/ENTITY", NULL};

enum { R_INDIVIDUAL, R_ENTITY };

typedef struct un_reader {
    rf_list_ctx *cx;
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
    long individuals, entities;
} un_reader;

/* The group paths of one kind of record ("INDIVIDUAL_ALIAS" or "ENTITY_ALIAS"). */
typedef struct groups {
    const char *alias, *alias_quality, *alias_name;
    const char *address, *street, *city, *state, *zip, *country;
} groups;

static const groups individual_groups = {
    "INDIVIDUAL_ALIAS", "INDIVIDUAL_ALIAS/QUALITY", "INDIVIDUAL_ALIAS/ALIAS_NAME",
    "INDIVIDUAL_ADDRESS", "INDIVIDUAL_ADDRESS/STREET", "INDIVIDUAL_ADDRESS/CITY",
    "INDIVIDUAL_ADDRESS/STATE_PROVINCE", "INDIVIDUAL_ADDRESS/ZIP_CODE",
    "INDIVIDUAL_ADDRESS/COUNTRY"};
static const groups entity_groups = {
    "ENTITY_ALIAS", "ENTITY_ALIAS/QUALITY", "ENTITY_ALIAS/ALIAS_NAME",
    "ENTITY_ADDRESS", "ENTITY_ADDRESS/STREET", "ENTITY_ADDRESS/CITY",
    "ENTITY_ADDRESS/STATE_PROVINCE", "ENTITY_ADDRESS/ZIP_CODE", "ENTITY_ADDRESS/COUNTRY"};

static rf_name_kind alias_kind(const char *quality)
{
    if (quality && strcasecmp(quality, "Low") == 0) return RF_NAME_WEAK_ALIAS;
    if (quality && strcasecmp(quality, "f.k.a.") == 0) return RF_NAME_FORMER;
    return RF_NAME_ALIAS;
}

/* "EXACT 1971" -> "1971"; "APPROXIMATELY 1960" -> "circa 1960"; "BETWEEN" -> "1954-1956". */
static int add_birth(un_reader *r, rf_entity *e, const rf_xml_record *rec, size_t at, long line)
{
    static const char stop[] = "INDIVIDUAL_DATE_OF_BIRTH";
    const char *type = rf_xml__get(rec, at, "INDIVIDUAL_DATE_OF_BIRTH/TYPE_OF_DATE", stop);
    const char *date = rf_xml__get(rec, at, "INDIVIDUAL_DATE_OF_BIRTH/DATE", stop);
    const char *year = rf_xml__get(rec, at, "INDIVIDUAL_DATE_OF_BIRTH/YEAR", stop);
    const char *from = rf_xml__get(rec, at, "INDIVIDUAL_DATE_OF_BIRTH/FROM_YEAR", stop);
    const char *to = rf_xml__get(rec, at, "INDIVIDUAL_DATE_OF_BIRTH/TO_YEAR", stop);
    char dob[64];
    int n;

    if (from && to) n = snprintf(dob, sizeof dob, "%s-%s", from, to);
    else if (date || year)
        n = snprintf(dob, sizeof dob, "%s%s", type && strcasecmp(type, "APPROXIMATELY") == 0 ? "circa " : "",
                     date ? date : year);
    else return 0;
    return rf_list__join(r->cx, &e->dates_of_birth, dob,
                        n < (int)sizeof dob ? (size_t)n : sizeof dob - 1, line);
}

static int add_document(un_reader *r, rf_entity *e, const rf_xml_record *rec, size_t at, long line)
{
    static const char stop[] = "INDIVIDUAL_DOCUMENT";
    return rf_list__add_id(r->cx, &e->ids,
                           rf_xml__get(rec, at, "INDIVIDUAL_DOCUMENT/TYPE_OF_DOCUMENT", stop),
                           rf_xml__get(rec, at, "INDIVIDUAL_DOCUMENT/NUMBER", stop),
                           rf_xml__get(rec, at, "INDIVIDUAL_DOCUMENT/ISSUING_COUNTRY", stop), line);
}

static int add_address(un_reader *r, rf_entity *e, const groups *g, const rf_xml_record *rec,
                       size_t at, long line)
{
    const char *parts[] = {rf_xml__get(rec, at, g->street, g->address),
                           rf_xml__get(rec, at, g->city, g->address),
                           rf_xml__get(rec, at, g->state, g->address),
                           rf_xml__get(rec, at, g->zip, g->address)};
    int rc;
    const char *text = rf_list__concat(r->cx, parts, sizeof parts / sizeof *parts, &rc);
    if (rc) return rc;
    return rf_list__address(r->cx, r->addresses, &e->n_addresses, text, parts[1],
                           rf_xml__get(rec, at, g->country, g->address), line);
}

static int on_party(un_reader *r, const rf_xml_record *rec, int individual)
{
    rf_list_ctx *cx = r->cx;
    const groups *g = individual ? &individual_groups : &entity_groups;
    static const char *const name_parts[] = {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                             "FOURTH_NAME"};
    rf_entity e;
    rf_buf name = {0};
    char listed[11];
    int rc = 0;

    cx->sum->rows++;
    rf_list__entity_begin(cx, &e, rec->line, "UN", LIST_NAME);
    e.type = individual ? RF_ENTITY_PERSON : RF_ENTITY_ORGANIZATION;
    if (!(e.source_id = rf_xml__get(rec, 0, "REFERENCE_NUMBER", NULL)) &&
        !(e.source_id = rf_xml__get(rec, 0, "DATAID", NULL)))
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "%s %ld has no REFERENCE_NUMBER or DATAID",
                            individual ? "INDIVIDUAL" : "ENTITY", rec->index);
    for (size_t i = 0; i < 4 && rc == 0; i++) {
        const char *part = rf_xml__get(rec, 0, name_parts[i], NULL);
        if (part) rc = (name.len && rf_buf_putc(&name, ' ')) || rf_buf_puts(&name, part);
    }
    r->names.n = 0;
    r->names.parent = NULL;
    if (rc == 0 && name.len)
        rc = rf_names__add(&r->names, name.data, name.len, RF_NAME_PRIMARY, cx, rec->line);
    else if (rc == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, rec->line, "%s has no name", e.source_id);
    else
        rc = rf_list__fail(cx, RF_ENOMEM, rec->line, "out of memory");
    rf_buf_free(&name);
    if (rc) return rc;

    e.programs = rf_xml__get(rec, 0, "UN_LIST_TYPE", NULL);
    e.start_date = rf_list__date(cx, rec->line, "LISTED_ON", rf_xml__get(rec, 0, "LISTED_ON", NULL),
                                NULL, listed, &rc);
    if (rc) return rc;
    e.remarks = rf_xml__get(rec, 0, "COMMENTS1", NULL);
    e.addresses = r->addresses;
    for (size_t i = 1; i < rec->n && rc == 0; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        if (!n->value) {
            if (strcmp(n->path, g->alias) == 0) {
                const char *alias = rf_xml__get(rec, i + 1, g->alias_name, g->alias);
                if (alias)
                    rc = rf_names__add(
                        &r->names, alias, strlen(alias),
                        alias_kind(rf_xml__get(rec, i + 1, g->alias_quality, g->alias)), cx,
                        n->line);
            } else if (strcmp(n->path, g->address) == 0) {
                rc = add_address(r, &e, g, rec, i + 1, n->line);
            } else if (strcmp(n->path, "INDIVIDUAL_DATE_OF_BIRTH") == 0) {
                rc = add_birth(r, &e, rec, i + 1, n->line);
            } else if (strcmp(n->path, "INDIVIDUAL_DOCUMENT") == 0) {
                rc = add_document(r, &e, rec, i + 1, n->line);
            }
        } else if (strcmp(n->path, "NAME_ORIGINAL_SCRIPT") == 0) {
            rc =
                rf_names__add(&r->names, n->value, strlen(n->value), RF_NAME_ORIGINAL, cx, n->line);
        } else if (strcmp(n->path, "NATIONALITY/VALUE") == 0) {
            rc = rf_list__nationality(cx, &e.nationalities, n->value, strlen(n->value), n->line);
        } else if (strcmp(n->path, "TITLE/VALUE") == 0 || strcmp(n->path, "DESIGNATION/VALUE") == 0) {
            rc = rf_list__join(cx, &e.title, n->value, strlen(n->value), n->line);
        }
    }
    if (rc) return rc;
    e.names = r->names.names;
    e.n_names = r->names.n;
    if ((rc = rf_list__emit(cx, &e)) == 0) {
        if (individual) r->individuals++;
        else r->entities++;
    }
    return rc;
}

static int on_record(const rf_xml_record *rec, void *ctx)
{
    return on_party(ctx, rec, rec->spec == R_INDIVIDUAL);
}

static int parse(rf_list_ctx *cx)
{
    un_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    rc = rf_xml__read(cx, records, on_record, r);
    if (rc == 0 && r->individuals + r->entities == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no INDIVIDUAL or ENTITY in the file");
    free(r);
    return rc;
}

static int published(char out[11], rf_list_ctx *cx)
{
    return rf_xml__root_date(out, cx, "CONSOLIDATED_LIST", "dateGenerated");
}

static int detect(const rf_list_sample *s)
{
    return rf_xml__root_is(s->head, s->head_len, "CONSOLIDATED_LIST", NULL) == 1;
}

const rf_list_format_def rf_list_un_format = {
    RF_LIST_UN_XML, "un-xml", "un", detect, published, parse, NULL,
};
