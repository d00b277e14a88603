/* x12.c: ANSI ASC X12 850 purchase orders (and the parties of any other X12 transaction set)
 * -> parties.
 *
 * X12 has no fixed separators: the ISA segment that opens an interchange declares them. Its
 * fourth byte is the element separator; after the 16th element separator come the component
 * separator (ISA16) and the segment terminator. Real files put anything there (`~`, `|`, `*`
 * with `~` as element separator, a space before CR/LF, nothing but CR/LF) and indent
 * segments, so: white space between segments is skipped; a terminator that is itself white
 * space means segments end at line ends. The ISA's own field widths are not trusted (real
 * files shorten ISA06), only its separator count.
 *
 * A lying ISA (separators that are not the ones the file uses) does not go unnoticed: every
 * segment must start with a segment tag, may not span lines, and may not have more elements
 * than the cap, so the first segment after the ISA fails with a message that names the
 * separators the ISA declared.
 *
 * In an 850: BEG gives the order number (BEG03) and date (BEG05); an N1 loop (N1 name, N2
 * more name, N3 street, N4 city / state / postal code / country) is a party whose role is
 * the N101 entity code, a document party before the first PO1 and a party of that line
 * after it; PO1 is a line: number, quantity and unit, and qualifier / ID pairs (MG
 * manufacturer's part, VP / VN vendor's, BP buyer's, CH country of origin, XN ECCN, HD / HT /
 * HS tariff code); PID*F gives its description; REF*ECN in a line gives its ECCN. */
#include "importers/orders/orders.h"

#include <string.h>

#define MAX_ELEMENTS 128     /* elements in one segment */
#define MAX_SEGMENT 65536    /* bytes in one segment */
#define ISA_SCAN 256         /* bytes in which the ISA's 16 separators must appear */

typedef struct x12_in {
    const char *path;
    const char *data;
    size_t len, pos;
    rf_error *err;
    long line;           /* physical line at `pos` */
    char elem, comp, term;
    int line_based;      /* segments end at line ends */
    long seg_no;         /* segments read in this interchange */
    /* the current segment */
    long seg_line;
    const char *el[MAX_ELEMENTS];
    size_t el_len[MAX_ELEMENTS];
    int n_el;
    /* where we are */
    int in_isa, in_st;
    long st_line;
    char st_control[32];
    ord_doc doc;
    size_t line_index;   /* the open PO1 line (1-based), 0 before the first */
    size_t party;        /* the open N1 loop's party */
    int party_open;
    rf_party_fn fn;
    void *ctx;
} x12_in;

/* N101 entity identifier codes and the roles they give; any other code is "n1_" and the code. */
static const struct {
    const char code[3];
    const char *role;
} entities[] = {
    {"BY", "buyer"},          {"SE", "seller"},     {"VN", "vendor"},
    {"ST", "ship_to"},        {"BT", "bill_to"},    {"EN", "end_user"},
    {"UC", "ultimate_consignee"}, {"IC", "intermediate_consignee"},
    {"MF", "manufacturer"},   {"SF", "ship_from"},  {"DU", "reseller"},
    {"IA", "installed_at"},   {"PR", "payer"},      {"RI", "remit_to"},
    {"CA", "carrier"},        {"OB", "ordered_by"}, {"SO", "sold_to"},
    {"SU", "supplier"},       {"MI", "release_issuer"}, {"CN", "consignee"},
};

static void show_char(char out[8], char c)
{
    if (c == '\r') snprintf(out, 8, "CR");
    else if (c == '\n') snprintf(out, 8, "LF");
    else if (c == ' ') snprintf(out, 8, "space");
    else snprintf(out, 8, "'%c'", c);
}

static int fail(x12_in *in, int code, long line, const char *fmt, const char *a, const char *b)
{
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a, b);
    return rf_error_set(in->err, code, in->path, line, "%s", msg);
}

/* The separators, as a phrase for messages: "element '*', segment '~'". */
static void separators(const x12_in *in, char *out, size_t size)
{
    char e[8], t[8];
    show_char(e, in->elem);
    show_char(t, in->term);
    snprintf(out, size, "element %s, segment %s", e, in->line_based ? "line end" : t);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void advance(x12_in *in, size_t n)
{
    rf_orders__advance(&in->pos, &in->line, in->data, in->len, n);
}

static void skip_ws(x12_in *in)
{
    while (in->pos < in->len && is_ws(in->data[in->pos])) advance(in, 1);
}

/* Reads the separators from the ISA at `pos`. */
static int read_isa(x12_in *in)
{
    const char *s = in->data + in->pos;
    size_t avail = in->len - in->pos, k;
    int seps = 0;
    char e[8], c[8], t[8];

    if (avail < 4 || memcmp(s, "ISA", 3) != 0)
        return fail(in, RF_EFORMAT, in->line, "expected an ISA segment here%s%s", "", "");
    in->elem = s[3];
    if ((in->elem >= 'A' && in->elem <= 'Z') || (in->elem >= 'a' && in->elem <= 'z') ||
        (in->elem >= '0' && in->elem <= '9') || is_ws(in->elem))
        return fail(in, RF_EFORMAT, in->line,
                    "ISA segment: its element separator (4th byte) is a letter, digit or white "
                    "space%s%s", "", "");
    for (k = 3; k < avail && k < ISA_SCAN; k++)
        if (s[k] == in->elem && ++seps == 16) break;
    if (seps < 16 || k + 2 >= avail) {
        show_char(e, in->elem);
        return fail(in, RF_EFORMAT, in->line,
                    "ISA segment: fewer than 16 element separators (%s, as its 4th byte "
                    "declares) in its first bytes: a damaged ISA, or not X12%s", e, "");
    }
    in->comp = s[k + 1];
    in->term = s[k + 2];
    /* Separators are ASCII: a byte of a multibyte character as one would cut names in the
     * middle of a letter. */
    if ((unsigned char)in->elem >= 0x80 || (unsigned char)in->comp >= 0x80 || (unsigned char)in->term >= 0x80)
        return fail(in, RF_EFORMAT, in->line,
                    "ISA segment: its separators must be ASCII characters, not bytes of a "
                    "multibyte character%s%s", "", "");
    /* A white-space terminator before a line end (or a line end itself): segments are lines. */
    in->line_based = in->term == '\r' || in->term == '\n' ||
                     (in->term == ' ' && k + 3 < avail && (s[k + 3] == '\r' || s[k + 3] == '\n'));
    if (!in->line_based && (in->term == in->elem || in->term == in->comp || is_ws(in->term) ||
                            in->comp == in->elem)) {
        show_char(e, in->elem);
        show_char(c, in->comp);
        show_char(t, in->term);
        rf_error_set(in->err, RF_EFORMAT, in->path, in->line,
                     "ISA segment: its separators collide (element %s, component %s, segment %s)",
                     e, c, t);
        return RF_EFORMAT;
    }
    return RF_OK;
}

/* Reads the next segment into el[]; returns 1 when there is one, 0 at the end, <0 on error. */
static int next_segment(x12_in *in)
{
    size_t start, end, i;
    char seps[80];
    int n = 0;

    skip_ws(in);
    if (in->pos >= in->len) return 0;
    start = in->pos;
    in->seg_line = in->line;
    in->seg_no++;
    for (i = start; i < in->len; i++) {
        char c = in->data[i];
        if (in->line_based ? (c == '\r' || c == '\n') : c == in->term) break;
        if (c == '\r' || c == '\n') {
            separators(in, seps, sizeof seps);
            rf_error_set(in->err, RF_EFORMAT, in->path, in->line,
                         "segment %ld (%.*s) runs on past the end of its line: the separators "
                         "the ISA declares (%s) are not the ones this file uses, or the file "
                         "is damaged",
                         in->seg_no, (int)(i - start < 12 ? i - start : 12), in->data + start,
                         seps);
            return RF_EFORMAT;
        }
        if (i - start >= MAX_SEGMENT) {
            rf_error_set(in->err, RF_ELIMIT, in->path, in->line,
                         "segment %ld is longer than %d bytes", in->seg_no, MAX_SEGMENT);
            return RF_ELIMIT;
        }
    }
    end = i;
    advance(in, end - start + (end < in->len && !in->line_based));
    while (end > start && (in->data[end - 1] == ' ' || in->data[end - 1] == '\t')) end--;
    /* elements */
    in->n_el = 0;
    for (i = start;; i++) {
        if (i == end || in->data[i] == in->elem) {
            if (in->n_el == MAX_ELEMENTS) {
                separators(in, seps, sizeof seps);
                rf_error_set(in->err, RF_ELIMIT, in->path, in->seg_line,
                             "segment %ld has more than %d elements: the separators the ISA "
                             "declares (%s) are not the ones this file uses?",
                             in->seg_no, MAX_ELEMENTS, seps);
                return RF_ELIMIT;
            }
            in->el[in->n_el] = in->data + start + (size_t)n;
            in->el_len[in->n_el++] = i - start - (size_t)n;
            n = (int)(i - start + 1);
            if (i == end) break;
        }
    }
    /* the tag: two or three capitals and digits, a capital first */
    {
        size_t tl = in->el_len[0];
        int ok = tl >= 2 && tl <= 3 && in->el[0][0] >= 'A' && in->el[0][0] <= 'Z';
        for (size_t k = 1; ok && k < tl; k++) {
            char c = in->el[0][k];
            ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }
        if (!ok) {
            separators(in, seps, sizeof seps);
            rf_error_set(in->err, RF_EFORMAT, in->path, in->seg_line,
                         "segment %ld starts with \"%.*s\", not a segment tag: the separators "
                         "the ISA declares (%s) are not the ones this file uses, or the file "
                         "is damaged",
                         in->seg_no, (int)(tl < 16 ? tl : 16), in->el[0], seps);
            return RF_EFORMAT;
        }
    }
    return 1;
}

static int tag_is(const x12_in *in, const char *tag)
{
    return in->el_len[0] == strlen(tag) && memcmp(in->el[0], tag, in->el_len[0]) == 0;
}

/* Element `i` (the tag is 0) and its length; "" when absent. */
static const char *el(const x12_in *in, int i, size_t *len)
{
    if (i >= in->n_el) {
        *len = 0;
        return "";
    }
    *len = in->el_len[i];
    return in->el[i];
}

static int el_is(const x12_in *in, int i, const char *value)
{
    size_t n;
    const char *s = el(in, i, &n);
    return n == strlen(value) && memcmp(s, value, n) == 0;
}

static int oom(x12_in *in)
{
    return rf_error_set(in->err, RF_ENOMEM, in->path, in->seg_line, "out of memory");
}

static int put(x12_in *in, ord_str *out, int i)
{
    size_t n;
    const char *s = el(in, i, &n);
    return rf_orders__put_first(out, &in->doc, s, n) ? oom(in) : RF_OK;
}

/* CCYYMMDD (or YYMMDD, before version 4010) as YYYY-MM-DD. */
static int put_date(x12_in *in, ord_str *out, int i)
{
    size_t n;
    const char *s = el(in, i, &n);
    char date[11];
    for (size_t k = 0; k < n; k++)
        if (s[k] < '0' || s[k] > '9') return RF_OK;
    if (n == 8) snprintf(date, sizeof date, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
    else if (n == 6)
        snprintf(date, sizeof date, "%s%.2s-%.2s-%.2s", s[0] < '5' ? "20" : "19", s, s + 2, s + 4);
    else return RF_OK;
    return rf_orders__put_first(out, &in->doc, date, 10) ? oom(in) : RF_OK;
}

static int on_n1(x12_in *in)
{
    char role[ORD_ROLE_MAX];
    size_t n, qn, idn;
    const char *code = el(in, 1, &n), *qual = el(in, 3, &qn), *id = el(in, 4, &idn);
    int rc;

    rf_orders__code_role(role, sizeof role, "n1_", code, n);
    for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
        if (n == 2 && memcmp(code, entities[k].code, 2) == 0)
            snprintf(role, sizeof role, "%s", entities[k].role);
    if ((rc = rf_orders__party_add(&in->party, &in->doc, role, in->seg_line, in->line_index,
                                   in->err)))
        return rc;
    in->party_open = 1;
    {
        const char *name = el(in, 2, &n);
        if (rf_orders__party_name(&in->doc, in->party, name, n)) return oom(in);
    }
    if (idn) {
        rf_buf b = {0};
        rc = qn ? rf_buf_printf(&b, "%.*s:", (int)qn, qual) : RF_OK;
        if (!rc) rc = rf_buf_append(&b, id, idn);
        if (!rc) rc = rf_orders__put(&in->doc.parties[in->party].id, &in->doc, b.data, b.len);
        rf_buf_free(&b);
        if (rc) return oom(in);
    }
    return RF_OK;
}

/* N2, N3, N4 of the open N1 loop. */
static int on_n1_detail(x12_in *in)
{
    ord_party *p = &in->doc.parties[in->party];
    ord_doc *d = &in->doc;
    size_t n;
    int rc = RF_OK;

    if (tag_is(in, "N2")) {
        /* more of the name: "SHIP TO" + "ShipTo NameII" is one name */
        for (int i = 1; i <= 2 && !rc; i++) {
            const char *s = el(in, i, &n);
            if (p->names[0]) rc = rf_orders__append(&p->names[0], d, " ", s, n);
            else rc = rf_orders__party_name(d, in->party, s, n);
        }
    } else if (tag_is(in, "N3")) {
        const char *s = el(in, 1, &n);
        rc = rf_orders__put_first(&p->addr.street, d, s, n);
        s = el(in, 2, &n);
        if (!rc) rc = rf_orders__append(&p->addr.extra, d, ", ", s, n);
    } else if (tag_is(in, "N4")) {
        if ((rc = put(in, &p->addr.city, 1)) || (rc = put(in, &p->addr.region, 2)) ||
            (rc = put(in, &p->addr.postal, 3)) || (rc = put(in, &p->addr.country, 4)))
            return rc;
    }
    return rc ? oom(in) : RF_OK;
}

static int on_po1(x12_in *in)
{
    ord_doc *d = &in->doc;
    ord_line *l;
    size_t n, qn, un;
    const char *q, *u;
    int rc;

    in->party_open = 0;
    if ((rc = rf_orders__line_add(&in->line_index, d, in->seg_line, in->err))) return rc;
    l = &d->lines[in->line_index - 1];
    if ((rc = put(in, &l->number, 1))) return rc;
    q = el(in, 2, &qn);
    u = el(in, 3, &un);
    if (qn &&
        (rf_orders__put(&l->quantity, d, q, qn) || rf_orders__append(&l->quantity, d, " ", u, un)))
        return oom(in);
    for (int i = 6; i < in->n_el; i += 2) {
        const char *qual = el(in, i, &qn), *id = el(in, i + 1, &n);
        int kind = -1;
        char code[3] = {0};
        if (!n || qn != 2) continue;
        memcpy(code, qual, 2);
        if (strcmp(code, "MG") == 0) kind = ORD_PART_MANUFACTURER;
        else if (strcmp(code, "VP") == 0 || strcmp(code, "VN") == 0 || strcmp(code, "VC") == 0)
            kind = ORD_PART_SELLER;
        else if (strcmp(code, "BP") == 0 || strcmp(code, "CB") == 0) kind = ORD_PART_BUYER;
        else if (strcmp(code, "UP") == 0 || strcmp(code, "EN") == 0 || strcmp(code, "UK") == 0)
            kind = ORD_PART_OTHER;
        if (kind >= 0)
            rc = rf_orders__put_first(&d->lines[in->line_index - 1].parts[kind], d, id, n);
        else if (strcmp(code, "CH") == 0)
            rc = rf_orders__put_first(&d->lines[in->line_index - 1].origin, d, id, n);
        else if (strcmp(code, "XN") == 0)
            rc = rf_orders__classify(d, in->line_index, "ECCN", id, n);
        else if (strcmp(code, "HD") == 0 || strcmp(code, "HT") == 0 || strcmp(code, "HS") == 0)
            rc = rf_orders__classify(d, in->line_index, "HS", id, n);
        if (rc) return oom(in);
    }
    return RF_OK;
}

static int emit(x12_in *in)
{
    int rc = rf_orders__doc_emit(&in->doc, in->fn, in->ctx, in->err);
    rf_orders__doc_reset(&in->doc);
    in->line_index = 0;
    in->party_open = 0;
    return rc;
}

static int on_segment(x12_in *in)
{
    ord_doc *d = &in->doc;
    size_t n;
    const char *s;
    char tag[4];

    snprintf(tag, sizeof tag, "%.*s", (int)in->el_len[0], in->el[0]);

    if (tag_is(in, "ISA") || tag_is(in, "IEA") || tag_is(in, "GS") || tag_is(in, "GE")) {
        if (in->in_st)
            return fail(in, RF_EFORMAT, in->seg_line,
                        "%s segment inside transaction set %s, before its SE: truncated or "
                        "damaged", tag, in->st_control);
        if (tag_is(in, "IEA")) in->in_isa = 0;
        return RF_OK;
    }
    if (tag_is(in, "ST")) {
        if (in->in_st)
            return fail(in, RF_EFORMAT, in->seg_line,
                        "ST segment before the SE of transaction set %s: truncated or "
                        "damaged%s", in->st_control, "");
        in->in_st = 1;
        in->st_line = in->seg_line;
        s = el(in, 2, &n);
        snprintf(in->st_control, sizeof in->st_control, "%.*s", (int)(n < 20 ? n : 20), s);
        s = el(in, 1, &n);
        return rf_orders__put(&d->doc_type, d, s, n) ? oom(in) : RF_OK;
    }
    if (!in->in_st)
        return fail(in, RF_EFORMAT, in->seg_line,
                    "%s segment outside a transaction set (no ST before it)%s", tag, "");
    if (tag_is(in, "SE")) {
        in->in_st = 0;
        return emit(in);
    }
    if (tag_is(in, "BEG")) {
        int rc = put(in, &d->number, 3);
        return rc ? rc : put_date(in, &d->date, 5);
    }
    if (tag_is(in, "N1")) return on_n1(in);
    if ((tag_is(in, "N2") || tag_is(in, "N3") || tag_is(in, "N4")) && in->party_open)
        return on_n1_detail(in);
    if (tag_is(in, "PO1")) return on_po1(in);
    if (tag_is(in, "CTT")) {
        in->line_index = 0;
        in->party_open = 0;
        return RF_OK;
    }
    if (in->line_index && tag_is(in, "PID") && el_is(in, 1, "F")) {
        s = el(in, 5, &n);
        return rf_orders__put_first(&d->lines[in->line_index - 1].description, d, s, n) ? oom(in)
                                                                                        : 0;
    }
    if (in->line_index && tag_is(in, "REF") && el_is(in, 1, "ECN")) {
        s = el(in, 2, &n);
        return rf_orders__classify(d, in->line_index, "ECCN", s, n) ? oom(in) : RF_OK;
    }
    return RF_OK;
}

int rf_orders__x12_read(const char *path, const char *data, size_t len, rf_party_fn fn, void *ctx,
                 rf_error *err)
{
    x12_in in;
    size_t bad;
    int rc = RF_OK, got;
    rf_error ignored;

    memset(&in, 0, sizeof in);
    in.path = path;
    in.data = data;
    in.len = len;
    in.err = err;
    in.line = 1;
    in.fn = fn;
    in.ctx = ctx;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) in.pos = 3;
    if (!rf_utf8_valid(data, len, &bad)) {
        long line = 1;
        for (size_t i = 0; i < bad; i++) line += data[i] == '\n';
        return rf_error_set(err, RF_EFORMAT, path, line,
                            "invalid UTF-8 (byte 0x%02X at offset %zu): X12 text must be ASCII or "
                            "UTF-8",
                            (unsigned)(unsigned char)data[bad], bad);
    }
    rf_orders__doc_init(&in.doc, path, "x12");
    for (;;) {
        skip_ws(&in);
        if (in.pos >= in.len) break;
        if (!in.in_isa) {
            if ((rc = read_isa(&in))) break;
            in.in_isa = 1;
            in.seg_no = 0;
        }
        if ((got = next_segment(&in)) <= 0) {
            rc = got;
            break;
        }
        if ((rc = on_segment(&in))) break;
    }
    if (rc == RF_OK && in.in_st) {
        rc = rf_error_set(err, RF_EFORMAT, path, in.line,
                          "the file ends inside transaction set %s (ST on line %ld), without its "
                          "SE segment: truncated?",
                          in.st_control, in.st_line);
    } else if (rc == RF_OK && in.in_isa) {
        rc = rf_error_set(err, RF_EFORMAT, path, in.line,
                          "the file ends without the IEA segment that closes its interchange: "
                          "truncated?");
    } else if (rc == RF_OK && in.seg_no == 0) {
        rc = rf_error_set(err, RF_EFORMAT, path, 0, "empty X12 file");
    }
    /* the parties of a transaction set cut short still go out; the error is the file's */
    if (rc != RF_OK && rc != RF_ECANCEL && in.in_st)
        rf_orders__doc_emit(&in.doc, fn, ctx, &ignored);
    rf_orders__doc_free(&in.doc);
    return rc;
}
