/* The crisis cell's model (issue 15): a crisis (title, level, state, grouped incidents), its
 * mobilisation list, its append-only log, its numbered and versioned situation reports, and
 * the closing review written as Markdown. Pure checks and rendering: no store, no I/O. */
#ifndef VG_CRISIS_H
#define VG_CRISIS_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "util/buf.h"
#include "util/err.h"

#define VG_CRISIS_MAX_TITLE     512          /* a crisis's or sitrep's title, bytes */
#define VG_CRISIS_MAX_TEXT      (64 * 1024)  /* a log entry or the review's summary, bytes */
#define VG_CRISIS_MAX_SITREP    (256 * 1024) /* a sitrep's Markdown, bytes */
#define VG_CRISIS_MAX_INCIDENTS 100          /* incidents one crisis groups */
#define VG_CRISIS_MAX_ACTIONS   100          /* actions of a review */
#define VG_CRISIS_MAX_MEMBERS   500          /* members one crisis mobilises */
#define VG_CRISIS_MAX_EVERY     720          /* sitrep_every_hours: at most 30 days */

enum vg_crisis_mode {
    VG_CRISIS_CREATE, /* every required field, defaults filled */
    VG_CRISIS_PATCH,  /* only what is given */
};

/* True if s is a level: "watch", "alert", "crisis", "major". */
bool vg_crisis_level_valid(const char *s);

/* Checks a crisis {"title", "level", "incidents": ["VIG-2026-000042", ...],
 * "sitrep_every_hours" (0..VG_CRISIS_MAX_EVERY, 0: no reminder)} (create: title required,
 * level "crisis" by default, incidents [] and sitrep_every_hours 0 by default; patch: at
 * least one of them).
 * *out = a new checked object (titles trimmed, incidents without duplicates). 0 or VG_EINVAL /
 * VG_ETOOBIG with d naming the JSON pointer ("/level", "/incidents/2"). */
int vg_crisis_check(const json_t *in, enum vg_crisis_mode mode, json_t **out, struct vg_diag *d);
/* Checks a member {"kind": partner|contact|person, "name", "email", "role": authority|liaison|
 * communication|technical|cell|other ("other" by default), "lang": fr|en|"" (the language of
 * its mail; "": French then English)} with what the TLP gate needs to know of it: a partner's
 * "partner_id" (required), a contact's "org_id" (its organisation, required), a person's
 * "max_tlp" (CLEAR, GREEN or AMBER; GREEN by default), each refused on another kind
 * ("/org_id"); *out = the checked member. */
int vg_crisis_member_check(const json_t *in, json_t **out, struct vg_diag *d);
/* Checks a log entry {"text"}; *out = {"text"}. */
int vg_crisis_log_check(const json_t *in, json_t **out, struct vg_diag *d);
/* Checks a sitrep {"title", "body" (Markdown), "tlp" (CLEAR, GREEN, AMBER, AMBER+STRICT, RED;
 * AMBER by default), "number" (optional: a new version of that sitrep)}; *out = the checked
 * sitrep, tlp in its canonical name. */
int vg_crisis_sitrep_check(const json_t *in, json_t **out, struct vg_diag *d);
/* Checks a closing {"summary" (what happened), "actions": ["...", ...]}; *out = the checked
 * closing. */
int vg_crisis_close_check(const json_t *in, json_t **out, struct vg_diag *d);

/* Writes the closing review of crisis c (as vg_store_crisis_get gives it: title, level,
 * opened, closed, incidents, members, log, sitreps) as Markdown into out: the summary and
 * actions of closing, and one timeline, in time order (ties kept in the order log, sitreps,
 * incidents), merged from the log, the sitreps' versions and the incidents' timelines
 * (timelines: {"VIG-...": [{"at","actor","action"}, ...]}, NULL: none). Untrusted text is
 * written as given but on one line per entry (line breaks become spaces). 0, or VG_ENOMEM if
 * out failed. */
int vg_crisis_review(const json_t *c, const json_t *closing, const json_t *timelines,
                     struct vg_buf *out);

/* The TLP gate for a sitrep of TLP tlp sent to member m (kind, partner_id, org_id, max_tlp as
 * the store gives it), core/tlp.h deciding: a partner as VG_RCPT_PARTNER with partner_max, its
 * partner's max_tlp (NULL: no such partner, withheld); a contact as VG_RCPT_CONSTITUENT of its
 * org_id, concerned when that organisation is in orgs (the ids the crisis's incidents
 * concern); a person as an outside party cleared up to its max_tlp (VG_RCPT_PARTNER: never
 * AMBER+STRICT). TLP:RED never. true, or false with *why a static reason. */
bool vg_crisis_may_send(const char *tlp, const json_t *m, const char *partner_max,
                        const json_t *orgs, const char **why);

/* True when a sitrep reminder is due at now for a crisis whose sitreps are wanted every
 * every_hours (> 0), whose last sitrep (its opening if none) was at base and last reminder at
 * reminded (NULL: none): now >= max(base, reminded) + every_hours, so one per period. False
 * when every_hours is 0 or a time cannot be read. */
bool vg_crisis_reminder_due(const char *base, const char *reminded, long long every_hours,
                            time_t now);

#endif
