/* The libmicrohttpd server. Worker threads read requests, parse their JSON bodies and write
 * answers in parallel; the database work of every request that may write runs on one
 * database thread with one store connection, and that of every GET on a reader thread with a
 * read-only connection of its own (one on SQLite, one per core on PostgreSQL, --readers).
 * With SQLite one writing connection is faster than a connection per thread: its page cache
 * is never invalidated by another's writes, and SQLite serialises writers anyway. The readers
 * are apart so that a read never waits behind a write waiting for the lock (another process
 * holding it: reads in WAL mode go on meanwhile); on PostgreSQL several overlap the round
 * trips of their lookups, where one would queue them (bench/pg/serve.sh). A
 * worker hands a complete request to its thread and suspends its connection, so that it goes
 * on serving its other connections; the database thread runs what has queued up as one batch
 * (group commit: one transaction, each write a savepoint), commits, then resumes the batch's
 * connections, whose workers send the answers; the reader runs its batch in one read
 * transaction. The same path serves in-process requests (http/inproc.h: tests and fuzz
 * targets), read from a struct instead of a socket, whose caller waits for the thread instead
 * of a worker. */
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
#include "app/publication.h"
#include "http/auth.h"
#include "http/conns.h"
#include "http/evesock.h"
#include "http/hashpool.h"
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

/* What a request is at: reading its body, queued for (or on) the database or the reader
 * thread, answered. */
enum job_state { JOB_READING, JOB_QUEUED, JOB_ANSWERED };

/* One request across libmicrohttpd's calls, and its place in its thread's queue. */
struct job {
    struct vg_buf body;           /* the body, capped at max_body */
    bool too_big;                 /* the body went over the cap */
    bool nomem;                   /* reading the request ran out of memory */
    enum job_state state;         /* see enum job_state */
    const struct vg_route *route; /* the route found (queued jobs) */
    struct vg_req req;            /* the request as its handler sees it */
    struct vg_resp resp;          /* the answer, written by the database or reader thread */
    char allow[128];              /* Allow header of a 405, "" if none */
    bool in_batch;                /* its answer depends on its batch's commit */
    struct job *next;             /* next in the queue */
    char *url;                    /* the request's path as sent (percent-encoded) */
    const char **args;            /* in-process: query arguments, name, value, ..., NULL */
    size_t target_len;            /* bytes of the request target (path and query) */
    bool started;                 /* on_request was called for it (its headers are read) */
    bool head;                    /* a HEAD request (dispatched as a GET) */
    /* vg_server_run_db: run instead of a route */
    void (*work)(struct vg_store *st, void *ctx);
    void *work_ctx;
};

/* Reader threads on PostgreSQL when --readers does not say: one per core, within bounds. */
static unsigned pg_readers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < VG_PG_READERS_MIN)
        return VG_PG_READERS_MIN;
    return n > VG_PG_READERS_MAX ? VG_PG_READERS_MAX : (unsigned)n;
}

/* The jobs waiting for one thread, oldest first (guarded by the server's qlock). */
struct jobq {
    struct job *head, *tail;
    int n;               /* jobs queued */
    pthread_cond_t cond; /* signalled when a job is queued or the server stops */
};

struct vg_server {
    struct vg_server_config cfg;
    char db[4096];
    char redirect[512];
    struct MHD_Daemon *mhd;
    int fd;
    struct vg_ratelimit *rl;
    struct vg_store *store;         /* used by the database thread only */
    struct vg_write_counts wcounts; /* written by the database thread (atomics) */
    pthread_t db_thread;            /* runs the database work of every request but GETs */
    bool db_started;                /* db_thread was started */
    struct reader *readers;         /* the reader threads (see struct reader) */
    unsigned nreaders;              /* readers started */
    pthread_mutex_t qlock;          /* guards both queues and stopping */
    pthread_cond_t dcond;           /* signalled when an in-process job is answered (qlock) */
    struct jobq writes;             /* jobs for the database thread */
    struct jobq reads;              /* GETs, for the reader thread */
    bool stopping;                  /* vg_server_stop was called: no more jobs are taken */
    struct vg_events_index events;  /* POST /api/v1/events's index (database thread) */
    struct vg_conns *conns;         /* connection deadlines and room (http/conns.h) */
    struct vg_hashpool *pool;       /* checks the passwords of logins */
    struct vg_loginlimit *logins;   /* the rate limit of logins */
    struct vg_token_uses *uses;     /* token uses for the database thread to write */
    struct vg_pub_cache *pub;       /* the published site (the database thread's) */
    struct vg_evesock *eve;         /* --eve-socket (http/evesock.h), NULL: none */
};

/* A reader thread: it runs the database work of GETs on a read-only connection of its own.
 * SQLite has one (its snapshots cost nothing to share, and one connection keeps one page
 * cache); PostgreSQL has several (vg_server_config.readers), whose lookups then overlap their
 * round trips instead of queueing behind one connection. Each holds what its connection
 * caches (the correlation index, store/pg_corr.c) and its own copy of the published site. */
struct reader {
    struct vg_server *srv;
    struct vg_store *st;      /* read-only */
    struct vg_pub_cache *pub; /* the published site, built on first use */
    pthread_t thread;
};

/* The published site's cache of the thread running a request: a reader's own, or the
 * database thread's (NULL on a worker thread: none). */
static _Thread_local struct vg_pub_cache **thread_pub;

const struct vg_server_config *vg_server_config(const struct vg_server *srv)
{
    return &srv->cfg;
}

struct vg_pub_cache *vg_server_publication(struct vg_server *srv)
{
    (void)srv;
    if (!thread_pub)
        return NULL;
    if (!*thread_pub)
        *thread_pub = vg_pub_cache_new();
    return *thread_pub;
}

struct vg_events_index *vg_server_events(struct vg_server *srv)
{
    return &srv->events;
}

struct vg_ratelimit *vg_server_ratelimit(struct vg_server *srv)
{
    return srv->rl;
}

struct vg_token_uses *vg_server_token_uses(struct vg_server *srv)
{
    return srv->uses;
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
    if (r->raw && !r->json && t) { /* as written, no newline added */
        r->text = NULL;
        r->text_len = 0;
        *text = t;
        *len = n;
        return false;
    }
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
    r->nheaders = 0;
    *text = (char *)(done ? LOST_BODY : OOM_BODY);
    *len = strlen(*text);
    return true;
}

/* The challenge of a 401: the API takes bearer tokens; the sharing routes also HTTP Basic (a
 * partner's id and token). */
#define WWW_AUTHENTICATE       "Bearer realm=\"vigie\""
#define WWW_AUTHENTICATE_BASIC "Basic realm=\"vigie\""

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
    bool cache_set = false; /* a public file says how long it may be kept */
    for (int i = 0; i < r->nheaders; i++)
        cache_set = cache_set || strcasecmp(r->headers[i].name, "Cache-Control") == 0;
    if (!cache_set)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", WWW_AUTHENTICATE);
    if (r->status == 401 && r->basic_auth)
        MHD_add_response_header(resp, "WWW-Authenticate", WWW_AUTHENTICATE_BASIC);
    if (r->close)
        MHD_add_response_header(resp, "Connection", "close");
    if (r->location[0])
        MHD_add_response_header(resp, "Location", r->location);
    if (allow)
        MHD_add_response_header(resp, "Allow", allow);
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
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

/* An answer 500 whose request met a failure of the database that passes (vg_store_outage:
 * PostgreSQL unreachable or restarting, the connection cut, a statement timeout) becomes 503
 * "unavailable" with that failure's message: the client may try again, nothing is broken. */
static void outage_answer(struct vg_store *st, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_store_outage(st, &d) && r->status == 500) {
        vg_resp_error(r, 503, "unavailable", NULL, "%s; try again", d.message);
        r->retry_after = 1;
    }
}

/* Authenticates queued job j on st, its thread's connection (token, role): true if its
 * handler may run; else its answer is written (401, 403, or 503 if the store failed). */
static bool admit_job(struct vg_store *st, struct job *j)
{
    j->req.st = st;
    vg_store_outage(st, NULL); /* forgets an earlier request's */
    if (vg_http_auth_route(&j->req, &j->resp, j->route) == 0)
        return true;
    outage_answer(st, &j->resp);
    return false;
}

/* Runs a queued job on st, its thread's connection: authentication, role, handler. */
static void run_job(struct vg_store *st, struct job *j)
{
    if (j->work) { /* vg_server_run_db */
        j->req.st = st;
        j->work(st, j->work_ctx);
        return;
    }
    if (!admit_job(st, j))
        return;
    j->route->handler(&j->req, &j->resp);
    outage_answer(st, &j->resp);
}

/* Answers a job: resumes its connection (a worker sends the answer), or wakes the caller of an
 * in-process one. */
static void answer_job(struct vg_server *srv, struct job *j)
{
    struct MHD_Connection *conn = j->req.conn;
    if (conn) {
        j->state = JOB_ANSWERED;
        MHD_resume_connection(conn); /* the job may be freed from here on */
    } else {                         /* in-process: its caller waits on dcond */
        pthread_mutex_lock(&srv->qlock);
        j->state = JOB_ANSWERED;
        pthread_cond_broadcast(&srv->dcond);
        pthread_mutex_unlock(&srv->qlock);
    }
}

/* Answers the jobs of a batch. */
static void answer_batch(struct vg_server *srv, struct job **batch, int n)
{
    for (int i = 0; i < n; i++)
        answer_job(srv, batch[i]);
}

/* Looks up the tokens of a batch's requests at once (vg_http_auth_prefetch). */
static void prefetch_tokens(struct vg_store *st, struct job **batch, int n)
{
    struct vg_req *reqs[BATCH_MAX];
    for (int i = 0; i < n && i < BATCH_MAX; i++)
        reqs[i] = &batch[i]->req;
    vg_http_auth_prefetch(st, reqs, n < BATCH_MAX ? n : BATCH_MAX);
}

/* The handler that runs several requests of j's route at once (vg_server_config.many), or
 * NULL. */
static vg_handler_many many_of(const struct vg_server *srv, const struct job *j)
{
    if (j->work || !j->route || !srv->cfg.many)
        return NULL;
    for (const struct vg_route_many *m = srv->cfg.many; m->one; m++)
        if (m->one == j->route->handler)
            return m->many;
    return NULL;
}

/* Runs jobs[0..n-1], consecutive requests of one route whose handler many runs several at
 * once: each is authenticated (admit_job), then those admitted go to many in one call
 * (a batch's incident creations: one statement on PostgreSQL). Answers as run_job's, in order.
 * Returns how many ran together (many's answer). */
static int run_group(struct vg_store *st, struct job **jobs, int n, vg_handler_many many)
{
    struct vg_req *reqs[BATCH_MAX];
    struct vg_resp *resps[BATCH_MAX];
    struct job *in[BATCH_MAX];
    int m = 0;
    for (int i = 0; i < n; i++) {
        struct job *j = jobs[i];
        if (!admit_job(st, j)) {
            j->in_batch = vg_store_batch_pending(st);
            continue;
        }
        reqs[m] = &j->req;
        resps[m] = &j->resp;
        in[m++] = j;
    }
    if (!m)
        return 0;
    vg_store_outage(st, NULL);
    int together = many(reqs, resps, m);
    for (int i = 0; i < m; i++) {
        outage_answer(st, resps[i]);
        in[i]->in_batch = vg_store_batch_pending(st);
    }
    return together;
}

/* Runs a batch of jobs on the database thread (every method but GET). Group commit: each
 * write is a savepoint of one open transaction (vg_store_batch_begin), committed once after
 * the last job; no answer leaves before the commit of what it read or wrote, so an
 * acknowledged write is durable, and the cost of a commit (the WAL writes) is shared by the
 * batch. If the commit fails, every job that ran inside the transaction gets a 500 instead
 * of its answer. If another process holds the write lock past the busy timeout, the write
 * that waited answers 503 busy and the batch's later writes do not wait again (the store's
 * batch does that). Consecutive requests of a route that can run several at once (a batch's
 * incident creations) run as one group (run_group). */
static void run_batch(struct vg_server *srv, struct job **batch, int n)
{
    __atomic_add_fetch(&srv->wcounts.batches, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&srv->wcounts.requests, (unsigned long long)n, __ATOMIC_RELAXED);
    vg_store_batch_begin(srv->store);
    /* the tokens' last uses, written in the batch: if another process holds the lock, the
     * batch waits for it once, not once more for these */
    vg_token_uses_flush(srv->uses, srv->store);
    prefetch_tokens(srv->store, batch, n);
    for (int i = 0; i < n;) {
        vg_handler_many many = many_of(srv, batch[i]);
        int k = i + 1;
        while (many && k < n && many_of(srv, batch[k]) == many)
            k++;
        if (k - i >= 2) {
            int together = run_group(srv->store, batch + i, k - i, many);
            if (together > 0) {
                __atomic_add_fetch(&srv->wcounts.groups, 1, __ATOMIC_RELAXED);
                __atomic_add_fetch(&srv->wcounts.grouped, (unsigned long long)together,
                                   __ATOMIC_RELAXED);
            }
            i = k;
            continue;
        }
        run_job(srv->store, batch[i]);
        batch[i]->in_batch = vg_store_batch_pending(srv->store);
        i++;
    }
    vg_http_auth_prefetch_end(srv->store);
    if (vg_store_batch_pending(srv->store)) {
        struct vg_diag d;
        vg_diag_clear(&d);
        if (vg_store_batch_commit(srv->store, &d) != 0) {
            /* the database gone or restarting: 503, the client tries again (none of the
             * batch's writes is there: none was acknowledged) */
            vg_error("commit: %s", d.message);
            bool outage = vg_store_outage(srv->store, &d);
            for (int i = 0; i < n; i++) {
                if (!batch[i]->in_batch)
                    continue;
                if (outage) {
                    vg_resp_error(&batch[i]->resp, 503, "unavailable", NULL,
                                  "%s: nothing was written; try again", d.message);
                    batch[i]->resp.retry_after = 1;
                } else {
                    vg_resp_error(&batch[i]->resp, 500, "internal", NULL,
                                  "the database could not commit");
                }
            }
        }
    } else {
        vg_store_batch_commit(srv->store, NULL); /* nothing written: ends the batch mode */
    }
    answer_batch(srv, batch, n);
}

/* Runs a batch of GETs on the reader thread, in one read transaction: one snapshot, taken
 * after they all arrived, so each sees every write answered before it was sent (a write is
 * answered after its commit). */
static void run_reads(struct reader *rd, struct job **batch, int n)
{
    vg_store_read_begin(rd->st);
    prefetch_tokens(rd->st, batch, n);
    for (int i = 0; i < n; i++)
        run_job(rd->st, batch[i]);
    vg_http_auth_prefetch_end(rd->st);
    vg_store_read_end(rd->st);
    answer_batch(rd->srv, batch, n);
}

/* Takes jobs from q, waiting for one: up to BATCH_MAX, or with `share` threads taking from q
 * that share of what is queued (at least one); 0 when the server stops and q is empty. */
static int take_batch(struct vg_server *srv, struct jobq *q, struct job **batch, int share)
{
    pthread_mutex_lock(&srv->qlock);
    while (!q->head && !srv->stopping)
        pthread_cond_wait(&q->cond, &srv->qlock);
    int max = share > 1 ? (q->n + share - 1) / share : BATCH_MAX;
    if (max > BATCH_MAX)
        max = BATCH_MAX;
    int n = 0;
    while (q->head && n < max) {
        batch[n++] = q->head;
        q->head = q->head->next;
    }
    q->n -= n;
    if (!q->head)
        q->tail = NULL;
    pthread_mutex_unlock(&srv->qlock);
    return n;
}

/* The database thread: takes what has queued up, runs it as one batch, until stopped and
 * the queue is empty. */
static void *db_main(void *arg)
{
    struct vg_server *srv = arg;
    struct job *batch[BATCH_MAX];
    pthread_setname_np(pthread_self(), "vigie-db");
    thread_pub = &srv->pub;
    int n;
    while ((n = take_batch(srv, &srv->writes, batch, 1)) > 0)
        run_batch(srv, batch, n);
    return NULL;
}

/* A reader thread: as the database thread, for the GETs. With several readers each takes its
 * share of what is queued (a batch's reads wait for one another: the fewer per reader, the
 * shorter the wait), at least one. */
static void *read_main(void *arg)
{
    struct reader *rd = arg;
    struct vg_server *srv = rd->srv;
    struct job *batch[BATCH_MAX];
    pthread_setname_np(pthread_self(), "vigie-read");
    thread_pub = &rd->pub;
    int n;
    while ((n = take_batch(srv, &srv->reads, batch, (int)srv->cfg.readers)) > 0)
        run_reads(rd, batch, n);
    return NULL;
}

/* Appends j to q and wakes q's thread; srv->qlock is held. */
static void push_job(struct jobq *q, struct job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->n++;
    pthread_cond_signal(&q->cond);
}

/* Queues j for its thread: the reader for a GET route (a HEAD answered by one too) unless it
 * is VG_ROUTE_WRITE, the database thread for the rest; false when the server is stopping. The
 * connection is suspended first: the thread may resume it as soon as j is queued. */
static bool enqueue(struct vg_server *srv, struct job *j)
{
    bool read = strcmp(j->route->method, "GET") == 0 && !(j->route->flags & VG_ROUTE_WRITE);
    struct jobq *q = read ? &srv->reads : &srv->writes;
    pthread_mutex_lock(&srv->qlock);
    bool ok = !srv->stopping;
    if (ok) {
        if (j->req.conn)
            MHD_suspend_connection(j->req.conn);
        j->state = JOB_QUEUED;
        push_job(q, j);
    }
    pthread_mutex_unlock(&srv->qlock);
    return ok;
}

/* Whether the media type ct (a Content-Type value, NULL if none) is type, parameters such as
 * charset aside; case-insensitive. */
static bool media_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (!ct || strncasecmp(ct, type, n) != 0)
        return false;
    for (ct += n; *ct == ' ' || *ct == '\t'; ct++)
        ;
    return *ct == '\0' || *ct == ';';
}

/* Whether a body sent to route has a content type it takes: application/json, or for a route
 * that reads its body itself (NDJSON) application/x-ndjson too. A web page elsewhere can make
 * a browser post a form or text/plain without asking the server first (no CORS preflight),
 * never application/json. */
static bool body_type_ok(struct vg_req *req, const struct vg_route *route)
{
    if (route->flags & VG_ROUTE_TAXII)
        return true; /* application/taxii+json: the handler judges it (415 as TAXII says) */
    const char *ct = vg_req_header(req, "Content-Type");
    if (route->flags & VG_ROUTE_FORM)
        return media_type_is(ct, "application/x-www-form-urlencoded");
    return media_type_is(ct, "application/json") ||
           (route->flags & VG_ROUTE_RAW_BODY && media_type_is(ct, "application/x-ndjson"));
}

/* Queues a job whose connection is already suspended (a login back from the hash pool) for
 * the database thread; false when the server is stopping. */
static bool requeue(struct vg_server *srv, struct job *j)
{
    pthread_mutex_lock(&srv->qlock);
    bool ok = !srv->stopping;
    if (ok)
        push_job(&srv->writes, j);
    pthread_mutex_unlock(&srv->qlock);
    return ok;
}

/* On a hash pool thread: checks a login's password, then hands it to the database thread to
 * mint its token, or answers it (401, 500, 503 when the server is stopping). */
static void login_work(struct vg_store *st, void *arg)
{
    struct job *j = arg;
    struct vg_server *srv = j->req.srv;
    vg_store_outage(st, NULL); /* forgets an earlier login's */
    if (vg_http_login_verify(&j->req, &j->resp, st, srv->logins) == 0) {
        if (requeue(srv, j))
            return;
        vg_resp_error(&j->resp, 503, "unavailable", NULL, "the server is stopping");
    }
    outage_answer(st, &j->resp);
    answer_job(srv, j);
}

/* A login goes to the hash pool, not to the database thread: the worker checks its body and
 * the rate limit, suspends the connection and queues it there. True when queued; false with
 * the answer set (400, 429, 503 `busy` when the pool's queue is full). */
static bool login_start(struct vg_server *srv, struct job *j)
{
    if (!vg_hashpool_reserve(srv->pool)) {
        vg_resp_error(&j->resp, 503, "busy", NULL, "too many logins at once; retry in 1 s");
        j->resp.retry_after = 1;
        return false;
    }
    if (vg_http_login_admit(&j->req, &j->resp, srv->logins) != 0) {
        vg_hashpool_release(srv->pool);
        return false;
    }
    if (j->req.conn)
        MHD_suspend_connection(j->req.conn);
    j->state = JOB_QUEUED;
    vg_hashpool_push(srv->pool, login_work, j);
    return true;
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
    if (!j->route && !known && srv->cfg.pages)
        j->route = vg_route_find(srv->cfg.pages, req, &known, j->allow, sizeof j->allow);
    if (!j->route) {
        if (known)
            vg_resp_error(r, 405, "method_not_allowed", NULL,
                          "%s is not allowed on %s; allowed: %s", req->method, req->path, j->allow);
        else
            vg_resp_error(r, 404, "not_found", NULL, "no such route: %s", req->path);
        return false;
    }
    j->allow[0] = '\0';
    if (j->head && (j->route->flags & VG_ROUTE_WRITE)) {
        /* a link checker's HEAD must not use a single-use link */
        snprintf(j->allow, sizeof j->allow, "GET");
        vg_resp_error(r, 405, "method_not_allowed", NULL, "HEAD is not allowed on %s; allowed: GET",
                      req->path);
        return false;
    }
    if (req->body_len && !body_type_ok(req, j->route)) {
        vg_resp_error(r, 415, "unsupported_media_type", "Content-Type",
                      "the body's Content-Type must be %s",
                      j->route->flags & VG_ROUTE_FORM ? "application/x-www-form-urlencoded"
                      : j->route->flags & VG_ROUTE_RAW_BODY
                          ? "application/x-ndjson or application/json"
                          : "application/json");
        return false;
    }
    /* parsed here, in parallel with other workers; judged by the handler, after the token */
    if (j->route->flags & VG_ROUTE_FORM) {
        struct vg_diag d;
        vg_diag_clear(&d);
        int rc = vg_form_parse(&req->form, req->body, req->body_len, &d);
        if (rc) {
            vg_resp_diag(r, rc, &d);
            return false;
        }
    } else if (req->body_len && !(j->route->flags & VG_ROUTE_RAW_BODY)) {
        parse_body(req);
    }
    if (j->route->flags & VG_ROUTE_LOGIN)
        return login_start(srv, j);
    if (enqueue(srv, j))
        return true;
    vg_resp_error(r, 503, "unavailable", NULL, "the server is stopping");
    return false;
}

/* A new request's job, its body capped at the server's max_body; NULL when out of memory. */
static struct job *job_new(struct vg_server *srv)
{
    struct job *j = vg_calloc(1, sizeof *j);
    if (j)
        vg_buf_init(&j->body, srv->cfg.max_body);
    return j;
}

/* Frees a request and what it holds. */
static void job_free(struct job *j)
{
    json_decref(j->req.json);
    vg_form_cleanup(&j->req.form);
    json_decref(j->resp.json);
    free(j->resp.text);
    vg_buf_cleanup(&j->body);
    free(j->url);
    free(j->args);
    free(j);
}

/* Whether the path (as sent) holds an encoded NUL or '/': %00 would cut it short once
 * decoded, %2F would move a segment's boundary; both are refused, not routed. */
static bool bad_escape(const char *path)
{
    for (const char *p = strchr(path, '%'); p; p = strchr(p + 1, '%'))
        if (p[1] == '0' && p[2] == '0')
            return true;
        else if (p[1] == '2' && (p[2] == 'f' || p[2] == 'F'))
            return true;
    return false;
}

/* Judges what a request's line and headers show, before its body is read: a request target
 * or headers over vigie's caps (below libmicrohttpd's own, so that the answer is vigie's), a
 * body announced both by Content-Length and Transfer-Encoding (RFC 9112: a request smuggling
 * attempt, or a broken proxy), a Content-Length over the body cap, an encoded NUL or '/' in
 * the path. Sets the answer and returns true when the request is refused; the connection is
 * then closed after the answer (its body is not read). header_bytes is 0 when unknown. */
static bool refuse_early(struct vg_server *srv, struct job *j, size_t header_bytes)
{
    struct vg_req *req = &j->req;
    struct vg_resp *r = &j->resp;
    const char *cl = vg_req_header(req, "Content-Length");
    unsigned long long n;
    if (j->nomem)
        vg_resp_error(r, 500, "internal", NULL, "out of memory");
    else if (j->target_len > VG_MAX_TARGET)
        vg_resp_error(r, 414, "too_large", NULL, "request target longer than %d bytes",
                      VG_MAX_TARGET);
    else if (header_bytes > VG_MAX_HEADERS)
        vg_resp_error(r, 431, "too_large", NULL, "request headers longer than %d bytes",
                      VG_MAX_HEADERS);
    else if (cl && vg_req_header(req, "Transfer-Encoding"))
        vg_resp_error(r, 400, "invalid", "Transfer-Encoding",
                      "a request may not have both Content-Length and Transfer-Encoding");
    else if (cl && vg_str_to_u64(vg_str_c(cl), 0, ~0ULL, &n) == 0 && n > srv->cfg.max_body)
        vg_resp_error(r, 413, "too_large", NULL, "request body larger than %zu bytes",
                      srv->cfg.max_body);
    else if (bad_escape(j->url))
        vg_resp_error(r, 400, "invalid", "path", "%%00 and %%2F are not allowed in a path");
    else
        return false;
    r->close = true;
    j->state = JOB_ANSWERED;
    return true;
}

/* libmicrohttpd's MHD_OPTION_URI_LOG_CALLBACK: called with the request target as sent, before
 * the headers are read. The request's job starts here, keeping the path undecoded for the
 * router. Its value comes back as *con_cls in on_request. */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    struct job *j = job_new(cls);
    if (!j)
        return NULL;
    j->target_len = strlen(uri);
    j->url = vg_strndup(uri, strcspn(uri, "?"));
    if (!j->url)
        j->nomem = true;
    return j;
}

/* The size of the request's line and headers as libmicrohttpd read them, 0 if unknown. */
static size_t header_size(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    return ci ? ci->header_size : 0;
}

/* A TAXII request's answer is a TAXII one, errors included (those of the route's handler,
 * and those the server gives before it: 401, 403, 404, 405, 413): its route says so, or, when
 * no route was found, its path under /taxii2. */
static void taxii_answer(struct job *j)
{
    const char *u = j->url ? j->url : "";
    bool taxii = j->route ? (j->route->flags & VG_ROUTE_TAXII) != 0
                          : strncmp(u, "/taxii2", 7) == 0 && strchr("/?", u[7]) != NULL;
    if (taxii)
        vg_resp_taxii(&j->resp);
    /* a page's error is a page; so is a browser's 404 or 405 outside the API */
    const struct vg_server *srv = j->req.srv;
    bool page = j->route ? (j->route->flags & VG_ROUTE_PAGE) != 0
                         : strncmp(u, "/api/", 5) != 0 && strncmp(u, "/taxii2", 7) != 0 &&
                               (j->resp.status == 404 || j->resp.status == 405);
    if (page && srv && srv->cfg.page_error && j->resp.status >= 400 && j->resp.json)
        srv->cfg.page_error(&j->req, &j->resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)url; /* decoded by libmicrohttpd: routing uses the target as sent (on_target) */
    struct vg_server *srv = cls;
    struct job *j = *con_cls;
    if (!j || !j->started) { /* the headers are read */
        if (!j) {            /* on_target ran out of memory */
            if (!(j = job_new(srv)))
                return MHD_NO;
            j->nomem = true;
            *con_cls = j;
        }
        j->started = true;
        j->req.conn = conn;
        if (!vg_conns_enter(conn, VG_CONN_BODY))
            return MHD_NO; /* ended by its header deadline meanwhile */
        if (refuse_early(srv, j, header_size(conn))) {
            taxii_answer(j);
            return send_resp(conn, &j->resp, NULL);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        bool reading = j->state == JOB_READING && !j->too_big && !j->nomem;
        int rc = reading ? vg_buf_append(&j->body, upload, *upload_size) : 0;
        if (rc == VG_ETOOBIG)
            j->too_big = true;
        else if (rc)
            j->nomem = true;
        *upload_size = 0; /* past the cap (chunked) it is read and dropped: libmicrohttpd
                           * takes an answer only before the body or after all of it */
        return MHD_YES;
    }
    if (j->state == JOB_ANSWERED && j->resp.close)
        return MHD_YES; /* answered early; the connection closes */
    if (j->state == JOB_READING) {
        if (!vg_conns_enter(conn, VG_CONN_BUSY))
            return MHD_NO; /* ended by its body deadline meanwhile */
        /* HEAD is GET without the body, which libmicrohttpd leaves out */
        j->head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
        if (dispatch(srv, j, conn, j->url ? j->url : "",
                     strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 ? MHD_HTTP_METHOD_GET : method))
            return MHD_YES; /* called again when the database thread has answered */
        j->resp.close = j->too_big;
    }
    taxii_answer(j);
    return send_resp(conn, &j->resp, j->allow[0] ? j->allow : NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    struct job *j = *con_cls;
    if (j) {
        job_free(j);
        *con_cls = NULL;
    }
    vg_conns_enter(conn, VG_CONN_HEADERS); /* kept alive: waits for the next request */
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
    if (!srv->cfg.header_timeout)
        srv->cfg.header_timeout = 10;
    if (!srv->cfg.body_timeout)
        srv->cfg.body_timeout = 30;
    if (!srv->cfg.max_connections)
        srv->cfg.max_connections = 1000;
    /* libmicrohttpd shares the cap out between its worker threads: each has at least 2 */
    if (threads > srv->cfg.max_connections / 2)
        threads = srv->cfg.max_connections / 2 ? srv->cfg.max_connections / 2 : 1;
    pthread_mutex_init(&srv->qlock, NULL);
    pthread_cond_init(&srv->writes.cond, NULL);
    pthread_cond_init(&srv->reads.cond, NULL);
    pthread_cond_init(&srv->dcond, NULL);
    srv->rl = vg_ratelimit_new(srv->cfg.report_per_minute, srv->cfg.report_burst);
    srv->logins = vg_loginlimit_new(cfg->login_free, cfg->login_wait_max);
    srv->uses = vg_token_uses_new();
    if (!srv->logins || !srv->uses) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto fail;
    }
    /* opened here: creates and migrates the database before any request */
    srv->store = vg_store_open(srv->db, &srv->cfg.store, d);
    if (!srv->store)
        goto fail;
    if (srv->cfg.busy_timeout_ms)
        vg_store_busy_timeout(srv->store, srv->cfg.busy_timeout_ms);
    if (!srv->cfg.readers)
        srv->cfg.readers = vg_store_url_is_pg(srv->db) ? pg_readers() : 1;
    srv->readers = vg_calloc(srv->cfg.readers, sizeof *srv->readers);
    if (!srv->readers) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto fail;
    }
    srv->pool = vg_hashpool_new(cfg->hash_threads, cfg->hash_queue, srv->db, &srv->cfg.store, d);
    if (!srv->pool)
        goto fail;
    if (pthread_create(&srv->db_thread, NULL, db_main, srv) != 0) {
        vg_diag_set(d, VG_ENOMEM, "", "cannot start the database thread");
        goto fail;
    }
    srv->db_started = true;
    /* the readers' connections, opened after the migrations are done */
    while (srv->nreaders < srv->cfg.readers) {
        struct reader *rd = &srv->readers[srv->nreaders];
        rd->srv = srv;
        rd->st = vg_store_open(srv->db, &srv->cfg.store, d);
        if (!rd->st || vg_store_read_only(rd->st, d) != 0) {
            vg_store_close(rd->st);
            goto fail;
        }
        if (pthread_create(&rd->thread, NULL, read_main, rd) != 0) {
            vg_store_close(rd->st);
            vg_diag_set(d, VG_ENOMEM, "", "cannot start a reader thread");
            goto fail;
        }
        srv->nreaders++;
    }
    if (!cfg->listen) { /* in-process requests only */
        if (port)
            *port = 0;
        return srv;
    }
    srv->fd = bind_listen(cfg->listen, port, d);
    if (srv->fd < 0)
        goto fail;
    struct vg_conns_config cc = {srv->cfg.header_timeout * 1000, srv->cfg.body_timeout * 1000,
                                 srv->cfg.max_connections / threads};
    srv->conns = vg_conns_new(&cc);
    if (!srv->conns) {
        vg_diag_set(d, VG_ENOMEM, "", "cannot start the connection reaper");
        goto fail;
    }
    /* Deadlines are vigie's (http/conns.h); libmicrohttpd's timeout (inactivity) stays as a
     * bound on a client that reads its answer slowly. The memory of a connection leaves room
     * above vigie's caps on the request target and headers (VG_MAX_TARGET, VG_MAX_HEADERS),
     * so that vigie, not libmicrohttpd, answers those over them. */
    srv->mhd =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME,
                         0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, srv->fd,
                         MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                         on_completed, srv, MHD_OPTION_URI_LOG_CALLBACK, on_target, srv,
                         MHD_OPTION_NOTIFY_CONNECTION, vg_conns_notify, srv->conns,
                         MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.body_timeout,
                         MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->cfg.per_address_connections,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(4 * VG_MAX_HEADERS),
                         MHD_OPTION_END);
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
    vg_evesock_stop(srv->eve); /* its last batches go through the database thread */
    /* the database and reader threads answer what is queued and end; later requests get a
     * 503. Only then is the daemon stopped: it may not be stopped with connections still
     * suspended. */
    pthread_mutex_lock(&srv->qlock);
    srv->stopping = true;
    pthread_cond_signal(&srv->writes.cond);
    pthread_cond_broadcast(&srv->reads.cond);
    pthread_mutex_unlock(&srv->qlock);
    if (srv->db_started)
        pthread_join(srv->db_thread, NULL);
    for (unsigned i = 0; i < srv->nreaders; i++)
        pthread_join(srv->readers[i].thread, NULL);
    vg_hashpool_stop(srv->pool); /* its logins are answered (503): none stays suspended */
    if (srv->mhd)
        MHD_stop_daemon(srv->mhd);
    vg_conns_free(srv->conns); /* after the daemon: it reports its connections closed */
    vg_evesock_free(srv->eve); /* no request reads its counts any more */
    if (srv->fd >= 0)
        close(srv->fd);
    vg_store_close(srv->store);
    for (unsigned i = 0; i < srv->nreaders; i++) {
        vg_store_close(srv->readers[i].st);
        vg_pub_cache_free(srv->readers[i].pub);
    }
    free(srv->readers);
    vg_events_index_cleanup(&srv->events);
    vg_pub_cache_free(srv->pub);
    vg_ratelimit_free(srv->rl);
    vg_hashpool_free(srv->pool);
    vg_loginlimit_free(srv->logins);
    vg_token_uses_free(srv->uses);
    pthread_cond_destroy(&srv->writes.cond);
    pthread_cond_destroy(&srv->reads.cond);
    pthread_cond_destroy(&srv->dcond);
    pthread_mutex_destroy(&srv->qlock);
    free(srv);
}

int vg_server_run_db(struct vg_server *srv, void (*work)(struct vg_store *st, void *ctx), void *ctx)
{
    struct job j;
    memset(&j, 0, sizeof j);
    j.work = work;
    j.work_ctx = ctx;
    pthread_mutex_lock(&srv->qlock);
    if (srv->stopping) {
        pthread_mutex_unlock(&srv->qlock);
        return VG_ECONFLICT;
    }
    j.state = JOB_QUEUED;
    push_job(&srv->writes, &j);
    while (j.state != JOB_ANSWERED) /* answer_job: in-process, no connection */
        pthread_cond_wait(&srv->dcond, &srv->qlock);
    pthread_mutex_unlock(&srv->qlock);
    int rc = j.in_batch && j.resp.status >= 500 ? VG_EIO : 0; /* the batch's commit failed */
    json_decref(j.resp.json);
    free(j.resp.text);
    return rc;
}

int vg_server_eve_socket(struct vg_server *srv, const char *path, size_t queue, struct vg_diag *d)
{
    if (__atomic_load_n(&srv->eve, __ATOMIC_ACQUIRE))
        return vg_diag_set(d, VG_EEXIST, "", "an eve socket is already open");
    struct vg_evesock *es = vg_evesock_start(srv, path, queue, d);
    __atomic_store_n(&srv->eve, es, __ATOMIC_RELEASE); /* the handlers read it meanwhile */
    return es ? 0 : VG_EIO;
}

void vg_server_write_counts(struct vg_server *srv, struct vg_write_counts *out)
{
    out->batches = __atomic_load_n(&srv->wcounts.batches, __ATOMIC_RELAXED);
    out->requests = __atomic_load_n(&srv->wcounts.requests, __ATOMIC_RELAXED);
    out->grouped = __atomic_load_n(&srv->wcounts.grouped, __ATOMIC_RELAXED);
    out->groups = __atomic_load_n(&srv->wcounts.groups, __ATOMIC_RELAXED);
}

bool vg_server_eve_counts(struct vg_server *srv, struct vg_eve_counts *out)
{
    struct vg_evesock *es = __atomic_load_n(&srv->eve, __ATOMIC_ACQUIRE);
    if (!es)
        return false;
    *out = vg_evesock_counts(es);
    return true;
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
 * (kept as sent) and query arguments (unescaped). 0, or -1 with the answer set (400 for a
 * Content-Length that is not a number, as libmicrohttpd refuses it). */
static int read_raw(struct vg_server *srv, struct job *j, const struct vg_raw_req *rq)
{
    size_t len = rq->body_len;
    const char *cl = vg_req_header(&j->req, "Content-Length");
    unsigned long long n = 0;
    /* answered once the target is known: a TAXII path's error is a TAXII one */
    bool bad_cl = cl && vg_str_to_u64(vg_str_c(cl), 0, ~0ULL, &n) != 0;
    if (bad_cl)
        len = 0;
    else if (cl && n > srv->cfg.max_body)
        j->too_big = true;
    else if (cl && n < len)
        len = (size_t)n;
    int rc = j->too_big || !len ? 0 : vg_buf_append(&j->body, rq->body, len);
    if (rc == VG_ETOOBIG)
        j->too_big = true;
    else if (rc)
        j->nomem = true;
    j->target_len = rq->url ? strlen(rq->url) : 0;
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
    if (bad_cl) {
        vg_resp_error(&j->resp, 400, "invalid", NULL, "bad Content-Length");
        return -1;
    }
    return 0; /* the path stays as sent: the router matches it so */
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
    bool head = strcmp(method, "HEAD") == 0;
    j->head = head;
    if (read_raw(srv, j, rq) == 0 && !refuse_early(srv, j, 0) &&
        dispatch(srv, j, NULL, j->url, head ? "GET" : method)) {
        pthread_mutex_lock(&srv->qlock);
        while (j->state != JOB_ANSWERED)
            pthread_cond_wait(&srv->dcond, &srv->qlock);
        pthread_mutex_unlock(&srv->qlock);
    }
    char *text;
    size_t len;
    struct vg_resp *r = &j->resp;
    taxii_answer(j);
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
    out->close = r->close;
    if (r->status == 401)
        snprintf(out->www_authenticate, sizeof out->www_authenticate, "%s%s%s", WWW_AUTHENTICATE,
                 r->basic_auth ? ", " : "", r->basic_auth ? WWW_AUTHENTICATE_BASIC : "");
    if (head) { /* the headers of a GET, without its body */
        free(out->body);
        out->body = NULL;
        out->body_len = 0;
    }
    job_free(j);
    return 0;
}

void vg_raw_resp_cleanup(struct vg_raw_resp *out)
{
    free(out->body);
    out->body = NULL;
    out->body_len = 0;
}
