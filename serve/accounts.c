/* accounts.c: users, API tokens and web sessions in the list database (schema 7). Passwords
 * are kept as argon2id hashes (crypto_pwhash_str); tokens and session ids are 32 random bytes
 * shown once and kept as their BLAKE2b hash (crypto_generichash), which is enough for a
 * secret that is not guessable, and cheap enough to check on every request. */
#include "serve_internal.h"

#include <sodium.h>
#include <string.h>

static const char *const ROLE_NAMES[] = {NULL, "reviewer", "approver", "admin"};
static const char *const SCOPE_NAMES[] = {"screen", "review", "admin"};

const char *rf_role_name(rf_role role)
{
    return role >= RF_ROLE_REVIEWER && role <= RF_ROLE_ADMIN ? ROLE_NAMES[role] : "?";
}

int rf_role_parse(rf_role *out, const char *s)
{
    for (int r = RF_ROLE_REVIEWER; r <= RF_ROLE_ADMIN; r++)
        if (s && strcmp(s, ROLE_NAMES[r]) == 0) {
            *out = (rf_role)r;
            return RF_OK;
        }
    return RF_EUSAGE;
}

int rf_scopes_parse(unsigned *out, const char *s, rf_error *err)
{
    *out = 0;
    while (s && *s) {
        size_t len = strcspn(s, ",");
        unsigned bit = 0;
        for (unsigned i = 0; i < 3; i++)
            if (strlen(SCOPE_NAMES[i]) == len && strncmp(s, SCOPE_NAMES[i], len) == 0)
                bit = 1u << i;
        if (!bit)
            return rf_error_set(err, RF_EUSAGE, NULL, 0,
                                "scopes are screen, review and admin, not '%.*s'", (int)len, s);
        *out |= bit;
        s += len;
        if (*s == ',') s++;
    }
    return *out ? RF_OK : rf_error_set(err, RF_EUSAGE, NULL, 0, "a token needs a scope");
}

void rf_scopes_text(char out[32], unsigned scopes)
{
    out[0] = '\0';
    for (unsigned i = 0; i < 3; i++)
        if (scopes & (1u << i)) {
            if (out[0]) strcat(out, ",");
            strcat(out, SCOPE_NAMES[i]);
        }
}

int rf_serve_init(rf_error *err)
{
    if (sodium_init() < 0)
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "libsodium could not be initialised");
    return RF_OK;
}

void rf_secret_new(char out[65])
{
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(out, 65, bytes, sizeof bytes);
}

/* The stored form of a token or session id: the hex of its BLAKE2b hash. */
static void secret_hash(char out[65], const char *secret)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int rf_user_add(rf_store *st, const char *name, rf_role role, const char *password,
                rf_error *err)
{
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!name || !*name || strlen(name) > 64 || !rf_utf8_valid(name, strlen(name), NULL))
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "a user name is 1 to 64 bytes of UTF-8");
    if (!password || strlen(password) < 10)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "a password has at least 10 characters");
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return rf_error_set(err, RF_ENOMEM, NULL, 0, "out of memory hashing the password");
    if ((rc = rf_store__prepare(&stmt, st,
                               "INSERT INTO app_user (name, role, password_hash, created_at)"
                               " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, name);
    rf_store__bind_text(stmt, 2, rf_role_name(role));
    rf_store__bind_text(stmt, 3, hash);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return rf_error_set(err, RF_EUSAGE, NULL, 0, "there is a user '%s' already", name);
    if (rc != SQLITE_DONE) return rf_store__db_error(err, st, "cannot add the user");
    return RF_OK;
}

/* The id of user `name`; RF_ENOTFOUND if none. */
static int user_id(long long *out, rf_store *st, const char *name, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = rf_store__prepare(&stmt, st, "SELECT id FROM app_user WHERE name = ?1", err);
    if (rc) return rc;
    rf_store__bind_text(stmt, 1, name);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW) return RF_OK;
    if (rc == SQLITE_DONE) return rf_error_set(err, RF_ENOTFOUND, NULL, 0, "no user '%s'", name);
    return rf_store__db_error(err, st, "cannot read the users");
}

int rf_token_create(char out[RF_TOKEN_LEN + 1], rf_store *st, const char *name, unsigned scopes,
                    rf_error *err)
{
    char secret[65], hash[65], text[32];
    sqlite3_stmt *stmt = NULL;
    long long uid = 0;
    int rc;

    out[0] = '\0';
    if ((rc = user_id(&uid, st, name, err)) != 0) return rc;
    rf_secret_new(secret);
    snprintf(out, RF_TOKEN_LEN + 1, "rf_%s", secret);
    secret_hash(hash, out);
    rf_scopes_text(text, scopes);
    if ((rc = rf_store__prepare(&stmt, st,
                               "INSERT INTO api_token (user_id, token_hash, scopes, created_at)"
                               " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                               err)) != 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, uid);
    rf_store__bind_text(stmt, 2, hash);
    rf_store__bind_text(stmt, 3, text);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        out[0] = '\0';
        return rf_store__db_error(err, st, "cannot store the token");
    }
    return RF_OK;
}

/* Fills `out` from a row (user id, name, role, then the column at `extra`, read by the
 * caller). */
static void identity_from_row(rf_identity *out, sqlite3_stmt *stmt)
{
    memset(out, 0, sizeof *out);
    out->user_id = sqlite3_column_int64(stmt, 0);
    snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(stmt, 1));
    if (rf_role_parse(&out->role, (const char *)sqlite3_column_text(stmt, 2)) != 0)
        out->role = RF_ROLE_REVIEWER;
}

/* Runs a one-row lookup of `secret`'s hash; RF_ENOTFOUND when no row. */
static int lookup(rf_identity *out, rf_store *st, const char *sql, const char *secret,
                  int (*more)(rf_identity *out, sqlite3_stmt *stmt), rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char hash[65];
    int rc;

    secret_hash(hash, secret);
    if ((rc = rf_store__prepare_cached(&stmt, st, sql, err)) != 0) return rc;
    rf_store__bind_text(stmt, 1, hash);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        identity_from_row(out, stmt);
        rc = more(out, stmt);
    } else if (rc == SQLITE_DONE) {
        rc = RF_ENOTFOUND;
    } else {
        rc = rf_store__db_error(err, st, "cannot read the accounts");
    }
    rf_store__release(st, stmt);
    return rc;
}

static int token_columns(rf_identity *out, sqlite3_stmt *stmt)
{
    out->token_id = sqlite3_column_int64(stmt, 3);
    return rf_scopes_parse(&out->scopes, (const char *)sqlite3_column_text(stmt, 4), NULL) == 0
               ? RF_OK
               : RF_ENOTFOUND;
}

int rf_account_token(rf_identity *out, rf_store *st, const char *token, rf_error *err)
{
    if (strlen(token) != RF_TOKEN_LEN) return RF_ENOTFOUND;
    return lookup(out, st,
                  "SELECT u.id, u.name, u.role, t.id, t.scopes FROM api_token t JOIN app_user u"
                  " ON u.id = t.user_id WHERE t.token_hash = ?1 AND t.revoked_at IS NULL",
                  token, token_columns, err);
}

static int session_columns(rf_identity *out, sqlite3_stmt *stmt)
{
    snprintf(out->csrf, sizeof out->csrf, "%s", (const char *)sqlite3_column_text(stmt, 3));
    return RF_OK;
}

int rf_account_session(rf_identity *out, rf_store *st, const char *cookie, rf_error *err)
{
    if (strlen(cookie) != 64) return RF_ENOTFOUND;
    return lookup(out, st,
                  "SELECT u.id, u.name, u.role, s.csrf FROM web_session s JOIN app_user u"
                  " ON u.id = s.user_id WHERE s.token_hash = ?1"
                  " AND s.expires_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                  cookie, session_columns, err);
}

int rf_account_password(rf_identity *out, rf_store *st, const char *name, const char *password,
                        rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT id, name, role, password_hash FROM app_user"
                               " WHERE name = ?1",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, name);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *hash = (const char *)sqlite3_column_text(stmt, 3);
        identity_from_row(out, stmt);
        rc = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? RF_OK
                                                                             : RF_ENOTFOUND;
    } else {
        rc = rc == SQLITE_DONE ? RF_ENOTFOUND
                               : rf_store__db_error(err, st, "cannot read the accounts");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int rf_account_session_new(char cookie[65], rf_identity *id, rf_store *st, unsigned hours,
                           rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char hash[65];
    int rc;

    rf_secret_new(cookie);
    rf_secret_new(id->csrf);
    secret_hash(hash, cookie);
    if ((rc = rf_store__prepare(&stmt, st,
                               "INSERT INTO web_session (token_hash, user_id, csrf, created_at,"
                               " expires_at) VALUES (?1, ?2, ?3,"
                               " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
                               " strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?4))",
                               err)) != 0)
        return rc;
    {
        char span[32];
        snprintf(span, sizeof span, "+%u hours", hours);
        rf_store__bind_text(stmt, 1, hash);
        sqlite3_bind_int64(stmt, 2, id->user_id);
        rf_store__bind_text(stmt, 3, id->csrf);
        sqlite3_bind_text(stmt, 4, span, -1, SQLITE_TRANSIENT);
    }
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? RF_OK : rf_store__db_error(err, st, "cannot start a session");
}

int rf_account_session_end(rf_store *st, const char *cookie, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char hash[65];
    int rc;

    secret_hash(hash, cookie);
    if ((rc = rf_store__prepare(&stmt, st,
                               "DELETE FROM web_session WHERE token_hash = ?1"
                               " OR expires_at <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                               err)) != 0)
        return rc;
    rf_store__bind_text(stmt, 1, hash);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? RF_OK : rf_store__db_error(err, st, "cannot end the session");
}

int rf_users_each(rf_store *st,
                  int (*fn)(const char *name, const char *role, const char *created_at,
                            long long tokens, void *ctx),
                  void *ctx, rf_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if ((rc = rf_store__prepare(&stmt, st,
                               "SELECT u.name, u.role, u.created_at, (SELECT count(*) FROM"
                               " api_token t WHERE t.user_id = u.id AND t.revoked_at IS NULL)"
                               " FROM app_user u ORDER BY u.name",
                               err)) != 0)
        return rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (fn((const char *)sqlite3_column_text(stmt, 0),
               (const char *)sqlite3_column_text(stmt, 1),
               (const char *)sqlite3_column_text(stmt, 2), sqlite3_column_int64(stmt, 3), ctx)) {
            sqlite3_finalize(stmt);
            return RF_ECANCEL;
        }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? RF_OK : rf_store__db_error(err, st, "cannot read the users");
}
