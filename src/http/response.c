/* Answers as handlers write them: a status, a body (a JSON document, or text already
 * written) with its content type, and the error answer {"error":{"code","message","field"}}
 * in its forms. server.c sends them. */
#include "http/response.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

void vg_resp_json(struct vg_resp *r, int status, json_t *body)
{
    json_decref(r->json);
    free(r->text);
    r->text = NULL;
    r->raw = false;
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

void vg_resp_bytes(struct vg_resp *r, int status, const char *content_type, struct vg_buf *b)
{
    vg_resp_text(r, status, content_type, b);
    r->raw = r->text != NULL;
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

void vg_resp_header(struct vg_resp *r, const char *name, const char *value)
{
    if (r->nheaders >= VG_RESP_HEADERS)
        return;
    snprintf(r->headers[r->nheaders].name, sizeof r->headers[0].name, "%s", name);
    snprintf(r->headers[r->nheaders].value, sizeof r->headers[0].value, "%s", value);
    r->nheaders++;
}

/* The title of a TAXII error message for an HTTP status. */
static const char *taxii_title(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Authentication required";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 406: return "Not acceptable";
    case 413: return "Request too large";
    case 415: return "Unsupported media type";
    case 422: return "Unprocessable entity";
    case 429: return "Too many requests";
    case 503: return "Service unavailable";
    default: return status >= 500 ? "Internal error" : "Error";
    }
}

void vg_resp_taxii(struct vg_resp *r)
{
    if (r->content_type && strcmp(r->content_type, VG_CONTENT_JSON) != 0)
        return; /* already TAXII (or text of another kind) */
    json_t *e = json_object_get(r->json, "error");
    if (r->status >= 400 && json_is_object(e)) {
        char status[16];
        snprintf(status, sizeof status, "%d", r->status);
        json_t *t = json_pack("{s:s,s:O?,s:s,s:O?}", "title", taxii_title(r->status), "description",
                              json_object_get(e, "message"), "http_status", status, "error_code",
                              json_object_get(e, "code"));
        json_t *field = json_object_get(e, "field");
        if (t && field)
            json_object_set_new(t, "details", json_pack("{s:O}", "field", field));
        if (t) {
            json_decref(r->json);
            r->json = t;
        }
    }
    r->content_type = VG_CONTENT_TAXII;
}
