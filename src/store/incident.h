/* The store's incidents: their fields, observables, timeline and playbook steps; the incidents
 * related to one through shared observables; the playbooks of the RSIT classes. Included by
 * store/store.h; a backend fills struct vg_store_incident_ops. */
#ifndef VG_STORE_INCIDENT_H
#define VG_STORE_INCIDENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/incident.h"
#include "store/base.h"

/* One pair of observables two incidents share. */
struct vg_related_pair {
    const char *type;    /* the type of the looked-up incident's observable */
    const char *value;   /* its normal form */
    const char *matched; /* the other incident's observable it relates to */
};

/* An incident related to the one looked up. */
struct vg_related {
    const char *ref, *title, *status, *severity, *tlp; /* the related incident's fields */
    size_t count;                         /* distinct observables of the looked-up one shared */
    const struct vg_related_pair *shared; /* the pairs, by value then matched */
    size_t nshared;                       /* number of pairs */
};

/* What vg_store_incident_related gives, most related first. Everything pointed to is owned
 * by the list: free it with vg_related_list_free. */
struct vg_related_list {
    struct vg_related *v;          /* the related incidents */
    size_t n;                      /* their number */
    struct vg_related_pair *pairs; /* owns the pairs */
    char *hits_text, *rows_text;   /* own the strings */
};

void vg_related_list_free(struct vg_related_list *l);

/* One incident of a list as a page shows it (vg_store_incident_each): the strings are the
 * store's, valid during the call only; org_name and assignee NULL when none. */
struct vg_incident_brief {
    long long id;
    const char *ref, *title, *cls, *type, *severity, *tlp, *status;
    long long org_id; /* 0: none */
    const char *org_name, *assignee, *created, *updated;
};
/* Called for each incident of a list; 0, or an error (VG_ENOMEM ...) that ends the list. */
typedef int (*vg_incident_brief_fn)(void *ctx, const struct vg_incident_brief *b);

/* The operations a backend implements for incidents and playbooks. */
struct vg_store_incident_ops {
    int (*incident_create)(struct vg_store *st, const struct vg_actor *who,
                           const struct vg_incident_new *inc, json_t **out, struct vg_diag *d);
    /* outs[] are NULL when it is called; on failure the wrapper releases what it left */
    int (*incident_create_many)(struct vg_store *st, const struct vg_actor *const *whos,
                                const struct vg_incident_new *incs, size_t n, json_t **outs,
                                struct vg_diag *d);
    int (*incident_get)(struct vg_store *st, const char *ref, json_t **out);
    int (*incident_list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                         json_t **out, struct vg_diag *d);
    int (*incident_each)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                         vg_incident_brief_fn fn, void *ctx, char next[80], struct vg_diag *d);
    int (*incident_update)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *patch, json_t **out, struct vg_diag *d);
    int (*incident_note)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                         const char *text, bool public, json_t **out, struct vg_diag *d);
    int (*incident_observable_add)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                                   const json_t *obs, json_t **out, struct vg_diag *d);
    int (*incident_step_set)(struct vg_store *st, const struct vg_actor *who, const char *ref,
                             const char *step_id, bool done, json_t **out, struct vg_diag *d);
    int (*incident_related)(struct vg_store *st, const char *ref, int limit,
                            struct vg_related_list *out);

    int (*playbook_list)(struct vg_store *st, json_t **out);
    int (*playbook_get)(struct vg_store *st, const char *cls, json_t **out);
    int (*playbook_put)(struct vg_store *st, const struct vg_actor *who, const char *cls,
                        const json_t *steps, json_t **out, struct vg_diag *d);
};

/* Unless said otherwise, each of these returns 0, VG_ENOENT when the named thing does not
 * exist, VG_EINVAL / VG_ECONFLICT / VG_EEXIST with a message in d, or VG_EIO (a store
 * failure, message in d when given). *out is a new reference. */

/* Creates the incident inc (core/incident.h: vg_incident_new_from_json reads it from a checked
 * record) with its observables, timeline entry and audit record in one transaction; its
 * reference is PREFIX-YEAR-NNNNNN (core/reference.h), numbered per year. *out is the incident
 * as vg_store_incident_get gives it. VG_EINVAL (field "/org") if its organisation does not
 * exist. */
int vg_store_incident_create(struct vg_store *st, const struct vg_actor *who,
                             const struct vg_incident_new *inc, json_t **out, struct vg_diag *d);
/* Creates incs[0..n-1] (n >= 1) as n calls of vg_store_incident_create in that order would,
 * incs[i] by whos[i], all or none: their references consecutive in that order, each one's
 * observables, timeline entry and audit record as incident_create writes them, outs[i] the
 * answer incident_create would give for incs[i] (new references). On failure nothing is
 * written, every outs[i] is NULL and d says why (VG_EINVAL "/org" when some organisation does
 * not exist, without saying which: the caller then creates them one by one to learn it). */
int vg_store_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                                  const struct vg_incident_new *incs, size_t n, json_t **outs,
                                  struct vg_diag *d);
/* The whole incident: fields, observables, playbook steps with their state, timeline. */
int vg_store_incident_get(struct vg_store *st, const char *ref, json_t **out);
/* filters: optional "status", "class", "org" (integer), "severity", "tlp", "assignee" (a user
 * name, or null: unassigned) and "sort": "newest" (the default), "oldest", "updated" (last
 * update first) or "severity" (critical first), each with the id as tie-break, newest first;
 * the cursor continues the order it was given for (VG_EINVAL, field "cursor", else). */
int vg_store_incident_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           json_t **out, struct vg_diag *d);
/* The same list, each incident handed to fn as a struct rather than built as a document (the
 * console's queue: a page of 50 in a third of the time); next (80 bytes) receives the cursor
 * of the next page, "" after the last. */
int vg_store_incident_each(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                           vg_incident_brief_fn fn, void *ctx, char next[80], struct vg_diag *d);
/* A status change that the lifecycle forbids is VG_ECONFLICT, with the allowed statuses in
 * d->message. */
int vg_store_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                             const json_t *patch, json_t **out, struct vg_diag *d);
/* Adds an internal "note" entry with text to the timeline of ref (detail {"text","public":
 * false}); *out = that entry. */
int vg_store_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const char *text, json_t **out, struct vg_diag *d);
/* The same with its visibility: a public note (detail "public": true) is one the
 * organisation the incident concerns is told of by mail (app/incident.c); an internal one
 * never leaves. */
int vg_store_incident_note_vis(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const char *text, bool public, json_t **out, struct vg_diag *d);
/* Adds observable obs {type, value, tlp?} (checked; tlp one of the five TLP 2.0 names, absent:
 * the incident's applies, and follows it) to ref unless it has it (then a tlp given replaces
 * its own); *out = {"type","value","tlp": the one that applies,"created": whether it was
 * new}. Only a new or re-marked one gets a timeline entry. The observables of an incident
 * (vg_store_incident_get) each carry the "tlp" that applies to them. */
int vg_store_incident_observable_add(struct vg_store *st, const struct vg_actor *who,
                                     const char *ref, const json_t *obs, json_t **out,
                                     struct vg_diag *d);
/* Marks step step_id of ref's playbook done or not, by who; VG_ENOENT (field "step") if the
 * playbook of its class has no such step. *out = the step with its state. */
int vg_store_incident_step_set(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const char *step_id, bool done, json_t **out, struct vg_diag *d);
/* Other incidents sharing observables with ref (equal values, a domain and its subdomains,
 * an address and a CIDR containing it), most shared first, at most limit: 0 and *out filled
 * (free it with vg_related_list_free), VG_ENOENT, VG_ENOMEM or VG_EIO. A plain C list, not
 * JSON: the server writes its answer from it without building a document. */
int vg_store_incident_related(struct vg_store *st, const char *ref, int limit,
                              struct vg_related_list *out);

/* *out = [{"class","steps","updated"}] by class. */
int vg_store_playbook_list(struct vg_store *st, json_t **out);
/* *out = {"class","steps","updated"} of class cls. */
int vg_store_playbook_get(struct vg_store *st, const char *cls, json_t **out);
/* Replaces the steps (checked by vg_playbook_validate) of the playbook of class cls; *out =
 * the playbook after it. */
int vg_store_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                          const json_t *steps, json_t **out, struct vg_diag *d);

#endif
