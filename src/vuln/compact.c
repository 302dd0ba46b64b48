/* The compact form of a record (see compact.h). The decoder rebuilds exactly the layout the
 * feed readers give (vuln.h): criteria, nodes and configurations in order, each range
 * following the previous one, strings NUL-terminated in one block; it checks every count
 * against what is left to read before allocating. */
#include "vuln/compact.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/mem.h"

static const char MAGIC[4] = {'V', 'G', 'C', '1'};

/* ---- encoding ---- */

static void put_u8(struct vg_buf *b, unsigned v)
{
    vg_buf_putc(b, (char)(unsigned char)v);
}

static void put_uint(struct vg_buf *b, uint64_t v)
{
    char t[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        t[n++] = (char)(v ? c | 0x80 : c);
    } while (v);
    vg_buf_append(b, t, n);
}

static void put_u16(struct vg_buf *b, unsigned v)
{
    put_u8(b, v & 0xff);
    put_u8(b, (v >> 8) & 0xff);
}

static void put_bytes(struct vg_buf *b, const char *p, size_t n)
{
    put_uint(b, n);
    if (n)
        vg_buf_append(b, p, n);
}

static void put_str(struct vg_buf *b, struct vg_str s)
{
    put_bytes(b, s.ptr, s.ptr ? s.len : 0);
}

static void put_cstr(struct vg_buf *b, const char *s)
{
    put_bytes(b, s, strlen(s));
}

/* Bytes of a criterion's CPE text that its values use (each value and its NUL). */
static size_t cpe_text_len(const struct vg_cpe *c)
{
    size_t end = 0;
    for (int a = 0; a < VG_CPE_NATTR; a++)
        if (c->kind[a] == VG_CPE_VALUE && (size_t)c->off[a] + c->len[a] + 1 > end)
            end = (size_t)c->off[a] + c->len[a] + 1;
    return end;
}

static void put_match(struct vg_buf *b, const struct vg_cpe_match *m)
{
    unsigned values = 0, na = 0;
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        if (m->cpe.kind[a] == VG_CPE_VALUE)
            values |= 1u << a;
        else if (m->cpe.kind[a] == VG_CPE_NA)
            na |= 1u << a;
    }
    put_u16(b, values);
    put_u16(b, na);
    put_bytes(b, m->cpe.text, cpe_text_len(&m->cpe));
    for (int a = 0; a < VG_CPE_NATTR; a++)
        if (values & (1u << a)) {
            put_uint(b, m->cpe.off[a]);
            put_uint(b, m->cpe.len[a]);
        }
    const struct vg_version_range *r = &m->range;
    put_u8(b, (m->vulnerable ? 1u : 0) | (m->has_range ? 2u : 0) | (r->start_incl ? 4u : 0) |
                  (r->end_incl ? 8u : 0) | (r->start.ptr ? 16u : 0) | (r->end.ptr ? 32u : 0));
    if (r->start.ptr)
        put_str(b, r->start);
    if (r->end.ptr)
        put_str(b, r->end);
}

int vg_vuln_encode(const struct vg_vuln *v, struct vg_buf *out)
{
    vg_buf_append(out, MAGIC, sizeof MAGIC);
    put_u8(out, v->source);
    put_u8(out, (v->rejected ? 1u : 0) | (v->simple ? 2u : 0));
    put_u8(out, v->cvss_version);
    uint32_t bits;
    memcpy(&bits, &v->cvss, sizeof bits);
    for (int i = 0; i < 4; i++)
        put_u8(out, (bits >> (8 * i)) & 0xff);
    put_cstr(out, v->id);
    put_cstr(out, v->modified);
    put_cstr(out, v->published);
    put_cstr(out, v->severity);
    size_t nversions = 0;
    for (uint32_t i = 0; i < v->naffected; i++)
        nversions += v->affected[i].nversions;
    put_uint(out, v->nconfigs);
    put_uint(out, v->nnodes);
    put_uint(out, v->nmatches);
    put_uint(out, v->naffected);
    put_uint(out, nversions);
    for (uint32_t i = 0; i < v->nconfigs; i++) {
        put_uint(out, v->configs[i].count);
        put_u8(out, v->configs[i].op);
    }
    for (uint32_t i = 0; i < v->nnodes; i++) {
        put_uint(out, v->nodes[i].count);
        put_u8(out, (v->nodes[i].op & 1u) | (v->nodes[i].negate ? 2u : 0));
    }
    for (uint32_t i = 0; i < v->nmatches; i++)
        put_match(out, &v->matches[i]);
    for (uint32_t i = 0; i < v->naffected; i++) {
        const struct vg_affected *a = &v->affected[i];
        put_str(out, a->vendor);
        put_str(out, a->product);
        put_uint(out, a->nversions);
        put_u8(out, a->default_affected ? 1 : 0);
    }
    for (uint32_t i = 0; i < v->naffected; i++)
        for (uint32_t k = 0; k < v->affected[i].nversions; k++) {
            const struct vg_affected_version *av = &v->affected[i].versions[k];
            put_u8(out, (av->less_than.ptr ? 1u : 0) | (av->lte ? 2u : 0) |
                            (av->affected ? 4u : 0) | (av->unaffected ? 8u : 0));
            put_str(out, av->version);
            if (av->less_than.ptr)
                put_str(out, av->less_than);
        }
    return out->failed ? VG_ENOMEM : 0;
}

/* ---- decoding ---- */

struct reader {
    const unsigned char *p;
    size_t n, at;
    struct vg_diag *d;
    bool bad;
    char *blk;   /* the record's strings, each NUL-terminated: at most n + 1 bytes, */
    size_t blen; /* since each costs a length byte or more in the input */
};

static int refuse(struct reader *r, const char *what)
{
    if (!r->bad) {
        char field[32];
        snprintf(field, sizeof field, "byte %zu", r->at);
        vg_diag_set(r->d, VG_EINVAL, field, "compact record: %s", what);
        if (r->d)
            r->d->offset = (long)r->at;
    }
    r->bad = true;
    return VG_EINVAL;
}

static unsigned get_u8(struct reader *r)
{
    if (r->bad || r->at >= r->n) {
        refuse(r, "truncated");
        return 0;
    }
    return r->p[r->at++];
}

static uint64_t get_uint(struct reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        unsigned c = get_u8(r);
        if (r->bad)
            return 0;
        if (shift == 63 && c > 1)
            break;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            if (shift && c == 0) /* one form per value: no trailing zero groups */
                break;
            return v;
        }
    }
    refuse(r, "integer too long or not in its shortest form");
    return 0;
}

/* A count of elements that take at least `least` bytes each: no more than what is left. */
static size_t get_count(struct reader *r, size_t least, size_t max)
{
    uint64_t v = get_uint(r);
    if (!r->bad && (v > max || v * least > r->n - r->at))
        refuse(r, "count larger than the record");
    return r->bad ? 0 : (size_t)v;
}

/* A string of at most max bytes into a fixed field of cap bytes (max < cap). */
static void get_fixed(struct reader *r, char *dst, size_t cap)
{
    size_t len = get_count(r, 1, cap - 1);
    if (r->bad)
        return;
    if (memchr(r->p + r->at, '\0', len)) {
        refuse(r, "NUL byte in a name or date");
        return;
    }
    memcpy(dst, r->p + r->at, len);
    dst[len] = '\0';
    r->at += len;
}

/* A string into the block; returns it with ptr as an offset + 1 (fixed at the end). */
static struct vg_str get_str(struct reader *r, size_t max)
{
    size_t len = get_count(r, 1, max);
    if (!r->bad && r->blen + len + 1 > r->n + 1)
        refuse(r, "strings larger than the record"); /* cannot happen: see struct reader */
    if (r->bad)
        return (struct vg_str){NULL, 0};
    size_t off = r->blen;
    memcpy(r->blk + off, r->p + r->at, len);
    r->blk[off + len] = '\0';
    r->blen += len + 1;
    r->at += len;
    return (struct vg_str){(const char *)(uintptr_t)(off + 1), len};
}

static void fix(struct vg_str *s, const char *base)
{
    if (s->ptr)
        s->ptr = base + ((uintptr_t)s->ptr - 1);
}

static void get_match(struct reader *r, struct vg_cpe_match *m, uint32_t node)
{
    memset(m, 0, sizeof *m);
    unsigned values = get_u8(r);
    values |= get_u8(r) << 8;
    unsigned na = get_u8(r);
    na |= get_u8(r) << 8;
    if ((values | na) >> VG_CPE_NATTR || (values & na))
        refuse(r, "bad attribute masks");
    struct vg_str text = get_str(r, 2 * VG_MAX_CPE + 32);
    if (r->bad)
        return;
    const unsigned char *t = r->p + r->at - text.len; /* the text as read */
    for (int a = 0; a < VG_CPE_NATTR; a++) {
        m->cpe.kind[a] = (values & (1u << a)) ? VG_CPE_VALUE
                         : (na & (1u << a))   ? VG_CPE_NA
                                              : VG_CPE_ANY;
        if (!(values & (1u << a)))
            continue;
        uint64_t off = get_uint(r), len = get_uint(r);
        /* each value ends with a NUL inside the text, as the CPE parser leaves it */
        if (!r->bad && (off >= text.len || len >= text.len - off || t[off + len] != '\0'))
            refuse(r, "CPE value outside its text");
        if (r->bad)
            return;
        m->cpe.off[a] = (uint16_t)off;
        m->cpe.len[a] = (uint16_t)len;
    }
    /* the text ends with the last value's NUL, as the encoder writes it */
    if (cpe_text_len(&m->cpe) != text.len) {
        refuse(r, "CPE text longer than its values");
        return;
    }
    m->cpe.text = text.ptr;
    unsigned fl = get_u8(r);
    if (fl & ~63u)
        refuse(r, "bad criterion flags");
    m->vulnerable = fl & 1;
    m->has_range = fl & 2;
    m->range.start_incl = fl & 4;
    m->range.end_incl = fl & 8;
    if (fl & 16)
        m->range.start = get_str(r, VG_MAX_VERSION);
    if (fl & 32)
        m->range.end = get_str(r, VG_MAX_VERSION);
    if (!r->bad && m->has_range != ((fl & 48) != 0))
        refuse(r, "range flag without a bound");
    m->node = node;
}

struct vg_vuln *vg_vuln_decode(const void *data, size_t n, struct vg_diag *d)
{
    struct reader r = {data, n, 0, d, false, vg_malloc(n + 1), 0};
    struct vg_vuln *v = vg_calloc(1, sizeof *v);
    char *arr = NULL;
    if (!v || !r.blk)
        goto nomem;
    if (n < sizeof MAGIC || memcmp(data, MAGIC, sizeof MAGIC) != 0) {
        refuse(&r, "not a compact record (magic VGC1)");
        goto bad;
    }
    r.at = sizeof MAGIC;
    v->source = (uint8_t)get_u8(&r);
    unsigned fl = get_u8(&r);
    v->cvss_version = (uint8_t)get_u8(&r);
    uint32_t bits = 0;
    for (int i = 0; i < 4; i++)
        bits |= (uint32_t)get_u8(&r) << (8 * i);
    memcpy(&v->cvss, &bits, sizeof bits);
    if (r.bad)
        goto bad;
    if ((v->source != VG_VULN_NVD && v->source != VG_VULN_CVE5) || (fl & ~3u) || isnan(v->cvss) ||
        v->cvss > 10)
        goto refused;
    v->rejected = fl & 1;
    v->simple = fl & 2;
    if (v->cvss < 0 && v->cvss != -1.0f) /* -1: no score */
        goto refused;
    get_fixed(&r, v->id, sizeof v->id);
    get_fixed(&r, v->modified, sizeof v->modified);
    get_fixed(&r, v->published, sizeof v->published);
    get_fixed(&r, v->severity, sizeof v->severity);
    if (r.bad)
        goto bad;
    v->key = vg_vuln_key(vg_str_c(v->id));
    if (!v->key) {
        refuse(&r, "not a CVE id");
        goto bad;
    }
    /* least bytes per element: configuration 2, node 2, criterion 6, product 4, version 2 */
    size_t nc = get_count(&r, 2, UINT32_MAX), nn = get_count(&r, 2, UINT32_MAX);
    size_t nm = get_count(&r, 6, VG_MAX_FEED_CRITERIA), na = get_count(&r, 4, UINT32_MAX);
    size_t nv = get_count(&r, 2, UINT32_MAX);
    if (r.bad)
        goto bad;
    size_t sz_m = nm * sizeof *v->matches, sz_a = na * sizeof *v->affected;
    size_t sz_v = nv * sizeof *v->affected->versions, sz_c = nc * sizeof *v->configs;
    size_t sz_n = nn * sizeof *v->nodes;
    arr = vg_malloc(sz_m + sz_a + sz_v + sz_c + sz_n + 1);
    if (!arr)
        goto nomem;
    v->arrays = arr;
    v->matches = (struct vg_cpe_match *)arr;
    v->affected = (struct vg_affected *)(arr + sz_m);
    struct vg_affected_version *vers = (struct vg_affected_version *)(arr + sz_m + sz_a);
    v->configs = (struct vg_vuln_config *)(arr + sz_m + sz_a + sz_v);
    v->nodes = (struct vg_vuln_node *)(arr + sz_m + sz_a + sz_v + sz_c);
    size_t next = 0;
    for (size_t i = 0; i < nc; i++) {
        size_t count = get_count(&r, 0, nn - next);
        unsigned op = get_u8(&r);
        if (r.bad || op > 1)
            goto refused;
        v->configs[i] = (struct vg_vuln_config){(uint32_t)next, (uint32_t)count, (uint8_t)op};
        for (size_t k = next; k < next + count; k++)
            v->nodes[k].config = (uint32_t)i;
        next += count;
    }
    if (next != nn) {
        refuse(&r, "nodes outside any configuration");
        goto bad;
    }
    next = 0;
    for (size_t i = 0; i < nn; i++) {
        size_t count = get_count(&r, 0, nm - next);
        unsigned op = get_u8(&r);
        if (r.bad || op > 3)
            goto refused;
        v->nodes[i].first = (uint32_t)next;
        v->nodes[i].count = (uint32_t)count;
        v->nodes[i].op = (uint8_t)(op & 1);
        v->nodes[i].negate = op & 2;
        next += count;
    }
    if (next != nm) {
        refuse(&r, "criteria outside any node");
        goto bad;
    }
    v->nconfigs = (uint32_t)nc;
    v->nnodes = (uint32_t)nn;
    for (size_t i = 0; i < nn; i++)
        for (uint32_t k = 0; k < v->nodes[i].count && !r.bad; k++)
            get_match(&r, &v->matches[v->nodes[i].first + k], (uint32_t)i);
    if (r.bad)
        goto bad;
    v->nmatches = (uint32_t)nm;
    next = 0;
    for (size_t i = 0; i < na; i++) {
        struct vg_affected *a = &v->affected[i];
        a->vendor = get_str(&r, VG_MAX_STR_FIELD);
        a->product = get_str(&r, VG_MAX_STR_FIELD);
        size_t count = get_count(&r, 0, nv - next);
        unsigned da = get_u8(&r);
        if (r.bad || da > 1)
            goto refused;
        a->nversions = (uint32_t)count;
        a->default_affected = da;
        a->versions = (struct vg_affected_version *)(uintptr_t)next; /* an index until the end */
        next += count;
    }
    if (next != nv) {
        refuse(&r, "versions outside any product");
        goto bad;
    }
    v->naffected = (uint32_t)na;
    for (size_t i = 0; i < nv; i++) {
        unsigned vf = get_u8(&r);
        if (r.bad || (vf & ~15u))
            goto refused;
        struct vg_affected_version *av = &vers[i];
        memset(av, 0, sizeof *av);
        av->lte = vf & 2;
        av->affected = vf & 4;
        av->unaffected = vf & 8;
        av->version = get_str(&r, VG_MAX_VERSION);
        if (vf & 1)
            av->less_than = get_str(&r, VG_MAX_VERSION);
        if (r.bad)
            goto bad;
    }
    if (r.at != n) {
        refuse(&r, "bytes after the record");
        goto bad;
    }
    v->block = r.blk;
    const char *base = v->block;
    for (size_t i = 0; i < nm; i++) {
        struct vg_cpe_match *m = &v->matches[i];
        m->cpe.text = base + ((uintptr_t)m->cpe.text - 1);
        fix(&m->range.start, base);
        fix(&m->range.end, base);
    }
    for (size_t i = 0; i < na; i++) {
        struct vg_affected *a = &v->affected[i];
        fix(&a->vendor, base);
        fix(&a->product, base);
        a->versions = vers + (uintptr_t)a->versions;
        for (uint32_t k = 0; k < a->nversions; k++) {
            fix(&a->versions[k].version, base);
            fix(&a->versions[k].less_than, base);
        }
    }
    return v;
refused:
    refuse(&r, "bad value");
bad:
    free(r.blk);
    if (v) {
        v->arrays = NULL;
        v->block = NULL;
        vg_vuln_free(v);
    }
    free(arr);
    return NULL;
nomem:
    vg_diag_set(d, VG_ENOMEM, "", "compact record: out of memory");
    if (d)
        d->offset = -1; /* not the record's fault */
    free(r.blk);
    if (v)
        v->arrays = NULL;
    vg_vuln_free(v);
    free(arr);
    return NULL;
}
