/* The vg_store_* functions of store/org.h: each calls the backend's operation. */
#include "store/org.h"

#include <string.h>

#include "core/attrib.h"
#include "store/store.h"

int vg_store_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                        json_t **out, struct vg_diag *d)
{
    return st->ops->org->org_create(st, who, org, out, d);
}

int vg_store_org_get(struct vg_store *st, long long id, json_t **out)
{
    return st->ops->org->org_get(st, id, out);
}

int vg_store_org_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d)
{
    return st->ops->org->org_list(st, NULL, page, out, d);
}

int vg_store_org_search(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d)
{
    return st->ops->org->org_list(st, filters, page, out, d);
}

int vg_store_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                        const json_t *patch, json_t **out, struct vg_diag *d)
{
    return st->ops->org->org_update(st, who, id, patch, out, d);
}

int vg_store_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out)
{
    return st->ops->org->org_find_by_domain(st, domain, out);
}

struct vg_attrib *vg_store_attrib_new(struct vg_store *st, struct vg_diag *d)
{
    json_t *all = json_array();
    char cursor[128] = "";
    struct vg_attrib *a = NULL;
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *out = NULL;
        if (vg_store_org_list(st, &page, &out, d) != 0)
            goto out;
        json_array_extend(all, json_object_get(out, "items"));
        const char *next = json_string_value(json_object_get(out, "next_cursor"));
        bool more = next && *next && strlen(next) < sizeof cursor;
        if (more)
            memcpy(cursor, next, strlen(next) + 1);
        json_decref(out);
        if (!more)
            break;
    }
    a = vg_attrib_new(all);
    if (!a)
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
out:
    json_decref(all);
    return a;
}
