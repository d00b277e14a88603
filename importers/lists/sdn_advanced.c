/* sdn_advanced.c: OFAC's SDN_ADVANCED.xml (and CONS_ADVANCED.xml), schema
 * ofac-sdn_advanced.xsd: a normalized database in XML. DistinctParties hold each party's
 * Profile (Identity with Aliases made of DocumentedName parts, Features such as locations,
 * birth dates and nationalities) and refer by ID to the ReferenceValueSets (alias types,
 * name part types, countries, scripts, party types, lists, sanctions types), to the
 * Locations, to the IDRegDocuments and, through the profile ID, to the SanctionsEntries that
 * say on which list and under which programs a party stands. The sections come in that order
 * with the entries last, so the file is streamed twice (xml.c): first everything but the
 * parties, kept in sorted maps (a few MB for the full list), then the parties, emitted one by
 * one.
 *
 * Names: the alias marked Primary is the primary name; "A.K.A." and "N.K.A." aliases are
 * aliases, "F.K.A." former names, LowQuality ones weak aliases, and names written in a script
 * other than Latin names of kind "original". A person's parts are written "LAST, First
 * Middle" as OFAC's other files write them; other parties' parts are joined by spaces. The
 * list code is the list's name without " List" ("SDN List" -> SDN, "NS-MBS List" -> NS-MBS).
 * The feed is "ofac-sdn" when most entries are on the SDN List, else "ofac-cons" (the
 * CONS_ADVANCED.xml file); DateOfIssue is the publication date. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML"

/* ---- maps: sorted (key, strings) pairs ------------------------------------------------- */

typedef struct map_item {
    long long key;
    size_t off; /* NUL-separated strings in the map's buffer */
} map_item;

typedef struct map {
    map_item *items;
    size_t n, cap;
    rf_buf buf;
} map;

/* Adds `n` strings (NULL stored as "") under `key`. */
static int map_add(map *m, long long key, const char *const *s, size_t n)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        map_item *items = realloc(m->items, cap * sizeof *items);
        if (!items) return RF_ENOMEM;
        m->items = items;
        m->cap = cap;
    }
    m->items[m->n].key = key;
    m->items[m->n].off = m->buf.len;
    for (size_t i = 0; i < n; i++)
        if (rf_buf_puts(&m->buf, s[i] ? s[i] : "") || rf_buf_putc(&m->buf, '\0')) return RF_ELIMIT;
    m->n++;
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const map_item *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off; /* file order among equal keys */
}

static void map_sort(map *m)
{
    if (m->n) qsort(m->items, m->n, sizeof *m->items, by_key);
}

/* The first item with `key` and the count of them in *count; NULL when none. */
static const map_item *map_find(const map *m, long long key, size_t *count)
{
    size_t lo = 0, hi = m->n, end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->items[mid].key < key) lo = mid + 1;
        else hi = mid;
    }
    for (end = lo; end < m->n && m->items[end].key == key; end++) {}
    *count = end - lo;
    return *count ? &m->items[lo] : NULL;
}

/* String i of an item; NULL when it is empty. */
static const char *map_str(const map *m, const map_item *it, size_t i)
{
    const char *p = m->buf.data + it->off;
    while (i--) p += strlen(p) + 1;
    return *p ? p : NULL;
}

static void map_free(map *m)
{
    free(m->items);
    rf_buf_free(&m->buf);
}

/* ---- the reader ------------------------------------------------------------------------ */

/* Reference value sets, told apart in one map by key = set * 2^32 + ID. */
enum { V_ALIAS, V_COUNTRY, V_NAME_PART, V_LIST, V_FEATURE, V_LOC_PART, V_PARTY_SUB, V_PARTY,
       V_SANCTIONS, V_SCRIPT, V_COUNT };

static const char *const value_paths[V_COUNT] = {
    "AliasTypeValues/AliasType", "CountryValues/Country", "NamePartTypeValues/NamePartType",
    "ListValues/List", "FeatureTypeValues/FeatureType", "LocPartTypeValues/LocPartType",
    "PartySubTypeValues/PartySubType", "PartyTypeValues/PartyType",
    "SanctionsTypeValues/SanctionsType", "ScriptValues/Script"};

/* The first pass's records; the second reads only DistinctParty. */
static const char *const pass1[] = {
    "Sanctions/DateOfIssue", "Sanctions/ReferenceValueSets", "Sanctions/Locations/Location",
    "Sanctions/IDRegDocuments/IDRegDocument", "Sanctions/SanctionsEntries/SanctionsEntry", NULL};
static const char *const pass2[] = {"Sanctions/DistinctParties/DistinctParty", NULL};

enum { R_DATE, R_VALUES, R_LOCATION, R_DOCUMENT, R_ENTRY };

typedef struct adv_reader {
    rf_list_ctx *cx;
    map values;    /* set<<32|ID -> text, attribute (ISO2, PartyTypeID, ScriptCode) */
    map locations; /* Location ID -> text, city, country code, country name */
    map documents; /* IdentityID -> "type number (country)" */
    map entries;   /* ProfileID -> list code, list name, programs, start date */
    char published[11];
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
    rf_buf name;
} adv_reader;

static long long num(const char *s)
{
    return s ? strtoll(s, NULL, 10) : -1;
}

static const char *value(const adv_reader *r, int set, const char *id, size_t field)
{
    size_t n;
    const map_item *it;
    if (!id) return NULL;
    it = map_find(&r->values, (long long)set << 32 | num(id), &n);
    return it ? map_str(&r->values, it, field) : NULL;
}

static int oom(adv_reader *r, long line, int rc)
{
    return rf_list__fail(r->cx, rc, line, rc == RF_ENOMEM ? "out of memory" : "file too large");
}

/* "YYYY-MM-DD" from the Year, Month and Day under `prefix` from node `at`, stopping at the
 * next start of `stop`; "" when there is no year. */
static void date_of(char out[11], const rf_xml_record *rec, size_t at, const char *prefix,
                    const char *stop)
{
    char path[160];
    const char *y, *m, *d;
    const char *sep = *prefix ? "/" : "";
    snprintf(path, sizeof path, "%s%sYear", prefix, sep);
    y = rf_xml__get(rec, at, path, stop);
    snprintf(path, sizeof path, "%s%sMonth", prefix, sep);
    m = rf_xml__get(rec, at, path, stop);
    snprintf(path, sizeof path, "%s%sDay", prefix, sep);
    d = rf_xml__get(rec, at, path, stop);
    out[0] = '\0';
    if (y && m && d) snprintf(out, 11, "%04d-%02d-%02d", atoi(y), atoi(m), atoi(d));
    else if (y) snprintf(out, 11, "%04d", atoi(y));
}

/* ---- pass 1 ----------------------------------------------------------------------------- */

static int on_values(adv_reader *r, const rf_xml_record *rec)
{
    static const char *const extra[V_COUNT] = {NULL, "@ISO2", NULL, NULL, NULL, NULL,
                                               "@PartyTypeID", NULL, NULL, "@ScriptCode"};
    char path[160];
    int rc;

    for (size_t i = 0; i < rec->n; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        if (n->value) continue;
        for (int v = 0; v < V_COUNT; v++) {
            const char *s[2];
            if (strcmp(n->path, value_paths[v]) != 0) continue;
            snprintf(path, sizeof path, "%s@ID", value_paths[v]);
            s[0] = rf_xml__get(rec, i + 1, value_paths[v], value_paths[v]);
            s[1] = NULL;
            if (extra[v]) {
                snprintf(path, sizeof path, "%s%s", value_paths[v], extra[v]);
                s[1] = rf_xml__get(rec, i + 1, path, value_paths[v]);
            }
            snprintf(path, sizeof path, "%s@ID", value_paths[v]);
            if ((rc = map_add(&r->values,
                              (long long)v << 32 |
                                  num(rf_xml__get(rec, i + 1, path, value_paths[v])),
                              s, 2)) != 0)
                return oom(r, n->line, rc);
        }
    }
    map_sort(&r->values);
    return 0;
}

static int on_location(adv_reader *r, const rf_xml_record *rec)
{
    rf_buf text = {0};
    const char *s[4] = {NULL, NULL, NULL, NULL}, *country;
    int rc = 0;

    for (size_t i = 0; i < rec->n && rc == 0; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        const char *type, *v;
        if (n->value || strcmp(n->path, "LocationPart") != 0) continue;
        type = value(r, V_LOC_PART,
                     rf_xml__get(rec, i + 1, "LocationPart@LocPartTypeID", "LocationPart"), 0);
        v = rf_xml__get(rec, i + 1, "LocationPart/LocationPartValue/Value", "LocationPart");
        if (!v) continue;
        if (type && strcasecmp(type, "CITY") == 0 && !s[1]) s[1] = v;
        rc = (text.len && rf_buf_puts(&text, ", ")) || rf_buf_puts(&text, v);
    }
    s[0] = text.data;
    /* The ISO code where the country has one (as rf_address wants), else its name; the
     * name for nationalities. */
    country = rf_xml__get(rec, 0, "LocationCountry@CountryID", NULL);
    s[2] = value(r, V_COUNTRY, country, 1);
    if (!s[2]) s[2] = value(r, V_COUNTRY, country, 0);
    s[3] = value(r, V_COUNTRY, country, 0);
    if (rc == 0) rc = map_add(&r->locations, num(rf_xml__get(rec, 0, "@ID", NULL)), s, 4);
    rf_buf_free(&text);
    return rc ? oom(r, rec->line, rc) : 0;
}

/* "number (country)", kept by the identity it belongs to: the document's type is a
 * reference value set of its own (IDRegDocType) that screening does not need. */
static int on_document(adv_reader *r, const rf_xml_record *rec)
{
    const char *id = NULL, *s[1];
    int rc = rf_list__add_id(
        r->cx, &id, NULL, rf_xml__get(rec, 0, "IDRegistrationNo", NULL),
        value(r, V_COUNTRY, rf_xml__get(rec, 0, "@IssuedBy-CountryID", NULL), 0), rec->line);
    if (rc || !id) return rc;
    s[0] = id;
    rc = map_add(&r->documents, num(rf_xml__get(rec, 0, "@IdentityID", NULL)), s, 1);
    rf_strpool__reset(&r->cx->pool); /* copied into the map */
    return rc ? oom(r, rec->line, rc) : 0;
}

static int on_entry(adv_reader *r, const rf_xml_record *rec)
{
    const char *list = value(r, V_LIST, rf_xml__get(rec, 0, "@ListID", NULL), 0);
    rf_buf programs = {0};
    char code[64], start[11] = "";
    const char *s[4];
    size_t n;
    int rc = 0;

    /* "SDN List" -> "SDN", "NS-MBS List" -> "NS-MBS". */
    snprintf(code, sizeof code, "%s", list ? list : "SDN");
    n = strlen(code);
    if (n > 5 && strcasecmp(code + n - 5, " List") == 0) code[n - 5] = '\0';
    for (size_t i = 0; i < rec->n && rc == 0; i++) {
        const rf_xml_node *nd = &rec->nodes[i];
        if (nd->value) continue;
        if (strcmp(nd->path, "SanctionsMeasure") == 0) {
            const char *type = value(
                r, V_SANCTIONS,
                rf_xml__get(rec, i + 1, "SanctionsMeasure@SanctionsTypeID", "SanctionsMeasure"), 0);
            const char *comment =
                rf_xml__get(rec, i + 1, "SanctionsMeasure/Comment", "SanctionsMeasure");
            if (comment && type && strcasecmp(type, "Program") == 0)
                rc = (programs.len && rf_buf_puts(&programs, "; ")) || rf_buf_puts(&programs, comment);
        } else if (strcmp(nd->path, "EntryEvent") == 0 && !start[0]) {
            date_of(start, rec, i + 1, "EntryEvent/Date", "EntryEvent");
            if (strlen(start) != 10) start[0] = '\0';
        }
    }
    s[0] = code;
    s[1] = list;
    s[2] = programs.data;
    s[3] = start;
    if (rc == 0) rc = map_add(&r->entries, num(rf_xml__get(rec, 0, "@ProfileID", NULL)), s, 4);
    rf_buf_free(&programs);
    return rc ? oom(r, rec->line, rc) : 0;
}

static int on_pass1(const rf_xml_record *rec, void *ctx)
{
    adv_reader *r = ctx;
    switch (rec->spec) {
    case R_DATE:
        date_of(r->published, rec, 0, "", NULL);
        return 0;
    case R_VALUES: return on_values(r, rec);
    case R_LOCATION: return on_location(r, rec);
    case R_DOCUMENT: return on_document(r, rec);
    case R_ENTRY: return on_entry(r, rec);
    default: return 0;
    }
}

/* ---- pass 2: the parties ---------------------------------------------------------------- */

/* One alias's name from its DocumentedName parts (nodes from `at` to the alias's end). */
static int alias_name(adv_reader *r, const rf_xml_record *rec, size_t at, int person,
                      const char **out, int *latin)
{
    static const char alias[] = "Profile/Identity/Alias";
    static const char part[] = "Profile/Identity/Alias/DocumentedName/DocumentedNamePart";
    rf_buf last = {0}, rest = {0};
    int rc = 0;

    *out = NULL;
    *latin = 1;
    rf_buf_reset(&r->name);
    for (size_t i = at; i < rec->n && rc == 0; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        const char *v, *group, *type = NULL, *script;
        if (!n->value && strcmp(n->path, alias) == 0) break;
        if (n->value || strcmp(n->path, part) != 0) continue;
        v = rf_xml__get(rec, i + 1,
                        "Profile/Identity/Alias/DocumentedName/DocumentedNamePart/NamePartValue",
                        part);
        group = rf_xml__get(rec, i + 1,
                            "Profile/Identity/Alias/DocumentedName/DocumentedNamePart/"
                            "NamePartValue@NamePartGroupID",
                            part);
        script = value(
            r, V_SCRIPT,
            rf_xml__get(
                rec, i + 1,
                "Profile/Identity/Alias/DocumentedName/DocumentedNamePart/NamePartValue@ScriptID",
                part),
            1);
        if (script && strcmp(script, "Latn") != 0) *latin = 0;
        /* The group's name part type, declared in the identity's NamePartGroups. */
        for (size_t k = 0; group && k < rec->n && !type; k++) {
            const rf_xml_node *g = &rec->nodes[k];
            if (g->value && strcmp(g->path, "Profile/Identity/NamePartGroups/MasterNamePartGroup/NamePartGroup@ID") == 0 &&
                strcmp(g->value, group) == 0)
                type =
                    value(r, V_NAME_PART,
                          rf_xml__get(
                              rec, k + 1,
                              "Profile/Identity/NamePartGroups/MasterNamePartGroup/"
                              "NamePartGroup@NamePartTypeID",
                              "Profile/Identity/NamePartGroups/MasterNamePartGroup/NamePartGroup"),
                          0);
        }
        if (!v) continue;
        if (person && type && strcasecmp(type, "Last Name") == 0)
            rc = (last.len && rf_buf_putc(&last, ' ')) || rf_buf_puts(&last, v);
        else
            rc = (rest.len && rf_buf_putc(&rest, ' ')) || rf_buf_puts(&rest, v);
    }
    if (rc == 0 && last.len && rest.len) rc = rf_buf_printf(&r->name, "%s, %s", last.data, rest.data);
    else if (rc == 0 && (last.len || rest.len)) rc = rf_buf_puts(&r->name, last.len ? last.data : rest.data);
    rf_buf_free(&last);
    rf_buf_free(&rest);
    if (rc) return oom(r, rec->line, RF_ENOMEM);
    *out = r->name.len ? r->name.data : NULL;
    return 0;
}

static int on_feature(adv_reader *r, rf_entity *e, const rf_xml_record *rec, size_t at, long line)
{
    static const char stop[] = "Profile/Feature";
    const char *type =
        value(r, V_FEATURE, rf_xml__get(rec, at, "Profile/Feature@FeatureTypeID", stop), 0);
    const char *loc =
        rf_xml__get(rec, at, "Profile/Feature/FeatureVersion/VersionLocation@LocationID", stop);
    const map_item *it = NULL;
    size_t n = 0;
    int rc = 0;

    if (!type) return 0;
    if (loc) it = map_find(&r->locations, num(loc), &n);
    if (strcasecmp(type, "Location") == 0 && it) {
        return rf_list__address(r->cx, r->addresses, &e->n_addresses, map_str(&r->locations, it, 0),
                               map_str(&r->locations, it, 1), map_str(&r->locations, it, 2), line);
    }
    if ((strcasecmp(type, "Nationality Country") == 0 || strcasecmp(type, "Citizenship Country") == 0) && it) {
        const char *c = map_str(&r->locations, it, 3);
        return c ? rf_list__nationality(r->cx, &e->nationalities, c, strlen(c), line) : 0;
    }
    if (strcasecmp(type, "Birthdate") == 0) {
        char dob[11];
        date_of(dob, rec, at, "Profile/Feature/FeatureVersion/DatePeriod/Start/From", stop);
        if (dob[0]) rc = rf_list__join(r->cx, &e->dates_of_birth, dob, strlen(dob), line);
    }
    return rc;
}

static int on_party(adv_reader *r, const rf_xml_record *rec)
{
    rf_list_ctx *cx = r->cx;
    rf_entity e;
    const char *sub, *party_type, *profile;
    const map_item *entry;
    size_t n;
    int person, rc = 0;

    cx->sum->rows++;
    rf_list__entity_begin(cx, &e, rec->line, NULL, NULL);
    e.addresses = r->addresses;
    if (!(e.source_id = rf_xml__get(rec, 0, "@FixedRef", NULL)))
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "DistinctParty %ld has no FixedRef",
                             rec->index);
    profile = rf_xml__get(rec, 0, "Profile@ID", NULL);
    sub = rf_xml__get(rec, 0, "Profile@PartySubTypeID", NULL);
    party_type = value(r, V_PARTY, value(r, V_PARTY_SUB, sub, 1), 0);
    e.type = rf_list__entity_type(party_type);
    if (e.type == RF_ENTITY_UNKNOWN) e.type = rf_list__entity_type(value(r, V_PARTY_SUB, sub, 0));
    if (e.type == RF_ENTITY_UNKNOWN) e.type = RF_ENTITY_ORGANIZATION;
    person = e.type == RF_ENTITY_PERSON;

    if ((entry = map_find(&r->entries, num(profile), &n)) != NULL) {
        e.list_code = map_str(&r->entries, entry, 0);
        e.list_name = map_str(&r->entries, entry, 1);
        e.programs = map_str(&r->entries, entry, 2);
        e.start_date = map_str(&r->entries, entry, 3);
    } else {
        if ((rc = rf_list__warn(cx, rec->line, "party %s has no SanctionsEntry; listed as SDN",
                               e.source_id)) != 0)
            return rc;
        e.list_code = "SDN";
    }

    /* The primary alias first, so that it is names[0]. */
    r->names.n = 0;
    r->names.parent = NULL;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t i = 0; i < rec->n && rc == 0; i++) {
            const rf_xml_node *nd = &rec->nodes[i];
            const char *primary, *low, *alias_type, *name;
            rf_name_kind kind = RF_NAME_ALIAS;
            int latin;
            if (nd->value || strcmp(nd->path, "Profile/Identity/Alias") != 0) continue;
            primary =
                rf_xml__get(rec, i + 1, "Profile/Identity/Alias@Primary", "Profile/Identity/Alias");
            if ((primary && strcmp(primary, "true") == 0) != (pass == 0)) continue;
            low = rf_xml__get(rec, i + 1, "Profile/Identity/Alias@LowQuality",
                              "Profile/Identity/Alias");
            alias_type = value(r, V_ALIAS,
                               rf_xml__get(rec, i + 1, "Profile/Identity/Alias@AliasTypeID",
                                           "Profile/Identity/Alias"),
                               0);
            if ((rc = alias_name(r, rec, i + 1, person, &name, &latin)) != 0 || !name) continue;
            if (alias_type && strcasecmp(alias_type, "F.K.A.") == 0) kind = RF_NAME_FORMER;
            if (low && strcmp(low, "true") == 0) kind = RF_NAME_WEAK_ALIAS;
            if (!latin) kind = RF_NAME_ORIGINAL;
            if (r->names.n == 0) kind = RF_NAME_PRIMARY;
            rc = rf_names__add(&r->names, name, strlen(name), kind, cx, nd->line);
        }
    }
    if (rc) return rc;
    if (!r->names.n)
        return rf_list__fail(cx, RF_EFORMAT, rec->line, "party %s has no name", e.source_id);

    for (size_t i = 0; i < rec->n && rc == 0; i++) {
        const rf_xml_node *nd = &rec->nodes[i];
        if (!nd->value && strcmp(nd->path, "Profile/Feature") == 0) rc = on_feature(r, &e, rec, i + 1, nd->line);
        else if (nd->value && strcmp(nd->path, "Profile/Identity@ID") == 0) {
            const map_item *doc = map_find(&r->documents, num(nd->value), &n);
            for (size_t k = 0; doc && k < n && rc == 0; k++) {
                const char *id = map_str(&r->documents, &doc[k], 0);
                if (id) rc = rf_list__join(cx, &e.ids, id, strlen(id), nd->line);
            }
        }
    }
    if (rc) return rc;
    e.names = r->names.names;
    e.n_names = r->names.n;
    return rf_list__emit(cx, &e);
}

static int on_pass2(const rf_xml_record *rec, void *ctx)
{
    return on_party(ctx, rec);
}

static void free_maps(adv_reader *r)
{
    map_free(&r->values);
    map_free(&r->locations);
    map_free(&r->documents);
    map_free(&r->entries);
    rf_buf_free(&r->name);
}

/* Runs the first pass (the maps, sorted once read) then `pass2_fn` over the parties; with
 * pass2_fn NULL only the first pass is made (for the publication date). */
static int read(rf_list_ctx *cx, adv_reader *r, rf_xml_record_fn pass2_fn)
{
    int rc;

    r->cx = cx;
    r->values.buf.max = r->locations.buf.max = r->documents.buf.max = r->entries.buf.max =
        RF_FILE_MAX;
    rc = rf_xml__read(cx, pass1, on_pass1, r);
    map_sort(&r->locations);
    map_sort(&r->documents);
    map_sort(&r->entries);
    if (rc == 0 && pass2_fn) rc = rf_xml__read(cx, pass2, pass2_fn, r);
    return rc;
}

static int parse(rf_list_ctx *cx)
{
    adv_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    rc = read(cx, r, on_pass2);
    if (rc == 0 && cx->sum->rows == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no DistinctParty in the file");
    free_maps(r);
    free(r);
    return rc;
}

/* DateOfIssue comes first: the scan stops at the reference values. */
static int on_date(const rf_xml_record *rec, void *ctx)
{
    char *out = ctx;
    if (rec->spec != R_DATE) return RF_ECANCEL;
    date_of(out, rec, 0, "", NULL);
    if (!rf_list__date_plausible(out)) out[0] = '\0';
    return RF_ECANCEL;
}

static int published(char out[11], rf_list_ctx *cx)
{
    int rc = rf_xml__read(cx, pass1, on_date, out);
    return rc == RF_ECANCEL ? 0 : rc;
}

/* ---- detection -------------------------------------------------------------------------- */

/* Whether most SanctionsEntries are on the SDN List, by a byte scan of the sample: the ID of
 * the list named "SDN List" among the reference values (near the start), and the ListID of
 * the entries (the last section: the sample's tail, the file's last megabyte). 1 when they
 * mostly are, or when it cannot tell. */
static int mostly_sdn(const rf_list_sample *s)
{
    const char *data = s->head, *head_end = data + s->head_len, *tail_end = s->tail + s->tail_len;
    const char *p, *id, *q;
    char sdn_id[24];
    long sdn = 0, other = 0;

    if (!(p = rf_list__find(data, head_end, ">SDN List</List>"))) return 1;
    for (id = p; id > data && strncmp(id, "<List ", 6) != 0; id--) {}
    if (!(id = rf_list__find(id, p, "ID=\"")) || !(q = memchr(id + 4, '"', (size_t)(p - id - 4))))
        return 1;
    snprintf(sdn_id, sizeof sdn_id, "%.*s\"", (int)(q - id - 4), id + 4);
    for (p = s->tail; (p = rf_list__find(p, tail_end, "ListID=\"")) != NULL; p += 8) {
        if ((size_t)(tail_end - p - 8) >= strlen(sdn_id) &&
            strncmp(p + 8, sdn_id, strlen(sdn_id)) == 0)
            sdn++;
        else
            other++;
    }
    return sdn * 2 >= sdn + other;
}

static int detect_sdn(const rf_list_sample *s)
{
    return rf_xml__root_is(s->head, s->head_len, "Sanctions", NS) == 1 && mostly_sdn(s);
}

static int detect_cons(const rf_list_sample *s)
{
    return rf_xml__root_is(s->head, s->head_len, "Sanctions", NS) == 1 && !mostly_sdn(s);
}

const rf_list_format_def rf_list_sdn_advanced_format = {
    RF_LIST_SDN_ADVANCED, "ofac-advanced-xml", "ofac-sdn", detect_sdn, published, parse, NULL,
};

const rf_list_format_def rf_list_cons_advanced_format = {
    RF_LIST_CONS_ADVANCED, "ofac-cons-advanced-xml", "ofac-cons", detect_cons, published, parse,
    NULL,
};
