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

/* Pins found by mutation (docs/TESTING.md, "Mutation score"): the ends of the tables of
 * names, tags and markings (a level one past the last is RED, never a read past the table),
 * the "TLP:" prefix taken only whole, and every TLP 1.0 marking of STIX 2.1. */
static void tlp_pins(void **state)
{
    (void)state;
    enum vg_tlp t = VG_TLP_CLEAR;
    /* one past the last level, and far past: the strictest names */
    assert_string_equal(vg_tlp_name((enum vg_tlp)5), "RED");
    assert_string_equal(vg_tlp_name((enum vg_tlp) - 1), "RED");
    assert_string_equal(vg_tlp_misp_tag((enum vg_tlp)5), "tlp:red");
    assert_string_equal(vg_tlp_stix_marking((enum vg_tlp)5),
                        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
    /* the prefix is "TLP:" with its colon, in any case, and only once */
    assert_int_equal(vg_tlp_parse("TLPxRED", &t), -1);
    assert_int_equal(vg_tlp_parse("TLP", &t), -1);
    assert_int_equal(vg_tlp_parse("TLP:", &t), -1);
    assert_int_equal(vg_tlp_parse("TLP:TLP:RED", &t), -1);
    assert_int_equal(vg_tlp_parse("tlp:amber", &t), 0);
    assert_int_equal(t, VG_TLP_AMBER);
    assert_int_equal(vg_tlp_parse("CLEAR", &t), 0); /* the first name of the table */
    assert_int_equal(t, VG_TLP_CLEAR);
    t = VG_TLP_RED;
    assert_int_equal(vg_tlp_parse("white", &t), 0);
    assert_int_equal(t, VG_TLP_CLEAR);
    assert_int_equal(vg_tlp_parse("WHITEx", &t), -1);
    assert_int_equal(vg_tlp_level("TLP:CLEAR"), VG_TLP_CLEAR);
    assert_int_equal(vg_tlp_level("x"), VG_TLP_RED);
    /* MISP tags: "tlp:" whole; an extension is RED */
    assert_int_equal(vg_tlp_from_misp_tag("tlpxred", &t), -1);
    assert_int_equal(vg_tlp_from_misp_tag("tlp", &t), -1);
    assert_int_equal(vg_tlp_from_misp_tag("tlp:", &t), -1);
    assert_int_equal(vg_tlp_from_misp_tag("TLP:EX:Foo", &t), 0);
    assert_int_equal(t, VG_TLP_RED);
    assert_int_equal(vg_tlp_from_misp_tag("tlp:ex", &t), -1);
    assert_int_equal(vg_tlp_from_misp_tag("tlp:clear", &t), 0);
    assert_int_equal(t, VG_TLP_CLEAR);
    /* every TLP 1.0 marking of STIX 2.1, and the TLP 2.0 ones in any case */
    static const struct {
        const char *id;
        enum vg_tlp tlp;
    } v1[] = {
        {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", VG_TLP_CLEAR},
        {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", VG_TLP_GREEN},
        {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", VG_TLP_AMBER},
        {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", VG_TLP_RED},
        {"MARKING-DEFINITION--34098FCE-860F-48AE-8E50-EBD3CC5E41DA", VG_TLP_GREEN},
        {"marking-definition--BAB4A63C-aed9-4cf5-a766-dfca5abac2bb", VG_TLP_GREEN},
    };
    for (size_t i = 0; i < sizeof v1 / sizeof v1[0]; i++) {
        t = (enum vg_tlp) - 1;
        assert_int_equal(vg_tlp_from_stix_marking(v1[i].id, &t), 0);
        assert_int_equal(t, v1[i].tlp);
    }
    assert_int_equal(vg_tlp_from_stix_marking(NULL, &t), -1);
    assert_int_equal(vg_tlp_from_stix_marking("", &t), -1);
    /* the gate: a level one past the last goes nowhere, to anyone (internal included) */
    for (size_t r = 0; r < NR; r++)
        assert_false(vg_tlp_may_send((enum vg_tlp)5, 7, &rcpts[r]));
    /* a constituent concerned by organisation 0 is no constituent concerned */
    struct vg_recipient c0 = {VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, 0, 0};
    assert_false(vg_tlp_may_send(VG_TLP_AMBER_STRICT, 0, &c0));
    assert_true(vg_tlp_may_send(VG_TLP_CLEAR, 0, &c0));
    /* a partner with max_tlp AMBER+STRICT still gets AMBER at most */
    struct vg_recipient ps = {VG_RCPT_PARTNER, VG_TLP_AMBER_STRICT, 0, 9};
    assert_true(vg_tlp_may_send(VG_TLP_AMBER, 0, &ps));
    assert_false(vg_tlp_may_send(VG_TLP_AMBER_STRICT, 0, &ps));
    /* an unknown kind of recipient gets nothing */
    struct vg_recipient odd = {(enum vg_recipient_kind)42, VG_TLP_RED, 7, 0};
    assert_false(vg_tlp_may_send(VG_TLP_CLEAR, 7, &odd));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gate_table),        cmocka_unit_test(gate_unconcerned),
        cmocka_unit_test(tlp_names),         cmocka_unit_test(tlp_misp_tags),
        cmocka_unit_test(tlp_stix_markings), cmocka_unit_test(tlp_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
