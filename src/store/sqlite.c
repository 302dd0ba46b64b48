/* The SQLite backend of the store: one connection per struct vg_store, WAL journal with
 * synchronous=NORMAL (a committed transaction survives a crash of the process), foreign keys
 * on, every statement prepared once and cached, every write in a BEGIN IMMEDIATE transaction.
 * All of vigie's SQL for SQLite lives in this file. */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/playbook.h"
#include "core/rsit.h"
#include "store/schema.h"
#include "util/json.h"
#include "util/time.h"

#define CACHE_MAX 96

struct sq {
    struct vg_store base; /* must stay first */
    sqlite3 *db;
    struct {
        const char *sql;     /* the literal's address is the key */
        sqlite3_stmt *stmt;
    } cache[CACHE_MAX];
    int ncache;
    bool in_tx; /* this connection holds write_lock */
};

static struct sq *SQ(struct vg_store *st)
{
    return (struct sq *)st;
}

static int db_error(struct sq *s, struct vg_diag *d)
{
    return vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
}

/* A cached prepared statement for a string literal, reset and unbound. NULL on error. */
static sqlite3_stmt *prep(struct sq *s, const char *sql)
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

/* Statements that did not fit in the cache are finalised by done(). */
static void done(struct sq *s, sqlite3_stmt *st)
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

static int exec(struct sq *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : VG_EIO;
}

/* Writers of this process take turns on a mutex before BEGIN IMMEDIATE: SQLite's own busy
 * handler sleeps in steps of milliseconds, which would cap the server at a few hundred
 * writes per second under contention. Other processes still wait through busy_timeout. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static int begin(struct sq *s)
{
    pthread_mutex_lock(&write_lock);
    if (exec(s, "BEGIN IMMEDIATE") != 0) {
        pthread_mutex_unlock(&write_lock);
        return VG_EIO;
    }
    s->in_tx = true;
    return 0;
}

static void end_tx(struct sq *s)
{
    if (s->in_tx) {
        s->in_tx = false;
        pthread_mutex_unlock(&write_lock);
    }
}

/* On failure the transaction is still open: the caller rolls back. */
static int commit(struct sq *s)
{
    if (exec(s, "COMMIT") != 0)
        return VG_EIO;
    end_tx(s);
    return 0;
}

static void rollback(struct sq *s)
{
    if (!sqlite3_get_autocommit(s->db))
        exec(s, "ROLLBACK");
    end_tx(s);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
    char *txt = vg_json_dump(v);
    sqlite3_bind_text(st, i, txt, -1, free);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *col_str_or_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() : json_string(col_text(st, i));
}

/* Steps a statement that returns no rows; 0 or VG_EIO. */
static int step_done(struct sq *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    done(s, st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : VG_EIO;
}

static int audit(struct sq *s, const struct vg_actor *who, const char *action,
                 const char *object, const json_t *detail)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *st =
        prep(s, "INSERT INTO audit(at, actor, action, object, detail) VALUES (?,?,?,?,?)");
    if (!st)
        return VG_EIO;
    bind_text(st, 1, now);
    bind_text(st, 2, who ? who->name : "system");
    bind_text(st, 3, action);
    bind_text(st, 4, object);
    if (detail)
        bind_json(st, 5, detail);
    else
        bind_text(st, 5, "{}");
    return step_done(s, st);
}

/* ---- cursors: opaque to clients, the last id seen in hexadecimal behind a letter ---- */

static void cursor_make(long long id, char out[32])
{
    snprintf(out, 32, "c%llx", (unsigned long long)id);
}

static int cursor_read(const char *c, long long *id, struct vg_diag *d)
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

/* ---- lifecycle of the connection ---- */

static void sq_close(struct vg_store *st)
{
    struct sq *s = SQ(st);
    for (int i = 0; i < s->ncache; i++)
        sqlite3_finalize(s->cache[i].stmt);
    sqlite3_close(s->db);
    free(s);
}

static int seed_playbooks(struct sq *s)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    for (size_t i = 0; i < vg_rsit_nclasses; i++) {
        sqlite3_stmt *st =
            prep(s, "INSERT OR IGNORE INTO playbook(class, steps, updated) VALUES (?,?,?)");
        if (!st)
            return VG_EIO;
        json_t *steps = vg_playbook_default(vg_rsit_classes[i].name);
        bind_text(st, 1, vg_rsit_classes[i].name);
        bind_json(st, 2, steps);
        bind_text(st, 3, now);
        json_decref(steps);
        if (step_done(s, st))
            return VG_EIO;
    }
    return 0;
}

static int sq_migrate(struct vg_store *st, int *version, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = NULL;
    int cur = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return db_error(s, d);
    if (sqlite3_step(q) == SQLITE_ROW)
        cur = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    for (const struct vg_migration *m = vg_schema_migrations; m->version; m++) {
        if (m->version <= cur)
            continue;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
        if (begin(s) || exec(s, m->sql) || exec(s, pragma)) {
            vg_diag_set(d, VG_EIO, "", "migration %s failed: %s", m->name, sqlite3_errmsg(s->db));
            rollback(s);
            return VG_EIO;
        }
        if (commit(s)) {
            int rc = db_error(s, d);
            rollback(s);
            return rc;
        }
        cur = m->version;
    }
    if (begin(s) || seed_playbooks(s) || commit(s)) {
        rollback(s);
        return db_error(s, d);
    }
    if (version)
        *version = cur;
    return 0;
}

/* ---- users and tokens ---- */

static int sq_user_ensure(struct vg_store *st, const char *name, const char *role,
                          long long *id, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = prep(s, "INSERT INTO user(name, role, created) VALUES (?,?,?) "
                              "ON CONFLICT(name) DO NOTHING");
    if (!q)
        return db_error(s, d);
    bind_text(q, 1, name);
    bind_text(q, 2, role);
    bind_text(q, 3, now);
    if (step_done(s, q))
        return db_error(s, d);
    q = prep(s, "SELECT id FROM user WHERE name = ?");
    bind_text(q, 1, name);
    int rc = sqlite3_step(q) == SQLITE_ROW ? 0 : VG_EIO;
    if (rc == 0 && id)
        *id = sqlite3_column_int64(q, 0);
    done(s, q);
    return rc ? db_error(s, d) : 0;
}

static int sq_user_set_password(struct vg_store *st, const char *name, const char *hash,
                                struct vg_diag *d)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "UPDATE user SET password_hash = ? WHERE name = ?");
    if (!q)
        return db_error(s, d);
    bind_text(q, 1, hash);
    bind_text(q, 2, name);
    if (step_done(s, q))
        return db_error(s, d);
    return sqlite3_changes(s->db) ? 0 : vg_diag_set(d, VG_ENOENT, "name", "no such user");
}

static json_t *user_row(sqlite3_stmt *q, bool with_hash)
{
    json_t *u = json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)sqlite3_column_int64(q, 0),
                          "name", col_text(q, 1), "role", col_text(q, 2), "created",
                          col_text(q, 4), "disabled", sqlite3_column_int(q, 5));
    if (with_hash)
        json_object_set_new(u, "password_hash", col_str_or_null(q, 3));
    return u;
}

static int sq_user_get(struct vg_store *st, const char *name, json_t **out)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT id, name, role, password_hash, created, disabled "
                              "FROM user WHERE name = ?");
    if (!q)
        return VG_EIO;
    bind_text(q, 1, name);
    int rc = VG_ENOENT;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *out = user_row(q, true);
        rc = 0;
    }
    done(s, q);
    return rc;
}

static int sq_user_list(struct vg_store *st, json_t **out)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT id, name, role, password_hash, created, disabled "
                              "FROM user ORDER BY id");
    if (!q)
        return VG_EIO;
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, user_row(q, false));
    done(s, q);
    *out = arr;
    return 0;
}

static int sq_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                        const char *label, long long *id, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q =
        prep(s, "INSERT INTO token(user_id, hash, label, created) VALUES (?,?,?,?)");
    if (!q)
        return db_error(s, d);
    sqlite3_bind_int64(q, 1, user_id);
    sqlite3_bind_blob(q, 2, hash, 32, SQLITE_TRANSIENT);
    bind_text(q, 3, label ? label : "");
    bind_text(q, 4, now);
    if (step_done(s, q))
        return db_error(s, d);
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int sq_token_lookup(struct vg_store *st, const unsigned char hash[32],
                           struct vg_actor *out)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT u.id, u.name, u.role FROM token t JOIN user u "
                              "ON u.id = t.user_id WHERE t.hash = ? AND t.revoked IS NULL "
                              "AND u.disabled = 0");
    if (!q)
        return VG_EIO;
    sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
    int rc = VG_ENOENT;
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->user_id = sqlite3_column_int64(q, 0);
        snprintf(out->name, sizeof out->name, "%s", col_text(q, 1));
        snprintf(out->role, sizeof out->role, "%s", col_text(q, 2));
        rc = 0;
    }
    done(s, q);
    return rc;
}

static int sq_token_list(struct vg_store *st, long long user_id, json_t **out)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT id, label, created, revoked FROM token WHERE user_id = ? "
                              "ORDER BY id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, user_id);
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:o}", "id",
                                             (json_int_t)sqlite3_column_int64(q, 0), "label",
                                             col_text(q, 1), "created", col_text(q, 2),
                                             "revoked", col_str_or_null(q, 3)));
    done(s, q);
    *out = arr;
    return 0;
}

static int sq_token_revoke(struct vg_store *st, long long id, long long user_id,
                           struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = prep(s, "UPDATE token SET revoked = ? WHERE id = ? AND revoked IS NULL "
                              "AND (? <= 0 OR user_id = ?)");
    if (!q)
        return db_error(s, d);
    bind_text(q, 1, now);
    sqlite3_bind_int64(q, 2, id);
    sqlite3_bind_int64(q, 3, user_id);
    sqlite3_bind_int64(q, 4, user_id);
    if (step_done(s, q))
        return db_error(s, d);
    return sqlite3_changes(s->db) ? 0 : vg_diag_set(d, VG_ENOENT, "id", "no such valid token");
}

/* ---- organisations ---- */

static json_t *org_row(sqlite3_stmt *q)
{
    const char *kind = col_text(q, 2);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)sqlite3_column_int64(q, 0),
                          "name", col_text(q, 1), "kind", kind, "sector", col_text(q, 3));
    json_object_set_new(o, "eligible", json_boolean(vg_org_kind_eligible(kind)));
    json_object_set_new(o, "assets", col_json(q, 4));
    json_object_set_new(o, "contacts", col_json(q, 5));
    json_object_set_new(o, "created", json_string(col_text(q, 6)));
    json_object_set_new(o, "updated", json_string(col_text(q, 7)));
    return o;
}

static int sq_org_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = SQ(st);
    static const char sql[] =
        "SELECT id, name, kind, sector, assets, contacts, created, updated FROM org "
        "WHERE id = ?";
    sqlite3_stmt *q = prep(s, sql);
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int rc = VG_ENOENT;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *out = org_row(q);
        rc = 0;
    }
    done(s, q);
    return rc;
}

static int set_org_domains(struct sq *s, long long id, const json_t *assets)
{
    sqlite3_stmt *q = prep(s, "DELETE FROM org_domain WHERE org_id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    if (step_done(s, q))
        return VG_EIO;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(assets, "domains"), i, v) {
        q = prep(s, "INSERT OR IGNORE INTO org_domain(org_id, domain) VALUES (?,?)");
        if (!q)
            return VG_EIO;
        sqlite3_bind_int64(q, 1, id);
        bind_text(q, 2, json_string_value(v));
        if (step_done(s, q))
            return VG_EIO;
    }
    return 0;
}

static int name_conflict(struct sq *s, struct vg_diag *d)
{
    if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
        return vg_diag_set(d, VG_EEXIST, "name", "an organisation of that name exists");
    return db_error(s, d);
}

static int sq_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                         json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (begin(s))
        return db_error(s, d);
    sqlite3_stmt *q = prep(s, "INSERT INTO org(name, kind, sector, assets, contacts, created, "
                              "updated) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        goto fail;
    bind_text(q, 1, vg_json_str(org, "name"));
    bind_text(q, 2, vg_json_str(org, "kind"));
    bind_text(q, 3, vg_json_str(org, "sector"));
    bind_json(q, 4, json_object_get(org, "assets"));
    bind_json(q, 5, json_object_get(org, "contacts"));
    bind_text(q, 6, now);
    bind_text(q, 7, now);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int rc = name_conflict(s, d);
        done(s, q);
        rollback(s);
        return rc;
    }
    done(s, q);
    long long id = sqlite3_last_insert_rowid(s->db);
    char obj[48];
    snprintf(obj, sizeof obj, "org:%lld", id);
    if (set_org_domains(s, id, json_object_get(org, "assets")) ||
        audit(s, who, "org.create", obj, org) || commit(s))
        goto fail;
    return sq_org_get(st, id, out);
fail:
    vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
    rollback(s);
    return VG_EIO;
}

static int sq_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                         const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    json_t *cur = NULL;
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (begin(s))
        return db_error(s, d);
    int rc = sq_org_get(st, id, &cur);
    if (rc) {
        rollback(s);
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "id", "no organisation %lld", id)
                               : db_error(s, d);
    }
    json_object_update(cur, (json_t *)patch);
    sqlite3_stmt *q = prep(s, "UPDATE org SET name = ?, kind = ?, sector = ?, assets = ?, "
                              "contacts = ?, updated = ? WHERE id = ?");
    if (!q)
        goto fail;
    bind_text(q, 1, vg_json_str(cur, "name"));
    bind_text(q, 2, vg_json_str(cur, "kind"));
    bind_text(q, 3, vg_json_str(cur, "sector"));
    bind_json(q, 4, json_object_get(cur, "assets"));
    bind_json(q, 5, json_object_get(cur, "contacts"));
    bind_text(q, 6, now);
    sqlite3_bind_int64(q, 7, id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = name_conflict(s, d);
        done(s, q);
        rollback(s);
        json_decref(cur);
        return rc;
    }
    done(s, q);
    char obj[48];
    snprintf(obj, sizeof obj, "org:%lld", id);
    if ((json_object_get(patch, "assets") &&
         set_org_domains(s, id, json_object_get(cur, "assets"))) ||
        audit(s, who, "org.update", obj, patch) || commit(s))
        goto fail;
    json_decref(cur);
    return sq_org_get(st, id, out);
fail:
    vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
    rollback(s);
    json_decref(cur);
    return VG_EIO;
}

static int sq_org_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                       struct vg_diag *d)
{
    struct sq *s = SQ(st);
    long long after;
    if (cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    static const char sql[] =
        "SELECT id, name, kind, sector, assets, contacts, created, updated FROM org "
        "WHERE id > ? ORDER BY id LIMIT ?";
    sqlite3_stmt *q = prep(s, sql);
    if (!q)
        return db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int(q, 2, page->limit + 1);
    json_t *items = json_array();
    long long last = 0;
    bool more = false;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if ((int)json_array_size(items) == page->limit) {
            more = true;
            break;
        }
        last = sqlite3_column_int64(q, 0);
        json_array_append_new(items, org_row(q));
    }
    done(s, q);
    char cur[32];
    cursor_make(last, cur);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     more ? json_string(cur) : json_null());
    return 0;
}

static int sq_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out)
{
    struct sq *s = SQ(st);
    /* the domain itself, then each parent with at least two labels */
    for (const char *p = domain; p && strchr(p, '.'); p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        sqlite3_stmt *q = prep(s, "SELECT org_id FROM org_domain WHERE domain = ? "
                                  "ORDER BY org_id LIMIT 1");
        if (!q)
            return VG_EIO;
        bind_text(q, 1, p);
        long long id = 0;
        if (sqlite3_step(q) == SQLITE_ROW)
            id = sqlite3_column_int64(q, 0);
        done(s, q);
        if (id)
            return sq_org_get(st, id, out);
    }
    return VG_ENOENT;
}

/* ---- incidents ---- */

static const char INC_SELECT[] =
    "SELECT i.id, i.ref, i.title, i.description, i.class, i.type, i.severity, i.tlp, i.pap, "
    "i.status, i.unverified, i.org_id, o.name, i.reporter, i.assignee, i.occurred, i.created, "
    "i.updated, i.created_by FROM incident i LEFT JOIN org o ON o.id = i.org_id ";

static json_t *incident_row(sqlite3_stmt *q)
{
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "ref", col_text(q, 1), "title",
        col_text(q, 2), "description", col_text(q, 3), "class", col_text(q, 4), "type",
        col_text(q, 5), "severity", col_text(q, 6), "tlp", col_text(q, 7), "pap", col_text(q, 8),
        "status", col_text(q, 9), "unverified", sqlite3_column_int(q, 10));
    json_object_set_new(o, "org", sqlite3_column_type(q, 11) == SQLITE_NULL
                                      ? json_null()
                                      : json_integer(sqlite3_column_int64(q, 11)));
    json_object_set_new(o, "org_name", col_str_or_null(q, 12));
    json_object_set_new(o, "reporter", col_json(q, 13));
    json_object_set_new(o, "assignee", col_str_or_null(q, 14));
    json_object_set_new(o, "occurred", col_str_or_null(q, 15));
    json_object_set_new(o, "created", json_string(col_text(q, 16)));
    json_object_set_new(o, "updated", json_string(col_text(q, 17)));
    json_object_set_new(o, "created_by", json_string(col_text(q, 18)));
    return o;
}

/* Finds the row id of an incident by reference; 0 if none. */
static long long incident_id(struct sq *s, const char *ref)
{
    sqlite3_stmt *q = prep(s, "SELECT id FROM incident WHERE ref = ?");
    if (!q)
        return 0;
    bind_text(q, 1, ref);
    long long id = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    done(s, q);
    return id;
}

static int timeline_add(struct sq *s, long long inc, const struct vg_actor *who,
                        const char *action, const json_t *detail, const char *now)
{
    sqlite3_stmt *q = prep(s, "INSERT INTO timeline(incident_id, at, actor, action, detail) "
                              "VALUES (?,?,?,?,?)");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, inc);
    bind_text(q, 2, now);
    bind_text(q, 3, who->name);
    bind_text(q, 4, action);
    bind_json(q, 5, detail);
    return step_done(s, q);
}

#define KEY_MAX (VG_MAX_OBSERVABLE + 2)

/* The correlation key of an observable (see schema/001_init.sql); returns its length. */
static size_t obs_key(const struct vg_observable *o, unsigned char *k)
{
    if (o->has_ip) {
        k[0] = 'i';
        memcpy(k + 1, o->ip, 16);
        k[17] = (unsigned char)o->prefix;
        return 18;
    }
    const char *text = o->rdomain[0] ? o->rdomain : o->value;
    size_t n = strlen(text);
    k[0] = o->rdomain[0] ? 'd' : 'v';
    memcpy(k + 1, text, n);
    return n + 1;
}

static void ip_key(const unsigned char ip[16], int prefix, unsigned char k[18])
{
    k[0] = 'i';
    memcpy(k + 1, ip, 16);
    k[17] = (unsigned char)prefix;
}

/* Inserts one normalised observable {type,value}; 1 if it was already there. */
static int observable_insert(struct sq *s, long long inc, const json_t *obs, const char *now)
{
    struct vg_observable o;
    unsigned char key[KEY_MAX];
    const char *type = vg_json_str(obs, "type"), *value = vg_json_str(obs, "value");
    if (!type || !value ||
        vg_observable_parse(vg_str_c(value), vg_obs_type_parse(type), &o, NULL) != 0)
        return VG_EINVAL;
    size_t klen = obs_key(&o, key);
    sqlite3_stmt *q = prep(s, "SELECT 1 FROM observable WHERE key = ? AND incident_id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_blob(q, 1, key, (int)klen, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, inc);
    int found = sqlite3_step(q) == SQLITE_ROW;
    done(s, q);
    if (found)
        return 1;
    q = prep(s, "INSERT INTO observable(incident_id, type, value, key, created) "
                "VALUES (?,?,?,?,?)");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, inc);
    bind_text(q, 2, type);
    bind_text(q, 3, o.value);
    sqlite3_bind_blob(q, 4, key, (int)klen, SQLITE_STATIC);
    bind_text(q, 5, now);
    if (step_done(s, q))
        return VG_EIO;
    if (o.has_ip && o.prefix < 128) {
        q = prep(s, "INSERT OR IGNORE INTO cidr_prefix(prefix) VALUES (?)");
        if (!q)
            return VG_EIO;
        sqlite3_bind_int(q, 1, o.prefix);
        if (step_done(s, q))
            return VG_EIO;
    }
    return 0;
}

static int sq_incident_create(struct vg_store *st, const struct vg_actor *who,
                              const json_t *inc, json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN], key[32], ref[64];
    vg_time_now(now);
    int year = vg_time_year();
    snprintf(key, sizeof key, "incident:%d", year);
    if (begin(s))
        return db_error(s, d);
    sqlite3_stmt *q = prep(s, "INSERT INTO counter(name, value) VALUES (?, 1) "
                              "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                              "RETURNING value");
    if (!q)
        goto fail;
    bind_text(q, 1, key);
    if (sqlite3_step(q) != SQLITE_ROW) {
        done(s, q);
        goto fail;
    }
    long long n = sqlite3_column_int64(q, 0);
    done(s, q);
    snprintf(ref, sizeof ref, "%s-%d-%06lld", st->config.ref_prefix, year, n);
    q = prep(s, "INSERT INTO incident(ref, title, description, class, type, severity, tlp, pap, "
                "status, unverified, org_id, reporter, assignee, occurred, created, updated, "
                "created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        goto fail;
    bind_text(q, 1, ref);
    bind_text(q, 2, vg_json_str(inc, "title"));
    const char *desc = vg_json_str(inc, "description");
    bind_text(q, 3, desc ? desc : "");
    bind_text(q, 4, vg_json_str(inc, "class"));
    bind_text(q, 5, vg_json_str(inc, "type"));
    bind_text(q, 6, vg_json_str(inc, "severity"));
    bind_text(q, 7, vg_json_str(inc, "tlp"));
    bind_text(q, 8, vg_json_str(inc, "pap"));
    const char *status = vg_json_str(inc, "status");
    bind_text(q, 9, status ? status : "new");
    sqlite3_bind_int(q, 10, json_is_true(json_object_get(inc, "unverified")));
    json_t *org = json_object_get(inc, "org");
    if (json_is_integer(org))
        sqlite3_bind_int64(q, 11, json_integer_value(org));
    json_t *rep = json_object_get(inc, "reporter");
    if (rep)
        bind_json(q, 12, rep);
    else
        bind_text(q, 12, "{}");
    bind_text(q, 13, vg_json_str(inc, "assignee"));
    bind_text(q, 14, vg_json_str(inc, "occurred"));
    bind_text(q, 15, now);
    bind_text(q, 16, now);
    bind_text(q, 17, who->name);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int fk = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
        done(s, q);
        rollback(s);
        return fk ? vg_diag_set(d, VG_EINVAL, "/org", "/org: no such organisation")
                  : db_error(s, d);
    }
    done(s, q);
    long long id = sqlite3_last_insert_rowid(s->db);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(inc, "observables"), i, v) {
        if (observable_insert(s, id, v, now) < 0)
            goto fail;
    }
    json_t *detail = json_pack("{s:s,s:s}", "ref", ref, "status", status ? status : "new");
    int rc = timeline_add(s, id, who, "created", detail, now) ||
             audit(s, who, "incident.create", ref, detail);
    json_decref(detail);
    if (rc || commit(s))
        goto fail;
    return vg_store_incident_get(st, ref, out);
fail:
    vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
    rollback(s);
    return VG_EIO;
}

static json_t *incident_observables(struct sq *s, long long id)
{
    json_t *arr = json_array();
    sqlite3_stmt *q = prep(s, "SELECT type, value, created FROM observable WHERE incident_id = ? "
                              "ORDER BY id");
    if (!q)
        return arr;
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "type", col_text(q, 0), "value",
                                             col_text(q, 1), "created", col_text(q, 2)));
    done(s, q);
    return arr;
}

static json_t *incident_steps(struct sq *s, long long id, const char *cls)
{
    json_t *steps = NULL;
    sqlite3_stmt *q = prep(s, "SELECT steps FROM playbook WHERE class = ?");
    if (!q)
        return json_array();
    bind_text(q, 1, cls);
    if (sqlite3_step(q) == SQLITE_ROW)
        steps = col_json(q, 0);
    done(s, q);
    if (!json_is_array(steps)) {
        json_decref(steps);
        return json_array();
    }
    q = prep(s, "SELECT step_id, done, done_by, done_at FROM incident_step WHERE incident_id = ?");
    if (q)
        sqlite3_bind_int64(q, 1, id);
    json_t *state = json_object();
    while (q && sqlite3_step(q) == SQLITE_ROW)
        json_object_set_new(state, col_text(q, 0),
                            json_pack("{s:b,s:o,s:o}", "done", sqlite3_column_int(q, 1), "done_by",
                                      col_str_or_null(q, 2), "done_at", col_str_or_null(q, 3)));
    done(s, q);
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step) {
        json_t *st = json_object_get(state, vg_json_str(step, "id"));
        if (st) {
            json_object_update(step, st);
        } else {
            json_object_set_new(step, "done", json_false());
            json_object_set_new(step, "done_by", json_null());
            json_object_set_new(step, "done_at", json_null());
        }
    }
    json_decref(state);
    return steps;
}

static json_t *incident_timeline(struct sq *s, long long id)
{
    json_t *arr = json_array();
    sqlite3_stmt *q = prep(s, "SELECT at, actor, action, detail FROM timeline "
                              "WHERE incident_id = ? ORDER BY id");
    if (!q)
        return arr;
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o}", "at", col_text(q, 0), "actor",
                                             col_text(q, 1), "action", col_text(q, 2), "detail",
                                             col_json(q, 3)));
    done(s, q);
    return arr;
}

static int sq_incident_get(struct vg_store *st, const char *ref, json_t **out)
{
    struct sq *s = SQ(st);
    static const char sql[] =
        "SELECT i.id, i.ref, i.title, i.description, i.class, i.type, i.severity, i.tlp, i.pap, "
        "i.status, i.unverified, i.org_id, o.name, i.reporter, i.assignee, i.occurred, "
        "i.created, i.updated, i.created_by FROM incident i LEFT JOIN org o ON o.id = i.org_id "
        "WHERE i.ref = ?";
    sqlite3_stmt *q = prep(s, sql);
    if (!q)
        return VG_EIO;
    bind_text(q, 1, ref);
    if (sqlite3_step(q) != SQLITE_ROW) {
        done(s, q);
        return VG_ENOENT;
    }
    json_t *o = incident_row(q);
    long long id = sqlite3_column_int64(q, 0);
    done(s, q);
    json_object_set_new(o, "observables", incident_observables(s, id));
    json_object_set_new(o, "steps", incident_steps(s, id, vg_json_str(o, "class")));
    json_object_set_new(o, "timeline", incident_timeline(s, id));
    *out = o;
    return 0;
}

static int sq_incident_list(struct vg_store *st, const json_t *filters,
                            const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    long long before;
    if (cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    /* The SQL is assembled from constant fragments only; every value is a bound parameter. */
    static const struct {
        const char *key, *cond;
    } conds[] = {
        {"status", " AND i.status = ?"},     {"class", " AND i.class = ?"},
        {"org", " AND i.org_id = ?"},        {"severity", " AND i.severity = ?"},
        {"tlp", " AND i.tlp = ?"},
    };
    char sql[1024];
    size_t n = (size_t)snprintf(sql, sizeof sql, "%sWHERE (? = 0 OR i.id < ?)", INC_SELECT);
    for (size_t k = 0; k < sizeof conds / sizeof conds[0]; k++)
        if (json_object_get(filters, conds[k].key))
            n += (size_t)snprintf(sql + n, sizeof sql - n, "%s", conds[k].cond);
    snprintf(sql + n, sizeof sql - n, " ORDER BY i.id DESC LIMIT ?");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return db_error(s, d);
    int b = 1;
    sqlite3_bind_int64(q, b++, before);
    sqlite3_bind_int64(q, b++, before);
    for (size_t k = 0; k < sizeof conds / sizeof conds[0]; k++) {
        json_t *v = json_object_get(filters, conds[k].key);
        if (!v)
            continue;
        if (json_is_integer(v))
            sqlite3_bind_int64(q, b++, json_integer_value(v));
        else
            bind_text(q, b++, json_string_value(v));
    }
    sqlite3_bind_int(q, b, page->limit + 1);
    json_t *items = json_array();
    long long last = 0;
    bool more = false;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if ((int)json_array_size(items) == page->limit) {
            more = true;
            break;
        }
        last = sqlite3_column_int64(q, 0);
        json_array_append_new(items, incident_row(q));
    }
    sqlite3_finalize(q);
    char cur[32];
    cursor_make(last, cur);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     more ? json_string(cur) : json_null());
    return 0;
}

static bool user_exists(struct sq *s, const char *name)
{
    sqlite3_stmt *q = prep(s, "SELECT 1 FROM user WHERE name = ?");
    if (!q)
        return false;
    bind_text(q, 1, name);
    bool ok = sqlite3_step(q) == SQLITE_ROW;
    done(s, q);
    return ok;
}

static int sq_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                              const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *cur = NULL, *changes = NULL;
    if (begin(s))
        return db_error(s, d);
    long long id = incident_id(s, ref);
    int rc;
    if (!id) {
        rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    sqlite3_stmt *q = prep(s, "SELECT i.id, i.ref, i.title, i.description, i.class, i.type, "
                              "i.severity, i.tlp, i.pap, i.status, i.unverified, i.org_id, NULL, "
                              "i.reporter, i.assignee, i.occurred, i.created, i.updated, "
                              "i.created_by FROM incident i WHERE i.id = ?");
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        done(s, q);
        goto fail;
    }
    cur = incident_row(q);
    done(s, q);
    const char *from = vg_json_str(cur, "status"), *to = vg_json_str(patch, "status");
    if (to && strcmp(from, to) != 0 && !vg_status_can_move(from, to)) {
        char allowed[256] = "";
        size_t n = 0;
        for (const char *const *p = vg_status_next(from); *p; p++)
            n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s", n ? ", " : "", *p);
        vg_diag_set(d, VG_ECONFLICT, "/status",
                    "an incident in status '%s' cannot move to '%s'; allowed: %s", from, to,
                    allowed);
        rc = VG_ECONFLICT;
        goto out;
    }
    const char *cls = vg_json_str(patch, "class") ? vg_json_str(patch, "class")
                                                  : vg_json_str(cur, "class");
    const char *type = vg_json_str(patch, "type") ? vg_json_str(patch, "type")
                                                  : vg_json_str(cur, "type");
    if (!vg_rsit_valid(cls, type)) {
        rc = vg_diag_set(d, VG_EINVAL, "/type", "/type '%s' is not an RSIT type of class '%s'",
                         type, cls);
        goto out;
    }
    const char *assignee = vg_json_str(patch, "assignee");
    if (assignee && !user_exists(s, assignee)) {
        rc = vg_diag_set(d, VG_EINVAL, "/assignee", "/assignee: no user '%s'", assignee);
        goto out;
    }
    /* one timeline entry per changed field, with the old and new values */
    changes = json_object();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)patch, key, val) {
        json_t *old = json_object_get(cur, key);
        if (old && json_equal(old, val))
            continue;
        json_object_set_new(changes, key, json_pack("{s:O,s:O}", "from", old ? old : json_null(),
                                                    "to", val));
        json_object_set(cur, key, val);
    }
    if (json_object_size(changes) == 0) {
        rollback(s);
        json_decref(cur);
        json_decref(changes);
        return vg_store_incident_get(st, ref, out);
    }
    q = prep(s, "UPDATE incident SET title = ?, description = ?, class = ?, type = ?, "
                "severity = ?, tlp = ?, pap = ?, status = ?, unverified = ?, org_id = ?, "
                "reporter = ?, assignee = ?, occurred = ?, updated = ? WHERE id = ?");
    if (!q)
        goto fail;
    bind_text(q, 1, vg_json_str(cur, "title"));
    bind_text(q, 2, vg_json_str(cur, "description"));
    bind_text(q, 3, vg_json_str(cur, "class"));
    bind_text(q, 4, vg_json_str(cur, "type"));
    bind_text(q, 5, vg_json_str(cur, "severity"));
    bind_text(q, 6, vg_json_str(cur, "tlp"));
    bind_text(q, 7, vg_json_str(cur, "pap"));
    bind_text(q, 8, vg_json_str(cur, "status"));
    sqlite3_bind_int(q, 9, json_is_true(json_object_get(cur, "unverified")));
    json_t *org = json_object_get(cur, "org");
    if (json_is_integer(org))
        sqlite3_bind_int64(q, 10, json_integer_value(org));
    bind_json(q, 11, json_object_get(cur, "reporter"));
    bind_text(q, 12, vg_json_str(cur, "assignee"));
    bind_text(q, 13, vg_json_str(cur, "occurred"));
    bind_text(q, 14, now);
    sqlite3_bind_int64(q, 15, id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int fk = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
        done(s, q);
        if (fk) {
            rc = vg_diag_set(d, VG_EINVAL, "/org", "/org: no such organisation");
            goto out;
        }
        goto fail;
    }
    done(s, q);
    json_t *stchange = json_object_get(changes, "status");
    if (stchange && timeline_add(s, id, who, "status", stchange, now))
        goto fail;
    if (json_object_size(changes) > (stchange ? 1u : 0u)) {
        json_t *rest = json_deep_copy(changes);
        json_object_del(rest, "status");
        int bad = timeline_add(s, id, who, "update", rest, now);
        json_decref(rest);
        if (bad)
            goto fail;
    }
    if (audit(s, who, "incident.update", ref, changes) || commit(s))
        goto fail;
    json_decref(cur);
    json_decref(changes);
    return vg_store_incident_get(st, ref, out);
fail:
    rc = vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
out:
    rollback(s);
    json_decref(cur);
    json_decref(changes);
    return rc;
}

static int sq_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                            const char *text, json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (begin(s))
        return db_error(s, d);
    long long id = incident_id(s, ref);
    if (!id) {
        rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    json_t *detail = json_pack("{s:s}", "text", text);
    int rc = timeline_add(s, id, who, "note", detail, now) ||
             audit(s, who, "incident.note", ref, NULL) || commit(s);
    if (rc) {
        json_decref(detail);
        rollback(s);
        return db_error(s, d);
    }
    *out = json_pack("{s:s,s:s,s:s,s:o}", "at", now, "actor", who->name, "action", "note",
                     "detail", detail);
    return 0;
}

static int sq_incident_observable_add(struct vg_store *st, const struct vg_actor *who,
                                      const char *ref, const json_t *obs, json_t **out,
                                      struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (begin(s))
        return db_error(s, d);
    long long id = incident_id(s, ref);
    if (!id) {
        rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    int r = observable_insert(s, id, obs, now);
    if (r < 0) {
        rollback(s);
        return db_error(s, d);
    }
    if (r == 0 && (timeline_add(s, id, who, "observable", obs, now) ||
                   audit(s, who, "incident.observable", ref, obs))) {
        rollback(s);
        return db_error(s, d);
    }
    if (commit(s)) {
        rollback(s);
        return db_error(s, d);
    }
    *out = json_pack("{s:O,s:O,s:b}", "type", json_object_get(obs, "type"), "value",
                     json_object_get(obs, "value"), "created", r == 0);
    return 0;
}

static int sq_incident_step_set(struct vg_store *st, const struct vg_actor *who,
                                const char *ref, const char *step_id, bool is_done,
                                json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *inc = NULL;
    if (sq_incident_get(st, ref, &inc) != 0)
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    json_t *step = NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(inc, "steps"), i, v)
        if (strcmp(vg_json_str(v, "id"), step_id) == 0)
            step = v;
    if (!step) {
        json_decref(inc);
        return vg_diag_set(d, VG_ENOENT, "step", "the playbook of class %s has no step '%s'",
                           vg_json_str(inc, "class"), step_id);
    }
    long long id = incident_id(s, ref);
    json_decref(inc);
    if (begin(s))
        return db_error(s, d);
    sqlite3_stmt *q = prep(s, "INSERT INTO incident_step(incident_id, step_id, done, done_by, "
                              "done_at) VALUES (?,?,?,?,?) ON CONFLICT(incident_id, step_id) "
                              "DO UPDATE SET done = excluded.done, done_by = excluded.done_by, "
                              "done_at = excluded.done_at");
    if (!q) {
        rollback(s);
        return db_error(s, d);
    }
    sqlite3_bind_int64(q, 1, id);
    bind_text(q, 2, step_id);
    sqlite3_bind_int(q, 3, is_done);
    bind_text(q, 4, is_done ? who->name : NULL);
    bind_text(q, 5, is_done ? now : NULL);
    json_t *detail = json_pack("{s:s,s:b}", "step", step_id, "done", is_done);
    int rc = step_done(s, q) || timeline_add(s, id, who, "step", detail, now) ||
             audit(s, who, "incident.step", ref, detail) || commit(s);
    json_decref(detail);
    if (rc) {
        rollback(s);
        return db_error(s, d);
    }
    if (sq_incident_get(st, ref, &inc) != 0)
        return VG_EIO;
    json_array_foreach(json_object_get(inc, "steps"), i, v)
        if (strcmp(vg_json_str(v, "id"), step_id) == 0)
            *out = json_incref(v);
    json_decref(inc);
    return 0;
}

/* ---- correlation ---- */

#define RELATED_PER_QUERY 1000 /* matches read per lookup, so a common value cannot swamp us */

struct hit {
    long long incident;
    char *mine;    /* this incident's observable value */
    char *type;
    char *matched; /* the other incident's value */
};

struct hits {
    struct hit *v;
    size_t n, cap;
};

static void hits_add(struct hits *h, long long inc, const char *mine, const char *type,
                     const char *matched)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        struct hit *nv = realloc(h->v, ncap * sizeof *nv);
        if (!nv)
            return;
        h->v = nv;
        h->cap = ncap;
    }
    h->v[h->n++] = (struct hit){inc, strdup(mine), strdup(type), strdup(matched)};
}

/* Runs a lookup whose rows are (incident_id, value) and records each as a hit. */
static void collect(struct sq *s, sqlite3_stmt *q, struct hits *h, const char *mine,
                    const char *type)
{
    int n = 0;
    while (q && n++ < RELATED_PER_QUERY && sqlite3_step(q) == SQLITE_ROW)
        hits_add(h, sqlite3_column_int64(q, 0), mine, type, col_text(q, 1));
    done(s, q);
}

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->incident != y->incident)
        return x->incident < y->incident ? -1 : 1;
    int c = strcmp(x->mine, y->mine);
    return c ? c : strcmp(x->matched, y->matched);
}

struct group {
    long long incident;
    size_t first, count; /* range in the sorted hits */
    size_t distinct;     /* distinct own observables shared */
};

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->distinct != y->distinct)
        return x->distinct > y->distinct ? -1 : 1;
    return x->incident > y->incident ? -1 : x->incident < y->incident;
}

/* Runs "SELECT incident_id, value FROM observable WHERE key = ?" or, with hi, a range
 * lo < key <= hi (hi_incl) or lo < key < hi, excluding the incident itself. */
static void lookup(struct sq *s, long long self, const unsigned char *lo, size_t lolen,
                   const unsigned char *hi, size_t hilen, bool hi_incl, struct hits *h,
                   const char *mine, const char *type)
{
    sqlite3_stmt *q;
    if (!hi)
        q = prep(s, "SELECT incident_id, value FROM observable WHERE key = ? "
                    "AND incident_id <> ?");
    else if (hi_incl)
        q = prep(s, "SELECT incident_id, value FROM observable WHERE key > ? AND key <= ? "
                    "AND incident_id <> ?");
    else
        q = prep(s, "SELECT incident_id, value FROM observable WHERE key > ? AND key < ? "
                    "AND incident_id <> ?");
    if (!q)
        return;
    int b = 1;
    sqlite3_bind_blob(q, b++, lo, (int)lolen, SQLITE_STATIC);
    if (hi)
        sqlite3_bind_blob(q, b++, hi, (int)hilen, SQLITE_STATIC);
    sqlite3_bind_int64(q, b, self);
    collect(s, q, h, mine, type);
}

/* All lookups for one observable of the incident. prefixes: the CIDR lengths in use. */
static void related_lookups(struct sq *s, long long self, const struct vg_observable *o,
                            const int *prefixes, size_t nprefixes, struct hits *h)
{
    unsigned char key[KEY_MAX], hi[KEY_MAX];
    const char *type = vg_obs_type_name(o->type);
    size_t klen = obs_key(o, key);
    lookup(s, self, key, klen, NULL, 0, false, h, o->value, type);
    if (o->rdomain[0]) {
        /* subdomains: keys between "d<rev>." and "d<rev>/" ('/' follows '.') */
        memcpy(hi, key, klen);
        key[klen] = '.';
        hi[klen] = '/';
        lookup(s, self, key, klen + 1, hi, klen + 1, false, h, o->value, type);
        /* parent domains with at least two labels */
        for (const char *p = strchr(o->value, '.'); p && strchr(p + 1, '.');
             p = strchr(p + 1, '.')) {
            char rp[VG_MAX_HOSTNAME + 2];
            vg_domain_reverse(p + 1, rp, sizeof rp);
            size_t n = strlen(rp);
            key[0] = 'd';
            memcpy(key + 1, rp, n);
            lookup(s, self, key, n + 1, NULL, 0, false, h, o->value, type);
        }
    }
    if (o->has_ip) {
        static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        int minp = memcmp(o->ip, v4, 12) == 0 ? 96 : 0;
        /* CIDRs that contain this address or network: one lookup per length in use */
        for (size_t i = 0; i < nprefixes; i++) {
            int p = prefixes[i];
            if (p < minp || p >= o->prefix)
                continue;
            unsigned char net[16];
            vg_ip_mask(o->ip, p, net);
            ip_key(net, p, key);
            lookup(s, self, key, 18, NULL, 0, false, h, o->value, type);
        }
        /* addresses and networks inside this one: keys after our own, up to the last
         * address of the range with any prefix length */
        if (o->prefix < 128) {
            unsigned char last[16];
            vg_ip_last(o->ip, o->prefix, last);
            ip_key(o->ip, o->prefix, key);
            ip_key(last, 0xff, hi);
            lookup(s, self, key, 18, hi, 18, true, h, o->value, type);
        }
    }
}

static int sq_incident_related(struct vg_store *st, const char *ref, int limit, json_t **out)
{
    struct sq *s = SQ(st);
    long long self = incident_id(s, ref);
    if (!self)
        return VG_ENOENT;
    struct hits h = {0};
    int prefixes[129];
    size_t nprefixes = 0;
    sqlite3_stmt *q = prep(s, "SELECT prefix FROM cidr_prefix ORDER BY prefix");
    while (q && nprefixes < 129 && sqlite3_step(q) == SQLITE_ROW)
        prefixes[nprefixes++] = sqlite3_column_int(q, 0);
    done(s, q);
    /* read our observables first: the lookups reuse cached statements */
    q = prep(s, "SELECT type, value FROM observable WHERE incident_id = ? ORDER BY id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, self);
    struct vg_observable *mine = NULL;
    size_t nmine = 0, capmine = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (nmine == capmine) {
            capmine = capmine ? capmine * 2 : 16;
            struct vg_observable *nm = realloc(mine, capmine * sizeof *nm);
            if (!nm)
                break;
            mine = nm;
        }
        if (vg_observable_parse(vg_str_c(col_text(q, 1)), vg_obs_type_parse(col_text(q, 0)),
                                &mine[nmine], NULL) == 0)
            nmine++;
    }
    done(s, q);
    for (size_t i = 0; i < nmine; i++)
        related_lookups(s, self, &mine[i], prefixes, nprefixes, &h);
    free(mine);
    /* group by incident, drop duplicate pairs, rank by distinct own observables shared */
    if (h.n)
        qsort(h.v, h.n, sizeof *h.v, cmp_hit);
    struct group *g = calloc(h.n ? h.n : 1, sizeof *g);
    size_t ng = 0;
    for (size_t k = 0; k < h.n; k++) {
        if (k && cmp_hit(&h.v[k], &h.v[k - 1]) == 0)
            continue;
        if (!ng || g[ng - 1].incident != h.v[k].incident)
            g[ng++] = (struct group){h.v[k].incident, k, 0, 0};
        struct group *cur = &g[ng - 1];
        cur->count = k - cur->first + 1;
        if (k == cur->first || strcmp(h.v[k].mine, h.v[k - 1].mine) != 0)
            cur->distinct++;
    }
    if (ng)
        qsort(g, ng, sizeof *g, cmp_group);
    json_t *res = json_array();
    for (size_t k = 0; k < ng && (int)k < limit; k++) {
        q = prep(s, "SELECT ref, title, status, severity, tlp FROM incident WHERE id = ?");
        if (!q)
            break;
        sqlite3_bind_int64(q, 1, g[k].incident);
        if (sqlite3_step(q) == SQLITE_ROW) {
            json_t *shared = json_array();
            for (size_t j = g[k].first; j < g[k].first + g[k].count; j++) {
                if (j > g[k].first && cmp_hit(&h.v[j], &h.v[j - 1]) == 0)
                    continue;
                json_array_append_new(shared, json_pack("{s:s,s:s,s:s}", "type", h.v[j].type,
                                                        "value", h.v[j].mine, "matched",
                                                        h.v[j].matched));
            }
            json_array_append_new(
                res, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:o}", "ref", col_text(q, 0), "title",
                               col_text(q, 1), "status", col_text(q, 2), "severity",
                               col_text(q, 3), "tlp", col_text(q, 4), "count",
                               (json_int_t)g[k].distinct, "shared", shared));
        }
        done(s, q);
    }
    for (size_t k = 0; k < h.n; k++) {
        free(h.v[k].mine);
        free(h.v[k].type);
        free(h.v[k].matched);
    }
    free(h.v);
    free(g);
    *out = res;
    return 0;
}

/* ---- playbooks, intake, audit ---- */

static int sq_playbook_list(struct vg_store *st, json_t **out)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT class, steps, updated FROM playbook ORDER BY class");
    if (!q)
        return VG_EIO;
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s,s:o,s:s}", "class", col_text(q, 0), "steps",
                                             col_json(q, 1), "updated", col_text(q, 2)));
    done(s, q);
    *out = arr;
    return 0;
}

static int sq_playbook_get(struct vg_store *st, const char *cls, json_t **out)
{
    struct sq *s = SQ(st);
    sqlite3_stmt *q = prep(s, "SELECT class, steps, updated FROM playbook WHERE class = ?");
    if (!q)
        return VG_EIO;
    bind_text(q, 1, cls);
    int rc = VG_ENOENT;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *out = json_pack("{s:s,s:o,s:s}", "class", col_text(q, 0), "steps", col_json(q, 1),
                         "updated", col_text(q, 2));
        rc = 0;
    }
    done(s, q);
    return rc;
}

static int sq_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                           const json_t *steps, json_t **out, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (begin(s))
        return db_error(s, d);
    sqlite3_stmt *q = prep(s, "UPDATE playbook SET steps = ?, updated = ? WHERE class = ?");
    if (!q) {
        rollback(s);
        return db_error(s, d);
    }
    bind_json(q, 1, steps);
    bind_text(q, 2, now);
    bind_text(q, 3, cls);
    if (step_done(s, q)) {
        rollback(s);
        return db_error(s, d);
    }
    if (sqlite3_changes(s->db) == 0) {
        rollback(s);
        return vg_diag_set(d, VG_ENOENT, "class", "no playbook for class '%s'", cls);
    }
    char obj[128];
    snprintf(obj, sizeof obj, "playbook:%s", cls);
    if (audit(s, who, "playbook.update", obj, steps) || commit(s)) {
        rollback(s);
        return db_error(s, d);
    }
    return sq_playbook_get(st, cls, out);
}

static int sq_intake_log(struct vg_store *st, const json_t *e, struct vg_diag *d)
{
    struct sq *s = SQ(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = prep(s, "INSERT INTO intake(at, client, decision, reporter_email, "
                              "org_name, org_kind, incident_ref) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        return db_error(s, d);
    bind_text(q, 1, now);
    bind_text(q, 2, vg_json_str(e, "client"));
    bind_text(q, 3, vg_json_str(e, "decision"));
    bind_text(q, 4, vg_json_str(e, "reporter_email"));
    bind_text(q, 5, vg_json_str(e, "org_name"));
    bind_text(q, 6, vg_json_str(e, "org_kind"));
    bind_text(q, 7, vg_json_str(e, "incident"));
    return step_done(s, q) ? db_error(s, d) : 0;
}

static int sq_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                         struct vg_diag *d)
{
    struct sq *s = SQ(st);
    long long before;
    if (cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    sqlite3_stmt *q = prep(s, "SELECT id, at, actor, action, object, detail FROM audit "
                              "WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    if (!q)
        return db_error(s, d);
    sqlite3_bind_int64(q, 1, before);
    sqlite3_bind_int64(q, 2, before);
    sqlite3_bind_int(q, 3, page->limit + 1);
    json_t *items = json_array();
    long long last = 0;
    bool more = false;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if ((int)json_array_size(items) == page->limit) {
            more = true;
            break;
        }
        last = sqlite3_column_int64(q, 0);
        json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id",
                                               (json_int_t)last, "at", col_text(q, 1), "actor",
                                               col_text(q, 2), "action", col_text(q, 3),
                                               "object", col_text(q, 4), "detail",
                                               col_json(q, 5)));
    }
    done(s, q);
    char cur[32];
    cursor_make(last, cur);
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     more ? json_string(cur) : json_null());
    return 0;
}

static const struct vg_store_ops sqlite_ops = {
    .close = sq_close,
    .migrate = sq_migrate,
    .user_ensure = sq_user_ensure,
    .user_set_password = sq_user_set_password,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .token_add = sq_token_add,
    .token_lookup = sq_token_lookup,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .org_create = sq_org_create,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .org_update = sq_org_update,
    .org_find_by_domain = sq_org_find_by_domain,
    .incident_create = sq_incident_create,
    .incident_get = sq_incident_get,
    .incident_list = sq_incident_list,
    .incident_update = sq_incident_update,
    .incident_note = sq_incident_note,
    .incident_observable_add = sq_incident_observable_add,
    .incident_step_set = sq_incident_step_set,
    .incident_related = sq_incident_related,
    .playbook_list = sq_playbook_list,
    .playbook_get = sq_playbook_get,
    .playbook_put = sq_playbook_put,
    .intake_log = sq_intake_log,
    .audit_list = sq_audit_list,
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

struct vg_store *vg_store_sqlite_open(const char *path, struct vg_diag *d)
{
    struct sq *s = calloc(1, sizeof *s);
    if (!s) {
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        return NULL;
    }
    s->base.ops = &sqlite_ops;
    make_parent(path);
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        vg_diag_set(d, VG_EIO, "db", "cannot open database %s: %s", path,
                    s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (exec(s, "PRAGMA journal_mode = WAL") || exec(s, "PRAGMA synchronous = NORMAL") ||
        exec(s, "PRAGMA foreign_keys = ON") ||
        /* 256 MiB of page cache: the indexes of a large database stay in memory */
        exec(s, "PRAGMA cache_size = -262144") ||
        /* checkpoint every ~40 MiB of WAL: hot pages are then copied back once per many
         * transactions rather than every few */
        exec(s, "PRAGMA wal_autocheckpoint = 10000")) {
        vg_diag_set(d, VG_EIO, "db", "cannot set up database %s: %s", path,
                    sqlite3_errmsg(s->db));
        sq_close(&s->base);
        return NULL;
    }
    return &s->base;
}
