/* The vg_store_* functions of store/pull.h: each calls the backend's operation. */
#include "store/pull.h"

#include "store/store.h"

int vg_store_pull_get(struct vg_store *st, const char *kind, const char *source, const char *key,
                      char *value, size_t cap, struct vg_diag *d)
{
    return st->ops->pull->get(st, kind, source, key, value, cap, d);
}

int vg_store_pull_all(struct vg_store *st, const char *kind, const char *source, json_t **out,
                      struct vg_diag *d)
{
    return st->ops->pull->all(st, kind, source, out, d);
}

int vg_store_pull_put(struct vg_store *st, const char *kind, const char *source, const char *key,
                      const char *value, struct vg_diag *d)
{
    return st->ops->pull->put(st, kind, source, key, value, d);
}
