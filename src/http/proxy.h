/* Client addresses: an address read into the 128-bit space (IPv4 as ::ffff:a.b.c.d), the
 * networks of trusted proxies, and the client a request comes from when it went through one
 * of them (X-Forwarded-For, read only from those). */
#ifndef VG_PROXY_H
#define VG_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/str.h"

struct vg_req;

/* An address; IPv4 and IPv4-mapped IPv6 (::ffff:a.b.c.d) are one and the same. */
struct vg_addr {
    unsigned char ip[16];
    bool v4; /* ip is ::ffff:a.b.c.d */
};

/* A network in the 128-bit space: IPv4 /n is prefix 96 + n. */
struct vg_net {
    unsigned char ip[16]; /* host bits cleared */
    int prefix;           /* 0..128 */
};

#define VG_PROXY_MAX       32 /* trusted proxy networks */
#define VG_XFF_MAX_HEADERS 16 /* X-Forwarded-For headers read (the last ones) */

/* The trusted proxies (vigie serve --trusted-proxy): filled before the server starts, then
 * only read. */
struct vg_proxies {
    size_t n;
    struct vg_net nets[VG_PROXY_MAX];
};

/* Reads an address of len bytes (no blanks, no port, no brackets). 0, or VG_EINVAL. */
int vg_addr_parse(const char *s, size_t len, struct vg_addr *out);
/* Writes the address: dotted IPv4 (mapped ones too), else RFC 5952 IPv6. */
void vg_addr_format(const struct vg_addr *a, char *out, size_t cap);
/* Reads "ADDR" or "ADDR/N" (N at most 32 for IPv4, 128 for IPv6) into out, host bits
 * cleared. 0, or VG_EINVAL. */
int vg_net_parse(const char *s, struct vg_net *out);
/* True if a is inside n. */
bool vg_net_contains(const struct vg_net *n, const struct vg_addr *a);

/* Adds a trusted proxy network; VG_EINVAL for a bad one, VG_ETOOBIG past VG_PROXY_MAX. */
int vg_proxies_add(struct vg_proxies *p, const char *cidr);

/* The client of a request that came from peer (an address as the socket gave it) with the
 * X-Forwarded-For header values xff[0..n-1] in the order received. When p is NULL or empty,
 * or peer is not one of p, the headers are ignored and the client is peer. Otherwise the
 * entries are read from the right: each trusted one is a hop to skip; the first entry that is
 * not trusted is the client; a malformed entry stops the walk and the last hop read (the
 * proxy that wrote it) is the client; all trusted: the left-most. Writes the client into out
 * (cap bytes; peer as given when it is returned unchanged). */
void vg_proxy_client(const struct vg_proxies *p, const char *peer, const struct vg_str *xff,
                     size_t n, char *out, size_t cap);

/* Sets req->client from its X-Forwarded-For headers by vg_proxy_client (req->client holds
 * the peer's address when called). */
void vg_proxy_apply(const struct vg_proxies *p, struct vg_req *req);

#endif
