/* The published site of a set of advisories, file by file (advisory/site.c): what
 * `vigie advisory publish-site` writes into a folder for static hosting and what `vigie serve`
 * answers under /advisories/, /guides/ and /.well-known/csaf/. Pure: each file is handed to the
 * caller's emit function as it is made, so a site of 10,000 advisories never sits whole in
 * memory.
 *
 * The layout (paths relative to the site's root, no leading slash):
 *   advisories/index.html, advisories/page/N/index.html     every kind but guides, newest first
 *   advisories/<kind>/index.html (+ page/N/)                 one kind ("avis", "alerte", ...)
 *   advisories/<year>/index.html (+ page/N/)                 one year of first publication
 *   advisories/<REF>/index.html                              one advisory
 *   advisories/<REF>/json/index.json                         its CERT-FR-style JSON
 *   advisories/json/index.json                               the list of those
 *   advisories/feed.atom, advisories/<kind>/feed.atom        Atom 1.0
 *   advisories/feed/index.xml, advisories/<kind>/feed/index.xml   RSS 2.0
 *   guides/...                                               the same for guides
 *   .well-known/csaf/provider-metadata.json
 *   .well-known/csaf/white/<year>/<file>.json (+ .sha256, .sha512)   CSAF 2.0, section 7.1.11
 *   .well-known/csaf/white/index.txt, .well-known/csaf/white/changes.csv
 * Only what may go to the public is given to these functions: the caller (app/publication.c)
 * filters with the TLP gate; the CSAF folder is "white" because only TLP:CLEAR is public. */
#ifndef VG_SITE_H
#define VG_SITE_H

#include <jansson.h>
#include <stddef.h>

#include "advisory/advisory.h"
#include "util/buf.h"
#include "util/err.h"

#define VG_SITE_PAGE 50  /* advisories per list page */
#define VG_SITE_FEED 100 /* entries of a feed: the newest */

/* Receives one file: its path (as above), its media type and its bytes. Returns 0 to go on,
 * anything else to stop (vg_adv_site_render then returns it). */
typedef int (*vg_site_emit)(void *ctx, const char *path, const char *type, const char *body,
                            size_t len);

/* Renders every file of the site of list (published advisories, any order; they are sorted
 * newest first by their last revision, then by reference) and hands each to emit. JSON files
 * are compact (vg_json_write). Every CSAF document was checked when its advisory was published;
 * the first one made is checked again with this site's publisher (advisory/csaf.h): if it
 * fails, the rendering stops with VG_EINVAL, d naming the advisory, the test and the pointer.
 * 0, VG_EINVAL (an advisory that cannot be written: d says why), VG_ENOMEM, or what emit
 * returned. */
int vg_adv_site_render(const struct vg_advisory *const *list, size_t n,
                       const struct vg_adv_site *site, vg_site_emit emit, void *ctx,
                       struct vg_diag *d);

/* The pieces the server also answers alone. */
/* The CSAF path of an advisory under .well-known/csaf/: "white/2026/vigie-2026-avi-0001.json". */
int vg_adv_csaf_path(const struct vg_advisory *a, char *out, size_t cap);
/* provider-metadata.json (CSAF 2.0 section 7.1.7) of a site whose newest change is last_updated
 * (RFC 3339; NULL: no advisory yet, the metadata's own date is then "now" as given). */
json_t *vg_adv_provider_metadata(const struct vg_adv_site *site, const char *last_updated);
/* index.txt and changes.csv of the white folder (section 7.1.13 and 7.1.14), list sorted
 * newest first as vg_adv_site_render sorts it. */
int vg_adv_csaf_index(const struct vg_advisory *const *list, size_t n, struct vg_buf *out);
int vg_adv_csaf_changes(const struct vg_advisory *const *list, size_t n, struct vg_buf *out);

/* Sorts list newest first (last revision's date, then reference, descending). */
void vg_adv_sort_newest(const struct vg_advisory **list, size_t n);

#endif
