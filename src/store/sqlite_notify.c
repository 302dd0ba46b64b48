/* SQLite backend of store/notify.h: the organisations whose digest has something new, and the
 * detection alerts the mail round has not handled (alert.mailed, migration 020). */
#include "store/sqlite_int.h"

/* The rows of q into *out, a new array, through row(); 0, VG_ENOMEM or VG_EIO (d set). */
static int rows(struct sq *s, sqlite3_stmt *q, json_t *(*row)(sqlite3_stmt *q), json_t **out,
                struct vg_diag *d)
{
    json_t *a = json_array();
    int step = SQLITE_DONE;
    bool oom = !a;
    while (!oom && (step = sqlite3_step(q)) == SQLITE_ROW)
        oom = json_array_append_new(a, row(q)) != 0;
    sq_done(s, q);
    *out = NULL;
    if (oom || step != SQLITE_DONE) {
        json_decref(a);
        return oom ? vg_diag_set(d, VG_ENOMEM, "", "out of memory") : sq_db_error(s, d);
    }
    *out = a;
    return 0;
}

static json_t *pending_row(sqlite3_stmt *q)
{
    return json_pack("{s:I,s:s,s:o}", "org", (json_int_t)sqlite3_column_int64(q, 0), "name",
                     sq_col_text(q, 1), "last", sq_col_null(q, 2));
}

static int digest_pending(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    /* finding(org_id, ...) is indexed by its UNIQUE constraint: one probe per organisation */
    sqlite3_stmt *q = sq_prep(s, "SELECT o.id, o.name, g.at FROM org o "
                                 "LEFT JOIN digest g ON g.org_id = o.id "
                                 "WHERE EXISTS (SELECT 1 FROM finding f WHERE f.org_id = o.id "
                                 "AND f.id > coalesce(g.last_id, 0)) ORDER BY o.id");
    if (!q)
        return sq_db_error(s, d);
    return rows(s, q, pending_row, out, d);
}

static json_t *alert_row(sqlite3_stmt *q)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:{s:I,s:s,s:s,s:s}}", "id",
                     (json_int_t)sqlite3_column_int64(q, 0), "org",
                     (json_int_t)sqlite3_column_int64(q, 1), "day", sq_col_text(q, 2), "first_seen",
                     sq_col_text(q, 3), "last_seen", sq_col_text(q, 4), "count",
                     (json_int_t)sqlite3_column_int64(q, 5), "indicator", "id",
                     (json_int_t)sqlite3_column_int64(q, 6), "type", sq_col_text(q, 7), "value",
                     sq_col_text(q, 8), "tlp", sq_col_text(q, 9));
}

static int alerts_unmailed(struct vg_store *st, int limit, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT a.id, a.org_id, a.day, a.first_seen, a.last_seen, "
                                 "a.count, i.id, i.type, i.value, i.tlp FROM alert a "
                                 "JOIN indicator i ON i.id = a.indicator_id "
                                 "WHERE a.mailed = 0 AND a.org_id IS NOT NULL "
                                 "ORDER BY a.org_id, a.id LIMIT ?");
    if (!q)
        return sq_db_error(s, d);
    sqlite3_bind_int(q, 1, limit);
    return rows(s, q, alert_row, out, d);
}

static int alert_mailed(struct vg_store *st, long long id, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "UPDATE alert SET mailed = 1 WHERE id = ?");
    if (!q)
        return sq_fail(s, d);
    sqlite3_bind_int64(q, 1, id);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    int changed = sqlite3_changes(s->db);
    if (sq_commit(s))
        return sq_fail(s, d);
    return changed ? 0 : vg_diag_set(d, VG_ENOENT, "alert", "no alert %lld", id);
}

const struct vg_store_notify_ops sq_notify_ops = {
    .digest_pending = digest_pending,
    .alerts_unmailed = alerts_unmailed,
    .alert_mailed = alert_mailed,
};
