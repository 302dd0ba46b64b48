/* The intake flow: check, recognise, decide, create (or hold), log. The log is written for
 * every report, accepted, held or redirected; a report the store cannot log is an error, so
 * that no attempt goes unrecorded silently. */
#include "app/intake.h"

#include <stdio.h>
#include <string.h>

#include "core/incident.h"
#include "core/record.h"
#include "util/json.h"

/* The incident an accepted report opens: triage fills in class, type and severity. The
 * recognised organisation is a candidate: `org` with `unverified` true until an analyst
 * checks it. */
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

/* Recognises the organisation of a checked report's reporter and decides. */
static int decide(struct vg_store *st, const json_t *rep, struct vg_intake_decision *dec,
                  struct vg_diag *d)
{
    json_t *org = NULL;
    const char *email = vg_json_str(json_object_get(rep, "reporter"), "email");
    char domain[300];
    if (vg_email_domain(email, domain, sizeof domain) == 0) {
        int rc = vg_store_org_find_by_domain(st, domain, &org);
        if (rc == VG_ENOENT) {
            org = NULL;
        } else if (rc) {
            return vg_diag_set(d, rc, "", "cannot look up the organisation of '%s'", domain);
        }
    }
    *dec = vg_intake_decide(vg_json_str(json_object_get(rep, "organisation"), "kind"), org);
    json_decref(org);
    return 0;
}

static json_t *log_of(const json_t *rep, const char *client, const char *decision)
{
    json_t *decl = json_object_get(rep, "organisation");
    return json_pack("{s:s,s:s,s:s?,s:s?,s:s?}", "client", client, "decision", decision,
                     "reporter_email", vg_json_str(json_object_get(rep, "reporter"), "email"),
                     "org_name", vg_json_str(decl, "name"), "org_kind", vg_json_str(decl, "kind"));
}

/* Creates the incident of rep inside the caller's transaction and names it in log. */
static int open_incident(struct vg_store *st, const json_t *rep,
                         const struct vg_intake_decision *dec, json_t *log,
                         struct vg_intake_result *res, struct vg_diag *d)
{
    struct vg_actor intake = {0, "intake", "", 0};
    struct vg_incident_new rec;
    json_t *out = NULL, *inc = incident_of(rep, dec);
    int rc = inc ? vg_incident_new_from_json(inc, &rec, d) : VG_ENOMEM;
    if (!rc)
        rc = vg_store_incident_create(st, &intake, &rec, &out, d);
    if (inc)
        vg_incident_new_cleanup(&rec);
    json_decref(inc);
    if (rc)
        goto out;
    snprintf(res->ref, sizeof res->ref, "%s", vg_json_str(out, "ref"));
    if (json_object_set(log, "incident", json_object_get(out, "ref")) != 0)
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
out:
    json_decref(out);
    return rc;
}

int vg_intake_submit(struct vg_store *st, const json_t *report, const char *client,
                     const struct vg_intake_opts *opts, struct vg_intake_result *res,
                     struct vg_diag *d)
{
    json_t *rep = NULL, *log = NULL;
    memset(res, 0, sizeof *res);
    int rc = vg_report_check(report, &rep, d);
    if (rc)
        goto out;
    if ((rc = vg_intake_check_observables(json_object_get(rep, "observables"),
                                          opts ? &opts->limits : NULL, d)))
        goto out;
    struct vg_intake_decision dec;
    if ((rc = decide(st, rep, &dec, d)))
        goto out;
    /* over the global cap, an eligible report waits in the queue instead */
    bool hold = dec.accepted && opts && opts->admit && !opts->admit(opts->admit_ctx);
    log = log_of(rep, client, !dec.accepted ? "redirect" : hold ? "queued" : "accepted");
    if (!log) {
        rc = VG_ENOMEM;
        goto out;
    }
    /* The incident (or the held report) and its log entry together or neither: a report
     * that cannot be logged leaves nothing behind its 500. */
    if ((rc = vg_store_tx_begin(st, d)))
        goto out;
    if (hold) {
        long long max = opts->queue_max > 0 ? opts->queue_max : VG_INTAKE_QUEUE_MAX;
        rc = vg_store_queue_add(st, rep, client, max, &res->queue_id, d);
        if (rc == VG_ETOOBIG) {
            /* nothing is held: the attempt is still logged */
            json_object_set_new(log, "decision", json_string("refused"));
            res->queue_full = true;
            rc = 0;
        }
    } else if (dec.accepted) {
        rc = open_incident(st, rep, &dec, log, res, d);
    }
    if (!rc)
        rc = vg_store_intake_log(st, log, d);
    if (rc) {
        vg_store_tx_rollback(st);
        memset(res, 0, sizeof *res);
        goto out;
    }
    if ((rc = vg_store_tx_commit(st, d))) {
        memset(res, 0, sizeof *res);
        goto out;
    }
    res->queued = hold && !res->queue_full;
    res->accepted = dec.accepted && !hold;
    res->unverified = dec.unverified;
    res->org_id = dec.org_id;
out:
    json_decref(rep);
    json_decref(log);
    return rc;
}

int vg_intake_report(struct vg_store *st, const json_t *report, const char *client,
                     struct vg_intake_result *res, struct vg_diag *d)
{
    return vg_intake_submit(st, report, client, NULL, res, d);
}

/* s cut to at most 254 bytes, on a UTF-8 character's boundary ("" for NULL). */
static json_t *cut(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > 254) {
        n = 254;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return json_stringn(s ? s : "", n);
}

int vg_intake_log_spam(struct vg_store *st, const json_t *report, const char *client,
                       struct vg_diag *d)
{
    const json_t *decl = json_object_get(report, "organisation");
    json_t *log =
        json_pack("{s:s,s:s,s:o,s:o,s:o}", "client", client, "decision", "spam", "reporter_email",
                  cut(vg_json_str(json_object_get(report, "reporter"), "email")), "org_name",
                  cut(vg_json_str(decl, "name")), "org_kind", cut(vg_json_str(decl, "kind")));
    if (!log)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = vg_store_intake_log(st, log, d);
    json_decref(log);
    return rc;
}

/* The held report id, *row (the caller frees it); VG_ENOENT naming "id", or another error. */
static int held_get(struct vg_store *st, long long id, json_t **row, struct vg_diag *d)
{
    int rc = vg_store_queue_get(st, id, row);
    if (rc == VG_ENOENT)
        vg_diag_set(d, rc, "id", "no held report %lld", id);
    else if (rc)
        vg_diag_set(d, rc, "", "cannot read held report %lld", id);
    return rc;
}

int vg_intake_accept_held(struct vg_store *st, long long id, struct vg_intake_result *res,
                          struct vg_diag *d)
{
    json_t *row = NULL, *log = NULL;
    memset(res, 0, sizeof *res);
    int rc = held_get(st, id, &row, d);
    if (rc)
        goto out;
    const json_t *rep = json_object_get(row, "report");
    struct vg_intake_decision dec;
    if ((rc = decide(st, rep, &dec, d)))
        goto out;
    if (!dec.accepted) {
        rc = vg_diag_set(d, VG_ECONFLICT, "id",
                         "held report %lld is no longer eligible (its organisation's kind "
                         "changed): discard it",
                         id);
        goto out;
    }
    if (!(log = log_of(rep, vg_json_str(row, "client"), "accepted"))) {
        rc = VG_ENOMEM;
        goto out;
    }
    if ((rc = vg_store_tx_begin(st, d)))
        goto out;
    if (!(rc = open_incident(st, rep, &dec, log, res, d)) &&
        !(rc = vg_store_queue_remove(st, id, d)))
        rc = vg_store_intake_log(st, log, d);
    if (rc || (rc = vg_store_tx_commit(st, d))) {
        vg_store_tx_rollback(st);
        memset(res, 0, sizeof *res);
        goto out;
    }
    res->accepted = true;
    res->unverified = dec.unverified;
    res->org_id = dec.org_id;
out:
    json_decref(row);
    json_decref(log);
    return rc;
}

int vg_intake_discard_held(struct vg_store *st, long long id, struct vg_diag *d)
{
    json_t *row = NULL, *log = NULL;
    int rc = held_get(st, id, &row, d);
    if (rc)
        goto out;
    if (!(log = log_of(json_object_get(row, "report"), vg_json_str(row, "client"), "discarded"))) {
        rc = VG_ENOMEM;
        goto out;
    }
    if ((rc = vg_store_tx_begin(st, d)))
        goto out;
    if (!(rc = vg_store_queue_remove(st, id, d)))
        rc = vg_store_intake_log(st, log, d);
    if (rc || (rc = vg_store_tx_commit(st, d)))
        vg_store_tx_rollback(st);
out:
    json_decref(row);
    json_decref(log);
    return rc;
}
