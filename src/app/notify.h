/* The technology watch's digests, detection alerts and published advisories by mail (issue 15,
 * "What is sent" (2) to (4)): who gets what, through the TLP gate (core/tlp.h: the recipients
 * are the constituent organisation's contacts) and the contacts' opt-outs and languages
 * (vg_mail_org_recipients), each message queued with vg_mail_queue in the transaction of the
 * change that causes it. The texts are notify/watchmail.h's. */
#ifndef VG_APP_NOTIFY_H
#define VG_APP_NOTIFY_H

#include <jansson.h>
#include <time.h>

#include "store/store.h"

#define VG_NOTIFY_DIGEST_HOURS 24   /* the digests' period unless $VIGIE_DIGEST_HOURS says */
#define VG_NOTIFY_DIGEST_LIST  200  /* findings listed in one digest mail (the rest counted) */
#define VG_NOTIFY_ALERT_LIST   100  /* alerts listed in one alert mail (the rest counted) */
#define VG_NOTIFY_ALERT_ROUND  5000 /* alerts one round reads (the next round goes on) */

/* What one round did. */
struct vg_notify_counts {
    long digests;     /* organisations whose digest was taken and mailed */
    long alerts;      /* alerts listed in a mail */
    long alerts_held; /* alerts marked handled without a mail: the gate (an indicator's
                       * TLP:RED) or nobody to write to */
    long messages;    /* messages queued (one per language group) */
};

/* The digests' period in seconds from $VIGIE_DIGEST_HOURS (a whole number of hours, 0 to
 * 8760; 0: every round; default VG_NOTIFY_DIGEST_HOURS). 0 and *seconds, or VG_EINVAL naming
 * the variable. */
int vg_notify_digest_period(long long *seconds, struct vg_diag *d);

/* One round of the periodic notifications, at now:
 * (a) each organisation with findings new since its last digest, whose last digest is at
 *     least the period old (or that never had one), and whose contacts take digests: its
 *     digest is taken (vg_store_digest_take) and mailed in one transaction, one message per
 *     language group, TLP:AMBER (the findings concern that organisation only). An
 *     organisation nobody would read is skipped and its digest NOT taken: the findings wait
 *     for `vigie vuln digest` or a contact who takes digests;
 * (b) the alerts not handled yet (those without an organisation never are): per organisation,
 *     one message per language group listing them (the values defanged), under the highest
 *     TLP of the indicators listed; an alert whose indicator the gate refuses (TLP:RED) is
 *     marked handled and never mailed; so are the alerts of an organisation whose contacts
 *     all refuse alerts. Marking and queueing are one transaction per organisation.
 * counts (may be NULL) is filled. 0, or the first error (d set): what was done before it
 * stays done. */
int vg_notify_round(struct vg_store *st, time_t now, struct vg_notify_counts *counts,
                    struct vg_diag *d);

/* Queues, in the caller's transaction (that of the publication), the mail of a published
 * advisory rec (as vg_store_advisory_get gives it: "ref", "published" content, "internal")
 * to each organisation holding one of its affected products (the product-name key,
 * core/product.h, against the organisations' products as the watch indexes them), through
 * the gate with the advisory's TLP, the organisation being "concerned" when the advisory's
 * internal "constituents" name it: CLEAR and GREEN go to every such organisation, AMBER and
 * AMBER+STRICT only to those concerned, RED to none. Contacts that opted out of "advisory"
 * are left out; a TLP:CLEAR advisory links to its public page (cfg.public_url +
 * "/advisories/REF/"). *queued (may be NULL) = messages queued. 0, or the store's error. */
int vg_notify_advisory_published(struct vg_store *st, const json_t *rec, long *queued,
                                 struct vg_diag *d);

#endif
