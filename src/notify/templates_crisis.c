/* The texts of the crisis cell's mail (notify/crisismail.h). */
#include <stdbool.h>
#include <string.h>

#include "notify/crisismail.h"

static const char *field(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* s without its control characters (titles and names are free text). */
static void put_line(struct vg_buf *b, const char *s)
{
    for (; *s; s++)
        vg_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void put_html(struct vg_buf *b, const char *s)
{
    vg_buf_put_html(b, s, strlen(s));
}

static bool want(const char *lang, const char *which)
{
    return strcmp(lang ? lang : "", which) == 0 ||
           (strcmp(lang ? lang : "", "fr") != 0 && strcmp(lang ? lang : "", "en") != 0);
}

/* The French and the English literal as lang asks ("FR / EN" for both), into b. */
static void both(struct vg_buf *b, const char *lang, const char *fr, const char *en)
{
    bool f = want(lang, "fr"), e = want(lang, "en");
    if (f)
        vg_buf_puts(b, fr);
    if (f && e)
        vg_buf_puts(b, " / ");
    if (e)
        vg_buf_puts(b, en);
}

static int done(const struct vg_buf *s, const struct vg_buf *t, const struct vg_buf *h)
{
    return s->failed || t->failed || h->failed ? VG_ENOMEM : 0;
}

int vg_notify_crisis_rollcall(const json_t *c, const char *lang, const char *caller,
                              const char *link, struct vg_buf *subject, struct vg_buf *text,
                              struct vg_buf *html)
{
    const char *title = field(c, "title"), *level = field(c, "level");
    both(subject, lang, "Mobilisation de crise", "Crisis roll-call");
    vg_buf_puts(subject, ": ");
    put_line(subject, title);
    vg_buf_printf(subject, " [%s]", level);

    vg_buf_puts(html, "<!DOCTYPE html>\n<html><body>\n");
    if (want(lang, "fr")) {
        vg_buf_puts(text, "Bonjour,\n\nLa cellule de crise du CERT vous mobilise pour la crise « ");
        put_line(text, title);
        vg_buf_printf(text, " » (niveau %s). Appel lancé par ", level);
        put_line(text, caller);
        vg_buf_puts(text, ".\nConfirmez votre présence en ouvrant ce lien personnel (une seule "
                          "fois, ne le transférez pas) :\n");
        vg_buf_printf(text, "%s\n\n", link);
        vg_buf_puts(html, "<p lang=\"fr\">La cellule de crise du CERT vous mobilise pour la "
                          "crise « <strong>");
        put_html(html, title);
        vg_buf_puts(html, "</strong> » (niveau ");
        put_html(html, level);
        vg_buf_puts(html, "). Appel lancé par ");
        put_html(html, caller);
        vg_buf_puts(html, ".<br>Confirmez votre présence en ouvrant ce lien personnel (une seule "
                          "fois, ne le transférez pas) : <a href=\"");
        put_html(html, link);
        vg_buf_puts(html, "\">");
        put_html(html, link);
        vg_buf_puts(html, "</a></p>\n");
    }
    if (want(lang, "en")) {
        vg_buf_puts(text, "Hello,\n\nThe CERT's crisis cell calls you for the crisis \"");
        put_line(text, title);
        vg_buf_printf(text, "\" (level %s). Called by ", level);
        put_line(text, caller);
        vg_buf_puts(text, ".\nConfirm that you are there by opening this personal link (once; "
                          "do not forward it):\n");
        vg_buf_printf(text, "%s\n", link);
        vg_buf_puts(html, "<p lang=\"en\">The CERT's crisis cell calls you for the crisis "
                          "\"<strong>");
        put_html(html, title);
        vg_buf_puts(html, "</strong>\" (level ");
        put_html(html, level);
        vg_buf_puts(html, "). Called by ");
        put_html(html, caller);
        vg_buf_puts(html, ".<br>Confirm that you are there by opening this personal link (once; "
                          "do not forward it): <a href=\"");
        put_html(html, link);
        vg_buf_puts(html, "\">");
        put_html(html, link);
        vg_buf_puts(html, "</a></p>\n");
    }
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}

int vg_notify_crisis_sitrep(const json_t *c, const json_t *s, const char *lang,
                            const char *body_html, struct vg_buf *subject, struct vg_buf *text,
                            struct vg_buf *html)
{
    const char *tlp = field(s, "tlp");
    long long num = (long long)json_integer_value(json_object_get(s, "number")),
              ver = (long long)json_integer_value(json_object_get(s, "version"));
    vg_buf_printf(subject, "TLP:%s ", tlp);
    both(subject, lang, "Point de situation", "Sitrep");
    vg_buf_printf(subject, " %lld v%lld: ", num, ver);
    put_line(subject, field(s, "title"));
    vg_buf_puts(subject, " (");
    put_line(subject, field(c, "title"));
    vg_buf_puts(subject, ")");

    vg_buf_printf(text, "TLP:%s\n\n", tlp);
    both(text, lang, "Point de situation", "Sitrep");
    vg_buf_printf(text, " %lld v%lld, ", num, ver);
    both(text, lang, "crise", "crisis");
    vg_buf_puts(text, ": ");
    put_line(text, field(c, "title"));
    vg_buf_printf(text, " [%s]\n", field(c, "level"));
    put_line(text, field(s, "title"));
    vg_buf_puts(text, "\n\n");
    vg_buf_puts(text, field(s, "body"));
    vg_buf_printf(text, "\n\n-- \nTLP:%s\n", tlp);

    vg_buf_puts(html, "<!DOCTYPE html>\n<html><body>\n<p><strong>TLP:");
    put_html(html, tlp);
    vg_buf_puts(html, "</strong></p>\n<h1>");
    both(html, lang, "Point de situation", "Sitrep");
    vg_buf_printf(html, " %lld v%lld: ", num, ver);
    put_html(html, field(s, "title"));
    vg_buf_puts(html, "</h1>\n<p>");
    put_html(html, field(c, "title"));
    vg_buf_puts(html, " [");
    put_html(html, field(c, "level"));
    vg_buf_puts(html, "]</p>\n<div>\n");
    vg_buf_puts(html, body_html ? body_html : "");
    vg_buf_puts(html, "</div>\n<p><strong>TLP:");
    put_html(html, tlp);
    vg_buf_puts(html, "</strong></p>\n</body></html>\n");
    return done(subject, text, html);
}

int vg_notify_crisis_reminder(const json_t *c, const char *lang, long long hours, const char *last,
                              struct vg_buf *subject, struct vg_buf *text, struct vg_buf *html)
{
    const char *title = field(c, "title");
    both(subject, lang, "Point de situation attendu", "Sitrep due");
    vg_buf_puts(subject, ": ");
    put_line(subject, title);

    vg_buf_puts(html, "<!DOCTYPE html>\n<html><body>\n");
    if (want(lang, "fr")) {
        vg_buf_puts(text, "Rappel : la crise « ");
        put_line(text, title);
        vg_buf_printf(text,
                      " » attend un point de situation toutes les %lld h ; le dernier (ou "
                      "l'ouverture) date de %s.\n\n",
                      hours, last);
        vg_buf_puts(html, "<p lang=\"fr\">Rappel : la crise « ");
        put_html(html, title);
        vg_buf_printf(html,
                      " » attend un point de situation toutes les %lld h ; le dernier date "
                      "de ",
                      hours);
        put_html(html, last);
        vg_buf_puts(html, ".</p>\n");
    }
    if (want(lang, "en")) {
        vg_buf_puts(text, "Reminder: the crisis \"");
        put_line(text, title);
        vg_buf_printf(text,
                      "\" wants a sitrep every %lld h; the last one (or the opening) was at "
                      "%s.\n",
                      hours, last);
        vg_buf_puts(html, "<p lang=\"en\">Reminder: the crisis \"");
        put_html(html, title);
        vg_buf_printf(html, "\" wants a sitrep every %lld h; the last one was at ", hours);
        put_html(html, last);
        vg_buf_puts(html, ".</p>\n");
    }
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}
