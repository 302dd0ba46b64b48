/* The store's error paths, against a real SQLite file: every write that fails part-way leaves
 * the database as it was (each table's rows hashed before and after) and reports a database
 * error with SQLite's message. The failures are real SQLite errors provoked from a second
 * connection: a trigger that aborts one statement, a deferred foreign key that makes the
 * COMMIT fail, a missing table that makes a statement fail to prepare. Also: a file that is
 * not a database, a migration that fails, an old database migrated, cursors not given by the
 * store, incident patches that change nothing or name a missing organisation, and the
 * whole-organisation product lookup. */
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

#include "core/incident.h"
#include "core/record.h"
#include "store/schema.h"
#include "store/store.h"

#include "store_fixture.h"

/* ---- a second connection on the same file ---- */

/* A hash of every row of every table (but the injection's own tables): equal hashes, equal
 * contents. */
static uint64_t db_hash(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *t;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'inj_%' AND name NOT LIKE 'sqlite_%' "
                                        "ORDER BY name",
                                        -1, &t, NULL),
                     SQLITE_OK);
    uint64_t h = 1469598103934665603ULL;
    while (sqlite3_step(t) == SQLITE_ROW) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY rowid", sqlite3_column_text(t, 0));
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) { /* WITHOUT ROWID */
            snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1", sqlite3_column_text(t, 0));
            assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
        }
        const unsigned char *name = sqlite3_column_text(t, 0);
        for (size_t i = 0; name[i]; i++)
            h = (h ^ name[i]) * 1099511628211ULL;
        while (sqlite3_step(q) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(q); c++) {
                const unsigned char *v = sqlite3_column_blob(q, c);
                int n = sqlite3_column_bytes(q, c);
                for (int i = 0; i < n; i++)
                    h = (h ^ v[i]) * 1099511628211ULL;
                h = (h ^ (uint64_t)(c + 1)) * 1099511628211ULL;
            }
        sqlite3_finalize(q);
    }
    sqlite3_finalize(t);
    sqlite3_close(db);
    return h;
}

/* ---- a populated database ---- */

struct world {
    long long org;   /* organisation "Org A" */
    char ref[32];    /* an incident */
    long long alert; /* an open alert */
    long long ind;   /* indicator evil.example */
    long long alice; /* user alice */
    long long token; /* alice's token */
    long long asset; /* a finding's asset, by index 0 of ASSETS */
};

static struct world W;
static const char *const ASSETS[] = {"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"};

static long long org_new_d(struct vg_store *st, const char *name, const char *products,
                           struct vg_diag *d)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"name\":\"%s\",\"kind\":\"ministry\",\"sector\":\"government\","
             "\"assets\":{\"cidrs\":[],\"domains\":[\"%s.example\"],\"products\":%s}}",
             name, name, products);
    json_t *in = json_loads(buf, 0, NULL), *org = NULL, *out = NULL;
    assert_int_equal(vg_org_check(in, VG_CHECK_CREATE, &org, d), 0);
    int rc = vg_store_org_create(st, &who, org, &out, d);
    long long id = rc ? rc : (long long)json_integer_value(json_object_get(out, "id"));
    json_decref(in);
    json_decref(org);
    json_decref(out);
    return id;
}

static long long org_new(struct vg_store *st, const char *name, const char *products)
{
    struct vg_diag d;
    return org_new_d(st, name, products, &d);
}

static int incident_new(struct vg_store *st, const char *json, json_t **out, struct vg_diag *d)
{
    json_t *in = json_loads(json, 0, NULL), *inc = NULL;
    struct vg_incident_new rec = {0};
    int rc = vg_incident_check(in, VG_CHECK_CREATE, &inc, d);
    if (!rc && !(rc = vg_incident_new_from_json(inc, &rec, d)))
        rc = vg_store_incident_create(st, &who, &rec, out, d);
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    json_decref(inc);
    return rc;
}

static int indicators_import(struct vg_store *st, const char *value, struct vg_diag *d)
{
    json_t *in = json_pack("{s:s,s:s,s:s}", "type", "domain-name", "value", value, "tlp", "AMBER");
    json_t *ind = NULL, *out = NULL;
    assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &ind, d), 0);
    json_t *arr = json_pack("[O]", ind);
    int rc = vg_store_indicator_import(st, &who, arr, &out, d);
    json_decref(in);
    json_decref(ind);
    json_decref(arr);
    json_decref(out);
    return rc;
}

static struct vg_store_vrec vrec(const char *cve, long long key, const char *modified)
{
    static const char *const prods[] = {"a:acme:widget"};
    static const unsigned char compact[] = {1, 2, 3};
    struct vg_store_vrec r = {cve, key,   "nvd",  modified, "2025-01-01",
                              7.5, "3.1", "HIGH", "desc",   "{\"id\":1}",
                              8,   NULL,  0,      prods,    1};
    if (key % 2) { /* odd keys keep a compact form too */
        r.compact = compact;
        r.compact_len = sizeof compact;
    }
    return r;
}

static void populate(struct fixture *f)
{
    struct vg_store *st = f->st;
    struct vg_diag d;
    W.org = org_new(st, "orga", "[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\"]");
    assert_true(W.org > 0);
    json_t *inc = NULL;
    assert_int_equal(incident_new(st,
                                  "{\"title\":\"t\",\"class\":\"fraud\",\"type\":\"phishing\","
                                  "\"observables\":[{\"value\":\"198.51.100.7\"}]}",
                                  &inc, &d),
                     0);
    snprintf(W.ref, sizeof W.ref, "%s", json_string_value(json_object_get(inc, "ref")));
    json_decref(inc);
    assert_int_equal(indicators_import(st, "evil.example", &d), 0);
    W.ind = scalar_on(f->path, "SELECT id FROM indicator WHERE value = 'evil.example'");
    struct vg_sighting sg = {W.ind, W.org, NULL, "www.evil.example", "dns.rrname", "log:1", NULL};
    long long alert = 0;
    assert_int_equal(vg_store_sightings_record(st, &who, &sg, 1, &alert, &d), 0);
    W.alert = alert;
    assert_int_equal(vg_store_user_ensure(st, "alice", "analyst", &W.alice, &d), 0);
    unsigned char h[32] = {7};
    assert_int_equal(vg_store_token_add(st, W.alice, h, "laptop", "api", NULL, &W.token, &d), 0);
    struct vg_store_vrec r = vrec("CVE-2025-0001", 1, "2025-01-01");
    assert_int_equal(vg_store_vuln_put(st, &r, 1, NULL, &d), 0);
    struct vg_store_finding fd = {W.org, 0, 1};
    struct vg_store_fscope all = {0, NULL, 0};
    assert_int_equal(vg_store_finding_replace(st, &all, ASSETS, 1, &fd, 1, NULL, &d), 0);
}

static int setup_world(void **state)
{
    if (setup(state))
        return -1;
    populate(*state);
    return 0;
}

/* ---- the writes, each as one call ---- */

static int op_org_create(struct vg_store *st, struct vg_diag *d)
{
    static int n;
    char name[32];
    snprintf(name, sizeof name, "orgnew%d", ++n); /* a new name each time */
    long long id = org_new_d(st, name, "[]", d);
    return id > 0 ? 0 : (int)id;
}

static int op_org_update(struct vg_store *st, struct vg_diag *d)
{
    json_t *in = json_pack("{s:{s:[],s:[s],s:[]}}", "assets", "cidrs", "domains", "b.example",
                           "products"),
           *patch = NULL, *out = NULL;
    assert_int_equal(vg_org_check(in, VG_CHECK_PATCH, &patch, d), 0);
    int rc = vg_store_org_update(st, &who, W.org, patch, &out, d);
    json_decref(in);
    json_decref(patch);
    json_decref(out);
    return rc;
}

static int op_incident_create(struct vg_store *st, struct vg_diag *d)
{
    json_t *out = NULL;
    int rc = incident_new(st,
                          "{\"title\":\"n\",\"class\":\"fraud\",\"type\":\"phishing\","
                          "\"observables\":[{\"value\":\"203.0.113.9\"}]}",
                          &out, d);
    json_decref(out);
    return rc;
}

static int op_incident_update(struct vg_store *st, struct vg_diag *d)
{
    json_t *patch = json_pack("{s:s}", "title", "renamed"), *out = NULL;
    int rc = vg_store_incident_update(st, &who, W.ref, patch, &out, d);
    json_decref(patch);
    json_decref(out);
    return rc;
}

static int op_incident_note(struct vg_store *st, struct vg_diag *d)
{
    json_t *out = NULL;
    int rc = vg_store_incident_note(st, &who, W.ref, "a note", &out, d);
    json_decref(out);
    return rc;
}

static int op_observable_add(struct vg_store *st, struct vg_diag *d)
{
    json_t *obs = json_pack("{s:s,s:s}", "type", "domain-name", "value", "new.example"),
           *out = NULL;
    int rc = vg_store_incident_observable_add(st, &who, W.ref, obs, &out, d);
    json_decref(obs);
    json_decref(out);
    return rc;
}

static int op_step_set(struct vg_store *st, struct vg_diag *d)
{
    json_t *out = NULL;
    int rc = vg_store_incident_step_set(st, &who, W.ref, "lessons-learnt", true, &out, d);
    json_decref(out);
    return rc;
}

static int op_playbook_put(struct vg_store *st, struct vg_diag *d)
{
    json_t *steps = json_pack("[{s:s,s:s,s:s}]", "id", "isolate", "phase", "containment", "title",
                              "Isolate"),
           *out = NULL;
    int rc = vg_store_playbook_put(st, &who, "fraud", steps, &out, d);
    json_decref(steps);
    json_decref(out);
    return rc;
}

static int op_indicator_import(struct vg_store *st, struct vg_diag *d)
{
    return indicators_import(st, "other.example", d);
}

static int op_indicator_reimport(struct vg_store *st, struct vg_diag *d)
{
    json_t *in =
        json_pack("{s:s,s:s,s:s}", "type", "domain-name", "value", "evil.example", "tlp", "RED");
    json_t *ind = NULL, *out = NULL;
    assert_int_equal(vg_indicator_check(in, VG_CHECK_CREATE, &ind, d), 0);
    json_t *arr = json_pack("[O]", ind);
    int rc = vg_store_indicator_import(st, &who, arr, &out, d);
    json_decref(in);
    json_decref(ind);
    json_decref(arr);
    json_decref(out);
    return rc;
}

static int op_sightings(struct vg_store *st, struct vg_diag *d)
{
    struct vg_sighting sg[2] = {
        {W.ind, W.org, "2030-01-01T00:00:00Z", "a.evil.example", "dns.rrname", "log:2", NULL},
        {W.ind, 0, "2030-01-01T00:00:00Z", "b.evil.example", NULL, NULL, NULL},
    };
    long long alerts[2];
    return vg_store_sightings_record(st, &who, sg, 2, alerts, d);
}

static int op_escalate(struct vg_store *st, struct vg_diag *d)
{
    json_t *out = NULL;
    int rc = vg_store_alert_escalate(st, &who, W.alert, NULL, &out, d);
    json_decref(out);
    return rc;
}

static int op_user_ensure(struct vg_store *st, struct vg_diag *d)
{
    long long id;
    return vg_store_user_ensure(st, "bob", "reader", &id, d);
}

static int op_user_password(struct vg_store *st, struct vg_diag *d)
{
    return vg_store_user_set_password(st, "alice", "$argon2id$fake", d);
}

static int op_token_add(struct vg_store *st, struct vg_diag *d)
{
    unsigned char h[32] = {9};
    long long id;
    return vg_store_token_add(st, W.alice, h, "new", "api", NULL, &id, d);
}

static int op_token_revoke(struct vg_store *st, struct vg_diag *d)
{
    return vg_store_token_revoke(st, W.token, 0, d);
}

static int op_intake_log(struct vg_store *st, struct vg_diag *d)
{
    json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "client", "192.0.2.1", "decision", "accepted",
                          "reporter_email", "r@a.example", "org_name", "B", "org_kind", "ministry");
    int rc = vg_store_intake_log(st, e, d);
    json_decref(e);
    return rc;
}

static int op_vuln_put(struct vg_store *st, struct vg_diag *d)
{
    struct vg_store_vrec r[2] = {vrec("CVE-2025-0002", 2, "2025-01-01"),
                                 vrec("CVE-2025-0003", 3, "2025-01-01")};
    return vg_store_vuln_put(st, r, 2, NULL, d);
}

static int op_kev_put(struct vg_store *st, struct vg_diag *d)
{
    struct vg_store_kev k = {1, "2025-02-01", "2025-02-22", true, "Acme", "Widget"};
    return vg_store_kev_put(st, &k, 1, d);
}

static int op_epss_put(struct vg_store *st, struct vg_diag *d)
{
    struct vg_store_epss e = {1, 0.5, 0.9};
    return vg_store_epss_put(st, &e, 1, "v2025.03.14", "2025-03-01", d);
}

static int op_finding_replace(struct vg_store *st, struct vg_diag *d)
{
    static const char *const assets[] = {"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*",
                                         "cpe:2.3:a:acme:gadget:2.0:*:*:*:*:*:*:*"};
    struct vg_store_finding fd[2] = {{W.org, 0, 1}, {W.org, 1, 1}};
    struct vg_store_fscope all = {0, NULL, 0};
    json_t *out = NULL;
    int rc = vg_store_finding_replace(st, &all, assets, 2, fd, 2, &out, d);
    json_decref(out);
    return rc;
}

static int op_finding_replace_keys(struct vg_store *st, struct vg_diag *d)
{
    static const long long keys[] = {1};
    struct vg_store_fscope scope = {0, keys, 1};
    json_t *out = NULL;
    int rc = vg_store_finding_replace(st, &scope, ASSETS, 1, NULL, 0, &out, d);
    json_decref(out);
    return rc;
}

static int op_finding_prune(struct vg_store *st, struct vg_diag *d)
{
    /* the gadget finding op_finding_replace wrote is on no product of the organisation */
    return vg_store_finding_prune(st, W.org, d);
}

static int op_digest(struct vg_store *st, struct vg_diag *d)
{
    json_t *out = NULL;
    int rc = vg_store_digest_take(st, W.org, &out, d);
    json_decref(out);
    return rc;
}

typedef int (*op_fn)(struct vg_store *st, struct vg_diag *d);

struct injection {
    const char *name; /* what is tried */
    op_fn op;         /* the write */
    const char *sql;  /* run on a second connection before it */
    const char *msg;  /* in the error message */
    bool again;       /* the write succeeds once the injection is gone */
};

#define ABORT_ON(when, table)                                                                      \
    "CREATE TRIGGER inj_t " when " ON " table " BEGIN SELECT RAISE(ABORT, 'injected'); END"
#define HEAL "DROP TRIGGER IF EXISTS inj_t; DROP TRIGGER IF EXISTS inj_u"

/* A statement of the write fails: nothing of it stays. */
static const struct injection statement_failures[] = {
    {"org: domains", op_org_create, ABORT_ON("BEFORE INSERT", "org_domain"), "injected", true},
    {"org: audit", op_org_create, ABORT_ON("BEFORE INSERT", "audit"), "injected", false},
    {"org update: row", op_org_update, ABORT_ON("BEFORE UPDATE", "org"), "injected", false},
    {"org update: domains", op_org_update, ABORT_ON("BEFORE INSERT", "org_domain"), "injected",
     true},
    {"incident: number", op_incident_create, ABORT_ON("BEFORE UPDATE", "counter"), "injected",
     false},
    {"incident: row", op_incident_create, ABORT_ON("BEFORE INSERT", "incident"), "injected", false},
    {"incident: observable", op_incident_create, ABORT_ON("BEFORE INSERT", "observable"),
     "injected", false},
    {"incident: audit", op_incident_create, ABORT_ON("BEFORE INSERT", "audit"), "injected", true},
    {"incident update: row", op_incident_update, ABORT_ON("BEFORE UPDATE", "incident"), "injected",
     false},
    {"incident update: timeline", op_incident_update, ABORT_ON("BEFORE INSERT", "timeline"),
     "injected", false},
    {"incident update: audit", op_incident_update, ABORT_ON("BEFORE INSERT", "audit"), "injected",
     true},
    {"note: timeline", op_incident_note, ABORT_ON("BEFORE INSERT", "timeline"), "injected", true},
    {"observable: row", op_observable_add, ABORT_ON("BEFORE INSERT", "observable"), "injected",
     false},
    {"observable: timeline", op_observable_add, ABORT_ON("BEFORE INSERT", "timeline"), "injected",
     true},
    {"step: row", op_step_set, ABORT_ON("BEFORE INSERT", "incident_step"), "injected", false},
    {"step: audit", op_step_set, ABORT_ON("BEFORE INSERT", "audit"), "injected", true},
    {"playbook: row", op_playbook_put, ABORT_ON("BEFORE UPDATE", "playbook"), "injected", false},
    {"playbook: audit", op_playbook_put, ABORT_ON("BEFORE INSERT", "audit"), "injected", true},
    {"indicator: new", op_indicator_import, ABORT_ON("BEFORE INSERT", "indicator"), "injected",
     false},
    {"indicator: audit", op_indicator_import, ABORT_ON("BEFORE INSERT", "audit"), "injected", true},
    {"indicator: merged", op_indicator_reimport, ABORT_ON("BEFORE UPDATE", "indicator"), "injected",
     true},
    {"sightings: row", op_sightings, ABORT_ON("BEFORE INSERT", "sighting"), "injected", false},
    {"sightings: alert", op_sightings, ABORT_ON("BEFORE INSERT", "alert"), "injected", false},
    {"sightings: audit", op_sightings, ABORT_ON("BEFORE INSERT", "audit"), "injected", true},
    {"escalate: incident", op_escalate, ABORT_ON("BEFORE INSERT", "incident"), "injected", false},
    {"escalate: alert", op_escalate, ABORT_ON("BEFORE UPDATE", "alert"), "injected", false},
    {"escalate: audit", op_escalate, ABORT_ON("BEFORE INSERT", "audit"), "injected", true},
    {"user", op_user_ensure, ABORT_ON("BEFORE INSERT", "user"), "injected", true},
    {"password", op_user_password, ABORT_ON("BEFORE UPDATE", "user"), "injected", true},
    {"token", op_token_add, ABORT_ON("BEFORE INSERT", "token"), "injected", true},
    {"revoke", op_token_revoke, ABORT_ON("BEFORE UPDATE", "token"), "injected", true},
    {"intake", op_intake_log, ABORT_ON("BEFORE INSERT", "intake"), "injected", true},
    {"vuln: record", op_vuln_put, ABORT_ON("BEFORE INSERT", "vuln_record"), "injected", false},
    {"vuln: compact", op_vuln_put, ABORT_ON("BEFORE INSERT", "vuln_compact"), "injected", false},
    {"vuln: summary", op_vuln_put, ABORT_ON("BEFORE INSERT", "vuln"), "injected", false},
    {"vuln: products", op_vuln_put, ABORT_ON("BEFORE INSERT", "vuln_product"), "injected", true},
    {"kev", op_kev_put, ABORT_ON("BEFORE INSERT", "kev"), "injected", true},
    {"epss", op_epss_put, ABORT_ON("BEFORE INSERT", "epss"), "injected", false},
    {"epss: meta", op_epss_put, ABORT_ON("BEFORE INSERT", "vuln_meta"), "injected", true},
    {"findings: asset", op_finding_replace, ABORT_ON("BEFORE INSERT", "asset"), "", false},
    {"findings: gone", op_finding_replace_keys, ABORT_ON("BEFORE DELETE", "finding"), "injected",
     false},
    {"findings: new", op_finding_replace, ABORT_ON("BEFORE INSERT", "finding"), "injected", false},
    {"findings: sums", op_finding_replace, ABORT_ON("BEFORE INSERT", "finding_sum"), "injected",
     true},
    {"prune", op_finding_prune, ABORT_ON("BEFORE DELETE", "finding"), "injected", false},
    {"prune: sums", op_finding_prune, ABORT_ON("BEFORE UPDATE", "finding_sum"), "injected", true},
    {"digest", op_digest, ABORT_ON("BEFORE INSERT", "digest"), "injected", true},
};

/* Cases that failed in the current table; each is printed, the test fails at the end. */
static int failures;
#define CASE_FAIL(...) (print_error(__VA_ARGS__), print_error("\n"), failures++)

static void run_injections(struct fixture *f, const struct injection *v, size_t n, const char *heal)
{
    failures = 0;
    for (size_t i = 0; i < n; i++) {
        struct vg_diag d;
        vg_diag_clear(&d);
        uint64_t before = db_hash(f->path);
        exec_on(f->path, v[i].sql);
        int rc = v[i].op(f->st, &d);
        if (rc != VG_EIO)
            CASE_FAIL("%s: returned %d (%s), not VG_EIO", v[i].name, rc, d.message);
        if (!strstr(d.message, v[i].msg))
            CASE_FAIL("%s: message '%s' lacks '%s'", v[i].name, d.message, v[i].msg);
        if (strncmp(d.message, "database error: ", 16) != 0 && v[i].msg[0])
            CASE_FAIL("%s: message '%s'", v[i].name, d.message);
        exec_on(f->path, heal);
        if (db_hash(f->path) != before)
            CASE_FAIL("%s: the failed write left something behind", v[i].name);
        if (v[i].again) {
            vg_diag_clear(&d);
            if ((rc = v[i].op(f->st, &d)) != 0)
                CASE_FAIL("%s: after the injection, %d (%s)", v[i].name, rc, d.message);
            if (db_hash(f->path) == before)
                CASE_FAIL("%s: the write changed nothing", v[i].name);
        }
    }
    assert_int_equal(failures, 0);
}

static void failed_statements_leave_nothing(void **state)
{
    struct fixture *f = *state;
    run_injections(f, statement_failures, sizeof statement_failures / sizeof *statement_failures,
                   HEAL);
}

/* The COMMIT itself fails (a deferred foreign key is violated by a row a trigger adds): the
 * transaction is rolled back whole. */
#define DEFER_ON(table)                                                                            \
    "CREATE TABLE IF NOT EXISTS inj_parent(id INTEGER PRIMARY KEY);"                               \
    "CREATE TABLE IF NOT EXISTS inj_child(p INTEGER REFERENCES inj_parent(id) "                    \
    "DEFERRABLE INITIALLY DEFERRED);"                                                              \
    "CREATE TRIGGER inj_t AFTER INSERT ON " table " BEGIN INSERT INTO inj_child VALUES (1); END"
#define DEFER_ON_UPDATE(table)                                                                     \
    "CREATE TABLE IF NOT EXISTS inj_parent(id INTEGER PRIMARY KEY);"                               \
    "CREATE TABLE IF NOT EXISTS inj_child(p INTEGER REFERENCES inj_parent(id) "                    \
    "DEFERRABLE INITIALLY DEFERRED);"                                                              \
    "CREATE TRIGGER inj_t AFTER UPDATE ON " table " BEGIN INSERT INTO inj_child VALUES (1); END"
#define FK "FOREIGN KEY constraint failed"

static const struct injection commit_failures[] = {
    {"org", op_org_create, DEFER_ON("audit"), FK, true},
    {"org update", op_org_update, DEFER_ON("audit"), FK, true},
    {"incident", op_incident_create, DEFER_ON("audit"), FK, true},
    {"incident update", op_incident_update, DEFER_ON("audit"), FK, false},
    {"note", op_incident_note, DEFER_ON("audit"), FK, true},
    {"observable", op_observable_add, DEFER_ON("audit"), FK, false},
    {"step", op_step_set, DEFER_ON("audit"), FK, true},
    {"playbook", op_playbook_put, DEFER_ON("audit"), FK, true},
    {"indicator", op_indicator_import, DEFER_ON("audit"), FK, true},
    {"sightings", op_sightings, DEFER_ON("audit"), FK, true},
    {"escalate", op_escalate, DEFER_ON("audit"), FK, true},
    {"vuln", op_vuln_put, DEFER_ON("vuln_record"), FK, true},
    {"kev", op_kev_put, DEFER_ON("kev"), FK, true},
    {"epss", op_epss_put, DEFER_ON("epss"), FK, true},
    {"findings", op_finding_replace, DEFER_ON("finding_sum"), FK, true},
    {"prune", op_finding_prune, DEFER_ON_UPDATE("finding_sum"), FK, true},
    {"digest", op_digest, DEFER_ON("digest"), FK, true},
};

static void failed_commits_leave_nothing(void **state)
{
    struct fixture *f = *state;
    run_injections(f, commit_failures, sizeof commit_failures / sizeof *commit_failures,
                   "DROP TRIGGER IF EXISTS inj_t; DELETE FROM inj_child");
}

/* A table is missing (dropped by another client): statements that name it fail to prepare
 * on a connection opened after, and the write or read says so. Each case on a new world. */
struct missing {
    const char *table; /* dropped */
    op_fn op;          /* fails; NULL: opening fails */
};

static int op_sums(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    return vg_store_finding_sums_each(st, 0, NULL, NULL);
}

static int noop_asset_id(void *ctx, long long id, const char *cpe)
{
    (void)ctx, (void)id, (void)cpe;
    return 0;
}

static int op_asset_ids(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    return vg_store_asset_ids_each(st, noop_asset_id, NULL);
}

static int noop_asset(void *ctx, long long org, const char *cpe)
{
    (void)ctx, (void)org, (void)cpe;
    return 0;
}

static int op_assets(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    return vg_store_vuln_assets_each(st, W.org, noop_asset, NULL);
}

static int noop_key(void *ctx, long long key)
{
    (void)ctx, (void)key;
    return 0;
}

static int op_keys(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    const char *const products[] = {"acme:widget"};
    return vg_store_vuln_keys_for_products(st, products, 1, noop_key, NULL);
}

static int op_names(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    const char *const names[] = {"acme:widget"};
    return vg_store_vuln_products_for_names(st, names, 1, true, noop_asset, NULL);
}

static int noop_rec(void *ctx, const char *source, const void *data, size_t len, bool compact)
{
    (void)ctx, (void)source, (void)data, (void)len, (void)compact;
    return 0;
}

static int op_vuln_each(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    static const long long keys[] = {1};
    return vg_store_vuln_each(st, keys, 1, noop_rec, NULL, NULL, NULL);
}

static int op_related(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    struct vg_related_list l = {0};
    int rc = vg_store_incident_related(st, W.ref, 10, &l);
    vg_related_list_free(&l);
    return rc;
}

static int op_token_list(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    json_t *out = NULL;
    int rc = vg_store_token_list(st, W.alice, &out);
    json_decref(out);
    return rc;
}

static int op_user_list(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    json_t *out = NULL;
    int rc = vg_store_user_list(st, &out);
    json_decref(out);
    return rc;
}

static int op_audit_list(struct vg_store *st, struct vg_diag *d)
{
    struct vg_page p = {10, NULL};
    json_t *out = NULL;
    int rc = vg_store_audit_list(st, &p, &out, d);
    json_decref(out);
    return rc;
}

static int op_list(struct vg_store *st, struct vg_diag *d, int which)
{
    struct vg_page p = {10, NULL};
    json_t *out = NULL, *filters = json_object();
    int rc = which == 0   ? vg_store_incident_list(st, filters, &p, &out, d)
             : which == 1 ? vg_store_indicator_list(st, filters, &p, &out, d)
             : which == 2 ? vg_store_sighting_list(st, filters, &p, &out, d)
             : which == 3 ? vg_store_alert_list(st, filters, &p, &out, d)
             : which == 4 ? vg_store_org_list(st, &p, &out, d)
                          : vg_store_finding_list(st, W.org, NULL, &p, &out, d);
    json_decref(filters);
    json_decref(out);
    return rc;
}

static int op_incident_list(struct vg_store *st, struct vg_diag *d)
{
    return op_list(st, d, 0);
}
static int op_indicator_list(struct vg_store *st, struct vg_diag *d)
{
    return op_list(st, d, 1);
}
static int op_sighting_list(struct vg_store *st, struct vg_diag *d)
{
    return op_list(st, d, 2);
}
static int op_alert_list(struct vg_store *st, struct vg_diag *d)
{
    return op_list(st, d, 3);
}
static int op_finding_list(struct vg_store *st, struct vg_diag *d)
{
    return op_list(st, d, 5);
}

static int add_row(void *ctx, long long id, const char *type, const char *value)
{
    (void)ctx, (void)id, (void)type, (void)value;
    return 0;
}

static int op_indicator_each(struct vg_store *st, struct vg_diag *d)
{
    (void)d;
    return vg_store_indicator_each(st, "2026-01-01T00:00:00Z", add_row, NULL);
}

static const struct missing missing_tables[] = {
    {"audit", op_org_create},
    {"audit", op_audit_list},
    {"org_domain", op_org_create},
    {"observable", op_incident_create},
    {"observable", op_related},
    {"timeline", op_incident_note},
    {"incident_step", op_step_set},
    {"counter", op_incident_create},
    {"indicator", op_indicator_import},
    {"indicator", op_indicator_each},
    {"indicator", op_indicator_list},
    {"sighting", op_sightings},
    {"sighting", op_sighting_list},
    {"alert", op_alert_list},
    {"alert", op_escalate},
    {"token", op_token_add},
    {"token", op_token_revoke},
    {"token", op_token_list},
    {"user", op_user_list},
    {"user", op_user_password},
    {"intake", op_intake_log},
    {"incident", op_incident_list},
    {"playbook", NULL}, /* the playbooks are seeded on opening */
    {"vuln_record", op_vuln_put},
    {"vuln_compact", op_vuln_put},
    {"vuln_product", op_vuln_put},
    {"vuln_product", op_keys},
    {"vuln_meta", op_epss_put},
    {"kev", op_kev_put},
    {"epss", op_epss_put},
    {"vuln_record", op_vuln_each},
    {"org_product", op_assets},
    {"org_product", op_names},
    {"asset", op_asset_ids},
    {"asset", op_finding_replace},
    {"finding", op_finding_replace},
    {"finding", op_finding_prune},
    {"finding", op_finding_list},
    {"finding_sum", op_sums},
    {"finding_sum", op_finding_replace},
    {"digest", op_digest},
};

static void missing_tables_fail_cleanly(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof missing_tables / sizeof *missing_tables; i++) {
        void *fs = NULL;
        assert_int_equal(setup_world(&fs), 0);
        struct fixture *f = fs;
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE %s", missing_tables[i].table);
        exec_on(f->path, sql);
        struct vg_diag d;
        vg_diag_clear(&d);
        struct vg_store *st = vg_store_open(f->path, NULL, &d); /* nothing prepared yet */
        if (!missing_tables[i].op) {                            /* opening itself needs the table */
            assert_null(st);
            assert_string_equal(d.message, "database error: no such table: playbook");
            teardown(&fs);
            continue;
        }
        assert_non_null(st);
        int rc = missing_tables[i].op(st, &d);
        if (rc != VG_EIO)
            CASE_FAIL("%s dropped: %d (%s)", missing_tables[i].table, rc, d.message);
        if (d.message[0] && !strstr(d.message, "no such table"))
            CASE_FAIL("%s dropped: message '%s'", missing_tables[i].table, d.message);
        vg_store_close(st);
        teardown(&fs);
    }
    assert_int_equal(failures, 0);
}

/* ---- opening ---- */

static void not_a_database_is_named(void **state)
{
    struct fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/junk.db", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 512; i++)
        fputs("this is not a database, ", fp);
    fclose(fp);
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_null(vg_store_open(path, NULL, &d));
    char want[256];
    snprintf(want, sizeof want, "cannot set up database %s: file is not a database", path);
    assert_string_equal(d.message, want);
    assert_string_equal(d.field, "db");
    unlink(path);
}

/* A migration that fails (its table exists already, made by someone else) is rolled back
 * and named; the file stays at its version. */
static void failed_migration_is_named_and_rolled_back(void **state)
{
    struct fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/old.db", f->dir);
    exec_on(path, "CREATE TABLE org(x)");
    struct vg_diag d;
    vg_diag_clear(&d);
    assert_null(vg_store_open(path, NULL, &d));
    char want[160];
    snprintf(want, sizeof want, "migration %s failed: table org already exists",
             vg_schema_migrations[0].name);
    assert_string_equal(d.message, want);
    assert_int_equal(scalar_on(path, "PRAGMA user_version"), 0);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM sqlite_master WHERE name = 'user'"), 0);
    char p[200];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    unlink(path);
}

/* A database of schema 2 (before the technology watch) with an organisation written then:
 * opening it applies the later migrations, which list the organisation's products with
 * their name keys (computed in C after migration 5). */
static void old_database_gets_product_keys(void **state)
{
    struct fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/v2.db", f->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int v = 0;
    for (const struct vg_migration *m = vg_schema_migrations; m->version && m->version <= 2; m++) {
        assert_int_equal(sqlite3_exec(db, m->sql, NULL, NULL, NULL), SQLITE_OK);
        v = m->version;
    }
    assert_int_equal(v, 2);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA user_version = 2;"
                     "INSERT INTO org(name, kind, sector, assets, contacts, created, updated) "
                     "VALUES ('Old', 'ministry', 'government', '{\"cidrs\":[],\"domains\":[],"
                     "\"products\":[\"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*\","
                     "\"not a cpe\"]}', '[]', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *st = vg_store_open(path, NULL, &d);
    assert_non_null(st);
    int version = 0;
    assert_int_equal(vg_store_migrate(st, &version, &d), 0);
    assert_true(version >= 5);
    vg_store_close(st);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM org_product"), 2);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM org_product WHERE "
                                     "name_key = 'acme:widget' AND cpe LIKE 'cpe:2.3:a:acme:%'"),
                     1);
    assert_int_equal(scalar_on(path, "SELECT count(*) FROM org_product WHERE "
                                     "name_key = '' AND cpe = 'not a cpe'"),
                     1);
    char p[200];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    unlink(path);
}

/* ---- reads and patches ---- */

static void foreign_cursors_are_refused(void **state)
{
    struct fixture *f = *state;
    static const char *const bad[] = {"zz", "c", "c0", "cxyz", "c1g", "c8000000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct vg_page p = {10, bad[i]};
        json_t *filters = json_object(), *out = NULL;
        for (int which = 0; which < 6; which++) {
            struct vg_diag d;
            vg_diag_clear(&d);
            int rc = which == 0   ? vg_store_incident_list(f->st, filters, &p, &out, &d)
                     : which == 1 ? vg_store_indicator_list(f->st, filters, &p, &out, &d)
                     : which == 2 ? vg_store_sighting_list(f->st, filters, &p, &out, &d)
                     : which == 3 ? vg_store_alert_list(f->st, filters, &p, &out, &d)
                     : which == 4 ? vg_store_audit_list(f->st, &p, &out, &d)
                                  : vg_store_org_list(f->st, &p, &out, &d);
            if (rc != VG_EINVAL)
                fail_msg("cursor '%s', list %d: %d", bad[i], which, rc);
            assert_string_equal(d.field, "cursor");
            assert_string_equal(d.message, "cursor is not one this server gave");
            assert_null(out);
        }
        json_decref(filters);
    }
}

static json_t *timeline_of(struct vg_store *st, const char *ref)
{
    json_t *inc = NULL;
    assert_int_equal(vg_store_incident_get(st, ref, &inc), 0);
    json_t *tl = json_incref(json_object_get(inc, "timeline"));
    json_decref(inc);
    return tl;
}

/* A patch that changes nothing writes nothing; one that names a missing organisation is
 * refused at /org; one that names an existing organisation sets it. */
static void incident_patch_org_and_no_change(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    json_t *tl0 = timeline_of(f->st, W.ref), *out = NULL;
    uint64_t before = db_hash(f->path);
    json_t *same = json_pack("{s:s}", "title", "t");
    assert_int_equal(vg_store_incident_update(f->st, &who, W.ref, same, &out, &d), 0);
    assert_string_equal(json_string_value(json_object_get(out, "title")), "t");
    json_decref(out);
    out = NULL;
    json_decref(same);
    assert_true(db_hash(f->path) == before);
    json_t *bad = json_pack("{s:I}", "org", (json_int_t)9999);
    vg_diag_clear(&d);
    assert_int_equal(vg_store_incident_update(f->st, &who, W.ref, bad, &out, &d), VG_EINVAL);
    assert_string_equal(d.field, "/org");
    assert_string_equal(d.message, "/org: no such organisation");
    assert_null(out);
    json_decref(bad);
    assert_true(db_hash(f->path) == before);
    json_t *good = json_pack("{s:I}", "org", (json_int_t)W.org);
    assert_int_equal(vg_store_incident_update(f->st, &who, W.ref, good, &out, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "org")), W.org);
    json_decref(out);
    json_decref(good);
    json_t *tl1 = timeline_of(f->st, W.ref);
    assert_int_equal(json_array_size(tl1), json_array_size(tl0) + 1);
    json_decref(tl0);
    json_decref(tl1);
}

struct seen {
    long long org[64];
    char cpe[64][96];
    size_t n;
};

static int collect_asset(void *ctx, long long org, const char *cpe)
{
    struct seen *s = ctx;
    assert_true(s->n < 64);
    s->org[s->n] = org;
    snprintf(s->cpe[s->n], sizeof s->cpe[s->n], "%s", cpe);
    s->n++;
    return 0;
}

/* With whole_orgs, the organisations having one of the names give every product of theirs,
 * each organisation once, by id, its products in order; the others give none. */
static void products_of_whole_organisations(void **state)
{
    struct fixture *f = *state;
    long long b = org_new(f->st, "orgb",
                          "[\"cpe:2.3:o:linux:kernel:6.1:*:*:*:*:*:*:*\","
                          "\"cpe:2.3:a:acme:widget:2.0:*:*:*:*:*:*:*\","
                          "\"cpe:2.3:a:acme:gadget:1.0:*:*:*:*:*:*:*\"]");
    long long c = org_new(f->st, "orgc", "[\"cpe:2.3:a:other:thing:1.0:*:*:*:*:*:*:*\"]");
    assert_true(b > 0 && c > 0);
    const char *const names[] = {"acme:widget", "acme:gadget"};
    struct seen s = {0};
    assert_int_equal(vg_store_vuln_products_for_names(f->st, names, 2, true, collect_asset, &s), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.org[0], W.org);
    assert_string_equal(s.cpe[0], ASSETS[0]);
    assert_int_equal(s.org[1], b);
    assert_string_equal(s.cpe[1], "cpe:2.3:o:linux:kernel:6.1:*:*:*:*:*:*:*");
    assert_int_equal(s.org[2], b);
    assert_string_equal(s.cpe[2], "cpe:2.3:a:acme:widget:2.0:*:*:*:*:*:*:*");
    assert_int_equal(s.org[3], b);
    assert_string_equal(s.cpe[3], "cpe:2.3:a:acme:gadget:1.0:*:*:*:*:*:*:*");
    /* without: only the products named */
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_store_vuln_products_for_names(f->st, names, 2, false, collect_asset, &s),
                     0);
    assert_int_equal(s.n, 3);
    for (size_t i = 0; i < s.n; i++)
        assert_non_null(strstr(s.cpe[i], ":acme:"));
    /* a name no one has: nothing */
    const char *const none[] = {"nobody:nothing"};
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_store_vuln_products_for_names(f->st, none, 1, true, collect_asset, &s), 0);
    assert_int_equal(s.n, 0);
}

struct sums {
    long long n[128];
    size_t count;
};

static int collect_sums(void *ctx, long long org, long long n, uint64_t h)
{
    struct sums *s = ctx;
    (void)h;
    assert_true(org > 0 && org < 128);
    s->n[org] = n;
    s->count++;
    return 0;
}

/* Findings of many organisations in one replacement (more than the fingerprint table's first
 * size): each organisation's fingerprint counts its own. */
static void fingerprints_of_many_organisations(void **state)
{
    struct fixture *f = *state;
    enum { N = 70 };
    struct vg_store_finding fd[2 * N];
    long long ids[N];
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "o%d", i);
        ids[i] = org_new(f->st, name, "[]");
        assert_true(ids[i] > 0);
        fd[2 * i] = (struct vg_store_finding){ids[i], 0, 1};
        fd[2 * i + 1] = (struct vg_store_finding){ids[i], 0, 3};
    }
    static const char *const assets[] = {"cpe:2.3:a:acme:widget:1.0:*:*:*:*:*:*:*"};
    struct vg_store_fscope all = {0, NULL, 0};
    struct vg_diag d;
    json_t *out = NULL;
    assert_int_equal(vg_store_finding_replace(f->st, &all, assets, 1, fd, 2 * N, &out, &d), 0);
    json_decref(out);
    struct sums s = {0};
    assert_int_equal(vg_store_finding_sums_each(f->st, 0, collect_sums, &s), 0);
    assert_int_equal(s.count, N + 1); /* and W.org, now without findings */
    assert_int_equal(s.n[W.org], 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(s.n[ids[i]], 2);
    /* the same, scoped to one CVE and not exact: every fingerprint follows */
    static const long long keys[] = {3};
    struct vg_store_fscope one = {0, keys, 1};
    assert_int_equal(vg_store_finding_replace(f->st, &one, assets, 1, NULL, 0, &out, &d), 0);
    json_decref(out);
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_store_finding_sums_each(f->st, 0, collect_sums, &s), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(s.n[ids[i]], 1);
}

/* A use-case transaction cannot begin inside a read transaction. */
static void tx_refused_inside_a_read(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    vg_store_read_begin(f->st);
    vg_diag_clear(&d);
    assert_int_equal(vg_store_tx_begin(f->st, &d), VG_EINVAL);
    assert_string_equal(d.message, "a transaction cannot begin inside a read");
    vg_store_read_end(f->st);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(failed_statements_leave_nothing, setup_world, teardown),
        cmocka_unit_test_setup_teardown(failed_commits_leave_nothing, setup_world, teardown),
        cmocka_unit_test(missing_tables_fail_cleanly),
        cmocka_unit_test_setup_teardown(not_a_database_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_migration_is_named_and_rolled_back, setup, teardown),
        cmocka_unit_test_setup_teardown(old_database_gets_product_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(foreign_cursors_are_refused, setup_world, teardown),
        cmocka_unit_test_setup_teardown(incident_patch_org_and_no_change, setup_world, teardown),
        cmocka_unit_test_setup_teardown(products_of_whole_organisations, setup_world, teardown),
        cmocka_unit_test_setup_teardown(fingerprints_of_many_organisations, setup_world, teardown),
        cmocka_unit_test_setup_teardown(tx_refused_inside_a_read, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
