/* serve_load.c: redflag-serve-load, the load benchmark of `redflag serve` on loopback: N
 * clients (default 50), each on one keep-alive connection, send the same request over and
 * over for a bounded time (default 30 s) and time every answer. Prints requests/s and the
 * p50/p99/max latency; exits 1 when any request failed (no answer, or a status other than
 * the one expected). A bench program, run by hand and, briefly, by the serve_load test.
 *
 * usage: redflag-serve-load --port N [--clients N] [--seconds S] [--token T]
 *                           [--method GET|POST] [--path P] [--body FILE] [--type MIME]
 *                           [--expect STATUS] [--idempotency]  */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct load_options {
    int port, clients, expect, idempotency;
    double seconds;
    const char *token, *method, *path, *type;
    char *body;
    size_t body_len;
} load_options;

typedef struct client {
    const load_options *o;
    int id;
    double *latencies; /* ms */
    size_t count, cap;
    long failed;
    char first_failure[256];
} client;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_loopback(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends one request and reads its answer; returns the status, or -1. */
static int exchange(int fd, const load_options *o, int client_id, long seq)
{
    char head[1024], buf[65536];
    size_t have = 0, want = 0;
    int n;

    n = snprintf(head, sizeof head,
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n"
                 "Content-Type: %s\r\n",
                 o->method, o->path, o->body_len, o->type);
    if (o->token) n += snprintf(head + n, sizeof head - (size_t)n, "Authorization: Bearer %s\r\n", o->token);
    if (o->idempotency)
        n += snprintf(head + n, sizeof head - (size_t)n, "Idempotency-Key: load-%d-%ld\r\n",
                      client_id, seq);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if (send(fd, head, (size_t)n, MSG_NOSIGNAL) != n) return -1;
    if (o->body_len && send(fd, o->body, o->body_len, MSG_NOSIGNAL) != (ssize_t)o->body_len)
        return -1;
    for (;;) {
        char *end, *cl;
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0) return -1;
        have += (size_t)r;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        cl = strstr(buf, "\r\nContent-Length:"); /* as libmicrohttpd spells it */
        want = (size_t)(end - buf) + 4 + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
        if (want > sizeof buf - 1) {
            /* A long answer: read the rest without keeping it. */
            while (have < want) {
                r = recv(fd, buf, sizeof buf < want - have ? sizeof buf : want - have, 0);
                if (r <= 0) return -1;
                have += (size_t)r;
            }
            return atoi(buf + 9);
        }
        if (have >= want) return atoi(buf + 9);
    }
}

static void *run_client(void *arg)
{
    client *c = arg;
    const load_options *o = c->o;
    double stop = now_s() + o->seconds;
    int fd = -1;
    long seq = 0;

    while (now_s() < stop) {
        double t0;
        int status;
        if (fd < 0 && (fd = connect_loopback(o->port)) < 0) {
            c->failed++;
            snprintf(c->first_failure, sizeof c->first_failure, "cannot connect");
            break;
        }
        t0 = now_s();
        status = exchange(fd, o, c->id, seq++);
        if (status != o->expect) {
            if (!c->failed++)
                snprintf(c->first_failure, sizeof c->first_failure, "status %d, not %d", status,
                         o->expect);
            close(fd);
            fd = -1;
            continue;
        }
        if (c->count == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 4096;
            double *grown = realloc(c->latencies, cap * sizeof *grown);
            if (!grown) break;
            c->latencies = grown;
            c->cap = cap;
        }
        c->latencies[c->count++] = (now_s() - t0) * 1000;
    }
    if (fd >= 0) close(fd);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size + 1)) && fread(data, 1, (size_t)size, f) == (size_t)size) {
        *len = (size_t)size;
    } else {
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    load_options o = {0, 50, 200, 0, 30, NULL, "GET", "/api/v1/lists", "application/xml", NULL, 0};
    client *clients;
    pthread_t *threads;
    double started, elapsed, *all;
    size_t total = 0;
    long failed = 0;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--idempotency") == 0) { o.idempotency = 1; continue; }
        if (!v) goto usage;
        if (strcmp(argv[i], "--port") == 0) o.port = atoi(v);
        else if (strcmp(argv[i], "--clients") == 0) o.clients = atoi(v);
        else if (strcmp(argv[i], "--seconds") == 0) o.seconds = atof(v);
        else if (strcmp(argv[i], "--token") == 0) o.token = v;
        else if (strcmp(argv[i], "--method") == 0) o.method = v;
        else if (strcmp(argv[i], "--path") == 0) o.path = v;
        else if (strcmp(argv[i], "--type") == 0) o.type = v;
        else if (strcmp(argv[i], "--expect") == 0) o.expect = atoi(v);
        else if (strcmp(argv[i], "--body") == 0) {
            if (!(o.body = read_file(v, &o.body_len))) {
                fprintf(stderr, "redflag-serve-load: cannot read %s\n", v);
                return 2;
            }
        } else goto usage;
        i++;
    }
    if (o.port <= 0 || o.clients < 1 || o.clients > 1000 || !(o.seconds > 0)) goto usage;
    clients = calloc((size_t)o.clients, sizeof *clients);
    threads = calloc((size_t)o.clients, sizeof *threads);
    if (!clients || !threads) return 2;
    started = now_s();
    for (int i = 0; i < o.clients; i++) {
        clients[i].o = &o;
        clients[i].id = i;
        pthread_create(&threads[i], NULL, run_client, &clients[i]);
    }
    for (int i = 0; i < o.clients; i++) {
        pthread_join(threads[i], NULL);
        total += clients[i].count;
        failed += clients[i].failed;
    }
    elapsed = now_s() - started;
    all = malloc((total ? total : 1) * sizeof *all);
    if (!all) return 2;
    for (int i = 0, k = 0; i < o.clients; i++) {
        memcpy(all + k, clients[i].latencies, clients[i].count * sizeof *all);
        k += (int)clients[i].count;
    }
    qsort(all, total, sizeof *all, by_value);
    printf("%s %s: %d clients, %.1f s: %zu requests answered %d, %ld failed\n", o.method, o.path,
           o.clients, elapsed, total, o.expect, failed);
    if (total)
        printf("%.0f requests/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
               (double)total / elapsed, all[total / 2], all[(size_t)((double)total * 0.99)],
               all[total - 1]);
    for (int i = 0; i < o.clients; i++)
        if (clients[i].failed) {
            printf("client %d: first failure: %s\n", i, clients[i].first_failure);
            break;
        }
    for (int i = 0; i < o.clients; i++) free(clients[i].latencies);
    free(clients);
    free(threads);
    free(all);
    free(o.body);
    return failed ? 1 : 0;
usage:
    fprintf(stderr, "usage: redflag-serve-load --port N [--clients N] [--seconds S] [--token T]"
                    " [--method M] [--path P] [--body FILE] [--type MIME] [--expect STATUS]"
                    " [--idempotency]\n");
    return 2;
}
