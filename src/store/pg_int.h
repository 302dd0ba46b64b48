/* Internals of the PostgreSQL backend (issue 16), shared by its files: the connection, the
 * prepared statements, transactions, parameters and column helpers, error mapping, and the
 * operations each pg_<domain>.c file implements. Only store/ (and its unit tests) use this
 * header. Contract of every helper: SQL is a string literal (its address keys the statement
 * cache) with $1, $2, ... parameters; values only travel as parameters, never in the SQL.
 *
 * Values: parameters travel as text (integers printed in decimal, JSON as its text, NULL as
 * NULL) except byte strings (token hashes), which travel in binary; columns come back as
 * text and the getters below convert them. JSON columns may be json, jsonb or text on the
 * schema's side: a text parameter is accepted by all three, and all three print as JSON
 * text, which pg_get_json parses. */
#ifndef VG_STORE_PG_INT_H
#define VG_STORE_PG_INT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/corr.h"
#include "core/reference.h"
#include "store/store.h"
#include "util/buf.h"

#define PG_CACHE_MAX   256 /* prepared statements per connection */
#define PG_MAX_PARAMS  24  /* parameters of one statement */
#define PG_URI_SHOWN   512 /* room for the URI as shown in messages (password removed) */
#define PG_PENDING_MAX 4   /* savepoint commands deferred (struct pg's pending) */

struct pg_corr_shared; /* pg_corr.c */

struct pg {
    struct vg_store base; /* must stay first */
    PGconn *conn;
    char *uri;                /* as given: reconnecting uses it; never printed */
    char shown[PG_URI_SHOWN]; /* the URI without its password, for messages */
    struct {
        const char *sql;   /* the literal's address is the key */
    } cache[PG_CACHE_MAX]; /* statement "s<i>" is cache[i], prepared on this connection */
    int ncache;
    bool in_tx;        /* a write's own transaction (BEGIN ... COMMIT, no batch) is open */
    bool batching;     /* group commit: writes are savepoints in one outer transaction */
    bool outer;        /* the outer transaction of a batch or use-case transaction is open */
    bool outer_fresh;  /* ... and its BEGIN, deferred, is not sent yet (nothing of it is) */
    bool in_sp;        /* a write's savepoint "w" is open */
    bool in_read;      /* a read snapshot (vg_store_read_begin) is open */
    bool read_fresh;   /* ... and its BEGIN, deferred, is not sent yet (nothing of it is) */
    bool lost;         /* the open outer transaction can no longer commit (a statement failed
                        * outside any savepoint, or the connection was lost) */
    bool busy_fast;    /* a write of the open batch met another connection's lock past
                        * lock_timeout: the batch's later writes do not wait for it */
    bool busy_fast_on; /* ... and lock_timeout is at its minimum until the batch's end */
    bool doomed;       /* the server said FATAL: it is closing the connection */
    bool read_only;    /* vg_store_read_only: re-applied after a reconnection */
    int tx_depth;      /* use-case transactions open, nested ones included */
    bool tx_real;      /* the outermost one began the transaction itself (no batch around it) */
    unsigned busy_ms;  /* lock_timeout (vg_store_busy_timeout) */
    bool bulk;         /* a batch command's connection: no default statement timeout */
    struct pg_err {
        int code;      /* VG_EEXIST, VG_EBUSY, VG_EIO */
        char state[6]; /* SQLSTATE, "" if none */
        char msg[1024];
    } err;       /* the last failure, kept for pg_error */
    bool outage; /* a failure that passes (connection lost, server shutting down or starting,
                  * statement timeout, lock or serialization conflict) since vg_store_outage */
    char outage_msg[256]; /* ... its message */
    bool lost_outage;     /* the open outer transaction was lost to such a failure */
    /* the indicator domain (pg_indicators.c): vg_store_indicator_version's state */
    bool ind_checked;             /* the version was read once */
    long long ind_gen_seen;       /* the counter "indicator.gen" at the last check */
    unsigned long long ind_epoch; /* expiries passed */
    char ind_next_expiry[64];     /* the next expiry after the last check, "" if none */
    /* the incidents domain (pg_corr.c): the correlation index this process's connections to
     * the database share, NULL before the first lookup */
    struct pg_corr_shared *corr;
    /* savepoint commands deferred to go out with the next statement (pg.c's defer): they
     * return nothing the caller reads, so they need no round trip of their own */
    const char *pending[PG_PENDING_MAX];
    int npending;
};

static inline struct pg *pg_of(struct vg_store *st)
{
    return (struct pg *)st;
}

/* ---- parameters ---- */

struct pg_params {
    int n;
    const char *v[PG_MAX_PARAMS];
    int len[PG_MAX_PARAMS];
    int fmt[PG_MAX_PARAMS];      /* 0 text, 1 binary */
    char num[PG_MAX_PARAMS][24]; /* integers printed */
    char *owned[PG_MAX_PARAMS];  /* JSON dumped: freed by pg_params_free */
};
/* Appends $n+1: text (NULL: SQL NULL), an integer, bytes, JSON (NULL: SQL NULL). Past
 * PG_MAX_PARAMS they are dropped and the statement then fails on the missing parameter. */
void pg_param_text(struct pg_params *pp, const char *v);
void pg_param_int(struct pg_params *pp, long long v);
void pg_param_bytes(struct pg_params *pp, const void *v, int len);
void pg_param_json(struct pg_params *pp, const json_t *v);
void pg_params_free(struct pg_params *pp);

/* ---- running statements ---- */

/* Runs sql (a string literal, prepared once per connection, PQexecPrepared after) with pp
 * (may be NULL). Returns the result (rows or none; PQclear it) or NULL with the failure kept
 * for pg_error. Reconnects first when the connection was lost outside any transaction; a
 * failure outside a savepoint of an open outer transaction marks that transaction lost. */
PGresult *pg_run(struct pg *p, const char *sql, const struct pg_params *pp);
/* Runs a statement without parameters or result through PQexec (not cached): SAVEPOINT,
 * SET, a migration's script. 0 or the mapped error (pg_error's). */
int pg_exec(struct pg *p, const char *sql);
/* Sends the savepoint commands kept to go out with the next statement (struct pg's pending),
 * for code that uses the connection without pg_run/pg_exec (COPY). 0 or pg_error's code. */
int pg_flush(struct pg *p);
/* The last failure mapped: VG_EEXIST (unique violation), VG_EBUSY (serialization failure,
 * deadlock, lock timeout: try again), VG_EIO ("database unavailable: URI: ..." when the
 * connection is lost, the next call reconnects; "statement timeout"; any other error), with
 * the message in d (may be NULL). */
int pg_error(struct pg *p, struct vg_diag *d);
/* Runs sql as one write of its own: a savepoint of the open batch or use-case transaction,
 * or alone (autocommit) outside one; a failure is undone alone. *changes (may be NULL) = the
 * rows it changed; *ret (may be NULL) = the integer its first row returns (INSERT ...
 * RETURNING id), 0 if none. 0 or pg_error's code with d set. */
int pg_write(struct pg *p, const char *sql, const struct pg_params *pp, long long *changes,
             long long *ret, struct vg_diag *d);

/* ---- a write of several statements ---- */

/* Begins a write: a savepoint "w" of the open batch's outer transaction (opening it with the
 * batch's first write), or BEGIN outside a batch. pg_commit ends it (on failure the write is
 * still open: pg_rollback), pg_rollback undoes it alone. 0 or a code with the failure kept
 * for pg_error. */
int pg_begin(struct pg *p);
int pg_commit(struct pg *p);
void pg_rollback(struct pg *p);
/* The failure mapped (pg_error) after rolling the write back. */
int pg_fail(struct pg *p, struct vg_diag *d);

/* ---- columns (row r, column c of a result) ---- */

/* Text ("" when NULL), integer (0 when NULL), boolean (t/true/1), a string or JSON null,
 * parsed JSON (null when NULL or unreadable). */
const char *pg_get_text(const PGresult *res, int r, int c);
long long pg_get_int(const PGresult *res, int r, int c);
bool pg_get_bool(const PGresult *res, int r, int c);
json_t *pg_get_null(const PGresult *res, int r, int c);
json_t *pg_get_json(const PGresult *res, int r, int c);

/* ---- shared pieces ---- */

/* Appends a line to the audit log (who NULL: "system"; detail NULL: {}). 0 or VG_EIO. */
int pg_audit(struct pg *p, const struct vg_actor *who, const char *action, const char *object,
             const json_t *detail);
/* Cursors: the SQLite backend's format (sqlite.c), so that a cursor means the same on both:
 * the last id seen in hexadecimal behind a letter. */
void sq_cursor_make(long long id, char out[32]);
int sq_cursor_read(const char *c, long long *id, struct vg_diag *d);
/* An incident list's cursor (sqlite_incidents.c; the same on both backends): order 0 newest,
 * 1 oldest, 2 updated, 3 severity; its id (0: no cursor), time (updated) or rank (severity).
 * 0 or VG_EINVAL. */
int sq_inc_cursor_read(int order, const char *c, long long *id, char *key, size_t cap, int *rank,
                       struct vg_diag *d);
/* The related incidents' list (store/incident.h) from the ranked correlation query cq: the
 * first limit groups whose incident row() finds (1, with its ref, title, status, severity and
 * tlp in cols, valid until row's next call; 0: gone; -1: a failure). 0 (cq's text then owned by
 * out), VG_ENOMEM or VG_EIO; the caller frees out on failure (sqlite_corr.c, both backends). */
int sq_related_fill(struct vg_related_list *out, struct vg_corr_query *cq, int limit,
                    int (*row)(void *ctx, long long inc, const char *cols[5]), void *ctx);
/* A page of a list from a result whose column 0 is the id and that holds up to limit + 1
 * rows: {"items": [row(res, i)...], "next_cursor": cursor of the last item or null}. */
json_t *pg_page(const PGresult *res, int limit, json_t *(*row)(const PGresult *res, int r));

/* The URI without its password (in user:password@ or a password= parameter), for messages. */
void pg_uri_redact(const char *uri, char *out, size_t n);

/* ---- the users domain (pg_users.c) ---- */

extern const struct vg_store_user_ops pg_user_ops;

/* ---- the crisis cell (pg_crisis.c) and inbound mail (pg_inbound.c) ---- */

extern const struct vg_store_crisis_ops pg_crisis_ops;
extern const struct vg_store_inbound_ops pg_inbound_ops;
/* ---- organisations (pg_org.c) and vulnerabilities (pg_vulns.c, pg_findings.c) ---- */

extern const struct vg_store_org_ops pg_org_ops;
extern const struct vg_store_vuln_ops pg_vuln_ops;
/* "{v0,v1,...}": n integers as a bigint[] parameter's text; NULL when out of memory. Free. */
char *pg_int_array(const long long *v, size_t n);
/* Ends the write pg_begin opened, whose steps returned rc (0, VG_ENOMEM, or a failure kept
 * for pg_error): commits it when rc is 0; else (or when the commit fails) rolls it back and
 * returns the code with d set. */
int pg_write_end(struct pg *p, int rc, struct vg_diag *d);
int pg_finding_replace(struct vg_store *st, const struct vg_store_fscope *scope,
                       const char *const *assets, size_t nassets, const struct vg_store_finding *f,
                       size_t n, json_t **out, struct vg_diag *d);
int pg_finding_prune(struct vg_store *st, long long org, struct vg_diag *d);
int pg_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx);
int pg_finding_list(struct vg_store *st, long long org, const char *since,
                    const struct vg_page *page, json_t **out, struct vg_diag *d);
int pg_digest_take(struct vg_store *st, long long org, json_t **out, struct vg_diag *d);
/* ---- the indicator, pull and notify domains (pg_indicators.c, pg_pull.c, pg_notify.c) ---- */

extern const struct vg_store_indicator_ops pg_indicator_ops;
/* pg_follow.c: the positions of `vigie match --follow --record` (store/indicator.h). */
int pg_follow_put(struct vg_store *st, const char *follower, const struct vg_follow_position *v,
                  size_t n, struct vg_diag *d);
int pg_follow_each(struct vg_store *st, const char *follower,
                   int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                   struct vg_diag *d);
extern const struct vg_store_pull_ops pg_pull_ops;
extern const struct vg_store_notify_ops pg_notify_ops;

/* ---- partners, TAXII, upstream advisories (pg_partners.c, pg_taxii.c, pg_upstream.c) ---- */

extern const struct vg_store_partner_ops pg_partner_ops;
extern const struct vg_store_taxii_ops pg_taxii_ops;
extern const struct vg_store_upstream_ops pg_upstream_ops;

/* ---- advisories, statistics, the outbox, settings (pg_advisories.c, pg_stats.c, pg_mail.c,
 * pg_setting.c) ---- */

extern const struct vg_store_advisory_ops pg_advisory_ops;
extern const struct vg_store_stats_ops pg_stats_ops;
extern const struct vg_store_mail_ops pg_mail_ops;
extern const struct vg_store_setting_ops pg_setting_ops;
/* ---- the reports domain (pg_reports.c) ---- */

/* Key of the transaction-level advisory lock that serialises the adders of held reports (the
 * queue's cap). Every advisory lock key of the backend is defined in this header, each once:
 * 7616057010 pg.c's PG_MIGRATE_LOCK, 7616057011 PG_OBSERVABLE_LOCK, 7616057012
 * PG_REPORT_QUEUE_LOCK, 7616057013 PG_FINDINGS_LOCK. */
#define PG_REPORT_QUEUE_LOCK "7616057012"

extern const struct vg_store_report_ops pg_report_ops;

/* ---- the incidents domain (pg_incidents.c, pg_corr.c) ---- */

extern const struct vg_store_incident_ops pg_incident_ops;
/* Key of the transaction-level advisory lock under which observables are inserted, so that
 * their ids commit in increasing order (pg_corr.c). */
#define PG_OBSERVABLE_LOCK "7616057011"
/* Key of the transaction-level advisory lock that writers of findings and digests hold to
 * their commit (pg_findings.c): one writer at a time, and a digest never overtakes a write
 * holding smaller ids. */
#define PG_FINDINGS_LOCK   "7616057013"
/* Key of the lock a migration holds (pg.c): several servers starting at once migrate once. */
#define PG_MIGRATE_LOCK    "7616057010"
/* The id of incident ref, 0 if none, -1 if it could not be read (failure kept for pg_error). */
long long pg_incident_id(struct pg *p, const char *ref);
/* Inserts incident inc inside the caller's write (pg_begin ... pg_commit: sqlite_int.h's
 * sq_incident_insert for PostgreSQL, for the domains that create incidents): its reference
 * into ref, its id into *id_out (may be NULL), *answer (may be NULL) = the incident as
 * vg_store_incident_get gives it. 0 or a code with d set; the caller rolls back. */
int pg_incident_insert(struct pg *p, const struct vg_actor *who, const struct vg_incident_new *inc,
                       char ref[VG_REFERENCE_LEN], long long *id_out, json_t **answer,
                       struct vg_diag *d);
/* The most incidents one statement of incident_create_many creates: a larger group is
 * written by several in the same write. */
#define PG_CREATE_GROUP 256
/* Lets go of p's reference to its database's shared correlation index (pg_close). */
void pg_corr_release(struct pg *p);
/* The id of the last observable row p's correlation index holds (0: not loaded), and whether
 * two connections share theirs (tests). */
long long pg_corr_last(struct pg *p);
bool pg_corr_same(struct pg *a, struct pg *b);
int pg_incident_related(struct vg_store *st, const char *ref, int limit,
                        struct vg_related_list *out);
/* Writes the shipped playbook of each RSIT class that has none (pg_migrate, after migrating). */
int pg_playbook_seed(struct pg *p, struct vg_diag *d);

/* ---- moving and keeping data (pg_dump.c) ---- */

extern const struct vg_store_dump_ops pg_dump_ops;

/* ---- COPY for the big writes (pg_copy.c) ---- */

/* A COPY ... FROM STDIN in text format being sent. */
struct pg_copy {
    struct pg *p;
    struct vg_buf b;  /* rows escaped, not sent yet */
    int ncol;         /* columns of the current row so far */
    bool open;        /* the server is in COPY IN */
    bool sent_failed; /* sending failed: the connection is lost */
};
/* Keeps the failure of res (NULL: of the connection) for pg_error, as every statement's (pg.c). */
void pg_record(struct pg *p, const PGresult *res);
/* Appends v[0..len) (up to a NUL) to b as one value of COPY's text format: backslash, tab,
 * newline and carriage return escaped; NULL as \N (so that "" and NULL stay apart). */
void pg_copy_escape(struct vg_buf *b, const char *v, size_t len);
/* Starts sql ("COPY t(cols) FROM STDIN") inside the caller's write. 0 or a code with the failure
 * kept for pg_error; c is to be ended by pg_copy_end in both cases. */
int pg_copy_begin(struct pg *p, struct pg_copy *c, const char *sql);
/* pg_copy_begin into a temporary staging table, after create ("CREATE TEMP TABLE IF NOT EXISTS
 * ...": it lives as long as the connection) and clear (emptying it: "TRUNCATE ...", not DELETE:
 * autovacuum never visits a temporary table, whose dead rows would pile up over a session and
 * slow every scan of it). */
int pg_copy_stage(struct pg *p, struct pg_copy *c, const char *create, const char *clear,
                  const char *sql);
/* The next column of the current row: text (NULL: NULL), text of len bytes, an integer, bytes
 * (bytea; NULL: NULL). */
void pg_copy_text(struct pg_copy *c, const char *v);
void pg_copy_textn(struct pg_copy *c, const char *v, size_t len);
void pg_copy_int(struct pg_copy *c, long long v);
void pg_copy_bytes(struct pg_copy *c, const void *v, size_t len);
/* Ends the current row (sending the buffer when large). 0, VG_ENOMEM or VG_EIO. */
int pg_copy_row(struct pg_copy *c);
/* Ends the COPY: *rows (may be NULL) = the rows it wrote. 0 or a code (VG_ENOMEM; else the
 * failure kept for pg_error: a row the table refused, the connection lost); the caller then
 * rolls its write back. Frees c's buffer in every case. */
int pg_copy_end(struct pg_copy *c, long long *rows);

#endif
