/* The transport side of authentication: the bearer token of a request (its Authorization
 * header) looked up through app/auth.h, and the role its route asks for. */
#ifndef VG_HTTP_AUTH_H
#define VG_HTTP_AUTH_H

#include "http/router.h"

/* Authenticates req's bearer token, if any (required unless least is VG_PUBLIC), into
 * req->actor, and checks that its role is at least `least`. 0, or -1 with a 401 or 403
 * answer set in r. Runs on the database thread (req->st). */
int vg_http_auth(struct vg_req *req, struct vg_resp *r, enum vg_access least);

#endif
