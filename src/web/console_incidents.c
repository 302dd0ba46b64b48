/* The console's incidents (web/web.h): the queue (filters, sorting, the store's cursors), the
 * new incident form, one incident's page with its actions (status, assignee, note, observable,
 * playbook step), and what an export to a recipient holds and what TLP withholds. Every action
 * runs the use case the JSON API runs (app/incident.h, app/share.h, the store's related
 * incidents): a form is turned into the JSON the API takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/incident.h"
#include "app/share.h"
#include "core/lifecycle.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/rsit.h"
#include "store/store.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/str.h"
#include "web/page.h"
#include "web/web.h"

#define QUEUE_PAGE     50                  /* incidents on a page of the queue */
#define ORGS_LISTED    200                 /* organisations offered in a select */
#define PARTNERS_SHOWN 100                 /* partners offered as recipients */
#define RELATED_SHOWN  20                  /* related incidents on a page, as the API's default */
#define EXPORT_MAX     (64L * 1024 * 1024) /* bytes of an export downloaded from the console */

/* ---- small helpers ---- */

/* "/console/incidents/REF" + suffix into b (the reference percent-encoded). */
static const char *inc_path(struct vg_buf *b, const char *ref, const char *suffix)
{
    vg_buf_init(b, 1024);
    vg_buf_puts(b, "/console/incidents/");
    vg_url_encode(b, ref);
    vg_buf_puts(b, suffix);
    return b->failed || !b->data ? "/console/incidents" : b->data;
}

/* A query argument, "" read as absent (a filter form's "any"). */
static const char *query_arg(void *ctx, const char *name)
{
    const char *v = vg_req_arg(ctx, name);
    return v && *v ? v : NULL;
}

/* A form field, "" read as absent. */
static const char *form_arg(const struct vg_req *req, const char *name)
{
    const char *v = vg_form_get(&req->form, name);
    return v && *v ? v : NULL;
}

/* The options of a select from a NULL-terminated list of names (value = label), after a first
 * option (first_value, first_label) when first_label is set; into opts (cap entries). */
static const char **names_options(const char **opts, size_t cap, const char *first_value,
                                  const char *first_label, const char *const *names)
{
    size_t n = 0;
    if (first_label) {
        opts[n++] = first_value;
        opts[n++] = first_label;
    }
    for (size_t i = 0; names[i] && n + 3 < cap; i++) {
        opts[n++] = names[i];
        opts[n++] = names[i];
    }
    opts[n] = NULL;
    return opts;
}

/* The RSIT classes' names into names (cap entries, NULL-terminated). */
static const char *const *class_names(const char **names, size_t cap)
{
    size_t n = 0;
    for (; n < vg_rsit_nclasses && n + 1 < cap; n++)
        names[n] = vg_rsit_classes[n].name;
    names[n] = NULL;
    return names;
}

/* The organisations as select options (id, name), the first ORGS_LISTED; their strings are
 * kept in *keep (json_decref it) and ids in idbuf. */
static const char **org_options(struct vg_store *st, const char **opts, size_t cap,
                                char (*idbuf)[24], const char *first_label, json_t **keep)
{
    struct vg_page page = {ORGS_LISTED, NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    size_t n = 0;
    opts[n++] = "";
    opts[n++] = first_label;
    *keep = NULL;
    if (vg_store_org_list(st, &page, keep, &d) == 0) {
        json_t *items = json_object_get(*keep, "items"), *o;
        size_t i;
        json_array_foreach(items, i, o) {
            if (n + 3 >= cap)
                break;
            snprintf(idbuf[i], sizeof idbuf[i], "%lld",
                     (long long)json_integer_value(json_object_get(o, "id")));
            opts[n++] = idbuf[i];
            opts[n++] = vg_json_str(o, "name");
        }
    }
    opts[n] = NULL;
    return opts;
}

/* A JSON error pointer ("/title", "/observables/2/value") as the form field it belongs to. */
static void error_field(const char *ptr, char *out, size_t cap)
{
    const char *p = ptr && ptr[0] == '/' ? ptr + 1 : ptr ? ptr : "";
    size_t n = strcspn(p, "/");
    snprintf(out, cap, "%.*s", (int)n, p);
}

/* ---- the queue ---- */

/* The queue's filters form, its values kept. */
static void queue_filters(struct vg_html *h, struct vg_req *req, const char *err_field,
                          const char *err)
{
    const char *opts[2 * 520], *classes[64];
    char ids[ORGS_LISTED][24];
    json_t *orgs = NULL;
    static const char *const sorts[] = {"newest",   "Newest created first",
                                        "oldest",   "Oldest created first",
                                        "updated",  "Last updated first",
                                        "severity", "Most severe first",
                                        NULL};
#define ERR(name) (err_field && !strcmp(err_field, name) ? err : NULL)
    vg_html_open(h, "form", "method", "get", "action", "/console/incidents", "class", "filters",
                 "role", "search", NULL);
    vg_page_select(h, "status", "Status",
                   names_options(opts, 64, "", "Any status", vg_status_names),
                   vg_req_arg(req, "status"), ERR("status"));
    vg_page_select(h, "class", "Class (RSIT)",
                   names_options(opts, 64, "", "Any class",
                                 class_names(classes, sizeof classes / sizeof classes[0])),
                   vg_req_arg(req, "class"), ERR("class"));
    vg_page_select(h, "severity", "Severity",
                   names_options(opts, 64, "", "Any severity", vg_severity_names),
                   vg_req_arg(req, "severity"), ERR("severity"));
    vg_page_select(h, "org", "Organisation",
                   org_options(req->st, opts, sizeof opts / sizeof opts[0], ids, "Any organisation",
                               &orgs),
                   vg_req_arg(req, "org"), ERR("org"));
    json_decref(orgs);
    vg_page_select(h, "tlp", "TLP", names_options(opts, 64, "", "Any TLP", vg_tlp_names),
                   vg_req_arg(req, "tlp"), ERR("tlp"));
    vg_page_input(h, "assignee", "Assignee (a user name, or none)", "search",
                  vg_req_arg(req, "assignee"), ERR("assignee"), false);
    vg_page_select(h, "sort", "Sort", (const char *const *)sorts, vg_req_arg(req, "sort"),
                   ERR("sort"));
#undef ERR
    vg_html_elem(h, "button", "Filter", "type", "submit", NULL);
    vg_html_close(h, "form");
    if (err_field && err && !strcmp(err_field, "cursor"))
        vg_html_elem(h, "p", err, "class", "error-message", "role", "alert", NULL);
}

/* The link to the next page: the same filters, the cursor after this page. */
static void queue_next(struct vg_html *h, struct vg_req *req, const char *cursor)
{
    static const char *const keys[] = {"status", "class",    "severity", "org",
                                       "tlp",    "assignee", "sort",     NULL};
    struct vg_buf b;
    vg_buf_init(&b, 4096);
    vg_buf_puts(&b, "/console/incidents?");
    for (size_t i = 0; keys[i]; i++) {
        const char *v = query_arg(req, keys[i]);
        if (!v)
            continue;
        vg_buf_printf(&b, "%s=", keys[i]);
        vg_url_encode(&b, v);
        vg_buf_putc(&b, '&');
    }
    vg_buf_puts(&b, "cursor=");
    vg_url_encode(&b, cursor);
    if (!b.failed) {
        vg_html_open(h, "p", "class", "pager", NULL);
        vg_html_elem(h, "a", "Next page", "href", b.data, "rel", "next", NULL);
        vg_html_close(h, "p");
    }
    vg_buf_cleanup(&b);
}

/* One row of the queue (vg_store_incident_each's callback; ctx: the page's writer). */
static int queue_row(void *ctx, const struct vg_incident_brief *inc)
{
    struct vg_html *h = ctx;
    struct vg_buf p;
    vg_html_open(h, "tr", NULL);
    vg_html_open(h, "td", NULL);
    vg_page_tlp(h, inc->tlp);
    vg_html_close(h, "td");
    vg_html_open(h, "td", NULL);
    vg_html_elem(h, "a", inc->ref, "href", inc_path(&p, inc->ref, ""), NULL);
    vg_buf_cleanup(&p);
    vg_html_close(h, "td");
    vg_html_elem(h, "td", inc->title, NULL);
    vg_html_elem(h, "td", inc->status, "class", "status", NULL);
    vg_html_elem(h, "td", inc->severity, "class", "severity", NULL);
    vg_html_elem(h, "td", inc->cls, NULL);
    vg_html_elem(h, "td", inc->org_name ? inc->org_name : "-", NULL);
    vg_html_elem(h, "td", inc->assignee ? inc->assignee : "unassigned", NULL);
    vg_html_open(h, "td", NULL);
    vg_page_time(h, inc->updated);
    vg_html_close(h, "td");
    vg_html_close(h, "tr");
    return vg_html_ok(h) ? 0 : VG_ENOMEM;
}

/* The queue's table, its rows written as the store reads them; the next page's cursor into
 * next ("" after the last). 0, or the store's error (d filled), the writer then holding a
 * partial table the caller drops. */
static int queue_table(struct vg_html *h, struct vg_req *req, const json_t *f,
                       const struct vg_page *page, char next[80], struct vg_diag *d)
{
    size_t before = h->b.len;
    vg_html_open(h, "table", "class", "list incidents", NULL);
    static const char *const cols[] = {"TLP",   "Reference",    "Title",    "Status",  "Severity",
                                       "Class", "Organisation", "Assignee", "Updated", NULL};
    vg_page_thead(h, cols);
    vg_html_open(h, "tbody", NULL);
    size_t rows_at = h->b.len;
    int rc = vg_store_incident_each(req->st, f, page, queue_row, h, next, d);
    if (rc)
        return rc;
    if (h->b.len == rows_at) { /* no row: the table is taken back, an empty state instead */
        h->b.len = before;
        if (h->b.data)
            h->b.data[before] = '\0';
        vg_html_elem(h, "p", "No incident matches these filters.", "class", "empty", NULL);
        return 0;
    }
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
    return 0;
}

void vg_web_incidents(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_page page = {QUEUE_PAGE, query_arg(req, "cursor")};
    json_t *f = NULL;
    int rc = vg_incident_filters(query_arg, req, &f, &d);
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = "Incidents",
                                          .section = "incidents",
                                          .console = true});
    if (vg_page_can_write(req)) {
        vg_html_open(&h, "p", "class", "actions", NULL);
        vg_html_elem(&h, "a", "New incident", "href", "/console/incidents/new", "class", "button",
                     NULL);
        vg_html_close(&h, "p");
    }
    /* the filters' form comes first: a filter the store refuses (a bad cursor) is shown in it */
    char next[80] = "";
    struct vg_html rows;
    vg_html_init(&rows, VG_PAGE_MAX);
    if (!rc)
        rc = queue_table(&rows, req, f, &page, next, &d);
    json_decref(f);
    if (rc && rc != VG_EINVAL) {
        vg_html_cleanup(&rows);
        vg_html_cleanup(&h);
        vg_resp_diag(r, rc, &d);
        return;
    }
    queue_filters(&h, req, rc ? d.field : NULL, rc ? d.message : NULL);
    if (rc)
        vg_html_elem(&h, "p", "No incident listed: a filter is not valid.", "class", "empty", NULL);
    else if (vg_html_ok(&rows) && rows.b.data)
        vg_html_trusted(&h, rows.b.data, rows.b.len); /* written by this writer above */
    vg_html_cleanup(&rows);
    if (!rc && next[0])
        queue_next(&h, req, next);
    vg_page_end(&h, r, rc ? 400 : 200);
}

/* ---- the new incident ---- */

/* The form, with what was typed and the error beside its field (field "" : above). */
static void new_page(struct vg_req *req, struct vg_resp *r, int status, const char *field,
                     const char *error)
{
    const char *opts[2 * 520], *classes[64], *types[256];
    char ids[ORGS_LISTED][24];
    size_t nt = 0; /* every RSIT type once (its class is checked with it) */
    for (size_t c = 0; c < vg_rsit_nclasses; c++)
        for (const char *const *t = vg_rsit_classes[c].types; *t && nt + 1 < 256; t++) {
            size_t k = 0;
            while (k < nt && strcmp(types[k], *t))
                k++;
            if (k == nt)
                types[nt++] = *t;
        }
    types[nt] = NULL;
    json_t *orgs = NULL;
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = "New incident",
                                          .section = "incidents",
                                          .console = true});
#define ERR(name) (field && !strcmp(field, name) ? error : NULL)
    if (error && field && !*field)
        vg_html_elem(&h, "p", error, "class", "error-message", "role", "alert", NULL);
    vg_page_form(&h, req, "/console/incidents");
    vg_page_input(&h, "title", "Title", "text", vg_form_get(&req->form, "title"), ERR("title"),
                  true);
    vg_page_select(&h, "class", "Class (RSIT)",
                   names_options(opts, 64, "", "Choose a class",
                                 class_names(classes, sizeof classes / sizeof classes[0])),
                   vg_form_get(&req->form, "class"), ERR("class"));
    vg_page_select(&h, "type", "Type (RSIT, of that class)",
                   names_options(opts, 2 * 256, "", "Choose a type", types),
                   vg_form_get(&req->form, "type"), ERR("type"));
    const char *sev = vg_form_get(&req->form, "severity");
    vg_page_select(&h, "severity", "Severity",
                   names_options(opts, 64, NULL, NULL, vg_severity_names), sev ? sev : "medium",
                   ERR("severity"));
    const char *tlp = vg_form_get(&req->form, "tlp");
    vg_page_select(&h, "tlp", "TLP", names_options(opts, 64, NULL, NULL, vg_tlp_names),
                   tlp ? tlp : "AMBER", ERR("tlp"));
    vg_page_select(&h, "org", "Organisation",
                   org_options(req->st, opts, sizeof opts / sizeof opts[0], ids, "None", &orgs),
                   vg_form_get(&req->form, "org"), ERR("org"));
    json_decref(orgs);
    vg_page_textarea(&h, "description", "Description", vg_form_get(&req->form, "description"),
                     ERR("description"), false);
    vg_page_textarea(&h, "observables", "Observables (one per line, type detected)",
                     vg_form_get(&req->form, "observables"), ERR("observables"), false);
#undef ERR
    vg_html_elem(&h, "button", "Create the incident", "type", "submit", NULL);
    vg_html_close(&h, "form");
    vg_page_end(&h, r, status);
}

void vg_web_incident_new(struct vg_req *req, struct vg_resp *r)
{
    new_page(req, r, 200, NULL, NULL);
}

/* The form as POST /api/v1/incidents' body: absent fields left out (the checker's defaults
 * and "required" apply), org an id when it reads as one (else kept as text for the checker to
 * refuse), observables one per line. */
static json_t *create_json(const struct vg_req *req)
{
    static const char *const strs[] = {"title", "class",       "type", "severity",
                                       "tlp",   "description", NULL};
    json_t *in = json_object();
    for (size_t i = 0; strs[i]; i++) {
        const char *v = form_arg(req, strs[i]);
        if (v)
            json_object_set_new(in, strs[i], json_string(v));
    }
    const char *org = form_arg(req, "org");
    unsigned long long id;
    if (org)
        json_object_set_new(in, "org",
                            vg_str_to_u64(vg_str_c(org), 1, 1ULL << 62, &id) == 0
                                ? json_integer((json_int_t)id)
                                : json_string(org));
    const char *obs = form_arg(req, "observables");
    if (obs) {
        json_t *arr = json_array();
        while (*obs) {
            size_t n = strcspn(obs, "\r\n");
            const char *s = obs, *e = obs + n;
            while (s < e && (*s == ' ' || *s == '\t'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e > s)
                json_array_append_new(arr, json_pack("{s:s%}", "value", s, (size_t)(e - s)));
            obs += n;
            obs += strspn(obs, "\r\n");
        }
        json_object_set_new(in, "observables", arr);
    }
    return in;
}

void vg_web_incident_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = create_json(req), *out = NULL;
    int rc = vg_incident_create(req->st, &req->actor, in, &out, &d);
    json_decref(in);
    if (rc == VG_EINVAL) {
        char field[64];
        error_field(d.field, field, sizeof field);
        new_page(req, r, 400, field, d.message);
    } else if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        struct vg_buf p;
        vg_page_redirect(r, inc_path(&p, vg_json_str(out, "ref"), ""));
        vg_buf_cleanup(&p);
    }
    json_decref(out);
}

/* ---- one incident ---- */

/* An action's failure, shown beside its form on the incident page again. */
struct act_err {
    const char *action;  /* "status", "assignee", "note", "observable", "step" */
    const char *message; /* what the use case said */
};

static const char *err_for(const struct act_err *e, const char *action)
{
    return e && !strcmp(e->action, action) ? e->message : NULL;
}

static void dl_item(struct vg_html *h, const char *term, const char *value)
{
    vg_html_elem(h, "dt", term, NULL);
    vg_html_elem(h, "dd", value && *value ? value : "-", NULL);
}

static void summary(struct vg_html *h, const json_t *inc)
{
    vg_html_open(h, "p", "class", "meta", NULL);
    vg_page_tlp(h, vg_json_str(inc, "tlp"));
    vg_html_text(h, " ");
    vg_html_elem(h, "span", vg_json_str(inc, "ref"), "class", "ref", NULL);
    vg_html_close(h, "p");
    vg_html_open(h, "dl", "class", "summary", NULL);
    dl_item(h, "Title", vg_json_str(inc, "title"));
    dl_item(h, "Status", vg_json_str(inc, "status"));
    dl_item(h, "Severity", vg_json_str(inc, "severity"));
    dl_item(h, "Class (RSIT)", vg_json_str(inc, "class"));
    dl_item(h, "Type", vg_json_str(inc, "type"));
    dl_item(h, "PAP", vg_json_str(inc, "pap"));
    dl_item(h, "Organisation", vg_json_str(inc, "org_name"));
    const char *who = vg_json_str(inc, "assignee");
    dl_item(h, "Assignee", who ? who : "unassigned");
    const json_t *rep = json_object_get(inc, "reporter");
    dl_item(h, "Reporter", vg_json_str(rep, "name"));
    dl_item(h, "Reporter's e-mail", vg_json_str(rep, "email"));
    vg_html_elem(h, "dt", "Created", NULL);
    vg_html_open(h, "dd", NULL);
    vg_page_time(h, vg_json_str(inc, "created"));
    vg_html_close(h, "dd");
    vg_html_elem(h, "dt", "Updated", NULL);
    vg_html_open(h, "dd", NULL);
    vg_page_time(h, vg_json_str(inc, "updated"));
    vg_html_close(h, "dd");
    vg_html_close(h, "dl");
    const char *desc = vg_json_str(inc, "description");
    if (desc && *desc)
        vg_html_elem(h, "p", desc, "class", "description", NULL);
}

static void status_section(struct vg_html *h, const struct vg_req *req, const json_t *inc,
                           const char *path, const struct act_err *e)
{
    const char *status = vg_json_str(inc, "status");
    vg_html_elem(h, "h2", "Status", NULL);
    vg_html_open(h, "p", NULL);
    vg_html_text(h, "Now: ");
    vg_html_elem(h, "strong", status, "class", "status", NULL);
    vg_html_close(h, "p");
    const char *const *next = vg_status_next(status);
    if (!*next)
        vg_html_elem(h, "p", "No transition is allowed from this status.", "class", "empty", NULL);
    else if (vg_page_can_write(req)) {
        vg_page_form(h, req, path);
        vg_html_open(h, "p", "class", "actions transitions", NULL);
        for (; *next; next++) {
            char label[64];
            snprintf(label, sizeof label, "Move to %s", *next);
            vg_html_elem(h, "button", label, "type", "submit", "name", "status", "value", *next,
                         NULL);
        }
        vg_html_close(h, "p");
        vg_html_close(h, "form");
    }
    if (err_for(e, "status"))
        vg_html_elem(h, "p", e->message, "class", "error", "role", "alert", NULL);
}

static void assignee_section(struct vg_html *h, const struct vg_req *req, const json_t *inc,
                             const char *path, const struct act_err *e)
{
    if (!vg_page_can_write(req))
        return;
    json_t *users = NULL;
    const char *opts[2 * 260];
    size_t n = 0;
    opts[n++] = "";
    opts[n++] = "Unassigned";
    if (vg_store_user_list(req->st, &users) == 0) {
        size_t i;
        json_t *u;
        json_array_foreach(users, i, u) {
            if (n + 3 >= sizeof opts / sizeof opts[0])
                break;
            if (json_is_true(json_object_get(u, "disabled")))
                continue;
            opts[n++] = vg_json_str(u, "name");
            opts[n++] = vg_json_str(u, "name");
        }
    }
    opts[n] = NULL;
    vg_html_elem(h, "h2", "Assignee", NULL);
    vg_page_form(h, req, path);
    const char *typed = e && !strcmp(e->action, "assignee") ? vg_form_get(&req->form, "assignee")
                                                            : vg_json_str(inc, "assignee");
    vg_page_select(h, "assignee", "Assign to", opts, typed ? typed : "", err_for(e, "assignee"));
    vg_html_elem(h, "button", "Assign", "type", "submit", NULL);
    vg_html_close(h, "form");
    json_decref(users);
}

static void steps_section(struct vg_html *h, const struct vg_req *req, const json_t *inc,
                          const char *path, const struct act_err *e)
{
    const json_t *steps = json_object_get(inc, "steps");
    vg_html_elem(h, "h2", "Playbook", NULL);
    if (err_for(e, "step"))
        vg_html_elem(h, "p", e->message, "class", "error", "role", "alert", NULL);
    if (json_array_size(steps) == 0) {
        vg_html_elem(h, "p", "The playbook of this class has no steps.", "class", "empty", NULL);
        return;
    }
    vg_html_open(h, "ol", "class", "steps", NULL);
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s) {
        bool done = json_is_true(json_object_get(s, "done"));
        vg_html_open(h, "li", "class", done ? "step done" : "step", NULL);
        vg_html_elem(h, "span", done ? "Done" : "To do", "class", "badge", NULL);
        vg_html_text(h, " ");
        vg_html_text(h, vg_json_str(s, "title"));
        vg_html_textf(h, " (%s)", vg_json_str(s, "phase") ? vg_json_str(s, "phase") : "-");
        if (done && vg_json_str(s, "done_by"))
            vg_html_elem(h, "span", vg_json_str(s, "done_by"), "class", "meta", NULL);
        if (vg_page_can_write(req)) {
            vg_page_form(h, req, path);
            vg_html_void(h, "input", "type", "hidden", "name", "step", "value",
                         vg_json_str(s, "id"), NULL);
            vg_html_void(h, "input", "type", "hidden", "name", "done", "value", done ? "off" : "on",
                         NULL);
            vg_html_elem(h, "button", done ? "Mark not done" : "Mark done", "type", "submit", NULL);
            vg_html_close(h, "form");
        }
        vg_html_close(h, "li");
    }
    vg_html_close(h, "ol");
}

static void observables_section(struct vg_html *h, const struct vg_req *req, const json_t *inc,
                                const char *path, const struct act_err *e)
{
    const json_t *obs = json_object_get(inc, "observables");
    vg_html_elem(h, "h2", "Observables", NULL);
    if (json_array_size(obs) == 0) {
        vg_html_elem(h, "p", "No observable yet.", "class", "empty", NULL);
    } else {
        vg_html_open(h, "table", "class", "list observables", NULL);
        vg_html_open(h, "thead", NULL);
        vg_html_open(h, "tr", NULL);
        vg_html_elem(h, "th", "TLP", "scope", "col", NULL);
        vg_html_elem(h, "th", "Type", "scope", "col", NULL);
        vg_html_elem(h, "th", "Value", "scope", "col", NULL);
        vg_html_close(h, "tr");
        vg_html_close(h, "thead");
        vg_html_open(h, "tbody", NULL);
        size_t i;
        json_t *o;
        json_array_foreach(obs, i, o) {
            vg_html_open(h, "tr", NULL);
            vg_html_open(h, "td", NULL);
            vg_page_tlp(h, vg_json_str(o, "tlp"));
            vg_html_close(h, "td");
            vg_html_elem(h, "td", vg_json_str(o, "type"), NULL);
            vg_html_open(h, "td", NULL);
            vg_html_elem(h, "code", vg_json_str(o, "value"), NULL);
            vg_html_close(h, "td");
            vg_html_close(h, "tr");
        }
        vg_html_close(h, "tbody");
        vg_html_close(h, "table");
    }
    if (!vg_page_can_write(req))
        return;
    bool mine = e && !strcmp(e->action, "observable");
    const char *opts[64];
    size_t n = 0;
    opts[n++] = "";
    opts[n++] = "Detect it";
    for (int t = VG_OBS_IPV4; t <= VG_OBS_SHA256; t++) {
        opts[n++] = vg_obs_type_name((enum vg_obs_type)t);
        opts[n++] = vg_obs_type_name((enum vg_obs_type)t);
    }
    opts[n] = NULL;
    vg_html_elem(h, "h3", "Add an observable", NULL);
    vg_page_form(h, req, path);
    vg_page_input(h, "value", "Value", "text", mine ? vg_form_get(&req->form, "value") : NULL,
                  mine ? e->message : NULL, true);
    vg_page_select(h, "type", "Type", opts, mine ? vg_form_get(&req->form, "type") : "", NULL);
    const char *topts[16];
    vg_page_select(h, "tlp", "Its TLP",
                   names_options(topts, 16, "", "The incident's", vg_tlp_names),
                   mine ? vg_form_get(&req->form, "tlp") : "", NULL);
    vg_html_elem(h, "button", "Add the observable", "type", "submit", NULL);
    vg_html_close(h, "form");
}

static void related_section(struct vg_html *h, struct vg_req *req, const char *ref)
{
    struct vg_related_list l;
    vg_html_elem(h, "h2", "Related incidents", NULL);
    if (vg_store_incident_related(req->st, ref, RELATED_SHOWN, &l) != 0) {
        vg_html_elem(h, "p", "The related incidents could not be read.", "class", "error", NULL);
        return;
    }
    if (l.n == 0) {
        vg_html_elem(h, "p", "No other incident shares an observable with this one.", "class",
                     "empty", NULL);
    } else {
        vg_html_open(h, "table", "class", "list related", NULL);
        vg_html_open(h, "thead", NULL);
        vg_html_open(h, "tr", NULL);
        static const char *const cols[] = {"TLP",    "Reference",          "Title",
                                           "Status", "Shared observables", NULL};
        for (size_t i = 0; cols[i]; i++)
            vg_html_elem(h, "th", cols[i], "scope", "col", NULL);
        vg_html_close(h, "tr");
        vg_html_close(h, "thead");
        vg_html_open(h, "tbody", NULL);
        for (size_t i = 0; i < l.n; i++) {
            const struct vg_related *x = &l.v[i];
            struct vg_buf p;
            vg_html_open(h, "tr", NULL);
            vg_html_open(h, "td", NULL);
            vg_page_tlp(h, x->tlp);
            vg_html_close(h, "td");
            vg_html_open(h, "td", NULL);
            vg_html_elem(h, "a", x->ref, "href", inc_path(&p, x->ref, ""), NULL);
            vg_buf_cleanup(&p);
            vg_html_close(h, "td");
            vg_html_elem(h, "td", x->title, NULL);
            vg_html_elem(h, "td", x->status, NULL);
            vg_html_open(h, "td", NULL);
            vg_html_open(h, "ul", "class", "shared", NULL);
            for (size_t j = 0; j < x->nshared; j++) {
                vg_html_open(h, "li", NULL);
                vg_html_elem(h, "code", x->shared[j].value, NULL);
                if (strcmp(x->shared[j].value, x->shared[j].matched)) {
                    vg_html_text(h, " ~ ");
                    vg_html_elem(h, "code", x->shared[j].matched, NULL);
                }
                vg_html_textf(h, " (%s)", x->shared[j].type);
                vg_html_close(h, "li");
            }
            vg_html_close(h, "ul");
            vg_html_close(h, "td");
            vg_html_close(h, "tr");
        }
        vg_html_close(h, "tbody");
        vg_html_close(h, "table");
    }
    vg_related_list_free(&l);
}

/* One timeline entry's detail: its string and number members as "key: value". */
static void detail_text(struct vg_html *h, const json_t *detail)
{
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *)detail, k, v) {
        if (!json_is_string(v) && !json_is_integer(v) && !json_is_boolean(v))
            continue;
        vg_html_text(h, first ? " " : "; ");
        first = false;
        if (json_is_string(v))
            vg_html_textf(h, "%s: %s", k, json_string_value(v));
        else if (json_is_integer(v))
            vg_html_textf(h, "%s: %lld", k, (long long)json_integer_value(v));
        else
            vg_html_textf(h, "%s: %s", k, json_is_true(v) ? "true" : "false");
    }
}

static void notes_timeline(struct vg_html *h, const struct vg_req *req, const json_t *inc,
                           const char *path, const struct act_err *e)
{
    const json_t *tl = json_object_get(inc, "timeline");
    vg_html_elem(h, "h2", "Notes", NULL);
    bool any = false;
    for (size_t i = json_array_size(tl); i-- > 0;) {
        const json_t *t = json_array_get(tl, i);
        if (strcmp(vg_json_str(t, "action") ? vg_json_str(t, "action") : "", "note"))
            continue;
        if (!any)
            vg_html_open(h, "ul", "class", "notes", NULL);
        any = true;
        vg_html_open(h, "li", NULL);
        vg_html_elem(h, "p", vg_json_str(json_object_get(t, "detail"), "text"), "class", "note",
                     NULL);
        vg_html_open(h, "p", "class", "meta", NULL);
        if (json_is_true(json_object_get(json_object_get(t, "detail"), "public")))
            vg_html_text(h, "Public, ");
        vg_html_text(h, vg_json_str(t, "actor"));
        vg_html_text(h, ", ");
        vg_page_time(h, vg_json_str(t, "at"));
        vg_html_close(h, "p");
        vg_html_close(h, "li");
    }
    if (any)
        vg_html_close(h, "ul");
    else
        vg_html_elem(h, "p", "No note yet.", "class", "empty", NULL);
    if (vg_page_can_write(req)) {
        bool mine = e && !strcmp(e->action, "note");
        vg_page_form(h, req, path);
        vg_page_textarea(h, "text", "Add a note", mine ? vg_form_get(&req->form, "text") : NULL,
                         mine ? e->message : NULL, true);
        /* a public note is mailed to the incident's organisation (issue 15) */
        vg_html_open(h, "div", "class", "check", NULL);
        vg_html_void(h, "input", "type", "checkbox", "id", "note-public", "name", "public",
                     "checked", mine && vg_form_get(&req->form, "public") ? "" : NULL, NULL);
        vg_html_elem(h, "label", "Public: mail it to the organisation's contacts", "for",
                     "note-public", NULL);
        vg_html_close(h, "div");
        vg_html_elem(h, "button", "Add the note", "type", "submit", NULL);
        vg_html_close(h, "form");
    }
    vg_html_elem(h, "h2", "Timeline (newest first)", NULL);
    vg_html_open(h, "ol", "class", "timeline", "reversed", "", NULL);
    for (size_t i = json_array_size(tl); i-- > 0;) {
        const json_t *t = json_array_get(tl, i);
        vg_html_open(h, "li", NULL);
        vg_page_time(h, vg_json_str(t, "at"));
        vg_html_text(h, " ");
        vg_html_elem(h, "strong", vg_json_str(t, "action"), NULL);
        vg_html_textf(h, " by %s", vg_json_str(t, "actor") ? vg_json_str(t, "actor") : "-");
        detail_text(h, json_object_get(t, "detail"));
        vg_html_close(h, "li");
    }
    vg_html_close(h, "ol");
}

/* The incident's page; e: an action that failed (its message beside its form), status its
 * answer's. */
static void incident_page(struct vg_req *req, struct vg_resp *r, int status,
                          const struct act_err *e)
{
    const char *ref = req->params[0];
    json_t *inc = NULL;
    int rc = vg_store_incident_get(req->st, ref, &inc);
    if (rc == VG_ENOENT) {
        vg_page_error(req, r, 404, "No such incident", "There is no incident with this reference.");
        return;
    }
    if (rc) {
        vg_resp_diag(r, rc, NULL);
        return;
    }
    char title[300];
    snprintf(title, sizeof title, "%s: %s", vg_json_str(inc, "ref"), vg_json_str(inc, "title"));
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = title, .section = "incidents", .console = true});
    struct vg_buf p[6];
    summary(&h, inc);
    status_section(&h, req, inc, inc_path(&p[0], ref, "/status"), e);
    assignee_section(&h, req, inc, inc_path(&p[1], ref, "/assignee"), e);
    steps_section(&h, req, inc, inc_path(&p[2], ref, "/step"), e);
    observables_section(&h, req, inc, inc_path(&p[3], ref, "/observable"), e);
    related_section(&h, req, ref);
    notes_timeline(&h, req, inc, inc_path(&p[4], ref, "/note"), e);
    if (vg_page_can_write(req)) {
        vg_html_elem(&h, "h2", "Export", NULL);
        vg_html_open(&h, "p", "class", "actions", NULL);
        vg_html_elem(&h, "a", "Export as MISP", "href", inc_path(&p[5], ref, "/share?format=misp"),
                     "class", "button", NULL);
        vg_buf_cleanup(&p[5]);
        vg_html_text(&h, " ");
        vg_html_elem(&h, "a", "Export as STIX 2.1", "href",
                     inc_path(&p[5], ref, "/share?format=stix"), "class", "button", NULL);
        vg_html_close(&h, "p");
        vg_html_elem(&h, "p",
                     "Each shows, for the recipient you choose, what the export holds "
                     "and what TLP withholds, before you download it.",
                     "class", "meta", NULL);
    } else {
        vg_buf_init(&p[5], 16);
    }
    for (size_t i = 0; i < 6; i++)
        vg_buf_cleanup(&p[i]);
    json_decref(inc);
    vg_page_end(&h, r, status);
}

void vg_web_incident(struct vg_req *req, struct vg_resp *r)
{
    incident_page(req, r, 200, NULL);
}

/* The form of an action as the JSON its API route takes; NULL for an unknown action. */
static json_t *action_json(const struct vg_req *req, const char *action)
{
    if (!strcmp(action, "status")) {
        const char *v = form_arg(req, "status");
        return v ? json_pack("{s:s}", "status", v) : json_object();
    }
    if (!strcmp(action, "assignee")) {
        const char *v = form_arg(req, "assignee");
        return json_pack("{s:o}", "assignee", v ? json_string(v) : json_null());
    }
    if (!strcmp(action, "note")) {
        const char *v = vg_form_get(&req->form, "text");
        json_t *in = v ? json_pack("{s:s}", "text", v) : json_object();
        if (in && vg_form_get(&req->form, "public"))
            json_object_set_new(in, "public", json_true());
        return in;
    }
    if (!strcmp(action, "observable")) {
        json_t *in = json_object();
        static const char *const keys[] = {"value", "type", "tlp", NULL};
        for (size_t i = 0; keys[i]; i++)
            if (form_arg(req, keys[i]))
                json_object_set_new(in, keys[i], json_string(form_arg(req, keys[i])));
        return in;
    }
    if (!strcmp(action, "step")) {
        const char *v = vg_form_get(&req->form, "done");
        return json_pack("{s:o}", "done",
                         v && !strcmp(v, "on")    ? json_true()
                         : v && !strcmp(v, "off") ? json_false()
                                                  : json_string(v ? v : ""));
    }
    return NULL;
}

void vg_web_incident_action(struct vg_req *req, struct vg_resp *r)
{
    const char *ref = req->params[0], *action = req->params[1];
    json_t *in = action_json(req, action), *out = NULL;
    if (!in) {
        vg_page_error(req, r, 404, "No such action", "This incident has no such action.");
        return;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    int rc;
    if (!strcmp(action, "status") || !strcmp(action, "assignee"))
        rc = vg_incident_patch(req->st, &req->actor, ref, in, &out, NULL, &d);
    else if (!strcmp(action, "note"))
        rc = vg_incident_note(req->st, &req->actor, ref, in, &out, &d);
    else if (!strcmp(action, "observable"))
        rc = vg_incident_observable(req->st, &req->actor, ref, in, &out, &d);
    else {
        const char *step = form_arg(req, "step");
        rc = step ? vg_incident_step(req->st, &req->actor, ref, step, in, &out, &d)
                  : vg_diag_set(&d, VG_EINVAL, "step", "which step? (the form's step is missing)");
    }
    json_decref(in);
    json_decref(out);
    if (!rc) {
        struct vg_buf p;
        vg_page_redirect(r, inc_path(&p, ref, ""));
        vg_buf_cleanup(&p);
    } else if (rc == VG_EINVAL || rc == VG_ECONFLICT ||
               (rc == VG_ENOENT && !strcmp(d.field, "step"))) {
        /* the page again, the use case's message beside the form that caused it */
        struct act_err e = {action, d.message};
        incident_page(req, r, rc == VG_ECONFLICT ? 409 : rc == VG_ENOENT ? 404 : 400, &e);
    } else if (rc == VG_ENOENT) {
        vg_page_error(req, r, 404, "No such incident", "There is no incident with this reference.");
    } else {
        vg_resp_diag(r, rc, &d);
    }
}

/* ---- exports: what TLP withholds, and the download ---- */

/* The recipient named by ?to= and the format by ?format= (misp when absent). */
static int share_args(struct vg_req *req, struct vg_recipient *rcpt, const char **format,
                      struct vg_diag *d)
{
    const char *f = query_arg(req, "format");
    *format = f ? f : "misp";
    if (strcmp(*format, "misp") && strcmp(*format, "stix"))
        return vg_diag_set(d, VG_EINVAL, "format", "format is misp or stix");
    return vg_share_recipient(req->st, &req->actor, query_arg(req, "to"), rcpt, d);
}

/* Whether doc (an export) holds the observable o. */
static bool doc_has(const json_t *doc, const json_t *o)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it)
        if (!strcmp(vg_json_str(it, "value") ? vg_json_str(it, "value") : "",
                    vg_json_str(o, "value") ? vg_json_str(o, "value") : "") &&
            !strcmp(vg_json_str(it, "type") ? vg_json_str(it, "type") : "",
                    vg_json_str(o, "type") ? vg_json_str(o, "type") : ""))
            return true;
    return false;
}

static void share_table(struct vg_html *h, const json_t *obs, const json_t *doc, bool held,
                        const char *empty)
{
    size_t n = 0, i;
    json_t *o;
    json_array_foreach(obs, i, o)
        if (doc_has(doc, o) == held)
            n++;
    if (!n) {
        vg_html_elem(h, "p", empty, "class", "empty", NULL);
        return;
    }
    vg_html_open(h, "table", "class", held ? "list included" : "list withheld", NULL);
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    vg_html_elem(h, "th", "TLP", "scope", "col", NULL);
    vg_html_elem(h, "th", "Type", "scope", "col", NULL);
    vg_html_elem(h, "th", "Value", "scope", "col", NULL);
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
    vg_html_open(h, "tbody", NULL);
    json_array_foreach(obs, i, o) {
        if (doc_has(doc, o) != held)
            continue;
        vg_html_open(h, "tr", NULL);
        vg_html_open(h, "td", NULL);
        vg_page_tlp(h, vg_json_str(o, "tlp"));
        vg_html_close(h, "td");
        vg_html_elem(h, "td", vg_json_str(o, "type"), NULL);
        vg_html_open(h, "td", NULL);
        vg_html_elem(h, "code", vg_json_str(o, "value"), NULL);
        vg_html_close(h, "td");
        vg_html_close(h, "tr");
    }
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
}

/* The recipient select: the CERT itself, the partners (up to PARTNERS_SHOWN), the
 * organisations (up to ORGS_LISTED) as "org:N". */
static void recipient_select(struct vg_html *h, struct vg_req *req, const char *to)
{
    char(*vals)[32] = vg_calloc(PARTNERS_SHOWN + ORGS_LISTED, sizeof *vals);
    char(*labels)[160] = vg_calloc(PARTNERS_SHOWN + ORGS_LISTED, sizeof *labels);
    const char *opts[2 * (PARTNERS_SHOWN + ORGS_LISTED) + 4];
    if (!vals || !labels) {
        free(vals);
        free(labels);
        vg_html_elem(h, "p", "Out of memory.", "class", "error", NULL);
        return;
    }
    size_t n = 0, k = 0;
    opts[n++] = "";
    opts[n++] = "The CERT itself (internal: nothing withheld)";
    json_t *partners = NULL, *orgs = NULL, *x;
    struct vg_diag d;
    size_t i;
    struct vg_page pp = {PARTNERS_SHOWN, NULL}, po = {ORGS_LISTED, NULL};
    if (vg_store_partner_list(req->st, &pp, &partners, &d) == 0)
        json_array_foreach(json_object_get(partners, "items"), i, x) {
            snprintf(vals[k], sizeof vals[k], "%lld",
                     (long long)json_integer_value(json_object_get(x, "id")));
            snprintf(labels[k], sizeof labels[k], "Partner: %s (up to TLP:%s)",
                     vg_json_str(x, "name") ? vg_json_str(x, "name") : "?",
                     vg_json_str(x, "max_tlp") ? vg_json_str(x, "max_tlp") : "?");
            opts[n++] = vals[k];
            opts[n++] = labels[k++];
        }
    if (vg_store_org_list(req->st, &po, &orgs, &d) == 0)
        json_array_foreach(json_object_get(orgs, "items"), i, x) {
            snprintf(vals[k], sizeof vals[k], "org:%lld",
                     (long long)json_integer_value(json_object_get(x, "id")));
            snprintf(labels[k], sizeof labels[k], "Constituent: %s",
                     vg_json_str(x, "name") ? vg_json_str(x, "name") : "?");
            opts[n++] = vals[k];
            opts[n++] = labels[k++];
        }
    opts[n] = NULL;
    vg_page_select(h, "to", "Recipient", opts, to ? to : "", NULL);
    json_decref(partners);
    json_decref(orgs);
    free(vals);
    free(labels);
}

void vg_web_incident_share(struct vg_req *req, struct vg_resp *r)
{
    const char *ref = req->params[0];
    json_t *inc = NULL, *doc = NULL;
    int rc = vg_store_incident_get(req->st, ref, &inc);
    if (rc == VG_ENOENT) {
        vg_page_error(req, r, 404, "No such incident", "There is no incident with this reference.");
        return;
    }
    if (rc) {
        vg_resp_diag(r, rc, NULL);
        return;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_recipient rcpt;
    const char *format;
    int arc = share_args(req, &rcpt, &format, &d);
    int drc = arc ? arc : vg_share_incident_doc(req->st, &rcpt, ref, &doc, &d);
    char title[300];
    snprintf(title, sizeof title, "Export %s", vg_json_str(inc, "ref"));
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = title, .section = "incidents", .console = true});
    struct vg_buf p;
    vg_html_open(&h, "p", "class", "meta", NULL);
    vg_page_tlp(&h, vg_json_str(inc, "tlp"));
    vg_html_text(&h, " ");
    vg_html_elem(&h, "a", vg_json_str(inc, "title"), "href", inc_path(&p, ref, ""), NULL);
    vg_buf_cleanup(&p);
    vg_html_close(&h, "p");
    vg_html_open(&h, "form", "method", "get", "action", inc_path(&p, ref, "/share"), "class",
                 "filters", NULL);
    vg_buf_cleanup(&p);
    recipient_select(&h, req, query_arg(req, "to"));
    static const char *const formats[] = {"misp", "MISP", "stix", "STIX 2.1", NULL};
    vg_page_select(&h, "format", "Format", (const char *const *)formats, format,
                   arc == VG_EINVAL && !strcmp(d.field, "format") ? d.message : NULL);
    vg_html_elem(&h, "button", "Show", "type", "submit", NULL);
    vg_html_close(&h, "form");
    const json_t *obs = json_object_get(inc, "observables");
    int status = 200;
    if (arc) {
        status = arc == VG_ENOENT ? 404 : 400;
        vg_html_elem(&h, "p", d.message, "class", "error-message", "role", "alert", NULL);
    } else if (drc == VG_ENOENT) {
        vg_html_elem(&h, "h2", "Withheld by TLP", NULL);
        vg_html_elem(&h, "p",
                     "The whole incident is withheld: its TLP does not allow this recipient to "
                     "get it. Nothing would be sent.",
                     "class", "withheld-all", NULL);
    } else if (drc) {
        status = 500;
        vg_html_elem(&h, "p", "The export could not be made.", "class", "error-message", NULL);
    } else {
        vg_html_elem(&h, "h2", "Included", NULL);
        share_table(&h, obs, doc, true, "No observable would be sent.");
        vg_html_elem(&h, "h2", "Withheld by TLP", NULL);
        share_table(&h, obs, doc, false, "Nothing is withheld from this recipient.");
        vg_html_open(&h, "p", "class", "meta", NULL);
        vg_html_textf(&h, "Members withheld in all (observables and their sightings): %lld.",
                      (long long)json_integer_value(json_object_get(doc, "withheld")));
        vg_html_close(&h, "p");
        struct vg_buf q;
        vg_buf_init(&q, 1024);
        vg_buf_puts(&q, "/export?format=");
        vg_buf_puts(&q, format);
        if (query_arg(req, "to")) {
            vg_buf_puts(&q, "&to=");
            vg_url_encode(&q, query_arg(req, "to"));
        }
        vg_html_open(&h, "p", "class", "actions", NULL);
        vg_html_elem(&h, "a",
                     !strcmp(format, "stix") ? "Download the STIX 2.1 bundle"
                                             : "Download the MISP event",
                     "href", inc_path(&p, ref, q.data ? q.data : ""), "class", "button", "download",
                     "", NULL);
        vg_html_close(&h, "p");
        vg_buf_cleanup(&p);
        vg_buf_cleanup(&q);
    }
    json_decref(doc);
    json_decref(inc);
    vg_page_end(&h, r, status);
}

void vg_web_incident_export(struct vg_req *req, struct vg_resp *r)
{
    const char *ref = req->params[0];
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_recipient rcpt;
    const char *format;
    json_t *doc = NULL;
    int rc = share_args(req, &rcpt, &format, &d);
    if (!rc)
        rc = vg_share_incident_doc(req->st, &rcpt, ref, &doc, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct vg_buf b;
    vg_buf_init(&b, EXPORT_MAX);
    rc = vg_share_write(doc, format, &b, &d);
    json_decref(doc);
    if (rc) {
        vg_resp_diag(r, rc == VG_ETOOBIG ? VG_ETOOBIG : VG_EIO, &d);
    } else {
        /* the file's name from the reference's safe characters only */
        char name[128];
        size_t n = 0;
        for (const char *c = ref; *c && n < 80; c++)
            if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                *c == '-')
                name[n++] = *c;
        snprintf(name + n, sizeof name - n, "-%s.json", format);
        char disp[192];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", name);
        vg_resp_header(r, "Content-Disposition", disp);
        vg_resp_header(r, "X-Content-Type-Options", "nosniff");
        vg_resp_text(r, 200, VG_CONTENT_JSON, &b);
    }
    vg_buf_cleanup(&b);
}
