/* bench.c: redflag-bench, the screening benchmark (run by hand, not by ctest). Imports the
 * bundled Consolidated Screening List into a scratch database, loads it and builds the index,
 * then screens 1,000,000 parties (the 73,402 real company names of tests/data/companies and
 * the names of tests/data/eval/parties.csv, cycled) on one thread and on two threads sharing
 * the matcher, and prints each step's time, parties per second and peak RSS. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/rf_engine.h"
#include "importers/rf_importers.h"

#ifndef RF_BENCH_DATA
#define RF_BENCH_DATA "tests/data"
#endif

static const char usage[] =
    "usage: redflag-bench [--parties N] [--threads N] [--data DIR]\n"
    "Screens N parties (default 1000000) built from DIR/companies/names.tsv.gz and\n"
    "DIR/eval/parties.csv (default DIR: " RF_BENCH_DATA ") against the bundled list, on one\n"
    "thread and then on --threads threads (default 2).\n";

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

static void remove_scratch(const char *dir, const char *db)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    char path[1200];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const char *data_dir = RF_BENCH_DATA;
    size_t total = 1000000;
    int threads = 2, status = 1;
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
    double t, t_import, t_load, t_index, t1, tn;
    long flagged1, flaggedn;
    struct rusage ru;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--parties") == 0 && i + 1 < argc) {
            total = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data_dir = argv[++i];
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

    printf("redflag-bench: %zu parties, cycling %zu distinct ones (%zu company names, %zu "
           "evaluation parties)\n", total, set.count, set.companies, set.count - set.companies);
    printf("lists: %s, %ld entities, %zu distinct listed names indexed\n\n", bundle_name,
           sum.entities, rf_matcher_name_count(m));
    printf("import (bundled list into a new database)  %8.3f s\n", t_import);
    printf("snapshot load                               %8.3f s\n", t_load);
    printf("index build                                 %8.3f s\n", t_index);
    fflush(stdout);

    if ((t1 = run_screen(&flagged1, m, &set, total, 1)) < 0) goto done;
    printf("screen, 1 thread                            %8.3f s  %10.0f parties/s  %ld flagged\n",
           t1, (double)total / t1, flagged1);
    fflush(stdout);
    if (threads > 1) {
        if ((tn = run_screen(&flaggedn, m, &set, total, threads)) < 0) goto done;
        printf("screen, %d threads                           %8.3f s  %10.0f parties/s  %ld flagged\n",
               threads, tn, (double)total / tn, flaggedn);
        if (flaggedn != flagged1) {
            fprintf(stderr, "redflag-bench: %d threads flagged %ld parties, 1 thread %ld\n",
                    threads, flaggedn, flagged1);
            goto done;
        }
    }
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
    remove_scratch(dir, db);
    free(set.parties);
    free(set.name_off);
    free(set.country_off);
    rf_buf_free(&set.arena);
    return status;
}
