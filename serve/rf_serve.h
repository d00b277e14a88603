/* rf_serve.h: `redflag serve`, the review workbench and the screening API over HTTP
 * (libmicrohttpd), and the accounts it signs people and programs in with (libsodium: argon2id
 * password hashes, random tokens stored as hashes). The accounts live in the list database,
 * next to the audit trail they sign decisions into. */
#ifndef RF_SERVE_H
#define RF_SERVE_H

#include "audit/rf_audit.h"

/* ---- accounts -------------------------------------------------------------------------- */

/* What a user of the workbench may do: a reviewer decides, an approver also clears what
 * someone confirmed or escalated (when four eyes are asked for), an admin also manages
 * accounts. */
typedef enum rf_role { RF_ROLE_REVIEWER = 1, RF_ROLE_APPROVER, RF_ROLE_ADMIN } rf_role;

const char *rf_role_name(rf_role role); /* "reviewer", "approver", "admin" */
int rf_role_parse(rf_role *out, const char *s); /* RF_EUSAGE for anything else */

/* What an API token may do, as bits. */
enum { RF_SCOPE_SCREEN = 1, RF_SCOPE_REVIEW = 2, RF_SCOPE_ADMIN = 4 };
/* Parses "screen,review,admin" (any subset, comma-separated); RF_EUSAGE naming a bad word. */
int rf_scopes_parse(unsigned *out, const char *s, rf_error *err);

/* Readies libsodium; call once before the other functions of this header. */
int rf_serve_init(rf_error *err);

/* Adds user `name` with `role` and `password` (hashed with argon2id; at least 10 bytes).
 * RF_EUSAGE when the name is taken or empty, the password too short. */
int rf_user_add(rf_store *st, const char *name, rf_role role, const char *password,
                rf_error *err);

/* The length of an API token: "rf_" and 64 hex digits. */
#define RF_TOKEN_LEN 67
/* Creates an API token for user `name` with `scopes` (RF_SCOPE_ bits) into `out`: shown
 * once, only its hash is stored. RF_ENOTFOUND when there is no such user. */
int rf_token_create(char out[RF_TOKEN_LEN + 1], rf_store *st, const char *name, unsigned scopes,
                    rf_error *err);

/* Calls fn with each user, by name: role, when added, how many tokens it has. */
int rf_users_each(rf_store *st,
                  int (*fn)(const char *name, const char *role, const char *created_at,
                            long long tokens, void *ctx),
                  void *ctx, rf_error *err);

/* ---- the server ------------------------------------------------------------------------ */

typedef struct rf_serve_options {
    const char *db_path;   /* the list database (must exist) */
    const char *listen;    /* "ADDR:PORT" (IPv4 or [IPv6]); NULL: 127.0.0.1:8080; port 0 picks one */
    int threads;           /* requests handled at once; 0: three per processor */
    const char *tls_cert;  /* PEM files; both or neither */
    const char *tls_key;
    int four_eyes;         /* clearing a confirmed or escalated hit needs an approver */
    size_t max_body;       /* request body cap in bytes; 0: 8 MiB */
    unsigned timeout;      /* seconds an idle connection is kept; 0: 30 */
    const char *ownership_rules; /* the ownership rules table (docs/ownership.md) applied to
                                  * the lists screened against; NULL: the one built in */
} rf_serve_options;

typedef struct rf_server rf_server;

/* Opens the database, loads the lists in force and starts listening. */
int rf_server_start(rf_server **out, const rf_serve_options *opts, rf_error *err);
/* The port listened on (the one picked when the options said 0). */
unsigned rf_server_port(const rf_server *srv);
/* Stops taking connections, lets the requests in flight finish (at most `grace` seconds),
 * then stops and frees the server; NULL is a no-op. */
void rf_server_stop(rf_server *srv, unsigned grace);

#endif
