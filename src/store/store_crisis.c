/* The vg_store_* functions of store/crisis.h: each calls the backend's operation; and the JSON
 * of the crisis cell's rows, the same for both backends (row_int.h). */
#include "store/crisis.h"

#include <string.h>

#include "store/row_int.h"
#include "store/store.h"
#include "util/json.h"

json_t *st_crisis_member(const struct vg_row *r)
{
    const char *kind = vg_row_text(r, 1);
    json_t *m =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)vg_row_int(r, 0), "kind", kind,
                  "name", vg_row_text(r, 2), "email", vg_row_text(r, 3), "role", vg_row_text(r, 4),
                  "added", vg_row_text(r, 5), "lang", vg_row_text(r, 9));
    if (strcmp(kind, "partner") == 0)
        json_object_set_new(m, "partner_id", json_integer(vg_row_int(r, 6)));
    else if (strcmp(kind, "contact") == 0)
        json_object_set_new(m, "org_id", json_integer(vg_row_int(r, 7)));
    else
        json_object_set_new(m, "max_tlp", json_string(vg_row_text(r, 8)));
    return m;
}

json_t *st_crisis_pending_member(const struct vg_row *r)
{
    json_t *m = st_crisis_member(r);
    if (!vg_row_is_null(r, 10))
        json_object_set_new(m, "acked", json_string(vg_row_text(r, 10)));
    return m;
}

json_t *st_crisis_log(const struct vg_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)vg_row_int(r, 0), "at",
                     vg_row_text(r, 1), "author", vg_row_text(r, 2), "text", vg_row_text(r, 3));
}

json_t *st_crisis_sitrep(const struct vg_row *r)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "number", (json_int_t)vg_row_int(r, 0),
                     "version", (json_int_t)vg_row_int(r, 1), "title", vg_row_text(r, 2), "body",
                     vg_row_text(r, 3), "tlp", vg_row_text(r, 4), "author", vg_row_text(r, 5), "at",
                     vg_row_text(r, 6));
}

json_t *st_crisis_brief(const struct vg_row *r)
{
    json_t *c = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)vg_row_int(r, 0), "title",
                          vg_row_text(r, 1), "level", vg_row_text(r, 2), "state", vg_row_text(r, 3),
                          "opened", vg_row_text(r, 4));
    json_object_set_new(c, "closed", vg_row_null(r, 5));
    return c;
}

json_t *st_crisis_head(const struct vg_row *r)
{
    json_t *c = st_crisis_brief(r);
    json_object_set_new(c, "incidents", vg_row_json(r, 6));
    json_object_set_new(c, "updated", json_string(vg_row_text(r, 7)));
    json_object_set_new(c, "closing", vg_row_json(r, 8));
    json_object_set_new(c, "review", vg_row_null(r, 9));
    json_object_set_new(c, "sitrep_every_hours", json_integer(vg_row_int(r, 10)));
    json_object_set_new(c, "reminded", vg_row_null(r, 11));
    return c;
}

json_t *st_crisis_scheduled(const struct vg_row *r)
{
    json_t *e = json_pack("{s:I,s:I,s:s}", "id", (json_int_t)vg_row_int(r, 0), "sitrep_every_hours",
                          (json_int_t)vg_row_int(r, 1), "base", vg_row_text(r, 2));
    json_object_set_new(e, "reminded", vg_row_null(r, 3));
    return e;
}

int st_crisis_sitrep_number(long long id, long long last, long long vmax, long long *number,
                            long long *version, struct vg_diag *d)
{
    if (*number && vmax == 0)
        return vg_diag_set(d, VG_ENOENT, "/number", "/number: crisis %lld has no sitrep %lld", id,
                           *number);
    if (*number) {
        *version = vmax + 1;
    } else {
        *number = last + 1;
        *version = 1;
    }
    return 0;
}

json_t *st_crisis_log_entry(long long id, const char *at, const char *author, const char *text)
{
    return json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "at", at, "author", author, "text",
                     text);
}

json_t *st_crisis_sitrep_entry(long long number, long long version, const json_t *sr,
                               const char *author, const char *at, json_t **detail)
{
    *detail = json_pack("{s:I,s:I,s:s}", "number", (json_int_t)number, "version",
                        (json_int_t)version, "tlp", vg_json_str(sr, "tlp"));
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "number", (json_int_t)number, "version",
                     (json_int_t)version, "title", vg_json_str(sr, "title"), "body",
                     vg_json_str(sr, "body"), "tlp", vg_json_str(sr, "tlp"), "author", author, "at",
                     at);
}

json_t *st_crisis_call_entry(long long rollcall, const char *sent, size_t n)
{
    return json_pack("{s:I,s:s,s:I}", "rollcall", (json_int_t)rollcall, "sent", sent, "members",
                     (json_int_t)n);
}

json_t *st_crisis_ack_entry(long long crisis, long long rollcall, long long member, const char *at,
                            json_t **detail)
{
    *detail =
        json_pack("{s:I,s:I}", "rollcall", (json_int_t)rollcall, "member", (json_int_t)member);
    return json_pack("{s:I,s:I,s:s}", "crisis_id", (json_int_t)crisis, "rollcall",
                     (json_int_t)rollcall, "acked", at);
}

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
