/* Intake eligibility: a recognised constituent decides by its recorded kind; an unknown
 * reporter by the kind it declares, and is then flagged for verification during triage. */
#include "core/intake.h"

#include "core/model.h"
#include "util/json.h"

struct vg_intake_decision vg_intake_decide(const char *declared_kind, const json_t *known_org)
{
    struct vg_intake_decision d = {false, false, 0};
    if (known_org) {
        d.accepted = vg_org_kind_eligible(vg_json_str(known_org, "kind"));
        d.org_id = (long long)json_integer_value(json_object_get(known_org, "id"));
        return d;
    }
    d.accepted = vg_org_kind_eligible(declared_kind);
    d.unverified = d.accepted;
    return d;
}
