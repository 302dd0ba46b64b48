/* The neutral form between the exchange formats (share/misp.h, share/stix.h) and vigie's
 * use cases (app/share.h). The formats are pure: a writer turns a document into bytes, a
 * reader turns bytes into calls of a sink. Neither sees the store nor decides on TLP: the use
 * case builds the document from the store and passes every member through the TLP gate
 * (core/tlp.h) before a writer sees it.
 *
 * A document (export) is a jansson object:
 *   {"kind": "incident" | "indicators",
 *    "uuid": the container's stable id (app derives it with vg_uuid5 from its reference),
 *    "producer": {"name": the CERT's name, "uuid": its identity's stable id},
 *    "title", "description", "created", "updated" (RFC 3339 UTC),
 *    "tlp": the container's TLP 2.0 name, "pap": PAP name or absent,
 *    incidents also: "ref", "class", "type" (RSIT), "severity", "status",
 *    "items": [item...], "withheld": how many members the gate removed (an integer)}
 * An item (an indicator or an incident's observable) is a jansson object:
 *   {"uuid": stable id, "type": a vigie observable type (core/observable.h: "ipv4-addr",
 *    "ipv6-addr", "domain-name", "url", "email-addr", "md5", "sha1", "sha256"),
 *    "value": its normal form, "tlp": TLP 2.0 name, "source", "comment" (may be absent),
 *    "confidence" (0..100, may be absent), "tags": [strings], "first_seen", "last_seen",
 *    "created", "updated" (RFC 3339 UTC or absent), "to_ids" (boolean, default true),
 *    "sightings": [{"uuid", "seen", "count", "source", "tlp"}] (may be absent)}
 * Fields a format does not know are kept where it has a place for them (x_vigie_* in STIX,
 * comment in MISP) or dropped; "withheld" is always written (x_vigie_withheld, a comment).
 *
 * A reader (import) calls its sink, in the order of the input, with:
 *   - container: once per container read (a MISP event, a STIX bundle, report or incident),
 *     its fields in the document form above without "items" (absent fields absent), plus
 *     "pointer" (its JSON pointer in the input);
 *   - item: once per supported value, in C form (struct vg_share_item below: no jansson
 *     object per item, for a million of them), with its pointer (where it is in the input:
 *     "/Event/Attribute/3", "/objects/12") and container (the uuid of its container, when it
 *     has one); its tlp is the item's own, else its container's, else NULL (the use case then
 *     applies the default, AMBER); its value as found (the use case normalises it with
 *     core/observable.h and skips it with a message if it is invalid);
 *   - skip: once per thing not imported (an unsupported attribute type, an object kept only as
 *     a reference, a pattern it cannot reduce): its pointer, what it is ("attribute type
 *     'vulnerability'", "object 'malware'") and why. What a reader understands whole is not
 *     a skip even when it gives no item: the structure of a document (STIX's identity of the
 *     producer, TLP marking-definitions, relationships between what it reads, the report
 *     that contains them) and the withheld count of vigie's own exports.
 * A callback returning non-zero stops the reader, which returns that value. Items and
 * containers are borrowed: valid during the call only. */
#ifndef VG_SHARE_H
#define VG_SHARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* An item in C form: what readers give the sink and what the streaming writers take, without a
 * jansson object per item (issue 12's speed targets: a million items). The fields are those of
 * the item form above; every pointer is borrowed (valid during the call that hands it over)
 * and NULL when absent. */
struct vg_share_sighting {
    const char *uuid;   /* stable id */
    const char *seen;   /* RFC 3339 UTC, or NULL */
    long long count;    /* >= 1 */
    const char *source; /* or NULL */
    const char *tlp;    /* TLP 2.0 name, or NULL: the item's */
};

struct vg_share_item {
    const char *pointer;   /* import: where it is in the input ("/Event/Attribute/3"); else NULL */
    const char *container; /* import: its container's uuid, or NULL */
    const char *uuid, *type, *value; /* type: a vigie observable type; value: as found (import)
                                      * or its normal form (export) */
    size_t value_len;                /* strlen(value) */
    const char *tlp; /* TLP 2.0 name, or NULL (import: the container's, else AMBER) */
    const char *source, *comment;
    int confidence; /* 0..100, or -1: absent */
    const char *const *tags;
    size_t ntags;
    const char *first_seen, *last_seen, *created, *updated; /* RFC 3339 UTC or NULL */
    bool to_ids;           /* false: an observable only (MISP's to_ids, STIX: SCO only) */
    const char *misp_type; /* the MISP attribute type it was read from / is to be written as */
    const struct vg_share_sighting *sightings;
    size_t nsightings;
};

struct vg_share_sink {
    void *ctx;
    int (*container)(void *ctx, const json_t *c);
    int (*item)(void *ctx, const struct vg_share_item *item);
    int (*skip)(void *ctx, const char *pointer, const char *what, const char *reason);
};

/* The item form (a new object; NULL when out of memory) of a C item: the fields present, to_ids
 * always, tags and sightings when there are some; "pointer" and "container" when given. For
 * tests, fuzz targets and what wants to keep an item. */
json_t *vg_share_item_json(const struct vg_share_item *it);

/* Room for the tags and sightings of a C item filled from a jansson item. */
struct vg_share_item_room {
    const char **tags;
    size_t tags_cap;
    struct vg_share_sighting *sightings;
    size_t sightings_cap;
};

/* Fills *it from j (the item form above) with pointers borrowed from j and room (valid while
 * both are): 0, or VG_ENOMEM. */
int vg_share_item_from_json(const json_t *j, struct vg_share_item *it,
                            struct vg_share_item_room *room);
void vg_share_item_room_cleanup(struct vg_share_item_room *room);

#endif
