/* The organisations and vulnerabilities domains (store/org.h, store/vuln.h) on PostgreSQL
 * (issue 16): one test body run on SQLite and on a real PostgreSQL 15 cluster (pg_fixture.h),
 * asserting codes, fields and boundaries; each run also writes a transcript of every answer
 * (times left out), and the two transcripts must be equal. Then a seeded random sequence of
 * writes on both backends, whose reads must be equal too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <time.h>

#include "core/attrib.h"
#include "core/record.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"

static const struct vg_actor who = {.user_id = 1, .name = "tester", .role = "admin"};

/* ---- transcripts ---- */

/* Drops the times (they differ between runs) from v, recursively. */
static void untime(json_t *v)
{
    static const char *const keys[] = {"created", "updated", "first_seen", "until", "since"};
    if (json_is_object(v)) {
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
            if (json_is_string(json_object_get(v, keys[i])))
                json_object_set_new(v, keys[i], json_string("T"));
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
            untime(e);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            untime(e);
    }
}

/* Appends a copy of v (times dropped) to the transcript t under label. */
static void note(json_t *t, const char *label, const json_t *v)
{
    json_t *c = v ? json_deep_copy(v) : json_null();
    untime(c);
    json_array_append_new(t, json_pack("[s,o]", label, c));
}

static int each_rec(void *ctx, const char *source, const void *data, size_t len, bool compact)
{
    json_array_append_new(ctx,
                          json_pack("[s,s#,b]", source, (const char *)data, (int)len, compact));
    return 0;
}
static int each_kev(void *ctx, const struct vg_store_kev *k)
{
    json_array_append_new(ctx, json_pack("[I,s,s,b,s,s]", (json_int_t)k->key, k->date_added,
                                         k->due_date, k->ransomware, k->vendor, k->product));
    return 0;
}
static int each_epss(void *ctx, const struct vg_store_epss *e)
{
    json_array_append_new(ctx, json_pack("[I,f,f]", (json_int_t)e->key, e->score, e->percentile));
    return 0;
}
static int each_key(void *ctx, long long key)
{
    json_array_append_new(ctx, json_integer(key));
    return 0;
}
static int each_asset(void *ctx, long long org, const char *cpe)
{
    json_array_append_new(ctx, json_pack("[I,s]", (json_int_t)org, cpe));
    return 0;
}
static int each_sum(void *ctx, long long org, long long n, uint64_t h)
{
    char hx[24];
    snprintf(hx, sizeof hx, "%016llx", (unsigned long long)h);
    json_array_append_new(ctx, json_pack("[I,I,s]", (json_int_t)org, (json_int_t)n, hx));
    return 0;
}
static int stop_at_two(void *ctx, long long key)
{
    (void)key;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

static long long org_make(struct vg_store *st, const char *body, int want)
{
    struct vg_diag d = {0};
    json_t *in = json_loads(body, 0, NULL), *org = NULL, *out = NULL;
    assert_non_null(in);
    if (vg_org_check(in, VG_CHECK_CREATE, &org, &d) != 0)
        fail_msg("vg_org_check %s: %s", body, d.message);
    int rc = vg_store_org_create(st, &who, org, &out, &d);
    if (rc != want)
        fail_msg("org_create %s: %d (%s), wanted %d", body, rc, d.message, want);
    long long id = rc ? 0 : json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(org);
    json_decref(out);
    return id;
}

#define CVE_A 202400001LL
#define CVE_B 202400002LL
#define CVE_C 202300003LL

/* The whole contract of both domains on st; the answers appended to t. */
static void domains_body(struct vg_store *st, json_t *t)
{
    struct vg_diag d = {0};
    json_t *out = NULL;
    /* ---- organisations ---- */
    long long a =
        org_make(st,
                 "{\"name\":\"Acme Corp\",\"kind\":\"ministry\",\"sector\":\"energy\","
                 "\"assets\":{\"domains\":[\"example.org\"],\"products\":["
                 "\"cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*\",\"cpe:2.3:a:acme:db:*:*:*:*:*:*:*:*\","
                 "\"cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*\"]}}",
                 0);
    assert_true(a > 0);
    long long b = org_make(st,
                           "{\"name\":\"Bravo\",\"kind\":\"sme\",\"sector\":\"health\","
                           "\"assets\":{\"domains\":[\"sub.example.org\"],\"products\":["
                           "\"cpe:2.3:a:acme:web:2.0:*:*:*:*:*:*:*\"]}}",
                           0);
    assert_true(b > a);
    /* refused creations, after both (on PostgreSQL a refused INSERT still takes an id from the
     * sequence: ids are unique and growing on both, consecutive on neither, and the transcripts
     * compare ids) */
    org_make(st, "{\"name\":\"ACME corp\",\"kind\":\"ministry\"}", VG_EEXIST);
    struct vg_diag dd = {0};
    json_t *in = json_loads("{\"name\":\"B\",\"kind\":\"sme\",\"assets\":{\"domains\":["
                            "\"b.test\",\"example.org\"]}}",
                            0, NULL),
           *org = NULL;
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &org, &dd), 0);
    assert_int_equal(vg_store_org_create(st, &who, org, &out, &dd), VG_EEXIST);
    assert_string_equal(dd.field, "/assets/domains/1");
    json_decref(in);
    json_decref(org);
    assert_int_equal(vg_store_org_get(st, a, &out), 0);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Acme Corp");
    assert_true(json_is_boolean(json_object_get(out, "eligible")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(out, "assets"), "products")),
                     3);
    note(t, "org_get", out);
    json_decref(out);
    assert_int_equal(vg_store_org_get(st, b + 100, &out), VG_ENOENT);
    assert_int_equal(vg_store_org_find_by_domain(st, "www.sub.example.org", &out), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "id")), b);
    json_decref(out);
    assert_int_equal(vg_store_org_find_by_domain(st, "x.example.org", &out), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "id")), a);
    json_decref(out);
    assert_int_equal(vg_store_org_find_by_domain(st, "org", &out), VG_ENOENT);
    assert_int_equal(vg_store_org_find_by_domain(st, "none.test", &out), VG_ENOENT);
    struct vg_page pg = {.limit = 1};
    assert_int_equal(vg_store_org_list(st, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    assert_true(json_is_string(json_object_get(out, "next_cursor")));
    char cur[32];
    snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(out, "next_cursor")));
    json_decref(out);
    pg.cursor = cur;
    assert_int_equal(vg_store_org_list(st, &pg, &out, &d), 0);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(out, "items"), 0), "id")),
        b);
    assert_true(json_is_null(json_object_get(out, "next_cursor")));
    json_decref(out);
    pg.cursor = "zz";
    assert_int_equal(vg_store_org_list(st, &pg, &out, &d), VG_EINVAL);
    pg = (struct vg_page){.limit = 10};
    json_t *f = json_pack("{s:s}", "name", "CORP");
    assert_int_equal(vg_store_org_search(st, f, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    note(t, "org_search", out);
    json_decref(out);
    json_decref(f);
    f = json_pack("{s:s}", "kind", "sme");
    assert_int_equal(vg_store_org_search(st, f, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_decref(out);
    json_decref(f);
    json_t *patch = json_pack("{s:s}", "name", "BRAVO");
    assert_int_equal(vg_store_org_update(st, &who, a, patch, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "name");
    assert_int_equal(vg_store_org_update(st, &who, b + 100, patch, &out, &d), VG_ENOENT);
    json_decref(patch);
    patch = json_loads("{\"assets\":{\"domains\":[\"sub.example.org\"]}}", 0, NULL);
    assert_int_equal(vg_store_org_update(st, &who, a, patch, &out, &d), VG_EEXIST);
    json_decref(patch);
    patch =
        json_loads("{\"name\":\"Acme Two\",\"assets\":{\"domains\":[\"example.org\",\"acme.test\"],"
                   "\"products\":[\"cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*\","
                   "\"cpe:2.3:a:acme:db:*:*:*:*:*:*:*:*\",\"cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*\"]}}",
                   0, NULL);
    assert_int_equal(vg_store_org_update(st, &who, a, patch, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Acme Two");
    note(t, "org_update", out);
    json_decref(out);
    json_decref(patch);
    assert_int_equal(vg_store_org_find_by_domain(st, "www.acme.test", &out), 0);
    json_decref(out);
    struct vg_attrib *at = vg_store_attrib_new(st, &d);
    assert_non_null(at);
    assert_int_equal(vg_attrib_host(at, "www.sub.example.org"), b);
    assert_int_equal(vg_attrib_host(at, "x.acme.test"), a);
    assert_int_equal(vg_attrib_host(at, "nobody.test"), 0);
    vg_attrib_free(at);

    /* ---- records ---- */
    const char *pa[] = {"a:acme:web", "a:acme:db"}, *pb[] = {"*:acme:web"};
    struct vg_store_vrec v[3] = {
        {.cve = "CVE-2024-0001",
         .key = CVE_A,
         .source = "nvd",
         .modified = "2024-01-02",
         .published = "2024-01-01",
         .cvss = 9.8,
         .cvss_version = "3.1",
         .severity = "CRITICAL",
         .description = "first",
         .json = "{\"id\":\"A\",\"z\":1,\"a\":2}",
         .json_len = 23,
         .compact = "\x01\x00\x02",
         .compact_len = 3,
         .products = pa,
         .nproducts = 2},
        {.cve = "CVE-2024-0002",
         .key = CVE_B,
         .source = "cve5",
         .modified = "2024-02-01",
         .published = "2024-01-15",
         .cvss = -1,
         .description = "second",
         .json = "{\"id\":\"B\"}",
         .json_len = 10,
         .products = pb,
         .nproducts = 1},
        {.cve = "CVE-2023-0003",
         .key = CVE_C,
         .source = "nvd",
         .modified = "2023-05-01",
         .published = "2023-05-01",
         .cvss = 5.0,
         .cvss_version = "3.1",
         .severity = "MEDIUM",
         .description = "third",
         .json = "{\"id\":\"C\"}",
         .json_len = 10,
         .products = pa,
         .nproducts = 1},
    };
    int res[3] = {-1, -1, -1};
    assert_int_equal(vg_store_vuln_put(st, v, 3, res, &d), 0);
    assert_int_equal(res[0], 0);
    assert_int_equal(res[1], 0);
    assert_int_equal(res[2], 0);
    assert_int_equal(vg_store_vuln_put(st, v, 1, res, &d), 0);
    assert_int_equal(res[0], 2); /* the same modified: unchanged */
    struct vg_store_vrec later = v[0];
    later.modified = "2024-03-01";
    later.cvss = 7.5;
    later.compact = NULL;
    later.json = "{\"id\":\"A2\"}";
    later.json_len = 11;
    struct vg_store_vrec older = v[1];
    older.modified = "2023-01-01";
    struct vg_store_vrec two[2] = {later, older};
    assert_int_equal(vg_store_vuln_put(st, two, 2, res, &d), 0);
    assert_int_equal(res[0], 1);
    assert_int_equal(res[1], 2);
    struct vg_store_vrec bad = v[0];
    bad.source = "osv";
    assert_int_equal(vg_store_vuln_put(st, &bad, 1, res, &d), VG_EINVAL);
    struct vg_store_kev k[3] = {
        {CVE_A, "2024-01-05", "2024-01-26", true, "Acme", "Web"},
        {CVE_C, "2023-06-01", "", false, "Acme", "DB"},
        {CVE_A, "2024-01-06", "2024-01-27", false, "Acme", "Web 2"}, /* the last one wins */
    };
    assert_int_equal(vg_store_kev_put(st, k, 3, &d), 0);
    struct vg_store_epss e[3] = {{CVE_A, 0.5, 0.9}, {CVE_B, 0.25, 0.75}, {CVE_B, 0.125, 0.5}};
    assert_int_equal(vg_store_epss_put(st, e, 3, "v2025", "2025-03-14", &d), 0);
    json_t *got = json_array();
    assert_int_equal(vg_store_vuln_each(st, NULL, 0, each_rec, each_kev, each_epss, got), 0);
    assert_int_equal(json_array_size(got), 3 + 2 + 2);
    note(t, "vuln_each_all", got);
    json_decref(got);
    long long keys[] = {CVE_B, CVE_A, 999};
    got = json_array();
    assert_int_equal(vg_store_vuln_each(st, keys, 3, each_rec, each_kev, each_epss, got), 0);
    assert_int_equal(json_array_size(got), 2 + 1 + 2);
    note(t, "vuln_each_keys", got);
    json_decref(got);
    got = json_array();
    const char *prods[] = {"a:acme:web", "*:acme:web", "a:none:x"};
    assert_int_equal(vg_store_vuln_keys_for_products(st, prods, 3, each_key, got), 0);
    assert_int_equal(json_array_size(got), 3);
    note(t, "keys_for_products", got);
    json_decref(got);
    int calls = 0;
    assert_int_equal(vg_store_vuln_keys_for_products(st, prods, 3, stop_at_two, &calls), 7);
    got = json_array();
    assert_int_equal(vg_store_vuln_assets_each(st, 0, each_asset, got), 0);
    assert_int_equal(json_array_size(got), 4);
    note(t, "assets_all", got);
    json_decref(got);
    got = json_array();
    assert_int_equal(vg_store_vuln_assets_each(st, b, each_asset, got), 0);
    assert_int_equal(json_array_size(got), 1);
    json_decref(got);
    const char *names[] = {"acme:db"};
    got = json_array();
    assert_int_equal(vg_store_vuln_products_for_names(st, names, 1, false, each_asset, got), 0);
    assert_int_equal(json_array_size(got),
                     2); /* acme:db, and "cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*" without a key */
    note(t, "products_for_names", got);
    json_decref(got);
    got = json_array();
    assert_int_equal(vg_store_vuln_products_for_names(st, names, 1, true, each_asset, got), 0);
    assert_int_equal(json_array_size(got), 3);
    json_decref(got);

    /* ---- findings ---- */
    const char *assets[] = {"cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*",
                            "cpe:2.3:a:acme:db:*:*:*:*:*:*:*:*", "unused",
                            "cpe:2.3:a:acme:web:2.0:*:*:*:*:*:*:*"};
    struct vg_store_finding fs[5] = {{a, 0, CVE_A},
                                     {a, 1, CVE_C},
                                     {b, 3, CVE_A},
                                     {a, 0, CVE_A},
                                     {b, 3, CVE_B}};
    struct vg_store_fscope all = {0};
    assert_int_equal(vg_store_finding_replace(st, &all, assets, 4, fs, 5, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "found")), 5);
    assert_int_equal(json_integer_value(json_object_get(out, "new")), 4);
    assert_int_equal(json_integer_value(json_object_get(out, "gone")), 0);
    json_decref(out);
    struct vg_store_finding badf = {a, 9, CVE_A};
    assert_int_equal(vg_store_finding_replace(st, &all, assets, 4, &badf, 1, NULL, &d), VG_EINVAL);
    got = json_array();
    assert_int_equal(vg_store_asset_ids_each(st, each_asset, got), 0);
    assert_int_equal(json_array_size(got), 3); /* "unused" is not stored */
    note(t, "asset_ids", got);
    json_decref(got);
    got = json_array();
    assert_int_equal(vg_store_finding_sums_each(st, 0, each_sum, got), 0);
    assert_int_equal(json_array_size(got), 2);
    note(t, "sums_1", got);
    json_decref(got);
    /* a scope of CVEs: b loses CVE_B, a gains nothing new */
    long long sk[] = {CVE_B};
    struct vg_store_fscope byk = {.org = 0, .keys = sk, .nkeys = 1};
    assert_int_equal(vg_store_finding_replace(st, &byk, assets, 4, fs, 1, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "gone")), 1);
    assert_int_equal(json_integer_value(json_object_get(out, "new")), 0);
    json_decref(out);
    got = json_array();
    assert_int_equal(vg_store_finding_sums_each(st, b, each_sum, got), 0);
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(json_integer_value(json_array_get(json_array_get(got, 0), 1)), 1);
    note(t, "sums_2", got);
    json_decref(got);
    pg = (struct vg_page){.limit = 1};
    assert_int_equal(vg_store_finding_list(st, a, NULL, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_t *first = json_array_get(json_object_get(out, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "cve")), "CVE-2024-0001");
    assert_int_equal(json_integer_value(json_object_get(first, "priority")), 0);
    note(t, "finding_list_1", out);
    snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(out, "next_cursor")));
    json_decref(out);
    pg.cursor = cur;
    assert_int_equal(vg_store_finding_list(st, a, NULL, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    assert_true(json_is_null(json_object_get(out, "next_cursor")));
    note(t, "finding_list_2", out);
    json_decref(out);
    pg = (struct vg_page){.limit = 10};
    assert_int_equal(vg_store_finding_list(st, a, "2024-01-01", &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
    json_decref(out);
    assert_int_equal(vg_store_digest_take(st, a, &out, &d), 0);
    assert_true(json_is_null(json_object_get(out, "since")));
    assert_int_equal(json_array_size(json_object_get(out, "findings")), 2);
    note(t, "digest_1", out);
    json_decref(out);
    assert_int_equal(vg_store_digest_take(st, a, &out, &d), 0);
    assert_true(json_is_string(json_object_get(out, "since")));
    assert_int_equal(json_array_size(json_object_get(out, "findings")), 0);
    json_decref(out);
    assert_int_equal(vg_store_digest_take(st, b + 100, &out, &d), VG_ENOENT);
    assert_int_equal(vg_store_vuln_get(st, "CVE-2024-0001", &out), 0);
    assert_int_equal(json_array_size(json_object_get(out, "affected")), 2);
    assert_true(json_is_object(json_object_get(out, "kev")));
    note(t, "vuln_get", out);
    json_decref(out);
    assert_int_equal(vg_store_vuln_get(st, "CVE-1999-0001", &out), VG_ENOENT);
    /* prune: a no longer lists the db product */
    patch = json_loads("{\"assets\":{\"domains\":[\"example.org\"],\"products\":["
                       "\"cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*\"]}}",
                       0, NULL);
    assert_int_equal(vg_store_org_update(st, &who, a, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
    assert_int_equal(vg_store_finding_prune(st, a, &d), 0);
    got = json_array();
    assert_int_equal(vg_store_finding_sums_each(st, a, each_sum, got), 0);
    assert_int_equal(json_integer_value(json_array_get(json_array_get(got, 0), 1)), 1);
    note(t, "sums_3", got);
    json_decref(got);
    /* an organisation's scope, emptied: (0, 0) */
    struct vg_store_fscope ofa = {.org = a};
    assert_int_equal(vg_store_finding_replace(st, &ofa, assets, 4, NULL, 0, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "gone")), 1);
    json_decref(out);
    got = json_array();
    assert_int_equal(vg_store_finding_sums_each(st, a, each_sum, got), 0);
    assert_int_equal(json_integer_value(json_array_get(json_array_get(got, 0), 1)), 0);
    note(t, "sums_4", got);
    json_decref(got);
    /* a failing write inside a use-case transaction is undone alone: a finding of no
     * organisation (foreign key), then a good one; the transaction commits the good one */
    assert_int_equal(vg_store_tx_begin(st, &d), 0);
    struct vg_store_finding nobody = {b + 100, 0, CVE_A}, good = {a, 0, CVE_C};
    int rc = vg_store_finding_replace(st, &all, assets, 4, &nobody, 1, NULL, &d);
    assert_int_equal(rc, VG_EIO);
    assert_int_equal(vg_store_finding_replace(st, &ofa, assets, 4, &good, 1, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "new")), 1);
    json_decref(out);
    assert_int_equal(vg_store_tx_commit(st, &d), 0);
    got = json_array();
    assert_int_equal(vg_store_finding_sums_each(st, 0, each_sum, got), 0);
    note(t, "sums_5", got);
    json_decref(got);
    pg = (struct vg_page){.limit = 10};
    assert_int_equal(vg_store_finding_list(st, b, NULL, &pg, &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "items")), 1); /* b kept CVE_A */
    note(t, "finding_list_b", out);
    json_decref(out);
}

/* ---- random writes, compared ---- */

static void random_body(struct vg_store *st, unsigned seed, json_t *t)
{
    struct vg_diag d = {0};
    srand(seed);
    long long orgs[6];
    const char *cpes[] = {"cpe:2.3:a:v1:p1:1:*:*:*:*:*:*:*", "cpe:2.3:a:v1:p2:*:*:*:*:*:*:*:*",
                          "cpe:2.3:o:v2:os:2:*:*:*:*:*:*:*", "cpe:2.3:a:V3:P.X:1:*:*:*:*:*:*:*",
                          "cpe:2.3:a:*:any:*:*:*:*:*:*:*:*", "cpe:2.3:a:v4:*:*:*:*:*:*:*:*:*"};
    for (int i = 0; i < 6; i++) {
        char body[512];
        int p1 = rand() % 6, p2 = rand() % 6;
        snprintf(
            body, sizeof body,
            "{\"name\":\"Org %d\",\"kind\":\"ministry\",\"assets\":{\"products\":[\"%s\",\"%s\"]}}",
            i, cpes[p1], cpes[p2]);
        orgs[i] = org_make(st, body, 0);
    }
    enum { NV = 40 };
    struct vg_store_vrec v[NV];
    char cve[NV][24], json[NV][64], mod[NV][16];
    const char *prod[] = {"a:v1:p1", "a:v1:p2", "o:v2:os", "a:v3:p_x", "*:v1:p1"};
    for (int i = 0; i < NV; i++) {
        snprintf(cve[i], sizeof cve[i], "CVE-2024-%04d", i + 1);
        snprintf(mod[i], sizeof mod[i], "2024-%02d-01", 1 + rand() % 12);
        snprintf(json[i], sizeof json[i], "{\"id\":\"%s\",\"r\":%d}", cve[i], rand());
        v[i] = (struct vg_store_vrec){.cve = cve[i],
                                      .key = 202400000 + i + 1,
                                      .source = rand() % 2 ? "nvd" : "cve5",
                                      .modified = mod[i],
                                      .published = "2024-01-01",
                                      .cvss = rand() % 3 ? (rand() % 100) / 10.0 : -1,
                                      .cvss_version = "3.1",
                                      .severity = "HIGH",
                                      .description = "d",
                                      .json = json[i],
                                      .json_len = strlen(json[i]),
                                      .products = &prod[rand() % 4],
                                      .nproducts = 1 + rand() % 2};
    }
    int res[NV];
    assert_int_equal(vg_store_vuln_put(st, v, NV, res, &d), 0);
    json_t *r = json_array();
    for (int i = 0; i < NV; i++)
        json_array_append_new(r, json_integer(res[i]));
    note(t, "put", r);
    json_decref(r);
    /* a second import over the first: records new and held, later and not, hostile texts and
     * bytes; in one set (PostgreSQL: by COPY, or one after the other when a record repeats)
     * or in sets of one (one after the other) */
    enum { NV2 = 70 };
    struct vg_store_vrec v2[NV2];
    char cve2[NV2][24], json2[NV2][80], mod2[NV2][16];
    static const char *const descs[] = {"",
                                        "tab\there",
                                        "line\nbreak\r\n",
                                        "back\\slash\\N",
                                        "\\N",
                                        "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x92",
                                        "\\."};
    static const unsigned char bytes[] = {0x00, 0x5c, 0x09, 0x0a, 0xff, 0x4e};
    bool dups = rand() % 3 == 0;
    for (int i = 0; i < NV2; i++) {
        int c = dups ? rand() % 30 : i;
        snprintf(cve2[i], sizeof cve2[i], "CVE-2024-%04d", c + 1);
        snprintf(mod2[i], sizeof mod2[i], "2024-%02d-01", 1 + rand() % 12);
        snprintf(json2[i], sizeof json2[i], "{\"id\":\"%.23s\",\"s\":%d}", cve2[i], rand());
        v2[i] = (struct vg_store_vrec){.cve = cve2[i],
                                       .key = 202400000 + c + 1,
                                       .source = rand() % 2 ? "nvd" : "cve5",
                                       .modified = mod2[i],
                                       .published = rand() % 2 ? "" : "2024-02-02",
                                       .cvss = rand() % 3 ? (rand() % 100) / 10.0 : -1,
                                       .cvss_version = rand() % 2 ? "3.1" : NULL,
                                       .severity = rand() % 2 ? "LOW" : NULL,
                                       .description = descs[rand() % 7],
                                       .json = json2[i],
                                       .json_len = strlen(json2[i]),
                                       .compact = rand() % 2 ? bytes : NULL,
                                       .compact_len = (size_t)(rand() % 7),
                                       .products = &prod[rand() % 4],
                                       .nproducts = (size_t)(rand() % 3)};
    }
    int res2[NV2];
    size_t step = rand() % 2 ? NV2 : 1;
    for (size_t i = 0; i < NV2; i += step)
        assert_int_equal(vg_store_vuln_put(st, v2 + i, step, res2 + i, &d), 0);
    r = json_array();
    for (int i = 0; i < NV2; i++)
        json_array_append_new(r, json_integer(res2[i]));
    note(t, "put2", r);
    json_decref(r);
    struct vg_store_kev k[10];
    struct vg_store_epss e[30];
    for (int i = 0; i < 10; i++)
        k[i] =
            (struct vg_store_kev){202400001 + rand() % NV, "2024-05-01", "", rand() % 2, "v", "p"};
    for (int i = 0; i < 30; i++)
        e[i] = (struct vg_store_epss){202400001 + rand() % NV, (rand() % 1000) / 1000.0,
                                      (rand() % 1000) / 1000.0};
    assert_int_equal(vg_store_kev_put(st, k, 10, &d), 0);
    assert_int_equal(vg_store_epss_put(st, e, 30, NULL, NULL, &d), 0);
    for (int round = 0; round < 4; round++) {
        struct vg_store_finding f[60];
        size_t n = (size_t)(rand() % 60);
        for (size_t i = 0; i < n; i++)
            f[i] = (struct vg_store_finding){orgs[rand() % 6], (unsigned)(rand() % 6),
                                             202400001 + rand() % NV};
        long long keys[5];
        for (int i = 0; i < 5; i++)
            keys[i] = 202400001 + rand() % NV;
        struct vg_store_fscope sc = {.org = rand() % 2 ? orgs[rand() % 6] : 0,
                                     .keys = rand() % 2 ? keys : NULL,
                                     .nkeys = 5};
        json_t *out = NULL;
        assert_int_equal(vg_store_finding_replace(st, &sc, cpes, 6, f, n, &out, &d), 0);
        note(t, "replace", out);
        json_decref(out);
    }
    json_t *got = json_array();
    assert_int_equal(vg_store_finding_sums_each(st, 0, each_sum, got), 0);
    assert_int_equal(vg_store_asset_ids_each(st, each_asset, got), 0);
    assert_int_equal(vg_store_vuln_each(st, NULL, 0, each_rec, each_kev, each_epss, got), 0);
    note(t, "reads", got);
    json_decref(got);
    for (int i = 0; i < 6; i++) {
        struct vg_page pg = {.limit = 7};
        json_t *out = NULL;
        assert_int_equal(vg_store_finding_list(st, orgs[i], NULL, &pg, &out, &d), 0);
        note(t, "list", out);
        json_decref(out);
        assert_int_equal(vg_store_digest_take(st, orgs[i], &out, &d), 0);
        note(t, "digest", out);
        json_decref(out);
    }
    for (int i = 0; i < NV; i += 7) {
        json_t *out = NULL;
        assert_int_equal(vg_store_vuln_get(st, cve[i], &out), 0);
        note(t, "get", out);
        json_decref(out);
    }
}

/* ---- the two backends ---- */

struct pgf {
    char name[32];
    char uri[600];
};

static struct vg_store *open_sqlite(char dir[64])
{
    snprintf(dir, 64, "/tmp/vigie-pgvuln-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[96];
    snprintf(path, sizeof path, "%s/v.db", dir);
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open(path, NULL, &d);
    if (!st)
        fail_msg("open %s: %s", path, d.message);
    return st;
}

static void close_sqlite(struct vg_store *st, const char *dir)
{
    vg_store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static struct vg_store *open_pg(struct pgf *f)
{
    pg_db_new(f->name, f->uri);
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(f->uri, NULL, &d);
    if (!st)
        fail_msg("open %s: %s", f->uri, d.message);
    return st;
}

static void close_pg(struct vg_store *st, struct pgf *f)
{
    vg_store_close(st);
    pg_db_drop(f->name);
}

static void transcripts_equal(json_t *a, json_t *b)
{
    assert_int_equal(json_array_size(a), json_array_size(b));
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!json_equal(json_array_get(a, i), json_array_get(b, i))) {
            char *x = json_dumps(json_array_get(a, i), JSON_COMPACT);
            char *y = json_dumps(json_array_get(b, i), JSON_COMPACT);
            fprintf(stderr, "sqlite: %s\npg:     %s\n", x, y);
            free(x);
            free(y);
            fail_msg("transcripts differ at %zu", i);
        }
}

static void domains_both(void **state)
{
    (void)state;
    char dir[64];
    struct pgf f = {0};
    json_t *ts = json_array(), *tp = json_array();
    struct vg_store *s = open_sqlite(dir);
    domains_body(s, ts);
    close_sqlite(s, dir);
    struct vg_store *p = open_pg(&f);
    domains_body(p, tp);
    close_pg(p, &f);
    transcripts_equal(ts, tp);
    json_decref(ts);
    json_decref(tp);
}

static void random_both(void **state)
{
    (void)state;
    const char *env = getenv("VG_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    printf("random_both: seed %u (VG_SEED=%u to repeat)\n", seed, seed);
    for (int run = 0; run < 3; run++, seed++) {
        char dir[64];
        struct pgf f = {0};
        json_t *ts = json_array(), *tp = json_array();
        struct vg_store *s = open_sqlite(dir);
        random_body(s, seed, ts);
        close_sqlite(s, dir);
        struct vg_store *p = open_pg(&f);
        random_body(p, seed, tp);
        close_pg(p, &f);
        transcripts_equal(ts, tp);
        json_decref(ts);
        json_decref(tp);
    }
}

/* Several servers: a write of findings holds the findings lock until its transaction commits,
 * so that another server's digest (or write) waits for it. */
static void findings_lock_held(void **state)
{
    (void)state;
    struct pgf f = {0};
    struct vg_store *st = open_pg(&f);
    struct vg_diag d = {0};
    long long a = org_make(st, "{\"name\":\"A\",\"kind\":\"ministry\"}", 0);
    const char *assets[] = {"x"};
    struct vg_store_finding fs = {a, 0, CVE_A};
    struct vg_store_fscope all = {0};
    PGconn *other = pg_other(f.uri);
    assert_int_equal(vg_store_tx_begin(st, &d), 0);
    assert_int_equal(vg_store_finding_replace(st, &all, assets, 1, &fs, 1, NULL, &d), 0);
    pg_on(other, "BEGIN");
    assert_int_equal(pg_scalar_on(other,
                                  "SELECT pg_try_advisory_xact_lock(" PG_FINDINGS_LOCK ")::int"),
                     0);
    pg_on(other, "ROLLBACK");
    assert_int_equal(pg_scalar_on(other, "SELECT count(*) FROM finding"), 0); /* not committed */
    assert_int_equal(vg_store_tx_commit(st, &d), 0);
    pg_on(other, "BEGIN");
    assert_int_equal(pg_scalar_on(other,
                                  "SELECT pg_try_advisory_xact_lock(" PG_FINDINGS_LOCK ")::int"),
                     1);
    pg_on(other, "ROLLBACK");
    assert_int_equal(pg_scalar_on(other, "SELECT count(*) FROM finding"), 1);
    PQfinish(other);
    close_pg(st, &f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(domains_both),
        cmocka_unit_test(random_both),
        cmocka_unit_test(findings_lock_held),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
