/* SQLite backend: the playbooks of the RSIT classes, and the connection's cache of them (read
 * by every incident answer, rarely written). */
#include "store/sqlite_int.h"

#include <stdio.h>

#include "util/time.h"

/* The steps of the playbook of class cls (borrowed from the connection's cache), or NULL. */
const json_t *sq_playbook_steps(struct sq *s, const char *cls)
{
    sq_caches_check(s);
    if (!s->playbooks) {
        sqlite3_stmt *q = sq_prep(s, "SELECT class, steps FROM playbook");
        if (!q)
            return NULL;
        s->playbooks = json_object();
        while (sqlite3_step(q) == SQLITE_ROW)
            json_object_set_new(s->playbooks, sq_col_text(q, 0), sq_col_json(q, 1));
        sq_done(s, q);
    }
    const json_t *steps = json_object_get(s->playbooks, cls ? cls : "");
    return json_is_array(steps) ? steps : NULL;
}

int sq_playbook_list(struct vg_store *st, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT class, steps, updated FROM playbook ORDER BY class");
    if (!q)
        return VG_EIO;
    json_t *arr = json_array();
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(arr, json_pack("{s:s,s:o,s:s}", "class", sq_col_text(q, 0), "steps",
                                             sq_col_json(q, 1), "updated", sq_col_text(q, 2)));
    sq_done(s, q);
    *out = arr;
    return 0;
}

int sq_playbook_get(struct vg_store *st, const char *cls, json_t **out)
{
    struct sq *s = sq_of(st);
    sqlite3_stmt *q = sq_prep(s, "SELECT class, steps, updated FROM playbook WHERE class = ?");
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, cls);
    int step = sqlite3_step(q), rc = step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    if (step == SQLITE_ROW) {
        *out = json_pack("{s:s,s:o,s:s}", "class", sq_col_text(q, 0), "steps", sq_col_json(q, 1),
                         "updated", sq_col_text(q, 2));
        rc = 0;
    }
    sq_done(s, q);
    return rc;
}

int sq_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                    const json_t *steps, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sq_caches_drop(s);
    sqlite3_stmt *q = sq_prep(s, "UPDATE playbook SET steps = ?, updated = ? WHERE class = ?");
    if (!q) {
        return sq_fail(s, d);
    }
    sq_bind_json(q, 1, steps);
    sq_bind_text(q, 2, now);
    sq_bind_text(q, 3, cls);
    if (sq_step_done(s, q)) {
        return sq_fail(s, d);
    }
    if (sqlite3_changes(s->db) == 0) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "class", "no playbook for class '%s'", cls);
    }
    char obj[128];
    snprintf(obj, sizeof obj, "playbook:%s", cls);
    if (sq_audit(s, who, "playbook.update", obj, steps) || sq_commit(s)) {
        return sq_fail(s, d);
    }
    return sq_playbook_get(st, cls, out);
}
