/* The vg_store_* functions of store/vuln.h: each calls the backend's operation (records put
 * once checked). */
#include "store/vuln.h"

#include <string.h>

#include "store/store.h"

int vg_store_vuln_put(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                      struct vg_diag *d)
{
    for (size_t i = 0; i < n; i++)
        if (!v[i].cve || !v[i].key || !v[i].json || !v[i].source ||
            (strcmp(v[i].source, "nvd") != 0 && strcmp(v[i].source, "cve5") != 0))
            return vg_diag_set(d, VG_EINVAL, "", "record %zu is incomplete", i);
    return st->ops->vuln->vuln_put(st, v, n, result, d);
}

int vg_store_kev_put(struct vg_store *st, const struct vg_store_kev *k, size_t n, struct vg_diag *d)
{
    return st->ops->vuln->kev_put(st, k, n, d);
}

int vg_store_epss_put(struct vg_store *st, const struct vg_store_epss *e, size_t n,
                      const char *model, const char *date, struct vg_diag *d)
{
    return st->ops->vuln->epss_put(st, e, n, model, date, d);
}

int vg_store_vuln_each(struct vg_store *st, const long long *keys, size_t nkeys,
                       vg_store_vrec_fn fn, vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx)
{
    return st->ops->vuln->vuln_each(st, keys, nkeys, fn, kfn, efn, ctx);
}

int vg_store_vuln_keys_for_products(struct vg_store *st, const char *const *products, size_t n,
                                    vg_store_key_fn fn, void *ctx)
{
    return st->ops->vuln->vuln_keys_for_products(st, products, n, fn, ctx);
}

int vg_store_vuln_assets_each(struct vg_store *st, long long org, vg_store_asset_fn fn, void *ctx)
{
    return st->ops->vuln->vuln_assets_each(st, org, fn, ctx);
}

int vg_store_vuln_products_for_names(struct vg_store *st, const char *const *names, size_t n,
                                     bool whole_orgs, vg_store_asset_fn fn, void *ctx)
{
    return st->ops->vuln->vuln_products_for_names(st, names, n, whole_orgs, fn, ctx);
}

int vg_store_finding_replace(struct vg_store *st, const struct vg_store_fscope *scope,
                             const char *const *assets, size_t nassets,
                             const struct vg_store_finding *f, size_t n, json_t **out,
                             struct vg_diag *d)
{
    return st->ops->vuln->finding_replace(st, scope, assets, nassets, f, n, out, d);
}

int vg_store_finding_prune(struct vg_store *st, long long org, struct vg_diag *d)
{
    return st->ops->vuln->finding_prune(st, org, d);
}

int vg_store_asset_ids_each(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx)
{
    return st->ops->vuln->asset_ids_each(st, fn, ctx);
}

int vg_store_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx)
{
    return st->ops->vuln->finding_sums_each(st, org, fn, ctx);
}

int vg_store_finding_list(struct vg_store *st, long long org, const char *since,
                          const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    return st->ops->vuln->finding_list(st, org, since, page, out, d);
}

int vg_store_digest_take(struct vg_store *st, long long org, json_t **out, struct vg_diag *d)
{
    return st->ops->vuln->digest_take(st, org, out, d);
}

int vg_store_vuln_get(struct vg_store *st, const char *cve, json_t **out)
{
    return st->ops->vuln->vuln_get(st, cve, out);
}

uint64_t vg_store_finding_hash(long long asset, long long key)
{
    /* splitmix64's finaliser over both numbers: distinct findings give unrelated hashes */
    uint64_t x = (uint64_t)asset * 0x9e3779b97f4a7c15ULL ^ (uint64_t)key;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}
