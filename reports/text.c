/* text.c: making strings safe for the three report formats: JSON string literals, CSV cells
 * neutralised against spreadsheet formulas, and HTML with <mark>ed spans; plus the small
 * formatting every writer shares (score, address, party reference). */
#include "reports/report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Returns the escape for an ASCII byte, or NULL to copy it as it is. */
typedef const char *(*escape_fn)(unsigned char c, char tmp[8]);

/* Copies s[0..len) through `esc`, one run of plain bytes at a time; a byte that does not
 * start well-formed UTF-8 becomes U+FFFD (`bad`, already escaped for the format). With
 * `strip`, C1 controls and bidirectional formatting characters (rf_char_is_control) are left
 * out: a page must not let a name reorder what the reviewer reads. */
static int put_escaped(rf_buf *out, const char *s, size_t len, escape_fn esc, const char *bad,
                       int strip)
{
    size_t i = 0;
    char tmp[8];
    int rc;

    while (i < len) {
        size_t valid = len - i, run = i, end;
        if (!rf_utf8_valid(s + i, len - i, &valid)) end = i + valid;
        else end = len;
        for (; i < end; i++) {
            const char *e = (unsigned char)s[i] < 0x80 ? esc((unsigned char)s[i], tmp) : NULL;
            if (!e && strip && (unsigned char)s[i] >= 0x80) {
                size_t n;
                if (!rf_char_is_control(rf_utf8_decode(s + i, end - i, &n))) {
                    i += n - 1;
                    continue;
                }
                if ((rc = rf_buf_append(out, s + run, i - run))) return rc;
                i += n - 1;
                run = i + 1;
                continue;
            }
            if (!e) continue;
            if ((rc = rf_buf_append(out, s + run, i - run)) || (rc = rf_buf_puts(out, e)))
                return rc;
            run = i + 1;
        }
        if ((rc = rf_buf_append(out, s + run, end - run))) return rc;
        if (end < len) {
            if ((rc = rf_buf_puts(out, bad))) return rc;
            i = end + 1;
        }
    }
    return rf_buf_append(out, "", 0);
}

static const char *json_escape(unsigned char c, char tmp[8])
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default:
        if (c >= 0x20) return NULL;
        snprintf(tmp, 8, "\\u%04x", c);
        return tmp;
    }
}

int rf_json_string(rf_buf *out, const char *s)
{
    int rc;
    if (!s) return rf_buf_puts(out, "null");
    if ((rc = rf_buf_putc(out, '"')) || (rc = put_escaped(out, s, strlen(s), json_escape,
                                                          "\\ufffd", 0)))
        return rc;
    return rf_buf_putc(out, '"');
}

int rf_json_field(rf_buf *out, const char *key, const char *value)
{
    int rc;
    if ((rc = rf_buf_puts(out, ",\"")) || (rc = rf_buf_puts(out, key)) || (rc = rf_buf_puts(out, "\":")))
        return rc;
    return rf_json_string(out, value);
}

static const char *csv_escape(unsigned char c, char tmp[8])
{
    (void)tmp;
    return c == '"' ? "\"\"" : NULL;
}

int rf_csv_cell(rf_buf *out, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    /* OWASP CSV injection: these first characters make Excel and LibreOffice evaluate the
     * cell; an apostrophe makes it text, and quoting keeps the apostrophe in the cell. */
    int formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
    int quote = formula || (len > 0 && (strpbrk(s, ",\"\r\n") || s[0] == ' ' ||
                                        s[len - 1] == ' '));
    int rc;

    if (!quote) return put_escaped(out, s ? s : "", len, csv_escape, "\xEF\xBF\xBD", 0);
    if ((rc = rf_buf_puts(out, formula ? "\"'" : "\"")) ||
        (rc = put_escaped(out, s, len, csv_escape, "\xEF\xBF\xBD", 0)))
        return rc;
    return rf_buf_putc(out, '"');
}

static const char *html_escape(unsigned char c, char tmp[8])
{
    (void)tmp;
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default:
        /* C0 controls other than white space are not allowed in HTML text. */
        return c < 0x20 && c != '\n' && c != '\r' && c != '\t' ? "&#xFFFD;" : NULL;
    }
}

int rf_html_text(rf_buf *out, const char *s, size_t len)
{
    return put_escaped(out, s ? s : "", s ? len : 0, html_escape, "&#xFFFD;", 1);
}

void rf_hb__raw(rf_hb *h, const char *s)
{
    if (!h->rc && s) h->rc = rf_buf_puts(h->b, s);
}

void rf_hb__text(rf_hb *h, const char *s)
{
    if (!h->rc && s) h->rc = rf_html_text(h->b, s, strlen(s));
}

void rf_hb__num(rf_hb *h, long n)
{
    if (!h->rc) h->rc = rf_buf_printf(h->b, "%ld", n);
}

void rf_hb__elem(rf_hb *h, const char *open, const char *s, const char *close)
{
    rf_hb__raw(h, open);
    rf_hb__text(h, s);
    rf_hb__raw(h, close);
}

static int span_cmp(const void *a, const void *b)
{
    const rf_span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static int is_continuation(const char *s, size_t i)
{
    return ((unsigned char)s[i] & 0xC0) == 0x80;
}

int rf_html_name(rf_buf *out, const char *s, const rf_span *spans, size_t n_spans)
{
    int rc;
    /* Isolated: a right-to-left name cannot pull the text around it into its direction. */
    if ((rc = rf_buf_puts(out, "<bdi>")) || (rc = rf_html__marked(out, s, spans, n_spans)))
        return rc;
    return rf_buf_puts(out, "</bdi>");
}

void rf_hb__name(rf_hb *h, const char *s)
{
    if (!h->rc && s) h->rc = rf_html_name(h->b, s, NULL, 0);
}

int rf_html__marked(rf_buf *out, const char *s, const rf_span *spans, size_t n_spans)
{
    size_t len = s ? strlen(s) : 0, at = 0;
    rf_span *sorted;
    int rc = RF_OK;

    if (n_spans == 0 || !spans) return rf_html_text(out, s, len);
    sorted = malloc(n_spans * sizeof *sorted);
    if (!sorted) return RF_ENOMEM;
    memcpy(sorted, spans, n_spans * sizeof *sorted);
    qsort(sorted, n_spans, sizeof *sorted, span_cmp);
    for (size_t i = 0; i < n_spans && rc == RF_OK; i++) {
        size_t start = sorted[i].start, end;
        if (start >= len) break;
        end = sorted[i].len > len - start ? len : start + sorted[i].len;
        /* A span must not cut a character in two, nor start inside the last mark. */
        while (start > at && is_continuation(s, start)) start--;
        if (start < at) start = at;
        while (end < len && is_continuation(s, end)) end++;
        /* Overlapping and touching spans become one mark. */
        while (i + 1 < n_spans && sorted[i + 1].start <= end) {
            size_t next_end = sorted[i + 1].start + sorted[i + 1].len;
            if (next_end > len || sorted[i + 1].len > len) next_end = len;
            if (next_end > end) end = next_end;
            while (end < len && is_continuation(s, end)) end++;
            i++;
        }
        if (end <= start) continue;
        if ((rc = rf_html_text(out, s + at, start - at)) || (rc = rf_buf_puts(out, "<mark>")) ||
            (rc = rf_html_text(out, s + start, end - start)) ||
            (rc = rf_buf_puts(out, "</mark>")))
            break;
        at = end;
    }
    if (rc == RF_OK) rc = rf_html_text(out, s + at, len - at);
    free(sorted);
    return rc;
}

/* ---- shared formatting ---------------------------------------------------------------- */

void rf_report__score(char out[8], double score)
{
    int milli;
    if (!(score > 0)) score = 0; /* NaN too */
    if (score > 1) score = 1;
    milli = (int)lround(score * 1000.0);
    out[0] = (char)('0' + milli / 1000);
    out[1] = '.';
    out[2] = (char)('0' + milli / 100 % 10);
    out[3] = (char)('0' + milli / 10 % 10);
    out[4] = (char)('0' + milli % 10);
    out[5] = '\0';
}

int rf_report__address(rf_buf *out, const rf_address *a)
{
    const char *parts[3] = {a->text, a->city, a->country};
    int first = 1, rc;
    for (int i = 0; i < 3; i++) {
        if (!parts[i] || !parts[i][0]) continue;
        if ((!first && (rc = rf_buf_puts(out, ", "))) || (rc = rf_buf_puts(out, parts[i])))
            return rc;
        first = 0;
    }
    return rf_buf_append(out, "", 0);
}

int rf_report__party_ref(rf_buf *out, const rf_party *party)
{
    rf_buf_reset(out);
    if (party->ref && party->ref[0]) return rf_buf_puts(out, party->ref);
    return rf_buf_printf(out, "%s:%ld", party->document ? party->document : "", party->line);
}
