/* The vg_store_* functions of store/crisis.h: each calls the backend's operation. */
#include "store/crisis.h"

#include "store/store.h"

int vg_store_crisis_create(struct vg_store *st, const struct vg_actor *who, const json_t *c,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->crisis->create(st, who, c, out, d);
}

int vg_store_crisis_get(struct vg_store *st, long long id, json_t **out)
{
    return st->ops->crisis->get(st, id, out);
}

int vg_store_crisis_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                         struct vg_diag *d)
{
    return st->ops->crisis->list(st, page, out, d);
}

int vg_store_crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                           const json_t *patch, json_t **out, struct vg_diag *d)
{
    return st->ops->crisis->update(st, who, id, patch, out, d);
}

int vg_store_crisis_log_add(struct vg_store *st, const struct vg_actor *who, long long id,
                            const char *text, json_t **out, struct vg_diag *d)
{
    return st->ops->crisis->log_add(st, who, id, text, out, d);
}

int vg_store_crisis_member_add(struct vg_store *st, const struct vg_actor *who, long long id,
                               const json_t *m, json_t **out, struct vg_diag *d)
{
    return st->ops->crisis->member_add(st, who, id, m, out, d);
}

int vg_store_crisis_sitrep_add(struct vg_store *st, const struct vg_actor *who, long long id,
                               const json_t *s, json_t **out, struct vg_diag *d)
{
    return st->ops->crisis->sitrep_add(st, who, id, s, out, d);
}

int vg_store_crisis_rollcall(struct vg_store *st, const struct vg_actor *who, long long id,
                             const struct vg_crisis_token *toks, size_t n, json_t **out,
                             struct vg_diag *d)
{
    return st->ops->crisis->rollcall(st, who, id, toks, n, out, d);
}

int vg_store_crisis_ack(struct vg_store *st, const unsigned char hash[32], json_t **out,
                        struct vg_diag *d)
{
    return st->ops->crisis->ack(st, hash, out, d);
}

int vg_store_crisis_pending(struct vg_store *st, long long id, const char *before, json_t **out,
                            struct vg_diag *d)
{
    return st->ops->crisis->pending(st, id, before, out, d);
}

int vg_store_crisis_close(struct vg_store *st, const struct vg_actor *who, long long id,
                          const char *when, const json_t *closing, const char *review, json_t **out,
                          struct vg_diag *d)
{
    return st->ops->crisis->close(st, who, id, when, closing, review, out, d);
}

int vg_store_crisis_resend(struct vg_store *st, const struct vg_actor *who, long long id,
                           const struct vg_crisis_token *toks, size_t n, json_t **out,
                           struct vg_diag *d)
{
    return st->ops->crisis->resend(st, who, id, toks, n, out, d);
}

int vg_store_crisis_scheduled(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    return st->ops->crisis->scheduled(st, out, d);
}

int vg_store_crisis_reminded(struct vg_store *st, const struct vg_actor *who, long long id,
                             const char *when, struct vg_diag *d)
{
    return st->ops->crisis->reminded(st, who, id, when, d);
}
