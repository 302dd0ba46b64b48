/* URL normalisation (matching rule 2), shared by indicators and candidates so that both sides
 * compare equal: scheme and host lower-cased, userinfo, default port, fragment (and blanks before
 * it) and the host's final dots dropped, leading zeros of the port dropped, an IPv6 literal in
 * canonical text, an empty path made "/"; the same normal form as core/observable.c's
 * vg_url_normalize (fuzz/fuzz_observable.c compares them). The path and query (percent-encoding,
 * dot segments, an empty query) and internationalised hosts (IDNA2008 A-labels) go through
 * core/url.c, which both sides share. */
#include "match/match.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "core/url.h"

static bool scheme_char(unsigned char c)
{
    return isalnum(c) || c == '+' || c == '-' || c == '.';
}

int vg_match_url_normalise(struct vg_str in, char *out, size_t cap, size_t *out_len,
                           struct vg_str *host_out)
{
    const char *p = in.ptr, *end = in.ptr + in.len;
    const char *sep = NULL;
    for (const char *q = p; end - q >= 3; q++)
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
    if (!sep || sep == p)
        return VG_EINVAL;
    for (const char *q = p; q < sep; q++)
        if (!scheme_char((unsigned char)*q))
            return VG_EINVAL;
    struct vg_str scheme = {p, (size_t)(sep - p)};

    const char *auth = sep + 3, *auth_end = auth;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        auth_end++;
    /* Userinfo: everything up to the last '@' of the authority. */
    for (const char *q = auth_end; q > auth; q--)
        if (q[-1] == '@') {
            auth = q;
            break;
        }
    const char *host = auth, *host_end, *port = NULL, *port_end = auth_end;
    bool bracket = false;
    if (auth < auth_end && *auth == '[') {
        const char *rb = memchr(auth, ']', (size_t)(auth_end - auth));
        if (!rb)
            return VG_EINVAL;
        bracket = true;
        host = auth + 1;
        host_end = rb;
        if (rb + 1 < auth_end) {
            if (rb[1] != ':')
                return VG_EINVAL;
            port = rb + 2;
        }
    } else {
        host_end = auth_end;
        const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    if (port)
        for (const char *q = port; q < port_end; q++)
            if (*q < '0' || *q > '9')
                return VG_EINVAL;
    while (!bracket && host_end > host && host_end[-1] == '.')
        host_end--; /* every final dot, so that normalising twice changes nothing */

    /* The path, query and no fragment. */
    const char *rest = auth_end, *rest_end = end;
    const char *hash = memchr(rest, '#', (size_t)(end - rest));
    if (hash)
        rest_end = hash;
    while (rest_end > rest && isspace((unsigned char)rest_end[-1]))
        rest_end--; /* blanks before a fragment, as core/observable.c drops them */

    size_t port_len = port ? (size_t)(port_end - port) : 0;
    while (port_len > 1 && *port == '0') { /* ":0080" is port 80, as core/observable.c reads it */
        port++;
        port_len--;
    }
    if (port_len == 0 ||
        (port_len == 2 && vg_str_eq_nocase(scheme, VG_STR("http")) && memcmp(port, "80", 2) == 0) ||
        (port_len == 3 && vg_str_eq_nocase(scheme, VG_STR("https")) && memcmp(port, "443", 3) == 0))
        port = NULL;

    size_t host_len = (size_t)(host_end - host);
    /* An IPv6 literal in its canonical text (RFC 5952), as indicators are stored: "[0:0::1]" is
     * "[::1]". Anything inet_pton refuses (a zone, junk) is kept as written. */
    char v6[INET6_ADDRSTRLEN];
    unsigned char a6[16];
    if (bracket && host_len < sizeof v6) {
        memcpy(v6, host, host_len);
        v6[host_len] = '\0';
        if (inet_pton(AF_INET6, v6, a6) == 1 && inet_ntop(AF_INET6, a6, v6, sizeof v6)) {
            host = v6;
            host_len = strlen(v6);
        }
    }
    /* A Unicode host in its A-labels, as core/observable.c stores it; one that is no valid
     * internationalised name is no URL an indicator could hold. */
    char idn[VG_MAX_HOSTNAME + 8];
    if (!bracket && vg_str_has_non_ascii((struct vg_str){host, host_len})) {
        size_t idn_len;
        int rc = vg_host_to_ascii((struct vg_str){host, host_len}, idn, sizeof idn, &idn_len, NULL);
        if (rc != 0)
            return rc == VG_ETOOBIG ? VG_EINVAL : rc;
        while (idn_len > 0 && idn[idn_len - 1] == '.')
            idn_len--; /* a final ideographic full stop maps to '.' */
        host = idn;
        host_len = idn_len;
    }
    size_t need = scheme.len + 3 + host_len + (bracket ? 2 : 0) + (port ? 1 + port_len : 0) +
                  (size_t)(rest_end - rest) + (rest == rest_end || *rest != '/');
    if (need > cap)
        return VG_ETOOBIG;
    char *w = out;
    for (size_t i = 0; i < scheme.len; i++)
        *w++ = (char)tolower((unsigned char)scheme.ptr[i]);
    memcpy(w, "://", 3);
    w += 3;
    if (bracket)
        *w++ = '[';
    char *h = w;
    for (size_t i = 0; i < host_len; i++)
        *w++ = (char)tolower((unsigned char)host[i]);
    if (host_out)
        *host_out = (struct vg_str){h, host_len};
    if (bracket)
        *w++ = ']';
    if (port) {
        *w++ = ':';
        memcpy(w, port, port_len);
        w += port_len;
    }
    w += vg_url_rest_normalize((struct vg_str){rest, (size_t)(rest_end - rest)}, w);
    *out_len = (size_t)(w - out);
    return 0;
}
