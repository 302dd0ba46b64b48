/* What the renderers of advisory/ share (markdown.c, html.c, feed.c): the one text writer of
 * the pages and feeds, which escapes and drops what XML 1.0 does not allow, the URL checks,
 * dates, and Markdown with its headings moved down. */
#ifndef VG_RENDER_INT_H
#define VG_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util/buf.h"
#include "util/time.h"

/* Appends s[0..n) with & < > " ' escaped, so that it is safe in element text and in a quoted
 * attribute of HTML and XML alike, and with every character XML 1.0 does not allow dropped:
 * bytes that are not UTF-8, control characters other than tab, line feed and carriage return
 * (C0, DEL and C1), U+FFFE and U+FFFF. */
void vg_render_text(struct vg_buf *b, const char *s, size_t n);
/* The same for a NUL-terminated string; NULL appends nothing. */
void vg_render_str(struct vg_buf *b, const char *s);
/* Appends s[0..n) (HTML already escaped) dropping what XML 1.0 does not allow, and writing '
 * as &#39; (cmark-gfm leaves it in text; an apostrophe is then never found raw in a page). */
void vg_render_clean(struct vg_buf *b, const char *s, size_t n);

/* The result of writing into b: 0, or (b failed) VG_ENOMEM when an allocation of this thread
 * failed since failures (vg_mem_thread_failures() before writing), else VG_ETOOBIG. */
int vg_render_rc(const struct vg_buf *b, unsigned long failures);

/* May this URL be a link's target? true for http, https and mailto URLs (scheme in any case)
 * and for relative ones (no scheme); false for every other scheme (javascript:, vbscript:,
 * data:, file:, ...) and for a URL with a control character before its scheme's colon.
 * Leading spaces and controls, and tabs and line breaks anywhere, are ignored as browsers
 * ignore them. */
bool vg_render_url_ok(const char *url);
/* An absolute http or https URL (the references and sources of an advisory): what the pages
 * and feeds link to; anything else is shown as text. */
bool vg_render_url_http(const char *url);

/* Reads an RFC 3339 date into *t: true, or false when s is NULL or not a date. */
bool vg_render_time(const char *s, time_t *t);

/* vg_md_html with every heading moved down by shift levels (at most h6): the Markdown of an
 * advisory sits under the page's h2 sections, so its "# Title" becomes an h3. */
int vg_md_html_shift(const char *md, size_t len, int shift, struct vg_buf *out);

#endif
