/* The vg_store_* functions of store/user.h: each calls the backend's operation. */
#include "store/user.h"

#include "store/store.h"

int vg_store_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                         struct vg_diag *d)
{
    return st->ops->user->user_ensure(st, name, role, id, d);
}

int vg_store_user_set_password(struct vg_store *st, const char *name, const char *hash,
                               struct vg_diag *d)
{
    return st->ops->user->user_set_password(st, name, hash, d);
}

int vg_store_user_get(struct vg_store *st, const char *name, json_t **out)
{
    return st->ops->user->user_get(st, name, out);
}

int vg_store_user_list(struct vg_store *st, json_t **out)
{
    return st->ops->user->user_list(st, out);
}

int vg_store_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                       const char *label, const char *kind, const char *expires, long long *id,
                       struct vg_diag *d)
{
    return st->ops->user->token_add(st, user_id, hash, label, kind, expires, id, d);
}

int vg_store_token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                          struct vg_token_meta *meta)
{
    return st->ops->user->token_lookup(st, hash, out, meta);
}

int vg_store_token_prune(struct vg_store *st, long long user_id, const char *kind, int keep,
                         struct vg_diag *d)
{
    return st->ops->user->token_prune(st, user_id, kind, keep, d);
}

int vg_store_token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d)
{
    return st->ops->user->token_touch(st, id, when, d);
}

int vg_store_token_list(struct vg_store *st, long long user_id, json_t **out)
{
    return st->ops->user->token_list(st, user_id, out);
}

int vg_store_token_revoke(struct vg_store *st, long long id, long long user_id, struct vg_diag *d)
{
    return st->ops->user->token_revoke(st, id, user_id, d);
}

int vg_store_intake_log(struct vg_store *st, const json_t *entry, struct vg_diag *d)
{
    return st->ops->user->intake_log(st, entry, d);
}

int vg_store_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d)
{
    return st->ops->user->audit_list(st, page, out, d);
}
