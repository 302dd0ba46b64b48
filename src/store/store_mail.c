/* The vg_store_* functions of store/mail.h: each calls the backend's operation, once what it
 * is given is checked; and the JSON of an outbox row, the same for both backends
 * (row_int.h). */
#include "store/mail.h"

#include <stdbool.h>
#include <string.h>

#include "store/row_int.h"
#include "store/store.h"

json_t *st_mail(const struct vg_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id",
                     (json_int_t)vg_row_int(r, 0), "message_id", vg_row_text(r, 1), "kind",
                     vg_row_text(r, 2), "object", vg_row_text(r, 3), "to", vg_row_json(r, 4),
                     "subject", vg_row_text(r, 5), "text", vg_row_text(r, 6), "html",
                     vg_row_text(r, 7), "state", vg_row_text(r, 8), "attempts",
                     (json_int_t)vg_row_int(r, 9), "next_attempt", vg_row_text(r, 10),
                     "last_answer", vg_row_text(r, 11), "created", vg_row_text(r, 12), "updated",
                     vg_row_text(r, 13));
}

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
    bool retry = !strcmp(state, "queued");
    if (!retry && strcmp(state, "sent") && strcmp(state, "failed"))
        return vg_diag_set(d, VG_EINVAL, "state", "unknown state of a message");
    if (retry && !next)
        return vg_diag_set(d, VG_EINVAL, "next_attempt", "a retry needs a time");
    /* the next attempt of a retry only */
    return st->ops->mail->mark(st, id, state, retry ? next : NULL, answer, d);
}

int vg_store_mail_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                       json_t **out, struct vg_diag *d)
{
    return st->ops->mail->list(st, filters, page, out, d);
}
