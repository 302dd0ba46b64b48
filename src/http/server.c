/* The libmicrohttpd server. Worker threads read requests and write answers in parallel; the
 * database work of a request runs under one lock on one store connection. With SQLite this is
 * faster than a connection per thread: one connection's page cache is never invalidated by
 * another's writes, and SQLite serialises writers anyway. A request body is collected up to
 * the cap, then the route's handler runs once. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/auth.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "match/match.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/str.h"

struct vg_server {
    struct vg_server_config cfg;
    char db[4096];
    char redirect[512];
    struct MHD_Daemon *mhd;
    int fd;
    struct vg_ratelimit *rl;
    pthread_mutex_t lock; /* held while a handler uses the store */
    struct vg_store *store;
    /* group commit (see handle()) */
    atomic_int active;          /* requests between route lookup and answer */
    pthread_cond_t committed;   /* broadcast when a batch is committed */
    unsigned long batch;        /* number of the open batch */
    unsigned long failed_batch; /* number of the last batch whose commit failed, 0: none */
    int members;                /* requests in the open batch */
    struct vg_server_events events; /* POST /api/v1/events's index (under lock) */
};

#define BATCH_MAX 16      /* requests committed together at most */
#define BATCH_WAIT_US 1000 /* longest a request waits for others to join its commit */

/* State of one request across libmicrohttpd's calls. */
struct ctx {
    struct vg_buf body;
    bool too_big;
};

const struct vg_server_config *vg_server_config(const struct vg_server *srv)
{
    return &srv->cfg;
}

struct vg_server_events *vg_server_events(struct vg_server *srv)
{
    return &srv->events;
}

struct vg_ratelimit *vg_server_ratelimit(struct vg_server *srv)
{
    return srv->rl;
}

void vg_resp_json(struct vg_resp *r, int status, json_t *body)
{
    json_decref(r->json);
    r->status = status;
    r->json = body;
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
    default:
        vg_error("internal error: %s", msg);
        vg_resp_error(r, 500, "internal", NULL, "internal error");
    }
}

json_t *vg_req_json(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    if (req->body_len == 0) {
        vg_resp_error(r, 400, "invalid", "", "a JSON body is required");
        return NULL;
    }
    json_t *v = vg_json_parse(req->body, req->body_len, &d);
    if (!v) {
        vg_resp_error(r, 400, "malformed_json", "", "%s", d.message);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        vg_resp_error(r, 400, "invalid", "", "the body must be a JSON object");
        return NULL;
    }
    return v;
}

const char *vg_req_arg(struct vg_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

long long vg_req_id(struct vg_req *req, struct vg_resp *r, const char *what)
{
    unsigned long long id;
    if (vg_str_to_u64(vg_str_c(req->params[0]), 1, 1ULL << 62, &id) != 0) {
        vg_resp_error(r, 404, "not_found", "id", "no %s '%s'", what, req->params[0]);
        return 0;
    }
    return (long long)id;
}

int vg_req_id_filter(struct vg_req *req, struct vg_resp *r, const char *key, json_t *filters)
{
    const char *v = vg_req_arg(req, key);
    unsigned long long n;
    if (!v)
        return 0;
    if (vg_str_to_u64(vg_str_c(v), 1, 1ULL << 62, &n) != 0) {
        vg_resp_error(r, 400, "invalid", key, "%s must be a positive integer id", key);
        return -1;
    }
    json_object_set_new(filters, key, json_integer((json_int_t)n));
    return 0;
}

int vg_req_page(struct vg_req *req, struct vg_resp *r, struct vg_page *page)
{
    const char *lim = vg_req_arg(req, "limit");
    unsigned long long n = VG_DEFAULT_PAGE;
    if (lim && vg_str_to_u64(vg_str_c(lim), 1, VG_MAX_PAGE, &n) != 0) {
        vg_resp_error(r, 400, "invalid", "limit", "limit must be an integer from 1 to %d",
                      VG_MAX_PAGE);
        return -1;
    }
    page->limit = (int)n;
    page->cursor = vg_req_arg(req, "cursor");
    return 0;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct vg_resp *r,
                                 const char *allow)
{
    char *text = r->json ? json_dumps(r->json, JSON_COMPACT) : NULL;
    size_t len = text ? strlen(text) : 0;
    struct MHD_Response *resp;
    if (text) {
        text = realloc(text, len + 2);
        text[len++] = '\n';
        text[len] = '\0';
        resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    if (text)
        MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (allow)
        MHD_add_response_header(resp, "Allow", allow);
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void client_addr(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

/* Authenticates the bearer token, if any. Returns 0, or sets a 401 answer. */
static int authenticate(struct vg_req *req, struct vg_resp *r, bool required)
{
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Authorization");
    if (!h) {
        if (required)
            vg_resp_error(r, 401, "unauthorized", NULL,
                          "a token is required: Authorization: Bearer TOKEN");
        return required ? -1 : 0;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0 ||
        vg_auth_token_check(req->st, h + 7, strlen(h + 7), &req->actor) != 0) {
        memset(&req->actor, 0, sizeof req->actor);
        vg_resp_error(r, 401, "unauthorized", NULL, "invalid or revoked token");
        return -1;
    }
    return 0;
}

static void handle(struct vg_server *srv, struct vg_req *req, struct vg_resp *r, char *allow,
                   size_t allow_cap)
{
    bool known = false;
    const struct vg_route *route = vg_route_find(req, &known, allow, allow_cap);
    if (!route) {
        if (known)
            vg_resp_error(r, 405, "method_not_allowed", NULL, "%s is not allowed on %s; allowed: %s",
                          req->method, req->path, allow);
        else
            vg_resp_error(r, 404, "not_found", NULL, "no such route: %s", req->path);
        return;
    }
    allow[0] = '\0';
    /* Group commit: the database work of requests runs one at a time under srv->lock, each
     * write a savepoint of one open transaction. After its handler, a request that ran
     * inside an open transaction waits (up to BATCH_WAIT_US) for the other requests in
     * flight to join; the last one, or the first to time out, commits for all. No answer
     * leaves before the commit of what it read or wrote, so an acknowledged write is
     * durable; the cost of a commit (the WAL writes) is shared. */
    atomic_fetch_add(&srv->active, 1);
    pthread_mutex_lock(&srv->lock);
    req->st = srv->store;
    vg_store_batch_begin(req->st);
    if (authenticate(req, r, route->access != VG_PUBLIC) != 0)
        goto out;
    if (route->access != VG_PUBLIC && vg_auth_role_rank(req->actor.role) < (int)route->access) {
        vg_resp_error(r, 403, "forbidden", NULL, "role '%s' may not %s %s", req->actor.role,
                      req->method, req->path);
        goto out;
    }
    if (strcmp(route->method, "GET") == 0) {
        vg_store_read_begin(req->st);
        route->handler(req, r);
        vg_store_read_end(req->st);
    } else {
        route->handler(req, r);
    }
out:
    if (vg_store_batch_pending(req->st)) {
        unsigned long mine = srv->batch;
        bool timed_out = false;
        srv->members++;
        while (srv->batch == mine) {
            int others = atomic_load(&srv->active) - srv->members;
            if (srv->members >= BATCH_MAX || others <= 0 || timed_out) {
                struct vg_diag d;
                vg_diag_clear(&d);
                if (vg_store_batch_commit(req->st, &d) != 0) {
                    vg_error("commit: %s", d.message);
                    srv->failed_batch = mine;
                }
                srv->batch++;
                srv->members = 0;
                pthread_cond_broadcast(&srv->committed);
                break;
            }
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += BATCH_WAIT_US * 1000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            if (pthread_cond_timedwait(&srv->committed, &srv->lock, &until) == ETIMEDOUT)
                timed_out = true;
        }
        if (srv->failed_batch == mine)
            vg_resp_error(r, 500, "internal", NULL, "the database could not commit");
    } else {
        vg_store_batch_commit(req->st, NULL); /* nothing written: ends the batch mode */
    }
    pthread_mutex_unlock(&srv->lock);
    atomic_fetch_sub(&srv->active, 1);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    struct vg_server *srv = cls;
    struct ctx *c = *con_cls;
    if (!c) {
        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        vg_buf_init(&c->body, srv->cfg.max_body);
        *con_cls = c;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        unsigned long long n;
        if (cl && vg_str_to_u64(vg_str_c(cl), 0, ~0ULL, &n) == 0 && n > srv->cfg.max_body)
            c->too_big = true;
        else
            return MHD_YES;
    }
    if (*upload_size) {
        if (!c->too_big && vg_buf_append(&c->body, upload, *upload_size) != 0)
            c->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    struct vg_resp r = {0};
    char allow[128] = "";
    if (c->too_big) {
        vg_resp_error(&r, 413, "too_large", NULL, "request body larger than %zu bytes",
                      srv->cfg.max_body);
    } else {
        struct vg_req req = {0};
        req.srv = srv;
        req.method = method;
        req.path = url;
        req.conn = conn;
        req.body = c->body.data ? c->body.data : "";
        req.body_len = c->body.len;
        client_addr(conn, req.client, sizeof req.client);
        handle(srv, &req, &r, allow, sizeof allow);
    }
    if (!r.status)
        vg_resp_error(&r, 500, "internal", NULL, "no answer");
    enum MHD_Result ok = send_resp(conn, &r, allow[0] ? allow : NULL);
    json_decref(r.json);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct ctx *c = *con_cls;
    if (c) {
        vg_buf_cleanup(&c->body);
        free(c);
        *con_cls = NULL;
    }
}

/* Binds HOST:PORT (IPv4, IPv6 in brackets, or a name) and listens. */
static int bind_listen(const char *listen_on, int *port, struct vg_diag *d)
{
    char host[256];
    const char *colon = strrchr(listen_on, ':');
    if (!colon || colon == listen_on)
        return vg_diag_set(d, VG_EINVAL, "listen", "--listen must be HOST:PORT"), -1;
    size_t hl = (size_t)(colon - listen_on);
    const char *h = listen_on;
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        return vg_diag_set(d, VG_EINVAL, "listen", "host name too long"), -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    unsigned long long p;
    if (vg_str_to_u64(vg_str_c(colon + 1), 0, 65535, &p) != 0)
        return vg_diag_set(d, VG_EINVAL, "listen", "bad port '%s'", colon + 1), -1;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int gai = getaddrinfo(host, colon + 1, &hints, &ai);
    if (gai != 0)
        return vg_diag_set(d, VG_EINVAL, "listen", "cannot resolve '%s': %s", host,
                           gai_strerror(gai)),
               -1;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        vg_diag_set(d, VG_EIO, "listen", "cannot listen on %s: %m", listen_on);
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    (void)p;
    return fd;
}

struct vg_server *vg_server_start(const struct vg_server_config *cfg, int *port,
                                  struct vg_diag *d)
{
    struct vg_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    snprintf(srv->db, sizeof srv->db, "%s", cfg->db);
    srv->cfg.db = srv->db;
    snprintf(srv->redirect, sizeof srv->redirect, "%s",
             cfg->redirect_url ? cfg->redirect_url : "https://www.cybermalveillance.gouv.fr/");
    srv->cfg.redirect_url = srv->redirect;
    srv->cfg.listen = NULL;
    if (!srv->cfg.max_body)
        srv->cfg.max_body = VG_MAX_BODY;
    if (srv->cfg.report_per_minute <= 0)
        srv->cfg.report_per_minute = 10;
    if (srv->cfg.report_burst <= 0)
        srv->cfg.report_burst = srv->cfg.report_per_minute;
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n * 2 : 4;
    }
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->committed, NULL);
    srv->batch = 1;
    srv->rl = vg_ratelimit_new(srv->cfg.report_per_minute, srv->cfg.report_burst);
    /* opened here: creates and migrates the database before any request */
    srv->store = vg_store_open(srv->db, &srv->cfg.store, d);
    if (!srv->store)
        goto fail;
    srv->fd = bind_listen(cfg->listen, port, d);
    if (srv->fd < 0)
        goto fail;
    srv->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_LISTEN_SOCKET, srv->fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
    if (!srv->mhd) {
        vg_diag_set(d, VG_EIO, "listen", "cannot start the HTTP server");
        close(srv->fd);
        goto fail;
    }
    return srv;
fail:
    vg_store_close(srv->store);
    vg_match_index_free(srv->events.idx);
    vg_ratelimit_free(srv->rl);
    pthread_cond_destroy(&srv->committed);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
    return NULL;
}

void vg_server_stop(struct vg_server *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->mhd);
    close(srv->fd);
    vg_store_close(srv->store);
    vg_match_index_free(srv->events.idx);
    vg_ratelimit_free(srv->rl);
    pthread_cond_destroy(&srv->committed);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}
