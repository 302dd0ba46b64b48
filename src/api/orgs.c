/* Handlers for organisations (the constituency): list, create, read, update. */
#include <stdio.h>

#include "api/api.h"
#include "app/org.h"
#include "util/log.h"

/* A findings refresh that failed left the organisation written: logged, not answered. */
static void log_warning(const struct vg_diag *warn)
{
    if (warn->message[0])
        vg_warn("%s", warn->message);
}

void vg_api_orgs_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out;
    int rc = vg_org_list(req->st, vg_req_arg(req, "name"), vg_req_arg(req, "kind"),
                         vg_req_arg(req, "sector"), &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_orgs_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_org_create(req->st, &req->actor, in, &out, &d, &warn);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    log_warning(&warn);
    snprintf(r->location, sizeof r->location, "/api/v1/orgs/%lld",
             (long long)json_integer_value(json_object_get(out, "id")));
    vg_resp_json(r, 201, out);
}

void vg_api_orgs_get(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "organisation");
    json_t *out;
    if (!id)
        return;
    int rc = vg_store_org_get(req->st, id, &out);
    if (rc)
        vg_resp_get_failed(r, rc, "id", "organisation %lld", id);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_orgs_patch(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "organisation");
    if (!id)
        return;
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_org_update(req->st, &req->actor, id, in, &out, &d, &warn);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    log_warning(&warn);
    vg_resp_json(r, 200, out);
}
