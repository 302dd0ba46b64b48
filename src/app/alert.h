/* Alerts as use cases: the escalation of an alert into an incident, once for
 * POST /api/v1/alerts/{id}/escalate and the console's "Escalate to incident" button. */
#ifndef VG_APP_ALERT_H
#define VG_APP_ALERT_H

#include <jansson.h>

#include "store/store.h"

/* Escalates alert id into an incident as `who`. in is the request's object (may be empty):
 * only "title", "description", "class", "type", "severity", "tlp", "pap", "assignee", checked
 * as an incident patch (core/record.h), class and type given together. 0 and *out (the new
 * incident as vg_store_incident_get gives it, the caller's); VG_EINVAL (d's field a JSON
 * pointer of in), VG_ENOENT (no such alert), VG_ECONFLICT (already escalated: d names the
 * incident) or a store error, with d filled. */
int vg_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *in, json_t **out, struct vg_diag *d);

#endif
