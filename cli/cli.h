/* cli.h: what the subcommands of the redflag command share (private to cli/): exit
 * codes, opening the list database (seeding a new one with the bundled list), loading the
 * matcher, option parsing helpers and small output helpers. */
#ifndef RF_CLI_H
#define RF_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "engine/rf_engine.h"
#include "ownership/rf_ownership.h"
#include "importers/rf_importers.h"
#include "reports/rf_reports.h"
#include "session/rf_session.h"

/* Exit codes, the same for every subcommand (documented in README and --help). */
enum {
    CLI_EXIT_CLEAR = 0, /* done, nothing flagged */
    CLI_EXIT_HIT = 1,   /* done, at least one party matched a listed name */
    CLI_EXIT_ERROR = 2  /* bad usage, unreadable input or a database error */
};

/* The environment paragraph of every --help; each help then ends with its own exit
 * statuses. */
#define CLI_HELP_ENV                                                                       \
    "Environment:\n"                                                                       \
    "  REDFLAG_DB      list database used when --db is not given\n"                        \
    "  XDG_DATA_HOME   else the database is $XDG_DATA_HOME/redflag/redflag.db\n"           \
    "                  (default ~/.local/share/redflag/redflag.db)\n"                      \
    "The default database is created with the bundled May 2022 CSL on first use; a\n"     \
    "--db or REDFLAG_DB that does not exist is refused (see 'redflag lists init').\n"      \
    "A read-only database is read, not written: runs on it are not recorded.\n"

/* The exit statuses of a command that only does what it is asked (no alarms to report). */
#define CLI_HELP_EXIT_DONE                                                                 \
    "\nExit status: 0 done, 2 bad usage, unreadable input or a database error (the message\n" \
    "says which).\n"

/* Subcommands: each gets argv starting at its own name, returns an exit code. */
int cli_lists(int argc, char **argv);
int cli_screen(int argc, char **argv);
int cli_search(int argc, char **argv);
int cli_match(int argc, char **argv);
/* `lists history`, `lists diff` (cmd_lists_history.c) and `lists update` (cmd_update.c): argv
 * starts at the subcommand's name. */
int cli_lists_history(int argc, char **argv);
int cli_lists_diff(int argc, char **argv);
int cli_lists_update(int argc, char **argv);

/* Review decisions and the audit trail: `review` (cmd_review.c), `history` (cmd_history.c),
 * `audit` (cmd_audit.c), `rescreen` (cmd_rescreen.c). */
int cli_review(int argc, char **argv);
int cli_history(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_rescreen(int argc, char **argv);
/* The server and its accounts: `serve` (cmd_serve.c), `users` (cmd_users.c), in the program
 * redflag-server (server_main.c). */
int cli_serve(int argc, char **argv);
int cli_users(int argc, char **argv);

/* Prints "redflag: file:line: message" on stderr. */
void cli_report_error(const rf_error *err);
/* Prints "redflag <command>: <message>" and "Try 'redflag <command> --help'." on stderr and
 * returns CLI_EXIT_ERROR, for bad usage. */
int cli_usage_error(const char *command, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* getopt_long(argc, argv, shortopts, longopts) for `command`, forgiving in what it says and
 * strict in what it accepts: an option word with one dash that spells a long option
 * (-output, -threshold) is refused instead of read as short options with a value (-o
 * "utput"); an unknown option names the closest known one (--treshold: did you mean
 * --threshold?); an ambiguous abbreviation lists what it could be. In those cases and for a
 * missing value it prints the complaint and returns '!'; otherwise what getopt_long does.
 * Set optind = 0 before the first call, as for getopt_long. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *command);

/* The report format: --format `format_name` when given, else from the extension of the -o
 * file `output` (.html/.htm, .jsonl, .csv, .xlsx), else JSON lines. An extension that names
 * no report format (report.pdf) is refused rather than written as JSON lines. Prints any
 * error itself; returns 0 or CLI_EXIT_ERROR. */
int cli_report_format(rf_report_format *out, const char *command, const char *format_name,
                      const char *output);

/* rf_import_options.on_warning for the command: "redflag: file:line: warning: ..." on stderr. */
void cli_print_import_warning(const char *file, long line, const char *message, void *ctx);

/* Parses a score threshold in (0, 1]; 0 on success. */
int cli_parse_threshold(double *out, const char *s);
/* Parses a whole number from 1 to `max` (--max-hits, --threads); 0 on success. */
int cli_parse_count(int *out, const char *s, int max);

/* The database path: `db_path` (from --db) when not NULL, else rf_store_default_path.
 * Prints any error itself; returns 0 or CLI_EXIT_ERROR. */
int cli_db_path(char *out, size_t out_size, const char *db_path);
/* What cli_open_store may do. */
enum {
    CLI_DB_SEED = 1,  /* an empty database first receives the bundled list (stderr says so) */
    CLI_DB_READ = 2,  /* a reading command: a database this process cannot write is opened
                       * read-only, and stderr says so */
    CLI_DB_CREATE = 4, /* an explicit path (--db, REDFLAG_DB) that does not exist is created;
                        * without it only the default database is */
    CLI_DB_READ_ONLY = 8 /* opened read-only whatever the permissions allow (a copy many
                          * workers share): nothing is written, no run recorded; with
                          * CLI_DB_SEED an empty database is an error */
};
/* Opens the database at `db_path` (NULL: rf_store_default_path) as `flags` (CLI_DB_...) say.
 * A path given with --db or REDFLAG_DB that does not exist is an error that says how to
 * create it, and nothing is created. Prints any error itself; returns 0 or CLI_EXIT_ERROR. */
int cli_open_store(rf_store **out, const char *db_path, int flags);

/* Builds and stores beside the database the index of the lists a screen loads now (with the
 * ownership rules it applies by default), after a command changed the versions in force, so
 * that the next screen maps it instead of building it (rf_matcher_open). Quiet: a failure
 * leaves it to that screen, which builds the index and says what is wrong with the lists. */
void cli_store_index(rf_store *st);

/* A command's output (-o FILE, else standard output), written through rf_outfile. */
typedef struct cli_output {
    FILE *stream;      /* where the command writes */
    rf_outfile *file;  /* NULL: standard output */
    const char *path;
} cli_output;

/* Opens the output: `path` NULL means standard output. A path that is a directory, the
 * database `db_path` (NULL: the default) or its -wal/-shm/-journal, or one of the `n_inputs`
 * `inputs` (a directory: any file under it) is refused with a message naming it, before
 * anything is opened for writing. Prints any error itself; returns 0 or CLI_EXIT_ERROR. */
int cli_output_open(cli_output *o, const char *path, const char *db_path,
                    const char *const *inputs, size_t n_inputs);
/* Finishes the output: when `complete`, the file is synced and renamed over its target;
 * otherwise the target is left as it was (and stderr says so). Returns 0 or CLI_EXIT_ERROR. */
int cli_output_close(cli_output *o, int complete);

/* Everything screening needs, loaded once per run. */
typedef struct cli_lists_loaded {
    rf_store *store;
    rf_snapshot *snap;
    rf_matcher *matcher;
} cli_lists_loaded;

/* Opens (and seeds) the database as a reading command (CLI_DB_SEED | CLI_DB_READ), loads the
 * versions in force on `as_of` (NULL: today) and builds the matcher. Prints any error itself; returns 0 or CLI_EXIT_ERROR. */
int cli_load(cli_lists_loaded *out, const char *db_path, const char *as_of);
void cli_unload(cli_lists_loaded *l);

/* ---- signals (signals.c) -------------------------------------------------------------- */

/* From now on SIGINT and SIGTERM only set a flag (a second one kills): screen and rescreen
 * check it party by party. */
void cli_catch_signals(void);
/* The signal caught, or 0. */
int cli_interrupted(void);
/* rf_session_options.cancelled: 1 once a signal was caught. */
int cli_session_cancelled(void *ctx);
/* Records the session's run as interrupted, says so on stderr, frees the session, and returns
 * the exit status: 128 + the signal (130 for SIGINT, 143 for SIGTERM). */
int cli_session_interrupted(rf_session *s);
/* rf_session_options.on_notice: "redflag: MESSAGE" on stderr. */
void cli_session_notice(const char *message, void *ctx);

/* Writes `s` (NULL: nothing) for a terminal: tabs and line breaks as spaces, other control
 * characters (ESC sequences, C1, bidirectional overrides: rf_char_is_control) left out, bytes
 * that are not UTF-8 as '?', so that a name from an order or a list cannot move the cursor,
 * recolour the terminal or reorder the line. */
void cli_print_text(FILE *out, const char *s);

/* Writes one CSV field (quoted when it needs to be; NULL as empty). */
void cli_csv_field(FILE *out, const char *s);

/* Writes `s` in a column `width` terminal cells wide: cut with "..." when longer, and when
 * `pad` is set padded with spaces when shorter. NULL prints as empty. */
void cli_print_cell(FILE *out, const char *s, int width, int pad);

#endif
