/* names.c: turning a listed name into the names of an entity, and guessing an entity's type
 * when the list does not give one. Both follow the real lists (the CSL of 2022 and 2023, the
 * DPL of 2023); every rule is one regular expression (PCRE2) or one word list.
 *
 * Name rules, applied in this order to the `name` column:
 *  1. Affiliates. "Huawei Technologies Co., Ltd. (Huawei).  Affiliated Entity:  Hangzhou
 *     Huawei Enterprises" is the affiliate "Hangzhou Huawei Enterprises" (its own name is the
 *     primary name) whose parent is "Huawei Technologies Co., Ltd."; the parent's short form
 *     "(Huawei)" belongs to neither.
 *  2. Enclosed aliases. "[aka X, Y]", "(a.k.a. X; Y)", "(A.K.A. X)", "(f.k.a., X)",
 *     "(formerly known as X)" are cut out of the name; what they hold becomes aliases
 *     (RF_NAME_ALIAS) or former names (RF_NAME_FORMER). "PEARL (A.K.A. NEI-CHIEN CHU) LI" is
 *     "PEARL LI" a.k.a. "NEI-CHIEN CHU".
 *  3. Inline aliases. "X, a.k.a. Y", "X A/K/A Y", "X D/B/A Y", "X f.k.a. Y": X is the name,
 *     Y the alias (or former name). "a.k.a. the following 3 aliases: A; B; C" gives A, B, C.
 *  4. Alias lists are split on ";" or, when there is none, on "," unless a piece would be a
 *     bare legal form ("FETCO, Inc." stays whole). A leading "and " is dropped.
 *  5. Qualifiers. "X and any successor, sub-unit, or subsidiary thereof" and "X, and its
 *     sub-units and successors" keep the name as listed and add "X" as an alias.
 *  6. Trailing locations. "Chengdu Huawei Technologies Co., Ltd., Chengdu, Sichuan" keeps the
 *     name as listed and adds "Chengdu Huawei Technologies Co., Ltd." as an alias: after a
 *     legal form (and an optional "(Short)") come one to four comma-separated places of one
 *     to three capitalised words, none of them a legal form or an organisational word
 *     ("..., Beijing Research Institute" is a unit, not a place) and none all capitals
 *     ("..., RKB Globus" is a company).
 * White space is collapsed and trailing commas are dropped from every name; an entity keeps
 * each name once (compared ignoring ASCII case) and at most RF_MAX_NAMES of them.
 *
 * Type rules, for rows without a type (BIS and State Department lists), on the primary name:
 *  - "individual" anywhere ("(DPRK individual)") -> person;
 *  - a legal form (Ltd, Inc., GmbH, OOO, S.A. ...; two-letter forms such as AG or SA only
 *    last or dotted, AO and PT also first) or an organisational word (Company, Institute,
 *    Technology, Airlines, Government ...) -> organization;
 *  - shaped like a person's name -> person: two to six words of letters (initials "A.H.",
 *    hyphens and apostrophes allowed), at most one comma ("LAST, First"; ", JR." is a
 *    suffix), titles (MR., CAPTAIN) and suffixes (JR, III) aside, a quoted nickname or a
 *    parenthesis ignored, no "and"/"of"/"&", and in a mixed-case name no all-capitals word
 *    ("APEX Kazakhstan" is a company);
 *  - anything else (one word, digits, "and") -> organization.
 * Known misses: brand-like two-word names without such words ("Proven Glory") come out as
 * persons. The type only guides matching; a wrong guess does not drop a name. */
#include "list_import.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- word lists ------------------------------------------------------------------------- */

/* Legal forms, written as letters and digits only, lower case ("Co., Ltd." -> "coltd"). The
 * short ones are ambiguous inside a name and count only at its start or end. */
static const char *const legal_forms[] = {
    "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "gmbh", "plc",
    "ooo", "oao", "zao", "pao", "pjsc", "ojsc", "cjsc", "jsc", "llp", "srl", "sarl", "sas",
    "spa", "fze", "fzco", "fzc", "fzllc", "dmcc", "bhd", "sdnbhd", "kft", "doo", "sro",
    "pjs", "sadecv", "coltd", "pteltd", "ptyltd", "pte", "pty", "company", "gmbhcokg",
    "ltda", "aktsionernoeobshchestvo", NULL};
static const char *const short_legal_forms[] = {
    "co", "sa", "ag", "ab", "ao", "as", "pt", "oy", "bv", "nv", "kk", "lp", "ca", "se",
    "ad", "ou", "tov", "sl", NULL};
/* Forms written before the name ("AO TMKB Soyuz", "PT Huawei Tech Investment"). */
static const char *const prefix_legal_forms[] = {"ao", "pt", "tov", NULL};

/* Words that name organisations rather than people (lower case). */
static const char *const org_words[] = {
    "academy", "aero", "aerospace", "agency", "air", "aircraft", "airline", "airlines",
    "airport", "airways", "aktsionernoe", "alloy", "alloys", "army", "associates",
    "association", "authority", "automation", "aviation", "bank", "base", "board",
    "brigade", "bureau", "business", "byuro", "cargo", "catering", "center", "centre",
    "chemical", "chemicals", "cloud", "college", "commercial", "commission", "committee",
    "communication", "communications", "complex", "components", "computer", "computers",
    "concern", "construction", "consulting", "contracting", "council", "department",
    "design", "development", "digital", "directorate", "display", "distribution",
    "division", "electric", "electrical", "electronic", "electronics", "energy",
    "engineering", "engineers", "enterprise", "enterprises", "equipment", "establishment",
    "exchange", "export", "exporters", "express", "factory", "farm", "firm", "fleet",
    "force", "forces", "foundation", "freight", "front", "fund", "gas", "global",
    "government", "group", "guard", "holding", "holdings", "hospital", "import",
    "importers", "importexport", "industrial", "industries", "industry", "institute",
    "instrument", "instruments", "international", "investment", "investments",
    "konstruktorskoe", "lab", "laboratories", "laboratory", "logistics", "machine",
    "machinery", "management", "manufacturing", "marine", "maritime", "materials", "media",
    "metal", "metals", "microelectronics", "military", "mining", "ministry", "motor",
    "motors", "movement", "navy", "network", "networks", "npo", "nppp", "obshchestvo",
    "office", "oil", "openlab", "optics", "organisation", "organization", "otkrytoe",
    "partners", "partnership", "party", "petroleum", "pharma", "pharmaceutical",
    "pharmaceuticals", "photonics", "plant", "port", "ports", "power", "precision",
    "production", "products", "property", "railway", "railways", "research", "resources",
    "school", "science", "sciences", "scientific", "semiconductor", "semiconductors",
    "service", "services", "shipbuilding", "shipping", "shipyard", "software", "solutions",
    "station", "steel", "store", "supplies", "supply", "system", "systems", "tech",
    "technical", "technique", "technologies", "technology", "telecom", "telecommunications",
    "titanium", "trade", "trading", "transport", "travel", "trust", "union", "university",
    "works", "world", "zakrytoe", NULL};

static const char *const person_titles[] = {"mr", "mrs", "ms", "dr", "captain", "colonel",
                                            "general", "sheikh", "ing", NULL};
static const char *const person_suffixes[] = {"jr", "sr", "ii", "iii", "iv", NULL};
static const char *const joining_words[] = {"and", "of", "the", "for", "&", NULL};

static int in_list(const char *const *list, const char *w)
{
    for (; *list; list++)
        if (strcmp(*list, w) == 0) return 1;
    return 0;
}

/* s[0..len) as lower-case letters and digits only, into out (capped); returns its length. */
static size_t squash(char *out, size_t out_size, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < out_size; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[n++] = (char)c;
        else if (c >= 'A' && c <= 'Z') out[n++] = (char)(c - 'A' + 'a');
    }
    out[n] = '\0';
    return n;
}

/* 1 when s[0..len) on its own is a legal form ("Inc.", "Co., Ltd.", "S.A. DE C.V."). */
static int is_legal_form(const char *s, size_t len)
{
    char w[64];
    if (len >= sizeof w) return 0;
    squash(w, sizeof w, s, len);
    return w[0] && (in_list(legal_forms, w) || in_list(short_legal_forms, w));
}

/* ---- the compiled rules ----------------------------------------------------------------- */

struct rf_namer {
    pcre2_code *affiliate;
    pcre2_code *leading;
    pcre2_code *enclosed;
    pcre2_code *inline_alias;
    pcre2_code *following;
    pcre2_code *qualifier;
    pcre2_code *location;
    pcre2_code *individual;
    pcre2_match_data *md;
};

/* The words that introduce another name; always capture group 1 where they are used. */
#define ALIAS_WORD                                                                         \
    "(a\\.?k\\.?a\\.?|a/k/a|also\\s+known\\s+as|f\\.?k\\.?a\\.?|f/k/a"                        \
    "|formerly(?:\\s+known\\s+as)?|d/b/a|d\\.b\\.a\\.)(?![\\w.])"

#define LEGAL_FORM_RE                                                                      \
    "(?:Co\\.?|Company|Ltd\\.?|Limited|Inc\\.?|Incorporated|Corp\\.?|Corporation|LLC"         \
    "|L\\.L\\.C\\.|GmbH|AG|S\\.A\\.?|B\\.V\\.|N\\.V\\.|Pte\\.?|Pty\\.?|PLC|OOO|OAO|ZAO|AO|PAO"    \
    "|PJSC|JSC|LLP|K\\.K\\.|S\\.R\\.L\\.|SRL|SARL|Sdn\\.?\\s+Bhd\\.?|Bhd\\.?|FZE|FZCO|FZC|DMCC" \
    "|Oy|AB|A/S|Kft\\.?)"

static const char *const patterns[] = {
    /* affiliate: 1 parent, 2 the affiliate's own name */
    "^(.+?)\\s*(?:\\([^()]*\\))?\\s*\\.?\\s*Affiliated\\s+Entit(?:y|ies)\\s*:\\s*(.+)$",
    /* leading: an alt_names entry that starts with its keyword; 1 keyword, 2 the name */
    "^" ALIAS_WORD "\\s*[,:]?\\s+(.+)$",
    /* enclosed: 1 keyword, 2 the names (one level of parentheses allowed inside) */
    "[\\[(]\\s*" ALIAS_WORD "\\s*[,:]?\\s*((?:[^()\\[\\]]|\\([^()]*\\))+?)\\s*[\\])]",
    /* inline: 1 keyword, 2 the names; the name is what precedes the whole match */
    "\\s*,?\\s+" ALIAS_WORD "\\s*[,:]?\\s+(.+)$",
    /* following: the preamble of an alias list */
    "^the\\s+following\\s+\\d+\\s+(?:aliases|names)\\s*:\\s*",
    /* qualifier: 1 the name without it */
    "^(.+?)\\s*[,;]?\\s+and\\s+(?:any|its)\\s+(?:successors?|sub-?units?|subsidiar(?:y|ies))\\b.*$",
    /* location: 1 the name through its legal form and short form, 2 the places */
    "^(.*\\b" LEGAL_FORM_RE "(?:\\s*\\([^()]*\\))?)\\s*,\\s*([^,()]+(?:,\\s*[^,()]+){0,3})$",
    "\\bindividual\\b",
};

int rf_namer__new(rf_namer **out, rf_error *err)
{
    rf_namer *nm = calloc(1, sizeof *nm);
    pcre2_code **slot[] = {&nm->affiliate, &nm->leading, &nm->enclosed, &nm->inline_alias,
                           &nm->following, &nm->qualifier, &nm->location, &nm->individual};

    *out = NULL;
    if (!nm) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        int code;
        PCRE2_SIZE at;
        *slot[i] = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED,
                                 PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP, &code, &at, NULL);
        if (!*slot[i]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            rf_namer__free(nm);
            return rf_error_set(err, RF_EUSAGE, NULL, 0, "name rule %zu: %s at %zu", i,
                                (const char *)msg, (size_t)at);
        }
    }
    nm->md = pcre2_match_data_create(8, NULL);
    if (!nm->md) {
        rf_namer__free(nm);
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    }
    *out = nm;
    return 0;
}

void rf_namer__free(rf_namer *nm)
{
    if (!nm) return;
    pcre2_code_free(nm->affiliate);
    pcre2_code_free(nm->leading);
    pcre2_code_free(nm->enclosed);
    pcre2_code_free(nm->inline_alias);
    pcre2_code_free(nm->following);
    pcre2_code_free(nm->qualifier);
    pcre2_code_free(nm->location);
    pcre2_code_free(nm->individual);
    pcre2_match_data_free(nm->md);
    free(nm);
}

/* Matches `re` against s[0..len) from `start`; 1 on a match (offsets in nm->md). */
static int match(rf_namer *nm, const pcre2_code *re, const char *s, size_t len, size_t start)
{
    return pcre2_match(re, (PCRE2_SPTR)s, len, start, 0, nm->md, NULL) > 0;
}

/* Group `g` of the last match: start in *at, length returned (0 when unset). */
static size_t group(rf_namer *nm, int g, size_t *at)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(nm->md);
    if (ov[2 * g] == PCRE2_UNSET) {
        *at = 0;
        return 0;
    }
    *at = ov[2 * g];
    return ov[2 * g + 1] - ov[2 * g];
}

/* ---- building the name set -------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* s[0..len) with white space collapsed, trailing commas/semicolons and a leading "and "
 * dropped, into the pool. *out_len is 0 when nothing is left. */
static char *clean_name(rf_list_ctx *cx, const char *s, size_t len, size_t *out_len)
{
    char *out = rf_strpool__add(&cx->pool, s, len);
    size_t n;

    if (!out) return NULL;
    n = rf_text__collapse(out, len);
    while (n && (out[n - 1] == ' ' || out[n - 1] == ',' || out[n - 1] == ';')) n--;
    out[n] = '\0';
    if (n > 4 && strncasecmp(out, "and ", 4) == 0) {
        memmove(out, out + 4, n - 3);
        n -= 4;
    }
    *out_len = n;
    return out;
}

/* Adds a name of `kind` (cleaned) unless the set already has it. */
static int add_name(rf_name_set *set, const char *text, size_t len, rf_name_kind kind,
                    rf_list_ctx *cx, long line)
{
    size_t n;
    char *s = clean_name(cx, text, len, &n);

    if (!s) return rf_list__fail(cx, RF_ENOMEM, line, "out of memory");
    if (n == 0) return 0;
    for (size_t i = 0; i < set->n; i++)
        if (strcasecmp(set->names[i].text, s) == 0) return 0;
    if (set->n == RF_MAX_NAMES)
        return rf_list__fail(cx, RF_ELIMIT, line, "more than %d names for one entity",
                            RF_MAX_NAMES);
    set->names[set->n].text = s;
    set->names[set->n].kind = kind;
    set->n++;
    return 0;
}

static rf_name_kind kind_of(const char *keyword);

/* One piece of an alias list, which may repeat its keyword: "X, a.k.a. Y, a.k.a. Z". */
static int add_piece(rf_name_set *set, rf_namer *nm, const char *s, size_t len,
                     rf_name_kind kind, rf_list_ctx *cx, long line)
{
    size_t at, n;
    while (len && is_space(*s)) s++, len--;
    if (match(nm, nm->leading, s, len, 0)) {
        group(nm, 1, &at);
        kind = kind_of(s + at);
        n = group(nm, 2, &at);
        s += at;
        len = n;
    }
    return add_name(set, s, len, kind, cx, line);
}

/* Adds the names in an alias list (rule 4) as `kind`. */
static int add_alias_list(rf_name_set *set, rf_namer *nm, const char *s, size_t len,
                          rf_name_kind kind, rf_list_ctx *cx, long line)
{
    size_t at, n, start = 0;
    char sep = ';';
    int rc;

    if (match(nm, nm->following, s, len, 0)) {
        n = group(nm, 0, &at);
        s += at + n;
        len -= at + n;
    }
    if (!memchr(s, ';', len)) {
        /* Commas separate names only when no piece is a bare legal form. */
        sep = ',';
        for (size_t i = 0; i <= len; i++) {
            if (i == len || s[i] == ',') {
                const char *p = s + start;
                size_t plen = i - start;
                while (plen && is_space(*p)) p++, plen--;
                while (plen && is_space(p[plen - 1])) plen--;
                if (plen > 4 && strncasecmp(p, "and ", 4) == 0) p += 4, plen -= 4;
                if (is_legal_form(p, plen)) sep = '\0';
                start = i + 1;
            }
        }
        if (!sep) return add_name(set, s, len, kind, cx, line);
        start = 0;
    }
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == sep) {
            if ((rc = add_piece(set, nm, s + start, i - start, kind, cx, line)) != 0) return rc;
            start = i + 1;
        }
    }
    return 0;
}

static rf_name_kind kind_of(const char *keyword)
{
    return (keyword[0] == 'f' || keyword[0] == 'F') ? RF_NAME_FORMER : RF_NAME_ALIAS;
}

/* Rule 6: 1 when every comma-separated part of s[0..len) looks like a place name. */
static int looks_like_places(const char *s, size_t len)
{
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',') continue;
        {
            const char *p = s + start;
            size_t plen = i - start, words = 0, w = 0;
            while (plen && is_space(*p)) p++, plen--;
            while (plen && is_space(p[plen - 1])) plen--;
            if (plen == 0 || is_legal_form(p, plen)) return 0;
            while (w < plen) {
                size_t we = w;
                int lower = 0;
                char lw[64];
                while (we < plen && p[we] != ' ') we++;
                if (!(((unsigned char)p[w] >= 0x80) || (p[w] >= 'A' && p[w] <= 'Z') ||
                      (p[w] >= 'a' && p[w] <= 'z')))
                    return 0;
                for (size_t k = w; k < we; k++) {
                    unsigned char c = (unsigned char)p[k];
                    if (c >= '0' && c <= '9') return 0;
                    if ((c >= 'a' && c <= 'z') || c >= 0x80) lower = 1;
                }
                if (!lower) return 0; /* an acronym or a name in capitals: not a place */
                squash(lw, sizeof lw, p + w, we - w);
                if (in_list(org_words, lw) || in_list(legal_forms, lw)) return 0;
                words++;
                w = we;
                while (w < plen && p[w] == ' ') w++;
            }
            if (words > 3) return 0;
        }
        start = i + 1;
    }
    return 1;
}

typedef struct pending {
    const char *text;
    size_t len;
    rf_name_kind kind;
} pending;

#define MAX_PENDING 16

/* Adds s[0..len) as a name of `kind` (rules 2 to 4): aliases enclosed in it or following it
 * inline are cut out and added after it. For the primary name the cut name must remain. */
static int add_with_aliases(rf_name_set *set, rf_namer *nm, const char *text, size_t len,
                            rf_name_kind kind, rf_list_ctx *cx, long line)
{
    pending aliases[MAX_PENDING];
    size_t n_aliases = 0, at, n, before = set->n;
    char *s = rf_strpool__add(&cx->pool, text, len);
    int rc;

    if (!s) return rf_list__fail(cx, RF_ENOMEM, line, "out of memory");
    /* An alt_names entry may itself start with its keyword: "f.k.a. Sibirskaya ...". */
    if (kind != RF_NAME_PRIMARY && match(nm, nm->leading, s, len, 0)) {
        group(nm, 1, &at);
        kind = kind_of(s + at);
        n = group(nm, 2, &at);
        s += at;
        len = n;
    }
    while (n_aliases < MAX_PENDING && match(nm, nm->enclosed, s, len, 0)) {
        size_t mat, mlen;
        pending *p = &aliases[n_aliases++];
        group(nm, 1, &at);
        p->kind = kind_of(s + at);
        p->len = group(nm, 2, &at);
        /* The cut below overwrites the match, so the names are copied first. */
        if (!(p->text = rf_strpool__add(&cx->pool, s + at, p->len)))
            return rf_list__fail(cx, RF_ENOMEM, line, "out of memory");
        mlen = group(nm, 0, &mat);
        s[mat] = ' ';
        memmove(s + mat + 1, s + mat + mlen, len - mat - mlen + 1);
        len -= mlen - 1;
    }
    if (n_aliases < MAX_PENDING && match(nm, nm->inline_alias, s, len, 0)) {
        pending *p = &aliases[n_aliases++];
        size_t mat;
        group(nm, 1, &at);
        p->kind = kind_of(s + at);
        p->len = group(nm, 2, &at);
        p->text = s + at;
        group(nm, 0, &mat);
        len = mat;
    }
    if ((rc = add_name(set, s, len, kind, cx, line)) != 0) return rc;
    if (kind == RF_NAME_PRIMARY && set->n == before)
        return rf_list__fail(cx, RF_EFORMAT, line, "the row has no name");
    for (size_t i = 0; i < n_aliases; i++)
        if ((rc = add_alias_list(set, nm, aliases[i].text, aliases[i].len, aliases[i].kind, cx,
                                 line)) != 0)
            return rc;
    return 0;
}

int rf_names__split(rf_name_set *set, rf_namer *nm, const char *raw, rf_list_ctx *cx,
                   long line)
{
    size_t len = strlen(raw), at, n;
    const char *s = raw;
    int rc;

    set->n = 0;
    set->parent = NULL;
    /* 1: the affiliate's own name is the name; the parent is kept apart. */
    if (match(nm, nm->affiliate, s, len, 0)) {
        size_t plen = group(nm, 1, &at), clean_len;
        char *parent = clean_name(cx, s + at, plen, &clean_len);
        if (!parent) return rf_list__fail(cx, RF_ENOMEM, line, "out of memory");
        set->parent = clean_len ? parent : NULL;
        n = group(nm, 2, &at);
        s += at;
        len = n;
    }
    if ((rc = add_with_aliases(set, nm, s, len, RF_NAME_PRIMARY, cx, line)) != 0) return rc;

    /* 5 and 6 work on the primary name as it now reads. */
    s = set->names[0].text;
    len = strlen(s);
    if (match(nm, nm->qualifier, s, len, 0)) {
        n = group(nm, 1, &at);
        if ((rc = add_name(set, s + at, n, RF_NAME_ALIAS, cx, line)) != 0) return rc;
        len = n; /* a location before the qualifier is cut from the short form */
    }
    if (match(nm, nm->location, s, len, 0)) {
        size_t pat, plen = group(nm, 2, &pat);
        if (looks_like_places(s + pat, plen)) {
            n = group(nm, 1, &at);
            if ((rc = add_name(set, s + at, n, RF_NAME_ALIAS, cx, line)) != 0) return rc;
        }
    }
    return 0;
}

int rf_names__add(rf_name_set *set, const char *text, size_t len, rf_name_kind kind,
                 rf_list_ctx *cx, long line)
{
    return add_name(set, text, len, kind, cx, line);
}

int rf_names__add_listed(rf_name_set *set, rf_namer *nm, const char *text, size_t len,
                        rf_list_ctx *cx, long line)
{
    return add_with_aliases(set, nm, text, len, RF_NAME_ALIAS, cx, line);
}

/* ---- types ------------------------------------------------------------------------------ */

#define MAX_WORDS 32

typedef struct word {
    const char *s;
    size_t len;
} word;

/* Splits on spaces and commas; *commas counts the commas. */
static size_t split_words(word *w, const char *s, size_t len, size_t *commas)
{
    size_t n = 0, i = 0;

    *commas = 0;
    while (i < len && n < MAX_WORDS) {
        size_t st;
        while (i < len && (s[i] == ' ' || s[i] == ',')) *commas += s[i++] == ',';
        st = i;
        while (i < len && s[i] != ' ' && s[i] != ',') i++;
        if (i > st) {
            w[n].s = s + st;
            w[n].len = i - st;
            n++;
        }
    }
    return n;
}

/* A word of a person's name: letters, with initials' dots, hyphens and apostrophes. */
static int name_word(const word *w, int mixed_case)
{
    int has_dot = 0, all_caps = 1, letters = 0;
    unsigned char c0 = (unsigned char)w->s[0];

    if (!(c0 >= 0x80 || (c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z') || c0 == '\''))
        return 0;
    for (size_t i = 0; i < w->len; i++) {
        unsigned char c = (unsigned char)w->s[i];
        if ((c >= 'a' && c <= 'z') || c >= 0x80) {
            all_caps = 0;
            letters++;
        } else if (c >= 'A' && c <= 'Z') {
            letters++;
        } else if (c == '.') {
            has_dot = 1;
        } else if (c != '-' && c != '\'') {
            return 0;
        }
    }
    /* "APEX" in "APEX Kazakhstan" is a brand; "A.H." is a pair of initials. */
    return !(mixed_case && all_caps && letters >= 2 && !has_dot);
}

static int person_shaped(const char *name)
{
    char buf[512];
    size_t n = 0, commas, count, names = 0;
    int depth = 0, quoted = 0, mixed_case = 0, upper = 0, lower = 0, titled = 0;
    word w[MAX_WORDS];

    /* Parentheses and quoted nicknames aside: "IHSAN MEDHAT "SAMMY" ELASHI". */
    for (const char *p = name; *p && n + 1 < sizeof buf; p++) {
        if (*p == '(') depth++;
        else if (*p == ')' && depth) depth--;
        else if (*p == '"') quoted = !quoted;
        else if (!depth && !quoted) buf[n++] = *p;
    }
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (buf[i] >= 'A' && buf[i] <= 'Z') upper = 1;
        if (buf[i] >= 'a' && buf[i] <= 'z') lower = 1;
    }
    mixed_case = upper && lower;
    count = split_words(w, buf, n, &commas);
    for (size_t i = 0; i < count; i++) {
        char lw[64];
        squash(lw, sizeof lw, w[i].s, w[i].len);
        if (in_list(joining_words, lw) || (w[i].len == 1 && w[i].s[0] == '&')) return 0;
        if (in_list(person_suffixes, lw)) {
            if (commas) commas--; /* "ABEL HERNANDEZ, JR." */
            continue;
        }
        if (in_list(person_titles, lw) && i == 0) {
            titled = 1;
            continue;
        }
        if (!name_word(&w[i], mixed_case)) return 0;
        names++;
    }
    /* "CAPTAIN ELYAZGI": a title makes one name enough. */
    return commas <= 1 && names >= (titled ? 1u : 2u) && names <= 6;
}

rf_entity_type rf_names__guess_type(rf_namer *nm, const char *name)
{
    size_t len, count, commas;
    word w[MAX_WORDS];

    if (!name || !*name) return RF_ENTITY_UNKNOWN;
    len = strlen(name);
    if (match(nm, nm->individual, name, len, 0)) return RF_ENTITY_PERSON;
    count = split_words(w, name, len, &commas);
    for (size_t i = 0; i < count; i++) {
        char lw[64];
        squash(lw, sizeof lw, w[i].s, w[i].len);
        if (in_list(org_words, lw) || in_list(legal_forms, lw)) return RF_ENTITY_ORGANIZATION;
        /* Two-letter forms are ordinary syllables inside a name: only where forms stand. */
        if (count > 1 && in_list(short_legal_forms, lw) &&
            (i + 1 == count || memchr(w[i].s, '.', w[i].len)))
            return RF_ENTITY_ORGANIZATION;
        if (count > 1 && i == 0 && in_list(prefix_legal_forms, lw)) return RF_ENTITY_ORGANIZATION;
    }
    return person_shaped(name) ? RF_ENTITY_PERSON : RF_ENTITY_ORGANIZATION;
}
