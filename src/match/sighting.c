/* Sightings: turns the matcher's hits into the sighting records the store keeps (indicator id,
 * event time, value, field, source) attributed to a constituent. Shared by `vigie match
 * --record` and POST /api/v1/events; the caller stores each batch (match does not use store). */
#include "match/match.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/attrib.h"
#include "util/json.h"
#include "util/mem.h"

/* Copies a JSON string member of ev into out (cap bytes); "" when absent, not a string or too
 * long. */
static void copy_member(json_t *ev, const char *key, char *out, size_t cap)
{
    const char *v = json_string_value(json_object_get(ev, key));
    out[0] = '\0';
    if (v && strlen(v) < cap)
        memcpy(out, v, strlen(v) + 1);
}

/* A block of a batch's strings; blocks are kept from one batch to the next, the newest first. */
struct vg_match_sg_block {
    struct vg_match_sg_block *next; /* the older block */
    size_t len, cap;                /* bytes used and allocated in data */
    char data[];
};

#define SG_BLOCK 65536 /* bytes of a block, unless a string needs more */

/* Room for n bytes among the batch's strings (in the newest block, or a new one), or NULL. */
static char *text_alloc(struct vg_match_sightings *s, size_t n)
{
    struct vg_match_sg_block *b = s->text;
    if (!b || b->cap - b->len < n) {
        size_t cap = n > SG_BLOCK ? n : SG_BLOCK;
        b = vg_malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = s->text;
        b->len = 0;
        b->cap = cap;
        s->text = b;
    }
    char *p = b->data + b->len;
    b->len += n;
    return p;
}

/* Frees the blocks but the newest, which is emptied. */
static void text_reset(struct vg_match_sightings *s)
{
    if (!s->text)
        return;
    struct vg_match_sg_block *b = s->text->next;
    while (b) {
        struct vg_match_sg_block *next = b->next;
        free(b);
        b = next;
    }
    s->text->next = NULL;
    s->text->len = 0;
}

/* True if v is valid UTF-8 (NUL bytes included, as jansson takes them). */
static bool utf8_valid(struct vg_str v)
{
    const unsigned char *u = (const unsigned char *)v.ptr;
    for (size_t i = 0, k; i < v.len; i += k)
        if (!(k = u[i] < 0x80 ? 1 : vg_utf8_len(u + i, v.len - i)))
            return false;
    return true;
}

/* s as a NUL-terminated string among the batch's; when it is not valid UTF-8 (plain-text
 * logs), each of its bytes above 0x7f becomes '?'. NULL when out of memory. */
static const char *utf8_copy(struct vg_match_sightings *s, struct vg_str v)
{
    char *t = text_alloc(s, v.len + 1);
    if (!t)
        return NULL;
    const unsigned char *u = (const unsigned char *)v.ptr;
    if (v.len)
        memcpy(t, v.ptr, v.len);
    if (!utf8_valid(v))
        for (size_t i = 0; i < v.len; i++)
            t[i] = u[i] < 0x80 ? t[i] : '?';
    t[v.len] = '\0';
    return t;
}

int vg_match_time_normalise(const char *in, char out[VG_TIME_LEN])
{
    char buf[VG_TIME_LEN];
    size_t n = strlen(in);
    if (n == 0 || n + 2 > sizeof buf)
        return VG_EINVAL;
    memcpy(buf, in, n + 1);
    /* Suricata writes the offset as "+0000"; RFC 3339 wants "+00:00". */
    if (n > 8 && (buf[n - 5] == '+' || buf[n - 5] == '-') && buf[n - 4] >= '0' &&
        buf[n - 4] <= '9' && buf[n - 3] >= '0' && buf[n - 3] <= '9' && buf[n - 2] >= '0' &&
        buf[n - 2] <= '9' && buf[n - 1] >= '0' && buf[n - 1] <= '9') {
        memmove(buf + n - 1, buf + n - 2, 3);
        buf[n - 2] = ':';
    }
    time_t t;
    if (vg_time_parse(buf, &t) != 0)
        return VG_EINVAL;
    vg_time_fmt(t, out);
    return 0;
}

void vg_match_event_read(const char *line, size_t len, const char *now, struct vg_match_event *ev)
{
    memset(ev, 0, sizeof *ev);
    snprintf(ev->seen, sizeof ev->seen, "%s", now);
    json_t *j = vg_json_loadb(line, len, 0, NULL); /* as the scanner reads it */
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *ts = json_string_value(json_object_get(j, "timestamp"));
    if (ts)
        vg_match_time_normalise(ts, ev->seen);
    copy_member(j, "src_ip", ev->src_ip, sizeof ev->src_ip);
    copy_member(j, "dest_ip", ev->dest_ip, sizeof ev->dest_ip);
    json_decref(j);
}

/* True if a and b are the same address (so that "::1" equals "0::1"). */
static bool same_ip(const char *a, struct vg_str b)
{
    int af1, af2;
    uint8_t x[16], y[16];
    if (!a[0] || vg_match_parse_ip(vg_str_c(a), &af1, x) != 0 ||
        vg_match_parse_ip(b, &af2, y) != 0 || af1 != af2)
        return false;
    return memcmp(x, y, af1 == 4 ? 4 : 16) == 0;
}

long long vg_match_attribute(const struct vg_attrib *a, const struct vg_match_event *ev,
                             struct vg_str value, struct vg_match_cand *c)
{
    long long org = 0;
    if (!a)
        return 0;
    /* The matched address is one end of the flow: its owner is on the other end. */
    if (same_ip(ev->dest_ip, value) && ev->src_ip[0])
        org = vg_attrib_ip(a, ev->src_ip);
    else if (same_ip(ev->src_ip, value) && ev->dest_ip[0])
        org = vg_attrib_ip(a, ev->dest_ip);
    if (!org && ev->dest_ip[0])
        org = vg_attrib_ip(a, ev->dest_ip);
    if (!org && ev->src_ip[0])
        org = vg_attrib_ip(a, ev->src_ip);
    if (org)
        return org;
    /* No constituent address in the flow: the owner of the matched address or host. */
    enum vg_match_kind k = vg_match_classify(value, c);
    enum vg_match_kind ak = k == VG_MATCH_KIND_URL ? c->host_kind : k;
    if (ak == VG_MATCH_KIND_IPV4 || ak == VG_MATCH_KIND_IPV6) {
        char ip[INET6_ADDRSTRLEN];
        if (inet_ntop(ak == VG_MATCH_KIND_IPV4 ? AF_INET : AF_INET6, c->addr, ip, sizeof ip))
            org = vg_attrib_ip(a, ip);
    } else if (c->host_len &&
               (k == VG_MATCH_KIND_URL || k == VG_MATCH_KIND_EMAIL || k == VG_MATCH_KIND_HOST)) {
        org = vg_attrib_host(a, c->host);
    }
    return org;
}

int vg_match_sightings_init(struct vg_match_sightings *s, const struct vg_match_index *idx,
                            const struct vg_attrib *attrib, const char *data, size_t len,
                            enum vg_match_format format, const char *source, size_t batch_max,
                            int (*flush)(void *ctx, const struct vg_sighting *v, size_t n),
                            void *flush_ctx)
{
    memset(s, 0, sizeof *s);
    s->idx = idx;
    s->attrib = attrib;
    s->p = data;
    s->end = data + len;
    s->line = 1;
    s->format = format;
    s->source = source;
    s->batch_max = batch_max ? batch_max : 1;
    s->flush = flush;
    s->flush_ctx = flush_ctx;
    s->cand = vg_malloc(sizeof *s->cand);
    /* whole seconds, as the events' own times: "...:05.5Z" sorts before "...:05Z" */
    vg_time_fmt(time(NULL), s->now);
    if (!s->cand) {
        vg_match_sightings_cleanup(s);
        return VG_ENOMEM;
    }
    return 0;
}

void vg_match_sightings_cleanup(struct vg_match_sightings *s)
{
    text_reset(s);
    free(s->text);
    s->text = NULL;
    free(s->batch);
    s->batch = NULL;
    s->nbatch = s->capbatch = 0;
    free(s->cand);
    s->cand = NULL;
}

/* Moves the cursor to line n (hits come in input order, so it only goes forward) and returns
 * that line, without its newline. */
static struct vg_str seek_line(struct vg_match_sightings *s, uint64_t n)
{
    while (s->line < n && s->p < s->end) {
        const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
        s->p = nl ? nl + 1 : s->end;
        s->line++;
    }
    const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
    return (struct vg_str){s->p, (size_t)((nl ? nl : s->end) - s->p)};
}

int vg_match_sightings_hit(void *ctx, const struct vg_match_hit *h)
{
    struct vg_match_sightings *s = ctx;
    if (h->line != s->ev_line) {
        struct vg_str line = seek_line(s, h->line);
        if (s->format == VG_MATCH_FORMAT_EVE) {
            vg_match_event_read(line.ptr, line.len, s->now, &s->ev);
        } else {
            memset(&s->ev, 0, sizeof s->ev);
            snprintf(s->ev.seen, sizeof s->ev.seen, "%s", s->now);
        }
        s->ev_line = h->line;
    }
    if (s->nbatch == s->capbatch) {
        size_t cap = s->capbatch ? 2 * s->capbatch : 64;
        if (cap > s->batch_max)
            cap = s->batch_max > s->nbatch ? s->batch_max : s->nbatch + 1;
        struct vg_sighting *nb = vg_realloc(s->batch, cap * sizeof *nb);
        if (!nb)
            return VG_ENOMEM;
        s->batch = nb;
        s->capbatch = cap;
    }
    char text[VG_MATCH_TEXT_MAX];
    struct vg_match_indicator ind;
    vg_match_index_get(s->idx, h->rec, &ind, text);
    char source[VG_MAX_NAME + 32];
    snprintf(source, sizeof source, "%.*s:%llu", VG_MAX_NAME, s->source ? s->source : "",
             (unsigned long long)(s->line_base + h->line));
    /* A log name that is not UTF-8 gives no source (as when sightings were JSON objects). */
    if (!utf8_valid(vg_str_c(source)))
        source[0] = '\0';
    struct vg_sighting *sg = &s->batch[s->nbatch];
    sg->indicator = ind.id;
    sg->org = vg_match_attribute(s->attrib, &s->ev, h->value, s->cand);
    sg->seen = utf8_copy(s, vg_str_c(s->ev.seen));
    sg->value = utf8_copy(s, h->value);
    sg->field = utf8_copy(s, h->field);
    sg->source = utf8_copy(s, vg_str_c(source));
    sg->tlp = NULL; /* the indicator's applies */
    if (!sg->seen || !sg->value || !sg->field || !sg->source)
        return VG_ENOMEM;
    s->nbatch++;
    s->hits++;
    if (s->nbatch >= s->batch_max)
        return vg_match_sightings_flush(s);
    return 0;
}

int vg_match_sightings_flush(struct vg_match_sightings *s)
{
    if (!s->nbatch)
        return 0;
    int rc = s->flush(s->flush_ctx, s->batch, s->nbatch);
    s->nbatch = 0;
    text_reset(s);
    return rc;
}
