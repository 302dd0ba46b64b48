/* SQLite backend: the deployment's settings (store/setting.h). */
#include <string.h>

#include "store/sqlite_int.h"
#include "util/time.h"

static int setting_get(struct vg_store *st, const char *key, char *out, size_t cap,
                       struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (cap)
        out[0] = '\0';
    sqlite3_stmt *q = sq_prep(s, "SELECT value FROM setting WHERE key = ?");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, key);
    int step = sqlite3_step(q), rc = 0;
    if (step == SQLITE_ROW) {
        const char *v = sq_col_text(q, 0);
        size_t n = strlen(v);
        if (n >= cap)
            rc = vg_diag_set(d, VG_EINVAL, key, "the stored value of %s is too long", key);
        else
            memcpy(out, v, n + 1);
    } else if (step == SQLITE_DONE) {
        rc = VG_ENOENT;
    } else {
        rc = sq_db_error(s, d);
    }
    sq_done(s, q);
    return rc;
}

static int setting_set(struct vg_store *st, const char *key, const char *value, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO setting(key, value, updated) VALUES (?,?,?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                                 "updated = excluded.updated");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, key);
    sq_bind_text(q, 2, value);
    sq_bind_text(q, 3, now);
    if (sq_step_done(s, q) || sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

static int setting_unset(struct vg_store *st, const char *key, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "DELETE FROM setting WHERE key = ?");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, key);
    if (sq_step_done(s, q))
        return sq_fail(s, d);
    int changed = sqlite3_changes(s->db);
    if (sq_commit(s))
        return sq_fail(s, d);
    return changed ? 0 : VG_ENOENT;
}

static json_t *setting_row(sqlite3_stmt *q)
{
    return json_pack("{s:s,s:s,s:s}", "key", sq_col_text(q, 0), "value", sq_col_text(q, 1),
                     "updated", sq_col_text(q, 2));
}

static int setting_list(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *out = NULL;
    sqlite3_stmt *q = sq_prep(s, "SELECT key, value, updated FROM setting ORDER BY key");
    if (!q)
        return sq_db_error(s, d);
    json_t *items = json_array();
    int rc = items ? 0 : VG_ENOMEM, step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *row = setting_row(q);
        if (!row || json_array_append_new(items, row))
            rc = VG_ENOMEM;
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sq_done(s, q);
    if (!rc && !(*out = json_pack("{s:o}", "items", items)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc) {
        json_decref(items);
        return rc == VG_ENOMEM ? vg_diag_set(d, VG_ENOMEM, "", "out of memory") : rc;
    }
    return 0;
}

const struct vg_store_setting_ops sq_setting_ops = {
    .get = setting_get,
    .set = setting_set,
    .unset = setting_unset,
    .list = setting_list,
};
