/* PostgreSQL backend: where `vigie share pull` stopped, per source (store/pull.h), as
 * sqlite_pull.c does it. */
#include "store/pg_int.h"

#include <string.h>

#include "util/time.h"

static int pg_pull_get(struct vg_store *st, const char *kind, const char *source, const char *key,
                       char *value, size_t cap, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, kind);
    pg_param_text(&pp, source);
    pg_param_text(&pp, key);
    PGresult *r =
        pg_run(p, "SELECT value FROM pull_state WHERE kind = $1 AND source = $2 AND key = $3", &pp);
    if (!r)
        return pg_error(p, d);
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        const char *v = pg_get_text(r, 0, 0);
        size_t n = strlen(v);
        if (n >= cap) {
            rc = vg_diag_set(d, VG_ETOOBIG, "", "recorded value of %s too long", key);
        } else {
            memcpy(value, v, n + 1);
            rc = 0;
        }
    }
    PQclear(r);
    return rc;
}

static int pg_pull_all(struct vg_store *st, const char *kind, const char *source, json_t **out,
                       struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *out = NULL;
    struct pg_params pp = {0};
    pg_param_text(&pp, kind);
    pg_param_text(&pp, source);
    PGresult *r =
        pg_run(p, "SELECT key, value FROM pull_state WHERE kind = $1 AND source = $2", &pp);
    if (!r)
        return pg_error(p, d);
    json_t *o = json_object();
    int rc = o ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (int i = 0; !rc && i < PQntuples(r); i++)
        if (json_object_set_new(o, pg_get_text(r, i, 0), json_string(pg_get_text(r, i, 1))))
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    PQclear(r);
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}

static int pg_pull_put(struct vg_store *st, const char *kind, const char *source, const char *key,
                       const char *value, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    struct pg_params pp = {0};
    pg_param_text(&pp, kind);
    pg_param_text(&pp, source);
    pg_param_text(&pp, key);
    pg_param_text(&pp, value);
    pg_param_text(&pp, now);
    return pg_write(p,
                    "INSERT INTO pull_state(kind, source, key, value, updated) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, source, key) "
                    "DO UPDATE SET value = excluded.value, updated = excluded.updated",
                    &pp, NULL, NULL, d);
}

const struct vg_store_pull_ops pg_pull_ops = {
    .get = pg_pull_get,
    .all = pg_pull_all,
    .put = pg_pull_put,
};
