/* The published site as the server answers it (web/web.h): the file a path stands for, from
 * the server's copy (app/publication.h), with the headers a public page needs. */
#include <string.h>

#include "app/publication.h"
#include "http/response.h"
#include "util/buf.h"
#include "util/log.h"
#include "web/web.h"

/* What a page may load: nothing but its own inline stylesheet. */
#define PAGE_CSP                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "             \
    "form-action 'none'; frame-ancestors 'none'"

/* The answer's media type as a static string (vg_resp_text keeps the pointer). */
static const char *static_type(const char *type)
{
    static const char *const known[] = {VG_CONTENT_HTML,        "application/json",
                                        "application/atom+xml", "application/rss+xml",
                                        "text/plain",           "text/csv"};
    static const char *const sent[] = {VG_CONTENT_HTML,
                                       VG_CONTENT_JSON,
                                       "application/atom+xml; charset=utf-8",
                                       "application/rss+xml; charset=utf-8",
                                       "text/plain; charset=utf-8",
                                       "text/csv; charset=utf-8"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(type, known[i]) == 0)
            return sent[i];
    return "application/octet-stream";
}

static void not_found(struct vg_resp *r, const char *path)
{
    struct vg_buf b;
    vg_buf_init(&b, 4096);
    vg_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"/>"
                    "<title>404</title></head><body><main><h1>Page introuvable / Not found</h1>"
                    "<p><code>");
    vg_buf_put_html(&b, path, strlen(path));
    vg_buf_puts(&b, "</code></p><p><a href=\"/advisories/\">Avis et alertes</a></p></main>"
                    "</body></html>\n");
    vg_resp_header(r, "Content-Security-Policy", PAGE_CSP);
    vg_resp_text(r, 404, VG_CONTENT_HTML, &b);
}

void vg_web_publication(struct vg_req *req, struct vg_resp *r)
{
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    struct vg_pub_cache *c = vg_server_publication(req->srv);
    if (!cfg->site || !c) {
        not_found(r, req->path);
        return;
    }
    struct vg_pub_file f;
    struct vg_diag d = {0};
    int rc = vg_pub_cache_get(c, req->st, cfg->site, req->path, &f, &d);
    if (rc == VG_ENOENT) {
        not_found(r, req->path);
        return;
    }
    if (rc) {
        vg_log(VG_LOG_ERROR, "publication: %s", d.message);
        vg_resp_error(r, 500, "internal", NULL, "the published site could not be rendered");
        return;
    }
    struct vg_buf b;
    vg_buf_init(&b, f.len + 1);
    vg_buf_append(&b, f.body, f.len);
    const char *type = static_type(f.type);
    if (strncmp(type, "text/html", 9) == 0)
        vg_resp_header(r, "Content-Security-Policy", PAGE_CSP);
    vg_resp_header(r, "Cache-Control", "public, max-age=60");
    vg_resp_bytes(r, 200, type, &b);
}
