/* The store's vulnerabilities: records (NVD, CVE 5), KEV and EPSS data, the findings of the
 * constituency (organisation x asset x CVE) with their fingerprints, and the digests. Included
 * by store/store.h; a backend fills struct vg_store_vuln_ops. */
#ifndef VG_STORE_VULN_H
#define VG_STORE_VULN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/base.h"

/* One vulnerability record as the vuln module read it (store.h does not know struct
 * vg_vuln): what the store keeps and what it needs to answer lists without re-parsing. */
struct vg_store_vrec {
    const char *cve;             /* "CVE-2024-12345" */
    long long key;               /* its sortable integer (vg_vuln_key) */
    const char *source;          /* "nvd" or "cve5" */
    const char *modified;        /* lastModified / dateUpdated: a later one replaces */
    const char *published;       /* may be "" */
    double cvss;                 /* preferred base score, < 0 if none */
    const char *cvss_version;    /* "3.1", ... or NULL */
    const char *severity;        /* "HIGH", ... or NULL */
    const char *description;     /* first English description, may be "" */
    const char *json;            /* the record, compact JSON */
    size_t json_len;             /* its length in bytes */
    const void *compact;         /* its compact form (vuln/compact.h), or NULL: none kept */
    size_t compact_len;          /* its length in bytes */
    const char *const *products; /* "part:vendor:product" named by its applicability */
    size_t nproducts;            /* number of products */
};

/* KEV data of a CVE. */
struct vg_store_kev {
    long long key;          /* CVE key */
    const char *date_added; /* YYYY-MM-DD */
    const char *due_date;   /* YYYY-MM-DD or "" */
    bool ransomware;        /* knownRansomwareCampaignUse "Known" */
    const char *vendor;     /* vendorProject */
    const char *product;    /* product */
};

/* EPSS data of a CVE. */
struct vg_store_epss {
    long long key;     /* CVE key */
    double score;      /* probability of exploitation in 30 days, 0..1 */
    double percentile; /* 0..1 */
};

/* One finding to store: organisation, asset (index in the caller's asset names), CVE key. */
struct vg_store_finding {
    long long org;  /* organisation id */
    unsigned asset; /* index in the asset names given with it */
    long long key;  /* CVE key */
};

/* What a set of findings replaces: the findings of org (0: every organisation) and, when
 * keys is not NULL, of those CVEs only. */
struct vg_store_fscope {
    long long org;         /* 0: every organisation */
    const long long *keys; /* NULL: every CVE */
    size_t nkeys;          /* number of keys */
};

/* Callbacks of the vulnerability readers. */
/* A stored record: its compact form (vuln/compact.h) when compact, else its JSON. */
typedef int (*vg_store_vrec_fn)(void *ctx, const char *source, const void *data, size_t len,
                                bool compact);
typedef int (*vg_store_kev_fn)(void *ctx, const struct vg_store_kev *k);
typedef int (*vg_store_epss_fn)(void *ctx, const struct vg_store_epss *e);
typedef int (*vg_store_asset_fn)(void *ctx, long long org, const char *cpe);
typedef int (*vg_store_key_fn)(void *ctx, long long key);
/* One stored asset name and its id. */
typedef int (*vg_store_asset_id_fn)(void *ctx, long long id, const char *cpe);
/* The findings fingerprint of an organisation: their number and the XOR of their hashes. */
typedef int (*vg_store_fsum_fn)(void *ctx, long long org, long long n, uint64_t h);

/* The operations a backend implements for vulnerabilities and findings. */
struct vg_store_vuln_ops {
    int (*vuln_put)(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                    struct vg_diag *d);
    int (*kev_put)(struct vg_store *st, const struct vg_store_kev *k, size_t n, struct vg_diag *d);
    int (*epss_put)(struct vg_store *st, const struct vg_store_epss *e, size_t n, const char *model,
                    const char *date, struct vg_diag *d);
    int (*vuln_each)(struct vg_store *st, const long long *keys, size_t nkeys, vg_store_vrec_fn fn,
                     vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx);
    int (*vuln_keys_for_products)(struct vg_store *st, const char *const *products, size_t n,
                                  vg_store_key_fn fn, void *ctx);
    int (*vuln_assets_each)(struct vg_store *st, long long org, vg_store_asset_fn fn, void *ctx);
    int (*vuln_products_for_names)(struct vg_store *st, const char *const *names, size_t n,
                                   bool whole_orgs, vg_store_asset_fn fn, void *ctx);
    int (*finding_replace)(struct vg_store *st, const struct vg_store_fscope *scope,
                           const char *const *assets, size_t nassets,
                           const struct vg_store_finding *f, size_t n, json_t **out,
                           struct vg_diag *d);
    int (*finding_prune)(struct vg_store *st, long long org, struct vg_diag *d);
    int (*asset_ids_each)(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx);
    int (*finding_sums_each)(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx);
    int (*finding_list)(struct vg_store *st, long long org, const char *since,
                        const struct vg_page *page, json_t **out, struct vg_diag *d);
    int (*digest_take)(struct vg_store *st, long long org, json_t **out, struct vg_diag *d);
    int (*vuln_get)(struct vg_store *st, const char *cve, json_t **out);
};

/* Unless said otherwise, each of these returns 0, VG_ENOENT when the named thing does not
 * exist, VG_EINVAL / VG_ECONFLICT / VG_EEXIST with a message in d, or VG_EIO (a store
 * failure, message in d when given). *out is a new reference. */

/* Vulnerabilities (issue #4). Stores records in one transaction: a record replaces the held
 * one of the same CVE and source only when its `modified` is later. result[i] is 0 (added),
 * 1 (updated) or 2 (unchanged). The CVE's summary row follows its preferred score. */
int vg_store_vuln_put(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                      struct vg_diag *d);
/* Sets KEV entries / EPSS scores (and the EPSS model and date, may be NULL), one
 * transaction per call; the last value of a CVE wins. */
int vg_store_kev_put(struct vg_store *st, const struct vg_store_kev *k, size_t n,
                     struct vg_diag *d);
int vg_store_epss_put(struct vg_store *st, const struct vg_store_epss *e, size_t n,
                      const char *model, const char *date, struct vg_diag *d);
/* Calls fn for every stored record (keys NULL) or the records of the nkeys CVEs given, then
 * kfn for their KEV entries and efn for their EPSS scores (either may be NULL). Stops at the
 * first non-zero return and returns it. */
int vg_store_vuln_each(struct vg_store *st, const long long *keys, size_t nkeys,
                       vg_store_vrec_fn fn, vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx);
/* Calls fn with the key of each CVE whose applicability names one of the
 * "part:vendor:product" strings given (lower case; part "*" for CVE 5 names); a CVE named
 * by several of them comes once per name. */
int vg_store_vuln_keys_for_products(struct vg_store *st, const char *const *products, size_t n,
                                    vg_store_key_fn fn, void *ctx);
/* Calls fn for each product (assets.products) of organisation org, or of every one (0). */
int vg_store_vuln_assets_each(struct vg_store *st, long long org, vg_store_asset_fn fn, void *ctx);
/* Calls fn for each product of an organisation whose name key (core/product.h
 * vg_product_key_cpe23) is one of names, and for every product that is not a formatted string;
 * with whole_orgs, for every product of the organisations that have one (an AND
 * configuration may need their other products). Found by index. */
int vg_store_vuln_products_for_names(struct vg_store *st, const char *const *names, size_t n,
                                     bool whole_orgs, vg_store_asset_fn fn, void *ctx);
/* Replaces the findings of scope by f[0..n) in one transaction: findings no longer found are
 * deleted, new ones inserted with first_seen now, the others keep theirs. *out (may be
 * NULL) = {"found": n, "new": n, "gone": n}. */
int vg_store_finding_replace(struct vg_store *st, const struct vg_store_fscope *scope,
                             const char *const *assets, size_t nassets,
                             const struct vg_store_finding *f, size_t n, json_t **out,
                             struct vg_diag *d);
/* Deletes the findings of organisation org whose asset it no longer lists. */
int vg_store_finding_prune(struct vg_store *st, long long org, struct vg_diag *d);
/* The hash of one finding in an organisation's fingerprint: asset id (as the store numbers
 * asset names) and CVE key. The same for every backend. */
uint64_t vg_store_finding_hash(long long asset, long long key);
/* Calls fn for each stored asset name with its id, in name order. */
int vg_store_asset_ids_each(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx);
/* Calls fn with the stored findings fingerprint of organisation org (0: of each one that has
 * one). Every write of findings keeps it; an organisation without one is not known. */
int vg_store_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx);
/* Findings of org by priority (KEV, then EPSS >= 0.1, then CVSS, EPSS, newer CVE), those of
 * CVEs modified since `since` (NULL: all). *out = {"items": [...], "next_cursor"}. Each item:
 * {"org","asset","cve","priority","cvss":{score,version,severity}|null,"kev":{...}|null,
 * "epss":{score,percentile}|null,"first_seen","published","description"}. */
int vg_store_finding_list(struct vg_store *st, long long org, const char *since,
                          const struct vg_page *page, json_t **out, struct vg_diag *d);
/* The findings of org new since its last digest, by priority, and records this digest:
 * *out = {"org","name","since" (null the first time),"until","findings":[...]}. */
int vg_store_digest_take(struct vg_store *st, long long org, json_t **out, struct vg_diag *d);
/* The stored view of one CVE: {"cve","published","modified","cvss","kev","epss",
 * "records":[{"source","modified","record"}],"affected":[{"org","name","assets":[...]}]}. */
int vg_store_vuln_get(struct vg_store *st, const char *cve, json_t **out);

#endif
