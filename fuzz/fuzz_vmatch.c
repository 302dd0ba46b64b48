/* libFuzzer target of the CPE matcher (src/vuln/vmatch.c, vindex.c) as a differential target:
 * the input is decoded into a small inventory of CPE 2.3 assets and a few NVD and CVE 5
 * records (version ranges versionStart/End Including/Excluding, lessThan/lessThanOrEqual,
 * AND/OR configurations and nodes, negate, "running on" criteria, wildcards in criteria,
 * product names as CVE 5 writes them), read by the feed parsers; then four ways of matching
 * must give the same findings (asset, CVE, priority, scores):
 *  - the full re-match through the criteria index (vg_vmatch_all),
 *  - the straightforward matcher, criterion by criterion (vg_vmatch_naive),
 *  - each CVE on its own, as after its import (vg_vmatch_vuln),
 *  - each asset on its own, as after it is added (vg_vmatch_asset). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/feed.h"
#include "vuln/vmatch.h"
#include "fuzz_reader.h"

#define PICK(r, a) (a)[next(r) % (sizeof(a) / sizeof(a)[0])]

static const char *const parts[] = {"a", "o", "h", "a"};
static const char *const vendors[] = {"acme", "apache", "example\\.org", "acme"};
static const char *const products[] = {"web", "http_server", "lib", "web"};
static const char *const versions[] = {"1.0",   "1.0.5", "2",       "2.4.49", "2.4.50", "10.1",
                                       "1.0.0", "2.4",   "1.0-rc1", "-",      "1.0.5a", "0"};
static const char *const crit_versions[] = {"*", "*", "-", "1.0", "2.4.*", "2.4.49", "1.*", "?.0"};
static const char *const crit_vendors[] = {"acme", "apache", "example\\.org", "*", "ac*"};
static const char *const crit_products[] = {"web", "http_server", "lib", "*", "http_*"};
static const char *const updates[] = {"*", "*", "*", "-", "sp1"};
static const char *const targets[] = {"*", "*", "*", "linux", "windows"};
static const char *const bounds[] = {"versionStartIncluding", "versionStartExcluding",
                                     "versionEndIncluding", "versionEndExcluding"};
/* CVE 5 names: the product-name key makes "Example.org" and "example\.org" one vendor. */
static const char *const cve5_vendors[] = {"Acme", "ACME", "Apache", "Example.org", "apache "};
static const char *const cve5_products[] = {"Web", "HTTP Server", "http_server", "Lib!", "lib"};

static json_t *gen_match(struct reader *r)
{
    char cpe[256];
    const char *part = (next(r) & 7) == 0 ? "*" : PICK(r, parts);
    snprintf(cpe, sizeof cpe, "cpe:2.3:%s:%s:%s:%s:%s:*:*:*:%s:*:*", part, PICK(r, crit_vendors),
             PICK(r, crit_products), PICK(r, crit_versions), PICK(r, updates), PICK(r, targets));
    json_t *m = json_pack("{s:b,s:s,s:s}", "vulnerable", (next(r) & 3) != 0, "criteria", cpe,
                          "matchCriteriaId", "00000000-0000-0000-0000-000000000000");
    unsigned b = next(r);
    for (int i = 0; i < 4; i++)
        if (b & (1u << i))
            json_object_set_new(m, bounds[i], json_string(PICK(r, versions)));
    return m;
}

static json_t *gen_nvd(struct reader *r, const char *id)
{
    json_t *configs = json_array();
    unsigned nc = 1 + next(r) % 2;
    for (unsigned c = 0; c < nc; c++) {
        json_t *nodes = json_array();
        unsigned nn = 1 + next(r) % 3;
        for (unsigned n = 0; n < nn; n++) {
            json_t *ms = json_array();
            unsigned nm = 1 + next(r) % 3;
            for (unsigned m = 0; m < nm; m++)
                json_array_append_new(ms, gen_match(r));
            unsigned f = next(r);
            json_array_append_new(nodes,
                                  json_pack("{s:s,s:b,s:o}", "operator", f & 1 ? "AND" : "OR",
                                            "negate", (f & 6) == 6, "cpeMatch", ms));
        }
        json_t *conf = json_pack("{s:o}", "nodes", nodes);
        unsigned f = next(r) % 3;
        if (f)
            json_object_set_new(conf, "operator", json_string(f == 1 ? "AND" : "OR"));
        json_array_append_new(configs, conf);
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:{s:[{s:s,s:s,s:{s:s,s:f,s:s}}]}}", "id", id,
                     "published", "2024-01-01T00:00:00.000", "lastModified",
                     "2024-01-02T00:00:00.000", "vulnStatus", "Analyzed", "configurations", configs,
                     "metrics", "cvssMetricV31", "source", "nvd@nist.gov", "type", "Primary",
                     "cvssData", "version", "3.1", "baseScore", (double)(next(r) % 101) / 10.0,
                     "baseSeverity", "HIGH");
}

static json_t *gen_cve5(struct reader *r, const char *id)
{
    json_t *affected = json_array();
    unsigned na = 1 + next(r) % 2;
    for (unsigned a = 0; a < na; a++) {
        json_t *vs = json_array();
        unsigned nv = next(r) % 4;
        for (unsigned v = 0; v < nv; v++) {
            unsigned f = next(r);
            json_t *e = json_pack("{s:s,s:s}", "version", (f & 8) ? "0" : PICK(r, versions),
                                  "status", (f & 3) == 3 ? "unaffected" : "affected");
            if (f & 0x30) {
                json_object_set_new(e, (f & 0x10) ? "lessThan" : "lessThanOrEqual",
                                    json_string((f & 0x40) ? "*" : PICK(r, versions)));
                json_object_set_new(e, "versionType", json_string("semver"));
            }
            json_array_append_new(vs, e);
        }
        unsigned f = next(r);
        json_array_append_new(affected,
                              json_pack("{s:s,s:s,s:s,s:o}", "vendor", PICK(r, cve5_vendors),
                                        "product", PICK(r, cve5_products), "defaultStatus",
                                        (f & 3) == 0 ? "affected" : "unaffected", "versions", vs));
    }
    return json_pack("{s:s,s:s,s:{s:s,s:s,s:s,s:s},s:{s:{s:o}}}", "dataType", "CVE_RECORD",
                     "dataVersion", "5.1", "cveMetadata", "cveId", id, "state", "PUBLISHED",
                     "datePublished", "2024-02-01T00:00:00.000Z", "dateUpdated",
                     "2024-02-02T00:00:00.000Z", "containers", "cna", "affected", affected);
}

struct key {
    uint32_t asset, entry;
    float cvss, epss;
    uint8_t tier;
};

static int cmp_key(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    if (x->asset != y->asset)
        return x->asset < y->asset ? -1 : 1;
    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    return 0;
}

/* The findings as sorted keys; duplicates are a defect of their own. */
static struct key *keys_of(const struct vg_findings *f, const char *how)
{
    struct key *k = malloc((f->n ? f->n : 1) * sizeof *k);
    for (size_t i = 0; i < f->n; i++)
        k[i] = (struct key){f->v[i].asset, f->v[i].entry, f->v[i].cvss, f->v[i].epss, f->v[i].tier};
    qsort(k, f->n, sizeof *k, cmp_key);
    for (size_t i = 1; i < f->n; i++)
        if (cmp_key(&k[i - 1], &k[i]) == 0) {
            fprintf(stderr, "%s: finding (asset %u, entry %u) twice\n", how, k[i].asset,
                    k[i].entry);
            abort();
        }
    return k;
}

static void dump(const char *how, const struct key *k, size_t n, const struct vg_vuln_set *s,
                 const struct vg_inventory *inv)
{
    fprintf(stderr, "%s:\n", how);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %s %s tier %u\n", vg_inventory_cpe(inv, k[i].asset),
                vg_vuln_set_at(s, k[i].entry)->nvd ? vg_vuln_set_at(s, k[i].entry)->nvd->id
                                                   : vg_vuln_set_at(s, k[i].entry)->cve5->id,
                k[i].tier);
}

static void same(const char *how, const struct vg_findings *a, const struct vg_findings *b,
                 const struct vg_vuln_set *s, const struct vg_inventory *inv, json_t *doc)
{
    struct key *x = keys_of(a, "full re-match"), *y = keys_of(b, how);
    bool eq = a->n == b->n;
    for (size_t i = 0; eq && i < a->n; i++)
        eq = cmp_key(&x[i], &y[i]) == 0 && x[i].tier == y[i].tier &&
             memcmp(&x[i].cvss, &y[i].cvss, sizeof x[i].cvss) == 0 &&
             memcmp(&x[i].epss, &y[i].epss, sizeof x[i].epss) == 0;
    if (!eq) {
        char *j = json_dumps(doc, JSON_INDENT(1));
        fprintf(stderr, "records:\n%s\n", j);
        free(j);
        fprintf(stderr, "assets:\n");
        for (size_t i = 0; i < vg_inventory_count(inv); i++)
            fprintf(stderr, "  %zu %s\n", i, vg_inventory_cpe(inv, i));
        dump("full re-match (index)", x, a->n, s, inv);
        dump(how, y, b->n, s, inv);
        abort();
    }
    free(x);
    free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = {data, size};
    struct vg_inventory *inv = vg_inventory_new();
    unsigned na = 1 + next(&r) % 6;
    for (unsigned i = 0; i < na; i++) {
        char cpe[256];
        snprintf(cpe, sizeof cpe, "cpe:2.3:%s:%s:%s:%s:%s:*:*:*:%s:*:*", PICK(&r, parts),
                 PICK(&r, vendors), PICK(&r, products), PICK(&r, versions), PICK(&r, updates),
                 PICK(&r, targets));
        struct vg_diag d;
        vg_inventory_add(inv, (next(&r) & 1) ? VG_STR("1") : VG_STR("2"), vg_str_c(cpe), &d);
    }
    struct vg_vuln_set *s = vg_vuln_set_new();
    json_t *doc = json_array();
    unsigned nr = 1 + next(&r) % 4;
    for (unsigned i = 0; i < nr; i++) {
        char id[32];
        unsigned f = next(&r);
        snprintf(id, sizeof id, "CVE-2024-%04u", 1 + (f >> 2) % 3);
        struct vg_diag d;
        json_t *rec = (f & 3) == 3 ? gen_cve5(&r, id) : gen_nvd(&r, id);
        struct vg_vuln *v = (f & 3) == 3 ? vg_feed_parse_cve5(rec, "", false, &d)
                                         : vg_feed_parse_nvd(rec, "", false, &d);
        json_array_append_new(doc, rec);
        if (v && vg_vuln_set_put(s, v) < 0)
            abort();
        if ((f & 0x80) && vg_vuln_set_count(s) > 0) {
            struct vg_kev k = {"2024-03-01", "", (f & 0x40) != 0, "", ""};
            vg_vuln_set_put_kev(s, vg_vuln_set_at(s, 0)->key, &k);
        }
        if ((f & 0x20) && vg_vuln_set_count(s) > 0)
            vg_vuln_set_put_epss(s, vg_vuln_set_at(s, vg_vuln_set_count(s) - 1)->key,
                                 (float)(next(&r) % 11) / 100.0f, 0.5f);
    }
    struct vg_vindex *ix = vg_vindex_build(s);
    if (!ix)
        abort();
    struct vg_findings all, naive, each, assets;
    vg_findings_init(&all);
    vg_findings_init(&naive);
    vg_findings_init(&each);
    vg_findings_init(&assets);
    size_t n = vg_vuln_set_count(s);
    if (vg_vmatch_all(ix, s, inv, &all) != 0 || vg_vmatch_naive(s, 0, n, inv, &naive) != 0)
        abort();
    for (size_t e = 0; e < n; e++)
        if (vg_vmatch_vuln(s, e, inv, &each) != 0)
            abort();
    for (size_t a = 0; a < vg_inventory_count(inv); a++)
        if (vg_vmatch_asset(ix, s, inv, a, &assets) != 0)
            abort();
    same("straightforward matcher", &all, &naive, s, inv, doc);
    same("each CVE on its own", &all, &each, s, inv, doc);
    same("each asset on its own", &all, &assets, s, inv, doc);
    if (getenv("FUZZ_VMATCH_COUNT")) /* how many findings a corpus gives, to tune the decoder */
        fprintf(stderr, "findings %zu of %zu assets x %zu CVEs\n", all.n, vg_inventory_count(inv),
                n);
    vg_findings_sort(&all, s);
    for (size_t i = 1; i < all.n; i++) /* priority order: tier first */
        if (all.v[i - 1].tier > all.v[i].tier)
            abort();
    json_decref(doc);
    vg_findings_cleanup(&all);
    vg_findings_cleanup(&naive);
    vg_findings_cleanup(&each);
    vg_findings_cleanup(&assets);
    vg_vindex_free(ix);
    vg_vuln_set_free(s);
    vg_inventory_free(inv);
    return 0;
}
