/* compute.c: who the ownership rules restrict (rf_ownership_compute), and the step that adds
 * them to a snapshot before screening (rf_ownership_apply).
 *
 * The links name companies by name and identifiers; the two sides of every link are merged
 * into companies (union-find over shared identifier values and normalized names). Each
 * company that owns something is resolved to a listed party by identifier, else by name at a
 * strict score. Then, per rule in force, a fixpoint: a company not listed whose listed or
 * already blocked owners hold the threshold or more in aggregate is blocked, in rounds, so
 * that each blocked company's chain leads only to companies blocked in earlier rounds (which
 * is why cycles end: a round that blocks nothing stops). OFAC's guidance counts shares held
 * through blocked entities, never shares multiplied through unlisted ones: only links
 * between a blocked or listed owner and its holding count. */
#include "rf_ownership.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAIN_DEPTH 8 /* levels of a chain written out; deeper ones are summarized */

typedef struct company {
    const char *name;        /* a name the links give it (borrowed) */
    const char *ids;         /* its identifiers (borrowed), may be NULL */
    long long entity_id;     /* its entity, 0: none */
    const rf_entity *listed; /* the listed party it is, NULL: none */
    double score;            /* of the name match; 1 with by_id */
    int by_id;               /* resolved by an identifier */
    int owns;                /* appears as an owner */
    int level;               /* per rule: 0 free, 1 listed, k > 1 blocked in round k */
    double share;            /* per rule: the aggregate that blocked it */
} company;

typedef struct graph {
    const rf_link *links;
    size_t n_links;
    size_t *owner, *owned;   /* company of each link's sides */
    size_t *by_owned;        /* link indexes ordered by owned company, then owner */
    company *co;
    size_t n_co;
    const char *as_of;
} graph;

/* ---- companies ------------------------------------------------------------------------ */

static size_t find(size_t *parent, size_t i)
{
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

typedef struct side_key {
    char *key;
    size_t side;
} side_key;

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const side_key *)a)->key, ((const side_key *)b)->key);
}

/* Calls fn on each identifier value of a "; "-separated identifier list: the words of 6 or
 * more letters and digits with a digit in them, uppercased ("LEI 5493001KJTIIGC8Y1R12",
 * "Registration Number 1027700132195 (Russia)": the numbers, whatever the scheme is called). */
static int each_id_value(const char *ids, int (*fn)(const char *value, void *ctx), void *ctx)
{
    char word[64];
    for (const char *p = ids; p && *p;) {
        size_t n = 0;
        int digit = 0, rc;
        while (*p && !isalnum((unsigned char)*p)) p++;
        while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '/')) {
            if (isalnum((unsigned char)*p) && n + 1 < sizeof word)
                word[n++] = (char)toupper((unsigned char)*p);
            digit |= isdigit((unsigned char)*p);
            p++;
        }
        word[n] = '\0';
        if (n >= 6 && digit && (rc = fn(word, ctx)) != 0) return rc;
    }
    return 0;
}

typedef struct keys {
    side_key *items;
    size_t count, cap;
    size_t side;
} keys;

static int add_key(keys *k, const char *prefix, const char *value)
{
    size_t len = strlen(prefix) + strlen(value) + 1;
    if (k->count == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 256;
        side_key *grown = realloc(k->items, cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        k->items = grown;
        k->cap = cap;
    }
    if (!(k->items[k->count].key = malloc(len))) return RF_ENOMEM;
    snprintf(k->items[k->count].key, len, "%s%s", prefix, value);
    k->items[k->count++].side = k->side;
    return RF_OK;
}

static int add_id_key(const char *value, void *ctx)
{
    return add_key(ctx, "id:", value);
}

/* Merges the sides of the links into companies; `work` lends its transliterator. */
static int build_companies(graph *g, rf_result *work, rf_error *err)
{
    size_t n_sides = 2 * g->n_links, *parent = NULL, *slot = NULL;
    keys k = {0};
    rf_buf norm = {0};
    int rc = RF_OK;

    if (!(parent = malloc((n_sides ? n_sides : 1) * sizeof *parent)) ||
        !(slot = malloc((n_sides ? n_sides : 1) * sizeof *slot)))
        goto oom;
    for (size_t s = 0; s < n_sides; s++) {
        const rf_link *l = &g->links[s / 2];
        const char *name = s % 2 ? l->owned_name : l->owner_name;
        const char *ids = s % 2 ? l->owned_ids : l->owner_ids;
        parent[s] = s;
        k.side = s;
        if (each_id_value(ids, add_id_key, &k) != 0) goto oom;
        if (name && rf_normalize_name_in(&norm, work, name, strlen(name)) == 0 && norm.len &&
            add_key(&k, "name:", norm.data) != 0)
            goto oom;
        /* a link's owned side is also known by its entity */
        if (s % 2 && l->owned_entity) {
            char id[32];
            snprintf(id, sizeof id, "%lld", l->owned_entity);
            if (add_key(&k, "entity:", id) != 0) goto oom;
        }
    }
    if (k.count) qsort(k.items, k.count, sizeof *k.items, key_cmp);
    for (size_t i = 1; i < k.count; i++)
        if (strcmp(k.items[i - 1].key, k.items[i].key) == 0) {
            size_t a = find(parent, k.items[i - 1].side), b = find(parent, k.items[i].side);
            if (a != b) parent[a > b ? a : b] = a < b ? a : b;
        }
    g->n_co = 0;
    for (size_t s = 0; s < n_sides; s++) slot[s] = SIZE_MAX;
    for (size_t s = 0; s < n_sides; s++) {
        size_t root = find(parent, s);
        if (slot[root] == SIZE_MAX) slot[root] = g->n_co++;
    }
    if (!(g->co = calloc(g->n_co ? g->n_co : 1, sizeof *g->co)) ||
        !(g->owner = malloc((g->n_links ? g->n_links : 1) * sizeof *g->owner)) ||
        !(g->owned = malloc((g->n_links ? g->n_links : 1) * sizeof *g->owned)))
        goto oom;
    for (size_t s = 0; s < n_sides; s++) {
        const rf_link *l = &g->links[s / 2];
        company *c = &g->co[slot[find(parent, s)]];
        const char *name = s % 2 ? l->owned_name : l->owner_name;
        const char *ids = s % 2 ? l->owned_ids : l->owner_ids;
        if (s % 2) g->owned[s / 2] = slot[find(parent, s)];
        else g->owner[s / 2] = slot[find(parent, s)];
        if (!c->name) c->name = name;
        if (!c->ids) c->ids = ids;
        if (s % 2 && l->owned_entity && !c->entity_id) c->entity_id = l->owned_entity;
        if (!(s % 2)) c->owns = 1;
    }
    goto cleanup;
oom:
    rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory reading ownership links");
cleanup:
    for (size_t i = 0; i < k.count; i++) free(k.items[i].key);
    free(k.items);
    free(parent);
    free(slot);
    rf_buf_free(&norm);
    return rc;
}

/* ---- identifiers of entities ----------------------------------------------------------- */

typedef struct id_entry {
    char value[64];
    const rf_entity *entity;
} id_entry;

typedef struct id_index {
    id_entry *items;
    size_t count, cap;
    const rf_entity *current;
} id_index;

static int id_cmp(const void *a, const void *b)
{
    return strcmp(((const id_entry *)a)->value, ((const id_entry *)b)->value);
}

static int index_id(const char *value, void *ctx)
{
    id_index *x = ctx;
    if (x->count == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        id_entry *grown = realloc(x->items, cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        x->items = grown;
        x->cap = cap;
    }
    snprintf(x->items[x->count].value, sizeof x->items[x->count].value, "%s", value);
    x->items[x->count++].entity = x->current;
    return RF_OK;
}

/* The identifier values of the entities of `snap` that `keep` accepts (NULL: all). */
static int index_ids(id_index *x, const rf_snapshot *snap,
                     int (*keep)(const rf_entity *e, const void *ctx), const void *ctx)
{
    for (size_t i = 0; snap && i < rf_snapshot_count(snap); i++) {
        const rf_entity *e = rf_snapshot_entity(snap, i);
        if (!e->ids || (keep && !keep(e, ctx))) continue;
        x->current = e;
        if (each_id_value(e->ids, index_id, x) != 0) return RF_ENOMEM;
    }
    if (x->count) qsort(x->items, x->count, sizeof *x->items, id_cmp);
    return RF_OK;
}

typedef struct id_probe {
    const id_index *x;
    const rf_entity *found;
} id_probe;

static int probe_id(const char *value, void *ctx)
{
    id_probe *p = ctx;
    id_entry key;
    const id_entry *hit;
    snprintf(key.value, sizeof key.value, "%s", value);
    hit = bsearch(&key, p->x->items, p->x->count, sizeof key, id_cmp);
    if (!hit) return 0;
    p->found = hit->entity;
    return 1;
}

static const rf_entity *lookup_ids(const id_index *x, const char *ids)
{
    id_probe p = {x, NULL};
    each_id_value(ids, probe_id, &p);
    return p.found;
}

/* 1 when list code `code` is one of the comma-separated `lists`. */
static int in_lists(const char *lists, const char *code)
{
    size_t n = code ? strlen(code) : 0;
    for (const char *p = lists; n && p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ') p++, len--;
        while (len && p[len - 1] == ' ') len--;
        if (len == n && strncmp(p, code, n) == 0) return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* 1 when some rule draws on e's list. */
static int on_rule_list(const rf_entity *e, const void *ctx)
{
    const rf_ownership_rules *rules = ctx;
    for (size_t i = 0; i < rf_ownership_rules_count(rules); i++)
        if (in_lists(rf_ownership_rules_get(rules, i)->lists, e->list_code)) return 1;
    return 0;
}

/* Resolves each owner to a listed party of some rule's lists. */
static int resolve_owners(graph *g, const rf_snapshot *listed, const rf_matcher *m,
                          const rf_ownership_rules *rules, rf_error *err)
{
    id_index x = {0};
    rf_result *res = NULL;
    int rc;

    if ((rc = index_ids(&x, listed, on_rule_list, rules)) != 0 ||
        (m && (rc = rf_result_new(&res)) != 0)) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory resolving owners");
        goto cleanup;
    }
    for (size_t i = 0; i < g->n_co; i++) {
        company *c = &g->co[i];
        rf_match_options opts = {.threshold = RF_OWNERSHIP_MATCH_THRESHOLD, .max_hits = 5};
        rf_party party;
        if (!c->owns) continue;
        if ((c->listed = lookup_ids(&x, c->ids)) != NULL) {
            c->by_id = 1;
            c->score = 1;
            continue;
        }
        if (!m || !c->name) continue;
        memset(&party, 0, sizeof party);
        party.name = c->name;
        if ((rc = rf_matcher_screen(res, m, &party, &opts, err)) != 0) goto cleanup;
        for (size_t h = 0; h < rf_result_count(res); h++) {
            const rf_hit *hit = rf_result_hit(res, h);
            if (hit->score < RF_OWNERSHIP_MATCH_THRESHOLD || !on_rule_list(hit->entity, rules))
                continue;
            c->listed = hit->entity;
            c->score = hit->score;
            break;
        }
    }
cleanup:
    free(x.items);
    rf_result_free(res);
    return rc;
}

/* Gives companies without an entity the entity of `described` sharing an identifier. */
static int resolve_entities(graph *g, const rf_snapshot *described, rf_error *err)
{
    id_index x = {0};
    if (!described) return RF_OK;
    if (index_ids(&x, described, NULL, NULL) != 0) {
        free(x.items);
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    for (size_t i = 0; i < g->n_co; i++) {
        const rf_entity *e;
        if (g->co[i].entity_id || !(e = lookup_ids(&x, g->co[i].ids))) continue;
        g->co[i].entity_id = e->id;
        if (!g->co[i].name) g->co[i].name = e->names[0].text;
    }
    free(x.items);
    return RF_OK;
}

/* ---- the rules ------------------------------------------------------------------------- */

static int link_in_force(const rf_link *l, const char *as_of)
{
    return (!l->start_date || strncmp(l->start_date, as_of, 10) <= 0) &&
           (!l->end_date || strncmp(as_of, l->end_date, 10) <= 0);
}

/* 1 when link i counts toward a share: a direct (or unqualified) share in force. */
static int counts(const graph *g, size_t i)
{
    const rf_link *l = &g->links[i];
    return l->kind == RF_LINK_OWNERSHIP && l->direct != 0 && l->share_min >= 0 &&
           link_in_force(l, g->as_of) && g->owner[i] != g->owned[i];
}

/* A link's place in by_owned: qsort has no context argument, so the keys travel along. */
typedef struct link_order {
    size_t owned, owner, link;
    double share;
} link_order;

static int by_owned_cmp(const void *a, const void *b)
{
    const link_order *x = a, *y = b;
    if (x->owned != y->owned) return x->owned < y->owned ? -1 : 1;
    if (x->owner != y->owner) return x->owner < y->owner ? -1 : 1;
    /* the largest share first: per owner, that is the one counted */
    if (x->share != y->share) return x->share > y->share ? -1 : 1;
    return x->link < y->link ? -1 : (x->link > y->link);
}

/* Orders the links by owned company, then owner, then share, largest first. */
static int order_links(graph *g)
{
    link_order *order = malloc((g->n_links ? g->n_links : 1) * sizeof *order);
    if (!order || !(g->by_owned = malloc((g->n_links ? g->n_links : 1) * sizeof *g->by_owned))) {
        free(order);
        return RF_ENOMEM;
    }
    for (size_t i = 0; i < g->n_links; i++)
        order[i] = (link_order){g->owned[i], g->owner[i], i, g->links[i].share_min};
    qsort(order, g->n_links, sizeof *order, by_owned_cmp);
    for (size_t i = 0; i < g->n_links; i++) g->by_owned[i] = order[i].link;
    free(order);
    return RF_OK;
}

/* The aggregate share of company `owned` (its links from by_owned[first..end)) held by
 * owners of a level in 1..below-1; per owner the largest share. */
static double held(const graph *g, size_t first, size_t end, int below)
{
    double total = 0;
    size_t last_owner = SIZE_MAX;
    for (size_t k = first; k < end; k++) {
        size_t i = g->by_owned[k];
        int lv = g->co[g->owner[i]].level;
        if (!counts(g, i) || g->owner[i] == last_owner) continue;
        last_owner = g->owner[i];
        if (lv >= 1 && lv < below) total += g->links[i].share_min;
    }
    return total;
}

/* Runs one rule: levels of every company. */
static void run_rule(graph *g, const rf_ownership_rule *rule)
{
    int round = 1, changed = 1;
    for (size_t i = 0; i < g->n_co; i++) {
        company *c = &g->co[i];
        c->level = c->listed && in_lists(rule->lists, c->listed->list_code) ? 1 : 0;
        c->share = 0;
    }
    while (changed) {
        changed = 0;
        round++;
        for (size_t k = 0; k < g->n_links;) {
            size_t end = k, owned = g->owned[g->by_owned[k]];
            double share;
            while (end < g->n_links && g->owned[g->by_owned[end]] == owned) end++;
            if (g->co[owned].level == 0 &&
                (share = held(g, k, end, round)) >= rule->threshold - 1e-9) {
                g->co[owned].level = round;
                g->co[owned].share = share;
                changed = 1;
            }
            k = end;
        }
    }
}

/* What to call company `c` in a chain: a name the links give, else its listed name, else its
 * identifiers. */
static const char *display_name(const company *c)
{
    if (c->name) return c->name;
    if (c->listed && c->listed->n_names) return c->listed->names[0].text;
    return c->ids ? c->ids : "?";
}

/* " [source S, as of D, from D1, until D2, line N]": where a link comes from and when it
 * holds. */
static int link_note(rf_buf *b, const rf_link *l)
{
    int rc = rf_buf_puts(b, " [");
    if (!rc && l->source) rc = rf_buf_printf(b, "source %s, ", l->source);
    if (!rc && l->as_of) rc = rf_buf_printf(b, "as of %s, ", l->as_of);
    if (!rc && l->start_date) rc = rf_buf_printf(b, "from %s, ", l->start_date);
    if (!rc && l->end_date) rc = rf_buf_printf(b, "until %s, ", l->end_date);
    return rc ? rc : rf_buf_printf(b, "line %ld]", l->source_line);
}

/* Writes `c`'s part of a chain into `b`: how it is listed, or who blocks it and through
 * which links; listed owners' names go to `owners`. */
static int describe(rf_buf *b, rf_buf *owners, const graph *g, size_t co,
                    const rf_ownership_rule *rule, int depth)
{
    const company *c = &g->co[co];
    int rc = 0;

    if (c->level == 1) {
        const rf_entity *e = c->listed;
        rc = rf_buf_printf(b, "%s (listed on %s as \"%s\", ", display_name(c),
                           e->list_code, e->names[0].text);
        if (!rc && c->by_id) rc = rf_buf_printf(b, "same identifier)");
        else if (!rc) rc = rf_buf_printf(b, "name match %.2f)", c->score);
        if (!rc && !strstr(owners->data ? owners->data : "", e->names[0].text))
            rc = rf_buf_printf(owners, "%s%s", owners->len ? "; " : "", e->names[0].text);
        return rc;
    }
    rc = rf_buf_printf(b, "%s (owned %g %% by listed or blocked parties", display_name(c),
                       c->share);
    if (depth >= CHAIN_DEPTH) return rc ? rc : rf_buf_puts(b, ", further up)");
    rc = rc ? rc : rf_buf_puts(b, ": ");
    {
        size_t k = 0, last_owner = SIZE_MAX, n = 0;
        while (k < g->n_links && g->owned[g->by_owned[k]] != co) k++;
        for (; !rc && k < g->n_links && g->owned[g->by_owned[k]] == co; k++) {
            size_t i = g->by_owned[k];
            const rf_link *l = &g->links[i];
            int lv = g->co[g->owner[i]].level;
            if (!counts(g, i) || g->owner[i] == last_owner || lv < 1 || lv >= c->level) continue;
            last_owner = g->owner[i];
            rc = rf_buf_printf(b, "%s%g %% held by ", n++ ? "; " : "", l->share_min);
            if (!rc) rc = describe(b, owners, g, g->owner[i], rule, depth + 1);
            if (!rc) rc = link_note(b, l);
        }
    }
    return rc ? rc : rf_buf_putc(b, ')');
}

const char *rf_ownership_kind(const rf_entity *e)
{
    return e && e->ownership_kind ? e->ownership_kind : "listed";
}

int rf_ownership_alarms(const rf_entity *e)
{
    return !e || !e->review_only;
}

/* ---- findings -------------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? rf_strdup(s) : NULL;
}

static int add_finding(rf_owned_list *out, size_t *cap, const graph *g, size_t co,
                       const rf_ownership_rule *rule, int related, const rf_link *via)
{
    rf_buf chain = {0}, owners = {0};
    rf_owned *f;
    int rc = 0;

    if (out->count == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        rf_owned *grown = realloc(out->items, n * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        out->items = grown;
        *cap = n;
    }
    if (related) {
        int linked = via->kind == RF_LINK_LINKED;
        rc = rf_buf_printf(&chain, "%s is %s %s (%s", display_name(&g->co[co]),
                           linked ? "linked to" : "consolidated by",
                           display_name(&g->co[g->owner[via - g->links]]),
                           via->relation ? via->relation : "consolidation");
        if (!rc) rc = link_note(&chain, via);
        if (!rc) rc = rf_buf_printf(&chain, "); the %s is ", linked ? "party it is linked to"
                                                                    : "parent");
        if (!rc) rc = describe(&chain, &owners, g, g->owner[via - g->links], rule, 1);
        if (!rc) rc = rf_buf_printf(&chain, ": %s a party on %s, not a share: review (%s)",
                                    linked ? "named by its list as linked to"
                                           : "a consolidated subsidiary of",
                                    rule->lists, rule->name);
    } else {
        rc = describe(&chain, &owners, g, co, rule, 0);
        if (!rc) rc = rf_buf_printf(&chain, ": %g %% or more in aggregate, restricted under the %s "
                                    "(%s; lists %s)", rule->threshold, rule->name, rule->citation,
                                    rule->lists);
    }
    f = &out->items[out->count];
    memset(f, 0, sizeof *f);
    f->entity_id = g->co[co].entity_id;
    f->related = related;
    f->rule = rule;
    f->share = related ? 0 : g->co[co].share;
    f->name = dup_or_null(g->co[co].name);
    f->chain = rc ? NULL : rf_buf_detach(&chain);
    f->owners = rc ? NULL : rf_buf_detach(&owners);
    rf_buf_free(&chain);
    rf_buf_free(&owners);
    out->count++;
    return rc || !f->chain || !f->owners || (g->co[co].name && !f->name) ? RF_ENOMEM : RF_OK;
}

void rf_owned_list_free(rf_owned_list *list)
{
    if (!list) return;
    for (size_t i = 0; i < list->count; i++) {
        free((char *)list->items[i].name);
        free((char *)list->items[i].owners);
        free((char *)list->items[i].chain);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

static int finding_cmp(const void *a, const void *b)
{
    const rf_owned *x = a, *y = b;
    int c = strcmp(x->rule->code, y->rule->code);
    if (c) return c;
    if (x->related != y->related) return x->related - y->related;
    return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

int rf_ownership_compute(rf_owned_list *out, const rf_link *links, size_t n_links,
                         const rf_snapshot *described, const rf_snapshot *listed,
                         const rf_matcher *m, const rf_ownership_rules *rules,
                         const char *as_of, rf_error *err)
{
    graph g;
    size_t cap = 0;
    unsigned char *related = NULL;
    rf_result *work = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    memset(&g, 0, sizeof g);
    if (!as_of || strlen(as_of) < 10)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "ownership needs a date (YYYY-MM-DD)");
    g.links = links;
    g.n_links = n_links;
    g.as_of = as_of;
    /* entities first: a company known by LEI alone gets its name, to match listed names */
    if ((rc = rf_result_new(&work)) != 0) goto oom;
    if ((rc = build_companies(&g, work, err)) != 0 ||
        (rc = resolve_entities(&g, described, err)) != 0 ||
        (rc = resolve_owners(&g, listed, m, rules, err)) != 0)
        goto cleanup;
    if (order_links(&g) != 0 || !(related = malloc(g.n_co ? g.n_co : 1))) goto oom;
    for (size_t r = 0; r < rf_ownership_rules_count(rules); r++) {
        const rf_ownership_rule *rule = rf_ownership_rules_get(rules, r);
        if (!rf_ownership_rule_in_force(rule, as_of)) continue;
        run_rule(&g, rule);
        for (size_t c = 0; c < g.n_co; c++)
            if (g.co[c].level > 1 && add_finding(out, &cap, &g, c, rule, 0, NULL) != 0) goto oom;
        /* consolidation links, and relations a list names, to a listed or blocked party: related,
         * once per company; a company listed under the rule's lists itself is not (level 1) */
        memset(related, 0, g.n_co ? g.n_co : 1);
        for (size_t i = 0; i < n_links; i++) {
            const rf_link *l = &links[i];
            size_t child = g.owned[i];
            if (l->kind == RF_LINK_OWNERSHIP || !link_in_force(l, as_of) ||
                g.co[g.owner[i]].level == 0 || g.co[child].level != 0 || related[child])
                continue;
            related[child] = 1;
            if (add_finding(out, &cap, &g, child, rule, 1, l) != 0) goto oom;
        }
    }
    if (out->count) qsort(out->items, out->count, sizeof *out->items, finding_cmp);
    goto cleanup;
oom:
    rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory computing ownership");
cleanup:
    if (rc) rf_owned_list_free(out);
    rf_result_free(work);
    free(related);
    free(g.co);
    free(g.owner);
    free(g.owned);
    free(g.by_owned);
    return rc;
}

/* ---- the step before screening --------------------------------------------------------- */

static int entity_id_cmp(const void *a, const void *b)
{
    long long x = (*(const rf_entity *const *)a)->id, y = (*(const rf_entity *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* Appends the entity of finding `f` (its copy in `own`) to `snap`, dressed as the finding. */
static int append_finding(rf_snapshot *snap, const rf_entity *base, const rf_owned *f,
                          int related_alarm, rf_error *err)
{
    rf_entity e = *base;
    e.list_name = f->rule->name;
    e.programs = f->rule->code;
    e.federal_register = f->rule->citation;
    e.start_date = f->rule->from;
    e.ownership_kind = f->related ? "related" : "owned";
    e.ownership_chain = f->chain;
    e.parent_name = f->owners;
    e.review_only = f->related && !related_alarm;
    return rf_snapshot_append(snap, &e, err);
}

int rf_ownership_apply(rf_ownership_summary *sum, rf_snapshot *snap, rf_store *st,
                       const rf_ownership_rules *rules, const char *as_of, int related_alarm,
                       rf_error *err)
{
    const rf_version_list *versions = rf_snapshot_versions(snap);
    rf_link_list links = {0};
    rf_snapshot *own = NULL, *listed = NULL;
    rf_matcher *m = NULL;
    rf_owned_list found = {0};
    const rf_entity **by_id = NULL;
    long long *listed_ids = NULL;
    char today[11];
    size_t n_own = 0, n_listed = 0;
    int rc = RF_OK, any = 0;

    memset(sum, 0, sizeof *sum);
    /* Only with ownership data in force: the relations the lists name (6,375 on the SDN list
     * of 2024-05-03, and the bundled CSL carries them too) would cost every screening a second
     * matcher and the owners' resolution, where most of them only repeat what their own
     * entries show; a user who imports ownership data has asked for the computation. */
    for (size_t v = 0; versions && v < versions->count; v++)
        any |= rf_version_is_ownership(&versions->items[v]);
    if (!any || !rules) return RF_OK;
    if (!as_of) {
        time_t now = time(NULL);
        struct tm tm;
        if (!gmtime_r(&now, &tm) || strftime(today, sizeof today, "%Y-%m-%d", &tm) != 10)
            return rf_error_set(err, RF_EIO, NULL, 0, "cannot read the clock");
        as_of = today;
    }
    /* the links of ownership files and those the lists name themselves */
    if ((rc = rf_store_links_load(&links, st, versions, err)) != 0 ||
        (rc = rf_snapshot_load_ownership(&own, st, versions, err)) != 0 ||
        (rc = rf_matcher_new(&m, snap, err)) != 0 ||
        (rc = rf_ownership_compute(&found, links.items, links.count, own, snap, m, rules,
                                   as_of, err)) != 0)
        goto cleanup;
    for (size_t i = 0; i < links.count; i++)
        if (link_in_force(&links.items[i], as_of)) sum->links++;
    /* the matcher points into snap, which appending may move */
    rf_matcher_free(m);
    m = NULL;
    n_own = rf_snapshot_count(own);
    if (!(by_id = malloc((n_own ? n_own : 1) * sizeof *by_id))) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n_own; i++) by_id[i] = rf_snapshot_entity(own, i);
    qsort(by_id, n_own, sizeof *by_id, entity_id_cmp);
    /* A finding on a listed entry (a relation its list names): a copy of the record, read
     * apart, since snap moves as findings are appended to it. */
    if (!(listed_ids = malloc((found.count ? found.count : 1) * sizeof *listed_ids))) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < found.count; i++) {
        rf_entity key;
        const rf_entity *pkey = &key;
        key.id = found.items[i].entity_id;
        if (key.id && !bsearch(&pkey, by_id, n_own, sizeof *by_id, entity_id_cmp))
            listed_ids[n_listed++] = key.id;
    }
    if (n_listed && (rc = rf_snapshot_load_ids(&listed, st, listed_ids, n_listed, err)) != 0)
        goto cleanup;
    for (size_t i = 0; i < found.count && rc == 0; i++) {
        const rf_owned *f = &found.items[i];
        rf_entity key;
        const rf_entity *pkey = &key, *const *base, *entry = NULL;
        key.id = f->entity_id;
        base = f->entity_id ? bsearch(&pkey, by_id, n_own, sizeof *by_id, entity_id_cmp) : NULL;
        if (!base && f->entity_id) entry = rf_snapshot_find(listed, f->entity_id);
        if (!base && !entry) {
            sum->unnamed++;
            continue;
        }
        /* an entry listed under the rule's own lists is a hit already: its list's relation
         * (the remarks' "Linked To:", an affiliate's parent) shows with it */
        if (entry && in_lists(f->rule->lists, entry->list_code)) continue;
        if ((rc = append_finding(snap, base ? *base : entry, f, related_alarm, err)) == 0) {
            if (f->related) sum->related++;
            else sum->owned++;
        }
    }
cleanup:
    free(by_id);
    free(listed_ids);
    rf_snapshot_free(listed);
    rf_owned_list_free(&found);
    rf_matcher_free(m);
    rf_snapshot_free(own);
    rf_link_list_free(&links);
    return rc;
}
