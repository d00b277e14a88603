/* index.c: the in-memory index over every listed name of a snapshot, and candidate retrieval.
 *
 * Each listed name is tokenized once. Every distinct token is a vocabulary entry with the list
 * of names that contain it (postings) and a weight from its rarity and class. Typos are found
 * without scanning the vocabulary: every word of four letters or more is also filed under its
 * variants with one letter deleted (and two, from nine letters on, where two typos are
 * allowed), and a party's word looks up its own deletions (SymSpell); the typo neighbours of
 * the listed words themselves are found once, at build. Adjacent listed words are also filed
 * joined ("JSC ARGUMENT" under "jscargument"), whole names under their canonical form, for
 * names with no telling word, and words under their consonants, for names written in scripts
 * without vowels ("mhmd"). Given names are filed under their familiar forms (Stephen, Steven),
 * and the words of the lexicon's business words and places under the telling listed words a
 * typo away ("petrochemical": PETROCHEMIAL). Names without a telling word are filed under
 * pairs of their business words, which find them whatever else the party says. A party's
 * word is also read as two listed words run together, one of them perhaps misspelt
 * ("NaresLekhakul": NARIS LEKHAKUL), or the two with typos anywhere, through the pairs of
 * adjacent listed words filed under each of their words ("Microelectronics": AMIRCO
 * ELECTRONICS), two of its words as one misspelt listed word ("CHONG BONgG": CHONGBONG),
 * and a word the lexicon took for a misspelt legal form or a title as written ("ACSIC":
 * CASIC).
 *
 * Every name found is bounded, however many a common word finds, and scored only when an
 * upper bound on its score, read from the scorer's own formula, the necessary conditions of
 * each way it pairs words and the scorer's caps, reaches the threshold (score_bound): that
 * bound never drops a name that would score at or above it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lexicon.h"
#include "matcher.h"

#define MAX_WEAK_WORDS 32

int rf_engine__reserve(void **items, size_t *cap, size_t need, size_t size)
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

/* The two bits of a key in the filter of the deletion map. */
static inline uint64_t filter_bit(uint64_t h, int which)
{
    return which ? (h >> 32) & RF_DELETE_FILTER_MASK : h & RF_DELETE_FILTER_MASK;
}

static int chain_push(rf_matcher *m, rf_strmap *map, const char *key, size_t len, uint32_t value)
{
    uint32_t head = rf_strmap__get(map, key, len);
    uint32_t node;
    int rc;

    /* The same value filed twice in a row under one key (a word with repeated letters has
     * equal deletions) is kept once. */
    if (head != RF_STRMAP_MISSING && m->chains[head].value == value) return RF_OK;
    rc = rf_engine__reserve((void **)&m->chains, &m->cap_chains, m->n_chains + 1, sizeof *m->chains);
    if (rc != RF_OK) return rc;
    node = (uint32_t)m->n_chains++;
    m->chains[node].value = value;
    m->chains[node].next = head;
    if (head == RF_STRMAP_MISSING) {
        rc = rf_strmap__put(map, key, len, node, NULL);
        if (rc != RF_OK) return rc;
    } else {
        rf_strmap__set(map, key, len, node);
    }
    return RF_OK;
}

/* Files `w` as a spelling of vocabulary word `vocab`; *id receives its index, or
 * RF_STRMAP_MISSING when that spelling was filed before. */
static int file_spelling(uint32_t *id, rf_matcher *m, uint32_t vocab, const char *w, size_t len)
{
    uint32_t next = (uint32_t)m->n_spellings, existing;
    int rc = rf_strmap__put(m->spelling_map, w, len, next, &existing);

    *id = RF_STRMAP_MISSING;
    if (rc != RF_OK || existing != next) return rc;
    rc = rf_engine__reserve((void **)&m->spellings, &m->cap_spellings, m->n_spellings + 1, sizeof *m->spellings);
    if (rc != RF_OK) return rc;
    memset(&m->spellings[next], 0, sizeof m->spellings[next]); /* padding too: it is stored */
    m->spellings[next].vocab = vocab;
    m->spellings[next].text_off = (uint32_t)m->spelling_text.len;
    m->spellings[next].len = (uint16_t)len;
    m->spellings[next].letters = rf_letter__mask(w, len);
    m->n_spellings++;
    rc = rf_buf_append(&m->spelling_text, w, len);
    if (rc == RF_OK) rc = rf_buf_putc(&m->spelling_text, '\0');
    *id = next;
    return rc;
}


/* Files a spelling of vocabulary word `vocab` under its one-letter deletions, and under its
 * two-letter ones when it may take two typos, once per spelling. A query's own deletions, up
 * to as many, meet these (SymSpell): every pair of words within two edits shares a string
 * made by deleting at most two letters from each, the same letters of both left in order. */
/* Files spelling `id` under deletion `key` of it, in the map and its filter. */
static int file_deletion(rf_matcher *m, rf_strmap *map, const char *key, size_t len, uint32_t id)
{
    if (map == m->deletes) {
        uint64_t h = rf_hash__bytes(key, len), b0 = filter_bit(h, 0), b1 = filter_bit(h, 1);
        m->delete_filter[b0 >> 6] |= (uint64_t)1 << (b0 & 63);
        m->delete_filter[b1 >> 6] |= (uint64_t)1 << (b1 & 63);
    }
    return chain_push(m, map, key, len, id);
}

/* The typos a listed word allows (typo_sim): a person's two from six letters on. */
static int spelling_budget(size_t len, int person)
{
    return person && len >= 6 ? 2 : rf_typo__budget(len);
}

/* Whether a listed word of `len` letters takes two typos only as a word of a person's name:
 * its deletions of two letters are filed apart (person_deletes), where looking them up costs
 * little, since the deletions of every word of four to six letters share the keys of `deletes`. */
static int person_only_budget(size_t len, int person)
{
    return person && spelling_budget(len, 1) == 2 && rf_typo__budget(len) < 2;
}

/* Files spelling `id` (w, len letters) under itself and its deletions of up to `budget`
 * letters, in `map` (`deletes` or `person_deletes`). */
static int file_deletions(rf_matcher *m, rf_strmap *map, const char *w, size_t len, uint32_t id, int budget)
{
    char buf[RF_MAX_TOKEN_LEN], buf2[RF_MAX_TOKEN_LEN];
    /* Under itself too, where a query's deletions meet it. */
    int rc = file_deletion(m, map, w, len, id);
    for (size_t i = 0; i < len && rc == RF_OK; i++) {
        memcpy(buf, w, i);
        memcpy(buf + i, w + i + 1, len - i - 1);
        rc = file_deletion(m, map, buf, len - 1, id);
        for (size_t j = i; budget > 1 && j + 1 < len && rc == RF_OK; j++) {
            memcpy(buf2, buf, j);
            memcpy(buf2 + j, buf + j + 1, len - 2 - j);
            rc = file_deletion(m, map, buf2, len - 2, id);
        }
    }
    return rc;
}

static int index_spelling(rf_matcher *m, uint32_t vocab, const char *w, size_t len, int person)
{
    uint32_t id;
    int rc;

    if (spelling_budget(len, person) == 0 || len > RF_MAX_TOKEN_LEN) return RF_OK;
    rc = file_spelling(&id, m, vocab, w, len);
    if (rc != RF_OK || id == RF_STRMAP_MISSING) return rc;
    m->spellings[id].person = (uint8_t)person;
    if (rf_typo__budget(len) > 0) rc = file_deletions(m, m->deletes, w, len, id, rf_typo__budget(len));
    if (rc == RF_OK && person_only_budget(len, person)) rc = file_deletions(m, m->person_deletes, w, len, id, 2);
    return rc;
}

/* Every spelling of the words worth a typo search: all but legal forms (corrected by the
 * lexicon) and numbers (which must agree exactly). */
static int index_spellings(rf_matcher *m)
{
    int rc = RF_OK;
    /* Which words some listed person's name has: they take a person's typos. */
    uint8_t *person = calloc(m->n_vocab ? m->n_vocab : 1, 1);
    if (!person) return RF_ENOMEM;
    for (size_t n = 0; n < m->n_names; n++)
        for (size_t k = 0; m->names[n].person && k < m->names[n].ntok; k++)
            person[m->ltokens[m->names[n].tok_off + k].vocab] = 1;
    for (size_t v = 0; v < m->n_vocab && rc == RF_OK; v++) {
        uint8_t cls = m->vocab[v].cls;
        if (cls != RF_TOK_LEGAL && cls != RF_TOK_NUMBER)
            rc = index_spelling(m, (uint32_t)v, m->vocab_text.data + m->vocab[v].text_off, m->vocab[v].len,
                                person[v]);
    }
    for (size_t k = 0; k < m->n_ltokens && rc == RF_OK; k++) {
        const rf_ltoken *lt = &m->ltokens[k];
        if (lt->surf_len && lt->cls != RF_TOK_LEGAL && lt->cls != RF_TOK_NUMBER)
            rc = index_spelling(m, lt->vocab, m->surface_text.data + lt->surf_off, lt->surf_len, person[lt->vocab]);
    }
    /* And as OCR would misread them, which is how a party's word is looked up too
     * (rf_ocr__fold): "mill" is filed as "miii", where "Mi1l" and "MiIl" find it. */
    for (size_t v = 0; v < m->n_vocab && rc == RF_OK; v++) {
        char f[RF_MAX_TOKEN_LEN];
        size_t n;
        if (m->vocab[v].cls == RF_TOK_LEGAL || m->vocab[v].cls == RF_TOK_NUMBER || m->vocab[v].len > RF_MAX_TOKEN_LEN) continue;
        n = rf_ocr__fold(f, m->vocab_text.data + m->vocab[v].text_off, m->vocab[v].len);
        if (n == m->vocab[v].len && memcmp(f, m->vocab_text.data + m->vocab[v].text_off, n) == 0) continue;
        if (spelling_budget(n, person[v]) > 0) {
            rc = index_spelling(m, (uint32_t)v, f, n, person[v]);
        } else { /* no typos, but read back the same (rf_index__typos) */
            uint32_t id;
            rc = file_spelling(&id, m, (uint32_t)v, f, n);
        }
    }
    free(person);
    /* Numbers as written where that is not their canonical text ("SECOND" for "2"), with no
     * typos (numbers must agree): a party's two words written together are looked up so
     * (listed_word; "Seco nd": SECOND), as the scorer joins them (spells_merged). */
    for (size_t k = 0; k < m->n_ltokens && rc == RF_OK; k++) {
        const rf_ltoken *lt = &m->ltokens[k];
        uint32_t id;
        if (lt->surf_len && lt->cls == RF_TOK_NUMBER && lt->surf_len <= RF_MAX_TOKEN_LEN)
            rc = file_spelling(&id, m, lt->vocab, m->surface_text.data + lt->surf_off, lt->surf_len);
    }
    /* Words with a doubled letter also under their single-letter form ("essa" as "esa"),
     * which a party's word is looked up by too: as a spelling, and in `doubles` with every
     * other word of that form (a spelling names one word, and "tata" is TATA as well as
     * TAATTA). */
    for (size_t v = 0; v < m->n_vocab && rc == RF_OK; v++) {
        char c[RF_MAX_TOKEN_LEN];
        size_t n;
        uint32_t id;
        if (m->vocab[v].cls == RF_TOK_LEGAL || m->vocab[v].cls == RF_TOK_NUMBER || m->vocab[v].len > RF_MAX_TOKEN_LEN) continue;
        n = rf_collapse__doubles(c, m->vocab_text.data + m->vocab[v].text_off, m->vocab[v].len);
        if (n == m->vocab[v].len) continue;
        rc = file_spelling(&id, m, (uint32_t)v, c, n);
        if (rc == RF_OK) rc = chain_push(m, m->doubles, c, n, (uint32_t)v);
    }
    return rc;
}

static int add_vocab(uint32_t *out, rf_matcher *m, const char *text, size_t len, uint8_t cls)
{
    uint32_t id = (uint32_t)m->n_vocab, existing;
    int rc = rf_strmap__put(m->vocab_map, text, len, id, &existing);
    if (rc != RF_OK) return rc;
    if (existing != id) {
        *out = existing;
        return RF_OK;
    }
    rc = rf_engine__reserve((void **)&m->vocab, &m->cap_vocab, m->n_vocab + 1, sizeof *m->vocab);
    if (rc != RF_OK) return rc;
    m->vocab[id].text_off = (uint32_t)m->vocab_text.len;
    m->vocab[id].len = (uint16_t)len;
    m->vocab[id].cls = cls;
    m->vocab[id].df = 0;
    m->vocab[id].telling = 0;
    m->vocab[id].post_off = 0;
    rc = rf_buf_append(&m->vocab_text, text, len);
    if (rc == RF_OK) rc = rf_buf_putc(&m->vocab_text, '\0');
    m->n_vocab++;
    *out = id;
    return rc;
}

static int by_text(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(*x, *y);
}

/* A whole name's key in the exact map: its words but stop words, sorted, so that
 * "MUHAMMAD, 'Ali" and "'Ali Muhammad" meet. Returns the key length (0: no key). */
static size_t exact_key(char *key, size_t cap, const rf_side *side)
{
    const char *words[RF_MAX_TOKENS];
    size_t n = 0, klen = 0;

    for (size_t i = 0; i < side->unit; i++)
        if (side->cls[i] != RF_TOK_STOP && side->cls[i] != RF_TOK_LEGAL) words[n++] = side->text[i];
    qsort(words, n, sizeof words[0], by_text);
    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(words[i]);
        if (klen + wl + 1 >= cap) return 0;
        if (klen) key[klen++] = ' ';
        memcpy(key + klen, words[i], wl);
        klen += wl;
    }
    return klen;
}

/* Words of the cities and regions in the listed addresses are places: weak evidence. */
static int collect_places(rf_matcher *m, rf_translit *tr)
{
    rf_buf words = {0};
    int rc = rf_strmap__new(&m->places, 4096);

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
            rc = rf_normalize__words(&words, tr, city, clen);
            for (size_t i = 0; i < words.len && rc == RF_OK;) {
                size_t j = i;
                int alpha = 1;
                while (j < words.len && words.data[j] != ' ') {
                    if (words.data[j] < 'a' || words.data[j] > 'z') alpha = 0;
                    j++;
                }
                if (alpha && j - i >= 4)
                    rc = rf_strmap__put(m->places, words.data + i, j - i, 1, NULL);
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

    m->country_off = malloc((n ? n : 1) * sizeof *m->country_off);
    if (!m->country_off) return RF_ENOMEM;
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
        m->country_off[e] = rc == RF_OK && b.len > 1 ? (uint32_t)m->country_text.len : RF_STRMAP_MISSING;
        if (rc == RF_OK && b.len > 1) rc = rf_buf_append(&m->country_text, b.data, b.len + 1);
    }
    rf_buf_free(&b);
    return rc;
}

const char *rf_matcher__countries(const rf_matcher *m, uint32_t e)
{
    return m->country_off[e] == RF_STRMAP_MISSING ? NULL : m->country_text.data + m->country_off[e];
}

/* Files token i of `t` (vocabulary id `vocab`) among the forms of listed words; *out receives
 * its form's index. The weight is the vocabulary's, set once the names are counted. */
static int file_form(uint32_t *out, rf_matcher *m, const rf_tokens *t, size_t i, uint32_t vocab)
{
    const char *surf = rf_token_surface(t, i);
    size_t len = t->items[i].surf_len;
    char key[RF_MAX_TOKENS * (RF_MAX_TOKEN_LEN + 1) + 3], folded[RF_MAX_TOKENS * (RF_MAX_TOKEN_LEN + 1)];
    uint32_t id = (uint32_t)m->n_forms, existing;
    rf_form *f;
    size_t n;
    int rc;

    if (len > sizeof folded) len = sizeof folded;
    memcpy(key, surf, len);
    key[len] = '\0';
    key[len + 1] = (char)(t->items[i].cls + 1);
    key[len + 2] = (char)(t->items[i].origin + 1);
    rc = rf_strmap__put(m->form_map, key, len + 3, id, &existing);
    *out = existing;
    if (rc != RF_OK || existing != id) return rc;
    rc = rf_engine__reserve((void **)&m->forms, &m->cap_forms, m->n_forms + 1, sizeof *m->forms);
    if (rc != RF_OK) return rc;
    f = &m->forms[m->n_forms++];
    memset(f, 0, sizeof *f); /* padding too: it is stored */
    n = rf_ocr__fold(folded, surf, len);
    f->letters = rf_letter__mask(surf, len);
    f->ocr_letters = rf_letter__mask(folded, n);
    f->vocab = vocab;
    f->text_off = (uint32_t)m->form_text.len;
    f->len = (uint16_t)len;
    f->ocr_len = (uint16_t)n;
    f->cls = t->items[i].cls;
    f->origin = t->items[i].origin;
    f->first = len ? surf[0] : 0;
    f->second = len > 1 ? surf[1] : 0;
    f->nickname = 1;
    f->phrase = t->items[i].cls != RF_TOK_STOP && memchr(surf, ' ', len) != NULL;
    f->weight = 0;
    return rf_buf_append(&m->form_text, surf, len);
}

/* The key of two business words in the map of names without a telling word: the two in
 * order, so that either word order finds it. Returns its length (0: too long). */
static size_t weak_pair_key(char *key, const char *a, size_t na, const char *b, size_t nb)
{
    int swap = memcmp(a, b, na < nb ? na : nb) > 0 || (memcmp(a, b, na < nb ? na : nb) == 0 && na > nb);
    if (na + nb + 1 > 2 * RF_MAX_TOKEN_LEN + 1) return 0;
    if (swap) {
        const char *t = a;
        size_t nt = na;
        a = b, na = nb, b = t, nb = nt;
    }
    memcpy(key, a, na);
    key[na] = '|';
    memcpy(key + na + 1, b, nb);
    return na + nb + 1;
}

/* The most words of a phrase filed by their pairs (file_weak_phrase). */
#define MAX_PHRASE_WORDS 8

/* Files the name being indexed under the pairs of the words of generic token `g`'s phrase
 * ("fondo de inversiones") with each other and with each other generic token's canonical
 * text: the scorer pairs a phrase's words written apart one by one, as written or a typo away
 * (pair_split_phrases), and a party's words are looked up as written and as the words their
 * typos are (rf_index__candidates). So each word of the phrase is filed as written and as its
 * canonical form alone ("inversiones": investment). */
static int file_weak_phrase(rf_matcher *m, const rf_tokens *t, rf_translit *tr, const size_t *generic, size_t n,
                            size_t g)
{
    const char *surf = rf_token_surface(t, generic[g]), *end = surf + t->items[generic[g]].surf_len;
    const char *form[2 * MAX_PHRASE_WORDS];
    size_t flen[2 * MAX_PHRASE_WORDS], word_of[2 * MAX_PHRASE_WORDS], forms = 0, words = 0;
    char canon[MAX_PHRASE_WORDS][RF_MAX_TOKEN_LEN];
    char key[2 * RF_MAX_TOKEN_LEN + 1];
    rf_tokens one = {0};
    int rc = RF_OK;

    if (!memchr(surf, ' ', t->items[generic[g]].surf_len)) return RF_OK;
    for (const char *w = surf, *next; w < end && words < MAX_PHRASE_WORDS && rc == RF_OK; w = next, words++) {
        size_t wlen = rf_phrase__word(w, end, &next);
        form[forms] = w, flen[forms] = wlen, word_of[forms++] = words;
        rc = rf_engine__tokenize(&one, m->lex, NULL, NULL, tr, w, wlen, 0);
        if (rc == RF_OK && one.count == 1 && one.items[0].text_len <= RF_MAX_TOKEN_LEN &&
            (one.items[0].text_len != wlen || memcmp(rf_token_text(&one, 0), w, wlen) != 0)) {
            memcpy(canon[words], rf_token_text(&one, 0), one.items[0].text_len);
            form[forms] = canon[words], flen[forms] = one.items[0].text_len, word_of[forms++] = words;
        }
    }
    rf_buf_free(&one.text);
    for (size_t a = 0; a < forms && rc == RF_OK; a++) {
        size_t klen;
        for (size_t b = 0; b < n && rc == RF_OK; b++) {
            if (b == g) continue;
            klen = weak_pair_key(key, form[a], flen[a], rf_token_text(t, generic[b]), t->items[generic[b]].text_len);
            if (klen) rc = chain_push(m, m->weak_names, key, klen, (uint32_t)m->n_names);
        }
        for (size_t b = a + 1; b < forms && rc == RF_OK; b++) {
            if (word_of[b] == word_of[a]) continue;
            klen = weak_pair_key(key, form[a], flen[a], form[b], flen[b]);
            if (klen) rc = chain_push(m, m->weak_names, key, klen, (uint32_t)m->n_names);
        }
    }
    return rc;
}

/* Files the name being indexed when none of its words is telling: under each pair of its
 * business words, its one business word, or (without any) each of its words. Such a name
 * ("COMMERCIAL INDUSTRIAL AND INVESTMENT BANK", "AEROSPACE COMMUNICATIONS HOLDINGS GROUP
 * COMPANY LIMITED") escapes the cap on matches without a telling word, so a party may reach
 * it through business words alone, even one holding telling words of its own; but not
 * without two of its business words when it has two, nor through its places and legal forms
 * beside them. Filed under one word, the hundred such names with "industry" or "bank" would be
 * bounded for every party that says it. A business word that is a phrase files the name
 * under the pairs of its words too (file_weak_phrase). */
static int file_weak_name(rf_matcher *m, const rf_tokens *t, rf_translit *tr)
{
    size_t generic[RF_MAX_TOKENS], n = 0;
    char key[2 * RF_MAX_TOKEN_LEN + 1];
    int rc = RF_OK;

    for (size_t i = 0; i < t->count; i++) {
        if (t->items[i].cls == RF_TOK_WORD || t->items[i].cls == RF_TOK_NUMBER) return RF_OK;
        if (t->items[i].cls == RF_TOK_GENERIC) generic[n++] = i;
    }
    for (size_t g = 0; g < n && rc == RF_OK; g++) rc = file_weak_phrase(m, t, tr, generic, n, g);
    if (rc != RF_OK) return rc;
    if (n == 0) {
        for (size_t i = 0; i < t->count && rc == RF_OK; i++)
            if (t->items[i].cls != RF_TOK_STOP)
                rc = chain_push(m, m->weak_names, rf_token_text(t, i), t->items[i].text_len, (uint32_t)m->n_names);
        return rc;
    }
    if (n == 1)
        return chain_push(m, m->weak_names, rf_token_text(t, generic[0]), t->items[generic[0]].text_len,
                          (uint32_t)m->n_names);
    for (size_t a = 0; a < n && rc == RF_OK; a++) {
        for (size_t b = a + 1; b < n && rc == RF_OK; b++) {
            size_t klen = weak_pair_key(key, rf_token_text(t, generic[a]), t->items[generic[a]].text_len,
                                        rf_token_text(t, generic[b]), t->items[generic[b]].text_len);
            if (klen) rc = chain_push(m, m->weak_names, key, klen, (uint32_t)m->n_names);
        }
    }
    return rc;
}

static int index_name(rf_matcher *m, rf_tokens *t, rf_translit *tr, uint32_t entity, size_t name_index)
{
    rf_lname *ln;
    rf_side side;
    char key[RF_MAX_TOKENS * (RF_MAX_TOKEN_LEN + 1)];
    size_t klen;
    int rc;

    /* A "name" that is only a legal form ("PAO") or stop words names nobody. */
    {
        size_t telling = 0;
        for (size_t i = 0; i < t->count; i++) telling += t->items[i].cls != RF_TOK_LEGAL && t->items[i].cls != RF_TOK_STOP;
        if (telling == 0) return RF_OK;
    }
    rc = rf_engine__reserve((void **)&m->names, &m->cap_names, m->n_names + 1, sizeof *m->names);
    if (rc == RF_OK)
        rc = rf_engine__reserve((void **)&m->ltokens, &m->cap_ltokens, m->n_ltokens + t->count, sizeof *m->ltokens);
    if (rc != RF_OK) return rc;
    ln = &m->names[m->n_names];
    memset(ln, 0, sizeof *ln); /* padding too: it is stored */
    ln->entity = entity;
    ln->name_index = (uint16_t)name_index;
    ln->ntok = (uint16_t)t->count;
    ln->tok_off = (uint32_t)m->n_ltokens;
    ln->person = rf_snapshot_entity(m->snap, entity)->type == RF_ENTITY_PERSON;
    for (size_t i = 0; i < t->count && rc == RF_OK; i++) {
        rf_ltoken *lt = &m->ltokens[m->n_ltokens++];
        size_t vocab_before = m->n_vocab;
        rc = add_vocab(&lt->vocab, m, rf_token_text(t, i), t->items[i].text_len, t->items[i].cls);
        if (rc == RF_OK && (t->items[i].cls == RF_TOK_WORD || t->items[i].cls == RF_TOK_NUMBER)) m->vocab[lt->vocab].telling = 1;
        if (rc == RF_OK && m->n_vocab > vocab_before && t->items[i].cls == RF_TOK_WORD &&
            t->items[i].origin != RF_ORIGIN_CONSONANTS && t->items[i].surf_len <= RF_MAX_TOKEN_LEN) {
            /* Filed by its consonants, for names written in scripts without vowels. */
            char skeleton[RF_MAX_TOKEN_LEN];
            size_t n =
                rf_consonant__skeleton(skeleton, rf_token_surface(t, i), t->items[i].surf_len);
            if (n >= 2) rc = chain_push(m, m->skeletons, skeleton, n, lt->vocab);
        }
        lt->cls = t->items[i].cls;
        lt->origin = t->items[i].origin;
        lt->surf_off = lt->surf_len = 0;
        lt->letters = rf_letter__mask(rf_token_surface(t, i), t->items[i].surf_len);
        if (rc == RF_OK) rc = rf_engine__reserve((void **)&m->bound_tokens, &m->cap_bound_tokens, m->n_ltokens, sizeof *m->bound_tokens);
        if (rc == RF_OK) rc = file_form(&m->bound_tokens[m->n_ltokens - 1].form, m, t, i, lt->vocab);
        if (rc == RF_OK && (t->items[i].surf_len != t->items[i].text_len ||
                            memcmp(rf_token_surface(t, i), rf_token_text(t, i), t->items[i].text_len) != 0)) {
            /* Kept only where it differs from the canonical text. */
            lt->surf_off = (uint32_t)m->surface_text.len;
            lt->surf_len = t->items[i].surf_len;
            rc = rf_buf_append(&m->surface_text, rf_token_surface(t, i), t->items[i].surf_len);
        }
        lt->src_start = t->items[i].src_start;
        lt->src_len = t->items[i].src_len;
        if (rc == RF_OK && i + 1 < t->count &&
            (t->items[i].cls != RF_TOK_STOP || t->items[i + 1].cls != RF_TOK_STOP)) {
            /* As written: "Huawei Technologies" is filed as "huaweitechnologies". */
            char joined[RF_MAX_TOKEN_LEN * 8];
            size_t a = t->items[i].surf_len, b = t->items[i + 1].surf_len;
            if (a + b <= sizeof joined && !memchr(rf_token_surface(t, i), ' ', a) &&
                !memchr(rf_token_surface(t, i + 1), ' ', b)) {
                memcpy(joined, rf_token_surface(t, i), a);
                memcpy(joined + a, rf_token_surface(t, i + 1), b);
                rc = chain_push(m, m->merged, joined, a + b, (uint32_t)m->n_names);
            }
        }
    }
    rf_side__from_tokens(&side, NULL, t);
    klen = exact_key(key, sizeof key, &side);
    if (rc == RF_OK && klen) rc = chain_push(m, m->exact, key, klen, (uint32_t)m->n_names);
    if (rc == RF_OK) rc = file_weak_name(m, t, tr);
    if (rc == RF_OK) m->n_names++;
    return rc;
}

/* Postings (names per vocabulary entry, each name once) and weights from rarity. */
static int build_postings(rf_matcher *m)
{
    size_t total = 0;
    uint32_t *fill;
    double n = (double)(m->n_names ? m->n_names : 1);

    for (size_t k = 0; k < m->n_names; k++) {
        const rf_lname *ln = &m->names[k];
        for (size_t i = 0; i < ln->ntok; i++) {
            uint32_t v = m->ltokens[ln->tok_off + i].vocab;
            int seen = 0;
            for (size_t j = 0; j < i; j++) seen |= m->ltokens[ln->tok_off + j].vocab == v;
            if (!seen) m->vocab[v].df++;
        }
    }
    for (size_t v = 0; v < m->n_vocab; v++) {
        m->vocab[v].post_off = (uint32_t)total;
        total += m->vocab[v].df;
        m->vocab[v].weight = (float)(log(1.0 + n / (m->vocab[v].df + 0.5)) *
                                     rf_class__weight((rf_tok_class)m->vocab[v].cls));
    }
    m->unknown_weight = (float)log(1.0 + n / 0.5);
    m->postings = malloc((total ? total : 1) * sizeof *m->postings);
    fill = calloc(m->n_vocab ? m->n_vocab : 1, sizeof *fill);
    if (!m->postings || !fill) {
        free(fill);
        return RF_ENOMEM;
    }
    for (size_t k = 0; k < m->n_names; k++) {
        const rf_lname *ln = &m->names[k];
        for (size_t i = 0; i < ln->ntok; i++) {
            uint32_t v = m->ltokens[ln->tok_off + i].vocab;
            uint32_t at = m->vocab[v].post_off;
            if (fill[v] == 0 || m->postings[at + fill[v] - 1] != (uint32_t)k)
                m->postings[at + fill[v]++] = (uint32_t)k;
        }
    }
    free(fill);
    return RF_OK;
}

/* The typo neighbours of every listed telling word, found once here rather than for every
 * party that writes the word (a party's word the lists know may be a misspelling of another
 * listed word: Gonzales, Gonzalez). */
static int find_neighbours(rf_matcher *m)
{
    size_t total = 0, cap = 0;
    m->near_off = malloc((m->n_vocab + 1) * sizeof *m->near_off);
    if (!m->near_off) return RF_ENOMEM;
    for (size_t v = 0; v < m->n_vocab; v++) {
        uint32_t found[RF_MAX_TYPO_MATCHES];
        size_t n = 0;
        m->near_off[v] = (uint32_t)total;
        if (m->vocab[v].cls == RF_TOK_WORD)
            n = rf_index__typos(m, m->vocab_text.data + m->vocab[v].text_off, m->vocab[v].len,
                                found, RF_MAX_TYPO_MATCHES);
        for (size_t k = 0; k < n; k++) {
            if (found[k] == v) continue;
            if (rf_engine__reserve((void **)&m->near, &cap, total + 1, sizeof *m->near) != RF_OK) return RF_ENOMEM;
            m->near[total++] = found[k];
        }
    }
    m->near_off[m->n_vocab] = (uint32_t)total;
    return RF_OK;
}

/* Files each word of the lexicon's spellings (business words, legal forms, places: what a
 * party's weak words are written as) under the telling listed words a typo away from it: a
 * listed name may hold a business word misspelt, which makes it a word the lexicon lacks. */
static int file_weak_typos(const char *w, size_t len, void *matcher)
{
    rf_matcher *m = matcher;
    uint32_t found[RF_MAX_TYPO_MATCHES];
    size_t n = rf_index__typos(m, w, len, found, RF_MAX_TYPO_MATCHES);
    int rc = RF_OK;
    for (size_t k = 0; k < n && rc == RF_OK; k++)
        if (m->vocab[found[k]].telling) rc = chain_push(m, m->weak_typos, w, len, found[k]);
    return rc;
}

/* file_weak_typos for a place of the lists' addresses (collect_places), which a party's name
 * holds as a place and a listed name may hold misspelt as a telling word: ELLISSA, a town in
 * Congo, is ELISSA EXCHANGE's word a letter apart. */
static int file_place_typos(const char *key, size_t len, uint32_t value, void *matcher)
{
    const rf_matcher *m = matcher;
    (void)value;
    if (rf_strmap__get(m->weak_typos, key, len) != RF_STRMAP_MISSING) return RF_OK; /* the lexicon's */
    return file_weak_typos(key, len, matcher);
}

/* The listed word that `w` is, canonical or as some listed name writes it ("trading" for the
 * canonical "trade"), or RF_STRMAP_MISSING: two party words written together are compared
 * as written (spells_merged). */
static uint32_t listed_word(const rf_matcher *m, const char *w, size_t len)
{
    uint32_t v = rf_strmap__get(m->vocab_map, w, len), id;
    if (v != RF_STRMAP_MISSING) return v;
    id = rf_strmap__get(m->spelling_map, w, len);
    return id == RF_STRMAP_MISSING ? RF_STRMAP_MISSING : m->spellings[id].vocab;
}

/* The listed word that `w`, a part of a party word, is: as listed_word, or a legal form as
 * the lexicon spells it ("JSC"), which the lists file under its canonical text and the
 * scorer joins to the word beside it as written (spells_merged: "JSC'SZMN'", JSC 'SMN'). */
static uint32_t listed_part(const rf_matcher *m, const char *w, size_t len)
{
    uint32_t v = listed_word(m, w, len), e;
    const rf_phrase *ph;
    if (v != RF_STRMAP_MISSING || !m->lex) return v;
    e = rf_strmap__get(m->lex->phrases, w, len);
    if (e == RF_STRMAP_MISSING) return RF_STRMAP_MISSING;
    ph = &m->lex->entries[e];
    return ph->cls == RF_TOK_LEGAL ? rf_strmap__get(m->vocab_map, m->lex->canon.data + ph->canon_off, ph->canon_len)
                                   : RF_STRMAP_MISSING;
}

/* Files listed word `b`, where some listed name writes it so, under its familiar form `a`:
 * as a listed word too, for words too short for a typo ("Ri": YI), which have no spelling. */
static int file_nickname(const char *a, size_t alen, const char *b, size_t blen, void *matcher)
{
    rf_matcher *m = matcher;
    uint32_t v = listed_word(m, b, blen);
    if (v == RF_STRMAP_MISSING || !m->vocab[v].telling) return RF_OK;
    return chain_push(m, m->nicknames, a, alen, v);
}

/* Fills what the bound reads of each listed token from its form, once the weights are known. */
static void fill_bound_tokens(rf_matcher *m)
{
    for (size_t k = 0; k < m->n_names; k++) {
        const rf_lname *ln = &m->names[k];
        rf_bound_token *bt = &m->bound_tokens[ln->tok_off];
        for (size_t j = 0; j < ln->ntok; j++) {
            const rf_form *f = &m->forms[bt[j].form];
            bt[j].vocab = f->vocab;
            bt[j].weight = f->weight;
            bt[j].len = f->len;
            bt[j].cls = f->cls;
            bt[j].flags = f->origin == RF_ORIGIN_CONSONANTS ? RF_BOUND_CONSONANTS : 0;
            for (size_t i = 0; i < ln->ntok; i++)
                if (i != j && m->forms[bt[i].form].vocab == f->vocab) bt[j].flags |= RF_BOUND_REPEATED;
        }
    }
}

/* 1 when listed tokens `a` and `b`, adjacent, are filed as a pair: both three letters or more
 * (spells_merged's typos need it), and no longer joined than the scorer compares. */
static int adjacent_pair(const rf_bound_token *a, const rf_bound_token *b)
{
    return a->len >= 3 && b->len >= 3 && (size_t)a->len + b->len <= RF_MAX_TOKEN_LEN;
}

/* Orders a word's adjacent pairs by side, then by joined length, so that a party word's
 * few pairs of about its length are found without reading the others. */
static int by_side_and_length(const void *x, const void *y)
{
    const rf_adjacent *a = x, *b = y;
    if (a->second != b->second) return a->second < b->second ? -1 : 1;
    if (a->joined != b->joined) return a->joined < b->joined ? -1 : 1;
    return a->name < b->name ? -1 : a->name > b->name;
}

/* Counts per vocabulary word (fill[0 .. n)) into where each word's entries begin (off[v],
 * off[n] the total), fill[v] then the next free entry of word v; returns the total. */
static size_t counts_to_offsets(uint32_t *off, uint32_t *fill, size_t n)
{
    size_t total = 0;
    for (size_t v = 0; v < n; v++) {
        off[v] = (uint32_t)total;
        total += fill[v];
        fill[v] = off[v];
    }
    off[n] = (uint32_t)total;
    return total;
}

/* Files every adjacent pair of listed words under the vocabulary id of each (rf_adjacent), in
 * the order of by_side_and_length. */
static int build_adjacent(rf_matcher *m)
{
    uint32_t *fill;
    size_t total = 0;

    m->adjacent_off = calloc(m->n_vocab + 1, sizeof *m->adjacent_off);
    fill = calloc(m->n_vocab + 1, sizeof *fill);
    if (!m->adjacent_off || !fill) {
        free(fill);
        return RF_ENOMEM;
    }
    for (size_t k = 0; k < m->n_names; k++) {
        const rf_bound_token *bt = &m->bound_tokens[m->names[k].tok_off];
        for (size_t j = 0; j + 1 < m->names[k].ntok; j++) {
            if (!adjacent_pair(&bt[j], &bt[j + 1])) continue;
            fill[bt[j].vocab]++;
            fill[bt[j + 1].vocab]++;
        }
    }
    total = counts_to_offsets(m->adjacent_off, fill, m->n_vocab);
    m->adjacent = calloc(total ? total : 1, sizeof *m->adjacent); /* zeroed: padding is stored */
    if (!m->adjacent) {
        free(fill);
        return RF_ENOMEM;
    }
    for (size_t k = 0; k < m->n_names; k++) {
        const rf_bound_token *bt = &m->bound_tokens[m->names[k].tok_off];
        for (size_t j = 0; j + 1 < m->names[k].ntok; j++) {
            rf_adjacent pair = {0};
            if (!adjacent_pair(&bt[j], &bt[j + 1])) continue;
            pair.name = (uint32_t)k;
            pair.letters = m->forms[bt[j].form].letters | m->forms[bt[j + 1].form].letters;
            pair.joined = (uint8_t)(bt[j].len + bt[j + 1].len);
            pair.at = (uint8_t)j;
            m->adjacent[fill[bt[j].vocab]++] = pair;
            pair.second = 1;
            m->adjacent[fill[bt[j + 1].vocab]++] = pair;
        }
    }
    for (size_t v = 0; v < m->n_vocab; v++)
        qsort(&m->adjacent[m->adjacent_off[v]], m->adjacent_off[v + 1] - m->adjacent_off[v], sizeof *m->adjacent,
              by_side_and_length);
    free(fill);
    return RF_OK;
}

/* Orders a word's splits by side, then by length, as by_side_and_length the adjacent pairs. */
static int by_split_side_and_length(const void *x, const void *y)
{
    const rf_split *a = x, *b = y;
    if (a->second != b->second) return a->second < b->second ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->spelling < b->spelling ? -1 : a->spelling > b->spelling;
}

/* The listed word (vocabulary id) that part `second` of spelling `sp` cut at `cut` is, for a
 * spelling of a telling or business word six letters or more, else RF_STRMAP_MISSING. */
static uint32_t split_part(const rf_matcher *m, const rf_spelling *sp, size_t cut, int second)
{
    const char *w = m->spelling_text.data + sp->text_off;
    uint8_t cls = m->vocab[sp->vocab].cls;
    if (sp->len < 6 || sp->len > RF_MAX_TOKEN_LEN || (!m->vocab[sp->vocab].telling && cls != RF_TOK_GENERIC))
        return RF_STRMAP_MISSING;
    return second ? listed_word(m, w + cut, sp->len - cut) : listed_word(m, w, cut);
}

/* Files every spelling of six letters or more under the listed words it starts and ends with,
 * at each cut leaving three letters or more (rf_split), in the order of
 * by_split_side_and_length. Twice: counting, then filling. */
static int build_splits(rf_matcher *m)
{
    uint32_t *fill = calloc(m->n_vocab + 1, sizeof *fill);
    size_t total = 0;

    m->split_off = calloc(m->n_vocab + 1, sizeof *m->split_off);
    if (!m->split_off || !fill) {
        free(fill);
        return RF_ENOMEM;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            total = counts_to_offsets(m->split_off, fill, m->n_vocab);
            m->splits = calloc(total ? total : 1, sizeof *m->splits); /* zeroed: padding is stored */
            if (!m->splits) {
                free(fill);
                return RF_ENOMEM;
            }
        }
        for (size_t k = 0; k < m->n_spellings; k++) {
            const rf_spelling *sp = &m->spellings[k];
            for (size_t cut = 3; cut + 3 <= sp->len; cut++) {
                for (int second = 0; second < 2; second++) {
                    uint32_t u = split_part(m, sp, cut, second);
                    if (u == RF_STRMAP_MISSING) continue;
                    if (pass == 0) {
                        fill[u]++;
                    } else {
                        rf_split *x = &m->splits[fill[u]++];
                        x->spelling = (uint32_t)k;
                        x->len = (uint8_t)sp->len;
                        x->second = (uint8_t)second;
                    }
                }
            }
        }
    }
    for (size_t v = 0; v < m->n_vocab; v++)
        qsort(&m->splits[m->split_off[v]], m->split_off[v + 1] - m->split_off[v], sizeof *m->splits,
              by_split_side_and_length);
    free(fill);
    return RF_OK;
}

/* Files the lists' telling words and places of six letters or more under their first
 * letters, four or more (rf_matcher.prefixes); letters that begin two such words stand for
 * neither (PREFIX_AMBIGUOUS, past the vocabulary, as a stored map's view reads it). */
#define PREFIX_MIN 4
#define PREFIXED_MIN 6
#define PREFIX_AMBIGUOUS (UINT32_MAX - 1)
static int file_listed_prefixes(rf_matcher *m)
{
    int rc = RF_OK;
    for (size_t v = 0; v < m->n_vocab && rc == RF_OK; v++) {
        const rf_vocab *w = &m->vocab[v];
        const char *text = m->vocab_text.data + w->text_off;
        if ((w->cls != RF_TOK_WORD && w->cls != RF_TOK_PLACE) || w->len < PREFIXED_MIN ||
            memchr(text, ' ', w->len))
            continue;
        for (size_t n = PREFIX_MIN; n < w->len && rc == RF_OK; n++) {
            uint32_t existing;
            rc = rf_strmap__put(m->prefixes, text, n, (uint32_t)v, &existing);
            if (rc == RF_OK && existing != (uint32_t)v) rf_strmap__set(m->prefixes, text, n, PREFIX_AMBIGUOUS);
        }
    }
    return rc;
}

/* A listed form's text, for sorting them. */
typedef struct form_key {
    const char *text;
    size_t len;
    uint32_t form;
} form_key;

/* Orders texts as the run a prefix begins is read (cut_forms_from): byte by byte, a text
 * before the longer ones it begins. */
static int text_order(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int by_form_text(const void *pa, const void *pb)
{
    const form_key *a = pa, *b = pb;
    return text_order(a->text, a->len, b->text, b->len);
}

/* Lists the forms of the lists' telling words (class RF_TOK_WORD: what a hit needs in common)
 * in the order of their text (rf_matcher.cut_forms). */
static int sort_cut_forms(rf_matcher *m)
{
    form_key *keys = malloc((m->n_forms ? m->n_forms : 1) * sizeof *keys);
    size_t n = 0;
    if (!keys) return RF_ENOMEM;
    for (size_t f = 0; f < m->n_forms; f++) {
        if (m->forms[f].cls != RF_TOK_WORD) continue;
        keys[n].text = m->form_text.data + m->forms[f].text_off;
        keys[n].len = m->forms[f].len;
        keys[n++].form = (uint32_t)f;
    }
    qsort(keys, n, sizeof *keys, by_form_text);
    m->cut_forms = malloc((n ? n : 1) * sizeof *m->cut_forms);
    if (!m->cut_forms) {
        free(keys);
        return RF_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) m->cut_forms[k] = keys[k].form;
    m->n_cut_forms = n;
    free(keys);
    return RF_OK;
}

/* The first of rf_matcher.cut_forms that `w` (len bytes) begins, or the one after where it
 * would be. */
static size_t cut_forms_from(const rf_matcher *m, const char *w, size_t len)
{
    size_t lo = 0, hi = m->n_cut_forms;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rf_form *f = &m->forms[m->cut_forms[mid]];
        if (text_order(m->form_text.data + f->text_off, f->len, w, len) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

uint32_t rf_matcher__cut_word(const rf_matcher *m, const char *w, size_t len)
{
    uint32_t v;
    if (len < PREFIX_MIN || rf_strmap__get(m->vocab_map, w, len) != RF_STRMAP_MISSING) return RF_STRMAP_MISSING;
    v = rf_strmap__get(m->prefixes, w, len);
    return v < m->n_vocab ? v : RF_STRMAP_MISSING;
}

int rf_matcher_new(rf_matcher **out, const rf_snapshot *snap, rf_error *err)
{
    rf_matcher *m = calloc(1, sizeof *m);
    rf_translit *tr = NULL;
    rf_tokens t = {0};
    int rc;

    *out = NULL;
    if (!m) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory building the index");
    m->snap = snap;
    m->lex = rf_lexicon__get();
    rc = m->lex ? rf_matcher__begin(m) : RF_ENOMEM;
    if (rc == RF_OK) rc = rf_translit__new(&tr);
    if (rc == RF_OK) rc = rf_strmap__new(&m->vocab_map, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&m->form_map, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&m->deletes, 1 << 20);
    if (rc == RF_OK) rc = rf_strmap__new(&m->person_deletes, 1 << 16);
    if (rc == RF_OK && !(m->delete_filter = calloc((RF_DELETE_FILTER_MASK + 1) / 64, sizeof *m->delete_filter))) rc = RF_ENOMEM;
    if (rc == RF_OK) rc = rf_strmap__new(&m->spelling_map, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&m->merged, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&m->exact, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&m->skeletons, 65536);
    if (rc == RF_OK) rc = rf_strmap__new(&m->weak_typos, 4096);
    if (rc == RF_OK) rc = rf_strmap__new(&m->nicknames, 4096);
    if (rc == RF_OK) rc = rf_strmap__new(&m->doubles, 4096);
    if (rc == RF_OK) rc = rf_strmap__new(&m->weak_names, 4096);
    if (rc == RF_OK) rc = rf_strmap__new(&m->prefixes, 1 << 17);
    if (rc == RF_OK) rc = collect_places(m, tr);
    if (rc == RF_OK) rc = collect_countries(m);
    for (size_t e = 0; e < rf_snapshot_count(snap) && rc == RF_OK; e++) {
        const rf_entity *ent = rf_snapshot_entity(snap, e);
        for (size_t k = 0; k < ent->n_names && rc == RF_OK; k++) {
            const char *text = ent->names[k].text ? ent->names[k].text : "";
            /* People's names hold no places: "Abbas" is a name before it is a port. */
            rc = rf_engine__tokenize(&t, m->lex, ent->type == RF_ENTITY_PERSON ? NULL : m->places, NULL,
                                     tr, text, strlen(text), 0);
            if (rc == RF_OK) rc = index_name(m, &t, tr, (uint32_t)e, k);
        }
    }
    if (rc == RF_OK) rc = build_postings(m);
    for (size_t f = 0; rc == RF_OK && f < m->n_forms; f++) m->forms[f].weight = m->vocab[m->forms[f].vocab].weight;
    if (rc == RF_OK) fill_bound_tokens(m);
    if (rc == RF_OK) rc = build_adjacent(m);
    if (rc == RF_OK) rc = index_spellings(m);
    if (rc == RF_OK) rc = build_splits(m);
    if (rc == RF_OK) rc = find_neighbours(m);
    if (rc == RF_OK) rc = rf_lexicon__each_weak_word(m->lex, file_weak_typos, m);
    if (rc == RF_OK) rc = rf_strmap__each(m->places, file_place_typos, m);
    if (rc == RF_OK) rc = rf_lexicon__each_nickname(m->lex, file_nickname, m);
    if (rc == RF_OK) rc = file_listed_prefixes(m);
    if (rc == RF_OK) rc = sort_cut_forms(m);
    rf_buf_free(&t.text);
    rf_translit__free(tr);
    if (rc != RF_OK) {
        rf_matcher_free(m);
        return rf_error_set(err, rc, NULL, 0, "building the index: %s", rf_strerror(rc));
    }
    *out = m;
    return RF_OK;
}

void rf_matcher__free_built(rf_matcher *m)
{
    free(m->forms);
    free(m->bound_tokens);
    rf_buf_free(&m->form_text);
    free(m->delete_filter);
    free(m->spellings);
    rf_buf_free(&m->spelling_text);
    free(m->vocab);
    rf_buf_free(&m->vocab_text);
    rf_buf_free(&m->surface_text);
    free(m->postings);
    free(m->names);
    free(m->ltokens);
    free(m->chains);
    free(m->near_off);
    free(m->near);
    free(m->adjacent_off);
    free(m->adjacent);
    free(m->split_off);
    free(m->splits);
    free(m->cut_forms);
    free(m->country_off);
    rf_buf_free(&m->country_text);
}

size_t rf_matcher_name_count(const rf_matcher *m)
{
    return m->n_names;
}

static size_t add_unique(uint32_t *out, size_t n, size_t max, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] == v) return n;
    if (n < max) out[n++] = v;
    return n;
}

/* The bits set in x (inline: the compiler's own is a library call on this target). */
static inline int bits_set(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (int)((((x + (x >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24);
}

/* Vocabulary ids filed under `key` in deletion map `map` that are within the typo budget of
 * word. Cheap tests first: the chains of short keys are long. */
static size_t typo_chain(const rf_matcher *m, const rf_strmap *map, const char *key, size_t klen,
                         const char *word, size_t len, uint32_t letters, uint32_t *out, size_t n, size_t max)
{
    uint32_t node;
    if (map == m->deletes) {
        uint64_t h = rf_hash__bytes(key, klen), b0 = filter_bit(h, 0), b1 = filter_bit(h, 1);
        if (!(m->delete_filter[b0 >> 6] >> (b0 & 63) & 1u) || !(m->delete_filter[b1 >> 6] >> (b1 & 63) & 1u))
            return n;
    }
    node = rf_strmap__get(map, key, klen);
    for (; node != RF_STRMAP_MISSING && n < max; node = rf_chain__next(m, node)) {
        const rf_spelling *sp;
        if (m->chains[node].value >= m->n_spellings) continue; /* a damaged file (chain_value) */
        sp = &m->spellings[m->chains[node].value];
        size_t longer = sp->len > len ? sp->len : len, shorter = sp->len < len ? sp->len : len;
        int differ = bits_set(letters ^ sp->letters), budget;
        if (longer - shorter > 2 || differ > 4) continue;
        budget = spelling_budget(shorter, sp->person);
        if (longer - shorter <= (size_t)budget && differ <= 2 * budget &&
            rf_osa__distance(word, len, m->spelling_text.data + sp->text_off, sp->len, budget) <=
                budget)
            n = add_unique(out, n, max, sp->vocab);
    }
    return n;
}

/* The spellings of deletion map `map` within `budget` edits (at most two) of word, adding
 * their vocabulary ids to out[0 .. n). */
static size_t deletion_search(const rf_matcher *m, const rf_strmap *map, const char *word, size_t len, int budget,
                              uint32_t *out, size_t n, size_t max)
{
    char buf[RF_MAX_TOKEN_LEN];
    uint32_t letters = rf_letter__mask(word, len);

    /* The word itself among the deletions of longer words. */
    n = typo_chain(m, map, word, len, word, len, letters, out, n, max);
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, word, i);
        memcpy(buf + i, word + i + 1, len - i - 1);
        /* A shorter listed word, and listed words sharing a deletion (substitutions, swaps). */
        n = typo_chain(m, map, buf, len - 1, word, len, letters, out, n, max);
    }
    /* Two letters deleted from the query, against the listed spellings and their deletions
     * of one and two letters (index_spelling). */
    for (size_t i = 0; budget > 1 && i < len; i++) {
        char buf2[RF_MAX_TOKEN_LEN];
        memcpy(buf, word, i);
        memcpy(buf + i, word + i + 1, len - i - 1);
        for (size_t j = i; j + 1 < len; j++) {
            memcpy(buf2, buf, j);
            memcpy(buf2 + j, buf + j + 1, len - 2 - j);
            n = typo_chain(m, map, buf2, len - 2, word, len, letters, out, n, max);
        }
    }
    return n;
}

/* rf_index__typos for the word as written, adding to out[0 .. n): within `budget` edits, at
 * most two, and a person's word of six to eight letters within two (person_deletes). */
static size_t typos_of(const rf_matcher *m, const char *word, size_t len, int budget, uint32_t *out, size_t n,
                       size_t max)
{
    /* Doubled letters, in words of any length: "sson" is "son", "esa" is "essa". */
    {
        char c[RF_MAX_TOKEN_LEN];
        size_t cn = rf_collapse__doubles(c, word, len);
        uint32_t id = rf_strmap__get(m->spelling_map, c, cn);
        uint32_t v = rf_strmap__get(m->vocab_map, c, cn);
        if (id != RF_STRMAP_MISSING) n = add_unique(out, n, max, m->spellings[id].vocab);
        if (v != RF_STRMAP_MISSING && cn != len) n = add_unique(out, n, max, v);
        for (uint32_t node = rf_strmap__get(m->doubles, c, cn); node != RF_STRMAP_MISSING && n < max;
             node = rf_chain__next(m, node))
            if (m->chains[node].value < m->n_vocab) n = add_unique(out, n, max, m->chains[node].value); /* chain_value */
    }
    if (budget == 0) return n;
    n = deletion_search(m, m->deletes, word, len, budget, out, n, max);
    /* Within two edits of such a word the query has six to ten letters. */
    if (len >= 6 && len <= 10) n = deletion_search(m, m->person_deletes, word, len, 2, out, n, max);
    return n;
}

/* The listed words that `word` is with a letter doubled, or with one typo where its length
 * allows one (a letter left out, added, changed or two swapped): the cheaper part of
 * rf_index__typos, for where its whole search costs too much (two known words written
 * together: 7 % of screening). A second typo is not looked for. */
static size_t typos_doubled_or_one(const rf_matcher *m, const char *word, size_t len, uint32_t *out, size_t max)
{
    size_t n;
    if (len > RF_MAX_TOKEN_LEN) return 0;
    n = typos_of(m, word, len, 0, out, 0, max);
    if (rf_typo__budget(len) == 0) return n;
    return deletion_search(m, m->deletes, word, len, 1, out, n, max);
}

/* The listed words that two party words written together (`joined`) are with typos, as the
 * scorer pairs them (spells_merged): within the typo budget of the joined length, which is at
 * least that of the shorter of the two it compares; no OCR reading and no person's second
 * typo, which are word_sim's ways, not spells_merged's. */
static size_t typos_merged(const rf_matcher *m, const char *joined, size_t len, uint32_t *out, size_t max)
{
    if (len > RF_MAX_TOKEN_LEN) return 0;
    return deletion_search(m, m->deletes, joined, len, rf_typo__budget(len), out, 0, max);
}

size_t rf_index__typos(const rf_matcher *m, const char *word, size_t len, uint32_t *out, size_t max)
{
    char folded[RF_MAX_TOKEN_LEN];
    size_t n, fn;
    if (len > RF_MAX_TOKEN_LEN) return 0;
    /* The most any listed word allows: a person's, two from six letters on. */
    n = typos_of(m, word, len, rf_typo__budget(len), out, 0, max);
    /* And as OCR may have misread it ("Srnich" for "Smich"): the scorer reads it so too, with
     * the budget of any word (ocr_edits). */
    fn = rf_ocr__fold(folded, word, len);
    {
        uint32_t id = rf_strmap__get(m->spelling_map, folded, fn);
        if (id != RF_STRMAP_MISSING) n = add_unique(out, n, max, m->spellings[id].vocab);
    }
    if (fn != len || memcmp(folded, word, len) != 0) {
        /* A short word misread and nothing else ("GLA" for GIA), which the scorer pairs in a
         * person's name (typo_sim): a listed word that reads back the same, as written or
         * read back itself (index_spellings). */
        uint32_t v = fn >= 2 ? rf_strmap__get(m->vocab_map, folded, fn) : RF_STRMAP_MISSING;
        if (v != RF_STRMAP_MISSING) n = add_unique(out, n, max, v);
        n = typos_of(m, folded, fn, rf_typo__budget(fn), out, n, max);
    }
    return n;
}

/* The typo look-ups a thread remembers, of single words and of two written together: at
 * most this many, in at most this many bytes of words and ids (about 24 MB a thread with the
 * table; 73,402 company names ask 183,028 look-ups in 2.6 MB). */
#define TYPO_MEMO_WORDS (1u << 18)
#define TYPO_MEMO_BYTES (16u << 20)

typedef size_t (*typo_look_up)(const rf_matcher *m, const char *word, size_t len, uint32_t *out, size_t max);

/* look_up(m, word, len, out, RF_MAX_TYPO_MATCHES), answered from the thread's memo (s->typos)
 * when it was asked of `m` before; `kind` tells the look-ups apart there. */
static size_t remembered_typos(const rf_matcher *m, rf_scratch *s, char kind, typo_look_up look_up,
                               const char *word, size_t len, uint32_t out[RF_MAX_TYPO_MATCHES])
{
    char key[1 + RF_MAX_TOKEN_LEN];
    uint64_t h;
    size_t n;
    if (len > RF_MAX_TOKEN_LEN) return 0;
    if (!s->typos && (s->typos = rf_memo__new(m->serial, TYPO_MEMO_WORDS, TYPO_MEMO_BYTES, 0)) == NULL)
        return look_up(m, word, len, out, RF_MAX_TYPO_MATCHES);
    key[0] = kind;
    memcpy(key + 1, word, len);
    h = rf_hash__bytes(key, len + 1);
    if (rf_memo__get(s->typos, m->serial, h, key, len + 1, &s->kept_typos)) {
        memcpy(out, s->kept_typos.data, s->kept_typos.len);
        return s->kept_typos.len / sizeof *out;
    }
    n = look_up(m, word, len, out, RF_MAX_TYPO_MATCHES);
    rf_memo__keep(s->typos, h, key, len + 1, out, n * sizeof *out);
    return n;
}

/* The listed words a typo from `word` (rf_index__typos), remembered. */
static size_t typos_memo(const rf_matcher *m, rf_scratch *s, const char *word, size_t len,
                         uint32_t out[RF_MAX_TYPO_MATCHES])
{
    return remembered_typos(m, s, 'w', rf_index__typos, word, len, out);
}

/* Whether words a and a+1 of `side`, written together, are a listed word. */
static int spell_listed_word(const rf_side *side, const rf_matcher *m, size_t a)
{
    char joined[2 * RF_MAX_TOKEN_LEN];
    size_t n1 = side->surf_len[a], n2 = side->surf_len[a + 1];
    uint32_t v;
    if (n1 + n2 > sizeof joined) return 0;
    memcpy(joined, side->surf[a], n1);
    memcpy(joined + n1, side->surf[a + 1], n2);
    v = rf_strmap__get(m->vocab_map, joined, n1 + n2);
    return v != RF_STRMAP_MISSING && m->vocab[v].cls != RF_TOK_LEGAL;
}

/* The legal forms of `side` that are a listed word split in two (rf_side.legal_in_word). */
static uint64_t legal_forms_in_words(const rf_side *side, const rf_matcher *m)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < side->n && i < 64; i++)
        if (side->cls[i] == RF_TOK_LEGAL &&
            ((i > 0 && spell_listed_word(side, m, i - 1)) ||
             (i + 1 < side->n && spell_listed_word(side, m, i))))
            bits |= (uint64_t)1 << i;
    return bits;
}

void rf_side__from_tokens(rf_side *side, const rf_matcher *m, const rf_tokens *t)
{
    side->n = t->count;
    side->organisation = 0;
    for (size_t i = 0; i < t->count; i++) {
        rf_tok_class cls = (rf_tok_class)t->items[i].cls;
        side->text[i] = rf_token_text(t, i);
        side->len[i] = t->items[i].text_len;
        side->surf[i] = rf_token_surface(t, i);
        side->surf_len[i] = t->items[i].surf_len;
        side->letters[i] = rf_letter__mask(side->surf[i], side->surf_len[i]);
        side->origin[i] = t->items[i].origin;
        side->nickname[i] =
            (uint8_t)(cls == RF_TOK_WORD && rf_lexicon__nickname(rf_lexicon__get(), side->surf[i],
                                                                 side->surf_len[i], NULL, 0));
        side->cls[i] = (uint8_t)cls;
        side->vocab[i] =
            m ? rf_strmap__get(m->vocab_map, side->text[i], side->len[i]) : RF_STRMAP_MISSING;
        if (!m) side->weight[i] = rf_class__weight(cls);
        else if (side->vocab[i] != RF_STRMAP_MISSING) side->weight[i] = m->vocab[side->vocab[i]].weight;
        else side->weight[i] = m->unknown_weight * rf_class__weight(cls);
    }
    side->legal_in_word = m ? legal_forms_in_words(side, m) : 0;
    side->unit = rf_side__unit_start(side);
    side->cut = side->ends_in_cut = 0;
}

void rf_side__from_name(rf_side *side, const rf_matcher *m, uint32_t name_id)
{
    const rf_lname *ln = &m->names[name_id];
    side->n = ln->ntok;
    side->organisation = 0;
    side->legal_in_word = 0;
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
    side->unit = side->n;
    side->cut = side->ends_in_cut = 0;
}

/* The letters of a name's telling words and places, as the whole-name comparison joins
 * them (rf_score__sides). */
static size_t letters_compared_whole(const rf_side *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->cls[i] != RF_TOK_STOP && p->cls[i] != RF_TOK_LEGAL) n += p->surf_len[i];
    return n;
}

/* 1 when listed name `name_id`, a person's, may be compared with the party whole (letters
 * moved across word breaks): the two have about as many letters, and enough. */
static int whole_name_possible(const rf_matcher *m, const rf_scratch *s, uint32_t name_id)
{
    const rf_lname *ln = &m->names[name_id];
    size_t n = 0;
    if (s->whole_letters == 0) return 0;
    for (size_t i = 0; i < ln->ntok; i++) {
        const rf_ltoken *lt = &m->ltokens[ln->tok_off + i];
        if (lt->cls != RF_TOK_STOP && lt->cls != RF_TOK_LEGAL) n += lt->surf_len ? lt->surf_len : m->vocab[lt->vocab].len;
    }
    /* Two edits at most (WHOLE_NAME_MAX_EDITS), and ten letters at least on both sides. */
    return n >= 10 && n + 2 >= (size_t)s->whole_letters && n <= (size_t)s->whole_letters + 2;
}

/* Marks listed name `name` found. */
static inline void touch(rf_scratch *s, uint32_t name)
{
    if (!s->marked[name]) {
        s->marked[name] = 1;
        s->touched[s->n_touched++] = name;
    }
}

/* Marks the names that have vocabulary word `vocab`. */
static void gather(const rf_matcher *m, rf_scratch *s, uint32_t vocab)
{
    const rf_vocab *v = &m->vocab[vocab];
    for (uint32_t k = 0; k < v->df; k++) touch(s, m->postings[v->post_off + k]);
}

/* Marks the names of a chain of name ids. */
static void gather_chain(const rf_matcher *m, rf_scratch *s, uint32_t node)
{
    for (; node != RF_STRMAP_MISSING; node = rf_chain__next(m, node))
        if (m->chains[node].value < m->n_names) touch(s, m->chains[node].value); /* chain_value */
}

/* Marks the names of each vocabulary word of a chain of vocabulary ids; 1 if it held any. */
static int gather_vocab_chain(const rf_matcher *m, rf_scratch *s, uint32_t node)
{
    int any = 0;
    for (; node != RF_STRMAP_MISSING; node = rf_chain__next(m, node)) {
        if (m->chains[node].value >= m->n_vocab) continue; /* chain_value */
        gather(m, s, m->chains[node].value);
        any = 1;
    }
    return any;
}

/* ---- the bound: what a listed name could score at most, without scoring it ------------------
 *
 * rf_score__sides pairs words and scores num / den: num sums sim * weight over the pairs (sim at
 * most 1), den sums their weights and the cost of every word left unpaired. So for any P at
 * least the weight of the pairs and U at most the cost of the unpaired words, the score is at
 * most P / (P + U). Its caps only lower it; two names of the same words (identical) leave
 * no word unpaired, so U is 0 and the bound 1; the whole-name comparison of people's names
 * pairs no words, so where it may apply (whole_name_possible) there is no bound.
 *
 * U counts the words that cannot pair: a party word and a listed word pair only through one
 * of the scorer's ways (word_sim, spells_merged, initials_of, pair_split_phrases), and each
 * way has a necessary condition on lengths and letter sets that costs a few instructions
 * (may_pair, may_merge, may_be_phrase_word; each says which test of the scorer it follows).
 * A word for which no such condition holds with any word of the other side is unpaired
 * whatever the pairing, and costs what rf_score__sides charges it: RF_UNPAIRED_PARTY (weak
 * words twice) for a party word before a department, RF_UNPAIRED_LISTED_* (the least, for
 * people) for a listed word, nothing for a listed person's one-letter word. Words said twice
 * are not charged (a repeat of a paired word costs nothing).
 *
 * P: a pair weighs the mean of its words' weights, or its listed words' weight when its one
 * party word is unknown to the lists and not exact (pair_weight); pairs share no word. So the
 * pairs weigh at most half the weight of the party words that may pair, plus the weight of
 * the listed words that may pair, counted whole when a party word that may pair is unknown,
 * else half.
 *
 * Where the cheap conditions let a party word and a listed word through one to one, word_sim
 * itself is asked (rf_score__words_pair): it reads only the two words, and at the most lenient
 * it can be (vowel slips allowed), so a pair it refuses cannot form in the scorer either.
 *
 * The caps: the scorer caps at RF_CAP_NO_DISTINCTIVE a name whose telling words (words and
 * numbers) pair with none of the party's, a listed person's name against a company (a legal
 * form or a company's role), and at RF_CAP_NUMBERS a match where a number of either side
 * pairs with nothing; it returns RF_CAP_LINEAGE first for a person's name whose lineage words
 * turn round. Only two names of the same words escape the caps, and they pair every word. So
 * where the bound's pairings show a cap applies for certain (no telling listed word may pair,
 * a number may not, a person's name has no word of the company's legal forms), the bound is
 * that cap, or the lineage cap if higher, for a person's name. */

#define X_AS_KS_BITS (RF_LETTER_BIT('x') | RF_LETTER_BIT('k') | RF_LETTER_BIT('s'))

typedef rf_form bound_word;

static int syllabic_or_translit(const bound_word *w)
{
    return w->origin == RF_ORIGIN_TRANSLIT || w->origin == RF_ORIGIN_SYLLABIC;
}

/* 0 when word_sim(a, b) is 0 for certain: a necessary condition of each of its ways. */
static int may_pair(const bound_word *a, const bound_word *b, int person)
{
    uint32_t differ = a->letters ^ b->letters;
    int budget, ocr_budget;
    size_t longer = a->len > b->len ? a->len : b->len, shorter = a->len < b->len ? a->len : b->len;
    if (a->cls == RF_TOK_STOP && b->cls == RF_TOK_STOP) return a->vocab == b->vocab;
    if (a->vocab != RF_STRMAP_MISSING && a->vocab == b->vocab) return 1;
    if (a->cls == RF_TOK_LEGAL && b->cls == RF_TOK_LEGAL) return 1;
    if (a->cls == RF_TOK_NUMBER || b->cls == RF_TOK_NUMBER) return 0;
    /* Consonants across scripts, familiar forms: letters that need not look alike. */
    if ((a->origin == RF_ORIGIN_CONSONANTS) != (b->origin == RF_ORIGIN_CONSONANTS) && a->cls == RF_TOK_WORD &&
        b->cls == RF_TOK_WORD)
        return 1;
    if ((person || syllabic_or_translit(a) || syllabic_or_translit(b)) && a->nickname && b->nickname) return 1;
    /* One syllable romanized two ways: the same length, o for u. */
    if (a->origin == RF_ORIGIN_SYLLABIC || b->origin == RF_ORIGIN_SYLLABIC)
        return a->len == b->len && (differ & ~(RF_LETTER_BIT('o') | RF_LETTER_BIT('u'))) == 0;
    if (differ == 0 && a->len != b->len) return 1; /* a letter doubled */
    if (person && (a->len == 1) != (b->len == 1) && a->first == b->first) return 1;
    /* Typos (typo_sim): at most `budget` edits, each changing at most two letters of the set
     * and the length by one. With an x against a ks, both are read with ks: the lengths
     * grow. OCR's misreadings are counted on the words read back (ocr_edits), within the
     * budget of any word, with the same tests on the words read back (word_sim, ocr_edits). */
    if (differ & RF_LETTER_BIT('x')) {
        uint32_t loose = X_AS_KS_BITS | ((a->letters | b->letters) & RF_OCR_GLYPHS ? RF_OCR_ALIKE : 0);
        return shorter >= 2 && bits_set(differ & ~loose) <= 4;
    }
    budget = person && shorter >= 6 ? 2 : rf_typo__budget(shorter);
    /* A short word of a person's name misread by OCR (typo_sim): the same letters and length
     * read back, at least. */
    if (budget == 0)
        return person && shorter >= 2 && ((a->letters | b->letters) & RF_OCR_GLYPHS) &&
               a->ocr_len == b->ocr_len && a->ocr_letters == b->ocr_letters;
    if (longer - shorter <= (size_t)budget && bits_set(differ) <= 2 * budget) return 1;
    if (!((a->letters | b->letters) & RF_OCR_GLYPHS) ||
        bits_set(differ) > 2 * rf_typo__budget(shorter) + 3)
        return 0;
    shorter = a->ocr_len < b->ocr_len ? a->ocr_len : b->ocr_len;
    longer = a->ocr_len > b->ocr_len ? a->ocr_len : b->ocr_len;
    ocr_budget = rf_typo__budget(shorter);
    return ocr_budget > 0 && longer - shorter <= (size_t)ocr_budget &&
           bits_set(a->ocr_letters ^ b->ocr_letters) <= 2 * ocr_budget;
}

/* 0 when spells_merged(a's words i and i+1, b's word j) is 0 for certain. */
static int may_merge(const bound_word *a1, const bound_word *a2, const bound_word *b)
{
    size_t joined = (size_t)a1->len + a2->len;
    uint32_t letters = a1->letters | a2->letters;
    if (b->cls == RF_TOK_STOP) return 0;
    if (joined == b->len && letters == b->letters) return 1;
    if ((a1->origin == RF_ORIGIN_CONSONANTS) != (b->origin == RF_ORIGIN_CONSONANTS)) return 1;
    return a1->len >= 3 && a2->len >= 3 && joined + 2 >= b->len && (size_t)b->len + 2 >= joined &&
           rf_typo__budget(joined < b->len ? joined : b->len) > 0 &&
           bits_set(letters ^ b->letters) <= 4;
}

/* 0 when party word `a` is none of the words of listed phrase `phrase` (text, len), nor a
 * typo away from one (find_unpaired). */
static int may_be_phrase_word(const bound_word *a, const char *phrase, size_t len)
{
    for (const char *w = phrase, *end = phrase + len, *next; w < end; w = next) {
        size_t n = rf_phrase__word(w, end, &next);
        size_t shorter = n < a->len ? n : a->len, longer = n > a->len ? n : a->len;
        uint32_t differ = rf_letter__mask(w, n) ^ a->letters;
        if (n == a->len && differ == 0) return 1;
        if (shorter >= 4 && longer - shorter <= 2 && bits_set(differ) <= 4) return 1;
    }
    return 0;
}

/* Listed form `f` (written `surf`) as a side of one word, as rf_side__from_name makes it. */
static void form_side(rf_side *one, const rf_matcher *m, const rf_form *f, const char *surf)
{
    const rf_vocab *v = &m->vocab[f->vocab];
    one->n = 1;
    one->unit = 1;
    one->organisation = 0;
    one->legal_in_word = 0;
    one->cut = one->ends_in_cut = 0;
    one->text[0] = m->vocab_text.data + v->text_off;
    one->len[0] = v->len;
    one->cls[0] = f->cls;
    one->surf[0] = surf;
    one->surf_len[0] = f->len;
    one->letters[0] = f->letters;
    one->origin[0] = f->origin;
    one->nickname[0] = 1;
    one->vocab[0] = f->vocab;
    one->weight[0] = f->weight;
}

/* The party words (bits) that may pair with listed word `b` (its surface `surf`) by word_sim,
 * two of them written as one (spells_merged), as words of a phrase (pair_split_phrases), or
 * as the second part of a word split after an abbreviation ("Soc iety" for "Society"). */
static uint64_t party_words_pairing(const rf_matcher *m, const rf_side *side, const bound_word *party, size_t n,
                                    const bound_word *b, int person)
{
    const char *surf = m->form_text.data + b->text_off;
    uint64_t mask = 0;
    rf_side listed;
    int listed_ready = 0;
    for (size_t i = 0; i < n; i++) {
        const bound_word *a = &party[i];
        if (b->phrase && may_be_phrase_word(a, surf, b->len)) {
            mask |= (uint64_t)1 << i;
        } else if (may_pair(a, b, person)) {
            /* The cheap tests let through many pairs word_sim refuses ("xcmg", "abmc"): ask it,
             * on the listed word alone (word_sim reads only the two words). */
            if (!listed_ready) {
                form_side(&listed, m, b, surf);
                listed_ready = 1;
            }
            if (rf_score__words_pair(side, i, &listed, 0, person)) mask |= (uint64_t)1 << i;
        }
        /* the word a long name was cut in, the beginning of the listed word (word_sim) */
        if (rf_side__cut_word(side, i) && b->len > a->len && memcmp(surf, side->surf[i], a->len) == 0)
            mask |= (uint64_t)1 << i;
        if (i + 1 < n && may_merge(a, &party[i + 1], b)) mask |= (uint64_t)3 << i;
        if (i + 1 < n && a->vocab != RF_STRMAP_MISSING && a->vocab == b->vocab &&
            (size_t)a->len + party[i + 1].len == b->len)
            mask |= (uint64_t)1 << (i + 1);
    }
    return mask;
}

/* The party's side of the bound, once a party. */
typedef struct bound_party {
    bound_word words[RF_MAX_TOKENS];
    size_t n;
    float cost[RF_MAX_TOKENS]; /* what word i costs unpaired: 0 in a department or said twice */
    uint64_t lengths;          /* bit k: a word k letters long (63: longer) */
    int two_letters;           /* a word of two letters: initials, maybe */
    int consonants;            /* a word written in a script without vowels */
    int organisation;          /* a company by its legal form or role (the scorer's
                                * party_is_org): never a listed person */
} bound_party;

static void bound_party_of(bound_party *bp, const rf_side *p)
{
    size_t unit = p->unit;
    bp->n = p->n;
    bp->lengths = 0;
    bp->two_letters = bp->consonants = 0;
    bp->organisation = p->organisation;
    for (size_t i = 0; i < p->n; i++) {
        bound_word *w = &bp->words[i];
        char folded[RF_MAX_TOKEN_LEN];
        size_t n = p->surf_len[i] <= RF_MAX_TOKEN_LEN
                       ? rf_ocr__fold(folded, p->surf[i], p->surf_len[i])
                       : 0;
        int repeated = 0;
        w->letters = p->letters[i];
        w->ocr_letters = rf_letter__mask(folded, n);
        w->ocr_len = (uint16_t)(n ? n : p->surf_len[i]);
        w->vocab = p->vocab[i];
        w->len = p->surf_len[i];
        w->cls = p->cls[i];
        w->origin = p->origin[i];
        w->first = p->surf_len[i] ? p->surf[i][0] : 0;
        w->second = p->surf_len[i] > 1 ? p->surf[i][1] : 0;
        w->nickname = p->nickname[i];
        w->phrase = 0;
        w->weight = p->weight[i];
        bp->lengths |= (uint64_t)1 << (w->len < 63 ? w->len : 63);
        bp->two_letters |= w->len == 2;
        bp->consonants |= w->origin == RF_ORIGIN_CONSONANTS;
        bp->organisation |= rf_side__says_company(p, i);
        /* A repeat of a paired word costs nothing (repeats_paired): any repeat, to be sure. */
        for (size_t k = 0; k < p->n && !repeated; k++)
            repeated = k != i && (p->vocab[i] != RF_STRMAP_MISSING ? p->vocab[k] == p->vocab[i]
                                  : p->len[k] == p->len[i] && memcmp(p->text[k], p->text[i], p->len[i]) == 0);
        /* (a cut fragment: nothing, against a listed organisation; a person's is bounded so
         * too, which bounds above) */
        bp->cost[i] = i >= unit || repeated || rf_side__cut_fragment(p, i) ? 0.0f
                      : (p->cls[i] == RF_TOK_GENERIC || p->cls[i] == RF_TOK_PLACE ? RF_UNPAIRED_PARTY_WEAK : RF_UNPAIRED_PARTY) *
                            p->weight[i];
    }
}

/* The most a listed person's name scores under one of the scorer's caps: the cap itself, or
 * the lineage cap, which it returns before the others. */
static double person_cap(void)
{
    double cap = RF_CAP_NO_DISTINCTIVE > RF_CAP_NUMBERS ? RF_CAP_NO_DISTINCTIVE : RF_CAP_NUMBERS;
    return cap > RF_CAP_LINEAGE ? cap : RF_CAP_LINEAGE;
}

/* 1 when listed name `ln` has a word of one of the party's legal forms: only then may the two
 * be the same words (identical), which the scorer does not cap for a company party. */
static int shares_legal_word(const rf_matcher *m, const bound_party *bp, const rf_lname *ln)
{
    const rf_bound_token *bt = &m->bound_tokens[ln->tok_off];
    for (size_t i = 0; i < bp->n; i++) {
        if (bp->words[i].cls != RF_TOK_LEGAL) continue;
        if (bp->words[i].vocab == RF_STRMAP_MISSING) continue; /* no listed name has it */
        for (size_t j = 0; j < ln->ntok; j++)
            if (bt[j].vocab == bp->words[i].vocab) return 1;
    }
    return 0;
}

/* The bound on the score of listed name `name_id` for the party of `s`, whose words are `bp`. */
static double score_bound(const rf_matcher *m, rf_scratch *s, const bound_party *bp, uint32_t name_id)
{
    const rf_lname *ln = &m->names[name_id];
    const rf_bound_token *bt = &m->bound_tokens[ln->tok_off];
    uint8_t listed_pairs[RF_MAX_TOKENS] = {0};
    uint64_t party_pairs = 0;
    size_t nl = ln->ntok;
    /* A party's name cut at a field's length: the scorer charges a listed organisation's
     * words after the one the party's last word pairs with less (rf_score_detail.cut_after),
     * that word being the first one it may pair with or a later one; charging less after the
     * first never bounds below. */
    const rf_side *p = &s->side;
    size_t cut_after = nl;
    uint64_t last_word = !p->cut || ln->person || p->n == 0 ? 0
                         : rf_side__cut_fragment(p, p->n - 1) && p->n > 1 ? (uint64_t)3 << (p->n - 2)
                                                                          : (uint64_t)1 << (p->n - 1);
    int person = ln->person, unknown = 0, distinct_listed = 0, distinct_paired = 0,
        numbers_unpaired = 0;
    double paired_p = 0, paired_l = 0, unpaired = 0, capped;

    if (person && bp->organisation && !shares_legal_word(m, bp, ln)) return person_cap();
    if (person && whole_name_possible(m, s, name_id)) return 1.0;
    for (size_t j = 0; j < nl; j++) {
        /* The party words that may pair with listed word j alone: the same for every name
         * with the word in this form, asked once a party. */
        rf_form_pairing *known = &s->pairing[2 * (size_t)bt[j].form + (size_t)person];
        uint64_t mask;
        if (known->stamp == s->stamp) {
            mask = known->party_words;
        } else {
            const rf_form *f = &m->forms[bt[j].form];
            mask = party_words_pairing(m, &s->side, bp->words, bp->n, f, person);
            known->stamp = s->stamp;
            known->party_words = mask;
        }
        listed_pairs[j] = mask != 0;
        party_pairs |= mask;
        if ((mask & last_word) && cut_after == nl) cut_after = j;
    }
    /* Ways that take two listed words: written as one by the party (when it has a word about
     * as long as the two, or in a script without vowels), initials of two given names. */
    for (size_t j = 0; j + 1 < nl; j++) {
        const rf_form *l1, *l2;
        size_t joined = (size_t)bt[j].len + bt[j + 1].len;
        uint64_t near = joined > 63 + 2 ? 0 : bp->lengths >> (joined - 2);
        if (!(near & 0x1f) && !(bp->lengths >> 63) && !bp->consonants && !(bt[j].flags & RF_BOUND_CONSONANTS) &&
            !(person && bp->two_letters))
            continue;
        l1 = &m->forms[bt[j].form];
        l2 = &m->forms[bt[j + 1].form];
        for (size_t i = 0; i < bp->n; i++) {
            const bound_word *a = &bp->words[i];
            if (may_merge(l1, l2, a) || (person && a->len == 2 && a->first == l1->first && a->second == l2->first)) {
                party_pairs |= (uint64_t)1 << i;
                listed_pairs[j] = listed_pairs[j + 1] = 1;
                if ((last_word >> i & 1u) && j < cut_after) cut_after = j;
            }
        }
    }
    for (size_t i = 0; i < bp->n; i++) {
        if (party_pairs >> i & 1u) {
            unknown |= bp->words[i].vocab == RF_STRMAP_MISSING;
            paired_p += bp->words[i].weight;
        } else {
            unpaired += bp->cost[i];
            /* unpaired and not said twice (cost 0 only so, or in a department) */
            numbers_unpaired |= bp->words[i].cls == RF_TOK_NUMBER && bp->cost[i] > 0;
        }
    }
    for (size_t j = 0; j < nl; j++) {
        const rf_bound_token *f = &bt[j];
        int repeated = f->flags & RF_BOUND_REPEATED, distinct = f->cls == RF_TOK_WORD || f->cls == RF_TOK_NUMBER;
        int charged = !repeated && !(person && f->len == 1);
        distinct_listed |= distinct;
        distinct_paired |= distinct && listed_pairs[j];
        if (listed_pairs[j]) paired_l += f->weight;
        else if (charged)
            unpaired += (person ? RF_UNPAIRED_LISTED_PERSON : j > cut_after ? RF_UNPAIRED_LISTED_CUT_OFF : RF_UNPAIRED_LISTED_ORG) *
                        f->weight;
        numbers_unpaired |= f->cls == RF_TOK_NUMBER && !listed_pairs[j] && charged && j <= cut_after;
    }
    {
        double paired = 0.5 * paired_p + (unknown ? 1.0 : 0.5) * paired_l;
        capped = paired > 0 ? paired / (paired + unpaired) : 0.0;
    }
    /* The scorer's caps, where they apply for certain: no telling listed word can pair (a hit
     * needs one in common), or a number of either name cannot. Two names of the same words
     * escape them, but pair every word, which these conditions exclude. */
    if ((distinct_listed && !distinct_paired) || numbers_unpaired) {
        double cap = person ? person_cap() : RF_CAP_NO_DISTINCTIVE > RF_CAP_NUMBERS ? RF_CAP_NO_DISTINCTIVE : RF_CAP_NUMBERS;
        if (capped > cap) capped = cap;
    }
    return capped;
}

/* Marks the names of the telling words among vocabulary ids v[0 .. n). */
static void gather_telling(const rf_matcher *m, rf_scratch *s, const uint32_t *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (m->vocab[v[k]].telling) gather(m, s, v[k]);
}

/* Marks the names of the telling listed words a typo from `w` (rf_index__typos); returns how
 * many listed words, telling or not, are. */
static size_t gather_telling_typos(const rf_matcher *m, rf_scratch *s, const char *w, size_t len)
{
    uint32_t typos[RF_MAX_TYPO_MATCHES];
    size_t nt = typos_memo(m, s, w, len, typos);
    gather_telling(m, s, typos, nt);
    return nt;
}

/* Gathers the listed Latin words with the consonants of party word i, written in a script
 * without vowels, or of words i and i+1 written together ("عبد الله", "Abdullah"); 1 if any. */
static int gather_skeletons(const rf_matcher *m, rf_scratch *s, const rf_side *p, size_t i)
{
    int found = 0;
    for (size_t words = 1; words <= 2 && i + words <= p->n; words++) {
        char joined[2 * RF_MAX_TOKEN_LEN], skeleton[2 * RF_MAX_TOKEN_LEN];
        size_t n = 0, ns;
        if (words == 2 && p->origin[i + 1] != RF_ORIGIN_CONSONANTS) break;
        for (size_t k = i; k < i + words; k++) {
            memcpy(joined + n, p->surf[k], p->surf_len[k]);
            n += p->surf_len[k];
        }
        ns = rf_consonant__skeleton(skeleton, joined, n);
        if (ns >= 2 && gather_vocab_chain(m, s, rf_strmap__get(m->skeletons, skeleton, ns))) found = 1;
    }
    return found;
}

/* Gathers the listed words that party word i is where x and ks stand for each other, as
 * spellings from other scripts do (GLOBEX, ГЛОБЕКС "GLOBEKS"; Aleksandr, Alexander): the word
 * rewritten so, as a listed word or one typo from one. 1 if any. */
static int gather_x_as_ks(const rf_matcher *m, rf_scratch *s, const rf_side *p, size_t i)
{
    const char *w = p->surf[i];
    size_t len = p->surf_len[i], n = 0, nt;
    char other[2 * RF_MAX_TOKEN_LEN];
    uint32_t typos[RF_MAX_TYPO_MATCHES], v;
    int changed = 0;

    if (len > RF_MAX_TOKEN_LEN) return 0;
    for (size_t k = 0; k < len; k++) {
        if (w[k] == 'x') {
            other[n++] = 'k';
            other[n++] = 's';
            changed = 1;
        } else if (w[k] == 'k' && k + 1 < len && w[k + 1] == 's') {
            other[n++] = 'x';
            k++;
            changed = 1;
        } else {
            other[n++] = w[k];
        }
    }
    if (!changed || n > RF_MAX_TOKEN_LEN) return 0;
    v = listed_word(m, other, n);
    if (v != RF_STRMAP_MISSING) gather(m, s, v);
    nt = typos_memo(m, s, other, n, typos);
    for (size_t k = 0; k < nt; k++) gather(m, s, typos[k]);
    return v != RF_STRMAP_MISSING || nt > 0;
}

/* Gathers the names in which listed word `v`, a part of party word i as written, is the first
 * (`second` 0) or the second of two words that the scorer reads as word i run together with
 * typos (spells_merged: each word three letters or more, the two joined within the typo
 * budget; "Microelectronics": AMIRCO ELECTRONICS, "12thInstitute": 812th INSTITUTE): its
 * other word, whatever it is, is checked on each name with `v`, by spells_merged's tests. */
static void gather_merged_typos(const rf_matcher *m, rf_scratch *s, const rf_side *p, size_t i, uint32_t v,
                                int second)
{
    const char *w = p->surf[i];
    size_t len = p->surf_len[i], lo = m->adjacent_off[v], hi = m->adjacent_off[v + 1], end = hi;

    if (len > RF_MAX_TOKEN_LEN) return;
    /* The first pair of this side at least len - 2 letters long joined (by_side_and_length). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rf_adjacent *x = &m->adjacent[mid];
        if (x->second < second || (x->second == second && (size_t)x->joined + 2 < len)) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k < end; k++) {
        const rf_adjacent *pair = &m->adjacent[k];
        const rf_bound_token *bt;
        const rf_form *a, *b;
        char text[RF_MAX_TOKEN_LEN];
        int budget;
        if (pair->second != second || pair->joined > len + 2) break;
        budget = rf_typo__budget(pair->joined < len ? pair->joined : len);
        if (budget == 0 || bits_set(pair->letters ^ p->letters[i]) > 2 * budget || s->marked[pair->name]) continue;
        bt = &m->bound_tokens[m->names[pair->name].tok_off + pair->at];
        a = &m->forms[bt[0].form];
        b = &m->forms[bt[1].form];
        if ((size_t)a->len + b->len != pair->joined) continue; /* a damaged file */
        memcpy(text, m->form_text.data + a->text_off, a->len);
        memcpy(text + a->len, m->form_text.data + b->text_off, b->len);
        if (rf_osa__distance(text, pair->joined, w, len, budget) <= budget) touch(s, pair->name);
    }
}

/* Gathers the listed telling words of which party word i may be two written together
 * ("Optoelectronic": OPTO ELECTRONICS; "NaresLekhakul": NARIS LEKHAKUL; "KOREATAESONG": KOREA
 * DAESONG), which the scorer pairs when the joined pair is within its typo budget
 * (spells_merged): at each cut leaving two parts of three letters or more, both parts when
 * both are listed words; and for a word the lists lack (`unknown`), their typos too
 * ("BINRINLIMITED": DINRIN LIMITED), or one part listed and the other a typo from a listed
 * word. And wherever one part, of three letters or more, is a listed word, the names where
 * the words beside it make the other part with typos (gather_merged_typos). */
static void gather_run_together(const rf_matcher *m, rf_scratch *s, const rf_side *p, size_t i, int unknown)
{
    const char *w = p->text[i];
    size_t len = p->len[i];

    for (size_t cut = 1; cut < len; cut++) {
        uint32_t part[2] = {cut >= 3 ? listed_part(m, w, cut) : RF_STRMAP_MISSING,
                            len - cut >= 3 ? listed_part(m, w + cut, len - cut) : RF_STRMAP_MISSING};
        for (int k = 0; k < 2; k++) {
            uint32_t v = part[k];
            size_t n = k ? len - cut : cut;
            if (v != RF_STRMAP_MISSING) gather_merged_typos(m, s, p, i, v, k);
            if (cut < 3 || len - cut < 3) continue;
            if (v != RF_STRMAP_MISSING && (part[!k] != RF_STRMAP_MISSING || (unknown && n >= 5))) {
                /* both parts listed words, or a long one beside a word the lists lack as such
                 * (a legal form: "BINRINLIMITED"), and, unknown, their typos (DINRIN) */
                if (m->vocab[v].telling) gather(m, s, v);
                if (unknown) gather_telling(m, s, m->near + m->near_off[v], m->near_off[v + 1] - m->near_off[v]);
            } else if (v == RF_STRMAP_MISSING && part[!k] != RF_STRMAP_MISSING && unknown && n >= 4) {
                /* one part listed, this one misspelt */
                if (gather_telling_typos(m, s, k ? w + cut : w, n) && m->vocab[part[!k]].telling)
                    gather(m, s, part[!k]);
            }
        }
    }
}

/* The party's business words, as written or misspelt, whose pairs find the names without a
 * telling word (file_weak_name). */
typedef struct weak_words {
    const char *text[MAX_WEAK_WORDS];
    size_t len[MAX_WEAK_WORDS];
    size_t n;
} weak_words;

static void weak_add(weak_words *ww, const char *text, size_t len)
{
    if (ww->n == MAX_WEAK_WORDS) return;
    ww->text[ww->n] = text;
    ww->len[ww->n++] = len;
}

/* Adds the business words among vocabulary ids v[0 .. n), misspellings of a party's words. */
static void weak_add_generic(weak_words *ww, const rf_matcher *m, const uint32_t *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (m->vocab[v[k]].cls == RF_TOK_GENERIC)
            weak_add(ww, m->vocab_text.data + m->vocab[v[k]].text_off, m->vocab[v[k]].len);
}

/* Gathers the telling listed words, and adds the business words to `weak`, that party words i
 * and i + 1, listed words of three letters or more, spell written together with typos
 * (spells_merged: within the typo budget, its letters close enough) where the listed word
 * starts with the first or ends with the second as written (rf_split): "Kuang-Chi": 旷视,
 * "kuangshi". Typos in both parts are not looked for. */
static void gather_joined_typos(const rf_matcher *m, rf_scratch *s, const rf_side *p, size_t i, weak_words *weak)
{
    char joined[RF_MAX_TOKEN_LEN];
    size_t len = (size_t)p->surf_len[i] + p->surf_len[i + 1];
    uint32_t letters = p->letters[i] | p->letters[i + 1];

    if (len > RF_MAX_TOKEN_LEN) return;
    memcpy(joined, p->surf[i], p->surf_len[i]);
    memcpy(joined + p->surf_len[i], p->surf[i + 1], p->surf_len[i + 1]);
    for (int second = 0; second < 2; second++) {
        uint32_t u = p->vocab[i + (size_t)second];
        size_t lo = m->split_off[u], hi = m->split_off[u + 1], end = hi;
        /* The first split of this side at least len - 2 letters long (by_split_side_and_length). */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const rf_split *x = &m->splits[mid];
            if (x->second < second || (x->second == second && (size_t)x->len + 2 < len)) lo = mid + 1;
            else hi = mid;
        }
        for (size_t k = lo; k < end; k++) {
            const rf_split *x = &m->splits[k];
            const rf_spelling *sp = &m->spellings[x->spelling];
            const rf_vocab *v = &m->vocab[sp->vocab];
            int budget;
            if (x->second != second || x->len > len + 2) break;
            budget = rf_typo__budget(x->len < len ? x->len : len);
            if (budget == 0 || bits_set(sp->letters ^ letters) > 2 * budget ||
                rf_osa__distance(joined, len, m->spelling_text.data + sp->text_off, sp->len, budget) > budget)
                continue;
            if (v->telling) gather(m, s, sp->vocab);
            else if (v->cls == RF_TOK_GENERIC) weak_add(weak, m->vocab_text.data + v->text_off, v->len);
        }
    }
}

size_t rf_index__candidates(const rf_matcher *m, rf_scratch *s, double min_score)
{
    const rf_side *p = &s->side;
    bound_party party;
    weak_words weak = {.n = 0};
    int strong = 0;
    size_t n;

    s->n_touched = 0;
    if (++s->stamp == 0) { /* after four billion parties, the marks start again */
        memset(s->pairing, 0, 2 * s->n_forms * sizeof *s->pairing);
        s->stamp = 1;
    }
    s->whole_letters = (int)letters_compared_whole(p);
    if (s->whole_letters < 10) s->whole_letters = 0;
    bound_party_of(&party, p);
    /* Telling words first: exact, misspelt, or written as two words. A place of the lists'
     * addresses is one too where it is a telling word of some listed name ("Muhammad"). Not
     * those of a department after the name ("CORTEZ Sales Division"): the scorer counts a
     * telling word in common only before it (matched_distinct), so a name they alone find
     * cannot reach the threshold, and the hundred names with "sales" in them would only cost
     * their bounds. What a cut fragment finds ("... JOINT VENTURE B") is no strong evidence:
     * unpaired, it costs a listed organisation nothing and leaves a name of weak words its
     * hit (charge_unpaired), so the names of the party's other words are gathered below all
     * the same. */
    for (size_t i = 0; i < p->unit; i++) {
        uint8_t cls = p->cls[i];
        int was_strong = strong;
        if (cls == RF_TOK_PLACE && (p->vocab[i] == RF_STRMAP_MISSING || m->vocab[p->vocab[i]].telling)) cls = RF_TOK_WORD;
        if (cls != RF_TOK_WORD && cls != RF_TOK_NUMBER) continue;
        if (p->vocab[i] != RF_STRMAP_MISSING) {
            gather(m, s, p->vocab[i]);
            strong = 1;
        }
        if (cls == RF_TOK_WORD) {
            /* Misspellings, of a word the lists lack and of one they have as written too
             * (Gonzales, Gonzalez): the scorer pairs either. */
            uint32_t found_typos[RF_MAX_TYPO_MATCHES], v = p->vocab[i];
            const uint32_t *typos = v == RF_STRMAP_MISSING ? found_typos : m->near + m->near_off[v];
            size_t nt = v == RF_STRMAP_MISSING ? typos_memo(m, s, p->text[i], p->len[i], found_typos)
                                               : m->near_off[v + 1] - m->near_off[v];
            uint32_t node;
            for (size_t k = 0; k < nt; k++) gather(m, s, typos[k]);
            strong |= nt > 0;
            /* a business word misspelt, for the names without a telling word below */
            weak_add_generic(&weak, m, typos, nt);
            if (p->origin[i] == RF_ORIGIN_TYPO) {
                /* A word cut short, read as the listed word it begins (read_cut_word): the
                 * scorer pairs it as written too, misspelt ("...'LADOGS": LADOGA). */
                uint32_t surf_typos[RF_MAX_TYPO_MATCHES];
                size_t ns = typos_memo(m, s, p->surf[i], p->surf_len[i], surf_typos);
                for (size_t k = 0; k < ns; k++) gather(m, s, surf_typos[k]);
                weak_add_generic(&weak, m, surf_typos, ns);
            }
            if (p->origin[i] == RF_ORIGIN_CONSONANTS && gather_skeletons(m, s, p, i)) strong = 1;
            if (gather_x_as_ks(m, s, p, i)) strong = 1;
            /* weak evidence: it leaves the names of the business words below to be found too */
            gather_run_together(m, s, p, i, v == RF_STRMAP_MISSING);
            /* a familiar form of a given name the lists write otherwise (Stephen, Steven) */
            if (p->nickname[i] && gather_vocab_chain(m, s, rf_strmap__get(m->nicknames, p->surf[i], p->surf_len[i])))
                strong = 1;
            node = rf_strmap__get(m->merged, p->text[i], p->len[i]);
            if (node != RF_STRMAP_MISSING) {
                gather_chain(m, s, node);
                strong = 1;
            }
        }
        if (rf_side__cut_fragment(p, i)) strong = was_strong;
    }
    /* The word a long name was cut in, the beginning of listed telling words (word_sim:
     * RF_PAIR_CUT): their names. Of the words it begins, only those: a hit needs a telling word
     * in common, and a name of weak words has all of its own in full (pairs_as_written). */
    if (p->n && rf_side__cut_word(p, p->n - 1)) {
        const char *w = p->surf[p->n - 1];
        size_t len = p->surf_len[p->n - 1];
        for (size_t k = cut_forms_from(m, w, len); k < m->n_cut_forms; k++) {
            const rf_form *f = &m->forms[m->cut_forms[k]];
            if (f->len < len || memcmp(m->form_text.data + f->text_off, w, len) != 0) break;
            gather(m, s, f->vocab);
        }
    }
    /* A business word or place of the party may be a telling word of a listed name: written
     * there as two words ("Shipbuilding": IRAN SHIP BUILDING CO.), or misspelt there
     * ("Petrochemical": UNITED PETROCHEMIAL CO.), which makes it a word the lexicon lacks.
     * Weak evidence: the party's business words still find their names below when nothing
     * telling does. */
    for (size_t i = 0; i < p->unit; i++) {
        uint32_t node;
        /* A word the lexicon read as a misspelt business word, any legal form, stop word or
         * title, may be a listed telling word as written or misspelt ("ACSIC", read as the
         * legal form ADSITZ: CASIC; the Omani legal form "SAOC": ASOC; "Santos", read as
         * "saint": SANTOSO; the title "Haji": HAJII, which the scorer pairs with it as a
         * letter doubled). */
        if ((p->origin[i] == RF_ORIGIN_TYPO && p->cls[i] != RF_TOK_WORD) || p->cls[i] == RF_TOK_LEGAL ||
            p->cls[i] == RF_TOK_STOP) {
            uint32_t v = listed_word(m, p->surf[i], p->surf_len[i]);
            if (v != RF_STRMAP_MISSING && m->vocab[v].telling) gather(m, s, v);
            gather_telling_typos(m, s, p->surf[i], p->surf_len[i]);
        }
        if (p->cls[i] != RF_TOK_GENERIC && p->cls[i] != RF_TOK_PLACE) continue;
        /* as written: the lexicon reads many business words as one ("Petrochemical": oil) */
        node = rf_strmap__get(m->merged, p->surf[i], p->surf_len[i]);
        if (node != RF_STRMAP_MISSING) gather_chain(m, s, node);
        node = rf_strmap__get(m->weak_typos, p->surf[i], p->surf_len[i]);
        if (node == RF_STRMAP_MISSING) node = rf_strmap__get(m->weak_typos, p->text[i], p->len[i]);
        gather_vocab_chain(m, s, node);
    }
    /* Two words written together, canonical or as written ("Inve St": INVEST, not "inve
     * saint"; "Sad Erat": SADERAT), whatever the words' classes apart, stop words too ("EL
     * A.": ELA; the scorer joins any two words that spell a listed one exactly). */
    for (size_t i = 0; i + 1 < p->n; i++) {
        int canonical_as_written = p->surf_len[i] == p->len[i] && p->surf_len[i + 1] == p->len[i + 1] &&
                                   memcmp(p->surf[i], p->text[i], p->len[i]) == 0 &&
                                   memcmp(p->surf[i + 1], p->text[i + 1], p->len[i + 1]) == 0;
        for (int form = 0; form < 2; form++) {
            const char *a = form ? p->surf[i] : p->text[i], *b = form ? p->surf[i + 1] : p->text[i + 1];
            size_t na = form ? p->surf_len[i] : p->len[i], nb = form ? p->surf_len[i + 1] : p->len[i + 1];
            char joined[RF_MAX_TOKEN_LEN * 2];
            uint32_t v;
            int as_written = form || canonical_as_written, unknown;
            if (na + nb > RF_MAX_TOKEN_LEN || (form && canonical_as_written)) continue;
            memcpy(joined, a, na);
            memcpy(joined + na, b, nb);
            v = listed_word(m, joined, na + nb);
            if (v != RF_STRMAP_MISSING) { /* "Hua wei": HUAWEI */
                gather(m, s, v);
                strong |= !rf_side__cut_fragment(p, i + 1);
            }
            unknown = p->vocab[i] == RF_STRMAP_MISSING || p->vocab[i + 1] == RF_STRMAP_MISSING;
            if ((!form && unknown) || (as_written && na >= 3 && nb >= 3)) {
                /* and misspelt ("CHONG BONgG": CHONGBONG), weak evidence; a business word
                 * so misspelt ("DIM OND": DIAMOND) is one of the party's below. The scorer
                 * pairs any two words of three letters or more as written so ("THAEPYONG
                 * San": THAEPHYONGSAN). Two known words: rf_index__typos would cost 7 % of
                 * screening, so a letter doubled or one typo anywhere ("Abdel-Rahman":
                 * ABDELRAHMMAN; "Mel com": MECOM), and any typo beside one of the two as
                 * written (gather_joined_typos) */
                uint32_t typos[RF_MAX_TYPO_MATCHES];
                size_t nt = unknown ? remembered_typos(m, s, 'j', typos_merged, joined, na + nb, typos)
                                    : remembered_typos(m, s, 'd', typos_doubled_or_one, joined, na + nb, typos);
                if (!unknown) gather_joined_typos(m, s, p, i, &weak);
                gather_telling(m, s, typos, nt);
                weak_add_generic(&weak, m, typos, nt);
            }
        }
    }
    /* Names without a telling word, by the party's words, its business words in pairs
     * (file_weak_name), misspelt ones among them (the loops above): the cap that makes the
     * others' business words weak evidence does not hold for them. */
    for (size_t i = 0; i < p->n; i++) {
        if (p->cls[i] == RF_TOK_STOP) continue;
        gather_chain(m, s, rf_strmap__get(m->weak_names, p->text[i], p->len[i]));
        if (p->cls[i] == RF_TOK_GENERIC) weak_add(&weak, p->text[i], p->len[i]);
        /* and its words as written, which may be words of a listed phrase written apart
         * (file_weak_name) */
        if (p->surf_len[i] != p->len[i] || memcmp(p->surf[i], p->text[i], p->len[i]) != 0)
            for (const char *w = p->surf[i], *end = w + p->surf_len[i], *next; w < end; w = next)
                weak_add(&weak, w, rf_phrase__word(w, end, &next));
    }
    for (size_t a = 0; a < weak.n; a++) {
        /* one business word alone, misspelt by the party, names some */
        gather_chain(m, s, rf_strmap__get(m->weak_names, weak.text[a], weak.len[a]));
        for (size_t b = a + 1; b < weak.n; b++) {
            char key[2 * RF_MAX_TOKEN_LEN + 1];
            size_t klen = weak_pair_key(key, weak.text[a], weak.len[a], weak.text[b], weak.len[b]);
            if (klen) gather_chain(m, s, rf_strmap__get(m->weak_names, key, klen));
        }
    }
    if (!strong) {
        /* No telling word: the names of the party's business words and places. */
        for (size_t i = 0; i < p->n; i++) {
            uint8_t cls = p->cls[i];
            uint32_t v = p->vocab[i];
            if (cls == RF_TOK_WORD || cls == RF_TOK_NUMBER || cls == RF_TOK_STOP || cls == RF_TOK_LEGAL ||
                v == RF_STRMAP_MISSING)
                continue;
            gather(m, s, v);
        }
    }
    /* Every name found is bounded, and scored only when its bound reaches the score: the bound
     * never drops a name that would (score_bound), so what the index still misses is only
     * what the gathering above does not find. */
    n = 0;
    for (size_t k = 0; k < s->n_touched; k++) {
        const uint32_t *found = s->touched;
        /* The names are read at random: ask for the next ones early, and for the pairings of
         * their words (s->pairing) a little later. */
        if (k + 8 < s->n_touched) __builtin_prefetch(&m->names[found[k + 8]]);
        if (k + 4 < s->n_touched) __builtin_prefetch(&m->bound_tokens[m->names[found[k + 4]].tok_off]);
        if (k + 2 < s->n_touched) {
            const rf_lname *ahead = &m->names[found[k + 2]];
            const rf_bound_token *bt = &m->bound_tokens[ahead->tok_off];
            for (size_t t = 0; t < ahead->ntok; t++)
                __builtin_prefetch(&s->pairing[2 * (size_t)bt[t].form + ahead->person]);
        }
        if (score_bound(m, s, &party, found[k]) >= min_score) s->cand[n++] = found[k];
    }
    /* Names with no telling word at all are found by their whole canonical form, and are
     * scored whatever the evidence for the others. */
    {
        char key[RF_MAX_TOKENS * (RF_MAX_TOKEN_LEN + 1)];
        size_t klen = exact_key(key, sizeof key, p);
        uint32_t node = klen ? rf_strmap__get(m->exact, key, klen) : RF_STRMAP_MISSING;
        for (; node != RF_STRMAP_MISSING; node = rf_chain__next(m, node)) {
            uint32_t name = m->chains[node].value;
            int known = name >= m->n_names; /* chain_value */
            for (size_t k = 0; k < n && !known; k++) known = s->cand[k] == name;
            if (!known) s->cand[n++] = name;
        }
    }
    for (size_t k = 0; k < s->n_touched; k++) s->marked[s->touched[k]] = 0;
    s->n_touched = 0;
    return n;
}
