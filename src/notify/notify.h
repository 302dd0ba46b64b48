/* Outbound mail's engine (issue 15): builds the RFC 5322 message of a notification with GMime.
 * Includes only core and util; the use cases (who gets what, the outbox, delivery) are in
 * app/mail.c. */
#ifndef VG_NOTIFY_NOTIFY_H
#define VG_NOTIFY_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/err.h"

/* What a message holds. Every string is UTF-8. */
struct vg_mime_msg {
    const char *from;       /* an address list of one: "a@b" or "Name <a@b>" */
    const char *const *to;  /* recipients' addresses */
    size_t nto;             /* how many (at least one) */
    const char *subject;    /* without the reference */
    const char *ref;        /* the incident reference, put first in the subject as
                             * "[VIG-2026-000042] ", or NULL */
    const char *text;       /* the text/plain part */
    const char *html;       /* the text/html part, or NULL or "" for text only */
    const char *message_id; /* "<left@right>" or "left@right" */
    time_t date;            /* the Date: header */
};

/* Builds the message: From, To, Subject (RFC 2047 encoded words when not ASCII), Date,
 * Message-ID, MIME-Version, Auto-Submitted: auto-generated, and a multipart/alternative body
 * (text then HTML, UTF-8, quoted-printable or base64 as the content needs) or the text alone.
 * Lines end in CRLF. *out = a new NUL-terminated buffer (free it), *len its length.
 * 0, VG_EINVAL (an address GMime cannot parse, no recipient, a missing field) or VG_ENOMEM. */
int vg_mime_build(const struct vg_mime_msg *m, char **out, size_t *len, struct vg_diag *d);

/* Copies the addr-spec of address (what is between '<' and '>' if any, else the whole, spaces
 * around it removed) into out (cap bytes, NUL included). 0, or VG_EINVAL (empty, too long,
 * or holding a CR, LF, '<' or '>' in the address itself). */
int vg_mime_addr_spec(const char *address, char *out, size_t cap);

/* What happened to an incident that its organisation's contacts are told by mail. */
enum vg_incident_event {
    VG_INCIDENT_OPENED, /* it was opened */
    VG_INCIDENT_STATUS, /* its status changed */
    VG_INCIDENT_NOTE,   /* it got a public note */
};

/* One incident mail to write. */
struct vg_incident_mail {
    enum vg_incident_event event; /* what happened */
    const char *lang;             /* "fr", "en", or "" (or NULL): French then English */
    const char *from;             /* VG_INCIDENT_STATUS: the status before ("new" ...); the
                                   * incident's "status" is the one after */
    const char *note;             /* VG_INCIDENT_NOTE: the public note's text */
};

/* The mail telling an organisation's contacts about incident inc (as vg_store_incident_get
 * gives it: "ref", "title", "class", "type", "severity", "tlp", "status") in the language of
 * m: a subject starting with "[TLP:<tlp>] " (without the reference: the outbox puts it
 * first), a text whose first line is "TLP:<tlp>", and an HTML body, appended to the three
 * buffers. Every value is escaped in the HTML; control characters (C0 but a line break or
 * tab, which become a space, DEL, C1) and bidirectional controls (U+200E/F, U+202A..E,
 * U+2066..9) are dropped from the subject (a title longer than 200 bytes is cut there, at a
 * character's boundary, with "…") and from the bodies (a note keeps its line breaks and
 * tabs). Statuses and severities are in
 * the message's language. 0, VG_EINVAL (lang not "fr", "en" or "", event unknown, a status
 * change without from, a note without text) or VG_ENOMEM (a buffer failed). */
int vg_notify_incident(const json_t *inc, const struct vg_incident_mail *m, struct vg_buf *subject,
                       struct vg_buf *text, struct vg_buf *html);

/* ---- inbound mail's answers (notify/answer.c, issue 15) ---- */

/* The answer to a reporter outside the constituency (an individual, a business): the CERT
 * does not handle the report; cybermalveillance.gouv.fr helps victims. French then English,
 * plain text, with redirect_url (NULL or "": https://www.cybermalveillance.gouv.fr/) as the
 * link; nothing of the incoming message is echoed (a forged sender must not make vigie relay
 * someone's text). Appended to subject and text. 0, or VG_ENOMEM (a buffer failed). */
int vg_notify_intake_answer(const char *redirect_url, struct vg_buf *subject, struct vg_buf *text);

/* Copies the first header called name (case-insensitive) of the message raw (len bytes: its
 * header section, up to the first empty line, is read), unfolded and trimmed, into out (cap
 * bytes, cut to fit). True if the header is there. */
bool vg_mail_header(const char *raw, size_t len, const char *name, char *out, size_t cap);

/* Whether a message must not be answered (mail loops, machines): Auto-Submitted other than
 * "no", Precedence bulk, junk or list, a List-Id, a null Return-Path ("<>"), a sender that is
 * empty, MAILER-DAEMON, postmaster or a no-reply address, or own (our own From address, its
 * addr-spec compared without case; may be NULL). *why (may be NULL) names the rule. */
bool vg_mail_is_automatic(const char *raw, size_t len, const char *sender, const char *own,
                          const char **why);

#endif
