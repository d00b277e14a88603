/* cmd_serve.c: `redflag serve`: starts the review workbench and screening API (rf_serve.h) on
 * the database, prints where it listens, and on SIGTERM or SIGINT stops taking connections,
 * lets the requests in flight finish and exits 0. */
#include "cli.h"

#include "serve/rf_serve.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char serve_help[] =
    "usage: redflag serve [--db PATH] [--listen ADDR:PORT] [--threads N]\n"
    "                     [--tls-cert FILE --tls-key FILE] [--four-eyes] [--max-body BYTES]\n"
    "\n"
    "Serves the review workbench (sign in at /login) and the screening API (/api/v1, described\n"
    "by /api/v1/openapi.json) on the database. Accounts: 'redflag users'. Stops cleanly on\n"
    "SIGTERM or SIGINT: requests in flight finish, then it exits 0.\n"
    "  --db PATH          list database (default: see Environment); must exist\n"
    "  --listen ADDR:PORT where to listen (default 127.0.0.1:8080: this machine only);\n"
    "                     [::1]:8080 for IPv6, port 0 for any free port (printed)\n"
    "  --threads N        requests handled at once (default: three per processor)\n"
    "  --tls-cert FILE    serve HTTPS with this PEM certificate (chain) ...\n"
    "  --tls-key FILE     ... and its PEM private key; session cookies are then Secure\n"
    "  --four-eyes        clearing a hit that someone confirmed or escalated needs an approver\n"
    "  --max-body BYTES   largest request body accepted (default 8388608; larger: 413)\n"
    "\n" CLI_HELP_ENV
    "\nExit status: 0 stopped by SIGTERM or SIGINT after the requests in flight finished, 2 bad\n"
    "usage, a database error or an address that cannot be listened on.\n";

int cli_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"listen", required_argument, NULL, 'l'},
                                             {"threads", required_argument, NULL, 't'},
                                             {"tls-cert", required_argument, NULL, 'c'},
                                             {"tls-key", required_argument, NULL, 'k'},
                                             {"four-eyes", no_argument, NULL, 'f'},
                                             {"max-body", required_argument, NULL, 'm'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    rf_serve_options opts;
    rf_server *srv = NULL;
    char path[1024];
    sigset_t stop_signals;
    rf_error err;
    int c, sig = 0;

    memset(&opts, 0, sizeof opts);
    rf_error_clear(&err);
    optind = 0;
    opterr = 0;
    while ((c = cli_getopt(argc, argv, ":h", longopts, "serve")) != -1) {
        switch (c) {
        case 'd': opts.db_path = optarg; break;
        case 'l': opts.listen = optarg; break;
        case 't':
            if (cli_parse_count(&opts.threads, optarg, 256))
                return cli_usage_error("serve", "--threads wants a number from 1 to 256");
            break;
        case 'c': opts.tls_cert = optarg; break;
        case 'k': opts.tls_key = optarg; break;
        case 'f': opts.four_eyes = 1; break;
        case 'm': {
            int kib;
            if (cli_parse_count(&kib, optarg, 1 << 30) || kib < 1024)
                return cli_usage_error("serve", "--max-body wants bytes from 1024 to 2^30");
            opts.max_body = (size_t)kib;
            break;
        }
        case 'h': fputs(serve_help, stdout); return 0;
        default: return CLI_EXIT_ERROR; /* cli_getopt said why */
        }
    }
    if (optind != argc) return cli_usage_error("serve", "takes no arguments");
    /* the rules `redflag screen` applies by default, so that the API screens as it does */
    opts.ownership_rules = getenv("REDFLAG_OWNERSHIP_RULES");
    if (opts.ownership_rules && !opts.ownership_rules[0]) opts.ownership_rules = NULL;
    if (!opts.tls_cert != !opts.tls_key)
        return cli_usage_error("serve", "--tls-cert and --tls-key go together");
    /* The database is opened (created and seeded when it is the default) once here, so that
     * the server's connections find it ready. */
    {
        rf_store *st = NULL;
        if (cli_db_path(path, sizeof path, opts.db_path) != 0 ||
            cli_open_store(&st, opts.db_path, CLI_DB_SEED) != 0)
            return CLI_EXIT_ERROR;
        rf_store_close(st);
        opts.db_path = path;
    }
    /* The signals are taken by sigwait below; the server's threads inherit the mask. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (rf_serve_init(&err) != 0 || rf_server_start(&srv, &opts, &err) != 0) {
        cli_report_error(&err);
        return CLI_EXIT_ERROR;
    }
    {
        const char *listen = opts.listen ? opts.listen : "127.0.0.1:8080";
        const char *colon = strrchr(listen, ':');
        printf("redflag serve: listening on %s://%.*s:%u/\n", opts.tls_cert ? "https" : "http",
               (int)(colon - listen), listen, rf_server_port(srv));
        fflush(stdout);
    }
    sigwait(&stop_signals, &sig);
    fprintf(stderr, "redflag serve: %s: finishing the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    rf_server_stop(srv, 30);
    fprintf(stderr, "redflag serve: stopped\n");
    return 0;
}
