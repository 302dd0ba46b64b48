/* PostgreSQL backend: the deployment's settings (store/setting.h), as sqlite_setting.c. No
 * cache: every get reads the row, so a setting changed through another server is seen on the
 * next call. */
#include "store/pg_int.h"

#include <string.h>
#include <time.h>

#include "util/time.h"

static int setting_get(struct vg_store *st, const char *key, char *out, size_t cap,
                       struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (cap)
        out[0] = '\0';
    struct pg_params pp = {0};
    pg_param_text(&pp, key);
    PGresult *r = pg_run(p, "SELECT value FROM setting WHERE key = $1", &pp);
    if (!r)
        return pg_error(p, d);
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        const char *v = pg_get_text(r, 0, 0);
        size_t n = strlen(v);
        if (n >= cap) {
            rc = vg_diag_set(d, VG_EINVAL, key, "the stored value of %s is too long", key);
        } else {
            memcpy(out, v, n + 1);
            rc = 0;
        }
    }
    PQclear(r);
    return rc;
}

static int setting_set(struct vg_store *st, const char *key, const char *value, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_fmt(time(NULL), now);
    struct pg_params pp = {0};
    pg_param_text(&pp, key);
    pg_param_text(&pp, value);
    pg_param_text(&pp, now);
    return pg_write(p,
                    "INSERT INTO setting(key, value, updated) VALUES ($1, $2, $3) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                    "updated = excluded.updated",
                    &pp, NULL, NULL, d);
}

static int setting_unset(struct vg_store *st, const char *key, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    struct pg_params pp = {0};
    pg_param_text(&pp, key);
    long long n = 0;
    int rc = pg_write(p, "DELETE FROM setting WHERE key = $1", &pp, &n, NULL, d);
    if (rc)
        return rc;
    return n ? 0 : VG_ENOENT;
}

static int setting_list(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    *out = NULL;
    PGresult *r = pg_run(p, "SELECT key, value, updated FROM setting ORDER BY key", NULL);
    if (!r)
        return pg_error(p, d);
    json_t *items = json_array();
    int rc = items ? 0 : VG_ENOMEM;
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        json_t *row = json_pack("{s:s,s:s,s:s}", "key", pg_get_text(r, i, 0), "value",
                                pg_get_text(r, i, 1), "updated", pg_get_text(r, i, 2));
        if (!row || json_array_append_new(items, row))
            rc = VG_ENOMEM;
    }
    PQclear(r);
    if (!rc && !(*out = json_pack("{s:o}", "items", items)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc) {
        json_decref(items);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    return 0;
}

const struct vg_store_setting_ops pg_setting_ops = {
    .get = setting_get,
    .set = setting_set,
    .unset = setting_unset,
    .list = setting_list,
};
