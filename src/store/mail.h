/* The store's outbox of outbound mail (issue 15). Included by store/store.h; a backend fills
 * struct vg_store_mail_ops. A message is queued in the caller's transaction (that of the
 * change that causes it), claimed by a sender, then marked sent, retried at a later time or
 * failed, each with the server's answer. The backend checks nothing but the message's shape;
 * app/mail.c decides who gets what. */
#ifndef VG_STORE_MAIL_H
#define VG_STORE_MAIL_H

#include <jansson.h>

#include "store/base.h"

struct vg_store_mail_ops {
    int (*queue)(struct vg_store *st, const json_t *msg, long long *id, struct vg_diag *d);
    int (*claim)(struct vg_store *st, const char *now, const char *until, int limit, json_t **out,
                 struct vg_diag *d);
    int (*mark)(struct vg_store *st, long long id, const char *state, const char *next,
                const char *answer, struct vg_diag *d);
    int (*list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                json_t **out, struct vg_diag *d);
};

/* A message as listed: {"id","message_id","kind","object","to":[addresses],"subject","text",
 * "html","state","attempts","next_attempt","last_answer","created","updated"}. Times are
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC), which sorts as text. */

/* Queues msg {"message_id","kind","object","to","subject","text","html"} (object and html
 * may be absent), due at once; *id (if not NULL) = its row id. Run it inside the caller's
 * transaction to tie it to the change that causes it. VG_EINVAL when a field is missing or
 * kind is unknown, VG_EEXIST when message_id is taken, VG_EIO. */
int vg_store_mail_queue(struct vg_store *st, const json_t *msg, long long *id, struct vg_diag *d);
/* Claims up to limit queued messages due at now (next_attempt <= now), oldest first: in one
 * transaction, each gets one more attempt and next_attempt = until (a lease: a sender that
 * dies leaves them due again at until). *out = {"items": [message...]} as they were before
 * the claim, attempts counting this one. 0 or VG_EIO. */
int vg_store_mail_claim(struct vg_store *st, const char *now, const char *until, int limit,
                        json_t **out, struct vg_diag *d);
/* Ends an attempt: state "sent" or "failed" (next ignored), or "queued" to retry at next;
 * answer (may be NULL: kept as it was) is the server's answer. VG_ENOENT, VG_EINVAL (state),
 * VG_EIO. */
int vg_store_mail_mark(struct vg_store *st, long long id, const char *state, const char *next,
                       const char *answer, struct vg_diag *d);
/* Messages oldest first, filtered by the keys of filters (optional): "state" (a string).
 * *out = {"items": [message...], "next_cursor": ... or null}; VG_EINVAL ("cursor"). */
int vg_store_mail_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                       json_t **out, struct vg_diag *d);

#endif
