/* vg_store_incident_create_many (issue 16: a batch's creations in one statement on
 * PostgreSQL) on both backends: a group created at once gives the answers and leaves the rows
 * that the same incidents created one by one give (random groups, fixed seed); a group that
 * fails writes nothing and takes no number; groups inside a server batch and a use-case
 * transaction; the boundaries (one incident, a group just above the statement's size, no
 * observables, the reference past six digits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/record.h"
#include "core/reference.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/time.h"
#include "pg_fixture.h"
#include "pg_both.h"

static const struct vg_actor tester = {1, "tester", "admin", 0};
static const struct vg_actor alice = {2, "alice", "analyst", 0};

/* name_on_sqlite and name_on_pg: the test body(pg) on each backend. */
#define ON_BOTH(name, body)                                                                        \
    static void name##_on_sqlite(void **state)                                                     \
    {                                                                                              \
        (void)state;                                                                               \
        body(false);                                                                               \
    }                                                                                              \
    static void name##_on_pg(void **state)                                                         \
    {                                                                                              \
        (void)state;                                                                               \
        body(true);                                                                                \
    }

/* A group of new incidents and the checked records their strings are borrowed from. */
enum { MAXG = PG_CREATE_GROUP + 2 };
struct group {
    size_t n;
    json_t *recs[MAXG];
    struct vg_incident_new incs[MAXG];
    const struct vg_actor *whos[MAXG];
};

static struct group *group_new(void)
{
    struct group *g = calloc(1, sizeof *g);
    assert_non_null(g);
    return g;
}

static void group_free(struct group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        vg_incident_new_cleanup(&g->incs[i]);
        json_decref(g->recs[i]);
    }
    free(g);
}

/* Adds the incident in (taken), checked as the API checks it, created by who. */
static struct vg_incident_new *group_add(struct group *g, json_t *in, const struct vg_actor *who)
{
    struct vg_diag d = {0};
    assert_true(g->n < MAXG);
    size_t i = g->n;
    if (vg_incident_check(in, VG_CHECK_CREATE, &g->recs[i], &d) != 0)
        fail_msg("check: %s", d.message);
    json_decref(in);
    if (vg_incident_new_from_json(g->recs[i], &g->incs[i], &d) != 0)
        fail_msg("record: %s", d.message);
    g->whos[i] = who;
    g->n++;
    return &g->incs[i];
}

/* A plain incident with nobs observables (10.0.<k>.<j>). */
static void group_plain(struct group *g, const char *title, long long org, int nobs, int k)
{
    json_t *in = json_pack("{s:s,s:s,s:s}", "title", title, "class", "fraud", "type", "phishing");
    if (org)
        json_object_set_new(in, "org", json_integer(org));
    json_t *obs = json_array();
    for (int j = 0; j < nobs; j++) {
        char v[32];
        snprintf(v, sizeof v, "10.0.%d.%d", k % 250, j);
        json_array_append_new(obs, json_pack("{s:s}", "value", v));
    }
    json_object_set_new(in, "observables", obs);
    group_add(g, in, &tester);
}

static unsigned next_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

/* A random incident: class, severity, TLP, PAP, a description with the characters an array
 * literal quotes, organisation 1, 2 or none, reporter, assignee, occurred, 0 to 12
 * observables drawn from a small pool (duplicates across incidents, and within one, which the
 * record drops), from an alert or not, unverified or not, by one of two users. */
static void group_random(struct group *g, unsigned *rng, int i)
{
    static const char *const cls[][2] = {
        {"fraud", "phishing"},
        {"malicious-code", "c2-server"},
        {"abusive-content", "spam"},
        {"intrusion-attempts", "brute-force"},
    };
    static const char *const sev[] = {"low", "medium", "high", "critical"};
    static const char *const tlp[] = {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"};
    static const char *const pap[] = {"CLEAR", "GREEN", "AMBER", "RED"};
    static const char *const descs[] = {"", "d \"q\" \\ {a,b} é", "NULL", " spaced , comma "};
    char title[32];
    unsigned c = next_rand(rng) % 4;
    if (next_rand(rng) % 7 == 0)
        snprintf(title, sizeof title, "NULL");
    else
        snprintf(title, sizeof title, "t%d \"%u\"", i, next_rand(rng));
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "title", title, "class", cls[c][0], "type",
                           cls[c][1], "severity", sev[next_rand(rng) % 4], "tlp",
                           tlp[next_rand(rng) % 5], "pap", pap[next_rand(rng) % 4]);
    unsigned dsc = next_rand(rng) % 5;
    if (dsc < 4)
        json_object_set_new(in, "description", json_string(descs[dsc]));
    unsigned org = next_rand(rng) % 3;
    if (org)
        json_object_set_new(in, "org", json_integer(org));
    if (next_rand(rng) % 2)
        json_object_set_new(in, "reporter",
                            json_pack("{s:s,s:s}", "name", "R \"r\"", "email", "r@example.org"));
    if (next_rand(rng) % 2)
        json_object_set_new(in, "assignee", json_string("alice"));
    if (next_rand(rng) % 2)
        json_object_set_new(in, "occurred", json_string("2026-01-02T10:00:00Z"));
    json_t *obs = json_array();
    unsigned nobs = next_rand(rng) % 13;
    for (unsigned j = 0; j < nobs; j++) {
        char v[40];
        unsigned x = next_rand(rng) % 12;
        if (next_rand(rng) % 2)
            snprintf(v, sizeof v, "10.0.0.%u", x);
        else
            snprintf(v, sizeof v, "h%u.example", x);
        json_array_append_new(obs, json_pack("{s:s}", "value", v));
    }
    json_object_set_new(in, "observables", obs);
    struct vg_incident_new *inc = group_add(g, in, next_rand(rng) % 2 ? &alice : &tester);
    if (next_rand(rng) % 4 == 0)
        inc->from_alert = 1 + next_rand(rng) % 100;
    inc->unverified = next_rand(rng) % 5 == 0;
}

/* A fresh store of either backend with two users and two organisations. */
static void store_open(struct backend *be, bool pg)
{
    be_open(be, pg);
    struct vg_diag d = {0};
    assert_int_equal(vg_store_user_ensure(be->a, "alice", "analyst", NULL, &d), 0);
    be_sql(be, "INSERT INTO org(name, kind, sector, created, updated) VALUES ('Org A', "
               "'operator', 'energy', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    be_sql(be, "INSERT INTO org(name, kind, sector, created, updated) VALUES ('Org \"B\"', "
               "'operator', 'energy', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
}

/* The rows sql answers (one text column), one a line: a new string. */
static char *rows_text(const struct backend *be, const char *sql)
{
    struct vg_buf b;
    vg_buf_init(&b, VG_MAX_BUF);
    vg_buf_puts(&b, "");
    if (be->other) {
        PGresult *r = PQexec(be->other, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(be->other));
        for (int i = 0; i < PQntuples(r); i++)
            vg_buf_printf(&b, "%s\n", PQgetvalue(r, i, 0));
        PQclear(r);
    } else {
        sqlite3 *db;
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_open(be->path, &db), SQLITE_OK);
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        while (sqlite3_step(q) == SQLITE_ROW)
            vg_buf_printf(&b, "%s\n", (const char *)sqlite3_column_text(q, 0));
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    assert_false(b.failed);
    return vg_buf_steal(&b);
}

static const char *const times[] = {"created", "updated", "at", NULL};

/* The number at the end of reference ref. */
static long long ref_number(const char *ref)
{
    const char *dash = strrchr(ref, '-');
    assert_non_null(dash);
    return strtoll(dash + 1, NULL, 10);
}

static const char *ref_of(const json_t *inc)
{
    const char *r = json_string_value(json_object_get(inc, "ref"));
    assert_non_null(r);
    return r;
}

/* Creates g at once on m and one by one on s: each answer is what a read gives on m, and
 * equals s's but for the moments. */
static void create_both(struct backend *m, struct backend *s, struct group *g, unsigned seed)
{
    json_t **outs = calloc(g->n, sizeof *outs);
    assert_non_null(outs);
    struct vg_diag d = {0};
    int rc = vg_store_incident_create_many(m->a, g->whos, g->incs, g->n, outs, &d);
    if (rc)
        fail_msg("seed %u: create_many of %zu on %s: %d %s", seed, g->n, m->name, rc, d.message);
    long long prev = 0;
    for (size_t i = 0; i < g->n; i++) {
        json_t *one = NULL, *got = NULL;
        assert_non_null(outs[i]);
        assert_int_equal(vg_store_incident_create(s->a, g->whos[i], &g->incs[i], &one, &d), 0);
        assert_int_equal(vg_store_incident_get(m->b, ref_of(outs[i]), &got), 0);
        traces_equal(got, outs[i], seed);
        if (i > 0) /* consecutive */
            assert_int_equal(ref_number(ref_of(outs[i])), prev + 1);
        prev = ref_number(ref_of(outs[i]));
        blank_times(one, times);
        blank_times(outs[i], times);
        traces_equal(one, outs[i], seed);
        json_decref(one);
        json_decref(got);
        json_decref(outs[i]);
    }
    free(outs);
}

/* The audit log through the store, whole, the moments blanked. */
static json_t *audit_all(struct vg_store *st)
{
    json_t *all = json_array();
    char cursor[128] = "";
    for (;;) {
        struct vg_page page = {VG_MAX_PAGE, cursor[0] ? cursor : NULL};
        json_t *out = NULL;
        struct vg_diag d = {0};
        assert_int_equal(vg_store_audit_list(st, &page, &out, &d), 0);
        json_array_extend(all, json_object_get(out, "items"));
        const char *next = json_string_value(json_object_get(out, "next_cursor"));
        if (next)
            snprintf(cursor, sizeof cursor, "%s", next);
        json_decref(out);
        if (!next)
            break;
    }
    blank_times(all, times);
    return all;
}

/* m and s hold the same rows: each incident as read, the observables, timeline entries and
 * audit lines in the order of their ids, the counter (the next creation's reference). */
static void stores_same(struct backend *m, struct backend *s, unsigned seed)
{
    static const char *const orders[] = {
        "SELECT ref FROM incident ORDER BY id",
        "SELECT i.ref || ' ' || o.type || ' ' || o.value || ' ' || coalesce(o.tlp, '-') "
        "FROM observable o JOIN incident i ON i.id = o.incident_id ORDER BY o.id",
        "SELECT i.ref || ' ' || t.actor || ' ' || t.action || ' ' || t.detail "
        "FROM timeline t JOIN incident i ON i.id = t.incident_id ORDER BY t.id",
        "SELECT object || ' ' || actor || ' ' || action || ' ' || detail FROM audit ORDER BY id",
    };
    for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
        char *a = rows_text(m, orders[k]), *b = rows_text(s, orders[k]);
        if (strcmp(a, b) != 0)
            fail_msg("seed %u: %s differs:\nmany: %.600s\none:  %.600s", seed, orders[k], a, b);
        free(a);
        free(b);
    }
    char *refs = rows_text(m, orders[0]);
    for (char *r = refs, *nl; (nl = strchr(r, '\n')); r = nl + 1) {
        *nl = '\0';
        json_t *x = NULL, *y = NULL;
        assert_int_equal(vg_store_incident_get(m->b, r, &x), 0);
        assert_int_equal(vg_store_incident_get(s->b, r, &y), 0);
        blank_times(x, times);
        blank_times(y, times);
        traces_equal(y, x, seed);
        json_decref(x);
        json_decref(y);
    }
    free(refs);
    json_t *am = audit_all(m->b), *as = audit_all(s->b);
    assert_true(json_array_size(am) > 0);
    traces_equal(as, am, seed);
    json_decref(am);
    json_decref(as);
    /* the counter: the next single creation's reference is the same */
    struct group *g = group_new();
    group_plain(g, "next", 0, 1, 0);
    json_t *x = NULL, *y = NULL;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_incident_create(m->a, g->whos[0], &g->incs[0], &x, &d), 0);
    assert_int_equal(vg_store_incident_create(s->a, g->whos[0], &g->incs[0], &y, &d), 0);
    assert_string_equal(ref_of(x), ref_of(y));
    json_decref(x);
    json_decref(y);
    group_free(g);
}

static void random_groups(bool pg)
{
    unsigned seed = 20261206u, rng = seed;
    struct backend m, s;
    store_open(&m, pg);
    store_open(&s, pg);
    size_t total = 0;
    for (int k = 0; k < 10; k++) {
        struct group *g = group_new();
        size_t n = k == 0 ? 40 : 1 + next_rand(&rng) % 40;
        for (size_t i = 0; i < n; i++)
            group_random(g, &rng, (int)(total + i));
        create_both(&m, &s, g, seed);
        total += n;
        group_free(g);
    }
    stores_same(&m, &s, seed);
    assert_int_equal(be_scalar(&m, "SELECT count(*) FROM incident"), (long long)total + 1);
    be_close(&m);
    be_close(&s);
}

ON_BOTH(random, random_groups)

/* The rows of every kind an incident writes, and the counter's value. */
static long long written(const struct backend *be)
{
    return be_scalar(be, "SELECT (SELECT count(*) FROM incident) + (SELECT count(*) FROM "
                         "observable) + (SELECT count(*) FROM timeline) + (SELECT count(*) FROM "
                         "audit) + (SELECT coalesce(sum(value), 0) FROM counter)");
}

/* Runs g, which must fail with rc (field, when not NULL), writing nothing. */
static void fails(struct backend *be, struct group *g, int rc, const char *field)
{
    json_t *junk = json_object();
    json_t **outs = calloc(g->n, sizeof *outs);
    assert_non_null(outs);
    for (size_t i = 0; i < g->n; i++)
        outs[i] = junk;
    long long before = written(be);
    struct vg_diag d = {0};
    int got = vg_store_incident_create_many(be->a, g->whos, g->incs, g->n, outs, &d);
    if (rc)
        assert_int_equal(got, rc);
    else
        assert_int_not_equal(got, 0);
    if (field)
        assert_string_equal(d.field, field);
    for (size_t i = 0; i < g->n; i++)
        assert_null(outs[i]);
    assert_int_equal(written(be), before);
    free(outs);
    json_decref(junk);
}

/* Creates one plain incident; its number. */
static long long one(struct backend *be, const char *title)
{
    struct group *g = group_new();
    group_plain(g, title, 0, 2, 7);
    json_t *x = NULL;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_incident_create(be->a, g->whos[0], &g->incs[0], &x, &d), 0);
    long long n = ref_number(ref_of(x));
    json_decref(x);
    group_free(g);
    return n;
}

/* A group naming an organisation that does not exist (in its middle, or as the one past the
 * statement's size), or an observable that is not one: nothing written, no number taken. */
static void failing_groups(bool pg)
{
    struct backend be;
    store_open(&be, pg);
    assert_int_equal(one(&be, "first"), 1);
    struct group *g = group_new();
    for (int i = 0; i < 5; i++)
        group_plain(g, "g", i == 2 ? 99 : 1, i, i);
    fails(&be, g, VG_EINVAL, "/org");
    group_free(g);
    g = group_new();
    for (int i = 0; i <= PG_CREATE_GROUP; i++)
        group_plain(g, "big", i == PG_CREATE_GROUP ? 99 : 0, i % 3, i);
    fails(&be, g, VG_EINVAL, "/org");
    group_free(g);
    /* an observable that is not one (as an intake's unchecked record could hold): PostgreSQL
     * names the field, SQLite answers VG_EIO as its single creation does */
    g = group_new();
    for (int i = 0; i < 3; i++)
        group_plain(g, "o", 0, 2, i);
    g->incs[1].obs[1].value = "nope";
    fails(&be, g, pg ? VG_EINVAL : 0, pg ? "/observables" : NULL);
    /* and with a bad organisation after it: the organisation is told (PostgreSQL) */
    g->incs[2].org = 99;
    fails(&be, g, pg ? VG_EINVAL : 0, pg ? "/org" : NULL);
    group_free(g);
    assert_int_equal(one(&be, "second"), 2);
    be_close(&be);
}

ON_BOTH(failing, failing_groups)

/* Each allocation of a group's creation failing in turn: either the group fails with
 * VG_ENOMEM (or VG_EIO), its answers NULL and nothing written, or it is written whole; the
 * store goes on (ASan: nothing leaks). */
static void allocations_fail(bool pg)
{
    struct backend be;
    store_open(&be, pg);
    struct group *g = group_new();
    for (int i = 0; i < 2; i++)
        group_plain(g, "m", i == 1 ? 1 : 0, 1, i);
    json_t *outs[2];
    struct vg_diag d = {0};
    long long before = written(&be);
    assert_int_equal(vg_store_incident_create_many(be.a, g->whos, g->incs, 2, outs, &d), 0);
    long long whole = written(&be) - before; /* rows and numbers a group adds */
    assert_int_equal(whole, 2 + 2 + 2 + 2 + 2);
    for (int i = 0; i < 2; i++)
        json_decref(outs[i]);
    long n, failures = 0;
    for (n = 1; n < 100000; n++) {
        before = written(&be);
        vg_diag_clear(&d);
        vg_mem_fail_after(n);
        int rc = vg_store_incident_create_many(be.a, g->whos, g->incs, 2, outs, &d);
        long failed = vg_mem_failed();
        vg_mem_fail_after(0);
        if (rc) {
            if (!failed || (rc != VG_ENOMEM && rc != VG_EIO) || !d.message[0])
                fail_msg("%s, allocation %ld failed: %d (%s)", be.name, n, rc, d.message);
            for (int i = 0; i < 2; i++)
                assert_null(outs[i]);
            assert_int_equal(written(&be), before);
            failures++;
        } else {
            assert_int_equal(written(&be), before + whole);
            for (int i = 0; i < 2; i++)
                json_decref(outs[i]);
        }
        if (!failed)
            break;
    }
    assert_true(n > 10 && failures > 0); /* the group allocates, and some failures told */
    group_free(g);
    be_close(&be);
}

ON_BOTH(allocations, allocations_fail)

/* Inside a server batch and a use-case transaction: a group, a failing group, a single
 * creation; the first and the last committed with consecutive numbers. */
static void enclosed(bool pg)
{
    struct backend be;
    store_open(&be, pg);
    struct vg_diag d = {0};
    for (int round = 0; round < 2; round++) {
        long long base = round * 4;
        if (round == 0)
            vg_store_batch_begin(be.a);
        else
            assert_int_equal(vg_store_tx_begin(be.a, &d), 0);
        struct group *g = group_new(), *bad = group_new();
        for (int i = 0; i < 3; i++)
            group_plain(g, "in", 1, i + 1, i);
        for (int i = 0; i < 2; i++)
            group_plain(bad, "bad", i == 1 ? 99 : 0, 1, i);
        json_t *outs[3] = {0}, *bouts[2] = {0};
        assert_int_equal(vg_store_incident_create_many(be.a, g->whos, g->incs, 3, outs, &d), 0);
        assert_int_equal(vg_store_incident_create_many(be.a, bad->whos, bad->incs, 2, bouts, &d),
                         VG_EINVAL);
        assert_string_equal(d.field, "/org");
        assert_null(bouts[0]);
        assert_null(bouts[1]);
        long long last = one(&be, "last");
        if (round == 0)
            assert_int_equal(vg_store_batch_commit(be.a, &d), 0);
        else
            assert_int_equal(vg_store_tx_commit(be.a, &d), 0);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(ref_number(ref_of(outs[i])), base + i + 1);
            json_t *got = NULL;
            assert_int_equal(vg_store_incident_get(be.b, ref_of(outs[i]), &got), 0);
            assert_true(json_equal(got, outs[i]));
            json_decref(got);
            json_decref(outs[i]);
        }
        assert_int_equal(last, base + 4);
        assert_int_equal(be_scalar(&be, "SELECT count(*) FROM incident"), base + 4);
        assert_int_equal(be_scalar(&be, "SELECT count(*) FROM incident WHERE title = 'bad'"), 0);
        assert_int_equal(be_scalar(&be, "SELECT count(*) FROM audit WHERE action = "
                                        "'incident.create'"),
                         base + 4);
        group_free(g);
        group_free(bad);
    }
    be_close(&be);
}

ON_BOTH(enclosed, enclosed)

/* One incident; a group of PG_CREATE_GROUP + 1 (two statements); incidents without
 * observables among others; numbers across 999,999 (seven digits after it). */
static void boundaries(bool pg)
{
    unsigned seed = 7u, rng = seed;
    struct backend m, s;
    store_open(&m, pg);
    store_open(&s, pg);
    struct group *g = group_new();
    group_random(g, &rng, 0);
    create_both(&m, &s, g, seed);
    group_free(g);
    g = group_new();
    for (int i = 0; i <= PG_CREATE_GROUP; i++)
        group_random(g, &rng, i);
    create_both(&m, &s, g, seed);
    group_free(g);
    g = group_new();
    for (int i = 0; i < 4; i++)
        group_plain(g, "z", 2, i == 1 || i == 2 ? 0 : 3, i);
    create_both(&m, &s, g, seed);
    group_free(g);
    char key[32], sql[128];
    int year = vg_time_year();
    vg_reference_counter(key, sizeof key, year);
    snprintf(sql, sizeof sql, "UPDATE counter SET value = 999997 WHERE name = '%s'", key);
    be_sql(&m, sql);
    be_sql(&s, sql);
    g = group_new();
    for (int i = 0; i < 4; i++)
        group_plain(g, "wide", 0, 1, i);
    json_t *outs[4] = {0};
    struct vg_diag d = {0};
    assert_int_equal(vg_store_incident_create_many(m.a, g->whos, g->incs, 4, outs, &d), 0);
    for (int i = 0; i < 4; i++) {
        char want[VG_REFERENCE_LEN];
        snprintf(want, sizeof want, "VIG-%d-%s", year,
                 (const char *[]){"999998", "999999", "1000000", "1000001"}[i]);
        assert_string_equal(ref_of(outs[i]), want);
        json_t *one = NULL;
        assert_int_equal(vg_store_incident_create(s.a, g->whos[i], &g->incs[i], &one, &d), 0);
        blank_times(one, times);
        blank_times(outs[i], times);
        traces_equal(one, outs[i], seed);
        json_decref(one);
        json_decref(outs[i]);
    }
    group_free(g);
    stores_same(&m, &s, seed);
    be_close(&m);
    be_close(&s);
}

ON_BOTH(boundaries, boundaries)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_on_sqlite),      cmocka_unit_test(random_on_pg),
        cmocka_unit_test(failing_on_sqlite),     cmocka_unit_test(failing_on_pg),
        cmocka_unit_test(enclosed_on_sqlite),    cmocka_unit_test(enclosed_on_pg),
        cmocka_unit_test(boundaries_on_sqlite),  cmocka_unit_test(boundaries_on_pg),
        cmocka_unit_test(allocations_on_sqlite), cmocka_unit_test(allocations_on_pg),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
