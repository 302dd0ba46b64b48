/* Intake rules. Eligibility: a recognised constituent decides by its recorded kind, an
 * unknown reporter by the kind it declares; either way the claim rests on an e-mail address
 * nobody has confirmed, so the incident stays unverified until an analyst says otherwise.
 * Observables: an anonymous report must not plant a network that contains everything
 * (0.0.0.0/0 would relate to every incident with an address). */
#include "core/intake.h"

#include <stdio.h>

#include "core/model.h"
#include "core/observable.h"
#include "util/json.h"

struct vg_intake_decision vg_intake_decide(const char *declared_kind, const json_t *known_org)
{
    struct vg_intake_decision d = {false, false, 0};
    if (known_org) {
        d.accepted = vg_org_kind_eligible(vg_json_str(known_org, "kind"));
        d.org_id = (long long)json_integer_value(json_object_get(known_org, "id"));
    } else {
        d.accepted = vg_org_kind_eligible(declared_kind);
    }
    d.unverified = d.accepted;
    return d;
}

int vg_intake_check_observables(const json_t *obs, const struct vg_intake_limits *lim,
                                struct vg_diag *d)
{
    int min4 = lim && lim->min_prefix_ipv4 ? lim->min_prefix_ipv4 : VG_INTAKE_MIN_PREFIX_IPV4;
    int min6 = lim && lim->min_prefix_ipv6 ? lim->min_prefix_ipv6 : VG_INTAKE_MIN_PREFIX_IPV6;
    size_t max = lim && lim->max_observables ? lim->max_observables : VG_INTAKE_MAX_OBSERVABLES;
    if (!obs)
        return 0;
    if (json_array_size(obs) > max)
        return vg_diag_set(d, VG_EINVAL, "/observables",
                           "a report carries at most %zu observables (%zu given)", max,
                           json_array_size(obs));
    size_t i;
    json_t *o;
    json_array_foreach(obs, i, o) {
        enum vg_obs_type t = vg_obs_type_parse(vg_json_str(o, "type"));
        if (t != VG_OBS_IPV4 && t != VG_OBS_IPV6)
            continue;
        struct vg_observable ob;
        if (vg_observable_parse(vg_str_c(vg_json_str(o, "value")), t, &ob, NULL) != 0 || !ob.has_ip)
            continue; /* already checked: cannot happen */
        int bits = t == VG_OBS_IPV4 ? ob.prefix - 96 : ob.prefix;
        int min = t == VG_OBS_IPV4 ? min4 : min6;
        if (bits < min) {
            char field[64];
            snprintf(field, sizeof field, "/observables/%zu/value", i);
            return vg_diag_set(d, VG_EINVAL, field,
                               "%s: the network %s is too wide for a public report (at most "
                               "/%d); an analyst may add it to the incident",
                               field, ob.value, min);
        }
    }
    return 0;
}
