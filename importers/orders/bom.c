/* bom.c: finding the manufacturer column of a bill of materials whose headers do not name it
 * (ref;value;Field1;...;Field8, as CAD tools export user fields), from what its cells hold.
 *
 * The heuristic, over a sample of rows, per column that no header already explains:
 *   - a cell is name-like when it reads as words, not as a part number, a component value or
 *     a reference designator: at least two letters, digits fewer than half the letters, at
 *     most six words, and no word mixing letters and digits in a short value ("33pF",
 *     "GRM1555C1H330JA01D", "C12" fail; "Taiyo Yuden", "Silicon Laboratories Inc" pass);
 *   - a cell is company evidence when it is a manufacturer known in electronics (the table
 *     below, matched on the value's first words) or carries a legal form or a word companies
 *     name themselves with (Inc, GmbH, Ltd, Co., Corporation, Semiconductor, Electronics...);
 *   - a column qualifies when at least 80% of its non-empty cells are name-like, it holds at
 *     least two distinct values, fewer than 30% of its cells name a component type (a
 *     "Category" column of Capacitor, Resistor...), and either 30% of its cells are company
 *     evidence, or its names repeat (at most one distinct value per three cells, as a BOM
 *     repeats its few makers) with at least some evidence (10%);
 *   - among qualifying columns the one with the most evidence, then the most name-like and
 *     most repeated cells, wins.
 * Manufacturer names are what the column is for; a stray "DNP" (do not place) among them is
 * screened like any other cell and harms nothing.
 *
 * The same reading of cells tells the CSV reader when a column it does not read holds
 * company names (rf_orders__col_holds_names): most of its cells are name-like, few name component
 * types, and at least one carries a legal form. A legal form is what sets a company's name
 * apart from a description of goods, a city or a note, and one is enough: a single listed
 * company among a column of distributors is the case that must not go unsaid. */
#include "importers/orders/orders.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Manufacturers of electronic components, lower case, as BOMs write them. */
static const char *const makers[] = {
    "murata", "tdk", "kemet", "avx", "kyocera", "yageo", "vishay", "panasonic", "samsung",
    "taiyo yuden", "rohm", "bourns", "stackpole", "koa", "susumu", "walsin", "uniroyal",
    "texas instruments", "ti", "analog devices", "adi", "linear technology", "maxim",
    "microchip", "atmel", "nxp", "freescale", "stmicroelectronics", "st", "infineon",
    "on semiconductor", "onsemi", "on semi", "fairchild", "diodes", "nexperia", "toshiba",
    "renesas", "cypress", "silicon labs", "silicon laboratories", "skyworks", "qorvo", "rfmd",
    "mini-circuits", "hittite", "macom", "xilinx", "altera", "intel", "lattice", "nordic",
    "espressif", "broadcom", "marvell", "micron", "winbond", "issi", "cui", "molex",
    "te connectivity", "te", "amphenol", "hirose", "jst", "samtec", "harwin", "wurth",
    "würth", "wurth elektronik", "sullins", "keystone", "littelfuse", "coilcraft", "laird",
    "abracon", "epson", "ecs", "fox", "ndk", "txc", "lite-on", "liteon", "kingbright",
    "everlight", "osram", "cree", "johanson", "semtech", "allegro", "ixys", "wolfspeed",
    "richtek", "torex", "monolithic power", "mps", "huawei", "hisilicon", "mediatek", "zte",
    "quectel", "u-blox", "telit", "omron", "gigadevice", "bel fuse", "pulse", "eaton",
    "c&k", "e-switch", "wima", "nichicon", "rubycon", "elna", "chemi-con", "ohmite", "cts",
    "sunlord", "chilisin", "fenghua", "lelon", "jamicon", "mitsubishi", "sharp", "sony",
    "nec", "hitachi", "alps", "kycon", "assmann", "phoenix contact", "weidmuller", "erni",
    "yamaichi", "aries", "mill-max", "3m", "fci", "hrs", "kingston", "adesto", "macronix",
    "spansion", "isocom", "vishay dale", "dale", "ir", "international rectifier",
};

/* Legal forms, as words with their dots dropped ("S.p.A." is spa, "Co.," is co); the ones
 * that are also common words of descriptions (as, ad, se) are left out. */
static const char *const legal_forms[] = {
    "inc", "ltd", "llc", "llp", "gmbh", "mbh", "corp", "corporation", "co", "company", "ag",
    "kg", "ohg", "ug", "sa", "sas", "sarl", "sl", "slu", "srl", "spa", "bv", "nv", "vof", "oy",
    "oyj", "ab", "asa", "aps", "a/s", "kk", "plc", "limited", "pte", "pty", "bhd", "sdn", "tbk",
    "jsc", "ojsc", "pjsc", "cjsc", "ooo", "oao", "zao", "pao", "sro", "kft", "zrt", "doo",
    "eood", "ltda", "sprl", "oo", "ООО", "ОАО", "ЗАО", "ПАО", "АО", "ТОВ",
};

/* Legal forms written without spaces in Chinese, Japanese and Korean names, found anywhere
 * in the cell. */
static const char *const legal_forms_cjk[] = {
    "公司", "集团", "集團", "株式会社", "有限会社", "合同会社", "주식회사", "유한회사",
};

/* Words companies name themselves with, besides legal forms. */
static const char *const company_words[] = {
    "technologies", "technology", "electronics", "electronic", "semiconductor",
    "semiconductors", "microelectronics", "industries", "instruments", "devices",
    "connectivity", "components", "elektronik", "electric", "manufacturing", "group",
    "holding", "holdings", "international", "trading", "enterprises", "logistics",
};

/* Component types: a column of these is a category, not makers. */
static const char *const component_words[] = {
    "capacitor", "capacitors", "resistor", "resistors", "inductor", "inductors", "connector",
    "connectors", "diode", "diodes", "led", "leds", "crystal", "crystals", "transistor",
    "transistors", "ferrite", "fuse", "fuses", "switch", "switches", "header", "oscillator",
    "regulator", "cap", "res", "ind", "mosfet", "ic", "opamp", "mcu",
};

static int is_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when one of `words` is a whole word of `s`: words end at spaces, commas, semicolons,
 * brackets and quotes; their dots are dropped and ASCII case is ignored, so "Co.,Ltd." holds
 * co and ltd, and "CO2" is not co. */
static int has_word(const char *s, const char *const *words, size_t n_words)
{
    while (*s) {
        char word[64];
        size_t n = 0;
        while (*s && strchr(" \t,;()[]\"'", *s)) s++;
        for (; *s && !strchr(" \t,;()[]\"'", *s); s++) {
            char c = *s;
            if (c == '.') continue;
            if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            if (n + 1 < sizeof word) word[n++] = c;
        }
        word[n] = '\0';
        for (size_t i = 0; n && i < n_words; i++)
            if (strcmp(word, words[i]) == 0) return 1;
    }
    return 0;
}

static int is_maker(const char *s)
{
    for (size_t i = 0; i < sizeof makers / sizeof makers[0]; i++) {
        size_t n = strlen(makers[i]);
        if (strncasecmp(s, makers[i], n) == 0 &&
            (s[n] == '\0' || s[n] == ' ' || s[n] == ',' || s[n] == '.' || s[n] == '/'))
            return 1;
    }
    return 0;
}

static int name_like(const char *s)
{
    size_t len = strlen(s), letters = 0, digits = 0, words = 0, mixed = 0;
    if (len < 2 || len > 80) return 0;
    for (const char *p = s; *p;) {
        size_t l = 0, d = 0;
        while (*p == ' ') p++;
        if (!*p) break;
        words++;
        for (; *p && *p != ' '; p++) {
            l += (size_t)is_letter((unsigned char)*p);
            d += (size_t)is_digit((unsigned char)*p);
        }
        mixed += (size_t)(l && d);
        letters += l;
        digits += d;
    }
    if (letters < 2 || digits * 2 > letters || words > 6) return 0;
    return !(mixed && words <= 2);
}

static int cmp_str(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

int rf_orders__cell_traits(const char *s)
{
    int t = 0;
    if (is_maker(s)) t |= ORD_CELL_MAKER | ORD_CELL_NAME;
    if (name_like(s)) t |= ORD_CELL_NAME;
    if (has_word(s, legal_forms, sizeof legal_forms / sizeof legal_forms[0]))
        t |= ORD_CELL_LEGAL | ORD_CELL_COMPANY;
    for (size_t i = 0; !(t & ORD_CELL_LEGAL) && i < sizeof legal_forms_cjk /
                                                     sizeof legal_forms_cjk[0]; i++)
        if (strstr(s, legal_forms_cjk[i])) t |= ORD_CELL_LEGAL | ORD_CELL_COMPANY | ORD_CELL_NAME;
    if (has_word(s, company_words, sizeof company_words / sizeof company_words[0]))
        t |= ORD_CELL_COMPANY;
    if (has_word(s, component_words, sizeof component_words / sizeof component_words[0]))
        t |= ORD_CELL_COMPONENT;
    return t;
}

void rf_orders__col_traits_add(ord_col_traits *t, int traits)
{
    t->cells++;
    t->names += (traits & ORD_CELL_NAME) != 0;
    t->legal += (traits & ORD_CELL_LEGAL) != 0;
    t->components += (traits & ORD_CELL_COMPONENT) != 0;
}

int rf_orders__col_holds_names(const ord_col_traits *t)
{
    return t->legal > 0 && 5 * t->names >= 4 * t->cells && 10 * t->components < 3 * t->cells;
}

int rf_orders__guess_manufacturer_column(size_t n_rows, size_t n_cols, const unsigned char *skip,
                                  ord_cell_fn cell, void *ctx)
{
    const char **values = malloc((n_rows ? n_rows : 1) * sizeof *values);
    double best = 0;
    int best_col = -1;

    if (!values) return -1;
    for (size_t c = 0; c < n_cols; c++) {
        size_t n = 0, names = 0, evidence = 0, types = 0, distinct = 0;
        double name_share, evidence_share, repeat;
        if (skip[c]) continue;
        for (size_t r = 0; r < n_rows; r++) {
            const char *v = cell(r, c, ctx);
            int t;
            if (!v || !v[0]) continue;
            values[n++] = v;
            t = rf_orders__cell_traits(v);
            names += (t & ORD_CELL_NAME) != 0;
            evidence += (t & (ORD_CELL_MAKER | ORD_CELL_COMPANY)) != 0;
            types += (t & ORD_CELL_COMPONENT) != 0;
        }
        if (n < 3) continue;
        qsort(values, n, sizeof *values, cmp_str);
        for (size_t i = 0; i < n; i++)
            distinct += (size_t)(i == 0 || cmp_str(&values[i - 1], &values[i]) != 0);
        name_share = (double)names / (double)n;
        evidence_share = (double)evidence / (double)n;
        repeat = 1.0 - (double)distinct / (double)n;
        if (name_share < 0.8 || distinct < 2 || (double)types >= 0.3 * (double)n) continue;
        if (evidence_share < 0.3 && !(distinct * 3 <= n && evidence_share >= 0.1)) continue;
        if (2 * evidence_share + name_share + 0.5 * repeat > best) {
            best = 2 * evidence_share + name_share + 0.5 * repeat;
            best_col = (int)c;
        }
    }
    free(values);
    return best_col;
}
