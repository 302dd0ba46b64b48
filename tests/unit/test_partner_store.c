/* Unit tests of partners in the store and their use cases (store/partner.h, app/partner.h):
 * tokens found, cached and refused once revoked or their partner disabled; the recipient an
 * actor is; and the TLP a sighting carries (its own, or its indicator's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "app/auth.h"
#include "app/partner.h"
#include "store/store.h"
#include "store_fixture.h"

static long long add_partner(struct vg_store *st, const char *name, const char *max_tlp)
{
    json_t *in = json_pack("{s:s,s:s,s:s}", "name", name, "country", "FR", "max_tlp", max_tlp),
           *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_partner_create(st, &who, in, &out, &d), 0);
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(out);
    return id;
}

static void set_disabled(struct vg_store *st, long long id, bool off)
{
    json_t *in = json_pack("{s:b}", "disabled", off), *out = NULL;
    struct vg_diag d;
    assert_int_equal(vg_partner_update(st, &who, id, in, &out, &d), 0);
    json_decref(in);
    json_decref(out);
}

static void partner_tokens(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    assert_int_equal(vg_auth_init(), 0);
    long long p = add_partner(f->st, "CERT-A", "AMBER");
    /* the name is unique, case ignored */
    json_t *dup = json_pack("{s:s,s:s}", "name", "cert-a", "country", "DE"), *out = NULL;
    assert_int_equal(vg_partner_create(f->st, &who, dup, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "/name");
    json_decref(dup);
    char tok[VG_PARTNER_TOKEN_LEN + 1];
    json_t *meta = NULL;
    assert_int_equal(vg_partner_token_new(f->st, &who, p, "t", tok, &meta, &d), 0);
    json_decref(meta);
    assert_int_equal(vg_partner_token_new(f->st, &who, 999, "t", tok, &meta, &d), VG_ENOENT);
    assert_int_equal(vg_partner_token_new(f->st, &who, p, "t", tok, &meta, &d), 0);
    long long tid = (long long)json_integer_value(json_object_get(meta, "id"));
    json_decref(meta);
    struct vg_actor a;
    struct vg_token_meta m;
    for (int i = 0; i < 2; i++) { /* read, then from the cache */
        memset(&a, 0x55, sizeof a);
        assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok), &a, &m), 0);
        assert_int_equal(a.user_id, 0);
        assert_int_equal(a.partner_id, p);
        assert_string_equal(a.name, "CERT-A");
        assert_string_equal(a.role, "partner");
        assert_string_equal(m.kind, "partner");
        assert_int_equal(m.id, tid);
    }
    /* the recipient it is: a partner with its max_tlp read now */
    struct vg_recipient r;
    assert_int_equal(vg_partner_recipient(f->st, &a, &r, &d), 0);
    assert_int_equal(r.kind, VG_RCPT_PARTNER);
    assert_int_equal(r.max_tlp, VG_TLP_AMBER);
    assert_int_equal(r.partner_id, p);
    /* a user is an internal recipient */
    assert_int_equal(vg_partner_recipient(f->st, &who, &r, &d), 0);
    assert_int_equal(r.kind, VG_RCPT_INTERNAL);
    /* a partner token is never a user's, nor a truncated or altered one a token */
    assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok) - 1, &a, &m), VG_ENOENT);
    char alt[VG_PARTNER_TOKEN_LEN + 1];
    memcpy(alt, tok, sizeof alt);
    alt[1] = 't'; /* "vtp_": neither prefix */
    assert_int_equal(vg_auth_token_check(f->st, alt, strlen(alt), &a, &m), VG_ENOENT);
    /* disabled: refused, even though cached; its recipient is gone */
    set_disabled(f->st, p, true);
    assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok), &a, &m), VG_ENOENT);
    struct vg_actor pa = {0, "CERT-A", "partner", p};
    assert_int_equal(vg_partner_recipient(f->st, &pa, &r, &d), VG_ENOENT);
    set_disabled(f->st, p, false);
    assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok), &a, &m), 0);
    /* revoked: refused at once, though cached */
    assert_int_equal(vg_store_partner_token_revoke(f->st, &who, p, tid, &d), 0);
    assert_int_equal(vg_auth_token_check(f->st, tok, strlen(tok), &a, &m), VG_ENOENT);
    assert_int_equal(vg_store_partner_token_revoke(f->st, &who, p, tid, &d), VG_ENOENT);
    json_t *list = NULL;
    assert_int_equal(vg_store_partner_token_list(f->st, p, &list), 0);
    assert_int_equal(json_array_size(list), 2);
    assert_true(json_is_string(json_object_get(json_array_get(list, 1), "revoked")));
    json_decref(list);
    pa.partner_id = 999;
    assert_int_equal(vg_partner_recipient(f->st, &pa, &r, &d), VG_ENOENT);
}

static void sighting_tlp(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *inds = json_pack("[{s:s,s:s,s:s}]", "type", "domain-name", "value", "evil.example",
                             "tlp", "GREEN"),
           *out = NULL;
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    json_decref(inds);
    json_decref(out);
    json_t *one = NULL;
    struct vg_page page = {10, NULL};
    assert_int_equal(vg_store_indicator_list(f->st, NULL, &page, &one, &d), 0);
    long long ind = (long long)
        json_integer_value(json_object_get(json_array_get(json_object_get(one, "items"), 0), "id"));
    json_decref(one);
    struct vg_sighting sg[] = {
        {ind, 0, "2026-12-01T00:00:00Z", "a.evil.example", NULL, NULL, NULL},
        {ind, 0, "2026-12-01T00:00:01Z", "b.evil.example", NULL, NULL, "RED"},
    };
    assert_int_equal(vg_store_sightings_record(f->st, &who, sg, 2, NULL, &d), 0);
    json_t *list = NULL;
    assert_int_equal(vg_store_sighting_list(f->st, NULL, &page, &list, &d), 0);
    json_t *items = json_object_get(list, "items"); /* newest first */
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "tlp")), "RED");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "tlp")),
                        "GREEN");
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(partner_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(sighting_tlp, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
