/* Handlers for who is calling: health, taxonomy, login, users, tokens, audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model.h"
#include "core/rsit.h"
#include "api/api.h"
#include "app/auth.h"
#include "util/json.h"
#include "util/str.h"
#include "util/time.h"
#include "util/version.h"

void vg_api_health(struct vg_req *req, struct vg_resp *r)
{
    json_t *out = json_pack("{s:s,s:s}", "status", "ok", "version", VG_VERSION);
    struct vg_eve_counts eve;
    if (out && vg_server_eve_counts(req->srv, &eve))
        json_object_set_new(out, "eve_socket",
                            json_pack("{s:I,s:I,s:I,s:I,s:I}", "connections",
                                      (json_int_t)eve.connections, "lines", (json_int_t)eve.lines,
                                      "dropped", (json_int_t)eve.dropped, "malformed",
                                      (json_int_t)eve.malformed, "lost", (json_int_t)eve.lost));
    struct vg_write_counts w;
    vg_server_write_counts(req->srv, &w);
    if (out)
        json_object_set_new(out, "writes",
                            json_pack("{s:I,s:I,s:I,s:I}", "batches", (json_int_t)w.batches,
                                      "requests", (json_int_t)w.requests, "grouped",
                                      (json_int_t)w.grouped, "groups", (json_int_t)w.groups));
    vg_resp_json(r, 200, out);
}

void vg_api_taxonomy(struct vg_req *req, struct vg_resp *r)
{
    (void)req;
    json_t *classes = json_array();
    for (size_t i = 0; i < vg_rsit_nclasses; i++) {
        json_t *types = json_array();
        for (size_t j = 0; vg_rsit_classes[i].types[j]; j++)
            json_array_append_new(types, json_string(vg_rsit_classes[i].types[j]));
        json_array_append_new(classes,
                              json_pack("{s:s,s:s,s:o}", "class", vg_rsit_classes[i].name, "label",
                                        vg_rsit_classes[i].label, "types", types));
    }
    vg_resp_json(r, 200, json_pack("{s:s,s:o}", "taxonomy", "rsit", "classes", classes));
}

void vg_api_me(struct vg_req *req, struct vg_resp *r)
{
    vg_resp_json(r, 200,
                 json_pack("{s:I,s:s,s:s}", "id", (json_int_t)req->actor.user_id, "name",
                           req->actor.name, "role", req->actor.role));
}

/* The password was checked on the hash pool (http/auth.h, req->login_user); this mints the
 * token, on the database thread. */
void vg_api_login(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    const char *name = vg_json_str(in, "name");
    if (!name || req->login_user <= 0) { /* not through the pool: nothing was checked */
        vg_resp_error(r, 401, "unauthorized", NULL, "wrong user name or password");
        goto out;
    }
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    struct vg_auth_policy policy = {cfg->login_token_ttl, cfg->login_tokens_max, "login"};
    char tok[VG_TOKEN_LEN + 1], role[16], expires[VG_TIME_LEN];
    long long id;
    int rc = vg_auth_login_mint(req->st, name, req->login_user, &policy, tok, &id, role,
                                sizeof role, expires, &d);
    if (rc == VG_EPERM) {
        vg_resp_error(r, 401, "unauthorized", NULL, "%s", d.message);
        goto out;
    }
    if (rc) {
        vg_resp_diag(r, rc, &d);
        goto out;
    }
    vg_resp_json(r, 201,
                 json_pack("{s:s,s:I,s:s,s:s}", "token", tok, "id", (json_int_t)id, "role", role,
                           "expires", expires));
out:
    json_decref(in);
}

void vg_api_users_list(struct vg_req *req, struct vg_resp *r)
{
    json_t *arr;
    if (vg_store_user_list(req->st, &arr) != 0) {
        vg_resp_diag(r, VG_EIO, NULL);
        return;
    }
    vg_resp_json(r, 200, json_pack("{s:o}", "items", arr));
}

void vg_api_users_create(struct vg_req *req, struct vg_resp *r)
{
    static const char *const fields[] = {"name", "role", "password", NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    if (vg_json_check_fields(in, fields, "/", &d)) {
        vg_resp_diag(r, VG_EINVAL, &d);
        goto out;
    }
    const char *name = vg_json_str(in, "name"), *role = vg_json_str(in, "role"),
               *pw = vg_json_str(in, "password");
    if (!name || !*name || strlen(name) > 64 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz"
                     "0123456789._-") != strlen(name)) {
        vg_resp_error(r, 400, "invalid", "/name", "/name must be 1-64 of [a-z0-9._-]");
        goto out;
    }
    if (!role || vg_name_index(vg_role_names, role) < 0) {
        vg_resp_error(r, 400, "invalid", "/role", "/role must be one of: admin, analyst, reader");
        goto out;
    }
    if (json_object_get(in, "password") && (!pw || strlen(pw) < 12 || strlen(pw) > 1024)) {
        vg_resp_error(r, 400, "invalid", "/password", "/password must be 12 to 1024 bytes");
        goto out;
    }
    long long id;
    int rc = vg_auth_user_create(req->st, name, role, pw, &id, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        goto out;
    }
    vg_resp_json(r, 201,
                 json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", name, "role", role));
out:
    json_decref(in);
}

void vg_api_tokens_list(struct vg_req *req, struct vg_resp *r)
{
    json_t *arr;
    if (vg_store_token_list(req->st, req->actor.user_id, &arr) != 0) {
        vg_resp_diag(r, VG_EIO, NULL);
        return;
    }
    vg_resp_json(r, 200, json_pack("{s:o}", "items", arr));
}

#define TOKEN_TTL_MIN 60                       /* shortest expires_in, seconds */
#define TOKEN_TTL_MAX (10LL * 366 * 24 * 3600) /* longest: about ten years */

/* An "api" token, made on purpose: it lives until revoked, or until expires_in seconds. */
void vg_api_tokens_create(struct vg_req *req, struct vg_resp *r)
{
    static const char *const fields[] = {"label", "expires_in", NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = req->body_len ? vg_req_json(req, r) : json_object();
    if (!in)
        return;
    const char *label = vg_json_str(in, "label");
    json_t *ttl = json_object_get(in, "expires_in");
    if (vg_json_check_fields(in, fields, "/", &d)) {
        vg_resp_diag(r, VG_EINVAL, &d);
    } else if (json_object_get(in, "label") && (!label || strlen(label) > 128)) {
        vg_resp_error(r, 400, "invalid", "/label", "/label must be a string of at most 128 bytes");
    } else if (ttl && (!json_is_integer(ttl) || json_integer_value(ttl) < TOKEN_TTL_MIN ||
                       json_integer_value(ttl) > TOKEN_TTL_MAX)) {
        vg_resp_error(r, 400, "invalid", "/expires_in",
                      "/expires_in must be an integer number of seconds from %d to %lld",
                      TOKEN_TTL_MIN, TOKEN_TTL_MAX);
    } else {
        char tok[VG_TOKEN_LEN + 1], expires[VG_TIME_LEN] = "";
        long long id;
        if (ttl)
            vg_time_fmt(time(NULL) + (time_t)json_integer_value(ttl), expires);
        int rc = vg_auth_token_new(req->st, req->actor.user_id, label ? label : "",
                                   ttl ? expires : NULL, tok, &id, &d);
        if (rc)
            vg_resp_diag(r, rc, &d);
        else
            vg_resp_json(r, 201,
                         json_pack("{s:s,s:I,s:s,s:o}", "token", tok, "id", (json_int_t)id, "kind",
                                   "api", "expires", ttl ? json_string(expires) : json_null()));
    }
    json_decref(in);
}

void vg_api_tokens_revoke(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "token");
    if (!id)
        return;
    long long owner = strcmp(req->actor.role, "admin") == 0 ? 0 : req->actor.user_id;
    int rc = vg_store_token_revoke(req->st, id, owner, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "revoked", 1));
}

void vg_api_audit_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out;
    int rc = vg_store_audit_list(req->st, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}
