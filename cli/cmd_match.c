/* cmd_match.c: `redflag match NAME1 NAME2` and `redflag match --pairs FILE.csv`, the tuner's
 * command: the score of two names as screening computes it, with the matcher's word rarity
 * when lists are loaded, and optionally why. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

static const char match_help[] =
    "usage: redflag match [--db PATH | --no-db] [--explain] NAME1 NAME2\n"
    "       redflag match [--db PATH | --no-db] [--explain] --pairs FILE.csv\n"
    "\n"
    "Scores two names against each other the way screening does and explains the score:\n"
    "which words matched how, and which did not. Rare words weigh more than common ones;\n"
    "their rarity comes from the names in the list database.\n"
    "  --db PATH          list database (default: see Environment)\n"
    "  --no-db            do not open a database: every word weighs the same\n"
    "  --pairs FILE.csv   score every row of a CSV file with a header row; the names are in\n"
    "                     the columns headed name1 and name2 (else the first two columns);\n"
    "                     rows starting with # are skipped. Prints CSV: name1,name2,score\n"
    "  --explain          with --pairs, add a column saying why (two names: always shown)\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: 0 done (whatever the score), 2 bad usage, unreadable or malformed input.\n";

/* State of `match --pairs` while libcsv walks the file. */
typedef struct pairs_run {
    const char *path;
    const rf_matcher *matcher;
    int explain;      /* add the explanation column */
    long line;        /* line being parsed, 1-based */
    int header_done;
    int comment_row;  /* this row starts with '#' */
    long field;       /* index of the next field in the row */
    long col1, col2;  /* columns of name1 and name2 */
    rf_buf name1, name2;
    rf_error err;     /* first error; parsing stops mattering once set */
} pairs_run;

static void pairs_field(void *data, size_t len, void *ctx)
{
    pairs_run *run = ctx;
    const char *s = data ? data : "";
    if (run->err.code) return;
    if (run->field == 0 && len > 0 && s[0] == '#') run->comment_row = 1;
    if (run->comment_row) { /* skipped whole */
        run->field++;
        return;
    }
    if (!run->header_done) {
        char head[16];
        size_t n = len < sizeof head - 1 ? len : sizeof head - 1;
        memcpy(head, s, n);
        head[rf_trim(head, n)] = '\0';
        if (strcasecmp(head, "name1") == 0 && run->col1 < 0) run->col1 = run->field;
        if (strcasecmp(head, "name2") == 0 && run->col2 < 0) run->col2 = run->field;
    } else if (run->field == run->col1 || run->field == run->col2) {
        rf_buf *b = run->field == run->col1 ? &run->name1 : &run->name2;
        size_t bad;
        if (len > RF_MAX_FIELD)
            rf_error_set(&run->err, RF_ELIMIT, run->path, run->line, "name longer than %d bytes",
                         RF_MAX_FIELD);
        else if (!rf_utf8_valid(s, len, &bad))
            rf_error_set(&run->err, RF_EFORMAT, run->path, run->line,
                         "invalid UTF-8 at byte %zu of column %ld", bad + 1, run->field + 1);
        else if (rf_buf_append(b, s, len) < 0)
            rf_error_set(&run->err, RF_ENOMEM, run->path, run->line, "out of memory");
    }
    run->field++;
}

static void pairs_row(int terminator, void *ctx)
{
    pairs_run *run = ctx;
    long fields = run->field;
    (void)terminator;
    run->field = 0;
    if (run->err.code) return;
    if (run->comment_row) {
        run->comment_row = 0;
        rf_buf_reset(&run->name1);
        rf_buf_reset(&run->name2);
        return;
    }
    if (!run->header_done) {
        if (run->col1 < 0 || run->col2 < 0) run->col1 = 0, run->col2 = 1;
        run->header_done = 1;
        printf(run->explain ? "name1,name2,score,explanation\n" : "name1,name2,score\n");
        return;
    }
    if (fields <= run->col1 || fields <= run->col2) {
        rf_error_set(&run->err, RF_EFORMAT, run->path, run->line,
                     "row has %ld fields; the names are in columns %ld and %ld", fields,
                     run->col1 + 1, run->col2 + 1);
    } else {
        double score;
        rf_buf why = {0};
        /* rf_buf stays NULL until something is appended: an empty name is "". */
        const char *a = run->name1.len ? run->name1.data : "";
        const char *b = run->name2.len ? run->name2.data : "";
        if (rf_match_pair(&score, run->explain ? &why : NULL, run->matcher, a, b) < 0) {
            rf_error_set(&run->err, RF_EFORMAT, run->path, run->line, "cannot score this pair");
        } else {
            cli_csv_field(stdout, a);
            putchar(',');
            cli_csv_field(stdout, b);
            printf(",%.4f", score);
            if (run->explain) {
                putchar(',');
                cli_csv_field(stdout, why.len ? why.data : "");
            }
            putchar('\n');
        }
        rf_buf_free(&why);
    }
    rf_buf_reset(&run->name1);
    rf_buf_reset(&run->name2);
}

/* Feeds the file to libcsv one line at a time, so that errors can name the line. */
static int match_pairs(const char *path, const rf_matcher *matcher, int explain)
{
    pairs_run run;
    struct csv_parser parser;
    rf_reader *reader = NULL;
    char chunk[65536];
    long n;
    int status = CLI_EXIT_ERROR;

    memset(&run, 0, sizeof run);
    run.path = path;
    run.matcher = matcher;
    run.explain = explain;
    run.line = 1;
    run.col1 = run.col2 = -1;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fprintf(stderr, "redflag: out of memory\n");
        return CLI_EXIT_ERROR;
    }
    if (rf_reader_open(&reader, path, &run.err) < 0) goto done;
    while (!run.err.code && (n = rf_reader_read(reader, chunk, sizeof chunk, &run.err)) > 0) {
        const char *p = chunk, *end = chunk + n;
        while (p < end && !run.err.code) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = (size_t)((nl ? nl + 1 : end) - p);
            if (csv_parse(&parser, p, len, pairs_field, pairs_row, &run) != len)
                rf_error_set(&run.err, RF_EFORMAT, path, run.line, "malformed CSV: %s",
                             csv_strerror(csv_error(&parser)));
            if (nl) run.line++;
            p += len;
        }
    }
    if (!run.err.code && csv_fini(&parser, pairs_field, pairs_row, &run) != 0)
        rf_error_set(&run.err, RF_EFORMAT, path, run.line, "malformed CSV: %s",
                     csv_strerror(csv_error(&parser)));
    if (!run.err.code && !run.header_done)
        rf_error_set(&run.err, RF_EFORMAT, path, 0, "no header row");
    if (!run.err.code) status = 0;

done:
    if (run.err.code) cli_report_error(&run.err);
    csv_free(&parser);
    rf_reader_close(reader);
    rf_buf_free(&run.name1);
    rf_buf_free(&run.name2);
    return status;
}

int cli_match(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"no-db", no_argument, NULL, 'n'},
        {"pairs", required_argument, NULL, 'p'},
        {"explain", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *pairs = NULL;
    int no_db = 0, explain = 0, c, status = CLI_EXIT_ERROR;
    cli_lists_loaded lists = {0};

    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "match")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n': no_db = 1; break;
        case 'p': pairs = optarg; break;
        case 'e': explain = 1; break;
        case 'h': fputs(match_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (db && no_db) return cli_usage_error("match", "--db and --no-db exclude each other");
    if (pairs ? optind != argc : argc - optind != 2)
        return cli_usage_error("match", pairs ? "--pairs takes no names" : "give two names");
    if (!pairs && (!rf_utf8_valid(argv[optind], strlen(argv[optind]), NULL) ||
                   !rf_utf8_valid(argv[optind + 1], strlen(argv[optind + 1]), NULL)))
        return cli_usage_error("match", "the names must be valid UTF-8");
    if (!no_db && cli_load(&lists, db, NULL)) return CLI_EXIT_ERROR;

    if (pairs) {
        status = match_pairs(pairs, lists.matcher, explain);
    } else {
        double score;
        rf_buf why = {0};
        if (rf_match_pair(&score, &why, lists.matcher, argv[optind], argv[optind + 1]) < 0) {
            fprintf(stderr, "redflag: cannot score these names\n");
        } else {
            printf("score: %.4f\n", score);
            printf("why: ");
            cli_print_text(stdout, why.len ? why.data : "");
            putchar('\n');
            if (lists.matcher)
                printf("weights: word rarity among the %zu listed names in force\n",
                       rf_matcher_name_count(lists.matcher));
            else
                printf("weights: every word the same (--no-db)\n");
            status = 0;
        }
        rf_buf_free(&why);
    }
    cli_unload(&lists);
    return status;
}
