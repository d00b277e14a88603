/* rf_engine.h: screening. Normalizes names, builds an in-memory index of every listed name in
 * a snapshot, retrieves candidates for a party without scanning the whole list, scores them
 * in [0,1] and explains each hit. A matcher is immutable once built and may be shared by
 * threads; each thread screens into its own rf_result. */
#ifndef RF_ENGINE_H
#define RF_ENGINE_H

#include "../lists/rf_lists.h"

/* The score at or above which a listed name is a hit, chosen on the accuracy set
 * (see README, "Accuracy"). */
#define RF_DEFAULT_THRESHOLD 0.80
#define RF_DEFAULT_MAX_HITS 10

typedef struct rf_match_options {
    double threshold; /* 0: RF_DEFAULT_THRESHOLD */
    int max_hits;     /* 0: RF_DEFAULT_MAX_HITS */
} rf_match_options;

/* ---- normalization -------------------------------------------------------------------- */

/* Writes the comparison form of a name into `out` (reset first): NFKC, case folded, accents
 * stripped, punctuation removed, legal forms and abbreviations in one canonical spelling,
 * words separated by single spaces. */
int rf_normalize_name(rf_buf *out, const char *name, size_t len);

/* A counterparty's stable identity: RF_FINGERPRINT_LEN lowercase hex digits of a sha256 over
 * its normalized name, its country and its normalized address and city, so the same buyer
 * on a new order (written in other case, accents, punctuation or legal-form spelling) keeps
 * its review decisions. RF_EUSAGE when the party has no name. */
#define RF_FINGERPRINT_LEN 16
int rf_party_fingerprint(char out[RF_FINGERPRINT_LEN + 1], const rf_party *party);

/* ---- the matcher ---------------------------------------------------------------------- */

typedef struct rf_matcher rf_matcher;

/* Builds the index over every name of every entity in `snap`. The snapshot must outlive the
 * matcher (hits point into it). */
int rf_matcher_new(rf_matcher **out, const rf_snapshot *snap, rf_error *err);
void rf_matcher_free(rf_matcher *m); /* NULL is a no-op */
/* Number of distinct listed names indexed. */
size_t rf_matcher_name_count(const rf_matcher *m);

/* A byte range of a name, for highlighting the words that matched. */
typedef struct rf_span {
    size_t start;
    size_t len;
} rf_span;

typedef struct rf_hit {
    const rf_entity *entity;   /* owned by the snapshot */
    size_t name_index;         /* entity->names[name_index] is the name that matched */
    double score;              /* in [0,1]; hits are sorted best first */
    const char *explanation;   /* owned by the result: which words matched how, and why not more */
    const rf_span *listed_spans; /* matched words in the listed name; owned by the result */
    size_t n_listed_spans;
    const rf_span *party_spans;  /* matched words in the party's name */
    size_t n_party_spans;
} rf_hit;

/* The hits for one party. Reuse one per thread: screening resets it. */
typedef struct rf_result rf_result;

int rf_result_new(rf_result **out);
void rf_result_free(rf_result *res); /* NULL is a no-op */
size_t rf_result_count(const rf_result *res);
const rf_hit *rf_result_hit(const rf_result *res, size_t i);

/* Screens one party's name (and country, as corroboration) against the index. `opts` may be
 * NULL for the defaults. The result is valid until the next screen into it. */
int rf_matcher_screen(rf_result *res, const rf_matcher *m, const rf_party *party,
                      const rf_match_options *opts, rf_error *err);

/* Scores two names against each other, as `redflag match` does. `m` (may be NULL) supplies
 * word rarity from its lists; without it every word weighs the same. `explanation` (may be
 * NULL) receives the alignment in words. */
int rf_match_pair(double *score, rf_buf *explanation, const rf_matcher *m, const char *a,
                  const char *b);

#endif
