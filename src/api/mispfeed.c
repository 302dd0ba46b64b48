/* GET /misp-feed/manifest.json, /misp-feed/{uuid}.json and /misp-feed/hashes.csv: the MISP feed
 * of the caller (app/mispfeed.h), a partner through its token or a CERT user (who sees what
 * the CERT holds). An event the caller may not get is 404, as one that does not exist. */
#include <string.h>

#include "api/api.h"
#include "app/mispfeed.h"
#include "app/partner.h"

/* The recipient the caller is; 0, or -1 with the error answer set. */
static int recipient_of(struct vg_req *req, struct vg_resp *r, struct vg_recipient *out)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_partner_recipient(req->st, &req->actor, out, &d);
    if (rc == VG_ENOENT) { /* a partner removed since its token was checked */
        vg_resp_error(r, 401, "unauthorized", "", "no such partner");
        return -1;
    }
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return -1;
    }
    return 0;
}

void vg_api_mispfeed_manifest(struct vg_req *req, struct vg_resp *r)
{
    struct vg_recipient rc;
    if (recipient_of(req, r, &rc))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *m = NULL;
    int e = vg_mispfeed_manifest(req->st, &rc, &m, &d);
    if (e)
        vg_resp_diag(r, e, &d);
    else
        vg_resp_json(r, 200, m);
}

void vg_api_mispfeed_event(struct vg_req *req, struct vg_resp *r)
{
    struct vg_recipient rc;
    if (recipient_of(req, r, &rc))
        return;
    const char *name = req->params[0];
    size_t n = strlen(name);
    char uuid[64];
    if (n <= 5 || n - 5 >= sizeof uuid || strcmp(name + n - 5, ".json") != 0) {
        vg_resp_error(r, 404, "not_found", "uuid", "no such event");
        return;
    }
    memcpy(uuid, name, n - 5);
    uuid[n - 5] = '\0';
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    int e = vg_mispfeed_event(req->st, &rc, uuid, &b, &d);
    if (e)
        vg_resp_diag(r, e, &d);
    else
        vg_resp_text(r, 200, VG_CONTENT_JSON, &b);
    vg_buf_cleanup(&b);
}

void vg_api_mispfeed_hashes(struct vg_req *req, struct vg_resp *r)
{
    struct vg_recipient rc;
    if (recipient_of(req, r, &rc))
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    vg_buf_puts(&b, ""); /* an empty feed is an empty file, not an error */
    int e = vg_mispfeed_hashes(req->st, &rc, &b, &d);
    /* the server ends every answer with a newline: the last line's own is left to it */
    if (e == 0 && b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    if (e)
        vg_resp_diag(r, e, &d);
    else
        vg_resp_text(r, 200, "text/csv; charset=utf-8", &b);
    vg_buf_cleanup(&b);
}
