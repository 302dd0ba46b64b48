/* Handlers for advisories (issue 13): the workflow of app/advisory.h over HTTP. A refusal by
 * the four-eyes rule answers 403 with the code "four_eyes"; a step the advisory's state does
 * not allow, 409 "conflict". */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app/advisory.h"
#include "util/json.h"

/* Answers rc from a step: the advisory (status ok), or its error. */
static void reply(struct vg_resp *r, int rc, int ok, json_t *out, const struct vg_diag *d)
{
    if (rc == VG_EPERM)
        vg_resp_error(r, 403, "four_eyes", NULL, "%s", d->message);
    else if (rc)
        vg_resp_diag(r, rc, d);
    else
        vg_resp_json(r, ok, out);
}

void vg_api_advisories_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = NULL, *out = NULL;
    int rc = vg_advisory_list_filters(vg_req_arg(req, "kind"), vg_req_arg(req, "status"),
                                      vg_req_arg(req, "year"), vg_req_arg(req, "q"), &f, &d);
    if (rc == 0)
        rc = vg_advisory_list(req->st, f, &page, &out, &d);
    reply(r, rc, 200, out, &d);
    json_decref(f);
}

void vg_api_advisories_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_advisory_create(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc == 0)
        snprintf(r->location, sizeof r->location, "/api/v1/advisories/%s", vg_json_str(out, "ref"));
    reply(r, rc, 201, out, &d);
}

void vg_api_advisories_draft_from_cves(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_advisory_draft_from_cves(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc == 0)
        snprintf(r->location, sizeof r->location, "/api/v1/advisories/%s", vg_json_str(out, "ref"));
    reply(r, rc, 201, out, &d);
}

void vg_api_advisories_get(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out = NULL;
    int rc = vg_advisory_get(req->st, req->params[0], &out, &d);
    reply(r, rc, 200, out, &d);
}

void vg_api_advisories_patch(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_advisory_patch(req->st, &req->actor, req->params[0], in, &out, &d);
    json_decref(in);
    reply(r, rc, 200, out, &d);
}

/* The body of a step that takes none, or an optional one: NULL when empty; false (answered)
 * when it is not JSON. */
static bool optional_body(struct vg_req *req, struct vg_resp *r, json_t **in)
{
    *in = NULL;
    if (req->body_len == 0)
        return true;
    *in = vg_req_json(req, r);
    return *in != NULL;
}

/* A step without fields (submit, publish): no body, or {}. */
static void bodiless_step(struct vg_req *req, struct vg_resp *r,
                          int (*step)(struct vg_store *st, const struct vg_actor *who,
                                      const char *ref, json_t **out, struct vg_diag *d))
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in, *out = NULL;
    if (!optional_body(req, r, &in))
        return;
    static const char *const none[] = {NULL};
    int rc = in ? vg_json_check_fields(in, none, "/", &d) : 0;
    if (rc == 0)
        rc = step(req->st, &req->actor, req->params[0], &out, &d);
    json_decref(in);
    reply(r, rc, 200, out, &d);
}

void vg_api_advisories_submit(struct vg_req *req, struct vg_resp *r)
{
    bodiless_step(req, r, vg_advisory_submit);
}

void vg_api_advisories_publish(struct vg_req *req, struct vg_resp *r)
{
    bodiless_step(req, r, vg_advisory_publish);
}

void vg_api_advisories_revise(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_advisory_revise(req->st, &req->actor, req->params[0], in, &out, &d);
    json_decref(in);
    reply(r, rc, 200, out, &d);
}

void vg_api_advisories_close(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in, *out = NULL;
    if (!optional_body(req, r, &in))
        return;
    int rc = vg_advisory_close(req->st, &req->actor, req->params[0], in, &out, &d);
    json_decref(in);
    reply(r, rc, 200, out, &d);
}
