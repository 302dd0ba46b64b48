/* libFuzzer target of the correlation index (src/core/corr.c), as a differential target: the
 * incidents related to one incident, as the index answers them (vg_corr_query_*), against a
 * straightforward scan of the same observables written here from docs/DESIGN.md's rules:
 *  - equal normal forms (addresses and networks compare by address and prefix, so the IPv4
 *    1.2.3.4 and the IPv6 ::ffff:1.2.3.4 are equal);
 *  - a domain and its subdomains, a domain and its parents;
 *  - an address or network and the networks around it, and the addresses and networks inside
 *    it (an IPv4 address is never inside an IPv6 network shorter than /96: the IPv4 space is
 *    ::ffff:0:0/96 only as a key);
 *  - a URL or an e-mail address is also entered and looked up by its host;
 * and the ranking: each related incident's pairs, its count of distinct shared observables,
 * most shared first then the newest. The observables are decoded from the input (a type, a
 * few bytes picking labels, addresses and prefixes) so that relations are frequent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/corr.h"
#include "fuzz_reader.h"

#define MAX_OBS 64

struct item {
    long long inc;
    struct vg_observable o;
};

static struct item items[MAX_OBS * 2]; /* observables and the hosts of URLs and e-mails */
static size_t nitems;

static const char *const labels[] = {"a", "b", "evil", "example", "test", "x-y", "evil.example"};

static void gen_domain(struct reader *r, char *out, size_t cap)
{
    unsigned n = 2 + next(r) % 3;
    out[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s", i ? "." : "", labels[next(r) % 7]);
    }
}

static void gen_ip(struct reader *r, char *out, size_t cap)
{
    static const unsigned octet[] = {0, 1, 2, 10, 127, 128, 192, 255};
    unsigned k = next(r);
    unsigned a = octet[k & 7], b = octet[(k >> 3) & 7], c = next(r), d = next(r);
    unsigned p = next(r);
    int len;
    if (next(r) & 1) /* IPv4 */
        len = snprintf(out, cap, "%u.%u.%u.%u", a, b, c & 3, d & 0x83);
    else if (k & 0x40)
        len = snprintf(out, cap, "::ffff:%u.%u.%u.%u", a, b, c & 3, d & 0x83);
    else
        len = snprintf(out, cap, "2001:db8:%x::%x", c & 0x81, d & 0x83);
    if (p & 0x80) {
        bool v4 = strchr(out, ':') == NULL;
        snprintf(out + len, cap - (size_t)len, "/%u", p % (v4 ? 33 : 129));
    }
}

/* One observable's text from the input. */
static void gen(struct reader *r, char *out, size_t cap)
{
    char host[128];
    switch (next(r) % 6) {
    case 0: gen_domain(r, out, cap); break;
    case 1:
    case 2: gen_ip(r, out, cap); break;
    case 3:
        if (next(r) & 1) {
            gen_domain(r, host, sizeof host);
            snprintf(out, cap, "http://%s/p", host);
        } else {
            gen_ip(r, host, sizeof host);
            char *slash = strchr(host, '/');
            if (slash)
                *slash = '\0';
            snprintf(out, cap, strchr(host, ':') ? "https://[%s]:8443/" : "http://%s/", host);
        }
        break;
    case 4:
        gen_domain(r, host, sizeof host);
        snprintf(out, cap, "u%u@%s", next(r) % 2, host);
        break;
    default: snprintf(out, cap, "%032x", next(r) % 3); break;
    }
}

/* The host of a URL or an e-mail address, by the words of docs/DESIGN.md. */
static bool host_of(const struct vg_observable *o, struct vg_observable *h)
{
    char buf[VG_MAX_OBSERVABLE + 1];
    if (o->type == VG_OBS_EMAIL) {
        snprintf(buf, sizeof buf, "%s", strrchr(o->value, '@') + 1);
    } else if (o->type == VG_OBS_URL) {
        const char *s = strstr(o->value, "://") + 3;
        size_t n = s[0] == '[' ? strcspn(s + 1, "]") : strcspn(s, ":/?#");
        snprintf(buf, sizeof buf, "%.*s", (int)n, s[0] == '[' ? s + 1 : s);
    } else {
        return false;
    }
    return vg_observable_parse(vg_str_c(buf), VG_OBS_UNKNOWN, h, NULL) == 0 &&
           (h->type == VG_OBS_DOMAIN || h->has_ip);
}

static bool v4_space(const unsigned char ip[16])
{
    static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(ip, pre, 12) == 0;
}

/* Is network n (prefix) around address or network x (a longer prefix)? */
static bool around(const struct vg_observable *n, const struct vg_observable *x)
{
    if (n->prefix >= x->prefix || (v4_space(x->ip) && n->prefix < 96))
        return false;
    unsigned char m[16];
    vg_ip_mask(x->ip, n->prefix, m);
    return memcmp(m, n->ip, 16) == 0;
}

static bool under(const char *sub, const char *dom)
{
    size_t a = strlen(sub), b = strlen(dom);
    return a > b + 1 && sub[a - b - 1] == '.' && strcmp(sub + a - b, dom) == 0;
}

static bool related(const struct vg_observable *q, const struct vg_observable *x)
{
    if (q->has_ip != x->has_ip)
        return false;
    if (q->has_ip)
        return (q->prefix == x->prefix && memcmp(q->ip, x->ip, 16) == 0) || around(q, x) ||
               around(x, q);
    bool qd = q->type == VG_OBS_DOMAIN, xd = x->type == VG_OBS_DOMAIN;
    if (qd != xd)
        return false;
    if (qd)
        return strcmp(q->value, x->value) == 0 || under(q->value, x->value) ||
               under(x->value, q->value);
    return strcmp(q->value, x->value) == 0;
}

/* Pairs as lines "incident\ttype\tvalue\tmatched", sorted, for comparison. */
struct lines {
    char **v;
    size_t n, cap;
};

static void add_line(struct lines *l, long long inc, const char *type, const char *value,
                     const char *matched)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    size_t n = strlen(type) + strlen(value) + strlen(matched) + 32;
    l->v[l->n] = malloc(n);
    snprintf(l->v[l->n++], n, "%lld\t%s\t%s\t%s", inc, type, value, matched);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_unique(struct lines *l)
{
    if (!l->n)
        return;
    qsort(l->v, l->n, sizeof *l->v, cmp_str);
    size_t k = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->v[i], l->v[k - 1]) == 0)
            free(l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
}

static void free_lines(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = {data, size};
    struct vg_corr *c = vg_corr_new();
    nitems = 0;
    long long self = 1 + next(&r) % 4;
    struct vg_observable mine[MAX_OBS];
    size_t nmine = 0;
    for (int k = 0; k < MAX_OBS && r.n > 0; k++) {
        char text[512];
        long long inc = 1 + next(&r) % 6;
        gen(&r, text, sizeof text);
        struct item *it = &items[nitems];
        if (vg_observable_parse(vg_str_c(text), VG_OBS_UNKNOWN, &it->o, NULL) != 0)
            continue;
        it->inc = inc;
        if (vg_corr_add(c, inc, &it->o) != 0)
            abort();
        if (inc == self)
            mine[nmine++] = it->o;
        nitems++;
        struct vg_observable h;
        if (host_of(&it->o, &h)) {
            items[nitems].inc = inc;
            items[nitems++].o = h;
        }
    }

    /* The index's answer. */
    struct vg_corr_query q;
    vg_corr_query_init(&q, c, self, (size_t)1 << 30);
    for (size_t i = 0; i < nmine; i++)
        if (vg_corr_query_add(&q, &mine[i]) != 0)
            abort();
    if (vg_corr_query_rank(&q) != 0)
        abort();
    struct lines got = {0}, want = {0};
    for (size_t i = 0; i < q.npairs; i++)
        add_line(&got, q.pairs[i].incident, q.pairs[i].type, q.pairs[i].value, q.pairs[i].matched);
    size_t ngot = got.n;
    sort_unique(&got);
    if (got.n != ngot)
        abort(); /* pairs are distinct */

    /* The straightforward scan. */
    for (size_t i = 0; i < nmine; i++) {
        struct vg_observable h;
        bool has_host = host_of(&mine[i], &h);
        for (size_t j = 0; j < nitems; j++) {
            if (items[j].inc == self)
                continue;
            if (related(&mine[i], &items[j].o) || (has_host && related(&h, &items[j].o)))
                add_line(&want, items[j].inc, vg_obs_type_name(mine[i].type), mine[i].value,
                         items[j].o.value);
        }
    }
    sort_unique(&want);
    bool same = got.n == want.n;
    for (size_t i = 0; same && i < got.n; i++)
        same = strcmp(got.v[i], want.v[i]) == 0;
    if (!same) {
        fprintf(stderr, "self %lld; observables:\n", self);
        for (size_t j = 0; j < nitems; j++)
            fprintf(stderr, "  %lld %s %s\n", items[j].inc, vg_obs_type_name(items[j].o.type),
                    items[j].o.value);
        fprintf(stderr, "index:\n");
        for (size_t i = 0; i < got.n; i++)
            fprintf(stderr, "  %s\n", got.v[i]);
        fprintf(stderr, "straightforward scan:\n");
        for (size_t i = 0; i < want.n; i++)
            fprintf(stderr, "  %s\n", want.v[i]);
        abort();
    }

    /* The ranking: groups cover the pairs in order, distinct counts the shared observables,
     * most first, then the newest incident. */
    size_t at = 0;
    for (size_t g = 0; g < q.ngroups; g++) {
        const struct vg_corr_group *gr = &q.groups[g];
        if (gr->count == 0 || gr->first + gr->count > q.npairs)
            abort();
        at += gr->count;
        size_t distinct = 0;
        for (size_t i = gr->first; i < gr->first + gr->count; i++) {
            if (q.pairs[i].incident != gr->incident)
                abort();
            bool seen = false;
            for (size_t k = gr->first; k < i && !seen; k++)
                seen = strcmp(q.pairs[k].value, q.pairs[i].value) == 0;
            distinct += !seen;
        }
        if (distinct != gr->distinct)
            abort();
        if (g > 0) {
            const struct vg_corr_group *pr = &q.groups[g - 1];
            if (pr->distinct < gr->distinct ||
                (pr->distinct == gr->distinct && pr->incident <= gr->incident))
                abort();
        }
    }
    if (at != q.npairs)
        abort();
    free_lines(&got);
    free_lines(&want);
    vg_corr_query_cleanup(&q);
    vg_corr_free(c);
    return 0;
}
