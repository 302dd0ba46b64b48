/* The items of a document handed to the streaming writers one at a time (share/misp.h
 * vg_misp_write_stream, share/stix.h vg_stix_write_stream), as C records (share/share.h's
 * struct vg_share_item) rather than a jansson array: an export of a million indicators then
 * holds one row at a time, not a million objects. */
#ifndef VG_SHARE_STREAM_H
#define VG_SHARE_STREAM_H

#include <stddef.h>

#include "share/share.h"
#include "util/err.h"

/* Where a streaming writer pulls its items from. next gives the next item: 1 with *item set
 * (borrowed: valid until the next call of next), 0 when there is none left, or a negative
 * VG_E* code with d set (the writer then stops and returns it). The writers read a
 * sighting's count below 0 as absent, an item's confidence below 0 as absent. */
struct vg_share_items {
    void *ctx;
    int (*next)(void *ctx, const struct vg_share_item **item, struct vg_diag *d);
    size_t hint; /* the number of items expected (room is reserved for them), or 0 */
};

/* The items of a document's "items" array (share/share.h's JSON form) as C records, for the
 * writers' adapters vg_misp_write and vg_stix_write: each item is checked as that writer
 * checked it (strict: STIX's types, members of the wrong JSON type are errors; lenient:
 * MISP's, they are absent) and errors name "/items/I/...". The struct is the adapter's;
 * vg_share_doc_items_cleanup frees what it holds. */
struct vg_share_doc_items {
    const json_t *items; /* the array, or NULL */
    size_t i;            /* the next index */
    bool strict;
    struct vg_share_item item;
    const char **tags;
    size_t tags_cap;
    struct vg_share_sighting *sightings;
    size_t sightings_cap;
};

void vg_share_doc_items_init(struct vg_share_doc_items *it, const json_t *items, bool strict,
                             struct vg_share_items *out);
void vg_share_doc_items_cleanup(struct vg_share_doc_items *it);

#endif
