/* translit.h: other scripts to Latin letters through ICU. Cyrillic by the BGN/PCGN
 * romanization the lists use, Greek and the rest through ICU's Any-Latin, Chinese characters as
 * pinyin with the syllables of a word joined ("华为" -> "huawei") after common business words
 * have been put in English ("有限公司" -> "co ltd", "技术" -> "technologies"), Korean syllables
 * each a word as the lists write North Korean names ("김정은" -> "kim jong un"). One transliterator
 * per thread: ICU transliterators are not safe to share. */
#ifndef RF_TRANSLIT_H
#define RF_TRANSLIT_H

#include <stddef.h>

#include "base/rf_base.h"

typedef struct rf_translit rf_translit;

/* The transform of the scripts without one of their own, Latin letters beyond ASCII among
 * them (Arabic's tā' marbūṭa ends names in "a", أسامة Osama, not in the "t" ICU writes). */
#define RF_TRANSLIT_OTHER_RULES "::Any-Latin; \u1E97 > a; ::Latin-ASCII; ::Lower;"

int rf_translit__new(rf_translit **out);
/* 1 for a code point of the Latin script (or common punctuation and digits). */
int rf_translit__is_latin(int32_t cp);
/* 1 for a Chinese character, a Hangul syllable or jamo, or Japanese kana. */
int rf_translit__is_syllabic(int32_t cp);
/* 1 for a letter of a script that leaves most vowels unwritten (Arabic, Hebrew, Syriac,
 * Thaana), or whose inherent vowels ICU's romanization leaves out (Thai: สมชาย, "smchay"). */
int rf_translit__omits_vowels(int32_t cp);
void rf_translit__free(rf_translit *tr); /* NULL is a no-op */

/* The alphabets whose letters are mistaken for each other ("а" Cyrillic, "a" Latin, "α"
 * Greek), for folding look-alikes; RF_ALPHA_NONE for anything else. */
typedef enum rf_alphabet { RF_ALPHA_NONE = 0, RF_ALPHA_LATIN, RF_ALPHA_CYRILLIC, RF_ALPHA_GREEK } rf_alphabet;
rf_alphabet rf_translit__alphabet(int32_t cp);

/* A word s[0..len) (NFKC-normalized UTF-8) that mixes letters of those alphabets, written into
 * `out` (reset first) with its strays replaced by the look-alikes of one alphabet: the one that
 * has a look-alike for every stray (Unicode's confusables, through ICU's spoof checker),
 * `hint` (the alphabet of the rest of the name) among several, else the one most of the word
 * is in. "Huаwei" with a Cyrillic "а" is "Huawei"; a word in one alphabet is left alone, so
 * real Cyrillic and Greek names transliterate as before. Returns the number of letters
 * replaced (0: `out` untouched), or a negative RF_E code. */
int rf_translit__fold_lookalikes(rf_translit *tr, rf_buf *out, const char *s, size_t len,
                                 rf_alphabet hint);

/* How Chinese characters are read: as Mandarin pinyin (the default), or the Korean way, as
 * a Korean's name written in hanja is read ("金正恩" is Kim Jong Un, whose pinyin is
 * "jin zheng en"). Three Chinese characters alone do not say which they are: such a name is
 * screened under both readings (rf_translit__korean_name). */
typedef enum rf_han_reading { RF_HAN_MANDARIN = 0, RF_HAN_KOREAN, RF_HAN_READINGS } rf_han_reading;
void rf_translit__read_han(rf_translit *tr, rf_han_reading reading);
/* 1 when the UTF-8 text s[0..len) may be a Korean's name in hanja: three Chinese characters
 * and nothing else but spaces (a surname of one syllable and a given name of two, the shape of
 * nearly every Korean name). */
int rf_translit__korean_name(const char *s, size_t len);

/* Appends the Latin form of the UTF-8 text s[0..len) to `out`: lower-case ASCII words
 * separated by spaces. */
int rf_translit__append(rf_translit *tr, rf_buf *out, const char *s, size_t len);

#endif
