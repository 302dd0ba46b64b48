/* Sharing routes (app/share.c): exports of an incident or of indicators as MISP or STIX 2.1
 * for a recipient through the TLP gate, and imports of MISP or STIX into the indicators. A
 * partner's token may use them (VG_ROUTE_SHARE) for itself only. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app/publication.h"
#include "app/share.h"
#include "util/limits.h"

#define EXPORT_MAX (1024L * 1024 * 1024) /* bytes of one exported document */

/* The format argument: "misp" or "stix"; NULL after answering 400. */
static const char *format_arg(struct vg_req *req, struct vg_resp *r)
{
    const char *f = vg_req_arg(req, "format");
    if (f && (strcmp(f, "misp") == 0 || strcmp(f, "stix") == 0))
        return f;
    vg_resp_error(r, 400, "invalid", "format", "format is misp or stix");
    return NULL;
}

/* Writes doc in format as the answer. */
static void answer_doc(struct vg_resp *r, const json_t *doc, const char *format)
{
    struct vg_buf b;
    struct vg_diag d;
    vg_diag_clear(&d);
    vg_buf_init(&b, EXPORT_MAX);
    int rc = vg_share_write(doc, format, &b, &d);
    if (rc)
        vg_resp_diag(r, rc == VG_ETOOBIG ? VG_ETOOBIG : VG_EIO, &d);
    else
        vg_resp_text(r, 200, VG_CONTENT_JSON, &b);
    vg_buf_cleanup(&b);
}

/* The recipient of an export: `to`, or the caller. */
static int recipient(struct vg_req *req, struct vg_resp *r, struct vg_recipient *rcpt)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_share_recipient(req->st, &req->actor, vg_req_arg(req, "to"), rcpt, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    return rc;
}

void vg_api_incidents_export(struct vg_req *req, struct vg_resp *r)
{
    struct vg_recipient rcpt;
    if (recipient(req, r, &rcpt))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *doc = NULL;
    /* the incident first, as every route with an id: its 404 (also the answer for an incident
     * the recipient may not get) before the query's 400 */
    int rc = vg_share_incident_doc(req->st, &rcpt, req->params[0], &doc, &d);
    const char *format = rc ? NULL : format_arg(req, r);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else if (format)
        answer_doc(r, doc, format);
    json_decref(doc);
}

void vg_api_share_export(struct vg_req *req, struct vg_resp *r)
{
    struct vg_recipient rcpt;
    const char *format = format_arg(req, r);
    if (!format || recipient(req, r, &rcpt))
        return;
    struct vg_share_filter f = {vg_req_arg(req, "type"), vg_req_arg(req, "source"),
                                vg_req_arg(req, "tag"), vg_req_arg(req, "since")};
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_buf b;
    vg_buf_init(&b, EXPORT_MAX);
    /* streamed: the store's rows through the gate straight into the answer's bytes */
    int rc = vg_share_indicators_export(req->st, &rcpt, &f, format, &b, NULL, NULL, &d);
    if (rc == VG_EINVAL && d.field[0] == '/') /* the writer's: not the client's fault */
        vg_resp_diag(r, VG_EIO, &d);
    else if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_text(r, 200, VG_CONTENT_JSON, &b);
    vg_buf_cleanup(&b);
}

void vg_api_share_import(struct vg_req *req, struct vg_resp *r)
{
    const char *format = vg_req_arg(req, "format");
    if (format && strcmp(format, "misp") && strcmp(format, "stix") && strcmp(format, "auto")) {
        vg_resp_error(r, 400, "invalid", "format", "format is misp, stix or auto");
        return;
    }
    if (!req->body_len) {
        vg_resp_error(r, 400, "invalid", "", "the body is a MISP or STIX document");
        return;
    }
    struct vg_share_report rep;
    struct vg_diag d;
    vg_diag_clear(&d);
    vg_share_report_init(&rep);
    const char *source = vg_req_arg(req, "source");
    int rc = vg_share_import(req->st, &req->actor, format, req->body, req->body_len,
                             source && *source ? source : "api", &rep, &d);
    json_t *report = vg_share_report_json(&rep);
    if (!report) {
        vg_resp_diag(r, VG_ENOMEM, NULL);
    } else if (rc == VG_EINVAL) {
        /* what was kept before the malformed part is said beside the error */
        json_t *err =
            json_pack("{s:s,s:s,s:s}", "code", "invalid", "message", d.message, "field", d.field);
        if (d.offset >= 0)
            json_object_set_new(err, "offset", json_integer(d.offset));
        vg_resp_json(r, 400, json_pack("{s:o,s:O}", "error", err, "report", report));
    } else if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        vg_resp_json(r, 200, json_incref(report));
    }
    json_decref(report);
    vg_share_report_cleanup(&rep);
}

/* Advisories through the sharing routes (issue 13): what the TLP gate lets go to the caller
 * (or, for the CERT's users, to `to`). */
void vg_api_share_advisories_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_recipient rcpt;
    if (recipient(req, r, &rcpt))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out = NULL;
    int rc = vg_publication_shared_list(req->st, &rcpt, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_share_advisory_get(struct vg_req *req, struct vg_resp *r)
{
    /* the site's publisher names the CSAF document; a server without one (in-process) gets a
     * stand-in */
    static const struct vg_adv_site fallback = {.name = "vigie",
                                                .namespace = "https://vigie.invalid",
                                                .base_url = "",
                                                .lang = "fr",
                                                .generator = "vigie"};
    const struct vg_adv_site *site = vg_server_config(req->srv)->site;
    struct vg_recipient rcpt;
    if (recipient(req, r, &rcpt))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    const char *format = vg_req_arg(req, "format");
    json_t *doc = NULL;
    int rc = vg_publication_shared_doc(req->st, &rcpt, site ? site : &fallback, req->params[0],
                                       format ? format : "csaf", &doc, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(doc);
    struct vg_buf b;
    vg_buf_init(&b, EXPORT_MAX);
    if (!text || vg_buf_puts(&b, text))
        vg_resp_error(r, 500, "internal", NULL, "out of memory");
    else
        vg_resp_buf(r, 200, &b);
    free(text);
    vg_buf_cleanup(&b);
}
