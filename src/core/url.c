/* The shared parts of a URL's normal form: path and query (RFC 3986 section 6.2.2) and
 * internationalised host names (IDNA2008 through libidn2). */
#include "core/url.h"

#include <ctype.h>
#include <idn2.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"
#include "util/str.h"

static bool unreserved(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Copies in to out decoding the escapes of unreserved characters and upper-casing the hex
 * digits of the others (RFC 3986 sections 6.2.2.1 and 6.2.2.2); a '%' not followed by two hex
 * digits is kept as it is. An escape is not decoded into a hex digit that would make a new
 * escape with such a lone '%' ("%6%31" stays, it would be "%61" and then "a"), so that
 * normalising twice changes nothing. Returns the length written (at most in.len). */
static size_t pct_normalize(struct vg_str in, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0, lone = (size_t)-1; /* where the last lone '%' was written */
    for (size_t i = 0; i < in.len; i++) {
        int hi, lo;
        if (in.ptr[i] == '%' && in.len - i >= 3 && (hi = vg_hex_digit(in.ptr[i + 1])) >= 0 &&
            (lo = vg_hex_digit(in.ptr[i + 2])) >= 0) {
            int c = hi * 16 + lo;
            bool joins = vg_hex_digit((char)c) >= 0 && lone != (size_t)-1 && o - lone <= 2;
            if (unreserved(c) && !joins) {
                out[o++] = (char)c;
            } else {
                out[o++] = '%';
                out[o++] = hex[hi];
                out[o++] = hex[lo];
            }
            i += 2;
        } else {
            if (in.ptr[i] == '%')
                lone = o;
            out[o++] = in.ptr[i];
        }
    }
    return o;
}

/* RFC 3986 section 5.2.4's remove_dot_segments on p[0..n), a path that is empty or starts
 * with '/', in place. Returns the new length. */
static size_t remove_dot_segments(char *p, size_t n)
{
    size_t w = 0, i = 0;
    while (i < n) {
        /* p[i] is '/': the segment runs to the next '/' or the end */
        size_t j = i + 1;
        while (j < n && p[j] != '/')
            j++;
        size_t seg = j - i - 1;
        bool last = j == n;
        if (seg == 1 && p[i + 1] == '.') {
            if (last)
                p[w++] = '/';
        } else if (seg == 2 && p[i + 1] == '.' && p[i + 2] == '.') {
            while (w > 0 && p[w - 1] != '/')
                w--;
            if (w > 0)
                w--; /* the '/' before the removed segment */
            if (last)
                p[w++] = '/';
        } else {
            memmove(p + w, p + i, j - i);
            w += j - i;
        }
        i = j;
    }
    return w;
}

static struct vg_str trim_end(struct vg_str s)
{
    while (s.len > 0 && isspace((unsigned char)s.ptr[s.len - 1]))
        s.len--;
    return s;
}

size_t vg_url_rest_normalize(struct vg_str rest, char *out)
{
    /* Blanks before the end are the callers' (they trim them before a fragment); once an
     * empty query is dropped, those before it go too, so that normalising twice changes
     * nothing ("/a ?" is "/a"). */
    rest = trim_end(rest);
    if (rest.len > 0 && rest.ptr[rest.len - 1] == '?' &&
        memchr(rest.ptr, '?', rest.len) == rest.ptr + rest.len - 1)
        rest = trim_end((struct vg_str){rest.ptr, rest.len - 1});
    const char *q = memchr(rest.ptr ? rest.ptr : "", '?', rest.len);
    size_t path_len = q ? (size_t)(q - rest.ptr) : rest.len;
    size_t o = 0;
    if (path_len == 0 || rest.ptr[0] != '/')
        out[o++] = '/';
    o += pct_normalize((struct vg_str){rest.ptr, path_len}, out + o);
    o = remove_dot_segments(out, o);
    if (o == 0)
        out[o++] = '/';
    if (q)
        o += pct_normalize((struct vg_str){q, rest.len - path_len}, out + o);
    return o;
}

bool vg_str_has_non_ascii(struct vg_str s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] > 0x7f)
            return true;
    return false;
}

static bool host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

int vg_host_to_ascii(struct vg_str host, char *out, size_t cap, size_t *out_len, const char **why)
{
    const char *reason = NULL;
    int rc = 0;
    char *a = NULL;
    if (!vg_str_has_non_ascii(host)) {
        if (host.len >= cap)
            return VG_ETOOBIG;
        memcpy(out, host.ptr, host.len);
        out[host.len] = '\0';
        *out_len = host.len;
        return 0;
    }
    /* libidn2 reads a NUL-terminated string; a host holding a NUL is no name. The longest
     * name it accepts is 255 bytes of A-labels, whose UTF-8 text is at most 4 times longer. */
    char in[4 * 256];
    if (host.len >= sizeof in || memchr(host.ptr, '\0', host.len)) {
        reason = "internationalised host name too long or holding a NUL byte";
        rc = VG_EINVAL;
        goto out;
    }
    memcpy(in, host.ptr, host.len);
    in[host.len] = '\0';
    int r =
        idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (r != IDN2_OK) {
        reason = idn2_strerror(r);
        rc = VG_EINVAL;
        goto out;
    }
    size_t n = strlen(a), named = n;
    while (named > 0 && a[named - 1] == '.')
        named--;
    if (named == 0) { /* e.g. U+034F alone, which IDNA maps to nothing: no host at all */
        reason = "internationalised host name mapping to no name";
        rc = VG_EINVAL;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (!host_char((unsigned char)a[i])) {
            reason = "internationalised host name mapping to a character not allowed in a host";
            rc = VG_EINVAL;
            goto out;
        }
    if (n >= cap) {
        rc = VG_ETOOBIG;
        goto out;
    }
    memcpy(out, a, n + 1);
    *out_len = n;
out:
    idn2_free(a);
    if (why)
        *why = reason;
    return rc;
}
