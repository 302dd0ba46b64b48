/* The public intake's limits (http/reportlimit.h), once for the API and the portal. */
#include "http/reportlimit.h"

#include <string.h>

#include "http/ratelimit.h"

#define GLOBAL_PER_MINUTE 60 /* default --report-global-rate */

/* The global cap on reports that open incidents (app/intake.h's admit). */
static bool admit(void *ctx)
{
    struct vg_server *srv = ctx;
    double per_minute = vg_server_config(srv)->report_global_per_minute;
    return vg_ratelimit_take_global(vg_server_ratelimit(srv),
                                    per_minute > 0 ? per_minute : GLOBAL_PER_MINUTE, NULL);
}

bool vg_reportlimit_take(struct vg_req *req, int *retry_after)
{
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    char key[64];
    *retry_after = 0;
    vg_ratelimit_key(req->client, cfg->ratelimit_ipv4_prefix ? cfg->ratelimit_ipv4_prefix : 32,
                     cfg->ratelimit_ipv6_prefix ? cfg->ratelimit_ipv6_prefix : 64, key, sizeof key);
    return vg_ratelimit_take(vg_server_ratelimit(req->srv), key, retry_after);
}

void vg_reportlimit_opts(struct vg_req *req, struct vg_intake_opts *opts)
{
    const struct vg_server_config *cfg = vg_server_config(req->srv);
    memset(opts, 0, sizeof *opts);
    opts->limits.min_prefix_ipv4 = cfg->intake_min_prefix_ipv4;
    opts->limits.min_prefix_ipv6 = cfg->intake_min_prefix_ipv6;
    opts->limits.max_observables = cfg->intake_max_observables;
    opts->queue_max = cfg->report_queue_max;
    opts->admit = admit;
    opts->admit_ctx = req->srv;
}
