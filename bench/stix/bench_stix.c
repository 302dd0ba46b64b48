/* STIX 2.1 benchmark: a document of N indicators (default 1,000,000; the eight types in turn,
 * each with a TLP, tags, a comment and timestamps, one in ten with a sighting) written as a
 * bundle by vg_stix_write, then that bundle read back by vg_stix_read into a sink that counts.
 * Prints CPU time (this thread) and rates. Usage: bench_stix [N] [bundle-out-path] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "share/stix.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct counts {
    long items, skips, containers;
};

static int on_item(void *ctx, const struct vg_share_item *item)
{
    (void)item;
    ((struct counts *)ctx)->items++;
    return 0;
}

static int on_container(void *ctx, const json_t *c)
{
    (void)c;
    ((struct counts *)ctx)->containers++;
    return 0;
}

static int on_skip(void *ctx, const char *p, const char *w, const char *r)
{
    (void)p, (void)w, (void)r;
    ((struct counts *)ctx)->skips++;
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    static const char *const types[] = {"ipv4-addr",  "ipv6-addr", "domain-name", "url",
                                        "email-addr", "md5",       "sha1",        "sha256"};
    static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER"};
    json_t *items = json_array();
    for (long i = 0; i < n; i++) {
        char uuid[64], value[160];
        snprintf(uuid, sizeof uuid, "%08lx-0000-4000-8000-%012lx", (unsigned long)i,
                 (unsigned long)i);
        int t = (int)(i % 8);
        switch (t) {
        case 0:
            snprintf(value, sizeof value, "10.%ld.%ld.%ld", (i >> 16) & 255, (i >> 8) & 255,
                     i & 255);
            break;
        case 1: snprintf(value, sizeof value, "2001:db8::%lx", i); break;
        case 2: snprintf(value, sizeof value, "host%ld.evil.example", i); break;
        case 3: snprintf(value, sizeof value, "http://evil.example/p/%ld?q='x'", i); break;
        case 4: snprintf(value, sizeof value, "user%ld@evil.example", i); break;
        case 5: snprintf(value, sizeof value, "%032lx", i * 2654435761UL); break;
        case 6: snprintf(value, sizeof value, "%040lx", i * 2654435761UL); break;
        default: snprintf(value, sizeof value, "%064lx", i * 2654435761UL); break;
        }
        json_t *it = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:[s,s],s:s,s:s,s:s}", "uuid", uuid,
                               "type", types[t], "value", value, "tlp", tlps[i % 3], "source",
                               "feed-a", "comment", "seen in campaign X", "confidence", 70, "tags",
                               "c2", "apt-x", "first_seen", "2026-01-01T00:00:00Z", "created",
                               "2026-01-02T03:04:05.123456Z", "updated", "2026-02-02T03:04:05Z");
        if (i % 10 == 0) {
            char su[64];
            snprintf(su, sizeof su, "%08lx-1111-4000-8000-%012lx", (unsigned long)i,
                     (unsigned long)i);
            json_object_set_new(it, "sightings",
                                json_pack("[{s:s,s:s,s:i,s:s}]", "uuid", su, "seen",
                                          "2026-03-01T00:00:00Z", "count", 2, "source", "ids"));
        }
        json_array_append_new(items, it);
    }
    json_t *doc =
        json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:o,s:i}", "kind", "indicators", "uuid",
                  "7d0e3c1a-2b4f-4a6e-8c9d-0e1f2a3b4c5d", "producer", "name", "CERT-Bench", "uuid",
                  "0f5c2a34-8b1e-4d2a-9e3f-1a2b3c4d5e6f", "title", "bench", "created",
                  "2026-01-01T00:00:00Z", "tlp", "AMBER", "items", items, "withheld", 0);
    struct vg_buf b;
    vg_buf_init(&b, (size_t)4 << 30);
    struct vg_diag d;
    double w0 = wall_now(), c0 = cpu_now();
    int rc = vg_stix_write(doc, &b, &d);
    double c1 = cpu_now(), w1 = wall_now();
    if (rc) {
        fprintf(stderr, "write: %s (%s)\n", d.message, d.field);
        return 1;
    }
    printf("write: %ld indicators, %.1f MB, %.3f s CPU (%.3f s wall): %.0f indicators/s\n", n,
           (double)b.len / 1e6, c1 - c0, w1 - w0, (double)n / (c1 - c0));
    if (argc > 2) {
        FILE *f = fopen(argv[2], "wb");
        if (!f || fwrite(b.data, 1, b.len, f) != b.len)
            return 1;
        fclose(f);
    }
    /* again, into the same buffer: its memory already allocated and touched */
    const char *rep = getenv("VIGIE_BENCH_REPEAT");
    int reps = rep ? (int)strtol(rep, NULL, 10) : 1;
    for (int k = 1; k < reps; k++) {
        vg_buf_reset(&b);
        vg_stix_write(doc, &b, &d);
    }
    vg_buf_reset(&b);
    c0 = cpu_now();
    w0 = wall_now();
    rc = vg_stix_write(doc, &b, &d);
    c1 = cpu_now();
    w1 = wall_now();
    printf("write: again into the same buffer: %.3f s CPU (%.3f s wall): %.0f indicators/s\n",
           c1 - c0, w1 - w0, (double)n / (c1 - c0));
    json_decref(doc);
    if (getenv("VIGIE_BENCH_WRITE_ONLY"))
        return 0;
    /* the part of the reading that is jansson's parse of the whole bundle */
    w0 = wall_now();
    c0 = cpu_now();
    json_t *parsed = vg_json_parse(b.data, b.len, &d);
    c1 = cpu_now();
    w1 = wall_now();
    printf("parse: jansson, the whole bundle: %.3f s CPU (%.3f s wall)\n", c1 - c0, w1 - w0);
    c0 = cpu_now();
    json_decref(parsed);
    printf("free:  the parsed tree: %.3f s CPU\n", cpu_now() - c0);
    struct counts cnt = {0};
    struct vg_share_sink sink = {&cnt, on_container, on_item, on_skip};
    w0 = wall_now();
    c0 = cpu_now();
    rc = vg_stix_read(b.data, b.len, &sink, &d);
    c1 = cpu_now();
    w1 = wall_now();
    if (rc) {
        fprintf(stderr, "read: %s (%s)\n", d.message, d.field);
        return 1;
    }
    printf("read:  %ld items (%ld skips, %ld containers), %.3f s CPU (%.3f s wall): %.0f "
           "indicators/s\n",
           cnt.items, cnt.skips, cnt.containers, c1 - c0, w1 - w0, (double)cnt.items / (c1 - c0));
    vg_buf_cleanup(&b);
    return 0;
}
