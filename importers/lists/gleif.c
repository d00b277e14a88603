/* gleif.c: GLEIF's published files, streamed (the golden copy is gigabytes):
 *  - LEI-CDF level 1 (lei:LEIData, LEI-CDF 2.1 and 3.1): one entity per LEIRecord, list code
 *    GLEIF, its legal name, other and transliterated names as aliases, legal address, and
 *    identifiers "LEI X; Registration Y (CC)": the names a consolidation link's LEIs need.
 *    Feed "gleif-lei", format "gleif-lei".
 *  - RR-CDF level 2 (rr:RelationshipData): the accounting-consolidation parents,
 *    IS_DIRECTLY_CONSOLIDATED_BY (direct) and IS_ULTIMATELY_CONSOLIDATED_BY (not direct),
 *    as links of kind consolidation, child LEI owned by parent LEI, without a share, with the
 *    relationship period as start and end dates and the validation sources as source. Fund
 *    management and sub-fund links are not ownership: counted and said in one warning, as are
 *    relationships no longer ACTIVE. Feed "gleif-rr", format "gleif-rr".
 * Both take their publication date from the header's ContentDate. */
#include "list_import.h"

#include <string.h>

#define LEI_NS "http://www.gleif.org/data/schema/leidata/2016"
#define RR_NS "http://www.gleif.org/data/schema/rr/2016"

static const char *const lei_records[] = {"LEIData/LEIRecords/LEIRecord", NULL};
static const char *const rr_records[] = {"RelationshipData/RelationshipRecords/RelationshipRecord",
                                         NULL};

/* The ContentDate of the header, from the first bytes of the file. */
static int content_date(char out[11], rf_list_ctx *cx)
{
    const char *end = cx->sample->head + cx->sample->head_len;
    const char *p = rf_find(cx->sample->head, end, "ContentDate>");
    out[0] = '\0';
    if (p && end - p >= 22) {
        memcpy(out, p + 12, 10);
        out[10] = '\0';
        if (!rf_list_date_plausible(out)) out[0] = '\0';
    }
    return 0;
}

/* ---- level 1 --------------------------------------------------------------------------- */

static int on_lei(const rf_xml_record *rec, void *ctx)
{
    rf_list_ctx *cx = ctx;
    cx->sum->rows++;
    rf_name names[RF_MAX_NAMES];
    rf_address addr;
    rf_entity e;
    const char *lei = rf_xml_get(rec, 0, "LEI", NULL);
    const char *legal = rf_xml_get(rec, 0, "Entity/LegalName", NULL);
    const char *country = rf_xml_get(rec, 0, "Entity/LegalAddress/Country", NULL);
    const char *ids = NULL;
    size_t n = 0;
    int rc;

    if (!lei || !legal)
        return rf_list_fail(cx, RF_EFORMAT, rec->line, "an LEI record without LEI or LegalName");
    rf_list_entity_begin(cx, &e, rec->line, "GLEIF", "GLEIF LEI record (not listed)");
    names[n++] = (rf_name){legal, RF_NAME_PRIMARY};
    for (size_t i = 0; i < rec->n && n < RF_MAX_NAMES; i++) {
        const char *path = rec->nodes[i].path, *v = rec->nodes[i].value;
        if (!v) continue;
        if (strcmp(path, "Entity/OtherEntityNames/OtherEntityName") == 0 ||
            strcmp(path, "Entity/TransliteratedOtherEntityNames/TransliteratedOtherEntityName") == 0)
            names[n++] = (rf_name){v, RF_NAME_ALIAS};
    }
    if ((rc = rf_list_add_id(cx, &ids, "LEI", lei, NULL, rec->line)) != 0 ||
        (rc = rf_list_add_id(cx, &ids, "Registration",
                             rf_xml_get(rec, 0, "Entity/RegistrationAuthority/RegistrationAuthorityEntityID", NULL),
                             country, rec->line)) != 0)
        return rc;
    addr.text = rf_xml_get(rec, 0, "Entity/LegalAddress/FirstAddressLine", NULL);
    addr.city = rf_xml_get(rec, 0, "Entity/LegalAddress/City", NULL);
    addr.country = country;
    e.source_id = lei;
    e.type = RF_ENTITY_ORGANIZATION;
    e.ids = ids;
    e.names = names;
    e.n_names = n;
    e.addresses = &addr;
    e.n_addresses = 1;
    e.remarks = rf_xml_get(rec, 0, "Entity/EntityStatus", NULL);
    return rf_list_emit(cx, &e);
}

static int parse_lei(rf_list_ctx *cx)
{
    return rf_xml_read(cx, lei_records, on_lei, cx);
}

static int detect_lei(const rf_list_sample *s)
{
    return rf_xml_root_is(s->head, s->head_len, "LEIData", LEI_NS) == 1;
}

const rf_list_format_def rf_list_gleif_lei_format = {
    RF_LIST_GLEIF_LEI, "gleif-lei", "gleif-lei", detect_lei, content_date, parse_lei, NULL};

/* ---- level 2 --------------------------------------------------------------------------- */

typedef struct rr_reader {
    rf_list_ctx *cx;
    char as_of[11];
    long other, inactive, links;
} rr_reader;

static int on_rr(const rf_xml_record *rec, void *ctx)
{
    rr_reader *r = ctx;
    rf_list_ctx *cx = r->cx;
    cx->sum->rows++;
    const char *type = rf_xml_get(rec, 0, "Relationship/RelationshipType", NULL);
    const char *status = rf_xml_get(rec, 0, "Relationship/RelationshipStatus", NULL);
    const char *child = rf_xml_get(rec, 0, "Relationship/StartNode/NodeID", NULL);
    const char *parent = rf_xml_get(rec, 0, "Relationship/EndNode/NodeID", NULL);
    const char *child_ids = NULL, *parent_ids = NULL;
    char start[11], end[11];
    rf_link l;
    int rc = 0, direct;

    if (!type || !child || !parent)
        return rf_list_fail(cx, RF_EFORMAT, rec->line,
                            "a relationship record without type, start or end node");
    direct = strcmp(type, "IS_DIRECTLY_CONSOLIDATED_BY") == 0;
    if (!direct && strcmp(type, "IS_ULTIMATELY_CONSOLIDATED_BY") != 0) {
        r->other++;
        return 0;
    }
    if (status && strcmp(status, "ACTIVE") != 0) {
        r->inactive++;
        return 0;
    }
    rf_strpool_reset(&cx->pool);
    memset(&l, 0, sizeof l);
    /* the period of the relationship itself, not of its accounting or documents */
    for (size_t i = 0; i < rec->n; i++)
        if (rec->nodes[i].value &&
            strcmp(rec->nodes[i].path,
                   "Relationship/RelationshipPeriods/RelationshipPeriod/PeriodType") == 0 &&
            strcmp(rec->nodes[i].value, "RELATIONSHIP_PERIOD") == 0) {
            size_t at = i;
            while (at > 0 && strcmp(rec->nodes[at].path,
                                    "Relationship/RelationshipPeriods/RelationshipPeriod") != 0)
                at--;
            l.start_date = rf_list_date(cx, rec->line, "StartDate",
                                        rf_xml_get(rec, at + 1, "Relationship/RelationshipPeriods/"
                                                            "RelationshipPeriod/StartDate",
                                                   "Relationship/RelationshipPeriods/"
                                                   "RelationshipPeriod"),
                                        NULL, start, &rc);
            if (!rc)
                l.end_date = rf_list_date(cx, rec->line, "EndDate",
                                          rf_xml_get(rec, at + 1, "Relationship/RelationshipPeriods/"
                                                              "RelationshipPeriod/EndDate",
                                                     "Relationship/RelationshipPeriods/"
                                                     "RelationshipPeriod"),
                                          NULL, end, &rc);
            break;
        }
    if (rc || (rc = rf_list_add_id(cx, &child_ids, "LEI", child, NULL, rec->line)) != 0 ||
        (rc = rf_list_add_id(cx, &parent_ids, "LEI", parent, NULL, rec->line)) != 0)
        return rc;
    l.owned_ids = child_ids;
    l.owner_ids = parent_ids;
    l.share_min = l.share_max = -1;
    l.kind = RF_LINK_CONSOLIDATION;
    l.direct = direct;
    l.relation = type;
    l.source = rf_xml_get(rec, 0, "Registration/ValidationSources", NULL);
    l.as_of = r->as_of[0] ? r->as_of : NULL;
    l.source_line = rec->line;
    if ((rc = rf_import_add_link(cx->imp, &l, cx->err)) != 0) {
        if (cx->err && !cx->err->file[0])
            snprintf(cx->err->file, sizeof cx->err->file, "%s", cx->name);
        return rc;
    }
    r->links++;
    return 0;
}

static int parse_rr(rf_list_ctx *cx)
{
    rr_reader r = {cx, "", 0, 0, 0};
    int rc;
    content_date(r.as_of, cx);
    if ((rc = rf_xml_read(cx, rr_records, on_rr, &r)) != 0) return rc;
    if (r.other || r.inactive)
        rc = rf_list_warn(cx, 0, "%ld relationship records not about consolidation (fund "
                          "management, sub-funds) and %ld no longer active were not read",
                          r.other, r.inactive);
    if (!rc && r.links == 0)
        rc = rf_list_fail(cx, RF_EFORMAT, 0, "no active consolidation relationship in the file");
    return rc;
}

static int detect_rr(const rf_list_sample *s)
{
    return rf_xml_root_is(s->head, s->head_len, "RelationshipData", RR_NS) == 1;
}

const rf_list_format_def rf_list_gleif_rr_format = {
    RF_LIST_GLEIF_RR, "gleif-rr", "gleif-rr", detect_rr, content_date, parse_rr, NULL};
