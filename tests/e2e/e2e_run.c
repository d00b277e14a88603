/* e2e_run.c: the helpers of e2e_run.h (cmocka's asserts for the ones that check). */
#include "e2e_run.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rf_test.h"

e2e_out e2e_redflag_env(const char *env, const char *fmt, ...)
{
    const char *bin = getenv("RF_BIN");
    char args[8192], errfile[1024], cmd[12288];
    e2e_out r;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(errfile, sizeof errfile, "%s", rf_test_tmpfile("stderr.txt"));
    snprintf(cmd, sizeof cmd, "env %s '%s' %s 2>'%s' </dev/null", env, bin ? bin : "redflag",
             args, errfile);
    r.status = rf_test_run(&r.out, cmd);
    r.err = rf_test_read_file(errfile, NULL);
    if (!r.out) r.out = calloc(1, 1);
    if (!r.err) r.err = calloc(1, 1);
    return r;
}

const char *e2e_db_env(const char *db)
{
    static char env[1200];
    snprintf(env, sizeof env, "REDFLAG_DB='%s'", rf_test_scratch_db(rf_test_tmpfile(db)));
    return env;
}

void e2e_out_free(e2e_out *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

void e2e_src(char *out, size_t size, const char *relative)
{
    const char *root = getenv("RF_SOURCE_DIR");
    snprintf(out, size, "%s/%s", root ? root : ".", relative);
}

const char *e2e_tmp(const char *name)
{
    static char paths[16][1024];
    static unsigned next;
    char *path = paths[next++ % 16];
    snprintf(path, sizeof paths[0], "%s", rf_test_tmpfile(name));
    return path;
}

void e2e_expect(const e2e_out *r, int status)
{
    if (r->status != status)
        fprintf(stderr, "exit %d, wanted %d\nstdout:\n%.3000s\nstderr:\n%s\n", r->status, status,
                r->out, r->err);
    assert_int_equal(r->status, status);
}

void e2e_import_lists(const char *db, const char *const *pairs, size_t n_strings)
{
    for (size_t i = 0; i + 1 < n_strings; i += 2) {
        char args[2048];
        e2e_out r;
        snprintf(args, sizeof args, pairs[i], rf_test_data(pairs[i + 1]));
        r = e2e_redflag(db, "lists import --no-bundled %s", args);
        e2e_expect(&r, 0);
        e2e_out_free(&r);
    }
}

char *e2e_party_line(const char *out, const char *name)
{
    char key[512];
    const char *at, *start, *end;
    snprintf(key, sizeof key, "\"name\":\"%s\",\"country\"", name);
    at = strstr(out, key);
    if (!at) fail_msg("no party %s in:\n%s", name, out);
    start = at;
    while (start > out && start[-1] != '\n') start--;
    end = strchr(at, '\n');
    return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

char *e2e_python(const char *script, const char *fmt, ...)
{
    char path[1024], args[4096], cmd[6000];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    e2e_src(path, sizeof path, script);
    snprintf(cmd, sizeof cmd, "python3 '%s' %s", path, args);
    assert_int_equal(rf_test_run(&out, cmd), 0);
    return out ? out : calloc(1, 1);
}

/* Starts list_server.py (https when `cert` is not NULL) with its port and log files named
 * after `tag`, so that two servers can run at once. */
static int server_start(e2e_server *s, const char *root, const char *tag, const char *cert)
{
    char script[1024], port_file[1024], name[64];
    struct timespec pause = {0, 20 * 1000 * 1000};

    memset(s, 0, sizeof *s);
    e2e_src(script, sizeof script, "tests/e2e/list_server.py");
    snprintf(name, sizeof name, "%s.port", tag);
    snprintf(port_file, sizeof port_file, "%s", rf_test_tmpfile(name));
    snprintf(name, sizeof name, "%s.log", tag);
    snprintf(s->log, sizeof s->log, "%s", rf_test_tmpfile(name));
    unlink(port_file);
    s->pid = fork();
    if (s->pid < 0) return -1;
    if (s->pid == 0) {
        execlp("python3", "python3", script, root, port_file, s->log, cert, (char *)NULL);
        _exit(127);
    }
    /* Up to 10 s for Python to start on a loaded machine; not a timed assertion. */
    for (int i = 0; i < 500; i++) {
        char *text = rf_test_read_file(port_file, NULL);
        int status;
        if (text) {
            s->port = atoi(text);
            free(text);
            return s->port > 0 ? 0 : -1;
        }
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) { /* it died */
            s->pid = 0;
            return -1;
        }
        nanosleep(&pause, NULL);
    }
    e2e_server_stop(s);
    return -1;
}

int e2e_server_start(e2e_server *s, const char *root)
{
    return server_start(s, root, "server", NULL);
}

int e2e_server_start_tls(e2e_server *s, const char *root, const char *cert)
{
    return server_start(s, root, "tls-server", cert);
}

void e2e_server_stop(e2e_server *s)
{
    if (s->pid <= 0) return;
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}
