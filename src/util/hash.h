/* Hash tables, one implementation for the modules that need one: a string map (string ->
 * uint32 value, keys copied, entries numbered 0, 1, ... in order of insertion) and an
 * integer map (uint64 key -> uint32 value), open addressing with linear probing over a
 * power-of-two slot array kept at most half full, nothing ever removed; and a bounded cache
 * (bytes -> fixed-size value in fixed memory, least recently used key evicted). Not safe for
 * concurrent writers; a map no longer written may be read from any thread. */
#ifndef VG_HASH_H
#define VG_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FNV-1a over n bytes: the string map's hash. */
uint32_t vg_hash_bytes(const void *p, size_t n);

/* A 64-bit finaliser (MurmurHash3's): the integer map's hash. */
static inline uint64_t vg_hash_u64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* ---- string -> uint32 ---- */

struct vg_strmap_ent {
    size_t off;    /* key in kbuf (NUL-terminated) */
    uint32_t len;  /* key length */
    uint32_t val;  /* value */
    uint32_t hash; /* vg_hash_bytes of the key */
};

/* Zero-initialised is empty ({0} or vg_strmap_init). */
struct vg_strmap {
    char *kbuf;                 /* the keys, one after the other, each NUL-terminated */
    size_t klen, kcap;          /* bytes used and allocated */
    struct vg_strmap_ent *ents; /* entries by number */
    size_t n, cap;              /* entries used and allocated */
    uint32_t *slots;            /* entry number + 1; 0 empty */
    size_t nslots;              /* a power of two, or 0 */
};

void vg_strmap_init(struct vg_strmap *m);
void vg_strmap_cleanup(struct vg_strmap *m);
/* Number of the entry of key k (n bytes, any bytes), or -1. */
long vg_strmap_find(const struct vg_strmap *m, const char *k, size_t n);
/* Number of the entry of key k, added with value val when absent (*added tells); -1 when out
 * of memory or full (2^32 - 2 entries). */
long vg_strmap_put(struct vg_strmap *m, const char *k, size_t n, uint32_t val, bool *added);
/* Bytes the map holds. */
size_t vg_strmap_bytes(const struct vg_strmap *m);

static inline size_t vg_strmap_count(const struct vg_strmap *m)
{
    return m->n;
}

/* Key (NUL-terminated) and value of entry i < count. */
static inline const char *vg_strmap_key(const struct vg_strmap *m, size_t i)
{
    return m->kbuf + m->ents[i].off;
}

static inline uint32_t vg_strmap_val(const struct vg_strmap *m, size_t i)
{
    return m->ents[i].val;
}

static inline void vg_strmap_set(struct vg_strmap *m, size_t i, uint32_t val)
{
    m->ents[i].val = val;
}

/* ---- uint64 -> uint32 ---- */

struct vg_u64map_slot {
    uint64_t key;
    uint32_t val1; /* value + 1; 0 empty */
};

/* Zero-initialised is empty. The key sits beside the value in its slot, so that a probe
 * reads one cache line. */
struct vg_u64map {
    struct vg_u64map_slot *slots;
    size_t nslots; /* a power of two, or 0 */
    size_t n;      /* keys held */
};

void vg_u64map_cleanup(struct vg_u64map *m);
/* Sets the value of key (added or replaced); val < UINT32_MAX. 0 or VG_ENOMEM. */
int vg_u64map_put(struct vg_u64map *m, uint64_t key, uint32_t val);
/* Makes room for extra more keys: the puts that add them then allocate nothing (cannot
 * fail). 0 or VG_ENOMEM. */
int vg_u64map_reserve(struct vg_u64map *m, size_t extra);

/* The value of key, or -1. */
static inline long vg_u64map_find(const struct vg_u64map *m, uint64_t key)
{
    if (!m->nslots)
        return -1;
    size_t mask = m->nslots - 1;
    for (size_t h = (size_t)vg_hash_u64(key) & mask; m->slots[h].val1; h = (h + 1) & mask)
        if (m->slots[h].key == key)
            return (long)m->slots[h].val1 - 1;
    return -1;
}

/* ---- bounded cache: key bytes -> a fixed-size value, in fixed memory ---- */

/* For what must not grow with its input (a client address, a token seen by the server): all
 * memory is allocated by vg_cache_init. A key lives in one of `probe` slots from its hash's
 * place; when they are all taken, the least recently used of them gives way. Not safe for
 * concurrent use, lookups included (they mark the slot used). */
struct vg_cache {
    unsigned char *slots; /* nslots slots of stride bytes: value, use stamp, hash, key */
    size_t nslots;        /* a power of two */
    size_t probe;         /* slots a key may sit in, from its place; <= nslots */
    size_t keymax;        /* longest key */
    size_t valsize;       /* bytes of a value */
    size_t stride;        /* bytes of a slot, a multiple of 8 */
    uint64_t clock;       /* uses so far; a slot's stamp is its last use, 0 empty */
};

/* Allocates nslots (a power of two) slots for keys of at most keymax bytes and values of
 * valsize bytes (each value aligned to 8 bytes). 0, VG_EINVAL or VG_ENOMEM. */
int vg_cache_init(struct vg_cache *c, size_t nslots, size_t probe, size_t keymax, size_t valsize);
/* Frees the slots; zero-initialised or cleaned up twice is fine. */
void vg_cache_cleanup(struct vg_cache *c);
/* The value of key k (n bytes), marked used; NULL when absent or c is not initialised. */
void *vg_cache_get(struct vg_cache *c, const void *k, size_t n);
/* The value of key k, marked used: the one held, or (*added set) a zeroed one in a free slot or
 * in the least recently used slot of k's window, whose key is dropped. NULL when n > keymax or
 * c is not initialised. */
void *vg_cache_put(struct vg_cache *c, const void *k, size_t n, bool *added);
/* Drops every key; memory stays allocated. */
void vg_cache_clear(struct vg_cache *c);
/* Keys held (a walk over the slots: for tests and statistics). */
size_t vg_cache_count(const struct vg_cache *c);

#endif
