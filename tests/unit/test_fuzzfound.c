/* Unit tests of the bugs the fuzz targets found (fuzz/): each case is the input a target
 * reported, reduced, and fails without its fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/corr.h"
#include "core/observable.h"
#include "core/record.h"
#include "match/match.h"

/* The matcher's key of a URL, NUL-terminated. */
static const char *match_key(const char *url, char *out, size_t cap)
{
    size_t n;
    assert_int_equal(vg_match_url_normalise(vg_str_c(url), out, cap - 1, &n, NULL), 0);
    out[n] = '\0';
    return out;
}

/* fuzz_observable: the stored form of a URL indicator (core/observable.c) and the raw text it
 * came from had different matcher keys (match/url.c), so the indicator did not match the very
 * text it was made from: "http://evil.example:0080/" was stored as "http://evil.example/",
 * which the matcher keys without a port, while the raw text kept ":0080"; an IPv6 literal was
 * stored in canonical text but keyed as written; a second final dot of the host was dropped
 * only by a second normalisation. */
static void url_stored_form_and_raw_text_agree(void **state)
{
    (void)state;
    static const char *const raw[] = {
        "HTTP://user:pw@Evil.Example.:01/a/B?c=d#frag",
        "http://evil.example:0080/x",
        "https://evil.example:00443/",
        "http://[0:0:0:0:0:0:0:1]:8080/p",
        "http://[2001:DB8:0::1]/",
        "http://evil.example../x",
        "http://evil.example:000/",
    };
    static const char *const want[] = {
        "http://evil.example:1/a/B?c=d", "http://evil.example/x", "https://evil.example/",
        "http://[::1]:8080/p",           "http://[2001:db8::1]/", "http://evil.example/x",
        "http://evil.example:0/",
    };
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        struct vg_observable o;
        struct vg_diag d;
        assert_int_equal(vg_observable_parse(vg_str_c(raw[i]), VG_OBS_URL, &o, &d), 0);
        char k1[512], k2[512], k3[512];
        assert_string_equal(match_key(o.value, k1, sizeof k1), want[i]);
        assert_string_equal(match_key(raw[i], k2, sizeof k2), want[i]);
        assert_string_equal(match_key(k2, k3, sizeof k3), want[i]); /* a fixed point */
    }
    /* A zone or junk inside brackets is kept as written (core refuses it). */
    char k[512];
    assert_string_equal(match_key("http://[fe80::1%eth0]/", k, sizeof k), "http://[fe80::1%eth0]/");
}

/* fuzz_checks: vg_email_domain("alice@.") answered 0 with an empty domain, where its contract
 * says -1 when there is none. */
static void email_domain_never_empty(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(vg_email_domain("alice@.", out, sizeof out), -1);
    assert_int_equal(vg_email_domain("alice@", out, sizeof out), -1);
    assert_int_equal(vg_email_domain("alice", out, sizeof out), -1);
    assert_int_equal(vg_email_domain("a@b@Mairie.Example.", out, sizeof out), 0);
    assert_string_equal(out, "mairie.example");
    assert_int_equal(vg_email_domain("a@x.", out, sizeof out), 0);
    assert_string_equal(out, "x");
    assert_int_equal(vg_email_domain("a@abc", out, 3), -1); /* does not fit */
    assert_int_equal(vg_email_domain("a@abc", out, 4), 0);
}

/* fuzz_observable: an e-mail-addr indicator holding "://" was accepted (given its type), but
 * the matcher reads such text as a URL and its index refused it: stored, it could never
 * match. Now refused where it is given, naming the field. */
static void email_with_scheme_separator_refused(void **state)
{
    (void)state;
    struct vg_observable o;
    struct vg_diag d;
    assert_int_equal(vg_observable_parse(vg_str_c("x://ww.@evil.example"), VG_OBS_EMAIL, &o, &d),
                     VG_EINVAL);
    assert_string_equal(d.field, "value");
    assert_int_equal(vg_observable_parse(vg_str_c("x:/ww.@evil.example"), VG_OBS_EMAIL, &o, &d), 0);
    assert_string_equal(o.value, "x:/ww.@evil.example");
    struct vg_match_index *idx = vg_match_index_new();
    assert_int_equal(vg_match_index_add(idx, VG_MATCH_EMAIL, vg_str_c(o.value),
                                        (struct vg_str){NULL, 0}, 1, &d),
                     0);
    vg_match_index_free(idx);
}

/* fuzz_observable (CI, 2026-12-05): a value starting "10.0.0.0/8" followed by text was read
 * as an e-mail address when it was 54 bytes or more (too long to be tried as an address) and
 * as a bad CIDR once its normal form was shorter: detection differed between a value and its
 * own normal form. The address before '/' is now judged whatever follows. */
static void cidr_prefix_judged_whatever_the_length(void **state)
{
    (void)state;
    struct vg_observable o;
    struct vg_diag d;
    static const char *const vals[] = {
        "10.0.0.0/8\xfa:db:65536.example4::/q.]\xf8\x8a\x87\x8c\x9a\x8d\xc5\x8fw@l.Exampe.",
        "10.0.0.0/8\xfa:db:65536.example4::/q.]\xf8\x8a\x87\x8c\x9a\x8d\xc5\x8fw@l.exampe",
        "10.0.0.0/8x@evil.example",
    };
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        assert_int_equal(vg_observable_parse(vg_str_c(vals[i]), VG_OBS_UNKNOWN, &o, &d), VG_EINVAL);
        assert_string_equal(d.field, "value");
        assert_non_null(strstr(d.message, "bad prefix length"));
    }
    char longp[200]; /* a prefix of 150 digits: refused as a prefix, however long */
    snprintf(longp, sizeof longp, "192.0.2.0/%0150d", 24);
    assert_int_equal(vg_observable_parse(vg_str_c(longp), VG_OBS_UNKNOWN, &o, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "bad prefix length"));
    assert_true(strlen(d.message) < 100); /* the prefix quoted is cut */
    assert_int_equal(vg_observable_parse(vg_str_c("192.0.2.0/0000000024"), VG_OBS_UNKNOWN, &o, &d),
                     0);
    assert_string_equal(o.value, "192.0.2.0/24");
    assert_int_equal(vg_observable_parse(vg_str_c("192.0.2.0/24"), VG_OBS_UNKNOWN, &o, &d), 0);
    assert_string_equal(o.value, "192.0.2.0/24");
}

/* fuzz_observable (2026-12-05): "http://" and U+034F, a character IDNA maps to nothing, was
 * stored as "http:///", which read again is a URL without a host. A host that maps to no
 * name is refused, as a URL and as a bare domain, and the matcher reads no key from it. */
static void idna_host_mapping_to_nothing_refused(void **state)
{
    (void)state;
    struct vg_observable o;
    struct vg_diag d;
    static const char *const vals[] = {"http://\xcd\x8f", "http://\xcd\x8f/x", "\xcd\x8f",
                                       "http://\xe3\x80\x82/"};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        assert_int_equal(vg_observable_parse(vg_str_c(vals[i]), VG_OBS_UNKNOWN, &o, &d), VG_EINVAL);
        assert_string_equal(d.field, "value");
    }
    char k[64];
    size_t n;
    assert_int_not_equal(vg_match_url_normalise(vg_str_c("http://\xcd\x8f/x"), k, sizeof k, &n,
                                                NULL),
                         0);
    assert_int_equal(vg_observable_parse(vg_str_c("http://\xc3\xa9t\xc3\xa9.example/"),
                                         VG_OBS_UNKNOWN, &o, &d),
                     0);
    assert_string_equal(o.value, "http://xn--t-9fab.example/");
}

static int count_match(void *ctx, long long inc, const char *matched)
{
    (void)inc;
    (void)matched;
    ++*(int *)ctx;
    return 0;
}

static int related_count(struct vg_corr *c, const char *value, long long self)
{
    struct vg_observable o;
    assert_int_equal(vg_observable_parse(vg_str_c(value), VG_OBS_UNKNOWN, &o, NULL), 0);
    int n = 0;
    vg_corr_lookup(c, &o, self, 1000, count_match, &n);
    return n;
}

/* fuzz_corr: the IPv6 network ::/41 (or ::/0) was related to every IPv4 address (IPv4 is held
 * as ::ffff:a.b.c.d), while looking up the IPv4 address did not find the network: /related
 * answered differently from each side. IPv6 networks shorter than /96 now leave the IPv4 space
 * (::ffff:0:0/96) alone from both sides; ::ffff:0:0/96 itself still relates to IPv4. */
static void corr_ipv6_network_and_ipv4_symmetric(void **state)
{
    (void)state;
    static const char *const obs[] = {"::/41", "127.2.0.1", "::ffff:0:0/96", "10.0.0.0/8", "::/0"};
    struct vg_corr *c = vg_corr_new();
    for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++) {
        struct vg_observable o;
        assert_int_equal(vg_observable_parse(vg_str_c(obs[i]), VG_OBS_UNKNOWN, &o, NULL), 0);
        assert_int_equal(vg_corr_add(c, (long long)i + 1, &o), 0);
    }
    /* ::/41 (1): ::/0 around it only. */
    assert_int_equal(related_count(c, "::/41", 1), 1);
    /* 127.2.0.1 (2): ::ffff:0:0/96 only (not ::/41, not ::/0, not 10/8). */
    assert_int_equal(related_count(c, "127.2.0.1", 2), 1);
    /* ::ffff:0:0/96 (3): 127.2.0.1 and 10.0.0.0/8 inside; it is in the IPv4 space, so not
     * inside ::/41 or ::/0 either. */
    assert_int_equal(related_count(c, "::ffff:0:0/96", 3), 2);
    /* ::/0 (5): ::/41 only, nothing of the IPv4 space. */
    assert_int_equal(related_count(c, "::/0", 5), 1);
    vg_corr_free(c);
}

/* fuzz_observable: a URL whose path ends in blanks before its fragment ("http://evil.example/x
 * #f") kept them in its normal form, and that form read again was trimmed: a stored indicator
 * re-imported became another one, and its matcher key differed from the raw text's. Both
 * normalisers now drop blanks before the fragment. */
static void url_blanks_before_fragment(void **state)
{
    (void)state;
    struct vg_observable o, again;
    struct vg_diag d;
    assert_int_equal(vg_observable_parse(vg_str_c("lt://evil.example//x:1   #frag"), VG_OBS_URL, &o,
                                         &d),
                     0);
    assert_string_equal(o.value, "lt://evil.example//x:1");
    assert_int_equal(vg_observable_parse(vg_str_c(o.value), VG_OBS_URL, &again, &d), 0);
    assert_string_equal(again.value, o.value);
    char k[256];
    assert_string_equal(match_key("lt://evil.example//x:1 \t #frag", k, sizeof k),
                        "lt://evil.example//x:1");
    assert_string_equal(match_key("http://evil.example/a b", k, sizeof k),
                        "http://evil.example/a b"); /* inside the path: kept */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_stored_form_and_raw_text_agree),
        cmocka_unit_test(email_domain_never_empty),
        cmocka_unit_test(email_with_scheme_separator_refused),
        cmocka_unit_test(corr_ipv6_network_and_ipv4_symmetric),
        cmocka_unit_test(url_blanks_before_fragment),
        cmocka_unit_test(cidr_prefix_judged_whatever_the_length),
        cmocka_unit_test(idna_host_mapping_to_nothing_refused),
    };
    return cmocka_run_group_tests_name("fuzzfound", tests, NULL, NULL);
}
