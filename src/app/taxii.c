/* The TAXII 2.1 server's use cases (app/taxii.h): who may read and write a collection, pages
 * written straight from the store's rows through the TLP gate, posted objects checked and
 * stored, deletes, status resources. */
#include "app/taxii.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/auth.h"
#include "app/partner.h"
#include "core/tlp.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/uuid.h"

/* ---- timestamps ---- */

void vg_taxii_time_fmt(long long us, char out[32])
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%06dZ", (int)(us % 1000000));
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int vg_taxii_time_parse(const char *s, long long *us)
{
    if (!s || strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != ':')
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), da = digits(s + 8, 2), h = digits(s + 11, 2),
        mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || da < 1 || da > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || se < 0 || se > 60)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (da > mdays[mo - 1] || (mo == 2 && da == 29 && !leap))
        return -1;
    const char *p = s + 19;
    long long frac = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n < 6)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0 || n > 9)
            return -1;
        for (; n < 6; n++)
            frac *= 10;
    }
    if (p[0] != 'Z' || p[1] != '\0')
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = da,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = se};
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *us = (long long)t * 1000000 + frac;
    return 0;
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- filters ---- */

void vg_taxii_filter_cleanup(struct vg_taxii_filter *f)
{
    for (int k = 0; k < 3; k++) {
        size_t n = k == 0 ? f->q.n_ids : k == 1 ? f->q.n_types : f->q.n_specs;
        for (size_t i = 0; f->lists[k] && i < n; i++)
            free(f->lists[k][i]);
        free(f->lists[k]);
        f->lists[k] = NULL;
    }
    free(f->at);
    f->at = NULL;
    f->q.n_ids = f->q.n_types = f->q.n_specs = f->q.n_at = 0;
}

/* Splits a comma-separated list into owned strings; VG_EINVAL for an empty item. */
static int split(const char *s, const char *param, char ***out, size_t *n, struct vg_diag *d)
{
    *out = NULL;
    *n = 0;
    if (!s)
        return 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    if (cap > VG_MAX_LIST)
        return vg_diag_set(d, VG_EINVAL, param, "more than %d values", VG_MAX_LIST);
    char **a = vg_calloc(cap, sizeof *a);
    if (!a)
        return vg_diag_set(d, VG_ENOMEM, param, "out of memory");
    *out = a;
    for (const char *p = s;; p++) {
        size_t len = strcspn(p, ",");
        if (len == 0)
            return vg_diag_set(d, VG_EINVAL, param, "an empty value in the list");
        if (!(a[*n] = vg_strndup(p, len)))
            return vg_diag_set(d, VG_ENOMEM, param, "out of memory");
        (*n)++;
        p += len;
        if (!*p)
            break;
    }
    return 0;
}

static int parse_versions(struct vg_taxii_filter *f, const char *version, struct vg_diag *d)
{
    char **v = NULL;
    size_t n = 0;
    int rc = split(version, "match[version]", &v, &n, d);
    if (!rc && n && !(f->at = vg_calloc(n, sizeof *f->at)))
        rc = vg_diag_set(d, VG_ENOMEM, "match[version]", "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        if (strcmp(v[i], "last") == 0) {
            f->q.versions |= VG_TAXII_V_LAST;
        } else if (strcmp(v[i], "first") == 0) {
            f->q.versions |= VG_TAXII_V_FIRST;
        } else if (strcmp(v[i], "all") == 0) {
            f->q.versions |= VG_TAXII_V_ALL;
        } else if (vg_taxii_time_parse(v[i], &f->at[f->q.n_at]) == 0) {
            f->q.versions |= VG_TAXII_V_AT;
            f->q.n_at++;
        } else {
            rc = vg_diag_set(d, VG_EINVAL, "match[version]",
                             "'%.64s' is not last, first, all nor a timestamp "
                             "(YYYY-MM-DDTHH:MM:SS[.s]Z)",
                             v[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    return rc;
}

int vg_taxii_filter_parse(struct vg_taxii_filter *f, const char *added_after, const char *type,
                          const char *id, const char *version, const char *spec, const char *limit,
                          const char *next, unsigned def_versions, struct vg_diag *d)
{
    memset(f, 0, sizeof *f);
    f->q.after = -1;
    f->q.limit = VG_TAXII_PAGE_DEFAULT;
    int rc;
    if ((rc = split(id, "match[id]", &f->lists[0], &f->q.n_ids, d)) ||
        (rc = split(type, "match[type]", &f->lists[1], &f->q.n_types, d)) ||
        (rc = split(spec, "match[spec_version]", &f->lists[2], &f->q.n_specs, d)))
        return rc;
    f->q.ids = (const char *const *)f->lists[0];
    f->q.types = (const char *const *)f->lists[1];
    f->q.specs = (const char *const *)f->lists[2];
    if ((rc = parse_versions(f, version, d)))
        return rc;
    f->q.at = f->at;
    if (!f->q.versions)
        f->q.versions = def_versions;
    if (added_after && vg_taxii_time_parse(added_after, &f->q.after) != 0)
        return vg_diag_set(d, VG_EINVAL, "added_after",
                           "not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)");
    if (limit) {
        char *end;
        errno = 0;
        long long n = strtoll(limit, &end, 10);
        if (!*limit || *end || errno || n < 1)
            return vg_diag_set(d, VG_EINVAL, "limit", "limit must be a positive integer");
        f->q.limit = n > VG_TAXII_PAGE_MAX ? VG_TAXII_PAGE_MAX : (int)n;
    }
    if (next) {
        char *end;
        errno = 0;
        long long n = strtoll(next, &end, 10);
        if (!*next || *end || errno || n < 0 || next[0] < '0' || next[0] > '9')
            return vg_diag_set(d, VG_EINVAL, "next", "not a cursor this server gave");
        if (n > f->q.after)
            f->q.after = n;
    }
    return 0;
}

/* ---- collections ---- */

/* Checks "all" or an array of distinct positive partner ids at key of in (if present). */
static int check_parties(const json_t *in, const char *key, struct vg_diag *d)
{
    const json_t *v = json_object_get(in, key);
    char ptr[32];
    snprintf(ptr, sizeof ptr, "/%s", key);
    if (!v || (json_is_string(v) && strcmp(json_string_value(v), "all") == 0))
        return 0;
    if (!json_is_array(v))
        return vg_diag_set(d, VG_EINVAL, ptr, "%s must be \"all\" or an array of partner ids", key);
    if (json_array_size(v) > VG_MAX_LIST)
        return vg_diag_set(d, VG_EINVAL, ptr, "more than %d partners", VG_MAX_LIST);
    size_t i, j;
    const json_t *e, *f;
    json_array_foreach(v, i, e) {
        if (!json_is_integer(e) || json_integer_value(e) < 1)
            return vg_diag_set(d, VG_EINVAL, ptr, "%s/%zu: a partner id is a positive integer", key,
                               i);
        json_array_foreach(v, j, f)
            if (j < i && json_integer_value(f) == json_integer_value(e))
                return vg_diag_set(d, VG_EINVAL, ptr, "%s/%zu: partner %lld named twice", key, i,
                                   (long long)json_integer_value(e));
    }
    return 0;
}

static int check_collection(const json_t *in, bool patch, struct vg_diag *d)
{
    static const char *const fields[] = {"title", "description", "readers", "writers", NULL};
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (rc)
        return rc;
    const json_t *t = json_object_get(in, "title");
    if ((!patch || t) &&
        (!json_is_string(t) || !json_string_length(t) || json_string_length(t) > VG_MAX_NAME))
        return vg_diag_set(d, VG_EINVAL, "/title", "title must be a string of 1 to %d bytes",
                           VG_MAX_NAME);
    const json_t *desc = json_object_get(in, "description");
    if (desc && (!json_is_string(desc) || json_string_length(desc) > VG_MAX_STR_FIELD))
        return vg_diag_set(d, VG_EINVAL, "/description",
                           "description must be a string of at most %d bytes", VG_MAX_STR_FIELD);
    if ((rc = check_parties(in, "readers", d)) || (rc = check_parties(in, "writers", d)))
        return rc;
    return 0;
}

static int create(struct vg_store *st, const struct vg_actor *who, const json_t *in, const char *id,
                  json_t **out, struct vg_diag *d)
{
    json_t *rec = json_deep_copy(in);
    if (!rec || json_object_set_new(rec, "id", json_string(id)) ||
        (!json_object_get(rec, "readers") && json_object_set_new(rec, "readers", json_array())) ||
        (!json_object_get(rec, "writers") && json_object_set_new(rec, "writers", json_array()))) {
        json_decref(rec);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    int rc = vg_store_taxii_coll_create(st, who, rec, out, d);
    json_decref(rec);
    return rc;
}

int vg_taxii_collection_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                               json_t **out, struct vg_diag *d)
{
    int rc = check_collection(in, false, d);
    if (rc)
        return rc;
    char id[VG_UUID_LEN + 1];
    vg_uuid4(id);
    return create(st, who, in, id, out, d);
}

int vg_taxii_collection_update(struct vg_store *st, const struct vg_actor *who, const char *id,
                               const json_t *patch, json_t **out, struct vg_diag *d)
{
    int rc = check_collection(patch, true, d);
    if (rc)
        return rc;
    if (json_object_size(patch) == 0)
        return vg_diag_set(d, VG_EINVAL, "", "nothing to change");
    return vg_store_taxii_coll_update(st, who, id, patch, out, d);
}

int vg_taxii_inbox_create(struct vg_store *st, const struct vg_actor *who, long long partner_id,
                          const char *partner_name, json_t **out, struct vg_diag *d)
{
    char name[64], id[VG_UUID_LEN + 1], title[VG_MAX_NAME + 1];
    int n = snprintf(name, sizeof name, "taxii-inbox:%lld", partner_id);
    vg_uuid5(vg_uuid_ns_vigie, name, (size_t)n, id);
    snprintf(title, sizeof title, "Inbox of %s", partner_name);
    json_t *in = json_pack("{s:s,s:s,s:[I],s:[I]}", "title", title, "description",
                           "What this partner shares with the CERT, and the CERT with it.",
                           "readers", (json_int_t)partner_id, "writers", (json_int_t)partner_id);
    if (!in)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = create(st, who, in, id, out, d);
    json_decref(in);
    return rc;
}

/* True if parties ("all" or an array of ids) names partner. */
static bool names(const json_t *parties, long long partner)
{
    if (json_is_string(parties))
        return strcmp(json_string_value(parties), "all") == 0;
    size_t i;
    const json_t *e;
    json_array_foreach(parties, i, e)
        if (json_integer_value(e) == partner)
            return true;
    return false;
}

void vg_taxii_rights(const struct vg_actor *who, const json_t *coll, bool *can_read,
                     bool *can_write)
{
    if (who->partner_id == 0) {
        *can_read = vg_auth_role_rank(who->role) >= 1;
        *can_write = vg_auth_role_rank(who->role) >= 2;
        return;
    }
    *can_read = names(json_object_get(coll, "readers"), who->partner_id);
    *can_write = names(json_object_get(coll, "writers"), who->partner_id);
}

static json_t *collection_resource(const json_t *coll, bool r, bool w)
{
    return json_pack("{s:O,s:O,s:O,s:b,s:b,s:[s]}", "id", json_object_get(coll, "id"), "title",
                     json_object_get(coll, "title"), "description",
                     json_object_get(coll, "description"), "can_read", r, "can_write", w,
                     "media_types", VG_TAXII_STIX_MEDIA);
}

int vg_taxii_collections(struct vg_store *st, const struct vg_actor *who, json_t **out,
                         struct vg_diag *d)
{
    json_t *all;
    int rc = vg_store_taxii_coll_list(st, &all);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot list the collections");
    json_t *list = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(all, i, c) {
        bool r, w;
        vg_taxii_rights(who, c, &r, &w);
        if (r || w)
            json_array_append_new(list, collection_resource(c, r, w));
    }
    json_decref(all);
    *out = json_object();
    if (json_array_size(list))
        json_object_set(*out, "collections", list);
    json_decref(list);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* The collection id for who, and its rights: VG_ENOENT when missing or invisible to who. */
static int open_coll(struct vg_store *st, const struct vg_actor *who, const char *id, bool *r,
                     bool *w, json_t **coll, struct vg_diag *d)
{
    json_t *c = NULL;
    int rc = vg_store_taxii_coll_get(st, id, &c);
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %.64s", id);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot read collection %.64s", id);
    vg_taxii_rights(who, c, r, w);
    if (!*r && !*w) {
        json_decref(c);
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %.64s", id);
    }
    if (coll)
        *coll = c;
    else
        json_decref(c);
    return 0;
}

int vg_taxii_collection(struct vg_store *st, const struct vg_actor *who, const char *id,
                        json_t **out, struct vg_diag *d)
{
    bool r, w;
    json_t *c;
    int rc = open_coll(st, who, id, &r, &w, &c, d);
    if (rc)
        return rc;
    *out = collection_resource(c, r, w);
    json_decref(c);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

/* ---- pages ---- */

struct page_ctx {
    enum vg_taxii_view view;
    struct vg_recipient rcpt;
    struct vg_buf *out;
    struct vg_taxii_page *info;
    long long last_seen; /* date_added of the last row read, served or not */
};

static int page_row(void *arg, const struct vg_taxii_row *row)
{
    struct page_ctx *c = arg;
    c->last_seen = row->added;
    /* the gate: the one decision whether this object may go to this recipient */
    if (!vg_tlp_may_send((enum vg_tlp)row->tlp, 0, &c->rcpt)) {
        c->info->withheld++;
        return 0;
    }
    char added[32];
    vg_taxii_time_fmt(row->added, added);
    if (!c->info->served)
        memcpy(c->info->first, added, sizeof added);
    memcpy(c->info->last, added, sizeof added);
    struct vg_buf *b = c->out;
    if (c->info->served++)
        vg_buf_putc(b, ',');
    switch (c->view) {
    case VG_TAXII_OBJECTS: vg_buf_append(b, row->object, row->object_len); break;
    case VG_TAXII_MANIFEST:
        vg_buf_puts(b, "{\"id\":");
        vg_buf_put_json(b, vg_str_c(row->id));
        vg_buf_printf(b, ",\"date_added\":\"%s\",\"version\":", added);
        vg_buf_put_json(b, vg_str_c(row->version));
        vg_buf_puts(b, ",\"media_type\":\"" VG_TAXII_STIX_MEDIA "\"}");
        break;
    case VG_TAXII_VERSIONS: vg_buf_put_json(b, vg_str_c(row->version)); break;
    }
    return b->failed ? VG_ENOMEM : 0;
}

int vg_taxii_page(struct vg_store *st, const struct vg_actor *who, const char *coll,
                  enum vg_taxii_view view, struct vg_taxii_filter *f, struct vg_buf *out,
                  struct vg_taxii_page *info, struct vg_diag *d)
{
    memset(info, 0, sizeof *info);
    bool r, w;
    int rc = open_coll(st, who, coll, &r, &w, NULL, d);
    if (rc)
        return rc;
    if (!r)
        return vg_diag_set(d, VG_EPERM, "id",
                           "this collection may not be read with these "
                           "credentials");
    struct page_ctx c = {.view = view, .out = out, .info = info};
    if ((rc = vg_partner_recipient(st, who, &c.rcpt, d)))
        return rc == VG_ENOENT ? vg_diag_set(d, VG_EPERM, "", "no such partner") : rc;
    f->q.coll = coll;
    vg_buf_puts(out, view == VG_TAXII_VERSIONS ? "{\"versions\":[" : "{\"objects\":[");
    bool more;
    rc = vg_store_taxii_obj_query(st, &f->q, page_row, &c, &more);
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, "id", "no collection %.64s", coll);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot read collection %.64s", coll);
    info->more = more;
    vg_buf_printf(out, "],\"more\":%s", more ? "true" : "false");
    if (more)
        vg_buf_printf(out, ",\"next\":\"%lld\"", c.last_seen);
    vg_buf_putc(out, '}');
    if (out->failed)
        return vg_diag_set(d, VG_ENOMEM, "", "the answer is too large");
    return 0;
}

/* ---- posts ---- */

static vg_taxii_posted_fn posted_hook;
static void *posted_ctx;

void vg_taxii_set_posted_hook(vg_taxii_posted_fn fn, void *ctx)
{
    posted_hook = fn;
    posted_ctx = ctx;
}

/* Where the objects a POST stored are handed on: to the hook the application set (the import
 * into indicators), or nowhere when it set none. */
static void posted_handoff(struct vg_store *st, const struct vg_actor *who, const char *coll,
                           const json_t *objects)
{
    if (!posted_hook || json_array_size(objects) == 0)
        return;
    int rc = posted_hook(posted_ctx, st, who, coll, objects);
    if (rc)
        vg_warn("taxii: %zu objects posted to %s were stored but not imported: %s",
                json_array_size(objects), coll, vg_strerror(rc));
}

/* A STIX type name: lower-case ASCII letters, digits and hyphens, 3 to 250 characters. */
static bool stix_type(const char *t)
{
    size_t n = strlen(t);
    if (n < 3 || n > 250)
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    return true;
}

/* The TLP of an object: the most restrictive TLP marking in object_marking_refs, AMBER when it
 * has none. A TLP marking-definition itself is CLEAR: it is public. */
static enum vg_tlp object_tlp(const json_t *obj, const char *type, const char *id)
{
    enum vg_tlp t;
    if (strcmp(type, "marking-definition") == 0 && vg_tlp_from_stix_marking(id, &t) == 0)
        return VG_TLP_CLEAR;
    bool found = false;
    enum vg_tlp worst = VG_TLP_CLEAR;
    size_t i;
    const json_t *ref;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), i, ref) {
        if (json_is_string(ref) && vg_tlp_from_stix_marking(json_string_value(ref), &t) == 0) {
            found = true;
            if (t > worst)
                worst = t;
        }
    }
    return found ? worst : VG_TLP_AMBER;
}

struct checked {
    const char *id, *type, *spec, *version;
    long long version_us;
    char when[32]; /* the version when the object has neither modified nor created */
};

/* Checks one posted object; 0, or -1 with why (a message naming the property). */
static int check_object(const json_t *o, long long now, struct checked *c, char *why, size_t cap)
{
    memset(c, 0, sizeof *c);
    if (!json_is_object(o))
        return snprintf(why, cap, "not a JSON object"), -1;
    c->type = vg_json_str(o, "type");
    c->id = vg_json_str(o, "id");
    c->spec = vg_json_str(o, "spec_version");
    if (!c->type || !stix_type(c->type))
        return snprintf(why, cap, "type: missing or not a STIX type name"), -1;
    size_t tl = strlen(c->type);
    if (!c->id || strncmp(c->id, c->type, tl) != 0 || strncmp(c->id + tl, "--", 2) != 0 ||
        !vg_uuid_valid(c->id + tl + 2, strlen(c->id + tl + 2)))
        return snprintf(why, cap, "id: missing or not \"%s--\" followed by a UUID", c->type), -1;
    const char *created = vg_json_str(o, "created"), *modified = vg_json_str(o, "modified");
    /* a cyber-observable (no created, no modified) may leave spec_version out: 2.1 then */
    if (!json_object_get(o, "spec_version") && !json_object_get(o, "created") &&
        !json_object_get(o, "modified"))
        c->spec = "2.1";
    if (!c->spec || strcmp(c->spec, "2.1") != 0)
        return snprintf(why, cap, "spec_version: missing or not \"2.1\""), -1;
    long long cu = 0, mu = 0;
    if (json_object_get(o, "created") && (!created || vg_taxii_time_parse(created, &cu)))
        return snprintf(why, cap, "created: not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"), -1;
    if (json_object_get(o, "modified") && (!modified || vg_taxii_time_parse(modified, &mu)))
        return snprintf(why, cap, "modified: not a timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)"), -1;
    if (modified && created && mu < cu)
        return snprintf(why, cap, "modified: earlier than created"), -1;
    if (modified) {
        c->version = modified;
        c->version_us = mu;
    } else if (created) {
        c->version = created;
        c->version_us = cu;
    } else { /* a cyber-observable: its version is the time it was received */
        vg_taxii_time_fmt(now, c->when);
        c->version = c->when;
        c->version_us = now;
    }
    return 0;
}

static json_t *failure(const char *id, const char *version, const char *msg)
{
    json_t *f = json_pack("{s:s,s:s}", "id", id ? id : "", "message", msg);
    if (f && version)
        json_object_set_new(f, "version", json_string(version));
    return f;
}

int vg_taxii_post(struct vg_store *st, const struct vg_actor *who, const char *coll,
                  const json_t *envelope, json_t **status, struct vg_diag *d)
{
    bool r, w;
    int rc = open_coll(st, who, coll, &r, &w, NULL, d);
    if (rc)
        return rc;
    if (!w)
        return vg_diag_set(d, VG_EPERM, "id",
                           "this collection may not be written with these credentials");
    static const char *const fields[] = {"objects", "more", "next", NULL};
    if ((rc = vg_json_check_fields(envelope, fields, "/", d)))
        return rc;
    const json_t *objs = json_object_get(envelope, "objects");
    if (!json_is_array(objs))
        return vg_diag_set(d, VG_EINVAL, "/objects", "an envelope's objects must be an array");
    if (json_array_size(objs) > VG_TAXII_MAX_POST)
        return vg_diag_set(d, VG_EINVAL, "/objects", "more than %d objects in one envelope",
                           VG_TAXII_MAX_POST);
    char source[64];
    if (who->partner_id)
        snprintf(source, sizeof source, "partner:%lld", who->partner_id);
    else
        snprintf(source, sizeof source, "user:%.50s", who->name);
    char sid[VG_UUID_LEN + 1], stamp[32];
    vg_uuid4(sid);
    long long now = now_us();
    vg_taxii_time_fmt(now, stamp);
    /* the objects and the status together: a status is never lost for stored objects */
    if ((rc = vg_store_tx_begin(st, d)))
        return rc;
    json_t *ok = json_array(), *bad = json_array(), *fresh = json_array();
    size_t i;
    const json_t *o;
    json_array_foreach(objs, i, o) {
        struct checked c;
        char why[200], msg[240];
        if (check_object(o, now, &c, why, sizeof why)) {
            snprintf(msg, sizeof msg, "/objects/%zu: %s", i, why);
            json_array_append_new(bad, failure(c.id, NULL, msg));
            continue;
        }
        enum vg_tlp tlp = object_tlp(o, c.type, c.id);
        char *text = json_dumps(o, JSON_COMPACT);
        if (!text) {
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            break;
        }
        struct vg_taxii_new n = {c.id,     c.type, c.spec, c.version,   c.version_us,
                                 (int)tlp, source, text,   strlen(text)};
        long long added;
        bool dup;
        struct vg_diag od;
        vg_diag_clear(&od);
        rc = vg_store_taxii_obj_add(st, coll, now, &n, &added, &dup, &od);
        free(text);
        if (rc) {
            vg_diag_set(d, rc, "", "%s", od.message);
            break;
        }
        json_t *s = json_pack("{s:s,s:s}", "id", c.id, "version", c.version);
        if (dup && s)
            json_object_set_new(s, "message", json_string("already stored: kept as it was"));
        json_array_append_new(ok, s);
        if (!dup)
            json_array_append(fresh, (json_t *)o);
    }
    if (rc == 0)
        posted_handoff(st, who, coll, fresh);
    json_decref(fresh);
    if (rc) {
        json_decref(ok);
        json_decref(bad);
        vg_store_tx_rollback(st);
        return rc;
    }
    size_t nok = json_array_size(ok), nbad = json_array_size(bad);
    *status =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:o,s:I,s:o,s:I,s:[]}", "id", sid, "status", "complete",
                  "request_timestamp", stamp, "total_count", (json_int_t)(nok + nbad),
                  "success_count", (json_int_t)nok, "successes", ok, "failure_count",
                  (json_int_t)nbad, "failures", bad, "pending_count", (json_int_t)0, "pendings");
    if (!*status) {
        vg_store_tx_rollback(st);
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if ((rc = vg_store_taxii_status_put(st, sid, who->partner_id, *status, d)) ||
        (rc = vg_store_tx_commit(st, d))) {
        vg_store_tx_rollback(st);
        json_decref(*status);
        *status = NULL;
    }
    return rc;
}

/* ---- deletes and status ---- */

struct count_ctx {
    struct vg_recipient rcpt;
    long long seen, withheld;
};

static int count_row(void *arg, const struct vg_taxii_row *row)
{
    struct count_ctx *c = arg;
    c->seen++;
    if (!vg_tlp_may_send((enum vg_tlp)row->tlp, 0, &c->rcpt))
        c->withheld++;
    return 0;
}

int vg_taxii_delete(struct vg_store *st, const struct vg_actor *who, const char *coll,
                    const char *obj_id, struct vg_taxii_filter *f, struct vg_diag *d)
{
    bool r, w;
    int rc = open_coll(st, who, coll, &r, &w, NULL, d);
    if (rc)
        return rc;
    if (!w)
        return vg_diag_set(d, VG_EPERM, "id",
                           "this collection may not be written with these credentials");
    /* the versions to go, seen through the gate first: a partner deletes nothing it could
     * not read, and learns nothing of it */
    struct count_ctx c = {0};
    if ((rc = vg_partner_recipient(st, who, &c.rcpt, d)))
        return rc == VG_ENOENT ? vg_diag_set(d, VG_EPERM, "", "no such partner") : rc;
    const char *ids[1] = {obj_id};
    f->q.coll = coll;
    f->q.ids = ids;
    f->q.n_ids = 1;
    f->q.after = -1;
    f->q.limit = VG_TAXII_MAX_POST;
    bool more;
    rc = vg_store_taxii_obj_query(st, &f->q, count_row, &c, &more);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot read collection %.64s", coll);
    if (c.seen == 0 || c.withheld)
        return vg_diag_set(d, VG_ENOENT, "id", "no such object in this collection");
    long long n;
    return vg_store_taxii_obj_delete(st, who, &f->q, &n, d);
}

int vg_taxii_status(struct vg_store *st, const struct vg_actor *who, const char *id, json_t **out,
                    struct vg_diag *d)
{
    long long poster;
    json_t *s = NULL;
    int rc = vg_store_taxii_status_get(st, id, &poster, &s);
    if (rc == 0 && who->partner_id && poster != who->partner_id) {
        json_decref(s);
        rc = VG_ENOENT;
    }
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, "id", "no status %.64s", id);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot read status %.64s", id);
    *out = s;
    return 0;
}
