/* The crisis cell's use cases (issue 15): open and change a crisis, mobilise its members,
 * keep its log and sitreps, run roll-calls with single-use acknowledgement links, and close it
 * with its review. Each write checks its input (crisis/crisis.h), refuses to change a closed
 * crisis, and runs in one transaction with its audit record. Shared by api/crises.c. */
#ifndef VG_APP_CRISIS_H
#define VG_APP_CRISIS_H

#include <jansson.h>

#include "store/store.h"

#define VG_CRISIS_TOKEN_LEN 64 /* an acknowledgement token: 32 random bytes in hex */

/* Unless said otherwise each returns 0 with *out (a new reference), VG_EINVAL / VG_ETOOBIG
 * naming the JSON pointer of the bad field, VG_ENOENT (no such crisis), VG_ECONFLICT (the
 * crisis is closed) or VG_EIO; d filled. */

/* Opens a crisis {"title","level","incidents"}; every incident must exist ("/incidents/N"). */
int vg_crisis_open(struct vg_store *st, const struct vg_actor *who, const json_t *in, json_t **out,
                   struct vg_diag *d);
/* Changes title, level or incidents of an open crisis. */
int vg_crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d);
/* Appends {"text"} to the log by who; *out = the entry. */
int vg_crisis_log(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                  json_t **out, struct vg_diag *d);
/* Adds a member; *out = the member. VG_EEXIST ("/email") if one has that e-mail. */
int vg_crisis_member(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d);
/* Stores a sitrep, or with "number" a new version of one; *out = the version stored. */
int vg_crisis_sitrep(struct vg_store *st, const struct vg_actor *who, long long id,
                     const json_t *in, json_t **out, struct vg_diag *d);
/* Calls every member: one new random token each (only its SHA-256 is stored); *out =
 * {"rollcall","sent","members","links": [{"member_id","name","email","link": "/ack/TOKEN"}]},
 * the only place the tokens appear (for the mail that carries them). VG_ECONFLICT ("members")
 * if the crisis has no member. */
int vg_crisis_rollcall(struct vg_store *st, const struct vg_actor *who, long long id, json_t **out,
                       struct vg_diag *d);
/* Uses an acknowledgement token: 0 with *out = {"crisis_id","rollcall","acked"}; VG_ENOENT if
 * it is not one or unknown, VG_ECONFLICT if it was used. */
int vg_crisis_ack(struct vg_store *st, const char *token, json_t **out, struct vg_diag *d);
/* Who of the last roll-call has not answered after_minutes (0..10080) after it was sent:
 * vg_store_crisis_pending's answer with "after_minutes". */
int vg_crisis_pending(struct vg_store *st, long long id, long long after_minutes, json_t **out,
                      struct vg_diag *d);
/* Closes an open crisis with {"summary","actions"}: renders its review (crisis/crisis.h) from
 * the crisis, its log, sitreps and grouped incidents' timelines, and stores both; *out = the
 * crisis, "review" included. */
int vg_crisis_close(struct vg_store *st, const struct vg_actor *who, long long id, const json_t *in,
                    json_t **out, struct vg_diag *d);

#endif
