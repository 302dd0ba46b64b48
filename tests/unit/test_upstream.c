/* Unit tests of upstream advisories (store/upstream.h, app/upstream.h): the rules of a
 * re-import (the same revision or an older one changes nothing, a newer one replaces, with its
 * CVEs), the CVE index, the constituents concerned by a finding or by a product key, the
 * organisation filter, and the draft body made from an advisory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/upstream.h"
#include "core/record.h"
#include "store/store.h"
#include "store_fixture.h"

static long long org_new(struct vg_store *st, const char *name, const char *products)
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

/* An upstream record as app/upstream.c makes it: cves and products are JSON arrays. */
static json_t *rec(const char *ref, const char *title, const char *last, int revisions,
                   const char *cves, const char *products)
{
    json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:n,s:o,s:o,s:{s:s}}", "source", "CERT-FR",
                          "ref", ref, "title", title, "kind", "avis", "first_date",
                          "2024-01-01T00:00:00Z", "last_date", last, "revisions", revisions,
                          "closed_at", "cves", json_loads(cves, 0, NULL), "products",
                          json_loads(products, 0, NULL), "document", "title", title);
    assert_non_null(r);
    return r;
}

static int put(struct vg_store *st, json_t *r)
{
    struct vg_diag d;
    int result = -1;
    assert_int_equal(vg_store_upstream_put(st, &who, r, &result, &d), 0);
    json_decref(r);
    return result;
}

/* The references of the items of a list answer, joined by ' '. */
static void refs_of(const json_t *list, char *out, size_t cap)
{
    size_t i, n = 0;
    json_t *it;
    out[0] = '\0';
    json_array_foreach(json_object_get(list, "items"), i, it)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "",
                              json_string_value(json_object_get(it, "ref")));
}

static void list_refs(struct vg_store *st, const json_t *filters, char *out, size_t cap)
{
    struct vg_page page = {50, NULL};
    struct vg_diag d;
    json_t *list = NULL;
    assert_int_equal(vg_upstream_list(st, filters, &page, &list, &d), 0);
    refs_of(list, out, cap);
    json_decref(list);
}

/* True if SQLite's plan for sql reads a whole table ("SCAN"), on a second connection. */
static bool plan_scans(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    char buf[1024];
    snprintf(buf, sizeof buf, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, buf, -1, &q, NULL), SQLITE_OK);
    bool scan = false;
    while (sqlite3_step(q) == SQLITE_ROW)
        scan |= strncmp((const char *)sqlite3_column_text(q, 3), "SCAN", 4) == 0;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return scan;
}

static void upsert_rules(void **state)
{
    struct fixture *f = *state;
    struct vg_store *st = f->st;
    const char *t0 = "2024-04-03T00:00:00Z", *t1 = "2024-04-05T00:00:00Z";
    assert_int_equal(put(st, rec("CERTFR-2024-AVI-0001", "v1", t0, 1, "[\"CVE-2024-0001\"]", "[]")),
                     VG_UPSTREAM_IMPORTED);
    /* the same revision again: nothing changes, not even its title */
    assert_int_equal(put(st, rec("CERTFR-2024-AVI-0001", "other", t0, 1, "[]", "[]")),
                     VG_UPSTREAM_UNCHANGED);
    /* one more revision the same day: newer */
    assert_int_equal(put(st, rec("CERTFR-2024-AVI-0001", "v2", t0, 2,
                                 "[\"CVE-2024-0002\",\"CVE-2024-0003\"]", "[]")),
                     VG_UPSTREAM_UPDATED);
    /* fewer revisions, or an earlier last date: older, ignored */
    assert_int_equal(put(st, rec("CERTFR-2024-AVI-0001", "old", t0, 1, "[]", "[]")),
                     VG_UPSTREAM_OLDER);
    assert_int_equal(put(st,
                         rec("CERTFR-2024-AVI-0001", "old", "2024-04-02T00:00:00Z", 5, "[]", "[]")),
                     VG_UPSTREAM_OLDER);
    /* a later last date wins even with fewer revisions listed */
    assert_int_equal(put(st, rec("CERTFR-2024-AVI-0001", "v3", t1, 1, "[\"CVE-2024-0003\"]", "[]")),
                     VG_UPSTREAM_UPDATED);
    /* the same reference from another source is another advisory */
    json_t *r = rec("CERTFR-2024-AVI-0001", "elsewhere", t0, 1, "[]", "[]");
    json_object_set_new(r, "source", json_string("CERT-XX"));
    assert_int_equal(put(st, r), VG_UPSTREAM_IMPORTED);
    json_t *a = NULL;
    assert_int_equal(vg_store_upstream_get(st, "CERTFR-2024-AVI-0001", &a), 0);
    assert_string_equal(json_string_value(json_object_get(a, "title")), "v3");
    assert_string_equal(json_string_value(json_object_get(a, "source")), "CERT-FR");
    assert_string_equal(json_string_value(json_object_get(a, "last_revision_date")), t1);
    assert_int_equal(json_integer_value(json_object_get(a, "revisions")), 1);
    /* its CVEs were replaced with the revision, not added to */
    json_t *cves = json_object_get(a, "cves");
    assert_int_equal(json_array_size(cves), 1);
    assert_string_equal(json_string_value(json_array_get(cves, 0)), "CVE-2024-0003");
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "document"), "title")),
                        "v3");
    json_decref(a);
    assert_int_equal(vg_store_upstream_get(st, "CERTFR-2024-AVI-9999", &a), VG_ENOENT);
    /* every write audited, the ignored ones not */
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM audit WHERE action LIKE "
                                        "'upstream.%'"),
                     4);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM upstream_cve"), 1);
}

static void cve_index(void **state)
{
    struct fixture *f = *state;
    struct vg_store *st = f->st;
    const char *t = "2024-04-03T00:00:00Z";
    put(st, rec("CERTFR-2024-AVI-0001", "Wireshark", t, 1, "[\"CVE-2024-0001\"]", "[]"));
    put(st,
        rec("CERTFR-2024-AVI-0002", "IBM", t, 1, "[\"CVE-2024-0001\",\"CVE-2024-0002\"]", "[]"));
    put(st, rec("CERTFR-2024-AVI-0003", "none", t, 1, "[]", "[]"));
    char got[256];
    json_t *flt = json_pack("{s:s}", "cve", "cve-2024-0001"); /* case ignored */
    list_refs(st, flt, got, sizeof got);
    assert_string_equal(got, "CERTFR-2024-AVI-0001 CERTFR-2024-AVI-0002");
    json_object_set_new(flt, "cve", json_string("CVE-2024-0002"));
    list_refs(st, flt, got, sizeof got);
    assert_string_equal(got, "CERTFR-2024-AVI-0002");
    json_object_set_new(flt, "cve", json_string("CVE-2024-00021"));
    list_refs(st, flt, got, sizeof got);
    assert_string_equal(got, "");
    json_decref(flt);
    /* q: in the title or the reference, ASCII case ignored */
    flt = json_pack("{s:s}", "q", "wIRE");
    list_refs(st, flt, got, sizeof got);
    assert_string_equal(got, "CERTFR-2024-AVI-0001");
    json_object_set_new(flt, "q", json_string("avi-0003"));
    list_refs(st, flt, got, sizeof got);
    assert_string_equal(got, "CERTFR-2024-AVI-0003");
    json_decref(flt);
    /* a bad CVE id is refused, naming the filter */
    struct vg_page page = {50, NULL};
    struct vg_diag d;
    json_t *list = NULL;
    flt = json_pack("{s:s}", "cve", "CVE-24-1");
    assert_int_equal(vg_upstream_list(st, flt, &page, &list, &d), VG_EINVAL);
    assert_string_equal(d.field, "cve");
    json_decref(flt);
    /* pages of one, in import order */
    page.limit = 1;
    assert_int_equal(vg_upstream_list(st, NULL, &page, &list, &d), 0);
    refs_of(list, got, sizeof got);
    assert_string_equal(got, "CERTFR-2024-AVI-0001");
    char cur[32];
    snprintf(cur, sizeof cur, "%s", json_string_value(json_object_get(list, "next_cursor")));
    json_decref(list);
    page.cursor = cur;
    assert_int_equal(vg_upstream_list(st, NULL, &page, &list, &d), 0);
    refs_of(list, got, sizeof got);
    assert_string_equal(got, "CERTFR-2024-AVI-0002");
    json_decref(list);
    /* the CVE filter and the organisation's side search by index, scanning nothing */
    assert_false(plan_scans(f->path, "SELECT advisory_id FROM upstream_cve WHERE cve = 'x'"));
    assert_false(plan_scans(f->path, "SELECT up.advisory_id FROM org_product p JOIN "
                                     "upstream_product up ON up.name_key = p.name_key "
                                     "WHERE p.org_id = 1"));
    assert_false(plan_scans(f->path, "SELECT u.advisory_id FROM finding f JOIN vuln v ON "
                                     "v.key = f.key JOIN upstream_cve u ON u.cve = v.cve "
                                     "WHERE f.org_id = 1"));
    assert_true(plan_scans(f->path, "SELECT advisory_id FROM upstream_cve WHERE advisory_id + 0 "
                                    "= 1"));
}

static void constituents(void **state)
{
    struct fixture *f = *state;
    struct vg_store *st = f->st;
    struct vg_diag d;
    /* A has the vulnerable product of a finding on CVE-2025-0001; B has a Liferay DXP product;
     * C has a Schneider Electric product (only a vendor-only "N/A" system names it); D none */
    long long a = org_new(st, "A", "[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\"]");
    long long b = org_new(st, "B",
                          "[\"cpe:2.3:a:liferay:dxp:2024.q1.1:*:*:*:*:*:*:*\","
                          "\"cpe:2.3:a:other:thing:1:*:*:*:*:*:*:*\"]");
    long long c = org_new(st, "C", "[\"cpe:2.3:h:schneider_electric:m580:1:*:*:*:*:*:*:*\"]");
    long long dd = org_new(st, "D", "[]");
    static const char *const prods[] = {"a:acme:widget"};
    static const char *const assets[] = {"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"};
    struct vg_store_vrec v = {"CVE-2025-0001",
                              20250000001LL,
                              "nvd",
                              "2025-01-01",
                              "2025-01-01",
                              7.5,
                              "3.1",
                              "HIGH",
                              "desc",
                              "{}",
                              2,
                              NULL,
                              0,
                              prods,
                              1};
    assert_int_equal(vg_store_vuln_put(st, &v, 1, NULL, &d), 0);
    long long key = scalar_on(f->path, "SELECT key FROM vuln WHERE cve = 'CVE-2025-0001'");
    struct vg_store_finding fd = {a, 0, key};
    struct vg_store_fscope all = {0, NULL, 0};
    assert_int_equal(vg_store_finding_replace(st, &all, assets, 1, &fd, 1, NULL, &d), 0);
    const char *t = "2025-09-26T00:00:00Z";
    put(st, rec("CERTFR-2025-AVI-0001", "by finding", t, 1, "[\"CVE-2025-0001\",\"CVE-2025-0002\"]",
                "[\"acme:gadget\"]"));
    put(st, rec("CERTFR-2025-AVI-0002", "by product", t, 1, "[\"CVE-2025-0002\"]",
                "[\"liferay:dxp\",\"liferay:portal\",\"schneider_electric:\"]"));
    put(st, rec("CERTFR-2025-AVI-0003", "both", t, 1, "[\"CVE-2025-0001\"]", "[\"acme:widget\"]"));
    json_t *out = NULL;
    char want[512];
    assert_int_equal(vg_store_upstream_constituents(st, "CERTFR-2025-AVI-0001", &out), 0);
    char *s = json_dumps(out, JSON_COMPACT);
    snprintf(want, sizeof want,
             "[{\"org\":%lld,\"name\":\"A\",\"why\":\"finding\",\"cves\":[\"CVE-2025-0001\"]}]", a);
    assert_string_equal(s, want);
    free(s);
    json_decref(out);
    /* by product key; the vendor-only key of an "N/A" system concerns no one */
    assert_int_equal(vg_store_upstream_constituents(st, "CERTFR-2025-AVI-0002", &out), 0);
    s = json_dumps(out, JSON_COMPACT);
    snprintf(want, sizeof want,
             "[{\"org\":%lld,\"name\":\"B\",\"why\":\"product\",\"products\":"
             "[\"cpe:2.3:a:liferay:dxp:2024.q1.1:*:*:*:*:*:*:*\"]}]",
             b);
    assert_string_equal(s, want);
    free(s);
    json_decref(out);
    /* both ways: twice, the finding first */
    assert_int_equal(vg_store_upstream_constituents(st, "CERTFR-2025-AVI-0003", &out), 0);
    assert_int_equal(json_array_size(out), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "why")),
                        "finding");
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "why")),
                        "product");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 1), "org")), a);
    json_decref(out);
    assert_int_equal(vg_store_upstream_constituents(st, "CERTFR-2025-AVI-0404", &out), VG_ENOENT);
    /* the organisation filter: the same relation, from the organisation's side */
    char got[256];
    long long orgs[] = {a, b, c, dd};
    const char *expect[] = {"CERTFR-2025-AVI-0001 CERTFR-2025-AVI-0003", "CERTFR-2025-AVI-0002", "",
                            ""};
    for (size_t i = 0; i < 4; i++) {
        json_t *flt = json_pack("{s:I}", "org", (json_int_t)orgs[i]);
        list_refs(st, flt, got, sizeof got);
        assert_string_equal(got, expect[i]);
        json_decref(flt);
    }
    /* combined with the CVE filter */
    json_t *flt = json_pack("{s:I,s:s}", "org", (json_int_t)a, "cve", "CVE-2025-0002");
    list_refs(st, flt, got, sizeof got);
    assert_string_equal(got, "CERTFR-2025-AVI-0001");
    json_decref(flt);
    /* and the app's get carries them */
    assert_int_equal(vg_upstream_get(st, "CERTFR-2025-AVI-0002", &out, &d), 0);
    assert_int_equal(json_array_size(json_object_get(out, "constituents")), 1);
    assert_int_equal(json_array_size(json_object_get(out, "products")), 3);
    json_decref(out);
    assert_int_equal(vg_upstream_get(st, "nope", &out, &d), VG_ENOENT);
    assert_string_equal(d.field, "ref");
}

static void draft_body(void **state)
{
    (void)state;
    struct vg_adv_risk_item risks[] = {{VG_RISK_DOS, (char *)"Déni de service à distance"},
                                       {VG_RISK_RCE, NULL},
                                       {VG_RISK_DOS, (char *)"Déni de service"}};
    struct vg_adv_system systems[] = {
        {(char *)"Schneider Electric", (char *)"N/A", (char *)"Modicon M580\nversions < 1.8", NULL,
         NULL, true},
        {(char *)"Liferay", (char *)"DXP", NULL, NULL, NULL, false},
    };
    struct vg_adv_cve cves[] = {{(char *)"cve-2024-0001", -1, NULL, false},
                                {(char *)"CVE-2024-0001", -1, NULL, false},
                                {(char *)"bogus", -1, NULL, false}};
    struct vg_adv_link links[] = {
        {(char *)"KB", (char *)"https://kb.example/1", NULL, false},
        {(char *)"Vendor", (char *)"https://vendor.example/a", (char *)"2024-05-20", true},
        {NULL, (char *)"javascript:alert(1)", NULL, true},
    };
    struct vg_advisory a = {0};
    a.ref = (char *)"CERTFR-2024-AVI-0001";
    a.kind = VG_ADV_AVIS;
    a.title = (char *)"Multiples\nvulnérabilités";
    a.summary = (char *)"Dans les produits <span\nclass=\"textit\">IBM</span>. 1 < 2";
    a.solution = (char *)"Mettre à jour.";
    a.risks = risks;
    a.nrisks = 3;
    a.systems = systems;
    a.nsystems = 2;
    a.cves = cves;
    a.ncves = 3;
    a.links = links;
    a.nlinks = 3;
    json_t *o = vg_upstream_draft_body(&a);
    assert_non_null(o);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(
        s, "{\"affected_systems\":[{\"product\":\"N/A\",\"scada\":true,\"vendor\":\"Schneider "
           "Electric\",\"versions\":\"Modicon M580 versions < 1.8\"},{\"product\":\"DXP\","
           "\"scada\":false,\"vendor\":\"Liferay\",\"versions\":\"N/A\"}],\"cves\":["
           "\"CVE-2024-0001\"],\"kind\":\"avis\",\"references\":[{\"published_at\":"
           "\"2024-05-20T00:00:00Z\",\"title\":\"Vendor\",\"url\":\"https://vendor.example/a\","
           "\"vendor\":true},{\"title\":\"KB\",\"url\":\"https://kb.example/1\",\"vendor\":"
           "false}],\"risks\":[\"denial of service\",\"remote code execution\"],\"solution\":"
           "\"Mettre à jour.\",\"summary\":\"Dans les produits IBM. 1 < 2\",\"title\":"
           "\"Multiples vulnérabilités\",\"tlp\":\"CLEAR\"}");
    free(s);
    json_decref(o);
    /* a title longer than a name is cut on a character boundary */
    char longt[600];
    for (size_t i = 0; i + 2 < sizeof longt; i += 2)
        memcpy(longt + i, "é", 2);
    longt[sizeof longt - 2] = 'x';
    longt[sizeof longt - 1] = '\0';
    a.title = longt;
    o = vg_upstream_draft_body(&a);
    const char *t = json_string_value(json_object_get(o, "title"));
    assert_non_null(t);
    assert_int_equal(strlen(t), VG_MAX_NAME);
    json_decref(o);
}

/* What an import told of each file. */
struct told {
    char lines[8][200];
    size_t n;
};

static void tell(void *ctx, const char *path, const char *ref, int result, const struct vg_diag *d)
{
    struct told *t = ctx;
    const char *base = strrchr(path, '/');
    if (t->n < 8)
        snprintf(t->lines[t->n++], sizeof t->lines[0], "%s %s %s", base ? base + 1 : path,
                 vg_upstream_result_name(result), ref ? ref : d->field);
}

static void import_paths(void **state)
{
    struct fixture *f = *state;
    struct vg_store *st = f->st;
    struct vg_upstream_counts n;
    struct vg_diag d;
    struct told t = {0};
    const char *one[] = {"tests/data/upstream/good-CERTFR-2025-AVI-0823.json"};
    assert_int_equal(vg_upstream_import_paths(st, &who, one, 1, tell, &t, &n, &d), 0);
    assert_int_equal(n.imported, 1);
    assert_string_equal(t.lines[0], "good-CERTFR-2025-AVI-0823.json imported CERTFR-2025-AVI-0823");
    /* the folder, in name order: the broken files told with their pointer and skipped, the
     * other good one imported, the first unchanged */
    t.n = 0;
    const char *dir[] = {"tests/data/upstream/"};
    assert_int_equal(vg_upstream_import_paths(st, &who, dir, 1, tell, &t, &n, &d), 0);
    assert_int_equal(t.n, 6);
    assert_string_equal(t.lines[0], "bad-array.json skipped ");
    assert_string_equal(t.lines[1], "bad-cve-name.json skipped /cves/0/name");
    assert_string_equal(t.lines[2], "bad-revision-date.json skipped /revisions/0/revision_date");
    assert_string_equal(t.lines[3], "bad-syntax.json skipped ");
    assert_string_equal(t.lines[4], "good-CERTFR-2023-AVI-0191.json imported CERTFR-2023-AVI-0191");
    assert_string_equal(t.lines[5],
                        "good-CERTFR-2025-AVI-0823.json unchanged CERTFR-2025-AVI-0823");
    assert_true(n.imported == 1 && n.unchanged == 1 && n.skipped == 4 && n.updated == 0 &&
                n.older == 0);
    /* a file that is not there is skipped, not an error of the import */
    const char *missing[] = {"tests/data/upstream/none.json"};
    t.n = 0;
    assert_int_equal(vg_upstream_import_paths(st, &who, missing, 1, tell, &t, &n, &d), 0);
    assert_int_equal(n.skipped, 1);
    assert_string_equal(t.lines[0], "none.json skipped ");
    /* the store failing is: the import stops at that file, which is not counted */
    json_t *doc = json_load_file(one[0], 0, NULL);
    json_object_set_new(doc, "reference", json_string("CERTFR-2025-AVI-0824"));
    char path[200];
    snprintf(path, sizeof path, "%s/new.json", f->dir);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    assert_int_equal(vg_store_read_only(st, &d), 0);
    const char *two[] = {path, one[0]};
    t.n = 0;
    assert_int_equal(vg_upstream_import_paths(st, &who, two, 2, tell, &t, &n, &d), VG_EIO);
    assert_int_equal(t.n, 0);
    assert_true(n.imported == 0 && n.skipped == 0 && n.unchanged == 0);
    assert_non_null(strstr(d.message, "database error"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(upsert_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(cve_index, setup, teardown),
        cmocka_unit_test_setup_teardown(constituents, setup, teardown),
        cmocka_unit_test(draft_body),
        cmocka_unit_test_setup_teardown(import_paths, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
