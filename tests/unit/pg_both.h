/* One test body run on both backends (issue 16): a SQLite file and a database of the
 * PostgreSQL cluster of pg_fixture.h, each opened twice (two connections: "another process"),
 * with a raw SQL door for fixtures and checks. Include after pg_fixture.h. */
#ifndef VG_TEST_PG_BOTH_H
#define VG_TEST_PG_BOTH_H

#include <jansson.h>
#include <sqlite3.h>

#include "store/store.h"

struct backend {
    const char *name;       /* "sqlite", "pg" */
    struct vg_store *a, *b; /* two connections on one database */
    char path[600];         /* the SQLite file or the PostgreSQL URI */
    char dir[64];           /* SQLite: its directory */
    char db[32];            /* PostgreSQL: the database's name */
    PGconn *other;          /* PostgreSQL: the test's own connection */
};

static inline void be_sql(const struct backend *be, const char *sql)
{
    if (be->other) {
        pg_on(be->other, sql);
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(be->path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(db);
}

static long long be_scalar(const struct backend *be, const char *sql)
{
    if (be->other)
        return pg_scalar_on(be->other, sql);
    sqlite3 *db;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(be->path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static void be_open(struct backend *be, bool pg)
{
    memset(be, 0, sizeof *be);
    struct vg_diag d = {0};
    if (pg) {
        be->name = "pg";
        pg_db_new(be->db, be->path);
        be->a = vg_store_open_partial(be->path, NULL, &d);
        if (!be->a)
            fail_msg("open %s: %s", be->path, d.message);
        be->b = vg_store_open_partial(be->path, NULL, &d);
        be->other = pg_other(be->path);
    } else {
        be->name = "sqlite";
        snprintf(be->dir, sizeof be->dir, "/tmp/vigie-pgboth-XXXXXX");
        assert_non_null(mkdtemp(be->dir));
        snprintf(be->path, sizeof be->path, "%s/v.db", be->dir);
        be->a = vg_store_open(be->path, NULL, &d);
        if (!be->a)
            fail_msg("open %s: %s", be->path, d.message);
        be->b = vg_store_open(be->path, NULL, &d);
    }
    assert_non_null(be->b);
}

static void be_close(struct backend *be)
{
    vg_store_close(be->a);
    vg_store_close(be->b);
    if (be->other) {
        PQfinish(be->other);
        pg_db_drop(be->db);
    } else {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", be->dir);
        assert_int_equal(system(cmd), 0);
    }
}

/* Replaces the string values of the keys in times (a NULL-ended list) by "T", anywhere in v:
 * the moments two runs cannot share; null stays null (its meaning is compared). */
static void blank_times(json_t *v, const char *const *times)
{
    size_t i;
    const char *k;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
            blank_times(x, times);
    } else if (json_is_object(v)) {
        json_object_foreach(v, k, x) {
            bool t = false;
            for (const char *const *n = times; *n; n++)
                t = t || strcmp(*n, k) == 0;
            if (t && json_is_string(x))
                json_object_set_new(v, k, json_string("T"));
            else
                blank_times(x, times);
        }
    }
}

/* Fails showing both traces when they differ. */
static void traces_equal(json_t *s, json_t *p, unsigned seed)
{
    if (json_equal(s, p))
        return;
    char *a = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    char *b = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t from = i > 200 ? i - 200 : 0;
    fail_msg("seed %u: the backends differ at %zu:\nsqlite: %.400s\npg:     %.400s", seed, i,
             a + from, b + from);
}

#endif
