/* The texts of outbound notifications (notify/notify.h). */
#include <string.h>

#include "notify/notify.h"

static const char *field(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* s without its control characters (a title is free text from a reporter). */
static void put_line(struct vg_buf *b, const char *s)
{
    for (; *s; s++)
        vg_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void html_row(struct vg_buf *b, const char *label, const char *value)
{
    vg_buf_puts(b, "<tr><th>");
    vg_buf_put_html(b, label, strlen(label));
    vg_buf_puts(b, "</th><td>");
    vg_buf_put_html(b, value, strlen(value));
    vg_buf_puts(b, "</td></tr>\n");
}

int vg_notify_incident_opened(const json_t *inc, struct vg_buf *subject, struct vg_buf *text,
                              struct vg_buf *html)
{
    const char *ref = field(inc, "ref"), *title = field(inc, "title"), *cls = field(inc, "class"),
               *type = field(inc, "type"), *sev = field(inc, "severity"), *tlp = field(inc, "tlp"),
               *status = field(inc, "status");
    vg_buf_puts(subject, "Incident ouvert / Incident opened: ");
    put_line(subject, title);
    vg_buf_printf(subject, " (TLP:%s)", tlp);

    vg_buf_printf(text, "TLP:%s\n\n", tlp);
    vg_buf_printf(text,
                  "Bonjour,\n\nLe CERT a ouvert l'incident %s qui concerne votre organisation.\n"
                  "Répondez à ce message en gardant la référence [%s] dans l'objet.\n\n",
                  ref, ref);
    vg_buf_printf(text,
                  "Hello,\n\nThe CERT opened incident %s, which concerns your organisation.\n"
                  "Reply to this message keeping the reference [%s] in the subject.\n\n",
                  ref, ref);
    vg_buf_puts(text, "Titre / Title: ");
    put_line(text, title);
    vg_buf_printf(text, "\nClasse / Class: %s (%s)\nSévérité / Severity: %s\nStatut / Status: %s\n",
                  cls, type, sev, status);

    vg_buf_puts(html, "<!DOCTYPE html>\n<html><body>\n<p><strong>TLP:");
    vg_buf_put_html(html, tlp, strlen(tlp));
    vg_buf_puts(html, "</strong></p>\n<p lang=\"fr\">Le CERT a ouvert l'incident ");
    vg_buf_put_html(html, ref, strlen(ref));
    vg_buf_puts(html, " qui concerne votre organisation.</p>\n<p lang=\"en\">The CERT opened "
                      "incident ");
    vg_buf_put_html(html, ref, strlen(ref));
    vg_buf_puts(html, ", which concerns your organisation.</p>\n<table>\n");
    html_row(html, "Titre / Title", title);
    html_row(html, "Classe / Class", cls);
    html_row(html, "Type", type);
    html_row(html, "Sévérité / Severity", sev);
    html_row(html, "Statut / Status", status);
    vg_buf_puts(html, "</table>\n</body></html>\n");
    return subject->failed || text->failed || html->failed ? VG_ENOMEM : 0;
}
