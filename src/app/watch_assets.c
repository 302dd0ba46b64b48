/* Re-match after an organisation's products change (vg_watch_org_assets): only the CVEs
 * that name its new or removed products are re-read from the store and matched. */
#include "app/watch.h"

#include <stdlib.h>
#include <string.h>

#include "app/watch_int.h"
#include "util/hash.h"
#include "vuln/cpe.h"

/* Appends the lookup keys of an asset's CPE to l (nothing if it does not parse). */
static int asset_keys(const char *cpe, struct strv *l)
{
    struct vg_cpe_name name;
    struct vg_diag d;
    if (vg_cpe_parse(vg_str_c(cpe), &name, &d) < 0)
        return 0;
    const struct vg_cpe *c = &name.cpe;
    char k[VG_MAX_CPE + 1];
    size_t kl;
    bool bad;
    int rc = 0;
    if (vg_cpe_product_key(c, k, sizeof k, &kl))
        rc = watch_strv_push(l, watch_dup_str((struct vg_str){k, kl}));
    char *k5 = watch_cve5_key(vg_cpe_value(c, VG_CPE_VENDOR), vg_cpe_value(c, VG_CPE_PRODUCT),
                              VG_PRODUCT_QUOTED, &bad);
    if (!rc && !bad)
        rc = watch_strv_push(l, k5);
    else
        free(k5);
    return rc;
}

/* ---- new assets of one organisation ---- */

static int collect_key(void *ctx, long long key)
{
    return watch_keyv_push(ctx, key);
}

int vg_watch_org_assets(struct vg_store *st, long long org, const json_t *before, size_t *nfound,
                        struct vg_diag *d)
{
    struct inv_loader il = {vg_inventory_new(), 0};
    struct strv lookups = {0};
    struct vg_strmap had, now; /* products before, and now */
    vg_strmap_init(&had);
    vg_strmap_init(&now);
    struct keyv keys = {0};
    struct loader l = {NULL, 0, 0};
    struct vg_vindex *ix = NULL;
    struct vg_findings fs;
    vg_findings_init(&fs);
    int rc = 0;
    if (nfound)
        *nfound = 0;
    if (!il.inv) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if ((rc = vg_store_finding_prune(st, org, d)))
        goto out;
    if ((rc = vg_store_vuln_assets_each(st, org, watch_load_asset, &il))) {
        vg_diag_set(d, rc, "", "cannot read the organisation's products");
        goto out;
    }
    /* the CVEs of new products, and of removed ones: a finding of a product that stays may
     * have needed the removed one (an AND configuration, a "running on" platform) */
    bool added;
    size_t bi;
    json_t *bp;
    json_array_foreach(before, bi, bp) {
        if (json_is_string(bp) &&
            vg_strmap_put(&had, json_string_value(bp), json_string_length(bp), 0, &added) < 0) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; i < vg_inventory_count(il.inv); i++) {
        const char *cpe = vg_inventory_cpe(il.inv, i);
        if (vg_strmap_put(&now, cpe, strlen(cpe), 0, &added) < 0 ||
            (vg_strmap_find(&had, cpe, strlen(cpe)) < 0 && asset_keys(cpe, &lookups))) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; i < vg_strmap_count(&had); i++) {
        const char *cpe = vg_strmap_key(&had, i);
        if (vg_strmap_find(&now, cpe, strlen(cpe)) < 0 && asset_keys(cpe, &lookups)) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    if (!lookups.n)
        goto out;
    if ((rc = watch_strv_push(&lookups,
                              watch_dup_str(VG_STR(WILD_KEY))))) { /* once for all products */
        rc = vg_diag_set(d, rc, "", "out of memory");
        goto out;
    }
    if ((rc = vg_store_vuln_keys_for_products(st, (const char *const *)lookups.v, lookups.n,
                                              collect_key, &keys))) {
        vg_diag_set(d, rc, "", "cannot read the store");
        goto out;
    }
    watch_keyv_uniq(&keys);
    if (!keys.n)
        goto out;
    l.set = vg_vuln_set_new();
    if (!l.set ||
        (rc = vg_store_vuln_each(st, keys.v, keys.n, watch_load_record, NULL, NULL, &l)) ||
        !(ix = vg_vindex_build(l.set))) {
        rc = vg_diag_set(d, rc ? rc : VG_ENOMEM, "", "cannot load the CVEs of the new products");
        goto out;
    }
    if ((rc = vg_vmatch_all(ix, l.set, il.inv, &fs))) {
        vg_diag_set(d, rc, "", "matching failed");
        goto out;
    }
    struct vg_store_fscope scope = {org, keys.v, keys.n};
    rc = watch_store_findings(st, &scope, l.set, il.inv, &fs, NULL, NULL, d);
    if (!rc && nfound)
        *nfound = fs.n;
out:
    vg_findings_cleanup(&fs);
    vg_vindex_free(ix);
    vg_vuln_set_free(l.set);
    vg_inventory_free(il.inv);
    watch_strv_clear(&lookups);
    vg_strmap_cleanup(&had);
    vg_strmap_cleanup(&now);
    free(keys.v);
    return rc;
}
