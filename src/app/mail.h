/* Outbound mail (issue 15): queueing a notification in the outbox (in the caller's
 * transaction) and delivering what is due over SMTP with libcurl. Shared by `vigie mail send`
 * (cli/cmd_mail.c), the API (api/outbox.c) and the use cases that notify (app/incident.c). */
#ifndef VG_APP_MAIL_H
#define VG_APP_MAIL_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

/* Where and how to deliver. */
struct vg_mail_config {
    char url[512];        /* smtp://host:port or smtps://host:port; "" = not configured */
    char from[320];       /* the From: address, "Name <a@b>" or "a@b" */
    char user[256];       /* AUTH user, "" = no AUTH */
    char password[256];   /* AUTH password */
    int backoff;          /* seconds before the first retry (at least 1), doubled each time */
    int backoff_max;      /* the cap of that delay, seconds */
    int lease;            /* seconds a claimed message stays away from other senders (at least 1):
                           * a sender killed in the middle leaves it due again after that */
    char public_url[512]; /* the base of links in mail (acknowledgement links, pages):
                           * "https://cert.example.org", no trailing slash */
};

/* The configuration from the environment: $VIGIE_SMTP_URL, $VIGIE_MAIL_FROM (default
 * "vigie@localhost"), $VIGIE_SMTP_USER, $VIGIE_SMTP_PASSWORD, $VIGIE_PUBLIC_URL (default
 * "http://127.0.0.1:8080", a trailing slash removed), and for tests
 * $VIGIE_MAIL_BACKOFF (60), $VIGIE_MAIL_BACKOFF_MAX (3600), $VIGIE_MAIL_LEASE (300), seconds. */
void vg_mail_config_env(struct vg_mail_config *c);

/* The configuration a use case queues or delivers with: vg_mail_config_env, then the settings
 * stored in the database (app/mail_config.c; `vigie config set smtp.url ...`). Every caller
 * that queues or sends mail takes its configuration here. 0, or the store's error (d set). */
int vg_mail_config_load(struct vg_store *st, struct vg_mail_config *c, struct vg_diag *d);

/* Queues one message of kind ("incident", "digest", "alert", "advisory", "crisis", "intake":
 * the answer to a reporter outside the constituency, app/mailin.c) about object (may be NULL) to
 * the addresses of the array to, with a new Message-ID <uuid@domain of from>; ref (may be NULL) is
 * put first in the subject as "[ref] ". html may be NULL. Inside the caller's transaction when
 * there is one. *id (may be NULL) = its row id. 0, VG_EINVAL (a recipient is not one plain address,
 * no recipient), VG_EIO. */
int vg_mail_queue(struct vg_store *st, const struct vg_mail_config *c, const char *kind,
                  const char *object, const char *ref, const json_t *to, const char *subject,
                  const char *text, const char *html, long long *id, struct vg_diag *d);

/* What one delivery round did. */
struct vg_mail_counts {
    long sent;    /* accepted by the server */
    long retried; /* 4xx or no connection: queued again, later */
    long failed;  /* 5xx (or a message that cannot be built): failed, the answer kept */
};

/* Delivers every message due now, over one SMTP connection (reused from message to message
 * while the server keeps it); a message is marked sent only after the server accepted it.
 * With no URL configured, does nothing (the messages wait). 0, or VG_EIO (the store). */
int vg_mail_send_due(struct vg_store *st, const struct vg_mail_config *c,
                     struct vg_mail_counts *counts, struct vg_diag *d);

/* The outbox, oldest first, of state ("queued", "sent", "failed"; NULL or "" for all) as
 * vg_store_mail_list gives it. VG_EINVAL ("state" unknown, "cursor"). */
int vg_mail_list(struct vg_store *st, const char *state, const struct vg_page *page, json_t **out,
                 struct vg_diag *d);

/* Queues, in the caller's transaction, the mail telling the contacts of the organisation an
 * incident concerns that it was opened (inc as vg_store_incident_get gives it). Nothing when
 * the incident concerns no organisation, the organisation has no contact, or the TLP gate
 * (core/tlp.h, the contacts being the constituent the incident concerns) refuses: TLP:RED
 * never leaves by mail, AMBER and AMBER+STRICT go to that organisation's contacts only.
 * *queued (may be NULL) = 1 if a message was queued, else 0. 0, or the store's error. */
int vg_mail_incident_opened(struct vg_store *st, const json_t *inc, int *queued, struct vg_diag *d);

/* The addresses of organisation org's contacts that take mail of kind ("incident", "digest",
 * "alert", "advisory"; core/record.h's vg_contact_opted_out decides), grouped by language:
 * *out = {"fr": [addresses], "en": [addresses], "": [addresses]} ("" = no language set: a
 * message in French then English), each address once (its first contact's language wins),
 * only plain mailboxes (vg_mime_addr_spec), at most 1000 in all; empty groups are absent, so
 * {} means nobody. The TLP gate is the caller's: this only says who the contacts are.
 * 0; VG_ENOENT (no such organisation: *out = NULL); VG_EIO or VG_ENOMEM (d filled). */
int vg_mail_org_recipients(struct vg_store *st, long long org, const char *kind, json_t **out,
                           struct vg_diag *d);

/* The sender thread of `vigie serve`: on its own connection to the database at path (with
 * cfg's store options, may be NULL), delivers what is due every interval seconds (and once at
 * start) with the configuration c (copied). NULL with d set when it cannot start. */
struct vg_mail_sender;
struct vg_mail_sender *vg_mail_sender_start(const char *path, const struct vg_store_config *cfg,
                                            const struct vg_mail_config *c, int interval,
                                            struct vg_diag *d);
/* Stops it (waits for the round in progress to end) and frees it; NULL does nothing. */
void vg_mail_sender_stop(struct vg_mail_sender *s);

#endif
