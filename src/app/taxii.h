/* The TAXII 2.1 server's use cases: collections and who may read and write them, pages of
 * objects, manifests and versions through the TLP gate, posted envelopes checked and stored
 * with a status resource, deletes. api/taxii.c is their HTTP side. */
#ifndef VG_APP_TAXII_H
#define VG_APP_TAXII_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"
#include "util/buf.h"

#define VG_TAXII_API_ROOT   "/taxii2/vigie/"
#define VG_TAXII_MEDIA      "application/taxii+json;version=2.1"
#define VG_TAXII_STIX_MEDIA "application/stix+json;version=2.1"

/* The filters of a TAXII request, parsed (owns its lists; vg_taxii_filter_cleanup). */
struct vg_taxii_filter {
    struct vg_taxii_query q; /* q.coll is set by the use case */
    char **lists[3];         /* ids, types, spec versions (owned) */
    long long *at;           /* match[version] timestamps (owned) */
};

/* Reads the query parameters of a TAXII request (each NULL when absent): added_after (a
 * timestamp), match[type], match[id], match[version] ("last", "first", "all" or timestamps,
 * comma-separated; def_versions when absent: VG_TAXII_V_*), match[spec_version], limit (1 or
 * more; over VG_TAXII_PAGE_MAX it is capped, absent VG_TAXII_PAGE_DEFAULT) and next (the
 * cursor of the previous page). 0, or VG_EINVAL with d naming the parameter. Clean f up
 * either way. */
int vg_taxii_filter_parse(struct vg_taxii_filter *f, const char *added_after, const char *type,
                          const char *id, const char *version, const char *spec, const char *limit,
                          const char *next, unsigned def_versions, struct vg_diag *d);
void vg_taxii_filter_cleanup(struct vg_taxii_filter *f);

/* Collections, admin side (the JSON API). in: {title, description?, readers?, writers?},
 * readers and writers "all" or arrays of partner ids (default []: the CERT's users only); the
 * id is a new UUID. *out = the collection. VG_EINVAL with the field's pointer. */
int vg_taxii_collection_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                               json_t **out, struct vg_diag *d);
/* Applies a patch of the same fields; VG_ENOENT, VG_EINVAL. */
int vg_taxii_collection_update(struct vg_store *st, const struct vg_actor *who, const char *id,
                               const json_t *patch, json_t **out, struct vg_diag *d);
/* Creates the inbox of a new partner: a collection that partner may read and write, of id the
 * UUIDv5 of "taxii-inbox:ID" (the same every time; VG_EEXIST if it is there). For the partner
 * use case to call when it creates one. */
int vg_taxii_inbox_create(struct vg_store *st, const struct vg_actor *who, long long partner_id,
                          const char *partner_name, json_t **out, struct vg_diag *d);

/* The actor's rights on a collection (as the store gives it): the CERT's users read all and
 * write with the analyst role; a partner reads (writes) a collection whose readers (writers)
 * are "all" or name it. */
void vg_taxii_rights(const struct vg_actor *who, const json_t *coll, bool *can_read,
                     bool *can_write);

/* The TAXII collections resource for who: {"collections": [{id, title, description, can_read,
 * can_write, media_types}]} with the collections it may read or write (the property left out
 * when there are none). */
int vg_taxii_collections(struct vg_store *st, const struct vg_actor *who, json_t **out,
                         struct vg_diag *d);
/* One collection resource as listed; VG_ENOENT also when who may neither read nor write it
 * (its existence is not confirmed). */
int vg_taxii_collection(struct vg_store *st, const struct vg_actor *who, const char *id,
                        json_t **out, struct vg_diag *d);

enum vg_taxii_view {
    VG_TAXII_OBJECTS,  /* an envelope {more, next, objects} of the objects */
    VG_TAXII_MANIFEST, /* {more, next, objects: [{id, date_added, version, media_type}]} */
    VG_TAXII_VERSIONS, /* {more, next, versions: [version...]} */
};

/* What a page answer says beside its body. */
struct vg_taxii_page {
    char first[32], last[32]; /* date_added of the first and last object served, "" if none */
    long long served;         /* objects in the answer */
    long long withheld;       /* objects of the page the TLP gate kept from who */
    bool more;
};

/* A page of collection coll for who, in date_added order, written as JSON text into out. Each
 * object passes the TLP gate (vg_tlp_may_send for who's recipient) or is withheld and counted.
 * VG_ENOENT: no such collection (or one who may not see); VG_EPERM: who may not read it. */
int vg_taxii_page(struct vg_store *st, const struct vg_actor *who, const char *coll,
                  enum vg_taxii_view view, struct vg_taxii_filter *f, struct vg_buf *out,
                  struct vg_taxii_page *info, struct vg_diag *d);

/* Stores the objects of an envelope ({"objects": [...]}) posted by who to coll, each checked
 * (type, id "type--UUID", spec_version "2.1", created/modified timestamps) and tagged with its
 * TLP (the most restrictive TLP marking of object_marking_refs; none: AMBER) and its source;
 * a stored object is then handed on (vg_taxii_set_posted_hook). *status = the status resource
 * (also stored, for GET status/{id}). VG_EINVAL for an envelope that is not one; VG_EPERM,
 * VG_ENOENT as for a page (write right). */
int vg_taxii_post(struct vg_store *st, const struct vg_actor *who, const char *coll,
                  const json_t *envelope, json_t **status, struct vg_diag *d);

/* What is done with the objects a TAXII POST stored: the import into vigie's indicators
 * (app/share.c, vg_share_taxii_posted), set by `vigie serve`. objects is the array of the
 * envelope's objects newly stored (in their order; refused and already stored ones left out),
 * handed on once per POST inside its transaction, so that a sighting finds the indicator it
 * is of in the same envelope; who the poster. A non-zero return is logged; the objects stay
 * stored. */
typedef int (*vg_taxii_posted_fn)(void *ctx, struct vg_store *st, const struct vg_actor *who,
                                  const char *coll, const json_t *objects);
void vg_taxii_set_posted_hook(vg_taxii_posted_fn fn, void *ctx);

/* Deletes the versions of object obj_id in coll that f matches (default: all). VG_ENOENT when
 * none (or, for a partner, when one of them is one the gate withholds from it); VG_EPERM when
 * who may not write the collection. */
int vg_taxii_delete(struct vg_store *st, const struct vg_actor *who, const char *coll,
                    const char *obj_id, struct vg_taxii_filter *f, struct vg_diag *d);

/* The status resource id as its poster (or any of the CERT's users) reads it; VG_ENOENT. */
int vg_taxii_status(struct vg_store *st, const struct vg_actor *who, const char *id, json_t **out,
                    struct vg_diag *d);

/* Timestamps as TAXII writes them: microseconds since the epoch <-> "YYYY-MM-DDTHH:MM:SS.ffffffZ"
 * (vg_taxii_time_parse reads any fraction, or none, but only UTC "Z"). */
void vg_taxii_time_fmt(long long us, char out[32]);
int vg_taxii_time_parse(const char *s, long long *us);

#endif
