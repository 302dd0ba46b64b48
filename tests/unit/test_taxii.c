/* Unit tests of the TAXII server's use cases (src/app/taxii.c) that no route reaches alone:
 * TAXII timestamps at their boundaries, a partner's inbox, and the hook a stored posted object
 * is handed to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/taxii.h"
#include "core/tlp.h"
#include "store_fixture.h"
#include "util/uuid.h"

static void timestamps(void **state)
{
    (void)state;
    long long us;
    assert_int_equal(vg_taxii_time_parse("2024-01-02T03:04:05Z", &us), 0);
    assert_int_equal(us, 1704164645000000LL);
    assert_int_equal(vg_taxii_time_parse("2024-01-02T03:04:05.1Z", &us), 0);
    assert_int_equal(us, 1704164645100000LL);
    assert_int_equal(vg_taxii_time_parse("2024-01-02T03:04:05.123456789Z", &us), 0);
    assert_int_equal(us, 1704164645123456LL); /* past microseconds: cut */
    assert_int_equal(vg_taxii_time_parse("2024-02-29T00:00:00Z", &us), 0);
    assert_int_equal(vg_taxii_time_parse("2000-02-29T00:00:00Z", &us), 0);
    const char *bad[] = {"2023-02-29T00:00:00Z",
                         "1900-02-29T00:00:00Z",
                         "2024-01-02T03:04:05.1234567890Z",
                         "2024-01-02T03:04:05.Z",
                         "2024-01-02T03:04:05",
                         "2024-01-02T03:04:05+00:00",
                         "2024-01-02 03:04:05Z",
                         "2024-13-02T03:04:05Z",
                         "2024-04-31T03:04:05Z",
                         "2024-01-02T24:04:05Z",
                         "2024-01-02T03:60:05Z",
                         "1969-12-31T23:59:59Z",
                         "2024-01-02T03:04:05Zx",
                         "",
                         "2024-1-02T03:04:05Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (vg_taxii_time_parse(bad[i], &us) == 0)
            fail_msg("accepted %s", bad[i]);
    char out[32];
    vg_taxii_time_fmt(1704164645000001LL, out);
    assert_string_equal(out, "2024-01-02T03:04:05.000001Z");
    assert_int_equal(vg_taxii_time_parse(out, &us), 0);
    assert_int_equal(us, 1704164645000001LL);
}

static void inbox(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *out = NULL;
    assert_int_equal(vg_taxii_inbox_create(f->st, &who, 7, "CERT-EU", &out, &d), 0);
    char id[VG_UUID_LEN + 1];
    vg_uuid5(vg_uuid_ns_vigie, "taxii-inbox:7", 13, id);
    assert_string_equal(json_string_value(json_object_get(out, "id")), id);
    assert_string_equal(json_string_value(json_object_get(out, "title")), "Inbox of CERT-EU");
    json_t *want = json_pack("[i]", 7);
    assert_true(json_equal(json_object_get(out, "readers"), want));
    assert_true(json_equal(json_object_get(out, "writers"), want));
    json_decref(want);
    /* the partner reads and writes it; another partner does not see it */
    struct vg_actor p7 = {0, "CERT-EU", "partner", 7}, p8 = {0, "CERT-NL", "partner", 8};
    bool r, w;
    vg_taxii_rights(&p7, out, &r, &w);
    assert_true(r && w);
    vg_taxii_rights(&p8, out, &r, &w);
    assert_false(r || w);
    json_decref(out);
    out = NULL;
    assert_int_equal(vg_taxii_inbox_create(f->st, &who, 7, "CERT-EU", &out, &d), VG_EEXIST);
    assert_null(out);
}

struct seen {
    int calls;
    size_t n;
    char ids[4][80];
};

static int hook(void *ctx, struct vg_store *st, const struct vg_actor *by, const char *coll,
                const json_t *objects)
{
    struct seen *s = ctx;
    assert_non_null(st);
    assert_non_null(coll);
    assert_string_equal(by->name, "tester");
    s->n = json_array_size(objects);
    for (size_t i = 0; i < s->n && i < 4; i++)
        snprintf(s->ids[i], sizeof s->ids[0], "%s",
                 json_string_value(json_object_get(json_array_get(objects, i), "id")));
    s->calls++;
    return 0;
}

static json_t *indicator(int n, const char *marking)
{
    char id[80];
    snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "indicator", "spec_version", "2.1", "id", id,
                  "created", "2024-01-01T00:00:00Z", "modified", "2024-01-01T00:00:00Z");
    if (marking)
        json_object_set_new(o, "object_marking_refs", json_pack("[s]", marking));
    return o;
}

static void posted_hook(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *coll = json_pack("{s:s}", "title", "c"), *c = NULL;
    assert_int_equal(vg_taxii_collection_create(f->st, &who, coll, &c, &d), 0);
    const char *cid = json_string_value(json_object_get(c, "id"));
    struct seen s = {0};
    vg_taxii_set_posted_hook(hook, &s);
    json_t *env =
        json_pack("{s:[o,o,{s:s},o]}", "objects", indicator(1, vg_tlp_stix_marking(VG_TLP_RED)),
                  indicator(2, NULL), "type", "x", indicator(1, vg_tlp_stix_marking(VG_TLP_RED)));
    json_t *status = NULL;
    assert_int_equal(vg_taxii_post(f->st, &who, cid, env, &status, &d), 0);
    /* two stored: handed on together, once; one refused and one already stored: not */
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.ids[0], "indicator--00000000-0000-4000-8000-000000000001");
    assert_string_equal(s.ids[1], "indicator--00000000-0000-4000-8000-000000000002");
    assert_int_equal(json_integer_value(json_object_get(status, "success_count")), 3);
    assert_int_equal(json_integer_value(json_object_get(status, "failure_count")), 1);
    json_decref(status);
    /* no hook: stored, handed to nobody */
    vg_taxii_set_posted_hook(NULL, NULL);
    json_t *env2 = json_pack("{s:[o]}", "objects", indicator(3, NULL));
    assert_int_equal(vg_taxii_post(f->st, &who, cid, env2, &status, &d), 0);
    assert_int_equal(s.calls, 1);
    assert_int_equal(json_integer_value(json_object_get(status, "success_count")), 1);
    json_decref(status);
    json_decref(env);
    json_decref(env2);
    json_decref(coll);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamps),
        cmocka_unit_test_setup_teardown(inbox, setup, teardown),
        cmocka_unit_test_setup_teardown(posted_hook, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
