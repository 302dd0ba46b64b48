/* Partner CERTs (issue 12): who they are, their tokens, and the recipient (core/tlp.h) that an
 * authenticated actor is for the TLP gate. */
#ifndef VG_APP_PARTNER_H
#define VG_APP_PARTNER_H

#include "core/tlp.h"
#include "store/store.h"

/* The recipient `who` is: INTERNAL for the CERT's users, PARTNER with its max_tlp (read from
 * the store now, so that a lowered max_tlp applies at once) and partner_id for a partner's
 * token. 0; VG_ENOENT if the partner is gone; VG_EIO. */
int vg_partner_recipient(struct vg_store *st, const struct vg_actor *who, struct vg_recipient *out,
                         struct vg_diag *d);

#endif
