/* Technology watch over the store (see watch.h): the feed readers fill a set per file, the
 * store keeps the records as imported, and matching re-reads from the store only the CVEs
 * that changed (import) or that name an organisation's new products (PATCH), so that no
 * request reloads the whole vulnerability set. */
#include "app/watch.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/product.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/str.h"
#include "vuln/compact.h"
#include "vuln/cpe.h"
#include "vuln/feed.h"
#include "vuln/summary.h"
#include "vuln/vmatch.h"
#include "vuln/vuln.h"

/* CVEs re-read from the store and matched per round after an import. */
#define MATCH_CHUNK 5000

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- growable arrays ---- */

struct strv {
    char **v;
    size_t n, cap;
};

static int strv_push(struct strv *l, char *s)
{
    if (!s)
        return VG_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
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

static void strv_clear(struct strv *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static bool strv_has(const struct strv *l, size_t from, const char *s)
{
    for (size_t i = from; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

struct keyv {
    long long *v;
    size_t n, cap;
};

static int keyv_push(struct keyv *k, long long key)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 256;
        long long *v = realloc(k->v, cap * sizeof *v);
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

static void keyv_uniq(struct keyv *k)
{
    if (!k->n)
        return;
    qsort(k->v, k->n, sizeof *k->v, cmp_key);
    size_t j = 1;
    for (size_t i = 1; i < k->n; i++)
        if (k->v[i] != k->v[j - 1])
            k->v[j++] = k->v[i];
    k->n = j;
}

/* ---- product keys: "part:vendor:product" as criteria name them, "*:v:p" for CVE 5 ---- */

static char *dup_str(struct vg_str s)
{
    char *p = malloc(s.len + 1);
    if (p) {
        if (s.len)
            memcpy(p, s.ptr, s.len);
        p[s.len] = 0;
    }
    return p;
}

/* "*:" + the name key (core/product.h) of vendor and product, as vuln_product lists a CVE 5
 * product; NULL when out of memory or the names hold a wildcard (*bad set). */
static char *cve5_key(struct vg_str vendor, struct vg_str product, enum vg_product_form form,
                      bool *bad)
{
    char k[2 + VG_PRODUCT_KEY_MAX + 1] = "*:";
    long n = vg_product_key(vendor, product, form, k + 2, sizeof k - 2);
    *bad = n < 0;
    return n < 0 ? NULL : dup_str((struct vg_str){k, (size_t)n + 2});
}

/* vuln_product's key of the CVEs whose criteria name no one product (a wildcard or ANY part,
 * vendor or product): looked up whenever an organisation's products change. */
#define WILD_KEY ""

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
        rc = strv_push(l, dup_str((struct vg_str){k, kl}));
    char *k5 = cve5_key(vg_cpe_value(c, VG_CPE_VENDOR), vg_cpe_value(c, VG_CPE_PRODUCT),
                        VG_PRODUCT_QUOTED, &bad);
    if (!rc && !bad)
        rc = strv_push(l, k5);
    else
        free(k5);
    return rc;
}

/* Appends k to l unless l holds it from index from on; frees k then. */
static int push_new(struct strv *l, size_t from, char *k)
{
    if (k && strv_has(l, from, k)) {
        free(k);
        return 0;
    }
    return strv_push(l, k);
}

/* Appends the product keys record v names to l (each once). */
static int record_keys(const struct vg_vuln *v, struct strv *l)
{
    size_t from = l->n;
    char k[VG_MAX_CPE + 1];
    size_t kl;
    bool bad;
    for (uint32_t i = 0; i < v->nmatches; i++) {
        int rc = vg_cpe_product_key(&v->matches[i].cpe, k, sizeof k, &kl)
                     ? push_new(l, from, dup_str((struct vg_str){k, kl}))
                     : push_new(l, from, dup_str(VG_STR(WILD_KEY)));
        if (rc)
            return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < v->naffected; i++) {
        char *k5 = cve5_key(v->affected[i].vendor, v->affected[i].product, VG_PRODUCT_PLAIN, &bad);
        if (!bad && push_new(l, from, k5))
            return VG_ENOMEM;
    }
    return 0;
}

/* ---- files ---- */

/* vg_watch_import's walk (vuln/feed.h vg_feed_walk): the feed files in order; a directory
 * that cannot be read counts as a file that could not be read. */
struct import_walk {
    struct strv *files;
    const struct vg_watch_opts *o;
    struct vg_watch_stats *stats;
    int *first_err;        /* the first error, and */
    struct vg_diag *first; /* what it said */
};

static int collect_file(void *ctx, const char *path, int err, const struct vg_diag *d)
{
    struct import_walk *w = ctx;
    if (!err)
        return strv_push(w->files, strdup(path));
    w->stats->bad_files++;
    if (w->o && w->o->on_error)
        w->o->on_error(w->o->ctx, path, d);
    if (!*w->first_err) {
        *w->first_err = err;
        *w->first = *d;
    }
    return 0;
}

/* ---- loading from the store ---- */

struct loader {
    struct vg_vuln_set *set;
    size_t records;
    size_t unreadable; /* compact forms refused (altered in the database) */
};

static int load_record(void *ctx, const char *source, const void *data, size_t len,
                       bool compact)
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
        json_t *j = json_loadb(data, len, 0, &err);
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

static int load_kev(void *ctx, const struct vg_store_kev *k)
{
    struct loader *l = ctx;
    struct vg_kev kev;
    memset(&kev, 0, sizeof kev);
    snprintf(kev.date_added, sizeof kev.date_added, "%s", k->date_added);
    snprintf(kev.due_date, sizeof kev.due_date, "%s", k->due_date);
    snprintf(kev.vendor, sizeof kev.vendor, "%s", k->vendor);
    snprintf(kev.product, sizeof kev.product, "%s", k->product);
    kev.ransomware = k->ransomware;
    return vg_vuln_set_put_kev(l->set, (uint64_t)k->key, &kev) < 0 ? VG_ENOMEM : 0;
}

static int load_epss(void *ctx, const struct vg_store_epss *e)
{
    struct loader *l = ctx;
    return vg_vuln_set_put_epss(l->set, (uint64_t)e->key, (float)e->score, (float)e->percentile) < 0
               ? VG_ENOMEM
               : 0;
}

struct inv_loader {
    struct vg_inventory *inv;
    size_t skipped;
};

static int load_asset(void *ctx, long long org, const char *cpe)
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
static int store_findings(struct vg_store *st, const struct vg_store_fscope *scope,
                          const struct vg_vuln_set *set, const struct vg_inventory *inv,
                          const struct vg_findings *fs, size_t *nnew, size_t *ngone,
                          struct vg_diag *d)
{
    size_t na = vg_inventory_count(inv);
    const char **assets = malloc((na ? na : 1) * sizeof *assets);
    struct vg_store_finding *f = malloc((fs->n ? fs->n : 1) * sizeof *f);
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
    qsort(f, fs->n, sizeof *f, cmp_store_finding);
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

/* Adds the name keys (core/product.h) of v's applicability to l; sets *wild for a criterion
 * with a wildcard name, *complex for AND / negated / "running on" configurations (their
 * other products of an organisation count). */
static int name_keys(const struct vg_vuln *v, struct strv *l, bool *wild, bool *complex)
{
    char k[VG_PRODUCT_KEY_MAX + 1];
    if (!v->simple)
        *complex = true;
    for (uint32_t i = 0; i < v->nmatches; i++) {
        const struct vg_cpe *c = &v->matches[i].cpe;
        long n = -1;
        if (c->kind[VG_CPE_VENDOR] == VG_CPE_VALUE && c->kind[VG_CPE_PRODUCT] == VG_CPE_VALUE)
            n = vg_product_key(vg_cpe_value(c, VG_CPE_VENDOR), vg_cpe_value(c, VG_CPE_PRODUCT),
                               VG_PRODUCT_QUOTED, k, sizeof k);
        if (n < 0) {
            *wild = true;
            continue;
        }
        if (strv_push(l, dup_str((struct vg_str){k, (size_t)n})))
            return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < v->naffected; i++) {
        /* names normalised by the reader already: normalising again leaves them as they are */
        long n = vg_product_key(v->affected[i].vendor, v->affected[i].product, VG_PRODUCT_PLAIN, k,
                                sizeof k);
        if (n >= 0 && strv_push(l, dup_str((struct vg_str){k, (size_t)n})))
            return VG_ENOMEM;
    }
    return 0;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The inventories a re-match after an import uses. */
struct inventories {
    struct vg_inventory *all; /* every product, read once when a round needs most of them */
};

/* The inventory the CVEs of set may concern: the products whose name key one of their
 * criteria has, found through the store's index; every product when a criterion has a
 * wildcard name or the round is large. *inv is a new inventory (*own true) or iv->all. */
static int select_inventory(struct vg_store *st, struct inventories *iv,
                            const struct vg_vuln_set *set, struct vg_inventory **inv, bool *own)
{
    struct strv names = {0};
    bool wild = false, complex = false;
    int rc = 0;
    *inv = NULL;
    *own = false;
    size_t n = vg_vuln_set_count(set);
    for (size_t i = 0; !rc && i < n; i++) {
        const struct vg_vuln_entry *e = vg_vuln_set_at(set, i);
        if (e->nvd)
            rc = name_keys(e->nvd, &names, &wild, &complex);
        if (!rc && e->cve5)
            rc = name_keys(e->cve5, &names, &wild, &complex);
    }
    if (rc)
        goto out;
    if (wild || n > 1000) {
        if (!iv->all) {
            struct inv_loader il = {vg_inventory_new(), 0};
            if (!il.inv) {
                rc = VG_ENOMEM;
                goto out;
            }
            iv->all = il.inv;
            if ((rc = vg_store_vuln_assets_each(st, 0, load_asset, &il)))
                goto out;
        }
        *inv = iv->all;
        goto out;
    }
    qsort(names.v, names.n, sizeof *names.v, cmp_strp);
    size_t j = 0;
    for (size_t i = 0; i < names.n; i++) { /* unique names */
        if (j && strcmp(names.v[i], names.v[j - 1]) == 0) {
            free(names.v[i]);
            continue;
        }
        names.v[j++] = names.v[i];
    }
    names.n = j;
    struct inv_loader il = {vg_inventory_new(), 0};
    if (!il.inv) {
        rc = VG_ENOMEM;
        goto out;
    }
    *inv = il.inv;
    *own = true;
    /* The products a configuration can depend on are those its criteria name, "running on"
     * platforms and AND partners included; a negated node holds when none of its criteria
     * is met, which products not loaded cannot change. So the named products suffice, for
     * complex configurations too (whole_orgs is for callers that want more). */
    (void)complex;
    rc = vg_store_vuln_products_for_names(st, (const char *const *)names.v, names.n, false,
                                          load_asset, &il);
out:
    strv_clear(&names);
    return rc;
}

/* Matches the CVEs of keys against the products that may concern them and replaces their
 * findings, MATCH_CHUNK at a time. */
static int rematch_keys(struct vg_store *st, const struct keyv *keys, struct vg_watch_stats *stats,
                        struct vg_diag *d)
{
    struct inventories iv = {NULL};
    int rc = 0;
    for (size_t at = 0; !rc && at < keys->n; at += MATCH_CHUNK) {
        size_t n = keys->n - at < MATCH_CHUNK ? keys->n - at : MATCH_CHUNK;
        struct loader l = {vg_vuln_set_new(), 0, 0};
        struct vg_findings fs;
        vg_findings_init(&fs);
        if (!l.set) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
        double t0 = now_ms();
        rc = vg_store_vuln_each(st, keys->v + at, n, load_record, NULL, NULL, &l);
        double t1 = now_ms();
        struct vg_inventory *inv = NULL;
        bool own = false;
        if (!rc)
            rc = select_inventory(st, &iv, l.set, &inv, &own);
        double t2 = now_ms();
        for (size_t i = 0; !rc && i < vg_vuln_set_count(l.set); i++)
            rc = vg_vmatch_vuln(l.set, i, inv, &fs);
        if (rc)
            vg_diag_set(d, rc, "", "matching failed: %s", vg_strerror(rc));
        double t3 = now_ms();
        size_t nnew = 0;
        struct vg_store_fscope scope = {0, keys->v + at, n};
        if (!rc)
            rc = store_findings(st, &scope, l.set, inv, &fs, &nnew, NULL, d);
        stats->read_ms += t1 - t0;
        stats->load_ms += t2 - t1;
        stats->match_ms += t3 - t2;
        stats->store_ms += now_ms() - t3;
        stats->assets += inv ? vg_inventory_count(inv) : 0;
        stats->matched += n;
        stats->findings += fs.n;
        stats->new_findings += nnew;
        if (own)
            vg_inventory_free(inv);
        vg_findings_cleanup(&fs);
        vg_vuln_set_free(l.set);
    }
    vg_inventory_free(iv.all);
    return rc;
}

/* ---- import ---- */

static const char *cvss_version(uint8_t v)
{
    switch (v) {
    case 40: return "4.0";
    case 31: return "3.1";
    case 30: return "3.0";
    case 20: return "2.0";
    default: return NULL;
    }
}

/* Stores the records, KEV and EPSS data of one file's set; appends changed CVE keys. */
static int store_set(struct vg_store *st, const struct vg_vuln_set *set,
                     struct vg_watch_stats *stats, struct keyv *changed, struct vg_diag *d)
{
    size_t n = vg_vuln_set_count(set);
    struct vg_store_vrec *recs = calloc(2 * n + 1, sizeof *recs);
    size_t *prod_first = calloc(2 * n + 1, sizeof *prod_first);
    int *res = calloc(2 * n + 1, sizeof *res);
    struct vg_store_kev *kev = calloc(n + 1, sizeof *kev);
    struct vg_store_epss *epss = calloc(n + 1, sizeof *epss);
    struct strv prods = {0}, descs = {0};
    struct vg_buf forms; /* the records' compact forms, one after the other */
    vg_buf_init(&forms, VG_MAX_FEED_FILE);
    size_t *form_at = calloc(2 * n + 1, sizeof *form_at);
    size_t nr = 0, nk = 0, ne = 0;
    int rc = 0;
    if (!recs || !prod_first || !res || !kev || !epss || !form_at) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct vg_vuln_entry *e = vg_vuln_set_at(set, i);
        const struct vg_vuln *rs[2] = {e->nvd, e->cve5};
        for (int k = 0; k < 2; k++) {
            const struct vg_vuln *v = rs[k];
            if (!v || !v->json)
                continue;
            struct vg_store_vrec *r = &recs[nr];
            r->cve = v->id;
            r->key = (long long)e->key;
            r->source = v->source == VG_VULN_NVD ? "nvd" : "cve5";
            r->modified = v->modified;
            r->published = v->published;
            r->cvss = v->cvss < 0 ? -1 : round((double)v->cvss * 10) / 10;
            r->cvss_version = cvss_version(v->cvss_version);
            r->severity = v->severity[0] ? v->severity : NULL;
            if (strv_push(&descs, dup_str(v->description))) {
                rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
                goto out;
            }
            r->description = descs.v[descs.n - 1];
            r->json = v->json;
            r->json_len = v->json_len;
            form_at[nr] = forms.len;
            if (vg_vuln_encode(v, &forms)) {
                rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
                goto out;
            }
            r->compact_len = forms.len - form_at[nr];
            prod_first[nr] = prods.n;
            if (record_keys(v, &prods)) {
                rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
                goto out;
            }
            r->nproducts = prods.n - prod_first[nr];
            nr++;
        }
        if (e->has_kev) {
            kev[nk] = (struct vg_store_kev){(long long)e->key, e->kev.date_added, e->kev.due_date,
                                            e->kev.ransomware, e->kev.vendor,     e->kev.product};
            nk++;
        }
        if (e->epss >= 0) {
            epss[ne] = (struct vg_store_epss){(long long)e->key, round((double)e->epss * 1e5) / 1e5,
                                              round((double)e->epss_pct * 1e5) / 1e5};
            ne++;
        }
    }
    for (size_t i = 0; i < nr; i++) { /* prods.v and forms.data are final now */
        recs[i].products = (const char *const *)prods.v + prod_first[i];
        recs[i].compact = forms.data + form_at[i];
    }
    if (nr && (rc = vg_store_vuln_put(st, recs, nr, res, d)))
        goto out;
    for (size_t i = 0; i < nr; i++) {
        if (res[i] == 0)
            stats->added++;
        else if (res[i] == 1)
            stats->updated++;
        else
            stats->unchanged++;
        if (res[i] != 2 && keyv_push(changed, recs[i].key)) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    if (nk && (rc = vg_store_kev_put(st, kev, nk, d)))
        goto out;
    stats->kev += nk;
    if (ne && (rc = vg_store_epss_put(st, epss, ne, vg_vuln_set_epss_model(set), NULL, d)))
        goto out;
    stats->epss += ne;
out:
    free(recs);
    free(prod_first);
    free(res);
    free(kev);
    free(epss);
    free(form_at);
    vg_buf_cleanup(&forms);
    strv_clear(&prods);
    strv_clear(&descs);
    return rc;
}

static int stop_at_first(void *ctx, long long org, const char *cpe)
{
    (void)ctx;
    (void)org;
    (void)cpe;
    return 1;
}

int vg_watch_import(struct vg_store *st, char *const *paths, size_t npaths,
                    const struct vg_watch_opts *o, struct vg_watch_stats *stats, struct vg_diag *d)
{
    struct strv files = {0};
    struct keyv changed = {0};
    int rc = 0, first_err = 0;
    struct vg_diag first;
    vg_diag_clear(&first);
    memset(stats, 0, sizeof *stats);
    struct import_walk w = {&files, o, stats, &first_err, &first};
    for (size_t i = 0; i < npaths && !rc; i++)
        rc = vg_feed_walk(paths[i], collect_file, &w, d);
    if (rc) {
        if (rc == VG_ENOMEM)
            vg_diag_set(d, rc, "", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < files.n; i++) {
        struct vg_vuln_set *set = vg_vuln_set_new();
        if (!set) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
        struct vg_feed_opts fo = {true, o ? o->on_error : NULL, o ? o->ctx : NULL};
        struct vg_feed_stats fst;
        memset(&fst, 0, sizeof fst);
        struct vg_diag fd;
        vg_diag_clear(&fd);
        int frc = vg_feed_read_path(set, VG_FEED_AUTO, files.v[i], &fo, &fst, &fd);
        stats->rejected += fst.rejected;
        if (frc) {
            stats->bad_files++;
            if (o && o->on_error)
                o->on_error(o->ctx, files.v[i], &fd);
            if (!first_err) {
                first_err = frc;
                first = fd;
            }
        } else {
            stats->files++;
            rc = store_set(st, set, stats, &changed, d);
        }
        vg_vuln_set_free(set);
        if (rc)
            goto out;
        if (o && o->on_progress)
            o->on_progress(o->ctx, i + 1, files.n,
                           stats->added + stats->updated + stats->unchanged + stats->rejected);
    }
    if (!stats->files) {
        if (first_err) {
            *d = first;
            rc = first_err;
        } else {
            rc = vg_diag_set(d, VG_ENOENT, "", "no feed file found");
        }
        goto out;
    }
    keyv_uniq(&changed);
    /* no product in the constituency: nothing to match (the first import of a feed) */
    if (changed.n && vg_store_vuln_assets_each(st, 0, stop_at_first, NULL) == 1)
        rc = rematch_keys(st, &changed, stats, d);
out:
    strv_clear(&files);
    free(changed.v);
    return rc;
}

/* ---- full re-match ---- */

static bool since_ok(const struct vg_vuln_entry *e, const char *since)
{
    const struct vg_vuln *rs[2] = {e->nvd, e->cve5};
    for (int k = 0; k < 2; k++)
        if (rs[k] && (strcmp(rs[k]->modified, since) >= 0 || strcmp(rs[k]->published, since) >= 0))
            return true;
    return false;
}

/* Asset ids of the store, in name order, to find the id of each inventory asset. */
struct asset_ids {
    struct strv cpe;
    struct keyv id; /* id[i] is cpe[i]'s */
};

static int collect_asset_id(void *ctx, long long id, const char *cpe)
{
    struct asset_ids *a = ctx;
    int rc = keyv_push(&a->id, id);
    return rc ? rc : strv_push(&a->cpe, dup_str(vg_str_c(cpe)));
}

/* The store's id of asset name cpe, 0 if it has none yet. */
static long long find_asset_id(const struct asset_ids *a, const char *cpe)
{
    size_t lo = 0, hi = a->cpe.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a->cpe.v[mid], cpe);
        if (c == 0)
            return a->id.v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* What a full re-match found for one organisation, beside what the store holds. */
struct org_sum {
    long long org;
    long long n;     /* findings found */
    uint64_t h;      /* their fingerprint */
    bool new_asset;  /* one of them has an asset name the store has not numbered yet */
    bool stored;     /* the store has a fingerprint */
    bool changed;    /* stored, and not what was found */
};

struct org_sums {
    struct org_sum *v;
    size_t n;
    struct keyv extra; /* organisations with a stored fingerprint but no product now */
};

/* Orders inventory assets by organisation (its index in the sorted list), then name: an
 * organisation's repeats of a product come together. */
struct asset_order {
    const struct vg_inventory *inv;
    const size_t *org; /* organisation index of each asset */
};

static int cmp_asset_of(const void *a, const void *b, void *ctx)
{
    const struct asset_order *o = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (o->org[x] != o->org[y])
        return o->org[x] < o->org[y] ? -1 : 1;
    int c = strcmp(vg_inventory_cpe(o->inv, x), vg_inventory_cpe(o->inv, y));
    return c ? c : (x > y) - (x < y);
}

static int cmp_org_sum(const void *a, const void *b)
{
    const struct org_sum *x = a, *y = b;
    return (x->org > y->org) - (x->org < y->org);
}

static struct org_sum *find_org(const struct org_sums *os, long long org)
{
    struct org_sum key = {.org = org};
    return bsearch(&key, os->v, os->n, sizeof *os->v, cmp_org_sum);
}

static int compare_stored(void *ctx, long long org, long long n, uint64_t h)
{
    struct org_sums *os = ctx;
    struct org_sum *o = find_org(os, org);
    if (o) {
        o->stored = true;
        o->changed = o->new_asset || o->n != n || o->h != h;
        return 0;
    }
    return n == 0 ? 0 : keyv_push(&os->extra, org);
}

/* Rewrites the findings of the organisations whose fingerprint differs from what was found
 * (all of them, in one replace, when the store has no fingerprint at all), in one
 * transaction; the others are left as they are. */
static int store_changed(struct vg_store *st, long long org, const struct vg_vuln_set *set,
                         struct vg_inventory *inv, const struct vg_findings *fs,
                         struct vg_watch_match_stats *ms, struct vg_diag *d)
{
    size_t na = vg_inventory_count(inv);
    struct asset_ids ids = {{0}, {NULL, 0, 0}};
    struct org_sums os = {NULL, 0, {NULL, 0, 0}};
    size_t *asset_org = malloc((na ? na : 1) * sizeof *asset_org);
    long long *asset_id = malloc((na ? na : 1) * sizeof *asset_id);
    size_t *order = malloc((na ? na : 1) * sizeof *order);
    bool *repeat = calloc(na + 1, sizeof *repeat);
    int rc = 0;
    if (!asset_org || !asset_id || !order || !repeat || !(os.v = calloc(na + 1, sizeof *os.v))) {
        rc = VG_ENOMEM;
        goto out;
    }
    if ((rc = vg_store_asset_ids_each(st, collect_asset_id, &ids)))
        goto out;
    long long *org_of = asset_id; /* first the organisation of each asset, then its id */
    for (size_t i = 0; i < na; i++)
        os.v[i].org = org_of[i] = strtoll(vg_inventory_org(inv, i), NULL, 10);
    qsort(os.v, na, sizeof *os.v, cmp_org_sum);
    for (size_t i = 0; i < na; i++)
        if (os.n == 0 || os.v[os.n - 1].org != os.v[i].org)
            os.v[os.n++] = os.v[i];
    for (size_t i = 0; i < na; i++) {
        asset_org[i] = (size_t)(find_org(&os, org_of[i]) - os.v);
        asset_id[i] = find_asset_id(&ids, vg_inventory_cpe(inv, i));
    }
    /* a product an organisation lists twice gives the same findings twice, stored once:
     * the fingerprint counts the first */
    for (size_t i = 0; i < na; i++)
        order[i] = i;
    struct asset_order ao = {inv, asset_org};
    qsort_r(order, na, sizeof *order, cmp_asset_of, &ao);
    for (size_t i = 1; i < na; i++)
        repeat[order[i]] = asset_org[order[i]] == asset_org[order[i - 1]] &&
                           strcmp(vg_inventory_cpe(inv, order[i]),
                                  vg_inventory_cpe(inv, order[i - 1])) == 0;
    for (size_t i = 0; i < fs->n; i++) {
        if (repeat[fs->v[i].asset])
            continue;
        struct org_sum *o = &os.v[asset_org[fs->v[i].asset]];
        long long aid = asset_id[fs->v[i].asset];
        o->n++;
        if (aid)
            o->h ^= vg_store_finding_hash(aid, (long long)vg_vuln_set_at(set, fs->v[i].entry)->key);
        else
            o->new_asset = true;
    }
    if ((rc = vg_store_finding_sums_each(st, org, compare_stored, &os)))
        goto out;
    bool none_stored = true;
    for (size_t i = 0; i < os.n && none_stored; i++)
        none_stored = !os.v[i].stored;
    none_stored = none_stored && os.extra.n == 0;
    ms->orgs = os.n;
    if (none_stored) { /* first re-match (or first since schema 4): the whole scope at once */
        struct vg_store_fscope scope = {org, NULL, 0};
        ms->orgs_changed = os.n;
        rc = store_findings(st, &scope, set, inv, fs, &ms->new_findings, &ms->gone, d);
        goto out;
    }
    /* the findings of the organisations to rewrite, grouped by organisation in one pass:
     * organisation k's are grouped[at[k] .. at[k + 1]) */
    size_t *at = calloc(os.n + 1, sizeof *at), total = 0;
    if (!at) {
        rc = VG_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < fs->n; i++) {
        const struct org_sum *o = &os.v[asset_org[fs->v[i].asset]];
        if (!o->stored || o->changed)
            at[asset_org[fs->v[i].asset] + 1]++;
    }
    for (size_t k = 0; k < os.n; k++)
        at[k + 1] += at[k];
    total = at[os.n];
    struct vg_finding *grouped = malloc((total ? total : 1) * sizeof *grouped);
    if (!grouped) {
        free(at);
        rc = VG_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < fs->n; i++) {
        const struct org_sum *o = &os.v[asset_org[fs->v[i].asset]];
        if (!o->stored || o->changed)
            grouped[at[asset_org[fs->v[i].asset]]++] = fs->v[i];
    }
    /* the filling moved each at[k] to the start of k + 1 */
    memmove(at + 1, at, os.n * sizeof *at);
    at[0] = 0;
    /* in one transaction; should one organisation fail, those rewritten before it stay
     * (each is rewritten whole, with its fingerprint) */
    vg_store_batch_begin(st);
    for (size_t k = 0; !rc && k < os.n + os.extra.n; k++) {
        struct vg_findings part = {NULL, 0, 0}; /* no findings: an extra organisation */
        long long o = k < os.n ? os.v[k].org : os.extra.v[k - os.n];
        if (k < os.n) {
            if (os.v[k].stored && !os.v[k].changed)
                continue;
            part = (struct vg_findings){grouped + at[k], at[k + 1] - at[k], at[k + 1] - at[k]};
        }
        ms->orgs_changed++;
        struct vg_store_fscope scope = {o, NULL, 0};
        size_t nnew = 0, ngone = 0;
        rc = store_findings(st, &scope, set, inv, &part, &nnew, &ngone, d);
        ms->new_findings += nnew;
        ms->gone += ngone;
    }
    free(grouped);
    free(at);
    if (rc)
        vg_store_batch_commit(st, NULL);
    else
        rc = vg_store_batch_commit(st, d);
out:
    if (rc == VG_ENOMEM)
        vg_diag_set(d, rc, "", "out of memory");
    else if (rc && d && !d->message[0])
        vg_diag_set(d, rc, "", "cannot store the findings: %s", vg_strerror(rc));
    strv_clear(&ids.cpe);
    free(ids.id.v);
    free(os.v);
    free(os.extra.v);
    free(asset_org);
    free(asset_id);
    free(order);
    free(repeat);
    return rc;
}

int vg_watch_match_all(struct vg_store *st, long long org, const char *since, FILE *out,
                       struct vg_watch_match_stats *ms, struct vg_diag *d)
{
    memset(ms, 0, sizeof *ms);
    vg_diag_clear(d);
    double t0 = now_ms();
    struct loader l = {vg_vuln_set_new(), 0, 0};
    struct inv_loader il = {vg_inventory_new(), 0};
    struct vg_vindex *ix = NULL;
    struct vg_findings fs;
    vg_findings_init(&fs);
    int rc = 0;
    if (!l.set || !il.inv) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if ((rc = vg_store_vuln_assets_each(st, org, load_asset, &il)) ||
        (rc = vg_store_vuln_each(st, NULL, 0, load_record, load_kev, load_epss, &l))) {
        vg_diag_set(d, rc, "", "cannot read the store: %s", vg_strerror(rc));
        goto out;
    }
    ix = vg_vindex_build(l.set);
    if (!ix) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    ms->cves = vg_vuln_set_count(l.set);
    ms->assets = vg_inventory_count(il.inv);
    ms->unreadable = l.unreadable;
    double t1 = now_ms();
    ms->load_ms = t1 - t0;
    if ((rc = vg_vmatch_all(ix, l.set, il.inv, &fs))) {
        vg_diag_set(d, rc, "", "matching failed: %s", vg_strerror(rc));
        goto out;
    }
    double t2 = now_ms();
    ms->match_ms = t2 - t1;
    ms->findings = fs.n;
    if ((rc = store_changed(st, org, l.set, il.inv, &fs, ms, d)))
        goto out;
    ms->store_ms = now_ms() - t2;
    if (out) {
        vg_findings_sort(&fs, l.set);
        struct vg_buf b;
        vg_buf_init(&b, 1 << 20);
        for (size_t i = 0; i < fs.n; i++) {
            if (since && !since_ok(vg_vuln_set_at(l.set, fs.v[i].entry), since))
                continue;
            vg_buf_reset(&b);
            vg_finding_write_json(l.set, il.inv, &fs.v[i], &b);
            vg_buf_putc(&b, '\n');
            if (!b.failed)
                fwrite(b.data, 1, b.len, out);
        }
        vg_buf_cleanup(&b);
    }
out:
    vg_findings_cleanup(&fs);
    vg_vindex_free(ix);
    vg_inventory_free(il.inv);
    vg_vuln_set_free(l.set);
    return rc;
}

/* ---- new assets of one organisation ---- */

static int collect_key(void *ctx, long long key)
{
    return keyv_push(ctx, key);
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
    if ((rc = vg_store_vuln_assets_each(st, org, load_asset, &il))) {
        vg_diag_set(d, rc, "", "cannot read the organisation's products");
        goto out;
    }
    /* the CVEs of new products, and of removed ones: a finding of a product that stays may
     * have needed the removed one (an AND configuration, a "running on" platform) */
    bool added;
    size_t bi;
    json_t *bp;
    json_array_foreach(before, bi, bp)
    {
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
    if ((rc = strv_push(&lookups, dup_str(VG_STR(WILD_KEY))))) { /* once for all products */
        rc = vg_diag_set(d, rc, "", "out of memory");
        goto out;
    }
    if ((rc = vg_store_vuln_keys_for_products(st, (const char *const *)lookups.v, lookups.n,
                                              collect_key, &keys))) {
        vg_diag_set(d, rc, "", "cannot read the store");
        goto out;
    }
    keyv_uniq(&keys);
    if (!keys.n)
        goto out;
    l.set = vg_vuln_set_new();
    if (!l.set || (rc = vg_store_vuln_each(st, keys.v, keys.n, load_record, NULL, NULL, &l)) ||
        !(ix = vg_vindex_build(l.set))) {
        rc = vg_diag_set(d, rc ? rc : VG_ENOMEM, "", "cannot load the CVEs of the new products");
        goto out;
    }
    if ((rc = vg_vmatch_all(ix, l.set, il.inv, &fs))) {
        vg_diag_set(d, rc, "", "matching failed");
        goto out;
    }
    struct vg_store_fscope scope = {org, keys.v, keys.n};
    rc = store_findings(st, &scope, l.set, il.inv, &fs, NULL, NULL, d);
    if (!rc && nfound)
        *nfound = fs.n;
out:
    vg_findings_cleanup(&fs);
    vg_vindex_free(ix);
    vg_vuln_set_free(l.set);
    vg_inventory_free(il.inv);
    strv_clear(&lookups);
    vg_strmap_cleanup(&had);
    vg_strmap_cleanup(&now);
    free(keys.v);
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

static const char *tier_name(json_int_t t)
{
    return t == 0 ? "KEV" : t == 1 ? "EPSS" : "CVSS";
}

void vg_watch_digest_text(const json_t *dg, FILE *out)
{
    const json_t *fl = json_object_get(dg, "findings");
    const char *since = json_string_value(json_object_get(dg, "since"));
    fprintf(out, "Digest for %s (organisation %lld), until %s\n",
            json_string_value(json_object_get(dg, "name")),
            (long long)json_integer_value(json_object_get(dg, "org")),
            json_string_value(json_object_get(dg, "until")));
    if (since)
        fprintf(out, "%zu new finding(s) since the last digest (%s)\n", json_array_size(fl), since);
    else
        fprintf(out, "%zu finding(s) (first digest)\n", json_array_size(fl));
    size_t i;
    json_t *f;
    json_array_foreach(fl, i, f)
    {
        const json_t *cvss = json_object_get(f, "cvss"), *kev = json_object_get(f, "kev");
        const json_t *epss = json_object_get(f, "epss");
        fprintf(out, "\n[%s] %s", tier_name(json_integer_value(json_object_get(f, "priority"))),
                json_string_value(json_object_get(f, "cve")));
        if (json_is_object(cvss))
            fprintf(out, "  CVSS %.1f %s", json_real_value(json_object_get(cvss, "score")),
                    json_string_value(json_object_get(cvss, "severity"))
                        ? json_string_value(json_object_get(cvss, "severity"))
                        : "");
        if (json_is_object(epss))
            fprintf(out, "  EPSS %.3f", json_real_value(json_object_get(epss, "score")));
        fprintf(out, "\n  asset: %s\n", json_string_value(json_object_get(f, "asset")));
        if (json_is_object(kev))
            fprintf(out, "  known exploited (CISA KEV) since %s, due %s%s\n",
                    json_string_value(json_object_get(kev, "dateAdded")),
                    json_string_value(json_object_get(kev, "dueDate")),
                    json_is_true(json_object_get(kev, "knownRansomwareCampaignUse"))
                        ? ", used by ransomware"
                        : "");
        const char *desc = json_string_value(json_object_get(f, "description"));
        if (desc && desc[0])
            fprintf(out, "  %.300s%s\n", desc, strlen(desc) > 300 ? "..." : "");
    }
}
