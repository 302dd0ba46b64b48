/* Handlers of the upstream advisories (issue 13): other CERTs' publications imported by
 * `vigie advisory import`, their list and one of them with the constituents it concerns, and
 * the body of a draft made from one (app/upstream.h). */
#include "api/api.h"
#include "app/upstream.h"

void vg_api_upstream_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = json_object(), *out = NULL;
    static const char *const texts[] = {"source", "cve", "q"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *v = vg_req_arg(req, texts[i]);
        if (v && json_object_set_new(f, texts[i], json_string(v)) != 0) {
            vg_resp_error(r, 400, "invalid", texts[i], "%s must be UTF-8 text", texts[i]);
            goto out;
        }
    }
    if (vg_req_id_filter(req, r, "org", f))
        goto out;
    int rc = vg_upstream_list(req->st, f, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
out:
    json_decref(f);
}

void vg_api_upstream_get(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out = NULL;
    int rc = vg_upstream_get(req->st, req->params[0], &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_upstream_draft(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out = NULL;
    int rc = vg_upstream_draft(req->st, req->params[0], &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}
