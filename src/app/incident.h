/* The incident use cases the JSON API (api/incidents.c) and the console's pages
 * (web/console_incidents.c) share: the list's filters read from a query, creation, a patch
 * with the statuses allowed when the lifecycle refuses it, notes, observables with their own
 * TLP, playbook steps. Each takes the request's JSON as the API receives it (a form is turned
 * into that JSON first) and answers what the store answers. */
#ifndef VG_APP_INCIDENT_H
#define VG_APP_INCIDENT_H

#include <jansson.h>

#include "store/store.h"

/* A query argument by name, or NULL (vg_req_arg for a request). */
typedef const char *(*vg_incident_arg_fn)(void *ctx, const char *name);

/* The filters of the incident list (vg_store_incident_list) from the query arguments status,
 * severity, tlp, class, org, assignee (a user name; "none": unassigned) and sort (newest,
 * oldest, updated, severity; absent: newest), checked in that order. 0 and *out (new), or
 * VG_EINVAL naming the argument ("status must be one of: new, ..."). */
int vg_incident_filters(vg_incident_arg_fn arg, void *ctx, json_t **out, struct vg_diag *d);

/* Creates an incident from in (POST /api/v1/incidents' body), checked by core's incident
 * checker; *out = the incident (new). The store's and the checker's errors as they give them
 * (d names the field as a JSON pointer). */
int vg_incident_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                       json_t **out, struct vg_diag *d);

/* Creates the incidents ins[0..n-1] (bodies as vg_incident_create takes), ins[i] by whos[i],
 * with the answers n calls of vg_incident_create in that order would give: rcs[i] and ds[i],
 * or rcs[i] = 0 and outs[i] (new). Those that pass their checks are created by one store
 * operation (vg_store_incident_create_many: one statement on PostgreSQL) in one transaction
 * with their mail; if that fails, each is created alone, so that each error is its own and
 * the references stay gap-free (a batch's creations: vigie serve, issue 16). Returns how many
 * were created together (0: each alone). */
size_t vg_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                               json_t *const *ins, size_t n, json_t **outs, int *rcs,
                               struct vg_diag *ds);

/* Applies patch in (PATCH /api/v1/incidents/{ref}'s body) to ref. On VG_ECONFLICT (a status
 * the lifecycle forbids) *allowed, if not NULL, is set to the array of the statuses ref may
 * move to (new). *out = the incident after it. In the same transaction, a change of status
 * queues the mail telling the incident's organisation (app/mail.h: vg_mail_incident_status),
 * and a change of organisation the "opened" mail to the organisation it now concerns
 * (vg_mail_incident_opened: the one it concerned is not told); a refused change queues
 * nothing. */
int vg_incident_patch(struct vg_store *st, const struct vg_actor *who, const char *ref,
                      const json_t *in, json_t **out, json_t **allowed, struct vg_diag *d);

/* Adds note in = {"text", "public"?} (text non-empty, at most VG_MAX_STR_FIELD bytes, no
 * NUL; public a boolean, false when absent: internal) to ref's timeline; *out = the entry
 * (its detail {"text","public"}). A public note queues, in the same transaction, the mail that
 * tells the incident's organisation (vg_mail_incident_note); an internal one never leaves. */
int vg_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                     const json_t *in, json_t **out, struct vg_diag *d);

/* Adds observable in = {"type"?, "value", "tlp"?} to ref: the type detected by core when
 * absent, tlp one of the TLP 2.0 names (absent: the incident's applies). *out as
 * vg_store_incident_observable_add gives it ("created": whether it is new). */
int vg_incident_observable(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *in, json_t **out, struct vg_diag *d);

/* Marks step of ref's playbook done or not from in = {"done": bool}; *out = the step. */
int vg_incident_step(struct vg_store *st, const struct vg_actor *who, const char *ref,
                     const char *step, const json_t *in, json_t **out, struct vg_diag *d);

#endif
