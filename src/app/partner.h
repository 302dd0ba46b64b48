/* Partner CERTs (issue 12): who they are, their tokens, and the recipient (core/tlp.h) that an
 * authenticated actor is for the TLP gate. Shared by the HTTP API (api/partners.c,
 * http/auth.c through app/auth.h) and the CLI (vigie partner). */
#ifndef VG_APP_PARTNER_H
#define VG_APP_PARTNER_H

#include <jansson.h>
#include <stddef.h>

#include "core/tlp.h"
#include "store/store.h"

#define VG_PARTNER_TOKEN_LEN 68  /* "vgp_" + 64 hex digits */
#define VG_PARTNER_LABEL_MAX 128 /* bytes of a token's label, as for users' tokens */

/* The recipient `who` is: INTERNAL for the CERT's users, PARTNER with its max_tlp (read from
 * the store now, so that a lowered max_tlp applies at once) and partner_id for a partner's
 * token. 0; VG_ENOENT if the partner is gone or disabled; VG_EIO. */
int vg_partner_recipient(struct vg_store *st, const struct vg_actor *who, struct vg_recipient *out,
                         struct vg_diag *d);

/* Checks (core/partner.h) and stores a new partner; *out = the partner. 0, VG_EINVAL /
 * VG_ETOOBIG naming the field, VG_EEXIST ("/name"), or VG_EIO; d filled. */
int vg_partner_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                      json_t **out, struct vg_diag *d);
/* Checks and applies a patch (name, country, networks, contacts, max_tlp, disabled) to
 * partner id; *out = the partner. The same errors, and VG_ENOENT. */
int vg_partner_update(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *in, json_t **out, struct vg_diag *d);
/* Creates a token for partner id, labelled `label` (NULL: ""; at most VG_PARTNER_LABEL_MAX bytes):
 * writes the secret (NUL-terminated, shown once: only its SHA-256 is stored) into out and
 * *meta = {"id","label","created","revoked"}. 0, VG_ENOENT, VG_EINVAL (label), VG_EIO. */
int vg_partner_token_new(struct vg_store *st, const struct vg_actor *who, long long id,
                         const char *label, char out[VG_PARTNER_TOKEN_LEN + 1], json_t **meta,
                         struct vg_diag *d);
/* Looks up a presented partner token ("vgp_..."): 0 with *who = {user_id 0, the partner's
 * name, role "partner", partner_id} and *meta (may be NULL); VG_ENOENT if it is not a partner
 * token, is unknown or revoked, or its partner is disabled; another error if the store
 * fails. */
int vg_partner_token_check(struct vg_store *st, const char *token, size_t len, struct vg_actor *who,
                           struct vg_token_meta *meta);

#endif
