/* cmd_lists_history.c: `redflag lists history` (every list version ever imported, with what
 * replaced it) and `redflag lists diff` (the entities added, removed and changed between two
 * versions), as text for people or JSON lines for scripts. The diff itself is rf_store_diff;
 * this file only words it. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char history_help[] =
    "usage: redflag lists history [--db PATH] [--feed FEED] [--format text|jsonl]\n"
    "\n"
    "Lists every list version ever imported, oldest first: its id, feed, publication date,\n"
    "import time, entities, the file it came from (a path, or the URL `lists update` fetched),\n"
    "its sha256, its entities per list code, and which version replaced it (a version is in\n"
    "force from its publication date until a newer version of its feed is published).\n"
    "  --db PATH          list database (default: see Environment)\n"
    "  --feed FEED        only the versions of FEED (csl, bis-dpl, ofac-sdn, ...)\n"
    "  --format FMT       text (default) or jsonl (one JSON object per version)\n"
    "\n" CLI_HELP_ENV CLI_HELP_EXIT_DONE;

static const char diff_help[] =
    "usage: redflag lists diff [--db PATH] [--format text|jsonl] [LIST] OLD NEW\n"
    "\n"
    "Shows what changed between two list versions, given by their version ids (see `redflag\n"
    "lists history`; dates are not accepted): the entities NEW adds, those it removes, and\n"
    "those it changes, with the fields that changed (names and aliases, addresses, license\n"
    "requirement and policy, Federal Register notice, dates, programs, ...) and their old and\n"
    "new values. Entities are matched by list code and the list's own id for them; LIST (a\n"
    "list code such as DPL, EL, SDN; any case) limits the diff to one list.\n"
    "  --db PATH          list database (default: see Environment)\n"
    "  --format FMT       text (default) or jsonl (one JSON object per entity that differs)\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 done (whether or not the versions differ), 2 bad usage, no such version\n"
    "or a database error.\n";

/* Parses a version id; 0 on success. */
static int parse_id(long long *out, const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v <= 0) return -1;
    *out = v;
    return 0;
}

/* Prints `b` on standard output, for a terminal when `text` (names from the lists with their
 * control characters left out, line by line: cli_print_text), as it is for JSON lines; 0 or
 * CLI_EXIT_ERROR when out of memory. */
static int flush_buf(rf_buf *b, int rc, int text)
{
    if (rc) {
        fprintf(stderr, "redflag: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    if (!text) {
        fwrite(b->data ? b->data : "", 1, b->len, stdout);
    } else if (b->len) {
        for (char *line = b->data, *nl; *line; line = nl + 1) {
            if ((nl = strchr(line, '\n'))) *nl = '\0';
            cli_print_text(stdout, line);
            if (!nl) break;
            fputc('\n', stdout);
        }
    }
    rf_buf_reset(b);
    return 0;
}

/* ---- history ----------------------------------------------------------------------------- */

typedef struct counts_ctx {
    rf_buf *b;
    int jsonl;
    int n;
} counts_ctx;

/* "EL 2001, DPL 462" or, in JSON, "EL":2001,"DPL":462 */
static int add_count(const char *list_code, long long count, void *ctx)
{
    counts_ctx *c = ctx;
    int rc = c->n++ ? rf_buf_puts(c->b, c->jsonl ? "," : ", ") : 0;
    if (rc) return rc;
    if (c->jsonl) {
        if ((rc = rf_json_string(c->b, list_code)) != 0) return rc;
        return rf_buf_printf(c->b, ":%lld", count);
    }
    return rf_buf_printf(c->b, "%s %lld", list_code, count);
}

/* The version that replaced each version (0: none, it is in force now), by index. */
static int successors(long long *next, rf_store *st, const rf_version_list *all, rf_error *err)
{
    for (size_t i = 0; i < all->count; i++) {
        rf_version_list prev;
        int rc = rf_store_version_previous(&prev, st, all->items[i].id, err);
        if (rc) return rc;
        for (size_t j = 0; prev.count && j < all->count; j++)
            if (all->items[j].id == prev.items[0].id) next[j] = all->items[i].id;
        rf_version_list_free(&prev);
    }
    return 0;
}

static int history_text(rf_buf *b, rf_store *st, const rf_version *v, long long next,
                        rf_error *err)
{
    counts_ctx c = {b, 0, 0};
    int rc;
    if ((rc = rf_buf_printf(b, "\nversion %lld  %s  published %s%s\n", v->id, v->feed,
                            v->published ? v->published : "(not stated)",
                            next ? "" : "  in force")) ||
        (next && (rc = rf_buf_printf(b, "  replaced by version %lld\n", next))) ||
        (rc = rf_buf_printf(b, "  file      %s (%s)\n  sha256    %s\n  imported  %s\n"
                               "  entities  %lld, %lld names, %lld warnings\n  lists     ",
                            v->source_file, v->format, v->sha256, v->imported_at, v->entities,
                            v->names, v->warnings)))
        return rc;
    if ((rc = rf_store_version_counts(st, v->id, add_count, &c, err)) != 0) return rc;
    return rf_buf_putc(b, '\n');
}

static int history_jsonl(rf_buf *b, rf_store *st, const rf_version *v, long long next,
                         rf_error *err)
{
    counts_ctx c = {b, 1, 0};
    int rc;
    if ((rc = rf_buf_printf(b, "{\"id\":%lld,\"feed\":", v->id)) ||
        (rc = rf_json_string(b, v->feed)) || (rc = rf_buf_puts(b, ",\"format\":")) ||
        (rc = rf_json_string(b, v->format)) || (rc = rf_buf_puts(b, ",\"published\":")) ||
        (rc = rf_json_string(b, v->published)) || (rc = rf_buf_puts(b, ",\"imported_at\":")) ||
        (rc = rf_json_string(b, v->imported_at)) || (rc = rf_buf_puts(b, ",\"source_file\":")) ||
        (rc = rf_json_string(b, v->source_file)) || (rc = rf_buf_puts(b, ",\"sha256\":")) ||
        (rc = rf_json_string(b, v->sha256)) ||
        (rc = rf_buf_printf(b, ",\"entities\":%lld,\"names\":%lld,\"warnings\":%lld,\"lists\":{",
                            v->entities, v->names, v->warnings)))
        return rc;
    if ((rc = rf_store_version_counts(st, v->id, add_count, &c, err)) != 0) return rc;
    if (next) return rf_buf_printf(b, "},\"replaced_by\":%lld,\"in_force\":false}\n", next);
    return rf_buf_puts(b, "},\"replaced_by\":null,\"in_force\":true}\n");
}

int cli_lists_history(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"feed", required_argument, NULL, 'F'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *feed = NULL;
    int jsonl = 0, c, status = CLI_EXIT_ERROR;
    size_t shown = 0;
    char path[1024];
    rf_store *st = NULL;
    rf_version_list all = {0};
    long long *next = NULL;
    rf_buf b = {0};
    rf_error err;

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "lists history")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'F': feed = optarg; break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0) jsonl = 1;
            else if (strcmp(optarg, "text") == 0) jsonl = 0;
            else return cli_usage_error("lists history", "--format is text or jsonl, not '%s'",
                                        optarg);
            break;
        case 'h': fputs(history_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind < argc)
        return cli_usage_error("lists history", "unexpected argument '%s'", argv[optind]);
    if (cli_db_path(path, sizeof path, db) || cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ))
        return CLI_EXIT_ERROR;

    rf_error_clear(&err);
    if (rf_store_versions_all(&all, st, &err) < 0 ||
        (all.count && !(next = calloc(all.count, sizeof *next)) &&
         rf_error_set(&err, RF_ENOMEM, NULL, 0, "out of memory")) ||
        successors(next, st, &all, &err) < 0)
        goto fail;
    for (size_t i = 0; i < all.count; i++)
        shown += !feed || strcmp(all.items[i].feed, feed) == 0;
    if (!jsonl) {
        printf("database %s\n%zu list version%s%s%s\n", path, shown, shown == 1 ? "" : "s",
               feed ? " of feed " : "", feed ? feed : "");
    }
    for (size_t i = 0; i < all.count; i++) {
        const rf_version *v = &all.items[i];
        if (feed && strcmp(v->feed, feed) != 0) continue;
        if ((jsonl ? history_jsonl(&b, st, v, next[i], &err)
                   : history_text(&b, st, v, next[i], &err)) < 0) {
            if (!err.code) rf_error_set(&err, RF_ENOMEM, NULL, 0, "out of memory");
            goto fail;
        }
        flush_buf(&b, 0, !jsonl);
    }
    if (feed && shown == 0)
        fprintf(stderr, "redflag: no version of feed '%s' (feeds are csl, bis-dpl, ofac-sdn, "
                        "...: see the list above without --feed)\n", feed);
    status = 0;
    goto done;

fail:
    cli_report_error(&err);
done:
    rf_buf_free(&b);
    free(next);
    rf_version_list_free(&all);
    rf_store_close(st);
    return status;
}

/* ---- diff -------------------------------------------------------------------------------- */

typedef struct diff_ctx {
    rf_buf b;
    int jsonl;
} diff_ctx;

/* 1 when `e` has name `n` (same kind and text). */
static int has_name(const rf_entity *e, const rf_name *n)
{
    for (size_t i = 0; i < e->n_names; i++)
        if (e->names[i].kind == n->kind && strcmp(e->names[i].text, n->text) == 0) return 1;
    return 0;
}

static void address_line(rf_buf *out, const rf_address *a)
{
    const char *parts[] = {a->text, a->city, a->country};
    rf_buf_reset(out);
    for (size_t i = 0; i < 3; i++)
        if (parts[i] && parts[i][0])
            rf_buf_printf(out, "%s%s", out->len ? ", " : "", parts[i]);
    rf_buf_append(out, "", 0);
}

static int has_address(const rf_entity *e, const char *line, rf_buf *tmp)
{
    for (size_t i = 0; i < e->n_addresses; i++) {
        address_line(tmp, &e->addresses[i]);
        if (tmp->data && strcmp(tmp->data, line) == 0) return 1;
    }
    return 0;
}

/* Appends the names of `a` that `b` lacks: text "  + name (alias)" lines, or a JSON array. */
static int names_missing(rf_buf *out, const rf_entity *a, const rf_entity *b, const char *mark,
                         int jsonl)
{
    int n = 0, rc = jsonl ? rf_buf_putc(out, '[') : 0;
    for (size_t i = 0; i < a->n_names && !rc; i++) {
        if (has_name(b, &a->names[i])) continue;
        if (jsonl) {
            if ((n++ && (rc = rf_buf_putc(out, ','))) ||
                (rc = rf_buf_printf(out, "{\"kind\":\"%s\",\"name\":",
                                    rf_name_kind_name(a->names[i].kind))) ||
                (rc = rf_json_string(out, a->names[i].text)))
                break;
            rc = rf_buf_putc(out, '}');
        } else {
            rc = rf_buf_printf(out, "           %s name \"%s\" (%s)\n", mark, a->names[i].text,
                               rf_name_kind_name(a->names[i].kind));
        }
    }
    return rc ? rc : jsonl ? rf_buf_putc(out, ']') : 0;
}

static int addresses_missing(rf_buf *out, const rf_entity *a, const rf_entity *b,
                             const char *mark, int jsonl)
{
    rf_buf line = {0}, tmp = {0};
    int n = 0, rc = jsonl ? rf_buf_putc(out, '[') : 0;
    for (size_t i = 0; i < a->n_addresses && !rc; i++) {
        address_line(&line, &a->addresses[i]);
        if (!line.data || has_address(b, line.data, &tmp)) continue;
        if (!jsonl) rc = rf_buf_printf(out, "           %s address \"%s\"\n", mark, line.data);
        else if (!(rc = n++ ? rf_buf_putc(out, ',') : 0)) rc = rf_json_string(out, line.data);
    }
    rf_buf_free(&line);
    rf_buf_free(&tmp);
    return rc ? rc : jsonl ? rf_buf_putc(out, ']') : 0;
}

/* A one-value field's text for people: the value quoted, or "(none)". */
static int quoted(rf_buf *out, const char *s)
{
    return s ? rf_buf_printf(out, "\"%s\"", s) : rf_buf_puts(out, "(none)");
}

static int change_text(rf_buf *b, const rf_change *ch)
{
    const rf_entity *e = ch->after ? ch->after : ch->before;
    int rc;

    if ((rc = rf_buf_printf(b, "%-8s %-6s %s\n", rf_change_kind_name(ch->kind),
                            e->list_code ? e->list_code : "?", e->names[0].text)) ||
        (rc = rf_buf_printf(b, "         id %s", e->source_id ? e->source_id : "(none)")))
        return rc;
    if (e->federal_register && (rc = rf_buf_printf(b, "; %s", e->federal_register))) return rc;
    if (e->start_date && (rc = rf_buf_printf(b, "; listed since %s", e->start_date))) return rc;
    if ((rc = rf_buf_putc(b, '\n'))) return rc;
    if (ch->kind != RF_CHANGE_CHANGED) return 0;
    for (size_t i = 0; i < sizeof rf_entity_fields / sizeof *rf_entity_fields && !rc; i++) {
        rf_entity_field f = rf_entity_fields[i];
        if (!(ch->fields & (unsigned)f)) continue;
        if (f == RF_FIELD_NAMES) {
            rc = names_missing(b, ch->before, ch->after, "-", 0);
            if (!rc) rc = names_missing(b, ch->after, ch->before, "+", 0);
        } else if (f == RF_FIELD_ADDRESSES) {
            rc = addresses_missing(b, ch->before, ch->after, "-", 0);
            if (!rc) rc = addresses_missing(b, ch->after, ch->before, "+", 0);
        } else if (!(rc = rf_buf_printf(b, "           %s: ", rf_entity_field_name(f))) &&
                   !(rc = quoted(b, rf_entity_field_text(ch->before, f))) &&
                   !(rc = rf_buf_puts(b, " -> ")) &&
                   !(rc = quoted(b, rf_entity_field_text(ch->after, f)))) {
            rc = rf_buf_putc(b, '\n');
        }
    }
    return rc;
}

/* The entity as JSON: every one-value field, names and addresses. */
static int entity_json(rf_buf *b, const rf_entity *e)
{
    rf_buf line = {0};
    int rc = rf_buf_puts(b, "{\"source_id\":");
    if (!rc) rc = rf_json_string(b, e->source_id);
    for (size_t i = 0; i < sizeof rf_entity_fields / sizeof *rf_entity_fields && !rc; i++) {
        rf_entity_field f = rf_entity_fields[i];
        if (f == RF_FIELD_NAMES || f == RF_FIELD_ADDRESSES) continue;
        rc = rf_json_field(b, rf_entity_field_name(f), rf_entity_field_text(e, f));
    }
    if (!rc) rc = rf_buf_puts(b, ",\"names\":[");
    for (size_t i = 0; i < e->n_names && !rc; i++)
        if (!(rc = rf_buf_printf(b, "%s{\"kind\":\"%s\",\"name\":", i ? "," : "",
                                 rf_name_kind_name(e->names[i].kind))) &&
            !(rc = rf_json_string(b, e->names[i].text)))
            rc = rf_buf_putc(b, '}');
    if (!rc) rc = rf_buf_puts(b, "],\"addresses\":[");
    for (size_t i = 0; i < e->n_addresses && !rc; i++) {
        address_line(&line, &e->addresses[i]);
        if (!(rc = i ? rf_buf_putc(b, ',') : 0)) rc = rf_json_string(b, line.data);
    }
    rf_buf_free(&line);
    return rc ? rc : rf_buf_puts(b, "]}");
}

static int change_jsonl(rf_buf *b, const rf_change *ch)
{
    const rf_entity *e = ch->after ? ch->after : ch->before;
    int rc;

    if ((rc = rf_buf_printf(b, "{\"change\":\"%s\",\"list\":", rf_change_kind_name(ch->kind))) ||
        (rc = rf_json_string(b, e->list_code)) || (rc = rf_buf_puts(b, ",\"source_id\":")) ||
        (rc = rf_json_string(b, e->source_id)) || (rc = rf_buf_puts(b, ",\"name\":")) ||
        (rc = rf_json_string(b, e->names[0].text)) || (rc = rf_buf_puts(b, ",\"fields\":[")))
        return rc;
    for (size_t i = 0, n = 0; i < sizeof rf_entity_fields / sizeof *rf_entity_fields && !rc; i++)
        if (ch->fields & (unsigned)rf_entity_fields[i])
            rc = rf_buf_printf(b, "%s\"%s\"", n++ ? "," : "",
                               rf_entity_field_name(rf_entity_fields[i]));
    if (rc || (rc = rf_buf_puts(b, "],\"before\":")) ||
        (rc = ch->before ? entity_json(b, ch->before) : rf_buf_puts(b, "null")) ||
        (rc = rf_buf_puts(b, ",\"after\":")) ||
        (rc = ch->after ? entity_json(b, ch->after) : rf_buf_puts(b, "null")))
        return rc;
    if (ch->fields & RF_FIELD_NAMES) {
        if ((rc = rf_buf_puts(b, ",\"names_added\":")) ||
            (rc = names_missing(b, ch->after, ch->before, "+", 1)) ||
            (rc = rf_buf_puts(b, ",\"names_removed\":")) ||
            (rc = names_missing(b, ch->before, ch->after, "-", 1)))
            return rc;
    }
    if (ch->fields & RF_FIELD_ADDRESSES) {
        if ((rc = rf_buf_puts(b, ",\"addresses_added\":")) ||
            (rc = addresses_missing(b, ch->after, ch->before, "+", 1)) ||
            (rc = rf_buf_puts(b, ",\"addresses_removed\":")) ||
            (rc = addresses_missing(b, ch->before, ch->after, "-", 1)))
            return rc;
    }
    return rf_buf_puts(b, "}\n");
}

static int on_change(const rf_change *ch, void *ctx)
{
    diff_ctx *d = ctx;
    int rc = d->jsonl ? change_jsonl(&d->b, ch) : change_text(&d->b, ch);
    return flush_buf(&d->b, rc, !d->jsonl);
}

static void describe(const char *what, const rf_version *v)
{
    printf("%s: %s version %lld, published %s, ", what, v->feed, v->id,
           v->published ? v->published : "(not stated)");
    cli_print_text(stdout, v->source_file); /* a file name or the address a download came from */
    fputc('\n', stdout);
}

int cli_lists_diff(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *list = NULL;
    long long ids[2];
    int c, status = CLI_EXIT_ERROR;
    rf_store *st = NULL;
    rf_version_list old = {0}, new = {0};
    rf_diff_counts n;
    diff_ctx d;
    rf_error err;

    memset(&d, 0, sizeof d);
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "lists diff")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0) d.jsonl = 1;
            else if (strcmp(optarg, "text") == 0) d.jsonl = 0;
            else return cli_usage_error("lists diff", "--format is text or jsonl, not '%s'",
                                        optarg);
            break;
        case 'h': fputs(diff_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (argc - optind == 3) list = argv[optind++];
    if (argc - optind != 2)
        return cli_usage_error("lists diff", "give two version ids, OLD and NEW (and a list "
                                             "code before them to limit the diff to one list)");
    for (int i = 0; i < 2; i++)
        if (parse_id(&ids[i], argv[optind + i]))
            return cli_usage_error("lists diff", "'%s' is not a version id (a number from "
                                                 "`redflag lists history`)",
                                   argv[optind + i]);
    if (cli_open_store(&st, db, CLI_DB_SEED | CLI_DB_READ)) return CLI_EXIT_ERROR;

    rf_error_clear(&err);
    if (rf_store_version_get(&old, st, ids[0], &err) < 0 ||
        rf_store_version_get(&new, st, ids[1], &err) < 0)
        goto fail;
    if (strcmp(old.items[0].feed, new.items[0].feed) != 0)
        fprintf(stderr, "redflag: note: versions of two feeds (%s, %s): an entity matches only "
                        "where both give it the same list code and id\n",
                old.items[0].feed, new.items[0].feed);
    if (!d.jsonl) {
        describe("old", &old.items[0]);
        describe("new", &new.items[0]);
        if (list) printf("list: %s\n", list);
        putchar('\n');
    }
    if (rf_store_diff(&n, st, ids[0], ids[1], list, on_change, &d, &err) < 0) goto fail;
    if (!d.jsonl)
        printf("%s%ld added, %ld removed, %ld changed, %ld unchanged\n",
               n.added + n.removed + n.changed ? "\n" : "", n.added, n.removed, n.changed,
               n.unchanged);
    status = 0;
    goto done;

fail:
    cli_report_error(&err);
done:
    rf_buf_free(&d.b);
    rf_version_list_free(&old);
    rf_version_list_free(&new);
    rf_store_close(st);
    return status;
}
