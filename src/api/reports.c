/* The public intake (POST /api/v1/reports), back end of the web form: rate-limited per
 * client, no token. A recognised constituent or an eligible declared kind gets an incident;
 * anyone else is redirected to the national victim-assistance service. Every attempt is
 * logged. */
#include <stdio.h>

#include "core/intake.h"
#include "core/record.h"
#include "api/api.h"
#include "http/ratelimit.h"
#include "util/json.h"

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
    json_t *in = vg_req_json(req, r), *rep = NULL, *org = NULL, *out = NULL, *inc = NULL;
    if (!in)
        return;
    int rc = vg_report_check(in, &rep, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        goto out;
    }
    json_t *reporter = json_object_get(rep, "reporter"), *decl = json_object_get(rep, "organisation");
    char domain[300];
    if (vg_email_domain(vg_json_str(reporter, "email"), domain, sizeof domain) == 0)
        vg_store_org_find_by_domain(req->st, domain, &org);
    struct vg_intake_decision dec = vg_intake_decide(vg_json_str(decl, "kind"), org);
    json_t *log = json_pack("{s:s,s:s,s:s,s:s,s:s}", "client", req->client, "decision",
                            dec.accepted ? "accepted" : "redirect", "reporter_email",
                            vg_json_str(reporter, "email"), "org_name", vg_json_str(decl, "name"),
                            "org_kind", vg_json_str(decl, "kind"));
    if (dec.accepted) {
        struct vg_actor intake = {0, "intake", ""};
        inc = json_pack("{s:O,s:O,s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:b}", "title",
                        json_object_get(rep, "title"), "description",
                        json_object_get(rep, "description"), "class", "other", "type",
                        "undetermined", "severity", "medium", "tlp", "AMBER", "pap", "AMBER",
                        "status", "new", "reporter", reporter, "unverified", dec.unverified);
        if (dec.org_id)
            json_object_set_new(inc, "org", json_integer(dec.org_id));
        json_t *v;
        if ((v = json_object_get(rep, "observables")))
            json_object_set(inc, "observables", v);
        if ((v = json_object_get(rep, "occurred")))
            json_object_set(inc, "occurred", v);
        rc = vg_store_incident_create(req->st, &intake, inc, &out, &d);
        if (rc) {
            vg_resp_diag(r, rc, &d);
            json_decref(log);
            goto out;
        }
        json_object_set(log, "incident", json_object_get(out, "ref"));
        vg_store_intake_log(req->st, log, NULL);
        snprintf(r->location, sizeof r->location, "/api/v1/incidents/%s",
                 vg_json_str(out, "ref"));
        vg_resp_json(r, 201, json_pack("{s:s,s:O,s:b}", "decision", "accepted", "incident",
                                       json_object_get(out, "ref"), "unverified",
                                       dec.unverified));
    } else {
        vg_store_intake_log(req->st, log, NULL);
        vg_resp_json(r, 200,
                     json_pack("{s:s,s:s,s:s}", "decision", "redirect", "url",
                               vg_server_config(req->srv)->redirect_url, "message",
                               "This CERT serves public bodies and operators of vital or essential "
                               "services. Individuals and businesses outside that constituency "
                               "get help from the national assistance service."));
    }
    json_decref(log);
out:
    json_decref(in);
    json_decref(rep);
    json_decref(org);
    json_decref(out);
    json_decref(inc);
}
