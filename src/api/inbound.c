/* Handlers of inbound mail (issue 15), for analysts: GET /api/v1/inbound?outcome=&limit=&cursor=
 * (newest first), GET /api/v1/inbound/{id} (metadata and attachments) and
 * GET /api/v1/inbound/{id}/raw (the message as received, byte for byte, message/rfc822). */
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "app/mailin.h"
#include "util/buf.h"

void vg_api_inbound_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out = NULL;
    int rc = vg_mailin_list(req->st, vg_req_arg(req, "outcome"), &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_inbound_get(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "inbound message");
    json_t *out;
    if (!id)
        return;
    int rc = vg_store_inbound_get(req->st, id, &out);
    if (rc)
        vg_resp_get_failed(r, rc, "id", "inbound message %lld", id);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_inbound_raw(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "inbound message");
    if (!id)
        return;
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = vg_store_inbound_raw(req->st, id, &data, &len);
    if (rc) {
        vg_resp_get_failed(r, rc, "id", "inbound message %lld", id);
        return;
    }
    struct vg_buf b;
    vg_buf_init(&b, len + 1);
    vg_buf_append(&b, data, len);
    free(data);
    char disp[64];
    snprintf(disp, sizeof disp, "attachment; filename=\"inbound-%lld.eml\"", id);
    vg_resp_header(r, "Content-Disposition", disp);
    vg_resp_bytes(r, 200, "message/rfc822", &b);
}
