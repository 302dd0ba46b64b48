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
    char cafile[512];     /* a CA bundle to trust for the server's certificate ("" = the
                           * system's) */
};

/* The configuration from the environment: $VIGIE_SMTP_URL, $VIGIE_MAIL_FROM (default
 * "vigie@localhost"), $VIGIE_SMTP_USER, $VIGIE_SMTP_PASSWORD, $VIGIE_SMTP_CAFILE,
 * $VIGIE_PUBLIC_URL (default
 * "http://127.0.0.1:8080", a trailing slash removed), and for tests
 * $VIGIE_MAIL_BACKOFF (60), $VIGIE_MAIL_BACKOFF_MAX (3600), $VIGIE_MAIL_LEASE (300), seconds. */
void vg_mail_config_env(struct vg_mail_config *c);

/* The configuration a use case queues or delivers with (app/mail_config.c): the environment
 * (vg_mail_config_env) wins over the settings stored in the database (`vigie config set`),
 * which win over the defaults. The SMTP server goes as a whole: when $VIGIE_SMTP_URL is set,
 * smtp.url, smtp.user, smtp.password and smtp.cafile all come from the environment, else all
 * from the database, so a password is never sent to a server it was not set for. mail.from
 * and public.url are taken key by key. Every caller that queues or sends mail takes its
 * configuration here. 0, or the store's error (d set). */
int vg_mail_config_load(struct vg_store *st, struct vg_mail_config *c, struct vg_diag *d);

/* `vigie config` (app/mail_config.c). Known keys: smtp.url, smtp.user, smtp.password,
 * smtp.cafile, mail.from, public.url. */

/* Checks value for key: VG_EINVAL with d naming the key (unknown key; smtp.url not
 * smtp[s]://host[:port] or carrying credentials; public.url not http[s]://host...; mail.from
 * not one address; smtp.cafile not a readable file; a control character...). 0 if good. */
int vg_mail_setting_check(const char *key, const char *value, struct vg_diag *d);
/* Checks then stores key = value. 0, VG_EINVAL (d names the key), the store's error. */
int vg_mail_setting_set(struct vg_store *st, const char *key, const char *value, struct vg_diag *d);
/* Removes key from the database. 0; VG_EINVAL (unknown key); VG_ENOENT (not set there). */
int vg_mail_setting_unset(struct vg_store *st, const char *key, struct vg_diag *d);
/* Every known key, in the order above: *out = {"items": [{"key", "value" (the one in effect;
 * smtp.password shows "(set)" when set; null when unset), "source" ("environment",
 * "database", "default" or "unset"), "env" (its variable), "shadowed" (true when the database
 * holds a value the environment overrides)}]}. Only key's item when key is not NULL
 * (VG_EINVAL if unknown). 0 or the store's error. */
int vg_mail_settings_list(struct vg_store *st, const char *key, json_t **out, struct vg_diag *d);

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

/* The incident mail (issue 15), queued in the caller's transaction (the change's) to the
 * contacts of the organisation incident inc concerns (inc as vg_store_incident_get gives it,
 * after the change): one message per language group of vg_mail_org_recipients(..,
 * "incident", ..) ("fr" in French, "en" in English, "" French then English; incident mail
 * cannot be opted out of), written by notify's vg_notify_incident, reference first in the
 * subject. Nothing when the incident concerns no organisation, the organisation has no
 * contact, or the TLP gate (core/tlp.h, the contacts being the constituent the incident
 * concerns) refuses: TLP:RED never leaves by mail, AMBER and AMBER+STRICT go to that
 * organisation's contacts only. *queued (may be NULL) = the number of messages queued.
 * 0, or the store's error (d set). */
/* It was opened. */
int vg_mail_incident_opened(struct vg_store *st, const json_t *inc, int *queued, struct vg_diag *d);
/* Its status changed from `from` to its "status". */
int vg_mail_incident_status(struct vg_store *st, const json_t *inc, const char *from, int *queued,
                            struct vg_diag *d);
/* It got a public note of text. */
int vg_mail_incident_note(struct vg_store *st, const json_t *inc, const char *text, int *queued,
                          struct vg_diag *d);

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
 * cfg's store options, may be NULL), every interval seconds (and once at start) reads the
 * configuration again (vg_mail_config_load: a `vigie config set` takes effect at the next
 * round) and delivers what is due; a round with no SMTP URL does nothing. NULL with d set when
 * it cannot start. */
struct vg_mail_sender;
struct vg_mail_sender *vg_mail_sender_start(const char *path, const struct vg_store_config *cfg,
                                            int interval, struct vg_diag *d);
/* Stops it (waits for the round in progress to end) and frees it; NULL does nothing. */
void vg_mail_sender_stop(struct vg_mail_sender *s);

#endif
