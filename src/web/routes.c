/* The pages' route table (web/web.h). The router matches one segment per "{}", so each depth
 * of the published site has its line; a trailing slash is tolerated. */
#include "web/web.h"

/* clang-format off */
const struct vg_route vg_web_routes[] = {
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
    {NULL, NULL, VG_PUBLIC, NULL, 0},
};
/* clang-format on */
