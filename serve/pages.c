/* pages.c: the review workbench's frame and sign-in: the stylesheet, the page layout, the
 * session cookie (HttpOnly, SameSite=Strict, Secure under TLS), the CSRF token every form
 * carries, roles checked on every request, and the routing to the queue and case pages
 * (queue.c). Everything from orders and lists is escaped (rf_html_text). */
#include "serve_internal.h"

#include <sodium.h>
#include <string.h>

/* Sessions last a working day. */
#define SESSION_HOURS 10

static const char STYLE_CSS[] =
    "*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;"
    "background:#f6f7f9}header{background:#1f2937;color:#fff;padding:.5rem 1rem;display:flex;"
    "flex-wrap:wrap;gap:.75rem;align-items:center}header a{color:#fff}header form{margin:0 0 0 "
    "auto}main{padding:1rem;max-width:80rem;margin:auto}table{border-collapse:collapse;width:"
    "100%;background:#fff}th,td{border-bottom:1px solid #d8dde3;padding:.35rem .5rem;text-align:"
    "left;vertical-align:top}th{background:#eef1f4}.grid{display:grid;grid-template-columns:1fr "
    "1fr;gap:1rem}.card{background:#fff;border:1px solid #d8dde3;border-radius:4px;padding:"
    ".75rem}.state-new,.state-changed{color:#a40000;font-weight:600}.state-escalated{color:"
    "#8a5300;font-weight:600}.state-confirmed{color:#5a0070}.age{padding:.4rem .6rem;"
    "border-radius:4px;background:#e7f5ea}.age.old{background:#ffe8b3}.error{background:#fde2e1;"
    "padding:.5rem;border-radius:4px}label{display:block;margin:.3rem 0}input,select,textarea,"
    "button{font:inherit;padding:.3rem}textarea{width:100%}mark{background:#fff1a8}h2{font-size:"
    "1.1rem;margin:1.2rem 0 .4rem}.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:"
    "end;margin:.5rem 0}@media (max-width:600px){.grid{grid-template-columns:1fr}table,tbody{"
    "display:block}thead{display:none}tr{display:flex;flex-wrap:wrap;gap:0 .75rem;border-bottom:"
    "1px solid #d8dde3;padding:.3rem .5rem}td{display:block;border:0;padding:.1rem 0}td:first-"
    "child{flex-basis:100%}td:empty{display:none}td[data-label]::before{content:attr(data-label)"
    " \" \";color:#5b6470;font-size:.85em}.card tr{display:block;padding:.2rem 0}.card th{display:"
    "block;border:0;background:none;padding:0;color:#5b6470;font-size:.85em}}@media print{header,form,.filters{display:none}body{"
    "background:#fff}main{max-width:none}}";

void rf_page_text(rf_buf *b, const char *s)
{
    rf_html_text(b, s, s ? strlen(s) : 0);
}

void rf_page_begin(rf_page *p, const char *title)
{
    rf_buf *b = &p->res->body;
    rf_buf_puts(b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                   "<link rel=\"stylesheet\" href=\"/static/style.css\"><title>");
    rf_page_text(b, title);
    rf_buf_puts(b, " - redflag</title></head><body><header><strong>redflag</strong>");
    if (p->id) {
        rf_buf_puts(b, "<a href=\"/queue\">Queue</a><a href=\"/runs\">Runs</a>"
                       "<a href=\"/lists\">Lists</a><a href=\"/audit\">Audit export</a>");
        if (p->id->role == RF_ROLE_ADMIN) rf_buf_puts(b, "<a href=\"/admin/users\">Users</a>");
        rf_buf_puts(b, "<form method=\"post\" action=\"/logout\">");
        rf_page_csrf(p);
        rf_page_text(b, p->id->name);
        rf_buf_printf(b, " (%s) <button>Sign out</button></form>", rf_role_name(p->id->role));
    }
    rf_buf_puts(b, "</header><main><h1>");
    rf_page_text(b, title);
    rf_buf_puts(b, "</h1>");
}

void rf_page_end(rf_page *p)
{
    rf_buf_puts(&p->res->body, "</main></body></html>\n");
}

void rf_page_csrf(rf_page *p)
{
    rf_buf_printf(&p->res->body, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                  p->id ? p->id->csrf : "");
}

void rf_page_error(rf_page *p, unsigned status, const char *title, const char *message)
{
    rf_buf_reset(&p->res->body);
    p->res->status = status;
    rf_page_begin(p, title);
    rf_buf_puts(&p->res->body, "<p class=\"error\">");
    rf_page_text(&p->res->body, message);
    rf_buf_puts(&p->res->body, "</p>");
    rf_page_end(p);
}

void rf_page_redirect(rf_page *p, const char *to)
{
    p->res->status = 303;
    snprintf(p->res->location, sizeof p->res->location, "%s", to);
}

/* 1 when the form's csrf field is the session's token. */
static int csrf_ok(const rf_page *p, const char *expected)
{
    char sent[80];
    return rf_request_form(p->req, "csrf", sent, sizeof sent) == 0 && strlen(sent) == 64 &&
           strlen(expected) == 64 && sodium_memcmp(sent, expected, 64) == 0;
}

/* ---- sign-in ---------------------------------------------------------------------------- */

/* The sign-in form. Before a session there is no session token: the form's CSRF token is
 * also set as a cookie, and the two must agree (double submit). */
static void login_form(rf_page *p, unsigned status, const char *problem)
{
    const char *earlier = rf_request_cookie(p->req, "rf_login");
    char token[65];
    rf_buf *b = &p->res->body;

    /* A token the browser holds already stays: another tab, or a redirect the browser
     * follows on its own (a favicon), must not make the open form stale. */
    if (earlier && strlen(earlier) == 64 && strspn(earlier, "0123456789abcdef") == 64)
        snprintf(token, sizeof token, "%s", earlier);
    else rf_secret_new(token);
    p->res->status = status;
    snprintf(p->res->set_cookie, sizeof p->res->set_cookie,
             "rf_login=%s; Path=/login; HttpOnly; SameSite=Strict%s", token,
             p->req->srv->tls ? "; Secure" : "");
    rf_page_begin(p, "Sign in");
    if (problem) {
        rf_buf_puts(b, "<p class=\"error\">");
        rf_page_text(b, problem);
        rf_buf_puts(b, "</p>");
    }
    rf_buf_printf(b,
                  "<form method=\"post\" action=\"/login\" class=\"card\">"
                  "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                  "<label>User <input name=\"user\" autocomplete=\"username\" required></label>"
                  "<label>Password <input name=\"password\" type=\"password\""
                  " autocomplete=\"current-password\" required></label>"
                  "<button>Sign in</button></form>",
                  token);
    rf_page_end(p);
}

static void login_post(rf_page *p)
{
    const char *cookie = rf_request_cookie(p->req, "rf_login");
    char user[128], password[1024];
    rf_identity id;
    rf_error err;
    char session[65];
    int rc;

    rf_error_clear(&err);
    if (!cookie || !csrf_ok(p, cookie)) {
        rf_page_error(p, 403, "Forbidden", "The form is stale or was not sent from this site: "
                                           "reload the sign-in page.");
        return;
    }
    if (rf_request_form(p->req, "user", user, sizeof user) != 0 ||
        rf_request_form(p->req, "password", password, sizeof password) != 0) {
        login_form(p, 422, "User and password are both needed.");
        return;
    }
    if (rf_limiter_blocked(p->req->srv, p->req->client, user)) {
        login_form(p, 429, "Too many failed sign-ins: wait 15 minutes and try again.");
        sodium_memzero(password, sizeof password);
        return;
    }
    rc = rf_account_password(&id, p->req->st, user, password, &err);
    sodium_memzero(password, sizeof password);
    if (rc == RF_ENOTFOUND) {
        int blocked = rf_limiter_fail(p->req->srv, p->req->client, user);
        login_form(p, blocked ? 429 : 401,
                   blocked ? "Too many failed sign-ins: wait 15 minutes and try again."
                           : "Wrong user or password.");
        return;
    }
    if (rc || rf_account_session_new(session, &id, p->req->st, SESSION_HOURS, &err) != 0) {
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    rf_limiter_clear(p->req->srv, user);
    snprintf(p->res->set_cookie, sizeof p->res->set_cookie,
             "rf_session=%s; Path=/; HttpOnly; SameSite=Strict%s", session,
             p->req->srv->tls ? "; Secure" : "");
    rf_page_redirect(p, "/queue");
}

static void logout_post(rf_page *p, const char *cookie)
{
    rf_account_session_end(p->req->st, cookie, NULL);
    snprintf(p->res->set_cookie, sizeof p->res->set_cookie,
             "rf_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             p->req->srv->tls ? "; Secure" : "");
    rf_page_redirect(p, "/login");
}

/* ---- admin -------------------------------------------------------------------------------- */

static int user_row(const char *name, const char *role, const char *created_at, long long tokens,
                    void *ctx)
{
    rf_buf *b = ctx;
    rf_buf_puts(b, "<tr><td>");
    rf_page_text(b, name);
    rf_buf_puts(b, "</td><td>");
    rf_page_text(b, role);
    rf_buf_puts(b, "</td><td>");
    rf_page_text(b, created_at);
    rf_buf_printf(b, "</td><td>%lld</td></tr>", tokens);
    return 0;
}

static void admin_users(rf_page *p)
{
    rf_buf *b = &p->res->body;
    rf_error err;
    rf_error_clear(&err);
    rf_page_begin(p, "Users");
    rf_buf_puts(b, "<p>Accounts are added with <code>redflag users add NAME --role ROLE</code>,"
                   " API tokens with <code>redflag users token NAME --scope ...</code>.</p>"
                   "<table><thead><tr><th>User</th><th>Role</th><th>Since</th>"
                   "<th>API tokens</th></tr></thead><tbody>");
    if (rf_users_each(p->req->st, user_row, b, &err) != 0) {
        rf_page_error(p, 500, "Server error", err.message);
        return;
    }
    rf_buf_puts(b, "</tbody></table>");
    rf_page_end(p);
}

/* ---- routing ------------------------------------------------------------------------------ */

void rf_pages_handle(rf_request *req, rf_response *res)
{
    const char *path = req->url, *cookie = rf_request_cookie(req, "rf_session");
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    int post = strcmp(req->method, "POST") == 0;
    rf_page page = {req, res, NULL};
    rf_identity id;
    rf_error err;

    rf_error_clear(&err);
    if (strcmp(path, "/static/style.css") == 0) {
        res->content_type = "text/css; charset=utf-8";
        rf_buf_puts(&res->body, STYLE_CSS);
        return;
    }
    if (strcmp(path, "/favicon.ico") == 0) {
        res->status = 204; /* no icon, and no error in the browser's console */
        return;
    }
    if (strcmp(path, "/login") == 0) {
        if (get) login_form(&page, 200, NULL);
        else if (post) login_post(&page);
        else rf_page_error(&page, 405, "Method not allowed", "Sign in with the form.");
        return;
    }
    if (!cookie || rf_account_session(&id, req->st, cookie, &err) != 0) {
        /* No session, a forged one or an expired one: sign in first. */
        if (get) rf_page_redirect(&page, "/login");
        else rf_page_error(&page, 403, "Forbidden", "Sign in first.");
        return;
    }
    page.id = &id;
    if (post && !csrf_ok(&page, id.csrf)) {
        rf_page_error(&page, 403, "Forbidden",
                      "The form is stale or was not sent from this site (CSRF token missing or"
                      " wrong): reload the page and try again.");
        return;
    }
    if (post && strcmp(path, "/logout") == 0) {
        logout_post(&page, cookie);
        return;
    }
    if (strncmp(path, "/admin/", 7) == 0 && id.role != RF_ROLE_ADMIN) {
        rf_page_error(&page, 403, "Forbidden", "This page is for administrators.");
        return;
    }
    if (get && strcmp(path, "/") == 0) rf_page_redirect(&page, "/queue");
    else if (get && strcmp(path, "/admin/users") == 0) admin_users(&page);
    else if (get && strcmp(path, "/queue") == 0) rf_page_queue(&page);
    else if (get && strcmp(path, "/case") == 0) rf_page_case(&page);
    else if (post && strcmp(path, "/case/decide") == 0) rf_page_decide(&page);
    else if (get && strcmp(path, "/runs") == 0) rf_page_runs(&page);
    else if (get && strcmp(path, "/lists") == 0) rf_page_lists(&page);
    else if (get && strcmp(path, "/lists/diff") == 0) rf_page_lists_diff(&page);
    else if (get && strcmp(path, "/audit") == 0) rf_page_audit(&page);
    else if (get && strcmp(path, "/audit/decisions.csv") == 0) rf_page_audit_csv(&page);
    else rf_page_error(&page, 404, "Not found", "There is no such page.");
}
