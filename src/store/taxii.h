/* The store of the TAXII 2.1 server: collections, the STIX objects posted to them (one row per
 * version, the JSON text kept) and the status resources of the POSTs. Included by
 * store/store.h; a backend fills struct vg_store_taxii_ops. A page of objects is read by a
 * range scan on (collection, date_added), never by loading the collection. */
#ifndef VG_STORE_TAXII_H
#define VG_STORE_TAXII_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/base.h"

/* Which versions of each object a query takes (bits; 0 is VG_TAXII_V_LAST). */
enum {
    VG_TAXII_V_LAST = 1,  /* the version with the greatest modified */
    VG_TAXII_V_FIRST = 2, /* the version with the smallest */
    VG_TAXII_V_ALL = 4,   /* every version */
    VG_TAXII_V_AT = 8,    /* the versions listed in at[] */
};

/* A query over the objects of one collection, in date_added order. */
struct vg_taxii_query {
    const char *coll;       /* collection id (UUID) */
    long long after;        /* date_added strictly greater (microseconds), -1: none */
    const char *const *ids; /* match[id]: any of these (n_ids 0: any) */
    size_t n_ids;
    const char *const *types; /* match[type] */
    size_t n_types;
    const char *const *specs; /* match[spec_version] */
    size_t n_specs;
    unsigned versions;   /* VG_TAXII_V_* bits, OR-ed */
    const long long *at; /* VG_TAXII_V_AT: versions in microseconds */
    size_t n_at;
    int limit; /* rows wanted, >= 1 */
};

/* One stored object version as a query reads it (valid during the callback only). */
struct vg_taxii_row {
    long long added; /* date_added, microseconds */
    const char *id;  /* STIX id */
    const char *type;
    const char *spec_version;
    const char *version; /* as in the object */
    int tlp;             /* enum vg_tlp */
    const char *object;  /* JSON text */
    size_t object_len;
};
/* Called per row; non-zero stops the query and is returned. */
typedef int (*vg_taxii_row_fn)(void *ctx, const struct vg_taxii_row *row);

/* An object version to store. */
struct vg_taxii_new {
    const char *id, *type, *spec_version, *version;
    long long version_us;
    int tlp;            /* enum vg_tlp */
    const char *source; /* "partner:ID" or "user:NAME" */
    const char *object; /* JSON text */
    size_t object_len;
};

struct vg_store_taxii_ops {
    int (*coll_create)(struct vg_store *st, const struct vg_actor *who, const json_t *coll,
                       json_t **out, struct vg_diag *d);
    int (*coll_get)(struct vg_store *st, const char *id, json_t **out);
    int (*coll_list)(struct vg_store *st, json_t **out);
    int (*coll_update)(struct vg_store *st, const struct vg_actor *who, const char *id,
                       const json_t *patch, json_t **out, struct vg_diag *d);
    int (*obj_add)(struct vg_store *st, const char *coll, long long now_us,
                   const struct vg_taxii_new *o, long long *added, bool *dup, struct vg_diag *d);
    int (*obj_query)(struct vg_store *st, const struct vg_taxii_query *q, vg_taxii_row_fn fn,
                     void *ctx, bool *more);
    int (*obj_delete)(struct vg_store *st, const struct vg_actor *who,
                      const struct vg_taxii_query *q, long long *deleted, struct vg_diag *d);
    int (*status_put)(struct vg_store *st, const char *id, long long partner_id,
                      const json_t *status, struct vg_diag *d);
    int (*status_get)(struct vg_store *st, const char *id, long long *partner_id, json_t **out);
};

/* Creates a collection from a checked record {id, title, description, readers, writers}
 * (readers and writers: "all" or an array of partner ids); *out = it as coll_get gives it.
 * VG_EEXIST if the id is taken. */
int vg_store_taxii_coll_create(struct vg_store *st, const struct vg_actor *who, const json_t *coll,
                               json_t **out, struct vg_diag *d);
/* *out = {id, title, description, readers, writers, created, updated}; VG_ENOENT. */
int vg_store_taxii_coll_get(struct vg_store *st, const char *id, json_t **out);
/* *out = every collection as coll_get gives them, oldest first (an array). */
int vg_store_taxii_coll_list(struct vg_store *st, json_t **out);
/* Applies a checked patch (title, description, readers, writers); *out = the collection;
 * VG_ENOENT. */
int vg_store_taxii_coll_update(struct vg_store *st, const struct vg_actor *who, const char *id,
                               const json_t *patch, json_t **out, struct vg_diag *d);
/* Stores an object version in collection coll. Its date_added is now_us, or one microsecond
 * past the collection's last one if that is not later: unique and increasing within the
 * collection; *added receives it. A version already stored (same id and version) is left as it
 * is: *dup set, 0 returned. VG_ENOENT if there is no such collection. */
int vg_store_taxii_obj_add(struct vg_store *st, const char *coll, long long now_us,
                           const struct vg_taxii_new *o, long long *added, bool *dup,
                           struct vg_diag *d);
/* Runs q: fn for each matching row in date_added order, at most q->limit rows; *more tells
 * whether more rows match after them. 0, VG_ENOENT (no such collection), VG_EIO, or fn's
 * non-zero return. */
int vg_store_taxii_obj_query(struct vg_store *st, const struct vg_taxii_query *q,
                             vg_taxii_row_fn fn, void *ctx, bool *more);
/* Deletes the rows q matches (q->limit and q->after ignored); *deleted = how many. Audited. */
int vg_store_taxii_obj_delete(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_taxii_query *q, long long *deleted,
                              struct vg_diag *d);
/* Stores the status resource of a POST (id: a UUID), readable by its poster partner_id (0: a
 * user). */
int vg_store_taxii_status_put(struct vg_store *st, const char *id, long long partner_id,
                              const json_t *status, struct vg_diag *d);
/* *out = a status resource and *partner_id its poster; VG_ENOENT. */
int vg_store_taxii_status_get(struct vg_store *st, const char *id, long long *partner_id,
                              json_t **out);

#endif
