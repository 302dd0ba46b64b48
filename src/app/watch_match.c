/* Full re-match (vg_watch_match_all): every stored CVE against the products of the
 * constituency; the findings of an organisation are rewritten only when their fingerprint
 * (count and XOR of hashes) differs from the store's. */
#include "app/watch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/watch_int.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/sort.h"

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
    int rc = watch_keyv_push(&a->id, id);
    return rc ? rc : watch_strv_push(&a->cpe, watch_dup_str(vg_str_c(cpe)));
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
    long long n;    /* findings found */
    uint64_t h;     /* their fingerprint */
    bool new_asset; /* one of them has an asset name the store has not numbered yet */
    bool stored;    /* the store has a fingerprint */
    bool changed;   /* stored, and not what was found */
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
    return vg_search(&key, os->v, os->n, sizeof *os->v, cmp_org_sum);
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
    return n == 0 ? 0 : watch_keyv_push(&os->extra, org);
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
    size_t *asset_org = vg_malloc((na ? na : 1) * sizeof *asset_org);
    long long *asset_id = vg_malloc((na ? na : 1) * sizeof *asset_id);
    size_t *order = vg_malloc((na ? na : 1) * sizeof *order);
    bool *repeat = vg_calloc(na + 1, sizeof *repeat);
    int rc = 0;
    if (!asset_org || !asset_id || !order || !repeat || !(os.v = vg_calloc(na + 1, sizeof *os.v))) {
        rc = VG_ENOMEM;
        goto out;
    }
    if ((rc = vg_store_asset_ids_each(st, collect_asset_id, &ids)))
        goto out;
    long long *org_of = asset_id; /* first the organisation of each asset, then its id */
    for (size_t i = 0; i < na; i++)
        os.v[i].org = org_of[i] = strtoll(vg_inventory_org(inv, i), NULL, 10);
    vg_sort(os.v, na, sizeof *os.v, cmp_org_sum);
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
        repeat[order[i]] =
            asset_org[order[i]] == asset_org[order[i - 1]] &&
            strcmp(vg_inventory_cpe(inv, order[i]), vg_inventory_cpe(inv, order[i - 1])) == 0;
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
        rc = watch_store_findings(st, &scope, set, inv, fs, &ms->new_findings, &ms->gone, d);
        goto out;
    }
    /* the findings of the organisations to rewrite, grouped by organisation in one pass:
     * organisation k's are grouped[at[k] .. at[k + 1]) */
    size_t *at = vg_calloc(os.n + 1, sizeof *at), total = 0;
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
    struct vg_finding *grouped = vg_malloc((total ? total : 1) * sizeof *grouped);
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
    /* in one use-case transaction (a savepoint of the server's batch when called inside
     * one), each organisation's rewrite a unit of its own in it: should one fail, it alone
     * is undone and those rewritten before it are committed all the same (each is rewritten
     * whole, with its fingerprint: what is kept is right, and the next re-match rewrites the
     * rest). No transaction when nothing is to be rewritten. */
    bool any = os.extra.n > 0;
    for (size_t k = 0; k < os.n && !any; k++)
        any = !os.v[k].stored || os.v[k].changed;
    if (any && (rc = vg_store_tx_begin(st, d))) {
        free(grouped);
        free(at);
        goto out;
    }
    for (size_t k = 0; any && !rc && k < os.n + os.extra.n; k++) {
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
        rc = watch_store_findings(st, &scope, set, inv, &part, &nnew, &ngone, d);
        ms->new_findings += nnew;
        ms->gone += ngone;
    }
    free(grouped);
    free(at);
    if (any && rc)
        vg_store_tx_commit(st, NULL);
    else if (any)
        rc = vg_store_tx_commit(st, d);
out:
    if (rc == VG_ENOMEM)
        vg_diag_set(d, rc, "", "out of memory");
    else if (rc && d && !d->message[0])
        vg_diag_set(d, rc, "", "cannot store the findings: %s", vg_strerror(rc));
    watch_strv_clear(&ids.cpe);
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
    double t0 = watch_now_ms();
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
    if ((rc = vg_store_vuln_assets_each(st, org, watch_load_asset, &il)) ||
        (rc = vg_store_vuln_each(st, NULL, 0, watch_load_record, load_kev, load_epss, &l))) {
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
    double t1 = watch_now_ms();
    ms->load_ms = t1 - t0;
    if ((rc = vg_vmatch_all(ix, l.set, il.inv, &fs))) {
        vg_diag_set(d, rc, "", "matching failed: %s", vg_strerror(rc));
        goto out;
    }
    double t2 = watch_now_ms();
    ms->match_ms = t2 - t1;
    ms->findings = fs.n;
    if ((rc = store_changed(st, org, l.set, il.inv, &fs, ms, d)))
        goto out;
    ms->store_ms = watch_now_ms() - t2;
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
