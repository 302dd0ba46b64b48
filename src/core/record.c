/* Record validation for organisations, incidents and reports. Errors name the field as a
 * JSON pointer ("/assets/cidrs/2") so the API can answer {"error":{"field":...}}. */
#include "core/record.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/rsit.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"

/* A string field: present and a string of 1..max bytes (or 0..max if empty_ok). Returns 0,
 * 1 if absent, or a negative error. */
static int get_str(const json_t *in, const char *key, const char *ptr, size_t max, bool empty_ok,
                   const char **val, struct vg_diag *d)
{
    json_t *v = json_object_get(in, key);
    if (!v)
        return 1;
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    if (json_is_string(v) && n <= max && (n > 0 || empty_ok) &&
        !memchr(json_string_value(v), '\0', n)) {
        *val = json_string_value(v);
        return 0;
    }
    char field[160]; /* only for the error: a creation checks a dozen fields */
    snprintf(field, sizeof field, "%s%s", ptr, key);
    if (!json_is_string(v))
        return vg_diag_set(d, VG_EINVAL, field, "%s must be a string", field);
    if (n > max)
        return vg_diag_set(d, VG_ETOOBIG, field, "%s is longer than %zu bytes", field, max);
    if (n == 0 && !empty_ok)
        return vg_diag_set(d, VG_EINVAL, field, "%s must not be empty", field);
    return vg_diag_set(d, VG_EINVAL, field, "%s contains a NUL byte", field);
}

static int need(const char *ptr, const char *key, struct vg_diag *d)
{
    char field[160];
    snprintf(field, sizeof field, "%s%s", ptr, key);
    return vg_diag_set(d, VG_EINVAL, field, "%s is required", field);
}

/* A string from a closed list. */
static int get_enum(const json_t *in, const char *key, const char *ptr, const char *const *names,
                    const char **val, struct vg_diag *d)
{
    int rc = get_str(in, key, ptr, VG_MAX_NAME, false, val, d);
    if (rc)
        return rc;
    if (vg_name_index(names, *val) < 0) {
        char list[512], field[160];
        vg_names_join(names, list, sizeof list);
        snprintf(field, sizeof field, "%s%s", ptr, key);
        return vg_diag_set(d, VG_EINVAL, field, "%s must be one of: %s", field, list);
    }
    return 0;
}

static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) /* one '@': "a@b@evil.example" is none */
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>')
            return false;
    return vg_hostname_valid(at + 1, strlen(at + 1));
}

int vg_email_domain(const char *email, char *out, size_t cap)
{
    const char *at = email ? strrchr(email, '@') : NULL;
    if (!at || !at[1])
        return -1;
    size_t n = strlen(at + 1);
    if (n && at[n] == '.')
        n--;
    if (n == 0 || n + 1 > cap) /* "a@." has no domain either */
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)at[1 + i]);
    out[n] = '\0';
    return 0;
}

bool vg_cpe23_shape_ok(const char *s)
{
    if (strncmp(s, "cpe:2.3:", 8) != 0 || strlen(s) > VG_MAX_OBSERVABLE)
        return false;
    int parts = 2;
    for (const char *p = s + 8; *p; p++) {
        if (*p == '\\') {
            if (!p[1])
                return false;
            p++;
        } else if (*p == ':') {
            parts++;
        } else if ((unsigned char)*p <= ' ') {
            return false;
        }
    }
    return parts == 12 && strchr("aho*-", s[8]) && s[9] == ':';
}

/* A check builds its result with jansson's setters, whose failures it does not test one by
 * one: if an allocation of this thread failed while it ran, a value may be missing or good
 * input refused, so it answers out of memory instead (and drops the result). */
static int oom_guard(unsigned long before, int rc, json_t **out, struct vg_diag *d)
{
    if (vg_mem_thread_failures() == before)
        return rc;
    if (rc == 0) {
        json_decref(*out);
        *out = NULL;
    }
    return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

static int observable_check(const json_t *in, const char *ptr, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"value", "type", NULL};
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be an object {value, type}", ptr);
    int rc = vg_json_check_fields(in, fields, ptr, d);
    if (rc)
        return rc;
    const char *value = NULL, *tname = NULL;
    if ((rc = get_str(in, "value", ptr, VG_MAX_OBSERVABLE, false, &value, d)) < 0)
        return rc;
    if (rc == 1)
        return need(ptr, "value", d);
    if ((rc = get_str(in, "type", ptr, 32, false, &tname, d)) < 0)
        return rc;
    enum vg_obs_type t = VG_OBS_UNKNOWN;
    char field[160];
    if (tname) {
        t = vg_obs_type_parse(tname);
        if (t == VG_OBS_UNKNOWN) {
            snprintf(field, sizeof field, "%stype", ptr);
            return vg_diag_set(d, VG_EINVAL, field,
                               "%s must be one of: ipv4-addr, ipv6-addr, domain-name, url, "
                               "email-addr, md5, sha1, sha256",
                               field);
        }
    }
    struct vg_observable *o = vg_malloc(sizeof *o);
    if (!o)
        return VG_ENOMEM;
    rc = vg_observable_parse(vg_str_c(value), t, o, d);
    if (rc == 0)
        *out = json_pack("{s:s,s:s}", "type", vg_obs_type_name(o->type), "value", o->value);
    else if (d) {
        snprintf(field, sizeof field, "%svalue", ptr);
        snprintf(d->field, sizeof d->field, "%s", field);
    }
    free(o);
    return rc;
}

int vg_observable_check(const json_t *in, const char *ptr, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    return oom_guard(before, observable_check(in, ptr, out, d), out, d);
}

static int check_assets(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"cidrs", "domains", "products", NULL};
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "/assets", "assets must be an object");
    int rc = vg_json_check_fields(in, fields, "/assets/", d);
    if (rc)
        return rc;
    json_t *res = json_object();
    for (int k = 0; fields[k]; k++) {
        json_t *arr = json_object_get(in, fields[k]), *norm = json_array();
        json_object_set_new(res, fields[k], norm);
        if (!arr)
            continue;
        char field[160];
        snprintf(field, sizeof field, "/assets/%s", fields[k]);
        if (!json_is_array(arr) || json_array_size(arr) > VG_MAX_LIST) {
            rc = vg_diag_set(d, VG_EINVAL, field, "%s must be an array of at most %d strings",
                             field, VG_MAX_LIST);
            goto out;
        }
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) {
            snprintf(field, sizeof field, "/assets/%s/%zu", fields[k], i);
            if (!json_is_string(v)) {
                rc = vg_diag_set(d, VG_EINVAL, field, "%s must be a string", field);
                goto out;
            }
            const char *s = json_string_value(v);
            struct vg_observable o;
            if (k == 0) {
                if (vg_observable_parse(vg_str_c(s), VG_OBS_IPV4, &o, NULL) != 0 &&
                    vg_observable_parse(vg_str_c(s), VG_OBS_IPV6, &o, NULL) != 0) {
                    rc = vg_diag_set(d, VG_EINVAL, field, "%s: '%s' is not an address or CIDR",
                                     field, s);
                    goto out;
                }
                json_array_append_new(norm, json_string(o.value));
            } else if (k == 1) {
                if (vg_observable_parse(vg_str_c(s), VG_OBS_DOMAIN, &o, NULL) != 0) {
                    rc =
                        vg_diag_set(d, VG_EINVAL, field, "%s: '%s' is not a domain name", field, s);
                    goto out;
                }
                json_array_append_new(norm, json_string(o.value));
            } else {
                if (!vg_cpe23_shape_ok(s)) {
                    rc = vg_diag_set(d, VG_EINVAL, field,
                                     "%s: '%s' is not a CPE 2.3 name (cpe:2.3:part:vendor:...)",
                                     field, s);
                    goto out;
                }
                json_array_append_new(norm, json_string(s));
            }
        }
    }
    *out = res;
    return 0;
out:
    json_decref(res);
    return rc;
}

bool vg_contact_lang_ok(const char *lang)
{
    return lang && (!strcmp(lang, "fr") || !strcmp(lang, "en"));
}

bool vg_contact_optout_kind_ok(const char *kind)
{
    return kind && (!strcmp(kind, "digest") || !strcmp(kind, "alert") || !strcmp(kind, "advisory"));
}

bool vg_contact_opted_out(const json_t *contact, const char *kind)
{
    size_t i;
    json_t *k;
    if (!kind || !strcmp(kind, "incident"))
        return false; /* incident mail cannot be refused */
    json_array_foreach(json_object_get(contact, "optout"), i, k) {
        if (json_is_string(k) && !strcmp(json_string_value(k), kind))
            return true;
    }
    return false;
}

/* A contact's "optout": absent, or an array of distinct kinds among digest, alert and
 * advisory (incident mail cannot be refused). *out = a copy, or NULL when absent. */
static int check_optout(const json_t *in, const char *ptr, json_t **out, struct vg_diag *d)
{
    char f[160];
    *out = NULL;
    if (!in)
        return 0;
    snprintf(f, sizeof f, "%soptout", ptr);
    if (!json_is_array(in) || json_array_size(in) > 8)
        return vg_diag_set(d, VG_EINVAL, f, "%s must be an array of kinds", f);
    json_t *res = json_array();
    size_t i;
    json_t *k;
    json_array_foreach(in, i, k) {
        const char *s = json_string_value(k);
        if (!vg_contact_optout_kind_ok(s)) {
            json_decref(res);
            snprintf(f, sizeof f, "%soptout/%zu", ptr, i);
            return vg_diag_set(d, VG_EINVAL, f,
                               "%s must be \"digest\", \"alert\" or \"advisory\" (incident "
                               "mail cannot be refused)",
                               f);
        }
        bool dup = false;
        for (size_t j = 0; j < json_array_size(res) && !dup; j++)
            dup = !strcmp(json_string_value(json_array_get(res, j)), s);
        if (!dup)
            json_array_append_new(res, json_string(s));
    }
    *out = res;
    return 0;
}

static int check_contacts(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"name", "email", "role", "phone", "lang", "optout", NULL};
    if (!json_is_array(in) || json_array_size(in) > VG_MAX_LIST)
        return vg_diag_set(d, VG_EINVAL, "/contacts", "contacts must be an array of objects");
    json_t *res = json_array();
    size_t i;
    json_t *c;
    int rc = 0;
    json_array_foreach(in, i, c) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/contacts/%zu/", i);
        if (!json_is_object(c)) {
            rc = vg_diag_set(d, VG_EINVAL, ptr, "%s must be an object", ptr);
            goto out;
        }
        if ((rc = vg_json_check_fields(c, fields, ptr, d)))
            goto out;
        const char *name = NULL, *email = NULL, *role = "", *phone = NULL;
        if ((rc = get_str(c, "name", ptr, VG_MAX_NAME, false, &name, d)) != 0) {
            if (rc == 1)
                rc = need(ptr, "name", d);
            goto out;
        }
        if ((rc = get_str(c, "email", ptr, VG_MAX_NAME, false, &email, d)) != 0) {
            if (rc == 1)
                rc = need(ptr, "email", d);
            goto out;
        }
        if (!email_ok(email)) {
            char f[160];
            snprintf(f, sizeof f, "%semail", ptr);
            rc = vg_diag_set(d, VG_EINVAL, f, "%s is not an e-mail address", f);
            goto out;
        }
        if ((rc = get_str(c, "role", ptr, VG_MAX_NAME, true, &role, d)) < 0)
            goto out;
        if ((rc = get_str(c, "phone", ptr, 64, true, &phone, d)) < 0)
            goto out;
        const char *lang = NULL;
        if ((rc = get_str(c, "lang", ptr, 8, true, &lang, d)) < 0)
            goto out;
        if (lang && !vg_contact_lang_ok(lang)) {
            char f[160];
            snprintf(f, sizeof f, "%slang", ptr);
            rc = vg_diag_set(d, VG_EINVAL, f, "%s must be \"fr\" or \"en\"", f);
            goto out;
        }
        json_t *optout = NULL;
        if ((rc = check_optout(json_object_get(c, "optout"), ptr, &optout, d)))
            goto out;
        rc = 0;
        json_t *o =
            json_pack("{s:s,s:s,s:s}", "name", name, "email", email, "role", role ? role : "");
        if (phone)
            json_object_set_new(o, "phone", json_string(phone));
        if (lang)
            json_object_set_new(o, "lang", json_string(lang));
        if (optout)
            json_object_set_new(o, "optout", optout);
        json_array_append_new(res, o);
    }
    *out = res;
    return 0;
out:
    json_decref(res);
    return rc;
}

int vg_contacts_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    return oom_guard(before, check_contacts(in, out, d), out, d);
}

static int org_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"name", "kind", "sector", "assets", "contacts", NULL};
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (rc)
        return rc;
    json_t *res = json_object();
    const char *name, *kind, *sector;
    if ((rc = get_str(in, "name", "/", VG_MAX_NAME, false, &name, d)) < 0)
        goto out;
    if (rc == 0)
        json_object_set_new(res, "name", json_string(name));
    else if (mode == VG_CHECK_CREATE) {
        rc = need("/", "name", d);
        goto out;
    }
    if ((rc = get_enum(in, "kind", "/", vg_org_kind_names, &kind, d)) < 0)
        goto out;
    if (rc == 0) {
        json_object_set_new(res, "kind", json_string(kind));
        json_object_set_new(res, "eligible", json_boolean(vg_org_kind_eligible(kind)));
    } else if (mode == VG_CHECK_CREATE) {
        rc = need("/", "kind", d);
        goto out;
    }
    if ((rc = get_enum(in, "sector", "/", vg_sector_names, &sector, d)) < 0)
        goto out;
    if (rc == 0)
        json_object_set_new(res, "sector", json_string(sector));
    else if (mode == VG_CHECK_CREATE)
        json_object_set_new(res, "sector", json_string("other"));
    json_t *v, *norm;
    if ((v = json_object_get(in, "assets"))) {
        if ((rc = check_assets(v, &norm, d)))
            goto out;
        json_object_set_new(res, "assets", norm);
    } else if (mode == VG_CHECK_CREATE) {
        json_object_set_new(res, "assets",
                            json_pack("{s:[],s:[],s:[]}", "cidrs", "domains", "products"));
    }
    if ((v = json_object_get(in, "contacts"))) {
        if ((rc = check_contacts(v, &norm, d)))
            goto out;
        json_object_set_new(res, "contacts", norm);
    } else if (mode == VG_CHECK_CREATE) {
        json_object_set_new(res, "contacts", json_array());
    }
    *out = res;
    return 0;
out:
    json_decref(res);
    return rc;
}

int vg_org_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    return oom_guard(before, org_check(in, mode, out, d), out, d);
}

static int check_reporter(const json_t *in, const char *ptr, bool required, json_t **out,
                          struct vg_diag *d)
{
    static const char *const fields[] = {"name", "email", "phone", NULL};
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be an object {name, email, phone}", ptr);
    char p[64];
    snprintf(p, sizeof p, "%s/", ptr);
    int rc = vg_json_check_fields(in, fields, p, d);
    if (rc)
        return rc;
    const char *name = NULL, *email = NULL, *phone = NULL;
    if ((rc = get_str(in, "name", p, VG_MAX_NAME, false, &name, d)) < 0)
        return rc;
    if (rc == 1 && required)
        return need(p, "name", d);
    if ((rc = get_str(in, "email", p, VG_MAX_NAME, false, &email, d)) < 0)
        return rc;
    if (rc == 1 && required)
        return need(p, "email", d);
    if (email && !email_ok(email)) {
        char f[160];
        snprintf(f, sizeof f, "%semail", p);
        return vg_diag_set(d, VG_EINVAL, f, "%s is not an e-mail address", f);
    }
    if ((rc = get_str(in, "phone", p, 64, true, &phone, d)) < 0)
        return rc;
    json_t *r = json_object();
    if (name)
        json_object_set_new(r, "name", json_string(name));
    if (email)
        json_object_set_new(r, "email", json_string(email));
    if (phone)
        json_object_set_new(r, "phone", json_string(phone));
    *out = r;
    return 0;
}

static int check_observables(const json_t *in, json_t **out, struct vg_diag *d)
{
    if (!json_is_array(in) || json_array_size(in) > VG_MAX_LIST)
        return vg_diag_set(d, VG_EINVAL, "/observables",
                           "observables must be an array of at most %d objects", VG_MAX_LIST);
    json_t *res = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(in, i, v) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/observables/%zu/", i);
        json_t *o;
        int rc = vg_observable_check(v, ptr, &o, d);
        if (rc) {
            json_decref(res);
            return rc;
        }
        json_array_append_new(res, o);
    }
    *out = res;
    return 0;
}

static int check_time(const json_t *in, const char *key, json_t *res, struct vg_diag *d)
{
    const char *s;
    int rc = get_str(in, key, "/", 64, false, &s, d);
    if (rc)
        return rc < 0 ? rc : 0;
    time_t t;
    if (vg_time_parse(s, &t) != 0) {
        char field[64];
        snprintf(field, sizeof field, "/%s", key);
        return vg_diag_set(d, VG_EINVAL, field, "%s must be an RFC 3339 date-time", field);
    }
    char buf[VG_TIME_LEN];
    vg_time_fmt(t, buf);
    json_object_set_new(res, key, json_string(buf));
    return 0;
}

static int incident_check(const json_t *in, enum vg_check_mode mode, json_t **out,
                          struct vg_diag *d)
{
    static const char *const create_fields[] = {
        "title", "description", "class",    "type",     "severity",    "tlp", "pap",
        "org",   "reporter",    "assignee", "occurred", "observables", NULL,
    };
    static const char *const patch_fields[] = {
        "title", "description", "class",    "type",     "severity", "tlp",        "pap",
        "org",   "reporter",    "assignee", "occurred", "status",   "unverified", NULL,
    };
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    int rc =
        vg_json_check_fields(in, mode == VG_CHECK_CREATE ? create_fields : patch_fields, "/", d);
    if (rc)
        return rc;
    json_t *res = json_object(), *v, *norm;
    const char *s;
    if ((rc = get_str(in, "title", "/", VG_MAX_NAME, false, &s, d)) < 0)
        goto out;
    if (rc == 0)
        json_object_set_new(res, "title", json_string(s));
    else if (mode == VG_CHECK_CREATE) {
        rc = need("/", "title", d);
        goto out;
    }
    if ((rc = get_str(in, "description", "/", VG_MAX_STR_FIELD, true, &s, d)) < 0)
        goto out;
    if (rc == 0)
        json_object_set_new(res, "description", json_string(s));
    const char *cls = NULL, *type = NULL;
    if ((rc = get_str(in, "class", "/", VG_MAX_NAME, false, &cls, d)) < 0)
        goto out;
    if ((rc = get_str(in, "type", "/", VG_MAX_NAME, false, &type, d)) < 0)
        goto out;
    if (mode == VG_CHECK_CREATE && !cls) {
        rc = need("/", "class", d);
        goto out;
    }
    if (mode == VG_CHECK_CREATE && !type) {
        rc = need("/", "type", d);
        goto out;
    }
    if (cls && !vg_rsit_class_find(cls)) {
        rc = vg_diag_set(d, VG_EINVAL, "/class",
                         "/class '%s' is not an RSIT class (e.g. malicious-code, intrusions, "
                         "fraud, availability; see GET /api/v1/taxonomy)",
                         cls);
        goto out;
    }
    if (cls && type && !vg_rsit_valid(cls, type)) {
        rc = vg_diag_set(d, VG_EINVAL, "/type", "/type '%s' is not an RSIT type of class '%s'",
                         type, cls);
        goto out;
    }
    if (cls)
        json_object_set_new(res, "class", json_string(cls));
    if (type)
        json_object_set_new(res, "type", json_string(type));
    struct {
        const char *key;
        const char *const *names;
        const char *dflt;
    } enums[] = {
        {"severity", vg_severity_names, "medium"},
        {"tlp", vg_tlp_names, "AMBER"},
        {"pap", vg_pap_names, "AMBER"},
        {"status", vg_status_names, NULL},
    };
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        if ((rc = get_enum(in, enums[i].key, "/", enums[i].names, &s, d)) < 0)
            goto out;
        if (rc == 0)
            json_object_set_new(res, enums[i].key, json_string(s));
        else if (mode == VG_CHECK_CREATE && enums[i].dflt)
            json_object_set_new(res, enums[i].key, json_string(enums[i].dflt));
    }
    if ((v = json_object_get(in, "org"))) {
        if (!json_is_null(v) && (!json_is_integer(v) || json_integer_value(v) <= 0)) {
            rc = vg_diag_set(d, VG_EINVAL, "/org", "/org must be an organisation id or null");
            goto out;
        }
        json_object_set(res, "org", v);
    }
    if ((v = json_object_get(in, "reporter"))) {
        if ((rc = check_reporter(v, "/reporter", false, &norm, d)))
            goto out;
        json_object_set_new(res, "reporter", norm);
    }
    if ((v = json_object_get(in, "assignee"))) {
        if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) == 0 ||
                                 json_string_length(v) > VG_MAX_NAME)) {
            rc = vg_diag_set(d, VG_EINVAL, "/assignee", "/assignee must be a user name or null");
            goto out;
        }
        json_object_set(res, "assignee", v);
    }
    if ((rc = check_time(in, "occurred", res, d)))
        goto out;
    if ((v = json_object_get(in, "unverified"))) {
        if (!json_is_boolean(v)) {
            rc = vg_diag_set(d, VG_EINVAL, "/unverified", "/unverified must be true or false");
            goto out;
        }
        json_object_set(res, "unverified", v);
    }
    if ((v = json_object_get(in, "observables"))) {
        if ((rc = check_observables(v, &norm, d)))
            goto out;
        json_object_set_new(res, "observables", norm);
    }
    if (mode == VG_CHECK_PATCH && json_object_size(res) == 0) {
        rc = vg_diag_set(d, VG_EINVAL, "", "nothing to change");
        goto out;
    }
    *out = res;
    return 0;
out:
    json_decref(res);
    return rc;
}

int vg_incident_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    return oom_guard(before, incident_check(in, mode, out, d), out, d);
}

static int report_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"reporter",    "organisation", "title", "description",
                                         "observables", "occurred",     NULL};
    static const char *const org_fields[] = {"name", "kind", NULL};
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "the body must be a JSON object");
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (rc)
        return rc;
    json_t *res = json_object(), *v, *norm;
    if (!(v = json_object_get(in, "reporter"))) {
        rc = need("/", "reporter", d);
        goto out;
    }
    if ((rc = check_reporter(v, "/reporter", true, &norm, d)))
        goto out;
    json_object_set_new(res, "reporter", norm);
    if (!(v = json_object_get(in, "organisation"))) {
        rc = need("/", "organisation", d);
        goto out;
    }
    if (!json_is_object(v)) {
        rc = vg_diag_set(d, VG_EINVAL, "/organisation", "/organisation must be {name, kind}");
        goto out;
    }
    if ((rc = vg_json_check_fields(v, org_fields, "/organisation/", d)))
        goto out;
    const char *s;
    if ((rc = get_str(v, "name", "/organisation/", VG_MAX_NAME, false, &s, d)) != 0) {
        if (rc == 1)
            rc = need("/organisation/", "name", d);
        goto out;
    }
    const char *kind;
    if ((rc = get_enum(v, "kind", "/organisation/", vg_org_kind_names, &kind, d)) != 0) {
        if (rc == 1)
            rc = need("/organisation/", "kind", d);
        goto out;
    }
    json_object_set_new(res, "organisation", json_pack("{s:s,s:s}", "name", s, "kind", kind));
    if ((rc = get_str(in, "title", "/", VG_MAX_NAME, false, &s, d)) != 0) {
        if (rc == 1)
            rc = need("/", "title", d);
        goto out;
    }
    json_object_set_new(res, "title", json_string(s));
    if ((rc = get_str(in, "description", "/", VG_MAX_STR_FIELD, false, &s, d)) != 0) {
        if (rc == 1)
            rc = need("/", "description", d);
        goto out;
    }
    json_object_set_new(res, "description", json_string(s));
    if ((v = json_object_get(in, "observables"))) {
        if ((rc = check_observables(v, &norm, d)))
            goto out;
        json_object_set_new(res, "observables", norm);
    }
    if ((rc = check_time(in, "occurred", res, d)))
        goto out;
    *out = res;
    return 0;
out:
    json_decref(res);
    return rc;
}

int vg_report_check(const json_t *in, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    return oom_guard(before, report_check(in, out, d), out, d);
}

/* "valid_until" (STIX's name) is accepted for "expires": checked as a time and stored as
 * expires; both given must name the same instant. */
static int check_valid_until(const json_t *in, json_t *res, struct vg_diag *d)
{
    json_t *tmp = json_object();
    if (!tmp)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = check_time(in, "valid_until", tmp, d);
    json_t *v = json_object_get(tmp, "valid_until"), *e = json_object_get(res, "expires");
    if (!rc && v && e && !json_equal(v, e))
        rc = vg_diag_set(d, VG_EINVAL, "/valid_until",
                         "/valid_until and /expires differ (valid_until is another name for "
                         "expires: give one)");
    else if (!rc && v)
        json_object_set(res, "expires", v);
    json_decref(tmp);
    return rc;
}

static int indicator_check(const json_t *in, enum vg_check_mode mode, json_t **out,
                           struct vg_diag *d)
{
    static const char *const fields[] = {"value",      "type",        "tlp",        "source",
                                         "confidence", "tags",        "first_seen", "last_seen",
                                         "expires",    "valid_until", NULL};
    if (!json_is_object(in))
        return vg_diag_set(d, VG_EINVAL, "", "an indicator must be a JSON object");
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (rc)
        return rc;
    json_t *obs = json_object(), *res = NULL, *v;
    json_object_set(obs, "value", json_object_get(in, "value"));
    if (json_object_get(in, "type"))
        json_object_set(obs, "type", json_object_get(in, "type"));
    if ((rc = vg_observable_check(obs, "/", &res, d))) {
        json_decref(obs);
        return rc;
    }
    json_decref(obs);
    const char *s;
    if ((rc = get_enum(in, "tlp", "/", vg_tlp_names, &s, d)) < 0)
        goto out;
    if (rc == 0 || mode == VG_CHECK_CREATE)
        json_object_set_new(res, "tlp", json_string(rc == 0 ? s : "AMBER"));
    if ((rc = get_str(in, "source", "/", VG_MAX_NAME, true, &s, d)) < 0)
        goto out;
    if (rc == 0 || mode == VG_CHECK_CREATE)
        json_object_set_new(res, "source", json_string(rc == 0 ? s : ""));
    v = json_object_get(in, "confidence");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)) {
        rc = vg_diag_set(d, VG_EINVAL, "/confidence", "/confidence must be an integer 0-100");
        goto out;
    }
    if (v || mode == VG_CHECK_CREATE)
        json_object_set_new(res, "confidence", v ? json_incref(v) : json_integer(50));
    v = json_object_get(in, "tags");
    if (v) {
        if (!json_is_array(v) || json_array_size(v) > 50) {
            rc = vg_diag_set(d, VG_EINVAL, "/tags",
                             "/tags must be an array of at most 50 "
                             "strings");
            goto out;
        }
        size_t i;
        json_t *t;
        json_array_foreach(v, i, t) {
            if (!json_is_string(t) || json_string_length(t) == 0 || json_string_length(t) > 64) {
                char f[32];
                snprintf(f, sizeof f, "/tags/%zu", i);
                rc = vg_diag_set(d, VG_EINVAL, f, "%s must be a string of 1-64 bytes", f);
                goto out;
            }
        }
        json_object_set(res, "tags", v);
    } else if (mode == VG_CHECK_CREATE) {
        json_object_set_new(res, "tags", json_array());
    }
    static const char *const times[] = {"first_seen", "last_seen", "expires"};
    for (size_t i = 0; i < 3; i++)
        if ((rc = check_time(in, times[i], res, d)))
            goto out;
    if ((rc = check_valid_until(in, res, d)))
        goto out;
    *out = res;
    return 0;
out:
    json_decref(res);
    return rc < 0 ? rc : VG_EINVAL;
}

int vg_indicator_check(const json_t *in, enum vg_check_mode mode, json_t **out, struct vg_diag *d)
{
    unsigned long before = vg_mem_thread_failures();
    return oom_guard(before, indicator_check(in, mode, out, d), out, d);
}
