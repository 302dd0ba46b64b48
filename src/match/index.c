/* The indicator index: one open-addressing hash table per type over compact records, keys
 * and texts in one string pool, a Bloom filter in front of each table. Addresses and CIDRs are
 * keys "prefix length + masked address", looked up once per prefix length present, behind a
 * /16 bitmap for IPv4 (with 4096 IPv4 indicators or more, prefixes 16 to 32 are looked up in a
 * /16 directory instead, or behind a /24 bitmap if it cannot be built); domains are looked up
 * for the host and each parent; hashes are stored in binary.
 * About 40 bytes per indicator: see docs/PERFORMANCE.md ("Memory per indicator"). */
#include "match/match.h"
#include "core/url.h"
#include "util/mem.h"
#include "util/sort.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define POOL_MAX 0xfffffff0u
#define BIG_MIN  ((size_t)1 << 20) /* arrays from this size get a mapping of their own */
#define LOAD_NUM 7                 /* tables are at most 7/8 full */
#define LOAD_DEN 8

/* Where an indicator's text is (rec.orig). */
enum orig {
    ORIG_KEY = 0, /* it is the key (same bytes) */
    ORIG_AFTER,   /* in the pool right after the key: add puts it there */
    ORIG_HEX,     /* it is the key in lower-case hexadecimal (hashes, kept in binary) */
    ORIG_IP,      /* it is the key's address in its usual text, then "/prefix" unless the
                   * prefix is the whole address (ip_text) */
};

/* One indicator: 8 bytes. */
struct rec {
    uint32_t key_off;       /* its normalised key in the pool */
    uint32_t key_len : 12;  /* bytes of key (at most VG_MAX_OBSERVABLE + 1) */
    uint32_t type : 4;      /* enum vg_match_type */
    uint32_t orig : 2;      /* enum orig */
    uint32_t orig_len : 14; /* bytes of text (ORIG_KEY, ORIG_AFTER) */
};
_Static_assert(sizeof(struct rec) == 8, "a record is 8 bytes");
_Static_assert(VG_MATCH_KEY_MAX < (1 << 12) && VG_MAX_OBSERVABLE < (1 << 14),
               "a key's and a text's lengths fit their fields");

/* Open addressing with linear probing; a slot is (high 32 bits of the hash) << 32 | rec + 1,
 * 0 when empty, so that a miss rarely touches a record. The slot index is taken from those
 * same high bits (multiply-shift onto any number of slots, so that a table can be sized
 * exactly), so resizing the table needs no key: no rehashing of the records. Tables grow by a
 * quarter while indicators are added, at most 7/8 full, and freeze sizes each one for its
 * count at 7/8 (at least one slot stays empty: a probe ends there). Not
 * util/hash's maps: this tagged layout, the Bloom filter and the huge pages are the matcher's
 * line rate (docs/PERFORMANCE.md "match"). */
struct table {
    uint64_t *slots; /* n slots, NULL while empty */
    size_t n;        /* slots (at most 2^32, more than count) */
    size_t count;    /* used slots */
    uint64_t *bloom; /* built by freeze: a blocked Bloom filter, 2 bits set per key in one word
                      * of bloom_mask + 1 words (16 bits per key), so that most misses cost one
                      * access to a small array that stays in cache; NULL = none */
    size_t bloom_mask;
};

struct vg_match_index {
    struct table tabs[VG_MATCH_NTYPES]; /* one per type */
    struct rec *recs;                   /* nrecs records (big_alloc'd, recs_cap of them) */
    size_t nrecs, recs_cap;
    int64_t *ids; /* per record (ids_cap of them), NULL until a non-zero id is added */
    size_t ids_cap;
    char *pool; /* keys and texts (big_alloc'd, pool_cap bytes) */
    size_t pool_len, pool_cap;
    /* Built by freeze for large IPv4 sets: the indicators of prefix 16 to 32 by /16, so that
     * an address in a dense list of networks (/16 ⊃ /20 ⊃ /24 ⊃ /28) costs one short scan of
     * its /16's entries instead of a hash probe per prefix length. v4_dir[s] to v4_dir[s + 1]
     * are the entries of /16 number s; an entry is (32 - prefix) << 48 | the address's low
     * 16 bits masked << 32 | rec, sorted: longest prefix first, then by address. */
    uint32_t *v4_dir; /* 65537 offsets, NULL if not built */
    uint64_t *v4_ent;
    uint8_t *v4_filter;        /* bit per /24 covered by some IPv4 indicator; built by
                                * freeze for large sets only (it takes 2 MiB) */
    uint8_t v4_filter16[8192]; /* bit per /16 covered by some IPv4 indicator */
    uint64_t v4_prefixes;      /* bit p: some IPv4 indicator has prefix length p */
    uint64_t v4_has32;         /* any IPv4 /32 */
    uint64_t v6_prefixes[3];   /* bit p: some IPv6 indicator has prefix length p */
    size_t skipped;            /* rows vg_match_index_add_row refused */
    bool frozen;
};

/* A fast 64-bit hash (multiply-xorshift over 8-byte words); not keyed: indicators are ours,
 * candidates only look up. */
static inline uint64_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    const size_t len = n;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)n * 0xff51afd7ed558ccdULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n) {
        /* The last 1-7 bytes as a zero-padded little-endian word, read by whole loads: copying
         * them one by one then reading the word back stalls the load (no store forwarding). */
        uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (len >= 8) { /* the key's last 8 bytes, of which the tail is the top n */
            memcpy(&w, s + n - 8, 8);
            w >>= 64 - 8 * n;
        } else if (n >= 4) { /* two 4-byte loads that may overlap */
            uint32_t a, b;
            memcpy(&a, s, 4);
            memcpy(&b, s + n - 4, 4);
            w = a | (uint64_t)b << (8 * (n - 4));
        } else {
            w = (uint64_t)s[0] | (uint64_t)s[n / 2] << (8 * (n / 2)) |
                (uint64_t)s[n - 1] << (8 * (n - 1));
        }
#else
        (void)len;
        memcpy(&w, s, n);
#endif
        h = (h ^ w) * 0x94d049bb133111ebULL;
        h ^= h >> 31;
    }
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

/* Zeroed memory for an array of the index (records, pool, slots, filters). From BIG_MIN bytes
 * it is a mapping of its own: its pages are resident only once written (a table sized for its
 * count costs no more than that), from 2 MiB on huge pages when the kernel allows (which
 * spares a TLB miss on most probes), and it grows by mremap: the kernel moves the pages, so
 * an array that doubles is never held twice, old and new, as with realloc. Smaller arrays are
 * on the heap. Freed with big_free, given the same size. */
static void *big_alloc(size_t bytes)
{
    if (bytes < BIG_MIN)
        return vg_calloc(1, bytes);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (bytes >= ((size_t)2 << 20))
        madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

static void big_free(void *p, size_t bytes)
{
    if (!p)
        return;
    if (bytes < BIG_MIN)
        free(p);
    else
        munmap(p, bytes);
}

/* Grows p from old to bytes (more), keeping its contents; the bytes added are zero. NULL (p
 * left as it was) when out of memory. */
static void *big_grow(void *p, size_t old, size_t bytes)
{
    if (bytes < BIG_MIN) {
        char *q = vg_realloc(p, bytes);
        if (q)
            memset(q + old, 0, bytes - old);
        return q;
    }
    if (old < BIG_MIN) {
        char *q = big_alloc(bytes);
        if (q && old)
            memcpy(q, p, old);
        if (q)
            free(p);
        return q;
    }
    void *q = mremap(p, old, bytes, MREMAP_MAYMOVE);
    return q == MAP_FAILED ? NULL : q;
}

/* The first slot to look at for a key of hash h in t. */
static inline size_t slot_home(const struct table *t, uint64_t h)
{
    return (size_t)(((h >> 32) * (uint64_t)t->n) >> 32);
}

static inline const char *rec_key(const struct vg_match_index *idx, const struct rec *r)
{
    return idx->pool + r->key_off;
}

/* Writes v (0 to 255) in decimal to out; returns the digits written. */
static inline size_t put_dec(char *out, unsigned v)
{
    size_t n = 0;
    if (v >= 100)
        out[n++] = (char)('0' + v / 100);
    if (v >= 10)
        out[n++] = (char)('0' + v / 10 % 10);
    out[n++] = (char)('0' + v % 10);
    return n;
}

/* Writes the usual text of an address or network key (prefix byte, then the address) to out
 * (INET6_ADDRSTRLEN + 4 bytes at least, not NUL-ended): dotted decimal for IPv4, inet_ntop's
 * for IPv6, "/prefix" unless the prefix is the whole address. Returns its length. */
static size_t ip_text(enum vg_match_type type, const uint8_t *key, char *out)
{
    size_t n = 0;
    unsigned bits = 128;
    if (type == VG_MATCH_IPV4) {
        bits = 32;
        for (int i = 1; i <= 4; i++) {
            if (i > 1)
                out[n++] = '.';
            n += put_dec(out + n, key[i]);
        }
    } else {
        char a[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, key + 1, a, sizeof a)) {
            n = strlen(a);
            memcpy(out, a, n);
        }
    }
    unsigned p = key[0];
    if (p != bits) {
        out[n++] = '/';
        n += put_dec(out + n, p);
    }
    return n;
}

/* The text of r (ORIG_KEY, ORIG_AFTER). */
static inline const char *rec_text(const struct vg_match_index *idx, const struct rec *r)
{
    return idx->pool + r->key_off + (r->orig == ORIG_AFTER ? r->key_len : 0);
}

/* The filter uses only the high 32 bits of the hash, which slots keep: freeze needs no
 * rehashing. Word: bits 32 and up; bit positions: bits 52-57 and 58-63. */
static inline uint64_t bloom_bits(uint64_t h)
{
    return (1ULL << ((h >> 52) & 63)) | (1ULL << (h >> 58));
}

/* The record number holding key in table t, or -1. */
static inline long table_find(const struct vg_match_index *idx, const struct table *t,
                              const void *key, size_t len, uint64_t h)
{
    if (!t->slots)
        return -1;
    if (t->bloom) {
        uint64_t b = bloom_bits(h);
        if ((t->bloom[(h >> 32) & t->bloom_mask] & b) != b)
            return -1;
    }
    uint64_t tag = h >> 32;
    for (size_t i = slot_home(t, h);; i = i + 1 == t->n ? 0 : i + 1) {
        uint64_t s = t->slots[i];
        if (s == 0)
            return -1;
        if ((s >> 32) == tag) {
            uint32_t r = (uint32_t)s - 1;
            const struct rec *rc = &idx->recs[r];
            if (rc->key_len == len && memcmp(rec_key(idx, rc), key, len) == 0)
                return (long)r;
        }
    }
}

static void table_put(struct table *t, uint64_t h, uint32_t r)
{
    size_t i = slot_home(t, h);
    while (t->slots[i])
        i = i + 1 == t->n ? 0 : i + 1;
    t->slots[i] = ((h >> 32) << 32) | ((uint64_t)r + 1);
    t->count++;
}

/* The slots for count entries at most 7/8 full, with one empty at least. */
static size_t table_size(size_t count)
{
    size_t n = (count * LOAD_DEN + LOAD_NUM - 1) / LOAD_NUM;
    return n > count ? n : count + 1;
}

static inline bool v4_in_dir(const struct vg_match_index *idx, uint64_t slot);

/* Moves t's entries into a new table of n slots (n > the entries kept), leaving out the IPv4
 * entries that the /16 directory holds when dir_only_short; 0 or VG_ENOMEM (t unchanged). */
static int table_resize(const struct vg_match_index *idx, struct table *t, size_t n,
                        bool dir_only_short)
{
    if (n > ((size_t)1 << 32))
        return VG_ENOMEM;
    uint64_t *ns = big_alloc(n * sizeof *ns);
    if (!ns)
        return VG_ENOMEM;
    struct table nt = {ns, n, 0, NULL, 0};
    for (size_t i = 0; t->slots && i < t->n; i++) {
        uint64_t s = t->slots[i];
        if (!s || (dir_only_short && v4_in_dir(idx, s)))
            continue;
        table_put(&nt, s, (uint32_t)s - 1);
    }
    big_free(t->slots, t->n * sizeof *t->slots);
    *t = nt;
    return 0;
}

/* Grows t by a quarter so that one more entry keeps it at most 7/8 full: when the last
 * indicator is added, each table is between 70 % and 7/8 full (doubling would leave it between
 * 7/16 and 7/8: a third more slots at the end of a load on average, which the process holds at
 * its peak). */
static int table_reserve(const struct vg_match_index *idx, struct table *t)
{
    if (t->slots && (t->count + 1) * LOAD_DEN <= t->n * LOAD_NUM)
        return 0;
    return table_resize(idx, t, t->slots ? t->n + t->n / 4 : 64, false);
}

static int pool_add(struct vg_match_index *idx, const void *p, size_t n, uint32_t *off)
{
    if (n > POOL_MAX - idx->pool_len)
        return VG_ENOMEM;
    if (idx->pool_len + n > idx->pool_cap) {
        size_t nc = idx->pool_cap ? idx->pool_cap * 2 : 4096;
        while (nc < idx->pool_len + n)
            nc *= 2;
        char *np = big_grow(idx->pool, idx->pool_cap, nc);
        if (!np)
            return VG_ENOMEM;
        idx->pool = np;
        idx->pool_cap = nc;
    }
    memcpy(idx->pool + idx->pool_len, p, n);
    *off = (uint32_t)idx->pool_len;
    idx->pool_len += n;
    return 0;
}

struct vg_match_index *vg_match_index_new(void)
{
    return vg_calloc(1, sizeof(struct vg_match_index));
}

void vg_match_index_free(struct vg_match_index *idx)
{
    if (!idx)
        return;
    for (int i = 0; i < VG_MATCH_NTYPES; i++) {
        const struct table *t = &idx->tabs[i];
        big_free(t->slots, t->n * sizeof *t->slots);
        if (t->bloom)
            big_free(t->bloom, (t->bloom_mask + 1) * sizeof *t->bloom);
    }
    big_free(idx->recs, idx->recs_cap * sizeof *idx->recs);
    big_free(idx->ids, idx->ids_cap * sizeof *idx->ids);
    big_free(idx->pool, idx->pool_cap);
    big_free(idx->v4_filter, (1u << 24) / 8);
    free(idx->v4_dir);
    free(idx->v4_ent);
    free(idx);
}

/* Reads "ADDR" or "ADDR/PREFIX" into key = prefix byte + masked address. */
static int parse_cidr(enum vg_match_type type, struct vg_str v, uint8_t key[17], size_t *key_len,
                      struct vg_diag *d)
{
    const char *slash = memchr(v.ptr, '/', v.len);
    struct vg_str a = {v.ptr, slash ? (size_t)(slash - v.ptr) : v.len};
    int af;
    uint8_t addr[16];
    if (vg_match_parse_ip(a, &af, addr) != 0)
        return vg_diag_set(d, VG_EINVAL, "value", "not an IP address or CIDR");
    if ((type == VG_MATCH_IPV4) != (af == 4))
        return vg_diag_set(d, VG_EINVAL, "value", "an IPv%d address given as %s", af,
                           vg_match_type_name(type));
    unsigned bits = af == 4 ? 32 : 128;
    unsigned long long prefix = bits;
    if (slash) {
        struct vg_str ps = {slash + 1, (size_t)(v.ptr + v.len - slash - 1)};
        if (vg_str_to_u64(ps, 0, bits, &prefix) != 0)
            return vg_diag_set(d, VG_EINVAL, "value", "bad prefix length (0 to %u)", bits);
    }
    size_t n = bits / 8;
    for (size_t i = 0; i < n; i++) {
        unsigned keep = prefix >= (i + 1) * 8 ? 8 : prefix > i * 8 ? (unsigned)(prefix - i * 8) : 0;
        addr[i] &= (uint8_t)(0xff00u >> keep);
    }
    key[0] = (uint8_t)prefix;
    memcpy(key + 1, addr, n);
    *key_len = n + 1;
    return 0;
}

/* Marks the /16s (and, when filter is not NULL, the /24s) an IPv4 key covers. */
static void v4_filter_mark(struct vg_match_index *idx, uint8_t *filter, const uint8_t *key)
{
    unsigned prefix = key[0];
    uint32_t net =
        ((uint32_t)key[1] << 24) | ((uint32_t)key[2] << 16) | ((uint32_t)key[3] << 8) | key[4];
    uint32_t first = net >> 8;
    uint32_t n = prefix >= 24 ? 1 : 1u << (24 - prefix);
    uint32_t n16 = prefix >= 16 ? 1 : 1u << (16 - prefix);
    if (!filter) {
        for (uint32_t i = net >> 16; i < (net >> 16) + n16; i++)
            idx->v4_filter16[i >> 3] |= (uint8_t)(1u << (i & 7));
        return;
    }
    if (n >= 64) {
        memset(filter + first / 8, 0xff, n / 8);
        return;
    }
    for (uint32_t i = first; i < first + n; i++)
        filter[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static bool is_lower_hex(struct vg_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

int vg_match_index_add(struct vg_match_index *idx, enum vg_match_type type, struct vg_str value,
                       struct vg_str original, int64_t id, struct vg_diag *d)
{
    if (idx->frozen || (unsigned)type >= VG_MATCH_NTYPES)
        return vg_diag_set(d, VG_EINVAL, "", "index frozen or bad type");
    value = vg_str_trim(value);
    if (original.len == 0)
        original = value;
    if (value.len == 0)
        return vg_diag_set(d, VG_EINVAL, "value", "empty value");
    if (value.len > VG_MAX_OBSERVABLE || original.len > VG_MAX_OBSERVABLE)
        return vg_diag_set(d, VG_ETOOBIG, "value", "value longer than %d bytes", VG_MAX_OBSERVABLE);

    struct vg_match_cand c;
    uint8_t ipkey[17];
    const void *key = NULL;
    size_t key_len = 0;
    int rc;
    switch (type) {
    case VG_MATCH_IPV4:
    case VG_MATCH_IPV6:
        if ((rc = parse_cidr(type, value, ipkey, &key_len, d)) != 0)
            return rc;
        key = ipkey;
        break;
    case VG_MATCH_DOMAIN: {
        /* A Unicode name in its A-labels, as the indicator store keeps it (core/url.c). */
        char idn[VG_MAX_HOSTNAME + 8];
        size_t idn_len;
        if (vg_str_has_non_ascii(value)) {
            if (vg_host_to_ascii(value, idn, sizeof idn, &idn_len, NULL) != 0)
                return vg_diag_set(d, VG_EINVAL, "value", "not a host name");
            value = (struct vg_str){idn, idn_len};
        }
        if (!vg_match_is_hostname(value))
            return vg_diag_set(d, VG_EINVAL, "value", "not a host name");
        key_len = value.ptr[value.len - 1] == '.' ? value.len - 1 : value.len;
        for (size_t i = 0; i < key_len; i++)
            c.host[i] = (char)tolower((unsigned char)value.ptr[i]);
        key = c.host;
        break;
    }
    case VG_MATCH_URL:
        if (vg_match_url_normalise(value, c.key, sizeof c.key, &key_len, NULL) != 0)
            return vg_diag_set(d, VG_EINVAL, "value", "not a URL (scheme://host/path)");
        key = c.key;
        break;
    case VG_MATCH_EMAIL:
        if (vg_match_classify(value, &c) != VG_MATCH_KIND_EMAIL || c.key_len == 0)
            return vg_diag_set(d, VG_EINVAL, "value", "not an e-mail address (local@host)");
        key = c.key;
        key_len = c.key_len;
        break;
    case VG_MATCH_MD5:
    case VG_MATCH_SHA1:
    case VG_MATCH_SHA256: {
        size_t want = type == VG_MATCH_MD5 ? 32 : type == VG_MATCH_SHA1 ? 40 : 64;
        if (value.len != want || vg_match_classify(value, &c) != VG_MATCH_KIND_HASH)
            return vg_diag_set(d, VG_EINVAL, "value", "not %zu hexadecimal digits", want);
        key = c.key;
        key_len = c.key_len;
        break;
    }
    default: return vg_diag_set(d, VG_EINVAL, "", "bad type");
    }

    struct table *t = &idx->tabs[type];
    uint64_t h = hash_bytes(key, key_len);
    if (table_find(idx, t, key, key_len, h) >= 0)
        return 1;
    if (idx->nrecs >= 0xfffffffeu)
        return vg_diag_set(d, VG_ENOMEM, "", "too many indicators");
    if (idx->nrecs == idx->recs_cap) {
        size_t nc = idx->recs_cap ? idx->recs_cap * 2 : 1024;
        struct rec *nr = big_grow(idx->recs, idx->recs_cap * sizeof *nr, nc * sizeof *nr);
        if (!nr)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        idx->recs = nr;
        idx->recs_cap = nc;
    }
    if ((id != 0 || idx->ids) && idx->ids_cap < idx->recs_cap) {
        int64_t *ni = big_grow(idx->ids, idx->ids_cap * sizeof *ni, idx->recs_cap * sizeof *ni);
        if (!ni)
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        idx->ids = ni;
        idx->ids_cap = idx->recs_cap;
    }
    if (table_reserve(idx, t) != 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");

    struct rec r = {0};
    r.type = type;
    r.key_len = (uint32_t)key_len;
    if (pool_add(idx, key, key_len, &r.key_off) != 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    char ipt[INET6_ADDRSTRLEN + 4];
    if (type >= VG_MATCH_MD5 && is_lower_hex(original)) {
        r.orig = ORIG_HEX;
    } else if (type <= VG_MATCH_IPV6 &&
               vg_str_eq(original, (struct vg_str){ipt, ip_text(type, ipkey, ipt)})) {
        r.orig = ORIG_IP;
    } else if (vg_str_eq(original, (struct vg_str){rec_key(idx, &r), key_len})) {
        r.orig = ORIG_KEY;
        r.orig_len = (uint32_t)original.len;
    } else {
        uint32_t off;
        if (pool_add(idx, original.ptr, original.len, &off) != 0) {
            idx->pool_len = r.key_off; /* the key goes too */
            return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
        r.orig = ORIG_AFTER; /* off is r.key_off + key_len */
        r.orig_len = (uint32_t)original.len;
    }
    uint32_t n = (uint32_t)idx->nrecs;
    idx->recs[n] = r;
    if (idx->ids)
        idx->ids[n] = id;
    idx->nrecs++;
    table_put(t, h, n);
    if (type == VG_MATCH_IPV4) {
        idx->v4_prefixes |= 1ULL << ipkey[0];
        v4_filter_mark(idx, NULL, ipkey);
    } else if (type == VG_MATCH_IPV6) {
        idx->v6_prefixes[ipkey[0] / 64] |= 1ULL << (ipkey[0] % 64);
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Whether the IPv4 table's entry slot is one the /16 directory holds (prefix 16 to 32). */
static inline bool v4_in_dir(const struct vg_match_index *idx, uint64_t slot)
{
    return (uint8_t)rec_key(idx, &idx->recs[(uint32_t)slot - 1])[0] >= 16;
}

/* Builds idx->v4_dir and v4_ent from the IPv4 table; 0 or VG_ENOMEM (lookups then use the
 * table alone). */
static int v4_dir_build(struct vg_match_index *idx)
{
    const struct table *t4 = &idx->tabs[VG_MATCH_IPV4];
    uint32_t *dir = vg_calloc(65537, sizeof *dir);
    size_t n = 0;
    for (size_t j = 0; dir && j < t4->n; j++) {
        if (!t4->slots[j])
            continue;
        const uint8_t *k = (const uint8_t *)rec_key(idx, &idx->recs[(uint32_t)t4->slots[j] - 1]);
        if (k[0] >= 16) {
            dir[(k[1] << 8 | k[2]) + 1]++;
            n++;
        }
    }
    uint64_t *ent = dir ? vg_malloc((n ? n : 1) * sizeof *ent) : NULL;
    if (!ent) {
        free(dir);
        return VG_ENOMEM;
    }
    for (size_t s = 1; s <= 65536; s++)
        dir[s] += dir[s - 1];
    uint32_t *fill = vg_malloc(65536 * sizeof *fill);
    if (!fill) {
        free(dir);
        free(ent);
        return VG_ENOMEM;
    }
    memcpy(fill, dir, 65536 * sizeof *fill);
    for (size_t j = 0; j < t4->n; j++) {
        if (!t4->slots[j])
            continue;
        uint32_t r = (uint32_t)t4->slots[j] - 1;
        const uint8_t *k = (const uint8_t *)rec_key(idx, &idx->recs[r]);
        if (k[0] >= 16)
            ent[fill[k[1] << 8 | k[2]]++] =
                (uint64_t)(32 - k[0]) << 48 | (uint64_t)(k[3] << 8 | k[4]) << 32 | r;
    }
    free(fill);
    for (size_t s = 0; s < 65536; s++)
        vg_sort(ent + dir[s], dir[s + 1] - dir[s], sizeof *ent, cmp_u64);
    idx->v4_dir = dir;
    idx->v4_ent = ent;
    return 0;
}

void vg_match_index_freeze(struct vg_match_index *idx)
{
    if (idx->frozen)
        return;
    idx->frozen = true;
    /* The /16 directory, or else the /24 filter, pay for their memory only with many IPv4
     * indicators. */
    struct table *t4 = &idx->tabs[VG_MATCH_IPV4];
    bool dir = false;
    if (t4->count >= 4096) {
        if (v4_dir_build(idx) == 0) {
            dir = true;
        } else {
            uint8_t *f = big_alloc((1u << 24) / 8);
            for (size_t j = 0; f && j < t4->n; j++) {
                if (!t4->slots[j])
                    continue;
                const struct rec *r = &idx->recs[(uint32_t)t4->slots[j] - 1];
                v4_filter_mark(idx, f, (const uint8_t *)rec_key(idx, r));
            }
            idx->v4_filter = f; /* NULL (no memory): lookups work without it, only slower */
        }
    }
    /* Each table sized for its count, one at a time (the old one goes as the new one is made);
     * the IPv4 table keeps only what the directory does not hold (prefixes under 16), and stays
     * allocated even if empty. A table that cannot be made keeps the old one. */
    for (int i = 0; i < VG_MATCH_NTYPES; i++) {
        struct table *t = &idx->tabs[i];
        if (!t->slots)
            continue;
        bool only_short = dir && i == VG_MATCH_IPV4;
        size_t keep = t->count;
        for (size_t j = 0; only_short && j < t->n; j++)
            if (t->slots[j] && v4_in_dir(idx, t->slots[j]))
                keep--;
        if (table_size(keep) < t->n || only_short)
            table_resize(idx, t, table_size(keep), only_short);
    }
    for (int i = 0; i < VG_MATCH_NTYPES; i++) {
        struct table *t = &idx->tabs[i];
        if (!t->slots)
            continue;
        size_t words = 8;
        while (words * 64 < t->count * 16)
            words *= 2;
        t->bloom = big_alloc(words * sizeof *t->bloom);
        if (!t->bloom)
            continue; /* lookups work without it, only slower */
        t->bloom_mask = words - 1;
        for (size_t j = 0; j < t->n; j++) {
            uint64_t sl = t->slots[j];
            if (!sl)
                continue;
            uint64_t h = sl & 0xffffffff00000000ULL;
            t->bloom[(h >> 32) & t->bloom_mask] |= bloom_bits(h);
        }
    }
}

int vg_match_index_add_row(void *ctx, long long id, const char *type, const char *value)
{
    struct vg_match_index *idx = ctx;
    enum vg_match_type t;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_match_type_parse(vg_str_c(type), &t) != 0) {
        idx->skipped++;
        return 0;
    }
    struct vg_str v = vg_str_c(value);
    int rc = vg_match_index_add(idx, t, v, v, (int64_t)id, &d);
    if (rc == VG_ENOMEM)
        return rc;
    if (rc < 0)
        idx->skipped++;
    return 0;
}

size_t vg_match_index_skipped(const struct vg_match_index *idx)
{
    return idx->skipped;
}

size_t vg_match_index_count(const struct vg_match_index *idx)
{
    return idx->nrecs;
}

size_t vg_match_index_bytes(const struct vg_match_index *idx)
{
    size_t n = sizeof *idx + idx->nrecs * sizeof(struct rec) + idx->pool_len;
    if (idx->ids)
        n += idx->nrecs * sizeof(int64_t);
    for (int i = 0; i < VG_MATCH_NTYPES; i++) {
        if (idx->tabs[i].slots)
            n += idx->tabs[i].n * sizeof(uint64_t);
        if (idx->tabs[i].bloom)
            n += (idx->tabs[i].bloom_mask + 1) * sizeof(uint64_t);
    }
    if (idx->v4_filter)
        n += (1u << 24) / 8;
    if (idx->v4_dir)
        n += 65537 * sizeof(uint32_t) + idx->v4_dir[65536] * sizeof(uint64_t);
    return n;
}

void vg_match_index_get(const struct vg_match_index *idx, uint32_t rec,
                        struct vg_match_indicator *out, char *buf)
{
    const struct rec *r = &idx->recs[rec];
    out->type = (enum vg_match_type)r->type;
    out->id = idx->ids ? idx->ids[rec] : 0;
    if (r->orig == ORIG_IP) {
        size_t n = ip_text(out->type, (const uint8_t *)rec_key(idx, r), buf);
        buf[n] = '\0';
        out->text = (struct vg_str){buf, n};
        return;
    }
    if (r->orig == ORIG_HEX) {
        static const char hx[] = "0123456789abcdef";
        const unsigned char *k = (const unsigned char *)rec_key(idx, r);
        for (size_t i = 0; i < r->key_len; i++) {
            buf[2 * i] = hx[k[i] >> 4];
            buf[2 * i + 1] = hx[k[i] & 15];
        }
        buf[2 * r->key_len] = '\0';
        out->text = (struct vg_str){buf, 2 * (size_t)r->key_len};
        return;
    }
    out->text = (struct vg_str){rec_text(idx, r), r->orig_len};
}

void vg_match_index_prefetch_rec(const struct vg_match_index *idx, uint32_t rec, bool text)
{
    const struct rec *r = &idx->recs[rec];
    if (!text) {
        __builtin_prefetch(r);
        return;
    }
    __builtin_prefetch(r->orig >= ORIG_HEX ? rec_key(idx, r) : rec_text(idx, r));
}

/* Calls fn for each entry of the /16 directory containing IPv4 address a, longest first. */
static int lookup_v4_dir(const struct vg_match_index *idx, uint32_t a, vg_match_hit_fn fn,
                         void *ctx)
{
    const uint64_t *e = idx->v4_ent;
    size_t i = idx->v4_dir[a >> 16], end = idx->v4_dir[(a >> 16) + 1];
    uint32_t lo = a & 0xffff;
    int rc;
    while (i < end) {
        uint32_t q = (uint32_t)(e[i] >> 48); /* 32 - prefix, 0 to 16 */
        uint32_t want = q << 16 | (lo & (0xffffu << q) & 0xffff);
        uint32_t next = (q + 1) << 16;
        /* the first entry of this prefix at or after want, then the first of the next one */
        size_t k = i, hi = end;
        while (k < hi) {
            size_t mid = k + (hi - k) / 2;
            if ((uint32_t)(e[mid] >> 32) < want)
                k = mid + 1;
            else
                hi = mid;
        }
        if (k < end && (uint32_t)(e[k] >> 32) == want && (rc = fn(ctx, (uint32_t)e[k])) != 0)
            return rc;
        for (hi = end; k < hi;) {
            size_t mid = k + (hi - k) / 2;
            if ((uint32_t)(e[mid] >> 32) < next)
                k = mid + 1;
            else
                hi = mid;
        }
        i = k;
    }
    return 0;
}

/* Looks up an address in every prefix length present. */
static int lookup_ip(const struct vg_match_index *idx, int af, const uint8_t *addr,
                     vg_match_hit_fn fn, void *ctx)
{
    uint8_t key[17];
    int rc;
    if (af == 4) {
        if (!idx->tabs[VG_MATCH_IPV4].slots)
            return 0;
        uint32_t a = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) |
                     ((uint32_t)addr[2] << 8) | addr[3];
        uint32_t slot = a >> 8, s16 = a >> 16;
        if (!(idx->v4_filter16[s16 >> 3] & (1u << (s16 & 7))) ||
            (idx->v4_filter && !(idx->v4_filter[slot >> 3] & (1u << (slot & 7)))))
            return 0;
        uint64_t pm = idx->v4_prefixes;
        if (idx->v4_dir) {
            if ((rc = lookup_v4_dir(idx, a, fn, ctx)) != 0)
                return rc;
            pm &= 0xffff; /* the prefixes under 16 are in the table only */
        }
        while (pm) {
            int p = 63 - __builtin_clzll(pm);
            pm &= ~(1ULL << p);
            uint32_t m = p == 0 ? 0 : a & (0xffffffffu << (32 - p));
            key[0] = (uint8_t)p;
            key[1] = (uint8_t)(m >> 24);
            key[2] = (uint8_t)(m >> 16);
            key[3] = (uint8_t)(m >> 8);
            key[4] = (uint8_t)m;
            long r = table_find(idx, &idx->tabs[VG_MATCH_IPV4], key, 5, hash_bytes(key, 5));
            if (r >= 0 && (rc = fn(ctx, (uint32_t)r)) != 0)
                return rc;
        }
        return 0;
    }
    for (int w = 2; w >= 0; w--) {
        uint64_t pm = idx->v6_prefixes[w];
        while (pm) {
            int b = 63 - __builtin_clzll(pm);
            pm &= ~(1ULL << b);
            int p = w * 64 + b;
            key[0] = (uint8_t)p;
            for (int i = 0; i < 16; i++) {
                int keep = p >= (i + 1) * 8 ? 8 : p > i * 8 ? p - i * 8 : 0;
                key[1 + i] = (uint8_t)(addr[i] & (0xff00u >> keep));
            }
            long r = table_find(idx, &idx->tabs[VG_MATCH_IPV6], key, 17, hash_bytes(key, 17));
            if (r >= 0 && (rc = fn(ctx, (uint32_t)r)) != 0)
                return rc;
        }
    }
    return 0;
}

/* Looks up a host name and each of its parents with at least two labels; the first nh
 * hashes are known (hs, from vg_match_index_prepare). */
static int lookup_host(const struct vg_match_index *idx, const char *h, size_t len,
                       const uint64_t *hs, unsigned nh, vg_match_hit_fn fn, void *ctx)
{
    const struct table *t = &idx->tabs[VG_MATCH_DOMAIN];
    if (!t->slots)
        return 0;
    for (unsigned i = 0;; i++) {
        const char *dot = memchr(h, '.', len);
        if (!dot)
            return 0; /* a single label: not a host name */
        long r = table_find(idx, t, h, len, i < nh ? hs[i] : hash_bytes(h, len));
        int rc;
        if (r >= 0 && (rc = fn(ctx, (uint32_t)r)) != 0)
            return rc;
        len -= (size_t)(dot + 1 - h);
        h = dot + 1;
    }
}

static inline void prefetch_hash(const struct table *t, uint64_t h)
{
    __builtin_prefetch(&t->bloom[(h >> 32) & t->bloom_mask]);
}

static inline enum vg_match_type hash_type(size_t key_len)
{
    return key_len == 16 ? VG_MATCH_MD5 : key_len == 20 ? VG_MATCH_SHA1 : VG_MATCH_SHA256;
}

/* Asks for what looking up c's IPv4 address reads first; false if it has none. */
static inline bool prefetch_v4(const struct vg_match_index *idx, const struct vg_match_cand *c)
{
    if (c->kind != VG_MATCH_KIND_IPV4 && c->host_kind != VG_MATCH_KIND_IPV4)
        return false;
    if (idx->v4_dir) {
        __builtin_prefetch(&idx->v4_dir[(uint32_t)c->addr[0] << 8 | c->addr[1]]);
    } else if (idx->v4_filter) {
        uint32_t slot = ((uint32_t)c->addr[0] << 16) | ((uint32_t)c->addr[1] << 8) | c->addr[2];
        __builtin_prefetch(&idx->v4_filter[slot >> 3]);
    }
    return true;
}

void vg_match_index_prepare(const struct vg_match_index *idx, struct vg_match_cand *c)
{
    enum vg_match_type kt = VG_MATCH_NTYPES;
    switch (c->kind) {
    case VG_MATCH_KIND_HASH: kt = hash_type(c->key_len); break;
    case VG_MATCH_KIND_URL: kt = VG_MATCH_URL; break;
    case VG_MATCH_KIND_EMAIL: kt = VG_MATCH_EMAIL; break;
    default: break;
    }
    if (kt != VG_MATCH_NTYPES && c->key_len && idx->tabs[kt].slots) {
        c->key_hash = hash_bytes(c->key, c->key_len);
        c->has_key_hash = true;
        if (idx->tabs[kt].bloom)
            prefetch_hash(&idx->tabs[kt], c->key_hash);
    }
    if (c->host_kind != VG_MATCH_KIND_HOST) {
        prefetch_v4(idx, c);
        return;
    }
    const struct table *t = &idx->tabs[VG_MATCH_DOMAIN];
    if (!t->slots)
        return;
    const char *h = c->host;
    size_t len = c->host_len;
    unsigned n = 0;
    while (n < VG_MATCH_HOST_HASHES) {
        const char *dot = memchr(h, '.', len);
        if (!dot)
            break;
        c->host_hash[n] = hash_bytes(h, len);
        if (t->bloom)
            prefetch_hash(t, c->host_hash[n]);
        n++;
        len -= (size_t)(dot + 1 - h);
        h = dot + 1;
    }
    c->nhost_hash = n;
}

static int lookup_key(const struct vg_match_index *idx, enum vg_match_type type, const char *key,
                      size_t len, const struct vg_match_cand *c, vg_match_hit_fn fn, void *ctx)
{
    const struct table *t = &idx->tabs[type];
    if (!t->slots || len == 0)
        return 0;
    long r = table_find(idx, t, key, len, c->has_key_hash ? c->key_hash : hash_bytes(key, len));
    return r >= 0 ? fn(ctx, (uint32_t)r) : 0;
}

int vg_match_index_lookup(const struct vg_match_index *idx, const struct vg_match_cand *c,
                          vg_match_hit_fn fn, void *ctx)
{
    int rc = 0;
    switch (c->kind) {
    case VG_MATCH_KIND_NONE: return 0;
    case VG_MATCH_KIND_IPV4: return lookup_ip(idx, 4, c->addr, fn, ctx);
    case VG_MATCH_KIND_IPV6: return lookup_ip(idx, 6, c->addr, fn, ctx);
    case VG_MATCH_KIND_HASH:
        return lookup_key(idx, hash_type(c->key_len), c->key, c->key_len, c, fn, ctx);
    case VG_MATCH_KIND_URL:
        if ((rc = lookup_key(idx, VG_MATCH_URL, c->key, c->key_len, c, fn, ctx)) != 0)
            return rc;
        break;
    case VG_MATCH_KIND_EMAIL:
        if ((rc = lookup_key(idx, VG_MATCH_EMAIL, c->key, c->key_len, c, fn, ctx)) != 0)
            return rc;
        break;
    case VG_MATCH_KIND_HOST: break;
    }
    switch (c->host_kind) {
    case VG_MATCH_KIND_IPV4: return lookup_ip(idx, 4, c->addr, fn, ctx);
    case VG_MATCH_KIND_IPV6: return lookup_ip(idx, 6, c->addr, fn, ctx);
    case VG_MATCH_KIND_HOST:
        return lookup_host(idx, c->host, c->host_len, c->host_hash, c->nhost_hash, fn, ctx);
    default: return 0;
    }
}
