/* The one HTML writer of the web pages (web/): every text and attribute value it is given is
 * escaped, so that nothing reaches a page unescaped by accident. Tag and attribute names are
 * the code's own literals (checked: lower-case letters, digits and '-'; a name that is not is
 * a bug and fails the writer). A URL attribute (href, src, action, formaction) keeps its value
 * only when it is a relative path ("/", "?", "#") or http(s)/mailto: anything else
 * ("javascript:", "data:", ...) is written as "#", inert. Built on struct vg_buf: once a write
 * fails (cap, memory, a bad name) the writer is failed and later writes are ignored, so a page
 * checks once at the end.
 *
 * The only way to put markup in unescaped is vg_html_trusted, for markup made by vigie itself
 * (an inline SVG chart written with this writer, Markdown rendered by cmark-gfm in safe mode). */
#ifndef VG_HTML_H
#define VG_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct vg_html {
    struct vg_buf b; /* the page so far */
};

/* An empty page capped at max bytes. */
void vg_html_init(struct vg_html *h, size_t max);
void vg_html_cleanup(struct vg_html *h);
/* Whether every write so far succeeded. */
bool vg_html_ok(const struct vg_html *h);

/* <tag a1="v1" a2="v2"...>: the attributes are name, value pairs ended by NULL; a NULL value
 * leaves its attribute out, "" writes the name alone (checked, selected, required ...).
 *   vg_html_open(h, "a", "href", url, "class", "tlp", NULL); */
void vg_html_open(struct vg_html *h, const char *tag, ...) __attribute__((sentinel));
/* </tag> */
void vg_html_close(struct vg_html *h, const char *tag);
/* An element without content or end tag (input, br, meta, link, hr): <tag attrs...>. */
void vg_html_void(struct vg_html *h, const char *tag, ...) __attribute__((sentinel));
/* <tag attrs...>text</tag>, text escaped (NULL: empty). */
void vg_html_elem(struct vg_html *h, const char *tag, const char *text, ...)
    __attribute__((sentinel));
/* Text, escaped (NULL writes nothing); n bytes of it. */
void vg_html_text(struct vg_html *h, const char *s);
void vg_html_textn(struct vg_html *h, const char *s, size_t n);
/* Formatted text, escaped after formatting (arguments may be outside data). */
void vg_html_textf(struct vg_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Markup vigie made itself, written as it is (see the header's comment). */
void vg_html_trusted(struct vg_html *h, const char *markup, size_t n);

/* Whether a URL may be a link's target (relative, http, https or mailto). */
bool vg_html_url_ok(const char *url);
/* Appends s percent-encoded for a query-string value or a path segment (unreserved characters
 * kept) to a plain buffer, e.g. to build "/console/incidents?status=" + value. */
int vg_url_encode(struct vg_buf *b, const char *s);

/* Hands the page over (free() it), the writer left empty; NULL if a write failed. */
char *vg_html_steal(struct vg_html *h, size_t *len);

#endif
