/* PostgreSQL backend: the queue of public reports held over the intake's global cap
 * (store/report.h).
 *
 * The cap must hold with several servers on one database: SQLite serialises writers, so its
 * count-then-insert cannot overshoot; here two servers could both count max - 1 and both
 * insert. queue_add therefore first takes a transaction-level advisory lock
 * (PG_REPORT_QUEUE_LOCK), held to the end of the caller's transaction: the adders of all
 * servers take turns, each counting what the one before committed, while removals and
 * listings go on (a removal only makes room). An advisory lock rather than LOCK TABLE:
 * autovacuum's lock would conflict with a table lock. */
#include "store/pg_int.h"

#include "util/time.h"

static int pg_queue_add(struct vg_store *st, const json_t *report, const char *client,
                        long long max, long long *id, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (pg_begin(p))
        return pg_error(p, d);
    PGresult *r = pg_run(p, "SELECT pg_advisory_xact_lock(" PG_REPORT_QUEUE_LOCK ")", NULL);
    if (!r)
        return pg_fail(p, d);
    PQclear(r);
    r = pg_run(p, "SELECT count(*) FROM report_queue", NULL);
    if (!r)
        return pg_fail(p, d);
    long long n = pg_get_int(r, 0, 0);
    PQclear(r);
    if (n >= max) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ETOOBIG, "", "the queue of held reports is full (%lld)", max);
    }
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, now);
    pg_param_text(&pp, client);
    pg_param_json(&pp, report);
    r = pg_run(p,
               "INSERT INTO report_queue(received, client, report) VALUES ($1, $2, $3) "
               "RETURNING id",
               &pp);
    pg_params_free(&pp);
    if (!r)
        return pg_fail(p, d);
    long long got = pg_get_int(r, 0, 0);
    PQclear(r);
    if (pg_commit(p))
        return pg_fail(p, d);
    if (id)
        *id = got;
    return 0;
}

static json_t *queue_row(const PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)pg_get_int(r, i, 0), "received",
                     pg_get_text(r, i, 1), "client", pg_get_text(r, i, 2), "report",
                     pg_get_json(r, i, 3));
}

static int pg_queue_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                         struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_int(&pp, (long long)page->limit + 1);
    PGresult *r = pg_run(p,
                         "SELECT id, received, client, report FROM report_queue "
                         "WHERE id > $1 ORDER BY id LIMIT $2",
                         &pp);
    if (!r)
        return pg_error(p, d);
    *out = pg_page(r, page->limit, queue_row);
    PQclear(r);
    return *out ? 0 : VG_ENOMEM;
}

static int pg_queue_get(struct vg_store *st, long long id, json_t **out)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r =
        pg_run(p, "SELECT id, received, client, report FROM report_queue WHERE id = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *out = queue_row(r, 0);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

static int pg_queue_remove(struct vg_store *st, long long id, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    long long n = 0;
    int rc = pg_write(p, "DELETE FROM report_queue WHERE id = $1", &pp, &n, NULL, d);
    if (rc)
        return rc;
    return n ? 0 : vg_diag_set(d, VG_ENOENT, "id", "no held report %lld", id);
}

const struct vg_store_report_ops pg_report_ops = {
    .queue_add = pg_queue_add,
    .queue_list = pg_queue_list,
    .queue_get = pg_queue_get,
    .queue_remove = pg_queue_remove,
};
