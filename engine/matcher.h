/* matcher.h: the inside of rf_matcher, shared by index.c (building it, finding candidates),
 * score.c (scoring a party against one listed name) and screen.c (the public calls). */
#ifndef RF_MATCHER_H
#define RF_MATCHER_H

#include "rf_engine.h"
#include "tokens.h"

/* One distinct token text of the listed names. */
typedef struct rf_vocab {
    uint32_t text_off; /* in rf_matcher.vocab_text, NUL-terminated */
    uint16_t len;
    uint8_t cls;
    uint32_t df;       /* listed names containing it */
    float weight;      /* rarity times the weight of its class */
    uint32_t anchor_off; /* the names it can decide (see index.c): anchors[anchor_off ..] */
    uint32_t n_anchors;
} rf_vocab;

/* A token of a listed name. */
typedef struct rf_ltoken {
    uint32_t vocab;
    uint32_t letters;  /* rf_letter_mask of its surface */
    uint32_t surf_off; /* the word(s) as written, in rf_matcher.surface_text */
    uint16_t surf_len;
    uint8_t cls;
    uint8_t origin;
    uint32_t src_start;
    uint32_t src_len;
} rf_ltoken;

/* A listed name. */
typedef struct rf_lname {
    uint32_t entity;     /* index in the snapshot */
    uint16_t name_index; /* in the entity's names */
    uint16_t ntok;
    uint32_t tok_off;    /* its tokens: ltokens[tok_off .. tok_off + ntok) */
    float total;         /* sum of its token weights */
} rf_lname;

/* A way a listed word is written (its canonical text, or a surface form such as
 * "inversiones" for the canonical "invest"), as typos are looked up. */
typedef struct rf_spelling {
    uint32_t vocabs;   /* chain of the vocabulary ids written so */
    uint32_t near;     /* chain of the vocabulary ids within a typo of it, as a party word
                        * written so finds them (index.c) */
    uint32_t near_joined; /* chain of the indexes in rf_matcher.joined it finds so */
    uint32_t text_off; /* in rf_matcher.spelling_text, NUL-terminated */
    uint32_t letters;  /* rf_letter_mask of the text */
    uint16_t len;
} rf_spelling;

/* Two adjacent listed words written as one ("huaweitechnologies"), as a party word spelt so,
 * or within a typo of it, is looked up. */
typedef struct rf_joined {
    uint32_t text_off; /* in rf_matcher.joined_text, NUL-terminated */
    uint32_t letters;
    uint16_t len;
    uint8_t typo_filed; /* filed under its deletions (both words of three letters or more) */
    uint32_t names;     /* chain of the names that have them */
} rf_joined;

/* A chain of values under one key of a strmap (the map holds the head). */
typedef struct rf_chain {
    uint32_t value;
    uint32_t next; /* RF_STRMAP_MISSING ends the chain */
} rf_chain;

struct rf_matcher {
    const rf_snapshot *snap;
    const rf_lexicon *lex;
    rf_strmap *places;  /* city and region words from the listed addresses */
    rf_strmap *vocab_map;
    rf_vocab *vocab;
    size_t n_vocab;
    size_t cap_vocab;
    rf_buf vocab_text;
    rf_buf surface_text;
    uint32_t *anchors;
    rf_lname *names;
    size_t n_names;
    size_t cap_names;
    rf_ltoken *ltokens;
    size_t n_ltokens;
    size_t cap_ltokens;
    rf_strmap *spelling_map; /* a listed word as written or canonical -> index in spellings */
    rf_spelling *spellings;
    size_t n_spellings;
    size_t cap_spellings;
    rf_buf spelling_text;
    rf_strmap *deletes;  /* a spelling with one or two letters deleted -> chain of spellings */
    rf_strmap *merged;   /* two adjacent listed words written as one -> index in joined */
    rf_strmap *merged_deletes; /* those with a letter deleted -> chain of indexes in joined */
    rf_joined *joined;
    size_t n_joined;
    size_t cap_joined;
    rf_buf joined_text;
    rf_strmap *merged_skeletons; /* their consonant skeleton -> chain of name ids */
    rf_strmap *skeletons; /* a Latin listed word's consonant skeleton -> chain of vocab ids */
    rf_strmap *skeletons_c; /* the same of listed words written without vowels */
    rf_strmap *nicknames; /* a given name -> chain of the listed words that are its familiar
                           * forms (or it theirs) */
    rf_strmap *phrase_words; /* a word of a listed two-word phrase -> chain of the phrases */
    rf_chain *chains;
    size_t n_chains;
    size_t cap_chains;
    char **entity_countries; /* per entity: ";CN;HK;" from addresses and nationalities */
    float unknown_weight;    /* weight of a word no listed name has */
};

/* The weight a token class carries relative to an ordinary word. */
float rf_class_weight(rf_tok_class cls);

/* One side of a comparison: the tokens of a name with their weights. */
typedef struct rf_side {
    size_t n;
    const char *text[RF_MAX_TOKENS];
    uint16_t len[RF_MAX_TOKENS];
    uint8_t cls[RF_MAX_TOKENS];
    const char *surf[RF_MAX_TOKENS]; /* as written (normalized): what typos are measured on */
    uint16_t surf_len[RF_MAX_TOKENS];
    uint32_t letters[RF_MAX_TOKENS]; /* which letters a word has: a cheap test before edit distance */
    uint8_t origin[RF_MAX_TOKENS];   /* rf_tok_origin */
    uint8_t nickname[RF_MAX_TOKENS]; /* may have a familiar form: a known given name (1 for
                                      * every word of a listed name, not looked up) */
    int organisation; /* known to be an organisation whatever its words (a manufacturer) */
    uint32_t vocab[RF_MAX_TOKENS]; /* vocabulary id, or RF_STRMAP_MISSING */
    float weight[RF_MAX_TOKENS];
} rf_side;

/* Per-thread working memory, owned by an rf_result. */
typedef struct rf_scratch {
    rf_tokens party;
    rf_side side;        /* the party's tokens as a comparison side */
    /* Set by rf_index_candidates for rf_index_score_bound, cleared by rf_index_release: */
    uint8_t *seen;       /* per listed name: among the candidates already */
    uint64_t *name_mask; /* per listed name: party words that may pair with two of its words
                          * written as one */
    uint32_t *touched;   /* the candidates found */
    size_t n_touched;
    size_t n_names;      /* size of seen and name_mask */
    uint64_t *vocab_mask; /* per vocabulary entry: the party words that may pair with it */
    uint32_t *vocab_found; /* the entries with a mask, to clear */
    size_t n_vocab_found;
    size_t n_vocab;      /* size of vocab_mask */
    uint64_t bits;       /* the party word(s) being looked up */
    int vocab_only;      /* 1: note the words reached, gather no names (building the index) */
    uint8_t *joined_seen;  /* building the index: joined words reached, listed in joined_found */
    uint32_t *joined_found;
    size_t n_joined_found;
    uint64_t always;     /* party words that may pair with any listed name (legal forms, stop
                          * words: a legal form pairs with any other) */
    uint64_t short_words; /* party words of one or two letters: initials of a person's names */
    uint64_t first_letter[26]; /* party words by first letter: a listed initial may pair with them */
    size_t joined_letters; /* letters of the party's name as whole-name scoring counts them */
    rf_translit *tr;
} rf_scratch;

/* rf_normalize_name with the caller's transliterator (opening one costs about a millisecond
 * of ICU set-up: a caller normalizing many names keeps one per thread). */
int rf_normalize_with(rf_buf *out, rf_translit *tr, const char *name, size_t len);
/* The result's transliterator, opened on first use; NULL when it cannot be. */
rf_translit *rf_result_translit(rf_result *res);

/* Builds a comparison side from tokens, weighting each by its rarity in `m` (NULL: by class
 * alone). */
void rf_side_from_tokens(rf_side *side, const rf_matcher *m, const rf_tokens *t);
/* Builds the comparison side of listed name `name_id`. */
void rf_side_from_name(rf_side *side, const rf_matcher *m, uint32_t name_id);
/* Finds every listed name that the scorer could rate above RF_CAP_NO_DISTINCTIVE for the
 * party in `s` (the invariant of index.c): their ids in s->touched, in no particular order.
 * Returns how many. Call rf_index_release after the last rf_index_score_bound. */
size_t rf_index_candidates(const rf_matcher *m, rf_scratch *s);
/* An upper bound on rf_score_sides for candidate `name_id` (see index.c for why it holds). */
double rf_index_score_bound(const rf_matcher *m, const rf_scratch *s, uint32_t name_id, int person);
/* Clears what rf_index_candidates left in `s`. */
void rf_index_release(rf_scratch *s);

/* The set of letters and digits of a word as bits (digits share one bit). Words within k edits
 * differ in at most 2k of these bits. */
uint32_t rf_letter_mask(const char *s, size_t len);

/* A word's consonant skeleton, as a script without written vowels would spell it: vowels and
 * the semivowels w and y dropped, p as b and v as f (Arabic has neither), c and q as k,
 * doubled letters single ("Fernando" and "frnandw" are both "frnnd"). Returns the length
 * (out holds at least len bytes). */
size_t rf_consonant_skeleton(char *out, const char *s, size_t len);

/* Copies a word with each x written ks, as typos are measured between a word with an x and
 * one without (Alexander, Aleksandr); returns the length (out: twice the word's). */
size_t rf_x_as_ks(char *out, const char *s, size_t len);

/* Copies s into out with runs of one letter made one ("sson" -> "son"); returns the length. */
size_t rf_collapse_doubles(char *out, const char *s, size_t len);
/* 1 when a and b are the same once doubled letters are made single. */
int rf_collapse_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Typo budget: edits tolerated in a word of this length. */
int rf_typo_budget(size_t len);
/* The most edits any pairing of the scorer tolerates between two words, the shorter of
 * `len` letters (a person's name: two from six letters on). The index looks typos up within
 * it: a scorer that tolerates more must raise it. */
int rf_typo_budget_any(size_t len);
/* The score a listed name is capped at when no telling word of it pairs with the party (and,
 * for a name of weak words only, not every one of them): the index finds every name above
 * it (see index.c), so thresholds whose country-raised value is no more are screened
 * exhaustively. */
#define RF_CAP_NO_DISTINCTIVE 0.5

/* How a party word met a listed word. */
typedef enum rf_pair_kind {
    RF_PAIR_EXACT = 0,
    RF_PAIR_TYPO,
    RF_PAIR_SYMBOL,   /* the same word through an abbreviation or other spelling */
    RF_PAIR_LEGAL,    /* two different legal forms */
    RF_PAIR_INITIAL,  /* an initial for a given name */
    RF_PAIR_MERGED,   /* one word on one side, two on the other */
    RF_PAIR_TRANSLIT, /* the same word after transliteration */
    RF_PAIR_NICKNAME  /* a given name and its familiar form ("Ted", "Theodore") */
} rf_pair_kind;

#define RF_MAX_PAIRS RF_MAX_TOKENS

typedef struct rf_pair {
    uint8_t p, p2; /* party token(s); p2 == p unless merged */
    uint8_t l, l2; /* listed token(s) */
    uint8_t kind;
    float sim;
} rf_pair;

/* The full account of one comparison, for explanations. */
typedef struct rf_score_detail {
    rf_pair pairs[RF_MAX_PAIRS];
    size_t n_pairs;
    int capped_no_distinctive; /* only weak words matched */
    int capped_numbers;        /* numbers disagree */
    int capped_type;           /* an organisation against a listed person */
    int capped_lineage;        /* own and father's names swapped around "bin" */
    int whole_name;            /* the score is the whole-name comparison's */
    int country;               /* +1 agrees, -1 disagrees, 0 unknown */
} rf_score_detail;

/* Scores a party against a listed name in [0,1]; `person` when the listed party is a person
 * (order-free given names, initials, optional middle names). Fills `detail` if not NULL. */
double rf_score_sides(const rf_side *party, const rf_side *listed, int person,
                      rf_score_detail *detail);

#endif
