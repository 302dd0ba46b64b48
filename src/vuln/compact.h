/* The compact form of a vulnerability record: what matching and findings need (id, dates,
 * preferred score, NVD configurations, CVE 5 affected products), in a versioned binary
 * encoding that a store keeps beside the imported JSON. Decoding it is a copy and a bounds
 * check per field, where re-reading the JSON is a parse of the whole feed record: a full
 * re-match from the database loads 250,000 records in a fraction of a second this way.
 *
 * Encoding (all integers unsigned LEB128 varints unless stated):
 *   "VGC1"                                   magic and version
 *   u8 source, u8 flags (1 rejected, 2 simple), u8 cvss_version, 4 bytes cvss (IEEE 754
 *   binary32, little-endian; negative: none)
 *   strings id, modified, published, severity  (varint length, bytes)
 *   nconfigs, nnodes, nmatches, naffected, nversions
 *   per configuration: count, u8 op          (its nodes follow the previous one's)
 *   per node: count, u8 op | negate << 1     (its criteria follow the previous node's)
 *   per criterion: u16 LE mask of VALUE attributes, u16 LE mask of NA attributes, the CPE
 *     text (string), per VALUE attribute its offset and length in that text, u8 flags
 *     (1 vulnerable, 2 has_range, 4 start_incl, 8 end_incl, 16 start present, 32 end
 *     present), then the present bounds as strings
 *   per affected product: vendor, product (strings), nversions, u8 default_affected
 *   per version: u8 flags (1 less_than present, 2 lte, 4 affected, 8 unaffected),
 *     version (string), less_than (string, when present)
 * Descriptions, CWEs and vectors are not kept (the store has them in its summary). */
#ifndef VG_VULN_COMPACT_H
#define VG_VULN_COMPACT_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"
#include "vuln/vuln.h"

/* Appends the compact form of v to out. Returns 0 or VG_ENOMEM (out->failed). */
int vg_vuln_encode(const struct vg_vuln *v, struct vg_buf *out);

/* Decodes n bytes of a compact form into a new record (json NULL, description, CWEs and
 * vector empty), or NULL with d naming the byte offset of what is wrong: a truncated or
 * altered form is refused (VG_EINVAL, d->offset >= 0), never read past; out of memory
 * leaves d->offset at -1. Free the record with vg_vuln_free. */
struct vg_vuln *vg_vuln_decode(const void *data, size_t n, struct vg_diag *d);

#endif
