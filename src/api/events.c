/* POST /api/v1/events: matches a body of NDJSON events (Suricata EVE or any JSON lines) against
 * the database's indicators and records each hit as a sighting of the constituent it is
 * attributed to, as `vigie match --db --record` does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attrib.h"
#include "api/api.h"
#include "match/match.h"
#include "util/json.h"
#include "util/time.h"

/* The index of the indicators not expired at now, rebuilt only when the store's indicator
 * version differs from the one it was built from. NULL on failure (d filled). */
static const struct vg_match_index *current_index(struct vg_req *req, const char *now,
                                                  struct vg_diag *d)
{
    struct vg_server_events *ev = vg_server_events(req->srv);
    char version[sizeof ev->version];
    if (vg_store_indicator_version(req->st, now, version, sizeof version) != 0) {
        vg_diag_set(d, VG_EIO, "", "cannot read the indicators");
        return NULL;
    }
    if (ev->idx && strcmp(version, ev->version) == 0)
        return ev->idx;
    struct vg_match_index *idx = vg_match_index_new();
    if (!idx || vg_store_indicator_each(req->st, now, vg_match_index_add_row, idx) != 0) {
        vg_match_index_free(idx);
        vg_diag_set(d, VG_EIO, "", "cannot load the indicators");
        return NULL;
    }
    vg_match_index_freeze(idx);
    vg_match_index_free(ev->idx);
    ev->idx = idx;
    memcpy(ev->version, version, sizeof version);
    return idx;
}

struct events_ctx {
    struct vg_match_sightings sg;
    struct vg_req *req;
    json_t *malformed; /* [{"line","message"}], the first 10 */
    json_t *stored;    /* the store's answer */
    struct vg_diag d;
};

static void on_bad(void *ctx, uint64_t line, const char *message)
{
    struct events_ctx *c = ctx;
    json_array_append_new(c->malformed,
                          json_pack("{s:I,s:s}", "line", (json_int_t)line, "message", message));
}

/* All the request's sightings are stored at once, in one transaction. */
static int store_all(void *ctx, json_t *batch)
{
    struct events_ctx *c = ctx;
    json_decref(c->stored);
    c->stored = NULL;
    return vg_store_sightings_record(c->req->st, &c->req->actor, batch, &c->stored, &c->d);
}

void vg_api_events_post(struct vg_req *req, struct vg_resp *r)
{
    static struct events_ctx zero;
    struct events_ctx *c = malloc(sizeof *c);
    struct vg_attrib *attrib = NULL;
    char now[VG_TIME_LEN];
    struct vg_diag d;
    vg_diag_clear(&d);
    vg_time_now(now);
    if (!c) {
        vg_resp_diag(r, VG_ENOMEM, NULL);
        return;
    }
    *c = zero;
    c->req = req;
    c->malformed = json_array();
    vg_diag_clear(&c->d);
    const struct vg_match_index *idx = current_index(req, now, &d);
    if (!idx || !(attrib = vg_store_attrib_new(req->st, &d))) {
        vg_resp_diag(r, VG_EIO, &d);
        goto out;
    }
    if (vg_match_sightings_init(&c->sg, idx, attrib, req->body, req->body_len, VG_MATCH_FORMAT_EVE,
                                "api", SIZE_MAX, store_all, c) != 0) {
        vg_resp_diag(r, VG_ENOMEM, NULL);
        goto out;
    }
    struct vg_match_scan_opts opts = {VG_MATCH_FORMAT_EVE, 1, 0};
    struct vg_match_sink sink = {vg_match_sightings_hit, on_bad, c};
    struct vg_match_stats st = {0};
    int rc = vg_match_scan_mem(idx, &opts, req->body, req->body_len, &sink, &st, &d);
    if (!rc)
        rc = vg_match_sightings_flush(&c->sg);
    if (rc) {
        vg_resp_diag(r, rc, c->d.message[0] ? &c->d : &d);
        goto out;
    }
    json_t *stored = c->stored;
    vg_resp_json(r, 200,
                 json_pack("{s:I,s:I,s:O,s:I,s:I}", "events", (json_int_t)st.events, "hits",
                           (json_int_t)st.hits, "malformed", c->malformed, "sightings",
                           (json_int_t)json_integer_value(json_object_get(stored, "sightings")),
                           "alerts",
                           (json_int_t)json_integer_value(json_object_get(stored, "alerts"))));
out:
    vg_match_sightings_cleanup(&c->sg);
    vg_attrib_free(attrib);
    json_decref(c->malformed);
    json_decref(c->stored);
    free(c);
}
