/* Handlers of the crisis cell (issue 15): crises, their log, members, sitreps, roll-calls and
 * review under /api/v1/crises, and the public acknowledgement link GET /ack/{token}. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app/crisis.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/str.h"

#define CONTENT_PLAIN    "text/plain; charset=utf-8"
#define CONTENT_MARKDOWN "text/markdown; charset=utf-8"

/* A write of the use case fn on the crisis of the path with the JSON body: status on
 * success. */
static void write_with_body(struct vg_req *req, struct vg_resp *r,
                            int (*fn)(struct vg_store *, const struct vg_actor *, long long,
                                      const json_t *, json_t **, struct vg_diag *),
                            int status)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "crisis");
    if (!id)
        return;
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = fn(req->st, &req->actor, id, in, &out, &d);
    json_decref(in);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, status, out);
}

void vg_api_crises_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out;
    int rc = vg_store_crisis_list(req->st, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_crises_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_crisis_open(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    snprintf(r->location, sizeof r->location, "/api/v1/crises/%lld",
             (long long)json_integer_value(json_object_get(out, "id")));
    vg_resp_json(r, 201, out);
}

void vg_api_crises_get(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "crisis");
    json_t *out;
    if (!id)
        return;
    int rc = vg_store_crisis_get(req->st, id, &out);
    if (rc)
        vg_resp_get_failed(r, rc, "id", "crisis %lld", id);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_crises_patch(struct vg_req *req, struct vg_resp *r)
{
    write_with_body(req, r, vg_crisis_update, 200);
}

void vg_api_crises_log(struct vg_req *req, struct vg_resp *r)
{
    write_with_body(req, r, vg_crisis_log, 201);
}

void vg_api_crises_member(struct vg_req *req, struct vg_resp *r)
{
    write_with_body(req, r, vg_crisis_member, 201);
}

void vg_api_crises_sitrep(struct vg_req *req, struct vg_resp *r)
{
    write_with_body(req, r, vg_crisis_sitrep, 201);
}

void vg_api_crises_close(struct vg_req *req, struct vg_resp *r)
{
    write_with_body(req, r, vg_crisis_close, 200);
}

/* Calls the members by mail: no body, {} or {"pending_only": true} (re-send to those of the
 * last roll-call that have not answered). The tokens go by mail only. */
void vg_api_crises_rollcall(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "crisis");
    if (!id)
        return;
    static const char *const fields[] = {"pending_only", NULL};
    json_t *in = req->body_len ? vg_req_json(req, r) : json_object(), *out = NULL;
    if (!in)
        return;
    const json_t *po = json_object_get(in, "pending_only");
    int bad = json_is_object(in) ? vg_json_check_fields(in, fields, "/", &d)
                                 : vg_diag_set(&d, VG_EINVAL, "", "the body must be a JSON object");
    if (!bad && po && !json_is_boolean(po))
        bad = vg_diag_set(&d, VG_EINVAL, "/pending_only", "/pending_only must be a boolean");
    bool pending_only = json_is_true(po);
    json_decref(in);
    if (bad) {
        vg_resp_diag(r, bad, &d);
        return;
    }
    int rc = vg_crisis_rollcall(req->st, &req->actor, id, pending_only, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 201, out);
}

/* Sends a sitrep to the members through the TLP gate: no body, {} or {"version": N}. */
void vg_api_crises_sitrep_send(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "crisis");
    if (!id)
        return;
    json_t *in = req->body_len ? vg_req_json(req, r) : json_object(), *out = NULL;
    if (!in)
        return;
    int rc = vg_crisis_sitrep_send(req->st, &req->actor, id, req->params[1], in, &out, &d);
    json_decref(in);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_crises_pending(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "crisis");
    if (!id)
        return;
    const char *arg = vg_req_arg(req, "after_minutes");
    unsigned long long minutes = 0;
    if (arg && vg_str_to_u64(vg_str_c(arg), 0, 10080, &minutes) != 0) {
        vg_resp_error(r, 400, "invalid", "after_minutes",
                      "after_minutes must be an integer from 0 to 10080");
        return;
    }
    json_t *out = NULL;
    int rc = vg_crisis_pending(req->st, id, (long long)minutes, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_crises_review(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "crisis");
    json_t *c = NULL;
    if (!id)
        return;
    int rc = vg_store_crisis_get(req->st, id, &c);
    if (rc) {
        vg_resp_get_failed(r, rc, "id", "crisis %lld", id);
        return;
    }
    const char *md = vg_json_str(c, "review");
    if (!md) {
        vg_resp_error(r, 409, "conflict", "state", "crisis %lld is open: no review yet", id);
    } else {
        struct vg_buf b;
        vg_buf_init(&b, strlen(md) + 1);
        vg_buf_puts(&b, md);
        vg_resp_bytes(r, 200, CONTENT_MARKDOWN, &b);
    }
    json_decref(c);
}

/* Public: the holder of the link acknowledges. The answer is plain text that names no member
 * and no crisis, whether the token is good, used or unknown. */
void vg_api_ack(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    struct vg_buf b;
    vg_diag_clear(&d);
    vg_buf_init(&b, 256);
    json_t *out = NULL;
    int rc = vg_crisis_ack(req->st, req->params[0], &out, &d), status = 200;
    if (rc == 0) {
        vg_buf_printf(&b, "Acknowledged at %s. Thank you.\n", vg_json_str(out, "acked"));
    } else if (rc == VG_ECONFLICT) {
        status = 410;
        vg_buf_puts(&b, "This link was already used.\n");
    } else if (rc == VG_ENOENT) {
        status = 404;
        vg_buf_puts(&b, "This link is not valid.\n");
    } else {
        vg_buf_cleanup(&b);
        vg_resp_diag(r, rc, &d);
        return;
    }
    json_decref(out);
    vg_resp_bytes(r, status, CONTENT_PLAIN, &b);
}
