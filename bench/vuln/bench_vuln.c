/* Benchmark of the vulnerability matcher on the set bench/vuln/gen.py writes: parse of the
 * NVD pages, KEV and EPSS; index build; full re-match; one new CVE; one new asset; memory;
 * and the straightforward matcher (each CVE against each asset) on a slice, for the ratio.
 * usage: bench_vuln DIR   (DIR holds nvd/, inventory.tsv, kev.json, epss.csv) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vuln/feed.h"
#include "vuln/vmatch.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: what one core spent, whatever else the machine runs. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long max_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static void on_error(void *ctx, const char *file, const struct vg_diag *d)
{
    (void)ctx;
    fprintf(stderr, "%s: %s: %s\n", file, d->field, d->message);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_vuln DIR [--no-naive]\n");
        return 2;
    }
    char path[4096];
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_opts o = {false, on_error, NULL};
    struct vg_feed_stats st = {0};
    struct vg_diag d;

    snprintf(path, sizeof path, "%s/nvd", argv[1]);
    double t0 = now(), c0 = cpu();
    if (vg_feed_read_path(s, VG_FEED_NVD, path, &o, &st, &d) < 0) {
        fprintf(stderr, "%s\n", d.message);
        return 1;
    }
    double t_parse = now() - t0, c_parse = cpu() - c0;
    size_t ncve = st.added;
    size_t ncrit = 0;
    for (size_t i = 0; i < vg_vuln_set_count(s); i++)
        if (vg_vuln_set_at(s, i)->nvd)
            ncrit += vg_vuln_set_at(s, i)->nvd->nmatches;
    printf("parse NVD pages:   %.2f s wall, %.2f s CPU  (%zu files, %zu CVEs, %zu cpeMatch, "
           "%zu rejected, %.0f CVEs/s CPU)\n",
           t_parse, c_parse, st.files, ncve, ncrit, st.rejected, ncve / c_parse);
    long rss_parse = max_rss_mib();

    t0 = now();
    struct vg_feed_stats st2 = {0};
    snprintf(path, sizeof path, "%s/kev.json", argv[1]);
    vg_feed_read_path(s, VG_FEED_KEV, path, &o, &st2, &d);
    snprintf(path, sizeof path, "%s/epss.csv", argv[1]);
    vg_feed_read_path(s, VG_FEED_EPSS, path, &o, &st2, &d);
    printf("parse KEV + EPSS:  %.2f s  (%zu entries)\n", now() - t0, st2.added + st2.updated);

    t0 = now();
    struct vg_vindex *ix = vg_vindex_build(s);
    double t_index = now() - t0;
    printf("build index:       %.2f s  (%zu criteria, %.0f MiB)\n", t_index, vg_vindex_criteria(ix),
           vg_vindex_bytes(ix) / 1048576.0);

    struct vg_inventory *inv = vg_inventory_new();
    snprintf(path, sizeof path, "%s/inventory.tsv", argv[1]);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    char line[2048];
    t0 = now();
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        size_t n = strcspn(tab + 1, "\r\n");
        if (vg_inventory_add(inv, (struct vg_str){line, (size_t)(tab - line)},
                             (struct vg_str){tab + 1, n}, &d) < 0)
            fprintf(stderr, "inventory: %s\n", d.message);
    }
    fclose(f);
    printf("load inventory:    %.2f s  (%zu assets)\n", now() - t0, vg_inventory_count(inv));

    struct vg_findings fd;
    vg_findings_init(&fd);
    double best = 1e9, best_cpu = 1e9;
    for (int run = 0; run < 5; run++) {
        fd.n = 0;
        t0 = now();
        c0 = cpu();
        vg_vmatch_all(ix, s, inv, &fd);
        double t = now() - t0, c = cpu() - c0;
        if (t < best)
            best = t;
        if (c < best_cpu)
            best_cpu = c;
    }
    size_t nfull = fd.n;
    t0 = now();
    vg_findings_sort(&fd, s);
    double t_sort = now() - t0;
    size_t tiers[3] = {0, 0, 0};
    for (size_t i = 0; i < fd.n; i++)
        tiers[fd.v[i].tier]++;
    printf("full re-match:     %.3f s wall, %.3f s CPU  (best of 5; %zu findings: %zu KEV, %zu "
           "EPSS>=0.1, %zu other; priority sort %.3f s)\n",
           best, best_cpu, nfull, tiers[0], tiers[1], tiers[2], t_sort);

    /* One new CVE: 1,000 CVEs spread over the set, each matched alone. */
    size_t ne = vg_vuln_set_count(s), samples = 1000;
    double *lat = malloc(samples * sizeof *lat);
    struct vg_findings one;
    vg_findings_init(&one);
    vg_vmatch_vuln(s, 0, inv, &one); /* builds the inventory's own lookup once */
    size_t found = 0;
    for (size_t k = 0; k < samples; k++) {
        one.n = 0;
        t0 = cpu();
        vg_vmatch_vuln(s, (k * 7919) % ne, inv, &one);
        lat[k] = cpu() - t0;
        found += one.n;
    }
    qsort(lat, samples, sizeof *lat, cmp_double);
    double sum = 0;
    for (size_t k = 0; k < samples; k++)
        sum += lat[k];
    printf("one new CVE:       CPU mean %.1f us, p99 %.1f us, max %.1f us  (%zu CVEs, %zu "
           "findings)\n",
           sum / samples * 1e6, lat[samples * 99 / 100] * 1e6, lat[samples - 1] * 1e6, samples,
           found);

    /* One new asset against every CVE. */
    size_t na = vg_inventory_count(inv);
    found = 0;
    for (size_t k = 0; k < samples; k++) {
        one.n = 0;
        t0 = cpu();
        vg_vmatch_asset(ix, s, inv, (k * 104729) % na, &one);
        lat[k] = cpu() - t0;
        found += one.n;
    }
    qsort(lat, samples, sizeof *lat, cmp_double);
    sum = 0;
    for (size_t k = 0; k < samples; k++)
        sum += lat[k];
    printf("one new asset:     CPU mean %.1f us, p99 %.1f us, max %.1f us  (%zu assets, %zu "
           "findings)\n",
           sum / samples * 1e6, lat[samples * 99 / 100] * 1e6, lat[samples - 1] * 1e6, samples,
           found);

    if (argc == 3 && strcmp(argv[2], "--no-naive") == 0)
        goto done;
    /* The straightforward matcher on a slice of CVEs, all assets; same findings expected. */
    size_t slice = ne / 1000; /* 0.1 % of the CVEs */
    one.n = 0;
    t0 = cpu();
    vg_vmatch_naive(s, 0, slice, inv, &one);
    double t_naive = cpu() - t0;
    size_t in_slice = 0;
    for (size_t i = 0; i < nfull; i++)
        if (fd.v[i].entry < slice)
            in_slice++;
    double extrapolated = t_naive * (double)ne / (double)slice;
    printf("naive, slice:      %.2f s CPU for %zu CVEs x %zu assets (%zu findings; indexed run "
           "found %zu in that slice: %s)\n",
           t_naive, slice, na, one.n, in_slice, one.n == in_slice ? "same" : "DIFFERENT");
    printf("naive, whole set:  %.0f s CPU extrapolated; ratio naive/indexed (CPU) = %.0fx\n",
           extrapolated, extrapolated / best_cpu);
done:
    printf("max RSS:           %ld MiB (after parse: %ld MiB)\n", max_rss_mib(), rss_parse);
    free(lat);
    vg_findings_cleanup(&one);
    vg_findings_cleanup(&fd);
    vg_inventory_free(inv);
    vg_vindex_free(ix);
    vg_vuln_set_free(s);
    return 0;
}
