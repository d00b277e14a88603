/* history.c: the workbench's pages of what happened: the difference between two list
 * versions (what `redflag lists diff` prints: entities added, removed and changed, with what
 * changed as the audit trail words it, rf_entity_changes), and the audit trail itself: every
 * list import, screening run and review decision with its user and time, newest first. */
#include "serve_internal.h"

#include <stdlib.h>
#include <string.h>

/* The diff page shows at most this many entities; the command line has them all. */
#define DIFF_ROWS_MAX 2000
/* The audit trail page shows the latest this many actions; the CSV export has every one. */
#define TRAIL_ROWS_MAX 500

/* ---- the difference between two list versions ------------------------------------------- */

typedef struct diff_page {
    rf_buf *b;
    rf_buf what; /* rf_entity_changes' words for one changed entity */
    long shown;
} diff_page;

static int diff_row(const rf_change *ch, void *ctx)
{
    diff_page *d = ctx;
    const rf_entity *e = ch->after ? ch->after : ch->before;

    if (d->shown++ >= DIFF_ROWS_MAX) return 0;
    rf_buf_printf(d->b, "<tr><td class=\"change-%s\">%s</td><td>", rf_change_kind_name(ch->kind),
                  rf_change_kind_name(ch->kind));
    rf_page_text(d->b, e->list_code);
    rf_buf_puts(d->b, "</td><td>");
    rf_page_text(d->b, e->source_id);
    rf_buf_puts(d->b, "</td><td>");
    rf_html_name(d->b, e->n_names ? e->names[0].text : NULL, NULL, 0);
    rf_buf_puts(d->b, "</td><td>");
    if (ch->kind == RF_CHANGE_CHANGED && rf_entity_changes(&d->what, ch->before, ch->after) == 0)
        rf_page_text(d->b, d->what.data);
    else rf_page_text(d->b, e->federal_register);
    rf_buf_puts(d->b, "</td></tr>");
    return 0;
}

static void version_line(rf_buf *b, const char *what, const rf_version *v)
{
    rf_buf_printf(b, "<li>%s: version %lld, ", what, v->id);
    rf_page_text(b, v->feed);
    rf_buf_puts(b, ", published ");
    rf_page_text(b, v->published ? v->published : "(not stated)");
    rf_buf_puts(b, ", imported ");
    rf_page_text(b, v->imported_at);
    rf_buf_printf(b, ", %lld entities</li>", v->entities);
}

/* A version id argument; 0 when missing or not a number. */
static long long version_arg(rf_page *p, const char *name)
{
    const char *s = rf_request_arg(p->req, name);
    char *end;
    long long id;
    if (!s || !*s) return 0;
    id = strtoll(s, &end, 10);
    return *end || id <= 0 ? 0 : id;
}

void rf_page_lists_diff(rf_page *p)
{
    long long old_id = version_arg(p, "old"), new_id = version_arg(p, "new");
    rf_version_list old = {0}, new = {0};
    rf_diff_counts n;
    diff_page d = {&p->res->body, {0}, 0};
    rf_error err;
    int rc;

    rf_error_clear(&err);
    if (!old_id || !new_id) {
        rf_page_error(p, 422, "Which versions?",
                      "Give two version ids, old and new, as the Lists page links them.");
        return;
    }
    if (rf_store_version_get(&old, p->req->st, old_id, &err) < 0 ||
        rf_store_version_get(&new, p->req->st, new_id, &err) < 0 || !old.count || !new.count) {
        rf_page_error(p, 404, "Not found", "There is no such list version.");
        goto done;
    }
    rf_page_begin(p, "What changed between two versions");
    rf_buf_puts(d.b, "<ul>");
    version_line(d.b, "old", &old.items[0]);
    version_line(d.b, "new", &new.items[0]);
    rf_buf_puts(d.b, "</ul><table><thead><tr><th>Change</th><th>List</th><th>Id</th>"
                     "<th>Name</th><th>What changed (Federal Register notice)</th></tr></thead>"
                     "<tbody>");
    rc = rf_store_diff(&n, p->req->st, old_id, new_id, NULL, diff_row, &d, &err);
    rf_buf_free(&d.what);
    if (rc < 0) {
        rf_page_error(p, 500, "Server error", err.message);
        goto done;
    }
    rf_buf_puts(d.b, "</tbody></table>");
    rf_buf_printf(d.b, "<p class=\"totals\">%ld added, %ld removed, %ld changed, %ld unchanged.",
                  n.added, n.removed, n.changed, n.unchanged);
    if (d.shown > DIFF_ROWS_MAX)
        rf_buf_printf(d.b, " The first %d are shown: <code>redflag lists diff %lld %lld</code>"
                           " prints them all.",
                      DIFF_ROWS_MAX, old_id, new_id);
    rf_buf_puts(d.b, "</p>");
    rf_page_end(p);
done:
    rf_version_list_free(&old);
    rf_version_list_free(&new);
}

/* ---- the audit trail ----------------------------------------------------------------------- */

/* One action of the trail; the strings belong to the lists they come from. */
typedef struct trail_action {
    const char *when, *who, *what;
    long long id;
    const rf_decision *decision; /* for a decision */
    const rf_run_record *run;    /* for a run */
    const rf_version *version;   /* for a list import */
} trail_action;

static int newest_first(const void *x, const void *y)
{
    const trail_action *a = x, *b = y;
    int c = strcmp(b->when ? b->when : "", a->when ? a->when : "");
    return c ? c : (b->id > a->id) - (b->id < a->id);
}

static void trail_row(rf_buf *b, const trail_action *t)
{
    rf_buf_puts(b, "<tr><td>");
    rf_page_text(b, t->when);
    rf_buf_puts(b, "</td><td>");
    rf_page_text(b, t->who);
    rf_buf_printf(b, "</td><td>%s %lld</td><td>", t->what, t->id);
    if (t->decision) {
        const rf_decision *d = t->decision;
        rf_buf_printf(b, "%s: ", rf_decision_kind_name(d->kind));
        rf_html_name(b, d->party_name ? d->party_name : d->fingerprint, NULL, 0);
        rf_buf_puts(b, " on ");
        /* The entry as the command line names it: "EL 30947". */
        {
            rf_buf entry = {0};
            rf_buf_printf(&entry, "%s %s", d->list_code, d->source_id);
            rf_page_text(b, entry.data);
            rf_buf_free(&entry);
        }
        rf_buf_puts(b, ", because: ");
        rf_page_text(b, d->reason);
    } else if (t->run) {
        rf_page_text(b, t->run->command);
        rf_buf_printf(b, ", %lld parties, %lld alarms, ", t->run->totals.parties,
                      t->run->totals.new_alarms + t->run->totals.known_alarms);
        rf_page_text(b, t->run->status);
    } else {
        rf_page_text(b, t->version->feed);
        rf_buf_puts(b, " published ");
        rf_page_text(b, t->version->published ? t->version->published : "(not stated)");
        rf_buf_printf(b, ", %lld entities", t->version->entities);
    }
    rf_buf_puts(b, "</td></tr>");
}

void rf_page_audit_trail(rf_page *p)
{
    rf_buf *b = &p->res->body;
    rf_decision_list decisions = {0};
    rf_run_list runs = {0};
    rf_version_list versions = {0};
    trail_action *all = NULL;
    size_t n = 0;
    rf_error err;

    rf_error_clear(&err);
    if (rf_store_decisions_all(&decisions, p->req->st, NULL, NULL, NULL, &err) != 0 ||
        rf_store_runs(&runs, p->req->st, 0, NULL, NULL, &err) != 0 ||
        rf_store_versions_all(&versions, p->req->st, &err) != 0 ||
        !(all = calloc(decisions.count + runs.count + versions.count + 1, sizeof *all))) {
        rf_buf_puts(b, "<p class=\"error\">The audit trail cannot be read: ");
        rf_page_text(b, err.message[0] ? err.message : "out of memory");
        rf_buf_puts(b, "</p>");
        goto done;
    }
    for (size_t i = 0; i < decisions.count; i++) {
        const rf_decision *d = &decisions.items[i];
        all[n++] = (trail_action){d->decided_at, d->reviewer, "decision", d->id, d, NULL, NULL};
    }
    for (size_t i = 0; i < runs.count; i++) {
        const rf_run_record *r = &runs.items[i];
        all[n++] = (trail_action){r->started_at, r->user, "run", r->id, NULL, r, NULL};
    }
    /* An import records no user: the versions say when and what, the runs who screened. */
    for (size_t i = 0; i < versions.count; i++) {
        const rf_version *v = &versions.items[i];
        all[n++] = (trail_action){v->imported_at, "", "list import", v->id, NULL, NULL, v};
    }
    qsort(all, n, sizeof *all, newest_first);
    rf_buf_printf(b, "<h2>The audit trail, newest first</h2><p>Every list import, screening run"
                     " and review decision, with who and when (the latest %d of %zu).</p>"
                     "<table><thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th>"
                     "<th>What</th></tr></thead><tbody>",
                  TRAIL_ROWS_MAX, n);
    for (size_t i = 0; i < n && i < TRAIL_ROWS_MAX; i++) trail_row(b, &all[i]);
    rf_buf_puts(b, "</tbody></table>");
done:
    free(all);
    rf_decision_list_free(&decisions);
    rf_run_list_free(&runs);
    rf_version_list_free(&versions);
}
