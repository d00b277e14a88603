/* ofac_csv.c: OFAC's legacy CSV files, a set joined on ent_num: the main file (sdn.csv, or
 * cons_prim.csv for the non-SDN lists) with one row per entry (ent_num, name, type, programs,
 * title, call sign, vessel type, tonnage, GRT, flag, owner, remarks), add.csv (ent_num,
 * add_num, address, city/state/postal code, country, remarks), alt.csv (ent_num, alt_num,
 * type "aka"/"fka"/"nka", name, remarks) and sdn_comments.csv (ent_num, the rest of a remark
 * that the main file cut at 1,000 characters). No header; "-0-" means empty; the files end
 * with a DOS end-of-file byte (0x1A). Feeds "ofac-sdn" and "ofac-cons".
 *
 * Names: the main name is primary (individuals as "LAST, First", as OFAC writes them);
 * alt.csv's a.k.a. and n.k.a. are aliases, its f.k.a. former names; the weak a.k.a.s OFAC
 * keeps only in the remarks ("a.k.a. 'BNC'", also "f.k.a. '...'") are weak aliases. From
 * the remarks, "DOB ..." gives the dates of birth, "nationality X" / "citizen X" the
 * nationalities, and identity documents ("Passport ...", "Tax ID No. ...") the ids.
 *
 * Which file is which comes from the content: the set is the non-SDN list when most of the
 * first 2,000 entries carry a program of a non-SDN list (UKRAINE-EO13662 for SSI, NS-PLC,
 * CMIC-*, FSE-*, 561-Related for CAP, MBS), which the SDN list has on about 1 entry in 100.
 * An entry of the non-SDN set is put on the list its programs name: PLC, CMIC, FSE, CAP, SSI
 * (UKRAINE-EO13662), and the menu-based list NS-MBS for the rest (RUSSIA-EO14024,
 * BURMA-EO14014, CAATSA - RUSSIA, ...), as the CSL files of 2022 and 2023 place them.
 *
 * A set's sha256 is computed over its files (see import.c); the files do not state a date. */
#include "list_import.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { M_ENT, M_NAME, M_TYPE, M_PROGRAM, M_TITLE, M_CALL_SIGN, M_VESS_TYPE, M_TONNAGE, M_GRT,
       M_FLAG, M_OWNER, M_REMARKS, M_COUNT };

#define SDN_LIST_NAME "Specially Designated Nationals (SDN) - Treasury Department"

/* ---- the lists of the non-SDN file ------------------------------------------------------ */

static const struct {
    const char *program; /* exact, or a prefix when it ends in '-' */
    const char *code;
    const char *name;
} cons_lists[] = {
    {"NS-PLC", "PLC", "Palestinian Legislative Council List (PLC) - Treasury Department"},
    {"CMIC-", "CMIC", "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - "
                      "Treasury Department"},
    {"FSE-", "FSE", "Foreign Sanctions Evaders (FSE) - Treasury Department"},
    {"561-Related", "CAP", "Capta List (CAP) - Treasury Department"},
    {"561List", "CAP", "Capta List (CAP) - Treasury Department"},
    {"UKRAINE-EO13662", "SSI", "Sectoral Sanctions Identifications List (SSI) - Treasury "
                               "Department"},
    {"MBS", "NS-MBS", "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department"},
};

#define N_CONS_LISTS (sizeof cons_lists / sizeof *cons_lists)
#define NS_MBS (N_CONS_LISTS - 1)

/* The cons_lists entry a program names, or -1. */
static long cons_list_of(const char *p, size_t len)
{
    for (size_t i = 0; i < N_CONS_LISTS; i++) {
        size_t n = strlen(cons_lists[i].program);
        if (cons_lists[i].program[n - 1] == '-' ? (len > n && strncmp(p, cons_lists[i].program, n) == 0)
                                                 : (len == n && strncmp(p, cons_lists[i].program, n) == 0))
            return (long)i;
    }
    return -1;
}

int rf_ofac__program_non_sdn(const char *program, size_t len)
{
    return cons_list_of(program, len) >= 0;
}

const char *rf_ofac__list(const char *programs, int non_sdn, const char **list_name)
{
    size_t best = NS_MBS;

    if (!non_sdn) {
        *list_name = SDN_LIST_NAME;
        return "SDN";
    }
    /* The first list in cons_lists order that a program names wins. */
    for (const char *p = programs; p && *p;) {
        const char *sep = strstr(p, "; ");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        long i = cons_list_of(p, n);
        if (i >= 0 && (size_t)i < best) best = (size_t)i;
        p = sep ? sep + 2 : NULL;
    }
    *list_name = cons_lists[best].name;
    return cons_lists[best].code;
}

/* ---- fields ------------------------------------------------------------------------------ */

/* The trimmed field, NULL when empty or "-0-". */
static const char *get(rf_row *row, size_t i)
{
    const char *f = rf_row__get(row, i);
    return f && strcmp(f, "-0-") != 0 ? f : NULL;
}

/* The DOS end-of-file byte the files end with: a row of its own. */
static int is_eof_row(const rf_row *row)
{
    return row->n == 1 && row->len[0] >= 1 && row->field[0][0] == '\x1a';
}

static long ent_num(const char *s)
{
    char *end;
    long v;
    if (!s || !*s) return -1;
    v = strtol(s, &end, 10);
    return *end || v < 0 ? -1 : v;
}

/* ---- the companions, indexed by ent_num ------------------------------------------------- */

#define MAX_EXTRA_FIELDS 4

typedef struct extra_row {
    long ent;
    long line;
    size_t off[MAX_EXTRA_FIELDS]; /* into buf; SIZE_MAX when empty */
    int used;
} extra_row;

typedef struct extra {
    const char *name;  /* the companion's path; NULL when absent */
    const char *role;  /* "add.csv", for messages */
    size_t n_fields;   /* fields a row has */
    size_t first;      /* first field kept (after ent_num and the row's own number) */
    rf_buf buf;
    extra_row *rows;
    size_t n, cap;
    rf_list_ctx *cx;
} extra;

static int on_extra_row(rf_row *row, void *ctx)
{
    extra *x = ctx;
    extra_row *r;

    if (is_eof_row(row)) return 0;
    if (row->n != x->n_fields)
        return rf_error_set(x->cx->err, RF_EFORMAT, x->name, row->line,
                            "row has %zu fields; OFAC's %s has %zu", row->n, x->role, x->n_fields);
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        extra_row *rows = realloc(x->rows, cap * sizeof *rows);
        if (!rows) return rf_error_set(x->cx->err, RF_ENOMEM, x->name, row->line, "out of memory");
        x->rows = rows;
        x->cap = cap;
    }
    r = &x->rows[x->n];
    if ((r->ent = ent_num(get(row, 0))) < 0)
        return rf_error_set(x->cx->err, RF_EFORMAT, x->name, row->line,
                            "ent_num \"%s\" is not a number", row->field[0]);
    r->line = row->line;
    r->used = 0;
    for (size_t i = 0; i < MAX_EXTRA_FIELDS; i++) {
        const char *f = x->first + i < row->n ? get(row, x->first + i) : NULL;
        r->off[i] = SIZE_MAX;
        if (!f) continue;
        r->off[i] = x->buf.len;
        if (rf_buf_append(&x->buf, f, strlen(f) + 1))
            return rf_error_set(x->cx->err, RF_ELIMIT, x->name, row->line, "file too large");
    }
    x->n++;
    return 0;
}

static int by_ent(const void *a, const void *b)
{
    const extra_row *x = a, *y = b;
    if (x->ent != y->ent) return x->ent < y->ent ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Reads a companion whole into its index: the join needs all of it before the main file's
 * first row, so memory grows with the companions (add.csv, alt.csv and sdn_comments.csv of
 * July 2021: 1.5 MB together, beside a 2 MB sdn.csv), not with the main file, streamed. */
static int extra_load(extra *x, rf_list_ctx *cx, const rf_list_input *part)
{
    int rc;
    x->cx = cx;
    x->name = part->name;
    if (!part->name) return 0;
    if ((rc = rf_rows__read_input(cx, part, RF_TEXT_AS_IS, ',', on_extra_row, x)) != 0) return rc;
    if (x->n) qsort(x->rows, x->n, sizeof *x->rows, by_ent);
    return 0;
}

/* The rows of `ent`: *count of them from the returned one. */
static extra_row *extra_find(extra *x, long ent, size_t *count)
{
    size_t lo = 0, hi = x->n, end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->rows[mid].ent < ent) lo = mid + 1;
        else hi = mid;
    }
    for (end = lo; end < x->n && x->rows[end].ent == ent; end++) x->rows[end].used = 1;
    *count = end - lo;
    return x->rows ? x->rows + lo : NULL; /* no companion: no rows, and no arithmetic on NULL */
}

static const char *extra_field(const extra *x, const extra_row *r, size_t i)
{
    return r->off[i] == SIZE_MAX ? NULL : x->buf.data + r->off[i];
}

/* One warning per companion for the rows that name no entry of the main file. */
static int extra_orphans(extra *x)
{
    size_t orphans = 0;
    long first = 0;
    for (size_t i = 0; i < x->n; i++)
        if (!x->rows[i].used && !orphans++) first = x->rows[i].line;
    if (!orphans) return 0;
    return rf_list__warn(x->cx, 0, "%zu rows of %s (the first at line %ld) name entries this "
                        "file does not have; left out", orphans, x->name, first);
}

static void extra_free(extra *x)
{
    rf_buf_free(&x->buf);
    free(x->rows);
}

/* ---- the main file ---------------------------------------------------------------------- */

enum { X_ADD, X_ALT, X_COMMENTS, X_COUNT };

typedef struct ofac_reader {
    rf_list_ctx *cx;
    int non_sdn;
    extra x[X_COUNT];
    rf_name_set names;
    rf_address addresses[RF_MAX_ADDRESSES];
    rf_buf remarks;
} ofac_reader;

/* Identity documents as the remarks introduce them ("alt. " may precede each). */
static const char *const id_words[] = {
    "Passport ", "National ID No. ", "Tax ID No. ", "Registration Number ", "Registration ID ",
    "Cedula No. ", "Identification Number ", "SWIFT/BIC ", "Vessel Registration Identification ",
    "D-U-N-S Number ", "Legal Entity Number ", "Company Number ", "Business Registration Number ",
    "C.U.R.P. ", "R.F.C. ", "NIT # ", "RUC # ", "Driver's License No. ", "SSN ", "Public Security and Immigration No. ",
    "Aircraft Manufacturer's Serial Number (MSN) ", "Personal ID Card ", "Residency Number ",
    "Trade License No. ", "Commercial Registry Number ", "Citizen's Card Number ", NULL};

static int starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncmp(s, prefix, n) == 0;
}

/* The weak aliases quoted in the remarks: "a.k.a. 'X'" ends at a quote followed by ';', by a
 * final '.', or by the end ("a.k.a. 'Foreign Trade Bank of the DPRK's'" has its own). */
static int weak_aliases(ofac_reader *r, const char *s, long line)
{
    static const char *const keys[] = {"a.k.a. '", "f.k.a. '", NULL};
    int rc;

    for (const char *const *k = keys; *k; k++) {
        for (const char *p = strstr(s, *k); p; p = strstr(p, *k)) {
            const char *name = p + strlen(*k), *q = name;
            for (; *q; q++)
                if (*q == '\'' && (q[1] == ';' || q[1] == '\0' || (q[1] == '.' && q[2] == '\0')))
                    break;
            if (!*q) break;
            if ((rc = rf_names__add(&r->names, name, (size_t)(q - name), RF_NAME_WEAK_ALIAS, r->cx,
                                   line)) != 0)
                return rc;
            p = q;
        }
    }
    return 0;
}

/* Dates of birth, nationalities and ids from the remarks' "; "-separated statements. */
static int remark_facts(ofac_reader *r, rf_entity *e, const char *s, long line)
{
    int rc = 0;

    for (const char *p = s; p && *p && rc == 0;) {
        const char *sep = strstr(p, "; ");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        const char *v = p;
        size_t vn = n;

        if (!sep && vn && v[vn - 1] == '.') vn--; /* the remarks' final stop */
        if (starts_with(v, vn, "alt. ")) v += 5, vn -= 5;
        if (starts_with(v, vn, "DOB ")) {
            rc = rf_list__join(r->cx, &e->dates_of_birth, v + 4, vn - 4, line);
        } else if (starts_with(v, vn, "nationality ")) {
            rc = rf_list__nationality(r->cx, &e->nationalities, v + 12, vn - 12, line);
        } else if (starts_with(v, vn, "citizen ")) {
            rc = rf_list__nationality(r->cx, &e->nationalities, v + 8, vn - 8, line);
        } else {
            for (const char *const *w = id_words; *w; w++)
                if (starts_with(v, vn, *w)) {
                    rc = rf_list__join(r->cx, &e->ids, v, vn, line);
                    break;
                }
        }
        p = sep ? sep + 2 : NULL;
    }
    return rc;
}

/* "SDGT] [IFSR" (the brackets around the whole field are OFAC's) -> "SDGT; IFSR". */
static int programs(ofac_reader *r, rf_entity *e, const char *s, long line)
{
    int rc = 0;
    for (const char *p = s; p && rc == 0;) {
        const char *sep = strstr(p, "] [");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        rc = rf_list__join(r->cx, &e->programs, p, n, line);
        p = sep ? sep + 3 : NULL;
    }
    return rc;
}

static int join_extras(ofac_reader *r, rf_entity *e, long ent)
{
    rf_list_ctx *cx = r->cx;
    extra_row *rows;
    size_t n;
    int rc;

    rows = extra_find(&r->x[X_ALT], ent, &n);
    for (size_t i = 0; i < n; i++) {
        const char *type = extra_field(&r->x[X_ALT], &rows[i], 0);
        const char *name = extra_field(&r->x[X_ALT], &rows[i], 1);
        rf_name_kind kind = type && strcasecmp(type, "fka") == 0 ? RF_NAME_FORMER : RF_NAME_ALIAS;
        if (type && strcasecmp(type, "aka") != 0 && strcasecmp(type, "fka") != 0 &&
            strcasecmp(type, "nka") != 0 &&
            (rc = rf_list__warn(cx, rows[i].line, "%s: alias type \"%s\" is not aka, fka or nka; "
                               "kept as an alias", r->x[X_ALT].name, type)) != 0)
            return rc;
        if (name &&
            (rc = rf_names__add(&r->names, name, strlen(name), kind, cx, rows[i].line)) != 0)
            return rc;
    }
    rows = extra_find(&r->x[X_ADD], ent, &n);
    for (size_t i = 0; i < n; i++) {
        const char *street = extra_field(&r->x[X_ADD], &rows[i], 0);
        const char *city = extra_field(&r->x[X_ADD], &rows[i], 1);
        const char *parts[] = {street, city};
        const char *text = rf_list__concat(cx, parts, 2, &rc);
        if (rc || (rc = rf_list__address(cx, r->addresses, &e->n_addresses, text, city,
                                        extra_field(&r->x[X_ADD], &rows[i], 2), rows[i].line)))
            return rc;
    }
    rows = extra_find(&r->x[X_COMMENTS], ent, &n);
    for (size_t i = 0; i < n; i++) {
        const char *more = extra_field(&r->x[X_COMMENTS], &rows[i], 0);
        /* The main file cut the remark mid-word: the rest follows without a separator. */
        if (more && rf_buf_puts(&r->remarks, more))
            return rf_list__fail(cx, RF_ELIMIT, rows[i].line, "remarks too long");
    }
    return 0;
}

static int on_row(rf_row *row, void *ctx)
{
    ofac_reader *r = ctx;
    rf_list_ctx *cx = r->cx;
    rf_entity e;
    const char *name, *f;
    long ent;
    int rc;

    if (is_eof_row(row)) return 0;
    if (row->n != M_COUNT)
        return rf_list__fail(cx, RF_EFORMAT, row->line,
                             "row has %zu fields; OFAC's main file has %d", row->n, M_COUNT);
    cx->sum->rows++;
    rf_list__entity_begin(cx, &e, row->line, NULL, NULL);
    if ((ent = ent_num(get(row, M_ENT))) < 0)
        return rf_list__fail(cx, RF_EFORMAT, row->line, "ent_num \"%s\" is not a number",
                            row->field[M_ENT]);
    e.source_id = row->field[M_ENT];
    if (!(name = get(row, M_NAME)))
        return rf_list__fail(cx, RF_EFORMAT, row->line, "row has no name");
    r->names.n = 0;
    r->names.parent = NULL;
    if ((rc = rf_names__add(&r->names, name, strlen(name), RF_NAME_PRIMARY, cx, row->line)) != 0)
        return rc;
    e.type = (f = get(row, M_TYPE)) ? rf_list__entity_type(f) : RF_ENTITY_ORGANIZATION;
    if (e.type == RF_ENTITY_UNKNOWN &&
        (rc = rf_list__warn(cx, row->line, "unknown type \"%s\"", f)) != 0)
        return rc;
    if ((f = get(row, M_PROGRAM)) && (rc = programs(r, &e, f, row->line)) != 0) return rc;
    e.list_code = rf_ofac__list(e.programs, r->non_sdn, &e.list_name);
    e.title = get(row, M_TITLE);
    if ((f = get(row, M_CALL_SIGN)) != NULL) {
        char call_sign[128];
        int n = snprintf(call_sign, sizeof call_sign, "Call Sign %s", f);
        if ((rc = rf_list__join(cx, &e.ids, call_sign,
                               n < (int)sizeof call_sign ? (size_t)n : sizeof call_sign - 1,
                               row->line)) != 0)
            return rc;
    }
    if ((f = get(row, M_FLAG)) &&
        (rc = rf_list__nationality(cx, &e.nationalities, f, strlen(f), row->line)))
        return rc;

    rf_buf_reset(&r->remarks);
    if ((f = get(row, M_REMARKS)) && rf_buf_puts(&r->remarks, f))
        return rf_list__fail(cx, RF_ELIMIT, row->line, "remarks too long");
    e.addresses = r->addresses;
    if ((rc = join_extras(r, &e, ent)) != 0) return rc;
    if (r->remarks.len) {
        e.remarks = r->remarks.data;
        if ((rc = weak_aliases(r, e.remarks, row->line)) != 0 ||
            (rc = remark_facts(r, &e, e.remarks, row->line)) != 0)
            return rc;
    }
    e.names = r->names.names;
    e.n_names = r->names.n;
    return rf_list__emit(cx, &e);
}

static int parse(rf_list_ctx *cx, int non_sdn)
{
    static const char *const roles[X_COUNT][2] = {
        {"add.csv", "cons_add.csv"}, {"alt.csv", "cons_alt.csv"},
        {"sdn_comments.csv", "cons_comments.csv"}};
    static const size_t n_fields[X_COUNT] = {6, 5, 2};
    static const size_t first[X_COUNT] = {2, 2, 1};
    ofac_reader *r = calloc(1, sizeof *r);
    int rc = 0;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    r->non_sdn = non_sdn;
    r->remarks.max = RF_MAX_FIELD * 4;
    for (size_t i = 0; i < X_COUNT && rc == 0; i++) {
        r->x[i].role = roles[i][non_sdn];
        r->x[i].n_fields = n_fields[i];
        r->x[i].first = first[i];
        if (i < cx->n_parts) rc = extra_load(&r->x[i], cx, &cx->parts[i]);
        else r->x[i].cx = cx;
    }
    if (rc == 0) rc = rf_rows__read_input(cx, cx->input, RF_TEXT_AS_IS, ',', on_row, r);
    for (size_t i = 0; i < X_COUNT && rc == 0; i++) rc = extra_orphans(&r->x[i]);
    for (size_t i = 0; i < X_COUNT; i++) extra_free(&r->x[i]);
    rf_buf_free(&r->remarks);
    free(r);
    return rc;
}

/* ---- detection -------------------------------------------------------------------------- */

#define DETECT_ROWS 2000

typedef struct detect_scan {
    long rows, non_sdn;
    int bad;
} detect_scan;

static int on_detect_row(rf_row *row, void *ctx)
{
    detect_scan *d = ctx;
    const char *programs;
    int non_sdn = 0;

    if (is_eof_row(row)) return 0;
    if (row->n != M_COUNT || ent_num(get(row, M_ENT)) < 0 || !get(row, M_NAME)) {
        d->bad = 1;
        return RF_ECANCEL;
    }
    for (const char *p = programs = get(row, M_PROGRAM); p;) {
        const char *sep = strstr(p, "] [");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        non_sdn |= rf_ofac__program_non_sdn(p, n);
        p = sep ? sep + 3 : NULL;
    }
    d->non_sdn += non_sdn;
    return ++d->rows >= DETECT_ROWS ? RF_ECANCEL : 0;
}

/* 1 for an OFAC main file whose entries are mostly (non_sdn) or rarely (!non_sdn) on the
 * non-SDN lists. Only whole lines of the sample (the first megabyte) are read. */
static int detect_main(const rf_list_sample *s, int non_sdn)
{
    detect_scan d = {0, 0, 0};
    rf_error err;
    const char *data = s->head;
    size_t n = s->head_len;
    int rc;

    /* Cheap first: a number, a comma and a quoted name open the file. */
    if (n < 4 || data[0] < '0' || data[0] > '9') return 0;
    if (!s->whole) {
        while (n && data[n - 1] != '\n') n--;
    }
    rc = rf_rows__read(data, n, ',', "", on_detect_row, &d, &err);
    if ((rc != 0 && rc != RF_ECANCEL) || d.bad || d.rows == 0) return 0;
    return non_sdn ? d.non_sdn * 2 > d.rows : d.non_sdn * 2 <= d.rows;
}

static int detect_sdn(const rf_list_sample *s)
{
    return detect_main(s, 0);
}

static int detect_cons(const rf_list_sample *s)
{
    return detect_main(s, 1);
}

static int parse_sdn(rf_list_ctx *cx)
{
    return parse(cx, 0);
}

static int parse_cons(rf_list_ctx *cx)
{
    return parse(cx, 1);
}

static const char *const sdn_files[] = {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv",
                                        NULL};
static const char *const cons_files[] = {"cons_prim.csv", "cons_add.csv", "cons_alt.csv",
                                         "cons_comments.csv", NULL};

const rf_list_format_def rf_list_ofac_sdn_csv_format = {
    RF_LIST_OFAC_SDN_CSV, "ofac-sdn-csv", "ofac-sdn", detect_sdn, NULL, parse_sdn, sdn_files,
};

const rf_list_format_def rf_list_ofac_cons_csv_format = {
    RF_LIST_OFAC_CONS_CSV, "ofac-cons-csv", "ofac-cons", detect_cons, NULL, parse_cons,
    cons_files,
};
