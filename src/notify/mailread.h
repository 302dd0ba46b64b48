/* Inbound mail reader: one RFC 5322 message (bytes as received) read with GMime into what the
 * ingestion use case needs: sender, subject, threading headers, the text, the attachments
 * (hashed, kept under a cap, never unpacked), the incident reference in the subject and an
 * X-ARF report's structured part. Hostile input is refused with a reason, never a crash. */
#ifndef VG_MAILREAD_H
#define VG_MAILREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/str.h"

/* The reader's limits, in one place (defaults; a caller may pass its own). */
#define VG_MAIL_MAX_SIZE        (25L * 1024 * 1024) /* one message as received, bytes */
#define VG_MAIL_MAX_DEPTH       16                  /* nesting of multiparts and messages */
#define VG_MAIL_MAX_PARTS       500                 /* MIME parts (containers included) */
#define VG_MAIL_MAX_ATTACH_KEEP (10L * 1024 * 1024) /* bytes of an attachment kept */
#define VG_MAIL_MAX_TEXT        (1024L * 1024)      /* bytes of body text kept (then cut) */
#define VG_MAIL_MAX_HEADER      998                 /* a header value kept (RFC 5322 line) */
#define VG_MAIL_MAX_XARF        (1024L * 1024)      /* an X-ARF JSON part, bytes */

struct vg_mail_limits {
    long max_size;        /* message bytes; larger is refused */
    int max_depth;        /* nesting; deeper is refused */
    int max_parts;        /* parts; more is refused */
    long max_attach_keep; /* attachment bytes kept; larger ones are hashed, not kept */
    long max_text;        /* body text bytes; longer text is cut (text_cut set) */
};

/* The defaults above. */
void vg_mail_limits_default(struct vg_mail_limits *l);

struct vg_mail_attachment {
    char *name;          /* file name from the MIME headers, UTF-8, "" if none */
    char *media_type;    /* "application/pdf", lower case */
    size_t size;         /* decoded bytes */
    char sha256[65];     /* of the decoded bytes, lower-case hex */
    unsigned char *data; /* the decoded bytes when size <= max_attach_keep, else NULL */
    bool is_archive;     /* zip, rar, 7z, gzip, tar...: recorded, never opened */
    char part[32];       /* MIME part number ("1.2") */
};

struct vg_mail {
    char *from_addr;     /* the first From mailbox, lower case, "" if none */
    char *from_domain;   /* its domain, lower case, "" if none */
    char *from_name;     /* its display name (decoded), "" if none */
    char *to;            /* To addresses, lower case, comma-separated */
    char *subject;       /* decoded (RFC 2047) UTF-8, "" if none */
    char *message_id;    /* without angle brackets, "" if none */
    char *in_reply_to;   /* first message-id of In-Reply-To, no brackets, "" if none */
    char *references;    /* References header as received (unfolded), "" if none */
    char *date;          /* Date as ISO 8601 UTC ("2026-03-02T10:15:00Z"), "" if none/bad */
    char *text;          /* body text, UTF-8: text/plain preferred, else HTML made text */
    bool text_from_html; /* text came from a text/html part */
    bool text_cut;       /* text was longer than max_text and was cut */
    char reference[64];  /* incident reference found in the subject ("VIG-2026-000042"), "" */
    bool is_xarf;        /* an X-ARF report (X-XARF header or an X-ARF JSON part) */
    char *xarf_json;     /* its structured part as compact JSON, NULL if none */
    struct vg_mail_attachment *att; /* attachments in message order */
    size_t n_att;
    int n_parts; /* MIME parts seen */
};

/* Reads len bytes of one message into out (zeroed first; on failure left empty, on success
 * vg_mail_cleanup it). ref_prefix is the incident reference prefix ("VIG"); limits NULL means
 * defaults. Returns 0; VG_ETOOBIG (size, depth, parts) or VG_EINVAL (not a message, bad boundary,
 * bad base64, truncated) with d naming the part ("part 1.2: bad base64") in d->field; VG_ENOMEM. */
int vg_mail_read(const char *data, size_t len, const char *ref_prefix,
                 const struct vg_mail_limits *limits, struct vg_mail *out, struct vg_diag *d);

/* Frees what vg_mail_read filled; the struct is left zeroed. NULL does nothing. */
void vg_mail_cleanup(struct vg_mail *m);

/* Finds "[PREFIX-YYYY-NNNNNN]" (six or more digits) in subject and copies the reference
 * without brackets into out (cap bytes). True if found. */
bool vg_mail_find_reference(struct vg_str subject, const char *prefix, char *out, size_t cap);

/* Appends the text of HTML (tags, comments, script and style dropped; entities decoded;
 * block tags as line breaks) to out, at most max bytes; true if cut. out is NUL-terminated
 * and freed by the caller. */
char *vg_mail_html_to_text(struct vg_str html, size_t max, bool *cut);

#endif
