/* STIX 2.1 (OASIS): bundles written from a document and read into a sink (share/share.h);
 * the pattern grammar is share/pattern.h. Pure: no store, no I/O, no TLP decision. */
#ifndef VG_STIX_H
#define VG_STIX_H

#include <stddef.h>

#include "share/share.h"
#include "share/stream.h"
#include "util/buf.h"
#include "util/err.h"

/* Writes doc as one STIX 2.1 bundle: an identity for the producer, the TLP 2.0
 * marking-definition objects used (official ids, core/tlp.h), per item an indicator with its
 * pattern ("[ipv4-addr:value = '198.51.100.0/24']", quotes and backslashes escaped), the SCO
 * with its deterministic id (UUIDv5 of its id-contributing properties, STIX 2.1 2.9) and a
 * relationship between them, sightings, and a report referring to them all (report_types
 * "incident" for an incident, with its fields as x_vigie_*: the official schemas reject an
 * incident SDO inside a bundle); every object with object_marking_refs; x_vigie_withheld on
 * the report. An item with to_ids false is written as its SCO only. docs/STIX.md. The bundle
 * validates against the official STIX 2.1 JSON schemas. The same document writes the same
 * bytes but the bundle's id. 0, or VG_EINVAL (d names the item's pointer) / VG_ETOOBIG. */
int vg_stix_write(const json_t *doc, struct vg_buf *out, struct vg_diag *d);

/* The same bundle of the container head (the document without "items") and the items that
 * items gives one at a time (share/stream.h), written straight into out; the report's
 * object_refs are gathered as ids while writing. head's "tlp" (the report's marking; also the
 * TLP of an item without one, as it is when the item is written) and "withheld" are read
 * again once items has given its last item: the producer may set them while the gate runs.
 * vg_stix_write is this over the document's "items" array, each item checked for its JSON
 * types first. Errors as vg_stix_write, or items' own. */
int vg_stix_write_stream(const json_t *head, const struct vg_share_items *items, struct vg_buf *out,
                         struct vg_diag *d);

/* Reads a STIX 2.1 bundle, a single object or a list of objects (a TAXII envelope's
 * "objects") in buf: indicators whose patterns reduce to comparisons of the supported types
 * (=, IN; LIKE reported) combined with OR and AND, SCOs, sightings, markings (TLP from
 * object_marking_refs); containers: the bundle, reports and incidents. Anything else is
 * reported to the sink's skip as kept only as a reference; a pattern it cannot reduce is
 * reported with the object's id and the position in the pattern. 0; VG_EINVAL with d's field
 * the JSON pointer of the first thing malformed, after the sink got everything valid before
 * it; or a sink's non-zero return. */
int vg_stix_read(const char *buf, size_t len, const struct vg_share_sink *sink, struct vg_diag *d);

/* The same on objects already parsed (TAXII POST bodies): objects is a JSON array of STIX
 * objects; pointer_base prefixes the pointers reported ("/objects"). */
int vg_stix_read_objects(const json_t *objects, const char *pointer_base,
                         const struct vg_share_sink *sink, struct vg_diag *d);

#endif
