/* tokens.h: names as classified words. The lexicon (legal forms, business words and their
 * abbreviations, stop words, country names) is built once from the embedded tables; the
 * tokenizer turns a name into canonical tokens, each remembering where in the original text it
 * came from (for highlighting) and what kind of word it is (which decides its weight). */
#ifndef RF_TOKENS_H
#define RF_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "base/rf_base.h"
#include "strmap.h"
#include "translit.h"

/* Kinds of words, from most to least telling. */
typedef enum rf_tok_class {
    RF_TOK_WORD = 0, /* an ordinary word: decides a match */
    RF_TOK_NUMBER,   /* digits: must agree exactly */
    RF_TOK_GENERIC,  /* a common business word (technology, trading): weak evidence */
    RF_TOK_PLACE,    /* a country or city name: weak evidence */
    RF_TOK_LEGAL,    /* a legal form (Co., Ltd., GmbH, OOO): confirms, never decides */
    RF_TOK_STOP      /* and, the, of, titles: ignored unless they are the whole name */
} rf_tok_class;

const char *rf_tok__class_name(rf_tok_class c);

/* How a token's canonical text was reached from what was written. */
typedef enum rf_tok_origin {
    RF_ORIGIN_LITERAL = 0,  /* as written (case and accents aside) */
    RF_ORIGIN_SYMBOL,       /* a spelling or abbreviation mapped to its canonical word */
    RF_ORIGIN_TRANSLIT,     /* transliterated from another script */
    RF_ORIGIN_SYLLABIC,     /* transliterated from Chinese, Japanese or Korean: one syllable
                             * more or less is another name, so no typo is tolerated */
    RF_ORIGIN_TYPO,         /* a misspelling of a known word ("Compnay") */
    RF_ORIGIN_CONSONANTS    /* transliterated from a script that leaves most vowels unwritten
                             * (Arabic, Hebrew; Thai as ICU reads it): "محمد" is "mhmd" */
} rf_tok_origin;

typedef struct rf_token {
    uint32_t text_off; /* canonical text, in rf_tokens.text */
    uint16_t text_len;
    uint8_t cls;       /* rf_tok_class */
    uint8_t origin;    /* rf_tok_origin */
    uint32_t src_start; /* byte span in the original name */
    uint32_t src_len;
    uint32_t surf_off;  /* the word(s) as written, normalized, in rf_tokens.text */
    uint16_t surf_len;
} rf_token;

/* How a name was dressed up to look unlike itself, undone before matching (rf_tokens.disguise):
 * someone wrote it that way, and a reviewer should know. */
#define RF_DISGUISE_INVISIBLE 1u /* invisible characters inside words: zero-width, soft hyphen, tags */
#define RF_DISGUISE_LOOKALIKE 2u /* letters of another alphabet that look like the word's own */
#define RF_DISGUISE_STYLED 4u    /* mathematical, fullwidth or enclosed letters */
#define RF_DISGUISE_MARKUP 8u    /* HTML tags or terminal escape codes */

/* A party's name this long (bytes) or longer may have been cut at a field's length (EDIFACT's
 * 35 characters, SAP's 40, X12's 60) inside its last word, which is then read as the word it
 * begins (rf_engine__tokenize for the lexicon's words, screen.c for the lists' own); in a
 * shorter name such a word is the name's own. */
#define RF_CUT_NAME_MIN 30
/* The most letters of a word so cut that the name may end in ("... BAIKAL R"): too few to
 * say which word they began, they are left out (rf_engine__tokenize) or not charged. */
#define RF_CUT_FRAGMENT_MAX 2

/* Caps: words per name and bytes per word; longer names are cut (and said so). */
#define RF_MAX_TOKENS 48
#define RF_MAX_TOKEN_LEN 64

typedef struct rf_tokens {
    rf_buf text;
    rf_token items[RF_MAX_TOKENS];
    size_t count;
    int truncated;
    unsigned disguise; /* RF_DISGUISE_* undone in this name */
    int han_korean;    /* its Chinese characters were read the Korean way (rf_han_reading) */
} rf_tokens;

static inline const char *rf_token_text(const rf_tokens *t, size_t i)
{
    return t->text.data + t->items[i].text_off;
}

static inline const char *rf_token_surface(const rf_tokens *t, size_t i)
{
    return t->text.data + t->items[i].surf_off;
}

/* A word with the letter pairs OCR takes for one letter read back as it: "rn" as "m", "cl" as
 * "d", "vv" as "w" ("Cornpany" -> "company"). Returns the length, shorter than len when a pair
 * was read (out holds at least len bytes). rf_ocr__fold reads single glyphs too ("l" as "i"),
 * for comparing two words; a lexicon word would not survive that. */
size_t rf_ocr__read_pairs(char *out, const char *s, size_t len);

/* The immutable lexicon, built on first use from the embedded tables (thread-safe). NULL if
 * it could not be built (out of memory). */
typedef struct rf_lexicon rf_lexicon;
const rf_lexicon *rf_lexicon__get(void);

/* 1 when two normalized given names are a name and its familiar form ("Ted", "Theodore";
 * rigour's person_nick table); with blen 0, when `a` has any such partner. */
/* Calls fn with each spelling of one word of a business word or place ("petrochemical",
 * "shipbuilding", "moscow"), until it returns non-zero, which is returned. */
int rf_lexicon__each_weak_word(const rf_lexicon *lex, int (*fn)(const char *word, size_t len, void *ctx),
                               void *ctx);
/* Calls fn with each given name and one of its familiar forms (both ways: "ted", "edward" and
 * "edward", "ted"), until it returns non-zero, which is returned. */
int rf_lexicon__each_nickname(const rf_lexicon *lex,
                              int (*fn)(const char *a, size_t alen, const char *b, size_t blen, void *ctx),
                              void *ctx);
int rf_lexicon__nickname(const rf_lexicon *lex, const char *a, size_t alen, const char *b,
                         size_t blen);

/* Splits and classifies `name`. `places` (may be NULL) adds place names found in the lists'
 * addresses to the lexicon's countries; `listed` (may be NULL) holds the listed names' words,
 * by which a word no listed name has is read as a listed word run together with a word of the
 * lexicon ("RAHMACHARITABLE": RAHMA CHARITABLE); `tr` (may be NULL) transliterates other
 * scripts. `for_party` enables the clean-up of order text around a name ("Attn: ...", "c/o
 * ...", "- Purchasing Dept"). Resets `out`. */
int rf_engine__tokenize(rf_tokens *out, const rf_lexicon *lex, const rf_strmap *places,
                        const rf_strmap *listed, rf_translit *tr, const char *name, size_t len,
                        int for_party);

/* The words of `name` normalized (case folded, accents stripped, other scripts
 * transliterated) but not classified: how table entries and place names are keyed.
 * Words are appended to `out` separated by single spaces. */
int rf_normalize__words(rf_buf *out, rf_translit *tr, const char *name, size_t len);

/* Edit distance with adjacent transpositions (optimal string alignment), or `limit` + 1 when
 * it is larger than `limit`. */
int rf_osa__distance(const char *a, size_t alen, const char *b, size_t blen, int limit);

#endif
