/* The store's indicators: indicators of compromise, their sightings in logs, and the alerts
 * that group sightings and may become incidents. Included by store/store.h; a backend fills
 * struct vg_store_indicator_ops. */
#ifndef VG_STORE_INDICATOR_H
#define VG_STORE_INDICATOR_H

#include <jansson.h>
#include <stddef.h>

#include "core/sighting.h"
#include "store/base.h"

/* A checked indicator in C form, for vg_store_indicator_import_recs (what app/share.c's
 * imports give, a million at a time): every field checked and normalised as
 * vg_indicator_check (core/record.h, VG_CHECK_PATCH) leaves it; a pointer NULL (confidence
 * -1) is a field not given. Pointers are borrowed for the call. */
struct vg_indicator_rec {
    const char *type, *value; /* an observable type and its normal form */
    const char *tlp;          /* TLP 2.0 name */
    const char *source;
    int confidence;   /* 0..100, or -1 */
    const char *tags; /* the tags as a compact JSON array (vg_json_dump), e.g. ["a","b"] */
    const char *first_seen, *last_seen, *expires; /* RFC 3339 UTC, vg_time_fmt's form */
};

/* What vg_store_indicator_import_recs did. */
struct vg_indicator_import_counts {
    size_t added, updated, unchanged;
};

struct vg_indicator_rows;
struct vg_indicator_row;

/* Where a follower of logs (`vigie match --follow --record`, issue 17) stands in one log: the
 * file's identity and the bytes and lines of it whose sightings are stored. */
struct vg_follow_position {
    const char *path;            /* the log as the follower names it */
    unsigned long long dev, ino; /* the file's device and inode */
    unsigned long long offset;   /* bytes read (whole lines) */
    unsigned long long line;     /* lines before offset */
};

/* The operations a backend implements for indicators, sightings and alerts. */
struct vg_store_indicator_ops {
    int (*indicator_import_recs)(struct vg_store *st, const struct vg_actor *who,
                                 const struct vg_indicator_rec *v, size_t n, long long *ids,
                                 struct vg_indicator_import_counts *counts, struct vg_diag *d);
    int (*indicator_get)(struct vg_store *st, long long id, json_t **out);
    int (*indicator_list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                          json_t **out, struct vg_diag *d);
    int (*indicator_each)(struct vg_store *st, const char *now,
                          int (*fn)(void *ctx, long long id, const char *type, const char *value),
                          void *ctx);
    int (*indicator_version)(struct vg_store *st, const char *now, char *out, size_t cap);
    int (*sightings_record)(struct vg_store *st, const struct vg_actor *who,
                            const struct vg_sighting *v, size_t n, long long *alerts,
                            struct vg_diag *d);
    int (*sighting_list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                         json_t **out, struct vg_diag *d);
    int (*alert_list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                      json_t **out, struct vg_diag *d);
    int (*alert_escalate)(struct vg_store *st, const struct vg_actor *who, long long id,
                          const json_t *fields, json_t **out, struct vg_diag *d);
    int (*indicator_rows_open)(struct vg_store *st, const char *type, const char *source,
                               struct vg_indicator_rows **out, size_t *count, struct vg_diag *d);
    int (*indicator_rows_next)(struct vg_store *st, struct vg_indicator_rows *c,
                               const struct vg_indicator_row **row, struct vg_diag *d);
    void (*indicator_rows_close)(struct vg_store *st, struct vg_indicator_rows *c);
    int (*follow_put)(struct vg_store *st, const char *follower, const struct vg_follow_position *v,
                      size_t n, struct vg_diag *d);
    int (*follow_each)(struct vg_store *st, const char *follower,
                       int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                       struct vg_diag *d);
};

/* Unless said otherwise, each of these returns 0, VG_ENOENT when the named thing does not
 * exist, VG_EINVAL / VG_ECONFLICT / VG_EEXIST with a message in d, or VG_EIO (a store
 * failure, message in d when given). *out is a new reference. */

/* Imports checked indicators (core/record.h) in one transaction. Re-importing is idempotent:
 * an indicator equal in type and normal form is merged (given fields replace, first/last
 * seen widen). *out = {"added","updated","unchanged","ids":[...]} (ids in input order). */
int vg_store_indicator_import(struct vg_store *st, const struct vg_actor *who, const json_t *inds,
                              json_t **out, struct vg_diag *d);
/* The same import of records v[0..n) in one transaction, with the same rules and counts (the
 * JSON import above is this one on the records of its objects): ids (may be NULL) gets n ids,
 * ids[i] the indicator v[i] was stored as; *counts what was added, updated and unchanged. A
 * new indicator costs one statement. */
int vg_store_indicator_import_recs(struct vg_store *st, const struct vg_actor *who,
                                   const struct vg_indicator_rec *v, size_t n, long long *ids,
                                   struct vg_indicator_import_counts *counts, struct vg_diag *d);
/* *out = {"id","type","value","tlp","source","confidence","tags","first_seen","last_seen",
 * "expires","created","updated"}. */
int vg_store_indicator_get(struct vg_store *st, long long id, json_t **out);
/* filters: optional "type", "source", "value" (its normal form, with "type"). */
int vg_store_indicator_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                            json_t **out, struct vg_diag *d);
/* Calls fn for every indicator not expired at now (RFC 3339; NULL: all), in id order; stops
 * at fn's first non-zero return and returns it. */
int vg_store_indicator_each(struct vg_store *st, const char *now,
                            int (*fn)(void *ctx, long long id, const char *type, const char *value),
                            void *ctx);
/* A short text that changes whenever the set of indicators vg_store_indicator_each(now) gives
 * may have changed: an import or update on this connection, a commit by another connection
 * (any write: it errs on the side of a change), or an expiry passed by now. Cheap: no scan
 * of the table unless one of those happened. Writes at most cap bytes, NUL included; 0 or
 * VG_EIO. */
int vg_store_indicator_version(struct vg_store *st, const char *now, char *out, size_t cap);
/* Records the sightings v[0..n) (core/sighting.h) in one transaction, each counted in the alert
 * of its indicator, organisation and day (created when needed); alerts (may be NULL) gets n
 * ids, alerts[i] the one v[i] was counted in. VG_EINVAL ("sighting I: no such indicator or
 * organisation", field "indicator") and nothing written when one names neither a stored
 * indicator nor (org non-zero) a stored organisation. */
int vg_store_sightings_record(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_sighting *v, size_t n, long long *alerts,
                              struct vg_diag *d);
/* Records the n positions of follower (replacing those of the same paths), in one
 * transaction, or as part of the caller's (vg_store_tx_begin): written with the sightings read
 * up to them, a restart neither loses nor repeats one. 0 or VG_EIO. */
int vg_store_follow_put(struct vg_store *st, const char *follower,
                        const struct vg_follow_position *v, size_t n, struct vg_diag *d);
/* Calls fn for each position of follower, by path; fn's strings are valid during the call,
 * its non-zero value stops and is returned. 0 or VG_EIO. */
int vg_store_follow_each(struct vg_store *st, const char *follower,
                         int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                         struct vg_diag *d);
/* filters: optional "org", "indicator" (integers), "since" (RFC 3339). Newest first. */
int vg_store_sighting_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d);
/* filters: optional "status" (open, escalated), "org". Newest first. */
int vg_store_alert_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d);
/* Turns an open alert into an incident (fields may set title, class, type, severity) with the
 * indicator and the values seen attached as observables; VG_ECONFLICT if already done. */
int vg_store_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                            const json_t *fields, json_t **out, struct vg_diag *d);

/* Indicators as C records, for exports of many of them (app/share_export.c): no JSON object
 * per row. A sighting of a row: */
struct vg_indicator_row_sighting {
    long long id;
    long long org;    /* the constituent on the other side of the flow, or 0 */
    const char *seen; /* RFC 3339 */
    const char *tlp;  /* its own, else its indicator's (the one that applies) */
};
/* A row: the fields of vg_store_indicator_get, and its sightings (newest first: id
 * descending). Strings are never NULL but first_seen, last_seen and expires (NULL: absent);
 * tags is the stored JSON array of strings as text. Borrowed: valid until the next call. */
struct vg_indicator_row {
    long long id;
    const char *type, *value, *tlp, *source;
    int confidence;
    const char *tags;
    size_t tags_len;
    const char *first_seen, *last_seen, *expires, *created, *updated;
    const struct vg_indicator_row_sighting *sightings;
    size_t nsightings;
};
/* Opens a cursor over the indicators of type and source (each NULL: any), in id order, each
 * with its sightings (a second cursor walked beside the first, not a query per indicator);
 * *count (may be NULL) gets how many rows it will give. The rows are read in one snapshot of
 * the store. Close it with vg_store_indicator_rows_close before any other use of st. 0,
 * VG_ENOMEM or VG_EIO (d). */
int vg_store_indicator_rows_open(struct vg_store *st, const char *type, const char *source,
                                 struct vg_indicator_rows **out, size_t *count, struct vg_diag *d);
/* The next row: 1 with *row set, 0 after the last one, or VG_EIO / VG_ENOMEM (d). */
int vg_store_indicator_rows_next(struct vg_store *st, struct vg_indicator_rows *c,
                                 const struct vg_indicator_row **row, struct vg_diag *d);
/* Closes c (NULL: nothing). */
void vg_store_indicator_rows_close(struct vg_store *st, struct vg_indicator_rows *c);

#endif
