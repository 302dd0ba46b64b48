/* The public intake as a use case: a report from the web form or POST /api/v1/reports is
 * checked, the reporter's organisation recognised, eligibility decided (core/intake.h), an
 * incident created if eligible, and every attempt logged. */
#ifndef VG_APP_INTAKE_H
#define VG_APP_INTAKE_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

/* What came of a report. */
struct vg_intake_result {
    bool accepted;   /* an incident was created (else: redirect the reporter) */
    bool unverified; /* the organisation was declared, not recognised: triage must check */
    char ref[64];    /* the incident's reference when accepted, else "" */
};

/* Takes a report as received (a JSON object, checked here by vg_report_check), from the
 * client address `client` (logged). 0 and *res filled; VG_EINVAL with d naming the field for
 * a bad report; another error (d filled) when the store fails, including the intake log. */
int vg_intake_report(struct vg_store *st, const json_t *report, const char *client,
                     struct vg_intake_result *res, struct vg_diag *d);

#endif
