/* The straightforward matcher (vmatch.h vg_vmatch_naive): each CVE against each asset,
 * criterion by criterion, without any index. The reference the tests and the benchmark
 * compare the indexed matcher with; in the library, so that both link it, but no command
 * calls it (a static link leaves this file out of the vigie binary). */
#include "vuln/vmatch.h"

#include <stdlib.h>
#include <string.h>

#include "core/product.h"
#include "vuln/version.h"
#include "vuln/vuln_int.h"

/* The naive criterion test: every attribute compared, versions compared as strings. */
static bool naive_hit(const struct vg_cpe_match *m, const struct group *g)
{
    struct vg_str ver = vg_str_c(g->uver);
    const struct vg_cpe *c = &m->cpe, *a = &g->cpe;
    bool concrete = a->kind[VG_CPE_VERSION] == VG_CPE_VALUE;
    if (m->has_range && (!concrete || !vg_version_in_range(ver, &m->range)))
        return false;
    if (c->kind[VG_CPE_VERSION] == VG_CPE_NA && a->kind[VG_CPE_VERSION] != VG_CPE_NA)
        return false;
    if (c->kind[VG_CPE_VERSION] == VG_CPE_VALUE) {
        if (!concrete)
            return false;
        struct vg_str cv = vg_cpe_value(c, VG_CPE_VERSION);
        if (vg_cpe_has_wildcard(cv) ? !vg_cpe_glob(cv, vg_cpe_value(a, VG_CPE_VERSION))
                                    : vg_version_cmp(cv, vg_cpe_value(a, VG_CPE_VERSION)) != 0)
            return false;
    }
    for (int at = 0; at < VG_CPE_NATTR; at++) {
        if (at == VG_CPE_VERSION || (at > VG_CPE_PRODUCT && a->kind[at] == VG_CPE_ANY))
            continue;
        enum vg_cpe_rel r = vg_cpe_compare_attr(c, a, (enum vg_cpe_attr)at);
        if (r != VG_CPE_EQUAL && r != VG_CPE_SUPERSET)
            return false;
    }
    return true;
}

int vg_vmatch_naive(const struct vg_vuln_set *s, size_t first, size_t n, struct vg_inventory *inv,
                    struct vg_findings *out)
{
    struct hits h = {0};
    int rc = vuln_inventory_index(inv);
    size_t end = first + n < vg_vuln_set_count(s) ? first + n : vg_vuln_set_count(s);
    for (size_t en = first; en < end && rc == 0; en++) {
        const struct vg_vuln *v = vg_vuln_entry_applicability(vg_vuln_set_at(s, en));
        if (!v)
            continue;
        for (size_t as = 0; as < inv->n && rc == 0; as++) {
            const struct group *g = &inv->groups[inv->assets[as].group];
            if (v->source == VG_VULN_CVE5) {
                for (uint32_t a = 0; a < v->naffected && rc == 0; a++) {
                    char k[VG_PRODUCT_KEY_MAX + 1];
                    size_t kl =
                        vuln_name_key(v->affected[a].vendor, v->affected[a].product, k, sizeof k);
                    if (kl == g->names_len && memcmp(k, g->names, kl) == 0 &&
                        vuln_group_affected(&v->affected[a], g))
                        rc = vuln_hits_push(&h, (uint32_t)en, CVE5_BIT | a, inv->assets[as].group);
                }
                continue;
            }
            for (uint32_t mi = 0; mi < v->nmatches && rc == 0; mi++)
                if (naive_hit(&v->matches[mi], g))
                    rc = vuln_hits_push(&h, (uint32_t)en, mi, inv->assets[as].group);
        }
    }
    /* Several assets of one group give the same hit: keep one. */
    if (rc == 0 && h.n) {
        vg_sort(h.v, h.n, sizeof *h.v, vuln_cmp_hit);
        size_t k = 0;
        for (size_t i = 0; i < h.n; i++)
            if (k == 0 || h.v[i].entry != h.v[k - 1].entry || h.v[i].match != h.v[k - 1].match ||
                h.v[i].group != h.v[k - 1].group)
                h.v[k++] = h.v[i];
        h.n = k;
        rc = vuln_eval_hits(s, inv, &h, UINT32_MAX, out);
    }
    free(h.v);
    return rc;
}
