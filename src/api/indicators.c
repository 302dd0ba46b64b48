/* Handlers for indicators of compromise, their sightings and the alerts raised from them. */
#include <stdio.h>
#include <string.h>

#include "core/model.h"
#include "core/observable.h"
#include "core/record.h"
#include "api/api.h"
#include "app/alert.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/time.h"

void vg_api_indicators_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *list = json_array(), *rejected = json_array(), *out = NULL;
    if (!in)
        goto done;
    json_t *many = json_object_get(in, "indicators");
    bool bulk = many != NULL;
    if (bulk && (json_object_size(in) != 1 || !json_is_array(many))) {
        vg_resp_error(r, 400, "invalid", "/indicators",
                      "a bulk body is {\"indicators\": [...]} and nothing else");
        goto done;
    }
    if (bulk && json_array_size(many) > VG_MAX_BULK_INDICATORS) {
        vg_resp_error(r, 400, "too_large", "/indicators", "at most %d indicators per request",
                      VG_MAX_BULK_INDICATORS);
        goto done;
    }
    size_t n = bulk ? json_array_size(many) : 1;
    for (size_t i = 0; i < n; i++) {
        json_t *ind = NULL;
        vg_diag_clear(&d);
        int rc = vg_indicator_check(bulk ? json_array_get(many, i) : in, VG_CHECK_PATCH, &ind, &d);
        if (rc && !bulk) {
            vg_resp_diag(r, rc, &d);
            goto done;
        }
        if (rc) {
            char field[200];
            snprintf(field, sizeof field, "/indicators/%zu%s", i, d.field);
            json_array_append_new(rejected, json_pack("{s:I,s:s,s:s}", "index", (json_int_t)i,
                                                      "field", field, "message", d.message));
            continue;
        }
        json_array_append_new(list, ind);
    }
    int rc = vg_store_indicator_import(req->st, &req->actor, list, &out, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
        goto done;
    }
    if (bulk) {
        json_object_del(out, "ids");
        json_object_set(out, "rejected", rejected);
        vg_resp_json(r, 200, out);
        out = NULL;
    } else {
        long long id =
            (long long)json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
        json_t *ind = NULL;
        if (vg_store_indicator_get(req->st, id, &ind) != 0) {
            vg_resp_diag(r, VG_EIO, NULL);
            goto done;
        }
        snprintf(r->location, sizeof r->location, "/api/v1/indicators/%lld", id);
        vg_resp_json(r, json_integer_value(json_object_get(out, "added")) ? 201 : 200, ind);
    }
done:
    json_decref(in);
    json_decref(list);
    json_decref(rejected);
    json_decref(out);
}

void vg_api_indicators_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = json_object(), *out;
    const char *type = vg_req_arg(req, "type"), *source = vg_req_arg(req, "source");
    if (type && vg_obs_type_parse(type) == VG_OBS_UNKNOWN) {
        vg_resp_error(r, 400, "invalid", "type", "type '%s' is not an indicator type", type);
        json_decref(f);
        return;
    }
    if (type)
        json_object_set_new(f, "type", json_string(type));
    if (source)
        json_object_set_new(f, "source", json_string(source));
    int rc = vg_store_indicator_list(req->st, f, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
    json_decref(f);
}

void vg_api_indicators_get(struct vg_req *req, struct vg_resp *r)
{
    long long id = vg_req_id(req, r, "indicator");
    json_t *out;
    if (!id)
        return;
    int rc = vg_store_indicator_get(req->st, id, &out);
    if (rc)
        vg_resp_get_failed(r, rc, "id", "indicator %lld", id);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_sightings_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = json_object(), *out;
    if (vg_req_id_filter(req, r, "org", f) || vg_req_id_filter(req, r, "indicator", f))
        goto done;
    const char *since = vg_req_arg(req, "since");
    if (since) {
        time_t t;
        char buf[VG_TIME_LEN];
        if (vg_time_parse(since, &t) != 0) {
            vg_resp_error(r, 400, "invalid", "since", "since must be an RFC 3339 date or time");
            goto done;
        }
        vg_time_fmt(t, buf);
        json_object_set_new(f, "since", json_string(buf));
    }
    int rc = vg_store_sighting_list(req->st, f, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
done:
    json_decref(f);
}

void vg_api_alerts_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = json_object(), *out;
    if (vg_req_id_filter(req, r, "org", f))
        goto done;
    const char *status = vg_req_arg(req, "status");
    if (status && strcmp(status, "open") != 0 && strcmp(status, "escalated") != 0) {
        vg_resp_error(r, 400, "invalid", "status", "status must be open or escalated");
        goto done;
    }
    if (status)
        json_object_set_new(f, "status", json_string(status));
    int rc = vg_store_alert_list(req->st, f, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
done:
    json_decref(f);
}

void vg_api_alerts_escalate(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    long long id = vg_req_id(req, r, "alert");
    if (!id)
        return;
    json_t *in = req->body_len ? vg_req_json(req, r) : json_object(), *out = NULL;
    if (!in)
        return;
    int rc = vg_alert_escalate(req->st, &req->actor, id, in, &out, &d);
    if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        snprintf(r->location, sizeof r->location, "/api/v1/incidents/%s", vg_json_str(out, "ref"));
        vg_resp_json(r, 201, out);
    }
    json_decref(in);
}
