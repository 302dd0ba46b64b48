/* A new incident as a typed record: what the store needs to create one, read once from the
 * checked JSON (core/record.h) instead of field by field by each backend. */
#ifndef VG_INCIDENT_H
#define VG_INCIDENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* One observable of a new incident, in normal form (vg_observable_check made it). */
struct vg_incident_obs {
    const char *type;  /* STIX name, "ipv4-addr", ... */
    const char *value; /* normal form */
};

/* A new incident. Strings are borrowed from the JSON it was read from (NULL: absent). */
struct vg_incident_new {
    const char *title;           /* required */
    const char *description;     /* "" when absent */
    const char *cls;             /* RSIT class */
    const char *type;            /* RSIT type of that class */
    const char *severity;        /* low, medium, high, critical */
    const char *tlp;             /* CLEAR ... RED */
    const char *pap;             /* CLEAR ... RED */
    const char *status;          /* "new" when absent */
    bool unverified;             /* reported through the public intake, not yet checked */
    long long org;               /* organisation id, 0: none */
    const json_t *reporter;      /* {name, email, phone?}, NULL: none ({}) */
    const char *assignee;        /* user name, NULL: none */
    const char *occurred;        /* RFC 3339, NULL: unknown */
    struct vg_incident_obs *obs; /* distinct observables, in the order given (owned) */
    size_t nobs;                 /* their number */
    long long from_alert;        /* the alert it was escalated from, 0: none */
};

/* Reads a new incident from rec, a record checked by vg_incident_check (VG_CHECK_CREATE) or
 * built as one (intake, escalation): its fields, and its observables [{type, value}] with
 * duplicates dropped. out borrows rec's strings: keep rec until out is cleaned up. Returns 0,
 * VG_EINVAL (a required field missing or of the wrong type; d names it) or VG_ENOMEM. */
int vg_incident_new_from_json(const json_t *rec, struct vg_incident_new *out, struct vg_diag *d);
/* Frees what out owns (not the borrowed strings); NULL does nothing. */
void vg_incident_new_cleanup(struct vg_incident_new *n);

/* May patch (checked by vg_incident_check, VG_CHECK_PATCH) apply to the incident whose stored
 * fields are cur? The status change must be one the lifecycle allows (VG_ECONFLICT with the
 * statuses allowed, see vg_status_check_move), and the class and type it leaves must be an
 * RSIT pair (VG_EINVAL, field "/type"). 0 if it may. */
int vg_incident_patch_check(const json_t *cur, const json_t *patch, struct vg_diag *d);

#endif
