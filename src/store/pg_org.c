/* PostgreSQL backend: organisations (store/org.h), the port of sqlite_users.c's organisation
 * part. The products of an organisation (org_product) and their name keys are written by the
 * schema's trigger itself (docs/PGSCHEMA.md): no C pass after a write, unlike SQLite's
 * sq_org_product_keys. No cache: every read goes to the database, so several servers on one
 * database see each other's writes at once. */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "core/model.h"
#include "util/json.h"
#include "util/time.h"

#define ORG_COLUMNS "id, name, kind, sector, assets, contacts, created, updated"

static json_t *org_row(const PGresult *r, int i)
{
    const char *kind = pg_get_text(r, i, 2);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)pg_get_int(r, i, 0), "name",
                          pg_get_text(r, i, 1), "kind", kind, "sector", pg_get_text(r, i, 3));
    json_object_set_new(o, "eligible", json_boolean(vg_org_kind_eligible(kind)));
    json_object_set_new(o, "assets", pg_get_json(r, i, 4));
    json_object_set_new(o, "contacts", pg_get_json(r, i, 5));
    json_object_set_new(o, "created", json_string(pg_get_text(r, i, 6)));
    json_object_set_new(o, "updated", json_string(pg_get_text(r, i, 7)));
    return o;
}

static int pg_org_get(struct vg_store *st, long long id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, "SELECT " ORG_COLUMNS " FROM org WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *out = org_row(r, 0);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

/* Refuses domain i of organisation id when another organisation claims it already (as
 * sqlite_users.c domain_claimed). 0, VG_EEXIST with d naming the field and the owner, or
 * VG_EIO (failure kept for pg_error). */
static int domain_claimed(struct pg *p, long long id, const char *domain, size_t i,
                          struct vg_diag *d)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, domain);
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT org.id, org.name FROM org_domain JOIN org "
                         "ON org.id = org_domain.org_id "
                         "WHERE org_domain.domain = $1 AND org_domain.org_id <> $2 "
                         "ORDER BY org.id LIMIT 1",
                         &pp);
    if (!r)
        return VG_EIO;
    int rc = 0;
    if (PQntuples(r) == 1) {
        char field[64];
        snprintf(field, sizeof field, "/assets/domains/%zu", i);
        rc = vg_diag_set(d, VG_EEXIST, field,
                         "%s: '%s' is claimed by organisation %lld (%s); a domain has one owner "
                         "(a subdomain of it may be claimed, and wins attribution)",
                         field, domain, pg_get_int(r, 0, 0), pg_get_text(r, 0, 1));
    }
    PQclear(r);
    return rc;
}

static int set_org_domains(struct pg *p, long long id, const json_t *assets, struct vg_diag *d)
{
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p, "DELETE FROM org_domain WHERE org_id = $1", &pp);
    if (!r)
        return VG_EIO;
    PQclear(r);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(assets, "domains"), i, v) {
        int rc = domain_claimed(p, id, json_string_value(v), i, d);
        if (rc)
            return rc;
        struct pg_params q = {0};
        pg_param_int(&q, id);
        pg_param_text(&q, json_string_value(v));
        r = pg_run(p,
                   "INSERT INTO org_domain(org_id, domain) VALUES ($1, $2) "
                   "ON CONFLICT DO NOTHING",
                   &q);
        if (!r)
            return VG_EIO;
        PQclear(r);
    }
    return 0;
}

/* The write failed: a name another organisation holds is VG_EEXIST "name" (the unique index
 * org_name on vg_nocase(name), as SQLite's NOCASE one); anything else pg_error's. The write is
 * rolled back. */
static int org_write_failed(struct pg *p, struct vg_diag *d)
{
    if (p->err.code == VG_EEXIST) {
        pg_rollback(p);
        return vg_diag_set(d, VG_EEXIST, "name", "an organisation of that name exists");
    }
    return pg_fail(p, d);
}

/* Name, kind, sector, assets, contacts of o as parameters $1 to $5. */
static void org_params(struct pg_params *pp, const json_t *o)
{
    pg_param_text(pp, vg_json_str(o, "name"));
    pg_param_text(pp, vg_json_str(o, "kind"));
    pg_param_text(pp, vg_json_str(o, "sector"));
    pg_param_json(pp, json_object_get(o, "assets"));
    pg_param_json(pp, json_object_get(o, "contacts"));
}

static int pg_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                         json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    org_params(&pp, org);
    pg_param_text(&pp, now);
    PGresult *r = pg_run(p,
                         "INSERT INTO org(name, kind, sector, assets, contacts, created, updated) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                         &pp);
    pg_params_free(&pp);
    if (!r)
        return org_write_failed(p, d);
    long long id = pg_get_int(r, 0, 0);
    PQclear(r);
    int rc = set_org_domains(p, id, json_object_get(org, "assets"), d);
    if (rc == VG_EEXIST) {
        pg_rollback(p);
        return rc;
    }
    char obj[48];
    snprintf(obj, sizeof obj, "org:%lld", id);
    if (rc || pg_audit(p, who, "org.create", obj, org) || pg_commit(p))
        return pg_fail(p, d);
    return pg_org_get(st, id, out);
}

static int pg_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                         const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    /* the row locked for the read-modify-write: two servers patching one organisation at once
     * each apply their patch to the other's result, as SQLite's single writer does */
    struct pg_params q = {0};
    pg_param_int(&q, id);
    PGresult *r = pg_run(p, "SELECT " ORG_COLUMNS " FROM org WHERE id = $1 FOR UPDATE", &q);
    if (!r)
        return pg_fail(p, d);
    if (PQntuples(r) != 1) {
        PQclear(r);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "id", "no organisation %lld", id);
    }
    json_t *cur = org_row(r, 0);
    PQclear(r);
    if (!cur) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    json_object_update(cur, (json_t *)patch);
    struct pg_params pp = {0};
    org_params(&pp, cur);
    pg_param_text(&pp, now);
    pg_param_int(&pp, id);
    r = pg_run(p,
               "UPDATE org SET name = $1, kind = $2, sector = $3, assets = $4, contacts = $5, "
               "updated = $6 WHERE id = $7",
               &pp);
    pg_params_free(&pp);
    if (!r) {
        json_decref(cur);
        return org_write_failed(p, d);
    }
    PQclear(r);
    int rc = 0;
    if (json_object_get(patch, "assets") &&
        (rc = set_org_domains(p, id, json_object_get(cur, "assets"), d)) == VG_EEXIST) {
        pg_rollback(p);
        json_decref(cur);
        return rc;
    }
    json_decref(cur);
    char obj[48];
    snprintf(obj, sizeof obj, "org:%lld", id);
    if (rc || pg_audit(p, who, "org.update", obj, patch) || pg_commit(p))
        return pg_fail(p, d);
    return pg_org_get(st, id, out);
}

static int pg_org_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                       json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_int(&pp, page->limit + 1);
    pg_param_text(&pp, vg_json_str(filters, "name"));
    pg_param_text(&pp, vg_json_str(filters, "kind"));
    pg_param_text(&pp, vg_json_str(filters, "sector"));
    /* a part of the name in any case of ASCII letters: vg_nocase folds A-Z only, as SQLite's
     * lower() does (PostgreSQL's lower() follows the locale) */
    PGresult *r = pg_run(p,
                         "SELECT " ORG_COLUMNS " FROM org WHERE id > $1 "
                         "AND ($3::text IS NULL OR strpos(vg_nocase(name), vg_nocase($3)) > 0) "
                         "AND ($4::text IS NULL OR kind = $4) "
                         "AND ($5::text IS NULL OR sector = $5) ORDER BY id LIMIT $2",
                         &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, org_row);
    PQclear(r);
    return 0;
}

static int pg_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out)
{
    struct pg *p = pg_of(st);
    /* the domain itself, then each parent with at least two labels */
    for (const char *c = domain; c && strchr(c, '.');
         c = strchr(c, '.') ? strchr(c, '.') + 1 : NULL) {
        struct pg_params pp = {0};
        pg_param_text(&pp, c);
        PGresult *r = pg_run(p,
                             "SELECT org_id FROM org_domain WHERE domain = $1 "
                             "ORDER BY org_id LIMIT 1",
                             &pp);
        if (!r)
            return VG_EIO;
        long long id = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
        PQclear(r);
        if (id)
            return pg_org_get(st, id, out);
    }
    return VG_ENOENT;
}

const struct vg_store_org_ops pg_org_ops = {
    .org_create = pg_org_create,
    .org_get = pg_org_get,
    .org_list = pg_org_list,
    .org_update = pg_org_update,
    .org_find_by_domain = pg_org_find_by_domain,
};
