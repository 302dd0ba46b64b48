/* The advisories' workflow (issue 13): a draft is written, submitted for review, published by
 * a second analyst (four eyes, unless the deployment runs with a single analyst), then changed
 * only through revisions, each a new version; an alert is closed. Every step is audited. Shared
 * by the HTTP API (api/advisories.c) and, later, the CLI. */
#ifndef VG_APP_ADVISORY_H
#define VG_APP_ADVISORY_H

#include <jansson.h>

#include "advisory/advisory.h"
#include "store/store.h"

/* The advisory as the API answers it: {"ref","kind","status","version","year", the working
 * text's fields (the pending text if any, else the published one: title, tlp, lang, risks,
 * affected_systems, cves, summary, solution, references), "published": the published content
 * or null, "pending_description" (a pending revision's, or null), "revisions":
 * [{"version","date","description","publisher"}], "authors": names of the pending text's
 * authors, "internal" (only when set: never published), "created_at","updated_at",
 * "published_at","last_published_at","closed_at"}.
 *
 * Each function returns 0 and *out (a new reference), or: VG_EINVAL / VG_ETOOBIG naming the
 * JSON pointer of a bad field; VG_ENOENT (field "ref") for an unknown advisory; VG_ECONFLICT
 * when its state does not allow the step (the message says which step would); VG_EPERM for
 * the four-eyes rule; VG_EIO / VG_EBUSY from the store. d is filled. */

/* Creates a draft from a body checked by vg_advisory_check; its reference is numbered in the
 * store's advisory prefix (config.adv_prefix), its kind and the current year. */
int vg_advisory_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                       json_t **out, struct vg_diag *d);
int vg_advisory_get(struct vg_store *st, const char *ref, json_t **out, struct vg_diag *d);
/* filters: "kind", "status", "year", "q" (checked by the caller); the store's page. */
int vg_advisory_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d);
/* The filters of a list from a query's strings (each NULL when not given): kind (a kind's
 * name), status (draft, review, published), year (1 to 9999), q (1 to VG_MAX_NAME bytes).
 * 0 and *out (the object vg_advisory_list takes), or VG_EINVAL naming the bad one ("kind"). */
int vg_advisory_list_filters(const char *kind, const char *status, const char *year, const char *q,
                             json_t **out, struct vg_diag *d);
/* Changes the pending text (status draft or review); its editor becomes one of its authors.
 * A published advisory without a pending revision: VG_ECONFLICT (use a revision). The kind
 * cannot change (it is in the reference): VG_EINVAL "/kind". */
int vg_advisory_patch(struct vg_store *st, const struct vg_actor *who, const char *ref,
                      const json_t *in, json_t **out, struct vg_diag *d);
/* draft -> review. */
int vg_advisory_submit(struct vg_store *st, const struct vg_actor *who, const char *ref,
                       json_t **out, struct vg_diag *d);
/* review -> published: version + 1 and a revision {version, date, description} ("Version
 * initiale" for version 1, the revision's description after). The publisher must not be one
 * of the pending text's authors (VG_EPERM), unless config.single_analyst (then said in the
 * audit entry). */
int vg_advisory_publish(struct vg_store *st, const struct vg_actor *who, const char *ref,
                        json_t **out, struct vg_diag *d);
/* Opens a revision of a published advisory: in = {"description": what changes (required),
 * and the fields that change, as a PATCH}. The pending text is the published one with the
 * changes, status draft; it goes through submit and publish again while the published version
 * stays served. */
int vg_advisory_revise(struct vg_store *st, const struct vg_actor *who, const char *ref,
                       const json_t *in, json_t **out, struct vg_diag *d);
/* Closes a published alert: closed_at now and a new version whose revision says
 * in's "description" (in may be NULL; default "Clôture de l'alerte"). Another kind, an
 * alert not published, with a pending revision or already closed: VG_ECONFLICT. */
int vg_advisory_close(struct vg_store *st, const struct vg_actor *who, const char *ref,
                      const json_t *in, json_t **out, struct vg_diag *d);
/* A draft (kind avis, TLP:AMBER) pre-filled from the technology watch's stored data for
 * in = {"cves": [ids]} (1 to 100 CVEs, each known to the store, else VG_ENOENT naming
 * "/cves/N"): affected products and versions from their criteria, CVSS, KEV status,
 * references; and "internal": {"constituents": [{"org","name","findings":[...]}]} from the
 * findings, kept in the store and the analysts' answers only. */
int vg_advisory_draft_from_cves(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                                json_t **out, struct vg_diag *d);

/* The C form of advisory ref exactly as its next publication would publish it (the pending
 * text as version N+1, with the revision publishing it would add, dated now), or, with nothing
 * pending, as it is published: for the analysts' preview. Free with vg_advisory_free. */
int vg_advisory_preview(struct vg_store *st, const char *ref, struct vg_advisory *out,
                        struct vg_diag *d);

/* The C form of what advisory ref has published (its last published version, with its
 * revisions and closing date): VG_ENOENT if it has published nothing. Free with
 * vg_advisory_free. */
int vg_advisory_published(struct vg_store *st, const char *ref, struct vg_advisory *out,
                          struct vg_diag *d);
/* The same, of a record as the store gives it (vg_store_advisory_published_each). */
int vg_advisory_published_of(const json_t *rec, struct vg_advisory *out, struct vg_diag *d);

#endif
