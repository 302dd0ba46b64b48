/* Unit tests of form bodies (util/form.h): '+' and %XX decoded, empty pieces skipped, repeated
 * names, bad escapes, NUL and bad UTF-8 refused naming the field, the field cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/form.h"
#include "util/mem.h"

/* Parses body (a C string), which must succeed. */
static void parse_ok(struct vg_form *f, const char *body)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_form_parse(f, body, strlen(body), &d);
    if (rc != 0)
        fail_msg("'%s' refused: %s (%s)", body, d.message, d.field);
}

/* Parses len bytes of body, which must be refused (VG_EINVAL); the diag is returned. */
static struct vg_diag refused(const char *body, size_t len)
{
    struct vg_form f;
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_form_parse(&f, body, len, &d);
    vg_form_cleanup(&f);
    if (rc != VG_EINVAL)
        fail_msg("'%.*s' gave %d, not VG_EINVAL", (int)len, body, rc);
    return d;
}

static void decoding(void **state)
{
    (void)state;
    struct vg_form f;
    parse_ok(&f, "title=a+b%20c&text=%3Cscript%3E%e2%82%AC&x%2By=1%2b1");
    assert_int_equal(f.n, 3);
    assert_string_equal(f.fields[0].name, "title");
    assert_string_equal(f.fields[0].value, "a b c");
    assert_string_equal(vg_form_get(&f, "text"), "<script>\xe2\x82\xac"); /* lower and upper */
    assert_string_equal(vg_form_get(&f, "x+y"), "1+1");
    assert_null(vg_form_get(&f, "x y"));
    assert_null(vg_form_get(&f, "nope"));
    vg_form_cleanup(&f);

    parse_ok(&f, "a=%3d%26&b=c=d"); /* '=' and '&' decoded stay in the value */
    assert_string_equal(vg_form_get(&f, "a"), "=&");
    assert_string_equal(vg_form_get(&f, "b"), "c=d");
    vg_form_cleanup(&f);
}

static void empty_pieces_and_no_equals(void **state)
{
    (void)state;
    struct vg_form f;
    parse_ok(&f, "");
    assert_int_equal(f.n, 0);
    assert_null(vg_form_get(&f, "a"));
    vg_form_cleanup(&f);

    parse_ok(&f, "&&a=1&&&b&c=&=d&");
    assert_int_equal(f.n, 4);
    assert_string_equal(vg_form_get(&f, "a"), "1");
    assert_string_equal(vg_form_get(&f, "b"), ""); /* no '=': an empty value */
    assert_string_equal(vg_form_get(&f, "c"), "");
    assert_string_equal(f.fields[3].name, "");
    assert_string_equal(f.fields[3].value, "d");
    vg_form_cleanup(&f);

    parse_ok(&f, "&&&");
    assert_int_equal(f.n, 0);
    vg_form_cleanup(&f);

    parse_ok(&f, "flag");
    assert_int_equal(f.n, 1);
    assert_string_equal(vg_form_get(&f, "flag"), "");
    vg_form_cleanup(&f);
}

static void repeated_names(void **state)
{
    (void)state;
    struct vg_form f;
    parse_ok(&f, "tlp=red&x=1&tlp=amber&tlp=");
    assert_string_equal(vg_form_get(&f, "tlp"), "red");
    assert_string_equal(vg_form_get_nth(&f, "tlp", 0), "red");
    assert_string_equal(vg_form_get_nth(&f, "tlp", 1), "amber");
    assert_string_equal(vg_form_get_nth(&f, "tlp", 2), "");
    assert_null(vg_form_get_nth(&f, "tlp", 3));
    assert_string_equal(vg_form_get_nth(&f, "x", 0), "1");
    assert_null(vg_form_get_nth(&f, "x", 1));
    vg_form_cleanup(&f);
}

static void bad_escapes_name_the_field(void **state)
{
    (void)state;
    static const char *const bodies[] = {"a=1&title=%", "a=1&title=%4", "a=1&title=%zz",
                                         "title=x%4g",  "title=%%41",   "title=ab%"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        struct vg_diag d = refused(bodies[i], strlen(bodies[i]));
        assert_string_equal(d.field, "/title");
        assert_non_null(strstr(d.message, "'%' is not followed by two hexadecimal digits"));
    }
    /* in a name: which field it is, by its position */
    struct vg_diag d = refused("a=1&ti%zle=x", 12);
    assert_non_null(strstr(d.message, "field 2's name"));
    d = refused("%", 1);
    assert_non_null(strstr(d.message, "field 1's name"));
    /* "%41" at the very end is whole */
    struct vg_form f;
    parse_ok(&f, "t=%41");
    assert_string_equal(vg_form_get(&f, "t"), "A");
    vg_form_cleanup(&f);
}

static void nul_and_bad_utf8_refused(void **state)
{
    (void)state;
    struct vg_diag d = refused("a=1&note=x%00y", 14);
    assert_string_equal(d.field, "/note");
    assert_non_null(strstr(d.message, "NUL"));
    d = refused("note=x\0y", 8); /* a raw NUL in the body */
    assert_string_equal(d.field, "/note");
    static const char *const bad[] = {"note=%ff",       "note=%c3",    "note=%c3%28",
                                      "note=%ed%a0%80", "note=%c0%af", "note=%f4%90%80%80",
                                      "note=\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = refused(bad[i], strlen(bad[i]));
        assert_string_equal(d.field, "/note");
        assert_non_null(strstr(d.message, "UTF-8"));
    }
    d = refused("n%ffote=1", 9);
    assert_non_null(strstr(d.message, "field 1's name: not UTF-8"));
    struct vg_form f;
    parse_ok(&f, "note=%C3%A9t%C3%A9+%F0%9F%98%80");
    assert_string_equal(vg_form_get(&f, "note"), "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80");
    vg_form_cleanup(&f);
}

/* The field of an error is a JSON pointer: '/' and '~' escaped, cut at a character's boundary
 * (a long name of two-byte characters once gave a pointer ending inside one: not UTF-8, which
 * the JSON error answer could not carry). */
static void error_field_is_a_utf8_pointer(void **state)
{
    (void)state;
    struct vg_diag d = refused("a/b~c=%zz", 9);
    assert_string_equal(d.field, "/a~1b~0c");
    char body[512] = "a";
    size_t o = 1;
    for (int i = 0; i < 60; i++, o += 6)
        memcpy(body + o, "%C3%A9", 6); /* "é" */
    memcpy(body + o, "=%", 3);
    d = refused(body, strlen(body));
    size_t n = strlen(d.field);
    assert_true(n >= 60 && n < 80);
    assert_int_equal(d.field[0], '/');
    assert_int_equal(d.field[1], 'a');
    for (size_t i = 2; i < n; i += 2) { /* whole "é"s only */
        assert_int_equal((unsigned char)d.field[i], 0xc3);
        assert_int_equal((unsigned char)d.field[i + 1], 0xa9);
    }
}

/* A body of n fields "f=1&f=1...". */
static char *fields(size_t n, size_t *len)
{
    char *b = vg_malloc(n * 4 + 1);
    assert_non_null(b);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(b + o, i ? "&f=1" : "f=1", i ? 4 : 3);
        o += i ? 4 : 3;
    }
    b[o] = '\0';
    *len = o;
    return b;
}

static void field_cap(void **state)
{
    (void)state;
    size_t len;
    char *b = fields(VG_FORM_MAX_FIELDS, &len);
    struct vg_form f;
    parse_ok(&f, b);
    assert_int_equal(f.n, VG_FORM_MAX_FIELDS);
    assert_string_equal(vg_form_get_nth(&f, "f", VG_FORM_MAX_FIELDS - 1), "1");
    vg_form_cleanup(&f);
    free(b);

    b = fields(VG_FORM_MAX_FIELDS + 1, &len);
    struct vg_diag d = refused(b, len);
    char want[64];
    snprintf(want, sizeof want, "more than %d fields", VG_FORM_MAX_FIELDS);
    assert_string_equal(d.message, want);
    free(b);

    /* empty pieces do not count */
    b = fields(VG_FORM_MAX_FIELDS, &len);
    char *c = vg_malloc(len + 2000);
    assert_non_null(c);
    memset(c, '&', 1000);
    memcpy(c + 1000, b, len);
    memset(c + 1000 + len, '&', 999);
    c[len + 1999] = '\0';
    parse_ok(&f, c);
    assert_int_equal(f.n, VG_FORM_MAX_FIELDS);
    vg_form_cleanup(&f);
    free(c);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decoding),
        cmocka_unit_test(empty_pieces_and_no_equals),
        cmocka_unit_test(repeated_names),
        cmocka_unit_test(bad_escapes_name_the_field),
        cmocka_unit_test(nul_and_bad_utf8_refused),
        cmocka_unit_test(error_field_is_a_utf8_pointer),
        cmocka_unit_test(field_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
