/* Technology watch over the store (see watch.h): the helpers its use cases share
 * (watch_int.h) and the view of one CVE. The use cases are in watch_import.c (feed import
 * with the re-match of the CVEs it changes), watch_match.c (full re-match, fingerprints) and
 * watch_assets.c (re-match after an organisation's products change). */
#include "app/watch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/watch_int.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/sort.h"
#include "vuln/compact.h"
#include "vuln/feed.h"
#include "vuln/summary.h"
#include "util/time.h"

double watch_now_ms(void)
{
    return vg_time_mono() * 1e3;
}

int watch_strv_push(struct strv *l, char *s)
{
    if (!s)
        return VG_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = vg_realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return VG_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

void watch_strv_clear(struct strv *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

int watch_keyv_push(struct keyv *k, long long key)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 256;
        long long *v = vg_realloc(k->v, cap * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = key;
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

void watch_keyv_uniq(struct keyv *k)
{
    if (!k->n)
        return;
    vg_sort(k->v, k->n, sizeof *k->v, cmp_key);
    size_t j = 1;
    for (size_t i = 1; i < k->n; i++)
        if (k->v[i] != k->v[j - 1])
            k->v[j++] = k->v[i];
    k->n = j;
}

char *watch_dup_str(struct vg_str s)
{
    char *p = vg_malloc(s.len + 1);
    if (p) {
        if (s.len)
            memcpy(p, s.ptr, s.len);
        p[s.len] = 0;
    }
    return p;
}

/* "*:" + the name key (core/product.h) of vendor and product, as vuln_product lists a CVE 5
 * product; NULL when out of memory or the names hold a wildcard (*bad set). */
char *watch_cve5_key(struct vg_str vendor, struct vg_str product, enum vg_product_form form,
                     bool *bad)
{
    char k[2 + VG_PRODUCT_KEY_MAX + 1] = "*:";
    long n = vg_product_key(vendor, product, form, k + 2, sizeof k - 2);
    *bad = n < 0;
    return n < 0 ? NULL : watch_dup_str((struct vg_str){k, (size_t)n + 2});
}

int watch_load_record(void *ctx, const char *source, const void *data, size_t len, bool compact)
{
    struct loader *l = ctx;
    struct vg_diag d;
    struct vg_vuln *v;
    if (compact) {
        v = vg_vuln_decode(data, len, &d);
        if (!v && d.offset < 0)
            return VG_ENOMEM;
        if (!v) {
            l->unreadable++;
            return 0;
        }
    } else {
        json_error_t err;
        json_t *j = vg_json_loadb(data, len, 0, &err);
        if (!j)
            return 0;
        v = strcmp(source, "nvd") == 0 ? vg_feed_parse_nvd(j, "", false, &d)
                                       : vg_feed_parse_cve5(j, "", false, &d);
        json_decref(j);
    }
    if (!v)
        return 0; /* stored records were checked on import; a reader change may refuse one */
    l->records++;
    return vg_vuln_set_put(l->set, v) < 0 ? VG_ENOMEM : 0;
}

int watch_load_asset(void *ctx, long long org, const char *cpe)
{
    struct inv_loader *l = ctx;
    char id[24];
    snprintf(id, sizeof id, "%lld", org);
    struct vg_diag d;
    long r = vg_inventory_add(l->inv, vg_str_c(id), vg_str_c(cpe), &d);
    if (r == VG_ENOMEM)
        return VG_ENOMEM;
    if (r < 0)
        l->skipped++; /* a product without a concrete version cannot be matched */
    return 0;
}

static int cmp_store_finding(const void *a, const void *b)
{
    const struct vg_store_finding *x = a, *y = b;
    if (x->org != y->org)
        return x->org < y->org ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->asset > y->asset) - (x->asset < y->asset);
}

/* Stores findings fs of set/inv for scope. */
int watch_store_findings(struct vg_store *st, const struct vg_store_fscope *scope,
                         const struct vg_vuln_set *set, const struct vg_inventory *inv,
                         const struct vg_findings *fs, size_t *nnew, size_t *ngone,
                         struct vg_diag *d)
{
    size_t na = vg_inventory_count(inv);
    const char **assets = vg_malloc((na ? na : 1) * sizeof *assets);
    struct vg_store_finding *f = vg_malloc((fs->n ? fs->n : 1) * sizeof *f);
    int rc = 0;
    if (!assets || !f) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < na; i++)
        assets[i] = vg_inventory_cpe(inv, i);
    for (size_t i = 0; i < fs->n; i++) {
        f[i].org = strtoll(vg_inventory_org(inv, fs->v[i].asset), NULL, 10);
        f[i].asset = fs->v[i].asset;
        f[i].key = (long long)vg_vuln_set_at(set, fs->v[i].entry)->key;
    }
    /* in the order of the store's unique index (organisation, CVE, asset): its B-tree then
     * grows at the end instead of taking random inserts (8 M findings: minutes -> seconds) */
    vg_sort(f, fs->n, sizeof *f, cmp_store_finding);
    json_t *res = NULL;
    rc = vg_store_finding_replace(st, scope, assets, na, f, fs->n, &res, d);
    if (!rc) {
        if (nnew)
            *nnew = (size_t)json_integer_value(json_object_get(res, "new"));
        if (ngone)
            *ngone = (size_t)json_integer_value(json_object_get(res, "gone"));
    }
    json_decref(res);
out:
    free(assets);
    free(f);
    return rc;
}

/* ---- views ---- */

int vg_watch_vuln_summary(struct vg_store *st, const char *cve, json_t **out)
{
    json_t *v = NULL;
    int rc = vg_store_vuln_get(st, cve, &v);
    if (rc)
        return rc;
    *out = vg_vuln_summary(v);
    json_decref(v);
    return *out ? 0 : VG_ENOMEM;
}
