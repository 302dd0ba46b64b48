/* Attribution tables: CIDRs sorted by decreasing prefix length, so the first containing one
 * is the most specific; domains sorted for binary search, looked up for the host and then
 * each parent. Sizes are a constituency's (thousands), not a feed's. */
#include "core/attrib.h"

#include <stdlib.h>
#include <string.h>

#include "core/observable.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/sort.h"

struct net {
    unsigned char ip[16];
    int prefix;
    long long org;
};

struct dom {
    char *name;
    long long org;
};

struct vg_attrib {
    struct net *nets;
    size_t nnets;
    struct dom *doms;
    size_t ndoms;
};

static int cmp_net(const void *a, const void *b)
{
    const struct net *x = a, *y = b;
    if (x->prefix != y->prefix)
        return y->prefix - x->prefix;
    return x->org < y->org ? -1 : x->org > y->org;
}

static int cmp_dom(const void *a, const void *b)
{
    const struct dom *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->org < y->org ? -1 : x->org > y->org);
}

struct vg_attrib *vg_attrib_new(const json_t *orgs)
{
    struct vg_attrib *a = vg_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    size_t cn = 0, dn = 0, i;
    json_t *o;
    json_array_foreach(orgs, i, o) {
        json_t *as = json_object_get(o, "assets");
        cn += json_array_size(json_object_get(as, "cidrs"));
        dn += json_array_size(json_object_get(as, "domains"));
    }
    a->nets = vg_calloc(cn ? cn : 1, sizeof *a->nets);
    a->doms = vg_calloc(dn ? dn : 1, sizeof *a->doms);
    if (!a->nets || !a->doms) {
        vg_attrib_free(a);
        return NULL;
    }
    struct vg_observable *ob = vg_malloc(sizeof *ob);
    if (!ob) {
        vg_attrib_free(a);
        return NULL;
    }
    json_array_foreach(orgs, i, o) {
        long long id = (long long)json_integer_value(json_object_get(o, "id"));
        json_t *as = json_object_get(o, "assets"), *v;
        size_t j;
        json_array_foreach(json_object_get(as, "cidrs"), j, v) {
            if (vg_observable_parse(vg_str_c(json_string_value(v)), VG_OBS_UNKNOWN, ob, NULL) ||
                !ob->has_ip)
                continue;
            memcpy(a->nets[a->nnets].ip, ob->ip, 16);
            a->nets[a->nnets].prefix = ob->prefix;
            a->nets[a->nnets++].org = id;
        }
        json_array_foreach(json_object_get(as, "domains"), j, v) {
            const char *s = json_string_value(v);
            if (!s || !(a->doms[a->ndoms].name = vg_strdup(s)))
                continue;
            a->doms[a->ndoms++].org = id;
        }
    }
    free(ob);
    vg_sort(a->nets, a->nnets, sizeof *a->nets, cmp_net);
    vg_sort(a->doms, a->ndoms, sizeof *a->doms, cmp_dom);
    return a;
}

void vg_attrib_free(struct vg_attrib *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->ndoms; i++)
        free(a->doms[i].name);
    free(a->doms);
    free(a->nets);
    free(a);
}

long long vg_attrib_ip(const struct vg_attrib *a, const char *ip)
{
    struct vg_observable ob;
    if (!a || !ip || vg_observable_parse(vg_str_c(ip), VG_OBS_UNKNOWN, &ob, NULL) || !ob.has_ip)
        return 0;
    /* IPv4 and IPv6 apart, as in correlation: an IPv4 address (::ffff:a.b.c.d) is in no IPv6
     * network shorter than /96 (::/0 ... ::/80) */
    static const unsigned char v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    int minp = memcmp(ob.ip, v4, 12) == 0 ? 96 : 0;
    for (size_t i = 0; i < a->nnets; i++) {
        if (a->nets[i].prefix > ob.prefix || a->nets[i].prefix < minp)
            continue;
        unsigned char m[16];
        vg_ip_mask(ob.ip, a->nets[i].prefix, m);
        if (memcmp(m, a->nets[i].ip, 16) == 0)
            return a->nets[i].org;
    }
    return 0;
}

long long vg_attrib_host(const struct vg_attrib *a, const char *host)
{
    if (!a || !host)
        return 0;
    char low[VG_MAX_HOSTNAME + 2];
    size_t n = strlen(host);
    if (n && host[n - 1] == '.')
        n--;
    if (n == 0 || n >= sizeof low)
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
    low[n] = '\0';
    for (const char *p = low; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        size_t lo = 0, hi = a->ndoms;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(a->doms[mid].name, p);
            if (c == 0) {
                while (mid > 0 && strcmp(a->doms[mid - 1].name, p) == 0)
                    mid--;
                return a->doms[mid].org;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return 0;
}
