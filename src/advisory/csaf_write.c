/* The CSAF 2.0 writer (advisory/csaf.h): a published advisory as a CSAF document, built so
 * that it passes the schema and the mandatory tests of section 6.1 (profile tests 6.1.27.x of
 * csaf_security_advisory included), and the same advisory always gives the same document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "advisory/csaf.h"
#include "advisory/cvss.h"
#include "advisory/link.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/time.h"

#define TLP_URL "https://www.first.org/tlp/"

/* A leaf of the product tree: a version (range) of a product, which gets a product id. */
struct leaf {
    size_t product;       /* index in w.products */
    bool range;           /* product_version_range (else product_version) */
    const char *name;     /* the branch's name: the versions as published, or a vers string */
    char *own;            /* name when the writer built it (a vers string), else NULL */
    const char *versions; /* the text for the product's full name */
    const char *cpe;      /* the first CPE given for it, or NULL */
    bool affected, fixed;
    size_t system; /* the first system that made it (for the error message) */
    int id;        /* CSAFPID-<id>, numbered in the tree's order */
};

struct product {
    size_t vendor;
    const char *name;
};

struct w {
    const struct vg_advisory *a;
    const struct vg_adv_site *site;
    bool en;
    struct vg_diag *d;
    const char **vendors;
    size_t nvendors;
    struct product *products;
    size_t nproducts;
    struct leaf *leaves;
    size_t nleaves;
    json_t *affected; /* product ids, tree order */
    json_t *fixed;
    struct vg_cvss *cvss; /* per CVE, its parsed vector (version 0: none CSAF can hold) */
    double *score;        /* per CVE, the base score of that vector */
};

static bool empty(const char *s)
{
    return !s || !*s;
}

/* The texts of the document in its language. */
static const char *tr(const struct w *w, const char *fr, const char *en)
{
    return w->en ? en : fr;
}

static json_t *str(const char *s)
{
    return json_string(s ? s : "");
}

/* "2026-03-02T09:30:00Z" from any RFC 3339 date of the model; -1 if it is not one. */
static int norm_date(const char *s, char out[VG_TIME_LEN])
{
    time_t t;
    if (!s || vg_time_parse(s, &t) != 0)
        return -1;
    vg_time_fmt(t, out);
    return 0;
}

/* A version as one token that may be a product_version branch: no space, no range word
 * (section 6.1.31: <, <=, >, >=, after, all, before, earlier, later, prior, versions). */
static bool single_version(const char *s)
{
    static const char *const words[] = {"after", "all",   "before",  "earlier",
                                        "later", "prior", "versions"};
    if (empty(s) || strlen(s) > VG_MAX_VERSION)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == '+' || c == '~' || c == ':'))
            return false;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasestr(s, words[i]))
            return false;
    return true;
}

/* Reads one comparison "<op> <version>" at *p: its operator and version span. */
static bool read_cmp(const char **p, const char **op, size_t *oplen, const char **ver, size_t *vlen)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    *op = s;
    if (*s == '<' || *s == '>')
        s += s[1] == '=' ? 2 : 1;
    else
        return false;
    *oplen = (size_t)(s - *op);
    while (*s == ' ')
        s++;
    *ver = s;
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
           *s == '.' || *s == '-' || *s == '_' || *s == '+' || *s == '~')
        s++;
    *vlen = (size_t)(s - *ver);
    if (*vlen == 0)
        return false;
    while (*s == ' ')
        s++;
    *p = s;
    return true;
}

/* The vers form (github.com/package-url/purl-spec, VERSION-RANGE-SPEC) of a range, built only
 * when it says exactly the same: "< 1.10.3" -> "vers:generic/<1.10.3", ">= 2.0, < 2.4.58"
 * -> "vers:generic/>=2.0|<2.4.58" (a lower bound then an upper one). NULL otherwise. */
static char *vers_of(const char *s)
{
    const char *p = s, *op1, *v1, *op2 = NULL, *v2 = NULL;
    size_t ol1, vl1, ol2 = 0, vl2 = 0;
    if (!read_cmp(&p, &op1, &ol1, &v1, &vl1))
        return NULL;
    if (*p) {
        if (*p == ',')
            p++;
        if (!read_cmp(&p, &op2, &ol2, &v2, &vl2) || *p)
            return NULL;
        if (op1[0] != '>' || op2[0] != '<') /* lower bound first, then upper */
            return NULL;
    }
    size_t n = sizeof "vers:generic/" + ol1 + vl1 + 1 + ol2 + vl2;
    char *out = vg_malloc(n);
    if (!out)
        return NULL;
    if (op2)
        snprintf(out, n, "vers:generic/%.*s%.*s|%.*s%.*s", (int)ol1, op1, (int)vl1, v1, (int)ol2,
                 op2, (int)vl2, v2);
    else
        snprintf(out, n, "vers:generic/%.*s%.*s", (int)ol1, op1, (int)vl1, v1);
    return out;
}

static size_t find_vendor(struct w *w, const char *name)
{
    for (size_t i = 0; i < w->nvendors; i++)
        if (strcmp(w->vendors[i], name) == 0)
            return i;
    w->vendors[w->nvendors] = name;
    return w->nvendors++;
}

static size_t find_product(struct w *w, size_t vendor, const char *name)
{
    for (size_t i = 0; i < w->nproducts; i++)
        if (w->products[i].vendor == vendor && strcmp(w->products[i].name, name) == 0)
            return i;
    w->products[w->nproducts] = (struct product){vendor, name};
    return w->nproducts++;
}

/* The leaf of that product and versions text, made on first sight. NULL: out of memory. */
static struct leaf *find_leaf(struct w *w, size_t product, const char *versions, size_t system)
{
    char *own = NULL;
    bool range = !single_version(versions);
    const char *name = versions;
    if (range) {
        own = vers_of(versions);
        if (own)
            name = own;
    }
    for (size_t i = 0; i < w->nleaves; i++) {
        struct leaf *l = &w->leaves[i];
        if (l->product == product && l->range == range && strcmp(l->name, name) == 0) {
            free(own);
            return l;
        }
    }
    struct leaf *l = &w->leaves[w->nleaves++];
    *l = (struct leaf){.product = product,
                       .range = range,
                       .name = name,
                       .own = own,
                       .versions = versions,
                       .system = system};
    return l;
}

static void free_tree(struct w *w)
{
    for (size_t i = 0; i < w->nleaves; i++)
        free(w->leaves[i].own);
    free(w->cvss);
    free(w->score);
    free(w->vendors);
    free(w->products);
    free(w->leaves);
    json_decref(w->affected);
    json_decref(w->fixed);
}

/* Sorts the systems into vendors, products and leaves; checks what a product tree needs. */
static int plan_tree(struct w *w)
{
    const struct vg_advisory *a = w->a;
    size_t n = a->nsystems;
    w->vendors = vg_calloc(n ? n : 1, sizeof *w->vendors);
    w->products = vg_calloc(n ? n : 1, sizeof *w->products);
    w->leaves = vg_calloc(n ? 2 * n : 1, sizeof *w->leaves);
    w->affected = json_array();
    w->fixed = json_array();
    if (!w->vendors || !w->products || !w->leaves || !w->affected || !w->fixed)
        return vg_diag_set(w->d, VG_ENOMEM, "", "out of memory");
    char field[64];
    for (size_t i = 0; i < n; i++) {
        const struct vg_adv_system *s = &a->systems[i];
        if (empty(s->vendor)) {
            snprintf(field, sizeof field, "/affected_systems/%zu/vendor", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "an affected system names no vendor");
        }
        if (empty(s->product)) {
            snprintf(field, sizeof field, "/affected_systems/%zu/product", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "an affected system names no product");
        }
        size_t v = find_vendor(w, s->vendor);
        size_t p = find_product(w, v, s->product);
        const char *versions =
            empty(s->versions) ? tr(w, "toutes versions", "all versions") : s->versions;
        struct leaf *l = find_leaf(w, p, versions, i);
        if (!l)
            return vg_diag_set(w->d, VG_ENOMEM, "", "out of memory");
        l->affected = true;
        if (!l->cpe && !empty(s->cpe))
            l->cpe = s->cpe;
        if (l->fixed) {
            snprintf(field, sizeof field, "/affected_systems/%zu/versions", i);
            return vg_diag_set(w->d, VG_EINVAL, field,
                               "the affected versions are another system's fixed version");
        }
        if (!empty(s->fixed)) {
            l = find_leaf(w, p, s->fixed, i);
            if (!l)
                return vg_diag_set(w->d, VG_ENOMEM, "", "out of memory");
            if (l->affected) {
                snprintf(field, sizeof field, "/affected_systems/%zu/fixed", i);
                return vg_diag_set(w->d, VG_EINVAL, field,
                                   "the fixed version is also named as affected");
            }
            l->fixed = true;
        }
    }
    return 0;
}

static json_t *full_name(const char *vendor, const char *product, const char *versions)
{
    size_t n = strlen(vendor) + strlen(product) + strlen(versions) + 3;
    char *s = vg_malloc(n);
    if (!s)
        return NULL;
    snprintf(s, n, "%s %s %s", vendor, product, versions);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *branch(const char *category, const char *name)
{
    json_t *b = json_object();
    json_object_set_new(b, "category", json_string(category));
    json_object_set_new(b, "name", str(name));
    return b;
}

/* product_tree: vendor -> product_name -> version leaves, ids numbered in this order. */
static json_t *product_tree(struct w *w)
{
    json_t *vendors = json_array();
    int id = 0;
    for (size_t v = 0; v < w->nvendors; v++) {
        json_t *vb = branch("vendor", w->vendors[v]);
        json_t *products = json_array();
        for (size_t p = 0; p < w->nproducts; p++) {
            if (w->products[p].vendor != v)
                continue;
            json_t *pb = branch("product_name", w->products[p].name);
            json_t *leaves = json_array();
            for (size_t i = 0; i < w->nleaves; i++) {
                struct leaf *l = &w->leaves[i];
                if (l->product != p)
                    continue;
                l->id = ++id;
                char pid[32];
                snprintf(pid, sizeof pid, "CSAFPID-%04d", l->id);
                json_t *lb =
                    branch(l->range ? "product_version_range" : "product_version", l->name);
                json_t *prod = json_object();
                json_object_set_new(prod, "name",
                                    full_name(w->vendors[v], w->products[p].name, l->versions));
                json_object_set_new(prod, "product_id", json_string(pid));
                if (l->cpe)
                    json_object_set_new(prod, "product_identification_helper",
                                        json_pack("{s:s}", "cpe", l->cpe));
                json_object_set_new(lb, "product", prod);
                json_array_append_new(leaves, lb);
                json_array_append_new(l->affected ? w->affected : w->fixed, json_string(pid));
            }
            json_object_set_new(pb, "branches", leaves);
            json_array_append_new(products, pb);
        }
        json_object_set_new(vb, "branches", products);
        json_array_append_new(vendors, vb);
    }
    json_t *tree = json_object();
    json_object_set_new(tree, "branches", vendors);
    return tree;
}

static void add_note(json_t *notes, const char *category, const char *title, const char *text)
{
    json_t *n = json_object();
    json_object_set_new(n, "category", json_string(category));
    json_object_set_new(n, "text", str(text));
    if (title)
        json_object_set_new(n, "title", json_string(title));
    json_array_append_new(notes, n);
}

/* "- risk\n" for each risk, in the document's language. */
static char *risk_list(const struct w *w, const char *lang)
{
    size_t n = 1;
    for (size_t i = 0; i < w->a->nrisks; i++)
        n += strlen(vg_adv_risk_text(&w->a->risks[i], lang)) + 3;
    char *s = vg_malloc(n), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < w->a->nrisks; i++) {
        const char *t = vg_adv_risk_text(&w->a->risks[i], lang);
        size_t len = strlen(t);
        memcpy(p, "- ", 2);
        memcpy(p + 2, t, len);
        p[2 + len] = '\n';
        p += len + 3;
    }
    *p = '\0';
    if (p > s)
        p[-1] = '\0'; /* no final newline */
    return s;
}

static const char *tlp_label(enum vg_tlp t)
{
    switch (t) {
    case VG_TLP_CLEAR: return "WHITE";
    case VG_TLP_GREEN: return "GREEN";
    case VG_TLP_AMBER:
    case VG_TLP_AMBER_STRICT: return "AMBER";
    default: return "RED";
    }
}

/* Is this a vector CSAF 2.0 can hold (CVSS v2, v3.0, v3.1)? A CVSS 4.0 one has no place in
 * it and is left out. */
static bool csaf_vector(const char *v)
{
    return !empty(v) && strncmp(v, "CVSS:4", 6) != 0;
}

/* The base score of a vector that vg_cvss_parse accepts; -1 otherwise. */
static double vector_score(const char *v, struct vg_cvss *c)
{
    struct vg_cvss_scores sc;
    if (vg_cvss_parse(v, strlen(v), c, NULL) != 0 || vg_cvss_score(c, &sc) != 0)
        return -1;
    return sc.base;
}

/* The CVSS score object of CVE i: cvss_v3 for a CVSS:3.0 or 3.1 vector, cvss_v2 for a v2 one,
 * the base score and severity computed from the vector (check_advisory parsed it and refused a
 * score that disagrees); NULL without a vector CSAF 2.0 can hold. */
static json_t *cvss_of(const struct w *w, size_t i)
{
    const char *v = w->a->cves[i].cvss_vector;
    double score = w->score[i];
    switch (w->cvss[i].version) {
    case VG_CVSS_V2:
        return json_pack("{s:{s:s,s:s,s:f}}", "cvss_v2", "version", "2.0", "vectorString", v,
                         "baseScore", score);
    case VG_CVSS_V30:
    case VG_CVSS_V31:
        return json_pack("{s:{s:s,s:s,s:f,s:s}}", "cvss_v3", "version",
                         w->cvss[i].version == VG_CVSS_V30 ? "3.0" : "3.1", "vectorString", v,
                         "baseScore", score, "baseSeverity", vg_cvss_severity(score));
    default: return NULL;
    }
}

/* The parts every vulnerability of the advisory has alike (each CVE concerns all its products):
 * built once and referenced from each vulnerability (see vg_csaf_document's contract), so that
 * an advisory of 100 CVEs is not 100 copies to build and free. NULL: not in the document. */
struct common {
    json_t *notes, *status, *remediations, *threats;
};

static void common_build(const struct w *w, struct common *c)
{
    const struct vg_advisory *a = w->a;
    bool products = json_array_size(w->affected) > 0;
    c->notes = json_array();
    add_note(c->notes, "description", tr(w, "Description", "Description"), a->title);
    if (products || json_array_size(w->fixed)) {
        c->status = json_object();
        if (products)
            json_object_set_new(c->status, "known_affected", json_incref(w->affected));
        if (json_array_size(w->fixed))
            json_object_set_new(c->status, "fixed", json_incref(w->fixed));
    }
    if (products && !empty(a->solution)) {
        json_t *r = json_object();
        json_object_set_new(r, "category", json_string("vendor_fix"));
        json_object_set_new(r, "details", json_string(a->solution));
        json_object_set_new(r, "product_ids", json_incref(w->affected));
        c->remediations = json_array();
        json_array_append_new(c->remediations, r);
    }
    json_t *t = json_object();
    json_object_set_new(t, "category", json_string("exploit_status"));
    json_object_set_new(t, "details",
                        json_string(tr(w,
                                       "Exploitée dans la nature (exploited in the wild) : "
                                       "inscrite au catalogue Known Exploited Vulnerabilities "
                                       "de la CISA.",
                                       "Exploited in the wild: listed in CISA's Known Exploited "
                                       "Vulnerabilities catalog.")));
    if (products)
        json_object_set_new(t, "product_ids", json_incref(w->affected));
    c->threats = json_array();
    json_array_append_new(c->threats, t);
}

static void common_free(struct common *c)
{
    json_decref(c->notes);
    json_decref(c->status);
    json_decref(c->remediations);
    json_decref(c->threats);
}

/* One vulnerability: a CVE (cve NULL: the advisory's own, when it names no CVE). */
static json_t *vulnerability(const struct w *w, const struct common *c,
                             const struct vg_adv_cve *cve)
{
    json_t *v = json_object();
    if (cve)
        json_object_set_new(v, "cve", json_string(cve->id));
    json_object_set_new(v, "notes", json_incref(c->notes));
    if (c->status)
        json_object_set_new(v, "product_status", json_incref(c->status));
    if (c->remediations)
        json_object_set_new(v, "remediations", json_incref(c->remediations));
    json_t *score =
        cve && json_array_size(w->affected) ? cvss_of(w, (size_t)(cve - w->a->cves)) : NULL;
    if (score) {
        json_object_set_new(score, "products", json_incref(w->affected));
        json_t *scores = json_array();
        json_array_append_new(scores, score);
        json_object_set_new(v, "scores", scores);
    }
    if (cve && cve->kev)
        json_object_set_new(v, "threats", json_incref(c->threats));
    return v;
}

/* By id, then by place: the first of equal ids sorts first. */
static int cmp_cve(const void *x, const void *y)
{
    const struct vg_adv_cve *a = *(const struct vg_adv_cve *const *)x;
    const struct vg_adv_cve *b = *(const struct vg_adv_cve *const *)y;
    int c = strcmp(a->id, b->id);
    return c ? c : (a > b) - (a < b);
}

static bool cve_id_ok(const char *s)
{
    if (empty(s) || strncmp(s, "CVE-", 4) != 0 || strlen(s) > VG_MAX_NAME)
        return false;
    const char *p = s + 4;
    for (int i = 0; i < 4; i++, p++)
        if (*p < '0' || *p > '9')
            return false;
    if (*p++ != '-')
        return false;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    return digits >= 4 && !*p;
}

/* A language tag as CSAF's lang takes it, in its common form: "fr", "en-US", "de-CH-1996". */
static bool lang_ok(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))
        n++;
    if (n < 2 || n > 3)
        return false;
    for (const char *p = s + n; *p;) {
        if (*p++ != '-')
            return false;
        size_t k = 0;
        while ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
               (p[k] >= '0' && p[k] <= '9'))
            k++;
        if (k < 1 || k > 8)
            return false;
        p += k;
    }
    return true;
}

/* Checks the advisory and its revisions: what the tracking section is made of. */
static int check_advisory(struct w *w, char (*dates)[VG_TIME_LEN])
{
    const struct vg_advisory *a = w->a;
    const struct vg_adv_site *site = w->site;
    if (!site || empty(site->name))
        return vg_diag_set(w->d, VG_EINVAL, "site/name", "the publisher has no name");
    if (empty(site->namespace) || (strncmp(site->namespace, "https://", 8) != 0 &&
                                   strncmp(site->namespace, "http://", 7) != 0))
        return vg_diag_set(w->d, VG_EINVAL, "site/namespace",
                           "the publisher's namespace is not an http(s) URL");
    if (empty(a->ref))
        return vg_diag_set(w->d, VG_EINVAL, "/ref", "the advisory has no reference");
    if (empty(a->title))
        return vg_diag_set(w->d, VG_EINVAL, "/title", "the advisory has no title");
    if (vg_adv_kind_name(a->kind) == NULL)
        return vg_diag_set(w->d, VG_EINVAL, "/kind", "unknown kind");
    if (a->nrevisions == 0)
        return vg_diag_set(w->d, VG_EINVAL, "/revisions", "the advisory has no published revision");
    char field[64];
    for (size_t i = 0; i < a->nrevisions; i++) {
        const struct vg_adv_revision *r = &a->revisions[i];
        if (r->version != (int)i + 1) {
            snprintf(field, sizeof field, "/revisions/%zu/version", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "revision %zu has version %d, not %zu", i,
                               r->version, i + 1);
        }
        snprintf(field, sizeof field, "/revisions/%zu/date", i);
        if (norm_date(r->date, dates[i]) != 0)
            return vg_diag_set(w->d, VG_EINVAL, field, "not an RFC 3339 date");
        if (i > 0 && strcmp(dates[i], dates[i - 1]) < 0)
            return vg_diag_set(w->d, VG_EINVAL, field, "earlier than the revision before it");
    }
    if (a->version != (int)a->nrevisions)
        return vg_diag_set(w->d, VG_EINVAL, "/version", "version %d but %zu published revisions",
                           a->version, a->nrevisions);
    if (!empty(a->lang) && !lang_ok(a->lang))
        return vg_diag_set(w->d, VG_EINVAL, "/lang", "not a language tag (BCP 47)");
    for (size_t i = 0; i < a->nsystems; i++) {
        const char *cpe = a->systems[i].cpe;
        if (!empty(cpe) && strncmp(cpe, "cpe:2.3:", 8) != 0 && strncmp(cpe, "cpe:/", 5) != 0) {
            snprintf(field, sizeof field, "/affected_systems/%zu/cpe", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "not a CPE name");
        }
    }
    for (size_t i = 0; i < a->nlinks; i++)
        if (!vg_adv_url_ok(a->links[i].url)) {
            snprintf(field, sizeof field, "/references/%zu", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "not an http(s) URL (RFC 3986)");
        }
    for (size_t i = 0; i < a->ncves; i++) {
        const struct vg_adv_cve *c = &a->cves[i];
        if (!cve_id_ok(c->id)) {
            snprintf(field, sizeof field, "/cves/%zu", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "not a CVE id");
        }
        if (!csaf_vector(c->cvss_vector))
            continue;
        double score = w->score[i] = vector_score(c->cvss_vector, &w->cvss[i]);
        if (score < 0) {
            snprintf(field, sizeof field, "/cves/%zu/cvss_vector", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "not a CVSS v2, v3.0 or v3.1 vector");
        }
        if (c->cvss >= 0 && (c->cvss > score + 0.05 || c->cvss < score - 0.05)) {
            snprintf(field, sizeof field, "/cves/%zu/cvss", i);
            return vg_diag_set(w->d, VG_EINVAL, field, "score %.1f but its vector gives %.1f",
                               c->cvss, score);
        }
    }
    return 0;
}

static json_t *tracking(const struct w *w, char (*dates)[VG_TIME_LEN])
{
    const struct vg_advisory *a = w->a;
    json_t *t = json_object();
    json_object_set_new(t, "current_release_date", json_string(dates[a->nrevisions - 1]));
    if (!empty(w->site->generator)) {
        /* "vigie 0.13": the engine's name, then its version after the last space */
        const char *g = w->site->generator, *sp = strrchr(g, ' ');
        json_t *engine = json_object();
        if (sp && sp > g && sp[1]) {
            json_object_set_new(engine, "name", json_stringn(g, (size_t)(sp - g)));
            json_object_set_new(engine, "version", json_string(sp + 1));
        } else {
            json_object_set_new(engine, "name", json_string(g));
        }
        json_object_set_new(t, "generator", json_pack("{s:o}", "engine", engine));
    }
    json_object_set_new(t, "id", json_string(a->ref));
    json_object_set_new(t, "initial_release_date", json_string(dates[0]));
    json_t *hist = json_array();
    for (size_t i = 0; i < a->nrevisions; i++) {
        const struct vg_adv_revision *r = &a->revisions[i];
        char num[16];
        snprintf(num, sizeof num, "%d", r->version);
        const char *summary = !empty(r->description) ? r->description
                              : i == 0               ? tr(w, "Version initiale", "Initial version")
                                                     : tr(w, "Révision", "Revision");
        json_array_append_new(hist, json_pack("{s:s,s:s,s:s}", "date", dates[i], "number", num,
                                              "summary", summary));
    }
    json_object_set_new(t, "revision_history", hist);
    bool open_alert = a->kind == VG_ADV_ALERTE && empty(a->closed_at);
    json_object_set_new(t, "status", json_string(open_alert ? "interim" : "final"));
    char num[16];
    snprintf(num, sizeof num, "%d", a->version);
    json_object_set_new(t, "version", json_string(num));
    return t;
}

/* The canonical URL of the document (section 5.1 and requirement 11: one folder per TLP label
 * and per year of the initial release), when the site has an absolute base URL. */
static json_t *self_reference(const struct w *w, const char *initial, const char *label)
{
    const char *base = w->site->base_url;
    if (empty(base) || strncmp(base, "https://", 8) != 0)
        return NULL;
    char file[VG_MAX_NAME + 8];
    if (vg_csaf_filename(w->a->ref, file, sizeof file) != 0)
        return NULL;
    char lower[8];
    size_t i = 0;
    for (; label[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)(label[i] - 'A' + 'a');
    lower[i] = '\0';
    size_t n = strlen(base) + strlen(file) + 64;
    char *url = vg_malloc(n);
    if (!url)
        return NULL;
    snprintf(url, n, "%s/.well-known/csaf/%s/%.4s/%s", base, lower, initial, file);
    json_t *r = json_pack("{s:s,s:s,s:s}", "category", "self", "summary",
                          tr(w, "URL canonique", "Canonical URL"), "url", url);
    free(url);
    return r;
}

static json_t *document(const struct w *w, char (*dates)[VG_TIME_LEN], bool security)
{
    const struct vg_advisory *a = w->a;
    const char *lang = !empty(a->lang) ? a->lang : w->site->lang;
    json_t *doc = json_object();
    json_object_set_new(doc, "category",
                        json_string(security ? "csaf_security_advisory" : "csaf_base"));
    json_object_set_new(doc, "csaf_version", json_string("2.0"));
    const char *label = tlp_label(a->tlp);
    char text[32];
    snprintf(text, sizeof text, "TLP:%s", vg_tlp_name(a->tlp) ? vg_tlp_name(a->tlp) : "RED");
    json_object_set_new(doc, "distribution",
                        json_pack("{s:s,s:{s:s,s:s}}", "text", text, "tlp", "label", label, "url",
                                  TLP_URL));
    if (!empty(lang))
        json_object_set_new(doc, "lang", json_string(lang));
    json_t *notes = json_array();
    if (!empty(a->summary))
        add_note(notes, "summary", tr(w, "Résumé", "Summary"), a->summary);
    if (a->nrisks) {
        char *risks = risk_list(w, lang);
        add_note(notes, "details", tr(w, "Risques", "Risks"), risks);
        free(risks);
    }
    if (!empty(a->solution))
        add_note(notes, "general", tr(w, "Solutions", "Solutions"), a->solution);
    if (json_array_size(notes) == 0) /* the profile wants a note: the title says what it is */
        add_note(notes, "summary", tr(w, "Résumé", "Summary"), a->title);
    json_object_set_new(doc, "notes", notes);
    json_t *pub = json_object();
    json_object_set_new(pub, "category", json_string("coordinator"));
    if (!empty(w->site->contact))
        json_object_set_new(pub, "contact_details", json_string(w->site->contact));
    json_object_set_new(pub, "name", json_string(w->site->name));
    json_object_set_new(pub, "namespace", json_string(w->site->namespace));
    json_object_set_new(doc, "publisher", pub);
    json_t *refs = json_array();
    json_t *self = self_reference(w, dates[0], label);
    if (self)
        json_array_append_new(refs, self);
    for (size_t i = 0; i < a->nlinks; i++) {
        const struct vg_adv_link *l = &a->links[i];
        json_array_append_new(refs, json_pack("{s:s,s:s,s:s}", "category", "external", "summary",
                                              empty(l->title) ? l->url : l->title, "url", l->url));
    }
    if (json_array_size(refs))
        json_object_set_new(doc, "references", refs);
    else
        json_decref(refs);
    json_object_set_new(doc, "title", json_string(a->title));
    json_object_set_new(doc, "tracking", tracking(w, dates));
    return doc;
}

int vg_csaf_document(const struct vg_advisory *a, const struct vg_adv_site *site, json_t **out,
                     struct vg_diag *d)
{
    *out = NULL;
    vg_diag_clear(d);
    struct w w = {.a = a, .site = site, .d = d};
    const char *lang = a && !empty(a->lang) ? a->lang : site ? site->lang : NULL;
    w.en = lang && strncasecmp(lang, "en", 2) == 0;
    if (!a)
        return vg_diag_set(d, VG_EINVAL, "", "no advisory");
    char(*dates)[VG_TIME_LEN] = vg_calloc(a->nrevisions ? a->nrevisions : 1, VG_TIME_LEN);
    if (!dates)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    json_t *root = NULL;
    bool *dup = NULL;
    unsigned long failures = vg_mem_thread_failures();
    w.cvss = vg_calloc(a->ncves ? a->ncves : 1, sizeof *w.cvss);
    w.score = vg_calloc(a->ncves ? a->ncves : 1, sizeof *w.score);
    int rc = !w.cvss || !w.score ? vg_diag_set(d, VG_ENOMEM, "", "out of memory")
                                 : check_advisory(&w, dates);
    if (rc == 0)
        rc = plan_tree(&w);
    if (rc)
        goto out;
    bool security = a->kind == VG_ADV_AVIS || a->kind == VG_ADV_ALERTE;
    if (security && a->nsystems == 0) {
        rc = vg_diag_set(d, VG_EINVAL, "/affected_systems",
                         "an advisory of kind %s must name the products it concerns "
                         "(affected_systems): its CSAF 2.0 document is a csaf_security_advisory",
                         vg_adv_kind_name(a->kind));
        goto out;
    }
    root = json_object();
    json_object_set_new(root, "document", document(&w, dates, security));
    if (a->nsystems)
        json_object_set_new(root, "product_tree", product_tree(&w));
    /* a CVE named twice is one vulnerability (section 6.1.23), at its first place */
    dup = vg_calloc(a->ncves ? a->ncves : 1, sizeof *dup);
    const struct vg_adv_cve **order = vg_calloc(a->ncves ? a->ncves : 1, sizeof *order);
    if (dup && order) {
        for (size_t i = 0; i < a->ncves; i++)
            order[i] = &a->cves[i];
        vg_sort(order, a->ncves, sizeof *order, cmp_cve);
        for (size_t i = 1; i < a->ncves; i++)
            if (strcmp(order[i]->id, order[i - 1]->id) == 0)
                dup[order[i] - a->cves] = true;
    }
    free(order);
    struct common common = {0};
    common_build(&w, &common);
    json_t *vulns = json_array();
    for (size_t i = 0; dup && i < a->ncves; i++)
        if (!dup[i])
            json_array_append_new(vulns, vulnerability(&w, &common, &a->cves[i]));
    if (a->ncves == 0 && security) /* the profile needs one: the advisory's own */
        json_array_append_new(vulns, vulnerability(&w, &common, NULL));
    common_free(&common);
    if (json_array_size(vulns))
        json_object_set_new(root, "vulnerabilities", vulns);
    else
        json_decref(vulns);
    if (!dup || vg_mem_thread_failures() != failures) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    *out = root;
    root = NULL;
out:
    json_decref(root);
    free(dup);
    free_tree(&w);
    free(dates);
    return rc;
}
