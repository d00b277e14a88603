/* index.c: the in-memory index over every listed name of a snapshot, and candidate retrieval.
 *
 * Each listed name is tokenized once. Every distinct token is a vocabulary entry with a weight
 * from its rarity and class, and the names it can decide (anchors, below).
 *
 * The invariant, to keep whenever the scorer changes: rf_index_candidates returns every listed
 * name that rf_score_sides could rate above RF_CAP_NO_DISTINCTIVE for the party, and
 * rf_index_score_bound is never below its score, so that screening through the index returns
 * the same hits with the same scores as scoring every name (rf_match_options.exhaustive) at
 * any threshold above that cap raised by country agreement. No candidate is ever left out
 * for being one too many or weakly supported: a common word costs time, never a hit. It rests
 * on the scorer's rule that a name scores above the cap only with an anchor: one of its
 * telling words (word, number) paired with some party word at 0.7 or more other than as an
 * initial; for a name of weak words only, each of its generic words and places paired; or
 * every party word one of its words (identical). So
 * - each word lists the names it can anchor (where it is a telling word, or a weak word of a
 *   name without one), and a candidate is a name anchored by a word some party word may pair
 *   with;
 * - a party word, whatever its class, looks up every way the scorer pairs two words: the same
 *   text; a typo of the surface within rf_typo_budget_any (every listed spelling is filed
 *   under itself and its one- and, from six letters, two-letter deletions, and the party
 *   word's own deletions meet them: SymSpell; for a party word that is itself a listed
 *   spelling, the result is kept from the build), also with x written ks; doubled letters
 *   made single; the consonant skeleton across scripts with and without vowels; a familiar
 *   form of a given name; a word of a two-word phrase; two adjacent listed words written as
 *   one, as written or within rf_typo_budget (and by their skeleton);
 * - two adjacent party words written as one look up listed words as written or within
 *   rf_typo_budget (and by skeleton), as the scorer pairs them;
 * - what a party word's look-ups reached is kept per word, for the bound (see there).
 * A scorer path that pairs words another way needs its look-up here and its term in the
 * bound; engine_index_oracle checks both on 10,000 random variants of listed names against
 * exhaustive screening. Two paths are not looked up, so a name reached by nothing else is not
 * a candidate (the bound allows for both): a party word that is two adjacent listed words
 * with two typos that delete letters from the listed side (two letters replaced: filing
 * every pair of listed words under its two-letter deletions would take 3.4 million keys),
 * and a person's name compared whole with letters moved across word breaks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "matcher.h"

/* Makes room for `need` elements of `size` bytes in *items (capacity *cap). */
static int reserve(void **items, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 4096;
    void *grown;
    if (need <= *cap) return RF_OK;
    while (n < need) n *= 2;
    grown = realloc(*items, n * size);
    if (!grown) return RF_ENOMEM;
    *items = grown;
    *cap = n;
    return RF_OK;
}

static int chain_push(rf_matcher *m, rf_strmap *map, const char *key, size_t len, uint32_t value)
{
    uint32_t head = rf_strmap_get(map, key, len);
    uint32_t node;
    int rc;

    /* The same value filed twice in a row under one key (a word with repeated letters has
     * equal deletions) is kept once. */
    if (head != RF_STRMAP_MISSING && m->chains[head].value == value) return RF_OK;
    rc = reserve((void **)&m->chains, &m->cap_chains, m->n_chains + 1, sizeof *m->chains);
    if (rc != RF_OK) return rc;
    node = (uint32_t)m->n_chains++;
    m->chains[node].value = value;
    m->chains[node].next = head;
    if (head == RF_STRMAP_MISSING) {
        rc = rf_strmap_put(map, key, len, node, NULL);
        if (rc != RF_OK) return rc;
    } else {
        rf_strmap_set(map, key, len, node);
    }
    return RF_OK;
}

/* 1 when `value` is in the chain starting at `node`. */
static int chain_has(const rf_matcher *m, uint32_t node, uint32_t value)
{
    for (; node != RF_STRMAP_MISSING; node = m->chains[node].next)
        if (m->chains[node].value == value) return 1;
    return 0;
}

/* Files spelling `id` (of `len` letters) under its deletions of `left` more letters from
 * position `from` on, every one and, within the typo budget, every two. */
static int file_deletions(rf_matcher *m, uint32_t id, const char *w, size_t len, size_t from, int left)
{
    char buf[RF_MAX_TOKEN_LEN];
    int rc = RF_OK;
    if (left <= 0) return RF_OK;
    for (size_t i = from; i < len && rc == RF_OK; i++) {
        memcpy(buf, w, i);
        memcpy(buf + i, w + i + 1, len - i - 1);
        rc = chain_push(m, m->deletes, buf, len - 1, id);
        if (rc == RF_OK && left > 1) rc = file_deletions(m, id, buf, len - 1, i, left - 1);
    }
    return rc;
}

/* Files `w` as a way vocabulary word `vocab` is written, under its deletions once per
 * spelling: a party word's own deletions meet these (SymSpell), which finds every listed
 * spelling within rf_typo_budget_any of it. */
static int file_spelling(rf_matcher *m, uint32_t vocab, const char *w, size_t len)
{
    uint32_t next = (uint32_t)m->n_spellings, id;
    int rc;

    if (len == 0 || len > RF_MAX_TOKEN_LEN) return RF_OK;
    rc = rf_strmap_put(m->spelling_map, w, len, next, &id);
    if (rc != RF_OK) return rc;
    if (id == next) {
        rc = reserve((void **)&m->spellings, &m->cap_spellings, m->n_spellings + 1, sizeof *m->spellings);
        if (rc != RF_OK) return rc;
        m->spellings[id].vocabs = RF_STRMAP_MISSING;
        m->spellings[id].near = RF_STRMAP_MISSING;
        m->spellings[id].near_joined = RF_STRMAP_MISSING;
        m->spellings[id].text_off = (uint32_t)m->spelling_text.len;
        m->spellings[id].len = (uint16_t)len;
        m->spellings[id].letters = rf_letter_mask(w, len);
        m->n_spellings++;
        rc = rf_buf_append(&m->spelling_text, w, len);
        if (rc == RF_OK) rc = rf_buf_putc(&m->spelling_text, '\0');
        /* Under itself too: one look-up per key of a party word finds both. */
        if (rc == RF_OK) rc = chain_push(m, m->deletes, w, len, id);
        if (rc == RF_OK) rc = file_deletions(m, id, w, len, 0, rf_typo_budget_any(len));
    }
    if (rc == RF_OK && !chain_has(m, m->spellings[id].vocabs, vocab)) {
        /* The chain lives in m->chains like the others; its head is kept in the spelling. */
        rc = reserve((void **)&m->chains, &m->cap_chains, m->n_chains + 1, sizeof *m->chains);
        if (rc != RF_OK) return rc;
        m->chains[m->n_chains].value = vocab;
        m->chains[m->n_chains].next = m->spellings[id].vocabs;
        m->spellings[id].vocabs = (uint32_t)m->n_chains++;
    }
    return rc;
}

/* Files a listed word's surface as its spelling, and as the scorer also compares it: with x
 * written ks, and with doubled letters made single. */
static int file_surface(rf_matcher *m, uint32_t vocab, const char *w, size_t len)
{
    char alt[2 * RF_MAX_TOKEN_LEN];
    size_t n;
    int rc;

    if (len > RF_MAX_TOKEN_LEN) return RF_OK;
    rc = file_spelling(m, vocab, w, len);
    if (rc == RF_OK && memchr(w, 'x', len) && (n = rf_x_as_ks(alt, w, len)) <= RF_MAX_TOKEN_LEN)
        rc = file_spelling(m, vocab, alt, n);
    if (rc == RF_OK && (n = rf_collapse_doubles(alt, w, len)) != len) rc = file_spelling(m, vocab, alt, n);
    return rc;
}

/* The surface a listed token is compared by: as written where it differs from the canonical
 * text, else that text. */
static const char *ltoken_surface(const rf_matcher *m, const rf_ltoken *lt, size_t *len)
{
    const rf_vocab *v = &m->vocab[lt->vocab];
    *len = lt->surf_len ? lt->surf_len : v->len;
    return lt->surf_len ? m->surface_text.data + lt->surf_off : m->vocab_text.data + v->text_off;
}

typedef struct nick_filing {
    rf_matcher *m;
    int rc;
} nick_filing;

/* One "given familiar" key of the lexicon's nicknames: when the second is a listed
 * spelling, the first finds its words. A name may hold spaces: every split is tried. */
static int file_nickname(const char *key, size_t len, uint32_t value, void *ctx)
{
    nick_filing *f = ctx;
    (void)value;
    for (size_t k = 1; k + 1 < len && f->rc == RF_OK; k++) {
        uint32_t id;
        if (key[k] != ' ') continue;
        id = rf_strmap_get(f->m->spelling_map, key + k + 1, len - k - 1);
        if (id == RF_STRMAP_MISSING) continue;
        for (uint32_t node = f->m->spellings[id].vocabs; node != RF_STRMAP_MISSING && f->rc == RF_OK;
             node = f->m->chains[node].next)
            f->rc = chain_push(f->m, f->m->nicknames, key, k, f->m->chains[node].value);
    }
    return f->rc;
}

/* The forms by which the scorer pairs listed words, for the look-ups of rf_index_candidates:
 * spellings (with typos), consonant skeletons, the words of two-word phrases, nicknames.
 * Numbers pair only as written. Legal forms and stop words decide nothing but are filed as
 * well: a party word paired with one is not unpaired (rf_index_score_bound). */
static int index_forms(rf_matcher *m)
{
    uint8_t *filed = calloc(m->n_vocab ? m->n_vocab : 1, 1); /* bit 1: Latin skeleton, 2: other */
    nick_filing nf;
    int rc = filed ? RF_OK : RF_ENOMEM;

    for (size_t k = 0; k < m->n_ltokens && rc == RF_OK; k++) {
        const rf_ltoken *lt = &m->ltokens[k];
        size_t len;
        const char *w = ltoken_surface(m, lt, &len);
        const char *sp;
        if (lt->cls == RF_TOK_NUMBER) continue;
        rc = file_surface(m, lt->vocab, w, len);
        if (rc == RF_OK && lt->cls == RF_TOK_WORD && len <= RF_MAX_TOKEN_LEN) {
            int cons = lt->origin == RF_ORIGIN_CONSONANTS;
            uint8_t bit = cons ? 2 : 1;
            char skeleton[RF_MAX_TOKEN_LEN];
            size_t n = rf_consonant_skeleton(skeleton, w, len);
            if (n >= 1 && !(filed[lt->vocab] & bit))
                rc = chain_push(m, cons ? m->skeletons_c : m->skeletons, skeleton, n, lt->vocab);
            filed[lt->vocab] |= bit;
        }
        if (rc == RF_OK && lt->cls != RF_TOK_STOP && (sp = memchr(w, ' ', len)) != NULL &&
            !memchr(sp + 1, ' ', len - (size_t)(sp + 1 - w))) {
            rc = chain_push(m, m->phrase_words, w, (size_t)(sp - w), lt->vocab);
            if (rc == RF_OK) rc = chain_push(m, m->phrase_words, sp + 1, len - (size_t)(sp + 1 - w), lt->vocab);
        }
    }
    free(filed);
    nf.m = m;
    nf.rc = rc;
    if (rc == RF_OK) rf_strmap_each(m->lex->nicknames, file_nickname, &nf);
    return nf.rc;
}

/* Files name `name` under its words a and b written as one (`text`, of a + b letters) and,
 * when both words have three letters or more (what the scorer needs to see a typo in such
 * a word), under its one-letter deletions. */
static int file_joined(rf_matcher *m, const char *text, size_t a, size_t b, uint32_t name)
{
    uint32_t next = (uint32_t)m->n_joined, id;
    size_t len = a + b;
    rf_joined *j;
    int rc = rf_strmap_put(m->merged, text, len, next, &id);

    if (rc != RF_OK) return rc;
    if (id == next) {
        rc = reserve((void **)&m->joined, &m->cap_joined, m->n_joined + 1, sizeof *m->joined);
        if (rc != RF_OK) return rc;
        j = &m->joined[id];
        j->text_off = (uint32_t)m->joined_text.len;
        j->len = (uint16_t)len;
        j->letters = rf_letter_mask(text, len);
        j->typo_filed = 0;
        j->names = RF_STRMAP_MISSING;
        m->n_joined++;
        rc = rf_buf_append(&m->joined_text, text, len);
        if (rc == RF_OK) rc = rf_buf_putc(&m->joined_text, '\0');
    }
    j = &m->joined[id];
    if (rc == RF_OK && !j->typo_filed && a >= 3 && b >= 3 && len <= RF_MAX_TOKEN_LEN) {
        char buf[RF_MAX_TOKEN_LEN];
        j->typo_filed = 1;
        rc = chain_push(m, m->merged_deletes, text, len, id);
        for (size_t i = 0; i < len && rc == RF_OK; i++) {
            memcpy(buf, text, i);
            memcpy(buf + i, text + i + 1, len - i - 1);
            rc = chain_push(m, m->merged_deletes, buf, len - 1, id);
        }
    }
    if (rc == RF_OK && (j->names == RF_STRMAP_MISSING || m->chains[j->names].value != name)) {
        rc = reserve((void **)&m->chains, &m->cap_chains, m->n_chains + 1, sizeof *m->chains);
        if (rc != RF_OK) return rc;
        j = &m->joined[id];
        m->chains[m->n_chains].value = name;
        m->chains[m->n_chains].next = j->names;
        j->names = (uint32_t)m->n_chains++;
    }
    return rc;
}

static int add_vocab(uint32_t *out, rf_matcher *m, const char *text, size_t len, uint8_t cls)
{
    uint32_t id = (uint32_t)m->n_vocab, existing;
    int rc = rf_strmap_put(m->vocab_map, text, len, id, &existing);
    if (rc != RF_OK) return rc;
    if (existing != id) {
        *out = existing;
        return RF_OK;
    }
    rc = reserve((void **)&m->vocab, &m->cap_vocab, m->n_vocab + 1, sizeof *m->vocab);
    if (rc != RF_OK) return rc;
    m->vocab[id].text_off = (uint32_t)m->vocab_text.len;
    m->vocab[id].len = (uint16_t)len;
    m->vocab[id].cls = cls;
    m->vocab[id].df = 0;
    m->vocab[id].anchor_off = 0;
    m->vocab[id].n_anchors = 0;
    rc = rf_buf_append(&m->vocab_text, text, len);
    if (rc == RF_OK) rc = rf_buf_putc(&m->vocab_text, '\0');
    m->n_vocab++;
    *out = id;
    return rc;
}

/* Words of the cities and regions in the listed addresses are places: weak evidence. */
static int collect_places(rf_matcher *m, rf_translit *tr)
{
    rf_buf words = {0};
    int rc = rf_strmap_new(&m->places, 4096);

    for (size_t e = 0; e < rf_snapshot_count(m->snap) && rc == RF_OK; e++) {
        const rf_entity *ent = rf_snapshot_entity(m->snap, e);
        for (size_t a = 0; a < ent->n_addresses && rc == RF_OK; a++) {
            const rf_address *ad = &ent->addresses[a];
            const char *city = ad->city;
            size_t clen;
            if (!city || !*city) {
                /* Without a city field, the last part of the address before the country. */
                const char *text = ad->text ? ad->text : "";
                const char *comma = strrchr(text, ',');
                city = comma ? comma + 1 : text;
            }
            clen = strlen(city);
            if (clen == 0 || clen > 40) continue;
            rf_buf_reset(&words);
            rc = rf_normalize_words(&words, tr, city, clen);
            for (size_t i = 0; i < words.len && rc == RF_OK;) {
                size_t j = i;
                int alpha = 1;
                while (j < words.len && words.data[j] != ' ') {
                    if (words.data[j] < 'a' || words.data[j] > 'z') alpha = 0;
                    j++;
                }
                if (alpha && j - i >= 4) rc = rf_strmap_put(m->places, words.data + i, j - i, 1, NULL);
                i = j + 1;
            }
        }
    }
    rf_buf_free(&words);
    return rc;
}

/* ";CN;HK;" per entity, from address countries and nationalities (two-letter codes only). */
static int collect_countries(rf_matcher *m)
{
    size_t n = rf_snapshot_count(m->snap);
    rf_buf b = {0};
    int rc = RF_OK;

    m->entity_countries = calloc(n ? n : 1, sizeof *m->entity_countries);
    if (!m->entity_countries) return RF_ENOMEM;
    for (size_t e = 0; e < n && rc == RF_OK; e++) {
        const rf_entity *ent = rf_snapshot_entity(m->snap, e);
        rf_buf_reset(&b);
        rc = rf_buf_putc(&b, ';');
        for (size_t a = 0; a < ent->n_addresses && rc == RF_OK; a++) {
            const char *c = ent->addresses[a].country;
            if (c && strlen(c) == 2) rc = rf_buf_printf(&b, "%c%c;", c[0] & ~0x20, c[1] & ~0x20);
        }
        if (ent->nationalities) {
            const char *s = ent->nationalities;
            while (*s && rc == RF_OK) {
                size_t k = strcspn(s, ";, ");
                if (k == 2) rc = rf_buf_printf(&b, "%c%c;", s[0] & ~0x20, s[1] & ~0x20);
                s += k;
                while (*s == ';' || *s == ',' || *s == ' ') s++;
            }
        }
        if (rc == RF_OK && b.len > 1) {
            m->entity_countries[e] = rf_strdup(b.data);
            if (!m->entity_countries[e]) rc = RF_ENOMEM;
        }
    }
    rf_buf_free(&b);
    return rc;
}

static int index_name(rf_matcher *m, rf_tokens *t, uint32_t entity, size_t name_index)
{
    rf_lname *ln;
    int rc;

    /* A "name" that is only a legal form ("PAO") or stop words names nobody. */
    {
        size_t telling = 0;
        for (size_t i = 0; i < t->count; i++) telling += t->items[i].cls != RF_TOK_LEGAL && t->items[i].cls != RF_TOK_STOP;
        if (telling == 0) return RF_OK;
    }
    rc = reserve((void **)&m->names, &m->cap_names, m->n_names + 1, sizeof *m->names);
    if (rc == RF_OK)
        rc = reserve((void **)&m->ltokens, &m->cap_ltokens, m->n_ltokens + t->count, sizeof *m->ltokens);
    if (rc != RF_OK) return rc;
    ln = &m->names[m->n_names];
    ln->entity = entity;
    ln->name_index = (uint16_t)name_index;
    ln->ntok = (uint16_t)t->count;
    ln->tok_off = (uint32_t)m->n_ltokens;
    ln->total = 0;
    for (size_t i = 0; i < t->count && rc == RF_OK; i++) {
        rf_ltoken *lt = &m->ltokens[m->n_ltokens++];
        rc = add_vocab(&lt->vocab, m, rf_token_text(t, i), t->items[i].text_len, t->items[i].cls);
        lt->cls = t->items[i].cls;
        lt->origin = t->items[i].origin;
        lt->surf_off = lt->surf_len = 0;
        lt->letters = rf_letter_mask(rf_token_surface(t, i), t->items[i].surf_len);
        if (rc == RF_OK && (t->items[i].surf_len != t->items[i].text_len ||
                            memcmp(rf_token_surface(t, i), rf_token_text(t, i), t->items[i].text_len) != 0)) {
            /* Kept only where it differs from the canonical text. */
            lt->surf_off = (uint32_t)m->surface_text.len;
            lt->surf_len = t->items[i].surf_len;
            rc = rf_buf_append(&m->surface_text, rf_token_surface(t, i), t->items[i].surf_len);
        }
        lt->src_start = t->items[i].src_start;
        lt->src_len = t->items[i].src_len;
        if (rc == RF_OK && i + 1 < t->count) {
            /* As written: "Huawei Technologies" is filed as "huaweitechnologies", and by its
             * consonants for a party writing it in a script without vowels. */
            char joined[RF_MAX_TOKEN_LEN * 8], skeleton[RF_MAX_TOKEN_LEN * 8];
            size_t a = t->items[i].surf_len, b = t->items[i + 1].surf_len, n;
            if (a + b <= sizeof joined) {
                memcpy(joined, rf_token_surface(t, i), a);
                memcpy(joined + a, rf_token_surface(t, i + 1), b);
                rc = file_joined(m, joined, a, b, (uint32_t)m->n_names);
                n = rf_consonant_skeleton(skeleton, joined, a + b);
                if (rc == RF_OK && n >= 1 && t->items[i].origin != RF_ORIGIN_CONSONANTS)
                    rc = chain_push(m, m->merged_skeletons, skeleton, n, (uint32_t)m->n_names);
            }
        }
    }
    if (rc == RF_OK) m->n_names++;
    return rc;
}

/* 1 when listed name `k` has a telling word (a word or a number). */
static int has_telling_word(const rf_matcher *m, const rf_lname *ln)
{
    for (size_t i = 0; i < ln->ntok; i++) {
        uint8_t cls = m->ltokens[ln->tok_off + i].cls;
        if (cls == RF_TOK_WORD || cls == RF_TOK_NUMBER) return 1;
    }
    return 0;
}

/* Weights from rarity (names containing each word), and each word's anchors: the names in
 * which it is a telling word, or a generic word or place of a name without telling words
 * (each of which must pair). Only an anchor can lift a name above RF_CAP_NO_DISTINCTIVE, so
 * only anchors are candidates. */
static int build_anchors(rf_matcher *m)
{
    size_t total = 0;
    uint32_t *last = malloc((m->n_vocab ? m->n_vocab : 1) * sizeof *last);
    double n = (double)(m->n_names ? m->n_names : 1);

    if (!last) return RF_ENOMEM;
    for (int pass = 0; pass < 3; pass++) {
        memset(last, 0xff, (m->n_vocab ? m->n_vocab : 1) * sizeof *last);
        for (size_t k = 0; k < m->n_names; k++) {
            const rf_lname *ln = &m->names[k];
            int telling = has_telling_word(m, ln);
            for (size_t i = 0; i < ln->ntok; i++) {
                const rf_ltoken *lt = &m->ltokens[ln->tok_off + i];
                rf_vocab *v = &m->vocab[lt->vocab];
                int anchor = telling ? lt->cls == RF_TOK_WORD || lt->cls == RF_TOK_NUMBER
                                     : lt->cls == RF_TOK_GENERIC || lt->cls == RF_TOK_PLACE;
                if (pass == 0 && last[lt->vocab] != (uint32_t)k) v->df++;
                if (pass == 0) last[lt->vocab] = (uint32_t)k;
                /* Passes 1 and 2 count, then file, each name once per word it anchors. */
                if (pass == 0 || !anchor || last[lt->vocab] == (uint32_t)k) continue;
                last[lt->vocab] = (uint32_t)k;
                if (pass == 2) m->anchors[v->anchor_off + v->n_anchors] = (uint32_t)k;
                v->n_anchors++;
            }
        }
        if (pass == 1) {
            for (size_t v = 0; v < m->n_vocab; v++) {
                m->vocab[v].anchor_off = (uint32_t)total;
                total += m->vocab[v].n_anchors;
                m->vocab[v].n_anchors = 0;
            }
            m->anchors = malloc((total ? total : 1) * sizeof *m->anchors);
            if (!m->anchors) {
                free(last);
                return RF_ENOMEM;
            }
        }
    }
    free(last);
    for (size_t v = 0; v < m->n_vocab; v++)
        m->vocab[v].weight = (float)(log(1.0 + n / (m->vocab[v].df + 0.5)) *
                                     rf_class_weight((rf_tok_class)m->vocab[v].cls));
    m->unknown_weight = (float)log(1.0 + n / 0.5);
    for (size_t k = 0; k < m->n_names; k++) {
        rf_lname *ln = &m->names[k];
        for (size_t i = 0; i < ln->ntok; i++) ln->total += m->vocab[m->ltokens[ln->tok_off + i].vocab].weight;
    }
    return RF_OK;
}

static int index_near(rf_matcher *m);

int rf_matcher_new(rf_matcher **out, const rf_snapshot *snap, rf_error *err)
{
    rf_matcher *m = calloc(1, sizeof *m);
    rf_translit *tr = NULL;
    rf_tokens t = {0};
    int rc;

    *out = NULL;
    if (!m) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory building the index");
    m->snap = snap;
    m->lex = rf_lexicon_get();
    rc = m->lex ? rf_translit_new(&tr) : RF_ENOMEM;
    if (rc == RF_OK) rc = rf_strmap_new(&m->vocab_map, 65536);
    if (rc == RF_OK) rc = rf_strmap_new(&m->deletes, 1 << 20);
    if (rc == RF_OK) rc = rf_strmap_new(&m->spelling_map, 65536);
    if (rc == RF_OK) rc = rf_strmap_new(&m->merged, 65536);
    if (rc == RF_OK) rc = rf_strmap_new(&m->merged_deletes, 1 << 19);
    if (rc == RF_OK) rc = rf_strmap_new(&m->merged_skeletons, 65536);
    if (rc == RF_OK) rc = rf_strmap_new(&m->skeletons, 65536);
    if (rc == RF_OK) rc = rf_strmap_new(&m->skeletons_c, 1024);
    if (rc == RF_OK) rc = rf_strmap_new(&m->nicknames, 4096);
    if (rc == RF_OK) rc = rf_strmap_new(&m->phrase_words, 4096);
    if (rc == RF_OK) rc = collect_places(m, tr);
    if (rc == RF_OK) rc = collect_countries(m);
    for (size_t e = 0; e < rf_snapshot_count(snap) && rc == RF_OK; e++) {
        const rf_entity *ent = rf_snapshot_entity(snap, e);
        for (size_t k = 0; k < ent->n_names && rc == RF_OK; k++) {
            const char *text = ent->names[k].text ? ent->names[k].text : "";
            /* People's names hold no places: "Abbas" is a name before it is a port. */
            rc = rf_tokenize(&t, m->lex, ent->type == RF_ENTITY_PERSON ? NULL : m->places, tr, text,
                             strlen(text), 0);
            if (rc == RF_OK) rc = index_name(m, &t, (uint32_t)e, k);
        }
    }
    if (rc == RF_OK) rc = build_anchors(m);
    if (rc == RF_OK) rc = index_forms(m);
    if (rc == RF_OK) rc = index_near(m);
    rf_buf_free(&t.text);
    rf_translit_free(tr);
    if (rc != RF_OK) {
        rf_matcher_free(m);
        return rf_error_set(err, rc, NULL, 0, "building the index: %s", rf_strerror(rc));
    }
    *out = m;
    return RF_OK;
}

void rf_matcher_free(rf_matcher *m)
{
    if (!m) return;
    rf_strmap_free(m->places);
    rf_strmap_free(m->vocab_map);
    rf_strmap_free(m->deletes);
    rf_strmap_free(m->spelling_map);
    free(m->spellings);
    rf_buf_free(&m->spelling_text);
    rf_strmap_free(m->merged);
    rf_strmap_free(m->merged_deletes);
    free(m->joined);
    rf_buf_free(&m->joined_text);
    rf_strmap_free(m->merged_skeletons);
    rf_strmap_free(m->skeletons);
    rf_strmap_free(m->skeletons_c);
    rf_strmap_free(m->nicknames);
    rf_strmap_free(m->phrase_words);
    free(m->vocab);
    rf_buf_free(&m->vocab_text);
    rf_buf_free(&m->surface_text);
    free(m->anchors);
    free(m->names);
    free(m->ltokens);
    free(m->chains);
    if (m->entity_countries) {
        for (size_t e = 0; e < rf_snapshot_count(m->snap); e++) free(m->entity_countries[e]);
        free(m->entity_countries);
    }
    free(m);
}

size_t rf_matcher_name_count(const rf_matcher *m)
{
    return m->n_names;
}

/* Notes that the party word(s) looked up may pair with vocabulary word `vocab`, and gathers
 * the names it anchors (once per party). */
static void gather(const rf_matcher *m, rf_scratch *s, uint32_t vocab)
{
    const rf_vocab *v = &m->vocab[vocab];
    int first = s->vocab_mask[vocab] == 0;
    s->vocab_mask[vocab] |= s->bits;
    if (!first) return;
    s->vocab_found[s->n_vocab_found++] = vocab;
    if (s->vocab_only) return;
    for (uint32_t k = 0; k < v->n_anchors; k++) {
        uint32_t name = m->anchors[v->anchor_off + k];
        if (s->seen[name]) continue;
        s->seen[name] = 1;
        s->touched[s->n_touched++] = name;
    }
}

/* Gathers the vocabulary words of a chain (values are vocabulary ids). */
static void gather_vocab_chain(const rf_matcher *m, rf_scratch *s, uint32_t node)
{
    for (; node != RF_STRMAP_MISSING; node = m->chains[node].next) gather(m, s, m->chains[node].value);
}

/* Gathers the names of a chain (values are name ids): two of their words written as one may
 * pair with the party word(s) looked up. */
static void gather_name_chain(const rf_matcher *m, rf_scratch *s, uint32_t node)
{
    for (; node != RF_STRMAP_MISSING; node = m->chains[node].next) {
        uint32_t name = m->chains[node].value;
        s->name_mask[name] |= s->bits;
        if (s->seen[name]) continue;
        s->seen[name] = 1;
        s->touched[s->n_touched++] = name;
    }
}

/* A word whose listed spellings within a typo are sought. */
typedef struct typo_query {
    const char *word;
    size_t len;
    uint32_t letters;
    int any; /* 1: within rf_typo_budget_any (word pairs), 0: rf_typo_budget (merged words) */
} typo_query;

static int query_budget(const typo_query *q, size_t len)
{
    return q->any ? rf_typo_budget_any(len) : rf_typo_budget(len);
}

/* Gathers the words of spelling `id` when it is within a typo of the query. */
static void gather_if_typo(const rf_matcher *m, rf_scratch *s, uint32_t id, const typo_query *q)
{
    const rf_spelling *sp = &m->spellings[id];
    int budget = query_budget(q, sp->len < q->len ? sp->len : q->len);
    if (__builtin_popcount(q->letters ^ sp->letters) <= 2 * budget &&
        rf_osa_distance(q->word, q->len, m->spelling_text.data + sp->text_off, sp->len, budget) <= budget)
        gather_vocab_chain(m, s, sp->vocabs);
}

/* Gathers the listed words spelt `key` (the query with some letters deleted) or with letters
 * deleted to `key` (both filed in deletes), that are within a typo of the query. */
static void gather_typo_key(const rf_matcher *m, rf_scratch *s, const char *key, size_t klen, const typo_query *q)
{
    for (uint32_t node = rf_strmap_get(m->deletes, key, klen); node != RF_STRMAP_MISSING;
         node = m->chains[node].next)
        gather_if_typo(m, s, m->chains[node].value, q);
}

/* The deletions of `left` more letters from `key` from position `from` on, each looked up. */
static void gather_typo_deletions(const rf_matcher *m, rf_scratch *s, const char *key, size_t klen,
                                  size_t from, int left, const typo_query *q)
{
    char buf[RF_MAX_TOKEN_LEN];
    for (size_t i = from; left > 0 && i < klen; i++) {
        memcpy(buf, key, i);
        memcpy(buf + i, key + i + 1, klen - i - 1);
        gather_typo_key(m, s, buf, klen - 1, q);
        gather_typo_deletions(m, s, buf, klen - 1, i, left - 1, q);
    }
}

/* Gathers every listed word spelt within the query's typo budget of it (SymSpell: up to two
 * letters deleted on either side) and, for word pairs, the same with doubled letters made
 * single. */
static void search_spellings(const rf_matcher *m, rf_scratch *s, const typo_query *q)
{
    char c[RF_MAX_TOKEN_LEN];
    uint32_t id;
    size_t cn;

    if (q->len == 0 || q->len > RF_MAX_TOKEN_LEN) return;
    gather_typo_key(m, s, q->word, q->len, q);
    gather_typo_deletions(m, s, q->word, q->len, 0, query_budget(q, q->len), q);
    if (!q->any) return;
    cn = rf_collapse_doubles(c, q->word, q->len);
    id = rf_strmap_get(m->spelling_map, c, cn);
    if (id != RF_STRMAP_MISSING) gather_vocab_chain(m, s, m->spellings[id].vocabs);
}

/* Every spelling's typo neighbours, searched once here rather than for every party word
 * written so. */
static void gather_joined(const rf_matcher *m, rf_scratch *s, const char *word, size_t len);

static int index_near(rf_matcher *m)
{
    rf_scratch s;
    int rc = RF_OK;

    memset(&s, 0, sizeof s);
    s.vocab_mask = calloc(m->n_vocab ? m->n_vocab : 1, sizeof *s.vocab_mask);
    s.vocab_found = malloc((m->n_vocab ? m->n_vocab : 1) * sizeof *s.vocab_found);
    s.joined_seen = calloc(m->n_joined ? m->n_joined : 1, sizeof *s.joined_seen);
    s.joined_found = malloc((m->n_joined ? m->n_joined : 1) * sizeof *s.joined_found);
    s.vocab_only = 1;
    s.bits = 1;
    if (!s.vocab_mask || !s.vocab_found || !s.joined_seen || !s.joined_found) rc = RF_ENOMEM;
    for (size_t id = 0; id < m->n_spellings && rc == RF_OK; id++) {
        typo_query q;
        uint32_t head = RF_STRMAP_MISSING;
        q.word = m->spelling_text.data + m->spellings[id].text_off;
        q.len = m->spellings[id].len;
        q.letters = m->spellings[id].letters;
        q.any = 1;
        s.n_vocab_found = 0;
        search_spellings(m, &s, &q);
        rc = reserve((void **)&m->chains, &m->cap_chains, m->n_chains + s.n_vocab_found, sizeof *m->chains);
        for (size_t k = 0; k < s.n_vocab_found; k++) {
            if (rc == RF_OK) {
                m->chains[m->n_chains].value = s.vocab_found[k];
                m->chains[m->n_chains].next = head;
                head = (uint32_t)m->n_chains++;
            }
            s.vocab_mask[s.vocab_found[k]] = 0;
        }
        m->spellings[id].near = head;
        /* The same for the listed words written as one that it may be. */
        s.n_joined_found = 0;
        head = RF_STRMAP_MISSING;
        gather_joined(m, &s, q.word, q.len);
        if (rc == RF_OK)
            rc = reserve((void **)&m->chains, &m->cap_chains, m->n_chains + s.n_joined_found, sizeof *m->chains);
        for (size_t k = 0; k < s.n_joined_found; k++) {
            if (rc == RF_OK) {
                m->chains[m->n_chains].value = s.joined_found[k];
                m->chains[m->n_chains].next = head;
                head = (uint32_t)m->n_chains++;
            }
            s.joined_seen[s.joined_found[k]] = 0;
        }
        m->spellings[id].near_joined = head;
    }
    free(s.vocab_mask);
    free(s.vocab_found);
    free(s.joined_seen);
    free(s.joined_found);
    return rc;
}

/* search_spellings for a word pair's party word: from the list made at build time when the
 * word is itself a listed spelling (most words of most orders), else searched. */
static void gather_spellings(const rf_matcher *m, rf_scratch *s, const char *word, size_t len)
{
    uint32_t id = len <= RF_MAX_TOKEN_LEN ? rf_strmap_get(m->spelling_map, word, len) : RF_STRMAP_MISSING;
    typo_query q;
    if (id != RF_STRMAP_MISSING && m->spellings[id].near != RF_STRMAP_MISSING) {
        gather_vocab_chain(m, s, m->spellings[id].near);
        return;
    }
    q.word = word;
    q.len = len;
    q.letters = rf_letter_mask(word, len);
    q.any = 1;
    search_spellings(m, s, &q);
}

/* gather_spellings of a word, and of the word with each x written ks. */
static void gather_written(const rf_matcher *m, rf_scratch *s, const char *word, size_t len)
{
    char ks[2 * RF_MAX_TOKEN_LEN];
    gather_spellings(m, s, word, len);
    if (len <= RF_MAX_TOKEN_LEN && memchr(word, 'x', len)) gather_spellings(m, s, ks, rf_x_as_ks(ks, word, len));
}

/* Two party words written as one (n1 and n2 letters), as the scorer pairs them with one
 * listed word: as written, or, both of three letters or more, within rf_typo_budget. */
static void gather_merged_pair(const rf_matcher *m, rf_scratch *s, const char *joined, size_t n1, size_t n2)
{
    typo_query q;
    uint32_t id;
    if (n1 < 3 || n2 < 3) {
        id = rf_strmap_get(m->spelling_map, joined, n1 + n2);
        if (id != RF_STRMAP_MISSING) gather_vocab_chain(m, s, m->spellings[id].vocabs);
        return;
    }
    q.word = joined;
    q.len = n1 + n2;
    q.letters = rf_letter_mask(joined, q.len);
    q.any = 0;
    search_spellings(m, s, &q);
}

/* The listed words with the consonant skeleton of `word`: Latin ones for a word written
 * without vowels, and the other way round. */
static void gather_skeleton(const rf_matcher *m, rf_scratch *s, const char *word, size_t len, int consonants)
{
    char skeleton[2 * RF_MAX_TOKEN_LEN];
    size_t n;
    if (len > sizeof skeleton) return;
    n = rf_consonant_skeleton(skeleton, word, len);
    if (n == 0) return;
    gather_vocab_chain(m, s, rf_strmap_get(consonants ? m->skeletons : m->skeletons_c, skeleton, n));
    if (consonants) gather_name_chain(m, s, rf_strmap_get(m->merged_skeletons, skeleton, n));
}

void rf_side_from_tokens(rf_side *side, const rf_matcher *m, const rf_tokens *t)
{
    side->n = t->count;
    side->organisation = 0;
    for (size_t i = 0; i < t->count; i++) {
        rf_tok_class cls = (rf_tok_class)t->items[i].cls;
        side->text[i] = rf_token_text(t, i);
        side->len[i] = t->items[i].text_len;
        side->surf[i] = rf_token_surface(t, i);
        side->surf_len[i] = t->items[i].surf_len;
        side->letters[i] = rf_letter_mask(side->surf[i], side->surf_len[i]);
        side->origin[i] = t->items[i].origin;
        side->nickname[i] = (uint8_t)(cls == RF_TOK_WORD &&
                                      rf_lexicon_nickname(rf_lexicon_get(), side->surf[i], side->surf_len[i], NULL, 0));
        side->cls[i] = (uint8_t)cls;
        side->vocab[i] = m ? rf_strmap_get(m->vocab_map, side->text[i], side->len[i]) : RF_STRMAP_MISSING;
        if (!m) side->weight[i] = rf_class_weight(cls);
        else if (side->vocab[i] != RF_STRMAP_MISSING) side->weight[i] = m->vocab[side->vocab[i]].weight;
        else side->weight[i] = m->unknown_weight * rf_class_weight(cls);
    }
}

void rf_side_from_name(rf_side *side, const rf_matcher *m, uint32_t name_id)
{
    const rf_lname *ln = &m->names[name_id];
    side->n = ln->ntok;
    side->organisation = 0;
    for (size_t i = 0; i < ln->ntok; i++) {
        const rf_ltoken *lt = &m->ltokens[ln->tok_off + i];
        const rf_vocab *v = &m->vocab[lt->vocab];
        side->text[i] = m->vocab_text.data + v->text_off;
        side->len[i] = v->len;
        side->surf[i] = lt->surf_len ? m->surface_text.data + lt->surf_off : side->text[i];
        side->surf_len[i] = lt->surf_len ? lt->surf_len : v->len;
        side->letters[i] = lt->letters;
        side->origin[i] = lt->origin;
        side->nickname[i] = 1;
        side->cls[i] = lt->cls;
        side->vocab[i] = lt->vocab;
        side->weight[i] = v->weight;
    }
}

/* Gathers the names of joined listed words `id` (building the index: notes the id). */
static void gather_joined_names(const rf_matcher *m, rf_scratch *s, uint32_t id)
{
    if (!s->vocab_only) {
        gather_name_chain(m, s, m->joined[id].names);
    } else if (!s->joined_seen[id]) {
        s->joined_seen[id] = 1;
        s->joined_found[s->n_joined_found++] = id;
    }
}

/* Gathers the names of joined listed words `id` when they are, both of three letters or more,
 * within the typo budget of `word`. */
static void gather_joined_if_typo(const rf_matcher *m, rf_scratch *s, uint32_t id, const char *word, size_t len,
                                  uint32_t letters)
{
    const rf_joined *j = &m->joined[id];
    int budget = rf_typo_budget(j->len < len ? j->len : len);
    if (j->typo_filed && __builtin_popcount(letters ^ j->letters) <= 2 * budget &&
        rf_osa_distance(word, len, m->joined_text.data + j->text_off, j->len, budget) <= budget)
        gather_joined_names(m, s, id);
}

/* The names with two adjacent words that, written as one, are `word`, or within a typo of
 * it: they are filed as written and with a letter deleted in merged_deletes, the word's own
 * deletions (one or two letters) looked up there.
 * A typo found only with two letters deleted from the listed words (two replaced) is not. */
static void gather_joined(const rf_matcher *m, rf_scratch *s, const char *word, size_t len)
{
    char buf[RF_MAX_TOKEN_LEN], buf2[RF_MAX_TOKEN_LEN];
    uint32_t letters = rf_letter_mask(word, len), id = rf_strmap_get(m->merged, word, len);
    int budget = rf_typo_budget(len);

    if (id != RF_STRMAP_MISSING) gather_joined_names(m, s, id);
    if (len > RF_MAX_TOKEN_LEN || budget == 0) return;
    for (uint32_t node = rf_strmap_get(m->merged_deletes, word, len); node != RF_STRMAP_MISSING; node = m->chains[node].next)
        gather_joined_if_typo(m, s, m->chains[node].value, word, len, letters);
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, word, i);
        memcpy(buf + i, word + i + 1, len - i - 1);
        for (uint32_t node = rf_strmap_get(m->merged_deletes, buf, len - 1); node != RF_STRMAP_MISSING;
             node = m->chains[node].next)
            gather_joined_if_typo(m, s, m->chains[node].value, word, len, letters);
        for (size_t k = i; budget > 1 && k + 1 < len; k++) {
            memcpy(buf2, buf, k);
            memcpy(buf2 + k, buf + k + 1, len - 2 - k);
            for (uint32_t node = rf_strmap_get(m->merged_deletes, buf2, len - 2); node != RF_STRMAP_MISSING;
                 node = m->chains[node].next)
                gather_joined_if_typo(m, s, m->chains[node].value, word, len, letters);
        }
    }
}

size_t rf_index_candidates(const rf_matcher *m, rf_scratch *s)
{
    const rf_side *p = &s->side;

    s->n_touched = 0;
    s->n_vocab_found = 0;
    s->always = s->short_words = 0;
    s->joined_letters = 0;
    memset(s->first_letter, 0, sizeof s->first_letter);
    for (size_t i = 0; i < p->n; i++) {
        const char *w = p->surf[i];
        size_t len = p->surf_len[i];
        int consonants = p->origin[i] == RF_ORIGIN_CONSONANTS;
        uint64_t bit = (uint64_t)1 << i;
        if (p->cls[i] == RF_TOK_LEGAL || p->cls[i] == RF_TOK_STOP) s->always |= bit;
        else s->joined_letters += len;
        if (len <= 2) s->short_words |= bit;
        if (len && w[0] >= 'a' && w[0] <= 'z') s->first_letter[w[0] - 'a'] |= bit;
        s->bits = bit;
        if (p->vocab[i] != RF_STRMAP_MISSING) gather(m, s, p->vocab[i]);
        /* Numbers pair only as written. */
        if (p->cls[i] == RF_TOK_NUMBER) continue;
        gather_written(m, s, w, len);
        if (p->cls[i] == RF_TOK_WORD) gather_skeleton(m, s, w, len, consonants);
        if (p->nickname[i]) gather_vocab_chain(m, s, rf_strmap_get(m->nicknames, w, len));
        gather_vocab_chain(m, s, rf_strmap_get(m->phrase_words, w, len));
        if (p->cls[i] != RF_TOK_STOP) {
            uint32_t id = len <= RF_MAX_TOKEN_LEN ? rf_strmap_get(m->spelling_map, w, len) : RF_STRMAP_MISSING;
            if (id == RF_STRMAP_MISSING) gather_joined(m, s, w, len);
            for (uint32_t node = id == RF_STRMAP_MISSING ? id : m->spellings[id].near_joined;
                 node != RF_STRMAP_MISSING; node = m->chains[node].next)
                gather_name_chain(m, s, m->joined[m->chains[node].value].names);
        }
        /* This word and the next written as one. */
        if (i + 1 < p->n && len + p->surf_len[i + 1] <= RF_MAX_TOKEN_LEN) {
            char joined[RF_MAX_TOKEN_LEN];
            size_t n = len + p->surf_len[i + 1];
            memcpy(joined, w, len);
            memcpy(joined + len, p->surf[i + 1], p->surf_len[i + 1]);
            s->bits = bit | bit << 1;
            gather_merged_pair(m, s, joined, len, p->surf_len[i + 1]);
            gather_skeleton(m, s, joined, n, consonants);
        }
    }
    return s->n_touched;
}

/* The bound, from the form of the score: the weight of its pairs (sim at most 1) over that
 * plus at least each unpaired party word's weight and a fifth of each unpaired listed word's
 * (see score.c). A party word can pair with the name only if its look-ups reached one of the
 * name's words, or two of them written as one; the rest are unpaired, except legal forms and
 * stop words, and a person's initials (either side), which are taken as paired, and a long
 * party word whose length and letters allow it to be two adjacent listed words with two typos
 * (the one such typo gather_joined does not look up). A pair weighs at most half its party
 * words plus its listed words (all of them, when a misspelt party word takes the listed
 * word's weight). A person's name compared whole (letters within two edits) escapes the
 * bound: when the lengths allow it, the bound is 1. */
double rf_index_score_bound(const rf_matcher *m, const rf_scratch *s, uint32_t name_id, int person)
{
    const rf_lname *ln = &m->names[name_id];
    const rf_ltoken *lt = &m->ltokens[ln->tok_off];
    const rf_side *p = &s->side;
    uint64_t paired = s->always | s->name_mask[name_id] | (person ? s->short_words : 0);
    int all_listed = s->name_mask[name_id] != 0 || (person && s->short_words);
    uint8_t reached[RF_MAX_TOKENS];
    size_t len[RF_MAX_TOKENS], listed_letters = 0;
    double x = 0, u = 0;

    for (size_t j = 0; j < ln->ntok; j++) {
        uint64_t reach = s->vocab_mask[lt[j].vocab];
        const char *text = lt[j].surf_len ? m->surface_text.data + lt[j].surf_off
                                          : m->vocab_text.data + m->vocab[lt[j].vocab].text_off;
        len[j] = lt[j].surf_len ? lt[j].surf_len : m->vocab[lt[j].vocab].len;
        if (lt[j].cls != RF_TOK_STOP && lt[j].cls != RF_TOK_LEGAL) listed_letters += len[j];
        if (person && len[j] == 1 && text[0] >= 'a' && text[0] <= 'z') reach |= s->first_letter[text[0] - 'a'];
        reached[j] = reach || all_listed || (person && len[j] == 1) || (lt[j].cls == RF_TOK_LEGAL && s->always);
        paired |= reach;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (paired >> i & 1 || p->surf_len[i] < 9) continue;
        for (size_t j = 0; j + 1 < ln->ntok; j++) {
            size_t n = len[j] + len[j + 1];
            if (len[j] >= 3 && len[j + 1] >= 3 && n + 2 >= p->surf_len[i] && n <= p->surf_len[i] + 2U &&
                __builtin_popcount((lt[j].letters | lt[j + 1].letters) ^ p->letters[i]) <= 4) {
                paired |= (uint64_t)1 << i;
                reached[j] = reached[j + 1] = 1;
            }
        }
    }
    if (person && s->joined_letters >= 10 && s->joined_letters <= RF_MAX_TOKEN_LEN && listed_letters >= 10 &&
        listed_letters <= RF_MAX_TOKEN_LEN && listed_letters + 2 >= s->joined_letters &&
        s->joined_letters + 2 >= listed_letters)
        return 1.0;
    for (size_t j = 0; j < ln->ntok; j++) {
        double w = m->vocab[lt[j].vocab].weight;
        if (reached[j]) x += w;
        else u += 0.2 * w;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (paired >> i & 1) x += 0.5 * p->weight[i];
        else u += p->weight[i];
    }
    return x > 0 ? x / (x + u) : 0.0;
}

void rf_index_release(rf_scratch *s)
{
    for (size_t k = 0; k < s->n_touched; k++) {
        s->seen[s->touched[k]] = 0;
        s->name_mask[s->touched[k]] = 0;
    }
    for (size_t k = 0; k < s->n_vocab_found; k++) s->vocab_mask[s->vocab_found[k]] = 0;
    s->n_touched = 0;
    s->n_vocab_found = 0;
}
