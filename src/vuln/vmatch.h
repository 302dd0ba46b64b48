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

#include "util/buf.h"
#include "util/err.h"
#include "vuln/vuln.h"

/* The inventory: assets of organisations. An asset's CPE must name a part, vendor and
 * product without wildcards, and a concrete version (or "-"). Assets with the same name
 * share one "group", matched once. The matching functions refresh the inventory's lookup
 * lists when assets were added, so one inventory must not be matched from two threads at
 * once (the criteria index and the set, read-only, may be shared). */
struct vg_inventory;

struct vg_inventory *vg_inventory_new(void);
void vg_inventory_free(struct vg_inventory *inv);
/* Adds an asset of organisation org; returns its index (>= 0) or VG_EINVAL (d says why) or
 * VG_ENOMEM. Assets may be added at any time; indexes are stable. */
long vg_inventory_add(struct vg_inventory *inv, struct vg_str org, struct vg_str cpe,
                      struct vg_diag *d);
size_t vg_inventory_count(const struct vg_inventory *inv);
/* Organisation id and CPE (formatted string as given) of asset i. */
const char *vg_inventory_org(const struct vg_inventory *inv, size_t i);
const char *vg_inventory_cpe(const struct vg_inventory *inv, size_t i);

/* One finding: an asset of an organisation exposed to a CVE. */
struct vg_finding {
    uint32_t asset;  /* index in the inventory */
    uint32_t entry;  /* index in the vulnerability set */
    float cvss;      /* preferred CVSS base score, -1 if none */
    float epss;      /* EPSS probability, -1 if unknown */
    uint8_t tier;    /* 0: in KEV; 1: EPSS >= 0.1; 2: the rest */
};

/* A growable list of findings. */
struct vg_findings {
    struct vg_finding *v;
    size_t n, cap;
};

void vg_findings_init(struct vg_findings *f);
void vg_findings_cleanup(struct vg_findings *f);
/* Orders by priority: tier, then CVSS (higher first), then EPSS, then the newer CVE, then
 * the asset. */
void vg_findings_sort(struct vg_findings *f, const struct vg_vuln_set *s);
/* Appends finding f as one JSON object (no newline): org (a number when the organisation is
 * a decimal id, as a store's are; else a string), asset, cve, cvss {score, version,
 * severity}, kev {dateAdded, dueDate, knownRansomwareCampaignUse} or null, epss {score,
 * percentile} or null, priority (tier). */
int vg_finding_write_json(const struct vg_vuln_set *s, const struct vg_inventory *inv,
                          const struct vg_finding *f, struct vg_buf *out);

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
int vg_vmatch_all(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                  struct vg_inventory *inv, struct vg_findings *out);
/* One CVE (set entry index) against the inventory, e.g. after importing it. */
int vg_vmatch_vuln(const struct vg_vuln_set *s, size_t entry, struct vg_inventory *inv,
                   struct vg_findings *out);
/* One asset against every indexed CVE, e.g. after adding it. */
int vg_vmatch_asset(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                    struct vg_inventory *inv, size_t asset, struct vg_findings *out);
/* The straightforward way, for tests and benchmarks: each CVE of entries [first, first+n)
 * against each asset, criterion by criterion, without any index. Same results. */
int vg_vmatch_naive(const struct vg_vuln_set *s, size_t first, size_t n,
                    struct vg_inventory *inv, struct vg_findings *out);

#endif
