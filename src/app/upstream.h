/* Upstream advisories (issue 13): other CERTs' publications in CERT-FR-style JSON (bulletins
 * saved from CERT-FR, read by advisory/certfr.h), imported apart from vigie's own advisories,
 * linked to the CVEs they name and to the constituents they concern, and turned into the body
 * of a draft. Shared by `vigie advisory import` (cli/cmd_advisory.c) and the HTTP API
 * (api/upstream.c). */
#ifndef VG_APP_UPSTREAM_H
#define VG_APP_UPSTREAM_H

#include <jansson.h>
#include <stddef.h>

#include "advisory/advisory.h"
#include "store/store.h"

#define VG_UPSTREAM_MAX_FILE  (16L * 1024 * 1024) /* one publication file, bytes */
#define VG_UPSTREAM_MAX_FILES 100000              /* files one import reads */

/* What an import did, file by file. */
struct vg_upstream_counts {
    size_t imported;  /* new publications */
    size_t updated;   /* newer revisions of publications held */
    size_t unchanged; /* the revision held already */
    size_t older;     /* older than the revision held: ignored */
    size_t skipped;   /* files that could not be read: reported, nothing stored */
};

/* Told of each file of an import: its path, and either the reference read and result (enum
 * vg_upstream_result), or (ref NULL, result -1) why it was skipped, d->field the JSON pointer
 * of the part at fault ("" for the whole file) and d->line its line when known. */
typedef void (*vg_upstream_file_fn)(void *ctx, const char *path, const char *ref, int result,
                                    const struct vg_diag *d);

/* The name of a result: "imported", "updated", "unchanged", "older"; "skipped" otherwise. */
const char *vg_upstream_result_name(int result);

/* Imports one parsed publication doc: read by vg_certfr_read, stored with its CVEs and product
 * keys (vg_store_upstream_put's rules: the same revision or an older one changes nothing).
 * 0 with *result and ref (the publication's reference, at most VG_MAX_NAME bytes) filled;
 * VG_EINVAL with d->field the JSON pointer at fault; VG_EIO (the store). */
int vg_upstream_import_doc(struct vg_store *st, const struct vg_actor *who, const json_t *doc,
                           int *result, char ref[VG_MAX_NAME + 1], struct vg_diag *d);

/* Imports each of paths[0..n): a file, or every regular *.json file of a folder (not below
 * it) in name order. One store transaction per file; a file that cannot be read or is not a
 * publication is told to fn and skipped, the others imported. counts (zeroed first) adds up
 * the results. 0 when every file was read (skipped ones included); VG_EIO with d when the
 * store failed (the import stops there); VG_ETOOBIG past VG_UPSTREAM_MAX_FILES files. */
int vg_upstream_import_paths(struct vg_store *st, const struct vg_actor *who,
                             const char *const *paths, size_t n, vg_upstream_file_fn fn, void *ctx,
                             struct vg_upstream_counts *counts, struct vg_diag *d);

/* One upstream advisory as vg_store_upstream_get gives it, with "constituents": the
 * organisations it concerns (vg_store_upstream_constituents). 0, VG_ENOENT, VG_EIO. */
int vg_upstream_get(struct vg_store *st, const char *ref, json_t **out, struct vg_diag *d);

/* The upstream advisories, filtered by in = {"source","cve","org","q"} (each optional: strings,
 * org a positive integer; the CVE id checked, case ignored). *out as vg_store_upstream_list.
 * VG_EINVAL naming the filter ("cve", "cursor"), VG_EIO. */
int vg_upstream_list(struct vg_store *st, const json_t *in, const struct vg_page *page,
                     json_t **out, struct vg_diag *d);

/* The body of POST /api/v1/advisories that makes a draft from upstream advisory a: kind,
 * title, tlp CLEAR, lang (when a has one), risks (names of the controlled list, each once),
 * affected_systems [{vendor, product, versions, scada}], cves (ids), summary (its markup tags
 * dropped), solution (the content's solution section), references (vendor advisories, then
 * links: [{url, title?, vendor, published_at?}]). One-line texts have their line breaks made
 * spaces and are cut to VG_MAX_NAME bytes. A new object, or NULL when memory ran out. */
json_t *vg_upstream_draft_body(const struct vg_advisory *a);

/* vg_upstream_draft_body of upstream advisory ref, read back from its stored document.
 * 0, VG_ENOENT, VG_EINVAL (the stored document no longer reads), VG_EIO. */
int vg_upstream_draft(struct vg_store *st, const char *ref, json_t **out, struct vg_diag *d);

#endif
