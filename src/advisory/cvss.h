/* CVSS vector strings and scores (FIRST's specifications: CVSS v2.0, v3.0 and v3.1): a strict
 * parser, the writer of the canonical vector, and the base, temporal and environmental scores
 * and severities. Pure: no I/O, no allocation. Used by the CSAF checker's tests 6.1.8-6.1.10. */
#ifndef VG_CVSS_H
#define VG_CVSS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum vg_cvss_version {
    VG_CVSS_V2 = 20,  /* "AV:N/AC:L/Au:N/C:P/I:P/A:P" */
    VG_CVSS_V30 = 30, /* "CVSS:3.0/AV:N/..." */
    VG_CVSS_V31 = 31, /* "CVSS:3.1/AV:N/..." */
};

#define VG_CVSS_MAX_METRICS 22  /* v3.x: 8 base, 3 temporal, 11 environmental; v2: 6, 3, 5 */
#define VG_CVSS_MAX_VECTOR  160 /* the longest canonical vector, NUL included */

/* One value a metric may take: its letters in the vector, its name in the JSON form of FIRST's
 * schemas (cvss-v3.1.json: "attackVector": "ADJACENT_NETWORK"). */
struct vg_cvss_value {
    const char *abbr; /* "N", "POC", "X" */
    const char *json; /* "NETWORK", "PROOF_OF_CONCEPT", "NOT_DEFINED" */
    double weight;    /* its numeric value in the equations (v3.x PR: scope unchanged) */
};

/* A metric of one version, in the specification's order. */
struct vg_cvss_metric {
    const char *abbr;                   /* "AV", "MAV", "CDP" */
    const char *json;                   /* "attackVector", "collateralDamagePotential" */
    bool base;                          /* a base metric: required, exactly once */
    const struct vg_cvss_value *values; /* the values it may take */
    size_t nvalues;                     /* how many */
    int undefined;                      /* index of "X"/"ND" in values, -1 for base metrics */
};

/* A parsed vector: the version and, per metric of that version (vg_cvss_metrics' order), the
 * index of its value, or -1 when the vector does not give it (a temporal or environmental
 * metric then counts as Not Defined). */
struct vg_cvss {
    int version; /* enum vg_cvss_version */
    signed char value[VG_CVSS_MAX_METRICS];
};

/* The metrics of a version (NULL and *n = 0 for an unknown version). */
const struct vg_cvss_metric *vg_cvss_metrics(int version, size_t *n);

/* Parses len bytes of s as a vector of any of the three versions (v3.x by its "CVSS:3.x/"
 * prefix, v2 without a prefix; v2's surrounding parentheses as NVD used to write them are not
 * accepted). Strict, as the specifications say: every base metric exactly once, temporal and
 * environmental metrics at most once each, metrics in any order, values and names case
 * sensitive, no empty part, no trailing "/". 0, or VG_EINVAL with d naming the first fault
 * (d->offset: its byte offset). */
int vg_cvss_parse(const char *s, size_t len, struct vg_cvss *out, struct vg_diag *d);

/* Writes the canonical vector of c (the prefix, the base metrics in the specification's order,
 * then the temporal and environmental metrics the vector gave, in order). 0, or VG_ETOOBIG
 * (cap too small) / VG_EINVAL (c not a parsed vector). */
int vg_cvss_format(const struct vg_cvss *c, char *out, size_t cap);

/* The scores of a vector, each 0.0-10.0 with one decimal. temporal is the base score
 * adjusted by the temporal metrics (equal to base when they are all Not Defined), environmental
 * the specification's environmental score (v3.x: with the modified base metrics, v2: with
 * CDP/TD and the requirements). v3.x rounds up as its specification says (3.1: Appendix A's
 * Roundup; 3.0: the smallest one-decimal number not below the input), v2 to the nearest tenth. */
struct vg_cvss_scores {
    double base;
    double temporal;
    double environmental;
};
int vg_cvss_score(const struct vg_cvss *c, struct vg_cvss_scores *out);

/* The rounding of a version's equations, for the tests: v3.1 Roundup, v3.0 round up, v2 round
 * to the nearest tenth. */
double vg_cvss_round(int version, double x);

/* The qualitative severity of a v3.x score (the v3.x specification's table): "NONE" (0.0),
 * "LOW" (0.1-3.9), "MEDIUM" (4.0-6.9), "HIGH" (7.0-8.9), "CRITICAL" (9.0-10.0). */
const char *vg_cvss_severity(double score);

#endif
