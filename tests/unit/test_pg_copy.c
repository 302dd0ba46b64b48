/* COPY for the big writes of the PostgreSQL backend (pg_copy.c, issue 16): the escaping of
 * COPY's text format on its own, then hostile values round-tripping through a real PostgreSQL
 * 15 cluster (pg_fixture.h), a COPY larger than one send, a failed COPY leaving nothing of
 * its write (alone, or as one write of a batch), and the staging tables of the imports keeping
 * the size of one chunk over a long session (emptied by TRUNCATE, not DELETE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/indicator.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "store/vuln.h"
#include "pg_fixture.h"

static void escape_is(const char *v, size_t len, const char *want)
{
    struct vg_buf b;
    vg_buf_init(&b, 1024);
    pg_copy_escape(&b, v, len);
    assert_false(b.failed);
    assert_string_equal(b.data ? b.data : "", want);
    vg_buf_cleanup(&b);
}

static void escaping(void **state)
{
    (void)state;
    escape_is(NULL, 0, "\\N");
    escape_is("", 0, "");
    escape_is("\\N", 2, "\\\\N");
    escape_is("a\tb\nc\rd\\e", 9, "a\\tb\\nc\\rd\\\\e");
    escape_is("\\.", 2, "\\\\.");
    escape_is("caf\xc3\xa9", 5, "caf\xc3\xa9"); /* bytes other than the four: as they are */
    escape_is("abcdef", 3, "abc");              /* len bytes only */
    escape_is("ab\0cd", 5, "ab");               /* a NUL ends it, as it ends a parameter */
    escape_is("\t", 1, "\\t");
}

struct db {
    char name[32];
    char uri[600];
    struct vg_store *st;
    struct pg *p;
    PGconn *other; /* another session: sees only what is committed */
};

static void db_open(struct db *db)
{
    pg_db_new(db->name, db->uri);
    struct vg_diag d = {0};
    db->st = vg_store_open_partial(db->uri, NULL, &d);
    if (!db->st)
        fail_msg("open %s: %s", db->uri, d.message);
    db->p = pg_of(db->st);
    db->other = pg_other(db->uri);
    pg_on(db->other, "CREATE TABLE t(id bigint PRIMARY KEY, v text, b bytea, "
                     "n bigint CHECK (n < 1000))");
}

static void db_close(struct db *db)
{
    vg_store_close(db->st);
    PQfinish(db->other);
    pg_db_drop(db->name);
}

static const char *const hostile[] =
    {"",     "\t",          "\n",
     "\r\n", "\\",          "\\N",
     "\\.",  "a\tb\\tc\nd", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x92",
     "    ", "NULL",        "'\"",
     "end\\"};
#define NH (sizeof hostile / sizeof *hostile)

static void round_trip(void **state)
{
    (void)state;
    struct db db = {0};
    db_open(&db);
    struct pg *p = db.p;
    static const unsigned char bytes[] = {0x00, 0x5c, 0x09, 0x0a, 0x0d, 0xff, 0x4e, 0x2e};
    assert_int_equal(pg_begin(p), 0);
    struct pg_copy c;
    assert_int_equal(pg_copy_begin(p, &c, "COPY t(id, v, b, n) FROM STDIN"), 0);
    for (size_t i = 0; i <= NH; i++) { /* the last: NULL, no bytes */
        pg_copy_int(&c, (long long)i);
        pg_copy_text(&c, i < NH ? hostile[i] : NULL);
        pg_copy_bytes(&c, i < NH ? bytes : NULL, i < NH ? i % (sizeof bytes + 1) : 0);
        pg_copy_int(&c, -(long long)i);
        assert_int_equal(pg_copy_row(&c), 0);
    }
    long long rows = -1;
    assert_int_equal(pg_copy_end(&c, &rows), 0);
    assert_int_equal(rows, NH + 1);
    assert_int_equal(pg_commit(p), 0);
    PGresult *r = pg_run(p,
                         "SELECT id, v, encode(b, 'hex'), n, v IS NULL, b IS NULL FROM t "
                         "ORDER BY id",
                         NULL);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), NH + 1);
    for (size_t i = 0; i < NH; i++) {
        assert_int_equal(pg_get_int(r, (int)i, 0), (long long)i);
        assert_false(pg_get_bool(r, (int)i, 4)); /* "" is not NULL */
        assert_string_equal(PQgetvalue(r, (int)i, 1), hostile[i]);
        char hex[32] = "";
        for (size_t k = 0; k < i % (sizeof bytes + 1); k++)
            snprintf(hex + 2 * k, 3, "%02x", bytes[k]);
        assert_string_equal(PQgetvalue(r, (int)i, 2), hex);
        assert_false(pg_get_bool(r, (int)i, 5));
        assert_int_equal(pg_get_int(r, (int)i, 3), -(long long)i);
    }
    assert_true(pg_get_bool(r, NH, 4));
    assert_true(pg_get_bool(r, NH, 5));
    PQclear(r);
    db_close(&db);
}

/* Many rows: the buffer is sent several times. */
static void large(void **state)
{
    (void)state;
    struct db db = {0};
    db_open(&db);
    struct pg *p = db.p;
    enum { N = 100000 };
    assert_int_equal(pg_begin(p), 0);
    struct pg_copy c;
    assert_int_equal(pg_copy_begin(p, &c, "COPY t(id, v) FROM STDIN"), 0);
    for (long long i = 0; i < N; i++) {
        pg_copy_int(&c, i);
        pg_copy_text(&c, hostile[i % NH]);
        assert_int_equal(pg_copy_row(&c), 0);
    }
    long long rows = 0;
    assert_int_equal(pg_copy_end(&c, &rows), 0);
    assert_int_equal(rows, N);
    assert_int_equal(pg_commit(p), 0);
    PGresult *r = pg_run(p,
                         "SELECT count(*), sum(id), count(*) FILTER (WHERE v = E'a\\tb\\\\tc\\nd') "
                         "FROM t",
                         NULL);
    assert_non_null(r);
    assert_int_equal(pg_get_int(r, 0, 0), N);
    assert_int_equal(pg_get_int(r, 0, 1), (long long)N * (N - 1) / 2);
    assert_int_equal(pg_get_int(r, 0, 2), (N - 8) / (long long)NH + 1);
    PQclear(r);
    db_close(&db);
}

/* Writes rows 0..n) with n = i * 100 + ..., the last one refused by the CHECK (n < 1000) when
 * bad. The code pg_copy_end returns. */
static int copy_some(struct pg *p, long long from, bool bad)
{
    struct pg_copy c;
    int rc = pg_copy_begin(p, &c, "COPY t(id, n) FROM STDIN");
    for (long long i = from; !rc && i < from + 5; i++) {
        pg_copy_int(&c, i);
        pg_copy_int(&c, bad && i == from + 4 ? 1000 : 999);
        rc = pg_copy_row(&c);
    }
    int end = pg_copy_end(&c, NULL);
    return rc ? rc : end;
}

static long long count_t(struct db *db)
{
    return pg_scalar_on(db->other, "SELECT count(*) FROM t");
}

/* A refused row fails the COPY with the database's message; the write is undone whole, and the
 * connection serves the next one. In a batch, only that write is undone. */
static void failure_leaves_nothing(void **state)
{
    (void)state;
    struct db db = {0};
    db_open(&db);
    struct pg *p = db.p;
    struct vg_diag d = {0};
    assert_int_equal(pg_begin(p), 0);
    PGresult *r = pg_run(p, "INSERT INTO t(id) VALUES (100)", NULL);
    assert_non_null(r);
    PQclear(r);
    assert_int_equal(copy_some(p, 0, true), VG_EIO);
    assert_int_equal(pg_fail(p, &d), VG_EIO);
    assert_non_null(strstr(d.message, "database error"));
    assert_non_null(strstr(d.message, "check"));
    assert_int_equal(count_t(&db), 0); /* the INSERT before it too */
    /* the next write works */
    assert_int_equal(pg_begin(p), 0);
    assert_int_equal(copy_some(p, 0, false), 0);
    assert_int_equal(pg_commit(p), 0);
    assert_int_equal(count_t(&db), 5);
    /* a unique violation is VG_EEXIST, as for any statement */
    assert_int_equal(pg_begin(p), 0);
    assert_int_equal(copy_some(p, 3, false), VG_EEXIST);
    pg_rollback(p);
    assert_int_equal(count_t(&db), 5);
    /* in a batch: the failed write alone is undone, the others commit */
    vg_store_batch_begin(db.st);
    assert_int_equal(pg_begin(p), 0);
    assert_int_equal(copy_some(p, 10, false), 0);
    assert_int_equal(pg_commit(p), 0);
    assert_int_equal(pg_begin(p), 0);
    assert_int_equal(copy_some(p, 20, true), VG_EIO);
    pg_rollback(p);
    assert_int_equal(pg_begin(p), 0);
    assert_int_equal(copy_some(p, 30, false), 0);
    assert_int_equal(pg_commit(p), 0);
    assert_int_equal(vg_store_batch_commit(db.st, &d), 0);
    assert_int_equal(count_t(&db), 15);
    assert_int_equal(pg_scalar_on(db.other, "SELECT count(*) FROM t WHERE id BETWEEN 20 AND 29"),
                     0);
    db_close(&db);
}

/* ---- the staging tables over a long session ---- */

enum { ROUNDS = 8 };

/* The bytes of the session's temporary table t (heap, indexes, TOAST), read on the store's own
 * connection (a temporary table is seen by its session only). */
static long long staged_bytes(struct pg *p, const char *t)
{
    struct pg_params pp = {0};
    pg_param_text(&pp, t);
    PGresult *r = pg_run(p, "SELECT pg_total_relation_size($1::regclass)", &pp);
    assert_non_null(r);
    long long n = pg_get_int(r, 0, 0);
    PQclear(r);
    return n;
}

/* Each of ROUNDS imports of the same size leaves its staging table (emptied at the start of
 * the next, or at its own end) no larger than twice what the first left: the dead rows of
 * a DELETE would stay (autovacuum never visits a temporary table) and the table would grow
 * by one import's rows each round, ROUNDS times the first at the end. A bound in bytes,
 * whatever the machine's speed. sizes[k] is the size after round k. */
static void bounded(const char *t, const long long *sizes)
{
    for (int k = 0; k < ROUNDS; k++) {
        if (sizes[k] > 2 * sizes[0])
            fail_msg("%s after round %d: %lld bytes, after round 0: %lld", t, k, sizes[k],
                     sizes[0]);
    }
}

static const struct vg_actor tester = {.name = "tester", .role = "admin"};

/* istage: indicator imports of 2000 new records each (the size from which they go by COPY). */
static void istage_keeps_one_chunk(struct db *db)
{
    enum { N = 2000 };
    static struct vg_indicator_rec v[N];
    static char values[N][40];
    long long sizes[ROUNDS];
    for (int k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < N; i++) {
            snprintf(values[i], sizeof values[i], "r%d-h%05d.example", k, i);
            v[i] =
                (struct vg_indicator_rec){.type = "domain", .value = values[i], .confidence = -1};
        }
        struct vg_indicator_import_counts c = {0};
        struct vg_diag d = {0};
        if (vg_store_indicator_import_recs(db->st, &tester, v, N, NULL, &c, &d))
            fail_msg("import round %d: %s", k, d.message);
        assert_int_equal(c.added, N);
        sizes[k] = staged_bytes(db->p, "istage");
    }
    assert_true(sizes[0] > 0); /* the import went by istage */
    assert_int_equal(pg_scalar_on(db->other, "SELECT count(*) FROM indicator"), ROUNDS * N);
    bounded("istage", sizes);
}

/* vstage: vulnerability records put by 500 (by COPY from 32). */
static void vstage_keeps_one_chunk(struct db *db)
{
    enum { N = 500 };
    static struct vg_store_vrec v[N];
    static char cves[N][24], json[N][64];
    static const char *const products[] = {"a:acme:web"};
    long long sizes[ROUNDS];
    for (int k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < N; i++) {
            int id = k * N + i + 1;
            snprintf(cves[i], sizeof cves[i], "CVE-2024-%05d", id);
            int len = snprintf(json[i], sizeof json[i], "{\"id\":\"%s\"}", cves[i]);
            v[i] = (struct vg_store_vrec){.cve = cves[i],
                                          .key = 202400000LL + id,
                                          .source = "nvd",
                                          .modified = "2024-03-01",
                                          .published = "2024-02-01",
                                          .cvss = 7.5,
                                          .description = "a description of a few words",
                                          .json = json[i],
                                          .json_len = (size_t)len,
                                          .products = products,
                                          .nproducts = 1};
        }
        struct vg_diag d = {0};
        if (vg_store_vuln_put(db->st, v, N, NULL, &d))
            fail_msg("put round %d: %s", k, d.message);
        sizes[k] = staged_bytes(db->p, "vstage");
    }
    assert_true(sizes[0] > 0);
    assert_int_equal(pg_scalar_on(db->other, "SELECT count(*) FROM vuln"), ROUNDS * N);
    bounded("vstage", sizes);
}

/* fnew: finding replacements of 3000 rows each (one organisation, one asset, new CVE keys each
 * round); fnew is emptied at the end of each too. */
static void fnew_keeps_one_chunk(struct db *db)
{
    enum { N = 3000 };
    static struct vg_store_finding f[N];
    const char *assets[] = {"cpe:2.3:a:acme:web:1.0:*:*:*:*:*:*:*"};
    pg_on(db->other, "INSERT INTO org(name, kind, sector, created, updated) "
                     "VALUES ('Org A', 'oiv', 'energy', '2024-01-01T00:00:00Z', "
                     "'2024-01-01T00:00:00Z')");
    long long org = pg_scalar_on(db->other, "SELECT id FROM org WHERE name = 'Org A'");
    long long sizes[ROUNDS];
    for (int k = 0; k < ROUNDS; k++) {
        for (int i = 0; i < N; i++)
            f[i] = (struct vg_store_finding){org, 0, 202400000LL + k * N + i};
        struct vg_store_fscope all = {0};
        struct vg_diag d = {0};
        json_t *out = NULL;
        if (vg_store_finding_replace(db->st, &all, assets, 1, f, N, &out, &d))
            fail_msg("replace round %d: %s", k, d.message);
        assert_int_equal(json_integer_value(json_object_get(out, "new")), N);
        assert_int_equal(json_integer_value(json_object_get(out, "gone")), k ? N : 0);
        json_decref(out);
        sizes[k] = staged_bytes(db->p, "fnew");
    }
    assert_int_equal(pg_scalar_on(db->other, "SELECT count(*) FROM finding"), N);
    /* emptied at the end: its heap holds no page; its primary key's index its metapage and
     * root */
    for (int k = 0; k < ROUNDS; k++)
        if (sizes[k] > 2 * 8192)
            fail_msg("fnew after round %d: %lld bytes", k, sizes[k]);
}

/* The three staging tables over long sessions: emptied by TRUNCATE, each keeps the size of one
 * chunk (issue 16: with DELETE, an NVD import slowed quadratically). */
static void staging_stays_small(void **state)
{
    (void)state;
    struct db db = {0};
    db_open(&db);
    istage_keeps_one_chunk(&db);
    vstage_keeps_one_chunk(&db);
    fnew_keeps_one_chunk(&db);
    db_close(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(large),
        cmocka_unit_test(failure_leaves_nothing),
        cmocka_unit_test(staging_stays_small),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
