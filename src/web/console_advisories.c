/* The console's advisories editor (web/web.h): the list of every advisory in every state, the
 * draft form and "draft from CVEs", one advisory's page (its pending text as a form, its state,
 * its revisions and only the steps its state allows) and the preview, written by the public
 * site's own renderer (advisory/render.h). A form becomes the JSON body the API takes and each
 * step is the API's use case (app/advisory.h): same checks, same four-eyes rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "advisory/render.h"
#include "app/advisory.h"
#include "http/response.h"
#include "http/server.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "web/page.h"
#include "web/web.h"

/* The preview is the published page as it is: its own Content-Security-Policy (the one
 * web/publication.c sends: nothing but its inline stylesheet), never framed, never cached. */
#define PREVIEW_CSP                                                                                \
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; "             \
    "form-action 'none'; frame-ancestors 'none'"

/* The fields of the form, named as the API's (advisory/model.h); risks are checkboxes. */
enum { F_KIND, F_TITLE, F_TLP, F_LANG, F_SYSTEMS, F_CVES, F_SUMMARY, F_SOLUTION, F_REFS, NF };
static const char *const fname[NF] =
    {"kind", "title",   "tlp",      "lang",      "affected_systems",
     "cves", "summary", "solution", "references"};

/* What a form shows: the values (typed, or made from a stored advisory) and the error beside
 * the field it names. */
struct adv_form {
    const char *v[NF];
    bool risk[VG_RISK_COUNT];
    struct vg_buf own[3];  /* the one-per-line texts made from a stored advisory */
    const char *err_field; /* the field the error is beside ("title", "risks", "description"),
                            * NULL: above the form */
    char err[800];
};

static void form_cleanup(struct adv_form *f)
{
    for (size_t i = 0; i < 3; i++)
        vg_buf_cleanup(&f->own[i]);
}

static const char *err_for(const struct adv_form *f, const char *field)
{
    return f && f->err_field && !strcmp(f->err_field, field) ? f->err : NULL;
}

/* ---- one item a line: the textareas' formats ---- */

/* The (index+1)-th non-empty line's number in text (1-based), 0 if there is none. */
static size_t line_of(const char *text, size_t index)
{
    size_t line = 0, seen = 0;
    for (const char *p = text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        line++;
        bool blank = true;
        for (size_t i = 0; i < n; i++)
            if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
                blank = false;
        if (!blank && seen++ == index)
            return line;
        p = e ? e + 1 : p + n;
    }
    return 0;
}

/* A copy of p..p+n without the blanks around it. */
static json_t *trimmed(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    return json_stringn(p, n);
}

/* The parts of a line split on '|', trimmed, into parts (at most max; *n their count; one more
 * than max when the line has too many). */
static size_t split_bar(const char *line, size_t len, json_t **parts, size_t max)
{
    size_t n = 0;
    const char *p = line, *end = line + len;
    for (;;) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        size_t l = bar ? (size_t)(bar - p) : (size_t)(end - p);
        if (n < max)
            parts[n] = trimmed(p, l);
        n++;
        if (!bar)
            break;
        p = bar + 1;
    }
    return n;
}

/* Whether a part is given (not empty). */
static bool given(const json_t *s)
{
    return s && json_string_length(s) > 0;
}

/* "vendor | product | versions | fixed | cpe | scada": the parts given, as the API's object;
 * "scada" reads as true, another word is passed on for the checker to refuse. */
static int system_of(const char *line, size_t len, size_t i, json_t *arr, struct vg_diag *d)
{
    static const char *const keys[] = {"vendor", "product", "versions", "fixed", "cpe", "scada"};
    json_t *parts[6] = {0};
    size_t n = split_bar(line, len, parts, 6);
    int rc = 0;
    if (n > 6) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/affected_systems/%zu", i);
        rc = vg_diag_set(d, VG_EINVAL, ptr,
                         "%s has more than 6 parts (vendor | product | versions | fixed | cpe | "
                         "scada)",
                         ptr);
    } else {
        json_t *o = json_object();
        for (size_t k = 0; k < n; k++) {
            if (k < 3 || given(parts[k])) {
                if (k == 5 && !strcasecmp(json_string_value(parts[k]), "scada"))
                    json_object_set_new(o, keys[k], json_true());
                else
                    json_object_set(o, keys[k], parts[k]);
            }
        }
        json_array_append_new(arr, o);
    }
    for (size_t k = 0; k < n && k < 6; k++)
        json_decref(parts[k]);
    return rc;
}

/* "CVE-ID [score] [CVSS:vector] [kev]": the id alone, or the API's object. A score that is not a
 * number is passed on as text for the checker to refuse. */
static int cve_of(const char *line, size_t len, size_t i, json_t *arr, struct vg_diag *d)
{
    (void)i;
    (void)d;
    json_t *o = json_object();
    size_t ntok = 0;
    const char *p = line, *end = line + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        const char *s = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        size_t n = (size_t)(p - s);
        if (!n)
            break;
        if (ntok++ == 0) {
            json_object_set_new(o, "id", json_stringn(s, n));
        } else if (n == 3 && !strncasecmp(s, "kev", 3)) {
            json_object_set_new(o, "kev", json_true());
        } else if (n > 5 && !strncmp(s, "CVSS:", 5)) {
            json_object_set_new(o, "cvss_vector", json_stringn(s, n));
        } else {
            char num[32];
            char *e = NULL;
            double v = 0;
            if (n < sizeof num) {
                memcpy(num, s, n);
                num[n] = '\0';
                v = strtod(num, &e);
            }
            if (e && *e == '\0' && e != num)
                json_object_set_new(o, "cvss", json_real(v));
            else
                json_object_set_new(o, "cvss", json_stringn(s, n));
        }
    }
    if (json_object_size(o) == 1)
        json_array_append(arr, json_object_get(o, "id"));
    else
        json_array_append(arr, o);
    json_decref(o);
    return 0;
}

/* "URL [| title [| vendor [| published_at]]]": the URL alone, or the API's object ("vendor"
 * reads as true, another word is passed on for the checker to refuse). */
static int reference_of(const char *line, size_t len, size_t i, json_t *arr, struct vg_diag *d)
{
    static const char *const keys[] = {"url", "title", "vendor", "published_at"};
    json_t *parts[4] = {0};
    size_t n = split_bar(line, len, parts, 4);
    int rc = 0;
    if (n > 4) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/references/%zu", i);
        rc = vg_diag_set(d, VG_EINVAL, ptr,
                         "%s has more than 4 parts (URL | title | vendor | published_at)", ptr);
    } else if (n == 1) {
        json_array_append(arr, parts[0]);
    } else {
        json_t *o = json_object();
        for (size_t k = 0; k < n; k++) {
            if (k == 0 || given(parts[k])) {
                if (k == 2 && !strcasecmp(json_string_value(parts[k]), "vendor"))
                    json_object_set_new(o, keys[k], json_true());
                else
                    json_object_set(o, keys[k], parts[k]);
            }
        }
        json_array_append_new(arr, o);
    }
    for (size_t k = 0; k < n && k < 4; k++)
        json_decref(parts[k]);
    return rc;
}

/* The items of a textarea, one a non-empty line, through item(). 0 and *out, or an error. */
static int lines_of(const char *text,
                    int (*item)(const char *, size_t, size_t, json_t *, struct vg_diag *),
                    json_t **out, struct vg_diag *d)
{
    json_t *arr = json_array();
    size_t i = 0;
    int rc = 0;
    for (const char *p = text; p && *p && rc == 0;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool blank = true;
        for (size_t k = 0; k < n; k++)
            if (p[k] != ' ' && p[k] != '\t' && p[k] != '\r')
                blank = false;
        if (!blank)
            rc = item(p, n, i++, arr, d);
        p = e ? e + 1 : p + n;
    }
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}

/* A Markdown text as typed, its CRLF line ends (what browsers send) made LF. */
static json_t *markdown_of(const char *s)
{
    size_t n = strlen(s);
    char *c = vg_malloc(n + 1);
    if (!c)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && s[i + 1] == '\n'))
            c[k++] = s[i];
    json_t *v = json_stringn(c, k);
    free(c);
    return v;
}

/* The form as the API's body: a creation (patch false: kind given; empty fields left out) or
 * a change (patch true: every list set, so that one can be emptied; kind left out, as it
 * cannot change; an empty text left as it was). 0 and *out, or an error naming the pointer. */
static int form_json(const struct vg_form *f, bool patch, json_t **out, struct vg_diag *d)
{
    static int (*const items[])(const char *, size_t, size_t, json_t *,
                                struct vg_diag *) = {system_of, cve_of, reference_of};
    static const int lists[] = {F_SYSTEMS, F_CVES, F_REFS};
    json_t *o = json_object();
    const char *v;
    int rc = 0;
    if (!patch && (v = vg_form_get(f, "kind")) != NULL)
        json_object_set_new(o, "kind", json_string(v));
    if ((v = vg_form_get(f, "title")) != NULL)
        json_object_set_new(o, "title", json_string(v));
    for (int k = F_TLP; k <= F_LANG; k++)
        if ((v = vg_form_get(f, fname[k])) != NULL && *v)
            json_object_set_new(o, fname[k], json_string(v));
    json_t *risks = json_array();
    for (size_t i = 0; (v = vg_form_get_nth(f, "risks", i)) != NULL; i++)
        json_array_append_new(risks, json_string(v));
    if (patch || json_array_size(risks))
        json_object_set(o, "risks", risks);
    json_decref(risks);
    for (size_t k = 0; k < 3 && rc == 0; k++) {
        json_t *arr = NULL;
        rc = lines_of(vg_form_get(f, fname[lists[k]]), items[k], &arr, d);
        if (rc == 0 && (patch || json_array_size(arr)))
            json_object_set(o, fname[lists[k]], arr);
        json_decref(arr);
    }
    for (int k = F_SUMMARY; k <= F_SOLUTION; k++)
        if ((v = vg_form_get(f, fname[k])) != NULL && *v)
            json_object_set_new(o, fname[k], markdown_of(v));
    if (rc)
        json_decref(o);
    else
        *out = o;
    return rc;
}

/* An error of a step into the form: beside the field its pointer names (the line of a list
 * said), else above. */
static void form_error(struct adv_form *f, const struct vg_diag *d, const char *const *fields,
                       const char *const *shown_as)
{
    snprintf(f->err, sizeof f->err, "%s", d->message[0] ? d->message : "the step failed");
    f->err_field = NULL;
    const char *ptr = d->field;
    if (!ptr || ptr[0] != '/')
        return;
    size_t n = strcspn(ptr + 1, "/");
    for (size_t i = 0; fields[i]; i++) {
        if (strlen(fields[i]) != n || strncmp(ptr + 1, fields[i], n) != 0)
            continue;
        f->err_field = shown_as[i];
        const char *idx = ptr + 1 + n;
        if (*idx == '/' && idx[1] >= '0' && idx[1] <= '9') {
            const char *text = NULL;
            for (int k = 0; k < NF; k++)
                if (!strcmp(fname[k], fields[i]))
                    text = f->v[k];
            size_t line = line_of(text, strtoul(idx + 1, NULL, 10));
            size_t len = strlen(f->err);
            if (line && strcmp(fields[i], "risks") != 0 && len < sizeof f->err)
                snprintf(f->err + len, sizeof f->err - len, " (line %zu)", line);
        }
        return;
    }
}

/* The form's values as typed. */
static void form_typed(struct adv_form *f, const struct vg_form *in)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < NF; k++)
        f->v[k] = vg_form_get(in, fname[k]);
    const char *v;
    for (size_t i = 0; (v = vg_form_get_nth(in, "risks", i)) != NULL; i++) {
        enum vg_adv_risk r;
        if (vg_adv_risk_parse(v, &r) == 0)
            f->risk[r] = true;
    }
}

/* A part of a line, its line ends written as blanks and, in a line split on '|', its '|'
 * percent-encoded in a URL (the same URL) and written '/' in a name (the format cannot hold it). */
static void put_part(struct vg_buf *b, const char *s)
{
    bool url = s && (!strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8));
    for (; s && *s; s++) {
        if (*s == '|')
            vg_buf_puts(b, url ? "%7C" : "/");
        else
            vg_buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

/* The form's values from an advisory as the API answers it. */
static void form_stored(struct adv_form *f, const json_t *adv)
{
    memset(f, 0, sizeof *f);
    for (int k = 0; k < NF; k++)
        f->v[k] = vg_json_str(adv, fname[k]);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(adv, "risks"), i, it) {
        enum vg_adv_risk r;
        if (json_is_string(it) && vg_adv_risk_parse(json_string_value(it), &r) == 0)
            f->risk[r] = true;
    }
    for (size_t k = 0; k < 3; k++)
        vg_buf_init(&f->own[k], VG_PAGE_MAX);
    struct vg_buf *b = &f->own[0];
    json_array_foreach(json_object_get(adv, "affected_systems"), i, it) {
        static const char *const keys[] = {"vendor", "product", "versions", "fixed", "cpe"};
        size_t last = 2;
        for (size_t k = 3; k < 5; k++)
            if (vg_json_str(it, keys[k]))
                last = k;
        bool scada = json_is_true(json_object_get(it, "scada"));
        if (scada)
            last = 5;
        for (size_t k = 0; k <= last; k++) {
            if (k)
                vg_buf_puts(b, " | ");
            if (k < 5)
                put_part(b, vg_json_str(it, keys[k]));
            else
                vg_buf_puts(b, "scada");
        }
        vg_buf_putc(b, '\n');
    }
    b = &f->own[1];
    json_array_foreach(json_object_get(adv, "cves"), i, it) {
        if (json_is_string(it)) {
            put_part(b, json_string_value(it));
        } else {
            put_part(b, vg_json_str(it, "id"));
            const json_t *s = json_object_get(it, "cvss");
            if (json_is_number(s))
                vg_buf_printf(b, " %g", json_number_value(s));
            if (vg_json_str(it, "cvss_vector")) {
                vg_buf_putc(b, ' ');
                put_part(b, vg_json_str(it, "cvss_vector"));
            }
            if (json_is_true(json_object_get(it, "kev")))
                vg_buf_puts(b, " kev");
        }
        vg_buf_putc(b, '\n');
    }
    b = &f->own[2];
    json_array_foreach(json_object_get(adv, "references"), i, it) {
        if (json_is_string(it)) {
            put_part(b, json_string_value(it));
        } else {
            const char *title = vg_json_str(it, "title"), *date = vg_json_str(it, "published_at");
            bool vendor = json_is_true(json_object_get(it, "vendor"));
            put_part(b, vg_json_str(it, "url"));
            if (title || vendor || date) {
                vg_buf_puts(b, " | ");
                put_part(b, title);
            }
            if (vendor || date)
                vg_buf_puts(b, vendor ? " | vendor" : " | ");
            if (date) {
                vg_buf_puts(b, " | ");
                put_part(b, date);
            }
        }
        vg_buf_putc(b, '\n');
    }
    f->v[F_SYSTEMS] = f->own[0].data;
    f->v[F_CVES] = f->own[1].data;
    f->v[F_REFS] = f->own[2].data;
}

/* ---- pieces of the pages ---- */

static const char *const tlp_options[] =
    {"CLEAR",        "TLP:CLEAR",        "GREEN", "TLP:GREEN", "AMBER", "TLP:AMBER",
     "AMBER+STRICT", "TLP:AMBER+STRICT", "RED",   "TLP:RED",   NULL};
static const char *const lang_options[] = {"", "The site's", "fr", "French", "en", "English", NULL};

/* The state an advisory is in, as the console names it: a published alert that was closed is
 * "closed". */
static const char *state_of(const json_t *adv)
{
    const char *s = vg_json_str(adv, "status");
    if (s && !strcmp(s, "published") && vg_json_str(adv, "closed_at"))
        return "closed";
    return s ? s : "?";
}

static const char *kind_label(const char *kind)
{
    enum vg_adv_kind k;
    return kind && vg_adv_kind_parse(kind, &k) == 0 ? vg_adv_kind_label(k, "en") : kind;
}

static void kind_options(const char **opts, bool any)
{
    size_t n = 0;
    if (any) {
        opts[n++] = "";
        opts[n++] = "Any";
    }
    for (int k = 0; k < VG_ADV_KIND_COUNT; k++) {
        opts[n++] = vg_adv_kind_name((enum vg_adv_kind)k);
        opts[n++] = vg_adv_kind_label((enum vg_adv_kind)k, "en");
    }
    opts[n] = NULL;
}

/* The fields of the advisory form (kind only for a new one: it is in the reference). */
static void form_fields(struct vg_html *h, const struct adv_form *f, bool new_one)
{
    if (new_one) {
        const char *kinds[2 * VG_ADV_KIND_COUNT + 1];
        kind_options(kinds, false);
        vg_page_select(h, "kind", "Kind", kinds, f->v[F_KIND], err_for(f, "kind"));
    }
    vg_page_input(h, "title", "Title", "text", f->v[F_TITLE], err_for(f, "title"), true);
    vg_page_select(h, "tlp", "TLP", tlp_options, f->v[F_TLP], err_for(f, "tlp"));
    vg_page_select(h, "lang", "Language", lang_options, f->v[F_LANG] ? f->v[F_LANG] : "",
                   err_for(f, "lang"));
    const char *rerr = err_for(f, "risks");
    vg_html_open(h, "fieldset", "class", rerr ? "risks has-error" : "risks", "aria-describedby",
                 rerr ? "risks-error" : NULL, NULL);
    vg_html_elem(h, "legend", "Risks", NULL);
    for (int k = 0; k < VG_RISK_COUNT; k++) {
        char id[16];
        snprintf(id, sizeof id, "risks-%d", k);
        vg_html_open(h, "div", "class", "check", NULL);
        vg_html_void(h, "input", "type", "checkbox", "id", id, "name", "risks", "value",
                     vg_adv_risk_name((enum vg_adv_risk)k), "checked", f->risk[k] ? "" : NULL,
                     NULL);
        vg_html_elem(h, "label", vg_adv_risk_name((enum vg_adv_risk)k), "for", id, NULL);
        vg_html_close(h, "div");
    }
    if (rerr)
        vg_html_elem(h, "p", rerr, "class", "error", "id", "risks-error", NULL);
    vg_html_close(h, "fieldset");
    vg_page_textarea(h, "affected_systems",
                     "Affected systems, one a line: vendor | product | versions | fixed | cpe | "
                     "scada (the last three optional)",
                     f->v[F_SYSTEMS], err_for(f, "affected_systems"), false);
    vg_page_textarea(h, "cves",
                     "CVEs, one a line: CVE-ID, or CVE-ID score CVSS:vector (and kev when "
                     "exploited)",
                     f->v[F_CVES], err_for(f, "cves"), false);
    vg_page_textarea(h, "summary", "Summary (Markdown)", f->v[F_SUMMARY], err_for(f, "summary"),
                     false);
    vg_page_textarea(h, "solution", "Solution (Markdown)", f->v[F_SOLUTION], err_for(f, "solution"),
                     false);
    vg_page_textarea(h, "references",
                     "References, one a line: URL, or URL | title | vendor | published_at",
                     f->v[F_REFS], err_for(f, "references"), false);
}

static void top_error(struct vg_html *h, const struct adv_form *f)
{
    if (f && f->err[0] && !f->err_field)
        vg_html_elem(h, "p", f->err, "class", "error-message", "role", "alert", NULL);
}

/* The status of a step's error. */
static int status_of(int rc)
{
    switch (rc) {
    case VG_EINVAL:
    case VG_ETOOBIG: return 400;
    case VG_EPERM: return 403;
    case VG_ENOENT: return 404;
    case VG_ECONFLICT:
    case VG_EEXIST: return 409;
    default: return 0; /* the server's error page */
    }
}

/* ---- the list ---- */

/* The list's link to a page with these filters and cursor. */
static void list_link(struct vg_buf *b, const char *status, const char *kind, const char *q,
                      const char *cursor)
{
    vg_buf_puts(b, "/console/advisories?");
    if (status) {
        vg_buf_puts(b, "status=");
        vg_url_encode(b, status);
        vg_buf_putc(b, '&');
    }
    if (kind) {
        vg_buf_puts(b, "kind=");
        vg_url_encode(b, kind);
        vg_buf_putc(b, '&');
    }
    if (q) {
        vg_buf_puts(b, "q=");
        vg_url_encode(b, q);
        vg_buf_putc(b, '&');
    }
    vg_buf_puts(b, "cursor=");
    vg_url_encode(b, cursor);
}

/* An empty query argument is no filter (the filter form sends "status=" for "Any"). */
static const char *arg(struct vg_req *req, const char *name)
{
    const char *v = vg_req_arg(req, name);
    return v && *v ? v : NULL;
}

void vg_web_advisories(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    const char *status = arg(req, "status"), *kind = arg(req, "kind"), *q = arg(req, "q");
    json_t *f = NULL, *out = NULL;
    int rc = vg_advisory_list_filters(kind, status, NULL, q, &f, &d);
    if (rc == 0)
        rc = vg_advisory_list(req->st, f, &page, &out, &d);
    json_decref(f);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = "Advisories",
                                          .section = "advisories",
                                          .console = true});
    if (vg_page_can_write(req)) {
        vg_html_open(&h, "p", "class", "actions", NULL);
        vg_html_elem(&h, "a", "New advisory", "href", "/console/advisories/new", "class", "button",
                     NULL);
        vg_html_close(&h, "p");
    }
    vg_html_open(&h, "form", "method", "get", "action", "/console/advisories", "class", "filters",
                 NULL);
    static const char *const states[] = {"",          "Any",       "draft",     "Draft", "review",
                                         "In review", "published", "Published", NULL};
    vg_page_select(&h, "status", "State", states, status ? status : "", NULL);
    const char *kinds[2 * VG_ADV_KIND_COUNT + 3];
    kind_options(kinds, true);
    vg_page_select(&h, "kind", "Kind", kinds, kind ? kind : "", NULL);
    vg_page_input(&h, "q", "Title contains", "search", q, NULL, false);
    vg_html_elem(&h, "button", "Filter", "type", "submit", NULL);
    vg_html_close(&h, "form");
    json_t *items = json_object_get(out, "items"), *it;
    if (json_array_size(items) == 0) {
        vg_html_elem(&h, "p",
                     status || kind || q ? "No advisory matches these filters."
                                         : "No advisory yet.",
                     "class", "empty", NULL);
    } else {
        vg_html_open(&h, "table", "class", "list", NULL);
        vg_html_open(&h, "thead", NULL);
        vg_html_open(&h, "tr", NULL);
        static const char *const cols[] = {"TLP",   "Reference", "Title",  "Kind",
                                           "State", "Version",   "Updated"};
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
            vg_html_elem(&h, "th", cols[i], "scope", "col", NULL);
        vg_html_close(&h, "tr");
        vg_html_close(&h, "thead");
        vg_html_open(&h, "tbody", NULL);
        size_t i;
        json_array_foreach(items, i, it) {
            const char *ref = vg_json_str(it, "ref");
            struct vg_buf href;
            vg_buf_init(&href, 1024);
            vg_buf_puts(&href, "/console/advisories/");
            vg_url_encode(&href, ref);
            vg_html_open(&h, "tr", NULL);
            vg_html_open(&h, "td", NULL);
            vg_page_tlp(&h, vg_json_str(it, "tlp"));
            vg_html_close(&h, "td");
            vg_html_open(&h, "td", NULL);
            vg_html_elem(&h, "a", ref, "href", href.data, NULL);
            vg_html_close(&h, "td");
            vg_html_elem(&h, "td", vg_json_str(it, "title"), NULL);
            vg_html_elem(&h, "td", kind_label(vg_json_str(it, "kind")), NULL);
            vg_html_open(&h, "td", NULL);
            char cls[32];
            snprintf(cls, sizeof cls, "badge state-%s", state_of(it));
            vg_html_elem(&h, "span", state_of(it), "class", cls, NULL);
            vg_html_close(&h, "td");
            vg_html_open(&h, "td", NULL);
            vg_html_textf(&h, "%lld",
                          (long long)json_integer_value(json_object_get(it, "version")));
            vg_html_close(&h, "td");
            vg_html_open(&h, "td", NULL);
            vg_page_time(&h, vg_json_str(it, "updated_at"));
            vg_html_close(&h, "td");
            vg_html_close(&h, "tr");
            vg_buf_cleanup(&href);
        }
        vg_html_close(&h, "tbody");
        vg_html_close(&h, "table");
    }
    const char *next = vg_json_str(out, "next_cursor");
    if (next) {
        struct vg_buf href;
        vg_buf_init(&href, 4096);
        list_link(&href, status, kind, q, next);
        vg_html_open(&h, "nav", "class", "pager", "aria-label", "Pages", NULL);
        vg_html_elem(&h, "a", "Next page", "href", href.data, "rel", "next", NULL);
        vg_html_close(&h, "nav");
        vg_buf_cleanup(&href);
    }
    json_decref(out);
    vg_page_end(&h, r, 200);
}

/* ---- a new draft ---- */

/* The new-draft page: the form (with what was typed and its error) and "draft from CVEs". */
static void new_page(struct vg_req *req, struct vg_resp *r, int status, const struct adv_form *f,
                     const char *cves, const char *cves_err)
{
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = "New advisory",
                                          .section = "advisories",
                                          .console = true});
    top_error(&h, f);
    vg_html_elem(&h, "h2", "Write a draft", NULL);
    vg_page_form(&h, req, "/console/advisories");
    form_fields(&h, f, true);
    vg_html_elem(&h, "button", "Create the draft", "type", "submit", NULL);
    vg_html_close(&h, "form");
    vg_html_elem(&h, "h2", "Draft from CVEs", NULL);
    vg_html_elem(&h, "p",
                 "An avis at TLP:AMBER filled from the technology watch: the products and "
                 "versions of the CVEs, their scores and KEV status, references, and the "
                 "constituents concerned (kept internal).",
                 NULL);
    vg_page_form(&h, req, "/console/advisories/draft-from-cves");
    vg_page_textarea(&h, "from_cves", "CVEs, one a line", cves, cves_err, true);
    vg_html_elem(&h, "button", "Draft from these CVEs", "type", "submit", NULL);
    vg_html_close(&h, "form");
    vg_page_end(&h, r, status);
}

void vg_web_advisory_new(struct vg_req *req, struct vg_resp *r)
{
    struct adv_form f;
    memset(&f, 0, sizeof f);
    f.v[F_TLP] = "CLEAR";
    new_page(req, r, 200, &f, NULL, NULL);
}

/* After a step that made or changed advisory ref: its page (POST/redirect/GET). */
static void to_advisory(struct vg_resp *r, const char *ref)
{
    struct vg_buf b;
    vg_buf_init(&b, 512);
    vg_buf_puts(&b, "/console/advisories/");
    vg_url_encode(&b, ref);
    vg_page_redirect(r, b.failed ? "/console/advisories" : b.data);
    vg_buf_cleanup(&b);
}

static const char *const content_fields[] = {"kind",       "title",   "tlp",
                                             "lang",       "risks",   "affected_systems",
                                             "cves",       "summary", "solution",
                                             "references", NULL};

void vg_web_advisory_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = NULL, *out = NULL;
    int rc = form_json(&req->form, false, &in, &d);
    if (rc == 0)
        rc = vg_advisory_create(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc == 0) {
        to_advisory(r, vg_json_str(out, "ref"));
        json_decref(out);
        return;
    }
    if (!status_of(rc)) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct adv_form f;
    form_typed(&f, &req->form);
    form_error(&f, &d, content_fields, content_fields);
    new_page(req, r, status_of(rc), &f, NULL, NULL);
}

void vg_web_advisory_draft_from_cves(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    const char *text = vg_form_get(&req->form, "from_cves");
    json_t *cves = NULL, *out = NULL;
    int rc = lines_of(text, cve_of, &cves, &d);
    if (rc == 0) {
        /* ids only, as the API's body */
        json_t *ids = json_array(), *it;
        size_t i;
        json_array_foreach(cves, i, it)
            json_array_append(ids, json_is_string(it) ? it : json_object_get(it, "id"));
        json_t *in = json_pack("{s:o}", "cves", ids);
        rc = vg_advisory_draft_from_cves(req->st, &req->actor, in, &out, &d);
        json_decref(in);
    }
    json_decref(cves);
    if (rc == 0) {
        to_advisory(r, vg_json_str(out, "ref"));
        json_decref(out);
        return;
    }
    if (!status_of(rc)) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    char msg[800];
    snprintf(msg, sizeof msg, "%s", d.message);
    size_t line = 0;
    if (!strncmp(d.field, "/cves/", 6))
        line = line_of(text, strtoul(d.field + 6, NULL, 10));
    if (line)
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (line %zu)", line);
    struct adv_form f;
    memset(&f, 0, sizeof f);
    f.v[F_TLP] = "CLEAR";
    new_page(req, r, status_of(rc), &f, text, msg);
}

/* ---- one advisory ---- */

/* The steps the state of adv allows (as app/advisory.c decides them). */
struct steps {
    bool save, submit, publish, revise, close;
};

static struct steps steps_of(const json_t *adv)
{
    struct steps s = {0};
    const char *st = vg_json_str(adv, "status"), *kind = vg_json_str(adv, "kind");
    if (!st)
        return s;
    if (!strcmp(st, "draft"))
        s.save = s.submit = true;
    else if (!strcmp(st, "review"))
        s.save = s.publish = true;
    else if (!strcmp(st, "published")) {
        s.revise = true;
        s.close = kind && !strcmp(kind, "alerte") && !vg_json_str(adv, "closed_at");
    }
    return s;
}

/* "/console/advisories/REF/step" into b. */
static const char *step_path(struct vg_buf *b, const char *ref, const char *step)
{
    vg_buf_reset(b);
    vg_buf_puts(b, "/console/advisories/");
    vg_url_encode(b, ref);
    if (step) {
        vg_buf_putc(b, '/');
        vg_buf_puts(b, step);
    }
    return b->failed ? "/console/advisories" : b->data;
}

static void meta_item(struct vg_html *h, const char *term, const char *text)
{
    vg_html_elem(h, "dt", term, NULL);
    vg_html_elem(h, "dd", text, NULL);
}

static void meta_time(struct vg_html *h, const char *term, const char *t)
{
    if (!t)
        return;
    vg_html_elem(h, "dt", term, NULL);
    vg_html_open(h, "dd", NULL);
    vg_page_time(h, t);
    vg_html_close(h, "dd");
}

/* The pending or published text, read only (a reader's view, a published advisory's). */
static void text_view(struct vg_html *h, const struct adv_form *f)
{
    vg_html_open(h, "dl", "class", "meta", NULL);
    meta_item(h, "Title", f->v[F_TITLE]);
    meta_item(h, "Language", f->v[F_LANG] ? f->v[F_LANG] : "the site's");
    vg_html_elem(h, "dt", "Risks", NULL);
    vg_html_open(h, "dd", NULL);
    bool any = false;
    for (int k = 0; k < VG_RISK_COUNT; k++)
        if (f->risk[k]) {
            vg_html_textf(h, "%s%s", any ? ", " : "", vg_adv_risk_name((enum vg_adv_risk)k));
            any = true;
        }
    if (!any)
        vg_html_text(h, "none");
    vg_html_close(h, "dd");
    static const struct {
        int k;
        const char *label;
    } texts[] = {{F_SYSTEMS, "Affected systems"},
                 {F_CVES, "CVEs"},
                 {F_SUMMARY, "Summary"},
                 {F_SOLUTION, "Solution"},
                 {F_REFS, "References"}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        vg_html_elem(h, "dt", texts[i].label, NULL);
        vg_html_open(h, "dd", NULL);
        if (f->v[texts[i].k] && *f->v[texts[i].k])
            vg_html_elem(h, "pre", f->v[texts[i].k], NULL);
        else
            vg_html_text(h, "none");
        vg_html_close(h, "dd");
    }
    vg_html_close(h, "dl");
}

/* The page of advisory adv: status, and f (its text, typed or stored, with an error). */
static void advisory_page(struct vg_req *req, struct vg_resp *r, int status, const json_t *adv,
                          const struct adv_form *f)
{
    const char *ref = vg_json_str(adv, "ref");
    struct steps s = steps_of(adv);
    bool write = vg_page_can_write(req);
    struct vg_buf path;
    vg_buf_init(&path, 1024);
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    char title[VG_ADV_MAX_TITLE + 64];
    snprintf(title, sizeof title, "%s: %s", ref ? ref : "?",
             vg_json_str(adv, "title") ? vg_json_str(adv, "title") : "");
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = title,
                                          .section = "advisories",
                                          .console = true});
    vg_html_open(&h, "p", "class", "meta", NULL);
    vg_page_tlp(&h, vg_json_str(adv, "tlp"));
    vg_html_text(&h, " ");
    char cls[32];
    snprintf(cls, sizeof cls, "badge state-%s", state_of(adv));
    vg_html_elem(&h, "span", state_of(adv), "class", cls, NULL);
    vg_html_textf(&h, " %s, version %lld", kind_label(vg_json_str(adv, "kind")),
                  (long long)json_integer_value(json_object_get(adv, "version")));
    vg_html_close(&h, "p");
    top_error(&h, f);

    vg_html_open(&h, "dl", "class", "meta", NULL);
    meta_item(&h, "Reference", ref);
    meta_item(&h, "State", state_of(adv));
    if (vg_json_str(adv, "pending_description"))
        meta_item(&h, "Pending revision", vg_json_str(adv, "pending_description"));
    struct vg_buf names;
    vg_buf_init(&names, 4096);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(adv, "authors"), i, it) {
        if (i)
            vg_buf_puts(&names, ", ");
        vg_buf_puts(&names, json_string_value(it) ? json_string_value(it) : "?");
    }
    if (names.len)
        meta_item(&h, "Authors of the pending text", names.data);
    vg_buf_cleanup(&names);
    meta_time(&h, "Created", vg_json_str(adv, "created_at"));
    meta_time(&h, "Updated", vg_json_str(adv, "updated_at"));
    meta_time(&h, "First published", vg_json_str(adv, "published_at"));
    meta_time(&h, "Last published", vg_json_str(adv, "last_published_at"));
    meta_time(&h, "Closed", vg_json_str(adv, "closed_at"));
    vg_html_close(&h, "dl");
    vg_html_open(&h, "p", "class", "actions", NULL);
    vg_html_elem(&h, "a", "Preview as published", "href", step_path(&path, ref, "preview"), NULL);
    if (vg_json_str(adv, "last_published_at") &&
        !strcmp(vg_json_str(adv, "tlp") ? vg_json_str(adv, "tlp") : "", "CLEAR")) {
        struct vg_buf pub;
        vg_buf_init(&pub, 1024);
        const char *kind = vg_json_str(adv, "kind");
        vg_buf_puts(&pub, kind && !strcmp(kind, "guide") ? "/guides/" : "/advisories/");
        vg_url_encode(&pub, ref);
        vg_html_text(&h, " ");
        vg_html_elem(&h, "a", "Public page", "href", pub.failed ? "/advisories/" : pub.data, NULL);
        vg_buf_cleanup(&pub);
    }
    vg_html_close(&h, "p");

    if (write && (s.submit || s.publish || s.revise || s.close)) {
        vg_html_elem(&h, "h2", "Steps", NULL);
        vg_html_open(&h, "div", "class", "actions", NULL);
        if (s.submit) {
            vg_page_form(&h, req, step_path(&path, ref, "submit"));
            vg_html_elem(&h, "button", "Submit for review", "type", "submit", NULL);
            vg_html_close(&h, "form");
        }
        if (s.publish) {
            vg_page_form(&h, req, step_path(&path, ref, "publish"));
            vg_html_elem(&h, "p", "Another analyst than its authors publishes a text (four eyes).",
                         "class", "hint", NULL);
            vg_html_elem(&h, "button", "Publish", "type", "submit", NULL);
            vg_html_close(&h, "form");
        }
        if (s.revise) {
            vg_page_form(&h, req, step_path(&path, ref, "revise"));
            vg_page_textarea(&h, "description",
                             "What the revision changes (it opens a new draft version)",
                             f && err_for(f, "description") ? vg_form_get(&req->form, "description")
                                                            : NULL,
                             err_for(f, "description"), true);
            vg_html_elem(&h, "button", "Revise", "type", "submit", NULL);
            vg_html_close(&h, "form");
        }
        if (s.close) {
            const char *cerr = err_for(f, "close-description");
            vg_page_form(&h, req, step_path(&path, ref, "close"));
            vg_html_open(&h, "div", "class", cerr ? "field has-error" : "field", NULL);
            vg_html_elem(&h, "label", "Closing note (optional; \"Clôture de l'alerte\" otherwise)",
                         "for", "close-description", NULL);
            vg_html_open(&h, "textarea", "id", "close-description", "name", "description", "rows",
                         "3", "aria-describedby", cerr ? "close-description-error" : NULL, NULL);
            vg_html_trusted(&h, "\n", 1);
            vg_html_text(&h, cerr ? vg_form_get(&req->form, "description") : NULL);
            vg_html_close(&h, "textarea");
            if (cerr)
                vg_html_elem(&h, "p", cerr, "class", "error", "id", "close-description-error",
                             NULL);
            vg_html_close(&h, "div");
            vg_html_elem(&h, "button", "Close the alert", "type", "submit", NULL);
            vg_html_close(&h, "form");
        }
        vg_html_close(&h, "div");
    }

    vg_html_elem(&h, "h2", s.save ? "Pending text" : "Published text", NULL);
    if (write && s.save) {
        vg_page_form(&h, req, step_path(&path, ref, "save"));
        form_fields(&h, f, false);
        vg_html_elem(&h, "button", "Save", "type", "submit", NULL);
        vg_html_close(&h, "form");
    } else {
        text_view(&h, f);
    }

    vg_html_elem(&h, "h2", "Revisions", NULL);
    json_t *revs = json_object_get(adv, "revisions");
    if (json_array_size(revs) == 0) {
        vg_html_elem(&h, "p", "Not published yet.", "class", "empty", NULL);
    } else {
        vg_html_open(&h, "table", "class", "list", NULL);
        vg_html_open(&h, "thead", NULL);
        vg_html_open(&h, "tr", NULL);
        static const char *const cols[] = {"Version", "Date", "Description", "Publisher"};
        for (size_t k = 0; k < 4; k++)
            vg_html_elem(&h, "th", cols[k], "scope", "col", NULL);
        vg_html_close(&h, "tr");
        vg_html_close(&h, "thead");
        vg_html_open(&h, "tbody", NULL);
        json_array_foreach(revs, i, it) {
            vg_html_open(&h, "tr", NULL);
            vg_html_open(&h, "td", NULL);
            vg_html_textf(&h, "%lld",
                          (long long)json_integer_value(json_object_get(it, "version")));
            vg_html_close(&h, "td");
            vg_html_open(&h, "td", NULL);
            vg_page_time(&h, vg_json_str(it, "date"));
            vg_html_close(&h, "td");
            vg_html_elem(&h, "td", vg_json_str(it, "description"), NULL);
            vg_html_elem(&h, "td", vg_json_str(it, "publisher"), NULL);
            vg_html_close(&h, "tr");
        }
        vg_html_close(&h, "tbody");
        vg_html_close(&h, "table");
    }

    json_t *cons = json_object_get(json_object_get(adv, "internal"), "constituents");
    if (json_array_size(cons)) {
        vg_html_elem(&h, "h2", "Constituents concerned (internal, never published)", NULL);
        vg_html_open(&h, "ul", NULL);
        json_array_foreach(cons, i, it) {
            vg_html_open(&h, "li", NULL);
            vg_html_textf(&h, "%s (%zu finding%s)",
                          vg_json_str(it, "name") ? vg_json_str(it, "name") : "?",
                          json_array_size(json_object_get(it, "findings")),
                          json_array_size(json_object_get(it, "findings")) == 1 ? "" : "s");
            vg_html_close(&h, "li");
        }
        vg_html_close(&h, "ul");
    }
    vg_buf_cleanup(&path);
    vg_page_end(&h, r, status);
}

void vg_web_advisory(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *adv = NULL;
    int rc = vg_advisory_get(req->st, req->params[0], &adv, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct adv_form f;
    form_stored(&f, adv);
    advisory_page(req, r, 200, adv, &f);
    form_cleanup(&f);
    json_decref(adv);
}

void vg_web_advisory_action(struct vg_req *req, struct vg_resp *r)
{
    const char *ref = req->params[0], *step = req->params[1];
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = NULL, *out = NULL;
    int rc;
    const char *desc = vg_form_get(&req->form, "description");
    if (!strcmp(step, "save")) {
        rc = form_json(&req->form, true, &in, &d);
        if (rc == 0)
            rc = vg_advisory_patch(req->st, &req->actor, ref, in, &out, &d);
    } else if (!strcmp(step, "submit")) {
        rc = vg_advisory_submit(req->st, &req->actor, ref, &out, &d);
    } else if (!strcmp(step, "publish")) {
        rc = vg_advisory_publish(req->st, &req->actor, ref, &out, &d);
    } else if (!strcmp(step, "revise")) {
        in = json_object();
        if (desc)
            json_object_set_new(in, "description", json_string(desc));
        rc = vg_advisory_revise(req->st, &req->actor, ref, in, &out, &d);
    } else if (!strcmp(step, "close")) {
        if (desc && *desc)
            in = json_pack("{s:s}", "description", desc);
        rc = vg_advisory_close(req->st, &req->actor, ref, in, &out, &d);
    } else {
        vg_resp_error(r, 404, "not_found", NULL, "no such step: %s", step);
        return;
    }
    json_decref(in);
    if (rc == 0) {
        to_advisory(r, ref);
        json_decref(out);
        return;
    }
    json_t *adv = NULL;
    struct vg_diag d2;
    vg_diag_clear(&d2);
    if (!status_of(rc) || rc == VG_ENOENT || vg_advisory_get(req->st, ref, &adv, &d2) != 0) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct adv_form f;
    if (!strcmp(step, "save") && steps_of(adv).save) { /* the form again, as typed */
        form_typed(&f, &req->form);
        form_error(&f, &d, content_fields, content_fields);
    } else {
        form_stored(&f, adv);
        static const char *const desc_field[] = {"description", NULL};
        static const char *const revise_as[] = {"description"};
        static const char *const close_as[] = {"close-description"};
        form_error(&f, &d, desc_field, !strcmp(step, "close") ? close_as : revise_as);
    }
    advisory_page(req, r, status_of(rc), adv, &f);
    form_cleanup(&f);
    json_decref(adv);
}

/* ---- the preview ---- */

void vg_web_advisory_preview(struct vg_req *req, struct vg_resp *r)
{
    const char *ref = req->params[0];
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_advisory a;
    memset(&a, 0, sizeof a);
    int rc = vg_advisory_preview(req->st, ref, &a, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    /* the server's site, as web/publication.c renders it; a server without one (no site is
     * served) still previews, under a neutral name */
    static const struct vg_adv_site none = {.name = "vigie",
                                            .base_url = "",
                                            .lang = "fr",
                                            .generator = "vigie"};
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    const struct vg_adv_site *site = cfg && cfg->site ? cfg->site : &none;
    struct vg_buf page;
    vg_buf_init(&page, VG_PAGE_MAX);
    /* guides are published under /guides (advisory/site.c) */
    rc = vg_adv_html_page(&a, site, a.kind == VG_ADV_GUIDE ? "/guides" : "/advisories", &page);
    /* the mark of a preview, written with the escaping writer, after <body> */
    struct vg_html note;
    vg_html_init(&note, 8192);
    vg_html_open(&note, "div", "role", "note", "class", "preview", NULL);
    vg_html_open(&note, "p", NULL);
    vg_html_elem(&note, "strong", "Preview, not published.", NULL);
    vg_html_textf(&note, " %s as its next publication would show it (version %d, TLP:%s)%s ", ref,
                  a.version, vg_tlp_name(a.tlp),
                  a.tlp == VG_TLP_CLEAR ? "" : "; only TLP:CLEAR advisories are public");
    struct vg_buf back;
    vg_buf_init(&back, 1024);
    vg_html_elem(&note, "a", "Back to the editor", "href", step_path(&back, ref, NULL), NULL);
    vg_buf_cleanup(&back);
    vg_html_close(&note, "p");
    vg_html_close(&note, "div");
    vg_html_trusted(&note, "\n", 1);
    vg_advisory_free(&a);
    const char *body = page.data ? strstr(page.data, "<body>\n") : NULL;
    if (rc || page.failed || !body || !vg_html_ok(&note)) {
        vg_buf_cleanup(&page);
        vg_html_cleanup(&note);
        vg_resp_error(r, 500, "internal", NULL, "the preview could not be rendered");
        return;
    }
    size_t head = (size_t)(body - page.data) + strlen("<body>\n");
    struct vg_buf out;
    vg_buf_init(&out, VG_PAGE_MAX + 16384);
    vg_buf_append(&out, page.data, head);
    vg_buf_append(&out, note.b.data, note.b.len);
    vg_buf_append(&out, page.data + head, page.len - head);
    vg_buf_cleanup(&page);
    vg_html_cleanup(&note);
    if (out.failed) {
        vg_buf_cleanup(&out);
        vg_resp_error(r, 500, "internal", NULL, "the preview could not be rendered");
        return;
    }
    vg_resp_header(r, "Content-Security-Policy", PREVIEW_CSP);
    vg_resp_header(r, "X-Frame-Options", "DENY");
    vg_resp_header(r, "Referrer-Policy", "same-origin");
    vg_resp_header(r, "Cache-Control", "no-store");
    vg_resp_header(r, "X-Robots-Tag", "noindex");
    vg_resp_bytes(r, 200, VG_CONTENT_HTML, &out);
}
