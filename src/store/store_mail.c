/* The vg_store_* functions of store/mail.h: each calls the backend's operation. */
#include "store/mail.h"

#include <stdbool.h>
#include <string.h>

#include "store/store.h"

static bool known_kind(const char *k)
{
    static const char *const kinds[] = {"incident", "digest", "alert",
                                        "advisory", "crisis", "intake"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(k, kinds[i]))
            return true;
    return false;
}

/* The message's shape is checked here, once for every backend. */
int vg_store_mail_queue(struct vg_store *st, const json_t *msg, long long *id, struct vg_diag *d)
{
    const char *mid = json_string_value(json_object_get(msg, "message_id"));
    const char *kind = json_string_value(json_object_get(msg, "kind"));
    const json_t *to = json_object_get(msg, "to");
    if (!mid || !*mid)
        return vg_diag_set(d, VG_EINVAL, "message_id", "a message needs a Message-ID");
    if (!kind || !known_kind(kind))
        return vg_diag_set(d, VG_EINVAL, "kind", "unknown kind of message");
    if (!json_is_string(json_object_get(msg, "subject")) ||
        !json_is_string(json_object_get(msg, "text")))
        return vg_diag_set(d, VG_EINVAL, "subject", "a message needs a subject and a text");
    if (!json_is_array(to) || json_array_size(to) == 0)
        return vg_diag_set(d, VG_EINVAL, "to", "a message needs recipients");
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
