/* The API form of an advisory (advisory/model.h): the checks of a body, field by field, each
 * error naming its JSON pointer, and the reading of a stored record into struct vg_advisory.
 * The CPE check is a shape check of its own: advisory/ may not use vuln/cpe.h. */
#include "advisory/model.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"

#define PTR_LEN 160 /* struct vg_diag's field */

/* What a text may hold: one line (names, titles) or several (Markdown). */
enum text_kind { ONE_LINE, MULTI_LINE };

/* Checks that v is a non-empty string of at most max bytes without control characters (but
 * newlines and tabs in a MULTI_LINE text). */
static int check_text(const json_t *v, const char *ptr, size_t max, enum text_kind k,
                      struct vg_diag *d)
{
    if (!json_is_string(v))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be a string", ptr);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0)
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must not be empty", ptr);
    if (n > max)
        return vg_diag_set(d, VG_ETOOBIG, ptr, "%s is longer than %zu bytes", ptr, max);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ws = c == '\n' || c == '\r' || c == '\t';
        if ((c < 0x20 || c == 0x7f) && !(k == MULTI_LINE && ws))
            return vg_diag_set(d, VG_EINVAL, ptr, "%s holds a control character at byte %zu", ptr,
                               i);
    }
    return 0;
}

static int check_bool(const json_t *v, const char *ptr, struct vg_diag *d)
{
    return json_is_boolean(v) ? 0 : vg_diag_set(d, VG_EINVAL, ptr, "%s must be true or false", ptr);
}

/* Checks that v is an array of at most VG_MAX_LIST items. */
static int check_array(const json_t *v, const char *ptr, struct vg_diag *d)
{
    if (!json_is_array(v))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be an array", ptr);
    if (json_array_size(v) > VG_MAX_LIST)
        return vg_diag_set(d, VG_ETOOBIG, ptr, "%s has more than %d items", ptr, VG_MAX_LIST);
    return 0;
}

bool vg_advisory_cve_ok(const char *s)
{
    if (strncasecmp(s, "CVE-", 4) != 0)
        return false;
    size_t i = 4, n = 0;
    while (isdigit((unsigned char)s[i]))
        i++;
    if (i != 8 || s[i++] != '-')
        return false;
    while (isdigit((unsigned char)s[i + n]))
        n++;
    return n >= 4 && n <= 19 && s[i + n] == '\0';
}

bool vg_advisory_cpe_ok(const char *s)
{
    if (strlen(s) > VG_MAX_CPE || strncmp(s, "cpe:2.3:", 8) != 0)
        return false;
    const char *p = s + 8;
    int parts = 0;
    for (;;) {
        const char *start = p;
        while (*p && *p != ':') {
            if (*p == '\\') {
                if (p[1] < 0x21 || p[1] > 0x7e)
                    return false;
                p += 2;
            } else if (isalnum((unsigned char)*p) || strchr("._-*?", *p)) {
                p++;
            } else {
                return false;
            }
        }
        size_t len = (size_t)(p - start);
        if (len == 0 || (parts == 0 && (len != 1 || !strchr("aoh*-", *start))))
            return false;
        parts++;
        if (*p != ':')
            break;
        p++;
    }
    return parts == 11;
}

/* An http(s) URL: the scheme, a host, and no blank, control or quoting character. */
static int check_url(const json_t *v, const char *ptr, struct vg_diag *d)
{
    int rc = check_text(v, ptr, VG_ADV_MAX_URL, ONE_LINE, d);
    if (rc)
        return rc;
    const char *s = json_string_value(v), *host;
    if (strncasecmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be an http or https URL", ptr);
    if (!*host || strchr("/?#", *host))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s has no host", ptr);
    for (const char *p = s; *p; p++)
        if (*p == ' ' || strchr("\"<>\\`", *p))
            return vg_diag_set(d, VG_EINVAL, ptr, "%s holds '%c': percent-encode it", ptr, *p);
    return 0;
}

static int check_risks(const json_t *v, json_t *out, struct vg_diag *d)
{
    char ptr[PTR_LEN];
    unsigned seen = 0;
    int rc = check_array(v, "/risks", d);
    if (rc)
        return rc;
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it) {
        enum vg_adv_risk r;
        snprintf(ptr, sizeof ptr, "/risks/%zu", i);
        if (!json_is_string(it) || vg_adv_risk_parse(json_string_value(it), &r) != 0)
            return vg_diag_set(d, VG_EINVAL, ptr,
                               "%s must be one of the risks: remote code execution, privilege "
                               "escalation, denial of service, security bypass, information "
                               "disclosure, data integrity breach, cross-site scripting, "
                               "server-side request forgery, other",
                               ptr);
        if (seen & (1u << r))
            return vg_diag_set(d, VG_EINVAL, ptr, "%s: '%s' is given twice", ptr,
                               vg_adv_risk_name(r));
        seen |= 1u << r;
    }
    json_object_set(out, "risks", (json_t *)v);
    return 0;
}

static int check_systems(const json_t *v, json_t *out, struct vg_diag *d)
{
    static const char *const fields[] = {"vendor", "product", "versions", "cpe",
                                         "fixed",  "scada",   NULL};
    static const char *const required[] = {"vendor", "product", "versions"};
    char ptr[PTR_LEN], base[64];
    int rc = check_array(v, "/affected_systems", d);
    if (rc)
        return rc;
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it) {
        snprintf(base, sizeof base, "/affected_systems/%zu", i);
        if (!json_is_object(it))
            return vg_diag_set(d, VG_EINVAL, base, "%s must be an object", base);
        snprintf(ptr, sizeof ptr, "%s/", base);
        if ((rc = vg_json_check_fields(it, fields, ptr, d)) != 0)
            return rc;
        for (size_t k = 0; k < 3; k++) {
            snprintf(ptr, sizeof ptr, "%s/%s", base, required[k]);
            const json_t *f = json_object_get(it, required[k]);
            if (!f)
                return vg_diag_set(d, VG_EINVAL, ptr, "%s is required", ptr);
            if ((rc = check_text(f, ptr, VG_MAX_NAME, ONE_LINE, d)) != 0)
                return rc;
        }
        const json_t *f;
        if ((f = json_object_get(it, "fixed")) != NULL) {
            snprintf(ptr, sizeof ptr, "%s/fixed", base);
            if ((rc = check_text(f, ptr, VG_MAX_NAME, ONE_LINE, d)) != 0)
                return rc;
        }
        if ((f = json_object_get(it, "scada")) != NULL) {
            snprintf(ptr, sizeof ptr, "%s/scada", base);
            if ((rc = check_bool(f, ptr, d)) != 0)
                return rc;
        }
        if ((f = json_object_get(it, "cpe")) != NULL) {
            snprintf(ptr, sizeof ptr, "%s/cpe", base);
            if ((rc = check_text(f, ptr, VG_MAX_CPE, ONE_LINE, d)) != 0)
                return rc;
            if (!vg_advisory_cpe_ok(json_string_value(f)))
                return vg_diag_set(d, VG_EINVAL, ptr,
                                   "%s is not a CPE 2.3 formatted string "
                                   "(cpe:2.3:part:vendor:product:version:...: 13 parts)",
                                   ptr);
        }
    }
    json_object_set(out, "affected_systems", (json_t *)v);
    return 0;
}

/* One CVE id at ptr, written upper case into id (cap bytes); a duplicate of one in seen is
 * refused. */
static int check_cve_id(const json_t *v, const char *ptr, json_t *seen, char *id, size_t cap,
                        struct vg_diag *d)
{
    if (!json_is_string(v) || !vg_advisory_cve_ok(json_string_value(v)) ||
        json_string_length(v) >= cap)
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be a CVE id (CVE-YYYY-NNNN)", ptr);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i <= n; i++)
        id[i] = (char)toupper((unsigned char)s[i]);
    if (json_object_get(seen, id))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s: %s is given twice", ptr, id);
    json_object_set_new(seen, id, json_true());
    return 0;
}

static int check_cves(const json_t *v, json_t *out, struct vg_diag *d)
{
    static const char *const fields[] = {"id", "cvss", "cvss_vector", "kev", NULL};
    char ptr[PTR_LEN], base[64], id[32];
    int rc = check_array(v, "/cves", d);
    if (rc)
        return rc;
    json_t *seen = json_object(), *norm = json_array(), *it;
    size_t i;
    json_array_foreach(v, i, it) {
        snprintf(base, sizeof base, "/cves/%zu", i);
        if (!json_is_object(it)) {
            if ((rc = check_cve_id(it, base, seen, id, sizeof id, d)) != 0)
                goto out;
            json_array_append_new(norm, json_string(id));
            continue;
        }
        snprintf(ptr, sizeof ptr, "%s/", base);
        if ((rc = vg_json_check_fields(it, fields, ptr, d)) != 0)
            goto out;
        snprintf(ptr, sizeof ptr, "%s/id", base);
        const json_t *f = json_object_get(it, "id");
        if (!f) {
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s is required", ptr);
            goto out;
        }
        if ((rc = check_cve_id(f, ptr, seen, id, sizeof id, d)) != 0)
            goto out;
        json_t *c = json_deep_copy(it);
        json_object_set_new(c, "id", json_string(id));
        json_array_append_new(norm, c);
        if ((f = json_object_get(it, "cvss")) != NULL &&
            (!json_is_number(f) || json_number_value(f) < 0 || json_number_value(f) > 10)) {
            snprintf(ptr, sizeof ptr, "%s/cvss", base);
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s must be a score from 0 to 10", ptr);
            goto out;
        }
        snprintf(ptr, sizeof ptr, "%s/cvss_vector", base);
        if ((f = json_object_get(it, "cvss_vector")) != NULL &&
            (rc = check_text(f, ptr, VG_MAX_NAME, ONE_LINE, d)) != 0)
            goto out;
        snprintf(ptr, sizeof ptr, "%s/kev", base);
        if ((f = json_object_get(it, "kev")) != NULL && (rc = check_bool(f, ptr, d)) != 0)
            goto out;
    }
    json_object_set(out, "cves", norm);
out:
    json_decref(seen);
    json_decref(norm);
    return rc;
}

static int check_references(const json_t *v, json_t *out, struct vg_diag *d)
{
    static const char *const fields[] = {"url", "title", "vendor", "published_at", NULL};
    char ptr[PTR_LEN], base[64];
    int rc = check_array(v, "/references", d);
    if (rc)
        return rc;
    json_t *norm = json_array(), *it;
    size_t i;
    json_array_foreach(v, i, it) {
        snprintf(base, sizeof base, "/references/%zu", i);
        if (!json_is_object(it)) {
            if ((rc = check_url(it, base, d)) != 0)
                goto out;
            json_array_append_new(norm, json_pack("{s:O}", "url", it));
            continue;
        }
        snprintf(ptr, sizeof ptr, "%s/", base);
        if ((rc = vg_json_check_fields(it, fields, ptr, d)) != 0)
            goto out;
        const json_t *f = json_object_get(it, "url");
        snprintf(ptr, sizeof ptr, "%s/url", base);
        if (!f) {
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s is required", ptr);
            goto out;
        }
        if ((rc = check_url(f, ptr, d)) != 0)
            goto out;
        snprintf(ptr, sizeof ptr, "%s/title", base);
        if ((f = json_object_get(it, "title")) != NULL &&
            (rc = check_text(f, ptr, VG_ADV_MAX_TITLE, ONE_LINE, d)) != 0)
            goto out;
        snprintf(ptr, sizeof ptr, "%s/vendor", base);
        if ((f = json_object_get(it, "vendor")) != NULL && (rc = check_bool(f, ptr, d)) != 0)
            goto out;
        snprintf(ptr, sizeof ptr, "%s/published_at", base);
        time_t t;
        if ((f = json_object_get(it, "published_at")) != NULL &&
            (!json_is_string(f) || json_string_length(f) >= VG_TIME_LEN ||
             vg_time_parse(json_string_value(f), &t) != 0)) {
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s must be an RFC 3339 date", ptr);
            goto out;
        }
        json_array_append_new(norm, json_deep_copy(it));
    }
    json_object_set(out, "references", norm);
out:
    json_decref(norm);
    return rc;
}

int vg_advisory_check(const json_t *in, bool patch, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"kind",       "title",   "tlp",
                                         "lang",       "risks",   "affected_systems",
                                         "cves",       "summary", "solution",
                                         "references", NULL};
    static const char *const workflow[] = {"closed_at", "ref",        "status",     "version",
                                           "revisions", "created_at", "updated_at", "published_at"};
    unsigned long before = vg_mem_thread_failures();
    *out = NULL;
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    for (size_t i = 0; i < sizeof workflow / sizeof workflow[0]; i++) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/%s", workflow[i]);
        if (json_object_get(in, workflow[i]))
            return vg_diag_set(d, VG_EINVAL, ptr, "%s is set by the workflow, not by a client%s",
                               ptr, i == 0 ? " (POST /api/v1/advisories/{ref}/close)" : "");
    }
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (rc)
        return rc;
    json_t *o = json_object();
    const json_t *v;
    enum vg_adv_kind kind;
    if ((v = json_object_get(in, "kind")) != NULL) {
        if (!json_is_string(v) || vg_adv_kind_parse(json_string_value(v), &kind) != 0) {
            rc = vg_diag_set(d, VG_EINVAL, "/kind",
                             "/kind must be one of: avis, alerte, actualite, cti, ioc, "
                             "durcissement, fiche-reflexe, guide");
            goto out;
        }
        json_object_set_new(o, "kind", json_string(vg_adv_kind_name(kind)));
    } else if (!patch) {
        rc = vg_diag_set(d, VG_EINVAL, "/kind", "/kind is required");
        goto out;
    }
    if ((v = json_object_get(in, "title")) != NULL) {
        if ((rc = check_text(v, "/title", VG_ADV_MAX_TITLE, ONE_LINE, d)) != 0)
            goto out;
        json_object_set(o, "title", (json_t *)v);
    } else if (!patch) {
        rc = vg_diag_set(d, VG_EINVAL, "/title", "/title is required");
        goto out;
    }
    enum vg_tlp tlp = VG_TLP_CLEAR;
    if ((v = json_object_get(in, "tlp")) != NULL &&
        (!json_is_string(v) || vg_tlp_parse(json_string_value(v), &tlp) != 0)) {
        rc = vg_diag_set(d, VG_EINVAL, "/tlp",
                         "/tlp must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED");
        goto out;
    }
    if (v || !patch)
        json_object_set_new(o, "tlp", json_string(vg_tlp_name(tlp)));
    if ((v = json_object_get(in, "lang")) != NULL) {
        const char *l = json_string_value(v);
        if (!l || (strcmp(l, "fr") != 0 && strcmp(l, "en") != 0)) {
            rc = vg_diag_set(d, VG_EINVAL, "/lang", "/lang must be \"fr\" or \"en\"");
            goto out;
        }
        json_object_set(o, "lang", (json_t *)v);
    }
    if ((v = json_object_get(in, "risks")) != NULL && (rc = check_risks(v, o, d)) != 0)
        goto out;
    if ((v = json_object_get(in, "affected_systems")) != NULL && (rc = check_systems(v, o, d)) != 0)
        goto out;
    if ((v = json_object_get(in, "cves")) != NULL && (rc = check_cves(v, o, d)) != 0)
        goto out;
    static const char *const texts[] = {"summary", "solution"};
    for (size_t i = 0; i < 2; i++) {
        char ptr[16];
        snprintf(ptr, sizeof ptr, "/%s", texts[i]);
        if ((v = json_object_get(in, texts[i])) != NULL) {
            if ((rc = check_text(v, ptr, VG_ADV_MAX_TEXT, MULTI_LINE, d)) != 0)
                goto out;
            json_object_set(o, texts[i], (json_t *)v);
        }
    }
    if ((v = json_object_get(in, "references")) != NULL && (rc = check_references(v, o, d)) != 0)
        goto out;
out:
    if (rc == 0 && vg_mem_thread_failures() != before)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}

/* ---- from a record to struct vg_advisory ---- */

/* A copy of the string at key, NULL when absent; *oom set when the copy failed. */
static char *dup_key(const json_t *o, const char *key, bool *oom)
{
    const char *s = vg_json_str(o, key);
    if (!s)
        return NULL;
    char *c = vg_strdup(s);
    if (!c)
        *oom = true;
    return c;
}

/* Allocates n items of size for an array field (NULL for none); *oom on failure. */
static void *items(size_t n, size_t size, bool *oom)
{
    if (n == 0)
        return NULL;
    void *p = vg_calloc(n, size);
    if (!p)
        *oom = true;
    return p;
}

static int read_risks(const json_t *arr, struct vg_advisory *a, bool *oom, struct vg_diag *d)
{
    size_t i;
    json_t *it;
    if (!(a->risks = items(json_array_size(arr), sizeof *a->risks, oom)))
        return 0;
    json_array_foreach(arr, i, it) {
        if (!json_is_string(it) || vg_adv_risk_parse(json_string_value(it), &a->risks[i].kind))
            return vg_diag_set(d, VG_EINVAL, "/risks", "/risks/%zu is not a known risk", i);
        a->nrisks++;
    }
    return 0;
}

static void read_systems(const json_t *arr, struct vg_advisory *a, bool *oom)
{
    size_t i;
    json_t *it;
    if (!(a->systems = items(json_array_size(arr), sizeof *a->systems, oom)))
        return;
    json_array_foreach(arr, i, it) {
        struct vg_adv_system *s = &a->systems[a->nsystems++];
        s->vendor = dup_key(it, "vendor", oom);
        s->product = dup_key(it, "product", oom);
        s->versions = dup_key(it, "versions", oom);
        s->fixed = dup_key(it, "fixed", oom);
        s->cpe = dup_key(it, "cpe", oom);
        s->scada = json_is_true(json_object_get(it, "scada"));
    }
}

static void read_cves(const json_t *arr, struct vg_advisory *a, bool *oom)
{
    size_t i;
    json_t *it;
    if (!(a->cves = items(json_array_size(arr), sizeof *a->cves, oom)))
        return;
    json_array_foreach(arr, i, it) {
        struct vg_adv_cve *c = &a->cves[a->ncves++];
        c->cvss = -1;
        if (json_is_string(it)) {
            if (!(c->id = vg_strdup(json_string_value(it))))
                *oom = true;
            continue;
        }
        c->id = dup_key(it, "id", oom);
        c->cvss_vector = dup_key(it, "cvss_vector", oom);
        const json_t *score = json_object_get(it, "cvss");
        if (json_is_number(score))
            c->cvss = json_number_value(score);
        c->kev = json_is_true(json_object_get(it, "kev"));
    }
}

static void read_links(const json_t *arr, struct vg_advisory *a, bool *oom)
{
    size_t i;
    json_t *it;
    if (!(a->links = items(json_array_size(arr), sizeof *a->links, oom)))
        return;
    json_array_foreach(arr, i, it) {
        struct vg_adv_link *l = &a->links[a->nlinks++];
        if (json_is_string(it)) {
            if (!(l->url = vg_strdup(json_string_value(it))))
                *oom = true;
            continue;
        }
        l->url = dup_key(it, "url", oom);
        l->title = dup_key(it, "title", oom);
        l->published_at = dup_key(it, "published_at", oom);
        l->vendor = json_is_true(json_object_get(it, "vendor"));
    }
}

static void read_revisions(const json_t *arr, struct vg_advisory *a, bool *oom)
{
    size_t i;
    json_t *it;
    if (!(a->revisions = items(json_array_size(arr), sizeof *a->revisions, oom)))
        return;
    json_array_foreach(arr, i, it) {
        struct vg_adv_revision *r = &a->revisions[a->nrevisions++];
        r->version = (int)json_integer_value(json_object_get(it, "version"));
        r->date = dup_key(it, "date", oom);
        r->description = dup_key(it, "description", oom);
    }
}

int vg_advisory_from_json(const json_t *rec, struct vg_advisory *out, struct vg_diag *d)
{
    memset(out, 0, sizeof *out);
    bool oom = false;
    int rc = 0;
    if (!json_is_object(rec))
        return vg_diag_set(d, VG_EINVAL, "", "an advisory record must be a JSON object");
    if (!vg_json_str(rec, "kind") || vg_adv_kind_parse(vg_json_str(rec, "kind"), &out->kind) != 0)
        return vg_diag_set(d, VG_EINVAL, "/kind", "/kind is missing or unknown");
    const char *status = vg_json_str(rec, "status");
    if (status && vg_adv_status_parse(status, &out->status) != 0)
        return vg_diag_set(d, VG_EINVAL, "/status", "/status '%s' is unknown", status);
    const char *tlp = vg_json_str(rec, "tlp");
    out->tlp = VG_TLP_CLEAR;
    if (tlp && vg_tlp_parse(tlp, &out->tlp) != 0)
        return vg_diag_set(d, VG_EINVAL, "/tlp", "/tlp '%s' is unknown", tlp);
    out->version = (int)json_integer_value(json_object_get(rec, "version"));
    out->ref = dup_key(rec, "ref", &oom);
    out->lang = dup_key(rec, "lang", &oom);
    out->title = dup_key(rec, "title", &oom);
    out->summary = dup_key(rec, "summary", &oom);
    out->solution = dup_key(rec, "solution", &oom);
    out->created_at = dup_key(rec, "created_at", &oom);
    out->updated_at = dup_key(rec, "updated_at", &oom);
    out->closed_at = dup_key(rec, "closed_at", &oom);
    rc = read_risks(json_object_get(rec, "risks"), out, &oom, d);
    if (rc == 0) {
        read_systems(json_object_get(rec, "affected_systems"), out, &oom);
        read_cves(json_object_get(rec, "cves"), out, &oom);
        read_links(json_object_get(rec, "references"), out, &oom);
        read_revisions(json_object_get(rec, "revisions"), out, &oom);
    }
    if (rc == 0 && oom)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (rc)
        vg_advisory_free(out);
    return rc;
}
