/* translit.h: other scripts to Latin letters through ICU. Cyrillic by the BGN/PCGN
 * romanization the lists use, Greek and the rest through ICU's Any-Latin, Chinese characters as
 * pinyin with the syllables of a word joined ("华为" -> "huawei") after common business words
 * have been put in English ("有限公司" -> "co ltd", "技术" -> "technologies"). One transliterator
 * per thread: ICU transliterators are not safe to share. */
#ifndef RF_TRANSLIT_H
#define RF_TRANSLIT_H

#include <stddef.h>

#include "../lists/rf_base.h"

typedef struct rf_translit rf_translit;

int rf_translit_new(rf_translit **out);
/* 1 for a code point of the Latin script (or common punctuation and digits). */
int rf_translit_is_latin(int32_t cp);
/* 1 for a Chinese character, a Hangul syllable or jamo, or Japanese kana. */
int rf_translit_is_syllabic(int32_t cp);
/* 1 for a letter of a script that leaves most vowels unwritten (Arabic, Hebrew, Syriac,
 * Thaana), or whose inherent vowels ICU's romanization leaves out (Thai: สมชาย, "smchay"). */
int rf_translit_omits_vowels(int32_t cp);
void rf_translit_free(rf_translit *tr); /* NULL is a no-op */

/* Appends the Latin form of the UTF-8 text s[0..len) to `out`: lower-case ASCII words
 * separated by spaces. */
int rf_translit_append(rf_translit *tr, rf_buf *out, const char *s, size_t len);

#endif
