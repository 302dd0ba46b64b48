/* The use cases of src/app on the paths the other tests leave aside, against a real SQLite
 * file: a full re-match with a product listed twice, with an organisation left without
 * products, with one organisation's rewrite failing; the score versions of an import; the
 * store failing under each use case (real SQLite errors made from a second connection: a
 * dropped table, an aborting trigger, a deferred foreign key failing the COMMIT), which each
 * names what it could not do and leaves nothing half-written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/auth.h"
#include "app/events.h"
#include "app/intake.h"
#include "app/org.h"
#include "app/watch.h"
#include "match/match.h"
#include "store/store.h"

#include "store_fixture.h"

/* Writes text to the file name in the fixture's folder; returns its path (static). */
static const char *write_file(const struct fixture *f, const char *name, const char *text)
{
    static char path[4][192];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", f->dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return p;
}

/* An NVD 2.0 document of one CVE on product cpe with one metric of the given key. */
static const char *nvd_doc(char *buf, size_t cap, const char *cve, const char *cpe,
                           const char *metric, const char *version, const char *modified)
{
    snprintf(buf, cap,
             "{\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[{\"cve\":{"
             "\"id\":\"%s\",\"published\":\"2025-01-10T00:00:00.000\","
             "\"lastModified\":\"%s\",\"vulnStatus\":\"Analyzed\","
             "\"descriptions\":[{\"lang\":\"en\",\"value\":\"test\"}],"
             "\"metrics\":{\"%s\":[{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\","
             "\"cvssData\":{\"version\":\"%s\",\"baseScore\":7.5,\"baseSeverity\":\"HIGH\"},"
             "\"baseSeverity\":\"HIGH\"}]},"
             "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,"
             "\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"%s\"}]}]}]}}]}",
             cve, modified, metric, version, cpe);
    return buf;
}

static long long org_with(struct fixture *f, const char *name, const char *products)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"kind\":\"ministry\",\"sector\":\"government\","
             "\"assets\":{\"cidrs\":[],\"domains\":[],\"products\":%s}}",
             name, products);
    json_t *in = json_loads(body, 0, NULL), *out = NULL;
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    assert_int_equal(vg_org_create(f->st, &who, in, &out, &d, &warn), 0);
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(in);
    return id;
}

static int import1(struct fixture *f, const char *path, struct vg_watch_stats *s, struct vg_diag *d)
{
    char *paths[] = {(char *)path};
    vg_diag_clear(d);
    return vg_watch_import(f->st, paths, 1, NULL, s, d);
}

#define WIDGET "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"
#define GADGET "cpe:2.3:a:acme:gadget:2.0:*:*:*:*:*:*:*"

/* The summary of a CVE takes the version of the metric it was scored with. */
static void import_keeps_each_score_version(void **state)
{
    struct fixture *f = *state;
    static const char *const metric[][3] = {{"CVE-2025-4000", "cvssMetricV40", "4.0"},
                                            {"CVE-2025-3000", "cvssMetricV30", "3.0"},
                                            {"CVE-2025-2000", "cvssMetricV2", "2.0"}};
    for (size_t i = 0; i < 3; i++) {
        char doc[2048], name[32];
        snprintf(name, sizeof name, "nvd%zu.json", i);
        nvd_doc(doc, sizeof doc, metric[i][0], WIDGET, metric[i][1], metric[i][2],
                "2025-01-15T00:00:00.000");
        struct vg_watch_stats s;
        struct vg_diag d;
        assert_int_equal(import1(f, write_file(f, name, doc), &s, &d), 0);
        assert_int_equal(s.added, 1);
        json_t *v = NULL;
        assert_int_equal(vg_store_vuln_get(f->st, metric[i][0], &v), 0);
        json_t *cvss = json_object_get(v, "cvss");
        assert_string_equal(json_string_value(json_object_get(cvss, "version")), metric[i][2]);
        assert_true(json_real_value(json_object_get(cvss, "score")) == 7.5);
        json_decref(v);
    }
}

/* A product an organisation lists twice gives its findings once, and the fingerprint agrees:
 * a second full re-match finds nothing changed. */
static void product_listed_twice_counts_once(void **state)
{
    struct fixture *f = *state;
    char doc[2048];
    struct vg_watch_stats s;
    struct vg_diag d;
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "a.json", doc), &s, &d), 0);
    long long a = org_with(f, "A", "[\"" WIDGET "\",\"" WIDGET "\"]");
    long long b = org_with(f, "B", "[\"" GADGET "\"]");
    struct vg_watch_match_stats ms;
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.findings, 2); /* one per listing, found by the matcher */
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM finding"), 1);
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.orgs_changed, 0);
    assert_int_equal(ms.new_findings, 0);
    assert_int_equal(ms.gone, 0);
    (void)a;
    (void)b;
}

/* An organisation whose products were removed by another client (its findings stored, no
 * refresh) loses its findings at the next full re-match. */
static void organisation_without_products_loses_findings(void **state)
{
    struct fixture *f = *state;
    char doc[2048];
    struct vg_watch_stats s;
    struct vg_diag d;
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "a.json", doc), &s, &d), 0);
    long long a = org_with(f, "A", "[\"" WIDGET "\"]");
    long long b = org_with(f, "B", "[\"" WIDGET "\"]");
    struct vg_watch_match_stats ms;
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM finding"), 2);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE org SET assets = json_set(assets, '$.products', json('[]')) WHERE id = %lld",
             b);
    exec_on(f->path, sql);
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.gone, 1);
    assert_int_equal(ms.orgs_changed, 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM finding WHERE org_id = %lld", a);
    assert_int_equal(scalar_on(f->path, sql), 1);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM finding"), 1);
}

/* One organisation's rewrite fails: it alone is undone, the others' are committed, and the
 * error names the cause; the next re-match rewrites what is left. */
static void one_organisation_failing_leaves_the_others(void **state)
{
    struct fixture *f = *state;
    char doc[2048];
    struct vg_watch_stats s;
    struct vg_diag d;
    long long a = org_with(f, "A", "[\"" WIDGET "\"]");
    long long b = org_with(f, "B", "[\"" GADGET "\"]");
    struct vg_watch_match_stats ms;
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0); /* fingerprints */
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "a.json", doc), &s, &d), 0);
    nvd_doc(doc, sizeof doc, "CVE-2025-0002", GADGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "b.json", doc), &s, &d), 0);
    /* as if the import had not matched them: no findings, fingerprints of none */
    exec_on(f->path, "DELETE FROM finding; UPDATE finding_sum SET n = 0, h = 0");
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TRIGGER inj_t BEFORE INSERT ON finding WHEN new.org_id = %lld "
             "BEGIN SELECT RAISE(ABORT, 'injected'); END",
             b);
    exec_on(f->path, sql);
    vg_diag_clear(&d);
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), VG_EIO);
    assert_non_null(strstr(d.message, "injected"));
    snprintf(sql, sizeof sql, "SELECT count(*) FROM finding WHERE org_id = %lld", a);
    assert_int_equal(scalar_on(f->path, sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM finding WHERE org_id = %lld", b);
    assert_int_equal(scalar_on(f->path, sql), 0);
    exec_on(f->path, "DROP TRIGGER inj_t");
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(scalar_on(f->path, sql), 1);
}

/* Stored records the readers refuse (altered by another client) are left out of a full
 * re-match, which still matches the others; compact forms refused are counted. */
static void unreadable_stored_records_are_skipped(void **state)
{
    struct fixture *f = *state;
    char doc[2048];
    struct vg_watch_stats s;
    struct vg_diag d;
    org_with(f, "A", "[\"" WIDGET "\"]");
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "a.json", doc), &s, &d), 0);
    nvd_doc(doc, sizeof doc, "CVE-2025-0002", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "b.json", doc), &s, &d), 0);
    nvd_doc(doc, sizeof doc, "CVE-2025-0003", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "c.json", doc), &s, &d), 0);
    struct vg_watch_match_stats ms;
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.cves, 3);
    assert_int_equal(ms.findings, 3);
    /* 0001: JSON that is not JSON; 0002: JSON no reader takes; 0003: a broken compact form */
    exec_on(f->path,
            "DELETE FROM vuln_compact WHERE key IN (SELECT key FROM vuln WHERE cve IN "
            "('CVE-2025-0001','CVE-2025-0002'));"
            "UPDATE vuln_record SET json = '{not json' WHERE key = (SELECT key FROM vuln "
            "WHERE cve = 'CVE-2025-0001');"
            "UPDATE vuln_record SET json = '{\"cve\":{}}' WHERE key = (SELECT key FROM vuln "
            "WHERE cve = 'CVE-2025-0002');"
            "UPDATE vuln_compact SET data = x'00' WHERE key = (SELECT key FROM vuln "
            "WHERE cve = 'CVE-2025-0003')");
    assert_int_equal(vg_watch_match_all(f->st, 0, NULL, NULL, &ms, &d), 0);
    assert_int_equal(ms.cves, 0);
    assert_int_equal(ms.unreadable, 1);
    assert_int_equal(ms.findings, 0);
}

/* ---- the store failing under the use cases ---- */

/* Opens a second store on the fixture's file (nothing prepared on it yet). */
static struct vg_store *reopen(struct fixture *f)
{
    struct vg_diag d;
    struct vg_store *st = vg_store_open(f->path, NULL, &d);
    assert_non_null(st);
    return st;
}

static void watch_names_what_it_could_not_read(void **state)
{
    struct fixture *f = *state;
    char doc[2048];
    struct vg_watch_stats s;
    struct vg_diag d;
    long long a = org_with(f, "A", "[\"" WIDGET "\"]");
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "a.json", doc), &s, &d), 0);
    json_t *before = json_pack("[]");
    static const struct {
        const char *table; /* renamed away */
        int which;         /* 0: org assets, 1: full match */
        const char *msg;   /* the message starts so */
    } cases[] = {
        {"finding", 0, "database error: no such table: finding"},
        {"org_product", 0, "cannot read the organisation's products"},
        {"vuln_product", 0, "cannot read the store"},
        {"vuln_record", 0, "cannot load the CVEs of the new products"},
        {"vuln_record", 1, "cannot read the store: "},
        {"org_product", 1, "cannot read the store: "},
        {"asset", 1, "cannot store the findings: "},
        {"finding_sum", 1, "cannot store the findings: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "ALTER TABLE %s RENAME TO inj_gone", cases[i].table);
        exec_on(f->path, sql);
        struct vg_store *st = reopen(f);
        vg_diag_clear(&d);
        struct vg_watch_match_stats ms;
        int rc = cases[i].which == 0 ? vg_watch_org_assets(st, a, before, NULL, &d)
                                     : vg_watch_match_all(st, 0, NULL, NULL, &ms, &d);
        if (rc == 0 || strncmp(d.message, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("%s gone: %d '%s'", cases[i].table, rc, d.message);
        vg_store_close(st);
        snprintf(sql, sizeof sql, "ALTER TABLE inj_gone RENAME TO %s", cases[i].table);
        exec_on(f->path, sql);
    }
    json_decref(before);
    /* all back: it works again */
    assert_int_equal(vg_watch_org_assets(f->st, a, NULL, NULL, &d), 0);
}

/* An organisation update whose findings refresh fails is still made, with a warning. */
static void org_update_warns_when_findings_are_not_refreshed(void **state)
{
    struct fixture *f = *state;
    long long a = org_with(f, "A", "[]");
    exec_on(f->path, "ALTER TABLE vuln_product RENAME TO inj_gone");
    struct vg_store *st = reopen(f);
    json_t *in = json_loads("{\"assets\":{\"cidrs\":[],\"domains\":[],\"products\":[\"" WIDGET
                            "\"]}}",
                            0, NULL),
           *out = NULL;
    struct vg_diag d, warn;
    vg_diag_clear(&d);
    assert_int_equal(vg_org_update(st, &who, a, in, &out, &d, &warn), 0);
    char want[128];
    snprintf(want, sizeof want, "findings of organisation %lld not refreshed: ", a);
    assert_int_equal(strncmp(warn.message, want, strlen(want)), 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(out, "assets"), "products"), 0)),
                        WIDGET);
    json_decref(out);
    out = NULL;
    vg_store_close(st);
    exec_on(f->path, "ALTER TABLE inj_gone RENAME TO vuln_product");
    /* the organisation cannot be read before the update: nothing is changed */
    exec_on(f->path, "ALTER TABLE org RENAME TO inj_gone");
    st = reopen(f);
    vg_diag_clear(&d);
    assert_int_equal(vg_org_update(st, &who, a, in, &out, &d, &warn), VG_EIO);
    snprintf(want, sizeof want, "cannot read organisation %lld", a);
    assert_string_equal(d.message, want);
    assert_null(out);
    vg_store_close(st);
    exec_on(f->path, "ALTER TABLE inj_gone RENAME TO org");
    json_decref(in);
}

/* Products that are not CPE names (written by another client) among those an organisation
 * had are ignored by the re-match of its changed products. */
static void org_assets_ignore_products_that_are_not_names(void **state)
{
    struct fixture *f = *state;
    char doc[2048];
    struct vg_watch_stats s;
    struct vg_diag d;
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    assert_int_equal(import1(f, write_file(f, "a.json", doc), &s, &d), 0);
    long long a = org_with(f, "A", "[\"" WIDGET "\"]");
    json_t *before = json_pack("[s,s]", "not a cpe", "cpe:2.3:x:bad");
    size_t found = 99;
    vg_diag_clear(&d);
    assert_int_equal(vg_watch_org_assets(f->st, a, before, &found, &d), 0);
    assert_int_equal(found, 1);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM finding"), 1);
    json_decref(before);
}

/* An import whose store refuses a write names it, and the file's records are not kept. */
static void import_store_failures(void **state)
{
    struct fixture *f = *state;
    static const char kev[] =
        "{\"title\":\"t\",\"catalogVersion\":\"1\",\"count\":1,\"vulnerabilities\":[{\"cveID\":"
        "\"CVE-2025-0001\",\"vendorProject\":\"Acme\",\"product\":\"Widget\",\"dateAdded\":"
        "\"2025-02-01\",\"dueDate\":\"2025-02-22\",\"knownRansomwareCampaignUse\":\"Known\"}]}";
    static const char epss[] = "#model_version:v2025.03.14,score_date:2025-03-01T00:00:00+0000\n"
                               "cve,epss,percentile\nCVE-2025-0001,0.42000,0.97000\n";
    char doc[2048];
    nvd_doc(doc, sizeof doc, "CVE-2025-0001", WIDGET, "cvssMetricV31", "3.1",
            "2025-01-15T00:00:00.000");
    static const struct {
        const char *file, *table;
    } cases[] = {{"nvd.json", "vuln_record"}, {"kev.json", "kev"}, {"epss.csv", "epss"}};
    for (size_t i = 0; i < 3; i++) {
        const char *path = write_file(f, cases[i].file, i == 0 ? doc : i == 1 ? kev : epss);
        char sql[160];
        snprintf(sql, sizeof sql,
                 "CREATE TRIGGER inj_t BEFORE INSERT ON %s BEGIN SELECT RAISE(ABORT, "
                 "'injected'); END",
                 cases[i].table);
        exec_on(f->path, sql);
        struct vg_watch_stats s;
        struct vg_diag d;
        assert_int_equal(import1(f, path, &s, &d), VG_EIO);
        assert_string_equal(d.message, "database error: injected");
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", cases[i].table);
        assert_int_equal(scalar_on(f->path, sql), 0);
        exec_on(f->path, "DROP TRIGGER inj_t");
    }
}

/* The re-match after an import cannot read the products: the import fails saying so (the
 * records stay imported) rather than taking the failure for "no product" and skipping the
 * re-match in silence, as it did. */
static void import_rematch_cannot_read_products(void **state)
{
    struct fixture *f = *state;
    org_with(f, "A", "[\"" WIDGET "\"]");
    static const char *const crit[] = {WIDGET, "cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*"};
    exec_on(f->path, "ALTER TABLE org_product RENAME TO inj_gone");
    for (size_t i = 0; i < 2; i++) {
        char doc[2048], cve[32], name[16];
        snprintf(cve, sizeof cve, "CVE-2025-000%zu", i + 1);
        snprintf(name, sizeof name, "r%zu.json", i);
        nvd_doc(doc, sizeof doc, cve, crit[i], "cvssMetricV31", "3.1", "2025-01-15T00:00:00.000");
        struct vg_store *st = reopen(f);
        char *paths[] = {(char *)write_file(f, name, doc)};
        struct vg_watch_stats s;
        struct vg_diag d;
        vg_diag_clear(&d);
        assert_int_equal(vg_watch_import(st, paths, 1, NULL, &s, &d), VG_EIO);
        assert_string_equal(d.message, "cannot read the store: i/o error");
        assert_int_equal(s.added, 1);
        vg_store_close(st);
    }
    exec_on(f->path, "ALTER TABLE inj_gone RENAME TO org_product");
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM vuln"), 2);
    assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM finding"), 0);
}

/* A report whose incident cannot be written leaves neither incident nor intake record; one
 * whose COMMIT fails neither. */
static void intake_store_failures_leave_nothing(void **state)
{
    struct fixture *f = *state;
    json_t *rep =
        json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:s,s:s,s:s}", "reporter", "name", "R", "email",
                  "r@a.example", "organisation", "name", "Declared", "kind", "ministry", "title",
                  "t", "description", "d", "occurred", "2026-01-02T03:04:05Z");
    struct vg_intake_result res;
    struct vg_diag d;
    /* first the good path: the occurrence date is kept */
    vg_diag_clear(&d);
    assert_int_equal(vg_intake_report(f->st, rep, "192.0.2.1", &res, &d), 0);
    assert_true(res.accepted);
    json_t *inc = NULL;
    assert_int_equal(vg_store_incident_get(f->st, res.ref, &inc), 0);
    assert_string_equal(json_string_value(json_object_get(inc, "occurred")),
                        "2026-01-02T03:04:05Z");
    json_decref(inc);
    static const char *const inject[] = {
        "CREATE TRIGGER inj_t BEFORE INSERT ON incident BEGIN SELECT RAISE(ABORT, 'injected'); "
        "END",
        "CREATE TABLE inj_parent(id INTEGER PRIMARY KEY); CREATE TABLE inj_child(p INTEGER "
        "REFERENCES inj_parent(id) DEFERRABLE INITIALLY DEFERRED); CREATE TRIGGER inj_t AFTER "
        "INSERT ON intake BEGIN INSERT INTO inj_child VALUES (1); END",
    };
    static const char *const msg[] = {"injected", "FOREIGN KEY constraint failed"};
    for (size_t i = 0; i < 2; i++) {
        exec_on(f->path, inject[i]);
        vg_diag_clear(&d);
        memset(&res, 0, sizeof res);
        assert_int_equal(vg_intake_report(f->st, rep, "192.0.2.1", &res, &d), VG_EIO);
        if (!strstr(d.message, msg[i]))
            fail_msg("case %zu: '%s'", i, d.message);
        assert_false(res.accepted);
        assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM incident"), 1);
        assert_int_equal(scalar_on(f->path, "SELECT count(*) FROM intake"), 1);
        exec_on(f->path, "DROP TRIGGER inj_t");
    }
    json_decref(rep);
}

static void auth_and_events_name_store_failures(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(vg_auth_init(), 0);
    assert_int_equal(vg_auth_role_rank(NULL), 0);
    assert_int_equal(vg_auth_role_rank("god"), 0);
    assert_int_equal(vg_auth_role_rank("reader"), 1);
    assert_true(vg_auth_role_rank("admin") > vg_auth_role_rank("analyst"));
    exec_on(f->path, "ALTER TABLE user RENAME TO inj_gone");
    struct vg_store *st = reopen(f);
    struct vg_diag d;
    char tok[VG_TOKEN_LEN + 1], role[16];
    long long id;
    vg_diag_clear(&d);
    assert_int_equal(vg_auth_login(st, "carol", "pw", NULL, tok, &id, role, sizeof role, &d),
                     VG_EIO);
    assert_string_equal(d.message, "cannot read user 'carol'");
    vg_diag_clear(&d);
    assert_int_equal(vg_auth_user_create(st, "carol", "reader", "pw-long-enough", &id, &d), VG_EIO);
    assert_string_equal(d.message, "cannot read user 'carol'");
    vg_store_close(st);
    exec_on(f->path, "ALTER TABLE inj_gone RENAME TO user; "
                     "ALTER TABLE indicator RENAME TO inj_gone");
    st = reopen(f);
    struct vg_match_index *idx = vg_match_index_new();
    vg_diag_clear(&d);
    assert_int_equal(vg_events_load(st, "2026-01-01T00:00:00Z", idx, &d), VG_EIO);
    assert_string_equal(d.message, "cannot read the database's indicators");
    vg_match_index_free(idx);
    struct vg_events_index ei = {0};
    vg_diag_clear(&d);
    assert_null(vg_events_index_current(&ei, st, "2026-01-01T00:00:00Z", &d));
    assert_string_equal(d.message, "cannot read the indicators");
    vg_events_index_cleanup(&ei);
    vg_store_close(st);
    /* the version can be read (expiries) but not the indicators themselves: no index */
    exec_on(f->path, "CREATE VIEW indicator AS SELECT expires FROM inj_gone");
    st = reopen(f);
    vg_diag_clear(&d);
    assert_null(vg_events_index_current(&ei, st, "2026-01-01T00:00:00Z", &d));
    assert_string_equal(d.message, "cannot load the indicators");
    assert_null(ei.idx);
    vg_events_index_cleanup(&ei);
    vg_store_close(st);
    exec_on(f->path, "DROP VIEW indicator; ALTER TABLE inj_gone RENAME TO indicator");
    st = reopen(f);
    assert_non_null(vg_events_index_current(&ei, st, "2026-01-01T00:00:00Z", &d));
    vg_events_index_cleanup(&ei);
    vg_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(import_keeps_each_score_version, setup, teardown),
        cmocka_unit_test_setup_teardown(product_listed_twice_counts_once, setup, teardown),
        cmocka_unit_test_setup_teardown(organisation_without_products_loses_findings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(one_organisation_failing_leaves_the_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unreadable_stored_records_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(watch_names_what_it_could_not_read, setup, teardown),
        cmocka_unit_test_setup_teardown(org_update_warns_when_findings_are_not_refreshed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(org_assets_ignore_products_that_are_not_names, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(import_store_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(import_rematch_cannot_read_products, setup, teardown),
        cmocka_unit_test_setup_teardown(intake_store_failures_leave_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(auth_and_events_name_store_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
