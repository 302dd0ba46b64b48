/* What the files of src/vuln share only among themselves: the inventory's layout, hits,
 * criteria in the index's form, and the helpers of the matcher's files (inventory.c,
 * criteria.c, evaluate.c, vindex.c, vmatch.c, naive.c, findings.c) and of the feed readers
 * (feed.c, builder.c, nvd.c, cve5.c, kev.c, epss.c). Not for use outside src/vuln. */
#ifndef VG_VULN_INT_H
#define VG_VULN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/sort.h"
#include "vuln/cpe.h"
#include "vuln/feed.h"
#include "vuln/findings.h"
#include "vuln/inventory.h"
#include "vuln/vmatch.h"
#include "vuln/vuln.h"

/* ---- the inventory (inventory.c) ---- */

struct group {
    struct vg_cpe cpe;   /* the parsed CPE, lower-cased; text in mem */
    char *mem;           /* owns: CPE values, then uver, then names */
    const char *uver;    /* version without quoting ("" for -) */
    const char *names;   /* name key "vendor:product" (core/product.h) */
    unsigned char *vkey; /* version key (owned) */
    uint16_t vklen;
    size_t names_len;
    uint32_t first; /* first asset; assets chain through asset.next */
    uint32_t count;
};

struct asset {
    uint32_t org;   /* index in orgs */
    uint32_t group; /* index in groups */
    uint32_t next;  /* next asset of the group, UINT32_MAX at the end */
    char *cpe;      /* as given (owned) */
};

/* An asset as a group lists it, with its organisation at hand. */
struct gasset {
    uint32_t asset;
    uint32_t org;
};

/* Groups listed by key: CSR arrays built on demand. */
struct glist {
    struct vg_strmap keys; /* key -> list */
    uint32_t *start;       /* list l is groups[start[l] .. start[l+1]) */
    uint32_t *groups;
};

struct vg_inventory {
    struct vg_strmap orgs;
    struct vg_strmap by_cpe; /* normalised formatted string -> group */
    struct group *groups;
    size_t ngroups, capg;
    struct asset *assets;
    size_t n, cap;
    bool dirty;         /* lists below are stale */
    struct glist prod;  /* "part:vendor:product" -> groups */
    struct glist names; /* CVE 5 names -> groups */
    uint32_t *gstart;   /* assets of group g: gassets[gstart[g] .. gstart[g+1]) */
    struct gasset *gassets;
    uint32_t *org_start; /* assets of org o: org_assets[org_start[o] .. org_start[o+1]) */
    uint32_t *org_assets;
};

/* ---- hits and evaluation (evaluate.c) ---- */

#define CVE5_BIT 0x80000000u

struct hit {
    uint32_t entry; /* set entry */
    uint32_t match; /* criterion index, or CVE5_BIT | affected index */
    uint32_t group; /* inventory group */
};

struct hits {
    struct hit *v;
    size_t n, cap;
};

/* ---- criteria in the index's form (criteria.c, vindex.c) ---- */

enum { K_EXACT, K_RANGE, K_OTHER, K_CVE5 };

struct ixent {
    const void *rec;         /* the criterion (struct vg_cpe_match) or CVE 5 product */
    uint32_t entry;          /* set entry */
    uint32_t match;          /* criterion, or affected index for K_CVE5 */
    const unsigned char *k1; /* exact version key, or range start key (NULL: none) */
    const unsigned char *k2; /* range end key (NULL: none) */
    uint16_t l1, l2;         /* key lengths */
    uint8_t kind;            /* K_* */
    uint8_t flags;           /* 1: start inclusive, 2: end inclusive, 4: version attr set */
};

/* ---- helpers ---- */

/* The key of (vendor, product) names already normalised, as CVE 5 records hold them:
 * "vendor:product" (core/product.h); 0 if it does not fit in cap. */
static inline size_t vuln_name_key(struct vg_str vendor, struct vg_str product, char *out,
                                   size_t cap)
{
    if (vendor.len + product.len + 2 > cap)
        return 0;
    memcpy(out, vendor.ptr, vendor.len);
    out[vendor.len] = ':';
    memcpy(out + vendor.len + 1, product.ptr, product.len);
    return vendor.len + product.len + 1;
}

/* Refreshes the inventory's lookup lists if assets were added; 0 or VG_ENOMEM. */
int vuln_inventory_index(struct vg_inventory *inv);

/* ---- criterion tests (criteria.c) ---- */

/* Attributes other than part, vendor, product and version: the criterion must equal or
 * contain the asset's value; an attribute the asset leaves ANY is unknown, so accepted. */
static inline bool vuln_rest_ok(const struct vg_cpe *crit, const struct vg_cpe *asset, int from)
{
    for (int a = from; a < VG_CPE_NATTR; a++) {
        if (a == VG_CPE_VERSION || asset->kind[a] == VG_CPE_ANY || crit->kind[a] == VG_CPE_ANY)
            continue;
        enum vg_cpe_rel r = vg_cpe_compare_attr(crit, asset, (enum vg_cpe_attr)a);
        if (r != VG_CPE_EQUAL && r != VG_CPE_SUPERSET)
            return false;
    }
    return true;
}

/* A CVE 5 product against a group: an asset without version ("-") is only hit by a product
 * affected whatever the version. */
bool vuln_group_affected(const struct vg_affected *a, const struct group *g);
/* Describes criterion m (entry, index mi) for the index; keys are written to kb1 / kb2
 * (VG_VERSION_KEY_MAX bytes each) and e points at them. */
void vuln_make_ixent(const struct vg_cpe_match *m, uint32_t entry, uint32_t mi, unsigned char *kb1,
                     unsigned char *kb2, struct ixent *e);
/* Tests index entry e (NVD kinds) against group g; the bucket vouches for part, vendor and
 * product unless wild. */
bool vuln_ixent_hit(const struct vg_vuln_set *s, const struct ixent *e, const struct group *g,
                    bool wild);
/* Full test of criterion m, described by ie (vuln_make_ixent), against group g. */
bool vuln_ixent_test(const struct vg_vuln_set *s, const struct vg_cpe_match *m,
                     const struct ixent *ie, const struct group *g);

/* ---- hits and their evaluation (evaluate.c) ---- */

static inline int vuln_hits_push(struct hits *h, uint32_t entry, uint32_t match, uint32_t group)
{
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 1024;
        struct hit *v = vg_realloc(h->v, nc * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        h->v = v;
        h->cap = nc;
    }
    h->v[h->n++] = (struct hit){entry, match, group};
    return 0;
}

/* Does hit h refer to a criterion (or CVE 5 product) of v? Not when the index was built
 * before v replaced an older record of the CVE: such hits are dropped (rebuild the index). */
bool vuln_hit_valid(const struct vg_vuln *v, const struct hit *h);
/* qsort order of hits: by entry, then group. */
int vuln_cmp_hit(const void *a, const void *b);
/* Sorts hits by entry and evaluates each entry into findings appended to out; only_org
 * limits findings to one organisation (UINT32_MAX: all). 0 or VG_ENOMEM. */
int vuln_eval_hits(const struct vg_vuln_set *s, const struct vg_inventory *inv, struct hits *h,
                   uint32_t only_org, struct vg_findings *out);

/* ---- the index (vindex.c) ---- */

/* Appends all hits of group gi in the index to h; 0 or VG_ENOMEM. */
int vuln_group_hits(const struct vg_vindex *ix, const struct vg_vuln_set *s,
                    const struct vg_inventory *inv, uint32_t gi, struct hits *h);

/* ---- findings (findings.c) ---- */

/* The finding of entry (asset 0) with the scores every finding of entry carries. */
struct vg_finding vuln_finding_of(const struct vg_vuln_set *s, uint32_t entry);

/* Appends a copy of tmpl for asset; 0 or VG_ENOMEM. */
static inline int vuln_emit_f(struct vg_findings *out, const struct vg_finding *tmpl,
                              uint32_t asset)
{
    if (out->n == out->cap) {
        size_t nc = out->cap ? out->cap * 2 : 1024;
        struct vg_finding *v = vg_realloc(out->v, nc * sizeof *v);
        if (!v)
            return VG_ENOMEM;
        out->v = v;
        out->cap = nc;
    }
    out->v[out->n] = *tmpl;
    out->v[out->n++].asset = asset;
    return 0;
}

/* Appends the finding of entry for asset; 0 or VG_ENOMEM. */
int vuln_emit(struct vg_findings *out, const struct vg_vuln_set *s, uint32_t entry, uint32_t asset);

/* ---- feed readers: building a record (builder.c) ---- */

/* While a record is built, string slices hold offset + 1 into the string buffer instead of
 * an address (0 stays "absent"); vuln_rec_finish turns them into addresses. */
#define OFFSET_PTR(off) ((const char *)(uintptr_t)((off) + 1))

/* A record being built (builder.c). */
struct vuln_rec {
    struct vg_vuln *v;
    struct vg_buf strs; /* all strings, NUL-separated */
    struct vg_vuln_config *configs;
    size_t nconfigs, cap_configs;
    struct vg_vuln_node *nodes;
    size_t nnodes, cap_nodes;
    struct vg_cpe_match *matches;
    size_t nmatches, cap_matches;
    struct vg_affected *affected;
    size_t naffected, cap_affected;
    struct vg_affected_version *versions; /* all products' versions, in order */
    size_t nversions, cap_versions;
    struct vg_diag *d;
    char ptr[512]; /* JSON pointer of the record */
};

#define GROW(r, arr, n, cap) vuln_rec_grow((void **)&(r)->arr, &(r)->cap, (r)->n, sizeof *(r)->arr)

/* Grows array *p of *cap elements of size sz to hold n + 1; 0 or VG_ENOMEM. */
int vuln_rec_grow(void **p, size_t *cap, size_t n, size_t sz);
/* Rejects the record: fills its diagnostic with the JSON pointer r->ptr + sub; returns code. */
int vuln_rec_fail(struct vuln_rec *r, int code, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Stores n bytes (plus a NUL) and returns them as a slice fixed up by vuln_rec_finish. */
struct vg_str vuln_rec_str(struct vuln_rec *r, const char *s, size_t n);
/* A string member of obj: NULL if absent; *bad set if present but not a string. */
const char *vuln_json_str_member(const json_t *obj, const char *key, bool *bad);
/* Copies s (NULL: "") into dst of cap bytes, truncated. */
void vuln_copy_field(char *dst, size_t cap, const char *s);
/* Sets the record's CVE id and key from id; fails naming sub if not a CVE id. */
int vuln_rec_set_id(struct vuln_rec *r, const char *id, const char *sub);
/* Reads a cvssData-like object {baseScore, baseSeverity?, vectorString?} of CVSS version
 * (40, 31, 30, 20) into the record; outer_sev is the severity beside it (NVD v2). */
int vuln_rec_cvss(struct vuln_rec *r, const json_t *data, const char *outer_sev, int version,
                  const char *sub);
/* The first English description of an array of {lang, value}. */
void vuln_rec_description(struct vuln_rec *r, const json_t *arr);
/* Appends CWE id s to the list cw ("CWE-79,CWE-89"), once, while it is short. */
void vuln_add_cwe(struct vuln_rec *r, struct vg_buf *cw, const char *s);
/* A new record of source (enum vg_vuln_source) reporting to d with JSON pointer ptr. */
struct vuln_rec *vuln_rec_new(struct vg_diag *d, const char *ptr, int source);
void vuln_rec_drop(struct vuln_rec *r);
/* Moves the arrays and strings into their final home, fixes every slice and returns the
 * record (json kept re-serialised when keep_json); NULL (r's diagnostic set) on failure.
 * r is freed either way. */
struct vg_vuln *vuln_rec_finish(struct vuln_rec *r, const json_t *json, bool keep_json);

/* ---- feed readers: documents (feed.c and one file per format) ---- */

/* Counts a rejected record and reports it through o->on_error. */
void vuln_feed_report(const struct vg_feed_opts *o, const char *name, const struct vg_diag *d,
                      struct vg_feed_stats *st);
/* Counts the result of a vg_vuln_set_put* call (enum vg_vuln_put) in st. */
void vuln_feed_count(int rc, struct vg_feed_stats *st);
/* Puts v into s and counts it; 0 or VG_ENOMEM. */
int vuln_feed_put(struct vg_vuln_set *s, struct vg_vuln *v, struct vg_feed_stats *st);
/* The readers of whole documents: 0 when the document could be read (rejected records
 * reported), or a negative VG_E* with d filled. */
int vuln_read_nvd(struct vg_vuln_set *s, const json_t *doc, const char *name,
                  const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d);
int vuln_read_cve5(struct vg_vuln_set *s, const json_t *doc, const char *name,
                   const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d);
int vuln_read_kev(struct vg_vuln_set *s, const json_t *doc, const char *name,
                  const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d);
int vuln_read_epss(struct vg_vuln_set *s, const char *data, size_t len, const char *name,
                   const struct vg_feed_opts *o, struct vg_feed_stats *st, struct vg_diag *d);

#endif
