/* edifact.c: UN/EDIFACT ORDERS messages (and the NAD parties of any other message) ->
 * parties.
 *
 * The service characters are the UNA service string advice's when the file starts with one
 * (component, element, decimal mark, release character, reserved, segment terminator), else
 * the defaults : + . ? ' . The release character makes the next character data ("A?+A" is
 * "A+A"); one that escapes a segment terminator and runs the segment on into the next one,
 * or that ends the file, is an error with its line, not a merged segment. Line breaks
 * between segments are skipped; inside one they are an error.
 *
 * Text is UTF-8 when it is valid UTF-8 (U+FFFD left by some earlier conversion included);
 * otherwise, when UNB declares UNOC (ISO 8859-1), it is converted from Latin-1; any other
 * byte is an error with its line.
 *
 * In ORDERS: BGM gives the document number, DTM+137 its date; NAD is a party (BY buyer, SU
 * supplier, SE seller, ST ship-to, DP delivery party, UC ultimate consignee, MF
 * manufacturer, ...) with its GLN or other id, name (C080, else the first line of C058) and
 * structured address; LIN starts a line (number, item number), PIA adds part numbers by
 * type (SA seller's, IN buyer's, MF manufacturer's) and HS codes, IMD its description, QTY+21
 * the ordered quantity, ALI the country of origin, RFF+AFE the ECCN. A NAD after a LIN is a
 * party of that line. */
#include "importers/orders/orders.h"

#include <string.h>

#define MAX_ELEMENTS 64
#define MAX_COMPONENTS 16
#define MAX_SEGMENT 65536

typedef struct edi_value {
    size_t off, len; /* in `value` */
} edi_value;

typedef struct edi_in {
    const char *path;
    const char *data;
    size_t len, pos;
    rf_error *err;
    long line;
    char comp, elem, rel, term; /* rel is '\0' when there is none */
    long seg_no, seg_line;
    /* the current segment, unescaped: comps[e][c] */
    rf_buf value;
    edi_value comps[MAX_ELEMENTS][MAX_COMPONENTS];
    int n_comps[MAX_ELEMENTS];
    int n_el;
    char tag[4];
    /* where we are */
    int in_msg;
    long msg_line;
    char msg_ref[40];
    ord_doc doc;
    size_t line_index;
    rf_party_fn fn;
    void *ctx;
} edi_in;

static const struct {
    const char code[4];
    const char *role;
} qualifiers[] = {
    {"BY", "buyer"},    {"SU", "supplier"},     {"SE", "seller"},
    {"ST", "ship_to"},  {"DP", "ship_to"},      {"UC", "ultimate_consignee"},
    {"MF", "manufacturer"}, {"IV", "bill_to"},  {"CN", "consignee"},
    {"OB", "ordered_by"}, {"FW", "freight_forwarder"}, {"CA", "carrier"},
    {"PE", "payee"},    {"SF", "ship_from"},    {"UD", "end_user"},
};

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static void advance(edi_in *in, size_t n)
{
    rf_orders__advance(&in->pos, &in->line, in->data, in->len, n);
}

/* 1 when the bytes at `i` (after white space) start a segment: three capitals and the
 * element separator (or the terminator). */
static int segment_starts(const edi_in *in, size_t i)
{
    while (i < in->len && (in->data[i] == '\r' || in->data[i] == '\n' || in->data[i] == ' ')) i++;
    return i + 3 < in->len && is_upper(in->data[i]) && is_upper(in->data[i + 1]) &&
           is_upper(in->data[i + 2]) &&
           (in->data[i + 3] == in->elem || in->data[i + 3] == in->term);
}

/* Reads the next segment, unescaped, into comps[][]; 1 when there is one, 0 at the end. */
static int next_segment(edi_in *in)
{
    int e = 0, c = 0;
    size_t i;
    long line;

    while (in->pos < in->len && (in->data[in->pos] == '\r' || in->data[in->pos] == '\n' ||
                                 in->data[in->pos] == ' ' || in->data[in->pos] == '\t'))
        advance(in, 1);
    if (in->pos >= in->len) return 0;
    in->seg_no++;
    in->seg_line = line = in->line;
    rf_buf_reset(&in->value);
    memset(in->n_comps, 0, sizeof in->n_comps);
    in->n_el = 1;
    in->n_comps[0] = 1;
    in->comps[0][0] = (edi_value){0, 0};
    for (i = in->pos;; i++) {
        char ch;
        if (i >= in->len) {
            rf_error_set(in->err, RF_EFORMAT, in->path, line,
                         "the file ends inside segment %ld (\"%.*s\"), before its terminator "
                         "'%c': truncated?",
                         in->seg_no, (int)(i - in->pos < 12 ? i - in->pos : 12),
                         in->data + in->pos, in->term);
            return RF_EFORMAT;
        }
        if (i - in->pos >= MAX_SEGMENT) {
            rf_error_set(in->err, RF_ELIMIT, in->path, in->seg_line,
                         "segment %ld is longer than %d bytes", in->seg_no, MAX_SEGMENT);
            return RF_ELIMIT;
        }
        ch = in->data[i];
        if (ch == '\n' || (ch == '\r' && !(i + 1 < in->len && in->data[i + 1] == '\n'))) line++;
        if (in->rel && ch == in->rel) {
            if (i + 1 >= in->len) {
                rf_error_set(in->err, RF_EFORMAT, in->path, line,
                             "a release character '%c' ends the file: it escapes nothing "
                             "(a dangling release character)", in->rel);
                return RF_EFORMAT;
            }
            ch = in->data[++i];
            if (ch == in->term && segment_starts(in, i + 1)) {
                rf_error_set(in->err, RF_EFORMAT, in->path, line,
                             "segment %ld: the release character '%c' escapes the segment "
                             "terminator '%c', and the segment runs on into the next one (a "
                             "dangling release character?)",
                             in->seg_no, in->rel, in->term);
                return RF_EFORMAT;
            }
            if (ch == '\r' || ch == '\n') {
                rf_error_set(in->err, RF_EFORMAT, in->path, line,
                             "segment %ld: a release character '%c' at the end of the line "
                             "escapes the line break (a dangling release character)",
                             in->seg_no, in->rel);
                return RF_EFORMAT;
            }
        } else if (ch == in->term) {
            break;
        } else if (ch == '\r' || ch == '\n') {
            rf_error_set(in->err, RF_EFORMAT, in->path, in->seg_line,
                         "segment %ld (\"%.*s\") runs on past the end of its line without its "
                         "terminator '%c': damaged or truncated?",
                         in->seg_no, (int)(i - in->pos < 12 ? i - in->pos : 12),
                         in->data + in->pos, in->term);
            return RF_EFORMAT;
        } else if (ch == in->elem || ch == in->comp) {
            if (ch == in->elem) {
                if (++e == MAX_ELEMENTS) goto too_many;
                c = 0;
                in->n_el = e + 1;
            } else if (++c == MAX_COMPONENTS) {
                goto too_many;
            }
            in->comps[e][c] = (edi_value){in->value.len, 0};
            in->n_comps[e] = c + 1;
            continue;
        }
        if (rf_buf_putc(&in->value, ch)) goto too_many;
        in->comps[e][c].len++;
    }
    advance(in, i + 1 - in->pos);
    snprintf(in->tag, sizeof in->tag, "%.*s",
             (int)(in->comps[0][0].len < 3 ? in->comps[0][0].len : 3),
             in->value.data ? in->value.data : "");
    if (in->comps[0][0].len != 3 || !is_upper(in->tag[0]) || !is_upper(in->tag[1]) ||
        !is_upper(in->tag[2])) {
        rf_error_set(in->err, RF_EFORMAT, in->path, in->seg_line,
                     "segment %ld starts with \"%.*s\", not a segment tag (three capitals)",
                     in->seg_no, (int)(in->comps[0][0].len < 16 ? in->comps[0][0].len : 16),
                     in->value.data ? in->value.data : "");
        return RF_EFORMAT;
    }
    return 1;

too_many:
    rf_error_set(in->err, RF_ELIMIT, in->path, in->seg_line,
                 "segment %ld has more than %d elements or %d components in one", in->seg_no,
                 MAX_ELEMENTS, MAX_COMPONENTS);
    return RF_ELIMIT;
}

/* Component `c` of element `e` (the tag is element 0). */
static const char *comp(const edi_in *in, int e, int c, size_t *len)
{
    if (e >= in->n_el || c >= in->n_comps[e]) {
        *len = 0;
        return "";
    }
    *len = in->comps[e][c].len;
    return in->value.data + in->comps[e][c].off;
}

static int comp_is(const edi_in *in, int e, int c, const char *value)
{
    size_t n;
    const char *s = comp(in, e, c, &n);
    return n == strlen(value) && memcmp(s, value, n) == 0;
}

static int oom(edi_in *in)
{
    return rf_error_set(in->err, RF_ENOMEM, in->path, in->seg_line, "out of memory");
}

/* Components first..last of element `e`, joined with `sep`, appended to *out. */
static int put_joined(edi_in *in, ord_str *out, int e, int first, int last, const char *sep)
{
    for (int c = first; c <= last; c++) {
        size_t n;
        const char *s = comp(in, e, c, &n);
        if (n && rf_orders__append(out, &in->doc, sep, s, n)) return oom(in);
    }
    return RF_OK;
}

static int put(edi_in *in, ord_str *out, int e, int c)
{
    size_t n;
    const char *s = comp(in, e, c, &n);
    return rf_orders__put_first(out, &in->doc, s, n) ? oom(in) : RF_OK;
}

static int on_nad(edi_in *in)
{
    ord_doc *d = &in->doc;
    char role[ORD_ROLE_MAX];
    size_t n, i;
    const char *code = comp(in, 1, 0, &n);
    ord_party *p;
    int rc;

    rf_orders__code_role(role, sizeof role, "nad_", code, n);
    for (size_t k = 0; k < sizeof qualifiers / sizeof qualifiers[0]; k++)
        if (n == strlen(qualifiers[k].code) && memcmp(code, qualifiers[k].code, n) == 0)
            snprintf(role, sizeof role, "%s", qualifiers[k].role);
    if ((rc = rf_orders__party_add(&i, d, role, in->seg_line, in->line_index, in->err))) return rc;
    p = &d->parties[i];
    /* C082: id, code list, agency (9: GS1, the id is a GLN) */
    {
        size_t idn, an;
        const char *id = comp(in, 2, 0, &idn), *agency = comp(in, 2, 2, &an);
        if (idn) {
            rf_buf b = {0};
            rc = an == 1 && agency[0] == '9' ? rf_buf_puts(&b, "GLN:")
                 : an                         ? rf_buf_printf(&b, "%.*s:", (int)an, agency)
                                              : RF_OK;
            if (!rc) rc = rf_buf_append(&b, id, idn);
            if (!rc) rc = rf_orders__put(&d->parties[i].id, d, b.data, b.len);
            rf_buf_free(&b);
            if (rc) return oom(in);
        }
    }
    /* C080 party name (five lines of one name), else C058's first line */
    {
        ord_str name = 0;
        if ((rc = put_joined(in, &name, 4, 0, 4, " "))) return rc;
        if (!name && ((rc = put(in, &name, 3, 0)) ||
                      (rc = put_joined(in, &p->addr.extra, 3, 1, 4, ", "))))
            return rc;
        p->names[0] = name; /* the party's first name: nothing to compare it with */
    }
    if ((rc = put_joined(in, &p->addr.street, 5, 0, 3, ", ")) ||
        (rc = put(in, &p->addr.city, 6, 0)) || (rc = put(in, &p->addr.region, 7, 3)) ||
        (rc = put(in, &p->addr.region, 7, 0)) || (rc = put(in, &p->addr.postal, 8, 0)))
        return rc;
    return put(in, &p->addr.country, 9, 0);
}

/* An item id of type `type` (SA, IN, MF, HS, ...) for the open line. */
static int item_id(edi_in *in, const char *id, size_t n, const char *type, size_t tn)
{
    ord_doc *d = &in->doc;
    ord_line *l = &d->lines[in->line_index - 1];
    char t[8];
    int kind = ORD_PART_OTHER;

    if (!n) return RF_OK;
    snprintf(t, sizeof t, "%.*s", (int)(tn < 7 ? tn : 7), type);
    if (strcmp(t, "MF") == 0 || strcmp(t, "MP") == 0) kind = ORD_PART_MANUFACTURER;
    else if (strcmp(t, "SA") == 0 || strcmp(t, "VN") == 0) kind = ORD_PART_SELLER;
    else if (strcmp(t, "IN") == 0 || strcmp(t, "BP") == 0) kind = ORD_PART_BUYER;
    else if (strcmp(t, "HS") == 0 || strcmp(t, "CG") == 0 || strcmp(t, "CV") == 0)
        return rf_orders__classify(d, in->line_index, "HS", id, n) ? oom(in) : RF_OK;
    return rf_orders__put_first(&l->parts[kind], d, id, n) ? oom(in) : RF_OK;
}

static int emit(edi_in *in)
{
    int rc = rf_orders__doc_emit(&in->doc, in->fn, in->ctx, in->err);
    rf_orders__doc_reset(&in->doc);
    in->line_index = 0;
    return rc;
}

static int on_segment(edi_in *in)
{
    ord_doc *d = &in->doc;
    const char *s, *t;
    size_t n, tn;
    int rc;

    if (strcmp(in->tag, "UNB") == 0 || strcmp(in->tag, "UNZ") == 0 || strcmp(in->tag, "UNG") == 0 ||
        strcmp(in->tag, "UNE") == 0) {
        if (in->in_msg) {
            rf_error_set(in->err, RF_EFORMAT, in->path, in->seg_line,
                         "%s segment inside message %s, before its UNT: truncated or damaged",
                         in->tag, in->msg_ref);
            return RF_EFORMAT;
        }
        return RF_OK;
    }
    if (strcmp(in->tag, "UNH") == 0) {
        if (in->in_msg) {
            rf_error_set(in->err, RF_EFORMAT, in->path, in->seg_line,
                         "UNH segment before the UNT of message %s: truncated or damaged",
                         in->msg_ref);
            return RF_EFORMAT;
        }
        in->in_msg = 1;
        in->msg_line = in->seg_line;
        s = comp(in, 1, 0, &n);
        snprintf(in->msg_ref, sizeof in->msg_ref, "%.*s", (int)(n < 35 ? n : 35), s);
        return put(in, &d->doc_type, 2, 0);
    }
    if (!in->in_msg) {
        rf_error_set(in->err, RF_EFORMAT, in->path, in->seg_line,
                     "%s segment outside a message (no UNH before it)", in->tag);
        return RF_EFORMAT;
    }
    if (strcmp(in->tag, "UNT") == 0) {
        in->in_msg = 0;
        return emit(in);
    }
    if (strcmp(in->tag, "BGM") == 0) return put(in, &d->number, 2, 0);
    if (strcmp(in->tag, "DTM") == 0 && !in->line_index && comp_is(in, 1, 0, "137")) {
        const char *v = comp(in, 1, 1, &n);
        char date[11];
        int digits = 1;
        for (size_t k = 0; k < n; k++) digits &= v[k] >= '0' && v[k] <= '9';
        if (!digits) return RF_OK;
        if (comp_is(in, 1, 2, "101") && n == 6)
            snprintf(date, sizeof date, "%s%.2s-%.2s-%.2s", v[0] < '5' ? "20" : "19", v, v + 2,
                     v + 4);
        else if (n >= 8)
            snprintf(date, sizeof date, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
        else
            return RF_OK;
        return rf_orders__put_first(&d->date, d, date, 10) ? oom(in) : RF_OK;
    }
    if (strcmp(in->tag, "RFF") == 0 && !in->line_index && comp_is(in, 1, 0, "ON") && !d->number)
        return put(in, &d->number, 1, 1);
    if (strcmp(in->tag, "NAD") == 0) return on_nad(in);
    if (strcmp(in->tag, "LIN") == 0) {
        ord_line *l;
        if ((rc = rf_orders__line_add(&in->line_index, d, in->seg_line, in->err))) return rc;
        l = &d->lines[in->line_index - 1];
        if ((rc = put(in, &l->number, 1, 0))) return rc;
        s = comp(in, 3, 0, &n);
        t = comp(in, 3, 1, &tn); /* before the call: arguments are evaluated in no set order */
        return item_id(in, s, n, t, tn);
    }
    if (strcmp(in->tag, "UNS") == 0) {
        in->line_index = 0;
        return RF_OK;
    }
    if (!in->line_index) return RF_OK;
    if (strcmp(in->tag, "PIA") == 0) {
        for (int e = 2; e < in->n_el && e <= 6; e++) {
            s = comp(in, e, 0, &n);
            t = comp(in, e, 1, &tn);
            if ((rc = item_id(in, s, n, t, tn))) return rc;
        }
        return RF_OK;
    }
    if (strcmp(in->tag, "IMD") == 0) {
        ord_str desc = 0;
        if ((rc = put_joined(in, &desc, 3, 3, 4, " "))) return rc;
        if (desc && !d->lines[in->line_index - 1].description)
            d->lines[in->line_index - 1].description = desc;
        return RF_OK;
    }
    if (strcmp(in->tag, "QTY") == 0 && comp_is(in, 1, 0, "21")) {
        ord_line *l = &d->lines[in->line_index - 1];
        if (l->quantity) return RF_OK;
        if ((rc = put(in, &l->quantity, 1, 1))) return rc;
        return put_joined(in, &d->lines[in->line_index - 1].quantity, 1, 2, 2, " ");
    }
    if (strcmp(in->tag, "ALI") == 0) return put(in, &d->lines[in->line_index - 1].origin, 1, 0);
    if (strcmp(in->tag, "RFF") == 0 && comp_is(in, 1, 0, "AFE")) {
        s = comp(in, 1, 1, &n);
        return rf_orders__classify(d, in->line_index, "ECCN", s, n) ? oom(in) : RF_OK;
    }
    return RF_OK;
}

/* The syntax identifier of the UNB at `pos` (UNOA, UNOC, UNOW, ...), "" when there is none. */
static void syntax_of(const edi_in *in, char out[5])
{
    const char *s = in->data + in->pos;
    size_t avail = in->len - in->pos;
    out[0] = '\0';
    if (avail > 8 && memcmp(s, "UNB", 3) == 0 && s[3] == in->elem) snprintf(out, 5, "%.4s", s + 4);
}

/* Latin-1 to UTF-8, leaving well-formed UTF-8 sequences as they are. */
static int latin1_to_utf8(rf_buf *out, const char *s, size_t len)
{
    rf_buf one = {0};
    int rc = RF_OK;
    while (len && rc == RF_OK) {
        size_t bad = len;
        if (rf_utf8_valid(s, len, &bad)) bad = len;
        if ((rc = rf_buf_append(out, s, bad)) || bad == len) break;
        if (!(rc = rf_latin1_to_utf8(&one, s + bad, 1))) rc = rf_buf_append(out, one.data, one.len);
        s += bad + 1;
        len -= bad + 1;
    }
    rf_buf_free(&one);
    return rc;
}

int rf_orders__edifact_read(const char *path, const char *data, size_t len, rf_party_fn fn,
                     void *ctx, rf_error *err)
{
    edi_in in;
    rf_buf latin1 = {0};
    rf_error ignored;
    size_t bad;
    char syntax[5];
    int rc = RF_OK, got;

    memset(&in, 0, sizeof in);
    in.path = path;
    in.data = data;
    in.len = len;
    in.err = err;
    in.line = 1;
    in.fn = fn;
    in.ctx = ctx;
    in.comp = ':';
    in.elem = '+';
    in.rel = '?';
    in.term = '\'';
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) in.pos = 3;
    while (in.pos < len && (data[in.pos] == ' ' || data[in.pos] == '\r' || data[in.pos] == '\n'))
        advance(&in, 1);
    if (len - in.pos >= 3 && memcmp(data + in.pos, "UNA", 3) == 0) {
        const char *una = data + in.pos + 3;
        if (len - in.pos < 9)
            return rf_error_set(err, RF_EFORMAT, path, in.line,
                                "UNA service string advice cut short: it needs six characters");
        in.comp = una[0];
        in.elem = una[1];
        in.rel = una[3] == ' ' ? '\0' : una[3];
        in.term = una[5];
        /* Service characters are ASCII: a byte of a multibyte character as a separator or
         * release character would cut names in the middle of a letter. */
        for (size_t k = 0; k < 6; k++)
            if ((unsigned char)una[k] >= 0x80 || una[k] == '\0')
                return rf_error_set(err, RF_EFORMAT, path, in.line,
                                    "UNA service string advice gives character %zu as byte 0x%02X: "
                                    "service characters must be ASCII", k + 1, (unsigned)(unsigned char)una[k]);
        if (in.comp == in.elem || in.term == in.elem || in.term == in.comp ||
            (in.rel && (in.rel == in.elem || in.rel == in.comp || in.rel == in.term)))
            return rf_error_set(err, RF_EFORMAT, path, in.line,
                                "UNA service string advice \"%.9s\" gives one character two "
                                "roles", data + in.pos);
        advance(&in, 9);
        while (in.pos < len &&
               (data[in.pos] == ' ' || data[in.pos] == '\r' || data[in.pos] == '\n'))
            advance(&in, 1);
    }
    syntax_of(&in, syntax);
    if (!rf_utf8_valid(data, len, &bad)) {
        long line = 1;
        for (size_t i = 0; i < bad; i++) line += data[i] == '\n';
        if (strcmp(syntax, "UNOC") != 0)
            return rf_error_set(err, RF_EFORMAT, path, line,
                                "invalid UTF-8 (byte 0x%02X at offset %zu) in a file whose UNB "
                                "declares %s: convert it to UTF-8 first",
                                (unsigned)(unsigned char)data[bad], bad,
                                syntax[0] ? syntax : "no character set");
        /* UNOC is ISO 8859-1: its bytes are converted, while runs that are already UTF-8
         * (a file some tool half converted) are kept; what was skipped so far is ASCII */
        if (latin1_to_utf8(&latin1, data + in.pos, len - in.pos))
            return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
        in.pos = 0;
        in.data = latin1.data;
        in.len = latin1.len;
    }
    rf_orders__doc_init(&in.doc, path, "edifact");
    for (;;) {
        if ((got = next_segment(&in)) <= 0) {
            rc = got;
            break;
        }
        if ((rc = on_segment(&in))) break;
    }
    if (rc == RF_OK && in.in_msg)
        rc = rf_error_set(err, RF_EFORMAT, path, in.line,
                          "the file ends inside message %s (UNH on line %ld), without its UNT "
                          "segment: truncated?",
                          in.msg_ref, in.msg_line);
    else if (rc == RF_OK && in.seg_no == 0)
        rc = rf_error_set(err, RF_EFORMAT, path, 0, "no EDIFACT segment in the file");
    if (rc != RF_OK && rc != RF_ECANCEL && in.in_msg)
        rf_orders__doc_emit(&in.doc, fn, ctx, &ignored);
    rf_orders__doc_free(&in.doc);
    rf_buf_free(&in.value);
    rf_buf_free(&latin1);
    return rc;
}
