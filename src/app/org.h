/* Organisations of the constituency as use cases: creation and update of a request's body,
 * each followed by the refresh of the organisation's findings (its products matched against
 * the stored CVEs), so that findings follow assets without a full re-match. */
#ifndef VG_APP_ORG_H
#define VG_APP_ORG_H

#include <jansson.h>

#include "store/store.h"

/* Checks `in` (vg_org_check), creates the organisation and matches its products. 0 and *out
 * (the stored organisation, the caller's), or an error with d filled. A failed findings
 * refresh leaves the organisation written: 0 is returned and `warn` (may be NULL) says why
 * (`vigie vuln match` repairs the findings); warn->message is "" otherwise. */
int vg_org_create(struct vg_store *st, const struct vg_actor *who, const json_t *in, json_t **out,
                  struct vg_diag *d, struct vg_diag *warn);
/* Checks the patch `in`, updates organisation id (its "eligible" is not changed here) and,
 * if its assets changed, refreshes its findings. 0 and *out, VG_ENOENT if there is no such
 * organisation, another error with d filled; warn as for vg_org_create. */
int vg_org_update(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  json_t **out, struct vg_diag *d, struct vg_diag *warn);

/* The directory of the constituency, a page of it narrowed by the optional filters: name (a
 * part of the name, any case), kind and sector (one of core/model.h's names); NULL or "":
 * none. 0 and *out as vg_store_org_list's; VG_EINVAL with d naming the filter ("name", "kind",
 * "sector") when one is not acceptable; the store's errors. */
int vg_org_list(struct vg_store *st, const char *name, const char *kind, const char *sector,
                const struct vg_page *page, json_t **out, struct vg_diag *d);

#endif
