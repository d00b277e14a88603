/* rules.c: the ownership rules table (rf_ownership.h): the one compiled in
 * (data/ownership_rules.tsv) or a user's file in the same layout. */
#include "rf_ownership.h"

#include <stdlib.h>
#include <string.h>

extern const unsigned char rf_data_ownership_rules[];
extern const size_t rf_data_ownership_rules_size;

#define RULES_MAX 256
#define RULE_FIELDS 7

struct rf_ownership_rules {
    rf_ownership_rule items[RULES_MAX];
    size_t count;
    char *text; /* the table, its tabs and line ends made NULs */
};

static int valid_date(const char *s)
{
    int y, m, d;
    char tail;
    return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
           m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Reads one row (fields cut in place) into the next rule. */
static int parse_row(rf_ownership_rules *r, char *line, long number, const char *name,
                     rf_error *err)
{
    char *field[RULE_FIELDS], *end;
    size_t n = 0;
    rf_ownership_rule *rule;

    for (char *p = line; n < RULE_FIELDS; n++) {
        field[n] = p;
        if (!(p = strchr(p, '\t'))) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n != RULE_FIELDS)
        return rf_error_set(err, RF_EFORMAT, name, number,
                            "a rule has %d tab-separated fields (rule, name, lists, threshold, "
                            "from, until, citation), this row %zu", RULE_FIELDS, n);
    if (r->count == RULES_MAX)
        return rf_error_set(err, RF_ELIMIT, name, number, "more than %d rules", RULES_MAX);
    rule = &r->items[r->count];
    rule->code = field[0];
    rule->name = field[1];
    rule->lists = field[2];
    rule->threshold = strtod(field[3], &end);
    rule->from = field[4];
    rule->until = field[5][0] ? field[5] : NULL;
    rule->citation = field[6];
    if (!rule->code[0] || !rule->lists[0] || end == field[3] || *end || rule->threshold <= 0 ||
        rule->threshold > 100)
        return rf_error_set(err, RF_EFORMAT, name, number,
                            "a rule needs a code, lists and a threshold in (0, 100]");
    if (!valid_date(rule->from) || (rule->until && !valid_date(rule->until)))
        return rf_error_set(err, RF_EFORMAT, name, number,
                            "in force from and until must be YYYY-MM-DD (until may be empty)");
    r->count++;
    return RF_OK;
}

int rf_ownership_rules_load(rf_ownership_rules **out, const char *path, rf_error *err)
{
    rf_ownership_rules *r;
    rf_buf file = {0};
    const char *name = path ? path : "ownership_rules.tsv (built in)";
    char sha[65];
    long number = 0;
    int rc = RF_OK;

    *out = NULL;
    if (path && (rc = rf_file_read(&file, sha, path, (size_t)1 << 20, err)) != 0) return rc;
    if (!(r = calloc(1, sizeof *r))) {
        rf_buf_free(&file);
        return rf_error_set(err, RF_ENOMEM, name, 0, "out of memory");
    }
    if (path) {
        r->text = rf_buf_detach(&file);
    } else if ((r->text = malloc(rf_data_ownership_rules_size + 1)) != NULL) {
        memcpy(r->text, rf_data_ownership_rules, rf_data_ownership_rules_size);
        r->text[rf_data_ownership_rules_size] = '\0';
    }
    if (!r->text) {
        rf_ownership_rules_free(r);
        return rf_error_set(err, RF_ENOMEM, name, 0, "out of memory");
    }
    for (char *line = r->text, *next; line && *line && rc == RF_OK; line = next) {
        size_t len;
        number++;
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        len = strlen(line);
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        if (!len || line[0] == '#' || strncmp(line, "rule\t", 5) == 0) continue;
        rc = parse_row(r, line, number, name, err);
    }
    if (rc) {
        rf_ownership_rules_free(r);
        return rc;
    }
    *out = r;
    return RF_OK;
}

void rf_ownership_rules_free(rf_ownership_rules *rules)
{
    if (!rules) return;
    free(rules->text);
    free(rules);
}

size_t rf_ownership_rules_count(const rf_ownership_rules *rules)
{
    return rules ? rules->count : 0;
}

const rf_ownership_rule *rf_ownership_rules_get(const rf_ownership_rules *rules, size_t i)
{
    return rules && i < rules->count ? &rules->items[i] : NULL;
}

int rf_ownership_rule_in_force(const rf_ownership_rule *rule, const char *date)
{
    return rule && date && strncmp(rule->from, date, 10) <= 0 &&
           (!rule->until || strncmp(date, rule->until, 10) <= 0);
}
