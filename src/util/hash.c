/* Hash tables (see hash.h): the string map keeps its keys in one growing buffer and its
 * entries in an array, the slots hold entry numbers; the integer map's slots hold the keys. */
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

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
        uint32_t *sl = calloc(ns, sizeof *sl);
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
        struct vg_strmap_ent *e = realloc(m->ents, nc * sizeof *e);
        if (!e)
            return -1;
        m->ents = e;
        m->cap = nc;
    }
    if (m->klen + n + 1 > m->kcap) {
        size_t nc = m->kcap ? m->kcap * 2 : 4096;
        while (nc < m->klen + n + 1)
            nc *= 2;
        char *kb = realloc(m->kbuf, nc);
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

int vg_u64map_put(struct vg_u64map *m, uint64_t key, uint32_t val)
{
    if (val == UINT32_MAX)
        return VG_EINVAL;
    if ((m->n + 1) * 2 > m->nslots) {
        size_t ns = m->nslots ? m->nslots * 2 : 1024;
        struct vg_u64map_slot *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return VG_ENOMEM;
        for (size_t i = 0; i < m->nslots; i++)
            if (m->slots[i].val1)
                *slot_of(sl, ns, m->slots[i].key) = m->slots[i];
        free(m->slots);
        m->slots = sl;
        m->nslots = ns;
    }
    struct vg_u64map_slot *s = slot_of(m->slots, m->nslots, key);
    if (!s->val1)
        m->n++;
    *s = (struct vg_u64map_slot){key, val + 1};
    return 0;
}
