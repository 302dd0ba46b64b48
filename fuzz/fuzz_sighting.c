/* libFuzzer target of the sighting path (src/match/sighting.c): a body of events as POST
 * /api/v1/events gets it is scanned and every hit turned into a sighting (core/sighting.h:
 * event time, addresses read from the event, attribution). Each sighting must name a known
 * indicator, no organisation or a known one, have an RFC 3339 UTC "seen", UTF-8 strings, and
 * the log's name as the start of its source; a batch holds 1 to 7 of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrib.h"
#include "match/match.h"
#include "util/time.h"

static struct vg_match_index *idx;
static struct vg_attrib *attrib;

/* True if s is valid UTF-8 (what a sighting's strings must be, for the JSON they end up in). */
static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = u[i] < 0x80 ? 1 : vg_utf8_len(u + i, n - i)))
            return 0;
    return 1;
}

static int check_batch(void *ctx, const struct vg_sighting *v, size_t n)
{
    (void)ctx;
    if (n == 0 || n > 7)
        abort();
    for (size_t i = 0; i < n; i++) {
        time_t t;
        if (!v[i].seen || vg_time_parse(v[i].seen, &t) != 0 || v[i].indicator < 1 ||
            v[i].indicator > 5 || !v[i].value || !utf8_ok(v[i].value) || !v[i].field ||
            !utf8_ok(v[i].field) || !v[i].source || strncmp(v[i].source, "fuzz:", 5) != 0)
            abort();
        if (v[i].org != 0 && v[i].org != 1 && v[i].org != 2)
            abort();
    }
    return 0;
}

static void setup(void)
{
    idx = vg_match_index_new();
    vg_match_index_add_row(idx, 1, "ipv4-addr", "203.0.113.0/24");
    vg_match_index_add_row(idx, 2, "domain-name", "evil.example");
    vg_match_index_add_row(idx, 3, "url", "http://bad.example/x");
    vg_match_index_add_row(idx, 4, "ipv6-addr", "2001:db8:bad::/48");
    vg_match_index_add_row(idx, 5, "email-addr", "x@lure.example");
    vg_match_index_freeze(idx);
    json_t *orgs =
        json_loads("[{\"id\":1,\"assets\":{\"cidrs\":[\"10.0.0.0/8\",\"2001:db8:a::/48\"],"
                   "\"domains\":[\"a.example\"]}},{\"id\":2,\"assets\":{\"cidrs\":"
                   "[\"192.168.0.0/16\"],\"domains\":[\"b.example\"]}}]",
                   0, NULL);
    attrib = vg_attrib_new(orgs);
    json_decref(orgs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx)
        setup();
    struct vg_match_sightings sg;
    /* fuzzers hand a buffer without a final NUL: the scanner must not need one */
    if (vg_match_sightings_init(&sg, idx, attrib, (const char *)data, size, VG_MATCH_FORMAT_EVE,
                                "fuzz", 7, check_batch, NULL) != 0)
        return 0;
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 1, 0};
    struct vg_match_sink sink = {vg_match_sightings_hit, NULL, &sg};
    struct vg_match_stats st = {0};
    if (vg_match_scan_mem(idx, &opts, (const char *)data, size, &sink, &st, NULL) == 0)
        vg_match_sightings_flush(&sg);
    vg_match_sightings_cleanup(&sg);
    /* the time reader alone, on a NUL-terminated copy */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char out[VG_TIME_LEN];
    if (vg_match_time_normalise(s, out) == 0) {
        time_t t;
        if (vg_time_parse(out, &t) != 0)
            abort();
    }
    free(s);
    return 0;
}
