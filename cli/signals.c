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

int cli_session_cancelled(void *ctx)
{
    (void)ctx;
    return caught != 0;
}

int cli_session_interrupted(rf_session *s)
{
    int status = 128 + caught;
    long long id = 0;
    rf_error err;

    rf_error_clear(&err);
    fprintf(stderr, "redflag: interrupted by %s: the report is incomplete\n",
            caught == SIGINT ? "SIGINT" : caught == SIGTERM ? "SIGTERM" : "a signal");
    if (!s) return status;
    if (rf_session_interrupt(s, status, &id, &err) < 0) {
        cli_report_error(&err);
        return status;
    }
    if (id)
        fprintf(stderr, "redflag: recorded as run %lld, interrupted; the next rescreen reports "
                        "what it had not delivered\n",
                id);
    return status;
}

void cli_session_notice(const char *message, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "redflag: %s\n", message);
}
