/* The incident lifecycle: new -> triage -> analysis -> containment -> eradication ->
 * recovery -> closed, with rejection and reopening. */
#ifndef VG_LIFECYCLE_H
#define VG_LIFECYCLE_H

#include <stdbool.h>

#include "util/err.h"

extern const char *const vg_status_names[]; /* NULL-terminated */

bool vg_status_valid(const char *status);
/* True if an incident in status `from` may move to `to`. */
bool vg_status_can_move(const char *from, const char *to);
/* NULL-terminated list of the statuses reachable from `from` (empty list if unknown). */
const char *const *vg_status_next(const char *from);
/* Checks a status change asked of an incident in status `from`: 0 if `to` is NULL, the same
 * status or one the lifecycle allows; VG_ECONFLICT otherwise, with d naming "/status" and
 * listing the statuses allowed ("... cannot move to 'closed'; allowed: triage, rejected"). */
int vg_status_check_move(const char *from, const char *to, struct vg_diag *d);
/* True for closed and rejected. */
bool vg_status_is_final(const char *status);

#endif
