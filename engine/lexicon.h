/* lexicon.h: the inside of the lexicon (tokens.h declares the handle), shared by lexicon.c,
 * which builds it, tokenize.c and index.c, which read it (index.c: a legal form's canonical
 * text, listed_part), and index_file.c, which stores it; and the word tables compiled in. */
#ifndef RF_LEXICON_H
#define RF_LEXICON_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tokens.h"

/* One spelling's meaning: its canonical text and class. */
typedef struct rf_phrase {
    uint32_t canon_off; /* in rf_lexicon.canon */
    uint16_t canon_len;
    uint8_t cls;        /* rf_tok_class */
    uint8_t hyphened;   /* bit b: word b of the key is part of a word the spelling writes with a
                         * hyphen ("co-operation"), read in a name only as written there, not as
                         * the canonical form of another word ("Company Operations") */
} rf_phrase;

#define RF_NOISE_PATTERNS 3

/* The word tables compiled in from engine/data (engine/CMakeLists.txt embeds them): the
 * lexicon's, and the Chinese business words, Korean readings and Latin letters the
 * transliterator reads. */
extern const unsigned char rf_data_abbreviations[];
extern const size_t rf_data_abbreviations_size;
extern const unsigned char rf_data_org_types[];
extern const size_t rf_data_org_types_size;
extern const unsigned char rf_data_symbols[];
extern const size_t rf_data_symbols_size;
extern const unsigned char rf_data_stopwords[];
extern const size_t rf_data_stopwords_size;
extern const unsigned char rf_data_zh_business[];
extern const size_t rf_data_zh_business_size;
extern const unsigned char rf_data_han_korean[];
extern const size_t rf_data_han_korean_size;
extern const unsigned char rf_data_latin_ascii[];
extern const size_t rf_data_latin_ascii_size;

struct rf_lexicon {
    rf_strmap *phrases; /* normalized words joined by single spaces -> index in entries */
    rf_phrase *entries;
    size_t n;
    size_t cap;
    rf_buf canon;       /* canonical texts, NUL-terminated */
    rf_strmap *starts;  /* first word of a multi-word phrase -> words in the longest one */
    rf_strmap *words;   /* every word of every spelling -> offset in words_text */
    rf_strmap *word_deletes; /* those words with letters deleted -> offset in words_text */
    rf_buf words_text;
    rf_strmap *nicknames; /* "bob robert", "robert bob", and "bob", "robert" alone: given
                           * names with their familiar forms */
    rf_strmap *prefixes;  /* the first letters of a one-word legal form or business word, three
                           * or more, that begin no word of another meaning -> index in entries
                           * (a name cut at a field's length: "GMB", "Technolo"; values of
                           * lex->n or more: the letters begin words of several meanings) */
    pcre2_code *noise[RF_NOISE_PATTERNS]; /* order text around party names */
    int noise_jit; /* all of them JIT-compiled */
};

/* 1 when the process's lexicon is there already (built or adopted). */
int rf_lexicon__present(void);
/* Makes `lex`, read from a stored index (index_file.c: every map and array but the noise
 * patterns, which are compiled here), the process's lexicon, unless it has one already.
 * Returns 1 when adopted (`lex` is then the process's, never freed), else 0 or a negative
 * RF_E code, and the caller frees `lex` (the patterns compiled into it too). */
int rf_lexicon__adopt(rf_lexicon *lex);
/* Frees the lexicon's maps and noise patterns, not its arrays and texts, which a built
 * lexicon owns and a stored one points into one block for. */
void rf_lexicon__free_maps(rf_lexicon *lex);

/* Typo budget for correcting a word to a lexicon word: stricter than between names, since a
 * name's own word must not be taken for a business word. */
int rf_typo__budget_lexicon(size_t len);

#endif
