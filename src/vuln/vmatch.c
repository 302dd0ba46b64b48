/* The matcher's three ways (vmatch.h): every group against the index (full re-match), one
 * CVE against the inventory's lookup lists, one asset against the index. Each finds hits
 * (CVE, criterion, group): the index in vindex.c, the criterion tests in criteria.c; hits
 * are then evaluated per CVE and organisation (evaluate.c), since "running on" criteria may
 * be met by another asset of the same organisation. The inventory is in inventory.c. */
#include "vuln/vmatch.h"

#include <stdlib.h>

#include "core/product.h"
#include "util/mem.h"
#include "vuln/version.h"
#include "vuln/vuln_int.h"

int vg_vmatch_all(const struct vg_vindex *ix, const struct vg_vuln_set *s, struct vg_inventory *inv,
                  struct vg_findings *out)
{
    struct hits h = {0};
    int rc = vuln_inventory_index(inv);
    for (size_t g = 0; g < inv->ngroups && rc == 0; g++)
        rc = vuln_group_hits(ix, s, inv, (uint32_t)g, &h);
    /* Room for the findings at once: each hit gives at most its group's assets. */
    size_t est = out->n;
    for (size_t i = 0; i < h.n; i++)
        est += inv->groups[h.v[i].group].count;
    if (rc == 0 && est > out->cap) {
        struct vg_finding *v = vg_realloc(out->v, est * sizeof *v);
        if (v) {
            out->v = v;
            out->cap = est;
        }
    }
    if (rc == 0)
        rc = vuln_eval_hits(s, inv, &h, UINT32_MAX, out);
    free(h.v);
    return rc;
}

int vg_vmatch_vuln(const struct vg_vuln_set *s, size_t entry, struct vg_inventory *inv,
                   struct vg_findings *out)
{
    const struct vg_vuln_entry *e = vg_vuln_set_at(s, entry);
    const struct vg_vuln *v = e ? vg_vuln_entry_applicability(e) : NULL;
    if (!v)
        return 0;
    int rc = vuln_inventory_index(inv);
    if (rc < 0)
        return rc;
    struct hits h = {0};
    if (v->source == VG_VULN_CVE5) {
        for (uint32_t a = 0; a < v->naffected && rc == 0; a++) {
            char k[VG_PRODUCT_KEY_MAX + 1];
            size_t kl = vuln_name_key(v->affected[a].vendor, v->affected[a].product, k, sizeof k);
            long l = vg_strmap_find(&inv->names.keys, k, kl);
            if (l < 0)
                continue;
            for (uint32_t i = inv->names.start[l]; i < inv->names.start[l + 1] && rc == 0; i++) {
                const struct group *g = &inv->groups[inv->names.groups[i]];
                if (vuln_group_affected(&v->affected[a], g))
                    rc = vuln_hits_push(&h, (uint32_t)entry, CVE5_BIT | a, inv->names.groups[i]);
            }
        }
    } else {
        for (uint32_t mi = 0; mi < v->nmatches && rc == 0; mi++) {
            const struct vg_cpe_match *m = &v->matches[mi];
            /* Version keys of the criterion computed once, not once per group. */
            struct ixent ie;
            unsigned char kb1[VG_VERSION_KEY_MAX], kb2[VG_VERSION_KEY_MAX];
            vuln_make_ixent(m, (uint32_t)entry, mi, kb1, kb2, &ie);
            char k[VG_MAX_CPE];
            size_t kl;
            if (!vg_cpe_product_key(&m->cpe, k, sizeof k, &kl)) {
                for (uint32_t g = 0; g < inv->ngroups && rc == 0; g++)
                    if (vuln_ixent_test(s, m, &ie, &inv->groups[g]))
                        rc = vuln_hits_push(&h, (uint32_t)entry, mi, g);
                continue;
            }
            long l = vg_strmap_find(&inv->prod.keys, k, kl);
            if (l < 0)
                continue;
            for (uint32_t i = inv->prod.start[l]; i < inv->prod.start[l + 1] && rc == 0; i++) {
                if (vuln_ixent_test(s, m, &ie, &inv->groups[inv->prod.groups[i]]))
                    rc = vuln_hits_push(&h, (uint32_t)entry, mi, inv->prod.groups[i]);
            }
        }
    }
    if (rc == 0 && h.n)
        rc = vuln_eval_hits(s, inv, &h, UINT32_MAX, out);
    free(h.v);
    return rc;
}

int vg_vmatch_asset(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                    struct vg_inventory *inv, size_t asset, struct vg_findings *out)
{
    if (asset >= inv->n)
        return VG_EINVAL;
    struct hits h = {0};
    uint32_t gi = inv->assets[asset].group;
    int rc = vuln_inventory_index(inv);
    if (rc == 0)
        rc = vuln_group_hits(ix, s, inv, gi, &h);
    if (rc == 0)
        vg_sort(h.v, h.n, sizeof *h.v, vuln_cmp_hit);
    struct vg_findings tmp;
    vg_findings_init(&tmp);
    for (size_t i = 0; i < h.n && rc == 0;) {
        size_t j = i;
        while (j < h.n && h.v[j].entry == h.v[i].entry)
            j++;
        const struct vg_vuln *v = vg_vuln_entry_applicability(vg_vuln_set_at(s, h.v[i].entry));
        if (!v) {
            /* replaced since the index was built by a record without applicability */
        } else if (v->source == VG_VULN_CVE5 || v->simple) {
            bool vul = false;
            for (size_t k = i; k < j; k++)
                vul = vul || (vuln_hit_valid(v, &h.v[k]) &&
                              ((h.v[k].match & CVE5_BIT) || v->matches[h.v[k].match].vulnerable));
            if (vul)
                rc = vuln_emit(out, s, h.v[i].entry, (uint32_t)asset);
        } else {
            /* The organisation's other assets count ("running on", AND, negate): test the
             * CVE's criteria against each of them, evaluate, keep this asset's finding. */
            rc = vuln_inventory_index(inv);
            uint32_t org = inv->assets[asset].org;
            struct hits oh = {0};
            for (uint32_t mi = 0; mi < v->nmatches && rc == 0; mi++) {
                const struct vg_cpe_match *m = &v->matches[mi];
                struct ixent ie;
                unsigned char kb1[VG_VERSION_KEY_MAX], kb2[VG_VERSION_KEY_MAX];
                vuln_make_ixent(m, h.v[i].entry, mi, kb1, kb2, &ie);
                for (uint32_t k = inv->org_start[org]; k < inv->org_start[org + 1] && rc == 0;
                     k++) {
                    uint32_t g = inv->assets[inv->org_assets[k]].group;
                    if (vuln_ixent_test(s, m, &ie, &inv->groups[g]))
                        rc = vuln_hits_push(&oh, h.v[i].entry, mi, g);
                }
            }
            tmp.n = 0;
            if (rc == 0 && oh.n)
                rc = vuln_eval_hits(s, inv, &oh, org, &tmp);
            free(oh.v);
            for (size_t k = 0; k < tmp.n && rc == 0; k++)
                if (tmp.v[k].asset == asset)
                    rc = vuln_emit(out, s, h.v[i].entry, (uint32_t)asset);
        }
        i = j;
    }
    vg_findings_cleanup(&tmp);
    free(h.v);
    return rc;
}
