/* xml.h: a small event reader over libxml2's streaming reader (xmlTextReader), shared by the
 * UBL and cXML readers (private to importers/orders): element starts and ends with their
 * local names, the path of open elements, attributes at a start, an element's own text at
 * its end, the line each element starts on, and errors with line and column.
 *
 * It parses untrusted documents safely: no entity substitution, no DTD loading, no network
 * (XML_PARSE_NONET, never XML_PARSE_NOENT / DTDLOAD / HUGE), and at most OX_MAX_DEPTH
 * nested elements. libxml2's messages go to the error record, never to stderr. */
#ifndef RF_ORDERS_XML_H
#define RF_ORDERS_XML_H

#include "importers/orders/orders.h"

#define OX_MAX_DEPTH 64 /* nested elements; real orders stay under 15 */

typedef struct ox_reader ox_reader;

typedef enum ox_event { OX_START = 1, OX_END, OX_EOF } ox_event;

/* Starts reading `len` bytes of XML (any encoding libxml2 knows; UTF-8 out). `path` names the
 * document in errors. */
int rf_orders__xml_open(ox_reader **out, const char *path, const char *data, size_t len,
                        rf_error *err);
void rf_orders__xml_close(ox_reader *x); /* NULL is a no-op */

/* The next element start or end. An empty element gives a start then an end. On malformed
 * XML: RF_EFORMAT, `err` holding libxml2's message, the line and the column. */
int rf_orders__xml_next(ox_reader *x, ox_event *ev, rf_error *err);

/* Depth of the current element (the root is 0) and the local name of the open element at
 * `depth` (0..rf_orders__xml_depth). */
int rf_orders__xml_depth(const ox_reader *x);
const char *rf_orders__xml_name(const ox_reader *x, int depth);
/* At a start: the element's namespace URI ("" if none) and an attribute's value (NULL when
 * absent), valid until the next call. */
const char *rf_orders__xml_ns(ox_reader *x);
const char *rf_orders__xml_attr(ox_reader *x, const char *name);
/* The same for an attribute in namespace `ns`, whatever prefix the document gives it. */
const char *rf_orders__xml_attr_ns(ox_reader *x, const char *name, const char *ns);
/* At an end: the element's own text (its children's text excluded), not NUL-terminated. */
const char *rf_orders__xml_text(const ox_reader *x, size_t *len);
/* Line on which the current element starts. */
long rf_orders__xml_line(const ox_reader *x);
/* 1 when the current element's path below the open element at `depth` is `path`, local
 * names separated by '/': rf_orders__xml_under(x, party_depth, "PartyName/Name"). */
int rf_orders__xml_under(const ox_reader *x, int depth, const char *path);

/* The format readers, started on the root element's start event. */
int rf_orders__ubl_run(ox_reader *x, ord_doc *doc, rf_party_fn fn, void *ctx, rf_error *err);
int rf_orders__cxml_run(ox_reader *x, ord_doc *doc, rf_party_fn fn, void *ctx, rf_error *err);

#endif
