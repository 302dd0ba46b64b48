/* Vocabularies of the data model and the small rules on them. */
#include "core/model.h"

#include <stdio.h>
#include <string.h>

const char *const vg_tlp_names[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL};
const char *const vg_pap_names[] = {"CLEAR", "GREEN", "AMBER", "RED", NULL};
const char *const vg_severity_names[] = {"low", "medium", "high", "critical", NULL};
const char *const vg_org_kind_names[] = {
    "ministry",        "public-agency", "local-authority", "oiv",   "ose",
    "private-company", "sme",           "individual",      "other", NULL,
};
const char *const vg_sector_names[] = {
    "energy", "transport",  "health",  "finance", "telecom",
    "water",  "government", "defence", "other",   NULL,
};
const char *const vg_role_names[] = {"admin", "analyst", "reader", NULL};

int vg_name_index(const char *const *names, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

void vg_names_join(const char *const *names, char *out, unsigned cap)
{
    size_t n = 0;
    if (cap == 0)
        return;
    out[0] = '\0';
    for (int i = 0; names[i]; i++) {
        int w = snprintf(out + n, cap - n, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

bool vg_org_kind_eligible(const char *kind)
{
    int i = vg_name_index(vg_org_kind_names, kind);
    return i >= 0 && i <= 4;
}

int vg_tlp_rank(const char *tlp)
{
    return vg_name_index(vg_tlp_names, tlp);
}
