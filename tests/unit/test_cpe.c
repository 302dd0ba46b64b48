/* Unit tests of the CPE names of issue 11 item 16, where vigie departed from NISTIR 7695: the
 * language is an RFC 5646 tag, a 2.2 URI has no raw wildcard, "%02" alone is ANY as its
 * formatted string binding is, and the prefix and the part ignore case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "vuln/cpe.h"

/* Parses in or fails the test. */
static void parse_ok(const char *in, struct vg_cpe_name *nm)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_cpe_parse(vg_str_c(in), nm, &d) != 0)
        fail_msg("'%s' refused: %s", in, d.message);
}

/* in is refused at attribute field; returns the message. */
static const char *parse_refused(const char *in, const char *field)
{
    static struct vg_diag d;
    struct vg_cpe_name nm;
    vg_diag_clear(&d);
    if (vg_cpe_parse(vg_str_c(in), &nm, &d) != VG_EINVAL)
        fail_msg("'%s' accepted", in);
    assert_string_equal(d.field, field);
    return d.message;
}

/* The formatted string binding of nm. */
static const char *fs_of(const struct vg_cpe_name *nm)
{
    static char out[1024];
    struct vg_buf b;
    vg_buf_init(&b, 4096);
    vg_cpe_write_fs(&nm->cpe, &b);
    snprintf(out, sizeof out, "%s", b.data);
    vg_buf_cleanup(&b);
    return out;
}

/* The language attribute is an RFC 5646 tag (7695 5.3.3.3): language, optional script and
 * region; "esES" and "es-noesES" (from the issue) are not. */
static void cpe_language_is_an_rfc5646_tag(void **state)
{
    (void)state;
    static const char *const good[] = {"en",      "EN-US", "fra", "es-419", "zh-hant-tw",
                                       "zh-Hant", "*",     "-",   "en-*",   "?\?-us"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char in[128];
        struct vg_cpe_name nm;
        snprintf(in, sizeof in, "cpe:2.3:a:v:p:1:*:*:%s:*:*:*:*", good[i]);
        parse_ok(in, &nm);
    }
    static const char *const bad[] = {"esES",   "es-noesES", "e",       "engl",  "en-u",
                                      "en-usa", "en-12",     "en-1234", "en_us", "en-us-",
                                      "1en",    "sp2",       "en-*x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char in[128];
        snprintf(in, sizeof in, "cpe:2.3:a:v:p:1:*:*:%s:*:*:*:*", bad[i]);
        const char *m = parse_refused(in, "language");
        if (!strstr(m, "RFC 5646") && !strstr(m, "at either end"))
            fail_msg("%s: %s", in, m);
    }
    /* the same in a URI, and through vg_cpe_set */
    struct vg_cpe_name nm;
    parse_ok("cpe:/a:v:p:1:::es-es", &nm);
    assert_string_equal(fs_of(&nm), "cpe:2.3:a:v:p:1:*:*:es-es:*:*:*:*");
    const char *m = parse_refused("cpe:/a:v:p:1:::esES", "language");
    assert_non_null(strstr(m, "'eses'"));
    parse_refused("cpe:/a:v:p:1:::es-noeses", "language");
    struct vg_diag d;
    vg_cpe_clear(&nm);
    assert_int_equal(vg_cpe_set(&nm, VG_CPE_LANGUAGE, VG_STR("es\\-es"), &d), 0);
    assert_int_equal(vg_cpe_set(&nm, VG_CPE_LANGUAGE, VG_STR("esES"), &d), VG_EINVAL);
    assert_string_equal(d.field, "language");
}

/* A 2.2 URI has no raw '*' or '?' (its grammar writes %02 and %01); the message says so. */
static void cpe_uri_raw_wildcard_refused(void **state)
{
    (void)state;
    const char *m = parse_refused("cpe:/a:v:b*c", "product");
    assert_non_null(strstr(m, "raw '*' at byte 10"));
    assert_non_null(strstr(m, "%02"));
    parse_refused("cpe:/a:v:p*", "product");
    parse_refused("cpe:/a:v:p:*", "version");
    parse_refused("cpe:/a:v:p:1?", "version");
    parse_refused("cpe:/a:v:p:1::~~~*~~", "target_sw");
    struct vg_cpe_name nm;
    parse_ok("cpe:/a:v:p:1%2a", &nm); /* a literal '*' */
    assert_string_equal(fs_of(&nm), "cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*");
    parse_ok("cpe:/a:v:p:1%02", &nm); /* a wildcard at the end */
    assert_string_equal(fs_of(&nm), "cpe:2.3:a:v:p:1*:*:*:*:*:*:*:*");
}

/* "%02" alone is ANY, so cpe:/a:v:%02 compares EQUAL to its own 2.3 binding. */
static void cpe_uri_pct02_alone_is_any(void **state)
{
    (void)state;
    struct vg_cpe_name uri, fs;
    parse_ok("cpe:/a:v:%02", &uri);
    assert_int_equal(uri.cpe.kind[VG_CPE_PRODUCT], VG_CPE_ANY);
    assert_string_equal(fs_of(&uri), "cpe:2.3:a:v:*:*:*:*:*:*:*:*:*");
    parse_ok(fs_of(&uri), &fs);
    assert_int_equal(vg_cpe_compare(&uri.cpe, &fs.cpe), VG_CPE_EQUAL);
    assert_int_equal(vg_cpe_compare(&fs.cpe, &uri.cpe), VG_CPE_EQUAL);
    struct vg_cpe_name t;
    parse_ok("cpe:2.3:a:v:p:*:*:*:*:*:*:*:*", &t);
    assert_int_equal(vg_cpe_compare(&uri.cpe, &t.cpe), VG_CPE_SUPERSET);
    assert_int_equal(vg_cpe_compare(&t.cpe, &uri.cpe), VG_CPE_SUBSET); /* not UNDEFINED */
    /* "%01" alone stays a one-character wildcard */
    parse_ok("cpe:/a:v:%01", &uri);
    assert_int_equal(uri.cpe.kind[VG_CPE_PRODUCT], VG_CPE_VALUE);
    assert_string_equal(fs_of(&uri), "cpe:2.3:a:v:?:*:*:*:*:*:*:*:*");
}

/* "CPE:2.3:" and "CPE:/" are read (the prefix ignores case) and part "A" is part a. */
static void cpe_prefix_and_part_ignore_case(void **state)
{
    (void)state;
    struct vg_cpe_name up, low;
    parse_ok("CPE:2.3:A:Apache:HTTP_Server:2.4.49:*:*:*:*:*:*:*", &up);
    assert_string_equal(fs_of(&up), "cpe:2.3:a:Apache:HTTP_Server:2.4.49:*:*:*:*:*:*:*");
    struct vg_str part = vg_cpe_value(&up.cpe, VG_CPE_PART);
    assert_int_equal(part.len, 1);
    assert_int_equal(part.ptr[0], 'a');
    parse_ok("cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", &low);
    assert_int_equal(vg_cpe_compare(&up.cpe, &low.cpe), VG_CPE_EQUAL);
    char k1[256], k2[256];
    size_t n1, n2;
    assert_true(vg_cpe_product_key(&up.cpe, k1, sizeof k1, &n1));
    assert_true(vg_cpe_product_key(&low.cpe, k2, sizeof k2, &n2));
    assert_string_equal(k1, "a:apache:http_server");
    assert_string_equal(k2, k1);
    parse_ok("Cpe:/O:Microsoft:Windows_10", &up);
    assert_string_equal(fs_of(&up), "cpe:2.3:o:microsoft:windows_10:*:*:*:*:*:*:*:*");
    parse_refused("cpe:2.3:Q:v:p:*:*:*:*:*:*:*:*", "part");
    parse_refused("cpf:2.3:a:v:p:*:*:*:*:*:*:*:*", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpe_language_is_an_rfc5646_tag),
        cmocka_unit_test(cpe_uri_raw_wildcard_refused),
        cmocka_unit_test(cpe_uri_pct02_alone_is_any),
        cmocka_unit_test(cpe_prefix_and_part_ignore_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
