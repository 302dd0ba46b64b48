/* SQLite backend: where followers of logs stand (`vigie match --follow --record`, issue 17;
 * store/indicator.h), one row per (follower, path). */
#include "store/sqlite_int.h"
#include "util/time.h"

int sq_follow_put(struct vg_store *st, const char *follower, const struct vg_follow_position *v,
                  size_t n, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *q =
            sq_prep(s, "INSERT INTO follow_position(follower, path, dev, ino, byte_offset, "
                       "line_count, updated) VALUES (?,?,?,?,?,?,?) "
                       "ON CONFLICT(follower, path) DO UPDATE SET dev = excluded.dev, "
                       "ino = excluded.ino, byte_offset = excluded.byte_offset, "
                       "line_count = excluded.line_count, updated = excluded.updated");
        if (!q)
            return sq_fail(s, d);
        sq_bind_text(q, 1, follower);
        sq_bind_text(q, 2, v[i].path);
        /* unsigned 64-bit values kept bit for bit in the signed column */
        sqlite3_bind_int64(q, 3, (sqlite3_int64)v[i].dev);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)v[i].ino);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)v[i].offset);
        sqlite3_bind_int64(q, 6, (sqlite3_int64)v[i].line);
        sq_bind_text(q, 7, now);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
    }
    if (sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

int sq_follow_each(struct vg_store *st, const char *follower,
                   int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                   struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT path, dev, ino, byte_offset, line_count "
                                 "FROM follow_position WHERE follower = ? ORDER BY path");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, follower);
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct vg_follow_position pos = {
            sq_col_text(q, 0),
            (unsigned long long)sqlite3_column_int64(q, 1),
            (unsigned long long)sqlite3_column_int64(q, 2),
            (unsigned long long)sqlite3_column_int64(q, 3),
            (unsigned long long)sqlite3_column_int64(q, 4),
        };
        rc = fn(ctx, &pos);
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sq_done(s, q);
    return rc;
}
