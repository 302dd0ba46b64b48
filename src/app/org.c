/* Organisation writes and the findings refresh that follows them. The refresh goes through
 * the technology watch (app/watch.h). */
#include "app/org.h"

#include <stdbool.h>
#include <string.h>

#include "core/model.h"
#include "core/record.h"
#include "app/watch.h"

/* Matches organisation id's new products (those not in before, NULL: all) against the stored
 * CVEs; a failure is reported in warn. */
static void refresh_findings(struct vg_store *st, long long id, const json_t *before,
                             struct vg_diag *warn)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_watch_org_assets(st, id, before, NULL, &d) != 0 && warn)
        vg_diag_set(warn, VG_EIO, "", "findings of organisation %lld not refreshed: %s", id,
                    d.message);
}

int vg_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *in, json_t **out,
                  struct vg_diag *d, struct vg_diag *warn)
{
    json_t *org = NULL;
    vg_diag_clear(warn);
    int rc = vg_org_check(in, VG_CHECK_CREATE, &org, d);
    if (!rc)
        rc = vg_store_org_create(st, who, org, out, d);
    if (!rc)
        refresh_findings(st, (long long)json_integer_value(json_object_get(*out, "id")), NULL,
                         warn);
    json_decref(org);
    return rc;
}

int vg_org_update(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  json_t **out, struct vg_diag *d, struct vg_diag *warn)
{
    json_t *patch = NULL, *old = NULL;
    vg_diag_clear(warn);
    int rc = vg_org_check(in, VG_CHECK_PATCH, &patch, d);
    if (!rc && json_object_size(patch) == 0)
        rc = vg_diag_set(d, VG_EINVAL, "", "nothing to change");
    json_object_del(patch, "eligible");
    bool assets = json_object_get(patch, "assets") != NULL;
    if (!rc && assets) {
        /* the products before, to match only the new ones */
        rc = vg_store_org_get(st, id, &old);
        if (rc == VG_ENOENT)
            vg_diag_set(d, rc, "id", "no organisation %lld", id);
        else if (rc)
            vg_diag_set(d, rc, "", "cannot read organisation %lld", id);
    }
    if (!rc)
        rc = vg_store_org_update(st, who, id, patch, out, d);
    if (!rc && assets)
        refresh_findings(st, id, json_object_get(json_object_get(old, "assets"), "products"), warn);
    json_decref(old);
    json_decref(patch);
    return rc;
}

/* 0 when s is empty or one of names (f[key] = s then), else VG_EINVAL naming key. */
static int name_filter(json_t *f, const char *key, const char *s, const char *const *names,
                       struct vg_diag *d)
{
    if (!s || !*s)
        return 0;
    if (vg_name_index(names, s) < 0) {
        char all[512];
        vg_names_join(names, all, sizeof all);
        return vg_diag_set(d, VG_EINVAL, key, "%s must be one of: %s", key, all);
    }
    return json_object_set_new(f, key, json_string(s)) ? VG_ENOMEM : 0;
}

int vg_org_list(struct vg_store *st, const char *name, const char *kind, const char *sector,
                const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    json_t *f = json_object();
    if (!f)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = 0;
    if (name && *name && strlen(name) > VG_MAX_NAME)
        rc = vg_diag_set(d, VG_EINVAL, "name", "name must be at most %d bytes", VG_MAX_NAME);
    else if (name && *name && json_object_set_new(f, "name", json_string(name)))
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!rc)
        rc = name_filter(f, "kind", kind, vg_org_kind_names, d);
    if (!rc)
        rc = name_filter(f, "sector", sector, vg_sector_names, d);
    if (rc == VG_ENOMEM)
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!rc)
        rc = vg_store_org_search(st, f, page, out, d);
    json_decref(f);
    return rc;
}
