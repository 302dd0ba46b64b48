/* MISP's JSON (the MISP core format): the writer turns a document (share/share.h) into one
 * event, straight into the output buffer; the reader walks events with the scanner of
 * share/jscan.h and hands each attribute alone to jansson, so that memory follows the largest
 * attribute, not the document. Mapping tables and choices: docs/MISP.md. */
#include "share/misp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/tlp.h"
#include "share/jscan.h"
#include "share/stream.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"
#include "util/uuid.h"

/* ---- Types, both ways ---- */

/* A MISP type vigie writes for an item type, and its category (describeTypes' default). */
struct wtype {
    const char *item;     /* vigie's type */
    const char *misp;     /* a MISP type that holds it alone */
    const char *category; /* MISP's default category of that type */
    bool preferred;       /* the one written when the item has no usable misp_type */
};

static const struct wtype wtypes[] = {
    {"ipv4-addr", "ip-dst", "Network activity", true},
    {"ipv4-addr", "ip-src", "Network activity", false},
    {"ipv6-addr", "ip-dst", "Network activity", true},
    {"ipv6-addr", "ip-src", "Network activity", false},
    {"domain-name", "domain", "Network activity", true},
    {"domain-name", "hostname", "Network activity", false},
    {"url", "url", "Network activity", true},
    {"url", "uri", "Network activity", false},
    {"email-addr", "email-src", "Payload delivery", true},
    {"email-addr", "email-dst", "Network activity", false},
    {"email-addr", "email", "Social network", false},
    {"md5", "md5", "Payload delivery", true},
    {"sha1", "sha1", "Payload delivery", true},
    {"sha256", "sha256", "Payload delivery", true},
};
#define NWTYPES (sizeof wtypes / sizeof wtypes[0])

/* How the reader takes a MISP type. */
enum rkind {
    RK_IP,        /* an address or CIDR: ipv4-addr or ipv6-addr by its form */
    RK_IP_PORT,   /* "address|port": the address, the port in the comment */
    RK_PLAIN,     /* the value as the item type */
    RK_URI,       /* kept only when it is an absolute URL */
    RK_FILE_HASH, /* "filename|hash": the hash, the file name in the comment */
    RK_DOMAIN_IP, /* "domain|ip": two items */
};

struct rtype {
    const char *misp;
    enum rkind kind;
    const char *item; /* for RK_PLAIN, RK_URI and RK_FILE_HASH */
};

static const struct rtype rtypes[] = {
    {"ip-src", RK_IP, NULL},
    {"ip-dst", RK_IP, NULL},
    {"ip-src|port", RK_IP_PORT, NULL},
    {"ip-dst|port", RK_IP_PORT, NULL},
    {"domain", RK_PLAIN, "domain-name"},
    {"hostname", RK_PLAIN, "domain-name"},
    {"domain|ip", RK_DOMAIN_IP, NULL},
    {"url", RK_PLAIN, "url"},
    {"uri", RK_URI, "url"},
    {"email", RK_PLAIN, "email-addr"},
    {"email-src", RK_PLAIN, "email-addr"},
    {"email-dst", RK_PLAIN, "email-addr"},
    {"md5", RK_PLAIN, "md5"},
    {"sha1", RK_PLAIN, "sha1"},
    {"sha256", RK_PLAIN, "sha256"},
    {"filename|md5", RK_FILE_HASH, "md5"},
    {"filename|sha1", RK_FILE_HASH, "sha1"},
    {"filename|sha256", RK_FILE_HASH, "sha256"},
};
#define NRTYPES (sizeof rtypes / sizeof rtypes[0])

static const struct wtype *wtype_of(const char *item, const char *misp)
{
    const struct wtype *pref = NULL;
    for (size_t i = 0; i < NWTYPES; i++) {
        if (strcmp(wtypes[i].item, item) != 0)
            continue;
        if (misp && strcmp(wtypes[i].misp, misp) == 0)
            return &wtypes[i];
        if (wtypes[i].preferred && !pref)
            pref = &wtypes[i];
    }
    return pref;
}

static const struct rtype *rtype_of(const char *misp)
{
    for (size_t i = 0; i < NRTYPES; i++)
        if (strcmp(rtypes[i].misp, misp) == 0)
            return &rtypes[i];
    return NULL;
}

/* ---- The writer ---- */

/* What an event's head holds, computed once for the event and for its manifest entry. */
struct head {
    const char *uuid;
    const char *info;
    char date[16];        /* YYYY-MM-DD */
    long long timestamp;  /* epoch seconds */
    int threat_level;     /* 1 high, 2 medium, 3 low, 4 undefined */
    int analysis;         /* 0 initial, 1 ongoing, 2 completed */
    int distribution;     /* by the container's TLP */
    enum vg_tlp tlp;      /* the container's */
    const char *org_name; /* producer, may be NULL */
    const char *org_uuid; /* may be NULL */
    const char *tags[3];  /* TLP, PAP, RSIT */
    size_t ntags;
    char pap_tag[32];   /* "PAP:GREEN" */
    char rsit_tag[160]; /* rsit:CLASS="TYPE" */
    long long withheld; /* members the gate removed */
};

static int time_field(const json_t *obj, const char *key, time_t *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    *present = false;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || vg_time_parse(json_string_value(v), out) < 0)
        return -1;
    *present = true;
    return 0;
}

/* Distribution of an event by its TLP: who in the MISP community may see it. */
static int distribution_of(enum vg_tlp t)
{
    switch (t) {
    case VG_TLP_CLEAR: return 3; /* all communities */
    case VG_TLP_GREEN: return 2; /* connected communities */
    case VG_TLP_AMBER: return 1; /* this community only */
    default: return 0;           /* AMBER+STRICT and RED: this organisation only */
    }
}

static int threat_of(const char *severity)
{
    if (!severity)
        return 4;
    if (!strcmp(severity, "critical") || !strcmp(severity, "high"))
        return 1;
    if (!strcmp(severity, "medium"))
        return 2;
    if (!strcmp(severity, "low"))
        return 3;
    return 4;
}

static int analysis_of(const char *kind, const char *status)
{
    if (!status)
        return kind && !strcmp(kind, "indicators") ? 2 : 0;
    if (!strcmp(status, "new") || !strcmp(status, "triage"))
        return 0;
    if (!strcmp(status, "closed") || !strcmp(status, "rejected"))
        return 2;
    return 1; /* analysis, containment, eradication, recovery */
}

static int head_of(const json_t *doc, struct head *h, struct vg_diag *d)
{
    memset(h, 0, sizeof *h);
    if (!json_is_object(doc))
        return vg_diag_set(d, VG_EINVAL, "", "the document is not an object");
    h->uuid = vg_json_str(doc, "uuid");
    if (!h->uuid || !vg_uuid_valid(h->uuid, strlen(h->uuid)))
        return vg_diag_set(d, VG_EINVAL, "/uuid", "the document has no valid uuid");
    h->info = vg_json_str(doc, "title");
    if (!h->info || !*h->info)
        h->info = vg_json_str(doc, "ref");
    if (!h->info || !*h->info)
        h->info = "vigie export";
    time_t created = 0, updated = 0;
    bool has_c, has_u;
    if (time_field(doc, "created", &created, &has_c) < 0)
        return vg_diag_set(d, VG_EINVAL, "/created", "created is not an RFC 3339 date-time");
    if (time_field(doc, "updated", &updated, &has_u) < 0)
        return vg_diag_set(d, VG_EINVAL, "/updated", "updated is not an RFC 3339 date-time");
    if (!has_c)
        created = updated;
    if (!has_u)
        updated = created;
    struct tm tm;
    if (!gmtime_r(&created, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
        return vg_diag_set(d, VG_EINVAL, "/created", "created is out of range");
    strftime(h->date, sizeof h->date, "%Y-%m-%d", &tm);
    h->timestamp = (long long)updated;
    const char *tlp = vg_json_str(doc, "tlp");
    if (!tlp)
        h->tlp = VG_TLP_AMBER;
    else if (vg_tlp_parse(tlp, &h->tlp) < 0)
        return vg_diag_set(d, VG_EINVAL, "/tlp", "unknown TLP '%.40s'", tlp);
    h->distribution = distribution_of(h->tlp);
    h->threat_level = threat_of(vg_json_str(doc, "severity"));
    h->analysis = analysis_of(vg_json_str(doc, "kind"), vg_json_str(doc, "status"));
    json_t *prod = json_object_get(doc, "producer");
    h->org_name = vg_json_str(prod, "name");
    h->org_uuid = vg_json_str(prod, "uuid");
    h->tags[h->ntags++] = vg_tlp_misp_tag(h->tlp);
    const char *pap = vg_json_str(doc, "pap");
    if (pap && *pap) {
        snprintf(h->pap_tag, sizeof h->pap_tag, "PAP:%.20s", pap);
        for (char *p = h->pap_tag + 4; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        h->tags[h->ntags++] = h->pap_tag;
    }
    const char *cls = vg_json_str(doc, "class"), *type = vg_json_str(doc, "type");
    if (cls && *cls && type && *type) {
        snprintf(h->rsit_tag, sizeof h->rsit_tag, "rsit:%.60s=\"%.60s\"", cls, type);
        h->tags[h->ntags++] = h->rsit_tag;
    }
    json_t *w = json_object_get(doc, "withheld");
    h->withheld = json_is_integer(w) && json_integer_value(w) > 0 ? json_integer_value(w) : 0;
    return 0;
}

static void put_lit(struct vg_buf *b, const char *s)
{
    vg_buf_append(b, s, strlen(s));
}

static void put_str(struct vg_buf *b, const char *s)
{
    vg_buf_put_json(b, vg_str_c(s ? s : ""));
}

/* An integer as a JSON string ("1733400000"), as MISP writes its numbers. */
static void put_num_str(struct vg_buf *b, long long v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    bool neg = v < 0;
    unsigned long long u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    tmp[--i] = '"';
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg)
        tmp[--i] = '-';
    tmp[--i] = '"';
    vg_buf_append(b, tmp + i, sizeof tmp - i);
}

static void put_tag(struct vg_buf *b, const char *name, bool *first)
{
    if (!*first)
        vg_buf_putc(b, ',');
    *first = false;
    put_lit(b, "{\"name\":");
    put_str(b, name);
    vg_buf_putc(b, '}');
}

static int item_error(struct vg_diag *d, size_t i, const char *sub, const char *msg)
{
    char ptr[96];
    snprintf(ptr, sizeof ptr, "/items/%zu%s", i, sub);
    return vg_diag_set(d, VG_EINVAL, ptr, "%s", msg);
}

static int write_sightings(const struct vg_share_item *it, size_t i, struct vg_buf *b,
                           struct vg_diag *d)
{
    if (it->nsightings == 0)
        return 0;
    put_lit(b, ",\"Sighting\":[");
    for (size_t k = 0; k < it->nsightings; k++) {
        const struct vg_share_sighting *s = &it->sightings[k];
        time_t seen;
        if (!s->seen || vg_time_parse(s->seen, &seen) < 0)
            return item_error(d, i, "/sightings", "a sighting has no valid 'seen'");
        if (k)
            vg_buf_putc(b, ',');
        vg_buf_putc(b, '{');
        if (s->uuid) {
            put_lit(b, "\"uuid\":");
            put_str(b, s->uuid);
            vg_buf_putc(b, ',');
        }
        put_lit(b, "\"date_sighting\":");
        put_num_str(b, (long long)seen);
        put_lit(b, ",\"type\":\"0\"");
        if (s->source) {
            put_lit(b, ",\"source\":");
            put_str(b, s->source);
        }
        vg_buf_putc(b, '}');
    }
    vg_buf_putc(b, ']');
    return 0;
}

static int write_attribute(const struct vg_share_item *it, size_t i, const struct head *h,
                           struct vg_buf *b, struct vg_diag *d)
{
    const char *type = it->type, *value = it->value;
    if (!type)
        return item_error(d, i, "/type", "the item has no type");
    const struct wtype *wt = wtype_of(type, it->misp_type);
    if (!wt)
        return item_error(d, i, "/type", "the item's type has no MISP type");
    if (!value)
        return item_error(d, i, "/value", "the item has no value");
    const char *uuid = it->uuid;
    if (!uuid || !vg_uuid_valid(uuid, strlen(uuid)))
        return item_error(d, i, "/uuid", "the item has no valid uuid");
    enum vg_tlp tlp = h->tlp;
    if (it->tlp && vg_tlp_parse(it->tlp, &tlp) < 0)
        return item_error(d, i, "/tlp", "the item's TLP is unknown");
    time_t ts = (time_t)h->timestamp, t;
    if (it->created && vg_time_parse(it->created, &t) < 0)
        return item_error(d, i, "/created", "created is not an RFC 3339 date-time");
    if (it->created)
        ts = t;
    if (it->updated && vg_time_parse(it->updated, &t) < 0)
        return item_error(d, i, "/updated", "updated is not an RFC 3339 date-time");
    if (it->updated)
        ts = t;
    const char *first = it->first_seen, *last = it->last_seen;
    if (first && vg_time_parse(first, &t) < 0)
        return item_error(d, i, "/first_seen", "first_seen is not an RFC 3339 date-time");
    if (last && vg_time_parse(last, &t) < 0)
        return item_error(d, i, "/last_seen", "last_seen is not an RFC 3339 date-time");

    put_lit(b, "{\"uuid\":");
    put_str(b, uuid);
    put_lit(b, ",\"type\":");
    put_str(b, wt->misp);
    put_lit(b, ",\"category\":");
    put_str(b, wt->category);
    put_lit(b, it->to_ids ? ",\"to_ids\":true" : ",\"to_ids\":false");
    put_lit(b, ",\"value\":");
    put_str(b, value);
    put_lit(b, ",\"comment\":");
    put_str(b, it->comment);
    put_lit(b, ",\"timestamp\":");
    put_num_str(b, (long long)ts);
    if (first) {
        put_lit(b, ",\"first_seen\":");
        put_str(b, first);
    }
    if (last) {
        put_lit(b, ",\"last_seen\":");
        put_str(b, last);
    }
    put_lit(b, ",\"distribution\":\"5\",\"Tag\":[");
    bool first_tag = true;
    put_tag(b, vg_tlp_misp_tag(tlp), &first_tag);
    for (size_t k = 0; k < it->ntags; k++) {
        enum vg_tlp ignored;
        /* a tag that reads as a TLP level would contradict the one above: the TLP is the item's */
        if (it->tags[k] && vg_tlp_from_misp_tag(it->tags[k], &ignored) < 0)
            put_tag(b, it->tags[k], &first_tag);
    }
    vg_buf_putc(b, ']');
    int rc = write_sightings(it, i, b, d);
    if (rc)
        return rc;
    vg_buf_putc(b, '}');
    return 0;
}

/* The comment attribute that says how many members the gate withheld. */
static void write_withheld(const struct head *h, struct vg_buf *b)
{
    char name[96], uuid[VG_UUID_LEN + 1], text[128];
    int n = snprintf(name, sizeof name, "misp-withheld:%s", h->uuid);
    vg_uuid5(vg_uuid_ns_vigie, name, (size_t)n, uuid);
    snprintf(text, sizeof text, "vigie: %lld item(s) withheld from this export by TLP",
             h->withheld);
    put_lit(b, "{\"uuid\":");
    put_str(b, uuid);
    put_lit(b, ",\"type\":\"comment\",\"category\":\"Other\",\"to_ids\":false,\"value\":");
    put_str(b, text);
    put_lit(b, ",\"comment\":\"\",\"timestamp\":");
    put_num_str(b, h->timestamp);
    put_lit(b, ",\"distribution\":\"5\"}");
}

/* The event's members known only once its items are written (the container's TLP and the
 * withheld count: the use case learns them while the gate runs over the items), read again
 * from head. */
static int head_late(const json_t *head, struct head *h, struct vg_diag *d)
{
    const char *tlp = vg_json_str(head, "tlp");
    if (!tlp)
        h->tlp = VG_TLP_AMBER;
    else if (vg_tlp_parse(tlp, &h->tlp) < 0)
        return vg_diag_set(d, VG_EINVAL, "/tlp", "unknown TLP '%.40s'", tlp);
    h->distribution = distribution_of(h->tlp);
    h->tags[0] = vg_tlp_misp_tag(h->tlp);
    json_t *w = json_object_get(head, "withheld");
    h->withheld = json_is_integer(w) && json_integer_value(w) > 0 ? json_integer_value(w) : 0;
    return 0;
}

int vg_misp_write_stream(const json_t *head, const struct vg_share_items *items, struct vg_buf *out,
                         struct vg_diag *d)
{
    struct head h;
    int rc = head_of(head, &h, d);
    if (rc)
        return rc;
    size_t start = out->len;
    if (items->hint)
        vg_buf_reserve(out, items->hint * 400 + 4096);
    put_lit(out, "{\"Event\":{\"uuid\":");
    put_str(out, h.uuid);
    put_lit(out, ",\"info\":");
    put_str(out, h.info);
    put_lit(out, ",\"date\":");
    put_str(out, h.date);
    put_lit(out, ",\"timestamp\":");
    put_num_str(out, h.timestamp);
    put_lit(out, ",\"publish_timestamp\":");
    put_num_str(out, h.timestamp);
    put_lit(out, ",\"published\":true,\"threat_level_id\":");
    put_num_str(out, h.threat_level);
    put_lit(out, ",\"analysis\":");
    put_num_str(out, h.analysis);
    if (h.org_name || h.org_uuid) {
        put_lit(out, ",\"Orgc\":{\"name\":");
        put_str(out, h.org_name);
        if (h.org_uuid) {
            put_lit(out, ",\"uuid\":");
            put_str(out, h.org_uuid);
        }
        vg_buf_putc(out, '}');
    }
    put_lit(out, ",\"Attribute\":[");
    size_t i = 0;
    const struct vg_share_item *it = NULL;
    while ((rc = items->next(items->ctx, &it, d)) > 0) {
        if (i)
            vg_buf_putc(out, ',');
        rc = write_attribute(it, i, &h, out, d);
        if (rc)
            goto out;
        i++;
        if (out->failed)
            break;
    }
    if (rc < 0)
        goto out;
    if ((rc = head_late(head, &h, d)) != 0)
        goto out;
    /* always, as share/share.h asks: "0 item(s) withheld" tells the recipient nothing was */
    if (i)
        vg_buf_putc(out, ',');
    write_withheld(&h, out);
    /* the distribution and the event's tags after the attributes (MISP's own order): its TLP
     * is known once the items have passed the gate */
    put_lit(out, "],\"distribution\":");
    put_num_str(out, h.distribution);
    put_lit(out, ",\"Tag\":[");
    bool first = true;
    for (size_t k = 0; k < h.ntags; k++)
        put_tag(out, h.tags[k], &first);
    put_lit(out, "]}}");
out:
    if (!rc && out->failed)
        rc = vg_diag_set(d, VG_ETOOBIG, "", "the MISP event does not fit in %zu bytes", out->max);
    if (rc && !out->failed && out->len >= start) {
        out->len = start; /* nothing half-written */
        if (out->data)
            out->data[start] = 0;
    }
    return rc;
}

int vg_misp_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d)
{
    struct head h;
    int rc = head_of(doc, &h, d);
    if (rc)
        return rc;
    json_t *items = json_object_get(doc, "items");
    if (items && !json_is_array(items))
        return vg_diag_set(d, VG_EINVAL, "/items", "items is not an array");
    struct vg_share_doc_items di;
    struct vg_share_items src;
    vg_share_doc_items_init(&di, items, false, &src);
    rc = vg_misp_write_stream(doc, &src, out, d);
    vg_share_doc_items_cleanup(&di);
    return rc;
}

int vg_misp_manifest_entry(const json_t *doc, json_t **out, struct vg_diag *d)
{
    struct head h;
    int rc = head_of(doc, &h, d);
    if (rc)
        return rc;
    char num[4][24];
    snprintf(num[0], sizeof num[0], "%lld", h.timestamp);
    snprintf(num[1], sizeof num[1], "%d", h.threat_level);
    snprintf(num[2], sizeof num[2], "%d", h.analysis);
    json_t *tags = json_array();
    for (size_t i = 0; i < h.ntags; i++)
        json_array_append_new(tags, json_pack("{s:s}", "name", h.tags[i]));
    json_t *e =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "info", h.info, "date", h.date, "timestamp",
                  num[0], "threat_level_id", num[1], "analysis", num[2], "Tag", tags);
    if (!e)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (h.org_name || h.org_uuid) {
        json_t *org = json_object();
        json_object_set_new(org, "name", json_string(h.org_name ? h.org_name : ""));
        if (h.org_uuid)
            json_object_set_new(org, "uuid", json_string(h.org_uuid));
        json_object_set_new(e, "Orgc", org);
    }
    *out = e;
    return 0;
}

/* ---- The reader ---- */

/* Strings handed to the sink come from jansson (checked when it parsed them) or from the
 * scanner (checked too), cut at ASCII separators: they are valid UTF-8, so the item is
 * built with jansson's _nocheck constructors. */
struct reader {
    const struct vg_share_sink *sink;
    struct vg_diag *d;
    struct vg_jscan s;
    struct vg_buf ptr;   /* the JSON pointer of where the reader is */
    const char *ev_uuid; /* the current event's uuid (borrowed from ev), or NULL */
    const char *ev_tlp;  /* the current event's TLP name, or NULL */
    struct vg_buf tmp;   /* scratch for comments */
    struct vg_buf sc;    /* the strings of the attribute being read, unescaped, each NUL-ended */
    struct vg_buf part;  /* a part of a composite value */
    const char **tags;   /* the item's tags (borrowed from the attribute's Tag[]) */
    size_t tags_cap;
    struct vg_share_sighting *sg; /* the item's sightings */
    char (*seen)[VG_TIME_LEN];    /* their times */
    size_t sg_cap;
    bool ts_ok; /* ts_text holds ts formatted */
    time_t ts;
    char ts_text[VG_TIME_LEN];
};

static const char *ptr_of(struct reader *r)
{
    return r->ptr.data ? r->ptr.data : "";
}

static size_t ptr_push_index(struct reader *r, size_t i)
{
    size_t mark = r->ptr.len;
    char tmp[24];
    size_t k = sizeof tmp;
    do {
        tmp[--k] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    tmp[--k] = '/';
    vg_buf_append(&r->ptr, tmp + k, sizeof tmp - k);
    return mark;
}

static size_t ptr_push_key(struct reader *r, struct vg_str key)
{
    size_t mark = r->ptr.len;
    vg_buf_putc(&r->ptr, '/');
    /* a member name as the pointer shows it: plain names as they are; others abridged */
    bool plain = key.len <= 64;
    for (size_t i = 0; plain && i < key.len; i++)
        if (key.ptr[i] == '\\' || key.ptr[i] == '~' || key.ptr[i] == '/' ||
            (unsigned char)key.ptr[i] < 0x20 || (unsigned char)key.ptr[i] >= 0x80)
            plain = false;
    if (plain)
        vg_buf_append(&r->ptr, key.ptr, key.len);
    else
        vg_buf_puts(&r->ptr, "~");
    return mark;
}

static void ptr_pop(struct reader *r, size_t mark)
{
    r->ptr.len = mark;
    if (r->ptr.data)
        r->ptr.data[mark] = 0;
}

/* The scanner's error, located. */
static int scan_fail(struct reader *r)
{
    int rc = vg_diag_set(r->d, VG_EINVAL, ptr_of(r), "%s at byte %zu",
                         r->s.err ? r->s.err : "malformed JSON", r->s.err_pos);
    if (r->d) {
        r->d->offset = (long)r->s.err_pos;
        r->d->line = 0;
    }
    return rc;
}

static int fail_at(struct reader *r, size_t at, const char *what)
{
    if (!r->s.err) {
        r->s.err = what;
        r->s.err_pos = at;
    }
    return scan_fail(r);
}

/* Epoch seconds given as a string of digits or an integer, up to year 9999. */
static int epoch_of(const json_t *v, time_t *out)
{
    unsigned long long u;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || i > 253402300799LL)
            return -1;
        *out = (time_t)i;
        return 0;
    }
    if (!json_is_string(v) ||
        vg_str_to_u64((struct vg_str){json_string_value(v), json_string_length(v)}, 0,
                      253402300799ULL, &u) < 0)
        return -1;
    *out = (time_t)u;
    return 0;
}

static void set_time(json_t *obj, const char *key, time_t t)
{
    char s[VG_TIME_LEN];
    vg_time_fmt(t, s);
    json_object_set_new(obj, key, json_string_nocheck(s));
}

/* A small integer given as a string or an integer, else -1. */
static long small_int(const json_t *v)
{
    unsigned long long u;
    if (json_is_integer(v))
        return json_integer_value(v) >= 0 && json_integer_value(v) < 1000
                   ? (long)json_integer_value(v)
                   : -1;
    if (json_is_string(v) &&
        vg_str_to_u64((struct vg_str){json_string_value(v), json_string_length(v)}, 0, 999, &u) ==
            0)
        return (long)u;
    return -1;
}

/* Is name a TLP tag? Then the most restricted level seen so far goes to *tlp. */
static bool tlp_tag(const char *name, enum vg_tlp *tlp, bool *has_tlp)
{
    enum vg_tlp level;
    if (vg_tlp_from_misp_tag(name, &level) < 0)
        return false;
    if (!*has_tlp || level > *tlp)
        *tlp = level;
    *has_tlp = true;
    return true;
}

/* Sorts an event's Tag[] list: the most restricted TLP into *tlp, PAP and RSIT into the
 * container c's fields (when c could be made), every other name into tags. An attribute's
 * Tag[] is item_tags'. */
static void read_tags(const json_t *list, enum vg_tlp *tlp, bool *has_tlp, json_t *c, json_t *tags)
{
    size_t i;
    json_t *t;
    json_array_foreach(list, i, t) {
        const char *name = vg_json_str(t, "name");
        if (!name || !*name)
            continue;
        if (tlp_tag(name, tlp, has_tlp))
            continue;
        if (c && strncasecmp(name, "PAP:", 4) == 0 && name[4]) {
            char pap[16];
            size_t n = 0;
            for (const char *p = name + 4; *p && n + 1 < sizeof pap; p++)
                pap[n++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
            pap[n] = 0;
            if (!strcmp(pap, "WHITE"))
                snprintf(pap, sizeof pap, "CLEAR");
            json_object_set_new(c, "pap", json_string(pap)); /* cut to 15 bytes: checked */
            continue;
        }
        if (c && strncmp(name, "rsit:", 5) == 0) {
            const char *cls = name + 5, *eq = strchr(cls, '=');
            if (eq && eq > cls) {
                const char *ty = eq + 1;
                size_t tl = strlen(ty);
                if (tl >= 2 && ty[0] == '"' && ty[tl - 1] == '"') {
                    ty++;
                    tl -= 2;
                }
                json_object_set_new(c, "class", json_stringn_nocheck(cls, (size_t)(eq - cls)));
                json_object_set_new(c, "type", json_stringn_nocheck(ty, tl));
                continue;
            }
        }
        json_array_append_new(tags, json_string_nocheck(name));
    }
}

/* The event's head, from a first look that skips its arrays: the container handed to the
 * sink before any attribute, whatever the order of the members. */
static json_t *read_head(struct reader *r)
{
    struct vg_jscan look = r->s;
    json_t *c = json_pack("{s:s}", "kind", "indicators");
    json_t *tags = json_array();
    json_t *tag_list = NULL;
    struct vg_str key;
    if (vg_jscan_obj_begin(&look) < 0)
        goto done;
    while (vg_jscan_obj_next(&look, &key) > 0) {
        static const char *const wanted[] =
            {"uuid",     "info", "date", "timestamp", "threat_level_id",
             "analysis", "Orgc", "Tag",  NULL};
        const char *name = NULL;
        for (size_t i = 0; wanted[i]; i++)
            if (vg_jscan_key_is(key, wanted[i]))
                name = wanted[i];
        if (!name) {
            if (vg_jscan_skip(&look) < 0)
                break;
            continue;
        }
        struct vg_str span;
        if (vg_jscan_value(&look, &span) < 0)
            break;
        json_t *v = vg_json_loadb(span.ptr, span.len, JSON_DECODE_ANY, NULL);
        if (!v)
            break;
        time_t t;
        long n;
        if (!strcmp(name, "uuid") && json_is_string(v)) {
            json_object_set(c, "uuid", v);
        } else if (!strcmp(name, "info") && json_is_string(v)) {
            json_object_set(c, "title", v);
        } else if (!strcmp(name, "date") && json_is_string(v)) {
            if (json_string_length(v) == 10 && vg_time_parse(json_string_value(v), &t) == 0)
                set_time(c, "created", t);
        } else if (!strcmp(name, "timestamp")) {
            if (epoch_of(v, &t) == 0)
                set_time(c, "updated", t);
        } else if (!strcmp(name, "threat_level_id")) {
            n = small_int(v);
            if (n >= 1 && n <= 3)
                json_object_set_new(c, "severity",
                                    json_string_nocheck(n == 1   ? "high"
                                                        : n == 2 ? "medium"
                                                                 : "low"));
        } else if (!strcmp(name, "analysis")) {
            n = small_int(v);
            if (n >= 0 && n <= 2)
                json_object_set_new(c, "status",
                                    json_string_nocheck(n == 0   ? "new"
                                                        : n == 1 ? "analysis"
                                                                 : "closed"));
        } else if (!strcmp(name, "Orgc") && json_is_object(v)) {
            json_t *org = json_object();
            const char *on = vg_json_str(v, "name"), *ou = vg_json_str(v, "uuid");
            if (on)
                json_object_set_new(org, "name", json_string_nocheck(on));
            if (ou)
                json_object_set_new(org, "uuid", json_string_nocheck(ou));
            json_object_set_new(c, "producer", org);
        } else if (!strcmp(name, "Tag") && json_is_array(v)) {
            json_decref(tag_list);
            tag_list = json_incref(v);
        }
        json_decref(v);
    }
done:
    if (tag_list) {
        enum vg_tlp tlp = VG_TLP_CLEAR;
        bool has = false;
        read_tags(tag_list, &tlp, &has, c, tags);
        if (has)
            json_object_set_new(c, "tlp", json_string_nocheck(vg_tlp_name(tlp)));
        json_decref(tag_list);
    }
    if (json_array_size(tags))
        json_object_set(c, "tags", tags);
    json_decref(tags);
    return c;
}

static int skip_attr(struct reader *r, const char *type, const char *reason)
{
    char what[128];
    size_t n = type ? strlen(type) : 0;
    if (n > 80) /* abridged, at a character's start */
        for (n = 80; n > 0 && ((unsigned char)type[n] & 0xC0) == 0x80; n--)
            ;
    snprintf(what, sizeof what, "attribute type '%.*s'", (int)n, type ? type : "");
    if (!r->sink->skip)
        return 0;
    return r->sink->skip(r->sink->ctx, ptr_of(r), type ? what : "attribute", reason);
}

/* The withheld count of vigie's own exports (write_withheld): understood, not a skip. */
static bool is_withheld_note(const char *type, const char *value, size_t vlen)
{
    static const char pre[] = "vigie: ", post[] = " item(s) withheld from this export by TLP";
    size_t np = sizeof pre - 1, nq = sizeof post - 1, i = np;
    if (strcmp(type, "comment") != 0 || vlen < np + 1 + nq || memcmp(value, pre, np) != 0)
        return false;
    while (i < vlen && value[i] >= '0' && value[i] <= '9')
        i++;
    return i > np && vlen - i == nq && memcmp(value + i, post, nq) == 0;
}

static int emit(struct reader *r, struct vg_share_item *item)
{
    item->pointer = ptr_of(r);
    item->container = r->ev_uuid;
    return r->sink->item ? r->sink->item(r->sink->ctx, item) : 0;
}

static const char *ip_type(const char *v, size_t n)
{
    return memchr(v, ':', n) ? "ipv6-addr" : "ipv4-addr";
}

/* The comment of an item: the attribute's, then what a composite value adds (in r->tmp). */
static const char *comment_with(struct reader *r, const char *comment, const char *label,
                                const char *extra, size_t extra_len)
{
    vg_buf_reset(&r->tmp);
    if (comment && *comment)
        vg_buf_puts(&r->tmp, comment);
    if (label) {
        if (r->tmp.len)
            vg_buf_puts(&r->tmp, "; ");
        vg_buf_puts(&r->tmp, label);
        vg_buf_append(&r->tmp, extra, extra_len);
    }
    if (r->tmp.failed) /* over VG_MAX_STR_FIELD: the attribute's comment alone */
        return comment && *comment ? comment : NULL;
    if (!r->tmp.len)
        return NULL;
    return r->tmp.data;
}

/* A part of the value (of a composite), NUL-terminated in r->part. */
static const char *part_of(struct reader *r, const char *p, size_t n)
{
    vg_buf_reset(&r->part);
    vg_buf_append(&r->part, p, n);
    return r->part.data && !r->part.failed ? r->part.data : "";
}

/* What the reader keeps of an attribute: strings as offsets into r->sc (-1: absent, or not a
 * string), the other members evaluated. */
struct attr {
    long type, value, uuid, comment, first_seen, last_seen;
    size_t value_len;
    int to_ids;     /* -1 absent, else 0 or 1 */
    bool deleted;   /* true or 1 */
    bool has_ts;    /* timestamp read */
    time_t ts;      /* its time */
    json_t *tag;    /* Tag[], when present */
    json_t *sights; /* Sighting[], when present */
};

static const char *at(const struct reader *r, long off)
{
    return off < 0 ? NULL : r->sc.data + off;
}

/* Makes room for n tags and sightings in the reader's reusable arrays: 0 or -1. */
static int room(struct reader *r, size_t nt, size_t ns)
{
    if (nt > r->tags_cap) {
        const char **t = vg_realloc(r->tags, nt * sizeof *t);
        if (!t)
            return -1;
        r->tags = t;
        r->tags_cap = nt;
    }
    if (ns > r->sg_cap) {
        struct vg_share_sighting *g = vg_realloc(r->sg, ns * sizeof *g);
        char(*seen)[VG_TIME_LEN] = vg_realloc(r->seen, ns * sizeof *seen);
        if (g)
            r->sg = g;
        if (seen)
            r->seen = seen;
        if (!g || !seen)
            return -1;
        r->sg_cap = ns;
    }
    return 0;
}

/* An attribute's Tag[] for an item: the most restricted TLP into *tlp, the other names into
 * r->tags (PAP and RSIT included). */
static size_t item_tags(struct reader *r, const json_t *list, enum vg_tlp *tlp, bool *has_tlp)
{
    size_t i, n = 0;
    json_t *t;
    json_array_foreach(list, i, t) {
        const char *name = vg_json_str(t, "name");
        if (!name || !*name)
            continue;
        if (tlp_tag(name, tlp, has_tlp))
            continue;
        r->tags[n++] = name;
    }
    return n;
}

/* An attribute's Sighting[] for an item, in r->sg. */
static size_t item_sightings(struct reader *r, const json_t *list)
{
    size_t k, n = 0;
    json_t *s;
    time_t t;
    json_array_foreach(list, k, s) {
        json_t *st = json_object_get(s, "type");
        if (st && small_int(st) != 0)
            continue; /* 1 is a false positive, 2 an expiration: not sightings */
        if (epoch_of(json_object_get(s, "date_sighting"), &t) < 0)
            continue;
        const char *src = vg_json_str(s, "source");
        vg_time_fmt(t, r->seen[n]);
        r->sg[n] = (struct vg_share_sighting){vg_json_str(s, "uuid"), r->seen[n], 1,
                                              src && *src ? src : NULL, NULL};
        n++;
    }
    return n;
}

static int read_attribute(struct reader *r, const struct attr *a)
{
    const char *type = at(r, a->type);
    if (!type)
        return skip_attr(r, NULL, "no type");
    if (a->deleted)
        return skip_attr(r, type, "deleted");
    const char *value = at(r, a->value);
    size_t vlen = value ? a->value_len : 0;
    const struct rtype *rt = rtype_of(type);
    if (!rt) {
        if (value && is_withheld_note(type, value, vlen))
            return 0;
        return skip_attr(r, type, "not a type of value vigie imports");
    }
    if (!vlen)
        return skip_attr(r, type, "no value");
    const char *bar = memchr(value, '|', vlen);
    if (rt->kind == RK_IP_PORT || rt->kind == RK_FILE_HASH || rt->kind == RK_DOMAIN_IP) {
        /* composites: "a|b"; an IPv6 address has no '|', so the first is the separator */
        if (!bar || bar == value || bar + 1 == value + vlen)
            return skip_attr(r, type, "the value is not of the form 'a|b'");
    }
    if (room(r, json_array_size(a->tag), json_array_size(a->sights)) < 0)
        return vg_diag_set(r->d, VG_ENOMEM, "", "out of memory");

    struct vg_share_item item = {.uuid = at(r, a->uuid),
                                 .confidence = -1,
                                 .tags = r->tags,
                                 .to_ids = a->to_ids != 0, /* absent: true */
                                 .misp_type = type,
                                 .sightings = r->sg};
    enum vg_tlp tlp = VG_TLP_CLEAR;
    bool has_tlp = false;
    item.ntags = item_tags(r, a->tag, &tlp, &has_tlp);
    item.tlp = has_tlp ? vg_tlp_name(tlp) : r->ev_tlp;
    const char *fs = at(r, a->first_seen), *ls = at(r, a->last_seen);
    time_t t;
    /* kept as MISP gives them (RFC 3339 with microseconds), when they are dates at all */
    if (fs && vg_time_parse(fs, &t) == 0)
        item.first_seen = fs;
    if (ls && vg_time_parse(ls, &t) == 0)
        item.last_seen = ls;
    if (a->has_ts) {
        /* the attributes of an event often share their time: formatted once */
        if (!r->ts_ok || r->ts != a->ts) {
            vg_time_fmt(a->ts, r->ts_text);
            r->ts = a->ts;
            r->ts_ok = true;
        }
        item.updated = r->ts_text;
    }
    item.nsightings = item_sightings(r, a->sights);
    const char *comment = at(r, a->comment);
    char id[VG_UUID_LEN + 1]; /* the address's own uuid of a domain|ip (emitted below) */

    switch (rt->kind) {
    case RK_IP:
        item.type = ip_type(value, vlen);
        item.comment = comment_with(r, comment, NULL, NULL, 0);
        break;
    case RK_IP_PORT: {
        /* "address|port"; the last '|' for safety */
        const char *sep = value + vlen - 1;
        while (*sep != '|')
            sep--;
        item.type = ip_type(value, (size_t)(sep - value));
        item.comment = comment_with(r, comment, "port ", sep + 1, vlen - (size_t)(sep + 1 - value));
        value = part_of(r, value, (size_t)(sep - value));
        vlen = (size_t)(sep - at(r, a->value));
        break;
    }
    case RK_URI:
        if (!strstr(value, "://"))
            return skip_attr(r, type, "not an absolute URL");
        /* fall through */
    case RK_PLAIN:
        item.type = rt->item;
        item.comment = comment_with(r, comment, NULL, NULL, 0);
        break;
    case RK_FILE_HASH:
        item.type = rt->item;
        item.comment = comment_with(r, comment, "file name ", value, (size_t)(bar - value));
        vlen -= (size_t)(bar + 1 - value);
        value = bar + 1;
        break;
    case RK_DOMAIN_IP: {
        item.type = "domain-name";
        item.comment = comment_with(r, comment, NULL, NULL, 0);
        item.value = part_of(r, value, (size_t)(bar - value));
        item.value_len = (size_t)(bar - value);
        int rc = emit(r, &item);
        if (rc)
            return rc;
        /* the address: the same attribute, its own stable id */
        const char *ip = bar + 1;
        size_t iplen = vlen - (size_t)(ip - value);
        item.type = ip_type(ip, iplen);
        if (item.uuid) {
            char name[128];
            int n = snprintf(name, sizeof name, "misp-domain|ip:%.80s", item.uuid);
            vg_uuid5(vg_uuid_ns_vigie, name, (size_t)n, id);
            item.uuid = id;
        }
        value = ip;
        vlen = iplen;
        break;
    }
    }
    item.value = value;
    item.value_len = vlen;
    return emit(r, &item);
}

/* The members of an attribute that the reader uses; the others are only checked. */
enum amember {
    A_TYPE,
    A_VALUE,
    A_UUID,
    A_COMMENT,
    A_TO_IDS,
    A_DELETED,
    A_TIMESTAMP,
    A_FIRST_SEEN,
    A_LAST_SEEN,
    A_TAG,
    A_SIGHTING
};
static const char *const attr_wanted[] = {
    "type",      "value",      "uuid",      "comment", "to_ids",   "deleted",
    "timestamp", "first_seen", "last_seen", "Tag",     "Sighting", NULL,
};

/* A string member's text, unescaped into r->sc with a NUL after it: its offset, or -1 with the
 * scanner's error set. */
static long str_member(struct reader *r, size_t *len)
{
    struct vg_str raw;
    if (vg_jscan_string(&r->s, &raw) < 0)
        return -1;
    size_t off = r->sc.len;
    if (!memchr(raw.ptr, '\\', raw.len))
        vg_buf_append(&r->sc, raw.ptr, raw.len);
    else if (vg_jscan_unescape(raw, &r->sc) < 0)
        r->sc.failed = true;
    if (len)
        *len = r->sc.len - off;
    vg_buf_putc(&r->sc, '\0');
    if (r->sc.failed) {
        r->s.err = "a string too long to read";
        r->s.err_pos = (size_t)(raw.ptr - r->s.p);
        return -1;
    }
    return (long)off;
}

/* A small integer given as digits, else -1 (small_int's reading of a string). */
static long small_digits(const char *p, size_t n)
{
    unsigned long long u;
    return vg_str_to_u64((struct vg_str){p, n}, 0, 999, &u) == 0 ? (long)u : -1;
}

/* An attribute, at its '{', into *a: strings straight from the scanner (checked by it) into
 * r->sc, other values through jansson (true and false at once). Saves building the members MISP
 * sends that vigie does not use (ids, category, distribution, Galaxy, ...) and any object for
 * the ones it uses. 0, or -1 with the scanner's error set. */
static int attr_read(struct reader *r, struct attr *a)
{
    struct vg_str key;
    int m;
    vg_buf_reset(&r->sc);
    *a = (struct attr){-1, -1, -1, -1, -1, -1, 0, -1, false, false, 0, NULL, NULL};
    if (vg_jscan_obj_begin(&r->s) < 0)
        return -1;
    while ((m = vg_jscan_obj_next(&r->s, &key)) > 0) {
        int k = -1;
        for (int i = 0; attr_wanted[i] && k < 0; i++)
            if (vg_jscan_key_is(key, attr_wanted[i]))
                k = i;
        if (k < 0) {
            if (vg_jscan_value(&r->s, NULL) < 0)
                return -1;
            continue;
        }
        long *str = k == A_TYPE         ? &a->type
                    : k == A_VALUE      ? &a->value
                    : k == A_UUID       ? &a->uuid
                    : k == A_COMMENT    ? &a->comment
                    : k == A_FIRST_SEEN ? &a->first_seen
                    : k == A_LAST_SEEN  ? &a->last_seen
                                        : NULL;
        if (vg_jscan_peek(&r->s) == '"') {
            size_t n;
            long off = str_member(r, &n);
            if (off < 0)
                return -1;
            const char *txt = r->sc.data + off;
            unsigned long long u;
            if (str)
                *str = off;
            if (k == A_VALUE)
                a->value_len = n;
            else if (k == A_TO_IDS)
                a->to_ids = small_digits(txt, n) == 1;
            else if (k == A_DELETED)
                a->deleted = small_digits(txt, n) == 1;
            else if (k == A_TIMESTAMP) {
                a->has_ts = vg_str_to_u64((struct vg_str){txt, n}, 0, 253402300799ULL, &u) == 0;
                a->ts = (time_t)u;
            } else if (k == A_TAG || k == A_SIGHTING) {
                json_decref(k == A_TAG ? a->tag : a->sights);
                *(k == A_TAG ? &a->tag : &a->sights) = NULL;
            }
            continue;
        }
        struct vg_str span;
        json_error_t err;
        if (vg_jscan_value(&r->s, &span) < 0)
            return -1;
        if (str)
            *str = -1; /* not a string: as absent */
        if (k == A_TO_IDS && span.len == 4 && memcmp(span.ptr, "true", 4) == 0) {
            a->to_ids = 1;
            continue;
        }
        if (k == A_TO_IDS && span.len == 5 && memcmp(span.ptr, "false", 5) == 0) {
            a->to_ids = 0;
            continue;
        }
        json_t *v = vg_json_loadb(span.ptr, span.len, JSON_DECODE_ANY, &err);
        if (!v) {
            r->s.err = "a value jansson cannot read";
            r->s.err_pos = (size_t)(span.ptr - r->s.p) + (size_t)err.position;
            return -1;
        }
        time_t t;
        if (k == A_TO_IDS)
            a->to_ids = json_is_true(v) || small_int(v) == 1;
        else if (k == A_DELETED)
            a->deleted = json_is_true(v) || small_int(v) == 1;
        else if (k == A_TIMESTAMP) {
            a->has_ts = epoch_of(v, &t) == 0;
            a->ts = t;
        } else if (k == A_TAG || k == A_SIGHTING) {
            json_t **slot = k == A_TAG ? &a->tag : &a->sights;
            json_decref(*slot);
            *slot = json_incref(v);
        }
        json_decref(v);
    }
    return m < 0 ? -1 : 0;
}

static int read_one_attr(struct reader *r)
{
    struct attr a;
    int rc = attr_read(r, &a) < 0 ? scan_fail(r) : read_attribute(r, &a);
    json_decref(a.tag);
    json_decref(a.sights);
    return rc;
}

/* An Attribute[] array, or one attribute alone ({"Attribute": {...}}, as MISP's
 * /attributes/view answers). */
static int read_attr_array(struct reader *r)
{
    if (vg_jscan_peek(&r->s) == '{')
        return read_one_attr(r);
    if (vg_jscan_peek(&r->s) != '[')
        return fail_at(r, r->s.pos, "Attribute is neither an array nor an object");
    if (vg_jscan_arr_begin(&r->s) < 0)
        return scan_fail(r);
    int more;
    for (size_t i = 0; (more = vg_jscan_arr_next(&r->s)) > 0; i++) {
        size_t mark = ptr_push_index(r, i);
        if (vg_jscan_peek(&r->s) != '{')
            return fail_at(r, r->s.pos, "an attribute is not an object");
        int rc = read_one_attr(r);
        if (rc)
            return rc;
        ptr_pop(r, mark);
    }
    return more < 0 ? scan_fail(r) : 0;
}

/* A first look at an object, at its '{': if it is deleted, tells the sink once, by its name,
 * and sets *deleted (its attributes are then not read). */
static int object_deleted(struct reader *r, bool *deleted)
{
    struct vg_jscan look = r->s;
    struct vg_str key, span;
    json_t *name = NULL;
    *deleted = false;
    if (vg_jscan_obj_begin(&look) < 0)
        return 0;
    while (vg_jscan_obj_next(&look, &key) > 0) {
        bool is_del = vg_jscan_key_is(key, "deleted"), is_name = vg_jscan_key_is(key, "name");
        if (!is_del && !is_name) {
            if (vg_jscan_skip(&look) < 0)
                break;
            continue;
        }
        if (vg_jscan_value(&look, &span) < 0)
            break;
        json_t *v = vg_json_loadb(span.ptr, span.len, JSON_DECODE_ANY, NULL);
        if (is_del)
            *deleted = json_is_true(v) || small_int(v) == 1;
        else if (json_is_string(v)) {
            json_decref(name);
            name = json_incref(v);
        }
        json_decref(v);
    }
    int rc = 0;
    if (*deleted && r->sink->skip) {
        char what[128];
        const char *n = name ? json_string_value(name) : "";
        size_t len = strlen(n);
        if (len > 80)
            for (len = 80; len > 0 && ((unsigned char)n[len] & 0xC0) == 0x80; len--)
                ;
        snprintf(what, sizeof what, "object '%.*s'", (int)len, n);
        rc = r->sink->skip(r->sink->ctx, ptr_of(r), what, "deleted");
    }
    json_decref(name);
    return rc;
}

/* An Object[] array: the attributes of each object. */
static int read_objects(struct reader *r)
{
    if (vg_jscan_peek(&r->s) != '[')
        return fail_at(r, r->s.pos, "Object is not an array");
    if (vg_jscan_arr_begin(&r->s) < 0)
        return scan_fail(r);
    int more;
    for (size_t i = 0; (more = vg_jscan_arr_next(&r->s)) > 0; i++) {
        size_t mark = ptr_push_index(r, i);
        bool deleted = false;
        if (vg_jscan_peek(&r->s) == '{') {
            int rc = object_deleted(r, &deleted);
            if (rc)
                return rc;
        }
        if (vg_jscan_obj_begin(&r->s) < 0)
            return scan_fail(r);
        struct vg_str key;
        int m;
        while ((m = vg_jscan_obj_next(&r->s, &key)) > 0) {
            size_t km = ptr_push_key(r, key);
            int rc = vg_jscan_key_is(key, "Attribute") && !deleted ? read_attr_array(r)
                     : vg_jscan_value(&r->s, NULL) < 0             ? scan_fail(r)
                                                                   : 0;
            if (rc)
                return rc;
            ptr_pop(r, km);
        }
        if (m < 0)
            return scan_fail(r);
        ptr_pop(r, mark);
    }
    return more < 0 ? scan_fail(r) : 0;
}

/* An event object, at its '{'. */
static int read_event(struct reader *r)
{
    json_t *c = read_head(r);
    int rc = 0;
    json_object_set_new(c, "pointer", json_string_nocheck(ptr_of(r)));
    r->ev_uuid = vg_json_str(c, "uuid");
    r->ev_tlp = vg_json_str(c, "tlp");
    if (r->sink->container && (rc = r->sink->container(r->sink->ctx, c)) != 0)
        goto out;
    if (vg_jscan_obj_begin(&r->s) < 0) {
        rc = scan_fail(r);
        goto out;
    }
    struct vg_str key;
    int m;
    while ((m = vg_jscan_obj_next(&r->s, &key)) > 0) {
        size_t km = ptr_push_key(r, key);
        if (vg_jscan_key_is(key, "Attribute"))
            rc = read_attr_array(r);
        else if (vg_jscan_key_is(key, "Object"))
            rc = read_objects(r);
        else if (vg_jscan_value(&r->s, NULL) < 0)
            rc = scan_fail(r);
        if (rc)
            goto out;
        ptr_pop(r, km);
    }
    if (m < 0)
        rc = scan_fail(r);
out:
    r->ev_uuid = r->ev_tlp = NULL;
    json_decref(c);
    return rc;
}

static int read_top(struct reader *r);

/* A list of events or of {"Event": ...} wrappers, at its '['. */
static int read_list(struct reader *r)
{
    if (vg_jscan_arr_begin(&r->s) < 0)
        return scan_fail(r);
    int more;
    for (size_t i = 0; (more = vg_jscan_arr_next(&r->s)) > 0; i++) {
        size_t mark = ptr_push_index(r, i);
        int rc = read_top(r);
        if (rc)
            return rc;
        ptr_pop(r, mark);
    }
    return more < 0 ? scan_fail(r) : 0;
}

/* An object that is a wrapper ({"Event": ...}, {"response": ...}) or a bare event. */
static int read_top(struct reader *r)
{
    if (vg_jscan_peek(&r->s) != '{')
        return fail_at(r, r->s.pos, "expected a MISP event (an object)");
    /* a first look: which of the three it is */
    struct vg_jscan look = r->s;
    struct vg_str key;
    bool has_event = false, has_response = false;
    if (vg_jscan_obj_begin(&look) == 0)
        while (vg_jscan_obj_next(&look, &key) > 0) {
            if (vg_jscan_key_is(key, "Event")) {
                has_event = true; /* decides: a wrapper; no need to look further */
                break;
            }
            if (vg_jscan_key_is(key, "response"))
                has_response = true;
            if (vg_jscan_skip(&look) < 0)
                break;
        }
    if (!has_event && !has_response)
        return read_event(r);
    if (vg_jscan_obj_begin(&r->s) < 0)
        return scan_fail(r);
    int m;
    while ((m = vg_jscan_obj_next(&r->s, &key)) > 0) {
        size_t km = ptr_push_key(r, key);
        int rc = 0;
        if (has_event && vg_jscan_key_is(key, "Event")) {
            rc = vg_jscan_peek(&r->s) == '{' ? read_event(r)
                                             : fail_at(r, r->s.pos, "Event is not an object");
        } else if (!has_event && vg_jscan_key_is(key, "response")) {
            int c = vg_jscan_peek(&r->s);
            rc = c == '['   ? read_list(r)
                 : c == '{' ? read_top(r)
                            : fail_at(r, r->s.pos, "response is not a list");
        } else if (vg_jscan_value(&r->s, NULL) < 0) {
            rc = scan_fail(r);
        }
        if (rc)
            return rc;
        ptr_pop(r, km);
    }
    return m < 0 ? scan_fail(r) : 0;
}

int vg_misp_read(const char *buf, size_t len, const struct vg_share_sink *sink, struct vg_diag *d)
{
    struct reader r = {.sink = sink, .d = d};
    int rc;
    vg_jscan_init(&r.s, buf, len);
    vg_buf_init(&r.ptr, 1024);
    vg_buf_init(&r.tmp, VG_MAX_STR_FIELD);
    vg_buf_init(&r.sc, VG_MAX_BUF);
    vg_buf_init(&r.part, VG_MAX_BUF);
    vg_buf_puts(&r.ptr, "");
    int c = vg_jscan_peek(&r.s);
    if (c == '[')
        rc = read_list(&r);
    else if (c == '{')
        rc = read_top(&r);
    else
        rc = fail_at(&r, r.s.pos, c ? "expected a MISP event or a list of events" : "empty input");
    if (!rc && vg_jscan_peek(&r.s) != 0) {
        ptr_pop(&r, 0);
        rc = fail_at(&r, r.s.pos, "data after the end of the document");
    }
    vg_buf_cleanup(&r.ptr);
    vg_buf_cleanup(&r.tmp);
    vg_buf_cleanup(&r.sc);
    vg_buf_cleanup(&r.part);
    free(r.tags);
    free(r.sg);
    free(r.seen);
    return rc;
}
