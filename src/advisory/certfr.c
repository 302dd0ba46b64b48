/* CERT-FR-style JSON (advisory/certfr.h): vigie's publications written in the shape CERT-FR
 * publishes its avis and alertes in, and other CERTs' publications in that shape read back
 * into struct vg_advisory. The reader checks every part it takes, names the first bad one by
 * its JSON pointer, and fills nothing then. */
#include "advisory/certfr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advisory/link.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"

/* CERT-FR's documents point at the OpenAPI description of their shape; vigie's follow the
 * same shape, so they name it too. */
#define CERTFR_SHAPE "https://www.cert.ssi.gouv.fr/openapi.json"
#define CVE_URL      "https://www.cve.org/CVERecord?id="
#define CF_DATE_LEN  80

static bool empty(const char *s)
{
    return !s || !*s;
}

static bool english(const char *lang)
{
    return lang && (lang[0] == 'e' || lang[0] == 'E') && (lang[1] == 'n' || lang[1] == 'N');
}

/* CERT-FR's date form, "2023-03-03T00:00:00.000000", of an RFC 3339 date; -1 if it is not
 * one. */
static int cf_date(const char *s, char out[CF_DATE_LEN])
{
    time_t t;
    struct tm tm;
    if (empty(s) || vg_time_parse(s, &t) != 0 || !gmtime_r(&t, &tm))
        return -1;
    snprintf(out, CF_DATE_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.000000", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return 0;
}

static json_t *str(const char *s)
{
    return json_string(s ? s : "");
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Does the versions text start with "<product> versions "? */
static bool has_product_prefix(const char *versions, const char *product)
{
    size_t n = strlen(product);
    return strncmp(versions, product, n) == 0 && strncmp(versions + n, " versions ", 10) == 0;
}

/* The description of an affected system, CERT-FR's way ("Wireshark versions 4.0.x antérieures
 * à 4.0.4"): the versions text alone when it already names the product (or when the product
 * is "N/A"), else "<product> versions <versions>". The reader takes "<product> versions " off
 * again, so that what is read and written back reads the same. */
static json_t *system_description(const struct vg_adv_system *s)
{
    const char *product = s->product ? s->product : "N/A";
    if (!s->versions)
        return json_string(product);
    bool named = !*product || strcmp(product, "N/A") == 0 || strstr(s->versions, product);
    if (named && !has_product_prefix(s->versions, product))
        return json_string(s->versions);
    size_t n = strlen(product) + strlen(s->versions) + sizeof " versions ";
    char *t = vg_malloc(n);
    if (!t)
        return NULL;
    snprintf(t, n, "%s versions %s", product, s->versions);
    json_t *j = json_string(t);
    free(t);
    return j;
}

/* content: the solution under CERT-FR's heading (their references are in vendor_advisories
 * and links, not in content). */
static json_t *content_of(const struct vg_advisory *a)
{
    const char *head = "## Solutions\n\n";
    if (empty(a->solution))
        return json_string("");
    size_t n = strlen(head) + strlen(a->solution) + 1;
    char *t = vg_malloc(n);
    if (!t)
        return NULL;
    snprintf(t, n, "%s%s", head, a->solution);
    json_t *j = json_string(t);
    free(t);
    return j;
}

int vg_certfr_document(const struct vg_advisory *a, const struct vg_adv_site *site, json_t **out,
                       struct vg_diag *d)
{
    *out = NULL;
    vg_diag_clear(d);
    if (!a || empty(a->ref))
        return vg_diag_set(d, VG_EINVAL, "/ref", "the advisory has no reference");
    if (empty(a->title))
        return vg_diag_set(d, VG_EINVAL, "/title", "the advisory has no title");
    if (a->nrevisions == 0)
        return vg_diag_set(d, VG_EINVAL, "/revisions", "the advisory has no published revision");
    const char *lang = !empty(a->lang) ? a->lang : site ? site->lang : NULL;
    bool en = english(lang);
    unsigned long failures = vg_mem_thread_failures();
    char date[CF_DATE_LEN], field[64];
    json_t *doc = json_object();
    json_object_set_new(doc, "$ref", json_string(CERTFR_SHAPE));

    json_t *systems = json_array();
    for (size_t i = 0; i < a->nsystems; i++) {
        const struct vg_adv_system *s = &a->systems[i];
        json_array_append_new(systems, json_pack("{s:o*,s:{s:s,s:{s:s,s:b}}}", "description",
                                                 system_description(s), "product", "name",
                                                 s->product ? s->product : "N/A", "vendor", "name",
                                                 s->vendor ? s->vendor : "N/A", "scada", s->scada));
    }
    json_object_set_new(doc, "affected_systems", systems);
    json_object_set_new(doc, "affected_systems_content", str_or_null(a->affected_content));
    if (a->kind == VG_ADV_ALERTE) {
        json_t *closed = json_null();
        if (a->closed_at) {
            if (cf_date(a->closed_at, date) != 0) {
                json_decref(doc);
                return vg_diag_set(d, VG_EINVAL, "/closed_at", "not an RFC 3339 date");
            }
            closed = json_string(date);
        }
        json_object_set_new(doc, "closed_at", closed);
    }
    json_object_set_new(doc, "content", content_of(a));

    json_t *cves = json_array();
    for (size_t i = 0; i < a->ncves; i++) {
        const char *id = a->cves[i].id ? a->cves[i].id : "";
        size_t n = sizeof CVE_URL + strlen(id);
        char *url = vg_malloc(n);
        if (url)
            snprintf(url, n, "%s%s", CVE_URL, id);
        json_array_append_new(cves, json_pack("{s:s,s:s*}", "name", id, "url", url));
        free(url);
    }
    json_object_set_new(doc, "cves", cves);

    json_t *links = json_array(), *vendor = json_array();
    for (size_t i = 0; i < a->nlinks; i++) {
        const struct vg_adv_link *l = &a->links[i];
        const char *url = l->url ? l->url : "";
        const char *title = l->title ? l->title : url;
        if (l->vendor) {
            json_t *pub = json_null();
            if (l->published_at) { /* CERT-FR gives the day only */
                if (cf_date(l->published_at, date) != 0) {
                    json_decref(doc);
                    json_decref(links);
                    json_decref(vendor);
                    snprintf(field, sizeof field, "/references/%zu/published_at", i);
                    return vg_diag_set(d, VG_EINVAL, field, "not an RFC 3339 date");
                }
                pub = json_stringn(date, 10);
            }
            json_array_append_new(vendor, json_pack("{s:o,s:s,s:s}", "published_at", pub, "title",
                                                    title, "url", url));
        } else {
            json_array_append_new(links, json_pack("{s:s,s:s}", "title", title, "url", url));
        }
    }
    json_object_set_new(doc, "links", links);
    json_object_set_new(doc, "reference", json_string(a->ref));

    json_t *revs = json_array();
    for (size_t i = 0; i < a->nrevisions; i++) {
        const struct vg_adv_revision *r = &a->revisions[i];
        if (cf_date(r->date, date) != 0) {
            json_decref(doc);
            json_decref(revs);
            json_decref(vendor);
            snprintf(field, sizeof field, "/revisions/%zu/date", i);
            return vg_diag_set(d, VG_EINVAL, field, "not an RFC 3339 date");
        }
        const char *desc = r->description ? r->description
                           : i == 0       ? (en ? "Initial version" : "Version initiale")
                                          : "";
        json_array_append_new(revs,
                              json_pack("{s:s,s:s}", "description", desc, "revision_date", date));
    }
    json_object_set_new(doc, "revisions", revs);

    json_t *risks = json_array();
    for (size_t i = 0; i < a->nrisks; i++) {
        const char *t = vg_adv_risk_text(&a->risks[i], lang);
        json_array_append_new(risks, json_pack("{s:s}", "description", t ? t : ""));
    }
    json_object_set_new(doc, "risks", risks);
    json_object_set_new(doc, "summary", str(a->summary));
    json_object_set_new(doc, "title", json_string(a->title));
    json_object_set_new(doc, "vendor_advisories", vendor);
    if (vg_mem_thread_failures() != failures || json_object_size(doc) < 12) {
        json_decref(doc);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    *out = doc;
    return 0;
}

json_t *vg_certfr_list(const struct vg_advisory *const *list, size_t n,
                       const struct vg_adv_site *site)
{
    unsigned long failures = vg_mem_thread_failures();
    const char *base = site && site->base_url ? site->base_url : "";
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        const struct vg_advisory *a = list[i];
        const char *ref = a->ref ? a->ref : "";
        /* the folder of its pages (advisory/site.h): guides have theirs */
        const char *dir = a->kind == VG_ADV_GUIDE ? "guides" : "advisories";
        size_t len = strlen(base) + strlen(ref) + sizeof "/advisories//json/";
        char *url = vg_malloc(len);
        if (url)
            snprintf(url, len, "%s/%s/%s/json/", base, dir, ref);
        char date[CF_DATE_LEN];
        const char *last = vg_adv_last_date(a);
        json_t *when = last && cf_date(last, date) == 0 ? json_string(date) : json_null();
        json_array_append_new(arr, json_pack("{s:s,s:s*,s:o}", "reference", ref, "json_url", url,
                                             "last_revision_date", when));
        free(url);
    }
    if (vg_mem_thread_failures() != failures || json_array_size(arr) != n) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* ---- the reader ---- */

struct rd {
    struct vg_diag *d;
    char ptr[160]; /* the pointer of the part being read */
};

/* Fails the read at the current pointer. */
#define bad(r, ...) vg_diag_set((r)->d, VG_EINVAL, (r)->ptr, __VA_ARGS__)

/* Sets r->ptr to base + "/" + key (or the index). */
static void at(struct rd *r, const char *base, const char *key)
{
    snprintf(r->ptr, sizeof r->ptr, "%s/%s", base, key);
}

/* Reads obj[key] as a string of at most max bytes: *out a copy (NULL when null is allowed and
 * given, or when optional and absent). */
enum { REQUIRED = 1, NULLABLE = 2 };
static int read_str(struct rd *r, const json_t *obj, const char *base, const char *key, size_t max,
                    int flags, char **out)
{
    *out = NULL;
    at(r, base, key);
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (flags & REQUIRED)
            return bad(r, "%s is missing", key);
        return 0;
    }
    if (json_is_null(v) && (flags & NULLABLE))
        return 0;
    if (!json_is_string(v))
        return bad(r, "%s is not a string", key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n > max)
        return bad(r, "%s is too long", key);
    if (strlen(s) != n)
        return bad(r, "%s holds a NUL byte", key);
    *out = vg_strndup(s, n);
    if (!*out)
        return vg_diag_set(r->d, VG_ENOMEM, r->ptr, "out of memory");
    return 0;
}

/* obj[key] as an array of at most VG_MAX_LIST items (an empty one when absent). */
static int read_array(struct rd *r, const json_t *obj, const char *key, const json_t **out)
{
    at(r, "", key);
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return bad(r, "%s is not an array", key);
    if (json_array_size(v) > VG_MAX_LIST)
        return bad(r, "%s has too many items", key);
    *out = v;
    return 0;
}

static int item_object(struct rd *r, const json_t *arr, const char *key, size_t i,
                       const json_t **out, char *base, size_t cap)
{
    snprintf(base, cap, "/%s/%zu", key, i);
    *out = json_array_get(arr, i);
    if (!json_is_object(*out)) {
        snprintf(r->ptr, sizeof r->ptr, "%s", base);
        return bad(r, "%s item is not an object", key);
    }
    return 0;
}

/* A date of CERT-FR ("2023-03-03T00:00:00.000000", read as UTC, or any RFC 3339 date) as
 * RFC 3339 UTC; day true gives the day only ("2025-09-25"). */
static int read_date(struct rd *r, char **s, bool day)
{
    char buf[VG_TIME_LEN];
    time_t t;
    const char *p = *s;
    size_t n = strlen(p);
    /* CERT-FR writes no zone: such a date-time is taken as UTC */
    if (n >= 19 && n < sizeof buf - 1 && p[10] == 'T' && !strpbrk(p + 19, "Zz+-")) {
        memcpy(buf, p, n);
        buf[n] = 'Z';
        buf[n + 1] = '\0';
        p = buf;
    }
    if (vg_time_parse(p, &t) != 0) {
        free(*s);
        *s = NULL;
        return bad(r, "%s is not a date", "date");
    }
    char out[VG_TIME_LEN];
    vg_time_fmt(t, out);
    if (day)
        out[10] = '\0';
    free(*s);
    *s = vg_strdup(out);
    return *s ? 0 : vg_diag_set(r->d, VG_ENOMEM, r->ptr, "out of memory");
}

static bool cve_ok(const char *s)
{
    if (strncmp(s, "CVE-", 4) != 0)
        return false;
    const char *p = s + 4;
    for (int i = 0; i < 4; i++, p++)
        if (*p < '0' || *p > '9')
            return false;
    if (*p++ != '-')
        return false;
    size_t n = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        n++;
    return n >= 4 && n <= 19 && !*p;
}

/* A reference: letters, digits, '-' and '_' (it names files and URLs of the site). */
static bool ref_ok(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static int read_risks(struct rd *r, const json_t *doc, struct vg_advisory *a)
{
    const json_t *arr;
    char base[64];
    int rc = read_array(r, doc, "risks", &arr);
    if (rc || !arr || !json_array_size(arr))
        return rc;
    a->risks = vg_calloc(json_array_size(arr), sizeof *a->risks);
    if (!a->risks)
        return vg_diag_set(r->d, VG_ENOMEM, "/risks", "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *it;
        if ((rc = item_object(r, arr, "risks", i, &it, base, sizeof base)))
            return rc;
        struct vg_adv_risk_item *ri = &a->risks[a->nrisks];
        if ((rc = read_str(r, it, base, "description", VG_MAX_STR_FIELD, REQUIRED, &ri->text)))
            return rc;
        a->nrisks++;
        ri->kind = vg_adv_risk_guess(ri->text);
    }
    return 0;
}

static int read_systems(struct rd *r, const json_t *doc, struct vg_advisory *a)
{
    const json_t *arr;
    char base[64], pbase[80], vbase[96];
    int rc = read_array(r, doc, "affected_systems", &arr);
    if (rc || !arr || !json_array_size(arr))
        return rc;
    a->systems = vg_calloc(json_array_size(arr), sizeof *a->systems);
    if (!a->systems)
        return vg_diag_set(r->d, VG_ENOMEM, "/affected_systems", "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *it;
        if ((rc = item_object(r, arr, "affected_systems", i, &it, base, sizeof base)))
            return rc;
        struct vg_adv_system *s = &a->systems[a->nsystems++];
        if ((rc = read_str(r, it, base, "description", VG_MAX_STR_FIELD, REQUIRED, &s->versions)))
            return rc;
        const json_t *prod = json_object_get(it, "product");
        at(r, base, "product");
        if (!json_is_object(prod))
            return bad(r, "%s is not an object", "product");
        snprintf(pbase, sizeof pbase, "%s/product", base);
        if ((rc = read_str(r, prod, pbase, "name", VG_MAX_NAME, REQUIRED, &s->product)))
            return rc;
        const json_t *vendor = json_object_get(prod, "vendor");
        at(r, pbase, "vendor");
        if (!json_is_object(vendor))
            return bad(r, "%s is not an object", "vendor");
        snprintf(vbase, sizeof vbase, "%s/vendor", pbase);
        if ((rc = read_str(r, vendor, vbase, "name", VG_MAX_NAME, REQUIRED, &s->vendor)))
            return rc;
        const json_t *scada = json_object_get(vendor, "scada");
        at(r, vbase, "scada");
        if (scada && !json_is_boolean(scada))
            return bad(r, "%s is not a boolean", "scada");
        s->scada = json_is_true(scada);
        /* "Wireshark versions 4.0.x antérieures à 4.0.4": the versions part is kept */
        if (has_product_prefix(s->versions, s->product)) {
            size_t skip = strlen(s->product) + 10;
            memmove(s->versions, s->versions + skip, strlen(s->versions + skip) + 1);
        }
    }
    return 0;
}

static int read_cves(struct rd *r, const json_t *doc, struct vg_advisory *a)
{
    const json_t *arr;
    char base[64], *url = NULL;
    int rc = read_array(r, doc, "cves", &arr);
    if (rc || !arr || !json_array_size(arr))
        return rc;
    a->cves = vg_calloc(json_array_size(arr), sizeof *a->cves);
    if (!a->cves)
        return vg_diag_set(r->d, VG_ENOMEM, "/cves", "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *it;
        if ((rc = item_object(r, arr, "cves", i, &it, base, sizeof base)))
            return rc;
        struct vg_adv_cve *c = &a->cves[a->ncves++];
        c->cvss = -1;
        if ((rc = read_str(r, it, base, "name", VG_MAX_NAME, REQUIRED, &c->id)))
            return rc;
        if (!cve_ok(c->id))
            return bad(r, "%s is not a CVE id", "name");
        /* the URL is CVE.org's, which the writer builds again: checked, not kept */
        if ((rc = read_str(r, it, base, "url", VG_MAX_OBSERVABLE, NULLABLE, &url)))
            return rc;
        free(url);
    }
    return 0;
}

/* vendor_advisories (vendor true) then links. */
static int read_links(struct rd *r, const json_t *doc, struct vg_advisory *a)
{
    const json_t *va, *ln;
    char base[64];
    int rc = read_array(r, doc, "vendor_advisories", &va);
    if (rc || (rc = read_array(r, doc, "links", &ln)))
        return rc;
    size_t n = json_array_size(va) + json_array_size(ln);
    if (!n)
        return 0;
    a->links = vg_calloc(n, sizeof *a->links);
    if (!a->links)
        return vg_diag_set(r->d, VG_ENOMEM, "/links", "out of memory");
    for (int k = 0; k < 2; k++) {
        const json_t *arr = k == 0 ? va : ln;
        const char *key = k == 0 ? "vendor_advisories" : "links";
        for (size_t i = 0; i < json_array_size(arr); i++) {
            const json_t *it;
            if ((rc = item_object(r, arr, key, i, &it, base, sizeof base)))
                return rc;
            struct vg_adv_link *l = &a->links[a->nlinks++];
            l->vendor = k == 0;
            if ((rc = read_str(r, it, base, "title", VG_MAX_STR_FIELD, REQUIRED, &l->title)) ||
                (rc = read_str(r, it, base, "url", VG_MAX_OBSERVABLE, REQUIRED, &l->url)))
                return rc;
            if (!vg_adv_url_ok(l->url))
                return bad(r, "%s is not an http(s) URL", "url");
            if (k == 0) {
                if ((rc = read_str(r, it, base, "published_at", VG_MAX_NAME, NULLABLE,
                                   &l->published_at)))
                    return rc;
                if (l->published_at && (rc = read_date(r, &l->published_at, true)))
                    return rc;
            }
        }
    }
    return 0;
}

static int read_revisions(struct rd *r, const json_t *doc, struct vg_advisory *a)
{
    const json_t *arr;
    char base[64];
    int rc = read_array(r, doc, "revisions", &arr);
    if (rc)
        return rc;
    if (!arr || !json_array_size(arr))
        return bad(r, "%s: a publication has at least its initial version", "revisions");
    a->revisions = vg_calloc(json_array_size(arr), sizeof *a->revisions);
    if (!a->revisions)
        return vg_diag_set(r->d, VG_ENOMEM, "/revisions", "out of memory");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *it;
        if ((rc = item_object(r, arr, "revisions", i, &it, base, sizeof base)))
            return rc;
        struct vg_adv_revision *rv = &a->revisions[a->nrevisions++];
        rv->version = (int)i + 1;
        if ((rc = read_str(r, it, base, "description", VG_MAX_STR_FIELD, REQUIRED,
                           &rv->description)) ||
            (rc = read_str(r, it, base, "revision_date", VG_MAX_NAME, REQUIRED, &rv->date)) ||
            (rc = read_date(r, &rv->date, false)))
            return rc;
    }
    return 0;
}

/* The kind from the reference's code ("CERTFR-2024-ALE-005": ALE), avis when it has none; the
 * source from its prefix ("CERTFR": "CERT-FR"). */
static int read_reference(struct vg_advisory *a)
{
    a->kind = VG_ADV_AVIS;
    const char *ref = a->ref, *dash = strchr(ref, '-');
    for (const char *p = ref; p;) {
        const char *q = strchr(p, '-');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        char code[4];
        enum vg_adv_kind k;
        if (n == 3) {
            memcpy(code, p, 3);
            code[3] = '\0';
            if (vg_adv_kind_parse_code(code, &k) == 0) {
                a->kind = k;
                break;
            }
        }
        p = q ? q + 1 : NULL;
    }
    size_t plen = dash ? (size_t)(dash - ref) : strlen(ref);
    if (plen == 6 && strncmp(ref, "CERTFR", 6) == 0)
        a->source = vg_strdup("CERT-FR");
    else
        a->source = vg_strndup(ref, plen);
    if (!a->source)
        return VG_ENOMEM;
    if (strcmp(a->source, "CERT-FR") == 0) {
        static const char *const paths[VG_ADV_KIND_COUNT] = {
            [VG_ADV_AVIS] = "avis", [VG_ADV_ALERTE] = "alerte", [VG_ADV_ACTUALITE] = "actualite",
            [VG_ADV_CTI] = "cti",   [VG_ADV_IOC] = "ioc",
        };
        a->lang = vg_strdup("fr");
        if (!a->lang)
            return VG_ENOMEM;
        if (paths[a->kind]) {
            size_t n = strlen(ref) + 64;
            a->source_url = vg_malloc(n);
            if (!a->source_url)
                return VG_ENOMEM;
            snprintf(a->source_url, n, "https://www.cert.ssi.gouv.fr/%s/%s/", paths[a->kind], ref);
        }
    }
    return 0;
}

/* "## Solutions\n\n<text>" (or "## Solution\n\n"): the text; else the whole content. */
static void take_solution(struct vg_advisory *a)
{
    static const char *const heads[] = {"## Solutions\n\n", "## Solution\n\n"};
    char *s = a->solution;
    if (!s)
        return;
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(heads[i]);
        if (strncmp(s, heads[i], n) == 0) {
            memmove(s, s + n, strlen(s + n) + 1);
            break;
        }
    }
    if (!*s) {
        free(s);
        a->solution = NULL;
    }
}

static int read_doc(struct rd *r, const json_t *doc, struct vg_advisory *a)
{
    int rc;
    char *closed = NULL;
    if ((rc = read_str(r, doc, "", "reference", VG_MAX_NAME, REQUIRED, &a->ref)))
        return rc;
    if (!ref_ok(a->ref))
        return bad(r, "%s: letters, digits, '-' and '_' only", "reference");
    if ((rc = read_reference(a)))
        return vg_diag_set(r->d, rc, "/reference", "out of memory");
    if ((rc = read_str(r, doc, "", "title", VG_MAX_NAME, REQUIRED, &a->title)))
        return rc;
    if (!*a->title)
        return bad(r, "%s is empty", "title");
    if ((rc = read_str(r, doc, "", "summary", VG_MAX_STR_FIELD, NULLABLE, &a->summary)) ||
        (rc = read_str(r, doc, "", "content", VG_MAX_STR_FIELD, NULLABLE, &a->solution)) ||
        (rc = read_str(r, doc, "", "affected_systems_content", VG_MAX_STR_FIELD, NULLABLE,
                       &a->affected_content)) ||
        (rc = read_str(r, doc, "", "closed_at", VG_MAX_NAME, NULLABLE, &closed)))
        return rc;
    if (a->summary && !*a->summary) {
        free(a->summary);
        a->summary = NULL;
    }
    take_solution(a);
    if (closed && (rc = read_date(r, &closed, false)))
        return rc;
    if (a->kind == VG_ADV_ALERTE)
        a->closed_at = closed; /* other kinds have no closing date */
    else
        free(closed);
    if ((rc = read_risks(r, doc, a)) || (rc = read_systems(r, doc, a)) ||
        (rc = read_cves(r, doc, a)) || (rc = read_links(r, doc, a)) ||
        (rc = read_revisions(r, doc, a)))
        return rc;
    a->status = VG_ADV_PUBLISHED;
    a->version = (int)a->nrevisions;
    a->tlp = VG_TLP_CLEAR; /* a publication: public */
    a->created_at = vg_strdup(a->revisions[0].date);
    a->updated_at = vg_strdup(a->revisions[a->nrevisions - 1].date);
    if (!a->created_at || !a->updated_at)
        return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");
    return 0;
}

int vg_certfr_read(const json_t *doc, struct vg_advisory *out, struct vg_diag *d)
{
    memset(out, 0, sizeof *out);
    vg_diag_clear(d);
    struct rd r = {.d = d};
    if (!json_is_object(doc))
        return vg_diag_set(d, VG_EINVAL, "", "a CERT-FR publication is a JSON object");
    struct vg_advisory a = {0};
    int rc = read_doc(&r, doc, &a);
    if (rc) {
        vg_advisory_free(&a);
        return rc;
    }
    *out = a;
    return 0;
}
