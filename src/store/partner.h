/* The store's partner CERTs (issue 12) and their API tokens (kept as hashes, apart from the
 * users' tokens). Included by store/store.h; a backend fills struct vg_store_partner_ops. */
#ifndef VG_STORE_PARTNER_H
#define VG_STORE_PARTNER_H

#include <jansson.h>

#include "store/base.h"
#include "store/user.h"

struct vg_store_partner_ops {
    int (*create)(struct vg_store *st, const struct vg_actor *who, const json_t *p, json_t **out,
                  struct vg_diag *d);
    int (*get)(struct vg_store *st, long long id, json_t **out);
    int (*list)(struct vg_store *st, const struct vg_page *page, json_t **out, struct vg_diag *d);
    int (*update)(struct vg_store *st, const struct vg_actor *who, long long id,
                  const json_t *patch, json_t **out, struct vg_diag *d);
    int (*token_add)(struct vg_store *st, const struct vg_actor *who, long long partner,
                     const unsigned char hash[32], const char *label, json_t **out,
                     struct vg_diag *d);
    int (*token_lookup)(struct vg_store *st, const unsigned char hash[32], struct vg_actor *out,
                        struct vg_token_meta *meta);
    int (*token_list)(struct vg_store *st, long long partner, json_t **out);
    int (*token_revoke)(struct vg_store *st, const struct vg_actor *who, long long partner,
                        long long id, struct vg_diag *d);
    int (*token_touch)(struct vg_store *st, long long id, const char *when, struct vg_diag *d);
};

/* Unless said otherwise, each returns 0, VG_ENOENT when the partner (or token) does not
 * exist, VG_EEXIST (field "/name") when another partner has that name (case ignored), or
 * VG_EIO. *out is a new reference. Writes are audited under the actor's name. */

/* Stores a partner checked by vg_partner_check; *out = the partner as vg_store_partner_get
 * gives it. */
int vg_store_partner_create(struct vg_store *st, const struct vg_actor *who, const json_t *p,
                            json_t **out, struct vg_diag *d);
/* *out = {"id","name","country","networks","contacts","max_tlp","disabled","created",
 * "updated"}. */
int vg_store_partner_get(struct vg_store *st, long long id, json_t **out);
/* The partners in id order: *out = {"items": [...], "next_cursor": ... or null}. */
int vg_store_partner_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                          struct vg_diag *d);
/* Merges a checked patch into partner id. Disabling it (or renaming it) applies to its
 * tokens at once. */
int vg_store_partner_update(struct vg_store *st, const struct vg_actor *who, long long id,
                            const json_t *patch, json_t **out, struct vg_diag *d);
/* Stores a new token of partner `partner` by its SHA-256 (the token itself is never stored)
 * with a label (NULL: ""); *out = {"id","label","created","last_used": null,"revoked": null}. */
int vg_store_partner_token_add(struct vg_store *st, const struct vg_actor *who, long long partner,
                               const unsigned char hash[32], const char *label, json_t **out,
                               struct vg_diag *d);
/* Whom the partner token of that hash authenticates: *out = {user_id 0, the partner's name,
 * role "partner", partner_id} and *meta (id, kind "partner", last_used); VG_ENOENT if it is
 * unknown, revoked or its partner disabled. Answered from the connection's token cache when it can.
 */
int vg_store_partner_token_lookup(struct vg_store *st, const unsigned char hash[32],
                                  struct vg_actor *out, struct vg_token_meta *meta);
/* *out = the tokens of the partner, without secrets:
 * [{"id","label","created","last_used","revoked"}] (last_used and revoked null when not set;
 * empty if the partner has none or does not exist). */
int vg_store_partner_token_list(struct vg_store *st, long long partner, json_t **out);
/* Revokes token id of partner `partner`; VG_ENOENT if it has no such valid token. */
int vg_store_partner_token_revoke(struct vg_store *st, const struct vg_actor *who,
                                  long long partner, long long id, struct vg_diag *d);

/* Records that partner token id was used at `when` (RFC 3339 UTC), unless a later use is
 * recorded; written by the server's database thread (http/auth.c), as vg_store_token_touch. */
int vg_store_partner_token_touch(struct vg_store *st, long long id, const char *when,
                                 struct vg_diag *d);

#endif
