/* The inventory (vmatch.h): assets of organisations grouped by CPE name, with the lookup
 * lists the matcher walks (groups by product key and by CVE 5 names, assets by group and by
 * organisation), rebuilt on demand after assets were added. */
#include "vuln/inventory.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/product.h"
#include "util/mem.h"
#include "vuln/version.h"
#include "vuln/vuln_int.h"

static void glist_free(struct glist *l)
{
    vg_strmap_cleanup(&l->keys);
    free(l->start);
    free(l->groups);
    memset(l, 0, sizeof *l);
}

struct vg_inventory *vg_inventory_new(void)
{
    return vg_calloc(1, sizeof(struct vg_inventory));
}

void vg_inventory_free(struct vg_inventory *inv)
{
    if (!inv)
        return;
    vg_strmap_cleanup(&inv->orgs);
    vg_strmap_cleanup(&inv->by_cpe);
    for (size_t i = 0; i < inv->ngroups; i++) {
        free(inv->groups[i].mem);
        free(inv->groups[i].vkey);
    }
    for (size_t i = 0; i < inv->n; i++)
        free(inv->assets[i].cpe);
    free(inv->groups);
    free(inv->assets);
    glist_free(&inv->prod);
    glist_free(&inv->names);
    free(inv->org_start);
    free(inv->org_assets);
    free(inv->gstart);
    free(inv->gassets);
    free(inv);
}

size_t vg_inventory_count(const struct vg_inventory *inv)
{
    return inv->n;
}

const char *vg_inventory_org(const struct vg_inventory *inv, size_t i)
{
    return i < inv->n ? vg_strmap_key(&inv->orgs, inv->assets[i].org) : NULL;
}

const char *vg_inventory_cpe(const struct vg_inventory *inv, size_t i)
{
    return i < inv->n ? inv->assets[i].cpe : NULL;
}

static long new_group(struct vg_inventory *inv, const struct vg_cpe_name *nm)
{
    if (inv->ngroups == inv->capg) {
        size_t nc = inv->capg ? inv->capg * 2 : 256;
        struct group *g = vg_realloc(inv->groups, nc * sizeof *g);
        if (!g)
            return VG_ENOMEM;
        inv->groups = g;
        inv->capg = nc;
    }
    struct group *g = &inv->groups[inv->ngroups];
    memset(g, 0, sizeof *g);
    unsigned char key[VG_VERSION_KEY_MAX];
    struct vg_str ver = vg_cpe_value(&nm->cpe, VG_CPE_VERSION);
    size_t kl = vg_version_key(ver, key);
    /* Only what is used: the values, the unquoted version and the CVE 5 names. */
    size_t used = 0;
    for (int a = 0; a < VG_CPE_NATTR; a++)
        if (nm->cpe.kind[a] == VG_CPE_VALUE && (size_t)nm->cpe.off[a] + nm->cpe.len[a] + 1 > used)
            used = (size_t)nm->cpe.off[a] + nm->cpe.len[a] + 1;
    char uv[VG_MAX_VERSION + 1];
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_VERSION);
    vg_cpe_unquote(ver, &b);
    vg_str_copy((struct vg_str){b.data ? b.data : "", b.len}, uv, sizeof uv);
    vg_buf_cleanup(&b);
    char names[VG_PRODUCT_KEY_MAX + 1];
    long kn = vg_product_key(vg_cpe_value(&nm->cpe, VG_CPE_VENDOR),
                             vg_cpe_value(&nm->cpe, VG_CPE_PRODUCT), VG_PRODUCT_QUOTED, names,
                             sizeof names);
    size_t ln = kn > 0 ? (size_t)kn : 0; /* an asset's names hold no wildcard */
    size_t lu = strlen(uv);
    g->mem = vg_malloc(used + lu + 1 + ln + 1);
    g->vkey = vg_malloc(kl);
    if (!g->mem || !g->vkey) {
        free(g->mem);
        free(g->vkey);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < used; i++)
        g->mem[i] = (char)tolower((unsigned char)nm->text[i]);
    g->cpe = nm->cpe;
    g->cpe.text = g->mem;
    memcpy(g->mem + used, uv, lu + 1);
    g->uver = g->mem + used;
    memcpy(g->mem + used + lu + 1, names, ln);
    g->mem[used + lu + 1 + ln] = '\0';
    g->names = g->mem + used + lu + 1;
    g->names_len = ln;
    memcpy(g->vkey, key, kl);
    g->vklen = (uint16_t)kl;
    g->first = UINT32_MAX;
    return (long)inv->ngroups++;
}

long vg_inventory_add(struct vg_inventory *inv, struct vg_str org, struct vg_str cpe,
                      struct vg_diag *d)
{
    struct vg_cpe_name nm;
    int rc = vg_cpe_parse(cpe, &nm, d);
    if (rc < 0)
        return rc;
    char pk[VG_MAX_CPE];
    size_t pkl;
    if (!vg_cpe_product_key(&nm.cpe, pk, sizeof pk, &pkl))
        return vg_diag_set(d, VG_EINVAL, "",
                           "asset CPE needs a part, vendor and product "
                           "without wildcards");
    struct vg_str ver = vg_cpe_value(&nm.cpe, VG_CPE_VERSION);
    /* NA ("-") is concrete for hardware and version-less products; ANY is not. */
    if (nm.cpe.kind[VG_CPE_VERSION] == VG_CPE_ANY || vg_cpe_has_wildcard(ver) ||
        ver.len > VG_MAX_VERSION)
        return vg_diag_set(d, VG_EINVAL, "version",
                           "asset CPE needs a concrete version (or - for none)");
    if (org.len == 0 || org.len > VG_MAX_NAME)
        return vg_diag_set(d, VG_EINVAL, "org", "organisation id empty or too long");
    if (inv->n >= UINT32_MAX - 1)
        return vg_diag_set(d, VG_ENOMEM, "", "inventory full");
    struct vg_buf fs;
    vg_buf_init(&fs, 4 * VG_MAX_CPE);
    vg_cpe_write_fs(&nm.cpe, &fs);
    for (size_t i = 0; i < fs.len; i++)
        fs.data[i] = (char)tolower((unsigned char)fs.data[i]);
    bool added;
    long gi = fs.failed
                  ? -1
                  : vg_strmap_put(&inv->by_cpe, fs.data, fs.len, (uint32_t)inv->ngroups, &added);
    vg_buf_cleanup(&fs);
    if (gi < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    uint32_t group = vg_strmap_val(&inv->by_cpe, (size_t)gi);
    if (added) {
        long g = new_group(inv, &nm);
        if (g < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    long oi = vg_strmap_put(&inv->orgs, org.ptr, org.len, 0, &added);
    if (oi < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (inv->n == inv->cap) {
        size_t nc = inv->cap ? inv->cap * 2 : 1024;
        struct asset *a = vg_realloc(inv->assets, nc * sizeof *a);
        if (!a)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        inv->assets = a;
        inv->cap = nc;
    }
    struct asset *a = &inv->assets[inv->n];
    a->cpe = vg_strndup(cpe.ptr, cpe.len);
    if (!a->cpe)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    a->org = (uint32_t)oi;
    a->group = group;
    a->next = inv->groups[group].first;
    inv->groups[group].first = (uint32_t)inv->n;
    inv->groups[group].count++;
    inv->dirty = true;
    return (long)inv->n++;
}

/* Builds list l from the key of every group. which: 0 product key, 1 CVE 5 names. */
static int glist_build(struct vg_inventory *inv, struct glist *l, int which)
{
    glist_free(l);
    uint32_t *of = vg_malloc((inv->ngroups + 1) * sizeof *of);
    if (!of)
        return VG_ENOMEM;
    for (size_t g = 0; g < inv->ngroups; g++) {
        char k[VG_MAX_CPE];
        size_t kl = 0;
        const char *kp = k;
        if (which == 0) {
            if (!vg_cpe_product_key(&inv->groups[g].cpe, k, sizeof k, &kl))
                kl = 0;
        } else {
            kp = inv->groups[g].names;
            kl = inv->groups[g].names_len;
        }
        bool added;
        long e = vg_strmap_put(&l->keys, kp, kl, 0, &added);
        if (e < 0) {
            free(of);
            return VG_ENOMEM;
        }
        vg_strmap_set(&l->keys, (size_t)e, vg_strmap_val(&l->keys, (size_t)e) + 1);
        of[g] = (uint32_t)e;
    }
    size_t nl = vg_strmap_count(&l->keys);
    l->start = vg_calloc(nl + 1, sizeof *l->start);
    l->groups = vg_malloc((inv->ngroups ? inv->ngroups : 1) * sizeof *l->groups);
    if (!l->start || !l->groups) {
        free(of);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < nl; i++)
        l->start[i + 1] = l->start[i] + vg_strmap_val(&l->keys, i);
    for (size_t i = 0; i < nl; i++)
        vg_strmap_set(&l->keys, i, (uint32_t)i); /* value: list index; fill cursor below */
    uint32_t *cur = vg_malloc((nl + 1) * sizeof *cur);
    if (!cur) {
        free(of);
        return VG_ENOMEM;
    }
    memcpy(cur, l->start, (nl + 1) * sizeof *cur);
    for (size_t g = 0; g < inv->ngroups; g++)
        l->groups[cur[of[g]]++] = (uint32_t)g;
    free(cur);
    free(of);
    return 0;
}

int vuln_inventory_index(struct vg_inventory *inv)
{
    if (!inv->dirty && inv->prod.start)
        return 0;
    int rc = glist_build(inv, &inv->prod, 0);
    if (rc == 0)
        rc = glist_build(inv, &inv->names, 1);
    if (rc < 0)
        return rc;
    /* Assets by organisation (counting sort). */
    size_t no = vg_strmap_count(&inv->orgs);
    free(inv->org_start);
    free(inv->org_assets);
    inv->org_start = vg_calloc(no + 2, sizeof *inv->org_start);
    inv->org_assets = vg_malloc((inv->n ? inv->n : 1) * sizeof *inv->org_assets);
    if (!inv->org_start || !inv->org_assets)
        return VG_ENOMEM;
    for (size_t i = 0; i < inv->n; i++)
        inv->org_start[inv->assets[i].org + 2]++;
    for (size_t o = 0; o < no; o++)
        inv->org_start[o + 2] += inv->org_start[o + 1];
    for (size_t i = 0; i < inv->n; i++)
        inv->org_assets[inv->org_start[inv->assets[i].org + 1]++] = (uint32_t)i;
    /* Assets by group, contiguous: what evaluation walks for every hit. */
    size_t ng = inv->ngroups;
    free(inv->gstart);
    free(inv->gassets);
    inv->gstart = vg_calloc(ng + 2, sizeof *inv->gstart);
    inv->gassets = vg_malloc((inv->n ? inv->n : 1) * sizeof *inv->gassets);
    if (!inv->gstart || !inv->gassets)
        return VG_ENOMEM;
    for (size_t i = 0; i < inv->n; i++)
        inv->gstart[inv->assets[i].group + 2]++;
    for (size_t g = 0; g < ng; g++)
        inv->gstart[g + 2] += inv->gstart[g + 1];
    for (size_t i = 0; i < inv->n; i++)
        inv->gassets[inv->gstart[inv->assets[i].group + 1]++] =
            (struct gasset){(uint32_t)i, inv->assets[i].org};
    inv->dirty = false;
    return 0;
}
