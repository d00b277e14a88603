/* http.c: the server on libmicrohttpd: listening (loopback by default, TLS when given a
 * certificate), a thread per connection, a few database connections handed to requests in
 * the order they ask, the screening runs they record written in batches on one more,
 * request bodies capped (413), idle connections timed out, the security headers every answer
 * carries, the sign-in rate limiter, the lists in force reloaded when the command line
 * changes them (or the date), workers that take turns at the database's write lock without
 * sleeping long, its write-ahead log kept bounded, and a graceful stop that lets requests in
 * flight end. */
#define _DEFAULT_SOURCE /* strcasecmp, inet_ntop */
#include "serve_internal.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BODY (8u << 20)
#define DEFAULT_TIMEOUT 30u
/* Requests handled at once per processor, by default: more than the processors, so that
 * several runs finish close together and are written in one batch (rf_run_group), the
 * others screening meanwhile. */
#define RUNS_PER_CPU 3
/* Sign-in failures allowed per user name and per client address in one window: an address
 * may be a proxy that many people sign in through. */
#define LIMIT_USER_FAILURES 5
#define LIMIT_CLIENT_FAILURES 20
#define LIMIT_WINDOW 900

static const char SECURITY_CSP[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'";

const char *rf_request_arg(const rf_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *rf_request_header(const rf_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *rf_request_cookie(const rf_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

int rf_request_form(const rf_request *req, const char *name, char *out, size_t size)
{
    const char *p = req->body.data, *end = p ? p + req->body.len : NULL;
    size_t name_len = strlen(name);

    while (p && p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq && (size_t)(eq - p) == name_len && memcmp(p, name, name_len) == 0) {
            size_t len = (size_t)(stop - eq - 1);
            if (len >= size) return -1;
            memcpy(out, eq + 1, len);
            out[len] = '\0';
            for (char *c = out; *c; c++)
                if (*c == '+') *c = ' ';
            MHD_http_unescape(out);
            return rf_utf8_valid(out, strlen(out), NULL) ? 0 : -1;
        }
        p = stop + 1;
    }
    return -1;
}

int rf_respond_json_error(rf_response *res, unsigned status, const char *fmt, ...)
{
    char message[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    res->status = status;
    res->content_type = "application/json";
    rf_buf_reset(&res->body);
    rf_buf_printf(&res->body, "{\"error\":{\"status\":%u,\"message\":", status);
    rf_json_string(&res->body, message);
    rf_buf_puts(&res->body, "}}\n");
    return 0;
}

/* ---- sign-in rate limiting -------------------------------------------------------------- */

static unsigned long limiter_key(const char *kind, const char *s)
{
    unsigned long h = 5381;
    for (const char *p = kind; *p; p++) h = h * 33 + (unsigned char)*p;
    for (const char *p = s ? s : ""; *p; p++) h = h * 33 + (unsigned char)*p;
    return h ? h : 1;
}

/* The slot of `key` (a free or stale one when it has none); under srv->lock. */
static rf_limiter_slot *limiter_slot(rf_server *srv, unsigned long key, long now, int create)
{
    rf_limiter_slot *oldest = NULL;
    for (size_t i = 0; i < RF_LIMITER_SLOTS; i++) {
        rf_limiter_slot *s = &srv->limiter[i];
        if (s->key == key) {
            if (now - s->window_start >= LIMIT_WINDOW) {
                s->window_start = now;
                s->failures = 0;
            }
            return s;
        }
        if (!oldest || s->window_start < oldest->window_start) oldest = s;
    }
    if (!create) return NULL;
    oldest->key = key;
    oldest->window_start = now;
    oldest->failures = 0;
    return oldest;
}

/* Whether `client` or `user` is blocked, after counting one more failure when `failed`. */
static int limiter_check(rf_server *srv, const char *client, const char *user, int failed)
{
    long now = (long)time(NULL);
    int blocked;
    pthread_mutex_lock(&srv->lock);
    {
        rf_limiter_slot *a = limiter_slot(srv, limiter_key("ip:", client), now, failed);
        rf_limiter_slot *b = limiter_slot(srv, limiter_key("user:", user), now, failed);
        if (failed) {
            a->failures++;
            if (b != a) b->failures++;
        }
        blocked = (a && a->failures >= LIMIT_CLIENT_FAILURES) ||
                  (b && b->failures >= LIMIT_USER_FAILURES);
    }
    pthread_mutex_unlock(&srv->lock);
    return blocked;
}

int rf_limiter_blocked(rf_server *srv, const char *client, const char *user)
{
    return limiter_check(srv, client, user, 0);
}

int rf_limiter_fail(rf_server *srv, const char *client, const char *user)
{
    return limiter_check(srv, client, user, 1);
}

void rf_limiter_clear(rf_server *srv, const char *user)
{
    pthread_mutex_lock(&srv->lock);
    {
        rf_limiter_slot *b = limiter_slot(srv, limiter_key("user:", user), (long)time(NULL), 0);
        if (b) b->failures = 0;
    }
    pthread_mutex_unlock(&srv->lock);
}

/* ---- database connections ---------------------------------------------------------------- */

/* Waiting for another worker's write transaction (each screening run is two short ones):
 * sqlite's own busy handler sleeps 1, 2, 5, 10 ... 100 ms between tries, far longer than a
 * run holds the lock, and leaves the processor idle while requests queue. A tenth of a
 * millisecond between tries, for as long as the 10 s the store's timeout allows. */
#define BUSY_TRY_NS 100000L
#define BUSY_TRIES 100000

static int wait_for_writer(void *ctx, int tries)
{
    struct timespec pause = {0, BUSY_TRY_NS};
    (void)ctx;
    if (tries >= BUSY_TRIES) return 0;
    nanosleep(&pause, NULL);
    return 1;
}

/* A connection of the server: a writer in turn (waiting 0.1 ms between tries), leaving
 * checkpoints to the watcher. */
static int store_open_worker(rf_store **out, const rf_server *srv, rf_error *err)
{
    int rc = rf_store_open(out, srv->db_path, err);
    if (rc) return rc;
    sqlite3_busy_handler((*out)->db, wait_for_writer, NULL);
    /* The watcher checkpoints the log every second (wal_bound), in one go what sqlite would
     * copy every thousand pages in the request that happened to commit them. */
    sqlite3_wal_autocheckpoint((*out)->db, 0);
    return RF_OK;
}

/* A request waiting for a connection: they are handed out in the order asked for, so that
 * no request waits for many turns while others get theirs at once. */
typedef struct rf_store_waiter {
    pthread_cond_t turn;
    rf_store *st; /* handed over */
    struct rf_store_waiter *next;
} rf_store_waiter;

static rf_store *store_take(rf_server *srv)
{
    rf_store *st;
    pthread_mutex_lock(&srv->lock);
    if (srv->n_free > 0) {
        st = srv->free_stores[--srv->n_free];
    } else {
        rf_store_waiter w = {.st = NULL, .next = NULL};
        pthread_cond_init(&w.turn, NULL);
        *srv->waiters_tail = &w;
        srv->waiters_tail = &w.next;
        while (!w.st) pthread_cond_wait(&w.turn, &srv->lock);
        pthread_cond_destroy(&w.turn);
        st = w.st;
    }
    pthread_mutex_unlock(&srv->lock);
    return st;
}

static void store_give(rf_server *srv, rf_store *st)
{
    rf_store_waiter *w;
    pthread_mutex_lock(&srv->lock);
    if ((w = srv->waiters) != NULL) {
        srv->waiters = w->next;
        if (!srv->waiters) srv->waiters_tail = &srv->waiters;
        w->st = st;
        pthread_cond_signal(&w->turn);
    } else {
        srv->free_stores[srv->n_free++] = st;
    }
    pthread_mutex_unlock(&srv->lock);
}

/* ---- the lists in force, reloaded when they change ----------------------------------------- */

/* How often the watcher asks the database which versions are in force: a small query on its
 * own connection, so that an import from the command line is screened with within seconds.
 * It then also looks at the write-ahead log: under a steady flow of requests some reader
 * always holds it, and sqlite's own checkpoints, which never wait for readers, would let it
 * grow without end (hundreds of megabytes a minute of screening runs). Past WAL_MAX_FRAMES
 * pages (64 MiB of 4 KiB pages) the watcher checkpoints it and starts it over from its
 * beginning, keeping the file: writing into blocks the file has costs the kernel less than
 * growing it again from nothing (3 % of the server's time went to zeroing new blocks). */
#define WAL_MAX_FRAMES 16384
#define WATCH_SECONDS 1
/* Before starting the log over, passive checkpoints are repeated (at most WAL_CATCH_UP in
 * all) until one finds fewer than WAL_REMAINDER pages new: the one that makes writers wait
 * then copies and syncs only what came in meanwhile (a few milliseconds of writing, not the
 * second's worth the first copies: writers waited 15 to 50 ms, now 4 to 30). */
#define WAL_CATCH_UP 5
#define WAL_REMAINDER 300
/* How often the same thread forgets the idempotency keys past their 24 hours. */
#define PURGE_SECONDS 3600

/* The lists in force today, as a screening session with the server's ownership rules loads
 * them. */
static int lists_load(rf_loaded_lists **out, rf_server *srv, rf_store *st, rf_error *err)
{
    rf_loaded_lists *l = calloc(1, sizeof *l);
    rf_session_options options;
    int rc;
    *out = NULL;
    if (!l) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    memset(&options, 0, sizeof options);
    options.ownership = srv->rules;
    if ((rc = rf_session_lists_load(&l->lists, st, &options, err)) != 0) {
        free(l);
        return rc;
    }
    l->snap = rf_session_lists_snapshot(l->lists);
    l->matcher = rf_session_lists_matcher(l->lists);
    l->users = 1;
    *out = l;
    return RF_OK;
}

static rf_loaded_lists *lists_take(rf_server *srv)
{
    rf_loaded_lists *l;
    pthread_mutex_lock(&srv->lock);
    l = srv->lists;
    l->users++;
    pthread_mutex_unlock(&srv->lock);
    return l;
}

static void lists_give(rf_server *srv, rf_loaded_lists *l)
{
    int last;
    if (!l) return;
    pthread_mutex_lock(&srv->lock);
    last = --l->users == 0;
    pthread_mutex_unlock(&srv->lock);
    if (!last) return;
    rf_session_lists_free(l->lists);
    free(l);
}

/* 1 when `in_force` names other versions than `loaded` (order aside). */
static int versions_differ(const rf_version_list *in_force, const rf_version_list *loaded)
{
    size_t n_loaded = loaded ? loaded->count : 0;
    if (in_force->count != n_loaded) return 1;
    for (size_t i = 0; i < in_force->count; i++) {
        int found = 0;
        for (size_t k = 0; k < n_loaded && !found; k++)
            found = loaded->items[k].id == in_force->items[i].id;
        if (!found) return 1;
    }
    return 0;
}

/* Loads the lists in force when they are not the ones loaded (other versions, or another
 * day: the ownership links in force go by the date), and makes them the server's. A failed
 * load (a database busy with an import) is tried again at the next tick. */
static void lists_refresh(rf_server *srv)
{
    rf_version_list in_force = {0};
    rf_loaded_lists *current = srv->lists, *fresh = NULL; /* only this thread replaces it */
    char today[11];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if (rf_store_versions_in_force(&in_force, srv->watch_store, NULL, NULL) == 0 &&
        (versions_differ(&in_force, rf_snapshot_versions(current->snap)) ||
         strcmp(today, rf_session_lists_date(current->lists)) != 0) &&
        lists_load(&fresh, srv, srv->watch_store, NULL) == 0) {
        pthread_mutex_lock(&srv->lock);
        srv->lists = fresh;
        pthread_mutex_unlock(&srv->lock);
        lists_give(srv, current);
    }
    rf_version_list_free(&in_force);
}

/* Copies the write-ahead log into the database (the workers' connections leave that to this
 * thread), and starts the log over when it has grown past WAL_MAX_FRAMES, once passive copies
 * have caught up with it (WAL_CATCH_UP): a checkpoint that waits for the readers of the log
 * to finish (writers wait meanwhile, a few milliseconds), which a passive one never does. */
static void wal_bound(rf_store *st)
{
    int frames = 0, copied = 0, before = 0;
    if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied) !=
            SQLITE_OK ||
        frames <= WAL_MAX_FRAMES)
        return;
    for (int round = 1; round < WAL_CATCH_UP && frames - before >= WAL_REMAINDER; round++) {
        before = frames;
        if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames,
                                      &copied) != SQLITE_OK)
            return;
    }
    sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
}

static void *watch_lists(void *arg)
{
    rf_server *srv = arg;
    pthread_mutex_lock(&srv->lock);
    while (!srv->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += WATCH_SECONDS;
        pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
        if (srv->stopping) break;
        pthread_mutex_unlock(&srv->lock);
        lists_refresh(srv);
        wal_bound(srv->watch_store);
        if (time(NULL) - srv->purged_at >= PURGE_SECONDS &&
            rf_idempotency_purge(srv->watch_store, NULL) == 0)
            srv->purged_at = time(NULL);
        pthread_mutex_lock(&srv->lock);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

/* ---- requests ------------------------------------------------------------------------------ */

static enum MHD_Result send_response(rf_request *req, rf_response *res)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(res->body.len, res->body.data ? res->body.data : (void *)"",
                                        MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type",
                            res->content_type ? res->content_type : "text/html; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", SECURITY_CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (req->srv->tls)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    if (res->set_cookie[0]) MHD_add_response_header(r, "Set-Cookie", res->set_cookie);
    if (res->location[0]) MHD_add_response_header(r, "Location", res->location);
    if (res->allow[0]) MHD_add_response_header(r, "Allow", res->allow);
    if (res->www_authenticate) MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    if (res->close) MHD_add_response_header(r, "Connection", "close");
    if (res->download[0]) {
        char disposition[192];
        snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", res->download);
        MHD_add_response_header(r, "Content-Disposition", disposition);
    }
    ok = MHD_queue_response(req->conn, res->status, r);
    MHD_destroy_response(r);
    return ok;
}

static void client_address(char out[64], struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr) return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
                  out, 64);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, out,
                  64);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **state)
{
    rf_server *srv = cls;
    rf_request *req = *state;
    rf_response res;
    enum MHD_Result ok;

    (void)version;
    if (!req) {
        const char *length;
        req = calloc(1, sizeof *req);
        if (!req) return MHD_NO;
        req->conn = conn;
        req->srv = srv;
        req->method = method;
        req->url = url;
        req->body.max = srv->opts.max_body;
        client_address(req->client, conn);
        *state = req;
        /* A request begun once the server is stopping (on a connection kept alive) is not
         * handled: the server may close the connection before its answer is sent, and what it
         * did would be done without a word to its client. Counted in flight either way, so
         * that rf_server_stop waits for its 503. */
        pthread_mutex_lock(&srv->lock);
        req->refused = srv->quiescing;
        srv->requests_in_flight++;
        pthread_mutex_unlock(&srv->lock);
        /* A body announced too large is refused before it is read. */
        length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) > srv->opts.max_body) req->too_large = 1;
        else return MHD_YES;
    }
    if (*upload_size) {
        if (!req->too_large && rf_buf_append(&req->body, upload_data, *upload_size) < 0)
            req->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&res, 0, sizeof res);
    res.status = 200;
    res.body.max = 64u << 20;
    if (req->refused) {
        rf_respond_json_error(&res, 503, "the server is stopping: send the request again to"
                                         " the server that takes its place");
        res.close = 1;
    } else if (req->too_large) {
        rf_respond_json_error(&res, 413, "the request body is larger than %zu bytes",
                              srv->opts.max_body);
    } else {
        req->st = store_take(srv);
        req->lists = lists_take(srv);
        if (strncmp(url, "/api/", 5) == 0) rf_api_handle(req, &res);
        else rf_pages_handle(req, &res);
        lists_give(srv, req->lists);
        req->lists = NULL;
        store_give(srv, req->st);
        req->st = NULL;
    }
    ok = send_response(req, &res);
    rf_buf_free(&res.body);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
    rf_server *srv = cls;
    rf_request *req = *state;
    (void)conn;
    (void)why;
    if (!req) return;
    rf_buf_free(&req->body);
    free(req);
    *state = NULL;
    pthread_mutex_lock(&srv->lock);
    srv->requests_in_flight--;
    pthread_mutex_unlock(&srv->lock);
}

/* ---- starting and stopping ------------------------------------------------------------------ */

/* Parses "ADDR:PORT" or "[ADDR6]:PORT" (numeric only) into `sa`. */
static int parse_listen(struct sockaddr_storage *sa, const char *listen, rf_error *err)
{
    char host[128];
    const char *port, *colon;
    struct addrinfo hints, *ai = NULL;

    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':') goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(close - listen - 1), listen + 1);
        port = close + 2;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || colon == listen) goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
        port = colon + 1;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    if (!*port || getaddrinfo(host, port, &hints, &ai) != 0 || !ai) goto bad;
    memset(sa, 0, sizeof *sa);
    memcpy(sa, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    return RF_OK;
bad:
    return rf_error_set(err, RF_EUSAGE, NULL, 0,
                        "--listen wants ADDR:PORT with a numeric address (127.0.0.1:8080,"
                        " [::1]:8080), not '%s'",
                        listen);
}

static int read_pem(char **out, const char *path, rf_error *err)
{
    rf_buf b = {0};
    int rc = rf_file_read(&b, NULL, path, 1u << 20, err);
    if (rc) return rc;
    *out = rf_buf_detach(&b);
    return *out ? RF_OK : rf_error_set(err, RF_EFORMAT, path, 0, "empty file");
}

static void server_free(rf_server *srv)
{
    if (!srv) return;
    if (srv->watching) {
        pthread_mutex_lock(&srv->lock);
        srv->stopping = 1;
        pthread_cond_signal(&srv->wake);
        pthread_mutex_unlock(&srv->lock);
        pthread_join(srv->watcher, NULL);
    }
    for (size_t i = 0; i < srv->n_stores; i++) rf_store_close(srv->stores[i]);
    rf_run_group_free(srv->runs);
    rf_store_close(srv->run_store);
    rf_store_close(srv->watch_store);
    free(srv->stores);
    free(srv->free_stores);
    lists_give(srv, srv->lists);
    rf_ownership_rules_free(srv->rules);
    /* The key stays in memory no longer than the server. */
    if (srv->tls_key) sodium_memzero(srv->tls_key, strlen(srv->tls_key));
    free(srv->tls_cert);
    free(srv->tls_key);
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->wake);
    pthread_cond_destroy(&srv->hold_released);
    free(srv);
}

int rf_server_start(rf_server **out, const rf_serve_options *opts, rf_error *err)
{
    rf_server *srv;
    struct sockaddr_storage sa;
    /* A thread per connection, all waiting their turn at the database connections in the
     * order they came (store_take): with a pool of threads each owning its connections, a
     * thread that happened to take more of them answered each later (50 clients over 8
     * threads: 4 ms on average for some, 82 ms for others). ITC: without it
     * MHD_quiesce_daemon cannot stop the daemon from accepting. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int rc;

    *out = NULL;
    srv = calloc(1, sizeof *srv);
    if (!srv) return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
    pthread_mutex_init(&srv->lock, NULL);
    srv->waiters_tail = &srv->waiters;
    pthread_cond_init(&srv->wake, NULL);
    pthread_cond_init(&srv->hold_released, NULL);
    srv->opts = *opts;
    snprintf(srv->db_path, sizeof srv->db_path, "%s", opts->db_path);
    srv->opts.db_path = srv->db_path;
    if (!srv->opts.max_body) srv->opts.max_body = DEFAULT_MAX_BODY;
    if (!srv->opts.timeout) srv->opts.timeout = DEFAULT_TIMEOUT;
    if (srv->opts.threads <= 0) srv->opts.threads = RUNS_PER_CPU * (cpus > 0 ? (int)cpus : 2);
    if ((rc = parse_listen(&sa, opts->listen ? opts->listen : "127.0.0.1:8080", err)) != 0)
        goto fail;
    if (!opts->tls_cert != !opts->tls_key) {
        rc = rf_error_set(err, RF_EUSAGE, NULL, 0, "TLS needs both a certificate and its key");
        goto fail;
    }
    if (opts->tls_cert) {
        if ((rc = read_pem(&srv->tls_cert, opts->tls_cert, err)) != 0 ||
            (rc = read_pem(&srv->tls_key, opts->tls_key, err)) != 0)
            goto fail;
        srv->tls = 1;
        flags |= MHD_USE_TLS;
    }
    /* A connection per request handled at once, one that writes their runs, and the
     * watcher's. */
    srv->n_stores = (size_t)srv->opts.threads;
    srv->stores = calloc(srv->n_stores, sizeof *srv->stores);
    srv->free_stores = calloc(srv->n_stores, sizeof *srv->free_stores);
    if (!srv->stores || !srv->free_stores) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    if ((rc = store_open_worker(&srv->run_store, srv, err)) != 0 ||
        (rc = rf_run_group_new(&srv->runs, srv->run_store, err)) != 0)
        goto fail;
    for (size_t i = 0; i < srv->n_stores; i++) {
        if ((rc = store_open_worker(&srv->stores[i], srv, err)) != 0) goto fail;
        rf_store_set_run_group(srv->stores[i], srv->runs);
        srv->free_stores[srv->n_free++] = srv->stores[i];
    }
    if ((rc = rf_ownership_rules_load(&srv->rules, opts->ownership_rules, err)) != 0 ||
        (rc = store_open_worker(&srv->watch_store, srv, err)) != 0 ||
        (rc = lists_load(&srv->lists, srv, srv->watch_store, err)) != 0)
        goto fail;
    if (pthread_create(&srv->watcher, NULL, watch_lists, srv) != 0) {
        rc = rf_error_set(err, RF_ENOMEM, NULL, 0, "cannot start a thread");
        goto fail;
    }
    srv->watching = 1;
    if (sa.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_TIMEOUT,
        srv->opts.timeout, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        0u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, srv->tls_cert,
        MHD_OPTION_HTTPS_MEM_KEY, srv->tls_key, MHD_OPTION_END);
    if (!srv->daemon) {
        rc = rf_error_set(err, RF_EIO, NULL, 0,
                          "cannot listen on %s (in use, not an address of this machine, or a"
                          " bad certificate)",
                          opts->listen ? opts->listen : "127.0.0.1:8080");
        goto fail;
    }
    {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
        srv->port = di ? di->port : 0;
    }
    *out = srv;
    return RF_OK;

fail:
    server_free(srv);
    return rc;
}

unsigned rf_server_port(const rf_server *srv)
{
    return srv->port;
}

void rf_server_stop(rf_server *srv, unsigned grace)
{
    MHD_socket listener;
    struct timespec tick = {0, 20 * 1000 * 1000};

    if (!srv) return;
    pthread_mutex_lock(&srv->lock);
    srv->quiescing = 1;
    pthread_mutex_unlock(&srv->lock);
    listener = MHD_quiesce_daemon(srv->daemon);
    for (unsigned waited = 0; waited < grace * 50; waited++) {
        int busy;
        pthread_mutex_lock(&srv->lock);
        busy = srv->requests_in_flight;
        pthread_mutex_unlock(&srv->lock);
        if (!busy) break;
        nanosleep(&tick, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    if (listener != MHD_INVALID_SOCKET) close(listener);
    server_free(srv);
}
