/* bis_native.c: the BIS and State Department lists as their agencies published them before
 * the CSL merged them, CSV with a header row (Windows-1252 where not UTF-8):
 *  - BIS Entity List ("Source List,Entity Number,SDN Type,Programs,Name,...,License
 *    Requirement,License Policy,...,Alternate Name,...,Web Link"): feed "bis-el", code EL;
 *  - BIS Unverified List ("COUNTRY,NAME,ADDRESS"): feed "bis-uvl", code UVL;
 *  - State's nonproliferation sanctions ("Source List,Programs,Name,Alternative Names,
 *    Country,Federal Register Notice,Effective Date,..."): feed "state-isn", code ISN;
 *  - State's ITAR debarred parties ("Debarred Party Full Name And Alias,Date of Birth,
 *    Notice,Notice Date,..."): feed "state-dtc", code DTC.
 * These files repeat a party on one row per address, alias or program: consecutive rows with
 * the same name are one entity, their addresses, aliases and programs gathered. Names are
 * split as the CSL's are (names.c: "X (a.k.a. Y; Z)", "X, a.k.a. Y"); rows may stop short
 * of the header's width, and empty rows are skipped. An entity's source id is the list code
 * and the first 32 hex digits of the sha256 of its name, stable from one version to the
 * next. The files give no publication date (--effective, else the import date). */
#include "list_import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    B_NAME, B_ALT, B_ADDRESS, B_CITY, B_STATE, B_POSTAL, B_COUNTRY, B_FRN, B_START, B_END,
    B_LIC_REQ, B_LIC_POLICY, B_PROGRAMS, B_REMARKS, B_URL, B_DOB, B_TITLE, B_COUNT
};

typedef struct bis_layout {
    const char *code, *list_name;
    const char *const *signature; /* header columns that tell the file apart */
    const char *col[B_COUNT];     /* header of each field; NULL when the layout has none */
} bis_layout;

static const char *const el_sig[] = {"Source List", "Entity Number", "License Requirement",
                                     "License Policy", "Name", NULL};
static const char *const uvl_sig[] = {"COUNTRY", "NAME", "ADDRESS", NULL};
static const char *const isn_sig[] = {"Source List", "Programs", "Name", "Alternative Names",
                                      NULL};
static const char *const dtc_sig[] = {"Debarred Party Full Name And Alias", "Notice", NULL};

static const bis_layout el = {
    "EL", "Entity List (EL) - Bureau of Industry and Security", el_sig,
    {"Name", "Alternate Name", "Address", "City", "State/Province", "Postal Code", "Country",
     "Federal Register Notice", "Effective Date", "Date Lifted/Waived/Expired",
     "License Requirement", "License Policy", "Programs", "Remarks/Notes", "Web Link", NULL,
     "Title"}};
static const bis_layout uvl = {
    "UVL", "Unverified List (UVL) - Bureau of Industry and Security", uvl_sig,
    {"NAME", NULL, "ADDRESS", NULL, NULL, NULL, "COUNTRY", NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL}};
static const bis_layout isn = {
    "ISN", "Nonproliferation Sanctions (ISN) - State Department", isn_sig,
    {"Name", "Alternative Names", NULL, NULL, NULL, NULL, "Country", "Federal Register Notice",
     "Effective Date", NULL, NULL, NULL, "Programs", "Remarks/Notes", "Web Link", NULL, NULL}};
static const bis_layout dtc = {
    "DTC", "ITAR Debarred (DTC) - State Department", dtc_sig,
    {"Debarred Party Full Name And Alias", NULL, NULL, NULL, NULL, NULL, NULL, "Notice",
     "Notice Date", NULL, NULL, NULL, NULL, NULL, NULL, "Date of Birth", NULL}};

typedef struct bis_reader {
    rf_list_ctx *cx;
    const bis_layout *layout;
    rf_namer *namer;
    size_t col[B_COUNT];
    int have_header;
    char *name;    /* the party being gathered (malloc'd), NULL before the first */
    char id[48];
    char start[11], end[11];
    rf_entity e;
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
} bis_reader;

static const char *get(bis_reader *r, rf_row *row, int c)
{
    return r->col[c] < row->n ? rf_row__get(row, r->col[c]) : NULL;
}

/* The pool copy of a field: the entity outlives the row. */
static const char *keep(bis_reader *r, rf_row *row, int c, int *rc)
{
    const char *f = get(r, row, c), *copy;
    if (!f) return NULL;
    if (!(copy = rf_strpool__add(&r->cx->pool, f, strlen(f))))
        *rc = rf_list__fail(r->cx, RF_ENOMEM, row->line, "out of memory");
    return copy;
}

static int emit(bis_reader *r)
{
    if (!r->name) return 0;
    r->e.names = r->names.names;
    r->e.n_names = r->names.n;
    r->e.parent_name = r->names.parent;
    r->e.type = rf_names__guess_type(r->namer, r->e.names[0].text);
    return rf_list__emit(r->cx, &r->e);
}

/* The first row of a party: its name, id and the facts that do not repeat. */
static int begin(bis_reader *r, rf_row *row, const char *name)
{
    rf_list_ctx *cx = r->cx;
    char hex[65];
    int rc = 0;

    free(r->name);
    if (!(r->name = rf_strdup(name)))
        return rf_list__fail(cx, RF_ENOMEM, row->line, "out of memory");
    rf_list__entity_begin(cx, &r->e, row->line, r->layout->code, r->layout->list_name);
    rf_sha256_hex(hex, name, strlen(name));
    snprintf(r->id, sizeof r->id, "%s-%.32s", r->layout->code, hex);
    for (char *p = r->id; *p && *p != '-'; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    r->e.source_id = r->id;
    r->e.addresses = r->addresses;
    if ((rc = rf_names__split(&r->names, r->namer, name, cx, row->line)) != 0) return rc;
    r->e.federal_register = keep(r, row, B_FRN, &rc);
    r->e.license_requirement = keep(r, row, B_LIC_REQ, &rc);
    r->e.license_policy = keep(r, row, B_LIC_POLICY, &rc);
    r->e.remarks = keep(r, row, B_REMARKS, &rc);
    r->e.source_url = keep(r, row, B_URL, &rc);
    r->e.title = keep(r, row, B_TITLE, &rc);
    if (rc) return rc;
    r->e.start_date = rf_list__date(cx, row->line, "effective date", get(r, row, B_START), NULL,
                                   r->start, &rc);
    if (rc) return rc;
    r->e.end_date = rf_list__date(cx, row->line, "end date", get(r, row, B_END), NULL, r->end, &rc);
    return rc;
}

/* What every row of a party adds: an alias, an address, a program, a date of birth. */
static int gather(bis_reader *r, rf_row *row)
{
    rf_list_ctx *cx = r->cx;
    const char *f;
    int rc = 0;

    if ((f = get(r, row, B_ALT)) != NULL) {
        /* "A; B" in the State files, one per row in the Entity List. */
        for (const char *p = f, *sc; p && rc == 0; p = sc ? sc + 1 : NULL) {
            sc = strchr(p, ';');
            rc = rf_names__add_listed(&r->names, r->namer, p, sc ? (size_t)(sc - p) : strlen(p), cx,
                                     row->line);
        }
    }
    if (rc == 0 && (f = get(r, row, B_PROGRAMS)) != NULL)
        rc = rf_list__join(cx, &r->e.programs, f, strlen(f), row->line);
    if (rc == 0 && (f = get(r, row, B_DOB)) != NULL)
        rc = rf_list__join(cx, &r->e.dates_of_birth, f, strlen(f), row->line);
    if (rc == 0) {
        const char *street = keep(r, row, B_ADDRESS, &rc), *city = keep(r, row, B_CITY, &rc);
        const char *parts[] = {street, city, get(r, row, B_STATE), get(r, row, B_POSTAL)};
        const char *text = rc ? NULL : rf_list__concat(cx, parts, 4, &rc);
        const char *country = rc ? NULL : keep(r, row, B_COUNTRY, &rc);
        if (rc == 0)
            rc = rf_list__address(cx, r->addresses, &r->e.n_addresses, text, city, country,
                                  row->line);
    }
    return rc;
}

static int on_row(rf_row *row, void *ctx)
{
    bis_reader *r = ctx;
    const char *name;
    size_t filled = 0;
    int rc;

    if (!r->have_header) {
        r->have_header = 1;
        for (int c = 0; c < B_COUNT; c++) r->col[c] = rf_rows__find_column(row, r->layout->col[c]);
        return 0;
    }
    for (size_t i = 0; i < row->n; i++) filled += rf_row__get(row, i) != NULL;
    if (!filled) return 0; /* the files carry empty rows ("","",... and ,,,,) */
    r->cx->sum->rows++;
    if (!(name = get(r, row, B_NAME)))
        return rf_list__fail(r->cx, RF_EFORMAT, row->line, "row has no name");
    if (!r->name || strcmp(name, r->name) != 0) {
        if ((rc = emit(r)) != 0 || (rc = begin(r, row, name)) != 0) return rc;
    }
    return gather(r, row);
}

static int parse(rf_list_ctx *cx, const bis_layout *layout)
{
    bis_reader *r = calloc(1, sizeof *r);
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    r->layout = layout;
    rc = rf_namer__new(&r->namer, cx->err);
    if (rc == 0) rc = rf_rows__read_input(cx, cx->input, RF_TEXT_CP1252, ',', on_row, r);
    if (rc == 0) rc = emit(r);
    if (rc == 0 && cx->sum->entities == 0)
        rc = rf_list__fail(cx, RF_EFORMAT, 0, "no party in the file");
    rf_namer__free(r->namer);
    free(r->name);
    free(r);
    return rc;
}

#define FORMAT(var, layout, fmt, fmt_name, feed)                                              \
    static int detect_##layout(const rf_list_sample *s)                                       \
    {                                                                                          \
        return rf_rows__header_has(s->head, s->head_len, ',', layout.signature);               \
    }                                                                                          \
    static int parse_##layout(rf_list_ctx *cx)                                                 \
    {                                                                                          \
        return parse(cx, &layout);                                                             \
    }                                                                                          \
    const rf_list_format_def var = {fmt, fmt_name, feed, detect_##layout, NULL, parse_##layout, NULL}

FORMAT(rf_list_bis_el_format, el, RF_LIST_BIS_EL_CSV, "bis-el-csv", "bis-el");
FORMAT(rf_list_bis_uvl_format, uvl, RF_LIST_BIS_UVL_CSV, "bis-uvl-csv", "bis-uvl");
FORMAT(rf_list_state_isn_format, isn, RF_LIST_STATE_ISN_CSV, "state-isn-csv", "state-isn");
FORMAT(rf_list_state_debarred_format, dtc, RF_LIST_STATE_DTC_CSV, "state-dtc-csv", "state-dtc");
