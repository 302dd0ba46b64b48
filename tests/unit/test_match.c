/* Unit tests of src/match: each matching rule of issue 3 (addresses and CIDRs, URLs, hashes,
 * e-mail, host names and parents), the URL normaliser, the EVE and text readers, indicator
 * files, and the scanner (malformed and huge lines, threads giving identical results). */
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
#include <sys/wait.h>
#include <unistd.h>

#include "core/attrib.h"
#include "match/match.h"
#include "util/buf.h"
#include "util/limits.h"

/* ---- helpers ---- */

static struct vg_match_index *index_of(const char *iocs)
{
    struct vg_match_index *idx = vg_match_index_new();
    assert_non_null(idx);
    struct vg_match_ioc_counts c = {0};
    assert_int_equal(vg_match_iocs_load(idx, iocs, strlen(iocs), true, NULL, NULL, &c, NULL), 0);
    vg_match_index_freeze(idx);
    return idx;
}

struct collect {
    const struct vg_match_index *idx;
    struct vg_buf out; /* "line indicator type value field\n" per hit, "line !bad\n" per bad */
};

static int collect_hit(void *ctx, const struct vg_match_hit *h)
{
    struct collect *c = ctx;
    char text[VG_MATCH_TEXT_MAX];
    struct vg_match_indicator ind;
    vg_match_index_get(c->idx, h->rec, &ind, text);
    vg_buf_printf(&c->out, "%llu %.*s %s %.*s %.*s\n", (unsigned long long)h->line,
                  (int)ind.text.len, ind.text.ptr, vg_match_type_name(ind.type), (int)h->value.len,
                  h->value.ptr, (int)h->field.len, h->field.ptr);
    return 0;
}

static void collect_bad(void *ctx, uint64_t line, const char *msg)
{
    struct collect *c = ctx;
    (void)msg;
    vg_buf_printf(&c->out, "%llu !bad\n", (unsigned long long)line);
}

/* Scans input with the indicators and returns what was found (caller frees). */
static char *scan_with(const struct vg_match_index *idx, enum vg_match_format fmt, unsigned threads,
                       const char *input, size_t len, struct vg_match_stats *st_out)
{
    struct collect c = {idx, {0}};
    vg_buf_init(&c.out, VG_MAX_BUF);
    vg_buf_puts(&c.out, "");
    struct vg_match_sink sink = {collect_hit, collect_bad, &c};
    struct vg_match_scan_opts o = {fmt, threads, 0};
    struct vg_match_stats st = {0};
    assert_int_equal(vg_match_scan_mem(idx, &o, input, len, &sink, &st, NULL), 0);
    if (st_out)
        *st_out = st;
    return vg_buf_steal(&c.out);
}

static char *match(const char *iocs, const char *input)
{
    struct vg_match_index *idx = index_of(iocs);
    char *r = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, input, strlen(input), NULL);
    vg_match_index_free(idx);
    return r;
}

static char *match_text(const char *iocs, const char *input)
{
    struct vg_match_index *idx = index_of(iocs);
    char *r = scan_with(idx, VG_MATCH_FORMAT_TEXT, 1, input, strlen(input), NULL);
    vg_match_index_free(idx);
    return r;
}

#define EXPECT(iocs, input, want)                                                                  \
    do {                                                                                           \
        char *got_ = match((iocs), (input));                                                       \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

/* One JSON event with a single string field "v". */
static char *ev(const char *v)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "{\"v\":\"%s\"}\n", v);
    return buf;
}

/* ---- rule 1: addresses and CIDRs ---- */

static void ipv4_exact_and_cidr(void **state)
{
    (void)state;
    const char *iocs = "ipv4-addr 192.0.2.1\nipv4-addr 198.51.100.0/24\nipv4-addr 10.0.0.0/8\n";
    EXPECT(iocs, ev("192.0.2.1"), "1 192.0.2.1 ipv4-addr 192.0.2.1 v\n");
    EXPECT(iocs, ev("192.0.2.2"), "");
    EXPECT(iocs, ev("198.51.100.255"), "1 198.51.100.0/24 ipv4-addr 198.51.100.255 v\n");
    EXPECT(iocs, ev("198.51.101.0"), "");
    EXPECT(iocs, ev("10.255.255.255"), "1 10.0.0.0/8 ipv4-addr 10.255.255.255 v\n");
    EXPECT(iocs, ev("11.0.0.0"), "");
    /* inet_pton refuses leading zeros and short forms */
    EXPECT(iocs, ev("192.0.2.01"), "");
    EXPECT(iocs, ev("10.1"), "");
    /* our IPv4 reader agrees with inet_pton */
    static const char *v4[] = {"0.0.0.0",         "255.255.255.255", "256.1.1.1", "1.2.3",
                               "1.2.3.4.5",       "01.2.3.4",        "1.2.3.00",  "1.2.3.0",
                               "1..2.3",          "1.2.3.4.",        " 1.2.3.4",  "1.2.3.4a",
                               "100.200.250.199", "1.2.3.2555",      "0x1.2.3.4"};
    for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; i++) {
        uint8_t mine[16], theirs[16];
        int fam = 0;
        int ok = vg_match_parse_ip(vg_str_c(v4[i]), &fam, mine) == 0 && fam == 4;
        int pton = inet_pton(AF_INET, v4[i], theirs) == 1;
        assert_int_equal(ok, pton);
        if (ok)
            assert_memory_equal(mine, theirs, 4);
    }
    /* a NUL byte inside is not the end of the address (found by fuzz_iocs) */
    int af;
    uint8_t a[16];
    assert_int_equal(vg_match_parse_ip((struct vg_str){"192.0.2.1\0x", 11}, &af, a), VG_EINVAL);
    struct vg_match_index *idx = index_of("ipv4-addr 192.0.2.1\n");
    char *got = scan_with(idx, VG_MATCH_FORMAT_TEXT, 1, "192.0.2.1\0x\n", 12, NULL);
    assert_string_equal(got, "");
    free(got);
    vg_match_index_free(idx);
    /* blanks and <> around are trimmed */
    EXPECT(iocs, ev("  <192.0.2.1> "), "1 192.0.2.1 ipv4-addr   <192.0.2.1>  v\n");
}

static void cidr_edges(void **state)
{
    (void)state;
    EXPECT("ipv4-addr 0.0.0.0/0\n", ev("203.0.113.7"), "1 0.0.0.0/0 ipv4-addr 203.0.113.7 v\n");
    EXPECT("ipv4-addr 0.0.0.0/0\n", ev("2001:db8::1"), "");
    EXPECT("ipv4-addr 203.0.113.7/32\n", ev("203.0.113.7"),
           "1 203.0.113.7/32 ipv4-addr 203.0.113.7 v\n");
    EXPECT("ipv4-addr 203.0.113.7/32\n", ev("203.0.113.6"), "");
    EXPECT("ipv6-addr 2001:db8::1/128\n", ev("2001:db8::1"),
           "1 2001:db8::1/128 ipv6-addr 2001:db8::1 v\n");
    EXPECT("ipv6-addr 2001:db8::1/128\n", ev("2001:db8::2"), "");
    EXPECT("ipv6-addr ::/0\n", ev("::1"), "1 ::/0 ipv6-addr ::1 v\n");
    EXPECT("ipv6-addr ::/0\n", ev("127.0.0.1"), "");
    /* host bits of a CIDR indicator are masked */
    EXPECT("ipv4-addr 10.1.2.3/16\n", ev("10.1.200.1"), "1 10.1.2.3/16 ipv4-addr 10.1.200.1 v\n");
    /* nested CIDRs all hit, most specific first */
    EXPECT("ipv4-addr 10.0.0.0/8\nipv4-addr 10.1.0.0/16\nipv4-addr 10.1.2.3\n", ev("10.1.2.3"),
           "1 10.1.2.3 ipv4-addr 10.1.2.3 v\n1 10.1.0.0/16 ipv4-addr 10.1.2.3 v\n"
           "1 10.0.0.0/8 ipv4-addr 10.1.2.3 v\n");
}

/* With many IPv4 indicators the index adds a /24 filter: same answers. */
static void ipv4_large_set(void **state)
{
    (void)state;
    struct vg_buf iocs;
    vg_buf_init(&iocs, VG_MAX_BUF);
    for (int i = 0; i < 5000; i++)
        vg_buf_printf(&iocs, "ipv4-addr 100.%d.%d.7\n", i / 250, i % 250);
    vg_buf_puts(&iocs, "ipv4-addr 10.0.0.0/8\nipv4-addr 172.16.5.0/28\nipv4-addr 0.0.0.0/1\n");
    struct vg_match_index *idx = index_of(iocs.data);
    const char *in = "{\"a\":\"100.19.249.7\",\"b\":\"100.19.249.8\",\"c\":\"10.9.9.9\","
                     "\"d\":\"172.16.5.15\",\"e\":\"172.16.5.16\",\"f\":\"127.0.0.1\","
                     "\"g\":\"200.0.0.1\"}\n";
    char *got = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, in, strlen(in), NULL);
    /* 0.0.0.0/1 is reported once, for its first field (one line per event and indicator) */
    assert_string_equal(got, "1 100.19.249.7 ipv4-addr 100.19.249.7 a\n"
                             "1 0.0.0.0/1 ipv4-addr 100.19.249.7 a\n"
                             "1 10.0.0.0/8 ipv4-addr 10.9.9.9 c\n"
                             "1 172.16.5.0/28 ipv4-addr 172.16.5.15 d\n");
    free(got);
    vg_match_index_free(idx);
    vg_buf_cleanup(&iocs);
}

/* With 4096 IPv4 indicators or more, prefixes 16 to 32 are looked up in a /16 directory:
 * nested networks hit longest first, a /16 with many entries (binary search), prefixes under
 * 16 still from the table, and the same answers as the small index (no directory). */
static void ipv4_directory_nested(void **state)
{
    (void)state;
    const char *nets = "ipv4-addr 60.1.0.0/16\nipv4-addr 60.1.16.0/20\nipv4-addr 60.1.17.0/24\n"
                       "ipv4-addr 60.1.17.32/28\nipv4-addr 60.1.17.40\nipv4-addr 60.0.0.0/8\n"
                       "ipv4-addr 60.1.17.0/25\nipv4-addr 60.1.0.0/17\n";
    const char *in = "{\"a\":\"60.1.17.40\",\"b\":\"60.1.17.47\",\"c\":\"60.1.17.48\","
                     "\"d\":\"60.1.31.255\",\"e\":\"60.1.32.0\",\"f\":\"60.2.0.1\","
                     "\"g\":\"61.1.17.40\"}\n";
    const char *want = "1 60.1.17.40 ipv4-addr 60.1.17.40 a\n"
                       "1 60.1.17.32/28 ipv4-addr 60.1.17.40 a\n"
                       "1 60.1.17.0/25 ipv4-addr 60.1.17.40 a\n"
                       "1 60.1.17.0/24 ipv4-addr 60.1.17.40 a\n"
                       "1 60.1.16.0/20 ipv4-addr 60.1.17.40 a\n"
                       "1 60.1.0.0/17 ipv4-addr 60.1.17.40 a\n"
                       "1 60.1.0.0/16 ipv4-addr 60.1.17.40 a\n"
                       "1 60.0.0.0/8 ipv4-addr 60.1.17.40 a\n";
    /* b, c, d, e hit only networks already reported for a (one line per event and indicator):
     * each is checked on its own event below */
    const char *each = "{\"b\":\"60.1.17.47\"}\n{\"c\":\"60.1.17.48\"}\n{\"d\":\"60.1.31.255\"}\n"
                       "{\"e\":\"60.1.128.0\"}\n{\"f\":\"60.2.0.1\"}\n{\"g\":\"61.1.17.40\"}\n"
                       "{\"h\":\"70.9.1.1\"}\n{\"i\":\"70.9.200.2\"}\n{\"j\":\"70.9.200.3\"}\n";
    const char *want_each = "1 60.1.17.32/28 ipv4-addr 60.1.17.47 b\n"
                            "1 60.1.17.0/25 ipv4-addr 60.1.17.47 b\n"
                            "1 60.1.17.0/24 ipv4-addr 60.1.17.47 b\n"
                            "1 60.1.16.0/20 ipv4-addr 60.1.17.47 b\n"
                            "1 60.1.0.0/17 ipv4-addr 60.1.17.47 b\n"
                            "1 60.1.0.0/16 ipv4-addr 60.1.17.47 b\n"
                            "1 60.0.0.0/8 ipv4-addr 60.1.17.47 b\n"
                            "2 60.1.17.0/25 ipv4-addr 60.1.17.48 c\n"
                            "2 60.1.17.0/24 ipv4-addr 60.1.17.48 c\n"
                            "2 60.1.16.0/20 ipv4-addr 60.1.17.48 c\n"
                            "2 60.1.0.0/17 ipv4-addr 60.1.17.48 c\n"
                            "2 60.1.0.0/16 ipv4-addr 60.1.17.48 c\n"
                            "2 60.0.0.0/8 ipv4-addr 60.1.17.48 c\n"
                            "3 60.1.16.0/20 ipv4-addr 60.1.31.255 d\n"
                            "3 60.1.0.0/17 ipv4-addr 60.1.31.255 d\n"
                            "3 60.1.0.0/16 ipv4-addr 60.1.31.255 d\n"
                            "3 60.0.0.0/8 ipv4-addr 60.1.31.255 d\n"
                            "4 60.1.0.0/16 ipv4-addr 60.1.128.0 e\n"
                            "4 60.0.0.0/8 ipv4-addr 60.1.128.0 e\n"
                            "5 60.0.0.0/8 ipv4-addr 60.2.0.1 f\n"
                            "7 70.9.1.1 ipv4-addr 70.9.1.1 h\n"
                            "8 70.9.200.2 ipv4-addr 70.9.200.2 i\n";
    struct vg_buf iocs;
    vg_buf_init(&iocs, VG_MAX_BUF);
    vg_buf_puts(&iocs, nets);
    /* 4200 addresses in one /16 (70.9/16: a long sorted run; 70.9.x.2 to .34 by 2 for even
     * x, .1 to .33 for odd x) and 1000 more elsewhere */
    for (int i = 0; i < 4200; i++)
        vg_buf_printf(&iocs, "ipv4-addr 70.9.%d.%d\n", i / 17,
                      (i % 17) * 2 + 1 + (i / 17 % 2 == 0));
    for (int i = 0; i < 1000; i++)
        vg_buf_printf(&iocs, "ipv4-addr 80.%d.%d.7\n", i / 250, i % 250);
    struct vg_match_index *big = index_of(iocs.data), *small = index_of(nets);
    assert_true(vg_match_index_count(big) >= 4096);
    for (unsigned t = 1; t <= 4; t *= 2) {
        char *got = scan_with(big, VG_MATCH_FORMAT_EVE, t, in, strlen(in), NULL);
        assert_string_equal(got, want);
        free(got);
        got = scan_with(small, VG_MATCH_FORMAT_EVE, t, in, strlen(in), NULL);
        assert_string_equal(got, want);
        free(got);
    }
    char *got = scan_with(big, VG_MATCH_FORMAT_EVE, 1, each, strlen(each), NULL);
    assert_string_equal(got, want_each);
    free(got);
    vg_match_index_free(big);
    vg_match_index_free(small);
    vg_buf_cleanup(&iocs);
}

/* The JSON line of a hit: plain strings (written at once) and strings that need escaping
 * (the general path) give the lines written out here. */
static void hit_format_lines(void **state)
{
    (void)state;
    struct vg_match_index *idx = index_of("ipv4-addr 60.1.0.0/16\ndomain-name ex\xc3\xa9mple.org\n"
                                          "md5 D41D8CD98F00B204E9800998ECF8427E\n");
    struct vg_buf out;
    vg_buf_init(&out, VG_MAX_BUF);
    struct vg_match_hit h = {18446744073709551615ULL, 0, vg_str_c("60.1.2.3"), vg_str_c("dest_ip")};
    vg_match_hit_format(idx, &h, NULL, &out);
    h = (struct vg_match_hit){7, 0, vg_str_c("60.1.2.3"), vg_str_c("")};
    vg_match_hit_format(idx, &h, "a.json", &out);
    h = (struct vg_match_hit){10, 2, vg_str_c("d41d8cd98f00b204e9800998ecf8427e"), vg_str_c("x")};
    vg_match_hit_format(idx, &h, "dir/\"q\".json", &out);
    h = (struct vg_match_hit){0, 1, vg_str_c("www.ex\xc3\xa9mple.org\t"), vg_str_c("a\\b")};
    vg_match_hit_format(idx, &h, NULL, &out);
    h = (struct vg_match_hit){3, 0, (struct vg_str){"60.1.2.3\xff\x01", 10}, vg_str_c("f")};
    vg_match_hit_format(idx, &h, NULL, &out);
    assert_false(out.failed);
    /* every type is written by its name */
    struct vg_buf t;
    vg_buf_init(&t, VG_MAX_BUF);
    struct vg_match_index *all = index_of(
        "ipv4-addr 60.1.0.0/16\nipv6-addr ::1\ndomain-name a.example\nurl http://a.example/\n"
        "email-addr a@a.example\nmd5 d41d8cd98f00b204e9800998ecf8427e\n"
        "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    for (uint32_t r = 0; r < VG_MATCH_NTYPES; r++) {
        h = (struct vg_match_hit){1, r, vg_str_c("v"), vg_str_c("")};
        vg_match_hit_format(all, &h, NULL, &t);
    }
    assert_non_null(strstr(t.data, "\"type\":\"ipv4-addr\""));
    static const char *names[] = {"ipv4-addr",  "ipv6-addr", "domain-name", "url",
                                  "email-addr", "md5",       "sha1",        "sha256"};
    const char *at = t.data;
    for (int i = 0; i < VG_MATCH_NTYPES; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"type\":\"%s\",", names[i]);
        at = strstr(at, want);
        assert_non_null(at);
        assert_string_equal(vg_match_type_name((enum vg_match_type)i), names[i]);
    }
    vg_buf_cleanup(&t);
    vg_match_index_free(all);
    assert_string_equal(
        out.data,
        "{\"line\":18446744073709551615,\"indicator\":\"60.1.0.0/16\",\"type\":\"ipv4-addr\","
        "\"value\":\"60.1.2.3\",\"field\":\"dest_ip\"}\n"
        "{\"file\":\"a.json\",\"line\":7,\"indicator\":\"60.1.0.0/16\",\"type\":\"ipv4-addr\","
        "\"value\":\"60.1.2.3\"}\n"
        "{\"file\":\"dir/\\\"q\\\".json\",\"line\":10,\"indicator\":"
        "\"D41D8CD98F00B204E9800998ECF8427E\",\"type\":\"md5\",\"value\":"
        "\"d41d8cd98f00b204e9800998ecf8427e\",\"field\":\"x\"}\n"
        "{\"line\":0,\"indicator\":\"ex\xc3\xa9mple.org\",\"type\":\"domain-name\",\"value\":"
        "\"www.ex\xc3\xa9mple.org\\t\",\"field\":\"a\\\\b\"}\n"
        "{\"line\":3,\"indicator\":\"60.1.0.0/16\",\"type\":\"ipv4-addr\",\"value\":"
        "\"60.1.2.3\\ufffd\\u0001\",\"field\":\"f\"}\n");
    vg_buf_cleanup(&out);
    vg_match_index_free(idx);
}

static void ipv6_forms(void **state)
{
    (void)state;
    const char *iocs = "ipv6-addr 2001:DB8::1\nipv6-addr 2001:db8:aa::/48\n";
    EXPECT(iocs, ev("2001:0db8:0000:0000:0000:0000:0000:0001"),
           "1 2001:DB8::1 ipv6-addr 2001:0db8:0000:0000:0000:0000:0000:0001 v\n");
    EXPECT(iocs, ev("2001:db8:0:0::1"), "1 2001:DB8::1 ipv6-addr 2001:db8:0:0::1 v\n");
    EXPECT(iocs, ev("2001:DB8::1"), "1 2001:DB8::1 ipv6-addr 2001:DB8::1 v\n");
    EXPECT(iocs, ev("2001:db8:aa:ffff::9"), "1 2001:db8:aa::/48 ipv6-addr 2001:db8:aa:ffff::9 v\n");
    EXPECT(iocs, ev("2001:db8:ab::9"), "");
    /* IPv4-mapped and embedded forms are IPv6 addresses */
    EXPECT("ipv6-addr ::ffff:192.0.2.1\n", ev("::ffff:c000:201"),
           "1 ::ffff:192.0.2.1 ipv6-addr ::ffff:c000:201 v\n");
    EXPECT("ipv4-addr 192.0.2.1\n", ev("::ffff:192.0.2.1"), "");
    /* zone ids and brackets are not inet_pton forms */
    EXPECT(iocs, ev("2001:db8::1%eth0"), "");
    EXPECT(iocs, ev("[2001:db8::1]"), "");
}

/* ---- rule 2: URLs ---- */

static void url_normaliser(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"HTTP://Example.COM", "http://example.com/"},
        {"http://user:pw@Example.com:80/a/B?q=1#frag", "http://example.com/a/B?q=1"},
        {"https://example.com:443/", "https://example.com/"},
        {"https://example.com:80/", "https://example.com:80/"},
        {"http://example.com:443/", "http://example.com:443/"},
        {"http://example.com.:8080", "http://example.com:8080/"},
        {"http://example.com?x=1", "http://example.com/?x=1"},
        {"http://example.com#top", "http://example.com/"},
        {"http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"},
        {"ftp://a@b@host.example/f", "ftp://host.example/f"},
        {"hxxp://evil.example/", "hxxp://evil.example/"},
        {"http://example.com:/p", "http://example.com/p"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        size_t n;
        struct vg_str host;
        assert_int_equal(vg_match_url_normalise(vg_str_c(cases[i][0]), out, sizeof out, &n, &host),
                         0);
        out[n] = '\0';
        assert_string_equal(out, cases[i][1]);
    }
    char out[64];
    size_t n;
    assert_int_equal(vg_match_url_normalise(VG_STR("no scheme"), out, sizeof out, &n, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_match_url_normalise(VG_STR("://x"), out, sizeof out, &n, NULL), VG_EINVAL);
    assert_int_equal(vg_match_url_normalise(VG_STR("http://x:8a/"), out, sizeof out, &n, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_match_url_normalise(VG_STR("http://[::1/"), out, sizeof out, &n, NULL),
                     VG_EINVAL);
    assert_int_equal(vg_match_url_normalise(VG_STR("http://example.com/a-long-path-that-overflows"
                                                   "-the-buffer-xxxxxxxxxxxxxxxxxxxxxxxx"),
                                            out, sizeof out, &n, NULL),
                     VG_ETOOBIG);
}

static void url_rule(void **state)
{
    (void)state;
    const char *iocs = "url http://Evil.example/path?a=1\n";
    EXPECT(iocs, ev("HTTP://user@EVIL.example.:80/path?a=1#x"),
           "1 http://Evil.example/path?a=1 url HTTP://user@EVIL.example.:80/path?a=1#x v\n");
    EXPECT(iocs, ev("http://evil.example/Path?a=1"), ""); /* the path keeps its case */
    EXPECT(iocs, ev("https://evil.example/path?a=1"), "");
    /* the URL's host is matched as an address or a host name */
    EXPECT("domain-name evil.example\n", ev("https://x.evil.example:8443/a"),
           "1 evil.example domain-name https://x.evil.example:8443/a v\n");
    EXPECT("ipv4-addr 192.0.2.0/24\n", ev("http://192.0.2.9/x"),
           "1 192.0.2.0/24 ipv4-addr http://192.0.2.9/x v\n");
    EXPECT("ipv6-addr 2001:db8::1\n", ev("http://[2001:db8::1]:81/"),
           "1 2001:db8::1 ipv6-addr http://[2001:db8::1]:81/ v\n");
    /* a URL is classified as a whole: not an e-mail even with an @ */
    EXPECT("email-addr a@evil.example\n", ev("mailto://a@evil.example"), "");
}

static void synthetic_http_url(void **state)
{
    (void)state;
    const char *iocs = "url http://evil.example/dl/x.exe\n";
    EXPECT(iocs, "{\"http\":{\"url\":\"/dl/x.exe\",\"hostname\":\"EVIL.example\"}}\n",
           "1 http://evil.example/dl/x.exe url http://EVIL.example/dl/x.exe "
           "http.hostname+http.url\n");
    /* the url must start with '/' and both fields must be under "http" */
    EXPECT(iocs, "{\"http\":{\"url\":\"dl/x.exe\",\"hostname\":\"evil.example\"}}\n", "");
    EXPECT(iocs, "{\"hostname\":\"evil.example\",\"url\":\"/dl/x.exe\"}\n", "");
    /* a hostname hit is reported once per event, for its first field */
    EXPECT("domain-name evil.example\n",
           "{\"http\":{\"hostname\":\"evil.example\",\"url\":\"/\"},\"dns\":\"evil.example\"}\n",
           "1 evil.example domain-name evil.example http.hostname\n");
}

/* ---- rule 3: hashes ---- */

static void hashes(void **state)
{
    (void)state;
    const char *iocs = "md5 D41D8CD98F00B204E9800998ECF8427E\n"
                       "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
                       "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
    EXPECT(iocs, ev("d41d8cd98f00b204e9800998ecf8427e"),
           "1 D41D8CD98F00B204E9800998ECF8427E md5 d41d8cd98f00b204e9800998ecf8427e v\n");
    EXPECT(iocs, ev("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"),
           "1 da39a3ee5e6b4b0d3255bfef95601890afd80709 sha1 "
           "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709 v\n");
    EXPECT(iocs, ev("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
           "1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 sha256 "
           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 v\n");
    /* a prefix or a longer string is not a hash */
    EXPECT(iocs, ev("d41d8cd98f00b204e9800998ecf8427"), "");
    EXPECT(iocs, ev("d41d8cd98f00b204e9800998ecf8427e0"), "");
    /* an md5 value never hits a sha1 of the same bytes */
    EXPECT("md5 da39a3ee5e6b4b0d3255bfef95601890\n", ev("da39a3ee5e6b4b0d3255bfef95601890afd80709"),
           "");
}

/* ---- rules 4 and 5: e-mail and host names ---- */

static void email_rule(void **state)
{
    (void)state;
    const char *iocs = "email-addr Bob@Phish.example\ndomain-name phish.example\n";
    EXPECT(iocs, ev("<BOB@phish.EXAMPLE>"),
           "1 Bob@Phish.example email-addr <BOB@phish.EXAMPLE> v\n"
           "1 phish.example domain-name <BOB@phish.EXAMPLE> v\n");
    EXPECT("email-addr bob@phish.example\n", ev("alice@phish.example"), "");
    EXPECT("domain-name phish.example\n", ev("alice@mx.phish.example"),
           "1 phish.example domain-name alice@mx.phish.example v\n");
    /* the last @ separates the host; an empty local part is not an e-mail */
    EXPECT("domain-name phish.example\n", ev("a@b@phish.example"),
           "1 phish.example domain-name a@b@phish.example v\n");
    EXPECT("domain-name phish.example\n", ev("@phish.example"), "");
    /* "Name <addr>" is not trimmed to the address: the whole string is classified */
    EXPECT("email-addr bob@phish.example\n", ev("Bob <bob@phish.example>"), "");
}

static void domain_rule(void **state)
{
    (void)state;
    const char *iocs = "domain-name evil.example\n";
    EXPECT(iocs, ev("evil.example"), "1 evil.example domain-name evil.example v\n");
    EXPECT(iocs, ev("a.b.EVIL.Example"), "1 evil.example domain-name a.b.EVIL.Example v\n");
    EXPECT(iocs, ev("evil.example."), "1 evil.example domain-name evil.example. v\n");
    EXPECT(iocs, ev("notevil.example"), "");
    EXPECT(iocs, ev("evil.example.org"), "");
    EXPECT(iocs, ev("example"), "");
    EXPECT(iocs, ev("a..evil.example"), "");
    EXPECT(iocs, ev("a b.evil.example"), "");
    EXPECT("domain-name EVIL.example.\n", ev("x.evil.example"),
           "1 EVIL.example. domain-name x.evil.example v\n");
    /* underscores and hyphens are label characters; the last label needs a letter */
    EXPECT("domain-name _dmarc.evil-1.example\n", ev("_DMARC.evil-1.example"),
           "1 _dmarc.evil-1.example domain-name _DMARC.evil-1.example v\n");
    assert_false(vg_match_is_hostname(VG_STR("1.2.3.4")));
    assert_true(vg_match_is_hostname(VG_STR("1.2.3.x4")));
    assert_false(vg_match_is_hostname(VG_STR("localhost")));
    assert_false(vg_match_is_hostname(VG_STR(".evil.example")));
    /* IDN in punycode matches; the Unicode form too, by its A-labels (issue 11 item 15) */
    EXPECT("domain-name xn--bcher-kva.example\n", ev("www.XN--BCHER-KVA.example"),
           "1 xn--bcher-kva.example domain-name www.XN--BCHER-KVA.example v\n");
    EXPECT("domain-name xn--bcher-kva.example\n", ev("b\\u00fccher.example"),
           "1 xn--bcher-kva.example domain-name b\xc3\xbc"
           "cher.example v\n");
    EXPECT("domain-name b\xc3\xbc"
           "cher.example\n",
           ev("www.xn--bcher-kva.example"),
           "1 b\xc3\xbc"
           "cher.example domain-name www.xn--bcher-kva.example v\n");
    EXPECT("domain-name xn--bcher-kva.example\n", ev("b\\u00fccher\\u2603.example"), "");
    /* 253 bytes at most */
    char big[300];
    for (int i = 0; i < 25; i++)
        memcpy(big + 10 * i, "abcdefghi.", 10);
    memcpy(big + 250, "evil.example", 13); /* 262 bytes */
    EXPECT(iocs, ev(big), "");
}

static void classify_order(void **state)
{
    (void)state;
    struct vg_match_cand *c = malloc(sizeof *c);
    assert_int_equal(vg_match_classify(VG_STR("1.2.3.4"), c), VG_MATCH_KIND_IPV4);
    assert_int_equal(vg_match_classify(VG_STR("::1"), c), VG_MATCH_KIND_IPV6);
    assert_int_equal(vg_match_classify(VG_STR("http://1.2.3.4/"), c), VG_MATCH_KIND_URL);
    assert_int_equal(c->host_kind, VG_MATCH_KIND_IPV4);
    /* 32 hex digits made of only decimal digits: still a hash */
    assert_int_equal(vg_match_classify(VG_STR("12345678901234567890123456789012"), c),
                     VG_MATCH_KIND_HASH);
    assert_int_equal(vg_match_classify(VG_STR("a@b.example"), c), VG_MATCH_KIND_EMAIL);
    assert_int_equal(vg_match_classify(VG_STR("b.example"), c), VG_MATCH_KIND_HOST);
    assert_int_equal(vg_match_classify(VG_STR("<b.example>"), c), VG_MATCH_KIND_HOST);
    assert_int_equal(vg_match_classify(VG_STR("<<b.example>>"), c), VG_MATCH_KIND_NONE);
    assert_int_equal(vg_match_classify(VG_STR("2026-11-29T04:53:12Z"), c), VG_MATCH_KIND_NONE);
    assert_int_equal(vg_match_classify(VG_STR(""), c), VG_MATCH_KIND_NONE);
    free(c);
}

/* ---- EVE reader ---- */

static void eve_fields_and_depth(void **state)
{
    (void)state;
    const char *iocs = "domain-name evil.example\n";
    EXPECT(iocs,
           "{\"dns\":{\"answers\":[{\"rdata\":\"x\"},{\"rdata\":\"a.evil.example\"}]},"
           "\"evil.example\":1,\"n\":[1,2.5e3,true,null,[\"evil.example\"]]}\n",
           "1 evil.example domain-name a.evil.example dns.answers[1].rdata\n");
    /* a key is no candidate; the path of nested arrays */
    EXPECT("domain-name other.example\n",
           "{\"other.example\":1,\"n\":[1,2.5e3,true,null,[\"other.example\"]]}\n",
           "1 other.example domain-name other.example n[4][0]\n");
    /* escapes are decoded before classification */
    EXPECT(iocs, "{\"a\\u0062\":\"evil\\u002eexample\"}\n",
           "1 evil.example domain-name evil.example ab\n");
    EXPECT(iocs, "{\"u\":\"http:\\/\\/evil.example\\/\"}\n",
           "1 evil.example domain-name http://evil.example/ u\n");
}

static void eve_malformed_lines(void **state)
{
    (void)state;
    struct vg_match_index *idx = index_of("domain-name evil.example\n");
    const char *in = "{\"a\":\"evil.example\"}\n"
                     "{\"a\":\"evil.example\"\n"      /* unterminated: no hit reported */
                     "\n"                             /* blank: skipped silently */
                     "[\"evil.example\"]\n"           /* not an object */
                     "{\"a\":\"evil.example\"} x\n"   /* trailing text */
                     "{\"a\":01}\n"                   /* leading zero */
                     "{\"a\":99999999999999999999}\n" /* over a 64-bit integer */
                     "{\"a\":\"\\ud800\"}\n"          /* lone surrogate */
                     "{\"a\":\"\\u0000\"}\n"          /* NUL */
                     "{\"a\":\"\xc3\x28\"}\n"         /* bad UTF-8 */
                     "{\"a\":1e999}\n"                /* real overflow */
                     "{\"b\":\"evil.example\"}";      /* no final newline */
    struct vg_match_stats st;
    char *got = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, in, strlen(in), &st);
    assert_string_equal(got, "1 evil.example domain-name evil.example a\n2 !bad\n4 !bad\n"
                             "5 !bad\n6 !bad\n7 !bad\n8 !bad\n9 !bad\n10 !bad\n11 !bad\n"
                             "12 evil.example domain-name evil.example b\n");
    assert_int_equal(st.lines, 12);
    assert_int_equal(st.events, 2);
    assert_int_equal(st.malformed, 9);
    assert_int_equal(st.hits, 2);
    free(got);
    vg_match_index_free(idx);
}

static void eve_depth_limit(void **state)
{
    (void)state;
    struct vg_match_eve *e = vg_match_eve_new();
    char deep[512];
    size_t n = 0;
    deep[n++] = '{';
    deep[n++] = '"';
    deep[n++] = 'a';
    deep[n++] = '"';
    deep[n++] = ':';
    for (int i = 0; i < VG_MAX_JSON_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < VG_MAX_JSON_DEPTH; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    struct vg_diag d;
    assert_int_equal(vg_match_eve_read(e, deep, n, NULL, NULL, &d), VG_ETOOBIG);
    /* one level less (the object counts) is fine */
    n = 5;
    for (int i = 0; i < VG_MAX_JSON_DEPTH - 1; i++)
        deep[n++] = '[';
    for (int i = 0; i < VG_MAX_JSON_DEPTH - 1; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    assert_int_equal(vg_match_eve_read(e, deep, n, NULL, NULL, &d), 0);
    vg_match_eve_free(e);
}

static int count_str(void *ctx, struct vg_str v, struct vg_str f)
{
    (void)v;
    (void)f;
    (*(int *)ctx)++;
    return 0;
}

/* The reader accepts what jansson accepts (as an object) and nothing else. */
static void eve_agrees_with_jansson(void **state)
{
    (void)state;
    static const char *docs[] = {
        "{}",
        " {\"a\":[]} ",
        "{\"a\":{}}",
        "{\"a\":-0}",
        "{\"a\":-0.0e+1}",
        "{\"a\":1E5}",
        "{\"a\":9223372036854775807}",
        "{\"a\":-9223372036854775808}",
        "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775809}",
        "{\"a\":1.}",
        "{\"a\":.1}",
        "{\"a\":+1}",
        "{\"a\":1e}",
        "{\"a\":-}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\ud83d\\ude00\"}",
        "{\"a\":\"\\ude00\"}",
        "{\"a\":\"\\ud83d\\u0041\"}",
        "{\"a\":\"\t\"}",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{,}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":1}}",
        "{\"a\":1",
        "{\"a\":\"\xf0\x9f\x98\x80\"}",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":1e400}",
        "{\"a\":-1e400}",
        "{\"a\":1e-400}",
        "{'a':1}",
        "{\"a\":1}\r",
        "\xef\xbb\xbf{}",
        "{\"a\":[1 2]}",
        "{\"a\":\"\\/\"}",
        "{\"\":\"\"}",
        "{\"a\":true false}",
    };
    struct vg_match_eve *e = vg_match_eve_new();
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        size_t len = strlen(docs[i]);
        json_error_t err;
        json_t *j = json_loadb(docs[i], len, 0, &err);
        bool jok = j && json_is_object(j);
        json_decref(j);
        int n = 0;
        int rc = vg_match_eve_read(e, docs[i], len, count_str, &n, NULL);
        if (jok != (rc == 0))
            fail_msg("disagreement with jansson on %s (jansson %d, ours %d)", docs[i], jok, rc);
    }
    /* jansson ignores one NUL byte right after a number or a literal, and so do we */
    assert_int_equal(vg_match_eve_read(e, "{\"\":94\0}", 8, count_str, &(int){0}, NULL), 0);
    assert_int_equal(vg_match_eve_read(e, "{\"\":true\0}", 10, count_str, &(int){0}, NULL), 0);
    assert_int_not_equal(vg_match_eve_read(e, "{\"\":9\0\0}", 8, count_str, &(int){0}, NULL), 0);
    assert_int_not_equal(vg_match_eve_read(e, "{\"\":\"a\"\0}", 9, count_str, &(int){0}, NULL), 0);
    json_t *j94 = json_loadb("{\"\":94\0}", 8, 0, NULL);
    assert_non_null(j94);
    json_decref(j94);
    assert_null(json_loadb("{\"\":9\0\0}", 8, 0, NULL));
    /* a NUL byte after the object */
    assert_int_not_equal(vg_match_eve_read(e, "{\"a\":\"b\"}", 10, count_str, &(int){0}, NULL), 0);
    assert_null(json_loadb("{\"a\":\"b\"}", 10, 0, NULL));
    vg_match_eve_free(e);
}

static const char *str_or_null(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Every string of the shared corpus's EVE samples is found, as jansson finds them. */
static int count_json_strings(json_t *j)
{
    if (json_is_string(j))
        return 1;
    int n = 0;
    size_t i;
    json_t *v;
    const char *k;
    if (json_is_array(j))
        json_array_foreach(j, i, v)
            n += count_json_strings(v);
    if (json_is_object(j))
        json_object_foreach(j, k, v)
            n += count_json_strings(v);
    return n;
}

static void eve_corpus_samples(void **state)
{
    (void)state;
    const char *files[] = {
        "../shared/corpus/suricata-eve/elastic-beats/eve-small.log",
        "../shared/corpus/suricata-eve/dcso-fever/util/testdata/jsonparse_eve.json",
        "../shared/corpus/suricata-eve/dcso-fever/util/testdata/jsonparse_eve_broken1.json",
        "tests/data/eve/sample.json",
    };
    struct vg_match_eve *e = vg_match_eve_new();
    int checked = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        FILE *fp = fopen(files[f], "r");
        if (!fp)
            continue;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, fp)) > 0) {
            json_error_t err;
            json_t *j = json_loadb(line, (size_t)n, 0, &err);
            int cnt = 0;
            int rc = vg_match_eve_read(e, line, (size_t)n, count_str, &cnt, NULL);
            assert_int_equal(j != NULL && json_is_object(j), rc == 0);
            if (j && rc == 0) {
                json_t *http = json_object_get(j, "http");
                const char *u = str_or_null(http, "url");
                int synth = str_or_null(http, "hostname") && u && u[0] == '/';
                assert_int_equal(cnt, count_json_strings(j) + synth);
                checked++;
            }
            json_decref(j);
        }
        free(line);
        fclose(fp);
    }
    assert_true(checked >= 6); /* our sample at least; the shared corpus when it is there */
    vg_match_eve_free(e);
}

/* ---- text reader ---- */

static void text_tokens(void **state)
{
    (void)state;
    const char *iocs = "domain-name evil.example\nipv4-addr 192.0.2.1\nurl http://evil.example/a\n";
    char *got = match_text(iocs, "GET (http://evil.example/a) from [192.0.2.1]:443;\n"
                                 "user=bob@x.evil.example|ok\n"
                                 "nothing here\n"
                                 "\"evil.example\"");
    assert_string_equal(got, "1 http://evil.example/a url http://evil.example/a \n"
                             "1 evil.example domain-name http://evil.example/a \n"
                             "1 192.0.2.1 ipv4-addr 192.0.2.1 \n"
                             "2 evil.example domain-name bob@x.evil.example \n"
                             "4 evil.example domain-name evil.example \n");
    free(got);
    /* "192.0.2.1:443" is one token and no address */
    got = match_text(iocs, "192.0.2.1:443\n");
    assert_string_equal(got, "");
    free(got);
}

/* ---- indicator files ---- */

struct errs {
    char text[1024];
};

static void on_ioc_error(void *ctx, const struct vg_diag *d)
{
    struct errs *e = ctx;
    size_t n = strlen(e->text);
    snprintf(e->text + n, sizeof e->text - n, "%ld;", d->line);
}

static void ioc_lines(void **state)
{
    (void)state;
    const char *f = "# comment\n\n  \t\n"
                    "domain-name evil.example\n"                     /* 4 */
                    "ipv4-addr 300.1.1.1\n"                          /* 5 invalid */
                    "bogus x\n"                                      /* 6 invalid */
                    "url\n"                                          /* 7 invalid: no value */
                    "md5 abc\n"                                      /* 8 invalid */
                    "ipv6-addr 10.0.0.1\n"                           /* 9 invalid: v4 as v6 */
                    "ipv4-addr 10.0.0.0/33\n"                        /* 10 invalid */
                    "domain-name EVIL.example.\r\n"                  /* 11 duplicate */
                    "email-addr nobody@\n"                           /* 12 invalid */
                    "sha1 DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"; /* 13, no newline */
    struct vg_match_index *idx = vg_match_index_new();
    struct errs e = {""};
    struct vg_match_ioc_counts c = {0};
    assert_int_equal(vg_match_iocs_load(idx, f, strlen(f), false, on_ioc_error, &e, &c, NULL), 0);
    assert_string_equal(e.text, "5;6;7;8;9;10;12;");
    assert_int_equal(c.added, 2);
    assert_int_equal(c.duplicates, 1);
    assert_int_equal(c.invalid, 7);
    vg_match_index_free(idx);

    /* strict: the first invalid line stops the load */
    idx = vg_match_index_new();
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_int_equal(vg_match_iocs_load(idx, f, strlen(f), true, NULL, NULL, NULL, &d), VG_EINVAL);
    assert_int_equal(d.line, 5);
    vg_match_index_free(idx);

    /* empty and binary files */
    idx = vg_match_index_new();
    memset(&c, 0, sizeof c);
    assert_int_equal(vg_match_iocs_load(idx, "", 0, false, NULL, NULL, &c, NULL), 0);
    assert_int_equal(c.added + c.invalid, 0);
    const char bin[] = "\x00\xff\xfe garbage\n\x01\x02\x03\n";
    assert_int_equal(vg_match_iocs_load(idx, bin, sizeof bin - 1, false, NULL, NULL, &c, NULL), 0);
    assert_int_equal(c.invalid, 2);
    assert_int_equal(vg_match_index_count(idx), 0);
    vg_match_index_free(idx);
}

#define CSV_EVENT "{\"u\":\"http://evil.example/\\\"q\\\"\",\"i\":\"192.0.2.7\"}\n"

static void ioc_csv(void **state)
{
    (void)state;
    const char *f = "id,Value,comment,TYPE\n"
                    "1,evil.example,\"a, b\",domain-name\n"
                    "2,\"http://evil.example/\"\"q\"\"\",x,url\n"
                    "3,192.0.2.0/24,,ipv4-addr\n"
                    "4,,,domain-name\n"        /* 5 invalid: empty value */
                    "5,\"unterminated,x,url\n" /* 6 invalid */
                    "6,evil.example\n";        /* 7 invalid: missing columns */
    struct vg_match_index *idx = vg_match_index_new();
    struct errs e = {""};
    struct vg_match_ioc_counts c = {0};
    assert_int_equal(vg_match_iocs_load(idx, f, strlen(f), false, on_ioc_error, &e, &c, NULL), 0);
    assert_string_equal(e.text, "5;6;7;");
    assert_int_equal(c.added, 3);
    /* the same file fed in two pieces of whole lines: same indicators, same line numbers */
    struct vg_match_index *idx2 = vg_match_index_new();
    struct vg_match_ioc_state st = {0, 0, -1, -1};
    struct errs e2 = {""};
    struct vg_match_ioc_counts c2 = {0};
    const char *cut = strstr(f, "3,192");
    assert_int_equal(vg_match_iocs_feed(idx2, &st, f, (size_t)(cut - f), false, on_ioc_error, &e2,
                                        &c2, NULL),
                     0);
    assert_int_equal(vg_match_iocs_feed(idx2, &st, cut, strlen(cut), false, on_ioc_error, &e2, &c2,
                                        NULL),
                     0);
    assert_string_equal(e2.text, "5;6;7;");
    assert_int_equal(c2.added, 3);
    assert_int_equal(st.line, 7);
    vg_match_index_free(idx2);
    /* a UTF-8 byte order mark before the header (spreadsheet exports) */
    idx2 = vg_match_index_new();
    const char bom[] = "\xef\xbb\xbftype,value\ndomain-name,evil.example\n";
    memset(&c2, 0, sizeof c2);
    assert_int_equal(vg_match_iocs_load(idx2, bom, sizeof bom - 1, true, NULL, NULL, &c2, NULL), 0);
    assert_int_equal(c2.added, 1);
    vg_match_index_free(idx2);
    vg_match_index_freeze(idx);
    char *got = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, CSV_EVENT, strlen(CSV_EVENT), NULL);
    assert_string_equal(got, "1 http://evil.example/\"q\" url http://evil.example/\"q\" u\n"
                             "1 evil.example domain-name http://evil.example/\"q\" u\n"
                             "1 192.0.2.0/24 ipv4-addr 192.0.2.7 i\n");
    free(got);
    vg_match_index_free(idx);
}

static void index_api_ids(void **state)
{
    (void)state;
    struct vg_match_index *idx = vg_match_index_new();
    struct vg_diag d;
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_DOMAIN, VG_STR("evil.example"),
                                        VG_STR("Evil.Example"), 42, &d),
                     0);
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_DOMAIN, VG_STR("EVIL.example"), VG_STR(""),
                                        43, &d),
                     1);
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_URL, VG_STR("nope"), VG_STR(""), 1, &d),
                     VG_EINVAL);
    vg_match_index_freeze(idx);
    assert_int_equal(vg_match_index_count(idx), 1);
    struct vg_match_indicator ind;
    char buf[VG_MATCH_TEXT_MAX];
    vg_match_index_get(idx, 0, &ind, buf);
    assert_int_equal(ind.id, 42);
    assert_int_equal(ind.type, VG_MATCH_DOMAIN);
    assert_true(vg_str_eq(ind.text, VG_STR("Evil.Example")));
    vg_match_index_free(idx);
}

/* ---- scanner ---- */

static void huge_and_garbage_lines(void **state)
{
    (void)state;
    struct vg_match_index *idx = index_of("domain-name evil.example\n");
    size_t big = (size_t)VG_MAX_LINE + 100;
    char *in = malloc(big + 200);
    size_t n = 0;
    n += (size_t)snprintf(in + n, 100, "{\"a\":\"evil.example\",\"pad\":\"");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)snprintf(in + n, 100, "\"}\n\x01\x02\xff\xfe\n{\"a\":\"evil.example\"}\n");
    struct vg_match_stats st;
    char *got = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, in, n, &st);
    assert_string_equal(got, "1 !bad\n2 !bad\n3 evil.example domain-name evil.example a\n");
    assert_int_equal(st.malformed, 2);
    free(got);
    got = scan_with(idx, VG_MATCH_FORMAT_TEXT, 1, in, n, &st);
    assert_string_equal(got, "1 !bad\n3 evil.example domain-name evil.example \n");
    free(got);
    /* empty input */
    got = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, "", 0, &st);
    assert_string_equal(got, "");
    assert_int_equal(st.lines, 0);
    free(got);
    free(in);
    vg_match_index_free(idx);
}

static void threads_identical(void **state)
{
    (void)state;
    struct vg_match_index *idx = index_of("domain-name evil.example\nipv4-addr 10.0.0.0/8\nmd5 "
                                          "d41d8cd98f00b204e9800998ecf8427e\n");
    struct vg_buf in;
    vg_buf_init(&in, VG_MAX_BUF);
    for (int i = 0; i < 60000; i++) {
        if (i % 7 == 0)
            vg_buf_printf(&in,
                          "{\"dns\":{\"rrname\":\"h%d.evil.example\"},\"src_ip\":\"10.0.%d.1\"}\n",
                          i, i % 250);
        else if (i % 101 == 0)
            vg_buf_puts(&in, "{broken\n");
        else
            vg_buf_printf(&in, "{\"src_ip\":\"192.0.2.%d\",\"h\":\"%s%c\"}\n", i % 250,
                          "d41d8cd98f00b204e9800998ecf8427", i % 13 == 0 ? 'e' : 'f');
    }
    struct vg_match_stats s1, s4;
    char *one = scan_with(idx, VG_MATCH_FORMAT_EVE, 1, in.data, in.len, &s1);
    char *four = scan_with(idx, VG_MATCH_FORMAT_EVE, 4, in.data, in.len, &s4);
    assert_true(strlen(one) > 1000);
    assert_string_equal(one, four);
    assert_int_equal(s1.hits, s4.hits);
    assert_int_equal(s1.events, s4.events);
    /* a mapped file read in small rounds and a pipe give the same, line numbers included */
    char path[] = "/tmp/vigie-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, in.data, in.len), (ssize_t)in.len);
    for (size_t blk = 1000; blk <= 1000000; blk *= 1000) {
        struct collect c = {idx, {0}};
        vg_buf_init(&c.out, VG_MAX_BUF);
        vg_buf_puts(&c.out, "");
        struct vg_match_sink sink = {collect_hit, collect_bad, &c};
        struct vg_match_scan_opts o = {VG_MATCH_FORMAT_EVE, 2, blk};
        struct vg_match_stats st = {0};
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(vg_match_scan_fd(idx, &o, fd, &sink, &st, NULL), 0);
        assert_string_equal(c.out.data, one);
        assert_int_equal(st.lines, s1.lines);
        vg_buf_cleanup(&c.out);
    }
    close(fd);
    unlink(path);
    /* the same through a pipe, read in blocks of about 1 MiB */
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(pfd[0]);
        size_t off = 0;
        while (off < in.len) {
            ssize_t n = write(pfd[1], in.data + off, in.len - off);
            if (n <= 0)
                _exit(1);
            off += (size_t)n;
        }
        _exit(0);
    }
    close(pfd[1]);
    struct collect c = {idx, {0}};
    vg_buf_init(&c.out, VG_MAX_BUF);
    vg_buf_puts(&c.out, "");
    struct vg_match_sink sink = {collect_hit, collect_bad, &c};
    struct vg_match_scan_opts po = {VG_MATCH_FORMAT_EVE, 2, 1};
    struct vg_match_stats pst = {0};
    assert_int_equal(vg_match_scan_fd(idx, &po, pfd[0], &sink, &pst, NULL), 0);
    close(pfd[0]);
    waitpid(child, NULL, 0);
    assert_string_equal(c.out.data, one);
    assert_int_equal(pst.lines, s1.lines);
    assert_int_equal(pst.bytes, in.len);
    vg_buf_cleanup(&c.out);
    free(one);
    free(four);
    vg_buf_cleanup(&in);
    vg_match_index_free(idx);
}

/* ---- the line iterator, stored rows, sightings ---- */

struct seen_lines {
    char text[1024];
};

static int collect_line(void *ctx, long line, enum vg_match_type t, struct vg_str value,
                        struct vg_diag *d)
{
    struct seen_lines *s = ctx;
    size_t n = strlen(s->text);
    if (vg_str_eq(value, VG_STR("refuse.example")))
        return vg_diag_set(d, VG_EINVAL, "value", "refused");
    snprintf(s->text + n, sizeof s->text - n, "%ld %s %.*s;", line, vg_match_type_name(t),
             (int)value.len, value.ptr);
    return 0;
}

static void ioc_each(void **state)
{
    (void)state;
    const char *f = "# x\ndomain-name  Evil.example \nbogus y\nurl\ndomain-name refuse.example\n"
                    "md5 nothex";
    struct seen_lines s = {""};
    struct errs e = {""};
    struct vg_match_ioc_counts c = {0};
    struct vg_match_ioc_state st = {0, 0, -1, -1};
    assert_int_equal(vg_match_iocs_each(&st, f, strlen(f), false, collect_line, &s, on_ioc_error,
                                        &e, &c, NULL),
                     0);
    /* values are given as written (trimmed): checking them is the callback's business */
    assert_string_equal(s.text, "2 domain-name Evil.example;6 md5 nothex;");
    assert_string_equal(e.text, "3;4;5;");
    assert_int_equal(c.invalid, 3);
    assert_int_equal(c.added, 0);
    /* CSV, fed in two pieces: the state carries the header */
    const char *a = "value,type\n", *b = "\"a,b.example\",domain-name\n";
    struct vg_match_ioc_state st2 = {0, 0, -1, -1};
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_match_iocs_each(&st2, a, strlen(a), true, collect_line, &s, NULL, NULL,
                                        NULL, NULL),
                     0);
    assert_int_equal(vg_match_iocs_each(&st2, b, strlen(b), true, collect_line, &s, NULL, NULL,
                                        NULL, NULL),
                     0);
    assert_string_equal(s.text, "2 domain-name a,b.example;");
    /* strict stops at the refused line */
    struct vg_match_ioc_state st3 = {0, 0, -1, -1};
    struct vg_diag d;
    vg_diag_clear(&d);
    const char *g = "domain-name ok.example\ndomain-name refuse.example\ndomain-name z.example\n";
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_match_iocs_each(&st3, g, strlen(g), true, collect_line, &s, NULL, NULL,
                                        NULL, &d),
                     VG_EINVAL);
    assert_int_equal(d.line, 2);
    assert_string_equal(s.text, "1 domain-name ok.example;");
}

struct hitlist {
    uint32_t rec; /* the last indicator hit */
    int n;        /* hits */
};

static int on_hit(void *ctx, uint32_t rec)
{
    struct hitlist *hl = ctx;
    hl->rec = rec;
    hl->n++;
    return 0;
}

static void index_rows(void **state)
{
    (void)state;
    struct vg_match_index *idx = vg_match_index_new();
    assert_int_equal(vg_match_index_add_row(idx, 7, "domain-name", "evil.example"), 0);
    assert_int_equal(vg_match_index_add_row(idx, 8, "ipv4-addr", "203.0.113.0/24"), 0);
    assert_int_equal(vg_match_index_add_row(idx, 9, "mutex", "x"), 0);         /* skipped */
    assert_int_equal(vg_match_index_add_row(idx, 10, "md5", "not-a-hash"), 0); /* skipped */
    assert_int_equal(vg_match_index_add_row(idx, 11, "domain-name", "EVIL.example"), 0); /* dup */
    assert_int_equal(vg_match_index_count(idx), 2);
    assert_int_equal(vg_match_index_skipped(idx), 2);
    vg_match_index_freeze(idx);
    struct vg_match_cand *c = malloc(sizeof *c);
    vg_match_classify(VG_STR("a.evil.example"), c);
    struct hitlist hl = {0, 0};
    assert_int_equal(vg_match_index_lookup(idx, c, on_hit, &hl), 0);
    assert_int_equal(hl.n, 1);
    struct vg_match_indicator ind;
    char buf[VG_MATCH_TEXT_MAX];
    vg_match_index_get(idx, hl.rec, &ind, buf);
    assert_int_equal(ind.id, 7);
    assert_true(vg_str_eq(ind.text, VG_STR("evil.example")));
    free(c);
    vg_match_index_free(idx);
}

static void time_normalise(void **state)
{
    (void)state;
    char out[VG_TIME_LEN] = "";
    assert_int_equal(vg_match_time_normalise("2026-11-20T10:00:00.123456+0000", out), 0);
    assert_string_equal(out, "2026-11-20T10:00:00Z");
    assert_int_equal(vg_match_time_normalise("2026-11-20T01:30:00-0200", out), 0);
    assert_string_equal(out, "2026-11-20T03:30:00Z");
    assert_int_equal(vg_match_time_normalise("2026-11-20T10:00:00+01:00", out), 0);
    assert_string_equal(out, "2026-11-20T09:00:00Z");
    assert_int_equal(vg_match_time_normalise("2026-11-20T10:00:00Z", out), 0);
    assert_string_equal(out, "2026-11-20T10:00:00Z");
    snprintf(out, sizeof out, "kept");
    assert_int_equal(vg_match_time_normalise("yesterday", out), VG_EINVAL);
    assert_int_equal(vg_match_time_normalise("", out), VG_EINVAL);
    assert_int_equal(vg_match_time_normalise("2026-13-40T99:00:00+0000", out), VG_EINVAL);
    assert_string_equal(out, "kept");
}

static struct vg_attrib *two_orgs(void)
{
    json_t *orgs = json_loads(
        "[{\"id\":1,\"assets\":{\"cidrs\":[\"10.1.0.0/16\",\"2001:db8:a::/48\"],"
        "\"domains\":[\"a.example\"]}},"
        "{\"id\":2,\"assets\":{\"cidrs\":[\"10.2.0.0/16\"],\"domains\":[\"b.example\"]}}]",
        0, NULL);
    struct vg_attrib *a = vg_attrib_new(orgs);
    json_decref(orgs);
    assert_non_null(a);
    return a;
}

static long long attribute(const struct vg_attrib *a, const char *src, const char *dest,
                           const char *value)
{
    struct vg_match_event ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.src_ip, sizeof ev.src_ip, "%s", src);
    snprintf(ev.dest_ip, sizeof ev.dest_ip, "%s", dest);
    struct vg_match_cand *c = malloc(sizeof *c);
    long long org = vg_match_attribute(a, &ev, vg_str_c(value), c);
    free(c);
    return org;
}

static void attribution(void **state)
{
    (void)state;
    struct vg_attrib *a = two_orgs();
    /* the matched address's other side */
    assert_int_equal(attribute(a, "10.1.0.5", "203.0.113.9", "203.0.113.9"), 1);
    assert_int_equal(attribute(a, "203.0.113.9", "10.2.0.5", "203.0.113.9"), 2);
    /* internal traffic: the other side of the matched address, whichever it is */
    assert_int_equal(attribute(a, "10.1.0.5", "10.2.0.5", "10.2.0.5"), 1);
    assert_int_equal(attribute(a, "10.1.0.5", "10.2.0.5", "10.1.0.5"), 2);
    /* same address written differently */
    assert_int_equal(attribute(a, "2001:db8:a:0::1", "2001:db8:ffff::9", "2001:db8:ffff:0::9"), 1);
    /* a matched host: dest first, then src */
    assert_int_equal(attribute(a, "10.1.0.5", "10.2.0.5", "evil.example"), 2);
    assert_int_equal(attribute(a, "10.1.0.5", "8.8.8.8", "evil.example"), 1);
    /* no constituent address: the owner of the host, URL host, e-mail domain or address */
    assert_int_equal(attribute(a, "192.0.2.1", "192.0.2.2", "www.B.example."), 2);
    assert_int_equal(attribute(a, "", "", "http://x.a.example:8080/p"), 1);
    assert_int_equal(attribute(a, "", "", "someone@mail.b.example"), 2);
    assert_int_equal(attribute(a, "", "", "http://10.2.9.9/"), 2);
    assert_int_equal(attribute(a, "", "", "10.1.2.3"), 1);
    assert_int_equal(attribute(a, "", "", "notb.example"), 0);
    assert_int_equal(attribute(a, "", "", "d41d8cd98f00b204e9800998ecf8427e"), 0);
    assert_int_equal(attribute(NULL, "10.1.0.5", "", "x"), 0);
    vg_attrib_free(a);
}

struct flushed {
    json_t *all;
    int calls;
    int fail_at;
};

/* Keeps each sighting flushed as a JSON object, org null when 0 (the strings given are valid
 * only during the call). */
static int flush_into(void *ctx, const struct vg_sighting *v, size_t n)
{
    struct flushed *f = ctx;
    if (++f->calls == f->fail_at)
        return VG_EIO;
    for (size_t i = 0; i < n; i++) {
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s}", "indicator", (json_int_t)v[i].indicator, "seen",
                      v[i].seen, "value", v[i].value, "field", v[i].field, "source", v[i].source);
        json_object_set_new(o, "org", v[i].org ? json_integer(v[i].org) : json_null());
        json_array_append_new(f->all, o);
    }
    return 0;
}

static void sightings(void **state)
{
    (void)state;
    struct vg_match_index *idx = vg_match_index_new();
    vg_match_index_add_row(idx, 5, "ipv4-addr", "203.0.113.0/24");
    vg_match_index_add_row(idx, 6, "domain-name", "evil.example");
    vg_match_index_freeze(idx);
    struct vg_attrib *a = two_orgs();
    const char *log =
        "{\"timestamp\":\"2026-11-20T10:00:00.5+0000\",\"src_ip\":\"10.1.0.5\","
        "\"dest_ip\":\"203.0.113.9\"}\n"
        "not json\n"
        "{\"src_ip\":\"192.0.2.1\",\"dns\":{\"rrname\":\"x.evil.example\",\"rdata\":\"203.0.113.1\"}}\n"
        "{\"timestamp\":\"bad\",\"q\":\"mail.evil.example\"}";
    struct flushed f = {json_array(), 0, 0};
    struct vg_match_sightings sg;
    assert_int_equal(vg_match_sightings_init(&sg, idx, a, log, strlen(log), VG_MATCH_FORMAT_EVE,
                                             "eve.json", 2, flush_into, &f),
                     0);
    struct vg_match_sink sink = {vg_match_sightings_hit, NULL, &sg};
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 1, 0};
    struct vg_match_stats st = {0};
    assert_int_equal(vg_match_scan_mem(idx, &opts, log, strlen(log), &sink, &st, NULL), 0);
    assert_int_equal(vg_match_sightings_flush(&sg), 0);
    assert_int_equal(f.calls, 2); /* 4 sightings, 2 per batch */
    assert_int_equal(json_array_size(f.all), 4);
    char *got = json_dumps(json_array_get(f.all, 0), JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(got, "{\"field\":\"dest_ip\",\"indicator\":5,\"org\":1,"
                             "\"seen\":\"2026-11-20T10:00:00Z\",\"source\":\"eve.json:1\","
                             "\"value\":\"203.0.113.9\"}");
    free(got);
    /* line 3: two hits, both attributed to nobody (no constituent, outside hosts) */
    json_t *s1 = json_array_get(f.all, 1), *s2 = json_array_get(f.all, 2);
    assert_string_equal(json_string_value(json_object_get(s1, "field")), "dns.rrname");
    assert_true(json_is_null(json_object_get(s1, "org")));
    assert_string_equal(json_string_value(json_object_get(s2, "source")), "eve.json:3");
    assert_string_equal(json_string_value(json_object_get(s2, "seen")), sg.now);
    /* line 4: no valid timestamp: the recording time */
    json_t *s3 = json_array_get(f.all, 3);
    assert_string_equal(json_string_value(json_object_get(s3, "seen")), sg.now);
    assert_string_equal(json_string_value(json_object_get(s3, "source")), "eve.json:4");
    vg_match_sightings_cleanup(&sg);
    json_decref(f.all);

    /* a failing flush stops the scan with its code */
    struct flushed g = {json_array(), 0, 1};
    assert_int_equal(vg_match_sightings_init(&sg, idx, a, log, strlen(log), VG_MATCH_FORMAT_EVE,
                                             "x", 1, flush_into, &g),
                     0);
    assert_int_equal(vg_match_scan_mem(idx, &opts, log, strlen(log), &sink, &st, NULL), VG_EIO);
    vg_match_sightings_cleanup(&sg);
    json_decref(g.all);

    /* text logs: no event time nor addresses; binary bytes are kept JSON-safe */
    const char *text = "GET http://10.2.0.9/ from \xff"
                       "evil.example\n"
                       "GET http://evil.example/\xe9x\n"
                       "GET http://evil.example/caf\xc3\xa9\n";
    struct flushed h = {json_array(), 0, 0};
    opts.format = VG_MATCH_FORMAT_TEXT;
    assert_int_equal(vg_match_sightings_init(&sg, idx, a, text, strlen(text), VG_MATCH_FORMAT_TEXT,
                                             "t.log", 100, flush_into, &h),
                     0);
    assert_int_equal(vg_match_scan_mem(idx, &opts, text, strlen(text), &sink, &st, NULL), 0);
    assert_int_equal(vg_match_sightings_flush(&sg), 0);
    vg_match_sightings_cleanup(&sg);
    vg_match_sightings_cleanup(&sg); /* twice is harmless */
    for (size_t i = 0; i < json_array_size(h.all); i++)
        assert_non_null(json_string_value(json_object_get(json_array_get(h.all, i), "value")));
    /* a value that is not UTF-8 has its high bytes as '?'; one that is stays as it is */
    size_t nh = json_array_size(h.all);
    assert_true(nh >= 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h.all, nh - 2), "value")),
                        "http://evil.example/?x");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h.all, nh - 1), "value")),
                        "http://evil.example/caf\xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h.all, nh - 1), "source")),
                        "t.log:3");
    json_decref(h.all);
    vg_attrib_free(a);
    vg_match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4_exact_and_cidr),
        cmocka_unit_test(cidr_edges),
        cmocka_unit_test(ipv4_large_set),
        cmocka_unit_test(ipv4_directory_nested),
        cmocka_unit_test(hit_format_lines),
        cmocka_unit_test(ipv6_forms),
        cmocka_unit_test(url_normaliser),
        cmocka_unit_test(url_rule),
        cmocka_unit_test(synthetic_http_url),
        cmocka_unit_test(hashes),
        cmocka_unit_test(email_rule),
        cmocka_unit_test(domain_rule),
        cmocka_unit_test(classify_order),
        cmocka_unit_test(eve_fields_and_depth),
        cmocka_unit_test(eve_malformed_lines),
        cmocka_unit_test(eve_depth_limit),
        cmocka_unit_test(eve_agrees_with_jansson),
        cmocka_unit_test(eve_corpus_samples),
        cmocka_unit_test(text_tokens),
        cmocka_unit_test(ioc_lines),
        cmocka_unit_test(ioc_csv),
        cmocka_unit_test(index_api_ids),
        cmocka_unit_test(huge_and_garbage_lines),
        cmocka_unit_test(threads_identical),
        cmocka_unit_test(ioc_each),
        cmocka_unit_test(index_rows),
        cmocka_unit_test(time_normalise),
        cmocka_unit_test(attribution),
        cmocka_unit_test(sightings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
