/* cmd_review.c: `redflag review`: records what a reviewer decided about a hit (cleared,
 * confirmed, escalated), one from the command line or many from a file (the CSV report of
 * `redflag screen` with decision and reason columns filled in, as CSV or .xlsx), and lists the
 * decisions. A decision names the counterparty by its fingerprint (reports print it) or by
 * name, country and address, and the listed entity by its list entry id; both must be known,
 * so a typo cannot record a decision about nobody. */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char review_help[] =
    "usage: redflag review clear|confirm|escalate [--db PATH] (--party FINGERPRINT |\n"
    "                      --name NAME [--country CC] [--address TEXT] [--city CITY])\n"
    "                      --entity ID [--list CODE] --reason TEXT [--reviewer NAME] [--run N]\n"
    "                      [--force] [--clear-others]\n"
    "       redflag review import [--db PATH] [--reviewer NAME] [--force] FILE.csv|FILE.xlsx\n"
    "       redflag review list [--db PATH] [--party FINGERPRINT] [--all]\n"
    "\n"
    "Records a decision about a hit: the counterparty (FINGERPRINT, as reports print it; or\n"
    "the name, country and address it was screened with) against the listed entity ID (the\n"
    "list's own id, source_id in reports; --list when several lists use that id).\n"
    "  clear      not the listed party: the hit stops alarming for this counterparty while the\n"
    "             listed record stays as it is now; when the list amends it (a new alias,\n"
    "             address, license policy, ...) the alarm returns and says what changed\n"
    "  confirm    it is the listed party: the hit alarms on every screening\n"
    "  escalate   handed to someone who decides: it alarms until then\n"
    "Decisions are never changed or deleted: a new decision on the same hit supersedes the\n"
    "earlier one, and both stay in the audit trail.\n"
    "  --reason TEXT      why (required)\n"
    "  --reviewer NAME    who decides (default $REDFLAG_USER, else the login name)\n"
    "  --run N            the screening run whose report showed the hit\n"
    "  --clear-others     with confirm: the counterparty is --entity and none of its other\n"
    "                     hits; each of them is cleared, one decision per hit\n"
    "  --force            record a clear or confirm of an entity the counterparty did not\n"
    "                     match when last screened (refused without it: a typo would\n"
    "                     otherwise record a decision about a hit nobody saw)\n"
    "FINGERPRINT and ID may be given in any case, and shortened to a unique beginning (at\n"
    "least 4 characters of a fingerprint; an ID among the counterparty's hits); one that\n"
    "fits several is refused with the candidates.\n"
    "\n"
    "import: records every row of FILE (header row required) that has a decision, in one\n"
    "transaction: a bad row names its line and nothing is recorded. FILE is CSV (comma,\n"
    "semicolon or tab; UTF-8, with or without byte-order mark) or an .xlsx workbook (its\n"
    "first sheet), as Excel saves them in any language. Columns, any order, any\n"
    "case: decision (clear, confirm, escalate), reason, source_id (or entity), list,\n"
    "fingerprint, or name with country, address and city; reviewer and run are optional; of\n"
    "repeated headers the rightmost counts. The CSV report of `redflag screen` has these\n"
    "columns: add decision and reason at its end.\n"
    "\n"
    "list: the decisions in force (the latest per counterparty and listed entity), or with\n"
    "--all every decision ever recorded, oldest first.\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 recorded (or listed), 2 bad usage, a counterparty or entity not known,\n"
    "a decision refused, or a database error: nothing was recorded.\n";

/* ---- collecting decisions ------------------------------------------------------------------ */

/* Decisions about to be recorded, with the strings they point at. */
typedef struct decision_set {
    rf_decision *items;
    size_t count, cap;
    char **owned;
    size_t n_owned, owned_cap;
} decision_set;

static void set_free(decision_set *s)
{
    for (size_t i = 0; i < s->n_owned; i++) free(s->owned[i]);
    free(s->owned);
    free(s->items);
    memset(s, 0, sizeof *s);
}

/* A copy of `text` kept until the set is freed; NULL in, NULL out; *oom set on failure. */
static const char *keep(decision_set *s, const char *text, int *oom)
{
    char *copy;
    if (!text) return NULL;
    if (s->n_owned == s->owned_cap) {
        size_t cap = s->owned_cap ? s->owned_cap * 2 : 32;
        char **grown = realloc(s->owned, cap * sizeof *grown);
        if (!grown) return *oom = 1, NULL;
        s->owned = grown;
        s->owned_cap = cap;
    }
    if (!(copy = rf_strdup(text))) return *oom = 1, NULL;
    return s->owned[s->n_owned++] = copy;
}

/* What a reviewer wrote for one decision. */
typedef struct decision_input {
    const char *decision, *fingerprint, *name, *country, *address, *city, *list, *entity,
        *reason, *reviewer, *run;
    int force; /* record a clear or confirm of an entity the counterparty never matched */
} decision_input;

/* A counterparty as the store knows it: found by its fingerprint or a prefix of it (any
 * case), with the hits it had when last screened. */
#define MAX_CANDIDATES 8
typedef struct party_found {
    const char *prefix;   /* what the reviewer wrote */
    size_t matches;       /* counterparties whose fingerprint starts with it */
    char fingerprint[RF_FINGERPRINT_LEN + 1];
    rf_buf name;
    rf_buf candidates;    /* "fp (name), ..." of the first MAX_CANDIDATES, when ambiguous */
    size_t n_hits;
    struct {
        char list_code[16], source_id[128];
        long long entity_id;
    } hits[64];
} party_found;

static int take_party(const rf_counterparty *cp, const rf_known_hit *hits, size_t n, void *ctx)
{
    party_found *p = ctx;
    size_t len = strlen(p->prefix);
    if (strncasecmp(cp->fingerprint, p->prefix, len) != 0) return 0;
    /* the same party from the runs' record: its latest run's hits join those kept for it */
    if (p->matches && strcmp(cp->fingerprint, p->fingerprint) == 0) {
        for (size_t i = 0; i < n && p->n_hits < sizeof p->hits / sizeof p->hits[0]; i++) {
            size_t k = 0;
            while (k < p->n_hits && p->hits[k].entity_id != hits[i].entity_id) k++;
            if (k < p->n_hits) continue;
            snprintf(p->hits[p->n_hits].list_code, sizeof p->hits[0].list_code, "%s",
                     hits[i].list_code ? hits[i].list_code : "");
            snprintf(p->hits[p->n_hits].source_id, sizeof p->hits[0].source_id, "%s",
                     hits[i].source_id ? hits[i].source_id : "");
            p->hits[p->n_hits++].entity_id = hits[i].entity_id;
        }
        return 0;
    }
    if (++p->matches <= MAX_CANDIDATES)
        rf_buf_printf(&p->candidates, "%s%s (%s)", p->candidates.len ? ", " : "", cp->fingerprint,
                      cp->name ? cp->name : "");
    if (p->matches > 1) return 0;
    snprintf(p->fingerprint, sizeof p->fingerprint, "%s", cp->fingerprint);
    rf_buf_puts(&p->name, cp->name ? cp->name : "");
    for (size_t i = 0; i < n && p->n_hits < sizeof p->hits / sizeof p->hits[0]; i++, p->n_hits++) {
        snprintf(p->hits[p->n_hits].list_code, sizeof p->hits[0].list_code, "%s",
                 hits[i].list_code ? hits[i].list_code : "");
        snprintf(p->hits[p->n_hits].source_id, sizeof p->hits[0].source_id, "%s",
                 hits[i].source_id ? hits[i].source_id : "");
        p->hits[p->n_hits].entity_id = hits[i].entity_id;
    }
    return 0;
}

/* Finds the counterparty whose fingerprint is or starts with `prefix` (any case); an
 * unknown or ambiguous prefix is an error naming the candidates. `known_only`: a full
 * fingerprint not screened yet is an error too (else it is a party with no hit). */
static int find_party(party_found *p, rf_store *st, const char *prefix, int known_only,
                      rf_error *err)
{
    char lower[RF_FINGERPRINT_LEN + 1];
    int rc;
    size_t len = strlen(prefix);
    memset(p, 0, sizeof *p);
    p->prefix = prefix;
    if (len == RF_FINGERPRINT_LEN) { /* the whole fingerprint: one lookup */
        for (size_t i = 0; i <= len; i++) lower[i] = (char)tolower((unsigned char)prefix[i]);
        rc = rf_store_counterparties_each(st, lower, take_party, p, err);
        if (rc == 0 || rc == RF_ENOTFOUND) {
            /* a party screened only as of another date has no counterparty state: its
             * latest run's hits are what a decision is checked against */
            rf_error_clear(err);
            rc = rf_store_last_run_hits(st, lower, take_party, p, err);
            if (rc == 0 && p->matches == 0) rc = RF_ENOTFOUND;
        }
        if (rc == RF_ENOTFOUND && !known_only) {
            rf_error_clear(err);
            snprintf(p->fingerprint, sizeof p->fingerprint, "%s", lower);
            return 0;
        }
    } else {
        rc = len < 4 ? rf_error_set(err, RF_EUSAGE, NULL, 0, "fingerprint \"%s\": give at least "
                                    "4 of its characters", prefix)
                     : rf_store_counterparties_each(st, NULL, take_party, p, err);
        if (rc == 0 && p->matches <= 1) rc = rf_store_last_run_hits(st, NULL, take_party, p, err);
        if (rc == 0 && p->matches == 0) rc = RF_ENOTFOUND;
    }
    if (rc == RF_ENOTFOUND)
        return rf_error_set(err, RF_ENOTFOUND, NULL, 0, "no counterparty %s has been screened "
                            "(fingerprints are in the reports)", prefix);
    if (rc == 0 && p->matches > 1)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "fingerprint %s is ambiguous: %zu "
                            "counterparties start with it: %s%s", prefix, p->matches,
                            p->candidates.data, p->matches > MAX_CANDIDATES ? ", ..." : "");
    return rc;
}

static void party_free(party_found *p)
{
    rf_buf_free(&p->name);
    rf_buf_free(&p->candidates);
}

/* The hit of `p` on list entry `id` (any case, or a unique prefix; on list `list` when not
 * NULL): its index, -1 when none, -2 (err set) when the prefix fits several. */
static int find_hit(const party_found *p, const char *list, const char *id, rf_error *err)
{
    int found = -1, n = 0;
    rf_buf names = {0};
    for (size_t i = 0; i < p->n_hits; i++) {
        if (list && strcasecmp(list, p->hits[i].list_code) != 0) continue;
        if (strcasecmp(id, p->hits[i].source_id) == 0) {
            rf_buf_free(&names);
            return (int)i;
        }
        if (strncasecmp(id, p->hits[i].source_id, strlen(id)) == 0) {
            found = (int)i, n++;
            rf_buf_printf(&names, "%s%s %s", names.len ? ", " : "", p->hits[i].list_code,
                          p->hits[i].source_id);
        }
    }
    if (n > 1) {
        rf_error_set(err, RF_EUSAGE, NULL, 0, "entity %s is ambiguous: the counterparty's hits "
                     "%s start with it", id, names.data);
        found = -2;
    }
    rf_buf_free(&names);
    return found;
}

/* Checks one decision against the store and adds it to the set. `file` and `line` place
 * errors (NULL and 0 for the command line). */
static int resolve(decision_set *set, rf_store *st, const decision_input *in, const char *file,
                   long line, rf_error *err)
{
    char fingerprint[RF_FINGERPRINT_LEN + 1];
    party_found party;
    const char *entity = in->entity, *list = in->list && in->list[0] ? in->list : NULL;
    int hit;
    rf_snapshot *snap = NULL;
    const rf_entity *e;
    rf_decision d;
    long long entity_id = 0, run_id = 0;
    int rc, oom = 0;

    memset(&d, 0, sizeof d);
    memset(&party, 0, sizeof party);
    if (rf_decision_kind_parse(&d.kind, in->decision) < 0)
        return rf_error_set(err, RF_EUSAGE, file, line,
                            "decision \"%s\" is not clear, confirm or escalate",
                            in->decision ? in->decision : "");
    if (!in->reason || !in->reason[0])
        return rf_error_set(err, RF_EUSAGE, file, line, "a decision needs a reason");
    if (!in->entity || !in->entity[0])
        return rf_error_set(err, RF_EUSAGE, file, line,
                            "name the listed entity by its list entry id (source_id)");
    if (in->run && in->run[0]) {
        char *end;
        run_id = strtoll(in->run, &end, 10);
        if (*end || run_id <= 0)
            return rf_error_set(err, RF_EUSAGE, file, line, "run \"%s\" is not a run number",
                                in->run);
    }
    if (in->fingerprint && in->fingerprint[0]) {
        rc = find_party(&party, st, in->fingerprint, 1, err);
    } else if (in->name && in->name[0]) {
        rf_party pt;
        memset(&pt, 0, sizeof pt);
        pt.name = in->name, pt.country = in->country, pt.address = in->address, pt.city = in->city;
        if ((rc = rf_party_fingerprint(fingerprint, NULL, &pt)) < 0) goto done;
        rc = find_party(&party, st, fingerprint, 0, err);
        if (rc == 0 && !party.name.len) rc = rf_buf_puts(&party.name, in->name);
    } else {
        rc = rf_error_set(err, RF_EUSAGE, file, line,
                          "name the counterparty: its fingerprint, or its name");
    }
    if (rc) goto done;
    snprintf(fingerprint, sizeof fingerprint, "%s", party.fingerprint);
    if ((hit = find_hit(&party, in->list && in->list[0] ? in->list : NULL, in->entity, err)) == -2) {
        rc = RF_EUSAGE;
        goto done;
    }
    if (hit >= 0) {
        entity = party.hits[hit].source_id;
        list = party.hits[hit].list_code;
    } else if (d.kind != RF_DECISION_ESCALATED && !in->force) {
        rc = rf_error_set(err, RF_EUSAGE, file, line,
                          "counterparty %s (%s) never matched list entry %s: its hits when last "
                          "screened are%s%s; --force records the decision anyway",
                          fingerprint, party.name.data ? party.name.data : "", in->entity,
                          party.n_hits ? "" : " none", "");
        if (party.n_hits) {
            size_t k = strlen(err->message);
            for (size_t i = 0; i < party.n_hits && k + 2 < sizeof err->message; i++)
                k += (size_t)snprintf(err->message + k, sizeof err->message - k, "%s%s %s",
                                      i ? ", " : " ", party.hits[i].list_code,
                                      party.hits[i].source_id);
        }
        goto done;
    }
    if ((rc = rf_store_entity_find(&entity_id, st, list, entity, err)) != 0 ||
        (rc = rf_snapshot_load_ids(&snap, st, &entity_id, 1, err)) != 0)
        goto done;
    if (!(e = rf_snapshot_find(snap, entity_id))) {
        rc = rf_error_set(err, RF_ENOTFOUND, file, line, "list entry %s vanished", in->entity);
        goto done;
    }
    d.fingerprint = keep(set, fingerprint, &oom);
    d.party_name = keep(set, party.name.data, &oom);
    d.list_code = keep(set, e->list_code ? e->list_code : "", &oom);
    d.source_id = keep(set, e->source_id, &oom);
    d.listed_name = keep(set, e->n_names ? e->names[0].text : NULL, &oom);
    d.entity_id = e->id;
    d.content_hash = keep(set, e->content_hash, &oom);
    d.reviewer = keep(set, in->reviewer && in->reviewer[0] ? in->reviewer : rf_session_user(), &oom);
    d.reason = keep(set, in->reason, &oom);
    d.run_id = run_id;
    /* the same decision given twice (a counterparty on two rows of the report) counts once */
    for (size_t i = 0; i < set->count && !oom; i++) {
        const rf_decision *o = &set->items[i];
        if (o->kind == d.kind && o->entity_id == d.entity_id &&
            strcmp(o->fingerprint, d.fingerprint) == 0 && strcmp(o->reason, d.reason) == 0 &&
            strcmp(o->reviewer, d.reviewer) == 0)
            goto done;
    }
    if (!oom && set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        rf_decision *grown = realloc(set->items, cap * sizeof *grown);
        if (grown) set->items = grown, set->cap = cap;
        else oom = 1;
    }
    if (oom) {
        rc = rf_error_set(err, RF_ENOMEM, file, line, "out of memory");
        goto done;
    }
    set->items[set->count++] = d;

done:
    /* Errors from the store name no place: say which row they are about. */
    if (rc && file && !err->file[0]) {
        snprintf(err->file, sizeof err->file, "%s", file);
        err->line = line;
    }
    rf_snapshot_free(snap);
    party_free(&party);
    return rc;
}

static void print_recorded(const rf_decision *d)
{
    printf("%s: %s (", rf_decision_kind_name(d->kind), d->fingerprint);
    cli_print_text(stdout, d->party_name);
    printf(") against %s ", d->list_code);
    cli_print_text(stdout, d->source_id);
    fputs(" (", stdout);
    cli_print_text(stdout, d->listed_name);
    fputs("), by ", stdout);
    cli_print_text(stdout, d->reviewer);
    fputs(": ", stdout);
    cli_print_text(stdout, d->reason);
    putchar('\n');
}

/* ---- the reviewer's table (CSV or .xlsx) ------------------------------------------------------ */

enum { COL_DECISION, COL_FINGERPRINT, COL_NAME, COL_COUNTRY, COL_ADDRESS, COL_CITY, COL_LIST,
       COL_ENTITY, COL_REASON, COL_REVIEWER, COL_RUN, N_COLS };

static const char *const COLUMN_NAMES[N_COLS][2] = {
    {"decision", NULL}, {"fingerprint", NULL}, {"name", NULL},   {"country", NULL},
    {"address", NULL},  {"city", NULL},        {"list", NULL},   {"source_id", "entity"},
    {"reason", NULL},   {"reviewer", NULL},    {"run", NULL}};

typedef struct table_run {
    const char *path;
    rf_store *st;
    decision_set *set;
    const char *reviewer; /* --reviewer, for rows that name none */
    int force;            /* --force */
    int header_done;
    long col[N_COLS]; /* column of each known header, -1 if absent */
    rf_error err;
} table_run;

/* The trimmed cell of column `c` of the row, NULL when absent or empty. */
static const char *cell(const table_run *run, int c, char *const *cells, size_t n)
{
    long i = run->col[c];
    if (i < 0 || (size_t)i >= n) return NULL;
    cells[i][rf_trim(cells[i], strlen(cells[i]))] = '\0';
    return cells[i][0] ? cells[i] : NULL;
}

static int on_row(long line, const char *const *in_cells, const size_t *lens, size_t n,
                  void *ctx)
{
    table_run *run = ctx;
    char **cells = (char **)in_cells; /* the reader's own copies, ours to trim */
    (void)lens;

    if (!run->header_done) {
        for (size_t i = 0; i < n; i++) {
            char head[32];
            size_t len = strlen(cells[i]) < sizeof head - 1 ? strlen(cells[i]) : sizeof head - 1;
            memcpy(head, cells[i], len);
            head[rf_trim(head, len)] = '\0';
            for (int c = 0; c < N_COLS; c++)
                for (int k = 0; k < 2; k++)
                    /* The rightmost of repeated headers: the columns added to a report. */
                    if (COLUMN_NAMES[c][k] && strcasecmp(head, COLUMN_NAMES[c][k]) == 0)
                        run->col[c] = (long)i;
        }
        run->header_done = 1;
        if (run->col[COL_DECISION] < 0 || run->col[COL_REASON] < 0 || run->col[COL_ENTITY] < 0 ||
            (run->col[COL_FINGERPRINT] < 0 && run->col[COL_NAME] < 0))
            return rf_error_set(&run->err, RF_EFORMAT, run->path, line,
                                "the header needs decision, reason, source_id, and fingerprint or "
                                "name");
        return 0;
    }
    if (cell(run, COL_DECISION, cells, n)) { /* a row without a decision is not decided yet */
        decision_input in;
        in.force = run->force;
        in.decision = cell(run, COL_DECISION, cells, n);
        in.fingerprint = cell(run, COL_FINGERPRINT, cells, n);
        in.name = cell(run, COL_NAME, cells, n);
        in.country = cell(run, COL_COUNTRY, cells, n);
        in.address = cell(run, COL_ADDRESS, cells, n);
        in.city = cell(run, COL_CITY, cells, n);
        in.list = cell(run, COL_LIST, cells, n);
        in.entity = cell(run, COL_ENTITY, cells, n);
        in.reason = cell(run, COL_REASON, cells, n);
        in.reviewer = cell(run, COL_REVIEWER, cells, n);
        if (!in.reviewer) in.reviewer = run->reviewer;
        in.run = cell(run, COL_RUN, cells, n);
        if (resolve(run->set, run->st, &in, run->path, line, &run->err)) return -1;
    }
    return 0;
}

/* Reads every decided row of the file (CSV or .xlsx) into `set`; prints any error. */
static int read_decisions(decision_set *set, rf_store *st, const char *path, const char *reviewer,
                          int force)
{
    table_run run;

    memset(&run, 0, sizeof run);
    run.path = path;
    run.st = st;
    run.set = set;
    run.reviewer = reviewer;
    run.force = force;
    for (int c = 0; c < N_COLS; c++) run.col[c] = -1;
    if (rf_table_read(path, NULL, on_row, cli_print_import_warning, &run, &run.err) == 0 &&
        !run.header_done)
        rf_error_set(&run.err, RF_EFORMAT, path, 0, "no header row");
    if (run.err.code) {
        cli_report_error(&run.err);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* ---- list ----------------------------------------------------------------------------------- */

static int review_list(rf_store *st, const char *fingerprint, int all)
{
    rf_decision_list list = {0};
    rf_error err;
    int rc;

    rf_error_clear(&err);
    rc = all ? rf_store_decisions_all(&list, st, fingerprint, NULL, NULL, &err)
             : rf_store_decisions_for(&list, st, fingerprint, &err);
    if (rc < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    printf("%-5s %-20s %-9s %-12s %-16s %-24s %-5s %-14s %-24s %s\n", "id", "decided",
           "decision", "reviewer", "counterparty", "party", "list", "entity", "listed", "reason");
    for (size_t i = 0; i < list.count; i++) {
        const rf_decision *d = &list.items[i];
        printf("%-5lld %-20s ", d->id, d->decided_at);
        cli_print_cell(stdout, rf_decision_kind_name(d->kind), 9, 1);
        putchar(' ');
        cli_print_cell(stdout, d->reviewer, 12, 1);
        printf(" %-16s ", d->fingerprint);
        cli_print_cell(stdout, d->party_name, 24, 1);
        putchar(' ');
        cli_print_cell(stdout, d->list_code, 5, 1);
        putchar(' ');
        cli_print_cell(stdout, d->source_id, 14, 1);
        putchar(' ');
        cli_print_cell(stdout, d->listed_name, 24, 1);
        putchar(' ');
        cli_print_cell(stdout, d->reason, 60, 0);
        putchar('\n');
    }
    if (list.count == 0) printf("(no decision)\n");
    rf_decision_list_free(&list);
    return 0;
}

/* After the confirm set->items[0]: a clear of every other hit the counterparty had when last
 * screened, one decision per hit, its reason naming the entity confirmed. */
static int add_clear_others(decision_set *set, rf_store *st, const decision_input *confirm,
                            rf_error *err)
{
    const rf_decision *c = &set->items[0];
    char fingerprint[RF_FINGERPRINT_LEN + 1], confirmed[160];
    party_found party;
    rf_buf reason = {0};
    long long confirmed_id = c->entity_id;
    int rc;

    snprintf(fingerprint, sizeof fingerprint, "%s", c->fingerprint);
    snprintf(confirmed, sizeof confirmed, "%s %s", c->list_code, c->source_id);
    if ((rc = find_party(&party, st, fingerprint, 1, err)) == 0 &&
        (rc = rf_buf_printf(&reason, "not the listed party: the counterparty is %s (confirmed): "
                            "%s", confirmed, confirm->reason)) == 0)
        for (size_t i = 0; i < party.n_hits && rc == 0; i++) {
            decision_input in = *confirm;
            if (party.hits[i].entity_id == confirmed_id) continue;
            in.decision = "clear";
            in.fingerprint = fingerprint;
            in.name = NULL;
            in.entity = party.hits[i].source_id;
            in.list = party.hits[i].list_code;
            in.reason = reason.data;
            rc = resolve(set, st, &in, NULL, 0, err);
        }
    party_free(&party);
    rf_buf_free(&reason);
    return rc;
}

/* ---- the command ---------------------------------------------------------------------------- */

int cli_review(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},       {"party", required_argument, NULL, 'p'},
        {"name", required_argument, NULL, 'n'},     {"country", required_argument, NULL, 'c'},
        {"address", required_argument, NULL, 'a'},  {"city", required_argument, NULL, 'y'},
        {"entity", required_argument, NULL, 'e'},   {"list", required_argument, NULL, 'l'},
        {"reason", required_argument, NULL, 'r'},   {"reviewer", required_argument, NULL, 'w'},
        {"run", required_argument, NULL, 'u'},      {"all", no_argument, NULL, 'A'},
        {"force", no_argument, NULL, 'F'},          {"clear-others", no_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    decision_input in;
    const char *db = NULL, *verb;
    decision_set set;
    rf_store *st = NULL;
    rf_error err;
    int c, all = 0, clear_others = 0, status = CLI_EXIT_ERROR;

    memset(&in, 0, sizeof in);
    memset(&set, 0, sizeof set);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(review_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_ERROR : 0;
    }
    verb = argv[1];
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc - 1, argv + 1, ":h", longopts, "review")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'p': in.fingerprint = optarg; break;
        case 'n': in.name = optarg; break;
        case 'c': in.country = optarg; break;
        case 'a': in.address = optarg; break;
        case 'y': in.city = optarg; break;
        case 'e': in.entity = optarg; break;
        case 'l': in.list = optarg; break;
        case 'r': in.reason = optarg; break;
        case 'w': in.reviewer = optarg; break;
        case 'u': in.run = optarg; break;
        case 'A': all = 1; break;
        case 'F': in.force = 1; break;
        case 'O': clear_others = 1; break;
        case 'h': fputs(review_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    optind++; /* getopt ran over argv + 1 */
    rf_error_clear(&err);
    if (strcmp(verb, "list") == 0) {
        if (optind < argc) return cli_usage_error("review", "list takes no argument");
        if (cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ)) return CLI_EXIT_ERROR;
        status = review_list(st, in.fingerprint, all);
    } else if (strcmp(verb, "import") == 0) {
        if (argc - optind != 1)
            return cli_usage_error("review", "import wants one file (CSV or .xlsx)");
        if (cli_open_store(&st, db, CLI_DB_SEED)) return CLI_EXIT_ERROR;
        if (read_decisions(&set, st, argv[optind], in.reviewer, in.force) == 0) {
            if (rf_store_decisions_add(st, set.items, set.count, &err) < 0) {
                cli_report_error(&err);
            } else {
                for (size_t i = 0; i < set.count; i++) print_recorded(&set.items[i]);
                fprintf(stderr, "redflag: %zu decision%s recorded from %s\n", set.count,
                        set.count == 1 ? "" : "s", argv[optind]);
                status = 0;
            }
        }
    } else {
        rf_decision_kind kind;
        if (rf_decision_kind_parse(&kind, verb) < 0)
            return cli_usage_error("review", "'%s' is not clear, confirm, escalate, import or list",
                                   verb);
        if (optind < argc)
            return cli_usage_error("review", "unexpected argument '%s'", argv[optind]);
        if (!in.reason) return cli_usage_error("review", "--reason is required");
        if (!in.entity) return cli_usage_error("review", "--entity is required");
        if (!in.fingerprint && !in.name)
            return cli_usage_error("review", "--party or --name is required");
        if (clear_others && kind != RF_DECISION_CONFIRMED)
            return cli_usage_error("review", "--clear-others goes with confirm: the counterparty "
                                             "is --entity, and none of its other hits");
        in.decision = verb;
        if (cli_open_store(&st, db, CLI_DB_SEED)) return CLI_EXIT_ERROR;
        if (resolve(&set, st, &in, NULL, 0, &err) < 0 ||
            (clear_others && add_clear_others(&set, st, &in, &err) < 0) ||
            rf_store_decisions_add(st, set.items, set.count, &err) < 0) {
            cli_report_error(&err);
        } else {
            for (size_t i = 0; i < set.count; i++) print_recorded(&set.items[i]);
            status = 0;
        }
    }
    set_free(&set);
    rf_store_close(st);
    return status;
}
