/* The web: the public portal at /, the analyst console under /console/ and the published
 * site (advisories, guides, CSAF provider), in their own route table (web/routes.c) that the
 * server searches after the API's. Handlers are thin over the same app/ use cases as api/'s
 * (neither calls the other) and write every page through web/page.h and util/html.h.
 *
 * Every page route has VG_ROUTE_PAGE (its errors are pages); console routes have
 * VG_ROUTE_SESSION (the session cookie, CSRF on every form) and their forms VG_ROUTE_FORM. A
 * console page is read-only at VG_READER; every write route is VG_ANALYST or more, as in the
 * API. Paths and handlers, by file: */
#ifndef VG_WEB_H
#define VG_WEB_H

#include "http/router.h"

/* The pages' route table, ended by a NULL method: vg_server_config.pages. */
extern const struct vg_route vg_web_routes[];

/* web/publication.c: every file of the published site (app/publication.h): /advisories/...,
 * /guides/..., /.well-known/csaf/... */
void vg_web_publication(struct vg_req *req, struct vg_resp *r);

/* web/portal.c: the public portal (no login).
 *   GET /            home: the constituency served and not (cybermalveillance.gouv.fr), the
 *                    latest alerts and advisories, how to report, links to feeds and guides
 *   GET /report      the report form
 *   POST /report     the report (form): the intake's decision as a page (accepted with the
 *                    reference, redirected), or the form again with errors beside fields
 *   GET /static/{}   the stylesheet and the script (web/assets.c) */
void vg_web_home(struct vg_req *req, struct vg_resp *r);
void vg_web_report_form(struct vg_req *req, struct vg_resp *r);
void vg_web_report_post(struct vg_req *req, struct vg_resp *r);
void vg_web_static(struct vg_req *req, struct vg_resp *r);

/* web/console_auth.c: GET/POST /console/login, POST /console/logout. */
void vg_web_login_form(struct vg_req *req, struct vg_resp *r);
void vg_web_login_post(struct vg_req *req, struct vg_resp *r);
void vg_web_logout(struct vg_req *req, struct vg_resp *r);
/* The login form again after a failed login (the page_error of POST /console/login). */
void vg_web_login_error(struct vg_req *req, struct vg_resp *r);

/* web/console_dashboard.c: GET /console/ (the dashboard, inline SVG charts). */
void vg_web_dashboard(struct vg_req *req, struct vg_resp *r);

/* web/console_incidents.c: the incident queue and pages.
 *   GET /console/incidents            the queue (filters, sorting, cursors)
 *   GET /console/incidents/new        the new incident form
 *   POST /console/incidents           create
 *   GET /console/incidents/{}         one incident
 *   POST /console/incidents/{}/{}     an action on it: status, assignee, note, observable, step
 *   GET /console/incidents/{}/share   for a recipient (?to=) and a format (?format=misp|stix):
 *                                     what an export holds and what TLP withholds
 *   GET /console/incidents/{}/export  that export as an attachment (app/share.h, as GET
 *                                     /api/v1/incidents/{}/export) */
void vg_web_incidents(struct vg_req *req, struct vg_resp *r);
void vg_web_incident_new(struct vg_req *req, struct vg_resp *r);
void vg_web_incident_create(struct vg_req *req, struct vg_resp *r);
void vg_web_incident(struct vg_req *req, struct vg_resp *r);
void vg_web_incident_action(struct vg_req *req, struct vg_resp *r);
void vg_web_incident_share(struct vg_req *req, struct vg_resp *r);
void vg_web_incident_export(struct vg_req *req, struct vg_resp *r);

/* web/console_orgs.c: GET /console/orgs, GET /console/orgs/{} (assets, contacts, findings by
 * priority, sightings and alerts). */
void vg_web_orgs(struct vg_req *req, struct vg_resp *r);
void vg_web_org(struct vg_req *req, struct vg_resp *r);

/* web/console_detect.c: GET /console/indicators, /console/sightings, /console/alerts,
 * POST /console/alerts/{}/escalate. */
void vg_web_indicators(struct vg_req *req, struct vg_resp *r);
void vg_web_sightings(struct vg_req *req, struct vg_resp *r);
void vg_web_alerts(struct vg_req *req, struct vg_resp *r);
void vg_web_alert_escalate(struct vg_req *req, struct vg_resp *r);

/* web/console_advisories.c: the advisories editor.
 *   GET /console/advisories             the list (every state; filters state, kind, title)
 *   GET /console/advisories/new         the draft form and the "draft from CVEs" form
 *   POST /console/advisories            create a draft
 *   POST /console/advisories/draft-from-cves  a draft from the technology watch's CVEs
 *   GET /console/advisories/{}          one advisory: its form (editable while a draft),
 *                                       its state and the buttons its state allows
 *   GET /console/advisories/{}/preview  the page as it would be published
 *   POST /console/advisories/{}/{}      save, submit, publish, revise, close */
void vg_web_advisories(struct vg_req *req, struct vg_resp *r);
void vg_web_advisory_new(struct vg_req *req, struct vg_resp *r);
void vg_web_advisory_create(struct vg_req *req, struct vg_resp *r);
void vg_web_advisory_draft_from_cves(struct vg_req *req, struct vg_resp *r);
void vg_web_advisory(struct vg_req *req, struct vg_resp *r);
void vg_web_advisory_preview(struct vg_req *req, struct vg_resp *r);
void vg_web_advisory_action(struct vg_req *req, struct vg_resp *r);

#endif
