/* The matcher. Criteria are indexed by "part:vendor:product"; within a product, criteria
 * naming one exact version are sorted by version key (binary search), the others (ranges,
 * wildcards, any version) scanned. Assets with the same CPE form one group, matched once.
 * Hits (CVE, criterion, group) are then sorted by CVE and each CVE's configurations are
 * evaluated per organisation, since "running on" criteria may be met by another asset of
 * the same organisation. */
#include "vuln/vmatch.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/product.h"
#include "vuln/version.h"

/* ---- a string -> uint32 hash map with its own copy of the keys ---- */

struct smap_ent {
    size_t off;    /* key in kbuf (NUL-terminated) */
    uint32_t len;  /* key length */
    uint32_t val;  /* value */
    uint32_t hash; /* key hash */
};

struct smap {
    char *kbuf;
    size_t klen, kcap;
    struct smap_ent *ents;
    size_t n, cap;
    uint32_t *slots; /* entry index + 1; 0 empty */
    size_t nslots;
};

static uint32_t hash_bytes(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h;
}

static void smap_free(struct smap *m)
{
    free(m->kbuf);
    free(m->ents);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static long smap_get(const struct smap *m, const char *k, size_t n)
{
    if (!m->nslots)
        return -1;
    uint32_t h = hash_bytes(k, n);
    for (size_t i = h & (m->nslots - 1); m->slots[i]; i = (i + 1) & (m->nslots - 1)) {
        const struct smap_ent *e = &m->ents[m->slots[i] - 1];
        if (e->hash == h && e->len == n && memcmp(m->kbuf + e->off, k, n) == 0)
            return (long)m->slots[i] - 1;
    }
    return -1;
}

/* Returns the entry index of key k, adding it with value val if absent; -1 if out of
 * memory. *added tells which. */
static long smap_put(struct smap *m, const char *k, size_t n, uint32_t val, bool *added)
{
    long i = smap_get(m, k, n);
    *added = false;
    if (i >= 0)
        return i;
    if ((m->n + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 256;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return -1;
        for (size_t j = 0; j < m->n; j++) {
            size_t h = m->ents[j].hash & (ns - 1);
            while (sl[h])
                h = (h + 1) & (ns - 1);
            sl[h] = (uint32_t)(j + 1);
        }
        free(m->slots);
        m->slots = sl;
        m->nslots = ns;
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        struct smap_ent *e = realloc(m->ents, nc * sizeof *e);
        if (!e)
            return -1;
        m->ents = e;
        m->cap = nc;
    }
    if (m->klen + n + 1 > m->kcap) {
        size_t nc = m->kcap ? m->kcap * 2 : 4096;
        while (nc < m->klen + n + 1)
            nc *= 2;
        char *kb = realloc(m->kbuf, nc);
        if (!kb)
            return -1;
        m->kbuf = kb;
        m->kcap = nc;
    }
    memcpy(m->kbuf + m->klen, k, n);
    m->kbuf[m->klen + n] = '\0';
    uint32_t h = hash_bytes(k, n);
    m->ents[m->n] = (struct smap_ent){m->klen, (uint32_t)n, val, h};
    m->klen += n + 1;
    size_t s = h & (m->nslots - 1);
    while (m->slots[s])
        s = (s + 1) & (m->nslots - 1);
    m->slots[s] = (uint32_t)(++m->n);
    *added = true;
    return (long)m->n - 1;
}

/* qsort, which must not be given a NULL base even for no elements. */
static void sort_n(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, sz, cmp);
}

/* ---- keys ---- */

/* The key of (vendor, product) names already normalised, as CVE 5 records hold them:
 * "vendor:product" (core/product.h). */
static size_t name_key(struct vg_str vendor, struct vg_str product, char *out, size_t cap)
{
    if (vendor.len + product.len + 2 > cap)
        return 0;
    memcpy(out, vendor.ptr, vendor.len);
    out[vendor.len] = ':';
    memcpy(out + vendor.len + 1, product.ptr, product.len);
    return vendor.len + product.len + 1;
}

/* ---- inventory ---- */

struct group {
    struct vg_cpe cpe;          /* the parsed CPE, lower-cased; text in mem */
    char *mem;                  /* owns: CPE values, then uver, then names */
    const char *uver;           /* version without quoting ("" for -) */
    const char *names;          /* normalised vendor \x01 product */
    unsigned char *vkey;        /* version key (owned) */
    uint16_t vklen;
    size_t names_len;
    uint32_t first;             /* first asset; assets chain through asset.next */
    uint32_t count;
};

struct asset {
    uint32_t org;   /* index in orgs */
    uint32_t group; /* index in groups */
    uint32_t next;  /* next asset of the group, UINT32_MAX at the end */
    char *cpe;      /* as given (owned) */
};

/* An asset as a group lists it, with its organisation at hand. */
struct gasset {
    uint32_t asset;
    uint32_t org;
};

/* Groups listed by key: CSR arrays built on demand. */
struct glist {
    struct smap keys;   /* key -> list */
    uint32_t *start;    /* list l is groups[start[l] .. start[l+1]) */
    uint32_t *groups;
};

struct vg_inventory {
    struct smap orgs;
    struct smap by_cpe;       /* normalised formatted string -> group */
    struct group *groups;
    size_t ngroups, capg;
    struct asset *assets;
    size_t n, cap;
    bool dirty;               /* lists below are stale */
    struct glist prod;        /* "part:vendor:product" -> groups */
    struct glist names;       /* CVE 5 names -> groups */
    uint32_t *gstart;         /* assets of group g: gassets[gstart[g] .. gstart[g+1]) */
    struct gasset *gassets;
    uint32_t *org_start;      /* assets of org o: org_assets[org_start[o] .. org_start[o+1]) */
    uint32_t *org_assets;
};

static void glist_free(struct glist *l)
{
    smap_free(&l->keys);
    free(l->start);
    free(l->groups);
    memset(l, 0, sizeof *l);
}

struct vg_inventory *vg_inventory_new(void)
{
    return calloc(1, sizeof(struct vg_inventory));
}

void vg_inventory_free(struct vg_inventory *inv)
{
    if (!inv)
        return;
    smap_free(&inv->orgs);
    smap_free(&inv->by_cpe);
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
    return i < inv->n ? inv->orgs.kbuf + inv->orgs.ents[inv->assets[i].org].off : NULL;
}

const char *vg_inventory_cpe(const struct vg_inventory *inv, size_t i)
{
    return i < inv->n ? inv->assets[i].cpe : NULL;
}

static long new_group(struct vg_inventory *inv, const struct vg_cpe_name *nm)
{
    if (inv->ngroups == inv->capg) {
        size_t nc = inv->capg ? inv->capg * 2 : 256;
        struct group *g = realloc(inv->groups, nc * sizeof *g);
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
    g->mem = malloc(used + lu + 1 + ln + 1);
    g->vkey = malloc(kl);
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
        return vg_diag_set(d, VG_EINVAL, "", "asset CPE needs a part, vendor and product "
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
    long gi = fs.failed ? -1 : smap_put(&inv->by_cpe, fs.data, fs.len, (uint32_t)inv->ngroups,
                                        &added);
    vg_buf_cleanup(&fs);
    if (gi < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    uint32_t group = inv->by_cpe.ents[gi].val;
    if (added) {
        long g = new_group(inv, &nm);
        if (g < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    long oi = smap_put(&inv->orgs, org.ptr, org.len, 0, &added);
    if (oi < 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (inv->n == inv->cap) {
        size_t nc = inv->cap ? inv->cap * 2 : 1024;
        struct asset *a = realloc(inv->assets, nc * sizeof *a);
        if (!a)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        inv->assets = a;
        inv->cap = nc;
    }
    struct asset *a = &inv->assets[inv->n];
    a->cpe = strndup(cpe.ptr, cpe.len);
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
    uint32_t *of = malloc((inv->ngroups + 1) * sizeof *of);
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
        long e = smap_put(&l->keys, kp, kl, 0, &added);
        if (e < 0) {
            free(of);
            return VG_ENOMEM;
        }
        l->keys.ents[e].val++;
        of[g] = (uint32_t)e;
    }
    size_t nl = l->keys.n;
    l->start = calloc(nl + 1, sizeof *l->start);
    l->groups = malloc((inv->ngroups ? inv->ngroups : 1) * sizeof *l->groups);
    if (!l->start || !l->groups) {
        free(of);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < nl; i++)
        l->start[i + 1] = l->start[i] + l->keys.ents[i].val;
    for (size_t i = 0; i < nl; i++)
        l->keys.ents[i].val = (uint32_t)i; /* value: list index; fill cursor below */
    uint32_t *cur = malloc((nl + 1) * sizeof *cur);
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

static int inventory_index(struct vg_inventory *inv)
{
    if (!inv->dirty && inv->prod.start)
        return 0;
    int rc = glist_build(inv, &inv->prod, 0);
    if (rc == 0)
        rc = glist_build(inv, &inv->names, 1);
    if (rc < 0)
        return rc;
    /* Assets by organisation (counting sort). */
    size_t no = inv->orgs.n;
    free(inv->org_start);
    free(inv->org_assets);
    inv->org_start = calloc(no + 2, sizeof *inv->org_start);
    inv->org_assets = malloc((inv->n ? inv->n : 1) * sizeof *inv->org_assets);
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
    inv->gstart = calloc(ng + 2, sizeof *inv->gstart);
    inv->gassets = malloc((inv->n ? inv->n : 1) * sizeof *inv->gassets);
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

/* ---- criterion tests ---- */

/* Attributes other than part, vendor, product and version: the criterion must equal or
 * contain the asset's value; an attribute the asset leaves ANY is unknown, so accepted. */
static bool rest_ok(const struct vg_cpe *crit, const struct vg_cpe *asset, int from)
{
    for (int a = from; a < VG_CPE_NATTR; a++) {
        if (a == VG_CPE_VERSION || asset->kind[a] == VG_CPE_ANY || crit->kind[a] == VG_CPE_ANY)
            continue;
        enum vg_cpe_rel r = vg_cpe_compare_attr(crit, asset, (enum vg_cpe_attr)a);
        if (r != VG_CPE_EQUAL && r != VG_CPE_SUPERSET)
            return false;
    }
    return true;
}

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
static bool group_affected(const struct vg_affected *a, const struct group *g)
{
    if (g->cpe.kind[VG_CPE_VERSION] != VG_CPE_VALUE)
        return a->nversions == 0 && a->default_affected;
    return affected_hit(a, vg_str_c(g->uver));
}

/* ---- hits and evaluation ---- */

#define CVE5_BIT 0x80000000u

struct hit {
    uint32_t entry; /* set entry */
    uint32_t match; /* criterion index, or CVE5_BIT | affected index */
    uint32_t group; /* inventory group */
};

struct hits {
    struct hit *v;
    size_t n, cap;
};

static int hits_push(struct hits *h, uint32_t entry, uint32_t match, uint32_t group)
{
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 1024;
        struct hit *v = realloc(h->v, nc * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        h->v = v;
        h->cap = nc;
    }
    h->v[h->n++] = (struct hit){entry, match, group};
    return 0;
}

void vg_findings_init(struct vg_findings *f)
{
    memset(f, 0, sizeof *f);
}

void vg_findings_cleanup(struct vg_findings *f)
{
    free(f->v);
    memset(f, 0, sizeof *f);
}

/* The scores every finding of entry carries. */
static struct vg_finding finding_of(const struct vg_vuln_set *s, uint32_t entry)
{
    const struct vg_vuln_entry *e = vg_vuln_set_at(s, entry);
    const struct vg_vuln *sc = vg_vuln_entry_scored(e);
    struct vg_finding f;
    f.asset = 0;
    f.entry = entry;
    f.cvss = sc ? sc->cvss : -1;
    f.epss = e->epss;
    f.tier = e->has_kev ? 0 : e->epss >= 0.1f ? 1 : 2;
    return f;
}

static int emit_f(struct vg_findings *out, const struct vg_finding *tmpl, uint32_t asset)
{
    if (out->n == out->cap) {
        size_t nc = out->cap ? out->cap * 2 : 1024;
        struct vg_finding *v = realloc(out->v, nc * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        out->v = v;
        out->cap = nc;
    }
    out->v[out->n] = *tmpl;
    out->v[out->n++].asset = asset;
    return 0;
}

static int emit(struct vg_findings *out, const struct vg_vuln_set *s, uint32_t entry,
                uint32_t asset)
{
    struct vg_finding f = finding_of(s, entry);
    return emit_f(out, &f, asset);
}

/* (org, match, asset) while evaluating one CVE. */
struct oma {
    uint32_t org, match, asset;
};

/* The sorts of the matching loop, run once or twice per CVE on short arrays: with the
 * comparison inlined instead of qsort's call through a pointer (and its merge buffer), a
 * full re-match spent a fifth less time sorting. Quicksort on the median of three, the
 * smaller side first, insertion sort below 16 elements. */
static bool oma_less(const struct oma *x, const struct oma *y)
{
    if (x->org != y->org)
        return x->org < y->org;
    if (x->match != y->match)
        return x->match < y->match;
    return x->asset < y->asset;
}

static bool u32_less(const uint32_t *x, const uint32_t *y)
{
    return *x < *y;
}

/* Defines static void NAME(TYPE *v, size_t n), sorting by LESS(const TYPE *, const TYPE *). */
#define DEFINE_SORT(NAME, TYPE, LESS)                                                          \
    static void NAME(TYPE *v, size_t n)                                                        \
    {                                                                                          \
        while (n > 16) {                                                                       \
            TYPE a = v[0], b = v[n / 2], c = v[n - 1], pivot;                                  \
            if (LESS(&a, &b))                                                                  \
                pivot = LESS(&b, &c) ? b : LESS(&a, &c) ? c : a;                               \
            else                                                                               \
                pivot = LESS(&a, &c) ? a : LESS(&b, &c) ? c : b;                               \
            size_t i = 0, j = n - 1;                                                           \
            for (;;) { /* Hoare partition: v[0..j] <= pivot <= v[j+1..n) */                    \
                while (LESS(&v[i], &pivot))                                                    \
                    i++;                                                                       \
                while (LESS(&pivot, &v[j]))                                                    \
                    j--;                                                                       \
                if (i >= j)                                                                    \
                    break;                                                                     \
                TYPE t = v[i];                                                                 \
                v[i++] = v[j];                                                                 \
                v[j--] = t;                                                                    \
            }                                                                                  \
            size_t left = j + 1;                                                               \
            if (left < n - left) {                                                             \
                NAME(v, left);                                                                 \
                v += left;                                                                     \
                n -= left;                                                                     \
            } else {                                                                           \
                NAME(v + left, n - left);                                                      \
                n = left;                                                                      \
            }                                                                                  \
        }                                                                                      \
        for (size_t i = 1; i < n; i++) {                                                       \
            TYPE t = v[i];                                                                     \
            size_t j = i;                                                                      \
            for (; j > 0 && LESS(&t, &v[j - 1]); j--)                                          \
                v[j] = v[j - 1];                                                               \
            v[j] = t;                                                                          \
        }                                                                                      \
    }

DEFINE_SORT(sort_oma, struct oma, oma_less)
DEFINE_SORT(sort_u32, uint32_t, u32_less)

/* Scratch memory reused across CVEs. */
struct scratch {
    uint32_t *u;       /* groups or assets */
    size_t ucap;
    struct oma *t;
    size_t tcap;
    uint8_t *mark;     /* per criterion of the CVE */
    size_t mcap;
    uint8_t *nsat;     /* per node */
    size_t ncap;
    uint8_t *csat;     /* per configuration */
    size_t ccap;
};

static void scratch_free(struct scratch *sc)
{
    free(sc->u);
    free(sc->t);
    free(sc->mark);
    free(sc->nsat);
    free(sc->csat);
}

static int need(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 64;
    while (nc < n)
        nc *= 2;
    void *q = realloc(*p, nc * sz);
    if (!q)
        return VG_ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

/* Does hit h refer to a criterion (or CVE 5 product) of v? Not when the index was built
 * before v replaced an older record of the CVE: such hits are dropped (rebuild the index). */
static bool hit_valid(const struct vg_vuln *v, const struct hit *h)
{
    if (h->match & CVE5_BIT)
        return v->source == VG_VULN_CVE5 && (h->match & ~CVE5_BIT) < v->naffected;
    return v->source == VG_VULN_NVD && h->match < v->nmatches;
}

/* Evaluates one CVE given all its hits h[0..n) (same entry) and appends findings. */
static int eval_entry(const struct vg_vuln_set *s, const struct vg_inventory *inv,
                      const struct hit *h, size_t n, uint32_t only_org, struct scratch *sc,
                      struct vg_findings *out)
{
    uint32_t entry = h[0].entry;
    const struct vg_vuln *v = vg_vuln_entry_applicability(vg_vuln_set_at(s, entry));
    if (!v)
        return 0;
    struct vg_finding tmpl = finding_of(s, entry);
    if (v->source == VG_VULN_CVE5 || v->simple) {
        /* Any vulnerable criterion met makes the asset vulnerable. */
        if (need((void **)&sc->u, &sc->ucap, n, sizeof *sc->u) < 0)
            return VG_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (hit_valid(v, &h[i]) &&
                ((h[i].match & CVE5_BIT) || v->matches[h[i].match].vulnerable))
                sc->u[k++] = h[i].group;
        sort_u32(sc->u, k);
        for (size_t i = 0; i < k; i++) {
            if (i > 0 && sc->u[i] == sc->u[i - 1])
                continue;
            for (uint32_t k2 = inv->gstart[sc->u[i]]; k2 < inv->gstart[sc->u[i] + 1]; k2++)
                if ((only_org == UINT32_MAX || inv->gassets[k2].org == only_org) &&
                    emit_f(out, &tmpl, inv->gassets[k2].asset) < 0)
                    return VG_ENOMEM;
        }
        return 0;
    }
    /* Configurations with AND, negate or "running on" criteria: per organisation. */
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (!hit_valid(v, &h[i]))
            continue;
        for (uint32_t k2 = inv->gstart[h[i].group]; k2 < inv->gstart[h[i].group + 1]; k2++) {
            const struct gasset *ga = &inv->gassets[k2];
            if (only_org != UINT32_MAX && ga->org != only_org)
                continue;
            if (need((void **)&sc->t, &sc->tcap, nt + 1, sizeof *sc->t) < 0)
                return VG_ENOMEM;
            sc->t[nt++] = (struct oma){ga->org, h[i].match, ga->asset};
        }
    }
    sort_oma(sc->t, nt);
    if (need((void **)&sc->mark, &sc->mcap, v->nmatches, 1) < 0 ||
        need((void **)&sc->nsat, &sc->ncap, v->nnodes, 1) < 0 ||
        need((void **)&sc->csat, &sc->ccap, v->nconfigs, 1) < 0 ||
        need((void **)&sc->u, &sc->ucap, nt, sizeof *sc->u) < 0)
        return VG_ENOMEM;
    memset(sc->mark, 0, v->nmatches);
    for (size_t i = 0; i < nt;) {
        size_t j = i;
        while (j < nt && sc->t[j].org == sc->t[i].org)
            j++;
        for (size_t k = i; k < j; k++)
            sc->mark[sc->t[k].match] = 1;
        for (uint32_t nd = 0; nd < v->nnodes; nd++) {
            const struct vg_vuln_node *node = &v->nodes[nd];
            bool any = false, all = true;
            for (uint32_t c = node->first; c < node->first + node->count; c++) {
                any = any || sc->mark[c];
                all = all && sc->mark[c];
            }
            bool sat = node->op == VG_VULN_AND ? all : any;
            sc->nsat[nd] = (uint8_t)(sat != node->negate);
        }
        for (uint32_t cf = 0; cf < v->nconfigs; cf++) {
            const struct vg_vuln_config *c = &v->configs[cf];
            bool any = false, all = true;
            for (uint32_t nd = c->first; nd < c->first + c->count; nd++) {
                any = any || sc->nsat[nd];
                all = all && sc->nsat[nd];
            }
            sc->csat[cf] = (uint8_t)(c->op == VG_VULN_AND ? all : any);
        }
        size_t k2 = 0;
        for (size_t k = i; k < j; k++) {
            const struct vg_cpe_match *m = &v->matches[sc->t[k].match];
            const struct vg_vuln_node *node = &v->nodes[m->node];
            if (m->vulnerable && !node->negate && sc->nsat[m->node] && sc->csat[node->config])
                sc->u[k2++] = sc->t[k].asset;
        }
        sort_u32(sc->u, k2);
        for (size_t k = 0; k < k2; k++)
            if ((k == 0 || sc->u[k] != sc->u[k - 1]) && emit_f(out, &tmpl, sc->u[k]) < 0)
                return VG_ENOMEM;
        for (size_t k = i; k < j; k++)
            sc->mark[sc->t[k].match] = 0;
        i = j;
    }
    return 0;
}

static int cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

/* Sorts hits by entry (counting sort over nentries) and evaluates each entry; only_org
 * limits findings to one organisation (UINT32_MAX: all). */
static int eval_hits(const struct vg_vuln_set *s, const struct vg_inventory *inv,
                     struct hits *h, uint32_t only_org, struct vg_findings *out)
{
    int rc = 0;
    struct scratch sc;
    memset(&sc, 0, sizeof sc);
    size_t ne = vg_vuln_set_count(s);
    bool in_order = true;
    for (size_t i = 1; i < h->n && in_order; i++)
        in_order = h->v[i - 1].entry <= h->v[i].entry;
    if (in_order) {
        /* one CVE's hits, or already in order */
    } else if (h->n > 4096 && ne > 0) {
        uint32_t *cnt = calloc(ne + 1, sizeof *cnt);
        struct hit *sorted = malloc(h->n * sizeof *sorted);
        if (!cnt || !sorted) {
            free(cnt);
            free(sorted);
            return VG_ENOMEM;
        }
        for (size_t i = 0; i < h->n; i++)
            cnt[h->v[i].entry + 1]++;
        for (size_t i = 0; i < ne; i++)
            cnt[i + 1] += cnt[i];
        for (size_t i = 0; i < h->n; i++)
            sorted[cnt[h->v[i].entry]++] = h->v[i];
        free(cnt);
        free(h->v);
        h->v = sorted;
        h->cap = h->n;
    } else {
        sort_n(h->v, h->n, sizeof *h->v, cmp_hit);
    }
    for (size_t i = 0; i < h->n && rc == 0;) {
        size_t j = i;
        while (j < h->n && h->v[j].entry == h->v[i].entry)
            j++;
        rc = eval_entry(s, inv, h->v + i, j - i, only_org, &sc, out);
        i = j;
    }
    scratch_free(&sc);
    return rc;
}

/* ---- the index ---- */

enum { K_EXACT, K_RANGE, K_OTHER, K_CVE5 };

struct ixent {
    const void *rec;           /* the criterion (struct vg_cpe_match) or CVE 5 product */
    uint32_t entry;            /* set entry */
    uint32_t match;            /* criterion, or affected index for K_CVE5 */
    const unsigned char *k1;   /* exact version key, or range start key (NULL: none) */
    const unsigned char *k2;   /* range end key (NULL: none) */
    uint16_t l1, l2;           /* key lengths */
    uint8_t kind;              /* K_* */
    uint8_t flags;             /* 1: start inclusive, 2: end inclusive, 4: version attr set */
};

struct chunk {
    struct chunk *next;
    size_t used, cap;
    unsigned char data[];
};

struct bucketed {
    struct smap keys;        /* key -> bucket */
    uint32_t *start;         /* bucket b: ents[start[b] .. start[b+1]) */
    uint32_t *nexact;        /* the first nexact[b] are K_EXACT, sorted by key */
    struct ixent *ents;
    size_t n;
};

struct vg_vindex {
    struct bucketed prod;    /* NVD criteria by "part:vendor:product" */
    struct bucketed names;   /* CVE 5 products by normalised names */
    struct ixent *wild;      /* criteria whose vendor or product is not plain */
    size_t nwild;
    struct chunk *keys;      /* version keys */
    size_t bytes;
    size_t criteria;
};

static const unsigned char *key_dup(struct vg_vindex *ix, const unsigned char *k, size_t n)
{
    struct chunk *c = ix->keys;
    if (!c || c->used + n > c->cap) {
        size_t cap = n > 1 << 20 ? n : 1 << 20;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = ix->keys;
        c->used = 0;
        c->cap = cap;
        ix->keys = c;
        ix->bytes += sizeof *c + cap;
    }
    unsigned char *p = c->data + c->used;
    memcpy(p, k, n);
    c->used += n;
    return p;
}

static void bucketed_free(struct bucketed *b)
{
    smap_free(&b->keys);
    free(b->start);
    free(b->nexact);
    free(b->ents);
}

void vg_vindex_free(struct vg_vindex *ix)
{
    if (!ix)
        return;
    bucketed_free(&ix->prod);
    bucketed_free(&ix->names);
    free(ix->wild);
    while (ix->keys) {
        struct chunk *n = ix->keys->next;
        free(ix->keys);
        ix->keys = n;
    }
    free(ix);
}

size_t vg_vindex_criteria(const struct vg_vindex *ix)
{
    return ix->criteria;
}

size_t vg_vindex_bytes(const struct vg_vindex *ix)
{
    return ix->bytes;
}

/* An index entry waiting for its bucket. */
struct pending {
    uint32_t bucket;
    struct ixent e;
};

struct pendings {
    struct pending *v;
    size_t n, cap;
};

static int pend(struct pendings *p, uint32_t bucket, const struct ixent *e)
{
    if (need((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v) < 0)
        return VG_ENOMEM;
    p->v[p->n++] = (struct pending){bucket, *e};
    return 0;
}

static int cmp_ixent(const void *a, const void *b)
{
    const struct ixent *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->kind == K_EXACT) {
        int c = vg_version_key_cmp(x->k1, x->l1, y->k1, y->l1);
        if (c)
            return c;
    }
    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    return x->match < y->match ? -1 : x->match > y->match;
}

/* Lays pending entries out bucket by bucket (counting sort), exact ones first, sorted. */
static int bucketize(struct bucketed *b, struct pendings *p, size_t *bytes)
{
    size_t nb = b->keys.n;
    b->start = calloc(nb + 1, sizeof *b->start);
    b->nexact = calloc(nb + 1, sizeof *b->nexact);
    b->ents = malloc((p->n ? p->n : 1) * sizeof *b->ents);
    if (!b->start || !b->nexact || !b->ents)
        return VG_ENOMEM;
    for (size_t i = 0; i < p->n; i++) {
        b->start[p->v[i].bucket + 1]++;
        if (p->v[i].e.kind == K_EXACT)
            b->nexact[p->v[i].bucket]++;
    }
    for (size_t i = 0; i < nb; i++)
        b->start[i + 1] += b->start[i];
    uint32_t *cur = malloc((nb + 1) * sizeof *cur);
    if (!cur)
        return VG_ENOMEM;
    memcpy(cur, b->start, (nb + 1) * sizeof *cur);
    for (size_t i = 0; i < p->n; i++)
        b->ents[cur[p->v[i].bucket]++] = p->v[i].e;
    free(cur);
    for (size_t i = 0; i < nb; i++)
        sort_n(b->ents + b->start[i], b->start[i + 1] - b->start[i], sizeof *b->ents, cmp_ixent);
    b->n = p->n;
    *bytes += (nb + 1) * 8 + p->n * sizeof *b->ents + b->keys.kcap +
              b->keys.cap * sizeof(struct smap_ent) +
              b->keys.nslots * 4;
    return 0;
}

/* Describes criterion m (entry, index mi) for the index; keys are written to kb1 / kb2
 * (VG_VERSION_KEY_MAX bytes each) and e points at them. */
static void make_ixent(const struct vg_cpe_match *m, uint32_t entry, uint32_t mi,
                       unsigned char *kb1, unsigned char *kb2, struct ixent *e)
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

struct vg_vindex *vg_vindex_build(const struct vg_vuln_set *s)
{
    struct vg_vindex *ix = calloc(1, sizeof *ix);
    struct pendings pp = {0}, pn = {0};
    size_t wcap = 0;
    if (!ix)
        return NULL;
    for (size_t i = 0; i < vg_vuln_set_count(s); i++) {
        const struct vg_vuln *v = vg_vuln_entry_applicability(vg_vuln_set_at(s, i));
        if (!v)
            continue;
        if (v->source == VG_VULN_CVE5) {
            for (uint32_t a = 0; a < v->naffected; a++) {
                char k[VG_PRODUCT_KEY_MAX + 1];
                size_t kl = name_key(v->affected[a].vendor, v->affected[a].product, k, sizeof k);
                bool added;
                long b = smap_put(&ix->names.keys, k, kl, 0, &added);
                struct ixent e = {&v->affected[a], (uint32_t)i, a, NULL, NULL, 0, 0, K_CVE5, 0};
                if (b < 0 || pend(&pn, (uint32_t)b, &e) < 0)
                    goto fail;
            }
            continue;
        }
        for (uint32_t mi = 0; mi < v->nmatches; mi++) {
            const struct vg_cpe_match *m = &v->matches[mi];
            struct ixent e;
            unsigned char kb1[VG_VERSION_KEY_MAX], kb2[VG_VERSION_KEY_MAX];
            make_ixent(m, (uint32_t)i, mi, kb1, kb2, &e);
            if (e.k1 && !(e.k1 = key_dup(ix, e.k1, e.l1)))
                goto fail;
            if (e.k2 && !(e.k2 = key_dup(ix, e.k2, e.l2)))
                goto fail;
            ix->criteria++;
            char k[VG_MAX_CPE];
            size_t kl;
            if (!vg_cpe_product_key(&m->cpe, k, sizeof k, &kl)) {
                if (need((void **)&ix->wild, &wcap, ix->nwild + 1, sizeof *ix->wild) < 0)
                    goto fail;
                ix->wild[ix->nwild++] = e;
                continue;
            }
            bool added;
            long b = smap_put(&ix->prod.keys, k, kl, 0, &added);
            if (b < 0 || pend(&pp, (uint32_t)b, &e) < 0)
                goto fail;
        }
    }
    if (bucketize(&ix->prod, &pp, &ix->bytes) < 0 || bucketize(&ix->names, &pn, &ix->bytes) < 0)
        goto fail;
    ix->bytes += ix->nwild * sizeof *ix->wild;
    free(pp.v);
    free(pn.v);
    return ix;
fail:
    free(pp.v);
    free(pn.v);
    vg_vindex_free(ix);
    return NULL;
}

/* Tests index entry e (NVD kinds) against group g; the bucket vouches for part, vendor and
 * product unless wild. */
static bool ixent_hit(const struct vg_vuln_set *s, const struct ixent *e, const struct group *g,
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
    return rest_ok(&m->cpe, &g->cpe, VG_CPE_UPDATE);
}

/* Full test of criterion m, described by ie (make_ixent), against group g. */
static bool ixent_test(const struct vg_vuln_set *s, const struct vg_cpe_match *m,
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
        return rest_ok(&m->cpe, &g->cpe, VG_CPE_UPDATE);
    }
    return ixent_hit(s, ie, g, true);
}

/* All hits of group gi in the index. */
static int group_hits(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                      const struct vg_inventory *inv, uint32_t gi, struct hits *h)
{
    const struct group *g = &inv->groups[gi];
    char k[VG_MAX_CPE];
    size_t kl;
    if (vg_cpe_product_key(&g->cpe, k, sizeof k, &kl)) {
        long b = smap_get(&ix->prod.keys, k, kl);
        if (b >= 0) {
            const struct ixent *ents = ix->prod.ents + ix->prod.start[b];
            size_t n = ix->prod.start[b + 1] - ix->prod.start[b], ne = ix->prod.nexact[b];
            size_t first_other = ne;
            if (g->cpe.kind[VG_CPE_VERSION] != VG_CPE_VALUE)
                ne = 0; /* no exact version can equal "-" */
            /* Exact versions: binary search for the first key >= the asset's. */
            size_t lo = 0, hi = ne;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (vg_version_key_cmp(ents[mid].k1, ents[mid].l1, g->vkey, g->vklen) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t i = lo; i < ne; i++) {
                if (vg_version_key_cmp(ents[i].k1, ents[i].l1, g->vkey, g->vklen) != 0)
                    break;
                const struct vg_cpe_match *m = ents[i].rec;
                if (rest_ok(&m->cpe, &g->cpe, VG_CPE_UPDATE) &&
                    hits_push(h, ents[i].entry, ents[i].match, gi) < 0)
                    return VG_ENOMEM;
            }
            for (size_t i = first_other; i < n; i++)
                if (ixent_hit(s, &ents[i], g, false) &&
                    hits_push(h, ents[i].entry, ents[i].match, gi) < 0)
                    return VG_ENOMEM;
        }
    }
    for (size_t i = 0; i < ix->nwild; i++)
        if (ixent_hit(s, &ix->wild[i], g, true) &&
            hits_push(h, ix->wild[i].entry, ix->wild[i].match, gi) < 0)
            return VG_ENOMEM;
    long b = smap_get(&ix->names.keys, g->names, g->names_len);
    if (b >= 0) {
        for (uint32_t i = ix->names.start[b]; i < ix->names.start[b + 1]; i++) {
            const struct ixent *e = &ix->names.ents[i];
            if (group_affected(e->rec, g) &&
                hits_push(h, e->entry, CVE5_BIT | e->match, gi) < 0)
                return VG_ENOMEM;
        }
    }
    return 0;
}

int vg_vmatch_all(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                  struct vg_inventory *inv, struct vg_findings *out)
{
    struct hits h = {0};
    int rc = inventory_index(inv);
    for (size_t g = 0; g < inv->ngroups && rc == 0; g++)
        rc = group_hits(ix, s, inv, (uint32_t)g, &h);
    /* Room for the findings at once: each hit gives at most its group's assets. */
    size_t est = out->n;
    for (size_t i = 0; i < h.n; i++)
        est += inv->groups[h.v[i].group].count;
    if (rc == 0 && est > out->cap) {
        struct vg_finding *v = realloc(out->v, est * sizeof *v);
        if (v) {
            out->v = v;
            out->cap = est;
        }
    }
    if (rc == 0)
        rc = eval_hits(s, inv, &h, UINT32_MAX, out);
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
    int rc = inventory_index(inv);
    if (rc < 0)
        return rc;
    struct hits h = {0};
    if (v->source == VG_VULN_CVE5) {
        for (uint32_t a = 0; a < v->naffected && rc == 0; a++) {
            char k[VG_PRODUCT_KEY_MAX + 1];
            size_t kl = name_key(v->affected[a].vendor, v->affected[a].product, k, sizeof k);
            long l = smap_get(&inv->names.keys, k, kl);
            if (l < 0)
                continue;
            for (uint32_t i = inv->names.start[l]; i < inv->names.start[l + 1] && rc == 0; i++) {
                const struct group *g = &inv->groups[inv->names.groups[i]];
                if (group_affected(&v->affected[a], g))
                    rc = hits_push(&h, (uint32_t)entry, CVE5_BIT | a, inv->names.groups[i]);
            }
        }
    } else {
        for (uint32_t mi = 0; mi < v->nmatches && rc == 0; mi++) {
            const struct vg_cpe_match *m = &v->matches[mi];
            /* Version keys of the criterion computed once, not once per group. */
            struct ixent ie;
            unsigned char kb1[VG_VERSION_KEY_MAX], kb2[VG_VERSION_KEY_MAX];
            make_ixent(m, (uint32_t)entry, mi, kb1, kb2, &ie);
            char k[VG_MAX_CPE];
            size_t kl;
            if (!vg_cpe_product_key(&m->cpe, k, sizeof k, &kl)) {
                for (uint32_t g = 0; g < inv->ngroups && rc == 0; g++)
                    if (ixent_test(s, m, &ie, &inv->groups[g]))
                        rc = hits_push(&h, (uint32_t)entry, mi, g);
                continue;
            }
            long l = smap_get(&inv->prod.keys, k, kl);
            if (l < 0)
                continue;
            for (uint32_t i = inv->prod.start[l]; i < inv->prod.start[l + 1] && rc == 0; i++) {
                if (ixent_test(s, m, &ie, &inv->groups[inv->prod.groups[i]]))
                    rc = hits_push(&h, (uint32_t)entry, mi, inv->prod.groups[i]);
            }
        }
    }
    if (rc == 0 && h.n)
        rc = eval_hits(s, inv, &h, UINT32_MAX, out);
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
    int rc = inventory_index(inv);
    if (rc == 0)
        rc = group_hits(ix, s, inv, gi, &h);
    if (rc == 0)
        sort_n(h.v, h.n, sizeof *h.v, cmp_hit);
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
                vul = vul || (hit_valid(v, &h.v[k]) && ((h.v[k].match & CVE5_BIT) ||
                                                        v->matches[h.v[k].match].vulnerable));
            if (vul)
                rc = emit(out, s, h.v[i].entry, (uint32_t)asset);
        } else {
            /* The organisation's other assets count ("running on", AND, negate): test the
             * CVE's criteria against each of them, evaluate, keep this asset's finding. */
            rc = inventory_index(inv);
            uint32_t org = inv->assets[asset].org;
            struct hits oh = {0};
            for (uint32_t mi = 0; mi < v->nmatches && rc == 0; mi++) {
                const struct vg_cpe_match *m = &v->matches[mi];
                struct ixent ie;
                unsigned char kb1[VG_VERSION_KEY_MAX], kb2[VG_VERSION_KEY_MAX];
                make_ixent(m, h.v[i].entry, mi, kb1, kb2, &ie);
                for (uint32_t k = inv->org_start[org]; k < inv->org_start[org + 1] && rc == 0;
                     k++) {
                    uint32_t g = inv->assets[inv->org_assets[k]].group;
                    if (ixent_test(s, m, &ie, &inv->groups[g]))
                        rc = hits_push(&oh, h.v[i].entry, mi, g);
                }
            }
            tmp.n = 0;
            if (rc == 0 && oh.n)
                rc = eval_hits(s, inv, &oh, org, &tmp);
            free(oh.v);
            for (size_t k = 0; k < tmp.n && rc == 0; k++)
                if (tmp.v[k].asset == asset)
                    rc = emit(out, s, h.v[i].entry, (uint32_t)asset);
        }
        i = j;
    }
    vg_findings_cleanup(&tmp);
    free(h.v);
    return rc;
}

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

int vg_vmatch_naive(const struct vg_vuln_set *s, size_t first, size_t n,
                    struct vg_inventory *inv, struct vg_findings *out)
{
    struct hits h = {0};
    int rc = inventory_index(inv);
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
                    size_t kl = name_key(v->affected[a].vendor, v->affected[a].product, k,
                                         sizeof k);
                    if (kl == g->names_len && memcmp(k, g->names, kl) == 0 &&
                        group_affected(&v->affected[a], g))
                        rc = hits_push(&h, (uint32_t)en, CVE5_BIT | a, inv->assets[as].group);
                }
                continue;
            }
            for (uint32_t mi = 0; mi < v->nmatches && rc == 0; mi++)
                if (naive_hit(&v->matches[mi], g))
                    rc = hits_push(&h, (uint32_t)en, mi, inv->assets[as].group);
        }
    }
    /* Several assets of one group give the same hit: keep one. */
    if (rc == 0 && h.n) {
        sort_n(h.v, h.n, sizeof *h.v, cmp_hit);
        size_t k = 0;
        for (size_t i = 0; i < h.n; i++)
            if (k == 0 || h.v[i].entry != h.v[k - 1].entry || h.v[i].match != h.v[k - 1].match ||
                h.v[i].group != h.v[k - 1].group)
                h.v[k++] = h.v[i];
        h.n = k;
        rc = eval_hits(s, inv, &h, UINT32_MAX, out);
    }
    free(h.v);
    return rc;
}

/* ---- order and output ---- */

static int cmp_finding(const void *a, const void *b, void *arg)
{
    const struct vg_vuln_set *sort_set = arg;
    const struct vg_finding *x = a, *y = b;
    if (x->tier != y->tier)
        return x->tier < y->tier ? -1 : 1;
    if (x->cvss != y->cvss)
        return x->cvss > y->cvss ? -1 : 1;
    if (x->epss != y->epss)
        return x->epss > y->epss ? -1 : 1;
    if (x->entry != y->entry) {
        uint64_t kx = vg_vuln_set_at(sort_set, x->entry)->key;
        uint64_t ky = vg_vuln_set_at(sort_set, y->entry)->key;
        if (kx != ky)
            return kx > ky ? -1 : 1;
    }
    return x->asset < y->asset ? -1 : x->asset > y->asset;
}

/* Bucket of a finding by (tier, CVSS in tenths, higher first): monotone with cmp_finding. */
static size_t sort_bucket(const struct vg_finding *f)
{
    long tenths = f->cvss < 0 ? -1 : lroundf(f->cvss * 10);
    if (tenths > 100)
        tenths = 100;
    return (size_t)f->tier * 102 + (size_t)(100 - tenths);
}

void vg_findings_sort(struct vg_findings *f, const struct vg_vuln_set *s)
{
    if (f->n < 2)
        return;
    /* Most of the order in one counting pass over 3 x 102 buckets; the comparator only
     * orders findings within a bucket. */
    enum { NB = 3 * 102 };
    size_t *start = calloc(NB + 1, sizeof *start);
    struct vg_finding *tmp = malloc(f->n * sizeof *tmp);
    if (!start || !tmp) {
        free(start);
        free(tmp);
        qsort_r(f->v, f->n, sizeof *f->v, cmp_finding, (void *)s);
        return;
    }
    for (size_t i = 0; i < f->n; i++)
        start[sort_bucket(&f->v[i]) + 1]++;
    for (size_t b = 0; b < NB; b++)
        start[b + 1] += start[b];
    size_t cur[NB];
    memcpy(cur, start, sizeof cur);
    for (size_t i = 0; i < f->n; i++)
        tmp[cur[sort_bucket(&f->v[i])]++] = f->v[i];
    free(f->v);
    f->v = tmp;
    f->cap = f->n;
    for (size_t b = 0; b < NB; b++)
        if (start[b + 1] - start[b] > 1)
            qsort_r(f->v + start[b], start[b + 1] - start[b], sizeof *f->v, cmp_finding,
                    (void *)s);
    free(start);
}

static void put_cvss(struct vg_buf *out, const struct vg_vuln *v)
{
    if (!v || v->cvss < 0) {
        vg_buf_puts(out, "null");
        return;
    }
    vg_buf_printf(out, "{\"score\":%.1f,\"version\":\"%d.%d\",\"severity\":", v->cvss,
                  v->cvss_version / 10, v->cvss_version % 10);
    vg_vuln_json_str(out, vg_str_c(v->severity));
    vg_buf_puts(out, ",\"vector\":");
    vg_vuln_json_str(out, v->cvss_vector);
    vg_buf_putc(out, '}');
}

/* A decimal integer without leading zeros (at most 18 digits: it fits a JSON number). */
static bool is_id(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n && n <= 18 && s[n] == '\0' && (s[0] != '0' || n == 1);
}

int vg_finding_write_json(const struct vg_vuln_set *s, const struct vg_inventory *inv,
                          const struct vg_finding *f, struct vg_buf *out)
{
    const struct vg_vuln_entry *e = vg_vuln_set_at(s, f->entry);
    if (!e || f->asset >= inv->n)
        return VG_EINVAL;
    char id[32];
    vg_vuln_key_id(e->key, id, sizeof id);
    vg_buf_puts(out, "{\"org\":");
    const char *org = vg_inventory_org(inv, f->asset);
    if (is_id(org))
        vg_buf_puts(out, org); /* a store's organisation id: a number, as the API gives it */
    else
        vg_vuln_json_str(out, vg_str_c(org));
    vg_buf_puts(out, ",\"asset\":");
    vg_vuln_json_str(out, vg_str_c(vg_inventory_cpe(inv, f->asset)));
    vg_buf_printf(out, ",\"cve\":\"%s\",\"priority\":%d,\"cvss\":", id, f->tier);
    put_cvss(out, vg_vuln_entry_scored(e));
    vg_buf_puts(out, ",\"kev\":");
    if (e->has_kev) {
        vg_buf_printf(out, "{\"dateAdded\":\"%s\",\"dueDate\":\"%s\","
                      "\"knownRansomwareCampaignUse\":%s}",
                      e->kev.date_added, e->kev.due_date, e->kev.ransomware ? "true" : "false");
    } else {
        vg_buf_puts(out, "null");
    }
    vg_buf_puts(out, ",\"epss\":");
    if (e->epss >= 0)
        vg_buf_printf(out, "{\"score\":%.5f,\"percentile\":%.5f}", e->epss, e->epss_pct);
    else
        vg_buf_puts(out, "null");
    vg_buf_putc(out, '}');
    return out->failed ? VG_ENOMEM : 0;
}
