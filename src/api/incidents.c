/* Handlers for incidents: list with filters, create, read, update (lifecycle), notes,
 * observables, playbook steps, related incidents; and the playbooks themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/playbook.h"
#include "api/api.h"
#include "app/incident.h"
#include "util/json.h"
#include "util/limits.h"
#include "util/mem.h"
#include "util/str.h"

static const char *req_arg(void *ctx, const char *name)
{
    return vg_req_arg(ctx, name);
}

void vg_api_incidents_list(struct vg_req *req, struct vg_resp *r)
{
    struct vg_page page;
    struct vg_diag d;
    vg_diag_clear(&d);
    if (vg_req_page(req, r, &page))
        return;
    json_t *f = NULL, *out;
    int rc = vg_incident_filters(req_arg, req, &f, &d);
    if (!rc)
        rc = vg_store_incident_list(req->st, f, &page, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
    json_decref(f);
}

/* The answer of a creation: 201 with its location, or the error. */
static void created(struct vg_resp *r, int rc, const struct vg_diag *d, json_t *out)
{
    if (rc) {
        vg_resp_diag(r, rc, d);
    } else {
        snprintf(r->location, sizeof r->location, "/api/v1/incidents/%s", vg_json_str(out, "ref"));
        vg_resp_json(r, 201, out);
    }
}

void vg_api_incidents_create(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_incident_create(req->st, &req->actor, in, &out, &d);
    created(r, rc, &d, out);
    json_decref(in);
}

int vg_api_incidents_create_many(struct vg_req *const *reqs, struct vg_resp *const *rs, int n)
{
    size_t m = 0, k = (size_t)n;
    json_t **ins = vg_calloc(k, sizeof *ins), **outs = vg_calloc(k, sizeof *outs);
    const struct vg_actor **whos = vg_calloc(k, sizeof *whos);
    int *at = vg_calloc(k, sizeof *at), *rcs = vg_calloc(k, sizeof *rcs);
    struct vg_diag *ds = vg_calloc(k, sizeof *ds);
    if (!ins || !outs || !whos || !at || !rcs || !ds) {
        for (int i = 0; i < n; i++) /* one by one: the same answers */
            vg_api_incidents_create(reqs[i], rs[i]);
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        json_t *in = vg_req_json(reqs[i], rs[i]); /* answers a body that is not JSON */
        if (!in)
            continue;
        ins[m] = in;
        whos[m] = &reqs[i]->actor;
        at[m++] = i;
    }
    size_t together = m ? vg_incident_create_many(reqs[at[0]]->st, whos, ins, m, outs, rcs, ds) : 0;
    for (size_t j = 0; j < m; j++) {
        created(rs[at[j]], rcs[j], &ds[j], outs[j]);
        json_decref(ins[j]);
    }
    free(ins);
    free(outs);
    free(whos);
    free(at);
    free(rcs);
    free(ds);
    return (int)together;
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
    json_t *in = vg_req_json(req, r), *out = NULL, *allowed = NULL;
    if (!in)
        return;
    int rc = vg_incident_patch(req->st, &req->actor, req->params[0], in, &out, &allowed, &d);
    if (rc == VG_ECONFLICT)
        vg_resp_json(r, 409,
                     json_pack("{s:{s:s,s:s,s:s,s:o}}", "error", "code", "conflict", "message",
                               d.message, "field", "/status", "allowed", allowed));
    else if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, 200, out);
    json_decref(in);
}

void vg_api_incidents_note(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_incident_note(req->st, &req->actor, req->params[0], in, &out, &d);
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
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_incident_observable(req->st, &req->actor, req->params[0], in, &out, &d);
    if (rc)
        vg_resp_diag(r, rc, &d);
    else
        vg_resp_json(r, json_is_true(json_object_get(out, "created")) ? 201 : 200, out);
    json_decref(in);
}

void vg_api_incidents_step(struct vg_req *req, struct vg_resp *r)
{
    struct vg_diag d;
    vg_diag_clear(&d);
    json_t *in = vg_req_json(req, r), *out = NULL;
    if (!in)
        return;
    int rc = vg_incident_step(req->st, &req->actor, req->params[0], req->params[1], in, &out, &d);
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
