/* The vg_store_* functions of store/upstream.h: each calls the backend's operation. */
#include "store/upstream.h"

#include "store/store.h"

int vg_store_upstream_put(struct vg_store *st, const struct vg_actor *who, const json_t *rec,
                          int *result, struct vg_diag *d)
{
    return st->ops->upstream->put(st, who, rec, result, d);
}

int vg_store_upstream_get(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->upstream->get(st, ref, out);
}

int vg_store_upstream_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->upstream->list(st, filters, page, out, d);
}

int vg_store_upstream_constituents(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->upstream->constituents(st, ref, out);
}
