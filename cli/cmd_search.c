/* cmd_search.c: `redflag search NAME`, the reviewer's look-up: one name against the lists, as
 * a table or JSON lines, with why each listed name matched. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char search_help[] =
    "usage: redflag search [--db PATH] [--format table|jsonl] [--threshold X] [--country CC]\n"
    "                      [--max-hits N] [--as-of DATE] [--exhaustive] NAME...\n"
    "\n"
    "Looks one name up in the list versions in force (the words of NAME are joined with\n"
    "spaces, so quotes are optional) and prints its hits, best first: score, list, the\n"
    "entity's listed name, the name that matched (primary name or alias), Federal Register\n"
    "notice and license review policy, then why each matched.\n"
    "  --db PATH          list database (default: see Environment)\n"
    "  --format FMT       table (default) or jsonl (the same objects as screen --format jsonl)\n"
    "  --threshold X      lowest score that counts as a hit (default 0.80); lower it to see\n"
    "                     near misses\n"
    "  --country CC       the party's country (ISO 3166 alpha-2), as corroboration\n"
    "  --max-hits N       at most N hits (default 10)\n"
    "  --as-of DATE       search the versions in force on DATE (YYYY-MM-DD)\n"
    "  --exhaustive       score every listed name instead of the index's candidates: the\n"
    "                     same hits, far slower (the check the index is tested against)\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 no hit at the threshold, 1 at least one hit, 2 bad usage or a database\n"
    "error.\n";

/* ---- search ------------------------------------------------------------------------------ */

/* Joins argv[from..argc) with single spaces. */
static char *join_words(int argc, char **argv, int from)
{
    rf_buf b = {0};
    for (int i = from; i < argc; i++)
        if ((i > from && rf_buf_putc(&b, ' ') < 0) || rf_buf_puts(&b, argv[i]) < 0) {
            rf_buf_free(&b);
            return NULL;
        }
    return rf_buf_detach(&b);
}

/* One padded cell of the hit table and the space after it. */
static void table_cell(const char *s, int width)
{
    cli_print_cell(stdout, s, width, 1);
    putchar(' ');
}

static void print_table(const rf_result *res, const char *name, const cli_lists_loaded *lists,
                        double threshold)
{
    size_t n = rf_result_count(res);

    printf("%s: %zu hit%s at score %.2f or more, among %zu listed names of %zu entities\n\n",
           name, n, n == 1 ? "" : "s", threshold, rf_matcher_name_count(lists->matcher),
           rf_snapshot_count(lists->snap));
    if (!n) return;
    printf("  # SCORE ");
    table_cell("LIST", 6);
    table_cell("LISTED NAME", 44);
    table_cell("MATCHED NAME", 34);
    table_cell("FR NOTICE", 24);
    printf("LICENSE POLICY\n");
    for (size_t i = 0; i < n; i++) {
        const rf_hit *h = rf_result_hit(res, i);
        const rf_entity *e = h->entity;
        printf("%3zu %5.3f ", i + 1, h->score);
        table_cell(e->list_code, 6);
        table_cell(e->n_names ? e->names[0].text : "", 44);
        table_cell(h->name_index < e->n_names ? e->names[h->name_index].text : "", 34);
        table_cell(e->federal_register, 24);
        cli_print_cell(stdout, e->license_policy, 40, 0);
        putchar('\n');
    }
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        const rf_hit *h = rf_result_hit(res, i);
        const rf_entity *e = h->entity;
        /* Names and addresses come from list files: printed without control characters. */
        printf("[%zu] ", i + 1);
        cli_print_text(stdout, e->n_names ? e->names[0].text : "?");
        printf(" (%s), ", rf_entity_type_name(e->type));
        cli_print_text(stdout, e->list_name ? e->list_name : e->list_code);
        printf(", %s id ", e->list_code);
        cli_print_text(stdout, e->source_id ? e->source_id : "?");
        if (e->start_date) printf(", listed since %s", e->start_date);
        for (size_t a = 0; a < e->n_addresses && a < 3; a++) {
            const rf_address *ad = &e->addresses[a];
            const char *parts[3] = {ad->text, ad->city, ad->country};
            printf("\n    address:");
            for (int k = 0, first = 1; k < 3; k++)
                if (parts[k] && *parts[k]) {
                    printf("%s ", first ? "" : ",");
                    cli_print_text(stdout, parts[k]);
                    first = 0;
                }
        }
        if (e->n_addresses > 3) printf("\n    (%zu more addresses)", e->n_addresses - 3);
        if (e->license_requirement) {
            printf("\n    license requirement: ");
            cli_print_text(stdout, e->license_requirement);
        }
        printf("\n    why: ");
        cli_print_text(stdout, h->explanation);
        putchar('\n');
    }
}

/* The search as one JSON line, written by the same writer as `screen --format jsonl`. */
static int print_jsonl(const rf_party *party, const rf_result *res, const cli_lists_loaded *lists,
                       double threshold)
{
    rf_report_context ctx = {0};
    rf_report *rep = NULL;
    rf_error err;
    char now[32];

    rf_error_clear(&err);
    rf_time_utc(now);
    ctx.versions = rf_snapshot_versions(lists->snap);
    ctx.threshold = threshold;
    ctx.as_of = NULL;
    ctx.generated_at = now;
    ctx.tool_version = RF_VERSION;
    if (rf_report_open(&rep, RF_REPORT_JSONL, stdout, &ctx, &err) < 0 ||
        rf_report_add(rep, party, res, &err) < 0) {
        rf_report_free(rep);
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    if (rf_report_close(rep, &err) < 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

int cli_search(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"threshold", required_argument, NULL, 't'},
        {"country", required_argument, NULL, 'c'},
        {"max-hits", required_argument, NULL, 'x'},
        {"as-of", required_argument, NULL, 'a'},
        {"exhaustive", no_argument, NULL, 'E'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *as_of = NULL;
    rf_match_options opts = {0};
    rf_party party;
    cli_lists_loaded lists;
    rf_result *res = NULL;
    char *name = NULL;
    int jsonl = 0, c, status = CLI_EXIT_ERROR;
    rf_error err;

    memset(&party, 0, sizeof party);
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "search")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'f':
            if (strcmp(optarg, "jsonl") == 0) jsonl = 1;
            else if (strcmp(optarg, "table") == 0) jsonl = 0;
            else return cli_usage_error("search", "--format is table or jsonl, not '%s'", optarg);
            break;
        case 't':
            if (cli_parse_threshold(&opts.threshold, optarg))
                return cli_usage_error("search", "--threshold wants a number in (0, 1], not '%s'",
                                       optarg);
            break;
        case 'c': party.country = optarg; break;
        case 'x':
            if (cli_parse_count(&opts.max_hits, optarg, 1000))
                return cli_usage_error("search", "--max-hits wants a number from 1 to 1000");
            break;
        case 'a':
            if (!rf_date_valid(optarg))
                return cli_usage_error("search", "--as-of wants a date YYYY-MM-DD, not '%s'",
                                       optarg);
            as_of = optarg;
            break;
        case 'E': opts.exhaustive = 1; break;
        case 'h': fputs(search_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind >= argc) return cli_usage_error("search", "no name to search for");
    name = join_words(argc, argv, optind);
    if (!name) return CLI_EXIT_ERROR;
    if (!rf_utf8_valid(name, strlen(name), NULL)) {
        free(name);
        return cli_usage_error("search", "the name is not valid UTF-8");
    }
    if (cli_load(&lists, db, as_of)) {
        free(name);
        return CLI_EXIT_ERROR;
    }
    party.document = "(command line)";
    party.role = "query";
    party.name = name;
    rf_error_clear(&err);
    if (rf_result_new(&res) < 0 || rf_matcher_screen(res, lists.matcher, &party, &opts, &err) < 0) {
        if (!err.code) rf_error_set(&err, RF_ENOMEM, NULL, 0, "out of memory");
        cli_report_error(&err);
        goto done;
    }
    {
        double threshold = opts.threshold > 0 ? opts.threshold : RF_DEFAULT_THRESHOLD;
        if (jsonl) {
            if (print_jsonl(&party, res, &lists, threshold)) goto done;
        } else {
            print_table(res, name, &lists, threshold);
        }
    }
    status = rf_result_count(res) ? CLI_EXIT_HIT : CLI_EXIT_CLEAR;

done:
    rf_result_free(res);
    cli_unload(&lists);
    free(name);
    return status;
}
