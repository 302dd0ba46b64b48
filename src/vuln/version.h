/* Version order for vulnerability ranges: a total order over arbitrary version strings that
 * follows what CPE and CVE data hold (dotted numbers, pre-releases, patch letters,
 * post-releases, build suffixes, dates). The rules are in docs/VERSIONS.md. */
#ifndef VG_VULN_VERSION_H
#define VG_VULN_VERSION_H

#include <stdbool.h>

#include <stddef.h>

#include "util/limits.h"
#include "util/str.h"

/* Compares versions a and b: negative, 0 or positive. A total preorder: 0 means equivalent
 * ("2.0" and "2.0.0"), and it is antisymmetric and transitive for every pair of inputs,
 * including bytes that are not version-like. Only the first VG_MAX_VERSION bytes and
 * VG_MAX_VERSION_ITEMS tokens count. */
int vg_version_cmp(struct vg_str a, struct vg_str b);

/* Bytes a version key may take: VG_MAX_VERSION bytes plus 3 per item, and 4 more. */
#define VG_VERSION_KEY_MAX (VG_MAX_VERSION + 3 * VG_MAX_VERSION_ITEMS * 2 + 8)

/* Writes v's sort key into key (VG_VERSION_KEY_MAX bytes) and returns its length. Keys
 * compare with vg_version_key_cmp exactly as vg_version_cmp compares the versions; this is
 * how vg_version_cmp works, and what an index stores to compare without re-reading. */
size_t vg_version_key(struct vg_str v, unsigned char *key);
/* memcmp of two keys, the shorter first on a tie. */
int vg_version_key_cmp(const unsigned char *a, size_t al, const unsigned char *b, size_t bl);

/* One version range, as NVD's cpeMatch (versionStart/End, Including/Excluding) or CVE 5's
 * versions[] give it. A bound with ptr == NULL is absent. */
struct vg_version_range {
    struct vg_str start; /* lower bound, or {NULL, 0} */
    struct vg_str end;   /* upper bound, or {NULL, 0} */
    bool start_incl;     /* start is versionStartIncluding (else Excluding) */
    bool end_incl;       /* end is versionEndIncluding (else Excluding) */
};

/* Is v within r. A range with no bound at all holds every version. */
bool vg_version_in_range(struct vg_str v, const struct vg_version_range *r);

#endif
