/* Unit tests of src/core/product.c: the product-name key, one rule for CVE 5 names, CPE
 * values and CPE 2.3 formatted strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/product.h"

/* The normalised form of name (form given), or "(none)" for -1. */
static const char *norm(const char *name, enum vg_product_form form)
{
    static char out[VG_PRODUCT_NAME_MAX + 1];
    long n = vg_product_name(vg_str_c(name), form, out, sizeof out);
    if (n < 0)
        return "(none)";
    assert_int_equal((size_t)n, strlen(out));
    return out;
}

static const char *key_cpe(const char *cpe)
{
    static char out[VG_PRODUCT_KEY_MAX + 1];
    return vg_product_key_cpe23(cpe, out, sizeof out) < 0 ? "(none)" : out;
}

static void punctuation_and_case(void **state)
{
    (void)state;
    assert_string_equal(norm(".NET", VG_PRODUCT_PLAIN), "net");
    assert_string_equal(norm("Example.org", VG_PRODUCT_PLAIN), "example_org");
    assert_string_equal(norm("Big  Suite", VG_PRODUCT_PLAIN), "big_suite");
    assert_string_equal(norm("widget_pro+", VG_PRODUCT_PLAIN), "widget_pro");
    assert_string_equal(norm("--C++--", VG_PRODUCT_PLAIN), "c");
    assert_string_equal(norm("a.-_b", VG_PRODUCT_PLAIN), "a_b");
    assert_string_equal(norm("ÉCOLE 2", VG_PRODUCT_PLAIN), "cole_2"); /* bytes >= 0x80 part */
    assert_string_equal(norm("", VG_PRODUCT_PLAIN), "");
    assert_string_equal(norm("+++", VG_PRODUCT_PLAIN), "");
    assert_string_equal(norm("ABC123xyz", VG_PRODUCT_PLAIN), "abc123xyz");
}

static void quoting_and_wildcards(void **state)
{
    (void)state;
    /* a quoted character is itself: the same key as the plain name */
    assert_string_equal(norm("\\.net", VG_PRODUCT_QUOTED), "net");
    assert_string_equal(norm("widget_pro\\+", VG_PRODUCT_QUOTED), "widget_pro");
    assert_string_equal(norm("example\\.org", VG_PRODUCT_QUOTED), "example_org");
    assert_string_equal(norm("a\\\\b", VG_PRODUCT_QUOTED), "a_b"); /* a quoted backslash */
    assert_string_equal(norm("a\\*b", VG_PRODUCT_QUOTED), "a_b");  /* a quoted star */
    /* unquoted, '*' and '?' are wildcards: no one product */
    assert_string_equal(norm("wid*", VG_PRODUCT_QUOTED), "(none)");
    assert_string_equal(norm("?idget", VG_PRODUCT_QUOTED), "(none)");
    assert_string_equal(norm("*", VG_PRODUCT_QUOTED), "(none)");
    /* in a plain name they are characters like others */
    assert_string_equal(norm("wid*", VG_PRODUCT_PLAIN), "wid");
    assert_string_equal(norm("a?b", VG_PRODUCT_PLAIN), "a_b");
    /* a backslash in a plain name is a character */
    assert_string_equal(norm("a\\b", VG_PRODUCT_PLAIN), "a_b");
}

static void keys(void **state)
{
    (void)state;
    char k[VG_PRODUCT_KEY_MAX + 1];
    assert_int_equal(vg_product_key(VG_STR("Microsoft"), VG_STR(".NET"), VG_PRODUCT_PLAIN, k,
                                    sizeof k),
                     13);
    assert_string_equal(k, "microsoft:net");
    assert_int_equal(vg_product_key(VG_STR("acme"), VG_STR("w*"), VG_PRODUCT_QUOTED, k, sizeof k),
                     -1);
    assert_int_equal(vg_product_key(VG_STR("a"), VG_STR("b"), VG_PRODUCT_PLAIN, k, 8), -1);
    /* formatted strings: the same keys as the names they quote */
    assert_string_equal(key_cpe("cpe:2.3:a:microsoft:.net:8.0.1:*:*:*:*:*:*:*"), "microsoft:net");
    assert_string_equal(key_cpe("cpe:2.3:a:ACME:widget_pro\\+:1.0:*:*:*:*:*:*:*"),
                        "acme:widget_pro");
    assert_string_equal(key_cpe("cpe:2.3:a:Example.org:Big_Suite:1.0:*:*:*:*:*:*:*"),
                        "example_org:big_suite");
    assert_string_equal(key_cpe("cpe:2.3:a:foo\\!bar:x\\:y:1.0:*:*:*:*:*:*:*"), "foo_bar:x_y");
    assert_string_equal(key_cpe("cpe:2.3:a:acme:wid*:1.0:*:*:*:*:*:*:*"), "(none)");
    assert_string_equal(key_cpe("cpe:2.3:a:acme:*:1.0:*:*:*:*:*:*:*"), "(none)");
    assert_string_equal(key_cpe("cpe:2.3:a:-:tool:1.0:*:*:*:*:*:*:*"), "(none)");
    assert_string_equal(key_cpe("cpe:2.3:a:acme"), "(none)");
    assert_string_equal(key_cpe("cpe:/a:foo:bar:1.0"), "(none)");
}

static void long_names(void **state)
{
    (void)state;
    char in[2 * VG_PRODUCT_NAME_MAX + 8], out[VG_PRODUCT_NAME_MAX + 1];
    memset(in, 'a', sizeof in - 1);
    in[sizeof in - 1] = '\0';
    assert_int_equal(vg_product_name(vg_str_c(in), VG_PRODUCT_PLAIN, out, sizeof out),
                     VG_PRODUCT_NAME_MAX);
    /* never a '_' at the end, even where the cut falls */
    for (size_t i = 1; i < sizeof in - 1; i += 2)
        in[i] = '.';
    long n = vg_product_name(vg_str_c(in), VG_PRODUCT_PLAIN, out, sizeof out);
    assert_true(n > 0 && n <= VG_PRODUCT_NAME_MAX && out[n - 1] == 'a');
    assert_int_equal(vg_product_name(vg_str_c("x"), VG_PRODUCT_PLAIN, out, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(punctuation_and_case),
        cmocka_unit_test(quoting_and_wildcards),
        cmocka_unit_test(keys),
        cmocka_unit_test(long_names),
    };
    return cmocka_run_group_tests_name("product", tests, NULL, NULL);
}
