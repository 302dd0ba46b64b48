/* Publications as people and feed readers see them (advisory/markdown.c, html.c, feed.c): safe
 * Markdown, the HTML pages of the advisories (one per advisory, and the paged list), and the
 * Atom 1.0 and RSS 2.0 feeds. Pure: they write into a capped vg_buf; every text from an
 * advisory is escaped (vg_buf_put_html), and Markdown is rendered by cmark-gfm with raw HTML
 * escaped and unsafe links (javascript:, data:, vbscript:, ...) dropped. Each returns 0, or
 * VG_ENOMEM / VG_ETOOBIG when the buffer's cap is reached. */
#ifndef VG_RENDER_H
#define VG_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "advisory/advisory.h"
#include "util/buf.h"

/* Markdown (GitHub-flavoured: tables, autolinks, strikethrough) to an HTML fragment. Raw HTML
 * in the input is escaped, not passed through; a link or image whose URL is not http(s),
 * mailto or relative is written as its text only. Over VG_MAX_MARKDOWN bytes: VG_ETOOBIG; a
 * text that would make cmark-gfm slow (util/limits.h: VG_MD_MAX_BRACKETS, _CELLS_LINE,
 * _TABLE_SCAN) is written as plain text in a <pre>. Thread-safe (one rendering at a time). */
int vg_md_html(const char *md, size_t len, struct vg_buf *out);

/* The page of one advisory: a whole HTML5 document (lang, title, a print stylesheet inline,
 * no script): its header (reference, title, kind, TLP, dates of first and last version,
 * closing date of an alert, source of an upstream one), then Risk(s), Affected systems,
 * Summary, Solution(s), Documentation (CVEs with links, vendor advisories, links), and the
 * revision log. `prefix` is the path the site's pages sit under ("/advisories"). */
int vg_adv_html_page(const struct vg_advisory *a, const struct vg_adv_site *site,
                     const char *prefix, struct vg_buf *out);

/* The list page: the advisories of list (already filtered and in order, newest first), with
 * links to filter by kind and year and to the previous and next pages. */
struct vg_adv_list_view {
    const char *prefix; /* "/advisories" or "/guides" */
    const char *title;  /* "Avis et alertes" */
    int kind;           /* the kind filtered on, or -1 */
    int year;           /* the year filtered on, or 0 */
    int page;           /* 1-based */
    bool has_next;      /* a next page exists */
    const int *years;   /* the years that have publications (newest first) for the filter */
    size_t nyears;
};
/* The path of the list page with these filters, in the site's folders (advisory/site.h), so
 * that a folder written for static hosting serves it: prefix/[KIND/][YEAR/][page/N/]
 * ("/advisories/avis/2026/page/2/"; kind -1 and year 0: no filter; page 1: no page part).
 * The list pages link to it and advisory/site.c writes there. 0, or VG_ETOOBIG. */
int vg_adv_list_path(const char *prefix, int kind, int year, int page, char *out, size_t cap);
int vg_adv_html_list(const struct vg_advisory *const *list, size_t n,
                     const struct vg_adv_list_view *v, const struct vg_adv_site *site,
                     struct vg_buf *out);

/* The feeds of list (newest first): an Atom 1.0 feed (self link self_url, id and updated from
 * the newest entry; each entry's id is its page's URL and its updated the last revision's
 * date) and an RSS 2.0 channel. Valid XML whatever the texts hold (control characters not
 * allowed in XML are dropped). */
int vg_adv_atom(const struct vg_advisory *const *list, size_t n, const char *title,
                const char *self_url, const struct vg_adv_site *site, const char *prefix,
                struct vg_buf *out);
int vg_adv_rss(const struct vg_advisory *const *list, size_t n, const char *title,
               const char *self_url, const struct vg_adv_site *site, const char *prefix,
               struct vg_buf *out);

#endif
