/* The public intake's defences, below the HTTP layer: the rate limiter's bucket keys (one per
 * network: IPv6 /64, an IPv4 prefix, IPv4-mapped IPv6 as IPv4) and its global bucket; the
 * X-Forwarded-For walk through trusted proxies (good and broken headers); the width and
 * count rules on a report's observables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/intake.h"
#include "http/proxy.h"
#include "http/ratelimit.h"
#include "util/err.h"

static void key_is(const char *client, int v4, int v6, const char *want)
{
    char out[64];
    vg_ratelimit_key(client, v4, v6, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("key of %s (/%d, /%d): '%s', want '%s'", client, v4, v6, out, want);
}

static void bucket_keys_mask_the_network(void **state)
{
    (void)state;
    key_is("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 32, 64, "2001:db8:1:2::/64");
    key_is("2001:db8:1:2::1", 32, 64, "2001:db8:1:2::/64");
    key_is("2001:db8:1:3::1", 32, 64, "2001:db8:1:3::/64");
    key_is("2001:db8:1:2:8000::", 32, 65, "2001:db8:1:2:8000::/65");
    key_is("2001:db8:1:2:7fff::", 32, 65, "2001:db8:1:2::/65");
    key_is("2001:db8::1", 32, 128, "2001:db8::1/128");
    key_is("192.0.2.77", 32, 64, "192.0.2.77/32");
    key_is("192.0.2.77", 24, 64, "192.0.2.0/24");
    key_is("192.0.2.77", 25, 64, "192.0.2.0/25");
    key_is("192.0.2.200", 25, 64, "192.0.2.128/25");
    key_is("192.0.2.77", 1, 64, "128.0.0.0/1");
    key_is("::ffff:192.0.2.77", 24, 64, "192.0.2.0/24"); /* mapped: IPv4 */
    key_is("::ffff:192.0.2.77", 32, 64, "192.0.2.77/32");
    key_is("192.0.2.77", 0, 64, "192.0.2.77/32");    /* out of range: the whole address */
    key_is("2001:db8::1", 32, 0, "2001:db8::1/128"); /* the same for IPv6 */
    key_is("unknown", 24, 64, "unknown");
    key_is("", 24, 64, "");
}

static void buckets_keyed_by_network_share(void **state)
{
    (void)state;
    struct vg_ratelimit *rl = vg_ratelimit_new(1, 1);
    assert_non_null(rl);
    char a[64], b[64], c[64];
    vg_ratelimit_key("2001:db8:1:2::1", 32, 64, a, sizeof a);
    vg_ratelimit_key("2001:db8:1:2::2", 32, 64, b, sizeof b);
    vg_ratelimit_key("2001:db8:1:3::1", 32, 64, c, sizeof c);
    assert_true(vg_ratelimit_take(rl, a, NULL));
    assert_false(vg_ratelimit_take(rl, b, NULL)); /* one /64, one bucket */
    assert_true(vg_ratelimit_take(rl, c, NULL));
    vg_ratelimit_free(rl);
}

static void global_bucket_holds_every_client(void **state)
{
    (void)state;
    struct vg_ratelimit *rl = vg_ratelimit_new(100, 100);
    int wait = 0;
    assert_true(vg_ratelimit_take_global(rl, 3, &wait));
    assert_true(vg_ratelimit_take_global(rl, 3, &wait));
    assert_true(vg_ratelimit_take_global(rl, 3, &wait));
    assert_false(vg_ratelimit_take_global(rl, 3, &wait));
    assert_true(wait >= 1 && wait <= 21); /* one token every 20 s */
    /* the per-client buckets are apart */
    assert_true(vg_ratelimit_take(rl, "192.0.2.1/32", NULL));
    /* the rate of the first call is kept */
    assert_false(vg_ratelimit_take_global(rl, 1000, NULL));
    vg_ratelimit_free(rl);
}

static void client_is(const struct vg_proxies *p, const char *peer, const char *const *xff,
                      size_t n, const char *want)
{
    struct vg_str v[8];
    for (size_t i = 0; i < n; i++)
        v[i] = vg_str_c(xff[i]);
    char out[64];
    vg_proxy_client(p, peer, v, n, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("peer %s, xff '%s'...: '%s', want '%s'", peer, n ? xff[0] : "", out, want);
}

static void xff_read_only_from_trusted_proxies(void **state)
{
    (void)state;
    struct vg_proxies p = {.n = 0};
    const char *one[] = {"203.0.113.5"};
    /* no proxies: the header is ignored */
    client_is(&p, "127.0.0.1", one, 1, "127.0.0.1");
    client_is(NULL, "127.0.0.1", one, 1, "127.0.0.1");
    assert_int_equal(vg_proxies_add(&p, "127.0.0.1"), 0);
    assert_int_equal(vg_proxies_add(&p, "10.0.0.0/8"), 0);
    assert_int_equal(vg_proxies_add(&p, "2001:db8:ff::/48"), 0);
    /* a peer that is not a proxy: ignored */
    client_is(&p, "192.0.2.1", one, 1, "192.0.2.1");
    client_is(&p, "11.0.0.1", one, 1, "11.0.0.1");
    /* from a proxy: the right-most entry that is not a proxy */
    client_is(&p, "127.0.0.1", one, 1, "203.0.113.5");
    const char *chain[] = {"6.6.6.6, 203.0.113.5 ,\t10.1.2.3"};
    client_is(&p, "127.0.0.1", chain, 1, "203.0.113.5");
    const char *v6[] = {"2001:DB8:0:0::1, 2001:db8:ff:1::9"};
    client_is(&p, "2001:db8:ff::1", v6, 1, "2001:db8::1");
    client_is(&p, "::ffff:127.0.0.1", one, 1, "203.0.113.5"); /* mapped peer */
    const char *mapped[] = {"::ffff:198.51.100.4"};
    client_is(&p, "127.0.0.1", mapped, 1, "198.51.100.4");
    /* several headers: read from the last one's right */
    const char *two[] = {"203.0.113.5", "198.51.100.7"};
    client_is(&p, "127.0.0.1", two, 2, "198.51.100.7");
    const char *two_trusted[] = {"203.0.113.5", "10.0.0.2"};
    client_is(&p, "127.0.0.1", two_trusted, 2, "203.0.113.5");
    /* all trusted: the left-most */
    const char *all[] = {"10.9.9.9, 10.0.0.1"};
    client_is(&p, "127.0.0.1", all, 1, "10.9.9.9");
    /* malformed: the walk stops at the hop that wrote it */
    const char *bad[] = {"garbage",      "203.0.113.9:443", "[2001:db8::1]", "",
                         "203.0.113.9,", ", 203.0.113.9,",  "1.2.3.4.5",     "01.2.3.4",
                         "fe80::1%eth0", "203.0.113.9 x",   "\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        client_is(&p, "127.0.0.1", bad + i, 1, "127.0.0.1");
    const char *bad_left[] = {"garbage, 10.0.0.7"};
    client_is(&p, "127.0.0.1", bad_left, 1, "10.0.0.7");
    const char *bad_right[] = {"203.0.113.5, garbage"};
    client_is(&p, "127.0.0.1", bad_right, 1, "127.0.0.1");
    /* an entry far too long for an address */
    char longv[300];
    memset(longv, '1', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    const char *lv[] = {longv};
    client_is(&p, "127.0.0.1", lv, 1, "127.0.0.1");
    /* a NUL inside a value given by length */
    struct vg_str nul = {"203.0.113.5\0", 12};
    char out[64];
    vg_proxy_client(&p, "127.0.0.1", &nul, 1, out, sizeof out);
    assert_string_equal(out, "127.0.0.1");
    /* the peer as given when untouched (not an address) */
    client_is(&p, "unknown", one, 1, "unknown");
}

static void proxy_networks_parse(void **state)
{
    (void)state;
    struct vg_proxies p = {.n = 0};
    static const char *const bad[] = {"",           "10.0.0.0/33", "10.0.0.0/",    "10.0.0.0/-1",
                                      "::/129",     "example.org", "10.0.0.0/8/8", "10.0.0.0/ 8",
                                      "10.0.0.0/+8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (vg_proxies_add(&p, bad[i]) != VG_EINVAL)
            fail_msg("'%s' accepted", bad[i]);
    assert_int_equal(p.n, 0);
    for (int i = 0; i < VG_PROXY_MAX; i++)
        assert_int_equal(vg_proxies_add(&p, "192.0.2.0/24"), 0);
    assert_int_equal(vg_proxies_add(&p, "192.0.2.0/24"), VG_ETOOBIG);
    struct vg_net n;
    struct vg_addr a;
    assert_int_equal(vg_net_parse("192.0.2.77/24", &n), 0); /* host bits cleared */
    assert_int_equal(n.prefix, 96 + 24);
    assert_int_equal(vg_addr_parse("192.0.2.255", 11, &a), 0);
    assert_true(vg_net_contains(&n, &a));
    assert_int_equal(vg_addr_parse("192.0.3.0", 9, &a), 0);
    assert_false(vg_net_contains(&n, &a));
    assert_int_equal(vg_net_parse("0.0.0.0/0", &n), 0); /* every IPv4 address, no IPv6 */
    assert_true(vg_net_contains(&n, &a));
    assert_int_equal(vg_addr_parse("2001:db8::1", 11, &a), 0);
    assert_false(vg_net_contains(&n, &a));
}

static json_t *obs_of(const char *type, const char *value, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}", "type", "ipv4-addr", "value", "192.0.2.1"));
    json_array_append_new(a, json_pack("{s:s,s:s}", "type", type, "value", value));
    return a;
}

static void width(const char *type, const char *value, const struct vg_intake_limits *lim, int want)
{
    json_t *o = obs_of(type, value, 2);
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc = vg_intake_check_observables(o, lim, &d);
    json_decref(o);
    if (rc != want)
        fail_msg("%s %s: %d, want %d", type, value, rc, want);
    if (want)
        assert_string_equal(d.field, "/observables/2/value");
}

static void observables_too_wide_or_too_many(void **state)
{
    (void)state;
    width("ipv4-addr", "10.0.0.0/8", NULL, 0);
    width("ipv4-addr", "10.0.0.0/7", NULL, VG_EINVAL);
    width("ipv4-addr", "0.0.0.0/0", NULL, VG_EINVAL);
    width("ipv4-addr", "192.0.2.1", NULL, 0);
    width("ipv6-addr", "2001:db8::/32", NULL, 0);
    width("ipv6-addr", "2001:da8::/31", NULL, VG_EINVAL);
    width("ipv6-addr", "::/0", NULL, VG_EINVAL);
    width("domain-name", "example.org", NULL, 0);
    width("url", "http://0.0.0.0/", NULL, 0);
    struct vg_intake_limits lim = {16, 48, 0};
    width("ipv4-addr", "172.16.0.0/16", &lim, 0);
    width("ipv4-addr", "172.16.0.0/15", &lim, VG_EINVAL);
    width("ipv6-addr", "2001:db8:1::/48", &lim, 0);
    width("ipv6-addr", "2001:db8::/47", &lim, VG_EINVAL);
    /* the count */
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *o = obs_of("ipv4-addr", "192.0.2.9", 99); /* 100 */
    assert_int_equal(vg_intake_check_observables(o, NULL, &d), 0);
    json_array_append_new(o, json_pack("{s:s,s:s}", "type", "md5", "value",
                                       "d41d8cd98f00b204e9800998ecf8427e"));
    assert_int_equal(vg_intake_check_observables(o, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "/observables");
    lim.max_observables = 101;
    assert_int_equal(vg_intake_check_observables(o, &lim, &d), 0);
    json_decref(o);
    assert_int_equal(vg_intake_check_observables(NULL, NULL, &d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_keys_mask_the_network),
        cmocka_unit_test(buckets_keyed_by_network_share),
        cmocka_unit_test(global_bucket_holds_every_client),
        cmocka_unit_test(xff_read_only_from_trusted_proxies),
        cmocka_unit_test(proxy_networks_parse),
        cmocka_unit_test(observables_too_wide_or_too_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
