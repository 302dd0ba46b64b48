/* The store's organisations: the constituency with its assets and contacts, and the
 * attribution table built from them. Included by store/store.h; a backend fills struct
 * vg_store_org_ops. */
#ifndef VG_STORE_ORG_H
#define VG_STORE_ORG_H

#include <jansson.h>

#include "store/base.h"

/* The operations a backend implements for organisations. */
struct vg_store_org_ops {
    int (*org_create)(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                      json_t **out, struct vg_diag *d);
    int (*org_get)(struct vg_store *st, long long id, json_t **out);
    int (*org_list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                    json_t **out, struct vg_diag *d);
    int (*org_update)(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *patch, json_t **out, struct vg_diag *d);
    int (*org_find_by_domain)(struct vg_store *st, const char *domain, json_t **out);
};

/* Unless said otherwise, each of these returns 0, VG_ENOENT when the named thing does not
 * exist, VG_EINVAL / VG_ECONFLICT / VG_EEXIST with a message in d, or VG_EIO (a store
 * failure, message in d when given). *out is a new reference. */

/* Creates organisation org (checked by vg_org_check), with its domains indexed for
 * vg_store_org_find_by_domain; VG_EEXIST (field "name") if one of that name exists, or (field
 * "/assets/domains/N", the owner named) if another organisation claims one of its domains: a
 * domain has one owner, a subdomain of it may be another's. Nothing is written then. *out =
 * the organisation as vg_store_org_get gives it. */
int vg_store_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                        json_t **out, struct vg_diag *d);
struct vg_attrib;
/* The attribution table (core/attrib.h) of every organisation's assets, read page by page;
 * NULL on failure (d filled). Free with vg_attrib_free. */
struct vg_attrib *vg_store_attrib_new(struct vg_store *st, struct vg_diag *d);
/* *out = {"id","name","kind","sector","eligible","assets","contacts","created","updated"}. */
int vg_store_org_get(struct vg_store *st, long long id, json_t **out);
/* *out = {"items":[...], "next_cursor": "..." or null}, in id order. */
int vg_store_org_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d);
/* The same list narrowed by filters (NULL: none), each optional: "name" (a part of the name,
 * ASCII letters in any case), "kind", "sector" (equal). */
int vg_store_org_search(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d);
/* Applies patch (vg_org_check, VG_CHECK_PATCH) to organisation id; VG_ENOENT if there is
 * none, VG_EEXIST as vg_store_org_create for a name or a domain another one holds. *out = the
 * organisation after it. */
int vg_store_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                        const json_t *patch, json_t **out, struct vg_diag *d);
/* The organisation owning domain or, failing that, the nearest of its parent domains (the most
 * specific claim), or VG_ENOENT. */
int vg_store_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out);

#endif
