/* The vg_store_* functions of store/indicator.h: each calls the backend's operation. */
#include "store/indicator.h"

#include "store/store.h"

int vg_store_indicator_import(struct vg_store *st, const struct vg_actor *who, const json_t *inds,
                              json_t **out, struct vg_diag *d)
{
    return st->ops->indicator->indicator_import(st, who, inds, out, d);
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
