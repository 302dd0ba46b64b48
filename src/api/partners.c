/* Handlers for partner CERTs (issue 12): the partners, their tokens, and GET
 * /api/v1/share/whoami, the sharing route that tells a caller who it is as a recipient. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app/partner.h"
#include "util/json.h"
#include "util/str.h"

void vg_api_partners_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out;
    int rc = vg_store_partner_list(req->st, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_partners_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_partner_create(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    snprintf(r->location, sizeof r->location, "/api/v1/partners/%lld",
             (long long)json_integer_value(json_object_get(out, "id")));
    vg_resp_json(r, 201, out);
}

void vg_api_partners_get(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "partner");
    json_t *out;
    if (!id)
        return;
    int rc = vg_store_partner_get(req->st, id, &out);
    if (rc)
        vg_resp_get_failed(r, rc, "id", "partner %lld", id);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_partners_patch(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "partner");
    if (!id)
        return;
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_partner_update(req->st, &req->actor, id, in, &out, &d);
    json_decref(in);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

/* The partner of the path, which must exist: its id, or 0 with a 404 answer. */
static long long partner_of_path(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "partner");
    json_t *p = NULL;
    if (!id)
        return 0;
    int rc = vg_store_partner_get(req->st, id, &p);
    json_decref(p);
    if (rc) {
        vg_resp_get_failed(r, rc, "id", "partner %lld", id);
        return 0;
    }
    return id;
}

void vg_api_partner_tokens_list(struct vg_req *req, struct vg_resp *r)
{
    long long id = partner_of_path(req, r);
    json_t *arr;
    if (!id)
        return;
    if (vg_store_partner_token_list(req->st, id, &arr) != 0) {
        vg_resp_diag(r, VG_EIO, NULL);
        return;
    }
    vg_resp_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* The secret is in this answer only: the store keeps its SHA-256. */
void vg_api_partner_tokens_create(struct vg_req *req, struct vg_resp *r)
{
    static const char *const fields[] = {"label", NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "partner");
    if (!id)
        return;
    json_t *in = req->body_len ? vg_req_json(req, r) : json_object(), *meta = NULL;
    if (!in)
        return;
    const char *label = vg_json_str(in, "label");
    if (vg_json_check_fields(in, fields, "/", &d)) {
        vg_resp_diag(r, VG_EINVAL, &d);
    } else if (json_object_get(in, "label") && !label) {
        vg_resp_error(r, 400, "invalid", "/label", "/label must be a string of at most %d bytes",
                      VG_PARTNER_LABEL_MAX);
    } else {
        char tok[VG_PARTNER_TOKEN_LEN + 1];
        int rc = vg_partner_token_new(req->st, &req->actor, id, label, tok, &meta, &d);
        if (rc) {
            vg_resp_diag(r, rc, &d);
        } else {
            json_object_set_new(meta, "token", json_string(tok));
            json_object_set_new(meta, "partner_id", json_integer(id));
            vg_resp_json(r, 201, meta);
        }
    }
    json_decref(in);
}

void vg_api_partner_tokens_revoke(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = partner_of_path(req, r);
    unsigned long long tid;
    if (!id)
        return;
    if (vg_str_to_u64(vg_str_c(req->params[1]), 1, 1ULL << 62, &tid) != 0) {
        vg_resp_error(r, 404, "not_found", "tid", "no token '%s'", req->params[1]);
        return;
    }
    int rc = vg_store_partner_token_revoke(req->st, &req->actor, id, (long long)tid, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200,
                     json_pack("{s:I,s:I,s:b}", "id", (json_int_t)tid, "partner_id", (json_int_t)id,
                               "revoked", 1));
}

void vg_api_share_whoami(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_recipient rc;
    int err = vg_partner_recipient(req->st, &req->actor, &rc, &d);
    if (err == VG_ENOENT) { /* disabled since its token was checked */
        vg_resp_error(r, 401, "unauthorized", NULL, "invalid or revoked token");
        return;
    }
    if (err) {
        vg_resp_diag(r, err, &d);
        return;
    }
    bool partner = rc.kind == VG_RCPT_PARTNER;
    vg_resp_json(r, 200,
                 json_pack("{s:s,s:s,s:o,s:o}", "kind", partner ? "partner" : "user", "name",
                           req->actor.name, "partner_id",
                           partner ? json_integer(rc.partner_id) : json_null(), "max_tlp",
                           partner ? json_string(vg_tlp_name(rc.max_tlp)) : json_null()));
}
