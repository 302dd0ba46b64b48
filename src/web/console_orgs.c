/* The console's organisations (web/web.h): the constituency directory, and one organisation
 * with its assets, contacts, the technology watch's findings by priority, detection's alerts
 * and sightings attributed to it and its incidents. Read-only pages over the store's paged
 * queries, the same the API answers GET /api/v1/orgs, /orgs/{id} and /orgs/{id}/findings with. */
#include <stdio.h>
#include <string.h>

#include "app/org.h"
#include "core/model.h"
#include "http/response.h"
#include "http/server.h"
#include "util/json.h"
#include "web/page.h"
#include "web/web.h"

/* Rows of a list page, and of each section of an organisation's page. */
#define FINDINGS_PAGE 50
#define SECTION_ROWS  20

/* A built link's text: "#" (inert) when it did not fit. */
static const char *buf_str(const struct vg_buf *b)
{
    return b->data && !b->failed ? b->data : "#";
}

/* A link whose href is base followed by the value of one query argument, percent-encoded. */
static void link_arg(struct vg_html *h, const char *text, const char *base, const char *value,
                     const char *cls)
{
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    vg_buf_puts(&b, base);
    vg_url_encode(&b, value);
    vg_html_elem(h, "a", text, "href", buf_str(&b), "class", cls, NULL);
    vg_buf_cleanup(&b);
}

static void cell(struct vg_html *h, const char *text)
{
    vg_html_elem(h, "td", text && *text ? text : "-", NULL);
}

static void cellf_count(struct vg_html *h, const json_t *assets, const char *key, const char *what)
{
    vg_html_textf(h, "%zu %s", json_array_size(json_object_get(assets, key)), what);
}

/* An answer of the store that failed, as an error page (its status from rc). */
static void store_failed(struct vg_resp *r, int rc, const struct vg_diag *d)
{
    vg_resp_diag(r, rc, d);
}

/* A select of names (core/model.h) with "any" first. */
static void names_select(struct vg_html *h, const char *name, const char *label,
                         const char *const *names, const char *selected, const char *error)
{
    const char *opts[2 * 24 + 3];
    size_t k = 0;
    opts[k++] = "";
    opts[k++] = "any";
    for (size_t i = 0; names[i] && k + 3 < sizeof opts / sizeof opts[0]; i++) {
        opts[k++] = names[i];
        opts[k++] = names[i];
    }
    opts[k] = NULL;
    vg_page_select(h, name, label, opts, selected, error);
}

void vg_web_orgs(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out = NULL;
    if (vg_req_page(req, r, &page))
        return;
    const char *name = vg_req_arg(req, "name"), *kind = vg_req_arg(req, "kind");
    const char *sector = vg_req_arg(req, "sector");
    int rc = vg_org_list(req->st, name, kind, sector, &page, &out, &d);
    bool bad = rc == VG_EINVAL && strcmp(d.field, "cursor") != 0;
    if (rc && !bad) {
        store_failed(r, rc, &d);
        return;
    }
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    struct vg_page_frame p = {.title = "Organisations", .section = "orgs", .console = true};
    vg_page_begin(&h, req, &p);
    vg_html_open(&h, "form", "method", "get", "action", "/console/orgs", "class", "filters", "role",
                 "search", NULL);
    vg_page_input(&h, "name", "Name contains", "search", name,
                  bad && !strcmp(d.field, "name") ? d.message : NULL, false);
    names_select(&h, "kind", "Kind", vg_org_kind_names, kind,
                 bad && !strcmp(d.field, "kind") ? d.message : NULL);
    names_select(&h, "sector", "Sector", vg_sector_names, sector,
                 bad && !strcmp(d.field, "sector") ? d.message : NULL);
    vg_html_elem(&h, "button", "Filter", "type", "submit", NULL);
    vg_html_close(&h, "form");
    json_t *items = json_object_get(out, "items");
    if (bad) {
        vg_html_elem(&h, "p", "Correct the filter to see organisations.", "class", "empty", NULL);
    } else if (!json_array_size(items)) {
        vg_html_elem(&h, "p",
                     page.cursor ? "No more organisations."
                     : (name && *name) || (kind && *kind) || (sector && *sector)
                         ? "No organisation matches."
                         : "No organisation in the constituency.",
                     "class", "empty", NULL);
    } else {
        vg_html_open(&h, "table", "class", "list orgs", NULL);
        static const char *const cols[] = {"Name",   "Kind",     "Sector", "Constituency",
                                           "Assets", "Contacts", NULL};
        vg_page_thead(&h, cols);
        vg_html_open(&h, "tbody", NULL);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) {
            char href[64];
            snprintf(href, sizeof href, "/console/orgs/%lld",
                     (long long)json_integer_value(json_object_get(o, "id")));
            const json_t *assets = json_object_get(o, "assets");
            vg_html_open(&h, "tr", NULL);
            vg_html_open(&h, "td", NULL);
            vg_html_elem(&h, "a", vg_json_str(o, "name"), "href", href, NULL);
            vg_html_close(&h, "td");
            cell(&h, vg_json_str(o, "kind"));
            cell(&h, vg_json_str(o, "sector"));
            cell(&h, json_is_true(json_object_get(o, "eligible")) ? "eligible" : "not eligible");
            vg_html_open(&h, "td", NULL);
            cellf_count(&h, assets, "cidrs", "networks, ");
            cellf_count(&h, assets, "domains", "domains, ");
            cellf_count(&h, assets, "products", "products");
            vg_html_close(&h, "td");
            vg_html_open(&h, "td", NULL);
            vg_html_textf(&h, "%zu", json_array_size(json_object_get(o, "contacts")));
            vg_html_close(&h, "td");
            vg_html_close(&h, "tr");
        }
        vg_html_close(&h, "tbody");
        vg_html_close(&h, "table");
    }
    const char *next = vg_json_str(out, "next_cursor");
    if (next) {
        /* the filters kept, then the cursor */
        struct vg_buf b;
        vg_buf_init(&b, 4096);
        vg_buf_printf(&b, "/console/orgs?limit=%d", page.limit);
        const char *kv[] = {"name", name, "kind", kind, "sector", sector};
        for (size_t i = 0; i < 6; i += 2) {
            if (!kv[i + 1] || !*kv[i + 1])
                continue;
            vg_buf_printf(&b, "&%s=", kv[i]);
            vg_url_encode(&b, kv[i + 1]);
        }
        vg_buf_puts(&b, "&cursor=");
        vg_html_open(&h, "p", "class", "pager", NULL);
        link_arg(&h, "Next page", buf_str(&b), next, "next");
        vg_html_close(&h, "p");
        vg_buf_cleanup(&b);
    }
    json_decref(out);
    vg_page_end(&h, r, bad ? 400 : 200);
}

/* A list of strings (an organisation's CIDRs, domains or products) under an h3, or an empty
 * state. */
static void asset_list(struct vg_html *h, const json_t *assets, const char *key, const char *title,
                       const char *cls)
{
    const json_t *a = json_object_get(assets, key);
    vg_html_elem(h, "h3", title, NULL);
    if (!json_array_size(a)) {
        vg_html_elem(h, "p", "None.", "class", "empty", NULL);
        return;
    }
    vg_html_open(h, "ul", "class", cls, NULL);
    size_t i;
    const json_t *v;
    json_array_foreach(a, i, v) {
        vg_html_elem(h, "li", json_string_value(v), NULL);
    }
    vg_html_close(h, "ul");
}

static void contacts_section(struct vg_html *h, const json_t *contacts)
{
    vg_html_elem(h, "h2", "Contacts", "id", "contacts", NULL);
    if (!json_array_size(contacts)) {
        vg_html_elem(h, "p", "No contact.", "class", "empty", NULL);
        return;
    }
    vg_html_open(h, "table", "class", "list contacts", NULL);
    static const char *const cols[] = {"Name", "E-mail", "Phone", "Role", NULL};
    vg_page_thead(h, cols);
    vg_html_open(h, "tbody", NULL);
    size_t i;
    const json_t *c;
    json_array_foreach(contacts, i, c) {
        vg_html_open(h, "tr", NULL);
        cell(h, vg_json_str(c, "name"));
        const char *email = vg_json_str(c, "email");
        if (email && *email) {
            struct vg_buf b;
            vg_buf_init(&b, 512);
            vg_buf_puts(&b, "mailto:");
            vg_url_encode(&b, email);
            vg_html_open(h, "td", NULL);
            vg_html_elem(h, "a", email, "href", buf_str(&b), NULL);
            vg_html_close(h, "td");
            vg_buf_cleanup(&b);
        } else {
            cell(h, NULL);
        }
        cell(h, vg_json_str(c, "phone"));
        cell(h, vg_json_str(c, "role"));
        vg_html_close(h, "tr");
    }
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
}

/* The findings of org by priority (the store's order, as GET /api/v1/orgs/{id}/findings),
 * a page of them from cursor. */
static int findings_section(struct vg_html *h, struct vg_req *req, long long org,
                            const char *cursor, struct vg_diag *d)
{
    struct vg_page page = {FINDINGS_PAGE, cursor};
    json_t *out = NULL;
    int rc = vg_store_finding_list(req->st, org, NULL, &page, &out, d);
    if (rc)
        return rc;
    vg_html_elem(h, "h2", "Findings by priority", "id", "findings", NULL);
    json_t *items = json_object_get(out, "items");
    if (!json_array_size(items)) {
        vg_html_elem(h, "p", "No finding: no known vulnerability in its products.", "class",
                     "empty", NULL);
    } else {
        vg_html_open(h, "table", "class", "list findings", NULL);
        static const char *const cols[] = {"Priority", "CVE",  "Product",   "CVSS",
                                           "KEV",      "EPSS", "Published", NULL};
        vg_page_thead(h, cols);
        vg_html_open(h, "tbody", NULL);
        size_t i;
        json_t *f;
        json_array_foreach(items, i, f) {
            const json_t *cvss = json_object_get(f, "cvss"), *epss = json_object_get(f, "epss");
            vg_html_open(h, "tr", NULL);
            vg_html_open(h, "td", NULL);
            vg_html_textf(h, "%lld", (long long)json_integer_value(json_object_get(f, "priority")));
            vg_html_close(h, "td");
            cell(h, vg_json_str(f, "cve"));
            cell(h, vg_json_str(f, "asset"));
            vg_html_open(h, "td", NULL);
            if (json_is_object(cvss))
                vg_html_textf(h, "%.1f %s", json_number_value(json_object_get(cvss, "score")),
                              vg_json_str(cvss, "severity") ? vg_json_str(cvss, "severity") : "");
            else
                vg_html_text(h, "-");
            vg_html_close(h, "td");
            cell(h, json_is_object(json_object_get(f, "kev")) ? "yes" : "no");
            vg_html_open(h, "td", NULL);
            if (json_is_object(epss))
                vg_html_textf(h, "%.3f", json_number_value(json_object_get(epss, "score")));
            else
                vg_html_text(h, "-");
            vg_html_close(h, "td");
            vg_html_open(h, "td", NULL);
            vg_page_time(h, vg_json_str(f, "published"));
            vg_html_close(h, "td");
            vg_html_close(h, "tr");
        }
        vg_html_close(h, "tbody");
        vg_html_close(h, "table");
    }
    const char *next = vg_json_str(out, "next_cursor");
    if (next) {
        char base[80];
        snprintf(base, sizeof base, "/console/orgs/%lld?findings=", org);
        vg_html_open(h, "p", "class", "pager", NULL);
        link_arg(h, "More findings", base, next, "next");
        vg_html_close(h, "p");
    }
    json_decref(out);
    return 0;
}

static int alerts_section(struct vg_html *h, struct vg_req *req, long long org, struct vg_diag *d)
{
    struct vg_page page = {SECTION_ROWS, NULL};
    json_t *f = json_pack("{s:I}", "org", (json_int_t)org), *out = NULL;
    int rc = f ? vg_store_alert_list(req->st, f, &page, &out, d) : VG_ENOMEM;
    json_decref(f);
    if (rc)
        return rc;
    char href[80];
    vg_html_elem(h, "h2", "Alerts", "id", "alerts", NULL);
    json_t *items = json_object_get(out, "items");
    if (!json_array_size(items)) {
        vg_html_elem(h, "p", "No alert.", "class", "empty", NULL);
    } else {
        vg_html_open(h, "table", "class", "list alerts", NULL);
        static const char *const cols[] = {"TLP", "Indicator", "Day", "Sightings", "Status", NULL};
        vg_page_thead(h, cols);
        vg_html_open(h, "tbody", NULL);
        size_t i;
        json_t *a;
        json_array_foreach(items, i, a) {
            const json_t *ind = json_object_get(a, "indicator");
            vg_html_open(h, "tr", NULL);
            vg_html_open(h, "td", NULL);
            vg_page_tlp(h, vg_json_str(ind, "tlp"));
            vg_html_close(h, "td");
            vg_html_open(h, "td", NULL);
            vg_html_textf(h, "%s %s", vg_json_str(ind, "type") ? vg_json_str(ind, "type") : "",
                          vg_json_str(ind, "value") ? vg_json_str(ind, "value") : "");
            vg_html_close(h, "td");
            cell(h, vg_json_str(a, "day"));
            vg_html_open(h, "td", NULL);
            vg_html_textf(h, "%lld", (long long)json_integer_value(json_object_get(a, "count")));
            vg_html_close(h, "td");
            vg_html_open(h, "td", NULL);
            const char *inc = vg_json_str(a, "incident");
            if (inc) {
                vg_html_text(h, "escalated to ");
                link_arg(h, inc, "/console/incidents/", inc, NULL);
            } else {
                vg_html_text(h, vg_json_str(a, "status"));
            }
            vg_html_close(h, "td");
            vg_html_close(h, "tr");
        }
        vg_html_close(h, "tbody");
        vg_html_close(h, "table");
    }
    snprintf(href, sizeof href, "/console/alerts?org=%lld", org);
    vg_html_open(h, "p", NULL);
    vg_html_elem(h, "a", "All its alerts", "href", href, NULL);
    vg_html_close(h, "p");
    json_decref(out);
    return 0;
}

static int sightings_section(struct vg_html *h, struct vg_req *req, long long org,
                             struct vg_diag *d)
{
    struct vg_page page = {SECTION_ROWS, NULL};
    json_t *f = json_pack("{s:I}", "org", (json_int_t)org), *out = NULL;
    int rc = f ? vg_store_sighting_list(req->st, f, &page, &out, d) : VG_ENOMEM;
    json_decref(f);
    if (rc)
        return rc;
    vg_html_elem(h, "h2", "Sightings", "id", "sightings", NULL);
    json_t *items = json_object_get(out, "items");
    if (!json_array_size(items)) {
        vg_html_elem(h, "p", "No sighting.", "class", "empty", NULL);
    } else {
        vg_html_open(h, "table", "class", "list sightings", NULL);
        static const char *const cols[] = {"TLP",   "Seen",  "Indicator", "Value seen",
                                           "Field", "Where", NULL};
        vg_page_thead(h, cols);
        vg_html_open(h, "tbody", NULL);
        size_t i;
        json_t *s;
        json_array_foreach(items, i, s) {
            const json_t *ind = json_object_get(s, "indicator");
            vg_html_open(h, "tr", NULL);
            vg_html_open(h, "td", NULL);
            vg_page_tlp(h, vg_json_str(s, "tlp"));
            vg_html_close(h, "td");
            vg_html_open(h, "td", NULL);
            vg_page_time(h, vg_json_str(s, "seen"));
            vg_html_close(h, "td");
            cell(h, vg_json_str(ind, "value"));
            cell(h, vg_json_str(s, "value"));
            cell(h, vg_json_str(s, "field"));
            cell(h, vg_json_str(s, "source"));
            vg_html_close(h, "tr");
        }
        vg_html_close(h, "tbody");
        vg_html_close(h, "table");
    }
    char href[80];
    snprintf(href, sizeof href, "/console/sightings?org=%lld", org);
    vg_html_open(h, "p", NULL);
    vg_html_elem(h, "a", "All its sightings", "href", href, NULL);
    vg_html_close(h, "p");
    json_decref(out);
    return 0;
}

static int incidents_section(struct vg_html *h, struct vg_req *req, long long org,
                             struct vg_diag *d)
{
    struct vg_page page = {SECTION_ROWS, NULL};
    json_t *f = json_pack("{s:I}", "org", (json_int_t)org), *out = NULL;
    int rc = f ? vg_store_incident_list(req->st, f, &page, &out, d) : VG_ENOMEM;
    json_decref(f);
    if (rc)
        return rc;
    vg_html_elem(h, "h2", "Incidents", "id", "incidents", NULL);
    json_t *items = json_object_get(out, "items");
    if (!json_array_size(items)) {
        vg_html_elem(h, "p", "No incident.", "class", "empty", NULL);
    } else {
        vg_html_open(h, "table", "class", "list incidents", NULL);
        static const char *const cols[] = {"TLP", "Reference", "Title", "Status", "Severity", NULL};
        vg_page_thead(h, cols);
        vg_html_open(h, "tbody", NULL);
        size_t i;
        json_t *n;
        json_array_foreach(items, i, n) {
            const char *ref = vg_json_str(n, "ref");
            vg_html_open(h, "tr", NULL);
            vg_html_open(h, "td", NULL);
            vg_page_tlp(h, vg_json_str(n, "tlp"));
            vg_html_close(h, "td");
            vg_html_open(h, "td", NULL);
            link_arg(h, ref, "/console/incidents/", ref, NULL);
            vg_html_close(h, "td");
            cell(h, vg_json_str(n, "title"));
            cell(h, vg_json_str(n, "status"));
            cell(h, vg_json_str(n, "severity"));
            vg_html_close(h, "tr");
        }
        vg_html_close(h, "tbody");
        vg_html_close(h, "table");
    }
    char href[80];
    snprintf(href, sizeof href, "/console/incidents?org=%lld", org);
    vg_html_open(h, "p", NULL);
    vg_html_elem(h, "a", "All its incidents", "href", href, NULL);
    vg_html_close(h, "p");
    json_decref(out);
    return 0;
}

void vg_web_org(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "organisation");
    if (!id)
        return;
    json_t *org = NULL;
    int rc = vg_store_org_get(req->st, id, &org);
    if (rc) {
        vg_resp_get_failed(r, rc, "id", "organisation %lld", id);
        return;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    const char *name = vg_json_str(org, "name");
    struct vg_page_frame p = {.title = name ? name : "Organisation",
                              .section = "orgs",
                              .console = true};
    vg_page_begin(&h, req, &p);
    vg_html_open(&h, "dl", "class", "meta", NULL);
    vg_html_elem(&h, "dt", "Kind", NULL);
    vg_html_elem(&h, "dd", vg_json_str(org, "kind"), NULL);
    vg_html_elem(&h, "dt", "Sector", NULL);
    vg_html_elem(&h, "dd", vg_json_str(org, "sector"), NULL);
    vg_html_elem(&h, "dt", "Constituency", NULL);
    vg_html_elem(&h, "dd",
                 json_is_true(json_object_get(org, "eligible"))
                     ? "eligible"
                     : "not eligible (sent to cybermalveillance.gouv.fr)",
                 NULL);
    vg_html_close(&h, "dl");

    const json_t *assets = json_object_get(org, "assets");
    vg_html_elem(&h, "h2", "Assets", "id", "assets", NULL);
    asset_list(&h, assets, "cidrs", "Networks", "list cidrs");
    asset_list(&h, assets, "domains", "Domains", "list domains");
    asset_list(&h, assets, "products", "Products (CPE)", "list products");
    contacts_section(&h, json_object_get(org, "contacts"));
    if ((rc = findings_section(&h, req, id, vg_req_arg(req, "findings"), &d)) ||
        (rc = alerts_section(&h, req, id, &d)) || (rc = sightings_section(&h, req, id, &d)) ||
        (rc = incidents_section(&h, req, id, &d))) {
        vg_html_cleanup(&h);
        json_decref(org);
        store_failed(r, rc, &d);
        return;
    }
    json_decref(org);
    vg_page_end(&h, r, 200);
}
