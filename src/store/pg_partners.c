/* PostgreSQL backend: partner CERTs and their API tokens (store/partner.h), as
 * sqlite_partners.c. A partner's token lives in partner_token, never in token: it cannot
 * authenticate as a user.
 *
 * Tokens are not cached on the connection, unlike SQLite's, for the reason pg_users.c gives:
 * several servers share the database, and a token revoked or a partner disabled (or renamed)
 * through any of them must be refused (or named anew) by every other on its next request. The
 * lookup is one round trip on the token's unique index, as cheap as the change counter a cache
 * would have to read first. */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/time.h"

/* A partner, for pg_page. */
static json_t *partner_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_partner(&w);
}

/* The partner of the one-row result r, or VG_ENOENT when it has none; r is cleared. */
static int one_partner(PGresult *r, json_t **out)
{
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        struct vg_row w = vg_row_pg(r, 0);
        *out = st_partner(&w);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

static int partner_get(struct vg_store *st, long long id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, "SELECT " ST_PARTNER_COLS " FROM partner WHERE id = $1", &pp);
    return r ? one_partner(r, out) : VG_EIO;
}

static int partner_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_int(&pp, page->limit + 1);
    PGresult *r =
        pg_run(p, "SELECT " ST_PARTNER_COLS " FROM partner WHERE id > $1 ORDER BY id LIMIT $2",
               &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, partner_row);
    PQclear(r);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* The error of a failed insert or update of a partner (the write still open): its name taken,
 * or the store's; the write is rolled back. */
static int write_failed(struct pg *p, struct vg_diag *d)
{
    if (p->err.code == VG_EEXIST) {
        pg_rollback(p);
        return vg_diag_set(d, VG_EEXIST, "/name", "/name: a partner of that name exists");
    }
    return pg_fail(p, d);
}

/* Appends name, country, networks, contacts, max_tlp, disabled as the next six parameters. */
static void param_partner(struct pg_params *pp, const json_t *p)
{
    pg_param_text(pp, vg_json_str(p, "name"));
    pg_param_text(pp, vg_json_str(p, "country"));
    pg_param_json(pp, json_object_get(p, "networks"));
    pg_param_json(pp, json_object_get(p, "contacts"));
    pg_param_text(pp, vg_json_str(p, "max_tlp"));
    pg_param_int(pp, json_is_true(json_object_get(p, "disabled")));
}

static int partner_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                          json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    param_partner(&pp, in);
    pg_param_text(&pp, now);
    pg_param_text(&pp, now);
    PGresult *r = pg_run(p,
                         "INSERT INTO partner(name, country, networks, contacts, max_tlp, "
                         "disabled, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                         "RETURNING id",
                         &pp);
    pg_params_free(&pp);
    if (!r)
        return write_failed(p, d);
    long long id = pg_get_int(r, 0, 0);
    PQclear(r);
    snprintf(obj, sizeof obj, "partner:%lld", id);
    if (pg_audit(p, who, "partner.create", obj, in) || pg_commit(p))
        return pg_fail(p, d);
    int rc = partner_get(st, id, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read partner %lld back", id) : 0;
}

static int partner_update(struct vg_store *st, const struct vg_actor *who, long long id,
                          const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    json_t *cur = NULL;
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    snprintf(obj, sizeof obj, "partner:%lld", id);
    if (pg_begin(p))
        return pg_error(p, d);
    /* locked until the commit: two servers merging patches into one partner at once apply
     * them one after the other, as SQLite's single writer does */
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r =
        pg_run(p, "SELECT " ST_PARTNER_COLS " FROM partner WHERE id = $1 FOR NO KEY UPDATE", &pp);
    if (!r)
        return pg_fail(p, d);
    int rc = one_partner(r, &cur);
    if (rc) {
        pg_rollback(p);
        return rc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "id", "no partner %lld", id)
                               : vg_diag_set(d, rc, "", "out of memory");
    }
    json_object_update(cur, (json_t *)patch);
    struct pg_params up = {0};
    param_partner(&up, cur);
    pg_param_text(&up, now);
    pg_param_int(&up, id);
    r = pg_run(p,
               "UPDATE partner SET name = $1, country = $2, networks = $3, contacts = $4, "
               "max_tlp = $5, disabled = $6, updated = $7 WHERE id = $8",
               &up);
    pg_params_free(&up);
    json_decref(cur); /* after the statement: its text parameters point into cur */
    if (!r)
        return write_failed(p, d);
    PQclear(r);
    /* no token cache to drop: every lookup reads the partner (see the top of this file) */
    if (pg_audit(p, who, "partner.update", obj, patch) || pg_commit(p))
        return pg_fail(p, d);
    rc = partner_get(st, id, out);
    return rc ? vg_diag_set(d, rc, "", "cannot read partner %lld back", id) : 0;
}

/* The failure of a write (still open) whose SQL broke no rule the contract names: rolled back,
 * and reported as the SQLite backend does (a unique key of the database, e.g. a token's hash
 * met twice, is VG_EIO there too). */
static int other_failure(struct pg *p, struct vg_diag *d)
{
    int rc = pg_fail(p, d);
    return rc == VG_EEXIST ? VG_EIO : rc;
}

static int token_add(struct vg_store *st, const struct vg_actor *who, long long partner,
                     const unsigned char hash[32], const char *label, json_t **out,
                     struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    snprintf(obj, sizeof obj, "partner:%lld", partner);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_bytes(&pp, hash, 32);
    pg_param_text(&pp, label ? label : "");
    pg_param_text(&pp, now);
    pg_param_int(&pp, partner);
    PGresult *r = pg_run(p,
                         "INSERT INTO partner_token(partner_id, hash, label, created) "
                         "SELECT id, $1, $2, $3 FROM partner WHERE id = $4 RETURNING id",
                         &pp);
    if (!r)
        return other_failure(p, d);
    int n = PQntuples(r);
    long long id = n ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    if (n == 0) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "id", "no partner %lld", partner);
    }
    json_t *detail = json_pack("{s:I,s:s}", "token", (json_int_t)id, "label", label ? label : "");
    int bad = pg_audit(p, who, "partner.token.create", obj, detail);
    json_decref(detail);
    if (bad || pg_commit(p))
        return pg_fail(p, d);
    *out = st_partner_token_new(id, label ? label : "", now);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                        struct vg_token_meta *meta)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_bytes(&pp, hash, 32);
    PGresult *r = pg_run(p,
                         "SELECT p.id, p.name, t.id, t.last_used FROM partner_token t "
                         "JOIN partner p ON p.id = t.partner_id "
                         "WHERE t.hash = $1 AND t.revoked IS NULL AND p.disabled = 0",
                         &pp);
    if (!r)
        return VG_EIO; /* the store failed: not an unknown token (http/auth.c answers 500) */
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        struct vg_row w = vg_row_pg(r, 0);
        st_partner_actor(&w, out, meta);
        rc = 0;
    }
    PQclear(r);
    return rc;
}

static int token_list(struct vg_store *st, long long partner, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, partner);
    PGresult *r = pg_run(p,
                         "SELECT id, label, created, revoked, last_used FROM partner_token "
                         "WHERE partner_id = $1 ORDER BY id",
                         &pp);
    if (!r)
        return VG_EIO;
    json_t *arr = json_array();
    for (int i = 0; arr && i < PQntuples(r); i++) {
        struct vg_row w = vg_row_pg(r, i);
        json_array_append_new(arr, st_partner_token(&w));
    }
    PQclear(r);
    *out = arr;
    return arr ? 0 : VG_ENOMEM;
}

static int token_revoke(struct vg_store *st, const struct vg_actor *who, long long partner,
                        long long id, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN], obj[48];
    vg_time_now(now);
    snprintf(obj, sizeof obj, "partner:%lld", partner);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_int(&pp, id);
    pg_param_int(&pp, partner);
    PGresult *r = pg_run(p,
                         "UPDATE partner_token SET revoked = $1 WHERE id = $2 "
                         "AND partner_id = $3 AND revoked IS NULL",
                         &pp);
    if (!r)
        return pg_fail(p, d);
    long long n = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (n == 0) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "tid", "partner %lld has no valid token %lld", partner,
                           id);
    }
    json_t *detail = json_pack("{s:I}", "token", (json_int_t)id);
    int bad = pg_audit(p, who, "partner.token.revoke", obj, detail);
    json_decref(detail);
    if (bad || pg_commit(p))
        return pg_fail(p, d);
    return 0;
}

/* As pg_users.c's token_touch: a write of its own, never moving the last use back. */
static int token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, when);
    pg_param_int(&pp, id);
    return pg_write(p,
                    "UPDATE partner_token SET last_used = $1 WHERE id = $2 "
                    "AND (last_used IS NULL OR last_used < $1)",
                    &pp, NULL, NULL, d);
}

const struct vg_store_partner_ops pg_partner_ops = {
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
