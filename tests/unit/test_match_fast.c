/* Unit tests of the matcher's fast paths against their slow, plain references, on the same
 * inputs: random strings from a fixed seed, plus edge cases. The IPv6 reader against glibc's
 * inet_pton. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"

/* A small deterministic generator (xorshift64*): the same inputs on every run. */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A random string of len bytes drawn from alphabet. */
static void random_from(char *out, size_t len, const char *alphabet)
{
    size_t n = strlen(alphabet);
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[rng() % n];
    out[len] = '\0';
}

/* vg_match_parse_ip on s must agree with inet_pton: same verdict, same address. */
static void check_ip(const char *s)
{
    uint8_t want[16], got[16];
    int af = 0;
    bool v6 = strchr(s, ':') != NULL;
    int ref = inet_pton(v6 ? AF_INET6 : AF_INET, s, want);
    int rc = vg_match_parse_ip((struct vg_str){s, strlen(s)}, &af, got);
    if ((ref == 1) != (rc == 0))
        fail_msg("'%s': inet_pton says %d, vg_match_parse_ip %d", s, ref, rc);
    if (ref == 1) {
        assert_int_equal(af, v6 ? 6 : 4);
        assert_memory_equal(got, want, v6 ? 16 : 4);
    }
}

static void ipv6_reader_agrees_with_inet_pton(void **state)
{
    (void)state;
    static const char *const edges[] = {
        "::", "::1", "1::", ":::", "1:::2", "::1::", ":1::", "1::2:", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8::", "12345::", "ffff::", "FFFF::fFfF", "0000:0::", "00000::",
        "::ffff:192.0.2.1", "::ffff:192.0.2.256", "::ffff:192.0.2", "::ffff:192.0.2.1.5",
        "::ffff:01.2.3.4", "::1.2.3.4:5", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
        "1:2:3:4:5::1.2.3.4", "::a1.2.3.4", "::1234.1.1.1", "1.2.3.4::", "2001:db8::1%eth0",
        "[::1]", "::g", ":", "1:", ":1", "1:2", "51:f3:13:4f:8e:89:bd:91:c9",
        "1:531e3e91a8fde34d26ffcedaa1a", "4e:58:1c:89:59:ef:99:99:91:b6:46:88:5a:d9:7a:bd",
        "1.2.3.4", "01.2.3.4", "1.2.3", "255.255.255.255", "256.1.1.1", "1..2.3",
    };
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        check_ip(edges[i]);
    /* random strings of address characters, then random well-formed addresses printed by
     * inet_ntop (compressed, with an IPv4 tail) and altered at one byte */
    char s[64];
    for (int i = 0; i < 200000; i++) {
        random_from(s, 2 + rng() % 30, i % 2 ? "0123456789abcdefABCDEF::::...." : "01f:.:");
        check_ip(s);
    }
    for (int i = 0; i < 50000; i++) {
        uint8_t a[16];
        for (int k = 0; k < 16; k++)
            a[k] = (uint8_t)(rng() % 4 == 0 ? 0 : rng());
        if (i % 5 == 0)
            memcpy(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
        assert_non_null(inet_ntop(AF_INET6, a, s, sizeof s));
        check_ip(s);
        size_t n = strlen(s);
        s[rng() % n] = "0123456789abcdef:.g"[rng() % 19];
        check_ip(s);
    }
}

/* The class mask and the "://" search: the SSE2 path against the byte loop, on strings of
 * every length from 0 to 80 and at every alignment, from alphabets that make each class (and
 * each "://" place, the last bytes included) likely. */
static void classes_fast_equal_slow(void **state)
{
    (void)state;
    static const char *const alphabets[] = {
        "0123456789", "abcdefABCDEF0123", "ghzGHZ.-_", ":/://", "@.a1", " \t\"<>\x7f\x80\xff/+",
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.:-_@/%?#=&[]{}\x01\xc3\xa9",
        "`{[@^~\x40\x5b\x60\x7b\x2f\x3a\x2d\x2e\x5f",
    };
    char buf[128];
    for (int i = 0; i < 400000; i++) {
        size_t len = rng() % 81, off = rng() % 16;
        random_from(buf + off, len, alphabets[rng() % (sizeof alphabets / sizeof *alphabets)]);
        struct vg_str s = {buf + off, len};
        assert_int_equal(vg_match_char_classes(s, true), vg_match_char_classes(s, false));
        assert_int_equal(vg_match_has_scheme_sep(s, true), vg_match_has_scheme_sep(s, false));
    }
    /* every single byte value, at the start, the middle and the end of a 16- and a 33-byte
     * string of digits */
    for (int b = 0; b < 256; b++) {
        for (size_t len = 16; len <= 33; len += 17) {
            for (size_t at = 0; at < len; at += len / 2 > 0 ? (len - 1) / 2 : 1) {
                memset(buf, '7', len);
                buf[at] = (char)b;
                struct vg_str s = {buf, len};
                assert_int_equal(vg_match_char_classes(s, true), vg_match_char_classes(s, false));
            }
        }
    }
    /* "://" at each place of strings of 18 to 40 bytes, and cut short of its last byte */
    for (size_t len = 18; len <= 40; len++) {
        for (size_t at = 0; at + 3 <= len; at++) {
            memset(buf, 'x', len);
            memcpy(buf + at, "://", 3);
            assert_true(vg_match_has_scheme_sep((struct vg_str){buf, len}, true));
            buf[at + 2] = ':';
            assert_false(vg_match_has_scheme_sep((struct vg_str){buf, len}, true));
        }
    }
    assert_int_equal(vg_match_char_classes(vg_str_c("2026-11-29T00:00:01.060349+0100"), true),
                     1 | 4 | 8 | 16 | 32 | 128);
}

/* Rule 5 decided in one pass by vg_match_classify against vg_match_is_hostname and a
 * lower-casing, on random strings of host-name bytes (and a few others). */
static void host_rule_one_pass(void **state)
{
    (void)state;
    char buf[300], low[300];
    struct vg_match_cand *c = malloc(sizeof *c);
    assert_non_null(c);
    for (int i = 0; i < 300000; i++) {
        size_t len = i % 100 == 0 ? 250 + rng() % 10 : rng() % 24;
        random_from(buf, len, i % 3 ? "aZ9.-_" : "abcXYZ019..-_");
        struct vg_str s = {buf, len};
        int af;
        uint8_t addr[16];
        bool want = vg_match_parse_ip(s, &af, addr) != 0 && vg_match_is_hostname(s);
        enum vg_match_kind k = vg_match_classify(s, c);
        if (want != (k == VG_MATCH_KIND_HOST))
            fail_msg("'%s': is_hostname %d, classify %d", buf, want, (int)k);
        if (!want)
            continue;
        size_t n = len && buf[len - 1] == '.' ? len - 1 : len;
        for (size_t j = 0; j < n; j++)
            low[j] = (char)(buf[j] >= 'A' && buf[j] <= 'Z' ? buf[j] + 32 : buf[j]);
        assert_int_equal(c->host_len, n);
        assert_memory_equal(c->host, low, n);
        assert_int_equal(c->host[n], '\0');
        assert_int_equal(c->host_kind, VG_MATCH_KIND_HOST);
    }
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv6_reader_agrees_with_inet_pton),
        cmocka_unit_test(classes_fast_equal_slow),
        cmocka_unit_test(host_rule_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
