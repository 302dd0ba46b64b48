/* Bearer tokens on requests: "Authorization: Bearer vgt_..." (a user's) or "vgp_..." (a
 * partner CERT's, also as HTTP Basic: its id and token) is read here and checked by app/auth.c
 * against the store; the route's least role is enforced here too, and a partner kept to the
 * sharing routes. Token uses are noted in memory and written by the database thread; password
 * logins are admitted and checked here for the server (server.c hands them from a worker to
 * the hash pool). */
#include "http/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "app/auth.h"
#include "app/partner.h"
#include "util/html.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/time.h"

#define USES_MAX   256 /* tokens whose last use is kept in memory */
#define USE_PERIOD 60  /* seconds: a token's last use is written at most once per period */

/* A token's last use as this process knows it. A console session's idle expiry is judged on
 * it, to the second (`t` moves with every request of a session), while the database gets the
 * time at most once a period: a use is `dirty` (to be written by the database thread) when
 * the database's is a period older. */
struct use {
    long long id; /* the token: a user's, or a partner's (their ids are of two tables) */
    bool partner;
    bool dirty;             /* when is newer than the database's and waits to be written */
    time_t t;               /* its last use */
    char when[VG_TIME_LEN]; /* the same, as written (to the microsecond) */
};

struct vg_token_uses {
    pthread_mutex_t lock;
    size_t n;
    struct use uses[USES_MAX];
};

struct vg_token_uses *vg_token_uses_new(void)
{
    struct vg_token_uses *u = vg_calloc(1, sizeof *u);
    if (u)
        pthread_mutex_init(&u->lock, NULL);
    return u;
}

void vg_token_uses_free(struct vg_token_uses *u)
{
    if (!u)
        return;
    pthread_mutex_destroy(&u->lock);
    free(u);
}

/* The slot of a token in u (locked), or u->n if it has none. */
static size_t use_find(const struct vg_token_uses *u, long long id, bool partner)
{
    size_t i = 0;
    while (i < u->n && (u->uses[i].id != id || u->uses[i].partner != partner))
        i++;
    return i;
}

/* The database's last use of meta's token, 0 if none. */
static time_t db_use(const struct vg_token_meta *meta)
{
    time_t last = 0;
    if (!meta->last_used[0] || vg_time_parse(meta->last_used, &last) != 0)
        return 0;
    return last;
}

/* The last use of meta's token: the later of the database's and this process's. */
static time_t last_use(struct vg_token_uses *u, const struct vg_token_meta *meta)
{
    time_t last = db_use(meta);
    if (!u)
        return last;
    bool partner = strcmp(meta->kind, "partner") == 0;
    pthread_mutex_lock(&u->lock);
    size_t i = use_find(u, meta->id, partner);
    if (i < u->n && u->uses[i].t > last)
        last = u->uses[i].t;
    pthread_mutex_unlock(&u->lock);
    return last;
}

/* Notes a use of the token of meta now. An API token whose recorded use is less than a period
 * old is left alone (no lock: the common case); a session's use is noted every time, as its
 * idle expiry needs. When the table is full, the slot of the oldest use already written is
 * taken; if every one waits to be written, the use is not noted (the token's next request
 * notes it again). */
static void note_use(struct vg_token_uses *u, const struct vg_token_meta *meta)
{
    time_t now = time(NULL), db = db_use(meta);
    bool session = strcmp(meta->kind, "session") == 0;
    bool behind = !db || now - db >= USE_PERIOD; /* the database needs this use */
    if (!u || (!session && !behind))
        return;
    bool partner = strcmp(meta->kind, "partner") == 0;
    char when[VG_TIME_LEN];
    vg_time_now(when);
    pthread_mutex_lock(&u->lock);
    size_t i = use_find(u, meta->id, partner);
    if (i == u->n) {
        if (u->n < USES_MAX) {
            u->n++;
        } else { /* full: the slot of the oldest use written */
            i = USES_MAX;
            for (size_t k = 0; k < u->n; k++)
                if (!u->uses[k].dirty && (i == USES_MAX || u->uses[k].t < u->uses[i].t))
                    i = k;
        }
        if (i < USES_MAX)
            u->uses[i] = (struct use){.id = meta->id, .partner = partner, .t = 0};
    }
    if (i < USES_MAX) {
        struct use *x = &u->uses[i];
        if (x->t <= now) {
            x->t = now;
            memcpy(x->when, when, sizeof when);
        }
        x->dirty = x->dirty || behind;
    }
    pthread_mutex_unlock(&u->lock);
}

void vg_token_uses_flush(struct vg_token_uses *u, struct vg_store *st)
{
    if (!u)
        return;
    struct use taken[USES_MAX]; /* 14 KiB of the caller's stack */
    size_t n = 0;
    pthread_mutex_lock(&u->lock);
    for (size_t i = 0; i < u->n; i++) {
        if (u->uses[i].dirty) {
            u->uses[i].dirty = false; /* kept: the slot still answers last_use() */
            taken[n++] = u->uses[i];
        }
    }
    pthread_mutex_unlock(&u->lock);
    for (size_t i = 0; i < n; i++) {
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = taken[i].partner ? vg_store_partner_token_touch(st, taken[i].id, taken[i].when, &d)
                                  : vg_store_token_touch(st, taken[i].id, taken[i].when, &d);
        if (rc != 0)
            vg_warn("cannot record the use of %stoken %lld: %s", taken[i].partner ? "partner " : "",
                    taken[i].id, d.message);
    }
}

/* A partner's HTTP Basic credentials: base64 of "ID:TOKEN", its id as the user name and one of
 * its tokens as the password. 0 with req->actor filled, or VG_ENOENT (not that form, not a
 * partner's token, or a token of another partner), or the store's error. */
static int basic_check(struct vg_req *req, const char *cred, struct vg_token_meta *meta)
{
    unsigned char raw[256];
    size_t n = 0;
    int rc = VG_ENOENT;
    if (sodium_base642bin(raw, sizeof raw - 1, cred, strlen(cred), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return VG_ENOENT;
    raw[n] = '\0';
    const char *user = (const char *)raw, *colon = memchr(raw, ':', n);
    size_t ulen = colon ? (size_t)(colon - user) : 0;
    long long id = 0;
    if (ulen >= 1 && ulen <= 18 && strspn(user, "0123456789") == ulen && user[0] != '0') {
        for (size_t i = 0; i < ulen; i++)
            id = id * 10 + (user[i] - '0');
        const char *pw = colon + 1;
        rc = vg_partner_token_check(req->st, pw, n - ulen - 1, &req->actor, meta);
        if (rc == 0 && req->actor.partner_id != id)
            rc = VG_ENOENT; /* the token of another partner */
    }
    sodium_memzero(raw, sizeof raw);
    return rc;
}

/* The console's cookie, "vigie_session=TOKEN" among the request's cookies; NULL if absent. Its
 * value is copied into out (cap bytes). */
static const char *session_cookie(struct vg_req *req, char *out, size_t cap)
{
    const char *c = vg_req_header(req, "Cookie");
    static const char name[] = "vigie_session=";
    while (c && *c) {
        c += strspn(c, " \t;");
        if (!strncmp(c, name, sizeof name - 1)) {
            c += sizeof name - 1;
            size_t n = strcspn(c, "; \t");
            if (n == 0 || n >= cap)
                return NULL;
            memcpy(out, c, n);
            out[n] = '\0';
            return out;
        }
        c = strchr(c, ';');
    }
    return NULL;
}

/* Sends a browser without a live session to the login page, and back here after it (a GET;
 * after a form it goes to the console's home). */
static void to_login(struct vg_req *req, struct vg_resp *r, const char *why)
{
    vg_resp_error(r, 401, "unauthorized", NULL, "%s", why);
    r->status = 303;
    const char *path = req->path ? req->path : "/console/";
    if (strcmp(req->method, "GET") != 0 || strlen(path) > 160 || strchr(path, '"'))
        path = "/console/";
    struct vg_buf b;
    vg_buf_init(&b, sizeof r->location);
    vg_buf_puts(&b, "/console/login?next=");
    vg_url_encode(&b, path);
    snprintf(r->location, sizeof r->location, "%s", b.failed ? "/console/login" : b.data);
    vg_buf_cleanup(&b);
}

/* A console route: the session of the cookie, alive (not expired, not idle too long), its
 * role, and for a form its CSRF token. */
static int session_auth(struct vg_req *req, struct vg_resp *r, const struct vg_route *route)
{
    char tok[VG_TOKEN_LEN + 8];
    struct vg_token_meta meta;
    const struct vg_server_config *cfg = req->srv ? vg_server_config(req->srv) : NULL;
    long long idle = cfg && cfg->session_idle > 0 ? cfg->session_idle : VG_SESSION_IDLE;
    memset(&req->actor, 0, sizeof req->actor);
    if (!session_cookie(req, tok, sizeof tok)) {
        to_login(req, r, "log in first");
        return -1;
    }
    int rc = vg_auth_token_check(req->st, tok, strlen(tok), &req->actor, &meta);
    time_t last = 0, now = time(NULL);
    if (rc == 0 && strcmp(meta.kind, "session") != 0)
        rc = VG_ENOENT; /* an API token is not a session */
    struct vg_token_uses *uses = req->srv ? vg_server_token_uses(req->srv) : NULL;
    if (rc == 0 && (last = last_use(uses, &meta)) != 0 && now - last > idle)
        rc = VG_EPERM; /* idle: the last use this process saw, or the database's */
    if (rc == VG_ENOENT || rc == VG_EPERM) {
        memset(&req->actor, 0, sizeof req->actor);
        to_login(req, r,
                 rc == VG_EPERM ? "the session expired; log in again"
                                : "the session is unknown or ended; log in again");
        sodium_memzero(tok, sizeof tok);
        return -1;
    }
    if (rc) {
        memset(&req->actor, 0, sizeof req->actor);
        vg_error("cannot check a session: %s", vg_strerror(rc));
        vg_resp_error(r, 500, "internal", NULL, "internal error");
        sodium_memzero(tok, sizeof tok);
        return -1;
    }
    req->session_id = meta.id;
    vg_auth_csrf(tok, req->csrf);
    bool form = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
    bool csrf_ok = !form || vg_auth_csrf_ok(tok, vg_form_get(&req->form, "csrf"));
    sodium_memzero(tok, sizeof tok);
    note_use(uses, &meta);
    if (!csrf_ok) {
        vg_resp_error(r, 403, "csrf", "csrf",
                      "the form's CSRF token is missing or not this session's; reload the page "
                      "and send it again");
        return -1;
    }
    if (vg_auth_role_rank(req->actor.role) < (int)route->access) {
        vg_resp_error(r, 403, "forbidden", NULL, "role '%s' may not %s %s", req->actor.role,
                      req->method, req->path);
        return -1;
    }
    return 0;
}

void vg_http_auth_prefetch(struct vg_store *st, struct vg_req *const *reqs, int n)
{
    struct tok {
        char v[VG_TOKEN_LEN + 8];
    } *toks = n > 0 ? vg_calloc((size_t)n * 2, sizeof *toks) : NULL;
    struct vg_str *strs = toks ? vg_calloc((size_t)n * 2, sizeof *strs) : NULL;
    size_t k = 0;
    for (int i = 0; strs && i < n; i++) {
        const char *h = vg_req_header(reqs[i], "Authorization");
        if (h && strncasecmp(h, "Bearer ", 7) == 0 && strlen(h + 7) < sizeof toks[k].v) {
            snprintf(toks[k].v, sizeof toks[k].v, "%s", h + 7);
            strs[k] = vg_str_c(toks[k].v);
            k++;
        }
        if (session_cookie(reqs[i], toks[k].v, sizeof toks[k].v)) {
            strs[k] = vg_str_c(toks[k].v);
            k++;
        }
    }
    if (k)
        vg_auth_prefetch(st, strs, k); /* on failure each request asks the store */
    if (toks)
        sodium_memzero(toks, (size_t)n * 2 * sizeof *toks);
    free(toks);
    free(strs);
}

void vg_http_auth_prefetch_end(struct vg_store *st)
{
    vg_auth_prefetch_end(st);
}

int vg_http_auth_route(struct vg_req *req, struct vg_resp *r, const struct vg_route *route)
{
    if (route->flags & VG_ROUTE_SESSION)
        return session_auth(req, r, route);
    bool share = route->flags & VG_ROUTE_SHARE, required = route->access != VG_PUBLIC;
    r->basic_auth = share;
    const char *h = vg_req_header(req, "Authorization");
    if (!h) {
        if (required)
            vg_resp_error(r, 401, "unauthorized", NULL,
                          share ? "credentials are required: Authorization: Bearer TOKEN, or "
                                  "HTTP Basic with a partner's id and token"
                                : "a token is required: Authorization: Bearer TOKEN");
        return required ? -1 : 0;
    }
    struct vg_token_meta meta;
    int rc = VG_ENOENT;
    if (strncasecmp(h, "Bearer ", 7) == 0)
        rc = vg_auth_token_check(req->st, h + 7, strlen(h + 7), &req->actor, &meta);
    else if (strncasecmp(h, "Basic ", 6) == 0)
        rc = basic_check(req, h + 6, &meta);
    if (rc == 0 && !strcmp(meta.kind, "session"))
        rc = VG_ENOENT; /* a console session is a cookie, never a bearer token */
    if (rc) {
        memset(&req->actor, 0, sizeof req->actor);
        if (rc == VG_ENOENT) {
            vg_resp_error(r, 401, "unauthorized", NULL, "invalid or revoked token");
        } else if (rc == VG_EPERM) {
            vg_resp_error(r, 401, "unauthorized", NULL, "the token expired at %s; log in again",
                          meta.expires);
        } else { /* the store failed: not the caller's fault */
            vg_error("cannot check a token: %s", vg_strerror(rc));
            vg_resp_error(r, 500, "internal", NULL, "internal error");
        }
        return -1;
    }
    note_use(req->srv ? vg_server_token_uses(req->srv) : NULL, &meta);
    if (req->actor.partner_id) { /* a partner CERT: the sharing routes, whatever their role */
        if (share)
            return 0;
        vg_resp_error(r, 403, "forbidden", NULL,
                      "a partner's token may use only the sharing routes, not %s %s", req->method,
                      req->path);
        return -1;
    }
    if (required && vg_auth_role_rank(req->actor.role) < (int)route->access) {
        vg_resp_error(r, 403, "forbidden", NULL, "role '%s' may not %s %s", req->actor.role,
                      req->method, req->path);
        return -1;
    }
    return 0;
}

int vg_http_auth(struct vg_req *req, struct vg_resp *r, enum vg_access least)
{
    const struct vg_route route = {.access = least};
    return vg_http_auth_route(req, r, &route);
}

/* A login's name and password: from its form (the console's login page) or its JSON body. */
static void login_fields(struct vg_req *req, const char **name, const char **pw)
{
    if (req->form.fields) {
        *name = vg_form_get(&req->form, "name");
        *pw = vg_form_get(&req->form, "password");
    } else {
        *name = vg_json_str(req->json, "name");
        *pw = vg_json_str(req->json, "password");
    }
}

int vg_http_login_admit(struct vg_req *req, struct vg_resp *r, struct vg_loginlimit *ll)
{
    static const char *const fields[] = {"name", "password", NULL};
    const char *name, *pw;
    if (req->form.fields) {
        /* login CSRF: a page of another site posting its own credentials would log the
         * browser in as someone else; browsers say where a request comes from */
        const char *site = vg_req_header(req, "Sec-Fetch-Site");
        if (site && !strcasecmp(site, "cross-site")) {
            vg_resp_error(r, 403, "forbidden", NULL,
                          "a login sent from another site's page is refused; open the login "
                          "page of the console and log in there");
            return -1;
        }
        login_fields(req, &name, &pw);
        if (!name || !*name || !pw || !*pw) {
            vg_resp_error(r, 400, "invalid", name && *name ? "/password" : "/name",
                          "the user name and the password are required");
            return -1;
        }
        goto limit;
    }
    if (!req->json) { /* no body, not JSON or not an object: vg_req_json says which */
        json_decref(vg_req_json(req, r));
        return -1;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_json_check_fields(req->json, fields, "/", &d)) {
        vg_resp_diag(r, VG_EINVAL, &d);
        return -1;
    }
    name = vg_json_str(req->json, "name");
    pw = vg_json_str(req->json, "password");
    if (!name || !pw) {
        vg_resp_error(r, 400, "invalid", name ? "/password" : "/name",
                      "name and password are required strings");
        return -1;
    }
limit:;
    int wait = 0;
    if (ll && !vg_loginlimit_take(ll, req->client, name, &wait)) {
        vg_resp_error(r, 429, "rate_limited", NULL,
                      "too many failed logins from this address or for this name; retry in %d s",
                      wait);
        r->retry_after = wait;
        return -1;
    }
    return 0;
}

int vg_http_login_verify(struct vg_req *req, struct vg_resp *r, struct vg_store *st,
                         struct vg_loginlimit *ll)
{
    const char *name, *pw;
    login_fields(req, &name, &pw);
    struct vg_diag d;
    vg_diag_clear(&d);
    long long uid = 0;
    int rc = name && pw ? vg_auth_password_check(st, name, pw, &uid, &d) : VG_EPERM;
    if (rc == 0) {
        req->login_user = uid;
        if (ll)
            vg_loginlimit_succeeded(ll, req->client, name);
        return 0;
    }
    if (rc == VG_EPERM) {
        if (ll && name)
            vg_loginlimit_failed(ll, req->client, name);
        vg_resp_error(r, 401, "unauthorized", NULL, "wrong user name or password");
    } else {
        vg_error("login: %s", d.message);
        vg_resp_error(r, 500, "internal", NULL, "internal error");
    }
    return -1;
}
