/* The positions of `vigie match --follow --record` (store/indicator.h, issue 17) on both
 * backends: one test body run on SQLite and on PostgreSQL (pg_fixture.h's cluster): empty,
 * written and replaced per (follower, path), 64-bit values kept bit for bit, read from another
 * connection, part of the caller's transaction (rolled back with it), and fn's stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "store/pg_int.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "pg_both.h"

struct rows {
    char text[1024]; /* "path dev ino offset line;" per row */
    int stop_after;  /* fn returns -7 after this many rows (0: never) */
    int n;
};

static int collect(void *ctx, const struct vg_follow_position *p)
{
    struct rows *r = ctx;
    size_t used = strlen(r->text);
    snprintf(r->text + used, sizeof r->text - used, "%s %llu %llu %llu %llu;", p->path, p->dev,
             p->ino, p->offset, p->line);
    r->n++;
    return r->stop_after && r->n == r->stop_after ? -7 : 0;
}

static const char *rows_of(struct vg_store *st, const char *follower)
{
    static struct rows r;
    memset(&r, 0, sizeof r);
    struct vg_diag d = {0};
    assert_int_equal(vg_store_follow_each(st, follower, collect, &r, &d), 0);
    return r.text;
}

static void follow_body(const struct backend *be)
{
    struct vg_diag d = {0};
    assert_string_equal(rows_of(be->a, "f1"), "");
    struct vg_follow_position v[2] = {
        {"/var/log/z.json", 2049, 18446744073709551600ull, 1000, 10},
        {"/var/log/a b.json", 0, 7, 0, 0},
    };
    assert_int_equal(vg_store_follow_put(be->a, "f1", v, 2, &d), 0);
    struct vg_follow_position other = {"/var/log/z.json", 1, 2, 3, 4};
    assert_int_equal(vg_store_follow_put(be->a, "f2", &other, 1, &d), 0);
    /* by path, from the other connection; the inode above INT64_MAX kept bit for bit */
    assert_string_equal(rows_of(be->b, "f1"), "/var/log/a b.json 0 7 0 0;"
                                              "/var/log/z.json 2049 18446744073709551600 1000 10;");
    assert_string_equal(rows_of(be->b, "f2"), "/var/log/z.json 1 2 3 4;");
    /* replaced, not added */
    v[0].offset = 5000;
    v[0].line = 50;
    assert_int_equal(vg_store_follow_put(be->a, "f1", v, 1, &d), 0);
    assert_int_equal(be_scalar(be, "SELECT count(*) FROM follow_position"), 3);
    assert_int_equal(
        be_scalar(be, "SELECT byte_offset FROM follow_position WHERE path = '/var/log/z.json' "
                      "AND follower = 'f1'"),
        5000);
    /* inside the caller's transaction: undone with it, kept when it commits */
    v[0].offset = 9999;
    assert_int_equal(vg_store_tx_begin(be->a, &d), 0);
    assert_int_equal(vg_store_follow_put(be->a, "f1", v, 1, &d), 0);
    vg_store_tx_rollback(be->a);
    assert_string_equal(rows_of(be->b, "f1"), "/var/log/a b.json 0 7 0 0;"
                                              "/var/log/z.json 2049 18446744073709551600 5000 50;");
    assert_int_equal(vg_store_tx_begin(be->a, &d), 0);
    assert_int_equal(vg_store_follow_put(be->a, "f1", v, 1, &d), 0);
    assert_int_equal(vg_store_tx_commit(be->a, &d), 0);
    assert_string_equal(rows_of(be->b, "f1"), "/var/log/a b.json 0 7 0 0;"
                                              "/var/log/z.json 2049 18446744073709551600 9999 50;");
    /* fn's non-zero value stops the reading and is returned */
    struct rows r = {"", 1, 0};
    assert_int_equal(vg_store_follow_each(be->a, "f1", collect, &r, &d), -7);
    assert_int_equal(r.n, 1);
}

static void follow_on_sqlite(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, false);
    follow_body(&be);
    be_close(&be);
}

static void follow_on_pg(void **state)
{
    (void)state;
    struct backend be;
    be_open(&be, true);
    follow_body(&be);
    be_close(&be);
}

int main(void)
{
    (void)blank_times; /* pg_both.h's helpers for traces, not needed here */
    (void)traces_equal;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(follow_on_sqlite),
        cmocka_unit_test(follow_on_pg),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
