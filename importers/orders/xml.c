/* xml.c: the event reader of xml.h over libxml2's xmlTextReader, and rf_orders__xml_read, which
 * sends an XML document to the UBL or the cXML reader by its root element. */
#include "importers/orders/xml.h"

#include <libxml/xmlreader.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define OX_MAX_NAME 128 /* bytes of a local name kept; longer names never match anything */
#define UBL_NS "urn:oasis:names:specification:ubl:schema:xsd:"

typedef struct ox_open_elem {
    char name[OX_MAX_NAME];
    char prefix[OX_MAX_NAME]; /* of its namespace, "" without */
    size_t text_off;          /* where its own text starts in `text` */
    long line;                /* libxml2's: where its start tag ends (start_line: its start) */
} ox_open_elem;

struct ox_reader {
    xmlTextReaderPtr reader;
    const char *path;
    ox_open_elem stack[OX_MAX_DEPTH + 1];
    int depth;        /* index of the current element; -1 before the root */
    int pop_pending;  /* the last event was an end: pop before reading on */
    int end_pending;  /* the last start was an empty element: its end comes next */
    rf_buf text;
    xmlChar *attr;    /* the last attribute handed out */
    /* the first error libxml2 reported */
    const char *data; /* the document, to find where a start tag that spans lines begins */
    size_t len;
    size_t *line_end; /* [line - 1]: offset just past that line's end */
    long last_line;   /* lines in the document: an error there means it was cut short */
    int failed;
    long err_line;
    int err_column;
    char err_message[512];
};

/* libxml2's structured error handler: keeps the first error, drops warnings. */
static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    ox_reader *x = ctx;
    size_t n;
    if (!e || e->level < XML_ERR_ERROR || x->failed) return;
    x->failed = 1;
    x->err_line = e->line;
    x->err_column = e->int2;
    snprintf(x->err_message, sizeof x->err_message, "%s", e->message ? e->message : "error");
    n = strlen(x->err_message);
    while (n && (x->err_message[n - 1] == '\n' || x->err_message[n - 1] == ' '))
        x->err_message[--n] = '\0';
    for (char *c = x->err_message; *c; c++)
        if (*c == '\n') *c = ' '; /* "...indicate encoding !\nBytes: 0xE5" on one line */
}

int rf_orders__xml_open(ox_reader **out, const char *path, const char *data, size_t len,
                        rf_error *err)
{
    ox_reader *x;
    size_t n_lines = 0;
    /* No NOENT (entities stay unexpanded), no DTDLOAD / DTDATTR / DTDVALID (a DOCTYPE's
     * SYSTEM URL is never fetched), NONET (nothing from the network whatever asks for it),
     * no HUGE (libxml2's own size and amplification limits stay on). */
    int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

    *out = NULL;
    if (len > INT_MAX) return rf_error_set(err, RF_ELIMIT, path, 0, "XML document too large");
    if (!(x = calloc(1, sizeof *x))) return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    x->path = path;
    x->depth = -1;
    x->data = data;
    x->len = len;
    x->last_line = 1;
    for (const char *p = data; len && (p = memchr(p, '\n', len - (size_t)(p - data))); p++)
        x->last_line++;
    if (!(x->line_end = malloc((size_t)x->last_line * sizeof *x->line_end))) {
        free(x);
        return rf_error_set(err, RF_ENOMEM, path, 0, "out of memory");
    }
    for (const char *p = data; len && (p = memchr(p, '\n', len - (size_t)(p - data))); p++)
        x->line_end[n_lines++] = (size_t)(p - data) + 1;
    x->line_end[x->last_line - 1] = len;
    if (len && data[len - 1] == '\n') x->last_line--;
    xmlInitParser();
    x->reader = xmlReaderForMemory(data, (int)len, NULL, NULL, options);
    if (!x->reader) {
        free(x->line_end);
        free(x);
        return rf_error_set(err, RF_ENOMEM, path, 0, "cannot start the XML parser");
    }
    xmlTextReaderSetStructuredErrorHandler(x->reader, on_xml_error, x);
    *out = x;
    return RF_OK;
}

void rf_orders__xml_close(ox_reader *x)
{
    if (!x) return;
    xmlFree(x->attr);
    xmlFreeTextReader(x->reader);
    free(x->line_end);
    rf_buf_free(&x->text);
    free(x);
}

static int xml_failure(ox_reader *x, rf_error *err)
{
    const char *cut = x->err_line >= x->last_line ? " (the document ends there: truncated?)" : "";
    if (!x->failed)
        return rf_error_set(err, RF_EFORMAT, x->path, 0, "malformed XML");
    if (x->err_column > 0)
        return rf_error_set(err, RF_EFORMAT, x->path, x->err_line,
                            "malformed XML at column %d: %s%s", x->err_column, x->err_message, cut);
    return rf_error_set(err, RF_EFORMAT, x->path, x->err_line, "malformed XML: %s%s",
                        x->err_message, cut);
}

static void pop(ox_reader *x)
{
    x->text.len = x->stack[x->depth].text_off;
    if (x->text.data) x->text.data[x->text.len] = '\0';
    x->depth--;
}

/* 1 when the start tag of `e` ("<prefix:name" or "<name", then a space, / or >) is at
 * offset `i` of the document. */
static int start_tag_at(const ox_reader *x, size_t i, const ox_open_elem *e)
{
    size_t pn = strlen(e->prefix), nn = strlen(e->name), at = i + 1;
    if (x->data[i] != '<') return 0;
    if (pn) {
        if (at + pn + 1 > x->len || memcmp(x->data + at, e->prefix, pn) != 0 ||
            x->data[at + pn] != ':')
            return 0;
        at += pn + 1;
    }
    return at + nn < x->len && memcmp(x->data + at, e->name, nn) == 0 &&
           strchr(" \t\r\n/>", x->data[at + nn]) != NULL;
}

/* libxml2 gives an element the line its start tag ends on; people look for the line it
 * starts on. The nearest start tag of `e` before the end of that line is where it starts.
 * Found when asked (for a party or an order line), not for each element read. */
static long start_line(const ox_reader *x, const ox_open_elem *e)
{
    size_t end, stop;
    long l = e->line;

    if (e->line < 1 || e->line > x->last_line + 1 || !e->name[0]) return e->line;
    end = x->line_end[e->line - 1];
    stop = end > 4096 ? end - 4096 : 0; /* attributes seldom run that long */
    for (size_t i = end; i-- > stop;) {
        if (x->data[i] == '\n' && i + 1 < end) l--;
        if (start_tag_at(x, i, e)) return l;
    }
    return e->line;
}

/* Copies `s` into `out` of `size` bytes, cut as snprintf would, without its cost. */
static void copy_name(char *out, size_t size, const xmlChar *s)
{
    size_t n = s ? strlen((const char *)s) : 0;
    if (n >= size) n = size - 1;
    if (n) memcpy(out, s, n);
    out[n] = '\0';
}

static int push(ox_reader *x, rf_error *err)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(x->reader);
    ox_open_elem *e;
    long line = (long)xmlGetLineNo(node);

    if (x->depth + 1 >= OX_MAX_DEPTH)
        return rf_error_set(err, RF_ELIMIT, x->path, line,
                            "XML nested deeper than %d elements", OX_MAX_DEPTH);
    e = &x->stack[++x->depth];
    copy_name(e->name, sizeof e->name, xmlTextReaderConstLocalName(x->reader));
    /* the prefix as written, read off the node: asking the reader for the qualified name
     * looks it up in its dictionary (a hash of every element's name) */
    copy_name(e->prefix, sizeof e->prefix, node && node->ns ? node->ns->prefix : NULL);
    e->text_off = x->text.len;
    e->line = line > 0 ? line : 0;
    return RF_OK;
}

int rf_orders__xml_next(ox_reader *x, ox_event *ev, rf_error *err)
{
    if (x->end_pending) {
        x->end_pending = 0;
        x->pop_pending = 1;
        *ev = OX_END;
        return RF_OK;
    }
    if (x->pop_pending) {
        x->pop_pending = 0;
        pop(x);
    }
    for (;;) {
        int ret = xmlTextReaderRead(x->reader), type, rc;
        if (ret < 0 || x->failed) return xml_failure(x, err);
        if (ret == 0) {
            *ev = OX_EOF;
            return RF_OK;
        }
        type = xmlTextReaderNodeType(x->reader);
        switch (type) {
        case XML_READER_TYPE_ELEMENT:
            if ((rc = push(x, err))) return rc;
            x->end_pending = xmlTextReaderIsEmptyElement(x->reader) == 1;
            *ev = OX_START;
            return RF_OK;
        case XML_READER_TYPE_END_ELEMENT:
            if (x->depth < 0) return xml_failure(x, err);
            x->pop_pending = 1;
            *ev = OX_END;
            return RF_OK;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE: {
            const xmlChar *v = xmlTextReaderConstValue(x->reader);
            if (x->depth < 0 || !v) break;
            if (rf_buf_puts(&x->text, (const char *)v))
                return rf_error_set(err, RF_ELIMIT, x->path, x->stack[x->depth].line,
                                    "XML text too large");
            break;
        }
        case XML_READER_TYPE_ENTITY_REFERENCE: {
            /* Entities are never expanded (an external one could read a local file, nested
             * ones multiply without end), so what this one stands for is unknown: it could
             * hold a name that would go unscreened. Refused, as list files with a DTD are. */
            const xmlChar *name = xmlTextReaderConstName(x->reader);
            long line = (long)xmlGetLineNo(xmlTextReaderCurrentNode(x->reader));
            return rf_error_set(err, RF_EFORMAT, x->path, line > 0 ? line : rf_orders__xml_line(x),
                                "entity reference &%s; in <%s>: entities declared in the "
                                "document are not expanded; refused",
                                name ? (const char *)name : "", rf_orders__xml_name(x, x->depth));
        }
        default:
            break; /* comments, processing instructions */
        }
    }
}

int rf_orders__xml_depth(const ox_reader *x)
{
    return x->depth;
}

const char *rf_orders__xml_name(const ox_reader *x, int depth)
{
    return depth >= 0 && depth <= x->depth ? x->stack[depth].name : "";
}

const char *rf_orders__xml_ns(ox_reader *x)
{
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(x->reader);
    return ns ? (const char *)ns : "";
}

const char *rf_orders__xml_attr(ox_reader *x, const char *name)
{
    xmlFree(x->attr);
    x->attr = xmlTextReaderGetAttribute(x->reader, (const xmlChar *)name);
    return x->attr ? (const char *)x->attr : NULL;
}

const char *rf_orders__xml_attr_ns(ox_reader *x, const char *name, const char *ns)
{
    xmlFree(x->attr);
    x->attr = xmlTextReaderGetAttributeNs(x->reader, (const xmlChar *)name, (const xmlChar *)ns);
    return x->attr ? (const char *)x->attr : NULL;
}

const char *rf_orders__xml_text(const ox_reader *x, size_t *len)
{
    size_t off = x->depth >= 0 ? x->stack[x->depth].text_off : 0;
    *len = x->text.len - off;
    return x->text.data ? x->text.data + off : "";
}

long rf_orders__xml_line(const ox_reader *x)
{
    return x->depth >= 0 && x->stack[x->depth].line > 0 ? start_line(x, &x->stack[x->depth]) : 0;
}

int rf_orders__xml_under(const ox_reader *x, int depth, const char *path)
{
    int d = depth + 1;
    while (*path) {
        const char *slash = strchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : strlen(path);
        if (d > x->depth || strlen(x->stack[d].name) != n ||
            memcmp(x->stack[d].name, path, n) != 0)
            return 0;
        d++;
        path += n + (slash != NULL);
    }
    return d == x->depth + 1;
}

int rf_orders__xml_read(const char *path, const char *data, size_t len, rf_party_fn fn, void *ctx,
                 rf_error *err)
{
    ox_reader *x = NULL;
    ord_doc doc;
    ox_event ev = OX_EOF;
    int rc;

    if ((rc = rf_orders__xml_open(&x, path, data, len, err))) return rc;
    if ((rc = rf_orders__xml_next(x, &ev, err))) goto cleanup;
    if (ev != OX_START) {
        rc = rf_error_set(err, RF_EFORMAT, path, 0, "XML without a root element");
        goto cleanup;
    }
    if (strcmp(rf_orders__xml_name(x, 0), "cXML") == 0) {
        rf_orders__doc_init(&doc, path, "cxml");
        rc = rf_orders__cxml_run(x, &doc, fn, ctx, err);
    } else if (strncmp(rf_orders__xml_ns(x), UBL_NS, strlen(UBL_NS)) == 0) {
        rf_orders__doc_init(&doc, path, "ubl");
        rc = rf_orders__ubl_run(x, &doc, fn, ctx, err);
    } else {
        rc = rf_error_set(err, RF_EFORMAT, path, rf_orders__xml_line(x),
                          "an XML document with root element <%s>%s%s%s: redflag reads UBL "
                          "documents (namespace " UBL_NS "...) and cXML orders",
                          rf_orders__xml_name(x, 0), rf_orders__xml_ns(x)[0] ? " (namespace " : "",
                          rf_orders__xml_ns(x), rf_orders__xml_ns(x)[0] ? ")" : "");
        goto cleanup;
    }
    rf_orders__doc_free(&doc);

cleanup:
    rf_orders__xml_close(x);
    return rc;
}
