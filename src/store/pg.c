/* The PostgreSQL backend of the store (issue 16): one libpq connection per struct vg_store,
 * every statement prepared once per connection and cached, transactions with the meaning
 * store.h gives them (see docs/STORE.md). This file holds the connection, its helpers and
 * migrations; pg_<domain>.c files hold the operations. */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/schema.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* How long a write waits for a lock held by another connection (lock_timeout) unless set by
 * vg_store_busy_timeout: as SQLite's busy timeout. */
#define PG_BUSY_MS      10000
/* The statement timeout a connection gets unless one is set elsewhere (the URI's options=-c
 * statement_timeout=..., ALTER ROLE/DATABASE ... SET, postgresql.conf): a statement that runs
 * longer is canceled and its request answered 503 instead of hanging. The batch commands
 * (vg_store_config.bulk: imports, a full re-match, db copy) and migrations run without it: the
 * first full re-match of the NVD-sized bench set on a durable server has statements that take
 * longer (bench/pg/import.sh stopped at "statement timeout" with it). */
#define PG_STATEMENT_MS "60000"

/* The key of the advisory lock that serialises migrations across processes. */

/* ---- the URI as shown ---- */

void pg_uri_redact(const char *uri, char *out, size_t n)
{
    size_t o = 0;
    const char *scheme = strstr(uri, "://");
    const char *auth = scheme ? scheme + 3 : uri;
    /* the authority ends at the path or the query; its last '@' ends the user info (a
     * password may hold an unescaped '@') */
    const char *end = scheme ? auth + strcspn(auth, "/?") : auth;
    const char *at = NULL;
    for (const char *c = auth; scheme && c < end; c++)
        if (*c == '@')
            at = c;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    for (const char *c = uri; *c && o + 1 < n;) {
        if (c == colon) { /* user:password@ -> user@ */
            c = at;
            continue;
        }
        /* password=... in the query string, or key=value words */
        if ((c == uri || c[-1] == '?' || c[-1] == '&' || c[-1] == ' ') &&
            strncmp(c, "password=", 9) == 0) {
            const char *skip = "password=***";
            for (const char *k = skip; *k && o + 1 < n; k++)
                out[o++] = *k;
            c += 9;
            while (*c && *c != '&' && *c != ' ')
                c++;
            continue;
        }
        out[o++] = *c++;
    }
    if (n)
        out[o < n ? o : n - 1] = '\0';
}

/* ---- errors ---- */

static void trim_nl(char *m)
{
    size_t l = strlen(m);
    while (l && (m[l - 1] == '\n' || m[l - 1] == ' '))
        m[--l] = '\0';
}

static bool conn_lost(const struct pg *p, const char *state)
{
    return PQstatus(p->conn) != CONNECTION_OK || p->doomed || strncmp(state, "08", 2) == 0 ||
           strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
           strcmp(state, "57P03") == 0;
}

/* Keeps the failure of res (NULL: of the connection) for pg_error. A failure outside a
 * savepoint leaves the open outer transaction aborted: it can no longer commit. */
static void record(struct pg *p, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(p->conn);
    snprintf(p->err.state, sizeof p->err.state, "%s", state ? state : "");
    if (conn_lost(p, p->err.state)) {
        p->err.code = VG_EIO;
        snprintf(p->err.msg, sizeof p->err.msg, "database unavailable (%s): %s", p->shown, msg);
    } else if (strcmp(p->err.state, "23505") == 0) {
        p->err.code = VG_EEXIST;
        snprintf(p->err.msg, sizeof p->err.msg, "already exists: %s", msg);
    } else if (strcmp(p->err.state, "40001") == 0 || strcmp(p->err.state, "40P01") == 0 ||
               strcmp(p->err.state, "55P03") == 0) {
        p->err.code = VG_EBUSY;
        snprintf(p->err.msg, sizeof p->err.msg, "database busy, try again: %s", msg);
    } else if (strcmp(p->err.state, "57014") == 0) {
        p->err.code = VG_EIO;
        snprintf(p->err.msg, sizeof p->err.msg, "statement timeout: %s", msg);
    } else {
        p->err.code = VG_EIO;
        snprintf(p->err.msg, sizeof p->err.msg, "database error: %s", msg);
    }
    trim_nl(p->err.msg);
    /* a failure worth retrying: vg_store_outage says so, in words that name neither the
     * database's address nor its internals (the server answers them to its clients) */
    const char *outage = NULL;
    if (conn_lost(p, p->err.state))
        outage = "database unavailable (connection lost, or the database server is restarting)";
    else if (strcmp(p->err.state, "57014") == 0)
        outage = "database statement timeout (the database did not answer in time)";
    else if (p->err.code == VG_EBUSY)
        outage = "database busy (another connection holds a lock)";
    if (outage) {
        p->outage = true;
        snprintf(p->outage_msg, sizeof p->outage_msg, "%s", outage);
    }
    if (p->err.code == VG_EBUSY && p->batching)
        p->busy_fast = true;
    if ((p->outer && !p->in_sp) || PQstatus(p->conn) != CONNECTION_OK) {
        p->lost = p->outer || p->lost;
        p->lost_outage = p->lost_outage || (p->lost && outage);
    }
}

static void set_err(struct pg *p, int code, const char *msg)
{
    p->err.code = code;
    p->err.state[0] = '\0';
    snprintf(p->err.msg, sizeof p->err.msg, "%s", msg);
}

int pg_error(struct pg *p, struct vg_diag *d)
{
    int code = p->err.code ? p->err.code : VG_EIO;
    return vg_diag_set(d, code, "", "%s", p->err.msg[0] ? p->err.msg : "database error");
}

/* ---- the connection ---- */

/* Notices are not printed. One of severity FATAL is the server's last word before it closes
 * the connection (a restart, pg_terminate_backend): received while idle, it dooms the
 * connection, before the end of the stream is seen. */
static void on_notice(void *arg, const PGresult *res)
{
    struct pg *p = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (sev && (strcmp(sev, "FATAL") == 0 || strcmp(sev, "PANIC") == 0))
        p->doomed = true;
}

/* Runs one "SELECT set_config(...)" of the connection's settings, value as $1 (NULL: none).
 * 0 or the failure's code. */
static int set_one(struct pg *p, const char *sql, const char *value)
{
    struct pg_params pp = {0};
    if (value)
        pg_param_text(&pp, value);
    PGresult *r = pg_run(p, sql, &pp);
    if (!r)
        return p->err.code;
    PQclear(r);
    return 0;
}

/* The connection's settings, after connecting and after each reconnection. */
static int apply_settings(struct pg *p)
{
    char ms[24];
    snprintf(ms, sizeof ms, "%u", p->busy_ms);
    int rc = set_one(p, "SELECT set_config('lock_timeout', $1, false)", ms);
    /* the default statement timeout, where nothing else set one (a setting of the URI's
     * options, the role's, the database's or the server's configuration is kept) */
    if (rc == 0 && !p->bulk)
        rc = set_one(p,
                     "SELECT set_config('statement_timeout', $1, false) FROM pg_settings "
                     "WHERE name = 'statement_timeout' AND source = 'default'",
                     PG_STATEMENT_MS);
    if (rc == 0 && p->read_only)
        rc = set_one(p, "SELECT set_config('default_transaction_read_only', 'on', false)", NULL);
    return rc;
}

/* The connection is usable: 0, or reconnected (outside any transaction: one lost inside a
 * transaction fails that transaction, and the next call after its end reconnects), or
 * VG_EIO "database unavailable". */
static int ensure(struct pg *p)
{
    /* an outer transaction whose BEGIN is not sent yet is not open on the server: the
     * connection may be renewed under it, its commands still to send */
    bool fresh = (p->outer && p->outer_fresh) || (p->in_read && p->read_fresh);
    bool in_tx = !fresh && (p->outer || p->in_tx || p->in_sp || p->in_read);
    /* outside a transaction, a connection the server closed while it was idle (a restart,
     * pg_terminate_backend) is noticed before a statement is sent: then the statement runs on
     * a new connection instead of failing (safe: nothing was sent on the old one) */
    /* (one read, at once EAGAIN on a healthy idle connection; parsing what it read passes the
     * server's last words, FATAL, to on_notice, even before the end of the stream arrives) */
    if (!in_tx && !p->doomed && PQstatus(p->conn) == CONNECTION_OK) {
        PQconsumeInput(p->conn);
        PQisBusy(p->conn);
    }
    if (PQstatus(p->conn) == CONNECTION_OK && !p->doomed)
        return 0;
    if (in_tx) {
        p->lost = p->outer || p->lost;
        record(p, NULL);
        return VG_EIO;
    }
    PQreset(p->conn);
    p->doomed = false;
    /* a fresh outer transaction's commands wait for the settings, which must not run inside
     * it (a rollback would undo them) */
    int kept = fresh ? p->npending : 0;
    p->npending = 0;
    p->ncache = 0; /* the server forgot the prepared statements */
    if (PQstatus(p->conn) != CONNECTION_OK) {
        record(p, NULL);
        p->npending = kept;
        return VG_EIO;
    }
    PQsetNoticeReceiver(p->conn, on_notice, p);
    int rc = apply_settings(p);
    p->outer_fresh = fresh && p->outer;
    p->read_fresh = fresh && p->in_read;
    p->npending = kept; /* pending[] is untouched while npending is 0 */
    return rc;
}

/* ---- parameters ---- */

void pg_param_text(struct pg_params *pp, const char *v)
{
    if (pp->n >= PG_MAX_PARAMS)
        return;
    pp->v[pp->n] = v;
    pp->len[pp->n] = 0;
    pp->fmt[pp->n] = 0;
    pp->n++;
}

void pg_param_int(struct pg_params *pp, long long v)
{
    if (pp->n >= PG_MAX_PARAMS)
        return;
    snprintf(pp->num[pp->n], sizeof pp->num[pp->n], "%lld", v);
    pg_param_text(pp, pp->num[pp->n]);
}

void pg_param_bytes(struct pg_params *pp, const void *v, int len)
{
    if (pp->n >= PG_MAX_PARAMS)
        return;
    pp->v[pp->n] = v;
    pp->len[pp->n] = len;
    pp->fmt[pp->n] = 1;
    pp->n++;
}

void pg_param_json(struct pg_params *pp, const json_t *v)
{
    if (pp->n >= PG_MAX_PARAMS)
        return;
    char *txt = v ? vg_json_dump(v) : NULL;
    pp->owned[pp->n] = txt;
    pg_param_text(pp, txt);
}

void pg_params_free(struct pg_params *pp)
{
    for (int i = 0; i < PG_MAX_PARAMS; i++) {
        free(pp->owned[i]);
        pp->owned[i] = NULL;
    }
}

/* ---- statements ---- */

/* ---- deferred savepoint commands ---- */

/* Defers sql (SAVEPOINT or RELEASE of a literal name) to go out with the next statement: in
 * one simple query with pg_exec's, in one pipeline with pg_run's. Its failure (the connection
 * lost, the transaction aborted) then shows as that statement's. */
static int defer(struct pg *p, const char *sql)
{
    if (p->npending == PG_PENDING_MAX) {
        const char *q = p->pending[0];
        for (int i = 1; i < p->npending; i++)
            p->pending[i - 1] = p->pending[i];
        p->npending--;
        p->outer_fresh = p->read_fresh = false;
        PGresult *r = PQexec(p->conn, q);
        int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : (record(p, r), p->err.code);
        PQclear(r);
        if (rc)
            return rc;
    }
    p->pending[p->npending++] = sql;
    return 0;
}

/* The pending commands then sql as one simple query (PQexec runs them in order and stops at
 * the first failure, whose result it returns; else the last one's). */
static PGresult *exec_with_pending(struct pg *p, const char *sql)
{
    p->outer_fresh = p->read_fresh = false; /* a deferred BEGIN goes out first */
    char q[512];
    size_t n = 0;
    for (int i = 0; i < p->npending; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, "%s; ", p->pending[i]);
    if (!p->npending || n + strlen(sql) >= sizeof q) {
        if (p->npending) { /* too long to join (a migration's script): alone first */
            q[n - 2] = '\0';
            p->npending = 0;
            PGresult *r = PQexec(p->conn, q);
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                return r;
            PQclear(r);
        }
        return PQexec(p->conn, sql);
    }
    snprintf(q + n, sizeof q - n, "%s", sql);
    p->npending = 0;
    return PQexec(p->conn, q);
}

/* The pending commands then the statement (prepared as name, or sql with no name) in one
 * pipeline: one round trip. The result of the first that failed, or the statement's. */
static PGresult *run_pipelined(struct pg *p, const char *name, const char *sql,
                               const struct pg_params *pp)
{
    int n = p->npending, sent = 0;
    p->npending = 0;
    p->outer_fresh = p->read_fresh = false;
    if (!PQenterPipelineMode(p->conn))
        return NULL;
    bool ok = true;
    for (int i = 0; ok && i < n; i++, sent++)
        ok = PQsendQueryParams(p->conn, p->pending[i], 0, NULL, NULL, NULL, NULL, 0) == 1;
    if (ok) {
        ok = (name ? PQsendQueryPrepared(p->conn, name, pp->n, pp->v, pp->len, pp->fmt, 0)
                   : PQsendQueryParams(p->conn, sql, pp->n, NULL, pp->v, pp->len, pp->fmt, 0)) == 1;
        sent += ok;
    }
    ok = PQpipelineSync(p->conn) == 1 && ok;
    PGresult *keep = NULL; /* the first failure, else the statement's result */
    for (int i = 0; i < sent; i++) {
        PGresult *r = PQgetResult(p->conn);
        ExecStatusType st = PQresultStatus(r);
        bool failed = st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK;
        if (!keep && (failed || i == sent - 1))
            keep = r;
        else
            PQclear(r);
        while ((r = PQgetResult(p->conn)) != NULL) /* the NULL that ends each query's results */
            PQclear(r);
    }
    PGresult *r;
    while ((r = PQgetResult(p->conn)) != NULL) { /* up to the sync */
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
    }
    ok = PQexitPipelineMode(p->conn) == 1 && ok;
    if (!ok || sent < n + 1) {
        PQclear(keep);
        return NULL;
    }
    return keep;
}

PGresult *pg_run(struct pg *p, const char *sql, const struct pg_params *pp)
{
    static const struct pg_params none = {0};
    if (!pp)
        pp = &none;
    if (ensure(p))
        return NULL;
    int i = 0;
    while (i < p->ncache && p->cache[i].sql != sql)
        i++;
    char name[16];
    snprintf(name, sizeof name, "s%d", i);
    PGresult *r;
    if (i == p->ncache && i < PG_CACHE_MAX) {
        r = PQprepare(p->conn, name, sql, 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            record(p, r);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        p->cache[i].sql = sql;
        p->ncache++;
    }
    if (p->npending)
        r = run_pipelined(p, i < PG_CACHE_MAX ? name : NULL, sql, pp);
    else if (i < PG_CACHE_MAX)
        r = PQexecPrepared(p->conn, name, pp->n, pp->v, pp->len, pp->fmt, 0);
    else /* the cache is full: prepared for this run only */
        r = PQexecParams(p->conn, sql, pp->n, NULL, pp->v, pp->len, pp->fmt, 0);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return r;
    record(p, r);
    PQclear(r);
    return NULL;
}

int pg_exec(struct pg *p, const char *sql)
{
    if (ensure(p))
        return p->err.code;
    if (strcmp(sql, "ROLLBACK") == 0)
        p->npending = 0; /* they would be undone anyway */
    else if (p->npending && strncmp(sql, "ROLLBACK", 8) == 0) {
        /* alone first: a failing RELEASE must not keep the ROLLBACK TO from running */
        PGresult *f = exec_with_pending(p, "SELECT 1");
        if (PQresultStatus(f) != PGRES_TUPLES_OK)
            record(p, f);
        PQclear(f);
    }
    PGresult *r = exec_with_pending(p, sql);
    ExecStatusType status = PQresultStatus(r);
    int rc = 0;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        record(p, r);
        rc = p->err.code;
    }
    PQclear(r);
    return rc;
}

int pg_flush(struct pg *p)
{
    return p->npending ? pg_exec(p, "SELECT 1") : 0;
}

/* COMMIT of the open transaction: PostgreSQL answers an aborted one with ROLLBACK, without an
 * error; that is a failure here. */
static int commit_tx(struct pg *p)
{
    if (ensure(p))
        return p->err.code;
    PGresult *r = exec_with_pending(p, "COMMIT");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        record(p, r);
        rc = p->err.code;
    } else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        set_err(p, VG_EIO, "database error: the transaction was rolled back");
        rc = VG_EIO;
    }
    PQclear(r);
    return rc;
}

/* Runs a statement whose failure must not replace the failure being reported (the undoing of
 * a write after its failure). */
static int exec_keep(struct pg *p, const char *sql)
{
    struct pg_err kept = p->err;
    int rc = pg_exec(p, sql);
    p->err = kept;
    return rc;
}

/* ---- writes ---- */

/* Opens the outer transaction of a batch (or of a use-case transaction inside one) at its
 * first write. Its BEGIN is deferred like the savepoints (defer): it goes out with the write's
 * statement, one round trip less per batch; its failure shows as that statement's. */
static int outer_begin(struct pg *p)
{
    if (defer(p, "BEGIN"))
        return p->err.code;
    p->outer = true;
    p->outer_fresh = true;
    p->lost = false;
    p->lost_outage = false;
    return 0;
}

int pg_begin(struct pg *p)
{
    if (p->batching || p->tx_depth) {
        if (p->outer && p->lost) {
            if (PQstatus(p->conn) != CONNECTION_OK)
                record(p, NULL); /* "database unavailable" */
            else
                set_err(p, VG_EIO, "database error: the batch's transaction was lost");
            p->outage = p->outage || p->lost_outage;
            return VG_EIO;
        }
        if (!p->outer && outer_begin(p))
            return p->err.code;
        if (p->busy_fast && !p->busy_fast_on) {
            /* set outside the write's savepoint, which would undo it with the write */
            PGresult *r = pg_run(p, "SELECT set_config('lock_timeout', '1ms', false)", NULL);
            p->busy_fast_on = r != NULL;
            PQclear(r);
        }
        if (defer(p, "SAVEPOINT w"))
            return p->err.code;
        p->in_sp = true;
        return 0;
    }
    if (pg_exec(p, "BEGIN"))
        return p->err.code;
    p->in_tx = true;
    return 0;
}

int pg_commit(struct pg *p)
{
    if (p->in_sp) {
        if (defer(p, "RELEASE w"))
            return p->err.code;
        p->in_sp = false;
        return 0;
    }
    if (!p->in_tx)
        return 0;
    if (commit_tx(p))
        return p->err.code;
    p->in_tx = false;
    return 0;
}

void pg_rollback(struct pg *p)
{
    if (p->in_sp && p->outer_fresh) {
        /* the batch's first write failed before anything of its transaction was sent (the
         * server unreachable): there is no transaction, as when a BEGIN fails */
        p->in_sp = false;
        p->npending = 0;
        p->outer = false;
        p->outer_fresh = false;
        return;
    }
    if (p->in_sp) {
        p->in_sp = false;
        if (exec_keep(p, "ROLLBACK TO w") || exec_keep(p, "RELEASE w"))
            p->lost = true;
        return;
    }
    if (p->in_tx) {
        p->in_tx = false;
        if (PQstatus(p->conn) == CONNECTION_OK)
            exec_keep(p, "ROLLBACK");
    }
}

int pg_fail(struct pg *p, struct vg_diag *d)
{
    int rc = pg_error(p, d);
    pg_rollback(p);
    return rc;
}

int pg_write(struct pg *p, const char *sql, const struct pg_params *pp, long long *changes,
             long long *ret, struct vg_diag *d)
{
    /* alone, a statement is its own transaction: no BEGIN, no round trip more */
    bool alone = !p->batching && !p->tx_depth && !p->in_tx;
    if (!alone && pg_begin(p))
        return pg_error(p, d);
    PGresult *r = pg_run(p, sql, pp);
    if (!r)
        return alone ? pg_error(p, d) : pg_fail(p, d);
    if (changes)
        *changes = strtoll(PQcmdTuples(r), NULL, 10);
    if (ret)
        *ret = PQntuples(r) > 0 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    if (!alone && pg_commit(p))
        return pg_fail(p, d);
    return 0;
}

/* ---- columns ---- */

const char *pg_get_text(const PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c);
}

long long pg_get_int(const PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? 0 : strtoll(PQgetvalue(res, r, c), NULL, 10);
}

bool pg_get_bool(const PGresult *res, int r, int c)
{
    const char *v = pg_get_text(res, r, c);
    return strcmp(v, "t") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

json_t *pg_get_null(const PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? json_null() : json_string(PQgetvalue(res, r, c));
}

json_t *pg_get_json(const PGresult *res, int r, int c)
{
    if (PQgetisnull(res, r, c))
        return json_null();
    const char *t = PQgetvalue(res, r, c);
    json_t *v = vg_json_loadb(t, strlen(t), JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

/* ---- shared pieces ---- */

int pg_audit(struct pg *p, const struct vg_actor *who, const char *action, const char *object,
             const json_t *detail)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_text(&pp, who ? who->name : "system");
    pg_param_text(&pp, action);
    pg_param_text(&pp, object);
    if (detail)
        pg_param_json(&pp, detail);
    else
        pg_param_text(&pp, "{}");
    PGresult *r = pg_run(p,
                         "INSERT INTO audit(at, actor, action, object, detail) "
                         "VALUES ($1, $2, $3, $4, $5)",
                         &pp);
    pg_params_free(&pp);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

json_t *pg_page(const PGresult *res, int limit, json_t *(*row)(const PGresult *res, int r))
{
    json_t *items = json_array();
    long long last = 0;
    int n = PQntuples(res);
    for (int i = 0; i < n && i < limit; i++) {
        last = pg_get_int(res, i, 0);
        json_array_append_new(items, row(res, i));
    }
    char cur[32];
    sq_cursor_make(last, cur);
    return json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     n > limit ? json_string(cur) : json_null());
}

/* ---- connection-wide operations ---- */

static void pg_close(struct vg_store *st)
{
    struct pg *p = pg_of(st);
    PQfinish(p->conn);
    pg_corr_release(p); /* the incidents domain's index (pg_corr.c) */
    free(p->uri);
    free(p);
}

static void pg_batch_begin(struct vg_store *st)
{
    pg_of(st)->batching = true;
}

static bool pg_batch_pending(struct vg_store *st)
{
    return pg_of(st)->outer;
}

/* One snapshot for a read-only request; inside an open transaction that one serves. Its BEGIN
 * is deferred (defer): it goes out with the first read's statement, whose execution takes the
 * snapshot, as it did after a BEGIN of its own; a read that ends before any statement sends
 * nothing. */
static void pg_read_begin(struct vg_store *st)
{
    struct pg *p = pg_of(st);
    if (!p->outer && !p->in_tx && !p->in_read &&
        defer(p, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") == 0) {
        p->in_read = true;
        p->read_fresh = true;
    }
}

static void pg_read_end(struct vg_store *st)
{
    struct pg *p = pg_of(st);
    if (!p->in_read)
        return;
    p->in_read = false;
    if (p->read_fresh) { /* nothing was sent */
        p->read_fresh = false;
        p->npending = 0;
        return;
    }
    if (PQstatus(p->conn) == CONNECTION_OK && commit_tx(p))
        exec_keep(p, "ROLLBACK");
}

static int pg_read_only(struct vg_store *st, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    p->read_only = true;
    PGresult *r =
        pg_run(p, "SELECT set_config('default_transaction_read_only', 'on', false)", NULL);
    if (!r)
        return pg_error(p, d);
    PQclear(r);
    return 0;
}

static bool pg_outage(struct vg_store *st, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    bool was = p->outage;
    if (was)
        vg_diag_set(d, VG_EBUSY, "", "%s", p->outage_msg);
    p->outage = false;
    return was;
}

static void pg_busy_timeout(struct vg_store *st, unsigned ms)
{
    struct pg *p = pg_of(st);
    p->busy_ms = ms;
    if (PQstatus(p->conn) == CONNECTION_OK)
        apply_settings(p);
}

/* The end of a batch (or of a use-case transaction outside one): its writes wait for locks
 * again. */
static void busy_restore(struct pg *p)
{
    bool was_on = p->busy_fast_on;
    p->busy_fast = false;
    p->busy_fast_on = false;
    if (was_on && PQstatus(p->conn) == CONNECTION_OK)
        apply_settings(p);
}

static void tx_end_real(struct pg *p)
{
    p->npending = 0;
    busy_restore(p);
    p->lost = false;
    p->lost_outage = false;
    p->tx_depth = 0;
    p->tx_real = false;
    p->batching = false;
    p->outer = false;
    p->outer_fresh = false;
}

static int tx_lost(struct pg *p, struct vg_diag *d)
{
    if (PQstatus(p->conn) != CONNECTION_OK) {
        record(p, NULL);
        return pg_error(p, d);
    }
    p->outage = p->outage || p->lost_outage; /* lost to a timeout: worth retrying too */
    return vg_diag_set(d, VG_EIO, "", "database error: the transaction was lost");
}

/* Ends the outer transaction of a batch or use-case transaction: COMMIT, or ROLLBACK when it
 * was lost; 0 or the failure (the transaction is then rolled back). */
static int outer_end(struct pg *p, struct vg_diag *d)
{
    int rc = 0;
    if (p->lost)
        rc = tx_lost(p, d);
    else if (commit_tx(p))
        rc = pg_error(p, d);
    if (rc && PQstatus(p->conn) == CONNECTION_OK)
        exec_keep(p, "ROLLBACK");
    return rc;
}

/* A use-case transaction: outside a batch, BEGIN, and each write inside is a savepoint of it;
 * inside a batch or another one, a savepoint "t" of the transaction around it. */
static int pg_tx_begin(struct vg_store *st, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (p->in_sp || p->in_tx)
        return vg_diag_set(d, VG_EINVAL, "", "a transaction cannot begin inside a write");
    if (!p->batching && p->tx_depth == 0) {
        if (p->in_read)
            return vg_diag_set(d, VG_EINVAL, "", "a transaction cannot begin inside a read");
        if (pg_exec(p, "BEGIN"))
            return pg_error(p, d);
        p->outer = true;
        p->lost = false;
        p->lost_outage = false;
        p->batching = true;
        p->tx_real = true;
        p->tx_depth = 1;
        return 0;
    }
    if (!p->outer && outer_begin(p))
        return pg_error(p, d);
    if (p->lost)
        return tx_lost(p, d);
    if (defer(p, "SAVEPOINT t"))
        return pg_error(p, d);
    p->tx_depth++;
    return 0;
}

static bool tx_is_real(const struct pg *p)
{
    return p->tx_real && p->tx_depth == 1;
}

static int pg_tx_commit(struct vg_store *st, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (p->tx_depth == 0)
        return vg_diag_set(d, VG_EINVAL, "", "no transaction to commit");
    if (!tx_is_real(p)) {
        if (p->lost || defer(p, "RELEASE t")) {
            int rc = p->lost ? tx_lost(p, d) : pg_error(p, d);
            if (exec_keep(p, "ROLLBACK TO t") || exec_keep(p, "RELEASE t"))
                p->lost = true;
            p->tx_depth--;
            return rc;
        }
        p->tx_depth--;
        return 0;
    }
    int rc = outer_end(p, d);
    tx_end_real(p);
    return rc;
}

static void pg_tx_rollback(struct vg_store *st)
{
    struct pg *p = pg_of(st);
    if (p->tx_depth == 0)
        return;
    if (!tx_is_real(p)) {
        if (exec_keep(p, "ROLLBACK TO t") || exec_keep(p, "RELEASE t"))
            p->lost = true;
        p->tx_depth--;
        return;
    }
    if (PQstatus(p->conn) == CONNECTION_OK)
        exec_keep(p, "ROLLBACK");
    tx_end_real(p);
}

/* A batch's commit also commits the use-case transactions left open inside it. */
static int pg_batch_commit(struct vg_store *st, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    int rc = p->outer ? outer_end(p, d) : 0;
    tx_end_real(p);
    return rc;
}

/* ---- migrations ---- */

/* Applies the pending migrations of schema/pg/, each in a transaction of its own that first
 * takes an advisory lock: several servers starting at once on one database migrate once (the
 * others wait, then find nothing left to do). The version table lists what was applied. */
static int pg_migrate(struct vg_store *st, int *version, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    int cur = 0;
    for (;;) {
        if (pg_exec(p, "BEGIN"))
            return pg_error(p, d);
        p->in_tx = true;
        /* a migration may rewrite big tables: no statement timeout for it */
        if (pg_exec(p, "SET LOCAL statement_timeout = 0"))
            return pg_fail(p, d);
        PGresult *r = pg_run(p, "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")", NULL);
        PQclear(r);
        if (!r || pg_exec(p, "CREATE TABLE IF NOT EXISTS vg_schema_version ("
                             "version integer PRIMARY KEY, name text NOT NULL, "
                             "applied timestamptz NOT NULL DEFAULT now())"))
            return pg_fail(p, d);
        r = pg_run(p, "SELECT coalesce(max(version), 0) FROM vg_schema_version", NULL);
        if (!r)
            return pg_fail(p, d);
        cur = (int)pg_get_int(r, 0, 0);
        PQclear(r);
        const struct vg_migration *m = vg_pg_migrations;
        while (m->version && m->version <= cur)
            m++;
        if (!m->version) {
            if (pg_commit(p))
                return pg_fail(p, d);
            break;
        }
        struct pg_params pp = {0};
        pg_param_int(&pp, m->version);
        pg_param_text(&pp, m->name);
        if (pg_exec(p, m->sql)) {
            vg_diag_set(d, VG_EIO, "", "migration %s failed: %s", m->name, p->err.msg);
            pg_rollback(p);
            return VG_EIO;
        }
        r = pg_run(p, "INSERT INTO vg_schema_version(version, name) VALUES ($1, $2)", &pp);
        PQclear(r);
        if (!r || pg_commit(p))
            return pg_fail(p, d);
    }
    /* the incidents domain: the default playbooks (pg_incidents.c) */
    int seeded = pg_playbook_seed(p, d);
    if (seeded)
        return seeded;
    if (version)
        *version = cur;
    return 0;
}

/* Domains not ported yet stay NULL: vg_store_open refuses the backend while any is (store.c
 * names them), vg_store_open_partial allows it for the tests of the ported ones. */
static const struct vg_store_ops pg_ops = {
    .close = pg_close,
    .migrate = pg_migrate,
    .batch_begin = pg_batch_begin,
    .batch_pending = pg_batch_pending,
    .batch_commit = pg_batch_commit,
    .read_begin = pg_read_begin,
    .read_end = pg_read_end,
    .read_only = pg_read_only,
    .busy_timeout = pg_busy_timeout,
    .outage = pg_outage,
    .tx_begin = pg_tx_begin,
    .tx_commit = pg_tx_commit,
    .tx_rollback = pg_tx_rollback,
    .user = &pg_user_ops,
    /* the crisis cell and inbound mail (pg_crisis.c, pg_inbound.c) */
    .crisis = &pg_crisis_ops,
    .inbound = &pg_inbound_ops,
    /* organisations and vulnerabilities (pg_org.c, pg_vulns.c, pg_findings.c) */
    .org = &pg_org_ops,
    .vuln = &pg_vuln_ops,
    /* partners, TAXII, upstream advisories (pg_partners.c, pg_taxii.c, pg_upstream.c) */
    .partner = &pg_partner_ops,
    .taxii = &pg_taxii_ops,
    .upstream = &pg_upstream_ops,
    /* advisories, statistics, the outbox, settings (pg_advisories.c, pg_stats.c, pg_mail.c,
     * pg_setting.c) */
    .advisory = &pg_advisory_ops,
    .stats = &pg_stats_ops,
    .mail = &pg_mail_ops,
    .setting = &pg_setting_ops,
    /* the indicator, pull and notify domains */
    .indicator = &pg_indicator_ops,
    .pull = &pg_pull_ops,
    .notify = &pg_notify_ops,
    /* the reports domain (pg_reports.c) */
    .report = &pg_report_ops,
    /* the incidents domain (pg_incidents.c, pg_corr.c) */
    .incident = &pg_incident_ops,
    /* moving and keeping data (pg_dump.c) */
    .dump = &pg_dump_ops,
};

const struct vg_store_ops *vg_store_pg_ops(void)
{
    return &pg_ops;
}

struct vg_store *vg_store_pg_connect(const char *uri, bool bulk, struct vg_diag *d)
{
    struct pg *p = vg_calloc(1, sizeof *p);
    char *copy = p ? vg_strdup(uri) : NULL;
    if (!copy) {
        free(p);
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    p->uri = copy;
    p->base.ops = &pg_ops;
    p->busy_ms = PG_BUSY_MS;
    p->bulk = bulk;
    pg_uri_redact(uri, p->shown, sizeof p->shown);
    /* defaults the URI may override (it expands in place of dbname, after them): a server
     * that does not answer is given up after 10 s instead of the system's TCP timeout (2
     * minutes and more, during which a request waits); and a name in pg_stat_activity */
    static const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const values[] = {"10", "vigie", uri, NULL};
    p->conn = PQconnectdbParams(keys, values, 1);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", p->conn ? PQerrorMessage(p->conn) : "out of memory");
        trim_nl(msg);
        vg_diag_set(d, VG_EIO, "db", "database unavailable: cannot connect to %s: %s", p->shown,
                    msg);
        pg_close(&p->base);
        return NULL;
    }
    PQsetNoticeReceiver(p->conn, on_notice, p);
    if (apply_settings(p)) {
        pg_error(p, d);
        pg_close(&p->base);
        return NULL;
    }
    return &p->base;
}

void pg_record(struct pg *p, const PGresult *res)
{
    record(p, res);
}
