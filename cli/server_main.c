/* server_main.c: redflag-server, the program behind `redflag serve` and `redflag users`
 * (main.c runs it in the place of the redflag process). The HTTP server's libraries
 * (libmicrohttpd with GnuTLS, libsodium) are loaded by this program alone: linked into the
 * redflag command, they cost every command about 2 ms of start-up (issue 14). */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) return cli_serve(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "users") == 0) return cli_users(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("redflag-server %s\n", RF_VERSION);
        return 0;
    }
    fputs("usage: redflag-server serve|users [options]\n"
          "The program of 'redflag serve' and 'redflag users', which run it: see\n"
          "'redflag serve --help' and 'redflag users --help'.\n",
          stderr);
    return CLI_EXIT_ERROR;
}
