/* Attribution: which constituent owns an address or a host name, from the organisations'
 * assets (CIDRs and domains). Built once from a list of organisations, then read-only. */
#ifndef VG_ATTRIB_H
#define VG_ATTRIB_H

#include <jansson.h>

struct vg_attrib;

/* Builds the table from a JSON array of organisations ({"id", "assets":{"cidrs",
 * "domains"}}). NULL on allocation failure. */
struct vg_attrib *vg_attrib_new(const json_t *orgs);
void vg_attrib_free(struct vg_attrib *a);
/* The organisation whose CIDR contains the address (the most specific one), or 0. */
long long vg_attrib_ip(const struct vg_attrib *a, const char *ip);
/* The organisation owning host or its nearest parent domain, or 0. */
long long vg_attrib_host(const struct vg_attrib *a, const char *host);

#endif
