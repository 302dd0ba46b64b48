/* Unit tests of the indicator index's layout (src/match/index.c): tables sized at most 7/8 full
 * (while adding and after freeze), at their boundaries (empty, one indicator, exactly at a
 * resize threshold, one past it), lookups of present and absent keys of each type, texts
 * rebuilt from their key or kept as written, and an index large enough for its arrays to be
 * mappings of their own (grown by mremap). Sizes are pinned through vg_match_index_bytes, the
 * figure `vigie match --stats` reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"

/* ---- helpers ---- */

struct found {
    const struct vg_match_index *idx;
    char text[1024]; /* "type text id;" per hit, in lookup order */
};

static int on_hit(void *ctx, uint32_t rec)
{
    struct found *f = ctx;
    struct vg_match_indicator ind;
    char buf[VG_MATCH_TEXT_MAX];
    vg_match_index_get(f->idx, rec, &ind, buf);
    size_t n = strlen(f->text);
    snprintf(f->text + n, sizeof f->text - n, "%s %.*s %lld;", vg_match_type_name(ind.type),
             (int)ind.text.len, ind.text.ptr, (long long)ind.id);
    return 0;
}

/* What a candidate string hits, as "type text id;" per hit ("" for none). */
static const char *look(const struct vg_match_index *idx, const char *cand)
{
    static struct found f;
    static struct vg_match_cand c;
    f.idx = idx;
    f.text[0] = '\0';
    vg_match_classify(vg_str_c(cand), &c);
    assert_int_equal(vg_match_index_lookup(idx, &c, on_hit, &f), 0);
    return f.text;
}

static int add(struct vg_match_index *idx, enum vg_match_type t, const char *value,
               const char *original, int64_t id)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    return vg_match_index_add(idx, t, vg_str_c(value), vg_str_c(original ? original : ""), id, &d);
}

/* The bytes an empty index counts (the structure itself). */
static size_t empty_bytes(void)
{
    struct vg_match_index *idx = vg_match_index_new();
    assert_non_null(idx);
    size_t n = vg_match_index_bytes(idx);
    vg_match_index_free(idx);
    return n;
}

#define MD5_A    "0123456789abcdef0123456789abcdef"
#define SHA1_A   "0123456789abcdef0123456789abcdef01234567"
#define SHA256_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- tests ---- */

static void index_empty(void **state)
{
    (void)state;
    struct vg_match_index *idx = vg_match_index_new();
    assert_non_null(idx);
    vg_match_index_freeze(idx);
    assert_int_equal(vg_match_index_count(idx), 0);
    assert_int_equal(vg_match_index_bytes(idx), empty_bytes());
    static const char *const cands[] = {
        "192.0.2.1",      "2001:db8::1", "evil.example", "http://evil.example/",
        "a@evil.example", MD5_A,         SHA1_A,         SHA256_A,
        "0.0.0.0",        "::",
    };
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++)
        assert_string_equal(look(idx, cands[i]), "");
    vg_match_index_free(idx);
}

/* One indicator of each type: each found by its own value only, each table 2 slots (7/8 of 2 is
 * under 2: one slot stays empty) and 8 filter words, texts equal to their key kept once. */
static void index_one_of_each(void **state)
{
    (void)state;
    struct vg_match_index *idx = vg_match_index_new();
    assert_int_equal(add(idx, VG_MATCH_IPV4, "192.0.2.1", NULL, 1), 0);
    assert_int_equal(add(idx, VG_MATCH_IPV6, "2001:db8::1", NULL, 2), 0);
    assert_int_equal(add(idx, VG_MATCH_DOMAIN, "evil.example", NULL, 3), 0);
    assert_int_equal(add(idx, VG_MATCH_URL, "http://evil.example/x", NULL, 4), 0);
    assert_int_equal(add(idx, VG_MATCH_EMAIL, "a@evil.example", NULL, 5), 0);
    assert_int_equal(add(idx, VG_MATCH_MD5, MD5_A, NULL, 6), 0);
    assert_int_equal(add(idx, VG_MATCH_SHA1, SHA1_A, NULL, 7), 0);
    assert_int_equal(add(idx, VG_MATCH_SHA256, SHA256_A, NULL, 8), 0);
    /* before freeze: 8 records, pool (5 + 17 + 12 + 21 + 14 + 16 + 20 + 32), 64 slots each, and
     * the ids (8 bytes each) */
    size_t pool = 5 + 17 + 12 + 21 + 14 + 16 + 20 + 32;
    assert_int_equal(vg_match_index_bytes(idx) - empty_bytes(), 8 * 8 + pool + 8 * 64 * 8 + 8 * 8);
    vg_match_index_freeze(idx);
    assert_int_equal(vg_match_index_count(idx), 8);
    assert_int_equal(vg_match_index_bytes(idx) - empty_bytes(),
                     8 * 8 + pool + 8 * 2 * 8 + 8 * 8 * 8 + 8 * 8);

    assert_string_equal(look(idx, "192.0.2.1"), "ipv4-addr 192.0.2.1 1;");
    assert_string_equal(look(idx, "2001:DB8:0::1"), "ipv6-addr 2001:db8::1 2;");
    assert_string_equal(look(idx, "www.Evil.example"), "domain-name evil.example 3;");
    assert_string_equal(look(idx, "HTTP://evil.example:80/x"),
                        "url http://evil.example/x 4;domain-name evil.example 3;");
    assert_string_equal(look(idx, "A@Evil.Example"), "email-addr a@evil.example 5;"
                                                     "domain-name evil.example 3;");
    assert_string_equal(look(idx, "0123456789ABCDEF0123456789ABCDEF"), "md5 " MD5_A " 6;");
    assert_string_equal(look(idx, SHA1_A), "sha1 " SHA1_A " 7;");
    assert_string_equal(look(idx, SHA256_A), "sha256 " SHA256_A " 8;");
    /* absent neighbours */
    assert_string_equal(look(idx, "192.0.2.2"), "");
    assert_string_equal(look(idx, "192.0.3.1"), "");
    assert_string_equal(look(idx, "2001:db8::2"), "");
    assert_string_equal(look(idx, "evil.example2"), "");
    assert_string_equal(look(idx, "http://good.example/x"), "");
    assert_string_equal(look(idx, "b@good.example"), "");
    assert_string_equal(look(idx, "0123456789abcdef0123456789abcdee"), "");
    assert_string_equal(look(idx, "1123456789abcdef0123456789abcdef01234567"), "");
    assert_string_equal(look(idx,
                             "f123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
                        "");
    vg_match_index_free(idx);
}

/* n domains "dI.example" (I from 0): while adding, a table of 64 slots grows by a quarter when
 * one more entry would make it more than 7/8 full (56 fit in 64, 70 in 80, 87 in 100, 109 in
 * 125); freeze sizes it to the fewest slots that hold n at most 7/8 full. Every one found,
 * duplicates refused at the limit, absent ones not found. */
static void index_at_load_limit(void **state)
{
    (void)state;
    static const struct {
        size_t n;            /* indicators */
        size_t slots_adding; /* slots before freeze */
        size_t slots;        /* after */
        size_t words;        /* Bloom filter words: 16 bits per key at least, a power of two */
    } cases[] = {
        {7, 64, 8, 8},      {8, 64, 10, 8},      {55, 64, 63, 16},    {56, 64, 64, 16},
        {57, 80, 66, 16},   {70, 80, 80, 32},    {71, 100, 82, 32},   {87, 100, 100, 32},
        {88, 125, 101, 32}, {109, 125, 125, 32}, {110, 156, 126, 32}, {300, 378, 343, 128},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct vg_match_index *idx = vg_match_index_new();
        size_t pool = 0;
        char name[32];
        for (size_t i = 0; i < cases[k].n; i++) {
            snprintf(name, sizeof name, "d%zu.example", i);
            pool += strlen(name);
            assert_int_equal(add(idx, VG_MATCH_DOMAIN, name, NULL, 0), 0);
        }
        /* the table at its limit finds every key (duplicates) and ends its probes (absent) */
        for (size_t i = 0; i < cases[k].n; i++) {
            snprintf(name, sizeof name, "D%zu.Example.", i);
            assert_int_equal(add(idx, VG_MATCH_DOMAIN, name, NULL, 0), 1);
        }
        assert_int_equal(vg_match_index_count(idx), cases[k].n);
        assert_int_equal(vg_match_index_bytes(idx) - empty_bytes(),
                         cases[k].n * 8 + pool + cases[k].slots_adding * 8);
        vg_match_index_freeze(idx);
        assert_int_equal(vg_match_index_bytes(idx) - empty_bytes(),
                         cases[k].n * 8 + pool + cases[k].slots * 8 + cases[k].words * 8);
        for (size_t i = 0; i < cases[k].n; i++) {
            snprintf(name, sizeof name, "x.d%zu.example", i);
            char want[64];
            snprintf(want, sizeof want, "domain-name d%zu.example 0;", i);
            assert_string_equal(look(idx, name), want);
        }
        for (size_t i = cases[k].n; i < cases[k].n + 300; i++) {
            snprintf(name, sizeof name, "d%zu.example", i);
            assert_string_equal(look(idx, name), "");
        }
        assert_string_equal(look(idx, "example.d0"), "");
        vg_match_index_free(idx);
    }
}

/* Texts: an address or network written as the index would write it costs no pool byte (its
 * text is rebuilt from the key); any other form is kept and given back as written. */
static void index_texts(void **state)
{
    (void)state;
    static const struct {
        enum vg_match_type type;
        const char *value;
        size_t key;  /* bytes of key */
        size_t kept; /* bytes of text kept apart */
        const char *cand;
        const char *hit;
    } cases[] = {
        {VG_MATCH_IPV4, "10.0.0.0/8", 5, 0, "10.200.0.1", "ipv4-addr 10.0.0.0/8 1;"},
        {VG_MATCH_IPV4, "10.1.2.3/8", 5, 10, "10.200.0.1", "ipv4-addr 10.1.2.3/8 1;"},
        {VG_MATCH_IPV4, "192.0.2.1/32", 5, 12, "192.0.2.1", "ipv4-addr 192.0.2.1/32 1;"},
        {VG_MATCH_IPV4, "255.255.255.255", 5, 0, "255.255.255.255", "ipv4-addr 255.255.255.255 1;"},
        {VG_MATCH_IPV4, "0.0.0.0/0", 5, 0, "198.51.100.7", "ipv4-addr 0.0.0.0/0 1;"},
        {VG_MATCH_IPV4, "198.51.100.0/24", 5, 0, "198.51.100.7", "ipv4-addr 198.51.100.0/24 1;"},
        {VG_MATCH_IPV6, "2001:db8::/32", 17, 0, "2001:db8:1::1", "ipv6-addr 2001:db8::/32 1;"},
        {VG_MATCH_IPV6, "2001:DB8::/32", 17, 13, "2001:db8:1::1", "ipv6-addr 2001:DB8::/32 1;"},
        {VG_MATCH_IPV6, "2001:db8:0:0::5", 17, 15, "2001:db8::5", "ipv6-addr 2001:db8:0:0::5 1;"},
        {VG_MATCH_IPV6, "::ffff:192.0.2.9", 17, 0, "::ffff:192.0.2.9",
         "ipv6-addr ::ffff:192.0.2.9 1;"},
        {VG_MATCH_IPV6, "2001:db8::1/128", 17, 15, "2001:db8::1", "ipv6-addr 2001:db8::1/128 1;"},
        {VG_MATCH_DOMAIN, "Evil.Example", 12, 12, "evil.example", "domain-name Evil.Example 1;"},
        {VG_MATCH_MD5, "0123456789ABCDEF0123456789ABCDEF", 16, 32, MD5_A,
         "md5 0123456789ABCDEF0123456789ABCDEF 1;"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        struct vg_match_index *idx = vg_match_index_new();
        assert_int_equal(add(idx, cases[k].type, cases[k].value, NULL, 1), 0);
        vg_match_index_freeze(idx);
        assert_int_equal(vg_match_index_bytes(idx) - empty_bytes(),
                         8 + cases[k].key + cases[k].kept + 2 * 8 + 8 * 8 + 8);
        assert_string_equal(look(idx, cases[k].cand), cases[k].hit);
        vg_match_index_free(idx);
    }
    /* the text given apart from the value */
    struct vg_match_index *idx = vg_match_index_new();
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_IPV4, VG_STR("192.0.2.0/24"),
                                        VG_STR("192.0.2.0/24 (C2)"), 7, &d),
                     0);
    vg_match_index_freeze(idx);
    assert_string_equal(look(idx, "192.0.2.200"), "ipv4-addr 192.0.2.0/24 (C2) 7;");
    vg_match_index_free(idx);
}

/* 150,000 addresses and 150,000 domains with ids: records, pool, ids and tables grow past the
 * size where they become mappings of their own; the IPv4 table keeps only the networks under
 * /16 once the /16 directory holds the rest. */
static void index_large(void **state)
{
    (void)state;
    enum { N = 150000 };
    struct vg_match_index *idx = vg_match_index_new();
    char v[64];
    for (int i = 0; i < N; i++) {
        snprintf(v, sizeof v, "100.%d.%d.%d", 64 + i / 65536, i / 256 % 256, i % 256);
        assert_int_equal(add(idx, VG_MATCH_IPV4, v, NULL, i + 1), 0);
        snprintf(v, sizeof v, "host%d.example", i);
        assert_int_equal(add(idx, VG_MATCH_DOMAIN, v, NULL, N + i + 1), 0);
    }
    assert_int_equal(add(idx, VG_MATCH_IPV4, "20.0.0.0/8", NULL, 2 * N + 1), 0);
    assert_int_equal(add(idx, VG_MATCH_IPV4, "30.16.0.0/12", NULL, 2 * N + 2), 0);
    assert_int_equal(add(idx, VG_MATCH_IPV4, "100.64.0.0/16", NULL, 2 * N + 3), 0);
    assert_int_equal(add(idx, VG_MATCH_IPV4, "100.64.1.7", NULL, 0), 1);
    vg_match_index_freeze(idx);
    assert_int_equal(vg_match_index_count(idx), 2 * N + 3);
    for (int i = 0; i < N; i += 997) {
        char want[128];
        snprintf(v, sizeof v, "100.%d.%d.%d", 64 + i / 65536, i / 256 % 256, i % 256);
        if (i < 65536)
            snprintf(want, sizeof want, "ipv4-addr %s %d;ipv4-addr 100.64.0.0/16 %d;", v, i + 1,
                     2 * N + 3);
        else
            snprintf(want, sizeof want, "ipv4-addr %s %d;", v, i + 1);
        assert_string_equal(look(idx, v), want);
        snprintf(v, sizeof v, "www.host%d.example", i);
        snprintf(want, sizeof want, "domain-name host%d.example %d;", i, N + i + 1);
        assert_string_equal(look(idx, v), want);
        snprintf(v, sizeof v, "host%d.example", N + i);
        assert_string_equal(look(idx, v), "");
    }
    assert_string_equal(look(idx, "100.66.73.239"), "ipv4-addr 100.66.73.239 150000;");
    assert_string_equal(look(idx, "100.66.73.240"), "");
    assert_string_equal(look(idx, "100.65.0.0"), "ipv4-addr 100.65.0.0 65537;");
    assert_string_equal(look(idx, "20.255.1.2"), "ipv4-addr 20.0.0.0/8 300001;");
    assert_string_equal(look(idx, "30.31.255.255"), "ipv4-addr 30.16.0.0/12 300002;");
    assert_string_equal(look(idx, "30.32.0.0"), "");
    assert_string_equal(look(idx, "21.0.0.1"), "");
    vg_match_index_free(idx);

    /* 4096 addresses, the fewest with a directory: it holds them all, the IPv4 table none (one
     * empty slot), the filter words for no key (8) */
    idx = vg_match_index_new();
    size_t pool = 0;
    for (int i = 0; i < 4096; i++) {
        snprintf(v, sizeof v, "198.18.%d.%d", i / 256, i % 256);
        assert_int_equal(add(idx, VG_MATCH_IPV4, v, NULL, 0), 0);
        pool += 5;
    }
    vg_match_index_freeze(idx);
    assert_int_equal(vg_match_index_bytes(idx) - empty_bytes(),
                     4096 * 8 + pool + 1 * 8 + 8 * 8 + 65537 * 4 + 4096 * 8);
    assert_string_equal(look(idx, "198.18.15.255"), "ipv4-addr 198.18.15.255 0;");
    assert_string_equal(look(idx, "198.18.0.0"), "ipv4-addr 198.18.0.0 0;");
    assert_string_equal(look(idx, "198.18.16.0"), "");
    assert_string_equal(look(idx, "198.19.0.0"), "");
    vg_match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_empty),         cmocka_unit_test(index_one_of_each),
        cmocka_unit_test(index_at_load_limit), cmocka_unit_test(index_texts),
        cmocka_unit_test(index_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
