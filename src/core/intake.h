/* The rules of the public intake: who may report an incident to this CERT, and who is
 * redirected to the national victim-assistance service instead; what an anonymous report may
 * carry. */
#ifndef VG_INTAKE_H
#define VG_INTAKE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct vg_intake_decision {
    bool accepted;    /* create an incident */
    bool unverified;  /* the claim is the reporter's word: an analyst (or, later, a
                       * confirmation mail) must check it; always true when accepted */
    long long org_id; /* the candidate organisation (owner of the reporter's e-mail domain),
                       * 0 if none */
};

/* known_org is the organisation owning the reporter's e-mail domain (NULL if none); it then
 * decides by its own kind, and becomes the incident's candidate organisation. Otherwise the
 * declared kind decides. Nobody has verified the address, so an accepted report is always
 * unverified. */
struct vg_intake_decision vg_intake_decide(const char *declared_kind, const json_t *known_org);

/* What a public report may carry (vigie serve --intake-*). */
struct vg_intake_limits {
    int min_prefix_ipv4;    /* an IPv4 network shorter than this is refused (8: /7 is) */
    int min_prefix_ipv6;    /* the same for IPv6 (32) */
    size_t max_observables; /* observables in one report (100) */
};

#define VG_INTAKE_MIN_PREFIX_IPV4 8
#define VG_INTAKE_MIN_PREFIX_IPV6 32
#define VG_INTAKE_MAX_OBSERVABLES 100

/* Checks the observables of a report already checked by vg_report_check (normal forms,
 * {type, value}; obs may be NULL) against lim (a field at 0 takes the default above).
 * 0, or VG_EINVAL with d naming /observables (too many) or /observables/N/value (a network
 * too wide). */
int vg_intake_check_observables(const json_t *obs, const struct vg_intake_limits *lim,
                                struct vg_diag *d);

#endif
