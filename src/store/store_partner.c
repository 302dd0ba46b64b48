/* The vg_store_* functions of store/partner.h: each calls the backend's operation. */
#include "store/partner.h"

#include "store/store.h"

int vg_store_partner_create(struct vg_store *st, const struct vg_actor *who, const json_t *p,
                            json_t **out, struct vg_diag *d)
{
    return st->ops->partner->create(st, who, p, out, d);
}

int vg_store_partner_get(struct vg_store *st, long long id, json_t **out)
{
    return st->ops->partner->get(st, id, out);
}

int vg_store_partner_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                          struct vg_diag *d)
{
    return st->ops->partner->list(st, page, out, d);
}

int vg_store_partner_update(struct vg_store *st, const struct vg_actor *who, long long id,
                            const json_t *patch, json_t **out, struct vg_diag *d)
{
    return st->ops->partner->update(st, who, id, patch, out, d);
}

int vg_store_partner_token_add(struct vg_store *st, const struct vg_actor *who, long long partner,
                               const unsigned char hash[32], const char *label, json_t **out,
                               struct vg_diag *d)
{
    return st->ops->partner->token_add(st, who, partner, hash, label, out, d);
}

int vg_store_partner_token_lookup(struct vg_store *st, const unsigned char hash[32],
                                  struct vg_actor *out, struct vg_token_meta *meta)
{
    return st->ops->partner->token_lookup(st, hash, out, meta);
}

int vg_store_partner_token_list(struct vg_store *st, long long partner, json_t **out)
{
    return st->ops->partner->token_list(st, partner, out);
}

int vg_store_partner_token_revoke(struct vg_store *st, const struct vg_actor *who,
                                  long long partner, long long id, struct vg_diag *d)
{
    return st->ops->partner->token_revoke(st, who, partner, id, d);
}

int vg_store_partner_token_touch(struct vg_store *st, long long id, const char *when,
                                 struct vg_diag *d)
{
    return st->ops->partner->token_touch(st, id, when, d);
}
