/* Inbound mail's answers (issue 15): the text of the answer to a reporter outside the
 * constituency, and the rules that keep vigie from answering machines (mail loops). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "notify/notify.h"

#define DEFAULT_REDIRECT "https://www.cybermalveillance.gouv.fr/"

int vg_notify_intake_answer(const char *redirect_url, struct vg_buf *subject, struct vg_buf *text)
{
    const char *url = redirect_url && *redirect_url ? redirect_url : DEFAULT_REDIRECT;
    vg_buf_puts(subject, "Votre signalement / Your report");
    vg_buf_printf(text,
                  "Bonjour,\n\n"
                  "Nous avons bien reçu votre message. Notre CERT traite les incidents de sa "
                  "communauté (administrations, collectivités, opérateurs) et ne peut pas "
                  "prendre en charge votre signalement.\n"
                  "Si vous êtes un particulier, une entreprise ou une association victime d'un "
                  "acte de cybermalveillance, le dispositif national d'assistance "
                  "cybermalveillance.gouv.fr vous aide : diagnostic, conseils et mise en relation "
                  "avec des prestataires de proximité.\n\n"
                  "  %s\n\n"
                  "Ce message est envoyé automatiquement ; merci de ne pas y répondre.\n\n"
                  "-- \n\n"
                  "Hello,\n\n"
                  "We have received your message. Our CERT handles the incidents of its "
                  "constituency (public bodies, local authorities, operators) and cannot take "
                  "charge of your report.\n"
                  "If you are an individual, a business or an association hit by a cyber "
                  "attack, the French national assistance service cybermalveillance.gouv.fr "
                  "helps you: diagnosis, advice and local service providers.\n\n"
                  "  %s\n\n"
                  "This message is sent automatically; please do not reply to it.\n",
                  url, url);
    return subject->failed || text->failed ? VG_ENOMEM : 0;
}

/* The end of the header section of raw: the first empty line (CRLF or LF), or len. */
static size_t header_end(const char *raw, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (raw[i] != '\n')
            continue;
        if (raw[i + 1] == '\n' || (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n'))
            return i + 1;
    }
    return len;
}

bool vg_mail_header(const char *raw, size_t len, const char *name, char *out, size_t cap)
{
    size_t end = header_end(raw, len), nl = strlen(name);
    if (cap)
        out[0] = '\0';
    for (size_t i = 0; i < end;) {
        size_t eol = i;
        while (eol < end && raw[eol] != '\n')
            eol++;
        bool match = eol - i > nl && raw[i + nl] == ':' && strncasecmp(raw + i, name, nl) == 0;
        if (!match) {
            i = eol + 1;
            continue;
        }
        /* the value, its continuation lines unfolded, blanks trimmed */
        size_t o = 0;
        bool space = false; /* a run of blanks is pending: written as one before a word */
        for (size_t p = i + nl + 1; p < end; p++) {
            char c = raw[p];
            if (c == '\n') {
                if (p + 1 >= end || (raw[p + 1] != ' ' && raw[p + 1] != '\t'))
                    break;
                c = ' ';
            }
            if (c == '\r')
                continue;
            if (c == ' ' || c == '\t') {
                space = o > 0;
                continue;
            }
            if (space && o + 1 < cap)
                out[o++] = ' ';
            space = false;
            if (o + 1 < cap)
                out[o++] = c;
        }
        if (cap)
            out[o] = '\0';
        return true;
    }
    return false;
}

/* The first word of a header value (before ';' or a blank), compared without case. */
static bool word_is(const char *v, const char *w)
{
    size_t n = strcspn(v, "; \t");
    return n == strlen(w) && strncasecmp(v, w, n) == 0;
}

/* The addr-spec of s (between < and > if any), lower case, into out. */
static void addr_of(const char *s, char *out, size_t cap)
{
    const char *lt = s ? strchr(s, '<') : NULL;
    const char *p = lt ? lt + 1 : s ? s : "";
    size_t n = lt ? strcspn(p, ">") : strlen(p);
    while (n && isspace((unsigned char)*p))
        p++, n--;
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)p[i]);
    out[n] = '\0';
}

bool vg_mail_is_automatic(const char *raw, size_t len, const char *sender, const char *own,
                          const char **why)
{
    static const char *const machines[] = {"mailer-daemon", "postmaster", "noreply",     "no-reply",
                                           "no_reply",      "donotreply", "do-not-reply"};
    char v[256], a[320], b[320];
    const char *w = NULL;
    if (vg_mail_header(raw, len, "Auto-Submitted", v, sizeof v) && !word_is(v, "no"))
        w = "Auto-Submitted";
    else if (vg_mail_header(raw, len, "Precedence", v, sizeof v) &&
             (word_is(v, "bulk") || word_is(v, "junk") || word_is(v, "list")))
        w = "Precedence";
    else if (vg_mail_header(raw, len, "List-Id", v, sizeof v))
        w = "List-Id";
    else if (vg_mail_header(raw, len, "Return-Path", v, sizeof v) && !strcmp(v, "<>"))
        w = "null Return-Path";
    if (!w) {
        addr_of(sender, a, sizeof a);
        size_t local = strcspn(a, "@");
        if (!a[0] || local == 0) {
            w = "no sender";
        } else {
            for (size_t i = 0; !w && i < sizeof machines / sizeof machines[0]; i++)
                if (local == strlen(machines[i]) && !strncmp(a, machines[i], local))
                    w = "machine sender";
            addr_of(own, b, sizeof b);
            if (!w && b[0] && !strcmp(a, b))
                w = "our own address";
        }
    }
    if (why)
        *why = w ? w : "";
    return w != NULL;
}
