/* queue.c: the workbench's review pages: the queue of open alarms grouped by counterparty
 * (from the counterparty state the last screening of each left, and the decisions in force),
 * a case (the party and the listed record side by side with the words the engine matched
 * marked, the order lines concerned, earlier decisions, the decision form), recording a decision through the audit trail's rf_store_decision_add (the same
 * decisions `redflag review` records, signed with the user and time), the runs, and the
 * audit export of a period's decisions, and the list versions. */
#define _DEFAULT_SOURCE /* strcasecmp */
#include "serve_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef enum queue_sort { SORT_SCORE, SORT_NAME, SORT_DATE, SORT_STATE } queue_sort;

/* One hit of a counterparty as the queue shows it. Strings owned by it. */
typedef struct queue_hit {
    char *fingerprint, *name, *country, *address, *list_code, *source_id, *listed_name;
    char *reviewer, *decided_at;
    double score;
    double group_score; /* the best score of its counterparty among the alarms shown */
    long long entity_id, last_run;
    const char *state;  /* "new", "changed", "escalated", "confirmed", "cleared" */
    queue_sort sort;    /* how the queue is sorted (qsort has no context argument) */
} queue_hit;

typedef struct alarm_set {
    queue_hit *items;
    size_t count, cap;
    rf_decision_list decisions; /* in force, for every counterparty */
    int failed;
} alarm_set;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void alarm_set_free(alarm_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        queue_hit *a = &set->items[i];
        free(a->fingerprint), free(a->name), free(a->country), free(a->address);
        free(a->list_code), free(a->source_id), free(a->listed_name), free(a->reviewer);
        free(a->decided_at);
    }
    free(set->items);
    rf_decision_list_free(&set->decisions);
}

/* The decision in force on (fingerprint, list, entry), or NULL. */
static const rf_decision *decision_for(const rf_decision_list *l, const char *fingerprint,
                                       const char *list_code, const char *source_id)
{
    for (size_t i = 0; i < l->count; i++) {
        const rf_decision *d = &l->items[i];
        if (strcmp(d->fingerprint, fingerprint) == 0 && strcmp(d->list_code, list_code) == 0 &&
            strcmp(d->source_id, source_id) == 0)
            return d;
    }
    return NULL;
}

/* Where a hit stands: cleared stays quiet only while the record is the one cleared. */
static const char *hit_state(const rf_decision *d, const char *content_hash)
{
    if (!d) return "new";
    switch (d->kind) {
    case RF_DECISION_CLEARED:
        return d->content_hash && content_hash && strcmp(d->content_hash, content_hash) != 0
                   ? "changed"
                   : "cleared";
    case RF_DECISION_CONFIRMED: return "confirmed";
    case RF_DECISION_ESCALATED: return "escalated";
    default: return "new";
    }
}

static int collect_alarm(const rf_counterparty *cp, const rf_known_hit *hits, size_t n_hits,
                         void *ctx)
{
    alarm_set *set = ctx;
    for (size_t i = 0; i < n_hits; i++) {
        const rf_decision *d =
            decision_for(&set->decisions, cp->fingerprint, hits[i].list_code, hits[i].source_id);
        queue_hit *a;
        if (set->count == set->cap) {
            size_t cap = set->cap ? set->cap * 2 : 64;
            queue_hit *grown = realloc(set->items, cap * sizeof *grown);
            if (!grown) return set->failed = 1;
            set->items = grown;
            set->cap = cap;
        }
        a = &set->items[set->count++];
        memset(a, 0, sizeof *a);
        a->fingerprint = dup_or_null(cp->fingerprint);
        a->name = dup_or_null(cp->name);
        a->country = dup_or_null(cp->country);
        a->address = dup_or_null(cp->address);
        a->list_code = dup_or_null(hits[i].list_code);
        a->source_id = dup_or_null(hits[i].source_id);
        a->listed_name = dup_or_null(hits[i].listed_name);
        a->score = hits[i].score;
        a->entity_id = hits[i].entity_id;
        a->last_run = cp->last_run;
        a->state = hit_state(d, hits[i].content_hash);
        if (d) {
            a->reviewer = dup_or_null(d->reviewer);
            a->decided_at = dup_or_null(d->decided_at);
        }
    }
    return 0;
}

/* Every hit of `fingerprint` (NULL: of every counterparty) with its state. */
static int alarms_load(alarm_set *set, rf_store *st, const char *fingerprint, rf_error *err)
{
    int rc;
    memset(set, 0, sizeof *set);
    if ((rc = rf_store_decisions_for(&set->decisions, st, fingerprint, err)) != 0 ||
        (rc = rf_store_counterparties_each(st, fingerprint, collect_alarm, set, err)) != 0)
        return rc;
    return set->failed ? rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory") : RF_OK;
}

/* ---- the queue ------------------------------------------------------------------------------ */


static int state_rank(const char *s)
{
    static const char *const order[] = {"new", "changed", "escalated", "confirmed", "cleared"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, order[i]) == 0) return i;
    return 5;
}

/* Counterparties stay together: the sort key is the counterparty's, then its hits by score. */
static int compare_alarms(const void *x, const void *y)
{
    const queue_hit *a = x, *b = y;
    int c = 0;
    switch (a->sort) {
    case SORT_SCORE: c = (a->group_score < b->group_score) - (a->group_score > b->group_score); break;
    case SORT_NAME: c = strcasecmp(a->name ? a->name : "", b->name ? b->name : ""); break;
    case SORT_DATE: c = (a->last_run < b->last_run) - (a->last_run > b->last_run); break;
    case SORT_STATE: c = 0; break;
    }
    if (!c) c = strcmp(a->fingerprint, b->fingerprint);
    if (!c && a->sort == SORT_STATE) c = state_rank(a->state) - state_rank(b->state);
    if (!c) c = (a->score < b->score) - (a->score > b->score);
    return c;
}

static int state_shown(const char *state, const char *filter)
{
    if (!filter || !*filter || strcmp(filter, "open") == 0)
        return strcmp(state, "new") == 0 || strcmp(state, "changed") == 0 ||
               strcmp(state, "escalated") == 0;
    return strcmp(filter, "all") == 0 || strcmp(filter, state) == 0;
}

/* A link to a case; the parts are percent-encoded, joined by `amp` ("&amp;" in HTML, "&" in
 * a header). */
static void case_href(rf_buf *b, const char *amp, const char *fingerprint,
                      const char *list_code, const char *source_id)
{
    const char *parts[3] = {fingerprint, list_code, source_id};
    const char *names[3] = {"/case?fp=", "list=", "id="};
    for (int i = 0; i < 3; i++) {
        if (i) rf_buf_puts(b, amp);
        rf_buf_puts(b, names[i]);
        for (const unsigned char *s = (const unsigned char *)parts[i]; s && *s; s++)
            if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
                *s == '-' || *s == '_' || *s == '.')
                rf_buf_putc(b, (char)*s);
            else rf_buf_printf(b, "%%%02X", *s);
    }
}

/* The age of the lists the server screens with, amber when older than the default limit. */
static void list_age(rf_page *p)
{
    rf_version_age age;
    char date[11];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (rf_versions_oldest(&age, rf_snapshot_versions(p->req->lists->snap), date, NULL) != 0 ||
        !age.version)
        return;
    rf_buf_printf(&p->res->body, "<p class=\"age%s\">Lists in force: oldest is ",
                  age.days > RF_DEFAULT_MAX_LIST_AGE ? " old" : "");
    rf_page_text(&p->res->body, age.version->feed);
    rf_buf_puts(&p->res->body, " of ");
    rf_page_text(&p->res->body, age.date);
    rf_buf_printf(&p->res->body, ", %ld days old%s.</p>", age.days,
                  age.days > RF_DEFAULT_MAX_LIST_AGE
                      ? " - older than 30 days: run <code>redflag lists update</code>"
                      : "");
}

static void select_options(rf_buf *b, const char *name, const char *label,
                           const char *const *values, size_t n, const char *chosen)
{
    rf_buf_printf(b, "<label>%s <select name=\"%s\">", label, name);
    for (size_t i = 0; i < n; i++) {
        rf_buf_puts(b, "<option");
        if (chosen && strcmp(chosen, values[i]) == 0) rf_buf_puts(b, " selected");
        rf_buf_printf(b, ">%s</option>", values[i]);
    }
    rf_buf_puts(b, "</select></label>");
}

void rf_page_queue(rf_page *p)
{
    static const char *const states[] = {"open", "new", "changed", "escalated", "confirmed",
                                         "cleared", "all"};
    static const char *const sorts[] = {"score", "name", "date", "state"};
    const char *state = rf_request_arg(p->req, "state"), *list = rf_request_arg(p->req, "list");
    const char *sort = rf_request_arg(p->req, "sort"), *reviewer = rf_request_arg(p->req, "reviewer");
    const char *min_score = rf_request_arg(p->req, "min_score");
    double score_floor = min_score && *min_score ? strtod(min_score, NULL) : 0;
    rf_buf *b = &p->res->body;
    alarm_set set;
    size_t shown = 0, groups = 0;
    rf_error err;

    rf_error_clear(&err);
    if (alarms_load(&set, p->req->st, NULL, &err) != 0) {
        alarm_set_free(&set);
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    /* Keep the alarms asked for, then sort them by their counterparty's best score. */
    for (size_t i = 0; i < set.count; i++) {
        queue_hit *a = &set.items[i];
        int keep = state_shown(a->state, state) && (!list || !*list || strcmp(a->list_code, list) == 0) &&
                   (!reviewer || !*reviewer || (a->reviewer && strcmp(a->reviewer, reviewer) == 0)) &&
                   a->score >= score_floor;
        if (keep) {
            queue_hit t = set.items[shown];
            set.items[shown++] = *a;
            *a = t;
        }
    }
    for (size_t i = 0; i < shown; i++) {
        set.items[i].group_score = 0;
        for (size_t j = 0; j < shown; j++)
            if (strcmp(set.items[i].fingerprint, set.items[j].fingerprint) == 0 &&
                set.items[j].score > set.items[i].group_score)
                set.items[i].group_score = set.items[j].score;
    }
    for (size_t i = 0; i < shown; i++)
        set.items[i].sort = !sort || strcmp(sort, "score") == 0 ? SORT_SCORE
                            : strcmp(sort, "name") == 0         ? SORT_NAME
                            : strcmp(sort, "date") == 0         ? SORT_DATE
                                                                : SORT_STATE;
    qsort(set.items, shown, sizeof *set.items, compare_alarms);

    rf_page_begin(p, "Queue");
    list_age(p);
    rf_buf_puts(b, "<form method=\"get\" action=\"/queue\" class=\"filters\">");
    select_options(b, "state", "State", states, 7, state ? state : "open");
    rf_buf_puts(b, "<label>List <input name=\"list\" size=\"6\" value=\"");
    rf_page_text(b, list);
    rf_buf_puts(b, "\"></label><label>Reviewer <input name=\"reviewer\" size=\"10\" value=\"");
    rf_page_text(b, reviewer);
    rf_buf_puts(b, "\"></label><label>Score from <input name=\"min_score\" size=\"4\" value=\"");
    rf_page_text(b, min_score);
    rf_buf_puts(b, "\"></label>");
    select_options(b, "sort", "Sort by", sorts, 4, sort ? sort : "score");
    rf_buf_puts(b, "<button>Show</button></form>");
    rf_buf_puts(b, "<table><thead><tr><th>Counterparty</th><th>State</th><th>Score</th>"
                   "<th>List</th><th>Listed name</th><th>Last decision</th><th>Run</th>"
                   "</tr></thead><tbody>");
    for (size_t i = 0; i < shown; i++) {
        const queue_hit *a = &set.items[i];
        int first = i == 0 || strcmp(set.items[i - 1].fingerprint, a->fingerprint) != 0;
        rf_buf_puts(b, "<tr><td>");
        if (first) {
            groups++;
            rf_buf_puts(b, "<strong><bdi>");
            rf_page_text(b, a->name);
            rf_buf_puts(b, "</bdi></strong> ");
            rf_page_text(b, a->country);
        }
        rf_buf_printf(b, "</td><td class=\"state-%s\">%s</td><td data-label=\"score\">%.3f</td>"
                         "<td data-label=\"list\">",
                      a->state, a->state, a->score);
        rf_page_text(b, a->list_code);
        rf_buf_puts(b, "</td><td><a href=\"");
        case_href(b, "&amp;", a->fingerprint, a->list_code, a->source_id);
        rf_buf_puts(b, "\"><bdi>");
        rf_page_text(b, a->listed_name);
        rf_buf_puts(b, "</bdi></a></td><td data-label=\"decided by\">");
        if (a->reviewer) {
            rf_page_text(b, a->reviewer);
            rf_buf_puts(b, ", ");
            rf_page_text(b, a->decided_at);
        }
        rf_buf_printf(b, "</td><td data-label=\"run\">%lld</td></tr>", a->last_run);
    }
    rf_buf_puts(b, "</tbody></table>");
    rf_buf_printf(b, "<p>%zu hit%s of %zu counterpart%s.</p>", shown, shown == 1 ? "" : "s",
                  groups, groups == 1 ? "y" : "ies");
    rf_page_end(p);
    alarm_set_free(&set);
}

/* ---- a case ------------------------------------------------------------------------------- */

/* The queue_hit a case page or decision is about, found in `set` (loaded for its counterparty);
 * answers 404 itself and returns NULL when there is none. */
static const queue_hit *find_case(rf_page *p, alarm_set *set, const char *fp, const char *list,
                              const char *id)
{
    rf_error err;
    rf_error_clear(&err);
    if (!fp || !list || !id || !*fp || strlen(fp) > 64) {
        rf_page_error(p, 404, "Not found", "No such case.");
        return NULL;
    }
    if (alarms_load(set, p->req->st, fp, &err) != 0) {
        rf_page_error(p, err.code == RF_ENOTFOUND ? 404 : 500, "Not found", err.message);
        return NULL;
    }
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->items[i].list_code, list) == 0 && strcmp(set->items[i].source_id, id) == 0)
            return &set->items[i];
    rf_page_error(p, 404, "Not found", "This counterparty has no such hit.");
    return NULL;
}

static void row(rf_buf *b, const char *label, const char *value)
{
    if (!value || !*value) return;
    rf_buf_printf(b, "<tr><th>%s</th><td>", label);
    rf_page_text(b, value);
    rf_buf_puts(b, "</td></tr>");
}

/* A name, with the words the hit matched marked as the HTML report marks them. */
static void name_row(rf_buf *b, const char *label, const char *name, const rf_span *spans,
                     size_t n_spans)
{
    if (!name || !*name) return;
    rf_buf_printf(b, "<tr><th>%s</th><td>", label);
    rf_html_name(b, name, spans, n_spans);
    rf_buf_puts(b, "</td></tr>");
}

/* The engine's hit of the party on this listed record, from the party screened again with
 * the lists loaded: which words matched which (its spans and explanation). NULL when those
 * lists no longer give that record (delisted, or the name changed past recognition). */
static const rf_hit *case_hit(rf_result *result, rf_page *p, const queue_hit *a)
{
    rf_party party;
    rf_match_options opts = {0};

    memset(&party, 0, sizeof party);
    party.name = a->name;
    party.country = a->country;
    party.address = a->address;
    /* Below the screening threshold too: a record that changed still shows what matches. */
    opts.threshold = 0.5;
    opts.max_hits = 1000;
    if (!a->name || rf_matcher_screen(result, p->req->lists->matcher, &party, &opts, NULL) != 0)
        return NULL;
    for (size_t i = 0; i < rf_result_count(result); i++) {
        const rf_hit *h = rf_result_hit(result, i);
        if (strcmp(h->entity->list_code, a->list_code) == 0 && h->entity->source_id &&
            strcmp(h->entity->source_id, a->source_id) == 0)
            return h;
    }
    return NULL;
}

static void listed_record(rf_page *p, const queue_hit *a, const rf_hit *hit)
{
    rf_buf *b = &p->res->body;
    rf_snapshot *snap = NULL;
    const rf_entity *e = NULL;
    const char *matched = hit ? hit->entity->names[hit->name_index].text : NULL;

    if (a->entity_id && rf_snapshot_load_ids(&snap, p->req->st, &a->entity_id, 1, NULL) == 0)
        e = rf_snapshot_find(snap, a->entity_id);
    rf_buf_puts(b, "<div class=\"card\"><h2>Listed record</h2><table>");
    row(b, "List", a->list_code);
    if (e) {
        row(b, "List name", e->list_name);
        for (size_t i = 0; i < e->n_names; i++) {
            int is_matched = matched && strcmp(e->names[i].text, matched) == 0;
            name_row(b, rf_name_kind_name(e->names[i].kind), e->names[i].text,
                     is_matched ? hit->listed_spans : NULL, is_matched ? hit->n_listed_spans : 0);
        }
        row(b, "Type", rf_entity_type_name(e->type));
        for (size_t i = 0; i < e->n_addresses; i++) {
            rf_buf_puts(b, "<tr><th>address</th><td>");
            rf_page_text(b, e->addresses[i].text);
            rf_buf_puts(b, " ");
            rf_page_text(b, e->addresses[i].city);
            rf_buf_puts(b, " ");
            rf_page_text(b, e->addresses[i].country);
            rf_buf_puts(b, "</td></tr>");
        }
        row(b, "Ids", e->ids);
        row(b, "Programs", e->programs);
        row(b, "Federal Register", e->federal_register);
        row(b, "Listed since", e->start_date);
        row(b, "License requirement", e->license_requirement);
        row(b, "License policy", e->license_policy);
        row(b, "Remarks", e->remarks);
        row(b, "Source", e->source_url);
    } else {
        name_row(b, "Listed name", a->listed_name, matched ? hit->listed_spans : NULL,
                 matched ? hit->n_listed_spans : 0);
    }
    row(b, "Entry id", a->source_id);
    rf_buf_puts(b, "</table></div>");
    rf_snapshot_free(snap);
}

static void earlier_decisions(rf_page *p, const queue_hit *a)
{
    rf_buf *b = &p->res->body;
    rf_decision_list all = {0};
    size_t shown = 0;

    rf_buf_puts(b, "<h2>Decisions on this hit</h2>");
    if (rf_store_decisions_all(&all, p->req->st, a->fingerprint, NULL, NULL, NULL) == 0)
        for (size_t i = all.count; i-- > 0;) {
            const rf_decision *d = &all.items[i];
            if (strcmp(d->list_code, a->list_code) != 0 || strcmp(d->source_id, a->source_id) != 0)
                continue;
            if (!shown++)
                rf_buf_puts(b, "<table><thead><tr><th>When</th><th>Decision</th><th>By</th>"
                               "<th>Reason</th></tr></thead><tbody>");
            rf_buf_puts(b, "<tr><td>");
            rf_page_text(b, d->decided_at);
            rf_buf_printf(b, "</td><td>%s</td><td>", rf_decision_kind_name(d->kind));
            rf_page_text(b, d->reviewer);
            rf_buf_puts(b, "</td><td>");
            rf_page_text(b, d->reason);
            rf_buf_puts(b, "</td></tr>");
        }
    rf_buf_puts(b, shown ? "</tbody></table>" : "<p>None yet.</p>");
    rf_decision_list_free(&all);
}

/* The orders the counterparty was on in its latest run: where, in which role, which lines. */
typedef struct order_lines {
    const char *fingerprint;
    rf_buf *b;
    int shown;
} order_lines;

#define ORDER_LINES_MAX 50

/* The cells carry their column's name, shown before them where the table is too narrow to
 * be one (the stylesheet's narrow layout). */
static void order_row(rf_buf *b, const rf_party *party, const char *const line[7])
{
    static const char *const labels[10] = {"document", "order", "role", "line", "item",
                                           "part number", "quantity", "ECCN", "HS code",
                                           "origin"};
    const char *cells[10] = {party->document, party->ref, party->role};
    memcpy(cells + 3, line, 7 * sizeof *line);
    rf_buf_puts(b, "<tr>");
    for (int i = 0; i < 10; i++) {
        if (!cells[i] || !*cells[i]) {
            rf_buf_puts(b, "<td></td>");
            continue;
        }
        rf_buf_printf(b, "<td data-label=\"%s\">", labels[i]);
        rf_page_text(b, cells[i]);
        if (i == 0 && party->line) rf_buf_printf(b, ":%ld", party->line);
        rf_buf_puts(b, "</td>");
    }
    rf_buf_puts(b, "</tr>");
}

/* Each order the counterparty was on, and each line of it the party concerns (all of them
 * for a buyer or ship-to, its own for a line's manufacturer): what would ship. */
static int order_line(const rf_run_result *r, void *ctx)
{
    order_lines *o = ctx;
    const rf_party *party = r->party;

    if (!r->fingerprint || strcmp(r->fingerprint, o->fingerprint) != 0) return 0;
    if (o->shown++ == ORDER_LINES_MAX) return 0;
    if (o->shown == 1)
        rf_buf_puts(o->b, "<table><thead><tr><th>Document</th><th>Order</th><th>Role</th>"
                          "<th>Line</th><th>Item</th><th>Part number</th><th>Quantity</th>"
                          "<th>ECCN</th><th>HS code</th><th>Origin</th></tr></thead><tbody>");
    if (!party->n_lines) {
        const char *line[7] = {party->order_line, party->item ? party->item : party->description,
                               party->part_number, party->quantity, party->eccn,
                               party->hs_code, party->origin};
        order_row(o->b, party, line);
    }
    for (size_t i = 0; i < party->n_lines; i++) {
        const rf_order_line *l = &party->lines[i];
        const char *line[7] = {l->number, l->description, l->part_number, l->quantity,
                               l->eccn, l->hs_code, l->origin};
        order_row(o->b, party, line);
    }
    return 0;
}

static void orders_of(rf_page *p, const queue_hit *a)
{
    order_lines o = {a->fingerprint, &p->res->body, 0};
    rf_snapshot *entities = NULL;

    rf_buf_printf(o.b, "<h2>On the orders of run %lld</h2>", a->last_run);
    if (rf_snapshot_load_run(&entities, p->req->st, a->last_run, NULL) == 0)
        rf_store_run_results(p->req->st, a->last_run, entities, order_line, &o, NULL);
    rf_snapshot_free(entities);
    if (!o.shown) rf_buf_puts(o.b, "<p>Not recorded.</p>");
    else rf_buf_puts(o.b, "</tbody></table>");
    if (o.shown > ORDER_LINES_MAX)
        rf_buf_printf(o.b, "<p>The first %d of %d.</p>", ORDER_LINES_MAX, o.shown);
}

void rf_page_case(rf_page *p)
{
    const char *fp = rf_request_arg(p->req, "fp"), *list = rf_request_arg(p->req, "list");
    const char *id = rf_request_arg(p->req, "id");
    rf_buf *b = &p->res->body, why = {0};
    alarm_set set;
    const queue_hit *a = find_case(p, &set, fp, list, id);
    rf_result *result = NULL;
    const rf_hit *hit = NULL;
    double score;

    if (!a) {
        alarm_set_free(&set);
        return;
    }
    if (rf_result_new(&result) == 0) hit = case_hit(result, p, a);
    rf_page_begin(p, "Case");
    rf_buf_printf(b, "<p>State: <span class=\"state-%s\">%s</span>, score %.3f, last screened"
                     " in run %lld.</p><div class=\"grid\"><div class=\"card\"><h2>Party</h2>"
                     "<table>",
                  a->state, a->state, a->score, a->last_run);
    name_row(b, "Name", a->name, hit ? hit->party_spans : NULL, hit ? hit->n_party_spans : 0);
    row(b, "Address", a->address);
    row(b, "Country", a->country);
    row(b, "Fingerprint", a->fingerprint);
    rf_buf_puts(b, "</table></div>");
    listed_record(p, a, hit);
    rf_buf_puts(b, "</div>");
    /* The marked words and this sentence are the engine's own account of the match. */
    if (hit && hit->explanation) {
        rf_buf_printf(b, "<p class=\"why\"><strong>Why it matched</strong> (score %.3f with the"
                         " lists loaded now): ",
                      hit->score);
        rf_page_text(b, hit->explanation);
        rf_buf_puts(b, "</p>");
    } else if (a->name && a->listed_name &&
               rf_match_pair(&score, &why, p->req->lists->matcher, a->name, a->listed_name) == 0) {
        rf_buf_puts(b, "<p class=\"why\"><strong>Why it matched:</strong> ");
        rf_page_text(b, why.data);
        rf_buf_puts(b, "</p>");
    }
    rf_buf_free(&why);
    rf_result_free(result);
    orders_of(p, a);
    earlier_decisions(p, a);
    rf_buf_puts(b, "<h2>Decide</h2><form method=\"post\" action=\"/case/decide\" class=\"card\">");
    rf_page_csrf(p);
    rf_buf_puts(b, "<input type=\"hidden\" name=\"fp\" value=\"");
    rf_page_text(b, a->fingerprint);
    rf_buf_puts(b, "\"><input type=\"hidden\" name=\"list\" value=\"");
    rf_page_text(b, a->list_code);
    rf_buf_puts(b, "\"><input type=\"hidden\" name=\"id\" value=\"");
    rf_page_text(b, a->source_id);
    rf_buf_puts(b, "\"><label><input type=\"radio\" name=\"decision\" value=\"clear\" required>"
                   " Clear: not the listed party</label>"
                   "<label><input type=\"radio\" name=\"decision\" value=\"confirm\"> Confirm:"
                   " it is the listed party</label>"
                   "<label><input type=\"radio\" name=\"decision\" value=\"escalate\"> Escalate"
                   "</label><label><input type=\"checkbox\" name=\"others\" value=\"clear\">"
                   " With confirm: this is the entity, clear the counterparty's other new hits"
                   "</label><label>Reason <textarea name=\"reason\" rows=\"3\" required>"
                   "</textarea></label><button>Record decision</button></form>");
    rf_page_end(p);
    alarm_set_free(&set);
}

void rf_page_decide(rf_page *p)
{
    char fp[80], list[64], id[512], kind_text[16], reason[4096];
    rf_decision_kind kind;
    alarm_set set;
    const queue_hit *a;
    rf_error err;

    rf_error_clear(&err);
    memset(&set, 0, sizeof set);
    if (rf_request_form(p->req, "fp", fp, sizeof fp) != 0 ||
        rf_request_form(p->req, "list", list, sizeof list) != 0 ||
        rf_request_form(p->req, "id", id, sizeof id) != 0) {
        rf_page_error(p, 422, "Cannot record", "The form does not say which hit.");
        return;
    }
    if (rf_request_form(p->req, "decision", kind_text, sizeof kind_text) != 0 ||
        rf_decision_kind_parse(&kind, kind_text) != 0) {
        rf_page_error(p, 422, "Cannot record", "Choose clear, confirm or escalate.");
        return;
    }
    if (rf_request_form(p->req, "reason", reason, sizeof reason) != 0 ||
        rf_trim(reason, strlen(reason)) == 0) {
        rf_page_error(p, 422, "Cannot record", "A decision needs its reason.");
        return;
    }
    reason[rf_trim(reason, strlen(reason))] = '\0';
    if (!(a = find_case(p, &set, fp, list, id))) {
        alarm_set_free(&set);
        return;
    }
    /* Four eyes: what one person confirmed or escalated, another with authority clears. */
    if (p->req->srv->opts.four_eyes && kind == RF_DECISION_CLEARED &&
        (strcmp(a->state, "confirmed") == 0 || strcmp(a->state, "escalated") == 0) &&
        p->id->role == RF_ROLE_REVIEWER) {
        alarm_set_free(&set);
        rf_page_error(p, 403, "Needs an approver",
                      "This hit was confirmed or escalated: clearing it needs an approver.");
        return;
    }
    /* "This is entity X, the others are not": confirming one hit may clear the
     * counterparty's other new or changed hits in the same transaction. */
    {
        char others[8] = "";
        int clear_others = kind == RF_DECISION_CONFIRMED &&
                           rf_request_form(p->req, "others", others, sizeof others) == 0 &&
                           strcmp(others, "clear") == 0;
        rf_decision *ds = calloc(set.count, sizeof *ds);
        char *other_reason = NULL;
        size_t n = 0;
        int rc;

        if (!ds) {
            alarm_set_free(&set);
            rf_page_error(p, 500, "Server error", "out of memory");
            return;
        }
        for (size_t i = 0; i < set.count; i++) {
            const queue_hit *h = &set.items[i];
            int other = h != a && clear_others &&
                        (strcmp(h->state, "new") == 0 || strcmp(h->state, "changed") == 0);
            if (h != a && !other) continue;
            ds[n].kind = h == a ? kind : RF_DECISION_CLEARED;
            ds[n].fingerprint = h->fingerprint;
            ds[n].party_name = h->name;
            ds[n].list_code = h->list_code;
            ds[n].source_id = h->source_id;
            ds[n].listed_name = h->listed_name;
            ds[n].entity_id = h->entity_id;
            ds[n].reviewer = p->id->name;
            ds[n].reason = reason;
            ds[n].run_id = h->last_run;
            n++;
        }
        if (n > 1) {
            rf_buf r = {0};
            rf_buf_printf(&r, "not this entry: the counterparty is %s %s (", a->list_code,
                          a->source_id);
            rf_buf_puts(&r, reason);
            rf_buf_putc(&r, ')');
            other_reason = rf_buf_detach(&r);
            for (size_t i = 0; i < n; i++)
                if (ds[i].kind == RF_DECISION_CLEARED && other_reason) ds[i].reason = other_reason;
        }
        rc = rf_store_decisions_add(p->req->st, ds, n, &err);
        free(ds);
        free(other_reason);
        if (rc != 0) {
            alarm_set_free(&set);
            rf_page_error(p, err.code == RF_EUSAGE ? 422 : 500, "Cannot record", err.message);
            return;
        }
    }
    {
        rf_buf to = {0};
        case_href(&to, "&", a->fingerprint, a->list_code, a->source_id);
        rf_page_redirect(p, to.data ? to.data : "/queue");
        rf_buf_free(&to);
    }
    alarm_set_free(&set);
}

/* ---- runs and the audit export --------------------------------------------------------------- */

void rf_page_runs(rf_page *p)
{
    rf_buf *b = &p->res->body;
    rf_run_list runs = {0};
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_runs(&runs, p->req->st, 0, NULL, NULL, &err) != 0) {
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    rf_page_begin(p, "Runs");
    rf_buf_puts(b, "<table><thead><tr><th>Run</th><th>Started</th><th>Command</th><th>User</th>"
                   "<th>Status</th><th>Parties</th><th>Alarms</th><th>Cleared</th></tr></thead>"
                   "<tbody>");
    for (size_t i = runs.count, n = 0; i-- > 0 && n < 200; n++) {
        const rf_run_record *r = &runs.items[i];
        rf_buf_printf(b, "<tr><td>%lld</td><td>", r->id);
        rf_page_text(b, r->started_at);
        rf_buf_puts(b, "</td><td>");
        rf_page_text(b, r->command);
        rf_buf_puts(b, "</td><td>");
        rf_page_text(b, r->user);
        rf_buf_puts(b, "</td><td>");
        rf_page_text(b, r->status);
        rf_buf_printf(b, "</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>", r->totals.parties,
                      r->totals.new_alarms + r->totals.known_alarms, r->totals.cleared);
    }
    rf_buf_puts(b, "</tbody></table>");
    if (runs.count > 200) rf_buf_printf(b, "<p>The latest 200 of %zu runs.</p>", runs.count);
    rf_page_end(p);
    rf_run_list_free(&runs);
}

/* A date argument: YYYY-MM-DD or nothing. */
static const char *date_arg(rf_page *p, const char *name, int *bad)
{
    const char *s = rf_request_arg(p->req, name);
    if (!s || !*s) return NULL;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') *bad = 1;
    for (int i = 0; s[i] && !*bad; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) *bad = 1;
    return s;
}

void rf_page_audit(rf_page *p)
{
    rf_buf *b = &p->res->body;
    rf_chain_head head;
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_chain_head(&head, p->req->st, &err) != 0) {
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    rf_page_begin(p, "Audit export");
    rf_buf_printf(b, "<p>The evidence chain holds %lld links; its head is <code>%s</code>."
                     " Keep it outside the database: <code>redflag audit verify --head</code>"
                     " proves later that nothing sealed before it changed.</p>",
                  head.count, head.hash);
    rf_buf_puts(b, "<form method=\"get\" action=\"/audit/decisions.csv\" class=\"filters\">"
                   "<label>From <input type=\"date\" name=\"from\"></label>"
                   "<label>To <input type=\"date\" name=\"to\"></label>"
                   "<button>Download decisions (CSV)</button></form>");
    rf_page_audit_trail(p);
    rf_page_end(p);
}

void rf_page_audit_csv(rf_page *p)
{
    rf_buf *b = &p->res->body;
    rf_decision_list all = {0};
    int bad = 0;
    const char *from = date_arg(p, "from", &bad), *to = date_arg(p, "to", &bad);
    rf_error err;

    rf_error_clear(&err);
    if (bad) {
        rf_page_error(p, 422, "Bad dates", "Dates are written YYYY-MM-DD.");
        return;
    }
    if (rf_store_decisions_all(&all, p->req->st, NULL, from, to, &err) != 0) {
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    p->res->content_type = "text/csv; charset=utf-8";
    snprintf(p->res->download, sizeof p->res->download, "redflag-decisions-%s-%s.csv",
             from ? from : "start", to ? to : "now");
    rf_buf_puts(b, "id,decided_at,decision,reviewer,reason,party_name,fingerprint,list,"
                   "source_id,listed_name,run_id\r\n");
    for (size_t i = 0; i < all.count; i++) {
        const rf_decision *d = &all.items[i];
        const char *cells[] = {d->decided_at, rf_decision_kind_name(d->kind), d->reviewer,
                               d->reason, d->party_name, d->fingerprint, d->list_code,
                               d->source_id, d->listed_name};
        rf_buf_printf(b, "%lld", d->id);
        for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
            rf_buf_putc(b, ',');
            rf_csv_cell(b, cells[c]);
        }
        rf_buf_printf(b, ",%lld\r\n", d->run_id);
    }
    rf_decision_list_free(&all);
}

/* ---- list versions -------------------------------------------------------------------------- */

void rf_page_lists(rf_page *p)
{
    rf_buf *b = &p->res->body;
    rf_version_list in_force = {0}, all = {0};
    char date[11];
    time_t now = time(NULL);
    struct tm tm;
    rf_error err;

    rf_error_clear(&err);
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    if (rf_store_versions_in_force(&in_force, p->req->st, NULL, &err) != 0 ||
        rf_store_versions_all(&all, p->req->st, &err) != 0) {
        rf_version_list_free(&in_force);
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    rf_page_begin(p, "Lists");
    list_age(p);
    rf_buf_puts(b, "<h2>Every version imported, newest first</h2><table><thead><tr><th>Version"
                   "</th><th>Feed</th><th>Published</th><th>Imported</th><th>Entities</th>"
                   "<th>Age (days)</th><th>In force</th><th>What changed</th></tr></thead>"
                   "<tbody>");
    for (size_t i = all.count; i-- > 0;) {
        const rf_version *v = &all.items[i];
        rf_version_age age;
        int current = 0;
        for (size_t k = 0; k < in_force.count; k++) current |= in_force.items[k].id == v->id;
        rf_buf_printf(b, "<tr><td>%lld</td><td>", v->id);
        rf_page_text(b, v->feed);
        rf_buf_puts(b, "</td><td>");
        rf_page_text(b, v->published);
        rf_buf_puts(b, "</td><td>");
        rf_page_text(b, v->imported_at);
        rf_buf_printf(b, "</td><td>%lld</td><td>", v->entities);
        if (rf_version_age_on(&age, v, date, NULL) == 0) rf_buf_printf(b, "%ld", age.days);
        rf_buf_printf(b, "</td><td>%s</td><td>", current ? "yes" : "");
        /* The version before it of the same feed, to see what this one changed. */
        for (size_t k = i; k-- > 0;)
            if (strcmp(all.items[k].feed, v->feed) == 0) {
                rf_buf_printf(b, "<a href=\"/lists/diff?old=%lld&amp;new=%lld\">from %lld</a>",
                              all.items[k].id, v->id, all.items[k].id);
                break;
            }
        rf_buf_puts(b, "</td></tr>");
    }
    rf_buf_puts(b, "</tbody></table><form method=\"get\" action=\"/lists/diff\" class=\"filters\">"
                   "<label>Old version <input name=\"old\" size=\"5\" inputmode=\"numeric\""
                   " required></label><label>New version <input name=\"new\" size=\"5\""
                   " inputmode=\"numeric\" required></label><button>What changed</button>"
                   "</form>");
    rf_page_end(p);
    rf_version_list_free(&in_force);
    rf_version_list_free(&all);
}
