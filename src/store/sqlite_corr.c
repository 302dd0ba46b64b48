/* SQLite backend: the incidents related to one through their observables. The index and its
 * queries are core's (core/corr.h); the connection holds the index and catches it up with the
 * observable table before each lookup (its rows only grow), then reads the related rows. */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/corr.h"
#include "core/observable.h"
#include "util/buf.h"
#include "util/mem.h"

#define RELATED_PER_QUERY 1000 /* matches read per lookup, so a common value cannot swamp us */

/* Brings the in-memory correlation index up to date with the observable table: its rows
 * only grow, so reading those after the last one seen is enough (this also picks up
 * incidents created by other processes). */
static int corr_catch_up(struct sq *s)
{
    if (!s->corr) {
        s->corr = vg_corr_new();
        s->corr_last = 0;
        if (!s->corr)
            return VG_ENOMEM;
    }
    sqlite3_stmt *q = sq_prep(s, "SELECT id, incident_id, type, value FROM observable "
                                 "WHERE id > ? ORDER BY id");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, s->corr_last);
    struct vg_observable o;
    int rc = 0;
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        s->corr_last = sqlite3_column_int64(q, 0);
        if (vg_observable_parse(vg_str_c(sq_col_text(q, 3)), vg_obs_type_parse(sq_col_text(q, 2)),
                                &o, NULL) == 0)
            rc = vg_corr_add(s->corr, sqlite3_column_int64(q, 1), &o);
    }
    sq_done(s, q);
    if (rc) {
        vg_corr_free(s->corr);
        s->corr = NULL;
    }
    return rc;
}

/* Fills out from the ranked query cq (sqlite_int.h; shared with the PostgreSQL backend). */
int sq_related_fill(struct vg_related_list *out, struct vg_corr_query *cq, int limit,
                    int (*row)(void *ctx, long long inc, const char *cols[5]), void *ctx)
{
    const struct vg_corr_group *g = cq->groups;
    const struct vg_corr_pair *hp = cq->pairs;
    size_t ng = cq->ngroups;
    size_t keep = ng < (size_t)limit ? ng : (size_t)limit, npairs = 0;
    for (size_t k = 0; k < keep; k++)
        npairs += g[k].count;
    struct vg_buf rows;
    vg_buf_init(&rows, VG_MAX_BUF);
    int rc = VG_ENOMEM;
    out->v = vg_calloc(keep ? keep : 1, sizeof *out->v);
    out->pairs = vg_malloc((npairs ? npairs : 1) * sizeof *out->pairs);
    size_t(*cols)[5] = vg_calloc(keep ? keep : 1, sizeof *cols); /* offsets in rows */
    if (!out->v || !out->pairs || !cols)
        goto out;
    size_t n = 0, p = 0;
    for (size_t k = 0; k < keep; k++) {
        const char *c[5];
        int found = row(ctx, g[k].incident, c);
        if (found < 0) {
            rc = VG_EIO;
            goto out;
        }
        if (!found)
            continue;
        for (int j = 0; j < 5; j++) {
            cols[n][j] = rows.len;
            vg_buf_append(&rows, c[j], strlen(c[j]) + 1);
        }
        struct vg_related *r = &out->v[n++];
        r->count = g[k].distinct;
        r->shared = out->pairs + p;
        r->nshared = g[k].count;
        for (size_t j = g[k].first; j < g[k].first + g[k].count; j++)
            out->pairs[p++] = (struct vg_related_pair){hp[j].type, hp[j].value, hp[j].matched};
    }
    if (rows.failed)
        goto out;
    const char *base = rows.data ? rows.data : "";
    for (size_t k = 0; k < n; k++) {
        struct vg_related *r = &out->v[k];
        r->ref = base + cols[k][0];
        r->title = base + cols[k][1];
        r->status = base + cols[k][2];
        r->severity = base + cols[k][3];
        r->tlp = base + cols[k][4];
    }
    out->n = n;
    out->hits_text = vg_corr_query_steal_text(cq);
    out->rows_text = vg_buf_steal(&rows);
    rc = 0;
out:
    free(cols);
    vg_buf_cleanup(&rows);
    return rc;
}

struct related_rows {
    struct sq *s;
    sqlite3_stmt *q; /* the last row's statement, reset on the next call */
};

static int related_row(void *ctx, long long inc, const char *cols[5])
{
    struct related_rows *rr = ctx;
    sq_done(rr->s, rr->q);
    rr->q = sq_prep(rr->s, "SELECT ref, title, status, severity, tlp FROM incident WHERE id = ?");
    if (!rr->q)
        return -1;
    sqlite3_bind_int64(rr->q, 1, inc);
    if (sqlite3_step(rr->q) != SQLITE_ROW)
        return 0;
    for (int c = 0; c < 5; c++)
        cols[c] = sq_col_text(rr->q, c);
    return 1;
}

int sq_incident_related(struct vg_store *st, const char *ref, int limit,
                        struct vg_related_list *out)
{
    struct sq *s = sq_of(st);
    memset(out, 0, sizeof *out);
    long long self = sq_incident_id(s, ref);
    if (self < 0)
        return VG_EIO;
    if (!self)
        return VG_ENOENT;
    if (corr_catch_up(s))
        return VG_EIO;
    struct vg_corr_query cq;
    vg_corr_query_init(&cq, s->corr, self, RELATED_PER_QUERY);
    int rc = VG_ENOMEM;
    sqlite3_stmt *q =
        sq_prep(s, "SELECT type, value FROM observable WHERE incident_id = ? ORDER BY id");
    if (!q) {
        rc = VG_EIO;
        goto out;
    }
    sqlite3_bind_int64(q, 1, self);
    struct vg_observable o;
    int added = 0;
    while (added == 0 && sqlite3_step(q) == SQLITE_ROW)
        if (vg_observable_parse(vg_str_c(sq_col_text(q, 1)), vg_obs_type_parse(sq_col_text(q, 0)),
                                &o, NULL) == 0)
            added = vg_corr_query_add(&cq, &o);
    sq_done(s, q);
    if (added || vg_corr_query_rank(&cq))
        goto out;
    struct related_rows rr = {s, NULL};
    rc = sq_related_fill(out, &cq, limit, related_row, &rr);
    sq_done(s, rr.q);
out:
    if (rc)
        vg_related_list_free(out);
    vg_corr_query_cleanup(&cq);
    return rc;
}
