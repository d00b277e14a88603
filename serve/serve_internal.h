/* serve_internal.h: what the parts of serve/ share: the server, one request and its response
 * (http.c), the accounts behind sign-in and tokens (accounts.c), the API (api.c, screen.c)
 * with its idempotency keys (idempotency.c) and the workbench pages (pages.c, queue.c).
 * Private to serve/. */
#ifndef RF_SERVE_INTERNAL_H
#define RF_SERVE_INTERNAL_H

#include "rf_serve.h"

#include "engine/rf_engine.h"
#include "lists/store_internal.h"
#include "reports/rf_reports.h"
#include "session/rf_session.h"

#include <microhttpd.h>
#include <pthread.h>

/* ---- accounts (accounts.c) ------------------------------------------------------------ */

/* Who a request comes from: a signed-in user (with the session's CSRF token) or a token. */
typedef struct rf_identity {
    long long user_id;
    long long token_id; /* 0 for a web session */
    char name[128];
    rf_role role;
    unsigned scopes;    /* RF_SCOPE_ bits, for a token */
    char csrf[65];      /* for a web session */
} rf_identity;

/* 64 hex digits of 32 random bytes. */
void rf_secret_new(char out[65]);
/* "screen,review" */
void rf_scopes_text(char out[32], unsigned scopes);
/* Each returns RF_ENOTFOUND (err untouched) when the secret, name or password does not fit. */
int rf_account_token(rf_identity *out, rf_store *st, const char *token, rf_error *err);
int rf_account_session(rf_identity *out, rf_store *st, const char *cookie, rf_error *err);
int rf_account_password(rf_identity *out, rf_store *st, const char *name, const char *password,
                        rf_error *err);
/* Starts a session of `hours` for `id` (its csrf is set): `cookie` is the secret to send. */
int rf_account_session_new(char cookie[65], rf_identity *id, rf_store *st, unsigned hours,
                           rf_error *err);
/* Ends the session of `cookie`, and every expired one. */
int rf_account_session_end(rf_store *st, const char *cookie, rf_error *err);

/* ---- the server, requests, responses (http.c) ----------------------------------------- */

/* Failed sign-ins remembered per client address and per user name, to answer 429. */
#define RF_LIMITER_SLOTS 256
typedef struct rf_limiter_slot {
    unsigned long key; /* hash of "ip:..." or "user:..." */
    long window_start;
    int failures;
} rf_limiter_slot;

/* The lists in force today as loaded, as `redflag screen` screens against them (the
 * ownership rules applied, the removed sets for delistings): shared read-only by the requests
 * that began while they were current, which open their screening sessions over them. When
 * `redflag lists import` or `update` changes the versions in force, or the date changes, the
 * server loads the new ones beside them and swaps; the old ones are freed when the last
 * request holding them ends. `snap` and `matcher` are those of `lists`. */
typedef struct rf_loaded_lists {
    rf_session_lists *lists;
    const rf_snapshot *snap;
    const rf_matcher *matcher;
    int users; /* requests holding them, plus one while they are the server's; under lock */
} rf_loaded_lists;

struct rf_server {
    struct MHD_Daemon *daemon;
    rf_serve_options opts;
    char db_path[4096];
    unsigned port;
    int tls;
    char *tls_cert, *tls_key; /* the PEM files' contents */
    /* A database connection per request handled at once (opts.threads), handed out in the
     * order asked for (store_take). */
    rf_store **stores;
    size_t n_stores, n_free;
    rf_store **free_stores;
    /* The screening runs the workers record (POST /api/v1/screen), written in batches on a
     * connection of their own: a run that finishes while another is written goes with the
     * next batch. */
    rf_store *run_store;
    rf_run_group *runs;
    pthread_mutex_t lock;
    struct rf_store_waiter *waiters, **waiters_tail; /* requests waiting for one; under lock */
    int requests_in_flight;   /* under lock */
    int quiescing;            /* stopping: requests begun from now on are refused; under lock */
    rf_limiter_slot limiter[RF_LIMITER_SLOTS]; /* under lock */
    /* The lists in force, and the thread that watches for new ones on its own connection. */
    rf_loaded_lists *lists;   /* under lock */
    rf_ownership_rules *rules; /* applied to the lists loaded */
    rf_store *watch_store;
    long purged_at;           /* when the watcher last forgot old idempotency keys */
    struct rf_idempotency_hold *holds; /* keys being answered; under lock */
    pthread_cond_t hold_released;
    pthread_t watcher;
    int watching;
    int stopping;             /* under lock */
    pthread_cond_t wake;      /* wakes the watcher to stop */
};

typedef struct rf_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    char client[64];  /* the peer's address */
    rf_buf body;      /* capped at the server's max_body */
    int too_large;
    int refused;      /* begun after the server began to stop: answered 503, not handled */
    rf_server *srv;
    rf_store *st;     /* this request's connection */
    rf_loaded_lists *lists; /* the lists it screens with, whatever is loaded meanwhile */
} rf_request;

typedef struct rf_response {
    unsigned status;
    const char *content_type;
    rf_buf body;
    char set_cookie[256];
    char location[512];
    char allow[64];       /* for 405 */
    int www_authenticate; /* for 401 from the API */
    int close;            /* the connection closes after this answer */
    char download[128];   /* Content-Disposition attachment file name */
} rf_response;

/* A query-string argument (decoded), or NULL. */
const char *rf_request_arg(const rf_request *req, const char *name);
const char *rf_request_header(const rf_request *req, const char *name);
const char *rf_request_cookie(const rf_request *req, const char *name);
/* Field `name` of an application/x-www-form-urlencoded body, decoded into `out`; 0 when
 * found, -1 when missing or longer than `size`. */
int rf_request_form(const rf_request *req, const char *name, char *out, size_t size);
/* Answers {"error": {"status": N, "message": "..."}}; returns 0 for chaining. */
int rf_respond_json_error(rf_response *res, unsigned status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Counts a failed sign-in of `user` from `client`; 1 when either has failed too often in the
 * current window (the next attempt is answered 429). */
int rf_limiter_fail(rf_server *srv, const char *client, const char *user);
int rf_limiter_blocked(rf_server *srv, const char *client, const char *user);
void rf_limiter_clear(rf_server *srv, const char *user);

/* ---- Idempotency-Key (idempotency.c) ------------------------------------------------------ */

#define RF_IDEMPOTENCY_KEY_MAX 255
/* How long an answer is kept for its key. */
#define RF_IDEMPOTENCY_HOURS_TEXT "24"

/* 1 when `key` is 1 to RF_IDEMPOTENCY_KEY_MAX visible ASCII characters. */
int rf_idempotency_key_valid(const char *key);
/* Waits until no other request of this server is answering `key` of `token_id`, then marks
 * it as answered by the caller, until rf_idempotency_release. RF_ENOMEM. */
int rf_idempotency_hold(rf_server *srv, long long token_id, const char *key);
void rf_idempotency_release(rf_server *srv, long long token_id, const char *key);

/* The first answer to a key, as stored. */
typedef struct rf_idempotent_answer {
    char request_sha256[65]; /* of the request it answered */
    unsigned status;
    rf_buf body; /* the caller's to free */
} rf_idempotent_answer;
/* The answer stored for `key` of `token_id` in the last 24 hours; RF_ENOTFOUND when none. */
int rf_idempotency_find(rf_idempotent_answer *out, rf_store *st, long long token_id,
                        const char *key, rf_error *err);
/* Stores the answer (`body` borrowed) to the request whose sha256 is `request_sha256`, and
 * the run it recorded (0: none). */
int rf_idempotency_store(rf_store *st, long long token_id, const char *key,
                         const char *request_sha256, unsigned status, const rf_buf *body,
                         long long run_id, rf_error *err);
/* Forgets the answers older than 24 hours. */
int rf_idempotency_purge(rf_store *st, rf_error *err);

/* ---- handlers --------------------------------------------------------------------------- */

/* /api/v1/... (api.c) */
void rf_api_handle(rf_request *req, rf_response *res);
/* POST /api/v1/screen for `id`, whose scope was checked (screen.c). */
void rf_api_screen(rf_request *req, rf_response *res, const rf_identity *id);
/* everything else: the workbench (pages.c) */
void rf_pages_handle(rf_request *req, rf_response *res);

/* A workbench page being answered: who asks (NULL before sign-in). */
typedef struct rf_page {
    rf_request *req;
    rf_response *res;
    const rf_identity *id;
} rf_page;

void rf_page_text(rf_buf *b, const char *s); /* escaped; NULL as empty */
/* The page's head, navigation and title; rf_page_end closes it. */
void rf_page_begin(rf_page *p, const char *title);
void rf_page_end(rf_page *p);
/* The hidden field with the session's CSRF token, for every form. */
void rf_page_csrf(rf_page *p);
/* Replaces the page with an error page of `status`. */
void rf_page_error(rf_page *p, unsigned status, const char *title, const char *message);
void rf_page_redirect(rf_page *p, const char *to); /* 303 See Other */
/* queue.c: the queue of open alarms, a case, a decision, the runs, the audit export and the
 * list versions. */
void rf_page_queue(rf_page *p);
void rf_page_case(rf_page *p);
void rf_page_decide(rf_page *p);
void rf_page_runs(rf_page *p);
void rf_page_audit(rf_page *p);
void rf_page_audit_csv(rf_page *p);
void rf_page_lists(rf_page *p); /* the list versions, in force and imported */
/* history.c: what changed between two list versions (?old=ID&new=ID), and the audit trail's
 * actions with user and time, appended to the audit page. */
void rf_page_lists_diff(rf_page *p);
void rf_page_audit_trail(rf_page *p);

/* The OpenAPI document (embedded from serve/openapi.json). */
extern const unsigned char rf_openapi_json[];
extern const size_t rf_openapi_json_size;

#endif
