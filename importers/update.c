/* update.c: fetching new list versions from the publishers (rf_list_update). One list file
 * per URL is streamed by libcurl into a temporary file (memory stays small whatever its size),
 * conditionally on what the last good download said (ETag, Last-Modified, kept in the store),
 * with timeouts, retries with backoff for failures that may pass, and an overall deadline per
 * source; then it is imported in one transaction like any file, named by the address it
 * finally came from. An https source is never followed to plain http. The download record is
 * written only after the file imported (or proved to be one already imported), so a failed,
 * cut or unparsable download changes nothing, and the next update asks again.
 *
 * libcurl is opened here, when a download starts (libcurl_load), not linked: with the TLS,
 * Kerberos, LDAP and SSH libraries it brings, linking it cost every process about 4 ms of
 * start-up (a third of screening one order, issue 14) for a call few processes make. */
#include "rf_importers.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

const rf_list_source rf_list_default_sources[] = {
    {"csl", "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"},
    {"ofac-sdn", "https://www.treasury.gov/ofac/downloads/sdn.xml"},
    {"ofac-consolidated", "https://www.treasury.gov/ofac/downloads/consolidated/consolidated.xml"},
};
const size_t rf_list_default_sources_count =
    sizeof rf_list_default_sources / sizeof *rf_list_default_sources;

#define DEFAULT_CONNECT_TIMEOUT 30L
#define DEFAULT_TIMEOUT 900L
#define DEFAULT_DEADLINE 1800L
#define DEFAULT_BACKOFF 2.0
/* A transfer slower than this many bytes per second for LOW_SPEED_TIME seconds has stalled. */
#define LOW_SPEED_LIMIT 512L
#define LOW_SPEED_TIME 60L

/* The libcurl calls update.c makes, found in the library by libcurl_load. */
static struct libcurl_calls {
    CURLcode (*global_init)(long flags);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode code);
    void (*easy_cleanup)(CURL *curl);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} libcurl;
static char libcurl_missing[256]; /* why libcurl_load failed, "" when it did not */
static pthread_once_t libcurl_once = PTHREAD_ONCE_INIT;

/* Points `*call` at libcurl's function `name` (the cast through void ** is the one POSIX gives
 * for dlsym's functions); 0 when the library has it. */
static int find_call(void *lib, void *call, const char *name)
{
    *(void **)call = dlsym(lib, name);
    if (*(void **)call) return 0;
    snprintf(libcurl_missing, sizeof libcurl_missing, "libcurl.so.4 has no %s", name);
    return -1;
}

static void libcurl_open(void)
{
    /* The ABI of this name has been stable since libcurl 7.16 (2006); Debian's libcurl4. */
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(libcurl_missing, sizeof libcurl_missing, "%s", dlerror());
        return;
    }
    if (find_call(lib, &libcurl.global_init, "curl_global_init") ||
        find_call(lib, &libcurl.global_cleanup, "curl_global_cleanup") ||
        find_call(lib, &libcurl.easy_init, "curl_easy_init") ||
        find_call(lib, &libcurl.easy_setopt, "curl_easy_setopt") ||
        find_call(lib, &libcurl.easy_perform, "curl_easy_perform") ||
        find_call(lib, &libcurl.easy_getinfo, "curl_easy_getinfo") ||
        find_call(lib, &libcurl.easy_strerror, "curl_easy_strerror") ||
        find_call(lib, &libcurl.easy_cleanup, "curl_easy_cleanup") ||
        find_call(lib, &libcurl.slist_append, "curl_slist_append") ||
        find_call(lib, &libcurl.slist_free_all, "curl_slist_free_all"))
        dlclose(lib); /* (kept open otherwise: the calls point into it) */
}

/* Opens libcurl once per process; RF_EIO naming what is missing when it cannot be. */
static int libcurl_load(const char *url, rf_error *err)
{
    pthread_once(&libcurl_once, libcurl_open);
    if (!libcurl_missing[0]) return RF_OK;
    return rf_error_set(err, RF_EIO, url, 0,
                        "cannot download: libcurl is not installed (%s); install Debian's "
                        "libcurl4, or download the list files and run 'redflag lists import'",
                        libcurl_missing);
}

/* One attempt's response: the body goes to `file` as it arrives, digested on the way. */
typedef struct transfer {
    FILE *file;
    size_t bytes, max;
    rf_sha256 digest;
    int too_big, write_failed;
    char etag[sizeof ((rf_download *)0)->etag];
    char last_modified[sizeof ((rf_download *)0)->last_modified];
} transfer;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    transfer *t = ctx;
    size_t len = size * n;
    if (len > t->max - t->bytes) {
        t->too_big = 1;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    if (fwrite(data, 1, len, t->file) != len) {
        t->write_failed = 1;
        return 0;
    }
    rf_sha256_update(&t->digest, data, len);
    t->bytes += len;
    return len;
}

/* Empties the temporary file for a new attempt. */
static int transfer_restart(transfer *t)
{
    t->bytes = 0;
    t->too_big = t->write_failed = 0;
    rf_sha256_free(&t->digest);
    if (rf_sha256_init(&t->digest) != RF_OK) return -1;
    rewind(t->file);
    return ftruncate(fileno(t->file), 0);
}

/* Keeps `value` of header `name` from the line `line` (len bytes, CRLF included) if it is
 * that header; values too long to be real are ignored, which costs a full download. */
static void header_value(char *out, size_t size, const char *name, const char *line, size_t len)
{
    size_t nlen = strlen(name);
    const char *v, *end = line + len;
    if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':') return;
    for (v = line + nlen + 1; v < end && (*v == ' ' || *v == '\t'); v++) {}
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    if ((size_t)(end - v) < size) {
        memcpy(out, v, (size_t)(end - v));
        out[end - v] = '\0';
    }
}

static size_t on_header(char *line, size_t size, size_t n, void *ctx)
{
    transfer *t = ctx;
    size_t len = size * n;
    /* A new status line starts a new response (after a redirect): only the last one's
     * validators describe the file. */
    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) t->etag[0] = t->last_modified[0] = '\0';
    header_value(t->etag, sizeof t->etag, "ETag", line, len);
    header_value(t->last_modified, sizeof t->last_modified, "Last-Modified", line, len);
    return len;
}

/* The host part of a URL, for messages. */
static void url_host(char *out, size_t size, const char *url)
{
    const char *p = strstr(url, "://");
    size_t n;
    p = p ? p + 3 : url;
    n = strcspn(p, "/:?#");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/* 1 for failures that may pass on their own: a connection cut or slow, the server
 * overloaded. A host that cannot be resolved or reached at all (offline, a firewall) does
 * not come back within the few seconds of a retry: it is said at once, not after 14 s of
 * waiting per source. */
static int transient(CURLcode code, long status)
{
    if (code == CURLE_OK) return status == 429 || status == 408 || status >= 500;
    return code == CURLE_OPERATION_TIMEDOUT ||
           code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_GOT_NOTHING ||
           code == CURLE_PARTIAL_FILE || code == CURLE_SSL_CONNECT_ERROR ||
           code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM;
}

/* Turns a failed attempt into a message that says what a user can do about it. */
static int fail(rf_error *err, const char *url, CURLcode code, long status, const char *detail,
                const transfer *t, size_t max)
{
    char host[256];
    url_host(host, sizeof host, url);
    if (t->too_big || code == CURLE_FILESIZE_EXCEEDED)
        return rf_error_set(err, RF_ELIMIT, url, 0,
                            "the file is larger than %zu bytes, the most redflag downloads", max);
    if (t->write_failed)
        return rf_error_set(err, RF_EIO, url, 0,
                            "cannot write the download to a temporary file (disk full? "
                            "TMPDIR): %s", strerror(errno));
    switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
        return rf_error_set(err, RF_EIO, url, 0,
                            "refused: the server redirected to an address that is not https "
                            "(%s); an https source is only followed to https",
                            detail[0] ? detail : libcurl.easy_strerror(code));
    case CURLE_OK:
        return rf_error_set(err, RF_EIO, url, 0, "the server answered HTTP %ld", status);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return rf_error_set(err, RF_EIO, url, 0,
                            "cannot reach %s (%s): offline, or a firewall or proxy in the way?",
                            host, detail[0] ? detail : libcurl.easy_strerror(code));
    case CURLE_OPERATION_TIMEDOUT:
        return rf_error_set(err, RF_EIO, url, 0, "%s did not answer in time (%s)", host,
                            detail[0] ? detail : libcurl.easy_strerror(code));
    default:
        return rf_error_set(err, RF_EIO, url, 0, "download failed: %s",
                            detail[0] ? detail : libcurl.easy_strerror(code));
    }
}

static void sleep_seconds(double s)
{
    struct timespec ts;
    if (s <= 0) return;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Downloads `url` into `t` (retrying), conditionally on `known` when it has validators, all
 * within the deadline; the address it came from goes to `final_url`. Returns 0 with *status
 * 200 or 304, or a negative code with `err` set. */
static int download(transfer *t, long *status, int *attempts, char *final_url,
                    size_t final_size, const char *url, const rf_download *known,
                    const rf_update_options *opts, rf_error *err)
{
    char errbuf[CURL_ERROR_SIZE], header[sizeof known->etag + 32];
    size_t max = opts->max_bytes ? opts->max_bytes : RF_FILE_MAX;
    double delay = opts->backoff > 0 ? opts->backoff : DEFAULT_BACKOFF;
    long timeout = opts->timeout > 0 ? opts->timeout : DEFAULT_TIMEOUT;
    long deadline = opts->deadline > 0 ? opts->deadline : DEFAULT_DEADLINE;
    /* Plain http only when the source itself says http: then it may move to https. */
    const char *protocols = strncasecmp(url, "https://", 8) == 0 ? "https" : "http,https";
    struct curl_slist *headers = NULL, *grown;
    struct timespec started;
    CURL *curl = NULL;
    CURLcode code = CURLE_OK;
    int rc = RF_OK;

    clock_gettime(CLOCK_MONOTONIC, &started);

    if ((rc = libcurl_load(url, err)) != RF_OK) return rc;
    if (libcurl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(curl = libcurl.easy_init())) {
        rc = rf_error_set(err, RF_ENOMEM, url, 0, "cannot start libcurl");
        goto cleanup;
    }
    if (known && known->etag[0]) {
        snprintf(header, sizeof header, "If-None-Match: %s", known->etag);
        if (!(grown = libcurl.slist_append(headers, header))) goto oom;
        headers = grown;
    }
    if (known && known->last_modified[0]) {
        snprintf(header, sizeof header, "If-Modified-Since: %s", known->last_modified);
        if (!(grown = libcurl.slist_append(headers, header))) goto oom;
        headers = grown;
    }
    libcurl.easy_setopt(curl, CURLOPT_URL, url);
    libcurl.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
    libcurl.easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
    libcurl.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    libcurl.easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    if (opts->ca_file) libcurl.easy_setopt(curl, CURLOPT_CAINFO, opts->ca_file);
    libcurl.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    libcurl.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                     opts->connect_timeout > 0 ? opts->connect_timeout : DEFAULT_CONNECT_TIMEOUT);
    libcurl.easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT);
    libcurl.easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME);
    libcurl.easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    /* Compressed on the wire when the server offers it; the digest is of the file itself. */
    libcurl.easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    libcurl.easy_setopt(curl, CURLOPT_USERAGENT, "redflag/" RF_VERSION " (list update)");
    libcurl.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    libcurl.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    libcurl.easy_setopt(curl, CURLOPT_WRITEDATA, t);
    libcurl.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    libcurl.easy_setopt(curl, CURLOPT_HEADERDATA, t);
    libcurl.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

    t->max = max;
    for (*attempts = 1;; ++*attempts) {
        /* Each attempt gets what is left of the deadline, at most the timeout. */
        double left = (double)deadline - seconds_since(&started);
        char *effective = NULL;
        if (transfer_restart(t) != 0) {
            rc = rf_error_set(err, RF_EIO, url, 0, "cannot reuse the temporary file: %s",
                              strerror(errno));
            break;
        }
        errbuf[0] = '\0';
        *status = 0;
        /* (0 would mean no timeout at all) */
        libcurl.easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                         1 + (long)(1000 * (left < (double)timeout ? left : (double)timeout)));
        code = libcurl.easy_perform(curl);
        libcurl.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
        if (libcurl.easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective)
            snprintf(final_url, final_size, "%s", effective);
        if (code == CURLE_OK && (*status == 200 || *status == 304)) break;
        if (code == CURLE_OPERATION_TIMEDOUT && left <= (double)timeout) {
            rc = rf_error_set(err, RF_EIO, url, 0,
                              "gave up: the source did not deliver within its deadline of %ld s "
                              "(%d attempt%s; --deadline)",
                              deadline, *attempts, *attempts == 1 ? "" : "s");
            break;
        }
        if (t->too_big || t->write_failed || !transient(code, *status) ||
            *attempts > opts->retries || seconds_since(&started) + delay >= (double)deadline) {
            rc = fail(err, url, code, *status, errbuf, t, max);
            break;
        }
        if (opts->on_retry)
            opts->on_retry(url, *attempts, delay,
                           code != CURLE_OK ? (errbuf[0] ? errbuf : libcurl.easy_strerror(code))
                                            : "the server is busy or failing",
                           opts->ctx);
        sleep_seconds(delay);
        delay *= 2;
    }
    goto cleanup;

oom:
    rc = rf_error_set(err, RF_ENOMEM, url, 0, "out of memory");
cleanup:
    libcurl.slist_free_all(headers);
    if (curl) libcurl.easy_cleanup(curl);
    libcurl.global_cleanup();
    return rc;
}

/* A temporary file for the download (in $TMPDIR, else /tmp), named in `path`: the importer
 * reads it again by name; rf_list_update removes it. */
static FILE *temp_file(char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    int fd;
    snprintf(path, size, "%s/redflag-download-XXXXXX", dir && dir[0] ? dir : "/tmp");
    if ((fd = mkstemp(path)) < 0) return NULL;
    return fdopen(fd, "w+b");
}

int rf_list_update(rf_update_result *out, rf_store *st, const char *url,
                   const rf_update_options *opts, rf_error *err)
{
    static const rf_update_options defaults = {0};
    rf_download known, record;
    transfer t;
    char path[4096];
    int rc, have_known;

    memset(out, 0, sizeof *out);
    if (!st || !url || !url[0]) return rf_error_set(err, RF_EUSAGE, NULL, 0, "no store or URL");
    if (!opts) opts = &defaults;
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return rf_error_set(err, RF_EUSAGE, url, 0, "not an http:// or https:// address");
    memset(&t, 0, sizeof t);
    rc = rf_store_download_get(&known, st, url, err);
    if (rc != 0 && rc != RF_ENOTFOUND) return rc;
    have_known = rc == 0;
    rf_error_clear(err);
    if (!(t.file = temp_file(path, sizeof path)))
        return rf_error_set(err, RF_EIO, url, 0, "cannot create a temporary file in %s: %s",
                            getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));

    rc = download(&t, &out->http_status, &out->attempts, out->final_url, sizeof out->final_url,
                  url, have_known && !opts->force ? &known : NULL, opts, err);
    if (rc) goto cleanup;
    if (fflush(t.file) != 0) {
        rc = rf_error_set(err, RF_EIO, url, 0, "cannot write the download to %s: %s", path,
                          strerror(errno));
        goto cleanup;
    }
    memset(&record, 0, sizeof record);
    if (out->http_status == 304) {
        /* Nothing new; the record stays, with the time of this check. */
        out->outcome = RF_UPDATE_NOT_MODIFIED;
        out->final_url[0] = '\0';
        snprintf(out->sha256, sizeof out->sha256, "%s", known.sha256);
        record = known;
    } else {
        out->bytes = t.bytes;
        rf_sha256_final_hex(&t.digest, out->sha256);
        if (have_known && strcmp(known.sha256, out->sha256) == 0) {
            out->outcome = RF_UPDATE_UNCHANGED;
            record.version_id = known.version_id;
        } else {
            /* A response cut cleanly at a row boundary parses as a shorter list: only a
             * person who has looked at the file may let one in (lists import
             * --allow-shrink), never a download. */
            rf_import_options import = opts->import;
            import.allow_shrink = 0;
            rc = rf_import_list_download(&out->import, st, path,
                                         out->final_url[0] ? out->final_url : url, &import,
                                         err);
            if (rc) goto cleanup;
            out->outcome = out->import.already_imported ? RF_UPDATE_UNCHANGED : RF_UPDATE_IMPORTED;
            record.version_id = out->import.version_id;
        }
        snprintf(record.etag, sizeof record.etag, "%s", t.etag);
        snprintf(record.last_modified, sizeof record.last_modified, "%s", t.last_modified);
        snprintf(record.sha256, sizeof record.sha256, "%s", out->sha256);
    }
    rc = rf_store_download_put(st, url, &record, err);

cleanup:
    rf_sha256_free(&t.digest); /* an attempt that failed before its digest was taken */
    fclose(t.file);
    unlink(path);
    return rc;
}

const char *rf_update_outcome_name(rf_update_outcome o)
{
    return o == RF_UPDATE_IMPORTED      ? "imported"
           : o == RF_UPDATE_NOT_MODIFIED ? "not modified"
                                         : "unchanged";
}
