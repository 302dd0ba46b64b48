/* The NVD CVE API 2.0 reader: one `cve` object (metrics, weaknesses, configurations of
 * nodes of cpeMatch criteria with version bounds) into a record; a page of them into a set. */
#include "vuln/feed.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "vuln/vuln_int.h"

static const char *const metric_keys[4] = {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30",
                                           "cvssMetricV2"};
static const uint8_t metric_versions[4] = {40, 31, 30, 20};

/* NVD metrics: v4.0, then v3.1, v3.0, v2; within one, the Primary (NVD's own) entry first. */
static int read_nvd_metrics(struct vuln_rec *r, const json_t *metrics)
{
    if (!metrics)
        return 0;
    if (!json_is_object(metrics))
        return vuln_rec_fail(r, VG_EINVAL, "/metrics", "%s: not an object", "metrics");
    for (int k = 0; k < 4; k++) {
        json_t *arr = json_object_get(metrics, metric_keys[k]);
        if (!arr)
            continue;
        char sub[128];
        snprintf(sub, sizeof sub, "/metrics/%s", metric_keys[k]);
        if (!json_is_array(arr))
            return vuln_rec_fail(r, VG_EINVAL, sub, "%s: not an array", metric_keys[k]);
        size_t pick = 0;
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *m = json_array_get(arr, i);
            if (!json_is_object(m)) {
                snprintf(sub, sizeof sub, "/metrics/%s/%zu", metric_keys[k], i);
                return vuln_rec_fail(r, VG_EINVAL, sub, "%s: not an object", "metric");
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
            return vuln_rec_fail(r, VG_EINVAL, sub, "%s: missing or not an object", "cvssData");
        bool bad = false;
        const char *outer = vuln_json_str_member(m, "baseSeverity", &bad);
        return vuln_rec_cvss(r, data, outer, metric_versions[k], sub);
    }
    return 0;
}

/* Stores a parsed CPE's values (lower-cased) and returns the WFN pointing at them. */
static struct vg_cpe add_cpe(struct vuln_rec *r, const struct vg_cpe_name *nm)
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

static int read_nvd_match(struct vuln_rec *r, const json_t *m, const char *sub, uint32_t node)
{
    char p[640];
    if (!json_is_object(m))
        return vuln_rec_fail(r, VG_EINVAL, sub, "%s: not an object", "cpeMatch");
    json_t *vul = json_object_get(m, "vulnerable");
    if (!json_is_boolean(vul)) {
        snprintf(p, sizeof p, "%s/vulnerable", sub);
        return vuln_rec_fail(r, VG_EINVAL, p, "%s: missing or not a boolean", "vulnerable");
    }
    bool bad = false;
    const char *crit = vuln_json_str_member(m, "criteria", &bad);
    if (!crit) {
        snprintf(p, sizeof p, "%s/criteria", sub);
        return vuln_rec_fail(r, VG_EINVAL, p, "%s: missing or not a string", "criteria");
    }
    struct vg_cpe_name nm;
    struct vg_diag cd;
    vg_diag_clear(&cd);
    if (vg_cpe_parse_fs(vg_str_c(crit), &nm, &cd) < 0) {
        snprintf(p, sizeof p, "%s/criteria", sub);
        return vuln_rec_fail(r, VG_EINVAL, p, "%s", cd.message);
    }
    if (GROW(r, matches, nmatches, cap_matches) < 0)
        return VG_ENOMEM;
    if (r->nmatches >= VG_MAX_FEED_CRITERIA)
        return vuln_rec_fail(r, VG_ETOOBIG, sub, "more than %s cpeMatch entries",
                             "VG_MAX_FEED_CRITERIA");
    struct vg_cpe_match *cm = &r->matches[r->nmatches];
    memset(cm, 0, sizeof *cm);
    cm->cpe = add_cpe(r, &nm);
    cm->vulnerable = json_is_true(vul);
    cm->node = node;
    static const char *const bounds[4] = {"versionStartIncluding", "versionStartExcluding",
                                          "versionEndIncluding", "versionEndExcluding"};
    for (int b = 0; b < 4; b++) {
        const char *val = vuln_json_str_member(m, bounds[b], &bad);
        if (bad || (val && (val[0] == '\0' || strlen(val) > VG_MAX_VERSION))) {
            snprintf(p, sizeof p, "%s/%s", sub, bounds[b]);
            return vuln_rec_fail(r, VG_EINVAL, p, "%s: not a version string", bounds[b]);
        }
        if (!val)
            continue;
        struct vg_str sv = vuln_rec_str(r, val, strlen(val));
        if (b < 2) {
            if (cm->range.start.ptr) {
                snprintf(p, sizeof p, "%s/%s", sub, bounds[b]);
                return vuln_rec_fail(r, VG_EINVAL, p, "%s: both Including and Excluding",
                                     "start bound");
            }
            cm->range.start = sv;
            cm->range.start_incl = b == 0;
        } else {
            if (cm->range.end.ptr) {
                snprintf(p, sizeof p, "%s/%s", sub, bounds[b]);
                return vuln_rec_fail(r, VG_EINVAL, p, "%s: both Including and Excluding",
                                     "end bound");
            }
            cm->range.end = sv;
            cm->range.end_incl = b == 2;
        }
        cm->has_range = true;
    }
    r->nmatches++;
    return 0;
}

static int read_op(struct vuln_rec *r, const json_t *obj, const char *sub, uint8_t *op)
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
        return vuln_rec_fail(r, VG_EINVAL, p, "%s: must be \"AND\" or \"OR\"", "operator");
    }
    return 0;
}

static int read_negate(struct vuln_rec *r, const json_t *obj, const char *sub, bool *neg)
{
    json_t *n = json_object_get(obj, "negate");
    *neg = false;
    if (!n)
        return 0;
    if (!json_is_boolean(n)) {
        char p[640];
        snprintf(p, sizeof p, "%s/negate", sub);
        return vuln_rec_fail(r, VG_EINVAL, p, "%s: not a boolean", "negate");
    }
    *neg = json_is_true(n);
    return 0;
}

static int read_nvd_configs(struct vuln_rec *r, const json_t *cfgs)
{
    if (!cfgs)
        return 0;
    if (!json_is_array(cfgs))
        return vuln_rec_fail(r, VG_EINVAL, "/configurations", "%s: not an array", "configurations");
    bool simple = true;
    for (size_t i = 0; i < json_array_size(cfgs); i++) {
        json_t *cfg = json_array_get(cfgs, i);
        char sub[256];
        snprintf(sub, sizeof sub, "/configurations/%zu", i);
        if (!json_is_object(cfg))
            return vuln_rec_fail(r, VG_EINVAL, sub, "%s: not an object", "configuration");
        int rc;
        uint8_t op;
        bool neg;
        if ((rc = read_op(r, cfg, sub, &op)) < 0 || (rc = read_negate(r, cfg, sub, &neg)) < 0)
            return rc;
        json_t *nodes = json_object_get(cfg, "nodes");
        if (!json_is_array(nodes) || json_array_size(nodes) == 0) {
            snprintf(sub, sizeof sub, "/configurations/%zu/nodes", i);
            return vuln_rec_fail(r, VG_EINVAL, sub, "%s: missing, empty or not an array", "nodes");
        }
        if (neg) /* a negated configuration is not used by NVD; refuse rather than guess */
            return vuln_rec_fail(r, VG_EINVAL, sub,
                                 "%s: negate on a configuration is not supported", "configuration");
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
                return vuln_rec_fail(r, VG_EINVAL, nsub, "%s: not an object", "node");
            uint8_t nop;
            bool nneg;
            if ((rc = read_op(r, node, nsub, &nop)) < 0 ||
                (rc = read_negate(r, node, nsub, &nneg)) < 0)
                return rc;
            if (!json_object_get(node, "operator"))
                return vuln_rec_fail(r, VG_EINVAL, nsub, "%s: missing operator", "node");
            json_t *ms = json_object_get(node, "cpeMatch");
            if (!json_is_array(ms) || json_array_size(ms) == 0) {
                char p[340];
                snprintf(p, sizeof p, "%s/cpeMatch", nsub);
                return vuln_rec_fail(r, VG_EINVAL, p, "%s: missing, empty or not an array",
                                     "cpeMatch");
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

struct vg_vuln *vg_feed_parse_nvd(const json_t *cve, const char *ptr, bool keep_json,
                                  struct vg_diag *d)
{
    struct vuln_rec *r = vuln_rec_new(d, ptr, VG_VULN_NVD);
    if (!r) {
        vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
        return NULL;
    }
    if (!json_is_object(cve)) {
        vuln_rec_fail(r, VG_EINVAL, "", "%s: not an object", "cve");
        goto bad;
    }
    bool bad = false;
    if (vuln_rec_set_id(r, vuln_json_str_member(cve, "id", &bad), "/id") < 0)
        goto bad;
    const char *mod = vuln_json_str_member(cve, "lastModified", &bad);
    const char *pub = vuln_json_str_member(cve, "published", &bad);
    const char *status = vuln_json_str_member(cve, "vulnStatus", &bad);
    if (bad) {
        vuln_rec_fail(r, VG_EINVAL, "", "%s: lastModified, published or vulnStatus not a string",
                      "cve");
        goto bad;
    }
    vuln_copy_field(r->v->modified, sizeof r->v->modified, mod);
    vuln_copy_field(r->v->published, sizeof r->v->published, pub);
    r->v->rejected = status && strcmp(status, "Rejected") == 0;
    vuln_rec_description(r, json_object_get(cve, "descriptions"));
    if (read_nvd_metrics(r, json_object_get(cve, "metrics")) < 0)
        goto bad;
    json_t *weak = json_object_get(cve, "weaknesses");
    if (weak && !json_is_array(weak)) {
        vuln_rec_fail(r, VG_EINVAL, "/weaknesses", "%s: not an array", "weaknesses");
        goto bad;
    }
    struct vg_buf cw;
    vg_buf_init(&cw, 256);
    for (size_t i = 0; i < json_array_size(weak); i++) {
        json_t *desc = json_object_get(json_array_get(weak, i), "description");
        for (size_t k = 0; k < json_array_size(desc); k++)
            vuln_add_cwe(r, &cw,
                         json_string_value(json_object_get(json_array_get(desc, k), "value")));
    }
    if (cw.len)
        r->v->cwes = vuln_rec_str(r, cw.data, cw.len);
    vg_buf_cleanup(&cw);
    if (read_nvd_configs(r, json_object_get(cve, "configurations")) < 0)
        goto bad;
    return vuln_rec_finish(r, cve, keep_json);
bad:
    vuln_rec_drop(r);
    return NULL;
}

int vuln_read_nvd(struct vg_vuln_set *s, const json_t *doc, const char *name,
                  const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
{
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    json_t *single = json_object_get(doc, "cve");
    if (!vulns && json_is_object(single)) {
        /* One CVE as {"cve": {...}}, the shape of a single NVD record. */
        struct vg_diag rd;
        vg_diag_clear(&rd);
        unsigned long before = vg_mem_thread_failures();
        struct vg_vuln *v = vg_feed_parse_nvd(single, "/cve", o && o->keep_json, &rd);
        if (vg_mem_thread_failures() != before) {
            vg_vuln_free(v);
            return vg_diag_set(d, VG_ENOMEM, "/cve", "out of memory");
        }
        if (!v) {
            vuln_feed_report(o, name, &rd, st);
            return 0;
        }
        return vuln_feed_put(s, v, st) < 0 ? vg_diag_set(d, VG_ENOMEM, "", "out of memory") : 0;
    }
    if (!json_is_array(vulns))
        return vg_diag_set(d, VG_EINVAL, "/vulnerabilities", "%s: not an NVD CVE API page", name);
    for (size_t i = 0; i < json_array_size(vulns); i++) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/vulnerabilities/%zu/cve", i);
        struct vg_diag rd;
        vg_diag_clear(&rd);
        json_t *cve = json_object_get(json_array_get(vulns, i), "cve");
        unsigned long before = vg_mem_thread_failures();
        struct vg_vuln *v = vg_feed_parse_nvd(cve, ptr, o && o->keep_json, &rd);
        if (vg_mem_thread_failures() != before) {
            /* an allocation that failed is not a bad record: the whole read fails (it was
             * counted rejected, the import answering 0 with a record missing) */
            vg_vuln_free(v);
            return vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
        }
        if (!v) {
            if (rd.message[0] == '\0')
                vg_diag_set(&rd, VG_EINVAL, ptr, "missing cve object");
            vuln_feed_report(o, name, &rd, st);
            continue;
        }
        if (vuln_feed_put(s, v, st) < 0)
            return vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
    }
    return 0;
}
