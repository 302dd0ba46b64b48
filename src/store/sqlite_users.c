/* SQLite backend: users and API tokens, organisations and their domains, the intake log
 * and the audit log. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/product.h"
#include "core/rsit.h"
#include "util/json.h"
#include "util/time.h"

/* ---- users and tokens ---- */

int sq_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                   struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO user(name, role, created) VALUES (?,?,?) "
                                 "ON CONFLICT(name) DO NOTHING");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, name);
    sq_bind_text(q, 2, role);
    sq_bind_text(q, 3, now);
    if (sq_step_done(s, q))
        return sq_db_error(s, d);
    q = sq_prep(s, "SELECT id FROM user WHERE name = ?");
    sq_bind_text(q, 1, name);
    int rc = sqlite3_step(q) == SQLITE_ROW ? 0 : VG_EIO;
    if (rc == 0 && id)
        *id = sqlite3_column_int64(q, 0);
    sq_done(s, q);
    return rc ? sq_db_error(s, d) : 0;
}

int sq_user_set_password(struct vg_store *st, const char *name, const char *hash, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "UPDATE user SET password_hash = ? WHERE name = ?");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, hash);
    sq_bind_text(q, 2, name);
    if (sq_step_done(s, q))
        return sq_db_error(s, d);
    return sqlite3_changes(s->db) ? 0 : vg_diag_set(d, VG_ENOENT, "name", "no such user");
}

static json_t *user_row(sqlite3_stmt *q, bool with_hash)
{
    json_t *u = json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)sqlite3_column_int64(q, 0),
                          "name", sq_col_text(q, 1), "role", sq_col_text(q, 2), "created",
                          sq_col_text(q, 4), "disabled", sqlite3_column_int(q, 5));
    if (u && with_hash && json_object_set_new(u, "password_hash", sq_col_null(q, 3)) != 0) {
        json_decref(u); /* without its hash the user could not log in: out of memory instead */
        u = NULL;
    }
    return u;
}

int sq_user_get(struct vg_store *st, const char *name, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, name, role, password_hash, created, disabled "
                                 "FROM user WHERE name = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, name);
    int step = sqlite3_step(q), rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    if (step == SQLITE_ROW) {
        *out = user_row(q, true);
        rc = *out ? 0 : VG_ENOMEM;
    }
    sq_done(s, q);
    return rc;
}

int sq_user_list(struct vg_store *st, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, name, role, password_hash, created, disabled "
                                 "FROM user ORDER BY id");
    if (!q)
        return VG_EIO;
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, user_row(q, false));
    sq_done(s, q);
    *out = arr;
    return 0;
}

int sq_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                 const char *label, const char *kind, const char *expires, long long *id,
                 struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO token(user_id, hash, label, created, kind, expires) "
                                 "VALUES (?,?,?,?,?,?)");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, user_id);
    sqlite3_bind_blob(q, 2, hash, 32, SQLITE_TRANSIENT);
    sq_bind_text(q, 3, label ? label : "");
    sq_bind_text(q, 4, now);
    sq_bind_text(q, 5, kind ? kind : "api");
    if (expires)
        sq_bind_text(q, 6, expires);
    else
        sqlite3_bind_null(q, 6);
    if (sq_step_done(s, q))
        return sq_db_error(s, d);
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

/* Every request checks its token: valid ones are cached on the connection (see struct sq),
 * so that a request costs one PRAGMA instead of a join of two tables. A revoked or unknown
 * token is never cached, so it is refused by the database each time. An expired one is
 * found like a valid one: the caller compares its expiry with the time. */
int sq_token_cached(struct sq *s, const unsigned char hash[32], struct vg_actor *out,
                    struct vg_token_meta *meta)
{
    sq_caches_check(s);
    if (!s->tokens.slots &&
        vg_cache_init(&s->tokens, SQ_TOKEN_SLOTS, SQ_TOKEN_PROBE, 32, sizeof(struct sq_token)))
        return VG_ENOMEM;
    const struct sq_token *known = vg_cache_get(&s->tokens, hash, 32);
    if (!known)
        return VG_ENOENT;
    *out = known->who;
    *meta = known->meta;
    return 0;
}

void sq_token_remember(struct sq *s, const unsigned char hash[32], const struct vg_actor *who,
                       const struct vg_token_meta *meta)
{
    bool added;
    struct sq_token *slot = vg_cache_put(&s->tokens, hash, 32, &added);
    if (slot) {
        slot->who = *who;
        slot->meta = *meta;
    }
}

int sq_token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                    struct vg_token_meta *meta)
{
    struct sq *s = sq_of(st);
    int rc = sq_token_cached(s, hash, out, meta);
    if (rc != VG_ENOENT)
        return rc;
    sqlite3_stmt *q = sq_prep(s, "SELECT u.id, u.name, u.role, t.id, t.kind, t.expires, "
                                 "t.last_used FROM token t JOIN user u ON u.id = t.user_id "
                                 "WHERE t.hash = ? AND t.revoked IS NULL AND u.disabled = 0");
    if (!q)
        return VG_EIO;
    sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
    int step = sqlite3_step(q);
    rc = VG_ENOENT;
    if (step == SQLITE_ROW) {
        out->user_id = sqlite3_column_int64(q, 0);
        snprintf(out->name, sizeof out->name, "%s", sq_col_text(q, 1));
        snprintf(out->role, sizeof out->role, "%s", sq_col_text(q, 2));
        meta->id = sqlite3_column_int64(q, 3);
        snprintf(meta->kind, sizeof meta->kind, "%s", sq_col_text(q, 4));
        snprintf(meta->expires, sizeof meta->expires, "%s", sq_col_text(q, 5));
        snprintf(meta->last_used, sizeof meta->last_used, "%s", sq_col_text(q, 6));
        rc = 0;
    } else if (step != SQLITE_DONE) {
        rc = VG_EIO; /* the store failed: not an unknown token (http/auth.c answers 500) */
    }
    sq_done(s, q);
    if (rc == 0)
        sq_token_remember(s, hash, out, meta);
    return rc;
}

/* One lookup per hash: on SQLite a lookup costs no round trip, and a valid token is answered
 * from the connection's cache. */
int sq_token_lookup_many(struct vg_store *st, const unsigned char (*hashes)[32], size_t n,
                         struct vg_token_found *out)
{
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].rc = sq_token_lookup(st, hashes[i], &out[i].who, &out[i].meta);
        if (out[i].rc != 0 && out[i].rc != VG_ENOENT)
            return VG_EIO;
    }
    return 0;
}

int sq_token_list(struct vg_store *st, long long user_id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT id, label, created, revoked, kind, expires, last_used "
                                 "FROM token WHERE user_id = ? ORDER BY id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, user_id);
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o}", "id",
                                             (json_int_t)sqlite3_column_int64(q, 0), "label",
                                             sq_col_text(q, 1), "kind", sq_col_text(q, 4),
                                             "created", sq_col_text(q, 2), "expires",
                                             sq_col_null(q, 5), "last_used", sq_col_null(q, 6),
                                             "revoked", sq_col_null(q, 3)));
    sq_done(s, q);
    *out = arr;
    return 0;
}

int sq_token_prune(struct vg_store *st, long long user_id, const char *kind, int keep,
                   struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = sq_prep(s, "UPDATE token SET revoked = ? WHERE user_id = ? AND kind = ? "
                                 "AND revoked IS NULL AND id NOT IN (SELECT id FROM token "
                                 "WHERE user_id = ? AND kind = ? AND revoked IS NULL "
                                 "ORDER BY id DESC LIMIT ?)");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, now);
    sqlite3_bind_int64(q, 2, user_id);
    sq_bind_text(q, 3, kind);
    sqlite3_bind_int64(q, 4, user_id);
    sq_bind_text(q, 5, kind);
    sqlite3_bind_int64(q, 6, keep < 0 ? 0 : keep);
    sq_caches_drop(s);
    return sq_step_done(s, q) ? sq_db_error(s, d) : 0;
}

/* Sets a token's last use (sql: "UPDATE <table> SET last_used = ?1 WHERE id = ?2 AND
 * (last_used IS NULL OR last_used < ?3)") to when, never moving it back: a write of its own (in
 * a batch: of the batch, so that a lock held by another process is waited for once per batch,
 * as for any write). The cached tokens hold their last use: dropped, so that the next lookup
 * reads the one written (or else every request would find it older than a minute and record
 * it again). */
int sq_last_used_touch(struct vg_store *st, const char *sql, long long id, const char *when,
                       struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, sql);
    if (!q)
        goto fail;
    sq_bind_text(q, 1, when);
    sqlite3_bind_int64(q, 2, id);
    sq_bind_text(q, 3, when);
    sq_caches_drop(s);
    if (sq_step_done(s, q) || sq_commit(s))
        goto fail;
    return 0;
fail:;
    int rc = sq_db_error(s, d);
    sq_rollback(s);
    return rc;
}

int sq_token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d)
{
    return sq_last_used_touch(st,
                              "UPDATE token SET last_used = ? WHERE id = ? "
                              "AND (last_used IS NULL OR last_used < ?)",
                              id, when, d);
}

int sq_token_revoke(struct vg_store *st, long long id, long long user_id, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = sq_prep(s, "UPDATE token SET revoked = ? WHERE id = ? AND revoked IS NULL "
                                 "AND (? <= 0 OR user_id = ?)");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, now);
    sqlite3_bind_int64(q, 2, id);
    sqlite3_bind_int64(q, 3, user_id);
    sqlite3_bind_int64(q, 4, user_id);
    sq_caches_drop(s);
    if (sq_step_done(s, q))
        return sq_db_error(s, d);
    return sqlite3_changes(s->db) ? 0 : vg_diag_set(d, VG_ENOENT, "id", "no such valid token");
}

/* ---- organisations ---- */

static json_t *org_row(sqlite3_stmt *q)
{
    const char *kind = sq_col_text(q, 2);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)sqlite3_column_int64(q, 0), "name",
                          sq_col_text(q, 1), "kind", kind, "sector", sq_col_text(q, 3));
    json_object_set_new(o, "eligible", json_boolean(vg_org_kind_eligible(kind)));
    json_object_set_new(o, "assets", sq_col_json(q, 4));
    json_object_set_new(o, "contacts", sq_col_json(q, 5));
    json_object_set_new(o, "created", json_string(sq_col_text(q, 6)));
    json_object_set_new(o, "updated", json_string(sq_col_text(q, 7)));
    return o;
}

int sq_org_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = sq_of(st);
    static const char sql[] =
        "SELECT id, name, kind, sector, assets, contacts, created, updated FROM org "
        "WHERE id = ?";
    sqlite3_stmt *q = sq_prep(s, sql);
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int step = sqlite3_step(q), rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    if (step == SQLITE_ROW) {
        *out = org_row(q);
        rc = 0;
    }
    sq_done(s, q);
    return rc;
}

/* Refuses domain i of organisation id when another organisation claims it already: one
 * domain, one owner (a more specific domain, "sub.example.org" under "example.org", is another
 * claim, and wins attribution). Returns 0, VG_EEXIST with d naming the field and the owner, or
 * VG_EIO. */
static int domain_claimed(struct sq *s, long long id, const char *domain, size_t i,
                          struct vg_diag *d)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT org.id, org.name FROM org_domain JOIN org "
                                 "ON org.id = org_domain.org_id "
                                 "WHERE org_domain.domain = ? AND org_domain.org_id != ? "
                                 "ORDER BY org.id LIMIT 1");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, domain);
    sqlite3_bind_int64(q, 2, id);
    int rc = 0, step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        char field[64];
        snprintf(field, sizeof field, "/assets/domains/%zu", i);
        rc = vg_diag_set(d, VG_EEXIST, field,
                         "%s: '%s' is claimed by organisation %lld (%s); a domain has one owner "
                         "(a subdomain of it may be claimed, and wins attribution)",
                         field, domain, (long long)sqlite3_column_int64(q, 0), sq_col_text(q, 1));
    } else if (step != SQLITE_DONE) {
        rc = VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

static int set_org_domains(struct sq *s, long long id, const json_t *assets, struct vg_diag *d)
{
    sqlite3_stmt *q = sq_prep(s, "DELETE FROM org_domain WHERE org_id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    if (sq_step_done(s, q))
        return VG_EIO;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(assets, "domains"), i, v) {
        int rc = domain_claimed(s, id, json_string_value(v), i, d);
        if (rc)
            return rc;
        q = sq_prep(s, "INSERT OR IGNORE INTO org_domain(org_id, domain) VALUES (?,?)");
        if (!q)
            return VG_EIO;
        sqlite3_bind_int64(q, 1, id);
        sq_bind_text(q, 2, json_string_value(v));
        if (sq_step_done(s, q))
            return VG_EIO;
    }
    return 0;
}

int sq_org_product_keys(struct sq *s, long long org)
{
    /* the triggers (schema 5) wrote the rows with an empty key; a row whose product has no
     * key keeps '' and is matched against every CVE round, as the key rule says */
    sqlite3_stmt *q = sq_prep(s, org ? "SELECT rowid, cpe FROM org_product WHERE org_id = ?1"
                                     : "SELECT rowid, cpe FROM org_product WHERE name_key = ''");
    if (!q)
        return VG_EIO;
    if (org)
        sqlite3_bind_int64(q, 1, org);
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        char key[VG_PRODUCT_KEY_MAX + 1];
        if (vg_product_key_cpe23(sq_col_text(q, 1), key, sizeof key) < 0)
            continue;
        sqlite3_stmt *u = sq_prep(s, "UPDATE org_product SET name_key = ? WHERE rowid = ?");
        if (!u) {
            rc = VG_EIO;
            break;
        }
        sq_bind_text(u, 1, key);
        sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
        if (sq_step_done(s, u))
            rc = VG_EIO;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = VG_EIO;
    sq_done(s, q);
    return rc;
}

static int name_conflict(struct sq *s, struct vg_diag *d)
{
    if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
        return vg_diag_set(d, VG_EEXIST, "name", "an organisation of that name exists");
    return sq_db_error(s, d);
}

/* Binds name, kind, sector, assets, contacts as parameters 1 to 5. */
static void bind_org(sqlite3_stmt *q, const json_t *o)
{
    sq_bind_text(q, 1, vg_json_str(o, "name"));
    sq_bind_text(q, 2, vg_json_str(o, "kind"));
    sq_bind_text(q, 3, vg_json_str(o, "sector"));
    sq_bind_json(q, 4, json_object_get(o, "assets"));
    sq_bind_json(q, 5, json_object_get(o, "contacts"));
}

int sq_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org, json_t **out,
                  struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO org(name, kind, sector, assets, contacts, created, "
                                 "updated) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        goto fail;
    bind_org(q, org);
    sq_bind_text(q, 6, now);
    sq_bind_text(q, 7, now);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int rc = name_conflict(s, d);
        sq_done(s, q);
        sq_rollback(s);
        return rc;
    }
    sq_done(s, q);
    long long id = sqlite3_last_insert_rowid(s->db);
    char obj[48];
    snprintf(obj, sizeof obj, "org:%lld", id);
    int rc = set_org_domains(s, id, json_object_get(org, "assets"), d);
    if (rc == VG_EEXIST) {
        sq_rollback(s);
        return rc;
    }
    if (rc || sq_org_product_keys(s, id) || sq_audit(s, who, "org.create", obj, org) ||
        sq_commit(s))
        goto fail;
    return sq_org_get(st, id, out);
fail:
    vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
    sq_rollback(s);
    return VG_EIO;
}

int sq_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                  const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    json_t *cur = NULL;
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    int rc = sq_org_get(st, id, &cur);
    if (rc) {
        sq_rollback(s);
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "id", "no organisation %lld", id)
                               : sq_db_error(s, d);
    }
    json_object_update(cur, (json_t *)patch);
    sqlite3_stmt *q = sq_prep(s, "UPDATE org SET name = ?, kind = ?, sector = ?, assets = ?, "
                                 "contacts = ?, updated = ? WHERE id = ?");
    if (!q)
        goto fail;
    bind_org(q, cur);
    sq_bind_text(q, 6, now);
    sqlite3_bind_int64(q, 7, id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = name_conflict(s, d);
        sq_done(s, q);
        sq_rollback(s);
        json_decref(cur);
        return rc;
    }
    sq_done(s, q);
    char obj[48];
    snprintf(obj, sizeof obj, "org:%lld", id);
    /* the UPDATE sets assets, so the org_product trigger rewrote the rows: keys again */
    if (json_object_get(patch, "assets") &&
        (rc = set_org_domains(s, id, json_object_get(cur, "assets"), d)) == VG_EEXIST) {
        sq_rollback(s);
        json_decref(cur);
        return rc;
    }
    if (rc || sq_org_product_keys(s, id) || sq_audit(s, who, "org.update", obj, patch) ||
        sq_commit(s))
        goto fail;
    json_decref(cur);
    return sq_org_get(st, id, out);
fail:
    vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
    sq_rollback(s);
    json_decref(cur);
    return VG_EIO;
}

int sq_org_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    /* a constituency is thousands of rows: the filters ride the primary key's walk */
    static const char sql[] =
        "SELECT id, name, kind, sector, assets, contacts, created, updated FROM org "
        "WHERE id > ?1 AND (?3 IS NULL OR instr(lower(name), lower(?3)) > 0) "
        "AND (?4 IS NULL OR kind = ?4) AND (?5 IS NULL OR sector = ?5) ORDER BY id LIMIT ?2";
    sqlite3_stmt *q = sq_prep(s, sql);
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int(q, 2, page->limit + 1);
    sq_bind_text(q, 3, vg_json_str(filters, "name"));
    sq_bind_text(q, 4, vg_json_str(filters, "kind"));
    sq_bind_text(q, 5, vg_json_str(filters, "sector"));
    *out = sq_page(q, page->limit, org_row);
    sq_done(s, q);
    return 0;
}

int sq_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out)
{
    struct sq *s = sq_of(st);
    /* the domain itself, then each parent with at least two labels */
    for (const char *p = domain; p && strchr(p, '.');
         p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        sqlite3_stmt *q = sq_prep(s, "SELECT org_id FROM org_domain WHERE domain = ? "
                                     "ORDER BY org_id LIMIT 1");
        if (!q)
            return VG_EIO;
        sq_bind_text(q, 1, p);
        long long id = 0;
        if (sqlite3_step(q) == SQLITE_ROW)
            id = sqlite3_column_int64(q, 0);
        sq_done(s, q);
        if (id)
            return sq_org_get(st, id, out);
    }
    return VG_ENOENT;
}

int sq_intake_log(struct vg_store *st, const json_t *e, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO intake(at, client, decision, reporter_email, "
                                 "org_name, org_kind, incident_ref) VALUES (?,?,?,?,?,?,?)");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, now);
    sq_bind_text(q, 2, vg_json_str(e, "client"));
    sq_bind_text(q, 3, vg_json_str(e, "decision"));
    sq_bind_text(q, 4, vg_json_str(e, "reporter_email"));
    sq_bind_text(q, 5, vg_json_str(e, "org_name"));
    sq_bind_text(q, 6, vg_json_str(e, "org_kind"));
    sq_bind_text(q, 7, vg_json_str(e, "incident"));
    return sq_step_done(s, q) ? sq_db_error(s, d) : 0;
}

static json_t *audit_row(sqlite3_stmt *q)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)sqlite3_column_int64(q, 0),
                     "at", sq_col_text(q, 1), "actor", sq_col_text(q, 2), "action",
                     sq_col_text(q, 3), "object", sq_col_text(q, 4), "detail", sq_col_json(q, 5));
}

int sq_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    sqlite3_stmt *q = sq_prep(s, "SELECT id, at, actor, action, object, detail FROM audit "
                                 "WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, before);
    sqlite3_bind_int64(q, 2, before);
    sqlite3_bind_int(q, 3, page->limit + 1);
    *out = sq_page(q, page->limit, audit_row);
    sq_done(s, q);
    return 0;
}
