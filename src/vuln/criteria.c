/* Criterion tests: an NVD cpeMatch criterion (in the index's form, struct ixent: version
 * keys computed once) or a CVE 5 affected product against a group of the inventory. */
#include "vuln/vuln_int.h"

#include <string.h>

#include "vuln/version.h"

/* The criterion's version attribute against the asset's version, ranges aside. */
static bool version_attr_ok(const struct vg_cpe *crit, const struct group *g)
{
    uint8_t ak = g->cpe.kind[VG_CPE_VERSION];
    switch (crit->kind[VG_CPE_VERSION]) {
    case VG_CPE_ANY: return true;
    case VG_CPE_NA: return ak == VG_CPE_NA;
    default: break;
    }
    if (ak != VG_CPE_VALUE)
        return false;
    struct vg_str cv = vg_cpe_value(crit, VG_CPE_VERSION);
    if (vg_cpe_has_wildcard(cv))
        return vg_cpe_glob(cv, vg_cpe_value(&g->cpe, VG_CPE_VERSION));
    unsigned char k[VG_VERSION_KEY_MAX];
    size_t kl = vg_version_key(cv, k);
    return vg_version_key_cmp(k, kl, g->vkey, g->vklen) == 0;
}

/* A CVE 5 product's versions against an (unquoted) asset version. */
static bool affected_hit(const struct vg_affected *a, struct vg_str ver)
{
    bool aff = false, unaff = false;
    for (uint32_t i = 0; i < a->nversions; i++) {
        const struct vg_affected_version *av = &a->versions[i];
        bool in;
        if (av->less_than.ptr) {
            struct vg_str lo = av->version;
            bool no_lower = lo.len == 0 || vg_str_eq(lo, VG_STR("0")) || vg_str_eq(lo, VG_STR("*"));
            in = no_lower || vg_version_cmp(ver, lo) >= 0;
            struct vg_str hi = av->less_than;
            if (hi.len && hi.ptr[hi.len - 1] == '*') {
                /* "2.1.*": below 2.1, or any 2.1.x */
                struct vg_str pre = {hi.ptr, hi.len - 1};
                while (pre.len && pre.ptr[pre.len - 1] == '.')
                    pre.len--;
                bool family = ver.len >= pre.len && memcmp(ver.ptr, pre.ptr, pre.len) == 0 &&
                              (ver.len == pre.len || ver.ptr[pre.len] == '.');
                in = in && (pre.len == 0 || family || vg_version_cmp(ver, pre) < 0);
            } else {
                int c = vg_version_cmp(ver, hi);
                in = in && (av->lte ? c <= 0 : c < 0);
            }
        } else if (vg_str_eq(av->version, VG_STR("*"))) {
            in = true;
        } else {
            in = vg_version_cmp(ver, av->version) == 0;
        }
        if (in && av->affected)
            aff = true;
        if (in && av->unaffected)
            unaff = true;
    }
    if (aff || unaff)
        return aff && !unaff;
    return a->default_affected;
}

/* A CVE 5 product against a group: an asset without version ("-") is only hit by a product
 * affected whatever the version. */
bool vuln_group_affected(const struct vg_affected *a, const struct group *g)
{
    if (g->cpe.kind[VG_CPE_VERSION] != VG_CPE_VALUE)
        return a->nversions == 0 && a->default_affected;
    return affected_hit(a, vg_str_c(g->uver));
}

/* Describes criterion m (entry, index mi) for the index; keys are written to kb1 / kb2
 * (VG_VERSION_KEY_MAX bytes each) and e points at them. */
void vuln_make_ixent(const struct vg_cpe_match *m, uint32_t entry, uint32_t mi, unsigned char *kb1,
                     unsigned char *kb2, struct ixent *e)
{
    *e = (struct ixent){m, entry, mi, NULL, NULL, 0, 0, K_OTHER, 0};
    struct vg_str ver = vg_cpe_value(&m->cpe, VG_CPE_VERSION);
    bool plain_ver = m->cpe.kind[VG_CPE_VERSION] == VG_CPE_VALUE && !vg_cpe_has_wildcard(ver);
    if (m->has_range) {
        e->kind = K_RANGE;
        if (m->range.start.ptr) {
            e->l1 = (uint16_t)vg_version_key(m->range.start, kb1);
            e->k1 = kb1;
        }
        if (m->range.end.ptr) {
            e->l2 = (uint16_t)vg_version_key(m->range.end, kb2);
            e->k2 = kb2;
        }
        e->flags = (uint8_t)((m->range.start_incl ? 1 : 0) | (m->range.end_incl ? 2 : 0) |
                             (m->cpe.kind[VG_CPE_VERSION] != VG_CPE_ANY ? 4 : 0));
    } else if (plain_ver) {
        e->kind = K_EXACT;
        e->l1 = (uint16_t)vg_version_key(ver, kb1);
        e->k1 = kb1;
    }
}

/* Tests index entry e (NVD kinds) against group g; the bucket vouches for part, vendor and
 * product unless wild. */
bool vuln_ixent_hit(const struct vg_vuln_set *s, const struct ixent *e, const struct group *g,
                    bool wild)
{
    (void)s;
    const struct vg_cpe_match *m = e->rec;
    if (e->kind == K_RANGE) {
        if (g->cpe.kind[VG_CPE_VERSION] != VG_CPE_VALUE)
            return false;
        if (e->k1) {
            int c = vg_version_key_cmp(g->vkey, g->vklen, e->k1, e->l1);
            if (c < 0 || (c == 0 && !(e->flags & 1)))
                return false;
        }
        if (e->k2) {
            int c = vg_version_key_cmp(g->vkey, g->vklen, e->k2, e->l2);
            if (c > 0 || (c == 0 && !(e->flags & 2)))
                return false;
        }
        if ((e->flags & 4) && !version_attr_ok(&m->cpe, g))
            return false;
    } else if (e->kind == K_OTHER) {
        if (!version_attr_ok(&m->cpe, g))
            return false;
    } else if (e->kind == K_EXACT) {
        /* in a bucket, binary search has compared the versions already; not for the wild */
        if (wild && (g->cpe.kind[VG_CPE_VERSION] != VG_CPE_VALUE ||
                     vg_version_key_cmp(e->k1, e->l1, g->vkey, g->vklen) != 0))
            return false;
    }
    if (wild)
        for (int a = VG_CPE_PART; a <= VG_CPE_PRODUCT; a++) {
            enum vg_cpe_rel r = vg_cpe_compare_attr(&m->cpe, &g->cpe, (enum vg_cpe_attr)a);
            if (r != VG_CPE_EQUAL && r != VG_CPE_SUPERSET)
                return false;
        }
    return vuln_rest_ok(&m->cpe, &g->cpe, VG_CPE_UPDATE);
}

/* Full test of criterion m, described by ie (make_ixent), against group g. */
bool vuln_ixent_test(const struct vg_vuln_set *s, const struct vg_cpe_match *m,
                     const struct ixent *ie, const struct group *g)
{
    if (ie->kind == K_EXACT) {
        if (g->cpe.kind[VG_CPE_VERSION] != VG_CPE_VALUE ||
            vg_version_key_cmp(ie->k1, ie->l1, g->vkey, g->vklen) != 0)
            return false;
        for (int a = VG_CPE_PART; a <= VG_CPE_PRODUCT; a++) {
            enum vg_cpe_rel r = vg_cpe_compare_attr(&m->cpe, &g->cpe, (enum vg_cpe_attr)a);
            if (r != VG_CPE_EQUAL && r != VG_CPE_SUPERSET)
                return false;
        }
        return vuln_rest_ok(&m->cpe, &g->cpe, VG_CPE_UPDATE);
    }
    return vuln_ixent_hit(s, ie, g, true);
}
