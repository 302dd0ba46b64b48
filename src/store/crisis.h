/* The store's crisis cell (issue 15): crises, their members, log, sitreps and roll-calls (the
 * acknowledgement tokens kept as SHA-256). Included by store/store.h; a backend fills
 * struct vg_store_crisis_ops. Records arrive checked by crisis/crisis.h. */
#ifndef VG_STORE_CRISIS_H
#define VG_STORE_CRISIS_H

#include <jansson.h>
#include <stddef.h>

#include "store/base.h"

/* One acknowledgement token of a roll-call: the member it calls and the token's SHA-256. */
struct vg_crisis_token {
    long long member_id;
    unsigned char hash[32];
};

struct vg_store_crisis_ops {
    int (*create)(struct vg_store *st, const struct vg_actor *who, const json_t *c, json_t **out,
                  struct vg_diag *d);
    int (*get)(struct vg_store *st, long long id, json_t **out);
    int (*list)(struct vg_store *st, const struct vg_page *page, json_t **out, struct vg_diag *d);
    int (*update)(struct vg_store *st, const struct vg_actor *who, long long id,
                  const json_t *patch, json_t **out, struct vg_diag *d);
    int (*log_add)(struct vg_store *st, const struct vg_actor *who, long long id, const char *text,
                   json_t **out, struct vg_diag *d);
    int (*member_add)(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *m, json_t **out, struct vg_diag *d);
    int (*sitrep_add)(struct vg_store *st, const struct vg_actor *who, long long id,
                      const json_t *s, json_t **out, struct vg_diag *d);
    int (*rollcall)(struct vg_store *st, const struct vg_actor *who, long long id,
                    const struct vg_crisis_token *toks, size_t n, json_t **out, struct vg_diag *d);
    int (*ack)(struct vg_store *st, const unsigned char hash[32], json_t **out, struct vg_diag *d);
    int (*pending)(struct vg_store *st, long long id, const char *before, json_t **out,
                   struct vg_diag *d);
    int (*close)(struct vg_store *st, const struct vg_actor *who, long long id, const char *when,
                 const json_t *closing, const char *review, json_t **out, struct vg_diag *d);
    int (*resend)(struct vg_store *st, const struct vg_actor *who, long long id,
                  const struct vg_crisis_token *toks, size_t n, json_t **out, struct vg_diag *d);
    int (*scheduled)(struct vg_store *st, json_t **out, struct vg_diag *d);
    int (*reminded)(struct vg_store *st, const struct vg_actor *who, long long id, const char *when,
                    struct vg_diag *d);
};

/* Unless said otherwise, each returns 0, VG_ENOENT when the crisis does not exist, or VG_EIO.
 * *out is a new reference. Every write is one transaction with its audit record, under the
 * actor's name. A backend stores: whether a write is allowed (a closed crisis) is the
 * caller's rule (app/crisis.h). */

/* Stores a new open crisis {"title","level","incidents"} opened now; *out = the crisis. */
int vg_store_crisis_create(struct vg_store *st, const struct vg_actor *who, const json_t *c,
                           json_t **out, struct vg_diag *d);
/* *out = {"id","title","level","state","incidents","opened","closed" (null while open),
 * "updated","sitrep_every_hours" (0: none),"reminded" (the last sitrep reminder, or null),
 * "members": [{"id","kind","name","email","role","lang","added", and "partner_id" (partner),
 * "org_id" (contact) or "max_tlp" (person)}],
 * "log": [{"id","at","author","text"}], "sitreps": [{"number","version","title","body","tlp",
 * "author","at"}] (every version, by number then version), "closing" and "review" (null while
 * open)}. */
int vg_store_crisis_get(struct vg_store *st, long long id, json_t **out);
/* The crises, newest first: *out = {"items": [{"id","title","level","state","opened",
 * "closed"}], "next_cursor"}. */
int vg_store_crisis_list(struct vg_store *st, const struct vg_page *page, json_t **out,
                         struct vg_diag *d);
/* Applies a checked patch (title, level, incidents, sitrep_every_hours); *out = the crisis. */
int vg_store_crisis_update(struct vg_store *st, const struct vg_actor *who, long long id,
                           const json_t *patch, json_t **out, struct vg_diag *d);
/* Appends a log entry by the actor, now; *out = {"id","at","author","text"}. */
int vg_store_crisis_log_add(struct vg_store *st, const struct vg_actor *who, long long id,
                            const char *text, json_t **out, struct vg_diag *d);
/* Adds a checked member; *out = the member. VG_EEXIST ("/email") if the crisis has a member of
 * that e-mail. */
int vg_store_crisis_member_add(struct vg_store *st, const struct vg_actor *who, long long id,
                               const json_t *m, json_t **out, struct vg_diag *d);
/* Stores a checked sitrep: without "number", the crisis's next number, version 1; with it, the
 * next version of that number (VG_ENOENT, field "/number", if it has none). *out = the sitrep
 * version stored. */
int vg_store_crisis_sitrep_add(struct vg_store *st, const struct vg_actor *who, long long id,
                               const json_t *s, json_t **out, struct vg_diag *d);
/* Stores a roll-call of n tokens (the crisis's next roll-call number), sent now; *out =
 * {"rollcall","sent"}. */
int vg_store_crisis_rollcall(struct vg_store *st, const struct vg_actor *who, long long id,
                             const struct vg_crisis_token *toks, size_t n, json_t **out,
                             struct vg_diag *d);
/* Uses the acknowledgement token of that hash: records now as its member's answer; *out =
 * {"crisis_id","rollcall","acked"}. VG_ENOENT if no token has that hash, VG_ECONFLICT if it
 * was used. Audited under "ack". */
int vg_store_crisis_ack(struct vg_store *st, const unsigned char hash[32], json_t **out,
                        struct vg_diag *d);
/* The crisis's last roll-call: *out = {"rollcall" (0 if none),"sent" (null if none),
 * "pending": [the members that have not answered, called at or before `before` (RFC 3339)],
 * "acknowledged": [the members that answered, each with "acked"]}. */
int vg_store_crisis_pending(struct vg_store *st, long long id, const char *before, json_t **out,
                            struct vg_diag *d);
/* Closes the crisis at `when` (RFC 3339 UTC, the time its review names) with its closing
 * {"summary","actions"} and review (Markdown); *out = the crisis. VG_ECONFLICT if it is
 * closed already. */
int vg_store_crisis_close(struct vg_store *st, const struct vg_actor *who, long long id,
                          const char *when, const json_t *closing, const char *review, json_t **out,
                          struct vg_diag *d);

/* The re-send of the crisis's last roll-call to the members of toks that have not answered:
 * each one's token replaced by the new one (its old link no longer works) and its sending time
 * set to now. *out = {"rollcall","sent","members": n}. VG_ENOENT if the crisis has no
 * roll-call or a member of toks has no unanswered token in it. Audited as
 * "crisis.rollcall.resend". */
int vg_store_crisis_resend(struct vg_store *st, const struct vg_actor *who, long long id,
                           const struct vg_crisis_token *toks, size_t n, json_t **out,
                           struct vg_diag *d);
/* The open crises with a sitrep schedule: *out = {"items": [{"id","sitrep_every_hours",
 * "base" (the last sitrep's time, or the opening when none),"reminded" (or null)}]}, by id. */
int vg_store_crisis_scheduled(struct vg_store *st, json_t **out, struct vg_diag *d);
/* Records that a sitrep reminder of crisis id went at `when` (RFC 3339 UTC). Audited as
 * "crisis.remind". */
int vg_store_crisis_reminded(struct vg_store *st, const struct vg_actor *who, long long id,
                             const char *when, struct vg_diag *d);

#endif
