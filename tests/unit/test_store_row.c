/* The pieces both backends share (store/row_int.h): a row read the same way from a SQLite
 * statement and from a PostgreSQL result (a real in-memory SQLite database and a real
 * PostgreSQL 15 cluster, pg_fixture.h), and the backend-neutral helpers the backends call: the
 * dump's plain names and parents-first order, the LIKE pattern. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/dump.h"
#include "store/row_int.h"
#include "util/err.h"
#include "pg_fixture.h"

/* The columns both backends are given: NULL, an integer, a text, JSON, text that is not JSON,
 * a true and a false flag. */
static void row_reads(const struct vg_row *r)
{
    assert_true(vg_row_is_null(r, 0));
    assert_string_equal(vg_row_text(r, 0), "");
    assert_int_equal(vg_row_int(r, 0), 0);
    json_t *v = vg_row_null(r, 0);
    assert_true(json_is_null(v));
    json_decref(v);
    v = vg_row_json(r, 0);
    assert_true(json_is_null(v));
    json_decref(v);
    assert_false(vg_row_is_null(r, 1));
    assert_int_equal(vg_row_int(r, 1), -7);
    assert_string_equal(vg_row_text(r, 2), "caf\xc3\xa9");
    assert_int_equal(vg_row_len(r, 2), 5);
    v = vg_row_null(r, 2);
    assert_string_equal(json_string_value(v), "caf\xc3\xa9");
    json_decref(v);
    v = vg_row_json(r, 3);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
    v = vg_row_json(r, 4); /* unreadable: null */
    assert_true(json_is_null(v));
    json_decref(v);
    assert_true(vg_row_bool(r, 5));
    assert_false(vg_row_bool(r, 6));
}

static void row_sqlite(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT NULL, -7, 'caf\xc3\xa9', '{\"a\":1}', 'not json', "
                                        "1, 0",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    struct vg_row r = vg_row_sqlite(q);
    row_reads(&r);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* From a table of a database of its own: the columns' own types (bigint, text, boolean). */
static void row_pg(void **state)
{
    (void)state;
    char name[32], uri[600];
    pg_db_new(name, uri);
    PGconn *c = pg_other(uri);
    pg_on(c, "CREATE TABLE r(n bigint, i bigint, t text, j text, x text, yes boolean, "
             "no boolean)");
    pg_on(c, "INSERT INTO r VALUES (NULL, -7, 'caf\xc3\xa9', '{\"a\":1}', 'not json', true, "
             "false)");
    assert_int_equal(pg_scalar_on(c, "SELECT count(*) FROM r"), 1);
    PGresult *res = PQexec(c, "SELECT n, i, t, j, x, yes, no FROM r");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    struct vg_row r = vg_row_pg(res, 0);
    row_reads(&r);
    PQclear(res);
    PQfinish(c);
    pg_db_drop(name);
}

static void plain_names(void **state)
{
    (void)state;
    char longest[VG_DUMP_NAME_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[VG_DUMP_NAME_MAX] = '\0';
    assert_true(st_dump_plain_name(longest));
    longest[VG_DUMP_NAME_MAX] = 'a';
    longest[VG_DUMP_NAME_MAX + 1] = '\0';
    assert_false(st_dump_plain_name(longest));
    assert_true(st_dump_plain_name("finding_sum2"));
    assert_false(st_dump_plain_name(""));
    assert_false(st_dump_plain_name("Org"));
    assert_false(st_dump_plain_name("a b"));
    assert_false(st_dump_plain_name("t\"x"));
}

/* Four tables: 0 refers to 2, 2 to 1, 3 to itself and to 1; 1 refers to none. */
static void order_parents_first(void **state)
{
    (void)state;
    bool refs[4 * 4] = {false};
    refs[0 * 4 + 2] = refs[2 * 4 + 1] = refs[3 * 4 + 3] = refs[3 * 4 + 1] = true;
    size_t order[4];
    struct vg_diag d = {0};
    assert_int_equal(st_dump_order(4, refs, 4, order, &d), 0);
    /* round 1: 1 (the only one without parents); 2: 2 and 3 ready, 2 first; then 0, 3 */
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 0);
    assert_int_equal(order[3], 3);
    /* a wider stride, as SQLite's fixed table */
    bool wide[2 * 8] = {false};
    wide[0 * 8 + 1] = true;
    assert_int_equal(st_dump_order(2, wide, 8, order, &d), 0);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(st_dump_order(0, wide, 8, order, &d), 0);
    /* 1 -> 2 -> 1: a cycle */
    refs[1 * 4 + 2] = true;
    assert_int_equal(st_dump_order(4, refs, 4, order, &d), VG_EINVAL);
    assert_string_equal(d.message, "the tables' foreign keys make a cycle");
    assert_int_equal(st_dump_order(VG_DUMP_TABLES_MAX + 1, refs, 4, order, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "too many"));
}

static void like_patterns(void **state)
{
    (void)state;
    char *p = st_like_pattern("50%_Off\\Now", false);
    assert_string_equal(p, "%50\\%\\_Off\\\\Now%");
    free(p);
    p = st_like_pattern("50%_Off\\Now", true);
    assert_string_equal(p, "%50\\%\\_off\\\\now%");
    free(p);
    p = st_like_pattern("", true);
    assert_string_equal(p, "%%");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(row_sqlite),    cmocka_unit_test(row_pg),
        cmocka_unit_test(plain_names),   cmocka_unit_test(order_parents_first),
        cmocka_unit_test(like_patterns),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
