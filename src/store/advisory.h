/* The store's advisories (issue 13): their records, their published revisions and the
 * counters that number their references. Included by store/store.h; a backend fills struct
 * vg_store_advisory_ops. A backend stores what app/advisory.c decided (states, versions, four
 * eyes): it checks nothing but the uniqueness of references. */
#ifndef VG_STORE_ADVISORY_H
#define VG_STORE_ADVISORY_H

#include <jansson.h>

#include "store/base.h"

struct vg_store_advisory_ops {
    int (*create)(struct vg_store *st, const struct vg_actor *who, const json_t *content,
                  const char *code, int year, const json_t *internal, json_t **out,
                  struct vg_diag *d);
    int (*get)(struct vg_store *st, const char *ref, json_t **out);
    int (*list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                json_t **out, struct vg_diag *d);
    int (*save)(struct vg_store *st, const struct vg_actor *who, const char *ref, const json_t *rec,
                const json_t *revision, const char *action, const json_t *detail, json_t **out,
                struct vg_diag *d);
    int (*published_each)(struct vg_store *st, int (*fn)(void *ctx, const json_t *rec), void *ctx);
    int (*published_stamp)(struct vg_store *st, char *out, size_t cap);
};

/* A record, as vg_store_advisory_get gives it:
 * {"ref","kind","year","number","status","version","title","tlp",
 *  "published": content of the published version or null,
 *  "draft": content of the pending text or null, "pending_description": string or null,
 *  "authors": [{"id","name"}] of the pending text, "internal": object or null,
 *  "revisions": [{"version","date","description","publisher"}] oldest first,
 *  "created_at","updated_at","published_at","last_published_at","closed_at" (null if not set)}.
 * A content is the object vg_advisory_check gives (kind, title, tlp, ...).
 * Unless said otherwise, each returns 0, VG_ENOENT when the advisory does not exist, or VG_EIO
 * (VG_EBUSY if another process holds the database). *out is a new reference. Writes are
 * audited under the actor's name. */

/* Stores a new draft of content (its kind, title and tlp required), referenced as
 * PREFIX-YEAR-CODE-NNNN (the configuration's advisory prefix; code the kind's, "AVI") and
 * numbered per prefix, kind and year: the next number of that counter, taken
 * in the transaction of the insert (a failed create takes none). Its author is who;
 * internal (may be NULL) is kept beside it. Audited "advisory.create". */
int vg_store_advisory_create(struct vg_store *st, const struct vg_actor *who, const json_t *content,
                             const char *code, int year, const json_t *internal, json_t **out,
                             struct vg_diag *d);
int vg_store_advisory_get(struct vg_store *st, const char *ref, json_t **out);
/* Advisories newest first, filtered by the keys of filters (each optional): "kind", "status"
 * (strings), "year" (integer), "q" (a string the working title holds, case ignored for
 * ASCII). *out = {"items": [{"ref","kind","status","version","title","tlp","year",
 * "created_at","updated_at","published_at","last_published_at","closed_at"}],
 * "next_cursor": ... or null}; VG_EINVAL ("cursor"). */
int vg_store_advisory_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d);
/* Writes the state of advisory ref: the keys of rec "status", "version", "published", "draft",
 * "pending_description", "authors", "internal", "published_at", "last_published_at" and
 * "closed_at" (each absent or null: NULL in the store; title and tlp follow the draft, else
 * the published content), and, when revision is not NULL, one published revision
 * {"version","date","description","content","authors","publisher"}. Audited as action, with
 * detail (may be NULL). *out = the record as vg_store_advisory_get gives it. VG_EEXIST if that
 * version was already published. */
int vg_store_advisory_save(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *rec, const json_t *revision, const char *action,
                           const json_t *detail, json_t **out, struct vg_diag *d);

/* Calls fn with the record (as vg_store_advisory_get gives it) of every advisory that has
 * published a version, in id order; stops at fn's first non-zero return and returns it.
 * 0, or VG_EIO. */
int vg_store_advisory_published_each(struct vg_store *st, int (*fn)(void *ctx, const json_t *rec),
                                     void *ctx);
/* A short text that changes whenever what vg_store_advisory_published_each gives may have
 * changed (a publication, a closing, on this connection or by another): cheap, no scan unless
 * the database changed since the last call. Writes at most cap bytes, NUL included; 0 or
 * VG_EIO. */
int vg_store_advisory_published_stamp(struct vg_store *st, char *out, size_t cap);

#endif
