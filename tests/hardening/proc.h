/* proc.h: running the redflag command ($RF_BIN) from the hardening tests as a child process:
 * its exit status, output, and the peak memory and time the kernel accounted to it, so that
 * a test can assert that memory stays bounded however large the input. */
#ifndef RF_HARDENING_PROC_H
#define RF_HARDENING_PROC_H

#include <sys/types.h>

typedef struct hz_run {
    int status;     /* exit code; 128 + signal number when killed by a signal */
    long maxrss_kb; /* peak resident memory of the child */
    char *out;      /* standard output (malloc'd, NUL-terminated) */
    char *err;      /* standard error */
} hz_run;

/* Starts `$RF_BIN args...` (args NULL-terminated) with REDFLAG_DB=db (when not NULL), standard
 * input from /dev/null and its output into files under the test's scratch directory named
 * after `tag`. Returns the child's pid, or -1. */
pid_t hz_spawn(const char *tag, const char *db, const char *const *args);
/* Waits for a child hz_spawn started and fills `r` (free it with hz_run_free). */
void hz_wait(hz_run *r, pid_t pid, const char *tag);
/* hz_spawn then hz_wait. */
void hz_redflag(hz_run *r, const char *tag, const char *db, const char *const *args);
void hz_run_free(hz_run *r);

/* Path of `name` in the test's scratch directory, like rf_test_tmpfile but in one of 64
 * buffers used in turn, so that a test can hold several paths at once. */
const char *hz_tmp(const char *name);

/* rf_test_data with the same 64 buffers. */
const char *hz_data(const char *relative);

/* 1 when this is the AddressSanitizer build: memory bounds are wider there (shadow memory,
 * quarantine) and the slowest tests may step aside. */
int hz_sanitized(void);

#endif
