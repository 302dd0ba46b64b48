/* The vg_store_* functions of store/report.h: each calls the backend's operation. */
#include "store/report.h"

#include "store/store.h"

int vg_store_queue_add(struct vg_store *st, const json_t *report, const char *client, long long max,
                       long long *id, struct vg_diag *d)
{
    return st->ops->report->queue_add(st, report, client, max, id, d);
}

int vg_store_queue_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d)
{
    return st->ops->report->queue_list(st, page, out, d);
}

int vg_store_queue_get(struct vg_store *st, long long id, json_t **out)
{
    return st->ops->report->queue_get(st, id, out);
}

int vg_store_queue_remove(struct vg_store *st, long long id, struct vg_diag *d)
{
    return st->ops->report->queue_remove(st, id, d);
}
