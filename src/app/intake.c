/* The intake flow: check, recognise, decide, create, log. The log is written for every
 * report, accepted or redirected; a report the store cannot log is an error, so that no
 * attempt goes unrecorded silently. */
#include "app/intake.h"

#include <stdio.h>
#include <string.h>

#include "core/incident.h"
#include "core/intake.h"
#include "core/record.h"
#include "util/json.h"

/* The incident an accepted report opens: triage fills in class, type and severity. */
static json_t *incident_of(const json_t *rep, const struct vg_intake_decision *dec)
{
    json_t *inc =
        json_pack("{s:O,s:O,s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:b}", "title",
                  json_object_get(rep, "title"), "description", json_object_get(rep, "description"),
                  "class", "other", "type", "undetermined", "severity", "medium", "tlp", "AMBER",
                  "pap", "AMBER", "status", "new", "reporter", json_object_get(rep, "reporter"),
                  "unverified", dec->unverified);
    if (!inc)
        return NULL;
    /* a field that cannot be set fails the whole incident (it dropped the observables
     * silently, test_faults' post_report) */
    json_t *v;
    if ((dec->org_id && json_object_set_new(inc, "org", json_integer(dec->org_id)) != 0) ||
        ((v = json_object_get(rep, "observables")) && json_object_set(inc, "observables", v)) ||
        ((v = json_object_get(rep, "occurred")) && json_object_set(inc, "occurred", v))) {
        json_decref(inc);
        return NULL;
    }
    return inc;
}

int vg_intake_report(struct vg_store *st, const json_t *report, const char *client,
                     struct vg_intake_result *res, struct vg_diag *d)
{
    json_t *rep = NULL, *org = NULL, *log = NULL, *inc = NULL, *out = NULL;
    memset(res, 0, sizeof *res);
    int rc = vg_report_check(report, &rep, d);
    if (rc)
        goto out;
    json_t *reporter = json_object_get(rep, "reporter"),
           *decl = json_object_get(rep, "organisation");
    const char *email = vg_json_str(reporter, "email");
    char domain[300];
    if (vg_email_domain(email, domain, sizeof domain) == 0) {
        rc = vg_store_org_find_by_domain(st, domain, &org);
        if (rc == VG_ENOENT) {
            rc = 0;
        } else if (rc) {
            vg_diag_set(d, rc, "", "cannot look up the organisation of '%s'", domain);
            goto out;
        }
    }
    struct vg_intake_decision dec = vg_intake_decide(vg_json_str(decl, "kind"), org);
    log = json_pack("{s:s,s:s,s:s?,s:s?,s:s?}", "client", client, "decision",
                    dec.accepted ? "accepted" : "redirect", "reporter_email", email, "org_name",
                    vg_json_str(decl, "name"), "org_kind", vg_json_str(decl, "kind"));
    if (!log) {
        rc = VG_ENOMEM;
        goto out;
    }
    /* The incident and its log entry together or neither: a report that cannot be logged
     * leaves no incident behind its 500. */
    if ((rc = vg_store_tx_begin(st, d)))
        goto out;
    if (dec.accepted) {
        struct vg_actor intake = {0, "intake", ""};
        struct vg_incident_new rec;
        inc = incident_of(rep, &dec);
        rc = inc ? vg_incident_new_from_json(inc, &rec, d) : VG_ENOMEM;
        if (!rc)
            rc = vg_store_incident_create(st, &intake, &rec, &out, d);
        if (inc)
            vg_incident_new_cleanup(&rec);
        if (rc) {
            vg_store_tx_rollback(st);
            goto out;
        }
        snprintf(res->ref, sizeof res->ref, "%s", vg_json_str(out, "ref"));
        if (json_object_set(log, "incident", json_object_get(out, "ref")) != 0) {
            vg_store_tx_rollback(st);
            rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
            goto out;
        }
    }
    rc = vg_store_intake_log(st, log, d);
    if (rc) {
        vg_store_tx_rollback(st);
        goto out;
    }
    if ((rc = vg_store_tx_commit(st, d)))
        goto out;
    res->accepted = dec.accepted;
    res->unverified = dec.unverified;
out:
    json_decref(rep);
    json_decref(org);
    json_decref(log);
    json_decref(inc);
    json_decref(out);
    return rc;
}
