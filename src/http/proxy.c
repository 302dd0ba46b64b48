/* Client addresses and trusted proxies. X-Forwarded-For is outside data whatever its origin:
 * a client writes what it likes in it and each proxy only appends the address it saw, so only
 * the entries added by proxies we trust, read from the right, say anything. */
#include "http/proxy.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/observable.h"
#include "http/server.h"
#include "util/err.h"

static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int vg_addr_parse(const char *s, size_t len, struct vg_addr *out)
{
    char buf[64];
    if (!s || len == 0 || len >= sizeof buf || memchr(s, '\0', len))
        return VG_EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->ip + 12) == 1) {
        memcpy(out->ip, mapped_prefix, sizeof mapped_prefix);
        out->v4 = true;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out->ip) != 1)
        return VG_EINVAL;
    out->v4 = memcmp(out->ip, mapped_prefix, sizeof mapped_prefix) == 0;
    return 0;
}

void vg_addr_format(const struct vg_addr *a, char *out, size_t cap)
{
    char buf[INET6_ADDRSTRLEN];
    if (!(a->v4 ? inet_ntop(AF_INET, a->ip + 12, buf, sizeof buf)
                : inet_ntop(AF_INET6, a->ip, buf, sizeof buf)))
        buf[0] = '\0';
    snprintf(out, cap, "%s", buf);
}

int vg_net_parse(const char *s, struct vg_net *out)
{
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    struct vg_addr a;
    if (vg_addr_parse(s, alen, &a))
        return VG_EINVAL;
    unsigned long long n = a.v4 ? 32 : 128;
    if (slash && vg_str_to_u64(vg_str_c(slash + 1), 0, a.v4 ? 32 : 128, &n))
        return VG_EINVAL;
    out->prefix = (int)n + (a.v4 ? 96 : 0);
    vg_ip_mask(a.ip, out->prefix, out->ip);
    return 0;
}

bool vg_net_contains(const struct vg_net *n, const struct vg_addr *a)
{
    unsigned char m[16];
    vg_ip_mask(a->ip, n->prefix, m);
    return memcmp(m, n->ip, sizeof m) == 0;
}

int vg_proxies_add(struct vg_proxies *p, const char *cidr)
{
    struct vg_net net;
    if (vg_net_parse(cidr, &net))
        return VG_EINVAL;
    if (p->n >= VG_PROXY_MAX)
        return VG_ETOOBIG;
    p->nets[p->n++] = net;
    return 0;
}

static bool trusted(const struct vg_proxies *p, const struct vg_addr *a)
{
    for (size_t i = 0; i < p->n; i++)
        if (vg_net_contains(&p->nets[i], a))
            return true;
    return false;
}

/* The entry of s that ends before `end` (exclusive), trimmed of blanks: its start in *start,
 * its length returned; *next is where the one before it ends (-1 once none is left). */
static size_t entry_before(const char *s, long end, long *start, long *next)
{
    long i = end;
    while (i > 0 && s[i - 1] != ',')
        i--;
    *next = i > 0 ? i - 1 : -1;
    long a = i, b = end;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    *start = a;
    return (size_t)(b - a);
}

void vg_proxy_client(const struct vg_proxies *p, const char *peer, const struct vg_str *xff,
                     size_t n, char *out, size_t cap)
{
    struct vg_addr cur;
    if (!p || p->n == 0 || !peer || vg_addr_parse(peer, strlen(peer), &cur) || !trusted(p, &cur)) {
        if (out != peer)
            snprintf(out, cap, "%s", peer ? peer : "");
        return;
    }
    /* cur is the last hop read: a trusted proxy while the walk goes on */
    for (size_t h = n; h-- > 0;) {
        const char *s = xff[h].ptr;
        long end = (long)xff[h].len, start;
        if (!s)
            continue;
        while (end >= 0) {
            long next;
            size_t len = entry_before(s, end, &start, &next);
            end = next;
            struct vg_addr a;
            if (vg_addr_parse(s + start, len, &a))
                goto done; /* malformed: the proxy that wrote it is the client */
            cur = a;
            if (!trusted(p, &a))
                goto done;
        }
    }
done:
    vg_addr_format(&cur, out, cap);
}

struct xff_list {
    struct vg_str v[VG_XFF_MAX_HEADERS];
    size_t n;
};

/* Keeps the last VG_XFF_MAX_HEADERS values: the walk reads from the right. */
static void keep_value(struct xff_list *l, const char *value)
{
    if (l->n == VG_XFF_MAX_HEADERS) {
        memmove(l->v, l->v + 1, (VG_XFF_MAX_HEADERS - 1) * sizeof l->v[0]);
        l->n--;
    }
    l->v[l->n++] = vg_str_c(value);
}

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0)
        keep_value(cls, value);
    return MHD_YES;
}

void vg_proxy_apply(const struct vg_proxies *p, struct vg_req *req)
{
    if (!p || p->n == 0)
        return;
    struct xff_list l = {.n = 0};
    if (req->conn)
        MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_xff, &l);
    else
        for (const char *const *kv = req->headers; kv && kv[0] && kv[1]; kv += 2)
            collect_xff(&l, MHD_HEADER_KIND, kv[0], kv[1]);
    char peer[sizeof req->client];
    snprintf(peer, sizeof peer, "%s", req->client);
    vg_proxy_client(p, peer, l.v, l.n, req->client, sizeof req->client);
}
