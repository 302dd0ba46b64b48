/* The store: vigie's persistence behind one interface. A backend (sqlite.c now, pg.c later)
 * fills a struct vg_store_ops; callers use the vg_store_* functions below and never see SQL.
 * Records travel as jansson objects already checked by core/record.h. One vg_store is one
 * connection: use it from one thread at a time. Every multi-row write is one transaction. */
#ifndef VG_STORE_H
#define VG_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"
#include "util/limits.h"

/* Who acts: the authenticated user, recorded in timelines and the audit log. */
struct vg_actor {
    long long user_id;           /* 0 for the system or the public intake */
    char name[VG_MAX_NAME + 1];  /* user name, or "intake", "system" */
    char role[16];               /* admin, analyst, reader ("" for the public) */
};

/* Options a deployment sets once. */
struct vg_store_config {
    char ref_prefix[16]; /* incident reference prefix, "VIG" by default */
    bool bulk;           /* a batch command reading much of the database once (a feed
                          * import, a full re-match): no memory mapping of the file
                          * (scanning 82 MB of compact records: 0.34 s mapped, 0.08 s
                          * read; an import spent 10 s in page faults) */
};

/* A page of a list: items, and the cursor of the next page (NULL if none). */
struct vg_page {
    int limit;          /* 1..VG_MAX_PAGE */
    const char *cursor; /* opaque cursor from a previous page, or NULL */
};

/* One vulnerability record as the vuln module read it (store.h does not know struct
 * vg_vuln): what the store keeps and what it needs to answer lists without re-parsing. */
struct vg_store_vrec {
    const char *cve;         /* "CVE-2024-12345" */
    long long key;           /* its sortable integer (vg_vuln_key) */
    const char *source;      /* "nvd" or "cve5" */
    const char *modified;    /* lastModified / dateUpdated: a later one replaces */
    const char *published;   /* may be "" */
    double cvss;             /* preferred base score, < 0 if none */
    const char *cvss_version; /* "3.1", ... or NULL */
    const char *severity;    /* "HIGH", ... or NULL */
    const char *description; /* first English description, may be "" */
    const char *json;        /* the record, compact JSON */
    size_t json_len;         /* its length in bytes */
    const void *compact;     /* its compact form (vuln/compact.h), or NULL: none kept */
    size_t compact_len;      /* its length in bytes */
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

/* One pair of observables two incidents share. */
struct vg_related_pair {
    const char *type;    /* the type of the looked-up incident's observable */
    const char *value;   /* its normal form */
    const char *matched; /* the other incident's observable it relates to */
};

/* An incident related to the one looked up. */
struct vg_related {
    const char *ref, *title, *status, *severity, *tlp; /* the related incident's fields */
    size_t count;                         /* distinct observables of the looked-up one shared */
    const struct vg_related_pair *shared; /* the pairs, by value then matched */
    size_t nshared;                       /* number of pairs */
};

/* What vg_store_incident_related gives, most related first. Everything pointed to is owned
 * by the list: free it with vg_related_list_free. */
struct vg_related_list {
    struct vg_related *v;          /* the related incidents */
    size_t n;                      /* their number */
    struct vg_related_pair *pairs; /* owns the pairs */
    char *hits_text, *rows_text;   /* own the strings */
};

void vg_related_list_free(struct vg_related_list *l);

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

struct vg_store;

struct vg_store_ops {
    void (*close)(struct vg_store *st);
    int (*migrate)(struct vg_store *st, int *version, struct vg_diag *d);

    int (*user_ensure)(struct vg_store *st, const char *name, const char *role, long long *id,
                       struct vg_diag *d);
    int (*user_set_password)(struct vg_store *st, const char *name, const char *hash,
                             struct vg_diag *d);
    int (*user_get)(struct vg_store *st, const char *name, json_t **out);
    int (*user_list)(struct vg_store *st, json_t **out);
    int (*token_add)(struct vg_store *st, long long user_id, const unsigned char hash[32],
                     const char *label, long long *id, struct vg_diag *d);
    int (*token_lookup)(struct vg_store *st, const unsigned char hash[32],
                        struct vg_actor *out);
    int (*token_list)(struct vg_store *st, long long user_id, json_t **out);
    int (*token_revoke)(struct vg_store *st, long long id, long long user_id,
                        struct vg_diag *d);

    int (*org_create)(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                      json_t **out, struct vg_diag *d);
    int (*org_get)(struct vg_store *st, long long id, json_t **out);
    int (*org_list)(struct vg_store *st, const struct vg_page *page, json_t **out,
                    struct vg_diag *d);
    int (*org_update)(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *patch, json_t **out, struct vg_diag *d);
    int (*org_find_by_domain)(struct vg_store *st, const char *domain, json_t **out);

    int (*incident_create)(struct vg_store *st, const struct vg_actor *who, const json_t *inc,
                           json_t **out, struct vg_diag *d);
    int (*incident_get)(struct vg_store *st, const char *ref, json_t **out);
    int (*incident_list)(struct vg_store *st, const json_t *filters,
                         const struct vg_page *page, json_t **out, struct vg_diag *d);
    int (*incident_update)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *patch, json_t **out, struct vg_diag *d);
    int (*incident_note)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                         const char *text, json_t **out, struct vg_diag *d);
    int (*incident_observable_add)(struct vg_store *st, const struct vg_actor *who,
                                   const char *ref, const json_t *obs, json_t **out,
                                   struct vg_diag *d);
    int (*incident_step_set)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                             const char *step_id, bool done, json_t **out, struct vg_diag *d);
    int (*incident_related)(struct vg_store *st, const char *ref, int limit,
                            struct vg_related_list *out);

    int (*playbook_list)(struct vg_store *st, json_t **out);
    int (*playbook_get)(struct vg_store *st, const char *cls, json_t **out);
    int (*playbook_put)(struct vg_store *st, const struct vg_actor *who, const char *cls,
                        const json_t *steps, json_t **out, struct vg_diag *d);

    int (*indicator_import)(struct vg_store *st, const struct vg_actor *who,
                            const json_t *inds, json_t **out, struct vg_diag *d);
    int (*indicator_get)(struct vg_store *st, long long id, json_t **out);
    int (*indicator_list)(struct vg_store *st, const json_t *filters,
                          const struct vg_page *page, json_t **out, struct vg_diag *d);
    int (*indicator_each)(struct vg_store *st, const char *now,
                          int (*fn)(void *ctx, long long id, const char *type,
                                    const char *value),
                          void *ctx);
    int (*indicator_version)(struct vg_store *st, const char *now, char *out, size_t cap);
    int (*sightings_record)(struct vg_store *st, const struct vg_actor *who,
                            const json_t *sightings, json_t **out, struct vg_diag *d);
    int (*sighting_list)(struct vg_store *st, const json_t *filters,
                         const struct vg_page *page, json_t **out, struct vg_diag *d);
    int (*alert_list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                      json_t **out, struct vg_diag *d);
    int (*alert_escalate)(struct vg_store *st, const struct vg_actor *who, long long id,
                          const json_t *fields, json_t **out, struct vg_diag *d);

    int (*intake_log)(struct vg_store *st, const json_t *entry, struct vg_diag *d);
    int (*audit_list)(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d);

    int (*vuln_put)(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                    struct vg_diag *d);
    int (*kev_put)(struct vg_store *st, const struct vg_store_kev *k, size_t n,
                   struct vg_diag *d);
    int (*epss_put)(struct vg_store *st, const struct vg_store_epss *e, size_t n,
                    const char *model, const char *date, struct vg_diag *d);
    int (*vuln_each)(struct vg_store *st, const long long *keys, size_t nkeys,
                     vg_store_vrec_fn fn, vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx);
    int (*vuln_keys_for_products)(struct vg_store *st, const char *const *products, size_t n,
                                  vg_store_key_fn fn, void *ctx);
    int (*vuln_assets_each)(struct vg_store *st, long long org, vg_store_asset_fn fn,
                            void *ctx);
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

    void (*batch_begin)(struct vg_store *st);
    bool (*batch_pending)(struct vg_store *st);
    int (*batch_commit)(struct vg_store *st, struct vg_diag *d);
    void (*read_begin)(struct vg_store *st);
    void (*read_end)(struct vg_store *st);
    int (*tx_begin)(struct vg_store *st, struct vg_diag *d);
    int (*tx_commit)(struct vg_store *st, struct vg_diag *d);
    void (*tx_rollback)(struct vg_store *st);
};

struct vg_store {
    const struct vg_store_ops *ops;
    struct vg_store_config config;
};

/* Opens the database named by url: a file path (SQLite). Creates the file and its folder as
 * needed and applies pending migrations. Returns NULL with a message in d on failure. */
struct vg_store *vg_store_open(const char *url, const struct vg_store_config *cfg,
                               struct vg_diag *d);
void vg_store_close(struct vg_store *st);

/* SQLite backend constructor (store/sqlite.c). */
struct vg_store *vg_store_sqlite_open(const char *path, bool bulk, struct vg_diag *d);

/* Schema version after migration. */
int vg_store_migrate(struct vg_store *st, int *version, struct vg_diag *d);

/* Each of these returns 0, VG_ENOENT when the named thing does not exist, VG_EINVAL /
 * VG_ECONFLICT / VG_EEXIST with a message in d, or VG_EIO. *out is a new reference. */
int vg_store_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                         struct vg_diag *d);
int vg_store_user_set_password(struct vg_store *st, const char *name, const char *hash,
                               struct vg_diag *d);
int vg_store_user_get(struct vg_store *st, const char *name, json_t **out);
int vg_store_user_list(struct vg_store *st, json_t **out);
int vg_store_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                       const char *label, long long *id, struct vg_diag *d);
int vg_store_token_lookup(struct vg_store *st, const unsigned char hash[32],
                          struct vg_actor *out);
int vg_store_token_list(struct vg_store *st, long long user_id, json_t **out);
/* Revokes token id; if user_id > 0 only a token of that user. */
int vg_store_token_revoke(struct vg_store *st, long long id, long long user_id,
                          struct vg_diag *d);

int vg_store_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org,
                        json_t **out, struct vg_diag *d);
struct vg_attrib;
/* The attribution table (core/attrib.h) of every organisation's assets, read page by page;
 * NULL on failure (d filled). Free with vg_attrib_free. */
struct vg_attrib *vg_store_attrib_new(struct vg_store *st, struct vg_diag *d);
int vg_store_org_get(struct vg_store *st, long long id, json_t **out);
/* *out = {"items":[...], "next_cursor": "..." or null}. */
int vg_store_org_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d);
int vg_store_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                        const json_t *patch, json_t **out, struct vg_diag *d);
/* The organisation owning domain or one of its parent domains, or VG_ENOENT. */
int vg_store_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out);

/* Creates the incident with its observables, timeline entry and audit record in one
 * transaction; its reference is PREFIX-YEAR-NNNNNN. inc may carry "status", "unverified". */
int vg_store_incident_create(struct vg_store *st, const struct vg_actor *who, const json_t *inc,
                             json_t **out, struct vg_diag *d);
/* The whole incident: fields, observables, playbook steps with their state, timeline. */
int vg_store_incident_get(struct vg_store *st, const char *ref, json_t **out);
/* filters: optional "status", "class", "org" (integer), "severity", "tlp". */
int vg_store_incident_list(struct vg_store *st, const json_t *filters,
                           const struct vg_page *page, json_t **out, struct vg_diag *d);
/* A status change that the lifecycle forbids is VG_ECONFLICT, with the allowed statuses in
 * d->message. */
int vg_store_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                             const json_t *patch, json_t **out, struct vg_diag *d);
int vg_store_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const char *text, json_t **out, struct vg_diag *d);
int vg_store_incident_observable_add(struct vg_store *st, const struct vg_actor *who,
                                     const char *ref, const json_t *obs, json_t **out,
                                     struct vg_diag *d);
int vg_store_incident_step_set(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const char *step_id, bool done, json_t **out,
                               struct vg_diag *d);
/* Other incidents sharing observables with ref (equal values, a domain and its subdomains,
 * an address and a CIDR containing it), most shared first, at most limit: 0 and *out filled
 * (free it with vg_related_list_free), VG_ENOENT, VG_ENOMEM or VG_EIO. A plain C list, not
 * JSON: the server writes its answer from it without building a document. */
int vg_store_incident_related(struct vg_store *st, const char *ref, int limit,
                              struct vg_related_list *out);

int vg_store_playbook_list(struct vg_store *st, json_t **out);
int vg_store_playbook_get(struct vg_store *st, const char *cls, json_t **out);
int vg_store_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                          const json_t *steps, json_t **out, struct vg_diag *d);

/* Imports checked indicators (core/record.h) in one transaction. Re-importing is idempotent:
 * an indicator equal in type and normal form is merged (given fields replace, first/last
 * seen widen). *out = {"added","updated","unchanged","ids":[...]} (ids in input order). */
int vg_store_indicator_import(struct vg_store *st, const struct vg_actor *who,
                              const json_t *inds, json_t **out, struct vg_diag *d);
int vg_store_indicator_get(struct vg_store *st, long long id, json_t **out);
/* filters: optional "type", "source". */
int vg_store_indicator_list(struct vg_store *st, const json_t *filters,
                            const struct vg_page *page, json_t **out, struct vg_diag *d);
/* Calls fn for every indicator not expired at now (RFC 3339; NULL: all), in id order; stops
 * at fn's first non-zero return and returns it. */
int vg_store_indicator_each(struct vg_store *st, const char *now,
                            int (*fn)(void *ctx, long long id, const char *type,
                                      const char *value),
                            void *ctx);
/* A short text that changes whenever the set of indicators vg_store_indicator_each(now) gives
 * may have changed: an import or update on this connection, a commit by another connection
 * (any write: it errs on the side of a change), or an expiry passed by now. Cheap: no scan
 * of the table unless one of those happened. Writes at most cap bytes, NUL included; 0 or
 * VG_EIO. */
int vg_store_indicator_version(struct vg_store *st, const char *now, char *out, size_t cap);
/* Records sightings [{"indicator": id, "org": id|null, "seen", "value", "field", "source"}]
 * in one transaction, each counted in the alert of its indicator, organisation and day
 * (created when needed). *out = {"sightings": n, "alerts": n, "alert_ids": [...]}. */
int vg_store_sightings_record(struct vg_store *st, const struct vg_actor *who,
                              const json_t *sightings, json_t **out, struct vg_diag *d);
/* filters: optional "org", "indicator" (integers), "since" (RFC 3339). Newest first. */
int vg_store_sighting_list(struct vg_store *st, const json_t *filters,
                           const struct vg_page *page, json_t **out, struct vg_diag *d);
/* filters: optional "status" (open, escalated), "org". Newest first. */
int vg_store_alert_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                        json_t **out, struct vg_diag *d);
/* Turns an open alert into an incident (fields may set title, class, type, severity) with the
 * indicator and the values seen attached as observables; VG_ECONFLICT if already done. */
int vg_store_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                            const json_t *fields, json_t **out, struct vg_diag *d);

/* Records a public report attempt: {client, decision, reporter_email, org_name, org_kind,
 * incident?}. */
int vg_store_intake_log(struct vg_store *st, const json_t *entry, struct vg_diag *d);
int vg_store_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d);

/* Vulnerabilities (issue #4). Stores records in one transaction: a record replaces the held
 * one of the same CVE and source only when its `modified` is later. result[i] is 0 (added),
 * 1 (updated) or 2 (unchanged). The CVE's summary row follows its preferred score. */
int vg_store_vuln_put(struct vg_store *st, const struct vg_store_vrec *v, size_t n,
                      int *result, struct vg_diag *d);
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
                       vg_store_vrec_fn fn, vg_store_kev_fn kfn, vg_store_epss_fn efn,
                       void *ctx);
/* Calls fn with the key of each CVE whose applicability names one of the
 * "part:vendor:product" strings given (lower case; part "*" for CVE 5 names); a CVE named
 * by several of them comes once per name. */
int vg_store_vuln_keys_for_products(struct vg_store *st, const char *const *products, size_t n,
                                    vg_store_key_fn fn, void *ctx);
/* Calls fn for each product (assets.products) of organisation org, or of every one (0). */
int vg_store_vuln_assets_each(struct vg_store *st, long long org, vg_store_asset_fn fn,
                              void *ctx);
/* Calls fn for each product of an organisation whose name key (core/record.h
 * vg_cpe23_name_key) is one of names, and for every product that is not a formatted string;
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
int vg_store_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn,
                               void *ctx);
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

/* Group commit. After vg_store_batch_begin, each write transaction becomes a savepoint inside
 * one outer transaction, opened by the first write; vg_store_batch_commit commits it (if any
 * write happened) and ends the batch. Nothing written in a batch is durable, nor may be
 * acknowledged, before vg_store_batch_commit returns 0. */
void vg_store_batch_begin(struct vg_store *st);
/* True if a write happened since vg_store_batch_begin (the outer transaction is open). */
bool vg_store_batch_pending(struct vg_store *st);
int vg_store_batch_commit(struct vg_store *st, struct vg_diag *d);

/* Brackets a read-only request in one read transaction (one snapshot, one lock). No write
 * may happen in between. */
void vg_store_read_begin(struct vg_store *st);
void vg_store_read_end(struct vg_store *st);

/* A use case's transaction: the writes between vg_store_tx_begin and vg_store_tx_commit
 * happen together or not at all (vg_store_tx_rollback undoes them, and only them). Each
 * vg_store_* write inside stays its own unit: one that fails is undone alone and the
 * transaction goes on. Outside a batch it is a transaction of its own (BEGIN IMMEDIATE),
 * durable once vg_store_tx_commit returns 0; inside a server batch (or another such
 * transaction) it is a savepoint of it, which vg_store_tx_commit releases without ending the
 * batch: the batch's commit makes it durable. Begin returns 0, VG_EIO (the database is busy
 * or failed) or VG_EINVAL (inside a read or a write); commit returns 0, VG_EIO (the
 * transaction is then rolled back) or VG_EINVAL (none open). Rollback without one does
 * nothing. */
int vg_store_tx_begin(struct vg_store *st, struct vg_diag *d);
int vg_store_tx_commit(struct vg_store *st, struct vg_diag *d);
void vg_store_tx_rollback(struct vg_store *st);

#endif
