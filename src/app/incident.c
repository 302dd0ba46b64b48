/* The incident use cases of the API and the console (app/incident.h): what used to be in the
 * API's handlers beyond core's checks (the list's filters, a note's text, an observable's own
 * TLP, the statuses allowed after a refused move), once for both. */
#include "app/incident.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "app/mail.h"
#include "core/incident.h"
#include "core/lifecycle.h"
#include "core/model.h"
#include "core/record.h"
#include "core/rsit.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/limits.h"
#include "util/str.h"

int vg_incident_filters(vg_incident_arg_fn arg, void *ctx, json_t **out, struct vg_diag *d)
{
    static const struct {
        const char *key;
        const char *const *names;
    } named[] = {
        {"status", vg_status_names},
        {"severity", vg_severity_names},
        {"tlp", vg_tlp_names},
    };
    static const char *const sorts[] = {"newest", "oldest", "updated", "severity", NULL};
    json_t *f = json_object();
    int rc = 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        const char *v = arg(ctx, named[i].key);
        if (!v)
            continue;
        if (vg_name_index(named[i].names, v) < 0) {
            char list[200];
            vg_names_join(named[i].names, list, sizeof list);
            rc = vg_diag_set(d, VG_EINVAL, named[i].key, "%s must be one of: %s", named[i].key,
                             list);
            goto out;
        }
        json_object_set_new(f, named[i].key, json_string(v));
    }
    const char *cls = arg(ctx, "class");
    if (cls) {
        if (!vg_rsit_class_find(cls)) {
            rc = vg_diag_set(d, VG_EINVAL, "class", "class '%s' is not an RSIT class", cls);
            goto out;
        }
        json_object_set_new(f, "class", json_string(cls));
    }
    const char *org = arg(ctx, "org");
    unsigned long long n;
    if (org) {
        if (vg_str_to_u64(vg_str_c(org), 1, 1ULL << 62, &n) != 0) {
            rc = vg_diag_set(d, VG_EINVAL, "org", "org must be a positive integer id");
            goto out;
        }
        json_object_set_new(f, "org", json_integer((json_int_t)n));
    }
    const char *who = arg(ctx, "assignee");
    if (who) {
        if (!*who || strlen(who) > VG_MAX_STR_FIELD) {
            rc = vg_diag_set(d, VG_EINVAL, "assignee",
                             "assignee must be a user name or none (unassigned)");
            goto out;
        }
        json_object_set_new(f, "assignee", strcmp(who, "none") ? json_string(who) : json_null());
    }
    const char *sort = arg(ctx, "sort");
    if (sort) {
        if (vg_name_index(sorts, sort) < 0) {
            rc = vg_diag_set(d, VG_EINVAL, "sort",
                             "sort must be one of: newest, oldest, updated, severity");
            goto out;
        }
        json_object_set_new(f, "sort", json_string(sort));
    }
out:
    if (rc)
        json_decref(f);
    else
        *out = f;
    return rc;
}

int vg_incident_create(struct vg_store *st, const struct vg_actor *who, const json_t *in,
                       json_t **out, struct vg_diag *d)
{
    json_t *inc = NULL;
    struct vg_incident_new rec = {0};
    *out = NULL;
    int rc = vg_incident_check(in, VG_CHECK_CREATE, &inc, d);
    if (!rc && !(rc = vg_incident_new_from_json(inc, &rec, d)) &&
        !(rc = vg_store_tx_begin(st, d))) {
        /* the incident and the mail to its organisation's contacts together or neither
         * (issue 15: app/mail.h) */
        rc = vg_store_incident_create(st, who, &rec, out, d);
        if (!rc)
            rc = vg_mail_incident_opened(st, *out, NULL, d);
        if (rc || (rc = vg_store_tx_commit(st, d))) {
            vg_store_tx_rollback(st);
            json_decref(*out);
            *out = NULL;
        }
    }
    vg_incident_new_cleanup(&rec);
    json_decref(inc);
    return rc;
}

/* The checked incidents of a group (vg_incident_create_many): their records, what the records
 * borrow from, their actors and where they came from. */
struct group {
    struct vg_incident_new *recs;
    json_t **checked;
    const struct vg_actor **whos;
    size_t *at;
    json_t **outs;
    size_t n;
};

static void group_free(struct group *g)
{
    for (size_t k = 0; k < g->n; k++) {
        vg_incident_new_cleanup(&g->recs[k]);
        json_decref(g->checked[k]);
    }
    free(g->recs);
    free(g->checked);
    free(g->whos);
    free(g->at);
    free(g->outs);
}

/* Creates the group's incidents and their mail in one transaction, all or none. */
static int group_create(struct vg_store *st, struct group *g, struct vg_diag *d)
{
    int rc = vg_store_tx_begin(st, d);
    if (rc)
        return rc;
    rc = vg_store_incident_create_many(st, g->whos, g->recs, g->n, g->outs, d);
    for (size_t k = 0; !rc && k < g->n; k++)
        rc = vg_mail_incident_opened(st, g->outs[k], NULL, d);
    if (rc || (rc = vg_store_tx_commit(st, d))) {
        vg_store_tx_rollback(st);
        for (size_t k = 0; k < g->n; k++) {
            json_decref(g->outs[k]);
            g->outs[k] = NULL;
        }
    }
    return rc;
}

size_t vg_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                               json_t *const *ins, size_t n, json_t **outs, int *rcs,
                               struct vg_diag *ds)
{
    struct group g = {
        .recs = vg_calloc(n, sizeof *g.recs),
        .checked = vg_calloc(n, sizeof *g.checked),
        .whos = vg_calloc(n, sizeof *g.whos),
        .at = vg_calloc(n, sizeof *g.at),
        .outs = vg_calloc(n, sizeof *g.outs),
    };
    bool nomem = !g.recs || !g.checked || !g.whos || !g.at || !g.outs;
    for (size_t i = 0; i < n; i++) {
        outs[i] = NULL;
        rcs[i] = 0;
        vg_diag_clear(&ds[i]);
        if (nomem)
            continue;
        json_t *inc = NULL;
        int rc = vg_incident_check(ins[i], VG_CHECK_CREATE, &inc, &ds[i]);
        if (!rc)
            rc = vg_incident_new_from_json(inc, &g.recs[g.n], &ds[i]);
        if (rc) {
            vg_incident_new_cleanup(&g.recs[g.n]);
            rcs[i] = rc;
            json_decref(inc);
            continue;
        }
        g.checked[g.n] = inc;
        g.whos[g.n] = whos[i];
        g.at[g.n++] = i;
    }
    struct vg_diag d;
    vg_diag_clear(&d);
    size_t together = 0;
    if (!nomem && g.n >= 2 && group_create(st, &g, &d) == 0) {
        for (size_t k = 0; k < g.n; k++)
            outs[g.at[k]] = g.outs[k];
        together = g.n;
    } else if (nomem) { /* each alone: the same answers, one statement each */
        for (size_t i = 0; i < n; i++)
            rcs[i] = vg_incident_create(st, whos[i], ins[i], &outs[i], &ds[i]);
    } else {
        for (size_t k = 0; k < g.n; k++) {
            size_t i = g.at[k];
            rcs[i] = vg_incident_create(st, whos[i], ins[i], &outs[i], &ds[i]);
        }
    }
    group_free(&g);
    return together;
}

/* The mail a change of incident before into after tells its organisation (issue 15): an
 * organisation it newly concerns is told of it as opened (with its status as it is now), its
 * organisation of a new status; nothing else is mailed. */
static int mail_change(struct vg_store *st, const json_t *before, const json_t *after,
                       struct vg_diag *d)
{
    json_int_t org_was = json_integer_value(json_object_get(before, "org")),
               org_is = json_integer_value(json_object_get(after, "org"));
    const char *was = vg_json_str(before, "status"), *is = vg_json_str(after, "status");
    if (org_is > 0 && org_is != org_was)
        return vg_mail_incident_opened(st, after, NULL, d);
    if (was && is && strcmp(was, is))
        return vg_mail_incident_status(st, after, was, NULL, d);
    return 0;
}

int vg_incident_patch(struct vg_store *st, const struct vg_actor *who, const char *ref,
                      const json_t *in, json_t **out, json_t **allowed, struct vg_diag *d)
{
    json_t *patch = NULL, *before = NULL;
    *out = NULL;
    int rc = vg_incident_check(in, VG_CHECK_PATCH, &patch, d);
    if (!rc && !(rc = vg_store_tx_begin(st, d))) {
        /* the change and its mail together or neither; the incident before is read in the
         * same transaction, when the change can be one that is mailed */
        bool mailed = json_object_get(patch, "status") || json_object_get(patch, "org");
        if (mailed && (rc = vg_store_incident_get(st, ref, &before)))
            rc = rc == VG_ENOENT ? vg_diag_set(d, rc, "ref", "no incident %s", ref)
                                 : vg_diag_set(d, rc, "", "cannot read incident %s", ref);
        if (!rc)
            rc = vg_store_incident_update(st, who, ref, patch, out, d);
        if (!rc && before)
            rc = mail_change(st, before, *out, d);
        if (rc || (rc = vg_store_tx_commit(st, d))) {
            vg_store_tx_rollback(st);
            json_decref(*out);
            *out = NULL;
        }
    }
    json_decref(before);
    json_decref(patch);
    if (rc == VG_ECONFLICT && allowed) {
        /* the statuses the incident may move to, for the client to offer */
        json_t *cur = NULL;
        *allowed = json_array();
        if (vg_store_incident_get(st, ref, &cur) == 0)
            for (const char *const *p = vg_status_next(vg_json_str(cur, "status")); *p; p++)
                json_array_append_new(*allowed, json_string(*p));
        json_decref(cur);
    }
    return rc;
}

int vg_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                     const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"text", "public", NULL};
    json_t *text = json_object_get(in, "text"), *pub = json_object_get(in, "public"), *inc = NULL;
    *out = NULL;
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (!rc && (!json_is_string(text) || json_string_length(text) == 0 ||
                json_string_length(text) > VG_MAX_STR_FIELD ||
                strlen(json_string_value(text)) != json_string_length(text)))
        rc = vg_diag_set(d, VG_EINVAL, "/text",
                         "/text must be a non-empty string of at most %d bytes", VG_MAX_STR_FIELD);
    if (!rc && pub && !json_is_boolean(pub))
        rc = vg_diag_set(d, VG_EINVAL, "/public",
                         "/public must be true (told to the organisation) or false (internal)");
    if (rc || (rc = vg_store_tx_begin(st, d)))
        return rc;
    /* a public note and the mail that carries it together or neither (issue 15); an internal
     * one never leaves */
    rc = vg_store_incident_note_vis(st, who, ref, json_string_value(text), json_is_true(pub), out,
                                    d);
    if (!rc && json_is_true(pub) && (rc = vg_store_incident_get(st, ref, &inc)))
        rc = vg_diag_set(d, rc, "", "cannot read incident %s", ref);
    if (!rc && inc)
        rc = vg_mail_incident_note(st, inc, json_string_value(text), NULL, d);
    if (rc || (rc = vg_store_tx_commit(st, d))) {
        vg_store_tx_rollback(st);
        json_decref(*out);
        *out = NULL;
    }
    json_decref(inc);
    return rc;
}

int vg_incident_observable(struct vg_store *st, const struct vg_actor *who, const char *ref,
                           const json_t *in, json_t **out, struct vg_diag *d)
{
    /* its own TLP (issue 12), optional: the incident's applies without one */
    json_t *tlp = json_object_get(in, "tlp"), *obs = NULL, *rest = json_copy((json_t *)in);
    const char *level = json_string_value(tlp);
    int rc = !rest ? VG_ENOMEM
             : tlp && (!level || vg_name_index(vg_tlp_names, level) < 0)
                 ? vg_diag_set(d, VG_EINVAL, "/tlp",
                               "/tlp must be one of: CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
                 : 0;
    if (!rc && tlp)
        json_object_del(rest, "tlp");
    if (!rc)
        rc = vg_observable_check(rest, "/", &obs, d);
    if (!rc && tlp)
        json_object_set(obs, "tlp", tlp);
    if (!rc)
        rc = vg_store_incident_observable_add(st, who, ref, obs, out, d);
    json_decref(rest);
    json_decref(obs);
    return rc;
}

int vg_incident_step(struct vg_store *st, const struct vg_actor *who, const char *ref,
                     const char *step, const json_t *in, json_t **out, struct vg_diag *d)
{
    static const char *const fields[] = {"done", NULL};
    int rc = vg_json_check_fields(in, fields, "/", d);
    if (!rc && !json_is_boolean(json_object_get(in, "done")))
        rc = vg_diag_set(d, VG_EINVAL, "/done", "/done must be true or false");
    if (!rc)
        rc = vg_store_incident_step_set(st, who, ref, step,
                                        json_is_true(json_object_get(in, "done")), out, d);
    return rc;
}
