/* libFuzzer target for the HTTP request-body parser: bounded JSON parsing followed by every
 * record check (organisation, incident create/patch, report, observable, playbook). */
#include <stddef.h>
#include <stdint.h>

#include "core/playbook.h"
#include "core/record.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vg_diag d;
    json_t *v = vg_json_parse((const char *)data, size, &d);
    if (!v)
        return 0;
    json_t *out = NULL;
    if (vg_org_check(v, VG_CHECK_CREATE, &out, &d) == 0)
        json_decref(out);
    if (vg_org_check(v, VG_CHECK_PATCH, &out, &d) == 0)
        json_decref(out);
    if (vg_incident_check(v, VG_CHECK_CREATE, &out, &d) == 0)
        json_decref(out);
    if (vg_incident_check(v, VG_CHECK_PATCH, &out, &d) == 0)
        json_decref(out);
    if (vg_report_check(v, &out, &d) == 0)
        json_decref(out);
    if (vg_observable_check(v, "/", &out, &d) == 0)
        json_decref(out);
    vg_playbook_validate(json_object_get(v, "steps"), &d);
    json_decref(v);
    return 0;
}
