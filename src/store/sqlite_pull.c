/* SQLite backend: where `vigie share pull` stopped, per source (store/pull.h). */
#include <string.h>

#include "store/sqlite_int.h"
#include "util/time.h"

static int pull_get(struct vg_store *st, const char *kind, const char *source, const char *key,
                    char *value, size_t cap, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q =
        sq_prep(s, "SELECT value FROM pull_state WHERE kind = ? AND source = ? AND key = ?");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, kind);
    sq_bind_text(q, 2, source);
    sq_bind_text(q, 3, key);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *v = sq_col_text(q, 0);
        size_t n = strlen(v);
        if (n >= cap) {
            rc = vg_diag_set(d, VG_ETOOBIG, "", "recorded value of %s too long", key);
        } else {
            memcpy(value, v, n + 1);
            rc = 0;
        }
    } else if (rc == SQLITE_DONE) {
        rc = VG_ENOENT;
    } else {
        rc = sq_db_error(s, d);
    }
    sq_done(s, q);
    return rc;
}

static int pull_all(struct vg_store *st, const char *kind, const char *source, json_t **out,
                    struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    *out = NULL;
    sqlite3_stmt *q = sq_prep(s, "SELECT key, value FROM pull_state WHERE kind = ? AND source = ?");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, kind);
    sq_bind_text(q, 2, source);
    json_t *o = json_object();
    int rc = o ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int step;
    while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
        if (json_object_set_new(o, sq_col_text(q, 0), json_string(sq_col_text(q, 1))))
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_db_error(s, d);
    sq_done(s, q);
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}

static int pull_put(struct vg_store *st, const char *kind, const char *source, const char *key,
                    const char *value, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q =
        sq_prep(s, "INSERT INTO pull_state(kind, source, key, value, updated) "
                   "VALUES (?,?,?,?,?) ON CONFLICT(kind, source, key) "
                   "DO UPDATE SET value = excluded.value, updated = excluded.updated");
    if (!q)
        return sq_fail(s, d);
    sq_bind_text(q, 1, kind);
    sq_bind_text(q, 2, source);
    sq_bind_text(q, 3, key);
    sq_bind_text(q, 4, value);
    sq_bind_text(q, 5, now);
    if (sq_step_done(s, q) || sq_commit(s))
        return sq_fail(s, d);
    return 0;
}

const struct vg_store_pull_ops sq_pull_ops = {
    .get = pull_get,
    .all = pull_all,
    .put = pull_put,
};
