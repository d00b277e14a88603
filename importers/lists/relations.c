/* relations.c: the relations a list names itself, kept as links of its version (rf_lists.h,
 * RF_LINK_LINKED) so that the ownership step can follow them like a consolidation:
 *  - OFAC's "Linked To: NAME." statements in an entry's remarks (SDN and non-SDN files, the
 *    CSL's copies of them): the entry is linked to NAME, another listed party, without a
 *    share; several statements give several links.
 *  - The Entity List's affiliates ("Huawei Technologies Co., Ltd. (Huawei). Affiliated
 *    Entity: Hangzhou Huawei ..."), whose parent names.c keeps apart: the affiliate is linked
 *    to its parent.
 * The owned side is the entry just emitted (its position in the import), the owner a name
 * the ownership step resolves among the listed parties. Source: the list and where in the
 * entry the relation is written. */
#include "list_import.h"

#include <string.h>

static int add_relation(rf_list_ctx *cx, const rf_entity *e, const char *owner, size_t len,
                        const char *relation, const char *where)
{
    char source[96];
    rf_link l;
    int rc;

    while (len && (owner[len - 1] == ' ' || owner[len - 1] == '.')) len--;
    while (len && *owner == ' ') owner++, len--;
    if (!len) return 0;
    if (!(owner = rf_strpool__add(&cx->pool, owner, len)))
        return rf_list__fail(cx, RF_ENOMEM, e->source_line, "out of memory");
    snprintf(source, sizeof source, "%s %s", e->list_code ? e->list_code : "list", where);
    memset(&l, 0, sizeof l);
    l.owned_entity = cx->sum->entities;
    l.owned_name = e->n_names ? e->names[0].text : NULL;
    l.owner_name = owner;
    l.share_min = l.share_max = -1;
    l.kind = RF_LINK_LINKED;
    l.direct = 1;
    l.relation = relation;
    l.source = source;
    l.source_line = e->source_line;
    if ((rc = rf_import_add_link(cx->imp, &l, cx->err)) != 0 && cx->err && !cx->err->file[0])
        snprintf(cx->err->file, sizeof cx->err->file, "%s", cx->name);
    return rc;
}

int rf_list__relations(rf_list_ctx *cx, const rf_entity *e)
{
    static const char marker[] = "Linked To:";
    int rc;

    if (!cx->imp) return 0;
    if (e->parent_name &&
        (rc = add_relation(cx, e, e->parent_name, strlen(e->parent_name), "Affiliated Entity",
                           "entry naming its parent")) != 0)
        return rc;
    for (const char *p = e->remarks; p && (p = strstr(p, marker)) != NULL;) {
        const char *name = p + sizeof marker - 1, *end = strchr(name, ';');
        size_t len = end ? (size_t)(end - name) : strlen(name);
        if ((rc = add_relation(cx, e, name, len, "Linked To", "remarks")) != 0) return rc;
        p = name + len;
    }
    return 0;
}
