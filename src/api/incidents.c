/* Handlers for incidents: list with filters, create, read, update (lifecycle), notes,
 * observables, playbook steps, related incidents; and the playbooks themselves. */
#include <stdio.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/model.h"
#include "core/playbook.h"
#include "core/record.h"
#include "core/rsit.h"
#include "api/api.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/str.h"

void vg_api_incidents_list(struct vg_req *req, struct vg_resp *r)
{
    static const struct {
        const char *key;
        const char *const *names;
    } filters[] = {
        {"status", vg_status_names},
        {"severity", vg_severity_names},
        {"tlp", vg_tlp_names},
    };
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = json_object(), *out;
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        const char *v = vg_req_arg(req, filters[i].key);
        if (!v)
            continue;
        if (vg_name_index(filters[i].names, v) < 0) {
            char list[256];
            vg_names_join(filters[i].names, list, sizeof list);
            vg_resp_error(r, 400, "invalid", filters[i].key, "%s must be one of: %s",
                          filters[i].key, list);
            goto out;
        }
        json_object_set_new(f, filters[i].key, json_string(v));
    }
    const char *cls = vg_req_arg(req, "class");
    if (cls) {
        if (!vg_rsit_class_find(cls)) {
            vg_resp_error(r, 400, "invalid", "class", "class '%s' is not an RSIT class", cls);
            goto out;
        }
        json_object_set_new(f, "class", json_string(cls));
    }
    if (vg_req_id_filter(req, r, "org", f))
        goto out;
    int rc = vg_store_incident_list(req->st, f, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
out:
    json_decref(f);
}

void vg_api_incidents_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *inc = NULL, *out = NULL;
    if (!in)
        return;
    struct vg_incident_new rec = {0};
    int rc = vg_incident_check(in, VG_CHECK_CREATE, &inc, &d);
    if (!rc && !(rc = vg_incident_new_from_json(inc, &rec, &d)))
        rc = vg_store_incident_create(req->st, &req->actor, &rec, &out, &d);
    vg_incident_new_cleanup(&rec);
    if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        snprintf(r->location, sizeof r->location, "/api/v1/incidents/%s", vg_json_str(out, "ref"));
        vg_resp_json(r, 201, out);
    }
    json_decref(in);
    json_decref(inc);
}

void vg_api_incidents_get(struct vg_req *req, struct vg_resp *r)
{
    json_t *out;
    int rc = vg_store_incident_get(req->st, req->params[0], &out);
    if (rc)
        vg_resp_get_failed(r, rc, "ref", "incident %s", req->params[0]);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_incidents_patch(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *patch = NULL, *out = NULL;
    if (!in)
        return;
    int rc = vg_incident_check(in, VG_CHECK_PATCH, &patch, &d);
    if (!rc)
        rc = vg_store_incident_update(req->st, &req->actor, req->params[0], patch, &out, &d);
    if (rc == VG_ECONFLICT) {
        /* list the statuses the incident may move to, for the client to offer */
        json_t *cur = NULL, *allowed = json_array();
        if (vg_store_incident_get(req->st, req->params[0], &cur) == 0)
            for (const char *const *p = vg_status_next(vg_json_str(cur, "status")); *p; p++)
                json_array_append_new(allowed, json_string(*p));
        json_decref(cur);
        vg_resp_json(r, 409,
                     json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code", "conflict", "message",
                               d.message, "field", "/status", "allowed", allowed));
    } else if (rc) {
        vg_resp_diag(r, rc, &d);
    } else {
        vg_resp_json(r, 200, out);
    }
    json_decref(in);
    json_decref(patch);
}

void vg_api_incidents_note(struct vg_req *req, struct vg_resp *r)
{
    static const char *const fields[] = {"text", NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    json_t *text = json_object_get(in, "text");
    int rc = vg_json_check_fields(in, fields, "/", &d);
    if (!rc && (!json_is_string(text) || json_string_length(text) == 0 ||
                json_string_length(text) > VG_MAX_STR_FIELD ||
                strlen(json_string_value(text)) != json_string_length(text)))
        rc = vg_diag_set(&d, VG_EINVAL, "/text",
                         "/text must be a non-empty string of at most %d bytes", VG_MAX_STR_FIELD);
    if (!rc)
        rc = vg_store_incident_note(req->st, &req->actor, req->params[0], json_string_value(text),
                                    &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 201, out);
    json_decref(in);
}

void vg_api_incidents_observable(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *obs = NULL, *out = NULL;
    if (!in)
        return;
    /* its own TLP (issue 12), optional: the incident's applies without one */
    json_t *tlp = json_incref(json_object_get(in, "tlp"));
    const char *level = json_string_value(tlp);
    int rc = tlp && (!level || vg_name_index(vg_tlp_names, level) < 0)
                 ? vg_diag_set(&d, VG_EINVAL, "/tlp",
                               "/tlp must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
                 : 0;
    if (!rc && tlp)
        json_object_del(in, "tlp");
    if (!rc)
        rc = vg_observable_check(in, "/", &obs, &d);
    if (!rc && tlp)
        json_object_set(obs, "tlp", tlp);
    json_decref(tlp);
    if (!rc)
        rc = vg_store_incident_observable_add(req->st, &req->actor, req->params[0], obs, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, json_is_true(json_object_get(out, "created")) ? 201 : 200, out);
    json_decref(in);
    json_decref(obs);
}

void vg_api_incidents_step(struct vg_req *req, struct vg_resp *r)
{
    static const char *const fields[] = {"done", NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_json_check_fields(in, fields, "/", &d);
    if (!rc && !json_is_boolean(json_object_get(in, "done")))
        rc = vg_diag_set(&d, VG_EINVAL, "/done", "/done must be true or false");
    if (!rc)
        rc = vg_store_incident_step_set(req->st, &req->actor, req->params[0], req->params[1],
                                        json_is_true(json_object_get(in, "done")), &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
    json_decref(in);
}

static void put_field(struct vg_buf *b, const char *key, const char *value)
{
    vg_buf_putc(b, '"');
    vg_buf_puts(b, key);
    vg_buf_puts(b, "\":");
    vg_buf_put_json(b, vg_str_c(value));
}

/* {"ref":..,"related":[{"ref","title","status","severity","tlp","count","shared":[{"type",
 * "value","matched"}]}]}, written as text: a document of hundreds of small objects cost
 * more to build, serialise and free than the lookup itself (measured). */
static void related_json(const char *ref, const struct vg_related_list *l, struct vg_buf *b)
{
    vg_buf_putc(b, '{');
    put_field(b, "ref", ref);
    vg_buf_puts(b, ",\"related\":[");
    for (size_t i = 0; i < l->n; i++) {
        const struct vg_related *x = &l->v[i];
        vg_buf_puts(b, i ? ",{" : "{");
        put_field(b, "ref", x->ref);
        vg_buf_putc(b, ',');
        put_field(b, "title", x->title);
        vg_buf_putc(b, ',');
        put_field(b, "status", x->status);
        vg_buf_putc(b, ',');
        put_field(b, "severity", x->severity);
        vg_buf_putc(b, ',');
        put_field(b, "tlp", x->tlp);
        vg_buf_printf(b, ",\"count\":%zu,\"shared\":[", x->count);
        for (size_t j = 0; j < x->nshared; j++) {
            vg_buf_puts(b, j ? ",{" : "{");
            put_field(b, "type", x->shared[j].type);
            vg_buf_putc(b, ',');
            put_field(b, "value", x->shared[j].value);
            vg_buf_putc(b, ',');
            put_field(b, "matched", x->shared[j].matched);
            vg_buf_putc(b, '}');
        }
        vg_buf_puts(b, "]}");
    }
    vg_buf_puts(b, "]}");
}

void vg_api_incidents_related(struct vg_req *req, struct vg_resp *r)
{
    unsigned long long limit = 20;
    const char *l = vg_req_arg(req, "limit");
    if (l && vg_str_to_u64(vg_str_c(l), 1, VG_MAX_RELATED, &limit) != 0) {
        vg_resp_error(r, 400, "invalid", "limit", "limit must be from 1 to %d", VG_MAX_RELATED);
        return;
    }
    struct vg_related_list out;
    int rc = vg_store_incident_related(req->st, req->params[0], (int)limit, &out);
    if (rc) {
        vg_resp_get_failed(r, rc, "ref", "incident %s", req->params[0]);
    } else {
        struct vg_buf b;
        vg_buf_init(&b, VG_MAX_BUF);
        related_json(req->params[0], &out, &b);
        vg_related_list_free(&out);
        vg_resp_buf(r, 200, &b);
    }
}

void vg_api_playbooks_list(struct vg_req *req, struct vg_resp *r)
{
    json_t *out;
    if (vg_store_playbook_list(req->st, &out) != 0)
        vg_resp_diag(r, VG_EIO, NULL);
    else
        vg_resp_json(r, 200, json_pack("{s:o}", "items", out));
}

void vg_api_playbooks_get(struct vg_req *req, struct vg_resp *r)
{
    json_t *out;
    int rc = vg_store_playbook_get(req->st, req->params[0], &out);
    if (rc)
        vg_resp_get_failed(r, rc, "class", "playbook for class '%s'", req->params[0]);
    else
        vg_resp_json(r, 200, out);
}

void vg_api_playbooks_put(struct vg_req *req, struct vg_resp *r)
{
    static const char *const fields[] = {"steps", NULL};
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_json_check_fields(in, fields, "/", &d);
    if (!rc)
        rc = vg_playbook_validate(json_object_get(in, "steps"), &d);
    if (!rc)
        rc = vg_store_playbook_put(req->st, &req->actor, req->params[0],
                                   json_object_get(in, "steps"), &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
    json_decref(in);
}
