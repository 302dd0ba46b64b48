/* The vg_store_* functions of store/inbound.h: each calls the backend's operation, once the
 * message is checked; and the JSON of the inbound rows, the same for both backends
 * (row_int.h). */
#include "store/inbound.h"

#include <string.h>

#include "store/row_int.h"
#include "store/store.h"

json_t *st_inbound(const struct vg_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:I}", "id",
                     (json_int_t)vg_row_int(r, 0), "message_id", vg_row_text(r, 1), "sha256",
                     vg_row_text(r, 2), "size", (json_int_t)vg_row_int(r, 3), "sender",
                     vg_row_text(r, 4), "subject", vg_row_text(r, 5), "received", vg_row_text(r, 6),
                     "outcome", vg_row_text(r, 7), "reason", vg_row_text(r, 8), "ref",
                     vg_row_text(r, 9), "queue_id",
                     vg_row_is_null(r, 10) ? json_null()
                                           : json_integer((json_int_t)vg_row_int(r, 10)),
                     "attachments", (json_int_t)vg_row_int(r, 11));
}

json_t *st_inbound_attachment(const struct vg_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:s,s:b,s:b}", "id", (json_int_t)vg_row_int(r, 0), "name",
                     vg_row_text(r, 1), "media_type", vg_row_text(r, 2), "size",
                     (json_int_t)vg_row_int(r, 3), "sha256", vg_row_text(r, 4), "is_archive",
                     vg_row_bool(r, 5), "kept", vg_row_bool(r, 6));
}

static bool known_outcome(const char *o)
{
    static const char *const outcomes[] = {"report", "reply",       "xarf",     "ineligible",
                                           "queued", "quarantined", "duplicate"};
    for (size_t i = 0; o && i < sizeof outcomes / sizeof outcomes[0]; i++)
        if (!strcmp(o, outcomes[i]))
            return true;
    return false;
}

int vg_store_inbound_add(struct vg_store *st, const struct vg_inbound_new *m, long long *id,
                         struct vg_diag *d)
{
    if (!known_outcome(m->outcome))
        return vg_diag_set(d, VG_EINVAL, "outcome", "unknown outcome of an inbound message");
    if (!m->sha256 || strlen(m->sha256) != 64 || (!m->raw && m->size))
        return vg_diag_set(d, VG_EINVAL, "sha256", "an inbound message needs its bytes and hash");
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
