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

/* One language's words of a roll-call. */
struct rollcall_words {
    const char *lang, *greet, *intro, *open_q, *close_q, *level, *by, *confirm;
};

static const struct rollcall_words rollcall_words[] = {
    {"fr", "Bonjour,\n\n", "La cellule de crise du CERT vous mobilise pour la crise ", "« ", " »",
     "niveau", "Appel lancé par",
     "Confirmez votre présence en ouvrant ce lien personnel (une seule fois, ne le transférez "
     "pas) :"},
    {"en", "Hello,\n\n", "The CERT's crisis cell calls you for the crisis ", "\"", "\"", "level",
     "Called by",
     "Confirm that you are there by opening this personal link (once; do not forward it):"},
};

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
    for (size_t i = 0; i < sizeof rollcall_words / sizeof *rollcall_words; i++) {
        const struct rollcall_words *w = &rollcall_words[i];
        if (!want(lang, w->lang))
            continue;
        vg_buf_printf(text, "%s%s%s", w->greet, w->intro, w->open_q);
        put_line(text, title);
        vg_buf_printf(text, "%s (%s %s). %s ", w->close_q, w->level, level, w->by);
        put_line(text, caller);
        vg_buf_printf(text, ".\n%s\n%s\n\n", w->confirm, link);
        vg_buf_printf(html, "<p lang=\"%s\">%s", w->lang, w->intro);
        put_html(html, w->open_q);
        vg_buf_puts(html, "<strong>");
        put_html(html, title);
        vg_buf_puts(html, "</strong>");
        put_html(html, w->close_q);
        vg_buf_printf(html, " (%s ", w->level);
        put_html(html, level);
        vg_buf_printf(html, "). %s ", w->by);
        put_html(html, caller);
        vg_buf_printf(html, ".<br>%s <a href=\"", w->confirm);
        put_html(html, link);
        vg_buf_puts(html, "\">");
        put_html(html, link);
        vg_buf_puts(html, "</a></p>\n");
    }
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}

/* "Sitrep N vV" in the language asked, into b (HTML-safe: literals and numbers only). */
static void sitrep_name(struct vg_buf *b, const char *lang, long long num, long long ver)
{
    both(b, lang, "Point de situation", "Sitrep");
    vg_buf_printf(b, " %lld v%lld", num, ver);
}

int vg_notify_crisis_sitrep(const json_t *c, const json_t *s, const char *lang,
                            const char *body_html, struct vg_buf *subject, struct vg_buf *text,
                            struct vg_buf *html)
{
    const char *tlp = field(s, "tlp");
    long long num = (long long)json_integer_value(json_object_get(s, "number")),
              ver = (long long)json_integer_value(json_object_get(s, "version"));
    vg_buf_printf(subject, "TLP:%s ", tlp);
    sitrep_name(subject, lang, num, ver);
    vg_buf_puts(subject, ": ");
    put_line(subject, field(s, "title"));
    vg_buf_puts(subject, " (");
    put_line(subject, field(c, "title"));
    vg_buf_puts(subject, ")");

    vg_buf_printf(text, "TLP:%s\n\n", tlp);
    sitrep_name(text, lang, num, ver);
    vg_buf_puts(text, ", ");
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
    sitrep_name(html, lang, num, ver);
    vg_buf_puts(html, ": ");
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

/* One language's words of a reminder: before the title, after it, after the hours, at the
 * end. */
static const char *const reminder_words[][5] = {
    {"fr", "Rappel : la crise « ", " » attend un point de situation toutes les ",
     " h ; le dernier (ou l'ouverture) date de ", "."},
    {"en", "Reminder: the crisis \"", "\" wants a sitrep every ",
     " h; the last one (or the opening) was at ", "."},
};

int vg_notify_crisis_reminder(const json_t *c, const char *lang, long long hours, const char *last,
                              struct vg_buf *subject, struct vg_buf *text, struct vg_buf *html)
{
    const char *title = field(c, "title");
    both(subject, lang, "Point de situation attendu", "Sitrep due");
    vg_buf_puts(subject, ": ");
    put_line(subject, title);

    vg_buf_puts(html, "<!DOCTYPE html>\n<html><body>\n");
    for (size_t i = 0; i < sizeof reminder_words / sizeof *reminder_words; i++) {
        const char *const *w = reminder_words[i];
        if (!want(lang, w[0]))
            continue;
        vg_buf_puts(text, w[1]);
        put_line(text, title);
        vg_buf_printf(text, "%s%lld%s", w[2], hours, w[3]);
        put_line(text, last);
        vg_buf_printf(text, "%s\n\n", w[4]);
        vg_buf_printf(html, "<p lang=\"%s\">", w[0]);
        put_html(html, w[1]);
        put_html(html, title);
        put_html(html, w[2]);
        vg_buf_printf(html, "%lld", hours);
        put_html(html, w[3]);
        put_html(html, last);
        vg_buf_printf(html, "%s</p>\n", w[4]);
    }
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}
