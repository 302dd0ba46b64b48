/* The SQLite backend of the store: one connection per struct vg_store, WAL journal with
 * synchronous=NORMAL (a committed transaction survives a crash of the process), foreign keys
 * on, every statement prepared once and cached, every write in a BEGIN IMMEDIATE transaction.
 * This file holds the connection, its helpers and migrations; sqlite_<domain>.c files hold
 * the operations. All of vigie's SQL lives in store/. */
#include "store/sqlite_int.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/playbook.h"
#include "core/rsit.h"
#include "store/schema.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* The error of the connection, or, once a reset or a rollback has cleared it ("not an
 * error"), that of the last failed step. A database locked by another process past the busy
 * timeout is VG_EBUSY (worth retrying), anything else VG_EIO. */
int sq_db_error(struct sq *s, struct vg_diag *d)
{
    int rc = sqlite3_errcode(s->db);
    const char *msg = sqlite3_errmsg(s->db);
    if (rc == SQLITE_OK && s->last_rc != SQLITE_OK) {
        rc = s->last_rc;
        msg = s->last_error;
    }
    s->last_rc = SQLITE_OK;
    int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? VG_EBUSY : VG_EIO;
    return vg_diag_set(d, code, "", "database error: %s", msg);
}

int sq_fail(struct sq *s, struct vg_diag *d)
{
    int rc = sq_db_error(s, d);
    sq_rollback(s);
    return rc;
}

/* A cached prepared statement for a string literal, reset and unbound. NULL on error. */
sqlite3_stmt *sq_prep(struct sq *s, const char *sql)
{
    for (int i = 0; i < s->ncache; i++)
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].stmt);
            sqlite3_clear_bindings(s->cache[i].stmt);
            return s->cache[i].stmt;
        }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    if (s->ncache < CACHE_MAX) {
        s->cache[s->ncache].sql = sql;
        s->cache[s->ncache].stmt = st;
        s->ncache++;
    }
    return st;
}

/* Statements that did not fit in the cache are finalised by sq_done(). */
void sq_done(struct sq *s, sqlite3_stmt *st)
{
    if (!st)
        return;
    for (int i = 0; i < s->ncache; i++)
        if (s->cache[i].stmt == st) {
            sqlite3_reset(st);
            return;
        }
    sqlite3_finalize(st);
}

int sq_exec(struct sq *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : VG_EIO;
}

long long sq_scalar(struct sq *s, const char *sql)
{
    sqlite3_stmt *q = sq_prep(s, sql);
    long long v = q && sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sq_done(s, q);
    return v;
}

/* Runs one of the transaction statements below through the statement cache: sqlite3_exec
 * would parse it again on every request (measured: 6 % of a /related's time, and the
 * parser's large allocations made malloc consolidate its free lists). */
static int sq_tx(struct sq *s, const char *sql)
{
    sqlite3_stmt *q = sq_prep(s, sql);
    return q ? sq_step_done(s, q) : VG_EIO;
}

/* Undoes savepoint name (rollback_to, then release). If that fails, or if SQLite already
 * rolled the whole transaction back (it may on SQLITE_NOMEM), the writes of the batch before
 * it can no longer be told apart from it: the batch is lost and will not commit. */
static void sp_undo(struct sq *s, const char *rollback_to, const char *release)
{
    if (sqlite3_get_autocommit(s->db) || sq_tx(s, rollback_to) != 0 || sq_tx(s, release) != 0)
        s->lost = true;
}

/* True (the batch marked lost) when the outer transaction of an open batch is gone: SQLite
 * rolled it back on an error. A savepoint begun then would run outside any transaction. */
static bool outer_gone(struct sq *s)
{
    if (s->outer && sqlite3_get_autocommit(s->db))
        s->lost = true;
    return s->lost;
}

/* Writers of this process take turns on a mutex before BEGIN IMMEDIATE: SQLite's own busy
 * handler sleeps in steps of milliseconds, which would cap the server at a few hundred
 * writes per second under contention. Other processes still wait through busy_timeout. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* How long a write waits for another process's lock before it fails with VG_EBUSY, unless
 * set by vg_store_busy_timeout. */
#define SQ_BUSY_MS 10000

/* A batch's write could not begin: if another process held the lock past the busy timeout,
 * the batch's later writes fail at once instead of waiting again, each in turn (a batch of
 * 64 writes held the database thread 64 times 10 s). The timeout is back at the batch's
 * end. */
static void busy_met(struct sq *s)
{
    if (s->batching && (s->last_rc & 0xff) == SQLITE_BUSY && !s->busy_fast) {
        sqlite3_busy_timeout(s->db, 0);
        s->busy_fast = true;
    }
}

int sq_begin(struct sq *s)
{
    if (s->batching) {
        /* group commit: one outer transaction; the first write of a batch runs in it
         * directly (a failure rolls the whole, still empty, batch back), later ones in a
         * savepoint each. A savepoint journals every page it changes: a large write in one
         * is several times slower, so the common case of a lone writer avoids it. */
        if (s->tx_fresh) {
            /* the first write of a use-case transaction that holds nothing yet: as the
             * first write of a batch */
            s->tx_fresh = false;
            s->first_write = true;
            return 0;
        }
        if (!s->outer) {
            pthread_mutex_lock(&write_lock);
            if (sq_tx(s, "BEGIN IMMEDIATE") != 0) {
                busy_met(s);
                pthread_mutex_unlock(&write_lock);
                return VG_EIO;
            }
            s->outer = true;
            s->lost = false;
            s->in_tx = true;
            s->first_write = true;
            return 0;
        }
        if (outer_gone(s) || sq_tx(s, "SAVEPOINT w") != 0)
            return VG_EIO;
        s->in_sp = true;
        return 0;
    }
    pthread_mutex_lock(&write_lock);
    if (sq_tx(s, "BEGIN IMMEDIATE") != 0) {
        pthread_mutex_unlock(&write_lock);
        return VG_EIO;
    }
    s->in_tx = true;
    return 0;
}

static void sq_end_tx(struct sq *s)
{
    if (s->in_tx) {
        s->in_tx = false;
        pthread_mutex_unlock(&write_lock);
    }
}

/* On failure the transaction is still open: the caller rolls back. */
int sq_commit(struct sq *s)
{
    if (s->in_sp) {
        if (outer_gone(s) || sq_tx(s, "RELEASE w") != 0)
            return VG_EIO;
        s->in_sp = false;
        return 0;
    }
    if (s->first_write) {
        if (outer_gone(s))
            return VG_EIO;
        s->first_write = false; /* stays in the batch, committed with it */
        return 0;
    }
    if (sq_tx(s, "COMMIT") != 0)
        return VG_EIO;
    sq_end_tx(s);
    return 0;
}

void sq_rollback(struct sq *s)
{
    if (s->in_sp) {
        sp_undo(s, "ROLLBACK TO w", "RELEASE w");
        s->in_sp = false;
        return;
    }
    if (s->first_write) {
        /* the batch held only this write: drop it whole */
        s->first_write = false;
        s->outer = false;
    }
    if (!sqlite3_get_autocommit(s->db))
        sq_tx(s, "ROLLBACK");
    sq_end_tx(s);
}

static void sq_batch_begin(struct vg_store *st)
{
    sq_of(st)->batching = true;
}

static bool sq_batch_pending(struct vg_store *st)
{
    return sq_of(st)->outer;
}

/* A read transaction around a read-only request: one snapshot, and one lock taken instead
 * of one per statement. Inside an open batch the batch's transaction already serves. */
static void sq_read_begin(struct vg_store *st)
{
    struct sq *s = sq_of(st);
    if (!s->outer && sqlite3_get_autocommit(s->db) && sq_tx(s, "BEGIN") == 0)
        s->in_read = true;
}

static void sq_read_end(struct vg_store *st)
{
    struct sq *s = sq_of(st);
    if (s->in_read) {
        s->in_read = false;
        if (sq_tx(s, "COMMIT") != 0)
            sq_tx(s, "ROLLBACK");
    }
}

/* A reader's connection: a write fails with SQLITE_READONLY ("attempt to write a readonly
 * database"). */
static int sq_read_only(struct vg_store *st, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    return sq_exec(s, "PRAGMA query_only = ON") ? sq_db_error(s, d) : 0;
}

static void sq_busy_timeout(struct vg_store *st, unsigned ms)
{
    struct sq *s = sq_of(st);
    s->busy_ms = ms > INT_MAX ? INT_MAX : (int)ms;
    if (!s->busy_fast)
        sqlite3_busy_timeout(s->db, s->busy_ms);
}

/* Opens the outer transaction of a batch or of a use-case transaction; 0 or VG_EIO. */
static int outer_open(struct sq *s, struct vg_diag *d)
{
    pthread_mutex_lock(&write_lock);
    if (sq_tx(s, "BEGIN IMMEDIATE") != 0) {
        busy_met(s);
        int rc = sq_db_error(s, d);
        pthread_mutex_unlock(&write_lock);
        return rc;
    }
    s->outer = true;
    s->lost = false;
    s->in_tx = true;
    return 0;
}

/* A transaction rolled back may have held rows that the correlation index or the caches
 * picked up: they start again from the database. */
static void forget_rows(struct sq *s)
{
    vg_corr_free(s->corr);
    s->corr = NULL;
    sq_caches_drop(s);
}

/* A use-case transaction. Outside a batch and any other one, it is the batch machinery
 * with the outer transaction begun at once (BEGIN IMMEDIATE): each write inside is a
 * savepoint of it, but the first, which runs in it directly (a lone large write is not
 * journalled twice). Inside a batch or another use-case transaction, it is a savepoint
 * "t" of the transaction around it, which stays open after it. */
static int sq_tx_begin(struct vg_store *st, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (s->in_sp || s->first_write)
        return vg_diag_set(d, VG_EINVAL, "", "a transaction cannot begin inside a write");
    if (!s->batching && s->tx_depth == 0) {
        if (sqlite3_get_autocommit(s->db) == 0)
            return vg_diag_set(d, VG_EINVAL, "", "a transaction cannot begin inside a read");
        int rc = outer_open(s, d);
        if (rc)
            return rc;
        s->batching = true;
        s->tx_real = true;
        s->tx_fresh = true;
        s->tx_depth = 1;
        return 0;
    }
    s->tx_fresh = false; /* the savepoint below holds what follows */
    if (!s->outer) {
        int rc = outer_open(s, d);
        if (rc)
            return rc;
    }
    if (outer_gone(s))
        return vg_diag_set(d, VG_EIO, "", "database error: the batch's transaction was lost");
    if (sq_tx(s, "SAVEPOINT t") != 0)
        return sq_db_error(s, d);
    s->tx_depth++;
    return 0;
}

/* True if the innermost open use-case transaction is the real one (no savepoint). */
static bool tx_is_real(const struct sq *s)
{
    return s->tx_real && s->tx_depth == 1;
}

static void tx_end_real(struct sq *s)
{
    s->lost = false;
    s->tx_depth = 0;
    s->tx_real = false;
    s->tx_fresh = false;
    s->batching = false;
    s->outer = false;
    sq_end_tx(s);
}

static int sq_tx_commit(struct vg_store *st, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (s->tx_depth == 0)
        return vg_diag_set(d, VG_EINVAL, "", "no transaction to commit");
    if (!tx_is_real(s)) {
        /* a savepoint not released is undone: left open, the batch's commit committed what
         * the caller was told had failed (test_faults' post_report) */
        if (outer_gone(s) || sq_tx(s, "RELEASE t") != 0) {
            int rc = s->lost ? vg_diag_set(d, VG_EIO, "",
                                           "database error: the batch's "
                                           "transaction was lost")
                             : sq_db_error(s, d);
            sp_undo(s, "ROLLBACK TO t", "RELEASE t");
            s->tx_depth--;
            forget_rows(s);
            return rc;
        }
        s->tx_depth--;
        return 0;
    }
    int rc = 0;
    if (s->outer && s->lost) {
        rc = vg_diag_set(d, VG_EIO, "", "database error: the transaction was lost");
        if (!sqlite3_get_autocommit(s->db))
            sq_tx(s, "ROLLBACK");
        forget_rows(s);
    } else if (s->outer && sq_tx(s, "COMMIT") != 0) {
        rc = sq_db_error(s, d);
        sq_tx(s, "ROLLBACK");
        forget_rows(s);
    }
    tx_end_real(s);
    return rc;
}

static void sq_tx_rollback(struct vg_store *st)
{
    struct sq *s = sq_of(st);
    if (s->tx_depth == 0)
        return;
    if (!tx_is_real(s)) {
        sp_undo(s, "ROLLBACK TO t", "RELEASE t");
        s->tx_depth--;
    } else {
        if (s->outer && !sqlite3_get_autocommit(s->db))
            sq_tx(s, "ROLLBACK");
        tx_end_real(s);
    }
    forget_rows(s);
}

static int sq_batch_commit(struct vg_store *st, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    int rc = 0;
    s->batching = false;
    s->tx_depth = 0; /* a use-case transaction left open in the batch is committed with it */
    bool lost = s->lost;
    s->lost = false;
    if (s->busy_fast) {
        s->busy_fast = false;
        sqlite3_busy_timeout(s->db, s->busy_ms);
    }
    if (!s->outer)
        return 0;
    s->outer = false;
    if (lost) {
        /* a write could not be undone alone, or SQLite rolled the whole back: none of it */
        rc = vg_diag_set(d, VG_EIO, "", "database error: the batch's transaction was lost");
        if (!sqlite3_get_autocommit(s->db))
            sq_tx(s, "ROLLBACK");
        forget_rows(s);
    } else if (sq_tx(s, "COMMIT") != 0) {
        rc = sq_db_error(s, d);
        sq_tx(s, "ROLLBACK");
        /* the correlation index and the caches may hold rows that are now gone */
        forget_rows(s);
    }
    sq_end_tx(s);
    return rc;
}

void sq_caches_drop(struct sq *s)
{
    vg_cache_clear(&s->tokens);
    json_decref(s->playbooks);
    s->playbooks = NULL;
}

void sq_caches_check(struct sq *s)
{
    long long dv = sq_scalar(s, "PRAGMA data_version");
    if (dv != s->cache_data_version || dv < 0) {
        sq_caches_drop(s);
        s->cache_data_version = dv;
    }
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    /* SQLite copies the text, and a copy that cannot be allocated left the parameter NULL
     * without a word (a lookup by reference then found nothing: 404, test_faults'
     * patch_incident): bound without a copy instead, which allocates nothing. v outlives the
     * statement's steps at every call site (they bind and step in one function). */
    if (v && sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) != SQLITE_OK)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else if (!v)
        sqlite3_bind_null(st, i);
}

void sq_bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
    char *txt = vg_json_dump(v);
    sqlite3_bind_text(st, i, txt, -1, free);
}

const char *sq_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

json_t *sq_col_json(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    json_t *v = t ? vg_json_loadb(t, strlen(t), JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

json_t *sq_col_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
                                                     : json_string(sq_col_text(st, i));
}

/* Steps a statement that returns no rows; 0 or VG_EIO. */
int sq_step_done(struct sq *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        s->last_rc = rc;
        snprintf(s->last_error, sizeof s->last_error, "%s", sqlite3_errmsg(s->db));
    }
    sq_done(s, st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : VG_EIO;
}

int sq_audit(struct sq *s, const struct vg_actor *who, const char *action, const char *object,
             const json_t *detail)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *st =
        sq_prep(s, "INSERT INTO audit(at, actor, action, object, detail) VALUES (?,?,?,?,?)");
    if (!st)
        return VG_EIO;
    sq_bind_text(st, 1, now);
    sq_bind_text(st, 2, who ? who->name : "system");
    sq_bind_text(st, 3, action);
    sq_bind_text(st, 4, object);
    if (detail)
        sq_bind_json(st, 5, detail);
    else
        sq_bind_text(st, 5, "{}");
    return sq_step_done(s, st);
}

/* ---- cursors: opaque to clients, the last id seen in hexadecimal behind a letter ---- */

void sq_cursor_make(long long id, char out[32])
{
    snprintf(out, 32, "c%llx", (unsigned long long)id);
}

int sq_cursor_read(const char *c, long long *id, struct vg_diag *d)
{
    if (!c) {
        *id = 0;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long long v = c[0] == 'c' && c[1] ? strtoull(c + 1, &end, 16) : 0;
    if (c[0] != 'c' || !c[1] || *end || errno || v == 0 || v > (1ULL << 62))
        return vg_diag_set(d, VG_EINVAL, "cursor", "cursor is not one this server gave");
    *id = (long long)v;
    return 0;
}

json_t *sq_page(sqlite3_stmt *q, int limit, json_t *(*row)(sqlite3_stmt *q))
{
    json_t *items = json_array();
    long long last = 0;
    bool more = false;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = true;
            break;
        }
        last = sqlite3_column_int64(q, 0);
        json_array_append_new(items, row(q));
    }
    char cur[32];
    sq_cursor_make(last, cur);
    return json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     more ? json_string(cur) : json_null());
}

/* ---- lifecycle of the connection ---- */

static void sq_close(struct vg_store *st)
{
    struct sq *s = sq_of(st);
    for (int i = 0; i < s->ncache; i++)
        sqlite3_finalize(s->cache[i].stmt);
    for (int i = 0; s->inc_list && i < SQ_INC_LIST_SHAPES; i++)
        sqlite3_finalize(s->inc_list[i]);
    free(s->inc_list);
    vg_corr_free(s->corr);
    sq_caches_drop(s);
    vg_cache_cleanup(&s->tokens);
    sqlite3_close(s->db);
    free(s);
}

static int seed_playbooks(struct sq *s)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    for (size_t i = 0; i < vg_rsit_nclasses; i++) {
        sqlite3_stmt *st =
            sq_prep(s, "INSERT OR IGNORE INTO playbook(class, steps, updated) VALUES (?,?,?)");
        if (!st)
            return VG_EIO;
        json_t *steps = vg_playbook_default(vg_rsit_classes[i].name);
        sq_bind_text(st, 1, vg_rsit_classes[i].name);
        sq_bind_json(st, 2, steps);
        sq_bind_text(st, 3, now);
        json_decref(steps);
        if (sq_step_done(s, st))
            return VG_EIO;
    }
    return 0;
}

static int sq_migrate(struct vg_store *st, int *version, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = NULL;
    int cur = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return sq_db_error(s, d);
    if (sqlite3_step(q) == SQLITE_ROW)
        cur = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    for (const struct vg_migration *m = vg_schema_migrations; m->version; m++) {
        if (m->version <= cur)
            continue;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
        /* after 5, the name keys of org_product are computed here, in C (core/product.h) */
        if (sq_begin(s) || sq_exec(s, m->sql) || sq_exec(s, pragma) ||
            (m->version == 5 && sq_org_product_keys(s, 0))) {
            vg_diag_set(d, VG_EIO, "", "migration %s failed: %s", m->name, sqlite3_errmsg(s->db));
            sq_rollback(s);
            return VG_EIO;
        }
        if (sq_commit(s)) {
            int rc = sq_db_error(s, d);
            sq_rollback(s);
            return rc;
        }
        cur = m->version;
    }
    if (sq_begin(s) || seed_playbooks(s) || sq_commit(s)) {
        return sq_fail(s, d);
    }
    if (version)
        *version = cur;
    return 0;
}

static const struct vg_store_user_ops sqlite_user_ops = {
    .user_ensure = sq_user_ensure,
    .user_set_password = sq_user_set_password,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .token_add = sq_token_add,
    .token_lookup = sq_token_lookup,
    .token_lookup_many = sq_token_lookup_many,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .token_prune = sq_token_prune,
    .token_touch = sq_token_touch,
    .intake_log = sq_intake_log,
    .audit_list = sq_audit_list,
};

static const struct vg_store_org_ops sqlite_org_ops = {
    .org_create = sq_org_create,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .org_update = sq_org_update,
    .org_find_by_domain = sq_org_find_by_domain,
};

static const struct vg_store_incident_ops sqlite_incident_ops = {
    .incident_create = sq_incident_create,
    .incident_create_many = sq_incident_create_many,
    .incident_get = sq_incident_get,
    .incident_list = sq_incident_list,
    .incident_each = sq_incident_each,
    .incident_update = sq_incident_update,
    .incident_note = sq_incident_note,
    .incident_observable_add = sq_incident_observable_add,
    .incident_step_set = sq_incident_step_set,
    .incident_related = sq_incident_related,
    .playbook_list = sq_playbook_list,
    .playbook_get = sq_playbook_get,
    .playbook_put = sq_playbook_put,
};

static const struct vg_store_indicator_ops sqlite_indicator_ops = {
    .indicator_import_recs = sq_indicator_import_recs,
    .indicator_get = sq_indicator_get,
    .indicator_list = sq_indicator_list,
    .indicator_each = sq_indicator_each,
    .indicator_version = sq_indicator_version,
    .sightings_record = sq_sightings_record,
    .sighting_list = sq_sighting_list,
    .alert_list = sq_alert_list,
    .alert_escalate = sq_alert_escalate,
    .indicator_rows_open = sq_indicator_rows_open,
    .indicator_rows_next = sq_indicator_rows_next,
    .indicator_rows_close = sq_indicator_rows_close,
    .follow_put = sq_follow_put,
    .follow_each = sq_follow_each,
};

static const struct vg_store_vuln_ops sqlite_vuln_ops = {
    .vuln_put = sq_vuln_put,
    .kev_put = sq_kev_put,
    .epss_put = sq_epss_put,
    .vuln_each = sq_vuln_each,
    .vuln_keys_for_products = sq_vuln_keys_for_products,
    .vuln_assets_each = sq_vuln_assets_each,
    .vuln_products_for_names = sq_vuln_products_for_names,
    .finding_replace = sq_finding_replace,
    .finding_prune = sq_finding_prune,
    .asset_ids_each = sq_asset_ids_each,
    .finding_sums_each = sq_finding_sums_each,
    .finding_list = sq_finding_list,
    .digest_take = sq_digest_take,
    .vuln_get = sq_vuln_get,
};

static const struct vg_store_ops sqlite_ops = {
    .close = sq_close,
    .migrate = sq_migrate,
    .batch_begin = sq_batch_begin,
    .batch_pending = sq_batch_pending,
    .batch_commit = sq_batch_commit,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .read_only = sq_read_only,
    .busy_timeout = sq_busy_timeout,
    .tx_begin = sq_tx_begin,
    .tx_commit = sq_tx_commit,
    .tx_rollback = sq_tx_rollback,
    .user = &sqlite_user_ops,
    .org = &sqlite_org_ops,
    .incident = &sqlite_incident_ops,
    .indicator = &sqlite_indicator_ops,
    .vuln = &sqlite_vuln_ops,
    .report = &sq_report_ops,
    .pull = &sq_pull_ops,
    .partner = &sq_partner_ops,
    .taxii = &sq_taxii_ops,
    .upstream = &sq_upstream_ops,
    .advisory = &sq_advisory_ops,
    .stats = &sq_stats_ops,
    .mail = &sq_mail_ops,
    .crisis = &sq_crisis_ops,
    .setting = &sq_setting_ops,
    .notify = &sq_notify_ops,
    .inbound = &sq_inbound_ops,
    .dump = &sq_dump_ops,
};

/* Creates the folder that will hold the database file, if missing (one level). */
static void make_parent(const char *path)
{
    char dir[4096];
    if (vg_str_copy(vg_str_c(path), dir, sizeof dir) != 0)
        return;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    mkdir(dir, 0750);
}

/* SQLite allocates through util/mem's wrappers, so that the allocation failure hook reaches
 * it too (SQLite answers SQLITE_NOMEM and stays usable). The size of a block is asked of the
 * system allocator (glibc and jemalloc both know it), as SQLite's own default does. */
static void *sq_mem_malloc(int n)
{
    return vg_malloc((size_t)n);
}

static void *sq_mem_realloc(void *p, int n)
{
    return vg_realloc(p, (size_t)n);
}

static int sq_mem_size(void *p)
{
    return p ? (int)malloc_usable_size(p) : 0;
}

static int sq_mem_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_mem_init(void *arg)
{
    (void)arg;
    return SQLITE_OK;
}

static void sq_mem_shutdown(void *arg)
{
    (void)arg;
}

/* Process-wide SQLite settings, before SQLite initialises itself (sqlite3_config refuses them
 * afterwards; a program that used SQLite before opening a store keeps SQLite's defaults): the
 * allocator above, and no memory statistics, which otherwise take a global mutex on every
 * allocation. */
static void configure_once(void)
{
    static const struct sqlite3_mem_methods mem = {
        sq_mem_malloc,  free,        sq_mem_realloc,  sq_mem_size,
        sq_mem_roundup, sq_mem_init, sq_mem_shutdown, NULL,
    };
    sqlite3_config(SQLITE_CONFIG_MALLOC, &mem);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Fills d with what opening or setting up the database at path failed on: SQLite's message,
 * and the system's reason when there is one ("unable to open database file" alone does not
 * tell a missing folder from a read-only file system). The write-ahead log keeps two files
 * beside the database (-wal, -shm), so its folder must be writable too: said when it is not. */
static void open_error(sqlite3 *db, struct vg_diag *d, const char *what, const char *path)
{
    int err = sqlite3_system_errno(db);
    char dir[4096];
    const char *why = "";
    int derr = 0;
    if (vg_str_copy(vg_str_c(path), dir, sizeof dir) == 0) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (access(dir, W_OK) != 0 && errno != ENOENT) {
            derr = errno;
            why = strcmp(what, "cannot open database") == 0
                      ? "; its folder is not writable: "
                      : "; its folder, where the -wal and -shm files go, is not writable: ";
        }
    }
    if (derr) /* the system's reason then is that of a file in that folder */
        err = 0;
    vg_diag_set(d, VG_EIO, "db", "%s %s: %s%s%s%s%s%s", what, path, sqlite3_errmsg(db),
                err ? " (" : "", err ? strerror(err) : "", err ? ")" : "", why,
                derr ? strerror(derr) : "");
}

struct vg_store *vg_store_sqlite_open(const char *path, bool bulk, struct vg_diag *d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    struct sq *s = vg_calloc(1, sizeof *s);
    if (!s) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    s->ind_gen_seen = -1;
    s->adv_data_version = -1;
    s->base.ops = &sqlite_ops;
    make_parent(path);
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        if (s->db)
            open_error(s->db, d, "cannot open database", path);
        else
            vg_diag_set(d, VG_ENOMEM, "db", "cannot open database %s: out of memory", path);
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    /* SQLite opens a file it may not write read-only, without a word: every write would
     * then fail with "attempt to write a readonly database", saying neither which file nor
     * why. vigie writes (migrations, imports, the server), so the file must be writable. */
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        int err = access(path, W_OK) != 0 ? errno : 0;
        vg_diag_set(d, VG_EIO, "db", "cannot open database %s for writing: %s", path,
                    err ? strerror(err) : "SQLite opened it read-only");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    s->busy_ms = SQ_BUSY_MS;
    sqlite3_busy_timeout(s->db, s->busy_ms);
    if (sq_exec(s, "PRAGMA journal_mode = WAL") || sq_exec(s, "PRAGMA synchronous = NORMAL") ||
        sq_exec(s, "PRAGMA foreign_keys = ON") ||
        /* 16 MiB of page cache: measured, a 256 MiB cache cost more per commit than it saved
         * in reads (the OS page cache holds the file anyway). Batch commands 64 MiB: a share
         * import of 1,000,000 indicators in chunks of 100,000 dirties most of the (type,
         * value) index each chunk, and spilling it mid-transaction cost 1.5 s of CPU */
        sq_exec(s, bulk ? "PRAGMA cache_size = -65536" : "PRAGMA cache_size = -16384") ||
        /* pages of the database file read through a mapping, without a pread each; not
         * for batch commands, where mapping the pages costs more than reading them */
        sq_exec(s, bulk ? "PRAGMA mmap_size = 0" : "PRAGMA mmap_size = 1073741824") ||
        /* checkpoint every ~40 MiB of WAL: hot pages are then copied back once per many
         * transactions rather than every few */
        sq_exec(s, "PRAGMA wal_autocheckpoint = 10000") ||
        /* savepoints (group commit) keep their sub-journals in memory, not in temp files */
        sq_exec(s, "PRAGMA temp_store = MEMORY")) {
        open_error(s->db, d, "cannot set up database", path);
        sq_close(&s->base);
        return NULL;
    }
    return &s->base;
}
