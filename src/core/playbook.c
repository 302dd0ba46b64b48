/* Default playbooks, written from common CSIRT practice (containment, eradication, recovery,
 * then lessons learnt) for each RSIT class. */
#include "core/playbook.h"

#include <string.h>

#include "core/model.h"
#include "core/rsit.h"
#include "util/json.h"
#include "util/limits.h"

struct step {
    const char *cls, *id, *phase, *title;
};

static const struct step steps[] = {
    {"abusive-content", "identify-source", "analysis",
     "Identify the sending accounts or hosts and the volume involved"},
    {"abusive-content", "block-source", "containment",
     "Block the source (account, relay, address) at the mail gateway or platform"},
    {"abusive-content", "request-takedown", "eradication",
     "Request removal of the content from the hosting provider"},
    {"abusive-content", "secure-accounts", "recovery",
     "Reset the credentials of abused accounts and enable MFA"},
    {"malicious-code", "isolate-hosts", "containment",
     "Isolate infected hosts from the network, keeping them powered for forensics"},
    {"malicious-code", "collect-artefacts", "analysis",
     "Collect memory, disk artefacts and samples; record hashes as observables"},
    {"malicious-code", "block-c2", "containment",
     "Block command-and-control domains and addresses at DNS and firewall"},
    {"malicious-code", "sweep-iocs", "analysis",
     "Search all systems and logs for the indicators to find other infections"},
    {"malicious-code", "reimage", "eradication", "Reinstall infected systems from trusted media"},
    {"malicious-code", "reset-credentials", "eradication",
     "Reset credentials used on infected hosts"},
    {"malicious-code", "restore-data", "recovery",
     "Restore data from backups verified clean and monitor for reinfection"},
    {"information-gathering", "identify-scope", "analysis",
     "Identify scanned services and the origin of the reconnaissance"},
    {"information-gathering", "filter-sources", "containment",
     "Filter the scanning sources and reduce exposed services"},
    {"information-gathering", "patch-exposed", "recovery",
     "Patch or close the exposed services that were probed"},
    {"intrusion-attempts", "check-success", "analysis",
     "Check logs to confirm the attempts did not succeed"},
    {"intrusion-attempts", "block-attacker", "containment",
     "Block the attacking addresses; rate-limit authentication"},
    {"intrusion-attempts", "patch-targeted", "eradication",
     "Patch the vulnerability targeted by the exploit attempts"},
    {"intrusion-attempts", "enforce-mfa", "recovery",
     "Enforce strong passwords and MFA on targeted accounts"},
    {"intrusions", "preserve-evidence", "analysis",
     "Preserve evidence: logs, memory and disk images, with timestamps"},
    {"intrusions", "scope-compromise", "analysis",
     "Establish the scope: accounts, systems, lateral movement, first access"},
    {"intrusions", "contain-access", "containment",
     "Cut the attacker's access: disable accounts, isolate systems, block C2"},
    {"intrusions", "reset-privileged", "eradication",
     "Reset privileged credentials (domain, service, cloud keys)"},
    {"intrusions", "remove-persistence", "eradication",
     "Remove persistence (backdoors, scheduled tasks, added accounts)"},
    {"intrusions", "rebuild-systems", "recovery",
     "Rebuild compromised systems and restore from clean backups"},
    {"intrusions", "monitor", "recovery", "Raise monitoring on the affected perimeter for 30 days"},
    {"availability", "characterise-attack", "analysis",
     "Characterise the outage or attack: vectors, volume, targets"},
    {"availability", "mitigate-traffic", "containment",
     "Engage the upstream provider or anti-DDoS service; filter traffic"},
    {"availability", "fix-cause", "eradication",
     "Fix the misconfiguration or cause that allowed the disruption"},
    {"availability", "restore-service", "recovery", "Restore the service and verify its capacity"},
    {"information-content-security", "assess-data", "analysis",
     "Identify the data accessed, changed or leaked and its owners"},
    {"information-content-security", "stop-leak", "containment",
     "Close the access path and revoke exposed credentials or links"},
    {"information-content-security", "notify-dpo", "containment",
     "Inform the data protection officer (GDPR 72-hour notification)"},
    {"information-content-security", "request-removal", "eradication",
     "Request removal of published data"},
    {"information-content-security", "restore-integrity", "recovery",
     "Restore altered data from a trusted copy"},
    {"fraud", "identify-fraud", "analysis", "Identify the fraudulent site, sender or resource use"},
    {"fraud", "takedown", "containment",
     "Request takedown of the phishing or masquerading site from registrar and host"},
    {"fraud", "block-lures", "containment", "Block the lure domains and URLs for the constituency"},
    {"fraud", "reset-victims", "eradication", "Reset credentials of users who submitted them"},
    {"fraud", "warn-users", "recovery", "Warn users and partners; share indicators under TLP"},
    {"vulnerable", "confirm-exposure", "analysis",
     "Confirm the vulnerable version or configuration and its exposure"},
    {"vulnerable", "mitigate", "containment", "Apply the vendor workaround or restrict access"},
    {"vulnerable", "patch", "eradication", "Apply the vendor fix"},
    {"vulnerable", "check-compromise", "recovery", "Check for signs of prior exploitation"},
    {"other", "qualify", "analysis", "Qualify the incident and reclassify it if possible"},
    {"other", "contain", "containment", "Take the containment measures that fit"},
    {"other", "restore", "recovery", "Restore normal operation"},
    {"test", "acknowledge", "analysis", "Acknowledge the test to the reporter"},
};

static const char *const phases[] = {"analysis", "containment", "eradication", "recovery", NULL};

json_t *vg_playbook_default(const char *class_name)
{
    if (!vg_rsit_class_find(class_name))
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (strcmp(steps[i].cls, class_name) == 0)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", steps[i].id, "phase",
                                                 steps[i].phase, "title", steps[i].title));
    json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "id", "lessons-learnt", "phase",
                                         "recovery", "title",
                                         "Hold a lessons-learnt review and update this playbook"));
    return arr;
}

static bool id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int vg_playbook_validate(const json_t *arr, struct vg_diag *d)
{
    static const char *const fields[] = {"id", "phase", "title", NULL};
    if (!json_is_array(arr))
        return vg_diag_set(d, VG_EINVAL, "/steps", "/steps must be an array");
    if (json_array_size(arr) > 100)
        return vg_diag_set(d, VG_ETOOBIG, "/steps", "at most 100 steps");
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s) {
        char ptr[64], field[80];
        snprintf(ptr, sizeof ptr, "/steps/%zu/", i);
        if (!json_is_object(s))
            return vg_diag_set(d, VG_EINVAL, ptr, "step %zu is not an object", i);
        if (vg_json_check_fields(s, fields, ptr, d))
            return VG_EINVAL;
        const char *id = vg_json_str(s, "id"), *ph = vg_json_str(s, "phase"),
                   *ti = vg_json_str(s, "title");
        if (!id || !id_ok(id)) {
            snprintf(field, sizeof field, "%sid", ptr);
            return vg_diag_set(d, VG_EINVAL, field, "%s must be 1-64 of [a-z0-9-]", field);
        }
        if (!ph || vg_name_index(phases, ph) < 0) {
            snprintf(field, sizeof field, "%sphase", ptr);
            return vg_diag_set(d, VG_EINVAL, field,
                               "%s must be analysis, containment, eradication or recovery", field);
        }
        if (!ti || !*ti || strlen(ti) > VG_MAX_NAME) {
            snprintf(field, sizeof field, "%stitle", ptr);
            return vg_diag_set(d, VG_EINVAL, field, "%s must be 1-%d bytes", field, VG_MAX_NAME);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(vg_json_str(json_array_get(arr, j), "id"), id) == 0) {
                snprintf(field, sizeof field, "%sid", ptr);
                return vg_diag_set(d, VG_EINVAL, field, "%s '%s' is used twice", field, id);
            }
    }
    return 0;
}

json_t *vg_playbook_progress(const json_t *pb, const json_t *state)
{
    json_t *out = pb ? json_deep_copy(pb) : json_array();
    size_t i;
    json_t *step;
    json_array_foreach(out, i, step) {
        json_t *st = json_object_get(state, vg_json_str(step, "id"));
        if (st) {
            json_object_update(step, st);
        } else {
            json_object_set_new(step, "done", json_false());
            json_object_set_new(step, "done_by", json_null());
            json_object_set_new(step, "done_at", json_null());
        }
    }
    return out;
}
