/* The server's reader connection (vg_store_read_only): it reads what the writing connection
 * has committed, and a write reaching it fails without taking the lock; and the busy timeout
 * of a batch (vg_store_busy_timeout) against another connection holding the lock. */
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

#include "store/store.h"

#include "store_fixture.h"

static void reader_reads_and_refuses_writes(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    vg_diag_clear(&d);
    struct vg_store *rd = vg_store_open(f->path, NULL, &d);
    assert_non_null(rd);
    assert_int_equal(vg_store_read_only(rd, &d), 0);
    /* a write on the reader fails, saying why, and writes nothing */
    long long id = 0;
    vg_diag_clear(&d);
    assert_int_equal(vg_store_user_ensure(rd, "mallory", "admin", &id, &d), VG_EIO);
    assert_non_null(strstr(d.message, "readonly"));
    json_t *u = NULL;
    assert_int_equal(vg_store_user_get(f->st, "mallory", &u), VG_ENOENT);
    /* what the writing connection commits, the reader reads (in a read transaction too) */
    assert_int_equal(vg_store_user_ensure(f->st, "alice", "analyst", &id, &d), 0);
    vg_store_read_begin(rd);
    assert_int_equal(vg_store_user_get(rd, "alice", &u), 0);
    assert_string_equal(json_string_value(json_object_get(u, "role")), "analyst");
    json_decref(u);
    vg_store_read_end(rd);
    /* and the writing connection still writes */
    assert_int_equal(vg_store_user_ensure(f->st, "bob", "reader", &id, &d), 0);
    vg_store_close(rd);
}

/* A playbook's steps: one write in its own savepoint of the batch (BEGIN IMMEDIATE first). */
static int put_steps(struct vg_store *st, const char *title, struct vg_diag *d)
{
    json_t *steps = json_pack("[{s:s,s:s,s:s}]", "id", "s1", "phase", "analysis", "title", title);
    json_t *out = NULL;
    vg_diag_clear(d);
    int rc = vg_store_playbook_put(st, &who, "malicious-code", steps, &out, d);
    json_decref(steps);
    json_decref(out);
    return rc;
}

static void batch_busy_then_free(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    vg_store_busy_timeout(f->st, 50);
    sqlite3 *holder;
    assert_int_equal(sqlite3_open(f->path, &holder), SQLITE_OK);
    assert_int_equal(sqlite3_exec(holder, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    /* both writes of the batch fail as busy (the second without waiting again), nothing
     * pending */
    vg_store_batch_begin(f->st);
    assert_int_equal(put_steps(f->st, "first", &d), VG_EBUSY);
    assert_non_null(strstr(d.message, "locked"));
    assert_int_equal(put_steps(f->st, "second", &d), VG_EBUSY);
    assert_false(vg_store_batch_pending(f->st));
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_int_equal(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(holder);
    /* the lock free, the next batch writes and commits */
    vg_store_batch_begin(f->st);
    assert_int_equal(put_steps(f->st, "third", &d), 0);
    assert_true(vg_store_batch_pending(f->st));
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    json_t *pb = NULL;
    assert_int_equal(vg_store_playbook_get(f->st, "malicious-code", &pb), 0);
    json_t *steps = json_object_get(pb, "steps");
    assert_int_equal(json_array_size(steps), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 0), "title")),
                        "third");
    json_decref(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reader_reads_and_refuses_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_busy_then_free, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
