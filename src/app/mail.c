/* Outbound mail: the outbox's use cases and SMTP delivery with libcurl (app/mail.h). */
#include "app/mail.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/crisis.h"
#include "app/notify.h"
#include "core/record.h"
#include "core/tlp.h"
#include "notify/notify.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"
#include "util/uuid.h"

#define CLAIM_BATCH 64   /* messages claimed per transaction */
#define MAX_RCPT    1000 /* recipients of one message */

static void env_copy(const char *name, const char *dflt, char *out, size_t cap)
{
    const char *v = getenv(name);
    if (!v || !*v)
        v = dflt;
    snprintf(out, cap, "%s", v);
}

static int env_int(const char *name, int dflt, int min)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > 86400 * 30)
        return dflt;
    return (int)n;
}

void vg_mail_config_env(struct vg_mail_config *c)
{
    memset(c, 0, sizeof *c);
    env_copy("VIGIE_SMTP_URL", "", c->url, sizeof c->url);
    env_copy("VIGIE_MAIL_FROM", "vigie@localhost", c->from, sizeof c->from);
    env_copy("VIGIE_SMTP_USER", "", c->user, sizeof c->user);
    env_copy("VIGIE_SMTP_PASSWORD", "", c->password, sizeof c->password);
    env_copy("VIGIE_SMTP_CAFILE", "", c->cafile, sizeof c->cafile);
    c->backoff = env_int("VIGIE_MAIL_BACKOFF", 60, 1);
    c->backoff_max = env_int("VIGIE_MAIL_BACKOFF_MAX", 3600, 1);
    c->lease = env_int("VIGIE_MAIL_LEASE", 300, 1);
    env_copy("VIGIE_PUBLIC_URL", "http://127.0.0.1:8080", c->public_url, sizeof c->public_url);
    size_t n = strlen(c->public_url);
    while (n > 0 && c->public_url[n - 1] == '/')
        c->public_url[--n] = '\0';
}

int vg_mail_queue(struct vg_store *st, const struct vg_mail_config *c, const char *kind,
                  const char *object, const char *ref, const json_t *to, const char *subject,
                  const char *text, const char *html, long long *id, struct vg_diag *d)
{
    if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > MAX_RCPT)
        return vg_diag_set(d, VG_EINVAL, "to", "a message needs 1 to %d recipients", MAX_RCPT);
    size_t i;
    json_t *a;
    char spec[320];
    json_array_foreach(to, i, a) {
        const char *s = json_string_value(a);
        if (!s || vg_mime_addr_spec(s, spec, sizeof spec) || strcmp(spec, s))
            return vg_diag_set(d, VG_EINVAL, "to", "a recipient is not one plain address");
    }
    char uuid[VG_UUID_LEN + 1], from[320], mid[400], full[1024];
    vg_uuid4(uuid);
    const char *domain = "vigie.invalid";
    if (!vg_mime_addr_spec(c->from, from, sizeof from))
        domain = strrchr(from, '@') + 1;
    snprintf(mid, sizeof mid, "<%s@%s>", uuid, domain);
    if (ref && *ref)
        snprintf(full, sizeof full, "[%s] %s", ref, subject);
    else
        snprintf(full, sizeof full, "%s", subject);
    json_t *msg = json_pack("{s:s,s:s,s:s,s:O,s:s,s:s,s:s}", "message_id", mid, "kind", kind,
                            "object", object ? object : "", "to", to, "subject", full, "text", text,
                            "html", html ? html : "");
    if (!msg)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_store_mail_queue(st, msg, id, d);
    json_decref(msg);
    return rc;
}

/* ---- delivery ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct upload {
    const char *data;
    size_t len, off;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ctx)
{
    struct upload *u = ctx;
    size_t room = size * n, left = u->len - u->off;
    if (room > left)
        room = left;
    memcpy(buf, u->data + u->off, room);
    u->off += room;
    return room;
}

/* The server's last answer line (SMTP responses reach the header callback). */
static size_t on_answer(char *p, size_t size, size_t n, void *ctx)
{
    char *last = ctx;
    size_t len = size * n, k = len;
    while (k && (p[k - 1] == '\r' || p[k - 1] == '\n'))
        k--;
    if (k >= 512)
        k = 511;
    /* only printable ASCII is kept: the answer is shown in the API */
    for (size_t i = 0; i < k; i++)
        last[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
    last[k] = '\0';
    return len;
}

static void retry_time(const struct vg_mail_config *c, long attempts, char out[VG_TIME_LEN])
{
    long delay = c->backoff;
    for (long i = 1; i < attempts && delay < c->backoff_max; i++)
        delay *= 2;
    if (delay > c->backoff_max)
        delay = c->backoff_max;
    if (delay < 1)
        delay = 1;
    vg_time_fmt(time(NULL) + delay, out);
}

/* RETRY_ALL: the session failed (no connection, TLS refused or not offered while a password
 * would cross, AUTH refused): nothing about this message, so it and every message after it
 * wait for the next round, and the round stops rather than knock again (a wrong password
 * tried 10,000 times would lock the account). */
enum outcome { SENT, RETRY, FAILED, RETRY_ALL };

static bool session_error(CURLcode cr)
{
    switch (cr) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM: return true;
    default: return false;
    }
}

/* Sends one claimed message on h; answer = what the server (or curl) said. */
static enum outcome deliver(CURL *h, const struct vg_mail_config *c, const char *from_spec,
                            const json_t *m, char answer[512])
{
    answer[0] = '\0';
    const json_t *to = json_object_get(m, "to");
    size_t n = json_array_size(to);
    const char **rcpt = vg_calloc(n ? n : 1, sizeof *rcpt);
    if (!rcpt) {
        snprintf(answer, 512, "out of memory");
        return RETRY;
    }
    struct curl_slist *list = NULL, *tmp;
    bool ok = true;
    char env[330];
    for (size_t i = 0; i < n && ok; i++) {
        rcpt[i] = json_string_value(json_array_get(to, i));
        snprintf(env, sizeof env, "<%s>", rcpt[i] ? rcpt[i] : "");
        if (!rcpt[i] || !(tmp = curl_slist_append(list, env)))
            ok = false;
        else
            list = tmp;
    }
    char *raw = NULL;
    size_t len = 0;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_mime_msg mm = {
        .from = c->from,
        .to = rcpt,
        .nto = n,
        .subject = json_string_value(json_object_get(m, "subject")),
        .ref = NULL, /* the subject holds it since the queueing */
        .text = json_string_value(json_object_get(m, "text")),
        .html = json_string_value(json_object_get(m, "html")),
        .message_id = json_string_value(json_object_get(m, "message_id")),
        .date = time(NULL),
    };
    enum outcome out = RETRY;
    int brc;
    if (!ok) {
        snprintf(answer, 512, "out of memory");
    } else if ((brc = vg_mime_build(&mm, &raw, &len, &d))) {
        snprintf(answer, 512, "cannot build the message: %s", d.message);
        out = brc == VG_ENOMEM ? RETRY : FAILED;
    } else {
        struct upload up = {raw, len, 0};
        char mail_from[330], err[CURL_ERROR_SIZE] = "";
        snprintf(mail_from, sizeof mail_from, "<%s>", from_spec);
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, list);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &up);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_answer);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, answer);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
        CURLcode cr = curl_easy_perform(h);
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        if (cr == CURLE_OK)
            out = SENT;
        else if (session_error(cr))
            out = RETRY_ALL;
        else if (code >= 500 && code < 600)
            out = FAILED;
        else
            out = RETRY;
        if (cr != CURLE_OK && (code == 0 || !answer[0] || session_error(cr))) {
            /* the server's answer (535 5.7.8 ...) after curl's reason when both exist */
            char said[512];
            snprintf(said, sizeof said, "%s", answer);
            snprintf(answer, 512, "%.250s%s%.250s", err[0] ? err : curl_easy_strerror(cr),
                     said[0] && code ? ": " : "", said[0] && code ? said : "");
        }
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
        curl_easy_setopt(h, CURLOPT_READDATA, NULL);
    }
    free(raw);
    curl_slist_free_all(list);
    free(rcpt);
    return out;
}

int vg_mail_send_due(struct vg_store *st, const struct vg_mail_config *c,
                     struct vg_mail_counts *counts, struct vg_diag *d)
{
    memset(counts, 0, sizeof *counts);
    if (!c->url[0])
        return 0;
    if (strncmp(c->url, "smtp://", 7) && strncmp(c->url, "smtps://", 8))
        return vg_diag_set(d, VG_EINVAL, "url", "the SMTP URL must be smtp:// or smtps://");
    char from_spec[320];
    if (vg_mime_addr_spec(c->from, from_spec, sizeof from_spec))
        return vg_diag_set(d, VG_EINVAL, "from", "the sender's address is not one mailbox");
    pthread_once(&curl_once, init_curl);
    if (curl_init_rc != CURLE_OK)
        return vg_diag_set(d, VG_EIO, "", "cannot start libcurl");
    CURL *h = curl_easy_init();
    if (!h)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* STARTTLS when offered; required when a password would cross the connection */
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(c->user[0] ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (c->user[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
        curl_easy_setopt(h, CURLOPT_SASL_IR, 1L); /* AUTH PLAIN <response>: one round trip */
    }
    if (c->cafile[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cafile);
    /* "now" is taken once: a message retried in this round is due after it, so the round
     * ends */
    char now[VG_TIME_LEN], until[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    int rc = 0;
    bool session_down = false;
    char down[512] = "";
    while (!session_down) {
        vg_time_fmt(time(NULL) + c->lease, until);
        json_t *batch = NULL;
        if ((rc = vg_store_mail_claim(st, now, until, CLAIM_BATCH, &batch, d)))
            break;
        json_t *items = json_object_get(batch, "items");
        size_t i;
        json_t *m;
        json_array_foreach(items, i, m) {
            char answer[512], next[VG_TIME_LEN];
            long long id = (long long)json_integer_value(json_object_get(m, "id"));
            enum outcome o = RETRY;
            if (session_down)
                snprintf(answer, sizeof answer, "%s", down);
            else if ((o = deliver(h, c, from_spec, m, answer)) == RETRY_ALL)
                session_down = true, snprintf(down, sizeof down, "%s", answer);
            if (o == SENT) {
                rc = vg_store_mail_mark(st, id, "sent", NULL, answer, d);
                counts->sent++;
            } else if (o == FAILED) {
                rc = vg_store_mail_mark(st, id, "failed", NULL, answer, d);
                counts->failed++;
            } else {
                retry_time(c, (long)json_integer_value(json_object_get(m, "attempts")), next);
                rc = vg_store_mail_mark(st, id, "queued", next, answer, d);
                counts->retried++;
            }
            if (rc)
                break;
        }
        size_t got = json_array_size(items);
        json_decref(batch);
        if (rc || got < CLAIM_BATCH)
            break;
    }
    curl_easy_cleanup(h);
    return rc;
}

/* A crisis roll-call's mail carries a member's acknowledgement link, a bearer secret: the
 * outbox's listing shows "/ack/" followed by "(hidden)" instead of the token, so that whoever
 * reads the outbox cannot answer in the member's place. The stored message keeps it. */
static void hide_ack_tokens(json_t *msg, const char *field)
{
    const char *s = json_string_value(json_object_get(msg, field));
    if (!s || !strstr(s, "/ack/"))
        return;
    struct vg_buf b;
    vg_buf_init(&b, strlen(s) + 16);
    const char *p = s, *hit;
    int err = 0;
    while ((hit = strstr(p, "/ack/"))) {
        const char *t = hit + 5;
        size_t n = 0;
        while (n < VG_CRISIS_TOKEN_LEN &&
               ((t[n] >= '0' && t[n] <= '9') || (t[n] >= 'a' && t[n] <= 'f')))
            n++;
        err |= vg_buf_append(&b, p, (size_t)(t - p));
        if (n == VG_CRISIS_TOKEN_LEN) {
            err |= vg_buf_puts(&b, "(hidden)");
            t += n;
        }
        p = t;
    }
    err |= vg_buf_puts(&b, p);
    /* out of memory: the whole text hidden rather than a token shown */
    json_object_set_new(msg, field, json_string(err || !b.data ? "(hidden)" : b.data));
    vg_buf_cleanup(&b);
}

int vg_mail_list(struct vg_store *st, const char *state, const struct vg_page *page, json_t **out,
                 struct vg_diag *d)
{
    *out = NULL;
    if (state && *state && strcmp(state, "queued") && strcmp(state, "sent") &&
        strcmp(state, "failed"))
        return vg_diag_set(d, VG_EINVAL, "state", "state is one of queued, sent, failed");
    json_t *f = state && *state ? json_pack("{s:s}", "state", state) : json_object();
    if (!f)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_store_mail_list(st, f, page, out, d);
    json_decref(f);
    size_t i;
    json_t *m;
    if (!rc) {
        json_array_foreach(json_object_get(*out, "items"), i, m) {
            hide_ack_tokens(m, "text");
            hide_ack_tokens(m, "html");
        }
    }
    return rc;
}

int vg_mail_org_recipients(struct vg_store *st, long long org, const char *kind, json_t **out,
                           struct vg_diag *d)
{
    *out = NULL;
    unsigned long before = vg_mem_thread_failures();
    json_t *o = NULL;
    int rc = vg_store_org_get(st, org, &o);
    if (rc == VG_ENOENT)
        return rc;
    if (rc)
        return vg_diag_set(d, rc, "org", "cannot read organisation %lld", org);
    json_t *res = json_object();
    json_t *seen = json_object();
    size_t i, n = 0;
    json_t *c;
    char spec[320];
    json_array_foreach(json_object_get(o, "contacts"), i, c) {
        const char *e = json_string_value(json_object_get(c, "email"));
        if (!e || vg_mime_addr_spec(e, spec, sizeof spec) || strcmp(spec, e))
            continue; /* an address that is not one plain mailbox is not written to */
        if (vg_contact_opted_out(c, kind) || json_object_get(seen, e) || n >= MAX_RCPT)
            continue;
        const char *lang = json_string_value(json_object_get(c, "lang"));
        if (!vg_contact_lang_ok(lang))
            lang = "";
        json_t *g = json_object_get(res, lang);
        if (!g) {
            g = json_array();
            json_object_set_new(res, lang, g);
        }
        json_array_append_new(g, json_string(e));
        json_object_set_new(seen, e, json_true());
        n++;
    }
    json_decref(seen);
    json_decref(o);
    if (!res || vg_mem_thread_failures() != before) {
        json_decref(res);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    *out = res;
    return 0;
}

/* Queues the mail of event ev about incident inc to its organisation's contacts, one message
 * per language group; *queued = how many. */
static int incident_mail(struct vg_store *st, const json_t *inc, struct vg_incident_mail *ev,
                         int *queued, struct vg_diag *d)
{
    static const char *const langs[] = {"fr", "en", ""};
    if (queued)
        *queued = 0;
    long long org = (long long)json_integer_value(json_object_get(inc, "org"));
    if (org <= 0)
        return 0;
    struct vg_recipient r = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, org, 0};
    if (!vg_tlp_may_send_name(json_string_value(json_object_get(inc, "tlp")), org, &r))
        return 0;
    json_t *groups = NULL;
    int rc = vg_mail_org_recipients(st, org, "incident", &groups, d);
    if (rc == VG_ENOENT || (!rc && json_object_size(groups) == 0)) {
        json_decref(groups);
        return 0;
    }
    if (rc)
        return rc;
    struct vg_mail_config cfg;
    if ((rc = vg_mail_config_load(st, &cfg, d))) {
        json_decref(groups);
        return rc;
    }
    const char *ref = json_string_value(json_object_get(inc, "ref"));
    struct vg_buf subject, text, html;
    /* a note of VG_MAX_STR_FIELD bytes, each escaped in six, with room for the rest */
    vg_buf_init(&subject, 4096);
    vg_buf_init(&text, 2 * VG_MAX_STR_FIELD + 64 * 1024);
    vg_buf_init(&html, 6 * VG_MAX_STR_FIELD + 128 * 1024);
    for (size_t i = 0; i < sizeof langs / sizeof langs[0] && !rc; i++) {
        const json_t *to = json_object_get(groups, langs[i]);
        if (!to)
            continue;
        vg_buf_reset(&subject);
        vg_buf_reset(&text);
        vg_buf_reset(&html);
        ev->lang = langs[i];
        if ((rc = vg_notify_incident(inc, ev, &subject, &text, &html))) {
            rc = vg_diag_set(d, rc, "", "cannot write the incident's mail");
            break;
        }
        rc = vg_mail_queue(st, &cfg, "incident", ref, ref, to, subject.data, text.data, html.data,
                           NULL, d);
        if (!rc && queued)
            (*queued)++;
    }
    vg_buf_cleanup(&subject);
    vg_buf_cleanup(&text);
    vg_buf_cleanup(&html);
    json_decref(groups);
    return rc;
}

int vg_mail_incident_opened(struct vg_store *st, const json_t *inc, int *queued, struct vg_diag *d)
{
    struct vg_incident_mail ev = {.event = VG_INCIDENT_OPENED};
    return incident_mail(st, inc, &ev, queued, d);
}

int vg_mail_incident_status(struct vg_store *st, const json_t *inc, const char *from, int *queued,
                            struct vg_diag *d)
{
    struct vg_incident_mail ev = {.event = VG_INCIDENT_STATUS, .from = from};
    return incident_mail(st, inc, &ev, queued, d);
}

int vg_mail_incident_note(struct vg_store *st, const json_t *inc, const char *text, int *queued,
                          struct vg_diag *d)
{
    struct vg_incident_mail ev = {.event = VG_INCIDENT_NOTE, .note = text};
    return incident_mail(st, inc, &ev, queued, d);
}

/* ---- the sender thread ---- */

struct vg_mail_sender {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int interval;
    struct vg_store *st;
    char last_error[256]; /* the last error said, not said again round after round */
};

/* One round: the configuration read again (a `vigie config set` made since takes effect
 * here), then what is due delivered. */
static void sender_round(struct vg_mail_sender *s)
{
    struct vg_mail_config cfg;
    struct vg_mail_counts n;
    struct vg_diag d;
    vg_diag_clear(&d);
    /* what is due to be said first (digests, alerts, crisis reminders), so that this round
     * delivers it; each queues in its own transactions and a failure does not stop the rest */
    time_t now = time(NULL);
    struct vg_diag pd;
    vg_diag_clear(&pd);
    if (vg_notify_round(s->st, now, NULL, &pd))
        fprintf(stderr, "vigie serve: mail: notifications: %s\n", pd.message);
    struct vg_crisis_tick_counts tc;
    vg_diag_clear(&pd);
    if (vg_crisis_tick(s->st, now, &tc, &pd))
        fprintf(stderr, "vigie serve: mail: crisis reminders: %s\n", pd.message);
    int rc = vg_mail_config_load(s->st, &cfg, &d);
    if (!rc)
        rc = vg_mail_send_due(s->st, &cfg, &n, &d); /* no URL: does nothing */
    memset(cfg.password, 0, sizeof cfg.password);
    if (rc && strcmp(d.message, s->last_error))
        fprintf(stderr, "vigie serve: mail: %s\n", d.message);
    snprintf(s->last_error, sizeof s->last_error, "%s", rc ? d.message : "");
}

static void *sender_main(void *arg)
{
    struct vg_mail_sender *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        pthread_mutex_unlock(&s->mu);
        sender_round(s);
        pthread_mutex_lock(&s->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->interval;
        while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

struct vg_mail_sender *vg_mail_sender_start(const char *path, const struct vg_store_config *cfg,
                                            int interval, struct vg_diag *d)
{
    struct vg_mail_sender *s = vg_calloc(1, sizeof *s);
    if (!s) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    s->interval = interval < 1 ? 1 : interval;
    if (!(s->st = vg_store_open(path, cfg, d))) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, sender_main, s)) {
        vg_diag_set(d, VG_EIO, "", "cannot start the mail sender thread");
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        vg_store_close(s->st);
        free(s);
        return NULL;
    }
    return s;
}

void vg_mail_sender_stop(struct vg_mail_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    vg_store_close(s->st);
    free(s);
}
