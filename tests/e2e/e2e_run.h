/* e2e_run.h: running the built redflag command from end-to-end tests ($RF_BIN, standard input
 * from /dev/null, standard output and error captured), each test with its own scratch
 * database; the helper scripts in Python; and the local list server that `lists update`
 * tests download from. */
#ifndef RF_E2E_RUN_H
#define RF_E2E_RUN_H

#include <stddef.h>
#include <sys/types.h>

typedef struct e2e_out {
    int status; /* exit status */
    char *out;  /* standard output */
    char *err;  /* standard error */
} e2e_out;

/* Runs `env <env> $RF_BIN <args>` (args are shell words, printf-style). */
e2e_out e2e_redflag_env(const char *env, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The same with REDFLAG_DB set to the scratch database `db` (a file name). */
#define e2e_redflag(db, ...) e2e_redflag_env(e2e_db_env(db), __VA_ARGS__)
const char *e2e_db_env(const char *db);
void e2e_out_free(e2e_out *r);

/* A path in the source tree ($RF_SOURCE_DIR). */
void e2e_src(char *out, size_t size, const char *relative);

/* rf_test_tmpfile(name) in a buffer of its own that outlives the next 15 calls. */
const char *e2e_tmp(const char *name);
/* Asserts that `r` exited with `status`, printing its output when it did not. */
void e2e_expect(const e2e_out *r, int status);
/* Imports list files into the scratch database `db` with `lists import --no-bundled`, each
 * given by two strings of `pairs`: its options with '%s' where its path goes, and the file
 * under tests/data; asserts that each import exits 0. */
void e2e_import_lists(const char *db, const char *const *pairs, size_t n_strings);
/* The line of the party named `name` in the JSON lines `out` (malloc'd); fails the test when
 * there is none. */
char *e2e_party_line(const char *out, const char *name);
/* Runs `python3 SCRIPT ARGS` (SCRIPT relative to the source tree, ARGS shell words,
 * printf-style), asserts that it exits 0, and returns what it printed (malloc'd). */
char *e2e_python(const char *script, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* tests/e2e/list_server.py serving `root` on 127.0.0.1, on a free port. */
typedef struct e2e_server {
    pid_t pid;
    int port;
    char log[1024]; /* one line per request */
} e2e_server;

/* Starts the server and waits until it listens; 0 on success. */
int e2e_server_start(e2e_server *s, const char *root);
/* The same speaking https with the certificate and key in PEM file `cert`; it can run beside
 * the first. */
int e2e_server_start_tls(e2e_server *s, const char *root, const char *cert);
/* Stops it (SIGTERM, then waits for it). */
void e2e_server_stop(e2e_server *s);

#endif
