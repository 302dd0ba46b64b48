/* SQLite backend: incidents with their observables, timeline and playbook steps. The
 * correlation of incidents is in sqlite_corr.c, the playbooks in sqlite_playbooks.c. */
#include "store/sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/incident.h"
#include "core/model.h"
#include "core/observable.h"
#include "core/playbook.h"
#include "core/reference.h"
#include "core/timeline.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/time.h"

/* ---- incidents ---- */

/* An incident's own fields as GET answers them, wherever they come from (a row, or a
 * creation that has just written them). NULL strings are JSON nulls. */
struct inc_view {
    const char *ref, *title, *description, *cls, *type, *severity, *tlp, *pap, *status;
    bool unverified;      /* reported through the public intake, not yet checked */
    long long org;        /* organisation id, 0: none */
    const char *org_name; /* its name, NULL: none */
    json_t *reporter;     /* a new reference, or NULL for {} */
    const char *assignee; /* user name or NULL */
    const char *occurred; /* RFC 3339 or NULL */
    const char *created, *updated, *created_by;
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

static const char *col_or_null(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? NULL : sq_col_text(q, i);
}

/* A row of "SELECT i.id, i.ref, ... i.created_by" (sq_incident_get's columns) as JSON. */
static json_t *incident_row(sqlite3_stmt *q)
{
    unsigned long before = vg_mem_thread_failures();
    struct inc_view v = {
        .ref = sq_col_text(q, 1),
        .title = sq_col_text(q, 2),
        .description = sq_col_text(q, 3),
        .cls = sq_col_text(q, 4),
        .type = sq_col_text(q, 5),
        .severity = sq_col_text(q, 6),
        .tlp = sq_col_text(q, 7),
        .pap = sq_col_text(q, 8),
        .status = sq_col_text(q, 9),
        .unverified = sqlite3_column_int(q, 10) != 0,
        .org = sqlite3_column_int64(q, 11),
        .org_name = col_or_null(q, 12),
        .reporter = sq_col_json(q, 13),
        .assignee = col_or_null(q, 14),
        .occurred = col_or_null(q, 15),
        .created = sq_col_text(q, 16),
        .updated = sq_col_text(q, 17),
        .created_by = sq_col_text(q, 18),
    };
    json_t *o = incident_json(&v);
    /* a field left out (its allocation failed) would be read, or stored back, as missing */
    if (o && vg_mem_thread_failures() != before) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* Finds the row id of an incident by reference; 0 if none, -1 if it could not be read (a
 * failed read is not "no such incident": it answered 404, test_faults' patch_incident). */
long long sq_incident_id(struct sq *s, const char *ref)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT id FROM incident WHERE ref = ?");
    if (!q)
        return -1;
    sq_bind_text(q, 1, ref);
    int step = sqlite3_step(q);
    long long id = step == SQLITE_ROW ? sqlite3_column_int64(q, 0) : step == SQLITE_DONE ? 0 : -1;
    if (id < 0) {
        s->last_rc = step;
        snprintf(s->last_error, sizeof s->last_error, "%s", sqlite3_errmsg(s->db));
    }
    sq_done(s, q);
    return id;
}

static int timeline_add(struct sq *s, long long inc, const struct vg_actor *who, const char *action,
                        const json_t *detail, const char *now)
{
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO timeline(incident_id, at, actor, action, detail) "
                                 "VALUES (?,?,?,?,?)");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, inc);
    sq_bind_text(q, 2, now);
    sq_bind_text(q, 3, who->name);
    sq_bind_text(q, 4, action);
    sq_bind_json(q, 5, detail);
    return sq_step_done(s, q);
}

/* An observable as GET shows it: tlp is its own, or (none stored) its incident's. */
static json_t *observable_json(const char *type, const char *value, const char *created,
                               const char *tlp)
{
    return json_pack("{s:s,s:s,s:s,s:s}", "type", type, "value", value, "created", created, "tlp",
                     tlp);
}

/* The observables of incident id as GET shows them; NULL on a store failure. */
static json_t *incident_observables(struct sq *s, long long id)
{
    json_t *arr = json_array();
    sqlite3_stmt *q =
        sq_prep(s, "SELECT o.type, o.value, o.created, coalesce(o.tlp, i.tlp) FROM observable o "
                   "JOIN incident i ON i.id = o.incident_id WHERE o.incident_id = ? "
                   "ORDER BY o.id");
    if (!q) {
        json_decref(arr);
        return NULL;
    }
    sqlite3_bind_int64(q, 1, id);
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, observable_json(sq_col_text(q, 0), sq_col_text(q, 1),
                                                   sq_col_text(q, 2), sq_col_text(q, 3)));
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The steps of incident id's playbook with their state; id 0: a new incident (none done). */
static json_t *incident_steps(struct sq *s, long long id, const char *cls)
{
    const json_t *pb = sq_playbook_steps(s, cls);
    if (!pb)
        return json_array();
    json_t *state = json_object();
    sqlite3_stmt *q = NULL;
    if (id) {
        q = sq_prep(s, "SELECT step_id, done, done_by, done_at FROM incident_step "
                       "WHERE incident_id = ?");
        if (q)
            sqlite3_bind_int64(q, 1, id);
    }
    while (q && sqlite3_step(q) == SQLITE_ROW)
        json_object_set_new(state, sq_col_text(q, 0),
                            json_pack("{s:b,s:o,s:o}", "done", sqlite3_column_int(q, 1), "done_by",
                                      sq_col_null(q, 2), "done_at", sq_col_null(q, 3)));
    sq_done(s, q);
    json_t *steps = vg_playbook_progress(pb, state);
    json_decref(state);
    return steps;
}

static json_t *timeline_json(const char *at, const char *actor, const char *action, json_t *detail)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "at", at, "actor", actor, "action", action, "detail",
                     detail);
}

/* The timeline of incident id; NULL on a store failure. */
static json_t *incident_timeline(struct sq *s, long long id)
{
    json_t *arr = json_array();
    sqlite3_stmt *q = sq_prep(s, "SELECT at, actor, action, detail FROM timeline "
                                 "WHERE incident_id = ? ORDER BY id");
    if (!q) {
        json_decref(arr);
        return NULL;
    }
    sqlite3_bind_int64(q, 1, id);
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW)
        json_array_append_new(arr, timeline_json(sq_col_text(q, 0), sq_col_text(q, 1),
                                                 sq_col_text(q, 2), sq_col_json(q, 3)));
    sq_done(s, q);
    if (step != SQLITE_DONE) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

/* The name of organisation id into out; false if there is none. */
static bool org_name_of(struct sq *s, long long id, char *out, size_t cap)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT name FROM org WHERE id = ?");
    if (!q)
        return false;
    sqlite3_bind_int64(q, 1, id);
    bool found = sqlite3_step(q) == SQLITE_ROW;
    if (found)
        snprintf(out, cap, "%s", sq_col_text(q, 0));
    sq_done(s, q);
    return found;
}

/* Inserts one normalised observable of type and value with its own TLP (NULL: none, its
 * incident's, whose level is inc_tlp, applies); 1 if it was already there. A new incident has
 * none yet (fresh = true): its list was deduplicated in memory, no lookup is needed. When row
 * is not NULL, the observable as GET shows it is appended to it. */
static int observable_insert(struct sq *s, long long inc, const char *type, const char *value,
                             const char *tlp, const char *inc_tlp, const char *now, bool fresh,
                             json_t *row)
{
    struct vg_observable o;
    if (!type || !value ||
        vg_observable_parse(vg_str_c(value), vg_obs_type_parse(type), &o, NULL) != 0)
        return VG_EINVAL;
    sqlite3_stmt *q;
    if (!fresh) {
        q = sq_prep(s, "SELECT 1 FROM observable WHERE incident_id = ? AND type = ? "
                       "AND value = ?");
        if (!q)
            return VG_EIO;
        sqlite3_bind_int64(q, 1, inc);
        sq_bind_text(q, 2, type);
        sq_bind_text(q, 3, o.value);
        int found = sqlite3_step(q) == SQLITE_ROW;
        sq_done(s, q);
        if (found)
            return 1;
    }
    q = sq_prep(s, "INSERT INTO observable(incident_id, type, value, created, tlp) "
                   "VALUES (?,?,?,?,?)");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, inc);
    sq_bind_text(q, 2, type);
    sq_bind_text(q, 3, o.value);
    sq_bind_text(q, 4, now);
    sq_bind_text(q, 5, tlp);
    if (sq_step_done(s, q))
        return VG_EIO;
    if (row)
        json_array_append_new(row, observable_json(type, o.value, now, tlp ? tlp : inc_tlp));
    return 0;
}

int sq_incident_insert(struct sq *s, const struct vg_actor *who, const struct vg_incident_new *inc,
                       char ref[VG_REFERENCE_LEN], long long *id_out, json_t **answer,
                       struct vg_diag *d)
{
    char now[VG_TIME_LEN], key[32];
    vg_time_now(now);
    int year = vg_time_year();
    vg_reference_counter(key, sizeof key, year);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO counter(name, value) VALUES (?, 1) "
                                 "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                                 "RETURNING value");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, key);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        return sq_db_error(s, d);
    }
    long long n = sqlite3_column_int64(q, 0);
    sq_done(s, q);
    if (vg_reference_format(ref, VG_REFERENCE_LEN, s->base.config.ref_prefix, year, n) != 0)
        return vg_diag_set(d, VG_EIO, "", "bad incident number %lld", n);
    q = sq_prep(s, "INSERT INTO incident(ref, title, description, class, type, severity, tlp, "
                   "pap, status, unverified, org_id, reporter, assignee, occurred, created, "
                   "updated, created_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!q)
        return sq_db_error(s, d);
    sq_bind_text(q, 1, ref);
    sq_bind_text(q, 2, inc->title);
    sq_bind_text(q, 3, inc->description);
    sq_bind_text(q, 4, inc->cls);
    sq_bind_text(q, 5, inc->type);
    sq_bind_text(q, 6, inc->severity);
    sq_bind_text(q, 7, inc->tlp);
    sq_bind_text(q, 8, inc->pap);
    sq_bind_text(q, 9, inc->status);
    sqlite3_bind_int(q, 10, inc->unverified);
    if (inc->org)
        sqlite3_bind_int64(q, 11, inc->org);
    if (inc->reporter)
        sq_bind_json(q, 12, inc->reporter);
    else
        sq_bind_text(q, 12, "{}");
    sq_bind_text(q, 13, inc->assignee);
    sq_bind_text(q, 14, inc->occurred);
    sq_bind_text(q, 15, now);
    sq_bind_text(q, 16, now);
    sq_bind_text(q, 17, who->name);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int fk = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
        sq_done(s, q);
        return fk ? vg_diag_set(d, VG_EINVAL, "/org", "/org: no such organisation")
                  : sq_db_error(s, d);
    }
    sq_done(s, q);
    long long id = sqlite3_last_insert_rowid(s->db);
    json_t *obs = answer ? json_array() : NULL;
    for (size_t i = 0; i < inc->nobs; i++)
        if (observable_insert(s, id, inc->obs[i].type, inc->obs[i].value, NULL, inc->tlp, now, true,
                              obs) < 0) {
            json_decref(obs);
            return sq_db_error(s, d);
        }
    json_t *detail = vg_timeline_created(ref, inc->status, inc->from_alert);
    int rc = timeline_add(s, id, who, "created", detail, now) ||
             sq_audit(s, who, "incident.create", ref, detail);
    if (rc) {
        json_decref(detail);
        json_decref(obs);
        return sq_db_error(s, d);
    }
    if (id_out)
        *id_out = id;
    if (answer) {
        /* what GET will answer, built from what was just written instead of read back */
        struct inc_view iv = {
            .ref = ref,
            .title = inc->title,
            .description = inc->description,
            .cls = inc->cls,
            .type = inc->type,
            .severity = inc->severity,
            .tlp = inc->tlp,
            .pap = inc->pap,
            .status = inc->status,
            .unverified = inc->unverified,
            .org = inc->org,
            .reporter = inc->reporter ? json_deep_copy(inc->reporter) : NULL,
            .assignee = inc->assignee,
            .occurred = inc->occurred,
            .created = now,
            .updated = now,
            .created_by = who->name,
        };
        char org_name[VG_MAX_NAME + 1];
        if (iv.org && org_name_of(s, iv.org, org_name, sizeof org_name))
            iv.org_name = org_name;
        json_t *a = incident_json(&iv);
        json_t *tl = json_array();
        json_array_append_new(tl, timeline_json(now, who->name, "created", json_deep_copy(detail)));
        json_object_set_new(a, "observables", obs);
        json_object_set_new(a, "steps", incident_steps(s, 0, iv.cls));
        json_object_set_new(a, "timeline", tl);
        *answer = a;
    }
    json_decref(detail);
    return 0;
}

int sq_incident_create(struct vg_store *st, const struct vg_actor *who,
                       const struct vg_incident_new *inc, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char ref[VG_REFERENCE_LEN];
    json_t *a = NULL;
    if (sq_begin(s))
        return sq_db_error(s, d);
    int rc = sq_incident_insert(s, who, inc, ref, NULL, &a, d);
    if (rc == 0 && sq_commit(s) != 0)
        rc = sq_db_error(s, d);
    if (rc) {
        json_decref(a);
        sq_rollback(s);
        return rc;
    }
    *out = a;
    return 0;
}

int sq_incident_create_many(struct vg_store *st, const struct vg_actor *const *whos,
                            const struct vg_incident_new *incs, size_t n, json_t **outs,
                            struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    if (sq_begin(s))
        return sq_db_error(s, d);
    int rc = 0;
    char ref[VG_REFERENCE_LEN];
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = sq_incident_insert(s, whos[k], &incs[k], ref, NULL, &outs[k], d);
    if (rc == 0 && sq_commit(s) != 0)
        rc = sq_db_error(s, d);
    if (rc)
        sq_rollback(s); /* the wrapper releases outs */
    return rc;
}

int sq_incident_get(struct vg_store *st, const char *ref, json_t **out)
{
    struct sq *s = sq_of(st);
    static const char sql[] =
        "SELECT i.id, i.ref, i.title, i.description, i.class, i.type, i.severity, i.tlp, i.pap, "
        "i.status, i.unverified, i.org_id, o.name, i.reporter, i.assignee, i.occurred, "
        "i.created, i.updated, i.created_by FROM incident i LEFT JOIN org o ON o.id = i.org_id "
        "WHERE i.ref = ?";
    sqlite3_stmt *q = sq_prep(s, sql);
    if (!q)
        return VG_EIO;
    sq_bind_text(q, 1, ref);
    int step = sqlite3_step(q);
    if (step != SQLITE_ROW) {
        sq_done(s, q);
        return step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
    }
    json_t *o = incident_row(q);
    long long id = sqlite3_column_int64(q, 0);
    sq_done(s, q);
    json_t *obs = o ? incident_observables(s, id) : NULL,
           *tl = obs ? incident_timeline(s, id) : NULL;
    if (!tl) {
        json_decref(obs);
        json_decref(o);
        return VG_EIO;
    }
    json_object_set_new(o, "observables", obs);
    json_object_set_new(o, "steps", incident_steps(s, id, vg_json_str(o, "class")));
    json_object_set_new(o, "timeline", tl);
    *out = o;
    return 0;
}

/* The orders of the list (store/incident.h), each over an index (001 and 015) with the id as
 * its tie-break, and the cursor that continues it: the last row's key behind a letter. */
#define SEV_RANK                                                                                   \
    "(CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 "        \
    "END)"

enum inc_order { BY_NEWEST, BY_OLDEST, BY_UPDATED, BY_SEVERITY };

static const struct {
    const char *name;  /* the "sort" filter's value */
    char letter;       /* its cursors' first letter */
    const char *after; /* the condition that starts after the cursor ("1" without one) */
    const char *order; /* ORDER BY */
} inc_orders[] = {
    [BY_NEWEST] = {"newest", 'c', "i.id < ?", "i.id DESC"},
    [BY_OLDEST] = {"oldest", 'o', "i.id > ?", "i.id ASC"},
    [BY_UPDATED] = {"updated", 'u', "i.updated <= ? AND (i.updated < ? OR i.id < ?)",
                    "i.updated DESC, i.id DESC"},
    [BY_SEVERITY] = {"severity", 's', SEV_RANK " <= ? AND (" SEV_RANK " < ? OR i.id < ?)",
                     SEV_RANK " DESC, i.id DESC"},
};

/* The key of a cursor of order o: its id, and for "updated" the time (into key, cap bytes),
 * for "severity" the rank. 0 (no cursor: *id 0) or VG_EINVAL. Shared with the PostgreSQL
 * backend (pg_incidents.c), whose cursors are the same. */
int sq_inc_cursor_read(int order, const char *c, long long *id, char *key, size_t cap, int *rank,
                       struct vg_diag *d)
{
    enum inc_order o = (enum inc_order)order;
    *id = 0;
    if (!c)
        return 0;
    char hex[24] = "";
    const char *p = c + 1, *rest = NULL;
    if (c[0] != inc_orders[o].letter)
        goto bad;
    if (o == BY_SEVERITY) {
        if (*p < '0' || *p > '3')
            goto bad;
        *rank = *p++ - '0';
    }
    rest = o == BY_UPDATED ? strchr(p, '.') : p + strlen(p);
    if (!rest || rest == p || (size_t)(rest - p) >= sizeof hex)
        goto bad;
    memcpy(hex, p, (size_t)(rest - p));
    char *end;
    unsigned long long v = strtoull(hex, &end, 16);
    if (*end || v == 0 || v > (1ULL << 62) || hex[0] == '-' || hex[0] == '+')
        goto bad;
    *id = (long long)v;
    if (o == BY_UPDATED) {
        size_t n = strlen(rest + 1);
        if (n == 0 || n >= cap || strspn(rest + 1, "0123456789TZ:.-+") != n)
            goto bad;
        memcpy(key, rest + 1, n + 1);
    }
    return 0;
bad:
    return vg_diag_set(d, VG_EINVAL, "cursor", "cursor is not one this server gave");
}

/* The cursor after the row of q (the incident's columns, then the rank) for order o. */
static void inc_cursor_make(enum inc_order o, sqlite3_stmt *q, char *out, size_t cap)
{
    unsigned long long id = (unsigned long long)sqlite3_column_int64(q, 0);
    if (o == BY_UPDATED)
        snprintf(out, cap, "u%llx.%s", id, sq_col_text(q, 17));
    else if (o == BY_SEVERITY)
        snprintf(out, cap, "s%d%llx", sqlite3_column_int(q, 19), id);
    else
        snprintf(out, cap, "%c%llx", inc_orders[o].letter, id);
}

/* Runs the list's query (vg_store_incident_list's filters and order) and hands each row of the
 * page to row(ctx, q), which returns 0 or an error that ends the list; cur (80 bytes) receives
 * the cursor after the page, "" when it was the last. */
static int list_run(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                    int (*row)(void *ctx, sqlite3_stmt *q), void *ctx, char cur[80],
                    struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    enum inc_order o = BY_NEWEST;
    const char *sort = vg_json_str(filters, "sort");
    if (sort) {
        size_t k = 0;
        while (k < sizeof inc_orders / sizeof inc_orders[0] && strcmp(inc_orders[k].name, sort))
            k++;
        if (k == sizeof inc_orders / sizeof inc_orders[0])
            return vg_diag_set(d, VG_EINVAL, "sort",
                               "sort must be one of: newest, oldest, updated, severity");
        o = (enum inc_order)k;
    }
    long long after;
    char key[48] = "";
    int rank = 0;
    if (sq_inc_cursor_read(o, page->cursor, &after, key, sizeof key, &rank, d))
        return VG_EINVAL;
    /* The SQL is assembled from constant fragments only; every value is a bound parameter. */
    static const struct {
        const char *key, *cond;
    } conds[] = {
        {"status", " AND i.status = ?"}, {"class", " AND i.class = ?"},
        {"org", " AND i.org_id = ?"},    {"severity", " AND i.severity = ?"},
        {"tlp", " AND i.tlp = ?"},       {"assignee", " AND i.assignee = ?"},
    };
    /* the query's shape: its order, a cursor or not, and which filters it has (the assignee's
     * "none" apart): its statement is prepared once per connection */
    _Static_assert(sizeof inc_orders / sizeof inc_orders[0] * 2 * 64 * 2 == SQ_INC_LIST_SHAPES,
                   "SQ_INC_LIST_SHAPES counts every shape");
    _Static_assert(sizeof conds / sizeof conds[0] == 6, "six filters");
    unsigned shape = (unsigned)o * 2 + (after != 0);
    for (size_t k = 0; k < sizeof conds / sizeof conds[0]; k++)
        shape = shape * 2 + (json_object_get(filters, conds[k].key) != NULL);
    shape = shape * 2 + json_is_null(json_object_get(filters, "assignee"));
    if (!s->inc_list && !(s->inc_list = vg_calloc(SQ_INC_LIST_SHAPES, sizeof *s->inc_list)))
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    sqlite3_stmt *q = s->inc_list[shape];
    char sql[2048];
    size_t n = q ? 0
                 : (size_t)snprintf(sql, sizeof sql,
                                    "SELECT i.id, i.ref, i.title, i.description, i.class, i.type, "
                                    "i.severity, i.tlp, i.pap, i.status, i.unverified, i.org_id, "
                                    "o.name, i.reporter, i.assignee, i.occurred, i.created, "
                                    "i.updated, i.created_by, " SEV_RANK
                                    " FROM incident i LEFT JOIN org o ON o.id = i.org_id WHERE %s",
                                    after ? inc_orders[o].after : "1");
    if (!q) {
        for (size_t k = 0; k < sizeof conds / sizeof conds[0]; k++) {
            json_t *v = json_object_get(filters, conds[k].key);
            if (v)
                n += (size_t)snprintf(sql + n, sizeof sql - n, "%s",
                                      json_is_null(v) ? " AND i.assignee IS NULL" : conds[k].cond);
        }
        snprintf(sql + n, sizeof sql - n, " ORDER BY %s LIMIT ?", inc_orders[o].order);
        if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q, NULL) != SQLITE_OK)
            return sq_db_error(s, d);
        s->inc_list[shape] = q;
    }
    int b = 1;
    /* a row value comparison would be a scan of the index: key <= K AND (key < K OR id < I)
     * is a range of it */
    for (int twice = 0; after && twice < 2; twice++)
        if (o == BY_UPDATED)
            sq_bind_text(q, b++, key);
        else if (o == BY_SEVERITY)
            sqlite3_bind_int(q, b++, rank);
    if (after)
        sqlite3_bind_int64(q, b++, after);
    for (size_t k = 0; k < sizeof conds / sizeof conds[0]; k++) {
        json_t *v = json_object_get(filters, conds[k].key);
        if (!v || json_is_null(v))
            continue;
        if (json_is_integer(v))
            sqlite3_bind_int64(q, b++, json_integer_value(v));
        else
            sq_bind_text(q, b++, json_string_value(v));
    }
    sqlite3_bind_int(q, b, page->limit + 1);
    cur[0] = '\0';
    bool more = false;
    int step, n_rows = 0, rc = 0;
    char last[80] = "";
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n_rows == page->limit) {
            more = true;
            break;
        }
        inc_cursor_make(o, q, last, sizeof last);
        n_rows++;
        if ((rc = row(ctx, q)) != 0)
            break;
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc)
        return vg_diag_set(d, rc, "", "the incidents could not be listed");
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return vg_diag_set(d, VG_EIO, "", "the incidents could not be read");
    if (more)
        memcpy(cur, last, sizeof last);
    return 0;
}

static int row_json(void *ctx, sqlite3_stmt *q)
{
    json_t *o = incident_row(q);
    return o && json_array_append_new(ctx, o) == 0 ? 0 : VG_ENOMEM;
}

int sq_incident_list(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     json_t **out, struct vg_diag *d)
{
    char cur[80];
    json_t *items = json_array();
    if (!items)
        return vg_diag_set(d, VG_ENOMEM, "", "out of memory");
    int rc = list_run(st, filters, page, row_json, items, cur, d);
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

static int row_brief(void *ctx, sqlite3_stmt *q)
{
    const struct brief_ctx *c = ctx;
    const struct vg_incident_brief b = {
        .id = sqlite3_column_int64(q, 0),
        .ref = sq_col_text(q, 1),
        .title = sq_col_text(q, 2),
        .cls = sq_col_text(q, 4),
        .type = sq_col_text(q, 5),
        .severity = sq_col_text(q, 6),
        .tlp = sq_col_text(q, 7),
        .status = sq_col_text(q, 9),
        .org_id = sqlite3_column_int64(q, 11),
        .org_name = col_or_null(q, 12),
        .assignee = col_or_null(q, 14),
        .created = sq_col_text(q, 16),
        .updated = sq_col_text(q, 17),
    };
    return c->fn(c->ctx, &b);
}

int sq_incident_each(struct vg_store *st, const json_t *filters, const struct vg_page *page,
                     vg_incident_brief_fn fn, void *ctx, char next[80], struct vg_diag *d)
{
    struct brief_ctx c = {fn, ctx};
    return list_run(st, filters, page, row_brief, &c, next, d);
}

/* 1 if user name exists, 0 if not, -1 if it could not be read. */
static int user_exists(struct sq *s, const char *name)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT 1 FROM user WHERE name = ?");
    if (!q)
        return -1;
    sq_bind_text(q, 1, name);
    int step = sqlite3_step(q);
    sq_done(s, q);
    return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

int sq_incident_update(struct vg_store *st, const struct vg_actor *who, const char *ref,
                       const json_t *patch, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *cur = NULL, *changes = NULL;
    if (sq_begin(s))
        return sq_db_error(s, d);
    long long id = sq_incident_id(s, ref);
    int rc;
    if (id < 0)
        return sq_fail(s, d);
    if (!id) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    sqlite3_stmt *q =
        sq_prep(s, "SELECT i.id, i.ref, i.title, i.description, i.class, i.type, "
                   "i.severity, i.tlp, i.pap, i.status, i.unverified, i.org_id, NULL, "
                   "i.reporter, i.assignee, i.occurred, i.created, i.updated, "
                   "i.created_by FROM incident i WHERE i.id = ?");
    if (!q)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_done(s, q);
        goto fail;
    }
    cur = incident_row(q);
    sq_done(s, q);
    if (!cur) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    /* core's rules: the lifecycle, the RSIT pair left */
    rc = vg_incident_patch_check(cur, patch, d);
    if (rc)
        goto out;
    const char *assignee = vg_json_str(patch, "assignee");
    int known = assignee ? user_exists(s, assignee) : 1;
    if (known < 0)
        goto fail;
    if (!known) {
        rc = vg_diag_set(d, VG_EINVAL, "/assignee", "/assignee: no user '%s'", assignee);
        goto out;
    }
    /* the changed fields, with the old and new values; cur takes the new ones */
    changes = vg_timeline_diff(cur, patch);
    if (!changes) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (json_object_size(changes) == 0) {
        sq_rollback(s);
        json_decref(cur);
        json_decref(changes);
        return vg_store_incident_get(st, ref, out);
    }
    q = sq_prep(s, "UPDATE incident SET title = ?, description = ?, class = ?, type = ?, "
                   "severity = ?, tlp = ?, pap = ?, status = ?, unverified = ?, org_id = ?, "
                   "reporter = ?, assignee = ?, occurred = ?, updated = ? WHERE id = ?");
    if (!q)
        goto fail;
    sq_bind_text(q, 1, vg_json_str(cur, "title"));
    sq_bind_text(q, 2, vg_json_str(cur, "description"));
    sq_bind_text(q, 3, vg_json_str(cur, "class"));
    sq_bind_text(q, 4, vg_json_str(cur, "type"));
    sq_bind_text(q, 5, vg_json_str(cur, "severity"));
    sq_bind_text(q, 6, vg_json_str(cur, "tlp"));
    sq_bind_text(q, 7, vg_json_str(cur, "pap"));
    sq_bind_text(q, 8, vg_json_str(cur, "status"));
    sqlite3_bind_int(q, 9, json_is_true(json_object_get(cur, "unverified")));
    json_t *org = json_object_get(cur, "org");
    if (json_is_integer(org))
        sqlite3_bind_int64(q, 10, json_integer_value(org));
    sq_bind_json(q, 11, json_object_get(cur, "reporter"));
    sq_bind_text(q, 12, vg_json_str(cur, "assignee"));
    sq_bind_text(q, 13, vg_json_str(cur, "occurred"));
    sq_bind_text(q, 14, now);
    sqlite3_bind_int64(q, 15, id);
    if (sqlite3_step(q) != SQLITE_DONE) {
        int fk = sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
        sq_done(s, q);
        if (fk) {
            rc = vg_diag_set(d, VG_EINVAL, "/org", "/org: no such organisation");
            goto out;
        }
        goto fail;
    }
    sq_done(s, q);
    struct vg_timeline_entry tl[2];
    size_t ntl = vg_timeline_entries(changes, tl);
    int bad = 0, lost = 0;
    for (size_t k = 0; k < ntl; k++) {
        lost = lost || !tl[k].detail;
        bad = bad || lost || timeline_add(s, id, who, tl[k].action, tl[k].detail, now);
        json_decref(tl[k].detail);
    }
    if (lost) {
        rc = vg_diag_set(d, VG_ENOMEM, "", "out of memory");
        goto out;
    }
    if (bad)
        goto fail;
    if (sq_audit(s, who, "incident.update", ref, changes))
        goto fail;
    /* the answer is read inside the transaction: read after the commit, a failure answered
     * 500 for an update that was done (test_faults' patch_incident) */
    rc = sq_incident_get(st, ref, out);
    if (rc) {
        rc = vg_diag_set(d, rc == VG_ENOMEM ? VG_ENOMEM : VG_EIO, "",
                         "cannot read the incident back");
        goto out;
    }
    if (sq_commit(s)) {
        json_decref(*out);
        *out = NULL;
        goto fail;
    }
    json_decref(cur);
    json_decref(changes);
    return 0;
fail:
    rc = vg_diag_set(d, VG_EIO, "", "database error: %s", sqlite3_errmsg(s->db));
out:
    sq_rollback(s);
    json_decref(cur);
    json_decref(changes);
    return rc;
}

int sq_incident_note(struct vg_store *st, const struct vg_actor *who, const char *ref,
                     const char *text, bool public, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    if (sq_begin(s))
        return sq_db_error(s, d);
    long long id = sq_incident_id(s, ref);
    if (id < 0)
        return sq_fail(s, d);
    if (!id) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    json_t *detail = json_pack("{s:s,s:b}", "text", text, "public", public);
    int rc = timeline_add(s, id, who, "note", detail, now) ||
             sq_audit(s, who, "incident.note", ref, NULL) || sq_commit(s);
    if (rc) {
        json_decref(detail);
        return sq_fail(s, d);
    }
    *out = json_pack("{s:s,s:s,s:s,s:o}", "at", now, "actor", who->name, "action", "note", "detail",
                     detail);
    return 0;
}

/* The TLP that applies to observable type/value of incident inc (its own, or the incident's)
 * into out; 0, VG_ENOENT or VG_EIO. */
static int observable_tlp(struct sq *s, long long inc, const char *type, const char *value,
                          char *out, size_t cap)
{
    sqlite3_stmt *q = sq_prep(s, "SELECT coalesce(o.tlp, i.tlp) FROM incident i "
                                 "LEFT JOIN observable o ON o.incident_id = i.id AND o.type = ?2 "
                                 "AND o.value = ?3 WHERE i.id = ?1");
    if (!q)
        return VG_EIO;
    sqlite3_bind_int64(q, 1, inc);
    sq_bind_text(q, 2, type);
    sq_bind_text(q, 3, value);
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW)
        snprintf(out, cap, "%s", sq_col_text(q, 0));
    sq_done(s, q);
    return step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? VG_ENOENT : VG_EIO;
}

int sq_incident_observable_add(struct vg_store *st, const struct vg_actor *who, const char *ref,
                               const json_t *obs, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN], inc_tlp[16] = "", eff[16] = "";
    vg_time_now(now);
    const char *type = vg_json_str(obs, "type"), *value = vg_json_str(obs, "value"),
               *tlp = vg_json_str(obs, "tlp");
    if (sq_begin(s))
        return sq_db_error(s, d);
    long long id = sq_incident_id(s, ref);
    if (id < 0)
        return sq_fail(s, d);
    if (!id) {
        sq_rollback(s);
        return vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    }
    int r = observable_insert(s, id, type, value, tlp, inc_tlp, now, false, NULL);
    if (r < 0) {
        return sq_fail(s, d);
    }
    bool retag = false; /* an observable it has, given another TLP: the new one applies */
    if (r == 1 && tlp) {
        sqlite3_stmt *q = sq_prep(s, "UPDATE observable SET tlp = ?4 WHERE incident_id = ?1 "
                                     "AND type = ?2 AND value = ?3 AND tlp IS NOT ?4");
        if (!q)
            return sq_fail(s, d);
        sqlite3_bind_int64(q, 1, id);
        sq_bind_text(q, 2, type);
        sq_bind_text(q, 3, value);
        sq_bind_text(q, 4, tlp);
        if (sq_step_done(s, q))
            return sq_fail(s, d);
        retag = sqlite3_changes(s->db) > 0;
    }
    if ((r == 0 || retag) && (timeline_add(s, id, who, "observable", obs, now) ||
                              sq_audit(s, who, "incident.observable", ref, obs))) {
        return sq_fail(s, d);
    }
    if (observable_tlp(s, id, type, value, eff, sizeof eff) || sq_commit(s)) {
        return sq_fail(s, d);
    }
    *out = json_pack("{s:O,s:O,s:s,s:b}", "type", json_object_get(obs, "type"), "value",
                     json_object_get(obs, "value"), "tlp", eff, "created", r == 0);
    return 0;
}

int sq_incident_step_set(struct vg_store *st, const struct vg_actor *who, const char *ref,
                         const char *step_id, bool is_done, json_t **out, struct vg_diag *d)
{
    struct sq *s = sq_of(st);
    char now[VG_TIME_LEN];
    vg_time_now(now);
    json_t *inc = NULL;
    int grc = sq_incident_get(st, ref, &inc);
    if (grc)
        return grc == VG_ENOENT ? vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref)
                                : sq_db_error(s, d);
    json_t *step = NULL, *v;
    size_t i;
    json_array_foreach(json_object_get(inc, "steps"), i, v)
        if (strcmp(vg_json_str(v, "id"), step_id) == 0)
            step = v;
    if (!step) {
        /* the message reads the class from inc: free it only afterwards */
        int rc = vg_diag_set(d, VG_ENOENT, "step", "the playbook of class %s has no step '%s'",
                             vg_json_str(inc, "class"), step_id);
        json_decref(inc);
        return rc;
    }
    long long id = sq_incident_id(s, ref);
    json_decref(inc);
    if (id <= 0)
        return id < 0 ? sq_db_error(s, d) : vg_diag_set(d, VG_ENOENT, "ref", "no incident %s", ref);
    if (sq_begin(s))
        return sq_db_error(s, d);
    sqlite3_stmt *q = sq_prep(s, "INSERT INTO incident_step(incident_id, step_id, done, done_by, "
                                 "done_at) VALUES (?,?,?,?,?) ON CONFLICT(incident_id, step_id) "
                                 "DO UPDATE SET done = excluded.done, done_by = excluded.done_by, "
                                 "done_at = excluded.done_at");
    if (!q) {
        return sq_fail(s, d);
    }
    sqlite3_bind_int64(q, 1, id);
    sq_bind_text(q, 2, step_id);
    sqlite3_bind_int(q, 3, is_done);
    sq_bind_text(q, 4, is_done ? who->name : NULL);
    sq_bind_text(q, 5, is_done ? now : NULL);
    json_t *detail = json_pack("{s:s,s:b}", "step", step_id, "done", is_done);
    int rc = sq_step_done(s, q) || timeline_add(s, id, who, "step", detail, now) ||
             sq_audit(s, who, "incident.step", ref, detail) || sq_commit(s);
    json_decref(detail);
    if (rc) {
        return sq_fail(s, d);
    }
    if (sq_incident_get(st, ref, &inc) != 0)
        return VG_EIO;
    json_array_foreach(json_object_get(inc, "steps"), i, v)
        if (strcmp(vg_json_str(v, "id"), step_id) == 0)
            *out = json_incref(v);
    json_decref(inc);
    return 0;
}
