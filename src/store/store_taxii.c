/* The vg_store_* functions of store/taxii.h: each calls the backend's operation; and the
 * reading of the TAXII rows, the same for both backends (row_int.h). */
#include "store/taxii.h"

#include "store/row_int.h"
#include "store/store.h"

json_t *st_taxii_coll(const struct vg_row *r)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s}", "id", vg_row_text(r, 0), "title",
                     vg_row_text(r, 1), "description", vg_row_text(r, 2), "readers",
                     vg_row_json(r, 3), "writers", vg_row_json(r, 4), "created", vg_row_text(r, 5),
                     "updated", vg_row_text(r, 6));
}

void st_taxii_object(const struct vg_row *r, struct vg_taxii_row *row)
{
    *row = (struct vg_taxii_row){
        .added = vg_row_int(r, 0),
        .id = vg_row_text(r, 1),
        .type = vg_row_text(r, 2),
        .spec_version = vg_row_text(r, 3),
        .version = vg_row_text(r, 4),
        .tlp = (int)vg_row_int(r, 5),
        .object = vg_row_text(r, 6),
        .object_len = vg_row_len(r, 6),
    };
}

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
