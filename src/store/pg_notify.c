/* PostgreSQL backend of store/notify.h, as sqlite_notify.c: the organisations whose digest has
 * something new, and the detection alerts the mail round has not handled (alert.mailed). */
#include "store/pg_int.h"

/* The rows of r into *out, a new array, through row(); 0 or VG_ENOMEM (d set). Clears r. */
static int rows(PGresult *r, json_t *(*row)(const PGresult *r, int i), json_t **out,
                struct vg_diag *d)
{
    json_t *a = json_array();
    bool oom = !a;
    for (int i = 0; !oom && i < PQntuples(r); i++)
        oom = json_array_append_new(a, row(r, i)) != 0;
    PQclear(r);
    *out = NULL;
    if (oom) {
        json_decref(a);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    *out = a;
    return 0;
}

static json_t *pending_row(const PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:o}", "org", (json_int_t)pg_get_int(r, i, 0), "name",
                     pg_get_text(r, i, 1), "last", pg_get_null(r, i, 2));
}

static int pg_digest_pending(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    /* finding(org_id, ...) is indexed by its UNIQUE constraint: one probe per organisation */
    PGresult *r = pg_run(p,
                         "SELECT o.id, o.name, g.at FROM org o "
                         "LEFT JOIN digest g ON g.org_id = o.id "
                         "WHERE EXISTS (SELECT 1 FROM finding f WHERE f.org_id = o.id "
                         "AND f.id > coalesce(g.last_id, 0)) ORDER BY o.id",
                         NULL);
    if (!r)
        return pg_error(p, d);
    return rows(r, pending_row, out, d);
}

static json_t *alert_row(const PGresult *r, int i)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:{s:I,s:s,s:s,s:s}}", "id",
                     (json_int_t)pg_get_int(r, i, 0), "org", (json_int_t)pg_get_int(r, i, 1), "day",
                     pg_get_text(r, i, 2), "first_seen", pg_get_text(r, i, 3), "last_seen",
                     pg_get_text(r, i, 4), "count", (json_int_t)pg_get_int(r, i, 5), "indicator",
                     "id", (json_int_t)pg_get_int(r, i, 6), "type", pg_get_text(r, i, 7), "value",
                     pg_get_text(r, i, 8), "tlp", pg_get_text(r, i, 9));
}

static int pg_alerts_unmailed(struct vg_store *st, int limit, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    /* SQLite's LIMIT with a negative value means no limit; PostgreSQL refuses one */
    if (limit < 0)
        pg_param_text(&pp, NULL);
    else
        pg_param_int(&pp, limit);
    PGresult *r = pg_run(p,
                         "SELECT a.id, a.org_id, a.day, a.first_seen, a.last_seen, "
                         "a.count, i.id, i.type, i.value, i.tlp FROM alert a "
                         "JOIN indicator i ON i.id = a.indicator_id "
                         "WHERE a.mailed = 0 AND a.org_id IS NOT NULL "
                         "ORDER BY a.org_id, a.id LIMIT $1::bigint",
                         &pp);
    if (!r)
        return pg_error(p, d);
    return rows(r, alert_row, out, d);
}

static int pg_alert_mailed(struct vg_store *st, long long id, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    long long n = 0;
    int rc = pg_write(p, "UPDATE alert SET mailed = 1 WHERE id = $1", &pp, &n, NULL, d);
    if (rc)
        return rc;
    return n ? 0 : vg_diag_set(d, VG_ENOENT, "alert", "no alert %lld", id);
}

const struct vg_store_notify_ops pg_notify_ops = {
    .digest_pending = pg_digest_pending,
    .alerts_unmailed = pg_alerts_unmailed,
    .alert_mailed = pg_alert_mailed,
};
