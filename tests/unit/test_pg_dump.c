/* Unit tests of store/dump.h on the PostgreSQL backend (pg_dump.c) against the SQLite one
 * (sqlite_dump.c), on a real SQLite file and a real PostgreSQL 15 cluster: the same tables,
 * columns and keys on both; an instance seeded on SQLite (seeded rows of random size and
 * content: texts with UTF-8 and quotes, NULLs, integral and fractional reals, blobs with NUL
 * bytes, products maintained by triggers, findings with a gap below the AUTOINCREMENT mark)
 * loaded into PostgreSQL gives equal rows, counts and checksums for every table, its
 * identities continue after the copied ids (finding's after the mark); the PostgreSQL instance
 * copied back to a new SQLite file gives equal checksums again; a refused value rolls the
 * whole load back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "store/dump.h"
#include "store_fixture.h"
#include "pg_fixture.h"
#include "util/mem.h"

#define CHUNK 100

/* A copy of rows of one table from src into dst, CHUNK rows at a time (as app/dbcopy.c). */
struct chunk {
    struct vg_store *dst;
    const struct vg_dump_table *t;
    struct vg_dump_value v[CHUNK * VG_DUMP_COLS_MAX];
    size_t nrows;
    struct vg_diag *d;
};

static void chunk_drop(struct chunk *c)
{
    for (size_t i = 0; i < c->nrows * c->t->ncols; i++)
        if (c->v[i].type == VG_DUMP_TEXT || c->v[i].type == VG_DUMP_BLOB)
            free((void *)c->v[i].p);
    c->nrows = 0;
}

static int chunk_flush(struct chunk *c)
{
    int rc = c->nrows ? vg_store_dump_load_rows(c->dst, c->t, c->v, c->nrows, c->d) : 0;
    chunk_drop(c);
    return rc;
}

static int chunk_row(void *ctx, const struct vg_dump_value *row, size_t n)
{
    struct chunk *c = ctx;
    struct vg_dump_value *to = &c->v[c->nrows * c->t->ncols];
    for (size_t i = 0; i < n; i++) {
        to[i] = row[i];
        if (row[i].type == VG_DUMP_TEXT || row[i].type == VG_DUMP_BLOB) {
            char *p = malloc(row[i].len + 1);
            assert_non_null(p);
            memcpy(p, row[i].p ? row[i].p : "", row[i].len);
            to[i].p = p;
        }
    }
    c->nrows++;
    return c->nrows == CHUNK ? chunk_flush(c) : 0;
}

/* Both stores' tables, checked equal (names, columns, keys, in the same order). */
static void same_tables(struct vg_store *a, struct vg_store *b, struct vg_dump_table **ta,
                        size_t *n)
{
    struct vg_diag d;
    struct vg_dump_table *tb;
    size_t nb;
    assert_int_equal(vg_store_dump_tables(a, ta, n, &d), 0);
    assert_int_equal(vg_store_dump_tables(b, &tb, &nb, &d), 0);
    assert_int_equal(*n, nb);
    assert_true(*n > 40);
    for (size_t i = 0; i < nb; i++) {
        struct vg_dump_table *x = &(*ta)[i], *y = &tb[i];
        if (strcmp(x->name, y->name) != 0)
            fail_msg("table %zu: %s / %s", i, x->name, y->name);
        assert_int_equal(x->ncols, y->ncols);
        for (size_t c = 0; c < x->ncols; c++)
            if (strcmp(x->cols[c], y->cols[c]) != 0)
                fail_msg("table %s column %zu: %s / %s", x->name, c, x->cols[c], y->cols[c]);
        assert_int_equal(x->nkey, y->nkey);
        for (size_t k = 0; k < x->nkey; k++)
            assert_int_equal(x->key[k], y->key[k]);
        assert_int_equal(x->implicit_id, y->implicit_id);
        assert_int_equal(x->seeded, y->seeded);
    }
    free(tb);
}

/* Copies every table of src into dst (dst fresh), as `vigie db copy` does. */
static void copy_all(struct vg_store *src, struct vg_store *dst, const struct vg_dump_table *t,
                     size_t n)
{
    struct vg_diag d = {0};
    struct chunk *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->dst = dst;
    c->d = &d;
    assert_int_equal(vg_store_dump_load_begin(dst, &d), 0);
    for (size_t i = 0; i < n; i++) {
        c->t = &t[i];
        if (t[i].seeded && vg_store_dump_load_clear(dst, &t[i], &d))
            fail_msg("clear %s: %s", t[i].name, d.message);
        int rc = vg_store_dump_rows(src, &t[i], chunk_row, c, &d);
        if (!rc)
            rc = chunk_flush(c);
        else
            chunk_drop(c);
        if (!rc)
            rc = vg_store_dump_load_ids(dst, &t[i], &d);
        if (rc)
            fail_msg("copy %s: %d %s", t[i].name, rc, d.message);
    }
    free(c);
    if (vg_store_dump_load_end(dst, true, &d))
        fail_msg("load_end: %s", d.message);
}

/* Equal counts and checksums for every table; returns the rows compared. */
static long long same_sums(struct vg_store *a, struct vg_store *b, const struct vg_dump_table *t,
                           size_t n)
{
    struct vg_diag d;
    long long total = 0;
    for (size_t i = 0; i < n; i++) {
        struct vg_dump_sum sa, sb;
        long long ca, cb;
        if (vg_store_dump_checksum(a, &t[i], &sa, &d) || vg_store_dump_checksum(b, &t[i], &sb, &d))
            fail_msg("checksum %s: %s", t[i].name, d.message);
        assert_int_equal(vg_store_dump_count(a, &t[i], &ca, &d), 0);
        assert_int_equal(vg_store_dump_count(b, &t[i], &cb, &d), 0);
        assert_int_equal(ca, sa.rows);
        assert_int_equal(cb, sb.rows);
        if (sa.rows != sb.rows || memcmp(sa.sha256, sb.sha256, 32) != 0)
            fail_msg("table %s: %lld / %lld rows, checksums %s", t[i].name, sa.rows, sb.rows,
                     memcmp(sa.sha256, sb.sha256, 32) ? "differ" : "equal");
        total += sa.rows;
    }
    return total;
}

static const struct vg_dump_table *find(const struct vg_dump_table *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    fail_msg("no table %s", name);
    return NULL;
}

/* Seeds the SQLite file at path: random rows (seed printed) through its own SQL, triggers on. */
static void seed_sqlite(const char *path, unsigned seed)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON; BEGIN", NULL, NULL, NULL),
                     SQLITE_OK);
    srand(seed);
    int nusers = 5 + rand() % 20, norgs = 3 + rand() % 10, nvulns = 10 + rand() % 200;
    sqlite3_stmt *q;
    const char *u = "INSERT INTO user(id, name, role, password_hash, created, disabled) "
                    "VALUES (?, ?, ?, ?, '2026-01-02T03:04:05Z', ?)";
    assert_int_equal(sqlite3_prepare_v2(db, u, -1, &q, NULL), SQLITE_OK);
    static const char *const roles[] = {"admin", "analyst", "reader"};
    static const char *const names[] = {"zoé", "Zed", "a'b", "é\"x", "_u", "Ab", "ab", "~"};
    for (int i = 1; i <= nusers; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%d", names[rand() % 8], i);
        sqlite3_bind_int64(q, 1, i * 3 + (i == nusers ? 9000000000000LL : 0));
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, roles[rand() % 3], -1, SQLITE_STATIC);
        if (rand() % 3)
            sqlite3_bind_text(q, 4, "$argon2id$v=19$x", -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 4);
        sqlite3_bind_int(q, 5, rand() % 2);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    sqlite3_finalize(q);
    const char *tk = "INSERT INTO token(user_id, hash, label, created) VALUES (?, ?, ?, "
                     "'2026-01-02T03:04:05Z')";
    if (sqlite3_prepare_v2(db, tk, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", tk, sqlite3_errmsg(db));
    for (int i = 1; i < nusers; i++) {
        unsigned char hash[32];
        for (int k = 0; k < 32; k++)
            hash[k] = (unsigned char)(k % 5 ? rand() : 0); /* NUL bytes inside */
        sqlite3_bind_int64(q, 1, i * 3);
        sqlite3_bind_blob(q, 2, hash, 32, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, i % 2 ? "" : "ci\nlabel", -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    const char *o = "INSERT INTO org(id, name, kind, sector, assets, created, updated) VALUES "
                    "(?, ?, 'company', 'energy', ?, '2026-01-01T00:00:00Z', "
                    "'2026-01-01T00:00:00Z')";
    assert_int_equal(sqlite3_prepare_v2(db, o, -1, &q, NULL), SQLITE_OK);
    for (int i = 1; i <= norgs; i++) {
        char name[32], assets[256];
        snprintf(name, sizeof name, "Org %d", i);
        snprintf(
            assets, sizeof assets,
            "{\"cidrs\":[],\"domains\":[],\"products\":[\"cpe:2.3:a:v%d:p:1.%d:*:*:*:*:*:*:*\","
            "\"apache httpd\"]}",
            rand() % 4, rand() % 9);
        sqlite3_bind_int(q, 1, i);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 3, assets, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    const char *v = "INSERT INTO vuln(key, cve, cvss, cvss_version, description) "
                    "VALUES (?, ?, ?, ?, ?)";
    assert_int_equal(sqlite3_prepare_v2(db, v, -1, &q, NULL), SQLITE_OK);
    for (int i = 1; i <= nvulns; i++) {
        char cve[32];
        snprintf(cve, sizeof cve, "CVE-2026-%05d", i * 7 % 100000);
        sqlite3_bind_int(q, 1, i);
        sqlite3_bind_text(q, 2, cve, -1, SQLITE_TRANSIENT);
        int kind = rand() % 3;
        if (kind == 0)
            sqlite3_bind_null(q, 3);
        else if (kind == 1)
            sqlite3_bind_double(q, 3, (double)(rand() % 11)); /* integral */
        else
            sqlite3_bind_double(q, 3, (rand() % 100) / 10.0 + 0.05);
        sqlite3_bind_text(q, 4, kind ? "3.1" : NULL, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, i % 5 ? "a \xe2\x82\xac; \\ 'x'" : "", -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    sqlite3_finalize(q);
    char *err = NULL;
    if (sqlite3_exec(db,
                     "INSERT INTO asset(id, cpe) VALUES (1, 'cpe:2.3:a:v1:p:1.0:*:*:*:*:*:*:*'), "
                     "(2, 'cpe:2.3:a:v2:p:2:*:*:*:*:*:*:*');"
                     "INSERT INTO finding(id, org_id, asset_id, key, first_seen) VALUES "
                     "(3, 1, 1, 1, '2026-01-01'), (8, 2, 2, 2, '2026-01-02'), "
                     "(9, 1, 2, 3, '2026-01-03');"
                     "UPDATE sqlite_sequence SET seq = 40 WHERE name = 'finding';"
                     "COMMIT",
                     NULL, NULL, &err) != SQLITE_OK)
        fail_msg("seed: %s", err);
    sqlite3_close(db);
}

static void sqlite_to_pg_and_back(void **state)
{
    struct fixture *f = *state;
    unsigned seed = (unsigned)time(NULL);
    printf("seed %u\n", seed);
    seed_sqlite(f->path, seed);
    char name[32], uri[600];
    pg_db_new(name, uri);
    struct vg_diag d = {0};
    struct vg_store *pg = vg_store_open_partial(uri, NULL, &d);
    if (!pg)
        fail_msg("open %s: %s", uri, d.message);
    int version, latest;
    assert_int_equal(vg_store_dump_version(pg, &version, &latest, &d), 0);
    assert_true(latest >= 1);
    assert_int_equal(version, latest);
    struct vg_dump_table *t;
    size_t n;
    same_tables(f->st, pg, &t, &n);
    const struct vg_dump_table *fin = find(t, n, "finding");
    assert_int_equal(fin->id_high, 40);
    assert_true(find(t, n, "org_product")->implicit_id);
    assert_true(find(t, n, "playbook")->seeded);
    /* the tables come parents first: user before token, org before org_product */
    assert_true(find(t, n, "user") < find(t, n, "token"));
    assert_true(find(t, n, "org") < find(t, n, "org_product"));

    copy_all(f->st, pg, t, n);
    long long rows = same_sums(f->st, pg, t, n);
    printf("%zu tables, %lld rows equal on SQLite and PostgreSQL\n", n, rows);
    assert_true(rows > 30);

    /* the identities continue after the copied ids; finding's after the mark */
    PGconn *c = pg_other(uri);
    assert_int_equal(pg_scalar_on(c, "SELECT nextval(pg_get_serial_sequence('finding', 'id'))"),
                     41);
    assert_int_equal(pg_scalar_on(c, "SELECT nextval(pg_get_serial_sequence('org', 'id'))"),
                     pg_scalar_on(c, "SELECT max(id) + 1 FROM org"));
    assert_int_equal(pg_scalar_on(c, "SELECT nextval(pg_get_serial_sequence('\"user\"', 'id'))"),
                     pg_scalar_on(c, "SELECT max(id) + 1 FROM \"user\""));
    assert_true(pg_scalar_on(c, "SELECT max(id) FROM \"user\"") > 9000000000000LL);
    /* the triggers are on again: a new organisation's products are kept by them */
    pg_on(c, "INSERT INTO org(name, kind, sector, assets, created, updated) VALUES ('New', "
             "'company', 'energy', '{\"cidrs\":[],\"domains\":[],\"products\":[\"x\"]}', 't', "
             "'t')");
    assert_int_equal(pg_scalar_on(c, "SELECT count(*) FROM org_product p JOIN org o ON "
                                     "o.id = p.org_id WHERE o.name = 'New'"),
                     1);
    pg_on(c, "DELETE FROM org WHERE name = 'New'");
    PQfinish(c);
    /* the PostgreSQL side's mark is its sequence's last value */
    struct vg_dump_table *t2;
    size_t n2;
    assert_int_equal(vg_store_dump_tables(pg, &t2, &n2, &d), 0);
    assert_int_equal(find(t2, n2, "finding")->id_high, 41);
    free(t2);

    /* opened as it is (no migration), the instance reads the same */
    struct vg_store *asis = vg_store_dump_open(uri, &d);
    if (!asis)
        fail_msg("dump open: %s", d.message);
    assert_int_equal(same_sums(asis, f->st, t, n), rows);
    vg_store_close(asis);

    /* PostgreSQL -> a new SQLite file -> equal again */
    char back[160];
    snprintf(back, sizeof back, "%s/back.db", f->dir);
    struct vg_store *sq = vg_store_open(back, NULL, &d);
    assert_non_null(sq);
    copy_all(pg, sq, t, n);
    assert_int_equal(same_sums(pg, sq, t, n), rows);
    assert_int_equal(same_sums(f->st, sq, t, n), rows);
    vg_store_close(sq);
    snprintf(back, sizeof back, "%s/back.db", f->dir);
    unlink(back);
    free(t);
    vg_store_close(pg);
    pg_db_drop(name);
}

/* A value the schema refuses: VG_EINVAL, and the rollback leaves nothing; a stream stopped by
 * its callback returns the callback's code; the backup is pg_dump's. */
static int stop_at_two(void *ctx, const struct vg_dump_value *row, size_t n)
{
    (void)row;
    (void)n;
    return ++*(int *)ctx == 2 ? 77 : 0;
}

static void refused_and_stopped(void **state)
{
    (void)state;
    char name[32], uri[600];
    pg_db_new(name, uri);
    struct vg_diag d = {0};
    /* a database never migrated, opened as it is: version 0, nothing created */
    struct vg_store *raw = vg_store_dump_open(uri, &d);
    assert_non_null(raw);
    int version = -1, latest = 0;
    assert_int_equal(vg_store_dump_version(raw, &version, &latest, &d), 0);
    assert_int_equal(version, 0);
    assert_true(latest >= 1);
    struct vg_dump_table *none;
    size_t nnone = 9;
    assert_int_equal(vg_store_dump_tables(raw, &none, &nnone, &d), 0);
    assert_int_equal(nnone, 0);
    free(none);
    vg_store_close(raw);
    struct vg_store *pg = vg_store_open_partial(uri, NULL, &d);
    assert_non_null(pg);
    struct vg_dump_table *t;
    size_t n;
    assert_int_equal(vg_store_dump_tables(pg, &t, &n, &d), 0);
    const struct vg_dump_table *u = find(t, n, "user");
    assert_int_equal(u->ncols, 6); /* created, disabled, id, name, password_hash, role */
    struct vg_dump_value row[12] = {
        {.type = VG_DUMP_TEXT, .p = "t", .len = 1},
        {.type = VG_DUMP_INT, .i = 0},
        {.type = VG_DUMP_INT, .i = 5},
        {.type = VG_DUMP_TEXT, .p = "a", .len = 1},
        {.type = VG_DUMP_NULL},
        {.type = VG_DUMP_TEXT, .p = "admin", .len = 5},
        {.type = VG_DUMP_TEXT, .p = "t", .len = 1},
        {.type = VG_DUMP_INT, .i = 0},
        {.type = VG_DUMP_INT, .i = 6},
        {.type = VG_DUMP_TEXT, .p = "b", .len = 1},
        {.type = VG_DUMP_NULL},
        {.type = VG_DUMP_TEXT, .p = "boss", .len = 4},
    };
    assert_int_equal(vg_store_dump_load_begin(pg, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(pg, u, row, 2, &d), VG_EINVAL); /* role check */
    assert_non_null(strstr(d.message, "user"));
    assert_int_equal(vg_store_dump_load_end(pg, false, &d), 0);
    long long count = -1;
    assert_int_equal(vg_store_dump_count(pg, u, &count, &d), 0);
    assert_int_equal(count, 0);
    /* the good row alone loads */
    assert_int_equal(vg_store_dump_load_begin(pg, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(pg, u, row, 1, &d), 0);
    row[11] = (struct vg_dump_value){.type = VG_DUMP_TEXT, .p = "reader", .len = 6};
    assert_int_equal(vg_store_dump_load_rows(pg, u, row + 6, 1, &d), 0);
    assert_int_equal(vg_store_dump_load_end(pg, true, &d), 0);
    assert_int_equal(vg_store_dump_count(pg, u, &count, &d), 0);
    assert_int_equal(count, 2);
    int seen = 0;
    assert_int_equal(vg_store_dump_rows(pg, u, stop_at_two, &seen, &d), 77);
    assert_int_equal(seen, 2);
    /* the connection is usable after the stopped stream */
    assert_int_equal(vg_store_dump_count(pg, u, &count, &d), 0);
    assert_int_equal(count, 2);
    assert_int_equal(vg_store_dump_backup(pg, "/tmp/never-written.db", &d), VG_EINVAL);
    free(t);
    vg_store_close(pg);
    pg_db_drop(name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sqlite_to_pg_and_back, setup, teardown),
        cmocka_unit_test(refused_and_stopped),
    };
    return cmocka_run_group_tests(tests, pg_cluster_start, pg_cluster_stop);
}
