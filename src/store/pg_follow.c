/* PostgreSQL backend: where followers of logs stand (`vigie match --follow --record`, issue
 * 17; store/indicator.h), as sqlite_follow.c does it. */
#include "store/pg_int.h"

#include "util/time.h"

int pg_follow_put(struct vg_store *st, const char *follower, const struct vg_follow_position *v,
                  size_t n, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    for (size_t i = 0; i < n; i++) {
        struct pg_params pp = {0};
        pg_param_text(&pp, follower);
        pg_param_text(&pp, v[i].path);
        /* unsigned 64-bit values kept bit for bit in the signed column */
        pg_param_int(&pp, (long long)v[i].dev);
        pg_param_int(&pp, (long long)v[i].ino);
        pg_param_int(&pp, (long long)v[i].offset);
        pg_param_int(&pp, (long long)v[i].line);
        pg_param_text(&pp, now);
        PGresult *r = pg_run(p,
                             "INSERT INTO follow_position(follower, path, dev, ino, byte_offset, "
                             "line_count, updated) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                             "ON CONFLICT (follower, path) DO UPDATE SET dev = excluded.dev, "
                             "ino = excluded.ino, byte_offset = excluded.byte_offset, "
                             "line_count = excluded.line_count, updated = excluded.updated",
                             &pp);
        if (!r)
            return pg_fail(p, d);
        PQclear(r);
    }
    return pg_commit(p) ? pg_fail(p, d) : 0;
}

int pg_follow_each(struct vg_store *st, const char *follower,
                   int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                   struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, follower);
    PGresult *r = pg_run(p,
                         "SELECT path, dev, ino, byte_offset, line_count FROM follow_position "
                         "WHERE follower = $1 ORDER BY path",
                         &pp);
    if (!r)
        return pg_error(p, d);
    int rc = 0;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct vg_follow_position pos = {
            pg_get_text(r, i, 0),
            (unsigned long long)pg_get_int(r, i, 1),
            (unsigned long long)pg_get_int(r, i, 2),
            (unsigned long long)pg_get_int(r, i, 3),
            (unsigned long long)pg_get_int(r, i, 4),
        };
        rc = fn(ctx, &pos);
    }
    PQclear(r);
    return rc;
}
