/* The store's inbound mail (issue 15): every message `vigie mail ingest` read, kept as received
 * with what came of it (app/mailin.c decides), and its attachments. Included by store/store.h;
 * a backend fills struct vg_store_inbound_ops. */
#ifndef VG_STORE_INBOUND_H
#define VG_STORE_INBOUND_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/base.h"

/* One attachment of a message to store. */
struct vg_inbound_att {
    const char *name;          /* "" if none */
    const char *media_type;    /* lower case */
    size_t size;               /* decoded bytes */
    const char *sha256;        /* of the decoded bytes, lower-case hex */
    bool is_archive;           /* recorded, never opened */
    const unsigned char *data; /* the bytes (size of them), or NULL when not kept */
};

/* One message to store. Strings are UTF-8 ("" rather than NULL). */
struct vg_inbound_new {
    const unsigned char *raw; /* the message as received */
    size_t size;
    const char *sha256;     /* of raw, lower-case hex */
    const char *message_id; /* without angle brackets, "" if none */
    const char *sender;     /* the From address */
    const char *subject;
    const char *outcome; /* report, reply, xarf, ineligible, queued, quarantined, duplicate */
    const char *reason;  /* why quarantined, "" else */
    const char *ref;     /* the incident it led to, "" if none */
    long long queue_id;  /* the held report it led to, 0 if none */
    const struct vg_inbound_att *att;
    size_t n_att;
};

struct vg_store_inbound_ops {
    int (*add)(struct vg_store *st, const struct vg_inbound_new *m, long long *id,
               struct vg_diag *d);
    int (*find)(struct vg_store *st, const char *message_id, const char *sha256, long long *id);
    int (*list)(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                json_t **out, struct vg_diag *d);
    int (*get)(struct vg_store *st, long long id, json_t **out);
    int (*raw)(struct vg_store *st, long long id, unsigned char **data, size_t *len);
};

/* A message as listed: {"id","message_id","sha256","size","sender","subject","received",
 * "outcome","reason","ref","queue_id" (null if none),"attachments" (a count)}; got one by one,
 * "attachments" is the list [{"id","name","media_type","size","sha256","is_archive","kept"}]. */

/* Stores message m with its attachments (one unit: in the caller's transaction when there is
 * one); *id (may be NULL) = its row id. VG_EINVAL (an unknown outcome, no sha256), VG_EIO. */
int vg_store_inbound_add(struct vg_store *st, const struct vg_inbound_new *m, long long *id,
                         struct vg_diag *d);
/* The first message stored with that Message-ID when message_id is not "" (else with that raw
 * SHA-256 and no Message-ID): 0 and *id, VG_ENOENT, VG_EIO. */
int vg_store_inbound_find(struct vg_store *st, const char *message_id, const char *sha256,
                          long long *id);
/* Messages newest first, filtered by the keys of filters (optional): "outcome" (a string).
 * *out = {"items": [message...], "next_cursor": ... or null}; VG_EINVAL ("cursor"). */
int vg_store_inbound_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                          json_t **out, struct vg_diag *d);
/* One message with its attachments' list; 0, VG_ENOENT, VG_ENOMEM, VG_EIO. */
int vg_store_inbound_get(struct vg_store *st, long long id, json_t **out);
/* The message as received: *data (malloc'd, free it; never NULL on success), *len.
 * 0, VG_ENOENT, VG_ENOMEM, VG_EIO. */
int vg_store_inbound_raw(struct vg_store *st, long long id, unsigned char **data, size_t *len);

#endif
