/* MISP's JSON (the MISP core format, as MISP instances and PyMISP exchange it, and MISP feeds):
 * events written from a document and read into a sink (share/share.h). Pure: no store, no
 * I/O, no TLP decision. */
#ifndef VG_MISP_H
#define VG_MISP_H

#include <stddef.h>

#include "share/share.h"
#include "share/stream.h"
#include "util/buf.h"
#include "util/err.h"

/* Writes one MISP event ({"Event": {...}}) of the container head (a document of
 * share/share.h without its "items") and the items that items gives, one at a time, straight
 * into out: uuid, info, date, timestamp, threat_level_id, analysis, Orgc, Attribute[] with
 * MISP types, category, to_ids, comment, uuid, timestamp and the item's TLP as an attribute
 * Tag (an item without a TLP: head's "tlp" as it is when the item is written), then the
 * comment attribute of "withheld", then distribution and Tag[] (tlp:..., PAP and RSIT
 * taxonomy tags). head's "tlp" and "withheld" are read again once items has given its last
 * item: the producer may set them while the gate runs over the items. The same head and
 * items write the same bytes. 0, or VG_EINVAL (d names the item's pointer, e.g.
 * "/items/3") / VG_ETOOBIG (out's cap) / items' own error; on error nothing is left
 * half-written in out (unless out failed). */
int vg_misp_write_stream(const json_t *head, const struct vg_share_items *items, struct vg_buf *out,
                         struct vg_diag *d);

/* The same event of a whole document (its "items" array): vg_misp_write_stream over the
 * array's items, each checked for its JSON types first (share/stream.h). */
int vg_misp_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d);

/* Reads MISP JSON in buf: an {"Event": {...}} wrapper, a bare event, a list of either, or
 * {"response": [...]} as MISP's REST search answers; attributes of the event and of its
 * objects; tags (TLP, PAP, RSIT) of events and attributes; Sighting[] of attributes. Calls
 * the sink as share/share.h says. Streams: memory stays bounded by the largest single
 * attribute, not the document, so that a 1,000,000-attribute event imports in little memory.
 * 0; VG_EINVAL with d's field the JSON pointer (and d->offset the byte) of the first thing
 * malformed, after the sink got everything valid before it; or a sink's non-zero return. */
int vg_misp_read(const char *buf, size_t len, const struct vg_share_sink *sink, struct vg_diag *d);

/* Writes a MISP feed's manifest entry of an event written by vg_misp_write, and its line of
 * hashes.csv, are the use case's (app/share.c): they need only the event's uuid, info, date,
 * timestamp, threat level, analysis, orgc and tags, which vg_misp_manifest_entry gives:
 * *out = {"info","date","timestamp","threat_level_id","analysis","Orgc":{...},"Tag":[...]}.
 * 0 or VG_EINVAL. */
int vg_misp_manifest_entry(const json_t *doc, json_t **out, struct vg_diag *d);

#endif
