/* lexicon.c: the word tables the tokenizer classifies with, built once per process from the
 * tables embedded at build time (engine/data/): our abbreviations and class overrides first,
 * then rigour's legal forms (org_types.tsv), country names from ICU, rigour's business-word
 * symbols (symbols.yml) and person-name prefixes (stopwords.yml). The first table to claim a
 * spelling keeps it. The lexicon is immutable after it is built and shared by all threads.
 * Building it takes about 150 ms (ICU transliterating the tables); a process that maps a
 * stored index takes the copy stored with it instead (rf_lexicon__adopt). */
#include "lexicon.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unicode/uloc.h>
#include <unicode/ustring.h>

/* The process's lexicon, built or adopted once; read without the lock once set. */
static _Atomic(rf_lexicon *) the_lexicon;
static pthread_mutex_t lexicon_lock = PTHREAD_MUTEX_INITIALIZER;
static int lexicon_failed; /* a build failed: not tried again (under the lock) */

/* A line-at-a-time walk over an embedded table. */
typedef struct line_iter {
    const char *p;
    const char *end;
} line_iter;

static int next_line(line_iter *it, const char **line, size_t *len)
{
    const char *eol;
    if (it->p >= it->end) return 0;
    eol = memchr(it->p, '\n', (size_t)(it->end - it->p));
    if (!eol) eol = it->end;
    *line = it->p;
    *len = (size_t)(eol - it->p);
    if (*len && (*line)[*len - 1] == '\r') (*len)--;
    it->p = eol + 1;
    return 1;
}

/* A spelling read from a table, kept until every table is read: multi-word spellings are
 * filed under their words' canonical forms, which are known only then. */
typedef struct pending {
    char *key;   /* normalized words, single spaces */
    char *canon; /* normalized canonical text, spaces removed */
    rf_tok_class cls;
    int correctable; /* misspellings of its words are corrected (legal forms, our table) */
    int ours;        /* from abbreviations.tsv, whose canonical names are never renamed */
    uint8_t hyphened; /* rf_phrase.hyphened */
} pending;

typedef struct pending_list {
    pending *items;
    size_t count;
    size_t cap;
} pending_list;

/* The words of `variant`'s key (normalized, as add_phrase keys it) that are parts of a word
 * written with a hyphen between letters: bit b for word b. */
static int hyphened_words(uint8_t *out, rf_translit *tr, const char *variant, size_t vlen)
{
    rf_buf prefix = {0};
    int rc = RF_OK;

    *out = 0;
    for (size_t i = 1; i + 1 < vlen && rc == RF_OK; i++) {
        size_t words = 1;
        if (variant[i] != '-' || !isalnum((unsigned char)variant[i - 1]) ||
            !isalnum((unsigned char)variant[i + 1]))
            continue;
        rf_buf_reset(&prefix);
        if ((rc = rf_normalize__words(&prefix, tr, variant, i)) != RF_OK) break;
        for (size_t k = 0; k < prefix.len; k++) words += prefix.data[k] == ' ';
        if (words < 8) *out |= (uint8_t)(3u << (words - 1));
    }
    rf_buf_free(&prefix);
    return rc;
}

/* Reads one spelling: `variant` normalized into words is its key, `canon` (normalized, spaces
 * removed) its canonical text. */
static int add_phrase(pending_list *pl, rf_translit *tr, const char *variant, size_t vlen,
                      const char *canon, size_t clen, rf_tok_class cls, int correctable)
{
    rf_buf key = {0}, words = {0};
    int rc;

    uint8_t hyphened = 0;
    rc = rf_normalize__words(&key, tr, variant, vlen);
    if (rc == RF_OK && memchr(variant, '-', vlen)) rc = hyphened_words(&hyphened, tr, variant, vlen);
    if (rc == RF_OK) rc = rf_normalize__words(&words, tr, canon, clen);
    if (rc == RF_OK && key.len > 0 && words.len > 0 && key.len <= RF_MAX_TOKEN_LEN * 4) {
        size_t n = 0;
        for (size_t i = 0; i < words.len; i++)
            if (words.data[i] != ' ') words.data[n++] = words.data[i];
        words.data[n] = '\0';
        if (pl->count == pl->cap) {
            size_t cap = pl->cap ? pl->cap * 2 : 4096;
            pending *grown = realloc(pl->items, cap * sizeof *grown);
            if (!grown) rc = RF_ENOMEM;
            else {
                pl->items = grown;
                pl->cap = cap;
            }
        }
        if (rc == RF_OK) {
            pending *x = &pl->items[pl->count++];
            x->key = rf_buf_detach(&key);
            x->canon = rf_buf_detach(&words);
            x->cls = cls;
            x->correctable = correctable;
            x->ours = 0;
            x->hyphened = hyphened;
        }
    }
    rf_buf_free(&key);
    rf_buf_free(&words);
    return rc;
}

/* Files `key` (normalized words) as a spelling of `canon`; the first spelling filed wins. */
static int file_phrase(rf_lexicon *lex, const char *key, size_t klen, const char *canon,
                       rf_tok_class cls, uint8_t hyphened)
{
    uint32_t index = (uint32_t)lex->n, existing;
    size_t words = 1;
    int rc;

    if (lex->n == lex->cap) {
        size_t cap = lex->cap ? lex->cap * 2 : 1024;
        rf_phrase *grown = realloc(lex->entries, cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        lex->entries = grown;
        lex->cap = cap;
    }
    rc = rf_strmap__put(lex->phrases, key, klen, index, &existing);
    if (rc != RF_OK || existing != index) return rc;
    memset(&lex->entries[index], 0, sizeof lex->entries[index]); /* padding too: it is stored */
    lex->entries[index].canon_off = (uint32_t)lex->canon.len;
    lex->entries[index].canon_len = (uint16_t)strlen(canon);
    lex->entries[index].cls = (uint8_t)cls;
    lex->entries[index].hyphened = hyphened;
    rc = rf_buf_puts(&lex->canon, canon);
    if (rc == RF_OK) rc = rf_buf_putc(&lex->canon, '\0');
    lex->n++;
    for (size_t i = 0; i < klen; i++) words += key[i] == ' ';
    if (rc == RF_OK && words > 1) {
        /* Remember how long the phrases starting with this word are, to try the longest first. */
        size_t first = (size_t)((const char *)memchr(key, ' ', klen) - key);
        uint32_t longest = rf_strmap__get(lex->starts, key, first);
        if (longest == RF_STRMAP_MISSING)
            rc = rf_strmap__put(lex->starts, key, first, (uint32_t)words, NULL);
        else if (words > longest)
            rf_strmap__set(lex->starts, key, first, (uint32_t)words);
    }
    return rc;
}

/* What begins words of several meanings in lex->prefixes. */
#define PREFIX_AMBIGUOUS (UINT32_MAX - 1)

/* A one-word legal form or business word, to be filed under its first letters, and its rank
 * among the words they may begin: a legal form before a business word (a name ends in its
 * legal form), then the shorter ("GMB" is GmbH before GmbH & Co KG). */
typedef struct prefixed {
    const char *key;
    size_t len;
    uint32_t entry;
    uint32_t rank; /* 1 and up */
} prefixed;

typedef struct prefixed_list {
    const rf_lexicon *lex;
    prefixed *items;
    size_t count, cap;
} prefixed_list;

static int same_meaning(const rf_lexicon *lex, uint32_t a, uint32_t b)
{
    const rf_phrase *x = &lex->entries[a], *y = &lex->entries[b];
    return x->cls == y->cls && x->canon_len == y->canon_len &&
           memcmp(lex->canon.data + x->canon_off, lex->canon.data + y->canon_off, x->canon_len) == 0;
}

static int collect_prefixed(const char *key, size_t len, uint32_t entry, void *ctx)
{
    prefixed_list *l = ctx;
    uint8_t cls = l->lex->entries[entry].cls;
    if ((cls != RF_TOK_LEGAL && cls != RF_TOK_GENERIC) || len < 4 || memchr(key, ' ', len)) return RF_OK;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        prefixed *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown) return RF_ENOMEM;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = (prefixed){key, len, entry, (uint32_t)((cls != RF_TOK_LEGAL ? 1000u : 0u) + len + 1)};
    return RF_OK;
}

/* By rank, then key, so that the order, and the file, are the same on every build. */
static int by_rank(const void *a, const void *b)
{
    const prefixed *x = a, *y = b;
    int c;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    c = memcmp(x->key, y->key, x->len);
    return c ? c : (int)x->entry - (int)y->entry;
}

/* The lexicon's one-word legal forms and business words by their first letters, three or
 * more, for a name cut short at a field's length (rf_engine__tokenize reads its last word by
 * them). First letters go to the best-ranked word they begin (prefixed); two words of the
 * same rank and different meanings make them ambiguous. */
static int file_prefixes(rf_lexicon *lex)
{
    prefixed_list l = {lex, NULL, 0, 0};
    uint32_t *rank_of = calloc(lex->n ? lex->n : 1, sizeof *rank_of); /* 0: not filed yet */
    int rc = rank_of ? rf_strmap__each(lex->phrases, collect_prefixed, &l) : RF_ENOMEM;

    if (rc == RF_OK) qsort(l.items, l.count, sizeof *l.items, by_rank);
    for (size_t i = 0; i < l.count && rc == RF_OK; i++) {
        const prefixed *x = &l.items[i];
        if (!rank_of[x->entry]) rank_of[x->entry] = x->rank; /* an entry's best-ranked key */
        for (size_t n = 3; n < x->len && rc == RF_OK; n++) {
            uint32_t existing;
            rc = rf_strmap__put(lex->prefixes, x->key, n, x->entry, &existing);
            if (rc == RF_OK && existing != x->entry && existing != PREFIX_AMBIGUOUS &&
                rank_of[existing] == x->rank && !same_meaning(lex, existing, x->entry))
                rf_strmap__set(lex->prefixes, x->key, n, PREFIX_AMBIGUOUS);
        }
    }
    free(l.items);
    free(rank_of);
    return rc;
}

/* Files every word of the lexicon's spellings under its one-letter deletions (two for long
 * words), so that a misspelt "Compnay" or "Limmited" is still read as a legal form. */
static int file_known_word(rf_lexicon *lex, const char *w, size_t len)
{
    uint32_t id = (uint32_t)lex->words_text.len, existing;
    int budget = rf_typo__budget_lexicon(len);
    char buf[RF_MAX_TOKEN_LEN], buf2[RF_MAX_TOKEN_LEN];
    int rc;

    if (budget == 0 || len > RF_MAX_TOKEN_LEN) return RF_OK;
    rc = rf_strmap__put(lex->words, w, len, id, &existing);
    if (rc != RF_OK || existing != id) return rc;
    rc = rf_buf_append(&lex->words_text, w, len);
    if (rc == RF_OK) rc = rf_buf_putc(&lex->words_text, '\0');
    for (size_t i = 0; i < len && rc == RF_OK; i++) {
        memcpy(buf, w, i);
        memcpy(buf + i, w + i + 1, len - i - 1);
        rc = rf_strmap__put(lex->word_deletes, buf, len - 1, id, NULL);
        for (size_t j = i; budget > 1 && j + 1 < len && rc == RF_OK; j++) {
            memcpy(buf2, buf, j);
            memcpy(buf2 + j, buf + j + 1, len - 2 - j);
            rc = rf_strmap__put(lex->word_deletes, buf2, len - 2, id, NULL);
        }
    }
    return rc;
}

/* Single words first; then multi-word spellings, each word replaced by its canonical form so
 * that "Open Joint Stock Co" finds "open joint stock company". */
/* Business words are grouped by both tables, under different canonical names ("group" in
 * ours, "grp" in rigour's): where a spelling is claimed by two groups, the later group takes
 * the first one's canonical name, so that "Group" and "Group Company" read alike; and the
 * class our table gives a canonical word holds for all its spellings. */
static int unify_canonicals(pending_list *pl)
{
    rf_strmap *first = NULL, *alias = NULL, *ours = NULL;
    int rc = rf_strmap__new(&first, pl->count);

    if (rc == RF_OK) rc = rf_strmap__new(&alias, 256);
    if (rc == RF_OK) rc = rf_strmap__new(&ours, 256);
    for (size_t i = 0; i < pl->count && rc == RF_OK; i++)
        if (pl->items[i].ours)
            rc = rf_strmap__put(ours, pl->items[i].canon, strlen(pl->items[i].canon),
                                (uint32_t)pl->items[i].cls, NULL);
    for (size_t i = 0; i < pl->count && rc == RF_OK; i++) {
        pending *x = &pl->items[i];
        uint32_t at;
        if (x->cls != RF_TOK_GENERIC) continue;
        rc = rf_strmap__put(first, x->key, strlen(x->key), (uint32_t)i, &at);
        if (rc == RF_OK && at != i && strcmp(pl->items[at].canon, x->canon) != 0 &&
            pl->items[at].cls == RF_TOK_GENERIC &&
            rf_strmap__get(ours, x->canon, strlen(x->canon)) == RF_STRMAP_MISSING)
            rc = rf_strmap__put(alias, x->canon, strlen(x->canon), at, NULL);
    }
    for (size_t i = 0; i < pl->count && rc == RF_OK; i++) {
        pending *x = &pl->items[i];
        /* Follow the aliases a few steps (groups chained through shared spellings). */
        for (int step = 0; step < 4; step++) {
            uint32_t to = rf_strmap__get(alias, x->canon, strlen(x->canon));
            char *canon;
            if (to == RF_STRMAP_MISSING || strcmp(pl->items[to].canon, x->canon) == 0) break;
            canon = rf_strdup(pl->items[to].canon);
            if (!canon) {
                rc = RF_ENOMEM;
                break;
            }
            free(x->canon);
            x->canon = canon;
        }
        /* Our table decides the class of its canonical words: the spellings rigour files under
         * "tpb" (Tactical Missiles Corporation) name one organisation, not a business word. */
        if (!x->ours && x->cls == RF_TOK_GENERIC) {
            uint32_t cls = rf_strmap__get(ours, x->canon, strlen(x->canon));
            if (cls != RF_STRMAP_MISSING) x->cls = (rf_tok_class)cls;
        }
    }
    rf_strmap__free(first);
    rf_strmap__free(alias);
    rf_strmap__free(ours);
    return rc;
}

/* Makes the canonical forms of entries [from, to) canonical themselves: a canonical text that
 * is another entry's spelling ("S.A.S." is "sas", and "sas" is "sa") takes that entry's, so
 * that a normalized name reads the same when normalized again. */
static void close_canonicals(rf_lexicon *lex, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        rf_phrase *e = &lex->entries[i];
        for (int step = 0; step < 4; step++) {
            uint32_t idx =
                rf_strmap__get(lex->phrases, lex->canon.data + e->canon_off, e->canon_len);
            if (idx == RF_STRMAP_MISSING || lex->entries[idx].canon_off == e->canon_off) break;
            e->canon_off = lex->entries[idx].canon_off;
            e->canon_len = lex->entries[idx].canon_len;
        }
    }
}

static int file_pending(rf_lexicon *lex, const pending_list *pl)
{
    rf_buf key = {0};
    int rc = RF_OK;
    size_t singles;

    for (size_t i = 0; i < pl->count && rc == RF_OK; i++)
        if (!strchr(pl->items[i].key, ' '))
            rc = file_phrase(lex, pl->items[i].key, strlen(pl->items[i].key), pl->items[i].canon,
                             pl->items[i].cls, 0);
    /* Single words first, closed before the longer spellings are keyed by them. */
    singles = lex->n;
    close_canonicals(lex, 0, singles);
    for (size_t i = 0; i < pl->count && rc == RF_OK; i++) {
        const char *k = pl->items[i].key;
        if (!strchr(k, ' ')) continue;
        rf_buf_reset(&key);
        while (*k && rc == RF_OK) {
            size_t n = strcspn(k, " ");
            uint32_t idx = rf_strmap__get(lex->phrases, k, n);
            if (key.len) rc = rf_buf_putc(&key, ' ');
            if (rc == RF_OK && idx != RF_STRMAP_MISSING)
                rc = rf_buf_puts(&key, lex->canon.data + lex->entries[idx].canon_off);
            else if (rc == RF_OK)
                rc = rf_buf_append(&key, k, n);
            k += n;
            while (*k == ' ') k++;
        }
        if (rc == RF_OK)
            rc = file_phrase(lex, key.data, key.len, pl->items[i].canon, pl->items[i].cls,
                             pl->items[i].hyphened);
    }
    if (rc == RF_OK) close_canonicals(lex, singles, lex->n);
    for (size_t i = 0; i < pl->count && rc == RF_OK; i++) {
        const char *k = pl->items[i].key;
        if (!pl->items[i].correctable) continue;
        while (*k && rc == RF_OK) {
            size_t n = strcspn(k, " ");
            rc = file_known_word(lex, k, n);
            k += n;
            while (*k == ' ') k++;
        }
    }
    rf_buf_free(&key);
    return rc;
}

static int parse_class(rf_tok_class *out, const char *s, size_t len)
{
    static const struct { const char *name; rf_tok_class cls; } names[] = {
        {"legal", RF_TOK_LEGAL}, {"generic", RF_TOK_GENERIC}, {"stop", RF_TOK_STOP},
        {"word", RF_TOK_WORD},   {"place", RF_TOK_PLACE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == len && memcmp(names[i].name, s, len) == 0) {
            *out = names[i].cls;
            return RF_OK;
        }
    }
    return RF_EFORMAT;
}

static int file_name_variants(rf_lexicon *lex, rf_translit *tr, const char *variants, size_t len);

/* abbreviations.tsv: class<TAB>canonical<TAB>variant|variant...; a row of class "name" holds
 * the spellings of one name across romanizations and languages (Korean surnames: Lee, Yi, Ri;
 * Greek given names: Alexandros, Alexander), filed as nicknames of each other. */
static int load_abbreviations(pending_list *lex, rf_lexicon *names, rf_translit *tr)
{
    size_t before = lex->count;
    line_iter it = {(const char *)rf_data_abbreviations,
                    (const char *)rf_data_abbreviations + rf_data_abbreviations_size};
    const char *line;
    size_t len;
    int rc = RF_OK;

    while (rc == RF_OK && next_line(&it, &line, &len)) {
        const char *t1, *t2, *v, *end = line + len;
        rf_tok_class cls;
        if (len == 0 || line[0] == '#') continue;
        t1 = memchr(line, '\t', len);
        t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
        if (t2 && (size_t)(t1 - line) == 4 && memcmp(line, "name", 4) == 0) {
            rc = file_name_variants(names, tr, t2 + 1, (size_t)(end - t2 - 1));
            continue;
        }
        if (!t2 || parse_class(&cls, line, (size_t)(t1 - line)) != RF_OK) return RF_EFORMAT;
        rc = add_phrase(lex, tr, t1 + 1, (size_t)(t2 - t1 - 1), t1 + 1, (size_t)(t2 - t1 - 1), cls,
                        cls == RF_TOK_LEGAL || cls == RF_TOK_GENERIC);
        for (v = t2 + 1; rc == RF_OK && v < end;) {
            const char *bar = memchr(v, '|', (size_t)(end - v));
            if (!bar) bar = end;
            rc = add_phrase(lex, tr, v, (size_t)(bar - v), t1 + 1, (size_t)(t2 - t1 - 1), cls,
                            cls == RF_TOK_LEGAL || cls == RF_TOK_GENERIC);
            v = bar + 1;
        }
    }
    for (size_t i = before; i < lex->count; i++) lex->items[i].ours = 1;
    return rc;
}

/* org_types.tsv: alias<TAB>display<TAB>compare<TAB>generic. The alias, the display and the
 * compare forms are all spellings of one legal form, compared by its compare (else display)
 * form. */
static int load_org_types(pending_list *lex, rf_translit *tr)
{
    line_iter it = {(const char *)rf_data_org_types,
                    (const char *)rf_data_org_types + rf_data_org_types_size};
    const char *line;
    size_t len;
    int rc = RF_OK, header = 1;

    while (rc == RF_OK && next_line(&it, &line, &len)) {
        const char *f[4], *end = line + len;
        size_t flen[4], n = 0;
        const char *p = line;
        if (header) {
            header = 0;
            continue;
        }
        while (n < 4) {
            const char *tab = memchr(p, '\t', (size_t)(end - p));
            if (!tab) tab = end;
            f[n] = p;
            flen[n++] = (size_t)(tab - p);
            if (tab == end) break;
            p = tab + 1;
        }
        if (n < 3) continue;
        {
            const char *canon = flen[2] ? f[2] : flen[1] ? f[1] : f[0];
            size_t clen = flen[2] ? flen[2] : flen[1] ? flen[1] : flen[0];
            /* One- and two-letter spellings ("ae", "cv", "yu") collide with the words of
             * names, people's above all; the common ones are in abbreviations.tsv. */
            for (size_t i = 0; i < 3 && rc == RF_OK; i++)
                if (flen[i] > 2) rc = add_phrase(lex, tr, f[i], flen[i], canon, clen, RF_TOK_LEGAL, 1);
        }
    }
    return rc;
}

/* English country names from ICU's locale data, as places. */
static int load_countries(pending_list *lex, rf_translit *tr)
{
    const char *const *codes = uloc_getISOCountries();
    int rc = RF_OK;

    for (size_t i = 0; codes[i] && rc == RF_OK; i++) {
        char locale[8], name[128];
        UChar uname[128];
        UErrorCode status = U_ZERO_ERROR;
        int32_t n;
        snprintf(locale, sizeof locale, "_%s", codes[i]);
        n = uloc_getDisplayCountry(locale, "en", uname, 128, &status);
        if (U_FAILURE(status) || n <= 0 || n >= 128) continue;
        u_austrncpy(name, uname, (int32_t)sizeof name - 1);
        name[sizeof name - 1] = '\0';
        rc = add_phrase(lex, tr, name, strlen(name), name, strlen(name), RF_TOK_PLACE, 0);
    }
    return rc;
}

/* Strips a YAML scalar: quotes, a trailing comment, white space. */
static void yaml_scalar(const char **s, size_t *len)
{
    const char *p = *s, *end = *s + *len;
    const char *hash;
    while (p < end && (*p == ' ' || *p == '-')) p++;
    if (p < end && (*p == '"' || *p == '\'')) {
        const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
        if (close) {
            *s = p + 1;
            *len = (size_t)(close - p - 1);
            return;
        }
    }
    hash = memchr(p, '#', (size_t)(end - p));
    if (hash) end = hash;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
    *s = p;
    *len = (size_t)(end - p);
}

/* The person symbols that are parts of a name rather than titles around it: "Abdul Ghani"
 * is not "Ghani", and "bin" keeps its spellings (ibn, ben) as one word. */
static int is_name_particle(const char *key, size_t len)
{
    static const char *const particles[] = {"bin", "bint", "ould", "abu", "abul", "abdul", "umm", "von", "van"};
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++)
        if (strlen(particles[i]) == len && memcmp(particles[i], key, len) == 0) return 1;
    return 0;
}

/* Files every two names of one person_nick group of symbols.yml as nicknames of each other,
 * both ways, and each name alone. Groups are not merged: "Ted" is Edward's and Theodore's,
 * who are not each other's. `group` holds the names, normalized, each NUL-terminated. */
static int file_nickname_group(rf_lexicon *lex, const rf_buf *group)
{
    rf_buf key = {0};
    int rc = RF_OK;
    for (const char *a = group->data; rc == RF_OK && a && a < group->data + group->len; a += strlen(a) + 1)
        for (const char *b = group->data; rc == RF_OK && b < group->data + group->len; b += strlen(b) + 1) {
            rf_buf_reset(&key);
            rc = strcmp(a, b) == 0 ? rf_buf_puts(&key, a) : rf_buf_printf(&key, "%s %s", a, b);
            if (rc == RF_OK) rc = rf_strmap__put(lex->nicknames, key.data, key.len, 1, NULL);
        }
    rf_buf_free(&key);
    return rc;
}

/* Files the names of `variants` ("lee|yi|ri"), each normalized, as one nickname group. */
static int file_name_variants(rf_lexicon *lex, rf_translit *tr, const char *variants, size_t len)
{
    rf_buf group = {0}, word = {0};
    const char *end = variants + len;
    int rc = RF_OK;
    for (const char *v = variants; rc == RF_OK && v < end;) {
        const char *bar = memchr(v, '|', (size_t)(end - v));
        if (!bar) bar = end;
        rf_buf_reset(&word);
        if ((rc = rf_normalize__words(&word, tr, v, (size_t)(bar - v))) == RF_OK && word.len)
            rc = rf_buf_append(&group, word.data, word.len + 1); /* with its NUL */
        v = bar + 1;
    }
    if (rc == RF_OK) rc = file_nickname_group(lex, &group);
    rf_buf_free(&group);
    rf_buf_free(&word);
    return rc;
}

/* symbols.yml: sections of `  key:` followed by `    - variant` lines. Business words and
 * domains map to their key as generic words, person symbols (Jr, Dr, Sheikh) are stop words
 * but for name particles, person name parts map to their key as ordinary words; the groups
 * of person_nick (a given name and its familiar forms) go to lex->nicknames. */
static int load_symbols(pending_list *pl, rf_lexicon *lex, rf_translit *tr)
{
    line_iter it = {(const char *)rf_data_symbols,
                    (const char *)rf_data_symbols + rf_data_symbols_size};
    const char *line, *key = NULL;
    size_t len, key_len = 0;
    rf_tok_class section = RF_TOK_GENERIC, cls = RF_TOK_GENERIC;
    rf_buf group = {0}, word = {0};
    int use = 0, nick = 0, rc = RF_OK;

    while (rc == RF_OK && next_line(&it, &line, &len)) {
        int is_key = len > 2 && line[0] == ' ' && line[2] != ' ' && line[2] != '#' && line[len - 1] == ':';
        if (len == 0 || line[0] == '#') continue;
        if ((line[0] != ' ' || is_key) && nick) {
            rc = file_nickname_group(lex, &group);
            rf_buf_reset(&group);
        }
        if (line[0] != ' ') {
            use = 1;
            nick = 0;
            if (len >= 11 && memcmp(line, "org_symbols", 11) == 0) section = RF_TOK_GENERIC;
            else if (len >= 11 && memcmp(line, "org_domains", 11) == 0) section = RF_TOK_GENERIC;
            else if (len >= 14 && memcmp(line, "person_symbols", 14) == 0) section = RF_TOK_STOP;
            else if (len >= 17 && memcmp(line, "person_name_parts", 17) == 0) section = RF_TOK_WORD;
            else if (len >= 11 && memcmp(line, "person_nick", 11) == 0) use = 0, nick = 1;
            else use = 0;
            key = NULL;
        } else if (use && is_key) {
            key = line + 2;
            key_len = len - 3;
            cls = section == RF_TOK_STOP && is_name_particle(key, key_len) ? RF_TOK_WORD : section;
            rc = add_phrase(pl, tr, key, key_len, key, key_len, cls, 0);
        } else if ((use && key) || (nick && !is_key)) {
            const char *v = line;
            size_t vlen = len;
            yaml_scalar(&v, &vlen);
            if (vlen && use) rc = add_phrase(pl, tr, v, vlen, key, key_len, cls, 0);
            rf_buf_reset(&word);
            if (vlen && nick && (rc = rf_normalize__words(&word, tr, v, vlen)) == RF_OK && word.len)
                rc = rf_buf_append(&group, word.data, word.len + 1); /* with its NUL */
        }
    }
    if (rc == RF_OK && nick) rc = file_nickname_group(lex, &group);
    rf_buf_free(&group);
    rf_buf_free(&word);
    return rc;
}

typedef struct each_word {
    const rf_lexicon *lex;
    int (*fn)(const char *word, size_t len, void *ctx);
    void *ctx;
} each_word;

static int each_weak_spelling(const char *key, size_t len, uint32_t idx, void *ctx)
{
    const each_word *e = ctx;
    uint8_t cls = e->lex->entries[idx].cls;
    if ((cls != RF_TOK_GENERIC && cls != RF_TOK_PLACE) || memchr(key, ' ', len)) return 0;
    return e->fn(key, len, e->ctx);
}

int rf_lexicon__each_weak_word(const rf_lexicon *lex, int (*fn)(const char *word, size_t len, void *ctx),
                               void *ctx)
{
    each_word e = {lex, fn, ctx};
    return rf_strmap__each(lex->phrases, each_weak_spelling, &e);
}

typedef struct each_nickname {
    int (*fn)(const char *a, size_t alen, const char *b, size_t blen, void *ctx);
    void *ctx;
} each_nickname;

static int each_nickname_pair(const char *key, size_t len, uint32_t value, void *ctx)
{
    const each_nickname *e = ctx;
    const char *space = memchr(key, ' ', len);
    (void)value;
    if (!space) return 0; /* a name alone: it has partners */
    return e->fn(key, (size_t)(space - key), space + 1, len - (size_t)(space - key) - 1, e->ctx);
}

int rf_lexicon__each_nickname(const rf_lexicon *lex,
                              int (*fn)(const char *a, size_t alen, const char *b, size_t blen, void *ctx),
                              void *ctx)
{
    each_nickname e = {fn, ctx};
    return rf_strmap__each(lex->nicknames, each_nickname_pair, &e);
}

int rf_lexicon__nickname(const rf_lexicon *lex, const char *a, size_t alen, const char *b,
                         size_t blen)
{
    char key[2 * RF_MAX_TOKEN_LEN + 2];
    size_t n = blen ? alen + blen + 1 : alen;
    if (!lex || n > sizeof key) return 0;
    memcpy(key, a, alen);
    if (blen) {
        key[alen] = ' ';
        memcpy(key + alen + 1, b, blen);
    }
    return rf_strmap__get(lex->nicknames, key, n) != RF_STRMAP_MISSING;
}

/* stopwords.yml: titles before person names and "The" before organisations are stop words. */
static int load_stopwords(pending_list *lex, rf_translit *tr)
{
    line_iter it = {(const char *)rf_data_stopwords,
                    (const char *)rf_data_stopwords + rf_data_stopwords_size};
    const char *line;
    size_t len;
    int use = 0, rc = RF_OK;

    while (rc == RF_OK && next_line(&it, &line, &len)) {
        if (len == 0 || line[0] == '#') continue;
        if (line[0] != ' ') {
            use = (len >= 20 && memcmp(line, "PERSON_NAME_PREFIXES", 20) == 0) ||
                  (len >= 17 && memcmp(line, "ORG_NAME_PREFIXES", 17) == 0);
        } else if (use) {
            const char *v = line;
            size_t vlen = len;
            yaml_scalar(&v, &vlen);
            if (vlen) rc = add_phrase(lex, tr, v, vlen, v, vlen, RF_TOK_STOP, 0);
        }
    }
    return rc;
}

/* Order text that surrounds a party's name without being part of it. Each match is left out
 * of the name; a match that would leave no word is ignored. A department written after the
 * name without a separator ("ACME Ltd Import Export Dept") stays: the scorer reads it as one
 * (rf_side__unit_start), whatever words name its function. */
static const char *const noise_patterns[] = {
    /* "ACME Ltd Attn: J. Doe", "ACME Ltd c/o DHL" */
    "(?i)(?:^|[\\s,;(])(?:attn|attention|c/o|care\\s+of|fao|for\\s+the\\s+attention\\s+of)\\b.*$",
    /* "ACME Ltd - Purchasing Dept", "ACME Ltd / Accounts Payable" */
    ("(?i)\\s*[-\\x{2013}\\x{2014}/|,;]\\s*(?:purchasing|procurement|accounts?\\s+payable|accounting|"
     "finance|receiving|warehouse|logistics|shipping|sales|buying|goods\\s+in)"
     "(?:\\s+(?:dept|department|office|team|division|desk))?\\.?\\s*$"),
    /* "ACME Ltd (Head Office)" */
    ("(?i)\\s*\\((?:head\\s+office|headquarters|hq|main\\s+office|branch(?:\\s+office)?|warehouse|"
     "plant|factory|billing|invoicing)\\)"),
};

static int compile_noise(rf_lexicon *lex)
{
    for (size_t i = 0; i < RF_NOISE_PATTERNS; i++) {
        int errcode;
        PCRE2_SIZE erroff;
        lex->noise[i] = pcre2_compile((PCRE2_SPTR)noise_patterns[i], PCRE2_ZERO_TERMINATED,
                                      PCRE2_UTF | PCRE2_UCP, &errcode, &erroff, NULL);
        if (!lex->noise[i]) return RF_ENOMEM;
    }
    /* Compiled to machine code where PCRE2 can: these run on every party. */
    lex->noise_jit = 1;
    for (size_t i = 0; i < RF_NOISE_PATTERNS; i++)
        if (pcre2_jit_compile(lex->noise[i], PCRE2_JIT_COMPLETE) != 0) lex->noise_jit = 0;
    return RF_OK;
}

void rf_lexicon__free_maps(rf_lexicon *lex)
{
    rf_strmap__free(lex->phrases);
    rf_strmap__free(lex->starts);
    rf_strmap__free(lex->words);
    rf_strmap__free(lex->word_deletes);
    rf_strmap__free(lex->nicknames);
    rf_strmap__free(lex->prefixes);
    for (size_t i = 0; i < RF_NOISE_PATTERNS; i++) pcre2_code_free(lex->noise[i]);
}

static void lexicon_free(rf_lexicon *lex)
{
    if (!lex) return;
    rf_lexicon__free_maps(lex);
    rf_buf_free(&lex->words_text);
    free(lex->entries);
    rf_buf_free(&lex->canon);
    free(lex);
}

/* Numbers written as words are numbers: "Forty-Four" is 44, "First" and "1st" are 1, so that
 * "Brigade Forty-Four" and "Brigade 44" agree (numbers must agree to match). */
static int load_number_words(pending_list *pl, rf_translit *tr)
{
    static const char *const units[] = {"zero", "one", "two", "three", "four", "five", "six",
                                        "seven", "eight", "nine", "ten", "eleven", "twelve",
                                        "thirteen", "fourteen", "fifteen", "sixteen",
                                        "seventeen", "eighteen", "nineteen"};
    static const char *const tens[] = {"", "", "twenty", "thirty", "forty", "fifty", "sixty",
                                       "seventy", "eighty", "ninety"};
    static const char *const ordinals[] = {"", "first", "second", "third", "fourth", "fifth",
                                           "sixth", "seventh", "eighth", "ninth", "tenth"};
    char words[64], digits[8];
    int rc = RF_OK;

    for (int n = 0; n < 100 && rc == RF_OK; n++) {
        if (n < 20) snprintf(words, sizeof words, "%s", units[n]);
        else if (n % 10 == 0) snprintf(words, sizeof words, "%s", tens[n / 10]);
        else snprintf(words, sizeof words, "%s %s", tens[n / 10], units[n % 10]);
        snprintf(digits, sizeof digits, "%d", n);
        rc = add_phrase(pl, tr, words, strlen(words), digits, strlen(digits), RF_TOK_NUMBER, 0);
        if (rc == RF_OK && n == 40) /* a common misspelling */
            rc = add_phrase(pl, tr, "fourty", 6, digits, strlen(digits), RF_TOK_NUMBER, 0);
    }
    for (int n = 1; n <= 20 && rc == RF_OK; n++) {
        const char *suffix = n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th";
        snprintf(digits, sizeof digits, "%d", n);
        snprintf(words, sizeof words, "%d%s", n, suffix);
        rc = add_phrase(pl, tr, words, strlen(words), digits, strlen(digits), RF_TOK_NUMBER, 0);
        /* An ordinal written out is misspelt as any word is ("Secnod Planning Department",
         * "Nintvh Academy"); not "first", a typo away from the German names Fürst and Forst. */
        if (rc == RF_OK && n <= 10)
            rc = add_phrase(pl, tr, ordinals[n], strlen(ordinals[n]), digits, strlen(digits), RF_TOK_NUMBER, n > 1);
    }
    return rc;
}

static void pending_free(pending_list *pl)
{
    for (size_t i = 0; i < pl->count; i++) {
        free(pl->items[i].key);
        free(pl->items[i].canon);
    }
    free(pl->items);
}

/* The lexicon built from the tables, or NULL when it cannot be. */
static rf_lexicon *lexicon_build(void)
{
    rf_lexicon *lex = calloc(1, sizeof *lex);
    pending_list pl = {0};
    rf_translit *tr = NULL;
    int rc;

    if (!lex) return NULL;
    rc = rf_translit__new(&tr);
    if (rc == RF_OK) rc = rf_strmap__new(&lex->phrases, 16384);
    if (rc == RF_OK) rc = rf_strmap__new(&lex->starts, 2048);
    if (rc == RF_OK) rc = rf_strmap__new(&lex->words, 8192);
    if (rc == RF_OK) rc = rf_strmap__new(&lex->word_deletes, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&lex->nicknames, 256);
    if (rc == RF_OK) rc = rf_strmap__new(&lex->prefixes, 16384);
    if (rc == RF_OK) rc = load_abbreviations(&pl, lex, tr);
    if (rc == RF_OK) rc = load_org_types(&pl, tr);
    if (rc == RF_OK) rc = load_countries(&pl, tr);
    if (rc == RF_OK) rc = load_symbols(&pl, lex, tr);
    if (rc == RF_OK) rc = load_stopwords(&pl, tr);
    if (rc == RF_OK) rc = load_number_words(&pl, tr);
    if (rc == RF_OK) rc = unify_canonicals(&pl);
    if (rc == RF_OK) rc = file_pending(lex, &pl);
    if (rc == RF_OK) rc = file_prefixes(lex);
    if (rc == RF_OK) rc = compile_noise(lex);
    pending_free(&pl);
    rf_translit__free(tr);
    if (rc != RF_OK) {
        lexicon_free(lex);
        return NULL;
    }
    return lex;
}

const rf_lexicon *rf_lexicon__get(void)
{
    rf_lexicon *lex = atomic_load_explicit(&the_lexicon, memory_order_acquire);
    if (lex) return lex;
    pthread_mutex_lock(&lexicon_lock);
    if (!(lex = atomic_load_explicit(&the_lexicon, memory_order_relaxed)) && !lexicon_failed) {
        lex = lexicon_build();
        lexicon_failed = lex == NULL;
        atomic_store_explicit(&the_lexicon, lex, memory_order_release);
    }
    pthread_mutex_unlock(&lexicon_lock);
    return lex;
}

int rf_lexicon__present(void)
{
    return atomic_load_explicit(&the_lexicon, memory_order_acquire) != NULL;
}

int rf_lexicon__adopt(rf_lexicon *lex)
{
    int rc = 0;
    pthread_mutex_lock(&lexicon_lock);
    if (!atomic_load_explicit(&the_lexicon, memory_order_relaxed)) {
        rc = compile_noise(lex);
        if (rc == RF_OK) {
            atomic_store_explicit(&the_lexicon, lex, memory_order_release);
            rc = 1;
        }
    }
    pthread_mutex_unlock(&lexicon_lock);
    return rc;
}
