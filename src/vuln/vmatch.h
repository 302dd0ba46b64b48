/* Matching the constituency's inventory (organisation, product CPE with a version) against
 * the applicability of every CVE: NVD configurations (AND/OR nodes, negate, vulnerable versus
 * "running on" criteria, version ranges) or, without them, CVE 5 affected[] names and
 * versions. Findings carry the scores that order them: KEV first, then EPSS >= 0.1, then
 * CVSS. An index of criteria by (part, vendor, product) makes a full re-match cheap; the
 * same code matches one new CVE or one new asset. */
#ifndef VG_VMATCH_H
#define VG_VMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "vuln/findings.h"
#include "vuln/inventory.h"
#include "vuln/vuln.h"

/* The criteria index of a set: build it after loading, share it read-only. Entries added
 * to the set later are not in it (match them with vg_vmatch_vuln, rebuild at leisure). */
struct vg_vindex;

struct vg_vindex *vg_vindex_build(const struct vg_vuln_set *s);
void vg_vindex_free(struct vg_vindex *ix);
/* Number of criteria indexed, and bytes the index holds (approximate). */
size_t vg_vindex_criteria(const struct vg_vindex *ix);
size_t vg_vindex_bytes(const struct vg_vindex *ix);

/* Full re-match: every asset against every indexed CVE. Appends findings (unsorted) to out.
 * Returns 0 or VG_ENOMEM. */
int vg_vmatch_all(const struct vg_vindex *ix, const struct vg_vuln_set *s, struct vg_inventory *inv,
                  struct vg_findings *out);
/* One CVE (set entry index) against the inventory, e.g. after importing it. */
int vg_vmatch_vuln(const struct vg_vuln_set *s, size_t entry, struct vg_inventory *inv,
                   struct vg_findings *out);
/* One asset against every indexed CVE, e.g. after adding it. */
int vg_vmatch_asset(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                    struct vg_inventory *inv, size_t asset, struct vg_findings *out);
/* The straightforward way, for tests and benchmarks (naive.c, in the library but called by
 * no command): each CVE of entries [first, first+n) against each asset, criterion by
 * criterion, without any index. Same results. */
int vg_vmatch_naive(const struct vg_vuln_set *s, size_t first, size_t n, struct vg_inventory *inv,
                    struct vg_findings *out);

#endif
