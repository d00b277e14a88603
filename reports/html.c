/* html.c: the HTML report, one self-contained file for people: the run (number, user,
 * command, the lists' age) and the verdict, a worklist of the flagged counterparties, a
 * summary of what was screened against what (list versions with their sha256, so the run can
 * be reproduced), the documents that could not be read, the warnings about the input, one card
 * per flagged counterparty in each order (its roles together) with each hit explained, the
 * matching words marked and the `redflag review` command to record a decision, then the clear
 * parties. Its style (report.css) and the worklist's sorting and filtering (report.js) are
 * compiled in and inlined, allowed by their hashes: no external asset, it opens offline and
 * prints; without script the worklist is a plain table.
 *
 * The summary comes first but is known last, so each card is rendered into memory as its
 * first party arrives (nothing of the result or the snapshot is kept) and the page is written
 * at close. */
#include "reports/report_internal.h"

#include <stdlib.h>
#include <string.h>

/* report.css and report.js, NUL-terminated (rf_embed in CMakeLists.txt). */
extern const unsigned char rf_report_css[];
extern const unsigned char rf_report_js[];

/* A hit this close to a listed name is shown red ("likely match"); weaker hits amber. */
#define RED_SCORE 0.95

typedef struct doc_stat {
    char *name;
    long parties, flagged;
    int failed; /* could not be read to its end */
} doc_stat;

typedef struct date_stat {
    char *as_of, *versions; /* "2018-05-20", "2 3" */
    long parties;
} date_stat;

typedef struct list_stat {
    char *code, *name;
    long hits, parties;
} list_stat;

/* One flagged counterparty of one order: the parties that name it (buyer and ship-to the same
 * company: one card, its roles listed) and its worklist row. */
typedef struct card {
    size_t group;      /* its order among rf_html_docs' groups */
    char *key;         /* what makes two parties one counterparty (card_key) */
    rf_buf roles;      /* "buyer, ship_to" */
    rf_buf lines;      /* the file lines of its parties, "3" or "58, 90" */
    long last_line;
    char *document, *order, *name, *best, *list, *status, *fingerprint;
    const char *cls, *badge; /* static strings */
    char score[8];
    double best_score;
    rf_buf body;       /* the card below its heading: the party, its hits */
} card;

struct html_state {
    rf_html_docs *by_document; /* the flagged parties' orders, with their parties and lines */
    card *cards;
    size_t n_cards, cards_cap;
    /* Long texts of listed entities (license requirement, policy, programs) and the entities
     * already shown in full: later hits point to the first rather than repeat it. */
    char **texts, **entities;
    size_t n_texts, texts_cap, n_entities, entities_cap;
    long n_embargo;   /* parties in an embargoed destination */
    rf_buf clear;     /* rendered <tr>s */
    rf_buf failures;  /* rendered <tr>s */
    rf_buf warnings;  /* rendered <tr>s */
    long parties, n_flagged, n_red, n_clear, n_failures, n_warnings;
    /* Flagged parties by their most urgent hit: new alarms (n_red of them likely), known
     * alarms (confirmed, escalated), cleared earlier, and (rescreen) no longer matched. */
    long n_new, n_confirmed, n_escalated, n_cleared, n_gone;
    doc_stat *docs;
    size_t n_docs, docs_cap;
    list_stat *lists;
    size_t n_lists, lists_cap;
    /* Clear parties that matched a party a feed delisted (rendered <article>s), and the dates
     * and version sets parties were screened as of (screen --as-of document). */
    rf_buf delisted;
    long n_delisted;
    date_stat *dates;
    size_t n_dates, dates_cap;
    /* Parties screened against lists older than max_list_age, and the oldest version any
     * party used with its age (copied: per-document versions may be unloaded before close). */
    long n_stale;
    long oldest_days;
    long long oldest_id;
    int oldest_from_import;
    char oldest_feed[64], oldest_date[11], oldest_on[11];
};

static void marked(rf_hb *h, const char *s, const rf_span *spans, size_t n)
{
    if (!h->rc) h->rc = rf_html_name(h->b, s, spans, n);
}

static int empty(const char *s)
{
    return !s || !s[0];
}

/* A row of a fact table, left out when the list does not say. */
static void fact(rf_hb *h, const char *label, const char *value)
{
    if (empty(value)) return;
    rf_hb__elem(h, "<tr><th>", label, "</th><td>");
    rf_hb__name(h, value); /* names and addresses: isolated */
    rf_hb__raw(h, "</td></tr>\n");
}

/* ---- counting ------------------------------------------------------------------------- */

static doc_stat *doc_for(html_state *s, const char *name)
{
    const char *n = name ? name : "";
    /* Parties arrive document by document: the last one is almost always it. */
    for (size_t i = s->n_docs; i-- > 0;)
        if (strcmp(s->docs[i].name, n) == 0) return &s->docs[i];
    if (s->n_docs == s->docs_cap) {
        size_t cap = s->docs_cap ? s->docs_cap * 2 : 8;
        doc_stat *grown = realloc(s->docs, cap * sizeof *grown);
        if (!grown) return NULL;
        s->docs = grown;
        s->docs_cap = cap;
    }
    s->docs[s->n_docs] = (doc_stat){rf_strdup(n), 0, 0, 0};
    if (!s->docs[s->n_docs].name) return NULL;
    return &s->docs[s->n_docs++];
}

static list_stat *list_for(html_state *s, const rf_entity *e)
{
    const char *code = e->list_code ? e->list_code : "?";
    for (size_t i = 0; i < s->n_lists; i++)
        if (strcmp(s->lists[i].code, code) == 0) return &s->lists[i];
    if (s->n_lists == s->lists_cap) {
        size_t cap = s->lists_cap ? s->lists_cap * 2 : 8;
        list_stat *grown = realloc(s->lists, cap * sizeof *grown);
        if (!grown) return NULL;
        s->lists = grown;
        s->lists_cap = cap;
    }
    s->lists[s->n_lists] = (list_stat){rf_strdup(code), rf_strdup(e->list_name), 0, 0};
    if (!s->lists[s->n_lists].code || (e->list_name && !s->lists[s->n_lists].name)) {
        free(s->lists[s->n_lists].code);
        free(s->lists[s->n_lists].name);
        return NULL;
    }
    return &s->lists[s->n_lists++];
}

/* Hits per list; a party with several hits on one list counts once in `parties`. */
static int count_hits(html_state *s, const rf_hit *const *hits, size_t n_hits)
{
    for (size_t i = 0; i < n_hits; i++) {
        list_stat *l = list_for(s, hits[i]->entity);
        int seen = 0;
        if (!l) return RF_ENOMEM;
        l->hits++;
        for (size_t k = 0; k < i && !seen; k++) {
            const char *a = hits[k]->entity->list_code, *b = hits[i]->entity->list_code;
            seen = strcmp(a ? a : "?", b ? b : "?") == 0;
        }
        if (!seen) l->parties++;
    }
    return RF_OK;
}

/* ---- screening as of a date ---------------------------------------------------------- */

/* Counts the party under the date and versions it was screened against. */
static int count_date(html_state *s, const rf_report *rep)
{
    rf_buf ids = {0};
    const char *as_of = rf_report__party_as_of(rep);
    date_stat *d = NULL;
    int rc;

    if (!rep->screening || !as_of) return RF_OK;
    if ((rc = rf_report__party_versions(&ids, rep, " ")) || (rc = rf_buf_append(&ids, "", 0)))
        goto cleanup;
    for (size_t i = s->n_dates; i-- > 0 && !d;)
        if (strcmp(s->dates[i].as_of, as_of) == 0 && strcmp(s->dates[i].versions, ids.data) == 0)
            d = &s->dates[i];
    if (!d) {
        if (s->n_dates == s->dates_cap) {
            size_t cap = s->dates_cap ? s->dates_cap * 2 : 8;
            date_stat *grown = realloc(s->dates, cap * sizeof *grown);
            if (!grown) {
                rc = RF_ENOMEM;
                goto cleanup;
            }
            s->dates = grown;
            s->dates_cap = cap;
        }
        d = &s->dates[s->n_dates];
        *d = (date_stat){rf_strdup(as_of), rf_buf_detach(&ids), 0};
        if (!d->as_of || !d->versions) {
            free(d->as_of), free(d->versions);
            rc = RF_ENOMEM;
            goto cleanup;
        }
        s->n_dates++;
    }
    d->parties++;

cleanup:
    rf_buf_free(&ids);
    return rc;
}

/* " · screened as of 2018-05-20 against versions 2 3" when the party has its own date. */
static void screened_as_of(rf_hb *h, const rf_report *rep)
{
    rf_buf ids = {0};
    if (!rep->screening || !rep->screening->as_of) return;
    rf_hb__elem(h, " &middot; screened as of ", rep->screening->as_of, "");
    if (!h->rc) h->rc = rf_report__party_versions(&ids, rep, ", ");
    if (ids.len) rf_hb__elem(h, " against versions ", ids.data, "");
    rf_buf_free(&ids);
}

/* A clear party that matched parties delisted since the previous version of a feed. */
static void render_delisted(rf_hb *h, const rf_report *rep, const rf_party *party, const char *ref)
{
    const rf_screening *scr = rep->screening;
    rf_buf note = {0};

    rf_hb__raw(h, "<article class=\"party delisted\">\n<p class=\"meta\">"
                 "<span class=\"badge known\">Clear, delisted earlier</span> ");
    rf_hb__text(h, party->document);
    rf_hb__raw(h, ":");
    rf_hb__num(h, party->line);
    if (!empty(party->role)) rf_hb__elem(h, " &middot; ", party->role, "");
    rf_hb__elem(h, " &middot; ref ", ref, "");
    screened_as_of(h, rep);
    rf_hb__raw(h, "</p>\n<h3>");
    rf_hb__name(h, party->name);
    rf_hb__raw(h, "</h3>\n");
    for (size_t i = 0; i < scr->n_delisted && !h->rc; i++) {
        const rf_delisting *d = &scr->delisted[i];
        const rf_entity *e = d->hit->entity;
        char score[8];
        rf_report__score(score, d->hit->score);
        rf_buf_reset(&note);
        h->rc = rf_delisting_text(&note, d);
        rf_hb__elem(h, "<section class=\"hit\">\n<h4><span class=\"list\">",
                   e->list_code ? e->list_code : "?", "</span> ");
        rf_hb__text(h, e->list_name);
        rf_hb__elem(h, "</h4>\n<p class=\"review cleared\"><b>", note.data, "</b></p>\n");
        rf_hb__raw(h, "<table class=\"facts\">\n");
        fact(h, "Was listed as", e->names[0].text);
        if (d->hit->name_index < e->n_names && d->hit->name_index > 0)
            fact(h, "Matched name", e->names[d->hit->name_index].text);
        fact(h, "Score", score);
        fact(h, "List entry", e->source_id);
        fact(h, "Federal Register", e->federal_register);
        fact(h, "Listed since", e->start_date);
        fact(h, "Listed until (per the list)", e->end_date);
        fact(h, "Last listed in", d->listed_in->source_file);
        fact(h, "Removed in", d->removed_in->source_file);
        rf_hb__raw(h, "</table>\n");
        if (!empty(d->hit->explanation))
            rf_hb__elem(h, "<p class=\"why\">", d->hit->explanation, "</p>\n");
        rf_hb__raw(h, "</section>\n");
    }
    rf_hb__raw(h, "</article>\n");
    rf_buf_free(&note);
}

/* Counts the party if the lists it was screened against are stale, keeping the oldest. */
static int count_list_age(html_state *s, const rf_report *rep)
{
    rf_version_age age;
    char on[11];
    int stale, rc = rf_report__party_list_age(&age, &stale, on, rep, NULL);

    if (rc || !stale) return rc;
    s->n_stale++;
    if (s->n_stale > 1 && age.days <= s->oldest_days) return RF_OK;
    s->oldest_days = age.days;
    s->oldest_id = age.version->id;
    s->oldest_from_import = age.from_import;
    snprintf(s->oldest_feed, sizeof s->oldest_feed, "%s", age.version->feed);
    snprintf(s->oldest_date, sizeof s->oldest_date, "%.10s", age.date);
    snprintf(s->oldest_on, sizeof s->oldest_on, "%s", on);
    return RF_OK;
}

/* ---- a flagged party ------------------------------------------------------------------ */

/* "by alice on 2024-03-20T10:00:00Z: reason" */
static void decided(rf_hb *h, const rf_decision *d)
{
    rf_hb__elem(h, " by <b>", d->reviewer, "</b>");
    rf_hb__elem(h, " on ", d->decided_at, "");
    rf_hb__elem(h, ": ", d->reason, "");
}

/* The length of the label of a change that starts at `s` ("address added" of "address added:
 * ..."), 0 when `s` does not start with one. */
static size_t change_label(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz_ ");
    return n && s[n] == ':' && s[n + 1] == ' ' ? n : 0;
}

/* What changed in the listed record since it was cleared, one change a line: the text is the
 * changes joined by "; ", each "label: what". */
static void render_changes(rf_hb *h, const char *changes)
{
    const char *at = changes;

    rf_hb__raw(h, "<ul class=\"changes\">\n");
    while (*at && !h->rc) {
        const char *end = at, *next;
        size_t label = change_label(at);
        /* the next "; label: " ends this change; a "; " inside a value does not */
        while ((next = strstr(end, "; ")) && !change_label(next + 2)) end = next + 2;
        if (!next) next = at + strlen(at);
        rf_hb__raw(h, "<li>");
        if (label) {
            rf_hb__raw(h, "<b>");
            if (!h->rc) h->rc = rf_html_text(h->b, at, label);
            rf_hb__raw(h, "</b>");
        }
        if (!h->rc) h->rc = rf_html_text(h->b, at + label, (size_t)(next - at) - label);
        rf_hb__raw(h, "</li>\n");
        at = *next ? next + 2 : next;
    }
    rf_hb__raw(h, "</ul>\n");
}

/* The hit's review state in one line: what was decided, by whom, when and why, and for a
 * cleared hit whose listed record changed since, what changed. */
static void render_review(rf_hb *h, const rf_hit_note *note, rf_hit_state state)
{
    const rf_decision *d = note ? note->decision : NULL;
    rf_hb__raw(h, "<p class=\"review ");
    rf_hb__raw(h, rf_hit_state_name(state));
    rf_hb__raw(h, "\">");
    if (note && note->rescreen && (state == RF_HIT_NEW || state == RF_HIT_CHANGED ||
                                   state == RF_HIT_CLEARED || state == RF_HIT_CONFIRMED ||
                                   state == RF_HIT_ESCALATED))
        rf_hb__elem(h, "<b>Since the last screening: ", note->rescreen, ".</b> ");
    switch (state) {
    case RF_HIT_NEW: rf_hb__raw(h, "<b>New</b>: never reviewed."); break;
    case RF_HIT_CLEARED:
        rf_hb__raw(h, "<b>Cleared earlier</b>");
        if (d) decided(h, d);
        rf_hb__raw(h, ". The listed record is the one cleared: no alarm.");
        break;
    case RF_HIT_CHANGED:
        rf_hb__raw(h, "<b>Cleared earlier, but the listed record changed since</b>");
        if (d) decided(h, d);
        rf_hb__raw(h, ". Review it again.");
        break;
    case RF_HIT_CONFIRMED:
        rf_hb__raw(h, "<b>Confirmed</b> as the listed party");
        if (d) decided(h, d);
        rf_hb__raw(h, ".");
        break;
    case RF_HIT_ESCALATED:
        rf_hb__raw(h, "<b>Escalated</b>");
        if (d) decided(h, d);
        rf_hb__raw(h, ". Awaiting a decision.");
        break;
    case RF_HIT_DELISTED: rf_hb__raw(h, "<b>Delisted</b>: no longer in the lists in force."); break;
    case RF_HIT_DROPPED: rf_hb__raw(h, "<b>No longer matched</b>: still listed."); break;
    }
    rf_hb__raw(h, "</p>\n");
    if (note && !empty(note->changes)) render_changes(h, note->changes);
}

/* Whether `key` is among the first *n of *items: 1 (its index in *index), else 0 after adding a
 * copy of it as item *index; RF_ENOMEM. */
static int remember(size_t *index, char ***items, size_t *n, size_t *cap, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*items)[i], key) == 0) return *index = i, 1;
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 16;
        char **grown = realloc(*items, grown_cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        *items = grown;
        *cap = grown_cap;
    }
    if (!((*items)[*n] = rf_strdup(key))) return RF_ENOMEM;
    *index = (*n)++;
    return 0;
}

/* A long text of a listed entity (license requirement, ...): in full the first time, with an
 * anchor; later its first words and a link to it, since a list repeats such texts across
 * entities (every Entity List entry of a company has the same license requirement). */
#define LONG_TEXT 90
static void long_fact(rf_hb *h, html_state *s, const char *label, const char *value)
{
    size_t k, cut = LONG_TEXT;
    int seen;

    if (empty(value)) return;
    if (strlen(value) <= LONG_TEXT) {
        fact(h, label, value);
        return;
    }
    seen = remember(&k, &s->texts, &s->n_texts, &s->texts_cap, value);
    if (seen < 0) {
        if (!h->rc) h->rc = seen;
        return;
    }
    rf_hb__raw(h, seen ? "<tr><th>" : "<tr id=\"t");
    if (!seen) {
        rf_hb__num(h, (long)k);
        rf_hb__raw(h, "\"><th>");
    }
    rf_hb__elem(h, "", label, "</th><td");
    if (!seen) {
        rf_hb__raw(h, ">");
        rf_hb__name(h, value);
        rf_hb__raw(h, "</td></tr>\n");
        return;
    }
    while (cut > 0 && ((unsigned char)value[cut] & 0xC0) == 0x80) cut--; /* whole characters */
    rf_hb__raw(h, " class=\"same\"><bdi>");
    if (!h->rc) h->rc = rf_html_text(h->b, value, cut);
    rf_hb__raw(h, "&hellip;</bdi> <a href=\"#t");
    rf_hb__num(h, (long)k);
    rf_hb__raw(h, "\">(in full above)</a></td></tr>\n");
}

/* `word` as one shell word: as it is when plain, else in single quotes. */
static int shell_word(rf_buf *out, const char *word)
{
    int rc;
    if (word[0] && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789._:/+-") == strlen(word))
        return rf_buf_puts(out, word);
    if ((rc = rf_buf_putc(out, '\'')) != RF_OK) return rc;
    for (const char *c = word; *c && rc == RF_OK; c++)
        rc = *c == '\'' ? rf_buf_puts(out, "'\\''") : rf_buf_putc(out, *c);
    return rc ? rc : rf_buf_putc(out, '\'');
}

/* The exact `redflag review` command that records a decision on this hit, to copy. */
static void review_command(rf_hb *h, const rf_report *rep, const rf_entity *e)
{
    rf_buf cmd = {0};
    int rc;

    if (h->rc || !rep->fingerprint || empty(e->source_id)) return;
    if ((rc = rf_buf_printf(&cmd, "redflag review clear --party %s --entity ", rep->fingerprint)) ||
        (rc = shell_word(&cmd, e->source_id)) ||
        (!empty(e->list_code) &&
         ((rc = rf_buf_puts(&cmd, " --list ")) || (rc = shell_word(&cmd, e->list_code)))) ||
        (rep->run_id && (rc = rf_buf_printf(&cmd, " --run %lld", rep->run_id))) ||
        (rc = rf_buf_puts(&cmd, " --reason '...'"))) {
        h->rc = rc;
    } else {
        rf_hb__raw(h,
                   "<p class=\"cmd\">To record a decision (<code>clear</code> when it is another "
                   "party, else <code>confirm</code> or <code>escalate</code>), with your "
                   "reason:<code class=\"line\">");
        rf_hb__text(h, cmd.data);
        rf_hb__raw(h, "</code></p>\n");
    }
    rf_buf_free(&cmd);
}

/* The listed entry's facts: in full the first time the report shows the entity, with an
 * anchor; after that a link to it. */
static void render_entity(rf_hb *h, html_state *s, const rf_entity *e)
{
    rf_buf key = {0}, line = {0};
    size_t k;
    int seen;

    if (h->rc) return;
    if ((h->rc = rf_buf_printf(&key, "%s|%s|%s", e->list_code ? e->list_code : "",
                               e->source_id ? e->source_id : "",
                               e->n_names ? e->names[0].text : "")))
        return;
    seen = remember(&k, &s->entities, &s->n_entities, &s->entities_cap, key.data);
    rf_buf_free(&key);
    if (seen < 0) {
        h->rc = seen;
        return;
    }
    if (seen) {
        rf_hb__raw(h, "<p class=\"meta same\">The listed entry ");
        rf_hb__elem(h, "<span class=\"mono\">", e->source_id, "</span> ");
        rf_hb__raw(h, "is shown in full <a href=\"#e");
        rf_hb__num(h, (long)k);
        rf_hb__raw(h, "\">with its first hit</a>.</p>\n");
        return;
    }
    rf_hb__raw(h, "<table class=\"facts\" id=\"e");
    rf_hb__num(h, (long)k);
    rf_hb__raw(h, "\">\n");
    fact(h, "Entity type", rf_entity_type_name(e->type));
    fact(h, "List entry", e->source_id);
    fact(h, "Federal Register", e->federal_register);
    fact(h, "Listed since", e->start_date);
    fact(h, "Listed until", e->end_date);
    long_fact(h, s, "License requirement", e->license_requirement);
    long_fact(h, s, "License policy", e->license_policy);
    long_fact(h, s, "Programs", e->programs);
    if (e->n_addresses) {
        rf_hb__raw(h, "<tr><th>Addresses</th><td><ul>");
        for (size_t i = 0; i < e->n_addresses && !h->rc; i++) {
            rf_buf_reset(&line);
            h->rc = rf_report__address(&line, &e->addresses[i]);
            if (line.len) rf_hb__elem(h, "<li>", line.data, "</li>");
        }
        rf_hb__raw(h, "</ul></td></tr>\n");
    }
    fact(h, "Title", e->title);
    fact(h, "Nationalities", e->nationalities);
    fact(h, "Dates of birth", e->dates_of_birth);
    fact(h, "Identity documents", e->ids);
    fact(h, "Ownership chain", e->ownership_chain);
    long_fact(h, s, "Remarks", e->remarks);
    /* Only web links: a list file could carry a javascript: URL. */
    if (e->source_url && (strncmp(e->source_url, "https://", 8) == 0 ||
                          strncmp(e->source_url, "http://", 7) == 0)) {
        rf_hb__elem(h, "<tr><th>Source</th><td><a href=\"", e->source_url, "\">");
        rf_hb__elem(h, "", e->source_url, "</a></td></tr>\n");
    }
    rf_hb__raw(h, "</table>\n");
    rf_buf_free(&line);
}

static void render_hit(rf_hb *h, html_state *s, const rf_report *rep, const rf_party *party,
                       const rf_hit *hit, const rf_hit_note *note, rf_hit_state state)
{
    const rf_entity *e = hit->entity;
    const rf_name *matched = hit->name_index < e->n_names ? &e->names[hit->name_index] : NULL;
    const char *primary = e->n_names ? e->names[0].text : NULL;
    char score[8];

    rf_report__score(score, hit->score);
    rf_hb__raw(h, "<section class=\"hit\">\n<h4><span class=\"score ");
    rf_hb__raw(h, hit->score >= RED_SCORE ? "red" : "amber");
    rf_hb__elem(h, "\">", score, "</span> ");
    rf_hb__elem(h, "<span class=\"list\">", e->list_code ? e->list_code : "?", "</span> ");
    rf_hb__text(h, e->list_name);
    rf_hb__raw(h, "</h4>\n");
    render_review(h, note, state);
    rf_hb__raw(h, "<table class=\"compare\">\n<tr><th>Order says</th><td>");
    marked(h, party->name, hit->party_spans, hit->n_party_spans);
    rf_hb__raw(h, "</td></tr>\n<tr><th>List says</th><td>");
    if (matched) {
        marked(h, matched->text, hit->listed_spans, hit->n_listed_spans);
        if (matched->kind != RF_NAME_PRIMARY)
            rf_hb__elem(h, " <span class=\"kind\">", rf_name_kind_name(matched->kind), "</span>");
    }
    rf_hb__raw(h, "</td></tr>\n");
    if (primary && (!matched || strcmp(matched->text, primary) != 0))
        fact(h, "Listed as", primary);
    fact(h, "Affiliate of", e->parent_name);
    rf_hb__raw(h, "</table>\n");
    render_entity(h, s, e);
    if (!empty(hit->explanation)) rf_hb__elem(h, "<p class=\"why\">", hit->explanation, "</p>\n");
    review_command(h, rep, e);
    rf_hb__raw(h, "</section>\n");
}

/* One part of a line of facts, after `sep` unless it is the first; empty values are left out. */
static void meta_part(rf_hb *h, int *parts, const char *sep, const char *open, const char *value,
                      const char *close)
{
    if (empty(value)) return;
    if ((*parts)++) rf_hb__raw(h, sep);
    rf_hb__elem(h, open, value, close);
}

/* The badge of a flagged party: its most urgent hit state, or for a new alarm how close
 * the best match is. */
static const char *party_badge(rf_hit_state state, int red)
{
    switch (state) {
    case RF_HIT_CONFIRMED: return "Confirmed match";
    case RF_HIT_CHANGED: return "Listing changed";
    case RF_HIT_ESCALATED: return "Escalated";
    case RF_HIT_CLEARED: return "Cleared earlier";
    case RF_HIT_DELISTED: return "Delisted";
    case RF_HIT_DROPPED: return "No longer matched";
    case RF_HIT_NEW: break;
    }
    return red ? "Likely match" : "Possible match";
}

/* The card below its heading: the counterparty's name and address, its destination finding,
 * each hit. */
static void render_card_body(rf_hb *h, html_state *s, const rf_report *rep,
                             const rf_party *party, const rf_hit *const *hits, size_t n_hits,
                             const rf_destination *dest)
{
    rf_hb__raw(h, "<h3>");
    if (party->name) marked(h, party->name, n_hits ? hits[0]->party_spans : NULL,
                            n_hits ? hits[0]->n_party_spans : 0);
    else rf_hb__raw(h, "(no name on the document)");
    rf_hb__raw(h, "</h3>\n");
    if (!empty(party->address) || !empty(party->city) || !empty(party->country) ||
        !empty(party->item) || !empty(party->date) || !empty(party->order_line) ||
        (rep->screening && rep->screening->as_of)) {
        int parts = 0;
        rf_hb__raw(h, "<p class=\"meta\">");
        meta_part(h, &parts, ", ", "", party->address, "");
        meta_part(h, &parts, ", ", "", party->city, "");
        meta_part(h, &parts, ", ", "", party->region, "");
        meta_part(h, &parts, " &middot; ", "order line ", party->order_line, "");
        meta_part(h, &parts, ", ", "<b>", party->country, "</b>");
        meta_part(h, &parts, " &middot; ", "dated ", party->date, "");
        meta_part(h, &parts, " &middot; ", "item ", party->item, "");
        screened_as_of(h, rep);
        rf_hb__raw(h, "</p>\n");
    }
    if (n_hits > 1) {
        rf_hb__raw(h, "<p class=\"meta\">");
        rf_hb__num(h, (long)n_hits);
        rf_hb__raw(h, " listed entries match, best first.</p>\n");
    }
    if (dest && !h->rc) h->rc = rf_html__embargo(h->b, dest);
    for (size_t i = 0; i < n_hits; i++)
        render_hit(h, s, rep, party, hits[i], rep->notes ? &rep->notes[i] : NULL,
                   rf_report__hit_state(rep, i));
}

/* What makes two parties of one order one counterparty: the fingerprint (name, country,
 * address as screened) or, without one, the name, country and address, and the same hits. */
static int card_key(rf_buf *out, const rf_report *rep, const rf_party *party,
                    const rf_hit *const *hits, size_t n_hits, int embargo)
{
    int rc = rep->fingerprint
                 ? rf_buf_printf(out, "%s", rep->fingerprint)
                 : rf_buf_printf(out, "%s|%s|%s|%s", party->name ? party->name : "",
                                 party->country ? party->country : "",
                                 party->address ? party->address : "",
                                 party->city ? party->city : "");
    for (size_t i = 0; i < n_hits && rc == RF_OK; i++)
        rc = rf_buf_printf(out, "|%s:%s:%s", hits[i]->entity->list_code ? hits[i]->entity->list_code
                                                                        : "",
                           hits[i]->entity->source_id ? hits[i]->entity->source_id : "",
                           rf_hit_state_name(rf_report__hit_state(rep, i)));
    return rc ? rc : rf_buf_printf(out, "|%d", embargo);
}

static void card_free(card *c)
{
    free(c->key), free(c->document), free(c->order), free(c->name), free(c->best);
    free(c->list), free(c->status), free(c->fingerprint);
    rf_buf_free(&c->roles);
    rf_buf_free(&c->lines);
    rf_buf_free(&c->body);
}

/* Adds the party to the card of its counterparty in its order, or starts that card. */
static int add_card(html_state *s, const rf_report *rep, const rf_party *party, size_t group,
                    const char *ref, const rf_hit *const *hits, size_t n_hits,
                    const rf_destination *dest, double best)
{
    rf_hit_state state = rf_report__party_state(rep, n_hits);
    rf_buf key = {0};
    card *c = NULL;
    rf_hb h = {NULL, RF_OK};
    int rc;

    if ((rc = card_key(&key, rep, party, hits, n_hits, dest != NULL))) goto cleanup;
    for (size_t i = s->n_cards; i-- > 0 && s->cards[i].group == group && !c;)
        if (strcmp(s->cards[i].key, key.data) == 0) c = &s->cards[i];
    if (!c) {
        const char *slash = party->document ? strrchr(party->document, '/') : NULL;
        const rf_entity *e = n_hits ? hits[0]->entity : NULL;
        if (s->n_cards == s->cards_cap) {
            size_t cap = s->cards_cap ? s->cards_cap * 2 : 16;
            card *grown = realloc(s->cards, cap * sizeof *grown);
            if (!grown) {
                rc = RF_ENOMEM;
                goto cleanup;
            }
            s->cards = grown;
            s->cards_cap = cap;
        }
        c = &s->cards[s->n_cards++];
        memset(c, 0, sizeof *c);
        c->group = group;
        c->key = rf_buf_detach(&key);
        c->document = rf_strdup(slash ? slash + 1 : party->document ? party->document : "");
        c->order = rf_strdup(ref);
        c->name = rf_strdup(party->name ? party->name : "(no name)");
        c->best = rf_strdup(e ? e->n_names ? e->names[0].text : "" : dest->name);
        c->list = rf_strdup(e ? e->list_code ? e->list_code : "?" : dest->code);
        c->status = rf_strdup(n_hits ? rf_report__party_status(rep, n_hits) : "embargo");
        c->fingerprint = rf_strdup(rep->fingerprint);
        c->best_score = n_hits ? best : 1.0;
        rf_report__score(c->score, c->best_score);
        c->cls = dest                                  ? "red"
                 : !rf_hit_state_alarms(state)         ? "known"
                 : state == RF_HIT_CONFIRMED ||
                         (best >= RED_SCORE && rf_report__party_alarms(rep, hits, n_hits))
                     ? "red"
                     : "amber";
        c->badge = dest && !n_hits ? "Embargoed destination" : party_badge(state, best >= RED_SCORE);
        if (!c->key || !c->document || !c->order || !c->name || !c->best || !c->list ||
            !c->status || (rep->fingerprint && !c->fingerprint)) {
            rc = RF_ENOMEM;
            goto cleanup;
        }
        h.b = &c->body;
        render_card_body(&h, s, rep, party, hits, n_hits, dest);
        if ((rc = h.rc)) goto cleanup;
    }
    if ((c->roles.len && (rc = rf_buf_puts(&c->roles, ", "))) ||
        (rc = rf_buf_puts(&c->roles, empty(party->role) ? "party" : party->role)))
        goto cleanup;
    if (!c->lines.len || party->line != c->last_line) /* a CSV row's parties share its line */
        rc = rf_buf_printf(&c->lines, c->lines.len ? ", %ld" : "%ld", party->line);
    c->last_line = party->line;

cleanup:
    rf_buf_free(&key);
    return rc;
}

static void render_clear(rf_hb *h, const rf_party *party, const char *ref)
{
    rf_hb__elem(h, "<tr><td>", party->document, "</td><td>");
    rf_hb__num(h, party->line);
    rf_hb__elem(h, "</td><td>", party->role, "</td><td>");
    rf_hb__elem(h, "", ref, "</td><td>");
    rf_hb__name(h, party->name);
    rf_hb__elem(h, "</td><td>", party->country, "</td></tr>\n");
}

int rf_report__html_open(rf_report *rep, rf_error *err)
{
    rep->html = calloc(1, sizeof *rep->html);
    if (!rep->html) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    return RF_OK;
}

int rf_report__html_add(rf_report *rep, const rf_party *party, const rf_hit *const *hits,
                       size_t n_hits, rf_error *err)
{
    html_state *s = rep->html;
    doc_stat *doc = doc_for(s, party->document);
    double best = 0;
    rf_buf ref = {0};
    const rf_destination *dest = rep->destination;
    int embargo = dest != NULL;
    size_t group;
    rf_hb h = {NULL, RF_OK};
    int rc;

    if (!doc) return rf_error_set(err, RF_ENOMEM, party->document, party->line, "out of memory");
    for (size_t i = 0; i < n_hits; i++)
        if (hits[i]->score > best) best = hits[i]->score;
    if ((rc = rf_report__party_ref(&ref, party)) ||
        (n_hits && (rc = count_hits(s, hits, n_hits))) || (rc = count_date(s, rep)) ||
        (rc = count_list_age(s, rep))) {
        rf_buf_free(&ref);
        return rf_error_set(err, rc, party->document, party->line, "%s", rf_strerror(rc));
    }
    s->parties++;
    doc->parties++;
    s->n_embargo += embargo;
    h.rc = rf_html__docs_add(&s->by_document, &group, party,
                            n_hits   ? rf_report__party_status(rep, n_hits)
                            : embargo ? "embargo"
                                      : "clear",
                            n_hits || embargo);
    if (!h.rc && (n_hits || embargo)) {
        h.rc = add_card(s, rep, party, group, ref.data, hits, n_hits, dest,
                        best);
        doc->flagged++;
    }
    if (h.rc) {
        rf_buf_free(&ref);
        return rf_error_set(err, h.rc, party->document, party->line,
                            "cannot hold the HTML report in memory: %s", rf_strerror(h.rc));
    }
    if (n_hits) {
        rf_hit_state state = rf_report__party_state(rep, n_hits);
        s->n_flagged++;
        s->n_new += state == RF_HIT_NEW || state == RF_HIT_CHANGED;
        s->n_red += (state == RF_HIT_NEW || state == RF_HIT_CHANGED) && best >= RED_SCORE &&
                    rf_report__party_alarms(rep, hits, n_hits);
        s->n_confirmed += state == RF_HIT_CONFIRMED;
        s->n_escalated += state == RF_HIT_ESCALATED;
        s->n_cleared += state == RF_HIT_CLEARED;
        s->n_gone += state == RF_HIT_DELISTED || state == RF_HIT_DROPPED;
    } else if (!embargo) {
        s->n_clear++;
        h = (rf_hb){&s->clear, RF_OK};
        render_clear(&h, party, ref.data);
        if (!h.rc && rep->screening && rep->screening->n_delisted) {
            s->n_delisted++;
            h = (rf_hb){&s->delisted, RF_OK};
            render_delisted(&h, rep, party, ref.data);
        }
    }
    rf_buf_free(&ref);
    if (h.rc)
        return rf_error_set(err, h.rc, party->document, party->line,
                            "cannot hold the HTML report in memory: %s", rf_strerror(h.rc));
    return RF_OK;
}

int rf_report__html_failure(rf_report *rep, const rf_error *failure, rf_error *err)
{
    html_state *s = rep->html;
    doc_stat *doc = doc_for(s, failure->file);
    rf_hb h = {&s->failures, RF_OK};

    if (!doc) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    doc->failed = 1;
    s->n_failures++;
    rf_hb__elem(&h, "<tr><td>", failure->file, "</td><td>");
    if (failure->line > 0) rf_hb__num(&h, failure->line);
    rf_hb__elem(&h, "</td><td>",
                failure->message[0] ? failure->message : rf_strerror(failure->code),
                "</td></tr>\n");
    if (h.rc) return rf_error_set(err, h.rc, NULL, 0, "out of memory");
    return RF_OK;
}

int rf_report__html_warning(rf_report *rep, const char *file, long line, const char *message,
                           rf_error *err)
{
    html_state *s = rep->html;
    rf_hb h = {&s->warnings, RF_OK};

    s->n_warnings++;
    rf_hb__elem(&h, "<tr><td class=\"mono\">", file, "</td><td>");
    if (line > 0) rf_hb__num(&h, line);
    rf_hb__elem(&h, "</td><td>", message, "</td></tr>\n");
    if (h.rc) return rf_error_set(err, h.rc, NULL, 0, "out of memory");
    return RF_OK;
}

/* ---- the page ------------------------------------------------------------------------- */

static int list_cmp(const void *a, const void *b)
{
    const list_stat *x = a, *y = b;
    if (x->hits != y->hits) return x->hits < y->hits ? 1 : -1;
    return strcmp(x->code, y->code);
}

static void tile(rf_hb *h, const char *cls, long n, const char *label)
{
    rf_hb__raw(h, "<div class=\"tile ");
    rf_hb__raw(h, cls);
    rf_hb__raw(h, "\"><b>");
    rf_hb__num(h, n);
    rf_hb__elem(h, "</b><span>", label, "</span></div>\n");
}

/* " N parties <what>" when N is not 0. */
static void known(rf_hb *h, long n, const char *what)
{
    if (!n) return;
    rf_hb__raw(h, " ");
    rf_hb__num(h, n);
    rf_hb__raw(h, n == 1 ? " party" : " parties");
    rf_hb__raw(h, what);
}

/* Lists too old to trust a clear result: which, how old, and what to do. */
static void render_stale(rf_hb *h, const rf_report *rep, const html_state *s)
{
    if (!s->n_stale) return;
    rf_hb__raw(h, " <b>The lists are out of date:</b> ");
    rf_hb__text(h, s->oldest_feed);
    rf_hb__raw(h, " version ");
    rf_hb__num(h, (long)s->oldest_id);
    rf_hb__raw(h, s->oldest_from_import ? ", imported " : ", published ");
    rf_hb__text(h, s->oldest_date);
    if (s->oldest_from_import) rf_hb__raw(h, " (the file gives no publication date)");
    rf_hb__raw(h, ", was ");
    rf_hb__num(h, s->oldest_days);
    rf_hb__raw(h, " days old on ");
    rf_hb__text(h, s->oldest_on);
    rf_hb__raw(h, ", more than ");
    rf_hb__num(h, rep->max_list_age);
    rf_hb__raw(h, " days");
    if (s->n_stale < s->parties) {
        rf_hb__raw(h, " (");
        rf_hb__num(h, s->n_stale);
        rf_hb__raw(h, " of the parties were screened against lists that old)");
    }
    rf_hb__raw(h, ". Parties listed since are not on them, so a clear result may be wrong: "
                 "update the lists with <code>redflag lists update</code> and screen again.");
}

static void render_verdict(rf_hb *h, const rf_report *rep, const html_state *s)
{
    const char *cls = s->n_failures || s->n_red || s->n_confirmed || s->n_embargo ? "red"
                      : s->n_new || s->n_escalated || s->n_stale || s->n_warnings ? "amber"
                                                                   : "green";
    rf_hb__raw(h, "<p class=\"verdict ");
    rf_hb__raw(h, cls);
    rf_hb__raw(h, "\">");
    if (s->n_failures) {
        rf_hb__raw(h, "Screening incomplete: ");
        rf_hb__num(h, s->n_failures);
        rf_hb__raw(h, s->n_failures == 1 ? " document could not be read. "
                                        : " documents could not be read. ");
    }
    if (rep->rescreened && s->parties) {
        rf_hb__num(h, rep->rescreened);
        rf_hb__raw(h, rep->rescreened == 1 ? " counterparty" : " counterparties");
        rf_hb__raw(h, " rescreened against the lists in force: ");
        rf_hb__num(h, s->parties);
        rf_hb__raw(h, s->parties == 1 ? " changed since its last screening and is below. "
                                     : " changed since their last screening and are below. ");
    }
    if (s->n_new) {
        rf_hb__num(h, s->n_new);
        rf_hb__raw(h, " of ");
        rf_hb__num(h, s->parties);
        rf_hb__raw(h, s->parties == 1 ? " party" : " parties");
        rf_hb__raw(h, rep->rescreened ? " have new or changed hits and must be reviewed before "
                                       "shipping"
                                     : " matched listed parties and must be reviewed before "
                                       "shipping");
        if (s->n_red) {
            rf_hb__raw(h, " (");
            rf_hb__num(h, s->n_red);
            rf_hb__raw(h, " likely)");
        }
        rf_hb__raw(h, ".");
    } else if (s->n_flagged) {
        rf_hb__raw(h, "No new alarm.");
    } else if (rep->rescreened) {
        rf_hb__raw(h, "No change: none of the ");
        rf_hb__num(h, rep->rescreened);
        rf_hb__raw(h, rep->rescreened == 1 ? " counterparty" : " counterparties");
        rf_hb__raw(h, " rescreened has a new, changed or removed hit since its last screening.");
    } else {
        rf_hb__raw(h, "No match: none of the ");
        rf_hb__num(h, s->parties);
        rf_hb__raw(h, s->parties == 1 ? " party" : " parties");
        rf_hb__raw(h, " screened matched a listed party.");
    }
    /* Known alarms and quiet hits apart from the new ones: a reviewer starts with the new. */
    known(h, s->n_embargo, " in an embargoed destination (Cuba, Iran, North Korea, Syria, "
                           "Crimea, Donetsk, Luhansk): hold the order.");
    known(h, s->n_confirmed, " confirmed as listed: blocked.");
    known(h, s->n_escalated, " escalated, awaiting a decision.");
    known(h, s->n_cleared, " cleared earlier, their listed records unchanged.");
    known(h, s->n_gone, " no longer matched (delisted, or the listing changed).");
    known(h, s->n_delisted, " clear, but listed until a recent list version: see Delisted "
                            "parties.");
    render_stale(h, rep, s);
    if (s->n_warnings) {
        /* a clear verdict that rests on columns left unread must say so where it is read */
        rf_hb__raw(h, " ");
        rf_hb__num(h, s->n_warnings);
        rf_hb__raw(h, s->n_warnings == 1 ? " warning about the input"
                                        : " warnings about the input");
        rf_hb__raw(h, " (names that were not screened): see Warnings.");
    }
    rf_hb__raw(h, "</p>\n");
}

static void render_summary(rf_hb *h, const rf_report *rep, html_state *s)
{
    char threshold[8];

    rf_report__score(threshold, rep->threshold);
    rf_hb__raw(h, "<div class=\"tiles\">\n");
    if (rep->rescreened) {
        tile(h, "", rep->rescreened, "counterparties rescreened");
        tile(h, "", s->parties, "changed since last screened");
    } else {
        tile(h, "", (long)s->n_docs, "documents");
        tile(h, "", s->parties, "parties screened");
    }
    tile(h, s->n_red ? "red" : "", s->n_red, "likely matches");
    tile(h, s->n_new > s->n_red ? "amber" : "", s->n_new - s->n_red, "possible matches");
    if (s->n_confirmed) tile(h, "red", s->n_confirmed, "confirmed (known)");
    if (s->n_escalated) tile(h, "amber", s->n_escalated, "escalated (known)");
    if (s->n_cleared) tile(h, "green", s->n_cleared, "cleared earlier");
    if (s->n_gone) tile(h, "green", s->n_gone, "no longer matched");
    tile(h, "green", s->n_clear, "clear");
    if (s->n_embargo) tile(h, "red", s->n_embargo, "embargoed destinations");
    if (s->n_failures) tile(h, "red", s->n_failures, "documents not read");
    rf_hb__raw(h, "</div>\n<table class=\"facts\">\n");
    fact(h, "Screened as of", rep->as_of    ? rep->as_of
                              : s->n_dates ? "each document's own date (see below)"
                                           : "the date of the run");
    fact(h, "Match threshold", threshold);
    fact(h, "Tool", rep->tool_version);
    rf_hb__raw(h, "</table>\n");

    if (s->n_lists) {
        qsort(s->lists, s->n_lists, sizeof *s->lists, list_cmp);
        rf_hb__raw(h, "<h3>Hits per list</h3>\n<table><thead><tr><th>List</th><th>Name</th>"
                     "<th>Hits</th><th>Parties</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < s->n_lists; i++) {
            rf_hb__elem(h, "<tr><td><span class=\"list\">", s->lists[i].code, "</span></td><td>");
            rf_hb__elem(h, "", s->lists[i].name, "</td><td class=\"n\">");
            rf_hb__num(h, s->lists[i].hits);
            rf_hb__raw(h, "</td><td class=\"n\">");
            rf_hb__num(h, s->lists[i].parties);
            rf_hb__raw(h, "</td></tr>\n");
        }
        rf_hb__raw(h, "</tbody></table>\n");
    }

    rf_hb__raw(h, "<h3>Lists screened against</h3>\n");
    if (rep->n_versions == 0) rf_hb__raw(h, "<p class=\"meta\">No list version was given.</p>\n");
    else
        rf_hb__raw(h, "<table><thead><tr><th>Version</th><th>Feed</th><th>Published</th>"
                     "<th>Imported file</th><th>sha256</th><th>Entities</th><th>Imported</th></tr>"
                     "</thead><tbody>\n");
    for (size_t i = 0; i < rep->n_versions; i++) {
        const rf_version *v = &rep->versions[i];
        rf_hb__raw(h, "<tr><td class=\"n\">");
        rf_hb__num(h, (long)v->id);
        rf_hb__elem(h, "</td><td>", v->feed, "");
        if (!empty(v->format)) rf_hb__elem(h, " <span class=\"meta\">(", v->format, ")</span>");
        rf_hb__elem(h, "</td><td class=\"date\">", v->published ? v->published : "not stated",
                   "</td><td class=\"mono\">");
        rf_hb__elem(h, "", v->source_file, "</td><td class=\"mono hash\">");
        rf_hb__elem(h, "", v->sha256, "</td><td class=\"n\">");
        rf_hb__num(h, (long)v->entities);
        rf_hb__elem(h, "</td><td class=\"date\">", v->imported_at, "</td></tr>\n");
    }
    if (rep->n_versions) rf_hb__raw(h, "</tbody></table>\n");

    /* Parties screened as of their own documents' dates: which versions each date used. */
    if (s->n_dates > 1 || (s->n_dates == 1 && (!rep->as_of || strcmp(rep->as_of,
                                                                      s->dates[0].as_of)))) {
        rf_hb__raw(h, "<h3>Dates screened as of</h3>\n<table><thead><tr><th>As of</th>"
                     "<th>Versions</th><th>Parties</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < s->n_dates; i++) {
            rf_hb__elem(h, "<tr><td class=\"date\">", s->dates[i].as_of, "</td><td>");
            rf_hb__elem(h, "", s->dates[i].versions, "</td><td class=\"n\">");
            rf_hb__num(h, s->dates[i].parties);
            rf_hb__raw(h, "</td></tr>\n");
        }
        rf_hb__raw(h, "</tbody></table>\n");
    }

    if (s->n_docs) {
        rf_hb__raw(h, "<h3>Documents</h3>\n<table><thead><tr><th>Document</th><th>Parties</th>"
                     "<th>Flagged</th><th></th></tr></thead><tbody>\n");
        for (size_t i = 0; i < s->n_docs; i++) {
            rf_hb__elem(h, "<tr><td class=\"mono\">", s->docs[i].name, "</td><td class=\"n\">");
            rf_hb__num(h, s->docs[i].parties);
            rf_hb__raw(h, "</td><td class=\"n\">");
            rf_hb__num(h, s->docs[i].flagged);
            rf_hb__raw(h, !s->docs[i].failed ? "</td><td></td></tr>\n"
                         : s->docs[i].parties == 0
                             ? "</td><td><span class=\"badge red\">not read</span></td></tr>\n"
                             : "</td><td><span class=\"badge red\">not read to the end</span>"
                               "</td></tr>\n");
        }
        rf_hb__raw(h, "</tbody></table>\n");
    }
}

/* The Content-Security-Policy source of an inline style or script: 'sha256-' and its digest
 * in base64, so that the page's policy allows that text and nothing else. */
static void csp_source(char out[64], const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char d[33] = {0};
    char hex[65];
    size_t o = 0;

    rf_sha256_hex(hex, text, strlen(text));
    for (int i = 0; i < 32; i++) {
        unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
        unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0'
                                                       : hex[2 * i + 1] - 'a' + 10);
        d[i] = (unsigned char)(hi << 4 | lo);
    }
    o = (size_t)snprintf(out, 64, "'sha256-");
    for (int i = 0; i < 33; i += 3) { /* 32 bytes: ten whole groups and one of two bytes */
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | (i + 2 < 33 ? d[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = b64[v >> 6 & 63];
        out[o++] = i + 2 < 32 ? b64[v & 63] : '=';
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* Who ran what, when, against lists how old: the header a reviewer and an auditor start from. */
static void render_run(rf_hb *h, const rf_report *rep)
{
    rf_version_age age;
    char on[11];
    int stale;

    rf_hb__raw(h, "<table class=\"facts run\">\n<tr><th>Run</th><td>");
    if (rep->run_id) {
        rf_hb__raw(h, "<b>");
        rf_hb__num(h, (long)rep->run_id);
        rf_hb__raw(h, "</b> <span class=\"meta\">(<code>redflag history show ");
        rf_hb__num(h, (long)rep->run_id);
        rf_hb__raw(h, "</code>)</span>");
    } else {
        rf_hb__raw(h, "not recorded");
    }
    rf_hb__elem(h, " by <b>", rep->user, "</b>");
    rf_hb__elem(h, " on ", rep->generated_at, "");
    rf_hb__raw(h, "</td></tr>\n");
    if (!empty(rep->command))
        rf_hb__elem(h, "<tr><th>Command</th><td class=\"mono\">", rep->command, "</td></tr>\n");
    if (!h->rc && rf_report__party_list_age(&age, &stale, on, rep, NULL) == RF_OK && age.version) {
        rf_hb__raw(h, "<tr><th>Lists</th><td>");
        rf_hb__raw(h, stale ? "<b class=\"score red\">" : "<b>");
        rf_hb__num(h, age.days);
        rf_hb__raw(h, age.days == 1 ? " day" : " days");
        rf_hb__elem(h, " old</b> on ", on, ": the oldest is ");
        rf_hb__text(h, age.version->feed);
        rf_hb__raw(h, " version ");
        rf_hb__num(h, (long)age.version->id);
        rf_hb__raw(h, age.from_import ? ", imported " : ", published ");
        rf_hb__text(h, age.date);
        if (stale) rf_hb__raw(h, " (run <code>redflag lists update</code>)");
        rf_hb__raw(h, "</td></tr>\n");
    }
    rf_hb__raw(h, "</table>\n");
}

/* A column heading of the worklist that sorts it (with the script). */
static void sort_heading(rf_hb *h, const char *label, const char *attrs)
{
    rf_hb__raw(h, "<th");
    rf_hb__raw(h, attrs);
    rf_hb__elem(h, "><button type=\"button\">", label, "</button></th>");
}

/* One row per flagged counterparty of each order, most urgent first as the cards come, each
 * name linking to its card. The script sorts it by a column and filters it by words and
 * state; without the script it is this table. */
static void render_worklist(rf_hb *h, const html_state *s)
{
    static const char *const states[] = {"embargo", "confirmed", "review", "escalated",
                                         "cleared", "delisted", "dropped"};

    rf_hb__raw(h, "<h2>Worklist</h2>\n<p class=\"meta\">Each flagged counterparty once per order, "
                 "with its roles; its name leads to its card.</p>\n"
                 "<div class=\"filters\" id=\"filters\" hidden><label>Find <input id=\"find\" "
                 "type=\"search\" placeholder=\"name, order, list, role\"></label>"
                 "<label>State <select id=\"state\"><option value=\"\">any</option>");
    for (size_t k = 0; k < sizeof states / sizeof *states; k++) {
        int present = 0;
        for (size_t i = 0; i < s->n_cards && !present; i++)
            present = strcmp(s->cards[i].status, states[k]) == 0;
        if (present) rf_hb__elem(h, "<option>", states[k], "</option>");
    }
    rf_hb__raw(h, "</select></label><span id=\"shown\" class=\"meta\"></span></div>\n"
                 "<div class=\"wide\"><table class=\"worklist\" id=\"worklist\"><thead><tr>");
    sort_heading(h, "Document", " class=\"opt\"");
    sort_heading(h, "Order", "");
    sort_heading(h, "Role", "");
    sort_heading(h, "Name", "");
    sort_heading(h, "Best hit", " class=\"opt\"");
    sort_heading(h, "List", " class=\"opt\"");
    sort_heading(h, "Score", " data-num");
    sort_heading(h, "State", "");
    rf_hb__raw(h, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < s->n_cards; i++) {
        const card *c = &s->cards[i];
        rf_hb__elem(h, "<tr data-state=\"", c->status, "\"><td class=\"opt mono\">");
        rf_hb__elem(h, "", c->document, "</td><td>");
        rf_hb__elem(h, "", c->order, "</td><td>");
        rf_hb__elem(h, "", c->roles.data, "</td><td><a href=\"#c");
        rf_hb__num(h, (long)i + 1);
        rf_hb__raw(h, "\">");
        rf_hb__name(h, c->name);
        rf_hb__raw(h, "</a></td><td class=\"opt\">");
        rf_hb__name(h, c->best);
        rf_hb__elem(h, "</td><td class=\"opt\"><span class=\"list\">", c->list,
                   "</span></td><td class=\"n\">");
        rf_hb__elem(h, "", c->score, "</td><td>");
        rf_hb__elem(h, "<span class=\"state st-", c->status, "\">");
        rf_hb__elem(h, "", c->status, "</span></td></tr>\n");
    }
    rf_hb__raw(h, "</tbody></table></div>\n");
}

/* Each card, its heading made now that all its roles are known, handed to its order. */
static int render_cards(html_state *s)
{
    rf_buf article = {0};
    rf_hb h = {&article, RF_OK};

    for (size_t i = 0; i < s->n_cards && !h.rc; i++) {
        const card *c = &s->cards[i];
        rf_buf_reset(&article);
        rf_hb__raw(&h, "<article class=\"party ");
        rf_hb__raw(&h, c->cls);
        rf_hb__raw(&h, "\" id=\"c");
        rf_hb__num(&h, (long)i + 1);
        rf_hb__raw(&h, "\">\n<p class=\"meta\"><span class=\"badge ");
        rf_hb__raw(&h, c->cls);
        rf_hb__elem(&h, "\">", c->badge, "</span> ");
        rf_hb__elem(&h, "", c->document, ":");
        rf_hb__elem(&h, "", c->lines.data, " &middot; ");
        rf_hb__elem(&h, "<b>", c->roles.data, "</b>");
        rf_hb__elem(&h, " &middot; ref ", c->order, "");
        if (c->fingerprint) rf_hb__elem(&h, " &middot; counterparty <span class=\"mono\">",
                                       c->fingerprint, "</span>");
        rf_hb__raw(&h, "</p>\n");
        if (!h.rc) h.rc = rf_buf_append(&article, c->body.data, c->body.len);
        rf_hb__raw(&h, "</article>\n");
        if (!h.rc) h.rc = rf_html__docs_article(s->by_document, c->group, &article);
    }
    rf_buf_free(&article);
    return h.rc;
}

/* The page footer in print: the run, and the page of how many. Only digits and the report
 * time's characters go into the style. */
static int print_footer(rf_buf *css, const rf_report *rep)
{
    char when[24] = "";
    size_t n = 0;
    for (const char *c = rep->generated_at; c && *c && n + 1 < sizeof when; c++)
        if (strchr("0123456789-:TZ", *c)) when[n++] = *c;
    when[n] = '\0';
    /* "redflag run 12, <time>", or without a run "redflag screening report, <time>" (%.0lld
     * prints nothing for 0) */
    return rf_buf_printf(css, "@media print{@page{@bottom-left{content:\"redflag %s%.0lld, %s\";"
                              "font-size:8pt;color:#667085}@bottom-right{content:\"page \" "
                              "counter(page) \" of \" counter(pages);font-size:8pt;"
                              "color:#667085}}}\n",
                         rep->run_id ? "run " : "screening report", rep->run_id, when);
}

static void render_page(rf_hb *h, const rf_report *rep, html_state *s)
{
    char red[8], style_hash[64], script_hash[64];
    rf_buf css = {0}, js = {0};

    rf_report__score(red, RED_SCORE);
    /* The page loads nothing: a name or a list entry that slipped past the escaping could
     * still not fetch, run or send anything. Only its own style and script apply. */
    if (!h->rc && ((h->rc = rf_buf_puts(&css, "\n")) ||
                   (h->rc = rf_buf_puts(&css, (const char *)rf_report_css)) ||
                   (h->rc = print_footer(&css, rep)) || (h->rc = rf_buf_puts(&js, "\n")) ||
                   (h->rc = rf_buf_puts(&js, (const char *)rf_report_js)) ||
                   (h->rc = render_cards(s))))
        goto cleanup;
    csp_source(style_hash, css.data);
    csp_source(script_hash, js.data);
    rf_hb__raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                 "style-src ");
    rf_hb__raw(h, style_hash);
    rf_hb__raw(h, "; script-src ");
    rf_hb__raw(h, script_hash);
    rf_hb__raw(h, "; base-uri 'none'; form-action 'none'\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>Screening report: ");
    rf_hb__num(h, s->n_flagged);
    rf_hb__raw(h, " flagged of ");
    rf_hb__num(h, s->parties);
    rf_hb__raw(h, " parties</title>\n<style>");
    rf_hb__raw(h, css.data);
    rf_hb__raw(h, "</style>\n</head>\n<body>\n<main>\n<header>\n"
                 "<h1>Export-control screening report</h1>\n<p class=\"sub\">");
    if (rep->generated_at) rf_hb__elem(h, "Generated ", rep->generated_at, " ");
    rf_hb__raw(h, "by redflag");
    if (rep->tool_version) rf_hb__elem(h, " ", rep->tool_version, "");
    rf_hb__raw(h, "</p>\n");
    render_run(h, rep);
    rf_hb__raw(h, "</header>\n");
    render_verdict(h, rep, s);
    if (s->n_cards) render_worklist(h, s);
    rf_hb__raw(h, "<h2>Summary</h2>\n");
    render_summary(h, rep, s);

    if (s->n_failures) {
        rf_hb__raw(h, "<h2>Documents not read</h2>\n<p class=\"meta\">Their parties were not "
                     "screened.</p>\n<table><thead><tr><th>File</th><th>Line</th><th>Problem</th>"
                     "</tr></thead><tbody>\n");
        rf_hb__raw(h, s->failures.data);
        rf_hb__raw(h, "</tbody></table>\n");
    }

    if (s->n_warnings) {
        rf_hb__raw(h, "<h2>Warnings</h2>\n<p class=\"meta\">What was read of these documents "
                     "was screened; what the warning names was not.</p>\n<table><thead><tr>"
                     "<th>File</th><th>Line</th><th>Warning</th></tr></thead><tbody>\n");
        rf_hb__raw(h, s->warnings.data);
        rf_hb__raw(h, "</tbody></table>\n");
    }

    rf_hb__raw(h, "<h2>Flagged parties</h2>\n");
    if (s->n_flagged || s->n_embargo) {
        rf_hb__raw(h, "<p class=\"meta\">Marked words matched. <b>Likely match</b>: a listed name "
                     "matches at ");
        rf_hb__raw(h, red);
        rf_hb__raw(h, " or more; <b>possible match</b>: at the threshold or more. Clear a hit only "
                     "when the facts (address, country, dates of birth, identity documents) show "
                     "another party. <b>Embargoed destination</b>: the party receives or uses the "
                     "goods in a comprehensively embargoed country or region, whoever it is. "
                     "Grouped by order, with the order's parties and the order lines concerned; "
                     "one card per counterparty, with its roles in the order.</p>\n");
        if (!h->rc) h->rc = rf_html__docs_render(h->b, s->by_document);
    } else {
        rf_hb__raw(h, "<p class=\"meta\">None.</p>\n");
    }

    if (s->n_delisted) {
        rf_hb__raw(h,
                   "<h2>Delisted parties</h2>\n<p class=\"meta\">Clear on the date screened, but "
                   "they match a party that the previous version of a list named and the version "
                   "in force removed. Shown for the record.</p>\n");
        rf_hb__raw(h, s->delisted.data);
    }

    rf_hb__raw(h, "<h2>Clear parties</h2>\n");
    if (s->n_clear) {
        rf_hb__raw(h, "<p class=\"meta\">");
        rf_hb__num(h, s->n_clear);
        rf_hb__raw(h, s->n_clear == 1 ? " party" : " parties");
        rf_hb__raw(h, " matched no listed name at the threshold.</p>\n<div class=\"wide\"><table>"
                     "<thead><tr><th>Document</th><th>Line</th><th>Role</th><th>Ref</th>"
                     "<th>Name</th><th>Country</th></tr></thead><tbody>\n");
        rf_hb__raw(h, s->clear.data);
        rf_hb__raw(h, "</tbody></table></div>\n");
    } else {
        rf_hb__raw(h, "<p class=\"meta\">None.</p>\n");
    }
    rf_hb__raw(h, "<footer>Screening flags names that resemble listed ones; it does not decide. A "
                 "match must be reviewed by a person before the transaction goes ahead, and a "
                 "clear result is only as good as the list versions above.</footer>\n"
                 "</main>\n<script>");
    rf_hb__raw(h, js.data);
    rf_hb__raw(h, "</script>\n</body>\n</html>\n");

cleanup:
    rf_buf_free(&css);
    rf_buf_free(&js);
}

int rf_report__html_close(rf_report *rep, rf_error *err)
{
    rf_buf page = {0};
    rf_hb h = {&page, RF_OK};
    int rc;

    render_page(&h, rep, rep->html);
    if (h.rc) rc = rf_error_set(err, h.rc, NULL, 0, "cannot build the HTML report: %s",
                                rf_strerror(h.rc));
    else rc = rf_report__write(rep, &page, err);
    rf_buf_free(&page);
    return rc;
}

void rf_report__html_free(html_state *s)
{
    if (!s) return;
    rf_html__docs_free(s->by_document);
    for (size_t i = 0; i < s->n_cards; i++) card_free(&s->cards[i]);
    free(s->cards);
    for (size_t i = 0; i < s->n_texts; i++) free(s->texts[i]);
    free(s->texts);
    for (size_t i = 0; i < s->n_entities; i++) free(s->entities[i]);
    free(s->entities);
    rf_buf_free(&s->clear);
    rf_buf_free(&s->failures);
    rf_buf_free(&s->warnings);
    rf_buf_free(&s->delisted);
    for (size_t i = 0; i < s->n_dates; i++) free(s->dates[i].as_of), free(s->dates[i].versions);
    free(s->dates);
    for (size_t i = 0; i < s->n_docs; i++) free(s->docs[i].name);
    for (size_t i = 0; i < s->n_lists; i++) free(s->lists[i].code), free(s->lists[i].name);
    free(s->docs);
    free(s->lists);
    free(s);
}
