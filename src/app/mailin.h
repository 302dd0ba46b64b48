/* Inbound mail (issue 15): one message as received becomes a report through the intake
 * decision of the web form, a reply threaded into an incident's timeline, an incident from an
 * X-ARF report, or is quarantined with a reason; it is always kept as received (store/inbound.h).
 * Shared by `vigie mail ingest` (cli/cmd_mail.c) and the inbound API (api/inbound.c). */
#ifndef VG_APP_MAILIN_H
#define VG_APP_MAILIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/intake.h"
#include "app/mail.h"
#include "notify/mailread.h"
#include "store/store.h"
#include "util/buf.h"

/* How a deployment ingests. Zeroes (or a NULL opts) take the defaults. */
struct vg_mailin_opts {
    const char *redirect_url;            /* the answer's link (NULL: cybermalveillance.gouv.fr) */
    const struct vg_mail_limits *limits; /* the reader's limits (NULL: defaults) */
    const struct vg_intake_opts *intake; /* the intake's (NULL: defaults) */
    const struct vg_mail_config *mail;   /* mail settings (NULL: vg_mail_config_load each time) */
};

/* What came of one message. */
struct vg_mailin_result {
    char outcome[16];     /* report, reply, xarf, ineligible, queued, quarantined, duplicate */
    char ref[64];         /* the incident it opened or was threaded into, "" */
    long long queue_id;   /* the held report, 0 */
    long long inbound_id; /* its row in the inbound store */
    long long answer_id;  /* the outbox row of the answer to an ineligible sender, 0 if none */
    long long first_id;   /* duplicate: the row of the message first ingested */
    char reason[256];     /* quarantined: why ("part 1.2: bad base64"); ineligible and not
                           * answered: the rule that kept it from being answered */
};

/* Ingests the message bytes (len bytes, as received) in ONE transaction: the inbound row, its
 * attachments and all it leads to (incident, timeline entry, observables, held report, intake
 * log, the answer queued in the outbox) together or nothing. A message the reader refuses, or
 * that cannot be a report (no usable sender), is stored quarantined with the reason: 0 then.
 * 0 and *res filled; VG_EIO, VG_EBUSY or VG_ENOMEM when the store fails (nothing written: the
 * caller may retry). */
int vg_mailin_ingest(struct vg_store *st, const char *bytes, size_t len,
                     const struct vg_mailin_opts *opts, struct vg_mailin_result *res,
                     struct vg_diag *d);

/* The incident an X-ARF report (its structured part as vg_mail_read gives it, v3 or v4)
 * describes, as POST /api/v1/incidents takes it: title, description (text, the mail's text,
 * then the report; cut to the field's limit), class and type (RSIT, vg_mailin_xarf_class),
 * severity medium, tlp and pap AMBER, reporter (the report's reporter, else sender),
 * occurred (the report's time when it reads as one), observables (source address, domain,
 * URL, file hash; invalid ones dropped). Pure. 0 and *out (new), VG_EINVAL (not a JSON object,
 * field named) or VG_ENOMEM. */
int vg_mailin_xarf_incident(const char *xarf_json, const char *sender, const char *text,
                            json_t **out, struct vg_diag *d);

/* The RSIT class and type of an X-ARF category (v4 "category", v3 "ReportClass") and type
 * (v4 "type", v3 "ReportType"), compared without case, '_' and '-'; unknown: other,
 * undetermined (a known category alone gives its class's usual type). Pure. */
void vg_mailin_xarf_class(const char *category, const char *type, const char **cls,
                          const char **rsit_type);

/* A cap on the reports that open incidents (the server's --report-global-rate, for a run of
 * `vigie mail ingest`): a bucket of per_minute tokens refilled at per_minute a minute. Zeroed
 * but for per_minute, it starts full. */
struct vg_mailin_cap {
    double per_minute;
    double tokens; /* left */
    double last;   /* monotonic seconds of the last refill, 0: never */
};

/* An admit function for struct vg_intake_opts, ctx a struct vg_mailin_cap: true while the cap
 * allows (a token taken), false beyond it (the report is held). */
bool vg_mailin_admit(void *ctx);

/* Appends s to b, cut to what b may still hold (its max) on a UTF-8 character's boundary. */
void vg_mailin_put_cut(struct vg_buf *b, const char *s);

/* The list of inbound messages (outcome: one of the outcomes, NULL or "" for all), newest
 * first; VG_EINVAL ("outcome" unknown, "cursor"). */
int vg_mailin_list(struct vg_store *st, const char *outcome, const struct vg_page *page,
                   json_t **out, struct vg_diag *d);

#endif
