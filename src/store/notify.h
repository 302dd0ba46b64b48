/* The store's side of the periodic notifications by mail (issue 15, app/notify.c): which
 * organisations have findings their digest has not shown yet, and the detection alerts the
 * mail round has not handled. Included by store/store.h; a backend fills
 * struct vg_store_notify_ops. The backend decides nothing: the period, the TLP gate and the
 * recipients are app/notify.c's. */
#ifndef VG_STORE_NOTIFY_H
#define VG_STORE_NOTIFY_H

#include <jansson.h>

#include "store/base.h"

struct vg_store_notify_ops {
    int (*digest_pending)(struct vg_store *st, json_t **out, struct vg_diag *d);
    int (*alerts_unmailed)(struct vg_store *st, int limit, json_t **out, struct vg_diag *d);
    int (*alert_mailed)(struct vg_store *st, long long id, struct vg_diag *d);
};

/* The organisations that have findings newer than their last digest, by id:
 * *out = [{"org": id, "name", "last": the time of their last digest or null}]. 0 or VG_EIO. */
int vg_store_notify_digest_pending(struct vg_store *st, json_t **out, struct vg_diag *d);

/* Up to limit alerts that have an organisation and were not handled by the mail round yet,
 * by organisation then id: *out = [{"id","org","day","first_seen","last_seen","count",
 * "indicator":{"id","type","value","tlp"}}]. 0 or VG_EIO. */
int vg_store_notify_alerts_unmailed(struct vg_store *st, int limit, json_t **out,
                                    struct vg_diag *d);

/* Marks alert id handled by the mail round (mailed or refused by the gate: never again).
 * Run it in the transaction that queues the mail. 0, VG_ENOENT, VG_EIO. */
int vg_store_notify_alert_mailed(struct vg_store *st, long long id, struct vg_diag *d);

#endif
