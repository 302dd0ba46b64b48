/* Authentication: API tokens (random 256-bit, shown once, stored as SHA-256) and passwords
 * (Argon2id through libsodium). Shared by the HTTP server and the CLI. */
#ifndef VG_APP_AUTH_H
#define VG_APP_AUTH_H

#include <stdbool.h>

#include "store/store.h"

#define VG_TOKEN_LEN 68 /* "vgt_" + 64 hex digits */

/* Initialises libsodium; call once before any other function here. 0 or -1. */
int vg_auth_init(void);
/* Creates a token for user_id; writes the secret (NUL-terminated) into out. */
int vg_auth_token_new(struct vg_store *st, long long user_id, const char *label,
                      char out[VG_TOKEN_LEN + 1], long long *id, struct vg_diag *d);
/* Looks up a presented token; 0 and *who filled, or VG_ENOENT. */
int vg_auth_token_check(struct vg_store *st, const char *token, size_t len,
                        struct vg_actor *who);
/* Argon2id hash of a password into out (crypto_pwhash_STRBYTES). 0 or VG_ENOMEM. */
int vg_auth_password_hash(const char *password, char *out, size_t cap);
/* True if password matches the stored hash. */
bool vg_auth_password_ok(const char *hash, const char *password);
/* Rank of a role: reader 1, analyst 2, admin 3; 0 if unknown. */
int vg_auth_role_rank(const char *role);

#endif
