/* Internals of the SQLite backend, shared by its files: the connection, the statement cache,
 * transactions, column helpers, and the operations each file implements. Only store/ uses
 * this header. */
#ifndef VG_STORE_SQLITE_INT_H
#define VG_STORE_SQLITE_INT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "core/corr.h"
#include "core/reference.h"
#include "store/store.h"
#include "util/hash.h"

#define CACHE_MAX          128
/* shapes of the incident list's query: 4 orders, after a cursor or not, 6 filters present or
 * not, the assignee's "none" or not (sqlite_incidents.c) */
#define SQ_INC_LIST_SHAPES (4 * 2 * 64 * 2)
#define SQ_TOKEN_SLOTS     256 /* valid tokens cached per connection (SHA-256 -> struct sq_token) */
#define SQ_TOKEN_PROBE     16  /* slots a token may sit in: the least recently used of them goes */

struct sq {
    struct vg_store base; /* must stay first */
    sqlite3 *db;
    struct {
        const char *sql; /* the literal's address is the key */
        sqlite3_stmt *stmt;
    } cache[CACHE_MAX];
    int ncache;
    /* the incident list's statements, one per shape of its query (sort order, after a cursor
     * or not, filters present): built from fragments, prepared once each (sq_incident_list);
     * NULL until the first list */
    sqlite3_stmt **inc_list;
    bool in_tx;           /* this connection holds write_lock */
    bool batching;        /* group commit: writes are savepoints in one outer transaction */
    bool outer;           /* the outer transaction of a batch is open */
    bool in_sp;           /* a write's savepoint is open */
    bool first_write;     /* the first write of a batch is running in the outer transaction */
    bool in_read;         /* a read transaction (vg_store_read_begin) is open */
    bool lost;            /* a write of the open batch could not be undone alone, or SQLite
                           * rolled the batch's transaction back (SQLITE_NOMEM): the batch
                           * must not commit */
    bool busy_fast;       /* a write of the open batch met another process's lock: the
                           * batch's later writes do not wait for it (busy timeout 0) */
    int busy_ms;          /* the busy timeout otherwise (vg_store_busy_timeout) */
    int tx_depth;         /* use-case transactions open (vg_store_tx_begin), nested ones included */
    bool tx_real;         /* the outermost one began the transaction itself (no batch around it) */
    bool tx_fresh;        /* ... and no write has run in it yet: the first runs in it directly */
    struct vg_corr *corr; /* in-memory correlation index, NULL until first needed */
    long long corr_last;  /* id of the last observable row it holds */
    /* vg_store_indicator_version: what it last saw, so that it costs no scan of the table */
    unsigned long long ind_epoch; /* expiries passed since the connection opened */
    long long ind_gen_seen;       /* the counter "indicator.gen" at the last check (-1: none
                                   * yet) */
    char ind_next_expiry[64];     /* the first expiry after the last check, "" if none */
    /* vg_store_advisory_published_stamp: the same for the published advisories */
    unsigned long long adv_gen;      /* advisory writes on this connection */
    unsigned long long adv_gen_seen; /* adv_gen at the last check */
    long long adv_data_version;      /* PRAGMA data_version at the last check (-1: none yet) */
    char adv_stamp[96];              /* what the last check found */
    /* Caches of rows read on every request but rarely written: valid tokens and playbooks.
     * This connection drops them when it writes those rows; sq_caches_check drops them when
     * another connection (another process) has written anything. */
    long long cache_data_version; /* PRAGMA data_version at the last check */
    struct vg_cache tokens;       /* token hash -> struct sq_token; unallocated until the
                                   * first lookup */
    json_t *playbooks;            /* {class: steps array}, NULL until the first read */
    int last_rc;                  /* SQLite's code of the last failed step (sq_step_done) */
    char last_error[200];         /* and its message, kept past the statement's reset */
};

/* A cached token (struct sq's tokens): whom it authenticates and what it is. A user's
 * (sqlite_users.c) or a partner's (sqlite_partners.c): their secrets differ by prefix, so their
 * hashes never meet. */
struct sq_token {
    struct vg_actor who;
    struct vg_token_meta meta;
};
/* The connection's cache of valid tokens (users' and partners'): 0 with *out and *meta when
 * hash is there, VG_ENOENT when it is not, VG_ENOMEM. Checks first that no other connection
 * changed tokens or users since (sq_caches_check). */
int sq_token_cached(struct sq *s, const unsigned char hash[32], struct vg_actor *out,
                    struct vg_token_meta *meta);
/* Remembers a token the database found valid. */
void sq_token_remember(struct sq *s, const unsigned char hash[32], const struct vg_actor *who,
                       const struct vg_token_meta *meta);

static inline struct sq *sq_of(struct vg_store *st)
{
    return (struct sq *)st;
}

/* Sets d to the connection's last error and returns VG_EIO. */
int sq_db_error(struct sq *s, struct vg_diag *d);
/* A cached prepared statement for a string literal (its address is the key), reset and
 * unbound; NULL on error. Give it back with sq_done. */
sqlite3_stmt *sq_prep(struct sq *s, const char *sql);
void sq_done(struct sq *s, sqlite3_stmt *st);
int sq_exec(struct sq *s, const char *sql);
/* Sets d to the connection's last error, rolls the write back and returns VG_EIO. */
int sq_fail(struct sq *s, struct vg_diag *d);
/* The value of a query without parameters that returns one non-negative integer (a count,
 * a PRAGMA), through the statement cache (sql: a string literal, as for sq_prep); -1 on
 * error. */
long long sq_scalar(struct sq *s, const char *sql);
/* BEGIN IMMEDIATE after taking the process-wide write lock; sq_commit or sq_rollback end it.
 * On a failed sq_commit the transaction is still open: roll back. */
int sq_begin(struct sq *s);
int sq_commit(struct sq *s);
void sq_rollback(struct sq *s);
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void sq_bind_json(sqlite3_stmt *st, int i, const json_t *v);
/* Column i as text ("" when NULL), as parsed JSON (null when absent), as a string or null. */
const char *sq_col_text(sqlite3_stmt *st, int i);
json_t *sq_col_json(sqlite3_stmt *st, int i);
json_t *sq_col_null(sqlite3_stmt *st, int i);
/* Steps a statement that returns no rows and gives it back; 0 or VG_EIO. */
int sq_step_done(struct sq *s, sqlite3_stmt *st);
/* Appends to the audit log, in the caller's transaction. */
int sq_audit(struct sq *s, const struct vg_actor *who, const char *action, const char *object,
             const json_t *detail);
/* Drops the caches if another connection has written since the last check. */
void sq_caches_check(struct sq *s);
/* Drops the caches (this connection wrote what they hold, or a transaction was lost). */
void sq_caches_drop(struct sq *s);
/* Opaque list cursors: the last id seen. */
void sq_cursor_make(long long id, char out[32]);
int sq_cursor_read(const char *c, long long *id, struct vg_diag *d);
/* An incident list's cursor of order (0 newest, 1 oldest, 2 updated, 3 severity): its id,
 * and the time (updated) or rank (severity) after which the next page starts; no cursor:
 * *id 0. 0 or VG_EINVAL (sqlite_incidents.c; the PostgreSQL backend's cursors are the same). */
int sq_inc_cursor_read(int order, const char *c, long long *id, char *key, size_t cap, int *rank,
                       struct vg_diag *d);
/* The related incidents' list (store/incident.h) from the ranked correlation query cq: the
 * first limit groups whose incident row() finds (1, with its ref, title, status, severity and
 * tlp in cols, valid until row's next call; 0: gone; -1: a failure). 0 (cq's text then owned by
 * out), VG_ENOMEM or VG_EIO; the caller frees out on failure (sqlite_corr.c, both backends). */
int sq_related_fill(struct vg_related_list *out, struct vg_corr_query *cq, int limit,
                    int (*row)(void *ctx, long long inc, const char *cols[5]), void *ctx);
/* Runs a list query (LIMIT bound to limit + 1, the row id in column 0) into
 * {"items": [row(q)...], "next_cursor": ... or null}. The caller gives q back. */
json_t *sq_page(sqlite3_stmt *q, int limit, json_t *(*row)(sqlite3_stmt *q));

/* Inserts an incident with its observables, timeline entry and audit record inside the
 * caller's transaction; fills its reference and row id, and *answer (if answer is not NULL)
 * with the incident as vg_store_incident_get gives it. */
int sq_incident_insert(struct sq *s, const struct vg_actor *who, const struct vg_incident_new *inc,
                       char ref[VG_REFERENCE_LEN], long long *id, json_t **answer,
                       struct vg_diag *d);

/* sqlite_users.c: users, tokens, organisations, intake log, audit log. */
int sq_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                   struct vg_diag *d);
int sq_user_set_password(struct vg_store *st, const char *name, const char *hash,
                         struct vg_diag *d);
int sq_user_get(struct vg_store *st, const char *name, json_t **out);
int sq_user_list(struct vg_store *st, json_t **out);
int sq_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                 const char *label, const char *kind, const char *expires, long long *id,
                 struct vg_diag *d);
int sq_token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                    struct vg_token_meta *meta);
int sq_token_lookup_many(struct vg_store *st, const unsigned char (*hashes)[32], size_t n,
                         struct vg_token_found *out);
int sq_token_prune(struct vg_store *st, long long user_id, const char *kind, int keep,
                   struct vg_diag *d);
int sq_token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d);
/* The write behind a token's last use (sqlite_users.c); sql binds when, the id, when. */
int sq_last_used_touch(struct vg_store *st, const char *sql, long long id, const char *when,
                       struct vg_diag *d);
int sq_token_list(struct vg_store *st, long long user_id, json_t **out);
int sq_token_revoke(struct vg_store *st, long long id, long long user_id, struct vg_diag *d);
int sq_org_get(struct vg_store *st, long long id, json_t **out);
int sq_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *org, json_t **out,
                  struct vg_diag *d);
int sq_org_update(struct vg_store *st, const struct vg_actor *who, long long id,
                  const json_t *patch, json_t **out, struct vg_diag *d);
int sq_org_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                json_t **out, struct vg_diag *d);
int sq_org_find_by_domain(struct vg_store *st, const char *domain, json_t **out);
int sq_intake_log(struct vg_store *st, const json_t *e, struct vg_diag *d);
int sq_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out, struct vg_diag *d);

/* sqlite_reports.c: the intake's queue of held reports. */
extern const struct vg_store_report_ops sq_report_ops;
/* sqlite_partners.c: partner CERTs and their tokens. */
extern const struct vg_store_partner_ops sq_partner_ops;

/* sqlite_stats.c: the dashboard's aggregate counts. */
extern const struct vg_store_stats_ops sq_stats_ops;
/* sqlite_mail.c: the outbox of outbound mail (issue 15). */
extern const struct vg_store_mail_ops sq_mail_ops;
/* sqlite_setting.c: the deployment's settings (issue 15). */
extern const struct vg_store_setting_ops sq_setting_ops;
/* sqlite_pull.c: where `vigie share pull` stopped. */
extern const struct vg_store_pull_ops sq_pull_ops;
/* sqlite_taxii.c: the TAXII 2.1 server. */
extern const struct vg_store_taxii_ops sq_taxii_ops;
/* sqlite_upstream.c: upstream advisories (issue 13). */
extern const struct vg_store_upstream_ops sq_upstream_ops;
/* sqlite_advisories.c: advisories. */
extern const struct vg_store_advisory_ops sq_advisory_ops;

/* sqlite_crisis.c: the crisis cell (issue 15). */
extern const struct vg_store_crisis_ops sq_crisis_ops;
/* sqlite_notify.c: digests and alerts by mail (issue 15). */
extern const struct vg_store_notify_ops sq_notify_ops;
/* sqlite_inbound.c: inbound mail (issue 15). */
extern const struct vg_store_inbound_ops sq_inbound_ops;
/* sqlite_dump.c: moving and keeping data (issue 16). */
extern const struct vg_store_dump_ops sq_dump_ops;

/* sqlite_incidents.c: incidents. sq_incident_id: the row id of incident ref, 0 if none, -1
 * if it could not be read. */
long long sq_incident_id(struct sq *s, const char *ref);
int sq_incident_create(struct vg_store *st, const struct vg_actor *who,
                       const struct vg_incident_new *inc, json_t **out, struct vg_diag *d);
int sq_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                            const struct vg_incident_new *incs, size_t n, json_t **outs,
                            struct vg_diag *d);
int sq_incident_get(struct vg_store *st, const char *ref, json_t **out);
int sq_incident_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d);
int sq_incident_each(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     vg_incident_brief_fn fn, void *ctx, char next[80], struct vg_diag *d);
int sq_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                       const json_t *patch, json_t **out, struct vg_diag *d);
int sq_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                     const char *text, bool public, json_t **out, struct vg_diag *d);
int sq_incident_observable_add(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const json_t *obs, json_t **out, struct vg_diag *d);
int sq_incident_step_set(struct vg_store *st, const struct vg_actor *who, const char *ref,
                         const char *step_id, bool is_done, json_t **out, struct vg_diag *d);
/* sqlite_corr.c: correlation. */
int sq_incident_related(struct vg_store *st, const char *ref, int limit,
                        struct vg_related_list *out);
/* sqlite_playbooks.c: playbooks. sq_playbook_steps: the steps of the playbook of class cls
 * (borrowed from the connection's cache, valid until its next write), or NULL. */
const json_t *sq_playbook_steps(struct sq *s, const char *cls);
int sq_playbook_list(struct vg_store *st, json_t **out);
int sq_playbook_get(struct vg_store *st, const char *cls, json_t **out);
int sq_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                    const json_t *steps, json_t **out, struct vg_diag *d);

/* sqlite_indicators.c: indicators, sightings, alerts. */
/* sqlite_indicator_import.c: the import of records (store/indicator.h). */
int sq_indicator_import_recs(struct vg_store *st, const struct vg_actor *who,
                             const struct vg_indicator_rec *v, size_t n, long long *ids,
                             struct vg_indicator_import_counts *counts, struct vg_diag *d);
int sq_indicator_get(struct vg_store *st, long long id, json_t **out);
int sq_indicator_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                      json_t **out, struct vg_diag *d);
int sq_indicator_each(struct vg_store *st, const char *now,
                      int (*fn)(void *ctx, long long id, const char *type, const char *value),
                      void *ctx);
int sq_indicator_version(struct vg_store *st, const char *now, char *out, size_t cap);
int sq_sightings_record(struct vg_store *st, const struct vg_actor *who,
                        const struct vg_sighting *v, size_t n, long long *alerts,
                        struct vg_diag *d);
int sq_sighting_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d);
int sq_alert_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                  json_t **out, struct vg_diag *d);
int sq_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *fields, json_t **out, struct vg_diag *d);
/* sqlite_indicator_rows.c: store/indicator.h's cursor over indicators as C records. */
int sq_indicator_rows_open(struct vg_store *st, const char *type, const char *source,
                           struct vg_indicator_rows **out, size_t *count, struct vg_diag *d);
int sq_indicator_rows_next(struct vg_store *st, struct vg_indicator_rows *c,
                           const struct vg_indicator_row **row, struct vg_diag *d);
void sq_indicator_rows_close(struct vg_store *st, struct vg_indicator_rows *c);
/* sqlite_follow.c: the positions of `vigie match --follow --record` (store/indicator.h). */
int sq_follow_put(struct vg_store *st, const char *follower, const struct vg_follow_position *v,
                  size_t n, struct vg_diag *d);
int sq_follow_each(struct vg_store *st, const char *follower,
                   int (*fn)(void *ctx, const struct vg_follow_position *pos), void *ctx,
                   struct vg_diag *d);

/* sqlite_users.c: fills the name keys (core/product.h) of organisation org's org_product
 * rows, or (org 0) of every row whose key is empty; 0 or VG_EIO. */
int sq_org_product_keys(struct sq *s, long long org);

/* sqlite_vulns.c: vulnerability records, KEV, EPSS, findings, digests. */
int sq_vuln_products_for_names(struct vg_store *st, const char *const *names, size_t n,
                               bool whole_orgs, vg_store_asset_fn fn, void *ctx);
int sq_vuln_put(struct vg_store *st, const struct vg_store_vrec *v, size_t n, int *result,
                struct vg_diag *d);
int sq_kev_put(struct vg_store *st, const struct vg_store_kev *k, size_t n, struct vg_diag *d);
int sq_epss_put(struct vg_store *st, const struct vg_store_epss *e, size_t n, const char *model,
                const char *date, struct vg_diag *d);
int sq_vuln_each(struct vg_store *st, const long long *keys, size_t nkeys, vg_store_vrec_fn fn,
                 vg_store_kev_fn kfn, vg_store_epss_fn efn, void *ctx);
int sq_vuln_keys_for_products(struct vg_store *st, const char *const *products, size_t n,
                              vg_store_key_fn fn, void *ctx);
int sq_vuln_assets_each(struct vg_store *st, long long org, vg_store_asset_fn fn, void *ctx);
int sq_asset_ids_each(struct vg_store *st, vg_store_asset_id_fn fn, void *ctx);
int sq_vuln_get(struct vg_store *st, const char *cve, json_t **out);

/* sqlite_findings.c: findings and their fingerprints. */
int sq_finding_sums_each(struct vg_store *st, long long org, vg_store_fsum_fn fn, void *ctx);
int sq_finding_replace(struct vg_store *st, const struct vg_store_fscope *scope,
                       const char *const *assets, size_t nassets, const struct vg_store_finding *f,
                       size_t n, json_t **out, struct vg_diag *d);
int sq_finding_prune(struct vg_store *st, long long org, struct vg_diag *d);

/* sqlite_digests.c: finding lists and digests. */
int sq_finding_list(struct vg_store *st, long long org, const char *since,
                    const struct vg_page *page, json_t **out, struct vg_diag *d);
int sq_digest_take(struct vg_store *st, long long org, json_t **out, struct vg_diag *d);

#endif
