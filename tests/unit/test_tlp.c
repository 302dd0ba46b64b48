/* Unit tests of the TLP gate (src/core/tlp.c): every level against every kind of recipient,
 * written out as a table (FIRST TLP 2.0 as issue 12 states it), and the names of the levels
 * in MISP tags and STIX marking definitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/model.h"
#include "core/tlp.h"

/* Recipients, in the order of the columns below. The object concerns organisation 7. */
static const struct vg_recipient rcpts[] = {
    {VG_RCPT_INTERNAL, VG_TLP_CLEAR, 0, 0},
    {VG_RCPT_PUBLIC, VG_TLP_AMBER, 0, 0},      /* max_tlp means nothing to the public */
    {VG_RCPT_PARTNER, VG_TLP_CLEAR, 0, 1},     /* partner, max CLEAR */
    {VG_RCPT_PARTNER, VG_TLP_GREEN, 0, 2},     /* partner, max GREEN */
    {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 3},     /* partner, max AMBER */
    {VG_RCPT_PARTNER, VG_TLP_RED, 0, 4},       /* a corrupt max_tlp: still capped */
    {VG_RCPT_PARTNER, VG_TLP_AMBER, 7, 5},     /* a partner with an org id: not a client */
    {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, 7, 0}, /* the constituent concerned */
    {VG_RCPT_CONSTITUENT, VG_TLP_RED, 8, 0},   /* another constituent */
};
#define NR (sizeof rcpts / sizeof rcpts[0])

static const bool expected[5][NR] = {
    /*              int    pub    p:C    p:G    p:A    p:R?   p:A+7  c:7    c:8 */
    [VG_TLP_CLEAR] = {true, true, true, true, true, true, true, true, true},
    [VG_TLP_GREEN] = {true, false, false, true, true, true, true, true, true},
    [VG_TLP_AMBER] = {true, false, false, false, true, true, true, true, false},
    [VG_TLP_AMBER_STRICT] = {true, false, false, false, false, false, false, true, false},
    [VG_TLP_RED] = {true, false, false, false, false, false, false, false, false},
};

static void gate_table(void **state)
{
    (void)state;
    for (int t = 0; t < 5; t++) {
        for (size_t r = 0; r < NR; r++) {
            bool got = vg_tlp_may_send((enum vg_tlp)t, 7, &rcpts[r]);
            if (got != expected[t][r])
                fail_msg("TLP %s to recipient %zu: %d, expected %d", vg_tlp_name((enum vg_tlp)t), r,
                         got, expected[t][r]);
            /* by name, the same */
            assert_int_equal(vg_tlp_may_send_name(vg_tlp_name((enum vg_tlp)t), 7, &rcpts[r]),
                             expected[t][r]);
        }
    }
}

static void gate_unconcerned(void **state)
{
    (void)state;
    /* an object that concerns no organisation: AMBER and AMBER+STRICT reach no constituent */
    struct vg_recipient c0 = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, 0, 0};
    struct vg_recipient c7 = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, 7, 0};
    assert_false(vg_tlp_may_send(VG_TLP_AMBER, 0, &c0));
    assert_false(vg_tlp_may_send(VG_TLP_AMBER_STRICT, 0, &c0));
    assert_false(vg_tlp_may_send(VG_TLP_AMBER, 0, &c7));
    assert_true(vg_tlp_may_send(VG_TLP_GREEN, 0, &c0));
    /* no recipient, or a level out of range: nothing goes */
    assert_false(vg_tlp_may_send(VG_TLP_CLEAR, 0, NULL));
    assert_false(vg_tlp_may_send((enum vg_tlp)5, 0, &rcpts[0]));
    assert_false(vg_tlp_may_send((enum vg_tlp) - 1, 0, &rcpts[0]));
}

static void tlp_names(void **state)
{
    (void)state;
    enum vg_tlp t;
    /* the gate's names are the data model's */
    for (int i = 0; i < 5; i++) {
        assert_string_equal(vg_tlp_name((enum vg_tlp)i), vg_tlp_names[i]);
        assert_int_equal(vg_tlp_rank(vg_tlp_names[i]), i);
    }
    assert_int_equal(vg_tlp_level(NULL), VG_TLP_AMBER); /* no TLP is AMBER */
    assert_int_equal(vg_tlp_level(""), VG_TLP_AMBER);
    assert_int_equal(vg_tlp_level("amber+strict"), VG_TLP_AMBER_STRICT);
    assert_int_equal(vg_tlp_level("TLP:GREEN"), VG_TLP_GREEN);
    assert_int_equal(vg_tlp_level("WHITE"), VG_TLP_CLEAR);
    assert_int_equal(vg_tlp_level("PURPLE"), VG_TLP_RED); /* unknown never leaves */
    assert_int_equal(vg_tlp_level("AMBER+"), VG_TLP_RED);
    assert_int_equal(vg_tlp_parse("PURPLE", &t), -1);
    assert_int_equal(vg_tlp_parse(NULL, &t), -1);
    assert_int_equal(vg_tlp_parse("Red", &t), 0);
    assert_int_equal(t, VG_TLP_RED);
}

static void tlp_misp_tags(void **state)
{
    (void)state;
    static const char *tags[] = {"tlp:clear", "tlp:green", "tlp:amber", "tlp:amber+strict",
                                 "tlp:red"};
    enum vg_tlp t;
    for (int i = 0; i < 5; i++) {
        assert_string_equal(vg_tlp_misp_tag((enum vg_tlp)i), tags[i]);
        assert_int_equal(vg_tlp_from_misp_tag(tags[i], &t), 0);
        assert_int_equal(t, i);
    }
    assert_int_equal(vg_tlp_from_misp_tag("TLP:WHITE", &t), 0);
    assert_int_equal(t, VG_TLP_CLEAR);
    assert_int_equal(vg_tlp_from_misp_tag("tlp:ex:chr", &t), 0);
    assert_int_equal(t, VG_TLP_RED);
    assert_int_equal(vg_tlp_from_misp_tag("pap:green", &t), -1);
    assert_int_equal(vg_tlp_from_misp_tag("tlp:purple", &t), -1);
    assert_int_equal(vg_tlp_from_misp_tag(NULL, &t), -1);
}

static void tlp_stix_markings(void **state)
{
    (void)state;
    enum vg_tlp t;
    assert_string_equal(vg_tlp_stix_marking(VG_TLP_CLEAR),
                        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    assert_string_equal(vg_tlp_stix_marking(VG_TLP_AMBER_STRICT),
                        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
    assert_string_equal(vg_tlp_stix_marking(VG_TLP_RED),
                        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    for (int i = 0; i < 5; i++) {
        assert_int_equal(vg_tlp_from_stix_marking(vg_tlp_stix_marking((enum vg_tlp)i), &t), 0);
        assert_int_equal(t, i);
    }
    /* TLP 1.0 markings of STIX 2.1 */
    assert_int_equal(
        vg_tlp_from_stix_marking("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", &t),
        0);
    assert_int_equal(t, VG_TLP_CLEAR);
    assert_int_equal(
        vg_tlp_from_stix_marking("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", &t),
        0);
    assert_int_equal(t, VG_TLP_RED);
    assert_int_equal(
        vg_tlp_from_stix_marking("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec", &t),
        -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_table),        cmocka_unit_test(gate_unconcerned),
        cmocka_unit_test(tlp_names),         cmocka_unit_test(tlp_misp_tags),
        cmocka_unit_test(tlp_stix_markings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
