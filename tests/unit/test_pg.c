/* The PostgreSQL backend's foundation (issue 16) against a real PostgreSQL 15 cluster
 * (pg_fixture.h): transactions, batches, snapshots, read-only connections, migrations, error
 * mapping and recovery; and the users domain, one test body run on SQLite and on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "core/incident.h"
#include "core/record.h"
#include "store/incident.h"
#include "store/pg_int.h"
#include "store/schema.h"
#include "store/store.h"
#include "pg_fixture.h"
#include "store_fixture.h"

struct pgf {
    char name[32];
    char uri[600];
    struct vg_store *st;
    PGconn *other;
};

static int pg_setup(void **state)
{
    struct pgf *f = calloc(1, sizeof *f);
    *state = f;
    pg_db_new(f->name, f->uri);
    struct vg_diag d = {0};
    f->st = vg_store_open_partial(f->uri, NULL, &d);
    if (!f->st)
        fail_msg("open %s: %s", f->uri, d.message);
    f->other = pg_other(f->uri);
    return 0;
}

static int pg_teardown(void **state)
{
    struct pgf *f = *state;
    if (!f)
        return 0;
    vg_store_close(f->st);
    PQfinish(f->other);
    if (f->name[0] && !pgc.why[0])
        pg_db_drop(f->name);
    free(f);
    return 0;
}

static long long users_named(struct pgf *f, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"user\" WHERE name = '%s'", name);
    return pg_scalar_on(f->other, sql);
}

static const unsigned char hash_a[32] = {1, 2, 3};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- transactions ---- */

static void tx_commit_rollback_nest(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    assert_int_equal(users_named(f, "a"), 0); /* not yet committed */
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_int_equal(users_named(f, "a"), 1);

    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    vg_store_tx_rollback(f->st);
    assert_int_equal(users_named(f, "b"), 0);

    /* nested: the inner one undone, the outer one kept */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "d", "analyst", NULL, &d), 0);
    vg_store_tx_rollback(f->st);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "e", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_int_equal(users_named(f, "e"), 0); /* released, not committed */
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_int_equal(users_named(f, "c"), 1);
    assert_int_equal(users_named(f, "d"), 0);
    assert_int_equal(users_named(f, "e"), 1);

    assert_int_equal(vg_store_tx_commit(f->st, &d), VG_EINVAL);
    vg_store_tx_rollback(f->st); /* none open: nothing */
    vg_store_read_begin(f->st);
    assert_int_equal(vg_store_tx_begin(f->st, &d), VG_EINVAL);
    vg_store_read_end(f->st);
}

/* Savepoint commands wait to go out with the next statement (pg.c's pending): pg_flush
 * sends them; a rollback right after a deferred SAVEPOINT, or past a deferred RELEASE of a
 * nested transaction of the same name, undoes what it must. */
static void savepoints_deferred(void **state)
{
    struct pgf *f = *state;
    struct pg *p = pg_of(f->st);
    struct vg_diag d = {0};
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_true(p->npending >= 1); /* SAVEPOINT t, maybe after a RELEASE w */
    assert_int_equal(pg_flush(p), 0);
    assert_int_equal(p->npending, 0);
    assert_int_equal(pg_flush(p), 0); /* nothing to send */
    assert_int_equal(vg_store_user_ensure(f->st, "x", "analyst", NULL, &d), 0);
    vg_store_tx_rollback(f->st); /* x undone: the flushed SAVEPOINT t was there */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(p->npending, 1); /* SAVEPOINT t */
    vg_store_tx_rollback(f->st);      /* ROLLBACK TO t of a savepoint not sent yet */
    assert_int_equal(p->npending, 0);
    /* an outer transaction t holding a committed inner one t: rolling the outer back undoes
     * both, not only the inner one whose RELEASE is still pending */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_true(p->npending >= 1);
    vg_store_tx_rollback(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "e", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0); /* the pending RELEASE with COMMIT */
    assert_int_equal(p->npending, 0);
    assert_int_equal(users_named(f, "a"), 1);
    assert_int_equal(users_named(f, "b"), 0);
    assert_int_equal(users_named(f, "c"), 0);
    assert_int_equal(users_named(f, "e"), 1);
    assert_int_equal(users_named(f, "x"), 0);
}

/* A failing write inside a transaction is undone alone; the transaction goes on. */
static void tx_failing_write_alone(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    long long id;
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", &id, &d), 0);
    assert_int_equal(vg_store_token_add(f->st, id, hash_a, "x", "api", NULL, NULL, &d), 0);
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    /* the same hash again: unique violation */
    assert_int_equal(vg_store_token_add(f->st, id, hash_a, "y", "api", NULL, NULL, &d), VG_EEXIST);
    /* a user that does not exist: foreign key */
    unsigned char h2[32] = {9};
    assert_int_equal(vg_store_token_add(f->st, 99999, h2, "z", "api", NULL, NULL, &d), VG_EIO);
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_tx_commit(f->st, &d), 0);
    assert_int_equal(users_named(f, "b"), 1);
    assert_int_equal(users_named(f, "c"), 1);
    assert_int_equal(pg_scalar_on(f->other, "SELECT count(*) FROM token"), 1);
}

static void batch_group_commit(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    long long id;
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", &id, &d), 0);
    assert_int_equal(vg_store_token_add(f->st, id, hash_a, "x", "api", NULL, NULL, &d), 0);
    vg_store_batch_begin(f->st);
    assert_false(vg_store_batch_pending(f->st));
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    assert_true(vg_store_batch_pending(f->st));
    assert_int_equal(users_named(f, "b"), 0); /* nothing durable before the batch's commit */
    assert_int_equal(vg_store_token_add(f->st, id, hash_a, "y", "api", NULL, NULL, &d), VG_EEXIST);
    /* a use-case transaction inside the batch, rolled back */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), 0);
    vg_store_tx_rollback(f->st);
    /* and one left open: committed with the batch */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "e", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "f", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_false(vg_store_batch_pending(f->st));
    assert_int_equal(users_named(f, "b"), 1);
    assert_int_equal(users_named(f, "c"), 0);
    assert_int_equal(users_named(f, "e"), 1);
    assert_int_equal(users_named(f, "f"), 1);
    /* an empty batch commits nothing and succeeds */
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    /* after the batch, a write is durable at once again */
    assert_int_equal(vg_store_user_ensure(f->st, "g", "analyst", NULL, &d), 0);
    assert_int_equal(users_named(f, "g"), 1);
}

static void read_snapshot(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    json_t *l = NULL;
    vg_store_read_begin(f->st);
    assert_int_equal(vg_store_user_list(f->st, &l), 0);
    assert_int_equal(json_array_size(l), 1);
    json_decref(l);
    pg_on(f->other, "INSERT INTO \"user\"(name, role, created) VALUES ('z', 'reader', 'now')");
    assert_int_equal(vg_store_user_list(f->st, &l), 0);
    assert_int_equal(json_array_size(l), 1); /* the snapshot */
    json_decref(l);
    /* a write in a read snapshot fails */
    assert_int_not_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    vg_store_read_end(f->st);
    assert_int_equal(vg_store_user_list(f->st, &l), 0);
    assert_int_equal(json_array_size(l), 2);
    json_decref(l);
}

static void read_only_refuses_writes(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_read_only(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), VG_EIO);
    assert_non_null(strstr(d.message, "read-only"));
    json_t *u = NULL;
    assert_int_equal(vg_store_user_get(f->st, "a", &u), 0);
    json_decref(u);
    assert_int_equal(users_named(f, "b"), 0);
}

/* ---- migrations ---- */

static int migrations_known(void)
{
    int n = 0;
    for (const struct vg_migration *m = vg_pg_migrations; m->version; m++)
        n++;
    return n;
}

static void migrate_twice_is_once(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    int v1 = -1, v2 = -1;
    assert_true(migrations_known() >= 1);
    assert_int_equal(vg_store_migrate(f->st, &v1, &d), 0);
    assert_int_equal(vg_store_migrate(f->st, &v2, &d), 0);
    assert_int_equal(v1, migrations_known());
    assert_int_equal(v2, v1);
    assert_int_equal(pg_scalar_on(f->other, "SELECT count(*) FROM vg_schema_version"),
                     migrations_known());
}

struct opener {
    const char *uri;
    struct vg_store *st;
    struct vg_diag d;
};

static void *open_thread(void *arg)
{
    struct opener *o = arg;
    o->st = vg_store_open_partial(o->uri, NULL, &o->d);
    return NULL;
}

static void migrate_concurrently(void **state)
{
    (void)state;
    char name[32], uri[600];
    pg_db_new(name, uri);
    struct opener o[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        o[i] = (struct opener){.uri = uri};
        assert_int_equal(pthread_create(&t[i], NULL, open_thread, &o[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) {
        if (!o[i].st)
            fail_msg("opener %d: %s", i, o[i].d.message);
        vg_store_close(o[i].st);
    }
    PGconn *c = pg_other(uri);
    assert_int_equal(pg_scalar_on(c, "SELECT count(*) FROM vg_schema_version"), migrations_known());
    PQfinish(c);
    pg_db_drop(name);
}

/* ---- errors ---- */

/* Terminates store st's server process from f's other connection, and waits until it is gone
 * (pg_terminate_backend only signals it) and its goodbye reached the store's socket. */
static void kill_backend_of(struct pgf *f, struct vg_store *st)
{
    int pid = PQbackendPID(pg_of(st)->conn);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", pid);
    pg_on(f->other, sql);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
    for (int i = 0; i < 500 && pg_scalar_on(f->other, sql) > 0; i++)
        usleep(10000);
    assert_int_equal(pg_scalar_on(f->other, sql), 0);
    /* its last words (FATAL) and the end of the stream are sent as it exits, after it left
     * pg_stat_activity: wait for them on the store's socket */
    struct pollfd pfd = {.fd = PQsocket(pg_of(st)->conn), .events = POLLIN};
    assert_int_equal(poll(&pfd, 1, 5000), 1);
}

/* The same for the fixture's store. */
static void kill_backend(struct pgf *f)
{
    kill_backend_of(f, f->st);
}

/* Killed while idle, then a batch: its BEGIN waits to go out with its first write's statement
 * (pg.c outer_begin), so that write still runs on a new connection, inside the batch's
 * transaction; the connection's settings are made outside it (a first write failing and undone
 * keeps them). */
static void batch_after_idle_kill(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    vg_store_busy_timeout(f->st, 4321);
    int pid = PQbackendPID(pg_of(f->st)->conn);
    kill_backend(f);
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "k", "analyst", NULL, &d), 0);
    assert_int_not_equal(PQbackendPID(pg_of(f->st)->conn), pid);
    assert_int_equal(users_named(f, "k"), 0); /* inside the batch's transaction, still */
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_int_equal(users_named(f, "k"), 1);
    /* again, the batch's first write a fault (a token of no user: the foreign key refuses it),
     * undone alone */
    pid = PQbackendPID(pg_of(f->st)->conn);
    kill_backend(f);
    vg_store_batch_begin(f->st);
    static const unsigned char h[32] = {7};
    assert_int_equal(vg_store_token_add(f->st, 99999, h, "z", "api", NULL, NULL, &d), VG_EIO);
    assert_false(vg_store_outage(f->st, &d));
    assert_int_not_equal(PQbackendPID(pg_of(f->st)->conn), pid);
    assert_int_equal(vg_store_user_ensure(f->st, "k2", "analyst", NULL, &d), 0);
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
    assert_int_equal(users_named(f, "k2"), 1);
    PGresult *r = pg_run(pg_of(f->st), "SELECT current_setting('lock_timeout')", NULL);
    assert_non_null(r);
    assert_string_equal(PQgetvalue(r, 0, 0), "4321ms");
    PQclear(r);
    /* a read snapshot's BEGIN is deferred too: killed while idle, the read runs on a new
     * connection, inside its snapshot (REPEATABLE READ) */
    pid = PQbackendPID(pg_of(f->st)->conn);
    kill_backend(f);
    vg_store_read_begin(f->st);
    json_t *u = NULL;
    assert_int_equal(vg_store_user_get(f->st, "k", &u), 0);
    json_decref(u);
    assert_int_not_equal(PQbackendPID(pg_of(f->st)->conn), pid);
    r = pg_run(pg_of(f->st), "SELECT current_setting('transaction_isolation')", NULL);
    assert_non_null(r);
    assert_string_equal(PQgetvalue(r, 0, 0), "repeatable read");
    PQclear(r);
    vg_store_read_end(f->st);
    /* a read that ran nothing sends nothing, and leaves no transaction */
    vg_store_read_begin(f->st);
    vg_store_read_end(f->st);
    assert_int_equal(PQtransactionStatus(pg_of(f->st)->conn), PQTRANS_IDLE);
    assert_int_equal(pg_of(f->st)->npending, 0);
}

static void killed_connection_recovers(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    int pid = PQbackendPID(pg_of(f->st)->conn);
    /* killed while idle: noticed before the next statement is sent, which then runs on a new
     * connection */
    kill_backend(f);
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    assert_int_equal(users_named(f, "a"), 1);
    assert_int_not_equal(PQbackendPID(pg_of(f->st)->conn), pid);

    /* killed inside a batch: the batch fails whole (its writes went with the session), then
     * the connection comes back */
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    kill_backend(f);
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), VG_EIO);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_int_equal(vg_store_user_ensure(f->st, "c2", "analyst", NULL, &d), VG_EIO);
    assert_int_equal(vg_store_batch_commit(f->st, &d), VG_EIO);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_int_equal(users_named(f, "b"), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "d", "analyst", NULL, &d), 0);
    assert_int_equal(users_named(f, "d"), 1);

    /* killed inside a use-case transaction: its commit fails, nothing of it stays */
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    assert_int_equal(vg_store_user_ensure(f->st, "t", "analyst", NULL, &d), 0);
    kill_backend(f);
    assert_int_equal(vg_store_tx_commit(f->st, &d), VG_EIO);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_int_equal(users_named(f, "t"), 0);

    /* a reader's connection stays one across a reconnection */
    assert_int_equal(vg_store_read_only(f->st, &d), 0);
    kill_backend(f);
    json_t *u = NULL;
    assert_int_equal(vg_store_user_get(f->st, "d", &u), 0);
    json_decref(u);
    assert_int_equal(vg_store_user_ensure(f->st, "e", "analyst", NULL, &d), VG_EIO);
    assert_non_null(strstr(d.message, "read-only"));
    assert_int_equal(users_named(f, "e"), 0);
}

/* The server stopped, then restarted: calls fail with "database unavailable" meanwhile, then
 * succeed without reopening the store; nothing acknowledged is lost. */
static void server_restart_recovers(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    pg_cluster_ctl("stop");
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), VG_EIO);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), VG_EIO);
    pg_cluster_ctl("restart");
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    PQreset(f->other);
    assert_int_equal(users_named(f, "a"), 1);
    assert_int_equal(users_named(f, "b"), 1);
    /* restarted under the store's feet while it was idle: the next call reconnects */
    pg_cluster_ctl("restart");
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), 0);
    PQreset(f->other);
    assert_int_equal(users_named(f, "c"), 1);
}

/* User "a" made, its row locked by the other connection: a write of it fails with VG_EBUSY
 * after a busy timeout of 100 ms; the lock is then released. */
static void row_locked_past_busy_timeout(struct pgf *f)
{
    struct vg_diag d = {0};
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    pg_on(f->other, "BEGIN");
    pg_on(f->other, "UPDATE \"user\" SET role = 'reader' WHERE name = 'a'");
    vg_store_busy_timeout(f->st, 100);
    assert_int_equal(vg_store_user_set_password(f->st, "a", "h", &d), VG_EBUSY);
    pg_on(f->other, "ROLLBACK");
}

static void statement_and_lock_timeouts(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    struct pg *p = pg_of(f->st);
    PGresult *r = pg_run(p, "SELECT set_config('statement_timeout', '50', false)", NULL);
    assert_non_null(r);
    PQclear(r);
    r = pg_run(p, "SELECT pg_sleep(2)", NULL);
    assert_null(r);
    assert_int_equal(pg_error(p, &d), VG_EIO);
    assert_non_null(strstr(d.message, "statement timeout"));
    r = pg_run(p, "SELECT set_config('statement_timeout', '0', false)", NULL);
    assert_non_null(r);
    PQclear(r);

    /* a row locked by another connection: VG_EBUSY after the busy timeout */
    row_locked_past_busy_timeout(f);
    assert_int_equal(vg_store_user_set_password(f->st, "a", "h", &d), 0);

    /* in a batch, once a write has waited in vain, the later ones do not wait; the next
     * batch waits again */
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    vg_store_busy_timeout(f->st, 400);
    for (int round = 0; round < 2; round++) {
        pg_on(f->other, "BEGIN");
        pg_on(f->other, "UPDATE \"user\" SET role = 'reader' WHERE name = 'a'");
        vg_store_batch_begin(f->st);
        assert_int_equal(vg_store_user_set_password(f->st, "b", "hb", &d), 0);
        double t0 = now_s();
        assert_int_equal(vg_store_user_set_password(f->st, "a", "h2", &d), VG_EBUSY);
        assert_true(now_s() - t0 >= 0.35);
        t0 = now_s();
        assert_int_equal(vg_store_user_set_password(f->st, "a", "h3", &d), VG_EBUSY);
        assert_true(now_s() - t0 < 0.2);
        assert_int_equal(vg_store_batch_commit(f->st, &d), 0);
        pg_on(f->other, "ROLLBACK");
    }
    assert_int_equal(pg_scalar_on(f->other, "SELECT count(*) FROM \"user\" WHERE name = 'b' "
                                            "AND password_hash = 'hb'"),
                     1);
    assert_int_equal(pg_scalar_on(f->other, "SELECT count(*) FROM \"user\" WHERE name = 'a' "
                                            "AND password_hash = 'h'"),
                     1);
}

static void uri_password_never_shown(void **state)
{
    (void)state;
    char out[256];
    pg_uri_redact("postgresql://vigie:s3cret@db.example:5432/v?sslmode=require", out, sizeof out);
    assert_string_equal(out, "postgresql://vigie@db.example:5432/v?sslmode=require");
    pg_uri_redact("postgres://u@/v?host=/tmp/x&password=s3cret&x=1", out, sizeof out);
    assert_string_equal(out, "postgres://u@/v?host=/tmp/x&password=***&x=1");
    pg_uri_redact("postgresql://u:p@ss@h/v", out, sizeof out);
    assert_string_equal(out, "postgresql://u@h/v");
    pg_uri_redact("postgresql://u:p%40ss@[::1]:5432/v?password=x", out, sizeof out);
    assert_string_equal(out, "postgresql://u@[::1]:5432/v?password=***");
    pg_uri_redact("postgresql://u:pw@h", out, 12); /* truncated, still without it */
    assert_string_equal(out, "postgresql:");
    vg_store_url_shown("postgres://u:pw@h/v", out, sizeof out);
    assert_string_equal(out, "postgres://u@h/v");
    vg_store_url_shown("/var/lib/vigie:pw@x.db", out, sizeof out); /* a path: as it is */
    assert_string_equal(out, "/var/lib/vigie:pw@x.db");
    pg_uri_redact("postgresql:///v?host=/tmp/a:b", out, sizeof out);
    assert_string_equal(out, "postgresql:///v?host=/tmp/a:b");

    struct vg_diag d = {0};
    struct vg_store *st =
        vg_store_open_partial("postgresql://vigie:s3cret@/nodb?host=/tmp/vigie-no-such-dir", NULL,
                              &d);
    assert_null(st);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_non_null(strstr(d.message, "postgresql://vigie@/nodb"));
    assert_null(strstr(d.message, "s3cret"));

    /* every domain is ported: the complete open connects (here to no server), and says why it
     * could not without the password */
    st = vg_store_open("postgres://vigie:s3cret@/x?host=/tmp/vigie-no-such-dir", NULL, &d);
    assert_null(st);
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_null(strstr(d.message, "incomplete"));
    assert_null(strstr(d.message, "s3cret"));
}

/* The helpers every pg_<domain>.c uses: parameters and getters, RETURNING and rows changed,
 * the audit insert, pages. */
static json_t *audit_item(const PGresult *r, int i)
{
    return json_pack("{s:I,s:s,s:o}", "id", (json_int_t)pg_get_int(r, i, 0), "actor",
                     pg_get_text(r, i, 1), "detail", pg_get_json(r, i, 2));
}

static void helpers(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    struct pg *p = pg_of(f->st);
    struct pg_params pp = {0};
    json_t *doc = json_pack("{s:s,s:i}", "quote'", "a\"b", "n", 7);
    pg_param_text(&pp, "x'; DROP TABLE audit; --");
    pg_param_int(&pp, -42);
    pg_param_json(&pp, doc);
    pg_param_text(&pp, NULL);
    unsigned char bytes[4] = {0, 0xff, 0x27, 0};
    pg_param_bytes(&pp, bytes, 4);
    PGresult *r = pg_run(p,
                         "SELECT $1::text, $2::bigint, $3::jsonb, $4::text IS NULL, "
                         "length($5::bytea), $4::text, true",
                         &pp);
    pg_params_free(&pp);
    assert_non_null(r);
    assert_string_equal(pg_get_text(r, 0, 0), "x'; DROP TABLE audit; --");
    assert_int_equal(pg_get_int(r, 0, 1), -42);
    json_t *back = pg_get_json(r, 0, 2);
    assert_true(json_equal(back, doc));
    json_decref(back);
    json_decref(doc);
    assert_true(pg_get_bool(r, 0, 3));
    assert_int_equal(pg_get_int(r, 0, 4), 4);
    assert_string_equal(pg_get_text(r, 0, 5), "");
    json_t *n = pg_get_null(r, 0, 5);
    assert_true(json_is_null(n));
    assert_true(pg_get_bool(r, 0, 6));
    PQclear(r);

    /* the connection names itself */
    char q[128];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND application_name = "
             "'vigie'",
             PQbackendPID(p->conn));
    assert_int_equal(pg_scalar_on(f->other, q), 1);

    /* the audit insert; a page of it */
    assert_int_equal(pg_audit(p, NULL, "a.b", "o:1", NULL), 0);
    json_t *det = json_pack("{s:i}", "k", 2);
    assert_int_equal(pg_audit(p, &who, "a.c", "o:2", det), 0);
    json_decref(det);
    struct pg_params lim = {0};
    pg_param_int(&lim, 1 + 1);
    r = pg_run(p, "SELECT id, actor, detail FROM audit ORDER BY id LIMIT $1", &lim);
    assert_non_null(r);
    json_t *page = pg_page(r, 1, audit_item);
    PQclear(r);
    json_t *it = json_array_get(json_object_get(page, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(it, "actor")), "system");
    assert_int_equal(json_object_size(json_object_get(it, "detail")), 0);
    long long id;
    assert_int_equal(sq_cursor_read(json_string_value(json_object_get(page, "next_cursor")), &id,
                                    &d),
                     0);
    assert_int_equal(id, json_integer_value(json_object_get(it, "id")));
    json_decref(page);
    assert_int_equal(pg_scalar_on(f->other, "SELECT count(*) FROM audit WHERE actor = 'tester' "
                                            "AND action = 'a.c' AND detail::jsonb ->> 'k' = '2'"),
                     1);

    /* pg_write: RETURNING, rows changed, a failure undone alone */
    long long uid = 0, changes = -1;
    struct pg_params u = {0};
    pg_param_text(&u, "w");
    assert_int_equal(pg_write(p,
                              "INSERT INTO \"user\"(name, role, created) VALUES ($1, 'reader', "
                              "'now') RETURNING id",
                              &u, &changes, &uid, &d),
                     0);
    assert_true(uid > 0);
    assert_int_equal(changes, 1);
    assert_int_equal(pg_write(p,
                              "INSERT INTO \"user\"(name, role, created) VALUES ($1, 'reader', "
                              "'now') RETURNING id",
                              &u, &changes, &uid, &d),
                     VG_EEXIST);
    assert_non_null(strstr(d.message, "already exists"));
    assert_int_equal(pg_write(p, "UPDATE \"user\" SET role = 'analyst' WHERE name = $1", &u,
                              &changes, NULL, &d),
                     0);
    assert_int_equal(changes, 1);
}

/* ---- the users domain, one body for both backends ---- */

struct backend {
    struct vg_store *a, *b; /* two connections on one database */
    void (*sql)(void *ctx, const char *sql);
    long long (*scalar)(void *ctx, const char *sql);
    void *ctx;
};

static void users_body(const struct backend *be)
{
    struct vg_store *a = be->a, *b = be->b;
    struct vg_diag d = {0};
    long long alice, again, bob;
    assert_int_equal(vg_store_user_ensure(a, "alice", "admin", &alice, &d), 0);
    assert_true(alice > 0);
    assert_int_equal(vg_store_user_ensure(a, "alice", "reader", &again, &d), 0);
    assert_int_equal(again, alice);
    json_t *u = NULL;
    assert_int_equal(vg_store_user_get(b, "alice", &u), 0);
    assert_int_equal(json_integer_value(json_object_get(u, "id")), alice);
    assert_string_equal(json_string_value(json_object_get(u, "role")), "admin");
    assert_string_equal(json_string_value(json_object_get(u, "name")), "alice");
    assert_true(strlen(json_string_value(json_object_get(u, "created"))) >= 20);
    assert_true(json_is_false(json_object_get(u, "disabled")));
    assert_true(json_is_null(json_object_get(u, "password_hash")));
    json_decref(u);
    assert_int_equal(vg_store_user_set_password(a, "alice", "$argon2id$h1", &d), 0);
    assert_int_equal(vg_store_user_set_password(a, "nobody", "h", &d), VG_ENOENT);
    assert_int_equal(vg_store_user_get(b, "nobody", &u), VG_ENOENT);
    assert_int_equal(vg_store_user_get(b, "alice", &u), 0);
    assert_string_equal(json_string_value(json_object_get(u, "password_hash")), "$argon2id$h1");
    json_decref(u);
    assert_int_equal(vg_store_user_ensure(a, "bob", "analyst", &bob, &d), 0);
    json_t *l = NULL;
    assert_int_equal(vg_store_user_list(b, &l), 0);
    assert_int_equal(json_array_size(l), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "name")), "alice");
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 1), "name")), "bob");
    assert_null(json_object_get(json_array_get(l, 0), "password_hash"));
    json_decref(l);

    /* tokens */
    unsigned char h1[32] = {0xa1}, h2[32] = {0xb2};
    long long t1, t2;
    assert_int_equal(vg_store_token_add(a, alice, h1, "laptop", "api", NULL, &t1, &d), 0);
    assert_int_equal(vg_store_token_add(a, bob, h2, NULL, "login", "2030-01-01T00:00:00Z", &t2, &d),
                     0);
    assert_true(t2 > t1);
    struct vg_actor as;
    struct vg_token_meta meta;
    assert_int_equal(vg_store_token_lookup(b, h1, &as, &meta), 0);
    assert_int_equal(as.user_id, alice);
    assert_string_equal(as.name, "alice");
    assert_string_equal(as.role, "admin");
    assert_int_equal(meta.id, t1);
    assert_string_equal(meta.kind, "api");
    assert_string_equal(meta.expires, "");
    assert_string_equal(meta.last_used, "");
    assert_int_equal(vg_store_token_lookup(b, h2, &as, &meta), 0);
    assert_int_equal(as.user_id, bob);
    assert_string_equal(meta.kind, "login");
    assert_string_equal(meta.expires, "2030-01-01T00:00:00Z");
    unsigned char h3[32] = {0xc3};
    assert_int_equal(vg_store_token_lookup(b, h3, &as, &meta), VG_ENOENT);

    /* last use: recorded, never moved back */
    assert_int_equal(vg_store_token_touch(a, t1, "2026-01-02T00:00:00Z", &d), 0);
    assert_int_equal(vg_store_token_touch(a, t1, "2026-01-01T00:00:00Z", &d), 0);
    assert_int_equal(vg_store_token_lookup(a, h1, &as, &meta), 0);
    assert_string_equal(meta.last_used, "2026-01-02T00:00:00Z");

    /* revoked through a, refused through b (which found it valid before) */
    assert_int_equal(vg_store_token_revoke(a, t1, bob, &d), VG_ENOENT); /* not bob's */
    assert_int_equal(vg_store_token_lookup(b, h1, &as, &meta), 0);
    assert_int_equal(vg_store_token_revoke(a, t1, 0, &d), 0);
    assert_int_equal(vg_store_token_lookup(b, h1, &as, &meta), VG_ENOENT);
    assert_int_equal(vg_store_token_revoke(a, t1, 0, &d), VG_ENOENT);
    /* a user disabled by another process: its tokens refused */
    assert_int_equal(vg_store_token_lookup(b, h2, &as, &meta), 0);
    be->sql(be->ctx, "UPDATE \"user\" SET disabled = 1 WHERE name = 'bob'");
    assert_int_equal(vg_store_token_lookup(b, h2, &as, &meta), VG_ENOENT);
    assert_int_equal(vg_store_user_get(b, "bob", &u), 0);
    assert_true(json_is_true(json_object_get(u, "disabled")));
    json_decref(u);

    /* prune: the newest login token kept */
    long long last = 0;
    for (unsigned char i = 0; i < 3; i++) {
        unsigned char h[32] = {0xd0, i};
        assert_int_equal(vg_store_token_add(a, alice, h, "", "login", NULL, &last, &d), 0);
    }
    assert_int_equal(vg_store_token_prune(a, alice, "login", 1, &d), 0);
    assert_int_equal(vg_store_token_list(b, alice, &l), 0);
    assert_int_equal(json_array_size(l), 4);
    int live = 0;
    size_t i;
    json_t *t;
    json_array_foreach(l, i, t) {
        if (json_is_null(json_object_get(t, "revoked"))) {
            live++;
            assert_int_equal(json_integer_value(json_object_get(t, "id")), last);
        }
    }
    assert_int_equal(live, 1);
    t = json_array_get(l, 0);
    assert_string_equal(json_string_value(json_object_get(t, "label")), "laptop");
    assert_string_equal(json_string_value(json_object_get(t, "kind")), "api");
    assert_string_equal(json_string_value(json_object_get(t, "last_used")), "2026-01-02T00:00:00Z");
    assert_true(json_is_null(json_object_get(t, "expires")));
    assert_true(json_is_string(json_object_get(t, "revoked")));
    json_decref(l);

    /* the intake log */
    json_t *e =
        json_pack("{s:s,s:s,s:s,s:s,s:s}", "client", "192.0.2.1", "decision", "accepted",
                  "reporter_email", "r@example.org", "org_name", "Org", "org_kind", "operator");
    assert_int_equal(vg_store_intake_log(a, e, &d), 0);
    json_decref(e);
    assert_int_equal(be->scalar(be->ctx, "SELECT count(*) FROM intake WHERE decision = "
                                         "'accepted' AND incident_ref IS NULL"),
                     1);

    /* the audit log, newest first, in pages */
    for (int k = 0; k < 3; k++)
        be->sql(be->ctx, "INSERT INTO audit(at, actor, action, object, detail) "
                         "VALUES ('2026-01-01T00:00:00Z', 'tester', 'x.y', 'o:1', '{\"k\":1}')");
    struct vg_page pg = {.limit = 2};
    json_t *page = NULL;
    assert_int_equal(vg_store_audit_list(b, &pg, &page, &d), 0);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 2);
    long long first = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    long long second = json_integer_value(json_object_get(json_array_get(items, 1), "id"));
    assert_true(first > second);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(items, 0),
                                                                        "detail"),
                                                        "k")),
                     1);
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg.cursor = cursor;
    assert_int_equal(vg_store_audit_list(b, &pg, &page, &d), 0);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
    assert_true(json_is_null(json_object_get(page, "next_cursor")));
    json_decref(page);
    pg.cursor = "zz";
    assert_int_equal(vg_store_audit_list(b, &pg, &page, &d), VG_EINVAL);
}

static void sqlite_sql(void *ctx, const char *sql)
{
    exec_on(ctx, sql);
}

static long long sqlite_scalar(void *ctx, const char *sql)
{
    return scalar_on(ctx, sql);
}

/* store_fixture.h's SQLite file, and a second connection on it */
static void users_on_sqlite(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d = {0};
    struct backend be = {.a = f->st, .sql = sqlite_sql, .scalar = sqlite_scalar, .ctx = f->path};
    be.b = vg_store_open(f->path, NULL, &d);
    assert_non_null(be.b);
    users_body(&be);
    vg_store_close(be.b);
}

static void pg_sql(void *ctx, const char *sql)
{
    pg_on(ctx, sql);
}

static long long pg_scalar(void *ctx, const char *sql)
{
    return pg_scalar_on(ctx, sql);
}

static void users_on_pg(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    struct backend be = {.a = f->st, .sql = pg_sql, .scalar = pg_scalar, .ctx = f->other};
    be.b = vg_store_open_partial(f->uri, NULL, &d);
    assert_non_null(be.b);
    users_body(&be);
    vg_store_close(be.b);
}

/* Each advisory lock of the backend has its own key: two sharing one would make unrelated
 * writers wait for each other (and may deadlock). */
static void lock_keys_distinct(void **state)
{
    (void)state;
    const char *const keys[] = {PG_MIGRATE_LOCK, PG_OBSERVABLE_LOCK, PG_REPORT_QUEUE_LOCK,
                                PG_FINDINGS_LOCK};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        for (size_t j = i + 1; j < sizeof keys / sizeof keys[0]; j++)
            assert_string_not_equal(keys[i], keys[j]);
}

/* Asserts that st's connection has statement_timeout want (as SHOW gives it). */
static void timeout_is(struct vg_store *st, const char *want)
{
    PGresult *r = pg_run(pg_of(st), "SHOW statement_timeout", NULL);
    assert_non_null(r);
    assert_string_equal(pg_get_text(r, 0, 0), want);
    PQclear(r);
}

/* The statement timeout a connection gets: vigie's default (a minute), unless the URI's
 * options set one; a reconnection applies it again; none for a batch command's. */
static void default_statement_timeout(void **state)
{
    struct pgf *f = *state;
    timeout_is(f->st, "1min");
    /* cut, then reconnected by the next call: the default again */
    kill_backend(f);
    timeout_is(f->st, "1min");
    /* the URI's own wins */
    char uri[700];
    snprintf(uri, sizeof uri, "%s&options=-c%%20statement_timeout%%3D1234", f->uri);
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_pg_connect(uri, false, &d);
    assert_non_null(st);
    timeout_is(st, "1234ms");
    vg_store_close(st);
    /* a batch command's connection (vg_store_config.bulk): none, PostgreSQL's 0, also after a
     * reconnection; the URI's own still applies to it */
    st = vg_store_pg_connect(f->uri, true, &d);
    assert_non_null(st);
    timeout_is(st, "0");
    kill_backend_of(f, st);
    timeout_is(st, "0");
    vg_store_close(st);
    st = vg_store_pg_connect(uri, true, &d);
    assert_non_null(st);
    timeout_is(st, "1234ms");
    vg_store_close(st);
    /* vg_store_open with the bulk configuration, as the batch commands open it */
    struct vg_store_config cfg = {.bulk = true};
    st = vg_store_open(f->uri, &cfg, &d);
    assert_non_null(st);
    timeout_is(st, "0");
    vg_store_close(st);
}

/* vg_store_outage: a failure that passes (statement timeout, lock timeout, the server gone)
 * is told once with a message naming neither the URI nor its folder; a fault (a constraint)
 * is not one; SQLite never has one. */
static void outage_told_once(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    struct pg *p = pg_of(f->st);
    assert_false(vg_store_outage(f->st, &d));
    PGresult *r = pg_run(p, "SELECT set_config('statement_timeout', '50', false)", NULL);
    PQclear(r);
    assert_null(pg_run(p, "SELECT pg_sleep(2)", NULL));
    assert_true(vg_store_outage(f->st, &d));
    assert_non_null(strstr(d.message, "statement timeout"));
    assert_false(vg_store_outage(f->st, &d)); /* forgotten */
    r = pg_run(p, "SELECT set_config('statement_timeout', '0', false)", NULL);
    PQclear(r);
    /* a fault: a token of a user that does not exist */
    static const unsigned char h[32] = {9};
    assert_int_equal(vg_store_token_add(f->st, 99999, h, "z", "api", NULL, NULL, &d), VG_EIO);
    assert_false(vg_store_outage(f->st, &d));
    /* a row lock past the busy timeout */
    row_locked_past_busy_timeout(f);
    assert_true(vg_store_outage(f->st, &d));
    assert_non_null(strstr(d.message, "busy"));
    /* the server stopped: a batch's writes and its commit fail, each an outage */
    pg_cluster_ctl("stop");
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), VG_EIO);
    assert_true(vg_store_outage(f->st, &d));
    assert_non_null(strstr(d.message, "database unavailable"));
    assert_null(strstr(d.message, "postgresql://"));
    assert_null(strstr(d.message, "/tmp/"));
    assert_int_equal(vg_store_batch_commit(f->st, &d), 0); /* its BEGIN failed: none open */
    pg_cluster_ctl("restart");
    assert_int_equal(vg_store_user_ensure(f->st, "b", "analyst", NULL, &d), 0);
    assert_false(vg_store_outage(f->st, &d));
    PQreset(f->other);
}

/* A batch whose transaction was lost to a statement timeout outside any write's savepoint (a
 * read of the batch): its commit fails, and that is an outage too (the server answers 503). */
static void batch_lost_to_timeout_is_outage(void **state)
{
    struct pgf *f = *state;
    struct vg_diag d = {0};
    struct pg *p = pg_of(f->st);
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "a", "analyst", NULL, &d), 0);
    PGresult *r = pg_run(p, "SELECT set_config('statement_timeout', '50', true)", NULL);
    PQclear(r);
    assert_null(pg_run(p, "SELECT pg_sleep(2)", NULL));
    assert_true(vg_store_outage(f->st, &d)); /* the read's own */
    assert_int_equal(vg_store_batch_commit(f->st, &d), VG_EIO);
    assert_true(vg_store_outage(f->st, &d));
    assert_int_equal(users_named(f, "a"), 0);
    /* a batch lost to a fault is not one */
    vg_store_batch_begin(f->st);
    assert_int_equal(vg_store_user_ensure(f->st, "c", "analyst", NULL, &d), 0);
    assert_null(pg_run(p, "SELECT no_such_column FROM \"user\"", NULL));
    assert_false(vg_store_outage(f->st, &d));
    assert_int_equal(vg_store_batch_commit(f->st, &d), VG_EIO);
    assert_false(vg_store_outage(f->st, &d));
}

static void outage_never_on_sqlite(void **state)
{
    struct fixture *f = *state;
    struct vg_store *st = f->st;
    struct vg_diag d = {0};
    static const unsigned char h[32] = {9};
    assert_int_equal(vg_store_token_add(st, 99999, h, "z", "api", NULL, NULL, &d), VG_EIO);
    assert_false(vg_store_outage(st, &d));
}

/* Creates an incident with one observable, value; its reference into ref. */
static void incident_with(struct vg_store *st, const char *value, char ref[64])
{
    static const struct vg_actor tester = {1, "tester", "admin", 0};
    json_t *in = json_pack("{s:s,s:s,s:s,s:[{s:s}]}", "title", "t", "class", "fraud", "type",
                           "phishing", "observables", "value", value);
    json_t *inc = NULL, *out = NULL;
    struct vg_incident_new rec = {0};
    struct vg_diag d = {0};
    assert_int_equal(vg_incident_check(in, VG_CHECK_CREATE, &inc, &d), 0);
    assert_int_equal(vg_incident_new_from_json(inc, &rec, &d), 0);
    assert_int_equal(vg_store_incident_create(st, &tester, &rec, &out, &d), 0);
    snprintf(ref, 64, "%s", json_string_value(json_object_get(out, "ref")));
    vg_incident_new_cleanup(&rec);
    json_decref(in);
    json_decref(inc);
    json_decref(out);
}

/* The correlation index catches up in chunks of 10,000 rows (pg_corr.c): a first lookup with
 * exactly two chunks to read reads them both, and the next one the row written after. */
static void related_catch_up_in_chunks(void **state)
{
    struct pgf *f = *state;
    char a[64], c[64];
    incident_with(f->st, "chunk.example", a);
    pg_on(f->other, "INSERT INTO observable(incident_id, type, value, created) "
                    "SELECT (SELECT max(id) FROM incident), 'domain-name', "
                    "'f' || g || '.filler.example', 'T' FROM generate_series(1, 19999) g");
    assert_int_equal(pg_scalar_on(f->other, "SELECT count(*) FROM observable"), 20000);
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(f->st, a, 10, &rel), 0);
    assert_int_equal(rel.n, 0);
    vg_related_list_free(&rel);
    assert_int_equal(pg_corr_last(pg_of(f->st)),
                     pg_scalar_on(f->other, "SELECT max(id) FROM observable"));
    incident_with(f->st, "chunk.example", c);
    assert_int_equal(vg_store_incident_related(f->st, a, 10, &rel), 0);
    assert_int_equal(rel.n, 1);
    assert_string_equal(rel.v[0].ref, c);
    vg_related_list_free(&rel);
}

/* A read-only store on f's database (a server's reader connection). */
static struct vg_store *reader_on(struct pgf *f)
{
    struct vg_diag d = {0};
    struct vg_store *st = vg_store_open_partial(f->uri, NULL, &d);
    if (!st || vg_store_read_only(st, &d) != 0)
        fail_msg("reader on %s: %s", f->uri, d.message);
    return st;
}

/* The references related to ref as st finds them, comma-separated, in its order. */
static void related_refs(struct vg_store *st, const char *ref, char *out, size_t cap)
{
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(st, ref, 50, &rel), 0);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < rel.n && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", rel.v[i].ref);
    vg_related_list_free(&rel);
}

/* The read-only connections of one process share one correlation index (pg_corr.c): the
 * second reader does not load it again, and each sees what the other caught up with and what
 * was written since; a read-write connection keeps its own, so that rows its transaction
 * wrote and rolled back never reach the shared one. */
static void related_index_shared_by_readers(void **state)
{
    struct pgf *f = *state;
    char a[64], b[64], c[64], x[64];
    incident_with(f->st, "one.shared.example", a);
    incident_with(f->st, "two.shared.example", b);
    struct vg_store *r1 = reader_on(f), *r2 = reader_on(f);
    char got[512];
    related_refs(r1, a, got, sizeof got);
    assert_string_equal(got, "");
    long long last = pg_scalar_on(f->other, "SELECT max(id) FROM observable");
    assert_int_equal(pg_corr_last(pg_of(r1)), last);
    assert_int_equal(pg_corr_last(pg_of(r2)), 0); /* none until its first lookup */
    related_refs(r2, b, got, sizeof got);
    assert_string_equal(got, "");
    assert_true(pg_corr_same(pg_of(r1), pg_of(r2))); /* r1's, not a second one */
    assert_int_equal(pg_corr_last(pg_of(r2)), last);

    /* written after both loaded it: seen by each, whichever catches up first */
    incident_with(f->st, "shared.example", c);
    related_refs(r2, a, got, sizeof got);
    assert_string_equal(got, c);
    related_refs(r1, b, got, sizeof got);
    assert_string_equal(got, c);

    /* a write rolled back: the writer saw it in its own index, the readers never */
    struct vg_diag d = {0};
    assert_int_equal(vg_store_tx_begin(f->st, &d), 0);
    incident_with(f->st, "three.shared.example", x);
    related_refs(f->st, x, got, sizeof got);
    assert_string_equal(got, c);
    assert_false(pg_corr_same(pg_of(f->st), pg_of(r1)));
    related_refs(r1, c, got, sizeof got);
    vg_store_tx_rollback(f->st);
    related_refs(r1, c, got, sizeof got);
    char want[160];
    snprintf(want, sizeof want, "%s,%s", b, a); /* the newest first */
    assert_string_equal(got, want);
    vg_store_close(r1);
    related_refs(r2, c, got, sizeof got); /* the index outlives the reader that loaded it */
    assert_string_equal(got, want);
    vg_store_close(r2);
}

struct looker {
    struct pgf *f;
    const char *ref;
    int rounds;
    char last[2048]; /* the answer of the last round */
    int rc;
};

static void *look_up_loop(void *arg)
{
    struct looker *l = arg;
    struct vg_store *st = reader_on(l->f);
    for (int i = 0; i < l->rounds && l->rc == 0; i++) {
        struct vg_related_list rel;
        l->rc = vg_store_incident_related(st, l->ref, 50, &rel);
        if (l->rc == 0) {
            size_t n = 0;
            l->last[0] = '\0';
            for (size_t k = 0; k < rel.n && n < sizeof l->last; k++)
                n += (size_t)snprintf(l->last + n, sizeof l->last - n, "%s%s", k ? "," : "",
                                      rel.v[k].ref);
            vg_related_list_free(&rel);
        }
    }
    vg_store_close(st);
    return NULL;
}

/* Four reader threads look up at once while incidents are written: none fails, and once the
 * writes are done every reader's answer is a fresh connection's (run under ASan by make test:
 * a lookup racing a catch-up's adds would show there). */
static void related_index_threads(void **state)
{
    struct pgf *f = *state;
    char q[64], r[64];
    incident_with(f->st, "10.9.0.0/16", q);
    struct looker l[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        l[i] = (struct looker){.f = f, .ref = q, .rounds = 60};
        assert_int_equal(pthread_create(&th[i], NULL, look_up_loop, &l[i]), 0);
    }
    for (int i = 0; i < 40; i++) { /* networks and addresses: the sorted tail grows too */
        char v[32];
        snprintf(v, sizeof v, i % 2 ? "10.9.%d.%d" : "10.9.%d.0/24", i, i);
        incident_with(f->st, v, r);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(l[i].rc, 0);
    }
    struct looker last = {.f = f, .ref = q, .rounds = 1};
    look_up_loop(&last);
    assert_int_equal(last.rc, 0);
    assert_int_equal((int)(strlen(last.last) > 0), 1);
    struct vg_related_list rel;
    assert_int_equal(vg_store_incident_related(f->st, q, 50, &rel), 0);
    assert_int_equal(rel.n, 40); /* every one relates to q's network */
    vg_related_list_free(&rel);
    char fresh[2048];
    related_refs(f->st, q, fresh, sizeof fresh);
    assert_string_equal(last.last, fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(tx_commit_rollback_nest, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(tx_failing_write_alone, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(savepoints_deferred, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(batch_group_commit, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(read_snapshot, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(read_only_refuses_writes, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(migrate_twice_is_once, pg_setup, pg_teardown),
        cmocka_unit_test(migrate_concurrently),
        cmocka_unit_test_setup_teardown(killed_connection_recovers, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(batch_after_idle_kill, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(server_restart_recovers, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(statement_and_lock_timeouts, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(default_statement_timeout, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(outage_told_once, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(batch_lost_to_timeout_is_outage, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(outage_never_on_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(related_catch_up_in_chunks, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(related_index_shared_by_readers, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(related_index_threads, pg_setup, pg_teardown),
        cmocka_unit_test(uri_password_never_shown),
        cmocka_unit_test_setup_teardown(helpers, pg_setup, pg_teardown),
        cmocka_unit_test_setup_teardown(users_on_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(users_on_pg, pg_setup, pg_teardown),
        cmocka_unit_test(lock_keys_distinct),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
