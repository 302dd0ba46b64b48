/* Unit tests of the vulnerability part of the store (src/store/sqlite_vulns.c) and of the
 * watch layer over it (src/app/watch*.c), against a real SQLite file in a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/product.h"
#include "core/record.h"
#include "app/watch.h"
#include "store/store.h"

#include "store_fixture.h"

static struct vg_store_vrec rec(const char *cve, long long key, const char *source,
                                const char *modified, double cvss)
{
    static const char *const prods[] = {"a:acme:widget"};
    struct vg_store_vrec r = {cve,  key,   source, modified, "2025-01-01",
                              cvss, "3.1", "HIGH", "desc",   "{\"id\":1}",
                              8,    NULL,  0,      prods,    1};
    return r;
}

static long long make_org(struct vg_store *st, const char *name, const char *products)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"name\":\"%s\",\"kind\":\"ministry\",\"sector\":\"government\","
             "\"assets\":{\"cidrs\":[],\"domains\":[],\"products\":%s}}",
             name, products);
    struct vg_diag d;
    json_t *in = json_loads(buf, 0, NULL), *org = NULL, *out = NULL;
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &org, &d), 0);
    assert_int_equal(vg_store_org_create(st, &who, org, &out, &d), 0);
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(org);
    json_decref(out);
    return id;
}

static void put_is_idempotent_and_newer_replaces(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_store_vrec r[2] = {rec("CVE-2025-0001", 1, "nvd", "2025-01-01", 5.0),
                                 rec("CVE-2025-0002", 2, "nvd", "2025-01-01", -1)};
    int res[2];
    assert_int_equal(vg_store_vuln_put(f->st, r, 2, res, &d), 0);
    assert_int_equal(res[0], 0);
    assert_int_equal(res[1], 0);
    assert_int_equal(vg_store_vuln_put(f->st, r, 2, res, &d), 0);
    assert_int_equal(res[0], 2);
    assert_int_equal(res[1], 2);
    r[0].modified = "2025-02-01";
    r[0].cvss = 9.0;
    r[1].modified = "2024-12-01"; /* older: kept out */
    assert_int_equal(vg_store_vuln_put(f->st, r, 2, res, &d), 0);
    assert_int_equal(res[0], 1);
    assert_int_equal(res[1], 2);
    json_t *v = NULL;
    assert_int_equal(vg_store_vuln_get(f->st, "CVE-2025-0001", &v), 0);
    assert_true(json_real_value(json_object_get(json_object_get(v, "cvss"), "score")) == 9.0);
    assert_string_equal(json_string_value(json_object_get(v, "modified")), "2025-02-01");
    json_decref(v);
    /* a CVE 5 record with a score does not displace NVD's; it fills in when NVD has none */
    struct vg_store_vrec c5[2] = {rec("CVE-2025-0001", 1, "cve5", "2025-03-01", 3.0),
                                  rec("CVE-2025-0002", 2, "cve5", "2025-03-01", 4.0)};
    assert_int_equal(vg_store_vuln_put(f->st, c5, 2, res, &d), 0);
    assert_int_equal(vg_store_vuln_get(f->st, "CVE-2025-0001", &v), 0);
    assert_true(json_real_value(json_object_get(json_object_get(v, "cvss"), "score")) == 9.0);
    assert_int_equal(json_array_size(json_object_get(v, "records")), 2);
    json_decref(v);
    assert_int_equal(vg_store_vuln_get(f->st, "CVE-2025-0002", &v), 0);
    assert_true(json_real_value(json_object_get(json_object_get(v, "cvss"), "score")) == 4.0);
    json_decref(v);
    assert_int_equal(vg_store_vuln_get(f->st, "CVE-2025-0003", &v), VG_ENOENT);
    /* a bad record is refused before anything is written */
    r[0].source = "osv";
    assert_int_equal(vg_store_vuln_put(f->st, r, 1, res, &d), VG_EINVAL);
}

static int count_key(void *ctx, long long key)
{
    (void)key;
    (*(int *)ctx)++;
    return 0;
}

static void findings_replace_keep_first_seen_and_order(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long org = make_org(f->st, "Org", "[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\"]");
    struct vg_store_vrec r[3] = {rec("CVE-2025-0001", 1, "nvd", "2025-01-01", 5.0),
                                 rec("CVE-2025-0002", 2, "nvd", "2025-01-01", 9.0),
                                 rec("CVE-2025-0003", 3, "nvd", "2025-01-01", 2.0)};
    assert_int_equal(vg_store_vuln_put(f->st, r, 3, NULL, &d), 0);
    int n = 0;
    const char *const p[] = {"a:acme:widget", "a:acme:other"};
    assert_int_equal(vg_store_vuln_keys_for_products(f->st, p, 2, count_key, &n), 0);
    assert_int_equal(n, 3);
    struct vg_store_kev kev = {3, "2025-01-02", "2025-01-20", true, "Acme", "Widget"};
    assert_int_equal(vg_store_kev_put(f->st, &kev, 1, &d), 0);
    struct vg_store_epss ep = {1, 0.5, 0.9};
    assert_int_equal(vg_store_epss_put(f->st, &ep, 1, "v2025", NULL, &d), 0);
    const char *assets[] = {"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"};
    struct vg_store_finding fs[3] = {{org, 0, 1}, {org, 0, 2}, {org, 0, 3}};
    struct vg_store_fscope all = {0, NULL, 0};
    json_t *res = NULL;
    assert_int_equal(vg_store_finding_replace(f->st, &all, assets, 1, fs, 3, &res, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "new")), 3);
    json_decref(res);
    struct vg_page page = {2, NULL};
    json_t *l = NULL;
    assert_int_equal(vg_store_finding_list(f->st, org, NULL, &page, &l, &d), 0);
    json_t *items = json_object_get(l, "items");
    /* KEV (0003), then EPSS >= 0.1 (0001), then CVSS (0002) on the next page */
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "cve")),
                        "CVE-2025-0003");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "cve")),
                        "CVE-2025-0001");
    char cur[64];
    snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(l, "next_cursor")));
    json_decref(l);
    page.cursor = cur;
    assert_int_equal(vg_store_finding_list(f->st, org, NULL, &page, &l, &d), 0);
    items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "cve")),
                        "CVE-2025-0002");
    assert_true(json_is_null(json_object_get(l, "next_cursor")));
    json_decref(l);
    /* first digest: all three; second: none */
    json_t *dg = NULL;
    assert_int_equal(vg_store_digest_take(f->st, org, &dg, &d), 0);
    assert_int_equal(json_array_size(json_object_get(dg, "findings")), 3);
    json_decref(dg);
    assert_int_equal(vg_store_digest_take(f->st, org, &dg, &d), 0);
    assert_int_equal(json_array_size(json_object_get(dg, "findings")), 0);
    json_decref(dg);
    /* replacing the scope of CVE 0001 only: 0001 gone, the others untouched */
    long long k1 = 1;
    struct vg_store_fscope one = {0, &k1, 1};
    assert_int_equal(vg_store_finding_replace(f->st, &one, assets, 1, NULL, 0, &res, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "gone")), 1);
    json_decref(res);
    /* the whole scope again with the same three: 0001 comes back as new, the two others
     * keep their rows (nothing new for them in the digest) */
    assert_int_equal(vg_store_finding_replace(f->st, &all, assets, 1, fs, 3, &res, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "new")), 1);
    json_decref(res);
    assert_int_equal(vg_store_digest_take(f->st, org, &dg, &d), 0);
    json_t *fl = json_object_get(dg, "findings");
    assert_int_equal(json_array_size(fl), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fl, 0), "cve")),
                        "CVE-2025-0001");
    json_decref(dg);
    assert_int_equal(vg_store_digest_take(f->st, 4242, &dg, &d), VG_ENOENT);
    /* an asset index out of range is refused */
    struct vg_store_finding bad = {org, 7, 1};
    assert_int_equal(vg_store_finding_replace(f->st, &all, assets, 1, &bad, 1, NULL, &d),
                     VG_EINVAL);
}

static void watch_import_and_new_assets(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long org = make_org(f->st, "Org", "[\"cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*\"]");
    char *paths[] = {"tests/data/vulndb/nvd-a.json", "tests/data/vulndb/kev.json"};
    struct vg_watch_stats s;
    assert_int_equal(vg_watch_import(f->st, paths, 2, NULL, &s, &d), 0);
    assert_int_equal(s.added, 4);
    assert_int_equal(s.kev, 1);
    assert_int_equal(s.matched, 4);
    assert_int_equal(s.findings, 1); /* gadget 1.9 <= 2.0: CVE-2025-1003 */
    assert_int_equal(vg_watch_import(f->st, paths, 1, NULL, &s, &d), 0);
    assert_int_equal(s.unchanged, 4);
    assert_int_equal(s.matched, 0);
    /* a new product: only the CVEs naming it are matched */
    json_t *before = json_pack("[s]", "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*");
    json_t *patch = json_pack("{s:{s:[],s:[],s:[s,s]}}", "assets", "cidrs", "domains", "products",
                              "cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*",
                              "cpe:2.3:a:globex:portal:3.0:*:*:*:*:*:*:*");
    json_t *out = NULL;
    assert_int_equal(vg_store_org_update(f->st, &who, org, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
    size_t found = 0;
    assert_int_equal(vg_watch_org_assets(f->st, org, before, &found, &d), 0);
    assert_int_equal(found, 1); /* CVE-2025-1005 only */
    json_decref(before);
    struct vg_page page = {50, NULL};
    json_t *l = NULL;
    assert_int_equal(vg_store_finding_list(f->st, org, NULL, &page, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);
    /* nothing readable: an error, nothing counted */
    char *none[] = {"tests/data/nvd/not-json.json"};
    assert_int_not_equal(vg_watch_import(f->st, none, 1, NULL, &s, &d), 0);
    assert_int_equal(s.files, 0);
}

/* The full re-match writes in a use-case transaction of its own: called inside the server's
 * group-commit batch, it does not end the batch (its writes are committed with it). */
static void match_all_inside_a_batch_leaves_the_batch_open(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    make_org(f->st, "A", "[\"cpe:2.3:a:acme:gadget:1.9:*:*:*:*:*:*:*\"]");
    long long b = make_org(f->st, "B", "[\"cpe:2.3:a:other:thing:1.0:*:*:*:*:*:*:*\"]");
    char *paths[] = {"tests/data/vulndb/nvd-a.json"};
    struct vg_watch_stats s;
    assert_int_equal(vg_watch_import(f->st, paths, 1, NULL, &s, &d), 0);
    assert_int_equal(s.findings, 1);
    struct vg_watch_match_stats ms;
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0); /* fingerprints */
    /* B's products change without a refresh: its findings are stale, A's are right */
    json_t *patch = json_pack("{s:{s:[],s:[],s:[s]}}", "assets", "cidrs", "domains", "products",
                              "cpe:2.3:a:globex:portal:3.0:*:*:*:*:*:*:*");
    json_t *out = NULL;
    assert_int_equal(vg_store_org_update(f->st, &who, b, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.orgs, 2);
    assert_int_equal(ms.orgs_changed, 1);
    assert_int_equal(ms.new_findings, 1);
    assert_true(vg_store_batch_pending(f->st));
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    struct vg_page page = {50, NULL};
    json_t *l = NULL;
    assert_int_equal(vg_store_finding_list(f->st, b, NULL, &page, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1); /* CVE-2025-1005 */
    json_decref(l);
    /* outside a batch it commits on its own, and a second run finds nothing to rewrite */
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.orgs_changed, 0);
    assert_false(vg_store_batch_pending(f->st));
}

static void name_keys_pick_the_organisations(void **state)
{
    struct fixture *f = *state;
    char k[VG_PRODUCT_KEY_MAX + 1];
    vg_product_key_cpe23("cpe:2.3:a:Example.org:Big_Suite:1.0:*:*:*:*:*:*:*", k, sizeof k);
    assert_string_equal(k, "example_org:big_suite");
    vg_product_key_cpe23("cpe:2.3:a:foo\\!bar:x\\:y:1.0:*:*:*:*:*:*:*", k, sizeof k);
    assert_string_equal(k, "foo_bar:x_y");
    assert_int_equal(vg_product_key_cpe23("cpe:/a:foo:bar:1.0", k, sizeof k), -1);
    /* a quoted name in a criterion meets the same name in a product; the organisation with
     * an unrelated product is not even loaded */
    long long a = make_org(f->st, "A", "[\"cpe:2.3:a:example.org:foo-bar:1.5:*:*:*:*:*:*:*\"]");
    make_org(f->st, "B", "[\"cpe:2.3:a:other:thing:1.0:*:*:*:*:*:*:*\"]");
    char path[160];
    snprintf(path, sizeof path, "%s/one.json", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2025-3001\",\"published\":"
          "\"2025-01-01T00:00:00.000\",\"lastModified\":\"2025-01-01T00:00:00.000\","
          "\"vulnStatus\":\"Analyzed\",\"descriptions\":[],\"metrics\":{},"
          "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,"
          "\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
          "\"cpe:2.3:a:example.org:foo-bar:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":\"2.0\"}]}]}],"
          "\"references\":[]}}]}",
          fp);
    fclose(fp);
    char *paths[] = {path};
    struct vg_watch_stats s;
    struct vg_diag d;
    assert_int_equal(vg_watch_import(f->st, paths, 1, NULL, &s, &d), 0);
    assert_int_equal(s.added, 1);
    assert_int_equal(s.assets, 1); /* only A's product was loaded */
    assert_int_equal(s.findings, 1);
    struct vg_page page = {50, NULL};
    json_t *l = NULL;
    assert_int_equal(vg_store_finding_list(f->st, a, NULL, &page, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    unlink(path);
}

/* An AND configuration ("app X running on OS Y") matched on import: the platform is another
 * product of the organisation, loaded because the criterion names it. */
static void import_matches_running_on_platforms(void **state)
{
    struct fixture *f = *state;
    long long both = make_org(f->st, "Both",
                              "[\"cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*\","
                              "\"cpe:2.3:o:acme:os:7:*:*:*:*:*:*:*\"]");
    long long app = make_org(f->st, "AppOnly", "[\"cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*\"]");
    char path[160];
    snprintf(path, sizeof path, "%s/and.json", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2025-3002\",\"published\":"
          "\"2025-01-01T00:00:00.000\",\"lastModified\":\"2025-01-01T00:00:00.000\","
          "\"vulnStatus\":\"Analyzed\",\"descriptions\":[],\"metrics\":{},"
          "\"configurations\":[{\"operator\":\"AND\",\"nodes\":["
          "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
          "\"criteria\":\"cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*\"}]},"
          "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":false,"
          "\"criteria\":\"cpe:2.3:o:acme:os:7:*:*:*:*:*:*:*\"}]}]}],"
          "\"references\":[]}}]}",
          fp);
    fclose(fp);
    char *paths[] = {path};
    struct vg_watch_stats s;
    struct vg_diag d;
    assert_int_equal(vg_watch_import(f->st, paths, 1, NULL, &s, &d), 0);
    assert_int_equal(s.added, 1);
    assert_int_equal(s.findings, 1);
    struct vg_page page = {50, NULL};
    json_t *l = NULL;
    assert_int_equal(vg_store_finding_list(f->st, both, NULL, &page, &l, &d), 0);
    json_t *items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "asset")),
                        "cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*");
    json_decref(l);
    assert_int_equal(vg_store_finding_list(f->st, app, NULL, &page, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 0);
    json_decref(l);
    unlink(path);
}

/* ---- findings fingerprints ---- */

struct sums {
    long long org[8], n[8];
    uint64_t h[8];
    int count;
};

static int collect_sum(void *ctx, long long org, long long n, uint64_t h)
{
    struct sums *s = ctx;
    if (s->count < 8) {
        s->org[s->count] = org;
        s->n[s->count] = n;
        s->h[s->count++] = h;
    }
    return 0;
}

struct ids {
    long long id[8];
    char cpe[8][80];
    int n;
};

static int collect_id(void *ctx, long long id, const char *cpe)
{
    struct ids *a = ctx;
    if (a->n < 8) {
        a->id[a->n] = id;
        snprintf(a->cpe[a->n++], sizeof a->cpe[0], "%s", cpe);
    }
    return 0;
}

static long long id_of(struct vg_store *st, const char *cpe)
{
    struct ids a = {{0}, {{0}}, 0};
    assert_int_equal(vg_store_asset_ids_each(st, collect_id, &a), 0);
    for (int i = 0; i < a.n; i++)
        if (strcmp(a.cpe[i], cpe) == 0)
            return a.id[i];
    return 0;
}

/* The stored fingerprint of org: -1 count when it has none. */
static void expect_sum(struct vg_store *st, long long org, long long n, uint64_t h)
{
    struct sums s = {{0}, {0}, {0}, 0};
    assert_int_equal(vg_store_finding_sums_each(st, org, collect_sum, &s), 0);
    if (n < 0) {
        assert_int_equal(s.count, 0);
        return;
    }
    assert_int_equal(s.count, 1);
    if (s.org[0] != org || s.n[0] != n || s.h[0] != h)
        fail_msg("organisation %lld: fingerprint (%lld, %llx), expected (%lld, %llx)", org, s.n[0],
                 (unsigned long long)s.h[0], n, (unsigned long long)h);
}

/* Every write of findings (whole scope, one organisation, some CVEs, a prune) leaves each
 * organisation's fingerprint equal to the XOR of its findings' hashes, or unknown. */
static void fingerprints_follow_every_write(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long a = make_org(f->st, "A", "[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\"]");
    long long b = make_org(f->st, "B", "[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\"]");
    long long c = make_org(f->st, "C", "[]");
    const char *assets[] = {"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*",
                            "cpe:2.3:a:acme:gadget:2.0:*:*:*:*:*:*:*"};
    expect_sum(f->st, a, -1, 0); /* nothing known yet */
    /* whole scope: every organisation, even C without findings (a repeat counts once) */
    struct vg_store_finding fs[4] = {{a, 0, 1}, {a, 0, 2}, {b, 0, 2}, {a, 0, 1}};
    struct vg_store_fscope all = {0, NULL, 0};
    assert_int_equal(vg_store_finding_replace(f->st, &all, assets, 2, fs, 4, NULL, &d), 0);
    long long w = id_of(f->st, assets[0]);
    assert_true(w > 0);
    uint64_t h1 = vg_store_finding_hash(w, 1), h2 = vg_store_finding_hash(w, 2);
    assert_true(h1 != h2);
    expect_sum(f->st, a, 2, h1 ^ h2);
    expect_sum(f->st, b, 1, h2);
    expect_sum(f->st, c, 0, 0);
    /* some CVEs: CVE 2 gone from A, CVE 3 new for A on another asset, B unchanged */
    struct vg_store_finding k[2] = {{a, 1, 3}, {b, 0, 2}};
    long long keys[] = {2, 3};
    struct vg_store_fscope some = {0, keys, 2};
    json_t *res = NULL;
    assert_int_equal(vg_store_finding_replace(f->st, &some, assets, 2, k, 2, &res, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "new")), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "gone")), 1);
    json_decref(res);
    long long g = id_of(f->st, assets[1]);
    uint64_t h3 = vg_store_finding_hash(g, 3);
    expect_sum(f->st, a, 2, h1 ^ h3);
    expect_sum(f->st, b, 1, h2);
    /* one organisation: exactly what is given */
    struct vg_store_fscope one = {b, NULL, 0};
    assert_int_equal(vg_store_finding_replace(f->st, &one, assets, 2, NULL, 0, NULL, &d), 0);
    expect_sum(f->st, b, 0, 0);
    expect_sum(f->st, a, 2, h1 ^ h3);
    /* a prune (A no longer lists the gadget): its finding leaves the fingerprint */
    assert_int_equal(vg_store_finding_prune(f->st, a, &d), 0);
    expect_sum(f->st, a, 1, h1);
    /* an organisation without a fingerprint stays unknown through a partial write */
    long long e = make_org(f->st, "E", "[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\"]");
    struct vg_store_finding ke = {e, 0, 3};
    assert_int_equal(vg_store_finding_replace(f->st, &some, assets, 2, &ke, 1, NULL, &d), 0);
    expect_sum(f->st, e, -1, 0);
    expect_sum(f->st, a, 1, h1); /* A's CVE 1 is outside that scope */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(put_is_idempotent_and_newer_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(fingerprints_follow_every_write, setup, teardown),
        cmocka_unit_test_setup_teardown(findings_replace_keep_first_seen_and_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(watch_import_and_new_assets, setup, teardown),
        cmocka_unit_test_setup_teardown(match_all_inside_a_batch_leaves_the_batch_open, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(name_keys_pick_the_organisations, setup, teardown),
        cmocka_unit_test_setup_teardown(import_matches_running_on_platforms, setup, teardown),
    };
    return cmocka_run_group_tests_name("vulnstore", tests, NULL, NULL);
}
