/* Unit tests of the matcher's fast paths against their slow, plain references, on the same
 * inputs: random strings from a fixed seed, plus edge cases. The IPv6 reader against glibc's
 * inet_pton; the class mask and "://" search (SSE2) against their byte loops; rule 5 in one
 * pass, and vg_match_is_hostname, against a plain reference; the EVE reader (its inlined string
 * reader, 16-byte key copies) against jansson, on lines in a buffer with room after them and in one
 * without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/match.h"
#include "util/buf.h"

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
        "::",
        "::1",
        "1::",
        ":::",
        "1:::2",
        "::1::",
        ":1::",
        "1::2:",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::",
        "::2:3:4:5:6:7:8",
        "1::2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8::",
        "12345::",
        "ffff::",
        "FFFF::fFfF",
        "0000:0::",
        "00000::",
        "::ffff:192.0.2.1",
        "::ffff:192.0.2.256",
        "::ffff:192.0.2",
        "::ffff:192.0.2.1.5",
        "::ffff:01.2.3.4",
        "::1.2.3.4:5",
        "1:2:3:4:5:6:1.2.3.4",
        "1:2:3:4:5:6:7:1.2.3.4",
        "1:2:3:4:5::1.2.3.4",
        "::a1.2.3.4",
        "::1234.1.1.1",
        "1.2.3.4::",
        "2001:db8::1%eth0",
        "[::1]",
        "::g",
        ":",
        "1:",
        ":1",
        "1:2",
        "51:f3:13:4f:8e:89:bd:91:c9",
        "1:531e3e91a8fde34d26ffcedaa1a",
        "4e:58:1c:89:59:ef:99:99:91:b6:46:88:5a:d9:7a:bd",
        "1.2.3.4",
        "01.2.3.4",
        "1.2.3",
        "255.255.255.255",
        "256.1.1.1",
        "1..2.3",
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
        "0123456789",
        "abcdefABCDEF0123",
        "ghzGHZ.-_",
        ":/://",
        "@.a1",
        " \t\"<>\x7f\x80\xff/+",
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
            for (size_t at = 0; at<len; at += len / 2> 0 ? (len - 1) / 2 : 1) {
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

/* Rule 5 as match.h states it, written plainly: labels of letters, digits, '-' and '_' split
 * by dots, at least two, none empty, the last with a letter, at most 253 bytes once one final
 * dot is dropped. */
static bool ref_is_hostname(const char *s, size_t len)
{
    if (len && s[len - 1] == '.')
        len--;
    if (len == 0 || len > 253)
        return false;
    size_t labels = 0, i = 0;
    bool letter = false;
    while (i <= len) {
        size_t j = i;
        letter = false;
        for (; j < len && s[j] != '.'; j++) {
            char ch = s[j];
            bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
            if (!alpha && !(ch >= '0' && ch <= '9') && ch != '-' && ch != '_')
                return false;
            letter |= alpha;
        }
        if (j == i)
            return false; /* an empty label */
        labels++;
        i = j + 1;
    }
    return labels >= 2 && letter;
}

/* Rule 5 decided in one pass by vg_match_classify, and vg_match_is_hostname, against that
 * plain reference and a lower-casing, on random strings of host-name bytes (and others). */
static void host_rule_one_pass(void **state)
{
    (void)state;
    char buf[300], low[300];
    struct vg_match_cand *c = malloc(sizeof *c);
    assert_non_null(c);
    for (int i = 0; i < 300000; i++) {
        size_t len = i % 100 == 0 ? 250 + rng() % 10 : rng() % 24;
        random_from(buf, len, i % 3 ? "aZ9.-_" : i % 2 ? "abcXYZ019..-_" : "a1.-_@:/\x80");
        struct vg_str s = {buf, len};
        int af;
        uint8_t addr[16];
        bool host = ref_is_hostname(buf, len);
        if (vg_match_is_hostname(s) != host)
            fail_msg("'%s': vg_match_is_hostname %d, reference %d", buf, !host, host);
        bool want = vg_match_parse_ip(s, &af, addr) != 0 && host;
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

/* Appends a random JSON string body (no quotes) made of plain bytes, escapes, \\u sequences
 * (surrogate pairs too) and raw UTF-8, of about n pieces. */
static void random_json_string(struct vg_buf *b, size_t n)
{
    static const char *const pieces[] = {
        "a",
        "Z",
        "7",
        ".",
        ":",
        "/",
        " ",
        "-",
        "_",
        "@",
        "x",
        "\\\"",
        "\\\\",
        "\\/",
        "\\n",
        "\\t",
        "\\u00e9",
        "\\u20AC",
        "\\ud83d\\ude00",
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x98\x80",
        "example.org",
        "http://h.example/p?q=1",
        "0123456789abcdef",
    };
    for (size_t i = 0; i < n; i++)
        vg_buf_puts(b, pieces[rng() % (sizeof pieces / sizeof *pieces)]);
}

/* A random object: keys unique per object, strings short and long, numbers, literals, nested
 * objects and arrays. */
static void random_object(struct vg_buf *b, int depth)
{
    vg_buf_putc(b, '{');
    int members = (int)(rng() % 7);
    for (int m = 0; m < members; m++) {
        if (m)
            vg_buf_putc(b, ',');
        vg_buf_printf(b, "\"k%d", m);
        random_json_string(b, rng() % 4 == 0 ? rng() % 24 : rng() % 4);
        vg_buf_puts(b, "\":");
        uint64_t r = rng() % 10;
        if (r < 5) {
            vg_buf_putc(b, '"');
            random_json_string(b, rng() % 8 == 0 ? 100 + rng() % 200 : rng() % 20);
            vg_buf_putc(b, '"');
        } else if (r == 5) {
            vg_buf_printf(b, "%lld", (long long)(rng() % 2000000) - 1000000);
        } else if (r == 6) {
            vg_buf_puts(b, rng() % 2 ? "true" : "null");
        } else if (r == 7 && depth < 3) {
            random_object(b, depth + 1);
        } else {
            vg_buf_putc(b, '[');
            for (int i = 0, n = (int)(rng() % 4); i < n; i++) {
                vg_buf_puts(b, i ? ",\"" : "\"");
                random_json_string(b, rng() % 6);
                vg_buf_putc(b, '"');
            }
            vg_buf_putc(b, ']');
        }
    }
    vg_buf_putc(b, '}');
}

/* "field\tvalue\n" per string, in document order. */
static int put_string(void *ctx, struct vg_str v, struct vg_str f)
{
    struct vg_buf *b = ctx;
    vg_buf_append(b, f.ptr, f.len);
    vg_buf_putc(b, '\t');
    vg_buf_append(b, v.ptr, v.len);
    vg_buf_putc(b, '\n');
    return 0;
}

/* The same from jansson's document (objects keep their order). */
static void jansson_strings(json_t *j, const char *path, struct vg_buf *b)
{
    char sub[2048];
    if (json_is_string(j)) {
        put_string(b, (struct vg_str){json_string_value(j), json_string_length(j)}, vg_str_c(path));
    } else if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) {
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
            jansson_strings(v, sub, b);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            jansson_strings(v, sub, b);
        }
    }
}

static void eve_reader_agrees_with_jansson_on_random_lines(void **state)
{
    (void)state;
    struct vg_match_eve *e = vg_match_eve_new();
    assert_non_null(e);
    struct vg_buf line, want, wide, exact, stream;
    vg_buf_init(&line, 1 << 20);
    vg_buf_init(&want, 1 << 20);
    vg_buf_init(&wide, 1 << 20);
    vg_buf_init(&exact, 1 << 20);
    vg_buf_init(&stream, 1 << 20);
    for (int i = 0; i < 20000; i++) {
        vg_buf_reset(&line);
        vg_buf_reset(&want);
        vg_buf_reset(&wide);
        vg_buf_reset(&exact);
        vg_buf_reset(&stream);
        random_object(&line, 0);
        json_error_t err;
        json_t *j = json_loadb(line.data, line.len, 0, &err);
        if (!j)
            fail_msg("jansson refuses %s: %s", line.data, err.text);
        jansson_strings(j, "", &want);
        json_decref(j);
        /* in the buffer it was written in (its allocation may go on after it) */
        assert_int_equal(vg_match_eve_read(e, line.data, line.len, put_string, &wide, NULL), 0);
        /* in a buffer of exactly the line (ASan sees a read past it), then as the scanner reads
         * it: the last line of the data, without a newline */
        char *copy = malloc(line.len);
        assert_non_null(copy);
        memcpy(copy, line.data, line.len);
        assert_int_equal(vg_match_eve_read(e, copy, line.len, put_string, &exact, NULL), 0);
        const char *next = NULL;
        assert_int_equal(vg_match_eve_read_next(e, copy, copy + line.len, &next, put_string,
                                                &stream, NULL),
                         0);
        assert_ptr_equal(next, copy + line.len);
        free(copy);
        if (wide.len != want.len || (want.len && memcmp(wide.data, want.data, want.len) != 0))
            fail_msg("line %s\ngives\n%s\njansson\n%s", line.data, wide.data, want.data);
        assert_int_equal(exact.len, want.len);
        assert_int_equal(stream.len, want.len);
        if (want.len == 0) /* no string in the object: nothing written, data may be NULL */
            continue;
        assert_memory_equal(exact.data, want.data, want.len);
        assert_memory_equal(stream.data, want.data, want.len);
    }
    vg_buf_cleanup(&line);
    vg_buf_cleanup(&want);
    vg_buf_cleanup(&wide);
    vg_buf_cleanup(&exact);
    vg_buf_cleanup(&stream);
    vg_match_eve_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv6_reader_agrees_with_inet_pton),
        cmocka_unit_test(classes_fast_equal_slow),
        cmocka_unit_test(host_rule_one_pass),
        cmocka_unit_test(eve_reader_agrees_with_jansson_on_random_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
