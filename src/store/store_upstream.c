/* The vg_store_* functions of store/upstream.h: each calls the backend's operation, a record
 * put once checked; and what both backends do alike with the upstream advisories' rows
 * (row_int.h). */
#include "store/upstream.h"

#include <string.h>

#include "store/row_int.h"
#include "store/store.h"
#include "util/json.h"

json_t *st_upstream(const struct vg_row *r)
{
    json_t *a = json_pack("{s:s,s:s,s:s,s:s}", "ref", vg_row_text(r, 1), "source",
                          vg_row_text(r, 2), "title", vg_row_text(r, 3), "kind", vg_row_text(r, 4));
    if (!a)
        return NULL;
    json_object_set_new(a, "first_revision_date", vg_row_null(r, 5));
    json_object_set_new(a, "last_revision_date", vg_row_null(r, 6));
    json_object_set_new(a, "revisions", json_integer((json_int_t)vg_row_int(r, 7)));
    json_object_set_new(a, "closed_at", vg_row_null(r, 8));
    json_object_set_new(a, "cves", vg_row_json(r, 11));
    json_object_set_new(a, "imported", json_string(vg_row_text(r, 9)));
    json_object_set_new(a, "updated", json_string(vg_row_text(r, 10)));
    return a;
}

int st_upstream_compare_held(const json_t *rec, const char *held_last, long long held_revs)
{
    const char *last = vg_json_str(rec, "last_date");
    int c = strcmp(last ? last : "", held_last);
    if (c)
        return c < 0 ? -1 : 1;
    long long revs = json_integer_value(json_object_get(rec, "revisions"));
    return revs < held_revs ? -1 : revs > held_revs;
}

int st_upstream_group_row(json_t *list, json_t **cur, const struct vg_row *r, const char *why,
                          const char *key)
{
    long long org = vg_row_int(r, 0);
    if (!*cur || json_integer_value(json_object_get(*cur, "org")) != org) {
        *cur = json_pack("{s:I,s:s,s:s,s:[]}", "org", (json_int_t)org, "name", vg_row_text(r, 1),
                         "why", why, key);
        if (!*cur || json_array_append_new(list, *cur))
            return VG_ENOMEM;
    }
    return json_array_append_new(json_object_get(*cur, key), json_string(vg_row_text(r, 2)))
               ? VG_ENOMEM
               : 0;
}

json_t *st_upstream_merge(const json_t *byfinding, const json_t *byproduct)
{
    json_t *all = json_array();
    size_t i = 0, j = 0, nf = json_array_size(byfinding), np = json_array_size(byproduct);
    while (all && (i < nf || j < np)) {
        json_t *f = i < nf ? json_array_get(byfinding, i) : NULL;
        json_t *p = j < np ? json_array_get(byproduct, j) : NULL;
        bool take_f = f && (!p || json_integer_value(json_object_get(f, "org")) <=
                                      json_integer_value(json_object_get(p, "org")));
        json_array_append(all, take_f ? f : p);
        if (take_f)
            i++;
        else
            j++;
    }
    return all;
}

int vg_store_upstream_put(struct vg_store *st, const struct vg_actor *who, const json_t *rec,
                          int *result, struct vg_diag *d)
{
    if (!vg_json_str(rec, "source") || !vg_json_str(rec, "ref") || !vg_json_str(rec, "title") ||
        !vg_json_str(rec, "kind"))
        return vg_diag_set(d, VG_EINVAL, "",
                           "an upstream advisory needs a source, a reference, "
                           "a title and a kind");
    return st->ops->upstream->put(st, who, rec, result, d);
}

int vg_store_upstream_get(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->upstream->get(st, ref, out);
}

int vg_store_upstream_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->upstream->list(st, filters, page, out, d);
}

int vg_store_upstream_constituents(struct vg_store *st, const char *ref, json_t **out)
{
    return st->ops->upstream->constituents(st, ref, out);
}
