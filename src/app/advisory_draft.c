/* POST /api/v1/advisories/draft-from-cves (app/advisory.h): a draft avis pre-filled from what
 * the technology watch stored for some CVEs — the products and versions their records name
 * (NVD configurations, CVE 5 "affected"), CVSS, KEV status, references — and the constituents
 * the findings say they concern, kept in "internal", never in what is published. */
#include "app/advisory.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "advisory/model.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"

#define DRAFT_MAX_CVES 100 /* CVEs in one draft-from-cves */

/* Field n (0-based, after "cpe:2.3:") of a CPE formatted string into out, unquoted; "" when
 * missing. */
static void cpe_field(const char *cpe, int n, char *out, size_t cap)
{
    const char *p = cpe + 8;
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        while (*p && *p != ':')
            p += (*p == '\\' && p[1]) ? 2 : 1;
        if (!*p)
            return;
        p++;
    }
    while (*p && *p != ':' && len + 1 < cap) {
        if (*p == '\\' && p[1])
            p++;
        out[len++] = *p++;
    }
    out[len] = '\0';
}

/* The length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Drops an incomplete UTF-8 sequence at the end of s (a cut made by snprintf). */
static void trim_utf8(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (i - 1) < need)
        s[i - 1] = '\0';
}

/* Adds {vendor, product, versions, cpe?, fixed?} to systems unless the same one is there. */
static void add_system(json_t *systems, const char *vendor, const char *product,
                       const char *versions, const char *cpe, const char *fixed)
{
    if (!vendor[0] || !product[0] || json_array_size(systems) >= VG_MAX_LIST)
        return;
    size_t i;
    json_t *s;
    json_array_foreach(systems, i, s) {
        if (strcmp(vg_json_str(s, "vendor"), vendor) == 0 &&
            strcmp(vg_json_str(s, "product"), product) == 0 &&
            strcmp(vg_json_str(s, "versions"), versions) == 0)
            return;
    }
    s = json_pack("{s:s%,s:s%,s:s%}", "vendor", vendor, utf8_cut(vendor, VG_MAX_NAME), "product",
                  product, utf8_cut(product, VG_MAX_NAME), "versions", versions,
                  utf8_cut(versions, VG_MAX_NAME));
    if (!s)
        return;
    if (cpe && vg_advisory_cpe_ok(cpe))
        json_object_set_new(s, "cpe", json_string(cpe));
    if (fixed && fixed[0])
        json_object_set_new(s, "fixed", json_stringn(fixed, utf8_cut(fixed, VG_MAX_NAME)));
    json_array_append_new(systems, s);
}

/* Appends "op value" to a versions text. */
static void add_bound(char *out, size_t cap, const char *op, const char *v)
{
    if (!v || !v[0])
        return;
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s%s %s", len ? ", " : "", op, v);
}

/* The systems named by an NVD cve object's configurations. */
static void nvd_systems(const json_t *cve, json_t *systems)
{
    size_t i, j, k;
    json_t *conf, *node, *m;
    json_array_foreach(json_object_get(cve, "configurations"), i, conf) {
        json_array_foreach(json_object_get(conf, "nodes"), j, node) {
            json_array_foreach(json_object_get(node, "cpeMatch"), k, m) {
                const char *crit = vg_json_str(m, "criteria");
                if (!crit || !json_is_true(json_object_get(m, "vulnerable")) ||
                    strncmp(crit, "cpe:2.3:", 8) != 0)
                    continue;
                char vendor[VG_MAX_NAME], product[VG_MAX_NAME], version[VG_MAX_NAME];
                char versions[VG_MAX_NAME] = "";
                cpe_field(crit, 1, vendor, sizeof vendor);
                cpe_field(crit, 2, product, sizeof product);
                cpe_field(crit, 3, version, sizeof version);
                add_bound(versions, sizeof versions, ">=", vg_json_str(m, "versionStartIncluding"));
                add_bound(versions, sizeof versions, ">", vg_json_str(m, "versionStartExcluding"));
                add_bound(versions, sizeof versions, "<", vg_json_str(m, "versionEndExcluding"));
                add_bound(versions, sizeof versions, "<=", vg_json_str(m, "versionEndIncluding"));
                if (!versions[0])
                    snprintf(versions, sizeof versions, "%s",
                             strcmp(version, "*") == 0 || strcmp(version, "-") == 0 ? "all versions"
                                                                                    : version);
                add_system(systems, vendor, product, versions, crit,
                           vg_json_str(m, "versionEndExcluding"));
            }
        }
    }
}

/* The systems named by a CVE 5 record's CNA container. */
static void cve5_systems(const json_t *rec, json_t *systems)
{
    const json_t *cna = json_object_get(json_object_get(rec, "containers"), "cna");
    size_t i, j;
    json_t *a, *v;
    json_array_foreach(json_object_get(cna, "affected"), i, a) {
        const char *vendor = vg_json_str(a, "vendor"), *product = vg_json_str(a, "product");
        if (!vendor || !product)
            continue;
        char versions[VG_MAX_NAME] = "";
        const char *fixed = NULL;
        json_array_foreach(json_object_get(a, "versions"), j, v) {
            const char *status = vg_json_str(v, "status");
            if (status && strcmp(status, "affected") != 0)
                continue;
            const char *lt = vg_json_str(v, "lessThan"), *le = vg_json_str(v, "lessThanOrEqual");
            const char *ver = vg_json_str(v, "version");
            if (lt || le) {
                if (ver && strcmp(ver, "0") != 0 && strcmp(ver, "*") != 0)
                    add_bound(versions, sizeof versions, ">=", ver);
                add_bound(versions, sizeof versions, lt ? "<" : "<=", lt ? lt : le);
                if (lt && !fixed)
                    fixed = lt;
            } else if (ver) {
                add_bound(versions, sizeof versions, "=", ver);
            }
        }
        add_system(systems, vendor, product, versions[0] ? versions : "all versions", NULL, fixed);
    }
}

/* Adds the http(s) references of a record, once each. */
static void add_references(const json_t *refs, json_t *out, json_t *seen)
{
    size_t i, j;
    json_t *r, *tag;
    json_array_foreach(refs, i, r) {
        const char *url = vg_json_str(r, "url");
        if (!url || json_object_get(seen, url) || json_array_size(out) >= VG_MAX_LIST)
            continue;
        json_t *one = json_pack("[{s:s}]", "url", url), *checked = NULL;
        struct vg_diag d;
        bool vendor = false;
        json_array_foreach(json_object_get(r, "tags"), j, tag)
            vendor = vendor || (json_is_string(tag) &&
                                strcmp(json_string_value(tag), "Vendor Advisory") == 0);
        json_t *body = json_pack("{s:s,s:s,s:o}", "kind", "avis", "title", "x", "references", one);
        if (vg_advisory_check(body, false, &checked, &d) == 0) {
            json_t *ref = json_pack("{s:s}", "url", url);
            if (vendor)
                json_object_set_new(ref, "vendor", json_true());
            json_array_append_new(out, ref);
            json_object_set_new(seen, url, json_true());
        }
        json_decref(checked);
        json_decref(body);
    }
}

/* The CVSS vector of an NVD cve object's primary metric of the highest version. */
static const char *nvd_vector(const json_t *cve)
{
    static const char *const keys[] = {"cvssMetricV40", "cvssMetricV31", "cvssMetricV30"};
    const json_t *metrics = json_object_get(cve, "metrics");
    for (size_t i = 0; i < 3; i++) {
        const json_t *m = json_array_get(json_object_get(metrics, keys[i]), 0);
        const char *v = vg_json_str(json_object_get(m, "cvssData"), "vectorString");
        if (v && strlen(v) <= VG_MAX_NAME)
            return v;
    }
    return NULL;
}

/* The English description of a record (NVD or CVE 5), or NULL. */
static const char *description_of(const json_t *rec)
{
    const json_t *descs = json_object_get(rec, "descriptions");
    if (!descs)
        descs = json_object_get(json_object_get(json_object_get(rec, "containers"), "cna"),
                                "descriptions");
    size_t i;
    json_t *d;
    json_array_foreach(descs, i, d) {
        const char *lang = vg_json_str(d, "lang");
        if (lang && strncasecmp(lang, "en", 2) == 0)
            return vg_json_str(d, "value");
    }
    return NULL;
}

/* Merges the findings of one CVE (v's "affected": [{org, name, assets}]) into constituents. */
static void add_findings(json_t *constituents, const char *cve, const json_t *affected)
{
    size_t i, j;
    json_t *a, *c;
    json_array_foreach(affected, i, a) {
        json_t *found = NULL;
        json_array_foreach(constituents, j, c) {
            if (json_equal(json_object_get(c, "org"), json_object_get(a, "org")))
                found = c;
        }
        if (!found) {
            found = json_pack("{s:O,s:O,s:[]}", "org", json_object_get(a, "org"), "name",
                              json_object_get(a, "name"), "findings");
            json_array_append_new(constituents, found);
        }
        json_array_append_new(json_object_get(found, "findings"),
                              json_pack("{s:s,s:O}", "cve", cve, "assets",
                                        json_object_get(a, "assets")));
    }
}

/* Reads the stored data of CVE id into the draft's parts. */
static void add_cve(const json_t *v, const char *id, json_t *cves, json_t *systems, json_t *refs,
                    json_t *seen, struct vg_buf *summary, json_t *constituents)
{
    json_t *c = json_pack("{s:s,s:b}", "id", id, "kev", !json_is_null(json_object_get(v, "kev")));
    const json_t *score = json_object_get(json_object_get(v, "cvss"), "score");
    if (json_is_number(score))
        json_object_set_new(c, "cvss", json_real(json_number_value(score)));
    const char *desc = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(v, "records"), i, r) {
        const json_t *rec = json_object_get(r, "record");
        const char *source = vg_json_str(r, "source");
        if (source && strcmp(source, "nvd") == 0) {
            nvd_systems(rec, systems);
            add_references(json_object_get(rec, "references"), refs, seen);
            const char *vec = nvd_vector(rec);
            if (vec && !json_object_get(c, "cvss_vector"))
                json_object_set_new(c, "cvss_vector", json_string(vec));
        } else {
            cve5_systems(rec, systems);
            add_references(json_object_get(json_object_get(json_object_get(rec, "containers"),
                                                           "cna"),
                                           "references"),
                           refs, seen);
        }
        if (!desc)
            desc = description_of(rec);
    }
    if (!desc || !desc[0])
        desc = vg_json_str(v, "description");
    vg_buf_printf(summary, "- **%s**%s%s%s\n", id,
                  json_is_null(json_object_get(v, "kev"))
                      ? ""
                      : " (exploitée : catalogue KEV de la CISA)",
                  desc && desc[0] ? " : " : "", desc ? desc : "");
    json_array_append_new(cves, c);
    add_findings(constituents, id, json_object_get(v, "affected"));
}

int vg_advisory_draft_from_cves(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                                json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"cves", NULL};
    *out = NULL;
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object {\"cves\": [...]}");
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (rc)
        return rc;
    const json_t *ids = json_object_get(in, "cves");
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return vg_diag_set(d, VG_EINVAL, "/cves", "/cves must be a non-empty array of CVE ids");
    if (json_array_size(ids) > DRAFT_MAX_CVES)
        return vg_diag_set(d, VG_ETOOBIG, "/cves", "/cves has more than %d ids", DRAFT_MAX_CVES);
    json_t *cves = json_array(), *systems = json_array(), *refs = json_array();
    json_t *seen = json_object(), *seen_ids = json_object(), *constituents = json_array();
    json_t *body = NULL, *content = NULL, *rec = NULL, *internal = NULL;
    unsigned long before = vg_mem_thread_failures();
    struct vg_buf summary;
    vg_buf_init(&summary, VG_ADV_MAX_TEXT);
    size_t i;
    json_t *idv;
    json_array_foreach(ids, i, idv) {
        char ptr[32], id[32];
        snprintf(ptr, sizeof ptr, "/cves/%zu", i);
        const char *s = json_string_value(idv);
        if (!s || !vg_advisory_cve_ok(s) || strlen(s) >= sizeof id) {
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s must be a CVE id (CVE-YYYY-NNNN)", ptr);
            goto out;
        }
        for (size_t k = 0; k <= strlen(s); k++)
            id[k] = (char)(s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]);
        if (json_object_get(seen_ids, id)) {
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s: %s is given twice", ptr, id);
            goto out;
        }
        json_object_set_new(seen_ids, id, json_true());
        json_t *v = NULL;
        rc = vg_store_vuln_get(st, id, &v);
        if (rc) {
            rc = rc == VG_ENOENT
                     ? vg_diag_set(d, VG_ENOENT, ptr,
                                   "%s: %s is not in the technology watch's store (import the "
                                   "feeds first: vigie vuln import)",
                                   ptr, id)
                     : vg_diag_set(d, rc, "", "cannot read %s", id);
            goto out;
        }
        add_cve(v, id, cves, systems, refs, seen, &summary, constituents);
        json_decref(v);
    }
    char title[VG_ADV_MAX_TITLE];
    const json_t *first = json_array_get(systems, 0);
    if (first)
        snprintf(title, sizeof title, "%s dans %s %s",
                 json_array_size(ids) > 1 ? "Multiples vulnérabilités" : "Vulnérabilité",
                 vg_json_str(first, "vendor"), vg_json_str(first, "product"));
    else
        snprintf(title, sizeof title, "%s %s%s",
                 json_array_size(ids) > 1 ? "Multiples vulnérabilités :" : "Vulnérabilité",
                 vg_json_str(json_array_get(cves, 0), "id"),
                 json_array_size(ids) > 1 ? ", ..." : "");
    trim_utf8(title); /* snprintf may have cut a character */
    body = json_pack("{s:s,s:s,s:s,s:O,s:O,s:O}", "kind", "avis", "title", title, "tlp", "AMBER",
                     "cves", cves, "affected_systems", systems, "references", refs);
    if (summary.len > 0)
        json_object_set_new(body, "summary", json_string(summary.data));
    if ((rc = vg_advisory_check(body, false, &content, d)) != 0)
        goto out;
    internal = json_pack("{s:O}", "constituents", constituents);
    if (!internal || vg_mem_thread_failures() != before) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    /* the draft and its answer together: an answer that fails leaves nothing written */
    if ((rc = vg_store_tx_begin(st, d)) != 0)
        goto out;
    rc = vg_store_advisory_create(st, who, content, vg_adv_kind_code(VG_ADV_AVIS), vg_time_year(),
                                  internal, &rec, d);
    if (rc == 0)
        rc = vg_advisory_get(st, vg_json_str(rec, "ref"), out, d);
    json_decref(rec);
    if (rc == 0)
        rc = vg_store_tx_commit(st, d);
    else
        vg_store_tx_rollback(st);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
out:
    vg_buf_cleanup(&summary);
    json_decref(cves);
    json_decref(systems);
    json_decref(refs);
    json_decref(seen);
    json_decref(seen_ids);
    json_decref(constituents);
    json_decref(body);
    json_decref(content);
    json_decref(internal);
    return rc;
}
