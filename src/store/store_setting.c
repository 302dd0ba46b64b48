/* The vg_store_* functions of store/setting.h: each calls the backend's operation. */
#include "store/setting.h"

#include <string.h>

#include "store/store.h"

/* Keys and values are checked here, once for every backend. */
static int check_key(const char *key, struct vg_diag *d)
{
    if (!key || !*key || strlen(key) > VG_SETTING_KEY_MAX)
        return vg_diag_set(d, VG_EINVAL, "key", "a setting's key is 1 to %d bytes",
                           VG_SETTING_KEY_MAX);
    return 0;
}

int vg_store_setting_get(struct vg_store *st, const char *key, char *out, size_t cap,
                         struct vg_diag *d)
{
    if (cap)
        out[0] = '\0';
    if (check_key(key, d))
        return VG_EINVAL;
    return st->ops->setting->get(st, key, out, cap, d);
}

int vg_store_setting_set(struct vg_store *st, const char *key, const char *value, struct vg_diag *d)
{
    if (check_key(key, d))
        return VG_EINVAL;
    if (!value || strlen(value) > VG_SETTING_VALUE_MAX)
        return vg_diag_set(d, VG_EINVAL, key, "a setting's value is at most %d bytes",
                           VG_SETTING_VALUE_MAX);
    return st->ops->setting->set(st, key, value, d);
}

int vg_store_setting_unset(struct vg_store *st, const char *key, struct vg_diag *d)
{
    if (check_key(key, d))
        return VG_EINVAL;
    return st->ops->setting->unset(st, key, d);
}

int vg_store_setting_list(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    return st->ops->setting->list(st, out, d);
}
