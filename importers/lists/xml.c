/* xml.c: the XML list files (OFAC sdn.xml and SDN_ADVANCED.xml, UN, EU) read as a stream of
 * records with libxml2's xmlTextReader, which pulls the file through input.c a chunk at a
 * time. Only one record (one sdnEntry, one INDIVIDUAL) is in memory at a time, flattened into
 * nodes with paths, so a 120 MB file costs a few megabytes. List files come from outside: no
 * entity is expanded, no DTD is loaded, nothing is fetched from the network, and a document
 * that declares a DTD at all is refused (no list publishes one; XXE and "billion laughs"
 * attacks need one). */
#include "list_import.h"

#include <libxml/xmlreader.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The bytes read before libxml2 starts, to refuse a DTD: rf_xml__root_is looks this far. */
#define XML_PREFIX 65536

typedef struct xml_node_ref {
    size_t path;  /* offset in strings */
    size_t value; /* offset in strings, or SIZE_MAX for an element's start */
    long line;
} xml_node_ref;

typedef struct xml_walk {
    rf_list_ctx *cx;
    xmlTextReaderPtr reader;
    const char *const *records;
    long *counts;
    rf_xml_record_fn fn;
    void *ctx;
    rf_buf path;                           /* element path from the root: "a/b/c" */
    size_t path_len[RF_XML_MAX_DEPTH + 2]; /* path.len before each depth's name */
    /* the record being collected */
    int in_record;
    int record_depth;
    size_t record_spec;
    size_t record_prefix; /* bytes of `path` before the record element's own path */
    long record_line;
    rf_buf strings;
    rf_buf text; /* text of the open elements, innermost last */
    size_t text_start[RF_XML_MAX_DEPTH + 2];
    xml_node_ref *nodes;
    size_t n_nodes, cap_nodes;
    rf_xml_node *out; /* the nodes handed to the callback */
    size_t cap_out;
    /* the first error libxml2 reported */
    char parse_error[512];
    long parse_line;
    int rc;
} xml_walk;

#if LIBXML_VERSION >= 21200
static void on_parse_error(void *ctx, const xmlError *e)
#else
static void on_parse_error(void *ctx, xmlErrorPtr e)
#endif
{
    xml_walk *w = ctx;
    size_t n;

    if (!e || e->level < XML_ERR_ERROR || w->parse_error[0]) return;
    snprintf(w->parse_error, sizeof w->parse_error, "%s", e->message ? e->message : "bad XML");
    n = strlen(w->parse_error);
    while (n && (w->parse_error[n - 1] == '\n' || w->parse_error[n - 1] == ' '))
        w->parse_error[--n] = '\0';
    w->parse_line = e->line;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s[0..len) without the white space at both ends: its start, and its length in *out_len. */
static const char *trimmed(const char *s, size_t len, size_t *out_len)
{
    while (len && is_ws(*s)) s++, len--;
    while (len && is_ws(s[len - 1])) len--;
    *out_len = len;
    return s;
}

/* The line of the node the reader is on; the parser's own line (which runs ahead of the
 * nodes it hands out) when the node has none. */
static long line_now(xml_walk *w)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(w->reader);
    long line = node ? xmlGetLineNo(node) : -1;
    return line > 0 ? line : (long)xmlTextReaderGetParserLineNumber(w->reader);
}

/* Fails naming the line and the element path, so a bad record can be found. */
static int walk_fail(xml_walk *w, int code, const char *what)
{
    return w->rc = rf_list__fail(w->cx, code, line_now(w), "%s (in /%s)", what,
                                w->path.len ? w->path.data : "");
}

static int add_string(xml_walk *w, size_t *at, const char *s, size_t len)
{
    *at = w->strings.len;
    if (rf_buf_append(&w->strings, s, len) || rf_buf_putc(&w->strings, '\0'))
        return walk_fail(w, RF_ELIMIT, "record too large");
    return 0;
}

/* Adds one node; `suffix` (an attribute's "@name") is appended to the element's path. */
static int add_node(xml_walk *w, const char *suffix, const char *value, size_t value_len)
{
    const char *rel = w->path.data + w->record_prefix;
    size_t rel_len = w->path.len - w->record_prefix;
    xml_node_ref *n;

    if (rel_len && *rel == '/') rel++, rel_len--;
    if (w->n_nodes == RF_XML_MAX_NODES)
        return walk_fail(w, RF_ELIMIT, "record has too many elements and attributes");
    if (w->n_nodes == w->cap_nodes) {
        size_t cap = w->cap_nodes ? w->cap_nodes * 2 : 256;
        xml_node_ref *nodes = realloc(w->nodes, cap * sizeof *nodes);
        if (!nodes) return walk_fail(w, RF_ENOMEM, "out of memory");
        w->nodes = nodes;
        w->cap_nodes = cap;
    }
    n = &w->nodes[w->n_nodes];
    n->path = w->strings.len;
    if (rf_buf_append(&w->strings, rel, rel_len) || (suffix && rf_buf_puts(&w->strings, suffix)) ||
        rf_buf_putc(&w->strings, '\0'))
        return walk_fail(w, RF_ELIMIT, "record too large");
    n->value = SIZE_MAX;
    if (value && add_string(w, &n->value, value, value_len)) return w->rc;
    n->line = line_now(w);
    w->n_nodes++;
    return 0;
}

static int add_attributes(xml_walk *w)
{
    int more = xmlTextReaderMoveToFirstAttribute(w->reader);

    while (more == 1) {
        if (!xmlTextReaderIsNamespaceDecl(w->reader)) {
            const char *name = (const char *)xmlTextReaderConstLocalName(w->reader);
            const char *value = (const char *)xmlTextReaderConstValue(w->reader);
            char suffix[256];
            size_t vlen = 0;
            snprintf(suffix, sizeof suffix, "@%s", name ? name : "");
            if (value) value = trimmed(value, strlen(value), &vlen);
            if (vlen && add_node(w, suffix, value, vlen)) return w->rc;
        }
        more = xmlTextReaderMoveToNextAttribute(w->reader);
    }
    xmlTextReaderMoveToElement(w->reader);
    return more < 0 ? walk_fail(w, RF_EFORMAT, "bad attribute") : 0;
}

static int deliver(xml_walk *w, size_t spec, long line)
{
    rf_xml_record rec;

    if (w->n_nodes > w->cap_out) {
        rf_xml_node *out = realloc(w->out, w->n_nodes * sizeof *out);
        if (!out) return walk_fail(w, RF_ENOMEM, "out of memory");
        w->out = out;
        w->cap_out = w->n_nodes;
    }
    /* Pointers are made only now: the string buffer may have moved while the record grew. */
    for (size_t i = 0; i < w->n_nodes; i++) {
        w->out[i].path = w->strings.data + w->nodes[i].path;
        w->out[i].value = w->nodes[i].value == SIZE_MAX ? NULL : w->strings.data + w->nodes[i].value;
        w->out[i].line = w->nodes[i].line;
    }
    rec.spec = spec;
    rec.nodes = w->out;
    rec.n = w->n_nodes;
    rec.line = line;
    rec.index = ++w->counts[spec];
    w->rc = w->fn(&rec, w->ctx);
    w->n_nodes = 0;
    rf_buf_reset(&w->strings);
    return w->rc;
}

/* The index of the record path that `path` is, with `attrs_only` set for "X@"; -1 if none. */
static long match_record(xml_walk *w, int *attrs_only)
{
    for (size_t i = 0; w->records[i]; i++) {
        size_t n = strlen(w->records[i]);
        *attrs_only = n && w->records[i][n - 1] == '@';
        if (*attrs_only) n--;
        if (n == w->path.len && memcmp(w->records[i], w->path.data, n) == 0) return (long)i;
    }
    return -1;
}

static int on_element_end(xml_walk *w, int depth)
{
    if (w->in_record) {
        size_t start = w->text_start[depth];
        char *t = w->text.data ? w->text.data + start : NULL;
        size_t n = w->text.len - start;
        if (t && n) {
            t = (char *)(uintptr_t)trimmed(t, n, &n);
            if (n && add_node(w, NULL, t, n)) return w->rc;
        }
        w->text.len = start;
        if (depth == w->record_depth) {
            w->in_record = 0;
            if (deliver(w, w->record_spec, w->record_line)) return w->rc;
        }
    }
    w->path.len = w->path_len[depth];
    if (w->path.data) w->path.data[w->path.len] = '\0';
    return 0;
}

static int on_element(xml_walk *w)
{
    int depth = xmlTextReaderDepth(w->reader), attrs_only;
    const char *local = (const char *)xmlTextReaderConstLocalName(w->reader);
    long spec;

    if (depth < 0 || depth >= RF_XML_MAX_DEPTH)
        return walk_fail(w, RF_ELIMIT, "elements nested too deep");
    w->path.len = w->path_len[depth];
    if ((depth > 0 && rf_buf_putc(&w->path, '/')) || rf_buf_puts(&w->path, local ? local : ""))
        return walk_fail(w, RF_ELIMIT, "element path too long");
    w->path_len[depth + 1] = w->path.len;

    if (w->in_record) {
        w->text_start[depth] = w->text.len;
        if (add_node(w, NULL, NULL, 0) || add_attributes(w)) return w->rc;
    } else if ((spec = match_record(w, &attrs_only)) >= 0) {
        w->record_prefix = w->path.len;
        if (attrs_only) {
            if (add_attributes(w) || deliver(w, (size_t)spec, line_now(w))) return w->rc;
        } else {
            w->in_record = 1;
            w->record_depth = depth;
            w->record_spec = (size_t)spec;
            w->record_line = line_now(w);
            w->text_start[depth] = w->text.len;
            if (add_node(w, NULL, NULL, 0) || add_attributes(w)) return w->rc;
        }
    }
    if (xmlTextReaderIsEmptyElement(w->reader)) return on_element_end(w, depth);
    return 0;
}

/* The file as libxml2 reads it: the bytes read first for the DTD check, then the rest. */
typedef struct xml_input {
    rf_list_stream *s;
    char prefix[XML_PREFIX + 1];
    size_t prefix_len, prefix_pos;
    int rc; /* the stream's error, which libxml2 only sees as "I/O error" */
} xml_input;

static int xml_input_read(void *ctx, char *buf, int size)
{
    xml_input *x = ctx;
    size_t want = size > 0 ? (size_t)size : 0;
    long n;

    if (x->prefix_pos < x->prefix_len) {
        n = (long)(x->prefix_len - x->prefix_pos < want ? x->prefix_len - x->prefix_pos : want);
        memcpy(buf, x->prefix + x->prefix_pos, (size_t)n);
        x->prefix_pos += (size_t)n;
        return (int)n;
    }
    if ((n = rf_list__stream_read(x->s, buf, want)) < 0) {
        x->rc = (int)n;
        return -1;
    }
    return (int)n;
}

int rf_xml__read(rf_list_ctx *cx, const char *const *records, rf_xml_record_fn fn, void *ctx)
{
    xml_input *x = calloc(1, sizeof *x);
    xml_walk w;
    size_t n_records = 0;
    long n = 1;
    int r = 0;

    memset(&w, 0, sizeof w);
    w.cx = cx;
    w.records = records;
    w.fn = fn;
    w.ctx = ctx;
    w.path.max = 4096;
    w.strings.max = RF_XML_MAX_RECORD;
    w.text.max = RF_XML_MAX_RECORD;
    while (records[n_records]) n_records++;
    if (!x || !(w.counts = calloc(n_records + 1, sizeof *w.counts)) ||
        rf_buf_puts(&w.path, "") != 0) {
        w.rc = rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
        goto cleanup;
    }
    if ((w.rc = rf_list__stream_open(&x->s, cx, cx->input, RF_TEXT_AS_IS)) != 0) goto cleanup;
    while (x->prefix_len < XML_PREFIX && (n = rf_list__stream_read(x->s, x->prefix + x->prefix_len,
                                                                   XML_PREFIX - x->prefix_len)) > 0)
        x->prefix_len += (size_t)n;
    x->prefix[x->prefix_len] = '\0';
    if (n < 0) {
        w.rc = (int)n;
        goto cleanup;
    }
    /* Refused before libxml2 sees it: the internal subset is where entities are declared. */
    if (rf_xml__root_is(x->prefix, x->prefix_len, NULL, NULL) < 0) {
        w.rc = rf_list__fail(cx, RF_EFORMAT, 1, "the document declares a DTD (<!DOCTYPE>): list "
                            "files have none, and entities are not expanded; refused");
        goto cleanup;
    }
    /* XML_PARSE_NONET and nothing else that loads or substitutes: no NOENT, DTDLOAD,
     * DTDATTR, XINCLUDE or HUGE (which would lift libxml2's own size limits). BIG_LINES keeps
     * line numbers past 65,535 (a full sdn.xml has millions of lines). libxml2 pulls the
     * file through xml_input_read as it parses: memory holds a few of its chunks. */
    w.reader = xmlReaderForIO(xml_input_read, NULL, x, cx->name, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
                                  XML_PARSE_BIG_LINES);
    if (!w.reader) {
        w.rc = rf_list__fail(cx, RF_ENOMEM, 0, "cannot start the XML reader");
        goto cleanup;
    }
    xmlTextReaderSetStructuredErrorHandler(w.reader, on_parse_error, &w);

    while (w.rc == 0 && (r = xmlTextReaderRead(w.reader)) == 1) {
        switch (xmlTextReaderNodeType(w.reader)) {
        case XML_READER_TYPE_ELEMENT:
            on_element(&w);
            break;
        case XML_READER_TYPE_END_ELEMENT:
            on_element_end(&w, xmlTextReaderDepth(w.reader));
            break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            if (w.in_record) {
                const char *v = (const char *)xmlTextReaderConstValue(w.reader);
                if (v && rf_buf_puts(&w.text, v)) walk_fail(&w, RF_ELIMIT, "record too large");
            }
            break;
        case XML_READER_TYPE_DOCUMENT_TYPE:
            walk_fail(&w, RF_EFORMAT, "the document declares a DTD; refused");
            break;
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
            walk_fail(&w, RF_EFORMAT, "the document refers to an entity; entities are not "
                                      "expanded, refused");
            break;
        default:
            break;
        }
    }
    /* A read error is the stream's, already in cx->err. */
    if (w.rc == 0 && r < 0 && x->rc) w.rc = x->rc;
    /* The path is where the reader had got to: libxml2 parses a little ahead of the nodes it
     * hands out, so near the start of a small file there is none yet. */
    if (w.rc == 0 && r < 0)
        w.rc = rf_list__fail(cx, RF_EFORMAT, w.parse_line ? w.parse_line : line_now(&w),
                            "not well-formed XML: %s%s%s%s",
                            w.parse_error[0] ? w.parse_error : "parse error",
                            w.path.len ? " (near /" : "", w.path.len ? w.path.data : "",
                            w.path.len ? ")" : "");
    if (w.rc == 0 && w.in_record)
        w.rc = rf_list__fail(cx, RF_EFORMAT, w.record_line, "the file ends inside a record");

cleanup:
    if (w.reader) xmlFreeTextReader(w.reader);
    if (x) rf_list__stream_close(x->s);
    free(x);
    free(w.counts);
    free(w.nodes);
    free(w.out);
    rf_buf_free(&w.path);
    rf_buf_free(&w.strings);
    rf_buf_free(&w.text);
    return w.rc;
}

typedef struct root_date {
    const char *attr;
    char *out;
} root_date;

static int on_root_date(const rf_xml_record *rec, void *ctx)
{
    root_date *d = ctx;
    const char *v = rf_xml__get(rec, 0, d->attr, NULL);
    /* xs:dateTime ("2026-02-27T00:00:09.554Z"): its date part. */
    if (v && strlen(v) >= 10) {
        snprintf(d->out, 11, "%.10s", v);
        if (!rf_list__date_plausible(d->out)) d->out[0] = '\0';
    }
    return RF_ECANCEL;
}

int rf_xml__root_date(char out[11], rf_list_ctx *cx, const char *root, const char *attr)
{
    char spec[128], at[128];
    const char *records[] = {spec, NULL};
    root_date d = {at, out};
    int rc;

    snprintf(spec, sizeof spec, "%s@", root);
    snprintf(at, sizeof at, "@%s", attr);
    out[0] = '\0';
    rc = rf_xml__read(cx, records, on_root_date, &d);
    return rc == RF_ECANCEL ? 0 : rc;
}

const char *rf_xml__get(const rf_xml_record *rec, size_t from, const char *path,
                       const char *stop)
{
    for (size_t i = from; i < rec->n; i++) {
        const rf_xml_node *n = &rec->nodes[i];
        if (stop && !n->value && strcmp(n->path, stop) == 0) return NULL;
        if (n->value && strcmp(n->path, path) == 0) return n->value;
    }
    return NULL;
}

/* ---- detection -------------------------------------------------------------------------- */

const char *rf_list__find(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    while (p && end - p >= (ptrdiff_t)n) {
        if (!(p = memchr(p, needle[0], (size_t)(end - p) - n + 1))) return NULL;
        if (memcmp(p, needle, n) == 0) return p;
        p++;
    }
    return NULL;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && is_ws(*p)) p++;
    return p;
}

/* Returns 1 when the root matches, 0 when not, -1 when the prolog declares a DTD. With
 * root == NULL only the DTD check is made (0 when there is none). */
int rf_xml__root_is(const char *data, size_t len, const char *root, const char *ns)
{
    const char *p = data, *end = data + (len < 65536 ? len : 65536), *name, *tag_end;
    size_t name_len, prefix_len = 0;

    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    for (;;) {
        p = skip_space(p, end);
        if (end - p >= 2 && p[0] == '<' && p[1] == '?') {
            const char *q = rf_list__find(p, end, "?>");
            if (!q) return 0;
            p = q + 2;
        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *q = rf_list__find(p + 4, end, "-->");
            if (!q) return 0;
            p = q + 3;
        } else if (end - p >= 2 && p[0] == '<' && p[1] == '!') {
            /* <!DOCTYPE name [ internal subset ]>: refused by rf_xml__read, but a list file
             * that carries one is still recognised, so that it is refused as such. */
            int depth = 0;
            char quote = 0;
            if (!root) return -1;
            for (p += 2; p < end && (quote || depth || *p != '>'); p++) {
                if (quote) quote = *p == quote ? 0 : quote;
                else if (*p == '"' || *p == '\'') quote = *p;
                else if (*p == '[') depth++;
                else if (*p == ']' && depth) depth--;
            }
            if (p >= end) return 0;
            p++;
        } else {
            break;
        }
    }
    if (!root) return 0;
    if (p >= end || *p != '<') return 0;
    name = ++p;
    while (p < end && *p != ' ' && *p != '>' && *p != '/' && *p != '\t' && *p != '\r' &&
           *p != '\n')
        p++;
    name_len = (size_t)(p - name);
    for (size_t i = 0; i < name_len; i++)
        if (name[i] == ':') prefix_len = i + 1;
    if (name_len - prefix_len != strlen(root) ||
        memcmp(name + prefix_len, root, name_len - prefix_len) != 0)
        return 0;
    if (!ns) return 1;
    tag_end = memchr(p, '>', (size_t)(end - p));
    if (!tag_end) return 0;
    /* The namespace the element's prefix (or the default one) is bound to. */
    while (p < tag_end) {
        const char *attr, *eq, *val;
        char quote;
        p = skip_space(p, tag_end);
        attr = p;
        if (!(eq = memchr(p, '=', (size_t)(tag_end - p)))) break;
        val = skip_space(eq + 1, tag_end);
        if (val >= tag_end || (*val != '"' && *val != '\'')) break;
        quote = *val++;
        if (!(p = memchr(val, quote, (size_t)(tag_end - val)))) break;
        {
            size_t alen = (size_t)(eq - attr);
            while (alen && (attr[alen - 1] == ' ')) alen--;
            int is_ns = prefix_len ? (alen == 5 + prefix_len && memcmp(attr, "xmlns:", 6) == 0 &&
                                      memcmp(attr + 6, name, prefix_len - 1) == 0)
                                   : (alen == 5 && memcmp(attr, "xmlns", 5) == 0);
            if (is_ns) return (size_t)(p - val) == strlen(ns) && memcmp(val, ns, strlen(ns)) == 0;
        }
        p++;
    }
    return 0;
}
