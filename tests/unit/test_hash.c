/* Unit tests of src/util/hash.c: the string map and the integer map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/hash.h"

static void strmap_numbers_keys_in_order(void **state)
{
    (void)state;
    struct vg_strmap m;
    vg_strmap_init(&m);
    bool added;
    assert_int_equal(vg_strmap_find(&m, "a", 1), -1);
    char k[32];
    for (int i = 0; i < 5000; i++) { /* past several growths of slots, entries and keys */
        int n = snprintf(k, sizeof k, "key %d", i);
        assert_int_equal(vg_strmap_put(&m, k, (size_t)n, (uint32_t)i * 2, &added), i);
        assert_true(added);
    }
    assert_int_equal(vg_strmap_count(&m), 5000);
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof k, "key %d", i);
        assert_int_equal(vg_strmap_find(&m, k, (size_t)n), i);
        assert_string_equal(vg_strmap_key(&m, (size_t)i), k);
        assert_int_equal(vg_strmap_val(&m, (size_t)i), (uint32_t)i * 2);
    }
    /* an existing key: its number, not added, value kept */
    assert_int_equal(vg_strmap_put(&m, "key 7", 5, 99, &added), 7);
    assert_false(added);
    assert_int_equal(vg_strmap_val(&m, 7), 14);
    vg_strmap_set(&m, 7, 99);
    assert_int_equal(vg_strmap_val(&m, 7), 99);
    /* keys are bytes: a prefix, an empty key and a NUL inside are keys of their own */
    assert_int_equal(vg_strmap_find(&m, "key 7", 4), -1);
    assert_int_equal(vg_strmap_put(&m, "", 0, 1, &added), 5000);
    assert_int_equal(vg_strmap_put(&m, "a\0b", 3, 1, &added), 5001);
    assert_int_equal(vg_strmap_find(&m, "a\0c", 3), -1);
    assert_int_equal(vg_strmap_find(&m, "a\0b", 3), 5001);
    assert_true(vg_strmap_bytes(&m) > 5000 * 6);
    vg_strmap_cleanup(&m);
    assert_int_equal(vg_strmap_count(&m), 0);
    vg_strmap_cleanup(&m); /* twice: nothing left to free */
}

static void u64map_sets_and_replaces(void **state)
{
    (void)state;
    struct vg_u64map m = {0};
    assert_int_equal(vg_u64map_find(&m, 42), -1);
    for (uint64_t i = 0; i < 10000; i++) /* keys sharing their low bits */
        assert_int_equal(vg_u64map_put(&m, i << 32, (uint32_t)i), 0);
    assert_int_equal(m.n, 10000);
    for (uint64_t i = 0; i < 10000; i++)
        assert_int_equal(vg_u64map_find(&m, i << 32), (long)i);
    assert_int_equal(vg_u64map_find(&m, 1), -1);
    assert_int_equal(vg_u64map_put(&m, 5ull << 32, 7), 0);
    assert_int_equal(m.n, 10000);
    assert_int_equal(vg_u64map_find(&m, 5ull << 32), 7);
    assert_int_equal(vg_u64map_put(&m, 1, UINT32_MAX), -1); /* the one value it cannot hold */
    vg_u64map_cleanup(&m);
    assert_int_equal(vg_u64map_find(&m, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strmap_numbers_keys_in_order),
        cmocka_unit_test(u64map_sets_and_replaces),
    };
    return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
