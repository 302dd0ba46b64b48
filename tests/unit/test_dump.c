/* Unit tests of store/dump.h on real SQLite stores: the canonical encoding of each type of
 * value (NULL and "", big integers, -0.0, BLOBs with NUL bytes), the checksum against the
 * SHA-256 of the encoding computed here, the tables in dependency order with their keys, rows
 * in key order, a load in one transaction (triggers set aside and back, a bad row rolls the
 * whole back), and the online backup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "store/dump.h"
#include "store_fixture.h"

#define TEXT(s) ((struct vg_dump_value){.type = VG_DUMP_TEXT, .p = (s), .len = strlen(s)})
#define INT(v)  ((struct vg_dump_value){.type = VG_DUMP_INT, .i = (v)})

static void encode_types(void **state)
{
    (void)state;
    unsigned char out[64];
    const struct vg_dump_value null = {.type = VG_DUMP_NULL};
    /* header: 'R' and the count, big-endian */
    assert_int_equal(vg_dump_encode(&null, 1, out, sizeof out), 6);
    assert_memory_equal(out, "R\0\0\0\1N", 6);
    struct vg_dump_value v = INT(42);
    assert_int_equal(vg_dump_encode(&v, 1, out, sizeof out), 14);
    assert_memory_equal(out + 5, "I\0\0\0\0\0\0\0\x2a", 9);
    v = INT(-1);
    vg_dump_encode(&v, 1, out, sizeof out);
    assert_memory_equal(out + 5, "I\xff\xff\xff\xff\xff\xff\xff\xff", 9);
    v = INT(LLONG_MIN);
    vg_dump_encode(&v, 1, out, sizeof out);
    assert_memory_equal(out + 5, "I\x80\0\0\0\0\0\0\0", 9);
    v = INT(LLONG_MAX);
    vg_dump_encode(&v, 1, out, sizeof out);
    assert_memory_equal(out + 5, "I\x7f\xff\xff\xff\xff\xff\xff\xff", 9);
    /* 1.5 = 0x3FF8000000000000; -0.0 is encoded as 0.0 */
    v = (struct vg_dump_value){.type = VG_DUMP_REAL, .r = 1.5};
    vg_dump_encode(&v, 1, out, sizeof out);
    assert_memory_equal(out + 5, "F\x3f\xf8\0\0\0\0\0\0", 9);
    v.r = -0.0;
    vg_dump_encode(&v, 1, out, sizeof out);
    assert_memory_equal(out + 5, "F\0\0\0\0\0\0\0\0", 9);
    /* text and blob: tag, 8-byte length, bytes (NUL bytes kept) */
    v = (struct vg_dump_value){.type = VG_DUMP_BLOB, .p = "a\0b", .len = 3};
    assert_int_equal(vg_dump_encode(&v, 1, out, sizeof out), 5 + 9 + 3);
    assert_memory_equal(out + 5, "B\0\0\0\0\0\0\0\3a\0b", 12);
    v.type = VG_DUMP_TEXT;
    vg_dump_encode(&v, 1, out, sizeof out);
    assert_memory_equal(out + 5, "T\0\0\0\0\0\0\0\3a\0b", 12);
    /* "" is not NULL */
    v = TEXT("");
    assert_int_equal(vg_dump_encode(&v, 1, out, sizeof out), 14);
    assert_memory_equal(out + 5, "T\0\0\0\0\0\0\0\0", 9);
    /* too small: the length needed, and no byte past cap */
    struct vg_dump_value row[2] = {TEXT("hello"), INT(7)};
    memset(out, 0xee, sizeof out);
    assert_int_equal(vg_dump_encode(row, 2, out, 10), 5 + 14 + 9);
    assert_int_equal(out[10], 0xee);
    assert_int_equal(vg_dump_encode(row, 2, out, 28), 28);
    assert_memory_equal(out, "R\0\0\0\2T\0\0\0\0\0\0\0\5helloI\0\0\0\0\0\0\0\7", 28);
}

static void row_json(void **state)
{
    (void)state;
    struct vg_dump_value row[5] = {INT(-3),
                                   TEXT("é"),
                                   {.type = VG_DUMP_NULL},
                                   {.type = VG_DUMP_BLOB, .p = "a\0b", .len = 3},
                                   {.type = VG_DUMP_REAL, .r = 0.25}};
    json_t *j = vg_dump_row_json(row, 5);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "[-3,\"é\",null,{\"b64\":\"YQBi\"},0.25]");
    free(s);
    json_decref(j);
}

/* The table named name among t[0..n), or NULL; *at its index. */
static const struct vg_dump_table *find(const struct vg_dump_table *t, size_t n, const char *name,
                                        size_t *at)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name)) {
            if (at)
                *at = i;
            return &t[i];
        }
    return NULL;
}

static void tables_in_order(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_dump_table *t;
    size_t n, iu = 0, it = 0, io = 0, ii = 0, ip = 0, is = 0, ia = 0, ic = 0, im = 0;
    assert_int_equal(vg_store_dump_tables(f->st, &t, &n, &d), 0);
    assert_true(n >= 50);
    assert_null(find(t, n, "sqlite_sequence", NULL));
    assert_non_null(find(t, n, "user", &iu));
    assert_non_null(find(t, n, "token", &it));
    assert_non_null(find(t, n, "org", &io));
    assert_non_null(find(t, n, "incident", &ii));
    assert_non_null(find(t, n, "org_product", &ip));
    assert_non_null(find(t, n, "incident_step", &is));
    assert_non_null(find(t, n, "crisis", &ic));
    assert_non_null(find(t, n, "crisis_member", &im));
    assert_non_null(find(t, n, "crisis_ack", &ia));
    /* parents before children */
    assert_true(iu < it);
    assert_true(io < ii && io < ip);
    assert_true(ii < is);
    assert_true(ic < im && im < ia);
    /* columns by name; the row order: the primary key, in its order, or every column */
    const struct vg_dump_table *step = &t[is];
    assert_int_equal(step->ncols, 5);
    assert_string_equal(step->cols[0], "done");
    assert_string_equal(step->cols[4], "step_id");
    assert_int_equal(step->nkey, 2);
    assert_string_equal(step->cols[step->key[0]], "incident_id");
    assert_string_equal(step->cols[step->key[1]], "step_id");
    /* org_product declares no key: its rowid, as "id" (the PostgreSQL schema's column) */
    assert_int_equal(t[ip].ncols, 4);
    assert_true(t[ip].implicit_id);
    assert_int_equal(t[ip].nkey, 1);
    assert_string_equal(t[ip].cols[0], "cpe");
    assert_string_equal(t[ip].cols[1], "id");
    assert_int_equal(t[ip].key[0], 1);
    assert_false(t[iu].implicit_id);
    assert_int_equal(t[iu].nkey, 1);
    assert_string_equal(t[iu].cols[t[iu].key[0]], "id");
    /* only the playbooks are seeded by a fresh migration */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(t[i].seeded, !strcmp(t[i].name, "playbook"));
    int version, latest;
    assert_int_equal(vg_store_dump_version(f->st, &version, &latest, &d), 0);
    assert_true(version >= 22);
    assert_int_equal(version, latest);
    exec_on(f->path, "PRAGMA user_version = 3");
    assert_int_equal(vg_store_dump_version(f->st, &version, &latest, &d), 0);
    assert_int_equal(version, 3);
    assert_true(latest >= 22);
    free(t);
}

struct collect {
    char text[512];
    int rows;
};

static int collect_row(void *ctx, const struct vg_dump_value *row, size_t n)
{
    struct collect *c = ctx;
    size_t at = strlen(c->text);
    for (size_t i = 0; i < n && at < sizeof c->text - 64; i++, at = strlen(c->text)) {
        const struct vg_dump_value *v = &row[i];
        if (v->type == VG_DUMP_INT)
            snprintf(c->text + at, sizeof c->text - at, "i%lld,", v->i);
        else if (v->type == VG_DUMP_REAL)
            snprintf(c->text + at, sizeof c->text - at, "r%g,", v->r);
        else if (v->type == VG_DUMP_TEXT)
            snprintf(c->text + at, sizeof c->text - at, "t%.*s,", (int)v->len, v->p);
        else if (v->type == VG_DUMP_BLOB)
            snprintf(c->text + at, sizeof c->text - at, "b%zu,", v->len);
        else
            snprintf(c->text + at, sizeof c->text - at, "n,");
    }
    snprintf(c->text + strlen(c->text), sizeof c->text - strlen(c->text), ";");
    return ++c->rows == 100 ? 99 : 0;
}

static void rows_typed_in_key_order(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_dump_table *t;
    size_t n;
    exec_on(f->path, "INSERT INTO epss(key, score, percentile) VALUES (9, 0.5, 1), (2, 0.25, 0);"
                     "INSERT INTO vuln_meta(name, value) VALUES ('b', ''), ('B', 'x'), ('a', 'y');"
                     "INSERT INTO user(id, name, role, created) VALUES (5, 'u', 'reader', 'c');"
                     "INSERT INTO token(id, user_id, hash, created) VALUES (3, 5, x'00ff00', 'c')");
    assert_int_equal(vg_store_dump_tables(f->st, &t, &n, &d), 0);
    struct collect c = {.rows = 0};
    assert_int_equal(vg_store_dump_rows(f->st, find(t, n, "epss", NULL), collect_row, &c, &d), 0);
    assert_string_equal(c.text, "i2,r0,r0.25,;i9,r1,r0.5,;"); /* key, percentile, score */
    memset(&c, 0, sizeof c);
    assert_int_equal(vg_store_dump_rows(f->st, find(t, n, "vuln_meta", NULL), collect_row, &c, &d),
                     0);
    assert_string_equal(c.text, "tB,tx,;ta,ty,;tb,t,;"); /* by bytes: 'B' < 'a' */
    memset(&c, 0, sizeof c);
    assert_int_equal(vg_store_dump_rows(f->st, find(t, n, "token", NULL), collect_row, &c, &d), 0);
    /* created, expires, hash, id, kind, label, last_used, revoked, user_id */
    assert_string_equal(c.text, "tc,n,b3,i3,tapi,t,n,n,i5,;");
    long long count;
    assert_int_equal(vg_store_dump_count(f->st, find(t, n, "vuln_meta", NULL), &count, &d), 0);
    assert_int_equal(count, 3);
    /* the callback's non-zero return stops the stream and comes back */
    for (int i = 0; i < 120; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO vuln_meta(name, value) VALUES ('k%03d', 'v')", i);
        exec_on(f->path, sql);
    }
    memset(&c, 0, sizeof c);
    assert_int_equal(vg_store_dump_rows(f->st, find(t, n, "vuln_meta", NULL), collect_row, &c, &d),
                     99);
    assert_int_equal(c.rows, 100);
    free(t);
}

/* A second store in f's folder. */
static struct vg_store *other(struct fixture *f, const char *name, char path[160])
{
    snprintf(path, 160, "%s/%s", f->dir, name);
    struct vg_diag d;
    struct vg_store *st = vg_store_open(path, NULL, &d);
    assert_non_null(st);
    return st;
}

static void drop_other(const char *path)
{
    char p[200];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

/* The checksum, as the definition in store/dump.h says, computed here by hand. */
static void expected_sum(const struct vg_dump_table *t, const struct vg_dump_value *rows,
                         size_t nrows, unsigned char out[32])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    unsigned char buf[1024];
    struct vg_dump_value head[VG_DUMP_COLS_MAX + 1];
    head[0] = TEXT(t->name);
    for (size_t i = 0; i < t->ncols; i++)
        head[i + 1] = TEXT(t->cols[i]);
    size_t len = vg_dump_encode(head, t->ncols + 1, buf, sizeof buf);
    crypto_hash_sha256_update(&h, buf, len);
    for (size_t r = 0; r < nrows; r++) {
        len = vg_dump_encode(rows + r * t->ncols, t->ncols, buf, sizeof buf);
        crypto_hash_sha256_update(&h, buf, len);
    }
    crypto_hash_sha256_final(&h, out);
}

static void checksum_and_load(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct collect seen;
    struct vg_dump_table *t;
    size_t n;
    assert_int_equal(vg_store_dump_tables(f->st, &t, &n, &d), 0);
    const struct vg_dump_table *user = find(t, n, "user", NULL);
    /* columns: created, disabled, id, name, password_hash, role; a big id, NULL and "" */
    struct vg_dump_value rows[] = {
        TEXT("2026-01-01T00:00:00Z"),
        INT(0),
        INT(7),
        TEXT("a"),
        {.type = VG_DUMP_NULL},
        TEXT("admin"),
        TEXT("2026-01-02T00:00:00Z"),
        INT(1),
        INT(LLONG_MAX),
        TEXT("b"),
        TEXT(""),
        TEXT("reader"),
    };
    char pb[160], pc[160];
    struct vg_store *b = other(f, "b.db", pb), *c = other(f, "c.db", pc);
    /* loaded in one order into b, in the other into c: the same sum */
    assert_int_equal(vg_store_dump_load_begin(b, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(b, user, rows, 2, &d), 0);
    assert_int_equal(vg_store_dump_load_end(b, true, &d), 0);
    assert_int_equal(vg_store_dump_load_begin(c, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(c, user, rows + 6, 1, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(c, user, rows, 1, &d), 0);
    assert_int_equal(vg_store_dump_load_end(c, true, &d), 0);
    struct vg_dump_sum sb, sc;
    unsigned char want[32];
    expected_sum(user, rows, 2, want);
    assert_int_equal(vg_store_dump_checksum(b, user, &sb, &d), 0);
    assert_int_equal(vg_store_dump_checksum(c, user, &sc, &d), 0);
    assert_int_equal(sb.rows, 2);
    assert_memory_equal(sb.sha256, want, 32);
    assert_memory_equal(sc.sha256, want, 32);
    /* NULL made "": another sum, same count */
    exec_on(pc, "UPDATE user SET password_hash = '' WHERE id = 7");
    assert_int_equal(vg_store_dump_checksum(c, user, &sc, &d), 0);
    assert_int_equal(sc.rows, 2);
    assert_memory_not_equal(sc.sha256, want, 32);
    /* the next id continues after the largest loaded: an insert by the store's own path */
    long long id = 0;
    exec_on(pb, "DELETE FROM user WHERE id = 9223372036854775807");
    assert_int_equal(vg_store_user_ensure(b, "new", "analyst", &id, &d), 0);
    assert_int_equal(id, 8);

    /* a row the schema refuses (role NULL): the whole load is rolled back, triggers stay */
    long long triggers = scalar_on(pc, "SELECT count(*) FROM sqlite_master WHERE type='trigger'");
    assert_true(triggers >= 6);
    struct vg_dump_value bad[] =
        {TEXT("x"), INT(0), INT(50), TEXT("z"), {.type = VG_DUMP_NULL}, {.type = VG_DUMP_NULL}};
    const struct vg_dump_table *org = find(t, n, "org", NULL);
    assert_int_equal(vg_store_dump_load_begin(c, &d), 0);
    assert_int_equal(scalar_on(pc, "SELECT count(*) FROM sqlite_master WHERE type='trigger'"),
                     triggers); /* another connection sees the triggers while the load runs */
    assert_int_equal(vg_store_dump_load_clear(c, user, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(c, user, bad, 1, &d), VG_EINVAL);
    assert_non_null(strstr(d.message, "user"));
    assert_int_equal(vg_store_dump_load_end(c, false, &d), 0);
    assert_int_equal(scalar_on(pc, "SELECT count(*) FROM user"), 2);
    /* a row whose parent is missing: refused at commit (foreign keys checked then) */
    const struct vg_dump_table *token = find(t, n, "token", NULL);
    struct vg_dump_value orphan[] = {TEXT("c"),
                                     {.type = VG_DUMP_NULL},
                                     {.type = VG_DUMP_BLOB, .p = "\0\1", .len = 2},
                                     INT(1),
                                     TEXT("api"),
                                     TEXT(""),
                                     {.type = VG_DUMP_NULL},
                                     {.type = VG_DUMP_NULL},
                                     INT(999)};
    assert_int_equal(vg_store_dump_load_begin(c, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(c, token, orphan, 1, &d), 0);
    assert_int_not_equal(vg_store_dump_load_end(c, true, &d), 0);
    assert_int_equal(scalar_on(pc, "SELECT count(*) FROM token"), 0);
    assert_int_equal(scalar_on(pc, "SELECT count(*) FROM sqlite_master WHERE type='trigger'"),
                     triggers);
    /* triggers set aside during a load: an org loaded makes no org_product rows; after it,
     * they fire again */
    struct vg_dump_value o[16];
    size_t k = 0;
    for (size_t i = 0; i < org->ncols; i++) {
        const char *col = org->cols[i];
        if (!strcmp(col, "id"))
            o[k++] = INT(1);
        else if (!strcmp(col, "assets"))
            o[k++] = TEXT("{\"products\":[\"cpe:2.3:a:x:y:1:*:*:*:*:*:*:*\"]}");
        else if (!strcmp(col, "eligible"))
            o[k++] = INT(1);
        else
            o[k++] = TEXT("[]");
    }
    assert_int_equal(vg_store_dump_load_begin(c, &d), 0);
    int lrc = vg_store_dump_load_rows(c, org, o, 1, &d);
    if (lrc)
        fail_msg("%s", d.message);
    assert_int_equal(vg_store_dump_load_end(c, true, &d), 0);
    assert_int_equal(scalar_on(pc, "SELECT count(*) FROM org_product"), 0);
    /* org_product's rowids (its "id": the order of an organisation's products) are kept */
    const struct vg_dump_table *prod = find(t, n, "org_product", NULL);
    struct vg_dump_value prods[] = {TEXT("b"), INT(7), TEXT(""), INT(1),
                                    TEXT("a"), INT(4), TEXT(""), INT(1)};
    assert_int_equal(vg_store_dump_load_begin(c, &d), 0);
    assert_int_equal(vg_store_dump_load_rows(c, prod, prods, 2, &d), 0);
    assert_int_equal(vg_store_dump_load_end(c, true, &d), 0);
    assert_int_equal(scalar_on(pc, "SELECT rowid FROM org_product WHERE cpe = 'b'"), 7);
    assert_int_equal(scalar_on(pc, "SELECT rowid FROM org_product WHERE cpe = 'a'"), 4);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(vg_store_dump_rows(c, prod, collect_row, &seen, &d), 0);
    assert_string_equal(seen.text, "ta,i4,t,i1,;tb,i7,t,i1,;");
    exec_on(pc, "UPDATE org SET assets = assets WHERE id = 1");
    assert_int_equal(scalar_on(pc, "SELECT count(*) FROM org_product"), 1);
    vg_store_close(b);
    vg_store_close(c);
    drop_other(pb);
    drop_other(pc);
    free(t);
}

/* finding's ids only grow (a digest remembers the last it showed): a copy keeps the mark of
 * AUTOINCREMENT, not only the largest id left */
static void ids_never_come_back(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    struct vg_dump_table *t;
    size_t n;
    exec_on(f->path, "INSERT INTO sqlite_sequence(name, seq) VALUES ('finding', 500)");
    assert_int_equal(vg_store_dump_tables(f->st, &t, &n, &d), 0);
    const struct vg_dump_table *fi = find(t, n, "finding", NULL);
    assert_int_equal(fi->id_high, 500);
    assert_int_equal(find(t, n, "incident", NULL)->id_high, 0);
    char pb[160];
    struct vg_store *b = other(f, "b.db", pb);
    assert_int_equal(vg_store_dump_load_begin(b, &d), 0);
    assert_int_equal(vg_store_dump_load_ids(b, fi, &d), 0);
    assert_int_equal(vg_store_dump_load_end(b, true, &d), 0);
    assert_int_equal(scalar_on(pb, "SELECT seq FROM sqlite_sequence WHERE name = 'finding'"), 500);
    /* a mark below the destination's never lowers it */
    struct vg_dump_table low = *fi;
    low.id_high = 20;
    assert_int_equal(vg_store_dump_load_begin(b, &d), 0);
    assert_int_equal(vg_store_dump_load_ids(b, &low, &d), 0);
    assert_int_equal(vg_store_dump_load_end(b, true, &d), 0);
    assert_int_equal(scalar_on(pb, "SELECT seq FROM sqlite_sequence WHERE name = 'finding'"), 500);
    low.id_high = 501;
    assert_int_equal(vg_store_dump_load_begin(b, &d), 0);
    assert_int_equal(vg_store_dump_load_ids(b, &low, &d), 0);
    assert_int_equal(vg_store_dump_load_end(b, true, &d), 0);
    assert_int_equal(scalar_on(pb, "SELECT seq FROM sqlite_sequence WHERE name = 'finding'"), 501);
    vg_store_close(b);
    drop_other(pb);
    free(t);
}

static void backup(void **state)
{
    struct fixture *f = *state;
    struct vg_diag d;
    exec_on(f->path, "INSERT INTO vuln_meta(name, value) VALUES ('epss_model', 'v2025')");
    char out[160];
    snprintf(out, sizeof out, "%s/backup.db", f->dir);
    assert_int_equal(vg_store_dump_backup(f->st, out, &d), 0);
    struct stat sb;
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(scalar_on(out, "SELECT count(*) FROM vuln_meta WHERE value = 'v2025'"), 1);
    assert_int_equal(scalar_on(out, "PRAGMA user_version"),
                     scalar_on(f->path, "PRAGMA user_version"));
    /* never over an existing file */
    assert_int_equal(vg_store_dump_backup(f->st, out, &d), VG_EEXIST);
    drop_other(out);
    /* opening as it is: a missing file is not created */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none.db", f->dir);
    assert_null(vg_store_dump_open(missing, &d));
    assert_int_not_equal(access(missing, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_types),
        cmocka_unit_test(row_json),
        cmocka_unit_test_setup_teardown(tables_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(rows_typed_in_key_order, setup, teardown),
        cmocka_unit_test_setup_teardown(checksum_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_never_come_back, setup, teardown),
        cmocka_unit_test_setup_teardown(backup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
