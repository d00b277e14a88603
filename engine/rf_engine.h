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
    int exhaustive;   /* 1: score every listed name, no index: the check the index is tested
                       * against (engine_index_oracle), some thousand times slower */
} rf_match_options;

/* ---- normalization -------------------------------------------------------------------- */

/* Writes the comparison form of a name into `out` (reset first): NFKC, case folded, accents
 * stripped, punctuation removed, legal forms and abbreviations in one canonical spelling,
 * words separated by single spaces. */
int rf_normalize_name(rf_buf *out, const char *name, size_t len);

/* ---- the matcher ---------------------------------------------------------------------- */

typedef struct rf_matcher rf_matcher;

/* Builds the index over every name of every entity in `snap`. The snapshot must outlive the
 * matcher (hits point into it). */
int rf_matcher_new(rf_matcher **out, const rf_snapshot *snap, rf_error *err);
void rf_matcher_free(rf_matcher *m); /* NULL is a no-op */
/* The matcher of `snap`, read from the index stored beside the database of `st` (the
 * directory "<database>.index") when one is there, whole, and made from the same names by
 * the same build of redflag: a few milliseconds instead of building it. Else it is built as
 * rf_matcher_new does, and stored there for the next process unless `st` is read-only or the
 * file cannot be written (no error: the stored index is only ever a copy). Screening with
 * either gives the same results. `st` may be NULL (built only); the snapshot and store must
 * outlive the call, the snapshot the matcher. */
int rf_matcher_open(rf_matcher **out, const rf_snapshot *snap, const rf_store *st, rf_error *err);
/* 1 when `m` was read from a stored index, 0 when it was built. */
int rf_matcher_stored(const rf_matcher *m);
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
/* Exchanges the hits of `a` and `b` (each keeps its working memory): a thread screening
 * ahead hands each party's hits to a result of their own, without copying. The hits' pointers
 * stay valid. */
void rf_result_swap_hits(rf_result *a, rf_result *b);

/* Screens one party's name (and country, as corroboration) against the index. `opts` may be
 * NULL for the defaults. The result is valid until the next screen into it. */
int rf_matcher_screen(rf_result *res, const rf_matcher *m, const rf_party *party,
                      const rf_match_options *opts, rf_error *err);

/* rf_normalize_name with the transliterator of `res` (its hits are left alone), for callers
 * normalizing many names: opening one per call costs about a millisecond of ICU set-up. */
int rf_normalize_name_in(rf_buf *out, rf_result *res, const char *name, size_t len);

/* ---- counterparties ------------------------------------------------------------------ */

/* A counterparty's stable identity: RF_FINGERPRINT_LEN lowercase hex digits of a sha256 over
 * its normalized name, its country and its normalized address and city, so the same buyer
 * on a new order (written in other case, accents, punctuation or legal-form spelling) keeps
 * its review decisions. RF_EUSAGE when the party has no name. `work` is the thread's
 * rf_result, lent for its transliterator (its hits are left alone); with NULL one is opened
 * for the call, which costs about a millisecond. */
#define RF_FINGERPRINT_LEN 16
int rf_party_fingerprint(char out[RF_FINGERPRINT_LEN + 1], rf_result *work,
                         const rf_party *party);

/* ---- destinations --------------------------------------------------------------------- */

/* Comprehensively embargoed destinations: no export there without a license, whoever the
 * party is. */
typedef enum rf_embargo {
    RF_EMBARGO_NONE = 0,
    RF_EMBARGO_CUBA,
    RF_EMBARGO_IRAN,
    RF_EMBARGO_NORTH_KOREA,
    RF_EMBARGO_SYRIA,
    RF_EMBARGO_CRIMEA,  /* the Crimea region of Ukraine, Sevastopol included */
    RF_EMBARGO_DONETSK, /* the so-called Donetsk People's Republic region of Ukraine */
    RF_EMBARGO_LUHANSK  /* the so-called Luhansk People's Republic region of Ukraine */
} rf_embargo;

/* Why a party's destination is embargoed. The pointers are static strings. */
typedef struct rf_destination {
    rf_embargo embargo;    /* RF_EMBARGO_NONE: not an embargoed destination */
    const char *code;      /* ISO 3166: "CU", "IR", "KP", "SY"; "UA-43", "UA-14", "UA-09" */
    const char *name;      /* "Iran", "the Crimea region of Ukraine", ... */
    const char *authority; /* the rules: "EAR 15 CFR 746.7; ..., 31 CFR part 560" */
    const char *field;     /* where it was recognised: "country", "region", "city", "address" */
    char found[128];       /* what that field says there, as written: "IR", "Simferopol" */
    char reason[512];      /* one sentence for people, the above put together */
} rf_destination;

/* 1 when `role` receives or uses the goods, the roles the destination check applies to:
 * ship_to, deliver_to, end_user, ultimate_consignee, intermediate_consignee, consignee,
 * installed_at. */
int rf_destination_role(const char *role);

/* The destination check: 1 when `party` has a destination role and is in Cuba, Iran, North
 * Korea or Syria (its country as an ISO code or a name, in English or the local language) or
 * in the Crimea, Donetsk or Luhansk region of Ukraine (a place word of the region, its
 * capital or main cities, in Latin or Cyrillic spelling, at the start of a word of its
 * address, city, region or country, when the country is Ukraine, Russia or not given); `out`
 * then says which and why. 0 otherwise (`out` cleared), RF_EUSAGE without a party. A finding
 * of its own, whatever the party's name: no list is consulted. */
int rf_destination_check(rf_destination *out, const rf_party *party);

/* Scores two names against each other, as `redflag match` does. `m` (may be NULL) supplies
 * word rarity from its lists; without it every word weighs the same. `explanation` (may be
 * NULL) receives the alignment in words. */
int rf_match_pair(double *score, rf_buf *explanation, const rf_matcher *m, const char *a,
                  const char *b);

#endif
