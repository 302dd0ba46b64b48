/* Unit tests of the defanged-observable extractor (notify/defang.c): each defanged form,
 * words that only look like domains, trailing punctuation and brackets, de-duplication in
 * order of first appearance, the bound on the count. Types and normal forms are core's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "notify/defang.h"

static struct vg_defang_list list;

/* The observables of text as "type value" lines ("*" after a defanged one). */
static const char *extract(const char *text)
{
    static char out[8192];
    vg_defang_list_cleanup(&list);
    assert_int_equal(vg_defang_extract(vg_str_c(text), 0, &list), 0);
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < list.n; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "%s %s%s\n",
                              vg_obs_type_name(list.items[i].type), list.items[i].value,
                              list.items[i].defanged ? " *" : "");
    return out;
}

static void each_form(void **state)
{
    (void)state;
    assert_string_equal(extract("hxxp://evil.example/a"), "url http://evil.example/a *\n");
    assert_string_equal(extract("hxxps://evil.example/a"), "url https://evil.example/a *\n");
    assert_string_equal(extract("HXXPS://Evil.Example/A"), "url https://evil.example/A *\n");
    assert_string_equal(extract("hxxp[://]evil.example/"), "url http://evil.example/ *\n");
    assert_string_equal(extract("hxxps[:]//evil.example/"), "url https://evil.example/ *\n");
    assert_string_equal(extract("evil[.]example"), "domain-name evil.example *\n");
    assert_string_equal(extract("evil(.)example"), "domain-name evil.example *\n");
    assert_string_equal(extract("evil{.}example"), "domain-name evil.example *\n");
    assert_string_equal(extract("evil[dot]example"), "domain-name evil.example *\n");
    assert_string_equal(extract("evil(dot)example"), "domain-name evil.example *\n");
    assert_string_equal(extract("evil{dot}example"), "domain-name evil.example *\n");
    assert_string_equal(extract("198.51.100[.]7"), "ipv4-addr 198.51.100.7 *\n");
    assert_string_equal(extract("198[.]51[.]100[.]7"), "ipv4-addr 198.51.100.7 *\n");
    assert_string_equal(extract("2001:db8[:]:1"), "ipv6-addr 2001:db8::1 *\n");
    assert_string_equal(extract("x[@]evil.example"), "email-addr x@evil.example *\n");
    assert_string_equal(extract("x(@)evil.example"), "email-addr x@evil.example *\n");
    assert_string_equal(extract("x{@}evil.example"), "email-addr x@evil.example *\n");
    assert_string_equal(extract("x[at]evil[dot]example"), "email-addr x@evil.example *\n");
    assert_string_equal(extract("x(at)evil.example"), "email-addr x@evil.example *\n");
    /* not forms: "meow://" and "hxxpd://" stay as written (core takes any scheme), "[,]" */
    assert_string_equal(extract("meow://evil.example/ hxxpd://a.example/ a[,]example"),
                        "url meow://evil.example/\nurl hxxpd://a.example/\n");
}

static void plain_observables(void **state)
{
    (void)state;
    assert_string_equal(extract("http://a.example/x 203.0.113.9 2001:DB8::1 Bob@Example.ORG "
                                "10.0.0.0/8"),
                        "url http://a.example/x\nipv4-addr 203.0.113.9\nipv6-addr 2001:db8::1\n"
                        "email-addr bob@example.org\nipv4-addr 10.0.0.0/8\n");
    assert_string_equal(
        extract("44D88612FEA8A8F36DE82E1278ABB02F da39a3ee5e6b4b0d3255bfef95601890afd80709 "
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        "md5 44d88612fea8a8f36de82e1278abb02f\nsha1 da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    /* a port is dropped from an address and a host, kept in a URL */
    assert_string_equal(extract("198.51.100.7:8080 evil.example:443 http://a.example:8080/"),
                        "ipv4-addr 198.51.100.7\ndomain-name evil.example\n"
                        "url http://a.example:8080/\n");
}

/* Words that only look like domains or addresses are not observables. */
static void lookalikes(void **state)
{
    (void)state;
    assert_string_equal(extract("e.g. i.e. etc. file.txt setup.exe report.pdf index.html "
                                "v1.2.3 1.2.3 3.14 2026 Mr.Smith end.Next a.b deadbeef "
                                "44d88612fea8a8f36de82e1278abb02 x@ @y"),
                        "");
    /* defanged, a file-extension-like last label still counts: the sender meant it */
    assert_string_equal(extract("payload[.]exe"), "domain-name payload.exe *\n");
    /* .world is a top-level domain: without a list, any 2-24 letter last label counts */
    assert_string_equal(extract("hello.world"), "domain-name hello.world\n");
}

/* Trailing punctuation and brackets around a word are not part of it. */
static void punctuation_and_brackets(void **state)
{
    (void)state;
    assert_string_equal(extract("(evil.example). [203.0.113.5], {x@y.example}; "
                                "<http://a.example/p> \"b.example\" 'c.example'! d.example?"),
                        "domain-name evil.example\nipv4-addr 203.0.113.5\n"
                        "email-addr x@y.example\nurl http://a.example/p\n"
                        "domain-name b.example\ndomain-name c.example\ndomain-name d.example\n");
    /* balanced brackets inside a URL stay; an unbalanced closing one goes */
    assert_string_equal(extract("(see http://w.example/a_(b))."), "url http://w.example/a_(b)\n");
    assert_string_equal(extract("[hxxp://evil[.]example/x]"), "url http://evil.example/x *\n");
}

/* Duplicates (also across forms) are one item, in the order of first appearance; an item
 * seen defanged once is marked so. */
static void dedup_in_order(void **state)
{
    (void)state;
    assert_string_equal(extract("b.example a.example B.EXAMPLE a[.]example b.example."),
                        "domain-name b.example\ndomain-name a.example *\n");
}

static void bounded_count(void **state)
{
    (void)state;
    char text[4096];
    size_t o = 0;
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "198.51.100.%d ", i);
    vg_defang_list_cleanup(&list);
    assert_int_equal(vg_defang_extract((struct vg_str){text, o}, 5, &list), 0);
    assert_int_equal(list.n, 5);
    assert_true(list.truncated);
    assert_string_equal(list.items[4].value, "198.51.100.4");
    vg_defang_list_cleanup(&list);
    assert_int_equal(vg_defang_extract((struct vg_str){text, o}, 20, &list), 0);
    assert_int_equal(list.n, 20);
    assert_false(list.truncated);
    vg_defang_list_cleanup(&list);
}

static void refang_word(void **state)
{
    (void)state;
    char out[32];
    bool changed;
    assert_int_equal(vg_defang_refang(vg_str_c("hxxp://a[.]b"), out, sizeof out, &changed), 10);
    assert_string_equal(out, "http://a.b");
    assert_true(changed);
    assert_int_equal(vg_defang_refang(vg_str_c("plain"), out, sizeof out, &changed), 5);
    assert_false(changed);
    assert_int_equal(vg_defang_refang(vg_str_c("abcdef"), out, 6, &changed), -1);
    assert_int_equal(vg_defang_refang(vg_str_c("abcde"), out, 6, &changed), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_form),      cmocka_unit_test(plain_observables),
        cmocka_unit_test(lookalikes),     cmocka_unit_test(punctuation_and_brackets),
        cmocka_unit_test(dedup_in_order), cmocka_unit_test(bounded_count),
        cmocka_unit_test(refang_word),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    vg_defang_list_cleanup(&list);
    return rc;
}
