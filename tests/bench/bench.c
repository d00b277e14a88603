/* bench.c: redflag-bench, the screening benchmark (run by hand, not by ctest). Imports the
 * bundled Consolidated Screening List into a scratch database, loads it and builds the index,
 * then screens 1,000,000 parties (the 73,402 real company names of tests/data/companies and
 * the names of tests/data/eval/parties.csv, cycled) on one thread and on two threads sharing
 * the matcher, and prints each step's time, parties per second and peak RSS.
 *
 * Then the command as an ERP job runs it, each step a `redflag` process timed from start to
 * exit with its own peak RSS: `lists init` (the bundled list imported), `screen` of the same
 * parties as a CSV file (JSON lines out, the run recorded) and the same with --read-only (so
 * the share of recording shows), one UBL order (with the index stored beside the database,
 * and with none, built in memory), and `rescreen` of every counterparty after
 * the November 2023 CSL is imported. Last, pg_trgm.sh's PostgreSQL similarity join on the
 * same parties (a slice: it is slow), as a ratio, with both tools' recall on
 * tests/data/eval. */
#define _DEFAULT_SOURCE /* wait4: the resources of one child, not of all of them */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/rf_engine.h"
#include "importers/rf_importers.h"

#ifndef RF_BENCH_DATA
#define RF_BENCH_DATA "tests/data"
#endif
#ifndef RF_BENCH_REDFLAG
#define RF_BENCH_REDFLAG "build/redflag"
#endif
#ifndef RF_BENCH_SOURCE
#define RF_BENCH_SOURCE "."
#endif

extern char **environ;

static const char usage[] =
    "usage: redflag-bench [--parties N] [--threads N] [--data DIR] [--pg-parties N] [--engine-only]\n"
    "Screens N parties (default 1000000) built from DIR/companies/names.tsv.gz and\n"
    "DIR/eval/parties.csv (default DIR: " RF_BENCH_DATA ") against the bundled list, on one\n"
    "thread and then on --threads threads (default 2); then runs " RF_BENCH_REDFLAG "\n"
    "end to end, and a PostgreSQL pg_trgm join of the first --pg-parties (default 10000).\n"
    "--engine-only skips the command's steps and the join: the engine's rows alone.\n";

/* The distinct parties, cycled to make up the run. Names live in one arena. */
typedef struct party_set {
    rf_buf arena;      /* NUL-terminated names and countries, back to back */
    size_t *name_off;  /* offset of each name in the arena */
    size_t *country_off; /* offset of its country, or (size_t)-1 */
    size_t count, cap;
    size_t companies;  /* how many came from names.tsv.gz */
    rf_party *parties; /* built once the arena stops moving */
} party_set;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int add_party(party_set *set, const char *name, size_t len, const char *country)
{
    if (set->count == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 65536;
        size_t *a = realloc(set->name_off, cap * sizeof *a);
        size_t *b = a ? realloc(set->country_off, cap * sizeof *b) : NULL;
        if (a) set->name_off = a;
        if (!b) return RF_ENOMEM;
        set->country_off = b;
        set->cap = cap;
    }
    set->name_off[set->count] = set->arena.len;
    if (rf_buf_append(&set->arena, name, len) < 0 || rf_buf_putc(&set->arena, '\0') < 0)
        return RF_ENOMEM;
    set->country_off[set->count] = (size_t)-1;
    if (country && *country) {
        set->country_off[set->count] = set->arena.len;
        if (rf_buf_puts(&set->arena, country) < 0 || rf_buf_putc(&set->arena, '\0') < 0)
            return RF_ENOMEM;
    }
    set->count++;
    return 0;
}

/* Adds the name of one `name<TAB>source` line. */
static int add_company_line(party_set *set, const rf_buf *line)
{
    char *tab;
    size_t len;
    if (!line->len) return 0;
    tab = memchr(line->data, '\t', line->len);
    len = tab ? (size_t)(tab - line->data) : line->len;
    return len ? add_party(set, line->data, len, NULL) : 0;
}

/* names.tsv.gz: a header line, then `name<TAB>source` per line. */
static int read_companies(party_set *set, const char *path, rf_error *err)
{
    rf_reader *r = NULL;
    rf_buf line = {0};
    char chunk[65536];
    long n = 0;
    int rc, header = 1;

    if ((rc = rf_reader_open(&r, path, err)) < 0) return rc;
    while (rc == 0 && (n = rf_reader_read(r, chunk, sizeof chunk, err)) > 0) {
        for (long i = 0; i < n && rc == 0; i++) {
            if (chunk[i] != '\n') {
                rc = rf_buf_putc(&line, chunk[i]);
            } else {
                if (!header) rc = add_company_line(set, &line);
                header = 0;
                rf_buf_reset(&line);
            }
        }
    }
    if (rc == 0 && n < 0) rc = (int)n;
    if (rc == 0) rc = add_company_line(set, &line); /* a last line without newline */
    rf_buf_free(&line);
    rf_reader_close(r);
    if (rc == 0) set->companies = set->count;
    return rc;
}

static int collect_party(const rf_party *p, void *ctx)
{
    return add_party(ctx, p->name, strlen(p->name), p->country);
}

/* Points the rf_party records into the arena, now that it no longer grows. */
static int build_parties(party_set *set)
{
    set->parties = calloc(set->count, sizeof *set->parties);
    if (!set->parties) return RF_ENOMEM;
    for (size_t i = 0; i < set->count; i++) {
        rf_party *p = &set->parties[i];
        p->document = "bench";
        p->line = (long)i + 1;
        p->role = "buyer";
        p->name = set->arena.data + set->name_off[i];
        if (set->country_off[i] != (size_t)-1) p->country = set->arena.data + set->country_off[i];
    }
    return 0;
}

typedef struct worker {
    pthread_t thread;
    const rf_matcher *matcher;
    const party_set *set;
    size_t from, to; /* party numbers of this worker: [from, to), cycled over the set */
    long flagged;
    int rc;
    rf_error err;
} worker;

static void *screen_range(void *arg)
{
    worker *w = arg;
    rf_result *res = NULL;
    if ((w->rc = rf_result_new(&res)) < 0) return NULL;
    for (size_t i = w->from; i < w->to; i++) {
        if ((w->rc = rf_matcher_screen(res, w->matcher, &w->set->parties[i % w->set->count],
                                       NULL, &w->err)) < 0)
            break;
        w->flagged += rf_result_count(res) > 0;
    }
    rf_result_free(res);
    return NULL;
}

/* Screens parties [0, total) on `threads` threads; returns seconds, or -1 on failure. */
static double run_screen(long *flagged, const rf_matcher *m, const party_set *set, size_t total,
                         int threads)
{
    worker w[64];
    double t0 = now_seconds();
    *flagged = 0;
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].matcher = m;
        w[i].set = set;
        w[i].from = total * (size_t)i / (size_t)threads;
        w[i].to = total * (size_t)(i + 1) / (size_t)threads;
        if (threads == 1) {
            screen_range(&w[i]);
        } else if (pthread_create(&w[i].thread, NULL, screen_range, &w[i]) != 0) {
            fprintf(stderr, "redflag-bench: cannot start a thread\n");
            exit(1);
        }
    }
    for (int i = 0; i < threads; i++) {
        if (threads > 1) pthread_join(w[i].thread, NULL);
        if (w[i].rc < 0) {
            char msg[2048];
            fprintf(stderr, "redflag-bench: %s\n", rf_error_format(&w[i].err, msg, sizeof msg));
            return -1;
        }
        *flagged += w[i].flagged;
    }
    return now_seconds() - t0;
}

/* Screens parties [0, total) on `threads` threads with a matcher mapped afresh from the index
 * stored beside the database (remembering no party), and prints the row; -1 on failure. */
static int screen_row(long *flagged, const char *what, const rf_snapshot *snap, const rf_store *st,
                      const party_set *set, size_t total, int threads)
{
    rf_matcher *m = NULL;
    rf_error err;
    char msg[2048], label[128];
    double t;
    rf_error_clear(&err);
    if (rf_matcher_open(&m, snap, st, &err) < 0) {
        fprintf(stderr, "redflag-bench: %s\n", rf_error_format(&err, msg, sizeof msg));
        return -1;
    }
    t = run_screen(flagged, m, set, total, threads);
    rf_matcher_free(m);
    if (t < 0) return -1;
    snprintf(label, sizeof label, "%s, %d thread%s", what, threads, threads > 1 ? "s" : "");
    printf("%-44s%8.3f s  %10.0f parties/s  %ld flagged\n", label, t, (double)total / t, *flagged);
    fflush(stdout);
    return 0;
}

/* screen_row on one thread, then on `threads`, which must flag as many parties. */
static int screen_rows(const char *what, const rf_snapshot *snap, const rf_store *st, const party_set *set,
                       size_t total, int threads)
{
    long one, many;
    if (screen_row(&one, what, snap, st, set, total, 1) < 0) return -1;
    if (threads == 1) return 0;
    if (screen_row(&many, what, snap, st, set, total, threads) < 0) return -1;
    if (many != one) {
        fprintf(stderr, "redflag-bench: %d threads flagged %ld parties, 1 thread %ld\n", threads, many, one);
        return -1;
    }
    return 0;
}

/* ---- the command end to end ---------------------------------------------------------------- */

/* How a child process went: wall seconds from start to exit, its CPU seconds (user and
 * system: what a shared machine's load does not stretch), its peak RSS, its exit status. */
typedef struct child_run {
    double seconds, cpu_seconds, rss_mb;
    int status;
} child_run;

/* Runs argv (NULL-terminated, argv[0] a path) with standard output and error appended to
 * `log`; 0 when it ran (whatever its status), -1 when it could not be started. */
static int run_child(child_run *out, char *const argv[], const char *log)
{
    posix_spawn_file_actions_t actions;
    struct rusage ru;
    double t0 = now_seconds();
    pid_t pid;
    int rc, st;

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    rc = posix_spawn(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0 || wait4(pid, &st, 0, &ru) < 0) {
        fprintf(stderr, "redflag-bench: cannot run %s: %s\n", argv[0], strerror(rc ? rc : errno));
        return -1;
    }
    out->seconds = now_seconds() - t0;
    out->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    out->rss_mb = (double)ru.ru_maxrss / 1024.0;
    out->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return 0;
}

/* Runs a redflag command that is expected to exit 0 or 1 (a hit); prints a row for it. */
static int timed_row(child_run *out, const char *label, char *const argv[], const char *log,
                     size_t parties)
{
    if (run_child(out, argv, log) < 0) return -1;
    if (out->status > 1) {
        fprintf(stderr, "redflag-bench: %s: %s exited with status %d (see %s)\n", label,
                argv[1], out->status, log);
        return -1;
    }
    printf("%-44s%8.3f s", label, out->seconds);
    if (parties) printf("  %10.0f parties/s", (double)parties / out->seconds);
    printf("  %7.1f MB peak RSS  %8.3f s CPU\n", out->rss_mb, out->cpu_seconds);
    fflush(stdout);
    return 0;
}

/* Runs argv `runs` times and prints the fastest as timed_row does: one order takes
 * milliseconds, which another job on the machine can double at any moment. */
static int fastest_row(child_run *out, const char *label, char *const argv[], const char *log, int runs)
{
    child_run best = {0};
    for (int i = 0; i < runs; i++) {
        if (run_child(out, argv, log) < 0) return -1;
        if (out->status > 1) {
            fprintf(stderr, "redflag-bench: %s: exited with status %d (see %s)\n", label, out->status, log);
            return -1;
        }
        if (i == 0 || out->seconds < best.seconds) best = *out;
    }
    *out = best;
    printf("%-44s%8.3f s  %7.1f MB peak RSS  %8.3f s CPU  (fastest of %d)\n", label, out->seconds,
           out->rss_mb, out->cpu_seconds, runs);
    fflush(stdout);
    return 0;
}

/* Writes parties [0, total) of `set`, cycled, as a name,country CSV file. */
static int write_parties_csv(const char *path, const party_set *set, size_t total)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs("name,country\n", f);
    for (size_t i = 0; i < total; i++) {
        const rf_party *p = &set->parties[i % set->count];
        fputc('"', f);
        for (const char *c = p->name; *c; c++) {
            if (*c == '"') fputc('"', f);
            fputc(*c, f);
        }
        fprintf(f, "\",%s\n", p->country ? p->country : "");
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* The output of `command` (a shell command line), up to size - 1 bytes, into out. */
static void command_output(char *out, size_t size, const char *command)
{
    FILE *p = popen(command, "r");
    size_t n = 0, got;
    out[0] = '\0';
    if (!p) return;
    while (n + 1 < size && (got = fread(out + n, 1, size - 1 - n, p)) > 0) n += got;
    out[n] = '\0';
    while (fgetc(p) != EOF) continue; /* the rest, unread, so the command is not cut short */
    pclose(p);
}

/* The rest of the first line of `text` that starts with `prefix`, into out ("" if none). */
static void line_after(char *out, size_t size, const char *text, const char *prefix)
{
    size_t len = strlen(prefix);
    out[0] = '\0';
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
        if (strncmp(line, prefix, len) == 0) {
            snprintf(out, size, "%.*s", (int)strcspn(line + len, "\n"), line + len);
            return;
        }
}

/* Every row of the command's table, then the pg_trgm side-by-side. */
static int end_to_end(const party_set *set, size_t total, int threads, size_t pg_parties,
                      const char *dir, const char *data_dir)
{
    char db[600], csv[600], log[600], csl_2023[600], eval_out[600], pg_csv[600], index_dir[700],
        index_aside[700];
    char threads_arg[16], command[4096], output[8192], recall[256], pg_recall[512];
    char pg_line[512];
    char *redflag = RF_BENCH_REDFLAG;
    child_run init, screen, read_only, order, order_ro, order_built, import, rescreen, eval;
    double pg_seconds = 0;
    long pg_count = 0;

    snprintf(db, sizeof db, "%s/e2e.db", dir);
    snprintf(csv, sizeof csv, "%s/parties.csv", dir);
    snprintf(log, sizeof log, "%s/e2e.log", dir);
    snprintf(csl_2023, sizeof csl_2023, "%s/csl_2023-11.csv", dir);
    snprintf(eval_out, sizeof eval_out, "%s/eval.jsonl", dir);
    snprintf(pg_csv, sizeof pg_csv, "%s/pg-parties.csv", dir);
    snprintf(index_dir, sizeof index_dir, "%s.index", db);
    snprintf(index_aside, sizeof index_aside, "%s.index-aside", db);
    snprintf(threads_arg, sizeof threads_arg, "%d", threads);
    setenv("REDFLAG_USER", "bench", 1);
    if (write_parties_csv(csv, set, total) < 0 ||
        write_parties_csv(pg_csv, set, pg_parties < total ? pg_parties : total) < 0) {
        fprintf(stderr, "redflag-bench: cannot write %s: %s\n", csv, strerror(errno));
        return -1;
    }
    /* The November 2023 CSL up to the row it is cut in (see tests/data/MANIFEST.md). */
    snprintf(command, sizeof command,
             "zcat '%s/lists/consolidated_2023-11_partial.csv.gz' | head -n 4232 > '%s'",
             data_dir, csl_2023);
    if (system(command) != 0) {
        fprintf(stderr, "redflag-bench: cannot write %s\n", csl_2023);
        return -1;
    }

    printf("redflag-bench: %zu parties, cycling %zu distinct ones\n\n", total, set->count);
    printf("the command, each step a process from start to exit (%s)\n", redflag);
    {
        char *a_init[] = {redflag, "lists", "init", "--db", db, NULL};
        char *a_screen[] = {redflag, "screen", "--db", db, "--format", "jsonl", "-o",
                            "/dev/null", csv, NULL};
        char *a_ro[] = {redflag, "screen", "--read-only", "--db", db, "--format", "jsonl",
                        "-o", "/dev/null", csv, NULL};
        char order_path[1024];
        char *a_order[] = {redflag, "screen", "--db", db, "--format", "jsonl", "-o",
                           "/dev/null", order_path, NULL};
        /* read-only: nothing recorded, and an index it builds is not stored, so without the
         * stored one every run builds it */
        char *a_order_ro[] = {redflag, "screen", "--read-only", "--db", db, "--format", "jsonl",
                              "-o", "/dev/null", order_path, NULL};
        /* (a cut file: fewer entities than the version it follows) */
        char *a_import[] = {redflag, "lists", "import", "--db", db, "--effective",
                            "2023-11-01", "--allow-shrink", csl_2023, NULL};
        char *a_rescreen[] = {redflag, "rescreen", "--db", db, "--threads", threads_arg,
                              "--format", "jsonl", "-o", "/dev/null", NULL};
        char eval_parties[1024];
        char *a_eval[] = {redflag, "screen", "--read-only", "--db", db, "--format", "jsonl",
                          "-o", eval_out, eval_parties, NULL};
        snprintf(order_path, sizeof order_path, "%s/examples/order-ubl.xml", RF_BENCH_SOURCE);
        snprintf(eval_parties, sizeof eval_parties, "%s/eval/parties.csv", data_dir);
        if (timed_row(&init, "lists init (bundled CSL imported)", a_init, log, 0) < 0 ||
            timed_row(&screen, "screen end to end, run recorded", a_screen, log, total) < 0 ||
            timed_row(&read_only, "screen --read-only (nothing recorded)", a_ro, log, total) < 0)
            return -1;
        printf("%-44s%8.0f %%  of the recorded run's wall time, %.0f %% of its CPU time\n",
               "recording share", 100.0 * (screen.seconds - read_only.seconds) / screen.seconds,
               100.0 * (screen.cpu_seconds - read_only.cpu_seconds) / screen.cpu_seconds);
        /* the evaluation set against the bundled list, before a newer one is in force */
        if (run_child(&eval, a_eval, log) < 0 ||
            fastest_row(&order, "one UBL order, start to exit", a_order, log, 5) < 0 ||
            fastest_row(&order_ro, "the same --read-only (nothing recorded)", a_order_ro, log, 5) < 0)
            return -1;
        /* the same without the stored index: set aside, then put back */
        if (rename(index_dir, index_aside) != 0 ||
            fastest_row(&order_built, "the same, index built (none stored)", a_order_ro, log, 3) < 0 ||
            rename(index_aside, index_dir) != 0)
            return -1;
        if (timed_row(&import, "lists import of the Nov 2023 CSL", a_import, log, 0) < 0 ||
            timed_row(&rescreen, "rescreen of the counterparties after it", a_rescreen, log,
                      0) < 0)
            return -1;
    }
    snprintf(command, sizeof command, "python3 '%s/eval/score.py' '%s/eval/expected.json' '%s'",
             data_dir, data_dir, eval_out);
    command_output(output, sizeof output, command);
    line_after(recall, sizeof recall, output, "recall");

    printf("\nside by side: PostgreSQL pg_trgm, similarity join at 0.6, %zu of the parties\n",
           pg_parties < total ? pg_parties : total);
    fflush(stdout);
    snprintf(command, sizeof command, "bash '%s/tests/bench/pg_trgm.sh' '%s/lists/data/"
             "consolidated_2022-05.csv.gz' '%s' '%s/eval' 2>>'%s'",
             RF_BENCH_SOURCE, RF_BENCH_SOURCE, pg_csv, data_dir, log);
    command_output(output, sizeof output, command);
    line_after(pg_line, sizeof pg_line, output, "pg_trgm skipped");
    if (pg_line[0]) {
        printf("pg_trgm skipped%s\nrecall on tests/data/eval: redflag%s\n", pg_line, recall);
        return 0;
    }
    line_after(pg_line, sizeof pg_line, output, "pg_trgm ");
    line_after(pg_recall, sizeof pg_recall, output, "pg_trgm-recall recall");
    if (sscanf(pg_line, "%ld %lf", &pg_count, &pg_seconds) != 2 || pg_seconds <= 0) {
        fprintf(stderr, "redflag-bench: pg_trgm.sh failed (see %s)\n", log);
        return -1;
    }
    printf("%-44s%8.3f s  %10.0f parties/s\n", "pg_trgm join", pg_seconds,
           (double)pg_count / pg_seconds);
    printf("%-44s%8.0f x  pg_trgm's speed\n", "redflag screen end to end",
           ((double)total / screen.seconds) / ((double)pg_count / pg_seconds));
    printf("recall on tests/data/eval: redflag%s, pg_trgm%s\n", recall, pg_recall);
    return 0;
}

/* Removes the scratch directory and everything the steps wrote into it. */
static void remove_scratch(const char *dir)
{
    char command[700];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fprintf(stderr, "redflag-bench: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    const char *data_dir = RF_BENCH_DATA;
    size_t total = 1000000, pg_parties = 10000;
    int threads = 2, status = 1, engine_only = 0;
    char dir[512], db[600], path[1024], msg[2048];
    const unsigned char *bundle;
    size_t bundle_len;
    const char *bundle_name, *published;
    rf_import_summary sum;
    rf_import_options opts = {0};
    rf_store *st = NULL;
    rf_snapshot *snap = NULL;
    rf_matcher *m = NULL;
    party_set set;
    rf_error err;
    double t, t_import, t_load, t_index, t_store, t_mapped;
    struct rusage ru;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--parties") == 0 && i + 1 < argc) {
            total = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--pg-parties") == 0 && i + 1 < argc) {
            pg_parties = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
        } else if (strcmp(argv[i], "--engine-only") == 0) {
            engine_only = 1;
        } else {
            fputs(usage, strcmp(argv[i], "--help") == 0 ? stdout : stderr);
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    if (total == 0 || threads < 1 || threads > 64) {
        fputs(usage, stderr);
        return 2;
    }

    memset(&set, 0, sizeof set);
    rf_error_clear(&err);
    snprintf(dir, sizeof dir, "%s/redflag-bench-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "redflag-bench: cannot create a scratch directory: %s\n", strerror(errno));
        return 1;
    }
    snprintf(db, sizeof db, "%s/bench.db", dir);

    /* The parties first, so that their reading does not count in any timing. */
    snprintf(path, sizeof path, "%s/companies/names.tsv.gz", data_dir);
    if (read_companies(&set, path, &err) < 0) goto fail;
    snprintf(path, sizeof path, "%s/eval/parties.csv", data_dir);
    if (rf_orders_read(path, NULL, collect_party, &set, &err) < 0) goto fail;
    if (build_parties(&set) < 0) {
        rf_error_set(&err, RF_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }

    /* The command first, while this process is small: a child's peak RSS starts at its
     * parent's (the kernel keeps the larger of the two across exec). */
    if (!engine_only && end_to_end(&set, total, threads, pg_parties ? pg_parties : 1, dir, data_dir) < 0)
        goto done;

    t = now_seconds();
    rf_bundled_list(&bundle, &bundle_len, &bundle_name, &published);
    opts.effective = published;
    if (rf_store_open(&st, db, &err) < 0 ||
        rf_import_list_data(&sum, st, bundle_name, bundle, bundle_len, &opts, &err) < 0)
        goto fail;
    t_import = now_seconds() - t;

    t = now_seconds();
    if (rf_snapshot_load(&snap, st, NULL, &err) < 0) goto fail;
    t_load = now_seconds() - t;

    t = now_seconds();
    if (rf_matcher_new(&m, snap, &err) < 0) goto fail;
    t_index = now_seconds() - t;
    {
        /* The index stored beside the database (built again, then written), then mapped back
         * as a process screening one order does (less the lexicon's copy: this process has
         * built its own already). */
        rf_matcher *stored;
        t = now_seconds();
        if (rf_matcher_open(&stored, snap, st, &err) < 0) goto fail;
        t_store = now_seconds() - t;
        rf_matcher_free(stored);
        t = now_seconds();
        if (rf_matcher_open(&stored, snap, st, &err) < 0) goto fail;
        t_mapped = now_seconds() - t;
        if (!rf_matcher_stored(stored)) {
            fprintf(stderr, "redflag-bench: the index stored beside %s was not used\n", db);
            rf_matcher_free(stored);
            goto done;
        }
        rf_matcher_free(stored);
    }

    printf("\nthe engine in this process: %zu parties, cycling %zu distinct ones (%zu company names, %zu "
           "evaluation parties)\n", total, set.count, set.companies, set.count - set.companies);
    printf("lists: %s, %ld entities, %zu distinct listed names indexed\n\n", bundle_name,
           sum.entities, rf_matcher_name_count(m));
    printf("import (bundled list into a new database)  %8.3f s\n", t_import);
    printf("snapshot load                               %8.3f s\n", t_load);
    printf("index build                                 %8.3f s\n", t_index);
    printf("index build and store beside the database   %8.3f s\n", t_store);
    printf("index load, stored (mapped and checked)     %8.3f s\n", t_mapped);
    fflush(stdout);

    /* The distinct parties once each (what screening a name costs), then the mix of `total`
     * (a batch naming the same counterparties again, answered from the matcher's memory of
     * parties screened). */
    if (screen_rows("screen distinct parties once", snap, st, &set, set.count, threads) < 0 ||
        screen_rows("screen the mix", snap, st, &set, total, threads) < 0)
        goto done;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS                                    %8.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    status = 0;
    goto done;

fail:
    fprintf(stderr, "redflag-bench: %s\n", rf_error_format(&err, msg, sizeof msg));
done:
    rf_matcher_free(m);
    rf_snapshot_free(snap);
    rf_store_close(st);
    remove_scratch(dir);
    free(set.parties);
    free(set.name_off);
    free(set.country_off);
    rf_buf_free(&set.arena);
    return status;
}
