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

    /* the portal (web/portal.c) */

    /* the dashboard (web/console_dashboard.c) */
    {"GET", "/console", VG_READER, vg_web_dashboard, CONSOLE}, /* and /console/ */

    /* incidents (web/console_incidents.c) */

    /* organisations (web/console_orgs.c) */

    /* detection (web/console_detect.c) */

    /* advisories (web/console_advisories.c) */

    {NULL, NULL, VG_PUBLIC, NULL, 0},
};
/* clang-format on */
