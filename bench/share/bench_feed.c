/* MISP feed benchmark driver (app/mispfeed.c): what a partner's full pull of its feed costs,
 * request by request, as the server answers them: manifest.json, every event {uuid}.json
 * (or the first MAX of them), hashes.csv. CPU time of the process (user + sys) and peak RSS
 * after each.
 *   bench_feed DB [MAX] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "app/mispfeed.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/time.h"

static double cpu_now(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

static long peak_kib(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_feed DB [MAX]\n");
        return 2;
    }
    long max = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(argv[1], NULL, &d);
    if (!st) {
        fprintf(stderr, "bench_feed: %s\n", d.message);
        return 1;
    }
    struct vg_recipient r = {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 1};
    double c0 = cpu_now(), t0 = vg_time_mono();
    json_t *m = NULL;
    int rc = vg_mispfeed_manifest(st, &r, &m, &d);
    double c = cpu_now() - c0, t = vg_time_mono() - t0;
    if (rc) {
        fprintf(stderr, "bench_feed: manifest: %s\n", d.message);
        return 1;
    }
    printf("manifest.json: %zu events in %.2f s CPU (%.2f s wall), peak RSS %ld KiB\n",
           json_object_size(m), c, t, peak_kib());
    const char *uuid;
    json_t *v;
    long n = 0;
    size_t bytes = 0;
    double ec = 0, et = 0, worst = 0;
    json_object_foreach(m, uuid, v) {
        if (max >= 0 && n >= max)
            break;
        struct vg_buf b;
        vg_buf_init(&b, VG_MAX_BUF);
        c0 = cpu_now();
        t0 = vg_time_mono();
        rc = vg_mispfeed_event(st, &r, uuid, &b, &d);
        c = cpu_now() - c0;
        ec += c;
        et += vg_time_mono() - t0;
        worst = c > worst ? c : worst;
        bytes += b.len;
        vg_buf_cleanup(&b);
        if (rc) {
            fprintf(stderr, "bench_feed: event %s: %s\n", uuid, d.message);
            return 1;
        }
        n++;
    }
    printf("{uuid}.json: %ld events, %zu bytes in %.2f s CPU (%.2f s wall): %.3f s CPU each "
           "(the slowest %.3f s), peak RSS %ld KiB\n",
           n, bytes, ec, et, n ? ec / n : 0, worst, peak_kib());
    struct vg_buf h;
    vg_buf_init(&h, VG_MAX_BUF);
    c0 = cpu_now();
    t0 = vg_time_mono();
    rc = vg_mispfeed_hashes(st, &r, &h, &d);
    c = cpu_now() - c0;
    t = vg_time_mono() - t0;
    if (rc) {
        fprintf(stderr, "bench_feed: hashes: %s\n", d.message);
        return 1;
    }
    printf("hashes.csv: %zu bytes in %.2f s CPU (%.2f s wall), peak RSS %ld KiB\n", h.len, c, t,
           peak_kib());
    vg_buf_cleanup(&h);
    json_decref(m);
    vg_store_close(st);
    return 0;
}
