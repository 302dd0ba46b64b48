/* PostgreSQL backend: upstream advisories (store/upstream.h), as sqlite_upstream.c. The CVEs
 * and product keys of each live in upstream_cve and upstream_product, written in one statement
 * each from the record's JSON arrays.
 *
 * Several servers importing one publication at once: the row held is locked (FOR UPDATE) before
 * it is compared, and a new one is inserted with ON CONFLICT DO NOTHING; the server that finds
 * it inserted meanwhile by another reads it again, locked, and compares with it: one imports,
 * the other updates or leaves it, as one after the other on SQLite. */
#include "store/pg_int.h"

#include <stdio.h>
#include <string.h>

#include "store/row_int.h"
#include "util/json.h"
#include "util/time.h"

#define ADV_COLS                                                                                   \
    "a.id, a.ref, a.source, a.title, a.kind, a.first_date, a.last_date, a.revisions, "             \
    "a.closed_at, a.imported, a.updated, (SELECT coalesce(json_agg(c.cve ORDER BY c.cve), '[]') "  \
    "FROM upstream_cve c WHERE c.advisory_id = a.id)"

/* A row of ADV_COLS as the list gives it. */
static json_t *adv_row(const PGresult *r, int i)
{
    struct vg_row w = vg_row_pg(r, i);
    return st_upstream(&w);
}

/* Appends the columns of rec shared by the insert and the update: title, kind, first_date,
 * last_date, revisions, closed_at, document as parameters 1 to 7. */
static void param_content(struct pg_params *pp, const json_t *rec)
{
    pg_param_text(pp, vg_json_str(rec, "title"));
    pg_param_text(pp, vg_json_str(rec, "kind"));
    pg_param_text(pp, vg_json_str(rec, "first_date"));
    pg_param_text(pp, vg_json_str(rec, "last_date"));
    pg_param_int(pp, json_integer_value(json_object_get(rec, "revisions")));
    pg_param_text(pp, vg_json_str(rec, "closed_at"));
    pg_param_json(pp, json_object_get(rec, "document"));
}

static int put_lists(struct pg *p, const json_t *rec, long long id)
{
    const json_t *cves = json_object_get(rec, "cves"), *products = json_object_get(rec, "products");
    struct pg_params pc = {0};
    pg_param_json(&pc, json_is_array(cves) ? cves : NULL);
    pg_param_int(&pc, id);
    PGresult *r = pg_run(p,
                         "INSERT INTO upstream_cve(cve, advisory_id) SELECT e #>> '{}', $2 "
                         "FROM json_array_elements($1::json) e WHERE json_typeof(e) = 'string' "
                         "ON CONFLICT DO NOTHING",
                         &pc);
    pg_params_free(&pc);
    PQclear(r);
    if (!r)
        return VG_EIO;
    struct pg_params pr = {0};
    pg_param_json(&pr, json_is_array(products) ? products : NULL);
    pg_param_int(&pr, id);
    r = pg_run(p,
               "INSERT INTO upstream_product(name_key, advisory_id) SELECT e #>> '{}', $2 "
               "FROM json_array_elements($1::json) e WHERE json_typeof(e) = 'string' "
               "ON CONFLICT DO NOTHING",
               &pr);
    pg_params_free(&pr);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

/* Updates advisory id with rec and forgets its lists. 0 or VG_EIO. */
static int put_update(struct pg *p, const json_t *rec, long long id, const char *now)
{
    struct pg_params pp = {0};
    param_content(&pp, rec);
    pg_param_text(&pp, now);
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "UPDATE upstream_advisory SET title = $1, kind = $2, first_date = $3, "
                         "last_date = $4, revisions = $5, closed_at = $6, document = $7, "
                         "updated = $8 WHERE id = $9",
                         &pp);
    pg_params_free(&pp);
    PQclear(r);
    if (!r)
        return VG_EIO;
    struct pg_params pi = {0};
    pg_param_int(&pi, id);
    r = pg_run(p, "DELETE FROM upstream_cve WHERE advisory_id = $1", &pi);
    PQclear(r);
    if (!r)
        return VG_EIO;
    r = pg_run(p, "DELETE FROM upstream_product WHERE advisory_id = $1", &pi);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

/* The advisory held for (source, ref), locked: *id (0 if none), *cmp (rec against it). 0 or
 * VG_EIO. */
static int held_locked(struct pg *p, const json_t *rec, const char *source, const char *ref,
                       long long *id, int *cmp)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, source);
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p,
                         "SELECT id, coalesce(last_date, ''), revisions FROM upstream_advisory "
                         "WHERE source = $1 AND ref = $2 FOR UPDATE",
                         &pp);
    if (!r)
        return VG_EIO;
    *id = 0;
    *cmp = 1;
    if (PQntuples(r) == 1) {
        *id = pg_get_int(r, 0, 0);
        *cmp = st_upstream_compare_held(rec, pg_get_text(r, 0, 1), pg_get_int(r, 0, 2));
    }
    PQclear(r);
    return 0;
}

static int upstream_put(struct vg_store *st, const struct vg_actor *who, const json_t *rec,
                        int *result, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN], obj[VG_MAX_NAME + 16];
    vg_time_now(now);
    const char *source = vg_json_str(rec, "source"), *ref = vg_json_str(rec, "ref");
    /* source, ref, title and kind checked by vg_store_upstream_put */
    snprintf(obj, sizeof obj, "upstream:%s", ref);
    if (pg_begin(p))
        return pg_error(p, d);
    long long id = 0;
    int cmp = 1;
    bool held = false;
    for (int round = 0; round < 2 && !id; round++) {
        if (held_locked(p, rec, source, ref, &id, &cmp))
            return pg_fail(p, d);
        if (id) {
            held = true;
            break;
        }
        struct pg_params pp = {0};
        param_content(&pp, rec);
        pg_param_text(&pp, source);
        pg_param_text(&pp, ref);
        pg_param_text(&pp, now);
        pg_param_text(&pp, now);
        PGresult *r = pg_run(p,
                             "INSERT INTO upstream_advisory(title, kind, first_date, last_date, "
                             "revisions, closed_at, document, source, ref, imported, updated) "
                             "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                             "ON CONFLICT (source, ref) DO NOTHING RETURNING id",
                             &pp);
        pg_params_free(&pp);
        if (!r)
            return pg_fail(p, d);
        id = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
        PQclear(r);
        /* none: another server inserted it since the read: read it again, locked */
    }
    if (!id) {
        pg_rollback(p);
        return vg_diag_set(d, VG_EBUSY, "", "upstream advisory %s: written by another at once",
                           ref);
    }
    if (held && cmp <= 0) {
        pg_rollback(p); /* nothing written */
        *result = cmp == 0 ? VG_UPSTREAM_UNCHANGED : VG_UPSTREAM_OLDER;
        return 0;
    }
    if ((held && put_update(p, rec, id, now)) || put_lists(p, rec, id))
        return pg_fail(p, d);
    json_t *detail =
        json_pack("{s:s,s:O?}", "source", source, "revisions", json_object_get(rec, "revisions"));
    int bad = pg_audit(p, who, held ? "upstream.update" : "upstream.import", obj, detail);
    json_decref(detail);
    if (bad || pg_commit(p))
        return pg_fail(p, d);
    *result = held ? VG_UPSTREAM_UPDATED : VG_UPSTREAM_IMPORTED;
    return 0;
}

static int upstream_get(struct vg_store *st, const char *ref, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p,
                         "SELECT " ADV_COLS ", a.document, (SELECT coalesce(json_agg(u.name_key "
                         "ORDER BY u.name_key), '[]') FROM upstream_product u "
                         "WHERE u.advisory_id = a.id) FROM upstream_advisory a "
                         "WHERE a.ref = $1 ORDER BY a.id LIMIT 1",
                         &pp);
    if (!r)
        return VG_EIO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return VG_ENOENT;
    }
    json_t *a = adv_row(r, 0);
    if (a) {
        json_object_set_new(a, "document", pg_get_json(r, 0, 12));
        json_object_set_new(a, "products", pg_get_json(r, 0, 13));
    }
    PQclear(r);
    if (!a)
        return VG_ENOMEM;
    *out = a;
    return 0;
}

static int upstream_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                         json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    /* each filter is one parameter, NULL when not given; the CVE and organisation filters are
     * subqueries run once, by index; "q" folds A-Z only (vg_nocase), as SQLite's lower() */
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_text(&pp, vg_json_str(filters, "source"));
    pg_param_text(&pp, vg_json_str(filters, "cve"));
    const json_t *org = json_object_get(filters, "org");
    if (json_is_integer(org))
        pg_param_int(&pp, json_integer_value(org));
    else
        pg_param_text(&pp, NULL);
    pg_param_text(&pp, vg_json_str(filters, "q"));
    pg_param_int(&pp, page->limit + 1);
    PGresult *r =
        pg_run(p,
               "SELECT " ADV_COLS " FROM upstream_advisory a WHERE a.id > $1 "
               "AND ($2::text IS NULL OR a.source = $2::text) "
               "AND ($3::text IS NULL OR a.id IN (SELECT advisory_id FROM upstream_cve "
               "WHERE cve = $3::text)) "
               "AND ($4::bigint IS NULL OR a.id IN ("
               "SELECT u.advisory_id FROM finding f JOIN vuln v ON v.key = f.key "
               "JOIN upstream_cve u ON u.cve = v.cve WHERE f.org_id = $4::bigint "
               "UNION SELECT up.advisory_id FROM org_product p JOIN upstream_product up "
               "ON up.name_key = p.name_key WHERE p.org_id = $4::bigint AND p.name_key <> '')) "
               "AND ($5::text IS NULL OR strpos(vg_nocase(a.title), vg_nocase($5::text)) > 0 "
               "OR strpos(vg_nocase(a.ref), vg_nocase($5::text)) > 0) "
               "ORDER BY a.id LIMIT $6",
               &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, adv_row);
    PQclear(r);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* Appends to list the rows of r (org id, org name, value; ordered by org), one entry per
 * organisation {"org","name","why": why, key: [values]}. 0 or VG_ENOMEM. */
static int group_by_org(const PGresult *r, const char *why, const char *key, json_t *list)
{
    json_t *cur = NULL;
    for (int i = 0; i < PQntuples(r); i++) {
        struct vg_row w = vg_row_pg(r, i);
        if (st_upstream_group_row(list, &cur, &w, why, key))
            return VG_ENOMEM;
    }
    return 0;
}

static int upstream_constituents(struct vg_store *st, const char *ref, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *r =
        pg_run(p, "SELECT id FROM upstream_advisory WHERE ref = $1 ORDER BY id LIMIT 1", &pp);
    if (!r)
        return VG_EIO;
    long long id = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    if (!id)
        return VG_ENOENT;
    json_t *byfinding = json_array(), *byproduct = json_array();
    int rc = VG_EIO;
    struct pg_params pi = {0};
    pg_param_int(&pi, id);
    r = pg_run(p,
               "SELECT o.id, o.name, u.cve FROM upstream_cve u "
               "JOIN vuln v ON v.cve = u.cve JOIN finding f ON f.key = v.key "
               "JOIN org o ON o.id = f.org_id WHERE u.advisory_id = $1 "
               "GROUP BY o.id, u.cve ORDER BY o.id, u.cve",
               &pi);
    if (!r)
        goto out;
    rc = group_by_org(r, "finding", "cves", byfinding);
    PQclear(r);
    if (rc)
        goto out;
    rc = VG_EIO;
    r = pg_run(p,
               "SELECT o.id, o.name, p.cpe FROM upstream_product u "
               "JOIN org_product p ON p.name_key = u.name_key "
               "JOIN org o ON o.id = p.org_id WHERE u.advisory_id = $1 "
               "GROUP BY o.id, p.cpe ORDER BY o.id, p.cpe",
               &pi);
    if (!r)
        goto out;
    rc = group_by_org(r, "product", "products", byproduct);
    PQclear(r);
    if (rc)
        goto out;
    /* merged by organisation id, its finding entry first */
    json_t *all = st_upstream_merge(byfinding, byproduct);
    *out = all;
    rc = all ? 0 : VG_ENOMEM;
out:
    json_decref(byfinding);
    json_decref(byproduct);
    return rc;
}

const struct vg_store_upstream_ops pg_upstream_ops = {
    .put = upstream_put,
    .get = upstream_get,
    .list = upstream_list,
    .constituents = upstream_constituents,
};
