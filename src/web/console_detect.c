/* The console's detection pages (web/web.h): indicators, their sightings in logs and the
 * alerts that group sightings, with "Escalate to incident" running the API's escalation
 * (app/alert.h). Lists are the store's paged queries with the API's filters; every value
 * shown (indicator values, fields of logs: outside data) goes through the escaping writer. */
#include <stdio.h>
#include <string.h>

#include "app/alert.h"
#include "core/observable.h"
#include "http/response.h"
#include "http/server.h"
#include "util/json.h"
#include "util/str.h"
#include "web/page.h"
#include "web/web.h"

/* A query string's arguments: name, value pairs (a NULL or "" value is left out). */
#define MAX_ARGS 6

/* Writes path?name=value&... (values percent-encoded) to b. */
static void build_query(struct vg_buf *b, const char *path, const char *const *kv, size_t n)
{
    vg_buf_puts(b, path);
    char sep = '?';
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (!kv[i + 1] || !*kv[i + 1])
            continue;
        vg_buf_putc(b, sep);
        vg_buf_puts(b, kv[i]);
        vg_buf_putc(b, '=');
        vg_url_encode(b, kv[i + 1]);
        sep = '&';
    }
}

/* A link to path with those arguments ("#", inert, if it did not fit). */
static void query_link(struct vg_html *h, const char *text, const char *path, const char *const *kv,
                       size_t n, const char *cls)
{
    struct vg_buf b;
    vg_buf_init(&b, 4096);
    build_query(&b, path, kv, n);
    vg_html_elem(h, "a", text, "href", b.data && !b.failed ? b.data : "#", "class", cls, NULL);
    vg_buf_cleanup(&b);
}

/* The "next page" link: the filters kept, the limit if one was asked, the cursor. */
static void pager(struct vg_html *h, struct vg_req *req, const char *path, const char *const *kv,
                  size_t n, const char *next)
{
    if (!next)
        return;
    const char *all[2 * MAX_ARGS + 4];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 2 < sizeof all / sizeof all[0]; i++)
        all[k++] = kv[i];
    all[k++] = "limit";
    all[k++] = vg_req_arg(req, "limit");
    all[k++] = "cursor";
    all[k++] = next;
    vg_html_open(h, "p", "class", "pager", NULL);
    query_link(h, "Next page", path, all, k, "next");
    vg_html_close(h, "p");
}

static void cell(struct vg_html *h, const char *text)
{
    vg_html_elem(h, "td", text && *text ? text : "-", NULL);
}

static void cell_time(struct vg_html *h, const char *t)
{
    vg_html_open(h, "td", NULL);
    vg_page_time(h, t);
    vg_html_close(h, "td");
}

static void cell_tlp(struct vg_html *h, const char *tlp)
{
    vg_html_open(h, "td", NULL);
    vg_page_tlp(h, tlp);
    vg_html_close(h, "td");
}

/* What matched: the indicator's type and value. */
static void cell_indicator(struct vg_html *h, const json_t *ind)
{
    vg_html_open(h, "td", NULL);
    vg_html_elem(h, "span", vg_json_str(ind, "type"), "class", "badge", NULL);
    vg_html_text(h, " ");
    vg_html_elem(h, "code", vg_json_str(ind, "value"), NULL);
    vg_html_close(h, "td");
}

/* For whom: the organisation a sighting or an alert is attributed to, linked, or none. */
static void cell_org(struct vg_html *h, const json_t *o)
{
    const json_t *org = json_object_get(o, "org");
    vg_html_open(h, "td", NULL);
    if (json_is_integer(org)) {
        char href[64];
        snprintf(href, sizeof href, "/console/orgs/%lld", (long long)json_integer_value(org));
        const char *name = vg_json_str(o, "org_name");
        vg_html_elem(h, "a", name ? name : "organisation", "href", href, NULL);
    } else {
        vg_html_text(h, "not attributed");
    }
    vg_html_close(h, "td");
}

/* A positive id typed in a filter field into filters[key]: 0, or -1 with *error set. */
static int id_filter(const char *v, const char *key, json_t *filters, const char **error)
{
    unsigned long long n;
    if (!v || !*v)
        return 0;
    if (vg_str_to_u64(vg_str_c(v), 1, (unsigned long long)1 << 53, &n) != 0) {
        *error = "an id is a positive whole number";
        return -1;
    }
    json_object_set_new(filters, key, json_integer((json_int_t)n));
    return 0;
}

static void filters_begin(struct vg_html *h, const char *action)
{
    vg_html_open(h, "form", "method", "get", "action", action, "class", "filters", "role", "search",
                 NULL);
}

static void filters_end(struct vg_html *h)
{
    vg_html_elem(h, "button", "Filter", "type", "submit", NULL);
    vg_html_close(h, "form");
}

/* ---- indicators ---- */

static const char *const indicator_types[] = {
    "",       "any type", "ipv4-addr", "IPv4",       "ipv6-addr", "IPv6", "domain-name",
    "domain", "url",      "URL",       "email-addr", "e-mail",    "md5",  "MD5",
    "sha1",   "SHA-1",    "sha256",    "SHA-256",    NULL,
};

void vg_web_indicators(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    if (vg_req_page(req, r, &page))
        return;
    const char *type = vg_req_arg(req, "type"), *source = vg_req_arg(req, "source");
    const char *value = vg_req_arg(req, "value");
    const char *type_error = NULL, *value_error = NULL;
    json_t *f = json_object(), *out = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    enum vg_obs_type t = VG_OBS_UNKNOWN;
    if (type && *type) {
        t = vg_obs_type_parse(type);
        if (t == VG_OBS_UNKNOWN)
            type_error = "not an indicator type";
        else
            json_object_set_new(f, "type", json_string(type));
    }
    if (source && *source)
        json_object_set_new(f, "source", json_string(source));
    /* a value is searched by its normal form (and type, detected when not chosen) */
    struct vg_observable obs;
    if (!type_error && value && *value) {
        if (strlen(value) > VG_MAX_OBSERVABLE ||
            vg_observable_parse(vg_str_c(value), t, &obs, &d) != 0) {
            value_error = d.message[0] ? d.message : "not a value of that type";
        } else {
            json_object_set_new(f, "type", json_string(vg_obs_type_name(obs.type)));
            json_object_set_new(f, "value", json_string(obs.value));
        }
    }
    bool bad = type_error || value_error;
    int rc = bad ? 0 : vg_store_indicator_list(req->st, f, &page, &out, &d);
    json_decref(f);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    struct vg_page_frame p = {.title = "Indicators", .section = "indicators", .console = true};
    vg_page_begin(&h, req, &p);
    filters_begin(&h, "/console/indicators");
    vg_page_select(&h, "type", "Type", indicator_types, type, type_error);
    vg_page_input(&h, "source", "Source (feed)", "text", source, NULL, false);
    vg_page_input(&h, "value", "Value", "search", value, value_error, false);
    filters_end(&h);
    json_t *items = json_object_get(out, "items");
    if (bad) {
        vg_html_elem(&h, "p", "Correct the filter to see indicators.", "class", "empty", NULL);
    } else if (!json_array_size(items)) {
        vg_html_elem(&h, "p", page.cursor ? "No more indicators." : "No indicator matches.",
                     "class", "empty", NULL);
    } else {
        vg_html_open(&h, "table", "class", "list indicators", NULL);
        static const char *const cols[] = {"TLP",     "Type",       "Value",
                                           "Source",  "Confidence", "Last seen",
                                           "Expires", "Sightings",  NULL};
        vg_page_thead(&h, cols);
        vg_html_open(&h, "tbody", NULL);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) {
            vg_html_open(&h, "tr", NULL);
            cell_tlp(&h, vg_json_str(o, "tlp"));
            cell(&h, vg_json_str(o, "type"));
            vg_html_open(&h, "td", NULL);
            vg_html_elem(&h, "code", vg_json_str(o, "value"), NULL);
            vg_html_close(&h, "td");
            cell(&h, vg_json_str(o, "source"));
            vg_html_open(&h, "td", NULL);
            vg_html_textf(&h, "%lld",
                          (long long)json_integer_value(json_object_get(o, "confidence")));
            vg_html_close(&h, "td");
            cell_time(&h, vg_json_str(o, "last_seen"));
            cell_time(&h, vg_json_str(o, "expires"));
            char href[80];
            snprintf(href, sizeof href, "/console/sightings?indicator=%lld",
                     (long long)json_integer_value(json_object_get(o, "id")));
            vg_html_open(&h, "td", NULL);
            vg_html_elem(&h, "a", "Sightings", "href", href, NULL);
            vg_html_close(&h, "td");
            vg_html_close(&h, "tr");
        }
        vg_html_close(&h, "tbody");
        vg_html_close(&h, "table");
        const char *kv[] = {"type", type, "source", source, "value", value};
        pager(&h, req, "/console/indicators", kv, 6, vg_json_str(out, "next_cursor"));
    }
    json_decref(out);
    vg_page_end(&h, r, bad ? 400 : 200);
}

/* ---- sightings ---- */

void vg_web_sightings(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    if (vg_req_page(req, r, &page))
        return;
    const char *org = vg_req_arg(req, "org"), *ind = vg_req_arg(req, "indicator");
    const char *org_error = NULL, *ind_error = NULL;
    json_t *f = json_object(), *out = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    id_filter(org, "org", f, &org_error);
    id_filter(ind, "indicator", f, &ind_error);
    bool bad = org_error || ind_error;
    int rc = bad ? 0 : vg_store_sighting_list(req->st, f, &page, &out, &d);
    json_decref(f);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    struct vg_page_frame p = {.title = "Sightings", .section = "sightings", .console = true};
    vg_page_begin(&h, req, &p);
    filters_begin(&h, "/console/sightings");
    vg_page_input(&h, "org", "Organisation id", "text", org, org_error, false);
    vg_page_input(&h, "indicator", "Indicator id", "text", ind, ind_error, false);
    filters_end(&h);
    json_t *items = json_object_get(out, "items");
    if (bad) {
        vg_html_elem(&h, "p", "Correct the filter to see sightings.", "class", "empty", NULL);
    } else if (!json_array_size(items)) {
        vg_html_elem(&h, "p", page.cursor ? "No more sightings." : "No sighting.", "class", "empty",
                     NULL);
    } else {
        vg_html_open(&h, "table", "class", "list sightings", NULL);
        static const char *const cols[] = {"TLP",        "Seen",  "Organisation", "Indicator",
                                           "Value seen", "Field", "Where",        NULL};
        vg_page_thead(&h, cols);
        vg_html_open(&h, "tbody", NULL);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) {
            vg_html_open(&h, "tr", NULL);
            cell_tlp(&h, vg_json_str(o, "tlp"));
            cell_time(&h, vg_json_str(o, "seen"));
            cell_org(&h, o);
            cell_indicator(&h, json_object_get(o, "indicator"));
            vg_html_open(&h, "td", NULL);
            vg_html_elem(&h, "code", vg_json_str(o, "value"), NULL);
            vg_html_close(&h, "td");
            cell(&h, vg_json_str(o, "field"));
            cell(&h, vg_json_str(o, "source"));
            vg_html_close(&h, "tr");
        }
        vg_html_close(&h, "tbody");
        vg_html_close(&h, "table");
        const char *kv[] = {"org", org, "indicator", ind};
        pager(&h, req, "/console/sightings", kv, 4, vg_json_str(out, "next_cursor"));
    }
    json_decref(out);
    vg_page_end(&h, r, bad ? 400 : 200);
}

/* ---- alerts ---- */

static const char *const alert_states[] = {
    "", "open first, then escalated", "open", "open", "escalated", "escalated", NULL,
};

/* A page of alerts of status (NULL: open ones first, then the escalated ones: the cursor
 * says which part, "o..." or "e...", each with the store's cursor after its letter). *out =
 * {"items","next_cursor"} as the store's. */
static int alert_page(struct vg_store *st, const char *status, json_t *f,
                      const struct vg_page *page, json_t **out, struct vg_diag *d)
{
    if (status) {
        json_object_set_new(f, "status", json_string(status));
        return vg_store_alert_list(st, f, page, out, d);
    }
    const char *c = page->cursor;
    if (c && c[0] != 'o' && c[0] != 'e')
        return vg_diag_set(d, VG_EINVAL, "cursor", "invalid cursor");
    bool escalated = c && c[0] == 'e';
    struct vg_page part = {page->limit, c && c[1] ? c + 1 : NULL};
    json_t *open = NULL, *esc = NULL;
    char next[128];
    next[0] = 0;
    int rc;
    if (!escalated) {
        json_object_set_new(f, "status", json_string("open"));
        if ((rc = vg_store_alert_list(st, f, &part, &open, d)))
            return rc;
        const char *n = vg_json_str(open, "next_cursor");
        size_t got = json_array_size(json_object_get(open, "items"));
        if (n) {
            snprintf(next, sizeof next, "o%s", n);
            *out = json_pack("{s:O,s:s}", "items", json_object_get(open, "items"), "next_cursor",
                             next);
            json_decref(open);
            return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
        if (got >= (size_t)page->limit) { /* the escalated ones on the next page */
            *out =
                json_pack("{s:O,s:s}", "items", json_object_get(open, "items"), "next_cursor", "e");
            json_decref(open);
            return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        }
        part.limit = page->limit - (int)got;
        part.cursor = NULL;
    }
    json_object_set_new(f, "status", json_string("escalated"));
    if ((rc = vg_store_alert_list(st, f, &part, &esc, d))) {
        json_decref(open);
        return rc;
    }
    const char *n = vg_json_str(esc, "next_cursor");
    if (n)
        snprintf(next, sizeof next, "e%s", n);
    json_t *items = open ? json_object_get(open, "items") : NULL;
    if (items)
        json_array_extend(items, json_object_get(esc, "items"));
    *out = json_pack("{s:O,s:s?}", "items", items ? items : json_object_get(esc, "items"),
                     "next_cursor", next[0] ? next : NULL);
    json_decref(open);
    json_decref(esc);
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

void vg_web_alerts(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    if (vg_req_page(req, r, &page))
        return;
    const char *org = vg_req_arg(req, "org"), *status = vg_req_arg(req, "status");
    const char *org_error = NULL, *status_error = NULL;
    json_t *f = json_object(), *out = NULL;
    struct vg_diag d;
    vg_diag_clear(&d);
    id_filter(org, "org", f, &org_error);
    if (status && !*status)
        status = NULL;
    if (status && strcmp(status, "open") != 0 && strcmp(status, "escalated") != 0)
        status_error = "status must be open or escalated";
    bool bad = org_error || status_error;
    int rc = bad || !f ? 0 : alert_page(req->st, status, f, &page, &out, &d);
    json_decref(f);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    bool can_write = vg_page_can_write(req);
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    struct vg_page_frame p = {.title = "Alerts", .section = "alerts", .console = true};
    vg_page_begin(&h, req, &p);
    filters_begin(&h, "/console/alerts");
    vg_page_select(&h, "status", "Status", alert_states, status, status_error);
    vg_page_input(&h, "org", "Organisation id", "text", org, org_error, false);
    filters_end(&h);
    json_t *items = json_object_get(out, "items");
    if (bad) {
        vg_html_elem(&h, "p", "Correct the filter to see alerts.", "class", "empty", NULL);
    } else if (!json_array_size(items)) {
        vg_html_elem(&h, "p", page.cursor ? "No more alerts." : "No alert.", "class", "empty",
                     NULL);
    } else {
        vg_html_open(&h, "table", "class", "list alerts", NULL);
        static const char *const cols[] = {"TLP",        "Indicator matched", "For",       "Day",
                                           "First seen", "Last seen",         "Sightings", "Status",
                                           NULL};
        vg_html_open(&h, "thead", NULL);
        vg_html_open(&h, "tr", NULL);
        for (size_t k = 0; cols[k]; k++)
            vg_html_elem(&h, "th", cols[k], "scope", "col", NULL);
        if (can_write)
            vg_html_elem(&h, "th", "Action", "scope", "col", NULL);
        vg_html_close(&h, "tr");
        vg_html_close(&h, "thead");
        vg_html_open(&h, "tbody", NULL);
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o) {
            const json_t *ind = json_object_get(o, "indicator");
            const char *inc = vg_json_str(o, "incident");
            long long id = (long long)json_integer_value(json_object_get(o, "id"));
            char rid[32];
            snprintf(rid, sizeof rid, "alert-%lld", id);
            vg_html_open(&h, "tr", "id", rid, NULL);
            cell_tlp(&h, vg_json_str(ind, "tlp"));
            cell_indicator(&h, ind);
            cell_org(&h, o);
            cell(&h, vg_json_str(o, "day"));
            cell_time(&h, vg_json_str(o, "first_seen"));
            cell_time(&h, vg_json_str(o, "last_seen"));
            vg_html_open(&h, "td", NULL);
            vg_html_textf(&h, "%lld", (long long)json_integer_value(json_object_get(o, "count")));
            vg_html_close(&h, "td");
            vg_html_open(&h, "td", NULL);
            if (inc) {
                struct vg_buf b;
                vg_buf_init(&b, 512);
                vg_buf_puts(&b, "/console/incidents/");
                vg_url_encode(&b, inc);
                vg_html_text(&h, "escalated to ");
                vg_html_elem(&h, "a", inc, "href", b.data && !b.failed ? b.data : "#", NULL);
                vg_buf_cleanup(&b);
            } else {
                vg_html_text(&h, vg_json_str(o, "status"));
            }
            vg_html_close(&h, "td");
            if (can_write) {
                vg_html_open(&h, "td", NULL);
                if (!inc) {
                    char action[80];
                    snprintf(action, sizeof action, "/console/alerts/%lld/escalate", id);
                    vg_page_form(&h, req, action);
                    vg_html_elem(&h, "button", "Escalate to incident", "type", "submit", "class",
                                 "escalate", NULL);
                    vg_html_close(&h, "form");
                }
                vg_html_close(&h, "td");
            }
            vg_html_close(&h, "tr");
        }
        vg_html_close(&h, "tbody");
        vg_html_close(&h, "table");
        const char *kv[] = {"status", status, "org", org};
        pager(&h, req, "/console/alerts", kv, 4, vg_json_str(out, "next_cursor"));
    }
    json_decref(out);
    vg_page_end(&h, r, bad ? 400 : 200);
}

void vg_web_alert_escalate(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "alert");
    if (!id)
        return;
    struct vg_diag d;
    vg_diag_clear(&d);
    /* the button posts no field: the API's escalation of an empty object */
    json_t *in = json_object(), *out = NULL;
    int rc = in ? vg_alert_escalate(req->st, &req->actor, id, in, &out, &d) : VG_ENOMEM;
    json_decref(in);
    if (rc == VG_ECONFLICT) {
        vg_page_error(req, r, 409, "Already escalated", d.message);
        return;
    }
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct vg_buf b;
    vg_buf_init(&b, 512);
    vg_buf_puts(&b, "/console/incidents/");
    vg_url_encode(&b, vg_json_str(out, "ref"));
    vg_page_redirect(r, b.data && !b.failed ? b.data : "/console/incidents");
    vg_buf_cleanup(&b);
    json_decref(out);
}
