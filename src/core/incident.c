/* New incidents read from their checked JSON into a typed record; the rules a change of an
 * incident must follow. */
#include "core/incident.h"

#include <stdlib.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/rsit.h"
#include "util/json.h"
#include "util/mem.h"

int vg_incident_new_from_json(const json_t *rec, struct vg_incident_new *out, struct vg_diag *d)
{
    memset(out, 0, sizeof *out);
    static const char *const required[] = {"/title",    "/class", "/type",
                                           "/severity", "/tlp",   "/pap"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!vg_json_str(rec, required[i] + 1))
            return vg_diag_set(d, VG_EINVAL, required[i], "%s is required", required[i]);
    const char *desc = vg_json_str(rec, "description"), *status = vg_json_str(rec, "status");
    json_t *org = json_object_get(rec, "org"), *rep = json_object_get(rec, "reporter");
    *out = (struct vg_incident_new){
        .title = vg_json_str(rec, "title"),
        .description = desc ? desc : "",
        .cls = vg_json_str(rec, "class"),
        .type = vg_json_str(rec, "type"),
        .severity = vg_json_str(rec, "severity"),
        .tlp = vg_json_str(rec, "tlp"),
        .pap = vg_json_str(rec, "pap"),
        .status = status ? status : "new",
        .unverified = json_is_true(json_object_get(rec, "unverified")),
        .org = json_is_integer(org) ? json_integer_value(org) : 0,
        .reporter = json_is_object(rep) ? rep : NULL,
        .assignee = vg_json_str(rec, "assignee"),
        .occurred = vg_json_str(rec, "occurred"),
    };
    const json_t *list = json_object_get(rec, "observables");
    size_t n = json_array_size(list);
    if (!n)
        return 0;
    out->obs = vg_malloc(n * sizeof *out->obs);
    if (!out->obs)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    for (size_t i = 0; i < n; i++) {
        const json_t *o = json_array_get(list, i);
        struct vg_incident_obs ob = {vg_json_str(o, "type"), vg_json_str(o, "value")};
        if (!ob.type || !ob.value) {
            vg_incident_new_cleanup(out);
            return vg_diag_set(d, VG_EINVAL, "/observables",
                               "/observables/%zu must be {type, value}", i);
        }
        bool dup = false;
        for (size_t j = 0; j < out->nobs && !dup; j++)
            dup =
                strcmp(out->obs[j].type, ob.type) == 0 && strcmp(out->obs[j].value, ob.value) == 0;
        if (!dup)
            out->obs[out->nobs++] = ob;
    }
    return 0;
}

void vg_incident_new_cleanup(struct vg_incident_new *n)
{
    if (!n)
        return;
    free(n->obs);
    n->obs = NULL;
    n->nobs = 0;
}

int vg_incident_patch_check(const json_t *cur, const json_t *patch, struct vg_diag *d)
{
    int rc = vg_status_check_move(vg_json_str(cur, "status"), vg_json_str(patch, "status"), d);
    if (rc)
        return rc;
    const char *cls =
        vg_json_str(patch, "class") ? vg_json_str(patch, "class") : vg_json_str(cur, "class");
    const char *type =
        vg_json_str(patch, "type") ? vg_json_str(patch, "type") : vg_json_str(cur, "type");
    if (!vg_rsit_valid(cls, type))
        return vg_diag_set(d, VG_EINVAL, "/type", "/type '%s' is not an RSIT type of class '%s'",
                           type, cls);
    return 0;
}
