/* Unit tests of src/store against a real SQLite file in a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/attrib.h"
#include "core/record.h"
#include "store/store.h"

#include "store_fixture.h"

static json_t *incident(struct vg_store *st, const char *json, struct vg_diag *d, int *rc)
{
    json_t *in = json_loads(json, 0, NULL), *inc = NULL, *out = NULL;
    struct vg_incident_new rec = {0};
    *rc = vg_incident_check(in, VG_CHECK_CREATE, &inc, d);
    if (!*rc && !(*rc = vg_incident_new_from_json(inc, &rec, d)))
        *rc = vg_store_incident_create(st, &who, &rec, &out, d);
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    json_decref(inc);
    return out;
}

static void migrations_are_idempotent(void **state)
{
    struct fixture *f = *state;
    int v1 = 0, v2 = 0;
    struct vg_diag d;
    assert_int_equal(vg_store_migrate(f->st, &v1, &d), 0);
    assert_int_equal(vg_store_migrate(f->st, &v2, &d), 0);
    assert_true(v1 >= 1);
    assert_int_equal(v1, v2);
    json_t *pbs;
    assert_int_equal(vg_store_playbook_list(f->st, &pbs), 0);
    assert_int_equal(json_array_size(pbs), 11);
    json_decref(pbs);
}

static void open_failure_is_reported(void **state)
{
    (void)state;
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_null(vg_store_open("/proc/no/such/dir/v.db", NULL, &d));
    assert_non_null(strstr(d.message, "cannot open database"));
    assert_null(vg_store_open("postgresql://localhost/vigie", NULL, &d));
    assert_string_equal(d.field, "db");
}

static void failed_create_writes_nothing(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    int rc;
    json_t *bad = incident(f->st,
                           "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\","
                           "\"org\":42}",
                           &d, &rc);
    assert_null(bad);
    assert_int_equal(rc, VG_EINVAL);
    assert_string_equal(d.field, "/org");
    json_t *ok =
        incident(f->st, "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    assert_int_equal(rc, 0);
    /* the failed attempt did not consume a reference number */
    const char *ref = json_string_value(json_object_get(ok, "ref"));
    assert_string_equal(ref + strlen(ref) - 6, "000001");
    json_decref(ok);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_stmt *q;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM incident", -1, &q, NULL);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

static void lifecycle_conflict_lists_allowed(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    int rc;
    json_t *inc =
        incident(f->st, "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    const char *ref = json_string_value(json_object_get(inc, "ref"));
    json_t *patch = json_pack("{s:s}", "status", "closed"), *out = NULL;
    assert_int_equal(vg_store_incident_update(f->st, &who, ref, patch, &out, &d), VG_ECONFLICT);
    assert_non_null(strstr(d.message, "allowed: triage, rejected"));
    assert_null(out);
    json_decref(patch);
    patch = json_pack("{s:s}", "status", "triage");
    assert_int_equal(vg_store_incident_update(f->st, &who, ref, patch, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "triage");
    json_decref(patch);
    json_decref(out);
    json_decref(inc);
}

static void org_domains_attribute_subdomains(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *in = json_pack("{s:s,s:s,s:{s:[s]}}", "name", "M", "kind", "ministry", "assets",
                           "domains", "min.example"),
           *org = NULL, *out = NULL;
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &org, &d), 0);
    assert_int_equal(vg_store_org_create(f->st, &who, org, &out, &d), 0);
    json_decref(out);
    out = NULL;
    assert_int_equal(vg_store_org_find_by_domain(f->st, "a.b.min.example", &out), 0);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "M");
    json_decref(out);
    assert_int_equal(vg_store_org_find_by_domain(f->st, "notmin.example", &out), VG_ENOENT);
    assert_int_equal(vg_store_org_find_by_domain(f->st, "example", &out), VG_ENOENT);
    /* the same name again is a conflict, and the first stays */
    assert_int_equal(vg_store_org_create(f->st, &who, org, &out, &d), VG_EEXIST);
    json_decref(org);
    json_decref(in);
}

static void related_by_cidr_and_domain(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    int rc;
    json_t *a = incident(f->st,
                         "{\"title\":\"a\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"10.0.0.0/8\"},"
                         "{\"value\":\"evil.example\"}]}",
                         &d, &rc);
    json_t *b = incident(f->st,
                         "{\"title\":\"b\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"10.9.8.7\"},"
                         "{\"value\":\"x.evil.example\"}]}",
                         &d, &rc);
    json_t *c = incident(f->st,
                         "{\"title\":\"c\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"11.0.0.1\"}]}",
                         &d, &rc);
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(f->st, json_string_value(json_object_get(b, "ref")),
                                               10, &rel),
                     0);
    assert_int_equal(rel.n, 1);
    assert_string_equal(rel.v[0].ref, json_string_value(json_object_get(a, "ref")));
    assert_string_equal(rel.v[0].title, "a");
    assert_string_equal(rel.v[0].status, "new");
    assert_int_equal(rel.v[0].count, 2);
    /* b's address in a's network, b's subdomain under a's domain: by b's value */
    assert_int_equal(rel.v[0].nshared, 2);
    assert_string_equal(rel.v[0].shared[0].value, "10.9.8.7");
    assert_string_equal(rel.v[0].shared[0].type, "ipv4-addr");
    assert_string_equal(rel.v[0].shared[0].matched, "10.0.0.0/8");
    assert_string_equal(rel.v[0].shared[1].value, "x.evil.example");
    assert_string_equal(rel.v[0].shared[1].matched, "evil.example");
    vg_related_list_free(&rel);
    assert_int_equal(vg_store_incident_related(f->st, "VIG-0-0", 10, &rel), VG_ENOENT);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void related_sees_other_connections(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    int rc;
    json_t *a = incident(f->st,
                         "{\"title\":\"a\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"evil.example\"}]}",
                         &d, &rc);
    const char *ref = json_string_value(json_object_get(a, "ref"));
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(f->st, ref, 10, &rel), 0);
    assert_int_equal(rel.n, 0);
    vg_related_list_free(&rel);
    /* another connection (another process, e.g. the CLI) adds a related incident */
    struct vg_store *other = vg_store_open(f->path, NULL, &d);
    assert_non_null(other);
    json_t *b = incident(other,
                         "{\"title\":\"b\",\"class\":\"fraud\",\"type\":\"phishing\","
                         "\"observables\":[{\"value\":\"x.evil.example\"}]}",
                         &d, &rc);
    assert_int_equal(rc, 0);
    vg_store_close(other);
    assert_int_equal(vg_store_incident_related(f->st, ref, 10, &rel), 0);
    assert_int_equal(rel.n, 1);
    vg_related_list_free(&rel);
    json_decref(a);
    json_decref(b);
}

static void sightings_raise_one_alert_per_day(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *inds = json_pack("[{s:s,s:s},{s:s,s:s}]", "type", "domain-name", "value",
                             "evil.example", "type", "ipv4-addr", "value", "10.0.0.0/8");
    json_t *out = NULL;
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "added")), 2);
    json_int_t dom = json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
    json_decref(out);
    /* re-import: idempotent */
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "unchanged")), 2);
    json_decref(out);
    json_decref(inds);
    /* two sightings on the 28th (one alert), one on the 29th (another) */
    struct vg_sighting sg[] = {
        {dom, 0, "2026-11-28T10:00:00Z", "a.evil.example", NULL, NULL, NULL},
        {dom, 0, "2026-11-28T11:00:00Z", "b.evil.example", NULL, NULL, NULL},
        {dom, 0, "2026-11-29T01:00:00Z", "a.evil.example", NULL, NULL, NULL},
    };
    long long al[3] = {0};
    assert_int_equal(vg_store_sightings_record(f->st, &who, sg, 3, al, &d), 0);
    assert_true(al[0] > 0 && al[2] > 0);
    assert_true(al[0] == al[1]);
    assert_true(al[0] != al[2]);
    struct vg_page page = {10, NULL};
    json_t *alerts = NULL;
    assert_int_equal(vg_store_alert_list(f->st, NULL, &page, &alerts, &d), 0);
    json_t *items = json_object_get(alerts, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *older = json_array_get(items, 1);
    assert_int_equal(json_integer_value(json_object_get(older, "count")), 2);
    assert_string_equal(json_string_value(json_object_get(older, "day")), "2026-11-28");
    long long aid = (long long)json_integer_value(json_object_get(older, "id"));
    json_decref(alerts);
    json_t *inc = NULL;
    assert_int_equal(vg_store_alert_escalate(f->st, &who, aid, NULL, &inc, &d), 0);
    /* the indicator and both values seen that day are observables */
    assert_int_equal(json_array_size(json_object_get(inc, "observables")), 3);
    json_decref(inc);
    assert_int_equal(vg_store_alert_escalate(f->st, &who, aid, NULL, &inc, &d), VG_ECONFLICT);
    assert_int_equal(vg_store_alert_escalate(f->st, &who, 999, NULL, &inc, &d), VG_ENOENT);
    /* a sighting of an unknown indicator is refused and nothing is written */
    struct vg_sighting bad[] = {
        {dom, 0, NULL, "x.evil.example", NULL, NULL, NULL},
        {999, 0, NULL, "y", NULL, NULL, NULL},
    };
    assert_int_equal(vg_store_sightings_record(f->st, &who, bad, 2, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "indicator");
    /* nor of an unknown organisation */
    bad[1] = (struct vg_sighting){dom, 999, NULL, "y", NULL, NULL, NULL};
    assert_int_equal(vg_store_sightings_record(f->st, &who, bad, 2, NULL, &d), VG_EINVAL);
    json_t *list = NULL;
    assert_int_equal(vg_store_sighting_list(f->st, NULL, &page, &list, &d), 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 3);
    json_decref(list);
}

/* The indicator version changes with each import that changes something, and when an
 * indicator expires; the attribution table holds every organisation, across pages. */
static void indicator_version_and_attrib(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    char v0[128], v1[128], v2[128], v3[128];
    assert_int_equal(vg_store_indicator_version(f->st, "2026-11-29T00:00:00Z", v0, sizeof v0), 0);
    json_t *inds = json_pack("[{s:s,s:s,s:s}]", "type", "domain-name", "value", "evil.example",
                             "expires", "2026-12-01T00:00:00Z");
    json_t *out = NULL;
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    json_decref(out);
    assert_int_equal(vg_store_indicator_version(f->st, "2026-11-29T00:00:00Z", v1, sizeof v1), 0);
    assert_string_not_equal(v0, v1);
    /* unchanged re-import: same version */
    assert_int_equal(vg_store_indicator_import(f->st, &who, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    assert_int_equal(vg_store_indicator_version(f->st, "2026-11-29T00:00:00Z", v2, sizeof v2), 0);
    assert_string_equal(v1, v2);
    /* later, the indicator has expired */
    assert_int_equal(vg_store_indicator_version(f->st, "2026-12-02T00:00:00Z", v3, sizeof v3), 0);
    assert_string_not_equal(v2, v3);
    assert_int_equal(vg_store_indicator_version(f->st, "2026-12-03T00:00:00Z", v2, sizeof v2), 0);
    assert_string_equal(v2, v3); /* nothing else expires */
    /* an import by another connection (another process) */
    struct vg_store *other = vg_store_open(f->path, NULL, &d);
    assert_non_null(other);
    inds = json_pack("[{s:s,s:s}]", "type", "md5", "value", "d41d8cd98f00b204e9800998ecf8427e");
    assert_int_equal(vg_store_indicator_import(other, &who, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    assert_int_equal(vg_store_indicator_version(f->st, "2026-12-03T00:00:00Z", v3, sizeof v3), 0);
    assert_string_not_equal(v2, v3);
    /* another connection's writes that leave the indicators alone (an organisation, a
     * sighting, an unchanged re-import) leave the version alone: a running matcher does not
     * rebuild its index for them */
    json_t *qin = json_pack("{s:s,s:s}", "name", "Quiet", "kind", "ministry"), *quiet = NULL;
    assert_int_equal(vg_org_check(qin, VG_CHECK_CREATE, &quiet, &d), 0);
    assert_int_equal(vg_store_org_create(other, &who, quiet, &out, &d), 0);
    json_decref(out);
    json_decref(quiet);
    json_decref(qin);
    inds = json_pack("[{s:s,s:s}]", "type", "md5", "value", "d41d8cd98f00b204e9800998ecf8427e");
    assert_int_equal(vg_store_indicator_import(other, &who, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    vg_store_close(other);
    assert_int_equal(vg_store_indicator_version(f->st, "2026-12-03T00:00:00Z", v2, sizeof v2), 0);
    assert_string_equal(v2, v3);

    /* more organisations than a page */
    for (int i = 0; i < VG_MAX_PAGE + 3; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"name\":\"Org %d\",\"kind\":\"ministry\",\"sector\":\"government\","
                 "\"assets\":{\"cidrs\":[\"10.%d.%d.0/24\"],\"domains\":[\"o%d.example\"]}}",
                 i, i / 256, i % 256, i);
        json_t *in = json_loads(body, 0, NULL), *org = NULL;
        assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &org, &d), 0);
        assert_int_equal(vg_store_org_create(f->st, &who, org, &out, &d), 0);
        json_decref(out);
        json_decref(org);
        json_decref(in);
    }
    struct vg_attrib *a = vg_store_attrib_new(f->st, &d);
    assert_non_null(a);
    assert_true(vg_attrib_ip(a, "10.0.0.1") > 0);
    assert_true(vg_attrib_ip(a, "10.1.246.9") > 0); /* the last one, on the second page */
    assert_true(vg_attrib_host(a, "www.o502.example") > 0);
    assert_int_equal(vg_attrib_ip(a, "10.9.0.1"), 0);
    vg_attrib_free(a);
}

/* Creates organisation name; the result of vg_store_org_create. */
static int org_new(struct vg_store *st, const char *name)
{
    struct vg_diag d;
    json_t *in = json_pack("{s:s,s:s}", "name", name, "kind", "ministry"), *org = NULL, *out = NULL;
    int rc = vg_org_check(in, VG_CHECK_CREATE, &org, &d);
    if (!rc)
        rc = vg_store_org_create(st, &who, org, &out, &d);
    json_decref(in);
    json_decref(org);
    json_decref(out);
    return rc;
}

/* The names of the organisations committed to the file at path, read by a connection of its
 * own ("A,B"), into out. */
static const char *committed_orgs(const char *path, char *out, size_t cap)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    out[0] = '\0';
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT group_concat(name, ',') FROM "
                                        "(SELECT name FROM org ORDER BY name)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

/* A use case's transaction inside a server batch is a savepoint: its commit does not commit
 * the batch, its rollback undoes its own writes only. */
static void tx_inside_batch(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    char names[256];
    vg_store_batch_begin(f->st);
    assert_int_equal(org_new(f->st, "A"), 0);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "B"), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_true(vg_store_batch_pending(f->st));
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "");
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "C"), 0);
    assert_int_equal(org_new(f->st, "D"), 0);
    vg_store_tx_rollback(f->st);
    assert_true(vg_store_batch_pending(f->st));
    assert_int_equal(org_new(f->st, "E"), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "");
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B,E");
    /* a transaction opened first in a batch opens the batch's transaction */
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "F"), 0);
    vg_store_tx_rollback(f->st);
    assert_int_equal(org_new(f->st, "G"), 0);
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B,E,G");
    /* one left open: the batch commits it, and the next is a transaction of its own */
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "H"), 0);
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B,E,G,H");
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "I"), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B,E,G,H,I");
}

/* Outside a batch a use case's transaction is one of its own: durable after its commit, gone
 * after its rollback; a write failing inside it is undone alone; nested ones are savepoints. */
static void tx_outside_batch(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    char names[256];
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "A"), 0);
    assert_int_equal(org_new(f->st, "B"), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "");
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B");
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "C"), 0);
    vg_store_tx_rollback(f->st);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B");
    json_t *out = NULL;
    assert_int_equal(vg_store_org_get(f->st, 3, &out), VG_ENOENT);
    /* the first write fails: the transaction goes on without it */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "A"), VG_EEXIST);
    assert_int_equal(org_new(f->st, "D"), 0);
    assert_int_equal(org_new(f->st, "B"), VG_EEXIST);
    /* nested: a savepoint */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "E"), 0);
    vg_store_tx_rollback(f->st);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(org_new(f->st, "F"), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B");
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B,D,F");
    /* nothing open: commit refuses, rollback does nothing; writes are their own again */
    assert_int_equal(vg_store_tx_commit(f->st, &d), VG_EINVAL);
    vg_store_tx_rollback(f->st);
    assert_int_equal(org_new(f->st, "G"), 0);
    assert_string_equal(committed_orgs(f->path, names, sizeof names), "A,B,D,F,G");
}

/* A single-item getter tells "no such item" (VG_ENOENT) from a store failure (VG_EIO): here
 * the tables are dropped under the connection, whose statements were prepared before, so that
 * the failure is in the step and not in the preparation. */
static void getters_tell_missing_from_failed(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    int rc;
    json_t *out = NULL;
    json_t *inc =
        incident(f->st, "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\"}", &d, &rc);
    assert_int_equal(rc, 0);
    const char *ref = json_string_value(json_object_get(inc, "ref"));
    assert_int_equal(vg_store_incident_get(f->st, ref, &out), 0);
    json_decref(out);
    out = NULL;
    assert_int_equal(vg_store_incident_get(f->st, "VIG-2000-000001", &out), VG_ENOENT);
    assert_int_equal(vg_store_org_get(f->st, 42, &out), VG_ENOENT);
    assert_int_equal(vg_store_user_get(f->st, "nobody", &out), VG_ENOENT);
    assert_int_equal(vg_store_indicator_get(f->st, 42, &out), VG_ENOENT);
    assert_int_equal(vg_store_vuln_get(f->st, "CVE-2000-0001", &out), VG_ENOENT);
    assert_int_equal(vg_store_playbook_get(f->st, "no-such-class", &out), VG_ENOENT);
    assert_null(out);
    exec_on(f->path, "DROP TABLE timeline");
    assert_int_equal(vg_store_incident_get(f->st, ref, &out), VG_EIO);
    exec_on(f->path, "DROP TABLE incident; DROP TABLE org; DROP TABLE user; "
                     "DROP TABLE indicator; DROP TABLE vuln; DROP TABLE playbook");
    assert_int_equal(vg_store_incident_get(f->st, ref, &out), VG_EIO);
    assert_int_equal(vg_store_org_get(f->st, 42, &out), VG_EIO);
    assert_int_equal(vg_store_user_get(f->st, "nobody", &out), VG_EIO);
    assert_int_equal(vg_store_indicator_get(f->st, 42, &out), VG_EIO);
    assert_int_equal(vg_store_vuln_get(f->st, "CVE-2000-0001", &out), VG_EIO);
    assert_int_equal(vg_store_playbook_get(f->st, "no-such-class", &out), VG_EIO);
    assert_null(out);
    json_decref(inc);
}

/* Valid tokens are cached per connection in fixed memory: more tokens than the cache holds
 * (SQ_TOKEN_SLOTS, 256) all still authenticate their own user, in any order; a revoked one is
 * refused at once, on this connection and on another that had it cached. */
static void token_cache_many_tokens_and_revocation(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long alice, bob;
    assert_int_equal(vg_store_user_ensure(f->st, "alice", "analyst", &alice, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "bob", "reader", &bob, &d), 0);
    enum { N = 600 };
    static long long ids[N];
    unsigned char h[32] = {0};
    for (int i = 0; i < N; i++) {
        memcpy(h, &i, sizeof i);
        assert_int_equal(vg_store_token_add(f->st, i % 2 ? bob : alice, h, NULL, "api", NULL,
                                            &ids[i], &d),
                         0);
    }
    struct vg_actor a;
    struct vg_token_meta m;
    for (int round = 0; round < 3; round++) /* fill, evict, find again */
        for (int k = 0; k < N; k++) {
            int i = round == 1 ? N - 1 - k : (k * 7) % N;
            memcpy(h, &i, sizeof i);
            memset(&a, 0, sizeof a);
            assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), 0);
            assert_int_equal(a.user_id, i % 2 ? bob : alice);
            assert_string_equal(a.name, i % 2 ? "bob" : "alice");
            assert_string_equal(a.role, i % 2 ? "reader" : "analyst");
            assert_int_equal(m.id, ids[i]);
            assert_string_equal(m.kind, "api");
            assert_string_equal(m.expires, "");
        }
    int unknown = N + 1;
    memcpy(h, &unknown, sizeof unknown);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), VG_ENOENT);
    /* revoked here: refused here */
    int i = 42;
    memcpy(h, &i, sizeof i);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), 0); /* cached */
    assert_int_equal(vg_store_token_revoke(f->st, ids[i], 0, &d), 0);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), VG_ENOENT);
    /* revoked by another connection: refused here too */
    i = 43;
    memcpy(h, &i, sizeof i);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), 0); /* cached */
    struct vg_store *other = vg_store_open(f->path, NULL, &d);
    assert_non_null(other);
    assert_int_equal(vg_store_token_revoke(other, ids[i], 0, &d), 0);
    vg_store_close(other);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), VG_ENOENT);
    i = 44;
    memcpy(h, &i, sizeof i);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), 0); /* the others still valid */
    assert_int_equal(a.user_id, alice);
}

/* Tokens of two kinds: pruning keeps the newest of one kind of one user and leaves the others;
 * a use is recorded unless a later one is, and shown in the list with kind and expiry. */
static void token_kinds_prune_and_touch(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    long long alice, bob, ids[6];
    assert_int_equal(vg_store_user_ensure(f->st, "alice", "analyst", &alice, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "bob", "reader", &bob, &d), 0);
    unsigned char h[32] = {0};
    for (int i = 0; i < 6; i++) {
        h[0] = (unsigned char)i;
        assert_int_equal(vg_store_token_add(f->st, i == 5 ? bob : alice, h, "t",
                                            i == 0 ? "api" : "login",
                                            i == 0 ? NULL : "2030-01-01T00:00:00Z", &ids[i], &d),
                         0);
    }
    /* alice: api 0, login 1 2 3 4; bob: login 5 */
    assert_int_equal(vg_store_token_prune(f->st, alice, "login", 2, &d), 0);
    struct vg_actor a;
    struct vg_token_meta m;
    for (int i = 0; i < 6; i++) {
        h[0] = (unsigned char)i;
        assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), i == 1 || i == 2 ? VG_ENOENT : 0);
    }
    assert_string_equal(m.kind, "login");
    assert_string_equal(m.expires, "2030-01-01T00:00:00Z");
    assert_string_equal(m.last_used, "");
    /* a use, then an earlier one (not recorded), seen by the next lookup though cached */
    assert_int_equal(vg_store_token_touch(f->st, ids[5], "2026-12-05T10:00:00.5Z", &d), 0);
    assert_int_equal(vg_store_token_touch(f->st, ids[5], "2026-12-05T09:00:00Z", &d), 0);
    assert_int_equal(vg_store_token_lookup(f->st, h, &a, &m), 0);
    assert_string_equal(m.last_used, "2026-12-05T10:00:00.5Z");
    json_t *list;
    assert_int_equal(vg_store_token_list(f->st, alice, &list), 0);
    assert_int_equal(json_array_size(list), 5);
    json_t *t0 = json_array_get(list, 0), *t1 = json_array_get(list, 1);
    assert_string_equal(json_string_value(json_object_get(t0, "kind")), "api");
    assert_true(json_is_null(json_object_get(t0, "expires")));
    assert_true(json_is_null(json_object_get(t0, "last_used")));
    assert_true(json_is_null(json_object_get(t0, "revoked")));
    assert_string_equal(json_string_value(json_object_get(t1, "kind")), "login");
    assert_string_equal(json_string_value(json_object_get(t1, "expires")), "2030-01-01T00:00:00Z");
    assert_true(json_is_string(json_object_get(t1, "revoked")));
    json_decref(list);
    assert_int_equal(vg_store_token_list(f->st, bob, &list), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "last_used")),
                        "2026-12-05T10:00:00.5Z");
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_are_idempotent, setup, teardown),
        cmocka_unit_test(open_failure_is_reported),
        cmocka_unit_test_setup_teardown(failed_create_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(lifecycle_conflict_lists_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(org_domains_attribute_subdomains, setup, teardown),
        cmocka_unit_test_setup_teardown(related_by_cidr_and_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(sightings_raise_one_alert_per_day, setup, teardown),
        cmocka_unit_test_setup_teardown(indicator_version_and_attrib, setup, teardown),
        cmocka_unit_test_setup_teardown(related_sees_other_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(tx_inside_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(tx_outside_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(getters_tell_missing_from_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(token_cache_many_tokens_and_revocation, setup, teardown),
        cmocka_unit_test_setup_teardown(token_kinds_prune_and_touch, setup, teardown),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
