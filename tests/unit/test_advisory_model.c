/* Unit tests of the API form of an advisory (advisory/model.h): every field's check with the
 * exact JSON pointer of its error, the limits at their boundary, create against patch, the
 * normalised output, and the reading of a record into struct vg_advisory, with no trace of what
 * is internal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/model.h"
#include "util/limits.h"
#include "util/mem.h"

/* Checks body (JSON text with ' for ") and returns the code; d filled. */
static int check(const char *text, bool patch, json_t **out, struct vg_diag *d)
{
    char *s = vg_strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *in = json_loads(s, 0, &e);
    if (!in)
        fail_msg("bad test JSON: %s: %s", text, e.text);
    free(s);
    vg_diag_clear(d);
    *out = NULL;
    int rc = vg_advisory_check(in, patch, out, d);
    json_decref(in);
    return rc;
}

struct bad {
    const char *body;
    bool patch;
    int rc;
    const char *field;
};

static void errors_name_their_pointer(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"{'title':'t'}", false, VG_EINVAL, "/kind"},
        {"{'kind':'avis'}", false, VG_EINVAL, "/title"},
        {"{'kind':'bulletin','title':'t'}", false, VG_EINVAL, "/kind"},
        {"{'kind':7,'title':'t'}", false, VG_EINVAL, "/kind"},
        {"{'kind':'avis','title':''}", false, VG_EINVAL, "/title"},
        {"{'kind':'avis','title':'a\\nb'}", false, VG_EINVAL, "/title"},
        {"{'kind':'avis','title':'t','tlp':'WHITE2'}", false, VG_EINVAL, "/tlp"},
        {"{'kind':'avis','title':'t','lang':'de'}", false, VG_EINVAL, "/lang"},
        {"{'kind':'avis','title':'t','risks':'other'}", false, VG_EINVAL, "/risks"},
        {"{'kind':'avis','title':'t','risks':['other','rce']}", false, VG_EINVAL, "/risks/1"},
        {"{'kind':'avis','title':'t','risks':['other','other']}", false, VG_EINVAL, "/risks/1"},
        {"{'kind':'avis','title':'t','affected_systems':[{}]}", false, VG_EINVAL,
         "/affected_systems/0/vendor"},
        {"{'kind':'avis','title':'t','affected_systems':[1]}", false, VG_EINVAL,
         "/affected_systems/0"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p'}]}", false,
         VG_EINVAL, "/affected_systems/0/versions"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','x':1}]}",
         false, VG_EINVAL, "/affected_systems/0/x"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1'},{'vendor':'v','product':'p','versions':'1'},{'vendor':'v',"
         "'product':'p','versions':'1','cpe':'cpe:2.3:a:v:p'}]}",
         false, VG_EINVAL, "/affected_systems/2/cpe"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','cpe':'cpe:/a:v:p:1'}]}",
         false, VG_EINVAL, "/affected_systems/0/cpe"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','cpe':'cpe:2.3:x:v:p:1:*:*:*:*:*:*:*'}]}",
         false, VG_EINVAL, "/affected_systems/0/cpe"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','cpe':'cpe:2.3:a:v:p q:1:*:*:*:*:*:*:*'}]}",
         false, VG_EINVAL, "/affected_systems/0/cpe"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','cpe':'cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:*'}]}",
         false, VG_EINVAL, "/affected_systems/0/cpe"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','scada':'yes'}]}",
         false, VG_EINVAL, "/affected_systems/0/scada"},
        {"{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
         "'versions':'1','fixed':''}]}",
         false, VG_EINVAL, "/affected_systems/0/fixed"},
        {"{'kind':'avis','title':'t','cves':['CVE-2024-123']}", false, VG_EINVAL, "/cves/0"},
        {"{'kind':'avis','title':'t','cves':['CVE-24-1234']}", false, VG_EINVAL, "/cves/0"},
        {"{'kind':'avis','title':'t','cves':['CVE-2024-1234 ']}", false, VG_EINVAL, "/cves/0"},
        {"{'kind':'avis','title':'t','cves':['CVE-2024-1234','cve-2024-1234']}", false, VG_EINVAL,
         "/cves/1"},
        {"{'kind':'avis','title':'t','cves':[{'cvss':5}]}", false, VG_EINVAL, "/cves/0/id"},
        {"{'kind':'avis','title':'t','cves':[{'id':'CVE-2024-1234','cvss':10.5}]}", false,
         VG_EINVAL, "/cves/0/cvss"},
        {"{'kind':'avis','title':'t','cves':[{'id':'CVE-2024-1234','kev':1}]}", false, VG_EINVAL,
         "/cves/0/kev"},
        {"{'kind':'avis','title':'t','cves':[{'id':'CVE-2024-1234','epss':1}]}", false, VG_EINVAL,
         "/cves/0/epss"},
        {"{'kind':'avis','title':'t','summary':7}", false, VG_EINVAL, "/summary"},
        {"{'kind':'avis','title':'t','solution':'a\\u0001b'}", false, VG_EINVAL, "/solution"},
        {"{'kind':'avis','title':'t','references':['ftp://x.example/']}", false, VG_EINVAL,
         "/references/0"},
        {"{'kind':'avis','title':'t','references':['https://a.example/','javascript:alert(1)']}",
         false, VG_EINVAL, "/references/1"},
        {"{'kind':'avis','title':'t','references':['https:///path']}", false, VG_EINVAL,
         "/references/0"},
        {"{'kind':'avis','title':'t','references':['https://a.example/a b']}", false, VG_EINVAL,
         "/references/0"},
        {"{'kind':'avis','title':'t','references':[{'title':'x'}]}", false, VG_EINVAL,
         "/references/0/url"},
        {"{'kind':'avis','title':'t','references':[{'url':'https://a.example/','vendor':'y'}]}",
         false, VG_EINVAL, "/references/0/vendor"},
        {"{'kind':'avis','title':'t','references':[{'url':'https://a.example/',"
         "'published_at':'yesterday'}]}",
         false, VG_EINVAL, "/references/0/published_at"},
        {"{'kind':'avis','title':'t','references':[{'url':'https://a.example/','x':1}]}", false,
         VG_EINVAL, "/references/0/x"},
        {"{'kind':'avis','title':'t','closed_at':'2026-01-01T00:00:00Z'}", false, VG_EINVAL,
         "/closed_at"},
        {"{'closed_at':null}", true, VG_EINVAL, "/closed_at"},
        {"{'status':'published'}", true, VG_EINVAL, "/status"},
        {"{'version':3}", true, VG_EINVAL, "/version"},
        {"{'ref':'VIGIE-2026-AVI-0001'}", true, VG_EINVAL, "/ref"},
        {"{'internal':{}}", true, VG_EINVAL, "/internal"},
        {"{'colour':'red'}", true, VG_EINVAL, "/colour"},
        {"{'title':null}", true, VG_EINVAL, "/title"},
        {"{'kind':'nope'}", true, VG_EINVAL, "/kind"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *out;
        struct vg_diag d;
        int rc = check(cases[i].body, cases[i].patch, &out, &d);
        if (rc != cases[i].rc || strcmp(d.field, cases[i].field) != 0)
            fail_msg("%s: rc %d field '%s' (%s), expected %d '%s'", cases[i].body, rc, d.field,
                     d.message, cases[i].rc, cases[i].field);
        assert_null(out);
    }
    /* the message names the pointer and, for closed_at, the route that sets it */
    json_t *out;
    struct vg_diag d;
    check("{'closed_at':'x'}", true, &out, &d);
    assert_non_null(strstr(d.message, "/close"));
    check("{'kind':'avis','title':'t','affected_systems':[{'vendor':'v','product':'p',"
          "'versions':'1','cpe':'cpe:2.3:a'}]}",
          false, &out, &d);
    assert_non_null(strstr(d.message, "/affected_systems/0/cpe"));
    assert_non_null(strstr(d.message, "CPE 2.3"));
}

/* A body of n bytes of 'x' at key, in a create. */
static int sized(const char *key, size_t n, struct vg_diag *d)
{
    char *s = vg_malloc(n + 1);
    memset(s, 'x', n);
    s[n] = '\0';
    json_t *in = json_pack("{s:s,s:s}", "kind", "avis", "title", "t"), *out = NULL;
    json_object_set_new(in, key, json_string(s));
    free(s);
    vg_diag_clear(d);
    int rc = vg_advisory_check(in, false, &out, d);
    json_decref(in);
    json_decref(out);
    return rc;
}

static void limits_at_the_boundary(void **state)
{
    (void)state;
    struct vg_diag d;
    assert_int_equal(sized("title", VG_ADV_MAX_TITLE, &d), 0);
    assert_int_equal(sized("title", VG_ADV_MAX_TITLE + 1, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "/title");
    assert_int_equal(sized("summary", VG_ADV_MAX_TEXT, &d), 0);
    assert_int_equal(sized("summary", VG_ADV_MAX_TEXT + 1, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "/summary");
    assert_int_equal(sized("solution", VG_ADV_MAX_TEXT + 1, &d), VG_ETOOBIG);
    assert_string_equal(d.field, "/solution");
    /* a URL of VG_ADV_MAX_URL bytes passes, one more is too big */
    for (size_t n = VG_ADV_MAX_URL; n <= VG_ADV_MAX_URL + 1; n++) {
        char *url = vg_malloc(n + 1);
        memset(url, 'a', n);
        memcpy(url, "https://a.example/", 18);
        url[n] = '\0';
        json_t *in = json_pack("{s:s,s:s,s:[s]}", "kind", "avis", "title", "t", "references", url),
               *out = NULL;
        free(url);
        int rc = vg_advisory_check(in, false, &out, &d);
        assert_int_equal(rc, n == VG_ADV_MAX_URL ? 0 : VG_ETOOBIG);
        if (rc)
            assert_string_equal(d.field, "/references/0");
        json_decref(in);
        json_decref(out);
    }
    /* VG_MAX_LIST items pass, one more is too big */
    for (size_t n = VG_MAX_LIST; n <= VG_MAX_LIST + 1; n++) {
        json_t *in = json_pack("{s:s,s:s}", "kind", "avis", "title", "t"), *arr = json_array(),
               *out = NULL;
        for (size_t i = 0; i < n; i++) {
            char id[32];
            snprintf(id, sizeof id, "CVE-2024-%05zu", i + 1);
            json_array_append_new(arr, json_string(id));
        }
        json_object_set_new(in, "cves", arr);
        int rc = vg_advisory_check(in, false, &out, &d);
        assert_int_equal(rc, n == VG_MAX_LIST ? 0 : VG_ETOOBIG);
        if (rc)
            assert_string_equal(d.field, "/cves");
        json_decref(in);
        json_decref(out);
    }
    /* names: VG_MAX_NAME bytes */
    char vendor[VG_MAX_NAME + 2];
    memset(vendor, 'v', sizeof vendor - 1);
    vendor[sizeof vendor - 1] = '\0';
    for (int extra = 0; extra <= 1; extra++) {
        vendor[VG_MAX_NAME + extra] = '\0';
        json_t *in =
                   json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "kind", "avis", "title", "t",
                             "affected_systems", "vendor", vendor, "product", "p", "versions", "1"),
               *out = NULL;
        int rc = vg_advisory_check(in, false, &out, &d);
        assert_int_equal(rc, extra ? VG_ETOOBIG : 0);
        if (rc)
            assert_string_equal(d.field, "/affected_systems/0/vendor");
        json_decref(in);
        json_decref(out);
        vendor[VG_MAX_NAME + extra] = 'v';
    }
}

static void create_and_patch(void **state)
{
    (void)state;
    json_t *out;
    struct vg_diag d;
    /* a create gets tlp CLEAR; kind and title are enough */
    assert_int_equal(check("{'kind':'alerte','title':'t'}", false, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "tlp")), "CLEAR");
    assert_int_equal(json_object_size(out), 3);
    json_decref(out);
    /* a patch keeps only what it gives: no tlp added, no kind required */
    assert_int_equal(check("{'summary':'s'}", true, &out, &d), 0);
    assert_int_equal(json_object_size(out), 1);
    assert_null(json_object_get(out, "tlp"));
    json_decref(out);
    assert_int_equal(check("{}", true, &out, &d), 0);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    /* normal forms: CVE ids upper case, references objects, TLP canonical (WHITE is CLEAR) */
    assert_int_equal(check("{'kind':'avis','title':'t','tlp':'amber+strict','lang':'fr',"
                           "'cves':['cve-2024-3094',{'id':'cve-2021-44228','cvss':10,'kev':true,"
                           "'cvss_vector':'CVSS:3.1/AV:N'}],"
                           "'references':['HTTPS://a.example/x',{'url':'http://b.example',"
                           "'title':'B','vendor':true,'published_at':'2026-01-02'}],"
                           "'risks':['remote code execution','other'],"
                           "'affected_systems':[{'vendor':'Apache','product':'HTTP Server',"
                           "'versions':'< 2.4.58','fixed':'2.4.58','scada':false,"
                           "'cpe':'cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*'}],"
                           "'summary':'# T\\n\\nline','solution':'Mettre à jour.'}",
                           false, &out, &d),
                     0);
    assert_string_equal(json_string_value(json_object_get(out, "tlp")), "AMBER+STRICT");
    json_t *cves = json_object_get(out, "cves");
    assert_string_equal(json_string_value(json_array_get(cves, 0)), "CVE-2024-3094");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cves, 1), "id")),
                        "CVE-2021-44228");
    json_t *refs = json_object_get(out, "references");
    assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "url")),
                        "HTTPS://a.example/x");
    assert_true(json_is_true(json_object_get(json_array_get(refs, 1), "vendor")));
    json_decref(out);
    assert_int_equal(check("{'tlp':'WHITE'}", true, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "tlp")), "CLEAR");
    json_decref(out);
    /* CPE shapes: quoted characters, wildcards, the part */
    assert_true(vg_advisory_cpe_ok("cpe:2.3:o:microsoft:windows_10:1607:*:*:*:*:*:x64:*"));
    assert_true(vg_advisory_cpe_ok("cpe:2.3:a:acme:a\\:b:1.0\\!:-:*:*:*:*:*:*"));
    assert_true(vg_advisory_cpe_ok("cpe:2.3:h:*:*:*:*:*:*:*:*:*:*"));
    assert_false(vg_advisory_cpe_ok("cpe:2.3:a:acme::1.0:*:*:*:*:*:*:*"));
    assert_false(vg_advisory_cpe_ok("cpe:2.3:a:acme:x:1.0:*:*:*:*:*:*:"));
    assert_false(vg_advisory_cpe_ok("cpe:2.3:ab:acme:x:1.0:*:*:*:*:*:*:*"));
    assert_false(vg_advisory_cpe_ok("cpe:2.3:a:acme:x:1.0:*:*:*:*:*:*:*\\"));
    assert_false(vg_advisory_cpe_ok("CPE:2.3:a:acme:x:1.0:*:*:*:*:*:*:*"));
    /* CVE ids: four digits of year, four or more of number */
    assert_true(vg_advisory_cve_ok("CVE-2024-1234"));
    assert_true(vg_advisory_cve_ok("cve-2024-1234567"));
    assert_false(vg_advisory_cve_ok("CVE-2024-123"));
    assert_false(vg_advisory_cve_ok("CVE-20245-1234"));
    assert_false(vg_advisory_cve_ok("CVE-2024-12a4"));
}

static void from_json_reads_exactly(void **state)
{
    (void)state;
    json_error_t e;
    json_t *rec = json_loads(
        "{\"ref\":\"VIGIE-2026-ALE-0002\",\"kind\":\"alerte\",\"status\":\"published\","
        "\"version\":2,\"tlp\":\"GREEN\",\"lang\":\"fr\",\"title\":\"T\",\"summary\":\"S\","
        "\"solution\":\"So\",\"risks\":[\"denial of service\",\"other\"],"
        "\"affected_systems\":[{\"vendor\":\"V\",\"product\":\"P\",\"versions\":\"< 2\","
        "\"fixed\":\"2\",\"cpe\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\",\"scada\":true}],"
        "\"cves\":[\"CVE-2024-0001\",{\"id\":\"CVE-2024-0002\",\"cvss\":9.8,"
        "\"cvss_vector\":\"CVSS:3.1/AV:N\",\"kev\":true}],"
        "\"references\":[{\"url\":\"https://v.example/a\",\"title\":\"VA\",\"vendor\":true,"
        "\"published_at\":\"2026-01-01\"},{\"url\":\"https://l.example/\"}],"
        "\"revisions\":[{\"version\":1,\"date\":\"2026-01-02T00:00:00Z\",\"description\":"
        "\"Version initiale\",\"publisher\":\"bob\"},{\"version\":2,\"date\":"
        "\"2026-01-03T00:00:00Z\",\"description\":\"Clôture de l'alerte\"}],"
        "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-03T00:00:00Z\","
        "\"closed_at\":\"2026-01-03T00:00:00Z\","
        "\"authors\":[\"Mallory-Secret-Author\"],"
        "\"draft\":{\"title\":\"Draft-Secret-Title\"},"
        "\"internal\":{\"constituents\":[{\"org\":7,\"name\":\"Ministry-Secret-Name\","
        "\"findings\":[{\"cve\":\"CVE-2024-0001\",\"assets\":[\"cpe:2.3:a:v:p:1:*:*:*:*:*:*:*\"]}]}]}"
        "}",
        0, &e);
    assert_non_null(rec);
    struct vg_advisory a;
    struct vg_diag d;
    assert_int_equal(vg_advisory_from_json(rec, &a, &d), 0);
    assert_string_equal(a.ref, "VIGIE-2026-ALE-0002");
    assert_int_equal(a.kind, VG_ADV_ALERTE);
    assert_int_equal(a.status, VG_ADV_PUBLISHED);
    assert_int_equal(a.version, 2);
    assert_int_equal(a.tlp, VG_TLP_GREEN);
    assert_string_equal(a.lang, "fr");
    assert_string_equal(a.title, "T");
    assert_string_equal(a.summary, "S");
    assert_string_equal(a.solution, "So");
    assert_null(a.affected_content);
    assert_int_equal(a.nrisks, 2);
    assert_int_equal(a.risks[0].kind, VG_RISK_DOS);
    assert_int_equal(a.risks[1].kind, VG_RISK_OTHER);
    assert_null(a.risks[0].text);
    assert_int_equal(a.nsystems, 1);
    assert_string_equal(a.systems[0].vendor, "V");
    assert_string_equal(a.systems[0].product, "P");
    assert_string_equal(a.systems[0].versions, "< 2");
    assert_string_equal(a.systems[0].fixed, "2");
    assert_string_equal(a.systems[0].cpe, "cpe:2.3:a:v:p:*:*:*:*:*:*:*:*");
    assert_true(a.systems[0].scada);
    assert_int_equal(a.ncves, 2);
    assert_string_equal(a.cves[0].id, "CVE-2024-0001");
    assert_true(a.cves[0].cvss < 0);
    assert_null(a.cves[0].cvss_vector);
    assert_false(a.cves[0].kev);
    assert_string_equal(a.cves[1].id, "CVE-2024-0002");
    assert_true(a.cves[1].cvss > 9.79 && a.cves[1].cvss < 9.81);
    assert_string_equal(a.cves[1].cvss_vector, "CVSS:3.1/AV:N");
    assert_true(a.cves[1].kev);
    assert_int_equal(a.nlinks, 2);
    assert_string_equal(a.links[0].url, "https://v.example/a");
    assert_string_equal(a.links[0].title, "VA");
    assert_string_equal(a.links[0].published_at, "2026-01-01");
    assert_true(a.links[0].vendor);
    assert_null(a.links[1].title);
    assert_false(a.links[1].vendor);
    assert_int_equal(a.nrevisions, 2);
    assert_int_equal(a.revisions[0].version, 1);
    assert_string_equal(a.revisions[0].date, "2026-01-02T00:00:00Z");
    assert_string_equal(a.revisions[0].description, "Version initiale");
    assert_string_equal(a.revisions[1].description, "Clôture de l'alerte");
    assert_string_equal(a.created_at, "2026-01-01T00:00:00Z");
    assert_string_equal(a.updated_at, "2026-01-03T00:00:00Z");
    assert_string_equal(a.closed_at, "2026-01-03T00:00:00Z");
    assert_null(a.source);
    assert_null(a.source_url);
    /* nothing internal: no string of the struct holds the secret names */
    const char *strings[] = {a.ref,      a.lang,       a.title,      a.summary,
                             a.solution, a.created_at, a.updated_at, a.closed_at};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        assert_null(strstr(strings[i], "Secret"));
    for (size_t i = 0; i < a.nsystems; i++) {
        assert_null(strstr(a.systems[i].vendor, "Secret"));
        assert_null(strstr(a.systems[i].product, "Secret"));
    }
    for (size_t i = 0; i < a.nrevisions; i++)
        assert_null(strstr(a.revisions[i].description, "Secret"));
    vg_advisory_free(&a);
    /* a record without kind, or with an unknown status, risk or tlp, is refused by field */
    static const struct {
        const char *key, *value, *field;
    } bad[] = {{"kind", NULL, "/kind"},
               {"kind", "nope", "/kind"},
               {"status", "gone", "/status"},
               {"tlp", "PURPLE", "/tlp"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *r = json_deep_copy(rec);
        if (bad[i].value)
            json_object_set_new(r, bad[i].key, json_string(bad[i].value));
        else
            json_object_del(r, bad[i].key);
        assert_int_equal(vg_advisory_from_json(r, &a, &d), VG_EINVAL);
        assert_string_equal(d.field, bad[i].field);
        assert_null(a.title);
        json_decref(r);
    }
    json_t *r = json_deep_copy(rec);
    json_object_set_new(r, "risks", json_pack("[s]", "rce"));
    assert_int_equal(vg_advisory_from_json(r, &a, &d), VG_EINVAL);
    assert_string_equal(d.field, "/risks");
    assert_null(a.risks);
    json_decref(r);
    json_decref(rec);
}

/* What vg_advisory_check gives, vg_advisory_from_json reads. */
static void check_then_read(void **state)
{
    (void)state;
    json_t *out;
    struct vg_diag d;
    assert_int_equal(check("{'kind':'guide','title':'G','references':['https://g.example/'],"
                           "'cves':['cve-2020-0001']}",
                           false, &out, &d),
                     0);
    struct vg_advisory a;
    assert_int_equal(vg_advisory_from_json(out, &a, &d), 0);
    assert_int_equal(a.kind, VG_ADV_GUIDE);
    assert_int_equal(a.status, VG_ADV_DRAFT);
    assert_int_equal(a.version, 0);
    assert_int_equal(a.tlp, VG_TLP_CLEAR);
    assert_string_equal(a.links[0].url, "https://g.example/");
    assert_string_equal(a.cves[0].id, "CVE-2020-0001");
    assert_int_equal(a.nrevisions, 0);
    assert_null(a.revisions);
    vg_advisory_free(&a);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errors_name_their_pointer), cmocka_unit_test(limits_at_the_boundary),
        cmocka_unit_test(create_and_patch),          cmocka_unit_test(from_json_reads_exactly),
        cmocka_unit_test(check_then_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
