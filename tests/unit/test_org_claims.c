/* Unit tests of organisations' domain claims (issue 11 item 15): a domain has one owner, so a
 * second claim of it is refused (VG_EEXIST naming the field and the owner) while a more
 * specific one is allowed and wins, in the intake's lookup (vg_store_org_find_by_domain) and
 * in the attribution table (core/attrib.c) alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/attrib.h"
#include "core/record.h"
#include "store_fixture.h"

/* Creates organisation name claiming domains (NULL-terminated); returns its id, or the
 * negative code with d filled. */
static long long org_with(struct vg_store *st, const char *name, const char *const *domains,
                          struct vg_diag *d)
{
    json_t *doms = json_array();
    for (size_t i = 0; domains[i]; i++)
        json_array_append_new(doms, json_string(domains[i]));
    json_t *in = json_pack("{s:s,s:s,s:{s:o}}", "name", name, "kind", "ministry", "assets",
                           "domains", doms),
           *org = NULL, *out = NULL;
    vg_diag_clear(d);
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &org, d), 0);
    int rc = vg_store_org_create(st, &who, org, &out, d);
    long long id = rc ? rc : (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(org);
    json_decref(in);
    return id;
}

static long long owner(struct vg_store *st, const char *domain)
{
    json_t *out = NULL;
    if (vg_store_org_find_by_domain(st, domain, &out) != 0)
        return 0;
    long long id = (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    return id;
}

static void org_domain_claimed_twice_refused(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long a = org_with(f->st, "A", (const char *const[]){"min.example", NULL}, &d);
    assert_true(a > 0);
    long long rc =
        org_with(f->st, "B", (const char *const[]){"b.example", "Min.Example.", NULL}, &d);
    assert_int_equal(rc, VG_EEXIST);
    assert_string_equal(d.field, "/assets/domains/1");
    assert_non_null(strstr(d.message, "'min.example' is claimed by organisation 1 (A)"));
    /* nothing of B was written */
    assert_int_equal(owner(f->st, "b.example"), 0);
    long long b = org_with(f->st, "B", (const char *const[]){"b.example", NULL}, &d);
    assert_true(b > a);
    /* PATCH: the same refusal, and the organisation keeps what it had */
    json_t *patch = json_pack("{s:{s:[s,s]}}", "assets", "domains", "b.example", "min.example"),
           *out = NULL;
    vg_diag_clear(&d);
    assert_int_equal(vg_store_org_update(f->st, &who, b, patch, &out, &d), VG_EEXIST);
    assert_string_equal(d.field, "/assets/domains/1");
    json_decref(patch);
    assert_int_equal(owner(f->st, "b.example"), b);
    assert_int_equal(owner(f->st, "min.example"), a);
    /* its own claim again is no conflict */
    patch = json_pack("{s:{s:[s]}}", "assets", "domains", "min.example");
    assert_int_equal(vg_store_org_update(f->st, &who, a, patch, &out, &d), 0);
    json_decref(out);
    json_decref(patch);
}

static void org_more_specific_claim_wins(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long parent = org_with(f->st, "Parent", (const char *const[]){"example.org", NULL}, &d);
    long long child = org_with(f->st, "Child", (const char *const[]){"dept.example.org", NULL}, &d);
    /* the parent claimed after the child: the order of creation does not matter */
    long long grand = org_with(f->st, "Grand", (const char *const[]){"org.example", NULL}, &d);
    long long leaf = org_with(f->st, "Leaf", (const char *const[]){"x.y.org.example", NULL}, &d);
    assert_true(parent > 0 && child > 0 && grand > 0 && leaf > 0);
    assert_int_equal(owner(f->st, "www.example.org"), parent);
    assert_int_equal(owner(f->st, "example.org"), parent);
    assert_int_equal(owner(f->st, "dept.example.org"), child);
    assert_int_equal(owner(f->st, "a.b.dept.example.org"), child);
    assert_int_equal(owner(f->st, "y.org.example"), grand);
    assert_int_equal(owner(f->st, "z.x.y.org.example"), leaf);
    struct vg_attrib *at = vg_store_attrib_new(f->st, &d);
    assert_non_null(at);
    assert_int_equal(vg_attrib_host(at, "www.example.org"), parent);
    assert_int_equal(vg_attrib_host(at, "WWW.Dept.Example.Org."), child);
    assert_int_equal(vg_attrib_host(at, "dept.example.org"), child);
    assert_int_equal(vg_attrib_host(at, "y.org.example"), grand);
    assert_int_equal(vg_attrib_host(at, "x.y.org.example"), leaf);
    assert_int_equal(vg_attrib_host(at, "notexample.org"), 0);
    vg_attrib_free(at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(org_domain_claimed_twice_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(org_more_specific_claim_wins, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
