/* POST /api/v1/events: matches a body of NDJSON events (Suricata EVE or any JSON lines) against
 * the database's indicators and records each hit as a sighting of the constituent it is
 * attributed to, as `vigie match --db --record` does; both go through app/events.c. */
#include <stdint.h>
#include <stdio.h>

#include "api/api.h"
#include "app/events.h"

/* Collects the malformed lines: [{"line","message"}], the first 10. */
static void on_bad(void *ctx, uint64_t line, const char *message)
{
    json_array_append_new(ctx,
                          json_pack("{s:I,s:s}", "line", (json_int_t)line, "message", message));
}

void vg_api_events_post(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *malformed = json_array();
    if (!malformed) {
        vg_resp_diag(r, VG_ENOMEM, NULL);
        return;
    }
    struct vg_match_stats st = {0};
    struct vg_events_counts n = {0};
    int rc = vg_events_ingest(req->st, vg_server_events(req->srv), &req->actor, req->body,
                              req->body_len, "api", on_bad, malformed, &st, &n, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200,
                     json_pack("{s:I,s:I,s:O,s:I,s:I}", "events", (json_int_t)st.events, "hits",
                               (json_int_t)st.hits, "malformed", malformed, "sightings",
                               (json_int_t)n.sightings, "alerts", (json_int_t)n.alerts));
    json_decref(malformed);
}
