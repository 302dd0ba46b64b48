/* The public portal (web/web.h): the home page (who the CERT serves, its latest alerts and
 * advisories as the public sees them, how to report) and the report form, which runs the same
 * intake as POST /api/v1/reports (app/intake.h) behind the same limits (http/reportlimit.h),
 * plus two defences of its own against robots: a honeypot field and a minimum fill time
 * carried in a field the server signs. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app/intake.h"
#include "app/publication.h"
#include "core/model.h"
#include "http/reportlimit.h"
#include "http/server.h"
#include "util/json.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/str.h"
#include "web/page.h"
#include "web/web.h"

#define PORTAL_PAGE_MAX (256u * 1024) /* the home and the form; a report is at most the body */
#define FORM_MAX_AGE    86400         /* a form older than this is given again */

/* ---- the minimum fill time: "started" = "<unix time>.<MAC of it, hex>" ---- */

static unsigned char started_key[crypto_auth_KEYBYTES];
static pthread_once_t started_once = PTHREAD_ONCE_INIT;

/* The key of this process: a form issued before a restart is simply given again. */
static void started_key_init(void)
{
    randombytes_buf(started_key, sizeof started_key);
}

/* The "started" value of a form issued at t. */
static void started_make(long long t, char out[96])
{
    pthread_once(&started_once, started_key_init);
    char ts[24];
    unsigned char mac[crypto_auth_BYTES];
    int n = snprintf(ts, sizeof ts, "%lld", t);
    crypto_auth(mac, (const unsigned char *)ts, (unsigned long long)n, started_key);
    char hex[2 * crypto_auth_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, 96, "%s.%s", ts, hex);
}

/* Seconds since the form of value s was issued, or -1 if s is missing, forged or out of range
 * (in the future, older than FORM_MAX_AGE). */
static long long started_age(const char *s, long long now)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    unsigned long long t;
    unsigned char mac[crypto_auth_BYTES];
    size_t maclen = 0;
    if (!dot ||
        vg_str_to_u64((struct vg_str){s, (size_t)(dot - s)}, 0, (unsigned long long)now, &t))
        return -1;
    if (strlen(dot + 1) != 2 * crypto_auth_BYTES ||
        sodium_hex2bin(mac, sizeof mac, dot + 1, 2 * crypto_auth_BYTES, NULL, &maclen, NULL) ||
        maclen != sizeof mac)
        return -1;
    pthread_once(&started_once, started_key_init);
    if (crypto_auth_verify(mac, (const unsigned char *)s, (unsigned long long)(dot - s),
                           started_key))
        return -1;
    long long age = now - (long long)t;
    return age > FORM_MAX_AGE ? -1 : age;
}

/* ---- shared pieces ---- */

/* A key and its label. */
struct pair {
    const char *key, *label;
};

/* A label for an organisation kind as the public reads it. */
static const char *kind_label(const char *kind)
{
    static const struct pair labels[] = {
        {"ministry", "Ministries"},
        {"public-agency", "Public agencies"},
        {"local-authority", "Local authorities"},
        {"oiv", "Operators of vital importance (OIV)"},
        {"ose", "Operators of essential services (OSE)"},
        {"private-company", "A private company"},
        {"sme", "A small or medium business"},
        {"individual", "An individual"},
        {"other", "Other"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(labels[i].key, kind))
            return labels[i].label;
    return kind;
}

/* The constituency: the kinds core deems eligible (core/model.h), as a list. */
static void constituency_list(struct vg_html *h)
{
    vg_html_open(h, "ul", "class", "constituency", NULL);
    for (size_t i = 0; vg_org_kind_names[i]; i++)
        if (vg_org_kind_eligible(vg_org_kind_names[i]))
            vg_html_elem(h, "li", kind_label(vg_org_kind_names[i]), NULL);
    vg_html_close(h, "ul");
}

/* The redirect's explanation: who is not served, and where they get help. */
static void not_served(struct vg_html *h, const char *url)
{
    vg_html_open(h, "p", "class", "not-served", NULL);
    vg_html_text(h, "Individuals, small businesses and other private organisations are not "
                    "part of this constituency: they get help from the national assistance "
                    "service, ");
    vg_html_elem(h, "a", "cybermalveillance.gouv.fr", "href", url, "class", "redirect", NULL);
    vg_html_text(h, ", which advises victims and puts them in touch with local experts.");
    vg_html_close(h, "p");
}

/* ---- the home ---- */

/* One list of the latest publications (items of vg_pub_cache_latest), or its empty state. */
static void latest_list(struct vg_html *h, const json_t *items, const char *prefix,
                        const char *empty)
{
    if (json_array_size(items) == 0) {
        vg_html_elem(h, "p", empty, "class", "empty", NULL);
        return;
    }
    vg_html_open(h, "ul", "class", "latest", NULL);
    size_t i;
    const json_t *it;
    json_array_foreach(items, i, it) {
        const char *ref = vg_json_str(it, "ref");
        struct vg_buf href;
        vg_buf_init(&href, 512);
        vg_buf_puts(&href, prefix);
        vg_url_encode(&href, ref ? ref : "");
        vg_buf_putc(&href, '/');
        vg_html_open(h, "li", NULL);
        vg_page_time(h, vg_json_str(it, "date"));
        vg_html_text(h, " ");
        vg_html_elem(h, "span", ref, "class", "ref", NULL);
        vg_html_text(h, " ");
        vg_html_elem(h, "a", vg_json_str(it, "title"), "href", href.failed ? "#" : href.data, NULL);
        vg_html_close(h, "li");
        vg_buf_cleanup(&href);
    }
    vg_html_close(h, "ul");
}

void vg_web_home(struct vg_req *req, struct vg_resp *r)
{
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    json_t *latest = NULL;
    bool failed = false;
    struct vg_pub_cache *c = vg_server_publication(req->srv);
    if (cfg->site && c) {
        struct vg_diag d;
        vg_diag_clear(&d);
        if (vg_pub_cache_latest(c, req->st, cfg->site, &latest, &d)) {
            vg_log(VG_LOG_ERROR, "home: the latest publications: %s", d.message);
            failed = true;
        }
    }
    struct vg_html h;
    vg_html_init(&h, PORTAL_PAGE_MAX);
    struct vg_page_frame p = {.title = cfg->site && cfg->site->name && *cfg->site->name
                                           ? cfg->site->name
                                           : "Computer emergency response team",
                              .section = "home"};
    vg_page_begin(&h, req, &p);

    vg_html_open(&h, "section", "aria-labelledby", "served", NULL);
    vg_html_elem(&h, "h2", "Who we serve", "id", "served", NULL);
    vg_html_elem(&h, "p",
                 "This CERT helps the public bodies and the operators of vital or essential "
                 "services of its constituency to prevent, detect and handle cyber attacks:",
                 NULL);
    constituency_list(&h);
    not_served(&h, cfg->redirect_url);
    vg_html_close(&h, "section");

    vg_html_open(&h, "section", "aria-labelledby", "report", NULL);
    vg_html_elem(&h, "h2", "Report an incident", "id", "report", NULL);
    vg_html_open(&h, "p", NULL);
    vg_html_text(&h, "A member of the constituency that suffers an attack reports it with ");
    vg_html_elem(&h, "a", "the report form", "href", "/report", NULL);
    vg_html_text(&h, ": an analyst reads every report. Machines send the same report as JSON to ");
    vg_html_elem(&h, "code", "POST /api/v1/reports", NULL);
    vg_html_text(&h, ".");
    vg_html_close(&h, "p");
    vg_html_close(&h, "section");

    vg_html_open(&h, "section", "aria-labelledby", "alerts", NULL);
    vg_html_elem(&h, "h2", "Latest alerts", "id", "alerts", NULL);
    if (failed)
        vg_html_elem(&h, "p", "The latest publications cannot be shown right now.", "class",
                     "empty", NULL);
    else
        latest_list(&h, json_object_get(latest, "alerts"), "/advisories/",
                    "No alert has been published yet.");
    vg_html_close(&h, "section");

    vg_html_open(&h, "section", "aria-labelledby", "advisories", NULL);
    vg_html_elem(&h, "h2", "Latest advisories", "id", "advisories", NULL);
    if (failed)
        vg_html_elem(&h, "p", "The latest publications cannot be shown right now.", "class",
                     "empty", NULL);
    else
        latest_list(&h, json_object_get(latest, "advisories"), "/advisories/",
                    "No advisory has been published yet.");
    vg_html_close(&h, "section");

    vg_html_open(&h, "section", "aria-labelledby", "follow", NULL);
    vg_html_elem(&h, "h2", "Follow our publications", "id", "follow", NULL);
    vg_html_open(&h, "ul", "class", "links", NULL);
    static const struct pair links[] = {
        {"/advisories/", "All alerts and advisories"},
        {"/advisories/feed.atom", "Alerts and advisories (Atom feed)"},
        {"/guides/", "Guides"},
        {"/guides/feed.atom", "Guides (Atom feed)"},
    };
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        vg_html_open(&h, "li", NULL);
        vg_html_elem(&h, "a", links[i].label, "href", links[i].key, NULL);
        vg_html_close(&h, "li");
    }
    vg_html_close(&h, "ul");
    vg_html_close(&h, "section");
    json_decref(latest);
    vg_page_end(&h, r, 200);
}

/* ---- the report form ---- */

/* The form's fields, in the page's order: its name (the JSON pointer of the report's field
 * with '-' for '/': an error's field names its input), its label. */
static const struct pair report_fields[] = {
    {"reporter-name", "Your name"},
    {"reporter-email", "Your e-mail address"},
    {"reporter-phone", "Your phone number (optional)"},
    {"organisation-name", "Your organisation's name"},
    {"organisation-kind", "Your organisation is"},
    {"title", "What happened, in one line"},
    {"description", "Describe the incident"},
    {"occurred", "When it started (optional)"},
    {"observables", "Addresses, domains, URLs or file hashes seen (optional, one a line)"},
};
#define NFIELDS (sizeof report_fields / sizeof report_fields[0])

/* What a shown form carries: the typed values (the request's form, NULL: none), one field's
 * error or a message above the form. */
struct shown {
    const struct vg_form *typed;
    const char *field; /* the field of error ("title"...), NULL: error goes above */
    const char *error;
};

static const char *typed(const struct shown *s, const char *name)
{
    return s->typed ? vg_form_get(s->typed, name) : NULL;
}

static const char *error_of(const struct shown *s, const char *name)
{
    return s->field && !strcmp(s->field, name) ? s->error : NULL;
}

/* The label of field name (report_fields). */
static const char *label_of(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (!strcmp(report_fields[i].key, name))
            return report_fields[i].label;
    return name;
}

static void text_field(struct vg_html *h, const struct shown *s, const char *name, const char *type,
                       bool required)
{
    vg_page_input(h, name, label_of(name), type, typed(s, name), error_of(s, name), required);
}

/* The form page with status: the typed values kept, the error beside its field or above. */
static void report_page(struct vg_req *req, struct vg_resp *r, int status, const struct shown *s)
{
    struct vg_html h;
    vg_html_init(&h, PORTAL_PAGE_MAX);
    struct vg_page_frame p = {.title = "Report an incident", .section = "report"};
    vg_page_begin(&h, req, &p);
    if (s->error && !s->field)
        vg_html_elem(&h, "p", s->error, "class", "error-message", "role", "alert", NULL);
    else if (s->error) { /* a link to the field marked, for keyboards and screen readers */
        char anchor[80];
        snprintf(anchor, sizeof anchor, "#%s", s->field);
        vg_html_open(&h, "p", "class", "error-message", "role", "alert", NULL);
        vg_html_text(&h, "The report could not be sent: see ");
        vg_html_elem(&h, "a", label_of(s->field), "href", anchor, NULL);
        vg_html_text(&h, ".");
        vg_html_close(&h, "p");
    }
    vg_html_open(&h, "p", NULL);
    vg_html_text(&h, "For the public bodies and operators of vital or essential services of "
                     "this CERT's constituency. Individuals and small businesses: ");
    vg_html_elem(&h, "a", "cybermalveillance.gouv.fr", "href",
                 vg_server_config(req->srv)->redirect_url, NULL);
    vg_html_text(&h, ". Fields are required unless marked optional.");
    vg_html_close(&h, "p");

    vg_html_open(&h, "form", "method", "post", "action", "/report", "class", "report", NULL);
    char started[96];
    started_make((long long)time(NULL), started);
    vg_html_void(&h, "input", "type", "hidden", "name", "started", "value", started, NULL);

    vg_html_open(&h, "fieldset", NULL);
    vg_html_elem(&h, "legend", "About you", NULL);
    text_field(&h, s, "reporter-name", "text", true);
    text_field(&h, s, "reporter-email", "email", true);
    text_field(&h, s, "reporter-phone", "tel", false);
    vg_html_close(&h, "fieldset");

    vg_html_open(&h, "fieldset", NULL);
    vg_html_elem(&h, "legend", "Your organisation", NULL);
    text_field(&h, s, "organisation-name", "text", true);
    const char *opts[2 * 16 + 2];
    size_t n = 0;
    opts[n++] = "";
    opts[n++] = "Choose...";
    for (size_t i = 0; vg_org_kind_names[i] && n + 2 < sizeof opts / sizeof opts[0]; i++) {
        opts[n++] = vg_org_kind_names[i];
        opts[n++] = kind_label(vg_org_kind_names[i]);
    }
    opts[n] = NULL;
    vg_page_select(&h, "organisation-kind", label_of("organisation-kind"), opts,
                   typed(s, "organisation-kind"), error_of(s, "organisation-kind"));
    vg_html_close(&h, "fieldset");

    vg_html_open(&h, "fieldset", NULL);
    vg_html_elem(&h, "legend", "The incident", NULL);
    text_field(&h, s, "title", "text", true);
    vg_page_textarea(&h, "description", label_of("description"), typed(s, "description"),
                     error_of(s, "description"), true);
    text_field(&h, s, "occurred", "date", false);
    vg_page_textarea(&h, "observables", label_of("observables"), typed(s, "observables"),
                     error_of(s, "observables"), false);
    vg_html_close(&h, "fieldset");

    /* the honeypot: people do not see it (the stylesheet moves it off-screen), robots fill it */
    vg_html_open(&h, "div", "class", "honeypot", "aria-hidden", "true", NULL);
    vg_html_elem(&h, "label", "Leave this field empty", "for", "website", NULL);
    vg_html_void(&h, "input", "type", "text", "id", "website", "name", "website", "value",
                 typed(s, "website"), "autocomplete", "off", "tabindex", "-1", NULL);
    vg_html_close(&h, "div");

    vg_html_open(&h, "div", "class", "actions", NULL);
    vg_html_elem(&h, "button", "Send the report", "type", "submit", NULL);
    vg_html_close(&h, "div");
    vg_html_close(&h, "form");
    vg_page_end(&h, r, status);
}

void vg_web_report_form(struct vg_req *req, struct vg_resp *r)
{
    struct shown s = {0};
    report_page(req, r, 200, &s);
}

/* Sets obj[key] to the typed value of field name when it is not empty. */
static int set_typed(json_t *obj, const struct vg_form *f, const char *key, const char *name)
{
    const char *v = vg_form_get(f, name);
    return v && *v ? json_object_set_new(obj, key, json_string(v)) : 0;
}

/* s as a JSON string, its line ends "\r\n" (a browser sends a textarea's so) made "\n". */
static json_t *lf_string(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *t = vg_malloc(n + 1);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && s[i + 1] == '\n'))
            t[k++] = s[i];
    json_t *j = json_stringn(t, k);
    free(t);
    return j;
}

/* The observables' lines: [{"value": line}] for each line that is not blank (spaces trimmed);
 * NULL when there are none. */
static json_t *observables_of(const char *text)
{
    json_t *arr = NULL;
    for (const char *p = text; p && *p;) {
        const char *e = p + strcspn(p, "\r\n");
        const char *a = p, *b = e;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b > a) {
            if (!arr && !(arr = json_array()))
                return NULL;
            json_array_append_new(arr, json_pack("{s:s%}", "value", a, (size_t)(b - a)));
        }
        p = e + strspn(e, "\r\n");
    }
    return arr;
}

/* The line (1-based) of the i-th observable of text (observables_of's order), 0 if none. */
static long observable_line(const char *text, size_t i)
{
    long line = 0;
    size_t seen = 0;
    for (const char *p = text; p && *p;) {
        line++;
        const char *e = p + strcspn(p, "\n");
        if (p + strspn(p, " \t\r") < e && seen++ == i)
            return line;
        p = *e ? e + 1 : e;
    }
    return 0;
}

/* The report the API takes, from the form: the same JSON object, checked by the same checker
 * (fields left empty are absent, so that a required one is named). NULL when out of memory. */
static json_t *report_of(const struct vg_form *f)
{
    json_t *rep = json_object(), *reporter = json_object(), *org = json_object();
    int bad = !rep || !reporter || !org;
    bad |= set_typed(reporter, f, "name", "reporter-name");
    bad |= set_typed(reporter, f, "email", "reporter-email");
    bad |= set_typed(reporter, f, "phone", "reporter-phone");
    bad |= set_typed(org, f, "name", "organisation-name");
    bad |= set_typed(org, f, "kind", "organisation-kind");
    bad |= set_typed(rep, f, "title", "title");
    const char *desc = vg_form_get(f, "description");
    if (desc && *desc)
        bad |= json_object_set_new(rep, "description", lf_string(desc));
    const char *occurred = vg_form_get(f, "occurred");
    if (occurred && strlen(occurred) == 10 && occurred[4] == '-' && occurred[7] == '-') {
        char t[32]; /* a date field's YYYY-MM-DD: the start of that day, UTC */
        snprintf(t, sizeof t, "%sT00:00:00Z", occurred);
        bad |= json_object_set_new(rep, "occurred", json_string(t));
    } else {
        bad |= set_typed(rep, f, "occurred", "occurred");
    }
    json_t *obs = observables_of(vg_form_get(f, "observables"));
    if (obs)
        bad |= json_object_set_new(rep, "observables", obs);
    if (!bad) {
        bad |= json_object_set(rep, "reporter", reporter);
        bad |= json_object_set(rep, "organisation", org);
    }
    json_decref(reporter);
    json_decref(org);
    if (bad) {
        json_decref(rep);
        return NULL;
    }
    return rep;
}

/* The form field of an error's JSON pointer ("/reporter/email" -> "reporter-email",
 * "/observables/2/value" -> "observables"), NULL if none shows it. */
static const char *field_of(const char *ptr, char *out, size_t cap)
{
    if (!ptr || *ptr != '/')
        return NULL;
    if (!strncmp(ptr, "/observables", 12))
        return "observables";
    snprintf(out, cap, "%s", ptr + 1);
    for (char *c = out; *c; c++)
        if (*c == '/')
            *c = '-';
    for (size_t i = 0; i < NFIELDS; i++)
        if (!strcmp(report_fields[i].key, out))
            return report_fields[i].key;
    return NULL;
}

/* The message of a checker's error d for a person: the field's JSON pointer it starts with
 * becomes "This field" (the message sits beside the field), an observable's names its line. */
static void error_text(const struct vg_diag *d, const char *field, const char *observables,
                       char *out, size_t cap)
{
    size_t n = strlen(d->field);
    const char *m = d->message;
    const char *rest = n && !strncmp(m, d->field, n) && m[n] == ' ' ? m + n : NULL;
    if (!field || strcmp(field, "observables") != 0) {
        snprintf(out, cap, "%s%s", rest ? "This field" : "", rest ? rest : m);
        return;
    }
    long i = -1, line = 0;
    if (!strncmp(d->field, "/observables/", 13))
        i = strtol(d->field + 13, NULL, 10);
    if (i >= 0)
        line = observable_line(observables, (size_t)i);
    const char *what = strstr(m, "cannot tell the type")
                           ? " is not an IP address or network, a domain name, a URL, an e-mail "
                             "address or a file hash"
                       : rest ? rest
                              : m;
    if (line > 0)
        snprintf(out, cap, "Line %ld%s%s", line, rest || what != m ? "" : ": ", what);
    else
        snprintf(out, cap, "%s%s", rest || what != m ? "This list" : "", what);
}

/* A page after the report: its status, its title, and body writing what came of it. */
static void outcome_page(struct vg_req *req, struct vg_resp *r, int status, const char *title,
                         void (*body)(struct vg_html *h, const void *ctx), const void *ctx)
{
    struct vg_html h;
    vg_html_init(&h, PORTAL_PAGE_MAX);
    struct vg_page_frame p = {.title = title, .section = "report"};
    vg_page_begin(&h, req, &p);
    body(&h, ctx);
    vg_html_open(&h, "p", NULL);
    vg_html_elem(&h, "a", "Back to the home page", "href", "/", NULL);
    vg_html_close(&h, "p");
    vg_page_end(&h, r, status);
}

static void accepted_body(struct vg_html *h, const void *ctx)
{
    const struct vg_intake_result *res = ctx;
    vg_html_open(h, "p", "class", "outcome accepted", NULL);
    vg_html_text(h, "Your report was registered as incident ");
    vg_html_elem(h, "strong", res->ref, "class", "ref", NULL);
    vg_html_text(h, ". Quote this reference whenever you contact the CERT about it.");
    vg_html_close(h, "p");
    vg_html_elem(h, "h2", "What happens next", NULL);
    vg_html_open(h, "ol", NULL);
    vg_html_elem(h, "li",
                 "An analyst reads your report, checks that it comes from your organisation "
                 "(until then it is marked unverified) and classifies it.",
                 NULL);
    vg_html_elem(h, "li",
                 "The analyst contacts you at the e-mail address you gave, to ask for what the "
                 "investigation needs and to advise you on the first measures.",
                 NULL);
    vg_html_elem(h, "li",
                 "Meanwhile, keep the evidence: do not switch off or wipe the affected "
                 "machines; disconnect them from the network if the attack goes on.",
                 NULL);
    vg_html_close(h, "ol");
}

static void queued_body(struct vg_html *h, const void *ctx)
{
    const struct vg_intake_result *res = ctx;
    vg_html_open(h, "p", "class", "outcome queued", NULL);
    vg_html_text(h, "Your report was received and is waiting for an analyst, who opens its "
                    "incident. Its number is ");
    vg_html_open(h, "strong", "class", "ref", NULL);
    vg_html_textf(h, "%lld", res->queue_id);
    vg_html_close(h, "strong");
    vg_html_text(h, ": quote it if you contact the CERT.");
    vg_html_close(h, "p");
}

static void busy_body(struct vg_html *h, const void *ctx)
{
    (void)ctx;
    vg_html_elem(h, "p",
                 "Too many reports are waiting for an analyst: yours could not be kept. Please "
                 "send it again in a minute, or call the CERT if the attack is going on.",
                 "class", "error-message", NULL);
}

static void redirect_body(struct vg_html *h, const void *ctx)
{
    const char *url = ctx;
    vg_html_open(h, "p", "class", "outcome redirected", NULL);
    vg_html_text(h, "This CERT serves only the following organisations, and yours is not one of "
                    "them: no incident was opened.");
    vg_html_close(h, "p");
    constituency_list(h);
    vg_html_elem(h, "h2", "Where to get help", NULL);
    vg_html_open(h, "p", NULL);
    vg_html_text(h, "Individuals, small businesses and other private organisations get help "
                    "from the national assistance service: ");
    vg_html_elem(h, "a", url, "href", url, "class", "redirect", NULL);
    vg_html_text(h, ". It guides victims through the first steps and puts them in touch with "
                    "local experts.");
    vg_html_close(h, "p");
}

static void thanks_body(struct vg_html *h, const void *ctx)
{
    (void)ctx;
    vg_html_elem(h, "p", "Thank you: your message was received.", "class", "outcome", NULL);
}

void vg_web_report_post(struct vg_req *req, struct vg_resp *r)
{
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    const struct vg_form *f = &req->form;
    struct shown s = {.typed = f};
    char msg[300];
    int wait = 0;
    if (!vg_reportlimit_take(req, &wait)) {
        snprintf(msg, sizeof msg,
                 "Too many reports were sent from your network. Your text is kept below: "
                 "please send it again in %d second%s.",
                 wait, wait == 1 ? "" : "s");
        s.error = msg;
        report_page(req, r, 429, &s);
        r->retry_after = wait;
        return;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    const char *website = vg_form_get(f, "website");
    if (website && *website) { /* a robot: nothing stored but the attempt, a neutral answer */
        json_t *rep = report_of(f);
        if (vg_intake_log_spam(req->st, rep, req->client, &d))
            vg_log(VG_LOG_ERROR, "report: the spam attempt could not be logged: %s", d.message);
        json_decref(rep);
        outcome_page(req, r, 200, "Report sent", thanks_body, NULL);
        return;
    }
    long long age = started_age(vg_form_get(f, "started"), (long long)time(NULL));
    if (cfg->report_min_seconds > 0 && (age < 0 || age < cfg->report_min_seconds)) {
        s.error = "The form was sent too quickly after it was shown. Your text is kept below: "
                  "please wait a moment, then send it again.";
        report_page(req, r, 400, &s);
        return;
    }
    json_t *rep = report_of(f);
    if (!rep) {
        vg_page_error(req, r, 500, "Server error", "out of memory");
        return;
    }
    struct vg_intake_opts opts;
    vg_reportlimit_opts(req, &opts);
    struct vg_intake_result res;
    int rc = vg_intake_submit(req->st, rep, req->client, &opts, &res, &d);
    json_decref(rep);
    if (rc == VG_EINVAL || rc == VG_ETOOBIG) { /* the form again, the field marked */
        char name[200];
        s.field = field_of(d.field, name, sizeof name);
        error_text(&d, s.field, vg_form_get(f, "observables"), msg, sizeof msg);
        s.error = msg;
        report_page(req, r, 400, &s);
    } else if (rc) {
        vg_resp_diag(r, rc, &d); /* a page through the server's page_error */
    } else if (res.accepted) {
        outcome_page(req, r, 201, "Report received", accepted_body, &res);
    } else if (res.queued) {
        outcome_page(req, r, 202, "Report received", queued_body, &res);
    } else if (res.queue_full) {
        outcome_page(req, r, 503, "Please try again in a minute", busy_body, NULL);
        r->retry_after = 60;
    } else {
        outcome_page(req, r, 200, "This CERT cannot take your report", redirect_body,
                     cfg->redirect_url);
    }
}
