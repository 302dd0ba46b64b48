/* Authentication use cases: API tokens (random 256-bit, shown once, stored as SHA-256),
 * passwords (Argon2id through libsodium), logins and users. Shared by the HTTP server
 * (api/users.c, http/auth.c) and the CLI (vigie init, vigie token, the demo data). */
#ifndef VG_APP_AUTH_H
#define VG_APP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define VG_TOKEN_LEN 68 /* "vgt_" + 64 hex digits */

/* Initialises libsodium; call once before any other function here. 0 or -1. */
int vg_auth_init(void);
/* Creates a token for user_id; writes the secret (NUL-terminated) into out. */
int vg_auth_token_new(struct vg_store *st, long long user_id, const char *label,
                      char out[VG_TOKEN_LEN + 1], long long *id, struct vg_diag *d);
/* Ensures user `name` with `role` (created if absent) and creates a token labelled `label`
 * for it (vigie init, vigie token create). 0, or an error with d filled. */
int vg_auth_user_token(struct vg_store *st, const char *name, const char *role, const char *label,
                       char out[VG_TOKEN_LEN + 1], struct vg_diag *d);
/* Looks up a presented token; 0 and *who filled, or VG_ENOENT. */
int vg_auth_token_check(struct vg_store *st, const char *token, size_t len, struct vg_actor *who);
/* Verifies name and password and creates a "login" token: 0 with out, *id (the token's) and
 * role (user's role, cap bytes) filled; VG_EPERM when the user is unknown or disabled or the
 * password wrong (one answer for all three); another error (d filled) if the store fails. */
int vg_auth_login(struct vg_store *st, const char *name, const char *password,
                  char out[VG_TOKEN_LEN + 1], long long *id, char *role, size_t cap,
                  struct vg_diag *d);
/* Creates user `name` with `role` and, if password is not NULL, that password (hashed).
 * 0 and *id; VG_EEXIST (field "/name") if the user exists; another error with d filled.
 * The caller has checked name, role and password. */
int vg_auth_user_create(struct vg_store *st, const char *name, const char *role,
                        const char *password, long long *id, struct vg_diag *d);
/* Argon2id hash of a password into out (crypto_pwhash_STRBYTES). 0 or VG_ENOMEM. */
int vg_auth_password_hash(const char *password, char *out, size_t cap);
/* True if password matches the stored hash. */
bool vg_auth_password_ok(const char *hash, const char *password);
/* Rank of a role: reader 1, analyst 2, admin 3; 0 if unknown. */
int vg_auth_role_rank(const char *role);

#endif
