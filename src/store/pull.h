/* The store's memory of `vigie share pull` (issue 12): for each source pulled (a MISP feed, a
 * TAXII collection), what was last imported from it, as (kind, source, key) -> value. Included
 * by store/store.h; a backend fills struct vg_store_pull_ops. */
#ifndef VG_STORE_PULL_H
#define VG_STORE_PULL_H

#include <jansson.h>
#include <stddef.h>

#include "store/base.h"

struct vg_store_pull_ops {
    int (*get)(struct vg_store *st, const char *kind, const char *source, const char *key,
               char *value, size_t cap, struct vg_diag *d);
    int (*all)(struct vg_store *st, const char *kind, const char *source, json_t **out,
               struct vg_diag *d);
    int (*put)(struct vg_store *st, const char *kind, const char *source, const char *key,
               const char *value, struct vg_diag *d);
};

/* The value of (kind, source, key) into value (cap bytes, NUL-terminated): 0, VG_ENOENT if
 * none is recorded, VG_ETOOBIG if it does not fit, VG_EIO. */
int vg_store_pull_get(struct vg_store *st, const char *kind, const char *source, const char *key,
                      char *value, size_t cap, struct vg_diag *d);
/* Every key of (kind, source): *out = {key: value, ...} (a new reference; {} if none). 0 or
 * VG_EIO / VG_ENOMEM. */
int vg_store_pull_all(struct vg_store *st, const char *kind, const char *source, json_t **out,
                      struct vg_diag *d);
/* Records value for (kind, source, key), replacing the one recorded. 0 or VG_EIO. */
int vg_store_pull_put(struct vg_store *st, const char *kind, const char *source, const char *key,
                      const char *value, struct vg_diag *d);

#endif
