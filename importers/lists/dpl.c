/* dpl.c: the BIS Denied Persons List as BIS publishes it: tab-separated, every field quoted,
 * 12 columns (Name, Street_Address, City, State, Country, Postal_Code, Effective_Date and
 * Expiration_Date as MM/DD/YYYY, Standard_Order, Last_Update as YYYY-MM-DD, Action,
 * FR_Citation). One row is one denied party at one address. Feed "bis-dpl", format
 * "dpl-tsv".
 *
 * The DPL has no ids. An entity's source_id is "dpl-" and the first 32 hex digits of the
 * sha256 of its name, street, city, state, country, postal code and effective date as the
 * file writes them (joined by tabs), so the same row keeps its id from one version to the
 * next; a row repeated word for word (the 2023 file has two) gets "-2", "-3" ... in order.
 *
 * Publication date: the file does not state one. Without --effective it is the latest
 * Last_Update, ignoring dates that cannot be right (before 1990 or after today, such as the
 * real 3033-09-30 typo): BIS updates a row's Last_Update whenever it publishes a change, so
 * the latest one is when this file was last changed. */
#include "list_import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    D_NAME, D_STREET, D_CITY, D_STATE, D_COUNTRY, D_POSTAL, D_EFFECTIVE, D_EXPIRATION,
    D_LAST_UPDATE, D_ACTION, D_FR, D_COUNT
};

static const char *const columns[] = {"Name", "Street_Address", "City", "State", "Country",
                                      "Postal_Code", "Effective_Date", "Expiration_Date",
                                      "Last_Update", "Action", "FR_Citation", NULL};
static const char *const signature[] = {"Name", "Street_Address", "Effective_Date",
                                        "FR_Citation", NULL};

#define LIST_NAME "Denied Persons List (DPL) - Bureau of Industry and Security"
#define EARLIEST_UPDATE "1990-01-01"

typedef struct seen_ids {
    uint64_t *key; /* 0 marks a free slot */
    size_t cap;
    size_t count;
} seen_ids;

typedef struct dpl_reader {
    rf_list_ctx *cx;
    rf_namer *namer;
    size_t col[D_COUNT];
    size_t n_columns;
    int have_header;
    char today[11];
    char latest[11]; /* the latest plausible Last_Update seen */
    seen_ids seen;
    rf_name_set names;
    rf_buf address;
} dpl_reader;

static int detect(const rf_list_sample *s)
{
    return rf_rows__header_has(s->head, s->head_len, '\t', signature);
}

/* Counts how often `key` was seen before (0 the first time); -1 when out of memory. */
static long seen_count(seen_ids *s, uint64_t key)
{
    size_t i;
    long before = 0;

    if (key == 0) key = 1;
    if (s->count * 2 >= s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        uint64_t *k = calloc(cap, sizeof *k);
        if (!k) return -1;
        for (size_t j = 0; j < s->cap; j++) {
            if (!s->key[j]) continue;
            for (i = (size_t)(s->key[j] % cap); k[i]; i = (i + 1) % cap) {}
            k[i] = s->key[j];
        }
        free(s->key);
        s->key = k;
        s->cap = cap;
    }
    /* Repeats are stored as repeated keys; counting them walks one probe chain. */
    for (i = (size_t)(key % s->cap); s->key[i]; i = (i + 1) % s->cap)
        if (s->key[i] == key) before++;
    s->key[i] = key;
    s->count++;
    return before;
}

static int make_source_id(dpl_reader *r, rf_row *row, char *out, size_t out_size)
{
    static const int parts[] = {D_NAME, D_STREET, D_CITY, D_STATE, D_COUNTRY, D_POSTAL,
                                D_EFFECTIVE};
    rf_sha256 h;
    char hex[65];
    uint64_t key = 0;
    long before;

    if (rf_sha256_init(&h) != RF_OK)
        return rf_list__fail(r->cx, RF_ENOMEM, row->line, "out of memory");
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const char *f = rf_row__get(row, r->col[parts[i]]);
        if (i) rf_sha256_update(&h, "\t", 1);
        if (f) rf_sha256_update(&h, f, strlen(f));
    }
    rf_sha256_final_hex(&h, hex);
    for (int i = 0; i < 16; i++)
        key = key << 4 | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
    if ((before = seen_count(&r->seen, key)) < 0)
        return rf_list__fail(r->cx, RF_ENOMEM, row->line, "out of memory");
    if (before) snprintf(out, out_size, "dpl-%.32s-%ld", hex, before + 1);
    else snprintf(out, out_size, "dpl-%.32s", hex);
    return 0;
}

/* 0 for a row to read, 1 for an empty row to skip, or an error. BIS's older files stop a
 * row short when its last fields are empty, and carry rows of empty fields. */
static int check_row(dpl_reader *r, rf_row *row)
{
    if (row->n > r->n_columns)
        return rf_list__fail(r->cx, RF_EFORMAT, row->line, "row has %zu fields, the header has %zu",
                            row->n, r->n_columns);
    for (size_t i = 0; i < row->n; i++)
        if (rf_row__get(row, i)) return 0;
    return 1;
}

static int take_header(dpl_reader *r, rf_row *row)
{
    r->have_header = 1;
    r->n_columns = row->n;
    return rf_rows__map_header(r->col, row, columns, r->cx);
}

/* The street, city, state and postal code joined as the CSL writes them. */
static int address_text(dpl_reader *r, rf_row *row, const char **out)
{
    static const int parts[] = {D_STREET, D_CITY, D_STATE, D_POSTAL};
    int rc = 0;

    *out = NULL;
    rf_buf_reset(&r->address);
    for (size_t i = 0; i < sizeof parts / sizeof *parts && rc == 0; i++) {
        const char *f = rf_row__get(row, r->col[parts[i]]);
        if (!f) continue;
        if (r->address.len) rc = rf_buf_puts(&r->address, ", ");
        if (rc == 0) rc = rf_buf_puts(&r->address, f);
    }
    if (rc) return rf_list__fail(r->cx, rc, row->line, "address too long");
    if (r->address.len) *out = r->address.data;
    return 0;
}

static int on_row(rf_row *row, void *ctx)
{
    dpl_reader *r = ctx;
    rf_list_ctx *cx = r->cx;
    rf_entity e;
    rf_address addr;
    char source_id[64], start[11], end[11], updated[11];
    const char *name;
    int rc;

    if (!r->have_header) return take_header(r, row);
    if ((rc = check_row(r, row)) != 0) return rc < 0 ? rc : 0;
    cx->sum->rows++;
    rf_list__entity_begin(cx, &e, row->line, "DPL", LIST_NAME);
    if ((rc = make_source_id(r, row, source_id, sizeof source_id)) != 0) return rc;
    e.source_id = source_id;
    if (!(name = rf_row__get(row, r->col[D_NAME])))
        return rf_list__fail(cx, RF_EFORMAT, row->line, "row has no name");
    if ((rc = rf_names__split(&r->names, r->namer, name, cx, row->line)) != 0) return rc;
    e.names = r->names.names;
    e.n_names = r->names.n;
    e.parent_name = r->names.parent;
    e.type = rf_names__guess_type(r->namer, e.names[0].text);

    e.start_date = rf_list__date(cx, row->line, "Effective_Date",
                                rf_row__get(row, r->col[D_EFFECTIVE]), NULL, start, &rc);
    if (rc) return rc;
    e.end_date = rf_list__date(cx, row->line, "Expiration_Date",
                              rf_row__get(row, r->col[D_EXPIRATION]), NULL, end, &rc);
    if (rc) return rc;
    /* Not stored, but a typo in it is worth telling: it may be why the version's date is
     * not what the reviewer expects. */
    rf_list__date(cx, row->line, "Last_Update", rf_row__get(row, r->col[D_LAST_UPDATE]),
                 r->today, updated, &rc);
    if (rc) return rc;
    e.remarks = rf_row__get(row, r->col[D_ACTION]);
    e.federal_register = rf_row__get(row, r->col[D_FR]);

    if ((rc = address_text(r, row, &addr.text)) != 0) return rc;
    addr.city = rf_row__get(row, r->col[D_CITY]);
    addr.country = rf_row__get(row, r->col[D_COUNTRY]);
    if (addr.text || addr.country) {
        e.addresses = &addr;
        e.n_addresses = 1;
    }
    return rf_list__emit(cx, &e);
}

/* The publication scan: only Last_Update is looked at. */
static int on_scan_row(rf_row *row, void *ctx)
{
    dpl_reader *r = ctx;
    const char *updated;
    char iso[11];
    int rc;

    if (!r->have_header) return take_header(r, row);
    if ((rc = check_row(r, row)) != 0) return rc < 0 ? rc : 0;
    /* Older files write M/D/YYYY: normalized (the scan records no warning). */
    updated = rf_list__date(r->cx, row->line, "Last_Update",
                            rf_row__get(row, r->col[D_LAST_UPDATE]), NULL, iso, &rc);
    if (rc) return rc;
    if (updated && rf_list__date_plausible(updated) && strcmp(updated, EARLIEST_UPDATE) >= 0 &&
        strcmp(updated, r->today) <= 0 && strcmp(updated, r->latest) > 0)
        snprintf(r->latest, sizeof r->latest, "%s", updated);
    return 0;
}

static int read_rows(rf_list_ctx *cx, rf_row_fn fn, char *latest)
{
    dpl_reader *r = calloc(1, sizeof *r);
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    if (!r) return rf_list__fail(cx, RF_ENOMEM, 0, "out of memory");
    r->cx = cx;
    gmtime_r(&now, &tm);
    strftime(r->today, sizeof r->today, "%Y-%m-%d", &tm);
    if ((rc = rf_namer__new(&r->namer, cx->err)) == 0) {
        rc = rf_rows__read_input(cx, cx->input, RF_TEXT_AS_IS, '\t', fn, r);
        if (rc == 0 && !r->have_header) rc = rf_list__fail(cx, RF_EFORMAT, 0, "the file is empty");
    }
    if (latest) memcpy(latest, r->latest, sizeof r->latest);
    rf_namer__free(r->namer);
    free(r->seen.key);
    rf_buf_free(&r->address);
    free(r);
    return rc;
}

static int published(char out[11], rf_list_ctx *cx)
{
    return read_rows(cx, on_scan_row, out);
}

static int parse(rf_list_ctx *cx)
{
    return read_rows(cx, on_row, NULL);
}

const rf_list_format_def rf_list_dpl_format = {
    RF_LIST_DPL_TSV, "dpl-tsv", "bis-dpl", detect, published, parse, NULL,
};
