/* native.c: names of listed companies in their own script (engine/data/native_names.tsv, which
 * says where they come from), added to an entity as it is imported when one of its names is an
 * English name of a table row: 海康威视 becomes a name of "Hangzhou Hikvision Digital
 * Technology Co., Ltd.". Names are compared by their ASCII letters and digits, case aside
 * ("HUAWEI TECHNOLOGIES CO., LTD." is "Huawei Technologies Co., Ltd."). The table is parsed once
 * per process and never changes. */
#include "list_import.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char rf_data_native_names[];
extern const size_t rf_data_native_names_size;

#define KEY_MAX 256 /* longest English name compared, in letters and digits */

typedef struct native_row {
    char key[KEY_MAX + 1];
    const char *natives; /* "a\0b\0c\0\0": its native names, in table.text */
} native_row;

static struct {
    native_row *rows; /* sorted by key */
    size_t n;
    char *text; /* the rows' native names */
} table;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* The comparison key of s[0..len): its ASCII letters and digits in lower case. Returns 0 when
 * it has none, or more than KEY_MAX. */
static size_t name_key(char out[KEY_MAX + 1], const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
        if (n == KEY_MAX) return 0;
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const native_row *)a)->key, ((const native_row *)b)->key);
}

/* Parses the table: one row per English name of each line. A table that cannot be parsed
 * (out of memory) is empty: imports go on without it. */
static void table_build(void)
{
    const char *p = (const char *)rf_data_native_names, *end = p + rf_data_native_names_size;
    size_t cap = 0;
    char *text = malloc(rf_data_native_names_size * 2 + 2), *w = text;

    if (!text) return;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *tab;
        if (!eol) eol = end;
        tab = memchr(p, '\t', (size_t)(eol - p));
        if (*p != '#' && tab) {
            const char *natives = w;
            for (const char *c = tab + 1; c < eol; c++) *w++ = *c == '|' ? '\0' : *c;
            *w++ = '\0';
            *w++ = '\0';
            for (const char *a = p; a < tab;) {
                const char *bar = memchr(a, '|', (size_t)(tab - a));
                if (!bar) bar = tab;
                if (table.n == cap) {
                    native_row *grown = realloc(table.rows, (cap = cap ? cap * 2 : 64) * sizeof *grown);
                    if (!grown) {
                        free(table.rows);
                        free(text);
                        table.rows = NULL;
                        table.n = 0;
                        return;
                    }
                    table.rows = grown;
                }
                if (name_key(table.rows[table.n].key, a, (size_t)(bar - a))) table.rows[table.n++].natives = natives;
                a = bar + 1;
            }
        }
        p = eol + 1;
    }
    qsort(table.rows, table.n, sizeof *table.rows, by_key);
    table.text = text;
}

/* 1 when `e` already has a name spelled s[0..len). */
static int has_name(const rf_name *names, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i].text) == len && memcmp(names[i].text, s, len) == 0) return 1;
    return 0;
}

const rf_entity *rf_list__native_names(rf_entity *with, rf_name names[RF_MAX_NAMES],
                                       const rf_entity *e)
{
    size_t n = 0;

    pthread_once(&table_once, table_build);
    for (size_t i = 0; i < e->n_names && table.n; i++) {
        native_row probe;
        const native_row *row;
        if (!e->names[i].text || !name_key(probe.key, e->names[i].text, strlen(e->names[i].text))) continue;
        row = bsearch(&probe, table.rows, table.n, sizeof *table.rows, by_key);
        for (const char *a = row ? row->natives : NULL; a && *a; a += strlen(a) + 1) {
            if (n == 0) {
                memcpy(names, e->names, e->n_names * sizeof *names);
                n = e->n_names;
            }
            if (n < RF_MAX_NAMES && !has_name(names, n, a, strlen(a))) {
                names[n].text = a;
                names[n++].kind = RF_NAME_NATIVE;
            }
        }
    }
    if (n == 0 || n == e->n_names) return e;
    *with = *e;
    with->names = names;
    with->n_names = n;
    return with;
}
