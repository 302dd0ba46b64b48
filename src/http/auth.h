/* The transport side of authentication: the bearer token of a request (its Authorization
 * header) looked up through app/auth.h, the role its route asks for, the uses of tokens
 * recorded, and the password logins: admitted by a worker (body, rate limit), checked on the
 * hash pool (http/hashpool.h), then minted by POST /api/v1/login's handler. */
#ifndef VG_HTTP_AUTH_H
#define VG_HTTP_AUTH_H

#include "http/loginlimit.h"
#include "http/router.h"

/* Authenticates req's bearer token, if any (required unless least is VG_PUBLIC), into
 * req->actor, and checks that its role is at least `least`. 0, or -1 with a 401 (unknown,
 * revoked or expired token) or 403 answer set in r. Notes the token's use (see
 * vg_token_uses) when its recorded last use is more than a minute old. Runs where the
 * request's handler runs (req->st). */
int vg_http_auth(struct vg_req *req, struct vg_resp *r, enum vg_access least);
/* The same for a route: its least role, and its flags. A partner CERT's token (bearer, or
 * HTTP Basic with the partner's id as user name and the token as password) is admitted only
 * on a VG_ROUTE_SHARE route, whatever its least role (403 `forbidden` on any other); a 401 of
 * a sharing route also offers Basic (r->basic_auth). A partner's token uses are not noted. */
int vg_http_auth_route(struct vg_req *req, struct vg_resp *r, const struct vg_route *route);

/* For a batch of n requests about to run on st (after its transaction began): looks up their
 * users' tokens, bearer and console session, in one query (vg_auth_prefetch), so that each
 * request's vg_http_auth_route answers without a query of its own. A failure is not reported:
 * each request then asks the store. Call vg_http_auth_prefetch_end(st) when the batch has
 * run, before its answers leave. */
void vg_http_auth_prefetch(struct vg_store *st, struct vg_req *const *reqs, int n);
void vg_http_auth_prefetch_end(struct vg_store *st);

/* The last uses of tokens as the server knows them: noted by vg_http_auth on any thread (a
 * console session's at every request: its idle expiry is judged on them), written by the
 * database thread (vg_token_uses_flush) when the database's is a minute older, so that a
 * reader never writes. Bounded: when it is full, the oldest use already written makes room;
 * if none is, a use is not noted (the token's next request notes it again). */
struct vg_token_uses;
struct vg_token_uses *vg_token_uses_new(void);
void vg_token_uses_free(struct vg_token_uses *u);
/* Writes the uses noted into st (each one a small write of its own); call it on the thread that
 * writes, outside a batch. NULL does nothing. */
void vg_token_uses_flush(struct vg_token_uses *u, struct vg_store *st);

/* On a worker, before a login goes to the hash pool: the body must be {"name","password"},
 * strings (400 naming the field otherwise), and the address and the name must not be waiting
 * (429 `rate_limited` with Retry-After otherwise). 0, or -1 with the answer set. */
int vg_http_login_admit(struct vg_req *req, struct vg_resp *r, struct vg_loginlimit *ll);
/* On a hash pool thread (st its connection): checks the password of an admitted login. 0 with
 * req->login_user set (and the limit reset for its address and name), or -1 with the answer
 * set: 401 for a wrong name or password, 500 if the store failed. */
int vg_http_login_verify(struct vg_req *req, struct vg_resp *r, struct vg_store *st,
                         struct vg_loginlimit *ll);

#endif
