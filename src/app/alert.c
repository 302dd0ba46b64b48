/* The escalation of an alert into an incident (app/alert.h): the request's fields checked as
 * an incident's, then the store's escalation (the incident with the indicator and the values
 * seen as observables, the alert marked escalated, in one transaction). */
#include "app/alert.h"

#include "core/record.h"
#include "util/json.h"

int vg_alert_escalate(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const allowed[] = {"title", "description", "class",    "type", "severity",
                                          "tlp",   "pap",         "assignee", NULL};
    json_t *fields = NULL;
    int rc = vg_json_check_fields(in, allowed, "/", d);
    if (!rc && json_object_size(in))
        rc = vg_incident_check(in, VG_CHECK_PATCH, &fields, d);
    if (!rc && (json_object_get(in, "class") != NULL) != (json_object_get(in, "type") != NULL))
        rc = vg_diag_set(d, VG_EINVAL, "/type", "give class and type together");
    if (!rc)
        rc = vg_store_alert_escalate(st, who, id, fields ? fields : in, out, d);
    json_decref(fields);
    return rc;
}
