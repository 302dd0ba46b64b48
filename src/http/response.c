/* Answers as handlers write them: a status, a body (a JSON document, or text already
 * written) with its content type, and the error answer {"error":{"code","message","field"}}
 * in its forms. server.c sends them. */
#include "http/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/log.h"

void vg_resp_json(struct vg_resp *r, int status, json_t *body)
{
    json_decref(r->json);
    free(r->text);
    r->text = NULL;
    r->status = status;
    r->json = body;
    r->content_type = VG_CONTENT_JSON;
}

void vg_resp_text(struct vg_resp *r, int status, const char *content_type, struct vg_buf *b)
{
    if (b->failed || !b->data) {
        vg_buf_cleanup(b);
        vg_resp_error(r, 500, "internal", NULL, "answer too large");
        return;
    }
    vg_resp_json(r, status, NULL);
    r->content_type = content_type;
    r->text_len = b->len;
    r->text = vg_buf_steal(b);
}

void vg_resp_buf(struct vg_resp *r, int status, struct vg_buf *b)
{
    vg_resp_text(r, status, VG_CONTENT_JSON, b);
}

void vg_resp_error(struct vg_resp *r, int status, const char *code, const char *field,
                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg);
    if (field && *field)
        json_object_set_new(e, "field", json_string(field));
    vg_resp_json(r, status, json_pack("{s:o}", "error", e));
}

void vg_resp_get_failed(struct vg_resp *r, int rc, const char *field, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (rc == VG_ENOENT) {
        vg_resp_error(r, 404, "not_found", field, "no %s", what);
    } else {
        vg_error("cannot read %s: %s", what, vg_strerror(rc));
        vg_resp_error(r, 500, "internal", NULL, "internal error");
    }
}

void vg_resp_diag(struct vg_resp *r, int rc, const struct vg_diag *d)
{
    const char *msg = d && d->message[0] ? d->message : vg_strerror(rc);
    const char *field = d ? d->field : NULL;
    switch (rc) {
    case VG_EINVAL: vg_resp_error(r, 400, "invalid", field, "%s", msg); break;
    case VG_ETOOBIG: vg_resp_error(r, 400, "too_large", field, "%s", msg); break;
    case VG_ENOENT: vg_resp_error(r, 404, "not_found", field, "%s", msg); break;
    case VG_EEXIST: vg_resp_error(r, 409, "exists", field, "%s", msg); break;
    case VG_ECONFLICT: vg_resp_error(r, 409, "conflict", field, "%s", msg); break;
    case VG_EPERM: vg_resp_error(r, 403, "forbidden", field, "%s", msg); break;
    case VG_EBUSY: /* another process holds the database: worth retrying soon */
        vg_resp_error(r, 503, "busy", NULL, "%s", msg);
        r->retry_after = 1;
        break;
    default:
        vg_error("internal error: %s", msg);
        vg_resp_error(r, 500, "internal", NULL, "internal error");
    }
}
