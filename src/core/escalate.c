/* The incident an escalated alert becomes: named after the indicator and where it was seen,
 * with the defaults of an untriaged incident. */
#include "core/escalate.h"

#include <stdio.h>

#include "core/observable.h"

int vg_escalate_incident(const struct vg_escalation *e, const json_t *fields, json_t **out,
                         struct vg_diag *d)
{
    char title[512];
    snprintf(title, sizeof title, "%s %s seen%s%s", e->ind_type, e->ind_value,
             e->org_name ? " at " : "", e->org_name ? e->org_name : "");
    json_t *inc =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:s}]}", "title", title, "description", "",
                  "class", "other", "type", "undetermined", "severity", "medium", "tlp", e->ind_tlp,
                  "pap", "AMBER", "observables", "type", e->ind_type, "value", e->ind_value);
    if (!inc) {
        *out = NULL;
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    }
    if (json_is_object(fields))
        json_object_update(inc, (json_t *)fields);
    if (e->org > 0)
        json_object_set_new(inc, "org", json_integer(e->org));
    /* the values seen in the logs become observables too */
    json_t *obs = json_object_get(inc, "observables");
    struct vg_observable o;
    for (size_t i = 0; i < e->nseen; i++)
        if (vg_observable_parse(vg_str_c(e->seen[i]), VG_OBS_UNKNOWN, &o, NULL) == 0)
            json_array_append_new(obs, json_pack("{s:s,s:s}", "type", vg_obs_type_name(o.type),
                                                 "value", o.value));
    *out = inc;
    return 0;
}
