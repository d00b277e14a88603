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
 * Both take their publication date from the header's ContentDate.
 *
 * The golden copy is also published as JSON ({"records":[...]}, each record the XML record
 * with elements as members, text as "$" and attributes as "@name"). Each JSON record is
 * flattened into the rf_xml_record the XML reader would have given (the same paths and
 * values), so one handler per level reads both; streamed through json.c. The JSON files
 * have no header: their date is the one their name starts with (20240505-0000-gleif-...). */
#include "list_import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define LEI_NS "http://www.gleif.org/data/schema/leidata/2016"
#define RR_NS "http://www.gleif.org/data/schema/rr/2016"

static const char *const lei_records[] = {"LEIData/LEIRecords/LEIRecord", NULL};
static const char *const rr_records[] = {"RelationshipData/RelationshipRecords/RelationshipRecord",
                                         NULL};

/* ---- the golden copy's JSON -------------------------------------------------------------- */

#define JSON_PATH 512 /* bytes of a record's deepest path; GLEIF's are under 100 */

typedef struct json_records {
    rf_list_ctx *cx;
    rf_json j;
    rf_strpool pool; /* the record's paths and values (cx->pool is the handlers') */
    rf_xml_node *nodes;
    size_t n;
    char path[JSON_PATH];
} json_records;

/* 1 when the file is the golden copy's JSON whose records hold `member` ("Entity",
 * "Relationship"). */
static int json_is(const rf_list_sample *s, const char *member)
{
    const char *p = s->head, *end = s->head + s->head_len;
    char key[64];
    if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) p += 3;
    while (p < end && isspace((unsigned char)*p)) p++;
    snprintf(key, sizeof key, "\"%s\"", member);
    return p < end && *p == '{' && rf_list__find(p, end, "\"records\"") &&
           rf_list__find(p, end, key);
}

static int is_json(const rf_list_ctx *cx)
{
    const char *p = cx->sample->head, *end = p + cx->sample->head_len;
    while (p < end && (isspace((unsigned char)*p) || (unsigned char)*p >= 0x80)) p++;
    return p < end && *p == '{';
}

static int add_node(json_records *r, size_t path_len, const char *suffix, const char *value)
{
    rf_xml_node *n;
    char *path;
    size_t extra = suffix ? strlen(suffix) : 0;
    if (r->n == RF_XML_MAX_NODES)
        return rf_list__fail(r->cx, RF_ELIMIT, r->j.line, "a record of more than %d values",
                            RF_XML_MAX_NODES);
    if (!(path = rf_strpool__alloc(&r->pool, path_len + extra)) ||
        (value && !(value = rf_strpool__add(&r->pool, value, strlen(value)))))
        return rf_list__fail(r->cx, RF_ENOMEM, r->j.line, "out of memory");
    memcpy(path, r->path, path_len);
    if (extra) memcpy(path + path_len, suffix, extra);
    path[path_len + extra] = '\0';
    n = &r->nodes[r->n++];
    n->path = path;
    n->value = value;
    n->line = r->j.line;
    return 0;
}

static int json_value(json_records *r, size_t path_len, rf_json_token tok);

/* The members of an object at r->path[0..path_len): "$" is its text, "@x:name" an attribute
 * ("path@name"), any other member a child element. */
static int json_members(json_records *r, size_t path_len)
{
    rf_json_token tok;
    int rc;
    for (;;) {
        char key[128];
        size_t len;
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (tok == RF_JSON_OBJECT_END) return 0;
        snprintf(key, sizeof key, "%s", r->j.text.data);
        if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
        if (key[0] == '$' || key[0] == '@') {
            const char *colon = strrchr(key, ':'), *v = r->j.text.data;
            char attr[130];
            if (tok != RF_JSON_STRING && tok != RF_JSON_NUMBER) {
                if ((rc = rf_json__skip(&r->j, tok)) != 0) return rc;
                continue;
            }
            snprintf(attr, sizeof attr, "@%s", colon ? colon + 1 : key + 1);
            while (isspace((unsigned char)*v)) v++;
            if (*v && (rc = add_node(r, path_len, key[0] == '@' ? attr : NULL, v)) != 0) return rc;
            continue;
        }
        len = strlen(key);
        if (path_len + len + 2 > sizeof r->path)
            return rf_list__fail(r->cx, RF_ELIMIT, r->j.line, "a path deeper than %d bytes",
                                JSON_PATH);
        if (path_len) r->path[path_len] = '/';
        memcpy(r->path + path_len + (path_len > 0), key, len);
        if ((rc = json_value(r, path_len + (path_len > 0) + len, tok)) != 0) return rc;
    }
}

/* One element at r->path[0..path_len) (an array: each of its items is one). */
static int json_value(json_records *r, size_t path_len, rf_json_token tok)
{
    int rc;
    switch (tok) {
    case RF_JSON_OBJECT:
        if ((rc = add_node(r, path_len, NULL, NULL)) != 0) return rc;
        return json_members(r, path_len);
    case RF_JSON_ARRAY:
        for (;;) {
            if ((rc = rf_json__next(&r->j, &tok)) != 0) return rc;
            if (tok == RF_JSON_ARRAY_END) return 0;
            if ((rc = json_value(r, path_len, tok)) != 0) return rc;
        }
    case RF_JSON_STRING:
    case RF_JSON_NUMBER:
        if ((rc = add_node(r, path_len, NULL, NULL)) != 0) return rc;
        return add_node(r, path_len, NULL, r->j.text.data);
    default:
        return rf_json__skip(&r->j, tok);
    }
}

/* Streams the records of a golden-copy JSON file to `fn`, each as the XML reader gives it. */
static int json_read(rf_list_ctx *cx, rf_xml_record_fn fn, void *ctx)
{
    json_records r;
    rf_json_token tok;
    long index = 0;
    int rc;

    memset(&r, 0, sizeof r);
    r.cx = cx;
    if (!(r.nodes = malloc(RF_XML_MAX_NODES * sizeof *r.nodes)))
        return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    if ((rc = rf_json__open(&r.j, cx)) != 0 || (rc = rf_json__next(&r.j, &tok)) != 0) goto done;
    if (tok != RF_JSON_OBJECT) {
        rc = rf_list__fail(cx, RF_EFORMAT, r.j.line, "not a GLEIF golden copy: no {\"records\"");
        goto done;
    }
    while ((rc = rf_json__next(&r.j, &tok)) == 0 && tok == RF_JSON_KEY) {
        int records = strcmp(r.j.text.data, "records") == 0;
        if ((rc = rf_json__next(&r.j, &tok)) != 0) break;
        if (!records || tok != RF_JSON_ARRAY) {
            if ((rc = rf_json__skip(&r.j, tok)) != 0) break;
            continue;
        }
        while ((rc = rf_json__next(&r.j, &tok)) == 0 && tok != RF_JSON_ARRAY_END) {
            rf_xml_record rec;
            if (tok != RF_JSON_OBJECT) {
                rc = rf_list__fail(cx, RF_EFORMAT, r.j.line, "a record that is not an object");
                break;
            }
            rf_strpool__reset(&r.pool);
            r.n = 0;
            memset(&rec, 0, sizeof rec);
            rec.line = r.j.line;
            if ((rc = add_node(&r, 0, NULL, NULL)) != 0 || (rc = json_members(&r, 0)) != 0) break;
            rec.nodes = r.nodes;
            rec.n = r.n;
            rec.index = ++index;
            if ((rc = fn(&rec, ctx)) != 0) break;
        }
        if (rc) break;
    }
done:
    rf_json__free(&r.j);
    rf_strpool__free(&r.pool);
    free(r.nodes);
    return rc;
}

/* The ContentDate of the header, from the first bytes of the file; for the JSON, the date
 * its name starts with. */
static int content_date(char out[11], rf_list_ctx *cx)
{
    const char *end = cx->sample->head + cx->sample->head_len;
    const char *p = rf_list__find(cx->sample->head, end, "ContentDate>");
    out[0] = '\0';
    if (is_json(cx)) {
        const char *base = cx->name ? strrchr(cx->name, '/') : NULL;
        base = base ? base + 1 : cx->name;
        if (base && strlen(base) >= 9 && base[8] == '-') {
            snprintf(out, 11, "%.4s-%.2s-%.2s", base, base + 4, base + 6);
            if (!rf_list__date_plausible(out)) out[0] = '\0';
        }
        return 0;
    }
    if (p && end - p >= 22) {
        memcpy(out, p + 12, 10);
        out[10] = '\0';
        if (!rf_list__date_plausible(out)) out[0] = '\0';
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
    const char *lei = rf_xml__get(rec, 0, "LEI", NULL);
    const char *legal = rf_xml__get(rec, 0, "Entity/LegalName", NULL);
    const char *country = rf_xml__get(rec, 0, "Entity/LegalAddress/Country", NULL);
    const char *ids = NULL;
    size_t n = 0;
    int rc;

    if (!lei || !legal)
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "an LEI record without LEI or LegalName");
    rf_list__entity_begin(cx, &e, rec->line, "GLEIF", "GLEIF LEI record (not listed)");
    names[n++] = (rf_name){legal, RF_NAME_PRIMARY};
    for (size_t i = 0; i < rec->n && n < RF_MAX_NAMES; i++) {
        const char *path = rec->nodes[i].path, *v = rec->nodes[i].value;
        if (!v) continue;
        if (strcmp(path, "Entity/OtherEntityNames/OtherEntityName") == 0 ||
            strcmp(path, "Entity/TransliteratedOtherEntityNames/TransliteratedOtherEntityName") == 0)
            names[n++] = (rf_name){v, RF_NAME_ALIAS};
    }
    if ((rc = rf_list__add_id(cx, &ids, "LEI", lei, NULL, rec->line)) != 0 ||
        (rc = rf_list__add_id(
             cx, &ids, "Registration",
             rf_xml__get(rec, 0, "Entity/RegistrationAuthority/RegistrationAuthorityEntityID",
                         NULL),
             country, rec->line)) != 0)
        return rc;
    addr.text = rf_xml__get(rec, 0, "Entity/LegalAddress/FirstAddressLine", NULL);
    addr.city = rf_xml__get(rec, 0, "Entity/LegalAddress/City", NULL);
    addr.country = country;
    e.source_id = lei;
    e.type = RF_ENTITY_ORGANIZATION;
    e.ids = ids;
    e.names = names;
    e.n_names = n;
    e.addresses = &addr;
    e.n_addresses = 1;
    e.remarks = rf_xml__get(rec, 0, "Entity/EntityStatus", NULL);
    return rf_list__emit(cx, &e);
}

static int parse_lei(rf_list_ctx *cx)
{
    return is_json(cx) ? json_read(cx, on_lei, cx) : rf_xml__read(cx, lei_records, on_lei, cx);
}

static int detect_lei(const rf_list_sample *s)
{
    return rf_xml__root_is(s->head, s->head_len, "LEIData", LEI_NS) == 1 ||
           (json_is(s, "LEI") && json_is(s, "Entity"));
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
    const char *type = rf_xml__get(rec, 0, "Relationship/RelationshipType", NULL);
    const char *status = rf_xml__get(rec, 0, "Relationship/RelationshipStatus", NULL);
    const char *child = rf_xml__get(rec, 0, "Relationship/StartNode/NodeID", NULL);
    const char *parent = rf_xml__get(rec, 0, "Relationship/EndNode/NodeID", NULL);
    const char *child_ids = NULL, *parent_ids = NULL;
    char start[11], end[11];
    rf_link l;
    int rc = 0, direct;

    if (!type || !child || !parent)
        return rf_list__fail(cx, RF_EFORMAT, rec->line,
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
    rf_strpool__reset(&cx->pool);
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
            l.start_date = rf_list__date(cx, rec->line, "StartDate",
                                        rf_xml__get(rec, at + 1, "Relationship/RelationshipPeriods/"
                                                            "RelationshipPeriod/StartDate",
                                                   "Relationship/RelationshipPeriods/"
                                                   "RelationshipPeriod"),
                                        NULL, start, &rc);
            if (!rc)
                l.end_date = rf_list__date(cx, rec->line, "EndDate",
                                           rf_xml__get(rec, at + 1,
                                                       "Relationship/RelationshipPeriods/"
                                                       "RelationshipPeriod/EndDate",
                                                       "Relationship/RelationshipPeriods/"
                                                       "RelationshipPeriod"),
                                           NULL, end, &rc);
            break;
        }
    if (rc || (rc = rf_list__add_id(cx, &child_ids, "LEI", child, NULL, rec->line)) != 0 ||
        (rc = rf_list__add_id(cx, &parent_ids, "LEI", parent, NULL, rec->line)) != 0)
        return rc;
    l.owned_ids = child_ids;
    l.owner_ids = parent_ids;
    l.share_min = l.share_max = -1;
    l.kind = RF_LINK_CONSOLIDATION;
    l.direct = direct;
    l.relation = type;
    l.source = rf_xml__get(rec, 0, "Registration/ValidationSources", NULL);
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
    if ((rc = is_json(cx) ? json_read(cx, on_rr, &r) : rf_xml__read(cx, rr_records, on_rr, &r)) !=
        0)
        return rc;
    if (r.other || r.inactive)
        rc = rf_list__warn(cx, 0, "%ld relationship records not about consolidation (fund "
                          "management, sub-funds) and %ld no longer active were not read",
                          r.other, r.inactive);
    if (!rc && r.links == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no active consolidation relationship in the file");
    return rc;
}

static int detect_rr(const rf_list_sample *s)
{
    return rf_xml__root_is(s->head, s->head_len, "RelationshipData", RR_NS) == 1 ||
           (json_is(s, "Relationship") && json_is(s, "StartNode"));
}

const rf_list_format_def rf_list_gleif_rr_format = {
    RF_LIST_GLEIF_RR, "gleif-rr", "gleif-rr", detect_rr, content_date, parse_rr, NULL};
