/* destination.c: the destination check of rf_engine.h. A party that receives or uses the goods
 * (ship-to, end user, consignee) in a comprehensively embargoed destination is a finding of
 * its own, whether or not its name is on a list: Cuba, Iran, North Korea and Syria by country,
 * and the Crimea, Donetsk and Luhansk regions of Ukraine by what the address says, since
 * their country is written as Ukraine, as Russia, or not at all.
 *
 * Text is compared case-folded with accents stripped (utf8proc), so "KRYM", "Krym" and "Крым"
 * are one spelling each; place words are matched at the start of a word, so that inflected
 * forms ("Donetska oblast", "Крымская", "Луганской") match their stem. */
#include "engine/rf_engine.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct embargo_info {
    rf_embargo embargo;
    const char *code;
    const char *name;
    const char *authority;
} embargo_info;

static const embargo_info embargoes[] = {
    {RF_EMBARGO_NONE, "", "", ""},
    {RF_EMBARGO_CUBA, "CU", "Cuba",
     "EAR 15 CFR 746.2; Cuban Assets Control Regulations, 31 CFR part 515"},
    {RF_EMBARGO_IRAN, "IR", "Iran",
     "EAR 15 CFR 746.7; Iranian Transactions and Sanctions Regulations, 31 CFR part 560"},
    {RF_EMBARGO_NORTH_KOREA, "KP", "North Korea",
     "EAR 15 CFR 746.4; North Korea Sanctions Regulations, 31 CFR part 510"},
    {RF_EMBARGO_SYRIA, "SY", "Syria",
     "EAR 15 CFR 746.9; Syrian Sanctions Regulations, 31 CFR part 542"},
    {RF_EMBARGO_CRIMEA, "UA-43", "the Crimea region of Ukraine",
     "EAR 15 CFR 746.6; Executive Order 13685; 31 CFR part 589"},
    {RF_EMBARGO_DONETSK, "UA-14", "the so-called Donetsk People's Republic region of Ukraine",
     "EAR 15 CFR 746.6; Executive Order 14065; 31 CFR part 589"},
    {RF_EMBARGO_LUHANSK, "UA-09", "the so-called Luhansk People's Republic region of Ukraine",
     "EAR 15 CFR 746.6; Executive Order 14065; 31 CFR part 589"},
};

/* Countries as written in the country field: ISO codes and names, in the comparison form
 * (case-folded, accents stripped, punctuation as spaces). */
static const struct {
    const char *text;
    rf_embargo embargo;
} countries[] = {
    {"cu", RF_EMBARGO_CUBA},          {"cub", RF_EMBARGO_CUBA},
    {"cuba", RF_EMBARGO_CUBA},        {"kuba", RF_EMBARGO_CUBA},
    {"republic of cuba", RF_EMBARGO_CUBA}, {"куба", RF_EMBARGO_CUBA},
    {"ir", RF_EMBARGO_IRAN},          {"irn", RF_EMBARGO_IRAN},
    {"iran", RF_EMBARGO_IRAN},        {"islamic republic of iran", RF_EMBARGO_IRAN},
    {"iran islamic republic of", RF_EMBARGO_IRAN}, {"iran islamic republic", RF_EMBARGO_IRAN},
    {"иран", RF_EMBARGO_IRAN},        {"ایران", RF_EMBARGO_IRAN},
    {"kp", RF_EMBARGO_NORTH_KOREA},   {"prk", RF_EMBARGO_NORTH_KOREA},
    {"north korea", RF_EMBARGO_NORTH_KOREA}, {"korea north", RF_EMBARGO_NORTH_KOREA},
    {"dprk", RF_EMBARGO_NORTH_KOREA}, {"d p r k", RF_EMBARGO_NORTH_KOREA},
    {"democratic people s republic of korea", RF_EMBARGO_NORTH_KOREA},
    {"korea democratic people s republic of", RF_EMBARGO_NORTH_KOREA},
    {"korea democratic people s republic", RF_EMBARGO_NORTH_KOREA},
    {"nordkorea", RF_EMBARGO_NORTH_KOREA}, {"coree du nord", RF_EMBARGO_NORTH_KOREA},
    {"corea del norte", RF_EMBARGO_NORTH_KOREA}, {"кндр", RF_EMBARGO_NORTH_KOREA},
    {"северная корея", RF_EMBARGO_NORTH_KOREA},
    {"sy", RF_EMBARGO_SYRIA},         {"syr", RF_EMBARGO_SYRIA},
    {"syria", RF_EMBARGO_SYRIA},      {"syrian arab republic", RF_EMBARGO_SYRIA},
    {"syrien", RF_EMBARGO_SYRIA},     {"siria", RF_EMBARGO_SYRIA},
    {"syrie", RF_EMBARGO_SYRIA},      {"сирия", RF_EMBARGO_SYRIA},
};

/* Countries whose addresses may lie in the covered regions of Ukraine: Ukraine itself, and
 * Russia, which claims them. */
static const char *const region_countries[] = {
    "ua", "ukr", "ukraine", "ukraina", "україна", "украина", "ru", "rus", "russia",
    "russian federation", "россия", "российская федерация", "росія",
};

/* Words that place an address in a covered region, matched at the start of a word ("prefix")
 * or as a whole word: the region names in English, German, French, Russian and Ukrainian,
 * with their capitals and main cities. */
static const struct {
    const char *word;
    int prefix;
    rf_embargo embargo;
} places[] = {
    {"crimea", 1, RF_EMBARGO_CRIMEA},     {"crimee", 0, RF_EMBARGO_CRIMEA},
    {"krym", 1, RF_EMBARGO_CRIMEA},       {"krim", 0, RF_EMBARGO_CRIMEA},
    {"крым", 1, RF_EMBARGO_CRIMEA},       {"крим", 0, RF_EMBARGO_CRIMEA},
    {"криму", 0, RF_EMBARGO_CRIMEA},      {"кримськ", 1, RF_EMBARGO_CRIMEA},
    {"simferopol", 1, RF_EMBARGO_CRIMEA}, {"симферопол", 1, RF_EMBARGO_CRIMEA},
    {"сімферопол", 1, RF_EMBARGO_CRIMEA}, {"sevastopol", 1, RF_EMBARGO_CRIMEA},
    {"sebastopol", 1, RF_EMBARGO_CRIMEA}, {"севастопол", 1, RF_EMBARGO_CRIMEA},
    {"kerch", 1, RF_EMBARGO_CRIMEA},      {"керч", 1, RF_EMBARGO_CRIMEA},
    {"yalta", 1, RF_EMBARGO_CRIMEA},      {"ялта", 1, RF_EMBARGO_CRIMEA},
    {"feodosi", 1, RF_EMBARGO_CRIMEA},    {"феодоси", 1, RF_EMBARGO_CRIMEA},
    {"yevpatori", 1, RF_EMBARGO_CRIMEA},  {"evpatori", 1, RF_EMBARGO_CRIMEA},
    {"евпатори", 1, RF_EMBARGO_CRIMEA},   {"євпаторі", 1, RF_EMBARGO_CRIMEA},
    {"dzhankoi", 1, RF_EMBARGO_CRIMEA},   {"джанкой", 1, RF_EMBARGO_CRIMEA},
    {"donetsk", 1, RF_EMBARGO_DONETSK},   {"donezk", 1, RF_EMBARGO_DONETSK},
    {"донецк", 1, RF_EMBARGO_DONETSK},    {"донецьк", 1, RF_EMBARGO_DONETSK},
    {"makiivka", 1, RF_EMBARGO_DONETSK},  {"makeyevka", 1, RF_EMBARGO_DONETSK},
    {"макеевк", 1, RF_EMBARGO_DONETSK},   {"макіївк", 1, RF_EMBARGO_DONETSK},
    {"horlivka", 1, RF_EMBARGO_DONETSK},  {"gorlovka", 1, RF_EMBARGO_DONETSK},
    {"горловк", 1, RF_EMBARGO_DONETSK},   {"горлівк", 1, RF_EMBARGO_DONETSK},
    {"dnr", 0, RF_EMBARGO_DONETSK},       {"днр", 0, RF_EMBARGO_DONETSK},
    {"luhansk", 1, RF_EMBARGO_LUHANSK},   {"lugansk", 1, RF_EMBARGO_LUHANSK},
    {"луганск", 1, RF_EMBARGO_LUHANSK},   {"луганськ", 1, RF_EMBARGO_LUHANSK},
    {"alchevsk", 1, RF_EMBARGO_LUHANSK},  {"алчевск", 1, RF_EMBARGO_LUHANSK},
    {"алчевськ", 1, RF_EMBARGO_LUHANSK},  {"lnr", 0, RF_EMBARGO_LUHANSK},
    {"лнр", 0, RF_EMBARGO_LUHANSK},
};

/* Whole words that begin like a covered place but lie elsewhere: Krymsk is in Russia's
 * Krasnodar region. */
static const char *const not_places[] = {"krymsk", "крымск"};

/* Roles that receive or use the goods. */
static const char *const destination_roles[] = {
    "ship_to", "deliver_to", "end_user", "ultimate_consignee", "intermediate_consignee",
    "consignee", "installed_at",
};

int rf_destination_role(const char *role)
{
    for (size_t i = 0; role && i < sizeof destination_roles / sizeof destination_roles[0]; i++)
        if (strcmp(role, destination_roles[i]) == 0) return 1;
    return 0;
}

/* The comparison form of `s`: NFKC, case folded, accents stripped, every character that is
 * not a letter or digit a single space, trimmed. NULL when `s` is empty or not UTF-8. */
static char *fold(const char *s)
{
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t n;
    char *out;
    size_t k = 0;

    if (!s || !s[0]) return NULL;
    n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &mapped,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                         UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) return NULL;
    out = malloc((size_t)n + 1);
    if (!out) {
        free(mapped);
        return NULL;
    }
    for (utf8proc_ssize_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(mapped + i, n - i, &cp);
        utf8proc_category_t cat;
        if (len <= 0) break;
        cat = utf8proc_category(cp);
        if (cat <= UTF8PROC_CATEGORY_LO || cat == UTF8PROC_CATEGORY_ND) {
            memcpy(out + k, mapped + i, (size_t)len);
            k += (size_t)len;
        } else if (k && out[k - 1] != ' ') {
            out[k++] = ' ';
        }
        i += len;
    }
    while (k && out[k - 1] == ' ') k--;
    out[k] = '\0';
    free(mapped);
    if (!k) {
        free(out);
        return NULL;
    }
    return out;
}

static void fill(rf_destination *out, rf_embargo e, const char *field, const char *found,
                 size_t found_len, const char *role)
{
    const embargo_info *info = &embargoes[e];
    out->embargo = e;
    out->code = info->code;
    out->name = info->name;
    out->authority = info->authority;
    out->field = field;
    snprintf(out->found, sizeof out->found, "%.*s", (int)found_len, found);
    snprintf(out->reason, sizeof out->reason,
             "%s in %s, a comprehensively embargoed destination: the %s says \"%s\" (%s)",
             role && role[0] ? role : "destination", info->name, field, out->found,
             info->authority);
}

/* The covered place a word of `folded` names, or RF_EMBARGO_NONE; *word gets its index. */
static rf_embargo find_place(const char *folded, const char **word, size_t *word_len)
{
    for (const char *w = folded; *w;) {
        size_t len = strcspn(w, " ");
        int excluded = 0;
        for (size_t i = 0; i < sizeof not_places / sizeof not_places[0]; i++)
            excluded |= strlen(not_places[i]) == len && memcmp(w, not_places[i], len) == 0;
        for (size_t i = 0; !excluded && i < sizeof places / sizeof places[0]; i++) {
            size_t pl = strlen(places[i].word);
            if (pl <= len && memcmp(w, places[i].word, pl) == 0 &&
                (places[i].prefix || pl == len)) {
                *word = w;
                *word_len = len;
                return places[i].embargo;
            }
        }
        w += len;
        while (*w == ' ') w++;
    }
    return RF_EMBARGO_NONE;
}

/* The word of the original text at the same position as the folded word: shown to people as
 * they wrote it. Falls back to the folded word when the two do not line up. */
static void as_written(const char **s, size_t *len, const char *original, const char *folded,
                       const char *word, size_t word_len)
{
    size_t index = 0, seen = 0;
    *s = NULL;
    for (const char *p = folded; p < word; p++) index += *p == ' ';
    for (const char *p = original; *p;) {
        size_t n = 0;
        while (*p && !((unsigned char)*p >= 0x80 || (*p >= 'a' && *p <= 'z') ||
                       (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            p++;
        while (p[n] && ((unsigned char)p[n] >= 0x80 || (p[n] >= 'a' && p[n] <= 'z') ||
                        (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9')))
            n++;
        if (!n) break;
        if (seen++ == index) {
            char copy[256], *check;
            snprintf(copy, sizeof copy, "%.*s", (int)(n < 255 ? n : 255), p);
            check = fold(copy);
            if (check && strlen(check) == word_len && memcmp(check, word, word_len) == 0) {
                *s = p;
                *len = n;
            }
            free(check);
            if (*s) return;
            break;
        }
        p += n;
    }
    *s = word;
    *len = word_len;
}

int rf_destination_check(rf_destination *out, const rf_party *party)
{
    const struct {
        const char *field;
        const char *text;
    } fields[] = {
        {"country", party ? party->country : NULL},
        {"region", party ? party->region : NULL},
        {"city", party ? party->city : NULL},
        {"address", party ? party->address : NULL},
    };
    char *country;
    int region_possible = 1;

    if (!out || !party) return RF_EUSAGE;
    memset(out, 0, sizeof *out);
    if (!rf_destination_role(party->role)) return 0;

    country = fold(party->country);
    if (country) {
        region_possible = 0;
        for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
            if (strcmp(country, countries[i].text) == 0) {
                fill(out, countries[i].embargo, "country", party->country, strlen(party->country),
                     party->role);
                free(country);
                return 1;
            }
        for (size_t i = 0; i < sizeof region_countries / sizeof region_countries[0]; i++)
            region_possible |= strcmp(country, region_countries[i]) == 0;
        free(country);
    }
    /* The covered regions of Ukraine: only where the country is Ukraine, Russia or not
     * given; the country field itself may name the region ("Crimea"). */
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        char *folded;
        const char *word, *shown;
        size_t word_len, shown_len;
        rf_embargo e;
        if (f > 0 && !region_possible) break;
        if (!(folded = fold(fields[f].text))) continue;
        e = find_place(folded, &word, &word_len);
        if (e != RF_EMBARGO_NONE) {
            as_written(&shown, &shown_len, fields[f].text, folded, word, word_len);
            fill(out, e, fields[f].field, shown, shown_len, party->role);
            free(folded);
            return 1;
        }
        free(folded);
    }
    return 0;
}
