/* Observables: detection of the type of a value, its normal form, and the keys used to
 * correlate incidents (an address inside a CIDR, a domain under a parent domain). */
#ifndef VG_OBSERVABLE_H
#define VG_OBSERVABLE_H

#include <stdbool.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/str.h"

enum vg_obs_type {
    VG_OBS_UNKNOWN = 0,
    VG_OBS_IPV4,   /* "ipv4-addr": address or CIDR */
    VG_OBS_IPV6,   /* "ipv6-addr": address or CIDR */
    VG_OBS_DOMAIN, /* "domain-name" */
    VG_OBS_URL,    /* "url" */
    VG_OBS_EMAIL,  /* "email-addr" */
    VG_OBS_MD5,
    VG_OBS_SHA1,
    VG_OBS_SHA256,
};

struct vg_observable {
    enum vg_obs_type type;
    char value[VG_MAX_OBSERVABLE + 1]; /* normal form, NUL-terminated */
    bool has_ip;                       /* ip/prefix are set (addresses and CIDRs) */
    unsigned char ip[16];              /* network address; IPv4 as ::ffff:a.b.c.d */
    int prefix;                        /* prefix length in the 128-bit space (IPv4 /n = 96+n) */
    char rdomain[VG_MAX_HOSTNAME + 2]; /* domain-name: labels reversed ("example.evil"), or "" */
};

/* STIX name of a type ("ipv4-addr"), or NULL for VG_OBS_UNKNOWN. */
const char *vg_obs_type_name(enum vg_obs_type t);
/* The type of that STIX name, or VG_OBS_UNKNOWN. */
enum vg_obs_type vg_obs_type_parse(const char *name);

/* Reads raw (trimmed of blanks) as an observable of the given type, or detects the type when
 * type is VG_OBS_UNKNOWN, and fills out with the normal form: lower-case host names, e-mail
 * and hashes; canonical IPv6 (RFC 5952) and CIDR with host bits cleared ("/32" and "/128"
 * dropped); URLs with lower-case scheme and host, no userinfo, no trailing dots on the host,
 * no default port, no fragment nor blanks before it, and "/" for an empty path.
 * Returns 0, or VG_EINVAL with a message in d (field "value"). */
int vg_observable_parse(struct vg_str raw, enum vg_obs_type type, struct vg_observable *out,
                        struct vg_diag *d);

/* True if s (len bytes) is a host name: dot-separated labels of letters, digits, '-' and '_',
 * at least two labels, the last containing a letter, each label 1..63, total <= 253
 * (one trailing dot allowed and not counted). */
bool vg_hostname_valid(const char *s, size_t len);

/* Normalises a URL into out (cap bytes) as described above. Returns 0 or VG_EINVAL. */
int vg_url_normalize(struct vg_str url, char *out, size_t cap, struct vg_diag *d);

/* Writes the domain with its labels in reverse order ("a.evil.example" -> "example.evil.a"). */
void vg_domain_reverse(const char *dom, char *out, size_t cap);

/* Sets addr to the network of ip with the given prefix length (128-bit space). */
void vg_ip_mask(const unsigned char ip[16], int prefix, unsigned char out[16]);
/* Sets out to the last address of the network ip/prefix. */
void vg_ip_last(const unsigned char ip[16], int prefix, unsigned char out[16]);

#endif
