/* The public intake (POST /api/v1/reports), back end of the web form: rate-limited per
 * client, no token. A recognised constituent or an eligible declared kind gets an incident;
 * anyone else is redirected to the national victim-assistance service. Every attempt is
 * logged. The flow is app/intake.c's; this is its HTTP side. */
#include <stdio.h>

#include "api/api.h"
#include "app/intake.h"
#include "http/ratelimit.h"

void vg_api_reports_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    int wait = 0;
    if (!vg_ratelimit_take(vg_server_ratelimit(req->srv), req->client, &wait)) {
        r->retry_after = wait;
        vg_resp_error(r, 429, "rate_limited", NULL,
                      "too many reports from this address; retry in %d s", wait);
        return;
    }
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    struct vg_intake_result res;
    int rc = vg_intake_report(req->st, in, req->client, &res, &d);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
    } else if (res.accepted) {
        snprintf(r->location, sizeof r->location, "/api/v1/incidents/%s", res.ref);
        vg_resp_json(r, 201,
                     json_pack("{s:s,s:s,s:b}", "decision", "accepted", "incident", res.ref,
                               "unverified", res.unverified));
    } else {
        vg_resp_json(r, 200,
                     json_pack("{s:s,s:s,s:s}", "decision", "redirect", "url",
                               vg_server_config(req->srv)->redirect_url, "message",
                               "This CERT serves public bodies and operators of vital or essential "
                               "services. Individuals and businesses outside that constituency "
                               "get help from the national assistance service."));
    }
}
