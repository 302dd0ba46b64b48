/* The MISP feed served to each recipient (app/mispfeed.h): the incidents the gate lets reach
 * it, walked a page at a time, each written as a MISP event from its document for that
 * recipient. */
#include "app/mispfeed.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "app/share.h"
#include "share/misp.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/time.h"
#include "util/uuid.h"

/* Told of each incident r may get: its reference and uuid; a non-zero return stops the walk
 * (and is returned by it). */
typedef int (*incident_fn)(void *ctx, const char *ref, const char *uuid, struct vg_diag *d);

/* The uuid app/share.c gives the document of incident ref ("incident:REF" in vigie's
 * namespace): computed here so that finding one event does not build every document; the
 * document's own uuid is checked against it before anything is served. */
static void incident_uuid(const char *ref, char out[VG_UUID_LEN + 1])
{
    char name[96];
    int n = snprintf(name, sizeof name, "incident:%s", ref);
    vg_uuid5(vg_uuid_ns_vigie, name, n > 0 && (size_t)n < sizeof name ? (size_t)n : 0, out);
}

/* Makes doc's "updated" (the event's timestamp in the manifest and the event) the incident's
 * latest change: an observable added or a note is a timeline entry that leaves the
 * incident's own "updated" as it was, and a subscriber that did not see the timestamp move
 * would never fetch the event again. */
static int freshen(struct vg_store *st, const char *ref, json_t *doc, struct vg_diag *d)
{
    json_t *inc = NULL;
    int rc = vg_store_incident_get(st, ref, &inc);
    if (rc)
        return vg_diag_set(d, rc, "", "cannot read incident %.60s", ref);
    time_t best = 0, t;
    const char *u = vg_json_str(doc, "updated");
    if (u && vg_time_parse(u, &t) == 0)
        best = t;
    time_t was = best;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(inc, "timeline"), i, e) {
        const char *at = vg_json_str(e, "at");
        if (at && vg_time_parse(at, &t) == 0 && t > best)
            best = t;
    }
    json_decref(inc);
    if (best > was) {
        char s[VG_TIME_LEN];
        vg_time_fmt(best, s);
        if (json_object_set_new(doc, "updated", json_string(s)))
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    return 0;
}

/* The document of incident ref for r whose uuid is uuid; VG_ENOENT when there is none (gone,
 * or no longer for r), as app/share.c says. */
static int incident_doc(struct vg_store *st, const struct vg_recipient *r, const char *ref,
                        const char *uuid, json_t **doc, struct vg_diag *d)
{
    int rc = vg_share_incident_doc(st, r, ref, doc, d);
    if (rc)
        return rc;
    const char *got = vg_json_str(*doc, "uuid");
    if (!got || strcmp(got, uuid) != 0) {
        json_decref(*doc);
        *doc = NULL;
        return vg_diag_set(d, VG_EIO, "", "incident %s: its document's uuid is not %s", ref, uuid);
    }
    if ((rc = freshen(st, ref, *doc, d)) != 0) {
        json_decref(*doc);
        *doc = NULL;
    }
    return rc;
}

/* Walks the incidents r may get, in reference order, a page of the store at a time. */
static int each_incident(struct vg_store *st, const struct vg_recipient *r, incident_fn fn,
                         void *ctx, struct vg_diag *d)
{
    char cursor[64] = "";
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *list = NULL;
        int rc = vg_store_incident_list(st, NULL, &page, &list, d);
        if (rc)
            return rc;
        size_t i;
        json_t *inc;
        json_array_foreach(json_object_get(list, "items"), i, inc) {
            const char *ref = vg_json_str(inc, "ref");
            long long org = json_integer_value(json_object_get(inc, "org"));
            /* the incident's own TLP first: one the recipient may not get is not listed */
            if (!ref || !vg_tlp_may_send_name(vg_json_str(inc, "tlp"), org, r))
                continue;
            char uuid[VG_UUID_LEN + 1];
            incident_uuid(ref, uuid);
            if ((rc = fn(ctx, ref, uuid, d)) != 0) {
                json_decref(list);
                return rc;
            }
        }
        const char *next = vg_json_str(list, "next_cursor");
        bool more = next && strlen(next) < sizeof cursor;
        if (more)
            snprintf(cursor, sizeof cursor, "%s", next);
        json_decref(list);
        if (!more)
            return 0;
    }
}

struct manifest_walk {
    struct vg_store *st;
    const struct vg_recipient *r;
    json_t *manifest;
};

static int add_entry(void *ctx, const char *ref, const char *uuid, struct vg_diag *d)
{
    struct manifest_walk *w = ctx;
    json_t *doc = NULL, *entry = NULL;
    int rc = incident_doc(w->st, w->r, ref, uuid, &doc, d);
    if (rc == VG_ENOENT) /* gone, or no longer for r, since it was listed */
        return 0;
    if (rc == 0 && (rc = vg_misp_manifest_entry(doc, &entry, d)) == 0 &&
        json_object_set_new(w->manifest, uuid, entry))
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    json_decref(doc);
    return rc;
}

int vg_mispfeed_manifest(struct vg_store *st, const struct vg_recipient *r, json_t **out,
                         struct vg_diag *d)
{
    struct manifest_walk w = {st, r, json_object()};
    if (!w.manifest)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = each_incident(st, r, add_entry, &w, d);
    if (rc) {
        json_decref(w.manifest);
        return rc;
    }
    *out = w.manifest;
    return 0;
}

struct find_walk {
    const char *uuid;
    char ref[64];
};

static int match_uuid(void *ctx, const char *ref, const char *uuid, struct vg_diag *d)
{
    (void)d;
    struct find_walk *w = ctx;
    if (strcmp(uuid, w->uuid) != 0)
        return 0;
    snprintf(w->ref, sizeof w->ref, "%s", ref);
    return 1;
}

/* The reference of the incident of uuid that r may get into w->ref: 0, or VG_ENOENT. */
static int find_event(struct vg_store *st, const struct vg_recipient *r, struct find_walk *w,
                      struct vg_diag *d)
{
    int rc = each_incident(st, r, match_uuid, w, d);
    if (rc == 1)
        return 0;
    return rc ? rc : vg_diag_set(d, VG_ENOENT, "uuid", "no such event");
}

int vg_mispfeed_event(struct vg_store *st, const struct vg_recipient *r, const char *uuid,
                      struct vg_buf *out, struct vg_diag *d)
{
    if (!vg_uuid_valid(uuid, strlen(uuid)))
        return vg_diag_set(d, VG_ENOENT, "uuid", "no such event");
    char lower[VG_UUID_LEN + 1];
    for (size_t i = 0; i <= VG_UUID_LEN; i++)
        lower[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ? uuid[i] - 'A' + 'a' : uuid[i]);
    struct find_walk w = {lower, ""};
    json_t *doc = NULL;
    int rc = find_event(st, r, &w, d);
    if (rc == 0)
        rc = incident_doc(st, r, w.ref, lower, &doc, d);
    if (rc == VG_ENOENT)
        return vg_diag_set(d, VG_ENOENT, "uuid", "no such event");
    if (rc == 0)
        rc = vg_misp_write(doc, out, d);
    json_decref(doc);
    return rc;
}

/* Appends "md5(s[0..n)),uuid\n" to b. */
static void hash_line(struct vg_buf *b, const char *s, size_t n, const char *uuid)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(s, n, md, &len, EVP_md5(), NULL)) {
        b->failed = true;
        return;
    }
    for (unsigned i = 0; i < len; i++)
        vg_buf_printf(b, "%02x", md[i]);
    vg_buf_printf(b, ",%s\n", uuid);
}

/* The lines of the attributes in array attrs. */
static void hash_attributes(struct vg_buf *b, const json_t *attrs, const char *uuid)
{
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a) {
        const char *v = vg_json_str(a, "value"), *type = vg_json_str(a, "type");
        if (!v)
            continue;
        if (type && strchr(type, '|')) { /* a composite value: each part */
            for (const char *p = v;; p++) {
                const char *bar = strchr(p, '|');
                size_t n = bar ? (size_t)(bar - p) : strlen(p);
                hash_line(b, p, n, uuid);
                if (!bar)
                    break;
                p = bar;
            }
        } else {
            hash_line(b, v, strlen(v), uuid);
        }
    }
}

struct hashes_walk {
    struct vg_store *st;
    const struct vg_recipient *r;
    struct vg_buf *out;
    struct vg_buf ev;
};

static int add_hashes(void *ctx, const char *ref, const char *uuid, struct vg_diag *d)
{
    struct hashes_walk *w = ctx;
    json_t *doc = NULL, *ev = NULL;
    int rc = incident_doc(w->st, w->r, ref, uuid, &doc, d);
    if (rc == VG_ENOENT)
        return 0;
    vg_buf_reset(&w->ev);
    if (rc == 0 && (rc = vg_misp_write(doc, &w->ev, d)) == 0 &&
        !(ev = vg_json_parse(w->ev.data ? w->ev.data : "", w->ev.len, d)))
        rc = VG_EIO;
    if (rc == 0) {
        const json_t *e = json_object_get(ev, "Event");
        hash_attributes(w->out, json_object_get(e, "Attribute"), uuid);
        size_t i;
        json_t *obj;
        json_array_foreach(json_object_get(e, "Object"), i, obj)
            hash_attributes(w->out, json_object_get(obj, "Attribute"), uuid);
        if (w->out->failed)
            rc = vg_diag_set(d, VG_ETOOBIG, "", "hashes.csv is larger than %zu bytes", w->out->max);
    }
    json_decref(ev);
    json_decref(doc);
    return rc;
}

int vg_mispfeed_hashes(struct vg_store *st, const struct vg_recipient *r, struct vg_buf *out,
                       struct vg_diag *d)
{
    struct hashes_walk w = {st, r, out, {0}};
    vg_buf_init(&w.ev, VG_MAX_BUF);
    int rc = each_incident(st, r, add_hashes, &w, d);
    vg_buf_cleanup(&w.ev);
    return rc;
}
