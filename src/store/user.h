/* The store's users and logs: users and their roles, API tokens (kept as hashes), the audit
 * log of every write, the log of public report attempts. Included by store/store.h; a backend
 * fills struct vg_store_user_ops. */
#ifndef VG_STORE_USER_H
#define VG_STORE_USER_H

#include <jansson.h>

#include "store/base.h"
#include "util/time.h"

/* What a token is, beside whom it authenticates (vg_store_token_lookup). */
struct vg_token_meta {
    long long id;                /* the token's id */
    char kind[8];                /* "api" (made on purpose) or "login" (minted by a login) */
    char expires[VG_TIME_LEN];   /* RFC 3339 UTC; "" : never */
    char last_used[VG_TIME_LEN]; /* as recorded (at most once a minute); "" : not yet */
};

/* One answer of token_lookup_many: what token_lookup answers for that hash. */
struct vg_token_found {
    int rc;                    /* 0, or VG_ENOENT (unknown, revoked or its user disabled) */
    struct vg_actor who;       /* rc 0: whom it authenticates */
    struct vg_token_meta meta; /* rc 0: the token */
};

/* The operations a backend implements for users, API tokens, the audit log and the log of public
 * reports. */
struct vg_store_user_ops {
    int (*user_ensure)(struct vg_store *st, const char *name, const char *role, long long *id,
                       struct vg_diag *d);
    int (*user_set_password)(struct vg_store *st, const char *name, const char *hash,
                             struct vg_diag *d);
    int (*user_get)(struct vg_store *st, const char *name, json_t **out);
    int (*user_list)(struct vg_store *st, json_t **out);
    int (*token_add)(struct vg_store *st, long long user_id, const unsigned char hash[32],
                     const char *label, const char *kind, const char *expires, long long *id,
                     struct vg_diag *d);
    int (*token_lookup)(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                        struct vg_token_meta *meta);
    /* token_lookup of n hashes at once (one query): out[i] answers hashes[i]. 0, or VG_EIO
     * (then out is not filled). */
    int (*token_lookup_many)(struct vg_store *st, const unsigned char (*hashes)[32], size_t n,
                             struct vg_token_found *out);
    int (*token_list)(struct vg_store *st, long long user_id, json_t **out);
    int (*token_revoke)(struct vg_store *st, long long id, long long user_id, struct vg_diag *d);
    int (*token_prune)(struct vg_store *st, long long user_id, const char *kind, int keep,
                       struct vg_diag *d);
    int (*token_touch)(struct vg_store *st, long long id, const char *when, struct vg_diag *d);
    int (*intake_log)(struct vg_store *st, const json_t *entry, struct vg_diag *d);
    int (*audit_list)(struct vg_store *st, const struct vg_page *page, json_t **out,
                      struct vg_diag *d);
};

/* Unless said otherwise, each of these returns 0, VG_ENOENT when the named thing does not
 * exist, VG_EINVAL / VG_ECONFLICT / VG_EEXIST with a message in d, or VG_EIO (a store
 * failure, message in d when given). *out is a new reference. */

/* Creates user name with role unless it exists (an existing user keeps its role); *id (may
 * be NULL) = its id. */
int vg_store_user_ensure(struct vg_store *st, const char *name, const char *role, long long *id,
                         struct vg_diag *d);
/* Sets the password hash (Argon2id, encoded) of user name; VG_ENOENT if there is none. */
int vg_store_user_set_password(struct vg_store *st, const char *name, const char *hash,
                               struct vg_diag *d);
/* *out = {"id","name","role","created","disabled","password_hash" (or null)}. */
int vg_store_user_get(struct vg_store *st, const char *name, json_t **out);
/* *out = the users in id order, without their password hashes. */
int vg_store_user_list(struct vg_store *st, json_t **out);
/* Stores a new token of user user_id by its SHA-256 hash (the token itself is never stored)
 * with a label (NULL: ""), a kind ("api" or "login") and an expiry (RFC 3339 UTC; NULL:
 * never); *id (may be NULL) = its id. */
int vg_store_token_add(struct vg_store *st, long long user_id, const unsigned char hash[32],
                       const char *label, const char *kind, const char *expires, long long *id,
                       struct vg_diag *d);
/* Who the token of that hash authenticates: *out and *meta filled, or VG_ENOENT if it is
 * unknown, revoked or its user disabled. Expired tokens are found (meta->expires says it: the
 * caller decides). Answered from the prefetched answers when the hash is among them (see
 * vg_store_token_prefetch), else by the backend (SQLite from a per-connection cache when it
 * can). */
int vg_store_token_lookup(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                          struct vg_token_meta *meta);
/* Looks up the tokens of n hashes (duplicates allowed) in one query and keeps the answers on st
 * for vg_store_token_lookup, until vg_store_token_prefetch_end or any write of users or tokens
 * through st (vg_store_user_* and vg_store_token_* but lookups and lists), which drops them
 * at once: a revocation is seen by the next lookup. For a server's batch of requests: call it
 * after the batch's requests arrived and its transaction (read or write) began, so that the
 * answers are as fresh as each request's own lookup would be. Replaces earlier answers. 0,
 * VG_ENOMEM or VG_EIO (then nothing is kept: the lookups go to the backend). n = 0 keeps
 * nothing. */
int vg_store_token_prefetch(struct vg_store *st, const unsigned char (*hashes)[32], size_t n);
/* Drops the prefetched answers; none: does nothing. */
void vg_store_token_prefetch_end(struct vg_store *st);
/* Revokes the unrevoked tokens of that kind of user user_id but the `keep` newest. */
int vg_store_token_prune(struct vg_store *st, long long user_id, const char *kind, int keep,
                         struct vg_diag *d);
/* Records that token id was used at `when` (RFC 3339 UTC), unless a later use is recorded. */
int vg_store_token_touch(struct vg_store *st, long long id, const char *when, struct vg_diag *d);
/* *out = the tokens of user user_id: [{"id","label","kind","created","expires" (or null),
 * "last_used" (or null),"revoked" (or null)}]. */
int vg_store_token_list(struct vg_store *st, long long user_id, json_t **out);
/* Revokes token id; if user_id > 0 only a token of that user. */
int vg_store_token_revoke(struct vg_store *st, long long id, long long user_id, struct vg_diag *d);

/* Records a public report attempt: {client, decision, reporter_email, org_name, org_kind,
 * incident?}. */
int vg_store_intake_log(struct vg_store *st, const json_t *entry, struct vg_diag *d);
/* The audit log, newest first: *out = {"items": [...], "next_cursor": ... or null}. */
int vg_store_audit_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                        struct vg_diag *d);

#endif
