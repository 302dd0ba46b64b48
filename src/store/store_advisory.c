/* The vg_store_* functions of store/advisory.h: each calls the backend's operation. */
#include "store/advisory.h"

#include "store/store.h"

int vg_store_advisory_create(struct vg_store *st, const struct vg_actor *who, const json_t *content,
                             const char *code, int year, const json_t *internal, json_t **out,
                             struct vg_diag *d)
{
    return st->ops->advisory->create(st, who, content, code, year, internal, out, d);
}

int vg_store_advisory_get(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->advisory->get(st, ref, out);
}

int vg_store_advisory_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->advisory->list(st, filters, page, out, d);
}

int vg_store_advisory_save(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *rec, const json_t *revision, const char *action,
                           const json_t *detail, json_t **out, struct vg_diag *d)
{
    return st->ops->advisory->save(st, who, ref, rec, revision, action, detail, out, d);
}
