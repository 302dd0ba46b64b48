/* The libmicrohttpd server. Worker threads read requests, parse their JSON bodies and write
 * answers in parallel; the database work of every request runs on one database thread with
 * one store connection. With SQLite this is faster than a connection per thread: one
 * connection's page cache is never invalidated by another's writes, and SQLite serialises
 * writers anyway. A worker hands a complete request to the database thread and suspends its
 * connection, so that it goes on serving its other connections; the database thread runs
 * what has queued up as one batch (group commit: one transaction, each write a savepoint),
 * commits, then resumes the batch's connections, whose workers send the answers. The same
 * path serves in-process requests (http/inproc.h: tests and fuzz targets), read from a struct
 * instead of a socket, whose caller waits for the database thread instead of a worker. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app/events.h"
#include "http/auth.h"
#include "http/inproc.h"
#include "http/proxy.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"

/* Requests run in one batch, one commit, at most. A batch is what queued up while the
 * previous one ran, so its size follows the load; the cap bounds the wait of the first. */
#define BATCH_MAX 64

/* What a request is at: reading its body, queued for (or on) the database thread, answered. */
enum job_state { JOB_READING, JOB_QUEUED, JOB_ANSWERED };

/* One request across libmicrohttpd's calls, and its place in the database thread's queue. */
struct job {
    struct vg_buf body;           /* the body, capped at max_body */
    bool too_big;                 /* the body went over the cap */
    bool nomem;                   /* reading the request ran out of memory */
    enum job_state state;         /* see enum job_state */
    const struct vg_route *route; /* the route found (queued jobs) */
    struct vg_req req;            /* the request as its handler sees it */
    struct vg_resp resp;          /* the answer, written by the database thread */
    char allow[128];              /* Allow header of a 405, "" if none */
    bool in_batch;                /* its answer depends on its batch's commit */
    struct job *next;             /* next in the queue */
    char *url;                    /* in-process: the request target, split and unescaped */
    const char **args;            /* in-process: query arguments, name, value, ..., NULL */
};

struct vg_server {
    struct vg_server_config cfg;
    char db[4096];
    char redirect[512];
    struct MHD_Daemon *mhd;
    int fd;
    struct vg_ratelimit *rl;
    struct vg_store *store;        /* used by the database thread only */
    pthread_t db_thread;           /* runs every request's database work */
    bool db_started;               /* db_thread was started */
    pthread_mutex_t qlock;         /* guards the queue and stopping */
    pthread_cond_t qcond;          /* signalled when a job is queued or the server stops */
    pthread_cond_t dcond;          /* signalled when an in-process job is answered (qlock) */
    struct job *qhead, *qtail;     /* jobs waiting for the database thread, oldest first */
    bool stopping;                 /* vg_server_stop was called: no more jobs are taken */
    struct vg_events_index events; /* POST /api/v1/events's index (database thread) */
};

const struct vg_server_config *vg_server_config(const struct vg_server *srv)
{
    return &srv->cfg;
}

struct vg_events_index *vg_server_events(struct vg_server *srv)
{
    return &srv->events;
}

struct vg_ratelimit *vg_server_ratelimit(struct vg_server *srv)
{
    return srv->rl;
}

/* Parses the body into req->json, or says why it is not a JSON object. */
static void parse_body(struct vg_req *req)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    req->parsed = true;
    req->json_malformed = false;
    req->json_nomem = false;
    req->json = vg_json_parse(req->body, req->body_len, &d);
    if (!req->json && errno == ENOMEM) {
        req->json_nomem = true;
    } else if (!req->json) {
        req->json_malformed = true;
        snprintf(req->json_error, sizeof req->json_error, "%s", d.message);
    } else if (!json_is_object(req->json)) {
        json_decref(req->json);
        req->json = NULL;
    }
}

json_t *vg_req_json(struct vg_req *req, struct vg_resp *r)
{
    if (req->body_len == 0) {
        vg_resp_error(r, 400, "invalid", "", "a JSON body is required");
        return NULL;
    }
    if (!req->parsed)
        parse_body(req);
    json_t *v = req->json;
    req->json = NULL;
    if (!v && req->json_nomem)
        vg_resp_error(r, 500, "internal", NULL, "out of memory");
    else if (!v && req->json_malformed)
        vg_resp_error(r, 400, "malformed_json", "", "%s", req->json_error);
    else if (!v)
        vg_resp_error(r, 400, "invalid", "", "the body must be a JSON object");
    req->parsed = false; /* taken: a second call parses again */
    return v;
}

/* The value of name in a list of pairs (name, value, ..., NULL), the first one. */
static const char *pair_value(const char *const *kv, const char *name, bool any_case)
{
    for (; kv && kv[0]; kv += 2)
        if (any_case ? strcasecmp(kv[0], name) == 0 : strcmp(kv[0], name) == 0)
            return kv[1];
    return NULL;
}

const char *vg_req_arg(struct vg_req *req, const char *name)
{
    if (!req->conn)
        return pair_value(req->args, name, false);
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *vg_req_header(struct vg_req *req, const char *name)
{
    if (!req->conn)
        return pair_value(req->headers, name, true);
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
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

/* The answer of a request whose memory ran out before it could be written; LOST_BODY when
 * the request had succeeded (its writes are done: a client should not blindly retry). */
static const char OOM_BODY[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";
static const char LOST_BODY[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory "
                                "writing the answer; the request was carried out\"}}\n";

/* Takes the body out of r as the text to send, ending in a newline: *text (the caller frees
 * it) and *len, or NULL and 0 when there is no body. An answer that could not be written (no
 * status, its document not dumped, an error without its document: memory ran out) becomes a
 * 500 whose text is OOM_BODY, static: returns true then, and the text is not to be freed. */
static bool take_text(struct vg_resp *r, char **text, size_t *len)
{
    bool had_body = r->json || r->text;
    char *t = r->json ? json_dumps(r->json, JSON_COMPACT) : r->text;
    size_t n = r->json ? (t ? strlen(t) : 0) : r->text_len;
    json_decref(r->json);
    r->json = NULL;
    r->text = NULL;
    r->text_len = 0;
    *text = NULL;
    *len = 0;
    if (t) {
        char *g = vg_realloc(t, n + 2);
        if (g) {
            g[n++] = '\n';
            g[n] = '\0';
            *text = g;
            *len = n;
            return false;
        }
        free(t);
    } else if (!had_body && r->status && r->status < 400) {
        return false; /* an answer without a body (errors always have one) */
    }
    bool done = r->status >= 200 && r->status < 300;
    if (r->status)
        vg_error("answer %d lost: out of memory", r->status);
    r->status = 500;
    r->content_type = VG_CONTENT_JSON;
    r->location[0] = '\0';
    r->retry_after = 0;
    *text = (char *)(done ? LOST_BODY : OOM_BODY);
    *len = strlen(*text);
    return true;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct vg_resp *r, const char *allow)
{
    char *text;
    size_t len;
    bool fixed = take_text(r, &text, &len);
    struct MHD_Response *resp;
    if (text)
        resp =
            MHD_create_response_from_buffer(len, text,
                                            fixed ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    else
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        if (!fixed)
            free(text);
        return MHD_NO;
    }
    if (text)
        MHD_add_response_header(resp, "Content-Type",
                                r->content_type ? r->content_type : VG_CONTENT_JSON);
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

/* Runs a queued job on the database thread: authentication, role, handler. */
static void run_job(struct vg_server *srv, struct job *j)
{
    struct vg_req *req = &j->req;
    struct vg_resp *r = &j->resp;
    const struct vg_route *route = j->route;
    req->st = srv->store;
    if (vg_http_auth(req, r, route->access) != 0)
        return;
    route->handler(req, r);
}

/* Runs a batch of jobs. Group commit: each write is a savepoint of one open transaction
 * (vg_store_batch_begin), committed once after the last job; no answer leaves before the
 * commit of what it read or wrote, so an acknowledged write is durable, and the cost of a
 * commit (the WAL writes) is shared by the batch. If the commit fails, every job that ran
 * inside the transaction gets a 500 instead of its answer. Consecutive reads before the
 * first write share one read transaction (one snapshot, taken after they all arrived). */
static void run_batch(struct vg_server *srv, struct job **batch, int n)
{
    bool reading = false;
    vg_store_batch_begin(srv->store);
    for (int i = 0; i < n; i++) {
        bool get = strcmp(batch[i]->req.method, "GET") == 0;
        if (get && !reading) {
            vg_store_read_begin(srv->store);
            reading = true;
        } else if (!get && reading) {
            vg_store_read_end(srv->store);
            reading = false;
        }
        run_job(srv, batch[i]);
        batch[i]->in_batch = vg_store_batch_pending(srv->store);
    }
    if (reading)
        vg_store_read_end(srv->store);
    if (vg_store_batch_pending(srv->store)) {
        struct vg_diag d;
        vg_diag_clear(&d);
        if (vg_store_batch_commit(srv->store, &d) != 0) {
            vg_error("commit: %s", d.message);
            for (int i = 0; i < n; i++)
                if (batch[i]->in_batch)
                    vg_resp_error(&batch[i]->resp, 500, "internal", NULL,
                                  "the database could not commit");
        }
    } else {
        vg_store_batch_commit(srv->store, NULL); /* nothing written: ends the batch mode */
    }
    for (int i = 0; i < n; i++) {
        struct MHD_Connection *conn = batch[i]->req.conn;
        if (conn) {
            batch[i]->state = JOB_ANSWERED;
            MHD_resume_connection(conn); /* the job may be freed from here on */
        } else {                         /* in-process: its caller waits on dcond */
            pthread_mutex_lock(&srv->qlock);
            batch[i]->state = JOB_ANSWERED;
            pthread_cond_broadcast(&srv->dcond);
            pthread_mutex_unlock(&srv->qlock);
        }
    }
}

/* The database thread: takes what has queued up, runs it as one batch, until stopped and
 * the queue is empty. */
static void *db_main(void *arg)
{
    struct vg_server *srv = arg;
    struct job *batch[BATCH_MAX];
    pthread_setname_np(pthread_self(), "vigie-db");
    for (;;) {
        pthread_mutex_lock(&srv->qlock);
        while (!srv->qhead && !srv->stopping)
            pthread_cond_wait(&srv->qcond, &srv->qlock);
        int n = 0;
        while (srv->qhead && n < BATCH_MAX) {
            batch[n++] = srv->qhead;
            srv->qhead = srv->qhead->next;
        }
        if (!srv->qhead)
            srv->qtail = NULL;
        pthread_mutex_unlock(&srv->qlock);
        if (!n)
            break; /* stopping, and nothing left */
        run_batch(srv, batch, n);
    }
    return NULL;
}

/* Queues j for the database thread; false when the server is stopping. The connection is
 * suspended first: the database thread may resume it as soon as j is queued. */
static bool enqueue(struct vg_server *srv, struct job *j)
{
    pthread_mutex_lock(&srv->qlock);
    bool ok = !srv->stopping;
    if (ok) {
        if (j->req.conn)
            MHD_suspend_connection(j->req.conn);
        j->state = JOB_QUEUED;
        j->next = NULL;
        if (srv->qtail)
            srv->qtail->next = j;
        else
            srv->qhead = j;
        srv->qtail = j;
        pthread_cond_signal(&srv->qcond);
    }
    pthread_mutex_unlock(&srv->qlock);
    return ok;
}

/* Looks up the route of a complete request and queues it; or answers at once (413, 404,
 * 405, 500 when reading it ran out of memory, 503). Returns true when queued. conn is NULL for
 * an in-process request (whose client address is already in j->req). */
static bool dispatch(struct vg_server *srv, struct job *j, struct MHD_Connection *conn,
                     const char *url, const char *method)
{
    struct vg_req *req = &j->req;
    struct vg_resp *r = &j->resp;
    if (j->too_big) {
        vg_resp_error(r, 413, "too_large", NULL, "request body larger than %zu bytes",
                      srv->cfg.max_body);
        return false;
    }
    if (j->nomem) {
        vg_resp_error(r, 500, "internal", NULL, "out of memory");
        return false;
    }
    req->srv = srv;
    req->method = method;
    req->path = url;
    req->conn = conn;
    req->body = j->body.data ? j->body.data : "";
    req->body_len = j->body.len;
    if (conn)
        client_addr(conn, req->client, sizeof req->client);
    vg_proxy_apply(srv->cfg.proxies, req); /* X-Forwarded-For, from trusted proxies only */
    bool known = false;
    j->route = vg_route_find(srv->cfg.routes, req, &known, j->allow, sizeof j->allow);
    if (!j->route) {
        if (known)
            vg_resp_error(r, 405, "method_not_allowed", NULL,
                          "%s is not allowed on %s; allowed: %s", req->method, req->path, j->allow);
        else
            vg_resp_error(r, 404, "not_found", NULL, "no such route: %s", req->path);
        return false;
    }
    j->allow[0] = '\0';
    /* parsed here, in parallel with other workers; judged by the handler, after the token */
    if (req->body_len && !(j->route->flags & VG_ROUTE_RAW_BODY))
        parse_body(req);
    if (enqueue(srv, j))
        return true;
    vg_resp_error(r, 503, "unavailable", NULL, "the server is stopping");
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    struct vg_server *srv = cls;
    struct job *j = *con_cls;
    if (!j) {
        j = vg_calloc(1, sizeof *j);
        if (!j)
            return MHD_NO;
        vg_buf_init(&j->body, srv->cfg.max_body);
        *con_cls = j;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        unsigned long long n;
        if (cl && vg_str_to_u64(vg_str_c(cl), 0, ~0ULL, &n) == 0 && n > srv->cfg.max_body)
            j->too_big = true;
        else
            return MHD_YES;
    }
    if (*upload_size) {
        int rc = j->too_big || j->nomem ? 0 : vg_buf_append(&j->body, upload, *upload_size);
        if (rc == VG_ETOOBIG)
            j->too_big = true;
        else if (rc)
            j->nomem = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (j->state == JOB_READING && dispatch(srv, j, conn, url, method))
        return MHD_YES; /* called again when the database thread has answered */
    return send_resp(conn, &j->resp, j->allow[0] ? j->allow : NULL);
}

/* Frees a request and what it holds. */
static void job_free(struct job *j)
{
    json_decref(j->req.json);
    json_decref(j->resp.json);
    free(j->resp.text);
    vg_buf_cleanup(&j->body);
    free(j->url);
    free(j->args);
    free(j);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct job *j = *con_cls;
    if (j) {
        job_free(j);
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

struct vg_server *vg_server_start(const struct vg_server_config *cfg, int *port, struct vg_diag *d)
{
    if (!cfg->routes) {
        vg_diag_set(d, VG_EINVAL, "", "no route table");
        return NULL;
    }
    struct vg_server *srv = vg_calloc(1, sizeof *srv);
    if (!srv) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    srv->fd = -1;
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
    pthread_mutex_init(&srv->qlock, NULL);
    pthread_cond_init(&srv->qcond, NULL);
    pthread_cond_init(&srv->dcond, NULL);
    srv->rl = vg_ratelimit_new(srv->cfg.report_per_minute, srv->cfg.report_burst);
    /* opened here: creates and migrates the database before any request */
    srv->store = vg_store_open(srv->db, &srv->cfg.store, d);
    if (!srv->store)
        goto fail;
    if (pthread_create(&srv->db_thread, NULL, db_main, srv) != 0) {
        vg_diag_set(d, VG_ENOMEM, "", "cannot start the database thread");
        goto fail;
    }
    srv->db_started = true;
    if (!cfg->listen) { /* in-process requests only */
        if (port)
            *port = 0;
        return srv;
    }
    srv->fd = bind_listen(cfg->listen, port, d);
    if (srv->fd < 0)
        goto fail;
    srv->mhd =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME,
                         0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, srv->fd,
                         MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                         on_completed, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
    if (!srv->mhd) {
        vg_diag_set(d, VG_EIO, "listen", "cannot start the HTTP server");
        goto fail;
    }
    return srv;
fail:
    vg_server_stop(srv);
    return NULL;
}

void vg_server_stop(struct vg_server *srv)
{
    if (!srv)
        return;
    /* the database thread answers what is queued and ends; later requests get a 503. Only
     * then is the daemon stopped: it may not be stopped with connections still suspended. */
    pthread_mutex_lock(&srv->qlock);
    srv->stopping = true;
    pthread_cond_signal(&srv->qcond);
    pthread_mutex_unlock(&srv->qlock);
    if (srv->db_started)
        pthread_join(srv->db_thread, NULL);
    if (srv->mhd)
        MHD_stop_daemon(srv->mhd);
    if (srv->fd >= 0)
        close(srv->fd);
    vg_store_close(srv->store);
    vg_events_index_cleanup(&srv->events);
    vg_ratelimit_free(srv->rl);
    pthread_cond_destroy(&srv->qcond);
    pthread_cond_destroy(&srv->dcond);
    pthread_mutex_destroy(&srv->qlock);
    free(srv);
}

/* Unescapes an argument's name or value as libmicrohttpd does: '+' is a space, then %XX. */
static void unescape_arg(char *s)
{
    for (char *p = s; *p; p++)
        if (*p == '+')
            *p = ' ';
    MHD_http_unescape(s);
}

/* What libmicrohttpd does for a request before its last call of on_request, for an in-process
 * one: the body cut at Content-Length and capped, the request target split into its path
 * (unescaped) and query arguments. 0, or -1 with the answer set (400 for a Content-Length
 * that is not a number, as libmicrohttpd refuses it). */
static int read_raw(struct vg_server *srv, struct job *j, const struct vg_raw_req *rq)
{
    size_t len = rq->body_len;
    const char *cl = vg_req_header(&j->req, "Content-Length");
    unsigned long long n = 0;
    if (cl && vg_str_to_u64(vg_str_c(cl), 0, ~0ULL, &n) != 0) {
        vg_resp_error(&j->resp, 400, "invalid", NULL, "bad Content-Length");
        return -1;
    }
    if (cl && n > srv->cfg.max_body)
        j->too_big = true;
    else if (cl && n < len)
        len = (size_t)n;
    int rc = j->too_big || !len ? 0 : vg_buf_append(&j->body, rq->body, len);
    if (rc == VG_ETOOBIG)
        j->too_big = true;
    else if (rc)
        j->nomem = true;
    j->url = vg_strdup(rq->url ? rq->url : "");
    if (!j->url) {
        j->nomem = true;
        return 0;
    }
    char *q = strchr(j->url, '?');
    size_t nargs = 0;
    if (q) {
        *q++ = '\0';
        nargs = 1;
        for (const char *p = q; *p; p++)
            nargs += *p == '&';
    }
    j->args = vg_calloc(2 * nargs + 1, sizeof *j->args);
    if (!j->args) {
        j->nomem = true;
        return 0;
    }
    size_t k = 0;
    for (char *p = q; p;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq++ = '\0';
        if (*p) { /* "&&" and "=v" name nothing */
            unescape_arg(p);
            if (eq)
                unescape_arg(eq);
            j->args[k++] = p;
            j->args[k++] = eq; /* NULL for a name without '=': no value, as MHD has it */
        }
        p = amp ? amp + 1 : NULL;
    }
    j->req.args = j->args;
    MHD_http_unescape(j->url);
    return 0;
}

int vg_server_handle(struct vg_server *srv, const struct vg_raw_req *rq, struct vg_raw_resp *out)
{
    memset(out, 0, sizeof *out);
    struct job *j = vg_calloc(1, sizeof *j);
    if (!j)
        return VG_ENOMEM;
    vg_buf_init(&j->body, srv->cfg.max_body);
    j->req.headers = rq->headers;
    snprintf(j->req.client, sizeof j->req.client, "%s", rq->client ? rq->client : "127.0.0.1");
    const char *method = rq->method ? rq->method : "";
    if (read_raw(srv, j, rq) == 0 && dispatch(srv, j, NULL, j->url ? j->url : "", method)) {
        pthread_mutex_lock(&srv->qlock);
        while (j->state != JOB_ANSWERED)
            pthread_cond_wait(&srv->dcond, &srv->qlock);
        pthread_mutex_unlock(&srv->qlock);
    }
    char *text;
    size_t len;
    struct vg_resp *r = &j->resp;
    if (take_text(r, &text, &len))
        text = vg_strndup(text, len); /* NULL if even that fails: the status says 500 */
    out->status = r->status;
    out->body = text;
    out->body_len = text ? len : 0;
    if (text)
        snprintf(out->content_type, sizeof out->content_type, "%s",
                 r->content_type ? r->content_type : VG_CONTENT_JSON);
    snprintf(out->allow, sizeof out->allow, "%s", j->allow);
    snprintf(out->location, sizeof out->location, "%s", r->location);
    out->retry_after = r->retry_after;
    job_free(j);
    return 0;
}

void vg_raw_resp_cleanup(struct vg_raw_resp *out)
{
    free(out->body);
    out->body = NULL;
    out->body_len = 0;
}
