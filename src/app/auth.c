/* Tokens, passwords, logins and users. A token is 32 random bytes in hex behind "vgt_"; only
 * its SHA-256 is stored, so a stolen database does not yield usable tokens. */
#include "app/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/partner.h"
#include "util/json.h"
#include "util/mem.h"

/* A random password of 64 hex digits, forgotten, hashed with crypto_pwhash_OPSLIMIT_INTERACTIVE
 * and MEMLIMIT_INTERACTIVE: verifying it costs what verifying a user's hash costs. */
const char vg_auth_dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$C+8k+cRibmDGovlmsbn+rg$"
    "wGaV7B9LYLX5nVeC10FeP1bma7tQdkBPEs5MvkogOcM";

int vg_auth_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

/* Makes a token's secret into out and its SHA-256 into hash. */
static void token_make(char out[VG_TOKEN_LEN + 1], unsigned char hash[crypto_hash_sha256_BYTES])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "vgt_", 4);
    sodium_bin2hex(out + 4, VG_TOKEN_LEN + 1 - 4, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    crypto_hash_sha256(hash, (const unsigned char *)out, VG_TOKEN_LEN);
}

int vg_auth_token_new(struct vg_store *st, long long user_id, const char *label,
                      const char *expires, char out[VG_TOKEN_LEN + 1], long long *id,
                      struct vg_diag *d)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    token_make(out, hash);
    return vg_store_token_add(st, user_id, hash, label, "api", expires, id, d);
}

int vg_auth_user_token(struct vg_store *st, const char *name, const char *role, const char *label,
                       char out[VG_TOKEN_LEN + 1], struct vg_diag *d)
{
    long long uid;
    int rc = vg_store_user_ensure(st, name, role, &uid, d);
    if (!rc)
        rc = vg_auth_token_new(st, uid, label, NULL, out, NULL, d);
    return rc;
}

int vg_auth_token_check(struct vg_store *st, const char *token, size_t len, struct vg_actor *who,
                        struct vg_token_meta *meta)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    struct vg_token_meta m;
    if (!meta)
        meta = &m;
    if (len >= 4 && memcmp(token, "vgp_", 4) == 0) /* a partner CERT's (app/partner.h) */
        return vg_partner_token_check(st, token, len, who, meta);
    if (len != VG_TOKEN_LEN || memcmp(token, "vgt_", 4) != 0)
        return VG_ENOENT;
    crypto_hash_sha256(hash, (const unsigned char *)token, len);
    int rc = vg_store_token_lookup(st, hash, who, meta);
    time_t exp;
    if (rc == 0 && meta->expires[0] &&
        (vg_time_parse(meta->expires, &exp) != 0 || exp <= time(NULL)))
        rc = VG_EPERM; /* an expiry that cannot be read is not a token that never expires */
    return rc;
}

int vg_auth_prefetch(struct vg_store *st, const struct vg_str *tokens, size_t n)
{
    unsigned char(*hashes)[crypto_hash_sha256_BYTES] = n ? vg_calloc(n, sizeof *hashes) : NULL;
    if (n && !hashes)
        return VG_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tokens[i].len == VG_TOKEN_LEN && memcmp(tokens[i].ptr, "vgt_", 4) == 0)
            crypto_hash_sha256(hashes[k++], (const unsigned char *)tokens[i].ptr, tokens[i].len);
    int rc = vg_store_token_prefetch(st, (const unsigned char(*)[32])hashes, k);
    free(hashes);
    return rc;
}

void vg_auth_prefetch_end(struct vg_store *st)
{
    vg_store_token_prefetch_end(st);
}

int vg_auth_password_check(struct vg_store *st, const char *name, const char *password,
                           long long *user_id, struct vg_diag *d)
{
    json_t *user = NULL;
    int rc = vg_store_user_get(st, name, &user);
    if (rc && rc != VG_ENOENT) {
        json_decref(user);
        return vg_diag_set(d, rc, "", "cannot read user '%s'", name);
    }
    const char *hash = rc ? NULL : vg_json_str(user, "password_hash");
    bool usable = hash && *hash && !json_is_true(json_object_get(user, "disabled"));
    /* the same work whatever the user: a verification, of the dummy when there is no hash */
    bool ok = crypto_pwhash_str_verify(usable ? hash : vg_auth_dummy_hash, password,
                                       strlen(password)) == 0 &&
              usable;
    if (ok)
        *user_id = (long long)json_integer_value(json_object_get(user, "id"));
    json_decref(user);
    return ok ? 0 : vg_diag_set(d, VG_EPERM, "", "wrong user name or password");
}

int vg_auth_login_mint(struct vg_store *st, const char *name, long long user_id,
                       const struct vg_auth_policy *policy, char out[VG_TOKEN_LEN + 1],
                       long long *id, char *role, size_t cap, char expires[VG_TIME_LEN],
                       struct vg_diag *d)
{
    const char *kind = policy && policy->kind ? policy->kind : "login";
    bool session = !strcmp(kind, "session");
    long long ttl = policy && policy->login_ttl > 0 ? policy->login_ttl
                    : session                       ? VG_SESSION_TTL
                                                    : VG_LOGIN_TTL;
    int max = policy && policy->login_max > 0 ? policy->login_max : VG_LOGIN_MAX;
    json_t *user = NULL;
    long long tid = 0;
    int rc = vg_store_user_get(st, name, &user);
    if (rc == VG_ENOENT || (!rc && (json_is_true(json_object_get(user, "disabled")) ||
                                    json_integer_value(json_object_get(user, "id")) != user_id)))
        rc = vg_diag_set(d, VG_EPERM, "", "wrong user name or password");
    else if (rc)
        vg_diag_set(d, rc, "", "cannot read user '%s'", name);
    bool tx = !rc && !(rc = vg_store_tx_begin(st, d));
    if (!rc) /* the oldest revoked and the new one added together, or neither */
        rc = vg_store_token_prune(st, user_id, kind, max - 1, d);
    if (!rc) {
        unsigned char hash[crypto_hash_sha256_BYTES];
        token_make(out, hash);
        vg_time_fmt(time(NULL) + (time_t)ttl, expires);
        rc = vg_store_token_add(st, user_id, hash, kind, kind, expires, &tid, d);
        if (id)
            *id = tid;
    }
    if (!rc && session) { /* its idle time counts from now */
        char now[VG_TIME_LEN];
        vg_time_fmt(time(NULL), now);
        rc = vg_store_token_touch(st, tid, now, d);
    }
    if (tx && !rc)
        rc = vg_store_tx_commit(st, d);
    else if (tx)
        vg_store_tx_rollback(st);
    if (!rc)
        snprintf(role, cap, "%s", vg_json_str(user, "role") ? vg_json_str(user, "role") : "");
    json_decref(user);
    return rc;
}

void vg_auth_csrf(const char *session, char out[VG_CSRF_LEN + 1])
{
    static const char prefix[] = "vigie csrf v1:";
    unsigned char h[32];
    crypto_generichash_state s;
    crypto_generichash_init(&s, NULL, 0, sizeof h);
    crypto_generichash_update(&s, (const unsigned char *)prefix, sizeof prefix - 1);
    crypto_generichash_update(&s, (const unsigned char *)session, strlen(session));
    crypto_generichash_final(&s, h, sizeof h);
    sodium_bin2hex(out, VG_CSRF_LEN + 1, h, sizeof h);
}

bool vg_auth_csrf_ok(const char *session, const char *sent)
{
    char want[VG_CSRF_LEN + 1];
    if (!session || !sent || strlen(sent) != VG_CSRF_LEN)
        return false;
    vg_auth_csrf(session, want);
    return sodium_memcmp(want, sent, VG_CSRF_LEN) == 0;
}

int vg_auth_login(struct vg_store *st, const char *name, const char *password,
                  const struct vg_auth_policy *policy, char out[VG_TOKEN_LEN + 1], long long *id,
                  char *role, size_t cap, struct vg_diag *d)
{
    long long uid = 0;
    char expires[VG_TIME_LEN];
    int rc = vg_auth_password_check(st, name, password, &uid, d);
    return rc ? rc : vg_auth_login_mint(st, name, uid, policy, out, id, role, cap, expires, d);
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
