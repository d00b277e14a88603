/* asof.h: what `redflag screen` screens each party against (private to cli/): the list
 * versions in force on one date for the whole run, or on each order's own date (--as-of
 * document), loaded once per distinct set of versions and cached; and, for a party that is
 * clear, the parties the previous version of each feed listed and the one in force removed,
 * so the report can say that the party was delisted and since when. */
#ifndef RF_CLI_ASOF_H
#define RF_CLI_ASOF_H

#include "cli.h"

typedef struct cli_asof cli_asof;

/* Opens the lists for a run over `st` (borrowed; it must outlive the cache). With
 * `per_document` each party is screened as of its own date (rf_party.date), else every party
 * as of `as_of` (YYYY-MM-DD; NULL: today), loaded here so that a date with no list in force
 * fails before anything is screened. With `rules` (borrowed; NULL: none), every set loaded
 * gets the entities the ownership rules restrict on its date (rf_ownership_apply), and
 * consolidation findings too when `related` is 1. */
int cli_asof_new(cli_asof **out, rf_store *st, const char *as_of, int per_document,
                 const rf_ownership_rules *rules, int related, rf_error *err);
void cli_asof_free(cli_asof *c); /* NULL is a no-op */

/* The versions every party is screened against; NULL with --as-of document. */
const rf_version_list *cli_asof_versions(const cli_asof *c);
/* The matcher of the one date (NULL with --as-of document), for callers that need one. */
const rf_matcher *cli_asof_matcher(const cli_asof *c);

/* How many sets of versions were loaded so far: when it grows during cli_asof_screen, the
 * party's versions are ones the run had not met yet. */
unsigned long cli_asof_loads(const cli_asof *c);

/* Screens `party` into `res` against the versions in force on its date, and fills `scr`
 * with that date and those versions (with --as-of document; else NULL: the run's) and, when
 * the party is clear, what it matched among the parties the previous version of a feed
 * listed and the version in force removed. Everything `scr` points to stays valid until the
 * next call. A document date that is not a date, or one before any list version, is
 * screened against today's lists and said on stderr, once per document and date. */
int cli_asof_screen(cli_asof *c, rf_result *res, rf_screening *scr, const rf_party *party,
                    const rf_match_options *opts, rf_error *err);

#endif
