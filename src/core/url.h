/* The parts of a URL's normal form that the indicator store (core/observable.c) and the
 * matcher (match/url.c) share, so that both compute them the same way: the path and query
 * (percent-encoding and dot segments, RFC 3986 section 6.2.2) and internationalised host names
 * (IDNA2008 A-labels). */
#ifndef VG_URL_H
#define VG_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/str.h"

/* Writes the normal form of a URL's path and query into out, which must hold rest.len + 1
 * bytes; rest runs from the end of the authority to the fragment, which the caller has cut
 * (and the blanks before it). Percent-encoded unreserved characters (letters, digits,
 * "-._~") are decoded and the other escapes written with upper-case hex digits; the path's
 * dot segments are removed (RFC 3986 section 5.2.4: "/a/./b/../c" is "/a/c", "/.." is "/");
 * an empty query ("?" alone) is dropped, and an empty path is "/". The query keeps its dots.
 * Returns the length written (not NUL-terminated). */
size_t vg_url_rest_normalize(struct vg_str rest, char *out);

/* Writes host in ASCII into out (cap bytes, NUL-terminated). A host holding a byte above
 * 0x7f is read as UTF-8 and converted to its IDNA2008 A-labels with the UTS 46
 * non-transitional mapping, as browsers do ("Bücher.example" is "xn--bcher-kva.example");
 * the result must be made of letters, digits, '-', '_' and '.'. An ASCII host is copied as
 * it is. Returns 0 and sets *out_len, VG_EINVAL (with the reason in *why, a static string,
 * when why is not NULL) if it is not a valid internationalised name, or VG_ETOOBIG. */
int vg_host_to_ascii(struct vg_str host, char *out, size_t cap, size_t *out_len, const char **why);

/* True if s holds a byte above 0x7f. */
bool vg_str_has_non_ascii(struct vg_str s);

#endif
