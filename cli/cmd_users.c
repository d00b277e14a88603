/* cmd_users.c: `redflag users`: the accounts of `redflag serve`. `users add` creates a person
 * who signs in to the workbench (password read from standard input, never from the command
 * line where `ps` shows it); `users token` creates an API token for a program and prints it
 * once (only its hash is kept); `users list` shows who there is. */
#include "cli.h"

#include "serve/rf_serve.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char users_help[] =
    "usage: redflag users add NAME --role reviewer|approver|admin [--db PATH]\n"
    "       redflag users token NAME --scope screen,review,admin [--db PATH]\n"
    "       redflag users list [--db PATH]\n"
    "\n"
    "The accounts of 'redflag serve', kept in the list database.\n"
    "  add     a person who signs in to the workbench; the password (10 characters or more)\n"
    "          is read from standard input (asked for without echo on a terminal) and kept\n"
    "          as an argon2id hash. reviewer: decides hits; approver: also clears hits\n"
    "          someone confirmed or escalated (serve --four-eyes); admin: also sees accounts\n"
    "  token   an API token for a program acting as NAME, printed once on standard output\n"
    "          (only its hash is kept: a lost token is replaced by a new one). Scopes:\n"
    "          screen (search, screen), review, admin, comma-separated\n"
    "  list    the users and how many tokens each has\n"
    "  --db PATH   list database (default: see Environment)\n"
    "\n" CLI_HELP_ENV
    CLI_HELP_EXIT_DONE;

/* Reads one line (the password) from standard input, without echo on a terminal. */
static int read_password(char *out, size_t size)
{
    struct termios saved, quiet;
    int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    size_t len;

    if (tty) {
        fputs("password: ", stderr);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    if (!fgets(out, (int)size, stdin)) out[0] = '\0';
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputc('\n', stderr);
    }
    len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r')) out[--len] = '\0';
    return len ? 0 : -1;
}

static int print_user(const char *name, const char *role, const char *created_at,
                      long long tokens, void *ctx)
{
    (void)ctx;
    cli_print_cell(stdout, name, 24, 1);
    printf(" %-9s %s %lld token%s\n", role, created_at, tokens, tokens == 1 ? "" : "s");
    return 0;
}

int cli_users(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"role", required_argument, NULL, 'r'},
                                             {"scope", required_argument, NULL, 's'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db = NULL, *role_text = NULL, *scope_text = NULL, *action, *name = NULL;
    rf_store *st = NULL;
    rf_error err;
    int c, status = CLI_EXIT_ERROR;

    rf_error_clear(&err);
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "users")) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'r': role_text = optarg; break;
        case 's': scope_text = optarg; break;
        case 'h': fputs(users_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind >= argc) return cli_usage_error("users", "add, token or list?");
    action = argv[optind];
    if (strcmp(action, "list") != 0) {
        if (optind + 2 != argc) return cli_usage_error("users", "%s takes one NAME", action);
        name = argv[optind + 1];
    } else if (optind + 1 != argc) {
        return cli_usage_error("users", "list takes no argument");
    }
    if (rf_serve_init(&err) != 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    if (strcmp(action, "add") == 0) {
        rf_role role;
        char password[1024];
        if (!role_text || rf_role_parse(&role, role_text) != 0)
            return cli_usage_error("users", "add wants --role reviewer, approver or admin");
        if (cli_open_store(&st, db, 0) != 0) return CLI_EXIT_ERROR;
        if (read_password(password, sizeof password) != 0) {
            fprintf(stderr, "redflag users: no password on standard input\n");
        } else if (rf_user_add(st, name, role, password, &err) != 0) {
            cli_report_error(&err);
        } else {
            fprintf(stderr, "redflag users: added ");
            cli_print_text(stderr, name);
            fprintf(stderr, " (%s)\n", rf_role_name(role));
            status = 0;
        }
        memset(password, 0, sizeof password);
    } else if (strcmp(action, "token") == 0) {
        unsigned scopes;
        char token[RF_TOKEN_LEN + 1];
        if (!scope_text) return cli_usage_error("users", "token wants --scope screen,review,admin");
        if (rf_scopes_parse(&scopes, scope_text, &err) != 0)
            return cli_usage_error("users", "%s", err.message);
        if (cli_open_store(&st, db, 0) != 0) return CLI_EXIT_ERROR;
        if (rf_token_create(token, st, name, scopes, &err) != 0) {
            cli_report_error(&err);
        } else {
            printf("%s\n", token);
            fprintf(stderr, "redflag users: the token is shown this once; keep it secret\n");
            status = 0;
        }
    } else if (strcmp(action, "list") == 0) {
        if (cli_open_store(&st, db, CLI_DB_READ) != 0) return CLI_EXIT_ERROR;
        if (rf_users_each(st, print_user, NULL, &err) != 0) cli_report_error(&err);
        else status = 0;
    } else {
        return cli_usage_error("users", "add, token or list, not '%s'", action);
    }
    rf_store_close(st);
    return status;
}
