/* Boundaries pinned where the end-to-end route would be slow or indirect (issue 10, "Pin the
 * rules"): indicator expiry at the exact second (the clock cannot be set from outside), and
 * the address rules of correlation and attribution compared on random networks with a
 * straightforward containment scan (first and last addresses, /0 /31 /32 /127 /128, IPv4
 * and IPv6 apart). The seed is printed on failure; VIGIE_AGREE_SEED=N replays it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/events.h"
#include "core/attrib.h"
#include "core/corr.h"
#include "core/observable.h"
#include "core/record.h"
#include "store/store.h"
#include "util/str.h"

#include "store_fixture.h"

/* ---- indicator expiry ---- */

/* The indicators loaded for matching at now. */
static size_t loaded_at(struct vg_store *st, const char *now)
{
    struct vg_diag d;
    struct vg_match_index *idx = vg_match_index_new();
    assert_non_null(idx);
    assert_int_equal(vg_events_load(st, now, idx, &d), 0);
    vg_match_index_freeze(idx);
    size_t n = vg_match_index_count(idx);
    vg_match_index_free(idx);
    return n;
}

/* An indicator whose `expires` is T is matched before T and not from T on (docs/API.md:
 * expired indicators are not matched), whatever the fraction of a second of the clock:
 * expiries are stored in whole seconds, the clock is read in microseconds. Before the fix, an
 * indicator was still matched for the whole second of its expiry ("...00Z" sorted after
 * "...00.500000Z"). */
static void expiry_at_the_second(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    static const char *const given[][2] = {{"c.example", "2025-12-31T23:59:59Z"},
                                           {"a.example", "2026-01-01T00:00:00Z"},
                                           {"b.example", "2026-01-01T00:00:01+00:00"},
                                           {"d.example", NULL}};
    json_t *inds = json_array(), *out = NULL;
    for (size_t i = 0; i < 4; i++) {
        json_t *in = json_pack("{s:s}", "value", given[i][0]), *ok = NULL;
        if (given[i][1])
            json_object_set_new(in, "expires", json_string(given[i][1]));
        assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &ok, &d), 0);
        json_array_append_new(inds, ok);
        json_decref(in);
    }
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    static const struct {
        const char *now;
        size_t n;
    } cases[] = {
        {"2025-12-31T23:59:58.999999Z", 4}, {"2025-12-31T23:59:58Z", 4},
        {"2025-12-31T23:59:59.000000Z", 3}, {"2025-12-31T23:59:59Z", 3},
        {"2025-12-31T23:59:59.999999Z", 3}, {"2026-01-01T00:00:00.000000Z", 2},
        {"2026-01-01T00:00:00.500000Z", 2}, {"2026-01-01T00:00:00Z", 2},
        {"2026-01-01T00:00:00.999999Z", 2}, {"2026-01-01T00:00:01.000000Z", 1},
        {"2026-01-01T01:00:01+01:00", 1},   {"2099-01-01T00:00:00Z", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = loaded_at(f->st, cases[i].now);
        if (n != cases[i].n)
            fail_msg("at %s: %zu indicators loaded, want %zu", cases[i].now, n, cases[i].n);
    }
    /* the index a server keeps is rebuilt as the expiry passes, not a second later */
    struct vg_events_index ei = {0};
    const struct vg_match_index *a =
        vg_events_index_current(&ei, f->st, "2025-12-31T23:59:59.999999Z", &d);
    assert_non_null(a);
    assert_int_equal(vg_match_index_count(a), 3);
    const struct vg_match_index *b =
        vg_events_index_current(&ei, f->st, "2026-01-01T00:00:00.000001Z", &d);
    assert_non_null(b);
    assert_int_equal(vg_match_index_count(b), 2);
    vg_events_index_cleanup(&ei);
}

/* ---- addresses: correlation and attribution against a straightforward scan ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned long long seed_of(void)
{
    const char *s = getenv("VIGIE_AGREE_SEED");
    unsigned long long seed = s ? strtoull(s, NULL, 10) : (unsigned long long)time(NULL);
    return seed ? seed : 1;
}

/* A random address or network from a small space, so that many contain others: IPv4 near
 * 10.0.0.0/24 and the ends of the space, IPv6 near 2001:db8::/120 and its ends; prefix
 * lengths weighted to the edges (/0 /31 /32 /127 /128). */
static void rand_net(char *out, size_t cap)
{
    static const int p4[] = {0, 1, 8, 16, 24, 28, 30, 31, 31, 32, 32, 32};
    static const int p6[] = {0, 1, 32, 64, 120, 124, 126, 127, 127, 128, 128, 128};
    int v6 = (int)(rnd() % 2);
    int k = (int)(rnd() % 12);
    unsigned last = (unsigned)(rnd() % 16);
    last = rnd() % 4 ? last : 240 + last; /* the top of the block: its last addresses */
    int edge = (int)(rnd() % 10);
    if (!v6) {
        const char *base = edge == 0 ? "0.0.0" : edge == 1 ? "255.255.255" : "10.0.0";
        snprintf(out, cap, "%s.%u/%d", base, edge < 2 ? (edge ? 255u - last % 2 : last % 2) : last,
                 p4[k]);
    } else {
        const char *base = edge == 0   ? "::"
                           : edge == 1 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff"
                                       : "2001:db8::";
        if (edge == 1)
            snprintf(out, cap, "%s%02x/%d", base, 0xfe + last % 2, p6[k]);
        else
            snprintf(out, cap, "%s%x/%d", base, edge ? last : last % 2, p6[k]);
    }
}

static bool is_v4(const struct vg_observable *o)
{
    static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return o->prefix >= 96 && memcmp(o->ip, v4, 12) == 0;
}

/* Does the network n hold the address or network x (same family, as docs/API.md says). */
static bool holds(const struct vg_observable *n, const struct vg_observable *x)
{
    if (is_v4(n) != is_v4(x) || n->prefix > x->prefix)
        return false;
    unsigned char m[16];
    vg_ip_mask(x->ip, n->prefix, m);
    return memcmp(m, n->ip, 16) == 0;
}

#define NOBS 400

struct hits {
    unsigned char seen[NOBS + 1];
};

/* Marks the incidents met; those above NOBS (the padding, in 172.16.0.0/16) are left out. */
static int on_hit(void *ctx, long long inc, const char *matched)
{
    (void)matched;
    if (inc >= 1 && inc <= NOBS)
        ((struct hits *)ctx)->seen[inc] = 1;
    return 0;
}

/* Correlation relates two addresses or networks when one holds the other (both ways), in one
 * family; the same answers from the sorted part (after the load merges it) and the tail. */
static void correlation_agrees_with_a_scan(void **state)
{
    (void)state;
    unsigned long long seed = seed_of();
    rng_state = seed;
    struct vg_observable *obs = calloc(NOBS + 1, sizeof *obs);
    assert_non_null(obs);
    for (int round = 0; round < 4; round++) {
        struct vg_corr *c = vg_corr_new();
        char v[96];
        for (int i = 1; i <= NOBS; i++) {
            rand_net(v, sizeof v);
            if (vg_observable_parse(vg_str_c(v), VG_OBS_UNKNOWN, &obs[i], NULL))
                fail_msg("seed %llu: cannot parse %s", seed, v);
            assert_int_equal(vg_corr_add(c, i, &obs[i]), 0);
            /* half the rounds: far more entries, so that the load merges the first ones into
             * the sorted part and the last ones stay in the tail */
            for (int j = 0; round % 2 && i == NOBS / 2 && j < 6000; j++) {
                struct vg_observable pad;
                snprintf(v, sizeof v, "172.16.%d.%d", j / 250, j % 250 + 1);
                assert_int_equal(vg_observable_parse(vg_str_c(v), VG_OBS_UNKNOWN, &pad, NULL), 0);
                assert_int_equal(vg_corr_add(c, NOBS + 1000 + j, &pad), 0);
            }
        }
        for (int i = 1; i <= NOBS; i++) {
            struct hits h = {{0}};
            vg_corr_lookup(c, &obs[i], i, 100000, on_hit, &h);
            for (int j = 1; j <= NOBS; j++) {
                bool want = j != i && (holds(&obs[i], &obs[j]) || holds(&obs[j], &obs[i]));
                if (want != (bool)h.seen[j])
                    fail_msg("seed %llu round %d: %s and %s %s related", seed, round, obs[i].value,
                             obs[j].value, want ? "not" : "wrongly");
            }
        }
        vg_corr_free(c);
    }
    free(obs);
}

/* Attribution gives an address to the constituent with the most specific network holding it
 * (the lower id among equal networks), in its family; 0 when none does. */
static void attribution_agrees_with_a_scan(void **state)
{
    (void)state;
    unsigned long long seed = seed_of() + 1;
    rng_state = seed;
    enum { NORGS = 12, NETS = 4, NADDR = 600 };
    struct vg_observable *nets = calloc(NORGS * NETS, sizeof *nets);
    struct vg_observable *a = malloc(sizeof *a);
    assert_true(nets && a);
    for (int round = 0; round < 6; round++) {
        /* few networks in the first rounds: addresses that only a short IPv6 network or none
         * holds; many in the last: nested ones */
        int norgs = 2 + 2 * round;
        json_t *orgs = json_array();
        char v[96];
        for (int o = 0; o < norgs; o++) {
            json_t *cidrs = json_array();
            for (int k = 0; k < NETS; k++) {
                rand_net(v, sizeof v);
                struct vg_observable *n = &nets[o * NETS + k];
                if (vg_observable_parse(vg_str_c(v), VG_OBS_UNKNOWN, n, NULL))
                    fail_msg("seed %llu: cannot parse %s", seed, v);
                json_array_append_new(cidrs, json_string(n->value));
            }
            json_array_append_new(orgs, json_pack("{s:i,s:{s:o}}", "id", o + 1, "assets", "cidrs",
                                                  cidrs));
        }
        struct vg_attrib *at = vg_attrib_new(orgs);
        assert_non_null(at);
        for (int i = 0; i < NADDR; i++) {
            rand_net(v, sizeof v);
            *strchr(v, '/') = '\0'; /* an address */
            assert_int_equal(vg_observable_parse(vg_str_c(v), VG_OBS_UNKNOWN, a, NULL), 0);
            long long want = 0;
            int best = -1;
            for (int o = 0; o < norgs; o++)
                for (int k = 0; k < NETS; k++) {
                    const struct vg_observable *n = &nets[o * NETS + k];
                    if (holds(n, a) && n->prefix > best) {
                        best = n->prefix;
                        want = o + 1;
                    }
                }
            long long got = vg_attrib_ip(at, v);
            if (got != want)
                fail_msg("seed %llu round %d: %s attributed to %lld, want %lld", seed, round, v,
                         got, want);
        }
        vg_attrib_free(at);
        json_decref(orgs);
    }
    free(a);
    free(nets);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(expiry_at_the_second, setup, teardown),
        cmocka_unit_test(correlation_agrees_with_a_scan),
        cmocka_unit_test(attribution_agrees_with_a_scan),
    };
    return cmocka_run_group_tests_name("boundaries", tests, NULL, NULL);
}
