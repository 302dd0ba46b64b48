/* Handlers of the technology watch: an organisation's findings by priority, and the stored
 * view of one CVE with the organisations it affects. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "app/watch.h"
#include "util/str.h"
#include "vuln/vuln.h"

void vg_api_org_findings(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "organisation");
    if (!id)
        return;
    struct vg_page page;
    if (vg_req_page(req, r, &page))
        return;
    const char *since = vg_req_arg(req, "since");
    if (since && (strlen(since) < 4 || strlen(since) > 40 || since[0] < '0' || since[0] > '9')) {
        vg_resp_error(r, 400, "invalid", "since", "since must be a date (YYYY-MM-DD)");
        return;
    }
    json_t *org = NULL, *out = NULL;
    int rc = vg_store_org_get(req->st, id, &org);
    if (rc) {
        vg_resp_get_failed(r, rc, "id", "organisation %lld", id);
        return;
    }
    json_decref(org);
    struct vg_diag d;
    vg_diag_clear(&d);
    rc = vg_store_finding_list(req->st, id, since, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_vulns_get(struct vg_req *req, struct vg_resp *r)
{
    const char *cve = req->params[0];
    char upper[32];
    snprintf(upper, sizeof upper, "%s", cve);
    for (char *c = upper; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    if (strlen(cve) >= sizeof upper || !vg_vuln_key(vg_str_c(upper))) {
        vg_resp_error(r, 404, "not_found", "cve", "'%s' is not a CVE id", cve);
        return;
    }
    json_t *out = NULL;
    int rc = vg_watch_vuln_summary(req->st, upper, &out);
    if (rc)
        vg_resp_get_failed(r, rc, "cve", "record of %s", upper);
    else
        vg_resp_json(r, 200, out);
}
