/* The pages' route table (web/web.h). The router matches one segment per "{}", so each depth
 * of the published site has its line; a trailing slash is tolerated. Console reads are
 * VG_READER, console writes VG_ANALYST (as the API's). */
#include "web/web.h"

#define PAGE    VG_ROUTE_PAGE
#define CONSOLE (VG_ROUTE_PAGE | VG_ROUTE_SESSION)
#define CFORM   (VG_ROUTE_PAGE | VG_ROUTE_SESSION | VG_ROUTE_FORM)

/* clang-format off */
const struct vg_route vg_web_routes[] = {
    /* the published site (web/publication.c) */
    {"GET", "/advisories", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/advisories/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/advisories/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/advisories/{}/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/advisories/{}/{}/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/guides", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/guides/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/guides/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/guides/{}/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/guides/{}/{}/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/.well-known/csaf/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/.well-known/csaf/{}/{}", VG_PUBLIC, vg_web_publication, 0},
    {"GET", "/.well-known/csaf/{}/{}/{}", VG_PUBLIC, vg_web_publication, 0},

    /* the console's login (web/console_auth.c) */
    {"GET", "/console/login", VG_PUBLIC, vg_web_login_form, PAGE},
    {"POST", "/console/login", VG_PUBLIC, vg_web_login_post,
     VG_ROUTE_PAGE | VG_ROUTE_FORM | VG_ROUTE_LOGIN},
    {"POST", "/console/logout", VG_READER, vg_web_logout, CFORM},

    /* the portal (web/portal.c, web/assets.c) */
    {"GET", "/", VG_PUBLIC, vg_web_home, PAGE},
    {"GET", "/report", VG_PUBLIC, vg_web_report_form, PAGE},
    {"POST", "/report", VG_PUBLIC, vg_web_report_post, VG_ROUTE_PAGE | VG_ROUTE_FORM},
    {"GET", "/static/{}", VG_PUBLIC, vg_web_static, PAGE},

    /* the dashboard (web/console_dashboard.c) */
    {"GET", "/console", VG_READER, vg_web_dashboard, CONSOLE}, /* and /console/ */

    /* incidents (web/console_incidents.c) */
    {"GET", "/console/incidents", VG_READER, vg_web_incidents, CONSOLE},
    {"GET", "/console/incidents/new", VG_ANALYST, vg_web_incident_new, CONSOLE},
    {"POST", "/console/incidents", VG_ANALYST, vg_web_incident_create, CFORM},
    {"GET", "/console/incidents/{}", VG_READER, vg_web_incident, CONSOLE},
    {"GET", "/console/incidents/{}/share", VG_ANALYST, vg_web_incident_share, CONSOLE},
    {"GET", "/console/incidents/{}/export", VG_ANALYST, vg_web_incident_export, CONSOLE},
    {"POST", "/console/incidents/{}/{}", VG_ANALYST, vg_web_incident_action, CFORM},

    /* organisations (web/console_orgs.c) */
    {"GET", "/console/orgs", VG_READER, vg_web_orgs, CONSOLE},
    {"GET", "/console/orgs/{}", VG_READER, vg_web_org, CONSOLE},

    /* detection (web/console_detect.c) */
    {"GET", "/console/indicators", VG_READER, vg_web_indicators, CONSOLE},
    {"GET", "/console/sightings", VG_READER, vg_web_sightings, CONSOLE},
    {"GET", "/console/alerts", VG_READER, vg_web_alerts, CONSOLE},
    {"POST", "/console/alerts/{}/escalate", VG_ANALYST, vg_web_alert_escalate, CFORM},

    /* advisories (web/console_advisories.c) */
    {"GET", "/console/advisories", VG_READER, vg_web_advisories, CONSOLE},
    {"GET", "/console/advisories/new", VG_ANALYST, vg_web_advisory_new, CONSOLE},
    {"POST", "/console/advisories", VG_ANALYST, vg_web_advisory_create, CFORM},
    {"POST", "/console/advisories/draft-from-cves", VG_ANALYST, vg_web_advisory_draft_from_cves,
     CFORM},
    {"GET", "/console/advisories/{}", VG_READER, vg_web_advisory, CONSOLE},
    {"GET", "/console/advisories/{}/preview", VG_READER, vg_web_advisory_preview, CONSOLE},
    {"POST", "/console/advisories/{}/{}", VG_ANALYST, vg_web_advisory_action, CFORM},

    {NULL, NULL, VG_PUBLIC, NULL, 0},
};
/* clang-format on */
