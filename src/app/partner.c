/* Partner CERTs (app/partner.h): their records, their tokens (32 random bytes in hex behind
 * "vgp_", stored as SHA-256 in a table of their own) and the recipient an actor is. */
#include "app/partner.h"

#include <sodium.h>
#include <string.h>

#include "app/taxii.h"
#include "core/partner.h"
#include "util/json.h"
#include "util/limits.h"

int vg_partner_recipient(struct vg_store *st, const struct vg_actor *who, struct vg_recipient *out,
                         struct vg_diag *d)
{
    *out = (struct vg_recipient){VG_RCPT_INTERNAL, VG_TLP_RED, 0, 0};
    if (who->partner_id == 0)
        return 0;
    json_t *p = NULL;
    int rc = vg_store_partner_get(st, who->partner_id, &p);
    if (rc == 0 && json_is_true(json_object_get(p, "disabled")))
        rc = VG_ENOENT;
    if (rc) {
        json_decref(p);
        return rc == VG_ENOENT
                   ? vg_diag_set(d, VG_ENOENT, "", "no partner %lld", who->partner_id)
                   : vg_diag_set(d, rc, "", "cannot read partner %lld", who->partner_id);
    }
    enum vg_tlp max = VG_TLP_CLEAR; /* a level that cannot be read: the least */
    if (vg_partner_max_tlp(vg_json_str(p, "max_tlp"), &max) != 0)
        max = VG_TLP_CLEAR;
    json_decref(p);
    *out = (struct vg_recipient){VG_RCPT_PARTNER, max, 0, who->partner_id};
    return 0;
}

int vg_partner_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                      json_t **out, struct vg_diag *d)
{
    json_t *p = NULL;
    int rc = vg_partner_check(in, VG_CHECK_CREATE, &p, d);
    if (rc == 0 && (rc = vg_store_tx_begin(st, d)) == 0) {
        /* the partner and its TAXII inbox (a collection it reads and writes) together */
        json_t *inbox = NULL;
        rc = vg_store_partner_create(st, who, p, out, d);
        if (rc == 0)
            rc = vg_taxii_inbox_create(st, who, json_integer_value(json_object_get(*out, "id")),
                                       json_string_value(json_object_get(*out, "name")), &inbox, d);
        json_decref(inbox);
        if (rc == 0)
            rc = vg_store_tx_commit(st, d);
        else
            vg_store_tx_rollback(st);
        if (rc) {
            json_decref(*out);
            *out = NULL;
        }
    }
    json_decref(p);
    return rc;
}

int vg_partner_update(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *in, json_t **out, struct vg_diag *d)
{
    json_t *p = NULL;
    int rc = vg_partner_check(in, VG_CHECK_PATCH, &p, d);
    if (rc == 0)
        rc = vg_store_partner_update(st, who, id, p, out, d);
    json_decref(p);
    return rc;
}

int vg_partner_token_new(struct vg_store *st, const struct vg_actor *who, long long id,
                         const char *label, char out[VG_PARTNER_TOKEN_LEN + 1], json_t **meta,
                         struct vg_diag *d)
{
    if (label && strlen(label) > VG_PARTNER_LABEL_MAX)
        return vg_diag_set(d, VG_EINVAL, "/label", "/label must be a string of at most %d bytes",
                           VG_PARTNER_LABEL_MAX);
    unsigned char raw[32], hash[crypto_hash_sha256_BYTES];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "vgp_", 4);
    sodium_bin2hex(out + 4, VG_PARTNER_TOKEN_LEN + 1 - 4, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    crypto_hash_sha256(hash, (const unsigned char *)out, VG_PARTNER_TOKEN_LEN);
    int rc = vg_store_partner_token_add(st, who, id, hash, label, meta, d);
    if (rc)
        sodium_memzero(out, VG_PARTNER_TOKEN_LEN + 1);
    return rc;
}

int vg_partner_token_check(struct vg_store *st, const char *token, size_t len, struct vg_actor *who,
                           struct vg_token_meta *meta)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    struct vg_token_meta m;
    if (len != VG_PARTNER_TOKEN_LEN || memcmp(token, "vgp_", 4) != 0)
        return VG_ENOENT;
    crypto_hash_sha256(hash, (const unsigned char *)token, len);
    return vg_store_partner_token_lookup(st, hash, who, meta ? meta : &m);
}
