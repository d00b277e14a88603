/* doc.c: the in-memory order document of orders.h: an arena of strings, the parties and
 * lines the structured readers find, filing of classification codes under ECCN or HS, and
 * the hand-out of parties as rf_party records with the lines they concern; and the line
 * counting the segment readers share (rf_orders__advance). */
#include "importers/orders/orders.h"

#include <stdlib.h>
#include <string.h>

void rf_orders__doc_init(ord_doc *d, const char *path, const char *format)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    d->format = format;
}

void rf_orders__doc_reset(ord_doc *d)
{
    rf_buf_reset(&d->arena);
    d->doc_type = d->number = d->date = 0;
    d->n_parties = 0;
    d->n_lines = 0;
}

void rf_orders__doc_free(ord_doc *d)
{
    rf_buf_free(&d->arena);
    free(d->parties);
    free(d->lines);
    memset(d, 0, sizeof *d);
}

const char *rf_orders__get(const ord_doc *d, ord_str s)
{
    return s && s < d->arena.len ? d->arena.data + s : NULL;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int rf_orders__put(ord_str *out, ord_doc *d, const char *s, size_t len)
{
    size_t start, kept = 0;
    int rc, space = 0;

    *out = 0;
    if (d->arena.len == 0 && (rc = rf_buf_putc(&d->arena, '\0'))) return rc; /* offset 0 */
    start = d->arena.len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c) || c == '\0') {
            space = kept > 0;
            continue;
        }
        /* Cut before a character that would end past the cap: its lead byte decides. */
        if (kept + 1 + (size_t)space > ORD_MAX_VALUE && (c & 0xC0) != 0x80) break;
        if (space && (rc = rf_buf_putc(&d->arena, ' '))) return rc;
        kept += (size_t)space;
        space = 0;
        if ((rc = rf_buf_putc(&d->arena, (char)c))) return rc;
        kept++;
    }
    if (kept == 0) {
        d->arena.len = start;
        d->arena.data[start] = '\0';
        return RF_OK;
    }
    if ((rc = rf_buf_putc(&d->arena, '\0'))) return rc;
    *out = start;
    return RF_OK;
}

int rf_orders__put_first(ord_str *out, ord_doc *d, const char *s, size_t len)
{
    ord_str got;
    int rc;
    if (*out) return RF_OK;
    if ((rc = rf_orders__put(&got, d, s, len))) return rc;
    *out = got;
    return RF_OK;
}

int rf_orders__append(ord_str *out, ord_doc *d, const char *sep, const char *s, size_t len)
{
    ord_str add, joined;
    rf_buf tmp = {0};
    int rc;

    if ((rc = rf_orders__put(&add, d, s, len)) || !add) return rc;
    if (!*out) {
        *out = add;
        return RF_OK;
    }
    if ((rc = rf_buf_puts(&tmp, rf_orders__get(d, *out))) || (rc = rf_buf_puts(&tmp, sep)) ||
        (rc = rf_buf_puts(&tmp, rf_orders__get(d, add))) ||
        (rc = rf_orders__put(&joined, d, tmp.data, tmp.len))) {
        rf_buf_free(&tmp);
        return rc;
    }
    rf_buf_free(&tmp);
    *out = joined;
    return RF_OK;
}

int rf_orders__party_add(size_t *index, ord_doc *d, const char *role, long line, size_t order_line,
                  rf_error *err)
{
    ord_party *p;
    int rc;

    if (d->n_parties >= ORD_MAX_PARTIES)
        return rf_error_set(err, RF_ELIMIT, d->path, line,
                            "more than %d parties in one document", ORD_MAX_PARTIES);
    if (d->n_parties == d->parties_cap) {
        size_t cap = d->parties_cap ? d->parties_cap * 2 : 16;
        ord_party *grown = realloc(d->parties, cap * sizeof *grown);
        if (!grown) return rf_error_set(err, RF_ENOMEM, d->path, line, "out of memory");
        d->parties = grown;
        d->parties_cap = cap;
    }
    p = &d->parties[d->n_parties];
    memset(p, 0, sizeof *p);
    p->line = line;
    p->order_line = order_line;
    if ((rc = rf_orders__put(&p->role, d, role, strlen(role))))
        return rf_error_set(err, rc, d->path, line, "out of memory");
    *index = d->n_parties++;
    return RF_OK;
}

static int same_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
        if (x != y) return 0;
    }
    return *a == *b;
}

int rf_orders__party_name(ord_doc *d, size_t i, const char *s, size_t len)
{
    ord_str name;
    int rc;

    if ((rc = rf_orders__put(&name, d, s, len)) || !name) return rc;
    for (size_t k = 0; k < ORD_MAX_NAMES; k++) {
        ord_str *slot = &d->parties[i].names[k];
        if (!*slot) {
            *slot = name;
            return RF_OK;
        }
        if (same_ignoring_case(rf_orders__get(d, *slot), rf_orders__get(d, name))) break;
    }
    d->arena.len = name; /* a repeat (or one name too many): drop the copy */
    d->arena.data[name] = '\0';
    return RF_OK;
}

int rf_orders__line_add(size_t *index, ord_doc *d, long line, rf_error *err)
{
    if (d->n_lines >= ORD_MAX_LINES)
        return rf_error_set(err, RF_ELIMIT, d->path, line,
                            "more than %d lines in one document", ORD_MAX_LINES);
    if (d->n_lines == d->lines_cap) {
        size_t cap = d->lines_cap ? d->lines_cap * 2 : 16;
        ord_line *grown = realloc(d->lines, cap * sizeof *grown);
        if (!grown) return rf_error_set(err, RF_ENOMEM, d->path, line, "out of memory");
        d->lines = grown;
        d->lines_cap = cap;
    }
    memset(&d->lines[d->n_lines], 0, sizeof d->lines[0]);
    d->lines[d->n_lines].line = line;
    *index = ++d->n_lines;
    return RF_OK;
}

/* ---- classification codes ----------------------------------------------------------- */

/* Lower-case letters and digits only: "Schedule B" and "schedule_b" are "scheduleb". */
static void squash(char *out, size_t out_size, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < out_size; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[n++] = c;
    }
    out[n] = '\0';
}

/* An ECCN: a digit, a category letter A-E, three digits (5A002, 3A991.a.1, 0Y521), or
 * EAR99 for items subject to the EAR but not on the Commerce Control List. */
static int looks_like_eccn(const char *s, size_t len)
{
    if (len >= 5 && (memcmp(s, "EAR99", 5) == 0 || memcmp(s, "ear99", 5) == 0))
        return len == 5;
    if (len < 5 || s[0] < '0' || s[0] > '9') return 0;
    if (!((s[1] >= 'A' && s[1] <= 'E') || s[1] == 'Y')) return 0;
    for (int i = 2; i < 5; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return len == 5 || s[5] == '.';
}

int rf_orders__classify(ord_doc *d, size_t line_index, const char *scheme, const char *code,
                 size_t code_len)
{
    char sch[64];
    ord_line *l;
    ord_str value;
    int rc;

    if (!line_index || line_index > d->n_lines) return RF_OK;
    while (code_len && is_space((unsigned char)*code)) code++, code_len--;
    while (code_len && is_space((unsigned char)code[code_len - 1])) code_len--;
    if (!code_len) return RF_OK;
    squash(sch, sizeof sch, scheme);
    if ((rc = rf_orders__put(&value, d, code, code_len))) return rc;
    l = &d->lines[line_index - 1];
    if (strstr(sch, "eccn") || strcmp(sch, "ecn") == 0 ||
        strstr(sch, "exportcontrol") || (!sch[0] && looks_like_eccn(code, code_len))) {
        if (!l->eccn) l->eccn = value;
    } else if (strncmp(sch, "hs", 2) == 0 || strstr(sch, "hts") || strstr(sch, "harmoni") ||
               strstr(sch, "tariff") || strstr(sch, "scheduleb") || strstr(sch, "taric") ||
               strcmp(sch, "cn") == 0 || strstr(sch, "customs")) {
        if (!l->hs) l->hs = value;
    } else if (looks_like_eccn(code, code_len)) {
        if (!l->eccn) l->eccn = value;
    }
    return RF_OK;
}

void rf_orders__snake_case(char *out, size_t out_size, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 2 < out_size; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') {
            if (n > 0 && out[n - 1] != '_') out[n++] = '_';
            c = (char)(c - 'A' + 'a');
        } else if (c == ' ' || c == '-' || c == '_') {
            c = '_';
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            continue; /* a role is an ASCII word, whatever the document put there */
        }
        out[n++] = c;
    }
    out[n] = '\0';
}

void rf_orders__code_role(char *out, size_t out_size, const char *prefix, const char *code,
                          size_t len)
{
    size_t n = (size_t)snprintf(out, out_size, "%s", prefix), kept = 0;
    for (size_t i = 0; i < len && kept < 3 && n + 1 < out_size; i++) {
        char c = code[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[n++] = c, kept++;
    }
    out[n < out_size ? n : out_size - 1] = '\0';
}

/* ---- hand-out --------------------------------------------------------------------------- */

static const char *best_part(const ord_doc *d, const ord_line *l)
{
    for (int k = 0; k < ORD_PARTS; k++)
        if (l->parts[k]) return rf_orders__get(d, l->parts[k]);
    return NULL;
}

/* "Kungsgatan 22, suite12" from its parts. */
static int compose_address(rf_buf *out, const ord_doc *d, const ord_addr *a)
{
    const char *street = rf_orders__get(d, a->street), *number = rf_orders__get(d, a->number),
               *extra = rf_orders__get(d, a->extra);
    int rc = RF_OK;
    rf_buf_reset(out);
    if (street) rc = rf_buf_puts(out, street);
    if (!rc && number) rc = rf_buf_printf(out, "%s%s", street ? " " : "", number);
    if (!rc && extra) rc = rf_buf_printf(out, "%s%s", out->len ? ", " : "", extra);
    return rc;
}

int rf_orders__doc_emit(ord_doc *d, rf_party_fn fn, void *ctx, rf_error *err)
{
    rf_order_line *lines = NULL;
    rf_buf address = {0};
    int rc = RF_OK;

    if (d->n_lines && !(lines = calloc(d->n_lines, sizeof *lines)))
        return rf_error_set(err, RF_ENOMEM, d->path, 0, "out of memory");
    for (size_t i = 0; i < d->n_lines; i++) {
        const ord_line *l = &d->lines[i];
        lines[i] = (rf_order_line){l->line,
                                   rf_orders__get(d, l->number),
                                   best_part(d, l),
                                   rf_orders__get(d, l->description),
                                   rf_orders__get(d, l->quantity),
                                   rf_orders__get(d, l->eccn),
                                   rf_orders__get(d, l->hs),
                                   rf_orders__get(d, l->origin)};
    }
    for (size_t i = 0; i < d->n_parties && rc == RF_OK; i++) {
        const ord_party *q = &d->parties[i];
        char country[3];
        rf_party p;
        int n_names = 0;

        while (n_names < ORD_MAX_NAMES && q->names[n_names]) n_names++;
        if (!n_names && !q->id && !q->addr.street && !q->addr.extra && !q->addr.city &&
            !q->addr.region && !q->addr.country)
            continue; /* nothing to screen and nowhere to check */
        if ((rc = compose_address(&address, d, &q->addr))) {
            rf_error_set(err, rc, d->path, q->line, "out of memory");
            break;
        }
        memset(&p, 0, sizeof p);
        p.document = d->path;
        p.line = q->line;
        p.ref = rf_orders__get(d, d->number);
        p.role = rf_orders__get(d, q->role);
        p.address = address.len ? address.data : NULL;
        p.city = rf_orders__get(d, q->addr.city);
        p.country = rf_orders__get(d, q->addr.country);
        /* "cn" is CN: country codes are compared upper case downstream. */
        if (p.country && strlen(p.country) == 2) {
            for (int k = 0; k < 2; k++) {
                char c = p.country[k];
                country[k] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
            }
            country[2] = '\0';
            p.country = country;
        }
        p.date = rf_orders__get(d, d->date);
        p.format = d->format;
        p.doc_type = rf_orders__get(d, d->doc_type);
        p.party_id = rf_orders__get(d, q->id);
        p.region = rf_orders__get(d, q->addr.region);
        p.postal_code = rf_orders__get(d, q->addr.postal);
        if (q->order_line && q->order_line <= d->n_lines) {
            const rf_order_line *l = &lines[q->order_line - 1];
            p.order_line = l->number;
            p.part_number = l->part_number;
            p.description = l->description;
            p.quantity = l->quantity;
            p.eccn = l->eccn;
            p.hs_code = l->hs_code;
            p.origin = l->origin;
            p.item = l->part_number ? l->part_number : l->description;
            p.lines = l;
            p.n_lines = 1;
        } else {
            p.lines = lines;
            p.n_lines = d->n_lines;
        }
        for (int k = 0; k < (n_names ? n_names : 1); k++) {
            p.name = n_names ? rf_orders__get(d, q->names[k]) : NULL;
            if (fn(&p, ctx) != 0) {
                rc = rf_error_set(err, RF_ECANCEL, d->path, q->line, "stopped by the caller");
                break;
            }
        }
    }
    rf_buf_free(&address);
    free(lines);
    return rc;
}

void rf_orders__advance(size_t *pos, long *line, const char *data, size_t len, size_t n)
{
    for (size_t i = 0; i < n && *pos < len; i++, (*pos)++)
        if (data[*pos] == '\n' ||
            (data[*pos] == '\r' && (*pos + 1 == len || data[*pos + 1] != '\n')))
            (*line)++;
}
