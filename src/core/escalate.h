/* Alert escalation: what incident an open alert becomes. The backend reads the alert and the
 * values seen, and stores the incident; what the incident says is decided here. */
#ifndef VG_ESCALATE_H
#define VG_ESCALATE_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

/* An open alert as escalation needs it: its indicator, organisation and the values the
 * sightings of its day saw. */
struct vg_escalation {
    const char *ind_type;    /* the indicator's type (STIX name) */
    const char *ind_value;   /* its normal form */
    const char *ind_tlp;     /* its TLP: the incident's */
    long long org;           /* the organisation the sightings are attributed to, 0: none */
    const char *org_name;    /* its name, NULL: none */
    const char *const *seen; /* values seen in the logs that day, raw (may be NULL) */
    size_t nseen;            /* their number */
};

/* The incident record (as vg_incident_check would make it, for vg_incident_new_from_json) an
 * escalated alert becomes: title "<type> <value> seen[ at <organisation>]", class other, type
 * undetermined, severity medium, TLP of the indicator, PAP AMBER, the alert's organisation,
 * the indicator then each value seen (in its detected type and normal form; values that are
 * no observable are left out) as observables. fields (a checked incident patch: title,
 * description, class, type, severity, tlp, pap, assignee; may be NULL) replace those defaults;
 * the organisation stays the alert's. *out is a new object; 0 or VG_ENOMEM. */
int vg_escalate_incident(const struct vg_escalation *e, const json_t *fields, json_t **out,
                         struct vg_diag *d);

#endif
