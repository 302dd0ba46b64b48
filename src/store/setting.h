/* The store's settings (issue 15): a deployment's options kept in the database as key/value
 * pairs (`vigie config set smtp.url ...`). Included by store/store.h; a backend fills struct
 * vg_store_setting_ops. The backend checks nothing but lengths: app/mail_config.c knows the
 * keys and what their values may be. */
#ifndef VG_STORE_SETTING_H
#define VG_STORE_SETTING_H

#include <jansson.h>

#include "store/base.h"

#define VG_SETTING_KEY_MAX   64   /* bytes of a key */
#define VG_SETTING_VALUE_MAX 1024 /* bytes of a value */

struct vg_store_setting_ops {
    int (*get)(struct vg_store *st, const char *key, char *out, size_t cap, struct vg_diag *d);
    int (*set)(struct vg_store *st, const char *key, const char *value, struct vg_diag *d);
    int (*unset)(struct vg_store *st, const char *key, struct vg_diag *d);
    int (*list)(struct vg_store *st, json_t **out, struct vg_diag *d);
};

/* The value of key into out (cap bytes, NUL-terminated). 0; VG_ENOENT (not set: out = "");
 * VG_EINVAL (the value does not fit in cap); VG_EIO. */
int vg_store_setting_get(struct vg_store *st, const char *key, char *out, size_t cap,
                         struct vg_diag *d);
/* Sets key to value (replacing it), its own transaction. VG_EINVAL (key or value too long),
 * VG_EIO. */
int vg_store_setting_set(struct vg_store *st, const char *key, const char *value,
                         struct vg_diag *d);
/* Removes key. 0; VG_ENOENT (was not set); VG_EIO. */
int vg_store_setting_unset(struct vg_store *st, const char *key, struct vg_diag *d);
/* Every setting, by key: *out = {"items": [{"key","value","updated"}...]}. 0; VG_ENOMEM,
 * VG_EIO. */
int vg_store_setting_list(struct vg_store *st, json_t **out, struct vg_diag *d);

#endif
