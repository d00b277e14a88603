/* test_index_oracle.c: the candidate index against exhaustive screening (every listed name
 * scored), on random variants of random listed names of the bundled list: the way buyers and
 * evaders write them (shortened, one word, typos, words split or joined, extra words, other
 * order, people's names turned round or reduced to initials, invisible or look-alike
 * characters, cut at a field's length). Screening through the index must return exactly the hits of the exhaustive
 * mode, with the same scores, also under a cap on hits. A new seed each run, printed;
 * RF_ORACLE_SEED=N replays one, RF_ORACLE_QUERIES=N sets how many queries (default 10,000),
 * RF_ORACLE_FAMILY="cut at a length" draws them all of one family (to search one for losses).
 *
 * The goal is no query where they differ (issue 11). The index bounds every name it finds
 * and scores a name only when that upper bound on its score reaches the threshold, a bound
 * that never drops such a name (index.c, score_bound), so what it loses are names its words
 * do not find. Measured at 10,000 queries: seeds 1 to 10 and 21 to 26 lose none. Seeds 10, 21,
 * 22, 23, 24 and one of CI (1689307752615) lost seven before the places of the lists' addresses were filed under their
 * telling typos ("KHORASAN", "ELLISSA"), a person's words of six to eight letters under their
 * deletions of two letters ("CHAPARRO": CHAPARRITO), short words read back from OCR ("GLA":
 * Gia), every word of a form with doubled letters made single ("TATaA": TAATTA, not only
 * TATA), and the words of a listed phrase in a name of business words only under their pairs
 * ("FONDO DE vINVERSIONES DE VENEZUELA"); engine_matching keeps each as a row. Seeds 1 and 2 lost 3 and 2 before the index found a word run together from two listed
 * words with typos ("Microelectronics": AMIRCO ELECTRONICS), numbers by the words they are
 * written as ("Seco nd": SECOND), two stop words written as one ("EL A.": ELA) and a
 * business word misspelt across two words ("DIM OND": DIAMOND); seeds 5, 6 and 8 then still
 * lost 2, 1 and 1 of two party words written together with a typo ("Kuang-Chi": 旷视,
 * "Abdel-Rahman": ABDELRAHMMAN, "THAEPYONG San") and a title misspelt ("HAJI A.": Hajii
 * Abdallah). 10,000 queries lost 70 and 97 (seeds 1, 2) when the index bounded only the 32
 * names with the most of the party's words. CI's seed 1639457426533 and seed 62 lost a legal
 * form run into a misspelt word ("JSC'SZMN'": JSC 'SMN') and two known words written together
 * with a letter added ("Mel com": Mecom), both found since. CI's seed 2216498248981 lost a
 * name cut at a field's length whose last word, read as the listed word it begins, is a typo
 * from another ("...'LADOGS": LADOGA MENEDZHMENT), and 8,000 cut names one whose cut fragment
 * hid a name of weak words ("VIETNAM-RUSSIA JOINT VENTURE B"); found since. When the cut word
 * came to pair with any listed word it begins, a first version lost "PUBLIC JOINT STOCK
 * COMPANY GAZPRΟM" (a Greek omicron) for GAZPROMBANK until the index read the telling words a
 * cut word begins (rf_matcher.cut_forms). CI's seed 2067792350960 lost "SAOC", a legal form as
 * written that the scorer pairs with the listed words ASOC and SACO as typos; the typos of
 * legal forms are looked up since. Seed 10127939 lost "OTKRYTOYE AKTSIONERNOYE OBSCHESTVO
 * INTE" for IS BANK, AO: a false alarm (the cut word read as the Danish legal form I/S, whose
 * canonical "is" spelt the listed word IS), which the scorer no longer makes. Not looked for
 * yet: a typo in each of two known party words written together. The test allows no query to
 * differ. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/rf_engine.h"
#include "rf_test.h"

#define QUERY_CAP 1024
#define MAX_WORDS 24
#define CAPPED_HITS 3
/* Exhaustive screening costs about 30 ms a query: two threads share the work. */
#define ORACLE_THREADS 2

typedef enum family {
    FAM_SHORTENED,
    FAM_ONE_WORD,
    FAM_TYPO,
    FAM_TWO_TYPOS,
    FAM_SPLIT,
    FAM_JOINED,
    FAM_EXTRA_WORDS,
    FAM_ORDER,
    FAM_PERSON,
    FAM_INVISIBLE,
    FAM_LOOKALIKE,
    FAM_FULLWIDTH,
    FAM_CUT,
    FAM_COUNT
} family;

static const char *const family_names[FAM_COUNT] = {
    "shortened", "one word", "one typo", "two typos", "word split", "words joined",
    "extra words", "word order", "person's name", "invisible char", "look-alike letter",
    "fullwidth letters", "cut at a length"};

typedef struct fixture {
    rf_store *store;
    rf_snapshot *snap;
    rf_matcher *matcher;
} fixture;

static uint64_t rng_state;

/* xorshift64*: reproducible from the printed seed on every platform. */
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || rf_test_bundled(&f->store, &f->snap, &f->matcher, "oracle.db") != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rf_matcher_free(f->matcher);
    rf_snapshot_free(f->snap);
    rf_store_close(f->store);
    free(f);
    return 0;
}

/* ---- variants ------------------------------------------------------------------------- */

/* A name cut into words at spaces (commas and other punctuation stay in the words). */
typedef struct words {
    char buf[QUERY_CAP];
    char *w[MAX_WORDS];
    size_t n;
} words;

static void split_words(words *ws, const char *name)
{
    char *p;
    snprintf(ws->buf, sizeof ws->buf, "%s", name);
    ws->n = 0;
    for (p = strtok(ws->buf, " "); p && ws->n < MAX_WORDS; p = strtok(NULL, " ")) ws->w[ws->n++] = p;
}

static void join_words(char *out, size_t cap, char *const *w, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, i ? " %s" : "%s", w[i]);
}

/* 1 for the words of legal forms and the like, which orders often leave out. */
static int legal_word(const char *w)
{
    static const char *const legal[] = {"co", "co.", "co.,", "ltd", "ltd.", "limited", "llc", "inc", "inc.",
                                        "corp", "corp.", "corporation", "company", "jsc", "ojsc", "pjsc",
                                        "cjsc", "ooo", "oao", "zao", "pao", "joint", "stock", "public",
                                        "open", "closed", "gmbh", "ag", "sa", "s.a.", "plc", "fze", "fzco",
                                        "llp", "l.l.c.", "limited.", "co.ltd", "ltd.,", "liability",
                                        "society", "with"};
    char low[64];
    size_t n = strlen(w);
    if (n >= sizeof low) return 0;
    for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)w[i]);
    while (n && (low[n - 1] == ',' || low[n - 1] == ';')) low[--n] = '\0';
    for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++)
        if (strcmp(low, legal[i]) == 0) return 1;
    return 0;
}

/* Index of a random word of at least `min` bytes, all ASCII letters, or -1. */
static int random_plain_word(const words *ws, size_t min)
{
    int pick[MAX_WORDS], n = 0;
    for (size_t i = 0; i < ws->n; i++) {
        size_t len = strlen(ws->w[i]), k;
        for (k = 0; k < len && isalpha((unsigned char)ws->w[i][k]); k++) {}
        if (len >= min && k == len) pick[n++] = (int)i;
    }
    return n ? pick[rnd((uint32_t)n)] : -1;
}

/* One edit at a random place of word w (in place; `cap` bytes): a letter replaced, dropped,
 * added, or two swapped. */
static void one_edit(char *w, size_t cap)
{
    size_t len = strlen(w), at = rnd((uint32_t)len);
    char c = (char)('a' + rnd(26));
    switch (rnd(4)) {
    case 0: w[at] = c == w[at] ? (char)(c == 'z' ? 'a' : c + 1) : c; break;
    case 1:
        if (len > 1) memmove(w + at, w + at + 1, len - at);
        break;
    case 2:
        if (len + 2 <= cap) {
            memmove(w + at + 1, w + at, len - at + 1);
            w[at] = c;
        }
        break;
    default:
        if (at + 1 < len) {
            char t = w[at];
            w[at] = w[at + 1];
            w[at + 1] = t;
        }
    }
}

/* Appends the UTF-8 of code point cp. */
static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* The Cyrillic or Greek letter that looks like ASCII letter c, or 0. */
static uint32_t lookalike(char c)
{
    switch (c) {
    case 'a': return 0x0430;
    case 'e': return 0x0435;
    case 'o': return 0x043E;
    case 'p': return 0x0440;
    case 'c': return 0x0441;
    case 'x': return 0x0445;
    case 'y': return 0x0443;
    case 'i': return 0x0456;
    case 'A': return 0x0391;
    case 'B': return 0x0392;
    case 'E': return 0x0395;
    case 'H': return 0x0397;
    case 'K': return 0x039A;
    case 'M': return 0x039C;
    case 'O': return 0x039F;
    case 'T': return 0x03A4;
    default: return 0;
    }
}

/* Writes a variant of `name` of family `fam` into out; 0 when this name has none. */
static int make_variant(char *out, size_t cap, const char *name, const rf_entity *ent, family fam)
{
    words ws;
    char *kept[MAX_WORDS];
    size_t nk = 0;
    int i;

    split_words(&ws, name);
    if (ws.n == 0) return 0;
    switch (fam) {
    case FAM_SHORTENED:
        for (size_t k = 0; k < ws.n; k++)
            if (!legal_word(ws.w[k])) kept[nk++] = ws.w[k];
        if (nk == 0 || nk == ws.n) return 0;
        join_words(out, cap, kept, nk);
        return 1;
    case FAM_ONE_WORD: {
        size_t best = 0;
        for (size_t k = 1; k < ws.n; k++)
            if (strlen(ws.w[k]) > strlen(ws.w[best])) best = k;
        snprintf(out, cap, "%s", ws.w[best]);
        return 1;
    }
    case FAM_TYPO:
    case FAM_TWO_TYPOS: {
        char word[128];
        if ((i = random_plain_word(&ws, 4)) < 0) return 0;
        snprintf(word, sizeof word, "%s", ws.w[i]);
        one_edit(word, sizeof word);
        if (fam == FAM_TWO_TYPOS) one_edit(word, sizeof word);
        ws.w[i] = word;
        join_words(out, cap, ws.w, ws.n);
        return 1;
    }
    case FAM_SPLIT: {
        char a[128], b[128];
        size_t len, at;
        if ((i = random_plain_word(&ws, 6)) < 0) return 0;
        len = strlen(ws.w[i]);
        at = 2 + rnd((uint32_t)(len - 3));
        snprintf(a, sizeof a, "%.*s", (int)at, ws.w[i]);
        snprintf(b, sizeof b, "%s", ws.w[i] + at);
        for (size_t k = 0; k < ws.n; k++) {
            if ((int)k == i) {
                kept[nk++] = a;
                if (nk < MAX_WORDS) kept[nk++] = b;
            } else if (nk < MAX_WORDS) {
                kept[nk++] = ws.w[k];
            }
        }
        join_words(out, cap, kept, nk);
        return 1;
    }
    case FAM_JOINED: {
        size_t at, len = 0;
        if (ws.n < 2) return 0;
        at = rnd((uint32_t)(ws.n - 1));
        for (size_t k = 0; k < ws.n && len + 1 < cap; k++)
            len += (size_t)snprintf(out + len, cap - len, k == 0 || k == at + 1 ? "%s" : " %s", ws.w[k]);
        return 1;
    }
    case FAM_CUT: {
        /* cut at a field's length, 30 to 40 bytes (EDIFACT's 35, SAP's 40), between
         * characters */
        size_t at = 30 + rnd(11);
        if (strlen(name) <= at) return 0;
        while (at > 0 && ((unsigned char)name[at] & 0xC0) == 0x80) at--;
        snprintf(out, cap, "%.*s", (int)at, name);
        return 1;
    }
    case FAM_EXTRA_WORDS: {
        static const char *const extra[] = {"Sales Division", "Export Dept", "Purchasing", "Branch Office",
                                            "Trading", "International", "Group", "Holding", "(Head Office)",
                                            "Shenzhen Branch", "Logistics", "Technologies"};
        const char *e = extra[rnd(sizeof extra / sizeof extra[0])];
        if (rnd(4)) snprintf(out, cap, "%s %s", name, e);
        else snprintf(out, cap, "%s %s", e, name);
        return 1;
    }
    case FAM_ORDER:
        if (ws.n < 2) return 0;
        for (size_t k = ws.n - 1; k > 0; k--) {
            size_t j = rnd((uint32_t)(k + 1));
            char *t = ws.w[k];
            ws.w[k] = ws.w[j];
            ws.w[j] = t;
        }
        join_words(out, cap, ws.w, ws.n);
        return 1;
    case FAM_PERSON: {
        char initial[4];
        if (ent->type != RF_ENTITY_PERSON || ws.n < 2) return 0;
        if (rnd(2)) {
            /* Surname first: "SMITH, John" for "John Smith", "John Smith" for "SMITH, John". */
            char *comma = strchr(name, ',');
            if (comma) snprintf(out, cap, "%s %.*s", comma + 1 + (comma[1] == ' '), (int)(comma - name), name);
            else snprintf(out, cap, "%s, %.*s", ws.w[ws.n - 1], (int)(ws.w[ws.n - 1] - ws.buf - 1), name);
            return 1;
        }
        /* A given name as its initial. */
        i = (int)rnd((uint32_t)ws.n);
        snprintf(initial, sizeof initial, "%c.", ws.w[i][0]);
        ws.w[i] = initial;
        join_words(out, cap, ws.w, ws.n);
        return 1;
    }
    case FAM_INVISIBLE: {
        static const uint32_t invisible[] = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD};
        size_t len = strlen(name), at, n;
        if ((i = random_plain_word(&ws, 4)) < 0) return 0;
        at = (size_t)(ws.w[i] - ws.buf) + 1 + rnd((uint32_t)(strlen(ws.w[i]) - 1));
        if (len + 4 > cap) return 0;
        memcpy(out, name, at);
        n = put_utf8(out + at, invisible[rnd(sizeof invisible / sizeof invisible[0])]);
        memcpy(out + at + n, name + at, len - at + 1);
        return 1;
    }
    case FAM_LOOKALIKE: {
        size_t len = strlen(name), o = 0, swapped = 0;
        for (size_t k = 0; k < len && o + 4 < cap; k++) {
            uint32_t cp = lookalike(name[k]);
            if (cp && !swapped && rnd(3) == 0) {
                o += put_utf8(out + o, cp);
                swapped = 1;
            } else {
                out[o++] = name[k];
            }
        }
        out[o] = '\0';
        return swapped > 0;
    }
    case FAM_FULLWIDTH: {
        size_t len = strlen(name), o = 0;
        for (size_t k = 0; k < len && o + 4 < cap; k++) {
            unsigned char c = (unsigned char)name[k];
            if (c >= '!' && c <= '~') o += put_utf8(out + o, 0xFF01 + (uint32_t)(c - '!'));
            else out[o++] = (char)c;
        }
        out[o] = '\0';
        return 1;
    }
    case FAM_COUNT: break;
    }
    return 0;
}

/* ---- the comparison --------------------------------------------------------------------- */

/* 1 when both results hold the same entities with the same scores and names, in the same
 * order; else prints what the index lost (or added) and returns 0. */
static int same_hits(const rf_result *ix, const rf_result *ex, const char *query, const char *cap_note)
{
    size_t ni = rf_result_count(ix), ne = rf_result_count(ex);
    int same = ni == ne;
    for (size_t k = 0; same && k < ne; k++) {
        const rf_hit *a = rf_result_hit(ix, k), *b = rf_result_hit(ex, k);
        same = a->entity == b->entity && a->score == b->score && a->name_index == b->name_index;
    }
    if (same) return 1;
    for (size_t k = 0; k < ne; k++) {
        const rf_hit *b = rf_result_hit(ex, k);
        const rf_hit *a = NULL;
        for (size_t j = 0; j < ni && !a; j++)
            if (rf_result_hit(ix, j)->entity == b->entity) a = rf_result_hit(ix, j);
        if (!a || a->score != b->score)
            fprintf(stderr, "  LOST%s: query \"%s\": %s id %s \"%s\" (via \"%s\") scores %.4f, indexed %s%.4f\n",
                    cap_note, query, b->entity->list_code, b->entity->source_id ? b->entity->source_id : "?",
                    b->entity->names[0].text, b->entity->names[b->name_index].text, b->score,
                    a ? "" : "nothing, best ", a ? a->score : (ni ? rf_result_hit(ix, 0)->score : 0.0));
    }
    if (ni != ne) fprintf(stderr, "  query \"%s\"%s: %zu hits indexed, %zu exhaustive\n", query, cap_note, ni, ne);
    return 0;
}

/* One query, drawn before the workers start (so that a seed gives the same queries). */
typedef struct query {
    char text[QUERY_CAP];
    const char *country;
    family fam;
    int differs;
    size_t hits;
} query;

/* A worker: screens queries[from, to) both ways with its own results. */
typedef struct worker {
    const fixture *f;
    query *queries;
    long from, to;
    int rc;
    double indexed_s, exhaustive_s;
} worker;

static double now_cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *work(void *arg)
{
    worker *w = arg;
    rf_result *ix = NULL, *ex = NULL;
    w->rc = rf_result_new(&ix);
    if (w->rc == RF_OK) w->rc = rf_result_new(&ex);
    for (long k = w->from; k < w->to && w->rc == RF_OK; k++) {
        query *q = &w->queries[k];
        rf_party p = {0};
        rf_match_options opts = {0};
        rf_error err = {0};
        double t0 = now_cpu(), t1;
        p.document = "oracle";
        p.name = q->text;
        p.country = q->country;
        opts.max_hits = 1000;
        w->rc = rf_matcher_screen(ix, w->f->matcher, &p, &opts, &err);
        t1 = now_cpu();
        w->indexed_s += t1 - t0;
        opts.exhaustive = 1;
        if (w->rc == RF_OK) w->rc = rf_matcher_screen(ex, w->f->matcher, &p, &opts, &err);
        w->exhaustive_s += now_cpu() - t1;
        if (w->rc != RF_OK) break;
        q->hits = rf_result_count(ex);
        q->differs = !same_hits(ix, ex, q->text, "");
        /* Under a cap on hits, the same best ones. */
        if (!q->differs && rf_result_count(ex) > CAPPED_HITS) {
            opts.max_hits = CAPPED_HITS;
            w->rc = rf_matcher_screen(ex, w->f->matcher, &p, &opts, &err);
            opts.exhaustive = 0;
            if (w->rc == RF_OK) w->rc = rf_matcher_screen(ix, w->f->matcher, &p, &opts, &err);
            q->differs = w->rc == RF_OK && !same_hits(ix, ex, q->text, " (max 3 hits)");
        }
    }
    rf_result_free(ix);
    rf_result_free(ex);
    return NULL;
}

static void test_index_oracle__index_loses_no_hit(void **state)
{
    fixture *f = *state;
    const char *seed_env = getenv("RF_ORACLE_SEED"), *count_env = getenv("RF_ORACLE_QUERIES"),
               *family_env = getenv("RF_ORACLE_FAMILY");
    unsigned long long seed = seed_env ? strtoull(seed_env, NULL, 10)
                                       : (unsigned long long)time(NULL) ^ ((unsigned long long)clock() << 20);
    long n = count_env ? strtol(count_env, NULL, 10) : 10000;
    long made[FAM_COUNT] = {0}, lost[FAM_COUNT] = {0}, pairs = 0, failures = 0, done = 0;
    size_t n_entities = rf_snapshot_count(f->snap);
    query *queries = calloc(n > 0 ? (size_t)n : 1, sizeof *queries);
    worker workers[ORACLE_THREADS];
    pthread_t threads[ORACLE_THREADS];
    double indexed_s = 0, exhaustive_s = 0;

    int only = -1;

    assert_non_null(queries);
    for (int k = 0; family_env && k < FAM_COUNT; k++)
        if (strcmp(family_env, family_names[k]) == 0) only = k;
    if (family_env && only < 0) fail_msg("RF_ORACLE_FAMILY=\"%s\" names no family", family_env);
    if (seed == 0) seed = 1;
    rng_state = seed;
    fprintf(stderr, "engine_index_oracle: seed %llu (RF_ORACLE_SEED=%llu replays it), %ld queries\n", seed, seed, n);
    while (done < n) {
        const rf_entity *ent = rf_snapshot_entity(f->snap, rnd((uint32_t)n_entities));
        query *q = &queries[done];
        const char *name;
        if (ent->n_names == 0) continue;
        name = ent->names[rnd((uint32_t)ent->n_names)].text;
        q->fam = only >= 0 ? (family)only : (family)(done % FAM_COUNT);
        if (!name || strlen(name) + 8 > QUERY_CAP / 4 || !make_variant(q->text, sizeof q->text, name, ent, q->fam))
            continue;
        /* Now and then the listed country, which raises scores. */
        if (rnd(3) == 0 && ent->n_addresses && ent->addresses[0].country) q->country = ent->addresses[0].country;
        done++;
    }
    for (int t = 0; t < ORACLE_THREADS; t++) {
        workers[t].f = f;
        workers[t].queries = queries;
        workers[t].from = n * t / ORACLE_THREADS;
        workers[t].to = n * (t + 1) / ORACLE_THREADS;
        workers[t].rc = RF_OK;
        workers[t].indexed_s = workers[t].exhaustive_s = 0;
        assert_int_equal(pthread_create(&threads[t], NULL, work, &workers[t]), 0);
    }
    for (int t = 0; t < ORACLE_THREADS; t++) {
        pthread_join(threads[t], NULL);
        assert_int_equal(workers[t].rc, RF_OK);
        indexed_s += workers[t].indexed_s;
        exhaustive_s += workers[t].exhaustive_s;
    }
    for (long k = 0; k < n; k++) {
        made[queries[k].fam]++;
        lost[queries[k].fam] += queries[k].differs;
        failures += queries[k].differs;
        pairs += (long)queries[k].hits;
    }
    fprintf(stderr, "engine_index_oracle: %ld queries, %ld (query, entity) hits by exhaustive screening, "
                    "%ld queries where the index differs\n", n, pairs, failures);
    for (int k = 0; k < FAM_COUNT; k++)
        fprintf(stderr, "  %-18s %5ld queries, %ld differ\n", family_names[k], made[k], lost[k]);
    fprintf(stderr, "engine_index_oracle: CPU time per query: indexed %.2f ms, exhaustive %.1f ms\n",
            1000 * indexed_s / (double)(n > 0 ? n : 1), 1000 * exhaustive_s / (double)(n > 0 ? n : 1));
    free(queries);
    /* None may differ (issue 11): a loss is printed with its seed, to be replayed and fixed. */
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_index_oracle__index_loses_no_hit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
