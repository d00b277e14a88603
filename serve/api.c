/* api.c: the screening API under /api/v1 for ERP systems: bearer tokens with scopes, JSON
 * answers, JSON errors whose status says what went wrong (400 an order that cannot be read,
 * 401 no or bad token, 403 scope missing, 404 no such thing, 405 wrong method, 415 a body
 * that is no order, 422 a parameter that makes no sense). POST /api/v1/screen is in
 * screen.c. The OpenAPI document describing it is serve/openapi.json, served as it is. */
#include "serve_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The caller's token, checked against the scope the endpoint needs; answers 401/403 itself
 * and returns -1 when the request may not go on. */
static int authorize(rf_identity *id, rf_request *req, rf_response *res, unsigned scope)
{
    const char *auth = rf_request_header(req, "Authorization");
    rf_error err;
    int rc;

    rf_error_clear(&err);
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
        res->www_authenticate = 1;
        rf_respond_json_error(res, 401, "an API token is required: Authorization: Bearer TOKEN");
        return -1;
    }
    rc = rf_account_token(id, req->st, auth + 7, &err);
    if (rc == RF_ENOTFOUND) {
        res->www_authenticate = 1;
        rf_respond_json_error(res, 401, "the API token is not valid (unknown or revoked)");
        return -1;
    }
    if (rc) {
        rf_respond_json_error(res, 500, "%s", err.message);
        return -1;
    }
    if (!(id->scopes & scope)) {
        char need[32];
        rf_scopes_text(need, scope);
        rf_respond_json_error(res, 403, "this token lacks the scope '%s'", need);
        return -1;
    }
    return 0;
}

static void today(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static void json_field(rf_buf *b, const char *key, const char *value, int comma)
{
    if (comma) rf_buf_putc(b, ',');
    rf_json_string(b, key);
    rf_buf_putc(b, ':');
    if (value) rf_json_string(b, value);
    else rf_buf_puts(b, "null");
}

/* One list version as the API shows it, with its age today. */
static void version_json(rf_buf *b, const rf_version *v, const char *date)
{
    rf_version_age age;
    rf_buf_printf(b, "{\"id\":%lld", v->id);
    json_field(b, "feed", v->feed, 1);
    json_field(b, "format", v->format, 1);
    json_field(b, "sha256", v->sha256, 1);
    json_field(b, "published", v->published, 1);
    json_field(b, "imported_at", v->imported_at, 1);
    rf_buf_printf(b, ",\"entities\":%lld", v->entities);
    if (rf_version_age_on(&age, v, date, NULL) == 0)
        rf_buf_printf(b, ",\"age_days\":%ld,\"stale\":%s", age.days,
                      age.days > RF_DEFAULT_MAX_LIST_AGE ? "true" : "false");
    rf_buf_putc(b, '}');
}

/* GET /api/v1/lists: the versions in force, their age, and those the server screens with. */
static void get_lists(rf_request *req, rf_response *res)
{
    rf_version_list in_force = {0};
    const rf_version_list *loaded = rf_snapshot_versions(req->lists->snap);
    char date[11];
    rf_error err;

    rf_error_clear(&err);
    today(date);
    if (rf_store_versions_in_force(&in_force, req->st, NULL, &err) != 0) {
        rf_respond_json_error(res, 500, "%s", err.message);
        return;
    }
    rf_buf_printf(&res->body, "{\"date\":\"%s\",\"max_age_days\":%d,\"in_force\":[", date,
                  RF_DEFAULT_MAX_LIST_AGE);
    for (size_t i = 0; i < in_force.count; i++) {
        if (i) rf_buf_putc(&res->body, ',');
        version_json(&res->body, &in_force.items[i], date);
    }
    rf_buf_puts(&res->body, "],\"screening_with\":[");
    for (size_t i = 0; loaded && i < loaded->count; i++)
        rf_buf_printf(&res->body, "%s%lld", i ? "," : "", loaded->items[i].id);
    rf_buf_puts(&res->body, "]}\n");
    rf_version_list_free(&in_force);
}

/* GET /api/v1/search?name=...[&country=CC][&threshold=X][&max_hits=N]: the name as one party
 * object of JSON lines, written by the JSON lines report writer. */
static void get_search(rf_request *req, rf_response *res)
{
    const char *name = rf_request_arg(req, "name"), *country = rf_request_arg(req, "country");
    const char *threshold = rf_request_arg(req, "threshold"), *max = rf_request_arg(req, "max_hits");
    rf_match_options opts = {0};
    rf_report_context ctx = {0};
    rf_report *rep = NULL;
    rf_result *result = NULL;
    rf_party party;
    char *text = NULL, now[32];
    size_t len = 0;
    FILE *mem = NULL;
    rf_error err;

    rf_error_clear(&err);
    if (!name || !*name || strlen(name) > 1024 || !rf_utf8_valid(name, strlen(name), NULL)) {
        rf_respond_json_error(res, 422, "name is required: 1 to 1024 bytes of UTF-8");
        return;
    }
    if (country && (strlen(country) != 2)) {
        rf_respond_json_error(res, 422, "country is a two-letter ISO 3166 code");
        return;
    }
    if (threshold) {
        char *end;
        opts.threshold = strtod(threshold, &end);
        if (*end || !(opts.threshold > 0 && opts.threshold <= 1)) {
            rf_respond_json_error(res, 422, "threshold is a number in (0, 1]");
            return;
        }
    }
    if (max) {
        char *end;
        long n = strtol(max, &end, 10);
        if (*end || n < 1 || n > 1000) {
            rf_respond_json_error(res, 422, "max_hits is a whole number from 1 to 1000");
            return;
        }
        opts.max_hits = (int)n;
    }
    memset(&party, 0, sizeof party);
    party.name = name;
    party.country = country;
    party.document = "(api)";
    party.role = "query";
    {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    ctx.versions = rf_snapshot_versions(req->lists->snap);
    ctx.threshold = opts.threshold > 0 ? opts.threshold : 0.80;
    ctx.as_of = NULL;
    ctx.generated_at = now;
    ctx.tool_version = RF_VERSION;
    mem = open_memstream(&text, &len);
    if (!mem || rf_result_new(&result) != 0 ||
        rf_matcher_screen(result, req->lists->matcher, &party, &opts, &err) != 0 ||
        rf_report_open(&rep, RF_REPORT_JSONL, mem, &ctx, &err) != 0 ||
        rf_report_add(rep, &party, result, &err) != 0 || rf_report_close(rep, &err) != 0) {
        if (!rep && !err.message[0]) snprintf(err.message, sizeof err.message, "out of memory");
        rf_respond_json_error(res, 500, "%s", err.message);
    } else {
        rep = NULL;
        fflush(mem);
        rf_buf_append(&res->body, text, len);
    }
    if (rep) rf_report_close(rep, NULL);
    rf_result_free(result);
    if (mem) fclose(mem);
    free(text);
}

static void totals_json(rf_buf *b, const rf_run_totals *t)
{
    rf_buf_printf(b,
                  ",\"parties\":%lld,\"flagged\":%lld,\"new_alarms\":%lld,\"known_alarms\":%lld,"
                  "\"cleared\":%lld,\"exit_status\":%d",
                  t->parties, t->flagged, t->new_alarms, t->known_alarms, t->cleared,
                  t->exit_status);
}

/* GET /api/v1/runs/{id}: a recorded run, its totals and the versions it screened against. */
static void get_run(rf_request *req, rf_response *res, const char *id_text)
{
    rf_run_list runs = {0};
    rf_version_list versions = {0};
    char *end, date[11];
    long long id = strtoll(id_text, &end, 10);
    rf_error err;
    int rc;

    rf_error_clear(&err);
    if (*end || id <= 0) {
        rf_respond_json_error(res, 404, "no run '%s': run ids are whole numbers", id_text);
        return;
    }
    rc = rf_store_runs(&runs, req->st, id, NULL, NULL, &err);
    if (rc == RF_ENOTFOUND || (rc == 0 && runs.count == 0)) {
        rf_respond_json_error(res, 404, "no run %lld", id);
        goto cleanup;
    }
    if (rc || (rc = rf_store_run_versions(&versions, req->st, id, &err)) != 0) {
        rf_respond_json_error(res, 500, "%s", err.message);
        goto cleanup;
    }
    {
        const rf_run_record *r = &runs.items[0];
        rf_buf *b = &res->body;
        rf_buf_printf(b, "{\"id\":%lld", r->id);
        json_field(b, "command", r->command, 1);
        json_field(b, "user", r->user, 1);
        json_field(b, "status", r->status, 1);
        json_field(b, "started_at", r->started_at, 1);
        json_field(b, "finished_at", r->finished_at, 1);
        json_field(b, "as_of", r->as_of, 1);
        rf_buf_printf(b, ",\"threshold\":%.2f,\"inputs\":%d", r->threshold, r->inputs);
        totals_json(b, &r->totals);
        rf_buf_puts(b, ",\"versions\":[");
        today(date);
        for (size_t i = 0; i < versions.count; i++) {
            if (i) rf_buf_putc(b, ',');
            version_json(b, &versions.items[i], date);
        }
        rf_buf_puts(b, "]}\n");
    }
cleanup:
    rf_run_list_free(&runs);
    rf_version_list_free(&versions);
}

void rf_api_handle(rf_request *req, rf_response *res)
{
    const char *path = req->url;
    int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    rf_identity id;

    res->content_type = "application/json";
    if (strcmp(path, "/api/v1/openapi.json") == 0) {
        if (!get) goto method;
        rf_buf_append(&res->body, rf_openapi_json, rf_openapi_json_size);
        return;
    }
    if (strcmp(path, "/api/v1/lists") == 0) {
        if (!get) goto method;
        if (authorize(&id, req, res, RF_SCOPE_SCREEN | RF_SCOPE_REVIEW | RF_SCOPE_ADMIN) == 0)
            get_lists(req, res);
        return;
    }
    if (strcmp(path, "/api/v1/search") == 0) {
        if (!get) goto method;
        if (authorize(&id, req, res, RF_SCOPE_SCREEN | RF_SCOPE_REVIEW) == 0) get_search(req, res);
        return;
    }
    if (strcmp(path, "/api/v1/screen") == 0) {
        if (strcmp(req->method, "POST") != 0) {
            snprintf(res->allow, sizeof res->allow, "POST");
            rf_respond_json_error(res, 405, "%s takes POST", path);
            return;
        }
        if (authorize(&id, req, res, RF_SCOPE_SCREEN) == 0) rf_api_screen(req, res, &id);
        return;
    }
    if (strncmp(path, "/api/v1/runs/", 13) == 0) {
        if (!get) goto method;
        if (authorize(&id, req, res, RF_SCOPE_SCREEN | RF_SCOPE_REVIEW | RF_SCOPE_ADMIN) == 0)
            get_run(req, res, path + 13);
        return;
    }
    rf_respond_json_error(res, 404, "no endpoint %s; see /api/v1/openapi.json", path);
    return;
method:
    snprintf(res->allow, sizeof res->allow, "GET, HEAD");
    rf_respond_json_error(res, 405, "%s takes GET", path);
}
