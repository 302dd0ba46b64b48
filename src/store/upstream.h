/* The store's upstream advisories (issue 13): other CERTs' publications that vigie imported,
 * kept apart from its own, with the CVEs they name and the product keys of their affected
 * systems, and the organisations they concern. Included by store/store.h; a backend fills
 * struct vg_store_upstream_ops. */
#ifndef VG_STORE_UPSTREAM_H
#define VG_STORE_UPSTREAM_H

#include <jansson.h>

#include "store/base.h"

/* What vg_store_upstream_put did with a publication. */
enum vg_upstream_result {
    VG_UPSTREAM_IMPORTED = 0, /* new */
    VG_UPSTREAM_UPDATED,      /* a newer revision replaced the one held */
    VG_UPSTREAM_UNCHANGED,    /* the revision held already */
    VG_UPSTREAM_OLDER,        /* older than the one held: ignored */
};

struct vg_store_upstream_ops {
    int (*put)(struct vg_store *st, const struct vg_actor *who, const json_t *rec, int *result,
               struct vg_diag *d);
    int (*get)(struct vg_store *st, const char *ref, json_t **out);
    int (*list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                json_t **out, struct vg_diag *d);
    int (*constituents)(struct vg_store *st, const char *ref, json_t **out);
};

/* Unless said otherwise, each returns 0, VG_ENOENT when no upstream advisory has that
 * reference, or VG_EIO. *out is a new reference. */

/* Stores one publication rec = {"source","ref","title","kind","first_date","last_date",
 * "revisions" (an integer), "closed_at" (string or null), "cves": [ids, upper case],
 * "products": [product keys], "document": the publication as read}, checked by the caller,
 * in one transaction: a new one is inserted; one held is replaced only when rec is newer
 * (its last_date later, or the same with more revisions), with its CVEs and products; an
 * older or the same is left. *result = enum vg_upstream_result. Writes are audited. */
int vg_store_upstream_put(struct vg_store *st, const struct vg_actor *who, const json_t *rec,
                          int *result, struct vg_diag *d);
/* *out = {"ref","source","title","kind","first_revision_date","last_revision_date",
 * "revisions","closed_at","cves": [ids],"products": [keys],"document","imported","updated"}.
 * With several sources using one reference, the first imported. */
int vg_store_upstream_get(struct vg_store *st, const char *ref, json_t **out);
/* The upstream advisories in import order, those of filters only: "source" (its publisher),
 * "cve" (naming that CVE id), "org" (concerning organisation id: a finding on one of its CVEs
 * or a product of the organisation with one of its keys), "q" (text in the title or the
 * reference, case of ASCII letters ignored). *out = {"items": [as get, without "document" and
 * "products"], "next_cursor"}. VG_EINVAL on a bad cursor. */
int vg_store_upstream_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d);
/* The organisations upstream advisory ref concerns, by organisation id: *out =
 * [{"org","name","why": "finding","cves": [ids]}, {"org","name","why": "product","products":
 * [the organisation's CPE names whose key it lists]}] (an organisation concerned both ways
 * comes twice, "finding" first). Found by index: no organisation is read whole. */
int vg_store_upstream_constituents(struct vg_store *st, const char *ref, json_t **out);

#endif
