/* SQLite backend: the queue of public reports held over the intake's global cap. */
#include "store/sqlite_int.h"

#include "util/time.h"

static int queue_add(struct vg_store *st, const json_t *report, const char *client, long long max,
                     long long *id, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long n = sq_scalar(s, "SELECT count(*) FROM report_queue");
    if (n < 0)
        return sq_db_error(s, d);
    if (n >= max)
        return vg_diag_set(d, VG_ETOOBIG, "", "the queue of held reports is full (%lld)", max);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    sqlite3_stmt *q =
        sq_prep(s, "INSERT INTO report_queue(received, client, report) VALUES (?,?,?)");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, now);
    sq_bind_text(q, 2, client);
    sq_bind_json(q, 3, report);
    if (sq_step_done(s, q))
        return sq_db_error(s, d);
    if (id)
        *id = (long long)sqlite3_last_insert_rowid(s->db);
    return 0;
}

static json_t *queue_row(sqlite3_stmt *q)
{
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)sqlite3_column_int64(q, 0), "received",
                     sq_col_text(q, 1), "client", sq_col_text(q, 2), "report", sq_col_json(q, 3));
}

static int queue_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    long long after;
    if (sq_cursor_read(page->cursor, &after, d))
        return VG_EINVAL;
    sqlite3_stmt *q = sq_prep(s, "SELECT id, received, client, report FROM report_queue "
                                 "WHERE id > ? ORDER BY id LIMIT ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int(q, 2, page->limit + 1);
    *out = sq_page(q, page->limit, queue_row);
    sq_done(s, q);
    return *out ? 0 : VG_ENOMEM;
}

static int queue_get(struct vg_store *st, long long id, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q =
        sq_prep(s, "SELECT id, received, client, report FROM report_queue WHERE id = ?");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *out = queue_row(q);
        rc = *out ? 0 : VG_ENOMEM;
    } else {
        rc = rc == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    sq_done(s, q);
    return rc;
}

static int queue_remove(struct vg_store *st, long long id, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "DELETE FROM report_queue WHERE id = ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int64(q, 1, id);
    if (sq_step_done(s, q))
        return sq_db_error(s, d);
    if (sqlite3_changes(s->db) == 0)
        return vg_diag_set(d, VG_ENOENT, "id", "no held report %lld", id);
    return 0;
}

const struct vg_store_report_ops sq_report_ops = {
    .queue_add = queue_add,
    .queue_list = queue_list,
    .queue_get = queue_get,
    .queue_remove = queue_remove,
};
