/* Sharing benchmark driver: exports of every indicator of a database as MISP and as STIX 2.1
 * for an AMBER partner, streamed (vg_share_indicators_export: the store's rows through the
 * gate to the streaming writers), CPU time of the process (user + sys) around the export;
 * and the MISP reader alone on a file (items counted, nothing stored), to tell the reader's
 * share of an import from the store's.
 *   bench_share DB [misp|stix]...
 *   bench_share --read FILE
 * Prints one line per export or read: objects, seconds, objects/s, bytes. The objects of an
 * export are counted in its output after the timed part: MISP attributes of indicators (the
 * withheld comment left out), STIX indicators and every object of the bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "app/share.h"
#include "share/misp.h"
#include "store/store.h"
#include "util/time.h"

static int count_item(void *ctx, const struct vg_share_item *item)
{
    (void)item;
    (*(long long *)ctx)++;
    return 0;
}

static int count_container(void *ctx, const json_t *c)
{
    (void)ctx;
    (void)c;
    return 0;
}

static int count_skip(void *ctx, const char *pointer, const char *what, const char *reason)
{
    (void)pointer;
    (void)what;
    (void)reason;
    (*(long long *)ctx)++;
    return 0;
}

/* The MISP reader alone on the file path. */
static int read_only(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    long long items = 0;
    struct vg_share_sink sink = {&items, count_container, count_item, count_skip};
    struct vg_diag d;
    vg_diag_clear(&d);
    double t0 = vg_time_mono();
    int rc = vg_misp_read(buf, (size_t)n, &sink, &d);
    double t = vg_time_mono() - t0;
    printf("read misp: %lld items in %.2f s: %.0f items/s, %ld bytes (rc %d %s)\n", items, t,
           items / t, n, rc, d.message);
    free(buf);
    return rc ? 1 : 0;
}

/* CPU seconds of the process so far (user + sys). */
static double cpu_now(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

/* Occurrences of needle in b. */
static long long count_of(const struct vg_buf *b, const char *needle)
{
    long long n = 0;
    size_t m = strlen(needle);
    const char *p = b->data, *end = b->data + b->len;
    while (p && (p = memmem(p, (size_t)(end - p), needle, m)) != NULL) {
        n++;
        p += m;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--read") == 0)
        return read_only(argv[2]);
    if (argc < 3) {
        fprintf(stderr, "usage: bench_share DB misp|stix...\n");
        return 2;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(argv[1], NULL, &d);
    if (!st) {
        fprintf(stderr, "bench_share: %s\n", d.message);
        return 1;
    }
    struct vg_recipient r = {VG_RCPT_PARTNER, VG_TLP_AMBER, 0, 1};
    struct vg_share_filter all = {NULL, NULL, NULL, NULL};
    int rc = 0;
    for (int i = 2; i < argc && !rc; i++) {
        struct vg_buf b;
        vg_buf_init(&b, 4L * 1024 * 1024 * 1024);
        double t0 = vg_time_mono(), c0 = cpu_now();
        rc = vg_share_indicators_export(st, &r, &all, argv[i], &b, NULL, NULL, &d);
        double t = vg_time_mono() - t0, c = cpu_now() - c0;
        if (rc) {
            fprintf(stderr, "bench_share: %s: %s\n", d.field, d.message);
        } else if (strcmp(argv[i], "misp") == 0) {
            long long n = count_of(&b, "\"to_ids\":") - 1;
            printf("export misp (streamed): %lld indicators in %.2f s CPU (%.2f s wall): "
                   "%.0f indicators/s of CPU, %zu bytes\n",
                   n, c, t, n / c, b.len);
        } else {
            long long n = count_of(&b, "{\"type\":\"indicator\""), all_n = count_of(&b, "\n{");
            printf("export stix (streamed): %lld indicators, %lld objects in %.2f s CPU (%.2f s "
                   "wall): %.0f indicators/s, %.0f objects/s of CPU, %zu bytes\n",
                   n, all_n, c, t, n / c, all_n / c, b.len);
        }
        vg_buf_cleanup(&b);
    }
    vg_store_close(st);
    return rc ? 1 : 0;
}
