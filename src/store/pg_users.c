/* PostgreSQL backend: users and API tokens, the intake log and the audit log (store/user.h).
 *
 * Tokens are not cached on the connection, unlike SQLite's (sqlite_users.c): several servers
 * share the database, and a token revoked or a user disabled through any of them must be
 * refused by every other on its next request. A cache would need a check per request that
 * nothing changed (a change counter read: one round trip) or LISTEN/NOTIFY (no round trip,
 * but a notification reaches the other connections only after the revoking commit, so a
 * request in between would still pass). The lookup below is itself one round trip on the
 * token's unique index, as cheap as the counter read: it is the check (docs/STORE.md).
 * The server's batches look up all their requests' tokens in one such query at their start
 * (token_lookup_many, vg_store_token_prefetch): taken after the batch's requests arrived, its
 * answers are as fresh as each request's own lookup would be, and a write of tokens or users
 * through the connection drops them (store_user.c). */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/time.h"

static int pg_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                          struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, name);
    pg_param_text(&pp, role);
    pg_param_text(&pp, now);
    int rc = pg_write(p,
                      "INSERT INTO \"user\"(name, role, created) VALUES ($1, $2, $3) "
                      "ON CONFLICT (name) DO NOTHING",
                      &pp, NULL, NULL, d);
    if (rc)
        return rc;
    struct pg_params q = {0};
    pg_param_text(&q, name);
    PGresult *r = pg_run(p, "SELECT id FROM \"user\" WHERE name = $1", &q);
    if (!r)
        return pg_error(p, d);
    rc = PQntuples(r) == 1 ? 0
                           : vg_diag_set(d, VG_EIO, "", "database error: user %s vanished", name);
    if (rc == 0 && id)
        *id = pg_get_int(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_user_set_password(struct vg_store *st, const char *name, const char *hash,
                                struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, hash);
    pg_param_text(&pp, name);
    long long n = 0;
    int rc =
        pg_write(p, "UPDATE \"user\" SET password_hash = $1 WHERE name = $2", &pp, &n, NULL, d);
    if (rc)
        return rc;
    return n ? 0 : vg_diag_set(d, VG_ENOENT, "name", "no such user");
}

static json_t *user_row(const PGresult *r, int i, bool with_hash)
{
    json_t *u = json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)pg_get_int(r, i, 0), "name",
                          pg_get_text(r, i, 1), "role", pg_get_text(r, i, 2), "created",
                          pg_get_text(r, i, 4), "disabled", pg_get_int(r, i, 5) != 0);
    if (u && with_hash && json_object_set_new(u, "password_hash", pg_get_null(r, i, 3)) != 0) {
        json_decref(u); /* without its hash the user could not log in: out of memory instead */
        u = NULL;
    }
    return u;
}

static int pg_user_get(struct vg_store *st, const char *name, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, name);
    PGresult *r = pg_run(p,
                         "SELECT id, name, role, password_hash, created, disabled::int "
                         "FROM \"user\" WHERE name = $1",
                         &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *out = user_row(r, 0, true);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

static int pg_user_list(struct vg_store *st, json_t **out)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p,
                         "SELECT id, name, role, password_hash, created, disabled::int "
                         "FROM \"user\" ORDER BY id",
                         NULL);
    if (!r)
        return VG_EIO;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(arr, user_row(r, i, false));
    PQclear(r);
    *out = arr;
    return 0;
}

static int pg_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                        const char *label, const char *kind, const char *expires, long long *id,
                        struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_int(&pp, user_id);
    pg_param_bytes(&pp, hash, 32);
    pg_param_text(&pp, label ? label : "");
    pg_param_text(&pp, now);
    pg_param_text(&pp, kind ? kind : "api");
    pg_param_text(&pp, expires);
    long long got = 0;
    int rc = pg_write(p,
                      "INSERT INTO token(user_id, hash, label, created, kind, expires) "
                      "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                      &pp, NULL, &got, d);
    if (rc == 0 && id)
        *id = got;
    return rc;
}

static int pg_token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                           struct vg_token_meta *meta)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_bytes(&pp, hash, 32);
    PGresult *r = pg_run(p,
                         "SELECT u.id, u.name, u.role, t.id, t.kind, t.expires, t.last_used "
                         "FROM token t JOIN \"user\" u ON u.id = t.user_id "
                         "WHERE t.hash = $1 AND t.revoked IS NULL AND u.disabled::int = 0",
                         &pp);
    if (!r)
        return VG_EIO; /* the store failed: not an unknown token (http/auth.c answers 500) */
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        memset(out, 0, sizeof *out);
        out->user_id = pg_get_int(r, 0, 0);
        snprintf(out->name, sizeof out->name, "%s", pg_get_text(r, 0, 1));
        snprintf(out->role, sizeof out->role, "%s", pg_get_text(r, 0, 2));
        meta->id = pg_get_int(r, 0, 3);
        snprintf(meta->kind, sizeof meta->kind, "%s", pg_get_text(r, 0, 4));
        snprintf(meta->expires, sizeof meta->expires, "%s", pg_get_text(r, 0, 5));
        snprintf(meta->last_used, sizeof meta->last_used, "%s", pg_get_text(r, 0, 6));
        rc = 0;
    }
    PQclear(r);
    return rc;
}

/* The tokens of n hashes in one query: $1 an array of bytea, written as a text literal of
 * quoted "\\x<hex>" elements, joined to the tokens by their unique index; each row names its
 * input by its place in the array (duplicates each get theirs). */
static int pg_token_lookup_many(struct vg_store *st, const unsigned char (*hashes)[32], size_t n,
                                struct vg_token_found *out)
{
    struct pg *p = pg_of(st);
    struct vg_buf arr;
    vg_buf_init(&arr, VG_MAX_BUF);
    vg_buf_putc(&arr, '{');
    for (size_t i = 0; i < n; i++) {
        vg_buf_puts(&arr, i ? ",\"\\\\x" : "\"\\\\x");
        for (int k = 0; k < 32; k++)
            vg_buf_printf(&arr, "%02x", hashes[i][k]);
        vg_buf_putc(&arr, '"');
    }
    vg_buf_putc(&arr, '}');
    if (arr.failed) {
        vg_buf_cleanup(&arr);
        return VG_ENOMEM;
    }
    struct pg_params pp = {0};
    pg_param_text(&pp, arr.data);
    PGresult *r = pg_run(p,
                         "SELECT h.n, u.id, u.name, u.role, t.id, t.kind, t.expires, t.last_used "
                         "FROM unnest($1::bytea[]) WITH ORDINALITY AS h(hash, n) "
                         "JOIN token t ON t.hash = h.hash JOIN \"user\" u ON u.id = t.user_id "
                         "WHERE t.revoked IS NULL AND u.disabled::int = 0",
                         &pp);
    pg_params_free(&pp);
    vg_buf_cleanup(&arr);
    if (!r)
        return VG_EIO;
    for (size_t i = 0; i < n; i++)
        out[i].rc = VG_ENOENT;
    for (int row = 0; row < PQntuples(r); row++) {
        long long at = pg_get_int(r, row, 0);
        if (at < 1 || (size_t)at > n)
            continue;
        struct vg_token_found *f = &out[at - 1];
        memset(f, 0, sizeof *f);
        f->who.user_id = pg_get_int(r, row, 1);
        snprintf(f->who.name, sizeof f->who.name, "%s", pg_get_text(r, row, 2));
        snprintf(f->who.role, sizeof f->who.role, "%s", pg_get_text(r, row, 3));
        f->meta.id = pg_get_int(r, row, 4);
        snprintf(f->meta.kind, sizeof f->meta.kind, "%s", pg_get_text(r, row, 5));
        snprintf(f->meta.expires, sizeof f->meta.expires, "%s", pg_get_text(r, row, 6));
        snprintf(f->meta.last_used, sizeof f->meta.last_used, "%s", pg_get_text(r, row, 7));
        f->rc = 0;
    }
    PQclear(r);
    return 0;
}

static int pg_token_list(struct vg_store *st, long long user_id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, user_id);
    PGresult *r = pg_run(p,
                         "SELECT id, label, created, revoked, kind, expires, last_used "
                         "FROM token WHERE user_id = $1 ORDER BY id",
                         &pp);
    if (!r)
        return VG_EIO;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(arr,
                              json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o}", "id",
                                        (json_int_t)pg_get_int(r, i, 0), "label",
                                        pg_get_text(r, i, 1), "kind", pg_get_text(r, i, 4),
                                        "created", pg_get_text(r, i, 2), "expires",
                                        pg_get_null(r, i, 5), "last_used", pg_get_null(r, i, 6),
                                        "revoked", pg_get_null(r, i, 3)));
    PQclear(r);
    *out = arr;
    return 0;
}

static int pg_token_prune(struct vg_store *st, long long user_id, const char *kind, int keep,
                          struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_int(&pp, user_id);
    pg_param_text(&pp, kind);
    pg_param_int(&pp, keep < 0 ? 0 : keep);
    return pg_write(p,
                    "UPDATE token SET revoked = $1 WHERE user_id = $2 AND kind = $3 "
                    "AND revoked IS NULL AND id NOT IN (SELECT id FROM token "
                    "WHERE user_id = $2 AND kind = $3 AND revoked IS NULL "
                    "ORDER BY id DESC LIMIT $4)",
                    &pp, NULL, NULL, d);
}

static int pg_token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, when);
    pg_param_int(&pp, id);
    return pg_write(p,
                    "UPDATE token SET last_used = $1 WHERE id = $2 "
                    "AND (last_used IS NULL OR last_used < $1)",
                    &pp, NULL, NULL, d);
}

static int pg_token_revoke(struct vg_store *st, long long id, long long user_id, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_int(&pp, id);
    pg_param_int(&pp, user_id);
    long long n = 0;
    int rc = pg_write(p,
                      "UPDATE token SET revoked = $1 WHERE id = $2 AND revoked IS NULL "
                      "AND ($3::bigint <= 0 OR user_id = $3::bigint)",
                      &pp, &n, NULL, d);
    if (rc)
        return rc;
    return n ? 0 : vg_diag_set(d, VG_ENOENT, "id", "no such valid token");
}

static const char *str_of(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int pg_intake_log(struct vg_store *st, const json_t *e, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_text(&pp, str_of(e, "client"));
    pg_param_text(&pp, str_of(e, "decision"));
    pg_param_text(&pp, str_of(e, "reporter_email"));
    pg_param_text(&pp, str_of(e, "org_name"));
    pg_param_text(&pp, str_of(e, "org_kind"));
    pg_param_text(&pp, str_of(e, "incident"));
    return pg_write(p,
                    "INSERT INTO intake(at, client, decision, reporter_email, org_name, "
                    "org_kind, incident_ref) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &pp, NULL, NULL, d);
}

static json_t *audit_row(const PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)pg_get_int(r, i, 0), "at",
                     pg_get_text(r, i, 1), "actor", pg_get_text(r, i, 2), "action",
                     pg_get_text(r, i, 3), "object", pg_get_text(r, i, 4), "detail",
                     pg_get_json(r, i, 5));
}

static int pg_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                         struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long before;
    if (sq_cursor_read(page->cursor, &before, d))
        return VG_EINVAL;
    struct pg_params pp = {0};
    pg_param_int(&pp, before);
    pg_param_int(&pp, page->limit + 1);
    PGresult *r = pg_run(p,
                         "SELECT id, at, actor, action, object, detail FROM audit "
                         "WHERE ($1::bigint = 0 OR id < $1::bigint) ORDER BY id DESC LIMIT $2",
                         &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, audit_row);
    PQclear(r);
    return 0;
}

const struct vg_store_user_ops pg_user_ops = {
    .user_ensure = pg_user_ensure,
    .user_set_password = pg_user_set_password,
    .user_get = pg_user_get,
    .user_list = pg_user_list,
    .token_add = pg_token_add,
    .token_lookup = pg_token_lookup,
    .token_lookup_many = pg_token_lookup_many,
    .token_list = pg_token_list,
    .token_revoke = pg_token_revoke,
    .token_prune = pg_token_prune,
    .token_touch = pg_token_touch,
    .intake_log = pg_intake_log,
    .audit_list = pg_audit_list,
};
