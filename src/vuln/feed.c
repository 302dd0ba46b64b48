/* Readers of the vulnerability feeds. Each record is checked field by field; the first
 * problem rejects the record with a JSON pointer to the offending value. A record is built
 * with its strings in one growing buffer, addressed by offset until the buffer is final. */
#include "vuln/feed.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/product.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"

/* While a record is built, string slices hold offset + 1 into the string buffer instead of
 * an address (0 stays "absent"); finish_record() turns them into addresses. */
#define OFFSET_PTR(off) ((const char *)(uintptr_t)((off) + 1))

struct record {
    struct vg_vuln *v;
    struct vg_buf strs;                /* all strings, NUL-separated */
    struct vg_vuln_config *configs;
    size_t nconfigs, cap_configs;
    struct vg_vuln_node *nodes;
    size_t nnodes, cap_nodes;
    struct vg_cpe_match *matches;
    size_t nmatches, cap_matches;
    struct vg_affected *affected;
    size_t naffected, cap_affected;
    struct vg_affected_version *versions; /* all products' versions, in order */
    size_t nversions, cap_versions;
    struct vg_diag *d;
    char ptr[512];                     /* JSON pointer of the record */
};

/* Grows array *p of *cap elements of size sz to hold n + 1. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 8;
    void *q = realloc(*p, nc * sz);
    if (!q)
        return VG_ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

#define GROW(r, arr, n, cap) grow((void **)&(r)->arr, &(r)->cap, (r)->n, sizeof *(r)->arr)

static int fail(struct record *r, int code, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Rejects the record: fills the diagnostic with the JSON pointer r->ptr + sub. */
static int fail(struct record *r, int code, const char *sub, const char *fmt, ...)
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
static struct vg_str str_add(struct record *r, const char *s, size_t n)
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
static const char *get_str(const json_t *obj, const char *key, bool *bad)
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

static void copy_field(char *dst, size_t cap, const char *s)
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

static int set_id(struct record *r, const char *id, const char *sub)
{
    if (!id)
        return fail(r, VG_EINVAL, sub, "%s: missing or not a string", "CVE id");
    uint64_t key = vg_vuln_key(vg_str_c(id));
    if (!key)
        return fail(r, VG_EINVAL, sub, "not a CVE id: '%.40s'", id);
    copy_field(r->v->id, sizeof r->v->id, id);
    r->v->key = key;
    return 0;
}

/* Normalises a CVE 5 vendor or product name (core/product.h, the rule of every path). */
static struct vg_str norm_name(struct record *r, const char *s, size_t n)
{
    char tmp[VG_PRODUCT_NAME_MAX + 1];
    long k = vg_product_name((struct vg_str){s, n}, VG_PRODUCT_PLAIN, tmp, sizeof tmp);
    return str_add(r, tmp, k > 0 ? (size_t)k : 0);
}

/* Stores a parsed CPE's values (lower-cased) and returns the WFN pointing at them. */
static struct vg_cpe add_cpe(struct record *r, const struct vg_cpe_name *nm)
{
    struct vg_cpe c = nm->cpe;
    size_t end = 0;
    for (int a = 0; a < VG_CPE_NATTR; a++)
        if (c.kind[a] == VG_CPE_VALUE && (size_t)c.off[a] + c.len[a] + 1 > end)
            end = (size_t)c.off[a] + c.len[a] + 1;
    size_t off = r->strs.len;
    for (size_t i = 0; i < end; i++)
        vg_buf_putc(&r->strs, (char)tolower((unsigned char)nm->text[i]));
    c.text = OFFSET_PTR(off);
    return c;
}

static const char *const metric_keys[4] = {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30",
                                           "cvssMetricV2"};
static const uint8_t metric_versions[4] = {40, 31, 30, 20};

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
static int read_cvss(struct record *r, const json_t *data, const char *outer_sev, int version,
                     const char *sub)
{
    char p[600];
    json_t *score = json_object_get(data, "baseScore");
    if (!json_is_number(score) || json_number_value(score) < 0 || json_number_value(score) > 10) {
        snprintf(p, sizeof p, "%s/baseScore", sub);
        return fail(r, VG_EINVAL, p, "%s: missing, not a number or outside 0..10", "baseScore");
    }
    bool bad = false;
    const char *sev = get_str(data, "baseSeverity", &bad);
    const char *vec = get_str(data, "vectorString", &bad);
    if (bad) {
        snprintf(p, sizeof p, "%s", sub);
        return fail(r, VG_EINVAL, p, "%s: baseSeverity or vectorString not a string", "cvss");
    }
    double s = json_number_value(score);
    struct vg_vuln *v = r->v;
    v->cvss = (float)s;
    v->cvss_version = (uint8_t)version;
    if (!sev)
        sev = outer_sev;
    copy_field(v->severity, sizeof v->severity, sev ? sev : band(s, version));
    for (char *c = v->severity; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (vec)
        v->cvss_vector = str_add(r, vec, strlen(vec));
    return 0;
}

/* NVD metrics: v4.0, then v3.1, v3.0, v2; within one, the Primary (NVD's own) entry first. */
static int read_nvd_metrics(struct record *r, const json_t *metrics)
{
    if (!metrics)
        return 0;
    if (!json_is_object(metrics))
        return fail(r, VG_EINVAL, "/metrics", "%s: not an object", "metrics");
    for (int k = 0; k < 4; k++) {
        json_t *arr = json_object_get(metrics, metric_keys[k]);
        if (!arr)
            continue;
        char sub[128];
        snprintf(sub, sizeof sub, "/metrics/%s", metric_keys[k]);
        if (!json_is_array(arr))
            return fail(r, VG_EINVAL, sub, "%s: not an array", metric_keys[k]);
        size_t pick = 0;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *m = json_array_get(arr, i);
            if (!json_is_object(m)) {
                snprintf(sub, sizeof sub, "/metrics/%s/%zu", metric_keys[k], i);
                return fail(r, VG_EINVAL, sub, "%s: not an object", "metric");
            }
            const char *type = json_string_value(json_object_get(m, "type"));
            if (type && strcmp(type, "Primary") == 0) {
                pick = i;
                break;
            }
        }
        if (pick == json_array_size(arr))
            continue;
        json_t *m = json_array_get(arr, pick);
        json_t *data = json_object_get(m, "cvssData");
        snprintf(sub, sizeof sub, "/metrics/%s/%zu/cvssData", metric_keys[k], pick);
        if (!json_is_object(data))
            return fail(r, VG_EINVAL, sub, "%s: missing or not an object", "cvssData");
        bool bad = false;
        const char *outer = get_str(m, "baseSeverity", &bad);
        return read_cvss(r, data, outer, metric_versions[k], sub);
    }
    return 0;
}

static int read_nvd_match(struct record *r, const json_t *m, const char *sub, uint32_t node)
{
    char p[640];
    if (!json_is_object(m))
        return fail(r, VG_EINVAL, sub, "%s: not an object", "cpeMatch");
    json_t *vul = json_object_get(m, "vulnerable");
    if (!json_is_boolean(vul)) {
        snprintf(p, sizeof p, "%s/vulnerable", sub);
        return fail(r, VG_EINVAL, p, "%s: missing or not a boolean", "vulnerable");
    }
    bool bad = false;
    const char *crit = get_str(m, "criteria", &bad);
    if (!crit) {
        snprintf(p, sizeof p, "%s/criteria", sub);
        return fail(r, VG_EINVAL, p, "%s: missing or not a string", "criteria");
    }
    struct vg_cpe_name nm;
    struct vg_diag cd;
    vg_diag_clear(&cd);
    if (vg_cpe_parse_fs(vg_str_c(crit), &nm, &cd) < 0) {
        snprintf(p, sizeof p, "%s/criteria", sub);
        return fail(r, VG_EINVAL, p, "%s", cd.message);
    }
    if (GROW(r, matches, nmatches, cap_matches) < 0)
        return VG_ENOMEM;
    if (r->nmatches >= VG_MAX_FEED_CRITERIA)
        return fail(r, VG_ETOOBIG, sub, "more than %s cpeMatch entries", "VG_MAX_FEED_CRITERIA");
    struct vg_cpe_match *cm = &r->matches[r->nmatches];
    memset(cm, 0, sizeof *cm);
    cm->cpe = add_cpe(r, &nm);
    cm->vulnerable = json_is_true(vul);
    cm->node = node;
    static const char *const bounds[4] = {"versionStartIncluding", "versionStartExcluding",
                                          "versionEndIncluding", "versionEndExcluding"};
    for (int b = 0; b < 4; b++) {
        const char *val = get_str(m, bounds[b], &bad);
        if (bad || (val && (val[0] == '\0' || strlen(val) > VG_MAX_VERSION))) {
            snprintf(p, sizeof p, "%s/%s", sub, bounds[b]);
            return fail(r, VG_EINVAL, p, "%s: not a version string", bounds[b]);
        }
        if (!val)
            continue;
        struct vg_str sv = str_add(r, val, strlen(val));
        if (b < 2) {
            if (cm->range.start.ptr) {
                snprintf(p, sizeof p, "%s/%s", sub, bounds[b]);
                return fail(r, VG_EINVAL, p, "%s: both Including and Excluding", "start bound");
            }
            cm->range.start = sv;
            cm->range.start_incl = b == 0;
        } else {
            if (cm->range.end.ptr) {
                snprintf(p, sizeof p, "%s/%s", sub, bounds[b]);
                return fail(r, VG_EINVAL, p, "%s: both Including and Excluding", "end bound");
            }
            cm->range.end = sv;
            cm->range.end_incl = b == 2;
        }
        cm->has_range = true;
    }
    r->nmatches++;
    return 0;
}

static int read_op(struct record *r, const json_t *obj, const char *sub, uint8_t *op)
{
    json_t *o = json_object_get(obj, "operator");
    *op = VG_VULN_OR;
    if (!o)
        return 0;
    const char *s = json_string_value(o);
    if (s && strcmp(s, "AND") == 0)
        *op = VG_VULN_AND;
    else if (!s || strcmp(s, "OR") != 0) {
        char p[640];
        snprintf(p, sizeof p, "%s/operator", sub);
        return fail(r, VG_EINVAL, p, "%s: must be \"AND\" or \"OR\"", "operator");
    }
    return 0;
}

static int read_negate(struct record *r, const json_t *obj, const char *sub, bool *neg)
{
    json_t *n = json_object_get(obj, "negate");
    *neg = false;
    if (!n)
        return 0;
    if (!json_is_boolean(n)) {
        char p[640];
        snprintf(p, sizeof p, "%s/negate", sub);
        return fail(r, VG_EINVAL, p, "%s: not a boolean", "negate");
    }
    *neg = json_is_true(n);
    return 0;
}

static int read_nvd_configs(struct record *r, const json_t *cfgs)
{
    if (!cfgs)
        return 0;
    if (!json_is_array(cfgs))
        return fail(r, VG_EINVAL, "/configurations", "%s: not an array", "configurations");
    bool simple = true;
    for (size_t i = 0; i < json_array_size(cfgs); i++) {
        json_t *cfg = json_array_get(cfgs, i);
        char sub[256];
        snprintf(sub, sizeof sub, "/configurations/%zu", i);
        if (!json_is_object(cfg))
            return fail(r, VG_EINVAL, sub, "%s: not an object", "configuration");
        int rc;
        uint8_t op;
        bool neg;
        if ((rc = read_op(r, cfg, sub, &op)) < 0 || (rc = read_negate(r, cfg, sub, &neg)) < 0)
            return rc;
        json_t *nodes = json_object_get(cfg, "nodes");
        if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
            snprintf(sub, sizeof sub, "/configurations/%zu/nodes", i);
            return fail(r, VG_EINVAL, sub, "%s: missing, empty or not an array", "nodes");
        }
        if (neg) /* a negated configuration is not used by NVD; refuse rather than guess */
            return fail(r, VG_EINVAL, sub, "%s: negate on a configuration is not supported",
                        "configuration");
        if (GROW(r, configs, nconfigs, cap_configs) < 0)
            return VG_ENOMEM;
        struct vg_vuln_config *c = &r->configs[r->nconfigs];
        c->first = (uint32_t)r->nnodes;
        c->count = (uint32_t)json_array_size(nodes);
        c->op = op;
        if (c->count > 1 && op == VG_VULN_AND)
            simple = false;
        for (size_t j = 0; j < json_array_size(nodes); j++) {
            json_t *node = json_array_get(nodes, j);
            char nsub[300];
            snprintf(nsub, sizeof nsub, "%s/nodes/%zu", sub, j);
            if (!json_is_object(node))
                return fail(r, VG_EINVAL, nsub, "%s: not an object", "node");
            uint8_t nop;
            bool nneg;
            if ((rc = read_op(r, node, nsub, &nop)) < 0 ||
                (rc = read_negate(r, node, nsub, &nneg)) < 0)
                return rc;
            if (!json_object_get(node, "operator"))
                return fail(r, VG_EINVAL, nsub, "%s: missing operator", "node");
            json_t *ms = json_object_get(node, "cpeMatch");
            if (!json_is_array(ms) || json_array_size(ms) == 0) {
                char p[340];
                snprintf(p, sizeof p, "%s/cpeMatch", nsub);
                return fail(r, VG_EINVAL, p, "%s: missing, empty or not an array", "cpeMatch");
            }
            if (GROW(r, nodes, nnodes, cap_nodes) < 0)
                return VG_ENOMEM;
            struct vg_vuln_node *n = &r->nodes[r->nnodes];
            n->first = (uint32_t)r->nmatches;
            n->count = (uint32_t)json_array_size(ms);
            n->config = (uint32_t)r->nconfigs;
            n->op = nop;
            n->negate = nneg;
            if (nneg || (nop == VG_VULN_AND && n->count > 1))
                simple = false;
            uint32_t node_index = (uint32_t)r->nnodes;
            r->nnodes++;
            for (size_t k = 0; k < json_array_size(ms); k++) {
                char msub[360];
                snprintf(msub, sizeof msub, "%s/cpeMatch/%zu", nsub, k);
                if ((rc = read_nvd_match(r, json_array_get(ms, k), msub, node_index)) < 0)
                    return rc;
                if (!r->matches[r->nmatches - 1].vulnerable)
                    simple = false;
            }
        }
        r->nconfigs++;
    }
    r->v->simple = simple;
    return 0;
}

/* First English description of an array of {lang, value}. */
static void read_description(struct record *r, const json_t *arr)
{
    if (!json_is_array(arr))
        return;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *lang = json_string_value(json_object_get(e, "lang"));
        const char *val = json_string_value(json_object_get(e, "value"));
        if (lang && val && (strncmp(lang, "en", 2) == 0)) {
            size_t n = strlen(val);
            r->v->description = str_add(r, val, n > VG_MAX_STR_FIELD ? VG_MAX_STR_FIELD : n);
            return;
        }
    }
}

static void add_cwe(struct record *r, struct vg_buf *cw, const char *s)
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

static struct record *record_new(struct vg_diag *d, const char *ptr, int source)
{
    struct record *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->v = calloc(1, sizeof *r->v);
    if (!r->v) {
        free(r);
        return NULL;
    }
    r->v->source = (uint8_t)source;
    r->v->cvss = -1;
    r->d = d;
    copy_field(r->ptr, sizeof r->ptr, ptr);
    vg_buf_init(&r->strs, VG_MAX_FEED_FILE);
    return r;
}

static void record_drop(struct record *r)
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
static struct vg_vuln *record_finish(struct record *r, const json_t *json, bool keep_json)
{
    struct vg_vuln *v = r->v;
    if (r->strs.failed) {
        fail(r, VG_ENOMEM, "", "%s: record too large", "strings");
        record_drop(r);
        return NULL;
    }
    size_t sz_c = r->nconfigs * sizeof *r->configs, sz_n = r->nnodes * sizeof *r->nodes;
    size_t sz_m = r->nmatches * sizeof *r->matches, sz_a = r->naffected * sizeof *r->affected;
    size_t sz_v = r->nversions * sizeof *r->versions;
    size_t total = sz_c + sz_n + sz_m + sz_a + sz_v;
    char *arr = malloc(total ? total : 1);
    char *base = vg_buf_steal(&r->strs);
    if (!arr || (!base && r->strs.len)) {
        free(arr);
        free(base);
        fail(r, VG_ENOMEM, "", "%s: out of memory", "record");
        record_drop(r);
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
    record_drop(r);
    return v;
}

struct vg_vuln *vg_feed_parse_nvd(const json_t *cve, const char *ptr, bool keep_json,
                                  struct vg_diag *d)
{
    struct record *r = record_new(d, ptr, VG_VULN_NVD);
    if (!r) {
        vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
        return NULL;
    }
    if (!json_is_object(cve)) {
        fail(r, VG_EINVAL, "", "%s: not an object", "cve");
        goto bad;
    }
    bool bad = false;
    if (set_id(r, get_str(cve, "id", &bad), "/id") < 0)
        goto bad;
    const char *mod = get_str(cve, "lastModified", &bad);
    const char *pub = get_str(cve, "published", &bad);
    const char *status = get_str(cve, "vulnStatus", &bad);
    if (bad) {
        fail(r, VG_EINVAL, "", "%s: lastModified, published or vulnStatus not a string", "cve");
        goto bad;
    }
    copy_field(r->v->modified, sizeof r->v->modified, mod);
    copy_field(r->v->published, sizeof r->v->published, pub);
    r->v->rejected = status && strcmp(status, "Rejected") == 0;
    read_description(r, json_object_get(cve, "descriptions"));
    if (read_nvd_metrics(r, json_object_get(cve, "metrics")) < 0)
        goto bad;
    json_t *weak = json_object_get(cve, "weaknesses");
    if (weak && !json_is_array(weak)) {
        fail(r, VG_EINVAL, "/weaknesses", "%s: not an array", "weaknesses");
        goto bad;
    }
    struct vg_buf cw;
    vg_buf_init(&cw, 256);
    for (size_t i = 0; i < json_array_size(weak); i++) {
        json_t *desc = json_object_get(json_array_get(weak, i), "description");
        for (size_t k = 0; k < json_array_size(desc); k++)
            add_cwe(r, &cw, json_string_value(json_object_get(json_array_get(desc, k), "value")));
    }
    if (cw.len)
        r->v->cwes = str_add(r, cw.data, cw.len);
    vg_buf_cleanup(&cw);
    if (read_nvd_configs(r, json_object_get(cve, "configurations")) < 0)
        goto bad;
    return record_finish(r, cve, keep_json);
bad:
    record_drop(r);
    return NULL;
}

/* CVE 5 metrics[]: {cvssV4_0|cvssV3_1|cvssV3_0|cvssV2_0: {baseScore, baseSeverity}}. */
static int read_cve5_metrics(struct record *r, const json_t *metrics, const char *sub)
{
    static const char *const keys[4] = {"cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"};
    if (!metrics)
        return 0;
    if (!json_is_array(metrics))
        return fail(r, VG_EINVAL, sub, "%s: not an array", "metrics");
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < json_array_size(metrics); i++) {
            json_t *c = json_object_get(json_array_get(metrics, i), keys[k]);
            if (!c)
                continue;
            char p[400];
            snprintf(p, sizeof p, "%s/%zu/%s", sub, i, keys[k]);
            if (!json_is_object(c))
                return fail(r, VG_EINVAL, p, "%s: not an object", keys[k]);
            return read_cvss(r, c, NULL, metric_versions[k], p);
        }
    return 0;
}

static int read_cve5_affected(struct record *r, const json_t *aff, const char *sub)
{
    if (!aff)
        return 0;
    if (!json_is_array(aff))
        return fail(r, VG_EINVAL, sub, "%s: not an array", "affected");
    for (size_t i = 0; i < json_array_size(aff); i++) {
        json_t *a = json_array_get(aff, i);
        char p[400];
        snprintf(p, sizeof p, "%s/%zu", sub, i);
        if (!json_is_object(a))
            return fail(r, VG_EINVAL, p, "%s: not an object", "affected product");
        bool bad = false;
        const char *vendor = get_str(a, "vendor", &bad);
        const char *product = get_str(a, "product", &bad);
        const char *dflt = get_str(a, "defaultStatus", &bad);
        if (bad)
            return fail(r, VG_EINVAL, p, "%s: vendor, product or defaultStatus not a string",
                        "affected product");
        /* CVE 5.1 `cpes[]`: when one parses, its vendor and product name the product. */
        struct vg_buf cv, cp;
        vg_buf_init(&cv, VG_MAX_NAME);
        vg_buf_init(&cp, VG_MAX_NAME);
        json_t *cpes = json_object_get(a, "cpes");
        for (size_t k = 0; k < json_array_size(cpes) && cv.len == 0; k++) {
            const char *c = json_string_value(json_array_get(cpes, k));
            struct vg_cpe_name nm;
            struct vg_diag cd;
            if (c && vg_cpe_parse(vg_str_c(c), &nm, &cd) == 0 &&
                nm.cpe.kind[VG_CPE_VENDOR] == VG_CPE_VALUE &&
                nm.cpe.kind[VG_CPE_PRODUCT] == VG_CPE_VALUE) {
                vg_cpe_unquote(vg_cpe_value(&nm.cpe, VG_CPE_VENDOR), &cv);
                vg_cpe_unquote(vg_cpe_value(&nm.cpe, VG_CPE_PRODUCT), &cp);
            }
        }
        if (cv.len && cp.len && !cv.failed && !cp.failed) {
            vendor = cv.data;
            product = cp.data;
        }
        if (!vendor || !product) { /* collectionURL/packageName entries: no CPE-like names */
            vg_buf_cleanup(&cv);
            vg_buf_cleanup(&cp);
            continue;
        }
        json_t *vers = json_object_get(a, "versions");
        if (vers && !json_is_array(vers)) {
            vg_buf_cleanup(&cv);
            vg_buf_cleanup(&cp);
            snprintf(p, sizeof p, "%s/%zu/versions", sub, i);
            return fail(r, VG_EINVAL, p, "%s: not an array", "versions");
        }
        if (GROW(r, affected, naffected, cap_affected) < 0) {
            vg_buf_cleanup(&cv);
            vg_buf_cleanup(&cp);
            return VG_ENOMEM;
        }
        struct vg_affected *af = &r->affected[r->naffected];
        memset(af, 0, sizeof *af);
        af->vendor = norm_name(r, vendor, strlen(vendor));
        af->product = norm_name(r, product, strlen(product));
        vg_buf_cleanup(&cv);
        vg_buf_cleanup(&cp);
        af->default_affected = dflt && strcmp(dflt, "affected") == 0;
        for (size_t k = 0; k < json_array_size(vers); k++) {
            json_t *ve = json_array_get(vers, k);
            char vp[440];
            snprintf(vp, sizeof vp, "%s/%zu/versions/%zu", sub, i, k);
            if (!json_is_object(ve))
                return fail(r, VG_EINVAL, vp, "%s: not an object", "version");
            const char *ver = get_str(ve, "version", &bad);
            const char *st = get_str(ve, "status", &bad);
            const char *lt = get_str(ve, "lessThan", &bad);
            const char *lte = get_str(ve, "lessThanOrEqual", &bad);
            if (bad || !ver || strlen(ver) > VG_MAX_VERSION)
                return fail(r, VG_EINVAL, vp, "%s: version missing, or a field not a string",
                            "version");
            if (!st) /* required by 5.0; older records omit it: treat as affected */
                st = "affected";
            if (strcmp(st, "affected") && strcmp(st, "unaffected") && strcmp(st, "unknown"))
                return fail(r, VG_EINVAL, vp, "%s: status must be affected, unaffected or unknown",
                            "version");
            if (GROW(r, versions, nversions, cap_versions) < 0)
                return VG_ENOMEM;
            struct vg_affected_version *av = &r->versions[r->nversions++];
            memset(av, 0, sizeof *av);
            av->version = str_add(r, ver, strlen(ver));
            if (lt || lte) {
                const char *b = lte ? lte : lt;
                av->less_than = str_add(r, b, strnlen(b, VG_MAX_VERSION));
                av->lte = lte != NULL;
            }
            av->affected = strcmp(st, "affected") == 0;
            av->unaffected = strcmp(st, "unaffected") == 0;
            af->nversions++;
        }
        r->naffected++;
    }
    return 0;
}

struct vg_vuln *vg_feed_parse_cve5(const json_t *rec, const char *ptr, bool keep_json,
                                   struct vg_diag *d)
{
    char p2[512];
    const json_t *inner = json_object_get(rec, "cve");
    if (json_is_object(inner) && !json_object_get(rec, "cveMetadata")) {
        snprintf(p2, sizeof p2, "%s/cve", ptr);
        ptr = p2;
        rec = inner;
    }
    struct record *r = record_new(d, ptr, VG_VULN_CVE5);
    if (!r) {
        vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
        return NULL;
    }
    if (!json_is_object(rec)) {
        fail(r, VG_EINVAL, "", "%s: not an object", "CVE record");
        goto bad;
    }
    json_t *meta = json_object_get(rec, "cveMetadata");
    if (!json_is_object(meta)) {
        fail(r, VG_EINVAL, "/cveMetadata", "%s: missing or not an object", "cveMetadata");
        goto bad;
    }
    bool bad = false;
    const char *cid = get_str(meta, "cveId", &bad);
    if (!cid && !bad) /* drafts of the 5.0 format said "id" */
        cid = get_str(meta, "id", &bad);
    if (set_id(r, cid, "/cveMetadata/cveId") < 0)
        goto bad;
    const char *state = get_str(meta, "state", &bad);
    const char *upd = get_str(meta, "dateUpdated", &bad);
    if (!upd && !bad)
        upd = get_str(meta, "updated", &bad);
    const char *pub = get_str(meta, "datePublished", &bad);
    if (bad || !state) {
        fail(r, VG_EINVAL, "/cveMetadata/state", "%s: missing, or a date not a string", "state");
        goto bad;
    }
    if (strcmp(state, "PUBLISHED") && strcmp(state, "REJECTED")) {
        fail(r, VG_EINVAL, "/cveMetadata/state", "%s: must be PUBLISHED or REJECTED", "state");
        goto bad;
    }
    r->v->rejected = strcmp(state, "REJECTED") == 0;
    copy_field(r->v->modified, sizeof r->v->modified, upd ? upd : pub);
    copy_field(r->v->published, sizeof r->v->published, pub);
    json_t *cont = json_object_get(rec, "containers");
    if (!cont && r->v->rejected) /* a rejected id may carry nothing else */
        return record_finish(r, rec, keep_json);
    if (!json_is_object(cont)) {
        fail(r, VG_EINVAL, "/containers", "%s: missing or not an object", "containers");
        goto bad;
    }
    json_t *cna = json_object_get(cont, "cna");
    if (!json_is_object(cna)) {
        fail(r, VG_EINVAL, "/containers/cna", "%s: missing or not an object", "cna");
        goto bad;
    }
    read_description(r, json_object_get(cna, "descriptions"));
    if (!r->v->rejected) {
        if (read_cve5_affected(r, json_object_get(cna, "affected"), "/containers/cna/affected") < 0)
            goto bad;
        if (read_cve5_metrics(r, json_object_get(cna, "metrics"), "/containers/cna/metrics") < 0)
            goto bad;
        json_t *adp = json_object_get(cont, "adp");
        for (size_t i = 0; r->v->cvss < 0 && i < json_array_size(adp); i++) {
            char sub[64];
            snprintf(sub, sizeof sub, "/containers/adp/%zu/metrics", i);
            if (read_cve5_metrics(r, json_object_get(json_array_get(adp, i), "metrics"), sub) < 0)
                goto bad;
        }
        struct vg_buf cw;
        vg_buf_init(&cw, 256);
        json_t *pts = json_object_get(cna, "problemTypes");
        for (size_t i = 0; i < json_array_size(pts); i++) {
            json_t *ds = json_object_get(json_array_get(pts, i), "descriptions");
            for (size_t k = 0; k < json_array_size(ds); k++)
                add_cwe(r, &cw, json_string_value(json_object_get(json_array_get(ds, k), "cweId")));
        }
        if (cw.len)
            r->v->cwes = str_add(r, cw.data, cw.len);
        vg_buf_cleanup(&cw);
    }
    return record_finish(r, rec, keep_json);
bad:
    record_drop(r);
    return NULL;
}

static void report(const struct vg_feed_opts *o, const char *name, const struct vg_diag *d,
                   struct vg_feed_stats *st)
{
    st->rejected++;
    if (o && o->on_error)
        o->on_error(o->ctx, name, d);
}

static void count_put(int rc, struct vg_feed_stats *st)
{
    if (rc == VG_VULN_ADDED)
        st->added++;
    else if (rc == VG_VULN_UPDATED)
        st->updated++;
    else if (rc == VG_VULN_UNCHANGED)
        st->unchanged++;
}

static int put_record(struct vg_vuln_set *s, struct vg_vuln *v, struct vg_feed_stats *st)
{
    int rc = vg_vuln_set_put(s, v);
    if (rc < 0)
        return rc;
    count_put(rc, st);
    return 0;
}

static int read_nvd(struct vg_vuln_set *s, const json_t *doc, const char *name,
                    const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    json_t *single = json_object_get(doc, "cve");
    if (!vulns && json_is_object(single)) {
        /* One CVE as {"cve": {...}}, the shape of a single NVD record. */
        struct vg_diag rd;
        vg_diag_clear(&rd);
        struct vg_vuln *v = vg_feed_parse_nvd(single, "/cve", o && o->keep_json, &rd);
        if (!v) {
            report(o, name, &rd, st);
            return 0;
        }
        return put_record(s, v, st) < 0 ? vg_diag_set(d, VG_ENOMEM, "", "out of memory") : 0;
    }
    if (!json_is_array(vulns))
        return vg_diag_set(d, VG_EINVAL, "/vulnerabilities", "%s: not an NVD CVE API page", name);
    for (size_t i = 0; i < json_array_size(vulns); i++) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/vulnerabilities/%zu/cve", i);
        struct vg_diag rd;
        vg_diag_clear(&rd);
        json_t *cve = json_object_get(json_array_get(vulns, i), "cve");
        struct vg_vuln *v = vg_feed_parse_nvd(cve, ptr, o && o->keep_json, &rd);
        if (!v) {
            if (rd.message[0] == '\0')
                vg_diag_set(&rd, VG_EINVAL, ptr, "missing cve object");
            report(o, name, &rd, st);
            continue;
        }
        if (put_record(s, v, st) < 0)
            return vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
    }
    return 0;
}

static int read_cve5_doc(struct vg_vuln_set *s, const json_t *doc, const char *name,
                         const struct vg_feed_opts *o, struct vg_feed_stats *st,
                         struct vg_diag *d)
{
    size_t n = json_is_array(doc) ? json_array_size(doc) : 1;
    for (size_t i = 0; i < n; i++) {
        char ptr[64] = "";
        const json_t *rec = doc;
        if (json_is_array(doc)) {
            snprintf(ptr, sizeof ptr, "/%zu", i);
            rec = json_array_get(doc, i);
        }
        struct vg_diag rd;
        vg_diag_clear(&rd);
        struct vg_vuln *v = vg_feed_parse_cve5(rec, ptr, o && o->keep_json, &rd);
        if (!v) {
            report(o, name, &rd, st);
            continue;
        }
        if (put_record(s, v, st) < 0)
            return vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
    }
    return 0;
}

static bool is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int read_kev(struct vg_vuln_set *s, const json_t *doc, const char *name,
                    const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (!json_is_array(vulns))
        return vg_diag_set(d, VG_EINVAL, "/vulnerabilities", "%s: not a KEV catalog", name);
    for (size_t i = 0; i < json_array_size(vulns); i++) {
        json_t *e = json_array_get(vulns, i);
        char ptr[80];
        struct vg_diag rd;
        vg_diag_clear(&rd);
        bool bad = false;
        const char *id = get_str(e, "cveID", &bad);
        const char *added = get_str(e, "dateAdded", &bad);
        const char *due = get_str(e, "dueDate", &bad);
        const char *ransom = get_str(e, "knownRansomwareCampaignUse", &bad);
        uint64_t key = id ? vg_vuln_key(vg_str_c(id)) : 0;
        const char *field = !json_is_object(e) ? ""
                            : !key             ? "/cveID"
                            : !is_date(added)  ? "/dateAdded"
                            : (due && !is_date(due)) ? "/dueDate"
                            : bad              ? ""
                                               : NULL;
        if (field) {
            snprintf(ptr, sizeof ptr, "/vulnerabilities/%zu%s", i, field);
            vg_diag_set(&rd, VG_EINVAL, ptr, "KEV entry: %s",
                        !*field ? "not an object or a field not a string"
                        : field[1] == 'c' ? "cveID is not a CVE id"
                                          : "date is not YYYY-MM-DD");
            report(o, name, &rd, st);
            continue;
        }
        struct vg_kev k;
        memset(&k, 0, sizeof k);
        copy_field(k.date_added, sizeof k.date_added, added);
        copy_field(k.due_date, sizeof k.due_date, due);
        k.ransomware = ransom && strcmp(ransom, "Known") == 0;
        copy_field(k.vendor, sizeof k.vendor,
                   json_string_value(json_object_get(e, "vendorProject")));
        copy_field(k.product, sizeof k.product, json_string_value(json_object_get(e, "product")));
        int rc = vg_vuln_set_put_kev(s, key, &k);
        if (rc < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        count_put(rc, st);
    }
    return 0;
}

/* Parses a probability in [0, 1] from a CSV field. */
static bool parse_prob(const char *p, size_t n, float *out)
{
    char tmp[40];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)tmp[i]) && tmp[i] != '.' && tmp[i] != 'e' && tmp[i] != 'E' &&
            tmp[i] != '-')
            return false;
    char *end;
    errno = 0;
    double v = strtod(tmp, &end);
    if (errno || *end || !(v >= 0 && v <= 1))
        return false;
    *out = (float)v;
    return true;
}

static int read_epss(struct vg_vuln_set *s, const char *data, size_t len, const char *name,
                     const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    size_t i = 0;
    long line = 0;
    bool header = false;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        struct vg_str l = {data + i, e - i};
        if (l.len && l.ptr[l.len - 1] == '\r')
            l.len--;
        i = e + 1;
        line++;
        if (l.len > VG_MAX_LINE)
            return vg_diag_set(d, VG_ETOOBIG, "", "%s:%ld: line too long", name, line);
        if (l.len == 0)
            continue;
        if (l.ptr[0] == '#') {
            /* #model_version:v2023.03.01,score_date:2023-03-15T00:00:00+0000 */
            char meta[256];
            vg_str_copy((struct vg_str){l.ptr + 1, l.len - 1 < 255 ? l.len - 1 : 255}, meta,
                        sizeof meta);
            char *model = strstr(meta, "model_version:");
            char *date = strstr(meta, "score_date:");
            char mv[64] = "", sd[64] = "";
            if (model) {
                model += 14;
                size_t n = strcspn(model, ",");
                snprintf(mv, sizeof mv, "%.*s", (int)(n < 63 ? n : 63), model);
            }
            if (date)
                snprintf(sd, sizeof sd, "%.40s", date + 11);
            vg_vuln_set_epss_meta(s, mv, sd);
            continue;
        }
        if (!header) {
            if (!vg_str_has_prefix(l, VG_STR("cve,epss,percentile")))
                return vg_diag_set(d, VG_EINVAL, "", "%s:%ld: expected header "
                                   "'cve,epss,percentile'", name, line);
            header = true;
            continue;
        }
        const char *c1 = memchr(l.ptr, ',', l.len);
        const char *c2 = c1 ? memchr(c1 + 1, ',', l.len - (size_t)(c1 + 1 - l.ptr)) : NULL;
        float ep = 0, pc = 0;
        uint64_t key = c1 ? vg_vuln_key((struct vg_str){l.ptr, (size_t)(c1 - l.ptr)}) : 0;
        const char *why = NULL;
        if (!c1 || !c2)
            why = "expected 3 fields: cve,epss,percentile";
        else if (!key)
            why = "first field is not a CVE id";
        else if (!parse_prob(c1 + 1, (size_t)(c2 - c1 - 1), &ep))
            why = "epss is not a number in [0, 1]";
        else if (!parse_prob(c2 + 1, (size_t)(l.ptr + l.len - c2 - 1), &pc))
            why = "percentile is not a number in [0, 1]";
        if (why) {
            struct vg_diag rd;
            vg_diag_set(&rd, VG_EINVAL, "", "%s", why);
            rd.line = line;
            report(o, name, &rd, st);
            continue;
        }
        int rc = vg_vuln_set_put_epss(s, key, ep, pc);
        if (rc < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        count_put(rc, st);
    }
    if (!header)
        return vg_diag_set(d, VG_EINVAL, "", "%s: no 'cve,epss,percentile' header", name);
    return 0;
}

static enum vg_feed_format guess_json(const json_t *doc)
{
    if (json_is_array(doc))
        return VG_FEED_CVE5;
    if (!json_is_object(doc))
        return VG_FEED_AUTO;
    json_t *cve = json_object_get(doc, "cve");
    if (json_is_object(cve) && json_object_get(cve, "id"))
        return VG_FEED_NVD;
    if (json_object_get(doc, "cveMetadata") || json_object_get(doc, "dataType") ||
        json_is_object(cve))
        return VG_FEED_CVE5;
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    if (json_object_get(doc, "catalogVersion"))
        return VG_FEED_KEV;
    if (json_is_array(vulns)) {
        json_t *first = json_array_get(vulns, 0);
        if (json_object_get(first, "cveID"))
            return VG_FEED_KEV;
        return VG_FEED_NVD;
    }
    return VG_FEED_AUTO;
}

int vg_feed_read_mem(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *name,
                     const char *data, size_t len, const struct vg_feed_opts *o,
                     struct vg_feed_stats *st, struct vg_diag *d)
{
    if (len > (size_t)VG_MAX_FEED_FILE)
        return vg_diag_set(d, VG_ETOOBIG, "", "%s: larger than %ld bytes", name,
                           (long)VG_MAX_FEED_FILE);
    st->files++;
    size_t skip = 0;
    while (skip < len && isspace((unsigned char)data[skip]))
        skip++;
    if (fmt == VG_FEED_EPSS ||
        (fmt == VG_FEED_AUTO && skip < len && data[skip] != '{' && data[skip] != '['))
        return read_epss(s, data, len, name, o, st, d);
    struct vg_diag jd;
    vg_diag_clear(&jd);
    json_t *doc = vg_json_parse(data, len, &jd);
    if (!doc) {
        vg_diag_set(d, jd.offset >= 0 ? VG_EINVAL : VG_ETOOBIG, "", "%s: %s", name, jd.message);
        if (d)
            d->line = jd.line;
        return VG_EINVAL;
    }
    if (fmt == VG_FEED_AUTO)
        fmt = guess_json(doc);
    int rc;
    switch (fmt) {
    case VG_FEED_NVD: rc = read_nvd(s, doc, name, o, st, d); break;
    case VG_FEED_CVE5: rc = read_cve5_doc(s, doc, name, o, st, d); break;
    case VG_FEED_KEV: rc = read_kev(s, doc, name, o, st, d); break;
    default:
        rc = vg_diag_set(d, VG_EINVAL, "", "%s: not a CVE 5, NVD 2.0, KEV or EPSS document",
                         name);
        break;
    }
    json_decref(doc);
    return rc;
}

static int read_file(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *path,
                     const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
    int rc = 0;
    char *data = NULL;
    struct stat sb;
    if (fstat(fileno(f), &sb) < 0 || sb.st_size > VG_MAX_FEED_FILE) {
        rc = vg_diag_set(d, VG_ETOOBIG, "", "%s: unreadable or larger than %ld bytes", path,
                         (long)VG_MAX_FEED_FILE);
        goto out;
    }
    data = malloc((size_t)sb.st_size + 1);
    if (!data) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "%s: out of memory", path);
        goto out;
    }
    size_t n = fread(data, 1, (size_t)sb.st_size, f);
    if (n != (size_t)sb.st_size) {
        rc = vg_diag_set(d, VG_EIO, "", "%s: short read", path);
        goto out;
    }
    rc = vg_feed_read_mem(s, fmt, path, data, n, o, st, d);
out:
    free(data);
    fclose(f);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool feed_file_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 5 && strcmp(n + l - 5, ".json") == 0) || (l > 4 && strcmp(n + l - 4, ".csv") == 0);
}

static int read_dir(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *path, int depth,
                    const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    if (depth > 16)
        return 0;
    DIR *dir = opendir(path);
    if (!dir)
        return vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int first = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        if (grow((void **)&names, &cap, n, sizeof *names) < 0)
            break;
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        struct stat sb;
        memset(&sb, 0, sizeof sb);
        int rc = 0;
        struct vg_diag fd;
        vg_diag_clear(&fd);
        if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc = read_dir(s, fmt, full, depth + 1, o, st, &fd);
        else if (feed_file_name(names[i]))
            rc = read_file(s, fmt, full, o, st, &fd);
        if (rc < 0) {
            if (o && o->on_error && !S_ISDIR(sb.st_mode)) /* a subdirectory reported its own */
                o->on_error(o->ctx, full, &fd);
            if (!first) {
                first = rc;
                if (d)
                    *d = fd;
            }
        }
        free(names[i]);
    }
    free(names);
    return first;
}

int vg_feed_read_path(struct vg_vuln_set *s, enum vg_feed_format fmt, const char *path,
                      const struct vg_feed_opts *o, struct vg_feed_stats *st,
                      struct vg_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) < 0)
        return vg_diag_set(d, VG_EIO, "", "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return read_dir(s, fmt, path, 0, o, st, d);
    return read_file(s, fmt, path, o, st, d);
}
