/* The console's dashboard (GET /console/, web/web.h): the statistics of app/stats.h (the same
 * use case as GET /api/v1/stats) drawn as inline SVG charts (web/svg.h), each followed by the
 * same numbers as a plain table (for screen readers, and what the tests compare with the API),
 * with legends linking to the filtered incident queue and an empty state for each part. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/stats.h"
#include "core/model.h"
#include "core/rsit.h"
#include "web/page.h"
#include "web/svg.h"
#include "web/web.h"

#define MAX_CLASSES 32 /* distinct classes shown in the weekly chart (RSIT has 11) */

static json_int_t int_of(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* A duration as people read it: hours under two days, else days. */
static void duration_text(double s, char *out, size_t cap)
{
    if (s < 2 * 86400.0)
        snprintf(out, cap, "%.1f hours", s / 3600.0);
    else
        snprintf(out, cap, "%.1f days", s / 86400.0);
}

/* A link to the incident queue filtered on key=value. */
static void queue_link(struct vg_html *h, const char *key, const char *value, const char *text)
{
    struct vg_buf b;
    vg_buf_init(&b, 512);
    vg_buf_puts(&b, "/console/incidents?");
    vg_buf_puts(&b, key);
    vg_buf_puts(&b, "=");
    vg_url_encode(&b, value);
    vg_html_elem(h, "a", text, "href", !b.failed && b.data ? b.data : "/console/incidents", NULL);
    vg_buf_cleanup(&b);
}

static void section_open(struct vg_html *h, const char *id, const char *heading)
{
    char hid[64];
    snprintf(hid, sizeof hid, "%s-h", id);
    vg_html_open(h, "section", "class", "chart-block", "id", id, "aria-labelledby", hid, NULL);
    vg_html_elem(h, "h2", heading, "id", hid, NULL);
}

static void th(struct vg_html *h, const char *text, const char *key)
{
    vg_html_elem(h, "th", text, "scope", "col", "data-key", key, NULL);
}

static void td_num(struct vg_html *h, long long n)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", n);
    vg_html_elem(h, "td", s, "class", "num", NULL);
}

/* The RSIT label of a class ("Malicious Code"), or its name when RSIT does not know it. */
static const char *class_label(const char *name)
{
    const struct vg_rsit_class *c = vg_rsit_class_find(name);
    return c ? c->label : name;
}

static void weeks_part(struct vg_html *h, const json_t *weeks)
{
    section_open(h, "weeks", "Incidents per week by class");
    /* the classes seen, in RSIT's order, then any other */
    const char *classes[MAX_CLASSES];
    size_t nc = 0, nw = json_array_size(weeks);
    json_int_t all = 0;
    for (size_t i = 0; i < vg_rsit_nclasses && nc < MAX_CLASSES; i++)
        for (size_t w = 0; w < nw; w++)
            if (json_object_get(json_object_get(json_array_get(weeks, w), "classes"),
                                vg_rsit_classes[i].name)) {
                classes[nc++] = vg_rsit_classes[i].name;
                break;
            }
    for (size_t w = 0; w < nw; w++) {
        const json_t *wk = json_array_get(weeks, w);
        all += int_of(wk, "total");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)json_object_get(wk, "classes"), k, v) {
            size_t j = 0;
            while (j < nc && strcmp(classes[j], k))
                j++;
            if (j == nc && nc < MAX_CLASSES && !vg_rsit_class_find(k))
                classes[nc++] = k;
        }
    }
    if (all == 0) {
        vg_html_elem(h, "p", "No incidents were created in the last 12 weeks.", "class", "empty",
                     NULL);
        vg_html_close(h, "section");
        return;
    }
    const char *cols[VG_STATS_WEEKS];
    const char *labels[MAX_CLASSES];
    long long values[VG_STATS_WEEKS * MAX_CLASSES];
    for (size_t w = 0; w < nw && w < VG_STATS_WEEKS; w++) {
        const json_t *wk = json_array_get(weeks, w);
        cols[w] = json_string_value(json_object_get(wk, "week"));
        for (size_t c = 0; c < nc; c++)
            values[w * nc + c] = int_of(json_object_get(wk, "classes"), classes[c]);
    }
    for (size_t c = 0; c < nc; c++)
        labels[c] = class_label(classes[c]);
    size_t ncols = nw < VG_STATS_WEEKS ? nw : VG_STATS_WEEKS;
    vg_svg_stacked(h, "Incidents created per ISO week, stacked by RSIT class", cols, ncols, labels,
                   nc, values);
    vg_html_open(h, "ul", "class", "legend", "aria-label", "Classes", NULL);
    for (size_t c = 0; c < nc; c++) {
        vg_html_open(h, "li", NULL);
        vg_svg_swatch(h, c);
        queue_link(h, "class", classes[c], labels[c]);
        vg_html_close(h, "li");
    }
    vg_html_close(h, "ul");
    vg_html_open(h, "table", "class", "list stats", "id", "table-weeks", NULL);
    vg_html_elem(h, "caption", "Incidents created per week (UTC, weeks start on Monday)", NULL);
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    th(h, "Week", "week");
    th(h, "Starts", "start");
    for (size_t c = 0; c < nc; c++)
        th(h, labels[c], classes[c]);
    th(h, "Total", "total");
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
    vg_html_open(h, "tbody", NULL);
    for (size_t w = 0; w < ncols; w++) {
        const json_t *wk = json_array_get(weeks, w);
        vg_html_open(h, "tr", NULL);
        vg_html_elem(h, "th", cols[w], "scope", "row", NULL);
        vg_html_elem(h, "td", json_string_value(json_object_get(wk, "start")), NULL);
        for (size_t c = 0; c < nc; c++)
            td_num(h, values[w * nc + c]);
        td_num(h, int_of(wk, "total"));
        vg_html_close(h, "tr");
    }
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
    vg_html_close(h, "section");
}

static void open_part(struct vg_html *h, const json_t *open)
{
    section_open(h, "open", "Open incidents by severity");
    const json_t *by = json_object_get(open, "by_severity");
    if (int_of(open, "total") == 0) {
        vg_html_elem(h, "p", "No open incidents: every incident is closed or rejected.", "class",
                     "empty", NULL);
        vg_html_close(h, "section");
        return;
    }
    /* the most severe first (core/model.h lists them from low to critical) */
    enum { MAX_SEV = 8 };
    const char *sev[MAX_SEV];
    size_t n = 0;
    while (vg_severity_names[n] && n < MAX_SEV)
        n++;
    struct vg_svg_bar bars[MAX_SEV];
    for (size_t i = 0; i < n; i++) {
        sev[i] = vg_severity_names[n - 1 - i];
        bars[i] = (struct vg_svg_bar){sev[i], int_of(by, sev[i])};
    }
    vg_svg_bars(h, "Open incidents (neither closed nor rejected) by severity", bars, n);
    vg_html_open(h, "ul", "class", "legend", "aria-label", "Severities", NULL);
    for (size_t i = 0; i < n; i++) {
        vg_html_open(h, "li", NULL);
        vg_svg_swatch(h, i);
        queue_link(h, "severity", sev[i], sev[i]);
        vg_html_close(h, "li");
    }
    vg_html_close(h, "ul");
    vg_html_open(h, "table", "class", "list stats", "id", "table-open", NULL);
    vg_html_elem(h, "caption", "Open incidents by severity", NULL);
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    th(h, "Severity", "severity");
    th(h, "Open incidents", "count");
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
    vg_html_open(h, "tbody", NULL);
    for (size_t i = 0; i < n; i++) {
        vg_html_open(h, "tr", "data-key", sev[i], NULL);
        vg_html_open(h, "th", "scope", "row", NULL);
        queue_link(h, "severity", sev[i], sev[i]);
        vg_html_close(h, "th");
        td_num(h, int_of(by, sev[i]));
        vg_html_close(h, "tr");
    }
    vg_html_open(h, "tr", "data-key", "total", NULL);
    vg_html_elem(h, "th", "Total", "scope", "row", NULL);
    td_num(h, int_of(open, "total"));
    vg_html_close(h, "tr");
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
    vg_html_close(h, "section");
}

static void times_part(struct vg_html *h, const json_t *times)
{
    section_open(h, "times", "Median time to triage and to close");
    vg_html_open(h, "p", "class", "meta", NULL);
    vg_html_textf(h,
                  "Over the %lld days from %s to the end of today (UTC). Triage: from the "
                  "incident's creation to its first status change. Close: from its creation to the "
                  "first time it was closed.",
                  (long long)int_of(times, "window_days"),
                  json_string_value(json_object_get(times, "since")));
    vg_html_close(h, "p");
    vg_html_open(h, "table", "class", "list stats", "id", "table-times", NULL);
    vg_html_elem(h, "caption", "Median durations", NULL);
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    th(h, "Measure", "measure");
    th(h, "Median", "median");
    th(h, "Incidents", "count");
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
    vg_html_open(h, "tbody", NULL);
    static const char *const keys[] = {"triage", "close"};
    static const char *const names[] = {"Time to triage", "Time to close"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *m = json_object_get(times, keys[i]);
        const json_t *med = json_object_get(m, "median_seconds");
        vg_html_open(h, "tr", "data-key", keys[i], NULL);
        vg_html_elem(h, "th", names[i], "scope", "row", NULL);
        if (json_is_number(med)) {
            char secs[32], text[64];
            snprintf(secs, sizeof secs, "%.1f", json_number_value(med));
            duration_text(json_number_value(med), text, sizeof text);
            vg_html_elem(h, "td", text, "data-seconds", secs, NULL);
        } else {
            vg_html_elem(h, "td", "no incident in the window", "class", "empty", NULL);
        }
        td_num(h, int_of(m, "count"));
        vg_html_close(h, "tr");
    }
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
    vg_html_close(h, "section");
}

static void top_part(struct vg_html *h, const json_t *top)
{
    section_open(h, "top", "Most sighted indicators");
    size_t n = json_array_size(top);
    if (n == 0) {
        vg_html_elem(h, "p", "No sightings recorded yet.", "class", "empty", NULL);
        vg_html_close(h, "section");
        return;
    }
    struct vg_svg_bar bars[VG_STATS_TOP];
    for (size_t i = 0; i < n && i < VG_STATS_TOP; i++) {
        const json_t *t = json_array_get(top, i);
        bars[i] = (struct vg_svg_bar){json_string_value(json_object_get(t, "value")),
                                      int_of(t, "sightings")};
    }
    vg_svg_bars(h, "Indicators with the most sightings", bars, n < VG_STATS_TOP ? n : VG_STATS_TOP);
    vg_html_open(h, "table", "class", "list stats", "id", "table-top", NULL);
    vg_html_elem(h, "caption", "The 10 indicators with the most sightings (all time)", NULL);
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    th(h, "TLP", "tlp");
    th(h, "Type", "type");
    th(h, "Value", "value");
    th(h, "Sightings", "sightings");
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
    vg_html_open(h, "tbody", NULL);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(top, i);
        vg_html_open(h, "tr", NULL);
        vg_html_open(h, "td", NULL);
        vg_page_tlp(h, json_string_value(json_object_get(t, "tlp")));
        vg_html_close(h, "td");
        vg_html_elem(h, "td", json_string_value(json_object_get(t, "type")), NULL);
        vg_html_elem(h, "td", json_string_value(json_object_get(t, "value")), "class", "value",
                     NULL);
        td_num(h, int_of(t, "sightings"));
        vg_html_close(h, "tr");
    }
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
    vg_html_close(h, "section");
}

static void findings_part(struct vg_html *h, const json_t *findings)
{
    section_open(h, "findings", "Technology watch: findings by priority");
    if (int_of(findings, "total") == 0) {
        vg_html_open(h, "p", "class", "empty", NULL);
        vg_html_text(h, "No findings: no asset of the constituency meets a known vulnerability. ");
        vg_html_elem(h, "a", "Organisations and their assets", "href", "/console/orgs", NULL);
        vg_html_close(h, "p");
        vg_html_close(h, "section");
        return;
    }
    static const char *const names[] = {"Known exploited (KEV)", "Likely exploited (EPSS >= 0.1)",
                                        "Other"};
    const json_t *by = json_object_get(findings, "by_priority");
    size_t n = json_array_size(by) < 3 ? json_array_size(by) : 3;
    struct vg_svg_bar bars[3];
    for (size_t i = 0; i < n; i++)
        bars[i] = (struct vg_svg_bar){names[i], int_of(json_array_get(by, i), "count")};
    vg_svg_bars(h, "Findings of the technology watch by priority", bars, n);
    vg_html_open(h, "table", "class", "list stats", "id", "table-findings", NULL);
    vg_html_elem(h, "caption", "Findings (organisation, asset, CVE) by priority", NULL);
    vg_html_open(h, "thead", NULL);
    vg_html_open(h, "tr", NULL);
    th(h, "Priority", "priority");
    th(h, "Findings", "count");
    vg_html_close(h, "tr");
    vg_html_close(h, "thead");
    vg_html_open(h, "tbody", NULL);
    for (size_t i = 0; i < n; i++) {
        const json_t *p = json_array_get(by, i);
        vg_html_open(h, "tr", "data-key", json_string_value(json_object_get(p, "name")), NULL);
        vg_html_elem(h, "th", names[i], "scope", "row", NULL);
        td_num(h, int_of(p, "count"));
        vg_html_close(h, "tr");
    }
    vg_html_open(h, "tr", "data-key", "total", NULL);
    vg_html_elem(h, "th", "Total", "scope", "row", NULL);
    td_num(h, int_of(findings, "total"));
    vg_html_close(h, "tr");
    vg_html_close(h, "tbody");
    vg_html_close(h, "table");
    vg_html_close(h, "section");
}

void vg_web_dashboard(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *s = NULL;
    int rc = vg_stats_get(req->st, time(NULL), &s, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        return;
    }
    struct vg_html h;
    vg_html_init(&h, VG_PAGE_MAX);
    vg_page_begin(&h, req,
                  &(struct vg_page_frame){.title = "Dashboard",
                                          .section = "dashboard",
                                          .console = true});
    vg_html_open(&h, "p", "class", "meta", NULL);
    vg_html_text(&h, "As of ");
    vg_page_time(&h, json_string_value(json_object_get(s, "generated")));
    vg_html_text(&h, ". ");
    vg_html_elem(&h, "a", "The same numbers as JSON", "href", "/api/v1/stats", NULL);
    vg_html_text(&h, " (GET /api/v1/stats, with an API token).");
    vg_html_close(&h, "p");
    weeks_part(&h, json_object_get(s, "weeks"));
    open_part(&h, json_object_get(s, "open"));
    times_part(&h, json_object_get(s, "times"));
    top_part(&h, json_object_get(s, "top_indicators"));
    findings_part(&h, json_object_get(s, "findings"));
    json_decref(s);
    vg_page_end(&h, r, 200);
}
