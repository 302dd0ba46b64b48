/* Correlation index. Each observable gets a key (as in the store: 'i' + 16-byte network +
 * prefix length, 'd' + reversed domain, 'v' + value) kept in one arena.
 * - eq: open-addressing hash of distinct keys; observables with the same key are chained.
 * - desc: for each domain, one link under each of its ancestors (two labels or more), keyed
 *   by the ancestor's key, which is a prefix of the domain's own key: subdomains are a probe.
 * - nets: addresses and networks sorted by (address, prefix), plus an unsorted tail merged
 *   in once it grows: the contents of a CIDR are a binary search and a short scan.
 * - the prefix lengths in use, so that the CIDRs around an address are one probe per length. */
#include "core/corr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/sort.h"

#define TAIL_MAX 4096 /* unsorted addresses scanned at most by a lookup, once loaded */

struct net {
    unsigned char ip[16];
    uint32_t obs;
    unsigned char prefix;
};

struct link {
    uint32_t obs;
    uint32_t next; /* link index + 1, 0: end */
    uint16_t len;  /* length of the ancestor key (a prefix of the observable's key) */
};

/* Not util/hash's vg_strmap, on purpose: a slot leads to a chain of observables and its key is
 * read in place (the observable's key in the arena, or for desc a prefix of it), where a strmap
 * holds its own copy of each key and ancestor plus a 24-byte entry (this index: ~70 B each). */
struct table {
    uint32_t *slot; /* obs index + 1 (eq) or link index + 1 (desc); 0: empty */
    size_t cap;     /* power of two */
    size_t used;
};

struct vg_corr {
    /* observables */
    long long *inc;
    uint32_t *koff;
    uint16_t *klen;
    unsigned char *type;
    uint32_t *next_same; /* next observable with the same key, index + 1 */
    size_t n, cap;
    char *arena;
    size_t alen, acap;
    /* indexes */
    struct table eq, desc;
    struct link *links;
    size_t nlinks, caplinks;
    struct net *nets;
    size_t nsorted, nnets, capnets;
    unsigned char prefix_used[129];
};

/* FNV-1a in 64 bits with its high bits folded in: the tables take the low bits (2^22 slots at
 * 1M observables), where util/hash's 32-bit FNV-1a mixes least. */
static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

struct vg_corr *vg_corr_new(void)
{
    return vg_calloc(1, sizeof(struct vg_corr));
}

void vg_corr_free(struct vg_corr *c)
{
    if (!c)
        return;
    free(c->inc);
    free(c->koff);
    free(c->klen);
    free(c->type);
    free(c->next_same);
    free(c->arena);
    free(c->eq.slot);
    free(c->desc.slot);
    free(c->links);
    free(c->nets);
    free(c);
}

size_t vg_corr_count(const struct vg_corr *c)
{
    return c->n;
}

size_t vg_corr_bytes(const struct vg_corr *c)
{
    return c->cap *
               (sizeof *c->inc + sizeof *c->koff + sizeof *c->klen + 1 + sizeof *c->next_same) +
           c->acap + (c->eq.cap + c->desc.cap) * sizeof(uint32_t) +
           c->caplinks * sizeof(struct link) + c->capnets * sizeof(struct net);
}

static const char *key_of(const struct vg_corr *c, uint32_t obs)
{
    return c->arena + c->koff[obs];
}

/* Key (and its length) that a slot of a table stands for. */
static const char *slot_key(const struct vg_corr *c, const struct table *t, uint32_t v, size_t *len)
{
    if (t == &c->eq) {
        *len = c->klen[v - 1];
        return key_of(c, v - 1);
    }
    const struct link *l = &c->links[v - 1];
    *len = l->len;
    return key_of(c, l->obs);
}

/* Finds the slot of key k in t: its index, with *found set if occupied by that key. */
static size_t probe(const struct vg_corr *c, const struct table *t, const char *k, size_t n,
                    int *found)
{
    size_t mask = t->cap - 1, i = hash(k, n) & mask;
    for (;;) {
        uint32_t v = t->slot[i];
        if (!v) {
            *found = 0;
            return i;
        }
        size_t len;
        const char *sk = slot_key(c, t, v, &len);
        if (len == n && memcmp(sk, k, n) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int table_grow(struct vg_corr *c, struct table *t)
{
    if ((t->used + 1) * 2 <= t->cap)
        return 0;
    size_t ncap = t->cap ? t->cap * 2 : 4096;
    uint32_t *old = t->slot;
    size_t ocap = t->cap;
    t->slot = vg_calloc(ncap, sizeof *t->slot);
    if (!t->slot) {
        t->slot = old;
        return VG_ENOMEM;
    }
    t->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i])
            continue;
        size_t len;
        const char *k = slot_key(c, t, old[i], &len);
        int found;
        t->slot[probe(c, t, k, len, &found)] = old[i];
    }
    free(old);
    return 0;
}

static size_t make_key(const struct vg_observable *o, char *k)
{
    if (o->has_ip) {
        k[0] = 'i';
        memcpy(k + 1, o->ip, 16);
        k[17] = (char)o->prefix;
        return 18;
    }
    const char *text = o->rdomain[0] ? o->rdomain : o->value;
    size_t n = strlen(text);
    k[0] = o->rdomain[0] ? 'd' : 'v';
    memcpy(k + 1, text, n);
    return n + 1;
}

static int cmp_net(const void *a, const void *b)
{
    const struct net *x = a, *y = b;
    int r = memcmp(x->ip, y->ip, 16);
    if (r)
        return r;
    return (int)x->prefix - (int)y->prefix;
}

static int merge_tail(struct vg_corr *c)
{
    if (c->nnets == c->nsorted)
        return 0;
    vg_sort(c->nets + c->nsorted, c->nnets - c->nsorted, sizeof *c->nets, cmp_net);
    struct net *m = vg_malloc(c->capnets * sizeof *m);
    if (!m)
        return VG_ENOMEM;
    size_t i = 0, j = c->nsorted, k = 0;
    while (i < c->nsorted && j < c->nnets)
        m[k++] = cmp_net(&c->nets[i], &c->nets[j]) <= 0 ? c->nets[i++] : c->nets[j++];
    while (i < c->nsorted)
        m[k++] = c->nets[i++];
    while (j < c->nnets)
        m[k++] = c->nets[j++];
    free(c->nets);
    c->nets = m;
    c->nsorted = c->nnets;
    return 0;
}

static int add_one(struct vg_corr *c, long long inc, const struct vg_observable *o)
{
    char k[VG_MAX_OBSERVABLE + 2];
    size_t kl = make_key(o, k);
    if (kl > UINT16_MAX)
        return VG_EINVAL;
    size_t need = c->n + 1;
    if (need > c->cap) {
        size_t cap = c->cap, ncap = cap ? cap * 2 : 1024;
        long long *a = vg_realloc(c->inc, ncap * sizeof *a);
        if (a)
            c->inc = a;
        uint32_t *b = vg_realloc(c->koff, ncap * sizeof *b);
        if (b)
            c->koff = b;
        uint16_t *d = vg_realloc(c->klen, ncap * sizeof *d);
        if (d)
            c->klen = d;
        unsigned char *e = vg_realloc(c->type, ncap);
        if (e)
            c->type = e;
        uint32_t *f = vg_realloc(c->next_same, ncap * sizeof *f);
        if (f)
            c->next_same = f;
        if (!a || !b || !d || !e || !f)
            return VG_ENOMEM;
        c->cap = ncap;
    }
    if (c->alen + kl > UINT32_MAX || vg_grow((void **)&c->arena, &c->acap, c->alen + kl, 1, 1024) ||
        table_grow(c, &c->eq))
        return VG_ENOMEM;
    uint32_t id = (uint32_t)c->n;
    memcpy(c->arena + c->alen, k, kl);
    c->koff[id] = (uint32_t)c->alen;
    c->klen[id] = (uint16_t)kl;
    c->alen += kl;
    c->inc[id] = inc;
    c->type[id] = (unsigned char)o->type;
    c->n++;
    int found;
    size_t s = probe(c, &c->eq, k, kl, &found);
    if (found) {
        c->next_same[id] = c->eq.slot[s];
        c->eq.slot[s] = id + 1;
    } else {
        c->next_same[id] = 0;
        c->eq.slot[s] = id + 1;
        c->eq.used++;
    }
    if (o->rdomain[0]) {
        /* one link under each ancestor of two labels or more: the key cut before a '.' that
         * has another '.' before it ("dexample.evil" of "dexample.evil.a") */
        for (size_t i = 1; i < kl; i++) {
            if (k[i] != '.' || !memchr(k + 1, '.', i - 1))
                continue;
            if (table_grow(c, &c->desc) ||
                vg_grow((void **)&c->links, &c->caplinks, c->nlinks + 1, sizeof *c->links, 1024))
                return VG_ENOMEM;
            int f2;
            size_t ds = probe(c, &c->desc, k, i, &f2);
            struct link *l = &c->links[c->nlinks];
            l->obs = id;
            l->len = (uint16_t)i;
            l->next = f2 ? c->desc.slot[ds] : 0;
            c->desc.slot[ds] = (uint32_t)++c->nlinks;
            if (!f2)
                c->desc.used++;
        }
    }
    if (o->has_ip) {
        if (vg_grow((void **)&c->nets, &c->capnets, c->nnets + 1, sizeof *c->nets, 1024))
            return VG_ENOMEM;
        struct net *nt = &c->nets[c->nnets++];
        memcpy(nt->ip, o->ip, 16);
        nt->prefix = (unsigned char)o->prefix;
        nt->obs = id;
        if (o->prefix < 128)
            c->prefix_used[o->prefix] = 1;
        /* while loading, the tail may grow to a quarter of the sorted part, so that merges
         * stay amortised O(1) per insertion; a lookup first merges any tail over TAIL_MAX */
        size_t tail = c->nnets - c->nsorted;
        if (tail >= TAIL_MAX && tail >= c->nsorted / 4 && merge_tail(c))
            return VG_ENOMEM;
    }
    return 0;
}

int vg_corr_settle(struct vg_corr *c)
{
    return c->nnets - c->nsorted > TAIL_MAX ? merge_tail(c) : 0;
}

/* The host of a URL or e-mail observable as an observable of its own (a domain or an
 * address), so that `http://login.evil.example/x` relates to `evil.example` and
 * `http://192.0.2.7/` to `192.0.2.0/24`. 0 if o has such a host. */
static int host_of(const struct vg_observable *o, struct vg_observable *h)
{
    const char *v = o->value, *start, *end;
    if (o->type == VG_OBS_EMAIL) {
        start = strrchr(v, '@');
        if (!start)
            return -1;
        start++;
        end = start + strlen(start);
    } else if (o->type == VG_OBS_URL) {
        start = strstr(v, "://");
        if (!start)
            return -1;
        start += 3;
        if (*start == '[') {
            start++;
            end = strchr(start, ']');
        } else {
            end = start + strcspn(start, ":/?#");
        }
        if (!end)
            return -1;
    } else {
        return -1;
    }
    return vg_observable_parse((struct vg_str){start, (size_t)(end - start)}, VG_OBS_UNKNOWN, h,
                               NULL) == 0 &&
                   (h->type == VG_OBS_DOMAIN || h->has_ip)
               ? 0
               : -1;
}

int vg_corr_add(struct vg_corr *c, long long inc, const struct vg_observable *o)
{
    int rc = add_one(c, inc, o);
    struct vg_observable h;
    if (rc == 0 && host_of(o, &h) == 0)
        rc = add_one(c, inc, &h);
    return rc;
}

/* The normal form of observable obs, rebuilt from its key. */
static const char *value_of(const struct vg_corr *c, uint32_t obs, char *buf, size_t cap)
{
    const char *k = key_of(c, obs);
    size_t kl = c->klen[obs];
    if (k[0] == 'i') {
        const unsigned char *ip = (const unsigned char *)k + 1;
        int prefix = (unsigned char)k[17];
        bool v4 = c->type[obs] == VG_OBS_IPV4;
        char text[INET6_ADDRSTRLEN];
        inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? ip + 12 : ip, text, sizeof text);
        if (prefix == 128)
            snprintf(buf, cap, "%s", text);
        else
            snprintf(buf, cap, "%s/%d", text, v4 ? prefix - 96 : prefix);
        return buf;
    }
    if (k[0] == 'd') {
        char rev[VG_MAX_HOSTNAME + 2];
        size_t n = kl - 1 < sizeof rev - 1 ? kl - 1 : sizeof rev - 1;
        memcpy(rev, k + 1, n);
        rev[n] = '\0';
        vg_domain_reverse(rev, buf, cap);
        return buf;
    }
    size_t n = kl - 1 < cap - 1 ? kl - 1 : cap - 1;
    memcpy(buf, k + 1, n);
    buf[n] = '\0';
    return buf;
}

struct emit {
    struct vg_corr *c;
    long long self;
    size_t cap, count;
    vg_corr_fn fn;
    void *ctx;
    int stop;
    char buf[VG_MAX_OBSERVABLE + 8];
};

static void emit(struct emit *e, uint32_t obs)
{
    if (e->stop || e->c->inc[obs] == e->self || e->count >= e->cap)
        return;
    e->count++;
    e->stop = e->fn(e->ctx, e->c->inc[obs], value_of(e->c, obs, e->buf, sizeof e->buf));
}

static void eq_all(struct emit *e, const char *k, size_t n)
{
    struct vg_corr *c = e->c;
    if (!c->eq.cap)
        return;
    int found;
    size_t s = probe(c, &c->eq, k, n, &found);
    e->count = 0;
    for (uint32_t v = found ? c->eq.slot[s] : 0; v && !e->stop; v = c->next_same[v - 1])
        emit(e, v - 1);
}

static void lookup_one(struct vg_corr *c, const struct vg_observable *o, long long self, size_t cap,
                       vg_corr_fn fn, void *ctx)
{
    struct emit e = {.c = c, .self = self, .cap = cap, .fn = fn, .ctx = ctx};
    if (c->nnets - c->nsorted > TAIL_MAX)
        merge_tail(c); /* on failure the tail is scanned as it is */
    char k[VG_MAX_OBSERVABLE + 2];
    size_t kl = make_key(o, k);
    eq_all(&e, k, kl);
    if (o->rdomain[0]) {
        /* subdomains: the links under our key */
        if (c->desc.cap) {
            int found;
            size_t s = probe(c, &c->desc, k, kl, &found);
            e.count = 0;
            for (uint32_t v = found ? c->desc.slot[s] : 0; v && !e.stop; v = c->links[v - 1].next)
                emit(&e, c->links[v - 1].obs);
        }
        /* parents of two labels or more: our key cut before each later '.' */
        for (size_t i = 1; i < kl; i++)
            if (k[i] == '.' && memchr(k + 1, '.', i - 1))
                eq_all(&e, k, i);
    }
    if (o->has_ip) {
        static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        /* IPv4 and IPv6 apart: an IPv4 address (::ffff:a.b.c.d) is in no IPv6 network shorter
         * than /96, and such a network (::/0 ... ::/80) holds no IPv4 address */
        int minp = memcmp(o->ip, v4, 12) == 0 ? 96 : 0;
        bool v6net = o->prefix < 96;
        for (int p = minp; p < o->prefix; p++) {
            if (!c->prefix_used[p])
                continue;
            char nk[18];
            nk[0] = 'i';
            vg_ip_mask(o->ip, p, (unsigned char *)nk + 1);
            nk[17] = (char)p;
            eq_all(&e, nk, 18);
        }
        if (o->prefix < 128) {
            /* inside: entries with ip in [net, last] and a longer prefix; not the IPv4 space
             * (::ffff:0:0/96) from a shorter network (v6net), as the lookup of an IPv4 address
             * above does not go below /96: the relation stays symmetric */
            unsigned char last[16];
            vg_ip_last(o->ip, o->prefix, last);
            size_t lo = 0, hi = c->nsorted;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (memcmp(c->nets[mid].ip, o->ip, 16) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            e.count = 0;
            for (size_t i = lo; i < c->nsorted && !e.stop; i++) {
                if (memcmp(c->nets[i].ip, last, 16) > 0)
                    break;
                if (c->nets[i].prefix > o->prefix && !(v6net && !memcmp(c->nets[i].ip, v4, 12)))
                    emit(&e, c->nets[i].obs);
            }
            for (size_t i = c->nsorted; i < c->nnets && !e.stop; i++)
                if (c->nets[i].prefix > o->prefix && memcmp(c->nets[i].ip, o->ip, 16) >= 0 &&
                    memcmp(c->nets[i].ip, last, 16) <= 0 &&
                    !(v6net && !memcmp(c->nets[i].ip, v4, 12)))
                    emit(&e, c->nets[i].obs);
        }
    }
}

void vg_corr_lookup(struct vg_corr *c, const struct vg_observable *o, long long self, size_t cap,
                    vg_corr_fn fn, void *ctx)
{
    lookup_one(c, o, self, cap, fn, ctx);
    struct vg_observable h;
    if (host_of(o, &h) == 0)
        lookup_one(c, &h, self, cap, fn, ctx);
}

/* ---- queries: the incidents related to one, ranked ---- */

/* One match while a query runs, its strings at offsets in the text pool (the pool moves as it
 * grows). */
struct vg_corr_hit {
    long long incident;
    const char *type; /* the queried observable's type (a static name) */
    size_t mine;      /* offset of the queried observable's value */
    size_t matched;   /* offset of the other incident's value */
};

void vg_corr_query_init(struct vg_corr_query *q, struct vg_corr *c, long long self, size_t cap)
{
    memset(q, 0, sizeof *q);
    q->c = c;
    q->self = self;
    q->cap = cap;
    vg_buf_init(&q->text, VG_MAX_BUF);
}

static int on_match(void *ctx, long long inc, const char *matched)
{
    struct vg_corr_query *q = ctx;
    if (q->nhits == q->caphits) {
        size_t ncap = q->caphits ? q->caphits * 2 : 64;
        struct vg_corr_hit *nv = vg_realloc(q->hits, ncap * sizeof *nv);
        if (!nv) {
            q->failed = true;
            return 1;
        }
        q->hits = nv;
        q->caphits = ncap;
    }
    size_t at = q->text.len;
    if (vg_buf_append(&q->text, matched, strlen(matched) + 1) != 0) {
        q->failed = true;
        return 1;
    }
    q->hits[q->nhits++] = (struct vg_corr_hit){inc, q->type, q->mine, at};
    return 0;
}

int vg_corr_query_add(struct vg_corr_query *q, const struct vg_observable *o)
{
    if (q->failed)
        return VG_ENOMEM;
    q->type = vg_obs_type_name(o->type);
    q->mine = q->text.len;
    if (vg_buf_append(&q->text, o->value, strlen(o->value) + 1) != 0)
        q->failed = true;
    else
        vg_corr_lookup(q->c, o, q->self, q->cap, on_match, q);
    return q->failed ? VG_ENOMEM : 0;
}

/* Pairs by incident, own value, matched value. */
static int cmp_pair(const void *a, const void *b)
{
    const struct vg_corr_pair *x = a, *y = b;
    if (x->incident != y->incident)
        return x->incident < y->incident ? -1 : 1;
    int c = strcmp(x->value, y->value);
    return c ? c : strcmp(x->matched, y->matched);
}

/* Groups by distinct observables shared (more first), then newer incident first. */
static int cmp_group(const void *a, const void *b)
{
    const struct vg_corr_group *x = a, *y = b;
    if (x->distinct != y->distinct)
        return x->distinct > y->distinct ? -1 : 1;
    return x->incident > y->incident ? -1 : x->incident < y->incident;
}

int vg_corr_query_rank(struct vg_corr_query *q)
{
    if (q->failed)
        return VG_ENOMEM;
    size_t n = q->nhits;
    q->pairs = vg_malloc((n ? n : 1) * sizeof *q->pairs);
    q->groups = vg_malloc((n ? n : 1) * sizeof *q->groups);
    if (!q->pairs || !q->groups) {
        q->failed = true;
        return VG_ENOMEM;
    }
    struct vg_corr_pair *hp = q->pairs;
    struct vg_corr_group *g = q->groups;
    for (size_t k = 0; k < n; k++)
        hp[k] = (struct vg_corr_pair){q->hits[k].incident, q->hits[k].type,
                                      q->text.data + q->hits[k].mine,
                                      q->text.data + q->hits[k].matched};
    if (n)
        vg_sort(hp, n, sizeof *hp, cmp_pair);
    size_t ng = 0, nu = 0;
    for (size_t k = 0; k < n; k++) {
        if (nu && cmp_pair(&hp[k], &hp[nu - 1]) == 0)
            continue;
        hp[nu] = hp[k];
        if (!ng || g[ng - 1].incident != hp[nu].incident)
            g[ng++] = (struct vg_corr_group){hp[nu].incident, nu, 0, 0};
        struct vg_corr_group *cur = &g[ng - 1];
        if (cur->count == 0 || strcmp(hp[nu].value, hp[nu - 1].value) != 0)
            cur->distinct++;
        cur->count++;
        nu++;
    }
    if (ng)
        vg_sort(g, ng, sizeof *g, cmp_group);
    q->npairs = nu;
    q->ngroups = ng;
    return 0;
}

char *vg_corr_query_steal_text(struct vg_corr_query *q)
{
    return vg_buf_steal(&q->text);
}

void vg_corr_query_cleanup(struct vg_corr_query *q)
{
    free(q->hits);
    free(q->pairs);
    free(q->groups);
    vg_buf_cleanup(&q->text);
    memset(q, 0, sizeof *q);
}
