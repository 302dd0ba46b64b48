/* Unit tests of the normal forms of issue 11 item 15: URL paths and queries (dot segments,
 * percent-encoding, an empty query), Unicode hosts and bare domains in A-labels (IDNA2008),
 * e-mail addresses with one '@'. The indicator store (core/observable.c) and the matcher
 * (match/url.c, match/index.c) must give the same forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/observable.h"
#include "core/url.h"
#include "match/match.h"

/* The stored form of raw (type detected), or fails the test with the message. */
static const char *stored(const char *raw, const char *type)
{
    static struct vg_observable o;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_observable_parse(vg_str_c(raw), VG_OBS_UNKNOWN, &o, &d) != 0)
        fail_msg("%s: %s", raw, d.message);
    assert_string_equal(vg_obs_type_name(o.type), type);
    return o.value;
}

/* The matcher's key of raw, NUL-terminated. */
static const char *keyed(const char *raw)
{
    static char out[VG_MATCH_KEY_MAX + 1];
    size_t n;
    struct vg_str host;
    if (vg_match_url_normalise(vg_str_c(raw), out, VG_MATCH_KEY_MAX, &n, &host) != 0)
        fail_msg("matcher refused %s", raw);
    out[n] = '\0';
    return out;
}

/* The message of the refusal of raw read as type t. */
static const char *refused(const char *raw, enum vg_obs_type t)
{
    static struct vg_diag d;
    struct vg_observable o;
    vg_diag_clear(&d);
    if (vg_observable_parse(vg_str_c(raw), t, &o, &d) == 0)
        fail_msg("accepted '%s' as '%s'", raw, o.value);
    assert_string_equal(d.field, "value");
    return d.message;
}

/* RFC 3986 section 5.2.4 (dot segments) and 6.2.2 (percent-encoding), and an empty query
 * dropped: the stored form and the matcher's key are the same. */
static void url_dot_segments_and_empty_query(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"http://evil.example/a/b/../c", "http://evil.example/a/c"},
        {"http://evil.example/a/./b/./c", "http://evil.example/a/b/c"},
        {"http://evil.example/../../etc/passwd", "http://evil.example/etc/passwd"},
        {"http://evil.example/a/b/..", "http://evil.example/a/"},
        {"http://evil.example/a/b/.", "http://evil.example/a/b/"},
        {"http://evil.example/a/..", "http://evil.example/"},
        {"http://evil.example/..", "http://evil.example/"},
        {"http://evil.example/a/b/../../../c/./d/", "http://evil.example/c/d/"},
        {"http://evil.example/a/..b/.c/...", "http://evil.example/a/..b/.c/..."},
        {"http://evil.example//a/../b", "http://evil.example//b"},
        {"http://evil.example/a/%2e%2E/b", "http://evil.example/b"},
        {"http://evil.example/%7euser/%41%2fb%2Fc", "http://evil.example/~user/A%2Fb%2Fc"},
        {"http://evil.example/p?", "http://evil.example/p"},
        {"http://evil.example?", "http://evil.example/"},
        {"http://evil.example/p? #frag", "http://evil.example/p"},
        {"http://evil.example/a/.. ?", "http://evil.example/"},
        {"http://evil.example/p??", "http://evil.example/p??"},
        {"http://evil.example/p?x=/../y&z=%2e", "http://evil.example/p?x=/../y&z=."},
        {"http://evil.example/p/../q?a#b", "http://evil.example/q?a"},
        {"http://evil.example/100%", "http://evil.example/100%"},
        {"http://evil.example/%zz/%4", "http://evil.example/%zz/%4"},
        /* found by fuzz_url: an escape decoded next to a lone '%' made a new escape, which a
         * second normalisation decoded again ("%6%31" would be "%61", then "a") */
        {"http://evil.example/%6%31/%%41/%4%62?%%63", "http://evil.example/%6%31/%%41/%4%62?%%63"},
        {"http://evil.example/%g%31/%%2e/%7%7e", "http://evil.example/%g%31/%./%7~"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(stored(cases[i][0], "url"), cases[i][1]);
        assert_string_equal(keyed(cases[i][0]), cases[i][1]);
        assert_string_equal(keyed(cases[i][1]), cases[i][1]); /* a fixed point */
    }
}

/* One rule for Unicode host names: A-labels (IDNA2008, UTS 46 non-transitional) in URL
 * hosts, bare domains and e-mail domains alike; the stored form and the matcher agree. */
static void unicode_hosts_in_a_labels(void **state)
{
    (void)state;
    assert_string_equal(stored("http://b\xc3\xbc"
                               "cher.example/x",
                               "url"),
                        "http://xn--bcher-kva.example/x");
    assert_string_equal(keyed("http://B\xc3\x9c"
                              "CHER.example/x"),
                        "http://xn--bcher-kva.example/x");
    assert_string_equal(stored("HTTPS://B\xc3\x9c"
                               "CHER.Example.:443/",
                               "url"),
                        "https://xn--bcher-kva.example/");
    assert_string_equal(stored("b\xc3\xbc"
                               "cher.example",
                               "domain-name"),
                        "xn--bcher-kva.example");
    assert_string_equal(stored("B\xc3\x9c"
                               "cher.Example.",
                               "domain-name"),
                        "xn--bcher-kva.example");
    /* the homograph of an IDN attack: Cyrillic a (U+0430) in "p\u0430ypal.example" */
    assert_string_equal(stored("p\xd0\xb0ypal.example", "domain-name"), "xn--pypal-4ve.example");
    assert_string_equal(stored("ceo@b\xc3\xbc"
                               "cher.example",
                               "email-addr"),
                        "ceo@xn--bcher-kva.example");
    /* an A-label written as such stays as it is (lower-cased) */
    assert_string_equal(stored("XN--BCHER-KVA.example", "domain-name"), "xn--bcher-kva.example");
    /* the matcher's indicator index keeps a Unicode domain indicator in its A-labels */
    struct vg_match_index *idx = vg_match_index_new();
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_DOMAIN,
                                        VG_STR("b\xc3\xbc"
                                               "cher.example"),
                                        VG_STR(""), 1, &d),
                     0);
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_DOMAIN, VG_STR("xn--bcher-kva.example"),
                                        VG_STR(""), 2, &d),
                     1); /* the same key */
    vg_match_index_free(idx);
    /* not valid IDNA2008: invalid UTF-8, a disallowed code point, a mapping to '/' */
    const char *m = refused("b\xff"
                            "cher.example",
                            VG_OBS_DOMAIN);
    assert_non_null(strstr(m, "IDNA2008"));
    m = refused("http://a\xe2\x98\x83\xef\xbc\x8f"
                "b.example/",
                VG_OBS_URL);
    assert_non_null(strstr(m, "URL host"));
    refused("\xe2\x80\x8b.example", VG_OBS_DOMAIN);
    char out[64];
    size_t n;
    assert_int_equal(vg_match_url_normalise(VG_STR("http://b\xff"
                                                   "cher.example/"),
                                            out, sizeof out, &n, NULL),
                     VG_EINVAL);
}

/* An e-mail address has exactly one '@', no blank nor control character, a host name after
 * it; the message names the field and the byte. */
static void email_one_at(void **state)
{
    (void)state;
    const char *m = refused("a@b@evil.example", VG_OBS_UNKNOWN);
    assert_string_equal(m, "e-mail address with more than one '@' (byte 3)");
    m = refused("a@b@evil.example", VG_OBS_EMAIL);
    assert_non_null(strstr(m, "more than one '@'"));
    m = refused("a\x7f@evil.example", VG_OBS_EMAIL);
    assert_string_equal(m, "control character in e-mail address (byte 1)");
    m = refused("a\tb@evil.example", VG_OBS_EMAIL);
    assert_string_equal(m, "blank in e-mail address");
    refused("@evil.example", VG_OBS_EMAIL);
    refused("a@evil", VG_OBS_EMAIL);
    assert_string_equal(stored("First.Last+tag@Evil.Example.", "email-addr"),
                        "first.last+tag@evil.example");
}

/* Found by fuzz_url: a Unicode host grows into its A-labels, and the output, normalised again
 * into a buffer of its own length, was refused (the room asked for the path counted a '/'
 * already there). */
static void url_normal_form_fits_its_own_length(void **state)
{
    (void)state;
    const char *raw = "https://m.le\xd0\x93"
                      "em.x/a/../b?#f";
    char out[128], again[128];
    size_t n, m;
    assert_int_equal(vg_match_url_normalise(vg_str_c(raw), out, sizeof out, &n, NULL), 0);
    assert_int_equal(vg_match_url_normalise((struct vg_str){out, n}, again, n, &m, NULL), 0);
    assert_memory_equal(out, again, n);
    assert_int_equal(m, n);
    assert_int_equal(vg_match_url_normalise((struct vg_str){out, n}, again, n - 1, &m, NULL),
                     VG_ETOOBIG);
    out[n] = '\0';
    assert_string_equal(out, "https://m.xn--leem-m4d.x/b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_dot_segments_and_empty_query),
        cmocka_unit_test(unicode_hosts_in_a_labels),
        cmocka_unit_test(email_one_at),
        cmocka_unit_test(url_normal_form_fits_its_own_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
