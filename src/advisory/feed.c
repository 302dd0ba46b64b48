/* The feeds of the publications (advisory/render.h): Atom 1.0 (RFC 4287) and RSS 2.0. Every
 * text goes through vg_render_text, which escapes it and drops what XML 1.0 does not allow,
 * so the feed is valid XML whatever an advisory holds. Dates are normalised (RFC 3339 for
 * Atom, RFC 822 for RSS); an entry without a readable date gets the epoch, so the output
 * depends on its input only. */
#include "advisory/render.h"

#include <string.h>
#include <strings.h>

#include "advisory/render_int.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

#define SUMMARY_MAX 500 /* bytes of an advisory's summary in a feed entry */

static const char *lang_of(const struct vg_adv_site *site)
{
    return site->lang && strncasecmp(site->lang, "en", 2) == 0 ? "en" : "fr";
}

/* When the entry last changed: its last revision, else its last update or creation. */
static time_t entry_updated(const struct vg_advisory *a)
{
    time_t t;
    if (vg_render_time(vg_adv_last_date(a), &t) || vg_render_time(a->updated_at, &t) ||
        vg_render_time(a->created_at, &t))
        return t;
    return 0;
}

static time_t entry_published(const struct vg_advisory *a)
{
    time_t t;
    if (vg_render_time(vg_adv_first_date(a), &t) || vg_render_time(a->created_at, &t))
        return t;
    return entry_updated(a);
}

static time_t newest(const struct vg_advisory *const *list, size_t n)
{
    time_t t = 0;
    for (size_t i = 0; i < n; i++) {
        time_t u = entry_updated(list[i]);
        if (u > t)
            t = u;
    }
    return t;
}

static void put_rfc3339(struct vg_buf *b, time_t t)
{
    char s[VG_TIME_LEN];
    vg_time_fmt(t, s);
    vg_buf_puts(b, s);
}

/* RFC 822 as RSS 2.0 wants it, with a four-digit year: "Mon, 02 Mar 2026 09:30:00 +0000". */
static void put_rfc822(struct vg_buf *b, time_t t)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    vg_buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The page of a: base_url prefix/ref. */
static void put_page_url(struct vg_buf *b, const struct vg_advisory *a,
                         const struct vg_adv_site *site, const char *prefix)
{
    vg_render_str(b, site->base_url);
    vg_render_str(b, prefix);
    vg_buf_putc(b, '/');
    vg_render_str(b, a->ref);
}

/* "REF : title" (the reference first, as CERT-FR's feeds do). */
static void put_entry_title(struct vg_buf *b, const struct vg_advisory *a, const char *lang)
{
    vg_render_str(b, a->ref);
    vg_buf_puts(b, strcmp(lang, "en") == 0 ? ": " : " : ");
    vg_render_str(b, a->title);
}

/* The start of the summary (its Markdown as text). A character cut at the end is not UTF-8:
 * vg_render_text drops its bytes. */
static void put_summary(struct vg_buf *b, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (n <= SUMMARY_MAX) {
        vg_render_text(b, s, n);
        return;
    }
    vg_render_text(b, s, SUMMARY_MAX);
    vg_buf_puts(b, "…");
}

int vg_adv_atom(const struct vg_advisory *const *list, size_t n, const char *title,
                const char *self_url, const struct vg_adv_site *site, const char *prefix,
                struct vg_buf *out)
{
    unsigned long failures = vg_mem_thread_failures();
    const char *lang = lang_of(site);
    if (!prefix)
        prefix = "";
    vg_buf_printf(out,
                  "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n<id>",
                  lang);
    vg_render_str(out, self_url);
    vg_buf_puts(out, "</id>\n<title>");
    vg_render_str(out, title);
    vg_buf_puts(out, "</title>\n<updated>");
    put_rfc3339(out, newest(list, n));
    vg_buf_puts(out, "</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    vg_render_str(out, self_url);
    vg_buf_puts(out, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    vg_render_str(out, site->base_url);
    vg_render_str(out, prefix);
    vg_buf_puts(out, "/\"/>\n<author><name>");
    vg_render_str(out, site->name && *site->name ? site->name : "vigie");
    vg_buf_puts(out, "</name>");
    if (vg_render_url_http(site->namespace)) {
        vg_buf_puts(out, "<uri>");
        vg_render_str(out, site->namespace);
        vg_buf_puts(out, "</uri>");
    }
    vg_buf_puts(out, "</author>\n");
    if (site->generator) {
        vg_buf_puts(out, "<generator>");
        vg_render_str(out, site->generator);
        vg_buf_puts(out, "</generator>\n");
    }
    for (size_t i = 0; i < n; i++) {
        const struct vg_advisory *a = list[i];
        vg_buf_puts(out, "<entry>\n<id>");
        put_page_url(out, a, site, prefix);
        vg_buf_puts(out, "</id>\n<title>");
        put_entry_title(out, a, lang);
        vg_buf_puts(out, "</title>\n<updated>");
        put_rfc3339(out, entry_updated(a));
        vg_buf_puts(out, "</updated>\n<published>");
        put_rfc3339(out, entry_published(a));
        vg_buf_puts(out, "</published>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
        put_page_url(out, a, site, prefix);
        vg_buf_puts(out, "\"/>\n<summary type=\"text\">");
        put_summary(out, a->summary);
        vg_buf_printf(out, "</summary>\n<category term=\"%s\" label=\"",
                      vg_adv_kind_name(a->kind) ? vg_adv_kind_name(a->kind) : "");
        vg_render_str(out, vg_adv_kind_label(a->kind, lang));
        vg_buf_puts(out, "\"/>\n</entry>\n");
    }
    vg_buf_puts(out, "</feed>\n");
    return vg_render_rc(out, failures);
}

int vg_adv_rss(const struct vg_advisory *const *list, size_t n, const char *title,
               const char *self_url, const struct vg_adv_site *site, const char *prefix,
               struct vg_buf *out)
{
    unsigned long failures = vg_mem_thread_failures();
    const char *lang = lang_of(site);
    if (!prefix)
        prefix = "";
    vg_buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                     "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
                     "<channel>\n<title>");
    vg_render_str(out, title);
    vg_buf_puts(out, "</title>\n<link>");
    vg_render_str(out, site->base_url);
    vg_render_str(out, prefix);
    vg_buf_puts(out, "/</link>\n<description>");
    vg_render_str(out, title);
    if (site->name && *site->name) {
        vg_buf_puts(out, " – ");
        vg_render_str(out, site->name);
    }
    vg_buf_printf(out, "</description>\n<language>%s</language>\n<lastBuildDate>", lang);
    put_rfc822(out, newest(list, n));
    vg_buf_puts(out, "</lastBuildDate>\n<atom:link rel=\"self\" type=\"application/rss+xml\" "
                     "href=\"");
    vg_render_str(out, self_url);
    vg_buf_puts(out, "\"/>\n");
    if (site->generator) {
        vg_buf_puts(out, "<generator>");
        vg_render_str(out, site->generator);
        vg_buf_puts(out, "</generator>\n");
    }
    for (size_t i = 0; i < n; i++) {
        const struct vg_advisory *a = list[i];
        vg_buf_puts(out, "<item>\n<title>");
        put_entry_title(out, a, lang);
        vg_buf_puts(out, "</title>\n<link>");
        put_page_url(out, a, site, prefix);
        /* A permalink is an absolute URL: without base_url the guid is only an id. */
        vg_buf_printf(out, "</link>\n<guid isPermaLink=\"%s\">",
                      site->base_url && *site->base_url ? "true" : "false");
        put_page_url(out, a, site, prefix);
        vg_buf_puts(out, "</guid>\n<pubDate>");
        put_rfc822(out, entry_published(a));
        vg_buf_puts(out, "</pubDate>\n<description>");
        put_summary(out, a->summary);
        vg_buf_puts(out, "</description>\n<category>");
        vg_render_str(out, vg_adv_kind_label(a->kind, lang));
        vg_buf_puts(out, "</category>\n</item>\n");
    }
    vg_buf_puts(out, "</channel>\n</rss>\n");
    return vg_render_rc(out, failures);
}
