/* libFuzzer target of observable parsing (src/core/observable.c) as plain strings, and of its
 * agreement with the matcher (src/match/url.c, classify.c, index.c). Input: byte 0 picks the
 * type given (0: detect), the rest is the value. Properties:
 *  - a normal form is a fixed point: parsed again (with its type, and with detection when the
 *    type was detected) it gives the same type, value, address, prefix and reversed domain;
 *  - host names, e-mail addresses, hashes and addresses are case-insensitive: the value
 *    upper-cased parses to the same normal form;
 *  - a domain's reversed form is its labels reversed, and reversing twice gives it back;
 *  - a URL's stored form and the raw text it came from have the same matcher key
 *    (vg_match_url_normalise), so an indicator still matches the text it was made from;
 *  - what the API stores, the matcher's index accepts as an indicator of the same type, and
 *    the raw text, read as a log token, hits it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/observable.h"
#include "match/match.h"

static struct vg_match_cand cand;

static void fail(const char *what, struct vg_str raw, const char *a, const char *b)
{
    fprintf(stderr, "%s: raw '%.*s'\n  first:  '%s'\n  second: '%s'\n", what, (int)raw.len, raw.ptr,
            a, b);
    abort();
}

static void same_obs(const char *what, struct vg_str raw, const struct vg_observable *a,
                     const struct vg_observable *b)
{
    if (a->type != b->type || strcmp(a->value, b->value) != 0 || a->has_ip != b->has_ip ||
        (a->has_ip && (memcmp(a->ip, b->ip, 16) != 0 || a->prefix != b->prefix)) ||
        strcmp(a->rdomain, b->rdomain) != 0)
        fail(what, raw, a->value, b->value);
}

static int on_hit(void *ctx, uint32_t rec)
{
    (void)rec;
    *(int *)ctx = 1;
    return 0;
}

/* The matcher's side: the stored form is an indicator its index accepts, and the raw text
 * (when it reads as a candidate of the same kind, not a CIDR) hits it. */
static void check_matcher(struct vg_str raw, const struct vg_observable *o)
{
    enum vg_match_type mt;
    if (vg_match_type_parse(vg_str_c(vg_obs_type_name(o->type)), &mt) != 0)
        abort();
    struct vg_match_index *idx = vg_match_index_new();
    struct vg_diag d;
    int rc = vg_match_index_add(idx, mt, vg_str_c(o->value), (struct vg_str){NULL, 0}, 1, &d);
    if (rc != 0) {
        fprintf(stderr, "index refuses stored %s '%s': %s\n", vg_obs_type_name(o->type), o->value,
                d.message);
        abort();
    }
    vg_match_index_freeze(idx);
    static const enum vg_match_kind want[] = {
        [VG_OBS_IPV4] = VG_MATCH_KIND_IPV4,   [VG_OBS_IPV6] = VG_MATCH_KIND_IPV6,
        [VG_OBS_DOMAIN] = VG_MATCH_KIND_HOST, [VG_OBS_URL] = VG_MATCH_KIND_URL,
        [VG_OBS_EMAIL] = VG_MATCH_KIND_EMAIL, [VG_OBS_MD5] = VG_MATCH_KIND_HASH,
        [VG_OBS_SHA1] = VG_MATCH_KIND_HASH,   [VG_OBS_SHA256] = VG_MATCH_KIND_HASH,
    };
    struct vg_str t = vg_str_trim(raw);
    if (vg_match_classify(t, &cand) == want[o->type] && !(o->has_ip && strchr(o->value, '/')) &&
        (o->type != VG_OBS_URL || cand.key_len > 0)) {
        int hit = 0;
        vg_match_index_lookup(idx, &cand, on_hit, &hit);
        if (!hit) {
            fprintf(stderr, "raw '%.*s' does not hit its stored %s '%s'\n", (int)t.len, t.ptr,
                    vg_obs_type_name(o->type), o->value);
            abort();
        }
    }
    vg_match_index_free(idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > VG_MAX_OBSERVABLE + 64)
        return 0;
    enum vg_obs_type type = (enum vg_obs_type)(data[0] % 9);
    struct vg_str raw = {(const char *)data + 1, size - 1};
    static struct vg_observable o, again, up;
    struct vg_diag d;
    if (vg_observable_parse(raw, type, &o, &d) != 0) {
        if (d.field[0] == '\0')
            abort(); /* a refusal names the field */
        return 0;
    }
    size_t n = strlen(o.value);
    if (o.type == VG_OBS_UNKNOWN || n == 0 || n > VG_MAX_OBSERVABLE)
        abort();
    struct vg_str norm = {o.value, n};
    if (vg_observable_parse(norm, o.type, &again, &d) != 0)
        fail("normal form refused", raw, o.value, d.message);
    same_obs("normal form not a fixed point", raw, &o, &again);
    if (type == VG_OBS_UNKNOWN) {
        if (vg_observable_parse(norm, VG_OBS_UNKNOWN, &again, &d) != 0)
            fail("normal form not detected", raw, o.value, d.message);
        same_obs("detection of the normal form differs", raw, &o, &again);
    }
    if (o.type == VG_OBS_DOMAIN) {
        char rev[VG_MAX_HOSTNAME + 2], back[VG_MAX_HOSTNAME + 2];
        vg_domain_reverse(o.value, rev, sizeof rev);
        vg_domain_reverse(rev, back, sizeof back);
        if (strcmp(rev, o.rdomain) != 0 || strcmp(back, o.value) != 0)
            fail("reversed domain", raw, rev, back);
    }
    if (o.type != VG_OBS_URL) {
        char *u = malloc(raw.len ? raw.len : 1);
        for (size_t i = 0; i < raw.len; i++)
            u[i] = (raw.ptr[i] >= 'a' && raw.ptr[i] <= 'z') ? (char)(raw.ptr[i] - 32) : raw.ptr[i];
        if (vg_observable_parse((struct vg_str){u, raw.len}, type, &up, &d) != 0)
            fail("upper case refused", raw, o.value, d.message);
        same_obs("upper case differs", raw, &o, &up);
        free(u);
    } else {
        static char k1[VG_MAX_OBSERVABLE + 64], k2[VG_MAX_OBSERVABLE + 64];
        size_t n1, n2;
        struct vg_str t = vg_str_trim(raw);
        int r1 = vg_match_url_normalise(norm, k1, sizeof k1, &n1, NULL);
        int r2 = vg_match_url_normalise(t, k2, sizeof k2, &n2, NULL);
        if (r1 != 0 || r2 != 0 || n1 != n2 || memcmp(k1, k2, n1) != 0) {
            k1[r1 ? 0 : n1] = '\0';
            k2[r2 ? 0 : n2] = '\0';
            fail("matcher keys of the stored URL and of its raw text differ", raw, k1, k2);
        }
    }
    check_matcher(raw, &o);
    return 0;
}
