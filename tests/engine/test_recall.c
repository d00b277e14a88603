/* test_recall.c: recall on variants no test set holds. A randomized generator draws names from
 * the WHOLE bundled May 2022 CSL (not the dev rows of tests/data/eval) and writes each the way
 * orders get it wrong, one family of variation at a time: a department after the name, two
 * typos, a word split or two run together, a word dropped, OCR confusions, abbreviations,
 * another word order, other punctuation, another legal form, the name cut at a field's
 * length. Each variant is screened at the
 * default threshold; the listed entity must be among the hits (recall) and first (top-1).
 * False alarms are measured on the real unlisted companies and hard negatives of the dev set,
 * and on hard negatives generated the same way from the whole list (the one telling word of a
 * listed organisation's name replaced by a word of a real company's name).
 *
 * A new seed every run, printed; RF_RECALL_SEED=N reproduces a run, RF_RECALL_N=N sets the
 * variants per family (default 2000), RF_RECALL_SHOW=N how many misses and alarms are shown
 * (default 5). False alarms are held at the accuracy issue's targets
 * (<= 0.5 % real, <= 5 % hard); recall and top-1 at its targets (0.99, 0.98) for the families
 * that reach them, at a floor for the others (see `families`), each printed with its 95 %
 * Wilson interval and whether it meets the target. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/rf_engine.h"
#include "importers/rf_importers.h"
#include "rf_test.h"

#define NAME_CAP 512
#define MAX_WORDS 48

typedef struct source {
    const rf_entity *entity;
    const char *name;
} source;

typedef struct fixture {
    rf_store *store;
    rf_snapshot *snap;
    rf_matcher *matcher;
    rf_result *result;
    source *sources; /* every organisation's and person's name */
    size_t n_sources;
    char **vocab;    /* the listed names' words, lower case, sorted, with repeats: df by count */
    size_t n_vocab;
    char **company_words; /* words of real company names that no listed name has */
    size_t n_company_words;
    uint64_t rng;
} fixture;

/* ---- randomness: splitmix64, seeded per run ------------------------------------------- */

static uint64_t next_random(fixture *f)
{
    uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t pick(fixture *f, size_t n)
{
    return (size_t)(next_random(f) % n);
}

/* ---- words ------------------------------------------------------------------------------ */

typedef struct words {
    char w[MAX_WORDS][NAME_CAP];
    size_t n;
} words;

static void split_words(words *out, const char *name)
{
    const char *p = name;
    out->n = 0;
    while (*p && out->n < MAX_WORDS) {
        size_t k = 0;
        while (*p == ' ') p++;
        if (!*p) break;
        while (p[k] && p[k] != ' ') k++;
        if (k >= NAME_CAP) k = NAME_CAP - 1;
        memcpy(out->w[out->n], p, k);
        out->w[out->n][k] = '\0';
        out->n++;
        p += k;
    }
}

static void join_words(char *out, const words *w)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < w->n; i++) {
        size_t k = strlen(w->w[i]);
        if (k == 0) continue;
        if (n + k + 2 >= NAME_CAP) break;
        if (n) out[n++] = ' ';
        memcpy(out + n, w->w[i], k + 1);
        n += k;
    }
}

/* A word's letters folded to lower case, without punctuation ("Co.," -> "co"). */
static void fold_word(char *out, const char *w)
{
    size_t n = 0;
    for (; *w && n + 1 < NAME_CAP; w++)
        if (isalnum((unsigned char)*w) || (unsigned char)*w >= 0x80) out[n++] = (char)tolower((unsigned char)*w);
    out[n] = '\0';
}

static int letters_only(const char *w)
{
    for (; *w; w++)
        if (!isalpha((unsigned char)*w)) return 0;
    return 1;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Listed names holding this word (folded). */
static size_t word_df(const fixture *f, const char *folded)
{
    size_t lo = 0, hi = f->n_vocab, first, last;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(f->vocab[mid], folded) < 0) lo = mid + 1;
        else hi = mid;
    }
    first = lo;
    hi = f->n_vocab;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(f->vocab[mid], folded) <= 0) lo = mid + 1;
        else hi = mid;
    }
    last = lo;
    return last - first;
}

/* The index of the name's rarest word among the lists (ties: the first), or -1. */
static int rarest_word(const fixture *f, const words *w, size_t *df_out, size_t *second_out)
{
    int best = -1;
    size_t best_df = (size_t)-1, second = (size_t)-1;
    for (size_t i = 0; i < w->n; i++) {
        char folded[NAME_CAP];
        size_t df;
        fold_word(folded, w->w[i]);
        if (!folded[0]) continue;
        df = word_df(f, folded);
        if (df < best_df) {
            second = best_df;
            best_df = df;
            best = (int)i;
        } else if (df < second) {
            second = df;
        }
    }
    if (df_out) *df_out = best_df;
    if (second_out) *second_out = second;
    return best;
}

/* ---- set-up: the bundled list, its names and words; the real companies' words ---------- */

static int push(char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4096;
        char **g = realloc(*arr, nc * sizeof **arr);
        if (!g) return -1;
        *arr = g;
        *cap = nc;
    }
    if (!((*arr)[*n] = strdup(s))) return -1;
    (*n)++;
    return 0;
}

static int add_name_words(fixture *f, size_t *cap, const char *name)
{
    words w;
    split_words(&w, name);
    for (size_t i = 0; i < w.n; i++) {
        char folded[NAME_CAP];
        fold_word(folded, w.w[i]);
        if (folded[0] && push(&f->vocab, &f->n_vocab, cap, folded) != 0) return -1;
    }
    return 0;
}

static int read_company_words(fixture *f)
{
    char cmd[2048], *text = NULL, *line, *save = NULL;
    size_t cap = 0;
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", rf_test_data("companies/names.tsv.gz"));
    if (rf_test_run(&text, cmd) != 0 || !text) return -1;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        words w;
        if (tab) *tab = '\0';
        split_words(&w, line);
        for (size_t i = 0; i < w.n; i++) {
            char folded[NAME_CAP];
            fold_word(folded, w.w[i]);
            if (strlen(folded) >= 5 && letters_only(folded) && word_df(f, folded) == 0 &&
                push(&f->company_words, &f->n_company_words, &cap, folded) != 0) {
                free(text);
                return -1;
            }
        }
    }
    free(text);
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    size_t cap_sources = 0, cap_vocab = 0;
    const char *seed_env = getenv("RF_RECALL_SEED");
    uint64_t seed;

    if (!f) return -1;
    if (rf_test_bundled(&f->store, &f->snap, &f->matcher, "recall.db") != 0 ||
        rf_result_new(&f->result) != RF_OK)
        return -1;
    /* Vessels and aircraft alarm only on their exact name, by design: not drawn. */
    for (size_t i = 0; i < rf_snapshot_count(f->snap); i++) {
        const rf_entity *e = rf_snapshot_entity(f->snap, i);
        for (size_t k = 0; k < e->n_names; k++) {
            if (add_name_words(f, &cap_vocab, e->names[k].text) != 0) return -1;
            if (e->type != RF_ENTITY_PERSON && e->type != RF_ENTITY_ORGANIZATION) continue;
            if (f->n_sources == cap_sources) {
                size_t nc = cap_sources ? cap_sources * 2 : 4096;
                source *g = realloc(f->sources, nc * sizeof *g);
                if (!g) return -1;
                f->sources = g;
                cap_sources = nc;
            }
            f->sources[f->n_sources].entity = e;
            f->sources[f->n_sources].name = e->names[k].text;
            f->n_sources++;
        }
    }
    qsort(f->vocab, f->n_vocab, sizeof *f->vocab, by_string);
    if (read_company_words(f) != 0) return -1;

    seed = seed_env && *seed_env ? (uint64_t)strtoull(seed_env, NULL, 10)
                                 : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    printf("variant generator seed %llu (RF_RECALL_SEED=%llu reproduces this run); %zu listed "
           "names of organisations and people to draw from\n",
           (unsigned long long)seed, (unsigned long long)seed, f->n_sources);
    f->rng = seed;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f) return 0;
    for (size_t i = 0; i < f->n_vocab; i++) free(f->vocab[i]);
    for (size_t i = 0; i < f->n_company_words; i++) free(f->company_words[i]);
    free(f->vocab);
    free(f->company_words);
    free(f->sources);
    rf_result_free(f->result);
    rf_matcher_free(f->matcher);
    rf_snapshot_free(f->snap);
    rf_store_close(f->store);
    free(f);
    return 0;
}

/* ---- the families of variation ---------------------------------------------------------- */

/* Each writes a variant of `name` into `out` and returns 1, or returns 0 when the name offers
 * nothing to vary this way (another name is drawn). */
typedef int (*variant_fn)(fixture *f, char *out, const char *name, int person);

/* Words of letters long enough to carry a variation. */
static size_t long_words(const words *w, size_t min, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        if (strlen(w->w[i]) >= min && letters_only(w->w[i])) idx[n++] = i;
    return n;
}

/* How many of the last words are legal-form words ("Co.," "Ltd."), the first word aside. */
static size_t trailing_legal_forms(const words *w)
{
    static const char *const known[] = {"co", "ltd", "llc", "inc", "limited", "corp", "gmbh", "sa",
                                        "jsc", "ooo", "company", "llp", "plc", "pvt", "fze",
                                        "corporation", "ag", "pjsc", "ojsc", "cjsc", "zao", "oao",
                                        "sarl", "srl", "bv", "sdn", "bhd", "pte", "fzco", "fzc",
                                        "de", "cv", "sac", "sca", "ao", "pao", "ood", "eood", "doo",
                                        "liability", "stock", "joint", "closed", "open", "public"};
    size_t end = w->n;
    while (end > 1) {
        char folded[NAME_CAP];
        int is_form = 0;
        fold_word(folded, w->w[end - 1]);
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) is_form |= strcmp(folded, known[k]) == 0;
        if (!is_form) break;
        end--;
    }
    return w->n - end;
}

static int department(fixture *f, char *out, const char *name, int person)
{
    static const char *const units[] = {
        "Sales Division", "Export Dept", "Procurement Office", "Purchasing Department",
        "Export Department", "Sales Dept.", "Logistics Division", "Import Export Dept",
        "Procurement Dept", "Sales Office", "Purchasing Office", "Engineering Department",
        "International Sales Dept", "Supply Chain Division", "Shipping Department",
        "Accounts Payable Dept", "Trade Department", "Foreign Trade Dept", "Marketing Division",
        "R&D Department", "Technical Department", "Operations Division", "Export Office",
        "Customer Service Department", "Materials Management Dept", "Overseas Sales Division",
    };
    if (person) return 0;
    snprintf(out, NAME_CAP, "%s %s", name, units[pick(f, sizeof units / sizeof units[0])]);
    return 1;
}

/* One typo in word w, not in its first letter (people rarely get that wrong): a letter
 * replaced, dropped, added, or two neighbours swapped. */
static void typo(fixture *f, char *w)
{
    size_t n = strlen(w), at = 1 + pick(f, n - 1);
    char c = (char)('a' + pick(f, 26));
    if (isupper((unsigned char)w[at])) c = (char)toupper((unsigned char)c);
    switch (pick(f, 4)) {
    case 0: w[at] = c == w[at] ? (char)(c == 'a' || c == 'A' ? c + 1 : c - 1) : c; break;
    case 1: memmove(w + at, w + at + 1, n - at); break;
    case 2:
        memmove(w + at + 1, w + at, n - at + 1);
        w[at] = c;
        break;
    default:
        if (at + 1 < n && w[at] != w[at + 1]) {
            char t = w[at];
            w[at] = w[at + 1];
            w[at + 1] = t;
        } else {
            w[at] = c == w[at] ? (char)(c == 'a' || c == 'A' ? c + 1 : c - 1) : c;
        }
    }
}

static int two_typos(fixture *f, char *out, const char *name, int person)
{
    words w;
    size_t idx[MAX_WORDS], n;
    (void)person;
    split_words(&w, name);
    n = long_words(&w, 5, idx);
    /* In two words of five letters or more, or both in one long word. */
    if (n >= 2) {
        size_t a = pick(f, n), b = pick(f, n - 1);
        if (b >= a) b++;
        typo(f, w.w[idx[a]]);
        typo(f, w.w[idx[b]]);
    } else if (n == 1 && strlen(w.w[idx[0]]) >= 9) {
        typo(f, w.w[idx[0]]);
        typo(f, w.w[idx[0]]);
    } else {
        return 0;
    }
    join_words(out, &w);
    return strcmp(out, name) != 0;
}

static int split_or_join(fixture *f, char *out, const char *name, int person)
{
    words w;
    size_t idx[MAX_WORDS], n;
    (void)person;
    split_words(&w, name);
    n = long_words(&w, 6, idx);
    if ((pick(f, 2) == 0 || w.n < 2) && n > 0) {
        /* A word split in two, each part three letters or more. */
        size_t i = idx[pick(f, n)], len = strlen(w.w[i]), at = 3 + pick(f, len - 5);
        if (w.n >= MAX_WORDS) return 0;
        memmove(&w.w[i + 2], &w.w[i + 1], (w.n - i - 1) * sizeof w.w[0]);
        memcpy(w.w[i + 1], w.w[i] + at, len - at + 1);
        w.w[i][at] = '\0';
        w.n++;
    } else if (w.n >= 2) {
        /* Two neighbouring words run together. */
        size_t i = pick(f, w.n - 1);
        size_t a = strlen(w.w[i]), b = strlen(w.w[i + 1]);
        if (a + b + 1 >= NAME_CAP) return 0;
        memcpy(w.w[i] + a, w.w[i + 1], b + 1);
        memmove(&w.w[i + 1], &w.w[i + 2], (w.n - i - 2) * sizeof w.w[0]);
        w.n--;
    } else {
        return 0;
    }
    join_words(out, &w);
    return 1;
}

static int drop_word(fixture *f, char *out, const char *name, int person)
{
    words w;
    int keep;
    size_t i;
    (void)person;
    split_words(&w, name);
    /* Never the rarest word, which is what tells the party apart (without it the order names
     * another party); two words besides legal forms and "and", "of", "the" stay. */
    if (w.n < 3) return 0;
    keep = rarest_word(f, &w, NULL, NULL);
    do i = pick(f, w.n);
    while ((int)i == keep);
    memmove(&w.w[i], &w.w[i + 1], (w.n - i - 1) * sizeof w.w[0]);
    w.n--;
    {
        size_t kept = 0;
        for (size_t k = 0; k < w.n - trailing_legal_forms(&w); k++) {
            char folded[NAME_CAP];
            fold_word(folded, w.w[k]);
            kept += folded[0] && strcmp(folded, "and") != 0 && strcmp(folded, "of") != 0 &&
                    strcmp(folded, "the") != 0;
        }
        if (kept < 2) return 0;
    }
    join_words(out, &w);
    return 1;
}

/* What OCR reads one way or the other. */
static int ocr(fixture *f, char *out, const char *name, int person)
{
    static const char *const from[] = {"rn", "m", "l", "1", "O", "0", "o", "cl", "d", "vv", "w", "I", "l"};
    static const char *const to[] = {"m", "rn", "1", "l", "0", "O", "0", "d", "cl", "w", "vv", "l", "I"};
    size_t options[NAME_CAP * 4][2], n = 0, len = strlen(name);
    (void)person;
    for (size_t i = 0; i < len; i++)
        for (size_t k = 0; k < sizeof from / sizeof from[0]; k++) {
            size_t fl = strlen(from[k]);
            /* Inside a word, not its first letter: that is where the scanner slips. */
            if (i > 0 && isalnum((unsigned char)name[i - 1]) && strncmp(name + i, from[k], fl) == 0 &&
                n < sizeof options / sizeof options[0]) {
                options[n][0] = i;
                options[n][1] = k;
                n++;
            }
        }
    if (n == 0) return 0;
    {
        size_t c = pick(f, n), at = options[c][0], k = options[c][1];
        snprintf(out, NAME_CAP, "%.*s%s%s", (int)at, name, to[k], name + at + strlen(from[k]));
    }
    return 1;
}

static int abbreviate(fixture *f, char *out, const char *name, int person)
{
    static const char *const longf[] = {
        "international", "technology", "technologies", "company", "corporation", "limited",
        "manufacturing", "engineering", "electronics", "research", "institute", "trading",
        "development", "equipment", "services", "science", "association", "university",
        "industries", "industrial", "group", "import", "export", "incorporated", "enterprise",
        "aviation", "national", "machinery", "academy", "management"};
    static const char *const shortf[] = {
        "Intl", "Tech", "Tech", "Co", "Corp", "Ltd", "Mfg", "Eng", "Elec", "Res", "Inst", "Trdg",
        "Dev", "Equip", "Svcs", "Sci", "Assn", "Univ", "Inds", "Ind", "Grp", "Imp", "Exp", "Inc",
        "Ent", "Avn", "Natl", "Mach", "Acad", "Mgmt"};
    words w;
    size_t cands[MAX_WORDS][2], n = 0;
    (void)person;
    split_words(&w, name);
    for (size_t i = 0; i < w.n; i++) {
        char folded[NAME_CAP];
        fold_word(folded, w.w[i]);
        for (size_t k = 0; k < sizeof longf / sizeof longf[0]; k++)
            if (strcmp(folded, longf[k]) == 0) {
                cands[n][0] = i;
                cands[n][1] = k;
                n++;
            }
    }
    if (n == 0) return 0;
    {
        size_t c = pick(f, n);
        snprintf(w.w[cands[c][0]], NAME_CAP, "%s%s", shortf[cands[c][1]], pick(f, 2) ? "." : "");
    }
    join_words(out, &w);
    return 1;
}

static int reorder(fixture *f, char *out, const char *name, int person)
{
    words w;
    char moved[NAME_CAP];
    size_t from, to;
    split_words(&w, name);
    if (w.n < 2) return 0;
    if (person) {
        /* Surname last or first: the whole name rotated by one word. */
        snprintf(moved, sizeof moved, "%s", w.w[0]);
        memmove(&w.w[0], &w.w[1], (w.n - 1) * sizeof w.w[0]);
        snprintf(w.w[w.n - 1], NAME_CAP, "%s", moved);
    } else {
        /* One word moved elsewhere ("Sberbank PJSC", "PJSC Sberbank"). */
        from = pick(f, w.n);
        do to = pick(f, w.n);
        while (to == from);
        snprintf(moved, sizeof moved, "%s", w.w[from]);
        memmove(&w.w[from], &w.w[from + 1], (w.n - from - 1) * sizeof w.w[0]);
        memmove(&w.w[to + 1], &w.w[to], (w.n - 1 - to) * sizeof w.w[0]);
        snprintf(w.w[to], NAME_CAP, "%s", moved);
    }
    join_words(out, &w);
    return strcmp(out, name) != 0;
}

static int punctuation(fixture *f, char *out, const char *name, int person)
{
    size_t n = 0;
    int how = (int)pick(f, 4), changed = 0;
    (void)person;
    for (const char *p = name; *p && n + 6 < NAME_CAP; p++) {
        unsigned char c = (unsigned char)*p;
        if (how == 0 && (c == '.' || c == ',' || c == '-' || c == '(' || c == ')' || c == '"' || c == '\'')) {
            changed = 1; /* punctuation left out */
            if (c == '-' && n && out[n - 1] != ' ') out[n++] = ' ';
            continue;
        }
        if (how == 1 && c == ' ' && pick(f, 3) == 0) {
            out[n++] = pick(f, 2) ? '-' : ',';
            changed = 1;
            if (out[n - 1] == ',') out[n++] = ' ';
            continue;
        }
        if (how == 2 && c == '&') {
            memcpy(out + n, "and", 3);
            n += 3;
            changed = 1;
            continue;
        }
        if (how == 3 && isalpha(c)) {
            out[n++] = (char)(islower(c) ? toupper(c) : tolower(c));
            changed = 1;
            continue;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    if (how == 2 && !changed) {
        /* No "&" to write out: a period at the end instead. */
        snprintf(out, NAME_CAP, "%s.", name);
        changed = 1;
    }
    return changed && strcmp(out, name) != 0;
}

static int legal_form(fixture *f, char *out, const char *name, int person)
{
    static const char *const forms[] = {"Co., Ltd.", "LLC", "Inc.", "Ltd", "Limited", "Corp.",
                                        "GmbH", "S.A.", "JSC", "OOO", "Company Limited", "LLP",
                                        "PLC", "Pvt. Ltd.", "FZE", "Co.", "Corporation", "AG"};
    words w;
    if (person) return 0;
    split_words(&w, name);
    /* The legal-form words at the end go; another form takes their place. */
    w.n -= trailing_legal_forms(&w);
    if (w.n >= MAX_WORDS) return 0;
    snprintf(w.w[w.n++], NAME_CAP, "%s", forms[pick(f, sizeof forms / sizeof forms[0])]);
    join_words(out, &w);
    return strcmp(out, name) != 0;
}

/* Cut at a field's length, as ERP exports and EDI segments cut long names (30 characters,
 * EDIFACT's 35, SAP's 40): in a word or between two, whatever the cut leaves. A name that
 * fits is not cut (none drawn from it). */
static int cut_name(fixture *f, char *out, const char *name, int person)
{
    static const size_t lengths[] = {30, 35, 40};
    size_t at = lengths[pick(f, sizeof lengths / sizeof lengths[0])];
    (void)person;
    if (strlen(name) <= at) return 0;
    while (at > 0 && ((unsigned char)name[at] & 0xC0) == 0x80) at--; /* between characters */
    snprintf(out, NAME_CAP, "%.*s", (int)at, name);
    return 1;
}

/* ---- screening and counting --------------------------------------------------------------- */

/* Screens `name` as redflag screen does, or with every listed name scored (`exhaustive`, no
 * index). */
static const rf_result *screen_with(fixture *f, const char *name, int exhaustive)
{
    rf_party p = {0};
    rf_error err = {0};
    rf_match_options opts = {0};
    p.document = "recall";
    p.line = 1;
    p.name = name;
    opts.exhaustive = exhaustive;
    assert_int_equal(rf_matcher_screen(f->result, f->matcher, &p, &opts, &err), RF_OK);
    return f->result;
}

static const rf_result *screen(fixture *f, const char *name)
{
    return screen_with(f, name, 0);
}

/* 1 when a hit is on the drawn entity, or on one listed under the same name (the same party
 * sits on several lists). */
static int hit_is_right(const rf_hit *h, const source *src)
{
    char a[NAME_CAP], b[NAME_CAP];
    if (h->entity == src->entity) return 1;
    fold_word(a, src->name); /* letters and digits only: "Co., Ltd." is "CO. LTD." */
    for (size_t k = 0; k < h->entity->n_names; k++) {
        fold_word(b, h->entity->names[k].text);
        if (strcmp(a, b) == 0) return 1;
    }
    return 0;
}

/* 1 when the listed name as written finds its entity. */
static int finds_itself(fixture *f, const source *src)
{
    const rf_result *r = screen(f, src->name);
    for (size_t i = 0; i < rf_result_count(r); i++)
        if (hit_is_right(rf_result_hit(r, i), src)) return 1;
    return 0;
}

/* The 95 % Wilson score interval of k successes in n. */
static void wilson(double *lo, double *hi, size_t k, size_t n)
{
    const double z = 1.959964;
    double p = (double)k / (double)n, z2n = z * z / (double)n;
    double centre = (p + z2n / 2) / (1 + z2n);
    double half = z * sqrt(p * (1 - p) / (double)n + z2n / (4 * (double)n)) / (1 + z2n);
    *lo = centre - half;
    *hi = centre + half;
}

/* How many misses and alarms are shown per family: RF_RECALL_SHOW, default 5. */
static size_t shown_at_most(void)
{
    const char *env = getenv("RF_RECALL_SHOW");
    long n = env && *env ? strtol(env, NULL, 10) : 5;
    return n >= 0 ? (size_t)n : 5;
}

static size_t variants_per_family(void)
{
    const char *env = getenv("RF_RECALL_N");
    long n = env && *env ? strtol(env, NULL, 10) : 2000;
    return n > 0 ? (size_t)n : 2000;
}

/* The targets; a family not there yet is held at a floor below what it reaches
 * (with room for the draw: a standard error is about 0.005 at 2,000 variants, and a floor sits
 * about three of the spread between seeds below their mean: on seeds 1, 2, 3, 4, 7 and 11 two
 * typos measured 0.958 to 0.9745, split or run together 0.988 to 0.993, word dropped 0.951 to
 * 0.9605 (top-1 0.926 to 0.941), the department after the name 0.9975 to 0.999), so that it
 * cannot fall back, and the output says it is short of the target. */
#define TARGET_RECALL 0.99
#define TARGET_TOP1 0.98

typedef struct family {
    const char *name;
    variant_fn fn;
    double min_recall, min_top1;
} family;

static const family families[] = {
    {"department after the name", department, TARGET_RECALL, TARGET_TOP1},
    {"two typos", two_typos, 0.94, 0.94},
    {"word split or run together", split_or_join, 0.98, 0.98},
    {"word dropped", drop_word, 0.935, 0.91},
    {"OCR confusions", ocr, TARGET_RECALL, TARGET_TOP1},
    {"abbreviated words", abbreviate, TARGET_RECALL, TARGET_TOP1},
    {"other word order", reorder, 0.98, 0.97},
    {"punctuation and case", punctuation, TARGET_RECALL, TARGET_TOP1},
    {"legal form changed or added", legal_form, 0.98, 0.97},
    /* 0.4105 before a cut word was read (seed 5), 0.5185 then, 0.651 once the listed words
     * past the cut cost less, 0.7605 since the cut word pairs with any listed word it begins
     * (seeds 1 and 7: 0.738, 0.764; top-1 0.719 to 0.745) */
    {"cut at a field's length", cut_name, 0.69, 0.67},
};

static void test_recall__every_family_of_variation(void **state)
{
    fixture *f = *state;
    size_t per = variants_per_family(), all_found = 0, all_top = 0, all_n = 0;
    int failed = 0;
    printf("%-30s %6s %8s %17s %7s  (targets: recall %.2f, top-1 %.2f)\n", "family", "n", "recall",
           "95% interval", "top-1", TARGET_RECALL, TARGET_TOP1);
    for (size_t fam = 0; fam < sizeof families / sizeof families[0]; fam++) {
        size_t found = 0, top = 0, n = 0, shown = 0, lost_by_index = 0;
        double lo, hi, recall, top1;
        while (n < per) {
            const source *src = &f->sources[pick(f, f->n_sources)];
            char variant[NAME_CAP];
            const rf_result *r;
            int right = -1;
            if (!families[fam].fn(f, variant, src->name, src->entity->type == RF_ENTITY_PERSON)) continue;
            /* Only names the matcher finds as listed ("PAO" and "and" are listed names too,
             * which nobody could find) say anything about the variation. */
            if (!finds_itself(f, src)) continue;
            r = screen(f, variant);
            n++;
            for (size_t i = 0; i < rf_result_count(r) && right < 0; i++)
                if (hit_is_right(rf_result_hit(r, i), src)) right = (int)i;
            if (right >= 0) {
                found++;
                /* First, or level with the first: two names scoring alike are a tie that the
                 * name alone cannot break. */
                if (rf_result_hit(r, (size_t)right)->score >= rf_result_hit(r, 0)->score) top++;
            } else {
                double pair;
                const char *instead = rf_result_count(r) ? rf_result_hit(r, 0)->entity->names[0].text : NULL;
                int exhaustive_finds = 0;
                assert_int_equal(rf_match_pair(&pair, NULL, f->matcher, variant, src->name), RF_OK);
                /* A miss that screening every listed name finds was lost by the candidate
                 * index, not by the scorer. */
                r = screen_with(f, variant, 1);
                for (size_t i = 0; i < rf_result_count(r) && !exhaustive_finds; i++)
                    exhaustive_finds = hit_is_right(rf_result_hit(r, i), src);
                lost_by_index += exhaustive_finds ? 1u : 0u;
                if (shown++ < shown_at_most())
                    printf("  missed: \"%s\" (listed \"%s\", match %.3f)%s%s%s\n", variant, src->name, pair,
                           instead ? " found instead " : "", instead ? instead : "",
                           exhaustive_finds ? " (lost by the index)" : "");
            }
        }
        wilson(&lo, &hi, found, n);
        recall = (double)found / (double)n;
        top1 = (double)top / (double)n;
        printf("%-30s %6zu %8.4f  [%6.4f, %6.4f] %7.4f  %s\n", families[fam].name, n, recall, lo, hi,
               top1, recall >= TARGET_RECALL && top1 >= TARGET_TOP1 ? "target met" : "BELOW TARGET");
        if (found < n)
            printf("  of the %zu misses, %zu found by screening every listed name (--exhaustive): lost by "
                   "the index\n", n - found, lost_by_index);
        fflush(stdout);
        if (recall < families[fam].min_recall || top1 < families[fam].min_top1) {
            printf("  fell below its floor (recall %.3f, top-1 %.3f)\n", families[fam].min_recall,
                   families[fam].min_top1);
            failed = 1;
        }
        all_found += found;
        all_top += top;
        all_n += n;
    }
    printf("%-30s %6zu %8.4f %17s %7.4f\n", "all families", all_n, (double)all_found / (double)all_n,
           "", (double)all_top / (double)all_n);
    assert_false(failed);
}

/* ---- false alarms ------------------------------------------------------------------------- */

typedef struct negatives {
    fixture *f;
    size_t real, real_hits, hard, hard_hits, shown;
} negatives;

static int screen_negative(const rf_party *party, void *ctx)
{
    negatives *neg = ctx;
    const rf_result *r;
    int alarmed;
    if (!party->ref || (party->ref[0] != 'N' && party->ref[0] != 'H')) return 0;
    r = screen(neg->f, party->name);
    alarmed = rf_result_count(r) > 0;
    if (alarmed && neg->shown++ < shown_at_most())
        printf("  alarm: \"%s\" (%s) on \"%s\" %.3f\n", party->name,
               party->ref[0] == 'N' ? "real company" : "hard negative",
               rf_result_hit(r, 0)->entity->names[0].text, rf_result_hit(r, 0)->score);
    if (party->ref[0] == 'N') {
        neg->real++;
        neg->real_hits += (size_t)alarmed;
    } else {
        neg->hard++;
        neg->hard_hits += (size_t)alarmed;
    }
    return 0;
}

/* A listed organisation's name with its one telling word (the only rare one) replaced by a
 * word of a real company's name that no listed name has. */
static int hard_negative(fixture *f, char *out, const source *src)
{
    words w;
    size_t df, second;
    int i;
    if (src->entity->type != RF_ENTITY_ORGANIZATION) return 0;
    split_words(&w, src->name);
    if (w.n < 2) return 0;
    i = rarest_word(f, &w, &df, &second);
    if (i < 0 || df > 5 || second < 50 || strlen(w.w[i]) < 4) return 0;
    snprintf(w.w[i], NAME_CAP, "%s", f->company_words[pick(f, f->n_company_words)]);
    w.w[i][0] = (char)toupper((unsigned char)w.w[i][0]);
    join_words(out, &w);
    return 1;
}

static void test_recall__false_alarms(void **state)
{
    fixture *f = *state;
    negatives neg = {f, 0, 0, 0, 0, 0};
    rf_error err = {0};
    size_t per = variants_per_family(), made = 0, alarms = 0, tries = 0, shown = 0;
    double lo, hi;

    assert_int_equal(rf_orders_read(rf_test_data("eval/parties.csv"), NULL, screen_negative, &neg, &err), RF_OK);
    assert_int_equal(neg.real, 3000);
    assert_int_equal(neg.hard, 297);
    wilson(&lo, &hi, neg.real_hits, neg.real);
    printf("false alarms, %zu real unlisted companies: %.4f [%.4f, %.4f]\n", neg.real,
           (double)neg.real_hits / (double)neg.real, lo, hi);
    wilson(&lo, &hi, neg.hard_hits, neg.hard);
    printf("false alarms, %zu hard negatives of the dev set: %.4f [%.4f, %.4f]\n", neg.hard,
           (double)neg.hard_hits / (double)neg.hard, lo, hi);

    while (made < per && tries++ < per * 1000) {
        const source *src = &f->sources[pick(f, f->n_sources)];
        char name[NAME_CAP];
        const rf_result *r;
        if (!hard_negative(f, name, src)) continue;
        made++;
        r = screen(f, name);
        if (rf_result_count(r) > 0) {
            alarms++;
            if (shown++ < shown_at_most())
                printf("  alarm: \"%s\" (from \"%s\") on \"%s\" %.3f\n", name, src->name,
                       rf_result_hit(r, 0)->entity->names[rf_result_hit(r, 0)->name_index].text,
                       rf_result_hit(r, 0)->score);
        }
    }
    assert_true(made > 0);
    wilson(&lo, &hi, alarms, made);
    printf("false alarms, %zu generated hard negatives: %.4f [%.4f, %.4f]\n", made,
           (double)alarms / (double)made, lo, hi);
    assert_true((double)neg.real_hits / (double)neg.real <= 0.005);
    assert_true((double)neg.hard_hits / (double)neg.hard <= 0.05);
    assert_true((double)alarms / (double)made <= 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recall__every_family_of_variation),
        cmocka_unit_test(test_recall__false_alarms),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
