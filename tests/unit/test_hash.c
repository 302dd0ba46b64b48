/* Unit tests of src/util/hash.c: the string map, the integer map and the bounded cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
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

struct val {
    double d;
    long n;
};

static void cache_keeps_and_finds(void **state)
{
    (void)state;
    struct vg_cache c = {0};
    bool added;
    assert_null(vg_cache_get(&c, "a", 1)); /* not initialised: nothing, no crash */
    assert_null(vg_cache_put(&c, "a", 1, &added));
    assert_int_equal(vg_cache_init(&c, 6, 2, 8, 1), VG_EINVAL); /* not a power of two */
    assert_int_equal(vg_cache_init(&c, 8, 9, 8, 1), VG_EINVAL); /* window past the table */
    assert_int_equal(vg_cache_init(&c, 8, 0, 8, 1), VG_EINVAL); /* no window */
    assert_int_equal(vg_cache_init(&c, 64, 64, 16, sizeof(struct val)), 0);
    struct val *v = vg_cache_put(&c, "10.0.0.1", 8, &added);
    assert_non_null(v);
    assert_true(added);
    assert_true(v->d == 0 && v->n == 0); /* a new value is zeroed */
    assert_int_equal((uintptr_t)v % _Alignof(struct val), 0);
    v->d = 2.5;
    v->n = 7;
    struct val *w = vg_cache_put(&c, "10.0.0.1", 8, &added);
    assert_ptr_equal(w, v);
    assert_false(added);
    assert_true(w->d == 2.5 && w->n == 7); /* kept */
    assert_ptr_equal(vg_cache_get(&c, "10.0.0.1", 8), v);
    assert_null(vg_cache_get(&c, "10.0.0.1", 7)); /* a prefix is another key */
    assert_null(vg_cache_get(&c, "10.0.0.2", 8));
    /* the longest key fits, a longer one is refused; the empty key and NUL bytes are keys */
    assert_non_null(vg_cache_put(&c, "0123456789abcdef", 16, &added));
    assert_ptr_equal(vg_cache_get(&c, "0123456789abcdef", 16),
                     vg_cache_put(&c, "0123456789abcdef", 16, &added));
    assert_null(vg_cache_put(&c, "0123456789abcdefg", 17, &added));
    assert_null(vg_cache_get(&c, "0123456789abcdefg", 17));
    assert_non_null(vg_cache_put(&c, "", 0, &added));
    assert_non_null(vg_cache_put(&c, "a\0b", 3, &added));
    assert_null(vg_cache_get(&c, "a\0c", 3));
    assert_int_equal(vg_cache_count(&c), 4);
    vg_cache_clear(&c);
    assert_int_equal(vg_cache_count(&c), 0);
    assert_null(vg_cache_get(&c, "10.0.0.1", 8));
    vg_cache_cleanup(&c);
    vg_cache_cleanup(&c); /* twice: nothing left to free */
    assert_null(vg_cache_get(&c, "10.0.0.1", 8));
}

/* Memory stays fixed under any number of keys: a full window gives way to the new key by
 * evicting its least recently used one, and only that one. */
static void cache_evicts_least_recently_used(void **state)
{
    (void)state;
    struct vg_cache c;
    bool added;
    assert_int_equal(vg_cache_init(&c, 16, 16, 8, sizeof(long)), 0); /* one window: all slots */
    char k[8];
    for (long i = 0; i < 16; i++) {
        memcpy(k, &i, sizeof k);
        long *v = vg_cache_put(&c, k, sizeof k, &added);
        assert_true(added);
        *v = i;
    }
    assert_int_equal(vg_cache_count(&c), 16);
    long zero = 0, one = 1, two = 2, new = 100;
    assert_non_null(vg_cache_get(&c, &zero, sizeof zero)); /* 0 used again: 1 is the oldest */
    long *v = vg_cache_put(&c, &new, sizeof new, &added);
    assert_true(added);
    assert_int_equal(*v, 0);
    assert_int_equal(vg_cache_count(&c), 16);
    assert_null(vg_cache_get(&c, &one, sizeof one)); /* evicted */
    assert_non_null(vg_cache_get(&c, &zero, sizeof zero));
    assert_non_null(vg_cache_get(&c, &two, sizeof two));
    for (long i = 3; i < 16; i++) /* every other key stayed */
        assert_non_null(vg_cache_get(&c, &i, sizeof i));
    /* a put that finds its key uses it too: 100 is now the newest, not evicted next */
    assert_non_null(vg_cache_put(&c, &new, sizeof new, &added));
    assert_false(added);
    for (long i = 1000; i < 100000; i++) /* many more keys than slots: still 16 */
        assert_non_null(vg_cache_put(&c, &i, sizeof i, &added));
    assert_int_equal(vg_cache_count(&c), 16);
    long last = 99999;
    assert_non_null(vg_cache_get(&c, &last, sizeof last));
    vg_cache_cleanup(&c);
}

/* A short window: a key only ever sits within `probe` slots of its place, so eviction stays
 * local, and a lookup looks no further. */
static void cache_window_is_bounded(void **state)
{
    (void)state;
    struct vg_cache c;
    bool added;
    assert_int_equal(vg_cache_init(&c, 1024, 4, 8, sizeof(int)), 0);
    for (long i = 0; i < 100000; i++)
        assert_non_null(vg_cache_put(&c, &i, sizeof i, &added));
    assert_true(vg_cache_count(&c) <= 1024);
    assert_true(vg_cache_count(&c) > 900);  /* the table is used, not one window of it */
    for (size_t i = 0; i < c.nslots; i++) { /* every key within its window */
        const unsigned char *slot = c.slots + i * c.stride;
        uint32_t h;
        memcpy(&h, slot + 8 + 8, sizeof h); /* after the value (rounded to 8) and the stamp */
        assert_true(((i - (h & 1023)) & 1023) < 4);
    }
    vg_cache_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strmap_numbers_keys_in_order),
        cmocka_unit_test(u64map_sets_and_replaces),
        cmocka_unit_test(cache_keeps_and_finds),
        cmocka_unit_test(cache_evicts_least_recently_used),
        cmocka_unit_test(cache_window_is_bounded),
    };
    return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
