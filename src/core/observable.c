/* Observable type detection and normalisation. Detection tries, in order: IP address or
 * CIDR, URL (contains "://"), hash (hex of length 32/40/64), e-mail, host name. */
#include "core/observable.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/url.h"

static const char *const type_names[] = {
    NULL, "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "md5", "sha1", "sha256",
};

const char *vg_obs_type_name(enum vg_obs_type t)
{
    return (unsigned)t < sizeof type_names / sizeof type_names[0] ? type_names[t] : NULL;
}

enum vg_obs_type vg_obs_type_parse(const char *name)
{
    if (!name)
        return VG_OBS_UNKNOWN;
    for (unsigned i = 1; i < sizeof type_names / sizeof type_names[0]; i++)
        if (strcmp(type_names[i], name) == 0)
            return (enum vg_obs_type)i;
    return VG_OBS_UNKNOWN;
}

bool vg_hostname_valid(const char *s, size_t len)
{
    if (len && s[len - 1] == '.')
        len--;
    if (len == 0 || len > VG_MAX_HOSTNAME)
        return false;
    size_t labels = 0, label_len = 0;
    bool last_has_alpha = false;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (label_len == 0 || label_len > 63)
                return false;
            labels++;
            label_len = 0;
            if (i < len)
                last_has_alpha = false;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (isalpha(c))
            last_has_alpha = true;
        else if (!isdigit(c) && c != '-' && c != '_')
            return false;
        label_len++;
    }
    return labels >= 2 && last_has_alpha;
}

void vg_domain_reverse(const char *dom, char *out, size_t cap)
{
    size_t n = strlen(dom), o = 0;
    if (cap == 0)
        return;
    size_t end = n;
    while (end > 0 && o + 1 < cap) {
        size_t start = end;
        while (start > 0 && dom[start - 1] != '.')
            start--;
        if (o && o + 1 < cap)
            out[o++] = '.';
        for (size_t i = start; i < end && o + 1 < cap; i++)
            out[o++] = dom[i];
        end = start ? start - 1 : 0;
    }
    out[o] = '\0';
}

void vg_ip_mask(const unsigned char ip[16], int prefix, unsigned char out[16])
{
    for (int i = 0; i < 16; i++) {
        int bits = prefix - i * 8;
        unsigned char m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
        out[i] = ip[i] & m;
    }
}

void vg_ip_last(const unsigned char ip[16], int prefix, unsigned char out[16])
{
    for (int i = 0; i < 16; i++) {
        int bits = prefix - i * 8;
        unsigned char m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
        out[i] = (unsigned char)((ip[i] & m) | (unsigned char)~m);
    }
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Address or CIDR. Returns 1 if parsed, 0 if not an address. */
static int parse_ip(struct vg_str v, struct vg_observable *o, struct vg_diag *d)
{
    /* the address is what comes before a '/': judged whatever the length of what follows,
     * so that a value and its normal form (shorter) are both read as CIDRs or neither */
    char tmp[INET6_ADDRSTRLEN + 8];
    const char *slash = memchr(v.ptr, '/', v.len);
    size_t alen = slash ? (size_t)(slash - v.ptr) : v.len;
    if (alen >= sizeof tmp)
        return 0;
    memcpy(tmp, v.ptr, alen);
    tmp[alen] = '\0';
    unsigned char a[16];
    int v6;
    if (inet_pton(AF_INET, tmp, a + 12) == 1) {
        v6 = 0;
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
    } else if (inet_pton(AF_INET6, tmp, a) == 1) {
        v6 = 1;
    } else {
        return 0;
    }
    int maxp = v6 ? 128 : 32, plen = maxp;
    if (slash) {
        unsigned long long p;
        struct vg_str ps = {slash + 1, (size_t)(v.ptr + v.len - slash - 1)};
        if (vg_str_to_u64(ps, 0, (unsigned long long)maxp, &p) != 0)
            return vg_diag_set(d, VG_EINVAL, "value", "bad prefix length '/%.*s' (0 to %d)",
                               (int)(ps.len > 32 ? 32 : ps.len), ps.ptr, maxp),
                   -1;
        plen = (int)p;
    }
    o->type = v6 ? VG_OBS_IPV6 : VG_OBS_IPV4;
    o->has_ip = true;
    o->prefix = v6 ? plen : 96 + plen;
    vg_ip_mask(a, o->prefix, o->ip);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? o->ip : o->ip + 12, text, sizeof text);
    if (plen == maxp)
        snprintf(o->value, sizeof o->value, "%s", text);
    else
        snprintf(o->value, sizeof o->value, "%s/%d", text, plen);
    return 1;
}

int vg_url_normalize(struct vg_str u, char *out, size_t cap, struct vg_diag *d)
{
    const char *p = u.ptr, *end = u.ptr + u.len;
    const char *sep = NULL;
    for (const char *q = p; q + 2 < end; q++)
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
    if (!sep || sep == p)
        return vg_diag_set(d, VG_EINVAL, "value", "URL without a scheme");
    for (const char *q = p; q < sep; q++)
        if (!isalnum((unsigned char)*q) && *q != '+' && *q != '-' && *q != '.')
            return vg_diag_set(d, VG_EINVAL, "value", "bad character in URL scheme");
    if (!isalpha((unsigned char)*p))
        return vg_diag_set(d, VG_EINVAL, "value", "URL scheme must start with a letter");
    struct vg_str scheme = {p, (size_t)(sep - p)};
    const char *auth = sep + 3, *auth_end = auth;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        auth_end++;
    const char *host = auth;
    for (const char *q = auth; q < auth_end; q++)
        if (*q == '@')
            host = q + 1;
    const char *host_end = auth_end, *port = NULL;
    if (host < auth_end && *host == '[') {
        const char *rb = memchr(host, ']', (size_t)(auth_end - host));
        if (!rb)
            return vg_diag_set(d, VG_EINVAL, "value", "unclosed '[' in URL host");
        host_end = rb + 1;
        if (host_end < auth_end) {
            if (*host_end != ':')
                return vg_diag_set(d, VG_EINVAL, "value", "junk after ']' in URL host");
            port = host_end + 1;
        }
    } else {
        const char *colon = memchr(host, ':', (size_t)(auth_end - host));
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    if (host_end == host)
        return vg_diag_set(d, VG_EINVAL, "value", "URL without a host");
    struct vg_str portv = {port, port ? (size_t)(auth_end - port) : 0};
    unsigned long long portn = 0;
    if (port && portv.len && vg_str_to_u64(portv, 0, 65535, &portn) != 0)
        return vg_diag_set(d, VG_EINVAL, "value", "bad URL port");
    const char *rest = auth_end, *rest_end = end;
    const char *hash = memchr(rest, '#', (size_t)(end - rest));
    if (hash)
        rest_end = hash;
    while (rest_end > rest && isspace((unsigned char)rest_end[-1]))
        rest_end--; /* blanks before a fragment: the value read again is trimmed of them */
    /* assemble */
    size_t hlen = (size_t)(host_end - host);
    while (hlen > 1 && host[hlen - 1] == '.' && host[0] != '[')
        hlen--; /* every final dot: normalising twice changes nothing */
    /* A Unicode host is stored in its A-labels, as a bare domain is (core/url.c). */
    char idn[VG_MAX_HOSTNAME + 8];
    if (host[0] != '[' && vg_str_has_non_ascii((struct vg_str){host, hlen})) {
        const char *why = NULL;
        int rc = vg_host_to_ascii((struct vg_str){host, hlen}, idn, sizeof idn, &hlen, &why);
        if (rc != 0)
            return vg_diag_set(d, VG_EINVAL, "value",
                               "URL host is no valid internationalised "
                               "domain name (IDNA2008): %s",
                               why ? why : "too long");
        while (hlen > 1 && idn[hlen - 1] == '.')
            hlen--;
        host = idn;
    }
    size_t need = scheme.len + 3 + hlen + 7 + 1 + (size_t)(rest_end - rest) + 1;
    if (need > cap)
        return vg_diag_set(d, VG_ETOOBIG, "value", "URL too long");
    size_t o = 0;
    for (size_t i = 0; i < scheme.len; i++)
        out[o++] = (char)tolower((unsigned char)scheme.ptr[i]);
    memcpy(out + o, "://", 3);
    o += 3;
    if (host[0] == '[') {
        char tmp[INET6_ADDRSTRLEN];
        unsigned char a[16];
        if (hlen - 2 >= sizeof tmp)
            return vg_diag_set(d, VG_EINVAL, "value", "bad IPv6 address in URL");
        memcpy(tmp, host + 1, hlen - 2);
        tmp[hlen - 2] = '\0';
        if (inet_pton(AF_INET6, tmp, a) != 1)
            return vg_diag_set(d, VG_EINVAL, "value", "bad IPv6 address in URL");
        inet_ntop(AF_INET6, a, tmp, sizeof tmp);
        o += (size_t)snprintf(out + o, cap - o, "[%s]", tmp);
    } else {
        for (size_t i = 0; i < hlen; i++) {
            unsigned char c = (unsigned char)host[i];
            if (c <= ' ' || c == 0x7f)
                return vg_diag_set(d, VG_EINVAL, "value", "control or blank in URL host");
            out[o++] = (char)tolower(c);
        }
    }
    out[o] = '\0';
    bool dflt = (vg_str_eq_nocase(scheme, VG_STR("http")) && portn == 80) ||
                (vg_str_eq_nocase(scheme, VG_STR("https")) && portn == 443);
    if (port && portv.len && !dflt)
        o += (size_t)snprintf(out + o, cap - o, ":%llu", portn);
    o += vg_url_rest_normalize((struct vg_str){rest, (size_t)(rest_end - rest)}, out + o);
    out[o] = '\0';
    return 0;
}

static bool all_hex(struct vg_str v)
{
    for (size_t i = 0; i < v.len; i++)
        if (!isxdigit((unsigned char)v.ptr[i]))
            return false;
    return true;
}

/* A domain in ASCII without its final dot into out (cap bytes): a Unicode name converted to
 * its A-labels (core/url.c), then checked as a host name. Returns 0 or VG_EINVAL with
 * message bad (or the reason of the conversion) in d. */
static int ascii_domain(struct vg_str v, char *out, size_t cap, size_t *out_len, const char *bad,
                        struct vg_diag *d)
{
    const char *why = NULL;
    int rc = vg_host_to_ascii(v, out, cap, out_len, &why);
    if (rc != 0 && why)
        return vg_diag_set(d, VG_EINVAL, "value",
                           "%s: no valid internationalised domain name (IDNA2008): %s", bad, why);
    if (rc != 0 || !vg_hostname_valid(out, *out_len))
        return vg_diag_set(d, VG_EINVAL, "value", "%s", bad);
    if (out[*out_len - 1] == '.')
        out[--*out_len] = '\0';
    return 0;
}

static enum vg_obs_type detect(struct vg_str v)
{
    if (memmem(v.ptr, v.len, "://", 3))
        return VG_OBS_URL;
    if ((v.len == 32 || v.len == 40 || v.len == 64) && all_hex(v))
        return v.len == 32 ? VG_OBS_MD5 : v.len == 40 ? VG_OBS_SHA1 : VG_OBS_SHA256;
    if (memchr(v.ptr, '@', v.len))
        return VG_OBS_EMAIL;
    if (vg_hostname_valid(v.ptr, v.len) || vg_str_has_non_ascii(v))
        return VG_OBS_DOMAIN; /* a Unicode name is checked once in its A-labels */
    return VG_OBS_UNKNOWN;
}

int vg_observable_parse(struct vg_str raw, enum vg_obs_type type, struct vg_observable *o,
                        struct vg_diag *d)
{
    struct vg_str v = vg_str_trim(raw);
    memset(o, 0, sizeof *o);
    if (v.len == 0)
        return vg_diag_set(d, VG_EINVAL, "value", "empty value");
    if (v.len > VG_MAX_OBSERVABLE)
        return vg_diag_set(d, VG_ETOOBIG, "value", "value longer than %d bytes", VG_MAX_OBSERVABLE);
    if (memchr(v.ptr, '\0', v.len))
        return vg_diag_set(d, VG_EINVAL, "value", "NUL byte in value");
    if (type == VG_OBS_UNKNOWN || type == VG_OBS_IPV4 || type == VG_OBS_IPV6) {
        int r = parse_ip(v, o, d);
        if (r < 0)
            return VG_EINVAL;
        if (r == 1) {
            if (type != VG_OBS_UNKNOWN && type != o->type)
                return vg_diag_set(d, VG_EINVAL, "value", "'%s' is an %s, not an %s", o->value,
                                   vg_obs_type_name(o->type), vg_obs_type_name(type));
            return 0;
        }
        if (type != VG_OBS_UNKNOWN)
            return vg_diag_set(d, VG_EINVAL, "value", "not an IP%s address or CIDR",
                               type == VG_OBS_IPV4 ? "v4" : "v6");
        type = detect(v);
        if (type == VG_OBS_UNKNOWN)
            return vg_diag_set(d, VG_EINVAL, "value",
                               "cannot tell the type of this value; give \"type\"");
    }
    o->type = type;
    switch (type) {
    case VG_OBS_URL: return vg_url_normalize(v, o->value, sizeof o->value, d);
    case VG_OBS_MD5:
    case VG_OBS_SHA1:
    case VG_OBS_SHA256: {
        size_t want = type == VG_OBS_MD5 ? 32 : type == VG_OBS_SHA1 ? 40 : 64;
        if (v.len != want || !all_hex(v))
            return vg_diag_set(d, VG_EINVAL, "value", "%s must be %zu hexadecimal digits",
                               vg_obs_type_name(type), want);
        vg_str_copy(v, o->value, sizeof o->value);
        lower(o->value);
        return 0;
    }
    case VG_OBS_EMAIL: {
        /* Exactly one '@': "a@b@evil.example" is no address (its domain would be read as
         * evil.example by one reader and b@evil.example by another). */
        const char *at = memchr(v.ptr, '@', v.len);
        if (!at || at == v.ptr)
            return vg_diag_set(d, VG_EINVAL, "value", "e-mail address without a local part");
        if (memchr(at + 1, '@', (size_t)(v.ptr + v.len - at - 1)))
            return vg_diag_set(d, VG_EINVAL, "value",
                               "e-mail address with more than one '@' (byte %zu)",
                               (size_t)((const char *)memchr(at + 1, '@',
                                                             (size_t)(v.ptr + v.len - at - 1)) -
                                        v.ptr));
        for (size_t i = 0; i < v.len; i++) {
            if ((unsigned char)v.ptr[i] <= ' ')
                return vg_diag_set(d, VG_EINVAL, "value", "blank in e-mail address");
            if (v.ptr[i] == 0x7f)
                return vg_diag_set(d, VG_EINVAL, "value",
                                   "control character in e-mail address (byte %zu)", i);
        }
        char dom[VG_MAX_HOSTNAME + 8];
        size_t dlen;
        if (ascii_domain((struct vg_str){at + 1, (size_t)(v.ptr + v.len - at - 1)}, dom, sizeof dom,
                         &dlen, "e-mail address with a bad domain", d) != 0)
            return VG_EINVAL;
        /* The matcher reads any text holding "://" as a URL (rule 2): such an indicator could
         * never match, and the matcher's index refuses it. */
        if (memmem(v.ptr, v.len, "://", 3))
            return vg_diag_set(d, VG_EINVAL, "value", "'://' in an e-mail address");
        size_t local = (size_t)(at - v.ptr);
        if (local + 1 + dlen >= sizeof o->value)
            return vg_diag_set(d, VG_ETOOBIG, "value", "value longer than %d bytes",
                               VG_MAX_OBSERVABLE);
        memcpy(o->value, v.ptr, local + 1);
        memcpy(o->value + local + 1, dom, dlen + 1);
        lower(o->value);
        return 0;
    }
    case VG_OBS_DOMAIN: {
        char dom[VG_MAX_HOSTNAME + 8];
        size_t dlen;
        if (ascii_domain(v, dom, sizeof dom, &dlen, "not a host name", d) != 0)
            return VG_EINVAL;
        memcpy(o->value, dom, dlen + 1);
        lower(o->value);
        vg_domain_reverse(o->value, o->rdomain, sizeof o->rdomain);
        return 0;
    }
    default: return vg_diag_set(d, VG_EINVAL, "type", "unknown observable type");
    }
}
