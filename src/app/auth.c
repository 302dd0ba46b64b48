/* Tokens, passwords, logins and users. A token is 32 random bytes in hex behind "vgt_"; only
 * its SHA-256 is stored, so a stolen database does not yield usable tokens. */
#include "app/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

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

int vg_auth_user_token(struct vg_store *st, const char *name, const char *role, const char *label,
                       char out[VG_TOKEN_LEN + 1], struct vg_diag *d)
{
    long long uid;
    int rc = vg_store_user_ensure(st, name, role, &uid, d);
    if (!rc)
        rc = vg_auth_token_new(st, uid, label, out, NULL, d);
    return rc;
}

int vg_auth_token_check(struct vg_store *st, const char *token, size_t len, struct vg_actor *who)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    if (len != VG_TOKEN_LEN || memcmp(token, "vgt_", 4) != 0)
        return VG_ENOENT;
    crypto_hash_sha256(hash, (const unsigned char *)token, len);
    return vg_store_token_lookup(st, hash, who);
}

int vg_auth_login(struct vg_store *st, const char *name, const char *password,
                  char out[VG_TOKEN_LEN + 1], long long *id, char *role, size_t cap,
                  struct vg_diag *d)
{
    json_t *user = NULL;
    int rc = vg_store_user_get(st, name, &user);
    if (rc == VG_ENOENT ||
        (!rc && (json_is_true(json_object_get(user, "disabled")) ||
                 !vg_auth_password_ok(vg_json_str(user, "password_hash"), password))))
        rc = vg_diag_set(d, VG_EPERM, "", "wrong user name or password");
    else if (rc)
        vg_diag_set(d, rc, "", "cannot read user '%s'", name);
    if (!rc)
        rc = vg_auth_token_new(st, (long long)json_integer_value(json_object_get(user, "id")),
                               "login", out, id, d);
    if (!rc)
        snprintf(role, cap, "%s", vg_json_str(user, "role") ? vg_json_str(user, "role") : "");
    json_decref(user);
    return rc;
}

int vg_auth_user_create(struct vg_store *st, const char *name, const char *role,
                        const char *password, long long *id, struct vg_diag *d)
{
    json_t *user = NULL;
    int rc = vg_store_user_get(st, name, &user);
    json_decref(user);
    if (rc == 0)
        return vg_diag_set(d, VG_EEXIST, "/name", "user '%s' exists", name);
    if (rc != VG_ENOENT)
        return vg_diag_set(d, rc, "", "cannot read user '%s'", name);
    rc = vg_store_user_ensure(st, name, role, id, d);
    if (rc == 0 && password) {
        char hash[256];
        rc = vg_auth_password_hash(password, hash, sizeof hash);
        if (rc == 0)
            rc = vg_store_user_set_password(st, name, hash, d);
        sodium_memzero(hash, sizeof hash);
    }
    return rc;
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
