/* tokenize.c: names into classified tokens (see tokens.h).
 *
 * Three passes over a name: split it into words where letters and digits stop (apostrophes
 * inside a word are dropped: "Int'l" is "intl"), each word case folded and stripped of
 * accents and, if in another script, transliterated, digits inside it read as the letters they
 * mimic ("Sech1n", and 0 or 1 at its edge: "OO0", "C0."); join runs of single letters written
 * as initialisms ("S.A.", "A-B-C"); then look the words up in the lexicon, longest phrase
 * first, so that "Co., Ltd." becomes one legal-form token and "Intl" the generic word "intl".
 *
 * A name dressed to slip past screening reads as what a person sees: HTML tags and terminal
 * escape codes around it are left out, invisible characters inside a word removed, styled
 * letters (mathematical bold, fullwidth) read as plain ones, and letters of another alphabet
 * inside a word folded into the word's own; rf_tokens.disguise records each, for the
 * explanation. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lexicon.h"

#define RF_MAX_WORDS (RF_MAX_TOKENS * 2)

typedef struct word {
    char text[RF_MAX_TOKEN_LEN + 1];
    uint16_t len;
    uint8_t origin;
    uint8_t tight; /* joined to the previous word by only "." or "-": an initialism */
    uint32_t src_start;
    uint32_t src_len;
} word;

typedef struct words {
    word items[RF_MAX_WORDS];
    size_t count;
    int truncated;
    unsigned disguise; /* RF_DISGUISE_* */
    rf_alphabet alphabet; /* the one most letters of the name are in */
} words;

/* HTML tags and terminal escape codes left out of a name, at most this many. */
#define RF_MAX_MARKUP 32

/* A byte range of the name left out (order text around a party's name). */
typedef struct range {
    size_t start;
    size_t end;
} range;

const char *rf_tok__class_name(rf_tok_class c)
{
    switch (c) {
    case RF_TOK_WORD: return "word";
    case RF_TOK_NUMBER: return "number";
    case RF_TOK_GENERIC: return "generic word";
    case RF_TOK_PLACE: return "place";
    case RF_TOK_LEGAL: return "legal form";
    case RF_TOK_STOP: return "stop word";
    }
    return "?";
}

static int is_word_char(utf8proc_int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static int is_apostrophe(utf8proc_int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || cp == 0x2018 || cp == '`';
}

/* Characters that show nothing (zero-width space and joiners, word joiner, byte-order mark, soft
 * hyphen, tag characters): inside a word they do not end it. */
static int is_invisible(utf8proc_int32_t cp)
{
    return cp >= 0x80 && utf8proc_get_property(cp)->ignorable;
}

/* Letters styled by Unicode compatibility forms: mathematical alphanumerics, fullwidth Latin,
 * circled and squared letters. */
static int is_styled(utf8proc_int32_t cp)
{
    return (cp >= 0x1D400 && cp < 0x1D800) || (cp >= 0xFF10 && cp < 0xFF5B) || (cp >= 0x2460 && cp < 0x2500) ||
           (cp >= 0x1F130 && cp < 0x1F18A);
}

static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

/* Digits written for the letters they look like inside a word ("Ig0r Sech1n", "I9or"), a way
 * of slipping a name past screening, read as those letters; and the two that a scan or a
 * typist confuses most, at the edge of a word of letters: 0 for O at either end ("OO0",
 * "C0., Ltd.", "0AO") and 1 for l at the end ("a1-Bara'"). A digit beside another digit stays
 * a number ("B2B", "Fund 2004-1", "MiG29K", "Route 66"), and so does a leading 1 ("1st").
 * The other way round, a number with an O for 0 or an l or I for 1 after its first digit, as
 * many digits as those or more, is that number ("29O4977", "7l03 Factory", "EL 2O"); a word
 * that begins with the letter is the word ("L0", "O2"). */
static void unmask_digits(char *s, size_t len)
{
    static const char look_alike[10] = {'o', 'i', 0, 'e', 'a', 's', 0, 't', 'b', 'g'};
    size_t digits = 0, mimics = 0;
    for (size_t k = 0; k < len; k++) {
        digits += s[k] >= '0' && s[k] <= '9';
        mimics += s[k] == 'o' || s[k] == 'l' || s[k] == 'i';
    }
    if (len && s[0] >= '0' && s[0] <= '9' && digits + mimics == len && digits >= mimics) {
        for (size_t k = 0; k < len; k++) s[k] = s[k] == 'o' ? '0' : s[k] == 'l' || s[k] == 'i' ? '1' : s[k];
        return;
    }
    for (size_t k = 1; k + 1 < len; k++) {
        char c = s[k];
        if (c >= '0' && c <= '9' && look_alike[c - '0'] && is_lower(s[k - 1]) && is_lower(s[k + 1]))
            s[k] = look_alike[c - '0'];
    }
    if (len < 2 || digits != 1) return;
    if (s[len - 1] == '0' && is_lower(s[len - 2])) s[len - 1] = 'o';
    else if (s[len - 1] == '1' && is_lower(s[len - 2])) s[len - 1] = 'l';
    else if (s[0] == '0' && is_lower(s[1])) s[0] = 'o';
}

static void push_word(words *w, const char *text, size_t len, uint8_t origin, int tight,
                      size_t src_start, size_t src_len)
{
    word *x;
    if (len == 0) return;
    if (w->count == RF_MAX_WORDS) {
        w->truncated = 1;
        return;
    }
    x = &w->items[w->count++];
    if (len > RF_MAX_TOKEN_LEN) len = RF_MAX_TOKEN_LEN;
    memcpy(x->text, text, len);
    x->text[len] = '\0';
    unmask_digits(x->text, len);
    x->len = (uint16_t)len;
    x->origin = origin;
    x->tight = (uint8_t)tight;
    x->src_start = (uint32_t)src_start;
    x->src_len = (uint32_t)src_len;
}

/* A word in capitals but for a small l after its first letter ("ALl", "DlN"): a scan's or a
 * typist's l for I, as no one writes a word in capitals with a small l inside it. A small l
 * beside other small letters ("McDonald", "AlBaraka") is an l, and so is a first one: "lTD."
 * is "Ltd." typed with caps lock on. */
static int capitals_with_small_l(const char *s, size_t len)
{
    size_t capitals = 0, small_l = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') capitals++;
        else if (s[i] == 'l') small_l += i > 0;
        else if (s[i] >= 'a' && s[i] <= 'z') return 0;
    }
    return capitals >= 2 && small_l > 0;
}

/* One segment of word characters: normalized, transliterated if needed, pushed as words. */
static int push_segment(words *w, rf_translit *tr, rf_buf *scratch, const char *s, size_t start,
                        size_t end, int tight)
{
    char ascii[RF_MAX_TOKEN_LEN * 4];
    size_t n = 0, i;
    int plain = 1, small_l_is_i = capitals_with_small_l(s + start, end - start);

    for (i = start; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            plain = 0;
            break;
        }
        if (c == '\'' || c == '`') continue;
        if (n < sizeof ascii)
            ascii[n++] = (char)(c >= 'A' && c <= 'Z'                   ? c + 32
                                : c == 'l' && small_l_is_i && i > start ? 'i'
                                                                        : c);
    }
    if (plain) {
        push_word(w, ascii, n, RF_ORIGIN_LITERAL, tight, start, end - start);
        return RF_OK;
    }
    {
        /* First what a reader sees: styled letters as plain ones (NFKC), invisible
         * characters out, letters of another alphabet inside the word as the word's own.
         * Then another script goes to the transliterator as written (composed, nothing
         * stripped: the breve makes "й" a "y"); Latin letters are folded and stripped of
         * accents, and what is still not ASCII ("ø") goes to Latin-ASCII. */
        utf8proc_uint8_t *seen = NULL, *mapped = NULL;
        utf8proc_ssize_t slen, mlen;
        rf_buf folded = {0};
        const char *text;
        size_t tlen;
        int rc = RF_OK, foreign = 0, other_script = 0, syllabic = 0, consonants = 0, invisible = 0, lca = 0;
        for (size_t k = start; k < end;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + k,
                                                     (utf8proc_ssize_t)(end - k), &cp);
            if (step <= 0) break;
            if (is_invisible(cp)) invisible = 1;
            if (is_styled(cp)) w->disguise |= RF_DISGUISE_STYLED;
            if (rf_translit__alphabet(cp) != RF_ALPHA_NONE) lca = 1;
            k += (size_t)step;
        }
        /* Joiners are part of writing Arabic or Indic words; in an alphabet's word they
         * only hide it. */
        if (invisible && lca) w->disguise |= RF_DISGUISE_INVISIBLE;
        slen = utf8proc_map((const utf8proc_uint8_t *)s + start, (utf8proc_ssize_t)(end - start), &seen,
                            UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_IGNORE);
        if (slen < 0) return slen == UTF8PROC_ERROR_NOMEM ? RF_ENOMEM : RF_EFORMAT;
        text = (const char *)seen;
        tlen = (size_t)slen;
        if (tr) {
            int nf = rf_translit__fold_lookalikes(tr, &folded, text, tlen, w->alphabet);
            if (nf < 0) {
                free(seen);
                rf_buf_free(&folded);
                return nf;
            }
            if (nf > 0) {
                text = folded.data;
                tlen = folded.len;
                w->disguise |= RF_DISGUISE_LOOKALIKE;
            }
        }
        for (size_t k = 0; k < tlen;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)text + k,
                                                     (utf8proc_ssize_t)(tlen - k), &cp);
            if (step <= 0) break;
            if (!rf_translit__is_latin(cp) && utf8proc_category(cp) != UTF8PROC_CATEGORY_MN)
                other_script = 1;
            if (rf_translit__is_syllabic(cp)) syllabic = 1;
            if (rf_translit__omits_vowels(cp)) consonants = 1;
            k += (size_t)step;
        }
        mlen = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)tlen, &mapped,
                            other_script && tr ? UTF8PROC_STABLE | UTF8PROC_COMPOSE
                                               : UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
        free(seen);
        rf_buf_free(&folded);
        if (mlen < 0) return mlen == UTF8PROC_ERROR_NOMEM ? RF_ENOMEM : RF_EFORMAT;
        rf_buf_reset(scratch);
        for (utf8proc_ssize_t k = 0; k < mlen && rc == RF_OK;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t step = utf8proc_iterate(mapped + k, mlen - k, &cp);
            if (step <= 0) break;
            if (!is_apostrophe(cp)) rc = rf_buf_append(scratch, mapped + k, (size_t)step);
            if (cp >= 0x80) foreign = 1;
            k += step;
        }
        free(mapped);
        if (rc != RF_OK) return rc;
        if (!foreign || !tr) { /* ASCII now, or no transliterator: keep the folded word */
            push_word(w, scratch->data ? scratch->data : "", scratch->len, RF_ORIGIN_LITERAL, tight,
                      start, end - start);
            return RF_OK;
        }
        {
            rf_buf latin = {0};
            rc = rf_translit__append(tr, &latin, scratch->data, scratch->len);
            for (size_t a = 0; rc == RF_OK && a < latin.len;) {
                size_t b = a;
                while (b < latin.len && latin.data[b] != ' ') b++;
                /* Transliteration may leave punctuation: keep letters and digits only. */
                n = 0;
                for (size_t k = a; k < b; k++) {
                    char c = latin.data[k];
                    if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
                    if (((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) && n < sizeof ascii)
                        ascii[n++] = c;
                }
                push_word(w, ascii, n,
                          syllabic ? RF_ORIGIN_SYLLABIC : consonants ? RF_ORIGIN_CONSONANTS
                                                    : other_script ? RF_ORIGIN_TRANSLIT
                                                                   : RF_ORIGIN_LITERAL, 0,
                          start, end - start);
                a = b + 1;
            }
            rf_buf_free(&latin);
            return rc;
        }
    }
}

/* The length of the HTML tag or comment at s[0..len) ("<b>", "</span>", "<br/>", "<!-- -->"),
 * or 0. A "<" not followed by a tag name is text ("A<B Trading"). */
static size_t markup_tag(const char *s, size_t len)
{
    size_t k = 1;
    if (len < 3 || s[0] != '<') return 0;
    if (s[1] == '/' || s[1] == '!') k = 2;
    if (k >= len || (!((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z') && s[k] != '-')) return 0;
    for (; k < len && k < 512; k++) {
        if (s[k] == '<') return 0;
        if (s[k] == '>') return k + 1;
    }
    return 0;
}

/* The length of the terminal escape code at s[0..len) (ESC [ ... final, ESC ] ... BEL or
 * ESC \, ESC and one character), or 0. */
static size_t markup_escape(const char *s, size_t len)
{
    size_t k = 2;
    if (len < 2 || s[0] != 0x1B) return 0;
    if (s[1] == '[') {
        while (k < len && (unsigned char)s[k] >= 0x20 && (unsigned char)s[k] <= 0x3F) k++;
        return k < len && (unsigned char)s[k] >= 0x40 && (unsigned char)s[k] <= 0x7E ? k + 1 : k;
    }
    if (s[1] == ']') {
        for (; k < len; k++) {
            if (s[k] == 0x07) return k + 1;
            if (s[k] == 0x1B && k + 1 < len && s[k + 1] == '\\') return k + 2;
        }
        return len;
    }
    return 2;
}

/* Finds the markup in name[0..len) into out (at most RF_MAX_MARKUP ranges). */
static size_t find_markup(range *out, const char *name, size_t len)
{
    size_t n = 0;
    for (size_t pos = 0; pos < len && n < RF_MAX_MARKUP; pos++) {
        size_t k = name[pos] == '<' ? markup_tag(name + pos, len - pos) : markup_escape(name + pos, len - pos);
        if (k == 0) continue;
        out[n].start = pos;
        out[n++].end = pos + k;
        pos += k - 1;
    }
    return n;
}

/* The alphabet most letters of name[0..len) are in. */
static rf_alphabet name_alphabet(const char *name, size_t len)
{
    size_t count[4] = {0};
    rf_alphabet best = RF_ALPHA_LATIN;
    for (size_t pos = 0; pos < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)name + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (step <= 0) {
            pos++;
            continue;
        }
        count[rf_translit__alphabet(cp)]++;
        pos += (size_t)step;
    }
    for (int a = RF_ALPHA_CYRILLIC; a <= RF_ALPHA_GREEK; a++)
        if (count[a] > count[best]) best = (rf_alphabet)a;
    return best;
}

/* Splits name[0..len) into normalized words, leaving out the `skip` ranges and markup. */
static int split_words(words *w, rf_translit *tr, const char *name, size_t len,
                       const range *noise, size_t n_noise)
{
    rf_buf scratch = {0};
    range skip[RF_NOISE_PATTERNS + RF_MAX_MARKUP];
    size_t pos = 0, seg_start = 0, prev_end = 0, n_skip;
    int in_word = 0, rc = RF_OK;

    w->count = 0;
    w->truncated = 0;
    w->disguise = 0;
    w->alphabet = name_alphabet(name, len);
    n_skip = find_markup(skip, name, len);
    if (n_skip) w->disguise |= RF_DISGUISE_MARKUP;
    for (size_t k = 0; k < n_noise; k++) skip[n_skip++] = noise[k];
    while (pos <= len && rc == RF_OK) {
        utf8proc_int32_t cp = ' ';
        utf8proc_ssize_t step = 1;
        int skipped = 0;
        if (pos < len) {
            step = utf8proc_iterate((const utf8proc_uint8_t *)name + pos,
                                    (utf8proc_ssize_t)(len - pos), &cp);
            if (step <= 0) {
                cp = ' '; /* an invalid byte separates words */
                step = 1;
            }
            for (size_t k = 0; k < n_skip; k++)
                if (pos >= skip[k].start && pos < skip[k].end) skipped = 1;
        }
        if (!skipped && pos < len && (is_word_char(cp) || (in_word && (is_apostrophe(cp) || is_invisible(cp))))) {
            if (!in_word) {
                seg_start = pos;
                in_word = 1;
            }
        } else if (in_word) {
            /* Two words are tight when only one "." or "-" (and maybe a space after a
             * period) separate them: the pieces of an initialism such as "S.A." */
            int tight = 0;
            if (w->count > 0 && prev_end < seg_start) {
                size_t gap = seg_start - prev_end;
                const char *g = name + prev_end;
                tight = (gap == 1 && (g[0] == '.' || g[0] == '-')) ||
                        (gap == 2 && g[0] == '.' && g[1] == ' ');
            }
            /* A letter written against "&" begins "R&D" or "M&A", not the initialism before
             * it ("S.A. R&D Department"). */
            if (pos - seg_start == 1 && pos < len && cp == '&') tight = 0;
            rc = push_segment(w, tr, &scratch, name, seg_start, pos, tight);
            prev_end = pos;
            in_word = 0;
        }
        /* "&" is the word "and", so that "Sci & Tech" reads like "Science and Technology". */
        if (!skipped && pos < len && cp == '&' && rc == RF_OK) {
            push_word(w, "and", 3, RF_ORIGIN_LITERAL, 0, pos, 1);
            prev_end = pos + 1;
        }
        pos += (size_t)step;
    }
    rf_buf_free(&scratch);
    if (rc != RF_OK) return rc;

    /* Join runs of tight single letters: "s" "a" -> "sa", "a" "b" "c" -> "abc". */
    {
        size_t out = 0;
        for (size_t i = 0; i < w->count;) {
            size_t j = i + 1;
            if (w->items[i].len == 1) {
                while (j < w->count && w->items[j].len == 1 && w->items[j].tight) j++;
            }
            if (out != i) w->items[out] = w->items[i];
            if (j - i > 1) {
                word *joined = &w->items[out];
                for (size_t k = i + 1; k < j; k++) joined->text[joined->len++] = w->items[k].text[0];
                joined->text[joined->len] = '\0';
                joined->src_len = w->items[j - 1].src_start + w->items[j - 1].src_len - joined->src_start;
            }
            out++;
            i = j;
        }
        w->count = out;
    }
    return RF_OK;
}

int rf_normalize__words(rf_buf *out, rf_translit *tr, const char *name, size_t len)
{
    words *w = malloc(sizeof *w);
    int rc;

    if (!w) return RF_ENOMEM;
    rc = split_words(w, tr, name, len, NULL, 0);
    for (size_t i = 0; i < w->count && rc == RF_OK; i++) {
        if (out->len) rc = rf_buf_putc(out, ' ');
        if (rc == RF_OK) rc = rf_buf_append(out, w->items[i].text, w->items[i].len);
    }
    free(w);
    return rc;
}

/* Ranges of order text around a party's name ("Attn: ...", "- Purchasing Dept"). */
static size_t find_noise(range *out, const rf_lexicon *lex, const char *name, size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    size_t n = 0;

    if (!md) return 0;
    for (size_t i = 0; i < RF_NOISE_PATTERNS; i++) {
        int rc = lex->noise_jit ? pcre2_jit_match(lex->noise[i], (PCRE2_SPTR)name, len, 0, 0, md, NULL)
                                : pcre2_match(lex->noise[i], (PCRE2_SPTR)name, len, 0, 0, md, NULL);
        if (rc > 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            /* Leave it in when it is all there is (a name that starts with "Attn"). */
            size_t kept = 0;
            for (size_t k = 0; k < ov[0]; k++) kept += is_word_char((unsigned char)name[k]) ? 1u : 0u;
            if (kept >= 2) {
                out[n].start = ov[0];
                out[n].end = ov[1];
                n++;
            }
        }
    }
    pcre2_match_data_free(md);
    return n;
}

/* Adds a token: canonical text, class, origin, and the words it came from (w[i .. i+k)). */
static int emit(rf_tokens *out, const char *text, size_t len, rf_tok_class cls, uint8_t origin,
                const words *w, size_t i, size_t k)
{
    rf_token *t;
    const word *last = &w->items[i + k - 1];
    int rc;
    if (out->count == RF_MAX_TOKENS) {
        out->truncated = 1;
        return RF_OK;
    }
    t = &out->items[out->count];
    t->text_off = (uint32_t)out->text.len;
    t->text_len = (uint16_t)len;
    t->cls = (uint8_t)cls;
    t->origin = origin;
    t->src_start = w->items[i].src_start;
    t->src_len = last->src_start + last->src_len - t->src_start;
    rc = rf_buf_append(&out->text, text, len);
    if (rc == RF_OK) rc = rf_buf_putc(&out->text, '\0');
    t->surf_off = (uint32_t)out->text.len;
    for (size_t j = i; j < i + k && rc == RF_OK; j++) {
        if (j > i) rc = rf_buf_putc(&out->text, ' ');
        if (rc == RF_OK) rc = rf_buf_append(&out->text, w->items[j].text, w->items[j].len);
    }
    t->surf_len = (uint16_t)(out->text.len - t->surf_off);
    if (rc == RF_OK) rc = rf_buf_putc(&out->text, '\0');
    if (rc == RF_OK) out->count++;
    return rc;
}

static int all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return len > 0;
}

/* The length of the number in an ordinal written with digits ("55th", "52nd": 2), 0 when
 * s[0..len) is none. The lexicon has 1st to 20th; the lists number research institutes and
 * factories further ("CETC 55th Research Institute (CETC 55)"). */
static size_t ordinal_digits(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && s[n] >= '0' && s[n] <= '9') n++;
    if (n == 0 || len != n + 2) return 0;
    return memcmp(s + n, "st", 2) == 0 || memcmp(s + n, "nd", 2) == 0 || memcmp(s + n, "rd", 2) == 0 ||
                   memcmp(s + n, "th", 2) == 0
               ? n
               : 0;
}

int rf_typo__budget_lexicon(size_t len)
{
    if (len < 5) return 0;
    if (len < 10) return 1;
    return 2;
}

/* The lexicon entry for one word, or NULL; plurals of business words ("holdings",
 * "industries") find their singular, and then *singular (if not NULL) is set. */
static const rf_phrase *lookup_word(const rf_lexicon *lex, const char *text, size_t n, int *singular)
{
    char key[RF_MAX_TOKEN_LEN + 1];
    uint32_t idx = rf_strmap__get(lex->phrases, text, n);

    if (singular) *singular = 0;
    if (idx == RF_STRMAP_MISSING && n > 4 && n <= RF_MAX_TOKEN_LEN && text[n - 1] == 's') {
        memcpy(key, text, n);
        idx = rf_strmap__get(lex->phrases, key, n - 1);
        if (idx == RF_STRMAP_MISSING && n > 5 && key[n - 2] == 'e' && key[n - 3] == 'i') {
            key[n - 3] = 'y';
            idx = rf_strmap__get(lex->phrases, key, n - 2);
        }
        if (singular) *singular = idx != RF_STRMAP_MISSING;
    }
    return idx == RF_STRMAP_MISSING ? NULL : &lex->entries[idx];
}

/* Checks lexicon word `id` against `w` and keeps it in *best if it is the closest so far. */
static void consider(const rf_lexicon *lex, uint32_t id, const char *w, size_t len, int budget,
                     uint32_t *best, int *best_d)
{
    const char *cand;
    int d;
    if (id == RF_STRMAP_MISSING) return;
    cand = lex->words_text.data + id;
    /* People rarely get the first letter wrong, unless they swap the first two. */
    if (cand[0] != w[0] && !(cand[0] == w[1] && cand[1] == w[0])) return;
    d = rf_osa__distance(w, len, cand, strlen(cand), budget);
    if (d > 0 && d <= budget && d < *best_d) { /* d == 0: the word is itself a known spelling */
        *best = id;
        *best_d = d;
    }
}

/* The lexicon word within typo distance of w (a misspelt "Compnay"), or NULL. */
static const char *correct_word(const rf_lexicon *lex, const char *w, size_t len)
{
    int budget = rf_typo__budget_lexicon(len);
    uint32_t best = RF_STRMAP_MISSING;
    int best_d = budget + 1;
    char buf[RF_MAX_TOKEN_LEN];

    if (budget == 0 || len > RF_MAX_TOKEN_LEN) return NULL;
    consider(lex, rf_strmap__get(lex->word_deletes, w, len), w, len, budget, &best, &best_d);
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, w, i);
        memcpy(buf + i, w + i + 1, len - i - 1);
        consider(lex, rf_strmap__get(lex->words, buf, len - 1), w, len, budget, &best, &best_d);
        consider(lex, rf_strmap__get(lex->word_deletes, buf, len - 1), w, len, budget, &best,
                 &best_d);
    }
    return best == RF_STRMAP_MISSING ? NULL : lex->words_text.data + best;
}

/* Whether word i of a party's name may be part of a word, the rest cut off at a field's
 * length: the name's last word, the name long enough to have been cut (RF_CUT_NAME_MIN), and
 * the word no word of a listed name ("... KIDMA TEK", "BOU ALI SINA" are the lists' words). */
static int may_be_cut(const words *w, size_t i, const rf_strmap *listed, size_t name_len)
{
    const word *x = &w->items[i];
    return i + 1 == w->count && name_len >= RF_CUT_NAME_MIN &&
           !(listed && rf_strmap__get(listed, x->text, x->len) != RF_STRMAP_MISSING);
}

/* The legal form or business word that the letters of a cut word begin (lexicon.h,
 * prefixes: "GMB" GmbH, "Technolo" technology), or NULL. */
static const rf_phrase *cut_word(const rf_lexicon *lex, const char *w, size_t len)
{
    uint32_t idx = len >= 3 ? rf_strmap__get(lex->prefixes, w, len) : RF_STRMAP_MISSING;
    return idx < lex->n ? &lex->entries[idx] : NULL; /* (past them: several meanings) */
}

/* A party's long name cut one or two letters into its last word ("... MINERALS C", "...
 * COMPANY LI"): those letters say nothing of the word, so they are left out rather than
 * held against every listed name as a word of the party's that none has. A known word or
 * legal form ("AG", "Co") and a word of a listed name stay. */
static void drop_cut_fragment(words *w, const rf_lexicon *lex, const rf_strmap *listed, size_t name_len)
{
    const word *x = w->count >= 3 ? &w->items[w->count - 1] : NULL;
    if (x && x->len <= RF_CUT_FRAGMENT_MAX && may_be_cut(w, w->count - 1, listed, name_len) && !all_digits(x->text, x->len) &&
        !lookup_word(lex, x->text, x->len, NULL))
        w->count--;
}

/* A word on its way to a token: its canonical text and what the lexicon says of it alone;
 * `corrected` when read as another word (a typo), `loose` also when read as its singular. */
typedef struct cword {
    const char *text;
    size_t len;
    const rf_phrase *single;
    int corrected;
    int loose;
} cword;

/* The lexicon entry for the canonical words cw[i .. i+k), after the canonical form of `after`
 * when not NULL, or NULL; word i+b is taken as written (ws) instead when bit b of
 * `as_written` is set. */
static const rf_phrase *lookup_phrase(const rf_lexicon *lex, const rf_phrase *after, const cword *cw,
                                      const words *ws, size_t i, size_t k, unsigned as_written)
{
    char key[RF_MAX_TOKEN_LEN * 8 + 8];
    size_t n = 0;
    uint32_t idx;

    if (after) {
        n = after->canon_len;
        memcpy(key, lex->canon.data + after->canon_off, n);
    }
    for (size_t j = i; j < i + k; j++) {
        int written = (as_written >> (j - i)) & 1u;
        const char *text = written ? ws->items[j].text : cw[j].text;
        size_t len = written ? ws->items[j].len : cw[j].len;
        if (n + len + 1 >= sizeof key) return NULL;
        if (n > 0) key[n++] = ' ';
        memcpy(key + n, text, len);
        n += len;
    }
    idx = rf_strmap__get(lex->phrases, key, n);
    return idx == RF_STRMAP_MISSING ? NULL : &lex->entries[idx];
}

/* Whether words i .. i+k of a name, read as `ph`'s key from its word `first` on (with the
 * words of `as_written` as written), give its hyphened words as written: "company" read as
 * "co" is not the "co" of "co-operation". */
static int hyphened_as_written(const rf_phrase *ph, const cword *cw, const words *ws, size_t i,
                               size_t k, size_t first, unsigned as_written)
{
    for (size_t j = i; j < i + k && first + (j - i) < 8; j++)
        if (((ph->hyphened >> (first + (j - i))) & 1u) && !((as_written >> (j - i)) & 1u) &&
            (cw[j].len != ws->items[j].len || memcmp(cw[j].text, ws->items[j].text, cw[j].len) != 0))
            return 0;
    return 1;
}

/* The longest lexicon phrase of at most `longest` words starting at word i; *k receives its
 * length, *corrected whether a corrected word was read as corrected. A word corrected towards
 * a neighbour ("beschrankter" read as "beschrankte") or read as its singular ("states") is
 * also tried as written, since a phrase may spell it so ("Gesellschaft mit beschränkter
 * Haftung", "United States"). */
static const rf_phrase *longest_phrase(const rf_lexicon *lex, const cword *cw, const words *ws,
                                       size_t i, size_t longest, size_t *k, int *corrected)
{
    for (*k = longest < ws->count - i ? longest : ws->count - i; *k > 1; (*k)--) {
        unsigned fixed = 0, subset;
        for (size_t j = i; j < i + *k && j - i < 16; j++)
            if (cw[j].loose) fixed |= 1u << (j - i);
        /* Every choice of those words taken as written, all of them first. */
        for (subset = fixed;; subset = (subset - 1) & fixed) {
            const rf_phrase *ph = lookup_phrase(lex, NULL, cw, ws, i, *k, subset);
            if (ph && hyphened_as_written(ph, cw, ws, i, *k, 0, subset)) {
                *corrected = 0;
                for (size_t j = i; j < i + *k && j - i < 16; j++)
                    if (cw[j].corrected && !((subset >> (j - i)) & 1u)) *corrected = 1;
                return ph;
            }
            if (subset == 0) break;
        }
    }
    return NULL;
}

/* A phrase read at words i .. i+*k whose canonical form begins a longer phrase with the words
 * after it ("P L C" is "plc", and "plc ltd" is "plc"): the longer one, *k grown; else `ph`.
 * Reading the canonical form again so makes a name read the same once normalized. */
static const rf_phrase *extend_phrase(const rf_lexicon *lex, const rf_phrase *ph, const cword *cw,
                                      const words *ws, size_t i, size_t *k)
{
    while (i + *k < ws->count) {
        uint32_t longest =
            rf_strmap__get(lex->starts, lex->canon.data + ph->canon_off, ph->canon_len);
        const rf_phrase *longer = NULL;
        size_t more;
        if (longest == RF_STRMAP_MISSING) break;
        /* The canonical form and `more` words after it, the most first. */
        for (more = longest - 1 < ws->count - i - *k ? longest - 1 : ws->count - i - *k; more > 0; more--)
            if ((longer = lookup_phrase(lex, ph, cw, ws, i + *k, more, 0)) != NULL) {
                if (hyphened_as_written(longer, cw, ws, i + *k, more, 1, 0)) break;
                longer = NULL;
            }
        if (!longer) break;
        *k += more;
        ph = longer;
    }
    return ph;
}

/* Whether words a and b, side by side, could be one word written apart: both as written,
 * neither a stray letter nor digits, not too long together. */
static int joinable(const word *a, const word *b)
{
    return a->origin == RF_ORIGIN_LITERAL && b->origin == RF_ORIGIN_LITERAL && a->len >= 2 &&
           b->len >= 2 && (size_t)a->len + b->len <= RF_MAX_TOKEN_LEN &&
           !all_digits(a->text, a->len) && !all_digits(b->text, b->len);
}

/* What the two joins read with: the lexicon, and the listed words (may be NULL). */
typedef struct join_tables {
    const rf_lexicon *lex;
    const rf_strmap *listed;
} join_tables;

/* Whether words a and b, side by side, are one business word split in two by a typist or a
 * scan ("LIM ITED", "Com pany", "Techno logies", "OBSHCHES TVO"): their letters together are
 * a word of the lexicon and one of them alone is not (two known words, "Inter National",
 * stay two). Both sides of a comparison are read so, so the join never parts two names. */
static int split_business_word(const word *a, const word *b, const join_tables *t)
{
    char joined[RF_MAX_TOKEN_LEN];
    if (!joinable(a, b) ||
        (rf_strmap__get(t->lex->words, a->text, a->len) != RF_STRMAP_MISSING &&
         rf_strmap__get(t->lex->words, b->text, b->len) != RF_STRMAP_MISSING))
        return 0;
    memcpy(joined, a->text, a->len);
    memcpy(joined + a->len, b->text, b->len);
    return rf_strmap__get(t->lex->words, joined, (size_t)a->len + b->len) != RF_STRMAP_MISSING;
}

/* Joins each two words side by side that `joins` says are one back into one word. */
static void join_words(words *w, int (*joins)(const word *a, const word *b, const join_tables *t),
                       const join_tables *t)
{
    size_t out = 0;
    for (size_t i = 0; i < w->count; i++, out++) {
        word *a = &w->items[out];
        if (out != i) *a = w->items[i];
        if (i + 1 < w->count && joins(a, &w->items[i + 1], t)) {
            const word *b = &w->items[++i];
            memcpy(a->text + a->len, b->text, b->len);
            a->len = (uint16_t)(a->len + b->len);
            a->text[a->len] = '\0';
            a->src_len = b->src_start + b->src_len - a->src_start;
        }
    }
    w->count = out;
}

/* Whether word x is letters as written, byte for byte: where the name's bytes may be read. */
static int written_plain(const word *x)
{
    return x->origin == RF_ORIGIN_LITERAL && x->src_len == x->len;
}

/* Whether `text` may be the lexicon's part of a word run together with a listed part of
 * `listed_len` letters, before it (`after` 0) or after it: a word of the lexicon's phrases
 * ("charitable", "joint", "trading", "limited"), or a legal form of three letters or more after
 * a listed word of five or more ("OCEANGMBH", "MANAGEMENTPVT"). Its short legal forms and stop
 * words ("de", "le", "am", "co") begin and end too many real companies' names ("DENSO",
 * "LEGRAND", "AmBase", "Cisco"), business words of its own ("tech", "plus") too many more
 * ("Leontech"), and legal forms before a word too many people's ("Abvdallah", "Moohamed"). */
static int business_part(const rf_lexicon *lex, const char *text, size_t n, size_t listed_len,
                         int after)
{
    const rf_phrase *ph;
    if (rf_strmap__get(lex->words, text, n) != RF_STRMAP_MISSING) return 1;
    return after && n >= 3 && listed_len >= 5 && (ph = lookup_word(lex, text, n, NULL)) != NULL &&
           ph->cls == RF_TOK_LEGAL;
}

/* Where word `x`, which neither the lexicon nor a listed name has, is a listed word run
 * together with a business part (business_part), either way round ("RAHMACHARITABLE",
 * "CompanyTransservis", "SNGLIMITED"): the length of its first part, the listed part as long
 * as can be; 0 when it is not. The listed part has three letters or more: a stray letter is
 * no word. A misspelt business word ("INNERNATIONAL") is none. */
static size_t run_together_at(const rf_lexicon *lex, const rf_strmap *listed, const word *x)
{
    size_t best = 0, best_listed = 0;
    if (x->origin != RF_ORIGIN_LITERAL || x->len < 5 || all_digits(x->text, x->len) ||
        rf_strmap__get(lex->words, x->text, x->len) != RF_STRMAP_MISSING ||
        rf_strmap__get(listed, x->text, x->len) != RF_STRMAP_MISSING)
        return 0;
    for (size_t k = 2; k + 2 <= x->len; k++) {
        const char *a = x->text, *b = x->text + k;
        size_t na = k, nb = x->len - k;
        if (na >= 3 && na > best_listed && rf_strmap__get(listed, a, na) != RF_STRMAP_MISSING &&
            business_part(lex, b, nb, na, 1)) {
            best = k;
            best_listed = na;
        }
        if (nb >= 3 && nb > best_listed && rf_strmap__get(listed, b, nb) != RF_STRMAP_MISSING &&
            business_part(lex, a, na, nb, 0)) {
            best = k;
            best_listed = nb;
        }
    }
    return best && !correct_word(lex, x->text, x->len) ? best : 0;
}

/* Whether words a and b written together are a listed word. */
static int join_listed(const rf_strmap *listed, const word *a, const word *b)
{
    char joined[2 * RF_MAX_TOKEN_LEN];
    memcpy(joined, a->text, a->len);
    memcpy(joined + a->len, b->text, b->len);
    return rf_strmap__get(listed, joined, (size_t)a->len + b->len) != RF_STRMAP_MISSING;
}

/* Whether words a and b are one listed word split in two, where one of them is no listed word
 * ("Mis sile", "ELEKTR ONIK", "Sha ikh"); two listed words ("Inter National", "Abd Allah")
 * stay two, and so do a word of the lexicon and another ("AND Res": no Andres; "W&M Eng": no
 * Meng), or a letter and a word. */
static int split_listed_word(const word *a, const word *b, const join_tables *t)
{
    return joinable(a, b) && !lookup_word(t->lex, a->text, a->len, NULL) &&
           !lookup_word(t->lex, b->text, b->len, NULL) && join_listed(t->listed, a, b) &&
           (rf_strmap__get(t->listed, a->text, a->len) == RF_STRMAP_MISSING ||
            rf_strmap__get(t->listed, b->text, b->len) == RF_STRMAP_MISSING);
}

/* Splits word i into its first k letters and the rest, two words (w->count < RF_MAX_WORDS). */
static void split_word(words *w, size_t i, size_t k)
{
    word *a = &w->items[i], *b;
    memmove(&w->items[i + 2], &w->items[i + 1], (w->count - i - 1) * sizeof *w->items);
    w->count++;
    b = &w->items[i + 1];
    *b = *a;
    b->len = (uint16_t)(a->len - k);
    memmove(b->text, a->text + k, b->len);
    b->text[b->len] = '\0';
    b->tight = 0;
    a->len = (uint16_t)k;
    a->text[k] = '\0';
    /* letter for byte where the name was written so; else each part points at the word */
    if (a->src_len == k + b->len) {
        b->src_start = a->src_start + (uint32_t)k;
        b->src_len = (uint32_t)b->len;
        a->src_len = (uint32_t)k;
    }
}

/* Reads each word run together from a listed word and a word of the lexicon as the two
 * (run_together_at), unless it is part of a listed word split in two ("Microelect ronics",
 * "BEL TECHEXPORT"). */
static void split_run_together(words *w, const rf_lexicon *lex, const rf_strmap *listed)
{
    for (size_t i = 0; i < w->count && w->count < RF_MAX_WORDS; i++) {
        size_t k = run_together_at(lex, listed, &w->items[i]);
        if (!k || (i > 0 && join_listed(listed, &w->items[i - 1], &w->items[i])) ||
            (i + 1 < w->count && join_listed(listed, &w->items[i], &w->items[i + 1])))
            continue;
        split_word(w, i, k);
        i++;
    }
}

/* Whether words `parts` (their texts, `lens` long), read as the lexicon keys its phrases (each
 * known word by its canonical form), are a legal form. */
static int is_legal_form(const rf_lexicon *lex, const char *const *parts, const size_t *lens, size_t n)
{
    char key[4 * (RF_MAX_TOKEN_LEN + 1)];
    size_t klen = 0;
    const rf_phrase *ph;
    for (size_t k = 0; k < n; k++) {
        const char *text = parts[k];
        size_t len = lens[k];
        if (n > 1 && (ph = lookup_word(lex, text, len, NULL)) != NULL) {
            text = lex->canon.data + ph->canon_off;
            len = ph->canon_len;
        }
        if (klen + len + 1 > sizeof key) return 0;
        if (k) key[klen++] = ' ';
        memcpy(key + klen, text, len);
        klen += len;
    }
    ph = lookup_word(lex, key, klen, NULL);
    return ph && ph->cls == RF_TOK_LEGAL;
}

/* Whether `text`, alone or with the word after it (`next`, may be NULL), is a legal form:
 * "sa", "srl", "sdn" of "sdn bhd", "fz" of "fz llc". */
static int starts_legal_form(const rf_lexicon *lex, const char *text, size_t n, const word *next)
{
    const char *parts[2] = {text, next ? next->text : NULL};
    size_t lens[2] = {n, next ? next->len : 0};
    return is_legal_form(lex, parts, lens, 1) || (next && is_legal_form(lex, parts, lens, 2));
}

/* Whether word `before`, word `a` but for its last letter, and `initials` are a legal form:
 * "S.A. DEC.V.", read as "sa de cv". */
static int ends_legal_form(const rf_lexicon *lex, const word *before, const word *a, const char *initials,
                           size_t n)
{
    const char *parts[3] = {before->text, a->text, initials};
    size_t lens[3] = {before->len, a->len - 1u, n};
    return is_legal_form(lex, parts, lens, 3);
}

/* A legal form in initials whose first letter is written against the word before it
 * ("DOXAS.A.", "IRASCOS.R.L.", "THE EAGLESL.L.C.", "S.A. DEC.V."): the letter goes back to
 * the initials. Not where the word as written is a listed word and without that letter is
 * none ("GENIS.A." stays GENIS when the lists have GENIS and no GENI), unless the words before
 * make the legal form longer ("S.A. DEC.V.": the lists have DEC). */
static void unglue_initials(words *w, const rf_lexicon *lex, const rf_strmap *listed, const char *name)
{
    for (size_t i = 0; i + 1 < w->count; i++) {
        word *a = &w->items[i], *b = &w->items[i + 1];
        char initials[RF_MAX_TOKEN_LEN + 1];
        if (!b->tight || name[b->src_start - 1] != '.' || !written_plain(a) || b->origin != RF_ORIGIN_LITERAL ||
            a->len < 3 || b->len > 5 || b->src_len != 2u * b->len - 1 || all_digits(a->text, a->len))
            continue;
        initials[0] = a->text[a->len - 1];
        memcpy(initials + 1, b->text, b->len);
        {
            int longer_form = i > 0 && ends_legal_form(lex, &w->items[i - 1], a, initials, (size_t)b->len + 1);
            int listed_as_written = rf_strmap__get(listed, a->text, a->len) != RF_STRMAP_MISSING &&
                                    rf_strmap__get(listed, a->text, a->len - 1u) == RF_STRMAP_MISSING;
            const word *next = i + 2 < w->count ? &w->items[i + 2] : NULL;
            if (!longer_form &&
                (listed_as_written || !starts_legal_form(lex, initials, (size_t)b->len + 1, next)))
                continue;
        }
        memmove(b->text + 1, b->text, (size_t)b->len + 1);
        b->text[0] = initials[0];
        b->len++;
        b->src_len += b->src_start - (a->src_start + a->src_len - 1u);
        b->src_start = a->src_start + a->src_len - 1u;
        b->tight = 0;
        a->len--;
        a->text[a->len] = '\0';
        a->src_len--;
    }
}

/* A short legal form written against a word of five letters or more that the lists or the
 * lexicon have, a full stop after it ("LOGISTICSCO., LTD.", "HOLDINGSCO.", "TRADEXCO."): read
 * as two words. Without the stop too many names end so ("Cisco", "Tesco"). */
static void split_legal_suffix(words *w, const rf_lexicon *lex, const rf_strmap *listed, const char *name,
                               size_t len)
{
    for (size_t i = 0; i < w->count && w->count < RF_MAX_WORDS; i++) {
        const word *x = &w->items[i];
        size_t after = (size_t)x->src_start + x->src_len;
        if (!written_plain(x) || after >= len || name[after] != '.' || all_digits(x->text, x->len) ||
            lookup_word(lex, x->text, x->len, NULL) || rf_strmap__get(listed, x->text, x->len) != RF_STRMAP_MISSING)
            continue;
        /* the legal form two to four letters, the word before it five or more, longest first */
        for (size_t cut = 2; cut <= 4 && cut + 5 <= x->len; cut++) {
            size_t k = x->len - cut;
            if (is_legal_form(lex, (const char *const[]){x->text + k}, &cut, 1) &&
                (rf_strmap__get(listed, x->text, k) != RF_STRMAP_MISSING || lookup_word(lex, x->text, k, NULL))) {
                split_word(w, i, k);
                i++;
                break;
            }
        }
    }
}

/* A legal form written against the word before it, after a capital that follows two small
 * letters: the first word of one with the word after it ("AirSDN BHD", "TechSdn Bhd",
 * "ServicesFZ LLC"), or one of three letters or more in capitals ("OceanGMBH"). Read as two
 * words. Shorter ones end too many real names so ("FiveCo", "NextEV", "PolyComp"), and one
 * small letter may be a scan's l for I ("PUTlNA" is PUTINA, not "PUTI N.A."). */
static int camel_legal_at(const rf_lexicon *lex, const word *x, const char *src, size_t k, const word *next)
{
    const char *part = x->text + k;
    size_t n = x->len - k, capitals = 0;
    if (!(src[k - 2] >= 'a' && src[k - 2] <= 'z' && src[k - 1] >= 'a' && src[k - 1] <= 'z' && src[k] >= 'A' &&
          src[k] <= 'Z'))
        return 0;
    for (size_t j = k; j < x->len; j++) capitals += src[j] >= 'A' && src[j] <= 'Z';
    if (next && is_legal_form(lex, (const char *const[]){part, next->text}, (const size_t[]){n, next->len}, 2))
        return 1;
    return n >= 3 && capitals == n && is_legal_form(lex, &part, &n, 1);
}

static void split_camel_legal(words *w, const rf_lexicon *lex, const char *name)
{
    for (size_t i = 0; i < w->count && w->count < RF_MAX_WORDS; i++) {
        const word *x = &w->items[i];
        if (!written_plain(x) || all_digits(x->text, x->len)) continue;
        for (size_t k = 2; k + 2 <= x->len; k++)
            if (camel_legal_at(lex, x, name + x->src_start, k, i + 1 < w->count ? &w->items[i + 1] : NULL)) {
                split_word(w, i, k);
                i++;
                break;
            }
    }
}

int rf_engine__tokenize(rf_tokens *out, const rf_lexicon *lex, const rf_strmap *places,
                        const rf_strmap *listed, rf_translit *tr, const char *name, size_t len,
                        int for_party)
{
    range skip[RF_NOISE_PATTERNS] = {{0, 0}};
    size_t n_skip = for_party ? find_noise(skip, lex, name, len) : 0;
    words ws, *w = &ws; /* a few kilobytes: on the stack, since this runs once per party */
    cword cw[RF_MAX_WORDS];
    int rc;

    rf_buf_reset(&out->text);
    out->count = 0;
    out->truncated = 0;
    rc = split_words(w, tr, name, len, skip, n_skip);
    {
        join_tables t = {lex, listed};
        join_words(w, split_business_word, &t);
        if (listed) {
            join_words(w, split_listed_word, &t);
            unglue_initials(w, lex, listed, name);
            split_camel_legal(w, lex, name);
            split_legal_suffix(w, lex, listed, name, len);
            split_run_together(w, lex, listed);
        }
    }
    if (for_party) drop_cut_fragment(w, lex, listed, len);
    out->truncated = w->truncated;
    out->disguise = w->disguise;
    /* Each word alone: known spellings to their canonical form, misspelt business words and
     * legal forms corrected; places and numbers noted later. */
    for (size_t i = 0; i < w->count && rc == RF_OK; i++) {
        const word *x = &w->items[i];
        cword *c = &cw[i];
        c->text = x->text;
        c->len = x->len;
        c->corrected = 0;
        c->single = lookup_word(lex, x->text, x->len, &c->loose);
        if (!c->single && !all_digits(x->text, x->len) &&
            !(places && rf_strmap__get(places, x->text, x->len) != RF_STRMAP_MISSING)) {
            /* (cut short before misspelt: "COMPA" at the end of a long name is "Company") */
            const rf_phrase *cut =
                for_party && may_be_cut(w, i, listed, len) ? cut_word(lex, x->text, x->len) : NULL;
            const char *fixed = cut ? NULL : correct_word(lex, x->text, x->len);
            char misread[RF_MAX_TOKEN_LEN];
            size_t n_misread;
            if (cut) {
                c->single = cut;
                c->corrected = c->loose = 1;
            } else if (fixed) {
                c->text = fixed;
                c->len = strlen(fixed);
                c->corrected = c->loose = 1;
                c->single = lookup_word(lex, fixed, c->len, NULL);
            } else if (x->len <= RF_MAX_TOKEN_LEN &&
                       (n_misread = rf_ocr__read_pairs(misread, x->text, x->len)) < x->len &&
                       (c->single = lookup_word(lex, misread, n_misread, NULL)) != NULL) {
                /* a business word or legal form with letter pairs misread by OCR ("Cornpany",
                 * "Bhcl"); digits that mimic letters were read when the word was split */
                c->corrected = c->loose = 1;
            }
        }
        if (c->single) {
            c->text = lex->canon.data + c->single->canon_off;
            c->len = c->single->canon_len;
        }
    }
    /* Then phrases, longest first: "co ltd", "open joint stock co". */
    for (size_t i = 0; i < w->count && rc == RF_OK;) {
        const word *x = &w->items[i];
        const rf_phrase *ph = NULL;
        size_t k = 1;
        int corrected = cw[i].corrected;
        uint32_t longest = rf_strmap__get(lex->starts, cw[i].text, cw[i].len);
        if (longest != RF_STRMAP_MISSING) ph = longest_phrase(lex, cw, w, i, longest, &k, &corrected);
        if (ph) ph = extend_phrase(lex, ph, cw, w, i, &k);
        if (!ph) {
            k = 1;
            corrected = cw[i].corrected;
            ph = cw[i].single;
        }
        {
            if (ph) {
                const char *canon = lex->canon.data + ph->canon_off;
                int same = k == 1 && ph->canon_len == x->len && memcmp(canon, x->text, x->len) == 0;
                uint8_t origin = x->origin == RF_ORIGIN_TRANSLIT || x->origin == RF_ORIGIN_SYLLABIC ||
                                         x->origin == RF_ORIGIN_CONSONANTS
                                     ? x->origin
                                 : corrected                    ? RF_ORIGIN_TYPO
                                 : same                         ? RF_ORIGIN_LITERAL
                                                                : RF_ORIGIN_SYMBOL;
                rc = emit(out, canon, ph->canon_len, (rf_tok_class)ph->cls, origin, w, i, k);
            } else {
                /* A word corrected towards a phrase it did not complete stays as written. */
                size_t ordinal = ordinal_digits(x->text, x->len);
                rf_tok_class cls =
                    all_digits(x->text, x->len) || ordinal ? RF_TOK_NUMBER
                    : (places && rf_strmap__get(places, x->text, x->len) != RF_STRMAP_MISSING)
                        ? RF_TOK_PLACE
                        : RF_TOK_WORD;
                rc = emit(out, x->text, ordinal ? ordinal : x->len, cls, x->origin, w, i, 1);
            }
        }
        i += k;
    }
    return rc;
}
