/* Tokens and passwords. A token is 32 random bytes in hex behind "vgt_"; only its SHA-256 is
 * stored, so a stolen database does not yield usable tokens. */
#include "app/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int vg_auth_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

int vg_auth_token_new(struct vg_store *st, long long user_id, const char *label,
                      char out[VG_TOKEN_LEN + 1], long long *id, struct vg_diag *d)
{
    unsigned char raw[32], hash[crypto_hash_sha256_BYTES];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "vgt_", 4);
    sodium_bin2hex(out + 4, VG_TOKEN_LEN + 1 - 4, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    crypto_hash_sha256(hash, (const unsigned char *)out, VG_TOKEN_LEN);
    return vg_store_token_add(st, user_id, hash, label, id, d);
}

int vg_auth_token_check(struct vg_store *st, const char *token, size_t len,
                        struct vg_actor *who)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    if (len != VG_TOKEN_LEN || memcmp(token, "vgt_", 4) != 0)
        return VG_ENOENT;
    crypto_hash_sha256(hash, (const unsigned char *)token, len);
    return vg_store_token_lookup(st, hash, who);
}

int vg_auth_password_hash(const char *password, char *out, size_t cap)
{
    if (cap < crypto_pwhash_STRBYTES)
        return VG_ENOMEM;
    if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return VG_ENOMEM;
    return 0;
}

bool vg_auth_password_ok(const char *hash, const char *password)
{
    return hash && *hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int vg_auth_role_rank(const char *role)
{
    if (!role)
        return 0;
    if (strcmp(role, "reader") == 0)
        return 1;
    if (strcmp(role, "analyst") == 0)
        return 2;
    if (strcmp(role, "admin") == 0)
        return 3;
    return 0;
}
