/* translit.c: other scripts to Latin through ICU (see translit.h). Text is cut into runs of
 * one script; Cyrillic runs go through Russian-Latin/BGN (the romanization OFAC and the UN
 * use), Han runs through the business-word table then Han-Latin with syllables joined (or,
 * asked to, through their Korean readings, data/han_korean.tsv), the rest through Any-Latin; everything ends as lower-case ASCII via Latin-ASCII. Before that, a
 * word that mixes Latin, Cyrillic and Greek letters has its strays folded into one alphabet,
 * by tables of look-alikes drawn from ICU's spoof checker. Each ICU transform and the
 * look-alike tables are opened when first needed: ICU parses the rules of the first
 * transliterator a process opens in about 80 ms, which a run whose names are all in Latin
 * letters (most orders) never pays. Latin letters that stay outside ASCII after folding
 * ("ø", "æ", "ł") are looked up in a table of what that transform gives each of them
 * (data/latin_ascii.tsv, checked against ICU by the tests), so they do not open it either. */
#include "translit.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <utf8proc.h>

#include "lexicon.h"
#include "strmap.h"


#define ZH_MAX_CHARS 8 /* longest Chinese entry, in characters */
#define RUN_MAX 4096   /* UTF-16 units transliterated at once */
#define LATIN_END 0x250    /* the Latin ranges script_of and latin_ascii.tsv know: */
#define LATIN_EXT 0x1E00   /* below LATIN_END, and LATIN_EXT to LATIN_EXT_END */
#define LATIN_EXT_END 0x1F00
#define LATIN_SLOTS ((LATIN_END - 0x80) + (LATIN_EXT_END - LATIN_EXT))
#define GREEK_FIRST 0x370
#define CYRILLIC_END 0x530 /* Greek and Cyrillic letters: the look-alike table's range */

/* A Chinese character's Korean reading, and its reading in personal names (金: 금, and 김 the
 * surname Kim), as Hangul syllables (engine/data/han_korean.tsv). */
typedef struct korean_reading {
    int32_t han, common, named;
} korean_reading;

/* The ICU transforms, by what they read. */
typedef enum transform_id { T_SIMPLIFIED, T_CYRILLIC, T_HAN, T_OTHER, TRANSFORMS } transform_id;

struct rf_translit {
    UTransliterator *t[TRANSFORMS]; /* opened on first use (transform) */
    int lookalikes;                 /* the tables below are filled (load_lookalikes) */
    rf_strmap *zh_words; /* chinese -> offset of its English in zh_english */
    rf_buf zh_english;
    /* Look-alikes: the ASCII letter each Greek or Cyrillic letter is taken for ('\0': none),
     * and the Cyrillic and Greek letter each ASCII letter is taken for (0: none). */
    char as_latin[CYRILLIC_END - GREEK_FIRST];
    int32_t from_latin[2][128]; /* [0] Cyrillic, [1] Greek */
    rf_han_reading han_reading;
    korean_reading *korean; /* sorted by character; loaded on first use (load_korean) */
    size_t n_korean;
    /* What T_OTHER gives each Latin code point beyond ASCII (latin_slot): a line's text in
     * rf_data_latin_ascii, NULL for one the table lacks. */
    const char *latin[LATIN_SLOTS];
    uint8_t latin_len[LATIN_SLOTS];
};

typedef enum script { SCRIPT_LATIN, SCRIPT_CYRILLIC, SCRIPT_HAN, SCRIPT_HANGUL, SCRIPT_OTHER } script;

static script script_of(int32_t cp)
{
    if (cp < LATIN_END || (cp >= LATIN_EXT && cp < LATIN_EXT_END)) return SCRIPT_LATIN;
    if (cp >= 0x400 && cp < 0x530) return SCRIPT_CYRILLIC;
    if ((cp >= 0x4E00 && cp < 0xA000) || (cp >= 0x3400 && cp < 0x4DC0) ||
        (cp >= 0xF900 && cp < 0xFB00) || (cp >= 0x20000 && cp < 0x2FA20))
        return SCRIPT_HAN;
    if (cp >= 0xAC00 && cp < 0xD7A4) return SCRIPT_HANGUL;
    return SCRIPT_OTHER;
}

int rf_translit__is_latin(int32_t cp)
{
    return script_of(cp) == SCRIPT_LATIN;
}

int rf_translit__is_syllabic(int32_t cp)
{
    return script_of(cp) == SCRIPT_HAN || (cp >= 0xAC00 && cp < 0xD7B0) || (cp >= 0x1100 && cp < 0x1200) ||
           (cp >= 0x3130 && cp < 0x3190) || (cp >= 0x3040 && cp < 0x3100);
}

int rf_translit__omits_vowels(int32_t cp)
{
    return (cp >= 0x590 && cp < 0x7C0) || (cp >= 0x8A0 && cp < 0x900) || (cp >= 0xE00 && cp < 0xE80) ||
           (cp >= 0xFB1D && cp < 0xFE00) || (cp >= 0xFE70 && cp < 0xFF00);
}

static UTransliterator *open_transform(const char *id)
{
    UChar uid[128];
    UErrorCode status = U_ZERO_ERROR;
    UTransliterator *t;

    u_uastrcpy(uid, id);
    t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &status);
    if (U_FAILURE(status)) return NULL;
    return t;
}

/* A transliterator from ICU rules (UTF-8), named `id`. */
static UTransliterator *open_rules(const char *id, const char *rules)
{
    UChar uid[64], urules[256];
    UErrorCode status = U_ZERO_ERROR;
    UParseError where;
    UTransliterator *t;

    u_uastrcpy(uid, id);
    u_strFromUTF8(urules, (int32_t)(sizeof urules / sizeof urules[0]), NULL, rules, -1, &status);
    if (U_FAILURE(status)) return NULL;
    t = utrans_openU(uid, -1, UTRANS_FORWARD, urules, -1, &where, &status);
    if (U_FAILURE(status)) return NULL;
    return t;
}

rf_alphabet rf_translit__alphabet(int32_t cp)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_LO) return RF_ALPHA_NONE;
    if (cp < 0x250 || (cp >= 0x1E00 && cp < 0x1F00)) return RF_ALPHA_LATIN;
    if (cp >= 0x400 && cp < CYRILLIC_END) return RF_ALPHA_CYRILLIC;
    if ((cp >= GREEK_FIRST && cp < 0x400) || (cp >= 0x1F00 && cp < 0x2000)) return RF_ALPHA_GREEK;
    return RF_ALPHA_NONE;
}

/* Fills the look-alike tables from ICU's confusable skeletons: a Greek or Cyrillic letter
 * whose skeleton is one ASCII letter looks like that letter. The skeleton of "I" is "l" (the
 * two look the same); an upper-case letter that looks like them is taken for "I". Reverse
 * entries prefer the Russian and modern Greek alphabets, scanned first. */
static int load_lookalikes(rf_translit *tr)
{
    static const int32_t order[][2] = {{0x410, 0x450}, {0x391, 0x3CA}, {0x400, 0x410},
                                       {0x450, CYRILLIC_END}, {GREEK_FIRST, 0x391}, {0x3CA, 0x400}};
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&status);

    if (U_FAILURE(status)) return RF_ENOMEM;
    for (size_t r = 0; r < sizeof order / sizeof order[0]; r++) {
        for (int32_t cp = order[r][0]; cp < order[r][1]; cp++) {
            char in[8], sk[16];
            int32_t n;
            rf_alphabet a = rf_translit__alphabet(cp);
            char c;
            if (a != RF_ALPHA_CYRILLIC && a != RF_ALPHA_GREEK) continue;
            n = (int32_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)in);
            status = U_ZERO_ERROR;
            n = uspoof_getSkeletonUTF8(sc, 0, in, n, sk, (int32_t)sizeof sk, &status);
            if (U_FAILURE(status) || n != 1) continue;
            c = sk[0];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) continue;
            if (c == 'l' && utf8proc_category(cp) == UTF8PROC_CATEGORY_LU) c = 'I';
            tr->as_latin[cp - GREEK_FIRST] = c;
            if (!tr->from_latin[a == RF_ALPHA_GREEK][(unsigned char)c])
                tr->from_latin[a == RF_ALPHA_GREEK][(unsigned char)c] = cp;
        }
    }
    uspoof_close(sc);
    tr->lookalikes = 1;
    return RF_OK;
}

/* The look-alike of letter cp (of alphabet `from`) in alphabet `to`, or 0. */
static int32_t lookalike(const rf_translit *tr, int32_t cp, rf_alphabet from, rf_alphabet to)
{
    if (from == to) return cp;
    if (to == RF_ALPHA_LATIN)
        return cp >= GREEK_FIRST && cp < CYRILLIC_END ? (unsigned char)tr->as_latin[cp - GREEK_FIRST] : 0;
    if (from == RF_ALPHA_LATIN) return cp < 128 ? tr->from_latin[to == RF_ALPHA_GREEK][cp] : 0;
    /* Cyrillic for Greek and back: through the Latin letter both look like. */
    {
        int32_t latin = lookalike(tr, cp, from, RF_ALPHA_LATIN);
        return latin ? lookalike(tr, latin, RF_ALPHA_LATIN, to) : 0;
    }
}

int rf_translit__fold_lookalikes(rf_translit *tr, rf_buf *out, const char *s, size_t len,
                                 rf_alphabet hint)
{
    size_t letters[4] = {0}, strays[4] = {0}; /* per alphabet: its letters; letters it lacks */
    rf_alphabet target = RF_ALPHA_NONE;
    int present = 0, folded = 0, rc = RF_OK;

    for (size_t k = 0; k < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + k, (utf8proc_ssize_t)(len - k), &cp);
        if (step <= 0) return RF_EFORMAT;
        if (rf_translit__alphabet(cp) != RF_ALPHA_NONE) letters[rf_translit__alphabet(cp)]++;
        k += (size_t)step;
    }
    for (int a = RF_ALPHA_LATIN; a <= RF_ALPHA_GREEK; a++) present += letters[a] > 0;
    if (present < 2) return 0;
    if (!tr->lookalikes && (rc = load_lookalikes(tr)) != RF_OK) return rc;
    for (size_t k = 0; k < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + k, (utf8proc_ssize_t)(len - k), &cp);
        rf_alphabet a = rf_translit__alphabet(cp);
        for (int t = RF_ALPHA_LATIN; a != RF_ALPHA_NONE && t <= RF_ALPHA_GREEK; t++)
            if (!lookalike(tr, cp, a, (rf_alphabet)t)) strays[t]++;
        k += (size_t)step;
    }
    /* An alphabet with a look-alike for every letter, the rest of the name's first; else the
     * one most of the word is written in. */
    if (hint != RF_ALPHA_NONE && letters[hint] && strays[hint] == 0) target = hint;
    for (int a = RF_ALPHA_LATIN; a <= RF_ALPHA_GREEK && target == RF_ALPHA_NONE; a++)
        if (letters[a] && strays[a] == 0 &&
            (target == RF_ALPHA_NONE || letters[a] > letters[target]))
            target = (rf_alphabet)a;
    if (target == RF_ALPHA_NONE) {
        target = RF_ALPHA_LATIN;
        for (int a = RF_ALPHA_CYRILLIC; a <= RF_ALPHA_GREEK; a++)
            if (letters[a] > letters[target]) target = (rf_alphabet)a;
    }
    rf_buf_reset(out);
    for (size_t k = 0; k < len && rc == RF_OK;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + k, (utf8proc_ssize_t)(len - k), &cp);
        rf_alphabet a = rf_translit__alphabet(cp);
        int32_t to = a != RF_ALPHA_NONE ? lookalike(tr, cp, a, target) : 0;
        if (to && to != cp) {
            utf8proc_uint8_t enc[4];
            rc = rf_buf_append(out, enc, (size_t)utf8proc_encode_char(to, enc));
            folded++;
        } else {
            rc = rf_buf_append(out, s + k, (size_t)step);
        }
        k += (size_t)step;
    }
    return rc != RF_OK ? rc : folded;
}

static int load_zh_words(rf_translit *tr)
{
    const char *p = (const char *)rf_data_zh_business;
    const char *end = p + rf_data_zh_business_size;
    int rc = rf_strmap__new(&tr->zh_words, 256);

    while (rc == RF_OK && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *tab;
        if (!eol) eol = end;
        tab = memchr(p, '\t', (size_t)(eol - p));
        if (*p != '#' && tab) {
            uint32_t off = (uint32_t)tr->zh_english.len;
            rc = rf_buf_append(&tr->zh_english, tab + 1, (size_t)(eol - tab - 1));
            if (rc == RF_OK) rc = rf_buf_putc(&tr->zh_english, '\0');
            if (rc == RF_OK) rc = rf_strmap__put(tr->zh_words, p, (size_t)(tab - p), off, NULL);
        }
        p = eol + 1;
    }
    return rc;
}

/* The slot of a Latin code point beyond ASCII in the table, or -1. */
static int latin_slot(int32_t cp)
{
    if (cp >= 0x80 && cp < LATIN_END) return (int)(cp - 0x80);
    if (cp >= LATIN_EXT && cp < LATIN_EXT_END) return (int)(LATIN_END - 0x80 + cp - LATIN_EXT);
    return -1;
}

/* Points tr->latin at the lines of latin_ascii.tsv ("hex<TAB>latin"). */
static void load_latin(rf_translit *tr)
{
    const char *p = (const char *)rf_data_latin_ascii;
    const char *end = p + rf_data_latin_ascii_size;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *tab;
        if (!eol) eol = end;
        tab = memchr(p, '\t', (size_t)(eol - p));
        if (*p != '#' && tab && eol - tab - 1 <= UINT8_MAX) {
            char hex[8];
            int slot;
            snprintf(hex, sizeof hex, "%.*s", (int)(tab - p), p);
            if ((slot = latin_slot((int32_t)strtol(hex, NULL, 16))) >= 0) {
                tr->latin[slot] = tab + 1;
                tr->latin_len[slot] = (uint8_t)(eol - tab - 1);
            }
        }
        p = eol + 1;
    }
}

int rf_translit__new(rf_translit **out)
{
    rf_translit *tr = calloc(1, sizeof *tr);
    int rc;

    *out = NULL;
    if (!tr) return RF_ENOMEM;
    if ((rc = load_zh_words(tr)) != RF_OK) {
        rf_translit__free(tr);
        return rc;
    }
    load_latin(tr);
    *out = tr;
    return RF_OK;
}

/* Transform `id` of `tr`, opened now if it was not; NULL when ICU cannot open it. */
static UTransliterator *transform(rf_translit *tr, transform_id id)
{
    if (tr->t[id]) return tr->t[id];
    switch (id) {
    case T_SIMPLIFIED: tr->t[id] = open_transform("Traditional-Simplified"); break;
    case T_CYRILLIC:
        tr->t[id] = open_transform("Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower");
        if (!tr->t[id]) tr->t[id] = open_transform("Any-Latin; Latin-ASCII; Lower");
        break;
    case T_HAN: tr->t[id] = open_transform("Han-Latin; Latin-ASCII; Lower"); break;
    case T_OTHER:
        tr->t[id] = open_rules("redflag-Any-Latin", RF_TRANSLIT_OTHER_RULES);
        break;
    case TRANSFORMS: break;
    }
    return tr->t[id];
}

void rf_translit__free(rf_translit *tr)
{
    if (!tr) return;
    for (int i = 0; i < TRANSFORMS; i++)
        if (tr->t[i]) utrans_close(tr->t[i]);
    rf_strmap__free(tr->zh_words);
    rf_buf_free(&tr->zh_english);
    free(tr->korean);
    free(tr);
}

/* Transliterates s[0..len) with `t` and appends the result; when `join` is set, the spaces ICU
 * puts between syllables are dropped so that one run of Han characters is one word. */
static int transform_append(UTransliterator *t, rf_buf *out, const char *s, size_t len, int join)
{
    UChar text[RUN_MAX];
    char utf8[RUN_MAX * 3];
    int32_t ulen = 0, limit, u8len = 0;
    UErrorCode status = U_ZERO_ERROR;

    if (!t) return RF_ENOMEM;
    u_strFromUTF8(text, RUN_MAX / 2, &ulen, s, (int32_t)len, &status);
    if (U_FAILURE(status)) return RF_EFORMAT;
    limit = ulen;
    utrans_transUChars(t, text, &ulen, RUN_MAX, 0, &limit, &status);
    if (U_FAILURE(status)) return RF_ELIMIT;
    u_strToUTF8(utf8, (int32_t)sizeof utf8, &u8len, text, ulen, &status);
    if (U_FAILURE(status)) return RF_ELIMIT;
    if (out->len && out->data[out->len - 1] != ' ') {
        int rc = rf_buf_putc(out, ' ');
        if (rc != RF_OK) return rc;
    }
    for (int32_t i = 0; i < u8len; i++) {
        int rc;
        if (join && (utf8[i] == ' ' || utf8[i] == '\'' || utf8[i] == '-')) continue;
        rc = rf_buf_putc(out, utf8[i]);
        if (rc != RF_OK) return rc;
    }
    return rf_buf_putc(out, ' ');
}

/* Transliterates s[0..len) with `t` into out (reset first), as it is. */
static int transform_plain(UTransliterator *t, rf_buf *out, const char *s, size_t len)
{
    UChar text[RUN_MAX];
    char utf8[RUN_MAX * 3];
    int32_t ulen = 0, limit, u8len = 0;
    UErrorCode status = U_ZERO_ERROR;

    rf_buf_reset(out);
    if (!t) return RF_ENOMEM;
    u_strFromUTF8(text, RUN_MAX / 2, &ulen, s, (int32_t)len, &status);
    if (U_FAILURE(status)) return RF_EFORMAT;
    limit = ulen;
    utrans_transUChars(t, text, &ulen, RUN_MAX, 0, &limit, &status);
    if (U_SUCCESS(status)) u_strToUTF8(utf8, (int32_t)sizeof utf8, &u8len, text, ulen, &status);
    if (U_FAILURE(status)) return RF_ELIMIT;
    return rf_buf_append(out, utf8, (size_t)u8len);
}

/* Hangul syllable cp romanized as the sanctions lists write Korean names: the DPRK's own
 * romanization, McCune-Reischauer without its marks (정 "jong", 은 "un", 박 "pak", 리 "ri":
 * "Kim Jong Un", "Pak Pong Ju"), where ICU's Revised Romanization writes "gimjeong-eun". Each
 * syllable is an initial, a vowel and a final (Unicode's arithmetic). */
static int hangul_syllable(rf_buf *out, int32_t cp)
{
    static const char *const initial[19] = {"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s",
                                            "ss", "", "j", "jj", "ch", "k", "t", "p", "h"};
    static const char *const vowel[21] = {"a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae",
                                          "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"};
    static const char *const final[28] = {"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
                                          "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"};
    cp -= 0xAC00;
    return rf_buf_printf(out, "%s%s%s", initial[cp / 588], vowel[(cp % 588) / 28], final[cp % 28]);
}

/* Starts a word in `out`: a space unless it is empty or ends in one. */
static int word_break(rf_buf *out)
{
    return out->len && out->data[out->len - 1] != ' ' ? rf_buf_putc(out, ' ') : RF_OK;
}

/* A run of Hangul syllables, each its own word, as the lists write North Korean names. */
static int hangul_append(rf_buf *out, const char *s, size_t len)
{
    int rc = RF_OK;

    for (size_t pos = 0; pos < len && rc == RF_OK;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (k <= 0) return RF_EFORMAT;
        pos += (size_t)k;
        if (script_of(cp) != SCRIPT_HANGUL) continue; /* neutral characters inside the run */
        rc = word_break(out);
        if (rc == RF_OK) rc = hangul_syllable(out, cp);
        if (rc == RF_OK) rc = rf_buf_putc(out, ' ');
    }
    return rc;
}

/* The value of a Chinese numeral or of ASCII digits at s[0..len) ("十四" 14, "五十五" 55,
 * "一百零八" 108, "38"), its length in *used; 0 when there is none. */
static unsigned han_number(const char *s, size_t len, size_t *used)
{
    static const char *const digits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    unsigned total = 0, digit = 0;
    size_t pos = 0;
    *used = 0;
    while (pos < len) {
        unsigned unit = 0, value = 10;
        size_t k = 0;
        if (s[pos] >= '0' && s[pos] <= '9') value = (unsigned)(s[pos] - '0'), k = 1;
        for (unsigned d = 0; d < 10 && !k; d++)
            if (len - pos >= 3 && memcmp(s + pos, digits[d], 3) == 0) value = d, k = 3;
        if (!k && len - pos >= 3) {
            if (memcmp(s + pos, "〇", 3) == 0) value = 0, k = 3;
            else if (memcmp(s + pos, "两", 3) == 0) value = 2, k = 3;
            else if (memcmp(s + pos, "十", 3) == 0) unit = 10, k = 3;
            else if (memcmp(s + pos, "百", 3) == 0) unit = 100, k = 3;
        }
        if (!k || total > 100000) break;
        if (unit) {
            total += (digit ? digit : 1) * unit;
            digit = 0;
        } else {
            digit = s[pos] >= '0' && s[pos] <= '9' ? digit * 10 + value : value;
        }
        pos += k;
    }
    *used = pos;
    return total + digit;
}

/* Fills tr->korean from the embedded table: "字<TAB>reading[<TAB>reading in names]" rows,
 * sorted by character. */
static int load_korean(rf_translit *tr)
{
    const char *p = (const char *)rf_data_han_korean;
    const char *end = p + rf_data_han_korean_size;
    size_t cap = 0;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        int32_t cp[3];
        size_t n = 0;
        if (!eol) eol = end;
        for (const char *q = p; *p != '#' && q < eol && n < 3;) {
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)q, eol - q, &cp[n]);
            if (k <= 0) return RF_EFORMAT;
            q += k;
            if (cp[n] != '\t') n++;
        }
        if (n >= 2) {
            if (tr->n_korean == cap) {
                korean_reading *grown;
                cap = cap ? 2 * cap : 8192;
                grown = realloc(tr->korean, cap * sizeof *grown);
                if (!grown) return RF_ENOMEM;
                tr->korean = grown;
            }
            tr->korean[tr->n_korean++] = (korean_reading){cp[0], cp[1], n == 3 ? cp[2] : cp[1]};
        }
        p = eol + 1;
    }
    return tr->n_korean ? RF_OK : RF_EFORMAT;
}

static int by_han(const void *key, const void *item)
{
    int32_t a = *(const int32_t *)key, b = ((const korean_reading *)item)->han;
    return (a > b) - (a < b);
}

/* Chinese characters s[0..len) as syllables: pinyin with the syllables of the run joined into
 * one word; or, read the Korean way, through each character's Hangul reading, as a Korean's
 * name in hanja is written in Latin letters: the surname (the first character, by its reading
 * in names) and the given name ("金正恩": "kim jongun", which scores as "Kim Jong Un"). A
 * character without a Korean reading is read as pinyin. `first`: s starts the name. */
static int han_syllables(rf_translit *tr, rf_buf *out, const char *s, size_t len, int first)
{
    int surname = first, rc = RF_OK;

    if (tr->han_reading == RF_HAN_MANDARIN) return transform_append(transform(tr, T_HAN), out, s, len, 1);
    if (!tr->korean && (rc = load_korean(tr)) != RF_OK) return rc;
    rc = word_break(out);
    for (size_t pos = 0; pos < len && rc == RF_OK;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos, (utf8proc_ssize_t)(len - pos), &cp);
        const korean_reading *r;
        if (k <= 0) return RF_EFORMAT;
        pos += (size_t)k;
        if (script_of(cp) != SCRIPT_HAN) continue;
        r = bsearch(&cp, tr->korean, tr->n_korean, sizeof *r, by_han);
        rc = r ? hangul_syllable(out, surname ? r->named : r->common)
               : transform_append(transform(tr, T_HAN), out, s + pos - (size_t)k, (size_t)k, 1);
        if (rc == RF_OK && surname) rc = rf_buf_putc(out, ' ');
        surname = 0;
    }
    return rc == RF_OK ? rf_buf_putc(out, ' ') : rc;
}

/* A run of Han characters: business words and places in English, the rest pinyin.
 * Traditional characters are read as their simplified forms first (華為 is 华为). */
static int han_append(rf_translit *tr, rf_buf *out, const char *trad, size_t trad_len)
{
    rf_buf simple = {0};
    const char *s;
    size_t len, pos = 0, pending = 0; /* pending: start of characters not yet written */
    int rc = transform_plain(transform(tr, T_SIMPLIFIED), &simple, trad, trad_len);

    s = simple.data ? simple.data : "";
    len = simple.len;

    while (pos < len && rc == RF_OK) {
        /* Try the longest table entry starting here (entries are at most ZH_MAX_CHARS). */
        size_t used = 0;
        unsigned number;
        /* An ordinal, 第 and a number, written as the lists write it in English: "第十四研究所"
         * is the 14th research institute, "第五十五研究所" the 55th. */
        if (len - pos > 3 && memcmp(s + pos, "第", 3) == 0 &&
            ((number = han_number(s + pos + 3, len - pos - 3, &used)), used > 0)) {
            if (pending < pos) rc = han_syllables(tr, out, s + pending, pos - pending, pending == 0);
            if (rc == RF_OK)
                rc = rf_buf_printf(out, " %u%s ", number,
                                   number % 100 - 11 < 3 ? "th" : number % 10 == 1 ? "st"
                                   : number % 10 == 2 ? "nd" : number % 10 == 3 ? "rd" : "th");
            pos = pending = pos + 3 + used;
            continue;
        }
        size_t ends[ZH_MAX_CHARS], n = 0, q = pos;
        uint32_t hit = RF_STRMAP_MISSING;
        size_t hit_end = pos;
        while (q < len && n < ZH_MAX_CHARS) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + q,
                                                  (utf8proc_ssize_t)(len - q), &cp);
            if (k <= 0) break;
            q += (size_t)k;
            ends[n++] = q;
        }
        for (size_t i = n; i-- > 1;) {
            uint32_t v = rf_strmap__get(tr->zh_words, s + pos, ends[i] - pos);
            if (v != RF_STRMAP_MISSING) {
                hit = v;
                hit_end = ends[i];
                break;
            }
        }
        if (hit == RF_STRMAP_MISSING) {
            pos = n ? ends[0] : len;
            continue;
        }
        if (pending < pos) rc = han_syllables(tr, out, s + pending, pos - pending, pending == 0);
        if (rc == RF_OK) rc = rf_buf_printf(out, " %s ", tr->zh_english.data + hit);
        pos = pending = hit_end;
    }
    if (rc == RF_OK && pending < len) rc = han_syllables(tr, out, s + pending, len - pending, pending == 0);
    rf_buf_free(&simple);
    return rc;
}

void rf_translit__read_han(rf_translit *tr, rf_han_reading reading)
{
    tr->han_reading = reading;
}

int rf_translit__korean_name(const char *s, size_t len)
{
    size_t han = 0;
    for (size_t pos = 0; pos < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (k <= 0) return 0;
        if (script_of(cp) == SCRIPT_HAN) han++;
        else if (cp != ' ') return 0;
        pos += (size_t)k;
    }
    return han == 3;
}

/* What transform_append with T_OTHER appends for the Latin run s[0..len), from the table:
 * ASCII lower-cased, every other letter as the table gives it. ICU itself for a run with a
 * letter the table lacks, or too long for one transform (RUN_MAX) at four units a letter. */
static int latin_append(rf_translit *tr, rf_buf *out, const char *s, size_t len)
{
    size_t mark = out->len;
    int rc = RF_OK;

    if (len > RUN_MAX / 8) return transform_append(transform(tr, T_OTHER), out, s, len, 0);
    if (out->len && out->data[out->len - 1] != ' ') rc = rf_buf_putc(out, ' ');
    for (size_t pos = 0; pos < len && rc == RF_OK;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos, (utf8proc_ssize_t)(len - pos), &cp);
        int slot = k > 0 ? latin_slot(cp) : -1;
        if (k > 0 && cp < 0x80) {
            rc = rf_buf_putc(out, (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        } else if (slot >= 0 && tr->latin[slot]) {
            rc = rf_buf_append(out, tr->latin[slot], tr->latin_len[slot]);
        } else {
            out->len = mark;
            return transform_append(transform(tr, T_OTHER), out, s, len, 0);
        }
        pos += (size_t)k;
    }
    return rc == RF_OK ? rf_buf_putc(out, ' ') : rc;
}

int rf_translit__append(rf_translit *tr, rf_buf *out, const char *s, size_t len)
{
    size_t pos = 0;
    int rc = RF_OK;

    while (pos < len && rc == RF_OK) {
        size_t start = pos;
        script sc = SCRIPT_LATIN;
        int first = 1;
        /* A run: characters of one script (neutral characters join the current run). */
        while (pos < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                                  (utf8proc_ssize_t)(len - pos), &cp);
            script here;
            if (k <= 0) return RF_EFORMAT;
            here = cp < 0x80 && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? sc : script_of(cp);
            if (first) {
                sc = here;
                first = 0;
            } else if (here != sc) {
                break;
            }
            pos += (size_t)k;
        }
        switch (sc) {
        case SCRIPT_HAN: rc = han_append(tr, out, s + start, pos - start); break;
        case SCRIPT_CYRILLIC: rc = transform_append(transform(tr, T_CYRILLIC), out, s + start, pos - start, 0); break;
        case SCRIPT_HANGUL: rc = hangul_append(out, s + start, pos - start); break;
        case SCRIPT_OTHER: rc = transform_append(transform(tr, T_OTHER), out, s + start, pos - start, 0); break;
        case SCRIPT_LATIN: rc = latin_append(tr, out, s + start, pos - start); break;
        }
    }
    return rc;
}
