/* orders.c: what the reports say about order documents, shared by the three writers: the
 * destination finding of a party (JSON "embargo" object, CSV columns, the red HTML block),
 * the party's order line and the order lines a finding concerns, and, for HTML, the
 * grouping of findings by document: each document with its number, date and parties, the
 * lines concerned, then its flagged parties' cards.
 *
 * The destination finding comes from report.c (rf_report.destination): the screener's, or
 * made there from the party on every other path in (rf_report_add, replayed runs). */
#include "reports/report_internal.h"

#include <stdlib.h>
#include <string.h>

static int line_json(rf_buf *b, const rf_order_line *l)
{
    int rc;
    if ((rc = rf_buf_printf(b, "{\"line\":%ld", l->line)) ||
        (rc = rf_json_field(b, "number", l->number)) ||
        (rc = rf_json_field(b, "part_number", l->part_number)) ||
        (rc = rf_json_field(b, "description", l->description)) ||
        (rc = rf_json_field(b, "quantity", l->quantity)) || (rc = rf_json_field(b, "eccn", l->eccn)) ||
        (rc = rf_json_field(b, "hs_code", l->hs_code)) || (rc = rf_json_field(b, "origin", l->origin)))
        return rc;
    return rf_buf_putc(b, '}');
}

int rf_report__order_json(rf_buf *b, const rf_party *party, const rf_destination *dest,
                         int flagged)
{
    int rc;
    if ((rc = rf_json_field(b, "format", party->format)) ||
        (rc = rf_json_field(b, "doc_type", party->doc_type)) ||
        (rc = rf_json_field(b, "date", party->date)) ||
        (rc = rf_json_field(b, "address", party->address)) ||
        (rc = rf_json_field(b, "city", party->city)) ||
        (rc = rf_json_field(b, "region", party->region)) ||
        (rc = rf_json_field(b, "party_id", party->party_id)) ||
        (rc = rf_json_field(b, "order_line", party->order_line)) ||
        (rc = rf_json_field(b, "part_number", party->part_number)) ||
        (rc = rf_json_field(b, "eccn", party->eccn)) ||
        (rc = rf_json_field(b, "hs_code", party->hs_code)) ||
        (rc = rf_json_field(b, "origin", party->origin)) || (rc = rf_buf_puts(b, ",\"embargo\":")))
        return rc;
    if (!dest) {
        rc = rf_buf_puts(b, "null");
    } else if ((rc = rf_buf_puts(b, "{\"code\":")) || (rc = rf_json_string(b, dest->code)) ||
               (rc = rf_json_field(b, "name", dest->name)) ||
               (rc = rf_json_field(b, "authority", dest->authority)) ||
               (rc = rf_json_field(b, "field", dest->field)) ||
               (rc = rf_json_field(b, "found", dest->found)) ||
               (rc = rf_json_field(b, "reason", dest->reason))) {
        return rc;
    } else {
        rc = rf_buf_putc(b, '}');
    }
    if (rc || (rc = rf_buf_puts(b, ",\"lines\":["))) return rc;
    for (size_t i = 0; flagged && i < party->n_lines; i++)
        if ((i && (rc = rf_buf_putc(b, ','))) || (rc = line_json(b, &party->lines[i]))) return rc;
    return rf_buf_putc(b, ']');
}

/* "10 AD9361BBCZ (ECCN 5A991.b, HS 854239); 20 ..." */
static int lines_text(rf_buf *out, const rf_party *party)
{
    int rc = RF_OK;
    for (size_t i = 0; i < party->n_lines && rc == RF_OK; i++) {
        const rf_order_line *l = &party->lines[i];
        int parts = 0;
        if (i && (rc = rf_buf_puts(out, "; "))) break;
        rc = rf_buf_printf(out, "%s%s%s", l->number ? l->number : "?", l->part_number ? " " : "",
                           l->part_number ? l->part_number : "");
        if (!rc && (l->eccn || l->hs_code)) {
            rc = rf_buf_puts(out, " (");
            if (!rc && l->eccn) rc = rf_buf_printf(out, "ECCN %s", l->eccn), parts++;
            if (!rc && l->hs_code)
                rc = rf_buf_printf(out, "%sHS %s", parts ? ", " : "", l->hs_code);
            if (!rc) rc = rf_buf_putc(out, ')');
        }
    }
    return rc;
}

int rf_report__order_cells(rf_report_row *row, const rf_party *party,
                          const rf_destination *dest, int flagged)
{
    const char *cells[] = {party->format,  party->doc_type, party->date,
                           party->order_line, party->part_number, party->eccn,
                           party->hs_code, NULL /* lines */,
                           dest ? dest->code : NULL, dest ? dest->reason : NULL};
    rf_buf lines = {0};
    int rc = flagged ? lines_text(&lines, party) : RF_OK;

    cells[7] = lines.len ? lines.data : NULL;
    for (size_t i = 0; i < sizeof cells / sizeof cells[0] && rc == RF_OK; i++)
        rc = rf_report__row_text(row, cells[i]);
    rf_buf_free(&lines);
    return rc;
}

/* ---- HTML ------------------------------------------------------------------------------- */

int rf_html__embargo(rf_buf *out, const rf_destination *d)
{
    rf_hb h = {out, RF_OK};
    rf_hb__raw(&h, "<section class=\"embargo\">\n<h4><span class=\"list\">");
    rf_hb__text(&h, d->code);
    rf_hb__elem(&h, "</span> Embargoed destination: ", d->name, "</h4>\n<table class=\"facts\">\n");
    rf_hb__elem(&h, "<tr><th>Found in</th><td>the ", d->field, " of the party: ");
    rf_hb__elem(&h, "<mark>", d->found, "</mark></td></tr>\n");
    rf_hb__elem(&h, "<tr><th>Rules</th><td>", d->authority, "</td></tr>\n</table>\n");
    rf_hb__raw(&h, "<p class=\"why\">No export, reexport or transfer to this destination without a "
                  "license, whoever the party is: hold the order until it is cleared.</p>\n"
                  "</section>\n");
    return h.rc;
}

/* One order's findings, kept until the page is written: a structured document (or one order
 * of an X12 or EDIFACT file), or the row of a CSV file with its ref (every party of an order
 * row: buyer, ship-to, end user). */
typedef struct doc_group {
    char *document, *ref, *date, *doc_type, *format;
    long line;             /* a CSV row without a ref: its file line */
    int structured;        /* a UBL / cXML / X12 / EDIFACT document */
    long parties, flagged;
    rf_buf party_rows;     /* every party of the order */
    rf_buf articles;       /* the flagged parties' cards, rendered */
    rf_order_line *lines;  /* the lines findings concern, deep-copied, in order */
    char **line_text;      /* their strings, 7 per line */
    size_t n_lines;
    long *line_keys;       /* file lines of the lines kept, to keep each once */
} doc_group;

struct rf_html_docs {
    doc_group *groups;
    size_t n, cap;
};

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static void group_free(doc_group *g)
{
    free(g->document), free(g->ref), free(g->date), free(g->doc_type), free(g->format);
    rf_buf_free(&g->party_rows);
    rf_buf_free(&g->articles);
    for (size_t i = 0; i < g->n_lines * 7; i++) free(g->line_text[i]);
    free(g->line_text);
    free(g->lines);
    free(g->line_keys);
}

/* The group of the party's order: structured documents by file and number (an X12 or EDIFACT
 * file holds several orders), CSV rows by file and ref (else line). A CSV file's orders come
 * one after the other, so only the last group can be the party's, and a finished order with
 * nothing flagged is dropped, keeping memory to the flagged orders. */
static doc_group *group_for(rf_html_docs *d, const rf_party *party, size_t *index)
{
    int structured = party->format && strcmp(party->format, "csv") != 0;
    long line = structured || party->ref ? 0 : party->line;
    doc_group *g;

    for (size_t i = d->n; i-- > 0;) {
        g = &d->groups[i];
        if (same(g->document, party->document) && same(g->ref, party->ref) && g->line == line)
            return *index = i, g;
        if (!structured) break;
    }
    if (d->n && !d->groups[d->n - 1].structured && !d->groups[d->n - 1].flagged) {
        group_free(&d->groups[--d->n]);
    } else if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        doc_group *grown = realloc(d->groups, cap * sizeof *grown);
        if (!grown) return NULL;
        d->groups = grown;
        d->cap = cap;
    }
    g = &d->groups[d->n];
    memset(g, 0, sizeof *g);
    g->structured = structured;
    g->line = line;
    g->document = rf_strdup(party->document ? party->document : "");
    g->ref = rf_strdup(party->ref);
    g->date = rf_strdup(party->date);
    g->doc_type = rf_strdup(structured ? party->doc_type : NULL);
    g->format = rf_strdup(party->format);
    if (!g->document || (party->ref && !g->ref) || (party->date && !g->date) ||
        (structured && party->doc_type && !g->doc_type) || (party->format && !g->format)) {
        group_free(g);
        return NULL;
    }
    *index = d->n;
    return &d->groups[d->n++];
}

/* Keeps the lines a finding concerns, each once. */
static int keep_lines(doc_group *g, const rf_party *party)
{
    for (size_t i = 0; i < party->n_lines; i++) {
        const rf_order_line *l = &party->lines[i];
        const char *src[7] = {l->number, l->part_number, l->description, l->quantity,
                              l->eccn,   l->hs_code,     l->origin};
        int seen = 0;
        for (size_t k = 0; k < g->n_lines && !seen; k++) seen = g->line_keys[k] == l->line;
        if (seen) continue;
        {
            rf_order_line *lines = realloc(g->lines, (g->n_lines + 1) * sizeof *lines);
            char **texts;
            long *keys;
            if (!lines) return RF_ENOMEM;
            g->lines = lines;
            if (!(texts = realloc(g->line_text, (g->n_lines + 1) * 7 * sizeof *texts)))
                return RF_ENOMEM;
            g->line_text = texts;
            if (!(keys = realloc(g->line_keys, (g->n_lines + 1) * sizeof *keys))) return RF_ENOMEM;
            g->line_keys = keys;
        }
        for (int k = 0; k < 7; k++) {
            char **t = &g->line_text[g->n_lines * 7 + (size_t)k];
            if (!(*t = rf_strdup(src[k])) && src[k]) {
                for (int j = 0; j < k; j++) free(g->line_text[g->n_lines * 7 + (size_t)j]);
                return RF_ENOMEM;
            }
        }
        g->line_keys[g->n_lines] = l->line;
        g->lines[g->n_lines].line = l->line;
        g->n_lines++;
    }
    return RF_OK;
}

int rf_html__docs_add(rf_html_docs **docs, size_t *group, const rf_party *party,
                     const char *status, int flagged)
{
    doc_group *g;
    rf_hb h;

    if (!*docs && !(*docs = calloc(1, sizeof **docs))) return RF_ENOMEM;
    if (!(g = group_for(*docs, party, group))) return RF_ENOMEM;
    g->parties++;
    h = (rf_hb){&g->party_rows, RF_OK};
    rf_hb__elem(&h, "<tr><td>", party->role, "</td><td>");
    rf_hb__name(&h, party->name ? party->name : "(no name)");
    rf_hb__elem(&h, "</td><td>", party->country, "</td><td>");
    if (party->order_line) rf_hb__elem(&h, "line ", party->order_line, "");
    else rf_hb__raw(&h, "document");
    rf_hb__raw(&h, "</td><td>");
    rf_hb__num(&h, party->line);
    rf_hb__raw(&h, "</td><td>");
    rf_hb__raw(&h, flagged ? "<span class=\"badge red\">" : "");
    rf_hb__text(&h, status);
    rf_hb__raw(&h, flagged ? "</span>" : "");
    rf_hb__raw(&h, "</td></tr>\n");
    if (h.rc || !flagged) return h.rc;
    g->flagged++;
    return keep_lines(g, party);
}

int rf_html__docs_article(rf_html_docs *docs, size_t group, const rf_buf *article)
{
    return rf_buf_append(&docs->groups[group].articles, article->data, article->len);
}

static void render_lines(rf_hb *h, const doc_group *g)
{
    rf_hb__raw(h,
               "<h4>Order lines concerned</h4>\n<div "
               "class=\"wide\"><table><thead><tr><th>Line</th><th>Part</th>"
               "<th>Description</th><th>Quantity</th><th>ECCN</th><th>HS code</th><th>Origin</th>"
               "<th>File line</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < g->n_lines; i++) {
        char *const *t = &g->line_text[i * 7];
        rf_hb__raw(h, "<tr>");
        for (int k = 0; k < 7; k++) rf_hb__elem(h, k == 4 && t[k] ? "<td><b>" : "<td>", t[k],
                                               k == 4 && t[k] ? "</b></td>" : "</td>");
        rf_hb__raw(h, "<td class=\"n\">");
        rf_hb__num(h, g->lines[i].line);
        rf_hb__raw(h, "</td></tr>\n");
    }
    rf_hb__raw(h, "</tbody></table></div>\n");
}

int rf_html__docs_render(rf_buf *out, const rf_html_docs *docs)
{
    rf_hb h = {out, RF_OK};
    for (size_t i = 0; docs && i < docs->n; i++) {
        const doc_group *g = &docs->groups[i];
        if (!g->flagged) continue;
        rf_hb__raw(&h, "<section class=\"document\">\n<h3 class=\"doc\">");
        if (g->structured) {
            /* "X12 850": an X12 transaction set is named by its number only */
            if (same(g->format, "x12")) rf_hb__raw(&h, "X12 ");
            rf_hb__elem(&h, "", g->doc_type ? g->doc_type : "Document", " ");
            rf_hb__text(&h, g->ref ? g->ref : "(no number)");
        } else if (g->ref) {
            rf_hb__elem(&h, "Ref ", g->ref, "");
        } else {
            rf_hb__raw(&h, "Row at line ");
            rf_hb__num(&h, g->line);
        }
        if (g->date) rf_hb__elem(&h, " <span class=\"meta\">of ", g->date, "</span>");
        rf_hb__elem(&h, "</h3>\n<p class=\"meta\"><span class=\"mono\">", g->document,
                   "</span> &middot; ");
        rf_hb__text(&h, g->format);
        rf_hb__raw(&h, " &middot; ");
        rf_hb__num(&h, g->flagged);
        rf_hb__raw(&h, " of ");
        rf_hb__num(&h, g->parties);
        rf_hb__raw(&h, g->parties == 1 ? " party flagged</p>\n" : " parties flagged</p>\n");
        rf_hb__raw(&h, "<details open>\n<summary>Parties of the order</summary>\n"
                      "<div class=\"wide\"><table><thead><tr><th>Role</th><th>Name</th>"
                      "<th>Country</th><th>On</th><th>File line</th><th>Status</th></tr></thead>"
                      "<tbody>\n");
        rf_hb__raw(&h, g->party_rows.data);
        rf_hb__raw(&h, "</tbody></table></div>\n</details>\n");
        if (g->n_lines) render_lines(&h, g);
        rf_hb__raw(&h, g->articles.data);
        rf_hb__raw(&h, "</section>\n");
    }
    return h.rc;
}

void rf_html__docs_free(rf_html_docs *docs)
{
    if (!docs) return;
    for (size_t i = 0; i < docs->n; i++) group_free(&docs->groups[i]);
    free(docs->groups);
    free(docs);
}
