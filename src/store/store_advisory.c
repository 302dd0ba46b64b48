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

int vg_store_advisory_published_each(struct vg_store *st, int (*fn)(void *ctx, const json_t *rec),
                                     void *ctx)
{
    return st->ops->advisory->published_each(st, fn, ctx);
}

int vg_store_advisory_published_stamp(struct vg_store *st, char *out, size_t cap)
{
    return st->ops->advisory->published_stamp(st, out, cap);
}
