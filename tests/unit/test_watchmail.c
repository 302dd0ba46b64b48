/* Unit tests of the texts of digests, detection alerts and advisories by mail
 * (notify/watchmail.h): indicator values defanged (and read back by the defanged-form reader),
 * the TLP first in the subject and the text, the language groups, HTML escaping, control
 * characters kept out of subjects, the bound on listed findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "notify/defang.h"
#include "notify/watchmail.h"

static const char *defang(const char *type, const char *value)
{
    static char out[1024];
    struct vg_buf b;
    vg_buf_init(&b, sizeof out - 1);
    vg_watchmail_defang(type, value, &b);
    assert_false(b.failed);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    vg_buf_cleanup(&b);
    return out;
}

static void defang_forms(void **state)
{
    (void)state;
    assert_string_equal(defang("ipv4-addr", "198.51.100.7"), "198.51.100[.]7");
    assert_string_equal(defang("ipv4-addr", "203.0.113.0/24"), "203.0.113[.]0/24");
    assert_string_equal(defang("domain-name", "www.evil.example"), "www[.]evil[.]example");
    assert_string_equal(defang("url", "http://evil.example/a.php?x=1.2"),
                        "hxxp://evil[.]example/a.php?x=1.2");
    assert_string_equal(defang("url", "HTTPS://evil.example"), "hxxps://evil[.]example");
    assert_string_equal(defang("url", "ftp://files.example/x"), "ftp[://]files[.]example/x");
    assert_string_equal(defang("url", "evil.example/p"), "evil[.]example/p");
    assert_string_equal(defang("email-addr", "phish@lure.example"), "phish[@]lure[.]example");
    /* what is not linkified stays as it is */
    assert_string_equal(defang("sha256", "ab12"), "ab12");
    assert_string_equal(defang("ipv6-addr", "2001:db8::1"), "2001:db8::1");
    assert_string_equal(defang("ipv4-addr", "nodots"), "nodots");
    assert_string_equal(defang("email-addr", "no.at.sign"), "no[.]at[.]sign");
    /* control characters never reach a mail */
    assert_string_equal(defang("domain-name", "a\r\nb.example"), "ab[.]example");
    assert_string_equal(defang(NULL, NULL), "");
}

/* The defanged forms written are those the reader takes back (notify/defang.h). */
static void defang_reads_back(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"ipv4-addr", "198.51.100.7"},        {"domain-name", "www.evil.example"},
        {"url", "http://evil.example/a"},     {"url", "https://evil.example/login"},
        {"email-addr", "phish@lure.example"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *d = defang(cases[i][0], cases[i][1]);
        assert_null(strstr(d, cases[i][1])); /* no longer the clickable value */
        struct vg_defang_list l;
        assert_int_equal(vg_defang_extract(vg_str_c(d), 0, &l), 0);
        assert_int_equal(l.n, 1);
        assert_string_equal(vg_obs_type_name(l.items[0].type), cases[i][0]);
        assert_string_equal(l.items[0].value, cases[i][1]);
        assert_true(l.items[0].defanged);
        vg_defang_list_cleanup(&l);
    }
}

struct out {
    struct vg_buf subject, text, html;
};

static void out_init(struct out *o)
{
    vg_buf_init(&o->subject, 4096);
    vg_buf_init(&o->text, 1 << 20);
    vg_buf_init(&o->html, 1 << 20);
}

static void out_cleanup(struct out *o)
{
    vg_buf_cleanup(&o->subject);
    vg_buf_cleanup(&o->text);
    vg_buf_cleanup(&o->html);
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static json_t *digest(size_t n)
{
    json_t *f = json_array();
    for (size_t i = 0; i < n; i++) {
        char cve[32];
        snprintf(cve, sizeof cve, "CVE-2025-%04zu", 1000 + i);
        json_array_append_new(f,
                              json_pack("{s:s,s:i,s:s,s:{s:f},s:s}", "cve", cve, "priority",
                                        i == 0 ? 0 : 2, "asset",
                                        "cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*", "cvss", "score",
                                        9.8, "description", "<b>bad</b> & worse\r\nline"));
    }
    return json_pack("{s:I,s:s,s:n,s:s,s:o}", "org", (json_int_t)1, "name",
                     "Ministère\r\nBcc: x@y <A>", "since", "until", "2026-12-06T00:00:00Z",
                     "findings", f);
}

static void digest_languages(void **state)
{
    (void)state;
    json_t *dg = digest(2);
    struct out o;
    out_init(&o);
    assert_int_equal(vg_watchmail_digest(dg, "AMBER", "fr", 0, &o.subject, &o.text, &o.html), 0);
    assert_string_equal(
        o.subject.data,
        "TLP:AMBER Veille: 2 vulnérabilité(s) nouvelle(s), Ministère  Bcc: x@y <A>");
    assert_false(has_control(o.subject.data));
    assert_true(strncmp(o.text.data, "TLP:AMBER\n", 10) == 0);
    assert_non_null(strstr(o.text.data, "- CVE-2025-1000: priorité 1 (exploitée (catalogue KEV)), "
                                        "CVSS 9.8, cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\n"));
    assert_non_null(strstr(o.text.data, "- CVE-2025-1001: priorité 3 (à corriger)"));
    assert_non_null(strstr(o.text.data, "premier bilan"));
    assert_null(strstr(o.text.data, "Hello"));
    /* values escaped in the HTML, the description's line break dropped in the text */
    assert_null(strstr(o.html.data, "<b>bad"));
    assert_non_null(strstr(o.html.data, "&lt;b&gt;bad&lt;/b&gt; &amp; worse  line"));
    assert_non_null(strstr(o.html.data, "Ministère  Bcc: x@y &lt;A&gt;"));
    assert_non_null(strstr(o.text.data, "<b>bad</b> & worse  line\n"));
    assert_true(strncmp(o.html.data, "<!DOCTYPE html>\n<html><body>\n<p><strong>TLP:AMBER", 48) ==
                0);
    out_cleanup(&o);

    out_init(&o);
    assert_int_equal(vg_watchmail_digest(dg, "AMBER", "en", 0, &o.subject, &o.text, &o.html), 0);
    assert_true(strncmp(o.subject.data, "TLP:AMBER Watch: 2 new vulnerability finding(s)", 47) ==
                0);
    assert_non_null(strstr(o.text.data, "priority 1 (exploited (KEV catalog))"));
    assert_null(strstr(o.text.data, "Bonjour"));
    out_cleanup(&o);

    out_init(&o);
    assert_int_equal(vg_watchmail_digest(dg, "AMBER", "", 0, &o.subject, &o.text, &o.html), 0);
    assert_true(strncmp(o.subject.data, "TLP:AMBER Veille / Watch: 2 ", 28) == 0);
    assert_non_null(strstr(o.text.data, "Bonjour"));
    assert_non_null(strstr(o.text.data, "Hello"));
    assert_non_null(strstr(o.text.data, "priorité / priority 1"));
    assert_non_null(strstr(o.html.data, "<p lang=\"fr\">"));
    assert_non_null(strstr(o.html.data, "<p lang=\"en\">"));
    out_cleanup(&o);
    json_decref(dg);
}

static void digest_bounded(void **state)
{
    (void)state;
    json_t *dg = digest(5);
    json_object_set_new(dg, "since", json_string("2026-12-01T00:00:00Z"));
    struct out o;
    out_init(&o);
    assert_int_equal(vg_watchmail_digest(dg, "AMBER", "en", 3, &o.subject, &o.text, &o.html), 0);
    assert_non_null(strstr(o.subject.data, ": 5 new"));
    assert_non_null(strstr(o.text.data, "CVE-2025-1002"));
    assert_null(strstr(o.text.data, "CVE-2025-1003"));
    assert_non_null(strstr(o.text.data, "(+ 2 more"));
    assert_non_null(strstr(o.text.data, "since the digest of 2026-12-01T00:00:00Z"));
    out_cleanup(&o);
    /* a buffer that cannot hold the text fails the call */
    vg_buf_init(&o.subject, 4096);
    vg_buf_init(&o.text, 64);
    vg_buf_init(&o.html, 1 << 20);
    assert_int_equal(vg_watchmail_digest(dg, "AMBER", "en", 0, &o.subject, &o.text, &o.html),
                     VG_ENOMEM);
    out_cleanup(&o);
    json_decref(dg);
}

static void alerts_defanged(void **state)
{
    (void)state;
    json_t *alerts =
        json_pack("[{s:s,s:s,s:s,s:i,s:{s:s,s:s,s:s}},{s:s,s:s,s:s,s:i,s:{s:s,s:s,s:s}}]", "day",
                  "2026-11-20", "first_seen", "2026-11-20T10:00:00Z", "last_seen",
                  "2026-11-20T11:00:00Z", "count", 3, "indicator", "type", "url", "value",
                  "http://evil.example/<x>", "tlp", "GREEN", "day", "2026-11-20", "first_seen",
                  "2026-11-20T12:00:00Z", "last_seen", "2026-11-20T12:00:00Z", "count", 1,
                  "indicator", "type", "ipv4-addr", "value", "198.51.100.7", "tlp", "AMBER");
    struct out o;
    out_init(&o);
    assert_int_equal(vg_watchmail_alerts("Org\tA", alerts, 4, "AMBER", "en", &o.subject, &o.text,
                                         &o.html),
                     0);
    assert_string_equal(o.subject.data, "TLP:AMBER Detection alert: 6 indicator(s) seen, Org A");
    assert_true(strncmp(o.text.data, "TLP:AMBER\n", 10) == 0);
    assert_non_null(strstr(o.text.data, "- hxxp://evil[.]example/<x> (url, TLP:GREEN): 3 time(s), "
                                        "from 2026-11-20T10:00:00Z to 2026-11-20T11:00:00Z\n"));
    assert_non_null(strstr(o.text.data, "- 198.51.100[.]7 (ipv4-addr, TLP:AMBER): 1 time(s)"));
    assert_non_null(strstr(o.text.data, "(+ 4 more"));
    assert_non_null(strstr(o.html.data, "<code>hxxp://evil[.]example/&lt;x&gt;</code>"));
    for (const char *s = o.text.data; (s = strstr(s, "evil.example")) != NULL;)
        fail_msg("a clickable value in the text: %s", s);
    assert_null(strstr(o.html.data, "198.51.100.7"));
    out_cleanup(&o);
    json_decref(alerts);
}

static void advisory_text(void **state)
{
    (void)state;
    json_t *adv =
        json_pack("{s:s,s:s,s:s,s:[s,s],s:[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s}],s:[s,{s:s}]}", "ref",
                  "VIGIE-2026-AVI-0001", "title", "Faille <dans>\nServer", "tlp", "CLEAR", "risks",
                  "remote code execution", "denial of service", "affected_systems", "vendor",
                  "Example", "product", "Server", "versions", "< 2.4.58", "fixed", "2.4.58",
                  "vendor", "Other", "product", "Thing", "versions", "all", "cves", "CVE-2024-0001",
                  "id", "CVE-2024-0002");
    json_t *products = json_pack("[s]", "cpe:2.3:a:example:server:2.4.1:*:*:*:*:*:*:*");
    struct out o;
    out_init(&o);
    assert_int_equal(vg_watchmail_advisory(adv, products,
                                           "https://cert.example/advisories/VIGIE-2026-AVI-0001/",
                                           "fr", &o.subject, &o.text, &o.html),
                     0);
    assert_string_equal(o.subject.data, "TLP:CLEAR VIGIE-2026-AVI-0001: Faille <dans> Server");
    assert_true(strncmp(o.text.data, "TLP:CLEAR\n", 10) == 0);
    assert_non_null(strstr(o.text.data, "Référence: VIGIE-2026-AVI-0001\n"));
    assert_non_null(strstr(o.text.data, "Risques: remote code execution, denial of service\n"));
    assert_non_null(strstr(o.text.data, "- Example Server < 2.4.58 (corrigé en 2.4.58)\n"));
    assert_non_null(strstr(o.text.data, "- Other Thing all\n"));
    assert_non_null(strstr(o.text.data, "Vos produits concernés:\n- cpe:2.3:a:example:server"));
    assert_non_null(strstr(o.text.data, "CVE: CVE-2024-0001, CVE-2024-0002\n"));
    assert_non_null(strstr(o.text.data, "L'avis en ligne: https://cert.example/advisories/"));
    assert_non_null(strstr(o.html.data, "Faille &lt;dans&gt;"));
    assert_non_null(strstr(o.html.data, "<a href=\"https://cert.example/advisories/"));
    assert_non_null(strstr(o.html.data, "&lt; 2.4.58"));
    out_cleanup(&o);
    /* no link, no products, both languages */
    out_init(&o);
    assert_int_equal(vg_watchmail_advisory(adv, NULL, NULL, "", &o.subject, &o.text, &o.html), 0);
    assert_null(strstr(o.text.data, "http"));
    assert_null(strstr(o.text.data, "Vos produits"));
    assert_non_null(strstr(o.text.data, "Systèmes affectés / Affected systems:\n"));
    out_cleanup(&o);
    json_decref(products);
    json_decref(adv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defang_forms),     cmocka_unit_test(defang_reads_back),
        cmocka_unit_test(digest_languages), cmocka_unit_test(digest_bounded),
        cmocka_unit_test(alerts_defanged),  cmocka_unit_test(advisory_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
