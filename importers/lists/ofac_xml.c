/* ofac_xml.c: OFAC's sdn.xml and consolidated.xml (root sdnList, namespace
 * http://tempuri.org/sdnList.xsd), one sdnEntry per listed party: uid, lastName (and
 * firstName for people), sdnType (nspType in older consolidated files), programList,
 * akaList (type a.k.a./f.k.a./n.k.a., category strong/weak), addressList, idList,
 * nationalityList, citizenshipList, dateOfBirthList, vesselInfo, remarks. Read as a stream
 * (xml.c). Feeds "ofac-sdn" and "ofac-cons", as for the legacy CSV (ofac_csv.c): which one a
 * file is comes from its programs, and the non-SDN entries get their list from them.
 *
 * People are named "LAST, First" as OFAC's CSV writes them; a weak a.k.a. is a weak alias
 * whatever its type, an f.k.a. a former name. publshInformation/Publish_Date (MM/DD/YYYY) is
 * the version's publication date. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS "http://tempuri.org/sdnList.xsd"

static const char *const records[] = {"sdnList/publshInformation", "sdnList/sdnEntry", NULL};

enum { R_PUBLISH, R_ENTRY };

typedef struct ofac_xml_reader {
    rf_list_ctx *cx;
    int non_sdn;
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
} ofac_xml_reader;

/* "LAST, First" (or just the one that is there) into the pool. */
static const char *person_name(rf_list_ctx *cx, const char *last, const char *first)
{
    char *out;
    size_t ln = last ? strlen(last) : 0, fn = first ? strlen(first) : 0;

    if (!ln || !fn) return ln ? last : first;
    if (!(out = rf_strpool__alloc(&cx->pool, ln + 2 + fn))) return NULL;
    memcpy(out, last, ln);
    memcpy(out + ln, ", ", 2);
    memcpy(out + ln + 2, first, fn);
    return out;
}

static int add_aka(ofac_xml_reader *r, const rf_xml_record *rec, size_t at, long line)
{
    static const char stop[] = "akaList/aka";
    const char *type = rf_xml__get(rec, at, "akaList/aka/type", stop);
    const char *category = rf_xml__get(rec, at, "akaList/aka/category", stop);
    const char *name = person_name(r->cx, rf_xml__get(rec, at, "akaList/aka/lastName", stop),
                                   rf_xml__get(rec, at, "akaList/aka/firstName", stop));
    rf_name_kind kind = RF_NAME_ALIAS;

    if (!name) return 0;
    if (type && strcasecmp(type, "f.k.a.") == 0) kind = RF_NAME_FORMER;
    if (category && strcasecmp(category, "weak") == 0) kind = RF_NAME_WEAK_ALIAS;
    return rf_names__add(&r->names, name, strlen(name), kind, r->cx, line);
}

static int add_address(ofac_xml_reader *r, rf_entity *e, const rf_xml_record *rec, size_t at,
                       long line)
{
    static const char stop[] = "addressList/address";
    const char *parts[] = {rf_xml__get(rec, at, "addressList/address/address1", stop),
                           rf_xml__get(rec, at, "addressList/address/address2", stop),
                           rf_xml__get(rec, at, "addressList/address/address3", stop),
                           rf_xml__get(rec, at, "addressList/address/city", stop),
                           rf_xml__get(rec, at, "addressList/address/stateOrProvince", stop),
                           rf_xml__get(rec, at, "addressList/address/postalCode", stop)};
    int rc;
    const char *text = rf_list__concat(r->cx, parts, sizeof parts / sizeof *parts, &rc);

    if (rc) return rc;
    return rf_list__address(r->cx, r->addresses, &e->n_addresses, text, parts[3],
                           rf_xml__get(rec, at, "addressList/address/country", stop), line);
}

static int add_id(ofac_xml_reader *r, rf_entity *e, const rf_xml_record *rec, size_t at,
                  long line)
{
    static const char stop[] = "idList/id";
    return rf_list__add_id(r->cx, &e->ids, rf_xml__get(rec, at, "idList/id/idType", stop),
                          rf_xml__get(rec, at, "idList/id/idNumber", stop),
                          rf_xml__get(rec, at, "idList/id/idCountry", stop), line);
}

static int on_entry(ofac_xml_reader *r, const rf_xml_record *rec)
{
    rf_list_ctx *cx = r->cx;
    rf_entity e;
    const char *name, *type;
    int rc = 0;

    cx->sum->rows++;
    rf_list__entity_begin(cx, &e, rec->line, NULL, NULL);
    if (!(e.source_id = rf_xml__get(rec, 0, "uid", NULL)))
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "sdnEntry %ld has no uid", rec->index);
    type = rf_xml__get(rec, 0, "sdnType", NULL);
    if (!type) type = rf_xml__get(rec, 0, "nspType", NULL);
    e.type = type ? rf_list__entity_type(type) : RF_ENTITY_UNKNOWN;
    if (e.type == RF_ENTITY_UNKNOWN &&
        (rc = rf_list__warn(cx, rec->line, "sdnEntry %s: type \"%s\" unknown", e.source_id,
                           type ? type : "")) != 0)
        return rc;
    name = person_name(cx, rf_xml__get(rec, 0, "lastName", NULL),
                       rf_xml__get(rec, 0, "firstName", NULL));
    if (!name)
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "sdnEntry %s has no name", e.source_id);
    r->names.n = 0;
    r->names.parent = NULL;
    if ((rc = rf_names__add(&r->names, name, strlen(name), RF_NAME_PRIMARY, cx, rec->line)) != 0)
        return rc;
    e.title = rf_xml__get(rec, 0, "title", NULL);
    e.remarks = rf_xml__get(rec, 0, "remarks", NULL);
    e.addresses = r->addresses;

    for (size_t i = 1; i < rec->n && rc == 0; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        if (!n->value) {
            if (strcmp(n->path, "akaList/aka") == 0) rc = add_aka(r, rec, i + 1, n->line);
            else if (strcmp(n->path, "addressList/address") == 0)
                rc = add_address(r, &e, rec, i + 1, n->line);
            else if (strcmp(n->path, "idList/id") == 0) rc = add_id(r, &e, rec, i + 1, n->line);
        } else if (strcmp(n->path, "programList/program") == 0) {
            rc = rf_list__join(cx, &e.programs, n->value, strlen(n->value), n->line);
        } else if (strcmp(n->path, "nationalityList/nationality/country") == 0 ||
                   strcmp(n->path, "citizenshipList/citizenship/country") == 0 ||
                   strcmp(n->path, "vesselInfo/vesselFlag") == 0) {
            rc = rf_list__nationality(cx, &e.nationalities, n->value, strlen(n->value), n->line);
        } else if (strcmp(n->path, "dateOfBirthList/dateOfBirthItem/dateOfBirth") == 0) {
            rc = rf_list__join(cx, &e.dates_of_birth, n->value, strlen(n->value), n->line);
        } else if (strcmp(n->path, "vesselInfo/callSign") == 0) {
            char call_sign[128];
            int len = snprintf(call_sign, sizeof call_sign, "Call Sign %s", n->value);
            rc = rf_list__join(cx, &e.ids, call_sign,
                              len < (int)sizeof call_sign ? (size_t)len : sizeof call_sign - 1,
                              n->line);
        }
    }
    if (rc) return rc;
    e.list_code = rf_ofac__list(e.programs, r->non_sdn, &e.list_name);
    e.names = r->names.names;
    e.n_names = r->names.n;
    return rf_list__emit(cx, &e);
}

static int on_record(const rf_xml_record *rec, void *ctx)
{
    return rec->spec == R_ENTRY ? on_entry(ctx, rec) : 0;
}

static int parse(rf_list_ctx *cx, int non_sdn)
{
    ofac_xml_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    r->non_sdn = non_sdn;
    rc = rf_xml__read(cx, records, on_record, r);
    if (rc == 0 && cx->sum->rows == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no sdnEntry in the file");
    free(r);
    return rc;
}

/* ---- the publication date --------------------------------------------------------------- */

typedef struct date_scan {
    rf_list_ctx *cx;
    char *out;
} date_scan;

static int on_publish(const rf_xml_record *rec, void *ctx)
{
    date_scan *d = ctx;
    const char *date;
    char iso[11];
    int rc = 0;

    if (rec->spec != R_PUBLISH) return RF_ECANCEL; /* entries start: the date is not there */
    date = rf_xml__get(rec, 0, "Publish_Date", NULL);
    if (date && rf_list__date(d->cx, rec->line, "Publish_Date", date, NULL, iso, &rc))
        memcpy(d->out, iso, sizeof iso);
    return rc ? rc : RF_ECANCEL;
}

static int published(char out[11], rf_list_ctx *cx)
{
    date_scan d = {cx, out};
    int rc = rf_xml__read(cx, records, on_publish, &d);
    return rc == RF_ECANCEL ? 0 : rc;
}

/* ---- detection -------------------------------------------------------------------------- */

/* 1 when the file is an sdnList whose first entries are mostly (non_sdn) or rarely on the
 * non-SDN lists; an nspType (older consolidated files) settles it. A byte scan of the sample
 * (the first megabyte): the full parse that follows checks everything. */
static int detect(const rf_list_sample *s, int non_sdn)
{
    const char *data = s->head, *end = data + s->head_len, *p = data;
    long entries = 0, cons = 0;

    if (rf_xml__root_is(data, s->head_len, "sdnList", NS) != 1) return 0;
    while ((p = rf_list__find(p, end, "<sdnEntry>")) != NULL) {
        const char *next = rf_list__find(p + 10, end, "<sdnEntry>"), *q = p;
        int hit = 0;
        if (!next) next = end;
        if (rf_list__find(p, next, "<nspType>")) return non_sdn;
        while ((q = rf_list__find(q, next, "<program>")) != NULL) {
            const char *close = rf_list__find(q, next, "</program>");
            if (!close) break;
            hit |= rf_ofac__program_non_sdn(q + 9, (size_t)(close - q - 9));
            q = close;
        }
        entries++;
        cons += hit;
        p = next;
    }
    return non_sdn ? cons * 2 > entries : cons * 2 <= entries;
}

static int detect_sdn(const rf_list_sample *s)
{
    return detect(s, 0);
}

static int detect_cons(const rf_list_sample *s)
{
    return detect(s, 1);
}

static int parse_sdn(rf_list_ctx *cx)
{
    return parse(cx, 0);
}

static int parse_cons(rf_list_ctx *cx)
{
    return parse(cx, 1);
}

const rf_list_format_def rf_list_ofac_sdn_xml_format = {
    RF_LIST_OFAC_SDN_XML, "ofac-sdn-xml", "ofac-sdn", detect_sdn, published, parse_sdn, NULL,
};

const rf_list_format_def rf_list_ofac_cons_xml_format = {
    RF_LIST_OFAC_CONS_XML, "ofac-cons-xml", "ofac-cons", detect_cons, published, parse_cons, NULL,
};
