/* The store's queue of public reports held over the intake's global cap, waiting for an
 * analyst. Included by store/store.h; a backend fills struct vg_store_report_ops. */
#ifndef VG_STORE_REPORT_H
#define VG_STORE_REPORT_H

#include <jansson.h>

#include "store/base.h"

struct vg_store_report_ops {
    int (*queue_add)(struct vg_store *st, const json_t *report, const char *client, long long max,
                     long long *id, struct vg_diag *d);
    int (*queue_list)(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d);
    int (*queue_get)(struct vg_store *st, long long id, json_t **out);
    int (*queue_remove)(struct vg_store *st, long long id, struct vg_diag *d);
};

/* Holds a checked report from client; *id = its queue id. VG_ETOOBIG when the queue already
 * holds max reports (nothing written). Run it inside the caller's transaction. */
int vg_store_queue_add(struct vg_store *st, const json_t *report, const char *client, long long max,
                       long long *id, struct vg_diag *d);
/* The held reports, oldest first: *out = {"items": [{"id","received","client","report"}],
 * "next_cursor": ... or null}. */
int vg_store_queue_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d);
/* *out = one held report as listed; VG_ENOENT if there is none of that id. */
int vg_store_queue_get(struct vg_store *st, long long id, json_t **out);
/* Removes a held report; VG_ENOENT if there is none of that id. */
int vg_store_queue_remove(struct vg_store *st, long long id, struct vg_diag *d);

#endif
