/* review_common.c: the helpers of review_internal.h that decisions.c, runs.c and
 * counterparties.c share. */
#include "review_internal.h"

#include <stdlib.h>
#include <string.h>

long rf_strings__add(rf_strings *s, sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    size_t off = RF_STRINGS_NULL;

    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        size_t *grown = realloc(s->offsets, cap * sizeof *grown);
        if (!grown) return -1;
        s->offsets = grown;
        s->cap = cap;
    }
    if (text) {
        off = s->buf.len;
        if (rf_buf_append(&s->buf, text, (size_t)sqlite3_column_bytes(stmt, col)) < 0 ||
            rf_buf_putc(&s->buf, '\0') < 0)
            return -1;
    }
    s->offsets[s->count] = off;
    return (long)s->count++;
}

const char *rf_strings__get(const rf_strings *s, long slot)
{
    if (slot < 0 || (size_t)slot >= s->count || s->offsets[slot] == RF_STRINGS_NULL) return NULL;
    return s->buf.data + s->offsets[slot];
}

char *rf_strings__detach(rf_strings *s)
{
    free(s->offsets);
    s->offsets = NULL;
    s->count = s->cap = 0;
    return rf_buf_detach(&s->buf);
}

void rf_strings__free(rf_strings *s)
{
    free(rf_strings__detach(s));
}

int rf_store__check_text(const char *s, const char *what, int required, rf_error *err)
{
    size_t len, bad;
    if (!s || !s[0])
        return required ? rf_error_set(err, RF_EUSAGE, NULL, 0, "%s is missing", what) : RF_OK;
    len = strlen(s);
    if (len > RF_MAX_FIELD)
        return rf_error_set(err, RF_ELIMIT, NULL, 0, "%s is longer than %d bytes", what,
                            RF_MAX_FIELD);
    if (!rf_utf8_valid(s, len, &bad))
        return rf_error_set(err, RF_EFORMAT, NULL, 0, "%s is not valid UTF-8 (byte %zu)", what,
                            bad);
    return RF_OK;
}
