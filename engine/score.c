/* score.c: how alike a party's name is to a listed name, in [0,1].
 *
 * Every party word is paired with at most one listed word (or two, when one side wrote as one
 * word what the other wrote as two), best pairs first. Each pair counts its similarity times
 * the pair's weight; words left unpaired count against the match: a party word the list does
 * not have weighs fully (it is evidence of another party), a listed word the party left out
 * weighs less (orders shorten names; lists carry middle names and generic words). Weights come
 * from rarity and class, so "Huawei" decides and "Technologies" or "Co., Ltd." do not; a match
 * made of weak words only, or with numbers that disagree, is capped below any threshold. */
#include <stdlib.h>
#include <string.h>

#include "matcher.h"

/* How alike a word written in a script without vowels (Arabic, Hebrew) and a Latin word with
 * its consonants are: the vowels, unwritten, cannot confirm it. */
#define CONSONANTS_SIM 0.85f
/* How alike one word and the same letters written as two are ("Hikvision", "Hik Vision"). */
#define MERGED_SIM 0.95f
/* How alike a given name and its familiar form are ("Bob", "Robert"). */
#define NICKNAME_SIM 0.85f
/* How alike one Chinese or Korean syllable romanized two ways is ("Song", "Sung"). */
#define SYLLABLE_SPELLING_SIM 0.9f
/* How alike the word a name was cut in and a listed word it begins are: this when only its
 * first letters are left, up to 1 as more of the word is (CUT_SIM_MIN + (1 - CUT_SIM_MIN) *
 * share of its letters). Three letters begin many words ("Man": Manufacturing, Management). */
#define CUT_SIM_MIN 0.6f
/* What one edit costs, relative to the word's length. */
#define TYPO_COST 1.2f
/* A listed name made only of weak words matches only when every word pairs this well. */
#define WEAK_NAME_MIN_SIM 0.75f
/* The whole-name second opinion: asked below this score, for names this long, one edit
 * tolerated per so many letters. */
#define WHOLE_NAME_MIN 0.9
#define WHOLE_NAME_MIN_LETTERS 10
#define WHOLE_NAME_LETTERS_PER_EDIT 8
#define WHOLE_NAME_MAX_EDITS 2

float rf_class__weight(rf_tok_class cls)
{
    switch (cls) {
    case RF_TOK_WORD: return 1.0f;
    case RF_TOK_NUMBER: return 1.0f;
    case RF_TOK_GENERIC: return 0.3f;
    case RF_TOK_PLACE: return 0.3f;
    case RF_TOK_LEGAL: return 0.1f;
    case RF_TOK_STOP: return 0.0f;
    }
    return 1.0f;
}

uint32_t rf_letter__mask(const char *s, size_t len)
{
    uint32_t m = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z') m |= 1u << (c - 'a');
        else m |= 1u << 26;
    }
    return m;
}

size_t rf_consonant__skeleton(char *out, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        /* w, y and v: the letters that write them in Arabic and Hebrew (waw, vav, yod) are
         * vowels as often ("Mahmoud" محمود, "David" דוד). */
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'w' || c == 'y' || c == 'v') continue;
        c = c == 'p' ? 'b' : c == 'v' ? 'f' : c == 'c' || c == 'q' ? 'k' : c;
        if (n == 0 || out[n - 1] != c) out[n++] = c;
    }
    return n;
}

size_t rf_collapse__doubles(char *out, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (n == 0 || out[n - 1] != s[i]) out[n++] = s[i];
    return n;
}

int rf_collapse__equal(const char *a, size_t alen, const char *b, size_t blen)
{
    char ca[RF_MAX_TOKEN_LEN], cb[RF_MAX_TOKEN_LEN];
    size_t na, nb;
    if (alen > RF_MAX_TOKEN_LEN || blen > RF_MAX_TOKEN_LEN) return 0;
    na = rf_collapse__doubles(ca, a, alen);
    nb = rf_collapse__doubles(cb, b, blen);
    return na == nb && memcmp(ca, cb, na) == 0;
}

int rf_typo__budget(size_t len)
{
    if (len <= 3) return 0;
    if (len <= 8) return 1;
    return 2;
}

int rf_osa__distance(const char *a, size_t alen, const char *b, size_t blen, int limit)
{
    /* Three rows of the dynamic programme; words are capped at RF_MAX_TOKEN_LEN. */
    int rows[3][RF_MAX_TOKEN_LEN + 2];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (alen > RF_MAX_TOKEN_LEN || blen > RF_MAX_TOKEN_LEN) return limit + 1;
    if ((alen > blen ? alen - blen : blen - alen) > (size_t)limit) return limit + 1;
    for (size_t j = 0; j <= blen; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        int row_min;
        cur[0] = (int)i;
        row_min = cur[0];
        for (size_t j = 1; j <= blen; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = prev[j - 1] + cost;
            if (prev[j] + 1 < v) v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < row_min) row_min = v;
        }
        if (row_min > limit) return limit + 1;
        {
            int *t = prev2;
            prev2 = prev;
            prev = cur;
            cur = t;
        }
    }
    return prev[blen];
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* The edits between two words (d of them, as counted by rf_osa__distance), a vowel (or y)
 * written for another counting half: transliteration moves vowels most in people's names
 * ("Usama" / "Osama", "Zelenskiy" / "Zelenskyy"). Used for full names only: "Masco" is not
 * "Mosco". */
static float weighted_edits(const char *a, size_t alen, const char *b, size_t blen, int d)
{
    char fa[RF_MAX_TOKEN_LEN], fb[RF_MAX_TOKEN_LEN];
    int folded;
    for (size_t i = 0; i < alen; i++) fa[i] = is_vowel(a[i]) ? 'a' : a[i];
    for (size_t i = 0; i < blen; i++) fb[i] = is_vowel(b[i]) ? 'a' : b[i];
    folded = rf_osa__distance(fa, alen, fb, blen, d);
    return (float)folded + 0.5f * (float)(d - folded);
}

/* 1 when two words have one consonant skeleton ("Ali" and "ly": "l"). */
static int same_skeleton(const char *a, size_t alen, const char *b, size_t blen)
{
    char sa[2 * RF_MAX_TOKEN_LEN], sb[2 * RF_MAX_TOKEN_LEN];
    size_t na, nb;
    if (alen > sizeof sa || blen > sizeof sb) return 0;
    na = rf_consonant__skeleton(sa, a, alen);
    nb = rf_consonant__skeleton(sb, b, blen);
    return na >= 1 && na == nb && memcmp(sa, sb, na) == 0;
}

static int same_text(const rf_side *a, size_t i, const rf_side *b, size_t j)
{
    if (a->vocab[i] != RF_STRMAP_MISSING && a->vocab[i] == b->vocab[j]) return 1;
    return a->len[i] == b->len[j] && memcmp(a->text[i], b->text[j], a->len[i]) == 0;
}

/* 1 when two words of one length differ only by two neighbouring letters swapped. */
static int swapped_pair(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0;
    if (alen != blen) return 0;
    while (i < alen && a[i] == b[i]) i++;
    if (i + 1 >= alen || a[i] != b[i + 1] || a[i + 1] != b[i]) return 0;
    return memcmp(a + i + 2, b + i + 2, alen - i - 2) == 0;
}

/* 1 when two words start differently, other than by swapping their first two letters. */
static int first_letter_differs(const char *a, const char *b)
{
    return a[0] != b[0] && !(a[0] == b[1] && a[1] == b[0]);
}

/* Copies a word with each x written ks; returns the length (out: twice the word's). */
static size_t x_as_ks(char *out, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == 'x') out[n++] = 'k';
        out[n++] = s[i] == 'x' ? 's' : s[i];
    }
    return n;
}

size_t rf_ocr__read_pairs(char *out, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i], next = i + 1 < len ? s[i + 1] : '\0';
        if ((c == 'r' && next == 'n') || (c == 'c' && next == 'l') || (c == 'v' && next == 'v')) {
            out[n++] = c == 'r' ? 'm' : c == 'c' ? 'd' : 'w';
            i++;
        } else {
            out[n++] = c;
        }
    }
    return n;
}

size_t rf_ocr__fold(char *out, const char *s, size_t len)
{
    size_t n = rf_ocr__read_pairs(out, s, len);
    /* the pairs read back are m, d and w: no l, 1 or 0 comes of them */
    for (size_t i = 0; i < n; i++) out[i] = out[i] == 'l' || out[i] == '1' ? 'i' : out[i] == '0' ? 'o' : out[i];
    return n;
}

/* The edits between two words when one was misread by OCR: both read back through
 * rf_ocr__fold, each misreading costing half an edit and the rest counted as typos, within the
 * budget of the folded words (as the index looks them up, rf_index__typos), none in words of
 * three letters or fewer (acronyms: "NSD" is not "NSCL"); else `d`, the plain count. */
static __attribute__((noinline)) float ocr_edits(const char *a, size_t alen, const char *b, size_t blen, int d)
{
    char fa[RF_MAX_TOKEN_LEN], fb[RF_MAX_TOKEN_LEN];
    size_t na = rf_ocr__fold(fa, a, alen), nb = rf_ocr__fold(fb, b, blen);
    int budget = rf_typo__budget(na < nb ? na : nb), dg;
    if (budget == 0 || (na == alen && nb == blen && memcmp(fa, a, alen) == 0 && memcmp(fb, b, blen) == 0) ||
        __builtin_popcount(rf_letter__mask(fa, na) ^ rf_letter__mask(fb, nb)) > 2 * budget)
        return (float)d;
    dg = rf_osa__distance(fa, na, fb, nb, budget);
    return dg <= budget && (float)dg + 0.5f < (float)d ? (float)dg + 0.5f : (float)d;
}

/* Whether two words differ only by what OCR misreads (rf_ocr__fold): read back, the same. */
static __attribute__((noinline)) int ocr_reads_same(const char *a, size_t alen, const char *b, size_t blen)
{
    char fa[RF_MAX_TOKEN_LEN], fb[RF_MAX_TOKEN_LEN];
    size_t na = rf_ocr__fold(fa, a, alen), nb = rf_ocr__fold(fb, b, blen);
    return na == nb && memcmp(fa, fb, na) == 0;
}

/* Similarity of two words as a typo of each other (0 beyond the typo budget). Inlined: it
 * runs for most word pairs of most candidates. */
static inline __attribute__((always_inline)) float typo_sim(const char *a, size_t alen, const char *b, size_t blen, int person, int vowel_slips,
                      int ocr, uint8_t *kind)
{
    size_t longer = alen > blen ? alen : blen;
    size_t shorter = alen < blen ? alen : blen;
    /* People's names are spelt many ways (Narender / Narendra): two edits from six letters
     * on; the other words of the name must still agree. */
    int budget = person && shorter >= 6 ? 2 : rf_typo__budget(shorter);
    int d;
    float edits, ocr_e;
    if (longer > RF_MAX_TOKEN_LEN) return 0.0f;
    if (budget == 0) {
        /* A short word of a person's name that OCR misread and nothing else ("A1i", "Urnr",
         * "Jl" for Ali, Umr, Ji): read back, it is the listed word. Not in a company's
         * acronym ("NSCL" is not "NSD"). */
        if (!(person && ocr && shorter >= 2 && ocr_reads_same(a, alen, b, blen))) return 0.0f;
        *kind = RF_PAIR_TYPO;
        return 1.0f - TYPO_COST * 0.5f / (float)longer;
    }
    d = rf_osa__distance(a, alen, b, blen, budget);
    ocr_e = ocr ? ocr_edits(a, alen, b, blen, d) : (float)d;
    if (ocr_e < (float)d) {
        edits = ocr_e;
    } else {
        if (d > budget) return 0.0f;
        /* Two letters swapped, the commonest slip, cost less. */
        edits = (vowel_slips ? weighted_edits(a, alen, b, blen, d) : (float)d) -
                (swapped_pair(a, alen, b, blen) ? 0.4f : 0.0f);
    }
    *kind = RF_PAIR_TYPO;
    /* A typo costs more in a short word, and more still in the first letter, which people
     * rarely get wrong. In a word of ten letters or more of any name but a person's an edit
     * costs its share of the word and no more: two typos leave four fifths of it. A person's
     * words, allowed two edits from six letters on, keep TYPO_COST: at 1.0 a one-word query
     * would reach the threshold at two edits ("CHAPARRO": CHAPARRITO), where the candidate
     * index looks for one. */
    return 1.0f - (longer >= 10 && !person ? 1.0f : TYPO_COST) * edits / (float)longer -
           (first_letter_differs(a, b) && !(vowel_slips && is_vowel(a[0]) && is_vowel(b[0])) ? 0.1f : 0.0f);
}

/* typo_sim of two words that differ in an x, the better of as written and with each x
 * written ks: an x may be a typo ("RABITX" for RABITA) as well as a ks (kept out of
 * word_sim, whose every call would otherwise pay for these buffers). */
static __attribute__((noinline)) float typo_sim_x_as_ks(const char *a, size_t alen, const char *b, size_t blen, int person,
                              int vowel_slips, int ocr, uint8_t *kind)
{
    char ax[2 * RF_MAX_TOKEN_LEN], bx[2 * RF_MAX_TOKEN_LEN];
    size_t an = x_as_ks(ax, a, alen), bn = x_as_ks(bx, b, blen);
    float as_written = typo_sim(a, alen, b, blen, person, vowel_slips, ocr, kind);
    float as_ks = typo_sim(ax, an, bx, bn, person, vowel_slips, ocr, kind);
    return as_written > as_ks ? as_written : as_ks;
}

/* 1 when word i of `side` was written in another script. */
static int transliterated(const rf_side *side, size_t i)
{
    return side->origin[i] == RF_ORIGIN_TRANSLIT || side->origin[i] == RF_ORIGIN_SYLLABIC;
}

/* 1 when two syllables differ only by "ong" written "ung" at their end. */
static int same_syllable(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen || alen < 3 || memcmp(a, b, alen - 3) != 0) return 0;
    a += alen - 3;
    b += blen - 3;
    return a[1] == 'n' && a[2] == 'g' && b[1] == 'n' && b[2] == 'g' && a[0] != b[0] &&
           (a[0] == 'o' || a[0] == 'u') && (b[0] == 'o' || b[0] == 'u');
}

/* Similarity of one party word and one listed word, and how they met. */
static float word_sim(const rf_side *p, size_t i, const rf_side *l, size_t j, int person,
                      int vowel_slips, uint8_t *kind)
{
    rf_tok_class pc = (rf_tok_class)p->cls[i], lc = (rf_tok_class)l->cls[j];
    size_t pl = p->surf_len[i], ll = l->surf_len[j];
    int ocr;

    *kind = RF_PAIR_EXACT;
    /* A word the lexicon read as another legal form or business word, misspelt or cut short,
     * is that word to legal forms and business words, not to a listed telling word that its
     * canonical text happens to spell ("INTE", read as the Danish I/S cut short, is not the
     * IS of IS BANK): against one, it is the word as written (below). */
    if (same_text(p, i, l, j) && (p->origin[i] != RF_ORIGIN_TYPO || pc == RF_TOK_WORD || lc != RF_TOK_WORD))
        return 1.0f;
    if (pc == RF_TOK_LEGAL && lc == RF_TOK_LEGAL) {
        *kind = RF_PAIR_LEGAL;
        return 0.8f;
    }
    if (pc == RF_TOK_NUMBER || lc == RF_TOK_NUMBER) return 0.0f;
    /* The word a long name was cut in ("... Machinery Man", "... Adel Mohamed Mah"): the
     * beginning of a listed word, whatever the lexicon read it as. */
    if (rf_side__cut_word(p, i) && pl < ll && memcmp(p->surf[i], l->surf[j], pl) == 0) {
        *kind = RF_PAIR_CUT;
        return CUT_SIM_MIN + (1.0f - CUT_SIM_MIN) * (float)pl / (float)ll;
    }
    /* A script without vowels against Latin: only the consonants were written. */
    if ((p->origin[i] == RF_ORIGIN_CONSONANTS) != (l->origin[j] == RF_ORIGIN_CONSONANTS) && pc == RF_TOK_WORD &&
        lc == RF_TOK_WORD && same_skeleton(p->surf[i], pl, l->surf[j], ll)) {
        *kind = RF_PAIR_TRANSLIT;
        return CONSONANTS_SIM;
    }
    /* A familiar form or another spelling of a name: in people's names, and in any name
     * written in another script, where the spelling is the transliteration's (Αλέξανδρος is
     * "Alexandros", the lists write Alexander). One letter is an initial, but a syllable. */
    if ((person || transliterated(p, i) || transliterated(l, j)) && p->nickname[i] && l->nickname[j] &&
        (pl > 1 || p->origin[i] == RF_ORIGIN_SYLLABIC) && (ll > 1 || l->origin[j] == RF_ORIGIN_SYLLABIC) &&
        rf_lexicon__nickname(rf_lexicon__get(), p->surf[i], pl, l->surf[j], ll)) {
        *kind = RF_PAIR_NICKNAME;
        return NICKNAME_SIM;
    }
    /* A Chinese or Korean name differing by a syllable is another name (习近朋, 习近平); one
     * syllable romanized two ways is not (ong and ung: pinyin and Wade-Giles, 宋 Song and
     * Sung; the DPRK's and the South's, 성 Song and Sung). */
    if (p->origin[i] == RF_ORIGIN_SYLLABIC || l->origin[j] == RF_ORIGIN_SYLLABIC) {
        if (!same_syllable(p->surf[i], pl, l->surf[j], ll)) return 0.0f;
        *kind = RF_PAIR_TRANSLIT;
        return SYLLABLE_SPELLING_SIM;
    }
    if (pl != ll && p->letters[i] == l->letters[j] && (person || (pl > 4 && ll > 4)) &&
        rf_collapse__equal(p->surf[i], pl, l->surf[j], ll)) {
        /* A letter doubled or undoubled ("Sson" / "Son", "Essa" / "Esa"), even in a short
         * name of a person; not in a company's acronym ("AEC" is not "AECC"). */
        size_t longer = pl > ll ? pl : ll, extra = longer - (pl < ll ? pl : ll);
        *kind = RF_PAIR_TYPO;
        return 1.0f - 0.5f * (float)extra / (float)longer;
    }
    if (person && (pl == 1) != (ll == 1) && p->surf[i][0] == l->surf[j][0]) {
        *kind = RF_PAIR_INITIAL;
        return 0.7f;
    }
    /* OCR's misreadings need one of its glyphs (l, 1, 0, rn, cl, vv) and the words to differ
     * in letters it confuses, and in few letters: one misreading changes at most three ("rn"
     * for "m"), each typo besides two. A cheap test before reading them through its eyes. */
    ocr = ((p->letters[i] | l->letters[j]) & RF_OCR_GLYPHS) &&
          ((p->letters[i] ^ l->letters[j]) & RF_OCR_ALIKE) &&
          __builtin_popcount(p->letters[i] ^ l->letters[j]) <=
              2 * rf_typo__budget(pl < ll ? pl : ll) + 3;
    /* Typos are measured on the words as written: "Inversines" against "Inversiones",
     * whatever canonical word the listed one stands for; an x against a ks is no typo
     * (Alexander, Aleksandr). */
    if (((p->letters[i] ^ l->letters[j]) >> ('x' - 'a')) & 1u)
        return typo_sim_x_as_ks(p->surf[i], pl, l->surf[j], ll, person, vowel_slips, ocr, kind);
    return typo_sim(p->surf[i], pl, l->surf[j], ll, person, vowel_slips, ocr, kind);
}

int rf_score__words_pair(const rf_side *party, size_t i, const rf_side *listed, size_t j,
                         int person)
{
    uint8_t kind;
    /* Vowel slips (asked of people's names only) only lower the cost of an edit. */
    if (party->cls[i] == RF_TOK_STOP && listed->cls[j] == RF_TOK_STOP && !same_text(party, i, listed, j))
        return 0;
    return word_sim(party, i, listed, j, person, person, &kind) > 0;
}

/* 1 when a canonical word is one of `list` (NULL-terminated). */
static int one_of(const char *const *list, const char *w, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, w, n) == 0) return 1;
    return 0;
}

size_t rf_side__unit_start(const rf_side *s)
{
    /* What names a part of a company, and the functions such parts have, as the lexicon
     * spells them ("international" is "intl", "technical" "tech", "regional" "region"). */
    static const char *const units[] = {"department", "division", "office", "unit", "section",
                                        "team", "desk", NULL};
    static const char *const functions[] = {
        "sales", "export", "import", "exports", "imports", "procurement", "purchasing", "purchase",
        "buying", "accounts", "account", "payable", "receivable", "accounting", "finance",
        "logistics", "shipping", "receiving", "warehouse", "engineering", "marketing", "technical",
        "trade", "foreign", "international", "overseas", "regional", "customer", "service",
        "services", "supply", "chain", "materials", "management", "operations", "quality",
        "production", "research", "development", "r", "d", "rd", "legal", "admin",
        "administration", "business", "commercial", "commerce", "contracts", "order", "orders",
        "and", "import export", "intl", "tech", "region", "dev", "financial", "global", NULL};
    size_t start;
    if (s->n < 2 || !one_of(units, s->text[s->n - 1], s->len[s->n - 1])) return s->n;
    start = s->n - 1;
    while (start > 1 && s->n - start < 4 && one_of(functions, s->text[start - 1], s->len[start - 1])) start--;
    /* The name itself must keep a word of its own, not only its legal form. */
    for (size_t i = 0; i < start; i++)
        if (s->cls[i] != RF_TOK_LEGAL && s->cls[i] != RF_TOK_STOP) return start;
    return s->n;
}

static int distinctive(uint8_t cls)
{
    return cls == RF_TOK_WORD || cls == RF_TOK_NUMBER;
}

static size_t distinctive_words(const rf_side *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) n += distinctive(s->cls[i]) ? 1u : 0u;
    return n;
}

/* spells_merged for words not spelt exactly: by a typo, or by consonants across scripts. */
static float spells_merged_loosely(const rf_side *a, size_t i, const rf_side *b, size_t j, int consonants, int budget)
{
    size_t n1 = a->surf_len[i], n2 = a->surf_len[i + 1], nb = b->surf_len[j];
    char joined[2 * RF_MAX_TOKEN_LEN];
    int d;
    memcpy(joined, a->surf[i], n1);
    memcpy(joined + n1, a->surf[i + 1], n2);
    if (consonants) return same_skeleton(joined, n1 + n2, b->surf[j], nb) ? CONSONANTS_SIM : 0;
    d = rf_osa__distance(joined, n1 + n2, b->surf[j], nb, budget);
    return d <= budget ? MERGED_SIM - TYPO_COST * (float)d / (float)(nb > n1 + n2 ? nb : n1 + n2) : 0;
}

/* How well a's word i followed by word i+1 spells b's word j: MERGED_SIM as written
 * ("SiemensAG", "Hik Vision", "Del Bros"), less for a typo in a long word ("FridrichBuchenberg",
 * "Friedrich Buchenberg"), CONSONANTS_SIM by consonants across scripts ("عبد الله", "Abdullah"),
 * else 0. Beyond the same letters, at least one of the words must be a telling one. */
static float spells_merged(const rf_side *a, size_t i, const rf_side *b, size_t j)
{
    size_t n1 = a->surf_len[i], n2 = a->surf_len[i + 1], nb = b->surf_len[j];
    int consonants, budget = 0;
    if (b->cls[j] == RF_TOK_STOP) return 0; /* "Nyakekand" may hold an "and", not be one */
    /* The same letters: whatever the words, they confirm ("Inter National"); they make no
     * match unless one is a telling word (rf_score__sides). */
    if (n1 + n2 == nb && memcmp(a->surf[i], b->surf[j], n1) == 0 && memcmp(a->surf[i + 1], b->surf[j] + n1, n2) == 0)
        return MERGED_SIM;
    if (!distinctive(a->cls[i]) && !distinctive(a->cls[i + 1]) && !distinctive(b->cls[j])) return 0;
    if (n1 + n2 > RF_MAX_TOKEN_LEN || nb > RF_MAX_TOKEN_LEN) return 0;
    consonants = (a->origin[i] == RF_ORIGIN_CONSONANTS) != (b->origin[j] == RF_ORIGIN_CONSONANTS);
    /* A typo besides: two variations at once, so each part must be a word of its own, not a
     * stray letter, and the letters close enough to be worth an edit distance. */
    if (!consonants && (n1 + n2 > nb + 2 || nb > n1 + n2 + 2 || n1 < 3 || n2 < 3 ||
                   (budget = rf_typo__budget(nb < n1 + n2 ? nb : n1 + n2)) == 0 ||
                   __builtin_popcount((a->letters[i] | a->letters[i + 1]) ^ b->letters[j]) > 2 * budget))
        return 0;
    return spells_merged_loosely(a, i, b, j, consonants, budget);
}

/* 1 when word i is "bin" (ibn, ben), "bint" or "ould". */
static int is_lineage_link(const rf_side *s, size_t i)
{
    return (s->len[i] == 3 && memcmp(s->text[i], "bin", 3) == 0) ||
           (s->len[i] == 4 && (memcmp(s->text[i], "bint", 4) == 0 || memcmp(s->text[i], "ould", 4) == 0));
}

/* What word i is in a chain of names linked by "bin": +1 the person's own (before a link
 * only), -1 a forebear's (after a link only), 0 neither or both. */
static int lineage_role(const rf_side *s, size_t i)
{
    int before = i + 1 < s->n && is_lineage_link(s, i + 1);
    int after = i > 0 && is_lineage_link(s, i - 1);
    return before == after ? 0 : before ? 1 : -1;
}

/* 1 when a pair puts a person's own name where the other name has a forebear's: "Salman bin
 * Muhammad" is Muhammad's son, "Muhammad bin Salman" Salman's. */
static int lineage_swapped(const rf_side *p, const rf_side *l, const rf_score_detail *d)
{
    for (size_t k = 0; k < d->n_pairs; k++)
        if (lineage_role(p, d->pairs[k].p) * lineage_role(l, d->pairs[k].l) < 0) return 1;
    return 0;
}

/* When both names are the same words, stop words aside: 1 for the same words in the same
 * order as written, a little less for another order or other spellings of the same words
 * (so that the closest of several listed names ranks first); else 0. */
static double identical(const rf_side *p, const rf_side *l)
{
    uint8_t used[RF_MAX_TOKENS] = {0};
    size_t np = 0, nl = 0, same_surface = 0, in_order = 1, prev = 0;
    for (size_t j = 0; j < l->n; j++) nl += l->cls[j] != RF_TOK_STOP;
    for (size_t i = 0; i < p->n; i++) {
        size_t j;
        if (p->cls[i] == RF_TOK_STOP) continue;
        np++;
        for (j = 0; j < l->n; j++)
            if (!used[j] && l->cls[j] != RF_TOK_STOP && same_text(p, i, l, j)) break;
        if (j == l->n) return 0;
        used[j] = 1;
        if (j < prev) in_order = 0;
        prev = j;
        same_surface += p->surf_len[i] == l->surf_len[j] && memcmp(p->surf[i], l->surf[j], p->surf_len[i]) == 0;
    }
    if (np != nl || np == 0) return 0;
    return 0.99 + (in_order ? 0.005 : 0.0) + 0.005 * (double)same_surface / (double)np;
}

/* 1 when word i of a name repeats one of its words that is paired ("Sergey Sergey Shoigu";
 * "Huawei Technologies Co., Ltd. (Huawei)"). */
static int repeats_paired(const rf_side *p, size_t i, const uint8_t *used_p)
{
    for (size_t k = 0; k < p->n; k++)
        if (k != i && used_p[k] && same_text(p, k, p, i)) return 1;
    return 0;
}

/* A name's telling letters in order, without spaces: what a letter moved across a word
 * break ("Lauren Tnkunda") leaves alike. Returns the length, 0 when too long to compare. */
static size_t joined_letters(char *out, size_t cap, const rf_side *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->cls[i] == RF_TOK_STOP || s->cls[i] == RF_TOK_LEGAL) continue;
        if (n + s->surf_len[i] > cap) return 0;
        memcpy(out + n, s->surf[i], s->surf_len[i]);
        n += s->surf_len[i];
    }
    return n;
}

/* People's names compared whole, as one string in the order written: a second opinion for
 * letters moved across word breaks, which word-by-word pairing cannot see. */
static double whole_name_score(const rf_side *p, const rf_side *l)
{
    char a[RF_MAX_TOKEN_LEN], b[RF_MAX_TOKEN_LEN];
    size_t na = joined_letters(a, sizeof a, p), nb = joined_letters(b, sizeof b, l);
    size_t longer = na > nb ? na : nb;
    int limit, d;
    if (na < WHOLE_NAME_MIN_LETTERS || nb < WHOLE_NAME_MIN_LETTERS) return 0.0;
    /* Letters moved across a break cost nothing here; a few edits more are typos, but not
     * a name replaced by another of its length ("Al-Harbi", "Al-Ghamdi"). */
    limit = (int)(longer / WHOLE_NAME_LETTERS_PER_EDIT);
    if (limit > WHOLE_NAME_MAX_EDITS) limit = WHOLE_NAME_MAX_EDITS;
    d = rf_osa__distance(a, na, b, nb, limit);
    if (d > limit) return 0.0;
    return 1.0 - TYPO_COST * (double)d / (double)longer;
}

/* 1 when party word i is the initials of listed words j and j+1 ("JC" for "Jean-Claude"). */
static int initials_of(const rf_side *p, size_t i, const rf_side *l, size_t j)
{
    return p->surf_len[i] == 2 && l->surf_len[j] > 1 && l->surf_len[j + 1] > 1 &&
           p->surf[i][0] == l->surf[j][0] && p->surf[i][1] == l->surf[j + 1][0] &&
           l->cls[j] == RF_TOK_WORD && l->cls[j + 1] == RF_TOK_WORD;
}

/* The index of an unpaired word of `s` written `w` (n letters), else of one a typo away
 * from it (*typo set), or -1. */
static int find_unpaired(const rf_side *s, const uint8_t *used, const char *w, size_t n, int *typo)
{
    for (size_t i = 0; i < s->n; i++)
        if (!used[i] && s->surf_len[i] == n && memcmp(s->surf[i], w, n) == 0) return (int)i;
    for (size_t i = 0; i < s->n; i++) {
        int budget = rf_typo__budget(s->surf_len[i] < n ? s->surf_len[i] : n);
        if (!used[i] && budget > 0 &&
            rf_osa__distance(s->surf[i], s->surf_len[i], w, n, budget) <= budget) {
            *typo = 1;
            return (int)i;
        }
    }
    return -1;
}

/* A phrase of the listed name read as one token ("Commercial Bank", "Obshchestvo s
 * Ogranichennoy Otvetstvennostyu", "Open Joint Stock Company") whose words the party wrote
 * apart ("Commercial Tanchon Bank"), in another order, or with one left out ("Joint Stock
 * Sovcombank", "Jont Stouk Company"): paired with the party's words that are its words, or a
 * typo away from them, when they are at least two and at least half of it, or half of a phrase
 * of two words (half_of_phrase). All of it found as
 * written pairs as written; part of it, or misspelt, as two legal forms do. */
/* Whether the one party word found of listed phrase j is half of a phrase of two words,
 * written as listed and long enough to be no stray word: of a legal form ("AKTSIONERNOE" of
 * "Aktsionernoe Obshchestvo"), as the lists' transliterated forms often are on orders, or of
 * business words in a name with a telling word ("TANCHON BANK" for TANCHON COMMERCIAL BANK);
 * a name of weak words only needs every one (rf_score__sides). */
static int half_of_phrase(const rf_side *p, const rf_side *l, size_t j, const int *found,
                          size_t n_found, size_t n_words, int typo)
{
    if (n_found != 1 || n_words != 2 || typo) return 0;
    if (l->cls[j] == RF_TOK_LEGAL) return p->surf_len[found[0]] >= 6;
    return l->cls[j] == RF_TOK_GENERIC && p->surf_len[found[0]] >= 4 && distinctive_words(l) > 0;
}

static void pair_split_phrases(const rf_side *p, uint8_t *used_p, const rf_side *l, uint8_t *used_l,
                               rf_score_detail *d)
{
    size_t unpaired = 0;
    for (size_t i = 0; i < p->n; i++) unpaired += !used_p[i];
    if (unpaired == 0) return;
    for (size_t j = 0; j < l->n && d->n_pairs < RF_MAX_PAIRS; j++) {
        const char *w = l->surf[j], *end = l->surf[j] + l->surf_len[j];
        int found[RF_MAX_TOKENS];
        size_t n_found = 0, n_words = 0;
        int typo = 0;
        if (l->cls[j] == RF_TOK_STOP || !memchr(w, ' ', l->surf_len[j])) continue;
        for (const char *next; w < end; w = next) {
            size_t len = rf_phrase__word(w, end, &next);
            int a = find_unpaired(p, used_p, w, len, &typo);
            n_words++;
            if (a >= 0 && n_found < RF_MAX_TOKENS) {
                found[n_found++] = a;
                used_p[a] = 1; /* each party word once */
            }
        }
        /* A phrase already paired (a legal form with the party's: "Company" with "Joint
         * Stock Company") takes in the party's other words of it, which are no other party's
         * words. */
        if (used_l[j]) continue;
        if (!(n_found >= 2 && 2 * n_found >= n_words) && !half_of_phrase(p, l, j, found, n_found, n_words, typo)) {
            for (size_t k = 0; k < n_found; k++) used_p[found[k]] = 0;
            continue;
        }
        used_l[j] = 1;
        {
            rf_pair x = {(uint8_t)found[0], (uint8_t)found[n_found > 1], (uint8_t)j, (uint8_t)j,
                         n_found < n_words && l->cls[j] == RF_TOK_LEGAL ? RF_PAIR_LEGAL
                         : typo                                          ? RF_PAIR_TYPO
                                                                         : RF_PAIR_EXACT,
                         0, n_found == n_words && !typo ? 0.95f : 0.8f};
            d->pairs[d->n_pairs++] = x;
        }
    }
}

static float pair_weight(const rf_side *p, const rf_side *l, const rf_pair *x)
{
    float wp = p->weight[x->p] + (x->p2 != x->p ? p->weight[x->p2] : 0.0f);
    float wl = l->weight[x->l] + (x->l2 != x->l ? l->weight[x->l2] : 0.0f);
    /* A misspelt party word is unknown to the lists: it weighs what the word it stands for
     * weighs, not what an unknown word would. */
    if (x->kind != RF_PAIR_EXACT && x->p == x->p2 && p->vocab[x->p] == RF_STRMAP_MISSING) wp = wl;
    return (wp + wl) * 0.5f;
}

static int by_strength(const void *a, const void *b)
{
    const rf_pair *x = a, *y = b;
    int dx = abs((int)x->p - (int)x->l), dy = abs((int)y->p - (int)y->l);
    /* A pair that weighs nothing comes last: the "OF" of "OFCELLS OF FIRE" must not take the
     * listed "OF" that "OFCELLS" spells with "CELLS" (CONSPIRACY OF CELLS OF FIRE). */
    if (x->weightless != y->weightless) return x->weightless - y->weightless;
    if (x->sim != y->sim) return x->sim < y->sim ? 1 : -1;
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    /* A word said twice pairs with the one at its place: the last "AL" of "AL LAJNAAL ... AL
     * AQSA" with the listed "AL AQSA", leaving "LAJNA AL" to spell "LAJNAAL". */
    if (dx != dy) return dx - dy;
    return x->p != y->p ? (int)x->p - (int)y->p : (int)x->l - (int)y->l;
}

/* What scoring a pair of names has gathered so far: the weighted sum of the pairs made and its
 * weight (score = num / den), the words used, and what the caps need to know. */
typedef struct tally {
    float num, den;
    uint8_t used_p[RF_MAX_TOKENS], used_l[RF_MAX_TOKENS];
    int matched_distinct, has_distinct_l, numbers_ok, weak_all_exact, party_word_unpaired,
        party_is_org;
} tally;

static void tally_add(tally *t, const rf_side *p, const rf_side *l, const rf_pair *x, float sign)
{
    float w = pair_weight(p, l, x);
    t->num += sign * x->sim * w;
    t->den += sign * w;
}

/* Every way a party word can pair with a listed word: one word to one word, merged words
 * either way, a person's initials; strongest first. Returns how many. */
static size_t candidate_pairs(rf_pair *cand, size_t cap, const rf_side *p, const rf_side *l,
                              int person, int vowel_slips)
{
    size_t n_cand = 0;
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < l->n && n_cand < cap; j++) {
            uint8_t kind;
            float sim;
            /* Stop words weigh nothing, but a misspelt title ("Curonel") is still the title. */
            if (p->cls[i] == RF_TOK_STOP && l->cls[j] == RF_TOK_STOP && !same_text(p, i, l, j)) continue;
            sim = word_sim(p, i, l, j, person, vowel_slips, &kind);
            if (sim > 0) {
                rf_pair x = {(uint8_t)i, (uint8_t)i, (uint8_t)j, (uint8_t)j, kind,
                             p->cls[i] == RF_TOK_STOP && l->cls[j] == RF_TOK_STOP, sim};
                cand[n_cand++] = x;
            }
        }
    }
    for (size_t i = 0; i < p->n; i++) {
        for (size_t j = 0; j < l->n && n_cand < cap; j++) {
            float sim;
            if (j + 1 < l->n && (sim = spells_merged(l, j, p, i)) > 0) {
                rf_pair x = {(uint8_t)i, (uint8_t)i, (uint8_t)j, (uint8_t)(j + 1), RF_PAIR_MERGED, 0, sim};
                cand[n_cand++] = x;
            }
            if (i + 1 < p->n && n_cand < cap && (sim = spells_merged(p, i, l, j)) > 0) {
                rf_pair x = {(uint8_t)i, (uint8_t)(i + 1), (uint8_t)j, (uint8_t)j, RF_PAIR_MERGED, 0, sim};
                cand[n_cand++] = x;
            }
            if (person && j + 1 < l->n && n_cand < cap && initials_of(p, i, l, j)) {
                rf_pair x = {(uint8_t)i, (uint8_t)i, (uint8_t)j, (uint8_t)(j + 1), RF_PAIR_INITIAL, 0, 0.7f};
                cand[n_cand++] = x;
            }
        }
    }
    qsort(cand, n_cand, sizeof cand[0], by_strength);
    return n_cand;
}

/* How many of the pairs `d` holds pair a listed word of substance: not a legal form or stop
 * word. */
static size_t pairs_of_substance(const rf_score_detail *d, const rf_side *l)
{
    size_t n = 0;
    for (size_t k = 0; k < d->n_pairs; k++) {
        uint8_t cls = l->cls[d->pairs[k].l];
        n += cls != RF_TOK_LEGAL && cls != RF_TOK_STOP;
    }
    return n;
}

/* The pairs kept: best first, each word used once; then a word paired through an abbreviation
 * whose neighbour completes it as written, and phrases split across words. */
static void pair_words(tally *t, rf_score_detail *d, const rf_pair *cand, size_t n_cand,
                       const rf_side *p, const rf_side *l)
{
    int cut_distinct = 0;
    for (size_t k = 0; k < n_cand && d->n_pairs < RF_MAX_PAIRS; k++) {
        const rf_pair *x = &cand[k];
        if (t->used_p[x->p] || t->used_p[x->p2] || t->used_l[x->l] || t->used_l[x->l2]) continue;
        t->used_p[x->p] = t->used_p[x->p2] = t->used_l[x->l] = t->used_l[x->l2] = 1;
        d->pairs[d->n_pairs++] = *x;
        tally_add(t, p, l, x, 1.0f);
        if (x->sim >= 0.7f && x->kind != RF_PAIR_INITIAL && x->p < p->unit &&
            (distinctive(l->cls[x->l]) || distinctive(l->cls[x->l2]))) {
            if (x->kind == RF_PAIR_CUT) cut_distinct = 1;
            else t->matched_distinct = 1;
        }
    }
    /* The beginning of a word where a name was cut is a telling word in common beside another
     * word of substance: alone with legal forms, it could begin any number of names
     * ("Limited Liability Company - Red": REDIN COMPANY). */
    if (cut_distinct && pairs_of_substance(d, l) >= 2) t->matched_distinct = 1;
    /* A word paired through an abbreviation ("Soc" for "Society"; "Inter", which the lexicon
     * reads as "International" itself, pairs exactly) whose neighbour completes it as written
     * ("Soc iety", "Inter national"): a word split in two, the neighbour part of it. Two words
     * written alike never pass: their lengths would leave the neighbour no letter. */
    for (size_t k = 0; k < d->n_pairs; k++) {
        rf_pair *x = &d->pairs[k];
        size_t i = x->p;
        if (x->p != x->p2 || x->l != x->l2 || (x->kind != RF_PAIR_SYMBOL && x->kind != RF_PAIR_EXACT) || i + 1 >= p->n ||
            t->used_p[i + 1] || (size_t)p->surf_len[i] + p->surf_len[i + 1] != l->surf_len[x->l] ||
            memcmp(p->surf[i], l->surf[x->l], p->surf_len[i]) != 0 ||
            memcmp(p->surf[i + 1], l->surf[x->l] + p->surf_len[i], p->surf_len[i + 1]) != 0)
            continue;
        tally_add(t, p, l, x, -1.0f);
        x->p2 = (uint8_t)(i + 1);
        x->kind = RF_PAIR_MERGED;
        x->sim = MERGED_SIM;
        t->used_p[i + 1] = 1;
        tally_add(t, p, l, x, 1.0f);
    }
    {
        size_t before = d->n_pairs;
        pair_split_phrases(p, t->used_p, l, t->used_l, d);
        for (size_t k = before; k < d->n_pairs; k++) tally_add(t, p, l, &d->pairs[k], 1.0f);
    }
}

/* Whether the pairs are as written, as a listed name made only of weak words needs: each
 * pairs at WEAK_NAME_MIN_SIM or better (exactly, for a one-word name, or the same letters
 * split or run together; not cut short), and no more of them through a misspelling the
 * lexicon corrected than not ("Suzou Design Cener", "ISLAMIF NATOINAL BANK OF GAZA"); a
 * one-word name none ("Capita" read as "Capital" is another company). */
static int pairs_as_written(const rf_score_detail *d, const rf_side *p, const rf_side *l)
{
    size_t weak_words = 0, corrected = 0, written = 0;
    float need;
    for (size_t j = 0; j < l->n; j++)
        weak_words += l->cls[j] != RF_TOK_LEGAL && l->cls[j] != RF_TOK_STOP;
    need = weak_words > 1 ? WEAK_NAME_MIN_SIM : 1.0f;
    for (size_t k = 0; k < d->n_pairs; k++) {
        const rf_pair *x = &d->pairs[k];
        /* Words run together or split, letter for letter ("HEB RON", "SoyuzPAO"), are as
         * written, whatever the lexicon read in their parts. */
        if (x->kind == RF_PAIR_MERGED && x->sim >= MERGED_SIM) continue;
        if (x->kind == RF_PAIR_LEGAL) continue;
        /* (the beginning of a word could begin any number of others) */
        if (x->sim < need || x->kind == RF_PAIR_CUT) return 0;
        if (p->origin[x->p] == RF_ORIGIN_TYPO) corrected++;
        else written++;
    }
    return corrected == 0 || (weak_words > 1 && corrected <= written);
}

/* 1 when a word of `side` is vocabulary word `vocab` (not RF_STRMAP_MISSING). */
static int has_vocab(const rf_side *side, uint32_t vocab)
{
    for (size_t j = 0; vocab != RF_STRMAP_MISSING && j < side->n; j++)
        if (side->vocab[j] == vocab) return 1;
    return 0;
}

/* 1 when a company's listed name of weak words only, three or more, pairs all but one
 * generic word, and its place among them ("YAZD METALLURGY" for YAZD METALLURGY INDUSTRIES,
 * "Kashi Prefecture Security Bureau"): the place and the trade, shortened as orders shorten
 * names. Without the place ("National Bank" for National Development Bank), or with two
 * words gone, the words that agree could name any number of companies. */
static int drops_one_generic(const tally *t, const rf_side *l)
{
    size_t weak = 0, dropped = 0, places = 0;
    for (size_t j = 0; j < l->n; j++) {
        if (l->cls[j] == RF_TOK_LEGAL || l->cls[j] == RF_TOK_STOP) continue;
        weak++;
        if (t->used_l[j] || repeats_paired(l, j, t->used_l)) places += l->cls[j] == RF_TOK_PLACE;
        else if (l->cls[j] != RF_TOK_GENERIC || dropped++) return 0;
    }
    return dropped == 1 && weak >= 3 && places > 0;
}

/* Where listed name `l` may go on past party `p`'s name cut at a field's length (rf_side.cut),
 * as the pairs `d` say: the listed word that the party's last word pairs with (the word before
 * it when the last is a cut fragment left unpaired), when no pair goes further and two words
 * of substance pair; after it a listed organisation's words cost less. l->n when there is no
 * such word (a person's name, a name not cut, its last word unpaired or paired before others). */
static size_t cut_after(const rf_side *p, const rf_side *l, const rf_score_detail *d, int person)
{
    size_t tail = l->n, furthest = 0;
    if (!p->cut || person || p->n == 0) return l->n;
    for (size_t last = p->n; last-- > 0 && tail == l->n;) {
        for (size_t k = 0; k < d->n_pairs && tail == l->n; k++)
            if (d->pairs[k].p == last || d->pairs[k].p2 == last) tail = d->pairs[k].l2;
        if (last + 1 < p->n || !rf_side__cut_fragment(p, last)) break;
    }
    for (size_t k = 0; k < d->n_pairs; k++)
        if (d->pairs[k].l2 > furthest) furthest = d->pairs[k].l2;
    /* (two words of substance at least: "Limited Liability Company Red" is not RED SEA
     * TRADING CORPORATION cut short) */
    return tail < l->n && tail == furthest && pairs_of_substance(d, l) >= 2 ? tail : l->n;
}

/* The words left unpaired, on both sides, charged by their weight; a listed organisation's
 * words past where the party's name was cut much less (cut_after). */
static void charge_unpaired(tally *t, const rf_side *p, const rf_side *l, int person, rf_score_detail *d)
{
    int listed_weak_unpaired = 0;
    d->cut_after = cut_after(p, l, d, person);
    for (size_t i = 0; i < p->n; i++) {
        /* A legal form says company (rf_side__says_company), unless the listed person's
         * name has the word too ("AG ALHOUSSEINI, Houka": the Tuareg "Ag", not
         * Aktiengesellschaft; the index's bound reads it so, shares_legal_word). */
        if (rf_side__says_company(p, i) && !(person && t->used_p[i] && has_vocab(l, p->vocab[i])))
            t->party_is_org = 1;
        if (t->used_p[i]) continue;
        /* A department after the name may confirm a listed name that has it; missing from
         * it, it says nothing: orders address a company's departments. Nor do the letters
         * left of a word cut at a field's length. */
        if (i >= p->unit || (!person && rf_side__cut_fragment(p, i))) continue;
        if (repeats_paired(p, i, t->used_p)) {
            /* Said twice: no evidence of another party, but in a person's name a place
             * where the listed name has another ("Abdullahi Mohamed Mohamed Caddow"). */
            if (p->cls[i] == RF_TOK_WORD) t->party_word_unpaired = 1;
            continue;
        }
        t->den += (p->cls[i] == RF_TOK_GENERIC || p->cls[i] == RF_TOK_PLACE ? RF_UNPAIRED_PARTY_WEAK
                                                                            : RF_UNPAIRED_PARTY) *
                  p->weight[i];
        if (p->cls[i] == RF_TOK_NUMBER) t->numbers_ok = 0;
        if (p->cls[i] == RF_TOK_WORD) t->party_word_unpaired = 1;
        if (p->cls[i] != RF_TOK_LEGAL && p->cls[i] != RF_TOK_STOP) t->weak_all_exact = 0;
    }
    for (size_t j = 0; j < l->n; j++) {
        if (distinctive(l->cls[j])) t->has_distinct_l = 1;
        if (t->used_l[j] || repeats_paired(l, j, t->used_l)) continue;
        /* A listed person's initial the order leaves out ("Robert S. Fairchild") says
         * nothing either way; its rarity as a one-letter word is not the name's. */
        if (person && l->surf_len[j] == 1) continue;
        /* A name of weak words only needs every one, cut off or not: the words that begin it
         * could begin any number of names. */
        if (l->cls[j] != RF_TOK_LEGAL && l->cls[j] != RF_TOK_STOP) listed_weak_unpaired = 1;
        if (j > d->cut_after) {
            t->den += RF_UNPAIRED_LISTED_CUT_OFF * l->weight[j];
            continue;
        }
        t->den += (!person ? RF_UNPAIRED_LISTED_ORG
                   : t->party_word_unpaired && l->cls[j] == RF_TOK_WORD
                       ? RF_UNPAIRED_LISTED_PERSON_REPLACED
                       : RF_UNPAIRED_LISTED_PERSON) *
                  l->weight[j];
        if (l->cls[j] == RF_TOK_NUMBER) t->numbers_ok = 0;
    }
    if (listed_weak_unpaired && (person || !drops_one_generic(t, l))) t->weak_all_exact = 0;
}

double rf_score__sides(const rf_side *p, const rf_side *l, int person, rf_score_detail *detail)
{
    rf_pair cand[RF_MAX_TOKENS * 4];
    size_t n_cand;
    rf_score_detail local;
    rf_score_detail *d = detail ? detail : &local;
    tally t;
    double score, same;

    memset(d, 0, sizeof *d);
    d->cut_after = l->n;
    if (p->n == 0 || l->n == 0) return 0.0;
    memset(&t, 0, sizeof t);
    t.numbers_ok = 1;
    t.party_is_org = p->organisation;
    n_cand = candidate_pairs(cand, sizeof cand / sizeof cand[0], p, l, person,
                             person && distinctive_words(p) >= 2 && distinctive_words(l) >= 2);
    pair_words(&t, d, cand, n_cand, p, l);
    t.weak_all_exact = pairs_as_written(d, p, l);
    charge_unpaired(&t, p, l, person, d);

    same = identical(p, l);
    score = same > 0 ? same : t.den > 0 ? t.num / t.den : 0.0;
    if (person && score > RF_CAP_LINEAGE && lineage_swapped(p, l, d)) {
        d->capped_lineage = 1;
        return RF_CAP_LINEAGE;
    }
    if (same > 0) return same;
    if (person && score < WHOLE_NAME_MIN) {
        double whole = whole_name_score(p, l);
        if (whole > score) {
            score = whole;
            d->whole_name = 1;
            t.matched_distinct = 1;
        }
    }
    /* A hit needs a telling word in common; a listed name made only of weak words needs
     * every one of them ("Central Bank of Syria"), as written if it is one word and a legal
     * form ("Capital S.A.L." is not "Capita PLC"). */
    if ((t.has_distinct_l ? !t.matched_distinct : !t.weak_all_exact) &&
        score > RF_CAP_NO_DISTINCTIVE) {
        score = RF_CAP_NO_DISTINCTIVE;
        d->capped_no_distinctive = 1;
    }
    /* A party with a legal form, or in a company's role, is not the listed person. */
    if (person && t.party_is_org && score > RF_CAP_NO_DISTINCTIVE) {
        score = RF_CAP_NO_DISTINCTIVE;
        d->capped_type = 1;
    }
    if (!t.numbers_ok && score > RF_CAP_NUMBERS) {
        score = RF_CAP_NUMBERS;
        d->capped_numbers = 1;
    }
    return score;
}
