/* libFuzzer target of feed format detection (src/vuln/feed.c) and of the merging of KEV and
 * EPSS data onto NVD and CVE 5 records (the set, src/vuln/vuln.c, and the readers). The input
 * is split at its first NUL byte (no feed holds one) into a record part and a KEV/EPSS part;
 * byte 0 picks the formats. Properties:
 *  - a document read with format detection reads exactly as with one of the explicit formats
 *    (same counts, same entries): detection never invents a fifth way of reading;
 *  - records then KEV/EPSS, or KEV/EPSS then records, give the same entries (records, KEV
 *    data, EPSS scores, EPSS model) and the same findings and priorities on an inventory;
 *  - reading the records again changes nothing (no record added or updated). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/feed.h"
#include "vuln/vmatch.h"

/* A set as sorted text lines, one per entry, plus the read's counts: compares regardless of
 * the order entries were made in. */
static char *summary(const struct vg_vuln_set *s, const struct vg_feed_stats *st, int rc)
{
    size_t n = vg_vuln_set_count(s);
    char **lines = malloc((n ? n : 1) * sizeof *lines);
    size_t total = 128;
    for (size_t i = 0; i < n; i++) {
        const struct vg_vuln_entry *e = vg_vuln_set_at(s, i);
        char id[24];
        vg_vuln_key_id(e->key, id, sizeof id);
        size_t cap = 512;
        lines[i] = malloc(cap);
        snprintf(lines[i], cap, "%s nvd=%s/%u cve5=%s/%u kev=%d:%s:%s:%d:%s:%s epss=%a/%a\n", id,
                 e->nvd ? e->nvd->modified : "-", e->nvd ? e->nvd->nmatches : 0,
                 e->cve5 ? e->cve5->modified : "-", e->cve5 ? e->cve5->naffected : 0, e->has_kev,
                 e->has_kev ? e->kev.date_added : "", e->has_kev ? e->kev.due_date : "",
                 e->has_kev && e->kev.ransomware, e->has_kev ? e->kev.vendor : "",
                 e->has_kev ? e->kev.product : "", (double)e->epss, (double)e->epss_pct);
        total += strlen(lines[i]);
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: a few entries */
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    char *out = malloc(total);
    int k = snprintf(out, total, "rc=%d model=%s\n", rc, vg_vuln_set_epss_model(s));
    size_t at = (size_t)k;
    (void)st;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(lines[i]);
        memcpy(out + at, lines[i], l);
        at += l;
        free(lines[i]);
    }
    out[at] = '\0';
    free(lines);
    return out;
}

static void differ(const char *what, const char *a, const char *b)
{
    fprintf(stderr, "%s\n--- first:\n%s--- second:\n%s", what, a, b);
    abort();
}

static const struct vg_feed_opts opts = {false, NULL, NULL};

static int read(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *p, size_t n,
                struct vg_feed_stats *st)
{
    struct vg_diag d;
    return vg_feed_read_mem(s, fmt, "fuzz", p, n, &opts, st, &d);
}

/* Findings on a fixed inventory, as sorted lines "cpe cve tier cvss epss". */
static char *findings(const struct vg_vuln_set *s)
{
    static const char *const assets[] = {
        "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*",
        "cpe:2.3:a:example.org:example_enterprise:1.0.5:*:*:*:*:*:*:*",
        "cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*",
        "cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*",
    };
    struct vg_inventory *inv = vg_inventory_new();
    struct vg_diag d;
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        vg_inventory_add(inv, VG_STR("1"), vg_str_c(assets[i]), &d);
    struct vg_vindex *ix = vg_vindex_build(s);
    struct vg_findings f;
    vg_findings_init(&f);
    if (!ix || vg_vmatch_all(ix, s, inv, &f) != 0)
        abort();
    char **lines = malloc((f.n ? f.n : 1) * sizeof *lines);
    size_t total = 1;
    for (size_t i = 0; i < f.n; i++) {
        char id[24];
        vg_vuln_key_id(vg_vuln_set_at(s, f.v[i].entry)->key, id, sizeof id);
        lines[i] = malloc(256);
        snprintf(lines[i], 256, "%s %s %u %a %a\n", vg_inventory_cpe(inv, f.v[i].asset), id,
                 f.v[i].tier, (double)f.v[i].cvss, (double)f.v[i].epss);
        total += strlen(lines[i]);
    }
    for (size_t i = 1; i < f.n; i++)
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    char *out = malloc(total);
    size_t at = 0;
    for (size_t i = 0; i < f.n; i++) {
        size_t l = strlen(lines[i]);
        memcpy(out + at, lines[i], l);
        at += l;
        free(lines[i]);
    }
    out[at] = '\0';
    free(lines);
    vg_findings_cleanup(&f);
    vg_vindex_free(ix);
    vg_inventory_free(inv);
    return out;
}

static void check_detection(const char *p, size_t n)
{
    struct vg_vuln_set *s = vg_vuln_set_new();
    struct vg_feed_stats st = {0};
    int rc = read(s, VG_FEED_AUTO, p, n, &st);
    if (rc == 0) {
        char *a = summary(s, &st, rc);
        bool found = false;
        static const enum vg_feed_format fmts[] = {VG_FEED_NVD, VG_FEED_CVE5, VG_FEED_KEV,
                                                   VG_FEED_EPSS};
        for (size_t i = 0; i < 4 && !found; i++) {
            struct vg_vuln_set *t = vg_vuln_set_new();
            struct vg_feed_stats st2 = {0};
            int rc2 = read(t, fmts[i], p, n, &st2);
            char *b = summary(t, &st2, rc2);
            found = strcmp(a, b) == 0 && st.added == st2.added && st.updated == st2.updated &&
                    st.unchanged == st2.unchanged && st.rejected == st2.rejected;
            free(b);
            vg_vuln_set_free(t);
        }
        if (!found)
            differ("detected format reads like no explicit one", a, "");
        free(a);
    }
    vg_vuln_set_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum vg_feed_format rec_fmt = data[0] & 1 ? VG_FEED_CVE5 : VG_FEED_NVD;
    enum vg_feed_format add_fmt = data[0] & 2 ? VG_FEED_EPSS : VG_FEED_KEV;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(p, '\0', n);
    size_t na = nul ? (size_t)(nul - p) : n;
    const char *b = nul ? nul + 1 : p + n;
    size_t nb = nul ? n - na - 1 : 0;

    check_detection(p, na);
    if (nb)
        check_detection(b, nb);

    struct vg_vuln_set *s1 = vg_vuln_set_new(), *s2 = vg_vuln_set_new();
    struct vg_feed_stats st = {0};
    int r1 = read(s1, rec_fmt, p, na, &st);
    int r2 = read(s1, add_fmt, b, nb, &st);
    int r3 = read(s2, add_fmt, b, nb, &st);
    int r4 = read(s2, rec_fmt, p, na, &st);
    if (r1 != r4 || r2 != r3)
        abort();
    char *x = summary(s1, &st, 0), *y = summary(s2, &st, 0);
    if (strcmp(x, y) != 0)
        differ("records then KEV/EPSS differ from KEV/EPSS then records", x, y);
    char *fx = findings(s1), *fy = findings(s2);
    if (strcmp(fx, fy) != 0)
        differ("findings differ with the order of the feeds", fx, fy);
    struct vg_feed_stats again = {0};
    read(s1, rec_fmt, p, na, &again);
    if (again.added || again.updated)
        abort();
    char *z = summary(s1, &st, 0);
    if (strcmp(x, z) != 0)
        differ("reading the records again changed the set", x, z);
    free(x);
    free(y);
    free(z);
    free(fx);
    free(fy);
    vg_vuln_set_free(s1);
    vg_vuln_set_free(s2);
    return 0;
}
