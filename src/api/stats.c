/* Handler of GET /api/v1/stats: the dashboard's statistics (app/stats.h), as JSON. */
#include <time.h>

#include "api/api.h"
#include "app/stats.h"

void vg_api_stats(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *out;
    int rc = vg_stats_get(req->st, time(NULL), &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
}
