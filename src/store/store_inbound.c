/* The vg_store_* functions of store/inbound.h: each calls the backend's operation. */
#include "store/inbound.h"

#include "store/store.h"

int vg_store_inbound_add(struct vg_store *st, const struct vg_inbound_new *m, long long *id,
                         struct vg_diag *d)
{
    return st->ops->inbound->add(st, m, id, d);
}

int vg_store_inbound_find(struct vg_store *st, const char *message_id, const char *sha256,
                          long long *id)
{
    return st->ops->inbound->find(st, message_id, sha256, id);
}

int vg_store_inbound_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                          json_t **out, struct vg_diag *d)
{
    return st->ops->inbound->list(st, filters, page, out, d);
}

int vg_store_inbound_get(struct vg_store *st, long long id, json_t **out)
{
    return st->ops->inbound->get(st, id, out);
}

int vg_store_inbound_raw(struct vg_store *st, long long id, unsigned char **data, size_t *len)
{
    return st->ops->inbound->raw(st, id, data, len);
}
