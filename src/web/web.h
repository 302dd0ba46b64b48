/* The HTML pages and public files of the server (issue 13 now, the portal and console of
 * issue 14 next): handlers beside api/'s, thin over the same app/ use cases, in their own
 * route table (web/routes.c) that the server searches after the API's. */
#ifndef VG_WEB_H
#define VG_WEB_H

#include "http/router.h"

/* The pages' route table, ended by a NULL method: vg_server_config.pages. */
extern const struct vg_route vg_web_routes[];

/* Every file of the published site (app/publication.h): /advisories/..., /guides/...,
 * /.well-known/csaf/... */
void vg_web_publication(struct vg_req *req, struct vg_resp *r);

#endif
