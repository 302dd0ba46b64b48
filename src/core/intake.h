/* The eligibility rule of the public intake: who may report an incident to this CERT, and
 * who is redirected to the national victim-assistance service instead. */
#ifndef VG_INTAKE_H
#define VG_INTAKE_H

#include <jansson.h>
#include <stdbool.h>

struct vg_intake_decision {
    bool accepted;    /* create an incident */
    bool unverified;  /* the organisation was declared, not recognised: triage must check */
    long long org_id; /* the recognised organisation, 0 if none */
};

/* known_org is the organisation owning the reporter's e-mail domain (NULL if none); it then
 * decides by its own kind. Otherwise the declared kind decides. */
struct vg_intake_decision vg_intake_decide(const char *declared_kind, const json_t *known_org);

#endif
