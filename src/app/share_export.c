/* Exports of the store's indicators, streamed (app/share.h vg_share_indicators_export): the
 * store's rows as C records (store/indicator.h vg_store_indicator_rows_*), each through the
 * TLP gate, the kept ones handed one at a time to the streaming writers (share/misp.h,
 * share/stix.h). No JSON object per indicator: a million indicators cost their rows and the
 * output, not a tree of a million objects. vg_share_indicators_doc (app/share.c) builds the
 * same export as a document: the reference this path is tested against. */
#include "app/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/misp.h"
#include "share/stix.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/time.h"
#include "util/uuid.h"

struct exporter {
    struct vg_store *st;
    struct vg_indicator_rows *rows;
    const struct vg_recipient *r;
    const struct vg_share_filter *f;
    time_t since;
    json_t *head; /* its "tlp" and "withheld" set at the end */
    long long withheld;
    enum vg_tlp top; /* the strictest TLP of what was kept: the container's */
    struct vg_share_item item;
    char uuid[VG_UUID_LEN + 1];
    json_t *tags_json; /* the row's tags when they needed jansson (escapes), else NULL */
    char *tags_text;   /* a copy of the row's tags, cut into strings */
    size_t tags_text_cap;
    const char **tags;
    size_t tags_cap;
    struct vg_share_sighting *sg;
    size_t sg_cap;
    char (*sg_uuid)[VG_UUID_LEN + 1];
    struct vg_buf *out;      /* the writer's output */
    vg_share_flush_fn flush; /* or NULL: out holds the whole export */
    void *flush_ctx;
};

#define FLUSH_AT (1024 * 1024) /* bytes of output handed to flush at once */

/* The uuid of "kind:a" or "kind:a:b" in vigie's namespace, as app/share.c names its members. */
static void uuid_of(const char *kind, const char *a, const char *b, char out[VG_UUID_LEN + 1])
{
    char name[VG_MAX_OBSERVABLE + 1200];
    int n = snprintf(name, sizeof name, "%s:%s%s%s", kind, a, b ? ":" : "", b ? b : "");
    if (n < 0 || (size_t)n >= sizeof name)
        n = (int)strlen(name);
    vg_uuid5(vg_uuid_ns_vigie, name, (size_t)n, out);
}

/* The row's tags (a JSON array of strings) into x->tags: cut in a copy when no string holds
 * an escape (the usual case), else read by jansson. 0 or VG_ENOMEM. */
static int decode_tags(struct exporter *x, const char *t, size_t n)
{
    json_decref(x->tags_json);
    x->tags_json = NULL;
    x->item.tags = NULL;
    x->item.ntags = 0;
    while (n && (*t == ' ' || *t == '\n' || *t == '\t' || *t == '\r'))
        t++, n--;
    if (n < 2 || t[0] != '[')
        return 0;
    if (vg_grow((void **)&x->tags_text, &x->tags_text_cap, n + 1, 1, 8) < 0)
        return VG_ENOMEM;
    memcpy(x->tags_text, t, n);
    x->tags_text[n] = '\0';
    size_t count = 0;
    bool plain = memchr(t, '\\', n) == NULL;
    for (size_t i = 0; i < n; i++)
        count += t[i] == '"';
    if (vg_grow((void **)&x->tags, &x->tags_cap, count / 2 + 1, sizeof *x->tags, 8) < 0)
        return VG_ENOMEM;
    size_t k = 0;
    if (plain) {
        char *p = x->tags_text + 1;
        for (;;) {
            char *q = strchr(p, '"');
            if (!q)
                break;
            char *e = strchr(q + 1, '"');
            if (!e)
                break;
            *e = '\0';
            x->tags[k++] = q + 1;
            p = e + 1;
        }
    } else {
        x->tags_json = vg_json_loadb(t, n, 0, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(x->tags_json, i, v) {
            if (json_is_string(v) && k < x->tags_cap)
                x->tags[k++] = json_string_value(v);
        }
    }
    x->item.tags = k ? x->tags : NULL;
    x->item.ntags = k;
    return 0;
}

/* Whether the row passes the filter's since and tag (the store filtered type and source), as
 * app/share.c's filter_keeps reads them. */
static bool keeps(const struct exporter *x, const struct vg_indicator_row *w)
{
    if (x->f->since) {
        time_t a;
        if (vg_time_parse(w->updated, &a) != 0 || a < x->since)
            return false;
    }
    if (x->f->tag) {
        for (size_t i = 0; i < x->item.ntags; i++)
            if (strcmp(x->item.tags[i], x->f->tag) == 0)
                return true;
        return false;
    }
    return true;
}

/* The stricter of two TLP names (vg_tlp_level's reading). */
static const char *stricter(const char *a, const char *b)
{
    return vg_tlp_name(vg_tlp_level(a) > vg_tlp_level(b) ? vg_tlp_level(a) : vg_tlp_level(b));
}

/* The writers' source: the next indicator that passes the filter and the gate, with the
 * sightings that pass the gate; the container's TLP and the count withheld set in the head
 * after the last one. */
static int next_item(void *ctx, const struct vg_share_item **out, struct vg_diag *d)
{
    struct exporter *x = ctx;
    const struct vg_indicator_row *w;
    int rc;
    /* between two items the output is whole: what is written so far may leave */
    if (x->flush && x->out->len >= FLUSH_AT && !x->out->failed) {
        if (x->flush(x->flush_ctx, x->out->data, x->out->len) != 0)
            return vg_diag_set(d, VG_EIO, "", "cannot write the export");
        vg_buf_reset(x->out);
    }
    for (;;) {
        rc = vg_store_indicator_rows_next(x->st, x->rows, &w, d);
        if (rc <= 0)
            break;
        if (decode_tags(x, w->tags, w->tags_len) != 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        if (!keeps(x, w))
            continue;
        /* the gate, the only decision: an indicator concerns no constituent */
        if (!vg_tlp_may_send_name(w->tlp, 0, x->r)) {
            x->withheld++;
            continue;
        }
        if (vg_tlp_level(w->tlp) > x->top)
            x->top = vg_tlp_level(w->tlp);
        if (vg_grow((void **)&x->sg, &x->sg_cap, w->nsightings, sizeof *x->sg, 8) < 0)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        size_t cap = x->sg_cap;
        if (w->nsightings && !x->sg_uuid) {
            x->sg_uuid = vg_malloc(cap * sizeof *x->sg_uuid);
        } else if (w->nsightings) {
            void *p = vg_realloc(x->sg_uuid, cap * sizeof *x->sg_uuid);
            x->sg_uuid = p ? p : x->sg_uuid;
            if (!p)
                return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
        if (w->nsightings && !x->sg_uuid)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        size_t n = 0;
        for (size_t k = 0; k < w->nsightings; k++) {
            const struct vg_indicator_row_sighting *s = &w->sightings[k];
            /* its own TLP (or its indicator's), and never looser than the indicator's */
            const char *stlp = stricter(s->tlp, w->tlp);
            if (!vg_tlp_may_send_name(stlp, s->org, x->r)) {
                x->withheld++;
                continue;
            }
            char id[32];
            snprintf(id, sizeof id, "%lld", s->id);
            uuid_of("sighting", id, NULL, x->sg_uuid[n]);
            /* its own source (a log file and line of the CERT's) stays home */
            x->sg[n] =
                (struct vg_share_sighting){x->sg_uuid[n], s->seen, 1, VG_SHARE_PRODUCER, stlp};
            n++;
        }
        uuid_of("indicator", w->type, w->value, x->uuid);
        struct vg_share_item *it = &x->item;
        it->uuid = x->uuid;
        it->type = w->type;
        it->value = w->value;
        it->value_len = strlen(w->value);
        it->tlp = w->tlp;
        it->source = w->source;
        it->comment = NULL;
        it->confidence = w->confidence;
        it->first_seen = w->first_seen;
        it->last_seen = w->last_seen;
        it->created = w->created;
        it->updated = w->updated;
        it->to_ids = true;
        it->misp_type = NULL;
        it->sightings = n ? x->sg : NULL;
        it->nsightings = n;
        *out = it;
        return 1;
    }
    if (rc < 0)
        return rc;
    if (json_object_set_new(x->head, "tlp", json_string(vg_tlp_name(x->top))) ||
        json_object_set_new(x->head, "withheld", json_integer(x->withheld)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return 0;
}

/* The container of the export of f: as app/share.c's document without its items. */
static json_t *head_of(const struct vg_share_filter *f)
{
    char name[1024], uuid[VG_UUID_LEN + 1], puuid[VG_UUID_LEN + 1], now[VG_TIME_LEN];
    snprintf(name, sizeof name, "type=%s,source=%s,tag=%s,since=%s", f->type ? f->type : "",
             f->source ? f->source : "", f->tag ? f->tag : "", f->since ? f->since : "");
    /* the same set exports with the same uuid: the container is named by its filter */
    uuid_of("indicators", name, NULL, uuid);
    uuid_of("identity", VG_SHARE_PRODUCER, NULL, puuid);
    vg_time_now(now);
    return json_pack("{s:s,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s,s:s,s:i}", "kind", "indicators", "uuid",
                     uuid, "producer", "name", VG_SHARE_PRODUCER, "uuid", puuid, "title",
                     "vigie indicators", "description", name, "created", now, "updated", now, "tlp",
                     "CLEAR", "withheld", 0);
}

int vg_share_indicators_export(struct vg_store *st, const struct vg_recipient *r,
                               const struct vg_share_filter *f, const char *format,
                               struct vg_buf *out, vg_share_flush_fn flush, void *flush_ctx,
                               struct vg_diag *d)
{
    int rc = vg_share_filter_check(f, d);
    if (rc)
        return rc;
    bool misp = format && strcmp(format, "misp") == 0;
    if (!misp && !(format && strcmp(format, "stix") == 0))
        return vg_diag_set(d, VG_EINVAL, "format", "format is misp or stix");
    struct exporter x = {.st = st,
                         .r = r,
                         .f = f,
                         .top = VG_TLP_CLEAR,
                         .out = out,
                         .flush = flush,
                         .flush_ctx = flush_ctx};
    if (f->since && vg_time_parse(f->since, &x.since) != 0)
        return vg_diag_set(d, VG_EINVAL, "since", "since is an RFC 3339 time");
    if (!(x.head = head_of(f)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    size_t count = 0;
    rc = vg_store_indicator_rows_open(st, f->type, f->source, &x.rows, &count, d);
    if (rc == 0) {
        /* flushed, the output stays small: no room to reserve for all of it */
        struct vg_share_items items = {&x, next_item, flush ? 0 : count};
        rc = misp ? vg_misp_write_stream(x.head, &items, out, d)
                  : vg_stix_write_stream(x.head, &items, out, d);
    }
    vg_store_indicator_rows_close(st, x.rows);
    if (rc == 0 && flush && out->len) {
        if (flush(flush_ctx, out->data, out->len) != 0)
            rc = vg_diag_set(d, VG_EIO, "", "cannot write the export");
        vg_buf_reset(out);
    }
    json_decref(x.head);
    json_decref(x.tags_json);
    free(x.tags_text);
    free(x.tags);
    free(x.sg);
    free(x.sg_uuid);
    return rc;
}
