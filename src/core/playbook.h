/* Shipped remediation playbooks: for each RSIT class, the recommended steps to contain the
 * incident and restore the systems. The store seeds them once; analysts may then edit them. */
#ifndef VG_PLAYBOOK_H
#define VG_PLAYBOOK_H

#include <jansson.h>

#include "util/err.h"

/* The shipped steps of a class as a new JSON array of {"id","phase","title"}; NULL if the
 * class is unknown. Caller decrefs. */
json_t *vg_playbook_default(const char *class_name);
/* Validates an edited list of steps (ids unique, [a-z0-9-], phases known, titles non-empty);
 * returns 0 or VG_EINVAL with the JSON pointer of the bad item in d->field. */
int vg_playbook_validate(const json_t *steps, struct vg_diag *d);
/* An incident's progress through its playbook: a copy of the playbook's steps pb in which each
 * step carries its state from state ({step id: {"done","done_by","done_at"}}, as the store
 * keeps it; may be NULL), or, for a step without one, "done": false, "done_by" and "done_at"
 * null. A new array; pb NULL gives an empty one. */
json_t *vg_playbook_progress(const json_t *pb, const json_t *state);

#endif
