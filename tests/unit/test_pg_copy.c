/* COPY for the big writes of the PostgreSQL backend (pg_copy.c, issue 16): the escaping of
 * COPY's text format on its own, then hostile values round-tripping through a real PostgreSQL
 * 15 cluster (pg_fixture.h), a COPY larger than one send, and a failed COPY leaving nothing of
 * its write (alone, or as one write of a batch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/pg_int.h"
#include "store/store.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escaping),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(large),
        cmocka_unit_test(failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
