/* index_file.c: the index stored in a file beside the database, so that a process screening
 * one order maps it in a few milliseconds instead of building it (about 0.6 s; issue 14).
 *
 * Where: the directory of files stored beside the database (lists/stored.c) holds one
 * index file per set of listed names, named by its key. Several files, because one run may
 * need several indexes (the lists in force on each order's date, the parties each version
 * removed); the oldest beyond KEEP_FILES are removed when one is written.
 *
 * The key (XXH3-128) covers what the index is built from: this file format, redflag's version,
 * ICU's (transliteration), the word tables compiled in, the layout of the arrays on this
 * machine, and every field of the snapshot the build reads (each entity's type, names,
 * addresses and nationalities, in order): for the entities the lists were loaded with, the
 * snapshot's digest of all their fields (rf_snapshot_digest), for those the ownership rules
 * added, the fields themselves. So an index is never used for other names, and
 * lists loaded from a damaged database fail the names-digest check of rf_snapshot_load before
 * any index is looked for: that check stays as it was. A change to how the index is built
 * must raise INDEX_FORMAT.
 *
 * The file: a header (magic, format, size, key, a checksum, a table of sections) and the
 * arrays of rf_matcher at 8-aligned offsets, the hash maps as rf_strmap__save writes them,
 * then the lexicon's (lexicon.h), which depends on the build alone but costs 150 ms to make.
 * Loading maps it read-only and points the matcher into it; nothing is copied but the
 * lexicon, 2 MB, when the process has none yet (it outlives any matcher). What is checked
 * at load: the header, the checksum of everything after it (rf_store_checksum, about 5 ms of
 * CPU for the 59 MB, started on a second thread while the rest is checked and finished by
 * both: a flipped or truncated byte anywhere makes the file unused and rebuilt, never a
 * changed result), every section's place and size, and every offset and index the arrays
 * hold against the array it indexes, so that even a file crafted with a valid checksum
 * cannot make a read leave the mapping: the maps check their slots as they are read
 * (rf_strmap__view), the chains their links and values as they are walked (rf_chain__next
 * and chain_value in matcher.h). Such a file can change results (it can say anything about
 * the names), as the database itself could; it cannot crash the reader. The file is written
 * under a new name and renamed over the old, never truncated in place, so a mapped file does
 * not shrink under a reader (rf_store_file_put). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unicode/uvernum.h>
#include <xxhash.h>

#include "lexicon.h"
#include "matcher.h"
#include "strmap.h"

/* Raise it with any change to the file or to what the build puts in the index. */
#define INDEX_FORMAT 18
#define INDEX_MAGIC "RFINDEX\n"
#define INDEX_SUFFIX ".rfindex"
/* Index files kept in the directory (each about 40 MB for the CSL): the lists in force, the
 * parties their versions removed, and a few other dates. */
#define KEEP_FILES 6


enum section {
    S_VOCAB, S_VOCAB_TEXT, S_SURFACE_TEXT, S_POSTINGS, S_NAMES, S_LTOKENS, S_SPELLINGS,
    S_SPELLING_TEXT, S_FORMS, S_BOUND_TOKENS, S_FORM_TEXT, S_DELETE_FILTER, S_CHAINS, S_NEAR_OFF,
    S_NEAR, S_ADJACENT_OFF, S_ADJACENT, S_SPLIT_OFF, S_SPLITS, S_COUNTRY_OFF, S_COUNTRY_TEXT, S_PLACES, S_VOCAB_MAP,
    S_SPELLING_MAP, S_FORM_MAP, S_DELETES, S_MERGED, S_EXACT, S_SKELETONS, S_WEAK_TYPOS, S_NICKNAMES,
    S_WEAK_NAMES, S_PERSON_DELETES, S_DOUBLES, S_PREFIXES, S_CUT_FORMS,
    /* the lexicon's, last: one block */
    L_ENTRIES, L_PHRASES, L_CANON, L_STARTS, L_WORDS, L_WORD_DELETES, L_WORDS_TEXT, L_NICKNAMES, L_PREFIXES,
    SECTIONS
};

typedef struct index_header {
    char magic[8];
    uint32_t format;
    uint32_t sections;
    uint64_t file_size;
    uint8_t key[16];
    uint8_t sum[16]; /* XXH3-128 of the file from the next field on */
    uint64_t entities;
    float unknown_weight;
    uint32_t zero; /* keeps the table 8-aligned */
    struct {
        uint64_t off, len;
    } section[SECTIONS];
} index_header;

/* ---- the key ----------------------------------------------------------------------------- */

static void key_str(XXH3_state_t *st, const char *s)
{
    /* NULL and "" apart: a marker byte no UTF-8 text has. */
    if (s) XXH3_128bits_update(st, s, strlen(s) + 1);
    else XXH3_128bits_update(st, "\xff", 1);
}

static void key_u64(XXH3_state_t *st, uint64_t v)
{
    XXH3_128bits_update(st, &v, sizeof v);
}

/* The key of the index of `snap` as this build makes it, into key[16]. */
static int index_key(uint8_t key[16], const rf_snapshot *snap)
{
    static const struct {
        const unsigned char *data;
        const size_t *size;
    } tables[] = {{rf_data_abbreviations, &rf_data_abbreviations_size},
                  {rf_data_org_types, &rf_data_org_types_size},
                  {rf_data_symbols, &rf_data_symbols_size},
                  {rf_data_stopwords, &rf_data_stopwords_size},
                  {rf_data_zh_business, &rf_data_zh_business_size},
                  {rf_data_latin_ascii, &rf_data_latin_ascii_size}};
    const uint64_t layout[] = {0x0102030405060708ULL, sizeof(rf_vocab), sizeof(rf_lname), sizeof(rf_ltoken),
                               sizeof(rf_spelling), sizeof(rf_form), sizeof(rf_chain), sizeof(rf_adjacent),
                               sizeof(rf_split), sizeof(index_header)};
    XXH3_state_t *st = XXH3_createState();
    XXH128_canonical_t out;
    uint8_t digest[16];
    size_t first = 0;

    if (!st) return RF_ENOMEM;
    XXH3_128bits_reset(st);
    key_u64(st, INDEX_FORMAT);
    key_str(st, RF_VERSION);
    key_str(st, U_ICU_VERSION);
    XXH3_128bits_update(st, layout, sizeof layout);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        key_u64(st, *tables[i].size);
        XXH3_128bits_update(st, tables[i].data, *tables[i].size);
    }
    /* The entities the snapshot's digest covers (every field of them) by that digest, in
     * place of their names and addresses: the same entities have the same digest. */
    if (rf_snapshot_digest(digest, &first, snap)) {
        key_u64(st, first);
        XXH3_128bits_update(st, digest, sizeof digest);
    }
    key_u64(st, rf_snapshot_count(snap));
    for (size_t e = first; e < rf_snapshot_count(snap); e++) {
        const rf_entity *ent = rf_snapshot_entity(snap, e);
        key_u64(st, ((uint64_t)ent->type << 48) ^ ((uint64_t)ent->n_names << 24) ^ ent->n_addresses);
        for (size_t k = 0; k < ent->n_names; k++) key_str(st, ent->names[k].text);
        for (size_t a = 0; a < ent->n_addresses; a++) {
            key_str(st, ent->addresses[a].city);
            key_str(st, ent->addresses[a].text);
            key_str(st, ent->addresses[a].country);
        }
        key_str(st, ent->nationalities);
    }
    XXH128_canonicalFromHash(&out, XXH3_128bits_digest(st));
    memcpy(key, out.digest, 16);
    XXH3_freeState(st);
    return RF_OK;
}

#define SUMMED_FROM (offsetof(index_header, sum) + sizeof(((index_header *)0)->sum))

/* ---- writing ----------------------------------------------------------------------------- */

static int put_section(rf_buf *out, enum section s, const void *data, size_t len)
{
    int rc = RF_OK;
    while (out->len % 8 && rc == RF_OK) rc = rf_buf_putc(out, '\0');
    if (rc != RF_OK) return rc;
    ((index_header *)(void *)out->data)->section[s].off = out->len;
    ((index_header *)(void *)out->data)->section[s].len = len;
    return len ? rf_buf_append(out, data, len) : RF_OK;
}

/* A text section ends with a NUL of its own, so that no string read from it runs past it. */
static int put_text(rf_buf *out, enum section s, const rf_buf *text)
{
    int rc = put_section(out, s, text->data, text->len);
    if (rc == RF_OK) rc = rf_buf_putc(out, '\0');
    if (rc == RF_OK) ((index_header *)(void *)out->data)->section[s].len = text->len + 1;
    return rc;
}

static int put_map(rf_buf *out, enum section s, const rf_strmap *map)
{
    int rc = RF_OK;
    size_t at;
    while (out->len % 8 && rc == RF_OK) rc = rf_buf_putc(out, '\0');
    at = out->len;
    if (rc == RF_OK) rc = rf_strmap__save(map, out);
    if (rc != RF_OK) return rc;
    ((index_header *)(void *)out->data)->section[s].off = at;
    ((index_header *)(void *)out->data)->section[s].len = out->len - at;
    return RF_OK;
}

/* The file's bytes for built matcher `m` with key `key`, into `out`. */
static int serialize(rf_buf *out, const rf_matcher *m, const uint8_t key[16])
{
    index_header h;
    size_t n_post = m->n_vocab ? m->vocab[m->n_vocab - 1].post_off + m->vocab[m->n_vocab - 1].df : 0;
    size_t n_entities = rf_snapshot_count(m->snap);
    int rc;

    memset(&h, 0, sizeof h);
    memcpy(h.magic, INDEX_MAGIC, sizeof h.magic);
    h.format = INDEX_FORMAT;
    h.sections = SECTIONS;
    memcpy(h.key, key, 16);
    h.entities = n_entities;
    h.unknown_weight = m->unknown_weight;
    rc = rf_buf_append(out, &h, sizeof h);
#define ARRAY(s, p, n) \
    if (rc == RF_OK) rc = put_section(out, s, p, (n) * sizeof *(p))
    ARRAY(S_VOCAB, m->vocab, m->n_vocab);
    ARRAY(S_POSTINGS, m->postings, n_post);
    ARRAY(S_NAMES, m->names, m->n_names);
    ARRAY(S_LTOKENS, m->ltokens, m->n_ltokens);
    ARRAY(S_SPELLINGS, m->spellings, m->n_spellings);
    ARRAY(S_FORMS, m->forms, m->n_forms);
    ARRAY(S_BOUND_TOKENS, m->bound_tokens, m->n_ltokens);
    ARRAY(S_DELETE_FILTER, m->delete_filter, (RF_DELETE_FILTER_MASK + 1) / 64);
    ARRAY(S_CHAINS, m->chains, m->n_chains);
    ARRAY(S_NEAR_OFF, m->near_off, m->n_vocab + 1);
    ARRAY(S_NEAR, m->near, m->near_off[m->n_vocab]);
    ARRAY(S_ADJACENT_OFF, m->adjacent_off, m->n_vocab + 1);
    ARRAY(S_ADJACENT, m->adjacent, m->adjacent_off[m->n_vocab]);
    ARRAY(S_SPLIT_OFF, m->split_off, m->n_vocab + 1);
    ARRAY(S_SPLITS, m->splits, m->split_off[m->n_vocab]);
    ARRAY(S_COUNTRY_OFF, m->country_off, n_entities);
    ARRAY(S_CUT_FORMS, m->cut_forms, m->n_cut_forms);
#undef ARRAY
    if (rc == RF_OK) rc = put_text(out, S_VOCAB_TEXT, &m->vocab_text);
    if (rc == RF_OK) rc = put_text(out, S_SURFACE_TEXT, &m->surface_text);
    if (rc == RF_OK) rc = put_text(out, S_SPELLING_TEXT, &m->spelling_text);
    if (rc == RF_OK) rc = put_text(out, S_FORM_TEXT, &m->form_text);
    if (rc == RF_OK) rc = put_text(out, S_COUNTRY_TEXT, &m->country_text);
    if (rc == RF_OK) rc = put_map(out, S_PLACES, m->places);
    if (rc == RF_OK) rc = put_map(out, S_VOCAB_MAP, m->vocab_map);
    if (rc == RF_OK) rc = put_map(out, S_SPELLING_MAP, m->spelling_map);
    if (rc == RF_OK) rc = put_map(out, S_FORM_MAP, m->form_map);
    if (rc == RF_OK) rc = put_map(out, S_DELETES, m->deletes);
    if (rc == RF_OK) rc = put_map(out, S_PERSON_DELETES, m->person_deletes);
    if (rc == RF_OK) rc = put_map(out, S_MERGED, m->merged);
    if (rc == RF_OK) rc = put_map(out, S_EXACT, m->exact);
    if (rc == RF_OK) rc = put_map(out, S_SKELETONS, m->skeletons);
    if (rc == RF_OK) rc = put_map(out, S_WEAK_TYPOS, m->weak_typos);
    if (rc == RF_OK) rc = put_map(out, S_NICKNAMES, m->nicknames);
    if (rc == RF_OK) rc = put_map(out, S_DOUBLES, m->doubles);
    if (rc == RF_OK) rc = put_map(out, S_WEAK_NAMES, m->weak_names);
    if (rc == RF_OK) rc = put_map(out, S_PREFIXES, m->prefixes);
    if (rc == RF_OK) rc = put_section(out, L_ENTRIES, m->lex->entries, m->lex->n * sizeof *m->lex->entries);
    if (rc == RF_OK) rc = put_map(out, L_PHRASES, m->lex->phrases);
    if (rc == RF_OK) rc = put_text(out, L_CANON, &m->lex->canon);
    if (rc == RF_OK) rc = put_map(out, L_STARTS, m->lex->starts);
    if (rc == RF_OK) rc = put_map(out, L_WORDS, m->lex->words);
    if (rc == RF_OK) rc = put_map(out, L_WORD_DELETES, m->lex->word_deletes);
    if (rc == RF_OK) rc = put_text(out, L_WORDS_TEXT, &m->lex->words_text);
    if (rc == RF_OK) rc = put_map(out, L_NICKNAMES, m->lex->nicknames);
    if (rc == RF_OK) rc = put_map(out, L_PREFIXES, m->lex->prefixes);
    if (rc != RF_OK) return rc;
    ((index_header *)(void *)out->data)->file_size = out->len;
    rf_store_checksum(((index_header *)(void *)out->data)->sum, out->data + SUMMED_FROM, out->len - SUMMED_FROM);
    return RF_OK;
}

/* The name of the index file of `key` in the directory of stored files, into name. */
static void index_name(char name[64], const uint8_t key[16])
{
    for (int i = 0; i < 16; i++) snprintf(name + 2 * i, 3, "%02x", key[i]);
    snprintf(name + 32, 64 - 32, "%s", INDEX_SUFFIX);
}

/* Stores built matcher `m` as the index file of `key` beside the database of `st`. Failing
 * is no error for the caller, which has its matcher: the index is a copy. */
static int store(const rf_matcher *m, const rf_store *st, const uint8_t key[16])
{
    char name[64];
    rf_buf bytes = {0};
    int rc;

    index_name(name, key);
    if ((rc = serialize(&bytes, m, key)) == RF_OK)
        rc = rf_store_file_put(st, name, INDEX_SUFFIX, KEEP_FILES, bytes.data, bytes.len);
    rf_buf_free(&bytes);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

/* Section s of the mapped file `h` as `elem`-byte elements: its start, *count receiving how
 * many; NULL when its size is no whole number of them. */
static const void *section(const index_header *h, enum section s, size_t elem, size_t *count)
{
    *count = (size_t)h->section[s].len / elem;
    if (h->section[s].len % elem) return NULL;
    return (const char *)h + h->section[s].off;
}

/* The text section p[0..len) as a read-only rf_buf (the NUL the writer added left out). */
static int text_at(rf_buf *out, const char *p, size_t len)
{
    if (len == 0 || p[len - 1] != '\0') return RF_EFORMAT;
    memset(out, 0, sizeof *out);
    out->data = (char *)(uintptr_t)p; /* read only: a stored matcher or lexicon is never written */
    out->len = len - 1;
    return RF_OK;
}

static int text(rf_buf *out, const index_header *h, enum section s)
{
    return text_at(out, (const char *)h + h->section[s].off, (size_t)h->section[s].len);
}

/* 1 when [off, off + len) lies within a text of `size` bytes. */
static int within(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

/* 1 when text[0..len) is a token the tokenizer could have given: a word of 1 to
 * RF_MAX_TOKEN_LEN bytes (push_word cuts longer ones), or a lexicon phrase of a few such
 * words (lookup_phrase's key holds eight). The scorer's buffers are sized for those. */
static int token_text(const char *text, size_t len)
{
    return len >= 1 && (len <= RF_MAX_TOKEN_LEN || (len <= RF_MAX_TOKEN_LEN * 8 && memchr(text, ' ', len)));
}

/* Every offset and index of the arrays against what it indexes (the maps and chains check
 * theirs as they are read), and every token's length against what the tokenizer gives. */
static int check_arrays(const rf_matcher *m, size_t n_post, size_t n_near, size_t n_adjacent, size_t n_splits)
{
    size_t n_entities = rf_snapshot_count(m->snap);

    for (size_t v = 0; v < m->n_vocab; v++) {
        const rf_vocab *w = &m->vocab[v];
        if (!within(w->text_off, w->len, m->vocab_text.len) || !token_text(m->vocab_text.data + w->text_off, w->len) ||
            w->cls > RF_TOK_STOP || !within(w->post_off, w->df, n_post))
            return RF_EFORMAT;
    }
    for (size_t k = 0; k < n_post; k++)
        if (m->postings[k] >= m->n_names) return RF_EFORMAT;
    for (size_t k = 0; k < m->n_names; k++) {
        const rf_lname *ln = &m->names[k];
        const rf_entity *ent;
        size_t text_len;
        if (ln->entity >= n_entities || ln->ntok > RF_MAX_TOKENS || !within(ln->tok_off, ln->ntok, m->n_ltokens))
            return RF_EFORMAT;
        ent = rf_snapshot_entity(m->snap, ln->entity);
        if (ln->name_index >= ent->n_names) return RF_EFORMAT;
        text_len = ent->names[ln->name_index].text ? strlen(ent->names[ln->name_index].text) : 0;
        /* The highlights of a hit are spans of the listed name's text. */
        for (size_t i = 0; i < ln->ntok; i++)
            if (!within(m->ltokens[ln->tok_off + i].src_start, m->ltokens[ln->tok_off + i].src_len, text_len))
                return RF_EFORMAT;
    }
    for (size_t k = 0; k < m->n_ltokens; k++) {
        const rf_ltoken *lt = &m->ltokens[k];
        if (lt->vocab >= m->n_vocab || !within(lt->surf_off, lt->surf_len, m->surface_text.len) ||
            (lt->surf_len && !token_text(m->surface_text.data + lt->surf_off, lt->surf_len)) ||
            lt->cls > RF_TOK_STOP)
            return RF_EFORMAT;
    }
    for (size_t k = 0; k < m->n_ltokens; k++) {
        const rf_bound_token *bt = &m->bound_tokens[k];
        if (bt->form >= m->n_forms || bt->vocab >= m->n_vocab || bt->cls > RF_TOK_STOP) return RF_EFORMAT;
    }
    for (size_t k = 0; k < m->n_spellings; k++) {
        const rf_spelling *sp = &m->spellings[k];
        if (sp->vocab >= m->n_vocab || sp->len == 0 || sp->len > RF_MAX_TOKEN_LEN ||
            !within(sp->text_off, sp->len, m->spelling_text.len))
            return RF_EFORMAT;
    }
    for (size_t k = 0; k < m->n_forms; k++) {
        const rf_form *f = &m->forms[k];
        if (f->vocab >= m->n_vocab || !within(f->text_off, f->len, m->form_text.len) ||
            !token_text(m->form_text.data + f->text_off, f->len) || f->ocr_len == 0 || f->ocr_len > f->len ||
            f->cls > RF_TOK_STOP)
            return RF_EFORMAT;
    }
    for (size_t v = 0; v < m->n_vocab; v++)
        if (m->near_off[v] > m->near_off[v + 1]) return RF_EFORMAT;
    if (m->near_off[m->n_vocab] != n_near) return RF_EFORMAT;
    for (size_t k = 0; k < n_near; k++)
        if (m->near[k] >= m->n_vocab) return RF_EFORMAT;
    for (size_t v = 0; v < m->n_vocab; v++)
        if (m->adjacent_off[v] > m->adjacent_off[v + 1]) return RF_EFORMAT;
    if (m->adjacent_off[m->n_vocab] != n_adjacent) return RF_EFORMAT;
    for (size_t k = 0; k < n_adjacent; k++) {
        const rf_adjacent *pair = &m->adjacent[k];
        if (pair->name >= m->n_names || (size_t)pair->at + 1 >= m->names[pair->name].ntok ||
            pair->joined > RF_MAX_TOKEN_LEN)
            return RF_EFORMAT;
    }
    for (size_t v = 0; v < m->n_vocab; v++)
        if (m->split_off[v] > m->split_off[v + 1]) return RF_EFORMAT;
    if (m->split_off[m->n_vocab] != n_splits) return RF_EFORMAT;
    for (size_t k = 0; k < n_splits; k++)
        if (m->splits[k].spelling >= m->n_spellings || m->splits[k].len > RF_MAX_TOKEN_LEN) return RF_EFORMAT;
    for (size_t e = 0; e < n_entities; e++)
        if (m->country_off[e] != RF_STRMAP_MISSING && m->country_off[e] >= m->country_text.len) return RF_EFORMAT;
    for (size_t k = 0; k < m->n_cut_forms; k++)
        if (m->cut_forms[k] >= m->n_forms) return RF_EFORMAT;
    return RF_OK;
}

/* Points `m` (snap set, nothing else) into the mapped file `h` of `size` bytes with key `key`.
 * RF_EFORMAT when it is not a whole index of that key, its checksum aside (load). */
static int attach(rf_matcher *m, const index_header *h, size_t size, const uint8_t key[16])
{
    size_t n, n_post, n_near, n_adjacent, n_splits, n_filter;
    int rc = RF_OK;

    if (size < sizeof *h || memcmp(h->magic, INDEX_MAGIC, sizeof h->magic) != 0 || h->format != INDEX_FORMAT ||
        h->sections != SECTIONS || h->file_size != size || memcmp(h->key, key, 16) != 0)
        return RF_EFORMAT;
    if (h->entities != rf_snapshot_count(m->snap)) return RF_EFORMAT;
    for (int s = 0; s < SECTIONS; s++)
        if (h->section[s].off % 8 || h->section[s].off < sizeof *h ||
            !within(h->section[s].off, h->section[s].len, size))
            return RF_EFORMAT;
    /* Read only, though the fields are not const: a mapped matcher is never written. */
#define ARRAY(field, s, count) \
    if (rc == RF_OK && !(m->field = (void *)(uintptr_t)section(h, s, sizeof *m->field, &count))) rc = RF_EFORMAT
    ARRAY(vocab, S_VOCAB, m->n_vocab);
    ARRAY(postings, S_POSTINGS, n_post);
    ARRAY(names, S_NAMES, m->n_names);
    ARRAY(ltokens, S_LTOKENS, m->n_ltokens);
    ARRAY(spellings, S_SPELLINGS, m->n_spellings);
    ARRAY(forms, S_FORMS, m->n_forms);
    ARRAY(bound_tokens, S_BOUND_TOKENS, n);
    if (rc == RF_OK && n != m->n_ltokens) rc = RF_EFORMAT;
    ARRAY(delete_filter, S_DELETE_FILTER, n_filter);
    if (rc == RF_OK && n_filter != (RF_DELETE_FILTER_MASK + 1) / 64) rc = RF_EFORMAT;
    ARRAY(chains, S_CHAINS, m->n_chains);
    ARRAY(near_off, S_NEAR_OFF, n);
    if (rc == RF_OK && n != m->n_vocab + 1) rc = RF_EFORMAT;
    ARRAY(near, S_NEAR, n_near);
    ARRAY(adjacent_off, S_ADJACENT_OFF, n);
    if (rc == RF_OK && n != m->n_vocab + 1) rc = RF_EFORMAT;
    ARRAY(adjacent, S_ADJACENT, n_adjacent);
    ARRAY(split_off, S_SPLIT_OFF, n);
    if (rc == RF_OK && n != m->n_vocab + 1) rc = RF_EFORMAT;
    ARRAY(splits, S_SPLITS, n_splits);
    ARRAY(country_off, S_COUNTRY_OFF, n);
    if (rc == RF_OK && n != h->entities) rc = RF_EFORMAT;
    ARRAY(cut_forms, S_CUT_FORMS, m->n_cut_forms);
#undef ARRAY
    if (rc == RF_OK) rc = text(&m->vocab_text, h, S_VOCAB_TEXT);
    if (rc == RF_OK) rc = text(&m->surface_text, h, S_SURFACE_TEXT);
    if (rc == RF_OK) rc = text(&m->spelling_text, h, S_SPELLING_TEXT);
    if (rc == RF_OK) rc = text(&m->form_text, h, S_FORM_TEXT);
    if (rc == RF_OK) rc = text(&m->country_text, h, S_COUNTRY_TEXT);
    if (rc != RF_OK) return rc;
    /* Counts stay well below RF_STRMAP_MISSING: every id is a uint32_t. */
    if (m->n_vocab >= UINT32_MAX || m->n_names >= UINT32_MAX || m->n_chains >= UINT32_MAX ||
        m->n_spellings >= UINT32_MAX || m->n_forms >= UINT32_MAX)
        return RF_EFORMAT;
#define MAP(field, s, limit)                                                                              \
    if (rc == RF_OK)                                                                                      \
    rc = rf_strmap__view(&m->field, (const char *)h + h->section[s].off, (size_t)h->section[s].len, \
                         (uint32_t)(limit))
    MAP(places, S_PLACES, RF_STRMAP_MISSING);
    MAP(vocab_map, S_VOCAB_MAP, m->n_vocab);
    MAP(spelling_map, S_SPELLING_MAP, m->n_spellings);
    MAP(form_map, S_FORM_MAP, m->n_forms);
    MAP(deletes, S_DELETES, m->n_chains);
    MAP(person_deletes, S_PERSON_DELETES, m->n_chains);
    MAP(merged, S_MERGED, m->n_chains);
    MAP(exact, S_EXACT, m->n_chains);
    MAP(skeletons, S_SKELETONS, m->n_chains);
    MAP(weak_typos, S_WEAK_TYPOS, m->n_chains);
    MAP(nicknames, S_NICKNAMES, m->n_chains);
    MAP(doubles, S_DOUBLES, m->n_chains);
    MAP(weak_names, S_WEAK_NAMES, m->n_chains);
    MAP(prefixes, S_PREFIXES, m->n_vocab); /* (past the vocabulary: several words) */
#undef MAP
    if (rc != RF_OK) return rc;
    m->unknown_weight = h->unknown_weight;
    return check_arrays(m, n_post, n_near, n_adjacent, n_splits);
}

/* Frees a lexicon lexicon_view made (and did not hand over). */
static void lexicon_view_free(rf_lexicon *lex)
{
    if (!lex) return;
    rf_lexicon__free_maps(lex);
    free(lex->entries); /* the block every part points into */
    free(lex);
}

/* The lexicon stored in the checked file `h`, copied out of the mapping (it outlives the
 * matcher) and checked as the matcher's arrays are; RF_EFORMAT when it is not whole. */
static int lexicon_view(rf_lexicon **out, const index_header *h)
{
    /* Its sections are the file's last, L_ENTRIES first: the copy starts with the entries. */
    uint64_t base = h->section[L_ENTRIES].off;
    rf_lexicon *lex = calloc(1, sizeof *lex);
    char *block;
    int rc = RF_OK;

    *out = NULL;
    if (!lex || !(block = malloc((size_t)(h->file_size - base)))) {
        free(lex);
        return RF_ENOMEM;
    }
    memcpy(block, (const char *)h + base, (size_t)(h->file_size - base));
    lex->entries = (rf_phrase *)(void *)block;
    lex->n = (size_t)(h->section[L_ENTRIES].len / sizeof *lex->entries);
    for (int s = L_ENTRIES; s < SECTIONS; s++)
        if (h->section[s].off < base) rc = RF_EFORMAT;
    if (h->section[L_ENTRIES].len % sizeof *lex->entries) rc = RF_EFORMAT;
#define AT(s) (block + (h->section[s].off - base)), (size_t)h->section[s].len
    if (rc == RF_OK) rc = text_at(&lex->canon, AT(L_CANON));
    if (rc == RF_OK) rc = text_at(&lex->words_text, AT(L_WORDS_TEXT));
    if (rc == RF_OK) rc = rf_strmap__view(&lex->phrases, AT(L_PHRASES), (uint32_t)lex->n);
    if (rc == RF_OK) rc = rf_strmap__view(&lex->starts, AT(L_STARTS), RF_MAX_TOKENS);
    /* words_text offsets: below its end, a string read there ends at the section's NUL */
    if (rc == RF_OK) rc = rf_strmap__view(&lex->words, AT(L_WORDS), (uint32_t)lex->words_text.len);
    if (rc == RF_OK) rc = rf_strmap__view(&lex->word_deletes, AT(L_WORD_DELETES), (uint32_t)lex->words_text.len);
    if (rc == RF_OK) rc = rf_strmap__view(&lex->nicknames, AT(L_NICKNAMES), RF_STRMAP_MISSING);
    /* entries; a value past them (several meanings) reads as missing, as it means */
    if (rc == RF_OK) rc = rf_strmap__view(&lex->prefixes, AT(L_PREFIXES), (uint32_t)lex->n);
#undef AT
    for (size_t i = 0; rc == RF_OK && i < lex->n; i++) {
        const rf_phrase *e = &lex->entries[i];
        /* lookup_phrase copies a canonical form into a key of RF_MAX_TOKEN_LEN * 8 bytes */
        if (!within(e->canon_off, e->canon_len, lex->canon.len) || e->canon_len > RF_MAX_TOKEN_LEN * 8 ||
            e->cls > RF_TOK_STOP)
            rc = RF_EFORMAT;
    }
    if (rc != RF_OK) {
        lexicon_view_free(lex);
        return rc;
    }
    *out = lex;
    return RF_OK;
}

/* The matcher of `snap` from the index file `name` beside the database of `st`, with key
 * `key`; RF_ENOTFOUND when there is none, RF_EFORMAT when it is not a whole one. */
static int load(rf_matcher **out, const rf_snapshot *snap, const rf_store *st, const char *name,
                const uint8_t key[16])
{
    rf_matcher *m = NULL;
    rf_lexicon *lex = NULL;
    rf_store_sum *sum;
    rf_store_file_id id;
    void *map;
    size_t len;
    int rc;

    *out = NULL;
    if ((rc = rf_store_file_map(&map, &len, &id, st, name, sizeof(index_header))) != RF_OK) return rc;
    if (!(m = calloc(1, sizeof *m))) {
        munmap(map, len);
        return RF_ENOMEM;
    }
    m->snap = snap;
    m->map = map;
    m->map_len = len;
    /* The checksum (memory-bound, 5 ms for the CSL's 59 MB, and a fault for every page) on a
     * second thread while this one checks the arrays and copies the lexicon, then on both;
     * nothing is used before it is done. Not again once a reader found it right (stored.c). */
    sum = rf_store_sum_start((const char *)map + SUMMED_FROM, len - SUMMED_FROM, &id);
    rc = attach(m, map, len, key);
    /* The process has no lexicon yet: the stored one, instead of 150 ms building it. */
    if (rc == RF_OK && !rf_lexicon__present()) rc = lexicon_view(&lex, map);
    if (!rf_store_sum_matches(sum, ((const index_header *)map)->sum) && rc == RF_OK) rc = RF_EFORMAT;
    if (rc == RF_OK && lex && rf_lexicon__adopt(lex) == 1) lex = NULL;
    lexicon_view_free(lex);
    if (rc == RF_OK && !(m->lex = rf_lexicon__get())) rc = RF_ENOMEM;
    if (rc == RF_OK) rc = rf_matcher__begin(m);
    if (rc != RF_OK) {
        rf_matcher_free(m);
        return rc;
    }
    *out = m;
    return RF_OK;
}

/* ---- the public calls -------------------------------------------------------------------- */

int rf_matcher_open(rf_matcher **out, const rf_snapshot *snap, const rf_store *st, rf_error *err)
{
    char name[64];
    uint8_t key[16];
    int rc;

    *out = NULL;
    if ((rc = index_key(key, snap)) != RF_OK) return rf_matcher_new(out, snap, err);
    index_name(name, key);
    if (load(out, snap, st, name, key) == RF_OK) return RF_OK;
    /* Missing, stale or damaged: built, and stored over it when the database may be written. */
    if ((rc = rf_matcher_new(out, snap, err)) != RF_OK) return rc;
    if (st && !rf_store_readonly(st)) store(*out, st, key);
    return RF_OK;
}

int rf_matcher_stored(const rf_matcher *m)
{
    return m && m->map != NULL;
}

void rf_matcher_free(rf_matcher *m)
{
    if (!m) return;
    rf_strmap__free(m->places);
    rf_strmap__free(m->vocab_map);
    rf_strmap__free(m->form_map);
    rf_strmap__free(m->deletes);
    rf_strmap__free(m->person_deletes);
    rf_strmap__free(m->spelling_map);
    rf_strmap__free(m->merged);
    rf_strmap__free(m->exact);
    rf_strmap__free(m->skeletons);
    rf_strmap__free(m->weak_typos);
    rf_strmap__free(m->nicknames);
    rf_strmap__free(m->doubles);
    rf_strmap__free(m->weak_names);
    rf_strmap__free(m->prefixes);
    rf_memo__free(m->parties);
    if (m->map) munmap(m->map, m->map_len);
    else rf_matcher__free_built(m);
    free(m);
}
