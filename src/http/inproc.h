/* The server's request path without a socket, for tests and fuzz targets: a request given as
 * its method, request target, headers and body goes through the same steps as one read by
 * libmicrohttpd (body cap, route, body parsing, the database thread's batch, authentication,
 * role, handler, the answer's text) and comes back as status, headers and body. The server is
 * started with `listen` NULL (vg_server_start): no socket, in-process requests only. */
#ifndef VG_HTTP_INPROC_H
#define VG_HTTP_INPROC_H

#include <stdbool.h>
#include <stddef.h>

#include "http/server.h"

/* A request as the transport reads it. */
struct vg_raw_req {
    const char *method;         /* "GET", "POST", ... */
    const char *url;            /* request target: path and query, percent-encoded */
    const char *const *headers; /* name, value, name, value, ..., NULL; NULL: none */
    const char *client;         /* client address, NULL: "127.0.0.1" */
    const char *body;           /* body_len bytes (NULL when 0) */
    size_t body_len;            /* bytes received (Content-Length may say fewer) */
};

/* The answer as it would be sent. */
struct vg_raw_resp {
    int status;                /* HTTP status */
    char content_type[64];     /* Content-Type, "" when the body is empty */
    char *body;                /* the body, NUL-terminated (owned: vg_raw_resp_cleanup) */
    size_t body_len;           /* its length, the trailing newline included */
    char allow[128];           /* Allow header of a 405, "" if none */
    char location[256];        /* Location header, "" if none */
    int retry_after;           /* Retry-After in seconds, 0: none */
    bool close;                /* Connection: close (the connection would end after it) */
    char www_authenticate[64]; /* WWW-Authenticate header of a 401, "" if none */
};

/* Runs one request through srv (its database thread; the caller waits) and fills *out.
 * Returns 0, or VG_ENOMEM when not even the request could be allocated (out->status 0). May be
 * called from several threads at once. */
int vg_server_handle(struct vg_server *srv, const struct vg_raw_req *rq, struct vg_raw_resp *out);
/* Frees out's body; out may be reused. */
void vg_raw_resp_cleanup(struct vg_raw_resp *out);

#endif
