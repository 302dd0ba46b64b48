/* Findings: an asset of an organisation exposed to a CVE, with the scores that order them
 * (KEV first, then EPSS >= 0.1, then CVSS), and their JSON. */
#ifndef VG_FINDINGS_H
#define VG_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "vuln/inventory.h"
#include "vuln/vuln.h"

/* One finding: an asset of an organisation exposed to a CVE. */
struct vg_finding {
    uint32_t asset; /* index in the inventory */
    uint32_t entry; /* index in the vulnerability set */
    float cvss;     /* preferred CVSS base score, -1 if none */
    float epss;     /* EPSS probability, -1 if unknown */
    uint8_t tier;   /* 0: in KEV; 1: EPSS >= 0.1; 2: the rest */
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

#endif
