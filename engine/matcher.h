/* matcher.h: the inside of rf_matcher, shared by index.c (building it, finding candidates),
 * index_file.c (storing it in a file and mapping it back), score.c (scoring a party against
 * one listed name) and screen.c (the public calls). */
#ifndef RF_MATCHER_H
#define RF_MATCHER_H

#include <string.h>

#include "rf_engine.h"
#include "tokens.h"

/* Bits of the filter of the deletion map, minus one: 8 Mbit, 1 MB. */
#define RF_DELETE_FILTER_MASK ((1u << 23) - 1)

/* One distinct token text of the listed names. */
typedef struct rf_vocab {
    uint32_t text_off; /* in rf_matcher.vocab_text, NUL-terminated */
    uint16_t len;
    uint8_t cls;
    uint8_t telling;   /* a telling word (RF_TOK_WORD, RF_TOK_NUMBER) in some listed name */
    uint32_t df;       /* listed names containing it */
    float weight;      /* rarity times the weight of its class */
    uint32_t post_off; /* its names: postings[post_off .. post_off + df) */
} rf_vocab;

/* A word as the index's bound on scores reads it (index.c): of a party, or a form of listed
 * words (the same surface, class and origin). */
typedef struct rf_form {
    uint32_t letters;     /* rf_letter__mask of the word as written */
    uint32_t ocr_letters; /* ... and of it as OCR reads it back (rf_ocr__fold) */
    uint32_t vocab;       /* vocabulary id, or RF_STRMAP_MISSING */
    uint32_t text_off;    /* listed forms: the word as written, in rf_matcher.form_text */
    uint16_t len;         /* as written (normalized): what typos are measured on */
    uint16_t ocr_len;     /* ... and read back */
    uint8_t cls;
    uint8_t origin;
    char first, second;   /* its first two letters, for initials */
    uint8_t nickname;     /* may have a familiar form (every listed word may) */
    uint8_t phrase;       /* several words read as one token ("joint stock company") */
    float weight;
} rf_form;

/* A token of a listed name. */
typedef struct rf_ltoken {
    uint32_t vocab;
    uint32_t letters;  /* rf_letter__mask of its surface */
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
    uint8_t person;      /* the entity is a person */
} rf_lname;

/* A token of a listed name as the index's bound reads it, the name's tokens side by side:
 * a name's bound costs one read of them, not one of its forms per token. */
typedef struct rf_bound_token {
    uint32_t form;  /* in rf_matcher.forms */
    uint32_t vocab;
    float weight;
    uint16_t len;   /* as written (the form's) */
    uint8_t cls;
    uint8_t flags;  /* RF_BOUND_* */
} rf_bound_token;
/* Two adjacent words of a listed name, each three letters or more, filed under either word's
 * vocabulary id: how a party word that is the two run together with typos is found
 * (gather_merged_typos), read in order rather than name by name. */
typedef struct rf_adjacent {
    uint32_t name;    /* the listed name */
    uint32_t letters; /* rf_letter__mask of the two as written */
    uint8_t joined;   /* their length joined, at most RF_MAX_TOKEN_LEN */
    uint8_t at;       /* the first word's index in the name */
    uint8_t second;   /* filed under the second word (1) or the first (0) */
    uint8_t zero;     /* padding, stored */
} rf_adjacent;

/* A listed word as some name writes it (a spelling, six letters or more), filed under the
 * listed word it starts or ends with: how two known party words written together with a
 * typo are found (gather_joined_typos), read in order of length. */
typedef struct rf_split {
    uint32_t spelling; /* in rf_matcher.spellings */
    uint8_t len;       /* its length, at most RF_MAX_TOKEN_LEN */
    uint8_t second;    /* filed under its end (1) or its start (0) */
    uint16_t zero;     /* padding, stored */
} rf_split;

#define RF_BOUND_REPEATED 1u   /* another token of the name is the same word */
#define RF_BOUND_CONSONANTS 2u /* written in a script without vowels (RF_ORIGIN_CONSONANTS) */

/* A way a listed word is written (its canonical text, or a surface form such as
 * "inversiones" for the canonical "invest"), as typos are looked up. */
typedef struct rf_spelling {
    uint32_t vocab;
    uint32_t text_off; /* in rf_matcher.spelling_text, NUL-terminated */
    uint32_t letters;  /* rf_letter__mask of the text */
    uint16_t len;
    uint8_t person;    /* a word of some listed person's name: two typos from six letters on */
} rf_spelling;

/* A chain of values under one key of a strmap (the map holds the head). A node's next is an
 * earlier node (chain_push links the new head to the old), and a walk takes a next that is
 * not for the chain's end (rf_chain__next), so a chain of a stored index ends whatever the file
 * says. What a value indexes depends on the map (spellings, names or vocabulary), so each walk
 * checks its values against the array it reads (chain_value): in a crafted stored index, a
 * node whose value is out of range is skipped, never read through. */
typedef struct rf_chain {
    uint32_t value;
    uint32_t next; /* RF_STRMAP_MISSING ends the chain */
} rf_chain;

/* A memory of answers worked out while screening, under the bytes of their questions (memo.c). */
typedef struct rf_memo rf_memo;

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
    uint32_t *postings;
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
    rf_strmap *form_map; /* a listed word's surface, class and origin -> index in forms */
    rf_form *forms;
    size_t n_forms, cap_forms;
    rf_bound_token *bound_tokens; /* per listed token (as ltokens): what the bound reads */
    size_t cap_bound_tokens;
    rf_buf form_text;
    rf_strmap *deletes;  /* a spelling with one letter deleted -> chain of spellings */
    rf_strmap *person_deletes; /* a spelling of a word of people's names of six to eight letters,
                                * which takes two typos where other words take one, with up to
                                * two letters deleted -> chain of spellings */
    uint64_t *delete_filter; /* a bit filter of the keys of `deletes` (two bits a key), small
                              * enough to stay in cache: most typo look-ups miss */
    rf_strmap *merged;   /* two adjacent listed words written as one -> chain of name ids */
    rf_strmap *exact;    /* a whole name's canonical tokens -> chain of name ids */
    rf_strmap *skeletons; /* a Latin listed word's consonant skeleton -> chain of vocab ids */
    rf_strmap *doubles;    /* a listed word with its doubled letters made single, where that
                            * differs -> chain of those words ("tata": TAATTA, TATTA) */
    rf_strmap *nicknames;  /* a given name -> chain of the listed words that are its familiar
                            * forms, or it theirs ("stephen": STEVEN) */
    rf_strmap *weak_typos; /* a word of the lexicon's spellings as written -> chain of the telling
                            * listed words a typo away ("petrochemical": PETROCHEMIAL) */
    rf_strmap *weak_names; /* of a listed name without a telling word: two of its business words
                            * ("bank|industry"), its one, or any word -> chain of those names */
    rf_strmap *prefixes;   /* a telling word or place of the lists, six letters or more, by its
                            * first letters, four or more, when they begin no other listed word
                            * -> vocabulary id (a party's name cut inside it: "SAROVBU"; values of
                            * n_vocab or more: they begin several) */
    uint32_t *cut_forms;   /* the forms of the lists' telling words, in the order of their text:
                            * those a party's cut word begins are one run (rf_side__cut_word) */
    size_t n_cut_forms;
    rf_chain *chains;
    size_t n_chains;
    size_t cap_chains;
    uint32_t *near_off;  /* per vocabulary word and one more: its typo neighbours ... */
    uint32_t *near; /* ... near[near_off[v] .. near_off[v + 1]), as rf_index__typos finds them */
    uint32_t *adjacent_off;  /* per vocabulary word and one more: the adjacent pairs it is */
    rf_adjacent *adjacent;   /* ... in, adjacent[adjacent_off[v] .. adjacent_off[v + 1]) */
    uint32_t *split_off;     /* per vocabulary word and one more: the longer listed words it */
    rf_split *splits;        /* ... starts or ends, splits[split_off[v] .. split_off[v + 1]) */
    uint32_t *country_off;   /* per entity: ";CN;HK;" from addresses and nationalities, in */
    rf_buf country_text;     /* ... country_text (NUL-terminated); RF_STRMAP_MISSING: none */
    float unknown_weight;    /* weight of a word no listed name has */
    uint64_t serial;         /* this matcher among the process's (rf_matcher__next_serial) */
    rf_memo *parties;        /* the parties screened with it and their hits, shared (screen.c) */
    void *map;               /* a matcher read from a file: the mapping every array above and */
    size_t map_len;          /* ... the maps' tables point into (index_file.c); NULL: built */
};

/* The node after `node` in its chain, RF_STRMAP_MISSING at the end. Checked here as it is
 * walked rather than over the 8 MB of chains when an index file is loaded: a next that is not
 * an earlier node ends the chain, so every walk ends and stays in the array (a chain's head,
 * from a map, is below n_chains: rf_strmap__view). */
static inline uint32_t rf_chain__next(const rf_matcher *m, uint32_t node)
{
    uint32_t next = m->chains[node].next;
    return next < node ? next : RF_STRMAP_MISSING;
}

/* Frees the arrays of a built matcher (rf_matcher_new), not the struct and the maps:
 * rf_matcher_free (index_file.c) frees those of either kind. */
void rf_matcher__free_built(rf_matcher *m);
/* The listed word a party's name cut at a field's length ends in part of (the vocabulary id
 * of the one telling word or place of six letters or more that begins with w[0..len), four
 * letters or more, itself no listed word), or RF_STRMAP_MISSING. */
uint32_t rf_matcher__cut_word(const rf_matcher *m, const char *w, size_t len);
/* The entity countries of entity `e`, ";CN;HK;", or NULL. */
const char *rf_matcher__countries(const rf_matcher *m, uint32_t e);

/* The weight a token class carries relative to an ordinary word. */
float rf_class__weight(rf_tok_class cls);

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
    uint64_t legal_in_word; /* bit i: legal form i written together with the word before or
                             * after it is a listed word ("Sal vador": Salvador), a name split
                             * in two rather than a company's form (rf_side__from_tokens) */
    uint32_t vocab[RF_MAX_TOKENS]; /* vocabulary id, or RF_STRMAP_MISSING */
    float weight[RF_MAX_TOKENS];
    size_t unit; /* words from here on name a department (rf_side__unit_start), found once per
                  * party; n for a listed name, which is never the party side */
    int cut;     /* a party's name that may have been cut at a field's length (RF_CUT_NAME_MIN
                  * bytes or more, ending in its last word, no department): a listed
                  * organisation's words after the one its last word pairs with are not
                  * charged in full (rf_score_detail.cut_after) */
    int ends_in_cut; /* ... and nothing after its last word's letters: that word itself may be
                      * cut short (rf_side__cut_word) */
} rf_side;

/* The party words (bits) that may pair with a listed form, asked for the party `stamp`. */
typedef struct rf_form_pairing {
    uint64_t party_words;
    uint32_t stamp;
} rf_form_pairing;

/* Per-thread working memory, owned by an rf_result. */
typedef struct rf_scratch {
    rf_tokens party;
    rf_side side;        /* the party's tokens as a comparison side */
    uint8_t *marked;     /* per listed name: 1 once found for the party (touched) */
    uint32_t *touched;   /* the names found */
    size_t n_touched;
    uint32_t *cand;      /* rf_index__candidates' answer: names to score */
    uint32_t stamp;      /* the party being screened, counted: marks what `pairing` holds */
    rf_form_pairing *pairing; /* per listed form, for a listed person's name and another's */
    size_t n_forms;      /* size of `pairing`, halved */
    int whole_letters;   /* the party's letters compared whole, 0 when too few for that */
    size_t n_names;      /* size of marked */
    rf_translit *tr;
    rf_memo *typos;      /* the typo look-ups made so far (index.c) */
    rf_buf kept_typos;   /* one of them, as the memo gives it back */
} rf_scratch;

/* rf_normalize_name with the caller's transliterator (opening one costs about a millisecond
 * of ICU set-up: a caller normalizing many names keeps one per thread). */
int rf_normalize__with(rf_buf *out, rf_translit *tr, const char *name, size_t len);
/* The result's transliterator, opened on first use; NULL when it cannot be. */
rf_translit *rf_result__translit(rf_result *res);
/* The result's memo of parties' fingerprints (fingerprint.c; serial 0: they depend on no
 * matcher), made on first use, and in *kept the buffer its answers are given back in; NULL
 * when it cannot be made. */
rf_memo *rf_result__fingerprints(rf_result *res, rf_buf **kept);

/* Builds a comparison side from tokens, weighting each by its rarity in `m` (NULL: by class
 * alone). */
void rf_side__from_tokens(rf_side *side, const rf_matcher *m, const rf_tokens *t);
/* Builds the comparison side of listed name `name_id`. */
void rf_side__from_name(rf_side *side, const rf_matcher *m, uint32_t name_id);
/* Finds the listed names that may score `min_score` or more for the party in `s` (an upper
 * bound on their score reaches it): their ids into s->cand. Returns how many. */
size_t rf_index__candidates(const rf_matcher *m, rf_scratch *s, double min_score);
/* The vocabulary ids within typo distance of `word`, into `out` (at most `max`). */
size_t rf_index__typos(const rf_matcher *m, const char *word, size_t len, uint32_t *out,
                       size_t max);
/* The length of the word at `w` of a phrase (words apart by one space) ending at `end`; *next
 * receives where the word after it starts, or `end`. */
static inline size_t rf_phrase__word(const char *w, const char *end, const char **next)
{
    const char *sp = memchr(w, ' ', (size_t)(end - w));
    *next = sp ? sp + 1 : end;
    return (size_t)((sp ? sp : end) - w);
}

/* Makes room for `need` elements of `size` bytes in *items (capacity *cap, doubled from 4,096
 * as needed). RF_OK or RF_ENOMEM. */
int rf_engine__reserve(void **items, size_t *cap, size_t need, size_t size);
/* The most ids a typo look-up of the screening answers. */
#define RF_MAX_TYPO_MATCHES 256
/* A memo of at most `max_entries` answers and `max_bytes` of their questions and answers
 * together, for the matcher of `serial` (0 for answers that depend on none); `shared` by
 * threads (under a mutex) or one thread's. NULL when out of memory. */
rf_memo *rf_memo__new(uint64_t serial, size_t max_entries, size_t max_bytes, int shared);
void rf_memo__free(rf_memo *memo); /* NULL is a no-op */
/* 1 with the answer kept for `key` (`hash` its rf_hash__bytes) in `value`, when screening with
 * the matcher of `serial`; 0 when there is none. A thread's memo asked under another serial
 * forgets everything first: it only ever answers for one matcher. */
int rf_memo__get(rf_memo *memo, uint64_t serial, uint64_t hash, const void *key, size_t key_len, rf_buf *value);
/* Keeps `value` as the answer to `key`, for the memo's serial. Forgets everything first when
 * the memo is full; keeps nothing when out of memory (the answer is still right, only not
 * kept). */
void rf_memo__keep(rf_memo *memo, uint64_t hash, const void *key, size_t key_len, const void *value,
                   size_t value_len);
/* A number no other matcher of the process has had, for a memo to know whose answers it holds. */
uint64_t rf_matcher__next_serial(void);
/* What a matcher has however it was made: its serial and its memo of parties screened.
 * RF_OK or RF_ENOMEM. */
int rf_matcher__begin(rf_matcher *m);

/* The set of letters and digits of a word as bits (digits share one bit). Words within k edits
 * differ in at most 2k of these bits. */
uint32_t rf_letter__mask(const char *s, size_t len);
#define RF_LETTER_BIT(c) (1u << ((c) - 'a'))
#define RF_DIGIT_BIT (1u << 26)
/* The letters of the glyphs OCR misreads (l, rn, cl, vv, and digits: 1, 0). */
#define RF_OCR_GLYPHS (RF_LETTER_BIT('l') | RF_LETTER_BIT('r') | RF_LETTER_BIT('c') | RF_LETTER_BIT('v') | RF_DIGIT_BIT)
/* The letters those misreadings change, both ways ("rn" for "m", "l" for "i", "0" for "o"). */
#define RF_OCR_ALIKE                                                                                          \
    (RF_LETTER_BIT('l') | RF_LETTER_BIT('i') | RF_LETTER_BIT('m') | RF_LETTER_BIT('r') | RF_LETTER_BIT('n') |    \
     RF_LETTER_BIT('c') | RF_LETTER_BIT('d') | RF_LETTER_BIT('v') | RF_LETTER_BIT('w') | RF_LETTER_BIT('o') |    \
     RF_DIGIT_BIT)

/* What an unpaired word costs in rf_score__sides, relative to its weight. A party word the list
 * does not have is evidence of another party; its business words and places twice ("ORICO
 * Technologies" is not the listed "ORICO"). A listed word the party left out weighs less
 * (orders shorten names), a person's least, unless the party has a name of its own in its
 * place ("Akhtar Mohammad Mansour Shah Mohammed" is not "... Abdul Mohammed"). */
#define RF_UNPAIRED_PARTY 1.0f
#define RF_UNPAIRED_PARTY_WEAK 2.0f
#define RF_UNPAIRED_LISTED_ORG 0.3f
#define RF_UNPAIRED_LISTED_PERSON 0.2f
#define RF_UNPAIRED_LISTED_PERSON_REPLACED 1.0f
/* A listed organisation's word past where the party's name was cut at a field's length
 * (rf_score_detail.cut_after): it may have been on the order, so it costs less, but something, so
 * that the listed name the order holds whole still comes first. */
#define RF_UNPAIRED_LISTED_CUT_OFF 0.075f

/* A word's consonant skeleton, as a script without written vowels would spell it: vowels and
 * the semivowels w and y dropped, p as b and v as f (Arabic has neither), c and q as k,
 * doubled letters single ("Fernando" and "frnandw" are both "frnnd"). Returns the length
 * (out holds at least len bytes). */
size_t rf_consonant__skeleton(char *out, const char *s, size_t len);

/* Copies s into out with runs of one letter made one ("sson" -> "son"); returns the length. */
size_t rf_collapse__doubles(char *out, const char *s, size_t len);
/* 1 when a and b are the same once doubled letters are made single. */
int rf_collapse__equal(const char *a, size_t alen, const char *b, size_t blen);

/* A word as OCR may have misread it, read back into what was printed: "rn" as "m", "cl" as
 * "d", "vv" as "w", "l" and "1" as "i", "0" as "o" ("Srnich" -> "smich", "MEDlC" -> "medic").
 * Returns the length (out holds at least len bytes). The scorer compares both names' words
 * this way too, and the index files the listed words and looks up the party's so, so that
 * it finds what the scorer accepts. */
size_t rf_ocr__fold(char *out, const char *s, size_t len);

/* Typo budget: edits tolerated in a word of this length. */
int rf_typo__budget(size_t len);

/* How a party word met a listed word. */
typedef enum rf_pair_kind {
    RF_PAIR_EXACT = 0,
    RF_PAIR_TYPO,
    RF_PAIR_SYMBOL,   /* the same word through an abbreviation or other spelling */
    RF_PAIR_LEGAL,    /* two different legal forms */
    RF_PAIR_INITIAL,  /* an initial for a given name */
    RF_PAIR_MERGED,   /* one word on one side, two on the other */
    RF_PAIR_TRANSLIT, /* the same word after transliteration */
    RF_PAIR_NICKNAME, /* a given name and its familiar form ("Ted", "Theodore") */
    RF_PAIR_CUT       /* the first letters of the word, the rest cut off at a field's length
                       * ("Man" for Manufacturing: rf_side__cut_word; "GMB" for GmbH, read as
                       * the word, a typo to the scorer) */
} rf_pair_kind;

#define RF_MAX_PAIRS RF_MAX_TOKENS

typedef struct rf_pair {
    uint8_t p, p2; /* party token(s); p2 == p unless merged */
    uint8_t l, l2; /* listed token(s) */
    uint8_t kind;
    uint8_t weightless; /* two stop words: the pair adds nothing to the score */
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
    size_t cut_after;          /* the listed words after this one are past where the party's
                                * name was cut (RF_UNPAIRED_LISTED_CUT_OFF); the listed name's
                                * length when none are */
    int country;               /* +1 agrees, -1 disagrees, 0 unknown */
} rf_score_detail;

/* Where the department or unit at the end of a name starts ("... Export Dept", "... Sales
 * Division", "... Procurement Office"), or s->n when it has none. Those words can confirm a
 * listed name that has them, never make a match, and cost nothing when the listed name lacks
 * them. */
size_t rf_side__unit_start(const rf_side *s);

/* 1 when word i of party `p` is what is left of a word cut at a field's length: the last word
 * of a name that may have been cut (rf_side.cut), RF_CUT_FRAGMENT_MAX letters or fewer ("...
 * BAIKAL R"). Not charged unpaired against a listed organisation. */
static inline int rf_side__cut_fragment(const rf_side *p, size_t i)
{
    return p->cut && i + 1 == p->n && p->surf_len[i] <= RF_CUT_FRAGMENT_MAX;
}

/* 1 when word i of party `p` is the word its name was cut in, more than RF_CUT_FRAGMENT_MAX
 * letters ("... Beijing Hangxing Machinery Man"), not a legal form or stop word (the words a
 * name ends in whole: "... Trading Inc", "... Research and"): the scorer pairs it with a
 * listed word it begins (RF_PAIR_CUT; "Mah": Mahmoud), the index finds such telling words
 * (rf_matcher.cut_forms). */
static inline int rf_side__cut_word(const rf_side *p, size_t i)
{
    return p->ends_in_cut && i + 1 == p->n && p->surf_len[i] > RF_CUT_FRAGMENT_MAX &&
           p->cls[i] != RF_TOK_LEGAL && p->cls[i] != RF_TOK_STOP;
}

/* 1 when word i of a party says it is a company: a legal form, as written ("Sarif" read as
 * a misspelt SARL is as likely a name's word, Sharif) and not part of a word split in two
 * ("Sal vador"). The scorer and the index's bound read it the same. */
static inline int rf_side__says_company(const rf_side *s, size_t i)
{
    return s->cls[i] == RF_TOK_LEGAL && !(s->legal_in_word >> i & 1u) && s->origin[i] != RF_ORIGIN_TYPO;
}

/* The score of a match without a telling word in common (and of a company against a listed
 * person): below any threshold the index screens at (rf_matcher_screen scores every listed
 * name at thresholds this low). */
#define RF_CAP_NO_DISTINCTIVE 0.5
/* The score of a listed person's name whose lineage words ("bin", "ibn", ...) the party
 * turns round, and of a match whose numbers do not all pair. */
#define RF_CAP_LINEAGE 0.6
#define RF_CAP_NUMBERS 0.6

/* 1 when party word i of `party` pairs with listed word j of `listed` one to one, as
 * rf_score__sides pairs words (its similarity is above 0, at the most it can be for a
 * listed person's name or another's). The index's bound asks it where its cheap tests
 * cannot tell. */
int rf_score__words_pair(const rf_side *party, size_t i, const rf_side *listed, size_t j,
                         int person);

/* Scores a party against a listed name in [0,1]; `person` when the listed party is a person
 * (order-free given names, initials, optional middle names). Fills `detail` if not NULL. */
double rf_score__sides(const rf_side *party, const rf_side *listed, int person,
                      rf_score_detail *detail);

#endif
