/* The pages' frame and shared pieces (web/page.h). */
#include "web/page.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app/auth.h"
#include "http/response.h"
#include "http/server.h"
#include "util/json.h"
#include "web/web.h"

/* Nothing but the server's own stylesheet and script; forms post only here; never framed.
 * Inline SVG charts are markup, not images: they need nothing more. */
#define PAGE_CSP                                                                                   \
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "                    \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct nav {
    const char *id, *href, *label;
};

static const struct nav public_nav[] = {
    {"home", "/", "Home"},
    {"report", "/report", "Report an incident"},
    {"advisories", "/advisories/", "Alerts and advisories"},
    {"guides", "/guides/", "Guides"},
    {"console", "/console/", "Analyst console"},
    {NULL, NULL, NULL},
};

static const struct nav console_nav[] = {
    {"dashboard", "/console/", "Dashboard"},
    {"incidents", "/console/incidents", "Incidents"},
    {"orgs", "/console/orgs", "Organisations"},
    {"indicators", "/console/indicators", "Indicators"},
    {"sightings", "/console/sightings", "Sightings"},
    {"alerts", "/console/alerts", "Alerts"},
    {"advisories", "/console/advisories", "Advisories"},
    {NULL, NULL, NULL},
};

void vg_page_begin(struct vg_html *h, const struct vg_req *req, const struct vg_page_frame *p)
{
    vg_html_trusted(h, "<!DOCTYPE html>\n", 16);
    vg_html_open(h, "html", "lang", "en", NULL);
    vg_html_open(h, "head", NULL);
    vg_html_void(h, "meta", "charset", "utf-8", NULL);
    vg_html_void(h, "meta", "name", "viewport", "content", "width=device-width, initial-scale=1",
                 NULL);
    vg_html_open(h, "title", NULL);
    vg_html_text(h, p->title);
    vg_html_text(h, p->console ? " - vigie console" : " - vigie");
    vg_html_close(h, "title");
    vg_html_void(h, "link", "rel", "stylesheet", "href", "/static/vigie.css", NULL);
    vg_html_open(h, "script", "src", "/static/vigie.js", "defer", "", NULL);
    vg_html_close(h, "script");
    vg_html_close(h, "head");
    vg_html_open(h, "body", "class", p->console ? "console" : "portal", NULL);
    vg_html_elem(h, "a", "Skip to content", "class", "skip", "href", "#main", NULL);
    vg_html_open(h, "header", NULL);
    vg_html_elem(h, "a", p->console ? "vigie console" : "vigie CERT", "class", "brand", "href",
                 p->console ? "/console/" : "/", NULL);
    vg_html_open(h, "nav", "aria-label", p->console ? "Console" : "Site", NULL);
    vg_html_open(h, "ul", NULL);
    for (const struct nav *n = p->console ? console_nav : public_nav; n->id; n++) {
        bool cur = p->section && !strcmp(p->section, n->id);
        vg_html_open(h, "li", NULL);
        vg_html_elem(h, "a", n->label, "href", n->href, "aria-current", cur ? "page" : NULL, NULL);
        vg_html_close(h, "li");
    }
    vg_html_close(h, "ul");
    vg_html_close(h, "nav");
    if (p->console && req && req->actor.name[0]) {
        vg_html_open(h, "div", "class", "user", NULL);
        vg_html_open(h, "span", NULL);
        vg_html_textf(h, "%s (%s)", req->actor.name, req->actor.role);
        vg_html_close(h, "span");
        vg_page_form(h, req, "/console/logout");
        vg_html_elem(h, "button", "Log out", "type", "submit", NULL);
        vg_html_close(h, "form");
        vg_html_close(h, "div");
    }
    vg_html_close(h, "header");
    vg_html_open(h, "main", "id", "main", NULL);
    vg_html_elem(h, "h1", p->title, NULL);
}

void vg_page_end(struct vg_html *h, struct vg_resp *r, int status)
{
    vg_html_close(h, "main");
    vg_html_open(h, "footer", NULL);
    vg_html_open(h, "p", NULL);
    vg_html_text(h, "vigie - CERT platform. Individuals and small businesses: ");
    vg_html_elem(h, "a", "cybermalveillance.gouv.fr", "href",
                 "https://www.cybermalveillance.gouv.fr/", NULL);
    vg_html_close(h, "p");
    vg_html_close(h, "footer");
    vg_html_close(h, "body");
    vg_html_close(h, "html");
    vg_html_trusted(h, "\n", 1);
    struct vg_buf b = h->b; /* the writer's buffer, handed to the answer */
    vg_buf_init(&h->b, 0);
    vg_resp_header(r, "Content-Security-Policy", PAGE_CSP);
    vg_resp_header(r, "X-Frame-Options", "DENY");
    vg_resp_header(r, "Referrer-Policy", "same-origin");
    if (b.failed) {
        vg_buf_cleanup(&b);
        vg_resp_error(r, 500, "internal", NULL, "the page could not be written");
        return;
    }
    vg_resp_bytes(r, status, VG_CONTENT_HTML, &b);
}

void vg_page_redirect(struct vg_resp *r, const char *location)
{
    /* a path of this site only: "https://elsewhere" would make a handler an open redirect */
    bool site = location && location[0] == '/' && vg_html_url_ok(location) &&
                strlen(location) < sizeof r->location && !strpbrk(location, "\r\n\t");
    r->status = 303;
    snprintf(r->location, sizeof r->location, "%s", site ? location : "/");
}

void vg_page_error(const struct vg_req *req, struct vg_resp *r, int status, const char *title,
                   const char *message)
{
    bool console = req && req->path && !strncmp(req->path, "/console", 8);
    struct vg_html h;
    vg_html_init(&h, 64 * 1024);
    struct vg_page_frame p = {.title = title, .console = console && req->actor.name[0]};
    vg_page_begin(&h, req, &p);
    vg_html_elem(&h, "p", message, "class", "error-message", NULL);
    vg_html_open(&h, "p", NULL);
    vg_html_elem(&h, "a", console ? "Back to the console" : "Back to the home page", "href",
                 console ? "/console/" : "/", NULL);
    vg_html_close(&h, "p");
    /* the answer so far (a JSON error) is replaced */
    json_decref(r->json);
    r->json = NULL;
    vg_page_end(&h, r, status);
}

void vg_web_page_error(struct vg_req *req, struct vg_resp *r)
{
    if (r->status == 303)
        return;
    if (req->path && !strcmp(req->path, "/console/login") && !strcmp(req->method, "POST")) {
        vg_web_login_error(req, r); /* the form again, the name kept, the reason above */
        return;
    }
    const json_t *err = json_object_get(r->json, "error");
    const char *code = vg_json_str(err, "code"), *msg = vg_json_str(err, "message");
    char message[600];
    snprintf(message, sizeof message, "%s", msg ? msg : "the request failed");
    const char *title = r->status == 404 ? "Page not found"
                        : r->status == 403
                            ? (code && !strcmp(code, "csrf") ? "Form expired" : "Not allowed")
                        : r->status == 401 ? "Log in first"
                        : r->status == 405 ? "Method not allowed"
                        : r->status == 413 ? "Too large"
                        : r->status == 429 ? "Too many requests"
                        : r->status >= 500 ? "Server error"
                                           : "Bad request";
    int status = r->status;
    int retry = r->retry_after;
    vg_page_error(req, r, status, title, message);
    r->retry_after = retry;
}

void vg_page_tlp(struct vg_html *h, const char *tlp)
{
    /* the store keeps "AMBER", a form "amber": either reads */
    const char *t = tlp && *tlp ? tlp : "clear";
    if (!strcasecmp(t, "white"))
        t = "clear";
    const char *cls = !strcasecmp(t, "red")            ? "tlp tlp-red"
                      : !strcasecmp(t, "amber+strict") ? "tlp tlp-amber-strict"
                      : !strcasecmp(t, "amber")        ? "tlp tlp-amber"
                      : !strcasecmp(t, "green")        ? "tlp tlp-green"
                                                       : "tlp tlp-clear";
    char label[32];
    snprintf(label, sizeof label, "TLP:%s", t);
    for (char *c = label; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    vg_html_elem(h, "span", label, "class", cls, NULL);
}

void vg_page_thead(struct vg_html *h, const char *const *cols)
{
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    for (size_t i = 0; cols[i]; i++)
        vg_html_elem(h, "th", cols[i], "scope", "col", NULL);
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
}

void vg_page_csrf(struct vg_html *h, const struct vg_req *req)
{
    vg_html_void(h, "input", "type", "hidden", "name", "csrf", "value", req ? req->csrf : "", NULL);
}

void vg_page_form(struct vg_html *h, const struct vg_req *req, const char *action)
{
    vg_html_open(h, "form", "method", "post", "action", action, NULL);
    vg_page_csrf(h, req);
}

bool vg_page_can_write(const struct vg_req *req)
{
    return req && vg_auth_role_rank(req->actor.role) >= VG_ANALYST;
}

/* The label, then the field's error paragraph id when there is one. */
static void field_begin(struct vg_html *h, const char *name, const char *label, const char *error,
                        char *err_id, size_t cap)
{
    snprintf(err_id, cap, "%s-error", name);
    vg_html_open(h, "div", "class", error ? "field has-error" : "field", NULL);
    vg_html_elem(h, "label", label, "for", name, NULL);
}

static void field_end(struct vg_html *h, const char *error, const char *err_id)
{
    if (error)
        vg_html_elem(h, "p", error, "class", "error", "id", err_id, NULL);
    vg_html_close(h, "div");
}

void vg_page_input(struct vg_html *h, const char *name, const char *label, const char *type,
                   const char *value, const char *error, bool required)
{
    char err_id[80];
    field_begin(h, name, label, error, err_id, sizeof err_id);
    vg_html_void(h, "input", "type", type ? type : "text", "id", name, "name", name, "value",
                 value && strcmp(type ? type : "", "password") ? value : NULL, "required",
                 required ? "" : NULL, "aria-invalid", error ? "true" : NULL, "aria-describedby",
                 error ? err_id : NULL, NULL);
    field_end(h, error, err_id);
}

void vg_page_textarea(struct vg_html *h, const char *name, const char *label, const char *value,
                      const char *error, bool required)
{
    char err_id[80];
    field_begin(h, name, label, error, err_id, sizeof err_id);
    vg_html_open(h, "textarea", "id", name, "name", name, "rows", "6", "required",
                 required ? "" : NULL, "aria-invalid", error ? "true" : NULL, "aria-describedby",
                 error ? err_id : NULL, NULL);
    /* a newline right after <textarea> is dropped by parsers: one is written so that a value
     * starting with a newline keeps it */
    vg_html_trusted(h, "\n", 1);
    vg_html_text(h, value);
    vg_html_close(h, "textarea");
    field_end(h, error, err_id);
}

void vg_page_select(struct vg_html *h, const char *name, const char *label,
                    const char *const *options, const char *selected, const char *error)
{
    char err_id[80];
    field_begin(h, name, label, error, err_id, sizeof err_id);
    vg_html_open(h, "select", "id", name, "name", name, "aria-invalid", error ? "true" : NULL,
                 "aria-describedby", error ? err_id : NULL, NULL);
    for (size_t i = 0; options && options[i]; i += 2) {
        bool sel = selected && !strcmp(selected, options[i]);
        vg_html_elem(h, "option", options[i + 1], "value", options[i], "selected", sel ? "" : NULL,
                     NULL);
    }
    vg_html_close(h, "select");
    field_end(h, error, err_id);
}

void vg_page_time(struct vg_html *h, const char *t)
{
    if (!t || strlen(t) < 16) {
        vg_html_text(h, t && *t ? t : "-");
        return;
    }
    vg_html_open(h, "time", "datetime", t, NULL);
    vg_html_textf(h, "%.10s %.5s UTC", t, t + 11);
    vg_html_close(h, "time");
}
