/* PostgreSQL backend: incidents with their observables, timeline and playbook steps, and the
 * playbooks of the RSIT classes (store/incident.h). The related incidents are in pg_corr.c.
 *
 * With several servers on one database:
 *   - references: the per-year counter is an upsert whose row lock is held to the end of the
 *     creating transaction, so numbers are given once each, in commit order;
 *   - observables are inserted under a transaction-level advisory lock (PG_OBSERVABLE_LOCK),
 *     held to the end of the writing transaction (of the batch or use-case transaction around
 *     it): their ids are therefore committed in increasing order, which is what lets each
 *     server's correlation index catch up by reading the ids after the last one it holds
 *     (pg_corr.c). A creation takes it first, before the counter's row, with or without
 *     observables, so that two batches never wait for the two in opposite orders. An advisory
 *     lock rather than LOCK TABLE: autovacuum's lock would conflict with a table lock;
 *   - playbooks are not cached (sqlite_playbooks.c caches them behind PRAGMA data_version):
 *     an incident's answer reads its class's steps, one indexed row, so that a playbook edited
 *     through any server shows on every other at once. */
#include "store/pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/incident.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/playbook.h"
#include "core/reference.h"
#include "core/rsit.h"
#include "core/timeline.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/str.h"
#include "util/mem.h"
#include "util/time.h"

/* ---- incidents ---- */

/* An incident's own fields as GET answers them (sqlite_incidents.c's struct inc_view). */
struct inc_view {
    const char *ref, *title, *description, *cls, *type, *severity, *tlp, *pap, *status;
    bool unverified;
    long long org;
    const char *org_name;
    json_t *reporter; /* a new reference, or NULL for {} */
    const char *assignee, *occurred, *created, *updated, *created_by;
};

static json_t *str_or_null(const char *v)
{
    return v ? json_string(v) : json_null();
}

static json_t *incident_json(const struct inc_view *v)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "ref", v->ref, "title",
                          v->title, "description", v->description, "class", v->cls, "type", v->type,
                          "severity", v->severity, "tlp", v->tlp, "pap", v->pap, "status",
                          v->status, "unverified", v->unverified);
    json_object_set_new(o, "org", v->org ? json_integer(v->org) : json_null());
    json_object_set_new(o, "org_name", str_or_null(v->org_name));
    json_object_set_new(o, "reporter", v->reporter ? v->reporter : json_object());
    json_object_set_new(o, "assignee", str_or_null(v->assignee));
    json_object_set_new(o, "occurred", str_or_null(v->occurred));
    json_object_set_new(o, "created", json_string(v->created));
    json_object_set_new(o, "updated", json_string(v->updated));
    json_object_set_new(o, "created_by", json_string(v->created_by));
    return o;
}

static const char *get_or_null(const PGresult *r, int i, int c)
{
    return PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
}

/* The columns every incident read selects, in this order (incident_row reads them). */
#define INC_COLS                                                                                   \
    "i.id, i.ref, i.title, i.description, i.class, i.type, i.severity, i.tlp, i.pap, i.status, "   \
    "i.unverified, i.org_id, o.name, i.reporter, i.assignee, i.occurred, i.created, i.updated, "   \
    "i.created_by"

static json_t *incident_row(const PGresult *r, int i)
{
    unsigned long before = vg_mem_thread_failures();
    json_t *reporter = pg_get_json(r, i, 13);
    if (!json_is_object(reporter)) {
        json_decref(reporter);
        reporter = NULL;
    }
    struct inc_view v = {
        .ref = pg_get_text(r, i, 1),
        .title = pg_get_text(r, i, 2),
        .description = pg_get_text(r, i, 3),
        .cls = pg_get_text(r, i, 4),
        .type = pg_get_text(r, i, 5),
        .severity = pg_get_text(r, i, 6),
        .tlp = pg_get_text(r, i, 7),
        .pap = pg_get_text(r, i, 8),
        .status = pg_get_text(r, i, 9),
        .unverified = pg_get_int(r, i, 10) != 0,
        .org = pg_get_int(r, i, 11),
        .org_name = get_or_null(r, i, 12),
        .reporter = reporter,
        .assignee = get_or_null(r, i, 14),
        .occurred = get_or_null(r, i, 15),
        .created = pg_get_text(r, i, 16),
        .updated = pg_get_text(r, i, 17),
        .created_by = pg_get_text(r, i, 18),
    };
    json_t *o = incident_json(&v);
    if (o && vg_mem_thread_failures() != before) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

long long pg_incident_id(struct pg *p, const char *ref)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p, "SELECT id FROM incident WHERE ref = $1", &pp);
    if (!r)
        return -1;
    long long id = PQntuples(r) == 1 ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    return id;
}

static int timeline_add(struct pg *p, long long inc, const struct vg_actor *who, const char *action,
                        const json_t *detail, const char *now)
{
    struct pg_params pp = {0};
    pg_param_int(&pp, inc);
    pg_param_text(&pp, now);
    pg_param_text(&pp, who->name);
    pg_param_text(&pp, action);
    pg_param_json(&pp, detail);
    PGresult *r = pg_run(p,
                         "INSERT INTO timeline(incident_id, at, actor, action, detail) "
                         "VALUES ($1, $2, $3, $4, coalesce($5, '{}'))",
                         &pp);
    pg_params_free(&pp);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

/* {type, value, created, tlp}, or NULL (a NULL string or no memory), as json_pack would give
 * it: built directly, since a group's answers make ten per incident and json_pack's format
 * reading was most of their cost. */
static json_t *observable_json(const char *type, const char *value, const char *created,
                               const char *tlp)
{
    const char *keys[] = {"type", "value", "created", "tlp"};
    const char *vals[] = {type, value, created, tlp};
    json_t *o = json_object();
    for (size_t i = 0; o && i < 4; i++) {
        json_t *v = vals[i] ? json_string(vals[i]) : NULL;
        if (json_object_set_new(o, keys[i], v) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static json_t *incident_observables(struct pg *p, long long id)
{
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r =
        pg_run(p,
               "SELECT o.type, o.value, o.created, coalesce(o.tlp, i.tlp) FROM observable o "
               "JOIN incident i ON i.id = o.incident_id WHERE o.incident_id = $1 ORDER BY o.id",
               &pp);
    if (!r)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(arr, observable_json(pg_get_text(r, i, 0), pg_get_text(r, i, 1),
                                                   pg_get_text(r, i, 2), pg_get_text(r, i, 3)));
    PQclear(r);
    return arr;
}

/* The steps of the playbook of class cls (a new array), or NULL if it has none or on a
 * failure (*failed then true). */
static json_t *playbook_steps(struct pg *p, const char *cls, bool *failed)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, cls ? cls : "");
    PGresult *r = pg_run(p, "SELECT steps FROM playbook WHERE class = $1", &pp);
    if (!r) {
        *failed = true;
        return NULL;
    }
    json_t *steps = PQntuples(r) == 1 ? pg_get_json(r, 0, 0) : NULL;
    PQclear(r);
    if (!json_is_array(steps)) {
        json_decref(steps);
        return NULL;
    }
    return steps;
}

/* Playbook pb's steps (not an array: none) with their state (NULL: none done). */
static json_t *playbook_progress(const json_t *pb, const json_t *state)
{
    if (!json_is_array(pb))
        return json_array();
    json_t *none = state ? NULL : json_object();
    json_t *steps = vg_playbook_progress(pb, state ? state : none);
    json_decref(none);
    return steps;
}

/* The steps of incident id's playbook with their state; NULL on a store failure. */
static json_t *incident_steps(struct pg *p, long long id, const char *cls)
{
    bool failed = false;
    json_t *pb = playbook_steps(p, cls, &failed);
    if (!pb)
        return failed ? NULL : json_array();
    json_t *state = json_object();
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT step_id, done, done_by, done_at FROM incident_step "
                         "WHERE incident_id = $1",
                         &pp);
    if (!r) {
        json_decref(pb);
        json_decref(state);
        return NULL;
    }
    for (int i = 0; i < PQntuples(r); i++)
        json_object_set_new(state, pg_get_text(r, i, 0),
                            json_pack("{s:b,s:o,s:o}", "done", pg_get_int(r, i, 1) != 0, "done_by",
                                      pg_get_null(r, i, 2), "done_at", pg_get_null(r, i, 3)));
    PQclear(r);
    json_t *steps = playbook_progress(pb, state);
    json_decref(state);
    json_decref(pb);
    return steps;
}

static json_t *timeline_json(const char *at, const char *actor, const char *action, json_t *detail)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "at", at, "actor", actor, "action", action, "detail",
                     detail);
}

static json_t *incident_timeline(struct pg *p, long long id)
{
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    PGresult *r = pg_run(p,
                         "SELECT at, actor, action, detail FROM timeline WHERE incident_id = $1 "
                         "ORDER BY id",
                         &pp);
    if (!r)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(arr, timeline_json(pg_get_text(r, i, 0), pg_get_text(r, i, 1),
                                                 pg_get_text(r, i, 2), pg_get_json(r, i, 3)));
    PQclear(r);
    return arr;
}

/* Serialises the writers of observables until the end of the transaction (the header). */
static int observable_lock(struct pg *p)
{
    PGresult *r = pg_run(p, "SELECT pg_advisory_xact_lock(" PG_OBSERVABLE_LOCK ")", NULL);
    PQclear(r);
    return r ? 0 : VG_EIO;
}

/* Inserts one normalised observable (sqlite_incidents.c's observable_insert): 0, 1 if it was
 * already there, VG_EINVAL or VG_EIO. Run under observable_lock. */
static int observable_insert(struct pg *p, long long inc, const char *type, const char *value,
                             const char *tlp, const char *inc_tlp, const char *now, bool fresh,
                             json_t *row)
{
    struct vg_observable o;
    if (!type || !value ||
        vg_observable_parse(vg_str_c(value), vg_obs_type_parse(type), &o, NULL) != 0)
        return VG_EINVAL;
    PGresult *r;
    if (!fresh) {
        struct pg_params q = {0};
        pg_param_int(&q, inc);
        pg_param_text(&q, type);
        pg_param_text(&q, o.value);
        r = pg_run(p,
                   "SELECT 1 FROM observable WHERE incident_id = $1 AND type = $2 "
                   "AND value = $3",
                   &q);
        if (!r)
            return VG_EIO;
        int found = PQntuples(r) > 0;
        PQclear(r);
        if (found)
            return 1;
    }
    struct pg_params pp = {0};
    pg_param_int(&pp, inc);
    pg_param_text(&pp, type);
    pg_param_text(&pp, o.value);
    pg_param_text(&pp, now);
    pg_param_text(&pp, tlp);
    r = pg_run(p,
               "INSERT INTO observable(incident_id, type, value, created, tlp) "
               "VALUES ($1, $2, $3, $4, $5)",
               &pp);
    if (!r)
        return VG_EIO;
    PQclear(r);
    if (row)
        json_array_append_new(row, observable_json(type, o.value, now, tlp ? tlp : inc_tlp));
    return 0;
}

static bool is_fk_violation(const struct pg *p)
{
    return strcmp(p->err.state, "23503") == 0;
}

/* Appends v to the PostgreSQL array literal b as a quoted element, NULL as NULL (after a comma
 * unless first). */
static void array_put(struct vg_buf *b, const char *v, bool first)
{
    if (!first)
        vg_buf_putc(b, ',');
    if (!v) {
        vg_buf_puts(b, "NULL");
        return;
    }
    vg_buf_putc(b, '"');
    for (const char *c = v; *c; c++) {
        if (*c == '"' || *c == '\\')
            vg_buf_putc(b, '\\');
        vg_buf_putc(b, *c);
    }
    vg_buf_putc(b, '"');
}

/* Appends the observables of a new incident, normalised, to the elements of the array
 * literals types and values, and when idx is not NULL its index k to idx once for each;
 * *count counts the elements written to them so far. Their answer rows are appended to row
 * (may be NULL). 0 or VG_EINVAL (one is not an observable: what was appended is then
 * partial, the caller drops the arrays). */
static int observables_put(const struct vg_incident_new *inc, size_t k, const char *now,
                           struct vg_buf *types, struct vg_buf *values, struct vg_buf *idx,
                           size_t *count, json_t *row)
{
    struct vg_observable o;
    for (size_t i = 0; i < inc->nobs; i++) {
        const char *type = inc->obs[i].type, *value = inc->obs[i].value;
        if (!type || !value ||
            vg_observable_parse(vg_str_c(value), vg_obs_type_parse(type), &o, NULL) != 0)
            return VG_EINVAL;
        array_put(types, type, *count == 0);
        array_put(values, o.value, *count == 0);
        if (idx)
            vg_buf_printf(idx, "%s%zu", *count == 0 ? "" : ",", k);
        ++*count;
        if (row)
            json_array_append_new(row, observable_json(type, o.value, now, inc->tlp));
    }
    return 0;
}

/* The observables of a new incident as two array literals (types, normalised values) in
 * types/values, and their answer rows appended to row (may be NULL). 0, VG_EINVAL (one is
 * not an observable: the arrays are then empty) or VG_ENOMEM. */
static int observables_arrays(const struct vg_incident_new *inc, const char *now,
                              struct vg_buf *types, struct vg_buf *values, json_t *row)
{
    vg_buf_putc(types, '{');
    vg_buf_putc(values, '{');
    size_t count = 0;
    if (observables_put(inc, 0, now, types, values, NULL, &count, row) != 0) {
        vg_buf_reset(types);
        vg_buf_reset(values);
        vg_buf_puts(types, "{}");
        vg_buf_puts(values, "{}");
        return VG_EINVAL;
    }
    vg_buf_putc(types, '}');
    vg_buf_putc(values, '}');
    return types->failed || values->failed ? VG_ENOMEM : 0;
}

/* The reference in the "created" entry's detail until the statement knows it: a control
 * character, which jansson writes escaped and no other field of that detail can hold (a
 * status word, an alert's id). The statement puts the reference in its place as a JSON
 * string (to_json). */
#define REF_SLOT      "\x01"
#define REF_SLOT_JSON "\"\\u0001\""

/* The code of a creation's statement whose arrays were made with orc (0; VG_EINVAL: an
 * observable is not one; VG_ENOMEM) and which answered r (NULL: it failed), with d set: a bad
 * organisation is told before a bad observable. 0 when both went well. */
static int created_failure(struct pg *p, int orc, const PGresult *r, struct vg_diag *d)
{
    if (orc == VG_ENOMEM)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    if (!r)
        return is_fk_violation(p) ? vg_diag_set(d, VG_EINVAL, "/org", "/org: no such organisation")
                                  : pg_error(p, d);
    if (orc == VG_EINVAL)
        return vg_diag_set(d, VG_EINVAL, "/observables", "/observables: not an observable");
    return 0;
}

/* The moment of a creation and what its reference is made of: the year's counter and the
 * reference's head "PREFIX-YEAR-". */
struct created_at {
    char now[VG_TIME_LEN], key[32], head[VG_REFERENCE_LEN];
    int year;
};

static void created_at_now(const struct pg *p, struct created_at *c)
{
    vg_time_now(c->now);
    c->year = vg_time_year();
    vg_reference_counter(c->key, sizeof c->key, c->year);
    snprintf(c->head, sizeof c->head, "%s-%d-", p->base.config.ref_prefix, c->year);
}

/* Checks the reference a creation's statement wrote (written) for number n of year against
 * core's vg_reference_format, into ref, and puts it in the "created" detail. 0 or VG_EIO /
 * VG_ENOMEM with d set. */
static int created_check(const struct pg *p, int year, long long n, const char *written,
                         char ref[VG_REFERENCE_LEN], json_t *detail, struct vg_diag *d)
{
    if (vg_reference_format(ref, VG_REFERENCE_LEN, p->base.config.ref_prefix, year, n) != 0 ||
        strcmp(ref, written) != 0)
        return vg_diag_set(d, VG_EIO, "", "bad incident number %lld", n);
    if (json_object_set_new(detail, "ref", json_string(ref)) != 0)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    return 0;
}

/* The answer to the creation of inc by who (what GET will answer), built from what was just
 * written instead of read back: its reference, time now, its organisation's name (NULL:
 * none), its observables' rows obs (taken), its class's playbook steps (NULL: none) and its
 * "created" detail. */
static json_t *created_answer(const struct vg_actor *who, const struct vg_incident_new *inc,
                              const char *ref, const char *now, const char *org_name, json_t *obs,
                              const json_t *playbook, const json_t *detail)
{
    struct inc_view iv = {
        .ref = ref,
        .title = inc->title,
        .description = inc->description ? inc->description : "",
        .cls = inc->cls,
        .type = inc->type,
        .severity = inc->severity,
        .tlp = inc->tlp,
        .pap = inc->pap,
        .status = inc->status,
        .unverified = inc->unverified,
        .org = inc->org,
        .org_name = inc->org ? org_name : NULL,
        .reporter = inc->reporter ? json_deep_copy(inc->reporter) : NULL,
        .assignee = inc->assignee,
        .occurred = inc->occurred,
        .created = now,
        .updated = now,
        .created_by = who->name,
    };
    json_t *a = incident_json(&iv);
    json_t *tl = json_array();
    json_array_append_new(tl, timeline_json(now, who->name, "created", json_deep_copy(detail)));
    json_object_set_new(a, "observables", obs);
    json_object_set_new(a, "steps", playbook_progress(playbook, NULL));
    json_object_set_new(a, "timeline", tl);
    return a;
}

/* Inserts incident inc (its number taken from the year's counter), its observables, its
 * "created" timeline entry and its audit line in one statement (one round trip: see
 * bench/pg/roundtrips.sh): it takes the observables' advisory lock, then the counter's next
 * value, makes the reference of it, writes all the rows (observables in their order: their
 * ids increase with it) and reads what the answer needs (the class's playbook, the
 * organisation's name). The reference follows core's vg_reference_format: the statement
 * writes "PREFIX-YEAR-" and the number on six digits at least, and the one it wrote is
 * checked against core's afterwards (a difference fails the write). */
int pg_incident_insert(struct pg *p, const struct vg_actor *who, const struct vg_incident_new *inc,
                       char ref[VG_REFERENCE_LEN], long long *id_out, json_t **answer,
                       struct vg_diag *d)
{
    struct created_at ca;
    created_at_now(p, &ca);
    json_t *obs = answer ? json_array() : NULL;
    struct vg_buf types, values;
    vg_buf_init(&types, VG_MAX_BUF);
    vg_buf_init(&values, VG_MAX_BUF);
    /* an observable that is not one: the incident is still inserted (without observables),
     * so that a bad organisation is told first, as when they were inserted one by one */
    int orc = observables_arrays(inc, ca.now, &types, &values, obs);
    json_t *detail = vg_timeline_created(REF_SLOT, inc->status, inc->from_alert);
    struct pg_params pp = {0};
    pg_param_text(&pp, ca.key);
    pg_param_text(&pp, ca.head);
    pg_param_text(&pp, inc->title);
    pg_param_text(&pp, inc->description);
    pg_param_text(&pp, inc->cls);
    pg_param_text(&pp, inc->type);
    pg_param_text(&pp, inc->severity);
    pg_param_text(&pp, inc->tlp);
    pg_param_text(&pp, inc->pap);
    pg_param_text(&pp, inc->status);
    pg_param_int(&pp, inc->unverified ? 1 : 0);
    if (inc->org)
        pg_param_int(&pp, inc->org);
    else
        pg_param_text(&pp, NULL);
    if (inc->reporter)
        pg_param_json(&pp, inc->reporter);
    else
        pg_param_text(&pp, "{}");
    pg_param_text(&pp, inc->assignee);
    pg_param_text(&pp, inc->occurred);
    pg_param_text(&pp, ca.now);
    pg_param_text(&pp, who->name);
    pg_param_text(&pp, orc == VG_ENOMEM ? NULL : types.data);
    pg_param_text(&pp, orc == VG_ENOMEM ? NULL : values.data);
    pg_param_json(&pp, detail);
    PGresult *r =
        orc == VG_ENOMEM || !detail
            ? NULL
            : pg_run(p,
                     "WITH l AS (SELECT pg_advisory_xact_lock(" PG_OBSERVABLE_LOCK ")), "
                     "c AS (INSERT INTO counter(name, value) SELECT $1, 1 FROM l "
                     "ON CONFLICT (name) DO UPDATE SET value = counter.value + 1 "
                     "RETURNING value), "
                     "n AS (SELECT value, $2::text || CASE WHEN value < 1000000 "
                     "THEN lpad(value::text, 6, '0') ELSE value::text END AS ref FROM c), "
                     "i AS (INSERT INTO incident(ref, title, description, class, type, "
                     "severity, tlp, pap, status, unverified, org_id, reporter, assignee, "
                     "occurred, created, updated, created_by) SELECT n.ref, $3, "
                     "coalesce($4, ''), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                     "$16, $17 FROM n RETURNING id, ref), "
                     "o AS (INSERT INTO observable(incident_id, type, value, created, tlp) "
                     "SELECT i.id, u.t, u.v, $16, NULL FROM i, "
                     "unnest($18::text[], $19::text[]) WITH ORDINALITY AS u(t, v, n) "
                     "ORDER BY u.n), "
                     "e AS (SELECT i.id, replace($20, '" REF_SLOT_JSON "', to_json(i.ref)::text) "
                     "AS detail FROM i), "
                     "t AS (INSERT INTO timeline(incident_id, at, actor, action, detail) "
                     "SELECT e.id, $16, $17, 'created', e.detail FROM e), "
                     "a AS (INSERT INTO audit(at, actor, action, object, detail) "
                     "SELECT $16, $17, 'incident.create', i.ref, e.detail FROM i, e) "
                     "SELECT i.id, n.value, (SELECT steps FROM playbook WHERE class = $5), "
                     "(SELECT name FROM org WHERE id = $12::bigint), i.ref FROM i, n",
                     &pp);
    pg_params_free(&pp);
    vg_buf_cleanup(&types);
    vg_buf_cleanup(&values);
    long long n = r ? pg_get_int(r, 0, 1) : 0;
    json_t *playbook = r && !PQgetisnull(r, 0, 2) ? pg_get_json(r, 0, 2) : NULL;
    char org_name[VG_MAX_NAME + 1];
    bool has_org_name = r && !PQgetisnull(r, 0, 3);
    snprintf(org_name, sizeof org_name, "%s", r ? pg_get_text(r, 0, 3) : "");
    int rc = created_failure(p, detail ? orc : VG_ENOMEM, r, d);
    if (rc == 0)
        rc = created_check(p, ca.year, n, PQgetvalue(r, 0, 4), ref, detail, d);
    long long id = r ? pg_get_int(r, 0, 0) : 0;
    PQclear(r);
    if (rc) {
        json_decref(playbook);
        json_decref(detail);
        json_decref(obs);
        return rc;
    }
    if (id_out)
        *id_out = id;
    if (answer)
        *answer = created_answer(who, inc, ref, ca.now, has_org_name ? org_name : NULL, obs,
                                 playbook, detail);
    json_decref(playbook);
    json_decref(detail);
    return 0;
}

static int pg_incident_create(struct vg_store *st, const struct vg_actor *who,
                              const struct vg_incident_new *inc, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char ref[VG_REFERENCE_LEN];
    json_t *a = NULL;
    if (pg_begin(p))
        return pg_error(p, d);
    int rc = pg_incident_insert(p, who, inc, ref, NULL, &a, d);
    if (rc == 0 && pg_commit(p) != 0)
        rc = pg_error(p, d);
    if (rc) {
        json_decref(a);
        pg_rollback(p);
        return rc;
    }
    *out = a;
    return 0;
}

/* ---- a group of creations in one statement ---- */

/* The array literals of a group's statement ($5 .. $22): the incidents' columns, one element
 * each, then the observables of all of them (the index of their incident from 1, type,
 * normalised value) in the order incident then observable. */
enum {
    MC_TITLE,
    MC_DESC,
    MC_CLASS,
    MC_TYPE,
    MC_SEVERITY,
    MC_TLP,
    MC_PAP,
    MC_STATUS,
    MC_UNVERIFIED,
    MC_ORG,
    MC_REPORTER,
    MC_ASSIGNEE,
    MC_OCCURRED,
    MC_ACTOR,
    MC_DETAIL,
    MC_OBS_INC,
    MC_OBS_TYPE,
    MC_OBS_VALUE,
    MC_N
};

/* Fills the array literals of cols for incs[0..n-1] by whos[i], details[i] their "created"
 * details (new, with REF_SLOT), obs[i] their observables' answer rows (new). 0, VG_EINVAL (an
 * observable is not one: the observables' arrays are then empty, so that the statement still
 * tells a bad organisation) or VG_ENOMEM. */
static int group_arrays(const struct vg_actor *const *whos, const struct vg_incident_new *incs,
                        size_t n, const char *now, struct vg_buf cols[MC_N], json_t **details,
                        json_t **obs)
{
    int orc = 0;
    size_t count = 0;
    for (int c = 0; c < MC_N; c++)
        vg_buf_putc(&cols[c], '{');
    for (size_t k = 0; k < n; k++) {
        const struct vg_incident_new *inc = &incs[k];
        bool first = k == 0;
        char num[24], org[24];
        details[k] = vg_timeline_created(REF_SLOT, inc->status, inc->from_alert);
        obs[k] = json_array();
        char *reporter = inc->reporter ? vg_json_dump(inc->reporter) : NULL,
             *detail = details[k] ? vg_json_dump(details[k]) : NULL;
        snprintf(num, sizeof num, "%d", inc->unverified ? 1 : 0);
        snprintf(org, sizeof org, "%lld", inc->org);
        array_put(&cols[MC_TITLE], inc->title, first);
        array_put(&cols[MC_DESC], inc->description, first);
        array_put(&cols[MC_CLASS], inc->cls, first);
        array_put(&cols[MC_TYPE], inc->type, first);
        array_put(&cols[MC_SEVERITY], inc->severity, first);
        array_put(&cols[MC_TLP], inc->tlp, first);
        array_put(&cols[MC_PAP], inc->pap, first);
        array_put(&cols[MC_STATUS], inc->status, first);
        array_put(&cols[MC_UNVERIFIED], num, first);
        array_put(&cols[MC_ORG], inc->org ? org : NULL, first);
        array_put(&cols[MC_REPORTER], inc->reporter ? reporter : "{}", first);
        array_put(&cols[MC_ASSIGNEE], inc->assignee, first);
        array_put(&cols[MC_OCCURRED], inc->occurred, first);
        array_put(&cols[MC_ACTOR], whos[k]->name, first);
        array_put(&cols[MC_DETAIL], detail ? detail : "", first);
        bool lost = !details[k] || !obs[k] || !detail || (inc->reporter && !reporter);
        free(reporter);
        free(detail);
        if (lost)
            return VG_ENOMEM;
        if (orc == 0 && observables_put(inc, k + 1, now, &cols[MC_OBS_TYPE], &cols[MC_OBS_VALUE],
                                        &cols[MC_OBS_INC], &count, obs[k]) != 0)
            orc = VG_EINVAL;
    }
    if (orc == VG_EINVAL)
        for (int c = MC_OBS_INC; c <= MC_OBS_VALUE; c++) {
            vg_buf_reset(&cols[c]);
            vg_buf_putc(&cols[c], '{');
        }
    for (int c = 0; c < MC_N; c++)
        if (vg_buf_putc(&cols[c], '}') != 0 || cols[c].failed)
            return VG_ENOMEM;
    return orc;
}

/* Creates incs[0..n-1] (n <= PG_CREATE_GROUP) by whos[i] in one statement inside the caller's
 * write, as pg_incident_insert creates one: the observables' advisory lock once, the year's
 * counter advanced by n (the numbers are value - n + 1 .. value), the incidents, their
 * observables, timeline entries and audit lines each written by one INSERT in the order of
 * incs (ids increasing with it), the playbooks' steps and organisations' names read for the
 * answers. outs[i] = the answers. 0 or a code with d set (outs[i] then NULL); the caller rolls
 * back. */
static int group_insert(struct pg *p, const struct vg_actor *const *whos,
                        const struct vg_incident_new *incs, size_t n, json_t **outs,
                        struct vg_diag *d)
{
    struct created_at ca;
    created_at_now(p, &ca);
    json_t *details[PG_CREATE_GROUP] = {0}, *obs[PG_CREATE_GROUP] = {0};
    struct vg_buf cols[MC_N];
    for (int c = 0; c < MC_N; c++)
        vg_buf_init(&cols[c], VG_MAX_BUF);
    int orc = group_arrays(whos, incs, n, ca.now, cols, details, obs);
    PGresult *r = NULL;
    if (orc != VG_ENOMEM) {
        struct pg_params pp = {0};
        pg_param_text(&pp, ca.key);
        pg_param_text(&pp, ca.head);
        pg_param_int(&pp, (long long)n);
        pg_param_text(&pp, ca.now);
        for (int c = 0; c < MC_N; c++)
            pg_param_text(&pp, cols[c].data);
        r = pg_run(p,
                   "WITH l AS (SELECT pg_advisory_xact_lock(" PG_OBSERVABLE_LOCK ")), "
                   "c AS (INSERT INTO counter(name, value) SELECT $1, $3::bigint FROM l "
                   "ON CONFLICT (name) DO UPDATE SET value = counter.value + $3::bigint "
                   "RETURNING value), "
                   "s AS (SELECT r.*, c.value - $3::bigint + r.k AS num FROM c, "
                   "unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], "
                   "$10::text[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], "
                   "$15::text[], $16::text[], $17::text[], $18::text[], $19::text[]) "
                   "WITH ORDINALITY AS r(title, description, cls, type, severity, tlp, pap, "
                   "status, unverified, org, reporter, assignee, occurred, actor, detail, k)), "
                   "n AS (SELECT s.*, $2::text || CASE WHEN num < 1000000 "
                   "THEN lpad(num::text, 6, '0') ELSE num::text END AS ref FROM s), "
                   "i AS (INSERT INTO incident(ref, title, description, class, type, "
                   "severity, tlp, pap, status, unverified, org_id, reporter, assignee, "
                   "occurred, created, updated, created_by) SELECT ref, title, "
                   "coalesce(description, ''), cls, type, severity, tlp, pap, status, "
                   "unverified, org, reporter, assignee, occurred, $4, $4, actor FROM n "
                   "ORDER BY k RETURNING id, ref), "
                   "m AS (SELECT i.id, n.k, n.num, n.ref, n.cls, n.org, n.actor, "
                   "replace(n.detail, '" REF_SLOT_JSON "', to_json(n.ref)::text) AS detail "
                   "FROM i JOIN n ON n.ref = i.ref), "
                   "o AS (INSERT INTO observable(incident_id, type, value, created, tlp) "
                   "SELECT m.id, u.t, u.v, $4, NULL FROM "
                   "unnest($20::bigint[], $21::text[], $22::text[]) WITH ORDINALITY "
                   "AS u(k, t, v, x) JOIN m ON m.k = u.k ORDER BY u.x), "
                   "t AS (INSERT INTO timeline(incident_id, at, actor, action, detail) "
                   "SELECT id, $4, actor, 'created', detail FROM m ORDER BY k), "
                   "a AS (INSERT INTO audit(at, actor, action, object, detail) "
                   "SELECT $4, actor, 'incident.create', ref, detail FROM m ORDER BY k) "
                   "SELECT m.id, m.num, pb.steps, g.name, m.ref FROM m "
                   "LEFT JOIN playbook pb ON pb.class = m.cls LEFT JOIN org g ON g.id = m.org "
                   "ORDER BY m.k",
                   &pp);
        pg_params_free(&pp);
    }
    for (int c = 0; c < MC_N; c++)
        vg_buf_cleanup(&cols[c]);
    int rc = created_failure(p, orc, r, d);
    if (rc == 0 && (size_t)PQntuples(r) != n)
        rc = vg_diag_set(d, VG_EIO, "", "%d incidents created of %zu", PQntuples(r), n);
    /* each class's playbook parsed once (the answers only read it): parsing it for every
     * incident was a tenth of the database thread's time in a group */
    struct {
        const char *cls;
        json_t *steps;
    } parsed[16];
    size_t nparsed = 0;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char ref[VG_REFERENCE_LEN];
        int i = (int)k;
        rc =
            created_check(p, ca.year, pg_get_int(r, i, 1), PQgetvalue(r, i, 4), ref, details[k], d);
        if (rc)
            break;
        size_t c = 0;
        while (c < nparsed && strcmp(parsed[c].cls, incs[k].cls) != 0)
            c++;
        json_t *playbook;
        if (c < nparsed) {
            playbook = json_incref(parsed[c].steps);
        } else {
            playbook = PQgetisnull(r, i, 2) ? NULL : pg_get_json(r, i, 2);
            if (nparsed < sizeof parsed / sizeof parsed[0]) {
                parsed[nparsed].cls = incs[k].cls;
                parsed[nparsed++].steps = json_incref(playbook);
            }
        }
        outs[k] = created_answer(whos[k], &incs[k], ref, ca.now, get_or_null(r, i, 3), obs[k],
                                 playbook, details[k]);
        obs[k] = NULL;
        json_decref(playbook);
    }
    for (size_t c = 0; c < nparsed; c++)
        json_decref(parsed[c].steps);
    PQclear(r);
    for (size_t k = 0; k < n; k++) {
        json_decref(details[k]);
        json_decref(obs[k]);
        if (rc) {
            json_decref(outs[k]);
            outs[k] = NULL;
        }
    }
    return rc;
}

static int pg_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                                   const struct vg_incident_new *incs, size_t n, json_t **outs,
                                   struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    if (pg_begin(p))
        return pg_error(p, d);
    int rc = 0;
    /* a larger group: statements of PG_CREATE_GROUP in the same write */
    for (size_t at = 0; rc == 0 && at < n; at += PG_CREATE_GROUP)
        rc = group_insert(p, whos + at, incs + at,
                          n - at < PG_CREATE_GROUP ? n - at : PG_CREATE_GROUP, outs + at, d);
    if (rc == 0 && pg_commit(p) != 0)
        rc = pg_error(p, d);
    if (rc)
        pg_rollback(p); /* the wrapper releases outs */
    return rc;
}

static int incident_get(struct pg *p, const char *ref, json_t **out)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p,
                         "SELECT " INC_COLS " FROM incident i LEFT JOIN org o ON o.id = i.org_id "
                         "WHERE i.ref = $1",
                         &pp);
    if (!r)
        return VG_EIO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return VG_ENOENT;
    }
    json_t *o = incident_row(r, 0);
    long long id = pg_get_int(r, 0, 0);
    PQclear(r);
    if (!o)
        return VG_ENOMEM;
    json_t *obs = incident_observables(p, id), *tl = obs ? incident_timeline(p, id) : NULL,
           *steps = tl ? incident_steps(p, id, vg_json_str(o, "class")) : NULL;
    if (!steps) {
        json_decref(obs);
        json_decref(tl);
        json_decref(o);
        return VG_EIO;
    }
    json_object_set_new(o, "observables", obs);
    json_object_set_new(o, "steps", steps);
    json_object_set_new(o, "timeline", tl);
    *out = o;
    return 0;
}

static int pg_incident_get(struct vg_store *st, const char *ref, json_t **out)
{
    return incident_get(pg_of(st), ref, out);
}

/* ---- lists ---- */

/* The orders of the list, their names and cursors as sqlite_incidents.c's (the same cursors
 * continue the same lists on both backends). One statement per order; the filters absent are
 * NULL parameters, which PostgreSQL's custom plans fold away. $1 the cursor's id (0: none), $2
 * its time (updated), $3 its rank (severity), $4..$9 status, class, org, severity, tlp,
 * assignee, $10 1: unassigned only, $11 the limit ($2 and $3 appear in every statement, as
 * tautologies where unused, so that all eleven parameters have a type). */
#define SEV_RANK                                                                                   \
    "(CASE i.severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 "      \
    "END)"
#define LIST_HEAD                                                                                  \
    "SELECT " INC_COLS ", " SEV_RANK " FROM incident i LEFT JOIN org o ON o.id = i.org_id "        \
    "WHERE ($4::text IS NULL OR i.status = $4) AND ($5::text IS NULL OR i.class = $5) "            \
    "AND ($6::bigint IS NULL OR i.org_id = $6) AND ($7::text IS NULL OR i.severity = $7) "         \
    "AND ($8::text IS NULL OR i.tlp = $8) AND ($9::text IS NULL OR i.assignee = $9) "              \
    "AND ($10::int = 0 OR i.assignee IS NULL) AND $2::text IS NOT DISTINCT FROM $2 "               \
    "AND $3::int IS NOT DISTINCT FROM $3 AND "

static const struct {
    const char *name;
    char letter;
    const char *sql;
} inc_orders[] = {
    {"newest", 'c', LIST_HEAD "($1::bigint = 0 OR i.id < $1) ORDER BY i.id DESC LIMIT $11"},
    {"oldest", 'o', LIST_HEAD "($1::bigint = 0 OR i.id > $1) ORDER BY i.id ASC LIMIT $11"},
    {"updated", 'u',
     LIST_HEAD "($1::bigint = 0 OR (i.updated <= $2 AND (i.updated < $2 OR i.id < $1))) "
               "ORDER BY i.updated DESC, i.id DESC LIMIT $11"},
    {"severity", 's',
     LIST_HEAD "($1::bigint = 0 OR (" SEV_RANK " <= $3 AND (" SEV_RANK " < $3 OR i.id < $1))) "
               "ORDER BY " SEV_RANK " DESC, i.id DESC LIMIT $11"},
};
enum { BY_UPDATED = 2, BY_SEVERITY = 3, NORDERS = 4 };

static void inc_cursor_make(int o, const PGresult *r, int i, char *out, size_t cap)
{
    unsigned long long id = (unsigned long long)pg_get_int(r, i, 0);
    if (o == BY_UPDATED)
        snprintf(out, cap, "u%llx.%s", id, pg_get_text(r, i, 17));
    else if (o == BY_SEVERITY)
        snprintf(out, cap, "s%d%llx", (int)pg_get_int(r, i, 19), id);
    else
        snprintf(out, cap, "%c%llx", inc_orders[o].letter, id);
}

static int list_run(struct pg *p, const json_t *filters, const struct vg_page *page,
                    int (*row)(void *ctx, const PGresult *r, int i), void *ctx, char cur[80],
                    struct vg_diag *d)
{
    int o = 0;
    const char *sort = vg_json_str(filters, "sort");
    if (sort) {
        while (o < NORDERS && strcmp(inc_orders[o].name, sort))
            o++;
        if (o == NORDERS)
            return vg_diag_set(d, VG_EINVAL, "sort",
                               "sort must be one of: newest, oldest, updated, severity");
    }
    long long after;
    char key[48] = "";
    int rank = 0;
    if (sq_inc_cursor_read(o, page->cursor, &after, key, sizeof key, &rank, d))
        return VG_EINVAL;
    static const char *const keys[] = {"status", "class", "org", "severity", "tlp", "assignee"};
    struct pg_params pp = {0};
    pg_param_int(&pp, after);
    pg_param_text(&pp, key);
    pg_param_int(&pp, rank);
    bool unassigned = false;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(filters, keys[k]);
        /* as on SQLite: a null filter, whichever, asks for the unassigned ones */
        unassigned = unassigned || json_is_null(v);
        if (json_is_integer(v))
            pg_param_int(&pp, json_integer_value(v));
        else
            pg_param_text(&pp, json_string_value(v));
    }
    pg_param_int(&pp, unassigned);
    pg_param_int(&pp, (long long)page->limit + 1);
    PGresult *r = pg_run(p, inc_orders[o].sql, &pp);
    if (!r)
        return pg_error(p, d);
    cur[0] = '\0';
    int n = PQntuples(r), rc = 0;
    char last[80] = "";
    for (int i = 0; i < n && i < page->limit && rc == 0; i++) {
        inc_cursor_make(o, r, i, last, sizeof last);
        rc = row(ctx, r, i);
    }
    PQclear(r);
    if (rc)
        return vg_diag_set(d, rc, "", "the incidents could not be listed");
    if (n > page->limit)
        memcpy(cur, last, sizeof last);
    return 0;
}

static int row_json(void *ctx, const PGresult *r, int i)
{
    json_t *o = incident_row(r, i);
    return o && json_array_append_new(ctx, o) == 0 ? 0 : VG_ENOMEM;
}

static int pg_incident_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                            json_t **out, struct vg_diag *d)
{
    char cur[80];
    json_t *items = json_array();
    if (!items)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = list_run(pg_of(st), filters, page, row_json, items, cur, d);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     cur[0] ? json_string(cur) : json_null());
    return *out ? 0 : vg_diag_set(d, VG_ENOMEM, "", "out of memory");
}

struct brief_ctx {
    vg_incident_brief_fn fn;
    void *ctx;
};

static int row_brief(void *ctx, const PGresult *r, int i)
{
    const struct brief_ctx *c = ctx;
    const struct vg_incident_brief b = {
        .id = pg_get_int(r, i, 0),
        .ref = pg_get_text(r, i, 1),
        .title = pg_get_text(r, i, 2),
        .cls = pg_get_text(r, i, 4),
        .type = pg_get_text(r, i, 5),
        .severity = pg_get_text(r, i, 6),
        .tlp = pg_get_text(r, i, 7),
        .status = pg_get_text(r, i, 9),
        .org_id = pg_get_int(r, i, 11),
        .org_name = get_or_null(r, i, 12),
        .assignee = get_or_null(r, i, 14),
        .created = pg_get_text(r, i, 16),
        .updated = pg_get_text(r, i, 17),
    };
    return c->fn(c->ctx, &b);
}

static int pg_incident_each(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                            vg_incident_brief_fn fn, void *ctx, char next[80], struct vg_diag *d)
{
    struct brief_ctx c = {fn, ctx};
    return list_run(pg_of(st), filters, page, row_brief, &c, next, d);
}

/* ---- changes ---- */

/* 1 if user name exists, 0 if not, -1 if it could not be read. */
static int user_exists(struct pg *p, const char *name)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, name);
    PGresult *r = pg_run(p, "SELECT 1 FROM \"user\" WHERE name = $1", &pp);
    if (!r)
        return -1;
    int found = PQntuples(r) > 0;
    PQclear(r);
    return found;
}

static int pg_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                              const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *cur = NULL, *changes = NULL;
    if (pg_begin(p))
        return pg_error(p, d);
    int rc;
    struct pg_params pp = {0};
    pg_param_text(&pp, ref);
    PGresult *r = pg_run(p,
                         "SELECT " INC_COLS " FROM incident i LEFT JOIN org o ON false "
                         "WHERE i.ref = $1 FOR UPDATE OF i",
                         &pp);
    if (!r)
        goto fail;
    if (PQntuples(r) != 1) {
        PQclear(r);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    long long id = pg_get_int(r, 0, 0);
    cur = incident_row(r, 0);
    PQclear(r);
    if (!cur) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    /* core's rules: the lifecycle, the RSIT pair left */
    rc = vg_incident_patch_check(cur, patch, d);
    if (rc)
        goto out;
    const char *assignee = vg_json_str(patch, "assignee");
    int known = assignee ? user_exists(p, assignee) : 1;
    if (known < 0)
        goto fail;
    if (!known) {
        rc = vg_diag_set(d, VG_EINVAL, "/assignee", "/assignee: no user '%s'", assignee);
        goto out;
    }
    changes = vg_timeline_diff(cur, patch);
    if (!changes) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (json_object_size(changes) == 0) {
        pg_rollback(p);
        json_decref(cur);
        json_decref(changes);
        return incident_get(p, ref, out);
    }
    struct pg_params up = {0};
    pg_param_text(&up, vg_json_str(cur, "title"));
    pg_param_text(&up, vg_json_str(cur, "description"));
    pg_param_text(&up, vg_json_str(cur, "class"));
    pg_param_text(&up, vg_json_str(cur, "type"));
    pg_param_text(&up, vg_json_str(cur, "severity"));
    pg_param_text(&up, vg_json_str(cur, "tlp"));
    pg_param_text(&up, vg_json_str(cur, "pap"));
    pg_param_text(&up, vg_json_str(cur, "status"));
    pg_param_int(&up, json_is_true(json_object_get(cur, "unverified")));
    json_t *org = json_object_get(cur, "org");
    if (json_is_integer(org))
        pg_param_int(&up, json_integer_value(org));
    else
        pg_param_text(&up, NULL);
    pg_param_json(&up, json_object_get(cur, "reporter"));
    pg_param_text(&up, vg_json_str(cur, "assignee"));
    pg_param_text(&up, vg_json_str(cur, "occurred"));
    pg_param_text(&up, now);
    pg_param_int(&up, id);
    r = pg_run(p,
               "UPDATE incident SET title = $1, description = coalesce($2, ''), class = $3, "
               "type = $4, severity = $5, tlp = $6, pap = $7, status = $8, unverified = $9, "
               "org_id = $10, reporter = coalesce($11, '{}'), assignee = $12, occurred = $13, "
               "updated = $14 WHERE id = $15",
               &up);
    pg_params_free(&up);
    if (!r) {
        if (is_fk_violation(p)) {
            rc = vg_diag_set(d, VG_EINVAL, "/org", "/org: no such organisation");
            goto out;
        }
        goto fail;
    }
    PQclear(r);
    struct vg_timeline_entry tl[2];
    size_t ntl = vg_timeline_entries(changes, tl);
    int bad = 0, lost = 0;
    for (size_t k = 0; k < ntl; k++) {
        lost = lost || !tl[k].detail;
        bad = bad || lost || timeline_add(p, id, who, tl[k].action, tl[k].detail, now);
        json_decref(tl[k].detail);
    }
    if (lost) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (bad || pg_audit(p, who, "incident.update", ref, changes))
        goto fail;
    /* the answer is read inside the transaction, as on SQLite */
    rc = incident_get(p, ref, out);
    if (rc) {
        rc = vg_diag_set(d, rc == VG_ENOMEM ? VG_ENOMEM : VG_EIO, "",
                         "cannot read the incident back");
        goto out;
    }
    if (pg_commit(p)) {
        json_decref(*out);
        *out = NULL;
        goto fail;
    }
    json_decref(cur);
    json_decref(changes);
    return 0;
fail:
    rc = pg_error(p, d);
out:
    pg_rollback(p);
    json_decref(cur);
    json_decref(changes);
    return rc;
}

static int pg_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                            const char *text, bool public, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    long long id = pg_incident_id(p, ref);
    if (id < 0)
        return pg_fail(p, d);
    if (!id) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    json_t *detail = json_pack("{s:s,s:b}", "text", text, "public", public);
    if (timeline_add(p, id, who, "note", detail, now) ||
        pg_audit(p, who, "incident.note", ref, NULL) || pg_commit(p)) {
        json_decref(detail);
        return pg_fail(p, d);
    }
    *out = json_pack("{s:s,s:s,s:s,s:o}", "at", now, "actor", who->name, "action", "note", "detail",
                     detail);
    return 0;
}

static int pg_incident_observable_add(struct vg_store *st, const struct vg_actor *who,
                                      const char *ref, const json_t *obs, json_t **out,
                                      struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    const char *type = vg_json_str(obs, "type"), *value = vg_json_str(obs, "value"),
               *tlp = vg_json_str(obs, "tlp");
    if (pg_begin(p))
        return pg_error(p, d);
    if (observable_lock(p))
        return pg_fail(p, d);
    long long id = pg_incident_id(p, ref);
    if (id < 0)
        return pg_fail(p, d);
    if (!id) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    int r = observable_insert(p, id, type, value, tlp, "", now, false, NULL);
    if (r == VG_EINVAL) {
        pg_rollback(p);
        return vg_diag_set(d, VG_EINVAL, "/value", "/value: not an observable of type %s",
                           type ? type : "(none)");
    }
    if (r < 0)
        return pg_fail(p, d);
    bool retag = false; /* an observable it has, given another TLP: the new one applies */
    if (r == 1 && tlp) {
        struct pg_params pp = {0};
        pg_param_int(&pp, id);
        pg_param_text(&pp, type);
        pg_param_text(&pp, value);
        pg_param_text(&pp, tlp);
        PGresult *u = pg_run(p,
                             "UPDATE observable SET tlp = $4 WHERE incident_id = $1 AND type = $2 "
                             "AND value = $3 AND tlp IS DISTINCT FROM $4",
                             &pp);
        if (!u)
            return pg_fail(p, d);
        retag = strtoll(PQcmdTuples(u), NULL, 10) > 0;
        PQclear(u);
    }
    if ((r == 0 || retag) && (timeline_add(p, id, who, "observable", obs, now) ||
                              pg_audit(p, who, "incident.observable", ref, obs)))
        return pg_fail(p, d);
    struct pg_params q = {0};
    pg_param_int(&q, id);
    pg_param_text(&q, type);
    pg_param_text(&q, value);
    PGresult *t = pg_run(p,
                         "SELECT coalesce(o.tlp, i.tlp) FROM incident i LEFT JOIN observable o "
                         "ON o.incident_id = i.id AND o.type = $2 AND o.value = $3 "
                         "WHERE i.id = $1",
                         &q);
    if (!t)
        return pg_fail(p, d);
    char eff[16] = "";
    if (PQntuples(t) > 0)
        snprintf(eff, sizeof eff, "%s", pg_get_text(t, 0, 0));
    PQclear(t);
    if (pg_commit(p))
        return pg_fail(p, d);
    *out = json_pack("{s:O,s:O,s:s,s:b}", "type", json_object_get(obs, "type"), "value",
                     json_object_get(obs, "value"), "tlp", eff, "created", r == 0);
    return 0;
}

static int pg_incident_step_set(struct vg_store *st, const struct vg_actor *who, const char *ref,
                                const char *step_id, bool is_done, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *inc = NULL;
    int grc = incident_get(p, ref, &inc);
    if (grc)
        return grc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref)
                                : pg_error(p, d);
    json_t *step = NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(inc, "steps"), i, v)
        if (strcmp(vg_json_str(v, "id"), step_id) == 0)
            step = v;
    if (!step) {
        int rc = vg_diag_set(d, VG_ENOENT, "step", "the playbook of class %s has no step '%s'",
                             vg_json_str(inc, "class"), step_id);
        json_decref(inc);
        return rc;
    }
    json_decref(inc);
    if (pg_begin(p))
        return pg_error(p, d);
    long long id = pg_incident_id(p, ref);
    if (id <= 0) {
        if (id < 0)
            return pg_fail(p, d);
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    struct pg_params pp = {0};
    pg_param_int(&pp, id);
    pg_param_text(&pp, step_id);
    pg_param_int(&pp, is_done);
    pg_param_text(&pp, is_done ? who->name : NULL);
    pg_param_text(&pp, is_done ? now : NULL);
    PGresult *r = pg_run(p,
                         "INSERT INTO incident_step(incident_id, step_id, done, done_by, done_at) "
                         "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, step_id) "
                         "DO UPDATE SET done = excluded.done, done_by = excluded.done_by, "
                         "done_at = excluded.done_at",
                         &pp);
    PQclear(r);
    json_t *detail = json_pack("{s:s,s:b}", "step", step_id, "done", is_done);
    int bad = !r || timeline_add(p, id, who, "step", detail, now) ||
              pg_audit(p, who, "incident.step", ref, detail) || pg_commit(p);
    json_decref(detail);
    if (bad)
        return pg_fail(p, d);
    if (incident_get(p, ref, &inc) != 0)
        return VG_EIO;
    json_array_foreach(json_object_get(inc, "steps"), i, v)
        if (strcmp(vg_json_str(v, "id"), step_id) == 0)
            *out = json_incref(v);
    json_decref(inc);
    return 0;
}

/* ---- playbooks ---- */

int pg_playbook_seed(struct pg *p, struct vg_diag *d)
{
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    for (size_t i = 0; i < vg_rsit_nclasses; i++) {
        json_t *steps = vg_playbook_default(vg_rsit_classes[i].name);
        struct pg_params pp = {0};
        pg_param_text(&pp, vg_rsit_classes[i].name);
        pg_param_json(&pp, steps);
        pg_param_text(&pp, now);
        json_decref(steps);
        PGresult *r = pg_run(p,
                             "INSERT INTO playbook(class, steps, updated) VALUES ($1, $2, $3) "
                             "ON CONFLICT (class) DO NOTHING",
                             &pp);
        pg_params_free(&pp);
        if (!r)
            return pg_fail(p, d);
        PQclear(r);
    }
    return pg_commit(p) ? pg_fail(p, d) : 0;
}

static json_t *playbook_row(const PGresult *r, int i)
{
    return json_pack("{s:s,s:o,s:s}", "class", pg_get_text(r, i, 0), "steps", pg_get_json(r, i, 1),
                     "updated", pg_get_text(r, i, 2));
}

static int pg_playbook_list(struct vg_store *st, json_t **out)
{
    struct pg *p = pg_of(st);
    PGresult *r = pg_run(p, "SELECT class, steps, updated FROM playbook ORDER BY class", NULL);
    if (!r)
        return VG_EIO;
    json_t *arr = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(arr, playbook_row(r, i));
    PQclear(r);
    *out = arr;
    return 0;
}

static int playbook_get(struct pg *p, const char *cls, json_t **out)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, cls);
    PGresult *r = pg_run(p, "SELECT class, steps, updated FROM playbook WHERE class = $1", &pp);
    if (!r)
        return VG_EIO;
    int rc = VG_ENOENT;
    if (PQntuples(r) == 1) {
        *out = playbook_row(r, 0);
        rc = *out ? 0 : VG_ENOMEM;
    }
    PQclear(r);
    return rc;
}

static int pg_playbook_get(struct vg_store *st, const char *cls, json_t **out)
{
    return playbook_get(pg_of(st), cls, out);
}

static int pg_playbook_put(struct vg_store *st, const struct vg_actor *who, const char *cls,
                           const json_t *steps, json_t **out, struct vg_diag *d)
{
    struct pg *p = pg_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (pg_begin(p))
        return pg_error(p, d);
    struct pg_params pp = {0};
    pg_param_json(&pp, steps);
    pg_param_text(&pp, now);
    pg_param_text(&pp, cls);
    PGresult *r = pg_run(p, "UPDATE playbook SET steps = $1, updated = $2 WHERE class = $3", &pp);
    pg_params_free(&pp);
    if (!r)
        return pg_fail(p, d);
    long long n = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (n == 0) {
        pg_rollback(p);
        return vg_diag_set(d, VG_ENOENT, "class", "no playbook for class '%s'", cls);
    }
    char obj[128];
    snprintf(obj, sizeof obj, "playbook:%s", cls);
    if (pg_audit(p, who, "playbook.update", obj, steps) || pg_commit(p))
        return pg_fail(p, d);
    return playbook_get(p, cls, out);
}

const struct vg_store_incident_ops pg_incident_ops = {
    .incident_create = pg_incident_create,
    .incident_create_many = pg_incident_create_many,
    .incident_get = pg_incident_get,
    .incident_list = pg_incident_list,
    .incident_each = pg_incident_each,
    .incident_update = pg_incident_update,
    .incident_note = pg_incident_note,
    .incident_observable_add = pg_incident_observable_add,
    .incident_step_set = pg_incident_step_set,
    .incident_related = pg_incident_related,
    .playbook_list = pg_playbook_list,
    .playbook_get = pg_playbook_get,
    .playbook_put = pg_playbook_put,
};
