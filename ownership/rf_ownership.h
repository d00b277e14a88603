/* rf_ownership.h: entities restricted because listed parties own them. OFAC's 50 percent
 * rule blocks an entity owned 50 % or more, directly or indirectly, individually or in
 * aggregate, by blocked persons; BIS's Affiliates rule extends the Entity List and the
 * Military End-User List the same way. The rules are data (ownership/data/ownership_rules.tsv,
 * replaceable); the links come from ownership files imported as list versions (rf_lists.h,
 * "ownership links"). Computed as of a date, over the lists in force on it: the entities found
 * are added to the snapshot the matcher is built on, so a party matching one gets a hit of
 * kind "owned" with its chain (rf_entity.ownership_kind, ownership_chain), or "related" for a
 * consolidation link (GLEIF) to a listed party, a finding to review. The entity keeps its
 * list code and id as stored (OWNED for the companies of an ownership CSV, GLEIF for LEI
 * records), so review decisions on it work as on any listed entity.
 *
 * Threads: a rules table is immutable once read and may be shared; rf_ownership_apply changes
 * the snapshot it is given, so it runs before the snapshot is shared (before the matcher is
 * built on it). */
#ifndef RF_OWNERSHIP_H
#define RF_OWNERSHIP_H

#include "../engine/rf_engine.h"

/* What a hit on `e` is: "owned" (restricted by an ownership rule), "related" (consolidated
 * by a listed party) or "listed" (on a list itself). Reports write it as the hit's kind. */
const char *rf_ownership_kind(const rf_entity *e);
/* 1 when a hit on `e` is an alarm until reviewed; 0 for a finding to review only (a related
 * finding without --related-alarm, rf_entity.review_only). */
int rf_ownership_alarms(const rf_entity *e);

/* ---- the rules ---------------------------------------------------------------------------- */

typedef struct rf_ownership_rules rf_ownership_rules;

/* One rule over one period in force. Strings owned by the rules. */
typedef struct rf_ownership_rule {
    const char *code;      /* "ofac-50", "bis-affiliates" */
    const char *name;      /* "OFAC 50 Percent Rule" */
    const char *lists;     /* list codes it draws on, comma-separated: "SDN", "EL,MEU" */
    double threshold;      /* percent owned, in aggregate, at or above which it applies */
    const char *from;      /* YYYY-MM-DD in force from */
    const char *until;     /* YYYY-MM-DD in force until, inclusive; NULL: open */
    const char *citation;  /* Federal Register and guidance */
} rf_ownership_rule;

/* Reads the rules table at `path` (TSV: rule, name, lists, threshold, from, until, citation;
 * a header row and # comments skipped), or the table compiled in when `path` is NULL. A
 * malformed row fails with RF_EFORMAT naming its line. */
int rf_ownership_rules_load(rf_ownership_rules **out, const char *path, rf_error *err);
void rf_ownership_rules_free(rf_ownership_rules *rules); /* NULL is a no-op */
size_t rf_ownership_rules_count(const rf_ownership_rules *rules);
const rf_ownership_rule *rf_ownership_rules_get(const rf_ownership_rules *rules, size_t i);
/* 1 when `rule` is in force on `date` (YYYY-MM-DD). */
int rf_ownership_rule_in_force(const rf_ownership_rule *rule, const char *date);

/* ---- the computation ---------------------------------------------------------------------- */

/* The score at or above which an owner's name is taken for a listed party's when neither
 * side has an identifier the other has: strict, a wrong owner would block a company. */
#define RF_OWNERSHIP_MATCH_THRESHOLD 0.95

/* One entity found owned (or related) by listed parties under one rule. */
typedef struct rf_owned {
    long long entity_id;    /* the owned company's entity in its ownership version; 0: none
                               (a company that only appears as an owner) */
    const char *name;       /* its name as the links give it */
    int related;            /* 1: a consolidation link only (GLEIF), not a share */
    const rf_ownership_rule *rule;
    double share;           /* percent owned by listed or blocked owners, in aggregate */
    const char *owners;     /* the listed parties at the ends of the chain, "; "-separated */
    const char *chain;      /* who owns what share of whom, with the source and date of each
                               link, the rule and the list, for people */
} rf_owned;

typedef struct rf_owned_list {
    rf_owned *items; /* each item's strings are its own */
    size_t count;
} rf_owned_list;

void rf_owned_list_free(rf_owned_list *list);

/* Applies `rules` in force on `as_of` (YYYY-MM-DD) to `links`. A company of the links is
 * the same one wherever an identifier or its normalized name recurs; its entity is the one
 * a link names as owned, else one of `described` (the entities of ownership files, may be
 * NULL) that has one of its identifiers. An owner is a listed party of
 * a rule's lists when an identifier (LEI, registration number) of the owner is among a listed
 * entity's identifiers, else when `m` (built on `listed`) scores its name against a listed
 * name at RF_OWNERSHIP_MATCH_THRESHOLD or more (the match is shown in the chain). Links in
 * force on as_of (start and end dates) count; shares of listed owners, and of owners the rule
 * blocks in turn, add up (per owner the largest share any source gives); a link marked
 * indirect is not counted (the chain is followed through its direct links instead) and
 * unlisted intermediaries do not pass shares on. Cycles terminate. Findings are ordered by
 * rule, then name. */
int rf_ownership_compute(rf_owned_list *out, const rf_link *links, size_t n_links,
                         const rf_snapshot *described, const rf_snapshot *listed,
                         const rf_matcher *m,
                         const rf_ownership_rules *rules, const char *as_of, rf_error *err);

/* What rf_ownership_apply found. */
typedef struct rf_ownership_summary {
    size_t links;    /* links in force read */
    size_t owned;    /* entities added as owned */
    size_t related;  /* entities added as related */
    size_t unnamed;  /* findings without an entity to match parties against */
} rf_ownership_summary;

/* The whole step for a snapshot loaded with rf_snapshot_load: reads the links of the
 * ownership versions it names, computes as of `as_of` (NULL: today) with a matcher built on
 * `snap` for the duration, and appends each entity found (a copy of the owned company's
 * entity, its kind and chain set, the rule's name as list name, its code as programs, its
 * citation as Federal Register, the listed owners as parent) to `snap`, before the caller
 * builds its matcher. Related findings are always appended: as alarms when `related_alarm`
 * is 1, else as findings to review only (rf_entity.review_only). Does nothing when no
 * ownership version is in force. */
int rf_ownership_apply(rf_ownership_summary *sum, rf_snapshot *snap, rf_store *st,
                       const rf_ownership_rules *rules, const char *as_of, int related_alarm,
                       rf_error *err);

#endif
