/* The vg_store_* functions of store/notify.h: each calls the backend's operation. */
#include "store/notify.h"

#include "store/store.h"

int vg_store_notify_digest_pending(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    return st->ops->notify->digest_pending(st, out, d);
}

int vg_store_notify_alerts_unmailed(struct vg_store *st, int limit, json_t **out, struct vg_diag *d)
{
    return st->ops->notify->alerts_unmailed(st, limit, out, d);
}

int vg_store_notify_alert_mailed(struct vg_store *st, long long id, struct vg_diag *d)
{
    return st->ops->notify->alert_mailed(st, id, d);
}
