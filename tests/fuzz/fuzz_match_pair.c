/* fuzz_match_pair.c: scoring a pair of names (rf_match_pair, as `redflag match` does) and
 * screening a party's name against an index of the real Denied Persons List
 * (rf_matcher_screen); the list's word rarity weighs the pair too. The input is the two
 * names separated by a tab. Scores must stay in
 * [0,1], a pair must score the same either way round, hits must come best first and their
 * spans must lie inside the names they mark. */
#include "fuzz.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rf_engine.h"

#ifndef RF_FUZZ_DATA
#define RF_FUZZ_DATA "tests/data"
#endif

static rf_matcher *matcher;
static rf_result *result;

/* The index every run shares, built once over a real list. */
static void setup(void)
{
    static rf_store *st;
    static rf_snapshot *snap;
    char path[1024];
    const char *dir = getenv("RF_TEST_DATA");
    rf_error err = {0};

    snprintf(path, sizeof path, "%s/lists/dpl_2023-11.txt", dir ? dir : RF_FUZZ_DATA);
    FUZZ_CHECK(rf_store_open(&st, ":memory:", &err) == 0, "%s", err.message);
    FUZZ_CHECK(rf_import_list_file(NULL, st, path, NULL, &err) == 0, "%s", err.message);
    FUZZ_CHECK(rf_snapshot_load(&snap, st, NULL, &err) == 0, "%s", err.message);
    FUZZ_CHECK(rf_matcher_new(&matcher, snap, &err) == 0, "%s", err.message);
    FUZZ_CHECK(rf_result_new(&result) == 0, "no result");
}

static void check_score(double s, const char *a, const char *b)
{
    FUZZ_CHECK(!isnan(s) && s >= 0.0 && s <= 1.0, "score %g for \"%s\" / \"%s\"", s, a, b);
}

static void check_spans(const rf_span *spans, size_t n, const char *text)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(spans[i].start <= len && spans[i].len <= len - spans[i].start,
                   "span %zu+%zu outside \"%s\"", spans[i].start, spans[i].len, text);
}

static void screen(const char *name)
{
    rf_party party = {0};
    rf_error err = {0};
    double last = 1.0;

    party.name = name;
    if (rf_matcher_screen(result, matcher, &party, NULL, &err) != 0) return;
    for (size_t i = 0; i < rf_result_count(result); i++) {
        const rf_hit *h = rf_result_hit(result, i);
        check_score(h->score, name, h->entity->names[h->name_index].text);
        FUZZ_CHECK(h->score <= last, "hits out of order for \"%s\"", name);
        last = h->score;
        check_spans(h->party_spans, h->n_party_spans, name);
        check_spans(h->listed_spans, h->n_listed_spans, h->entity->names[h->name_index].text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a, *b, *tab;
    double ab, ba;
    rf_buf why = {0};

    if (!matcher) setup();
    if (!rf_utf8_valid((const char *)data, size, NULL) || !(a = rf_strndup((const char *)data, size)))
        return 0;
    tab = strchr(a, '\t');
    b = tab ? (*tab = '\0', tab + 1) : a + strlen(a);
    if (rf_match_pair(&ab, &why, matcher, a, b) == 0 &&
        rf_match_pair(&ba, NULL, matcher, b, a) == 0) {
        check_score(ab, a, b);
        FUZZ_CHECK(ab == ba, "\"%s\" / \"%s\" scores %g one way, %g the other", a, b, ab, ba);
    }
    screen(a);
    rf_buf_free(&why);
    free(a);
    return 0;
}
