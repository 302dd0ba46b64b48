/* SQLite backend: partner CERTs and their API tokens (store/partner.h). A partner's token
 * lives in partner_token, never in token: it cannot authenticate as a user. Valid tokens share
 * the connection's token cache with the users' ones; every write here that could change what
 * a cached token means (a revocation, a partner disabled or renamed) drops it. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/time.h"

static json_t *partner_row(sqlite3_stmt *q)
{
    struct vg_row w = vg_row_sqlite(q);
    return st_partner(&w);
}

static int partner_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_PARTNER_COLS " FROM partner WHERE id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q), rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    if (step == SQLITE_ROW) {
        *out = partner_row(q);
        rc = *out ? 0 : VG_ENOMEM;
    }
    sq_done(s, q);
    return rc;
}

static int partner_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    sqlite3_stmt *q = sq_prep(s, "SELECT " ST_PARTNER_COLS " FROM partner WHERE id > ? "
                                 "ORDER BY id LIMIT ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int(q, 2, page->limit + 1);
    *out = sq_page(q, page->limit, partner_row);
    sq_done(s, q);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* The error of a failed insert or update of a partner: its name taken, or the store's. */
static int write_failed(struct sq *s, struct vg_diag *d)
{
    if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
        return vg_diag_set(d, VG_EEXIST, "/name", "/name: a partner of that name exists");
    return sq_db_error(s, d);
}

/* Binds name, country, networks, contacts, max_tlp, disabled as parameters 1 to 6. */
static void bind_partner(sqlite3_stmt *q, const json_t *p)
{
    sq_bind_text(q, 1, vg_json_str(p, "name"));
    sq_bind_text(q, 2, vg_json_str(p, "country"));
    sq_bind_json(q, 3, json_object_get(p, "networks"));
    sq_bind_json(q, 4, json_object_get(p, "contacts"));
    sq_bind_text(q, 5, vg_json_str(p, "max_tlp"));
    sqlite3_bind_int(q, 6, json_is_true(json_object_get(p, "disabled")));
}

static int partner_create(struct vg_store *st, const struct vg_actor *who, const json_t *p,
                          json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO partner(name, country, networks, contacts, "
                                 "max_tlp, disabled, created, updated) VALUES (?,?,?,?,?,?,?,?)");
    if (!q)
        return sq_fail(s, d);
    bind_partner(q, p);
    sq_bind_text(q, 7, now);
    sq_bind_text(q, 8, now);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int rc = write_failed(s, d);
        sq_done(s, q);
        sq_rollback(s);
        return rc;
    }
    sq_done(s, q);
    long long id = sqlite3_last_insert_rowid(s->db);
    snprintf(obj, sizeof obj, "partner:%lld", id);
    if (sq_audit(s, who, "partner.create", obj, p) || sq_commit(s))
        return sq_fail(s, d);
    int rc = partner_get(st, id, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read partner %lld back", id) : 0;
}

static int partner_update(struct vg_store *st, const struct vg_actor *who, long long id,
                          const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    json_t *cur = NULL;
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    snprintf(obj, sizeof obj, "partner:%lld", id);
    if (sq_begin(s))
        return sq_db_error(s, d);
    int rc = partner_get(st, id, &cur);
    if (rc) {
        sq_rollback(s);
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "id", "no partner %lld", id)
                               : sq_db_error(s, d);
    }
    json_object_update(cur, (json_t *)patch);
    sqlite3_stmt *q = sq_prep(s, "UPDATE partner SET name = ?, country = ?, networks = ?, "
                                 "contacts = ?, max_tlp = ?, disabled = ?, updated = ? "
                                 "WHERE id = ?");
    if (!q) {
        json_decref(cur);
        return sq_fail(s, d);
    }
    bind_partner(q, cur);
    sq_bind_text(q, 7, now);
    sqlite3_bind_int64(q, 8, id);
    json_decref(cur);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = write_failed(s, d);
        sq_done(s, q);
        sq_rollback(s);
        return rc;
    }
    sq_done(s, q);
    sq_caches_drop(s); /* its cached tokens name it and know it enabled */
    if (sq_audit(s, who, "partner.update", obj, patch) || sq_commit(s))
        return sq_fail(s, d);
    rc = partner_get(st, id, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read partner %lld back", id) : 0;
}

static int token_add(struct vg_store *st, const struct vg_actor *who, long long partner,
                     const unsigned char hash[32], const char *label, json_t **out,
                     struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    snprintf(obj, sizeof obj, "partner:%lld", partner);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO partner_token(partner_id, hash, label, created) "
                                 "SELECT id, ?, ?, ? FROM partner WHERE id = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_blob(q, 1, hash, 32, SQLITE_TRANSIENT);
    sq_bind_text(q, 2, label ? label : "");
    sq_bind_text(q, 3, now);
    sqlite3_bind_int64(q, 4, partner);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    if (sqlite3_changes(s->db) == 0) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "id", "no partner %lld", partner);
    }
    long long id = sqlite3_last_insert_rowid(s->db);
    json_t *detail = json_pack("{s:I,s:s}", "token", (json_int_t)id, "label", label ? label : "");
    int bad = sq_audit(s, who, "partner.token.create", obj, detail);
    json_decref(detail);
    if (bad || sq_commit(s))
        return sq_fail(s, d);
    *out = st_partner_token_new(id, label ? label : "", now);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                        struct vg_token_meta *meta)
{
    struct sq *s = sq_of(st);
    int rc = sq_token_cached(s, hash, out, meta);
    if (rc != VG_ENOENT)
        return rc;
    sqlite3_stmt *q = sq_prep(s, "SELECT p.id, p.name, t.id, t.last_used FROM partner_token t "
                                 "JOIN partner p ON p.id = t.partner_id "
                                 "WHERE t.hash = ? AND t.revoked IS NULL AND p.disabled = 0");
    if (!q)
        return VG_EIO;
    sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
    int step = sqlite3_step(q);
    rc = VG_ENOENT;
    if (step == SQLITE_ROW) {
        struct vg_row w = vg_row_sqlite(q);
        st_partner_actor(&w, out, meta);
        rc = 0;
    } else if (step != SQLITE_DONE) {
        rc = VG_EIO;
    }
    sq_done(s, q);
    if (rc == 0)
        sq_token_remember(s, hash, out, meta);
    return rc;
}

static int token_list(struct vg_store *st, long long partner, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, label, created, revoked, last_used FROM partner_token "
                                 "WHERE partner_id = ? ORDER BY id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, partner);
    json_t *arr = json_array();
    int step;
    struct vg_row w = vg_row_sqlite(q);
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, st_partner_token(&w));
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(arr);
        return VG_EIO;
    }
    *out = arr;
    return arr ? 0 : VG_ENOMEM;
}

static int token_revoke(struct vg_store *st, const struct vg_actor *who, long long partner,
                        long long id, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    snprintf(obj, sizeof obj, "partner:%lld", partner);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "UPDATE partner_token SET revoked = ? WHERE id = ? "
                                 "AND partner_id = ? AND revoked IS NULL");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, now);
    sqlite3_bind_int64(q, 2, id);
    sqlite3_bind_int64(q, 3, partner);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    if (sqlite3_changes(s->db) == 0) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "tid", "partner %lld has no valid token %lld", partner,
                           id);
    }
    sq_caches_drop(s); /* the revoked token may be cached: it must fail from now on */
    json_t *detail = json_pack("{s:I}", "token", (json_int_t)id);
    int bad = sq_audit(s, who, "partner.token.revoke", obj, detail);
    json_decref(detail);
    if (bad || sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

/* As sq_token_touch for a user's token. */
static int token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d)
{
    return sq_last_used_touch(st,
                              "UPDATE partner_token SET last_used = ? WHERE id = ? "
                              "AND (last_used IS NULL OR last_used < ?)",
                              id, when, d);
}

const struct vg_store_partner_ops sq_partner_ops = {
    .create = partner_create,
    .get = partner_get,
    .list = partner_list,
    .update = partner_update,
    .token_add = token_add,
    .token_lookup = token_lookup,
    .token_list = token_list,
    .token_revoke = token_revoke,
    .token_touch = token_touch,
};
