/* Sharing use cases (app/share.h): the documents of share/share.h built from the store with
 * every member through the TLP gate, written by the format writers; and the imports that
 * the format readers feed, item by item, into the store's idempotent indicator import. */
#include "app/share.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/partner.h"
#include "core/attrib.h"
#include "core/observable.h"
#include "core/record.h"
#include "share/misp.h"
#include "share/stix.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sort.h"
#include "util/str.h"
#include "util/time.h"
#include "util/uuid.h"

/* ---- recipients ---- */

int vg_share_recipient(struct vg_store *st, const struct vg_actor *who, const char *to,
                       struct vg_recipient *out, struct vg_diag *d)
{
    if (!to || !*to)
        return vg_partner_recipient(st, who, out, d);
    unsigned long long n;
    bool org = strncmp(to, "org:", 4) == 0;
    if (vg_str_to_u64(vg_str_c(org ? to + 4 : to), 1, (unsigned long long)INT64_MAX, &n) != 0)
        return vg_diag_set(d, VG_EINVAL, "to",
                           "a recipient is a partner id or org:ID (an organisation id)");
    if (org) {
        if (who->partner_id)
            return vg_diag_set(d, VG_EPERM, "to", "a partner exports for itself only");
        json_t *o = NULL;
        int rc = vg_store_org_get(st, (long long)n, &o);
        json_decref(o);
        if (rc == VG_ENOENT)
            return vg_diag_set(d, VG_ENOENT, "to", "no organisation %llu", n);
        if (rc)
            return vg_diag_set(d, rc, "to", "cannot read organisation %llu", n);
        *out = (struct vg_recipient){VG_RCPT_CONSTITUENT, VG_TLP_CLEAR, (long long)n, 0};
        return 0;
    }
    if (who->partner_id && who->partner_id != (long long)n)
        return vg_diag_set(d, VG_EPERM, "to", "a partner exports for itself only");
    /* the partner as its own token would be: its max_tlp read now */
    struct vg_actor as = {0, "partner", "partner", (long long)n};
    int rc = vg_partner_recipient(st, &as, out, d);
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, "to", "no partner %llu", n);
    return rc;
}

/* ---- filters ---- */

int vg_share_filter_parse(const char *text, char *buf, size_t cap, struct vg_share_filter *f,
                          struct vg_diag *d)
{
    *f = (struct vg_share_filter){NULL, NULL, NULL, NULL};
    if (vg_str_copy(vg_str_c(text ? text : ""), buf, cap) != 0)
        return vg_diag_set(d, VG_EINVAL, "indicators", "the filter is too long");
    char *p = buf;
    while (*p) {
        char *end = strchr(p, ','), *eq = strchr(p, '=');
        if (end)
            *end = '\0';
        if (!eq || (end && eq > end))
            return vg_diag_set(d, VG_EINVAL, "indicators",
                               "a filter is KEY=VALUE[,KEY=VALUE...] with keys type, source, "
                               "tag, since");
        *eq = '\0';
        const char *v = eq + 1;
        if (strcmp(p, "type") == 0)
            f->type = v;
        else if (strcmp(p, "source") == 0)
            f->source = v;
        else if (strcmp(p, "tag") == 0)
            f->tag = v;
        else if (strcmp(p, "since") == 0)
            f->since = v;
        else
            return vg_diag_set(d, VG_EINVAL, "indicators", "unknown filter key '%.40s'", p);
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

int vg_share_filter_check(const struct vg_share_filter *f, struct vg_diag *d)
{
    time_t t;
    if (f->type && vg_obs_type_parse(f->type) == VG_OBS_UNKNOWN)
        return vg_diag_set(d, VG_EINVAL, "type", "type '%.40s' is not an indicator type", f->type);
    if (f->since && vg_time_parse(f->since, &t) != 0)
        return vg_diag_set(d, VG_EINVAL, "since", "since is an RFC 3339 time");
    return 0;
}

/* ---- documents ---- */

/* The stable uuid of "kind:a" or "kind:a:b" (b may be NULL) in vigie's namespace, as a new
 * JSON string. */
static json_t *uuid_of(const char *kind, const char *a, const char *b)
{
    char name[VG_MAX_OBSERVABLE + 1200], out[VG_UUID_LEN + 1];
    int n = snprintf(name, sizeof name, "%s:%s%s%s", kind, a, b ? ":" : "", b ? b : "");
    if (n < 0 || (size_t)n >= sizeof name)
        n = (int)strlen(name);
    vg_uuid5(vg_uuid_ns_vigie, name, (size_t)n, out);
    return json_string(out);
}

/* The producer: {"name","uuid"}. */
static json_t *producer(void)
{
    json_t *p = json_object();
    json_object_set_new(p, "name", json_string(VG_SHARE_PRODUCER));
    json_object_set_new(p, "uuid", uuid_of("identity", VG_SHARE_PRODUCER, NULL));
    return p;
}

/* Copies src[key] into dst when it is a non-null value. */
static void copy_field(json_t *dst, const json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v && !json_is_null(v))
        json_object_set(dst, key, v);
}

/* The stricter of two TLP names (vg_tlp_level's reading). */
static const char *stricter(const char *a, const char *b)
{
    return vg_tlp_name(vg_tlp_level(a) > vg_tlp_level(b) ? vg_tlp_level(a) : vg_tlp_level(b));
}

/* The sighting item of a stored sighting (vg_store_sighting_list's form) of an indicator of
 * TLP tlp. Its own source (a log file and line of the CERT's) stays home: the item says only
 * who saw it. */
static json_t *sighting_item(const json_t *s, const char *tlp)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(s, "id")));
    json_t *o = json_object();
    json_object_set_new(o, "uuid", uuid_of("sighting", id, NULL));
    copy_field(o, s, "seen");
    json_object_set_new(o, "count", json_integer(1));
    json_object_set_new(o, "source", json_string(VG_SHARE_PRODUCER));
    json_object_set_new(o, "tlp", json_string(tlp));
    return o;
}

/* The sightings of indicator id that r may get, appended to item's "sightings"; the others
 * counted in *withheld. */
static int add_sightings(struct vg_store *st, const struct vg_recipient *r, json_t *item,
                         long long id, const char *tlp, long long *withheld, struct vg_diag *d)
{
    json_t *f = json_pack("{s:I}", "indicator", (json_int_t)id), *list = json_array();
    char cursor[64] = "";
    int rc = 0;
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *out = NULL;
        rc = vg_store_sighting_list(st, f, &page, &out, d);
        if (rc)
            break;
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(out, "items"), i, s) {
            json_t *org = json_object_get(s, "org");
            long long concerns = json_is_integer(org) ? json_integer_value(org) : 0;
            /* its own TLP (or its indicator's), and never looser than the observable's */
            const char *stlp = stricter(vg_json_str(s, "tlp"), tlp);
            if (vg_tlp_may_send_name(stlp, concerns, r))
                json_array_append_new(list, sighting_item(s, stlp));
            else
                (*withheld)++;
        }
        const char *next = vg_json_str(out, "next_cursor");
        bool more = next && vg_str_copy(vg_str_c(next), cursor, sizeof cursor) == 0;
        json_decref(out);
        if (!more)
            break;
    }
    if (!rc && json_array_size(list))
        json_object_set(item, "sightings", list);
    json_decref(list);
    json_decref(f);
    return rc;
}

/* The item of a stored indicator (vg_store_indicator_get's form), made of ind itself (a new
 * reference): its row already holds most of the item's fields, and an export of a million
 * indicators builds a million of them. */
static json_t *indicator_item(json_t *ind)
{
    const char *type = vg_json_str(ind, "type"), *value = vg_json_str(ind, "value");
    json_t *uuid = uuid_of("indicator", type, value);
    json_incref(ind);
    json_object_set_new(ind, "uuid", uuid);
    json_object_del(ind, "id");
    json_object_del(ind, "expires");
    static const char *const optional[] = {"source",    "confidence", "first_seen",
                                           "last_seen", "created",    "updated"};
    for (size_t i = 0; i < sizeof optional / sizeof *optional; i++)
        if (json_is_null(json_object_get(ind, optional[i])))
            json_object_del(ind, optional[i]);
    if (!json_is_array(json_object_get(ind, "tags")))
        json_object_set_new(ind, "tags", json_array());
    json_object_set_new(ind, "to_ids", json_true());
    return ind;
}

/* The stored indicator equal to type and value, or NULL (none, or a store failure: an
 * incident's export then goes without its sightings rather than not at all). */
static json_t *indicator_find(struct vg_store *st, const char *type, const char *value)
{
    json_t *f = json_pack("{s:s,s:s}", "type", type, "value", value), *out = NULL, *ind = NULL;
    struct vg_page page = {1, NULL};
    if (f && vg_store_indicator_list(st, f, &page, &out, NULL) == 0) {
        ind = json_array_get(json_object_get(out, "items"), 0);
        /* a backend that does not filter on value gives another indicator: not it */
        if (ind && strcmp(vg_json_str(ind, "value") ? vg_json_str(ind, "value") : "", value))
            ind = NULL;
        json_incref(ind);
    }
    json_decref(out);
    json_decref(f);
    return ind;
}

int vg_share_incident_doc(struct vg_store *st, const struct vg_recipient *r, const char *ref,
                          json_t **doc, struct vg_diag *d)
{
    json_t *inc = NULL;
    int rc = vg_store_incident_get(st, ref, &inc);
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %.60s", ref);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot read incident %.60s", ref);
    json_t *org = json_object_get(inc, "org");
    long long concerns = json_is_integer(org) ? json_integer_value(org) : 0;
    const char *tlp = vg_json_str(inc, "tlp");
    /* an incident the recipient may not get is answered as one that does not exist */
    if (!vg_tlp_may_send_name(tlp, concerns, r)) {
        json_decref(inc);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %.60s", ref);
    }
    json_t *o = json_object(), *items = json_array();
    long long withheld = 0;
    json_object_set_new(o, "kind", json_string("incident"));
    json_object_set_new(o, "uuid", uuid_of("incident", ref, NULL));
    json_object_set_new(o, "producer", producer());
    copy_field(o, inc, "title");
    copy_field(o, inc, "description");
    copy_field(o, inc, "created");
    copy_field(o, inc, "updated");
    json_object_set_new(o, "tlp", json_string(tlp));
    copy_field(o, inc, "pap");
    copy_field(o, inc, "ref");
    copy_field(o, inc, "class");
    copy_field(o, inc, "type");
    copy_field(o, inc, "severity");
    copy_field(o, inc, "status");
    size_t i;
    json_t *ob;
    json_array_foreach(json_object_get(inc, "observables"), i, ob) {
        const char *otlp = vg_json_str(ob, "tlp") ? vg_json_str(ob, "tlp") : tlp;
        const char *type = vg_json_str(ob, "type"), *value = vg_json_str(ob, "value");
        if (!type || !value)
            continue;
        if (!vg_tlp_may_send_name(otlp, concerns, r)) {
            withheld++;
            continue;
        }
        json_t *item = json_object();
        json_object_set_new(item, "uuid", uuid_of("indicator", type, value));
        json_object_set_new(item, "type", json_string(type));
        json_object_set_new(item, "value", json_string(value));
        json_object_set_new(item, "tlp", json_string(otlp));
        json_object_set_new(item, "source", json_string(VG_SHARE_PRODUCER));
        json_object_set_new(item, "tags", json_array());
        copy_field(item, ob, "created");
        json_object_set_new(item, "to_ids", json_true());
        /* the sightings of the indicator equal to it, each as its own TLP says: the
         * observable's (the stricter of it and the indicator's would hide less) */
        json_t *ind = indicator_find(st, type, value);
        if (ind) {
            rc = add_sightings(st, r, item,
                               (long long)json_integer_value(json_object_get(ind, "id")), otlp,
                               &withheld, d);
            json_decref(ind);
            if (rc) {
                json_decref(item);
                goto fail;
            }
        }
        json_array_append_new(items, item);
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "withheld", json_integer(withheld));
    json_decref(inc);
    *doc = o;
    return 0;
fail:
    json_decref(items);
    json_decref(o);
    json_decref(inc);
    return rc;
}

/* Whether ind (stored form) passes the filter's tag and since (the store filters the rest). */
static bool filter_keeps(const struct vg_share_filter *f, const json_t *ind)
{
    if (f->since) {
        const char *u = vg_json_str(ind, "updated");
        time_t a, b;
        if (!u || vg_time_parse(u, &a) != 0 || vg_time_parse(f->since, &b) != 0 || a < b)
            return false;
    }
    if (f->tag) {
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(ind, "tags"), i, t) {
            if (json_is_string(t) && strcmp(json_string_value(t), f->tag) == 0)
                return true;
        }
        return false;
    }
    return true;
}

/* Calls fn for every sighting that filters f select, page after page; stops at fn's first
 * non-zero return and returns it, or the store's error. */
static int each_sighting(struct vg_store *st, const json_t *f, int (*fn)(void *ctx, json_t *s),
                         void *ctx, struct vg_diag *d)
{
    char cursor[64] = "";
    int rc = 0;
    while (!rc) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *pg = NULL, *s;
        size_t i;
        if ((rc = vg_store_sighting_list(st, f, &page, &pg, d)) != 0)
            break;
        json_array_foreach(json_object_get(pg, "items"), i, s) {
            if ((rc = fn(ctx, s)) != 0)
                break;
        }
        const char *next = vg_json_str(pg, "next_cursor");
        bool more = next && vg_str_copy(vg_str_c(next), cursor, sizeof cursor) == 0;
        json_decref(pg);
        if (!more)
            break;
    }
    return rc;
}

static int group_sighting(void *ctx, json_t *s)
{
    json_t *by = ctx;
    char key[32];
    snprintf(key, sizeof key, "%lld",
             (long long)json_integer_value(json_object_get(json_object_get(s, "indicator"), "id")));
    json_t *list = json_object_get(by, key);
    if (!list) {
        list = json_array();
        json_object_set_new(by, key, list);
    }
    json_array_append(list, s);
    return 0;
}

/* Loads every sighting once, grouped by indicator id (an object keyed by the decimal id of
 * arrays of sightings): one pass over the sightings instead of a query per indicator. */
static int sightings_by_indicator(struct vg_store *st, json_t **out, struct vg_diag *d)
{
    json_t *by = json_object(), *f = json_object();
    int rc = each_sighting(st, f, group_sighting, by, d);
    json_decref(f);
    if (rc) {
        json_decref(by);
        return rc;
    }
    *out = by;
    return 0;
}

int vg_share_indicators_doc(struct vg_store *st, const struct vg_recipient *r,
                            const struct vg_share_filter *f, json_t **doc, struct vg_diag *d)
{
    int rc = vg_share_filter_check(f, d);
    if (rc)
        return rc;
    json_t *sg = NULL;
    if ((rc = sightings_by_indicator(st, &sg, d)) != 0)
        return rc;
    json_t *sf = json_object(), *items = json_array(), *o = json_object();
    if (f->type)
        json_object_set_new(sf, "type", json_string(f->type));
    if (f->source)
        json_object_set_new(sf, "source", json_string(f->source));
    long long withheld = 0;
    enum vg_tlp top = VG_TLP_CLEAR;
    char cursor[64] = "", now[VG_TIME_LEN];
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *pg = NULL;
        rc = vg_store_indicator_list(st, sf, &page, &pg, d);
        if (rc)
            goto out;
        size_t i;
        json_t *ind;
        json_array_foreach(json_object_get(pg, "items"), i, ind) {
            if (!filter_keeps(f, ind))
                continue;
            const char *tlp = vg_json_str(ind, "tlp");
            if (!vg_tlp_may_send_name(tlp, 0, r)) {
                withheld++;
                continue;
            }
            if (vg_tlp_level(tlp) > top)
                top = vg_tlp_level(tlp);
            char key[32];
            snprintf(key, sizeof key, "%lld",
                     (long long)json_integer_value(json_object_get(ind, "id")));
            json_t *item = indicator_item(ind), *list = NULL, *s;
            json_t *seen = json_object_get(sg, key);
            size_t j;
            json_array_foreach(seen, j, s) {
                json_t *org = json_object_get(s, "org");
                const char *stlp = stricter(vg_json_str(s, "tlp"), tlp);
                if (!vg_tlp_may_send_name(stlp, json_is_integer(org) ? json_integer_value(org) : 0,
                                          r)) {
                    withheld++;
                    continue;
                }
                if (!list)
                    list = json_array();
                json_array_append_new(list, sighting_item(s, stlp));
            }
            if (list)
                json_object_set_new(item, "sightings", list);
            json_array_append_new(items, item);
        }
        const char *next = vg_json_str(pg, "next_cursor");
        bool more = next && vg_str_copy(vg_str_c(next), cursor, sizeof cursor) == 0;
        json_decref(pg);
        if (!more)
            break;
    }
    /* the same set exports with the same uuid: the container is named by its filter */
    char name[1024];
    snprintf(name, sizeof name, "type=%s,source=%s,tag=%s,since=%s", f->type ? f->type : "",
             f->source ? f->source : "", f->tag ? f->tag : "", f->since ? f->since : "");
    vg_time_now(now);
    json_object_set_new(o, "kind", json_string("indicators"));
    json_object_set_new(o, "uuid", uuid_of("indicators", name, NULL));
    json_object_set_new(o, "producer", producer());
    json_object_set_new(o, "title", json_string("vigie indicators"));
    json_object_set_new(o, "description", json_string(name));
    json_object_set_new(o, "created", json_string(now));
    json_object_set_new(o, "updated", json_string(now));
    json_object_set_new(o, "tlp", json_string(vg_tlp_name(top)));
    json_object_set(o, "items", items);
    json_object_set_new(o, "withheld", json_integer(withheld));
out:
    json_decref(items);
    json_decref(sf);
    json_decref(sg);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *doc = o;
    return 0;
}

int vg_share_write(const json_t *doc, const char *format, struct vg_buf *out, struct vg_diag *d)
{
    if (format && strcmp(format, "misp") == 0)
        return vg_misp_write(doc, out, d);
    if (format && strcmp(format, "stix") == 0)
        return vg_stix_write(doc, out, d);
    return vg_diag_set(d, VG_EINVAL, "format", "format is misp or stix");
}

/* ---- reports ---- */

void vg_share_report_init(struct vg_share_report *r)
{
    memset(r, 0, sizeof *r);
    r->skipped_items = json_array();
}

void vg_share_report_cleanup(struct vg_share_report *r)
{
    json_decref(r->skipped_items);
    r->skipped_items = NULL;
}

json_t *vg_share_report_json(const struct vg_share_report *r)
{
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:O,s:b}", "format", r->format, "containers",
                     (json_int_t)r->containers, "items", (json_int_t)r->items, "added",
                     (json_int_t)r->added, "updated", (json_int_t)r->updated, "unchanged",
                     (json_int_t)r->unchanged, "sightings", (json_int_t)r->sightings, "skipped",
                     (json_int_t)r->skipped, "skipped_items",
                     r->skipped_items ? r->skipped_items : json_array(), "skipped_truncated",
                     r->skipped > VG_SHARE_SKIPPED_LISTED);
}

/* ---- imports ---- */

/* Whether needle appears in h[0..n). */
static bool has(const char *h, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (h[i] == needle[0] && memcmp(h + i, needle, m) == 0)
            return true;
    return false;
}

const char *vg_share_detect(const char *buf, size_t len)
{
    /* the keys each format opens with, looked for in its first kilobytes: a MISP event has
     * "Event" or its "Attribute" / "info" / "Orgc", STIX its "spec_version" or "bundle" */
    size_t n = len < 65536 ? len : 65536;
    static const char *const misp[] = {"\"Event\"", "\"Attribute\"", "\"Orgc\"", "\"response\"",
                                       "\"threat_level_id\""};
    static const char *const stix[] = {"\"spec_version\"", "\"bundle\"", "\"pattern\"",
                                       "\"objects\""};
    for (size_t i = 0; i < sizeof misp / sizeof *misp; i++)
        if (has(buf, n, misp[i]))
            return "misp";
    for (size_t i = 0; i < sizeof stix / sizeof *stix; i++)
        if (has(buf, n, stix[i]))
            return "stix";
    return NULL;
}

/* An indicator checked, waiting for its chunk's transaction: its strings in the import's
 * arena (offsets: the arena grows), -1 when absent. */
struct pending {
    const char *type, *tlp; /* static names */
    long value, tags, first_seen, last_seen;
    int confidence;
    json_t *sightings; /* its sightings in the item form, or NULL */
};

/* An import under way: the sink's context. */
struct import {
    struct vg_store *st;
    const struct vg_actor *who;
    const char *source;            /* of every item */
    struct vg_share_report *rep;   /* counts and skips */
    struct pending *chunk;         /* checked indicators not stored yet */
    size_t n, cap;                 /* how many, room for how many (recs and ids too) */
    struct vg_buf arena;           /* their strings */
    struct vg_indicator_rec *recs; /* the chunk as records, at a flush */
    long long *ids;                /* the ids of a flush */
    struct vg_observable *obs;     /* the value being checked */
    struct vg_diag *d;             /* the store's error */
    struct vg_attrib *attrib;      /* the constituents' networks, loaded at the first sighting */
};

static void skipped(struct vg_share_report *rep, const char *pointer, const char *what,
                    const char *reason)
{
    if (rep->skipped++ < VG_SHARE_SKIPPED_LISTED)
        json_array_append_new(rep->skipped_items,
                              json_pack("{s:s,s:s,s:s}", "pointer", pointer ? pointer : "", "what",
                                        what ? what : "", "reason", reason ? reason : ""));
}

static int sink_container(void *ctx, const json_t *c)
{
    struct import *im = ctx;
    (void)c;
    im->rep->containers++;
    return 0;
}

static int sink_skip(void *ctx, const char *pointer, const char *what, const char *reason)
{
    struct import *im = ctx;
    skipped(im->rep, pointer, what, reason);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The "share:UUID" sources gathered by share_sources. */
struct sources {
    char **v;
    size_t n, cap;
    struct vg_diag *d;
};

static int add_source(void *ctx, json_t *h)
{
    struct sources *x = ctx;
    const char *src = vg_json_str(h, "source");
    if (!src || strncmp(src, "share:", 6) != 0)
        return 0;
    if (vg_grow((void **)&x->v, &x->cap, x->n + 1, sizeof *x->v, 64) ||
        !(x->v[x->n] = vg_strdup(src)))
        return vg_diag_set(x->d, VG_ENOMEM, "", "out of memory");
    x->n++;
    return 0;
}

/* The sources of the sightings of indicator id that came from a share ("share:UUID"), every
 * page of them, as a sorted array of new strings in *out (n in *n). */
static int share_sources(struct import *im, long long id, char ***out, size_t *n)
{
    json_t *f = json_pack("{s:I}", "indicator", (json_int_t)id);
    struct sources x = {NULL, 0, 0, im->d};
    int rc = f ? each_sighting(im->st, f, add_source, &x, im->d)
               : vg_diag_set(im->d, VG_ENOMEM, "", "out of memory");
    json_decref(f);
    if (rc) {
        for (size_t i = 0; i < x.n; i++)
            free(x.v[i]);
        free(x.v);
        return rc;
    }
    if (x.n > 1)
        vg_sort(x.v, x.n, sizeof *x.v, cmp_str);
    *out = x.v;
    *n = x.n;
    return 0;
}

/* The sightings of indicator id (given by a reader) not recorded yet: recorded, each once (a
 * sighting is known by its source, "share:UUID", looked for among all the indicator's). */
static int record_sightings(struct import *im, long long id, const char *type, const char *value,
                            const json_t *list)
{
    char **have = NULL;
    size_t nhave = 0;
    int rc = share_sources(im, id, &have, &nhave);
    if (rc)
        return rc;
    size_t n = json_array_size(list), k = 0, i;
    struct vg_sighting *v = vg_calloc(n ? n : 1, sizeof *v);
    char(*src)[VG_UUID_LEN + 8] = vg_calloc(n ? n : 1, sizeof *src);
    if (!v || !src) {
        rc = vg_diag_set(im->d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    /* attributed as elsewhere (app/events.c), but by address only: a partner's sighting of an
     * address in a constituent's network concerns that constituent; of anything else, none */
    long long org = 0;
    if (type && value && !strchr(value, '/') &&
        (strcmp(type, "ipv4-addr") == 0 || strcmp(type, "ipv6-addr") == 0)) {
        if (!im->attrib && !(im->attrib = vg_store_attrib_new(im->st, im->d))) {
            rc = VG_EIO;
            goto out;
        }
        org = vg_attrib_ip(im->attrib, value);
    }
    json_t *s;
    json_array_foreach(list, i, s) {
        const char *uuid = vg_json_str(s, "uuid"), *seen = vg_json_str(s, "seen");
        time_t t;
        if (!uuid || !vg_uuid_valid(uuid, strlen(uuid)) || (seen && vg_time_parse(seen, &t)))
            continue;
        snprintf(src[k], sizeof src[k], "share:%s", uuid);
        const char *key = src[k];
        bool dup = nhave && vg_search(&key, have, nhave, sizeof *have, cmp_str) != NULL;
        for (size_t m = 0; m < k && !dup; m++)
            dup = strcmp(src[m], src[k]) == 0;
        if (dup)
            continue;
        /* its own TLP when it says one (what cannot be read is RED), else its indicator's */
        const char *tlp = vg_json_str(s, "tlp");
        v[k] = (struct vg_sighting){
            id, org, seen, value, "share", src[k], tlp ? vg_tlp_name(vg_tlp_level(tlp)) : NULL};
        k++;
    }
    if (k) {
        rc = vg_store_sightings_record(im->st, im->who, v, k, NULL, im->d);
        if (!rc)
            im->rep->sightings += (long long)k;
    }
out:
    free(v);
    free(src);
    for (i = 0; i < nhave; i++)
        free(have[i]);
    free(have);
    return rc;
}

static const char *arena_at(const struct import *im, long off)
{
    return off < 0 ? NULL : im->arena.data + off;
}

/* Stores the chunk in one transaction, then the sightings of its indicators. */
static int flush(struct import *im)
{
    if (!im->n)
        return 0;
    for (size_t i = 0; i < im->n; i++) {
        const struct pending *p = &im->chunk[i];
        im->recs[i] = (struct vg_indicator_rec){p->type,
                                                arena_at(im, p->value),
                                                p->tlp,
                                                im->source,
                                                p->confidence,
                                                arena_at(im, p->tags),
                                                arena_at(im, p->first_seen),
                                                arena_at(im, p->last_seen),
                                                NULL};
    }
    struct vg_indicator_import_counts c;
    int rc = vg_store_indicator_import_recs(im->st, im->who, im->recs, im->n, im->ids, &c, im->d);
    if (!rc) {
        im->rep->added += (long long)c.added;
        im->rep->updated += (long long)c.updated;
        im->rep->unchanged += (long long)c.unchanged;
        for (size_t i = 0; i < im->n && !rc; i++)
            if (im->chunk[i].sightings)
                rc = record_sightings(im, im->ids[i], im->recs[i].type, im->recs[i].value,
                                      im->chunk[i].sightings);
    }
    for (size_t i = 0; i < im->n; i++)
        json_decref(im->chunk[i].sightings);
    im->n = 0;
    vg_buf_reset(&im->arena);
    return rc;
}

/* A copy of s[0..n) in the arena: its offset, or -1 when the arena is full. */
static long keep(struct import *im, const char *s, size_t n)
{
    size_t off = im->arena.len;
    vg_buf_append(&im->arena, s, n);
    vg_buf_putc(&im->arena, '\0');
    return im->arena.failed ? -1 : (long)off;
}

/* The check of a string field as core/record.h's get_str makes it: 0 ok, else its error. */
static int check_str(const char *field, const char *v, size_t n, size_t max, bool empty_ok,
                     struct vg_diag *d)
{
    if (n > max)
        return vg_diag_set(d, VG_ETOOBIG, field, "%s is longer than %zu bytes", field, max);
    if (n == 0 && !empty_ok)
        return vg_diag_set(d, VG_EINVAL, field, "%s must not be empty", field);
    if (memchr(v, '\0', n))
        return vg_diag_set(d, VG_EINVAL, field, "%s contains a NUL byte", field);
    return 0;
}

/* item's value and type checked and normalised into im->obs, as vg_indicator_check checks them
 * (the same decisions and messages): 0 or its error in cd. */
static int check_value(struct import *im, const struct vg_share_item *item, struct vg_diag *cd)
{
    if (!item->value)
        return vg_diag_set(cd, VG_EINVAL, "/value", "/value is required");
    int rc = check_str("/value", item->value, item->value_len, VG_MAX_OBSERVABLE, false, cd);
    if (rc)
        return rc;
    enum vg_obs_type t = VG_OBS_UNKNOWN;
    if (item->type) {
        if ((rc = check_str("/type", item->type, strlen(item->type), 32, false, cd)) != 0)
            return rc;
        t = vg_obs_type_parse(item->type);
        if (t == VG_OBS_UNKNOWN)
            return vg_diag_set(cd, VG_EINVAL, "/type",
                               "/type must be one of: ipv4-addr, ipv6-addr, domain-name, url, "
                               "email-addr, md5, sha1, sha256");
    }
    rc = vg_observable_parse((struct vg_str){item->value, item->value_len}, t, im->obs, cd);
    if (rc)
        snprintf(cd->field, sizeof cd->field, "/value");
    return rc;
}

/* A time of item checked as vg_indicator_check does: 0 (normalised into out, or absent),
 * else its error in cd. */
static int check_time(const char *key, const char *v, char out[VG_TIME_LEN], struct vg_diag *cd)
{
    out[0] = '\0';
    if (!v)
        return 0;
    char field[32];
    snprintf(field, sizeof field, "/%s", key);
    int rc = check_str(field, v, strlen(v), 64, false, cd);
    if (rc)
        return rc;
    time_t t;
    if (vg_time_parse(v, &t) != 0)
        return vg_diag_set(cd, VG_EINVAL, field, "%s must be an RFC 3339 date-time", field);
    vg_time_fmt(t, out);
    return 0;
}

/* The fields beside the value (confidence, tags, first and last seen) checked as
 * vg_indicator_check does, in its order: 0, else the first error in cd. tags gets the tags'
 * JSON text (a new string) when there are some. */
static int check_more(const struct vg_share_item *item, char fs[VG_TIME_LEN], char ls[VG_TIME_LEN],
                      char **tags, struct vg_diag *cd)
{
    *tags = NULL;
    if (item->confidence > 100)
        return vg_diag_set(cd, VG_EINVAL, "/confidence", "/confidence must be an integer 0-100");
    if (item->ntags > 50)
        return vg_diag_set(cd, VG_EINVAL, "/tags", "/tags must be an array of at most 50 strings");
    for (size_t i = 0; i < item->ntags; i++) {
        size_t n = strlen(item->tags[i]);
        if (n == 0 || n > 64) {
            char f[32];
            snprintf(f, sizeof f, "/tags/%zu", i);
            return vg_diag_set(cd, VG_EINVAL, f, "%s must be a string of 1-64 bytes", f);
        }
    }
    int rc = check_time("first_seen", item->first_seen, fs, cd);
    if (!rc)
        rc = check_time("last_seen", item->last_seen, ls, cd);
    if (rc || !item->ntags)
        return rc;
    json_t *a = json_array();
    for (size_t i = 0; i < item->ntags; i++)
        json_array_append_new(a, json_string(item->tags[i]));
    *tags = vg_json_dump(a);
    json_decref(a);
    return *tags ? 0 : VG_ENOMEM;
}

/* The sightings of item in the item form, for record_sightings; NULL when it has none. */
static json_t *sightings_json(const struct vg_share_item *item)
{
    if (!item->nsightings)
        return NULL;
    struct vg_share_item only = {.sightings = item->sightings, .nsightings = item->nsightings};
    json_t *o = vg_share_item_json(&only), *list = json_incref(json_object_get(o, "sightings"));
    json_decref(o);
    return list;
}

/* Room for twice as many pending indicators (up to a chunk): 0 or VG_ENOMEM. A small import
 * (a TAXII post) does not allocate a whole chunk. */
static int grow(struct import *im)
{
    size_t cap = im->cap ? im->cap * 2 : 256;
    if (cap > VG_SHARE_IMPORT_CHUNK)
        cap = VG_SHARE_IMPORT_CHUNK;
    struct pending *c = vg_realloc(im->chunk, cap * sizeof *c);
    if (c)
        im->chunk = c;
    struct vg_indicator_rec *r = vg_realloc(im->recs, cap * sizeof *r);
    if (r)
        im->recs = r;
    long long *ids = vg_realloc(im->ids, cap * sizeof *ids);
    if (ids)
        im->ids = ids;
    if (!c || !r || !ids)
        return VG_ENOMEM;
    im->cap = cap;
    return 0;
}

static int sink_item(void *ctx, const struct vg_share_item *item)
{
    struct import *im = ctx;
    im->rep->items++;
    struct vg_diag cd;
    vg_diag_clear(&cd);
    char fs[VG_TIME_LEN], ls[VG_TIME_LEN], *tags = NULL;
    /* vg_indicator_check's decisions on the C item: the value, its type, the source */
    int rc = check_value(im, item, &cd);
    if (!rc)
        rc = check_str("/source", im->source, strlen(im->source), VG_MAX_NAME, true, &cd);
    bool more = false;
    if (!rc) {
        rc = check_more(item, fs, ls, &tags, &cd);
        more = rc == 0;
        /* a field beside the value that vigie cannot keep (a tag too long, a date in another
         * form) does not lose the value: it goes without them */
        if (rc == VG_EINVAL) {
            vg_diag_clear(&cd);
            rc = 0;
        }
    }
    if (rc == VG_ENOMEM)
        return vg_diag_set(im->d, VG_ENOMEM, "", "out of memory");
    if (rc) {
        char what[VG_MAX_SHOWN + 32];
        snprintf(what, sizeof what, "%.20s '%.*s'", item->type ? item->type : "item",
                 VG_MAX_SHOWN / 2, item->value ? item->value : "");
        char reason[sizeof cd.message + sizeof cd.field + 4];
        snprintf(reason, sizeof reason, "%s%s%s", cd.field, cd.field[0] ? ": " : "", cd.message);
        skipped(im->rep, item->pointer, what, reason);
        return 0;
    }
    if (im->n == im->cap && grow(im) != 0)
        return vg_diag_set(im->d, VG_ENOMEM, "", "out of memory");
    struct pending *p = &im->chunk[im->n];
    *p = (struct pending){vg_obs_type_name(im->obs->type),
                          vg_tlp_name(vg_tlp_level(item->tlp)), /* none AMBER, unreadable RED */
                          keep(im, im->obs->value, strlen(im->obs->value)),
                          more && tags ? keep(im, tags, strlen(tags)) : -1,
                          more && fs[0] ? keep(im, fs, strlen(fs)) : -1,
                          more && ls[0] ? keep(im, ls, strlen(ls)) : -1,
                          more ? item->confidence : -1,
                          sightings_json(item)};
    free(tags);
    if (im->arena.failed || (item->nsightings && !p->sightings)) {
        json_decref(p->sightings);
        return vg_diag_set(im->d, VG_ENOMEM, "", "out of memory");
    }
    if (++im->n >= VG_SHARE_IMPORT_CHUNK)
        return flush(im);
    return 0;
}

/* Sets an import up: its source and sink. */
static int import_start(struct import *im, struct vg_store *st, const struct vg_actor *who,
                        const char *source, struct vg_share_report *rep, struct vg_diag *d,
                        struct vg_share_sink *sink)
{
    *im = (struct import){.st = st, .who = who, .rep = rep, .d = d};
    im->obs = vg_malloc(sizeof *im->obs);
    vg_buf_init(&im->arena, VG_MAX_BUF);
    /* a partner's items are its own, whatever the file says */
    im->source = who->partner_id ? who->name : source && *source ? source : "import";
    *sink = (struct vg_share_sink){im, sink_container, sink_item, sink_skip};
    if (!im->obs || !rep->skipped_items)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return 0;
}

/* Ends an import that the reader ended with rc: what is pending is stored (everything valid
 * before a malformed part is kept), the reader's error wins over a store's. */
static int import_end(struct import *im, int rc)
{
    struct vg_diag fd;
    vg_diag_clear(&fd);
    if (im->obs && (rc == 0 || rc == VG_EINVAL)) {
        /* after a reader's error, the store's goes to fd: d keeps the reader's pointer */
        struct vg_diag *keep_d = im->d;
        if (rc)
            im->d = &fd;
        int frc = flush(im);
        im->d = keep_d;
        if (!rc)
            rc = frc;
    }
    for (size_t i = 0; im->chunk && i < im->n; i++)
        json_decref(im->chunk[i].sightings);
    free(im->chunk);
    free(im->recs);
    free(im->ids);
    free(im->obs);
    vg_buf_cleanup(&im->arena);
    vg_attrib_free(im->attrib);
    return rc;
}

int vg_share_import_with(struct vg_store *st, const struct vg_actor *who, vg_share_reader read,
                         void *arg, const char *source, struct vg_share_report *rep,
                         struct vg_diag *d)
{
    struct import im;
    struct vg_share_sink sink;
    int rc = import_start(&im, st, who, source, rep, d, &sink);
    if (!rc)
        rc = read(arg, &sink, d);
    return import_end(&im, rc);
}

/* The input of a format reader. */
struct input {
    const char *buf;
    size_t len;
    const json_t *objects;
};

static int read_misp(void *arg, const struct vg_share_sink *sink, struct vg_diag *d)
{
    const struct input *in = arg;
    return vg_misp_read(in->buf, in->len, sink, d);
}

static int read_stix(void *arg, const struct vg_share_sink *sink, struct vg_diag *d)
{
    const struct input *in = arg;
    return vg_stix_read(in->buf, in->len, sink, d);
}

static int read_objects(void *arg, const struct vg_share_sink *sink, struct vg_diag *d)
{
    const struct input *in = arg;
    return vg_stix_read_objects(in->objects, "/objects", sink, d);
}

int vg_share_import(struct vg_store *st, const struct vg_actor *who, const char *format,
                    const char *buf, size_t len, const char *source, struct vg_share_report *rep,
                    struct vg_diag *d)
{
    if (!format || !*format || strcmp(format, "auto") == 0)
        format = vg_share_detect(buf, len);
    if (!format)
        return vg_diag_set(d, VG_EINVAL, "format",
                           "the input is neither MISP JSON nor STIX 2.1 (say --format)");
    if (strcmp(format, "misp") != 0 && strcmp(format, "stix") != 0)
        return vg_diag_set(d, VG_EINVAL, "format", "format is misp, stix or auto");
    snprintf(rep->format, sizeof rep->format, "%s", format);
    struct input in = {buf, len, NULL};
    return vg_share_import_with(st, who, strcmp(format, "misp") == 0 ? read_misp : read_stix, &in,
                                source, rep, d);
}

int vg_share_import_stix_objects(struct vg_store *st, const struct vg_actor *who,
                                 const json_t *objects, const char *source,
                                 struct vg_share_report *rep, struct vg_diag *d)
{
    snprintf(rep->format, sizeof rep->format, "stix");
    struct input in = {NULL, 0, objects};
    return vg_share_import_with(st, who, read_objects, &in, source, rep, d);
}

int vg_share_taxii_posted(void *ctx, struct vg_store *st, const struct vg_actor *who,
                          const char *coll, const json_t *objects)
{
    (void)ctx;
    char source[96];
    snprintf(source, sizeof source, "taxii:%.80s", coll);
    struct vg_share_report rep;
    struct vg_diag d;
    vg_diag_clear(&d);
    vg_share_report_init(&rep);
    int rc = vg_share_import_stix_objects(st, who, objects, source, &rep, &d);
    if (rc)
        vg_warn("taxii: import of the objects posted to %s: %s", coll, d.message);
    vg_share_report_cleanup(&rep);
    return rc;
}
