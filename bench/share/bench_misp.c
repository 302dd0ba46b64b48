/* Benchmark of MISP's JSON (src/share/misp.c) on one core.
 *   bench_misp read FILE   reads FILE (mapped) through a counting sink: items/s, MB/s, and the
 *                          reader's own memory (peak anonymous RSS sampled every 50,000
 *                          items: the mapped file is not the reader's)
 *   bench_misp write N     writes an N-item document (built first, not timed): items/s, bytes */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "share/misp.h"
#include "util/limits.h"

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_anon_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "RssAnon: %ld", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

struct count {
    size_t containers, items, skips;
    long peak_anon;
};

static int on_c(void *ctx, const json_t *c)
{
    (void)c;
    ((struct count *)ctx)->containers++;
    return 0;
}

static int on_i(void *ctx, const struct vg_share_item *it)
{
    struct count *n = ctx;
    (void)it;
    if (++n->items % 50000 == 0) {
        long a = rss_anon_kib();
        if (a > n->peak_anon)
            n->peak_anon = a;
    }
    return 0;
}

static int on_s(void *ctx, const char *p, const char *w, const char *r)
{
    (void)p, (void)w, (void)r;
    ((struct count *)ctx)->skips++;
    return 0;
}

static int bench_read(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return perror(path), 1;
    const char *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return perror("mmap"), 1;
    volatile char sink = 0; /* fault the file in first: the reader is measured, not the disk */
    for (off_t i = 0; i < st.st_size; i += 4096)
        sink ^= p[i];
    struct count n = {0, 0, 0, rss_anon_kib()};
    long before = n.peak_anon;
    struct vg_share_sink s = {&n, on_c, on_i, on_s};
    struct vg_diag d;
    double t0 = cpu();
    int rc = vg_misp_read(p, (size_t)st.st_size, &s, &d);
    double t = cpu() - t0;
    if (rc)
        return fprintf(stderr, "%s: %s at %s\n", path, d.message, d.field), 1;
    printf("read: %zu bytes, %zu events, %zu items, %zu skipped in %.2f s CPU: %.0f items/s, "
           "%.0f MB/s; reader memory (anonymous RSS) %ld KiB before, %ld KiB peak\n",
           (size_t)st.st_size, n.containers, n.items, n.skips, t, (double)n.items / t,
           (double)st.st_size / t / 1e6, before, n.peak_anon);
    munmap((void *)p, (size_t)st.st_size);
    close(fd);
    return 0;
}

static int bench_write(long n)
{
    static const char *const types[] = {"ipv4-addr", "domain-name", "url",       "sha256",
                                        "md5",       "email-addr",  "ipv6-addr", "sha1"};
    json_t *items = json_array();
    for (long i = 0; i < n; i++) {
        char uuid[48], value[96];
        snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012lx", i);
        snprintf(value, sizeof value, "value-%ld.example", i);
        json_t *it =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "uuid", uuid, "type", types[i % 8],
                      "value", value, "tlp", i % 2 ? "CLEAR" : "GREEN", "comment",
                      "seen in a campaign", "updated", "2026-12-01T10:00:00Z", "tags", "phishing");
        if (i % 10 == 0)
            json_object_set_new(it, "sightings",
                                json_pack("[{s:s, s:i, s:s}]", "seen", "2026-12-01T11:00:00Z",
                                          "count", 2, "source", "sensor"));
        json_array_append_new(items, it);
    }
    json_t *doc =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o}", "kind", "incident", "uuid",
                  "4f3c2d1e-0000-5000-8000-000000000001", "title", "bench", "created",
                  "2026-12-01T00:00:00Z", "tlp", "GREEN", "producer", "name", "CERT-Bench", "uuid",
                  "4f3c2d1e-0000-5000-8000-0000000000aa", "items", items);
    struct vg_buf b;
    struct vg_diag d;
    vg_buf_init(&b, (size_t)1 << 32);
    double t0 = cpu();
    int rc = vg_misp_write(doc, &b, &d);
    double t = cpu() - t0;
    if (rc)
        return fprintf(stderr, "write: %s at %s\n", d.message, d.field), 1;
    printf("write: %ld items, %zu bytes in %.2f s CPU: %.0f items/s, %.0f MB/s\n", n, b.len, t,
           (double)n / t, (double)b.len / t / 1e6);
    vg_buf_cleanup(&b);
    json_decref(doc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "read"))
        return bench_read(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "write"))
        return bench_write(strtol(argv[2], NULL, 10));
    fprintf(stderr, "usage: bench_misp read FILE | write N\n");
    return 2;
}
