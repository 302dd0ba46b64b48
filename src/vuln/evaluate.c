/* Evaluation of hits: the (CVE, criterion, group) triples the matcher found are sorted by
 * CVE, then each CVE's configurations are evaluated per organisation (AND, negate,
 * "running on" criteria met by another asset of the same organisation) into findings. */
#include "util/mem.h"
#include "vuln/vuln_int.h"

#include <stdlib.h>
#include <string.h>

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
#define DEFINE_SORT(NAME, TYPE, LESS)                                                              \
    static void NAME(TYPE *v, size_t n)                                                            \
    {                                                                                              \
        while (n > 16) {                                                                           \
            TYPE a = v[0], b = v[n / 2], c = v[n - 1], pivot;                                      \
            if (LESS(&a, &b))                                                                      \
                pivot = LESS(&b, &c) ? b : LESS(&a, &c) ? c : a;                                   \
            else                                                                                   \
                pivot = LESS(&a, &c) ? a : LESS(&b, &c) ? c : b;                                   \
            size_t i = 0, j = n - 1;                                                               \
            for (;;) { /* Hoare partition: v[0..j] <= pivot <= v[j+1..n) */                        \
                while (LESS(&v[i], &pivot))                                                        \
                    i++;                                                                           \
                while (LESS(&pivot, &v[j]))                                                        \
                    j--;                                                                           \
                if (i >= j)                                                                        \
                    break;                                                                         \
                TYPE t = v[i];                                                                     \
                v[i++] = v[j];                                                                     \
                v[j--] = t;                                                                        \
            }                                                                                      \
            size_t left = j + 1;                                                                   \
            if (left < n - left) {                                                                 \
                NAME(v, left);                                                                     \
                v += left;                                                                         \
                n -= left;                                                                         \
            } else {                                                                               \
                NAME(v + left, n - left);                                                          \
                n = left;                                                                          \
            }                                                                                      \
        }                                                                                          \
        for (size_t i = 1; i < n; i++) {                                                           \
            TYPE t = v[i];                                                                         \
            size_t j = i;                                                                          \
            for (; j > 0 && LESS(&t, &v[j - 1]); j--)                                              \
                v[j] = v[j - 1];                                                                   \
            v[j] = t;                                                                              \
        }                                                                                          \
    }

DEFINE_SORT(sort_oma, struct oma, oma_less)

DEFINE_SORT(sort_u32, uint32_t, u32_less)

/* Scratch memory reused across CVEs. */
struct scratch {
    uint32_t *u; /* groups or assets */
    size_t ucap;
    struct oma *t;
    size_t tcap;
    uint8_t *mark; /* per criterion of the CVE */
    size_t mcap;
    uint8_t *nsat; /* per node */
    size_t ncap;
    uint8_t *csat; /* per configuration */
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

/* Does hit h refer to a criterion (or CVE 5 product) of v? Not when the index was built
 * before v replaced an older record of the CVE: such hits are dropped (rebuild the index). */
bool vuln_hit_valid(const struct vg_vuln *v, const struct hit *h)
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
    struct vg_finding tmpl = vuln_finding_of(s, entry);
    if (v->source == VG_VULN_CVE5 || v->simple) {
        /* Any vulnerable criterion met makes the asset vulnerable. */
        if (vg_grow((void **)&sc->u, &sc->ucap, n, sizeof *sc->u, 64) < 0)
            return VG_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (vuln_hit_valid(v, &h[i]) &&
                ((h[i].match & CVE5_BIT) || v->matches[h[i].match].vulnerable))
                sc->u[k++] = h[i].group;
        sort_u32(sc->u, k);
        for (size_t i = 0; i < k; i++) {
            if (i > 0 && sc->u[i] == sc->u[i - 1])
                continue;
            for (uint32_t k2 = inv->gstart[sc->u[i]]; k2 < inv->gstart[sc->u[i] + 1]; k2++)
                if ((only_org == UINT32_MAX || inv->gassets[k2].org == only_org) &&
                    vuln_emit_f(out, &tmpl, inv->gassets[k2].asset) < 0)
                    return VG_ENOMEM;
        }
        return 0;
    }
    /* Configurations with AND, negate or "running on" criteria: per organisation. */
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (!vuln_hit_valid(v, &h[i]))
            continue;
        for (uint32_t k2 = inv->gstart[h[i].group]; k2 < inv->gstart[h[i].group + 1]; k2++) {
            const struct gasset *ga = &inv->gassets[k2];
            if (only_org != UINT32_MAX && ga->org != only_org)
                continue;
            if (vg_grow((void **)&sc->t, &sc->tcap, nt + 1, sizeof *sc->t, 64) < 0)
                return VG_ENOMEM;
            sc->t[nt++] = (struct oma){ga->org, h[i].match, ga->asset};
        }
    }
    sort_oma(sc->t, nt);
    if (vg_grow((void **)&sc->mark, &sc->mcap, v->nmatches, 1, 64) < 0 ||
        vg_grow((void **)&sc->nsat, &sc->ncap, v->nnodes, 1, 64) < 0 ||
        vg_grow((void **)&sc->csat, &sc->ccap, v->nconfigs, 1, 64) < 0 ||
        vg_grow((void **)&sc->u, &sc->ucap, nt, sizeof *sc->u, 64) < 0)
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
            if ((k == 0 || sc->u[k] != sc->u[k - 1]) && vuln_emit_f(out, &tmpl, sc->u[k]) < 0)
                return VG_ENOMEM;
        for (size_t k = i; k < j; k++)
            sc->mark[sc->t[k].match] = 0;
        i = j;
    }
    return 0;
}

int vuln_cmp_hit(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    return x->group < y->group ? -1 : x->group > y->group;
}

/* Sorts hits by entry (counting sort over nentries) and evaluates each entry; only_org
 * limits findings to one organisation (UINT32_MAX: all). */
int vuln_eval_hits(const struct vg_vuln_set *s, const struct vg_inventory *inv, struct hits *h,
                   uint32_t only_org, struct vg_findings *out)
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
        uint32_t *cnt = vg_calloc(ne + 1, sizeof *cnt);
        struct hit *sorted = vg_malloc(h->n * sizeof *sorted);
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
        vg_sort(h->v, h->n, sizeof *h->v, vuln_cmp_hit);
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
