/* The HTTP server: libmicrohttpd with a thread pool, one database thread with one store
 * connection running the requests' handlers in batches (group commit), reader threads with
 * read-only connections running the GETs, request bodies capped and parsed by the workers,
 * routes dispatched to thin handlers that answer JSON. */
#ifndef VG_SERVER_H
#define VG_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/proxy.h" /* struct vg_proxies of the configuration */
#include "http/response.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/form.h"

struct vg_route;
struct vg_adv_site;
struct vg_pub_cache;
struct vg_route_many;

/* Reader threads on PostgreSQL by default (vg_server_config.readers): one per core, from
 * VG_PG_READERS_MIN to VG_PG_READERS_MAX. Its lookups wait on round trips to the server, which
 * several connections overlap; more threads than cores only queue for them (measured with
 * bench/pg/serve.sh on 2 cores: 2 readers answered /related faster than 4). */
#define VG_PG_READERS_MIN 2
#define VG_PG_READERS_MAX 8

struct vg_server_config {
    const struct vg_route *routes; /* the route table (api/routes.c), NULL method ends it */
    const struct vg_route *pages;  /* the pages' table (web/routes.c), searched after routes;
                                    * NULL: none */
    /* handlers that run a batch's consecutive requests of their route at once (api/routes.c),
     * ended by one whose `one` is NULL; NULL: none */
    const struct vg_route_many *many;
    const struct vg_adv_site *site; /* who publishes and where (the advisories' pages and
                                     * feeds), NULL: none are served */
    const char *db;                 /* database path or URL */
    const char *listen;             /* "HOST:PORT"; port 0 picks a free one */
    struct vg_store_config store;
    const char *redirect_url; /* where ineligible reporters are sent */
    double report_per_minute; /* intake rate per client address */
    double report_burst;
    size_t max_body;  /* bytes, VG_MAX_BODY by default */
    unsigned threads; /* worker threads, 0: 2 x cores */
    /* reader threads (each with its own read-only connection), 0: 1 on SQLite, one per core
     * on PostgreSQL (VG_PG_READERS_MIN to VG_PG_READERS_MAX) */
    unsigned readers;
    /* how long a write waits for another process's lock on the database, 0: 10 s */
    unsigned busy_timeout_ms;
    unsigned header_timeout;          /* seconds for a request's line and headers, 0: 10 */
    unsigned body_timeout;            /* seconds for its body after the headers, 0: 30 */
    unsigned max_connections;         /* open connections, 0: 1000 */
    unsigned per_address_connections; /* open connections per client address, 0: no limit */
    unsigned hash_threads;            /* password-hash pool threads, 0: VG_HASH_THREADS */
    unsigned hash_queue;              /* logins waiting for a hash thread, 0: VG_HASH_QUEUE */
    int login_free;            /* login attempts per address and name before waits, 0: default */
    int login_wait_max;        /* longest wait between login attempts (s), 0: default */
    long long login_token_ttl; /* seconds a login token lives, 0: VG_LOGIN_TTL */
    int login_tokens_max;      /* login tokens a user keeps, 0: VG_LOGIN_MAX */
    /* The public intake's defences (0: the default named). */
    int ratelimit_ipv4_prefix;        /* clients of one IPv4 network share a bucket (32) */
    int ratelimit_ipv6_prefix;        /* clients of one IPv6 network share a bucket (64) */
    double report_global_per_minute;  /* reports opening incidents, all clients (60) */
    long long report_queue_max;       /* reports held over that cap (10000) */
    int intake_min_prefix_ipv4;       /* wider IPv4 networks are refused in a report (8) */
    int intake_min_prefix_ipv6;       /* wider IPv6 networks are refused in a report (32) */
    size_t intake_max_observables;    /* observables in one report (100) */
    int report_min_seconds;           /* the portal's report form is refused sooner than this
                                       * after it was given (vigie serve sets 3), 0: no minimum */
    const struct vg_proxies *proxies; /* trusted proxies (X-Forwarded-For), NULL: none */
    /* The console's sessions (web/, issue 14). */
    long long session_ttl;  /* seconds a session lives at most, 0: VG_SESSION_TTL (12 h) */
    long long session_idle; /* seconds a session lives unused, 0: VG_SESSION_IDLE (30 min) */
    bool cookie_secure;     /* the session cookie says Secure (served behind TLS) */
    /* Turns the error answer (status >= 400, a JSON error) of a VG_ROUTE_PAGE route, or the
     * 404/405 of a path outside /api/ and /taxii2/, into an HTML page; runs on any thread
     * (a worker, the database or the reader thread) and must not touch the store. NULL: the
     * errors stay JSON. */
    void (*page_error)(struct vg_req *req, struct vg_resp *r);
};

struct vg_server;

/* One HTTP request as handlers see it. */
struct vg_req {
    struct vg_server *srv;
    struct vg_store *st; /* the store (handlers run on the database thread) */
    const char *method;
    const char *path;
    const char *params[4]; /* path segments matched by "{}" in the route */
    char param_buf[4][256];
    void *conn; /* struct MHD_Connection; NULL for an in-process request (http/inproc.h) */
    const char *const *headers; /* in-process: header name, value, ..., NULL (else NULL) */
    const char *const *args;    /* in-process: query argument name, value, ..., NULL */
    const char *body;           /* NUL-terminated, body_len bytes */
    size_t body_len;
    json_t *json;          /* the body parsed by the worker, until vg_req_json takes it */
    bool parsed;           /* the body was parsed: json, or NULL and json_error */
    bool json_malformed;   /* not JSON at all (else, when json is NULL: not an object) */
    bool json_nomem;       /* memory ran out while parsing (json NULL) */
    char json_error[256];  /* the parser's message when json_malformed */
    struct vg_actor actor; /* who is calling (role "" when not authenticated) */
    char client[64];       /* client address */
    long long login_user;  /* POST /api/v1/login: the user whose password the hash pool
                            * checked, 0 if none */
    struct vg_form form;   /* a VG_ROUTE_FORM route's body, read by the worker */
    long long session_id;  /* a VG_ROUTE_SESSION route: the session's token id */
    char csrf[65];         /* and its CSRF token, for the page's forms ("" otherwise) */
};

struct vg_events_index;
/* The indicator index POST /api/v1/events matches against (app/events.h), kept between
 * requests and rebuilt when the store's indicator version changes. Only touched by handlers
 * (on the database thread); freed with the server. */
struct vg_events_index *vg_server_events(struct vg_server *srv);

const struct vg_server_config *vg_server_config(const struct vg_server *srv);
/* The published site kept in memory (app/publication.h), made on first use; only touched by
 * GET handlers (on the reader thread); freed with the server. NULL when out of memory. */
struct vg_pub_cache *vg_server_publication(struct vg_server *srv);
struct vg_token_uses;
/* The token uses waiting to be written (http/auth.h); NULL if there is no table. */
struct vg_token_uses *vg_server_token_uses(struct vg_server *srv);
struct vg_ratelimit *vg_server_ratelimit(struct vg_server *srv);

/* Starts listening and serving; fills *port with the port bound. NULL on failure. With
 * cfg->listen NULL there is no socket: requests come only through vg_server_handle
 * (http/inproc.h), and port may be NULL. */
struct vg_server *vg_server_start(const struct vg_server_config *cfg, int *port, struct vg_diag *d);
/* Stops accepting, waits for the workers and closes everything. */
void vg_server_stop(struct vg_server *srv);

/* ---- Suricata's socket output (`vigie serve --eve-socket PATH`, http/evesock.c) ---- */

/* Listens on the Unix socket path (match/listen.h: one reader per sensor, one bounded queue
 * of queue lines, dropped and counted when full); batches of lines (2000 or 100 ms) are
 * ingested as POST /api/v1/events's bodies are, on the database thread, with the server's
 * events index (reloaded there when the indicators change). Call once, after
 * vg_server_start; vg_server_stop drains and stops it first. 0 or an error with d filled. */
int vg_server_eve_socket(struct vg_server *srv, const char *path, size_t queue, struct vg_diag *d);
/* The socket's counts: connections accepted, lines received, dropped (queue full), malformed
 * (over-long, or not a JSON object), lost (in a batch the database did not store: an error
 * or a lock held past the busy timeout, logged). */
struct vg_eve_counts {
    unsigned long long connections, lines, dropped, malformed, lost;
};
/* Whether the server has an eve socket; if so its counts in *out (any thread). */
bool vg_server_eve_counts(struct vg_server *srv, struct vg_eve_counts *out);
/* The database thread's batches so far: batches run, requests in them, and of those the
 * requests that ran together in groups (several of one route at once: vg_server_config.many;
 * a group that fell back to one by one is not counted) and those groups. */
struct vg_write_counts {
    unsigned long long batches, requests, grouped, groups;
};
/* The counts in *out (any thread). */
void vg_server_write_counts(struct vg_server *srv, struct vg_write_counts *out);
/* Runs work(st, ctx) on the database thread, inside its next batch (a savepoint of the
 * batch's transaction), and waits for the batch's commit. 0, VG_ECONFLICT (the server is
 * stopping: not run) or VG_EIO (the batch's commit failed: nothing of work is stored). */
int vg_server_run_db(struct vg_server *srv, void (*work)(struct vg_store *st, void *ctx),
                     void *ctx);

/* Helpers for handlers (answers: http/response.h). */
/* The request body as a JSON object (the caller owns it; the worker thread has usually parsed
 * it already); on failure sets the error answer and returns NULL. */
json_t *vg_req_json(struct vg_req *req, struct vg_resp *r);
/* A query-string argument, or NULL. */
const char *vg_req_arg(struct vg_req *req, const char *name);
/* A request header (name case-insensitive), or NULL. */
const char *vg_req_header(struct vg_req *req, const char *name);
/* The {id} path parameter (the first) as a positive integer; 0 and a 404 answer naming
 * `what` ("organisation", "token", ...) if it is not one. */
long long vg_req_id(struct vg_req *req, struct vg_resp *r, const char *what);
/* Reads an optional positive integer id from the query string into filters[key]; 0, or -1
 * with a 400 answer set if it is not one. */
int vg_req_id_filter(struct vg_req *req, struct vg_resp *r, const char *key, json_t *filters);
/* Reads limit and cursor from the query string; 0 or sets a 400 answer and returns -1. */
int vg_req_page(struct vg_req *req, struct vg_resp *r, struct vg_page *page);

#endif
