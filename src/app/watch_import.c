/* Feed import (vg_watch_import): the feed readers fill a set per file, the store keeps the
 * records as imported, and matching re-reads from the store only the CVEs that changed,
 * against the products their criteria name, so that an import does not reload the whole
 * vulnerability set. */
#include "app/watch.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/watch_int.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"
#include "vuln/compact.h"
#include "vuln/cpe.h"
#include "vuln/feed.h"

/* CVEs re-read from the store and matched per round after an import. */
#define MATCH_CHUNK 5000

static bool strv_has(const struct strv *l, size_t from, const char *s)
{
    for (size_t i = from; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

/* Appends k to l unless l holds it from index from on; frees k then. */
static int push_new(struct strv *l, size_t from, char *k)
{
    if (k && strv_has(l, from, k)) {
        free(k);
        return 0;
    }
    return watch_strv_push(l, k);
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
                     ? push_new(l, from, watch_dup_str((struct vg_str){k, kl}))
                     : push_new(l, from, watch_dup_str(VG_STR(WILD_KEY)));
        if (rc)
            return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < v->naffected; i++) {
        char *k5 =
            watch_cve5_key(v->affected[i].vendor, v->affected[i].product, VG_PRODUCT_PLAIN, &bad);
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
        return watch_strv_push(w->files, vg_strdup(path));
    w->stats->bad_files++;
    if (w->o && w->o->on_error)
        w->o->on_error(w->o->ctx, path, d);
    if (!*w->first_err) {
        *w->first_err = err;
        *w->first = *d;
    }
    return 0;
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
        if (watch_strv_push(l, watch_dup_str((struct vg_str){k, (size_t)n})))
            return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < v->naffected; i++) {
        /* names normalised by the reader already: normalising again leaves them as they are */
        long n = vg_product_key(v->affected[i].vendor, v->affected[i].product, VG_PRODUCT_PLAIN, k,
                                sizeof k);
        if (n >= 0 && watch_strv_push(l, watch_dup_str((struct vg_str){k, (size_t)n})))
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
            if ((rc = vg_store_vuln_assets_each(st, 0, watch_load_asset, &il)))
                goto out;
        }
        *inv = iv->all;
        goto out;
    }
    vg_sort(names.v, names.n, sizeof *names.v, cmp_strp);
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
                                          watch_load_asset, &il);
out:
    watch_strv_clear(&names);
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
        double t0 = watch_now_ms();
        rc = vg_store_vuln_each(st, keys->v + at, n, watch_load_record, NULL, NULL, &l);
        double t1 = watch_now_ms();
        struct vg_inventory *inv = NULL;
        bool own = false;
        if (!rc)
            rc = select_inventory(st, &iv, l.set, &inv, &own);
        double t2 = watch_now_ms();
        for (size_t i = 0; !rc && i < vg_vuln_set_count(l.set); i++)
            rc = vg_vmatch_vuln(l.set, i, inv, &fs);
        if (rc)
            vg_diag_set(d, rc, "", "matching failed: %s", vg_strerror(rc));
        double t3 = watch_now_ms();
        size_t nnew = 0;
        struct vg_store_fscope scope = {0, keys->v + at, n};
        if (!rc)
            rc = watch_store_findings(st, &scope, l.set, inv, &fs, &nnew, NULL, d);
        stats->read_ms += t1 - t0;
        stats->load_ms += t2 - t1;
        stats->match_ms += t3 - t2;
        stats->store_ms += watch_now_ms() - t3;
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

/* The shortest decimal that reads back as f, as a double: what the feed wrote ("0.099996",
 * "0.1"), not f widened (0.10000000149...) nor rounded to 5 places (0.099996 became 0.1,
 * which the rule "EPSS >= 0.1" then read as priority 1). */
static double float_decimal(float f)
{
    char buf[32];
    for (int digits = 1; digits < 9; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, (double)f);
        if (strtof(buf, NULL) == f)
            return strtod(buf, NULL);
    }
    snprintf(buf, sizeof buf, "%.9g", (double)f);
    return strtod(buf, NULL);
}

/* Stores the records, KEV and EPSS data of one file's set; appends changed CVE keys. */
static int store_set(struct vg_store *st, const struct vg_vuln_set *set,
                     struct vg_watch_stats *stats, struct keyv *changed, struct vg_diag *d)
{
    size_t n = vg_vuln_set_count(set);
    struct vg_store_vrec *recs = vg_calloc(2 * n + 1, sizeof *recs);
    size_t *prod_first = vg_calloc(2 * n + 1, sizeof *prod_first);
    int *res = vg_calloc(2 * n + 1, sizeof *res);
    struct vg_store_kev *kev = vg_calloc(n + 1, sizeof *kev);
    struct vg_store_epss *epss = vg_calloc(n + 1, sizeof *epss);
    struct strv prods = {0}, descs = {0};
    struct vg_buf forms; /* the records' compact forms, one after the other */
    vg_buf_init(&forms, VG_MAX_FEED_FILE);
    size_t *form_at = vg_calloc(2 * n + 1, sizeof *form_at);
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
            if (watch_strv_push(&descs, watch_dup_str(v->description))) {
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
            epss[ne] = (struct vg_store_epss){(long long)e->key, float_decimal(e->epss),
                                              float_decimal(e->epss_pct)};
            ne++;
        }
    }
    for (size_t i = 0; i < nr; i++) { /* prods.v and forms.data are final now */
        /* a set whose records name no product (e.g. only REJECTED ones) has no vector */
        recs[i].products = prods.v ? (const char *const *)prods.v + prod_first[i] : NULL;
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
        if (res[i] != 2 && watch_keyv_push(changed, recs[i].key)) {
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
    watch_strv_clear(&prods);
    watch_strv_clear(&descs);
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
    watch_keyv_uniq(&changed);
    /* no product in the constituency: nothing to match (the first import of a feed); products
     * that cannot be read are not "no product" */
    int any = changed.n ? vg_store_vuln_assets_each(st, 0, stop_at_first, NULL) : 0;
    if (any == 1)
        rc = rematch_keys(st, &changed, stats, d);
    else if (any)
        rc = vg_diag_set(d, any, "", "cannot read the store: %s", vg_strerror(any));
out:
    watch_strv_clear(&files);
    free(changed.v);
    return rc;
}
