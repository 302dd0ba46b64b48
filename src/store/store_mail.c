/* The vg_store_* functions of store/mail.h: each calls the backend's operation. */
#include "store/mail.h"

#include "store/store.h"

int vg_store_mail_queue(struct vg_store *st, const json_t *msg, long long *id, struct vg_diag *d)
{
    return st->ops->mail->queue(st, msg, id, d);
}

int vg_store_mail_claim(struct vg_store *st, const char *now, const char *until, int limit,
                        json_t **out, struct vg_diag *d)
{
    return st->ops->mail->claim(st, now, until, limit, out, d);
}

int vg_store_mail_mark(struct vg_store *st, long long id, const char *state, const char *next,
                       const char *answer, struct vg_diag *d)
{
    return st->ops->mail->mark(st, id, state, next, answer, d);
}

int vg_store_mail_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                       json_t **out, struct vg_diag *d)
{
    return st->ops->mail->list(st, filters, page, out, d);
}
