/* fingerprint.c: the stable identity of a counterparty (rf_engine.h): review decisions and
 * rescreening follow a party by it from one order to the next. It hashes the party's name
 * and address in their comparison form (rf_normalize_name: case, accents, punctuation and
 * legal-form spellings do not count) and its country, so "ACME Co., Ltd." on one order and
 * "Acme Company Limited" on the next are one counterparty, while the same name at another
 * address or in another country is another, and needs its own review. A thread remembers
 * the fingerprints it has worked out (memo.c). */
#include "rf_engine.h"
#include "matcher.h"
#include "strmap.h"
#include "translit.h"

#include <string.h>

/* Feeds the normalized form of `s` (or nothing) and a separator into the hash. */
static int hash_part(rf_sha256 *h, rf_buf *norm, rf_translit *tr, const char *s)
{
    int rc;
    rf_buf_reset(norm);
    if (s && s[0] && (rc = rf_normalize__with(norm, tr, s, strlen(s))) < 0) return rc;
    if (norm->len) rf_sha256_update(h, norm->data, norm->len);
    rf_sha256_update(h, "\x1f", 1); /* unit separator: parts never run into each other */
    return RF_OK;
}

/* What a fingerprint is made of, each part preceded by its length (a separator could be
 * written inside a name, and make two parties one key), into key (size bytes); its length, or
 * 0 when it does not fit. */
static size_t fingerprint_key(char *key, size_t size, const rf_party *party)
{
    const char *parts[] = {party->name, party->country, party->address, party->city};
    size_t n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        size_t len = parts[i] ? strlen(parts[i]) : 0;
        if (n + sizeof len + len > size) return 0;
        memcpy(key + n, &len, sizeof len);
        if (len) memcpy(key + n + sizeof len, parts[i], len);
        n += sizeof len + len;
    }
    return n;
}

/* The fingerprint of `party`, computed. */
static int compute(char out[RF_FINGERPRINT_LEN + 1], rf_result *work, const rf_party *party)
{
    rf_sha256 h;
    rf_buf norm = {0};
    rf_translit *own = NULL, *tr;
    char hex[65];
    int rc;

    out[0] = '\0';
    if (!party || !party->name || !party->name[0]) return RF_EUSAGE;
    if (work) tr = rf_result__translit(work);
    else tr = rf_translit__new(&own) == RF_OK ? own : NULL;
    if (!tr) return RF_ENOMEM;
    if (rf_sha256_init(&h) != RF_OK) {
        rf_translit__free(own);
        return RF_ENOMEM;
    }
    rf_sha256_update(&h, "redflag-party-1\x1f", 16); /* the scheme, should it ever change */
    if ((rc = hash_part(&h, &norm, tr, party->name)) == 0 &&
        (rc = hash_part(&h, &norm, tr, party->country)) == 0 &&
        (rc = hash_part(&h, &norm, tr, party->address)) == 0)
        rc = hash_part(&h, &norm, tr, party->city);
    rf_buf_free(&norm);
    rf_translit__free(own);
    if (rc < 0) {
        rf_sha256_free(&h);
        return rc;
    }
    rf_sha256_final_hex(&h, hex);
    memcpy(out, hex, RF_FINGERPRINT_LEN);
    out[RF_FINGERPRINT_LEN] = '\0';
    return RF_OK;
}

int rf_party_fingerprint(char out[RF_FINGERPRINT_LEN + 1], rf_result *work,
                         const rf_party *party)
{
    /* A party seen before by this thread: its fingerprint remembered (normalizing its name is
     * most of the cost, and a batch names one counterparty on many orders). */
    char key[1024];
    rf_buf *kept = NULL;
    rf_memo *memo = work && party && party->name && party->name[0] ? rf_result__fingerprints(work, &kept) : NULL;
    size_t len = memo ? fingerprint_key(key, sizeof key, party) : 0;
    uint64_t h = len ? rf_hash__bytes(key, len) : 0;
    int rc;
    if (len && rf_memo__get(memo, 0, h, key, len, kept) && kept->len == RF_FINGERPRINT_LEN) {
        memcpy(out, kept->data, RF_FINGERPRINT_LEN);
        out[RF_FINGERPRINT_LEN] = '\0';
        return RF_OK;
    }
    rc = compute(out, work, party);
    if (rc == RF_OK && len) rf_memo__keep(memo, h, key, len, out, RF_FINGERPRINT_LEN);
    return rc;
}
