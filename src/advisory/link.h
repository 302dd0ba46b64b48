/* The URLs advisories may link to (advisory/link.c): what the CERT-FR reader accepts and the
 * CSAF writer puts in references, so that every one is a valid RFC 3986 URI (CSAF's "uri"
 * format) and opens a web page. */
#ifndef VG_ADV_LINK_H
#define VG_ADV_LINK_H

#include <stdbool.h>

/* True if s is an absolute http or https URL made only of RFC 3986's characters (percent
 * escapes complete): "http(s)://" host [":" port] [path] ["?" query] ["#" fragment], the host a
 * registered name or a bracketed IP literal, no user information (a "user@" before the host
 * shows a misleading name first), nothing else: no blank, no control, no '<', '"', '\\',
 * '[', ']' outside the host. */
bool vg_adv_url_ok(const char *s);

#endif
