/* `vigie share pull` (app/pull.h): HTTP GETs with libcurl (bodies capped, no redirects
 * followed, credentials only to the URL given), the MISP feed and TAXII 2.1 walks, and the
 * record of where each source stopped. What is fetched is imported as files are. */
#include "app/pull.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/share.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/shown.h"
#include "util/time.h"
#include "util/uuid.h"
#include "util/version.h"

#define KIND_MISP      "misp-feed"
#define KIND_TAXII     "taxii"

#define PULL_MAX_BODY  VG_MAX_FEED_FILE /* one response's body, bytes */
#define PULL_MAX_URL   4096             /* one URL built from the options and answers */
#define PULL_MAX_PAGES 1000000          /* TAXII pages of one pull: a server looping ends */
#define TAXII_ACCEPT   "application/taxii+json;version=2.1"

/* One HTTP answer. */
struct answer {
    long status;
    struct vg_buf body;
    char content_type[128];
    char date_added_last[VG_TIME_LEN]; /* X-TAXII-Date-Added-Last, "" if absent */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    (void)size; /* always 1 */
    return vg_buf_append(&a->body, p, n) ? 0 : n;
}

/* Copies a header's value (without its surrounding blanks and CRLF) into out. */
static void header_value(const char *p, size_t n, char *out, size_t cap)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    (void)size;
    static const char ct[] = "content-type:", dal[] = "x-taxii-date-added-last:";
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) { /* a new answer's status line */
        a->content_type[0] = a->date_added_last[0] = '\0';
    } else if (n > sizeof ct - 1 && strncasecmp(p, ct, sizeof ct - 1) == 0) {
        header_value(p + sizeof ct - 1, n - (sizeof ct - 1), a->content_type,
                     sizeof a->content_type);
    } else if (n > sizeof dal - 1 && strncasecmp(p, dal, sizeof dal - 1) == 0) {
        header_value(p + sizeof dal - 1, n - (sizeof dal - 1), a->date_added_last,
                     sizeof a->date_added_last);
    }
    return n;
}

/* GET url with o's credentials and the Accept header given: a->status and a->body (capped at
 * PULL_MAX_BODY; the caller cleans a->body up). 0, or VG_EIO / VG_ETOOBIG / VG_EINVAL with d
 * saying what failed for that URL. Any status is 0: the caller reads it. */
static int http_get(const struct vg_pull_opts *o, const char *url, const char *accept,
                    struct answer *a, struct vg_diag *d)
{
    pthread_once(&curl_once, init_curl);
    memset(a, 0, sizeof *a);
    vg_buf_init(&a->body, PULL_MAX_BODY);
    if (curl_init_rc != CURLE_OK)
        return vg_diag_set(d, VG_EIO, "", "GET %s: libcurl: %s", url,
                           curl_easy_strerror(curl_init_rc));
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL, *h2;
    struct vg_buf line;
    vg_buf_init(&line, 8192);
    int rc = 0;
    if (!c)
        return vg_diag_set(d, VG_ENOMEM, "", "GET %s: out of memory", url);
    vg_buf_printf(&line, "Accept: %s", accept);
    if ((h2 = curl_slist_append(h, line.data ? line.data : "")) != NULL)
        h = h2;
    if (o->token) {
        if (strpbrk(o->token, "\r\n")) {
            rc = vg_diag_set(d, VG_EINVAL, "token", "the token holds a line break");
            goto out;
        }
        vg_buf_reset(&line);
        vg_buf_printf(&line, "Authorization: Bearer %s", o->token);
        if (line.failed || !(h2 = curl_slist_append(h, line.data))) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
        h = h2;
    }
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L); /* nothing for a minute: give up */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "vigie/" VG_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* whatever libcurl can decode */
    if (o->user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
    }
    CURLcode cr = curl_easy_perform(c);
    if (cr == CURLE_WRITE_ERROR && a->body.failed) {
        rc = vg_diag_set(d, VG_ETOOBIG, "", "GET %s: the answer is larger than %lld bytes", url,
                         (long long)PULL_MAX_BODY);
    } else if (cr != CURLE_OK) {
        rc = vg_diag_set(d, VG_EIO, "", "GET %s: %s", url, err[0] ? err : curl_easy_strerror(cr));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    }
out:
    vg_buf_cleanup(&line);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

/* The body of a, "" if empty. */
static const char *body_of(const struct answer *a)
{
    return a->body.data ? a->body.data : "";
}

/* Parses a's body as JSON; NULL with d naming url and the place. */
static json_t *parse_body(const char *url, const struct answer *a, struct vg_diag *d)
{
    struct vg_diag pd;
    vg_diag_clear(&pd);
    json_t *v = vg_json_parse(body_of(a), a->body.len, &pd);
    if (!v) {
        vg_diag_set(d,
                    pd.message[0] && strcmp(pd.message, "out of memory") == 0 ? VG_ENOMEM
                                                                              : VG_EINVAL,
                    "", "%s: %s", url, pd.message);
        if (d) {
            d->line = pd.line;
            d->offset = pd.offset;
        }
    }
    return v;
}

/* Reports a failure: {..., "status": "failed", "error": {"message", "pointer"}}. */
static void report_failure(json_t *entry, const struct vg_diag *e)
{
    json_object_set_new(entry, "status", json_string("failed"));
    json_object_set_new(entry, "error",
                        json_pack("{s:s,s:s}", "message", e->message, "pointer", e->field));
}

/* The host of url into out ("" if it has none). */
static void url_host(const char *url, char *out, size_t cap)
{
    out[0] = '\0';
    CURLU *u = curl_url();
    char *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        size_t n = strlen(host);
        if (n < cap)
            memcpy(out, host, n + 1);
    }
    curl_free(host);
    curl_url_cleanup(u);
}

/* Checks that url is an absolute http(s) URL: 0 or VG_EINVAL. */
static int check_url(const char *url, struct vg_diag *d)
{
    if (!url || !*url)
        return vg_diag_set(d, VG_EINVAL, "url", "no URL given");
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return vg_diag_set(d, VG_EINVAL, "url", "%s: not an http:// or https:// URL", url);
    if (strlen(url) > PULL_MAX_URL / 2)
        return vg_diag_set(d, VG_EINVAL, "url", "the URL is longer than %d bytes",
                           PULL_MAX_URL / 2);
    return 0;
}

/* The source recorded on what is imported: o->source, else the URL's host. */
static void source_of(const struct vg_pull_opts *o, char *out, size_t cap)
{
    if (o->source && *o->source) {
        snprintf(out, cap, "%s", o->source);
        return;
    }
    url_host(o->url, out, cap);
    if (!out[0])
        snprintf(out, cap, "%s", o->url);
}

/* Imports one MISP event (its whole file, as `vigie share import` imports one);
 * *report = the import's report (new reference). 0 or a VG_E* with d. */
static int import_misp_event(struct vg_store *st, const struct vg_pull_opts *o, const char *source,
                             const char *buf, size_t len, json_t **report, struct vg_diag *d)
{
    struct vg_share_report rep;
    vg_share_report_init(&rep);
    int rc = vg_share_import(st, o->who, "misp", buf, len, source, &rep, d);
    *report = vg_share_report_json(&rep);
    vg_share_report_cleanup(&rep);
    if (rc == 0 && !*report)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return rc;
}

/* Imports one TAXII page's objects; *report = the import's report (new reference). */
static int import_stix_objects(struct vg_store *st, const struct vg_pull_opts *o,
                               const char *source, const json_t *objects, json_t **report,
                               struct vg_diag *d)
{
    struct vg_share_report rep;
    vg_share_report_init(&rep);
    int rc = vg_share_import_stix_objects(st, o->who, objects, source, &rep, d);
    *report = vg_share_report_json(&rep);
    vg_share_report_cleanup(&rep);
    if (rc == 0 && !*report)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return rc;
}

/* ---- MISP feeds ---- */

/* The folder of the feed at url, ending with '/', into b (a "manifest.json" at its end
 * removed). */
static void feed_base(const char *url, struct vg_buf *b)
{
    static const char man[] = "manifest.json";
    size_t n = strlen(url);
    if (n >= sizeof man - 1 && strcmp(url + n - (sizeof man - 1), man) == 0)
        n -= sizeof man - 1;
    vg_buf_append(b, url, n);
    if (n == 0 || url[n - 1] != '/')
        vg_buf_putc(b, '/');
}

/* The manifest entry's timestamp as a decimal string: 0, or VG_EINVAL with d's field its
 * pointer. MISP writes it as a string of digits; some feeds as a number. */
static int entry_timestamp(const char *url, const char *uuid, const json_t *entry, char out[32],
                           struct vg_diag *d)
{
    const json_t *t = json_object_get(entry, "timestamp");
    char ptr[VG_UUID_LEN + 16];
    snprintf(ptr, sizeof ptr, "/%s/timestamp", uuid);
    if (json_is_integer(t) && json_integer_value(t) >= 0) {
        snprintf(out, 32, "%lld", (long long)json_integer_value(t));
        return 0;
    }
    const char *s = json_string_value(t);
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 20 || strspn(s, "0123456789") != n)
        return vg_diag_set(d, VG_EINVAL, ptr, "%s: %s: %s", url, ptr,
                           t ? "not a timestamp (seconds since 1970 as digits)" : "missing");
    memcpy(out, s, n + 1);
    return 0;
}

/* The feed's manifest: *out = {uuid: timestamp string}, checked. 0 or VG_E* with d. */
static int read_manifest(const struct vg_pull_opts *o, const char *base, json_t **out,
                         struct vg_diag *d)
{
    struct vg_buf url;
    vg_buf_init(&url, PULL_MAX_URL);
    vg_buf_printf(&url, "%smanifest.json", base);
    struct answer a;
    memset(&a, 0, sizeof a);
    json_t *m = NULL, *ts = NULL;
    int rc = url.failed ? vg_diag_set(d, VG_EINVAL, "url", "the URL is too long") : 0;
    if (rc || (rc = http_get(o, url.data, "application/json", &a, d)) != 0)
        goto out;
    if (a.status != 200) {
        rc = vg_diag_set(d, a.status == 404 ? VG_ENOENT : VG_EIO, "", "%s: HTTP %ld", url.data,
                         a.status);
        goto out;
    }
    if (!(m = parse_body(url.data, &a, d))) {
        rc = VG_EINVAL;
        goto out;
    }
    if (!json_is_object(m)) {
        rc = vg_diag_set(d, VG_EINVAL, "",
                         "%s: /: not a JSON object (a MISP feed's manifest "
                         "maps event uuids to their summaries)",
                         url.data);
        goto out;
    }
    ts = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v) {
        char t[32];
        if (!vg_uuid_valid(k, strlen(k))) {
            struct vg_shown sk;
            rc = vg_diag_set(d, VG_EINVAL, "", "%s: key \"%.80s\": not an event uuid", url.data,
                             vg_shown(vg_str_c(k), 60, &sk));
            goto out;
        }
        if (!json_is_object(v)) {
            rc = vg_diag_set(d, VG_EINVAL, "", "%s: /%s: not an object", url.data, k);
            goto out;
        }
        if ((rc = entry_timestamp(url.data, k, v, t, d)) != 0)
            goto out;
        json_object_set_new(ts, k, json_string(t));
    }
out:
    if (rc == 0) {
        *out = ts;
        ts = NULL;
    }
    json_decref(ts);
    json_decref(m);
    vg_buf_cleanup(&a.body);
    vg_buf_cleanup(&url);
    return rc;
}

/* Fetches and imports one event of the feed; fills entry. 0 or VG_E* with d. */
static int pull_event(struct vg_store *st, const struct vg_pull_opts *o, const char *base,
                      const char *source, const char *uuid, json_t *entry, struct vg_diag *d)
{
    struct vg_buf url;
    vg_buf_init(&url, PULL_MAX_URL);
    vg_buf_printf(&url, "%s%s.json", base, uuid);
    json_object_set_new(entry, "url", json_string(url.data ? url.data : ""));
    struct answer a;
    memset(&a, 0, sizeof a);
    json_t *ev = NULL, *report = NULL;
    int rc = url.failed ? vg_diag_set(d, VG_EINVAL, "url", "the URL is too long") : 0;
    if (rc || (rc = http_get(o, url.data, "application/json", &a, d)) != 0)
        goto out;
    if (a.status != 200) {
        rc = vg_diag_set(d, VG_EIO, "", "%s: HTTP %ld", url.data, a.status);
        goto out;
    }
    /* the event must be the one the manifest names: a feed serving another event under that
     * name would otherwise be recorded as up to date */
    if (!(ev = parse_body(url.data, &a, d))) {
        rc = VG_EINVAL;
        goto out;
    }
    const json_t *e = json_object_get(ev, "Event");
    if (!e)
        e = ev;
    const char *got = vg_json_str(e, "uuid");
    if (!json_is_object(e) || !got) {
        rc = vg_diag_set(d, VG_EINVAL, "/Event/uuid", "%s: /Event/uuid: missing", url.data);
        goto out;
    }
    if (strcasecmp(got, uuid) != 0) {
        rc = vg_diag_set(d, VG_EINVAL, "/Event/uuid",
                         "%s: /Event/uuid: %.40s, not the manifest's %s", url.data, got, uuid);
        goto out;
    }
    struct vg_diag id;
    vg_diag_clear(&id);
    if ((rc = import_misp_event(st, o, source, body_of(&a), a.body.len, &report, &id)) != 0) {
        vg_diag_set(d, rc, id.field, "%s: %s%s%s", url.data, id.field, id.field[0] ? ": " : "",
                    id.message);
        goto out;
    }
    json_object_set_new(entry, "status", json_string("imported"));
    json_object_set_new(entry, "import", report ? json_incref(report) : json_null());
out:
    json_decref(report);
    json_decref(ev);
    vg_buf_cleanup(&a.body);
    vg_buf_cleanup(&url);
    return rc;
}

int vg_pull_misp_feed(struct vg_store *st, const struct vg_pull_opts *o, vg_pull_report_fn fn,
                      void *ctx, struct vg_pull_stats *stats, struct vg_diag *d)
{
    memset(stats, 0, sizeof *stats);
    int rc = check_url(o->url, d);
    if (rc)
        return rc;
    struct vg_buf base;
    vg_buf_init(&base, PULL_MAX_URL);
    feed_base(o->url, &base);
    char source[512];
    source_of(o, source, sizeof source);
    json_t *man = NULL, *seen = NULL;
    if (base.failed) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if ((rc = read_manifest(o, base.data, &man, d)) != 0 ||
        (rc = vg_store_pull_all(st, KIND_MISP, base.data, &seen, d)) != 0)
        goto out;
    stats->listed = json_object_size(man);
    bool failed = false;
    const char *uuid;
    json_t *t;
    json_object_foreach(man, uuid, t) {
        const char *ts = json_string_value(t);
        const char *was = vg_json_str(seen, uuid);
        if (was && strcmp(was, ts) == 0) {
            stats->unchanged++;
            continue;
        }
        stats->fetched++;
        json_t *entry = json_pack("{s:s,s:s}", "event", uuid, "timestamp", ts);
        if (!entry) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
        struct vg_diag ed;
        vg_diag_clear(&ed);
        int erc = pull_event(st, o, base.data, source, uuid, entry, &ed);
        if (erc == 0)
            erc = vg_store_pull_put(st, KIND_MISP, base.data, uuid, ts, &ed);
        if (erc) {
            report_failure(entry, &ed);
            stats->failed++;
            if (!failed && d)
                *d = ed;
            failed = true;
        } else {
            stats->imported++;
        }
        if (fn)
            fn(ctx, entry);
        json_decref(entry);
    }
    rc = failed ? VG_EIO : 0;
out:
    json_decref(man);
    json_decref(seen);
    vg_buf_cleanup(&base);
    return rc;
}

/* ---- TAXII 2.1 ---- */

/* The TAXII error of a's body (status, title, description) into d. */
static int taxii_error(const char *url, const struct answer *a, struct vg_diag *d)
{
    json_error_t je;
    json_t *e = vg_json_loadb(body_of(a), a->body.len, 0, &je);
    const char *title = vg_json_str(e, "title"), *desc = vg_json_str(e, "description");
    int code = a->status == 404                       ? VG_ENOENT
               : a->status == 401 || a->status == 403 ? VG_EPERM
                                                      : VG_EIO;
    if (title)
        vg_diag_set(d, code, "", "%s: HTTP %ld: %.80s%s%.100s", url, a->status, title,
                    desc ? ": " : "", desc ? desc : "");
    else
        vg_diag_set(d, code, "", "%s: HTTP %ld (not a TAXII error body)", url, a->status);
    json_decref(e);
    return code;
}

/* The URL of a page: {root}collections/{id}/objects/?added_after=..&limit=..&next=.. */
static int page_url(CURL *esc, const char *root, const struct vg_pull_opts *o, const char *after,
                    const char *next, struct vg_buf *b)
{
    char *id = curl_easy_escape(esc, o->collection, 0);
    char *aa = after && *after ? curl_easy_escape(esc, after, 0) : NULL;
    char *nx = next && *next ? curl_easy_escape(esc, next, 0) : NULL;
    char sep = '?';
    vg_buf_reset(b);
    vg_buf_printf(b, "%scollections/%s/objects/", root, id ? id : "");
    if (aa) {
        vg_buf_printf(b, "%cadded_after=%s", sep, aa);
        sep = '&';
    }
    if (o->limit > 0) {
        vg_buf_printf(b, "%climit=%ld", sep, o->limit);
        sep = '&';
    }
    if (nx)
        vg_buf_printf(b, "%cnext=%s", sep, nx);
    int bad = !id || (after && *after && !aa) || (next && *next && !nx) || b->failed;
    curl_free(id);
    curl_free(aa);
    curl_free(nx);
    return bad ? -1 : 0;
}

int vg_pull_taxii(struct vg_store *st, const struct vg_pull_opts *o, vg_pull_report_fn fn,
                  void *ctx, struct vg_pull_stats *stats, struct vg_diag *d)
{
    memset(stats, 0, sizeof *stats);
    int rc = check_url(o->url, d);
    if (rc)
        return rc;
    if (!o->collection || !*o->collection)
        return vg_diag_set(d, VG_EINVAL, "collection", "no collection given");
    if (o->since) {
        time_t t;
        if (vg_time_parse(o->since, &t) != 0)
            return vg_diag_set(d, VG_EINVAL, "since", "--since: not an RFC 3339 time: %.60s",
                               o->since);
    }
    pthread_once(&curl_once, init_curl);
    CURL *esc = curl_easy_init();
    struct vg_buf root, url;
    vg_buf_init(&root, PULL_MAX_URL);
    vg_buf_init(&url, PULL_MAX_URL);
    char source[512], after[VG_TIME_LEN] = "", next[1024] = "";
    source_of(o, source, sizeof source);
    vg_buf_puts(&root, o->url);
    if (o->url[strlen(o->url) - 1] != '/')
        vg_buf_putc(&root, '/');
    if (!esc || root.failed) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (o->since) {
        snprintf(after, sizeof after, "%s", o->since);
    } else {
        rc = vg_store_pull_get(st, KIND_TAXII, root.data, o->collection, after, sizeof after, d);
        if (rc == VG_ENOENT)
            rc = 0;
        if (rc)
            goto out;
    }
    for (size_t page = 1; page <= PULL_MAX_PAGES; page++) {
        if (page_url(esc, root.data, o, after, next, &url)) {
            rc = vg_diag_set(d, VG_EINVAL, "url", "the URL of page %zu is too long", page);
            goto out;
        }
        struct answer a;
        json_t *env = NULL, *report = NULL;
        json_t *entry = json_pack("{s:I,s:s}", "page", (json_int_t)page, "url", url.data);
        struct vg_diag pd;
        vg_diag_clear(&pd);
        int prc = http_get(o, url.data, TAXII_ACCEPT, &a, &pd);
        const json_t *objs = NULL;
        bool more = false;
        stats->listed++;
        if (prc == 0 && a.status != 200)
            prc = taxii_error(url.data, &a, &pd);
        if (prc == 0 && !(env = parse_body(url.data, &a, &pd)))
            prc = VG_EINVAL;
        if (prc == 0 && !json_is_object(env))
            prc = vg_diag_set(&pd, VG_EINVAL, "", "%s: /: not a TAXII envelope (an object)",
                              url.data);
        if (prc == 0) {
            objs = json_object_get(env, "objects");
            const json_t *m = json_object_get(env, "more");
            if (objs && !json_is_array(objs))
                prc =
                    vg_diag_set(&pd, VG_EINVAL, "/objects", "%s: /objects: not an array", url.data);
            else if (m && !json_is_boolean(m))
                prc = vg_diag_set(&pd, VG_EINVAL, "/more", "%s: /more: not a boolean", url.data);
            more = json_is_true(m);
        }
        json_object_set_new(entry, "objects", json_integer((json_int_t)json_array_size(objs)));
        json_object_set_new(entry, "date_added_last",
                            prc == 0 && a.date_added_last[0] ? json_string(a.date_added_last)
                                                             : json_null());
        if (prc == 0) {
            stats->fetched += json_array_size(objs);
            struct vg_diag id;
            vg_diag_clear(&id);
            prc = objs ? import_stix_objects(st, o, source, objs, &report, &id) : 0;
            if (prc)
                vg_diag_set(&pd, prc, id.field, "%s: %s%s%s", url.data, id.field,
                            id.field[0] ? ": " : "", id.message);
        }
        if (prc == 0 && a.date_added_last[0])
            prc =
                vg_store_pull_put(st, KIND_TAXII, root.data, o->collection, a.date_added_last, &pd);
        if (prc == 0) {
            stats->imported++;
            json_object_set_new(entry, "status", json_string("imported"));
            json_object_set_new(entry, "import", report ? json_incref(report) : json_object());
        } else {
            stats->failed++;
            report_failure(entry, &pd);
        }
        if (fn && entry)
            fn(ctx, entry);
        json_decref(entry);
        json_decref(report);
        const char *nx = vg_json_str(env, "next");
        if (prc == 0 && more) {
            if (nx && *nx) { /* the server's cursor; added_after stays as first asked */
                if (strlen(nx) >= sizeof next || strcmp(nx, next) == 0)
                    prc = vg_diag_set(&pd, VG_EINVAL, "/next", "%s: /next: %s", url.data,
                                      strcmp(nx, next) == 0 ? "the same as the last page's"
                                                            : "too long");
                else
                    snprintf(next, sizeof next, "%s", nx);
            } else if (a.date_added_last[0] && strcmp(after, a.date_added_last) != 0) {
                /* no cursor: the next page is what was added after this one */
                snprintf(after, sizeof after, "%s", a.date_added_last);
            } else {
                prc = vg_diag_set(&pd, VG_EINVAL, "/more",
                                  "%s: /more is true but neither next nor a new "
                                  "X-TAXII-Date-Added-Last says where the next page starts",
                                  url.data);
            }
        }
        json_decref(env);
        vg_buf_cleanup(&a.body);
        if (prc) {
            if (d)
                *d = pd;
            rc = prc;
            goto out;
        }
        if (!more)
            goto out;
    }
    rc = vg_diag_set(d, VG_ETOOBIG, "", "more than %d pages: stopped", PULL_MAX_PAGES);
out:
    curl_easy_cleanup(esc);
    vg_buf_cleanup(&root);
    vg_buf_cleanup(&url);
    return rc;
}
