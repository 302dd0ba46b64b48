/* The criteria index (vmatch.h): NVD criteria bucketed by "part:vendor:product", exact
 * versions first and sorted by version key (binary search), the others scanned; CVE 5
 * products bucketed by their name key; criteria without one product name kept apart. */
#include "util/mem.h"
#include "vuln/vmatch.h"

#include <stdlib.h>
#include <string.h>

#include "core/product.h"
#include "vuln/version.h"
#include "vuln/vuln_int.h"

struct chunk {
    struct chunk *next;
    size_t used, cap;
    unsigned char data[];
};

struct bucketed {
    struct vg_strmap keys; /* key -> bucket */
    uint32_t *start;       /* bucket b: ents[start[b] .. start[b+1]) */
    uint32_t *nexact;      /* the first nexact[b] are K_EXACT, sorted by key */
    struct ixent *ents;
    size_t n;
};

struct vg_vindex {
    struct bucketed prod;  /* NVD criteria by "part:vendor:product" */
    struct bucketed names; /* CVE 5 products by normalised names */
    struct ixent *wild;    /* criteria whose vendor or product is not plain */
    size_t nwild;
    struct chunk *keys; /* version keys */
    size_t bytes;
    size_t criteria;
};

static const unsigned char *key_dup(struct vg_vindex *ix, const unsigned char *k, size_t n)
{
    struct chunk *c = ix->keys;
    if (!c || c->used + n > c->cap) {
        size_t cap = n > 1 << 20 ? n : 1 << 20;
        c = vg_malloc(sizeof *c + cap);
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
    vg_strmap_cleanup(&b->keys);
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
    if (vg_grow((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v, 64) < 0)
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
    size_t nb = vg_strmap_count(&b->keys);
    b->start = vg_calloc(nb + 1, sizeof *b->start);
    b->nexact = vg_calloc(nb + 1, sizeof *b->nexact);
    b->ents = vg_malloc((p->n ? p->n : 1) * sizeof *b->ents);
    if (!b->start || !b->nexact || !b->ents)
        return VG_ENOMEM;
    for (size_t i = 0; i < p->n; i++) {
        b->start[p->v[i].bucket + 1]++;
        if (p->v[i].e.kind == K_EXACT)
            b->nexact[p->v[i].bucket]++;
    }
    for (size_t i = 0; i < nb; i++)
        b->start[i + 1] += b->start[i];
    uint32_t *cur = vg_malloc((nb + 1) * sizeof *cur);
    if (!cur)
        return VG_ENOMEM;
    memcpy(cur, b->start, (nb + 1) * sizeof *cur);
    for (size_t i = 0; i < p->n; i++)
        b->ents[cur[p->v[i].bucket]++] = p->v[i].e;
    free(cur);
    for (size_t i = 0; i < nb; i++)
        vg_sort(b->ents + b->start[i], b->start[i + 1] - b->start[i], sizeof *b->ents, cmp_ixent);
    b->n = p->n;
    *bytes += (nb + 1) * 8 + p->n * sizeof *b->ents + vg_strmap_bytes(&b->keys);
    return 0;
}

struct vg_vindex *vg_vindex_build(const struct vg_vuln_set *s)
{
    struct vg_vindex *ix = vg_calloc(1, sizeof *ix);
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
                size_t kl =
                    vuln_name_key(v->affected[a].vendor, v->affected[a].product, k, sizeof k);
                bool added;
                long b = vg_strmap_put(&ix->names.keys, k, kl, 0, &added);
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
            vuln_make_ixent(m, (uint32_t)i, mi, kb1, kb2, &e);
            if (e.k1 && !(e.k1 = key_dup(ix, e.k1, e.l1)))
                goto fail;
            if (e.k2 && !(e.k2 = key_dup(ix, e.k2, e.l2)))
                goto fail;
            ix->criteria++;
            char k[VG_MAX_CPE];
            size_t kl;
            if (!vg_cpe_product_key(&m->cpe, k, sizeof k, &kl)) {
                if (vg_grow((void **)&ix->wild, &wcap, ix->nwild + 1, sizeof *ix->wild, 64) < 0)
                    goto fail;
                ix->wild[ix->nwild++] = e;
                continue;
            }
            bool added;
            long b = vg_strmap_put(&ix->prod.keys, k, kl, 0, &added);
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

/* All hits of group gi in the index. */
int vuln_group_hits(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                    const struct vg_inventory *inv, uint32_t gi, struct hits *h)
{
    const struct group *g = &inv->groups[gi];
    char k[VG_MAX_CPE];
    size_t kl;
    if (vg_cpe_product_key(&g->cpe, k, sizeof k, &kl)) {
        long b = vg_strmap_find(&ix->prod.keys, k, kl);
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
                if (vuln_rest_ok(&m->cpe, &g->cpe, VG_CPE_UPDATE) &&
                    vuln_hits_push(h, ents[i].entry, ents[i].match, gi) < 0)
                    return VG_ENOMEM;
            }
            for (size_t i = first_other; i < n; i++)
                if (vuln_ixent_hit(s, &ents[i], g, false) &&
                    vuln_hits_push(h, ents[i].entry, ents[i].match, gi) < 0)
                    return VG_ENOMEM;
        }
    }
    for (size_t i = 0; i < ix->nwild; i++)
        if (vuln_ixent_hit(s, &ix->wild[i], g, true) &&
            vuln_hits_push(h, ix->wild[i].entry, ix->wild[i].match, gi) < 0)
            return VG_ENOMEM;
    long b = vg_strmap_find(&ix->names.keys, g->names, g->names_len);
    if (b >= 0) {
        for (uint32_t i = ix->names.start[b]; i < ix->names.start[b + 1]; i++) {
            const struct ixent *e = &ix->names.ents[i];
            if (vuln_group_affected(e->rec, g) &&
                vuln_hits_push(h, e->entry, CVE5_BIT | e->match, gi) < 0)
                return VG_ENOMEM;
        }
    }
    return 0;
}
