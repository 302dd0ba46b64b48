/* Building a record while a feed reader checks it field by field: its strings in one growing
 * buffer (addressed by offset until the buffer is final), its arrays, the first problem as a
 * diagnostic with the JSON pointer of the offending value; and what NVD and CVE 5 records
 * share (CVSS data, descriptions, CWE lists). */
#include "util/mem.h"
#include "vuln/vuln_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "vuln/feed.h"

/* Grows array *p of *cap elements of size sz to hold n + 1. */
int vuln_rec_grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 8;
    void *q = vg_realloc(*p, nc * sz);
    if (!q)
        return VG_ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

/* Rejects the record: fills the diagnostic with the JSON pointer r->ptr + sub. */
int vuln_rec_fail(struct vuln_rec *r, int code, const char *sub, const char *fmt, ...)
{
    char field[1200], msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(field, sizeof field, "%s%s", r->ptr, sub);
    vg_diag_set(r->d, code, field, "%s", msg);
    return code;
}

/* Stores n bytes (plus a NUL) and returns them as a slice to fix up later. */
struct vg_str vuln_rec_str(struct vuln_rec *r, const char *s, size_t n)
{
    size_t off = r->strs.len;
    vg_buf_append(&r->strs, s, n);
    vg_buf_putc(&r->strs, '\0');
    return (struct vg_str){OFFSET_PTR(off), n};
}

static void fix_str(struct vg_str *s, const char *base)
{
    if (s->ptr)
        s->ptr = base + ((uintptr_t)s->ptr - 1);
}

/* A string member of obj: NULL if absent; -1 result (via *bad) if present but not a string. */
const char *vuln_json_str_member(const json_t *obj, const char *key, bool *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

void vuln_copy_field(char *dst, size_t cap, const char *s)
{
    if (!s) {
        dst[0] = '\0';
        return;
    }
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

int vuln_rec_set_id(struct vuln_rec *r, const char *id, const char *sub)
{
    if (!id)
        return vuln_rec_fail(r, VG_EINVAL, sub, "%s: missing or not a string", "CVE id");
    uint64_t key = vg_vuln_key(vg_str_c(id));
    if (!key)
        return vuln_rec_fail(r, VG_EINVAL, sub, "not a CVE id: '%.40s'", id);
    vuln_copy_field(r->v->id, sizeof r->v->id, id);
    r->v->key = key;
    return 0;
}

/* Severity from a score when the feed gives none (CVSS v3 bands; v2 has no CRITICAL). */
static const char *band(double s, int version)
{
    if (s == 0)
        return "NONE";
    if (s < 4)
        return "LOW";
    if (s < 7)
        return "MEDIUM";
    if (s < 9 || version == 20)
        return "HIGH";
    return "CRITICAL";
}

/* Reads a cvssData-like object {baseScore, baseSeverity?, vectorString?}. */
int vuln_rec_cvss(struct vuln_rec *r, const json_t *data, const char *outer_sev, int version,
                  const char *sub)
{
    char p[600];
    json_t *score = json_object_get(data, "baseScore");
    if (!json_is_number(score) || json_number_value(score) < 0 || json_number_value(score) > 10) {
        snprintf(p, sizeof p, "%s/baseScore", sub);
        return vuln_rec_fail(r, VG_EINVAL, p, "%s: missing, not a number or outside 0..10",
                             "baseScore");
    }
    bool bad = false;
    const char *sev = vuln_json_str_member(data, "baseSeverity", &bad);
    const char *vec = vuln_json_str_member(data, "vectorString", &bad);
    if (bad) {
        snprintf(p, sizeof p, "%s", sub);
        return vuln_rec_fail(r, VG_EINVAL, p, "%s: baseSeverity or vectorString not a string",
                             "cvss");
    }
    double s = json_number_value(score);
    struct vg_vuln *v = r->v;
    v->cvss = (float)s;
    v->cvss_version = (uint8_t)version;
    if (!sev)
        sev = outer_sev;
    vuln_copy_field(v->severity, sizeof v->severity, sev ? sev : band(s, version));
    for (char *c = v->severity; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (vec)
        v->cvss_vector = vuln_rec_str(r, vec, strlen(vec));
    return 0;
}

/* First English description of an array of {lang, value}. */
void vuln_rec_description(struct vuln_rec *r, const json_t *arr)
{
    if (!json_is_array(arr))
        return;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *lang = json_string_value(json_object_get(e, "lang"));
        const char *val = json_string_value(json_object_get(e, "value"));
        if (lang && val && (strncmp(lang, "en", 2) == 0)) {
            size_t n = strlen(val);
            r->v->description = vuln_rec_str(r, val, n > VG_MAX_STR_FIELD ? VG_MAX_STR_FIELD : n);
            return;
        }
    }
}

void vuln_add_cwe(struct vuln_rec *r, struct vg_buf *cw, const char *s)
{
    (void)r;
    if (!s || strncmp(s, "CWE-", 4) != 0 || cw->len > 120)
        return;
    if (cw->data && strstr(cw->data, s))
        return;
    if (cw->len)
        vg_buf_putc(cw, ',');
    vg_buf_puts(cw, s);
}

struct vuln_rec *vuln_rec_new(struct vg_diag *d, const char *ptr, int source)
{
    struct vuln_rec *r = vg_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->v = vg_calloc(1, sizeof *r->v);
    if (!r->v) {
        free(r);
        return NULL;
    }
    r->v->source = (uint8_t)source;
    r->v->cvss = -1;
    r->d = d;
    vuln_copy_field(r->ptr, sizeof r->ptr, ptr);
    vg_buf_init(&r->strs, VG_MAX_FEED_FILE);
    return r;
}

void vuln_rec_drop(struct vuln_rec *r)
{
    if (!r)
        return;
    vg_vuln_free(r->v);
    vg_buf_cleanup(&r->strs);
    free(r->configs);
    free(r->nodes);
    free(r->matches);
    free(r->affected);
    free(r->versions);
    free(r);
}

/* Moves the arrays and strings into their final home and fixes every slice. */
struct vg_vuln *vuln_rec_finish(struct vuln_rec *r, const json_t *json, bool keep_json)
{
    struct vg_vuln *v = r->v;
    if (r->strs.failed) {
        vuln_rec_fail(r, VG_ENOMEM, "", "%s: record too large", "strings");
        vuln_rec_drop(r);
        return NULL;
    }
    size_t sz_c = r->nconfigs * sizeof *r->configs, sz_n = r->nnodes * sizeof *r->nodes;
    size_t sz_m = r->nmatches * sizeof *r->matches, sz_a = r->naffected * sizeof *r->affected;
    size_t sz_v = r->nversions * sizeof *r->versions;
    size_t total = sz_c + sz_n + sz_m + sz_a + sz_v;
    char *arr = vg_malloc(total ? total : 1);
    char *base = vg_buf_steal(&r->strs);
    if (!arr || (!base && r->strs.len)) {
        free(arr);
        free(base);
        vuln_rec_fail(r, VG_ENOMEM, "", "%s: out of memory", "record");
        vuln_rec_drop(r);
        return NULL;
    }
    v->arrays = arr;
    v->block = base;
    const char *b = base ? base : "";
    char *p = arr;
    v->matches = (struct vg_cpe_match *)p;
    if (sz_m)
        memcpy(p, r->matches, sz_m);
    p += sz_m;
    v->nmatches = (uint32_t)r->nmatches;
    v->affected = (struct vg_affected *)p;
    if (sz_a)
        memcpy(p, r->affected, sz_a);
    p += sz_a;
    v->naffected = (uint32_t)r->naffected;
    struct vg_affected_version *vers = (struct vg_affected_version *)p;
    if (sz_v)
        memcpy(p, r->versions, sz_v);
    p += sz_v;
    v->configs = (struct vg_vuln_config *)p;
    if (sz_c)
        memcpy(p, r->configs, sz_c);
    p += sz_c;
    v->nconfigs = (uint32_t)r->nconfigs;
    v->nodes = (struct vg_vuln_node *)p;
    if (sz_n)
        memcpy(p, r->nodes, sz_n);
    v->nnodes = (uint32_t)r->nnodes;
    for (uint32_t i = 0; i < v->nmatches; i++) {
        struct vg_cpe_match *m = &v->matches[i];
        m->cpe.text = b + ((uintptr_t)m->cpe.text - 1);
        fix_str(&m->range.start, b);
        fix_str(&m->range.end, b);
    }
    size_t vi = 0;
    for (uint32_t i = 0; i < v->naffected; i++) {
        struct vg_affected *a = &v->affected[i];
        fix_str(&a->vendor, b);
        fix_str(&a->product, b);
        a->versions = vers + vi;
        vi += a->nversions;
        for (uint32_t k = 0; k < a->nversions; k++) {
            fix_str(&a->versions[k].version, b);
            fix_str(&a->versions[k].less_than, b);
        }
    }
    fix_str(&v->cvss_vector, b);
    fix_str(&v->cwes, b);
    fix_str(&v->description, b);
    if (keep_json && json) {
        v->json = json_dumps(json, JSON_COMPACT);
        v->json_len = v->json ? strlen(v->json) : 0;
    }
    r->v = NULL;
    vuln_rec_drop(r);
    return v;
}
