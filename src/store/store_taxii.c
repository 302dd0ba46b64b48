/* The vg_store_* functions of store/taxii.h: each calls the backend's operation. */
#include "store/taxii.h"

#include "store/store.h"

int vg_store_taxii_coll_create(struct vg_store *st, const struct vg_actor *who, const json_t *coll,
                               json_t **out, struct vg_diag *d)
{
    return st->ops->taxii->coll_create(st, who, coll, out, d);
}

int vg_store_taxii_coll_get(struct vg_store *st, const char *id, json_t **out)
{
    return st->ops->taxii->coll_get(st, id, out);
}

int vg_store_taxii_coll_list(struct vg_store *st, json_t **out)
{
    return st->ops->taxii->coll_list(st, out);
}

int vg_store_taxii_coll_update(struct vg_store *st, const struct vg_actor *who, const char *id,
                               const json_t *patch, json_t **out, struct vg_diag *d)
{
    return st->ops->taxii->coll_update(st, who, id, patch, out, d);
}

int vg_store_taxii_obj_add(struct vg_store *st, const char *coll, long long now_us,
                           const struct vg_taxii_new *o, long long *added, bool *dup,
                           struct vg_diag *d)
{
    return st->ops->taxii->obj_add(st, coll, now_us, o, added, dup, d);
}

int vg_store_taxii_obj_query(struct vg_store *st, const struct vg_taxii_query *q,
                             vg_taxii_row_fn fn, void *ctx, bool *more)
{
    return st->ops->taxii->obj_query(st, q, fn, ctx, more);
}

int vg_store_taxii_obj_delete(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_taxii_query *q, long long *deleted, struct vg_diag *d)
{
    return st->ops->taxii->obj_delete(st, who, q, deleted, d);
}

int vg_store_taxii_status_put(struct vg_store *st, const char *id, long long partner_id,
                              const json_t *status, struct vg_diag *d)
{
    return st->ops->taxii->status_put(st, id, partner_id, status, d);
}

int vg_store_taxii_status_get(struct vg_store *st, const char *id, long long *partner_id,
                              json_t **out)
{
    return st->ops->taxii->status_get(st, id, partner_id, out);
}
