/* PostgreSQL backend: the incidents related to one through their observables (sqlite_corr.c's
 * lookup; the index and its queries are core's, core/corr.h). Each connection holds the index
 * and catches it up with the observable table before each lookup by reading the rows after the
 * last id it holds.
 *
 * With several servers that is only right if observables' ids become visible in increasing
 * order: an identity value is taken at the insert but shows at the commit, so a server could
 * see id 10 committed while 9 is not yet, move past 9 and never see it. pg_incidents.c
 * therefore inserts observables only under a transaction-level advisory lock
 * (PG_OBSERVABLE_LOCK), held to the commit: the writer of 10 took it after the writer of 9 had
 * committed (or rolled back), so whoever sees 10 already sees 9. The reads take no lock. (A row
 * written to the table by another program, bypassing that lock, could be missed by an index already
 * past its id until the server restarts.) */
#include "store/pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/corr.h"
#include "core/observable.h"
#include "util/buf.h"
#include "util/str.h"

#define RELATED_PER_QUERY 1000 /* matches read per lookup, so a common value cannot swamp us */

/* Rows read per catch-up query. The limit also keeps the plan an ordered scan of the primary
 * key from the last id: without it, a table whose statistics are behind (a bulk of inserts
 * since the last ANALYZE) is planned as a full scan and sort at each lookup (measured: 30x
 * slower /related on 20,000 incidents). */
#define CATCH_UP_ROWS     10000
#define STRING_OF(x)      #x
#define STRING(x)         STRING_OF(x)

static int corr_catch_up(struct pg *p)
{
    if (!p->corr) {
        p->corr = vg_corr_new();
        p->corr_last = 0;
        if (!p->corr)
            return VG_ENOMEM;
    }
    int rc = 0, n;
    do {
        struct pg_params pp = {0};
        pg_param_int(&pp, p->corr_last);
        PGresult *r = pg_run(p,
                             "SELECT id, incident_id, type, value FROM observable WHERE id > $1 "
                             "ORDER BY id LIMIT " STRING(CATCH_UP_ROWS),
                             &pp);
        if (!r)
            return VG_EIO;
        struct vg_observable o;
        n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            p->corr_last = pg_get_int(r, i, 0);
            if (vg_observable_parse(vg_str_c(pg_get_text(r, i, 3)),
                                    vg_obs_type_parse(pg_get_text(r, i, 2)), &o, NULL) == 0)
                rc = vg_corr_add(p->corr, pg_get_int(r, i, 1), &o);
        }
        PQclear(r);
    } while (rc == 0 && n == CATCH_UP_ROWS);
    if (rc) {
        vg_corr_free(p->corr);
        p->corr = NULL;
    }
    return rc;
}

struct related_rows {
    const PGresult *rows; /* id, ref, title, status, severity, tlp of the related incidents,
                           * ordered by id */
};

/* The row of incident inc for sq_related_fill, found among the rows read at once. */
static int related_row(void *ctx, long long inc, const char *cols[5])
{
    const struct related_rows *rr = ctx;
    int lo = 0, hi = rr->rows ? PQntuples(rr->rows) - 1 : -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        long long id = pg_get_int(rr->rows, mid, 0);
        if (id == inc) {
            for (int c = 0; c < 5; c++)
                cols[c] = pg_get_text(rr->rows, mid, c + 1);
            return 1;
        }
        if (id < inc)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0; /* gone since the index read it */
}

/* The rows of the first limit incidents ranked by cq (those sq_related_fill lists), in one
 * query (at least one); NULL on failure. */
static PGresult *related_rows_read(struct pg *p, const struct vg_corr_query *cq, int limit)
{
    size_t keep = cq->ngroups < (size_t)(limit > 0 ? limit : 0) ? cq->ngroups : (size_t)limit;
    struct vg_buf ids;
    vg_buf_init(&ids, VG_MAX_BUF);
    vg_buf_putc(&ids, '{');
    for (size_t k = 0; k < keep; k++)
        vg_buf_printf(&ids, k ? ",%lld" : "%lld", cq->groups[k].incident);
    vg_buf_putc(&ids, '}');
    if (ids.failed) {
        vg_buf_cleanup(&ids);
        return NULL;
    }
    struct pg_params pp = {0};
    pg_param_text(&pp, ids.data);
    PGresult *r = pg_run(p,
                         "SELECT id, ref, title, status, severity, tlp FROM incident "
                         "WHERE id = ANY($1::bigint[]) ORDER BY id",
                         &pp);
    vg_buf_cleanup(&ids);
    return r;
}

/* Three round trips: the incident's id with its observables, the index's catch-up (one per
 * 10,000 new observables), the related incidents' rows. */
int pg_incident_related(struct vg_store *st, const char *ref, int limit,
                        struct vg_related_list *out)
{
    struct pg *p = pg_of(st);
    memset(out, 0, sizeof *out);
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *self_obs = pg_run(p,
                                "SELECT i.id, o.type, o.value FROM incident i "
                                "LEFT JOIN observable o ON o.incident_id = i.id "
                                "WHERE i.ref = $1 ORDER BY o.id",
                                &pp);
    if (!self_obs)
        return VG_EIO;
    if (PQntuples(self_obs) == 0) {
        PQclear(self_obs);
        return VG_ENOENT;
    }
    long long self = pg_get_int(self_obs, 0, 0);
    if (corr_catch_up(p)) {
        PQclear(self_obs);
        return VG_EIO;
    }
    struct vg_corr_query cq;
    vg_corr_query_init(&cq, p->corr, self, RELATED_PER_QUERY);
    int rc = VG_ENOMEM;
    struct vg_observable o;
    int added = 0;
    for (int i = 0; added == 0 && i < PQntuples(self_obs); i++)
        if (!PQgetisnull(self_obs, i, 1) &&
            vg_observable_parse(vg_str_c(pg_get_text(self_obs, i, 2)),
                                vg_obs_type_parse(pg_get_text(self_obs, i, 1)), &o, NULL) == 0)
            added = vg_corr_query_add(&cq, &o);
    PQclear(self_obs);
    if (added || vg_corr_query_rank(&cq))
        goto out;
    struct related_rows rr = {NULL};
    if (cq.ngroups && limit > 0 && !(rr.rows = related_rows_read(p, &cq, limit))) {
        rc = VG_EIO;
        goto out;
    }
    rc = sq_related_fill(out, &cq, limit, related_row, &rr);
    PQclear((PGresult *)rr.rows);
out:
    if (rc)
        vg_related_list_free(out);
    vg_corr_query_cleanup(&cq);
    return rc;
}
