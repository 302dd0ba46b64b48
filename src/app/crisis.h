/* The crisis cell's use cases (issue 15): open and change a crisis, mobilise its members,
 * keep its log and sitreps, run roll-calls with single-use acknowledgement links, and close it
 * with its review. Each write checks its input (crisis/crisis.h), refuses to change a closed
 * crisis, and runs in one transaction with its audit record. Shared by api/crises.c. */
#ifndef VG_APP_CRISIS_H
#define VG_APP_CRISIS_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

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
/* Calls every member by mail, in one transaction: one new random token each (only its
 * SHA-256 is stored) and one message each (outbox kind "crisis", notify/crisismail.h, in the
 * member's language) carrying the personal link vg_mail_config_load's public_url + "/ack/" +
 * token, the crisis's title and level, the caller, what to do; a log entry names who was
 * called. With pending_only, re-sends the last roll-call to its members that have not
 * answered only: each gets a new token (its previous link stops working) and a new message,
 * under the same roll-call number. The tokens are in the mail only, never in the answer:
 * *out = {"rollcall","sent","members": n,"resent","called": [{"member_id","name","email"}]}.
 * VG_ECONFLICT "members" (no member), "rollcall" (pending_only, no roll-call yet) or
 * "pending" (pending_only, everybody answered). */
int vg_crisis_rollcall(struct vg_store *st, const struct vg_actor *who, long long id,
                       bool pending_only, json_t **out, struct vg_diag *d);
/* Sends version "version" of sitrep number (a decimal string, from a path; in: {} or
 * {"version": N}; its latest by default)
 * to the members, one message each, as the TLP gate lets it (crisis/crisis.h's
 * vg_crisis_may_send: a partner by its partner's max_tlp, a contact when its organisation is
 * concerned by the crisis's incidents, a person by its max_tlp): the TLP first in the subject
 * and the bodies, the Markdown as the text, rendered by advisory/render.h's vg_md_html in the
 * HTML. A log entry says who got it and who was withheld and why. *out = {"number","version",
 * "tlp","sent": [{"member_id","name","email"}],"withheld": [{..., "reason"}]}. The body is
 * checked first (VG_EINVAL "/version", unknown fields), then the crisis (VG_ENOENT "id"), then
 * the sitrep: VG_ENOENT "number" / "/version" (no such sitrep), VG_ECONFLICT "tlp" for TLP:RED
 * (nothing sent, nothing logged). */
int vg_crisis_sitrep_send(struct vg_store *st, const struct vg_actor *who, long long id,
                          const char *number, const json_t *in, json_t **out, struct vg_diag *d);

/* What a tick did. */
struct vg_crisis_tick_counts {
    long scheduled; /* open crises with a sitrep schedule */
    long reminders; /* reminders sent (one per due crisis) */
    long messages;  /* messages queued (one per member of role "cell") */
};
/* For every open crisis with sitrep_every_hours whose last sitrep (its opening when none) and
 * last reminder are both at least that old at now (vg_crisis_reminder_due): queues a reminder
 * to each member of role "cell", logs it (author "system") and records now as its last
 * reminder, one transaction per crisis; so at most one reminder per period. 0 or the store's
 * error (the crises before it keep their reminder). */
int vg_crisis_tick(struct vg_store *st, time_t now, struct vg_crisis_tick_counts *n,
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
