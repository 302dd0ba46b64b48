/* Authentication use cases: API tokens (random 256-bit, shown once, stored as SHA-256),
 * passwords (Argon2id through libsodium), logins and users. Shared by the HTTP server
 * (api/users.c, http/auth.c) and the CLI (vigie init, vigie token, the demo data). */
#ifndef VG_APP_AUTH_H
#define VG_APP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "util/str.h"

#define VG_TOKEN_LEN    68 /* "vgt_" + 64 hex digits */

#define VG_LOGIN_TTL    (12 * 3600) /* seconds a login token lives, by default */
#define VG_LOGIN_MAX    20 /* login tokens a user keeps, by default: more revoke the oldest */

#define VG_SESSION_TTL  (12 * 3600) /* seconds a console session lives at most, by default */
#define VG_SESSION_IDLE (30 * 60)   /* seconds a console session lives unused, by default */
#define VG_CSRF_LEN     64          /* hex digits of a session's CSRF token */

/* What a login mints. */
struct vg_auth_policy {
    long long login_ttl; /* seconds a login token lives; <= 0: VG_LOGIN_TTL (a session:
                          * VG_SESSION_TTL) */
    int login_max;       /* unrevoked login tokens a user keeps; <= 0: VG_LOGIN_MAX */
    const char *kind;    /* what is minted: "login" (an API bearer token; NULL) or "session"
                          * (the console's cookie, web/: refused as a bearer token) */
};

/* Initialises libsodium; call once before any other function here. 0 or -1. */
int vg_auth_init(void);
/* Creates an "api" token for user_id, expiring at `expires` (RFC 3339 UTC; NULL: never);
 * writes the secret (NUL-terminated) into out. */
int vg_auth_token_new(struct vg_store *st, long long user_id, const char *label,
                      const char *expires, char out[VG_TOKEN_LEN + 1], long long *id,
                      struct vg_diag *d);
/* Ensures user `name` with `role` (created if absent) and creates a token labelled `label`
 * for it (vigie init, vigie token create). 0, or an error with d filled. */
int vg_auth_user_token(struct vg_store *st, const char *name, const char *role, const char *label,
                       char out[VG_TOKEN_LEN + 1], struct vg_diag *d);
/* Looks up a presented token, a user's ("vgt_") or a partner's ("vgp_", app/partner.h: *who
 * is then role "partner" with its partner_id): 0 with *who and *meta (may be NULL) filled;
 * VG_ENOENT if it is unknown, revoked or its user (partner) disabled; VG_EPERM if it has
 * expired (*meta filled); another error if the store fails. */
int vg_auth_token_check(struct vg_store *st, const char *token, size_t len, struct vg_actor *who,
                        struct vg_token_meta *meta);
/* Looks up at once, in one query, the users' tokens ("vgt_") among n presented ones (the
 * others are skipped: a partner's is looked up by its check) and keeps the answers on st, so
 * that vg_auth_token_check answers them without a query of its own, until
 * vg_auth_prefetch_end or a write of users or tokens through st (vg_store_token_prefetch):
 * for the server's batches. 0, or the store's error (nothing is kept then: each check asks
 * the store). */
int vg_auth_prefetch(struct vg_store *st, const struct vg_str *tokens, size_t n);
/* Forgets what vg_auth_prefetch kept on st. */
void vg_auth_prefetch_end(struct vg_store *st);
/* Checks a user's password: 0 and *user_id; VG_EPERM when the user is unknown, disabled, has
 * no password or the password is wrong, each after the same work (one Argon2id verification:
 * of a dummy hash when there is no hash to check), so that neither the answer nor its time
 * tells which names exist; another error (d filled) if the store fails. Needs only a read of
 * the store: the server runs it on its hash pool, each thread with its own connection. */
int vg_auth_password_check(struct vg_store *st, const char *name, const char *password,
                           long long *user_id, struct vg_diag *d);
/* Mints the "login" token of user `name` whose password was checked as user_id: re-reads the
 * user (VG_EPERM if it is gone, disabled or another one since), revokes its oldest login
 * tokens beyond policy's cap (NULL: the defaults) and adds one expiring after its lifetime.
 * 0 with out, *id (the token's), role (the user's, cap bytes) and expires filled. */
int vg_auth_login_mint(struct vg_store *st, const char *name, long long user_id,
                       const struct vg_auth_policy *policy, char out[VG_TOKEN_LEN + 1],
                       long long *id, char *role, size_t cap, char expires[VG_TIME_LEN],
                       struct vg_diag *d);
/* The CSRF token of a console session: 64 hex digits of a hash of the session's secret
 * (BLAKE2b, apart from every other use by a prefix), so that a page elsewhere cannot know it and
 * the server needs to store nothing more. */
void vg_auth_csrf(const char *session, char out[VG_CSRF_LEN + 1]);
/* Whether a CSRF token sent with a form is the session's (constant time). */
bool vg_auth_csrf_ok(const char *session, const char *sent);
/* vg_auth_password_check then vg_auth_login_mint, on one store (the CLI and tests). */
int vg_auth_login(struct vg_store *st, const char *name, const char *password,
                  const struct vg_auth_policy *policy, char out[VG_TOKEN_LEN + 1], long long *id,
                  char *role, size_t cap, struct vg_diag *d);
/* Creates user `name` with `role` and, if password is not NULL, that password (hashed).
 * 0 and *id; VG_EEXIST (field "/name") if the user exists; another error with d filled.
 * The caller has checked name, role and password. */
int vg_auth_user_create(struct vg_store *st, const char *name, const char *role,
                        const char *password, long long *id, struct vg_diag *d);
/* Argon2id hash of a password into out (crypto_pwhash_STRBYTES). 0 or VG_ENOMEM. */
int vg_auth_password_hash(const char *password, char *out, size_t cap);
/* The Argon2id hash checked when a login has no user's hash to check: made with the
 * parameters of vg_auth_password_hash, of a password nobody knows. */
extern const char vg_auth_dummy_hash[];
/* True if password matches the stored hash. */
bool vg_auth_password_ok(const char *hash, const char *password);
/* Rank of a role: reader 1, analyst 2, admin 3; 0 if unknown. */
int vg_auth_role_rank(const char *role);

#endif
