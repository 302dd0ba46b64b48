/* The public intake's limits as the server applies them, the same for both of its doors: the
 * JSON API's POST /api/v1/reports and the portal's form POST /report. A client network may send
 * so many reports per minute (--report-rate, its bucket keyed by network: --ratelimit-ipv*-
 * prefix), and reports that would open incidents pass one global cap (--report-global-rate)
 * beyond which they wait in the analysts' queue (app/intake.h). */
#ifndef VG_REPORTLIMIT_H
#define VG_REPORTLIMIT_H

#include <stdbool.h>

#include "app/intake.h"
#include "http/server.h"

/* Takes one report from the client's bucket: true if it may be sent now, else false and
 * *retry_after the seconds to wait (the answer's Retry-After). */
bool vg_reportlimit_take(struct vg_req *req, int *retry_after);
/* The intake options of this server (its limits, its queue and the global cap), for
 * vg_intake_submit. */
void vg_reportlimit_opts(struct vg_req *req, struct vg_intake_opts *opts);

#endif
