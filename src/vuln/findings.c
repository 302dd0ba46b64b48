/* Findings (findings.h): the scores they carry, their order of priority and their JSON. */
#include "vuln/findings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "vuln/inventory.h"
#include "vuln/vuln_int.h"

void vg_findings_init(struct vg_findings *f)
{
    memset(f, 0, sizeof *f);
}

void vg_findings_cleanup(struct vg_findings *f)
{
    free(f->v);
    memset(f, 0, sizeof *f);
}

/* The scores every finding of entry carries. */
struct vg_finding vuln_finding_of(const struct vg_vuln_set *s, uint32_t entry)
{
    const struct vg_vuln_entry *e = vg_vuln_set_at(s, entry);
    const struct vg_vuln *sc = vg_vuln_entry_scored(e);
    struct vg_finding f;
    f.asset = 0;
    f.entry = entry;
    f.cvss = sc ? sc->cvss : -1;
    f.epss = e->epss;
    f.tier = e->has_kev ? 0 : e->epss >= 0.1f ? 1 : 2;
    return f;
}

int vuln_emit(struct vg_findings *out, const struct vg_vuln_set *s, uint32_t entry, uint32_t asset)
{
    struct vg_finding f = vuln_finding_of(s, entry);
    return vuln_emit_f(out, &f, asset);
}

/* ---- order and output ---- */

static int cmp_finding(const void *a, const void *b, void *arg)
{
    const struct vg_vuln_set *sort_set = arg;
    const struct vg_finding *x = a, *y = b;
    if (x->tier != y->tier)
        return x->tier < y->tier ? -1 : 1;
    if (x->cvss != y->cvss)
        return x->cvss > y->cvss ? -1 : 1;
    if (x->epss != y->epss)
        return x->epss > y->epss ? -1 : 1;
    if (x->entry != y->entry) {
        uint64_t kx = vg_vuln_set_at(sort_set, x->entry)->key;
        uint64_t ky = vg_vuln_set_at(sort_set, y->entry)->key;
        if (kx != ky)
            return kx > ky ? -1 : 1;
    }
    return x->asset < y->asset ? -1 : x->asset > y->asset;
}

/* Bucket of a finding by (tier, CVSS in tenths, higher first): monotone with cmp_finding. */
static size_t sort_bucket(const struct vg_finding *f)
{
    long tenths = f->cvss < 0 ? -1 : lroundf(f->cvss * 10);
    if (tenths > 100)
        tenths = 100;
    return (size_t)f->tier * 102 + (size_t)(100 - tenths);
}

void vg_findings_sort(struct vg_findings *f, const struct vg_vuln_set *s)
{
    if (f->n < 2)
        return;
    /* Most of the order in one counting pass over 3 x 102 buckets; the comparator only
     * orders findings within a bucket. */
    enum { NB = 3 * 102 };
    size_t *start = vg_calloc(NB + 1, sizeof *start);
    struct vg_finding *tmp = vg_malloc(f->n * sizeof *tmp);
    if (!start || !tmp) {
        free(start);
        free(tmp);
        qsort_r(f->v, f->n, sizeof *f->v, cmp_finding, (void *)s);
        return;
    }
    for (size_t i = 0; i < f->n; i++)
        start[sort_bucket(&f->v[i]) + 1]++;
    for (size_t b = 0; b < NB; b++)
        start[b + 1] += start[b];
    size_t cur[NB];
    memcpy(cur, start, sizeof cur);
    for (size_t i = 0; i < f->n; i++)
        tmp[cur[sort_bucket(&f->v[i])]++] = f->v[i];
    free(f->v);
    f->v = tmp;
    f->cap = f->n;
    for (size_t b = 0; b < NB; b++)
        if (start[b + 1] - start[b] > 1)
            qsort_r(f->v + start[b], start[b + 1] - start[b], sizeof *f->v, cmp_finding, (void *)s);
    free(start);
}

static void put_cvss(struct vg_buf *out, const struct vg_vuln *v)
{
    if (!v || v->cvss < 0) {
        vg_buf_puts(out, "null");
        return;
    }
    vg_buf_printf(out, "{\"score\":%.1f,\"version\":\"%d.%d\",\"severity\":", v->cvss,
                  v->cvss_version / 10, v->cvss_version % 10);
    vg_buf_put_json(out, vg_str_c(v->severity));
    vg_buf_puts(out, ",\"vector\":");
    vg_buf_put_json(out, v->cvss_vector); /* absent: a NULL slice, written "" */
    vg_buf_putc(out, '}');
}

/* A decimal integer without leading zeros (at most 18 digits: it fits a JSON number). */
static bool is_id(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n && n <= 18 && s[n] == '\0' && (s[0] != '0' || n == 1);
}

int vg_finding_write_json(const struct vg_vuln_set *s, const struct vg_inventory *inv,
                          const struct vg_finding *f, struct vg_buf *out)
{
    const struct vg_vuln_entry *e = vg_vuln_set_at(s, f->entry);
    if (!e || f->asset >= inv->n)
        return VG_EINVAL;
    char id[32];
    vg_vuln_key_id(e->key, id, sizeof id);
    vg_buf_puts(out, "{\"org\":");
    const char *org = vg_inventory_org(inv, f->asset);
    if (is_id(org))
        vg_buf_puts(out, org); /* a store's organisation id: a number, as the API gives it */
    else
        vg_buf_put_json(out, vg_str_c(org));
    vg_buf_puts(out, ",\"asset\":");
    vg_buf_put_json(out, vg_str_c(vg_inventory_cpe(inv, f->asset)));
    vg_buf_printf(out, ",\"cve\":\"%s\",\"priority\":%d,\"cvss\":", id, f->tier);
    put_cvss(out, vg_vuln_entry_scored(e));
    vg_buf_puts(out, ",\"kev\":");
    if (e->has_kev) {
        vg_buf_printf(out,
                      "{\"dateAdded\":\"%s\",\"dueDate\":\"%s\","
                      "\"knownRansomwareCampaignUse\":%s}",
                      e->kev.date_added, e->kev.due_date, e->kev.ransomware ? "true" : "false");
    } else {
        vg_buf_puts(out, "null");
    }
    vg_buf_puts(out, ",\"epss\":");
    if (e->epss >= 0)
        vg_buf_printf(out, "{\"score\":%.5f,\"percentile\":%.5f}", e->epss, e->epss_pct);
    else
        vg_buf_puts(out, "null");
    vg_buf_putc(out, '}');
    return out->failed ? VG_ENOMEM : 0;
}
