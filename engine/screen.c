/* screen.c: the public face of the engine: screening one party (every candidate from the
 * index scored, or every listed name in exhaustive mode; the best per listed entity kept,
 * country and entity type as corroboration; a party the matcher screened before answered
 * from its memo), results with their explanations and highlight spans, and comparing two
 * names, each read as a party's name is. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"

/* The parties a matcher remembers with their hits: at most this many, in at most this many
 * bytes of names and hits (about 40 MB at the most, with the table). */
#define PARTY_MEMO_PARTIES (1u << 18)
#define PARTY_MEMO_BYTES (32u << 20)
/* The fingerprints a thread remembers (about 20 MB at the most). */
#define FINGERPRINT_MEMO_PARTIES (1u << 18)
#define FINGERPRINT_MEMO_BYTES (16u << 20)
/* Country agreement closes this share of the gap to 1; disagreement costs this much. */
#define COUNTRY_AGREES 0.2
#define COUNTRY_DIFFERS 0.05
/* A vessel or aircraft alarms on a party only with the same name. */
#define VESSEL_MIN_SCORE 0.98

typedef struct hit_store {
    rf_span listed[RF_MAX_TOKENS];
    rf_span party[RF_MAX_TOKENS];
    size_t expl_off;
} hit_store;

/* A scored entity while screening. */
typedef struct scored {
    uint32_t entity;
    uint32_t name;
    double score;
    int country;
    rf_han_reading reading; /* of the party's name, that gave the score */
} scored;

struct rf_result {
    rf_scratch s;
    rf_hit *hits;
    hit_store *store;
    size_t n_hits;
    size_t cap_hits;
    rf_buf expl;
    scored *best;    /* the entities reaching the threshold, their best name each */
    size_t n_best;
    size_t cap_best;
    uint32_t *slot;  /* per entity of the snapshot: its place in best, or RF_STRMAP_MISSING */
    size_t n_entities;
    rf_memo *fingerprints; /* the parties' fingerprints worked out (rf_result__fingerprints) */
    rf_buf fingerprint;    /* one of them, as that memo gives it back */
    rf_buf key;       /* the party's key in the matcher's memo of parties (party_key) */
    rf_buf kept;      /* its hits as kept there (keep_hits) */
};

int rf_result_new(rf_result **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? RF_OK : RF_ENOMEM;
}

void rf_result_free(rf_result *res)
{
    if (!res) return;
    free(res->s.marked);
    free(res->s.touched);
    free(res->s.cand);
    free(res->s.pairing);
    free(res->hits);
    free(res->store);
    free(res->best);
    free(res->slot);
    rf_translit__free(res->s.tr);
    rf_memo__free(res->s.typos);
    rf_memo__free(res->fingerprints);
    rf_buf_free(&res->fingerprint);
    rf_buf_free(&res->key);
    rf_buf_free(&res->kept);
    rf_buf_free(&res->s.party.text);
    rf_buf_free(&res->s.kept_typos);
    rf_buf_free(&res->expl);
    free(res);
}

size_t rf_result_count(const rf_result *res)
{
    return res->n_hits;
}

const rf_hit *rf_result_hit(const rf_result *res, size_t i)
{
    return i < res->n_hits ? &res->hits[i] : NULL;
}

void rf_result_swap_hits(rf_result *a, rf_result *b)
{
    rf_hit *hits = a->hits;
    hit_store *store = a->store;
    size_t n = a->n_hits, cap = a->cap_hits;
    rf_buf expl = a->expl;
    a->hits = b->hits;
    a->store = b->store;
    a->n_hits = b->n_hits;
    a->cap_hits = b->cap_hits;
    a->expl = b->expl;
    b->hits = hits;
    b->store = store;
    b->n_hits = n;
    b->cap_hits = cap;
    b->expl = expl;
}

/* 1 for the roles only a company fills on an order or BOM: a manufacturer named "Fairchild"
 * is not the listed Robert S. Fairchild. */
static int role_is_organisation(const char *role)
{
    static const char *const roles[] = {"manufacturer", "supplier", "vendor", "seller", "carrier",
                                        "freight_forwarder", "forwarder", "reseller", "distributor"};
    if (!role) return 0;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i]) == 0) return 1;
    return 0;
}

/* Sizes the working memory of `res` for matcher `m` (it may have screened with another). */
static int prepare_result(rf_result *res, const rf_matcher *m)
{
    rf_scratch *s = &res->s;
    size_t entities = rf_snapshot_count(m->snap);
    if (!s->tr) {
        int rc = rf_translit__new(&s->tr);
        if (rc != RF_OK) return rc;
    }
    if (s->n_names < m->n_names) {
        free(s->marked);
        free(s->touched);
        free(s->cand);
        s->marked = calloc(m->n_names, sizeof *s->marked);
        s->touched = malloc(m->n_names * sizeof *s->touched);
        s->cand = malloc(m->n_names * sizeof *s->cand);
        s->n_names = s->marked && s->touched && s->cand ? m->n_names : 0;
        if (!s->n_names) return RF_ENOMEM;
    }
    if (s->n_forms < m->n_forms) {
        free(s->pairing);
        s->pairing = calloc(2 * m->n_forms, sizeof *s->pairing);
        s->n_forms = s->pairing ? m->n_forms : 0;
        s->stamp = 0;
        if (!s->n_forms) return RF_ENOMEM;
    }
    if (res->n_entities < entities) {
        free(res->slot);
        res->slot = malloc(entities * sizeof *res->slot);
        res->n_entities = res->slot ? entities : 0;
        if (!res->slot) return RF_ENOMEM;
        memset(res->slot, 0xff, entities * sizeof *res->slot);
    }
    return RF_OK;
}

/* Makes room for n hits. */
static int reserve_hits(rf_result *res, size_t n)
{
    rf_hit *hits;
    hit_store *store;
    if (n <= res->cap_hits) return RF_OK;
    hits = realloc(res->hits, n * sizeof *hits);
    if (hits) res->hits = hits;
    store = hits ? realloc(res->store, n * sizeof *store) : NULL;
    if (!store) return RF_ENOMEM;
    res->store = store;
    res->cap_hits = n;
    return RF_OK;
}

/* +1 when the party's country is among the entity's, -1 when the entity has countries and it
 * is not, 0 when either does not say. */
static int country_agreement(const rf_matcher *m, uint32_t entity, const char *country)
{
    const char *list = rf_matcher__countries(m, entity);
    char code[5];
    if (!list || !country || strlen(country) != 2) return 0;
    code[0] = ';';
    code[1] = (char)toupper((unsigned char)country[0]);
    code[2] = (char)toupper((unsigned char)country[1]);
    code[3] = ';';
    code[4] = '\0';
    return strstr(list, code) ? 1 : -1;
}

static double adjust_for_country(double score, int agreement)
{
    if (agreement > 0) return score + (1.0 - score) * COUNTRY_AGREES;
    if (agreement < 0) return score - COUNTRY_DIFFERS;
    return score;
}

static const char *pair_kind_name(rf_pair_kind k)
{
    switch (k) {
    case RF_PAIR_EXACT: return "exact";
    case RF_PAIR_TYPO: return "typo";
    case RF_PAIR_SYMBOL: return "abbreviation";
    case RF_PAIR_LEGAL: return "legal form";
    case RF_PAIR_INITIAL: return "initial";
    case RF_PAIR_MERGED: return "merged/split";
    case RF_PAIR_TRANSLIT: return "transliteration";
    case RF_PAIR_NICKNAME: return "nickname";
    case RF_PAIR_CUT: return "cut short";
    }
    return "?";
}

/* How a pair is described: an exact canonical match reached through a different spelling is
 * an abbreviation, a legal form or a transliteration. */
static rf_pair_kind describe_pair(const rf_pair *x, const rf_tokens *party, const rf_side *pside,
                                  const rf_side *listed)
{
    uint8_t origin = party->items[x->p].origin;
    if (x->kind != RF_PAIR_EXACT) return (rf_pair_kind)x->kind;
    if (origin == RF_ORIGIN_TRANSLIT || origin == RF_ORIGIN_SYLLABIC || origin == RF_ORIGIN_CONSONANTS)
        return RF_PAIR_TRANSLIT;
    /* a word read as the one its letters begin: the name was cut at a field's length */
    if (origin == RF_ORIGIN_TYPO)
        return pside->surf_len[x->p] < listed->surf_len[x->l] &&
                       memcmp(pside->surf[x->p], listed->surf[x->l], pside->surf_len[x->p]) == 0
                   ? RF_PAIR_CUT
                   : RF_PAIR_TYPO;
    if (listed->cls[x->l] == RF_TOK_LEGAL) return RF_PAIR_LEGAL;
    if (pside->surf_len[x->p] != listed->surf_len[x->l] ||
        memcmp(pside->surf[x->p], listed->surf[x->l], pside->surf_len[x->p]) != 0)
        return RF_PAIR_SYMBOL;
    return RF_PAIR_EXACT;
}

static int quote_span(rf_buf *b, const char *text, uint32_t start, uint32_t len)
{
    return rf_buf_printf(b, "\"%.*s\"", (int)len, text + start);
}

/* What was undone to read a dressed-up name: nobody types these by accident. */
static int explain_disguise(rf_buf *b, unsigned disguise)
{
    static const struct {
        unsigned flag;
        const char *what;
    } kinds[] = {
        {RF_DISGUISE_INVISIBLE, "invisible characters inside words removed"},
        {RF_DISGUISE_LOOKALIKE, "letters of another alphabet that look alike read as the word's own"},
        {RF_DISGUISE_STYLED, "mathematical or fullwidth letters read as plain ones"},
        {RF_DISGUISE_MARKUP, "HTML tags or terminal escape codes left out"},
    };
    int rc = rf_buf_puts(b, ". The party's name was written to look unlike itself (");
    const char *sep = "";
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == RF_OK; i++) {
        if (!(disguise & kinds[i].flag)) continue;
        rc = rf_buf_printf(b, "%s%s", sep, kinds[i].what);
        sep = "; ";
    }
    return rc == RF_OK ? rf_buf_puts(b, "): someone wrote it that way") : rc;
}

/* The explanation of one comparison, in words, with the party's and the listed name's
 * original spellings. `lspan(j)` gives listed token j's span. */
static int explain(rf_buf *b, const rf_score_detail *d, const char *party_name,
                   const rf_tokens *party, const rf_side *pside, const char *listed_name,
                   const rf_span *lspans, const rf_side *lside, int country)
{
    uint8_t used_p[RF_MAX_TOKENS] = {0}, used_l[RF_MAX_TOKENS] = {0};
    int rc = RF_OK, first;

    for (size_t k = 0; k < d->n_pairs && rc == RF_OK; k++) {
        const rf_pair *x = &d->pairs[k];
        const rf_token *p1 = &party->items[x->p], *p2 = &party->items[x->p2];
        used_p[x->p] = used_p[x->p2] = used_l[x->l] = used_l[x->l2] = 1;
        if (pside->cls[x->p] == RF_TOK_STOP && lside->cls[x->l] == RF_TOK_STOP) continue;
        if (b->len && b->data[b->len - 1] != ' ' && k) rc = rf_buf_puts(b, "; ");
        if (rc == RF_OK)
            rc = quote_span(b, party_name, p1->src_start, p2->src_start + p2->src_len - p1->src_start);
        if (rc == RF_OK) rc = rf_buf_puts(b, " = ");
        if (rc == RF_OK)
            rc = quote_span(b, listed_name, (uint32_t)lspans[x->l].start,
                            (uint32_t)(lspans[x->l2].start + lspans[x->l2].len - lspans[x->l].start));
        if (rc == RF_OK)
            rc = rf_buf_printf(b, " (%s%s)", pair_kind_name(describe_pair(x, party, pside, lside)),
                               lside->cls[x->l] == RF_TOK_WORD || lside->cls[x->l] == RF_TOK_NUMBER
                                   ? ""
                               : lside->cls[x->l] == RF_TOK_LEGAL ? ""
                                   : lside->cls[x->l] == RF_TOK_PLACE ? ", place" : ", generic word");
    }
    first = 1;
    for (size_t i = 0; i < pside->n && rc == RF_OK; i++) {
        if (used_p[i] || pside->cls[i] == RF_TOK_STOP) continue;
        rc = rf_buf_puts(b, first ? ". Not in the listed name: " : ", ");
        if (rc == RF_OK) rc = quote_span(b, party_name, party->items[i].src_start, party->items[i].src_len);
        if (rc == RF_OK && pside->cls[i] != RF_TOK_WORD)
            rc = rf_buf_printf(b, " (%s)", rf_tok__class_name((rf_tok_class)pside->cls[i]));
        first = 0;
    }
    /* The listed words the order lacks, those past where its name may have been cut apart. */
    for (int past_cut = 0; past_cut < 2; past_cut++) {
        first = 1;
        for (size_t j = 0; j < lside->n && rc == RF_OK; j++) {
            if (used_l[j] || lside->cls[j] == RF_TOK_STOP || (j > d->cut_after) != past_cut) continue;
            rc = rf_buf_puts(b, !first          ? ", "
                                : past_cut      ? ". Where the order's name ends, perhaps cut at a field's length, the "
                                                  "listed name goes on: "
                                                : ". Not on the order: ");
            if (rc == RF_OK)
                rc = quote_span(b, listed_name, (uint32_t)lspans[j].start, (uint32_t)lspans[j].len);
            if (rc == RF_OK && lside->cls[j] != RF_TOK_WORD)
                rc = rf_buf_printf(b, " (%s)", rf_tok__class_name((rf_tok_class)lside->cls[j]));
            first = 0;
        }
    }
    if (rc == RF_OK && d->capped_no_distinctive)
        rc = rf_buf_puts(b, ". Only weak words (legal forms, places, generic words) agree");
    if (rc == RF_OK && d->whole_name)
        rc = rf_buf_puts(b, ". Compared whole, the names differ by a few letters moved across word breaks");
    if (rc == RF_OK && d->capped_numbers) rc = rf_buf_puts(b, ". Numbers disagree");
    if (rc == RF_OK && d->capped_lineage)
        rc = rf_buf_puts(b, ". The person's own name and the father's (around \"bin\") are swapped");
    if (rc == RF_OK && d->capped_type)
        rc = rf_buf_puts(b, ". An organisation (it has a legal form) against a listed person");
    if (rc == RF_OK && party->disguise) rc = explain_disguise(b, party->disguise);
    if (rc == RF_OK && party->han_korean)
        rc = rf_buf_puts(b, ". The party's Chinese characters read the Korean way, as a Korean name in hanja");
    if (rc == RF_OK && country > 0) rc = rf_buf_puts(b, ". Country agrees");
    if (rc == RF_OK && country < 0) rc = rf_buf_puts(b, ". Country differs from the listed addresses");
    if (rc == RF_OK) rc = rf_buf_putc(b, '.');
    return rc;
}

/* Best first; among equals, the entity whose country agrees, then the lower index. */
static int by_score_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    if (x->country != y->country) return x->country < y->country ? 1 : -1;
    return (x->entity > y->entity) - (x->entity < y->entity);
}

static int is_person(const rf_matcher *m, uint32_t entity)
{
    return rf_snapshot_entity(m->snap, entity)->type == RF_ENTITY_PERSON;
}

static void name_spans(rf_span *out, const rf_matcher *m, uint32_t name_id)
{
    const rf_lname *ln = &m->names[name_id];
    for (size_t i = 0; i < ln->ntok; i++) {
        out[i].start = m->ltokens[ln->tok_off + i].src_start;
        out[i].len = m->ltokens[ln->tok_off + i].src_len;
    }
}

/* Fills hit i from a scored entity: spans of the matched words and the explanation. */
static int fill_hit(rf_result *res, size_t i, const rf_matcher *m, const scored *sc,
                    const char *party_name)
{
    rf_hit *h = &res->hits[i];
    hit_store *st = &res->store[i];
    const rf_entity *ent = rf_snapshot_entity(m->snap, sc->entity);
    const rf_lname *ln = &m->names[sc->name];
    rf_side listed;
    rf_score_detail d;
    rf_span lspans[RF_MAX_TOKENS];
    size_t nl = 0, np = 0;
    int rc;

    rf_side__from_name(&listed, m, sc->name);
    rf_score__sides(&res->s.side, &listed, is_person(m, sc->entity), &d);
    d.country = sc->country;
    name_spans(lspans, m, sc->name);
    for (size_t k = 0; k < d.n_pairs; k++) {
        const rf_pair *x = &d.pairs[k];
        const rf_token *p1 = &res->s.party.items[x->p], *p2 = &res->s.party.items[x->p2];
        st->listed[nl].start = lspans[x->l].start;
        st->listed[nl++].len = lspans[x->l2].start + lspans[x->l2].len - lspans[x->l].start;
        st->party[np].start = p1->src_start;
        st->party[np++].len = p2->src_start + p2->src_len - p1->src_start;
    }
    st->expl_off = res->expl.len;
    rc = explain(&res->expl, &d, party_name, &res->s.party, &res->s.side,
                 ent->names[ln->name_index].text, lspans, &listed, sc->country);
    if (rc == RF_OK) rc = rf_buf_putc(&res->expl, '\0');
    h->entity = ent;
    h->name_index = ln->name_index;
    h->score = sc->score;
    h->listed_spans = st->listed;
    h->n_listed_spans = nl;
    h->party_spans = st->party;
    h->n_party_spans = np;
    return rc;
}

/* Scores listed name `name_id` for the party and keeps it when it reaches the threshold and is
 * its entity's best name so far (among equals, the lower id: the same on every run). */
static int consider(rf_result *res, const rf_matcher *m, uint32_t name_id, const rf_party *party,
                    double threshold, rf_han_reading reading)
{
    const rf_lname *ln = &m->names[name_id];
    const rf_entity *ent = rf_snapshot_entity(m->snap, ln->entity);
    int person = ent->type == RF_ENTITY_PERSON;
    int country;
    rf_side listed;
    scored *b;
    double score;

    country = country_agreement(m, ln->entity, party->country);
    rf_side__from_name(&listed, m, name_id);
    score = adjust_for_country(rf_score__sides(&res->s.side, &listed, person, NULL), country);
    if (score < threshold) return RF_OK;
    if ((ent->type == RF_ENTITY_VESSEL || ent->type == RF_ENTITY_AIRCRAFT) && score < VESSEL_MIN_SCORE)
        return RF_OK;
    if (res->slot[ln->entity] == RF_STRMAP_MISSING) {
        if (res->n_best == res->cap_best) {
            size_t cap = res->cap_best ? 2 * res->cap_best : 64;
            scored *grown = realloc(res->best, cap * sizeof *grown);
            if (!grown) return RF_ENOMEM;
            res->best = grown;
            res->cap_best = cap;
        }
        res->slot[ln->entity] = (uint32_t)res->n_best;
        b = &res->best[res->n_best++];
        b->entity = ln->entity;
        b->score = -1;
    } else {
        b = &res->best[res->slot[ln->entity]];
    }
    if (score > b->score || (score == b->score && name_id < b->name)) {
        b->name = name_id;
        b->score = score;
        b->country = country;
        b->reading = reading;
    }
    return RF_OK;
}

/* How many letters and digits of party name `name` (len bytes), read into `t`, follow its
 * last token, or -1 when the name cannot have been cut at a field's length: too short
 * (RF_CUT_NAME_MIN), or ending in a mark that closes it (a quote, a bracket, a full stop:
 * 'limited liability company "Red"', "... (CSIC)", "Co., Ltd."). The tokenizer leaves out
 * the one or two letters of a word cut short ("... BAIKAL R"). */
static int letters_after_cut(const rf_tokens *t, const char *name, size_t len)
{
    const rf_token *last = t->count ? &t->items[t->count - 1] : NULL;
    int letters = 0;
    if (!last || len < RF_CUT_NAME_MIN) return -1;
    for (size_t i = last->src_start + last->src_len; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (isalnum(c) || c >= 0xC0) letters++; /* (a character, not each byte of one) */
        else if (c >= 0x80) continue;
        else if (!isspace(c) && !strchr(",-&/", c)) return -1;
    }
    return letters;
}

/* A party's name cut at a field's length inside a word of the lists ("JOINT STOCK COMMERCIAL
 * BANK SAROVBU"): its last token, a word as written that ends the name (no letter after it,
 * `after`: letters_after_cut) and that no listed name has, is read as the one listed word it
 * begins (rf_matcher__cut_word). */
static int read_cut_word(rf_tokens *t, const rf_matcher *m, int after)
{
    size_t off;
    rf_token *last = t->count ? &t->items[t->count - 1] : NULL;
    const rf_vocab *w;
    uint32_t v;
    int rc;

    if (after != 0 || last->cls != RF_TOK_WORD || last->origin != RF_ORIGIN_LITERAL) return RF_OK;
    v = rf_matcher__cut_word(m, rf_token_text(t, t->count - 1), last->text_len);
    if (v == RF_STRMAP_MISSING) return RF_OK;
    w = &m->vocab[v];
    off = t->text.len;
    rc = rf_buf_append(&t->text, m->vocab_text.data + w->text_off, w->len);
    if (rc == RF_OK) rc = rf_buf_putc(&t->text, '\0');
    if (rc != RF_OK) return rc;
    last->text_off = (uint32_t)off;
    last->text_len = w->len;
    last->cls = w->cls;
    last->origin = RF_ORIGIN_TYPO; /* read as another word, as a misspelling is */
    return RF_OK;
}

/* Says on a party's side whether its name may have been cut at a field's length, `after`
 * letters after its last word (letters_after_cut), and its last word with it. */
static void mark_cut(rf_side *side, int after)
{
    side->cut = after >= 0 && after <= RF_CUT_FRAGMENT_MAX && side->unit == side->n;
    side->ends_in_cut = side->cut && after == 0;
}

/* The party's name read into res->s (tokens and comparison side), its Chinese characters as
 * `reading` says. */
static int read_party(rf_result *res, const rf_matcher *m, const rf_party *party, const char *name,
                      rf_han_reading reading)
{
    size_t len = strlen(name);
    int rc, after;
    rf_translit__read_han(res->s.tr, reading);
    rc = rf_engine__tokenize(&res->s.party, m->lex, m->places, m->vocab_map, res->s.tr, name, len, 1);
    after = letters_after_cut(&res->s.party, name, len);
    if (rc == RF_OK) rc = read_cut_word(&res->s.party, m, after);
    rf_translit__read_han(res->s.tr, RF_HAN_MANDARIN);
    res->s.party.han_korean = reading == RF_HAN_KOREAN;
    rf_side__from_tokens(&res->s.side, m, &res->s.party);
    res->s.side.organisation = role_is_organisation(party->role);
    mark_cut(&res->s.side, after);
    return rc;
}

/* Screens the party into res->hits: its candidates (every listed name when `exhaustive`)
 * scored, the best `max_hits` entities reaching `threshold` filled in. */
static int screen_party(rf_result *res, const rf_matcher *m, const rf_party *party, const char *name,
                        double threshold, size_t max_hits, int exhaustive)
{
    /* Three Chinese characters do not say whether a name is Chinese or a Korean's in hanja:
     * such a name is screened under both readings, each entity keeping its better score. */
    int readings = rf_translit__korean_name(name, strlen(name)) ? RF_HAN_READINGS : 1;
    rf_han_reading read = RF_HAN_MANDARIN;
    size_t n_hits;
    int rc = RF_OK;

    for (int r = 0; r < readings && rc == RF_OK; r++) {
        read = (rf_han_reading)r;
        rc = read_party(res, m, party, name, read);
        if (rc != RF_OK) break;
        if (exhaustive) {
            for (size_t k = 0; k < m->n_names && rc == RF_OK; k++)
                rc = consider(res, m, (uint32_t)k, party, threshold, read);
        } else {
            /* The least a name must score to reach the threshold with the country agreeing
             * (adjust_for_country). */
            size_t n_cand =
                rf_index__candidates(m, &res->s, (threshold - COUNTRY_AGREES) / (1.0 - COUNTRY_AGREES));
            for (size_t k = 0; k < n_cand && rc == RF_OK; k++)
                rc = consider(res, m, res->s.cand[k], party, threshold, read);
        }
    }
    for (size_t i = 0; i < res->n_best; i++) res->slot[res->best[i].entity] = RF_STRMAP_MISSING;
    /* A cap on hits keeps the best by score: all of them were scored. */
    if (res->n_best > 1) qsort(res->best, res->n_best, sizeof res->best[0], by_score_desc);
    n_hits = res->n_best < max_hits ? res->n_best : max_hits;
    if (rc == RF_OK) rc = reserve_hits(res, n_hits);
    for (size_t i = 0; i < n_hits && rc == RF_OK; i++) {
        if (res->best[i].reading != read) rc = read_party(res, m, party, name, read = res->best[i].reading);
        if (rc == RF_OK) rc = fill_hit(res, res->n_hits++, m, &res->best[i], name);
    }
    return rc;
}

/* The key of a party in the memo of parties screened: everything its hits depend on besides
 * the matcher. The options, whether its role is an organisation's (role_is_organisation), its
 * country as country_agreement reads it (two letters, either case, or none) and its name as
 * written (the explanations quote it). */
static int party_key(rf_buf *key, const rf_party *party, const char *name, double threshold, size_t max_hits)
{
    const char *c = party->country;
    char head[sizeof threshold + sizeof max_hits + 3] = {0};
    memcpy(head, &threshold, sizeof threshold);
    memcpy(head + sizeof threshold, &max_hits, sizeof max_hits);
    head[sizeof threshold + sizeof max_hits] = (char)role_is_organisation(party->role);
    if (c && strlen(c) == 2) {
        head[sizeof threshold + sizeof max_hits + 1] = (char)toupper((unsigned char)c[0]);
        head[sizeof threshold + sizeof max_hits + 2] = (char)toupper((unsigned char)c[1]);
    }
    rf_buf_reset(key);
    return rf_buf_append(key, head, sizeof head) == RF_OK && rf_buf_puts(key, name) == RF_OK ? RF_OK
                                                                                          : RF_ENOMEM;
}

/* A hit as the memo keeps it, followed by its listed and party spans and its explanation. */
typedef struct kept_hit {
    uint32_t entity;
    uint32_t name_index;
    double score;
    uint32_t n_listed, n_party, expl_len;
} kept_hit;

/* Keeps the hits of the party just screened under res->key. */
static void keep_hits(rf_result *res, const rf_matcher *m, uint64_t hash)
{
    rf_buf *b = &res->kept;
    int rc = RF_OK;
    rf_buf_reset(b);
    for (size_t i = 0; i < res->n_hits && rc == RF_OK; i++) {
        const rf_hit *h = &res->hits[i];
        const char *expl = res->expl.data + res->store[i].expl_off;
        kept_hit k = {.entity = res->best[i].entity, .name_index = (uint32_t)h->name_index, .score = h->score,
                      .n_listed = (uint32_t)h->n_listed_spans, .n_party = (uint32_t)h->n_party_spans,
                      .expl_len = (uint32_t)strlen(expl)};
        rc = rf_buf_append(b, &k, sizeof k);
        if (rc == RF_OK) rc = rf_buf_append(b, h->listed_spans, k.n_listed * sizeof *h->listed_spans);
        if (rc == RF_OK) rc = rf_buf_append(b, h->party_spans, k.n_party * sizeof *h->party_spans);
        if (rc == RF_OK) rc = rf_buf_append(b, expl, k.expl_len);
    }
    if (rc == RF_OK) rf_memo__keep(m->parties, hash, res->key.data, res->key.len, b->data, b->len);
}

/* Fills res->hits from the hits keep_hits kept, in res->kept. */
static int recall_hits(rf_result *res, const rf_matcher *m)
{
    const char *kept = res->kept.data;
    size_t len = res->kept.len;
    size_t n = 0;
    int rc = RF_OK;
    for (size_t off = 0; off < len; n++) {
        kept_hit k;
        memcpy(&k, kept + off, sizeof k);
        off += sizeof k + (k.n_listed + k.n_party) * sizeof(rf_span) + k.expl_len;
    }
    if ((rc = reserve_hits(res, n)) != RF_OK) return rc;
    for (size_t off = 0; res->n_hits < n && rc == RF_OK;) {
        rf_hit *h = &res->hits[res->n_hits];
        hit_store *st = &res->store[res->n_hits++];
        kept_hit k;
        memcpy(&k, kept + off, sizeof k);
        off += sizeof k;
        memcpy(st->listed, kept + off, k.n_listed * sizeof(rf_span));
        off += k.n_listed * sizeof(rf_span);
        memcpy(st->party, kept + off, k.n_party * sizeof(rf_span));
        off += k.n_party * sizeof(rf_span);
        st->expl_off = res->expl.len;
        rc = rf_buf_append(&res->expl, kept + off, k.expl_len);
        if (rc == RF_OK) rc = rf_buf_putc(&res->expl, '\0');
        off += k.expl_len;
        *h = (rf_hit){.entity = rf_snapshot_entity(m->snap, k.entity), .name_index = k.name_index,
                      .score = k.score, .listed_spans = st->listed, .n_listed_spans = k.n_listed,
                      .party_spans = st->party, .n_party_spans = k.n_party};
    }
    return rc;
}

int rf_matcher__begin(rf_matcher *m)
{
    m->serial = rf_matcher__next_serial();
    m->parties = rf_memo__new(m->serial, PARTY_MEMO_PARTIES, PARTY_MEMO_BYTES, 1);
    return m->parties ? RF_OK : RF_ENOMEM;
}

int rf_matcher_screen(rf_result *res, const rf_matcher *m, const rf_party *party,
                      const rf_match_options *opts, rf_error *err)
{
    double threshold = opts && opts->threshold > 0 ? opts->threshold : RF_DEFAULT_THRESHOLD;
    size_t max_hits = opts && opts->max_hits > 0 ? (size_t)opts->max_hits : RF_DEFAULT_MAX_HITS;
    int exhaustive = opts && opts->exhaustive;
    const char *name = party->name ? party->name : "";
    /* A party screened before with this matcher is answered from memory, as it was screened
     * then; the exhaustive mode, the index's check, always scores. */
    int remember = !exhaustive;
    int kept = 0;
    uint64_t hash = 0;
    int rc;

    res->n_hits = 0;
    res->n_best = 0;
    rf_buf_reset(&res->expl);
    rc = prepare_result(res, m);
    if (rc == RF_OK && remember && (rc = party_key(&res->key, party, name, threshold, max_hits)) == RF_OK) {
        hash = rf_hash__bytes(res->key.data, res->key.len);
        kept = rf_memo__get(m->parties, m->serial, hash, res->key.data, res->key.len, &res->kept);
    }
    if (rc == RF_OK && kept) {
        rc = recall_hits(res, m);
    } else if (rc == RF_OK) {
        rc = screen_party(res, m, party, name, threshold, max_hits, exhaustive);
        if (rc == RF_OK && remember) keep_hits(res, m, hash);
    }
    /* Explanations are final only now that the buffer has stopped moving. */
    for (size_t i = 0; i < res->n_hits; i++) res->hits[i].explanation = res->expl.data + res->store[i].expl_off;
    if (rc != RF_OK) {
        res->n_hits = 0;
        return rf_error_set(err, rc, party->document, party->line, "screening \"%s\": %s", name,
                            rf_strerror(rc));
    }
    return RF_OK;
}

/* A guess for `redflag match`, where nobody says what the names are: names without any legal
 * form or business word are taken for people. */
static int looks_like_person(const rf_tokens *t)
{
    for (size_t i = 0; i < t->count; i++)
        if (t->items[i].cls == RF_TOK_LEGAL || t->items[i].cls == RF_TOK_GENERIC) return 0;
    return t->count >= 2;
}

/* One name of a pair read both ways: as the listed name, and as a party's, whose last word
 * may have been cut at a field's length (read_party). */
typedef struct pair_name {
    rf_tokens listed, party;
    rf_side as_listed, as_party;
} pair_name;

/* Name `name` read into `pn`, its Chinese characters as `reading` says. */
static int read_pair_name(pair_name *pn, const rf_matcher *m, rf_translit *tr, const char *name,
                          rf_han_reading reading)
{
    const rf_lexicon *lex = rf_lexicon__get();
    size_t len = strlen(name);
    int rc, after;

    /* No places from the lists' addresses here: either name may be a person's ("Wang Wei").
     * Words run together or split are read against the listed words, as a party's are. */
    rf_translit__read_han(tr, reading);
    rc = rf_engine__tokenize(&pn->listed, lex, NULL, m ? m->vocab_map : NULL, tr, name, len, 0);
    if (rc == RF_OK) rc = rf_engine__tokenize(&pn->party, lex, NULL, m ? m->vocab_map : NULL, tr, name, len, 0);
    rf_translit__read_han(tr, RF_HAN_MANDARIN);
    if (rc != RF_OK) return rc;
    after = letters_after_cut(&pn->party, name, len);
    if (m && (rc = read_cut_word(&pn->party, m, after)) != RF_OK) return rc;
    pn->listed.han_korean = pn->party.han_korean = reading == RF_HAN_KOREAN;
    rf_side__from_tokens(&pn->as_listed, m, &pn->listed);
    rf_side__from_tokens(&pn->as_party, m, &pn->party);
    mark_cut(&pn->as_party, after);
    return RF_OK;
}

/* Names a and b read into pa and pb, the Chinese characters of each as ra and rb say; the
 * better of both directions' scores into *score (each name read as the party's against the
 * other as listed), the details of a's into *d when asked. */
static int read_pair(double *score, rf_score_detail *d, const rf_matcher *m, rf_translit *tr,
                     const char *a, rf_han_reading ra, pair_name *pa, const char *b, rf_han_reading rb,
                     pair_name *pb)
{
    rf_score_detail reverse;
    double back;
    int person, rc;

    if ((rc = read_pair_name(pa, m, tr, a, ra)) != RF_OK || (rc = read_pair_name(pb, m, tr, b, rb)) != RF_OK)
        return rc;
    person = looks_like_person(&pa->listed) && looks_like_person(&pb->listed);
    /* Neither name is the listed one here: the score is the better of both readings
     * (a name with a word more is as alike as one with a word less). */
    *score = rf_score__sides(&pa->as_party, &pb->as_listed, person, d);
    back = rf_score__sides(&pb->as_party, &pa->as_listed, person, &reverse);
    if (back > *score) *score = back;
    return RF_OK;
}

static void pair_name_free(pair_name *pn)
{
    if (!pn) return;
    rf_buf_free(&pn->listed.text);
    rf_buf_free(&pn->party.text);
    free(pn);
}

int rf_match_pair(double *score, rf_buf *explanation, const rf_matcher *m, const char *a,
                  const char *b)
{
    pair_name *pa = calloc(1, sizeof *pa), *pb = calloc(1, sizeof *pb);
    rf_translit *tr = NULL;
    int rc = pa && pb && rf_lexicon__get() ? rf_translit__new(&tr) : RF_ENOMEM;
    /* A name that may be a Korean's in hanja is read both ways (rf_matcher_screen); the best
     * pair wins. */
    int na = rf_translit__korean_name(a, strlen(a)) ? RF_HAN_READINGS : 1;
    int nb = rf_translit__korean_name(b, strlen(b)) ? RF_HAN_READINGS : 1;
    rf_han_reading best_a = RF_HAN_MANDARIN, best_b = RF_HAN_MANDARIN;
    rf_score_detail d;

    *score = -1;
    for (int ra = 0; ra < na && rc == RF_OK; ra++) {
        for (int rb = 0; rb < nb && rc == RF_OK; rb++) {
            double here;
            rc = read_pair(&here, NULL, m, tr, a, (rf_han_reading)ra, pa, b, (rf_han_reading)rb, pb);
            if (rc == RF_OK && here > *score) {
                *score = here;
                best_a = (rf_han_reading)ra;
                best_b = (rf_han_reading)rb;
            }
        }
    }
    if (rc == RF_OK && explanation) {
        double again;
        rf_span spans[RF_MAX_TOKENS];
        rc = read_pair(&again, &d, m, tr, a, best_a, pa, b, best_b, pb);
        for (size_t j = 0; j < pb->listed.count && rc == RF_OK; j++) {
            spans[j].start = pb->listed.items[j].src_start;
            spans[j].len = pb->listed.items[j].src_len;
        }
        if (rc == RF_OK) rc = explain(explanation, &d, a, &pa->party, &pa->as_party, b, spans, &pb->as_listed, 0);
    }
    if (*score < 0) *score = 0;
    rf_translit__free(tr);
    pair_name_free(pa);
    pair_name_free(pb);
    return rc;
}

int rf_normalize__with(rf_buf *out, rf_translit *tr, const char *name, size_t len)
{
    rf_tokens t = {0};
    const rf_lexicon *lex = rf_lexicon__get();
    int rc = lex ? RF_OK : RF_ENOMEM;

    rf_buf_reset(out);
    if (rc == RF_OK) rc = rf_engine__tokenize(&t, lex, NULL, NULL, tr, name, len, 0);
    for (size_t i = 0; i < t.count && rc == RF_OK; i++) {
        if (i) rc = rf_buf_putc(out, ' ');
        if (rc == RF_OK) rc = rf_buf_append(out, rf_token_text(&t, i), t.items[i].text_len);
    }
    rf_buf_free(&t.text);
    return rc;
}

int rf_normalize_name(rf_buf *out, const char *name, size_t len)
{
    rf_translit *tr = NULL;
    int rc = rf_translit__new(&tr);
    if (rc == RF_OK) rc = rf_normalize__with(out, tr, name, len);
    else rf_buf_reset(out);
    rf_translit__free(tr);
    return rc;
}

int rf_normalize_name_in(rf_buf *out, rf_result *res, const char *name, size_t len)
{
    rf_translit *tr = res ? rf_result__translit(res) : NULL;
    if (!tr) return rf_normalize_name(out, name, len);
    return rf_normalize__with(out, tr, name, len);
}

rf_translit *rf_result__translit(rf_result *res)
{
    if (!res->s.tr && rf_translit__new(&res->s.tr) != RF_OK) res->s.tr = NULL;
    return res->s.tr;
}

rf_memo *rf_result__fingerprints(rf_result *res, rf_buf **kept)
{
    if (!res->fingerprints) res->fingerprints = rf_memo__new(0, FINGERPRINT_MEMO_PARTIES, FINGERPRINT_MEMO_BYTES, 0);
    *kept = &res->fingerprint;
    return res->fingerprints;
}
