/* fuzz_normalize.c: name normalization (rf_normalize_name: NFKC, case folding, accents,
 * legal forms) and transliteration of other scripts (rf_translit__append), on any bytes: a
 * name reaches them from every list and order reader. The comparison form must be UTF-8 and
 * settle: phrases are read greedily, so a normalized name's words may be read once more as a
 * longer phrase ("management science institute", from "State Scientific Research Institute",
 * is the legal form "gnu" when read again), but reading it a third time changes nothing. */
#include "fuzz.h"

#include <string.h>

#include "engine/rf_engine.h"
#include "engine/translit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rf_translit *tr;
    rf_buf once = {0}, twice = {0}, thrice = {0}, latin = {0};
    const char *name = (const char *)data;

    if (!tr) FUZZ_CHECK(rf_translit__new(&tr) == 0, "no transliterator");
    /* Readers hand the engine UTF-8 only (they check it at the border); anything else must
     * not crash it, but promises nothing. */
    if (!rf_utf8_valid(name, size, NULL)) {
        rf_normalize_name(&once, name, size);
        rf_buf_free(&once);
        return 0;
    }
    if (rf_normalize_name(&once, name, size) == 0 && once.len) {
        FUZZ_CHECK(rf_utf8_valid(once.data, once.len, NULL), "normalized name is not UTF-8");
        FUZZ_CHECK(rf_normalize_name(&twice, once.data, once.len) == 0, "cannot normalize \"%s\"",
                   once.data);
        FUZZ_CHECK(rf_normalize_name(&thrice, twice.data ? twice.data : "", twice.len) == 0,
                   "cannot normalize \"%s\"", twice.data ? twice.data : "");
        FUZZ_CHECK(thrice.len == twice.len && memcmp(thrice.data, twice.data, twice.len) == 0,
                   "does not settle: \"%s\", \"%s\", then \"%s\"", once.data, twice.data ? twice.data : "",
                   thrice.data ? thrice.data : "");
    }
    if (rf_translit__append(tr, &latin, name, size) == 0 && latin.len)
        FUZZ_CHECK(rf_utf8_valid(latin.data, latin.len, NULL), "transliteration is not UTF-8");
    rf_buf_free(&once);
    rf_buf_free(&twice);
    rf_buf_free(&thrice);
    rf_buf_free(&latin);
    return 0;
}
