/* The vulnerability set: entries in an array (stable indexes for findings) and a hash map
 * (util/hash.h, the key beside the index in each slot) from CVE key to entry index. */
#include "vuln/vuln.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/hash.h"
#include "util/mem.h"

struct vg_vuln_set {
    struct vg_vuln_entry *entries; /* all entries, in order of first sight */
    size_t n, cap;
    struct vg_u64map index;      /* key -> entry index (a probe reads the slot only: an
                                    entry is ~180 bytes away in another cache line; loading
                                    250,000 records and their EPSS scores probes a million
                                    times) */
    char epss_model[64];         /* from the EPSS comment line */
    struct vg_vuln **retired;    /* records replaced by newer ones, freed with the set: an */
    size_t nretired, capretired; /* index built earlier may still point into them */
};

uint64_t vg_vuln_key(struct vg_str id)
{
    if (id.len < 13 || id.len > 19 || memcmp(id.ptr, "CVE-", 4) != 0 || id.ptr[8] != '-')
        return 0;
    uint64_t year = 0, num = 0;
    for (int i = 4; i < 8; i++) {
        if (id.ptr[i] < '0' || id.ptr[i] > '9')
            return 0;
        year = year * 10 + (uint64_t)(id.ptr[i] - '0');
    }
    for (size_t i = 9; i < id.len; i++) {
        if (id.ptr[i] < '0' || id.ptr[i] > '9')
            return 0;
        num = num * 10 + (uint64_t)(id.ptr[i] - '0');
    }
    return (year + 1) * 10000000000ULL + num; /* + 1: CVE-0000-0000 is not 0 */
}

void vg_vuln_key_id(uint64_t key, char *out, size_t cap)
{
    snprintf(out, cap, "CVE-%04llu-%04llu", (unsigned long long)(key / 10000000000ULL - 1),
             (unsigned long long)(key % 10000000000ULL));
}

void vg_vuln_free(struct vg_vuln *v)
{
    if (!v)
        return;
    free(v->arrays);
    free(v->block);
    free(v->json);
    free(v);
}

const struct vg_vuln *vg_vuln_entry_applicability(const struct vg_vuln_entry *e)
{
    if (e->nvd && !e->nvd->rejected && e->nvd->nconfigs > 0)
        return e->nvd;
    if (e->cve5 && !e->cve5->rejected && e->cve5->naffected > 0)
        return e->cve5;
    return NULL;
}

const struct vg_vuln *vg_vuln_entry_scored(const struct vg_vuln_entry *e)
{
    if (e->nvd && e->nvd->cvss >= 0)
        return e->nvd;
    if (e->cve5 && e->cve5->cvss >= 0)
        return e->cve5;
    return e->nvd ? e->nvd : e->cve5;
}

struct vg_vuln_set *vg_vuln_set_new(void)
{
    return vg_calloc(1, sizeof(struct vg_vuln_set));
}

void vg_vuln_set_free(struct vg_vuln_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        vg_vuln_free(s->entries[i].nvd);
        vg_vuln_free(s->entries[i].cve5);
    }
    for (size_t i = 0; i < s->nretired; i++)
        vg_vuln_free(s->retired[i]);
    free(s->retired);
    free(s->entries);
    vg_u64map_cleanup(&s->index);
    free(s);
}

long vg_vuln_set_find(const struct vg_vuln_set *s, uint64_t key)
{
    return vg_u64map_find(&s->index, key);
}

/* The entry of key, created if absent; NULL when out of memory. */
static struct vg_vuln_entry *entry_get(struct vg_vuln_set *s, uint64_t key)
{
    long i = vg_vuln_set_find(s, key);
    if (i >= 0)
        return &s->entries[i];
    if (s->n >= UINT32_MAX - 1)
        return NULL;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        struct vg_vuln_entry *e = vg_realloc(s->entries, nc * sizeof *e);
        if (!e)
            return NULL;
        s->entries = e;
        s->cap = nc;
    }
    struct vg_vuln_entry *e = &s->entries[s->n];
    memset(e, 0, sizeof *e);
    e->key = key;
    e->epss = -1;
    e->epss_pct = -1;
    if (vg_u64map_put(&s->index, key, (uint32_t)s->n) < 0)
        return NULL;
    s->n++;
    return e;
}

int vg_vuln_set_put(struct vg_vuln_set *s, struct vg_vuln *v)
{
    struct vg_vuln_entry *e = entry_get(s, v->key);
    if (!e) {
        vg_vuln_free(v);
        return VG_ENOMEM;
    }
    struct vg_vuln **slot = v->source == VG_VULN_NVD ? &e->nvd : &e->cve5;
    if (!*slot) {
        *slot = v;
        return VG_VULN_ADDED;
    }
    /* ISO 8601 timestamps of one feed compare as strings. */
    if (strcmp(v->modified, (*slot)->modified) > 0) {
        if (s->nretired == s->capretired) {
            size_t nc = s->capretired ? s->capretired * 2 : 64;
            struct vg_vuln **r = vg_realloc(s->retired, nc * sizeof *r);
            if (!r) {
                vg_vuln_free(v);
                return VG_ENOMEM;
            }
            s->retired = r;
            s->capretired = nc;
        }
        s->retired[s->nretired++] = *slot;
        *slot = v;
        return VG_VULN_UPDATED;
    }
    vg_vuln_free(v);
    return VG_VULN_UNCHANGED;
}

int vg_vuln_set_put_kev(struct vg_vuln_set *s, uint64_t key, const struct vg_kev *k)
{
    struct vg_vuln_entry *e = entry_get(s, key);
    if (!e)
        return VG_ENOMEM;
    int rc = e->has_kev ? VG_VULN_UPDATED : VG_VULN_ADDED;
    if (e->has_kev && memcmp(&e->kev, k, sizeof *k) == 0)
        rc = VG_VULN_UNCHANGED;
    e->kev = *k;
    e->has_kev = true;
    return rc;
}

int vg_vuln_set_put_epss(struct vg_vuln_set *s, uint64_t key, float epss, float pct)
{
    struct vg_vuln_entry *e = entry_get(s, key);
    if (!e)
        return VG_ENOMEM;
    int rc = e->epss < 0                               ? VG_VULN_ADDED
             : (e->epss == epss && e->epss_pct == pct) ? VG_VULN_UNCHANGED
                                                       : VG_VULN_UPDATED;
    e->epss = epss;
    e->epss_pct = pct;
    return rc;
}

size_t vg_vuln_set_count(const struct vg_vuln_set *s)
{
    return s->n;
}

const struct vg_vuln_entry *vg_vuln_set_at(const struct vg_vuln_set *s, size_t i)
{
    return i < s->n ? &s->entries[i] : NULL;
}

void vg_vuln_set_epss_meta(struct vg_vuln_set *s, const char *model, const char *date)
{
    snprintf(s->epss_model, sizeof s->epss_model, "%s%s%s", model ? model : "",
             date && *date ? "," : "", date ? date : "");
}

const char *vg_vuln_set_epss_model(const struct vg_vuln_set *s)
{
    return s->epss_model;
}
