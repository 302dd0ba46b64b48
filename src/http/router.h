/* Routes: method, path pattern ("{}" matches one segment), the least role allowed, and the
 * handler; and the matcher that finds a request's route in a table (the server's table is
 * given by its configuration: api/routes.c). */
#ifndef VG_ROUTER_H
#define VG_ROUTER_H

#include "http/server.h"

typedef void (*vg_handler)(struct vg_req *req, struct vg_resp *resp);

/* Runs n requests of one route at once (each authenticated, its req->st set), answering each
 * as n calls of the route's handler in their order would. Returns how many of them it could run
 * together (0: each ran alone). */
typedef int (*vg_handler_many)(struct vg_req *const *reqs, struct vg_resp *const *resps, int n);

/* A route's handler that can also run several of its requests at once: the server runs a
 * batch's consecutive requests of that route with many (vg_server_config.many). */
struct vg_route_many {
    vg_handler one; /* the route's handler (vg_route.handler) */
    vg_handler_many many;
};

enum vg_access {
    VG_PUBLIC = 0, /* no token needed */
    VG_READER = 1,
    VG_ANALYST = 2,
    VG_ADMIN = 3,
};

/* Route flags. */
enum {
    VG_ROUTE_RAW_BODY = 1, /* the body is not JSON: the worker does not parse it */
    VG_ROUTE_LOGIN = 2,    /* a password login: checked on the hash pool before its handler */
    VG_ROUTE_SHARE = 4,    /* a sharing route (exports, imports, MISP feed, TAXII): a partner
                            * CERT's token may use it (and no other route) */
    VG_ROUTE_TAXII = 8,    /* a TAXII 2.1 route (/taxii2/): its body's media type is the
                            * handler's to judge (application/taxii+json), and every answer,
                            * the server's errors included, is a TAXII one (vg_resp_taxii) */
    VG_ROUTE_FORM = 16,    /* the body is an HTML form (application/x-www-form-urlencoded, and
                            * nothing else), read by the worker into req->form */
    VG_ROUTE_PAGE = 32,    /* an HTML page (web/): an error the server or the handler answers
                            * becomes a page (vg_server_config.page_error) */
    VG_ROUTE_SESSION = 64, /* a console page (/console/): the actor comes from the session
                            * cookie, not from a bearer token; without a live session a GET is
                            * sent to the login page (303), and every other method must carry
                            * the session's CSRF token in its form's "csrf" field (403 `csrf`) */
    VG_ROUTE_WRITE = 128,  /* a GET that writes (a single-use link, issue 15): it runs on the
                            * database thread, not on the read-only reader thread */
};

struct vg_route {
    const char *method;    /* "GET", "POST", ... */
    const char *pattern;   /* "/api/v1/incidents/{}" */
    enum vg_access access; /* least role allowed */
    vg_handler handler;    /* runs on the database thread */
    unsigned flags;        /* VG_ROUTE_* */
};

/* Finds the route for method and path in table (ended by a route whose method is NULL),
 * filling req->params. The path is matched as sent (percent-encoded); params are decoded. Returns
 * the route, or NULL with *path_known set when the path exists under another method (405) and
 * *allow listing them. */
const struct vg_route *vg_route_find(const struct vg_route *table, struct vg_req *req,
                                     bool *path_known, char *allow, size_t allow_cap);

#endif
