/* Vulnerabilities in memory: one record per CVE as NVD and CVE 5 give it (applicability,
 * scores, dates), KEV and EPSS data joined by CVE, and the set that holds them all. Shapes
 * follow the feeds so that a store can persist them field by field (or keep the JSON). */
#ifndef VG_VULN_H
#define VG_VULN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vuln/cpe.h"
#include "vuln/version.h"

/* Where a record came from. */
enum vg_vuln_source { VG_VULN_NVD = 1, VG_VULN_CVE5 = 2 };

/* Operators of NVD configurations and nodes. */
enum vg_vuln_op { VG_VULN_OR = 0, VG_VULN_AND = 1 };

/* One NVD cpeMatch criterion. */
struct vg_cpe_match {
    struct vg_cpe cpe;             /* criteria; values lower-cased, text in the record */
    struct vg_version_range range; /* versionStart/End bounds (ptr NULL when absent) */
    bool vulnerable;               /* true: the product is vulnerable; false: "running on" */
    bool has_range;                /* a bound is present */
    uint32_t node;                 /* index of its node in the record */
};

/* One node: criteria combined by op, the result inverted when negate. */
struct vg_vuln_node {
    uint32_t first;  /* first criterion (index in matches) */
    uint32_t count;  /* number of criteria */
    uint32_t config; /* index of its configuration */
    uint8_t op;      /* enum vg_vuln_op */
    bool negate;     /* node holds when its criteria do not */
};

/* One configuration: nodes combined by op (NVD's default OR). */
struct vg_vuln_config {
    uint32_t first; /* first node */
    uint32_t count; /* number of nodes */
    uint8_t op;     /* enum vg_vuln_op */
};

/* One CVE 5 `affected[].versions[]` entry. */
struct vg_affected_version {
    struct vg_str version;   /* `version` (a lower bound when a less-than is set) */
    struct vg_str less_than; /* lessThan or lessThanOrEqual, ptr NULL if neither */
    bool lte;                /* less_than is lessThanOrEqual */
    bool affected;           /* status "affected" (else unaffected or unknown: ignored) */
    bool unaffected;         /* status "unaffected" */
};

/* One CVE 5 `affected[]` product. Names are normalised by the product-name rule
 * (core/product.h vg_product_name: lower case, each run of characters other than letters
 * and digits between two of them as one `_`, none at the ends: "Example.org" is
 * "example_org", ".NET" is "net"). */
struct vg_affected {
    struct vg_str vendor;  /* normalised vendor */
    struct vg_str product; /* normalised product */
    struct vg_affected_version *versions;
    uint32_t nversions;
    bool default_affected; /* defaultStatus "affected" */
};

/* One CVE as one feed describes it. Everything pointed to lives in `block` and `arrays`. */
struct vg_vuln {
    char id[24];                    /* "CVE-2024-12345" */
    uint64_t key;                   /* vg_vuln_key(id) */
    uint8_t source;                 /* enum vg_vuln_source */
    bool rejected;                  /* NVD "Rejected" or CVE 5 state REJECTED: never matched */
    bool simple;                    /* every configuration is one plain OR node */
    char modified[32];              /* NVD lastModified or CVE 5 dateUpdated, ISO 8601 */
    char published[32];             /* published / datePublished */
    float cvss;                     /* preferred base score, -1 if none */
    uint8_t cvss_version;           /* 40, 31, 30, 20, or 0 */
    char severity[12];              /* "CRITICAL", "HIGH", ...; "" if none */
    struct vg_str cvss_vector;      /* vector string of that score */
    struct vg_str cwes;             /* "CWE-79,CWE-89" (first few), may be empty */
    struct vg_str description;      /* first English description, may be empty */
    struct vg_vuln_config *configs; /* NVD configurations */
    uint32_t nconfigs;
    struct vg_vuln_node *nodes;
    uint32_t nnodes;
    struct vg_cpe_match *matches;
    uint32_t nmatches;
    struct vg_affected *affected; /* CVE 5 affected[] (cna container) */
    uint32_t naffected;
    char *json; /* the record re-serialised (compact), if kept; or NULL */
    size_t json_len;
    void *arrays; /* owns configs, nodes, matches, affected, versions */
    char *block;  /* owns the strings */
};

/* CISA KEV data of a CVE. */
struct vg_kev {
    char date_added[11]; /* YYYY-MM-DD */
    char due_date[11];   /* YYYY-MM-DD, "" if absent */
    bool ransomware;     /* knownRansomwareCampaignUse == "Known" */
    char vendor[64];     /* vendorProject (truncated) */
    char product[64];    /* product (truncated) */
};

/* Everything known of one CVE: its records by source and the joined feeds. */
struct vg_vuln_entry {
    uint64_t key;         /* vg_vuln_key of the id */
    struct vg_vuln *nvd;  /* NVD record or NULL */
    struct vg_vuln *cve5; /* CVE 5 record or NULL */
    bool has_kev;
    struct vg_kev kev;
    float epss;     /* EPSS probability, -1 if unknown */
    float epss_pct; /* EPSS percentile, -1 if unknown */
};

struct vg_vuln_set;

/* Result of vg_vuln_set_put. */
enum vg_vuln_put { VG_VULN_ADDED, VG_VULN_UPDATED, VG_VULN_UNCHANGED };

/* Parses "CVE-YYYY-NNNN" (4 to 10 digits after the year) into a sortable key (later years
 * and numbers are larger); 0 if not a CVE id. */
uint64_t vg_vuln_key(struct vg_str id);
/* Writes the id of key into out (at least 24 bytes). */
void vg_vuln_key_id(uint64_t key, char *out, size_t cap);

/* Frees a record (NULL does nothing). */
void vg_vuln_free(struct vg_vuln *v);
/* The record whose applicability is used for matching: NVD when it has configurations, else
 * CVE 5 when it has affected products; NULL if neither (or rejected). */
const struct vg_vuln *vg_vuln_entry_applicability(const struct vg_vuln_entry *e);
/* The record whose scores are shown: NVD if it has a score, else CVE 5; may be NULL. */
const struct vg_vuln *vg_vuln_entry_scored(const struct vg_vuln_entry *e);

struct vg_vuln_set *vg_vuln_set_new(void);
void vg_vuln_set_free(struct vg_vuln_set *s);
/* Adds record v (ownership passes to the set, even on failure). A record of the same CVE and
 * source is replaced when v's `modified` is later, else v is dropped (UNCHANGED). Returns an
 * enum vg_vuln_put value or VG_ENOMEM. */
int vg_vuln_set_put(struct vg_vuln_set *s, struct vg_vuln *v);
/* Sets the KEV data of a CVE (last one wins). Returns VG_VULN_ADDED/UPDATED or VG_ENOMEM. */
int vg_vuln_set_put_kev(struct vg_vuln_set *s, uint64_t key, const struct vg_kev *k);
/* Sets the EPSS data of a CVE. */
int vg_vuln_set_put_epss(struct vg_vuln_set *s, uint64_t key, float epss, float pct);
/* Number of entries and entry i (stable indexes: entries are never removed). */
size_t vg_vuln_set_count(const struct vg_vuln_set *s);
const struct vg_vuln_entry *vg_vuln_set_at(const struct vg_vuln_set *s, size_t i);
/* Index of the entry of key, or -1. */
long vg_vuln_set_find(const struct vg_vuln_set *s, uint64_t key);
/* Records the EPSS file's model version and score date ("" if unknown). */
void vg_vuln_set_epss_meta(struct vg_vuln_set *s, const char *model, const char *date);
const char *vg_vuln_set_epss_model(const struct vg_vuln_set *s);

#endif
