/* The vg_store_* functions of store/indicator.h: each calls the backend's operation, but the
 * JSON import, which is the import of records on either backend. */
#include "store/indicator.h"

#include <stdlib.h>
#include <string.h>

#include "core/escalate.h"
#include "core/incident.h"
#include "store/row_int.h"
#include "store/store.h"
#include "util/mem.h"
#include "util/json.h"

json_t *st_indicator(const struct vg_row *r)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)vg_row_int(r, 0), "type",
                          vg_row_text(r, 1), "value", vg_row_text(r, 2), "tlp", vg_row_text(r, 3),
                          "source", vg_row_text(r, 4), "confidence", (json_int_t)vg_row_int(r, 5));
    json_object_set_new(o, "tags", vg_row_json(r, 6));
    json_object_set_new(o, "first_seen", vg_row_null(r, 7));
    json_object_set_new(o, "last_seen", vg_row_null(r, 8));
    json_object_set_new(o, "expires", vg_row_null(r, 9));
    json_object_set_new(o, "created", json_string(vg_row_text(r, 10)));
    json_object_set_new(o, "updated", json_string(vg_row_text(r, 11)));
    if (vg_mem_thread_failures() != before) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The organisation of columns c (its id, may be NULL) and c + 1 (its name) into o. */
static void set_org(json_t *o, const struct vg_row *r, int c)
{
    json_object_set_new(o, "org",
                        vg_row_is_null(r, c) ? json_null() : json_integer(vg_row_int(r, c)));
    json_object_set_new(o, "org_name", vg_row_null(r, c + 1));
}

/* The text columns from c on into o, under names (NULL-terminated). */
static void set_texts(json_t *o, const struct vg_row *r, int c, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        json_object_set_new(o, names[i], json_string(vg_row_text(r, c + i)));
}

json_t *st_sighting(const struct vg_row *r)
{
    /* tlp: the one that applies */
    static const char *const texts[] = {"seen", "value", "field", "source", "tlp", NULL};
    json_t *o = json_pack("{s:I,s:{s:I,s:s,s:s}}", "id", (json_int_t)vg_row_int(r, 0), "indicator",
                          "id", (json_int_t)vg_row_int(r, 1), "type", vg_row_text(r, 2), "value",
                          vg_row_text(r, 3));
    set_org(o, r, 4);
    set_texts(o, r, 6, texts);
    return o;
}

json_t *st_alert(const struct vg_row *r)
{
    static const char *const texts[] = {"day", "first_seen", "last_seen", NULL};
    json_t *o = json_pack("{s:I,s:{s:I,s:s,s:s,s:s}}", "id", (json_int_t)vg_row_int(r, 0),
                          "indicator", "id", (json_int_t)vg_row_int(r, 1), "type",
                          vg_row_text(r, 2), "value", vg_row_text(r, 3), "tlp", vg_row_text(r, 4));
    set_org(o, r, 5);
    set_texts(o, r, 7, texts);
    json_object_set_new(o, "count", json_integer(vg_row_int(r, 10)));
    json_object_set_new(o, "status", json_string(vg_row_text(r, 11)));
    json_object_set_new(o, "incident", vg_row_null(r, 12));
    return o;
}

int st_alert_incident(const json_t *alert, long long id, const json_t *seen, const json_t *fields,
                      json_t **inc, struct vg_incident_new *rec, struct vg_diag *d)
{
    if (strcmp(vg_json_str(alert, "status"), "open") != 0)
        return vg_diag_set(d, VG_ECONFLICT, "status", "alert %lld is already escalated to %s", id,
                           vg_json_str(alert, "incident"));
    json_t *ind = json_object_get(alert, "indicator"), *org = json_object_get(alert, "org");
    const char *values[100];
    size_t nseen = json_array_size(seen);
    if (nseen > 100)
        nseen = 100;
    for (size_t k = 0; k < nseen; k++)
        values[k] = json_string_value(json_array_get(seen, k));
    struct vg_escalation e = {
        .ind_type = vg_json_str(ind, "type"),
        .ind_value = vg_json_str(ind, "value"),
        .ind_tlp = vg_json_str(ind, "tlp"),
        .org = json_is_integer(org) ? json_integer_value(org) : 0,
        .org_name = vg_json_str(alert, "org_name"),
        .seen = values,
        .nseen = nseen,
    };
    int rc = vg_escalate_incident(&e, fields, inc, d);
    if (!rc)
        rc = vg_incident_new_from_json(*inc, rec, d);
    if (!rc)
        rec->from_alert = id;
    return rc;
}

int vg_store_indicator_import_recs(struct vg_store *st, const struct vg_actor *who,
                                   const struct vg_indicator_rec *v, size_t n, long long *ids,
                                   struct vg_indicator_import_counts *counts, struct vg_diag *d)
{
    return st->ops->indicator->indicator_import_recs(st, who, v, n, ids, counts, d);
}

int vg_store_indicator_get(struct vg_store *st, long long id, json_t **out)
{
    return st->ops->indicator->indicator_get(st, id, out);
}

int vg_store_indicator_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                            json_t **out, struct vg_diag *d)
{
    return st->ops->indicator->indicator_list(st, filters, page, out, d);
}

int vg_store_indicator_each(struct vg_store *st, const char *now,
                            int (*fn)(void *ctx, long long id, const char *type, const char *value),
                            void *ctx)
{
    return st->ops->indicator->indicator_each(st, now, fn, ctx);
}

int vg_store_indicator_version(struct vg_store *st, const char *now, char *out, size_t cap)
{
    return st->ops->indicator->indicator_version(st, now, out, cap);
}

int vg_store_sightings_record(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_sighting *v, size_t n, long long *alerts,
                              struct vg_diag *d)
{
    return st->ops->indicator->sightings_record(st, who, v, n, alerts, d);
}

int vg_store_follow_put(struct vg_store *st, const char *follower,
                        const struct vg_follow_position *v, size_t n, struct vg_diag *d)
{
    return st->ops->indicator->follow_put(st, follower, v, n, d);
}

int vg_store_follow_each(struct vg_store *st, const char *follower,
                         int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                         struct vg_diag *d)
{
    return st->ops->indicator->follow_each(st, follower, fn, ctx, d);
}

int vg_store_sighting_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d)
{
    return st->ops->indicator->sighting_list(st, filters, page, out, d);
}

int vg_store_alert_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d)
{
    return st->ops->indicator->alert_list(st, filters, page, out, d);
}

int vg_store_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                            const json_t *fields, json_t **out, struct vg_diag *d)
{
    return st->ops->indicator->alert_escalate(st, who, id, fields, out, d);
}

int vg_store_indicator_rows_open(struct vg_store *st, const char *type, const char *source,
                                 struct vg_indicator_rows **out, size_t *count, struct vg_diag *d)
{
    return st->ops->indicator->indicator_rows_open(st, type, source, out, count, d);
}

int vg_store_indicator_rows_next(struct vg_store *st, struct vg_indicator_rows *c,
                                 const struct vg_indicator_row **row, struct vg_diag *d)
{
    return st->ops->indicator->indicator_rows_next(st, c, row, d);
}

void vg_store_indicator_rows_close(struct vg_store *st, struct vg_indicator_rows *c)
{
    if (c)
        st->ops->indicator->indicator_rows_close(st, c);
}

/* The record of a checked indicator (core/record.h); tags (a new text, or NULL) holds its
 * tags as stored. -1 when out of memory. */
static int rec_of(const json_t *ind, struct vg_indicator_rec *r, char **tags)
{
    const json_t *conf = json_object_get(ind, "confidence"), *t = json_object_get(ind, "tags");
    *tags = t ? vg_json_dump(t) : NULL;
    *r = (struct vg_indicator_rec){vg_json_str(ind, "type"),
                                   vg_json_str(ind, "value"),
                                   vg_json_str(ind, "tlp"),
                                   vg_json_str(ind, "source"),
                                   json_is_integer(conf) ? (int)json_integer_value(conf) : -1,
                                   *tags,
                                   vg_json_str(ind, "first_seen"),
                                   vg_json_str(ind, "last_seen"),
                                   vg_json_str(ind, "expires")};
    return t && !*tags ? -1 : 0;
}

int vg_store_indicator_import(struct vg_store *st, const struct vg_actor *who, const json_t *inds,
                              json_t **out, struct vg_diag *d)
{
    /* one path for every import, on either backend: the objects as records */
    size_t n = json_array_size(inds), i;
    struct vg_indicator_rec *v = vg_calloc(n ? n : 1, sizeof *v);
    char **tags = vg_calloc(n ? n : 1, sizeof *tags);
    long long *idv = vg_calloc(n ? n : 1, sizeof *idv);
    /* the answer whole before the import: nothing may fail once the rows are written */
    json_t *ids = json_array(), *summary = NULL;
    int rc = VG_ENOMEM;
    if (!v || !tags || !idv || !ids)
        goto out;
    for (i = 0; i < n; i++)
        if (rec_of(json_array_get(inds, i), &v[i], &tags[i]) < 0 ||
            json_array_append_new(ids, json_integer(0)) != 0)
            goto out;
    summary = json_pack("{s:I,s:I,s:I,s:O}", "added", (json_int_t)0, "updated", (json_int_t)0,
                        "unchanged", (json_int_t)0, "ids", ids);
    if (!summary)
        goto out;
    struct vg_indicator_import_counts c;
    rc = vg_store_indicator_import_recs(st, who, v, n, idv, &c, d);
    if (rc)
        goto out;
    for (i = 0; i < n; i++)
        json_integer_set(json_array_get(ids, i), (json_int_t)idv[i]);
    json_integer_set(json_object_get(summary, "added"), (json_int_t)c.added);
    json_integer_set(json_object_get(summary, "updated"), (json_int_t)c.updated);
    json_integer_set(json_object_get(summary, "unchanged"), (json_int_t)c.unchanged);
    *out = summary;
    summary = NULL;
out:
    if (rc == VG_ENOMEM)
        vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (i = 0; tags && i < n; i++)
        free(tags[i]);
    free(tags);
    free(v);
    free(idv);
    json_decref(ids);
    json_decref(summary);
    return rc;
}
