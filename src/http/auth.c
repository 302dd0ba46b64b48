/* Bearer tokens on requests: "Authorization: Bearer vgt_..." is read here and checked by
 * app/auth.c against the store; the route's least role is enforced here too. */
#include "http/auth.h"

#include <string.h>
#include <strings.h>

#include "app/auth.h"
#include "util/log.h"

int vg_http_auth(struct vg_req *req, struct vg_resp *r, enum vg_access least)
{
    bool required = least != VG_PUBLIC;
    const char *h = vg_req_header(req, "Authorization");
    if (!h) {
        if (required)
            vg_resp_error(r, 401, "unauthorized", NULL,
                          "a token is required: Authorization: Bearer TOKEN");
        return required ? -1 : 0;
    }
    int rc = strncasecmp(h, "Bearer ", 7) != 0
                 ? VG_ENOENT
                 : vg_auth_token_check(req->st, h + 7, strlen(h + 7), &req->actor);
    if (rc) {
        memset(&req->actor, 0, sizeof req->actor);
        if (rc == VG_ENOENT) {
            vg_resp_error(r, 401, "unauthorized", NULL, "invalid or revoked token");
        } else { /* the store failed: not the caller's fault */
            vg_error("cannot check a token: %s", vg_strerror(rc));
            vg_resp_error(r, 500, "internal", NULL, "internal error");
        }
        return -1;
    }
    if (required && vg_auth_role_rank(req->actor.role) < (int)least) {
        vg_resp_error(r, 403, "forbidden", NULL, "role '%s' may not %s %s", req->actor.role,
                      req->method, req->path);
        return -1;
    }
    return 0;
}
