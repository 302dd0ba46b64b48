/* The public intake (POST /api/v1/reports), back end of the web form: rate-limited per
 * client network, no token. A recognised constituent or an eligible declared kind gets an
 * unverified incident — or, over the global cap, its report is held in a queue for analysts;
 * anyone else is redirected to the national victim-assistance service. Every attempt is
 * logged. The flow is app/intake.c's; this is its HTTP side, with the analysts' routes of
 * the queue (/api/v1/reports/queue). */
#include <stdio.h>

#include "api/api.h"
#include "app/intake.h"
#include "util/json.h"
#include "http/reportlimit.h"

static void accepted(struct vg_resp *r, const struct vg_intake_result *res)
{
    snprintf(r->location, sizeof r->location, "/api/v1/incidents/%s", res->ref);
    vg_resp_json(r, 201,
                 json_pack("{s:s,s:s,s:b}", "decision", "accepted", "incident", res->ref,
                           "unverified", res->unverified));
}

void vg_api_reports_create(struct vg_req *req, struct vg_resp *r)
{
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    struct vg_diag d;
    vg_diag_clear(&d);
    int wait = 0;
    if (!vg_reportlimit_take(req, &wait)) {
        r->retry_after = wait;
        vg_resp_error(r, 429, "rate_limited", NULL,
                      "too many reports from this network; retry in %d s", wait);
        return;
    }
    json_t *in = vg_req_json(req, r);
    if (!in)
        return;
    struct vg_intake_opts opts;
    vg_reportlimit_opts(req, &opts);
    struct vg_intake_result res;
    int rc = vg_intake_submit(req->st, in, req->client, &opts, &res, &d);
    json_decref(in);
    if (rc) {
        vg_resp_diag(r, rc, &d);
    } else if (res.accepted) {
        accepted(r, &res);
    } else if (res.queued) {
        vg_resp_json(r, 202,
                     json_pack("{s:s,s:I,s:s}", "decision", "queued", "queued",
                               (json_int_t)res.queue_id, "message",
                               "Your report was received and is waiting for an analyst; quote "
                               "this number if you contact the CERT."));
    } else if (res.queue_full) {
        r->retry_after = 60;
        vg_resp_error(r, 503, "queue_full", NULL,
                      "too many reports are waiting for an analyst; retry later");
    } else {
        vg_resp_json(r, 200,
                     json_pack("{s:s,s:s,s:s}", "decision", "redirect", "url", cfg->redirect_url,
                               "message",
                               "This CERT serves public bodies and operators of vital or essential "
                               "services. Individuals and businesses outside that constituency "
                               "get help from the national assistance service."));
    }
}

void vg_api_reports_queue_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *out;
    int rc = vg_store_queue_list(req->st, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_reports_queue_accept(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "held report");
    if (!id)
        return;
    /* no field yet: an empty body or {} (triage sets the rest on the incident) */
    static const char *const none[] = {NULL};
    json_t *in = req->body_len ? vg_req_json(req, r) : json_object();
    if (!in)
        return;
    int rc = vg_json_check_fields(in, none, "/", &d);
    json_decref(in);
    struct vg_intake_result res;
    if (!rc)
        rc = vg_intake_accept_held(req->st, id, &res, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        accepted(r, &res);
}

void vg_api_reports_queue_discard(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "held report");
    if (!id)
        return;
    int rc = vg_intake_discard_held(req->st, id, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "discarded", 1));
}
