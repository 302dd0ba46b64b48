/* Unit tests of the one escaping HTML writer (util/html.h): text and attribute values escaped,
 * URL attributes kept only when relative, http(s) or mailto, names of the code's own checked,
 * the cap, and the percent-encoding of query values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "util/html.h"
#include "web/page.h"

#define BIG (1u << 20)

/* The page written so far (h kept), NUL-terminated. */
static const char *page(struct vg_html *h)
{
    assert_true(vg_html_ok(h));
    return h->b.data ? h->b.data : "";
}

static void text_is_escaped(void **state)
{
    (void)state;
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_text(&h, "a & b < c > d \" e ' f");
    assert_string_equal(page(&h), "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    vg_html_cleanup(&h);

    vg_html_init(&h, BIG);
    vg_html_elem(&h, "p", "<script>alert(1)</script>", NULL);
    assert_string_equal(page(&h), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    vg_html_cleanup(&h);

    vg_html_init(&h, BIG);
    vg_html_textn(&h, "<b>xyz", 4); /* n bytes only */
    vg_html_text(&h, NULL);         /* nothing */
    vg_html_textf(&h, "%s=%d", "<i>", 5);
    assert_string_equal(page(&h), "&lt;b&gt;x&lt;i&gt;=5");
    vg_html_cleanup(&h);

    /* textf longer than its small buffer is escaped whole */
    char longs[1000];
    memset(longs, '<', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    vg_html_init(&h, BIG);
    vg_html_textf(&h, "%s!", longs);
    assert_int_equal(strlen(page(&h)), 999 * 4 + 1);
    assert_null(strchr(page(&h), '<'));
    assert_int_equal(page(&h)[999 * 4], '!');
    vg_html_cleanup(&h);
}

static void attribute_values_are_escaped(void **state)
{
    (void)state;
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_open(&h, "input", "value", "\"><img src=x onerror=alert(1)>", "title", "it's & <b>",
                 NULL);
    assert_string_equal(page(&h), "<input value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\" "
                                  "title=\"it&#39;s &amp; &lt;b&gt;\">");
    vg_html_cleanup(&h);
}

static void null_attribute_skipped_empty_is_boolean(void **state)
{
    (void)state;
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_void(&h, "input", "type", "checkbox", "checked", "", "disabled", NULL, "name", "x",
                 NULL);
    assert_string_equal(page(&h), "<input type=\"checkbox\" checked name=\"x\">");
    vg_html_close(&h, "label");
    assert_string_equal(page(&h), "<input type=\"checkbox\" checked name=\"x\"></label>");
    vg_html_cleanup(&h);
}

/* The value a URL attribute keeps for url. */
static const char *href_of(const char *attr, const char *url, char *out, size_t cap)
{
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_open(&h, "a", attr, url, NULL);
    const char *p = page(&h);
    const char *q = strchr(p, '"');
    assert_non_null(q);
    const char *e = strchr(q + 1, '"');
    assert_non_null(e);
    size_t n = (size_t)(e - q - 1);
    assert_true(n < cap);
    memcpy(out, q + 1, n);
    out[n] = '\0';
    vg_html_cleanup(&h);
    return out;
}

static void url_attributes_keep_only_safe_urls(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/x",
        "/\\evil.example",
        "vbscript:msgbox(1)",
        "java\tscript:alert(1)",
        "\njavascript:alert(1)",
        "ftp://x",
        "file:///etc/passwd",
        "http:/x",
        "https:x",
    };
    static const char *const good[] = {
        "/x",
        "?a=1&b=2",
        "#b",
        "https://cert.example/a?b",
        "HTTP://cert.example/",
        "mailto:cert@example.org",
        "/console/incidents/1",
    };
    static const char *const attrs[] = {"href", "src", "action", "formaction"};
    char out[256];
    for (size_t a = 0; a < sizeof attrs / sizeof *attrs; a++) {
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            if (strcmp(href_of(attrs[a], bad[i], out, sizeof out), "#") != 0)
                fail_msg("%s=\"%s\" kept as \"%s\"", attrs[a], bad[i], out);
            assert_false(vg_html_url_ok(bad[i]));
        }
        for (size_t i = 0; i < sizeof good / sizeof *good; i++)
            assert_true(vg_html_url_ok(good[i]));
    }
    assert_string_equal(href_of("href", "/x", out, sizeof out), "/x");
    assert_string_equal(href_of("href", "?a=1&b=2", out, sizeof out), "?a=1&amp;b=2");
    assert_string_equal(href_of("href", "#b", out, sizeof out), "#b");
    assert_string_equal(href_of("src", "https://cert.example/a", out, sizeof out),
                        "https://cert.example/a");
    assert_string_equal(href_of("action", "mailto:cert@example.org", out, sizeof out),
                        "mailto:cert@example.org");
    assert_false(vg_html_url_ok(NULL));
    /* other attributes are not URLs: their value is kept (escaped) */
    assert_string_equal(href_of("title", "javascript:x", out, sizeof out), "javascript:x");
}

static void bad_names_fail_the_writer(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "A", "1a", "a b", "a\"", "a>", "on click", "-a", "é"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct vg_html h;
        vg_html_init(&h, BIG);
        vg_html_open(&h, bad[i], NULL); /* a bad tag */
        assert_false(vg_html_ok(&h));
        size_t len = 7;
        assert_null(vg_html_steal(&h, &len));
        assert_int_equal(len, 0);
        vg_html_cleanup(&h);

        vg_html_init(&h, BIG);
        vg_html_void(&h, "input", bad[i], "x", NULL); /* a bad attribute */
        assert_false(vg_html_ok(&h));
        vg_html_cleanup(&h);

        vg_html_init(&h, BIG);
        vg_html_close(&h, bad[i]);
        assert_false(vg_html_ok(&h));
        vg_html_cleanup(&h);
    }
    /* a failed writer stays failed */
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_open(&h, "P", NULL);
    vg_html_text(&h, "more");
    assert_false(vg_html_ok(&h));
    vg_html_cleanup(&h);
    /* good names: letters, digits, '-' */
    vg_html_init(&h, BIG);
    vg_html_open(&h, "h2", "aria-label", "x", "data-x1", "y", NULL);
    assert_string_equal(page(&h), "<h2 aria-label=\"x\" data-x1=\"y\">");
    vg_html_cleanup(&h);
}

static void cap_fails_and_steal_returns_null(void **state)
{
    (void)state;
    struct vg_html h;
    vg_html_init(&h, 16);
    vg_html_text(&h, "0123456789abcdef"); /* exactly 16: fits */
    assert_true(vg_html_ok(&h));
    size_t len = 0;
    char *s = vg_html_steal(&h, &len);
    assert_non_null(s);
    assert_int_equal(len, 16);
    assert_string_equal(s, "0123456789abcdef");
    free(s);
    vg_html_cleanup(&h);

    vg_html_init(&h, 16);
    vg_html_text(&h, "0123456789abcde&"); /* escaped: 20 bytes */
    assert_false(vg_html_ok(&h));
    len = 3;
    assert_null(vg_html_steal(&h, &len));
    assert_int_equal(len, 0);
    vg_html_cleanup(&h);

    /* an empty page is "" */
    vg_html_init(&h, 16);
    s = vg_html_steal(&h, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    vg_html_cleanup(&h);
}

/* Control characters (U+0001-U+0008, U+000B, U+000E-U+001F, U+007F-U+009F), noncharacters and
 * bytes that are not UTF-8 are parse errors of HTML: data from outside (a JSON string may hold
 * "\u0001") is written with U+FFFD in their place, so that every page stays valid HTML. Tab, LF,
 * FF and CR stay. */
static void control_characters_and_bad_utf8_replaced(void **state)
{
    (void)state;
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_text(&h, "a\x01"
                     "b\x7f"
                     "c\xc2\x85"
                     "d\t\n\r\x0c"
                     "e\xef\xbf\xbe"
                     "f\xff"
                     "g\xc3"
                     "\xa9h\xe2\x82");
    assert_string_equal(page(&h), "a\xef\xbf\xbd"
                                  "b\xef\xbf\xbd"
                                  "c\xef\xbf\xbd"
                                  "d\t\n\r\x0c"
                                  "e\xef\xbf\xbd"
                                  "f\xef\xbf\xbd"
                                  "g\xc3\xa9h\xef\xbf\xbd\xef\xbf\xbd");
    vg_html_cleanup(&h);

    vg_html_init(&h, BIG);
    vg_html_void(&h, "input", "value", "x\x02y\xfdz", NULL);
    assert_string_equal(page(&h), "<input value=\"x\xef\xbf\xbdy\xef\xbf\xbdz\">");
    vg_html_cleanup(&h);
}

static void url_encode(void **state)
{
    (void)state;
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    assert_int_equal(vg_url_encode(&b, "/console/a b&c=d?e#f%g+h~i.j_k-l\xc3\xa9"), 0);
    assert_string_equal(b.data, "%2Fconsole%2Fa%20b%26c%3Dd%3Fe%23f%25g%2Bh~i.j_k-l%C3%A9");
    vg_buf_cleanup(&b);

    vg_buf_init(&b, 1024);
    assert_int_equal(vg_url_encode(&b, NULL), 0);
    assert_int_equal(vg_url_encode(&b, ""), 0);
    assert_int_equal(b.len, 0);
    vg_buf_cleanup(&b);

    vg_buf_init(&b, 4); /* "%2F" and one more: over the cap */
    assert_int_equal(vg_url_encode(&b, "//"), -1);
    vg_buf_cleanup(&b);
}

static void trusted_is_written_as_is(void **state)
{
    (void)state;
    struct vg_html h;
    vg_html_init(&h, BIG);
    vg_html_trusted(&h, "<svg><g/></svg>xx", 15);
    assert_string_equal(page(&h), "<svg><g/></svg>");
    vg_html_cleanup(&h);
}

/* A page's redirect (web/page.c) goes to a path of the site only: a handler passing a URL
 * from outside could not make vigie an open redirect (an absolute URL once passed). */
static void redirect_stays_on_the_site(void **state)
{
    (void)state;
    static const char *const away[] = {"https://evil.example/",
                                       "http://evil.example",
                                       "//evil.example",
                                       "/\\evil.example",
                                       "javascript:x",
                                       "mailto:a@b.c",
                                       "?x",
                                       "#x",
                                       "",
                                       "/a\r\nSet-Cookie: x=1",
                                       NULL};
    struct vg_resp r;
    for (size_t i = 0; i < sizeof away / sizeof *away; i++) {
        memset(&r, 0, sizeof r);
        vg_page_redirect(&r, away[i]);
        assert_int_equal(r.status, 303);
        assert_string_equal(r.location, "/");
    }
    char longpath[400];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    memset(&r, 0, sizeof r);
    vg_page_redirect(&r, longpath); /* cut, it would lead elsewhere */
    assert_string_equal(r.location, "/");
    memset(&r, 0, sizeof r);
    vg_page_redirect(&r, "/console/incidents/42?tab=notes#n3");
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/console/incidents/42?tab=notes#n3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(attribute_values_are_escaped),
        cmocka_unit_test(null_attribute_skipped_empty_is_boolean),
        cmocka_unit_test(url_attributes_keep_only_safe_urls),
        cmocka_unit_test(bad_names_fail_the_writer),
        cmocka_unit_test(cap_fails_and_steal_returns_null),
        cmocka_unit_test(control_characters_and_bad_utf8_replaced),
        cmocka_unit_test(url_encode),
        cmocka_unit_test(trusted_is_written_as_is),
        cmocka_unit_test(redirect_stays_on_the_site),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
