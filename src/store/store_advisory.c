/* The vg_store_* functions of store/advisory.h: each calls the backend's operation; and the
 * JSON of the advisories' rows, the same for both backends (row_int.h). */
#include "store/advisory.h"

#include <string.h>

#include "store/row_int.h"
#include "store/store.h"
#include "util/json.h"
#include "util/mem.h"

/* The times of an advisory's row into a (a record or a row of a list). */
static void set_times(json_t *a, const struct vg_row *r)
{
    json_object_set_new(a, "created_at", json_string(vg_row_text(r, 14)));
    json_object_set_new(a, "updated_at", json_string(vg_row_text(r, 15)));
    json_object_set_new(a, "published_at", vg_row_null(r, 16));
    json_object_set_new(a, "last_published_at", vg_row_null(r, 17));
    json_object_set_new(a, "closed_at", vg_row_null(r, 18));
}

json_t *st_advisory(const struct vg_row *r)
{
    json_t *a = json_pack("{s:s,s:s,s:I,s:I,s:s,s:I,s:s,s:s}", "ref", vg_row_text(r, 1), "kind",
                          vg_row_text(r, 2), "year", (json_int_t)vg_row_int(r, 3), "number",
                          (json_int_t)vg_row_int(r, 4), "status", vg_row_text(r, 5), "version",
                          (json_int_t)vg_row_int(r, 6), "title", vg_row_text(r, 7), "tlp",
                          vg_row_text(r, 8));
    json_object_set_new(a, "published", vg_row_json(r, 9));
    json_object_set_new(a, "draft", vg_row_json(r, 10));
    json_object_set_new(a, "pending_description", vg_row_null(r, 11));
    json_object_set_new(a, "authors", vg_row_json(r, 12));
    json_object_set_new(a, "internal", vg_row_json(r, 13));
    set_times(a, r);
    return a;
}

json_t *st_advisory_brief(const struct vg_row *r)
{
    json_t *a = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:I}", "ref", vg_row_text(r, 1), "kind",
                          vg_row_text(r, 2), "status", vg_row_text(r, 5), "version",
                          (json_int_t)vg_row_int(r, 6), "title", vg_row_text(r, 7), "tlp",
                          vg_row_text(r, 8), "year", (json_int_t)vg_row_int(r, 3));
    set_times(a, r);
    return a;
}

json_t *st_advisory_revision(const struct vg_row *r)
{
    return json_pack("{s:I,s:s,s:s,s:s}", "version", (json_int_t)vg_row_int(r, 0), "date",
                     vg_row_text(r, 1), "description", vg_row_text(r, 2), "publisher",
                     vg_row_text(r, 3));
}

const json_t *st_advisory_working_text(const json_t *rec)
{
    const json_t *draft = json_object_get(rec, "draft");
    return json_is_object(draft) ? draft : json_object_get(rec, "published");
}

char *st_like_pattern(const char *q, bool lower)
{
    size_t n = strlen(q);
    char *p = vg_malloc(2 * n + 3), *w = p;
    if (!p)
        return NULL;
    *w++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
            *w++ = '\\';
        *w++ = lower && q[i] >= 'A' && q[i] <= 'Z' ? (char)(q[i] - 'A' + 'a') : q[i];
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

int vg_store_advisory_create(struct vg_store *st, const struct vg_actor *who, const json_t *content,
                             const char *code, int year, const json_t *internal, json_t **out,
                             struct vg_diag *d)
{
    const char *kind = vg_json_str(content, "kind");
    if (year < 1 || year > 9999)
        return vg_diag_set(d, VG_EINVAL, "year", "year %d out of range", year);
    if (!kind || !code || !*code)
        return vg_diag_set(d, VG_EINVAL, "/kind", "an advisory needs a kind and its code");
    return st->ops->advisory->create(st, who, content, code, year, internal, out, d);
}

int vg_store_advisory_get(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->advisory->get(st, ref, out);
}

int vg_store_advisory_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->advisory->list(st, filters, page, out, d);
}

int vg_store_advisory_save(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *rec, const json_t *revision, const char *action,
                           const json_t *detail, json_t **out, struct vg_diag *d)
{
    const json_t *text = st_advisory_working_text(rec);
    if (!vg_json_str(text, "title") || !vg_json_str(text, "tlp") || !vg_json_str(rec, "status"))
        return vg_diag_set(d, VG_EINVAL, "", "advisory %s: a record needs a status and a text",
                           ref);
    return st->ops->advisory->save(st, who, ref, rec, revision, action, detail, out, d);
}

int vg_store_advisory_published_each(struct vg_store *st, int (*fn)(void *ctx, const json_t *rec),
                                     void *ctx)
{
    return st->ops->advisory->published_each(st, fn, ctx);
}

int vg_store_advisory_published_stamp(struct vg_store *st, char *out, size_t cap)
{
    return st->ops->advisory->published_stamp(st, out, cap);
}
