/* The vg_store_* functions of store/setting.h: each calls the backend's operation. */
#include "store/setting.h"

#include "store/store.h"

int vg_store_setting_get(struct vg_store *st, const char *key, char *out, size_t cap,
                         struct vg_diag *d)
{
    return st->ops->setting->get(st, key, out, cap, d);
}

int vg_store_setting_set(struct vg_store *st, const char *key, const char *value, struct vg_diag *d)
{
    return st->ops->setting->set(st, key, value, d);
}

int vg_store_setting_unset(struct vg_store *st, const char *key, struct vg_diag *d)
{
    return st->ops->setting->unset(st, key, d);
}

int vg_store_setting_list(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    return st->ops->setting->list(st, out, d);
}
