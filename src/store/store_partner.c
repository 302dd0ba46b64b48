/* The vg_store_* functions of store/partner.h: each calls the backend's operation; and the
 * JSON of the partners' rows, the same for both backends (row_int.h). */
#include "store/partner.h"

#include <stdio.h>

#include "store/row_int.h"
#include "store/store.h"

json_t *st_partner(const struct vg_row *r)
{
    json_t *p = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)vg_row_int(r, 0), "name",
                          vg_row_text(r, 1), "country", vg_row_text(r, 2));
    json_object_set_new(p, "networks", vg_row_json(r, 3));
    json_object_set_new(p, "contacts", vg_row_json(r, 4));
    json_object_set_new(p, "max_tlp", json_string(vg_row_text(r, 5)));
    json_object_set_new(p, "disabled", json_boolean(vg_row_int(r, 6) != 0));
    json_object_set_new(p, "created", json_string(vg_row_text(r, 7)));
    json_object_set_new(p, "updated", json_string(vg_row_text(r, 8)));
    return p;
}

json_t *st_partner_token(const struct vg_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)vg_row_int(r, 0), "label",
                     vg_row_text(r, 1), "created", vg_row_text(r, 2), "last_used",
                     vg_row_null(r, 4), "revoked", vg_row_null(r, 3));
}

json_t *st_partner_token_new(long long id, const char *label, const char *created)
{
    return json_pack("{s:I,s:s,s:s,s:n,s:n}", "id", (json_int_t)id, "label", label, "created",
                     created, "last_used", "revoked");
}

void st_partner_actor(const struct vg_row *r, struct vg_actor *out, struct vg_token_meta *meta)
{
    *out = (struct vg_actor){0};
    out->partner_id = vg_row_int(r, 0);
    snprintf(out->name, sizeof out->name, "%s", vg_row_text(r, 1));
    snprintf(out->role, sizeof out->role, "partner");
    *meta = (struct vg_token_meta){0};
    meta->id = vg_row_int(r, 2);
    snprintf(meta->kind, sizeof meta->kind, "partner");
    snprintf(meta->last_used, sizeof meta->last_used, "%s", vg_row_text(r, 3));
}

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
