/* The indicator, pull and notify domains (issue 16) on both backends: each test body is
 * written once and run on a SQLite file and on a database of a throwaway PostgreSQL 15
 * cluster (pg_fixture.h), through the vg_store_* functions; and a seeded random sequence of
 * writes run on both, whose reads must give the same JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/sighting.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "util/json.h"
#include "pg_fixture.h"
#include "pg_both.h"

static const struct vg_actor sys = {.name = "tester", .role = "admin"};

#define ON_BOTH(body)                                                                              \
    static void body##_on_sqlite(void **state)                                                     \
    {                                                                                              \
        (void)state;                                                                               \
        struct backend be;                                                                         \
        be_open(&be, false);                                                                       \
        body(&be);                                                                                 \
        be_close(&be);                                                                             \
    }                                                                                              \
    static void body##_on_pg(void **state)                                                         \
    {                                                                                              \
        (void)state;                                                                               \
        struct backend be;                                                                         \
        be_open(&be, true);                                                                        \
        body(&be);                                                                                 \
        be_close(&be);                                                                             \
    }

static json_t *J(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (!v)
        fail_msg("bad JSON in the test: %s", text);
    return v;
}

static long long jint(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("%s is not a string", k);
    return json_string_value(v);
}

/* The orgs 1 (Acme) and 2 (Beta), written beside the store. */
static void seed_orgs(const struct backend *be)
{
    be_sql(be, "INSERT INTO org(id, name, kind, sector, created, updated) VALUES "
               "(1, 'Acme', 'company', 'energy', '2026-01-01T00:00:00Z', "
               "'2026-01-01T00:00:00Z'), (2, 'Beta', 'company', 'health', "
               "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
}

/* ---- indicators ---- */

static void import_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    json_t *inds = J("[{\"type\":\"domain\",\"value\":\"evil.example\",\"tlp\":\"GREEN\","
                     "\"tags\":[\"c2\",\"x\"],\"first_seen\":\"2026-01-05T00:00:00Z\"},"
                     "{\"type\":\"ipv4\",\"value\":\"192.0.2.1\",\"source\":\"misp\","
                     "\"confidence\":90,\"expires\":\"2020-01-01T00:00:00Z\"},"
                     "{\"type\":\"ipv4\",\"value\":\"192.0.2.2\",\"source\":\"misp\","
                     "\"expires\":\"2099-01-01T00:00:00Z\"}]");
    json_t *out = NULL;
    assert_int_equal(vg_store_indicator_import(a, &sys, inds, &out, &d), 0);
    assert_int_equal(jint(out, "added"), 3);
    assert_int_equal(jint(out, "updated"), 0);
    assert_int_equal(jint(out, "unchanged"), 0);
    json_t *ids = json_object_get(out, "ids");
    assert_int_equal(json_array_size(ids), 3);
    long long id0 = json_integer_value(json_array_get(ids, 0));
    long long id1 = json_integer_value(json_array_get(ids, 1));
    long long id2 = json_integer_value(json_array_get(ids, 2));
    assert_true(id0 > 0 && id1 > id0 && id2 > id1);
    json_decref(out);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'indicator.import'"),
                     1);

    /* again: idempotent, no audit line */
    assert_int_equal(vg_store_indicator_import(b, &sys, inds, &out, &d), 0);
    assert_int_equal(jint(out, "added"), 0);
    assert_int_equal(jint(out, "unchanged"), 3);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(out, "ids"), 2)), id2);
    json_decref(out);
    json_decref(inds);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'indicator.import'"),
                     1);

    /* get: every field */
    json_t *g = NULL;
    assert_int_equal(vg_store_indicator_get(b, id0, &g), 0);
    assert_int_equal(jint(g, "id"), id0);
    assert_string_equal(jstr(g, "type"), "domain");
    assert_string_equal(jstr(g, "value"), "evil.example");
    assert_string_equal(jstr(g, "tlp"), "GREEN");
    assert_string_equal(jstr(g, "source"), "");
    assert_int_equal(jint(g, "confidence"), 50);
    json_t *want_tags = J("[\"c2\",\"x\"]");
    assert_true(json_equal(json_object_get(g, "tags"), want_tags));
    json_decref(want_tags);
    assert_string_equal(jstr(g, "first_seen"), "2026-01-05T00:00:00Z");
    assert_true(json_is_null(json_object_get(g, "last_seen")));
    assert_true(json_is_null(json_object_get(g, "expires")));
    assert_int_equal(strlen(jstr(g, "created")), strlen("2026-01-01T00:00:00.000000Z"));
    json_decref(g);
    assert_int_equal(vg_store_indicator_get(a, id2 + 1000, &g), VG_ENOENT);

    /* a merge: the given replace, first/last seen widen; a record repeated in one input is
     * merged into the one before it */
    inds = J("[{\"type\":\"domain\",\"value\":\"evil.example\",\"tlp\":\"RED\","
             "\"first_seen\":\"2026-02-01T00:00:00Z\",\"last_seen\":\"2026-02-01T00:00:00Z\"},"
             "{\"type\":\"url\",\"value\":\"http://x.example/a\\\"b\\\\c,{d}\"},"
             "{\"type\":\"url\",\"value\":\"http://x.example/a\\\"b\\\\c,{d}\",\"confidence\":7},"
             "{\"type\":\"url\",\"value\":\"http://x.example/a\\\"b\\\\c,{d}\",\"confidence\":7}]");
    assert_int_equal(vg_store_indicator_import(a, &sys, inds, &out, &d), 0);
    assert_int_equal(jint(out, "added"), 1);
    assert_int_equal(jint(out, "updated"), 2);
    assert_int_equal(jint(out, "unchanged"), 1);
    ids = json_object_get(out, "ids");
    assert_int_equal(json_integer_value(json_array_get(ids, 0)), id0);
    long long url = json_integer_value(json_array_get(ids, 1));
    assert_true(url > id2);
    assert_int_equal(json_integer_value(json_array_get(ids, 2)), url);
    assert_int_equal(json_integer_value(json_array_get(ids, 3)), url);
    json_decref(out);
    json_decref(inds);
    assert_int_equal(vg_store_indicator_get(b, id0, &g), 0);
    assert_string_equal(jstr(g, "tlp"), "RED");
    assert_string_equal(jstr(g, "first_seen"), "2026-01-05T00:00:00Z"); /* the earlier kept */
    assert_string_equal(jstr(g, "last_seen"), "2026-02-01T00:00:00Z");
    assert_int_equal(json_array_size(json_object_get(g, "tags")), 2); /* not given: kept */
    json_decref(g);
    assert_int_equal(vg_store_indicator_get(b, url, &g), 0);
    assert_string_equal(jstr(g, "value"), "http://x.example/a\"b\\c,{d}");
    assert_int_equal(jint(g, "confidence"), 7);
    assert_string_equal(jstr(g, "tlp"), "AMBER");
    json_decref(g);

    /* list: filters and pages */
    struct vg_page pg = {.limit = 2};
    json_t *page = NULL;
    assert_int_equal(vg_store_indicator_list(b, NULL, &pg, &page, &d), 0);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(jint(json_array_get(items, 0), "id"), id0);
    assert_int_equal(jint(json_array_get(items, 1), "id"), id1);
    char cursor[64];
    snprintf(cursor, sizeof cursor, "%s", jstr(page, "next_cursor"));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_indicator_list(b, NULL, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(jint(json_array_get(items, 0), "id"), id2);
    assert_int_equal(jint(json_array_get(items, 1), "id"), url);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg = (struct vg_page){.limit = 10};
    json_t *f = J("{\"type\":\"ipv4\",\"source\":\"misp\"}");
    assert_int_equal(vg_store_indicator_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
    json_decref(page);
    json_decref(f);
    f = J("{\"type\":\"ipv4\",\"value\":\"192.0.2.2\"}");
    assert_int_equal(vg_store_indicator_list(b, f, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(jint(json_array_get(items, 0), "id"), id2);
    json_decref(page);
    json_decref(f);
    f = J("{\"type\":\"ipv4\",\"value\":\"192.0.2.2\",\"source\":\"other\"}");
    assert_int_equal(vg_store_indicator_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    json_decref(f);
    pg.cursor = "not a cursor";
    assert_int_equal(vg_store_indicator_list(b, NULL, &pg, &page, &d), VG_EINVAL);
}
ON_BOTH(import_body)

struct each_ctx {
    long long ids[16];
    int n, stop_at;
};

static int each_fn(void *ctx, long long id, const char *type, const char *value)
{
    struct each_ctx *c = ctx;
    assert_non_null(type);
    assert_non_null(value);
    c->ids[c->n++] = id;
    return c->n == c->stop_at ? 42 : 0;
}

static void each_version_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    json_t *inds = J("[{\"type\":\"domain\",\"value\":\"a.example\"},"
                     "{\"type\":\"domain\",\"value\":\"b.example\","
                     "\"expires\":\"2030-01-01T00:00:00Z\"},"
                     "{\"type\":\"domain\",\"value\":\"c.example\","
                     "\"expires\":\"2031-01-01T00:00:00Z\"}]");
    json_t *out = NULL;
    char v1[64], v2[64], v3[64];
    const char *t0 = "2029-06-01T00:00:00Z";
    assert_int_equal(vg_store_indicator_version(a, t0, v1, sizeof v1), 0);
    assert_int_equal(vg_store_indicator_import(b, &sys, inds, &out, &d), 0);
    json_decref(out);
    /* another connection's import: a new version */
    assert_int_equal(vg_store_indicator_version(a, t0, v2, sizeof v2), 0);
    assert_string_not_equal(v1, v2);
    assert_int_equal(vg_store_indicator_version(a, t0, v3, sizeof v3), 0);
    assert_string_equal(v2, v3); /* nothing happened */
    /* nothing changed by a second import: the version stays on PostgreSQL (SQLite may err on
     * the side of a change) */
    assert_int_equal(vg_store_indicator_import(b, &sys, inds, &out, &d), 0);
    json_decref(out);
    assert_int_equal(vg_store_indicator_version(a, t0, v3, sizeof v3), 0);
    if ((be->other != NULL))
        assert_string_equal(v2, v3);
    json_decref(inds);

    struct each_ctx c = {.stop_at = 0};
    assert_int_equal(vg_store_indicator_each(a, t0, each_fn, &c), 0);
    assert_int_equal(c.n, 3);
    /* an expiry passes: a new version, and each leaves it out */
    const char *t1 = "2030-06-01T00:00:00Z";
    assert_int_equal(vg_store_indicator_version(a, t1, v3, sizeof v3), 0);
    assert_string_not_equal(v2, v3);
    c = (struct each_ctx){.stop_at = 0};
    assert_int_equal(vg_store_indicator_each(a, t1, each_fn, &c), 0);
    assert_int_equal(c.n, 2);
    assert_true(c.ids[0] < c.ids[1]);
    c = (struct each_ctx){.stop_at = 0};
    assert_int_equal(vg_store_indicator_each(a, NULL, each_fn, &c), 0);
    assert_int_equal(c.n, 3);
    c = (struct each_ctx){.stop_at = 2};
    assert_int_equal(vg_store_indicator_each(a, NULL, each_fn, &c), 42);
    assert_int_equal(c.n, 2);

    /* an import on this connection, inside a batch: seen before its commit */
    vg_store_batch_begin(a);
    inds = J("[{\"type\":\"domain\",\"value\":\"d.example\"}]");
    assert_int_equal(vg_store_indicator_import(a, &sys, inds, &out, &d), 0);
    json_decref(out);
    json_decref(inds);
    assert_int_equal(vg_store_indicator_version(a, t1, v1, sizeof v1), 0);
    assert_string_not_equal(v1, v3);
    assert_int_equal(vg_store_batch_commit(a, &d), 0);
    assert_int_equal(vg_store_indicator_version(b, t1, v2, sizeof v2), 0);
    c = (struct each_ctx){.stop_at = 0};
    assert_int_equal(vg_store_indicator_each(b, t1, each_fn, &c), 0);
    assert_int_equal(c.n, 3);
}
ON_BOTH(each_version_body)

struct each_all {
    long long last;
    int n, stop_at;
    bool disorder;
};

static int each_count(void *ctx, long long id, const char *type, const char *value)
{
    struct each_all *c = ctx;
    (void)type;
    (void)value;
    c->disorder |= id <= c->last;
    c->last = id;
    c->n++;
    return c->n == c->stop_at ? 7 : 0;
}

/* import_recs over chunk boundaries (PostgreSQL imports by 1000): ids in input order, counts */
static void recs_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    enum { N = 2500 };
    static struct vg_indicator_rec v[N];
    static char values[N][32];
    static long long ids[N], ids2[N];
    for (int i = 0; i < N; i++) {
        snprintf(values[i], sizeof values[i], "h%05d.example", i);
        v[i] = (struct vg_indicator_rec){.type = "domain", .value = values[i], .confidence = -1};
    }
    /* one repeated in the middle of a chunk */
    v[1500].value = values[10];
    struct vg_indicator_import_counts c = {0};
    assert_int_equal(vg_store_indicator_import_recs(a, &sys, v, N, ids, &c, &d), 0);
    assert_int_equal(c.added, N - 1);
    assert_int_equal(c.updated, 0);
    assert_int_equal(c.unchanged, 1);
    assert_int_equal(ids[1500], ids[10]);
    for (int i = 1; i < N; i++)
        if (i != 1500 && i != 1501)
            assert_true(ids[i] > ids[i - 1]);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM indicator"), N - 1);
    /* half of them changed */
    for (int i = 0; i < N; i += 2)
        v[i].tlp = "CLEAR";
    assert_int_equal(vg_store_indicator_import_recs(b, &sys, v, N, ids2, &c, &d), 0);
    assert_int_equal(c.added, 0);
    /* v[1500] repeats v[10]: merged into it, then unchanged */
    assert_int_equal(c.updated, N / 2 - 1);
    assert_int_equal(c.unchanged, N / 2 + 1);
    assert_memory_equal(ids, ids2, sizeof ids);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM indicator WHERE tlp = 'CLEAR'"),
                     N / 2 - 1);
    /* nothing: nothing */
    assert_int_equal(vg_store_indicator_import_recs(b, &sys, v, 0, NULL, &c, &d), 0);
    assert_int_equal(c.added + c.updated + c.unchanged, 0);

    /* rows: every indicator with its sightings, newest first, in one snapshot */
    seed_orgs(be);
    struct vg_sighting sg[3] = {
        {.indicator = ids[5], .org = 1, .seen = "2026-03-01T10:00:00Z", .value = "h00005.example"},
        {.indicator = ids[5],
         .seen = "2026-03-02T10:00:00Z",
         .value = "h00005.example",
         .tlp = "RED"},
        {.indicator = ids[2400], .org = 2, .seen = "2026-03-03T10:00:00Z", .value = "x"},
    };
    assert_int_equal(vg_store_sightings_record(a, &sys, sg, 3, NULL, &d), 0);
    struct vg_indicator_rows *cur = NULL;
    size_t count = 0;
    assert_int_equal(vg_store_indicator_rows_open(a, "domain", NULL, &cur, &count, &d), 0);
    assert_int_equal(count, N - 1);
    /* written after the open: not in its snapshot (PostgreSQL); SQLite's read transaction
     * holds the same way */
    const struct vg_indicator_row *row;
    size_t n = 0, nsg = 0;
    long long last = 0;
    int r;
    while ((r = vg_store_indicator_rows_next(a, cur, &row, &d)) == 1) {
        assert_true(row->id > last);
        last = row->id;
        assert_string_equal(row->type, "domain");
        assert_string_equal(row->tags, "[]");
        assert_int_equal(row->tags_len, 2);
        assert_null(row->first_seen);
        assert_non_null(row->created);
        if (row->id == ids[5]) {
            assert_int_equal(row->nsightings, 2);
            assert_true(row->sightings[0].id > row->sightings[1].id);
            assert_int_equal(row->sightings[0].org, 0);
            assert_string_equal(row->sightings[0].tlp, "RED");
            assert_string_equal(row->sightings[1].tlp, "AMBER");
            assert_string_equal(row->sightings[1].seen, "2026-03-01T10:00:00Z");
            assert_int_equal(row->sightings[1].org, 1);
        } else if (row->id == ids[2400]) {
            assert_int_equal(row->nsightings, 1);
            assert_int_equal(row->sightings[0].org, 2);
        } else {
            assert_int_equal(row->nsightings, 0);
            assert_null(row->sightings);
        }
        nsg += row->nsightings;
        n++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(n, N - 1);
    assert_int_equal(nsg, 3);
    assert_int_equal(vg_store_indicator_rows_next(a, cur, &row, &d), 0);
    vg_store_indicator_rows_close(a, cur);
    assert_int_equal(vg_store_indicator_rows_open(a, "ipv4", NULL, &cur, &count, &d), 0);
    assert_int_equal(count, 0);
    assert_int_equal(vg_store_indicator_rows_next(a, cur, &row, &d), 0);
    vg_store_indicator_rows_close(a, cur);
    /* exactly 1000 (PostgreSQL's page of rows and of each): the last page is full */
    static char addr[1000][24];
    for (int i = 0; i < 1000; i++) {
        snprintf(addr[i], sizeof addr[i], "10.0.%d.%d", i / 256, i % 256);
        v[i] = (struct vg_indicator_rec){.type = "ipv4",
                                         .value = addr[i],
                                         .source = "s",
                                         .confidence = -1};
    }
    assert_int_equal(vg_store_indicator_import_recs(a, &sys, v, 1000, NULL, &c, &d), 0);
    assert_int_equal(c.added, 1000);
    assert_int_equal(vg_store_indicator_rows_open(b, "ipv4", "s", &cur, &count, &d), 0);
    assert_int_equal(count, 1000);
    n = 0;
    while ((r = vg_store_indicator_rows_next(b, cur, &row, &d)) == 1) {
        assert_string_equal(row->value, addr[n]);
        n++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(n, 1000);
    vg_store_indicator_rows_close(b, cur);
    assert_int_equal(vg_store_indicator_rows_open(b, NULL, "s", &cur, NULL, &d), 0);
    n = 0;
    while (vg_store_indicator_rows_next(b, cur, &row, &d) == 1)
        n++;
    assert_int_equal(n, 1000);
    vg_store_indicator_rows_close(b, cur);
    /* each: all 3499, in id order, across pages; stopped in the second page */
    struct each_all ea = {0};
    assert_int_equal(vg_store_indicator_each(b, NULL, each_count, &ea), 0);
    assert_int_equal(ea.n, N - 1 + 1000);
    assert_false(ea.disorder);
    ea = (struct each_all){.stop_at = 1500};
    assert_int_equal(vg_store_indicator_each(b, NULL, each_count, &ea), 7);
    assert_int_equal(ea.n, 1500);
    vg_store_indicator_rows_close(a, NULL);
    /* the connection is free again: a write goes */
    assert_int_equal(vg_store_pull_put(a, "misp", "s", "k", "v", &d), 0);
}
ON_BOTH(recs_body)

/* ---- sightings and alerts ---- */

static void sightings_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    seed_orgs(be);
    json_t *inds = J("[{\"type\":\"domain\",\"value\":\"evil.example\"},"
                     "{\"type\":\"ipv4\",\"value\":\"192.0.2.9\",\"tlp\":\"GREEN\"}]"),
           *out = NULL;
    assert_int_equal(vg_store_indicator_import(a, &sys, inds, &out, &d), 0);
    long long i1 = json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
    long long i2 = json_integer_value(json_array_get(json_object_get(out, "ids"), 1));
    json_decref(out);
    json_decref(inds);
    struct vg_sighting sg[5] = {
        {.indicator = i1,
         .org = 1,
         .seen = "2026-03-01T10:00:00Z",
         .value = "evil.example",
         .field = "dns.rrname",
         .source = "log:1"},
        {.indicator = i1, .org = 1, .seen = "2026-03-01T08:00:00Z", .value = "EVIL.example"},
        {.indicator = i1, .org = 1, .seen = "2026-03-02T08:00:00Z", .value = "evil.example"},
        {.indicator = i2, .seen = "2026-03-01T09:00:00Z", .value = "192.0.2.9", .tlp = "RED"},
        {.indicator = i2, .seen = "2026-03-01T23:00:00Z", .value = "192.0.2.9"},
    };
    long long al[5];
    assert_int_equal(vg_store_sightings_record(a, &sys, sg, 5, al, &d), 0);
    assert_int_equal(al[0], al[1]);
    assert_true(al[2] != al[0]);
    assert_int_equal(al[3], al[4]);
    assert_true(al[3] != al[0] && al[3] != al[2]);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'sighting.record'"),
                     1);
    /* one naming no indicator (or no organisation): nothing written */
    struct vg_sighting bad[2] = {
        {.indicator = i1, .org = 2, .seen = "2026-03-05T00:00:00Z", .value = "v"},
        {.indicator = i2 + 1000, .value = "v"},
    };
    d = (struct vg_diag){0};
    assert_int_equal(vg_store_sightings_record(a, &sys, bad, 2, NULL, &d), VG_EINVAL);
    assert_string_equal(d.field, "indicator");
    assert_non_null(strstr(d.message, "sighting 1"));
    bad[1] = (struct vg_sighting){.indicator = i1, .org = 99, .value = "v"};
    assert_int_equal(vg_store_sightings_record(a, &sys, bad, 2, NULL, &d), VG_EINVAL);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM sighting"), 5);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM alert"), 3);
    /* the connection goes on */
    assert_int_equal(vg_store_sightings_record(a, &sys, sg, 0, NULL, &d), 0);
    /* many in one call (PostgreSQL writes them by 1000): one alert across the chunks */
    enum { M = 2100 };
    static struct vg_sighting many[M];
    static char seen[M][32];
    static long long mal[M];
    for (int i = 0; i < M; i++) {
        snprintf(seen[i], sizeof seen[i], "2026-04-01T%02d:%02d:%02dZ", (i * 7) % 24, i % 60,
                 (i / 60) % 60);
        many[i] = (struct vg_sighting){.indicator = i2, .org = 2, .seen = seen[i], .value = "v"};
    }
    assert_int_equal(vg_store_sightings_record(b, &sys, many, M, mal, &d), 0);
    for (int i = 1; i < M; i++)
        assert_int_equal(mal[i], mal[0]);
    char q[160];
    snprintf(q, sizeof q, "SELECT count FROM alert WHERE id = %lld", mal[0]);
    assert_int_equal(be_scalar(be, q), M);
    const char *lo = seen[0], *hi = seen[0];
    for (int i = 1; i < M; i++) {
        lo = strcmp(seen[i], lo) < 0 ? seen[i] : lo;
        hi = strcmp(seen[i], hi) > 0 ? seen[i] : hi;
    }
    snprintf(q, sizeof q, "SELECT count(*) FROM alert WHERE first_seen = '%s' AND last_seen = '%s'",
             lo, hi);
    assert_int_equal(be_scalar(be, q), 1);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM sighting"), 5 + M);
    be_sql(be, "DELETE FROM sighting WHERE seen >= '2026-04-01'");
    snprintf(q, sizeof q, "DELETE FROM alert WHERE id = %lld", mal[0]);
    be_sql(be, q);

    /* alerts: counted, widened */
    struct vg_page pg = {.limit = 10};
    json_t *page = NULL;
    assert_int_equal(vg_store_alert_list(b, NULL, &pg, &page, &d), 0);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 3);
    json_t *x = json_array_get(items, 2); /* the oldest */
    assert_int_equal(jint(x, "id"), al[0]);
    assert_int_equal(jint(x, "count"), 2);
    assert_string_equal(jstr(x, "first_seen"), "2026-03-01T08:00:00Z");
    assert_string_equal(jstr(x, "last_seen"), "2026-03-01T10:00:00Z");
    assert_string_equal(jstr(x, "day"), "2026-03-01");
    assert_string_equal(jstr(x, "status"), "open");
    assert_int_equal(jint(x, "org"), 1);
    assert_string_equal(jstr(x, "org_name"), "Acme");
    assert_true(json_is_null(json_object_get(x, "incident")));
    json_t *xi = json_object_get(x, "indicator");
    assert_int_equal(jint(xi, "id"), i1);
    assert_string_equal(jstr(xi, "type"), "domain");
    assert_string_equal(jstr(xi, "tlp"), "AMBER");
    x = json_array_get(items, 0);
    assert_int_equal(jint(x, "id"), al[3]);
    assert_true(json_is_null(json_object_get(x, "org")));
    assert_true(json_is_null(json_object_get(x, "org_name")));
    assert_int_equal(jint(x, "count"), 2);
    json_decref(page);
    json_t *f = J("{\"org\":1,\"status\":\"open\"}");
    pg.limit = 1;
    assert_int_equal(vg_store_alert_list(b, f, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(jint(json_array_get(items, 0), "id"), al[2]);
    char cursor[64];
    snprintf(cursor, sizeof cursor, "%s", jstr(page, "next_cursor"));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_alert_list(b, f, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(jint(json_array_get(items, 0), "id"), al[0]);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    json_decref(f);
    f = J("{\"status\":\"escalated\"}");
    pg = (struct vg_page){.limit = 10};
    assert_int_equal(vg_store_alert_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    json_decref(f);
    pg.cursor = "?";
    assert_int_equal(vg_store_alert_list(b, NULL, &pg, &page, &d), VG_EINVAL);

    /* sightings: newest first, filters */
    pg = (struct vg_page){.limit = 10};
    assert_int_equal(vg_store_sighting_list(b, NULL, &pg, &page, &d), 0);
    items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 5);
    x = json_array_get(items, 4);
    assert_int_equal(jint(json_object_get(x, "indicator"), "id"), i1);
    assert_string_equal(jstr(json_object_get(x, "indicator"), "value"), "evil.example");
    assert_int_equal(jint(x, "org"), 1);
    assert_string_equal(jstr(x, "org_name"), "Acme");
    assert_string_equal(jstr(x, "seen"), "2026-03-01T10:00:00Z");
    assert_string_equal(jstr(x, "field"), "dns.rrname");
    assert_string_equal(jstr(x, "source"), "log:1");
    assert_string_equal(jstr(x, "tlp"), "AMBER");
    x = json_array_get(items, 1);
    assert_string_equal(jstr(x, "tlp"), "RED"); /* its own */
    assert_true(json_is_null(json_object_get(x, "org")));
    x = json_array_get(items, 0);
    assert_string_equal(jstr(x, "tlp"), "GREEN"); /* its indicator's */
    assert_string_equal(jstr(x, "field"), "");
    json_decref(page);
    f = J("{\"indicator\":0}");
    json_object_set_new(f, "indicator", json_integer(i1));
    json_object_set_new(f, "since", json_string("2026-03-01T09:00:00Z"));
    assert_int_equal(vg_store_sighting_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
    json_decref(page);
    json_decref(f);
    f = J("{\"org\":1}");
    pg.limit = 2;
    assert_int_equal(vg_store_sighting_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
    snprintf(cursor, sizeof cursor, "%s", jstr(page, "next_cursor"));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_sighting_list(b, f, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    json_decref(f);

    /* the mail round's alerts: with an organisation, not mailed, by org then id */
    json_t *um = NULL;
    assert_int_equal(vg_store_notify_alerts_unmailed(b, 10, &um, &d), 0);
    assert_int_equal(json_array_size(um), 2);
    x = json_array_get(um, 0);
    assert_int_equal(jint(x, "id"), al[0]);
    assert_int_equal(jint(x, "org"), 1);
    assert_int_equal(jint(x, "count"), 2);
    assert_string_equal(jstr(x, "day"), "2026-03-01");
    assert_string_equal(jstr(x, "first_seen"), "2026-03-01T08:00:00Z");
    assert_int_equal(jint(json_object_get(x, "indicator"), "id"), i1);
    assert_string_equal(jstr(json_object_get(x, "indicator"), "tlp"), "AMBER");
    json_decref(um);
    assert_int_equal(vg_store_notify_alerts_unmailed(b, 1, &um, &d), 0);
    assert_int_equal(json_array_size(um), 1);
    json_decref(um);
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    assert_int_equal(vg_store_notify_alert_mailed(a, al[0], &d), 0);
    vg_store_tx_rollback(a); /* in the caller's transaction: undone with it */
    assert_int_equal(vg_store_notify_alerts_unmailed(b, 10, &um, &d), 0);
    assert_int_equal(json_array_size(um), 2);
    json_decref(um);
    assert_int_equal(vg_store_notify_alert_mailed(a, al[0], &d), 0);
    assert_int_equal(vg_store_notify_alerts_unmailed(b, 10, &um, &d), 0);
    assert_int_equal(json_array_size(um), 1);
    assert_int_equal(jint(json_array_get(um, 0), "id"), al[2]);
    json_decref(um);
    assert_int_equal(vg_store_notify_alert_mailed(a, al[3] + 1000, &d), VG_ENOENT);
    assert_int_equal(vg_store_notify_alert_mailed(a, al[0], &d), 0); /* again: still there */
}
ON_BOTH(sightings_body)

static void escalate_body(const struct backend *be)
{
    struct vg_store *a = be->a;
    struct vg_diag d = {0};
    seed_orgs(be);
    json_t *inds = J("[{\"type\":\"domain\",\"value\":\"evil.example\"}]"), *out = NULL;
    assert_int_equal(vg_store_indicator_import(a, &sys, inds, &out, &d), 0);
    long long i1 = json_integer_value(json_array_get(json_object_get(out, "ids"), 0));
    json_decref(out);
    json_decref(inds);
    struct vg_sighting sg = {.indicator = i1,
                             .org = 1,
                             .seen = "2026-03-01T10:00:00Z",
                             .value = "evil.example"};
    long long al;
    assert_int_equal(vg_store_sightings_record(a, &sys, &sg, 1, &al, &d), 0);
    json_t *inc = NULL;
    assert_int_equal(vg_store_alert_escalate(a, &sys, al + 1000, NULL, &inc, &d), VG_ENOENT);
    if ((be->other != NULL) && !a->ops->incident) {
        /* this branch has no PostgreSQL incidents yet (another helper's domain): refused,
         * nothing written; the whole path runs once they are merged */
        assert_int_equal(vg_store_alert_escalate(a, &sys, al, NULL, &inc, &d), VG_EIO);
        assert_int_equal(be_scalar(be, "SELECT count(*) FROM alert WHERE status = 'open'"), 1);
        return;
    }
    json_t *fields = J("{\"title\":\"Seen evil\"}");
    assert_int_equal(vg_store_alert_escalate(a, &sys, al, fields, &inc, &d), 0);
    assert_string_equal(jstr(inc, "title"), "Seen evil");
    const char *ref = jstr(inc, "ref");
    assert_true(json_array_size(json_object_get(inc, "observables")) >= 1);
    struct vg_page pg = {.limit = 10};
    json_t *page = NULL;
    assert_int_equal(vg_store_alert_list(be->b, NULL, &pg, &page, &d), 0);
    json_t *x = json_array_get(json_object_get(page, "items"), 0);
    assert_string_equal(jstr(x, "status"), "escalated");
    assert_string_equal(jstr(x, "incident"), ref);
    json_decref(page);
    json_t *again = NULL;
    assert_int_equal(vg_store_alert_escalate(a, &sys, al, fields, &again, &d), VG_ECONFLICT);
    assert_non_null(strstr(d.message, ref));
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM incident"), 1);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM audit WHERE action = "
                                   "'alert.escalate'"),
                     1);
    json_decref(fields);
    json_decref(inc);
}
ON_BOTH(escalate_body)

/* ---- notify and pull ---- */

static void notify_pull_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    json_t *out = NULL;
    assert_int_equal(vg_store_notify_digest_pending(a, &out, &d), 0);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    seed_orgs(be);
    be_sql(be, "INSERT INTO asset(id, cpe) VALUES (1, 'cpe:2.3:a:x:y:1')");
    be_sql(be, "INSERT INTO finding(id, org_id, asset_id, key, first_seen) VALUES "
               "(1, 1, 1, 7, '2026-01-01T00:00:00Z'), (2, 2, 1, 7, '2026-01-01T00:00:00Z'),"
               "(3, 2, 1, 8, '2026-01-01T00:00:00Z')");
    be_sql(be, "INSERT INTO digest(org_id, last_id, at) VALUES "
               "(1, 1, '2026-02-01T00:00:00Z'), (2, 2, '2026-02-01T00:00:00Z')");
    assert_int_equal(vg_store_notify_digest_pending(a, &out, &d), 0);
    assert_int_equal(json_array_size(out), 1);
    json_t *x = json_array_get(out, 0);
    assert_int_equal(jint(x, "org"), 2);
    assert_string_equal(jstr(x, "name"), "Beta");
    assert_string_equal(jstr(x, "last"), "2026-02-01T00:00:00Z");
    json_decref(out);
    be_sql(be, "DELETE FROM digest WHERE org_id = 1");
    assert_int_equal(vg_store_notify_digest_pending(a, &out, &d), 0);
    assert_int_equal(json_array_size(out), 2);
    x = json_array_get(out, 0);
    assert_int_equal(jint(x, "org"), 1);
    assert_true(json_is_null(json_object_get(x, "last")));
    json_decref(out);
    assert_int_equal(vg_store_notify_alerts_unmailed(a, 5, &out, &d), 0);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);

    char v[16];
    assert_int_equal(vg_store_pull_get(a, "misp", "feed1", "since", v, sizeof v, &d), VG_ENOENT);
    assert_int_equal(vg_store_pull_all(a, "misp", "feed1", &out, &d), 0);
    assert_int_equal(json_object_size(out), 0);
    json_decref(out);
    assert_int_equal(vg_store_pull_put(a, "misp", "feed1", "since", "1234567", &d), 0);
    assert_int_equal(vg_store_pull_put(a, "misp", "feed1", "etag", "\"x'y\"", &d), 0);
    assert_int_equal(vg_store_pull_put(a, "misp", "feed2", "since", "9", &d), 0);
    assert_int_equal(vg_store_pull_put(a, "taxii", "feed1", "since", "8", &d), 0);
    assert_int_equal(vg_store_pull_get(b, "misp", "feed1", "since", v, sizeof v, &d), 0);
    assert_string_equal(v, "1234567");
    /* the boundary: 7 bytes and the NUL fit in 8, 8 bytes do not */
    assert_int_equal(vg_store_pull_put(a, "misp", "feed1", "since", "12345678", &d), 0);
    assert_int_equal(vg_store_pull_get(b, "misp", "feed1", "since", v, 8, &d), VG_ETOOBIG);
    assert_int_equal(vg_store_pull_get(b, "misp", "feed1", "since", v, 9, &d), 0);
    assert_string_equal(v, "12345678");
    assert_int_equal(vg_store_pull_all(b, "misp", "feed1", &out, &d), 0);
    json_t *want = J("{\"since\":\"12345678\",\"etag\":\"\\\"x'y\\\"\"}");
    assert_true(json_equal(out, want));
    json_decref(want);
    json_decref(out);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM pull_state"), 4);
    /* in a transaction rolled back: undone */
    assert_int_equal(vg_store_tx_begin(a, &d), 0);
    assert_int_equal(vg_store_pull_put(a, "misp", "feed3", "since", "1", &d), 0);
    vg_store_tx_rollback(a);
    assert_int_equal(vg_store_pull_get(b, "misp", "feed3", "since", v, sizeof v, &d), VG_ENOENT);
}
ON_BOTH(notify_pull_body)

/* ---- the same random writes on both backends ---- */

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

/* Removes what may differ between the backends from v: ids (PostgreSQL's sequences skip
 * the values of conflicting inserts: the contract gives ids that grow, not dense ones, and the
 * order of the lists, by id, is compared) and the cursors (made of ids). The times of the
 * writing (created, updated) are blanked by random_run. */
static void strip(json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
            strip(x);
    } else if (json_is_object(v)) {
        json_object_del(v, "id");
        json_object_del(v, "next_cursor");
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
            strip(x);
    }
}

/* Every page of a list, stripped, as one array. */
static json_t *all_pages(struct vg_store *st,
                         int (*list)(struct vg_store *, const json_t *, const struct vg_page *,
                                     json_t **, struct vg_diag *),
                         const json_t *filters)
{
    json_t *all = json_array();
    char cursor[64] = "";
    for (;;) {
        struct vg_page pg = {.limit = 7, .cursor = cursor[0] ? cursor : NULL};
        json_t *page = NULL;
        struct vg_diag d = {0};
        assert_int_equal(list(st, filters, &pg, &page, &d), 0);
        json_array_extend(all, json_object_get(page, "items"));
        const json_t *next = json_object_get(page, "next_cursor");
        bool more = json_is_string(next);
        if (more)
            snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        json_decref(page);
        if (!more)
            break;
    }
    strip(all);
    return all;
}

/* The seeded sequence on be: imports and sightings; the reads as one JSON document. */
static json_t *random_run(const struct backend *be, unsigned long long seed)
{
    static const char *const types[] = {"domain", "ipv4", "url"};
    static const char *const tlps[] = {"CLEAR", "GREEN", "AMBER", "RED"};
    struct vg_store *a = be->a;
    struct vg_diag d = {0};
    rng_state = seed;
    seed_orgs(be);
    json_t *counts = json_array();
    for (int round = 0; round < 12; round++) {
        json_t *inds = json_array();
        /* two large imports (PostgreSQL: by COPY, chunks cut only where a record repeats), the
         * second over much of the first; their records now and then in the small space */
        bool big = round == 4 || round == 9;
        unsigned base = rnd(500);
        int n = big ? 2000 + (int)rnd(500) : 1 + (int)rnd(40);
        for (int i = 0; i < n; i++) {
            char value[32], t[32];
            const char *type = types[rnd(3)];
            if (big && rnd(400)) {
                type = types[(base + (unsigned)i) % 3];
                snprintf(value, sizeof value, "%s-L%u", type, base + (unsigned)i);
            } else
                snprintf(value, sizeof value, "%s-%u", type, rnd(30));
            json_t *o = json_pack("{s:s,s:s}", "type", type, "value", value);
            if (rnd(2))
                json_object_set_new(o, "tlp", json_string(tlps[rnd(4)]));
            if (rnd(3) == 0)
                json_object_set_new(o, "confidence", json_integer(rnd(101)));
            if (rnd(3) == 0)
                json_object_set_new(o, "source", json_string(rnd(2) ? "misp" : "taxii"));
            if (rnd(4) == 0)
                json_object_set_new(o, "tags", json_pack("[s]", rnd(2) ? "a" : "b\"c"));
            if (rnd(3) == 0) {
                snprintf(t, sizeof t, "2026-0%u-1%uT00:00:00Z", 1 + rnd(9), rnd(10));
                json_object_set_new(o, rnd(2) ? "first_seen" : "last_seen", json_string(t));
            }
            if (rnd(5) == 0) {
                snprintf(t, sizeof t, "20%u-01-01T00:00:00Z", 20 + rnd(20));
                json_object_set_new(o, "expires", json_string(t));
            }
            json_array_append_new(inds, o);
        }
        json_t *out = NULL;
        assert_int_equal(vg_store_indicator_import(rnd(2) ? a : be->b, &sys, inds, &out, &d), 0);
        /* the ids as the (type, value) they name */
        json_t *ids = json_object_get(out, "ids"), *named = json_array();
        for (size_t i = 0; i < json_array_size(ids); i++) {
            json_t *g = NULL;
            assert_int_equal(vg_store_indicator_get(a, json_integer_value(json_array_get(ids, i)),
                                                    &g),
                             0);
            json_array_append_new(named, json_pack("[s,s]", jstr(g, "type"), jstr(g, "value")));
            json_decref(g);
        }
        json_object_del(out, "ids");
        json_object_set_new(out, "named", named);
        json_array_append_new(counts, out);
        /* sightings of some of the stored indicators */
        int ns = (int)rnd(6);
        struct vg_sighting sg[6];
        char seen[6][32];
        json_t *all = NULL;
        struct vg_page pg = {.limit = 200};
        assert_int_equal(vg_store_indicator_list(a, NULL, &pg, &all, &d), 0);
        json_t *items = json_object_get(all, "items");
        for (int i = 0; i < ns; i++) {
            json_t *ind = json_array_get(items, rnd((unsigned)json_array_size(items)));
            snprintf(seen[i], sizeof seen[i], "2026-03-0%uT%02u:00:00Z", 1 + rnd(3), rnd(24));
            sg[i] = (struct vg_sighting){.indicator = jint(ind, "id"),
                                         .org = rnd(3),
                                         .seen = seen[i],
                                         .value = jstr(ind, "value"),
                                         .tlp = rnd(4) ? NULL : "RED"};
        }
        assert_int_equal(vg_store_sightings_record(a, &sys, sg, (size_t)ns, NULL, &d), 0);
        json_decref(all);
        json_decref(inds);
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "imports", counts);
    json_object_set_new(doc, "indicators", all_pages(a, vg_store_indicator_list, NULL));
    json_t *f = json_pack("{s:s}", "type", "ipv4");
    json_object_set_new(doc, "ipv4", all_pages(a, vg_store_indicator_list, f));
    json_decref(f);
    json_object_set_new(doc, "alerts", all_pages(a, vg_store_alert_list, NULL));
    json_object_set_new(doc, "sightings", all_pages(a, vg_store_sighting_list, NULL));
    json_t *um = NULL;
    assert_int_equal(vg_store_notify_alerts_unmailed(a, 1000, &um, &d), 0);
    strip(um);
    json_object_set_new(doc, "unmailed", um);
    static const char *const times[] = {"created", "updated", NULL};
    blank_times(doc, times);
    return doc;
}

static void random_same_on_both(void **state)
{
    (void)state;
    const char *env = getenv("VG_TEST_SEED");
    unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    fprintf(stderr, "random_same_on_both: seed %u (VG_TEST_SEED=%u to replay)\n", seed, seed);
    struct backend sb, pb;
    be_open(&sb, false);
    json_t *on_sqlite = random_run(&sb, seed);
    be_close(&sb);
    be_open(&pb, true);
    json_t *on_pg = random_run(&pb, seed);
    be_close(&pb);
    assert_true(json_array_size(json_object_get(on_sqlite, "indicators")) > 0);
    traces_equal(on_sqlite, on_pg, seed);
    json_decref(on_sqlite);
    json_decref(on_pg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_body_on_sqlite),       cmocka_unit_test(import_body_on_pg),
        cmocka_unit_test(each_version_body_on_sqlite), cmocka_unit_test(each_version_body_on_pg),
        cmocka_unit_test(recs_body_on_sqlite),         cmocka_unit_test(recs_body_on_pg),
        cmocka_unit_test(sightings_body_on_sqlite),    cmocka_unit_test(sightings_body_on_pg),
        cmocka_unit_test(escalate_body_on_sqlite),     cmocka_unit_test(escalate_body_on_pg),
        cmocka_unit_test(notify_pull_body_on_sqlite),  cmocka_unit_test(notify_pull_body_on_pg),
        cmocka_unit_test(random_same_on_both),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
