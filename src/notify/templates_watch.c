/* The texts of the watch's digests, detection alerts and advisories sent by mail
 * (notify/watchmail.h), in French, English or both. */
#include "notify/watchmail.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

#define DESC_MAX 300 /* bytes of a CVE's description in a digest */

static const char *field(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static bool wants(const char *lang, const char *l)
{
    return !lang || !lang[0] || !strcmp(lang, l);
}

/* s without its control characters, at most max bytes (0: all) cut on a UTF-8 boundary. */
static void put_line_max(struct vg_buf *b, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (max && n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        vg_buf_putc(b, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i]);
    if (n < strlen(s))
        vg_buf_puts(b, "...");
}

static void put_line(struct vg_buf *b, const char *s)
{
    put_line_max(b, s, 0);
}

static void put_html(struct vg_buf *b, const char *s)
{
    vg_buf_put_html(b, s, strlen(s));
}

/* A label in the message's language: "fr", "en", or "fr / en" for both. */
static void put_label(struct vg_buf *b, const char *lang, const char *fr, const char *en)
{
    if (wants(lang, "fr"))
        vg_buf_puts(b, fr);
    if (!lang || !lang[0])
        vg_buf_puts(b, " / ");
    if (wants(lang, "en"))
        vg_buf_puts(b, en);
}

static void html_label(struct vg_buf *b, const char *lang, const char *fr, const char *en)
{
    struct vg_buf t;
    vg_buf_init(&t, 1024);
    put_label(&t, lang, fr, en);
    if (t.data)
        put_html(b, t.data);
    b->failed |= t.failed;
    vg_buf_cleanup(&t);
}

static void html_begin(struct vg_buf *html, const char *tlp)
{
    vg_buf_puts(html, "<!DOCTYPE html>\n<html><body>\n<p><strong>TLP:");
    put_html(html, tlp);
    vg_buf_puts(html, "</strong></p>\n");
}

/* A paragraph of the HTML in language l (fr or en) when the message wants it; text is plain. */
static void html_para(struct vg_buf *html, const char *lang, const char *l, const char *text)
{
    if (!wants(lang, l))
        return;
    vg_buf_printf(html, "<p lang=\"%s\">", l);
    put_html(html, text);
    vg_buf_puts(html, "</p>\n");
}

/* The start of a message: the TLP line, then the greeting paragraphs fr and en (those the
 * language wants) in the text and the HTML. */
static void intro(struct vg_buf *text, struct vg_buf *html, const char *tlp, const char *lang,
                  const char *fr, const char *en)
{
    vg_buf_printf(text, "TLP:%s\n\n", tlp);
    if (wants(lang, "fr"))
        vg_buf_printf(text, "%s\n\n", fr);
    if (wants(lang, "en"))
        vg_buf_printf(text, "%s\n\n", en);
    html_begin(html, tlp);
    html_para(html, lang, "fr", fr);
    html_para(html, lang, "en", en);
}

/* Writes line (then cleans it up) into the text between tpre and tpost and, escaped, into the
 * HTML between hpre and hpost. */
static void put_both(struct vg_buf *text, struct vg_buf *html, struct vg_buf *line,
                     const char *tpre, const char *tpost, const char *hpre, const char *hpost)
{
    const char *v = line->data ? line->data : "";
    vg_buf_puts(text, tpre);
    vg_buf_puts(text, v);
    vg_buf_puts(text, tpost);
    vg_buf_puts(html, hpre);
    put_html(html, v);
    vg_buf_puts(html, hpost);
    text->failed |= line->failed;
    vg_buf_cleanup(line);
}

/* "(+ N more: ask the CERT)": what a list left out. */
static void put_more(struct vg_buf *text, struct vg_buf *html, const char *lang, size_t n)
{
    struct vg_buf more;
    vg_buf_init(&more, 512);
    vg_buf_printf(&more, "%zu ", n);
    put_label(&more, lang, "autre(s) : demandez-les au CERT", "more: ask the CERT");
    put_both(text, html, &more, "(+ ", ")\n", "<p>+ ", "</p>\n");
}

static int done(const struct vg_buf *subject, const struct vg_buf *text, const struct vg_buf *html)
{
    return subject->failed || text->failed || html->failed ? VG_ENOMEM : 0;
}

/* ---- defanging ---- */

static void put_dots(struct vg_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.')
            vg_buf_puts(out, "[.]");
        else if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
            vg_buf_putc(out, s[i]);
    }
}

static void put_clean(struct vg_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
            vg_buf_putc(out, s[i]);
}

/* v split at its last c: the part before as it is, mark for c, the part after with its dots
 * defanged if dots_after; without c, the whole as the part after. */
static void put_split(struct vg_buf *out, const char *v, char c, const char *mark, bool dots_after)
{
    const char *at = strrchr(v, c), *after = at ? at + 1 : v;
    if (at) {
        put_clean(out, v, (size_t)(at - v));
        vg_buf_puts(out, mark);
    }
    if (dots_after)
        put_dots(out, after, strlen(after));
    else
        put_clean(out, after, strlen(after));
}

static void defang_url(const char *v, struct vg_buf *out)
{
    static const struct {
        const char *scheme, *as;
    } schemes[] = {{"https://", "hxxps://"}, {"http://", "hxxp://"}};
    const char *host = v, *sep = strstr(v, "://");
    bool known = false;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0] && !known; i++)
        if (!strncasecmp(v, schemes[i].scheme, strlen(schemes[i].scheme))) {
            vg_buf_puts(out, schemes[i].as);
            host = v + strlen(schemes[i].scheme);
            known = true;
        }
    if (!known && sep) {
        put_clean(out, v, (size_t)(sep - v));
        vg_buf_puts(out, "[://]");
        host = sep + 3;
    }
    size_t hl = strcspn(host, "/?#");
    put_dots(out, host, hl);
    put_clean(out, host + hl, strlen(host + hl));
}

void vg_watchmail_defang(const char *type, const char *value, struct vg_buf *out)
{
    const char *v = value ? value : "";
    size_t n = strlen(v);
    if (!type)
        type = "";
    if (!strcmp(type, "ipv4-addr")) {
        put_split(out, v, '.', "[.]", false);
    } else if (!strcmp(type, "domain-name")) {
        put_dots(out, v, n);
    } else if (!strcmp(type, "url")) {
        defang_url(v, out);
    } else if (!strcmp(type, "email-addr")) {
        put_split(out, v, '@', "[@]", true);
    } else {
        put_clean(out, v, n);
    }
}

/* ---- the digest ---- */

static const char *priority_fr(long long p)
{
    return p == 0   ? "exploitée (catalogue KEV)"
           : p == 1 ? "exploitation probable (EPSS >= 0,1)"
                    : "à corriger";
}

static const char *priority_en(long long p)
{
    return p == 0   ? "exploited (KEV catalog)"
           : p == 1 ? "likely exploited (EPSS >= 0.1)"
                    : "to fix";
}

/* One finding's facts after its CVE id: priority, score, product. */
static void finding_facts(struct vg_buf *b, const json_t *f, const char *lang)
{
    long long p = (long long)json_integer_value(json_object_get(f, "priority"));
    put_label(b, lang, "priorité", "priority");
    vg_buf_printf(b, " %lld (", p + 1);
    put_label(b, lang, priority_fr(p), priority_en(p));
    vg_buf_putc(b, ')');
    const json_t *cvss = json_object_get(f, "cvss");
    if (json_is_object(cvss))
        vg_buf_printf(b, ", CVSS %.1f", json_number_value(json_object_get(cvss, "score")));
    vg_buf_puts(b, ", ");
    put_line(b, field(f, "asset"));
}

int vg_watchmail_digest(const json_t *digest, const char *tlp, const char *lang, size_t max,
                        struct vg_buf *subject, struct vg_buf *text, struct vg_buf *html)
{
    const json_t *items = json_object_get(digest, "findings");
    size_t n = json_array_size(items), shown = max && n > max ? max : n;
    const char *name = field(digest, "name"), *since = field(digest, "since");
    vg_buf_printf(subject, "TLP:%s ", tlp);
    put_label(subject, lang, "Veille", "Watch");
    vg_buf_printf(subject, ": %zu ", n);
    put_label(subject, lang, "vulnérabilité(s) nouvelle(s)", "new vulnerability finding(s)");
    vg_buf_puts(subject, ", ");
    put_line(subject, name);

    /* the greeting in each language: before the count, after it, then since or first */
    static const struct {
        const char *head, *mid, *since, *first, *tail;
    } words[2] = {
        {"Bonjour,\n\nLa veille technologique du CERT a relevé ",
         " vulnérabilité(s) nouvelle(s) dans les produits déclarés de votre organisation (",
         "), depuis le bilan du ", ") : premier bilan", ".\nLes plus urgentes d'abord."},
        {"Hello,\n\nThe CERT's technology watch found ",
         " new vulnerability finding(s) in the declared products of your organisation (",
         "), since the digest of ", "): first digest", ".\nThe most urgent first."},
    };
    struct vg_buf greet[2];
    for (int k = 0; k < 2; k++) {
        vg_buf_init(&greet[k], 4096);
        vg_buf_printf(&greet[k], "%s%zu%s", words[k].head, n, words[k].mid);
        put_line(&greet[k], name);
        vg_buf_puts(&greet[k], since[0] ? words[k].since : words[k].first);
        put_line(&greet[k], since);
        vg_buf_puts(&greet[k], words[k].tail);
    }
    intro(text, html, tlp, lang, greet[0].data ? greet[0].data : "",
          greet[1].data ? greet[1].data : "");
    for (int k = 0; k < 2; k++) {
        text->failed |= greet[k].failed;
        vg_buf_cleanup(&greet[k]);
    }

    vg_buf_puts(html, "<ul>\n");
    for (size_t i = 0; i < shown; i++) {
        const json_t *f = json_array_get(items, i);
        struct vg_buf line;
        vg_buf_init(&line, 4096);
        finding_facts(&line, f, lang);
        vg_buf_puts(text, "- ");
        put_line(text, field(f, "cve"));
        vg_buf_printf(text, ": %s\n  ", line.data ? line.data : "");
        put_line_max(text, field(f, "description"), DESC_MAX);
        vg_buf_putc(text, '\n');
        vg_buf_puts(html, "<li><strong>");
        put_html(html, field(f, "cve"));
        vg_buf_puts(html, "</strong>: ");
        put_html(html, line.data ? line.data : "");
        vg_buf_puts(html, "<br>");
        struct vg_buf desc;
        vg_buf_init(&desc, 2 * DESC_MAX);
        put_line_max(&desc, field(f, "description"), DESC_MAX);
        put_html(html, desc.data ? desc.data : "");
        vg_buf_puts(html, "</li>\n");
        html->failed |= line.failed || desc.failed;
        vg_buf_cleanup(&desc);
        vg_buf_cleanup(&line);
    }
    vg_buf_puts(html, "</ul>\n");
    if (shown < n)
        put_more(text, html, lang, n - shown);
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}

/* ---- detection alerts ---- */

int vg_watchmail_alerts(const char *name, const json_t *alerts, size_t more, const char *tlp,
                        const char *lang, struct vg_buf *subject, struct vg_buf *text,
                        struct vg_buf *html)
{
    size_t n = json_array_size(alerts);
    vg_buf_printf(subject, "TLP:%s ", tlp);
    put_label(subject, lang, "Alerte de détection", "Detection alert");
    vg_buf_printf(subject, ": %zu ", n + more);
    put_label(subject, lang, "indicateur(s) vu(s)", "indicator(s) seen");
    vg_buf_puts(subject, ", ");
    put_line(subject, name ? name : "");

    static const char fr[] = "Bonjour,\n\nDes indicateurs de compromission connus du CERT ont "
                             "été vus dans des événements attribués à votre organisation. Les "
                             "valeurs sont désamorcées ([.], hxxp) : ne les visitez pas.";
    static const char en[] = "Hello,\n\nIndicators of compromise known to the CERT were seen in "
                             "events attributed to your organisation. The values are defanged "
                             "([.], hxxp): do not visit them.";
    intro(text, html, tlp, lang, fr, en);
    vg_buf_puts(html, "<table>\n<tr><th>");
    html_label(html, lang, "Indicateur", "Indicator");
    vg_buf_puts(html, "</th><th>Type</th><th>TLP</th><th>");
    html_label(html, lang, "Vu", "Seen");
    vg_buf_puts(html, "</th><th>");
    html_label(html, lang, "Premier", "First");
    vg_buf_puts(html, "</th><th>");
    html_label(html, lang, "Dernier", "Last");
    vg_buf_puts(html, "</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const json_t *a = json_array_get(alerts, i), *ind = json_object_get(a, "indicator");
        struct vg_buf v;
        vg_buf_init(&v, 8192);
        vg_watchmail_defang(field(ind, "type"), field(ind, "value"), &v);
        const char *val = v.data ? v.data : "";
        long long count = (long long)json_integer_value(json_object_get(a, "count"));
        vg_buf_printf(text, "- %s (", val);
        put_line(text, field(ind, "type"));
        vg_buf_puts(text, ", TLP:");
        put_line(text, field(ind, "tlp"));
        vg_buf_printf(text, "): %lld ", count);
        put_label(text, lang, "fois", "time(s)");
        vg_buf_puts(text, ", ");
        put_label(text, lang, "du", "from");
        vg_buf_putc(text, ' ');
        put_line(text, field(a, "first_seen"));
        vg_buf_putc(text, ' ');
        put_label(text, lang, "au", "to");
        vg_buf_putc(text, ' ');
        put_line(text, field(a, "last_seen"));
        vg_buf_putc(text, '\n');
        vg_buf_puts(html, "<tr><td><code>");
        put_html(html, val);
        vg_buf_puts(html, "</code></td><td>");
        put_html(html, field(ind, "type"));
        vg_buf_puts(html, "</td><td>TLP:");
        put_html(html, field(ind, "tlp"));
        vg_buf_printf(html, "</td><td>%lld</td><td>", count);
        put_html(html, field(a, "first_seen"));
        vg_buf_puts(html, "</td><td>");
        put_html(html, field(a, "last_seen"));
        vg_buf_puts(html, "</td></tr>\n");
        text->failed |= v.failed;
        vg_buf_cleanup(&v);
    }
    vg_buf_puts(html, "</table>\n");
    if (more)
        put_more(text, html, lang, more);
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}

/* ---- advisories ---- */

/* The value of a "cves" item: an id, or an object {"id", ...}. */
static const char *cve_id(const json_t *c)
{
    return json_is_string(c) ? json_string_value(c) : field(c, "id");
}

/* One affected system as "Vendor Product versions (fixed: X)". */
static void system_line(struct vg_buf *b, const json_t *s, const char *lang)
{
    put_line(b, field(s, "vendor"));
    vg_buf_putc(b, ' ');
    put_line(b, field(s, "product"));
    vg_buf_putc(b, ' ');
    put_line(b, field(s, "versions"));
    if (field(s, "fixed")[0]) {
        vg_buf_puts(b, " (");
        put_label(b, lang, "corrigé en", "fixed in");
        vg_buf_putc(b, ' ');
        put_line(b, field(s, "fixed"));
        vg_buf_putc(b, ')');
    }
}

/* A list's heading: "Label:" then after in the text, <h2>Label</h2> and <ul> in the HTML. */
static void section(struct vg_buf *text, struct vg_buf *html, const char *lang, const char *fr,
                    const char *en, const char *after)
{
    put_label(text, lang, fr, en);
    vg_buf_puts(text, after);
    vg_buf_puts(html, "<h2>");
    html_label(html, lang, fr, en);
    vg_buf_puts(html, "</h2>\n<ul>\n");
}

int vg_watchmail_advisory(const json_t *adv, const json_t *products, const char *link,
                          const char *lang, struct vg_buf *subject, struct vg_buf *text,
                          struct vg_buf *html)
{
    const char *tlp = field(adv, "tlp"), *ref = field(adv, "ref"), *title = field(adv, "title");
    vg_buf_printf(subject, "TLP:%s ", tlp);
    put_line(subject, ref);
    vg_buf_puts(subject, ": ");
    put_line(subject, title);

    static const char fr[] = "Bonjour,\n\nLe CERT publie un avis qui concerne des produits "
                             "déclarés par votre organisation.";
    static const char en[] = "Hello,\n\nThe CERT published an advisory about products your "
                             "organisation declared.";
    intro(text, html, tlp, lang, fr, en);

    put_label(text, lang, "Référence", "Reference");
    vg_buf_puts(text, ": ");
    put_line(text, ref);
    vg_buf_putc(text, '\n');
    put_label(text, lang, "Titre", "Title");
    vg_buf_puts(text, ": ");
    put_line(text, title);
    vg_buf_putc(text, '\n');
    vg_buf_puts(html, "<h1>");
    put_html(html, ref);
    vg_buf_puts(html, " &mdash; ");
    put_html(html, title);
    vg_buf_puts(html, "</h1>\n");

    size_t i;
    const json_t *x;
    const json_t *risks = json_object_get(adv, "risks");
    if (json_array_size(risks)) {
        section(text, html, lang, "Risques", "Risks", ":");
        json_array_foreach(risks, i, x) {
            vg_buf_puts(text, i ? ", " : " ");
            put_line(text, json_is_string(x) ? json_string_value(x) : "");
            vg_buf_puts(html, "<li>");
            put_html(html, json_is_string(x) ? json_string_value(x) : "");
            vg_buf_puts(html, "</li>\n");
        }
        vg_buf_putc(text, '\n');
        vg_buf_puts(html, "</ul>\n");
    }
    section(text, html, lang, "Systèmes affectés", "Affected systems", ":\n");
    json_array_foreach(json_object_get(adv, "affected_systems"), i, x) {
        struct vg_buf line;
        vg_buf_init(&line, 4096);
        system_line(&line, x, lang);
        put_both(text, html, &line, "- ", "\n", "<li>", "</li>\n");
    }
    vg_buf_puts(html, "</ul>\n");
    if (json_array_size(products)) {
        section(text, html, lang, "Vos produits concernés", "Your products concerned", ":\n");
        json_array_foreach(products, i, x) {
            const char *p = json_is_string(x) ? json_string_value(x) : "";
            vg_buf_puts(text, "- ");
            put_line(text, p);
            vg_buf_putc(text, '\n');
            vg_buf_puts(html, "<li><code>");
            put_html(html, p);
            vg_buf_puts(html, "</code></li>\n");
        }
        vg_buf_puts(html, "</ul>\n");
    }
    const json_t *cves = json_object_get(adv, "cves");
    if (json_array_size(cves)) {
        vg_buf_puts(text, "CVE:");
        vg_buf_puts(html, "<p>CVE:");
        json_array_foreach(cves, i, x) {
            vg_buf_puts(text, i ? ", " : " ");
            put_line(text, cve_id(x));
            vg_buf_puts(html, i ? ", " : " ");
            put_html(html, cve_id(x));
        }
        vg_buf_putc(text, '\n');
        vg_buf_puts(html, "</p>\n");
    }
    if (link && link[0]) {
        put_label(text, lang, "L'avis en ligne", "The advisory online");
        vg_buf_puts(text, ": ");
        put_line(text, link);
        vg_buf_putc(text, '\n');
        vg_buf_puts(html, "<p><a href=\"");
        put_html(html, link);
        vg_buf_puts(html, "\">");
        html_label(html, lang, "L'avis en ligne", "The advisory online");
        vg_buf_puts(html, "</a></p>\n");
    }
    vg_buf_puts(html, "</body></html>\n");
    return done(subject, text, html);
}
