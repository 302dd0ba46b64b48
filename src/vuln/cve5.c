/* The CVE JSON 5 reader: one record (cna container: affected products and their versions,
 * metrics, problem types, descriptions) into a record; one, a list or {"cve": record}. */
#include "vuln/feed.h"

#include <stdio.h>
#include <string.h>

#include "core/product.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "vuln/vuln_int.h"

/* Normalises a CVE 5 vendor or product name (core/product.h, the rule of every path). */
static struct vg_str norm_name(struct vuln_rec *r, const char *s, size_t n)
{
    char tmp[VG_PRODUCT_NAME_MAX + 1];
    long k = vg_product_name((struct vg_str){s, n}, VG_PRODUCT_PLAIN, tmp, sizeof tmp);
    return vuln_rec_str(r, tmp, k > 0 ? (size_t)k : 0);
}

/* CVE 5 metrics[]: {cvssV4_0|cvssV3_1|cvssV3_0|cvssV2_0: {baseScore, baseSeverity}}. */
static int read_cve5_metrics(struct vuln_rec *r, const json_t *metrics, const char *sub)
{
    static const char *const keys[4] = {"cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"};
    static const uint8_t versions[4] = {40, 31, 30, 20};
    if (!metrics)
        return 0;
    if (!json_is_array(metrics))
        return vuln_rec_fail(r, VG_EINVAL, sub, "%s: not an array", "metrics");
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < json_array_size(metrics); i++) {
            json_t *c = json_object_get(json_array_get(metrics, i), keys[k]);
            if (!c)
                continue;
            char p[400];
            snprintf(p, sizeof p, "%s/%zu/%s", sub, i, keys[k]);
            if (!json_is_object(c))
                return vuln_rec_fail(r, VG_EINVAL, p, "%s: not an object", keys[k]);
            return vuln_rec_cvss(r, c, NULL, versions[k], p);
        }
    return 0;
}

static int read_cve5_affected(struct vuln_rec *r, const json_t *aff, const char *sub)
{
    if (!aff)
        return 0;
    if (!json_is_array(aff))
        return vuln_rec_fail(r, VG_EINVAL, sub, "%s: not an array", "affected");
    for (size_t i = 0; i < json_array_size(aff); i++) {
        json_t *a = json_array_get(aff, i);
        char p[400];
        snprintf(p, sizeof p, "%s/%zu", sub, i);
        if (!json_is_object(a))
            return vuln_rec_fail(r, VG_EINVAL, p, "%s: not an object", "affected product");
        bool bad = false;
        const char *vendor = vuln_json_str_member(a, "vendor", &bad);
        const char *product = vuln_json_str_member(a, "product", &bad);
        const char *dflt = vuln_json_str_member(a, "defaultStatus", &bad);
        if (bad)
            return vuln_rec_fail(r, VG_EINVAL, p,
                                 "%s: vendor, product or defaultStatus not a string",
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
            return vuln_rec_fail(r, VG_EINVAL, p, "%s: not an array", "versions");
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
                return vuln_rec_fail(r, VG_EINVAL, vp, "%s: not an object", "version");
            const char *ver = vuln_json_str_member(ve, "version", &bad);
            const char *st = vuln_json_str_member(ve, "status", &bad);
            const char *lt = vuln_json_str_member(ve, "lessThan", &bad);
            const char *lte = vuln_json_str_member(ve, "lessThanOrEqual", &bad);
            if (bad || !ver || strlen(ver) > VG_MAX_VERSION)
                return vuln_rec_fail(r, VG_EINVAL, vp,
                                     "%s: version missing, or a field not a string", "version");
            if (!st) /* required by 5.0; older records omit it: treat as affected */
                st = "affected";
            if (strcmp(st, "affected") && strcmp(st, "unaffected") && strcmp(st, "unknown"))
                return vuln_rec_fail(r, VG_EINVAL, vp,
                                     "%s: status must be affected, unaffected or unknown",
                                     "version");
            if (GROW(r, versions, nversions, cap_versions) < 0)
                return VG_ENOMEM;
            struct vg_affected_version *av = &r->versions[r->nversions++];
            memset(av, 0, sizeof *av);
            av->version = vuln_rec_str(r, ver, strlen(ver));
            if (lt || lte) {
                const char *b = lte ? lte : lt;
                av->less_than = vuln_rec_str(r, b, strnlen(b, VG_MAX_VERSION));
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
    struct vuln_rec *r = vuln_rec_new(d, ptr, VG_VULN_CVE5);
    if (!r) {
        vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
        return NULL;
    }
    if (!json_is_object(rec)) {
        vuln_rec_fail(r, VG_EINVAL, "", "%s: not an object", "CVE record");
        goto bad;
    }
    json_t *meta = json_object_get(rec, "cveMetadata");
    if (!json_is_object(meta)) {
        vuln_rec_fail(r, VG_EINVAL, "/cveMetadata", "%s: missing or not an object", "cveMetadata");
        goto bad;
    }
    bool bad = false;
    const char *cid = vuln_json_str_member(meta, "cveId", &bad);
    if (!cid && !bad) /* drafts of the 5.0 format said "id" */
        cid = vuln_json_str_member(meta, "id", &bad);
    if (vuln_rec_set_id(r, cid, "/cveMetadata/cveId") < 0)
        goto bad;
    const char *state = vuln_json_str_member(meta, "state", &bad);
    const char *upd = vuln_json_str_member(meta, "dateUpdated", &bad);
    if (!upd && !bad)
        upd = vuln_json_str_member(meta, "updated", &bad);
    const char *pub = vuln_json_str_member(meta, "datePublished", &bad);
    if (bad || !state) {
        vuln_rec_fail(r, VG_EINVAL, "/cveMetadata/state", "%s: missing, or a date not a string",
                      "state");
        goto bad;
    }
    if (strcmp(state, "PUBLISHED") && strcmp(state, "REJECTED")) {
        vuln_rec_fail(r, VG_EINVAL, "/cveMetadata/state", "%s: must be PUBLISHED or REJECTED",
                      "state");
        goto bad;
    }
    r->v->rejected = strcmp(state, "REJECTED") == 0;
    vuln_copy_field(r->v->modified, sizeof r->v->modified, upd ? upd : pub);
    vuln_copy_field(r->v->published, sizeof r->v->published, pub);
    json_t *cont = json_object_get(rec, "containers");
    if (!cont && r->v->rejected) /* a rejected id may carry nothing else */
        return vuln_rec_finish(r, rec, keep_json);
    if (!json_is_object(cont)) {
        vuln_rec_fail(r, VG_EINVAL, "/containers", "%s: missing or not an object", "containers");
        goto bad;
    }
    json_t *cna = json_object_get(cont, "cna");
    if (!json_is_object(cna)) {
        vuln_rec_fail(r, VG_EINVAL, "/containers/cna", "%s: missing or not an object", "cna");
        goto bad;
    }
    vuln_rec_description(r, json_object_get(cna, "descriptions"));
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
                vuln_add_cwe(r, &cw,
                             json_string_value(json_object_get(json_array_get(ds, k), "cweId")));
        }
        if (cw.len)
            r->v->cwes = vuln_rec_str(r, cw.data, cw.len);
        vg_buf_cleanup(&cw);
    }
    return vuln_rec_finish(r, rec, keep_json);
bad:
    vuln_rec_drop(r);
    return NULL;
}

int vuln_read_cve5(struct vg_vuln_set *s, const json_t *doc, const char *name,
                   const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d)
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
        unsigned long before = vg_mem_thread_failures();
        struct vg_vuln *v = vg_feed_parse_cve5(rec, ptr, o && o->keep_json, &rd);
        if (vg_mem_thread_failures() != before) {
            /* an allocation that failed is not a bad record: the whole read fails (it was
             * counted rejected, the import answering 0 with a record missing) */
            vg_vuln_free(v);
            return vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
        }
        if (!v) {
            vuln_feed_report(o, name, &rd, st);
            continue;
        }
        if (vuln_feed_put(s, v, st) < 0)
            return vg_diag_set(d, VG_ENOMEM, ptr, "out of memory");
    }
    return 0;
}
