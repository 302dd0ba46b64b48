/* libFuzzer target of the sighting path (src/match/sighting.c): a body of events as POST
 * /api/v1/events gets it is scanned and every hit turned into a sighting object (event time,
 * addresses read from the event, attribution). Each sighting must be a well-formed object
 * whose "seen" is an RFC 3339 UTC time, and its source the hit's line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrib.h"
#include "match/match.h"
#include "util/time.h"

static struct vg_match_index *idx;
static struct vg_attrib *attrib;

static int check_batch(void *ctx, json_t *batch)
{
    (void)ctx;
    size_t i;
    json_t *sg;
    json_array_foreach(batch, i, sg) {
        const char *seen = json_string_value(json_object_get(sg, "seen"));
        time_t t;
        if (!seen || vg_time_parse(seen, &t) != 0 ||
            !json_is_integer(json_object_get(sg, "indicator")) ||
            !json_string_value(json_object_get(sg, "value")) ||
            !json_string_value(json_object_get(sg, "source")))
            abort();
        json_t *org = json_object_get(sg, "org");
        if (!json_is_null(org) && json_integer_value(org) != 1 && json_integer_value(org) != 2)
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
