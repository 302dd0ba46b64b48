/* The vg_store_* functions of store/stats.h: each calls the backend's operation. */
#include "store/stats.h"

#include "store/store.h"

int vg_store_stats_incident_days(struct vg_store *st, const char *since, const char *until,
                                 json_t **out, struct vg_diag *d)
{
    return st->ops->stats->incident_days(st, since, until, out, d);
}

int vg_store_stats_open_by_severity(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    return st->ops->stats->open_by_severity(st, out, d);
}

int vg_store_stats_median(struct vg_store *st, enum vg_stats_duration what, const char *since,
                          const char *until, double *median, long long *n, struct vg_diag *d)
{
    return st->ops->stats->median(st, what, since, until, median, n, d);
}

int vg_store_stats_top_sighted(struct vg_store *st, int limit, json_t **out, struct vg_diag *d)
{
    return st->ops->stats->top_sighted(st, limit, out, d);
}

int vg_store_stats_findings_by_priority(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    return st->ops->stats->findings_by_priority(st, out, d);
}
