/* screen.c: POST /api/v1/screen, an order screened as `redflag screen` screens a file: the body
 * is an order document in any format the command reads (told from its content) or JSON
 * parties, screened in a session of the library over the lists the server has loaded
 * (rf_session_options.lists: no index is built per request), recorded as a run of the audit
 * trail under the token's user, and answered with the run, its verdict and every party as the
 * JSON lines report writes it. The run is written in one transaction when the order is
 * screened, together with the answer kept for its Idempotency-Key: a retry carrying the same
 * key gets the first answer again (idempotency.c), and a request that fails leaves neither. */
#include "serve_internal.h"

#include "importers/rf_importers.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Caps on JSON parties: far above an order, well below what would hold a worker long. */
#define MAX_JSON_PARTIES 10000
#define MAX_JSON_FIELD 4096
/* The document's name in the report and the run when the request does not give one. */
#define DEFAULT_DOCUMENT "request"
#define MAX_DOCUMENT_NAME 200

/* What the body holds, by its Content-Type. */
typedef enum body_kind { BODY_DOCUMENT, BODY_PARTIES, BODY_UNSUPPORTED } body_kind;

static body_kind body_kind_of(const char *type)
{
    /* Order documents, told apart by content whatever the type says of them. */
    static const char *const documents[] = {
        "text/csv", "text/plain", "text/tab-separated-values", "application/xml", "text/xml",
        "application/edi-x12", "application/edifact", "application/octet-stream",
        "application/gzip", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    size_t len;

    if (!type || !*type) return BODY_DOCUMENT;
    len = strcspn(type, "; \t");
    if (len == 16 && strncasecmp(type, "application/json", 16) == 0) return BODY_PARTIES;
    for (size_t i = 0; i < sizeof documents / sizeof *documents; i++)
        if (strlen(documents[i]) == len && strncasecmp(type, documents[i], len) == 0)
            return BODY_DOCUMENT;
    /* application/ubl+xml and the like */
    if (len > 16 && strncasecmp(type, "application/", 12) == 0 &&
        strncasecmp(type + len - 4, "+xml", 4) == 0)
        return BODY_DOCUMENT;
    return BODY_UNSUPPORTED;
}

/* ---- JSON parties ------------------------------------------------------------------------ */

/* The string member `key` of party `i` into *out (NULL when missing or null); -1 with the
 * problem in `err` when it is not a string of at most MAX_JSON_FIELD bytes. */
static int party_field(const char **out, json_t *party, const char *key, size_t i,
                       const char *name, rf_error *err)
{
    json_t *v = json_object_get(party, key);
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v) || json_string_length(v) > MAX_JSON_FIELD ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        rf_error_set(err, RF_EFORMAT, name, (long)i + 1,
                     "parties[%zu].%s is not a string of at most %d bytes without NUL", i, key,
                     MAX_JSON_FIELD);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* The members a party of the JSON body may have. */
static const char *const party_members[] = {"name", "country", "address", "city", "role", "ref",
                                            "date"};

/* A member of party `i` this API does not read ("contry"): refused, since what it held would
 * otherwise be dropped without a word (a destination unchecked). -1 with `err` set. */
static int unknown_member(json_t *party, size_t i, const char *name, rf_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(party, key, value) {
        size_t k = 0;
        (void)value;
        while (k < sizeof party_members / sizeof *party_members &&
               strcmp(key, party_members[k]) != 0)
            k++;
        if (k == sizeof party_members / sizeof *party_members) {
            rf_error_set(err, RF_EFORMAT, name, (long)i + 1,
                         "parties[%zu] has a member \"%.64s\" that is not read (a party has name, "
                         "country, address, city, role, ref, date)",
                         i, key);
            return -1;
        }
    }
    return 0;
}

/* Reads {"parties": [{"name", "country", "address", "city", "role", "ref", "date"}, ...]} and
 * screens each party in turn (party i is line i + 1 of document `name`), as a reader of an
 * order document would hand them over: malformed JSON fails with its line and column, a
 * party without a name or with a member it does not read with its position. */
static int read_parties(const rf_buf *body, const char *name, rf_session *s, rf_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(body->data, body->len, JSON_REJECT_DUPLICATES, &jerr), *parties;
    int rc = RF_OK;

    if (!root)
        return rf_error_set(err, RF_EFORMAT, name, jerr.line,
                            "malformed JSON at column %d: %s", jerr.column, jerr.text);
    parties = json_object_get(root, "parties");
    if (!json_is_object(root) || !json_is_array(parties) || json_array_size(parties) == 0 ||
        json_array_size(parties) > MAX_JSON_PARTIES) {
        rc = rf_error_set(err, RF_EFORMAT, name, 0,
                          "the JSON body is an object {\"parties\": [...]} with 1 to %d parties",
                          MAX_JSON_PARTIES);
        goto cleanup;
    }
    for (size_t i = 0; i < json_array_size(parties); i++) {
        json_t *o = json_array_get(parties, i);
        const char *country;
        char code[3];
        rf_party p;

        memset(&p, 0, sizeof p);
        p.document = name;
        p.line = (long)i + 1;
        p.format = "json";
        if (!json_is_object(o)) {
            rc = rf_error_set(err, RF_EFORMAT, name, p.line, "parties[%zu] is not an object", i);
            goto cleanup;
        }
        if (unknown_member(o, i, name, err) || party_field(&p.name, o, "name", i, name, err) ||
            party_field(&country, o, "country", i, name, err) ||
            party_field(&p.address, o, "address", i, name, err) ||
            party_field(&p.city, o, "city", i, name, err) ||
            party_field(&p.role, o, "role", i, name, err) ||
            party_field(&p.ref, o, "ref", i, name, err) ||
            party_field(&p.date, o, "date", i, name, err)) {
            rc = RF_EFORMAT;
            goto cleanup;
        }
        if (!p.name || !*p.name) {
            rc = rf_error_set(err, RF_EFORMAT, name, p.line, "parties[%zu] has no name", i);
            goto cleanup;
        }
        /* "cn" is CN, as the CSV reader takes a country code */
        if (country && strlen(country) == 2) {
            code[0] = (char)(country[0] >= 'a' && country[0] <= 'z' ? country[0] - 32 : country[0]);
            code[1] = (char)(country[1] >= 'a' && country[1] <= 'z' ? country[1] - 32 : country[1]);
            code[2] = '\0';
            country = code;
        }
        p.country = country;
        if (!p.role) p.role = "party";
        if ((rc = rf_session_screen(&p, s)) != 0) goto cleanup; /* the session keeps why */
    }

cleanup:
    json_decref(root);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

/* A warning of the order reader (a column of names not read): in the report. */
typedef struct warnings {
    rf_report *report;
    rf_error failed;
} warnings;

static void on_warning(const char *file, long line, const char *message, void *ctx)
{
    warnings *w = ctx;
    if (!w->failed.code) rf_report_add_warning(w->report, file, line, message, &w->failed);
}

/* The column a reader's message names ("... at column 21: ..."), or 0. */
static long message_column(const char *message)
{
    const char *at = strstr(message, "column ");
    return at ? strtol(at + 7, NULL, 10) : 0;
}

/* 400: the order could not be read, where the reader says, and the run that recorded it. */
static void order_error(rf_response *res, const rf_error *failure, long long run_id)
{
    rf_buf *b = &res->body;
    long column = message_column(failure->message);
    char message[1600]; /* file, line and message whole */

    if (failure->line > 0)
        snprintf(message, sizeof message, "%s:%ld: %s", failure->file, failure->line,
                 failure->message);
    else
        snprintf(message, sizeof message, "%s: %s", failure->file, failure->message);
    res->status = 400;
    res->content_type = "application/json";
    rf_buf_reset(b);
    rf_buf_puts(b, "{\"error\":{\"status\":400,\"message\":");
    rf_json_string(b, message);
    rf_buf_puts(b, ",\"document\":");
    rf_json_string(b, failure->file);
    if (failure->line > 0) rf_buf_printf(b, ",\"line\":%ld", failure->line);
    if (column > 0) rf_buf_printf(b, ",\"column\":%ld", column);
    if (run_id) rf_buf_printf(b, ",\"run_id\":%lld", run_id);
    rf_buf_puts(b, "}}\n");
}

/* The answer: the run, its verdict and totals, and the report's lines split into parties
 * and warnings. */
static void answer(rf_response *res, const rf_session_totals *t, const char *name,
                   const char *lines, size_t len)
{
    rf_buf *b = &res->body;
    int warning_pass;

    rf_buf_printf(b, "{\"run_id\":%lld,\"verdict\":\"%s\",\"exit_status\":%d,\"document\":",
                  t->run_id, rf_verdict_name(t->verdict), t->run.exit_status);
    rf_json_string(b, name);
    rf_buf_printf(b,
                  ",\"totals\":{\"parties\":%lld,\"flagged\":%lld,\"new_alarms\":%lld,"
                  "\"known_alarms\":%lld,\"cleared\":%lld,\"to_review\":%lld,\"embargoed\":%ld}",
                  t->run.parties, t->run.flagged, t->run.new_alarms, t->run.known_alarms,
                  t->run.cleared, t->run.to_review, t->embargoed);
    for (warning_pass = 0; warning_pass < 2; warning_pass++) {
        const char *p = lines, *end = lines + len;
        int first = 1;
        rf_buf_puts(b, warning_pass ? "],\"warnings\":[" : ",\"parties\":[");
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p)), *stop = nl ? nl : end;
            int is_warning = strncmp(p, "{\"warning\":", 11) == 0;
            if (stop > p && is_warning == warning_pass) {
                if (!first) rf_buf_putc(b, ',');
                rf_buf_append(b, p, (size_t)(stop - p));
                first = 0;
            }
            p = stop + 1;
        }
    }
    rf_buf_puts(b, "]}\n");
}

/* What the answer is made of once the run is recorded, and the Idempotency-Key it is kept
 * under (key NULL: none). */
typedef struct outcome {
    rf_response *res;
    const char *name;
    const char *lines; /* the JSON lines report */
    size_t len;
    const rf_error *failure; /* the order could not be read: why; NULL: it was */
    rf_session_totals totals;
    long long token_id;
    const char *key, *request_sha256;
    int answered;
    rf_idempotent_answer first; /* the key was answered meanwhile (another server): its answer */
} outcome;

/* The answer to the order, 200 or 400, naming run `run_id` (0: not recorded). */
static void answer_order(outcome *o, long long run_id)
{
    o->totals.run_id = run_id;
    o->answered = 1;
    if (!o->failure) answer(o->res, &o->totals, o->name, o->lines, o->len);
    else order_error(o->res, o->failure, run_id);
}

/* rf_session_options.on_record: in the transaction that records the run, the answer is
 * made, and kept under its Idempotency-Key: the run and the key are committed together, so
 * that a retry finds either both (and gets this answer) or neither (and is screened). The
 * transaction holds the database's write lock: a key another server answered while this one
 * screened is in it now, and the run is given up (rolled back) for that first answer. */
static int on_record(rf_store *st, long long run_id, rf_error *err, void *ctx)
{
    outcome *o = ctx;
    int rc = o->key ? rf_idempotency_find(&o->first, st, o->token_id, o->key, err) : RF_ENOTFOUND;
    if (rc == RF_OK) return rf_error_set(err, RF_ECANCEL, NULL, 0, "Idempotency-Key answered meanwhile");
    if (rc != RF_ENOTFOUND) return rc;
    answer_order(o, run_id);
    return o->key ? rf_idempotency_store(st, o->token_id, o->key, o->request_sha256,
                                         o->res->status, &o->res->body, run_id, err)
                  : RF_OK;
}

/* The answer stored under Idempotency-Key `key` for a request whose digest is `sha`: the
 * same answer again, or 422 when the key was used for another request. */
static void answer_stored(rf_response *res, const rf_idempotent_answer *stored, const char *sha,
                          const char *key)
{
    if (strcmp(stored->request_sha256, sha) != 0) {
        rf_respond_json_error(res, 422,
                              "Idempotency-Key '%s' was used with another request (another"
                              " body, content type or document name): a retry must send the"
                              " same request, a new request needs a new key",
                              key);
        return;
    }
    res->status = stored->status;
    rf_buf_reset(&res->body);
    rf_buf_append(&res->body, stored->body.data, stored->body.len);
}

/* Screens the body in a session over the server's lists, records it as a run in one
 * transaction with its Idempotency-Key `key` (NULL: none) and answers. */
static void screen_body(rf_request *req, rf_response *res, const rf_identity *id,
                        body_kind kind, const char *name, const char *key, const char *sha)
{
    char arg_command[] = "screen", arg_request[] = "POST /api/v1/screen", document[256];
    char *argv[3] = {arg_command, arg_request, document};
    rf_session_options so;
    rf_order_options order;
    rf_report_context ctx;
    rf_session *s = NULL;
    warnings w;
    outcome o;
    FILE *mem = NULL;
    char *lines = NULL;
    size_t len = 0;
    rf_error err, failure;
    int read, closed;

    snprintf(document, sizeof document, "%s", name);
    memset(&so, 0, sizeof so);
    memset(&order, 0, sizeof order);
    memset(&w, 0, sizeof w);
    memset(&o, 0, sizeof o);
    rf_error_clear(&err);
    rf_error_clear(&failure);
    o.res = res;
    o.name = name;
    o.token_id = id->token_id;
    o.key = key;
    o.request_sha256 = sha;
    so.lists = req->lists->lists;
    so.user = id->name;
    so.argc = 3;
    so.argv = argv;
    /* One write transaction per request, at its end: a request that dies before leaves no
     * run, and is screened again when its client retries. */
    so.record_at_close = 1;
    so.on_record = on_record;
    so.ctx = &o;
    order.on_warning = on_warning;
    order.warning_ctx = &w;
    if (rf_session_open(&s, req->st, &so, &err) < 0) goto failed;
    rf_session_report_context(s, &ctx);
    if (!(mem = open_memstream(&lines, &len))) {
        rf_error_set(&err, RF_ENOMEM, NULL, 0, "out of memory");
        goto failed;
    }
    if (rf_report_open(&w.report, RF_REPORT_JSONL, mem, &ctx, &err) < 0) goto failed;
    rf_session_set_report(s, w.report);
    read = (kind == BODY_PARTIES
                ? read_parties(&req->body, name, s, &failure)
                : rf_orders_read_memory(name, req->body.data, req->body.len, &order,
                                        rf_session_screen, s, &failure)) >= 0;
    /* screening or recording failed (the session says why): no answer but 500 */
    if (rf_session_input_done_memory(s, name, req->body.data, req->body.len,
                                     read ? NULL : &failure, &err) < 0)
        goto failed;
    if (w.failed.code) {
        err = w.failed;
        goto failed;
    }
    if (!read && rf_report_add_failure(w.report, &failure, &err) < 0) goto failed;
    closed = rf_report_close(w.report, &err); /* frees it, written or not */
    w.report = NULL;
    if (closed < 0) goto failed;
    fflush(mem);
    o.lines = lines;
    o.len = len;
    o.failure = read ? NULL : &failure;
    rf_session_totals_get(s, &o.totals); /* as the run is recorded with */
    if (rf_session_close(s, NULL, &err) < 0) {
        s = NULL;
        if (!o.first.request_sha256[0]) goto failed;
        answer_stored(res, &o.first, sha, key); /* not recorded: the first answer stands */
        goto cleanup;
    }
    s = NULL;
    if (!o.answered) answer_order(&o, 0); /* a read-only database: no run */
    goto cleanup;

failed:
    rf_respond_json_error(res, 500, "%s", err.message[0] ? err.message : rf_strerror(err.code));
cleanup:
    rf_report_free(w.report);
    rf_buf_free(&o.first.body);
    rf_session_free(s); /* a run not closed is not recorded */
    if (mem) fclose(mem);
    free(lines);
}

/* The request's digest for its Idempotency-Key: what it screens and how it names it. */
static int request_sha256(char out[65], const rf_request *req, body_kind kind, const char *name)
{
    const char *what = kind == BODY_PARTIES ? "parties" : "document";
    rf_sha256 h;
    if (rf_sha256_init(&h) != RF_OK) return RF_ENOMEM;
    rf_sha256_update(&h, what, strlen(what) + 1); /* each part ends with its NUL */
    rf_sha256_update(&h, name, strlen(name) + 1);
    if (req->body.len) rf_sha256_update(&h, req->body.data, req->body.len);
    rf_sha256_final_hex(&h, out);
    return RF_OK;
}

void rf_api_screen(rf_request *req, rf_response *res, const rf_identity *id)
{
    const char *key = rf_request_header(req, "Idempotency-Key");
    const char *type = rf_request_header(req, "Content-Type");
    const char *name = rf_request_arg(req, "document");
    body_kind kind = body_kind_of(type);
    rf_idempotent_answer stored;
    char sha[65];
    rf_error err;
    int rc;

    rf_error_clear(&err);
    if (!name || !*name) name = DEFAULT_DOCUMENT;
    if (strlen(name) > MAX_DOCUMENT_NAME || !rf_utf8_valid(name, strlen(name), NULL)) {
        rf_respond_json_error(res, 422, "document is a name of 1 to %d bytes of UTF-8",
                              MAX_DOCUMENT_NAME);
        return;
    }
    if (key && !rf_idempotency_key_valid(key)) {
        rf_respond_json_error(res, 400, "Idempotency-Key is 1 to %d visible ASCII characters",
                              RF_IDEMPOTENCY_KEY_MAX);
        return;
    }
    if (req->body.len == 0) {
        rf_respond_json_error(res, 400, "the request body is empty: send an order document or"
                                        " {\"parties\": [...]}");
        return;
    }
    if (kind == BODY_UNSUPPORTED) {
        rf_respond_json_error(res, 415,
                              "Content-Type %s is not an order: send the document as it is"
                              " (text/csv, application/xml, application/edi-x12,"
                              " application/edifact, application/octet-stream: the format is"
                              " told from the content) or parties as application/json",
                              type);
        return;
    }
    if (!key) {
        screen_body(req, res, id, kind, name, NULL, NULL);
        return;
    }
    if (request_sha256(sha, req, kind, name) != RF_OK ||
        rf_idempotency_hold(req->srv, id->token_id, key) != RF_OK) {
        rf_respond_json_error(res, 500, "out of memory");
        return;
    }
    rc = rf_idempotency_find(&stored, req->st, id->token_id, key, &err);
    if (rc == RF_OK) { /* a retry: the first answer again */
        answer_stored(res, &stored, sha, key);
    } else if (rc != RF_ENOTFOUND) {
        rf_respond_json_error(res, 500, "%s", err.message);
    } else { /* kept with its run; a server failure (500) is not kept */
        screen_body(req, res, id, kind, name, key, sha);
    }
    rf_buf_free(&stored.body);
    rf_idempotency_release(req->srv, id->token_id, key);
}
