/* Two connections on one database of either backend, for the tests that run one body on
 * SQLite and on PostgreSQL (test_pg_<domain>.c): a SQLite file in a temporary folder, or a
 * fresh database of pg_fixture.h's cluster (with a connection of the test's own). Include
 * after pg_fixture.h. */
#ifndef VG_TEST_PG_TWO_H
#define VG_TEST_PG_TWO_H

#include <sqlite3.h>

#include "store/store.h"

struct two {
    struct vg_store *a, *b; /* two connections on one database */
    char dir[64];           /* SQLite: the temporary directory */
    char name[32];          /* PostgreSQL: the database */
    char path[600];         /* the file or the URI */
    PGconn *raw;            /* PostgreSQL: a connection of the test's own */
};

static inline void open_sqlite(struct two *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/vigie-pgtwo-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/v.db", t->dir);
    struct vg_diag d = {0};
    t->a = vg_store_open(t->path, NULL, &d);
    assert_non_null(t->a);
    t->b = vg_store_open(t->path, NULL, &d);
    assert_non_null(t->b);
}

static inline void open_pg(struct two *t)
{
    memset(t, 0, sizeof *t);
    pg_db_new(t->name, t->path);
    struct vg_diag d = {0};
    t->a = vg_store_open_partial(t->path, NULL, &d);
    if (!t->a)
        fail_msg("open %s: %s", t->path, d.message);
    t->b = vg_store_open_partial(t->path, NULL, &d);
    assert_non_null(t->b);
    t->raw = pg_other(t->path);
}

static inline void close_two(struct two *t)
{
    vg_store_close(t->a);
    vg_store_close(t->b);
    if (t->raw)
        PQfinish(t->raw);
    if (t->dir[0]) {
        char cmd[96];
        snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
        assert_int_equal(system(cmd), 0);
    }
    if (t->name[0])
        pg_db_drop(t->name);
}

/* Runs sql outside the store (another program on the same database). */
static inline void raw_sql(struct two *t, const char *sql)
{
    if (t->raw) {
        pg_on(t->raw, sql);
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

#endif
