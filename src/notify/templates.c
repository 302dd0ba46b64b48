/* The texts of the incident mail (notify/notify.h): each text in French and English side by
 * side, and one writer that lays them out as text and HTML for an event (opened,
 * status changed, public note), in one language or in both (French first). */
#include "notify/notify.h"

#include <string.h>

#include "core/lifecycle.h"
#include "core/model.h"

#define SUBJECT_TITLE_MAX 200 /* bytes of the title kept in a subject */

enum { FR, EN, NLANG };
enum label { L_TITLE, L_CLASS, L_TYPE, L_SEVERITY, L_STATUS, NLABEL };

/* Each text in French and in English, side by side ([FR], [EN]). In the templates, {ref},
 * {from} and {to} stand for the incident's reference and the statuses before and after. */
static const char *const lang_code[NLANG] = {"fr", "en"}; /* the HTML lang attribute */
static const char *const colon[NLANG] = {" : ", ": "};    /* after a label */
static const char *const hello[NLANG] = {"Bonjour,", "Hello,"};
static const char *const subject_of[3][NLANG] = {
    /* per event (enum vg_incident_event) */
    {"Incident ouvert", "Incident opened"},
    {"Changement de statut", "Status changed"},
    {"Nouvelle information", "New information"},
};
static const char *const intro_of[3][NLANG] = {
    {"Le CERT a ouvert l'incident {ref} qui concerne votre organisation.",
     "The CERT opened incident {ref}, which concerns your organisation."},
    {"Le statut de l'incident {ref} qui concerne votre organisation est passé de « {from} » à "
     "« {to} ».",
     "The status of incident {ref}, which concerns your organisation, changed from \"{from}\" "
     "to \"{to}\"."},
    {"Le CERT a ajouté l'information suivante à l'incident {ref} qui concerne votre "
     "organisation.",
     "The CERT added the following information to incident {ref}, which concerns your "
     "organisation."},
};
static const char *const reply[NLANG] = {
    "Pour nous répondre, conservez la référence [{ref}] dans l'objet du message.",
    "To reply, keep the reference [{ref}] in the subject of your message.",
};
static const char *const label_of[NLABEL][NLANG] = {
    {"Titre", "Title"},       {"Classe", "Class"},  {"Type", "Type"},
    {"Sévérité", "Severity"}, {"Statut", "Status"},
};
static const char *const fr_status[] = {"nouveau",        "en tri",         "en analyse",
                                        "en confinement", "en éradication", "en rétablissement",
                                        "clos",           "rejeté",         NULL};
static const char *const fr_severity[] = {"faible", "moyenne", "élevée", "critique", NULL};
/* vg_status_names' and vg_severity_names' words in each language, NULL: the names themselves */
static const char *const *const status_in[NLANG] = {fr_status, NULL};
static const char *const *const severity_in[NLANG] = {fr_severity, NULL};

/* The colours FIRST's TLP 2.0 gives each label (black background); RED is never mailed. */
static const char *tlp_colour(const char *tlp)
{
    if (!strcmp(tlp, "GREEN"))
        return "#33FF00";
    return strncmp(tlp, "AMBER", 5) ? "#FFFFFF" : "#FFC000";
}

static const char *field(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The name of value among keys in names (same order), or value when names is NULL or has
 * none. */
static const char *say(const char *const *keys, const char *const *names, const char *value)
{
    if (names)
        for (size_t i = 0; keys[i]; i++)
            if (!strcmp(keys[i], value))
                return names[i];
    return value;
}

/* Appends s[0..n) to b, escaped for HTML when html. */
static void put_n(struct vg_buf *b, const char *s, size_t n, bool html)
{
    if (html)
        vg_buf_put_html(b, s, n);
    else
        vg_buf_append(b, s, n);
}

static void put(struct vg_buf *b, const char *s, bool html)
{
    put_n(b, s, strlen(s), html);
}

/* The length of the invisible character at s that could disguise a text (a C1 control, a
 * bidirectional mark, embedding, override or isolate: "Trojan Source"), 0 if none. */
static size_t invisible(const unsigned char *s)
{
    if (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F)
        return 2; /* U+0080..U+009F */
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x8E && s[2] <= 0x8F) || (s[2] >= 0xAA && s[2] <= 0xAE)))
        return 3; /* U+200E, U+200F, U+202A..U+202E */
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)
        return 3; /* U+2066..U+2069 */
    return 0;
}

/* Appends s without its control characters: dropped (a CR, DEL, an escape, a C1 control, a
 * bidirectional control), or, when lines, a line feed or tab kept and, when not, replaced by
 * a space. */
static void put_clean(struct vg_buf *b, const char *s, bool lines, bool html)
{
    const char *start = s;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t skip = c < 0x20 || c == 0x7f ? 1 : invisible((const unsigned char *)s);
        if (!skip) {
            s++;
            continue;
        }
        put_n(b, start, (size_t)(s - start), html);
        if (c == '\n' || c == '\t')
            vg_buf_putc(b, lines ? (char)c : ' ');
        s += skip;
        start = s;
    }
    put_n(b, start, (size_t)(s - start), html);
}

/* The subject's title: clean, cut at SUBJECT_TITLE_MAX bytes on a character's boundary. */
static void put_subject_title(struct vg_buf *b, const char *title)
{
    size_t n = strlen(title);
    if (n <= SUBJECT_TITLE_MAX) {
        put_clean(b, title, false, false);
        return;
    }
    n = SUBJECT_TITLE_MAX;
    while (n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80)
        n--; /* title[n] continues a character: cut before that character */
    char cut[SUBJECT_TITLE_MAX + 1];
    memcpy(cut, title, n);
    cut[n] = '\0';
    put_clean(b, cut, false, false);
    vg_buf_puts(b, "…");
}

/* Appends template t of language lang with {ref}, {from} and {to} replaced by their values. */
static void expand(struct vg_buf *b, const char *t, int lang, const json_t *inc, const char *from,
                   bool html)
{
    static const char *const keys[] = {"{ref}", "{from}", "{to}"};
    const char *lit = t;
    for (; *t; t++) {
        size_t k = 0;
        while (k < 3 && strncmp(t, keys[k], strlen(keys[k])))
            k++;
        if (k == 3)
            continue;
        put_n(b, lit, (size_t)(t - lit), html);
        const char *v = k == 0   ? field(inc, "ref")
                        : k == 1 ? say(vg_status_names, status_in[lang], from)
                                 : say(vg_status_names, status_in[lang], field(inc, "status"));
        put_clean(b, v, false, html);
        t += strlen(keys[k]) - 1;
        lit = t + 1;
    }
    put_n(b, lit, (size_t)(t - lit), html);
}

/* The languages of the message: [first, last]. */
struct langs {
    int first, last;
};

/* value in language lang: a severity or status translated, others as they are. */
static const char *value_in(int lang, enum label which, const char *value)
{
    return which == L_SEVERITY ? say(vg_severity_names, severity_in[lang], value)
           : which == L_STATUS ? say(vg_status_names, status_in[lang], value)
                               : value;
}

/* "Label: value" in the message's languages ("Titre / Title: ..." for both, a word said
 * once when both languages say it alike). */
static void detail(struct vg_buf *text, struct vg_buf *html, struct langs l, enum label which,
                   const char *value)
{
    vg_buf_puts(html, "<tr><th>");
    for (int i = l.first; i <= l.last; i++) {
        const char *s = label_of[which][i];
        if (i > l.first && !strcmp(label_of[which][i - 1], s))
            continue;
        if (i > l.first) {
            vg_buf_puts(text, " / ");
            vg_buf_puts(html, " / ");
        }
        vg_buf_puts(text, s);
        put(html, s, true);
    }
    vg_buf_puts(text, colon[l.first == l.last ? l.first : EN]);
    vg_buf_puts(html, "</th><td>");
    for (int i = l.first; i <= l.last; i++) {
        const char *v = value_in(i, which, value);
        if (i > l.first && !strcmp(value_in(i - 1, which, value), v))
            continue;
        if (i > l.first) {
            vg_buf_puts(text, " / ");
            vg_buf_puts(html, " / ");
        }
        put_clean(text, v, false, false);
        put_clean(html, v, false, true);
    }
    vg_buf_putc(text, '\n');
    vg_buf_puts(html, "</td></tr>\n");
}

int vg_notify_incident(const json_t *inc, const struct vg_incident_mail *m, struct vg_buf *subject,
                       struct vg_buf *text, struct vg_buf *html)
{
    struct langs l = {FR, EN};
    if (m->lang && !strcmp(m->lang, "fr"))
        l.last = FR;
    else if (m->lang && !strcmp(m->lang, "en"))
        l.first = EN;
    else if (m->lang && *m->lang)
        return VG_EINVAL;
    if ((m->event != VG_INCIDENT_OPENED && m->event != VG_INCIDENT_STATUS &&
         m->event != VG_INCIDENT_NOTE) ||
        (m->event == VG_INCIDENT_STATUS && !m->from) || (m->event == VG_INCIDENT_NOTE && !m->note))
        return VG_EINVAL;
    const int ev = (int)m->event;
    const char *tlp = field(inc, "tlp"), *title = field(inc, "title");

    /* [TLP:AMBER] Incident ouvert / Incident opened: title */
    vg_buf_puts(subject, "[TLP:");
    put_clean(subject, tlp, false, false);
    vg_buf_puts(subject, "] ");
    for (int i = l.first; i <= l.last; i++)
        vg_buf_printf(subject, "%s%s", i > l.first ? " / " : "", subject_of[ev][i]);
    vg_buf_puts(subject, colon[l.first == l.last ? l.first : EN]);
    put_subject_title(subject, title);

    vg_buf_puts(text, "TLP:");
    put_clean(text, tlp, false, false);
    vg_buf_puts(text, "\n\n");
    vg_buf_puts(html, "<!DOCTYPE html>\n<html");
    if (l.first == l.last)
        vg_buf_printf(html, " lang=\"%s\"", lang_code[l.first]);
    vg_buf_printf(html,
                  "><head><meta charset=\"utf-8\"></head><body>\n<p><strong style=\"background:"
                  "#000;color:%s;padding:0 4px\">TLP:",
                  tlp_colour(tlp));
    put_clean(html, tlp, false, true);
    vg_buf_puts(html, "</strong></p>\n");

    for (int i = l.first; i <= l.last; i++) {
        vg_buf_printf(text, "%s\n\n", hello[i]);
        expand(text, intro_of[ev][i], i, inc, m->from, false);
        vg_buf_puts(text, "\n\n");
        vg_buf_printf(html, "<div lang=\"%s\"><p>%s</p>\n<p>", lang_code[i], hello[i]);
        expand(html, intro_of[ev][i], i, inc, m->from, true);
        vg_buf_puts(html, "</p></div>\n");
    }
    if (m->event == VG_INCIDENT_NOTE) {
        vg_buf_puts(text, "----\n");
        put_clean(text, m->note, true, false);
        vg_buf_puts(text, "\n----\n\n");
        vg_buf_puts(html, "<blockquote style=\"white-space:pre-wrap\">");
        put_clean(html, m->note, true, true);
        vg_buf_puts(html, "</blockquote>\n");
    }

    vg_buf_puts(html, "<table>\n");
    static const char *const keys[NLABEL] = {"title", "class", "type", "severity", "status"};
    for (int k = 0; k < NLABEL; k++)
        detail(text, html, l, (enum label)k, field(inc, keys[k]));
    vg_buf_puts(html, "</table>\n");

    vg_buf_putc(text, '\n');
    for (int i = l.first; i <= l.last; i++) {
        expand(text, reply[i], i, inc, m->from, false);
        vg_buf_putc(text, '\n');
        vg_buf_printf(html, "<p lang=\"%s\">", lang_code[i]);
        expand(html, reply[i], i, inc, m->from, true);
        vg_buf_puts(html, "</p>\n");
    }
    vg_buf_puts(html, "</body></html>\n");
    return subject->failed || text->failed || html->failed ? VG_ENOMEM : 0;
}
