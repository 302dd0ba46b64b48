/* What every page of the portal and the console shares: the frame (head, header, navigation,
 * main, footer), the answer with its security headers, the TLP badge, the CSRF field, labelled
 * form fields with their errors beside them, redirects and the error page. Every byte goes
 * through the escaping writer (util/html.h). */
#ifndef VG_WEB_PAGE_H
#define VG_WEB_PAGE_H

#include <stdbool.h>

#include "http/router.h"
#include "util/html.h"

/* Pages are capped: a page of the console is a screenful of a list, not an export. */
#define VG_PAGE_MAX (4u << 20)

/* What a page's frame needs. */
struct vg_page_frame {
    const char *title;   /* <title> (with " - vigie" after it) and the page's <h1> */
    const char *section; /* the navigation entry shown as current ("incidents", "orgs", ...;
                          * public: "home", "report", "advisories", "guides"), NULL: none */
    bool console;        /* the console's frame (its navigation, the user, a logout button)
                          * rather than the portal's */
};

/* Starts a page in h (vg_html_init'ed by the caller): doctype, <html lang="en">, the head
 * (charset, viewport, title, /static/vigie.css, /static/vigie.js deferred), the header with
 * the navigation, then <main id="main"><h1>title</h1>. */
void vg_page_begin(struct vg_html *h, const struct vg_req *req, const struct vg_page_frame *p);
/* Ends the page (main, footer, body, html) and answers it with status: HTML, with the
 * Content-Security-Policy (nothing but the server's own style and script), X-Frame-Options,
 * Referrer-Policy; a 500 page if the writer failed. */
void vg_page_end(struct vg_html *h, struct vg_resp *r, int status);

/* 303 See Other to location (a path of the site). */
void vg_page_redirect(struct vg_resp *r, const char *location);
/* The error page of a status, its message and, for a 4xx, what to do (the server's hook:
 * vg_server_config.page_error). A 303 (the console's redirect to its login) is kept. */
void vg_web_page_error(struct vg_req *req, struct vg_resp *r);
/* An error page for a handler: status, a title, a message (escaped). */
void vg_page_error(const struct vg_req *req, struct vg_resp *r, int status, const char *title,
                   const char *message);

/* The TLP badge, in FIRST's colours on black: <span class="tlp tlp-amber">TLP:AMBER</span>;
 * tlp as the store has it ("clear", "green", "amber", "amber+strict", "red"; "white" reads
 * as clear). Shown first on every object. */
void vg_page_tlp(struct vg_html *h, const char *tlp);
/* A table's head: <thead><tr> and a <th scope="col"> per name of cols (ended by NULL). */
void vg_page_thead(struct vg_html *h, const char *const *cols);
/* The hidden CSRF field every console form carries (req->csrf). */
void vg_page_csrf(struct vg_html *h, const struct vg_req *req);
/* Opens a console form posting to action with its CSRF field: <form method="post" ...>. */
void vg_page_form(struct vg_html *h, const struct vg_req *req, const char *action);
/* Whether the console's user may write (analyst or admin): a reader sees no write button (and
 * the server refuses the write anyway: the route's least role). */
bool vg_page_can_write(const struct vg_req *req);

/* A labelled field: <div class="field"><label for=name>label</label><input ...> and, when error
 * is set, <p class="error" id="name-error"> beside it (aria-describedby). value is what was
 * typed (kept on an error). type: "text", "email", "password", "url", "search", "date"... */
void vg_page_input(struct vg_html *h, const char *name, const char *label, const char *type,
                   const char *value, const char *error, bool required);
/* The same for a <textarea>. */
void vg_page_textarea(struct vg_html *h, const char *name, const char *label, const char *value,
                      const char *error, bool required);
/* The same for a <select>: options are value, label pairs ended by NULL; selected: the value
 * chosen (NULL: none). */
void vg_page_select(struct vg_html *h, const char *name, const char *label,
                    const char *const *options, const char *selected, const char *error);

/* A time as the pages show it: "2026-12-06 14:03 UTC" from RFC 3339 (NULL/"" : "-"). */
void vg_page_time(struct vg_html *h, const char *rfc3339);

#endif
