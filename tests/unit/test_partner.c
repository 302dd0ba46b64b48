/* Unit tests of the partner checks (src/core/partner.c): the ISO 3166-1 country codes, the
 * networks, max_tlp's boundaries, and the JSON pointer of every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/partner.h"

/* Every code of Debian's iso-codes (when installed) is accepted, and no other two letters. */
static void countries_all(void **state)
{
    (void)state;
    json_t *ref = json_load_file("/usr/share/iso-codes/json/iso_3166-1.json", 0, NULL);
    if (!ref)
        skip();
    char seen[26][26] = {{0}};
    size_t i, n = 0;
    json_t *c;
    json_array_foreach(json_object_get(ref, "3166-1"), i, c) {
        const char *a2 = json_string_value(json_object_get(c, "alpha_2"));
        assert_non_null(a2);
        assert_true(vg_country_valid(a2));
        seen[a2[0] - 'A'][a2[1] - 'A'] = 1;
        n++;
    }
    json_decref(ref);
    assert_int_equal(n, 249);
    for (int a = 0; a < 26; a++)
        for (int b = 0; b < 26; b++) {
            char cc[3] = {(char)('A' + a), (char)('A' + b), 0};
            if (vg_country_valid(cc) != (bool)seen[a][b])
                fail_msg("country %s: %d", cc, vg_country_valid(cc));
        }
}

static void countries_shape(void **state)
{
    (void)state;
    assert_true(vg_country_valid("FR"));
    assert_true(vg_country_valid("AD")); /* the first */
    assert_true(vg_country_valid("ZW")); /* the last */
    assert_false(vg_country_valid("fr"));
    assert_false(vg_country_valid("Fr"));
    assert_false(vg_country_valid("UK")); /* reserved, not assigned: GB */
    assert_false(vg_country_valid("XK"));
    assert_false(vg_country_valid("EU"));
    assert_false(vg_country_valid("FRA"));
    assert_false(vg_country_valid("F"));
    assert_false(vg_country_valid(""));
    assert_false(vg_country_valid(NULL));
    assert_false(vg_country_valid("A@"));
    assert_false(vg_country_valid("[A"));
}

static void max_tlp_bounds(void **state)
{
    (void)state;
    enum vg_tlp t = VG_TLP_RED;
    assert_int_equal(vg_partner_max_tlp("CLEAR", &t), 0);
    assert_int_equal(t, VG_TLP_CLEAR);
    assert_int_equal(vg_partner_max_tlp("GREEN", &t), 0);
    assert_int_equal(t, VG_TLP_GREEN);
    assert_int_equal(vg_partner_max_tlp("AMBER", &t), 0);
    assert_int_equal(t, VG_TLP_AMBER);
    assert_int_equal(vg_partner_max_tlp("AMBER+STRICT", &t), -2);
    assert_int_equal(vg_partner_max_tlp("RED", &t), -2);
    assert_int_equal(vg_partner_max_tlp("WHITE", &t), -1);
    assert_int_equal(vg_partner_max_tlp("amber", &t), -1);
    assert_int_equal(vg_partner_max_tlp("", &t), -1);
    assert_int_equal(vg_partner_max_tlp(NULL, &t), -1);
    assert_int_equal(t, VG_TLP_AMBER); /* untouched by the refusals */
}

/* Checks text in mode: the return code, and the field of a refusal. */
static void expect(const char *text, enum vg_check_mode mode, int rc, const char *field)
{
    json_t *in = json_loads(text, 0, NULL), *out = NULL;
    assert_non_null(in);
    struct vg_diag d;
    vg_diag_clear(&d);
    int got = vg_partner_check(in, mode, &out, &d);
    if (got != rc || (rc && strcmp(d.field, field) != 0))
        fail_msg("%s: rc %d field '%s' (%s), expected %d '%s'", text, got, d.field, d.message, rc,
                 field);
    json_decref(in);
    json_decref(out);
}

static void check_create(void **state)
{
    (void)state;
    json_t *in = json_loads("{\"name\":\"CERT-X\",\"country\":\"DE\",\"networks\":[\"first\","
                            "\"tf-csirt\",\"first\"]}",
                            0, NULL),
           *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_partner_check(in, VG_CHECK_CREATE, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "max_tlp")), "GREEN");
    assert_int_equal(json_array_size(json_object_get(out, "networks")), 2);
    assert_int_equal(json_array_size(json_object_get(out, "contacts")), 0);
    assert_null(json_object_get(out, "disabled"));
    json_decref(in);
    json_decref(out);

    expect("{\"country\":\"FR\"}", VG_CHECK_CREATE, VG_EINVAL, "/name");
    expect("{\"name\":\"\",\"country\":\"FR\"}", VG_CHECK_CREATE, VG_EINVAL, "/name");
    expect("{\"name\":\"  \",\"country\":\"FR\"}", VG_CHECK_CREATE, VG_EINVAL, "/name");
    expect("{\"name\":\"a\\u0001\",\"country\":\"FR\"}", VG_CHECK_CREATE, VG_EINVAL, "/name");
    expect("{\"name\":7,\"country\":\"FR\"}", VG_CHECK_CREATE, VG_EINVAL, "/name");
    expect("{\"name\":\"A\"}", VG_CHECK_CREATE, VG_EINVAL, "/country");
    expect("{\"name\":\"A\",\"country\":\"fr\"}", VG_CHECK_CREATE, VG_EINVAL, "/country");
    expect("{\"name\":\"A\",\"country\":\"UK\"}", VG_CHECK_CREATE, VG_EINVAL, "/country");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"networks\":\"first\"}", VG_CHECK_CREATE, VG_EINVAL,
           "/networks");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"networks\":[\"first\",\"FIRST\"]}",
           VG_CHECK_CREATE, VG_EINVAL, "/networks/1");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"networks\":[3]}", VG_CHECK_CREATE, VG_EINVAL,
           "/networks/0");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"max_tlp\":\"RED\"}", VG_CHECK_CREATE, VG_EINVAL,
           "/max_tlp");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"max_tlp\":\"AMBER+STRICT\"}", VG_CHECK_CREATE,
           VG_EINVAL, "/max_tlp");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"max_tlp\":\"AMBER\"}", VG_CHECK_CREATE, 0, "");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"contacts\":[{\"name\":\"B\",\"email\":\"b\"}]}",
           VG_CHECK_CREATE, VG_EINVAL, "/contacts/0/email");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"contacts\":[{\"name\":\"B\",\"email\":"
           "\"b@cert.example\",\"phone\":\"+33 1\",\"role\":\"duty\"}]}",
           VG_CHECK_CREATE, 0, "");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"disabled\":true}", VG_CHECK_CREATE, VG_EINVAL,
           "/disabled");
    expect("{\"name\":\"A\",\"country\":\"FR\",\"colour\":1}", VG_CHECK_CREATE, VG_EINVAL,
           "/colour");
}

static void check_patch(void **state)
{
    (void)state;
    json_t *in = json_loads("{\"disabled\":true}", 0, NULL), *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_partner_check(in, VG_CHECK_PATCH, &out, &d), 0);
    assert_int_equal(json_object_size(out), 1); /* no defaults in a patch */
    assert_true(json_is_true(json_object_get(out, "disabled")));
    json_decref(in);
    json_decref(out);
    expect("{}", VG_CHECK_PATCH, VG_EINVAL, "");
    expect("{\"disabled\":\"yes\"}", VG_CHECK_PATCH, VG_EINVAL, "/disabled");
    expect("{\"max_tlp\":\"RED\"}", VG_CHECK_PATCH, VG_EINVAL, "/max_tlp");
    expect("{\"country\":\"XX\"}", VG_CHECK_PATCH, VG_EINVAL, "/country");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(countries_all),  cmocka_unit_test(countries_shape),
        cmocka_unit_test(max_tlp_bounds), cmocka_unit_test(check_create),
        cmocka_unit_test(check_patch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
