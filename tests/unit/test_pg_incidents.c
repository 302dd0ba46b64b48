/* The incidents domain (store/incident.h: incidents, observables, timeline, playbook steps,
 * related incidents, playbooks) on both backends (issue 16): one test body run on SQLite and
 * on PostgreSQL (pg_fixture.h); on PostgreSQL, the default playbooks seeded, and the
 * correlation index of one server kept right while others write in any commit order; and one
 * random sequence of writes run on both whose answers and reads must be equal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "core/record.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_two.h"

static const struct vg_actor who = {1, "tester", "admin", 0};

/* Creates the incident json (checked as the API does); *rc its code. */
static json_t *incident(struct vg_store *st, const char *json, struct vg_diag *d, int *rc)
{
    json_t *in = json_loads(json, 0, NULL), *inc = NULL, *out = NULL;
    assert_non_null(in);
    struct vg_incident_new rec = {0};
    *rc = vg_incident_check(in, VG_CHECK_CREATE, &inc, d);
    if (!*rc && !(*rc = vg_incident_new_from_json(inc, &rec, d)))
        *rc = vg_store_incident_create(st, &who, &rec, &out, d);
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    json_decref(inc);
    return out;
}

static int patch(struct vg_store *st, const char *ref, const char *json, json_t **out,
                 struct vg_diag *d)
{
    json_t *in = json_loads(json, 0, NULL), *p = NULL;
    assert_non_null(in);
    int rc = vg_incident_check(in, VG_CHECK_PATCH, &p, d);
    if (!rc)
        rc = vg_store_incident_update(st, &who, ref, p, out, d);
    json_decref(in);
    json_decref(p);
    return rc;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* Keeps the briefs vg_store_incident_each hands over. */
struct briefs {
    int n;
    bool stop; /* answer VG_ENOMEM */
    char ref[8][40], org_name[8][64], assignee[8][32];
};

static int brief_keep(void *ctx, const struct vg_incident_brief *b)
{
    struct briefs *bs = ctx;
    if (bs->stop || bs->n == 8)
        return VG_ENOMEM;
    snprintf(bs->ref[bs->n], sizeof bs->ref[0], "%s", b->ref);
    snprintf(bs->org_name[bs->n], sizeof bs->org_name[0], "%s",
             b->org_name ? b->org_name : "(none)");
    snprintf(bs->assignee[bs->n], sizeof bs->assignee[0], "%s",
             b->assignee ? b->assignee : "(none)");
    bs->n++;
    return 0;
}

/* ---- one body for both backends ---- */

static void incidents_body(struct two *t)
{
    struct vg_store *a = t->a, *b = t->b;
    struct vg_diag d = {0};
    int rc;
    assert_int_equal(vg_store_user_ensure(a, "alice", "analyst", NULL, &d), 0);
    raw_sql(t, "INSERT INTO org(name, kind, sector, created, updated) VALUES ('Org A', "
               "'operator', 'energy', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");

    /* playbooks: seeded, one per RSIT class */
    json_t *pbs = NULL;
    assert_int_equal(vg_store_playbook_list(b, &pbs), 0);
    assert_int_equal(json_array_size(pbs), 11);
    assert_string_equal(str(json_array_get(pbs, 0), "class"), "abusive-content");
    json_decref(pbs);
    json_t *pb = NULL;
    assert_int_equal(vg_store_playbook_get(b, "fraud", &pb), 0);
    assert_true(json_array_size(json_object_get(pb, "steps")) > 0);
    char step0[64];
    snprintf(step0, sizeof step0, "%s", str(json_array_get(json_object_get(pb, "steps"), 0), "id"));
    json_decref(pb);
    assert_int_equal(vg_store_playbook_get(b, "nope", &pb), VG_ENOENT);

    /* create: its answer is what get gives */
    json_t *x = incident(a,
                         "{\"title\":\"phish é\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"severity\":\"high\",\"tlp\":\"AMBER\",\"org\":1,"
                         "\"reporter\":{\"name\":\"R\",\"email\":\"r@example.org\"},"
                         "\"observables\":[{\"value\":\"10.0.0.0/8\"},"
                         "{\"value\":\"evil.example\"}]}",
                         &d, &rc);
    assert_int_equal(rc, 0);
    const char *xref = str(x, "ref");
    assert_non_null(strstr(xref, "VIG-"));
    assert_string_equal(str(x, "org_name"), "Org A");
    assert_string_equal(str(x, "status"), "new");
    assert_int_equal(json_array_size(json_object_get(x, "observables")), 2);
    assert_string_equal(str(json_array_get(json_object_get(x, "observables"), 0), "tlp"), "AMBER");
    assert_int_equal(json_array_size(json_object_get(x, "timeline")), 1);
    json_t *got = NULL;
    assert_int_equal(vg_store_incident_get(b, xref, &got), 0);
    if (!json_equal(got, x)) {
        char *g = json_dumps(got, JSON_SORT_KEYS), *c = json_dumps(x, JSON_SORT_KEYS);
        fail_msg("get %s != create %s", g, c);
    }
    json_decref(got);
    assert_int_equal(vg_store_incident_get(b, "VIG-0-0", &got), VG_ENOENT);
    /* no such organisation: nothing written, numbering unchanged on commit */
    json_t *bad = incident(a,
                           "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\","
                           "\"org\":99}",
                           &d, &rc);
    assert_null(bad);
    assert_int_equal(rc, VG_EINVAL);
    assert_string_equal(d.field, "/org");
    json_t *y = incident(b,
                         "{\"title\":\"y\",\"class\":\"malicious-code\",\"type\":\"c2-server\","
                         "\"severity\":\"critical\",\"observables\":[{\"value\":\"10.9.8.7\"},"
                         "{\"value\":\"x.evil.example\"}]}",
                         &d, &rc);
    assert_int_equal(rc, 0);
    const char *yref = str(y, "ref");
    assert_true(strcmp(yref, xref) > 0);
    json_t *z = incident(a, "{\"title\":\"z\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    assert_int_equal(rc, 0);
    const char *zref = str(z, "ref");

    /* lists: orders, filters, pages */
    json_t *l = NULL;
    struct vg_page pg = {.limit = 2};
    json_t *f = json_object();
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    json_t *items = json_object_get(l, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(str(json_array_get(items, 0), "ref"), zref);
    assert_string_equal(str(json_array_get(items, 1), "ref"), yref);
    assert_null(json_object_get(json_array_get(items, 0), "observables"));
    char cur[80];
    snprintf(cur, sizeof cur, "%s", str(l, "next_cursor"));
    json_decref(l);
    pg.cursor = cur;
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    assert_string_equal(str(json_array_get(json_object_get(l, "items"), 0), "ref"), xref);
    assert_true(json_is_null(json_object_get(l, "next_cursor")));
    json_decref(l);
    json_object_set_new(f, "sort", json_string("severity"));
    pg.cursor = NULL;
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    items = json_object_get(l, "items");
    assert_string_equal(str(json_array_get(items, 0), "ref"), yref); /* critical */
    assert_string_equal(str(json_array_get(items, 1), "ref"), xref); /* high */
    snprintf(cur, sizeof cur, "%s", str(l, "next_cursor"));
    assert_int_equal(cur[0], 's');
    json_decref(l);
    pg.cursor = cur;
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    assert_string_equal(str(json_array_get(json_object_get(l, "items"), 0), "ref"), zref);
    json_decref(l);
    pg.cursor = "c1"; /* a cursor of another order */
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), VG_EINVAL);
    assert_string_equal(d.field, "cursor");
    json_object_set_new(f, "sort", json_string("sideways"));
    pg.cursor = NULL;
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), VG_EINVAL);
    assert_string_equal(d.field, "sort");
    json_decref(f);
    f = json_pack("{s:s,s:I,s:s}", "class", "fraud", "org", (json_int_t)1, "sort", "oldest");
    pg = (struct vg_page){.limit = 10};
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    assert_string_equal(str(json_array_get(json_object_get(l, "items"), 0), "org_name"), "Org A");
    json_decref(l);
    json_decref(f);

    /* update: lifecycle, assignee, org, no change */
    json_t *u = NULL;
    assert_int_equal(patch(a, xref, "{\"status\":\"closed\"}", &u, &d), VG_ECONFLICT);
    assert_int_equal(patch(a, xref, "{\"assignee\":\"nobody\"}", &u, &d), VG_EINVAL);
    assert_string_equal(d.field, "/assignee");
    assert_int_equal(patch(a, xref, "{\"org\":42}", &u, &d), VG_EINVAL);
    assert_string_equal(d.field, "/org");
    assert_int_equal(patch(a, "VIG-0-0", "{\"title\":\"q\"}", &u, &d), VG_ENOENT);
    assert_int_equal(patch(a, xref, "{\"status\":\"triage\",\"assignee\":\"alice\"}", &u, &d), 0);
    assert_string_equal(str(u, "status"), "triage");
    assert_string_equal(str(u, "assignee"), "alice");
    assert_string_equal(str(u, "org_name"), "Org A");
    size_t ntl = json_array_size(json_object_get(u, "timeline"));
    assert_true(ntl >= 2);
    json_decref(u);
    assert_int_equal(patch(a, xref, "{\"assignee\":\"alice\"}", &u, &d), 0); /* no change */
    assert_int_equal(json_array_size(json_object_get(u, "timeline")), ntl);
    json_decref(u);
    /* the console's queue: assigned to alice, and the unassigned */
    f = json_pack("{s:s}", "assignee", "alice");
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    json_decref(f);
    f = json_pack("{s:n,s:s}", "assignee", "sort", "updated");
    assert_int_equal(vg_store_incident_list(b, f, &pg, &l, &d), 0);
    assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);
    json_decref(f);
    /* the same lists as briefs, in pages */
    f = json_pack("{s:s}", "sort", "updated");
    struct briefs bs = {0};
    char next[80];
    pg = (struct vg_page){.limit = 2};
    assert_int_equal(vg_store_incident_each(b, f, &pg, brief_keep, &bs, next, &d), 0);
    assert_int_equal(bs.n, 2);
    assert_string_equal(bs.ref[0], xref); /* updated last */
    assert_string_equal(bs.org_name[0], "Org A");
    assert_string_equal(bs.assignee[0], "alice");
    assert_string_equal(bs.org_name[1], "(none)");
    assert_int_equal(next[0], 'u');
    pg.cursor = next;
    assert_int_equal(vg_store_incident_each(b, f, &pg, brief_keep, &bs, next, &d), 0);
    assert_int_equal(bs.n, 3);
    assert_string_equal(next, "");
    bs.stop = true; /* an error of the callback ends the list */
    pg.cursor = NULL;
    assert_int_equal(vg_store_incident_each(b, f, &pg, brief_keep, &bs, next, &d), VG_ENOMEM);
    json_decref(f);

    /* notes */
    json_t *n = NULL;
    assert_int_equal(vg_store_incident_note_vis(a, &who, xref, "tell them", true, &n, &d), 0);
    assert_string_equal(str(n, "action"), "note");
    assert_true(json_is_true(json_object_get(json_object_get(n, "detail"), "public")));
    json_decref(n);
    assert_int_equal(vg_store_incident_note(a, &who, "VIG-0-0", "x", &n, &d), VG_ENOENT);

    /* observables: new, present, re-marked */
    json_t *o = json_pack("{s:s,s:s}", "type", "domain-name", "value", "z.evil.example");
    assert_int_equal(vg_store_incident_observable_add(a, &who, zref, o, &n, &d), 0);
    assert_true(json_is_true(json_object_get(n, "created")));
    assert_string_equal(str(n, "tlp"), "AMBER");
    json_decref(n);
    assert_int_equal(vg_store_incident_observable_add(a, &who, zref, o, &n, &d), 0);
    assert_true(json_is_false(json_object_get(n, "created")));
    json_decref(n);
    json_object_set_new(o, "tlp", json_string("RED"));
    assert_int_equal(vg_store_incident_observable_add(a, &who, zref, o, &n, &d), 0);
    assert_true(json_is_false(json_object_get(n, "created")));
    assert_string_equal(str(n, "tlp"), "RED");
    json_decref(n);
    assert_int_equal(vg_store_incident_observable_add(a, &who, "VIG-0-0", o, &n, &d), VG_ENOENT);
    json_decref(o);
    assert_int_equal(vg_store_incident_get(b, zref, &got), 0);
    assert_int_equal(json_array_size(json_object_get(got, "timeline")), 3); /* created, 2 obs */
    assert_string_equal(str(json_array_get(json_object_get(got, "observables"), 0), "tlp"), "RED");
    json_decref(got);

    /* steps */
    json_t *s = NULL;
    assert_int_equal(vg_store_incident_step_set(a, &who, xref, step0, true, &s, &d), 0);
    assert_true(json_is_true(json_object_get(s, "done")));
    assert_string_equal(str(s, "done_by"), "tester");
    json_decref(s);
    assert_int_equal(vg_store_incident_step_set(a, &who, xref, step0, false, &s, &d), 0);
    assert_true(json_is_false(json_object_get(s, "done")));
    assert_true(json_is_null(json_object_get(s, "done_by")));
    json_decref(s);
    assert_int_equal(vg_store_incident_step_set(a, &who, xref, "no-step", true, &s, &d), VG_ENOENT);
    assert_string_equal(d.field, "step");
    assert_int_equal(vg_store_incident_step_set(a, &who, "VIG-0-0", step0, true, &s, &d),
                     VG_ENOENT);

    /* related: y's address in x's network, y's subdomain under x's domain; z's subdomain */
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(b, yref, 10, &rel), 0);
    assert_int_equal(rel.n, 1);
    assert_string_equal(rel.v[0].ref, xref);
    assert_string_equal(rel.v[0].title, "phish é");
    assert_string_equal(rel.v[0].status, "triage");
    assert_int_equal(rel.v[0].count, 2);
    assert_int_equal(rel.v[0].nshared, 2);
    assert_string_equal(rel.v[0].shared[0].value, "10.9.8.7");
    assert_string_equal(rel.v[0].shared[0].type, "ipv4-addr");
    assert_string_equal(rel.v[0].shared[0].matched, "10.0.0.0/8");
    assert_string_equal(rel.v[0].shared[1].matched, "evil.example");
    vg_related_list_free(&rel);
    assert_int_equal(vg_store_incident_related(b, xref, 10, &rel), 0);
    assert_int_equal(rel.n, 2);
    vg_related_list_free(&rel);
    assert_int_equal(vg_store_incident_related(b, xref, 1, &rel), 0); /* the limit */
    assert_int_equal(rel.n, 1);
    assert_string_equal(rel.v[0].ref, yref); /* two shared before z's one */
    vg_related_list_free(&rel);
    assert_int_equal(vg_store_incident_related(b, "VIG-0-0", 10, &rel), VG_ENOENT);
    /* an incident written through the other connection, after b's index was built */
    json_t *w = incident(a,
                         "{\"title\":\"w\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"10.1.1.1\"}]}",
                         &d, &rc);
    assert_int_equal(vg_store_incident_related(b, xref, 10, &rel), 0);
    assert_int_equal(rel.n, 3);
    vg_related_list_free(&rel);
    json_decref(w);

    /* a create undone with the caller's transaction */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    json_t *gone =
        incident(a, "{\"title\":\"g\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    assert_int_equal(rc, 0);
    char gref[64];
    snprintf(gref, sizeof gref, "%s", str(gone, "ref"));
    json_decref(gone);
    vg_store_tx_rollback(a);
    assert_int_equal(vg_store_incident_get(b, gref, &got), VG_ENOENT);

    /* playbooks edited through a, seen by b's incidents */
    json_t *steps =
        json_pack("[{s:s,s:s,s:s}]", "id", "only", "phase", "containment", "title", "Block it");
    assert_int_equal(vg_store_playbook_put(a, &who, "fraud", steps, &pb, &d), 0);
    assert_int_equal(json_array_size(json_object_get(pb, "steps")), 1);
    json_decref(pb);
    assert_int_equal(vg_store_playbook_put(a, &who, "nope", steps, &pb, &d), VG_ENOENT);
    assert_string_equal(d.field, "class");
    json_decref(steps);
    assert_int_equal(vg_store_incident_get(b, zref, &got), 0);
    assert_int_equal(json_array_size(json_object_get(got, "steps")), 1);
    assert_string_equal(str(json_array_get(json_object_get(got, "steps"), 0), "id"), "only");
    json_decref(got);

    /* observables whose values need quoting in an array literal keep their order and bytes;
     * the answer (steps of the playbook just edited) is what get gives */
    json_t *q = incident(a,
                         "{\"title\":\"q\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"http://q.example/a{b,c}\\\"d\\\\e f\"},"
                         "{\"value\":\"NULL.example\"},{\"value\":\"10.1.2.3\"}]}",
                         &d, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(json_array_size(json_object_get(q, "observables")), 3);
    assert_non_null(strstr(str(json_array_get(json_object_get(q, "observables"), 0), "value"),
                           "{b,c}\"d\\e"));
    assert_int_equal(vg_store_incident_get(b, str(q, "ref"), &got), 0);
    assert_int_equal(json_array_size(json_object_get(q, "steps")), 1);
    assert_true(json_equal(got, q));
    json_decref(got);
    json_decref(q);
    /* an incident without observables relates to none */
    json_t *e = incident(a, "{\"title\":\"e\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    assert_int_equal(rc, 0);
    struct vg_related_list none;
    assert_int_equal(vg_store_incident_related(b, str(e, "ref"), 10, &none), 0);
    assert_int_equal(none.n, 0);
    vg_related_list_free(&none);
    json_decref(e);
    /* not an observable: nothing written */
    assert_null(incident(a,
                         "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"10.1.2.3\"},"
                         "{\"type\":\"ipv4-addr\",\"value\":\"nope\"}]}",
                         &d, &rc));
    assert_int_not_equal(rc, 0);
    json_decref(x);
    json_decref(y);
    json_decref(z);
}

static void incidents_on_sqlite(void **state)
{
    (void)state;
    struct two t;
    open_sqlite(&t);
    incidents_body(&t);
    close_two(&t);
}

static void incidents_on_pg(void **state)
{
    (void)state;
    struct two t;
    open_pg(&t);
    incidents_body(&t);
    /* the audit and the stored JSON, as PostgreSQL reads them */
    assert_int_equal(pg_scalar_on(t.raw, "SELECT count(*) FROM audit WHERE action = "
                                         "'incident.create'"),
                     6);
    pg_on(t.raw, "SELECT reporter::jsonb, detail::jsonb FROM incident, timeline");
    close_two(&t);
}

/* ---- PostgreSQL: seeding, and the correlation index with several servers ---- */

static void playbooks_seeded_once(void **state)
{
    (void)state;
    struct two t;
    open_pg(&t);
    assert_int_equal(pg_scalar_on(t.raw, "SELECT count(*) FROM playbook"), 11);
    pg_on(t.raw, "UPDATE playbook SET steps = '[]' WHERE class = 'fraud'");
    pg_on(t.raw, "DELETE FROM playbook WHERE class = 'vulnerable'");
    struct vg_diag d = {0};
    struct vg_store *again = vg_store_open_partial(t.path, NULL, &d);
    assert_non_null(again);
    /* an edited one kept, a missing one written again */
    assert_int_equal(pg_scalar_on(t.raw, "SELECT count(*) FROM playbook"), 11);
    assert_int_equal(pg_scalar_on(t.raw, "SELECT count(*) FROM playbook WHERE class = 'fraud' "
                                         "AND steps = '[]'"),
                     1);
    vg_store_close(again);
    close_two(&t);
}

struct late {
    const char *uri, *ref;
    int rc;
};

static void *late_observable(void *arg)
{
    struct late *l = arg;
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(l->uri, NULL, &d);
    if (!st) {
        l->rc = VG_EIO;
        return NULL;
    }
    json_t *o = json_pack("{s:s,s:s}", "type", "domain-name", "value", "b.shared.example"), *out;
    l->rc = vg_store_incident_observable_add(st, &who, l->ref, o, &out, &d);
    if (l->rc == 0)
        json_decref(out);
    json_decref(o);
    vg_store_close(st);
    return NULL;
}

/* Server A adds an observable in a transaction it has not committed yet; server B adds one
 * after it and commits; server C looks up in between. Without the order of commits kept, C's
 * index would move past A's id before A commits and never see it. */
static void related_any_commit_order(void **state)
{
    (void)state;
    struct two t;
    open_pg(&t);
    struct vg_diag d = {0};
    int rc;
    json_t *q = incident(t.a,
                         "{\"title\":\"q\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"shared.example\"}]}",
                         &d, &rc);
    json_t *ra =
        incident(t.a, "{\"title\":\"ra\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    json_t *rb =
        incident(t.a, "{\"title\":\"rb\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    assert_int_equal(rc, 0);
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(t.b, str(q, "ref"), 10, &rel), 0);
    assert_int_equal(rel.n, 0);
    vg_related_list_free(&rel);

    assert_int_equal(vg_store_tx_begin(t.a, &d), 0);
    json_t *o = json_pack("{s:s,s:s}", "type", "domain-name", "value", "a.shared.example"), *out;
    assert_int_equal(vg_store_incident_observable_add(t.a, &who, str(ra, "ref"), o, &out, &d), 0);
    json_decref(out);
    json_decref(o);
    struct late l = {.uri = t.path, .ref = str(rb, "ref"), .rc = 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, late_observable, &l), 0);
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int_equal(vg_store_incident_related(t.b, str(q, "ref"), 10, &rel), 0);
    assert_int_equal(rel.n, 0); /* neither committed yet: B waits for A */
    vg_related_list_free(&rel);
    assert_int_equal(vg_store_tx_commit(t.a, &d), 0);
    pthread_join(th, NULL);
    assert_int_equal(l.rc, 0);
    assert_int_equal(vg_store_incident_related(t.b, str(q, "ref"), 10, &rel), 0);
    assert_int_equal(rel.n, 2);
    vg_related_list_free(&rel);
    json_decref(q);
    json_decref(ra);
    json_decref(rb);
    close_two(&t);
}

/* ---- the same random writes on both: the same answers and reads ---- */

/* What may differ between the backends is dropped: the clock's times. The references, the
 * organisation's id and the order of everything are the same. */
static void strip_times(json_t *v)
{
    if (json_is_object(v)) {
        static const char *const keys[] = {"created", "updated", "at", "done_at"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (json_is_string(json_object_get(v, keys[k])))
                json_object_del(v, keys[k]);
        const char *key;
        json_t *c;
        json_object_foreach(v, key, c)
            strip_times(c);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
            strip_times(c);
    }
}

static void same(unsigned seed, int step, const char *what, json_t *s, json_t *p)
{
    strip_times(s);
    strip_times(p);
    if (!json_equal(s, p)) {
        char *a = json_dumps(s, JSON_SORT_KEYS), *b = json_dumps(p, JSON_SORT_KEYS);
        fail_msg("seed %u step %d %s: SQLite %s, PostgreSQL %s", seed, step, what, a, b);
    }
    json_decref(s);
    json_decref(p);
}

static json_t *all_pages(struct vg_store *st, json_t *filters, int limit)
{
    json_t *all = json_array();
    struct vg_page pg = {.limit = limit};
    char cur[80] = "";
    struct vg_diag d = {0};
    for (;;) {
        json_t *page = NULL;
        pg.cursor = cur[0] ? cur : NULL;
        assert_int_equal(vg_store_incident_list(st, filters, &pg, &page, &d), 0);
        json_array_extend(all, json_object_get(page, "items"));
        const char *next = json_string_value(json_object_get(page, "next_cursor"));
        if (next)
            snprintf(cur, sizeof cur, "%s", next);
        json_decref(page);
        if (!next)
            break;
    }
    return all;
}

static json_t *related_json(struct vg_store *st, const char *ref)
{
    struct vg_related_list rel;
    int rc = vg_store_incident_related(st, ref, 5, &rel);
    if (rc)
        return json_integer(rc);
    json_t *arr = json_array();
    for (size_t i = 0; i < rel.n; i++) {
        json_t *pairs = json_array();
        for (size_t k = 0; k < rel.v[i].nshared; k++)
            json_array_append_new(pairs,
                                  json_pack("[s,s,s]", rel.v[i].shared[k].type,
                                            rel.v[i].shared[k].value, rel.v[i].shared[k].matched));
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:o}", "ref", rel.v[i].ref, "status",
                                             rel.v[i].status, "severity", rel.v[i].severity,
                                             "count", (json_int_t)rel.v[i].count, "shared", pairs));
    }
    vg_related_list_free(&rel);
    return arr;
}

static const char *const pool[] = {
    "10.0.0.0/8",       "10.1.2.3",     "192.0.2.0/24",
    "192.0.2.9",        "evil.example", "a.evil.example",
    "b.a.evil.example", "good.example", "http://evil.example/x",
    "198.51.100.1",
};
static const char *const statuses[] = {"triage", "in-progress", "closed", "new", "resolved"};
static const char *const sevs[] = {"low", "medium", "high", "critical"};
static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};

static void random_same(void **state)
{
    (void)state;
    unsigned seed = (unsigned)time(NULL);
    const char *env = getenv("VIGIE_TEST_SEED");
    if (env)
        seed = (unsigned)strtoul(env, NULL, 10);
    printf("random_same: seed %u (VIGIE_TEST_SEED=%u to replay)\n", seed, seed);
    struct two s, p;
    open_sqlite(&s);
    open_pg(&p);
    struct two *both[2] = {&s, &p};
    struct vg_diag d = {0};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(vg_store_user_ensure(both[k]->a, "alice", "analyst", NULL, &d), 0);
        raw_sql(both[k], "INSERT INTO org(name, kind, sector, created, updated) VALUES ('Org A', "
                         "'operator', 'energy', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    }
    char refs[64][40];
    int nrefs = 0, ok[6] = {0};
    for (int step = 0; step < 120; step++) {
        int op = nrefs ? rand_r(&seed) % 6 : 0;
        json_t *out[2] = {NULL, NULL};
        int rc[2];
        char json[512];
        const char *ref = nrefs ? refs[rand_r(&seed) % nrefs] : "";
        if (op == 0) {
            int nobs = rand_r(&seed) % 3;
            char obs[256] = "";
            for (int i = 0; i < nobs; i++) {
                size_t len = strlen(obs);
                snprintf(obs + len, sizeof obs - len, "%s{\"value\":\"%s\"}", i ? "," : "",
                         pool[rand_r(&seed) % (sizeof pool / sizeof pool[0])]);
            }
            int org = rand_r(&seed) % 3; /* 2: none that exists */
            snprintf(json, sizeof json,
                     "{\"title\":\"i%d\",\"class\":\"%s\",\"type\":\"%s\",\"severity\":\"%s\","
                     "\"tlp\":\"%s\"%s%s,\"observables\":[%s]}",
                     step, step % 2 ? "fraud" : "malicious-code",
                     step % 2 ? "phishing" : "c2-server", sevs[rand_r(&seed) % 4],
                     tlps[rand_r(&seed) % 5],
                     org == 1   ? ",\"org\":1"
                     : org == 2 ? ",\"org\":7"
                                : "",
                     rand_r(&seed) % 2 ? ",\"assignee\":\"alice\"" : "", obs);
            for (int k = 0; k < 2; k++)
                out[k] = incident(both[k]->a, json, &d, &rc[k]);
            if (rc[0] == 0 && nrefs < 64)
                snprintf(refs[nrefs++], sizeof refs[0], "%s", str(out[0], "ref"));
        } else if (op == 1) {
            int which = rand_r(&seed) % 4;
            if (which == 0)
                snprintf(json, sizeof json, "{\"status\":\"%s\"}", statuses[rand_r(&seed) % 5]);
            else if (which == 1)
                snprintf(json, sizeof json, "{\"severity\":\"%s\",\"title\":\"t%d\"}",
                         sevs[rand_r(&seed) % 4], step);
            else if (which == 2)
                snprintf(json, sizeof json, "{\"assignee\":\"%s\"}",
                         rand_r(&seed) % 3 ? "alice" : "nobody");
            else
                snprintf(json, sizeof json, "{\"org\":%d}", rand_r(&seed) % 3);
            for (int k = 0; k < 2; k++)
                rc[k] = patch(both[k]->a, ref, json, &out[k], &d);
        } else if (op == 2) {
            bool pub = rand_r(&seed) % 2;
            for (int k = 0; k < 2; k++)
                rc[k] = vg_store_incident_note_vis(both[k]->a, &who, ref, "n", pub, &out[k], &d);
        } else if (op == 3) {
            json_t *o = json_pack("{s:s,s:s}", "type", "domain-name", "value",
                                  rand_r(&seed) % 2 ? "evil.example" : "c.good.example");
            if (rand_r(&seed) % 2)
                json_object_set_new(o, "tlp", json_string(tlps[rand_r(&seed) % 5]));
            for (int k = 0; k < 2; k++)
                rc[k] = vg_store_incident_observable_add(both[k]->a, &who, ref, o, &out[k], &d);
            json_decref(o);
        } else if (op == 4) {
            json_t *inc = NULL;
            assert_int_equal(vg_store_incident_get(s.b, ref, &inc), 0);
            json_t *steps = json_object_get(inc, "steps");
            char id[64] = "no-such-step";
            if (json_array_size(steps) && rand_r(&seed) % 4)
                snprintf(id, sizeof id, "%s",
                         str(json_array_get(steps, (size_t)rand_r(&seed) % json_array_size(steps)),
                             "id"));
            json_decref(inc);
            bool done = rand_r(&seed) % 3 != 0;
            for (int k = 0; k < 2; k++)
                rc[k] = vg_store_incident_step_set(both[k]->a, &who, ref, id, done, &out[k], &d);
        } else {
            for (int k = 0; k < 2; k++) {
                out[k] = related_json(both[k]->b, ref);
                rc[k] = 0;
            }
        }
        ok[op] += rc[0] == 0 && out[0];
        if (rc[0] != rc[1])
            fail_msg("seed %u step %d op %d: SQLite %d, PostgreSQL %d", seed, step, op, rc[0],
                     rc[1]);
        same(seed, step, "answer", out[0] ? out[0] : json_null(), out[1] ? out[1] : json_null());
        if (step % 30 == 29) {
            static const char *const sorts[] = {"newest", "oldest", "updated", "severity"};
            json_t *f = json_pack("{s:s}", "sort", sorts[rand_r(&seed) % 4]);
            if (rand_r(&seed) % 2)
                json_object_set_new(f, "status", json_string("new"));
            if (rand_r(&seed) % 3 == 0)
                json_object_set_new(f, "assignee", json_null());
            int limit = 1 + rand_r(&seed) % 6;
            same(seed, step, "list", all_pages(s.b, f, limit), all_pages(p.b, f, limit));
            json_decref(f);
            for (int i = 0; i < nrefs; i++) {
                json_t *gs = NULL, *gp = NULL;
                assert_int_equal(vg_store_incident_get(s.b, refs[i], &gs), 0);
                assert_int_equal(vg_store_incident_get(p.b, refs[i], &gp), 0);
                same(seed, step, "get", gs, gp);
                same(seed, step, "related", related_json(s.b, refs[i]), related_json(p.b, refs[i]));
            }
        }
    }
    /* the sequence did write: each kind of write succeeded several times */
    for (int op = 0; op < 6; op++)
        if (ok[op] < 3)
            fail_msg("seed %u: only %d successful operations of kind %d", seed, ok[op], op);
    close_two(&s);
    close_two(&p);
}

/* Creates the incident json without the API's check (as the intake and escalation build
 * theirs): what reaches the store unchecked; *rc its code. */
static json_t *incident_unchecked(struct vg_store *st, const char *json, struct vg_diag *d, int *rc)
{
    json_t *in = json_loads(json, 0, NULL), *out = NULL;
    assert_non_null(in);
    struct vg_incident_new rec = {0};
    if (!(*rc = vg_incident_new_from_json(in, &rec, d)))
        *rc = vg_store_incident_create(st, &who, &rec, &out, d);
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    return out;
}

#define UNCHECKED_HEAD                                                                             \
    "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\",\"severity\":\"low\","             \
    "\"tlp\":\"AMBER\",\"pap\":\"AMBER\",\"status\":\"new\","

/* sqlite3_exec's callback keeping the first column of the first row as a number. */
static int first_number(void *out, int n, char **v, char **names)
{
    (void)names;
    *(long long *)out = n > 0 && v[0] ? strtoll(v[0], NULL, 10) : -1;
    return 1; /* one row is enough */
}

/* A count read outside the store (another program on the same database). */
static long long raw_count(struct two *t, const char *sql)
{
    if (t->raw)
        return pg_scalar_on(t->raw, sql);
    sqlite3 *db;
    long long v = -1;
    assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
    int rc = sqlite3_exec(db, sql, first_number, &v, NULL);
    sqlite3_close(db);
    assert_true(rc == SQLITE_OK || rc == SQLITE_ABORT);
    return v;
}

/* Creations in a server's batch (on PostgreSQL one statement each): a bad organisation told
 * before a bad observable, either failure writing nothing and taking no number, the "created"
 * entry's detail written as the same text on both backends, the answer equal to a read. */
static void creation_body(struct two *t)
{
    struct vg_diag d = {0};
    int rc;
    vg_store_batch_begin(t->a);
    json_t *x = incident(t->a,
                         "{\"title\":\"x\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"10.1.2.3\"},{\"value\":\"a.example\"}]}",
                         &d, &rc);
    assert_int_equal(rc, 0);
    assert_null(incident_unchecked(t->a,
                                   UNCHECKED_HEAD "\"org\":99,\"observables\":"
                                                  "[{\"type\":\"ipv4-addr\",\"value\":\"nope\"}]}",
                                   &d, &rc));
    assert_int_equal(rc, VG_EINVAL);
    assert_string_equal(d.field, "/org");
    assert_null(incident_unchecked(t->a,
                                   UNCHECKED_HEAD "\"observables\":[{\"type\":\"ipv4-addr\","
                                                  "\"value\":\"10.1.2.4\"},"
                                                  "{\"type\":\"ipv4-addr\",\"value\":\"nope\"}]}",
                                   &d, &rc));
    /* PostgreSQL names the field; SQLite's backend answers VG_EIO ("database error: not an
     * error", sqlite_incidents.c): only the API's check stands before it */
    assert_int_not_equal(rc, 0);
    if (t->raw) {
        assert_int_equal(rc, VG_EINVAL);
        assert_string_equal(d.field, "/observables");
    }
    json_t *y = incident(t->a,
                         "{\"title\":\"y\",\"class\":\"malicious-code\",\"type\":\"c2-server\","
                         "\"severity\":\"high\",\"observables\":[{\"value\":\"b.example\"}]}",
                         &d, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(vg_store_batch_commit(t->a, &d), 0);
    const char *xr = str(x, "ref"), *yr = str(y, "ref");
    assert_int_equal(strlen(xr), strlen("VIG-2026-000001"));
    assert_int_equal(strtoll(yr + strlen(yr) - 6, NULL, 10),
                     strtoll(xr + strlen(xr) - 6, NULL, 10) + 1); /* no number lost */
    assert_int_equal(raw_count(t, "SELECT count(*) FROM incident"), 2);
    assert_int_equal(raw_count(t, "SELECT count(*) FROM observable"), 3);
    assert_int_equal(raw_count(t, "SELECT count(*) FROM timeline"), 2);
    assert_int_equal(raw_count(t, "SELECT count(*) FROM audit WHERE action = 'incident.create'"),
                     2);
    /* the detail as text, and the audit line's object */
    const json_t *made[] = {x, y};
    for (size_t i = 0; i < 2; i++) {
        const json_t *inc = made[i];
        char sql[400];
        snprintf(
            sql, sizeof sql,
            "SELECT count(*) FROM timeline WHERE detail = '{\"ref\":\"%s\",\"status\":\"%s\"}'",
            str(inc, "ref"), str(inc, "status"));
        assert_int_equal(raw_count(t, sql), 1);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM audit WHERE object = '%s' AND detail = "
                 "'{\"ref\":\"%s\",\"status\":\"%s\"}'",
                 str(inc, "ref"), str(inc, "ref"), str(inc, "status"));
        assert_int_equal(raw_count(t, sql), 1);
        json_t *got = NULL;
        assert_int_equal(vg_store_incident_get(t->b, str(inc, "ref"), &got), 0);
        assert_true(json_equal(got, inc));
        json_decref(got);
    }
    assert_string_equal(str(y, "severity"), "high");
    json_decref(x);
    json_decref(y);
}

static void creation_on_sqlite(void **state)
{
    (void)state;
    struct two t;
    open_sqlite(&t);
    creation_body(&t);
    close_two(&t);
}

static void creation_on_pg(void **state)
{
    (void)state;
    struct two t;
    open_pg(&t);
    creation_body(&t);
    close_two(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(incidents_on_sqlite),   cmocka_unit_test(incidents_on_pg),
        cmocka_unit_test(playbooks_seeded_once), cmocka_unit_test(related_any_commit_order),
        cmocka_unit_test(random_same),           cmocka_unit_test(creation_on_sqlite),
        cmocka_unit_test(creation_on_pg),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
