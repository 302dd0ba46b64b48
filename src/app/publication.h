/* Publication (issue 13): the public site of the advisories — what `vigie advisory
 * publish-site` writes into a folder and what `vigie serve` answers under /advisories/,
 * /guides/ and /.well-known/csaf/ — rendered from the store by advisory/site.c. Only what the
 * TLP gate lets go to the public (core/tlp.c) is in it: published advisories of TLP:CLEAR. */
#ifndef VG_APP_PUBLICATION_H
#define VG_APP_PUBLICATION_H

#include <jansson.h>
#include <stddef.h>

#include "advisory/advisory.h"
#include "core/tlp.h"
#include "store/store.h"
#include "util/err.h"

/* The published advisories the public may read, as C advisories: *list of *n, freed with
 * vg_publication_list_free. 0, VG_EIO, VG_ENOMEM; d filled. */
int vg_publication_load(struct vg_store *st, struct vg_advisory **list, size_t *n,
                        struct vg_diag *d);
void vg_publication_list_free(struct vg_advisory *list, size_t n);

/* A short text that changes whenever what vg_publication_load gives may have changed. */
int vg_publication_stamp(struct vg_store *st, char *out, size_t cap, struct vg_diag *d);

/* Writes the whole site into folder dir (created with its sub-folders; each file written to a
 * temporary name, then renamed). *files = the number of files written. 0; VG_EIO with d naming
 * the file; VG_EINVAL when an advisory's CSAF document fails the checker (d names it). */
int vg_publication_write_dir(struct vg_store *st, const struct vg_adv_site *site, const char *dir,
                             size_t *files, struct vg_diag *d);

/* Advisories shared through the sharing routes (partners, and the CERT's own users who may
 * preview what a recipient gets): the published versions the TLP gate lets go to r — a
 * TLP:GREEN advisory to partners and constituents, an AMBER one to partners whose max_tlp is
 * AMBER, CLEAR to anyone. *out = {"items": [{"ref","kind","title","tlp","version",
 * "first_revision_date","last_revision_date","closed_at"}]}, newest first. 0, VG_EIO,
 * VG_ENOMEM. */
int vg_publication_shared_list(struct vg_store *st, const struct vg_recipient *r, json_t **out,
                               struct vg_diag *d);
/* The document of advisory ref for r: format "csaf" (CSAF 2.0; guides have none: VG_EINVAL,
 * field "format") or "certfr" (CERT-FR-style JSON). VG_ENOENT (field "ref") when it has
 * published nothing or the gate withholds it from r, as if it did not exist; VG_EINVAL
 * (field "format") for another format. */
int vg_publication_shared_doc(struct vg_store *st, const struct vg_recipient *r,
                              const struct vg_adv_site *site, const char *ref, const char *format,
                              json_t **out, struct vg_diag *d);

/* The server's copy of the site, in memory, rebuilt when the stamp changes. Used by one
 * thread at a time (the server's reader thread). */
struct vg_pub_cache;
struct vg_pub_file {
    const char *type; /* media type */
    const char *body;
    size_t len;
};
struct vg_pub_cache *vg_pub_cache_new(void);
void vg_pub_cache_free(struct vg_pub_cache *c);
/* The file a request path stands for ("/advisories/", "/advisories/VIGIE-2026-AVI-0001",
 * "/advisories/feed/", "/.well-known/csaf/white/index.txt"...): 0 and *out (valid until the
 * next call on c); VG_ENOENT if there is none; VG_EIO / VG_ENOMEM / VG_EINVAL if the site
 * could not be rendered (d says why). */
int vg_pub_cache_get(struct vg_pub_cache *c, struct vg_store *st, const struct vg_adv_site *site,
                     const char *path, struct vg_pub_file *out, struct vg_diag *d);

/* The newest publications of the site c holds (rebuilt first if the stamp changed), for the
 * portal's home: *out = {"alerts": [...], "advisories": [...], "guides": [...]}, each at most
 * VG_PUB_LATEST items {"ref","kind","title","date"} newest first as the site lists them
 * ("date": the last revision's; alerts: kind "alerte"; advisories: every other kind but
 * guides). The caller frees *out. 0, or as vg_pub_cache_get. */
#define VG_PUB_LATEST 5
int vg_pub_cache_latest(struct vg_pub_cache *c, struct vg_store *st, const struct vg_adv_site *site,
                        json_t **out, struct vg_diag *d);

#endif
