/* The public intake as a use case: a report from the web form or POST /api/v1/reports is
 * checked, the reporter's organisation recognised (a candidate: the e-mail address is not
 * verified), eligibility decided (core/intake.h), an unverified incident created if eligible
 * — or the report held in a queue when the global cap says so — and every attempt logged.
 * Analysts accept or discard the held reports. */
#ifndef VG_APP_INTAKE_H
#define VG_APP_INTAKE_H

#include <jansson.h>
#include <stdbool.h>

#include "core/intake.h"
#include "store/store.h"

/* How a deployment runs its intake (vigie serve options). Zeroes take the defaults. */
struct vg_intake_opts {
    struct vg_intake_limits limits; /* what a report may carry */
    long long queue_max;            /* held reports at most (VG_INTAKE_QUEUE_MAX) */
    /* Asked once per report that would open an incident: true opens it, false holds the
     * report in the queue (the global cap on unverified reports). NULL: always true. */
    bool (*admit)(void *ctx);
    void *admit_ctx;
};

#define VG_INTAKE_QUEUE_MAX 10000

/* What came of a report. */
struct vg_intake_result {
    bool accepted;      /* an incident was created (else: redirected, or held) */
    bool unverified;    /* the claim is unverified (always, for an accepted report) */
    bool queued;        /* held in the queue (queue_id), no incident yet */
    bool queue_full;    /* would have been held, but the queue is full: nothing stored */
    long long queue_id; /* the held report's id when queued */
    long long org_id;   /* the candidate organisation, 0 if none */
    char ref[64];       /* the incident's reference when accepted, else "" */
};

/* Takes a report as received (a JSON object, checked here by vg_report_check and
 * vg_intake_check_observables), from the client address `client` (logged). opts may be NULL
 * (defaults, no cap). 0 and *res filled; VG_EINVAL with d naming the field for a bad report;
 * another error (d filled) when the store fails, including the intake log. */
int vg_intake_submit(struct vg_store *st, const json_t *report, const char *client,
                     const struct vg_intake_opts *opts, struct vg_intake_result *res,
                     struct vg_diag *d);
/* vg_intake_submit with the default options. */
int vg_intake_report(struct vg_store *st, const json_t *report, const char *client,
                     struct vg_intake_result *res, struct vg_diag *d);

/* Logs a report refused unread as spam (the portal's honeypot was filled): decision "spam",
 * with what it claimed (report as received, unchecked: its reporter's e-mail, its
 * organisation's name and kind when they are strings, each cut to 254 bytes). Nothing else is
 * stored. 0, or the store's error (d filled). */
int vg_intake_log_spam(struct vg_store *st, const json_t *report, const char *client,
                       struct vg_diag *d);

/* Opens the incident of held report id (the decision taken again, with today's
 * organisations), removes it from the queue and logs it. 0 and *res filled; VG_ENOENT if
 * there is no such held report; VG_ECONFLICT (d filled) if it is no longer eligible (it stays
 * held: discard it). */
int vg_intake_accept_held(struct vg_store *st, long long id, struct vg_intake_result *res,
                          struct vg_diag *d);
/* Removes held report id without an incident, and logs it. 0 or VG_ENOENT. */
int vg_intake_discard_held(struct vg_store *st, long long id, struct vg_diag *d);

#endif
