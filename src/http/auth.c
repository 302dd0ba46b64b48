/* Bearer tokens on requests: "Authorization: Bearer vgt_..." (a user's) or "vgp_..." (a
 * partner CERT's, also as HTTP Basic: its id and token) is read here and checked by app/auth.c
 * against the store; the route's least role is enforced here too, and a partner kept to the
 * sharing routes. Token uses are noted in memory and written by the database thread; password
 * logins are admitted and checked here for the server (server.c hands them from a worker to
 * the hash pool). */
#include "http/auth.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "app/auth.h"
#include "app/partner.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/time.h"

#define USES_MAX   256 /* token uses waiting to be written */
#define USE_PERIOD 60  /* seconds: a token's last use is written at most once per period */

struct use {
    long long id; /* the token: a user's, or a partner's (their ids are of two tables) */
    bool partner;
    char when[VG_TIME_LEN];
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

/* Notes a use of the token of meta now, if its recorded last use is a period old. */
static void note_use(struct vg_token_uses *u, const struct vg_token_meta *meta)
{
    time_t last, now = time(NULL);
    if (!u || (meta->last_used[0] && vg_time_parse(meta->last_used, &last) == 0 &&
               now - last < USE_PERIOD))
        return;
    char when[VG_TIME_LEN];
    vg_time_now(when);
    pthread_mutex_lock(&u->lock);
    size_t i = 0;
    bool partner = strcmp(meta->kind, "partner") == 0;
    while (i < u->n && (u->uses[i].id != meta->id || u->uses[i].partner != partner))
        i++;
    if (i < USES_MAX) {
        u->uses[i].id = meta->id;
        u->uses[i].partner = partner;
        memcpy(u->uses[i].when, when, sizeof when);
        if (i == u->n)
            u->n++;
    }
    pthread_mutex_unlock(&u->lock);
}

void vg_token_uses_flush(struct vg_token_uses *u, struct vg_store *st)
{
    if (!u)
        return;
    struct use taken[USES_MAX]; /* 18 KiB of the caller's stack */
    pthread_mutex_lock(&u->lock);
    size_t n = u->n;
    memcpy(taken, u->uses, n * sizeof *taken);
    u->n = 0;
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

int vg_http_auth_route(struct vg_req *req, struct vg_resp *r, const struct vg_route *route)
{
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

int vg_http_login_admit(struct vg_req *req, struct vg_resp *r, struct vg_loginlimit *ll)
{
    static const char *const fields[] = {"name", "password", NULL};
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
    const char *name = vg_json_str(req->json, "name"), *pw = vg_json_str(req->json, "password");
    if (!name || !pw) {
        vg_resp_error(r, 400, "invalid", name ? "/password" : "/name",
                      "name and password are required strings");
        return -1;
    }
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
    const char *name = vg_json_str(req->json, "name"), *pw = vg_json_str(req->json, "password");
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
