/* The writers of advisories (advisory/csaf_write.c, advisory/certfr.c): CSAF 2.0 documents of
 * advisories built by hand (each kind, with and without CVEs, CVSS, KEV, fixed versions and
 * CPEs, open and closed alerts, several revisions) checked field by field; CERT-FR-style JSON
 * written, and read from every file of ../shared/corpus/certfr and tests/data/certfr, written
 * back with the same keys and types, read again to the same advisory. Every CSAF document written
 * here passes vg_csaf_check (the schema and section 6.1). With VG_ADVISORY_OUT set
 * to a directory, writes the documents there for tests/e2e/test_csaf_write.py to validate
 * against the official schemas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/certfr.h"
#include "advisory/csaf.h"
#include "advisory/link.h"
#include "util/mem.h"

static const struct vg_adv_site site = {
    .name = "CERT Example",
    .namespace = "https://cert.example.org",
    .contact = "cert@example.org",
    .base_url = "https://cert.example.org",
    .lang = "fr",
    .generator = "vigie 0.13",
};

/* ---- advisories built by hand ---- */

static char *dup(const char *s)
{
    return s ? vg_strdup(s) : NULL;
}

static void add_system(struct vg_advisory *a, const char *vendor, const char *product,
                       const char *versions, const char *fixed, const char *cpe, bool scada)
{
    a->systems = realloc(a->systems, (a->nsystems + 1) * sizeof *a->systems);
    a->systems[a->nsystems++] = (struct vg_adv_system){dup(vendor), dup(product), dup(versions),
                                                       dup(fixed),  dup(cpe),     scada};
}

static void add_cve(struct vg_advisory *a, const char *id, double cvss, const char *vector,
                    bool kev)
{
    a->cves = realloc(a->cves, (a->ncves + 1) * sizeof *a->cves);
    a->cves[a->ncves++] = (struct vg_adv_cve){dup(id), cvss, dup(vector), kev};
}

static void add_link(struct vg_advisory *a, const char *title, const char *url,
                     const char *published_at, bool vendor)
{
    a->links = realloc(a->links, (a->nlinks + 1) * sizeof *a->links);
    a->links[a->nlinks++] = (struct vg_adv_link){dup(title), dup(url), dup(published_at), vendor};
}

static void add_revision(struct vg_advisory *a, const char *date, const char *description)
{
    a->revisions = realloc(a->revisions, (a->nrevisions + 1) * sizeof *a->revisions);
    a->revisions[a->nrevisions] =
        (struct vg_adv_revision){(int)a->nrevisions + 1, dup(date), dup(description)};
    a->nrevisions++;
    a->version = (int)a->nrevisions;
}

static void add_risk(struct vg_advisory *a, enum vg_adv_risk r)
{
    a->risks = realloc(a->risks, (a->nrisks + 1) * sizeof *a->risks);
    a->risks[a->nrisks++] = (struct vg_adv_risk_item){r, NULL};
}

/* An avis with everything: two vendors, a CPE, a fixed version, two CVEs (one scored and in
 * KEV), references, two revisions. */
static void make_avis(struct vg_advisory *a)
{
    memset(a, 0, sizeof *a);
    a->ref = dup("VIGIE-2026-AVI-0001");
    a->kind = VG_ADV_AVIS;
    a->status = VG_ADV_PUBLISHED;
    a->tlp = VG_TLP_CLEAR;
    a->title = dup("Multiples vulnérabilités dans Apache HTTP Server");
    a->summary = dup("De multiples vulnérabilités ont été découvertes dans *Apache*.");
    a->solution = dup("Mettre à jour vers la version 2.4.58.");
    add_risk(a, VG_RISK_RCE);
    add_risk(a, VG_RISK_DOS);
    add_system(a, "Apache", "HTTP Server", "< 2.4.58", "2.4.58",
               "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*", false);
    add_system(a, "Apache", "HTTP Server", "2.2.x antérieures à 2.2.34", NULL, NULL, false);
    add_system(a, "Siemens", "SIMATIC S7", "V3.0", NULL, NULL, true);
    add_cve(a, "CVE-2023-45802", 9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", true);
    add_cve(a, "CVE-2023-43622", -1, NULL, false);
    add_link(a, "Bulletin de sécurité Apache du 19 octobre 2023",
             "https://httpd.apache.org/security/vulnerabilities_24.html", "2023-10-19", true);
    add_link(a, NULL, "https://example.org/note", NULL, false);
    add_revision(a, "2023-10-20T09:30:00Z", "Version initiale");
    add_revision(a, "2023-10-23T14:00:00Z", "Ajout du CVE-2023-43622");
}

static json_t *csaf_ok(const struct vg_advisory *a)
{
    json_t *doc = NULL;
    struct vg_diag d;
    int rc = vg_csaf_document(a, &site, &doc, &d);
    if (rc)
        fail_msg("vg_csaf_document: %d %s: %s", rc, d.field, d.message);
    assert_non_null(doc);
    /* every document written passes vigie's own checker: the schema and section 6.1 */
    struct vg_csaf_report rep = {0};
    if (vg_csaf_check(doc, &rep) != 0)
        fail_msg("%s: %s %s: %s (%zu issues)", a->ref, rep.items[0].test, rep.items[0].pointer,
                 rep.items[0].message, rep.n);
    vg_csaf_report_free(&rep);
    return doc;
}

static const char *sget(const json_t *root, const char *path)
{
    /* a slash-separated path of keys and indexes */
    const json_t *v = root;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok && v;
         tok = strtok_r(NULL, "/", &save)) {
        if (json_is_array(v))
            v = json_array_get(v, strtoul(tok, NULL, 10));
        else
            v = json_object_get(v, tok);
    }
    if (!json_is_string(v))
        fail_msg("%s is not a string", path);
    return json_string_value(v);
}

static const json_t *jget(const json_t *root, const char *path)
{
    const json_t *v = root;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok && v;
         tok = strtok_r(NULL, "/", &save)) {
        if (json_is_array(v))
            v = json_array_get(v, strtoul(tok, NULL, 10));
        else
            v = json_object_get(v, tok);
    }
    return v;
}

/* Collects every product_id defined in the product tree (recursively). */
static void defined_ids(const json_t *branches, json_t *ids)
{
    size_t i;
    const json_t *b;
    json_array_foreach(branches, i, b) {
        const json_t *p = json_object_get(b, "product");
        if (p) {
            const char *id = json_string_value(json_object_get(p, "product_id"));
            assert_non_null(id);
            assert_null(json_object_get(ids, id)); /* defined once */
            json_object_set_new(ids, id, json_incref((json_t *)p));
        }
        assert_true(!p != !json_object_get(b, "branches")); /* one of the two */
        defined_ids(json_object_get(b, "branches"), ids);
    }
}

/* Every product id referenced in vulnerabilities is defined; returns how many references. */
static size_t check_refs(const json_t *list, const json_t *ids)
{
    size_t i, n = 0;
    const json_t *v;
    json_array_foreach(list, i, v) {
        if (!json_object_get(ids, json_string_value(v)))
            fail_msg("product id %s is not defined", json_string_value(v));
        n++;
    }
    return n;
}

static void out_file(const char *name, const json_t *doc)
{
    const char *dir = getenv("VG_ADVISORY_OUT");
    if (!dir || !*dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(json_dump_file(doc, path, JSON_INDENT(2) | JSON_REAL_PRECISION(15)), 0);
}

/* ---- CSAF ---- */

static void csaf_avis(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    json_t *doc = csaf_ok(&a);
    out_file("csaf-avis.json", doc);
    assert_string_equal(sget(doc, "document/category"), "csaf_security_advisory");
    assert_string_equal(sget(doc, "document/csaf_version"), "2.0");
    assert_string_equal(sget(doc, "document/title"), a.title);
    assert_string_equal(sget(doc, "document/lang"), "fr");
    assert_string_equal(sget(doc, "document/publisher/category"), "coordinator");
    assert_string_equal(sget(doc, "document/publisher/name"), "CERT Example");
    assert_string_equal(sget(doc, "document/publisher/namespace"), "https://cert.example.org");
    assert_string_equal(sget(doc, "document/publisher/contact_details"), "cert@example.org");
    assert_string_equal(sget(doc, "document/distribution/tlp/label"), "WHITE");
    assert_string_equal(sget(doc, "document/distribution/tlp/url"), "https://www.first.org/tlp/");
    assert_string_equal(sget(doc, "document/distribution/text"), "TLP:CLEAR");
    /* tracking */
    assert_string_equal(sget(doc, "document/tracking/id"), "VIGIE-2026-AVI-0001");
    assert_string_equal(sget(doc, "document/tracking/status"), "final");
    assert_string_equal(sget(doc, "document/tracking/version"), "2");
    assert_string_equal(sget(doc, "document/tracking/initial_release_date"),
                        "2023-10-20T09:30:00Z");
    assert_string_equal(sget(doc, "document/tracking/current_release_date"),
                        "2023-10-23T14:00:00Z");
    assert_int_equal(json_array_size(jget(doc, "document/tracking/revision_history")), 2);
    assert_string_equal(sget(doc, "document/tracking/revision_history/0/number"), "1");
    assert_string_equal(sget(doc, "document/tracking/revision_history/0/date"),
                        "2023-10-20T09:30:00Z");
    assert_string_equal(sget(doc, "document/tracking/revision_history/0/summary"),
                        "Version initiale");
    assert_string_equal(sget(doc, "document/tracking/revision_history/1/number"), "2");
    assert_string_equal(sget(doc, "document/tracking/generator/engine/name"), "vigie");
    assert_string_equal(sget(doc, "document/tracking/generator/engine/version"), "0.13");
    assert_null(jget(doc, "document/tracking/generator/date")); /* deterministic */
    /* notes and references */
    assert_string_equal(sget(doc, "document/notes/0/category"), "summary");
    assert_string_equal(sget(doc, "document/notes/0/text"), a.summary);
    assert_string_equal(sget(doc, "document/notes/1/category"), "details");
    assert_string_equal(sget(doc, "document/notes/1/text"),
                        "- Exécution de code arbitraire à distance\n- Déni de service à distance");
    assert_string_equal(sget(doc, "document/notes/2/category"), "general");
    assert_string_equal(sget(doc, "document/notes/2/text"), a.solution);
    assert_string_equal(sget(doc, "document/references/0/category"), "self");
    assert_string_equal(sget(doc, "document/references/0/url"),
                        "https://cert.example.org/.well-known/csaf/white/2023/"
                        "vigie-2026-avi-0001.json");
    assert_string_equal(sget(doc, "document/references/1/category"), "external");
    assert_string_equal(sget(doc, "document/references/1/summary"), a.links[0].title);
    assert_string_equal(sget(doc, "document/references/2/summary"), "https://example.org/note");
    assert_int_equal(json_array_size(jget(doc, "document/references")), 3);
    /* product tree: Apache -> HTTP Server -> 3 leaves; Siemens -> SIMATIC S7 -> 1 */
    const json_t *tree = jget(doc, "product_tree/branches");
    assert_int_equal(json_array_size(tree), 2);
    assert_string_equal(sget(tree, "0/category"), "vendor");
    assert_string_equal(sget(tree, "0/name"), "Apache");
    assert_string_equal(sget(tree, "0/branches/0/category"), "product_name");
    assert_string_equal(sget(tree, "0/branches/0/name"), "HTTP Server");
    const json_t *leaves = jget(tree, "0/branches/0/branches");
    assert_int_equal(json_array_size(leaves), 3);
    assert_string_equal(sget(leaves, "0/category"), "product_version_range");
    assert_string_equal(sget(leaves, "0/name"), "vers:generic/<2.4.58");
    assert_string_equal(sget(leaves, "0/product/product_id"), "CSAFPID-0001");
    assert_string_equal(sget(leaves, "0/product/name"), "Apache HTTP Server < 2.4.58");
    assert_string_equal(sget(leaves, "0/product/product_identification_helper/cpe"),
                        a.systems[0].cpe);
    assert_string_equal(sget(leaves, "1/category"), "product_version");
    assert_string_equal(sget(leaves, "1/name"), "2.4.58");
    assert_string_equal(sget(leaves, "1/product/product_id"), "CSAFPID-0002");
    assert_null(jget(leaves, "1/product/product_identification_helper"));
    assert_string_equal(sget(leaves, "2/category"), "product_version_range");
    assert_string_equal(sget(leaves, "2/name"), "2.2.x antérieures à 2.2.34");
    assert_string_equal(sget(tree, "1/name"), "Siemens");
    assert_string_equal(sget(tree, "1/branches/0/branches/0/category"), "product_version");
    assert_string_equal(sget(tree, "1/branches/0/branches/0/product/product_id"), "CSAFPID-0004");
    json_t *ids = json_object();
    defined_ids(tree, ids);
    assert_int_equal(json_object_size(ids), 4);
    /* vulnerabilities: one per CVE */
    const json_t *vulns = jget(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 2);
    assert_string_equal(sget(vulns, "0/cve"), "CVE-2023-45802");
    assert_string_equal(sget(vulns, "0/notes/0/category"), "description");
    const json_t *ka = jget(vulns, "0/product_status/known_affected");
    assert_int_equal(check_refs(ka, ids), 3);
    assert_string_equal(sget(ka, "0"), "CSAFPID-0001");
    assert_string_equal(sget(ka, "1"), "CSAFPID-0003");
    assert_string_equal(sget(ka, "2"), "CSAFPID-0004");
    assert_int_equal(check_refs(jget(vulns, "0/product_status/fixed"), ids), 1);
    assert_string_equal(sget(vulns, "0/product_status/fixed/0"), "CSAFPID-0002");
    assert_string_equal(sget(vulns, "0/scores/0/cvss_v3/version"), "3.1");
    assert_string_equal(sget(vulns, "0/scores/0/cvss_v3/vectorString"), a.cves[0].cvss_vector);
    assert_true(json_real_value(jget(vulns, "0/scores/0/cvss_v3/baseScore")) == 9.8);
    assert_string_equal(sget(vulns, "0/scores/0/cvss_v3/baseSeverity"), "CRITICAL");
    assert_int_equal(check_refs(jget(vulns, "0/scores/0/products"), ids), 3);
    assert_string_equal(sget(vulns, "0/remediations/0/category"), "vendor_fix");
    assert_string_equal(sget(vulns, "0/remediations/0/details"), a.solution);
    assert_int_equal(check_refs(jget(vulns, "0/remediations/0/product_ids"), ids), 3);
    assert_string_equal(sget(vulns, "0/threats/0/category"), "exploit_status");
    assert_non_null(strstr(sget(vulns, "0/threats/0/details"), "exploited in the wild"));
    assert_non_null(strstr(sget(vulns, "0/threats/0/details"), "Known Exploited"));
    assert_string_equal(sget(vulns, "1/cve"), "CVE-2023-43622");
    assert_null(jget(vulns, "1/scores"));  /* no score known */
    assert_null(jget(vulns, "1/threats")); /* not in KEV */
    assert_int_equal(check_refs(jget(vulns, "1/product_status/known_affected"), ids), 3);
    /* every id defined is referenced */
    const char *key;
    json_t *val;
    json_object_foreach(ids, key, val) {
        bool used = false;
        for (size_t i = 0; i < 2; i++) {
            const char *lists[] = {"product_status/known_affected", "product_status/fixed"};
            const json_t *l = jget(json_array_get(vulns, 0), lists[i]);
            size_t k;
            const json_t *x;
            json_array_foreach(l, k, x)
                used = used || strcmp(json_string_value(x), key) == 0;
        }
        if (!used)
            fail_msg("%s is defined but not referenced", key);
    }
    json_decref(ids);
    json_decref(doc);
    vg_advisory_free(&a);
}

/* The same advisory gives the same bytes; a change gives other bytes. */
static void csaf_deterministic(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    json_t *d1 = csaf_ok(&a), *d2 = csaf_ok(&a);
    char *s1 = json_dumps(d1, JSON_COMPACT), *s2 = json_dumps(d2, JSON_COMPACT);
    assert_string_equal(s1, s2);
    free(a.title);
    a.title = dup("Autre titre");
    json_t *d3 = csaf_ok(&a);
    char *s3 = json_dumps(d3, JSON_COMPACT);
    assert_string_not_equal(s1, s3);
    free(s1);
    free(s2);
    free(s3);
    json_decref(d1);
    json_decref(d2);
    json_decref(d3);
    vg_advisory_free(&a);
}

/* Each kind: avis and alerte are security advisories, the others csaf_base. */
static void csaf_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < VG_ADV_KIND_COUNT; k++) {
        struct vg_advisory a;
        make_avis(&a);
        a.kind = (enum vg_adv_kind)k;
        if (k >= VG_ADV_ACTUALITE && k % 2) { /* some of them without products nor CVEs */
            vg_advisory_free(&a);
            memset(&a, 0, sizeof a);
            a.ref = dup("VIGIE-2026-GUI-0001");
            a.kind = (enum vg_adv_kind)k;
            a.title = dup("Sauvegardes contre les rançongiciels");
            a.summary = dup("Trois copies, deux supports, une hors ligne.");
            add_revision(&a, "2026-01-05T10:00:00Z", NULL);
        }
        json_t *doc = csaf_ok(&a);
        char name[64];
        snprintf(name, sizeof name, "csaf-kind-%s.json", vg_adv_kind_name(a.kind));
        out_file(name, doc);
        bool security = k == VG_ADV_AVIS || k == VG_ADV_ALERTE;
        assert_string_equal(sget(doc, "document/category"),
                            security ? "csaf_security_advisory" : "csaf_base");
        if (a.nsystems) {
            assert_non_null(jget(doc, "product_tree/branches/0"));
            assert_int_equal(json_array_size(jget(doc, "vulnerabilities")), 2);
        } else {
            assert_null(jget(doc, "product_tree"));
            assert_null(jget(doc, "vulnerabilities"));
            assert_string_equal(sget(doc, "document/tracking/revision_history/0/summary"),
                                "Version initiale");
            assert_string_equal(sget(doc, "document/notes/0/text"), a.summary);
        }
        json_decref(doc);
        vg_advisory_free(&a);
    }
}

/* An alert is "interim" while it runs, "final" once closed. */
static void csaf_alert(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    a.kind = VG_ADV_ALERTE;
    free(a.ref);
    a.ref = dup("VIGIE-2026-ALE-0001");
    json_t *doc = csaf_ok(&a);
    out_file("csaf-alert-open.json", doc);
    assert_string_equal(sget(doc, "document/category"), "csaf_security_advisory");
    assert_string_equal(sget(doc, "document/tracking/status"), "interim");
    json_decref(doc);
    a.closed_at = dup("2023-11-01T00:00:00Z");
    add_revision(&a, "2023-11-01T00:00:00Z", "Clôture de l'alerte");
    doc = csaf_ok(&a);
    out_file("csaf-alert-closed.json", doc);
    assert_string_equal(sget(doc, "document/tracking/status"), "final");
    assert_string_equal(sget(doc, "document/tracking/version"), "3");
    assert_string_equal(sget(doc, "document/tracking/revision_history/2/number"), "3");
    assert_string_equal(sget(doc, "document/tracking/current_release_date"),
                        "2023-11-01T00:00:00Z");
    json_decref(doc);
    vg_advisory_free(&a);
}

/* An avis without CVE still has its vulnerability (the profile wants one), without cve. */
static void csaf_no_cve(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    for (size_t i = 0; i < a.ncves; i++) {
        free(a.cves[i].id);
        free(a.cves[i].cvss_vector);
    }
    a.ncves = 0;
    free(a.solution);
    a.solution = NULL;
    a.lang = dup("en");
    json_t *doc = csaf_ok(&a);
    out_file("csaf-no-cve.json", doc);
    const json_t *vulns = jget(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 1);
    assert_null(jget(vulns, "0/cve"));
    assert_null(jget(vulns, "0/remediations")); /* no solution text */
    assert_int_equal(json_array_size(jget(vulns, "0/product_status/known_affected")), 3);
    assert_string_equal(sget(vulns, "0/notes/0/text"), a.title);
    assert_string_equal(sget(doc, "document/lang"), "en");
    assert_string_equal(sget(doc, "document/notes/1/text"),
                        "- Remote code execution\n- Denial of service");
    json_decref(doc);
    vg_advisory_free(&a);
}

/* A CVE named twice is one vulnerability, at its first place (section 6.1.23). */
static void csaf_duplicate_cve(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    add_cve(&a, "CVE-2024-0001", -1, NULL, false);
    add_cve(&a, "CVE-2023-45802", -1, NULL, false);
    add_cve(&a, "CVE-2024-0001", -1, NULL, true);
    json_t *doc = csaf_ok(&a);
    const json_t *vulns = jget(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 3);
    assert_string_equal(sget(vulns, "0/cve"), "CVE-2023-45802");
    assert_non_null(jget(vulns, "0/scores")); /* the first one's */
    assert_string_equal(sget(vulns, "1/cve"), "CVE-2023-43622");
    assert_string_equal(sget(vulns, "2/cve"), "CVE-2024-0001");
    assert_null(jget(vulns, "2/threats"));
    json_decref(doc);
    vg_advisory_free(&a);
}

static void csaf_tlp(void **state)
{
    (void)state;
    static const struct {
        enum vg_tlp tlp;
        const char *label, *text, *folder;
    } cases[] = {
        {VG_TLP_CLEAR, "WHITE", "TLP:CLEAR", "/white/"},
        {VG_TLP_GREEN, "GREEN", "TLP:GREEN", "/green/"},
        {VG_TLP_AMBER, "AMBER", "TLP:AMBER", "/amber/"},
        {VG_TLP_AMBER_STRICT, "AMBER", "TLP:AMBER+STRICT", "/amber/"},
        {VG_TLP_RED, "RED", "TLP:RED", "/red/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vg_advisory a;
        make_avis(&a);
        a.tlp = cases[i].tlp;
        json_t *doc = csaf_ok(&a);
        assert_string_equal(sget(doc, "document/distribution/tlp/label"), cases[i].label);
        assert_string_equal(sget(doc, "document/distribution/text"), cases[i].text);
        assert_non_null(strstr(sget(doc, "document/references/0/url"), cases[i].folder));
        json_decref(doc);
        vg_advisory_free(&a);
    }
}

/* Scores: the severity band of each score (at each bound; the vectors are real ones of those
 * scores); CVSS 2 as cvss_v2; a vector without its score scored; none for a 4.0 vector or
 * without a vector. */
static void csaf_scores(void **state)
{
    (void)state;
    static const struct {
        double score;
        const char *vector, *severity; /* severity NULL: no scores */
    } cases[] = {
        {0.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "NONE"},
        {3.9, "CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L", "LOW"},
        {4.0, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:L/I:N/A:N", "MEDIUM"},
        {6.9, "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:H/I:L/A:N", "MEDIUM"},
        {7.0, "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:L/A:L", "HIGH"},
        {8.9, "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:L", "HIGH"},
        {9.0, "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H", "CRITICAL"},
        {10.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "CRITICAL"},
        {7.5, "AV:N/AC:L/Au:N/C:P/I:P/A:P", "v2"},
        {9.3, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", NULL},
        {-1, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CRITICAL"}, /* from the vector */
        {9.8, NULL, NULL},
    };
    struct vg_advisory a;
    make_avis(&a);
    for (size_t i = 0; i < a.ncves; i++) {
        free(a.cves[i].id);
        free(a.cves[i].cvss_vector);
    }
    a.ncves = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char id[32];
        snprintf(id, sizeof id, "CVE-2024-%04zu", 1000 + i);
        add_cve(&a, id, cases[i].score, cases[i].vector, false);
    }
    json_t *doc = csaf_ok(&a);
    out_file("csaf-scores.json", doc);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const json_t *v = json_array_get(jget(doc, "vulnerabilities"), i);
        if (!cases[i].severity) {
            assert_null(json_object_get(v, "scores"));
        } else if (strcmp(cases[i].severity, "v2") == 0) {
            assert_string_equal(sget(v, "scores/0/cvss_v2/version"), "2.0");
            assert_true(json_real_value(jget(v, "scores/0/cvss_v2/baseScore")) == 7.5);
        } else {
            assert_string_equal(sget(v, "scores/0/cvss_v3/baseSeverity"), cases[i].severity);
            assert_true(json_real_value(jget(v, "scores/0/cvss_v3/baseScore")) ==
                        (cases[i].score < 0 ? 9.8 : cases[i].score));
            assert_string_equal(sget(v, "scores/0/cvss_v3/version"),
                                strstr(cases[i].vector, "3.0") ? "3.0" : "3.1");
        }
    }
    json_decref(doc);
    vg_advisory_free(&a);
}

/* Versions: a single version is a product_version; a range is a product_version_range, in
 * vers form only when it says exactly the same; the same system twice is one product. */
static void csaf_versions(void **state)
{
    (void)state;
    static const struct {
        const char *versions, *category, *name;
    } cases[] = {
        {"1.2.3", "product_version", "1.2.3"},
        {"< 1.10.3", "product_version_range", "vers:generic/<1.10.3"},
        {"<=2.0", "product_version_range", "vers:generic/<=2.0"},
        {">= 2.0, < 2.4.58", "product_version_range", "vers:generic/>=2.0|<2.4.58"},
        {"< 2.0, >= 1.0", "product_version_range", "< 2.0, >= 1.0"},
        {"< 2.0 (LTS)", "product_version_range", "< 2.0 (LTS)"},
        {"versions 5.x", "product_version_range", "versions 5.x"},
        {"All", "product_version_range", "All"},
        {"prior-3", "product_version_range", "prior-3"},
        {"", "product_version_range", "toutes versions"},
    };
    struct vg_advisory a;
    make_avis(&a);
    for (size_t i = 0; i < a.nsystems; i++) {
        free(a.systems[i].vendor);
        free(a.systems[i].product);
        free(a.systems[i].versions);
        free(a.systems[i].fixed);
        free(a.systems[i].cpe);
    }
    a.nsystems = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char product[32];
        snprintf(product, sizeof product, "P%zu", i);
        add_system(&a, "V", product, cases[i].versions, NULL, NULL, false);
    }
    add_system(&a, "V", "P0", "1.2.3", NULL, NULL, false); /* again: the same product */
    json_t *doc = csaf_ok(&a);
    out_file("csaf-versions.json", doc);
    const json_t *products = jget(doc, "product_tree/branches/0/branches");
    assert_int_equal(json_array_size(products), sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const json_t *leaves = jget(json_array_get(products, i), "branches");
        assert_int_equal(json_array_size(leaves), 1);
        assert_string_equal(sget(leaves, "0/category"), cases[i].category);
        assert_string_equal(sget(leaves, "0/name"), cases[i].name);
    }
    assert_int_equal(json_array_size(jget(doc, "vulnerabilities/0/product_status/known_affected")),
                     sizeof cases / sizeof cases[0]);
    json_decref(doc);
    vg_advisory_free(&a);
}

static void csaf_errors(void **state)
{
    (void)state;
    static const struct {
        int what;
        const char *field;
    } cases[] = {
        {0, "/revisions"},
        {1, "/title"},
        {2, "/ref"},
        {3, "/revisions/1/version"},
        {4, "/revisions/1/date"},
        {5, "/revisions/0/date"},
        {6, "/version"},
        {7, "/affected_systems"},
        {8, "/cves/1"},
        {9, "/affected_systems/1/vendor"},
        {10, "/affected_systems/2/product"},
        {11, "/affected_systems/0/fixed"},
        {12, "/affected_systems/2/versions"},
        {13, "site/namespace"},
        {14, "site/name"},
        {15, "/references/1"},
        {16, "/lang"},
        {17, "/affected_systems/0/cpe"},
        {18, "/cves/0/cvss"},
        {19, "/cves/1/cvss_vector"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vg_advisory a;
        make_avis(&a);
        struct vg_adv_site s = site;
        switch (cases[i].what) {
        case 0:
            for (size_t k = 0; k < a.nrevisions; k++) {
                free(a.revisions[k].date);
                free(a.revisions[k].description);
            }
            a.nrevisions = 0;
            a.version = 0;
            break;
        case 1: free(a.title), a.title = NULL; break;
        case 2: free(a.ref), a.ref = dup(""); break;
        case 3: a.revisions[1].version = 3; break;
        case 4: free(a.revisions[1].date), a.revisions[1].date = dup("2023-10-19T00:00:00Z"); break;
        case 5: free(a.revisions[0].date), a.revisions[0].date = dup("20 octobre 2023"); break;
        case 6: a.version = 3; break;
        case 7:
            for (size_t k = 0; k < a.nsystems; k++) {
                free(a.systems[k].vendor);
                free(a.systems[k].product);
                free(a.systems[k].versions);
                free(a.systems[k].fixed);
                free(a.systems[k].cpe);
            }
            a.nsystems = 0;
            break;
        case 8: free(a.cves[1].id), a.cves[1].id = dup("CVE-2023-12"); break;
        case 9: free(a.systems[1].vendor), a.systems[1].vendor = NULL; break;
        case 10: free(a.systems[2].product), a.systems[2].product = dup(""); break;
        case 11: free(a.systems[0].fixed), a.systems[0].fixed = dup("< 2.4.58"); break;
        case 12: /* another system's fixed version named as affected */
            free(a.systems[2].vendor), a.systems[2].vendor = dup("Apache");
            free(a.systems[2].product), a.systems[2].product = dup("HTTP Server");
            free(a.systems[2].versions), a.systems[2].versions = dup("2.4.58");
            break;
        case 13: s.namespace = "cert.example.org"; break;
        case 14: s.name = NULL; break;
        case 15: free(a.links[1].url), a.links[1].url = dup("https://example.org/a b"); break;
        case 16: a.lang = dup("français"); break;
        case 17: free(a.systems[0].cpe), a.systems[0].cpe = dup("apache:http_server"); break;
        case 18: a.cves[0].cvss = 7.5; break; /* the vector gives 9.8 */
        case 19: a.cves[1].cvss_vector = dup("CVSS:3.1/AV:N/AC:L"); break;
        }
        json_t *doc = (json_t *)1;
        struct vg_diag d;
        int rc = vg_csaf_document(&a, &s, &doc, &d);
        if (rc != VG_EINVAL || strcmp(d.field, cases[i].field) != 0)
            fail_msg("case %d: rc %d field '%s' (%s), want %s", cases[i].what, rc, d.field,
                     d.message, cases[i].field);
        assert_null(doc);
        assert_true(d.message[0] != '\0');
        vg_advisory_free(&a);
    }
}

/* Every allocation that can fail fails once: an error or a document, never a leak (ASan). */
static void csaf_alloc_failures(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    int ok = 0;
    for (long n = 1; n < 5000 && !ok; n++) {
        json_t *doc = NULL;
        struct vg_diag d;
        vg_mem_fail_after(n);
        int rc = vg_csaf_document(&a, &site, &doc, &d);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        if (rc == 0) {
            assert_non_null(doc);
            ok = failed == 0;
        } else {
            assert_int_equal(rc, VG_ENOMEM);
            assert_null(doc);
        }
        json_decref(doc);
    }
    assert_true(ok);
    vg_advisory_free(&a);
}

/* The URLs a reference may have: http(s), RFC 3986's characters only, no user information. */
static void link_urls(void **state)
{
    (void)state;
    static const char *const good[] = {
        "https://www.cert.ssi.gouv.fr/avis/CERTFR-2024-AVI-0268/",
        "http://example.org",
        "https://example.org:8443/a/b?c=d&e=f%20g#h",
        "https://[2001:db8::1]/x",
        "https://download.schneider-electric.com/files?p_enDocType=Security+and+Safety+Notice",
        "https://liferay.dev/portal/security/known-vulnerabilities/-/asset_publisher/jekt/content/x",
    };
    static const char *const bad[] = {
        NULL,
        "",
        "javascript:alert(1)",
        "ftp://example.org/",
        "https://",
        "https:///path",
        "https://example.org/a b",
        "https://example.org/a\\b",
        "https://example.org/<script>",
        "https://example.org/\"x\"",
        "https://example.org/?q=]",
        "https://example.org/%zz",
        "https://example.org/%4",
        "https://user@example.org/",
        "https://example.org@evil.example/",
        "https://[]/",
        "https://exa mple.org/",
        "HTTPS://example.org/",
        "https://example.org/\x7f",
        "https://example.org/\xc3\xa9",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!vg_adv_url_ok(good[i]))
            fail_msg("refused: %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vg_adv_url_ok(bad[i]))
            fail_msg("accepted: %s", bad[i]);
}

/* ---- CERT-FR ---- */

static json_t *certfr_ok(const struct vg_advisory *a)
{
    json_t *doc = NULL;
    struct vg_diag d;
    int rc = vg_certfr_document(a, &site, &doc, &d);
    if (rc)
        fail_msg("vg_certfr_document: %d %s: %s", rc, d.field, d.message);
    return doc;
}

static const char *const certfr_keys[] = {"$ref",
                                          "affected_systems",
                                          "affected_systems_content",
                                          "content",
                                          "cves",
                                          "links",
                                          "reference",
                                          "revisions",
                                          "risks",
                                          "summary",
                                          "title",
                                          "vendor_advisories"};

static void certfr_write(void **state)
{
    (void)state;
    struct vg_advisory a;
    make_avis(&a);
    json_t *doc = certfr_ok(&a);
    out_file("certfr-avis.json", doc);
    assert_int_equal(json_object_size(doc), 12);
    for (size_t i = 0; i < sizeof certfr_keys / sizeof certfr_keys[0]; i++)
        assert_non_null(json_object_get(doc, certfr_keys[i]));
    assert_null(json_object_get(doc, "closed_at")); /* an avis has none */
    assert_string_equal(sget(doc, "$ref"), "https://www.cert.ssi.gouv.fr/openapi.json");
    assert_string_equal(sget(doc, "reference"), "VIGIE-2026-AVI-0001");
    assert_string_equal(sget(doc, "title"), a.title);
    assert_string_equal(sget(doc, "summary"), a.summary);
    assert_string_equal(sget(doc, "content"),
                        "## Solutions\n\nMettre à jour vers la version 2.4.58.");
    assert_true(json_is_null(json_object_get(doc, "affected_systems_content")));
    assert_string_equal(sget(doc, "risks/0/description"),
                        "Exécution de code arbitraire à distance");
    assert_string_equal(sget(doc, "risks/1/description"), "Déni de service à distance");
    assert_int_equal(json_array_size(jget(doc, "affected_systems")), 3);
    assert_string_equal(sget(doc, "affected_systems/0/description"),
                        "HTTP Server versions < 2.4.58");
    assert_string_equal(sget(doc, "affected_systems/0/product/name"), "HTTP Server");
    assert_string_equal(sget(doc, "affected_systems/0/product/vendor/name"), "Apache");
    assert_true(json_is_false(jget(doc, "affected_systems/0/product/vendor/scada")));
    assert_true(json_is_true(jget(doc, "affected_systems/2/product/vendor/scada")));
    assert_string_equal(sget(doc, "cves/0/name"), "CVE-2023-45802");
    assert_string_equal(sget(doc, "cves/0/url"), "https://www.cve.org/CVERecord?id=CVE-2023-45802");
    assert_int_equal(json_array_size(jget(doc, "vendor_advisories")), 1);
    assert_string_equal(sget(doc, "vendor_advisories/0/published_at"), "2023-10-19");
    assert_string_equal(sget(doc, "vendor_advisories/0/title"), a.links[0].title);
    assert_int_equal(json_array_size(jget(doc, "links")), 1);
    assert_string_equal(sget(doc, "links/0/title"), "https://example.org/note"); /* no title */
    assert_string_equal(sget(doc, "links/0/url"), "https://example.org/note");
    assert_string_equal(sget(doc, "revisions/0/description"), "Version initiale");
    assert_string_equal(sget(doc, "revisions/0/revision_date"), "2023-10-20T09:30:00.000000");
    assert_string_equal(sget(doc, "revisions/1/revision_date"), "2023-10-23T14:00:00.000000");
    json_decref(doc);
    /* a revision without description: the first is the initial version, in the language */
    free(a.revisions[0].description);
    a.revisions[0].description = NULL;
    free(a.revisions[1].description);
    a.revisions[1].description = NULL;
    doc = certfr_ok(&a);
    assert_string_equal(sget(doc, "revisions/0/description"), "Version initiale");
    assert_string_equal(sget(doc, "revisions/1/description"), "");
    json_decref(doc);
    a.lang = dup("en");
    doc = certfr_ok(&a);
    assert_string_equal(sget(doc, "revisions/0/description"), "Initial version");
    assert_string_equal(sget(doc, "risks/0/description"), "Remote code execution");
    json_decref(doc);
    /* an alert has closed_at: null while it runs, then CERT-FR's date form */
    a.kind = VG_ADV_ALERTE;
    doc = certfr_ok(&a);
    out_file("certfr-alert-open.json", doc);
    assert_int_equal(json_object_size(doc), 13);
    assert_true(json_is_null(json_object_get(doc, "closed_at")));
    json_decref(doc);
    a.closed_at = dup("2023-11-02T08:00:00+01:00");
    doc = certfr_ok(&a);
    out_file("certfr-alert-closed.json", doc);
    assert_string_equal(sget(doc, "closed_at"), "2023-11-02T07:00:00.000000");
    json_decref(doc);
    /* errors */
    struct vg_diag d;
    free(a.closed_at);
    a.closed_at = dup("demain");
    assert_int_equal(vg_certfr_document(&a, &site, &doc, &d), VG_EINVAL);
    assert_string_equal(d.field, "/closed_at");
    assert_null(doc);
    free(a.revisions[1].date);
    a.revisions[1].date = dup("2023-02-30T00:00:00Z");
    a.kind = VG_ADV_AVIS;
    assert_int_equal(vg_certfr_document(&a, &site, &doc, &d), VG_EINVAL);
    assert_string_equal(d.field, "/revisions/1/date");
    free(a.title);
    a.title = NULL;
    assert_int_equal(vg_certfr_document(&a, &site, &doc, &d), VG_EINVAL);
    assert_string_equal(d.field, "/title");
    a.nrevisions = 0; /* (freed below through the saved count) */
    size_t nrev = 2;
    a.title = dup("t");
    assert_int_equal(vg_certfr_document(&a, &site, &doc, &d), VG_EINVAL);
    assert_string_equal(d.field, "/revisions");
    a.nrevisions = nrev;
    vg_advisory_free(&a);
}

static void certfr_list(void **state)
{
    (void)state;
    struct vg_advisory a, b = {0};
    make_avis(&a);
    b.ref = dup("VIGIE-2026-ALE-0002");
    const struct vg_advisory *list[] = {&a, &b};
    /* out of memory: NULL, never a shorter list */
    for (long n = 1; n < 200; n++) {
        vg_mem_fail_after(n);
        json_t *partial = vg_certfr_list(list, 2, &site);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        if (!failed) {
            json_decref(partial);
            break;
        }
        assert_null(partial);
    }
    json_t *l = vg_certfr_list(list, 2, &site);
    assert_non_null(l);
    assert_int_equal(json_array_size(l), 2);
    assert_string_equal(sget(l, "0/reference"), "VIGIE-2026-AVI-0001");
    assert_string_equal(sget(l, "0/json_url"),
                        "https://cert.example.org/advisories/VIGIE-2026-AVI-0001/json/");
    assert_string_equal(sget(l, "0/last_revision_date"), "2023-10-23T14:00:00.000000");
    assert_int_equal(json_object_size(json_array_get(l, 0)), 3);
    assert_true(json_is_null(jget(l, "1/last_revision_date"))); /* not published yet */
    json_decref(l);
    l = vg_certfr_list(list, 0, &site);
    assert_int_equal(json_array_size(l), 0);
    json_decref(l);
    vg_advisory_free(&a);
    vg_advisory_free(&b);
}

/* The shape of a JSON value: same types, same keys, recursively; arrays: every item of b has
 * the shape of the first item of a (CERT-FR's arrays are uniform). */
static void same_shape(const json_t *a, const json_t *b, const char *where)
{
    if (json_typeof(a) != json_typeof(b) && !(json_is_boolean(a) && json_is_boolean(b)))
        fail_msg("%s: type %d, want %d", where, json_typeof(b), json_typeof(a));
    char sub[512];
    if (json_is_object(a)) {
        const char *k;
        const json_t *v;
        if (json_object_size(a) != json_object_size(b))
            fail_msg("%s: %zu keys, want %zu", where, json_object_size(b), json_object_size(a));
        json_object_foreach((json_t *)a, k, v) {
            snprintf(sub, sizeof sub, "%s/%s", where, k);
            const json_t *w = json_object_get(b, k);
            if (!w)
                fail_msg("%s missing", sub);
            same_shape(v, w, sub);
        }
    } else if (json_is_array(a) && json_array_size(a)) {
        size_t i;
        const json_t *v;
        json_array_foreach(b, i, v) {
            snprintf(sub, sizeof sub, "%s/%zu", where, i);
            same_shape(json_array_get(a, i < json_array_size(a) ? i : 0), v, sub);
        }
    }
}

static void same_advisory(const struct vg_advisory *x, const struct vg_advisory *y)
{
#define SAME_STR(f)                                                                                \
    do {                                                                                           \
        if (!((x->f == NULL && y->f == NULL) || (x->f && y->f && strcmp(x->f, y->f) == 0)))        \
            fail_msg(#f ": '%s' then '%s'", x->f ? x->f : "(null)", y->f ? y->f : "(null)");       \
    } while (0)
    SAME_STR(ref);
    SAME_STR(title);
    SAME_STR(summary);
    SAME_STR(solution);
    SAME_STR(affected_content);
    SAME_STR(closed_at);
    SAME_STR(source);
    SAME_STR(source_url);
    SAME_STR(lang);
    SAME_STR(created_at);
    SAME_STR(updated_at);
    assert_int_equal(x->kind, y->kind);
    assert_int_equal(x->status, y->status);
    assert_int_equal(x->version, y->version);
    assert_int_equal(x->nrisks, y->nrisks);
    for (size_t i = 0; i < x->nrisks; i++) {
        SAME_STR(risks[i].text);
        assert_int_equal(x->risks[i].kind, y->risks[i].kind);
    }
    assert_int_equal(x->nsystems, y->nsystems);
    for (size_t i = 0; i < x->nsystems; i++) {
        SAME_STR(systems[i].vendor);
        SAME_STR(systems[i].product);
        SAME_STR(systems[i].versions);
        assert_int_equal(x->systems[i].scada, y->systems[i].scada);
    }
    assert_int_equal(x->ncves, y->ncves);
    for (size_t i = 0; i < x->ncves; i++)
        SAME_STR(cves[i].id);
    assert_int_equal(x->nlinks, y->nlinks);
    for (size_t i = 0; i < x->nlinks; i++) {
        SAME_STR(links[i].title);
        SAME_STR(links[i].url);
        SAME_STR(links[i].published_at);
        assert_int_equal(x->links[i].vendor, y->links[i].vendor);
    }
    assert_int_equal(x->nrevisions, y->nrevisions);
    for (size_t i = 0; i < x->nrevisions; i++) {
        SAME_STR(revisions[i].date);
        SAME_STR(revisions[i].description);
        assert_int_equal(x->revisions[i].version, y->revisions[i].version);
    }
#undef SAME_STR
}

/* Reads path, checks what it holds; returns the number of files read. */
static void certfr_one(const char *path, const char *name)
{
    json_error_t err;
    json_t *orig = json_load_file(path, 0, &err);
    if (!orig)
        fail_msg("%s: %s", path, err.text);
    struct vg_advisory a;
    struct vg_diag d;
    int rc = vg_certfr_read(orig, &a, &d);
    if (rc)
        fail_msg("%s: %d at %s: %s", path, rc, d.field, d.message);
    /* what was read */
    assert_string_equal(a.ref, json_string_value(json_object_get(orig, "reference")));
    assert_string_equal(a.title, json_string_value(json_object_get(orig, "title")));
    assert_string_equal(a.source, "CERT-FR");
    assert_int_equal(a.kind, VG_ADV_AVIS);
    assert_int_equal(a.status, VG_ADV_PUBLISHED);
    assert_int_equal(a.ncves, json_array_size(json_object_get(orig, "cves")));
    assert_int_equal(a.nsystems, json_array_size(json_object_get(orig, "affected_systems")));
    assert_int_equal(a.nrisks, json_array_size(json_object_get(orig, "risks")));
    assert_int_equal(a.nlinks, json_array_size(json_object_get(orig, "links")) +
                                   json_array_size(json_object_get(orig, "vendor_advisories")));
    assert_int_equal(a.nrevisions, json_array_size(json_object_get(orig, "revisions")));
    assert_int_equal(a.version, (int)a.nrevisions);
    for (size_t i = 0; i < a.nrevisions; i++) {
        assert_int_equal(a.revisions[i].version, (int)i + 1);
        const char *cf = sget(json_object_get(orig, "revisions"), "0/revision_date");
        (void)cf;
        assert_int_equal(strlen(a.revisions[i].date), 20); /* YYYY-MM-DDTHH:MM:SSZ */
        assert_int_equal(a.revisions[i].date[19], 'Z');
    }
    assert_string_equal(a.created_at, a.revisions[0].date);
    /* written back: the same keys and types, the same values where vigie keeps them */
    json_t *back = certfr_ok(&a);
    same_shape(orig, back, name);
    same_shape(back, orig, name);
    const char *equal[] = {"$ref",
                           "reference",
                           "title",
                           "summary",
                           "risks",
                           "cves",
                           "links",
                           "revisions",
                           "vendor_advisories",
                           "affected_systems",
                           "affected_systems_content"};
    for (size_t i = 0; i < sizeof equal / sizeof equal[0]; i++)
        if (!json_equal(json_object_get(orig, equal[i]), json_object_get(back, equal[i]))) {
            char *x = json_dumps(json_object_get(back, equal[i]), JSON_ENCODE_ANY);
            fail_msg("%s: %s differs: %s", name, equal[i], x);
        }
    /* content: the same solution, under CERT-FR's newer heading "## Solutions" */
    const char *oc = sget(orig, "content"), *bc = sget(back, "content");
    const char *os = strstr(oc, "\n\n"), *bs = strstr(bc, "\n\n");
    assert_non_null(os);
    assert_non_null(bs);
    assert_string_equal(os, bs);
    assert_int_equal(strncmp(bc, "## Solutions\n\n", 14), 0);
    /* and read again: the same advisory */
    struct vg_advisory again;
    rc = vg_certfr_read(back, &again, &d);
    if (rc)
        fail_msg("%s written back: %d at %s: %s", name, rc, d.field, d.message);
    same_advisory(&a, &again);
    json_decref(back);
    json_decref(orig);
    vg_advisory_free(&again);
    vg_advisory_free(&a);
}

static size_t certfr_dir(const char *dirname, bool need)
{
    DIR *dir = opendir(dirname);
    if (!dir) {
        if (need)
            skip();
        return 0;
    }
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (strncmp(de->d_name, "CERTFR-", 7) != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dirname, de->d_name);
        certfr_one(path, de->d_name);
        n++;
    }
    closedir(dir);
    return n;
}

static void certfr_corpus(void **state)
{
    (void)state;
    assert_int_equal(certfr_dir("tests/data/certfr", false), 2);
    const char *base = getenv("VIGIE_CORPUS");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/certfr", base && *base ? base : "../shared/corpus");
    assert_int_equal(certfr_dir(dir, true), 8);
}

static json_t *load_corpus(const char *name)
{
    const char *base = getenv("VIGIE_CORPUS");
    char path[512];
    snprintf(path, sizeof path, "%s/certfr/%s", base && *base ? base : "../shared/corpus", name);
    json_t *j = json_load_file(path, 0, NULL);
    if (!j)
        skip();
    return j;
}

/* What the corpus's particular files hold, read. */
static void certfr_read_values(void **state)
{
    (void)state;
    struct vg_advisory a;
    struct vg_diag d;
    json_t *j = load_corpus("CERTFR-2023-AVI-0191.json"); /* three revisions */
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_int_equal(a.nrevisions, 3);
    assert_string_equal(a.revisions[0].date, "2023-03-03T00:00:00Z");
    assert_string_equal(a.revisions[2].date, "2023-03-07T00:00:00Z");
    assert_string_equal(a.revisions[1].description, "Correction erreur sur les versions 3.6.x");
    assert_int_equal(a.version, 3);
    assert_string_equal(a.updated_at, "2023-03-07T00:00:00Z");
    assert_string_equal(a.systems[0].product, "Wireshark");
    assert_string_equal(a.systems[0].versions, "4.0.x antérieures à 4.0.4");
    assert_int_equal(a.risks[0].kind, VG_RISK_DOS);
    assert_string_equal(a.solution, "Se référer au bulletin de sécurité de l'éditeur pour "
                                    "l'obtention des\ncorrectifs (cf. section Documentation).\n");
    assert_null(a.affected_content);
    assert_null(a.links[0].published_at);
    assert_true(a.links[0].vendor);
    assert_string_equal(a.source_url, "https://www.cert.ssi.gouv.fr/avis/CERTFR-2023-AVI-0191/");
    assert_string_equal(a.lang, "fr");
    assert_int_equal(a.tlp, VG_TLP_CLEAR);
    vg_advisory_free(&a);
    json_decref(j);
    j = load_corpus("CERTFR-2023-AVI-0297.json"); /* SCADA, "N/A" products */
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_true(a.systems[0].scada);
    assert_string_equal(a.systems[0].product, "N/A");
    assert_string_equal(a.systems[0].vendor, "Schneider Electric");
    assert_string_equal(a.systems[0].versions,
                        "Modicon M580 NOC Control (BMENOC0321) versions antérieures à 1.8");
    vg_advisory_free(&a);
    json_decref(j);
    j = load_corpus("CERTFR-2024-AVI-0439.json"); /* 101 CVEs, dated vendor advisories */
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_int_equal(a.ncves, 101);
    assert_string_equal(a.links[0].published_at, "2024-05-20");
    assert_string_equal(a.systems[0].versions, "Ubuntu 16.04 ESM");
    assert_int_equal(a.risks[1].kind, VG_RISK_RCE);
    assert_int_equal(a.risks[2].kind, VG_RISK_OTHER);
    vg_advisory_free(&a);
    json_decref(j);
    j = load_corpus("CERTFR-2023-AVI-0198.json"); /* HTML fragment, no system */
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_int_equal(a.nsystems, 0);
    assert_non_null(strstr(a.affected_content,
                           "<li>IBM WebSphere Remote Server versions 8.5</li>"));
    assert_int_equal(a.risks[1].kind, VG_RISK_BYPASS);
    vg_advisory_free(&a);
    json_decref(j);
    j = load_corpus("CERTFR-2023-AVI-0620.json"); /* no CVE */
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_int_equal(a.ncves, 0);
    vg_advisory_free(&a);
    json_decref(j);
}

/* An alert read: its kind from the reference, its closing date converted to UTC; an avis's
 * closed_at is not kept (only alerts close). */
static void certfr_read_alert(void **state)
{
    (void)state;
    const char *text =
        "{\"reference\":\"CERTFR-2024-ALE-005\",\"title\":\"Vulnérabilité dans Ivanti\","
        "\"summary\":\"\",\"content\":\"## Solution\\n\\n\",\"closed_at\":"
        "\"2024-03-01T10:00:00+01:00\",\"revisions\":[{\"description\":\"Version initiale\","
        "\"revision_date\":\"2024-01-10T00:00:00.000000\"},{\"description\":\"Clôture\","
        "\"revision_date\":\"2024-03-01T09:00:00Z\"}]}";
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    struct vg_advisory a;
    struct vg_diag d;
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_int_equal(a.kind, VG_ADV_ALERTE);
    assert_string_equal(a.closed_at, "2024-03-01T09:00:00Z");
    assert_string_equal(a.revisions[1].date, "2024-03-01T09:00:00Z");
    assert_string_equal(a.source_url, "https://www.cert.ssi.gouv.fr/alerte/CERTFR-2024-ALE-005/");
    assert_null(a.summary);  /* "" */
    assert_null(a.solution); /* a heading and nothing under it */
    assert_int_equal(a.nsystems + a.ncves + a.nlinks + a.nrisks, 0);
    json_t *back = certfr_ok(&a);
    assert_string_equal(sget(back, "closed_at"), "2024-03-01T09:00:00.000000");
    assert_string_equal(sget(back, "content"), "");
    json_decref(back);
    vg_advisory_free(&a);
    /* an avis: closed_at is read (and checked) but not kept; another prefix is the source */
    json_object_set_new(j, "reference", json_string("CERTEU-2024-AVI-0012"));
    assert_int_equal(vg_certfr_read(j, &a, &d), 0);
    assert_int_equal(a.kind, VG_ADV_AVIS);
    assert_null(a.closed_at);
    assert_string_equal(a.source, "CERTEU");
    assert_null(a.source_url);
    assert_null(a.lang);
    vg_advisory_free(&a);
    json_decref(j);
}

/* The broken samples, each rejected at its pointer with nothing filled. */
static void certfr_broken(void **state)
{
    (void)state;
    static const struct {
        const char *file, *pointer;
    } cases[] = {
        {"bad-not-object.json", ""},
        {"bad-no-reference.json", "/reference"},
        {"bad-reference-path.json", "/reference"},
        {"bad-title-type.json", "/title"},
        {"bad-title-empty.json", "/title"},
        {"bad-summary-type.json", "/summary"},
        {"bad-risk-item.json", "/risks/0"},
        {"bad-scada.json", "/affected_systems/1/product/vendor/scada"},
        {"bad-product-name.json", "/affected_systems/0/product/name"},
        {"bad-vendor.json", "/affected_systems/0/product/vendor"},
        {"bad-cve.json", "/cves/0/name"},
        {"bad-url.json", "/vendor_advisories/0/url"},
        {"bad-link-title.json", "/links/0/title"},
        {"bad-date.json", "/revisions/0/revision_date"},
        {"bad-no-revision.json", "/revisions"},
        {"bad-published-at.json", "/vendor_advisories/0/published_at"},
        {"bad-links-type.json", "/links"},
        {"bad-closed-at.json", "/closed_at"},
        {"bad-nul.json", "/title"},
        {"bad-url-bracket.json", "/vendor_advisories/0/url"},
        {"bad-url-userinfo.json", "/links/0/url"},
    };
    size_t seen = 0;
    DIR *dir = opendir("tests/data/certfr");
    assert_non_null(dir);
    struct dirent *de;
    while ((de = readdir(dir)))
        seen += strncmp(de->d_name, "bad-", 4) == 0;
    closedir(dir);
    assert_int_equal(seen, sizeof cases / sizeof cases[0]); /* every sample has its case */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/data/certfr/%s", cases[i].file);
        json_error_t err;
        json_t *j = json_load_file(path, JSON_ALLOW_NUL, &err);
        if (!j)
            fail_msg("%s: %s", path, err.text);
        struct vg_advisory a;
        memset(&a, 0x5a, sizeof a);
        struct vg_diag d;
        int rc = vg_certfr_read(j, &a, &d);
        if (rc != VG_EINVAL || strcmp(d.field, cases[i].pointer) != 0)
            fail_msg("%s: rc %d at '%s' (%s), want '%s'", cases[i].file, rc, d.field, d.message,
                     cases[i].pointer);
        assert_true(d.message[0] != '\0');
        assert_null(a.ref); /* nothing filled */
        assert_int_equal(a.ncves + a.nsystems + a.nrevisions, 0);
        json_decref(j);
    }
    /* over the list limit */
    json_t *j = json_load_file("tests/data/certfr/CERTFR-2025-AVI-0823.json", 0, NULL);
    json_t *cves = json_array();
    for (int i = 0; i < 1001; i++)
        json_array_append_new(cves, json_pack("{s:s}", "name", "CVE-2024-1234"));
    json_object_set_new(j, "cves", cves);
    struct vg_advisory a;
    struct vg_diag d;
    assert_int_equal(vg_certfr_read(j, &a, &d), VG_EINVAL);
    assert_string_equal(d.field, "/cves");
    json_array_remove(cves, 0);
    assert_int_equal(vg_certfr_read(j, &a, &d), 0); /* 1000: the limit itself */
    assert_int_equal(a.ncves, 1000);
    vg_advisory_free(&a);
    json_decref(j);
}

static void certfr_alloc_failures(void **state)
{
    (void)state;
    json_t *j = load_corpus("CERTFR-2023-AVI-0191.json");
    int ok = 0;
    for (long n = 1; n < 5000 && !ok; n++) {
        struct vg_advisory a;
        struct vg_diag d;
        vg_mem_fail_after(n);
        int rc = vg_certfr_read(j, &a, &d);
        json_t *back = NULL;
        if (rc == 0)
            rc = vg_certfr_document(&a, &site, &back, &d);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        assert_true(rc == 0 || rc == VG_ENOMEM);
        ok = rc == 0 && failed == 0;
        json_decref(back);
        vg_advisory_free(&a);
    }
    assert_true(ok);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csaf_avis),
        cmocka_unit_test(csaf_deterministic),
        cmocka_unit_test(csaf_kinds),
        cmocka_unit_test(csaf_alert),
        cmocka_unit_test(csaf_no_cve),
        cmocka_unit_test(csaf_duplicate_cve),
        cmocka_unit_test(csaf_tlp),
        cmocka_unit_test(csaf_scores),
        cmocka_unit_test(csaf_versions),
        cmocka_unit_test(csaf_errors),
        cmocka_unit_test(csaf_alloc_failures),
        cmocka_unit_test(link_urls),
        cmocka_unit_test(certfr_write),
        cmocka_unit_test(certfr_list),
        cmocka_unit_test(certfr_corpus),
        cmocka_unit_test(certfr_read_values),
        cmocka_unit_test(certfr_read_alert),
        cmocka_unit_test(certfr_broken),
        cmocka_unit_test(certfr_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
