/* The console's login and logout (web/web.h): a form posting the user name and password to
 * /console/login, checked on the hash pool as POST /api/v1/login is (rate limit included),
 * then a session minted (app/auth.h, kind "session") and its secret set as an HttpOnly,
 * SameSite=Strict cookie on /console; logout revokes it. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app/auth.h"
#include "http/server.h"
#include "util/log.h"
#include "web/page.h"
#include "web/web.h"

/* Where to go after the login: a console path given as ?next=, else the console's home. The
 * path must stay in /console/ as a browser reads it: made of the characters of a path and a
 * query only (a tab or a newline, which browsers drop, could join "/" and "/"), no "//", no
 * '\\', and no dot segment in its path, written or percent-encoded ("/console/../x" and
 * "/console/%2e%2e/x" are "/x" to a browser). */
static const char *next_path(const char *next)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                             "/-._~%!$&'()*+,;=:@?";
    if (!next || strncmp(next, "/console/", 9) != 0 || strlen(next) >= 200 ||
        strspn(next, ok) != strlen(next) || strstr(next, "//"))
        return "/console/";
    size_t path = strcspn(next, "?#");
    for (size_t i = 0; i < path; i++) {
        if (next[i] != '/')
            continue;
        /* the segment after this '/' is "." or "..", maybe percent-encoded */
        size_t j = i + 1, dots = 0;
        while (j < path) {
            if (next[j] == '.') {
                j++;
            } else if (next[j] == '%' && j + 2 < path && next[j + 1] == '2' &&
                       (next[j + 2] == 'e' || next[j + 2] == 'E')) {
                j += 3;
            } else {
                break;
            }
            dots++;
        }
        if (dots && (j == path || next[j] == '/'))
            return "/console/";
    }
    return next;
}

/* The login form; name (kept when a login failed) and an error above it. */
static void login_page(struct vg_req *req, struct vg_resp *r, int status, const char *name,
                       const char *next, const char *error)
{
    struct vg_html h;
    vg_html_init(&h, 64 * 1024);
    struct vg_page_frame p = {.title = "Log in to the console", .section = "console"};
    vg_page_begin(&h, req, &p);
    if (error)
        vg_html_elem(&h, "p", error, "class", "error-message", "role", "alert", NULL);
    vg_html_open(&h, "form", "method", "post", "action", "/console/login", "class", "login", NULL);
    vg_html_void(&h, "input", "type", "hidden", "name", "next", "value", next_path(next), NULL);
    vg_page_input(&h, "name", "User name", "text", name, NULL, true);
    vg_page_input(&h, "password", "Password", "password", NULL, NULL, true);
    vg_html_elem(&h, "button", "Log in", "type", "submit", NULL);
    vg_html_close(&h, "form");
    vg_page_end(&h, r, status);
}

void vg_web_login_form(struct vg_req *req, struct vg_resp *r)
{
    login_page(req, r, 200, NULL, vg_req_arg(req, "next"), NULL);
}

/* The login's errors (the server's: 400, 401, 429, 503) shown on the login form again. */
void vg_web_login_error(struct vg_req *req, struct vg_resp *r)
{
    const json_t *err = json_object_get(r->json, "error");
    const char *msg = json_string_value(json_object_get(err, "message"));
    int status = r->status, retry = r->retry_after;
    char text[400];
    snprintf(text, sizeof text, "%s",
             status == 401 ? "Wrong user name or password."
             : msg         ? msg
                           : "The login failed.");
    json_decref(r->json);
    r->json = NULL;
    login_page(req, r, status, vg_form_get(&req->form, "name"), vg_form_get(&req->form, "next"),
               text);
    r->retry_after = retry;
}

void vg_web_login_post(struct vg_req *req, struct vg_resp *r)
{
    const char *name = vg_form_get(&req->form, "name");
    if (!name || req->login_user <= 0) { /* not through the pool: nothing was checked */
        vg_resp_error(r, 401, "unauthorized", NULL, "wrong user name or password");
        return;
    }
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    struct vg_auth_policy policy = {cfg->session_ttl, 0, "session"};
    char tok[VG_TOKEN_LEN + 1], role[16], expires[VG_TIME_LEN];
    long long id;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_auth_login_mint(req->st, name, req->login_user, &policy, tok, &id, role,
                                sizeof role, expires, &d);
    if (rc == VG_EPERM) {
        vg_resp_error(r, 401, "unauthorized", NULL, "%s", d.message);
        return;
    }
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    char cookie[256];
    long long ttl = cfg->session_ttl > 0 ? cfg->session_ttl : VG_SESSION_TTL;
    snprintf(cookie, sizeof cookie,
             "vigie_session=%s; Path=/console; HttpOnly; SameSite=Strict; Max-Age=%lld%s", tok, ttl,
             cfg->cookie_secure ? "; Secure" : "");
    sodium_memzero(tok, sizeof tok);
    vg_resp_header(r, "Set-Cookie", cookie);
    sodium_memzero(cookie, sizeof cookie);
    vg_page_redirect(r, next_path(vg_form_get(&req->form, "next")));
}

void vg_web_logout(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_store_token_revoke(req->st, req->session_id, 0, &d);
    if (rc && rc != VG_ENOENT) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    char cookie[160];
    snprintf(cookie, sizeof cookie,
             "vigie_session=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0%s",
             cfg->cookie_secure ? "; Secure" : "");
    vg_resp_header(r, "Set-Cookie", cookie);
    vg_page_redirect(r, "/console/login");
}
