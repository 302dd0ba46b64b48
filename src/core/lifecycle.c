/* Lifecycle transitions as a table: each status lists where it may go. Analysts may close an
 * incident early once triaged (false positive, handled elsewhere), reject it while new or in
 * triage, and reopen a closed or rejected one into triage. */
#include "core/lifecycle.h"

#include <stdio.h>
#include <string.h>

#include "core/model.h"

const char *const vg_status_names[] = {"new",         "triage",      "analysis",
                                       "containment", "eradication", "recovery",
                                       "closed",      "rejected",    NULL};

static const char *const from_new[] = {"triage", "rejected", NULL};
static const char *const from_triage[] = {"analysis", "rejected", "closed", NULL};
static const char *const from_analysis[] = {"containment", "closed", NULL};
static const char *const from_containment[] = {"eradication", NULL};
static const char *const from_eradication[] = {"recovery", NULL};
static const char *const from_recovery[] = {"closed", NULL};
static const char *const from_final[] = {"triage", NULL};
static const char *const none[] = {NULL};

static const char *const *const next_table[] = {
    from_new,         from_triage,   from_analysis, from_containment,
    from_eradication, from_recovery, from_final,    from_final,
};

bool vg_status_valid(const char *status)
{
    return vg_name_index(vg_status_names, status) >= 0;
}

const char *const *vg_status_next(const char *from)
{
    int i = vg_name_index(vg_status_names, from);
    return i < 0 ? none : next_table[i];
}

bool vg_status_can_move(const char *from, const char *to)
{
    return vg_name_index(vg_status_next(from), to) >= 0;
}

int vg_status_check_move(const char *from, const char *to, struct vg_diag *d)
{
    if (!to || strcmp(from, to) == 0 || vg_status_can_move(from, to))
        return 0;
    char allowed[256] = "";
    size_t n = 0;
    for (const char *const *p = vg_status_next(from); *p && n < sizeof allowed; p++)
        n += (size_t)snprintf(allowed + n, sizeof allowed - n, "%s%s", n ? ", " : "", *p);
    return vg_diag_set(d, VG_ECONFLICT, "/status",
                       "an incident in status '%s' cannot move to '%s'; allowed: %s", from, to,
                       allowed);
}

bool vg_status_is_final(const char *status)
{
    return status && (strcmp(status, "closed") == 0 || strcmp(status, "rejected") == 0);
}
