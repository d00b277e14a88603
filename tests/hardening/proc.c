/* proc.c: the child processes of proc.h. */
#define _DEFAULT_SOURCE /* wait4: the resources of one child, not of all of them */
#include "proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rf_test.h"

int hz_sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 1;
#else
    return 0;
#endif
#else
    return 0;
#endif
}

static const char *keep(const char *path)
{
    static char paths[64][1024];
    static unsigned next;
    char *p = paths[next++ % 64];
    snprintf(p, sizeof paths[0], "%s", path);
    return p;
}

const char *hz_tmp(const char *name)
{
    return keep(rf_test_tmpfile(name));
}

const char *hz_data(const char *relative)
{
    return keep(rf_test_data(relative));
}

static void output_path(char *out, size_t size, const char *tag, const char *stream)
{
    snprintf(out, size, "%s/%s.%s", rf_test_tmpdir(), tag, stream);
}

pid_t hz_spawn(const char *tag, const char *db, const char *const *args)
{
    const char *bin = getenv("RF_BIN");
    char out[1024], err[1024];
    const char *argv[64];
    size_t n = 0;
    pid_t pid;

    if (!bin) return -1;
    if (db) rf_test_scratch_db(db);
    argv[n++] = bin;
    for (size_t i = 0; args[i] && n + 1 < sizeof argv / sizeof *argv; i++) argv[n++] = args[i];
    argv[n] = NULL;
    output_path(out, sizeof out, tag, "out");
    output_path(err, sizeof err, tag, "err");
    fflush(NULL);
    if ((pid = fork()) != 0) return pid;
    {
        int in = open("/dev/null", O_RDONLY), o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644),
            e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        signal(SIGPIPE, SIG_DFL);
        if (db) setenv("REDFLAG_DB", db, 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
}

void hz_wait(hz_run *r, pid_t pid, const char *tag)
{
    char path[1024];
    struct rusage ru;
    int status = 0;

    memset(r, 0, sizeof *r);
    r->status = -1;
    if (pid > 0 && wait4(pid, &status, 0, &ru) == pid) {
        r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r->maxrss_kb = ru.ru_maxrss;
    }
    output_path(path, sizeof path, tag, "out");
    r->out = rf_test_read_file(path, NULL);
    output_path(path, sizeof path, tag, "err");
    r->err = rf_test_read_file(path, NULL);
    if (!r->out) r->out = calloc(1, 1);
    if (!r->err) r->err = calloc(1, 1);
}

void hz_redflag(hz_run *r, const char *tag, const char *db, const char *const *args)
{
    hz_wait(r, hz_spawn(tag, db, args), tag);
}

void hz_run_free(hz_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}
