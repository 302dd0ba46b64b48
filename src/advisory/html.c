/* The HTML pages of the publications (advisory/render.h): one page per advisory and the paged
 * list. Plain HTML5 that is also well-formed XML (xmllint checks it in the tests): landmarks,
 * headings in order, tables with scoped headers, the TLP as a coloured badge with its text,
 * dates as <time>, a short inline stylesheet that prints well, no script. Every text of an
 * advisory goes through vg_render_text (escaped, characters XML refuses dropped); Markdown
 * through vg_md_html; another CERT's HTML (affected_content) is shown as text. */
#include "advisory/render.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "advisory/render_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/mem.h"

/* The labels of the pages, in French and English. */
struct labels {
    const char *lang;
    const char *ref, *kind, *tlp, *first, *last, *closed, *running, *source, *unpublished;
    const char *draft, *risks, *systems, *vendor, *product, *versions, *fixed, *cpe, *scada;
    const char *upstream_systems, *summary, *solution, *documentation, *cves, *exploited;
    const char *vendor_adv, *links, *revisions, *version, *date, *description, *no_revision;
    const char *none, *all, *by_kind, *by_year, *prev, *next, *page, *title, *last_col;
    const char *filters, *pages, *empty, *site_nav, *published_at, *too_long, *colon;
    const char *months[12];
};

static const struct labels fr = {
    "fr",
    "Référence",
    "Type",
    "TLP",
    "Date de la première version",
    "Date de la dernière version",
    "Date de fin d'alerte",
    "Alerte en cours",
    "Source",
    "Non publié",
    "Brouillon : ce document n'est pas publié.",
    "Risque(s)",
    "Systèmes affectés",
    "Éditeur",
    "Produit",
    "Versions affectées",
    "Version corrigée",
    "CPE",
    "industriel",
    "Systèmes affectés selon la source",
    "Résumé",
    "Solution(s)",
    "Documentation",
    "Références CVE",
    "exploitée (catalogue KEV de la CISA)",
    "Bulletins de sécurité des éditeurs",
    "Liens",
    "Gestion détaillée du document",
    "Version",
    "Date",
    "Description",
    "Aucune version publiée.",
    "Aucun.",
    "Tous",
    "Par type",
    "Par année",
    "Page précédente",
    "Page suivante",
    "Page",
    "Titre",
    "Dernière version",
    "Filtres",
    "Pages",
    "Aucune publication.",
    "Navigation du site",
    "publié le",
    "Texte trop long pour être mis en forme :",
    " : ",
    {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"},
};

static const struct labels en = {
    "en",
    "Reference",
    "Type",
    "TLP",
    "First version",
    "Last version",
    "End of alert",
    "Alert ongoing",
    "Source",
    "Not published",
    "Draft: this document is not published.",
    "Risk(s)",
    "Affected systems",
    "Vendor",
    "Product",
    "Affected versions",
    "Fixed version",
    "CPE",
    "industrial",
    "Affected systems according to the source",
    "Summary",
    "Solution(s)",
    "Documentation",
    "CVE references",
    "exploited (CISA KEV catalogue)",
    "Vendor security advisories",
    "Links",
    "Revision history",
    "Version",
    "Date",
    "Description",
    "No published version yet.",
    "None.",
    "All",
    "By type",
    "By year",
    "Previous page",
    "Next page",
    "Page",
    "Title",
    "Last version",
    "Filters",
    "Pages",
    "No publication.",
    "Site navigation",
    "published on",
    "Text too long to be formatted:",
    ": ",
    {"January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"},
};

static const struct labels *labels_for(const char *lang)
{
    return lang && strncasecmp(lang, "en", 2) == 0 ? &en : &fr;
}

/* Print-friendly, no external asset. The TLP badges use FIRST's TLP 2.0 colours (the label in
 * its colour on black). No '<' or '&' inside, so the page stays well-formed XML. */
static const char style[] =
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:0 auto;"
    "padding:0 1rem;color:#111;background:#fff}"
    "a{color:#0645ad}"
    "table{border-collapse:collapse;margin:1rem 0}"
    "th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "dl.meta{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}"
    "dl.meta dt{font-weight:bold}dl.meta dd{margin:0}"
    "pre,code{font-family:ui-monospace,monospace;overflow-wrap:anywhere}"
    "pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}"
    ".upstream{white-space:pre-line}"
    ".tlp{display:inline-block;padding:0 .4rem;font-weight:bold;background:#000;"
    "print-color-adjust:exact;-webkit-print-color-adjust:exact}"
    ".tlp-red{color:#ff2b2b}.tlp-amber,.tlp-amber-strict{color:#ffc000}"
    ".tlp-green{color:#33ff00}.tlp-clear{color:#fff}"
    ".draft{border:2px solid #c00;padding:.5rem;font-weight:bold}"
    "nav ul{list-style:none;padding:0}nav li{display:inline;margin-right:1rem}"
    "@media print{header nav,nav.pages,nav.filters{display:none}"
    "a[href^=\"http\"]::after{content:\" (\" attr(href) \")\";font-size:90%}"
    "body{max-width:none}}";

static void put_str(struct vg_buf *b, const char *s)
{
    vg_render_str(b, s);
}

/* The head of a page, the opening of its body and its header (the site's name). */
static void page_start(struct vg_buf *b, const struct labels *l, const char *ref, const char *title,
                       const struct vg_adv_site *site, const char *prefix)
{
    vg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
    vg_buf_puts(b, l->lang);
    vg_buf_puts(b, "\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                   "<title>");
    if (ref) {
        put_str(b, ref);
        vg_buf_puts(b, l->colon);
    }
    put_str(b, title);
    if (site->name && *site->name) {
        vg_buf_puts(b, " – ");
        put_str(b, site->name);
    }
    vg_buf_puts(b, "</title>\n<style>");
    vg_buf_puts(b, style);
    vg_buf_puts(b, "</style>\n</head>\n<body>\n<header>\n<p><a href=\"");
    put_str(b, site->base_url);
    put_str(b, prefix);
    vg_buf_puts(b, "/\">");
    put_str(b, site->name && *site->name ? site->name : "vigie");
    vg_buf_puts(b, "</a></p>\n<nav aria-label=\"");
    vg_buf_puts(b, l->site_nav);
    vg_buf_puts(b, "\"><ul><li><a href=\"");
    put_str(b, site->base_url);
    vg_buf_puts(b, "/advisories/\">");
    vg_buf_puts(b, vg_adv_kind_label(VG_ADV_AVIS, l->lang));
    vg_buf_puts(b, l == &en ? " and alerts" : " et alertes");
    vg_buf_puts(b, "</a></li><li><a href=\"");
    put_str(b, site->base_url);
    vg_buf_puts(b, "/guides/\">");
    vg_buf_puts(b, "Guides");
    vg_buf_puts(b, "</a></li></ul></nav>\n</header>\n<main>\n");
}

static void page_end(struct vg_buf *b, const struct vg_adv_site *site)
{
    vg_buf_puts(b, "</main>\n<footer>\n<p>");
    put_str(b, site->name && *site->name ? site->name : "vigie");
    if (site->contact && *site->contact) {
        vg_buf_puts(b, " – ");
        put_str(b, site->contact);
    }
    vg_buf_puts(b, "</p>\n</footer>\n</body>\n</html>\n");
}

/* A date as <time datetime="..."> with its day in words ("2 mars 2026"); a text that is not a
 * date is shown as it is, escaped. */
static void put_date(struct vg_buf *b, const struct labels *l, const char *s)
{
    time_t t;
    struct tm tm;
    if (!vg_render_time(s, &t) || !gmtime_r(&t, &tm)) {
        put_str(b, s);
        return;
    }
    char iso[VG_TIME_LEN];
    vg_time_fmt(t, iso);
    vg_buf_printf(b, "<time datetime=\"%s\">%d %s %d</time>", iso, tm.tm_mday, l->months[tm.tm_mon],
                  tm.tm_year + 1900);
}

static const char *tlp_class(enum vg_tlp t)
{
    switch (t) {
    case VG_TLP_CLEAR: return "tlp-clear";
    case VG_TLP_GREEN: return "tlp-green";
    case VG_TLP_AMBER: return "tlp-amber";
    case VG_TLP_AMBER_STRICT: return "tlp-amber-strict";
    default: return "tlp-red";
    }
}

static void put_tlp(struct vg_buf *b, enum vg_tlp t)
{
    const char *name = vg_tlp_name(t);
    vg_buf_printf(b, "<span class=\"tlp %s\">TLP:%s</span>", tlp_class(t), name ? name : "RED");
}

/* A link to url when it is an http(s) URL; else its text and the URL as text. */
static void put_link(struct vg_buf *b, const char *url, const char *text)
{
    const char *shown = text && *text ? text : url;
    if (vg_render_url_http(url)) {
        vg_buf_puts(b, "<a href=\"");
        put_str(b, url);
        vg_buf_puts(b, "\">");
        put_str(b, shown);
        vg_buf_puts(b, "</a>");
        return;
    }
    put_str(b, shown);
    if (url && shown != url) {
        vg_buf_puts(b, " (");
        put_str(b, url);
        vg_buf_puts(b, ")");
    }
}

/* Markdown under a section's h2: its headings start at h3. Over VG_MAX_MARKDOWN the text is
 * shown as it is, escaped, rather than not at all. */
static int put_markdown(struct vg_buf *b, const struct labels *l, const char *md)
{
    size_t n = md ? strlen(md) : 0;
    if (n > VG_MAX_MARKDOWN) {
        vg_buf_puts(b, "<p>");
        vg_buf_puts(b, l->too_long);
        vg_buf_puts(b, "</p>\n<pre>");
        vg_render_text(b, md, n);
        vg_buf_puts(b, "</pre>\n");
        return 0;
    }
    int rc = vg_md_html_shift(md, n, 2, b);
    return rc == VG_ETOOBIG ? 0 : rc; /* the buffer is full: reported at the end */
}

/* Another CERT's HTML fragment as text: tags dropped (those that break a line become line
 * breaks), the common entities read, then everything escaped. Never rendered as HTML. */
static void put_upstream_html(struct vg_buf *b, const char *s)
{
    static const struct {
        const char *ent, *text;
    } ents[] = {{"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},
                {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}};
    vg_buf_puts(b, "<div class=\"upstream\">");
    const char *p = s;
    while (*p) {
        if (*p == '<') {
            const char *end = strchr(p, '>');
            if (!end)
                break; /* an unclosed tag: the rest is not text */
            if (strncasecmp(p, "<li", 3) == 0 || strncasecmp(p, "<br", 3) == 0 ||
                strncasecmp(p, "</p", 3) == 0 || strncasecmp(p, "</div", 5) == 0 ||
                strncasecmp(p, "</tr", 4) == 0)
                vg_buf_putc(b, '\n');
            p = end + 1;
            continue;
        }
        if (*p == '&') {
            size_t i = 0;
            for (; i < sizeof ents / sizeof ents[0]; i++)
                if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
                    break;
            if (i < sizeof ents / sizeof ents[0]) {
                vg_render_str(b, ents[i].text);
                p += strlen(ents[i].ent);
                continue;
            }
        }
        size_t run = strcspn(p, "<&");
        if (run == 0)
            run = 1;
        vg_render_text(b, p, run);
        p += run;
    }
    vg_buf_puts(b, "</div>\n");
}

static void section_start(struct vg_buf *b, const char *id, const char *heading)
{
    vg_buf_printf(b, "<section aria-labelledby=\"%s\">\n<h2 id=\"%s\">", id, id);
    vg_buf_puts(b, heading);
    vg_buf_puts(b, "</h2>\n");
}

static void put_header(struct vg_buf *b, const struct vg_advisory *a, const struct labels *l)
{
    vg_buf_puts(b, "<h1>");
    put_str(b, a->ref);
    vg_buf_puts(b, l->colon);
    put_str(b, a->title);
    vg_buf_puts(b, "</h1>\n");
    if (a->status != VG_ADV_PUBLISHED) {
        vg_buf_puts(b, "<p class=\"draft\">");
        vg_buf_puts(b, l->draft);
        vg_buf_puts(b, "</p>\n");
    }
    vg_buf_puts(b, "<dl class=\"meta\">\n<dt>");
    vg_buf_puts(b, l->ref);
    vg_buf_puts(b, "</dt><dd>");
    put_str(b, a->ref);
    vg_buf_puts(b, "</dd>\n<dt>");
    vg_buf_puts(b, l->kind);
    vg_buf_puts(b, "</dt><dd>");
    put_str(b, vg_adv_kind_label(a->kind, l->lang));
    vg_buf_puts(b, "</dd>\n<dt>");
    vg_buf_puts(b, l->tlp);
    vg_buf_puts(b, "</dt><dd>");
    put_tlp(b, a->tlp);
    vg_buf_puts(b, "</dd>\n<dt>");
    vg_buf_puts(b, l->first);
    vg_buf_puts(b, "</dt><dd>");
    const char *first = vg_adv_first_date(a), *last = vg_adv_last_date(a);
    if (first)
        put_date(b, l, first);
    else
        vg_buf_puts(b, l->unpublished);
    vg_buf_puts(b, "</dd>\n<dt>");
    vg_buf_puts(b, l->last);
    vg_buf_puts(b, "</dt><dd>");
    if (last)
        put_date(b, l, last);
    else
        vg_buf_puts(b, l->unpublished);
    vg_buf_puts(b, "</dd>\n");
    if (a->kind == VG_ADV_ALERTE) {
        vg_buf_puts(b, "<dt>");
        vg_buf_puts(b, l->closed);
        vg_buf_puts(b, "</dt><dd>");
        if (a->closed_at)
            put_date(b, l, a->closed_at);
        else
            vg_buf_puts(b, l->running);
        vg_buf_puts(b, "</dd>\n");
    }
    if (a->source || a->source_url) {
        vg_buf_puts(b, "<dt>");
        vg_buf_puts(b, l->source);
        vg_buf_puts(b, "</dt><dd>");
        put_link(b, a->source_url, a->source);
        vg_buf_puts(b, "</dd>\n");
    }
    vg_buf_puts(b, "</dl>\n");
}

static void put_systems(struct vg_buf *b, const struct vg_advisory *a, const struct labels *l)
{
    section_start(b, "systemes", l->systems);
    if (a->nsystems) {
        vg_buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">");
        vg_buf_puts(b, l->vendor);
        vg_buf_puts(b, "</th><th scope=\"col\">");
        vg_buf_puts(b, l->product);
        vg_buf_puts(b, "</th><th scope=\"col\">");
        vg_buf_puts(b, l->versions);
        vg_buf_puts(b, "</th><th scope=\"col\">");
        vg_buf_puts(b, l->fixed);
        vg_buf_puts(b, "</th><th scope=\"col\">");
        vg_buf_puts(b, l->cpe);
        vg_buf_puts(b, "</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < a->nsystems; i++) {
            const struct vg_adv_system *s = &a->systems[i];
            vg_buf_puts(b, "<tr><td>");
            put_str(b, s->vendor);
            vg_buf_puts(b, "</td><th scope=\"row\">");
            put_str(b, s->product);
            if (s->scada) {
                vg_buf_puts(b, " (");
                vg_buf_puts(b, l->scada);
                vg_buf_puts(b, ")");
            }
            vg_buf_puts(b, "</th><td>");
            put_str(b, s->versions);
            vg_buf_puts(b, "</td><td>");
            put_str(b, s->fixed);
            vg_buf_puts(b, "</td><td>");
            if (s->cpe) {
                vg_buf_puts(b, "<code>");
                put_str(b, s->cpe);
                vg_buf_puts(b, "</code>");
            }
            vg_buf_puts(b, "</td></tr>\n");
        }
        vg_buf_puts(b, "</tbody>\n</table>\n");
    }
    if (a->affected_content && *a->affected_content) {
        vg_buf_puts(b, "<h3>");
        vg_buf_puts(b, l->upstream_systems);
        vg_buf_puts(b, "</h3>\n");
        put_upstream_html(b, a->affected_content);
    }
    if (!a->nsystems && !(a->affected_content && *a->affected_content)) {
        vg_buf_puts(b, "<p>");
        vg_buf_puts(b, l->none);
        vg_buf_puts(b, "</p>\n");
    }
    vg_buf_puts(b, "</section>\n");
}

/* A CVE id fit for a URL: "CVE-", digits, '-', digits. */
static bool cve_id(const char *id)
{
    if (!id || strncmp(id, "CVE-", 4) != 0)
        return false;
    size_t digits = strspn(id + 4, "0123456789");
    if (digits != 4 || id[8] != '-')
        return false;
    size_t tail = strspn(id + 9, "0123456789");
    return tail >= 4 && id[9 + tail] == '\0';
}

static void put_documentation(struct vg_buf *b, const struct vg_advisory *a, const struct labels *l)
{
    section_start(b, "documentation", l->documentation);
    size_t nvendor = 0;
    for (size_t i = 0; i < a->nlinks; i++)
        nvendor += a->links[i].vendor;
    if (a->ncves) {
        vg_buf_puts(b, "<h3>");
        vg_buf_puts(b, l->cves);
        vg_buf_puts(b, "</h3>\n<ul>\n");
        for (size_t i = 0; i < a->ncves; i++) {
            const struct vg_adv_cve *c = &a->cves[i];
            vg_buf_puts(b, "<li>");
            if (cve_id(c->id)) {
                vg_buf_puts(b, "<a href=\"https://www.cve.org/CVERecord?id=");
                put_str(b, c->id);
                vg_buf_puts(b, "\">");
            }
            put_str(b, c->id);
            if (cve_id(c->id))
                vg_buf_puts(b, "</a>");
            if (c->cvss >= 0 && c->cvss <= 10) {
                vg_buf_printf(b, " – CVSS %.1f", c->cvss);
                if (c->cvss_vector) {
                    vg_buf_puts(b, " <code>");
                    put_str(b, c->cvss_vector);
                    vg_buf_puts(b, "</code>");
                }
            }
            if (c->kev) {
                vg_buf_puts(b, " – ");
                vg_buf_puts(b, l->exploited);
            }
            vg_buf_puts(b, "</li>\n");
        }
        vg_buf_puts(b, "</ul>\n");
    }
    for (int vendor = 1; vendor >= 0; vendor--) {
        size_t count = vendor ? nvendor : a->nlinks - nvendor;
        if (!count)
            continue;
        vg_buf_puts(b, "<h3>");
        vg_buf_puts(b, vendor ? l->vendor_adv : l->links);
        vg_buf_puts(b, "</h3>\n<ul>\n");
        for (size_t i = 0; i < a->nlinks; i++) {
            const struct vg_adv_link *k = &a->links[i];
            if (k->vendor != (vendor == 1))
                continue;
            vg_buf_puts(b, "<li>");
            put_link(b, k->url, k->title);
            if (k->published_at) {
                vg_buf_puts(b, " (");
                vg_buf_puts(b, l->published_at);
                vg_buf_putc(b, ' ');
                put_date(b, l, k->published_at);
                vg_buf_puts(b, ")");
            }
            vg_buf_puts(b, "</li>\n");
        }
        vg_buf_puts(b, "</ul>\n");
    }
    if (!a->ncves && !a->nlinks) {
        vg_buf_puts(b, "<p>");
        vg_buf_puts(b, l->none);
        vg_buf_puts(b, "</p>\n");
    }
    vg_buf_puts(b, "</section>\n");
}

static void put_revisions(struct vg_buf *b, const struct vg_advisory *a, const struct labels *l)
{
    section_start(b, "revisions", l->revisions);
    if (!a->nrevisions) {
        vg_buf_puts(b, "<p>");
        vg_buf_puts(b, l->no_revision);
        vg_buf_puts(b, "</p>\n</section>\n");
        return;
    }
    vg_buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">");
    vg_buf_puts(b, l->version);
    vg_buf_puts(b, "</th><th scope=\"col\">");
    vg_buf_puts(b, l->date);
    vg_buf_puts(b, "</th><th scope=\"col\">");
    vg_buf_puts(b, l->description);
    vg_buf_puts(b, "</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < a->nrevisions; i++) {
        const struct vg_adv_revision *r = &a->revisions[i];
        vg_buf_printf(b, "<tr><th scope=\"row\">%d</th><td>", r->version);
        put_date(b, l, r->date);
        vg_buf_puts(b, "</td><td>");
        put_str(b, r->description);
        vg_buf_puts(b, "</td></tr>\n");
    }
    vg_buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

int vg_adv_html_page(const struct vg_advisory *a, const struct vg_adv_site *site,
                     const char *prefix, struct vg_buf *out)
{
    const struct labels *l = labels_for(a->lang ? a->lang : site->lang);
    unsigned long failures = vg_mem_thread_failures();
    if (!prefix)
        prefix = "";
    page_start(out, l, a->ref ? a->ref : "", a->title, site, prefix);
    vg_buf_puts(out, "<article>\n");
    put_header(out, a, l);
    section_start(out, "risques", l->risks);
    if (a->nrisks) {
        vg_buf_puts(out, "<ul>\n");
        for (size_t i = 0; i < a->nrisks; i++) {
            vg_buf_puts(out, "<li>");
            put_str(out, vg_adv_risk_text(&a->risks[i], l->lang));
            vg_buf_puts(out, "</li>\n");
        }
        vg_buf_puts(out, "</ul>\n");
    } else {
        vg_buf_puts(out, "<p>");
        vg_buf_puts(out, l->none);
        vg_buf_puts(out, "</p>\n");
    }
    vg_buf_puts(out, "</section>\n");
    put_systems(out, a, l);
    section_start(out, "resume", l->summary);
    int rc = put_markdown(out, l, a->summary);
    vg_buf_puts(out, "</section>\n");
    section_start(out, "solution", l->solution);
    if (rc == 0)
        rc = put_markdown(out, l, a->solution);
    vg_buf_puts(out, "</section>\n");
    put_documentation(out, a, l);
    put_revisions(out, a, l);
    vg_buf_puts(out, "</article>\n");
    page_end(out, site);
    return rc ? rc : vg_render_rc(out, failures);
}

int vg_adv_list_path(const char *prefix, int kind, int year, int page, char *out, size_t cap)
{
    const char *name = kind >= 0 ? vg_adv_kind_name((enum vg_adv_kind)kind) : NULL;
    int n = snprintf(out, cap, "%s/", prefix ? prefix : "");
    if (n >= 0 && name)
        n += snprintf(out + n, (size_t)n < cap ? cap - (size_t)n : 0, "%s/", name);
    if (n >= 0 && year > 0)
        n += snprintf(out + n, (size_t)n < cap ? cap - (size_t)n : 0, "%d/", year);
    if (n >= 0 && page > 1)
        n += snprintf(out + n, (size_t)n < cap ? cap - (size_t)n : 0, "page/%d/", page);
    return n < 0 || (size_t)n >= cap ? VG_ETOOBIG : 0;
}

/* The URL of the list with these filters (vg_adv_list_path under the site's base URL). */
static void put_list_url(struct vg_buf *b, const struct vg_adv_site *site,
                         const struct vg_adv_list_view *v, int kind, int year, int page)
{
    char path[256];
    put_str(b, site->base_url);
    if (vg_adv_list_path(v->prefix, kind, year, page, path, sizeof path) == 0)
        put_str(b, path);
}

/* One filter link; the current one is marked (aria-current) rather than linked. */
static void put_filter(struct vg_buf *b, const struct vg_adv_site *site,
                       const struct vg_adv_list_view *v, int kind, int year, bool current,
                       const char *text)
{
    vg_buf_puts(b, "<li>");
    if (current) {
        vg_buf_puts(b, "<strong aria-current=\"true\">");
        put_str(b, text);
        vg_buf_puts(b, "</strong>");
    } else {
        vg_buf_puts(b, "<a href=\"");
        put_list_url(b, site, v, kind, year, 1);
        vg_buf_puts(b, "\">");
        put_str(b, text);
        vg_buf_puts(b, "</a>");
    }
    vg_buf_puts(b, "</li>");
}

static bool is_guides(const char *prefix)
{
    size_t n = prefix ? strlen(prefix) : 0;
    return n >= 6 && strcmp(prefix + n - 6, "guides") == 0;
}

int vg_adv_html_list(const struct vg_advisory *const *list, size_t n,
                     const struct vg_adv_list_view *v, const struct vg_adv_site *site,
                     struct vg_buf *out)
{
    const struct labels *l = labels_for(site->lang);
    unsigned long failures = vg_mem_thread_failures();
    struct vg_adv_list_view view = *v;
    if (!view.prefix)
        view.prefix = "";
    if (!view.title)
        view.title = "";
    page_start(out, l, NULL, view.title, site, view.prefix);
    vg_buf_puts(out, "<h1>");
    put_str(out, view.title);
    if (view.page > 1)
        vg_buf_printf(out, "%s%s %d", l->colon, l->page, view.page);
    vg_buf_puts(out, "</h1>\n<nav class=\"filters\" aria-label=\"");
    vg_buf_puts(out, l->filters);
    vg_buf_puts(out, "\">\n");
    if (!is_guides(view.prefix)) {
        vg_buf_puts(out, "<h2>");
        vg_buf_puts(out, l->by_kind);
        vg_buf_puts(out, "</h2>\n<ul>");
        put_filter(out, site, &view, -1, view.year, view.kind < 0, l->all);
        for (int k = 0; k < VG_ADV_KIND_COUNT; k++)
            if (k != VG_ADV_GUIDE)
                put_filter(out, site, &view, k, view.year, view.kind == k,
                           vg_adv_kind_label((enum vg_adv_kind)k, l->lang));
        vg_buf_puts(out, "</ul>\n");
    }
    vg_buf_puts(out, "<h2>");
    vg_buf_puts(out, l->by_year);
    vg_buf_puts(out, "</h2>\n<ul>");
    put_filter(out, site, &view, view.kind, 0, view.year <= 0, l->all);
    for (size_t i = 0; i < view.nyears; i++) {
        char year[16];
        snprintf(year, sizeof year, "%d", view.years[i]);
        put_filter(out, site, &view, view.kind, view.years[i], view.year == view.years[i], year);
    }
    vg_buf_puts(out, "</ul>\n</nav>\n");
    if (!n) {
        vg_buf_puts(out, "<p>");
        vg_buf_puts(out, l->empty);
        vg_buf_puts(out, "</p>\n");
    } else {
        vg_buf_puts(out, "<table>\n<thead><tr><th scope=\"col\">");
        vg_buf_puts(out, l->ref);
        vg_buf_puts(out, "</th><th scope=\"col\">");
        vg_buf_puts(out, l->title);
        vg_buf_puts(out, "</th><th scope=\"col\">");
        vg_buf_puts(out, l->kind);
        vg_buf_puts(out, "</th><th scope=\"col\">");
        vg_buf_puts(out, l->last_col);
        vg_buf_puts(out, "</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < n; i++) {
            const struct vg_advisory *a = list[i];
            vg_buf_puts(out, "<tr><th scope=\"row\"><a href=\"");
            put_str(out, site->base_url);
            put_str(out, view.prefix);
            vg_buf_putc(out, '/');
            put_str(out, a->ref);
            vg_buf_puts(out, "\">");
            put_str(out, a->ref);
            vg_buf_puts(out, "</a></th><td>");
            put_str(out, a->title);
            vg_buf_puts(out, "</td><td>");
            put_str(out, vg_adv_kind_label(a->kind, l->lang));
            vg_buf_puts(out, "</td><td>");
            const char *last = vg_adv_last_date(a);
            if (last)
                put_date(out, l, last);
            else
                vg_buf_puts(out, l->unpublished);
            vg_buf_puts(out, "</td></tr>\n");
        }
        vg_buf_puts(out, "</tbody>\n</table>\n");
    }
    if (view.page > 1 || view.has_next) {
        vg_buf_puts(out, "<nav class=\"pages\" aria-label=\"");
        vg_buf_puts(out, l->pages);
        vg_buf_puts(out, "\">\n<ul>");
        if (view.page > 1) {
            vg_buf_puts(out, "<li><a rel=\"prev\" href=\"");
            put_list_url(out, site, &view, view.kind, view.year, view.page - 1);
            vg_buf_puts(out, "\">");
            vg_buf_puts(out, l->prev);
            vg_buf_puts(out, "</a></li>");
        }
        if (view.has_next) {
            vg_buf_puts(out, "<li><a rel=\"next\" href=\"");
            put_list_url(out, site, &view, view.kind, view.year,
                         (view.page > 1 ? view.page : 1) + 1);
            vg_buf_puts(out, "\">");
            vg_buf_puts(out, l->next);
            vg_buf_puts(out, "</a></li>");
        }
        vg_buf_puts(out, "</ul>\n</nav>\n");
    }
    page_end(out, site);
    return vg_render_rc(out, failures);
}
