/* Handlers for organisations (the constituency): list, create, read, update. */
#include <stdio.h>

#include "core/record.h"
#include "api/api.h"
#include "http/watch.h"
#include "util/log.h"
#include "util/str.h"

/* Matches the organisation's new products (those not in before) against the stored CVEs,
 * so that its findings follow its assets without a full re-match. A failure leaves the
 * organisation written and is logged: `vigie vuln match` repairs the findings. */
static void refresh_findings(struct vg_req *req, long long id, const json_t *before)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_watch_org_assets(req->st, id, before, NULL, &d) != 0)
        vg_warn("findings of organisation %lld not refreshed: %s", id, d.message);
}

void vg_api_orgs_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out;
    int rc = vg_store_org_list(req->st, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_orgs_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *org = NULL, *out = NULL;
    if (!in)
        return;
    int rc = vg_org_check(in, VG_CHECK_CREATE, &org, &d);
    if (!rc)
        rc = vg_store_org_create(req->st, &req->actor, org, &out, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        refresh_findings(req, (long long)json_integer_value(json_object_get(out, "id")), NULL);
        snprintf(r->location, sizeof r->location, "/api/v1/orgs/%lld",
                 (long long)json_integer_value(json_object_get(out, "id")));
        vg_resp_json(r, 201, out);
    }
    json_decref(in);
    json_decref(org);
}

void vg_api_orgs_get(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "organisation");
    json_t *out;
    if (!id)
        return;
    if (vg_store_org_get(req->st, id, &out) != 0)
        vg_resp_error(r, 404, "not_found", "id", "no organisation %lld", id);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_orgs_patch(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "organisation");
    if (!id)
        return;
    json_t *in = vg_req_json(req, r), *patch = NULL, *out = NULL;
    if (!in)
        return;
    int rc = vg_org_check(in, VG_CHECK_PATCH, &patch, &d);
    if (!rc && json_object_size(patch) == 0)
        rc = vg_diag_set(&d, VG_EINVAL, "", "nothing to change");
    json_object_del(patch, "eligible");
    json_t *old = NULL;
    bool assets = json_object_get(patch, "assets") != NULL;
    if (!rc && assets)
        vg_store_org_get(req->st, id, &old);
    if (!rc)
        rc = vg_store_org_update(req->st, &req->actor, id, patch, &out, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        if (assets)
            refresh_findings(req, id,
                             json_object_get(json_object_get(old, "assets"), "products"));
        vg_resp_json(r, 200, out);
    }
    json_decref(old);
    json_decref(in);
    json_decref(patch);
}
