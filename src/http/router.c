/* Route table and matcher. Patterns are literal segments and "{}" placeholders; the table
 * is small, so a linear scan is fast enough and keeps the order obvious. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "http/api.h"

const struct vg_route vg_routes[] = {
    {"GET", "/api/v1/health", VG_PUBLIC, vg_api_health, 0},
    {"GET", "/api/v1/taxonomy", VG_PUBLIC, vg_api_taxonomy, 0},
    {"POST", "/api/v1/login", VG_PUBLIC, vg_api_login, 0},
    {"POST", "/api/v1/reports", VG_PUBLIC, vg_api_reports_create, 0},
    {"GET", "/api/v1/me", VG_READER, vg_api_me, 0},
    {"GET", "/api/v1/users", VG_ADMIN, vg_api_users_list, 0},
    {"POST", "/api/v1/users", VG_ADMIN, vg_api_users_create, 0},
    {"GET", "/api/v1/tokens", VG_READER, vg_api_tokens_list, 0},
    {"POST", "/api/v1/tokens", VG_READER, vg_api_tokens_create, 0},
    {"DELETE", "/api/v1/tokens/{}", VG_READER, vg_api_tokens_revoke, 0},
    {"GET", "/api/v1/audit", VG_ADMIN, vg_api_audit_list, 0},
    {"GET", "/api/v1/orgs", VG_READER, vg_api_orgs_list, 0},
    {"POST", "/api/v1/orgs", VG_ADMIN, vg_api_orgs_create, 0},
    {"GET", "/api/v1/orgs/{}", VG_READER, vg_api_orgs_get, 0},
    {"PATCH", "/api/v1/orgs/{}", VG_ADMIN, vg_api_orgs_patch, 0},
    {"GET", "/api/v1/orgs/{}/findings", VG_READER, vg_api_org_findings, 0},
    {"GET", "/api/v1/vulns/{}", VG_READER, vg_api_vulns_get, 0},
    {"GET", "/api/v1/incidents", VG_READER, vg_api_incidents_list, 0},
    {"POST", "/api/v1/incidents", VG_ANALYST, vg_api_incidents_create, 0},
    {"GET", "/api/v1/incidents/{}", VG_READER, vg_api_incidents_get, 0},
    {"PATCH", "/api/v1/incidents/{}", VG_ANALYST, vg_api_incidents_patch, 0},
    {"POST", "/api/v1/incidents/{}/notes", VG_ANALYST, vg_api_incidents_note, 0},
    {"POST", "/api/v1/incidents/{}/observables", VG_ANALYST, vg_api_incidents_observable, 0},
    {"PATCH", "/api/v1/incidents/{}/steps/{}", VG_ANALYST, vg_api_incidents_step, 0},
    {"GET", "/api/v1/incidents/{}/related", VG_READER, vg_api_incidents_related, 0},
    {"GET", "/api/v1/playbooks", VG_READER, vg_api_playbooks_list, 0},
    {"GET", "/api/v1/playbooks/{}", VG_READER, vg_api_playbooks_get, 0},
    {"PUT", "/api/v1/playbooks/{}", VG_ANALYST, vg_api_playbooks_put, 0},
    {"GET", "/api/v1/indicators", VG_READER, vg_api_indicators_list, 0},
    {"POST", "/api/v1/indicators", VG_ANALYST, vg_api_indicators_create, 0},
    {"GET", "/api/v1/indicators/{}", VG_READER, vg_api_indicators_get, 0},
    {"GET", "/api/v1/sightings", VG_READER, vg_api_sightings_list, 0},
    {"GET", "/api/v1/alerts", VG_READER, vg_api_alerts_list, 0},
    {"POST", "/api/v1/alerts/{}/escalate", VG_ANALYST, vg_api_alerts_escalate, 0},
    {"POST", "/api/v1/events", VG_ANALYST, vg_api_events_post, VG_ROUTE_RAW_BODY},
    {NULL, NULL, VG_PUBLIC, NULL, 0},
};

/* Matches path against pattern; fills params (up to 4) on success. */
static bool match(const char *pattern, const char *path, struct vg_req *req)
{
    int np = 0;
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= sizeof req->param_buf[0] || np == 4)
                return false;
            memcpy(req->param_buf[np], path, n);
            req->param_buf[np][n] = '\0';
            req->params[np] = req->param_buf[np];
            np++;
            pattern += 2;
            path += n;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    if (*path == '/' && path[1] == '\0')
        path++; /* one trailing slash is tolerated */
    return *pattern == '\0' && *path == '\0';
}

const struct vg_route *vg_route_find(struct vg_req *req, bool *path_known, char *allow,
                                     size_t allow_cap)
{
    size_t n = 0;
    *path_known = false;
    allow[0] = '\0';
    for (const struct vg_route *r = vg_routes; r->method; r++) {
        if (!match(r->pattern, req->path, req))
            continue;
        if (strcmp(r->method, req->method) == 0)
            return r;
        *path_known = true;
        int w = snprintf(allow + n, allow_cap - n, "%s%s", n ? ", " : "", r->method);
        if (w > 0 && (size_t)w < allow_cap - n)
            n += (size_t)w;
    }
    return NULL;
}
