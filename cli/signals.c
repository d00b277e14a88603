/* signals.c: SIGINT and SIGTERM (Ctrl-C, a cron or systemd timeout) during `screen` and
 * `rescreen`: the handler only notes the signal; the run stops at the next party, is recorded
 * as interrupted, and the command exits 128 + the signal's number (130, 143), as a shell
 * reports a command the signal killed. A second signal kills at once (the next run then
 * finds the run's process gone and marks it interrupted). */
#include "cli.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
    caught = sig;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a read waiting on a pipe returns, and the run notices the signal. */
    sa.sa_flags = (int)SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return caught;
}

int cli_record_interrupted(cli_record *r)
{
    int status = 128 + caught;
    long long id = rf_run_id(r->run);
    rf_run *run = r->run;
    rf_error err;

    r->run = NULL;
    rf_error_clear(&err);
    fprintf(stderr, "redflag: interrupted by %s: the report is incomplete\n",
            caught == SIGINT ? "SIGINT" : caught == SIGTERM ? "SIGTERM" : "a signal");
    if (!run) return status;
    if (rf_store_run_interrupt(run, status, &err) < 0) {
        cli_report_error(&err);
        return status;
    }
    fprintf(stderr, "redflag: recorded as run %lld, interrupted; the next rescreen reports "
                    "what it had not delivered\n",
            id);
    return status;
}
