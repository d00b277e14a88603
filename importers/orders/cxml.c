/* cxml.c: cXML OrderRequest documents -> parties.
 *
 * The order's parties are ShipTo, BillTo, BusinessPartner (its role attribute gives the
 * role: soldTo -> sold_to, endUser -> end_user) and Contact (role likewise, else contact),
 * each with a Name and a PostalAddress (DeliverTo, Street, City, State, PostalCode, Country
 * with its isoCountryCode). OrderRequestHeader gives the order number and date. Each ItemOut
 * is a line: lineNumber, quantity, SupplierPartID / BuyerPartID / ManufacturerPartID,
 * Description, Classification (by domain: HTS, ECCN, ...), and its own parties: the
 * ManufacturerName, the SupplierID and a ShipTo of the line. The DOCTYPE's DTD is never
 * fetched (see xml.h). */
#include "importers/orders/xml.h"

#include <string.h>

#define MAX_OPEN 8
#define MAX_STASH 64

typedef struct party_ctx {
    int depth;
    size_t party;
} party_ctx;

typedef struct cxml_in {
    ox_reader *x;
    ord_doc *d;
    rf_error *err;
    int seen_order;
    party_ctx parties[MAX_OPEN];
    int n_parties;
    int line_depth; /* depth of the open ItemOut, -1 when none */
    size_t line;
    char country[MAX_STASH]; /* isoCountryCode of the Country being read */
    char scheme[MAX_STASH];  /* domain of a Classification or SupplierID, name of an Extrinsic */
} cxml_in;

static const struct {
    const char *element;
    const char *role; /* NULL: from the role attribute */
    const char *fallback;
} party_elements[] = {
    {"ShipTo", "ship_to", NULL},
    {"BillTo", "bill_to", NULL},
    {"ShipFrom", "ship_from", NULL},
    {"BusinessPartner", NULL, "business_partner"},
    {"Contact", NULL, "contact"},
};

static int oom(cxml_in *in)
{
    return rf_error_set(in->err, RF_ENOMEM, in->d->path, rf_orders__xml_line(in->x),
                        "out of memory");
}

static void stash(char *slot, const char *value)
{
    snprintf(slot, MAX_STASH, "%s", value ? value : "");
}

static int put_attr(cxml_in *in, ord_str *out, const char *name)
{
    const char *v = rf_orders__xml_attr(in->x, name);
    return v && rf_orders__put(out, in->d, v, strlen(v)) ? oom(in) : RF_OK;
}

static int on_start(cxml_in *in)
{
    ox_reader *x = in->x;
    ord_doc *d = in->d;
    int depth = rf_orders__xml_depth(x), rc;
    const char *name = rf_orders__xml_name(x, depth);
    size_t order_line = in->line_depth >= 0 ? in->line : 0;

    if (strcmp(name, "OrderRequest") == 0) {
        in->seen_order = 1;
        return rf_orders__put(&d->doc_type, d, name, strlen(name)) ? oom(in) : RF_OK;
    }
    if (strcmp(name, "OrderRequestHeader") == 0) {
        const char *date;
        if ((rc = put_attr(in, &d->number, "orderID"))) return rc;
        date = rf_orders__xml_attr(x, "orderDate");
        /* an ISO 8601 time stamp: the date is its first ten characters */
        if (date && strlen(date) >= 10 && date[4] == '-' && date[7] == '-' &&
            rf_orders__put(&d->date, d, date, 10))
            return oom(in);
        return RF_OK;
    }
    if (strcmp(name, "ItemOut") == 0 && in->line_depth < 0) {
        ord_line *l;
        if ((rc = rf_orders__line_add(&in->line, d, rf_orders__xml_line(x), in->err))) return rc;
        in->line_depth = depth;
        l = &d->lines[in->line - 1];
        if ((rc = put_attr(in, &l->number, "lineNumber"))) return rc;
        return put_attr(in, &d->lines[in->line - 1].quantity, "quantity");
    }
    for (size_t i = 0; i < sizeof party_elements / sizeof party_elements[0]; i++) {
        char role[MAX_STASH];
        party_ctx *c;
        if (strcmp(name, party_elements[i].element) != 0 || in->n_parties == MAX_OPEN) continue;
        if (party_elements[i].role) {
            snprintf(role, sizeof role, "%s", party_elements[i].role);
        } else {
            const char *r = rf_orders__xml_attr(x, "role");
            if (r && r[0]) rf_orders__snake_case(role, sizeof role, r, strlen(r));
            else snprintf(role, sizeof role, "%s", party_elements[i].fallback);
        }
        c = &in->parties[in->n_parties];
        if ((rc = rf_orders__party_add(&c->party, d, role, rf_orders__xml_line(x), order_line,
                                       in->err)))
            return rc;
        c->depth = depth;
        in->n_parties++;
        return RF_OK;
    }
    if (strcmp(name, "Address") == 0 && in->n_parties &&
        in->parties[in->n_parties - 1].depth == depth - 1) {
        ord_party *p = &d->parties[in->parties[in->n_parties - 1].party];
        const char *id = rf_orders__xml_attr(x, "addressID");
        if (id && rf_orders__put(&p->id, d, id, strlen(id))) return oom(in);
    } else if (strcmp(name, "Country") == 0) {
        stash(in->country, rf_orders__xml_attr(x, "isoCountryCode"));
    } else if (strcmp(name, "Classification") == 0 || strcmp(name, "SupplierID") == 0) {
        stash(in->scheme, rf_orders__xml_attr(x, "domain"));
    } else if (strcmp(name, "Extrinsic") == 0) {
        stash(in->scheme, rf_orders__xml_attr(x, "name"));
    }
    return RF_OK;
}

static int party_text(cxml_in *in, const party_ctx *c, const char *s, size_t len)
{
    ox_reader *x = in->x;
    ord_doc *d = in->d;
    ord_addr *a = &d->parties[c->party].addr;
    int base = -1, rc = RF_OK;

    if (rf_orders__xml_under(x, c->depth, "Address/Name") ||
        rf_orders__xml_under(x, c->depth, "Name"))
        return rf_orders__party_name(d, c->party, s, len) ? oom(in) : RF_OK;
    if (rf_orders__xml_depth(x) >= c->depth + 2 &&
        strcmp(rf_orders__xml_name(x, c->depth + 1), "PostalAddress") == 0)
        base = c->depth + 1;
    else if (rf_orders__xml_depth(x) >= c->depth + 3 &&
             strcmp(rf_orders__xml_name(x, c->depth + 1), "Address") == 0 &&
             strcmp(rf_orders__xml_name(x, c->depth + 2), "PostalAddress") == 0)
        base = c->depth + 2;
    if (base < 0) return RF_OK;
    if (rf_orders__xml_under(x, base, "Street")) {
        rc = a->street ? rf_orders__append(&a->extra, d, ", ", s, len)
                       : rf_orders__put(&a->street, d, s, len);
    } else if (rf_orders__xml_under(x, base, "DeliverTo")) {
        rc = rf_orders__append(&a->extra, d, ", ", s, len);
    } else if (rf_orders__xml_under(x, base, "City")) {
        rc = rf_orders__put_first(&a->city, d, s, len);
    } else if (rf_orders__xml_under(x, base, "State")) {
        rc = rf_orders__put_first(&a->region, d, s, len);
    } else if (rf_orders__xml_under(x, base, "PostalCode")) {
        rc = rf_orders__put_first(&a->postal, d, s, len);
    } else if (rf_orders__xml_under(x, base, "Country")) {
        rc = in->country[0] ? rf_orders__put(&a->country, d, in->country, strlen(in->country))
                            : rf_orders__put_first(&a->country, d, s, len);
    }
    return rc ? oom(in) : RF_OK;
}

static int line_text(cxml_in *in, const char *s, size_t len)
{
    ox_reader *x = in->x;
    ord_doc *d = in->d;
    ord_line *l = &d->lines[in->line - 1];
    int at = in->line_depth, rc = RF_OK;
    size_t i;

    if (rf_orders__xml_under(x, at, "ItemID/SupplierPartID")) {
        rc = rf_orders__put_first(&l->parts[ORD_PART_SELLER], d, s, len);
    } else if (rf_orders__xml_under(x, at, "ItemID/BuyerPartID")) {
        rc = rf_orders__put_first(&l->parts[ORD_PART_BUYER], d, s, len);
    } else if (rf_orders__xml_under(x, at, "ItemDetail/ManufacturerPartID")) {
        rc = rf_orders__put_first(&l->parts[ORD_PART_MANUFACTURER], d, s, len);
    } else if (rf_orders__xml_under(x, at, "ItemDetail/Description")) {
        rc = rf_orders__put_first(&l->description, d, s, len);
    } else if (rf_orders__xml_under(x, at, "ItemDetail/UnitOfMeasure")) {
        if (l->quantity) rc = rf_orders__append(&l->quantity, d, " ", s, len);
    } else if (rf_orders__xml_under(x, at, "ItemDetail/Classification")) {
        rc = rf_orders__classify(d, in->line, in->scheme, s, len);
    } else if (rf_orders__xml_under(x, at, "ItemDetail/Extrinsic")) {
        char lower[MAX_STASH];
        rf_orders__snake_case(lower, sizeof lower, in->scheme, strlen(in->scheme));
        if (strstr(lower, "origin")) rc = rf_orders__put_first(&l->origin, d, s, len);
        else rc = rf_orders__classify(d, in->line, in->scheme, s, len);
    } else if (rf_orders__xml_under(x, at, "ItemDetail/ManufacturerName")) {
        if ((rc = rf_orders__party_add(&i, d, "manufacturer", rf_orders__xml_line(x), in->line,
                                       in->err)))
            return rc;
        rc = rf_orders__party_name(d, i, s, len);
    } else if (rf_orders__xml_under(x, at, "SupplierID")) {
        rf_buf id = {0};
        if ((rc = rf_orders__party_add(&i, d, "supplier", rf_orders__xml_line(x), in->line,
                                       in->err)))
            return rc;
        if (in->scheme[0]) rc = rf_buf_printf(&id, "%s:", in->scheme);
        if (!rc) rc = rf_buf_append(&id, s, len);
        if (!rc) rc = rf_orders__put(&d->parties[i].id, d, id.data, id.len);
        rf_buf_free(&id);
    }
    return rc ? oom(in) : RF_OK;
}

static int on_end(cxml_in *in)
{
    int depth = rf_orders__xml_depth(in->x);
    size_t len;
    const char *s = rf_orders__xml_text(in->x, &len);

    if (in->n_parties && in->parties[in->n_parties - 1].depth == depth) {
        in->n_parties--;
        return RF_OK;
    }
    if (in->line_depth == depth) {
        in->line_depth = -1;
        return RF_OK;
    }
    if (in->n_parties && in->parties[in->n_parties - 1].depth > in->line_depth)
        return party_text(in, &in->parties[in->n_parties - 1], s, len);
    if (in->line_depth >= 0) return line_text(in, s, len);
    return RF_OK;
}

int rf_orders__cxml_run(ox_reader *x, ord_doc *doc, rf_party_fn fn, void *ctx, rf_error *err)
{
    cxml_in in;
    ox_event ev = OX_START;
    rf_error ignored;
    int rc = RF_OK;

    memset(&in, 0, sizeof in);
    in.x = x;
    in.d = doc;
    in.err = err;
    in.line_depth = -1;
    while (rc == RF_OK) {
        if ((rc = rf_orders__xml_next(x, &ev, err)) || ev == OX_EOF) break;
        rc = ev == OX_START ? on_start(&in) : on_end(&in);
    }
    if (rc == RF_OK && !in.seen_order)
        return rf_error_set(err, RF_EFORMAT, doc->path, 0,
                            "a cXML document without an OrderRequest: not a purchase order");
    if (rc == RF_OK) return rf_orders__doc_emit(doc, fn, ctx, err);
    if (rc != RF_ECANCEL) rf_orders__doc_emit(doc, fn, ctx, &ignored);
    return rc;
}
