/* Hash tables (see hash.h): the string map keeps its keys in one growing buffer and its
 * entries in an array, the slots hold entry numbers; the integer map's slots hold the keys. */
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

uint32_t vg_hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

void vg_strmap_init(struct vg_strmap *m)
{
    memset(m, 0, sizeof *m);
}

void vg_strmap_cleanup(struct vg_strmap *m)
{
    free(m->kbuf);
    free(m->ents);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

long vg_strmap_find(const struct vg_strmap *m, const char *k, size_t n)
{
    if (!m->nslots)
        return -1;
    uint32_t h = vg_hash_bytes(k, n);
    size_t mask = m->nslots - 1;
    for (size_t i = h & mask; m->slots[i]; i = (i + 1) & mask) {
        const struct vg_strmap_ent *e = &m->ents[m->slots[i] - 1];
        if (e->hash == h && e->len == n && memcmp(m->kbuf + e->off, k, n) == 0)
            return (long)m->slots[i] - 1;
    }
    return -1;
}

long vg_strmap_put(struct vg_strmap *m, const char *k, size_t n, uint32_t val, bool *added)
{
    long i = vg_strmap_find(m, k, n);
    *added = false;
    if (i >= 0)
        return i;
    if (m->n >= UINT32_MAX - 1 || n > UINT32_MAX)
        return -1;
    if ((m->n + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 256;
        uint32_t *sl = vg_calloc(ns, sizeof *sl);
        if (!sl)
            return -1;
        for (size_t j = 0; j < m->n; j++) {
            size_t s = m->ents[j].hash & (ns - 1);
            while (sl[s])
                s = (s + 1) & (ns - 1);
            sl[s] = (uint32_t)(j + 1);
        }
        free(m->slots);
        m->slots = sl;
        m->nslots = ns;
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        struct vg_strmap_ent *e = vg_realloc(m->ents, nc * sizeof *e);
        if (!e)
            return -1;
        m->ents = e;
        m->cap = nc;
    }
    if (m->klen + n + 1 > m->kcap) {
        size_t nc = m->kcap ? m->kcap * 2 : 4096;
        while (nc < m->klen + n + 1)
            nc *= 2;
        char *kb = vg_realloc(m->kbuf, nc);
        if (!kb)
            return -1;
        m->kbuf = kb;
        m->kcap = nc;
    }
    if (n)
        memcpy(m->kbuf + m->klen, k, n);
    m->kbuf[m->klen + n] = '\0';
    uint32_t h = vg_hash_bytes(k, n);
    m->ents[m->n] = (struct vg_strmap_ent){m->klen, (uint32_t)n, val, h};
    m->klen += n + 1;
    size_t s = h & (m->nslots - 1);
    while (m->slots[s])
        s = (s + 1) & (m->nslots - 1);
    m->slots[s] = (uint32_t)(++m->n);
    *added = true;
    return (long)m->n - 1;
}

size_t vg_strmap_bytes(const struct vg_strmap *m)
{
    return m->kcap + m->cap * sizeof *m->ents + m->nslots * sizeof *m->slots;
}

void vg_u64map_cleanup(struct vg_u64map *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

/* Places key in slots (ns of them), at its place or the next free one. */
static struct vg_u64map_slot *slot_of(struct vg_u64map_slot *slots, size_t ns, uint64_t key)
{
    size_t h = (size_t)vg_hash_u64(key) & (ns - 1);
    while (slots[h].val1 && slots[h].key != key)
        h = (h + 1) & (ns - 1);
    return &slots[h];
}

int vg_u64map_reserve(struct vg_u64map *m, size_t extra)
{
    if ((m->n + extra) * 2 <= m->nslots)
        return 0;
    size_t ns = m->nslots ? m->nslots : 1024;
    while ((m->n + extra) * 2 > ns)
        ns *= 2;
    struct vg_u64map_slot *sl = vg_calloc(ns, sizeof *sl);
    if (!sl)
        return VG_ENOMEM;
    for (size_t i = 0; i < m->nslots; i++)
        if (m->slots[i].val1)
            *slot_of(sl, ns, m->slots[i].key) = m->slots[i];
    free(m->slots);
    m->slots = sl;
    m->nslots = ns;
    return 0;
}

int vg_u64map_put(struct vg_u64map *m, uint64_t key, uint32_t val)
{
    if (val == UINT32_MAX)
        return VG_EINVAL;
    if (vg_u64map_reserve(m, 1) != 0)
        return VG_ENOMEM;
    struct vg_u64map_slot *s = slot_of(m->slots, m->nslots, key);
    if (!s->val1)
        m->n++;
    *s = (struct vg_u64map_slot){key, val + 1};
    return 0;
}

/* A cache slot: the value first (aligned), then this header, then the key. */
struct cache_hdr {
    uint64_t stamp; /* last use, 0: empty */
    uint32_t hash;  /* vg_hash_bytes of the key */
    uint32_t len;   /* key length */
};

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static struct cache_hdr *cache_hdr(const struct vg_cache *c, size_t i)
{
    return (struct cache_hdr *)(void *)(c->slots + i * c->stride + round8(c->valsize));
}

static unsigned char *cache_key(const struct vg_cache *c, size_t i)
{
    return (unsigned char *)(cache_hdr(c, i) + 1);
}

int vg_cache_init(struct vg_cache *c, size_t nslots, size_t probe, size_t keymax, size_t valsize)
{
    memset(c, 0, sizeof *c);
    if (!nslots || (nslots & (nslots - 1)) || !probe || probe > nslots || keymax > UINT32_MAX)
        return VG_EINVAL;
    size_t stride = round8(valsize) + sizeof(struct cache_hdr) + round8(keymax);
    if (nslots > SIZE_MAX / stride)
        return VG_EINVAL;
    /* calloc's memory is aligned for any scalar type, and so is every slot (stride % 8 == 0,
     * values first) for types of 8 bytes or less */
    c->slots = vg_calloc(nslots, stride);
    if (!c->slots)
        return VG_ENOMEM;
    c->nslots = nslots;
    c->probe = probe;
    c->keymax = keymax;
    c->valsize = valsize;
    c->stride = stride;
    return 0;
}

void vg_cache_cleanup(struct vg_cache *c)
{
    free(c->slots);
    memset(c, 0, sizeof *c);
}

/* The slot of key k: where it is (*found set), else the first free one in its window, else the
 * least recently used one there. */
static size_t cache_slot(const struct vg_cache *c, const void *k, size_t n, uint32_t h, bool *found)
{
    size_t mask = c->nslots - 1, best = h & mask;
    uint64_t oldest = UINT64_MAX;
    *found = false;
    for (size_t j = 0; j < c->probe; j++) {
        size_t i = (h + j) & mask;
        const struct cache_hdr *e = cache_hdr(c, i);
        if (!e->stamp) /* slots fill in order and empty only all at once: k is not further */
            return i;
        if (e->hash == h && e->len == n && memcmp(cache_key(c, i), k, n) == 0) {
            *found = true;
            return i;
        }
        if (e->stamp < oldest) {
            oldest = e->stamp;
            best = i;
        }
    }
    return best;
}

void *vg_cache_get(struct vg_cache *c, const void *k, size_t n)
{
    if (!c->slots || n > c->keymax)
        return NULL;
    bool found;
    size_t i = cache_slot(c, k, n, vg_hash_bytes(k, n), &found);
    if (!found)
        return NULL;
    cache_hdr(c, i)->stamp = ++c->clock;
    return c->slots + i * c->stride;
}

void *vg_cache_put(struct vg_cache *c, const void *k, size_t n, bool *added)
{
    *added = false;
    if (!c->slots || n > c->keymax)
        return NULL;
    uint32_t h = vg_hash_bytes(k, n);
    bool found;
    size_t i = cache_slot(c, k, n, h, &found);
    struct cache_hdr *e = cache_hdr(c, i);
    unsigned char *v = c->slots + i * c->stride;
    if (!found) {
        memset(v, 0, c->valsize);
        e->hash = h;
        e->len = (uint32_t)n;
        if (n)
            memcpy(cache_key(c, i), k, n);
        *added = true;
    }
    e->stamp = ++c->clock;
    return v;
}

void vg_cache_clear(struct vg_cache *c)
{
    if (c->slots)
        memset(c->slots, 0, c->nslots * c->stride);
    c->clock = 0;
}

size_t vg_cache_count(const struct vg_cache *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nslots; i++)
        n += cache_hdr(c, i)->stamp != 0;
    return n;
}
