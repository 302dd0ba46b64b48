/* Handler of the outbox of outbound mail (issue 15): GET /api/v1/outbox?state=&limit=&cursor=,
 * for analysts (app/mail.h). */
#include "api/api.h"
#include "app/mail.h"

void vg_api_outbox_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out = NULL;
    int rc = vg_mail_list(req->st, vg_req_arg(req, "state"), &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}
