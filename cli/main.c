/* main.c: the redflag command's entry point: picks the subcommand and prints the overview. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char overview[] =
    "usage: redflag <command> [options] [arguments]\n"
    "\n"
    "Screens the parties on orders and bills of materials against US export-control and\n"
    "sanctions lists, and reports who matched which listed name, on which list, and why.\n"
    "\n"
    "Commands:\n"
    "  screen FILE...         screen every party on orders, party lists and BOMs: CSV (comma,\n"
    "                         semicolon or tab; gzip), Excel .xlsx, UBL 2.x and PEPPOL\n"
    "                         orders, cXML OrderRequest, ANSI X12 850, UN/EDIFACT ORDERS, or a\n"
    "                         directory of them; report as HTML, JSON lines, CSV or .xlsx\n"
    "  search NAME            look one name up in the lists\n"
    "  match NAME1 NAME2      score two names against each other (--pairs FILE.csv for many)\n"
    "  lists init             create a database (with the bundled list)\n"
    "  lists import FILE...   import list files as new list versions: the trade.gov CSL (CSV,\n"
    "                         JSON); BIS Denied Persons, Entity, Unverified Lists; State's ISN\n"
    "                         and ITAR debarred lists; OFAC SDN and non-SDN (XML, advanced\n"
    "                         XML, legacy CSV set); the UN, UK and EU lists\n"
    "  lists status           show the list versions in force\n"
    "  lists history          every list version imported, and what replaced it\n"
    "  lists diff OLD NEW     entities added, removed and changed between two versions\n"
    "  lists update           download the current CSL and OFAC lists and import them\n"
    "  review clear|confirm|escalate  record a decision about a hit (import FILE: many, from\n"
    "                         the CSV or .xlsx report; list: the decisions in force)\n"
    "  history [show RUN]     the screening runs recorded; a run's report rebuilt\n"
    "  audit export|verify    the runs and decisions of a period for an auditor; the check\n"
    "                         of the evidence chain\n"
    "  rescreen               screen every known counterparty again; report what changed\n"
    "  serve                  the review workbench and screening API over HTTP\n"
    "  users add|token|list   the accounts and API tokens of serve\n"
    "  help [COMMAND]         show the help of a command\n"
    "\n"
    "Options: --help, --version. 'redflag COMMAND --help' shows a command's options; each\n"
    "command has a manual page too (man redflag-screen, man redflag-lists-import, ...).\n"
    "\n" CLI_HELP_ENV
    "\n"
    "Exit status: each command's --help says. In short: 0 done and nothing flagged, 1 screen,\n"
    "rescreen or search found a hit that alarms (audit verify: a record that does not fit),\n"
    "2 bad usage, unreadable input or a database error.\n";

/* `serve` and `users`: the program redflag-server (server_main.c) in the place of this
 * process, given this command's argv (from the command's name on). It is looked for where it
 * is installed relative to this program (RF_SERVER_DIR, from the directory of the programs),
 * then beside this program (the build tree). */
static int run_server(int argc, char **argv)
{
    char self[PATH_MAX], path[PATH_MAX + 64];
    char **server_argv, *slash = NULL;
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);

    if (len > 0) {
        self[len] = '\0';
        slash = strrchr(self, '/');
    }
    if (!slash) {
        fprintf(stderr, "redflag %s: cannot tell where the redflag program is (/proc/self/exe)\n",
                argv[0]);
        return CLI_EXIT_ERROR;
    }
    *slash = '\0';
    snprintf(path, sizeof path, "%s/%s/redflag-server", self, RF_SERVER_DIR);
    if (access(path, X_OK) != 0) snprintf(path, sizeof path, "%s/redflag-server", self);
    if (!(server_argv = calloc((size_t)argc + 2, sizeof *server_argv))) {
        fprintf(stderr, "redflag %s: out of memory\n", argv[0]);
        return CLI_EXIT_ERROR;
    }
    server_argv[0] = path;
    for (int i = 0; i < argc; i++) server_argv[i + 1] = argv[i];
    fflush(NULL);
    execv(path, server_argv);
    fprintf(stderr, "redflag %s: cannot run %s: %s (it comes with redflag: reinstall it)\n",
            argv[0], path, strerror(errno));
    free(server_argv);
    return CLI_EXIT_ERROR;
}

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"screen", cli_screen},
    {"search", cli_search},
    {"match", cli_match},
    {"lists", cli_lists},
    {"review", cli_review},
    {"history", cli_history},
    {"audit", cli_audit},
    {"rescreen", cli_rescreen},
    {"serve", run_server},
    {"users", run_server},
};

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const command *cmd;

    if (argc < 2) {
        fputs(overview, stderr);
        return CLI_EXIT_ERROR;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(overview, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("redflag %s\n", RF_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0) {
        if (argc < 3) {
            fputs(overview, stdout);
            return 0;
        }
        cmd = find_command(argv[2]);
        if (!cmd) {
            fprintf(stderr, "redflag: no command '%s'. Try 'redflag --help'.\n", argv[2]);
            return CLI_EXIT_ERROR;
        }
        {
            char help[] = "--help";
            char *sub_argv[] = {argv[2], argc > 3 ? argv[3] : help, argc > 3 ? help : NULL,
                                NULL};
            return cmd->run(argc > 3 ? 3 : 2, sub_argv);
        }
    }
    cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "redflag: no command '%s'. Try 'redflag --help'.\n", argv[1]);
        return CLI_EXIT_ERROR;
    }
    return cmd->run(argc - 1, argv + 1);
}
